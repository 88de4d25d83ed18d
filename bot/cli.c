/*
 * cli: two tables drive the command line.  options[] says, for each
 * option, its names, what its value must be and where it goes in struct
 * cli_args; commands[] says which options each command takes.  getopt
 * reads argv against the options the command takes, so the same value
 * is checked the same way for every command, and usage is written from
 * the same tables, so it cannot drift from what is accepted.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "account.h"
#include "casework.h"
#include "cli.h"
#include "log.h"
#include "outbox.h"
#include "util.h"
#include "worker.h"
#include "store.h"
#include "escbot.h"
#include "engine.h"
#include "calendar.h"
#include "config.h"
#include "rules.h"
#include "directory.h"
#include "diag.h"

#ifndef ESCBOT_CONFIG_FILE	/* the Makefile's, from PREFIX */
#define ESCBOT_CONFIG_FILE	"/usr/local/etc/escbot/escbot.conf"
#endif

enum arg_kind {
	ARG_FLAG,	/* no value: the int field becomes 1 */
	ARG_MORE,	/* no value: the int field goes up one */
	ARG_LESS,	/* ... or down */
	ARG_STRING,
	ARG_NUMBER,	/* a whole number from 0 */
	ARG_TIME,	/* ISO 8601, into a time_t */
	ARG_PERIOD,	/* week, quarter, half-year or year */
	ARG_HELP,	/* answered at once */
	ARG_VERSION
};

/* Options, in the order usage lists them. */
enum {
	O_CONFIG, O_NOW, O_VERBOSE, O_QUIET, O_HELP, O_VERSION,
	O_ONCE, O_SINCE, O_ALL, O_JSON, O_OVERDUE, O_PROTOCOL, O_AGENCY,
	O_STAGE, O_DAYS, O_LEVEL, O_REASON, O_NOTE, O_PREVIEW, O_PERIOD,
	O_HTML, O_CSV, O_CONNECT, O_FROM, O_TO, O_CURRENT, O_COUNT
};

#define B(o)	(1u << O_##o)
#define GLOBAL	(B(CONFIG) | B(NOW) | B(VERBOSE) | B(QUIET) | B(HELP) | \
		 B(VERSION))
#define OPTVAL(i) (256 + (i))	/* getopt's value for a long option */

struct cli_option {
	const char	*name;		/* --name, or NULL */
	const char	*alias;		/* another --name for it, or NULL */
	int		 letter;	/* -x, or 0 */
	enum arg_kind	 kind;
	size_t		 field;		/* in struct cli_args */
	const char	*value;		/* its value in usage ("FILE") */
	const char	*bad;		/* why a value is refused */
	const char	*needed;	/* "needs ..." when a command must have it */
};

#define AT(f)	offsetof(struct cli_args, f)

static const struct cli_option options[O_COUNT] = {
	[O_CONFIG] = { "config", NULL, 'c', ARG_STRING, AT(config), "FILE",
	    NULL, NULL },
	[O_NOW] = { "now", NULL, 0, ARG_TIME, AT(now_fixed), "TIME",
	    "not an ISO 8601 time like 2026-12-01T09:00:00Z", NULL },
	[O_VERBOSE] = { NULL, NULL, 'v', ARG_MORE, AT(verbose), NULL, NULL,
	    NULL },
	[O_QUIET] = { NULL, NULL, 'q', ARG_LESS, AT(verbose), NULL, NULL, NULL },
	[O_HELP] = { "help", NULL, 'h', ARG_HELP, 0, NULL, NULL, NULL },
	[O_VERSION] = { "version", NULL, 0, ARG_VERSION, 0, NULL, NULL, NULL },
	[O_ONCE] = { "once", NULL, 0, ARG_FLAG, AT(once), NULL, NULL, NULL },
	[O_SINCE] = { "since", NULL, 0, ARG_TIME, AT(since), "DATE",
	    "not a date like 2026-01-31", NULL },
	[O_ALL] = { "all", NULL, 0, ARG_FLAG, AT(all), NULL, NULL, NULL },
	[O_JSON] = { "json", NULL, 0, ARG_FLAG, AT(json), NULL, NULL, NULL },
	[O_OVERDUE] = { "overdue", NULL, 0, ARG_FLAG, AT(filter.overdue), NULL,
	    NULL, NULL },
	[O_PROTOCOL] = { "protocol", NULL, 0, ARG_STRING, AT(filter.protocol),
	    "P", NULL, NULL },
	[O_AGENCY] = { "agency", NULL, 0, ARG_STRING, AT(filter.agency), "ID",
	    NULL, NULL },
	[O_STAGE] = { "stage", NULL, 0, ARG_NUMBER, AT(filter.stage), "N",
	    "not a stage number", NULL },
	[O_DAYS] = { "days", NULL, 0, ARG_NUMBER, AT(days), "N",
	    "not a number of days", "--days N" },
	[O_LEVEL] = { "level", NULL, 0, ARG_NUMBER, AT(level), "N",
	    "not a level number", NULL },
	[O_REASON] = { "reason", NULL, 0, ARG_STRING, AT(reason), "T", NULL,
	    "--reason: the protocol asks that it is recorded why" },
	[O_NOTE] = { "note", "reason", 0, ARG_STRING, AT(reason), "T", NULL,
	    "--note" },
	[O_PREVIEW] = { "preview", NULL, 0, ARG_FLAG, AT(preview), NULL, NULL,
	    NULL },
	[O_PERIOD] = { "period", NULL, 0, ARG_PERIOD, AT(period),
	    "week|quarter|half-year|year",
	    "not week, quarter, half-year or year", NULL },
	[O_HTML] = { "html", NULL, 0, ARG_STRING, AT(html), "FILE", NULL, NULL },
	[O_CSV] = { "csv", NULL, 0, ARG_STRING, AT(csv), "FILE", NULL, NULL },
	[O_CONNECT] = { "connect", NULL, 0, ARG_FLAG, AT(connect), NULL, NULL,
	    NULL },
	[O_FROM] = { "from", NULL, 0, ARG_TIME, AT(from), "DATE",
	    "not a date like 2026-04-01", NULL },
	[O_TO] = { "to", NULL, 0, ARG_TIME, AT(to), "DATE",
	    "not a date like 2026-06-30", NULL },
	[O_CURRENT] = { "current", NULL, 0, ARG_FLAG, AT(current), NULL, NULL,
	    NULL },
};

