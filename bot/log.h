/*
 * log: one line per event on stderr (the journal under systemd), with a
 * level.  log_warn and fatal append strerror(errno); the -x variants do not.
 * Callers put the context (message UID, case ref) in the message and never
 * pass passwords or form contents.
 */
#ifndef ESCBOT_LOG_H
#define ESCBOT_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void	log_init(int verbosity);	/* 0 = info, 1 = debug, -1 = warnings only */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* An outage (a server that cannot be reached) is logged once when it
 * begins and once when it ends, not once per attempt.  Zero-initialise;
 * outage_begin() logs a warning unless the outage is already on, and
 * outage_end() an info line only when one was. */
struct outage {
	int	down;
};
void	outage_begin(struct outage *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	outage_end(struct outage *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
