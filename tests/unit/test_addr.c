/*
 * addr: the addr-spec parser and the domain matcher, one table each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"

static void
test_addr_spec(void **state)
{
	static const struct { const char *in, *want; } t[] = {
		{ "a@b.example", "a@b.example" },
		{ "  A@B.Example  ", "a@b.example" },
		{ "<Jo@X.uk>", "jo@x.uk" },
		{ "Jo Smith <jo@x.uk>", "jo@x.uk" },
		{ "\"Smith, Jo\" <jo@x.uk>", "jo@x.uk" },
		{ "\"a<b\" <jo@x.uk>", "jo@x.uk" },	/* the last <> */
		{ "Jo < jo@x.uk >", "jo@x.uk" },
		{ "Jo <jo@x.uk", NULL },	/* no '>': the whole, blanks */
		{ "no address", NULL },
		{ "<>", NULL },
		{ "", NULL },
		{ "a@b, c@d", NULL },
		{ "a b@c", NULL },
		{ "a\"b@c", NULL },
		{ "a;b@c", NULL },
		{ NULL, NULL },
	};
	char *got;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = addr_spec(t[i].in);
		if (t[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, t[i].want);
		free(got);
	}
}

static void
test_addr_span(void **state)
{
	static const struct { const char *in, *want; } t[] = {
		{ "Jo <Jo@X>", "Jo@X" },
		{ "  jo@x  ", "jo@x" },
		{ "<>", "" },
		{ "< a@b >", " a@b " },
		{ "x <a> <b>", "b" },
	};
	const char *b;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		b = addr_span(t[i].in, &len);
		assert_non_null(b);
		assert_int_equal(len, strlen(t[i].want));
		assert_memory_equal(b, t[i].want, len);
	}
	assert_null(addr_span(NULL, &len));
}

static void
test_addr_domain(void **state)
{
	(void)state;
	assert_string_equal(addr_domain("a@b.uk"), "b.uk");
	assert_string_equal(addr_domain("\"a@x\"@b.uk"), "b.uk");
	assert_string_equal(addr_domain("a@"), "");
	assert_null(addr_domain("ab.uk"));
	assert_null(addr_domain(NULL));
}

static void
test_addr_domain_matches(void **state)
{
	static const struct { const char *dom, *pat; int want; } t[] = {
		{ "example.gov.uk", "example.gov.uk", 1 },
		{ "EXAMPLE.gov.uk", "example.GOV.uk", 1 },
		{ "wigan.example.gov.uk", "example.gov.uk", 1 },
		{ "a.b.example.gov.uk", "example.gov.uk", 1 },
		{ "evilexample.gov.uk", "example.gov.uk", 0 },
		{ "example.gov.uk.evil.com", "example.gov.uk", 0 },
		{ "gov.uk", "example.gov.uk", 0 },
		{ ".example.gov.uk", "example.gov.uk", 1 },
		{ NULL, "example.gov.uk", 0 },
		{ "example.gov.uk", NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(addr_domain_matches(t[i].dom, t[i].pat),
		    t[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_spec),
		cmocka_unit_test(test_addr_span),
		cmocka_unit_test(test_addr_domain),
		cmocka_unit_test(test_addr_domain_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
