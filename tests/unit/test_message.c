/*
 * test_message: bot/message.c on hand-written messages: plain text,
 * quoted-printable windows-1252, base64 UTF-8, RFC 2047 subjects, the
 * choice between text/plain and text/html, text from HTML tables,
 * attachments with RFC 2231 / 2047 file names, unknown charsets, missing
 * headers, threading headers, addresses, reports, attached messages, and
 * a battery of damaged and hostile input that must not crash (run it under
 * valgrind or ASan to make that mean something).
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

#include "log.h"
#include "message.h"
#include "util.h"
#include "unit.h"

static struct message *
parse_ok(const char *raw)
{
	struct message *m = NULL;
	char err[256] = "";

	if (message_parse(raw, strlen(raw), &m, err, sizeof(err)) != 0)
		fail_msg("message_parse failed: %s", err);
	assert_non_null(m);
	assert_non_null(m->text);
	assert_non_null(m->subject);
	assert_non_null(m->content_type);
	return m;
}


static void
test_plain(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "Return-Path: <Jo.Smith@Example.gov.uk>\r\n"
	    "From: Jo Smith <jo.smith@example.gov.uk>\r\n"
	    "To: box@example.org\r\n"
	    "Subject: Escalation form\r\n"
	    "Date: Mon, 2 Mar 2026 10:30:00 +0100\r\n"
	    "Message-ID: <abc.123@mail.example.gov.uk>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n"
	    "\r\n"
	    "Name of child: A\r\n"
	    "Agency: B\r\n");
	assert_string_equal(m->subject, "Escalation form");
	assert_string_equal(m->text, "Name of child: A\r\nAgency: B\r\n");
	assert_string_equal(m->from_addr, "jo.smith@example.gov.uk");
	assert_string_equal(m->from_name, "Jo Smith");
	assert_string_equal(m->return_path, "jo.smith@example.gov.uk");
	assert_string_equal(m->message_id, "abc.123@mail.example.gov.uk");
	assert_null(m->in_reply_to);
	assert_null(m->references);
	assert_null(m->html);
	assert_string_equal(m->content_type, "text/plain");
	assert_int_equal(m->nattachments, 0);
	assert_int_equal(m->is_report, 0);
	assert_true(m->date == unit_utc(2026, 3, 2, 9, 30, 0));
	assert_int_equal(m->nheaders, 8);
	assert_string_equal(m->headers[1].name, "From");
	assert_string_equal(message_header(m, "message-id"),
	    "<abc.123@mail.example.gov.uk>");
	assert_string_equal(message_header(m, "TO"), "box@example.org");
	assert_null(message_header(m, "Cc"));
	message_free(m);
}

static void
test_bare_lf_and_folding(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\n"
	    "Subject: a long\n"
	    "\tsubject folded\n"
	    "  twice\n"
	    "X-Empty:\n"
	    "Date: 5 Jan 26 23:59:59 -0500\n"
	    "\n"
	    "body\n");
	assert_string_equal(m->subject, "a long\tsubject folded  twice");
	assert_string_equal(message_header(m, "X-Empty"), "");
	assert_string_equal(m->text, "body\n");
	assert_true(m->date == unit_utc(2026, 1, 6, 4, 59, 59));
	message_free(m);
}

static void
test_qp_windows1252(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: qp\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=\"windows-1252\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "It=92s the child=92s =93plan=94 =96 =80100, caf=E9 and a soft=\r\n"
	    " break.\r\n");
	assert_string_equal(m->text,
	    "It\xe2\x80\x99s the child\xe2\x80\x99s \xe2\x80\x9cplan\xe2\x80\x9d"
	    " \xe2\x80\x93 \xe2\x82\xac" "100, caf\xc3\xa9 and a soft break.\r\n");
	message_free(m);

	/* iso-8859-1 is read as windows-1252, as every mail reader does. */
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "don=92t =A35\r\n");
	assert_string_equal(m->text, "don\xe2\x80\x99t \xc2\xa3" "5\r\n");
	message_free(m);
}

static void
test_base64_utf8(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: b64\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "Q2Fmw6kg4oCUIGRvbmUNCkxp\r\n"
	    "bmUgdHdvDQo=\r\n");
	assert_string_equal(m->text,
	    "Caf\xc3\xa9 \xe2\x80\x94 done\r\nLine two\r\n");
	message_free(m);
}

/*
 * Transfer decoding at the edges, as a table: what a client or a hostile
 * sender can leave at the end of a part.  "=X" ending a part is what
 * libetpan's own decoder read past (found by fuzz_intake); the part is the
 * last thing in the message, so a read past it leaves the buffer.
 */
static void
test_transfer_edges(void **state)
{
	static const struct {
		const char *cte, *body, *text;
	} rows[] = {
		{ "quoted-printable", "tail =X", "tail =X" },
		{ "quoted-printable", "tail =", "tail " },
		{ "quoted-printable", "tail =4", "tail =4" },
		{ "quoted-printable", "a =ZZ b", "a =ZZ b" },
		{ "quoted-printable", "lower =e2=80=99", "lower \xe2\x80\x99" },
		{ "quoted-printable", "soft = \r\nbreak", "soft break" },
		{ "quoted-printable", "soft=\nbreak", "soft" "break" },
		{ "quoted-printable", "=3D=3d", "==" },
		{ "base64", "aGk", "hi" },
		{ "base64", "aGk=", "hi" },
		{ "base64", "aGVs\r\nbG8=", "hello" },
		{ "base64", "aG*Vs!bG8", "hello" },
		{ "base64", "a", "" },
		{ "base64", "", "" },
		{ "7bit", "as =41 is", "as =41 is" },
	};
	char raw[512], err[256];
	struct message *m;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = snprintf(raw, sizeof(raw),
		    "From: a@b.example\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: %s\r\n\r\n%s",
		    rows[i].cte, rows[i].body);
		assert_true(n > 0 && (size_t)n < sizeof(raw));
		/* Exactly the message's bytes, so a read past it is caught
		 * by the sanitizers. */
		m = NULL;
		if (message_parse(raw, (size_t)n, &m, err, sizeof(err)) != 0)
			fail_msg("row %zu: %s", i, err);
		if (strcmp(m->text, rows[i].text) != 0)
			fail_msg("row %zu (%s %s): got \"%s\"", i, rows[i].cte,
			    rows[i].body, m->text);
		message_free(m);
	}
}

