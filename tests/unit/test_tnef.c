/*
 * test_tnef: bot/tnef.c on TNEF streams built here the way Outlook and
 * Exchange write them (signature, key, message attributes, then per
 * attachment attAttachRendData, attAttachTitle, attAttachData and the
 * attAttachment property list, each attribute with its checksum), holding
 * a Word form from tests/fixtures/docx; a winmail.dat inside a message
 * through message_parse; and damaged, cut and hostile streams, which must
 * give nothing and never crash (run under ASan or valgrind to mean it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docx.h"
#include "log.h"
#include "message.h"
#include "tnef.h"
#include "util.h"

#define DOCX_TYPE "application/vnd.openxmlformats-officedocument." \
	"wordprocessingml.document"

/* Attribute ids with their types, as MS-OXTNEF lists them. */
#define ATT_TNEF_VERSION	0x00089006UL
#define ATT_OEM_CODEPAGE	0x00069007UL
#define ATT_MESSAGE_CLASS	0x00078008UL
#define ATT_SUBJECT		0x00018004UL
#define ATT_BODY		0x0002800cUL
#define ATT_MSG_PROPS		0x00069003UL
#define ATT_RENDDATA		0x00069002UL
#define ATT_ATTACH_TITLE	0x00018010UL
#define ATT_ATTACH_DATA		0x0006800fUL
#define ATT_ATTACH_MODIFIED	0x00038013UL
#define ATT_ATTACHMENT		0x00069005UL

/* --- a TNEF writer --------------------------------------------------- */

static void
put16(struct strbuf *sb, unsigned v)
{
	sb_addc(sb, (char)(v & 0xff));
	sb_addc(sb, (char)((v >> 8) & 0xff));
}

static void
put32(struct strbuf *sb, unsigned long v)
{
	put16(sb, (unsigned)(v & 0xffff));
	put16(sb, (unsigned)((v >> 16) & 0xffff));
}

static void
tnef_start(struct strbuf *sb)
{
	put32(sb, 0x223e9f78UL);
	put16(sb, 0x1234);			/* the key */
}

/* One attribute: level, id, length, data, checksum. */
static void
attr(struct strbuf *sb, int level, unsigned long id, const void *data,
    size_t n)
{
	const unsigned char *d = data;
	unsigned sum = 0;

	sb_addc(sb, (char)level);
	put32(sb, id);
	put32(sb, (unsigned long)n);
	sb_add(sb, (const char *)d, n);
	for (size_t i = 0; i < n; i++)
		sum += d[i];
	put16(sb, sum & 0xffff);
}

static void
attr_str(struct strbuf *sb, int level, unsigned long id, const char *s)
{
	attr(sb, level, id, s, strlen(s) + 1);	/* with its NUL */
}

static void
pad4(struct strbuf *sb, size_t n)
{
	while (n++ % 4 != 0)
		sb_addc(sb, '\0');
}

/* A variable-size property: tag, one value: size, bytes, padding. */
static void
prop_var(struct strbuf *sb, unsigned type, unsigned id, const void *d,
    size_t n)
{
	put32(sb, (unsigned long)id << 16 | type);
	put32(sb, 1);
	put32(sb, (unsigned long)n);
	sb_add(sb, d, n);
	pad4(sb, n);
}

/* PT_UNICODE from ASCII, NUL-terminated as Outlook writes it. */
static void
prop_unicode(struct strbuf *sb, unsigned id, const char *s)
{
	struct strbuf u = { 0 };

	for (; *s; s++)
		put16(&u, (unsigned char)*s);
	put16(&u, 0);
	prop_var(sb, 0x001f, id, u.buf, u.len);
	sb_reset(&u);
}

/* The rendering data of an attachment (type file, position, size). */
static void
renddata(struct strbuf *sb)
{
	struct strbuf r = { 0 };

	put16(&r, 1);
	put32(&r, 0xffffffffUL);
	put16(&r, 0xffff);
	put16(&r, 0xffff);
	put32(&r, 0);
	attr(sb, 2, ATT_RENDDATA, r.buf, r.len);
	sb_reset(&r);
}

static char *
fixture(const char *name, size_t *lenp)
{
	char path[256], *data = NULL;

	snprintf(path, sizeof(path), "tests/fixtures/docx/%s", name);
	if (file_read_all(path, &data, lenp) != 0)
		fail_msg("cannot read %s", path);
	return data;
}

