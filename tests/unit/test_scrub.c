/*
 * test_scrub: free text before it is reported (bot/scrub.h).  Each case
 * gives a text, the case's personal values, and the text expected back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"

#define R	SCRUB_MARK

struct scrub_case {
	const char	*name;
	const char	*text;
	const char	*personal[4];
	const char	*want;
};

static const struct scrub_case cases[] = {
	{ "nothing personal", "Share minutes within 5 working days.",
	  { NULL }, "Share minutes within 5 working days." },
	{ "personal name whole and in parts",
	  "Alex Example's school; alex was seen; EXAMPLE family",
	  { "Alex Example" }, R "'s school; " R " was seen; " R " family" },
	{ "personal words are whole words only", "Alexander and Examples",
	  { "Alex Example" }, "Alexander and Examples" },
	{ "two-letter name", "Jo is to attend", { "Jo Li" }, R " is to attend" },
	{ "short lower-case words of a value stay", "1 of 2 to go",
	  { "1 of to" }, "1 of 2 to go" },
	{ "personal address", "lives at 1 Example Road now",
	  { "1 Example Road" }, "lives at " R " now" },
	{ "empty and NULL values skipped", "plain", { "", NULL }, "plain" },
	{ "date d/m/y", "DOB 14/03/2016.", { NULL }, "DOB " R "." },
	{ "date d-m-y", "born 14-03-2016 at", { NULL }, "born " R " at" },
	{ "date d.m.yy", "on 1.3.16 and", { NULL }, "on " R " and" },
	{ "date iso", "on 2016-03-14,", { NULL }, "on " R "," },
	{ "month and year", "since 03/2016 only", { NULL }, "since " R " only" },
	{ "day month year", "born 14 March 2016 in", { NULL },
	  "born " R " in" },
	{ "ordinal of month", "the 1st of Sept meeting", { NULL },
	  "the " R " meeting" },
	{ "month day, year", "on March 14, 2016 we", { NULL }, "on " R " we" },
	{ "month year", "in Dec 2025 it", { NULL }, "in " R " it" },
	{ "month alone stays", "We may meet in March.", { NULL },
	  "We may meet in March." },
	{ "NHS number spaced", "NHS 999 000 0018 known", { NULL },
	  "NHS " R " known" },
	{ "NHS number plain", "NHS: 9990000018.", { NULL }, "NHS: " R "." },
	{ "NHS number dashed", "nhs 999-000-0018", { NULL }, "nhs " R },
	{ "phone landline", "call 01952 123456 today", { NULL },
	  "call " R " today" },
	{ "phone international", "ring +44 (0)7700 900123.", { NULL },
	  "ring " R "." },
	{ "phone mobile spaced", "07700 900 123", { NULL }, R },
	{ "postcode", "lives in TF1 2AB now", { NULL }, "lives in " R " now" },
	{ "postcode long and tight", "SW1A 1AA, EC1A1BB and M1 1AA", { NULL },
	  R ", " R " and " R },
	{ "postcode-like words stay", "A1 road and B2B sales", { NULL },
	  "A1 road and B2B sales" },
	{ "email", "mail jo.bloggs+x@mail.example.com.", { NULL },
	  "mail " R "." },
	{ "at sign alone stays", "meet @ 10", { NULL }, "meet @ 10" },
	{ "short numbers stay", "3 of 12 cases, 2026 and TWSP-2026-0007",
	  { NULL }, "3 of 12 cases, 2026 and TWSP-2026-0007" },
	{ "adjacent removals merge", "Alex Example 14/03/2016",
	  { "Alex Example" }, R " " R },
	{ "everything at once",
	  "Alex (DOB 14-03-2016, NHS 999 000 0018) of TF1 2AB, 01952 123456",
	  { "Alex Example" },
	  R " (DOB " R ", NHS " R ") of " R ", " R },
	{ "UTF-8 name", "Zoë Example said", { "Zoë" }, R " Example said" },
};

static void
test_table(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scrub_case *c = &cases[i];
		size_t n = 0;
		char *got;

		while (n < 4 && c->personal[n])
			n++;
		if (n == 0 && c->personal[1])
			n = 2;	/* "" then NULL: both skipped */
		got = scrub_text(c->text, c->personal, n);
		if (strcmp(got, c->want) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n", c->name,
			    got, c->want);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

static void
test_null_text(void **state)
{
	char *got = scrub_text(NULL, NULL, 0);

	(void)state;
	assert_string_equal(got, "");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_null_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