static void
test_rfc2047_subject(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: =?UTF-8?Q?Caf=C3=A9_au_lait?= and\r\n"
	    "\t=?utf-8?B?w4dhIHZhPyDinJM=?=\r\n"
	    "X-Latin: =?iso-8859-1?q?caf=E9?= =?ISO-8859-1?Q?_cr=E8me?=\r\n"
	    "X-Broken: =?utf-8?q?unterminated\r\n"
	    "X-Unknown: =?x-klingon?q?plain_text?=\r\n"
	    "\r\n"
	    "body\r\n");
	assert_string_equal(m->subject,
	    "Caf\xc3\xa9 au lait and \xc3\x87" "a va? \xe2\x9c\x93");
	/* Whitespace between adjacent encoded words is dropped. */
	assert_string_equal(message_header(m, "X-Latin"),
	    "caf\xc3\xa9 cr\xc3\xa8me");
	assert_non_null(strstr(message_header(m, "X-Broken"),
	    "unterminated"));
	assert_string_equal(message_header(m, "X-Unknown"), "plain text");
	message_free(m);
}

static void
test_raw_8bit_header(void **state)
{
	struct message *m;

	(void)state;
	/* Raw UTF-8 in a header is kept; raw Latin-1 is read as cp1252. */
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: caf\xc3\xa9\r\n"
	    "X-Old: caf\xe9\r\n"
	    "\r\n"
	    "x\r\n");
	assert_string_equal(m->subject, "caf\xc3\xa9");
	assert_string_equal(message_header(m, "X-Old"), "caf\xc3\xa9");
	message_free(m);
}

static void
test_alternative_prefers_plain(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: alt\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; boundary=\"XX\"\r\n"
	    "\r\n"
	    "preamble\r\n"
	    "--XX\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "\r\n"
	    "<p>HTML <b>version</b></p>\r\n"
	    "--XX\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "\r\n"
	    "Plain version\r\n"
	    "--XX--\r\n"
	    "epilogue\r\n");
	assert_string_equal(m->content_type, "multipart/alternative");
	assert_string_equal(m->text, "Plain version");
	assert_non_null(m->html);
	assert_non_null(strstr(m->html, "<b>version</b>"));
	assert_int_equal(m->nattachments, 0);
	message_free(m);
}

static void
test_html_only_table(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: html\r\n"
	    "Content-Type: text/html; charset=windows-1252\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "<html><head><title>T</title><style>p {color:red}</style></head>=\r\n"
	    "<body><script>alert('x')</script>\r\n"
	    "<p>Referral&nbsp;form</p>\r\n"
	    "<table>\r\n"
	    "<tr><th>Field</th><th>Answer</th></tr>\r\n"
	    "<tr><td>Name of child</td><td>Jo &amp; Sam</td></tr>\r\n"
	    "<tr><td>Agency</td><td>Children=92s services</td></tr>\r\n"
	    "<tr><td></td><td>second col</td></tr>\r\n"
	    "</table>\r\n"
	    "<div>Line<br>break &lt;ok&gt; &#8217;&#x2019; &#146;</div>\r\n"
	    "<!-- a comment -->\r\n"
	    "</body></html>\r\n");
	assert_null(strstr(m->text, "alert"));
	assert_null(strstr(m->text, "color"));
	assert_null(strstr(m->text, "comment"));
	assert_string_equal(m->text,
	    "Referral form\n"
	    "Field\tAnswer\n"
	    "Name of child\tJo & Sam\n"
	    "Agency\tChildren\xe2\x80\x99s services\n"
	    "\tsecond col\n"
	    "Line\n"
	    "break <ok> \xe2\x80\x99\xe2\x80\x99 \xe2\x80\x99");
	assert_non_null(m->html);
	message_free(m);
}

static void
test_html_to_text(void **state)
{
	char *t;

	(void)state;
	t = message_html_to_text("  Hello   <b>big</b>\n\n  world  ");
	assert_string_equal(t, "Hello big world");
	free(t);
	t = message_html_to_text("<p>one</p><p>two</p><p></p><p></p><p>3</p>");
	assert_string_equal(t, "one\ntwo\n3");
	free(t);
	t = message_html_to_text("<pre>a  b\n  c</pre>x");
	assert_string_equal(t, "a  b\n  c\nx");
	free(t);
	t = message_html_to_text("a < b && c <3 &unknown; &#0; &#xD800;");
	assert_string_equal(t, "a < b && c <3 &unknown; \xef\xbf\xbd "
	    "\xef\xbf\xbd");
	free(t);
	t = message_html_to_text("<a href=\"x>y\" title='>'>link</a><img "
	    "src=x.png>");
	assert_string_equal(t, "link");
	free(t);
	t = message_html_to_text("<SCRIPT>x<y</SCRIPT >ok<STYLE>z");
	assert_string_equal(t, "ok");
	free(t);
	t = message_html_to_text("unterminated <b");
	assert_string_equal(t, "unterminated");
	free(t);
	t = message_html_to_text(NULL);
	assert_string_equal(t, "");
	free(t);
	t = message_html_to_text("&amp&lt;&#65&#x42;");
	assert_string_equal(t, "&<AB");
	free(t);
	/* Issue 12: Outlook's empty paragraph is a blank line of the
	 * answer; paragraphs in table cells do not break the row. */
	t = message_html_to_text("<p>one</p><p class=MsoNormal><o:p>&nbsp;"
	    "</o:p></p><p>two</p>");
	assert_string_equal(t, "one\n\ntwo");
	free(t);
	t = message_html_to_text("<table><tr><td><p>Date:</p></td><td><p>"
	    "02.02.26</p><p>x</p></td></tr><tr><td>&nbsp;</td><td><p>more"
	    "</p></td></tr></table>after");
	assert_string_equal(t, "Date:\t02.02.26\nx\n\tmore\nafter");
	free(t);
}

