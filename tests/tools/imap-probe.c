/*
 * imap-probe: drives bot/imap.c from the command line for the integration
 * tests (tests/integration/test_imap.py) and for an administrator checking
 * a mailbox by hand.
 *
 *   imap-probe HOST PORT TLS USER PASSFILE CAFILE FOLDER list [MIN_UID]
 *   imap-probe HOST PORT TLS USER PASSFILE CAFILE FOLDER fetch UID
 *   imap-probe HOST PORT TLS USER PASSFILE CAFILE FOLDER move UID TARGET
 *   imap-probe HOST PORT TLS USER PASSFILE CAFILE FOLDER append FILE [TARGET]
 *
 * TLS is implicit, starttls or none; CAFILE "" or "-" means the system
 * trust store; PASSFILE holds the password (one trailing newline is
 * dropped).  `list` prints UIDVALIDITY then one UID a line; `fetch` writes
 * the raw message to stdout.  Exit status: 0 success, 1 temporary failure,
 * 2 final failure (or usage), with the error on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"
#include "log.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: imap-probe HOST PORT implicit|starttls|none "
	    "USER PASSFILE CAFILE FOLDER\n"
	    "           list [MIN_UID] | fetch UID | move UID TARGET | "
	    "append FILE [TARGET]\n"
	    "           fetch-many MAX_BYTES UID...\n");
	exit(2);
}

static uint32_t
parse_uid(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v > UINT32_MAX)
		usage();
	return (uint32_t)v;
}

static int
exit_code(int rc)
{
	return rc == IMAP_OK ? 0 : rc == IMAP_ERR_FINAL ? 2 : 1;
}

int
main(int argc, char *argv[])
{
	struct imap_params p;
	struct imap *im = NULL;
	char err[512] = "", *pass = NULL, *raw = NULL;
	const char *cmd, *tls;
	uint32_t *uids = NULL;
	size_t n = 0, len = 0, i;
	int rc;

	if (argc < 9)
		usage();
	signal(SIGPIPE, SIG_IGN);
	log_init(getenv("IMAP_PROBE_DEBUG") != NULL ? 1 : -1);

	memset(&p, 0, sizeof(p));
	p.host = argv[1];
	p.port = atoi(argv[2]);
	tls = argv[3];
	if (strcmp(tls, "implicit") == 0)
		p.tls = IMAP_TLS_IMPLICIT;
	else if (strcmp(tls, "starttls") == 0)
		p.tls = IMAP_TLS_STARTTLS;
	else if (strcmp(tls, "none") == 0)
		p.tls = IMAP_TLS_NONE;
	else
		usage();
	p.user = argv[4];
	if (file_read_all(argv[5], &pass, &len) == -1) {
		fprintf(stderr, "imap-probe: %s: %s\n", argv[5],
		    strerror(errno));
		return 2;
	}
	if (len > 0 && pass[len - 1] == '\n')
		pass[--len] = '\0';
	if (len > 0 && pass[len - 1] == '\r')
		pass[--len] = '\0';
	p.password = pass;
	p.ca_file = strcmp(argv[6], "-") == 0 ? "" : argv[6];
	p.folder = argv[7];
	p.timeout = getenv("IMAP_PROBE_TIMEOUT") != NULL ?
	    atoi(getenv("IMAP_PROBE_TIMEOUT")) : 10;
	cmd = argv[8];

	if (strcmp(cmd, "list") == 0) {
		if (argc > 10)
			usage();
	} else if (strcmp(cmd, "fetch") == 0) {
		if (argc != 10)
			usage();
	} else if (strcmp(cmd, "fetch-many") == 0) {
		if (argc < 11)
			usage();
	} else if (strcmp(cmd, "move") == 0) {
		if (argc != 11)
			usage();
	} else if (strcmp(cmd, "append") == 0) {
		if (argc != 10 && argc != 11)
			usage();
		if (file_read_all(argv[9], &raw, &len) == -1) {
			fprintf(stderr, "imap-probe: %s: %s\n", argv[9],
			    strerror(errno));
			return 2;
		}
	} else
		usage();

	rc = imap_open(&p, &im, err, sizeof(err));
	if (rc != IMAP_OK)
		goto done;
	if (strcmp(cmd, "list") == 0) {
		rc = imap_list_uids(im, argc == 10 ? parse_uid(argv[9]) : 1,
		    &uids, &n, err, sizeof(err));
		if (rc == IMAP_OK) {
			printf("uidvalidity %" PRIu32 "\n",
			    imap_uidvalidity(im));
			for (i = 0; i < n; i++)
				printf("%" PRIu32 "\n", uids[i]);
		}
	} else if (strcmp(cmd, "fetch") == 0) {
		rc = imap_fetch(im, parse_uid(argv[9]), &raw, &len, err,
		    sizeof(err));
		if (rc == IMAP_OK)
			fwrite(raw, 1, len, stdout);
	} else if (strcmp(cmd, "fetch-many") == 0) {
		/* Prints "UID LENGTH" (or "UID gone") for each message
		 * fetched, then "got K". */
		struct imap_msg *msgs;
		size_t k, got;

		n = (size_t)(argc - 10);
		uids = xcalloc(n, sizeof(*uids));
		msgs = xcalloc(n, sizeof(*msgs));
		for (k = 0; k < n; k++)
			uids[k] = parse_uid(argv[10 + k]);
		rc = imap_fetch_many(im, uids, n, parse_uid(argv[9]), msgs,
		    &got, err, sizeof(err));
		for (k = 0; rc == IMAP_OK && k < got; k++) {
			if (msgs[k].raw == NULL)
				printf("%" PRIu32 " gone\n", msgs[k].uid);
			else
				printf("%" PRIu32 " %zu\n", msgs[k].uid,
				    msgs[k].len);
			free(msgs[k].raw);
		}
		if (rc == IMAP_OK)
			printf("got %zu\n", got);
		free(msgs);
	} else if (strcmp(cmd, "move") == 0)
		rc = imap_move(im, parse_uid(argv[9]), argv[10], err,
		    sizeof(err));
	else
		rc = imap_append(im, argc == 11 ? argv[10] : p.folder, raw,
		    len, err, sizeof(err));
done:
	if (rc != IMAP_OK)
		fprintf(stderr, "imap-probe: %s failure: %s\n",
		    rc == IMAP_ERR_FINAL ? "final" : "temporary", err);
	imap_close(im);
	free(uids);
	free(raw);
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		free(pass);
	}
	return exit_code(rc);
}
