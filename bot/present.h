/*
 * present: what the command line prints about the record -- the case
 * list, one case with its timeline, the outbox -- as aligned text for a
 * person or, with `json`, as JSON for a script (one array, or one object
 * for a case; times ISO 8601 UTC, absent ones null).  Everything goes to
 * standard output; nothing is kept.
 */
#ifndef ESCBOT_PRESENT_H
#define ESCBOT_PRESENT_H

#include "escbot.h"

/* Which cases "cases" lists; zero values filter nothing. */
struct case_filter {
	int		 overdue;	/* open and past its deadline */
	const char	*protocol;	/* protocol id */
	const char	*agency;	/* among the case's agency ids */
	int		 stage;		/* stage number */
};

/* The open cases (every case with `all`) that pass `f`.  0, or -1 on a
 * database error (logged). */
int	present_cases(struct escbot *, int all, int json,
	    const struct case_filter *f);
/* Case `ref` with its answers, tracked actions, emails and events.  1
 * when printed, 0 when there is no such case (nothing printed), -1 on a
 * database error. */
int	present_case(struct escbot *, const char *ref, int json);
/* Failed then pending emails (every email with `all`, up to 1000), with
 * their errors.  0, or -1 on a database error. */
int	present_outbox(struct escbot *, int all, int json);

#endif