static void
test_attachment_rfc2231(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: form attached\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b1\r\n"
	    "\r\n"
	    "--b1\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "See attached.\r\n"
	    "--b1\r\n"
	    "Content-Type: Application/VND.openxmlformats-officedocument"
	    ".wordprocessingml.document; name=\"ignored.docx\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*=UTF-8''na%C3%AFve%20form.docx\r\n"
	    "\r\n"
	    "UEsDBGZha2UgZG9jeAAB\r\n"
	    "--b1\r\n"
	    "Content-Type: application/pdf\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*0*=iso-8859-1''R%E9f;\r\n"
	    " filename*1=\"erral form.pdf\"\r\n"
	    "\r\n"
	    "%PDF-1.4\r\n"
	    "--b1\r\n"
	    "Content-Type: image/png; name=\"=?utf-8?Q?sm=C3=B8rrebr=C3=B8d?="
	    ".png\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "iVBORw0K\r\n"
	    "--b1\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Disposition: attachment\r\n"
	    "\r\n"
	    "notes, not the body\r\n"
	    "--b1--\r\n");
	assert_string_equal(m->text, "See attached.");
	assert_int_equal(m->nattachments, 4);

	assert_string_equal(m->attachments[0].filename,
	    "na\xc3\xafve form.docx");
	assert_string_equal(m->attachments[0].content_type,
	    "application/vnd.openxmlformats-officedocument"
	    ".wordprocessingml.document");
	assert_int_equal(m->attachments[0].len, 15);
	assert_memory_equal(m->attachments[0].data, "PK\x03\x04" "fake docx"
	    "\x00\x01", 15);
	assert_int_equal(m->attachments[0].data[15], '\0');

	assert_string_equal(m->attachments[1].filename,
	    "R\xc3\xa9" "ferral form.pdf");
	assert_string_equal(m->attachments[1].content_type,
	    "application/pdf");
	assert_string_equal(m->attachments[1].data, "%PDF-1.4");

	assert_string_equal(m->attachments[2].filename,
	    "sm\xc3\xb8rrebr\xc3\xb8" "d.png");
	assert_string_equal(m->attachments[2].content_type, "image/png");
	assert_int_equal(m->attachments[2].len, 6);

	assert_null(m->attachments[3].filename);
	assert_string_equal(m->attachments[3].data, "notes, not the body");
	message_free(m);
}

static void
test_unknown_charset(void **state)
{
	struct message *m;
	char *s;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Content-Type: text/plain; charset=x-no-such-charset\r\n"
	    "\r\n"
	    "caf\xc3\xa9 ok \xff bad\r\n");
	assert_string_equal(m->text,
	    "caf\xc3\xa9 ok \xef\xbf\xbd bad\r\n");
	message_free(m);

	s = message_to_utf8("utf-8", "a\xc3(b\xed\xa0\x80" "c\xc0\xaf", 10);
	assert_string_equal(s, "a\xef\xbf\xbd(b\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	s = message_to_utf8(NULL, "x\0y", 3);
	assert_string_equal(s, "x\xef\xbf\xbdy");
	free(s);
	s = message_to_utf8("\"Windows-1252\"", "\x93q\x94 \x81", 5);
	assert_string_equal(s, "\xe2\x80\x9cq\xe2\x80\x9d \xef\xbf\xbd");
	free(s);
	s = message_to_utf8("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", 6);
	assert_string_equal(s, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
	    "\xd1\x82");
	free(s);
	/* A sequence cut off at the end. */
	s = message_to_utf8("shift_jis", "ab\x82", 3);
	assert_string_equal(s, "ab\xef\xbf\xbd");
	free(s);
	s = message_to_utf8("utf-16le", "h\0i\0", 4);
	assert_string_equal(s, "hi");
	free(s);
	s = message_to_utf8("bad\x01name", "plain", 5);
	assert_string_equal(s, "plain");
	free(s);
	s = message_to_utf8("us-ascii", NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_missing_headers(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok("X-Only: 1\r\n\r\nhello\r\n");
	assert_string_equal(m->subject, "");
	assert_null(m->from_addr);
	assert_null(m->from_name);
	assert_null(m->message_id);
	assert_null(m->in_reply_to);
	assert_null(m->references);
	assert_null(m->return_path);
	assert_int_equal(m->date, 0);
	assert_string_equal(m->content_type, "text/plain");
	assert_string_equal(m->text, "hello\r\n");
	message_free(m);

	/* Headers only, no empty line, no body. */
	m = parse_ok("Subject: only\r\nFrom: <x@y.example>");
	assert_string_equal(m->subject, "only");
	assert_string_equal(m->from_addr, "x@y.example");
	assert_null(m->from_name);
	assert_string_equal(m->text, "");
	message_free(m);

	/* An unparsable Date is 0. */
	m = parse_ok("Date: yesterday-ish\r\n\r\n");
	assert_int_equal(m->date, 0);
	message_free(m);
}

static void
test_not_a_message(void **state)
{
	struct message *m = NULL;
	char err[128];

	(void)state;
	assert_int_equal(message_parse("", 0, &m, err, sizeof(err)), -1);
	assert_null(m);
	assert_int_equal(message_parse("no colon anywhere\r\n", 19, &m, err,
	    sizeof(err)), -1);
	assert_null(m);
	assert_true(err[0] != '\0');
	assert_int_equal(message_parse("\r\nbody without headers", 22, &m,
	    NULL, 0), -1);
	assert_null(m);
}

static void
test_threading_headers(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Message-ID:\r\n <  id-1@x.example  >\r\n"
	    "In-Reply-To: <parent@x.example> (sent by Jo)\r\n"
	    "References: <root@x.example>\r\n"
	    " <parent@x.example>\r\n"
	    "\r\n");
	assert_string_equal(m->message_id, "id-1@x.example");
	assert_string_equal(m->in_reply_to, "parent@x.example");
	assert_string_equal(m->references,
	    "<root@x.example> <parent@x.example>");
	message_free(m);

	m = parse_ok("Message-ID: bare@id.example\r\nIn-Reply-To: <>\r\n\r\n");
	assert_string_equal(m->message_id, "bare@id.example");
	assert_null(m->in_reply_to);
	message_free(m);
}

static void
test_from_and_return_path(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: \"Smith, Jo (CSC)\" <Jo.Smith@Example.GOV.UK>\r\n"
	    "Return-Path: <>\r\n"
	    "\r\n");
	assert_string_equal(m->from_addr, "jo.smith@example.gov.uk");
	assert_string_equal(m->from_name, "Smith, Jo (CSC)");
	assert_string_equal(m->return_path, "");
	message_free(m);

	m = parse_ok(
	    "From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <J.Mueller@X.example>\r\n"
	    "Return-Path: Bounces@Lists.Example\r\n"
	    "\r\n");
	assert_string_equal(m->from_addr, "j.mueller@x.example");
	assert_string_equal(m->from_name, "J\xc3\xb6rg M\xc3\xbcller");
	assert_string_equal(m->return_path, "bounces@lists.example");
	message_free(m);

	/* Not RFC 5322, still understood. */
	m = parse_ok("From: Jo Smith jo@X.example\r\n\r\n");
	assert_string_equal(m->from_addr, "jo@x.example");
	message_free(m);
	m = parse_ok("From: Jo <Jo@X.example> <junk\r\n\r\n");
	assert_non_null(m->from_addr);
	message_free(m);
	m = parse_ok("From: MAILER-DAEMON@mx.example (Mail Delivery System)"
	    "\r\n\r\n");
	assert_string_equal(m->from_addr, "mailer-daemon@mx.example");
	message_free(m);
}

