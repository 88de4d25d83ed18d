/*
 * message: raw RFC 5322 bytes to a struct message.  The header block is
 * split and unfolded here (every header kept, in order, RFC 2047 decoded to
 * UTF-8 with libetpan's mailmime_encoded_phrase_parse); addresses and dates
 * go through libetpan's RFC 5322 parsers, and the body through its MIME
 * parser (mailmime_parse), with our own decoders undoing quoted-printable
 * and base64 and iconv converting charsets.  Nothing in a message is
 * trusted: invalid bytes become U+FFFD, an unknown charset falls back to a
 * UTF-8 cleanup, the walk over the MIME tree stops at MIME_MAX_DEPTH, and
 * input that would drive libetpan's recursive parsers too deep is not
 * given to them at all: a message with more than MIME_MAX_COMPOSITE
 * multipart or message parts, or MIME_MAX_PARTS body parts, however
 * spelled, is refused with the reason; one with comments nested too deep
 * keeps its headers and gets no body; multiparts left open at the end
 * of a message cut short are closed before libetpan sees it (else it
 * drops the last part of a nested one).  The best text is the first
 * text/plain part that is not an attachment (format=flowed joined, RFC
 * 3676), else text made from the first such text/html part, else the text
 * inside a TNEF part.  Attachments are the leaf parts with a file name or
 * "Content-Disposition: attachment", and the other non-body leaves (images,
 * documents, delivery-status reports), decoded; a TNEF part (winmail.dat)
 * is followed by the files inside it.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "log.h"
#include "message.h"
#include "tnef.h"
#include "util.h"

#define MIME_MAX_DEPTH		20	/* our walk over the MIME tree */
#define MIME_MAX_COMPOSITE	200	/* multipart and message parts */
#define MIME_MAX_PARTS		2000	/* body parts (boundary lines) */
#define MAX_COMMENT_DEPTH	100	/* nested "(" in one logical line */
#define MAX_HEADERS		5000
#define MAX_RFC2231_SECTIONS	100

struct walk {
	struct message	*msg;
	char		*text;		/* first text/plain body, UTF-8 */
	char		*html;		/* first text/html body, UTF-8 */
	char		*tnef_text;	/* first message text in a TNEF part */
	size_t		 acap;
};

/* --- UTF-8 ---------------------------------------------------------------- */

static void
sb_add_cp(struct strbuf *sb, unsigned long cp)
{
	char b[4];

	if (cp < 0x80) {
		sb_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		sb_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		sb_add(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		sb_add(sb, b, 4);
	}
}

#define REPLACEMENT	0xfffdUL

/* Length of the well-formed UTF-8 sequence at s (no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Append in[0..len) keeping valid UTF-8; every other byte, and NUL,
 * becomes U+FFFD. */
static void
sb_add_utf8_clean(struct strbuf *sb, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n, run = 0;

	while (i < len) {
		n = utf8_seq(s + i, len - i);
		if (n > 0 && s[i] != 0) {
			i += n;
			run += n;
			continue;
		}
		sb_add(sb, (const char *)s + i - run, run);
		run = 0;
		sb_add_cp(sb, REPLACEMENT);
		i++;
	}
	sb_add(sb, (const char *)s + i - run, run);
}

static char *
utf8_clean(const char *in, size_t len)
{
	struct strbuf sb = { 0 };

	sb_add_utf8_clean(&sb, in, len);
	return sb_steal(&sb);
}

/* Lower-case charset name without quotes or blanks, mapped to what iconv
 * should use; NULL for "treat as UTF-8". */
static const char *
charset_for_iconv(const char *charset, char *buf, size_t buflen)
{
	static const struct {
		const char *label, *iconv;
	} alias[] = {
		/* WHATWG: these labels mean windows-1252 in practice. */
		{ "iso-8859-1", "WINDOWS-1252" },
		{ "iso8859-1", "WINDOWS-1252" },
		{ "iso_8859-1", "WINDOWS-1252" },
		{ "latin1", "WINDOWS-1252" },
		{ "l1", "WINDOWS-1252" },
		{ "cp819", "WINDOWS-1252" },
		{ "ibm819", "WINDOWS-1252" },
		{ "iso-8859-9", "WINDOWS-1254" },
		{ "iso-8859-8-i", "ISO-8859-8" },
		{ "ks_c_5601-1987", "CP949" },
		{ "gb2312", "GB18030" },
		{ "gbk", "GB18030" },
		{ "x-gbk", "GB18030" },
		{ "x-sjis", "SHIFT_JIS" },
		{ "x-mac-roman", "MACINTOSH" },
		{ "windows-874", "CP874" },
	};
	static const char *utf8[] = {
		"", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968",
		"unicode-1-1-utf-8", "x-unknown", "unknown", "unknown-8bit",
		"x-user-defined", "default", "8bit", "7bit",
	};
	size_t i, j = 0;

	if (charset == NULL)
		return NULL;
	for (i = 0; charset[i] != '\0' && j + 1 < buflen; i++) {
		unsigned char c = (unsigned char)charset[i];

		if (c == '"' || c == '\'' || isspace(c))
			continue;
		if (c < 0x20 || c >= 0x7f)
			return NULL;	/* not a charset name at all */
		buf[j++] = (char)tolower(c);
	}
	buf[j] = '\0';
	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		if (strcmp(buf, utf8[i]) == 0)
			return NULL;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(buf, alias[i].label) == 0)
			return alias[i].iconv;
	return buf;
}

