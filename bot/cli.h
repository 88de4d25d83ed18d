/*
 * cli: escbot's command line as a table.  Each command has a name, a
 * handler, what it needs before it runs (nothing, the configuration, or
 * the database with one of the lock modes of escbot.h), the options it
 * takes and those it cannot do without, whether it wants a case
 * reference, and a line of usage.  cli_parse() reads argv once against
 * the table and refuses what a command does not take; cli_run() then
 * loads and checks the whole configuration, opens the database as the
 * command needs and calls its handler.
 *
 * Options before the command are the global ones (-c, --now, -v, -q,
 * --help, --version); after it, the global ones and the command's own,
 * mixed with its argument in any order.
 *
 * Handlers and cli_run() return the exit status (CLI_*); a struct
 * cli_args points into argv and owns nothing.
 */
#ifndef ESCBOT_CLI_H
#define ESCBOT_CLI_H

#include <stdio.h>
#include <time.h>

#include "digest.h"
#include "escbot.h"
#include "present.h"

/* Exit statuses, as README and escbot(8) give them. */
enum {
	CLI_OK = 0,
	CLI_USAGE = 1,		/* bad configuration or usage */
	CLI_FATAL = 2,
	CLI_UNREACHABLE = 3,	/* mailbox or mail server */
	CLI_REFUSED = 4		/* no such case, or the command was refused */
};

struct cli_command;

/* What the command line said. */
struct cli_args {
	const struct cli_command *cmd;
	const char		*command;	/* its name */
	const char		*config;	/* -c, else $ESCBOT_CONFIG, else
						   the built-in default */
	int			 config_default; /* the last */
	time_t			 now_fixed;	/* --now, 0 for the clock */
	int			 verbose;	/* -v more, -q less */
	const char		*ref;		/* the command's argument */
	time_t			 since;		/* run --since */
	int			 once, all, json, preview;
	int			 connect;	/* check-config --connect */
	struct case_filter	 filter;	/* cases --overdue ... */
	const char		*reason;	/* --reason, or --note */
	int			 days, level;
	enum digest_period	 period;
	const char		*html, *csv;	/* digest files */
	time_t			 from, to;	/* digest --from, --to */
	int			 current;	/* digest --current */
};

/* 0 with *a filled in: run it.  1: answered by itself (--help, --version,
 * "help"), exit 0.  -1: refused, the reason and the usage printed on
 * stderr, exit CLI_USAGE.  argv may be permuted (getopt). */
int	cli_parse(int argc, char *argv[], struct cli_args *a);
/* Load, open and run the parsed command; the exit status. */
int	cli_run(const struct cli_args *a);
void	cli_usage(FILE *);

/* The program's (main.c): the daemon loop, or one pass of it with "run
 * --once"; and one pass -- fetching when `fetch` -- then deadlines,
 * reports, retention and the outbox, for "tick" too.  Exit statuses. */
int	daemon_run(struct escbot *, const struct cli_args *);
int	daemon_pass(struct escbot *, int fetch);

#endif
