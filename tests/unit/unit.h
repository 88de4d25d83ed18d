/*
 * unit.h: what several cmocka tests share.  Header-only (each test is one
 * .c file): static inline helpers, and the shipped forms loaded once per
 * test group when UNIT_WITH_FORMS is defined before inclusion.
 */
#ifndef ESCBOT_TEST_UNIT_H
#define ESCBOT_TEST_UNIT_H

#include <string.h>
#include <time.h>

/* A UTC instant, independent of the code under test. */
static inline time_t
unit_utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

#ifdef UNIT_WITH_FORMS
#include "diag.h"
#include "form.h"

/* rules/forms, as shipped (the tests run from the repository's root). */
static struct form_set *forms;

static int
setup(void **state)
{
	struct diag d = { 0, NULL };

	(void)state;
	return form_set_load("rules/forms", &forms, &d) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	form_set_free(forms);
	return 0;
}
#endif

#endif
