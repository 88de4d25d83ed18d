/*
 * mailer: composes outgoing messages by hand rather than through a MIME
 * library: the shapes are few (text, or text + HTML alternative), and
 * writing them directly keeps the header-injection guarantees easy to see.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "addr.h"
#include "calendar.h"
#include "log.h"
#include "mailer.h"
#include "util.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of up to 3 bytes: 4 characters, '=' padded. */
static void
b64_group(struct strbuf *sb, const unsigned char *p, size_t n)
{
	uint32_t v = (uint32_t)p[0] << 16;

	if (n > 1)
		v |= (uint32_t)p[1] << 8;
	if (n > 2)
		v |= p[2];
	sb_addc(sb, b64[(v >> 18) & 63]);
	sb_addc(sb, b64[(v >> 12) & 63]);
	sb_addc(sb, n > 1 ? b64[(v >> 6) & 63] : '=');
	sb_addc(sb, n > 2 ? b64[v & 63] : '=');
}

char *
mailer_message_id(const unsigned char key[MAILER_KEY_LEN], const char *token,
    const char *from_addr)
{
	const char *dom = addr_domain(from_addr);
	unsigned char mac[32];
	char hex[33];

	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, MAILER_KEY_LEN, token,
	    strlen(token), mac) != 0)
		fatalx("HMAC-SHA256 unavailable");
	for (int i = 0; i < 16; i++)
		snprintf(hex + i * 2, 3, "%02x", mac[i]);
	return xasprintf("escbot.%s@%s", hex, dom ? dom : "escbot.invalid");
}

static int
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

char *
mailer_encode_header(const char *value)
{
	struct strbuf sb = { 0 };
	const unsigned char *p;
	size_t len, i, chunk, start;
	char *safe = str_header_safe(value);

	if (is_ascii(safe))
		return safe;
	p = (const unsigned char *)safe;
	len = strlen(safe);
	/* Encoded words of at most 45 bytes, never splitting a UTF-8
	 * character, joined by folding white space. */
	for (start = 0; start < len; start += chunk) {
		chunk = len - start < 45 ? len - start : 45;
		while (start + chunk < len && (p[start + chunk] & 0xc0) == 0x80)
			chunk--;
		if (start)
			sb_adds(&sb, "\r\n ");
		sb_adds(&sb, "=?UTF-8?B?");
		for (i = 0; i < chunk; i += 3)
			b64_group(&sb, p + start + i, chunk - i < 3 ? chunk - i : 3);
		sb_adds(&sb, "?=");
	}
	free(safe);
	return sb_steal(&sb);
}

/* A display-name address with the name encoded when needed. */
static void
add_address(struct strbuf *sb, const char *addr)
{
	char *safe = str_header_safe(addr), *lt, *name, *enc;

	lt = strrchr(safe, '<');
	if (lt == NULL || lt == safe) {
		sb_adds(sb, str_trim(safe));
		free(safe);
		return;
	}
	name = xstrndup(safe, (size_t)(lt - safe));
	str_trim(name);
	if (is_ascii(name) && strpbrk(name, "\",.;:@()[]") != NULL) {
		sb_addc(sb, '"');
		for (char *q = name; *q; q++)
			if (*q != '"' && *q != '\\')
				sb_addc(sb, *q);
		sb_addc(sb, '"');
	} else {
		enc = mailer_encode_header(name);
		sb_adds(sb, enc);
		free(enc);
	}
	sb_addc(sb, ' ');
	sb_adds(sb, lt);
	free(name);
	free(safe);
}

static void
add_address_list(struct strbuf *sb, const char *hdr, const char *const *l,
    size_t n)
{
	if (n == 0)
		return;
	sb_adds(sb, hdr);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(sb, ",\r\n ");
		add_address(sb, l[i]);
	}
	sb_adds(sb, "\r\n");
}

/* Quoted-printable (RFC 2045) with CRLF line ends.  A '.' or '-' that
 * starts a line is encoded too: no encoded line can be "--boundary". */
static void
add_qp(struct strbuf *sb, const char *s)
{
	size_t col = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r')
			continue;
		if (c == '\n') {
			sb_adds(sb, "\r\n");
			col = 0;
			continue;
		}
		if (col >= 72) {
			sb_adds(sb, "=\r\n");
			col = 0;
		}
		if ((c == ' ' || c == '\t') && (s[1] == '\n' || s[1] == '\0' ||
		    s[1] == '\r')) {
			sb_addf(sb, "=%02X", c);
			col += 3;
		} else if (c == '=' || c >= 0x7f || (c < 0x20 && c != '\t') ||
		    (col == 0 && (c == '.' || c == '-'))) {
			sb_addf(sb, "=%02X", c);
			col += 3;
		} else {
			sb_addc(sb, (char)c);
			col++;
		}
	}
	sb_adds(sb, "\r\n");
}

static void
add_part(struct strbuf *sb, const char *type, const char *body)
{
	sb_addf(sb, "Content-Type: %s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", type);
	add_qp(sb, body);
}

#define BOUNDARY_SIZE	48	/* "=_escbot_" 32 hex digits, "_a"/"_m", NUL */

static int
holds(const char *data, size_t len, const char *needle)
{
	return data != NULL && memmem(data, len, needle, strlen(needle)) != NULL;
}

