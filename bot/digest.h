/*
 * digest: the board's reports -- the weekly digest the safeguarding leads
 * network reviews (000), the quarterly analysis of themes (002, 4.2) and
 * the half-yearly review of agency numbers, trends and challenges (004,
 * stage 7) -- written from escbot's own records.  Each is a text part, an
 * HTML part (tables and bars drawn as table cells, inline CSS, nothing
 * remote) and a CSV of the period's cases.  Reports carry case references
 * only: no field a form marks personal ever reaches them.
 * Strings in struct digest are owned by it; digest_free() releases them.
 */
#ifndef ESCBOT_DIGEST_H
#define ESCBOT_DIGEST_H

#include <time.h>

#include "escbot.h"

enum digest_period { DIGEST_WEEK, DIGEST_QUARTER, DIGEST_HALF_YEAR };

struct themes;	/* themes.h: loaded with the rules */

/* The last complete period ending at or before `now` (London time):
 * [start, end), a label ("week of Monday 16 November 2026") and a key
 * ("week-2026-11-16") that names it in the outbox. */
void	digest_period(enum digest_period, time_t now, time_t *start,
	    time_t *end, char *label, size_t llen, char *key, size_t klen);
int	digest_period_parse(const char *, enum digest_period *);

struct digest {
	char	*subject;
	char	*text;
	char	*html;
	char	*csv;
};

/* Build the report for [start, end). 0, or -1 on a database error. */
int	digest_build(struct escbot *, const struct themes *, enum digest_period,
	    time_t start, time_t end, const char *label, struct digest *out);
void	digest_free(struct digest *);
/* Queue each enabled report whose last period has not been queued yet
 * (once per period, whatever the number of ticks; a period missed while
 * escbot was down is sent when it comes back).  Returns how many were
 * queued, or -1. */
int	digest_queue_due(struct escbot *, const struct themes *);
/* Queue the report of the period now is in the last complete one of,
 * regardless of what was sent (the CLI's "digest" without --preview). */
int	digest_queue(struct escbot *, const struct themes *, enum digest_period,
	    int force);

#endif
