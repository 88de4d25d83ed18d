/*
 * test_cli: the option parser against argument vectors it must accept
 * (and what it makes of them) and vectors it must refuse.  Only
 * cli_parse() runs: nothing is loaded, so the daemon's two functions,
 * which the program itself defines (main.c), are stubs here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "unit.h"

#define MAXARGS	16

int
daemon_run(struct escbot *e, const struct cli_args *a)
{
	(void)e;
	(void)a;
	return CLI_FATAL;
}

int
daemon_pass(struct escbot *e, int fetch)
{
	(void)e;
	(void)fetch;
	return CLI_FATAL;
}

/* cli_parse on a copy of `v` (getopt permutes argv), NULL-terminated,
 * "escbot" prepended.  Refusals print on stderr: that is expected. */
static int
parse(const char *const *v, struct cli_args *a)
{
	static char words[MAXARGS][128];
	char *argv[MAXARGS + 2];
	int argc = 0;

	argv[argc++] = (char *)"escbot";
	for (; *v != NULL; v++, argc++) {
		assert_true(argc <= MAXARGS);
		assert_true(strlen(*v) < sizeof(words[0]));
		strcpy(words[argc - 1], *v);
		argv[argc] = words[argc - 1];
	}
	argv[argc] = NULL;
	return cli_parse(argc, argv, a);
}

struct accepted {
	const char	*argv[MAXARGS];
	const char	*command;
	const char	*config;
	const char	*ref;
	const char	*reason;
};

static const struct accepted accepted[] = {
	{ { "cases", NULL }, "cases", "etc/escbot.conf", NULL, NULL },
	{ { "-c", "x.conf", "cases", "--json", NULL }, "cases", "x.conf", NULL,
	    NULL },
	{ { "--config=y.conf", "tick", NULL }, "tick", "y.conf", NULL, NULL },
	{ { "cases", "-c", "z.conf", NULL }, "cases", "z.conf", NULL, NULL },
	{ { "check-config", NULL }, "check-config", "etc/escbot.conf", NULL,
	    NULL },
	{ { "help", NULL }, "help", "etc/escbot.conf", NULL, NULL },
	{ { "run", "--once", NULL }, "run", "etc/escbot.conf", NULL, NULL },
	{ { "case", "TW-2026-0001", "--json", NULL }, "case", "etc/escbot.conf",
	    "TW-2026-0001", NULL },
	{ { "case", "--json", "TW-2026-0001", NULL }, "case", "etc/escbot.conf",
	    "TW-2026-0001", NULL },
	{ { "resend", "42", NULL }, "resend", "etc/escbot.conf", "42", NULL },
	{ { "outbox", "--all", "--json", NULL }, "outbox", "etc/escbot.conf",
	    NULL, NULL },
	{ { "pause", "R-1", "--reason", "lead on leave", NULL }, "pause",
	    "etc/escbot.conf", "R-1", "lead on leave" },
	{ { "resume", "R-1", NULL }, "resume", "etc/escbot.conf", "R-1", NULL },
	{ { "escalate", "--reason", "no answer", "R-1", NULL }, "escalate",
	    "etc/escbot.conf", "R-1", "no answer" },
	{ { "extend", "R-1", "--days", "2", "--reason", "x", NULL }, "extend",
	    "etc/escbot.conf", "R-1", "x" },
	{ { "resolve", "--level", "3", "R-1", "--note", "agreed", NULL },
	    "resolve", "etc/escbot.conf", "R-1", "agreed" },
	/* --reason is accepted for --note (escbot(8)) */
	{ { "resolve", "R-1", "--reason", "agreed", NULL }, "resolve",
	    "etc/escbot.conf", "R-1", "agreed" },
	{ { "digest", "--preview", "--period", "half-year", "--html", "d.html",
	    "--csv", "d.csv", NULL }, "digest", "etc/escbot.conf", NULL, NULL },
	{ { "-v", "-q", "-v", "digest", NULL }, "digest", "etc/escbot.conf",
	    NULL, NULL },
};

static void
test_accepted(void **state)
{
	struct cli_args a;

	(void)state;
	/* The table's default; test_config_default has the built-in one. */
	setenv("ESCBOT_CONFIG", "etc/escbot.conf", 1);
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		const struct accepted *t = &accepted[i];

		print_message("accepted %zu: %s\n", i, t->argv[0]);
		assert_int_equal(parse(t->argv, &a), 0);
		assert_string_equal(a.command, t->command);
		assert_string_equal(a.config, t->config);
		if (t->ref)
			assert_string_equal(a.ref, t->ref);
		else
			assert_null(a.ref);
		if (t->reason)
			assert_string_equal(a.reason, t->reason);
		else
			assert_null(a.reason);
	}
}

