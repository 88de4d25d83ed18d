/*
 * escbot: loading and unloading an instance.  The lock file beside the
 * database makes sure only one escbot works on a database at a time (two
 * would both answer the same form), as mbsync's lock_state does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "escbot.h"
#include "log.h"
#include "template.h"
#include "themes.h"
#include "util.h"

int
escbot_load(struct escbot *e, const char *path, struct diag *d)
{
	char err[512];
	int errors0 = d->errors;

	e->lock_fd = -1;
	if (config_load(path, &e->cfg, d) == -1)
		return -1;
	rules_load(e->cfg->rules_dir, &e->rules, d);
	directory_load(e->cfg->directory, &e->dir, d);
	template_check_dir(e->cfg->templates_dir, d);
	themes_load(e->cfg->rules_dir, &e->themes, d);
	e->cal = calendar_load(e->cfg->holidays, e->cfg->work_open,
	    e->cfg->work_close, err, sizeof(err));
	if (e->cal == NULL)
		diag_error(d, err, 0, "holiday calendar refused");
	return d->errors == errors0 ? 0 : -1;
}

int
escbot_open_store(struct escbot *e, enum escbot_lock mode, char *err,
    size_t errlen)
{
	if (mode == LOCK_NONE)
		goto open;
	e->lock_fd = open(e->cfg->lock_file, O_RDWR | O_CREAT | O_CLOEXEC,
	    0600);
	if (e->lock_fd == -1) {
		snprintf(err, errlen, "%s: %s", e->cfg->lock_file,
		    strerror(errno));
		return -1;
	}
	if (flock(e->lock_fd, LOCK_EX | LOCK_NB) == -1) {
		int held = errno == EWOULDBLOCK;

		close(e->lock_fd);
		e->lock_fd = -1;
		if (mode == LOCK_TRY && held)
			goto open;
		snprintf(err, errlen, "%s: another escbot is using this database "
		    "(%s)", e->cfg->database, held ? "lock held" : strerror(errno));
		return -1;
	}
open:
	if (store_open(e->cfg->database, &e->store, err, errlen) == -1)
		return -1;
	return 0;
}

int
escbot_reload(struct escbot *e, const char *path, struct diag *d)
{
	struct escbot n;

	memset(&n, 0, sizeof(n));
	if (escbot_load(&n, path, d) == -1) {
		escbot_unload(&n);
		return -1;
	}
	if (strcmp(n.cfg->database, e->cfg->database) != 0) {
		diag_error(d, path, 0, "database cannot change on reload; "
		    "restart escbot to use %s", n.cfg->database);
		escbot_unload(&n);
		return -1;
	}
	/* Swap the loaded parts; keep the store, the lock, the clock and the
	 * stop flag (SIGTERM must still end a pass after a reload). */
	n.store = e->store;
	n.lock_fd = e->lock_fd;
	n.now_fixed = e->now_fixed;
	n.since = e->since;
	n.stop = e->stop;
	e->store = NULL;
	e->lock_fd = -1;
	escbot_unload(e);
	*e = n;
	return 0;
}

void
escbot_unload(struct escbot *e)
{
	store_close(e->store);
	rules_free(e->rules);
	themes_free(e->themes);
	directory_free(e->dir);
	calendar_free(e->cal);
	config_free(e->cfg);
	if (e->lock_fd != -1)
		close(e->lock_fd);
	memset(e, 0, sizeof(*e));
	e->lock_fd = -1;
}

time_t
escbot_now(const struct escbot *e)
{
	return e->now_fixed ? e->now_fixed : time(NULL);
}