/*
 * A winmail.dat as Exchange writes it: the message's version, code page,
 * class, subject, body and a property list (PidTagBody, and a named
 * property to step over), then the Word form (8.3 title, data, the
 * attachment properties with the long name), then a text file whose bytes
 * and name are only in its property list.
 */
static void
outlook_stream(struct strbuf *sb, const char *docx, size_t dlen)
{
	struct strbuf p = { 0 };
	unsigned char ver[4] = { 0, 0, 1, 0 }, cp[8] = { 0xe4, 0x04 };
	unsigned char date[14] = { 0xea, 0x07, 11, 0, 20, 0, 10, 0 };
	static const unsigned char guid[16] = { 0x08, 0x20, 0x06 };

	tnef_start(sb);
	attr(sb, 1, ATT_TNEF_VERSION, ver, 4);
	attr(sb, 1, ATT_OEM_CODEPAGE, cp, 8);		/* 1252 */
	attr_str(sb, 1, ATT_MESSAGE_CLASS, "IPM.Microsoft Mail.Note");
	attr_str(sb, 1, ATT_SUBJECT, "Referral");
	attr_str(sb, 1, ATT_BODY, "Please see the attached form \x96 Casey");
	put32(&p, 3);
	put32(&p, 0x8005UL << 16 | 0x0003);	/* a named long */
	sb_add(&p, (const char *)guid, 16);
	put32(&p, 0);
	put32(&p, 0x8501);
	put32(&p, 15);
	prop_unicode(&p, 0x1000, "the body from the properties");
	put32(&p, 0x0e07UL << 16 | 0x0003);	/* PidTagMessageFlags */
	put32(&p, 1);
	attr(sb, 1, ATT_MSG_PROPS, p.buf, p.len);
	sb_reset(&p);

	renddata(sb);
	attr_str(sb, 2, ATT_ATTACH_TITLE, "TWSP-R~1.DOC");
	attr(sb, 2, ATT_ATTACH_MODIFIED, date, sizeof(date));
	attr(sb, 2, ATT_ATTACH_DATA, docx, dlen);
	put32(&p, 3);
	prop_unicode(&p, 0x3707, "twsp-referral.docx");
	put32(&p, 0x3705UL << 16 | 0x0003);	/* PidTagAttachMethod */
	put32(&p, 1);
	prop_var(&p, 0x001e, 0x370e, "application/octet-stream", 25);
	attr(sb, 2, ATT_ATTACHMENT, p.buf, p.len);
	sb_reset(&p);

	renddata(sb);
	put32(&p, 2);
	prop_var(&p, 0x0102, 0x3701, "a note\r\n", 8);
	prop_var(&p, 0x001e, 0x3707, "C:\\Users\\casey\\notes.txt", 25);
	attr(sb, 2, ATT_ATTACHMENT, p.buf, p.len);
	sb_reset(&p);
}

/* --- tests ----------------------------------------------------------- */

static void
test_outlook_stream(void **state)
{
	struct strbuf sb = { 0 };
	struct tnef *t = NULL;
	size_t dlen;
	char *docx = fixture("twsp-referral.docx", &dlen);

	(void)state;
	outlook_stream(&sb, docx, dlen);
	assert_int_equal(tnef_parse(sb.buf, sb.len, &t), 0);
	assert_non_null(t);
	assert_int_equal(t->nfiles, 2);
	assert_string_equal(t->files[0].name, "twsp-referral.docx");
	assert_string_equal(t->files[0].content_type, DOCX_TYPE);
	assert_int_equal(t->files[0].len, dlen);
	assert_memory_equal(t->files[0].data, docx, dlen);
	assert_true(docx_is_docx(t->files[0].name, t->files[0].content_type,
	    t->files[0].data, t->files[0].len));
	assert_string_equal(t->files[1].name, "notes.txt");
	assert_string_equal(t->files[1].content_type, "text/plain");
	assert_int_equal(t->files[1].len, 8);
	assert_string_equal(t->files[1].data, "a note\r\n");
	/* attBody, in the stream's code page (windows-1252). */
	assert_string_equal(t->body,
	    "Please see the attached form \xe2\x80\x93 Casey");
	tnef_free(t);
	sb_reset(&sb);
	free(docx);
}

/* Without a long name the short one is used; without attBody the
 * message's PidTagBody; a MIME tag types a name without a known
 * extension; an empty stream is still a stream. */