/* -c, else $ESCBOT_CONFIG (when not empty), else the built-in file. */
static void
test_config_default(void **state)
{
	static const char *const plain[] = { "cases", NULL };
	static const char *const given[] = { "-c", "x.conf", "cases", NULL };
	struct cli_args a;
	const char *tail = "/etc/escbot/escbot.conf";

	(void)state;
	unsetenv("ESCBOT_CONFIG");
	assert_int_equal(parse(plain, &a), 0);
	assert_true(strlen(a.config) > strlen(tail));
	assert_string_equal(a.config + strlen(a.config) - strlen(tail), tail);
	assert_int_equal(a.config_default, 1);
	setenv("ESCBOT_CONFIG", "", 1);
	assert_int_equal(parse(plain, &a), 0);
	assert_int_equal(a.config_default, 1);
	setenv("ESCBOT_CONFIG", "/srv/escbot.conf", 1);
	assert_int_equal(parse(plain, &a), 0);
	assert_string_equal(a.config, "/srv/escbot.conf");
	assert_int_equal(a.config_default, 0);
	assert_int_equal(parse(given, &a), 0);
	assert_string_equal(a.config, "x.conf");
	unsetenv("ESCBOT_CONFIG");
}

/* What the values become. */
static void
test_values(void **state)
{
	static const char *const v1[] = { "--now", "2026-12-01T09:00:00Z", "-v",
	    "-v", "cases", "--all", "--overdue", "--protocol", "twsp",
	    "--agency", "west-mercia", "--stage", "3", "-q", NULL };
	static const char *const v2[] = { "run", "--since", "2026-01-31",
	    "--once", NULL };
	static const char *const v3[] = { "digest", "--period", "quarter",
	    "--preview", NULL };
	static const char *const v4[] = { "resolve", "R", "--note", "n",
	    "--level", "2", NULL };
	static const char *const v5[] = { "extend", "R", "--reason", "r",
	    "--days", "10", NULL };
	struct cli_args a;

	(void)state;
	assert_int_equal(parse(v1, &a), 0);
	assert_true(a.now_fixed == unit_utc(2026, 12, 1, 9, 0, 0));
	assert_int_equal(a.verbose, 1);
	assert_int_equal(a.all, 1);
	assert_int_equal(a.json, 0);
	assert_int_equal(a.filter.overdue, 1);
	assert_string_equal(a.filter.protocol, "twsp");
	assert_string_equal(a.filter.agency, "west-mercia");
	assert_int_equal(a.filter.stage, 3);

	assert_int_equal(parse(v2, &a), 0);
	assert_int_equal(a.once, 1);
	assert_true(a.since == unit_utc(2026, 1, 31, 0, 0, 0));	/* GMT */
	assert_true(a.now_fixed == 0);

	assert_int_equal(parse(v3, &a), 0);
	assert_int_equal(a.preview, 1);
	assert_int_equal(a.period, DIGEST_QUARTER);

	assert_int_equal(parse(v4, &a), 0);
	assert_int_equal(a.level, 2);
	assert_int_equal(parse(v5, &a), 0);
	assert_int_equal(a.days, 10);
}

/* --help and --version answer by themselves, before or after a command. */
static void
test_answered(void **state)
{
	static const char *const v[][3] = {
		{ "--help", NULL, NULL }, { "-h", NULL, NULL },
		{ "--version", NULL, NULL }, { "cases", "--help", NULL },
		{ "pause", "-h", NULL },
	};
	struct cli_args a;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(parse(v[i], &a), 1);
}

static const char *const refused[][MAXARGS] = {
	{ NULL },				/* no command */
	{ "frobnicate", NULL },
	{ "-v", NULL },
	{ "-c", NULL },				/* -c without its file */
	{ "--json", "cases", NULL },		/* a command's option, before it */
	{ "--bogus", "cases", NULL },
	{ "cases", "--bogus", NULL },
	{ "cases", "--reason", "x", NULL },	/* another command's option */
	{ "pause", "R", "--note", "x", NULL },	/* --note is resolve's */
	{ "tick", "--once", NULL },
	{ "cases", "extra", NULL },		/* no argument taken */
	{ "case", NULL },			/* its reference missing */
	{ "case", "A", "B", NULL },
	{ "resend", NULL },
	{ "pause", "--reason", "x", NULL },
	{ "pause", "R", NULL },			/* no reason */
	{ "pause", "R", "--reason", "", NULL },
	{ "escalate", "R", NULL },
	{ "resolve", "R", "--level", "2", NULL },
	{ "resolve", "R", "--note", NULL },	/* --note without its text */
	{ "extend", "R", "--reason", "x", NULL },
	{ "extend", "R", "--days", "0", "--reason", "x", NULL },
	{ "extend", "R", "--days", "2x", "--reason", "x", NULL },
	{ "extend", "R", "--days", "99999999999", "--reason", "x", NULL },
	{ "cases", "--stage", "-1", NULL },
	{ "cases", "--stage", "", NULL },
	{ "resolve", "R", "--note", "n", "--level", "two", NULL },
	{ "--now", "tomorrow", "cases", NULL },
	{ "cases", "--now", "2026-13-01T00:00:00Z", NULL },
	{ "run", "--since", "last week", NULL },
	{ "digest", "--period", "month", NULL },
	{ "digest", "--period", NULL },
};

static void
test_refused(void **state)
{
	struct cli_args a;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		print_message("refused %zu: %s %s\n", i,
		    refused[i][0] ? refused[i][0] : "",
		    refused[i][0] && refused[i][1] ? refused[i][1] : "");
		assert_int_equal(parse(refused[i], &a), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_config_default),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_answered),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