enum load {
	LOAD_NOTHING,	/* not even the configuration */
	LOAD_CONFIG,	/* the configuration, checked */
	LOAD_STORE	/* and the database, with the command's lock */
};

typedef int (*cli_handler)(struct escbot *, const struct cli_args *);

struct cli_command {
	const char	*name;
	cli_handler	 run;
	enum load	 load;
	/* Only what sends mail or fetches it needs to be alone: reading the
	 * database, and commands recorded for the daemon to send, do not.
	 * --preview sends nothing, so it needs no lock either. */
	enum escbot_lock lock;
	unsigned	 takes;		/* B(option) it takes after it ... */
	unsigned	 required;	/* ... and those it cannot do without */
	const char	*arg;		/* its argument in usage, or NULL */
	const char	*role;		/* one line; NULL: not in usage */
	enum engine_cmd	 act;		/* case commands: which */
};

static int cmd_help(struct escbot *, const struct cli_args *);
static int cmd_check_config(struct escbot *, const struct cli_args *);
static int cmd_cases(struct escbot *, const struct cli_args *);
static int cmd_case(struct escbot *, const struct cli_args *);
static int cmd_tick(struct escbot *, const struct cli_args *);
static int cmd_outbox(struct escbot *, const struct cli_args *);
static int cmd_resend(struct escbot *, const struct cli_args *);
static int cmd_digest(struct escbot *, const struct cli_args *);
static int cmd_casework(struct escbot *, const struct cli_args *);

