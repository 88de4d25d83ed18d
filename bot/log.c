/*
 * log: deliberately tiny.  Lines go to stderr with a level prefix that
 * journald understands (<3>, <4>, <6>, <7>) when stderr is not a terminal,
 * so the same binary logs well by hand and under systemd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int log_verbosity;

void
log_init(int verbosity)
{
	log_verbosity = verbosity;
}

static void
vlog(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { 3, 4, 6, 7 };
	int saved = errno;
	char msg[2048];

	if (lvl == LOG_LVL_DEBUG && log_verbosity < 1)
		return;
	if (lvl == LOG_LVL_INFO && log_verbosity < 0)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One event, one line: never let a newline from data split it. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "escbot: %s: ", names[lvl]);
	else
		fprintf(stderr, "<%d>escbot: %s: ", prio[lvl], names[lvl]);
	if (with_errno)
		fprintf(stderr, "%s: %s\n", msg, strerror(saved));
	else
		fprintf(stderr, "%s\n", msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(2);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(2);
}

void
outage_begin(struct outage *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->down) {
		va_start(ap, fmt);
		vlog(LOG_LVL_WARN, 0, fmt, ap);
		va_end(ap);
	}
	o->down = 1;
}

void
outage_end(struct outage *o, const char *fmt, ...)
{
	va_list ap;

	if (o->down) {
		va_start(ap, fmt);
		vlog(LOG_LVL_INFO, 0, fmt, ap);
		va_end(ap);
	}
	o->down = 0;
}