static void
test_report(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: MAILER-DAEMON@mx.example\r\n"
	    "Return-Path: <>\r\n"
	    "Subject: Undelivered Mail Returned to Sender\r\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
	    "\tboundary=\"R\"\r\n"
	    "\r\n"
	    "--R\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "Delivery failed.\r\n"
	    "--R\r\n"
	    "Content-Type: message/delivery-status\r\n"
	    "\r\n"
	    "Reporting-MTA: dns; mx.example\r\n"
	    "\r\n"
	    "Final-Recipient: rfc822; lead@example.gov.uk\r\n"
	    "Action: failed\r\n"
	    "Status: 5.1.1\r\n"
	    "--R\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "From: box@example.org\r\n"
	    "Subject: [TWSP-2026-0001] chase\r\n"
	    "\r\n"
	    "original text\r\n"
	    "--R--\r\n");
	assert_int_equal(m->is_report, 1);
	assert_string_equal(m->content_type, "multipart/report");
	assert_string_equal(m->text, "Delivery failed.");
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].content_type,
	    "message/delivery-status");
	assert_non_null(strstr(m->attachments[0].data, "Status: 5.1.1"));
	message_free(m);
}

static void
test_attached_message(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Subject: Fw: form\r\n"
	    "Content-Type: multipart/mixed; boundary=o\r\n"
	    "\r\n"
	    "--o\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "Content-Disposition: attachment; filename=\"Fw form.eml\"\r\n"
	    "\r\n"
	    "From: jo@c.example\r\n"
	    "Subject: form\r\n"
	    "Content-Type: multipart/mixed; boundary=i\r\n"
	    "\r\n"
	    "--i\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "inner text\r\n"
	    "--i\r\n"
	    "Content-Type: application/octet-stream; name=form.docx\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "UEsDBGZha2UgZG9jeAAB\r\n"
	    "--i--\r\n"
	    "--o--\r\n");
	assert_string_equal(m->text, "inner text");
	assert_int_equal(m->nattachments, 2);
	assert_string_equal(m->attachments[0].filename, "Fw form.eml");
	assert_string_equal(m->attachments[0].content_type, "message/rfc822");
	assert_non_null(strstr(m->attachments[0].data, "Subject: form"));
	assert_string_equal(m->attachments[1].filename, "form.docx");
	assert_int_equal(m->attachments[1].len, 15);
	message_free(m);
}

/* Thunderbird's format=flowed (delsp=no, 8bit): soft breaks inside an
 * answer joined, the stuffed space of " From" gone, the signature
 * separator and hard breaks kept, quoted paragraphs joined at their own
 * depth. */