static const struct cli_command commands[] = {
	{ "run", daemon_run, LOAD_STORE, LOCK_NEED, B(ONCE) | B(SINCE), 0,
	    NULL, "poll the mailbox, process, tick, send", 0 },
	{ "check-config", cmd_check_config, LOAD_CONFIG, LOCK_NONE, B(CONNECT),
	    0, NULL, "check it all (--connect: log in to IMAP, SMTP too)", 0 },
	{ "cases", cmd_cases, LOAD_STORE, LOCK_NONE, B(ALL) | B(JSON) |
	    B(OVERDUE) | B(PROTOCOL) | B(AGENCY) | B(STAGE), 0,
	    NULL, "list open cases (all with --all)", 0 },
	{ "case", cmd_case, LOAD_STORE, LOCK_NONE, B(JSON), 0,
	    "REF", "one case: answers, forms received, timeline, actions, emails",
	    0 },
	{ "tick", cmd_tick, LOAD_STORE, LOCK_NEED, 0, 0,
	    NULL, "deadlines, reports, retention and outbox, no fetch", 0 },
	{ "outbox", cmd_outbox, LOAD_STORE, LOCK_NONE, B(ALL) | B(JSON), 0,
	    NULL, "emails pending or failed, with the error", 0 },
	{ "resend", cmd_resend, LOAD_STORE, LOCK_NEED, 0, 0,
	    "ID|REF", "send failed emails again", 0 },
	{ "digest", cmd_digest, LOAD_STORE, LOCK_NEED, B(PREVIEW) | B(PERIOD) |
	    B(CURRENT) | B(FROM) | B(TO) | B(PROTOCOL) | B(HTML) | B(CSV), 0,
	    NULL, "send each protocol's report to its board (--preview: "
	    "print it, send nothing)", 0 },
	{ "pause", cmd_casework, LOAD_STORE, LOCK_TRY, B(REASON), B(REASON),
	    "REF", "stop a case's clock", CMD_PAUSE },
	{ "resume", cmd_casework, LOAD_STORE, LOCK_TRY, 0, 0,
	    "REF", "restart it with the time that was left", CMD_RESUME },
	{ "extend", cmd_casework, LOAD_STORE, LOCK_TRY, B(DAYS) | B(REASON),
	    B(DAYS) | B(REASON),
	    "REF", "move the stage's deadline N working days later", CMD_EXTEND },
	{ "timescale", cmd_casework, LOAD_STORE, LOCK_TRY, B(DAYS) | B(REASON),
	    B(DAYS) | B(REASON),
	    "REF", "set the stage's timescale: N working days from its start",
	    CMD_TIMESCALE },
	{ "escalate", cmd_casework, LOAD_STORE, LOCK_TRY, B(REASON), B(REASON),
	    "REF", "move the case to its next stage now", CMD_ESCALATE },
	{ "resolve", cmd_casework, LOAD_STORE, LOCK_TRY, B(LEVEL) | B(NOTE),
	    B(NOTE),
	    "REF", "close the case (at its stage, or --level N)", CMD_RESOLVE },
	{ "help", cmd_help, LOAD_NOTHING, LOCK_NONE, 0, 0, NULL, NULL, 0 },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* --- usage ---------------------------------------------------------- */

static void
synopsis(struct strbuf *sb, const struct cli_command *c)
{
	sb_adds(sb, c->name);
	if (c->arg)
		sb_addf(sb, " %s", c->arg);
	for (int i = 0; i < O_COUNT; i++) {
		const struct cli_option *o = &options[i];
		int req = (c->required & (1u << i)) != 0;

		if (!(c->takes & (1u << i)))
			continue;
		sb_addf(sb, " %s--%s%s%s%s", req ? "" : "[", o->name,
		    o->value ? " " : "", o->value ? o->value : "", req ? "" : "]");
	}
}

void
cli_usage(FILE *fp)
{
	struct strbuf sb = { 0 };

	fprintf(fp, "usage: escbot [-c FILE] [--now TIME] [-v|-q] COMMAND [ARGS]\n"
	    "\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (commands[i].role == NULL)
			continue;
		synopsis(&sb, &commands[i]);
		if (sb.len <= 22)
			fprintf(fp, "  %-22s %s\n", sb.buf, commands[i].role);
		else
			fprintf(fp, "  %s\n%25s%s\n", sb.buf, "", commands[i].role);
		sb_reset(&sb);
	}
	fprintf(fp,
	    "\n"
	    "options:\n"
	    "  -c FILE      configuration (default $ESCBOT_CONFIG, else\n"
	    "               " ESCBOT_CONFIG_FILE ")\n"
	    "  --now TIME   act as if it were TIME (ISO 8601)\n"
	    "  -v           debug lines in the log too\n"
	    "  -q           warnings and errors only in the log\n"
	    "  -h, --help   this, and exit\n"
	    "  --version    escbot's version, and exit\n"
	    "\n"
	    "exit status: 0 success, 1 bad configuration or usage, 2 fatal error,\n"
	    "3 mailbox or server unreachable, 4 no such case or command refused\n");
}

static void
short_usage(void)
{
	fprintf(stderr, "usage: escbot [-c FILE] [--now TIME] [-v|-q] COMMAND "
	    "[ARGS]  (escbot --help lists the commands)\n");
}

static void
command_usage(const struct cli_command *c)
{
	struct strbuf sb = { 0 };

	synopsis(&sb, c);
	fprintf(stderr, "usage: escbot [-c FILE] [--now TIME] [-v|-q] %s\n", sb.buf);
	sb_reset(&sb);
}

/* --- parsing -------------------------------------------------------- */

static int
takes_value(const struct cli_option *o)
{
	return o->kind == ARG_STRING || o->kind == ARG_NUMBER ||
	    o->kind == ARG_TIME || o->kind == ARG_PERIOD;
}

/* getopt's tables for the options in `mask`. */
static void
getopt_tables(unsigned mask, const char *prefix, struct option *lo,
    char *shorts, size_t slen)
{
	size_t n = 0, k;

	k = (size_t)snprintf(shorts, slen, "%s:", prefix);	/* ':' for a
								   missing value */
	for (int i = 0; i < O_COUNT; i++) {
		const struct cli_option *o = &options[i];
		int has = takes_value(o) ? required_argument : no_argument;

		if (!(mask & (1u << i)))
			continue;
		if (o->name)
			lo[n++] = (struct option){ o->name, has, NULL, OPTVAL(i) };
		if (o->alias)
			lo[n++] = (struct option){ o->alias, has, NULL, OPTVAL(i) };
		if (o->letter && k + 2 < slen) {
			shorts[k++] = (char)o->letter;
			if (has == required_argument)
				shorts[k++] = ':';
			shorts[k] = '\0';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
}

static int
parse_number(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < 0 || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* Store one option's value: 0, 1 when it was --help or --version
 * (answered), or -1 when the value is refused (said on stderr, with the
 * usage). */
static int
set_option(struct cli_args *a, int i, const char *arg)
{
	const struct cli_option *o = &options[i];
	char *field = (char *)a + o->field;
	int bad = 0;

	switch (o->kind) {
	case ARG_FLAG: *(int *)(void *)field = 1; break;
	case ARG_MORE: (*(int *)(void *)field)++; break;
	case ARG_LESS: (*(int *)(void *)field)--; break;
	case ARG_STRING: *(const char **)(void *)field = arg; break;
	case ARG_NUMBER: bad = parse_number(arg, (int *)(void *)field); break;
	case ARG_TIME:
		bad = calendar_parse_iso(arg, (time_t *)(void *)field);
		break;
	case ARG_PERIOD:
		bad = digest_period_parse(arg,
		    (enum digest_period *)(void *)field);
		break;
	case ARG_HELP:
		cli_usage(stdout);
		return 1;
	case ARG_VERSION:
		printf("escbot %s\n", ESCBOT_VERSION);
		return 1;
	}
	if (bad == -1) {
		fprintf(stderr, "escbot: --%s %s: %s\n", o->name, arg, o->bad);
		if (a->cmd)
			command_usage(a->cmd);
		else
			short_usage();
		return -1;
	}
	return 0;
}

/* getopt's '?' (not an option here) or ':' (no value): one line, then
 * the command's usage (or the short one before a command). */
static void
bad_option(const struct cli_args *a, int ch, const char *word)
{
	char opt[64];
	const char *what = opt;

	if (optopt >= OPTVAL(0) && optopt < OPTVAL(O_COUNT))
		snprintf(opt, sizeof(opt), "--%s", options[optopt -
		    OPTVAL(0)].name);
	else if (optopt > 0 && optopt < 128)
		snprintf(opt, sizeof(opt), "-%c", optopt);
	else
		what = word;

	if (ch == ':')
		fprintf(stderr, "escbot: %s needs a value\n", what);
	else if (a->cmd)
		fprintf(stderr, "escbot: %s does not take %s\n", a->cmd->name,
		    what);
	else
		fprintf(stderr, "escbot: unknown option %s\n", what);
	if (a->cmd)
		command_usage(a->cmd);
	else
		short_usage();
}

/* The options in argv[1..] that `mask` allows, up to the first
 * non-option with `prefix` "+", else all of them (getopt permutes the
 * rest to the end); *next is the index of the first that is not one.
 * 0, 1 (answered) or -1 (refused, said). */
static int
parse_options(int argc, char *argv[], unsigned mask, const char *prefix,
    struct cli_args *a, int *next)
{
	struct option lo[2 * O_COUNT + 1];
	char shorts[2 * O_COUNT + 4];
	int ch, i, r;

	getopt_tables(mask, prefix, lo, shorts, sizeof(shorts));
	optind = 0;	/* glibc: reinitialise, then scan from argv[1] */
	opterr = 0;	/* said here, in one line, with the command's usage */
	while ((ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (ch >= OPTVAL(0))
			i = ch - OPTVAL(0);
		else
			for (i = 0; i < O_COUNT && options[i].letter != ch; i++)
				;
		if (i >= O_COUNT) {
			bad_option(a, ch, argv[optind - 1]);
			return -1;
		}
		if ((r = set_option(a, i, optarg)) != 0)
			return r;
	}
	*next = optind;
	return 0;
}

static const struct cli_command *
command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Whether a needed option was given, with something in it. */
static int
given(const struct cli_args *a, int i)
{
	const char *field = (const char *)a + options[i].field;

	if (options[i].kind == ARG_NUMBER)
		return *(const int *)(const void *)field > 0;
	field = *(const char *const *)(const void *)field;
	return field != NULL && *field != '\0';
}

/* The command's argument and the options it cannot do without. */
static int
check_command(struct cli_args *a, int argc, char *argv[])
{
	const struct cli_command *c = a->cmd;
	int nargs = c->arg ? 1 : 0;

	if (argc < nargs) {
		fprintf(stderr, "escbot: %s needs a case reference\n", c->name);
		goto fail;
	}
	if (argc > nargs) {
		fprintf(stderr, "escbot: %s: unexpected argument \"%s\"\n",
		    c->name, argv[nargs]);
		goto fail;
	}
	a->ref = nargs ? argv[0] : NULL;
	for (int i = 0; i < O_COUNT; i++)
		if ((c->required & (1u << i)) && !given(a, i)) {
			fprintf(stderr, "escbot: %s needs %s\n", c->name,
			    options[i].needed);
			goto fail;
		}
	return 0;
fail:
	command_usage(c);
	return -1;
}

static int parse_command(int, char *[], struct cli_args *);

int
cli_parse(int argc, char *argv[], struct cli_args *a)
{
	int r, next;

	memset(a, 0, sizeof(*a));
	if ((r = parse_options(argc, argv, GLOBAL, "+", a, &next)) != 0)
		return r;
	if ((r = parse_command(argc - next, argv + next, a)) != 0)
		return r;
	/* -c, else $ESCBOT_CONFIG, else the installed one. */
	if (a->config == NULL && (a->config = getenv("ESCBOT_CONFIG")) != NULL &&
	    a->config[0] == '\0')
		a->config = NULL;
	if (a->config == NULL) {
		a->config = ESCBOT_CONFIG_FILE;
		a->config_default = 1;
	}
	return 0;
}

/* The command and what follows it (argv[0] is the command). */
static int
parse_command(int argc, char *argv[], struct cli_args *a)
{
	int r, next;

	if (argc < 1) {
		fprintf(stderr, "escbot: no command given\n");
		short_usage();
		return -1;
	}
	if ((a->cmd = command_find(argv[0])) == NULL) {
		fprintf(stderr, "escbot: unknown command \"%s\"\n", argv[0]);
		short_usage();
		return -1;
	}
	a->command = a->cmd->name;
	/* After the command: its options and the global ones. */
	if ((r = parse_options(argc, argv, GLOBAL | a->cmd->takes, "", a,
	    &next)) != 0)
		return r;
	return check_command(a, argc - next, argv + next);
}

/* --- running -------------------------------------------------------- */

int
cli_run(const struct cli_args *a)
{
	const struct cli_command *c = a->cmd;
	struct escbot e;
	struct diag d = { 0, NULL };
	char err[1024];
	int rc;

	log_init(a->verbose);
	if (c->load == LOAD_NOTHING)
		return c->run(NULL, a);
	memset(&e, 0, sizeof(e));
	if (escbot_load(&e, a->config, &d) == -1) {
		if (a->config_default && access(a->config, F_OK) == -1)
			fprintf(stderr, "escbot: give the configuration with -c "
			    "FILE or ESCBOT_CONFIG=FILE\n");
		fprintf(stderr, "escbot: %s: %d error%s; nothing was done\n",
		    a->config, d.errors, d.errors == 1 ? "" : "s");
		escbot_unload(&e);
		return CLI_USAGE;
	}
	e.now_fixed = a->now_fixed;
	e.since = a->since;
	if (c->load == LOAD_STORE && escbot_open_store(&e, a->preview ?
	    LOCK_NONE : c->lock, err, sizeof(err)) == -1) {
		fprintf(stderr, "escbot: %s\n", err);
		escbot_unload(&e);
		return CLI_FATAL;
	}
	rc = c->run(&e, a);
	escbot_unload(&e);
	return rc;
}

static int
cmd_help(struct escbot *e, const struct cli_args *a)
{
	(void)e;
	(void)a;
	cli_usage(stdout);
	return CLI_OK;
}

/* --- check-config --connect ------------------------------------------ */

/* An OAuth2 token from oauth2.token_url, in a worker child, kept in
 * memory for the logins that follow.  0 or -1, said on stdout. */
static int
connect_oauth(const struct config *c)
{
	struct oauth_params op;
	char err[512], *token = NULL;

	account_oauth_params(c, &op);
	if (worker_oauth_token(&op, time(NULL), &token, err, sizeof(err)) !=
	    0) {
		printf("oauth2: no token from %s: %s\n", c->oauth2.token_url,
		    err);
		return -1;
	}
	explicit_bzero(token, strlen(token));
	free(token);
	printf("oauth2: token from %s\n", c->oauth2.token_url);
	return 0;
}

/* Log in to the mailbox and open its folder, as ingest does. */
static int
connect_imap(const struct config *c)
{
	struct imap *im = NULL;
	char err[512];

	if (account_imap_open(c, &im, err, sizeof(err)) != IMAP_OK) {
		printf("imap: %s:%d as %s: %s\n", c->imap.host, c->imap.port,
		    c->imap.user, err);
		return -1;
	}
	imap_close(im);
	printf("imap: logged in to %s:%d as %s%s; folder %s opened\n",
	    c->imap.host, c->imap.port, c->imap.user,
	    c->imap.auth == CONFIG_AUTH_XOAUTH2 ? " (XOAUTH2)" : "",
	    c->imap.folder);
	return 0;
}

/* The SMTP side: the login the outbox would use (a token when
 * smtp.auth is xoauth2), made in a worker as a send would make it, then
 * NOOP; nothing is sent. */
static int
connect_smtp(const struct config *c)
{
	struct account_smtp as;
	char err[1024];
	const char *user = c->smtp.user && c->smtp.user[0] ? c->smtp.user :
	    NULL;
	int rc = 0;

	if (account_smtp_open(c, &as, err, sizeof(err)) == -1) {
		printf("smtp: %s: no login: %s\n", c->smtp.url, err);
		return -1;
	}
	if (worker_smtp_login(&as.p, err, sizeof(err)) != FAIL_NONE) {
		printf("smtp: %s: %s\n", c->smtp.url, err);
		rc = -1;
	} else if (user != NULL)
		printf("smtp: logged in to %s as %s%s; server said: %s\n",
		    c->smtp.url, user, as.token ? " (XOAUTH2)" : "", err);
	else
		printf("smtp: connected to %s (no login set); server said: "
		    "%s\n", c->smtp.url, err);
	account_smtp_close(&as);
	return rc;
}

/* One line for each; CLI_UNREACHABLE when any failed. */
static int
check_connect(const struct config *c)
{
	int bad = 0;

	if (c->oauth2.enabled && connect_oauth(c) == -1)
		bad = 1;
	if (connect_imap(c) == -1)
		bad = 1;
	if (connect_smtp(c) == -1)
		bad = 1;
	return bad ? CLI_UNREACHABLE : CLI_OK;
}

/* Everything was loaded and checked on the way here; what is left are
 * the warnings, and what the defaults were taken from. */
static int
cmd_check_config(struct escbot *e, const struct cli_args *a)
{
	struct diag d = { 0, NULL };
	int warnings;

	if (config_check_database(e->cfg, &d) == -1) {
		fprintf(stderr, "escbot: %s: %d error%s\n", a->config, d.errors,
		    d.errors == 1 ? "" : "s");
		return CLI_USAGE;
	}
	warnings = escbot_warnings(e, escbot_now(e), stderr);
	if (warnings > 0)
		fprintf(stderr, "escbot: %d warning%s\n", warnings,
		    warnings == 1 ? "" : "s");
	printf("%s: configuration OK (%zu protocol%s, %zu form%s, "
	    "%zu partnership%s)\n", a->config, e->rules->nprotocols,
	    e->rules->nprotocols == 1 ? "" : "s", e->rules->forms->nforms,
	    e->rules->forms->nforms == 1 ? "" : "s", directory_count(e->dir),
	    directory_count(e->dir) == 1 ? "" : "s");
	for (const struct directory *d = e->dir; d; d = d->next) {
		printf("partnership %s: %zu agenc%s", *d->id ? d->id : "(one)",
		    d->nagencies, d->nagencies == 1 ? "y" : "ies");
		for (size_t i = 0; i < e->rules->nprotocols; i++) {
			const struct protocol *p = &e->rules->protocols[i];

			if (p->dir == d || p->dir == d->views[0] ||
			    p->dir == d->views[1])
				printf(", %s%s", p->id, p->service ==
				    DIR_CHILDREN ? " (children)" : p->service ==
				    DIR_ADULTS ? " (adults)" : "");
		}
		printf("\n");
	}
	printf("sender authentication: %s, by %s\n",
	    config_sender_auth_name(e->cfg->sender_auth),
	    e->cfg->sender_auth == SENDER_AUTH_OFF ? "nothing (off)" :
	    e->cfg->authserv_id[0] ? "the Authentication-Results of authserv_id" :
	    "the topmost Authentication-Results header");
	if (e->cfg->line.rules_dir == 0 || e->cfg->line.templates_dir == 0 ||
	    e->cfg->line.directory == 0)
		printf("data folder (for the paths not set): %s\n",
		    e->cfg->datadir);
	if (a->connect)
		return check_connect(e->cfg);
	return CLI_OK;
}

/* Whether protocol `p` (any, when NULL) has a stage numbered n. */
static int
has_stage(const struct ruleset *rs, const struct protocol *p, int n)
{
	for (size_t i = 0; i < rs->nprotocols; i++) {
		const struct protocol *q = &rs->protocols[i];

		if (p != NULL && q != p)
			continue;
		for (size_t j = 0; j < q->nstages; j++)
			if (q->stages[j].number == n)
				return 1;
	}
	return 0;
}

/* 1 if some partnership has the agency. */
static int
agency_known(const struct directory *set, const char *id)
{
	for (; set; set = set->next)
		if (directory_agency_by_id(set, id) != NULL)
			return 1;
	return 0;
}

/* cases --protocol, --agency, --stage: refused when they name nothing
 * there is, rather than answered "no open cases". */
static int
check_filter(const struct escbot *e, const struct case_filter *f)
{
	const struct protocol *p = NULL;

	if (f->protocol && (p = rules_protocol(e->rules, f->protocol)) == NULL) {
		fprintf(stderr, "escbot: --protocol %s: unknown protocol (see "
		    "%s)\n", f->protocol, e->cfg->rules_dir);
		return -1;
	}
	if (f->agency && !agency_known(e->dir, f->agency)) {
		fprintf(stderr, "escbot: --agency %s: unknown agency (see %s)\n",
		    f->agency, e->cfg->directory);
		return -1;
	}
	if (f->stage > 0 && !has_stage(e->rules, p, f->stage)) {
		if (p != NULL)
			fprintf(stderr, "escbot: --stage %d: %s has no stage "
			    "%d\n", f->stage, p->id, f->stage);
		else
			fprintf(stderr, "escbot: --stage %d: no protocol has "
			    "stage %d\n", f->stage, f->stage);
		return -1;
	}
	return 0;
}

static int
cmd_cases(struct escbot *e, const struct cli_args *a)
{
	if (check_filter(e, &a->filter) == -1)
		return CLI_USAGE;
	return present_cases(e, a->all, a->json, &a->filter) == -1 ?
	    CLI_FATAL : CLI_OK;
}

static int
cmd_case(struct escbot *e, const struct cli_args *a)
{
	int r = present_case(e, a->ref, a->json);

	if (r == 0)
		fprintf(stderr, "escbot: no case %s\n", a->ref);
	return r == 1 ? CLI_OK : r == 0 ? CLI_REFUSED : CLI_FATAL;
}

static int
cmd_tick(struct escbot *e, const struct cli_args *a)
{
	(void)a;
	return daemon_pass(e, 0);
}

static int
cmd_outbox(struct escbot *e, const struct cli_args *a)
{
	return present_outbox(e, a->all, a->json) == -1 ? CLI_FATAL : CLI_OK;
}

static int
cmd_resend(struct escbot *e, const struct cli_args *a)
{
	char *end;
	long long id = strtoll(a->ref, &end, 10);
	int n;

	n = store_outbox_resend(e->store, *end == '\0' ? id : 0,
	    *end == '\0' ? NULL : a->ref, escbot_now(e));
	if (n < 0)
		return CLI_FATAL;
	if (n == 0) {
		fprintf(stderr, "escbot: no failed email for %s\n", a->ref);
		return CLI_REFUSED;
	}
	printf("%d email%s queued again\n", n, n == 1 ? "" : "s");
	return outbox_flush(e) == -1 ? CLI_UNREACHABLE : CLI_OK;
}

static int
write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");
	int bad;

	if (fp == NULL) {
		fprintf(stderr, "escbot: %s: %s\n", path, strerror(errno));
		return -1;
	}
	bad = fputs(data, fp) == EOF;
	if (fclose(fp) == EOF || bad) {
		fprintf(stderr, "escbot: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A copy of file `from` at `to` (a CSV the report wrote to a file). */
static int
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *out;
	char buf[65536];
	size_t n;
	int bad = 0;

	if (in == NULL) {
		fprintf(stderr, "escbot: %s: %s\n", from, strerror(errno));
		return -1;
	}
	if ((out = fopen(to, "w")) == NULL) {
		fprintf(stderr, "escbot: %s: %s\n", to, strerror(errno));
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		bad |= fwrite(buf, 1, n, out) != n;
	bad |= ferror(in);
	fclose(in);
	if (fclose(out) == EOF || bad) {
		fprintf(stderr, "escbot: %s: %s\n", to, strerror(errno));
		return -1;
	}
	return 0;
}

/* The digest's period from --period/--current or --from/--to.  0, or
 * -1 (said). */
static int
digest_span_of(struct escbot *e, const struct cli_args *a,
    struct digest_span *sp)
{
	if (a->to != 0 && a->from == 0) {
		fprintf(stderr, "escbot: digest --to needs --from\n");
		return -1;
	}
	if (a->from != 0) {
		if (a->current) {
			fprintf(stderr, "escbot: digest: --current is for "
			    "--period, not --from\n");
			return -1;
		}
		if (digest_range(a->from, a->to ? a->to : escbot_now(e),
		    sp) == -1) {
			fprintf(stderr, "escbot: digest: --from is not before "
			    "--to\n");
			return -1;
		}
		return 0;
	}
	digest_period(a->period, escbot_now(e), e->cfg->digest.year_start,
	    a->current, sp);
	return 0;
}

/* Print the report (--preview) and write --html and --csv. */
static int
digest_show(struct escbot *e, const struct cli_args *a,
    const struct protocol *p, const struct digest_span *sp)
{
	struct digest d;
	int rc = CLI_OK;

	if (digest_build(e, e->themes, p, sp, &d) == -1)
		return CLI_FATAL;
	if (a->preview)
		fputs(d.text, stdout);
	if (a->html && write_file(a->html, d.html) == -1)
		rc = CLI_FATAL;
	else if (a->html && !a->preview)
		printf("wrote %s\n", a->html);
	if (a->csv && (d.csv ? write_file(a->csv, d.csv) :
	    copy_file(d.csv_file, a->csv)) == -1)
		rc = CLI_FATAL;
	else if (a->csv && !a->preview)
		printf("wrote %s\n", a->csv);
	digest_free(&d);
	return rc;
}

/* Queue each protocol's report (or --protocol's) to its board, send,
 * and say what was sent to whom. */
static int
digest_send(struct escbot *e, const struct protocol *only,
    const struct digest_span *sp)
{
	char *said[64];
	size_t n = 0, np = e->rules->nprotocols;
	int rc = CLI_OK, unreachable;

	for (size_t i = 0; i < np && n < 64; i++) {
		const struct protocol *p = &e->rules->protocols[i];

		if (only != NULL && p != only)
			continue;
		if (digest_queue(e, e->themes, p, sp, DIGEST_FORCE |
		    (only ? DIGEST_EMPTY : 0), &said[n]) == -1) {
			rc = CLI_FATAL;
			break;
		}
		if (said[n] != NULL)
			n++;
	}
	unreachable = outbox_flush(e) == -1;
	for (size_t i = 0; i < n; i++) {
		printf("%s %s\n", unreachable ? "queued (not sent yet: the mail "
		    "server did not answer)" : "sent", said[i]);
		free(said[i]);
	}
	if (n == 0 && rc == CLI_OK)
		printf("nothing sent: no protocol has cases to report, or "
		    "anyone to send them to (board_roles, digest.recipients, "
		    "board_inbox)\n");
	return rc != CLI_OK ? rc : unreachable ? CLI_UNREACHABLE : CLI_OK;
}

static int
cmd_digest(struct escbot *e, const struct cli_args *a)
{
	const struct protocol *p = NULL;
	struct digest_span sp;
	int rc = CLI_OK;

	if (a->filter.protocol != NULL &&
	    (p = rules_protocol(e->rules, a->filter.protocol)) == NULL) {
		fprintf(stderr, "escbot: digest: no protocol %s\n",
		    a->filter.protocol);
		return CLI_USAGE;
	}
	if (digest_span_of(e, a, &sp) == -1)
		return CLI_USAGE;
	/* --html and --csv are written whether or not it is sent. */
	if ((a->preview || a->html || a->csv) &&
	    (rc = digest_show(e, a, p, &sp)) != CLI_OK)
		return rc;
	if (a->preview)
		return CLI_OK;
	return digest_send(e, p, &sp);
}

/* resolve --level N: a stage of the case's protocol, and not below the
 * stage it has reached.  0, else the exit status (said on stderr). */
static int
check_level(struct escbot *e, const struct cli_args *a)
{
	struct case_state c;
	const struct protocol *p;
	int r, rc = 0, at;

	memset(&c, 0, sizeof(c));
	if ((r = store_case_get(e->store, a->ref, &c)) != 1) {
		if (r == 0)
			fprintf(stderr, "escbot: no case %s\n", a->ref);
		return r == 0 ? CLI_REFUSED : CLI_FATAL;
	}
	p = rules_protocol(e->rules, c.protocol);
	if (p == NULL || c.stage_idx < 0 || (size_t)c.stage_idx >= p->nstages)
		goto done;		/* the engine says what is wrong */
	at = p->stages[c.stage_idx].number;
	if (!has_stage(e->rules, p, a->level)) {
		fprintf(stderr, "escbot: --level %d: %s has stages %d to %d\n",
		    a->level, p->id, p->stages[0].number,
		    p->stages[p->nstages - 1].number);
		rc = CLI_USAGE;
	} else if (a->level < at) {
		fprintf(stderr, "escbot: --level %d: %s has reached stage %d; "
		    "it cannot be resolved below it\n", a->level, a->ref, at);
		rc = CLI_USAGE;
	}
done:
	case_state_free(&c);
	return rc;
}

/* pause, resume, extend, timescale, escalate, resolve: recorded as done by the
 * administrator (admin_name, so the emails say "paused by Jo Bloggs",
 * never a login), the Unix user who gave it logged; sent now when this
 * escbot holds the lock, else by the one running.  The confirmation
 * says what changed and who was told. */
static int
cmd_casework(struct escbot *e, const struct cli_args *a)
{
	struct command cmd;
	struct present_change pc;
	char err[512], token[128];
	const char *user = getenv("USER");
	int rc;

	if (a->cmd->act == CMD_RESOLVE && a->level > 0 &&
	    (rc = check_level(e, a)) != 0)
		return rc;
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = a->cmd->act;
	snprintf(token, sizeof(token), "cli-%s-%lld-%ld", a->command,
	    (long long)escbot_now(e), (long)getpid());
	cmd.actor = e->cfg->admin_name;
	cmd.token = token;
	cmd.reason = a->reason ? a->reason : "";
	cmd.days = a->days;
	cmd.level = a->level;
	(void)present_change_begin(e, a->ref, &pc);
	if (casework_command(e, a->ref, &cmd, NULL, 0, err, sizeof(err)) == -1) {
		present_change_free(&pc);
		fprintf(stderr, "escbot: %s\n", err);
		return CLI_REFUSED;
	}
	log_info("case %s: %s given on the command line by Unix user %s",
	    a->ref, a->command, user && *user ? user : "(unknown)");
	if (e->lock_fd != -1)
		(void)outbox_flush(e);
	present_change_end(e, a->ref, a->command, &pc);
	if (e->lock_fd == -1)
		printf("(the running escbot will send the emails)\n");
	return CLI_OK;
}
