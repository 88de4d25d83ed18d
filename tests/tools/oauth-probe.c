/*
 * oauth-probe: gets an OAuth 2.0 access token with bot/oauth.c and logs in
 * with it (XOAUTH2) through bot/imap.c or bot/smtp.c, independently of the
 * rest of escbot, for tests/integration/test_oauth.py and for an
 * administrator checking a Microsoft 365 set-up by hand.
 *
 *   oauth-probe OPTIONS token [N]
 *   oauth-probe OPTIONS imap HOST PORT TLS USER CAFILE FOLDER
 *   oauth-probe OPTIONS smtp URL USER CAFILE FROM RCPT MSGFILE
 *
 * OPTIONS: -u TOKEN_URL -c CLIENT_ID [-s SECRET_FILE] [-S SCOPE]
 * [-g client_credentials|refresh_token] [-r REFRESH_TOKEN_FILE]
 * [-C TOKEN_CACHE] [-a CA_FILE] [-t TIMEOUT].  `token` asks for a token N
 * times (default 1) in one process and prints "ok" each time; `imap` logs
 * in, lists the folder and prints "uidvalidity V" and the UIDs; `smtp`
 * sends MSGFILE and prints "sent".  IMAP goes through account_imap_xoauth2(),
 * as the daemon does: a token the server refuses is forgotten and a new one
 * tried once.  Tokens are never printed.  "-" for CAFILE means the system
 * trust store.  Exit status: 0 success, 1 temporary failure, 2 final
 * failure, 64 usage; the error is on stderr.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "imap.h"
#include "log.h"
#include "oauth.h"
#include "smtp.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: oauth-probe -u URL -c CLIENT_ID [-s SECRET_FILE] "
	    "[-S SCOPE] [-g GRANT] [-r REFRESH_FILE] [-C CACHE] [-a CA_FILE] "
	    "[-t TIMEOUT]\n"
	    "         token [N] | imap HOST PORT TLS USER CAFILE FOLDER |\n"
	    "         smtp URL USER CAFILE FROM RCPT MSGFILE\n");
	exit(64);
}

static const char *
opt_ca(const char *s)
{
	return strcmp(s, "-") == 0 ? "" : s;
}

static int
cmd_imap(const struct oauth_params *op, char **argv, char *err, size_t errlen)
{
	struct imap_params p;
	struct imap *im = NULL;
	uint32_t *uids = NULL;
	size_t n = 0, i;
	int rc;

	memset(&p, 0, sizeof(p));
	p.host = argv[0];
	p.port = atoi(argv[1]);
	if (strcmp(argv[2], "implicit") == 0)
		p.tls = IMAP_TLS_IMPLICIT;
	else if (strcmp(argv[2], "starttls") == 0)
		p.tls = IMAP_TLS_STARTTLS;
	else if (strcmp(argv[2], "none") == 0)
		p.tls = IMAP_TLS_NONE;
	else
		usage();
	p.user = argv[3];
	p.ca_file = opt_ca(argv[4]);
	p.folder = argv[5];
	p.timeout = 10;
	if ((rc = account_imap_xoauth2(&p, op, &im, err, errlen)) != IMAP_OK)
		goto done;
	if ((rc = imap_list_uids(im, 1, &uids, &n, err, errlen)) != IMAP_OK)
		goto done;
	printf("uidvalidity %" PRIu32 "\n", imap_uidvalidity(im));
	for (i = 0; i < n; i++)
		printf("%" PRIu32 "\n", uids[i]);
done:
	free(uids);
	imap_close(im);
	return rc;
}

static int
cmd_smtp(const struct oauth_params *op, char **argv, char *err, size_t errlen)
{
	struct smtp_params p;
	enum fail res;
	char *token = NULL, *msg = NULL;
	size_t len;
	int rc;

	if (file_read_all(argv[5], &msg, &len) == -1) {
		snprintf(err, errlen, "%s: cannot read", argv[5]);
		return OAUTH_ERR_FINAL;
	}
	if ((rc = oauth_token(op, time(NULL), &token, err, errlen)) !=
	    OAUTH_OK)
		goto done;
	memset(&p, 0, sizeof(p));
	p.url = argv[0];
	p.user = argv[1];
	p.ca_file = opt_ca(argv[2]);
	p.oauth_token = token;
	p.timeout = 10;
	smtp_global_init();
	res = smtp_send(&p, argv[3], argv[4], msg, len, err, errlen);
	smtp_global_cleanup();
	rc = res == FAIL_NONE ? 0 : FAIL_FOR_GOOD(res) ? OAUTH_ERR_FINAL :
	    OAUTH_ERR_TEMP;
	if (rc == 0)
		printf("sent\n");
done:
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	free(msg);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct oauth_params op;
	char err[1024] = "", *secret = NULL, *token = NULL;
	const char *cmd;
	int c, rc = 0, i, n;

	signal(SIGPIPE, SIG_IGN);
	log_init(getenv("OAUTH_PROBE_DEBUG") != NULL ? 1 : 0);
	memset(&op, 0, sizeof(op));
	op.timeout = 10;
	while ((c = getopt(argc, argv, "u:c:s:S:g:r:C:a:t:")) != -1) {
		switch (c) {
		case 'u': op.token_url = optarg; break;
		case 'c': op.client_id = optarg; break;
		case 's':
			if (file_read_all(optarg, &secret, NULL) == -1) {
				perror(optarg);
				return 64;
			}
			secret[strcspn(secret, "\r\n")] = '\0';
			op.client_secret = secret;
			break;
		case 'S': op.scope = optarg; break;
		case 'g':
			if (strcmp(optarg, "refresh_token") == 0)
				op.grant = OAUTH_GRANT_REFRESH_TOKEN;
			else if (strcmp(optarg, "client_credentials") == 0)
				op.grant = OAUTH_GRANT_CLIENT_CREDENTIALS;
			else
				usage();
			break;
		case 'r': op.refresh_token_file = optarg; break;
		case 'C': op.token_cache = optarg; break;
		case 'a': op.ca_file = opt_ca(optarg); break;
		case 't': op.timeout = atoi(optarg); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (strcmp(cmd, "token") == 0 && argc <= 2) {
		n = argc == 2 ? atoi(argv[1]) : 1;
		for (i = 0; i < n; i++) {
			if ((rc = oauth_token(&op, time(NULL), &token, err,
			    sizeof(err))) != OAUTH_OK)
				break;
			explicit_bzero(token, strlen(token));
			free(token);
			printf("ok\n");
		}
	} else if (strcmp(cmd, "imap") == 0 && argc == 7)
		rc = cmd_imap(&op, argv + 1, err, sizeof(err));
	else if (strcmp(cmd, "smtp") == 0 && argc == 7)
		rc = cmd_smtp(&op, argv + 1, err, sizeof(err));
	else
		usage();
	if (rc != 0)
		fprintf(stderr, "oauth-probe: %s failure: %s\n",
		    rc == OAUTH_ERR_FINAL ? "final" : "temporary", err);
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	oauth_reset();
	return rc == 0 ? 0 : rc == OAUTH_ERR_FINAL ? 2 : 1;
}