static void
test_fallbacks(void **state)
{
	struct strbuf sb = { 0 }, p = { 0 };
	struct tnef *t = NULL;

	(void)state;
	tnef_start(&sb);
	put32(&p, 1);
	prop_unicode(&p, 0x1000, "Name of Individual: Alex");
	attr(&sb, 1, ATT_MSG_PROPS, p.buf, p.len);
	sb_reset(&p);
	renddata(&sb);
	attr_str(&sb, 2, ATT_ATTACH_TITLE, "FORM.DOCX");
	attr(&sb, 2, ATT_ATTACH_DATA, "PK\3\4", 4);
	renddata(&sb);
	attr_str(&sb, 2, ATT_ATTACH_TITLE, "scan");
	attr(&sb, 2, ATT_ATTACH_DATA, "%PDF", 4);
	put32(&p, 1);
	prop_var(&p, 0x001e, 0x370e, "Application/PDF", 16);
	attr(&sb, 2, ATT_ATTACHMENT, p.buf, p.len);
	sb_reset(&p);
	renddata(&sb);			/* no data: nothing to keep */
	attr_str(&sb, 2, ATT_ATTACH_TITLE, "empty.txt");
	assert_int_equal(tnef_parse(sb.buf, sb.len, &t), 0);
	assert_int_equal(t->nfiles, 2);
	assert_string_equal(t->files[0].name, "FORM.DOCX");
	assert_string_equal(t->files[0].content_type, DOCX_TYPE);
	assert_string_equal(t->files[1].name, "scan");
	assert_string_equal(t->files[1].content_type, "application/pdf");
	assert_string_equal(t->body, "Name of Individual: Alex");
	tnef_free(t);
	sb_reset(&sb);

	tnef_start(&sb);
	assert_int_equal(tnef_parse(sb.buf, sb.len, &t), 0);
	assert_int_equal(t->nfiles, 0);
	assert_null(t->body);
	tnef_free(t);
	sb_reset(&sb);
}

/* Every way a stream can be damaged gives nothing. */
static void
test_damaged(void **state)
{
	struct strbuf sb = { 0 }, bad = { 0 };
	struct tnef *t;
	size_t dlen, n, alen = 0;
	char *docx = fixture("twsp-referral.docx", &dlen), *unchecked, *boundary;

	(void)state;
	outlook_stream(&sb, docx, dlen);
	/* Where the attributes start (TNEF has no end marker: a stream cut
	 * between two attributes is a shorter stream). */
	unchecked = xcalloc(sb.len, 1);
	boundary = xcalloc(sb.len + 1, 1);
	boundary[6] = 1;
	unchecked[4] = unchecked[5] = 1;
	for (n = 6; n + 9 <= sb.len; n += 9 + alen + 2) {
		memset(unchecked + n + 1, 1, 4);
		alen = (size_t)(unsigned char)sb.buf[n + 5] |
		    (size_t)(unsigned char)sb.buf[n + 6] << 8 |
		    (size_t)(unsigned char)sb.buf[n + 7] << 16 |
		    (size_t)(unsigned char)sb.buf[n + 8] << 24;
		boundary[n + 9 + alen + 2] = 1;
	}
	assert_int_equal(n, sb.len);
	/* Cut inside an attribute: nothing.  Cut between two: only whole
	 * files, byte for byte. */
	for (n = 0; n < sb.len; n++) {
		t = (struct tnef *)1;
		if (!boundary[n]) {
			assert_int_equal(tnef_parse(sb.buf, n, &t), -1);
			assert_null(t);
			continue;
		}
		assert_int_equal(tnef_parse(sb.buf, n, &t), 0);
		for (size_t i = 0; i < t->nfiles; i++)
			if (t->files[i].len == dlen)
				assert_memory_equal(t->files[i].data, docx,
				    dlen);
			else
				assert_string_equal(t->files[i].data,
				    "a note\r\n");
		tnef_free(t);
	}
	free(boundary);
	/* Any byte changed in the signature, a level, a length, the data
	 * (its checksum no longer matches) or a checksum: refused.  Only
	 * the key and the ids are not checked. */
	for (n = 0; n < sb.len; n++) {
		sb_add(&bad, sb.buf, sb.len);
		bad.buf[n] ^= 0x41;
		t = NULL;
		if (tnef_parse(bad.buf, bad.len, &t) == 0) {
			if (!unchecked[n])
				fail_msg("byte %zu changed, still parsed", n);
			tnef_free(t);
		}
		sb_reset(&bad);
	}
	free(unchecked);
	/* A length past the end, a huge one, an unknown level. */
	tnef_start(&bad);
	sb_addc(&bad, 2);
	put32(&bad, ATT_ATTACH_DATA);
	put32(&bad, 0xffffffffUL);
	sb_add(&bad, "PK\3\4\0\0", 6);
	assert_int_equal(tnef_parse(bad.buf, bad.len, &t), -1);
	sb_reset(&bad);
	tnef_start(&bad);
	attr(&bad, 3, ATT_BODY, "x", 1);
	assert_int_equal(tnef_parse(bad.buf, bad.len, &t), -1);
	sb_reset(&bad);
	assert_int_equal(tnef_parse(NULL, 0, &t), -1);
	assert_int_equal(tnef_parse("x\x9f\x3e\x22", 4, &t), -1);
	sb_reset(&sb);
	free(docx);
}

