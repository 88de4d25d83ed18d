/*
 * calendar: working days and working hours in Europe/London.  A working day
 * is Monday to Friday minus the bank holidays of a data file; working hours
 * are [open, close] local time (default 09:00-17:00).  All time_t values are
 * UTC seconds; the London offset (GMT/BST) is computed from the UK rule, so
 * no tzdata is needed and the result does not depend on TZ.
 *
 * Meaning of deadlines (the rules files use these words):
 *  - the "working day of" an instant t: the local day of t when that day is a
 *    working day and t is at or before its closing time; otherwise the next
 *    working day.  (An instant exactly at closing time belongs to that day, so
 *    stage deadlines chained at closing time add up: 2 + 5 = 7.)
 *  - "N working days from t": closing time of the N-th working day after the
 *    working day of t.
 *  - "same working day": closing time of the working day of t (N = 0).
 *  - "within 24 hours": one working day.
 */
#ifndef ESCBOT_CALENDAR_H
#define ESCBOT_CALENDAR_H

#include <stddef.h>
#include <time.h>

struct calendar;

/*
 * Load bank holidays from `path`: one "YYYY-MM-DD description" per line,
 * '#' comments and blank lines ignored.  open_min and close_min are minutes
 * after local midnight.  On error returns NULL and writes "path:line: why"
 * into err.  The caller frees the result with calendar_free().
 */
struct calendar	*calendar_load(const char *path, int open_min, int close_min,
		    char *err, size_t errlen);
/* A calendar with no holidays (tests, and what-if questions). */
struct calendar	*calendar_new(int open_min, int close_min);
void		 calendar_free(struct calendar *);
/* First and last year the holiday file covers (0 when empty). */
void		 calendar_years(const struct calendar *, int *first, int *last);

int	 calendar_is_holiday(const struct calendar *, int y, int m, int d);
int	 calendar_is_working_day(const struct calendar *, int y, int m, int d);

/* Seconds east of UTC in London at `utc`: 0 (GMT) or 3600 (BST). */
long	 calendar_london_offset(time_t utc);
/* UTC instant of a London wall-clock time (the earlier one when ambiguous,
 * the later when it falls in the spring gap). */
time_t	 calendar_london_to_utc(int y, int m, int d, int hh, int mm, int ss);
/* London wall-clock fields of `utc` (tm_wday, tm_yday set; tm_isdst = BST). */
void	 calendar_utc_to_london(time_t utc, struct tm *out);

time_t	 calendar_add_working_days(const struct calendar *, time_t start, int n);
time_t	 calendar_same_working_day(const struct calendar *, time_t start);
/* Working days from the working day of a to the working day of b (>= 0). */
int	 calendar_working_days_between(const struct calendar *, time_t a,
	    time_t b);
int	 calendar_in_working_hours(const struct calendar *, time_t t);
/* t itself when inside working hours, else the next opening time. */
time_t	 calendar_next_working_time(const struct calendar *, time_t t);

/* "2026-12-08T17:00:00+00:00" (London offset).  Returns 0, or -1 if the
 * buffer is too small. */
int	 calendar_format_iso(time_t, char *, size_t);
/* "5pm on Tuesday 8 December 2026" (London).  0 or -1 if truncated. */
int	 calendar_format_words(time_t, char *, size_t);
/* "Tuesday 8 December 2026" (London). 0 or -1 if truncated. */
int	 calendar_format_date(time_t, char *, size_t);
/* Parse ISO 8601: "2026-12-01T09:00:00Z", "...+01:00", "2026-12-01T09:00"
 * (London local), "2026-12-01" (London midnight).  0 or -1. */
int	 calendar_parse_iso(const char *, time_t *);

#endif
