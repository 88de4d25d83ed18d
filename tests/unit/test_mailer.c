/*
 * test_mailer: escbot's own Message-IDs are keyed (the same token and key
 * give the same id; another key another id; the id holds no unkeyed hash
 * of the token), and no body line can end a MIME part: lines starting
 * "--" and a forged boundary in the text stay inside their part, whose
 * boundary is random.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "mailer.h"
#include "util.h"

static const char token[] = "case/TWSP-2026-0007/ack";

static void
key_fill(unsigned char *k, unsigned char seed)
{
	for (int i = 0; i < MAILER_KEY_LEN; i++)
		k[i] = (unsigned char)(seed + i * 7);
}

static void
test_same_token_same_key(void **state)
{
	unsigned char k[MAILER_KEY_LEN];
	char *a, *b;

	(void)state;
	key_fill(k, 1);
	a = mailer_message_id(k, token, "escbot@example.gov.uk");
	b = mailer_message_id(k, token, "escbot@example.gov.uk");
	assert_string_equal(a, b);
	assert_int_equal(strncmp(a, "escbot.", 7), 0);
	assert_non_null(strstr(a, "@example.gov.uk"));
	assert_int_equal(strlen(a), strlen("escbot.@example.gov.uk") + 32);
	free(b);
	b = mailer_message_id(k, "case/TWSP-2026-0007/reminder-1",
	    "escbot@example.gov.uk");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_other_key_other_id(void **state)
{
	unsigned char k1[MAILER_KEY_LEN], k2[MAILER_KEY_LEN];
	char *a, *b;

	(void)state;
	key_fill(k1, 1);
	key_fill(k2, 1);
	k2[MAILER_KEY_LEN - 1] ^= 1;
	a = mailer_message_id(k1, token, "escbot@example.gov.uk");
	b = mailer_message_id(k2, token, "escbot@example.gov.uk");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

/* What a forger could compute from the token alone. */
static void
hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + i * 2, 3, "%02x", p[i]);
}

static void
test_no_unkeyed_hash(void **state)
{
	unsigned char k[MAILER_KEY_LEN], dig[32], zero[MAILER_KEY_LEN] = { 0 };
	char h[65], *id;
	uint64_t a = 0xcbf29ce484222325ULL;

	(void)state;
	key_fill(k, 9);
	id = mailer_message_id(k, token, "escbot@example.gov.uk");
	/* SHA-256 of the token, and HMAC under an all-zero key. */
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, token,
	    strlen(token), dig), 0);
	hex(dig, 8, h);
	assert_null(strstr(id, h));
	assert_int_equal(gnutls_hmac_fast(GNUTLS_MAC_SHA256, zero, sizeof(zero),
	    token, strlen(token), dig), 0);
	hex(dig, 8, h);
	assert_null(strstr(id, h));
	/* The FNV-1a 64 escbot used before keys. */
	for (const char *s = token; *s; s++) {
		a ^= (unsigned char)*s;
		a *= 0x100000001b3ULL;
	}
	snprintf(h, sizeof(h), "%016llx", (unsigned long long)a);
	assert_null(strstr(id, h));
	free(id);
}

/* The boundary= of the Content-Type header that starts at or after p. */
static char *
boundary_after(const char *p, const char *type)
{
	const char *t = strstr(p, type), *b, *e;

	assert_non_null(t);
	b = strstr(t, "boundary=\"");
	assert_non_null(b);
	b += 10;
	e = strchr(b, '"');
	assert_non_null(e);
	return xstrndup(b, (size_t)(e - b));
}

static const char hostile[] =
    "Lessons:\n--\n--escbot-alt-boundary-7d1f0c\n"
    "--escbot-mixed-boundary-3a9e51--\n"
    "\r\n--boundary--\r\nContent-Type: text/html\r\n\r\n<b>injected</b>\n"
    "---- end ----\n";

/* Every line of msg that starts "--" is one of the two boundaries. */
static void
assert_only_boundaries(const char *msg, const char *alt, const char *mixed)
{
	const char *l = msg;
	int nalt = 0, nmixed = 0;

	for (; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		size_t len = strcspn(l, "\r\n");

		assert_true(len <= 78);
		if (strncmp(l, "--", 2) != 0)
			continue;
		if (strncmp(l + 2, alt, strlen(alt)) == 0)
			nalt++;
		else if (strncmp(l + 2, mixed, strlen(mixed)) == 0)
			nmixed++;
		else
			fail_msg("a body line starts with --: %.*s", (int)len, l);
	}
	assert_int_equal(nalt, 3);	/* text, html, end */
	assert_int_equal(nmixed, 3);	/* body, csv, end */
}

static void
test_no_line_ends_a_part(void **state)
{
	struct attachment_out att = { "r.csv", "text/csv; charset=UTF-8",
	    "ref\r\n--x\r\n", 11 };
	const char *to[] = { "board@example.gov.uk" };
	struct outgoing o;
	char *m1, *m2, *alt, *mixed, *alt2;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.from = "Escalations <escbot@example.gov.uk>";
	o.to = to;
	o.nto = 1;
	o.subject = "Weekly digest";
	o.text = hostile;
	o.html = "<p>x</p>\n--escbot-alt-boundary-7d1f0c--\n";
	o.message_id = "escbot.1@example.gov.uk";
	o.date = 1795000000;
	o.attachments = &att;
	o.nattachments = 1;
	m1 = mailer_compose(&o);
	mixed = boundary_after(m1, "multipart/mixed");
	alt = boundary_after(m1, "multipart/alternative");
	assert_int_equal(strncmp(alt, "=_escbot_", 9), 0);
	assert_string_not_equal(alt, "escbot-alt-boundary-7d1f0c");
	assert_only_boundaries(m1, alt, mixed);
	m2 = mailer_compose(&o);
	alt2 = boundary_after(m2, "multipart/alternative");
	assert_string_not_equal(alt, alt2);	/* random, not fixed */
	free(alt2);
	free(alt);
	free(mixed);
	free(m1);
	free(m2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_token_same_key),
		cmocka_unit_test(test_other_key_other_id),
		cmocka_unit_test(test_no_unkeyed_hash),
		cmocka_unit_test(test_no_line_ends_a_part),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