/* Property lists that lie (with good checksums) are read as far as they
 * make sense; nothing is read outside them. */
static void
test_hostile_props(void **state)
{
	struct strbuf sb = { 0 }, p = { 0 };
	struct tnef *t;
	static const unsigned long lies[][3] = {
		{ 0xffffffffUL, 0x37070102UL, 0xffffffffUL },	/* counts */
		{ 5, 0x3701001fUL, 1 },			/* value size cut */
		{ 1, 0x80000102UL, 0 },			/* a name cut */
		{ 2, 0x37011102UL, 0x40000000UL },	/* many values */
		{ 1, 0x3701000dUL, 1 },			/* object, no IID */
		{ 3, 0x37010000UL, 1 },			/* unknown type */
		{ 1, 0x37011003UL, 0x40000000UL },	/* many longs */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		tnef_start(&sb);
		put32(&p, lies[i][0]);
		put32(&p, lies[i][1]);
		put32(&p, lies[i][2]);
		put32(&p, 3);
		sb_add(&p, "abc", 3);
		attr(&sb, 1, ATT_MSG_PROPS, p.buf, p.len);
		renddata(&sb);
		attr(&sb, 2, ATT_ATTACHMENT, p.buf, p.len);
		sb_reset(&p);
		assert_int_equal(tnef_parse(sb.buf, sb.len, &t), 0);
		assert_true(t->nfiles <= 1);
		if (t->nfiles == 1)
			assert_true(t->files[0].len <= 3);
		tnef_free(t);
		sb_reset(&sb);
	}
}

/* At most TNEF_MAX_FILES files; none larger than TNEF_MAX_FILE. */
static void
test_limits(void **state)
{
	struct strbuf sb = { 0 };
	struct tnef *t;
	char *big;

	(void)state;
	tnef_start(&sb);
	for (int i = 0; i < TNEF_MAX_FILES + 50; i++) {
		renddata(&sb);
		attr_str(&sb, 2, ATT_ATTACH_TITLE, "a.txt");
		attr(&sb, 2, ATT_ATTACH_DATA, "x", 1);
	}
	assert_int_equal(tnef_parse(sb.buf, sb.len, &t), 0);
	assert_int_equal(t->nfiles, TNEF_MAX_FILES);
	tnef_free(t);
	sb_reset(&sb);

	big = xcalloc(1, TNEF_MAX_FILE + 1);
	tnef_start(&sb);
	renddata(&sb);
	attr_str(&sb, 2, ATT_ATTACH_TITLE, "big.docx");
	attr(&sb, 2, ATT_ATTACH_DATA, big, TNEF_MAX_FILE + 1);
	renddata(&sb);
	attr_str(&sb, 2, ATT_ATTACH_TITLE, "small.docx");
	attr(&sb, 2, ATT_ATTACH_DATA, big, 10);
	assert_int_equal(tnef_parse(sb.buf, sb.len, &t), 0);
	assert_int_equal(t->nfiles, 1);
	assert_string_equal(t->files[0].name, "small.docx");
	tnef_free(t);
	sb_reset(&sb);
	free(big);
}

