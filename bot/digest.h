/*
 * digest: the board's reports -- the weekly digest the safeguarding leads
 * network reviews (000), the quarterly analysis of themes (002, 4.2), the
 * half-yearly review of agency numbers, trends and challenges (004,
 * stage 7) and an annual report -- written from escbot's own records, one
 * per protocol to that protocol's board roles.  Each is a text part, an
 * HTML part (tables and bars drawn as table cells, inline CSS, nothing
 * remote) and a CSV of the period's cases (UTF-8 with a byte-order mark,
 * attached up to digest.csv_attachment_max bytes, else written to
 * reports/ beside the database and named in the report;
 * dates as "YYYY-MM-DD HH:MM", London time, for Excel).  Every duration
 * is in working days and says so.  Reports carry case references only:
 * no field a form marks personal ever reaches them.
 * Strings in struct digest are owned by it; digest_free() releases them.
 */
#ifndef ESCBOT_DIGEST_H
#define ESCBOT_DIGEST_H

#include <time.h>

struct calendar;
struct escbot;

/* The regular periods, then a chosen date range (never sent on its own). */
enum digest_period { DIGEST_WEEK, DIGEST_QUARTER, DIGEST_HALF_YEAR,
	DIGEST_YEAR, DIGEST_RANGE };
#define DIGEST_NREGULAR	4

struct themes;		/* themes.h: loaded with the rules */
struct protocol;	/* rules.h */

/* A report's period: [start, end), a label ("Q3 2026/27 (October to
 * December 2026)") and a key ("quarter-2026-27-Q3") that names it in the
 * outbox. */
struct digest_span {
	enum digest_period	p;
	time_t			start, end;
	char			label[160];
	char			key[64];
};

/* The last complete period ending at or before `now` (London time), or
 * with `current` the one `now` is in, from its start to now.  Quarters,
 * half-years and years are of the financial year starting on the first
 * of month `year_start` (1-12; 4 for councils and NHS boards, 1 for
 * calendar quarters).  Not for DIGEST_RANGE. */
void	digest_period(enum digest_period, time_t now, int year_start,
	    int current, struct digest_span *);
/* A chosen range: from `from` to `to`; a `to` at London midnight takes
 * in that whole day.  0, or -1 when it is empty. */
int	digest_range(time_t from, time_t to, struct digest_span *);
/* "week", "quarter", "half-year" or "year".  0 or -1. */
int	digest_period_parse(const char *, enum digest_period *);
/* The day (London midnight) from which a report of the period ending at
 * `end` is due: the first working day from `end`, or, when that is the
 * day of another enabled report (on[] says which are), the next working
 * day free of them -- a quarterly report due on the weekly report's
 * Monday goes on the Tuesday, a half-yearly one on the Wednesday -- so
 * a board inbox gets one report a day. */
time_t	digest_due_from(const struct calendar *,
	    const int on[DIGEST_NREGULAR], enum digest_period, time_t end);

struct digest {
	char	*subject;
	char	*text;
	char	*html;
	char	*csv;	/* NULL when over digest.csv_attachment_max: */
	char	*csv_file;	/* then the file it was written to */
	size_t	 csv_len;	/* bytes of CSV */
	size_t	 ncases;	/* cases opened before the period's end */
};

/* Build the report of protocol `p` (NULL: every protocol, the
 * administrator's overview) for the span. 0, or -1 on a database error. */
int	digest_build(struct escbot *, const struct themes *,
	    const struct protocol *p, const struct digest_span *,
	    struct digest *out);
void	digest_free(struct digest *);
/* Queue each enabled report of each protocol whose last period has not
 * been queued yet (once per period, whatever the number of ticks; a
 * period missed while escbot was down is sent when it comes back), from
 * the day digest_due_from() says.  Returns how many were queued, or -1. */
int	digest_queue_due(struct escbot *, const struct themes *);
/* Queue protocol p's report of the span to p's board roles (resolved in
 * the directory; when they name nobody, digest.recipients, else the
 * board_inbox), regardless of what was sent with DIGEST_FORCE.  A
 * protocol that has never had a case has nothing to report, unless
 * DIGEST_EMPTY.  *said (when not NULL) gets a line saying what was
 * queued and to whom, the caller's to free.  1 queued, 0 nothing to
 * queue (already sent, no case, or nobody to send it to), -1 on error. */
#define DIGEST_FORCE	1
#define DIGEST_EMPTY	2
int	digest_queue(struct escbot *, const struct themes *,
	    const struct protocol *p, const struct digest_span *, int flags,
	    char **said);

#endif
