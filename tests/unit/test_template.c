/*
 * test_template: the emails' templates (mail-templates/).  Variables,
 * sections and inverted sections, HTML escaping, a value never read as a
 * template, the shared HTML parts ({{> NAME}}), and every mistake reported
 * as file:line -- table-driven, against files written to a temporary
 * folder; and the shipped templates all render.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "template.h"
#include "util.h"

static char dir[] = "/tmp/escbot-test-template-XXXXXX";

struct file {
	const char *name;
	const char *text;
};

struct row {
	const char	*what;
	struct file	 files[4];	/* written before the render */
	const char	*subject;	/* want; NULL: the render fails */
	const char	*text;
	const char	*html;		/* NULL: no HTML part */
	const char	*err;		/* the error, after "DIR/" */
};

static const struct row rows[] = {
{ "variables, sections, inverted sections",
  { { "ack.txt", "Subject: [{{ref}}] Received\n\nHello {{raiser_name}},\n"
      "{{#urgent}}URGENT\n{{/urgent}}{{^urgent}}not urgent\n{{/urgent}}"
      "{{#note}}Note: {{note}}\n{{/note}}Bye\n" } },
  "[TWSP-2026-0001] Received", "Hello Casey,\nnot urgent\nBye\n", NULL,
  NULL },
{ "HTML escapes values; a value is never read as a template",
  { { "ack.txt", "Subject: {{ref}}\n\n{{raising_agency}}\n" },
    { "ack.html", "<p>{{raising_agency}}</p>" } },
  "TWSP-2026-0001", "Telford & Wrekin <b>{{ref}}</b>\n",
  "<p>Telford &amp; Wrekin &lt;b&gt;{{ref}}&lt;/b&gt;</p>", NULL },
{ "a shared part goes in before the values",
  { { "ack.txt", "Subject: s\n\nt\n" },
    { "ack.html", "<h1>{{ref}}</h1>\n{{> case}}\n<p>end</p>" },
    { "case.part.html", "<td>{{raising_agency}}</td>{{^urgent}}!{{/urgent}}" } },
  "s", "t\n",
  "<h1>TWSP-2026-0001</h1>\n<td>Telford &amp; Wrekin &lt;b&gt;{{ref}}"
  "&lt;/b&gt;</td>!\n<p>end</p>", NULL },
{ "a part that is not there",
  { { "ack.txt", "Subject: s\n\nt\n" },
    { "ack.html", "<p>\n{{> nowhere}}</p>" } },
  NULL, NULL, NULL, "ack.html:2: cannot read " },
{ "a part that includes a part",
  { { "ack.txt", "Subject: s\n\nt\n" },
    { "ack.html", "{{>case}}" },
    { "case.part.html", "x{{> other}}" } },
  NULL, NULL, NULL, "case.part.html:1: {{> other}}: only an HTML template "
  "includes parts" },
{ "a text template includes no part",
  { { "ack.txt", "Subject: s\n\nt\n{{> case}}\n" },
    { "case.part.html", "x" } },
  NULL, NULL, NULL, "ack.txt:4: {{> case}}: only an HTML template" },
{ "a part's name must be plain",
  { { "ack.txt", "Subject: s\n\nt\n" },
    { "ack.html", "{{> ../etc/passwd}}" } },
  NULL, NULL, NULL, "ack.html:1: bad part" },
{ "an unknown variable, by line",
  { { "ack.txt", "Subject: s\n\nline 3\n{{nonsense}}\n" } },
  NULL, NULL, NULL, "ack.txt:4: unknown variable {{nonsense}}" },
{ "a section never closed",
  { { "ack.txt", "Subject: s\n\n{{#urgent}}x\n" } },
  NULL, NULL, NULL, "ack.txt: section {{#urgent}} is never closed" },
{ "no subject line",
  { { "ack.txt", "Hello\n" } },
  NULL, NULL, NULL, "ack.txt:1: must start with \"Subject: \"" },
};

static void
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) < 0, 0);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static void
clear_dir(void)
{
	static const char *const names[] = { "ack.txt", "ack.html",
	    "case.part.html", NULL };

	for (const char *const *n = names; *n; n++) {
		char *path = xasprintf("%s/%s", dir, *n);

		(void)unlink(path);
		free(path);
	}
}

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct tvars v = { 0 };
		struct rendered out;
		char err[512] = "", *want_err;
		int rc;

		clear_dir();
		for (size_t k = 0; k < 4 && r->files[k].name; k++)
			write_file(r->files[k].name, r->files[k].text);
		tvars_set(&v, "ref", "TWSP-2026-0001");
		tvars_set(&v, "raiser_name", "Casey");
		tvars_set(&v, "urgent", "");
		tvars_set(&v, "raising_agency",
		    "Telford & Wrekin <b>{{ref}}</b>");
		rc = template_render(dir, "ack", &v, &out, err, sizeof(err));
		tvars_free(&v);
		if (r->subject == NULL) {
			if (rc != -1)
				fail_msg("%s: rendered, want an error", r->what);
			want_err = xasprintf("%s/%s", dir, r->err);
			if (strncmp(err, want_err, strlen(want_err)) != 0)
				fail_msg("%s: error \"%s\", want \"%s...\"",
				    r->what, err, want_err);
			free(want_err);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", r->what, err);
		assert_string_equal(out.subject, r->subject);
		assert_string_equal(out.text, r->text);
		if (r->html == NULL)
			assert_null(out.html);
		else
			assert_string_equal(out.html, r->html);
		rendered_free(&out);
	}
	clear_dir();
}

/* Every shipped template renders, with every variable set (both arms of
 * every section parsed), its parts included. */
static void
test_shipped(void **state)
{
	struct diag d = { 0, NULL };

	(void)state;
	d.out = fopen("/dev/null", "w");
	assert_int_equal(template_check_dir("mail-templates", &d), 0);
	assert_int_equal(d.errors, 0);
	fclose(d.out);
}

static int
group_setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	clear_dir();
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