static char *
base64(const char *d, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct strbuf sb = { 0 };
	const unsigned char *u = (const unsigned char *)d;

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)u[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)u[i + 1] << 8;
		if (i + 2 < n)
			v |= u[i + 2];
		sb_addc(&sb, b64[(v >> 18) & 63]);
		sb_addc(&sb, b64[(v >> 12) & 63]);
		sb_addc(&sb, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		sb_addc(&sb, i + 2 < n ? b64[v & 63] : '=');
		if ((i / 3 + 1) % 19 == 0)
			sb_adds(&sb, "\r\n");
	}
	sb_adds(&sb, "\r\n");
	return sb_steal(&sb);
}

/* Exchange's message: an empty text part and winmail.dat.  The Word
 * form inside comes out as an attachment of its own, the body text from
 * the stream; a damaged winmail.dat stays only itself. */
static void
test_winmail_in_message(void **state)
{
	struct strbuf sb = { 0 }, raw = { 0 };
	struct message *m;
	char err[256], *b64;
	size_t dlen;
	char *docx = fixture("twsp-referral.docx", &dlen);

	(void)state;
	outlook_stream(&sb, docx, dlen);
	b64 = base64(sb.buf, sb.len);
	sb_addf(&raw,
	    "From: Casey Practitioner <casey@telford.example.gov.uk>\r\n"
	    "Subject: Referral\r\n"
	    "X-MS-Has-Attach: yes\r\n"
	    "X-MS-TNEF-Correlator: <00000000ABCD@EXCH01.example.gov.uk>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"_000_EXCH01_\"\r\n"
	    "\r\n"
	    "--_000_EXCH01_\r\n"
	    "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
	    "\r\n"
	    "\r\n"
	    "--_000_EXCH01_\r\n"
	    "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
	    "Content-Disposition: attachment; filename=\"winmail.dat\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "%s"
	    "--_000_EXCH01_--\r\n", b64);
	assert_int_equal(message_parse(raw.buf, raw.len, &m, err, sizeof(err)),
	    0);
	assert_int_equal(m->nattachments, 3);
	assert_string_equal(m->attachments[0].filename, "winmail.dat");
	assert_string_equal(m->attachments[0].content_type,
	    "application/ms-tnef");
	assert_int_equal(m->attachments[0].len, sb.len);
	assert_string_equal(m->attachments[1].filename, "twsp-referral.docx");
	assert_string_equal(m->attachments[1].content_type, DOCX_TYPE);
	assert_int_equal(m->attachments[1].len, dlen);
	assert_memory_equal(m->attachments[1].data, docx, dlen);
	assert_string_equal(m->attachments[2].filename, "notes.txt");
	assert_string_equal(m->text,
	    "Please see the attached form \xe2\x80\x93 Casey");
	message_free(m);
	free(b64);

	/* The same stream cut short inside its last attribute (as a
	 * gateway would): only the winmail.dat itself. */
	b64 = base64(sb.buf, sb.len - 90);
	sb_reset(&raw);
	sb_addf(&raw,
	    "From: casey@telford.example.gov.uk\r\n"
	    "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "%s", b64);
	assert_int_equal(message_parse(raw.buf, raw.len, &m, err, sizeof(err)),
	    0);
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].filename, "winmail.dat");
	assert_string_equal(m->text, "");
	message_free(m);
	free(b64);
	sb_reset(&raw);
	sb_reset(&sb);
	free(docx);
}

/* Random damage to a good stream: parsed or refused, never a crash. */
static void
test_mutations(void **state)
{
	struct strbuf sb = { 0 };
	struct tnef *t;
	unsigned long seed = 12345;
	size_t dlen;
	char *docx = fixture("document2.docx", &dlen), *copy;

	(void)state;
	outlook_stream(&sb, docx, dlen);
	copy = xmalloc(sb.len);
	for (int round = 0; round < 3000; round++) {
		size_t len = sb.len;

		memcpy(copy, sb.buf, sb.len);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			copy[(seed >> 33) % sb.len] = (char)(seed >> 17);
		}
		if (round % 3 == 0)
			len = (seed >> 40) % sb.len;
		if (tnef_parse(copy, len, &t) == 0) {
			for (size_t i = 0; i < t->nfiles; i++)
				assert_int_equal(t->files[i].data[t->files[i].len],
				    '\0');
			tnef_free(t);
		}
	}
	free(copy);
	sb_reset(&sb);
	free(docx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outlook_stream),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_hostile_props),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_winmail_in_message),
		cmocka_unit_test(test_mutations),
	};

	log_init(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
