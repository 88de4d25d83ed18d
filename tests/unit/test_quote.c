/*
 * test_quote: where the sender's own text ends (bot/quote.h), for the two
 * uses of the one detector: a short reply command above the history it
 * answers, and a form above quoted history and a signature.  Each case
 * gives a text and the part of it that is the sender's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "util.h"

struct own_case {
	const char	*name;
	const char	*own;		/* the sender's part */
	const char	*rest;		/* what follows it */
};

static const struct own_case cases[] = {
	{ "outlook original message",
	  "PAUSE: waiting for strategy meeting\n\n",
	  "-----Original Message-----\nFrom: Lee Sample\nSent: 01 December "
	  "2026 09:00\nTo: Escalations\nSubject: TWSP-2026-0001\n\nold text\n" },
	{ "outlook original message, spaced",
	  "RESUME\n",
	  "   ----- Original Message -----\nold\n" },
	{ "outlook header block",
	  "PAUSE: waiting for strategy meeting\n\n",
	  "From: Lee Sample <lee@example.gov.uk>\nSent: 01 December 2026 09:00\n"
	  "To: Escalations <escalations@example.gov.uk>\nSubject: RE: "
	  "TWSP-2026-0001\n\nold text\n" },
	{ "outlook header block under its rule",
	  "EXTEND 5 days\n\n",
	  "________________________________\nFrom: Lee Sample\nSent: 01 "
	  "December 2026 09:00\nTo: Escalations\nSubject: RE: form\n\nold\n" },
	{ "header block as the first line",
	  "",
	  "From: Lee Sample\nDate: Mon, 1 Dec 2026 09:00\nSubject: form\n" },
	{ "gmail",
	  "PAUSE: waiting for strategy meeting\n\n",
	  "On Mon, 1 Dec 2026 at 09:00, X <x@y> wrote:\n\n> old text\n" },
	{ "gmail, wrapped",
	  "RESOLVED\n\n",
	  "On Mon, 1 Dec 2026 at 09:00, Lee Sample <\nlee@example.gov.uk> "
	  "wrote:\n> old text\n" },
	{ "apple mail",
	  "DONE 2\n\nSent from my iPhone\n\n",
	  "On 1 Dec 2026, at 09:00, Lee Sample <lee@example.gov.uk> wrote:\n"
	  "\n> old text\n" },
	{ "quoting",
	  "ESCALATE\nno reply from the school\n",
	  "> old text\n> more\n" },
	{ "quoting, indented",
	  "ESCALATE\n",
	  "   > old text\n" },
	{ "signature",
	  "EXTEND 5 days\n",
	  "-- \nJo Practitioner\nTel 01952 000000\n" },
	{ "no history",
	  "PAUSE: waiting for strategy meeting\nKind regards\nJo\n",
	  "" },
	{ "no history, no line end",
	  "RESUME",
	  "" },
	{ "empty", "", "" },
	{ "crlf, gmail",
	  "PAUSE: waiting for strategy meeting\r\n\r\n",
	  "On Mon, 1 Dec 2026 at 09:00, X <x@y> wrote:\r\n> old\r\n" },
	{ "crlf, signature",
	  "RESUME\r\n",
	  "-- \r\nJo\r\n" },
	{ "crlf, outlook header block",
	  "PAUSE: meeting on Friday\r\n\r\n",
	  "From: Lee Sample\r\nSent: 01 December 2026\r\nTo: Escalations\r\n" },
	/* Not history. */
	{ "a From: line that is not a header block",
	  "PAUSE: waiting\nFrom: the chair's note, the meeting is Friday\n"
	  "we will meet then\n",
	  "" },
	{ "dashes that are not a signature",
	  "EXTEND 5 days\n--\n-- see below\n---\n",
	  "" },
	{ "on ... without wrote",
	  "On Monday the school will reply.\nOn reflection, yes.\n",
	  "" },
};

static void
test_own_len(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct own_case *c = &cases[i];
		char *text = xasprintf("%s%s", c->own, c->rest);
		char *own = quote_own_text(text);

		print_message("%s\n", c->name);
		assert_int_equal(quote_own_len(text), strlen(c->own));
		assert_string_equal(own, c->own);
		free(own);
		free(text);
	}
}

static void
test_null(void **state)
{
	char *own = quote_own_text(NULL);

	(void)state;
	assert_int_equal(quote_own_len(NULL), 0);
	assert_non_null(own);
	assert_string_equal(own, "");
	free(own);
}

static void
test_signoff(void **state)
{
	static const struct { const char *line; int is; } lines[] = {
		{ "Kind regards,", 1 }, { "  Thanks  ", 1 }, { "Thank you.", 1 },
		{ "Many thanks\r", 1 }, { "Sent from my iPhone", 1 },
		{ "Best wishes", 1 }, { "Yours sincerely", 1 },
		{ "Thanks for the form", 0 }, { "Regards to the family", 0 },
		{ "", 0 }, { "PAUSE: waiting", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const char *s = lines[i].line;

		print_message("%s\n", s);
		assert_int_equal(quote_signoff(s, s + strlen(s)), lines[i].is);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_len),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_signoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