static void
test_flowed_thunderbird(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: Casey <casey@telford.example.gov.uk>\r\n"
	    "Subject: Referral\r\n"
	    "User-Agent: Mozilla/5.0 Thunderbird/128.5.0\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "\r\n"
	    "Name of Individual: Alex Example\r\n"
	    "Summary of Concerns: West Mercia Police declined to attend the "
	    "strategy \r\n"
	    "discussion for Alex; stages 1 and 2 were tried with the line "
	    "managers \r\n"
	    "on 12 and 17 November without agreement.\r\n"
	    "Requested Action: A joint strategy discussion within 2 working "
	    "days.\r\n"
	    " From the team: thank you\r\n"
	    " >not a quote\r\n"
	    "\r\n"
	    "-- \r\n"
	    "Casey\r\n"
	    "\r\n"
	    "On 20/11/2026 Jo wrote:\r\n"
	    "> Please send the form, the deadline is \r\n"
	    "> Friday.\r\n"
	    ">> older \r\n"
	    ">> text\r\n"
	    "> ends a paragraph \r\n"
	    ">> at another depth\r\n");
	assert_string_equal(m->text,
	    "Name of Individual: Alex Example\r\n"
	    "Summary of Concerns: West Mercia Police declined to attend the "
	    "strategy discussion for Alex; stages 1 and 2 were tried with the "
	    "line managers on 12 and 17 November without agreement.\r\n"
	    "Requested Action: A joint strategy discussion within 2 working "
	    "days.\r\n"
	    "From the team: thank you\r\n"
	    ">not a quote\r\n"
	    "\r\n"
	    "-- \r\n"
	    "Casey\r\n"
	    "\r\n"
	    "On 20/11/2026 Jo wrote:\r\n"
	    "> Please send the form, the deadline is Friday.\r\n"
	    ">> older text\r\n"
	    "> ends a paragraph \r\n"
	    ">> at another depth\r\n");
	message_free(m);
}

/* Apple Mail's delsp=yes in quoted-printable, bare LF line ends (which
 * libetpan's decoder turns into CRLF): the
 * space before each soft break is the writer's and goes (a word split in
 * two comes back whole); the parameter spelled in any case and quoted. */
static void
test_flowed_delsp(void **state)
{
	struct message *m;

	(void)state;
	m = parse_ok(
	    "From: Sam <sam@wigan.example.gov.uk>\n"
	    "Subject: Proforma\n"
	    "X-Mailer: Apple Mail (2.3774.600.62)\n"
	    "Mime-Version: 1.0 (Mac OS X Mail 16.0)\n"
	    "Content-Type: text/plain; charset=utf-8; Format=\"Flowed\";\n"
	    "\tDelSp=\"yes\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Reason for seeking resolution: the care home raised it on 3 =\n"
	    "Novem \n"
	    "ber; two requests  \n"
	    "had no reply =E2=80=93 none.=20\n"
	    "Name:\n"
	    "Jamie Testperson\n");
	assert_string_equal(m->text,
	    "Reason for seeking resolution: the care home raised it on 3 "
	    "November; two requests had no reply \xe2\x80\x93 none.Name:\r\n"
	    "Jamie Testperson\r\n");
	message_free(m);

	/* Without format=flowed a trailing space is an ordinary hard
	 * break, as before. */
	m = parse_ok(
	    "From: a@b.example\r\n"
	    "Content-Type: text/plain; charset=utf-8; format=fixed\r\n"
	    "\r\n"
	    "one \r\n"
	    " two\r\n");
	assert_string_equal(m->text, "one \r\n two\r\n");
	message_free(m);
}

/* Messages cut short before their close delimiters: every part that is
 * there is read, the last of a nested multipart included. */
static void
test_truncated_multipart(void **state)
{
	struct message *m;

	(void)state;
	/* Apple Mail's shape (the form typed, an attachment in the HTML
	 * alternative), cut by a gateway after the Word file. */
	m = parse_ok(
	    "From: Sam <sam@wigan.example.gov.uk>\r\n"
	    "Subject: Referral\r\n"
	    "Mime-Version: 1.0 (Mac OS X Mail 16.0)\r\n"
	    "Content-Type: multipart/alternative;\r\n"
	    "\tboundary=\"Apple-Mail=_A1B2C3D4-0000-4E5F-8899-AABBCCDDEEFF\"\r\n"
	    "\r\n"
	    "\r\n"
	    "--Apple-Mail=_A1B2C3D4-0000-4E5F-8899-AABBCCDDEEFF\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "Content-Type: text/plain;\r\n"
	    "\tcharset=us-ascii\r\n"
	    "\r\n"
	    "Name of Individual: Alex Example\r\n"
	    "Date of Birth: 01/02/2015\r\n"
	    "\r\n"
	    "--Apple-Mail=_A1B2C3D4-0000-4E5F-8899-AABBCCDDEEFF\r\n"
	    "Content-Type: multipart/mixed;\r\n"
	    "\tboundary=\"Apple-Mail=_99887766-5544-4332-2110-FFEEDDCCBBAA\"\r\n"
	    "\r\n"
	    "\r\n"
	    "--Apple-Mail=_99887766-5544-4332-2110-FFEEDDCCBBAA\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "Content-Type: text/html;\r\n"
	    "\tcharset=us-ascii\r\n"
	    "\r\n"
	    "<html><body>Name of Individual: Alex Example</body></html>\r\n"
	    "--Apple-Mail=_99887766-5544-4332-2110-FFEEDDCCBBAA\r\n"
	    "Content-Disposition: attachment;\r\n"
	    "\tfilename=referral.docx\r\n"
	    "Content-Type: application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document;\r\n"
	    "\tname=\"referral.docx\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "UEsDBGZha2UgZG9jeAAB\r\n");
	assert_string_equal(m->text,
	    "Name of Individual: Alex Example\r\nDate of Birth: 01/02/2015\r\n");
	assert_string_equal(m->html,
	    "<html><body>Name of Individual: Alex Example</body></html>");
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].filename, "referral.docx");
	assert_int_equal(m->attachments[0].len, 15);
	assert_memory_equal(m->attachments[0].data, "PK\3\4fake docx\0\1", 15);
	message_free(m);

	/* Outlook's shape, cut inside the text part with no line end: the
	 * text is kept to the last byte; a closed inner multipart is left
	 * as it is. */
	m = parse_ok(
	    "From: jo@c.example\r\n"
	    "Subject: form\r\n"
	    "Content-Type: multipart/mixed; boundary=\"_004_outer_\"\r\n"
	    "\r\n"
	    "--_004_outer_\r\n"
	    "Content-Type: multipart/alternative; boundary=\"_000_inner_\"\r\n"
	    "\r\n"
	    "--_000_inner_\r\n"
	    "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
	    "\r\n"
	    "Name of Individual: Alex Example\r\n"
	    "Requested Action: A joint strat");
	assert_string_equal(m->text, "Name of Individual: Alex Example\r\n"
	    "Requested Action: A joint strat");
	assert_int_equal(m->nattachments, 0);
	message_free(m);

	m = parse_ok(
	    "From: jo@c.example\r\n"
	    "Subject: form\r\n"
	    "Content-Type: multipart/mixed; boundary=o\r\n"
	    "\r\n"
	    "--o\r\n"
	    "Content-Type: multipart/alternative; boundary=i\r\n"
	    "\r\n"
	    "--i\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "the text\r\n"
	    "--i\r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "<p>the text</p>\r\n"
	    "--i--\r\n"
	    "--o\r\n"
	    "Content-Type: application/pdf; name=a.pdf\r\n"
	    "\r\n"
	    "%PDF-1.4\r\n");
	assert_string_equal(m->text, "the text");
	assert_string_equal(m->html, "<p>the text</p>");
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].data, "%PDF-1.4");
	message_free(m);
}

