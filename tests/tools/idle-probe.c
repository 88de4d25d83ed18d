/*
 * idle-probe: drives imap_idle_wait() of bot/imap.c from the command line
 * for tests/integration/test_idle.py.  It logs in (LOGIN with the password
 * of PASSFILE), selects FOLDER, prints "ready", and then waits in IDLE up to
 * COUNT times (default 1) for at most SECONDS each, printing one line per
 * wait: "new" (the server reported new mail), "timeout", or "stopped" (a
 * SIGTERM or SIGINT arrived; it then exits 0).  $IDLE_PROBE_DELAY seconds
 * are slept between "ready" and the first wait, so that a test can deliver
 * mail before the IDLE starts.
 *
 *   idle-probe HOST PORT TLS USER PASSFILE CAFILE FOLDER SECONDS [COUNT]
 *
 * TLS is implicit, starttls or none; CAFILE "-" means the system trust
 * store.  Exit status: 0 success, 1 temporary failure (connection lost),
 * 2 final failure or usage, with the error on stderr.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap.h"
#include "log.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: idle-probe HOST PORT implicit|starttls|none "
	    "USER PASSFILE CAFILE FOLDER SECONDS [COUNT]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct imap_params p;
	struct imap *im = NULL;
	struct sigaction sa;
	char err[512] = "", *pass = NULL;
	size_t len = 0;
	int rc = IMAP_OK, seconds, count, i, r;

	if (argc != 9 && argc != 10)
		usage();
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_init(getenv("IDLE_PROBE_DEBUG") != NULL ? 1 : -1);

	memset(&p, 0, sizeof(p));
	p.host = argv[1];
	p.port = atoi(argv[2]);
	if (strcmp(argv[3], "implicit") == 0)
		p.tls = IMAP_TLS_IMPLICIT;
	else if (strcmp(argv[3], "starttls") == 0)
		p.tls = IMAP_TLS_STARTTLS;
	else if (strcmp(argv[3], "none") == 0)
		p.tls = IMAP_TLS_NONE;
	else
		usage();
	p.user = argv[4];
	if (file_read_all(argv[5], &pass, &len) == -1) {
		perror(argv[5]);
		return 2;
	}
	pass[strcspn(pass, "\r\n")] = '\0';
	p.password = pass;
	p.ca_file = strcmp(argv[6], "-") == 0 ? "" : argv[6];
	p.folder = argv[7];
	p.timeout = 10;
	seconds = atoi(argv[8]);
	count = argc == 10 ? atoi(argv[9]) : 1;
	if (seconds <= 0 || count <= 0)
		usage();

	if ((rc = imap_open(&p, &im, err, sizeof(err))) != IMAP_OK)
		goto done;
	if (!imap_idle_supported(im)) {
		rc = IMAP_ERR_FINAL;
		snprintf(err, sizeof(err), "server has no IDLE");
		goto done;
	}
	printf("ready\n");
	fflush(stdout);
	if (getenv("IDLE_PROBE_DELAY") != NULL)
		sleep((unsigned)atoi(getenv("IDLE_PROBE_DELAY")));
	for (i = 0; i < count && !stop; i++) {
		r = imap_idle_wait(im, seconds, &stop, err, sizeof(err));
		if (r < 0) {
			rc = r;
			goto done;
		}
		printf("%s\n", r == 1 ? "new" : stop ? "stopped" : "timeout");
		fflush(stdout);
	}
	rc = IMAP_OK;
done:
	if (rc != IMAP_OK)
		fprintf(stderr, "idle-probe: %s failure: %s\n",
		    rc == IMAP_ERR_FINAL ? "final" : "temporary", err);
	imap_close(im);
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		free(pass);
	}
	return rc == IMAP_OK ? 0 : rc == IMAP_ERR_FINAL ? 2 : 1;
}
