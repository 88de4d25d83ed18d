/*
 * present: what the command line prints about the record -- the case
 * list, one case with its timeline, the outbox -- as aligned text for a
 * person or, with `json`, as JSON for a script (one array, or one object
 * for a case; times ISO 8601 UTC, absent ones null).  Everything goes to
 * standard output; nothing is kept.
 */
#ifndef ESCBOT_PRESENT_H
#define ESCBOT_PRESENT_H

#include "engine.h"

struct escbot;

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

/* A case command's confirmation (pause, resume, extend, escalate,
 * resolve): present_change_begin() takes the case and how many emails
 * it had before the command; present_change_end() prints, after it, what
 * changed -- the stage, the due date in London time (a paused case's if
 * it were resumed now), the level -- and who was emailed about it, with
 * each email's state; then frees *pc.  begin: 0, or -1 when the case
 * cannot be read (end then says only that the command was done). */
struct present_change {
	struct case_state	 before;
	int			 nmails;
	int			 have;		/* before is filled */
};
int	present_change_begin(struct escbot *, const char *ref,
	    struct present_change *);
void	present_change_end(struct escbot *, const char *ref, const char *command,
	    struct present_change *);
void	present_change_free(struct present_change *);

#endif
