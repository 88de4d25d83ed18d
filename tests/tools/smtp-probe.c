/*
 * smtp-probe: drives bot/smtp.c from the command line for the integration
 * tests (tests/integration/test_smtp.py), so that every case is checked
 * through the same smtp_send() the daemon uses.  It sends one message file
 * to one recipient and prints "sent: ", or "tempfail (REACH): " or
 * "permfail (REACH): " with how far the failure reaches (fail.h: temp,
 * rcpt, msg, server, auth, sender) and the error text; its exit status is the
 * retry class (0 sent, 1 temporary, 2 permanent), 64 for a usage error.  "-" or "" stands for "not set" in
 * USER, PASSFILE and CAFILE.  The password is read from a file so that it
 * never shows in a process listing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp.h"
#include "util.h"

static const char *
opt_arg(const char *s)
{
	return (s[0] == '\0' || strcmp(s, "-") == 0) ? NULL : s;
}

int
main(int argc, char **argv)
{
	struct smtp_params p = { 0 };
	static const char *const reach[] = { "none", "temp", "rcpt", "msg",
	    "server", "auth", "sender" };
	enum fail res;
	char err[1024];
	char *password = NULL, *msg = NULL;
	size_t len;
	int status = 64;

	if (argc < 9 || argc > 10) {
		fprintf(stderr, "usage: smtp-probe URL USER PASSFILE CAFILE "
		    "STARTTLS(0|1) FROM RCPT MSGFILE [TIMEOUT]\n");
		return 64;
	}
	log_init(getenv("SMTP_PROBE_DEBUG") ? 1 : 0);
	p.url = argv[1];
	p.user = opt_arg(argv[2]);
	if (opt_arg(argv[3]) != NULL) {
		if (file_read_all(argv[3], &password, NULL) == -1) {
			log_warn("%s", argv[3]);
			goto fail;
		}
		password[strcspn(password, "\r\n")] = '\0';
	}
	p.password = password;
	p.ca_file = opt_arg(argv[4]);
	p.starttls = atoi(argv[5]) != 0;
	p.timeout = argc == 10 ? atoi(argv[9]) : 10;
	if (file_read_all(argv[8], &msg, &len) == -1) {
		log_warn("%s", argv[8]);
		goto fail;
	}

	smtp_global_init();
	res = smtp_send(&p, argv[6], argv[7], msg, len, err, sizeof(err));
	smtp_global_cleanup();
	status = res == FAIL_NONE ? 0 : FAIL_FOR_GOOD(res) ? 2 : 1;
	if (status == 0)
		printf("sent: %s\n", err);
	else
		printf("%s (%s): %s\n", status == 1 ? "tempfail" : "permfail",
		    reach[res], err);
fail:
	free(password);
	free(msg);
	return status;
}
