/*
 * diag: collects configuration errors as "file:line: message" lines so that
 * check-config reports every mistake before giving up (OpenSMTPD parse.y).
 */
#ifndef ESCBOT_DIAG_H
#define ESCBOT_DIAG_H

#include <stdio.h>

struct diag {
	int	 errors;
	FILE	*out;		/* NULL means stderr */
};

void	diag_error(struct diag *, const char *file, int line, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

#endif
