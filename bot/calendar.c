/*
 * calendar: turns the deadline words of the escalation rules ("N working
 * days", "same working day") into UTC instants.  Dates are handled as day
 * numbers (days since 1970-01-01) computed with our own civil-calendar
 * arithmetic, and the London offset comes from the UK summer-time rule, so
 * the answer never depends on TZ, tzdata or the host's locale; only the bank
 * holidays come from outside, from a data file that someone must keep up to
 * date when a one-off holiday is proclaimed.
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "util.h"

#define DAY_SECS	86400LL
#define BST_SECS	3600L
#define MINUTES_PER_DAY	1440

struct calendar {
	int		 open_min;	/* minutes after local midnight */
	int		 close_min;
	long long	*holidays;	/* day numbers, sorted, no duplicates */
	size_t		 nholidays;
	size_t		 cap;
};

static const char *const weekday_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/* Days before the first of each month in a common year. */
static const int days_before_month[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
};


/* C division truncates towards zero; instants before 1970 need the floor. */
static long long
floor_div(long long a, long long b)
{
	long long q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int
is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(long long y, int m)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

static int
valid_date(long long y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= month_days(y, m);
}

/*
 * Days from 0001-01-01 to 1 January of year y in the proleptic Gregorian
 * calendar: 365 a year plus one for every leap year already passed.
 */
static long long
days_before_year(long long y)
{
	long long p = y - 1;

	return 365 * p + floor_div(p, 4) - floor_div(p, 100) +
	    floor_div(p, 400);
}

/* Day number (0 = 1970-01-01) of a date; m must be 1-12, d may overflow. */
static long long
day_number(long long y, int m, int d)
{
	long long n;

	n = days_before_year(y) - days_before_year(1970);
	n += days_before_month[m - 1] + (m > 2 && is_leap(y));
	return n + d - 1;
}

static void
civil_from_day(long long day, long long *yp, int *mp, int *dp, int *ydayp)
{
	long long y, yday;
	int m, leap, before;

	/* 146097 days make 400 years exactly, so this guess is within one
	 * year of the truth; the loops settle it. */
	y = 1970 + floor_div(day * 400, 146097);
	while (day_number(y, 1, 1) > day)
		y--;
	while (day_number(y + 1, 1, 1) <= day)
		y++;
	yday = day - day_number(y, 1, 1);
	leap = is_leap(y);
	for (m = 12; m > 1; m--) {
		before = days_before_month[m - 1] + (m > 2 && leap);
		if (yday >= before)
			break;
	}
	before = days_before_month[m - 1] + (m > 2 && leap);
	*yp = y;
	*mp = m;
	*dp = (int)(yday - before) + 1;
	if (ydayp != NULL)
		*ydayp = (int)yday;
}

/* 0 = Sunday, matching struct tm; 1970-01-01 was a Thursday. */
static int
weekday(long long day)
{
	return (int)(day + 4 - 7 * floor_div(day + 4, 7));
}

/*
 * UTC instant of 01:00 UTC on the last Sunday of month m (March and October
 * both have 31 days), where the UK rule switches summer time on and off.
 * The rule has been stable since 1981; escbot only deals with dates near
 * today, so applying it to every year is good enough.
 */
static long long
uk_switch(long long y, int m)
{
	long long last = day_number(y, m, 31);

	last -= weekday(last);
	return last * DAY_SECS + 3600;
}

/* London wall-clock seconds since 1970-01-01 00:00 local for a UTC time. */
static long long
london_local(long long utc)
{
	return utc + calendar_london_offset((time_t)utc);
}

/*
 * A local wall-clock instant has at most two UTC candidates: as GMT and as
 * BST.  Prefer BST when it is valid because in the autumn overlap it is the
 * earlier one; in the spring gap neither is valid and the GMT reading is the
 * later instant, which is what a clock that was not put forward would show.
 */
static long long
local_to_utc(long long local)
{
	long long as_bst = local - BST_SECS;

	if (calendar_london_offset((time_t)as_bst) == BST_SECS)
		return as_bst;
	return local;
}

static int
cmp_day(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int
holiday_day(const struct calendar *cal, long long day)
{
	if (cal->nholidays == 0)
		return 0;
	return bsearch(&day, cal->holidays, cal->nholidays,
	    sizeof(cal->holidays[0]), cmp_day) != NULL;
}

static int
working_day(const struct calendar *cal, long long day)
{
	int wd = weekday(day);

	return wd != 0 && wd != 6 && !holiday_day(cal, day);
}

/* Terminates because the holiday list is finite. */
static long long
next_working_day(const struct calendar *cal, long long day)
{
	do
		day++;
	while (!working_day(cal, day));
	return day;
}

/*
 * The "working day of" t as the header defines it.  The comparison is <= so
 * that a deadline at closing time, when it starts the next stage, still
 * belongs to its own day and chained stages add up.
 */
static long long
working_day_of(const struct calendar *cal, time_t t)
{
	long long local = london_local(t);
	long long day = floor_div(local, DAY_SECS);
	long long sec = local - day * DAY_SECS;

	if (working_day(cal, day) && sec <= cal->close_min * 60LL)
		return day;
	return next_working_day(cal, day);
}

static time_t
closing_time(const struct calendar *cal, long long day)
{
	return (time_t)local_to_utc(day * DAY_SECS + cal->close_min * 60LL);
}

static time_t
opening_time(const struct calendar *cal, long long day)
{
	return (time_t)local_to_utc(day * DAY_SECS + cal->open_min * 60LL);
}

/*
 * Monday-to-Friday days in [4, day): day 4 (1970-01-05) is a Monday, so
 * whole weeks count five and the tail counts up to five.  Differences give
 * the weekdays in any range without walking it day by day.
 */
static long long
weekdays_before(long long day)
{
	long long weeks = floor_div(day - 4, 7);
	long long rest = day - 4 - 7 * weeks;	/* 0 = Monday */

	return 5 * weeks + (rest < 5 ? rest : 5);
}

/* Index of the first holiday >= day. */
static size_t
holiday_lower_bound(const struct calendar *cal, long long day)
{
	size_t lo = 0, hi = cal->nholidays, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cal->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
valid_hours(int open_min, int close_min)
{
	return open_min >= 0 && close_min <= MINUTES_PER_DAY &&
	    open_min < close_min;
}

static void
add_holiday(struct calendar *cal, long long day)
{
	if (cal->nholidays == cal->cap) {
		cal->cap = cal->cap ? cal->cap * 2 : 64;
		cal->holidays = xreallocarray(cal->holidays, cal->cap,
		    sizeof(cal->holidays[0]));
	}
	cal->holidays[cal->nholidays++] = day;
}

/* Reads exactly `width` ASCII digits; isdigit() would depend on locale. */
static int
read_digits(const char **pp, int width, int *v)
{
	const char *p = *pp;
	int i, n = 0;

	for (i = 0; i < width; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		n = n * 10 + (p[i] - '0');
	}
	*pp = p + width;
	*v = n;
	return 0;
}

static int
expect(const char **pp, char c)
{
	if (**pp != c)
		return -1;
	(*pp)++;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One line of the holiday file.  Sets *day and returns 1 for a holiday, 0
 * for a blank or comment line, -1 with a reason in why.  The description is
 * for people reading the file; nothing needs it at run time.
 */
static int
parse_holiday_line(char *line, long long *day, char *why, size_t whylen)
{
	const char *p;
	size_t len = strlen(line);
	int y, m, d;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
	    is_blank(line[len - 1])))
		line[--len] = '\0';
	p = line;
	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if (read_digits(&p, 4, &y) == -1 || expect(&p, '-') == -1 ||
	    read_digits(&p, 2, &m) == -1 || expect(&p, '-') == -1 ||
	    read_digits(&p, 2, &d) == -1 || (*p != '\0' && !is_blank(*p))) {
		errf(why, whylen,
		    "bad format, expected \"YYYY-MM-DD description\"");
		return -1;
	}
	if (!valid_date(y, m, d)) {
		errf(why, whylen, "bad date %04d-%02d-%02d", y, m, d);
		return -1;
	}
	*day = day_number(y, m, d);
	return 1;
}

struct calendar *
calendar_new(int open_min, int close_min)
{
	struct calendar *cal;

	/* Without an error channel the caller must check for NULL; an
	 * inverted day would make every deadline meaningless. */
	if (!valid_hours(open_min, close_min))
		return NULL;
	cal = xcalloc(1, sizeof(*cal));
	cal->open_min = open_min;
	cal->close_min = close_min;
	return cal;
}

struct calendar *
calendar_load(const char *path, int open_min, int close_min, char *err,
    size_t errlen)
{
	struct calendar *cal;
	FILE *fp;
	char *line = NULL, why[128];
	size_t linecap = 0, i, n;
	long long day;
	int lineno = 0, r;

	if (!valid_hours(open_min, close_min)) {
		errf(err, errlen, "%s: working hours %02d:%02d-%02d:%02d: "
		    "opening must be before closing, within one day", path,
		    open_min / 60, open_min % 60, close_min / 60,
		    close_min % 60);
		return NULL;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	cal = calendar_new(open_min, close_min);
	while (getline(&line, &linecap, fp) != -1) {
		lineno++;
		r = parse_holiday_line(line, &day, why, sizeof(why));
		if (r == -1) {
			errf(err, errlen, "%s:%d: %s", path, lineno, why);
			goto fail;
		}
		if (r == 1)
			add_holiday(cal, day);
	}
	if (ferror(fp)) {
		errf(err, errlen, "%s:%d: read error: %s", path, lineno + 1,
		    strerror(errno));
		goto fail;
	}
	free(line);
	fclose(fp);

	/* Sorted for bsearch; duplicates are harmless (the same day pasted
	 * twice from two sources) so they are merged rather than refused. */
	if (cal->nholidays > 1) {
		qsort(cal->holidays, cal->nholidays, sizeof(cal->holidays[0]),
		    cmp_day);
		for (i = 1, n = 1; i < cal->nholidays; i++)
			if (cal->holidays[i] != cal->holidays[n - 1])
				cal->holidays[n++] = cal->holidays[i];
		cal->nholidays = n;
	}
	return cal;

fail:
	free(line);
	fclose(fp);
	calendar_free(cal);
	return NULL;
}

void
calendar_free(struct calendar *cal)
{
	if (cal == NULL)
		return;
	free(cal->holidays);
	free(cal);
}

void
calendar_years(const struct calendar *cal, int *first, int *last)
{
	long long y;
	int m, d;

	if (first != NULL)
		*first = 0;
	if (last != NULL)
		*last = 0;
	if (cal->nholidays == 0)
		return;
	if (first != NULL) {
		civil_from_day(cal->holidays[0], &y, &m, &d, NULL);
		*first = (int)y;
	}
	if (last != NULL) {
		civil_from_day(cal->holidays[cal->nholidays - 1], &y, &m, &d,
		    NULL);
		*last = (int)y;
	}
}

int
calendar_is_holiday(const struct calendar *cal, int y, int m, int d)
{
	if (!valid_date(y, m, d))
		return 0;
	return holiday_day(cal, day_number(y, m, d));
}

int
calendar_is_working_day(const struct calendar *cal, int y, int m, int d)
{
	if (!valid_date(y, m, d))
		return 0;
	return working_day(cal, day_number(y, m, d));
}

long
calendar_london_offset(time_t utc)
{
	long long y;
	int m, d;

	/* The switches happen at 01:00 UTC, far from the new year, so the
	 * UTC year is the right year to take the rule from. */
	civil_from_day(floor_div(utc, DAY_SECS), &y, &m, &d, NULL);
	if (utc >= uk_switch(y, 3) && utc < uk_switch(y, 10))
		return BST_SECS;
	return 0;
}

time_t
calendar_london_to_utc(int y, int m, int d, int hh, int mm, int ss)
{
	long long yy = y, mon = m - 1;

	/* Fold an out-of-range month into the year so callers may do
	 * arithmetic on the fields, as they can with mktime(). */
	yy += floor_div(mon, 12);
	mon -= 12 * floor_div(mon, 12);
	return (time_t)local_to_utc(day_number(yy, (int)mon + 1, d) *
	    DAY_SECS + hh * 3600LL + mm * 60LL + ss);
}

void
calendar_utc_to_london(time_t utc, struct tm *out)
{
	long off = calendar_london_offset(utc);
	long long local = (long long)utc + off;
	long long day = floor_div(local, DAY_SECS);
	long long sec = local - day * DAY_SECS;
	long long y;
	int m, d, yday;

	civil_from_day(day, &y, &m, &d, &yday);
	memset(out, 0, sizeof(*out));
	out->tm_year = (int)(y - 1900);
	out->tm_mon = m - 1;
	out->tm_mday = d;
	out->tm_hour = (int)(sec / 3600);
	out->tm_min = (int)(sec / 60 % 60);
	out->tm_sec = (int)(sec % 60);
	out->tm_wday = weekday(day);
	out->tm_yday = yday;
	out->tm_isdst = off != 0;
#ifdef _GNU_SOURCE
	/* So strftime's %z and %Z agree with the fields. */
	out->tm_gmtoff = off;
	out->tm_zone = off ? "BST" : "GMT";
#endif
}

time_t
calendar_add_working_days(const struct calendar *cal, time_t start, int n)
{
	long long day = working_day_of(cal, start);

	/* A negative count has no meaning for a deadline; it is treated as
	 * zero rather than walking backwards past the start. */
	for (; n > 0; n--)
		day = next_working_day(cal, day);
	return closing_time(cal, day);
}

time_t
calendar_same_working_day(const struct calendar *cal, time_t start)
{
	return calendar_add_working_days(cal, start, 0);
}

int
calendar_working_days_between(const struct calendar *cal, time_t a, time_t b)
{
	long long da = working_day_of(cal, a), db = working_day_of(cal, b);
	long long n;
	size_t i, end;

	if (db <= da)
		return 0;
	/* Working days in (da, db]: the weekdays, less the holidays that
	 * fall on a weekday (a weekend entry would otherwise count twice). */
	n = weekdays_before(db + 1) - weekdays_before(da + 1);
	end = holiday_lower_bound(cal, db + 1);
	for (i = holiday_lower_bound(cal, da + 1); i < end; i++) {
		int wd = weekday(cal->holidays[i]);

		if (wd != 0 && wd != 6)
			n--;
	}
	return n > INT_MAX ? INT_MAX : (int)n;
}

int
calendar_in_working_hours(const struct calendar *cal, time_t t)
{
	long long local = london_local(t);
	long long day = floor_div(local, DAY_SECS);
	long long sec = local - day * DAY_SECS;

	return working_day(cal, day) && sec >= cal->open_min * 60LL &&
	    sec <= cal->close_min * 60LL;
}

time_t
calendar_next_working_time(const struct calendar *cal, time_t t)
{
	long long local, day, sec;

	if (calendar_in_working_hours(cal, t))
		return t;
	local = london_local(t);
	day = floor_div(local, DAY_SECS);
	sec = local - day * DAY_SECS;
	if (!working_day(cal, day) || sec > cal->open_min * 60LL)
		day = next_working_day(cal, day);
	return opening_time(cal, day);
}

int
calendar_format_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;
	long off = calendar_london_offset(t);
	int n;

	calendar_utc_to_london(t, &tm);
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d+%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, off / 3600, off / 60 % 60);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
calendar_format_words(time_t t, char *buf, size_t len)
{
	struct tm tm;
	int h, n;
	const char *ampm;

	calendar_utc_to_london(t, &tm);
	/* 12-hour clock as people write it in letters: noon is "12pm" and
	 * minutes appear only when there are some ("9:30am"). */
	h = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
	ampm = tm.tm_hour < 12 ? "am" : "pm";
	if (tm.tm_min != 0)
		n = snprintf(buf, len, "%d:%02d%s on %s %d %s %d", h,
		    tm.tm_min, ampm, weekday_names[tm.tm_wday], tm.tm_mday,
		    month_names[tm.tm_mon], tm.tm_year + 1900);
	else
		n = snprintf(buf, len, "%d%s on %s %d %s %d", h, ampm,
		    weekday_names[tm.tm_wday], tm.tm_mday,
		    month_names[tm.tm_mon], tm.tm_year + 1900);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
calendar_format_date(time_t t, char *buf, size_t len)
{
	struct tm tm;
	int n;

	calendar_utc_to_london(t, &tm);
	n = snprintf(buf, len, "%s %d %s %d", weekday_names[tm.tm_wday],
	    tm.tm_mday, month_names[tm.tm_mon], tm.tm_year + 1900);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
calendar_parse_iso(const char *s, time_t *out)
{
	const char *p = s;
	int y, mo, d, hh = 0, mi = 0, ss = 0, oh, om;
	long long local, off = 0;
	int has_off = 0;

	if (s == NULL || out == NULL)
		return -1;
	if (read_digits(&p, 4, &y) == -1 || expect(&p, '-') == -1 ||
	    read_digits(&p, 2, &mo) == -1 || expect(&p, '-') == -1 ||
	    read_digits(&p, 2, &d) == -1 || !valid_date(y, mo, d))
		return -1;
	if (*p != '\0') {
		/* Space as well as T: SQLite and people write it so. */
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (read_digits(&p, 2, &hh) == -1 || expect(&p, ':') == -1 ||
		    read_digits(&p, 2, &mi) == -1)
			return -1;
		if (*p == ':') {
			p++;
			if (read_digits(&p, 2, &ss) == -1)
				return -1;
			/* Fractions (JavaScript writes milliseconds) are
			 * valid ISO; deadlines do not need them. */
			if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
				p++;
				while (*p >= '0' && *p <= '9')
					p++;
			}
		}
		if (hh > 23 || mi > 59 || ss > 59)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
			has_off = 1;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;

			if (read_digits(&p, 2, &oh) == -1 ||
			    expect(&p, ':') == -1 ||
			    read_digits(&p, 2, &om) == -1 ||
			    oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 3600LL + om * 60LL);
			has_off = 1;
		}
		if (*p != '\0')
			return -1;
	}
	local = day_number(y, mo, d) * DAY_SECS + hh * 3600LL + mi * 60LL + ss;
	*out = (time_t)(has_off ? local - off : local_to_utc(local));
	return 0;
}