/* Parse, and when it worked, touch every field (valgrind sees the rest). */
static void
parse_any(const char *raw, size_t len)
{
	struct message *m = NULL;
	char err[128];
	size_t i, sum = 0;

	if (message_parse(raw, len, &m, err, sizeof(err)) != 0) {
		assert_null(m);
		return;
	}
	assert_non_null(m);
	sum += strlen(m->text) + strlen(m->subject) + strlen(m->content_type);
	for (i = 0; i < m->nheaders; i++)
		sum += strlen(m->headers[i].name) + strlen(m->headers[i].value);
	for (i = 0; i < m->nattachments; i++) {
		sum += m->attachments[i].len + strlen(m->attachments[i].
		    content_type);
		if (m->attachments[i].filename)
			sum += strlen(m->attachments[i].filename);
		assert_int_equal(m->attachments[i].data[m->attachments[i].len],
		    '\0');
	}
	if (m->html)
		sum += strlen(m->html);
	if (m->from_addr)
		sum += strlen(m->from_addr);
	if (m->from_name)
		sum += strlen(m->from_name);
	if (m->message_id)
		sum += strlen(m->message_id);
	if (m->return_path)
		sum += strlen(m->return_path);
	assert_true(sum > 0 || m->nheaders > 0);
	message_free(m);
}

static char *
repeat(const char *s, size_t times, const char *tail)
{
	struct strbuf sb = { 0 };
	size_t i;

	for (i = 0; i < times; i++)
		sb_adds(&sb, s);
	sb_adds(&sb, tail);
	return sb_steal(&sb);
}

/* message_parse must fail, with a reason containing `why`. */
static void
parse_refused(const char *raw, const char *why)
{
	struct message *m = NULL;
	char err[256] = "";

	if (message_parse(raw, strlen(raw), &m, err, sizeof(err)) == 0)
		fail_msg("message_parse accepted what it should refuse (%s)",
		    why);
	assert_null(m);
	if (strstr(err, why) == NULL)
		fail_msg("reason \"%s\", expected \"%s\"", err, why);
}

/* s with every '@' replaced by i. */
static void
add_numbered(struct strbuf *sb, const char *s, size_t i)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '@')
			sb_addf(sb, "%zu", i);
		else
			sb_addc(sb, *p);
	}
}

/* `head`, then `level` n times with every '@' replaced by the level's
 * number (so boundaries differ from level to level), then `tail`, then
 * `close` (may be NULL) for each level, innermost first. */
static char *
nest_closed(const char *head, const char *level, size_t n, const char *tail,
    const char *close)
{
	struct strbuf sb = { 0 };

	sb_adds(&sb, head);
	for (size_t i = 0; i < n; i++)
		add_numbered(&sb, level, i);
	sb_adds(&sb, tail);
	for (size_t i = n; close != NULL && i > 0; i--)
		add_numbered(&sb, close, i - 1);
	return sb_steal(&sb);
}

static char *
nest(const char *head, const char *level, size_t n, const char *tail)
{
	return nest_closed(head, level, n, tail, NULL);
}

