/*
 * test_calendar: the holiday data file, the London offset around both 2026
 * switches, and every deadline word of the rules, checked against instants
 * worked out by hand (expected values are written as UTC with timegm, which
 * does not share any code with the calendar under test).  Run from the
 * repository root so etc/bank-holidays-england-wales.txt is found.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "unit.h"

#define HOLIDAY_FILE	"etc/bank-holidays-england-wales.txt"
#define OPEN		(9 * 60)
#define CLOSE		(17 * 60)
#define MAX_LISTED	256

/* A UTC instant, independent of the code under test (unit.h). */
#define U	unit_utc

static int
wday(int y, int m, int d)
{
	time_t t = U(y, m, d, 12, 0, 0);
	struct tm tm;

	gmtime_r(&t, &tm);
	return tm.tm_wday;
}

static int
is_weekend(int y, int m, int d)
{
	int w = wday(y, m, d);

	return w == 0 || w == 6;
}

static void
check_time(time_t got, time_t want, const char *file, int line)
{
	char g[64], w[64];
	struct tm tm;

	if (got == want)
		return;
	gmtime_r(&got, &tm);
	strftime(g, sizeof(g), "%Y-%m-%d %H:%M:%S UTC", &tm);
	gmtime_r(&want, &tm);
	strftime(w, sizeof(w), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fail_msg("%s:%d: got %s, want %s", file, line, g, w);
}
#define assert_time(got, want) check_time((got), (want), __FILE__, __LINE__)

static struct calendar *
load_real(void)
{
	char err[256] = "";
	struct calendar *cal;

	cal = calendar_load(HOLIDAY_FILE, OPEN, CLOSE, err, sizeof(err));
	if (cal == NULL)
		fail_msg("calendar_load: %s", err);
	return cal;
}

static int
setup(void **state)
{
	*state = load_real();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	calendar_free(*state);
	return 0;
}

/* ---- the data file ------------------------------------------------ */

struct ymd {
	int	y, m, d;
};

/* Reads the file with its own simple parser so the test does not trust
 * calendar_load to have seen every line. */
static size_t
read_listed(struct ymd *out, size_t max)
{
	FILE *fp = fopen(HOLIDAY_FILE, "r");
	char line[256];
	size_t n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct ymd h;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%4d-%2d-%2d", &h.y, &h.m, &h.d),
		    3);
		assert_true(n < max);
		out[n++] = h;
	}
	fclose(fp);
	return n;
}

static int
listed(const struct ymd *l, size_t n, int y, int m, int d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].y == y && l[i].m == m && l[i].d == d)
			return 1;
	return 0;
}