/* Does any content of o hold s? */
static int
in_content(const struct outgoing *o, const char *s)
{
	if (holds(o->text, o->text ? strlen(o->text) : 0, s) ||
	    holds(o->html, o->html ? strlen(o->html) : 0, s))
		return 1;
	for (size_t i = 0; i < o->nattachments; i++)
		if (holds(o->attachments[i].data, o->attachments[i].len, s))
			return 1;
	return 0;
}

/*
 * A boundary from 16 random bytes that the content does not hold (a new
 * one is drawn when it does).  It starts "=_", which quoted-printable and
 * base64 output never contain, so not even encoded content can match it.
 */
static void
new_boundary(const struct outgoing *o, const char *kind, char *b)
{
	unsigned char r[16];
	ssize_t n;

	do {
		do
			n = getrandom(r, sizeof(r), 0);
		while (n == -1 && errno == EINTR);
		if (n != (ssize_t)sizeof(r))
			fatalx("getrandom: %s", n == -1 ? strerror(errno) :
			    "short read");
		memcpy(b, "=_escbot_", 9);
		for (size_t i = 0; i < sizeof(r); i++)
			snprintf(b + 9 + i * 2, 3, "%02x", r[i]);
		snprintf(b + 9 + 32, BOUNDARY_SIZE - 9 - 32, "_%s", kind);
	} while (in_content(o, b));
}

static void
add_base64(struct strbuf *sb, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t col = 0;

	for (size_t i = 0; i < len; i += 3) {
		b64_group(sb, p + i, len - i < 3 ? len - i : 3);
		if ((col += 4) >= 76) {
			sb_adds(sb, "\r\n");
			col = 0;
		}
	}
	if (col)
		sb_adds(sb, "\r\n");
}

/* The text part, or text and HTML as alternatives. */
static void
add_body(struct strbuf *sb, const struct outgoing *o)
{
	char b[BOUNDARY_SIZE];

	if (o->html == NULL) {
		add_part(sb, "text/plain", o->text);
		return;
	}
	new_boundary(o, "a", b);
	sb_addf(sb, "Content-Type: multipart/alternative;\r\n "
	    "boundary=\"%s\"\r\n\r\n", b);
	sb_addf(sb, "--%s\r\n", b);
	add_part(sb, "text/plain", o->text);
	sb_addf(sb, "--%s\r\n", b);
	add_part(sb, "text/html", o->html);
	sb_addf(sb, "--%s--\r\n", b);
}

/* Date, addresses, subject, ids and the fixed headers. */
static void
add_headers(struct strbuf *sb, const struct outgoing *o)
{
	char date[64], *subj, *s;
	struct tm tm;
	long off;

	calendar_utc_to_london(o->date, &tm);
	off = calendar_london_offset(o->date) / 60;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S", &tm);
	sb_addf(sb, "Date: %s %c%02ld%02ld\r\n", date, off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
	sb_adds(sb, "From: ");
	add_address(sb, o->from);
	sb_adds(sb, "\r\n");
	add_address_list(sb, "To: ", o->to, o->nto);
	add_address_list(sb, "Cc: ", o->cc, o->ncc);
	subj = mailer_encode_header(o->subject);
	sb_addf(sb, "Subject: %s\r\n", subj);
	free(subj);
	s = str_header_safe(o->message_id);
	sb_addf(sb, "Message-ID: <%s>\r\n", s);
	free(s);
	if (o->in_reply_to && *o->in_reply_to) {
		s = str_header_safe(o->in_reply_to);
		sb_addf(sb, "In-Reply-To: <%s>\r\n", s);
		free(s);
	}
	if (o->references && *o->references) {
		char *refs = str_header_safe(o->references), *tok, *save = NULL;
		int first = 1;

		sb_adds(sb, "References:");
		for (tok = strtok_r(refs, " ", &save); tok;
		    tok = strtok_r(NULL, " ", &save)) {
			sb_addf(sb, "%s<%s>", first ? " " : "\r\n ", tok);
			first = 0;
		}
		sb_adds(sb, "\r\n");
		free(refs);
	}
	sb_adds(sb, "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Auto-Response-Suppress: All\r\n"
	    "Precedence: bulk\r\n");
}

char *
mailer_compose(const struct outgoing *o)
{
	struct strbuf sb = { 0 };
	char mixed[BOUNDARY_SIZE];

	add_headers(&sb, o);
	if (o->nattachments > 0) {
		new_boundary(o, "m", mixed);
		sb_addf(&sb, "Content-Type: multipart/mixed;\r\n "
		    "boundary=\"%s\"\r\n\r\n--%s\r\n", mixed, mixed);
	}
	add_body(&sb, o);
	for (size_t i = 0; i < o->nattachments; i++) {
		const struct attachment_out *a = &o->attachments[i];
		char *name = str_header_safe(a->filename);
		char *type = str_header_safe(a->content_type);

		for (char *q = name; *q; q++)
			if (*q == '"' || *q == '\\' || (unsigned char)*q >= 0x80)
				*q = '_';
		sb_addf(&sb, "--%s\r\nContent-Type: %s\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n", mixed,
		    type, name);
		add_base64(&sb, a->data, a->len);
		free(type);
		free(name);
	}
	if (o->nattachments > 0)
		sb_addf(&sb, "--%s--\r\n", mixed);
	return sb_steal(&sb);
}