static void
test_malformed(void **state)
{
	static const char *cases[] = {
		"Content-Type: multipart/mixed\r\n\r\nno boundary\r\n",
		"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
		"Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n",
		"Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n"
		    "Content-Type: text/plain\r\n",
		"Content-Type: multipart/alternative; boundary=z\r\n\r\n"
		    "--z\r\n\r\n--z\r\n\r\n--z--",
		"Content-Type: text/plain; charset=\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n"
		    "!!!not base64@@@===\r\n",
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
		    "=ZZ=4=\r\n=\r\n",
		"Content-Type: /\r\n\r\nx",
		"Content-Type: ;;;\r\nContent-Disposition: ;=;\r\n\r\nx",
		"Content-Type: text/plain; name*0*=''%;name*1*=%Z;"
		    "name*=''\r\nContent-Disposition: attachment; "
		    "filename*99=x\r\n\r\nx",
		"Subject: =?utf-8?B?====?= =?x?q?" "?= =?utf-8?Q?=FF=FE?=\r\n\r\n",
		"From: <<<@>>>\r\nReturn-Path: <\r\nMessage-ID: <\r\n\r\n",
		"From: \"unterminated\r\nDate: Mon, 99 Foo 99999 99:99:99"
		    " +9999\r\n\r\n",
		"Content-Type: message/rfc822\r\n\r\n",
		"Content-Type: message/rfc822\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n"
		    "RnJvbTogYUBiDQoNCmhp\r\n",
		"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n"
		    "Subject: digest part\r\n\r\nbody\r\n--d--\r\n",
		"Content-Type: text/html\r\n\r\n<<<>>><!--<script",
		": empty name\r\n\r\n",
		"Subject: x\r\r\r\nbody",
		"X: \x80\xff\xfe\r\n\r\n\x80\xff",
	};
	char *s, *big;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_any(cases[i], strlen(cases[i]));

	/* NUL bytes inside. */
	parse_any("Subject: a\0b\r\n\r\nc\0d", 18);

	/* Deep nesting that libetpan can still take: our walk stops at
	 * MIME_MAX_DEPTH. */
	s = repeat("Content-Type: message/rfc822\r\n\r\n", 190,
	    "Subject: deep\r\n\r\nbottom\r\n");
	parse_any(s, strlen(s));
	free(s);
	n = 0;
	{
		struct strbuf sb = { 0 };

		for (n = 0; n < 190; n++)
			sb_addf(&sb, "Content-Type: multipart/mixed; "
			    "boundary=b%zu\r\n\r\n--b%zu\r\n", n, n);
		sb_adds(&sb, "\r\nbottom\r\n");
		s = sb_steal(&sb);
	}
	parse_any(s, strlen(s));
	free(s);

	/* Nesting meant to exhaust the stack is not handed to libetpan. */
	s = repeat("Content-Type: message/rfc822\r\n\r\n", 200000, "x");
	parse_any(s, strlen(s));
	free(s);
	big = repeat("(", 300000, "\r\n\r\nbody");
	s = xasprintf("From: a@b.example %s", big);
	parse_any(s, strlen(s));
	free(s);
	s = xasprintf("Content-Type: text/plain; charset=%s", big);
	parse_any(s, strlen(s));
	free(s);
	free(big);

	/* Very long lines and many headers. */
	s = repeat("=?utf-8?q?a?= ", 20000, "\r\n\r\n");
	big = xasprintf("Subject: %s", s);
	parse_any(big, strlen(big));
	free(big);
	free(s);
	s = repeat("X-H: v\r\n", 20000, "\r\nbody");
	parse_any(s, strlen(s));
	free(s);
}

static void
test_nesting_limits(void **state)
{
	struct message *m;
	char *s;

	(void)state;
	/* Nested within our limit: the text at the bottom is found. */
	s = repeat("Content-Type: message/rfc822\r\n\r\n", 15,
	    "Subject: deep\r\n\r\nbottom\r\n");
	m = parse_ok(s);
	assert_string_equal(m->content_type, "message/rfc822");
	assert_string_equal(m->text, "bottom\r\n");
	message_free(m);
	free(s);

	/* Deeper than the walk goes: parsed, the depths ignored. */
	s = repeat("Content-Type: message/rfc822\r\n\r\n", 60,
	    "Subject: deep\r\n\r\nbottom\r\n");
	m = parse_ok(s);
	assert_string_equal(m->text, "");
	message_free(m);
	free(s);

	/* Too many composite parts for libetpan's recursion: refused, with
	 * the reason (test_hostile_nesting has every spelling). */
	s = repeat("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
	    5000, "bottom\r\n");
	parse_refused(s, "MIME structure too deep");
	free(s);

	/* The same for comments nested deep enough to recurse far. */
	s = repeat("(", 5000, "\r\n\r\nbody\r\n");
	{
		char *t = xasprintf("Subject: s\r\nFrom: a@b.example %s", s);

		m = parse_ok(t);
		free(t);
	}
	assert_string_equal(m->subject, "s");
	assert_string_equal(m->from_addr, "a@b.example");
	assert_string_equal(m->text, "");
	message_free(m);
	free(s);
}

/*
 * Nesting and part counts meant to exhaust libetpan's stack or memory, in
 * every spelling a permissive MIME reader takes: each level 32,000 times
 * deep is refused before libetpan sees it (without the bound the process
 * dies of a stack overflow), and the same spelling a few levels deep is
 * parsed, the text at the bottom found.
 */
static void
test_hostile_nesting(void **state)
{
	static const struct {
		const char *name, *level, *close;
	} rows[] = {
		{ "space before slash",
		    "Content-Type: multipart /mixed; boundary=b@\r\n\r\n"
		    "--b@\r\n", "--b@--\r\n" },
		{ "tabs around slash",
		    "Content-Type:\tmultipart\t/\tmixed; boundary=b@\r\n\r\n"
		    "--b@\r\n", "--b@--\r\n" },
		{ "folded before the subtype",
		    "Content-Type: multipart/\r\n mixed;\r\n\tboundary=b@\r\n"
		    "\r\n--b@\r\n", "--b@--\r\n" },
		{ "folded before the colon",
		    "Content-Type\r\n : multipart/mixed; boundary=b@\r\n\r\n"
		    "--b@\r\n", "--b@--\r\n" },
		{ "bare LF",
		    "Content-Type: multipart/mixed; boundary=b@\n\n--b@\n",
		    "--b@--\n" },
		{ "quoted type",
		    "Content-Type: \"Multipart\"/mixed; boundary=b@\r\n\r\n"
		    "--b@\r\n", "--b@--\r\n" },
		{ "upper case",
		    "CONTENT-TYPE: MULTIPART/MIXED; BOUNDARY=B@\r\n\r\n"
		    "--B@\r\n", "--B@--\r\n" },
		{ "comment inside the type",
		    "Content-Type: multipart(x)/mixed; boundary=b@\r\n\r\n"
		    "--b@\r\n", "--b@--\r\n" },
		{ "comment before the colon",
		    "content-type (c) : multipart/mixed; boundary=b@\r\n\r\n"
		    "--b@\r\n", "--b@--\r\n" },
		{ "boundary not first, quoted",
		    "Content-Type: multipart/mixed; charset=x; boundary=\"b@\";"
		    " a=b\r\n\r\n--b@\r\n", "--b@--\r\n" },
		{ "one boundary for all",
		    "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
		    "--x\r\n", "--x--\r\n" },
		{ "message/rfc822",
		    "Content-Type: message/rfc822\r\n\r\n", NULL },
		{ "Message /RFC822, a comment",
		    "Content-type: Message /RFC822 (m)\r\n\r\n", NULL },
		{ "digest parts are messages",
		    "Content-Type: multipart/digest; boundary=d@\r\n\r\n"
		    "--d@\r\n\r\n", "--d@--\r\n" },
	};
	struct message *m;
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		print_message("%s\n", rows[i].name);
		s = nest_closed("Subject: deep\r\n", rows[i].level, 32000,
		    "\r\nbottom\r\n", rows[i].close);
		parse_refused(s, "MIME structure too deep");
		free(s);
		s = nest_closed("Subject: shallow\r\n", rows[i].level, 3,
		    "\r\nbottom\r\n", rows[i].close);
		m = parse_ok(s);
		assert_non_null(strstr(m->text, "bottom"));
		message_free(m);
		free(s);
	}
}