static void
shift_day(int *y, int *m, int *d, int by)
{
	time_t t = U(*y, *m, *d + by, 12, 0, 0);
	struct tm tm;

	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

static void
test_years_covered(void **state)
{
	int first, last;

	calendar_years(*state, &first, &last);
	assert_int_equal(first, 2018);
	assert_int_equal(last, 2030);
}

static void
test_listed_days_not_working(void **state)
{
	struct calendar *cal = *state;
	struct ymd l[MAX_LISTED];
	size_t n = read_listed(l, MAX_LISTED), i;
	int by, y, m, d, want;

	assert_true(n >= 13 * 8);
	for (i = 0; i < n; i++) {
		/* The published lists never name a weekend day; one here
		 * would mean a missing substitute. */
		assert_false(is_weekend(l[i].y, l[i].m, l[i].d));
		assert_true(calendar_is_holiday(cal, l[i].y, l[i].m, l[i].d));
		assert_false(calendar_is_working_day(cal, l[i].y, l[i].m,
		    l[i].d));
		for (by = -1; by <= 1; by += 2) {
			y = l[i].y, m = l[i].m, d = l[i].d;
			shift_day(&y, &m, &d, by);
			want = !is_weekend(y, m, d) && !listed(l, n, y, m, d);
			if (calendar_is_working_day(cal, y, m, d) != want)
				fail_msg("%04d-%02d-%02d: working %d, want %d",
				    y, m, d, !want, want);
		}
	}
}

static int
count_year(const struct calendar *cal, int y)
{
	int m, d, n = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	for (m = 1; m <= 12; m++)
		for (d = 1; d <= mdays[m - 1]; d++)
			n += calendar_is_holiday(cal, y, m, d);
	return n;
}

static void
test_holidays_per_year(void **state)
{
	int y, want;

	for (y = 2018; y <= 2030; y++) {
		/* 2022: Jubilee and State Funeral; 2023: Coronation.  2020
		 * moved a day (VE Day) without adding one. */
		want = y == 2022 ? 10 : y == 2023 ? 9 : 8;
		if (count_year(*state, y) != want)
			fail_msg("%d: %d holidays, want %d", y,
			    count_year(*state, y), want);
	}
	assert_int_equal(count_year(*state, 2017), 0);
	assert_int_equal(count_year(*state, 2031), 0);
}

/* Gregorian Easter Sunday by the Meeus/Jones/Butcher method. */
static void
easter(int y, int *m, int *d)
{
	int a = y % 19, b = y / 100, c = y % 100, dd = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - dd - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int mm = (a + 11 * h + 22 * l) / 451;

	*m = (h + l - 7 * mm + 114) / 31;
	*d = (h + l - 7 * mm + 114) % 31 + 1;
}

static void
test_easter_algorithm(void **state)
{
	int m, d;

	(void)state;
	easter(2019, &m, &d);
	assert_true(m == 4 && d == 21);
	easter(2024, &m, &d);
	assert_true(m == 3 && d == 31);
	easter(2026, &m, &d);
	assert_true(m == 4 && d == 5);
	easter(2027, &m, &d);
	assert_true(m == 3 && d == 28);
}

static void
add_expect(struct ymd *e, int *n, int y, int m, int d, int by)
{
	shift_day(&y, &m, &d, by);
	e[*n].y = y;
	e[*n].m = m;
	e[*n].d = d;
	(*n)++;
}

/* The standing rules, with the one-off changes of 2020, 2022 and 2023. */
static int
expected_year(int y, struct ymd *e)
{
	int n = 0, m, d, w;

	w = wday(y, 1, 1);
	add_expect(e, &n, y, 1, 1, w == 6 ? 2 : w == 0 ? 1 : 0);
	easter(y, &m, &d);
	add_expect(e, &n, y, m, d, -2);
	add_expect(e, &n, y, m, d, 1);
	if (y == 2020)
		add_expect(e, &n, 2020, 5, 8, 0);
	else
		add_expect(e, &n, y, 5, 1, (8 - wday(y, 5, 1)) % 7);
	if (y == 2022) {
		add_expect(e, &n, 2022, 6, 2, 0);
		add_expect(e, &n, 2022, 6, 3, 0);
		add_expect(e, &n, 2022, 9, 19, 0);
	} else
		add_expect(e, &n, y, 5, 31, -((wday(y, 5, 31) + 6) % 7));
	if (y == 2023)
		add_expect(e, &n, 2023, 5, 8, 0);
	add_expect(e, &n, y, 8, 31, -((wday(y, 8, 31) + 6) % 7));
	switch (wday(y, 12, 25)) {
	case 5:	/* Friday: Boxing Day moves to Monday */
		add_expect(e, &n, y, 12, 25, 0);
		add_expect(e, &n, y, 12, 28, 0);
		break;
	case 6:	/* Saturday: both move */
		add_expect(e, &n, y, 12, 27, 0);
		add_expect(e, &n, y, 12, 28, 0);
		break;
	case 0:	/* Sunday: Boxing Day Monday, Christmas Tuesday */
		add_expect(e, &n, y, 12, 26, 0);
		add_expect(e, &n, y, 12, 27, 0);
		break;
	default:
		add_expect(e, &n, y, 12, 25, 0);
		add_expect(e, &n, y, 12, 26, 0);
		break;
	}
	return n;
}

static void
test_holidays_follow_rules(void **state)
{
	struct ymd e[16];
	int y, n, yy, mm, dd;

	for (y = 2018; y <= 2030; y++) {
		n = expected_year(y, e);
		yy = y, mm = 1, dd = 1;
		while (yy == y) {
			int want = listed(e, (size_t)n, yy, mm, dd);

			if (calendar_is_holiday(*state, yy, mm, dd) != want)
				fail_msg("%04d-%02d-%02d: holiday %d, want %d",
				    yy, mm, dd, !want, want);
			shift_day(&yy, &mm, &dd, 1);
		}
	}
}

static void
test_easter_and_christmas_days(void **state)
{
	struct calendar *cal = *state;

	/* Easter 2026 and 2027. */
	assert_true(calendar_is_holiday(cal, 2026, 4, 3));
	assert_true(calendar_is_holiday(cal, 2026, 4, 6));
	assert_true(calendar_is_working_day(cal, 2026, 4, 2));
	assert_true(calendar_is_working_day(cal, 2026, 4, 7));
	assert_true(calendar_is_holiday(cal, 2027, 3, 26));
	assert_true(calendar_is_holiday(cal, 2027, 3, 29));
	assert_true(calendar_is_working_day(cal, 2027, 3, 25));
	assert_true(calendar_is_working_day(cal, 2027, 3, 30));

	/* Christmas 2026: 26th is a Saturday, so Monday 28th is off. */
	assert_true(calendar_is_working_day(cal, 2026, 12, 24));
	assert_false(calendar_is_working_day(cal, 2026, 12, 25));
	assert_false(calendar_is_holiday(cal, 2026, 12, 26));
	assert_false(calendar_is_working_day(cal, 2026, 12, 26));
	assert_false(calendar_is_working_day(cal, 2026, 12, 27));
	assert_true(calendar_is_holiday(cal, 2026, 12, 28));
	assert_true(calendar_is_working_day(cal, 2026, 12, 29));
	assert_true(calendar_is_working_day(cal, 2026, 12, 31));
	assert_true(calendar_is_holiday(cal, 2027, 1, 1));
	assert_true(calendar_is_working_day(cal, 2027, 1, 4));

	/* Substitute days. */
	assert_true(calendar_is_holiday(cal, 2020, 12, 28));
	assert_true(calendar_is_holiday(cal, 2021, 12, 27));
	assert_true(calendar_is_holiday(cal, 2021, 12, 28));
	assert_true(calendar_is_holiday(cal, 2022, 1, 3));
	assert_true(calendar_is_holiday(cal, 2022, 12, 26));
	assert_true(calendar_is_holiday(cal, 2022, 12, 27));
	assert_true(calendar_is_holiday(cal, 2023, 1, 2));
	assert_true(calendar_is_holiday(cal, 2027, 12, 27));
	assert_true(calendar_is_holiday(cal, 2027, 12, 28));
	assert_true(calendar_is_holiday(cal, 2028, 1, 3));
	assert_false(calendar_is_holiday(cal, 2028, 1, 1));
}

static void
test_one_off_days(void **state)
{
	struct calendar *cal = *state;

	assert_true(calendar_is_holiday(cal, 2020, 5, 8));
	assert_false(calendar_is_holiday(cal, 2020, 5, 4));
	assert_true(calendar_is_working_day(cal, 2020, 5, 4));
	assert_true(calendar_is_holiday(cal, 2022, 6, 2));
	assert_true(calendar_is_holiday(cal, 2022, 6, 3));
	assert_false(calendar_is_holiday(cal, 2022, 5, 30));
	assert_true(calendar_is_working_day(cal, 2022, 5, 30));
	assert_true(calendar_is_holiday(cal, 2022, 9, 19));
	assert_true(calendar_is_holiday(cal, 2023, 5, 8));
	assert_true(calendar_is_holiday(cal, 2023, 5, 1));
	assert_true(calendar_is_holiday(cal, 2023, 5, 29));
}

static void
test_invalid_dates(void **state)
{
	assert_false(calendar_is_working_day(*state, 2026, 2, 29));
	assert_false(calendar_is_working_day(*state, 2026, 13, 1));
	assert_false(calendar_is_working_day(*state, 2026, 0, 1));
	assert_false(calendar_is_holiday(*state, 2026, 12, 32));
	assert_true(calendar_is_working_day(*state, 2028, 2, 29));
}

/* ---- loading ------------------------------------------------------ */

static char *
write_temp(const char *text)
{
	char *path = strdup("/tmp/test_calendar.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
expect_load_error(const char *text, const char *want_suffix)
{
	char err[256] = "", want[256];
	char *path = write_temp(text);

	assert_null(calendar_load(path, OPEN, CLOSE, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s%s", path, want_suffix);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("err \"%s\", want prefix \"%s\"", err, want);
	unlink(path);
	free(path);
}

static void
test_load_errors(void **state)
{
	char err[256] = "";

	(void)state;
	expect_load_error("# c\n2026-01-01 New Year\n2026-02-30 Nope\n",
	    ":3: bad date");
	expect_load_error("2026-13-01 Nope\n", ":1: bad date");
	expect_load_error("\n\n26-01-01 Short year\n", ":3: bad format");
	expect_load_error("2026/01/01 Slashes\n", ":1: bad format");
	expect_load_error("2026-01-01x\n", ":1: bad format");
	expect_load_error("New Year 2026-01-01\n", ":1: bad format");

	assert_null(calendar_load("/nonexistent/holidays.txt", OPEN, CLOSE,
	    err, sizeof(err)));
	assert_true(strncmp(err, "/nonexistent/holidays.txt: ", 27) == 0);

	/* Opening must come before closing. */
	err[0] = '\0';
	assert_null(calendar_load(HOLIDAY_FILE, CLOSE, OPEN, err,
	    sizeof(err)));
	assert_true(strncmp(err, HOLIDAY_FILE ": ", strlen(HOLIDAY_FILE) + 2)
	    == 0);
	assert_null(calendar_load(HOLIDAY_FILE, OPEN, OPEN, err,
	    sizeof(err)));
	assert_null(calendar_load(HOLIDAY_FILE, OPEN, 1441, err, sizeof(err)));
	assert_null(calendar_load(HOLIDAY_FILE, -1, CLOSE, NULL, 0));
	assert_null(calendar_new(CLOSE, OPEN));
}

static void
test_load_tolerant(void **state)
{
	char err[256] = "";
	struct calendar *cal;
	char *path;
	int first, last;

	(void)state;
	/* Duplicates, CRLF, indented comments and blank lines are fine. */
	path = write_temp("# header\r\n\r\n2026-12-25 Christmas Day\r\n"
	    "   # indented\n2026-12-25 Christmas Day again\n\t\n"
	    "2025-12-26\n2026-12-28 Boxing Day (substitute day)\n");
	cal = calendar_load(path, OPEN, CLOSE, err, sizeof(err));
	if (cal == NULL)
		fail_msg("%s", err);
	calendar_years(cal, &first, &last);
	assert_int_equal(first, 2025);
	assert_int_equal(last, 2026);
	assert_true(calendar_is_holiday(cal, 2026, 12, 25));
	assert_true(calendar_is_holiday(cal, 2025, 12, 26));
	assert_true(calendar_is_holiday(cal, 2026, 12, 28));
	/* The duplicate must not disturb counting past it. */
	assert_int_equal(calendar_working_days_between(cal,
	    U(2026, 12, 24, 10, 0, 0), U(2026, 12, 29, 10, 0, 0)), 1);
	calendar_free(cal);
	unlink(path);
	free(path);

	path = write_temp("# nothing yet\n");
	cal = calendar_load(path, OPEN, CLOSE, err, sizeof(err));
	assert_non_null(cal);
	calendar_years(cal, &first, &last);
	assert_int_equal(first, 0);
	assert_int_equal(last, 0);
	calendar_free(cal);
	unlink(path);
	free(path);
}

static void
test_empty_calendar(void **state)
{
	struct calendar *cal = calendar_new(8 * 60, 18 * 60 + 30);

	(void)state;
	assert_non_null(cal);
	assert_true(calendar_is_working_day(cal, 2026, 12, 25));
	assert_false(calendar_is_working_day(cal, 2026, 12, 26));
	/* Thursday 24 Dec + 1 = Friday 25 Dec at 18:30 GMT. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 24, 10, 0, 0),
	    1), U(2026, 12, 25, 18, 30, 0));
	assert_true(calendar_in_working_hours(cal, U(2026, 12, 25, 8, 0, 0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 12, 25, 7, 59,
	    59)));
	calendar_free(cal);
	calendar_free(NULL);
}

/* ---- London offset ------------------------------------------------ */

static void
test_offset_spring_2026(void **state)
{
	struct tm tm;

	(void)state;
	assert_int_equal(calendar_london_offset(U(2026, 3, 28, 12, 0, 0)), 0);
	assert_int_equal(calendar_london_offset(U(2026, 3, 29, 0, 59, 59)), 0);
	assert_int_equal(calendar_london_offset(U(2026, 3, 29, 1, 0, 0)),
	    3600);
	assert_int_equal(calendar_london_offset(U(2026, 7, 1, 0, 0, 0)), 3600);
	assert_int_equal(calendar_london_offset(U(2026, 1, 15, 0, 0, 0)), 0);

	calendar_utc_to_london(U(2026, 3, 29, 0, 59, 59), &tm);
	assert_int_equal(tm.tm_hour, 0);
	assert_int_equal(tm.tm_min, 59);
	assert_int_equal(tm.tm_sec, 59);
	assert_int_equal(tm.tm_isdst, 0);
	calendar_utc_to_london(U(2026, 3, 29, 1, 0, 0), &tm);
	assert_int_equal(tm.tm_year, 126);
	assert_int_equal(tm.tm_mon, 2);
	assert_int_equal(tm.tm_mday, 29);
	assert_int_equal(tm.tm_hour, 2);
	assert_int_equal(tm.tm_min, 0);
	assert_int_equal(tm.tm_isdst, 1);
	assert_int_equal(tm.tm_wday, 0);
	assert_int_equal(tm.tm_yday, 31 + 28 + 28);
}

static void
test_offset_autumn_2026(void **state)
{
	struct tm tm;

	(void)state;
	assert_int_equal(calendar_london_offset(U(2026, 10, 25, 0, 59, 59)),
	    3600);
	assert_int_equal(calendar_london_offset(U(2026, 10, 25, 1, 0, 0)), 0);
	assert_int_equal(calendar_london_offset(U(2026, 10, 24, 23, 0, 0)),
	    3600);

	calendar_utc_to_london(U(2026, 10, 25, 0, 59, 59), &tm);
	assert_int_equal(tm.tm_hour, 1);
	assert_int_equal(tm.tm_min, 59);
	assert_int_equal(tm.tm_isdst, 1);
	calendar_utc_to_london(U(2026, 10, 25, 1, 0, 0), &tm);
	assert_int_equal(tm.tm_hour, 1);
	assert_int_equal(tm.tm_min, 0);
	assert_int_equal(tm.tm_isdst, 0);
	assert_int_equal(tm.tm_wday, 0);

	/* New Year's Eve late in the evening stays on the 31st. */
	calendar_utc_to_london(U(2026, 12, 31, 23, 59, 59), &tm);
	assert_int_equal(tm.tm_mday, 31);
	assert_int_equal(tm.tm_yday, 364);
	assert_int_equal(tm.tm_wday, 4);
}

static void
test_london_to_utc(void **state)
{
	(void)state;
	assert_time(calendar_london_to_utc(2026, 12, 8, 17, 0, 0),
	    U(2026, 12, 8, 17, 0, 0));
	assert_time(calendar_london_to_utc(2026, 7, 1, 17, 0, 0),
	    U(2026, 7, 1, 16, 0, 0));
	assert_time(calendar_london_to_utc(2026, 3, 29, 0, 30, 0),
	    U(2026, 3, 29, 0, 30, 0));
	assert_time(calendar_london_to_utc(2026, 3, 29, 2, 0, 0),
	    U(2026, 3, 29, 1, 0, 0));
	/* 01:30 does not exist on 29 March: the later reading. */
	assert_time(calendar_london_to_utc(2026, 3, 29, 1, 30, 0),
	    U(2026, 3, 29, 1, 30, 0));
	/* 01:30 happens twice on 25 October: the earlier (BST) one. */
	assert_time(calendar_london_to_utc(2026, 10, 25, 1, 30, 0),
	    U(2026, 10, 25, 0, 30, 0));
	assert_time(calendar_london_to_utc(2026, 10, 25, 0, 30, 0),
	    U(2026, 10, 24, 23, 30, 0));
	assert_time(calendar_london_to_utc(2026, 10, 25, 2, 0, 0),
	    U(2026, 10, 25, 2, 0, 0));
	/* Month 13 is January of the next year. */
	assert_time(calendar_london_to_utc(2026, 13, 1, 0, 0, 0),
	    U(2027, 1, 1, 0, 0, 0));
	assert_time(calendar_london_to_utc(1969, 12, 31, 23, 0, 0),
	    U(1969, 12, 31, 23, 0, 0));
}

static void
test_offset_independent_of_tz(void **state)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	time_t t;

	(void)state;
	setenv("TZ", "America/New_York", 1);
	tzset();
	assert_int_equal(calendar_london_offset(U(2026, 7, 1, 12, 0, 0)),
	    3600);
	t = calendar_add_working_days(*state, U(2026, 7, 1, 10, 0, 0), 1);
	assert_time(t, U(2026, 7, 2, 16, 0, 0));
	if (old != NULL) {
		setenv("TZ", old, 1);
		free(old);
	} else
		unsetenv("TZ");
	tzset();
}

static void
assert_local_17(time_t t)
{
	struct tm tm;

	calendar_utc_to_london(t, &tm);
	assert_int_equal(tm.tm_hour, 17);
	assert_int_equal(tm.tm_min, 0);
	assert_int_equal(tm.tm_sec, 0);
}

/* ---- deadlines ---------------------------------------------------- */

static void
test_deadline_across_spring_switch(void **state)
{
	time_t t;

	/* Friday 27 March 2026 10:00 GMT + 1 = Monday 30 March 17:00 BST. */
	t = calendar_add_working_days(*state, U(2026, 3, 27, 10, 0, 0), 1);
	assert_time(t, U(2026, 3, 30, 16, 0, 0));
	assert_local_17(t);
	/* Thursday + 2 lands on the same Monday. */
	t = calendar_add_working_days(*state, U(2026, 3, 26, 10, 0, 0), 2);
	assert_time(t, U(2026, 3, 30, 16, 0, 0));
	/* The switch night itself: Sunday 29 March 01:30 UTC. */
	t = calendar_add_working_days(*state, U(2026, 3, 29, 1, 30, 0), 1);
	assert_time(t, U(2026, 3, 31, 16, 0, 0));
	assert_local_17(t);
	/* Friday's deadline is still GMT. */
	t = calendar_same_working_day(*state, U(2026, 3, 27, 10, 0, 0));
	assert_time(t, U(2026, 3, 27, 17, 0, 0));
	assert_local_17(t);
}

static void
test_deadline_across_autumn_switch(void **state)
{
	time_t t;

	/* Friday 23 October 2026 10:00 BST + 1 = Monday 26 October 17:00
	 * GMT. */
	t = calendar_add_working_days(*state, U(2026, 10, 23, 9, 0, 0), 1);
	assert_time(t, U(2026, 10, 26, 17, 0, 0));
	assert_local_17(t);
	t = calendar_same_working_day(*state, U(2026, 10, 23, 9, 0, 0));
	assert_time(t, U(2026, 10, 23, 16, 0, 0));
	assert_local_17(t);
	t = calendar_add_working_days(*state, U(2026, 10, 25, 0, 30, 0), 1);
	assert_time(t, U(2026, 10, 27, 17, 0, 0));
	assert_local_17(t);
}

static void
test_deadline_weekends(void **state)
{
	struct calendar *cal = *state;

	/* Thursday 10 December 2026 + 3 = Tuesday 15th. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 10, 10, 0, 0),
	    3), U(2026, 12, 15, 17, 0, 0));
	/* Monday + 5 = the next Monday. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 7, 10, 0, 0),
	    5), U(2026, 12, 14, 17, 0, 0));
	/* Friday + 1 = Monday. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 11, 10, 0, 0),
	    1), U(2026, 12, 14, 17, 0, 0));
	/* Monday + 10 = two weeks on. */
	assert_time(calendar_add_working_days(cal, U(2026, 11, 2, 10, 0, 0),
	    10), U(2026, 11, 16, 17, 0, 0));
	/* A negative count is treated as the same working day. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 7, 10, 0, 0),
	    -3), U(2026, 12, 7, 17, 0, 0));
}

static void
test_deadline_easter_2026(void **state)
{
	struct calendar *cal = *state;

	/* Thursday 2 April 10:00 BST + 1 skips Good Friday and Easter
	 * Monday: Tuesday 7 April 17:00 BST. */
	assert_time(calendar_add_working_days(cal, U(2026, 4, 2, 9, 0, 0), 1),
	    U(2026, 4, 7, 16, 0, 0));
	assert_time(calendar_add_working_days(cal, U(2026, 4, 1, 9, 0, 0), 2),
	    U(2026, 4, 7, 16, 0, 0));
	assert_time(calendar_add_working_days(cal, U(2026, 4, 2, 9, 0, 0), 5),
	    U(2026, 4, 13, 16, 0, 0));
	/* Submitted on Good Friday: counts from Tuesday. */
	assert_time(calendar_add_working_days(cal, U(2026, 4, 3, 11, 0, 0), 1),
	    U(2026, 4, 8, 16, 0, 0));
	assert_time(calendar_same_working_day(cal, U(2026, 4, 6, 11, 0, 0)),
	    U(2026, 4, 7, 16, 0, 0));
}

static void
test_deadline_christmas_2026(void **state)
{
	struct calendar *cal = *state;

	/* Thursday 24 December + 1: 25th, weekend and 28th are off. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 24, 10, 0, 0),
	    1), U(2026, 12, 29, 17, 0, 0));
	/* Wednesday 30 December + 2: 31st, then 1 January is off. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 30, 10, 0, 0),
	    2), U(2027, 1, 4, 17, 0, 0));
	/* Christmas Eve after hours + 1 = Wednesday 30th. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 24, 17, 30, 0),
	    1), U(2026, 12, 30, 17, 0, 0));
	/* Wednesday 23rd + 5: 24, 29, 30, 31, then 4 January. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 23, 10, 0, 0),
	    5), U(2027, 1, 4, 17, 0, 0));
}

static void
test_deadline_boundaries(void **state)
{
	struct calendar *cal = *state;

	/* Monday 7 December 2026. */
	/* 17:30 is after hours: counts from Tuesday, + 1 = Wednesday. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 7, 17, 30, 0),
	    1), U(2026, 12, 9, 17, 0, 0));
	/* Exactly 17:00 belongs to Monday. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 7, 17, 0, 0),
	    1), U(2026, 12, 8, 17, 0, 0));
	assert_time(calendar_add_working_days(cal, U(2026, 12, 7, 17, 0, 1),
	    1), U(2026, 12, 9, 17, 0, 0));
	/* Before opening counts as that day. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 7, 7, 0, 0),
	    1), U(2026, 12, 8, 17, 0, 0));
	assert_time(calendar_add_working_days(cal, U(2026, 12, 7, 0, 0, 0),
	    1), U(2026, 12, 8, 17, 0, 0));
	/* Weekend submissions count from Monday. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 12, 10, 0, 0),
	    1), U(2026, 12, 15, 17, 0, 0));
	assert_time(calendar_add_working_days(cal, U(2026, 12, 13, 23, 59, 0),
	    1), U(2026, 12, 15, 17, 0, 0));
	/* Friday evening counts from Monday. */
	assert_time(calendar_add_working_days(cal, U(2026, 12, 11, 18, 0, 0),
	    1), U(2026, 12, 15, 17, 0, 0));
	/* In summer, 16:30 UTC is 17:30 BST: after hours. */
	assert_time(calendar_add_working_days(cal, U(2026, 7, 6, 16, 30, 0),
	    1), U(2026, 7, 8, 16, 0, 0));
	assert_time(calendar_add_working_days(cal, U(2026, 7, 6, 16, 0, 0),
	    1), U(2026, 7, 7, 16, 0, 0));
}

static void
test_same_working_day(void **state)
{
	struct calendar *cal = *state;

	assert_time(calendar_same_working_day(cal, U(2026, 12, 7, 10, 0, 0)),
	    U(2026, 12, 7, 17, 0, 0));
	assert_time(calendar_same_working_day(cal, U(2026, 12, 7, 17, 0, 0)),
	    U(2026, 12, 7, 17, 0, 0));
	assert_time(calendar_same_working_day(cal, U(2026, 12, 7, 17, 30, 0)),
	    U(2026, 12, 8, 17, 0, 0));
	assert_time(calendar_same_working_day(cal, U(2026, 12, 7, 6, 0, 0)),
	    U(2026, 12, 7, 17, 0, 0));
	assert_time(calendar_same_working_day(cal, U(2026, 12, 12, 10, 0, 0)),
	    U(2026, 12, 14, 17, 0, 0));
	assert_time(calendar_same_working_day(cal, U(2026, 12, 24, 18, 0, 0)),
	    U(2026, 12, 29, 17, 0, 0));
	assert_time(calendar_same_working_day(cal, U(2026, 7, 1, 9, 0, 0)),
	    U(2026, 7, 1, 16, 0, 0));
}

static void
test_working_days_between(void **state)
{
	struct calendar *cal = *state;
	time_t mon = U(2026, 12, 7, 10, 0, 0), start, due;
	int n, h;

	assert_int_equal(calendar_working_days_between(cal, mon, mon), 0);
	assert_int_equal(calendar_working_days_between(cal, mon,
	    U(2026, 12, 7, 16, 0, 0)), 0);
	assert_int_equal(calendar_working_days_between(cal, mon,
	    U(2026, 12, 11, 10, 0, 0)), 4);
	assert_int_equal(calendar_working_days_between(cal, mon,
	    U(2026, 12, 14, 10, 0, 0)), 5);
	/* Saturday belongs to Monday's working day. */
	assert_int_equal(calendar_working_days_between(cal, mon,
	    U(2026, 12, 12, 10, 0, 0)), 5);
	/* After hours belongs to the next day. */
	assert_int_equal(calendar_working_days_between(cal, mon,
	    U(2026, 12, 7, 17, 30, 0)), 1);
	/* Backwards is zero. */
	assert_int_equal(calendar_working_days_between(cal,
	    U(2026, 12, 14, 10, 0, 0), mon), 0);
	/* Christmas Eve to 4 January: 29, 30, 31, 4. */
	assert_int_equal(calendar_working_days_between(cal,
	    U(2026, 12, 24, 10, 0, 0), U(2027, 1, 4, 10, 0, 0)), 4);
	/* Easter 2026: Thursday to Tuesday is 1. */
	assert_int_equal(calendar_working_days_between(cal,
	    U(2026, 4, 2, 10, 0, 0), U(2026, 4, 7, 10, 0, 0)), 1);
	/* A whole year: 2026 has 261 weekdays and 8 weekday holidays. */
	assert_int_equal(calendar_working_days_between(cal,
	    U(2025, 12, 31, 10, 0, 0), U(2026, 12, 31, 10, 0, 0)), 253);
	/* Before 1970 the arithmetic still floors correctly. */
	assert_int_equal(calendar_working_days_between(cal,
	    U(1969, 12, 29, 10, 0, 0), U(1970, 1, 5, 10, 0, 0)), 5);

	/* The inverse of add_working_days from many starting instants. */
	for (h = 0; h < 24 * 60; h += 7) {
		start = U(2026, 12, 14, 0, 0, 0) + (time_t)h * 3600 / 2;
		for (n = 0; n <= 30; n += 3) {
			due = calendar_add_working_days(cal, start, n);
			if (calendar_working_days_between(cal, start, due) != n)
				fail_msg("h=%d n=%d", h, n);
		}
	}
}

static void
test_in_working_hours(void **state)
{
	struct calendar *cal = *state;

	/* Monday 7 December 2026 (GMT). */
	assert_false(calendar_in_working_hours(cal, U(2026, 12, 7, 3, 0, 0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 12, 7, 8, 59,
	    59)));
	assert_true(calendar_in_working_hours(cal, U(2026, 12, 7, 9, 0, 0)));
	assert_true(calendar_in_working_hours(cal, U(2026, 12, 7, 13, 0, 0)));
	assert_true(calendar_in_working_hours(cal, U(2026, 12, 7, 17, 0, 0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 12, 7, 17, 0, 1)));
	assert_false(calendar_in_working_hours(cal, U(2026, 12, 7, 22, 0, 0)));
	/* Weekend and holiday. */
	assert_false(calendar_in_working_hours(cal, U(2026, 12, 12, 12, 0,
	    0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 12, 28, 12, 0,
	    0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 4, 3, 11, 0, 0)));
	/* Summer: 08:00 UTC is 09:00 BST. */
	assert_true(calendar_in_working_hours(cal, U(2026, 7, 6, 8, 0, 0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 7, 6, 7, 59, 59)));
	assert_true(calendar_in_working_hours(cal, U(2026, 7, 6, 16, 0, 0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 7, 6, 16, 30, 0)));
	/* The Monday after each switch. */
	assert_true(calendar_in_working_hours(cal, U(2026, 3, 30, 8, 30, 0)));
	assert_false(calendar_in_working_hours(cal, U(2026, 10, 26, 8, 30,
	    0)));
}

static void
test_next_working_time(void **state)
{
	struct calendar *cal = *state;
	time_t t = U(2026, 12, 7, 13, 0, 0);

	assert_time(calendar_next_working_time(cal, t), t);
	/* Night before opening: the same morning. */
	assert_time(calendar_next_working_time(cal, U(2026, 12, 7, 3, 0, 0)),
	    U(2026, 12, 7, 9, 0, 0));
	/* Evening: the next morning. */
	assert_time(calendar_next_working_time(cal, U(2026, 12, 7, 20, 0, 0)),
	    U(2026, 12, 8, 9, 0, 0));
	/* Friday evening and the weekend: Monday. */
	assert_time(calendar_next_working_time(cal, U(2026, 12, 11, 18, 0, 0)),
	    U(2026, 12, 14, 9, 0, 0));
	assert_time(calendar_next_working_time(cal, U(2026, 12, 13, 8, 0, 0)),
	    U(2026, 12, 14, 9, 0, 0));
	/* Holidays: Good Friday 2026 and Christmas. */
	assert_time(calendar_next_working_time(cal, U(2026, 4, 3, 11, 0, 0)),
	    U(2026, 4, 7, 8, 0, 0));
	assert_time(calendar_next_working_time(cal, U(2026, 12, 24, 18, 0, 0)),
	    U(2026, 12, 29, 9, 0, 0));
	/* Across the switches: Friday GMT evening to Monday 09:00 BST, and
	 * Saturday BST to Monday 09:00 GMT. */
	assert_time(calendar_next_working_time(cal, U(2026, 3, 27, 18, 0, 0)),
	    U(2026, 3, 30, 8, 0, 0));
	assert_time(calendar_next_working_time(cal, U(2026, 3, 29, 1, 30, 0)),
	    U(2026, 3, 30, 8, 0, 0));
	assert_time(calendar_next_working_time(cal, U(2026, 10, 24, 12, 0, 0)),
	    U(2026, 10, 26, 9, 0, 0));
	/* 07:30 UTC in summer is 08:30 BST: opens at 08:00 UTC. */
	assert_time(calendar_next_working_time(cal, U(2026, 7, 6, 7, 30, 0)),
	    U(2026, 7, 6, 8, 0, 0));
}

/* ---- the TWSP chain ----------------------------------------------- */

static const int twsp_stage[] = { 2, 5, 4, 3, 4, 7 };
static const int twsp_cum[] = { 2, 7, 11, 14, 18, 25 };

/* Each stage starts at the previous stage's due time. */
static void
twsp_chain(const struct calendar *cal, time_t start, time_t due[6])
{
	time_t t = start;
	int i;

	for (i = 0; i < 6; i++)
		due[i] = t = calendar_add_working_days(cal, t, twsp_stage[i]);
}

static void
test_twsp_chain_christmas_2026(void **state)
{
	struct calendar *cal = *state;
	time_t start = U(2026, 12, 14, 10, 0, 0), due[6];
	const time_t want[6] = {
		U(2026, 12, 16, 17, 0, 0),	/* 2 */
		U(2026, 12, 23, 17, 0, 0),	/* 7 */
		U(2026, 12, 31, 17, 0, 0),	/* 11: skips 25, 28 */
		U(2027, 1, 6, 17, 0, 0),	/* 14: skips 1 Jan */
		U(2027, 1, 12, 17, 0, 0),	/* 18 */
		U(2027, 1, 21, 17, 0, 0),	/* 25 */
	};
	int i;

	twsp_chain(cal, start, due);
	for (i = 0; i < 6; i++) {
		assert_time(due[i], want[i]);
		assert_time(calendar_add_working_days(cal, start,
		    twsp_cum[i]), want[i]);
		assert_int_equal(calendar_working_days_between(cal, start,
		    due[i]), twsp_cum[i]);
	}
}

static void
test_twsp_chain_easter_2027(void **state)
{
	struct calendar *cal = *state;
	time_t start = U(2027, 3, 15, 11, 0, 0), due[6];
	/* BST starts on 28 March 2027, inside the chain. */
	const time_t want[6] = {
		U(2027, 3, 17, 17, 0, 0),	/* 2 */
		U(2027, 3, 24, 17, 0, 0),	/* 7 */
		U(2027, 4, 1, 16, 0, 0),	/* 11: skips 26 and 29 March */
		U(2027, 4, 6, 16, 0, 0),	/* 14 */
		U(2027, 4, 12, 16, 0, 0),	/* 18 */
		U(2027, 4, 21, 16, 0, 0),	/* 25 */
	};
	int i;

	twsp_chain(cal, start, due);
	for (i = 0; i < 6; i++) {
		assert_time(due[i], want[i]);
		assert_local_17(due[i]);
		assert_time(calendar_add_working_days(cal, start,
		    twsp_cum[i]), want[i]);
	}
}

/* Whatever the start (night, weekend, holiday, on the hour of closing),
 * the chained due times equal the cumulative counts. */
static void
test_twsp_chain_any_start(void **state)
{
	struct calendar *cal = *state;
	time_t base[] = { U(2026, 12, 18, 0, 0, 0), U(2027, 3, 19, 0, 0, 0),
	    U(2026, 10, 16, 0, 0, 0) };
	time_t start, due[6];
	size_t b;
	int i, q;

	for (b = 0; b < sizeof(base) / sizeof(base[0]); b++) {
		for (q = 0; q < 14 * 96; q++) {
			start = base[b] + (time_t)q * 900;
			twsp_chain(cal, start, due);
			for (i = 0; i < 6; i++)
				if (due[i] != calendar_add_working_days(cal,
				    start, twsp_cum[i]))
					fail_msg("base %zu q %d stage %d", b,
					    q, i);
		}
	}
}

/* ---- formatting and parsing --------------------------------------- */

static void
test_format_iso(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(calendar_format_iso(U(2026, 12, 8, 17, 0, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2026-12-08T17:00:00+00:00");
	assert_int_equal(calendar_format_iso(U(2026, 7, 1, 16, 0, 5), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2026-07-01T17:00:05+01:00");
	assert_int_equal(calendar_format_iso(U(2026, 3, 29, 1, 0, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2026-03-29T02:00:00+01:00");
	assert_int_equal(calendar_format_iso(U(2026, 10, 25, 0, 59, 59), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2026-10-25T01:59:59+01:00");
	assert_int_equal(calendar_format_iso(U(2026, 10, 25, 1, 0, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2026-10-25T01:00:00+00:00");
	/* 25 characters plus the NUL. */
	assert_int_equal(calendar_format_iso(U(2026, 12, 8, 17, 0, 0), buf,
	    25), -1);
	assert_int_equal(calendar_format_iso(U(2026, 12, 8, 17, 0, 0), buf,
	    26), 0);
}

static void
test_format_words(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(calendar_format_words(U(2026, 12, 8, 17, 0, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "5pm on Tuesday 8 December 2026");
	assert_int_equal(calendar_format_words(U(2026, 12, 8, 9, 30, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "9:30am on Tuesday 8 December 2026");
	assert_int_equal(calendar_format_words(U(2026, 12, 8, 12, 0, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "12pm on Tuesday 8 December 2026");
	assert_int_equal(calendar_format_words(U(2026, 12, 8, 0, 5, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "12:05am on Tuesday 8 December 2026");
	/* BST: 16:00 UTC on 1 July is 5pm local. */
	assert_int_equal(calendar_format_words(U(2026, 7, 1, 16, 0, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "5pm on Wednesday 1 July 2026");
	/* 23:30 UTC on 30 June is already 1 July in London. */
	assert_int_equal(calendar_format_words(U(2026, 6, 30, 23, 30, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "12:30am on Wednesday 1 July 2026");
	assert_int_equal(calendar_format_words(U(2026, 12, 8, 17, 0, 0), buf,
	    10), -1);
}

static void
test_format_date(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(calendar_format_date(U(2026, 12, 8, 17, 0, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "Tuesday 8 December 2026");
	assert_int_equal(calendar_format_date(U(2027, 3, 26, 23, 30, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "Friday 26 March 2027");
	assert_int_equal(calendar_format_date(U(2027, 4, 1, 23, 30, 0), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "Friday 2 April 2027");
	assert_int_equal(calendar_format_date(U(2026, 12, 8, 17, 0, 0), buf,
	    23), -1);
}

static void
expect_parse(const char *s, time_t want)
{
	time_t t = 0;

	if (calendar_parse_iso(s, &t) != 0)
		fail_msg("parse \"%s\" failed", s);
	assert_time(t, want);
}

static void
test_parse_iso(void **state)
{
	(void)state;
	expect_parse("2026-12-01T09:00:00Z", U(2026, 12, 1, 9, 0, 0));
	expect_parse("2026-07-01T09:00:00Z", U(2026, 7, 1, 9, 0, 0));
	expect_parse("2026-07-01T09:00:00+01:00", U(2026, 7, 1, 8, 0, 0));
	expect_parse("2026-12-01T09:00:00-05:30", U(2026, 12, 1, 14, 30, 0));
	expect_parse("2026-12-01T09:00:00+00:00", U(2026, 12, 1, 9, 0, 0));
	expect_parse("2026-12-01T09:00:00.123Z", U(2026, 12, 1, 9, 0, 0));
	expect_parse("2026-12-01 09:00:00Z", U(2026, 12, 1, 9, 0, 0));
	/* No offset: London local time. */
	expect_parse("2026-12-01T09:00", U(2026, 12, 1, 9, 0, 0));
	expect_parse("2026-12-01T09:00:30", U(2026, 12, 1, 9, 0, 30));
	expect_parse("2026-07-01T09:00", U(2026, 7, 1, 8, 0, 0));
	expect_parse("2026-10-25T01:30", U(2026, 10, 25, 0, 30, 0));
	/* Date only: London midnight. */
	expect_parse("2026-12-01", U(2026, 12, 1, 0, 0, 0));
	expect_parse("2026-07-01", U(2026, 6, 30, 23, 0, 0));
	expect_parse("2028-02-29", U(2028, 2, 29, 0, 0, 0));
}

static void
test_parse_iso_rejects(void **state)
{
	static const char *bad[] = {
		"", "garbage", "2026", "2026-12", "2026-12-1", "26-12-01",
		"2026-13-01", "2026-00-10", "2026-02-29", "2026-04-31",
		"2026-12-00", "2026-12-32", "2026-12-01T", "2026-12-01T9:00",
		"2026-12-01T24:00", "2026-12-01T09:60", "2026-12-01T09:00:60",
		"2026-12-01T09:00:0", "2026-12-01T09:00+1:00",
		"2026-12-01T09:00+01", "2026-12-01T09:00+24:00",
		"2026-12-01T09:00+01:60", "2026-12-01T09:00Zjunk",
		"2026-12-01T09:00:00.Z", "2026-12-01Z", "2026-12-01x",
		" 2026-12-01", "2026-12-01 ", "2026-12-01X09:00",
		"2026-12-01T09:00:00 Z", "+2026-12-01", "\xef\xbc\x92\xef\xbc\x90-12-01",
	};
	size_t i;
	time_t t;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 12345;
		if (calendar_parse_iso(bad[i], &t) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(t, 12345);
	}
	assert_int_equal(calendar_parse_iso(NULL, &t), -1);
}

static void
test_iso_round_trip(void **state)
{
	const time_t when[] = {
		U(2026, 12, 8, 17, 0, 0), U(2026, 7, 1, 16, 0, 5),
		U(2026, 3, 29, 0, 59, 59), U(2026, 3, 29, 1, 0, 0),
		U(2026, 10, 25, 0, 30, 0), U(2026, 10, 25, 1, 30, 0),
		U(2027, 1, 1, 0, 0, 0), U(2024, 2, 29, 23, 59, 59),
		U(1970, 1, 1, 0, 0, 0), U(2099, 6, 15, 12, 0, 0),
	};
	char buf[64];
	time_t t;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		assert_int_equal(calendar_format_iso(when[i], buf,
		    sizeof(buf)), 0);
		assert_int_equal(calendar_parse_iso(buf, &t), 0);
		assert_time(t, when[i]);
	}
	/* Every quarter hour across both 2026 switch weekends. */
	for (k = 0; k < 3 * 96; k++) {
		time_t a = U(2026, 3, 28, 0, 0, 0) + (time_t)k * 900;
		time_t b = U(2026, 10, 24, 0, 0, 0) + (time_t)k * 900;

		assert_int_equal(calendar_format_iso(a, buf, sizeof(buf)), 0);
		assert_int_equal(calendar_parse_iso(buf, &t), 0);
		assert_time(t, a);
		assert_int_equal(calendar_format_iso(b, buf, sizeof(buf)), 0);
		assert_int_equal(calendar_parse_iso(buf, &t), 0);
		assert_time(t, b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_years_covered),
		cmocka_unit_test(test_listed_days_not_working),
		cmocka_unit_test(test_holidays_per_year),
		cmocka_unit_test(test_easter_algorithm),
		cmocka_unit_test(test_holidays_follow_rules),
		cmocka_unit_test(test_easter_and_christmas_days),
		cmocka_unit_test(test_one_off_days),
		cmocka_unit_test(test_invalid_dates),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_tolerant),
		cmocka_unit_test(test_empty_calendar),
		cmocka_unit_test(test_offset_spring_2026),
		cmocka_unit_test(test_offset_autumn_2026),
		cmocka_unit_test(test_london_to_utc),
		cmocka_unit_test(test_offset_independent_of_tz),
		cmocka_unit_test(test_deadline_across_spring_switch),
		cmocka_unit_test(test_deadline_across_autumn_switch),
		cmocka_unit_test(test_deadline_weekends),
		cmocka_unit_test(test_deadline_easter_2026),
		cmocka_unit_test(test_deadline_christmas_2026),
		cmocka_unit_test(test_deadline_boundaries),
		cmocka_unit_test(test_same_working_day),
		cmocka_unit_test(test_working_days_between),
		cmocka_unit_test(test_in_working_hours),
		cmocka_unit_test(test_next_working_time),
		cmocka_unit_test(test_twsp_chain_christmas_2026),
		cmocka_unit_test(test_twsp_chain_easter_2027),
		cmocka_unit_test(test_twsp_chain_any_start),
		cmocka_unit_test(test_format_iso),
		cmocka_unit_test(test_format_words),
		cmocka_unit_test(test_format_date),
		cmocka_unit_test(test_parse_iso),
		cmocka_unit_test(test_parse_iso_rejects),
		cmocka_unit_test(test_iso_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
