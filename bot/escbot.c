/*
 * escbot: loading and unloading an instance.  The lock file beside the
 * database makes sure only one escbot works on a database at a time (two
 * would both answer the same form), as mbsync's lock_state does.  The key
 * file beside it keys escbot's Message-IDs (mailer.h), so that no one
 * can forge a reply into a case's thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escbot.h"
#include "log.h"
#include "template.h"
#include "themes.h"
#include "util.h"
#include "store.h"
#include "calendar.h"
#include "config.h"
#include "rules.h"
#include "directory.h"
#include "diag.h"

/* A folder key (rules_dir, templates_dir): a readable folder holding
 * `marker`.  0, or -1 after one line at the key's file:line that says why
 * (rather than one for each file that cannot be read in it). */
static int
check_folder(const struct config *c, const char *key, const char *path,
    int line, const char *marker, struct diag *d)
{
	struct stat st;
	char *m;
	int rc = -1;

	if (stat(path, &st) == -1 || access(path, R_OK | X_OK) == -1)
		diag_error(d, c->file, line, "%s %s: %s", key, path,
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		diag_error(d, c->file, line, "%s %s is not a folder", key, path);
	else {
		m = xasprintf("%s/%s", path, marker);
		if (access(m, F_OK) == -1)
			diag_error(d, c->file, line, "%s %s has no %s: is it "
			    "the right folder?", key, path, marker);
		else
			rc = 0;
		free(m);
	}
	return rc;
}

int
escbot_load(struct escbot *e, const char *path, struct diag *d)
{
	char err[512], first[128];
	int errors0 = d->errors;
	const struct config *c;

	e->lock_fd = -1;
	if (config_load(path, &e->cfg, d) == -1)
		return -1;
	c = e->cfg;
	if (check_folder(c, "rules_dir", c->rules_dir, c->line.rules_dir,
	    "forms", d) == 0) {
		rules_load(c->rules_dir, &e->rules, d);
		themes_load(c->rules_dir, &e->themes, d);
	}
	directory_load(c->directory, &e->dir, d);
	if (e->rules != NULL)
		rules_check(e->rules, e->dir, c->directory, d);
	snprintf(first, sizeof(first), "%s.txt", template_names[0]);
	if (check_folder(c, "templates_dir", c->templates_dir,
	    c->line.templates_dir, first, d) == 0)
		template_check_dir(c->templates_dir, d);
	e->cal = calendar_load(c->holidays, c->work_open, c->work_close, err,
	    sizeof(err));
	if (e->cal == NULL)
		diag_error(d, err, 0, "holiday calendar refused");
	return d->errors == errors0 ? 0 : -1;
}

/* Write a new key to path, atomically: a temporary file created mode
 * 0600 (O_EXCL), linked to path unless another escbot made one first.
 * 0, or -1 with err. */
static int
key_create(const char *path, char *err, size_t errlen)
{
	unsigned char key[MAILER_KEY_LEN];
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	ssize_t n;
	int fd = -1, rc = -1;

	do
		n = getrandom(key, sizeof(key), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(key)) {
		errf(err, errlen, "getrandom: %s", n == -1 ? strerror(errno) :
		    "short read");
		goto fail;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) == -1 || (link(tmp, path) == -1 && errno != EEXIST)) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	rc = 0;
fail:
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	explicit_bzero(key, sizeof(key));
	free(tmp);
	return rc;
}

/* Read <database>.key into key, creating it when there is none.  0, or -1
 * with err. */
static int
key_load(const char *db, unsigned char key[MAILER_KEY_LEN], char *err,
    size_t errlen)
{
	char *path = xasprintf("%s.key", db);
	struct stat st;
	int fd = -1, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		if (key_create(path, err, errlen) == -1)
			goto fail;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd == -1 || fstat(fd, &st) == -1) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		errf(err, errlen, "%s: open to group or others (mode %04o): "
		    "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_size != MAILER_KEY_LEN ||
	    read(fd, key, MAILER_KEY_LEN) != MAILER_KEY_LEN) {
		errf(err, errlen, "%s: not a %d-byte key", path, MAILER_KEY_LEN);
		goto fail;
	}
	rc = 0;
fail:
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
}

int
escbot_warnings(const struct escbot *e, time_t now, FILE *fp)
{
	const struct config *c = e->cfg;
	int n = 0, first, last;
	struct tm tm;
	time_t ahead = now + 365 * 86400;

	/* Each partnership's file that lists such an agency. */
	for (const struct directory *dir = e->dir; dir; dir = dir->next) {
		for (size_t i = 0; i < dir->nagencies; i++) {
			const struct dir_agency *a = &dir->agencies[i];

			for (size_t j = 0; j < a->ndomains; j++) {
				char probe[300];

				snprintf(probe, sizeof(probe), "x@%s",
				    a->domains[j]);
				if (config_domain_allowed(c, probe))
					continue;
				fprintf(fp, "%s: warning: agency %s: domain %s "
				    "is not in allowed_sender_domains: its "
				    "staff's forms and replies would be refused "
				    "unanswered\n", dir->file, a->id,
				    a->domains[j]);
				n++;
			}
		}
	}
	/* The partnership's own people (a chair, a manager) act by reply
	 * too: one whose domain is refused never could. */
	for (const struct directory *dir = e->dir; dir; dir = dir->next)
		for (size_t i = 0; i < dir->npartnership; i++) {
			const struct dir_role *r = &dir->partnership[i];

			for (size_t j = 0; j < r->ncontacts; j++) {
				if (r->addrs[j] == NULL ||
				    config_domain_allowed(c, r->addrs[j]))
					continue;
				fprintf(fp, "%s: warning: %s %s is not in "
				    "allowed_sender_domains: their replies "
				    "(RESOLVED, PAUSE, ...) would be refused "
				    "unanswered\n", dir->file, r->role,
				    r->addrs[j]);
				n++;
			}
		}
	for (size_t i = 0; i < e->rules->nprotocols; i++) {
		const struct protocol *p = &e->rules->protocols[i];

		for (size_t j = 0; j < p->nagencies; j++) {
			if (p->dir == NULL ||
			    directory_agency_by_id(p->dir, p->agencies[j]))
				continue;
			fprintf(fp, "%s: warning: agencies: \"%s\" is not an "
			    "agency of its partnership's directory (%s): the "
			    "reports leave it out\n", p->file, p->agencies[j],
			    p->dir->file);
			n++;
		}
	}
	calendar_years(e->cal, &first, &last);
	gmtime_r(&ahead, &tm);
	if (last < tm.tm_year + 1900) {
		fprintf(fp, "%s: warning: the holidays end with %d; deadlines "
		    "in the next twelve months (to %04d-%02d-%02d) would count "
		    "bank holidays as working days\n", c->holidays, last,
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		n++;
	}
	return n;
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
	if (key_load(e->cfg->database, e->msgid_key, err, errlen) == -1) {
		store_close(e->store);
		e->store = NULL;
		return -1;
	}
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
	memcpy(n.msgid_key, e->msgid_key, sizeof(n.msgid_key));
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