char *
message_to_utf8(const char *charset, const char *in, size_t len)
{
	struct strbuf raw = { 0 };
	char namebuf[64], out[4096], *ip, *op, *res;
	const char *cs;
	size_t il, ol;
	iconv_t cd;

	if (in == NULL)
		return xstrdup("");
	cs = charset_for_iconv(charset, namebuf, sizeof(namebuf));
	if (cs == NULL ||
	    (cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return utf8_clean(in, len);

	ip = (char *)(uintptr_t)in;
	il = len;
	for (;;) {
		op = out;
		ol = sizeof(out);
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1) {
			sb_add(&raw, out, (size_t)(op - out));
			op = out;
			ol = sizeof(out);
			(void)iconv(cd, NULL, NULL, &op, &ol);	/* flush */
			sb_add(&raw, out, (size_t)(op - out));
			break;
		}
		sb_add(&raw, out, (size_t)(op - out));
		if (errno == E2BIG)
			continue;
		/* EILSEQ: one bad byte; EINVAL: a truncated sequence at the
		 * end.  Both become U+FFFD and conversion goes on. */
		sb_add_cp(&raw, REPLACEMENT);
		if (errno != EILSEQ || il == 0)
			break;
		ip++;
		il--;
	}
	iconv_close(cd);
	/* iconv's UTF-8 is valid; this only turns NULs into U+FFFD. */
	res = utf8_clean(raw.buf ? raw.buf : "", raw.len);
	sb_reset(&raw);
	return res;
}

/* --- RFC 2047 ------------------------------------------------------------- */

/* libetpan converts each encoded word with charconv(); route that through
 * message_to_utf8 so that headers get the same fallbacks and U+FFFD as
 * bodies.  Installed only for the duration of one decode. */
static int
charconv_hook(const char *tocode, const char *fromcode, const char *str,
    size_t length, char *result, size_t *result_len)
{
	char *u;
	size_t n;

	if (str_casecmp(tocode, "utf-8") != 0 &&
	    str_casecmp(tocode, "utf8") != 0)
		return MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET;
	u = message_to_utf8(fromcode, str, length);
	n = strlen(u);
	/* libetpan's buffer is length * 6 bytes; never more than that. */
	if (n > *result_len) {
		n = *result_len;
		while (n > 0 && ((unsigned char)u[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(result, u, n);
	*result_len = n;
	free(u);
	return MAIL_CHARCONV_NO_ERROR;
}

/* An unstructured header value to UTF-8: encoded words decoded, raw 8-bit
 * text taken as UTF-8 (or windows-1252 when it is not valid UTF-8). */
static char *
decode_2047(const char *value)
{
	int (*saved)(const char *, const char *, const char *, size_t,
	    char *, size_t *);
	struct strbuf sb = { 0 };
	const char *fromcode = "utf-8";
	char *dec = NULL;
	size_t len = strlen(value), idx = 0, i;
	int r;

	for (i = 0; i < len; i += utf8_seq((const unsigned char *)value + i,
	    len - i))
		if (utf8_seq((const unsigned char *)value + i, len - i) == 0) {
			fromcode = "windows-1252";
			break;
		}
	if (strstr(value, "=?") == NULL)
		return message_to_utf8(fromcode, value, len);

	saved = extended_charconv;
	extended_charconv = charconv_hook;
	r = mailmime_encoded_phrase_parse(fromcode, value, len, &idx, "utf-8",
	    &dec);
	extended_charconv = saved;
	if (r != MAILIMF_NO_ERROR || dec == NULL)
		return message_to_utf8(fromcode, value, len);
	sb_add_utf8_clean(&sb, dec, strlen(dec));
	free(dec);
	if (idx < len) {
		char *rest = message_to_utf8(fromcode, value + idx,
		    len - idx);

		sb_adds(&sb, rest);
		free(rest);
	}
	return sb_steal(&sb);
}

/* --- guards for libetpan's recursive parsers -------------------------- */

/* Nested comments recurse in libetpan's RFC 5322 parser; refuse input
 * with more than MAX_COMMENT_DEPTH "(" open in one logical line. */
static int
comments_shallow(const char *s, size_t len)
{
	size_t i, depth = 0;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\n':
			if (i + 1 < len && s[i + 1] != ' ' && s[i + 1] != '\t')
				depth = 0;
			break;
		case '\\':
			i++;
			break;
		case '(':
			if (++depth > MAX_COMMENT_DEPTH)
				return 0;
			break;
		case ')':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return 1;
}

/*
 * The MIME shape, bounded before libetpan sees a byte of the body.  Every
 * level of nesting libetpan recurses into needs a composite Content-Type
 * (multipart/..., message/rfc822; a multipart/digest part is a message by
 * default, whose own type is text/plain unless it says otherwise), and
 * every body part it makes starts at a line "--" + a boundary it matches
 * as a prefix.  So counting, permissively, the Content-Type fields that
 * could be composite bounds the depth, and counting the lines that could
 * be delimiters bounds the parts, whatever the spelling: "multipart /mixed",
 * folded lines, quotes, upper case, comments, parameters in any order.
 */

/* The logical line at s[pos] (folded lines joined) as a permissive reader
 * sees it: comments and runs of blanks become one space, quote marks go,
 * quoted text stays.  out gets it; returns where the line ends.  A line
 * ends at CR or LF (libetpan takes either); the cost is linear. */
static size_t
field_squeeze(const char *s, size_t len, size_t pos, struct strbuf *out)
{
	size_t depth = 0, nx;
	int quoted = 0, blank = 0;

	for (; pos < len; pos++) {
		char c = s[pos];

		if (c == '\r' || c == '\n') {
			nx = pos + 1 + (c == '\r' && pos + 1 < len &&
			    s[pos + 1] == '\n');
			if (nx >= len || (s[nx] != ' ' && s[nx] != '\t'))
				break;
			pos = nx - 1;		/* folded: go on */
			continue;
		}
		if (c == '\\' && (quoted || depth > 0) && pos + 1 < len &&
		    s[pos + 1] != '\r' && s[pos + 1] != '\n') {
			if (quoted)		/* a quoted pair */
				sb_addc(out, s[pos + 1]);
			pos++;
			continue;
		}
		if (depth > 0) {
			depth += c == '(';
			depth -= c == ')';
			continue;
		}
		if (quoted) {
			if (c == '"')
				quoted = 0;
			else
				sb_addc(out, c);
			continue;
		}
		if (c == '"')
			quoted = 1;
		else if (c == '(' || c == ' ' || c == '\t') {
			depth = c == '(';
			if (!blank)
				sb_addc(out, ' ');
			blank = 1;
			continue;
		} else
			sb_addc(out, c);
		blank = 0;
	}
	return pos;
}

struct mime_shape {
	size_t	  composites;
	char	**bounds;	/* boundary prefixes declared anywhere */
	size_t	 *blens;
	int	 *exact;	/* the whole boundary, not a prefix */
	size_t	  nbounds;
};

/* The boundary parameters of a squeezed Content-Type value, each cut at
 * the first blank (the shortest reading: prefixes match more lines). */
static void
shape_boundaries(struct mime_shape *sh, const char *v)
{
	const char *p, *q;

	for (p = v; (p = strchr(p, ';')) != NULL; ) {
		p++;
		while (*p == ' ')
			p++;
		if (str_ncasecmp(p, "boundary", 8) != 0)
			continue;
		for (q = p + 8; *q == ' '; q++)
			;
		if (*q++ != '=')
			continue;
		while (*q == ' ')
			q++;
		sh->bounds = xreallocarray(sh->bounds, sh->nbounds + 1,
		    sizeof(*sh->bounds));
		sh->blens = xreallocarray(sh->blens, sh->nbounds + 1,
		    sizeof(*sh->blens));
		sh->exact = xreallocarray(sh->exact, sh->nbounds + 1,
		    sizeof(*sh->exact));
		sh->blens[sh->nbounds] = strcspn(q, "; ");
		sh->bounds[sh->nbounds] = xstrndup(q, sh->blens[sh->nbounds]);
		q += sh->blens[sh->nbounds];
		q += *q == ' ';
		sh->exact[sh->nbounds] = *q == '\0' || *q == ';';
		sh->nbounds++;
	}
}

/* Pass one: the Content-Type fields that could be composite, and their
 * boundaries.  0, or -1 with the reason when there are too many. */
static int
shape_types(const char *s, size_t len, struct mime_shape *sh, char *err,
    size_t errlen)
{
	struct strbuf sb = { 0 };
	const char *v;
	size_t pos = 0;

	while (pos < len) {
		if (len - pos > 12 && str_ncasecmp(s + pos, "content-type",
		    12) == 0) {
			pos = field_squeeze(s, len, pos + 12, &sb);
			v = sb.buf != NULL ? sb.buf : "";
			v += *v == ' ';
			if (*v++ == ':') {
				v += *v == ' ';
				if (str_ncasecmp(v, "multipart", 9) == 0 ||
				    str_ncasecmp(v, "message", 7) == 0) {
					sh->composites++;
					shape_boundaries(sh, v);
				}
			}
			sb_reset(&sb);
			if (sh->composites > MIME_MAX_COMPOSITE) {
				errf(err, errlen, "MIME structure too deep: "
				    "more than %d multipart or message parts",
				    MIME_MAX_COMPOSITE);
				return -1;
			}
		}
		/* To the next line start (after CR or LF). */
		while (pos < len && s[pos] != '\r' && s[pos] != '\n')
			pos++;
		pos++;
	}
	return 0;
}

/* Pass two: the lines that could start a body part.  0, or -1. */
static int
shape_parts(const char *s, size_t len, const struct mime_shape *sh,
    char *err, size_t errlen)
{
	size_t pos = 0, parts = 0, bl;

	if (sh->nbounds == 0)
		return 0;
	while (pos < len) {
		if (len - pos > 2 && s[pos] == '-' && s[pos + 1] == '-') {
			for (size_t i = 0; i < sh->nbounds; i++) {
				bl = sh->blens[i];
				if (len - pos - 2 >= bl &&
				    memcmp(s + pos + 2, sh->bounds[i], bl) == 0) {
					parts++;
					break;
				}
			}
			if (parts > MIME_MAX_PARTS) {
				errf(err, errlen, "MIME structure too large: "
				    "more than %d body parts", MIME_MAX_PARTS);
				return -1;
			}
		}
		while (pos < len && s[pos] != '\r' && s[pos] != '\n')
			pos++;
		pos++;
	}
	return 0;
}

/* The declared boundary (exactly spelled) that the "--" line at s[pos]
 * delimits, the longest when several do, or nbounds; *close says whether
 * it is the close delimiter "--boundary--". */
static size_t
line_boundary(const char *s, size_t len, size_t pos,
    const struct mime_shape *sh, int *close)
{
	size_t i, q, bl, best = sh->nbounds, bestlen = 0;
	int cl;

	for (i = 0; i < sh->nbounds; i++) {
		bl = sh->blens[i];
		if (!sh->exact[i] || bl == 0 || bl <= bestlen ||
		    len - pos - 2 < bl ||
		    memcmp(s + pos + 2, sh->bounds[i], bl) != 0)
			continue;
		q = pos + 2 + bl;
		cl = len - q >= 2 && s[q] == '-' && s[q + 1] == '-';
		for (q += 2 * cl; q < len && (s[q] == ' ' || s[q] == '\t'); q++)
			;
		if (q < len && s[q] != '\r' && s[q] != '\n')
			continue;
		best = i;
		bestlen = bl;
		*close = cl;
	}
	return best;
}

/*
 * A message cut short (by a gateway, or a client that never wrote them)
 * lacks close delimiters, and libetpan then drops the last part of a
 * nested multipart.  The multiparts still open at the end of s, as the
 * delimiter lines open and close them, get their "--boundary--" lines
 * into out, innermost first; nothing when all are closed.
 */
static void
shape_closes(const char *s, size_t len, const struct mime_shape *sh,
    struct strbuf *out)
{
	size_t *open, depth = 0, pos = 0, b, k;
	int close = 0;

	if (sh->nbounds == 0)
		return;
	open = xcalloc(sh->nbounds, sizeof(*open));
	while (pos < len) {
		if (len - pos > 2 && s[pos] == '-' && s[pos + 1] == '-' &&
		    (b = line_boundary(s, len, pos, sh, &close)) < sh->nbounds) {
			for (k = 0; k < depth && open[k] != b; k++)
				;
			if (k < depth)		/* inner ones end here too */
				depth = close ? k : k + 1;
			else if (!close)
				open[depth++] = b;
		}
		while (pos < len && s[pos] != '\r' && s[pos] != '\n')
			pos++;
		pos++;
	}
	while (depth > 0)
		sb_addf(out, "--%s--\r\n", sh->bounds[open[--depth]]);
	free(open);
}

/* 0 when libetpan may parse s: nesting and part count within bounds,
 * with the close delimiters s lacks in *closes; else -1 with the
 * reason. */
static int
mime_shape_ok(const char *s, size_t len, struct strbuf *closes, char *err,
    size_t errlen)
{
	struct mime_shape sh = { 0, NULL, NULL, NULL, 0 };
	int rc;

	rc = shape_types(s, len, &sh, err, errlen);
	if (rc == 0)
		rc = shape_parts(s, len, &sh, err, errlen);
	if (rc == 0)
		shape_closes(s, len, &sh, closes);
	for (size_t i = 0; i < sh.nbounds; i++)
		free(sh.bounds[i]);
	free(sh.bounds);
	free(sh.blens);
	free(sh.exact);
	return rc;
}

/* --- headers ------------------------------------------------------------ */

static int
valid_field_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * Split the header block of raw into msg->headers (name, raw unfolded
 * value) and return the offset of the body.  Lines that are not headers
 * (an mbox "From " line, garbage) are skipped.  *rawv gets the raw values,
 * parallel to msg->headers, for the structured parsers; *sep says whether
 * the empty line ending the header block was there.
 */
static size_t
split_headers(const char *raw, size_t len, struct message *msg, char ***rawv,
    int *sep)
{
	struct strbuf val = { 0 };
	char *name = NULL, **rv = NULL;
	size_t pos = 0, eol, end, cap = 0, colon;
	int have = 0;

	*rawv = NULL;
	*sep = 0;
	for (;;) {
		int cont;

		if (pos >= len)
			end = eol = len;
		else {
			const char *nl = memchr(raw + pos, '\n', len - pos);

			eol = nl ? (size_t)(nl - raw) : len;
			end = eol;
			if (end > pos && raw[end - 1] == '\r')
				end--;
		}
		cont = pos < len && end > pos && (raw[pos] == ' ' ||
		    raw[pos] == '\t');
		if (have && cont) {
			sb_add(&val, raw + pos, end - pos);
			pos = eol + 1;
			continue;
		}
		if (have) {
			if (msg->nheaders == cap) {
				cap = cap ? cap * 2 : 32;
				msg->headers = xreallocarray(msg->headers, cap,
				    sizeof(*msg->headers));
				rv = xreallocarray(rv, cap, sizeof(*rv));
			}
			rv[msg->nheaders] = str_trim(sb_steal(&val));
			msg->headers[msg->nheaders].name = name;
			msg->headers[msg->nheaders].value = NULL;
			msg->nheaders++;
			name = NULL;
			have = 0;
		}
		if (pos >= len)
			break;
		if (end == pos) {	/* the empty line: body follows */
			pos = eol + 1;
			*sep = 1;
			break;
		}
		colon = pos;
		while (colon < end && raw[colon] != ':')
			colon++;
		if (colon < end && msg->nheaders < MAX_HEADERS) {
			size_t nend = colon;

			while (nend > pos && (raw[nend - 1] == ' ' ||
			    raw[nend - 1] == '\t'))
				nend--;
			if (valid_field_name(raw + pos, nend - pos)) {
				name = xstrndup(raw + pos, nend - pos);
				sb_add(&val, raw + colon + 1, end - colon - 1);
				have = 1;
			}
		}
		pos = eol + 1;
	}
	sb_reset(&val);
	*rawv = rv;
	return pos > len ? len : pos;
}

static const char *
raw_header(const struct message *msg, char **rawv, const char *name)
{
	size_t i;

	for (i = 0; i < msg->nheaders; i++)
		if (str_casecmp(msg->headers[i].name, name) == 0)
			return rawv[i];
	return NULL;
}

static void
lower(char *s)
{
	for (; s != NULL && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* "<id@host> (comment)" -> "id@host"; a bare value is kept trimmed. */
static char *
msgid_strip(const char *v)
{
	const char *lt, *gt;
	char *s, *t;

	if (v == NULL)
		return NULL;
	if ((lt = strchr(v, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		s = str_trim(xstrndup(lt + 1, (size_t)(gt - lt - 1)));
	} else {
		s = str_trim(xstrdup(v));
		/* Only the first of several bare ids. */
		s[strcspn(s, " \t")] = '\0';
	}
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	t = utf8_clean(s, strlen(s));
	free(s);
	return t;
}

/* Return-Path: "<>" -> "", "<a@b>" -> "a@b" (lower case). */
static char *
return_path(const char *v)
{
	const char *b;
	char *s, *t;
	size_t len;

	if ((b = addr_span(v, &len)) == NULL)
		return NULL;
	s = str_trim(xstrndup(b, len));
	lower(s);
	t = utf8_clean(s, strlen(s));
	free(s);
	return t;
}

/* From: the first mailbox's address (lower case) and display name. */
static void
parse_from(struct message *msg, const char *v)
{
	struct mailimf_mailbox_list *mbl = NULL;
	struct mailimf_mailbox *mb;
	const char *lt, *gt, *at, *b, *e;
	size_t idx = 0;
	char *addr = NULL, *name = NULL;

	if (v == NULL)
		return;
	if (comments_shallow(v, strlen(v)) &&
	    mailimf_mailbox_list_parse(v, strlen(v), &idx, &mbl) ==
	    MAILIMF_NO_ERROR && mbl != NULL &&
	    clist_begin(mbl->mb_list) != NULL &&
	    (mb = clist_content(clist_begin(mbl->mb_list))) != NULL &&
	    mb->mb_addr_spec != NULL &&
	    /* Without <>, libetpan reads "Jo Smith jo@x" as the obsolete
	     * local part "JoSmithjo": only take what is literally there. */
	    (strchr(v, '<') != NULL || str_casestr(v, mb->mb_addr_spec))) {
		addr = xstrdup(mb->mb_addr_spec);
		if (mb->mb_display_name != NULL)
			name = decode_2047(mb->mb_display_name);
	} else if ((lt = strrchr(v, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL) {
		/* Not RFC 5322, but the intent is plain. */
		addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		name = xstrndup(v, (size_t)(lt - v));
		str_trim(name);
		if (name[0] == '"' && strlen(name) >= 2 &&
		    name[strlen(name) - 1] == '"') {
			memmove(name, name + 1, strlen(name));
			name[strlen(name) - 1] = '\0';
		}
		b = name;
		name = decode_2047(b);
		free((char *)b);
	} else if ((at = strchr(v, '@')) != NULL) {
		for (b = at; b > v && !isspace((unsigned char)b[-1]) &&
		    b[-1] != ',' && b[-1] != ';'; b--)
			;
		for (e = at; *e && !isspace((unsigned char)*e) && *e != ',' &&
		    *e != ';'; e++)
			;
		addr = xstrndup(b, (size_t)(e - b));
	}
	if (mbl != NULL)
		mailimf_mailbox_list_free(mbl);
	if (addr != NULL) {
		str_trim(addr);
		lower(addr);
		if (*addr != '\0')
			msg->from_addr = utf8_clean(addr, strlen(addr));
		free(addr);
	}
	if (name != NULL) {
		str_trim(name);
		if (*name != '\0')
			msg->from_name = name;
		else
			free(name);
	}
}

static time_t
parse_date(const char *v)
{
	struct mailimf_date_time *dt = NULL;
	struct tm tm;
	size_t idx = 0;
	time_t t = 0;
	int zone, off, year;

	if (v == NULL || !comments_shallow(v, strlen(v)) ||
	    mailimf_date_time_parse(v, strlen(v), &idx, &dt) !=
	    MAILIMF_NO_ERROR || dt == NULL)
		goto fail;
	year = dt->dt_year;
	if (year >= 0 && year < 50)		/* RFC 5322 4.3 */
		year += 2000;
	else if (year >= 50 && year < 1000)
		year += 1900;
	if (dt->dt_month < 1 || dt->dt_month > 12 || dt->dt_day < 1 ||
	    dt->dt_day > 31 || dt->dt_hour < 0 || dt->dt_hour > 23 ||
	    dt->dt_min < 0 || dt->dt_min > 59 || dt->dt_sec < 0 ||
	    dt->dt_sec > 60 || year < 1970 || year > 9999 ||
	    dt->dt_zone < -9959 || dt->dt_zone > 9959)
		goto fail;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = dt->dt_month - 1;
	tm.tm_mday = dt->dt_day;
	tm.tm_hour = dt->dt_hour;
	tm.tm_min = dt->dt_min;
	tm.tm_sec = dt->dt_sec;
	zone = dt->dt_zone < 0 ? -dt->dt_zone : dt->dt_zone;
	off = (zone / 100) * 3600 + (zone % 100) * 60;
	t = timegm(&tm);
	if (t == (time_t)-1) {
		t = 0;
		goto fail;
	}
	t -= dt->dt_zone < 0 ? -off : off;
fail:
	if (dt != NULL)
		mailimf_date_time_free(dt);
	return t;
}

/* --- MIME ---------------------------------------------------------------- */

/* "type/subtype" in lower case. */
static char *
content_type_str(const struct mailmime_content *ct)
{
	const char *type = "text";
	char *s;

	if (ct == NULL || ct->ct_type == NULL)
		return xstrdup("text/plain");
	if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	    ct->ct_type->tp_data.tp_discrete_type != NULL) {
		switch (ct->ct_type->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:
			type = "text";
			break;
		case MAILMIME_DISCRETE_TYPE_IMAGE:
			type = "image";
			break;
		case MAILMIME_DISCRETE_TYPE_AUDIO:
			type = "audio";
			break;
		case MAILMIME_DISCRETE_TYPE_VIDEO:
			type = "video";
			break;
		case MAILMIME_DISCRETE_TYPE_APPLICATION:
			type = "application";
			break;
		default:
			type = ct->ct_type->tp_data.tp_discrete_type->
			    dt_extension;
			break;
		}
	} else if (ct->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	    ct->ct_type->tp_data.tp_composite_type != NULL) {
		switch (ct->ct_type->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:
			type = "message";
			break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:
			type = "multipart";
			break;
		default:
			type = ct->ct_type->tp_data.tp_composite_type->
			    ct_token;
			break;
		}
	}
	s = xasprintf("%s/%s", type ? type : "application",
	    ct->ct_subtype ? ct->ct_subtype : "octet-stream");
	lower(s);
	return s;
}

static struct mailmime_disposition *
part_disposition(const struct mailmime *m)
{
	clistiter *it;
	struct mailmime_field *f;

	if (m->mm_mime_fields == NULL)
		return NULL;
	for (it = clist_begin(m->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		f = clist_content(it);
		if (f->fld_type == MAILMIME_FIELD_DISPOSITION)
			return f->fld_data.fld_disposition;
	}
	return NULL;
}

/* A parameter list entry, from Content-Disposition or Content-Type. */
struct param {
	const char	*name;
	const char	*value;
};

static size_t
collect_params(const struct mailmime *m, const struct mailmime_disposition *d,
    struct param **out)
{
	struct param *v = NULL;
	size_t n = 0, cap = 0;
	clistiter *it;

	if (d != NULL && d->dsp_parms != NULL)
		for (it = clist_begin(d->dsp_parms); it != NULL;
		    it = clist_next(it)) {
			struct mailmime_disposition_parm *dp = clist_content(it);
			const char *name = NULL, *value = NULL;

			if (dp->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME) {
				name = "filename";
				value = dp->pa_data.pa_filename;
			} else if (dp->pa_type ==
			    MAILMIME_DISPOSITION_PARM_PARAMETER &&
			    dp->pa_data.pa_parameter != NULL) {
				name = dp->pa_data.pa_parameter->pa_name;
				value = dp->pa_data.pa_parameter->pa_value;
			}
			if (name == NULL || value == NULL)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			v[n].name = name;
			v[n++].value = value;
		}
	if (m->mm_content_type != NULL &&
	    m->mm_content_type->ct_parameters != NULL)
		for (it = clist_begin(m->mm_content_type->ct_parameters);
		    it != NULL; it = clist_next(it)) {
			struct mailmime_parameter *p = clist_content(it);

			if (p->pa_name == NULL || p->pa_value == NULL)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			/* Content-Type's "name" stands behind "filename". */
			v[n].name = p->pa_name;
			v[n++].value = p->pa_value;
		}
	*out = v;
	return n;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
sb_add_pct_decoded(struct strbuf *sb, const char *s)
{
	int h, l;

	for (; *s; s++) {
		if (*s == '%' && (h = hexval((unsigned char)s[1])) >= 0 &&
		    (l = hexval((unsigned char)s[2])) >= 0) {
			sb_addc(sb, (char)(h * 16 + l));
			s += 2;
		} else
			sb_addc(sb, *s);
	}
}

static char *
unquote(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		return xstrndup(v + 1, n - 2);
	return xstrdup(v);
}

/*
 * The value of parameter `base` in UTF-8, with RFC 2231 extended values
 * (base*=charset'lang'%xx) and continuations (base*0*, base*1, ...) put
 * together, else the plain value with RFC 2047 words decoded (a common
 * non-standard form).  NULL when absent.
 */
static char *
param_value(const struct param *pv, size_t n, const char *base)
{
	struct strbuf sb = { 0 };
	char name[64], *charset = NULL, *res = NULL, *v;
	const char *p, *q;
	size_t i, bl = strlen(base);
	int sec, found = 0;

	/* base*=charset'lang'value */
	snprintf(name, sizeof(name), "%s*", base);
	for (i = 0; i < n && !found; i++) {
		if (str_casecmp(pv[i].name, name) != 0)
			continue;
		v = unquote(pv[i].value);
		if ((p = strchr(v, '\'')) != NULL &&
		    (q = strchr(p + 1, '\'')) != NULL) {
			charset = xstrndup(v, (size_t)(p - v));
			sb_add_pct_decoded(&sb, q + 1);
		} else
			sb_add_pct_decoded(&sb, v);
		free(v);
		found = 1;
	}
	/* base*0[*], base*1[*], ... */
	for (sec = 0; !found || sec > 0; sec++) {
		int hit = 0;

		if (sec >= MAX_RFC2231_SECTIONS)
			break;
		for (i = 0; i < n; i++) {
			const char *nm = pv[i].name;
			char *end;
			long k;
			int ext;

			if (str_ncasecmp(nm, base, bl) != 0 || nm[bl] != '*')
				continue;
			errno = 0;
			k = strtol(nm + bl + 1, &end, 10);
			if (end == nm + bl + 1 || k != sec)
				continue;
			ext = *end == '*';
			if (*end != '\0' && !(ext && end[1] == '\0'))
				continue;
			v = unquote(pv[i].value);
			if (ext && sec == 0 && (p = strchr(v, '\'')) != NULL &&
			    (q = strchr(p + 1, '\'')) != NULL) {
				charset = xstrndup(v, (size_t)(p - v));
				sb_add_pct_decoded(&sb, q + 1);
			} else if (ext)
				sb_add_pct_decoded(&sb, v);
			else
				sb_adds(&sb, v);
			free(v);
			hit = 1;
			found = 1;
			break;
		}
		if (!hit)
			break;
	}
	if (found)
		res = message_to_utf8(charset && *charset ? charset : "utf-8",
		    sb.buf ? sb.buf : "", sb.len);
	for (i = 0; i < n && !found; i++)
		if (str_casecmp(pv[i].name, base) == 0) {
			v = unquote(pv[i].value);
			res = decode_2047(v);
			free(v);
			break;
		}
	sb_reset(&sb);
	free(charset);
	return res;
}

static char *
part_filename(const struct mailmime *m, const struct mailmime_disposition *d)
{
	struct param *pv;
	size_t n, i;
	char *fn;

	n = collect_params(m, d, &pv);
	/* Disposition parameters come first in pv, so "filename" from there
	 * wins; Content-Type's "name" is the fallback. */
	fn = param_value(pv, n, "filename");
	if (fn == NULL)
		fn = param_value(pv, n, "name");
	free(pv);
	if (fn != NULL) {
		for (i = 0; fn[i]; i++)
			if ((unsigned char)fn[i] < 0x20 || fn[i] == 0x7f)
				fn[i] = '_';
		str_trim(fn);
		if (*fn == '\0') {
			free(fn);
			fn = NULL;
		}
	}
	return fn;
}

/*
 * Quoted-printable (RFC 2045 6.7), leniently: "=XY" is a byte, "=" before
 * the end of a line (trailing blanks allowed) joins the lines, and any
 * other "=" is kept as it is.  A hard line break is CRLF (a bare LF
 * becomes one, as a line break in quoted-printable text stands for the
 * canonical CRLF).  Never reads past in[len - 1]; out has room for 2 * len.
 */
static size_t
decode_qp(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0, j;
	int hi, lo;

	while (i < len) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
			out[o++] = '\r';
			out[o++] = in[i++];
			continue;
		}
		if (in[i] != '=') {
			out[o++] = in[i++];
			continue;
		}
		if (i + 2 < len &&
		    (hi = hexval((unsigned char)in[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)in[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 3;
			continue;
		}
		for (j = i + 1; j < len && (in[j] == ' ' || in[j] == '\t'); j++)
			;
		if (j == len) {			/* "=" at the very end */
			i = len;
			continue;
		}
		if (in[j] == '\n' || (in[j] == '\r' && j + 1 < len &&
		    in[j + 1] == '\n')) {
			i = j + (in[j] == '\r' ? 2 : 1);
			continue;
		}
		out[o++] = in[i++];		/* a stray "=" */
	}
	return o;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Base64 (RFC 2045 6.8): characters outside the alphabet (line breaks,
 * stray blanks) are skipped, "=" ends the data, and a last group of two or
 * three characters gives its one or two bytes.  The output is never longer
 * than the input.
 */
static size_t
decode_base64(const char *in, size_t len, char *out)
{
	size_t i, o = 0;
	unsigned int acc = 0;
	int n = 0, v;

	for (i = 0; i < len && in[i] != '='; i++) {
		if ((v = b64_value((unsigned char)in[i])) < 0)
			continue;
		acc = acc << 6 | (unsigned int)v;
		if (++n == 4) {
			out[o++] = (char)(acc >> 16);
			out[o++] = (char)(acc >> 8);
			out[o++] = (char)acc;
			acc = 0;
			n = 0;
		}
	}
	if (n >= 2)
		out[o++] = (char)(acc >> (n == 2 ? 4 : 10));
	if (n == 3)
		out[o++] = (char)(acc >> 2);
	return o;
}

/*
 * Undo a part's transfer encoding; NUL-terminated copy in *out.  Our own
 * decoders, not libetpan's mailmime_part_parse: its quoted-printable
 * decoder reads past the end of the part on a trailing "=X".
 */
static size_t
decode_data(const struct mailmime_data *d, char **out)
{
	const char *in;
	size_t len, rlen;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT ||
	    d->dt_data.dt_text.dt_data == NULL) {
		*out = xstrdup("");
		return 0;
	}
	in = d->dt_data.dt_text.dt_data;
	len = d->dt_data.dt_text.dt_length;
	/* Only quoted-printable can grow (a bare LF becomes CRLF). */
	*out = xmalloc((d->dt_encoding == MAILMIME_MECHANISM_QUOTED_PRINTABLE ?
	    2 * len : len) + 1);
	switch (d->dt_encoding) {
	case MAILMIME_MECHANISM_QUOTED_PRINTABLE:
		rlen = decode_qp(in, len, *out);
		break;
	case MAILMIME_MECHANISM_BASE64:
		rlen = decode_base64(in, len, *out);
		break;
	default:			/* 7bit, 8bit, binary, unknown */
		memcpy(*out, in, len);
		rlen = len;
		break;
	}
	(*out)[rlen] = '\0';
	return rlen;
}

static void
add_attachment(struct walk *w, char *filename, char *ctype, char *data,
    size_t len)
{
	struct message *msg = w->msg;
	struct msg_attachment *a;

	if (msg->nattachments == w->acap) {
		w->acap = w->acap ? w->acap * 2 : 4;
		msg->attachments = xreallocarray(msg->attachments, w->acap,
		    sizeof(*msg->attachments));
	}
	a = &msg->attachments[msg->nattachments++];
	a->filename = filename;
	a->content_type = ctype;
	a->data = data;
	a->len = len;
}

/* A TNEF part (winmail.dat) just added: the files in it become
 * attachments after it, its text is kept for a message without any. */
static void
add_tnef(struct walk *w, const char *data, size_t len)
{
	struct tnef *t;
	struct tnef_file *f;

	if (tnef_parse(data, len, &t) == -1) {
		log_debug("message: a TNEF part that is not whole; left as is");
		return;
	}
	for (size_t i = 0; i < t->nfiles; i++) {
		f = &t->files[i];
		add_attachment(w, f->name, f->content_type, f->data, f->len);
		f->name = f->content_type = f->data = NULL;
	}
	if (w->tnef_text == NULL) {
		w->tnef_text = t->body;
		t->body = NULL;
	}
	tnef_free(t);
}

static char *
text_of(const struct mailmime *m, const char *data, size_t len)
{
	const char *cs = NULL;
	char *t;
	size_t n;

	if (m->mm_content_type != NULL)
		cs = mailmime_content_charset_get(m->mm_content_type);
	t = message_to_utf8(cs, data, len);
	/* A byte order mark is not text. */
	n = strlen(t);
	if (n >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0)
		memmove(t, t + 3, n - 2);
	return t;
}

/* The value of Content-Type parameter `name`, lower case, without
 * quotes, in buf ("" when absent). */
static const char *
ct_param(const struct mailmime *m, const char *name, char *buf, size_t buflen)
{
	const char *v = NULL;
	size_t i, j = 0;

	if (m->mm_content_type != NULL)
		v = mailmime_content_param_get(m->mm_content_type,
		    (char *)(uintptr_t)name);
	for (i = 0; v != NULL && v[i] != '\0' && j + 1 < buflen; i++)
		if (v[i] != '"' && !isspace((unsigned char)v[i]))
			buf[j++] = (char)tolower((unsigned char)v[i]);
	buf[j] = '\0';
	return buf;
}

/*
 * RFC 3676: text/plain; format=flowed as the writer meant it.  A line
 * ending in a space (after its quote marks and one stuffed space are
 * taken off) flows into the next line of the same quote depth; with
 * delsp=yes that space goes.  A signature separator "-- " never flows; a
 * flowed line followed by a line of another depth ends its paragraph.
 * Quoted lines come out as ">" per level and one space.  Hard breaks keep
 * their CRLF or LF.  Returns a new string (caller frees).
 */
static char *
unflow(const char *in, int delsp)
{
	struct strbuf sb = { 0 };
	const char *p = in, *nl, *c, *term = "\n";
	size_t n, eol, depth, pdepth = 0, len;
	int open = 0, flowed;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		eol = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		for (depth = 0; depth < eol && p[depth] == '>'; depth++)
			;
		c = p + depth;
		len = eol - depth;
		if (len > 0 && *c == ' ') {		/* space-stuffed */
			c++;
			len--;
		}
		if (open && depth != pdepth) {
			sb_adds(&sb, term);		/* improperly flowed */
			open = 0;
		}
		if (!open && depth > 0) {
			for (size_t i = 0; i < depth; i++)
				sb_addc(&sb, '>');
			if (len > 0)
				sb_addc(&sb, ' ');
		}
		flowed = nl != NULL && len > 0 && c[len - 1] == ' ' &&
		    !(len == 3 && memcmp(c, "-- ", 3) == 0);
		sb_add(&sb, c, len - (flowed && delsp));
		term = eol < n ? "\r\n" : "\n";
		if (flowed) {
			open = 1;
			pdepth = depth;
		} else {
			open = 0;
			if (nl != NULL)
				sb_adds(&sb, term);
		}
		p = nl != NULL ? nl + 1 : p + n;
	}
	if (open)
		sb_adds(&sb, term);
	return sb_steal(&sb);
}

/* A text/plain body part in UTF-8, format=flowed undone. */
static char *
plain_text_of(const struct mailmime *m, const char *data, size_t len)
{
	char fmt[16], delsp[8], *t, *u;

	t = text_of(m, data, len);
	if (strcmp(ct_param(m, "format", fmt, sizeof(fmt)), "flowed") != 0)
		return t;
	u = unflow(t, strcmp(ct_param(m, "delsp", delsp, sizeof(delsp)),
	    "yes") == 0);
	free(t);
	return u;
}

static void
walk_part(struct walk *w, const struct mailmime *m, int depth)
{
	struct mailmime_disposition *d;
	clistiter *it;
	char *ctype, *fn, *data;
	size_t len;
	int attach;

	if (m == NULL)
		return;
	if (depth > MIME_MAX_DEPTH) {
		log_debug("message: MIME nesting deeper than %d ignored",
		    MIME_MAX_DEPTH);
		return;
	}
	ctype = content_type_str(m->mm_content_type);
	d = part_disposition(m);
	switch (m->mm_type) {
	case MAILMIME_MULTIPLE:
		if (strcmp(ctype, "multipart/report") == 0)
			w->msg->is_report = 1;
		free(ctype);
		for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			walk_part(w, clist_content(it), depth + 1);
		return;
	case MAILMIME_MESSAGE:
		/* An attached message is an attachment (the .eml) and its
		 * contents are looked at too (forwarded forms). */
		fn = part_filename(m, d);
		if (fn != NULL || (d != NULL && d->dsp_type != NULL &&
		    d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT)) {
			len = decode_data(m->mm_body, &data);
			add_attachment(w, fn, ctype, data, len);
		} else
			free(ctype);
		walk_part(w, m->mm_data.mm_message.mm_msg_mime, depth + 1);
		return;
	case MAILMIME_SINGLE:
		break;
	default:
		free(ctype);
		return;
	}

	fn = part_filename(m, d);
	attach = fn != NULL || (d != NULL && d->dsp_type != NULL &&
	    d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT);
	len = decode_data(m->mm_data.mm_single, &data);
	if (!attach && strcmp(ctype, "text/plain") == 0) {
		if (w->text == NULL)
			w->text = plain_text_of(m, data, len);
		free(data);
		free(ctype);
	} else if (!attach && strcmp(ctype, "text/html") == 0) {
		if (w->html == NULL)
			w->html = text_of(m, data, len);
		free(data);
		free(ctype);
	} else if (!attach && strncmp(ctype, "multipart/", 10) == 0) {
		/* A multipart without a boundary: nothing usable. */
		free(data);
		free(ctype);
	} else {
		add_attachment(w, fn, ctype, data, len);
		if (tnef_is_tnef(ctype, fn))
			add_tnef(w, data, len);
	}
}

/* The MIME structure: the top-level content type, the text and HTML
 * bodies into w, the attachments into w->msg.  body is the offset of the
 * body in raw, sep whether the header block ended with an empty line,
 * closes the close delimiters a truncated raw lacks (may be empty). */
static void
parse_body(struct walk *w, const char *raw, size_t len, size_t body, int sep,
    const struct strbuf *closes)
{
	struct message *msg = w->msg;
	struct mailmime *mime = NULL, *top;
	char *copy = NULL;
	size_t idx = 0;

	if (!comments_shallow(raw, len)) {
		/* Hostile nesting: keep the headers, leave the body. */
		log_warnx("message: nesting too deep for the MIME parser; "
		    "body ignored");
		msg->content_type = xstrdup("application/octet-stream");
		return;
	}
	if (!sep) {
		/* Headers only: libetpan needs the end of the header block
		 * spelled out or it takes the last field for the body. */
		copy = xmalloc(len + 4);
		memcpy(copy, raw, len);
		if (raw[len - 1] != '\n') {
			memcpy(copy + len, "\r\n", 2);
			len += 2;
		}
		memcpy(copy + len, "\r\n", 2);
		len += 2;
		raw = copy;
		body = len;
	} else if (closes->len > 0) {
		/* Cut short: the multiparts closed, on a line of their own. */
		copy = xmalloc(len + 2 + closes->len);
		memcpy(copy, raw, len);
		if (raw[len - 1] != '\n') {
			memcpy(copy + len, "\r\n", 2);
			len += 2;
		}
		memcpy(copy + len, closes->buf, closes->len);
		len += closes->len;
		raw = copy;
	}
	if (mailmime_parse(raw, len, &idx, &mime) != MAILIMF_NO_ERROR ||
	    mime == NULL) {
		/* Not MIME after all: the body as plain text. */
		msg->content_type = xstrdup("text/plain");
		w->text = message_to_utf8("utf-8", raw + body, len - body);
		free(copy);
		return;
	}
	top = mime;
	if (mime->mm_type == MAILMIME_MESSAGE &&
	    mime->mm_data.mm_message.mm_msg_mime != NULL)
		top = mime->mm_data.mm_message.mm_msg_mime;
	msg->content_type = content_type_str(top->mm_content_type);
	walk_part(w, top, 0);
	mailmime_free(mime);
	free(copy);
}

/* --- the API ------------------------------------------------------------ */

int
message_parse(const char *raw, size_t len, struct message **out, char *err,
    size_t errlen)
{
	struct message *msg;
	struct walk w;
	struct strbuf closes = { 0 };
	char **rawv = NULL;
	size_t body, i, nraw = 0;
	const char *v;
	int rc = -1, sep;

	*out = NULL;
	if (raw == NULL || len == 0) {
		errf(err, errlen, "empty message");
		return -1;
	}
	msg = xcalloc(1, sizeof(*msg));
	memset(&w, 0, sizeof(w));
	w.msg = msg;

	if (mime_shape_ok(raw, len, &closes, err, errlen) == -1)
		goto fail;
	body = split_headers(raw, len, msg, &rawv, &sep);
	nraw = msg->nheaders;
	if (msg->nheaders == 0) {
		errf(err, errlen, "no header fields: not a message");
		goto fail;
	}
	for (i = 0; i < msg->nheaders; i++)
		msg->headers[i].value = decode_2047(rawv[i]);

	msg->message_id = msgid_strip(raw_header(msg, rawv, "Message-ID"));
	msg->in_reply_to = msgid_strip(raw_header(msg, rawv, "In-Reply-To"));
	if ((v = raw_header(msg, rawv, "References")) != NULL && *v != '\0')
		msg->references = utf8_clean(v, strlen(v));
	v = message_header(msg, "Subject");
	msg->subject = xstrdup(v ? v : "");
	parse_from(msg, raw_header(msg, rawv, "From"));
	msg->return_path = return_path(raw_header(msg, rawv, "Return-Path"));
	msg->date = parse_date(raw_header(msg, rawv, "Date"));

	parse_body(&w, raw, len, body, sep, &closes);

	if (w.tnef_text != NULL && w.html == NULL &&
	    (w.text == NULL || w.text[strspn(w.text, " \t\r\n")] == '\0')) {
		/* Outlook's body is in the winmail.dat. */
		free(w.text);
		w.text = w.tnef_text;
		w.tnef_text = NULL;
	}
	if (w.text != NULL)
		msg->text = w.text;
	else if (w.html != NULL)
		msg->text = message_html_to_text(w.html);
	else
		msg->text = xstrdup("");
	w.text = NULL;
	msg->html = w.html;
	w.html = NULL;
	*out = msg;
	msg = NULL;
	rc = 0;
fail:
	sb_reset(&closes);
	free(w.tnef_text);
	for (i = 0; i < nraw; i++)
		free(rawv[i]);
	free(rawv);
	message_free(msg);
	return rc;
}

const char *
message_header(const struct message *msg, const char *name)
{
	size_t i;

	if (msg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < msg->nheaders; i++)
		if (str_casecmp(msg->headers[i].name, name) == 0)
			return msg->headers[i].value;
	return NULL;
}

void
message_free(struct message *msg)
{
	size_t i;

	if (msg == NULL)
		return;
	for (i = 0; i < msg->nheaders; i++) {
		free(msg->headers[i].name);
		free(msg->headers[i].value);
	}
	free(msg->headers);
	for (i = 0; i < msg->nattachments; i++) {
		free(msg->attachments[i].filename);
		free(msg->attachments[i].content_type);
		free(msg->attachments[i].data);
	}
	free(msg->attachments);
	free(msg->message_id);
	free(msg->in_reply_to);
	free(msg->references);
	free(msg->subject);
	free(msg->from_addr);
	free(msg->from_name);
	free(msg->return_path);
	free(msg->content_type);
	free(msg->text);
	free(msg->html);
	free(msg);
}

/* --- HTML to text ---------------------------------------------------------- */

struct html_out {
	struct strbuf	 sb;
	int		 space;		/* whitespace seen, not yet written */
	int		 cell;		/* cells so far in this table row */
	int		 incell;	/* inside a <td> or <th> */
	size_t		 cellstart;	/* where its text starts */
	int		 pre;		/* inside <pre> */
};

static void
ho_trim_spaces(struct html_out *o)
{
	while (o->sb.len > 0 && o->sb.buf[o->sb.len - 1] == ' ')
		o->sb.buf[--o->sb.len] = '\0';
}

static void
ho_newline(struct html_out *o)
{
	size_t i = o->sb.len;

	/* Block elements start a new line; only <br> and a paragraph of
	 * nothing but &nbsp; (Outlook's and Word's empty line) make empty
	 * ones.  A paragraph in a table cell does not end the cell's row. */
	while (i > 0 && o->sb.buf[i - 1] == ' ')
		i--;
	if (i < o->sb.len && (i == 0 || o->sb.buf[i - 1] == '\n') &&
	    !o->incell && o->sb.len > 0) {
		ho_trim_spaces(o);
		o->space = 0;
		if (o->sb.len > 0)
			sb_addc(&o->sb, '\n');
		return;
	}
	ho_trim_spaces(o);
	o->space = 0;
	if (o->sb.len == 0 || o->sb.buf[o->sb.len - 1] == '\n' ||
	    (o->incell && o->sb.len <= o->cellstart))
		return;
	sb_addc(&o->sb, '\n');
}

/* The end of a cell: the line breaks its paragraphs left at its end go. */
static void
ho_cell_end(struct html_out *o)
{
	ho_trim_spaces(o);
	if (o->incell)
		while (o->sb.len > o->cellstart &&
		    o->sb.buf[o->sb.len - 1] == '\n')
			o->sb.buf[--o->sb.len] = '\0';
	o->incell = 0;
}

static void
ho_break(struct html_out *o)
{
	/* <br>: always a line break, even an empty line. */
	ho_trim_spaces(o);
	o->space = 0;
	sb_addc(&o->sb, '\n');
}

static void
ho_text(struct html_out *o, const char *s, size_t n)
{
	char last;

	if (o->space && o->sb.len > 0) {
		last = o->sb.buf[o->sb.len - 1];
		if (last != '\n' && last != '\t' && last != ' ')
			sb_addc(&o->sb, ' ');
	}
	o->space = 0;
	sb_add(&o->sb, s, n);
}

static void
ho_cp(struct html_out *o, unsigned long cp)
{
	struct strbuf t = { 0 };

	sb_add_cp(&t, cp);
	ho_text(o, t.buf, t.len);
	sb_reset(&t);
}

/* Windows-1252 meanings of &#128; .. &#159; (HTML's numeric reference
 * rules). */
static const unsigned short cp1252_c1[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

static const struct {
	const char	*name;
	unsigned short	 cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", ' ' }, { "ensp", ' ' }, { "emsp", ' ' },
	{ "thinsp", ' ' }, { "shy", 0 }, { "zwnj", 0 }, { "zwj", 0 },
	{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "sbquo", 0x201a }, { "ldquo", 0x201c },
	{ "rdquo", 0x201d }, { "bdquo", 0x201e }, { "hellip", 0x2026 },
	{ "bull", 0x2022 }, { "middot", 0x00b7 }, { "copy", 0x00a9 },
	{ "reg", 0x00ae }, { "trade", 0x2122 }, { "pound", 0x00a3 },
	{ "euro", 0x20ac }, { "cent", 0x00a2 }, { "yen", 0x00a5 },
	{ "sect", 0x00a7 }, { "para", 0x00b6 }, { "deg", 0x00b0 },
	{ "plusmn", 0x00b1 }, { "times", 0x00d7 }, { "divide", 0x00f7 },
	{ "frac12", 0x00bd }, { "frac14", 0x00bc }, { "frac34", 0x00be },
	{ "laquo", 0x00ab }, { "raquo", 0x00bb }, { "iexcl", 0x00a1 },
	{ "iquest", 0x00bf }, { "eacute", 0x00e9 }, { "egrave", 0x00e8 },
	{ "ecirc", 0x00ea }, { "euml", 0x00eb }, { "aacute", 0x00e1 },
	{ "agrave", 0x00e0 }, { "acirc", 0x00e2 }, { "auml", 0x00e4 },
	{ "ccedil", 0x00e7 }, { "iacute", 0x00ed }, { "iuml", 0x00ef },
	{ "oacute", 0x00f3 }, { "ocirc", 0x00f4 }, { "ouml", 0x00f6 },
	{ "uacute", 0x00fa }, { "ugrave", 0x00f9 }, { "uuml", 0x00fc },
	{ "ntilde", 0x00f1 }, { "szlig", 0x00df }, { "Eacute", 0x00c9 },
	{ "Auml", 0x00c4 }, { "Ouml", 0x00d6 }, { "Uuml", 0x00dc },
	{ "larr", 0x2190 }, { "rarr", 0x2192 }, { "check", 0x2713 },
};

/* An entity at s ("&..."): writes it and returns the bytes used, or 0
 * when it is not one (the '&' is then text). */
static size_t
html_entity(struct html_out *o, const char *s)
{
	unsigned long cp = 0;
	size_t i = 1, n;
	int base = 10, digits = 0, d;

	if (s[1] == '#') {
		i = 2;
		if (s[2] == 'x' || s[2] == 'X') {
			base = 16;
			i = 3;
		}
		for (;; i++) {
			d = base == 16 ? hexval((unsigned char)s[i]) :
			    (isdigit((unsigned char)s[i]) ? s[i] - '0' : -1);
			if (d < 0)
				break;
			if (cp <= 0x10ffff)
				cp = cp * (unsigned long)base + (unsigned long)d;
			digits++;
		}
		if (digits == 0)
			return 0;
		if (s[i] == ';')
			i++;
		if (cp >= 0x80 && cp <= 0x9f)
			cp = cp1252_c1[cp - 0x80];
		else if (cp == 0 || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			cp = REPLACEMENT;
		if (cp == '\n' || cp == '\r' || cp == '\t' || cp == ' ')
			o->space = 1;
		else
			ho_cp(o, cp);
		return i;
	}
	while (isalnum((unsigned char)s[i]) && i < 12)
		i++;
	n = i - 1;
	if (n == 0)
		return 0;
	for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		if (strlen(entities[k].name) != n ||
		    strncmp(entities[k].name, s + 1, n) != 0)
			continue;
		if (s[i] == ';')
			i++;
		if (entities[k].cp == ' ') {
			/* A hard space: written, never collapsed. */
			ho_text(o, " ", 1);
		} else if (entities[k].cp != 0)
			ho_cp(o, entities[k].cp);
		return i;
	}
	return 0;
}

/* Is the tag name at s (case-insensitive) followed by a name end? */
static int
tag_is(const char *name, size_t nlen, const char *want)
{
	return strlen(want) == nlen && str_ncasecmp(name, want, nlen) == 0;
}

/* Skip past the end of a tag: the first '>' outside quotes. */
static const char *
tag_end(const char *p)
{
	char q = 0;

	for (; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'')
			q = *p;
		else if (*p == '>')
			return p + 1;
	}
	return p;
}

char *
message_html_to_text(const char *html)
{
	static const char *blocks[] = {
		"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
		"li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
		"blockquote", "hr", "section", "article", "header", "footer",
		"address", "form", "fieldset", "center", "caption", "nav",
		"aside", "main", "figure", "figcaption", "html", "body",
	};
	static const char *skipped[] = { "script", "style", "title", "head" };
	struct html_out o;
	const char *p, *name, *e;
	size_t nlen, k, n;
	int closing, done;

	memset(&o, 0, sizeof(o));
	if (html == NULL)
		return xstrdup("");
	p = html;
	while (*p) {
		if (*p == '<') {
			if (strncmp(p, "<!--", 4) == 0) {
				e = strstr(p + 4, "-->");
				p = e ? e + 3 : p + strlen(p);
				continue;
			}
			if (p[1] == '!' || p[1] == '?') {
				p = tag_end(p + 1);
				continue;
			}
			closing = p[1] == '/';
			name = p + 1 + closing;
			if (!isalpha((unsigned char)*name)) {
				ho_text(&o, p, 1);	/* a literal '<' */
				p++;
				continue;
			}
			for (nlen = 0; isalnum((unsigned char)name[nlen]); nlen++)
				;
			p = tag_end(name + nlen);
			done = 0;
			for (k = 0; !closing &&
			    k < sizeof(skipped) / sizeof(skipped[0]); k++) {
				if (!tag_is(name, nlen, skipped[k]))
					continue;
				/* Drop everything up to the closing tag. */
				n = strlen(skipped[k]);
				for (e = p; *e; e++)
					if (e[0] == '<' && e[1] == '/' &&
					    str_ncasecmp(e + 2, skipped[k], n)
					    == 0 && !isalnum((unsigned char)
					    e[2 + n]))
						break;
				p = *e ? tag_end(e) : e;
				done = 1;
				break;
			}
			if (done)
				continue;
			if (tag_is(name, nlen, "br")) {
				ho_break(&o);
			} else if (tag_is(name, nlen, "tr")) {
				ho_cell_end(&o);
				ho_newline(&o);
				o.cell = 0;
			} else if (tag_is(name, nlen, "td") ||
			    tag_is(name, nlen, "th")) {
				ho_cell_end(&o);
				if (!closing) {
					if (o.cell > 0)
						sb_addc(&o.sb, '\t');
					o.cell++;
					o.space = 0;
					o.incell = 1;
					o.cellstart = o.sb.len;
				}
			} else if (tag_is(name, nlen, "table")) {
				ho_cell_end(&o);
				ho_newline(&o);
			} else if (tag_is(name, nlen, "pre")) {
				ho_newline(&o);
				o.pre = !closing;
			} else {
				for (k = 0; k < sizeof(blocks) /
				    sizeof(blocks[0]); k++)
					if (tag_is(name, nlen, blocks[k])) {
						ho_newline(&o);
						break;
					}
			}
			continue;
		}
		if (*p == '&' && (n = html_entity(&o, p)) > 0) {
			p += n;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f') {
			if (o.pre) {
				if (*p == '\n')
					ho_break(&o);
				else if (*p != '\r')
					sb_addc(&o.sb, *p);
			} else
				o.space = 1;
			p++;
			continue;
		}
		for (n = 1; p[n] && p[n] != '<' && p[n] != '&' &&
		    !strchr(" \t\n\r\f", p[n]); n++)
			;
		ho_text(&o, p, n);
		p += n;
	}
	ho_trim_spaces(&o);
	while (o.sb.len > 0 && o.sb.buf[o.sb.len - 1] == '\n')
		o.sb.buf[--o.sb.len] = '\0';
	return sb_steal(&o.sb);
}
