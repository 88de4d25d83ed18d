/*
 * main: escbot's entry point and its daemon loop.  The command line is
 * cli.c's; "run" and "tick" come back here.  The loop fetches, ticks and
 * sends, then waits in IDLE or sleeps until the next poll; SIGTERM and
 * SIGINT only set a flag, and the loop finishes the message in hand
 * before it exits.  SIGHUP re-reads the configuration between passes.
 */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casework.h"
#include "cli.h"
#include "digest.h"
#include "escbot.h"
#include "imap.h"
#include "log.h"
#include "mailbox.h"
#include "outbox.h"
#include "worker.h"
#include "store.h"
#include "config.h"
#include "diag.h"

static volatile sig_atomic_t quit, reload, wake;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		quit = 1;
	wake = 1;	/* ends an IDLE wait at once */
}

/* A second session that waits in IDLE between passes, so new mail is
 * seen within seconds; NULL (and polling) when the server has no IDLE or
 * cannot be reached just now. */
static struct imap *
idle_open(struct escbot *e, int *no_idle)
{
	struct imap *im;
	char err[512];

	if (mailbox_imap_open(e, &im, err, sizeof(err)) != IMAP_OK) {
		log_debug("imap: IDLE session: %s", err);
		return NULL;
	}
	if (!imap_idle_supported(im)) {
		log_info("imap: server has no IDLE; polling every %d s",
		    e->cfg->poll_interval);
		*no_idle = 1;
		imap_close(im);
		return NULL;
	}
	return im;
}

int
daemon_pass(struct escbot *e, int fetch)
{
	int rc = CLI_OK, r;

	if (fetch) {
		r = mailbox_pass(e);
		if (r == MAILBOX_TEMP)
			rc = CLI_UNREACHABLE;
		else if (r == MAILBOX_FINAL) {
			/* A refused login, certificate or revoked grant will not
			 * mend itself: tell the administrator, once a day. */
			rc = CLI_UNREACHABLE;
			if (casework_alert(e, "imap", e->last_error) == -1)
				log_warnx("alert: %s", store_error(e->store));
		}
	}
	if (casework_tick(e) == -1)
		rc = CLI_FATAL;
	if (digest_queue_due(e, e->themes) == -1)
		rc = CLI_FATAL;
	if (e->cfg->retention_months > 0) {
		/* Months as 30.44 days: a day either way does not matter for
		 * a retention period counted in months. */
		time_t before = escbot_now(e) -
		    (time_t)e->cfg->retention_months * 2630016;
		int n = store_purge_personal(e->store, before);

		if (n > 0)
			log_info("retention: personal fields of %d resolved case%s "
			    "purged", n, n == 1 ? "" : "s");
	}
	if (outbox_flush(e) == -1 && rc == CLI_OK)
		rc = CLI_UNREACHABLE;
	return rc;
}

/* SIGHUP: the new configuration, or the running one when it has errors. */
static void
daemon_reload(struct escbot *e, const char *config, struct imap **idle,
    int *no_idle)
{
	struct diag d = { 0, NULL };

	if (escbot_reload(e, config, &d) == -1) {
		log_warnx("reload: %s has %d error%s; keeping the running "
		    "configuration", config, d.errors, d.errors == 1 ? "" : "s");
		return;
	}
	log_info("reload: configuration, rules, directory and templates "
	    "re-read");
	imap_close(*idle);
	*idle = NULL;
	*no_idle = 0;
	worker_oauth_reset();
}

/* Until the next pass is due: in IDLE when there is a session, which new
 * mail, the interval or a signal ends; else asleep. */
static void
daemon_wait(struct escbot *e, struct imap **idle)
{
	time_t next = time(NULL) + e->cfg->poll_interval;
	char err[512];

	wake = 0;
	if (*idle != NULL && !quit && !reload) {
		if (imap_idle_wait(*idle, e->cfg->poll_interval, &wake, err,
		    sizeof(err)) >= 0)
			next = 0;
		else {
			/* The next pass reports an outage, once. */
			log_debug("imap: IDLE: %s; polling until it is back", err);
			imap_close(*idle);
			*idle = NULL;
		}
	}
	while (!quit && !reload && time(NULL) < next)
		sleep(1);
}

int
daemon_run(struct escbot *e, const struct cli_args *a)
{
	struct sigaction sa;
	struct imap *idle = NULL;
	int no_idle = 0;

	e->stop = &quit;
	/* run --once too stops after the message or email in hand. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (a->once)
		return daemon_pass(e, 1);
	log_info("escbot %s started; polling every %d s", ESCBOT_VERSION,
	    e->cfg->poll_interval);
	while (!quit) {
		/* Opened before the pass, so that mail arriving during it is
		 * reported to the first IDLE. */
		if (idle == NULL && !no_idle)
			idle = idle_open(e, &no_idle);
		/* Outages are logged where they are met, once each (ingest,
		 * outbox), so the return of a pass needs no report here. */
		(void)daemon_pass(e, 1);
		daemon_wait(e, &idle);
		if (reload) {
			reload = 0;
			daemon_reload(e, a->config, &idle, &no_idle);
		}
	}
	imap_close(idle);
	log_info("escbot stopping");
	return CLI_OK;
}

int
main(int argc, char *argv[])
{
	struct cli_args a;
	int rc;

	umask(077);
	if ((rc = cli_parse(argc, argv, &a)) != 0)
		return rc == 1 ? CLI_OK : CLI_USAGE;
	rc = cli_run(&a);
	worker_oauth_reset();
	return rc;
}