/* Too many body parts: refused, whatever the boundary's spelling; a
 * message with many attachments within the bound is not. */
static void
test_hostile_parts(void **state)
{
	static const struct {
		const char *head, *part;
	} rows[] = {
		{ "Content-Type: multipart/mixed; boundary=p\r\n\r\n",
		    "--p\r\n\r\nx\r\n" },
		{ "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n",
		    "--\r\n\r\nx\r\n" },
		/* libetpan matches a boundary as a prefix of the line. */
		{ "Content-Type: multipart/mixed; boundary=p\r\n\r\n",
		    "--pq\r\n\r\nx\r\n" },
		{ "Content-Type: multipart/mixed; boundary=ab cd\r\n\r\n",
		    "--ab\r\n\r\nx\r\n" },
		{ "Content-Type: multipart/mixed;\r\n boundary = p(c)\r\n\r\n",
		    "--p\nx\n" },
		{ "Content-Type: text/plain\r\n\r\nContent-Type: multipart/"
		    "mixed; boundary=p\r\n\r\n", "--p\r\n\r\nx\r\n" },
	};
	struct message *m;
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		s = nest(rows[i].head, rows[i].part, 50000, "--p--\r\n");
		parse_refused(s, "MIME structure too large");
		free(s);
	}
	s = nest("Content-Type: multipart/mixed; boundary=p\r\n\r\n"
	    "--p\r\n\r\nbody\r\n",
	    "--p\r\nContent-Type: application/pdf\r\n"
	    "Content-Disposition: attachment; filename=a@.pdf\r\n\r\nx\r\n",
	    150, "--p--\r\n");
	m = parse_ok(s);
	assert_int_equal(m->nattachments, 150);
	assert_string_equal(m->text, "body");
	message_free(m);
	free(s);
	/* Dashes in text are not parts. */
	s = nest("Subject: lines\r\n\r\n", "-----\r\n-- \r\n", 5000, "");
	m = parse_ok(s);
	message_free(m);
	free(s);
}

/* Deterministic mutations of a rich message: flip, drop and duplicate
 * bytes, and cut it short. */
static void
test_mutations(void **state)
{
	static const char base[] =
	    "From: \"A (x)\" <a@b.example>\r\n"
	    "Subject: =?utf-8?q?m=C3=BCt?=\r\n"
	    "Content-Type: multipart/mixed; boundary=\"M\"\r\n"
	    "\r\n"
	    "--M\r\n"
	    "Content-Type: multipart/alternative; boundary=N\r\n"
	    "\r\n"
	    "--N\r\n"
	    "Content-Type: text/plain; charset=windows-1252\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "caf=E9=\r\n"
	    "--N\r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "<td>x&amp;</td>\r\n"
	    "--N--\r\n"
	    "--M\r\n"
	    "Content-Type: application/pdf\r\n"
	    "Content-Disposition: attachment; filename*=utf-8''a%20b.pdf\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "UEsDBGZha2UgZG9jeAAB\r\n"
	    "--M\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "Subject: inner\r\n\r\nx\r\n"
	    "--M--\r\n";
	char buf[sizeof(base) * 2];
	unsigned int seed = 12345;
	size_t len, i, pos;
	int k;

	(void)state;
	for (k = 0; k < 400; k++) {
		memcpy(buf, base, sizeof(base) - 1);
		len = sizeof(base) - 1;
		for (i = 0; i < 4 && len > 1; i++) {
			seed = seed * 1103515245u + 12345u;
			pos = (seed >> 8) % len;
			switch ((seed >> 4) % 4) {
			case 0:
				buf[pos] = (char)(seed >> 16);
				break;
			case 1:
				memmove(buf + pos, buf + pos + 1,
				    len - pos - 1);
				len--;
				break;
			case 2:
				if (len + 1 < sizeof(buf)) {
					memmove(buf + pos + 1, buf + pos,
					    len - pos);
					len++;
				}
				break;
			default:
				len = pos + 1;
				break;
			}
		}
		parse_any(buf, len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_bare_lf_and_folding),
		cmocka_unit_test(test_qp_windows1252),
		cmocka_unit_test(test_base64_utf8),
		cmocka_unit_test(test_rfc2047_subject),
		cmocka_unit_test(test_raw_8bit_header),
		cmocka_unit_test(test_alternative_prefers_plain),
		cmocka_unit_test(test_html_only_table),
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_attachment_rfc2231),
		cmocka_unit_test(test_unknown_charset),
		cmocka_unit_test(test_missing_headers),
		cmocka_unit_test(test_not_a_message),
		cmocka_unit_test(test_threading_headers),
		cmocka_unit_test(test_from_and_return_path),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_attached_message),
		cmocka_unit_test(test_flowed_thunderbird),
		cmocka_unit_test(test_flowed_delsp),
		cmocka_unit_test(test_truncated_multipart),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nesting_limits),
		cmocka_unit_test(test_hostile_nesting),
		cmocka_unit_test(test_hostile_parts),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_transfer_edges),
	};

	log_init(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
