/*
 * The protocols as data: the shipped rules load, their timescales give the
 * seeds' cumulative working days, and each kind of mistake in a rules file
 * is refused with file:line.
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

#include "calendar.h"
#include "directory.h"
#include "engine.h"
#include "rules.h"
#include "util.h"

static struct ruleset *rs;
static struct calendar *cal;
static struct directory *dir;

/* Due times of every stage, chained from `start` as the engine does. */
static void
chain(const char *proto, const char *start, const char *const *want,
    size_t n)
{
	const struct protocol *p = rules_protocol(rs, proto);
	struct engine_ctx x = { p, cal, p ? p->dir : NULL, 0 };
	struct case_state c;
	struct decisions d = { 0 };
	char buf[64];

	assert_non_null(p);
	assert_int_equal(p->nstages, n);
	memset(&c, 0, sizeof(c));
	c.ref = xstrdup("X-2026-0001");
	c.protocol = xstrdup(proto);
	c.agencies = xstrdup("");
	assert_int_equal(calendar_parse_iso(start, &x.now), 0);
	assert_int_equal(engine_open(&c, &x, p->stages[0].number, &d), 0);
	decisions_free(&d);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c.stage_idx, (int)i);
		calendar_format_iso(c.due_at, buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
		if (i + 1 == n)
			break;
		x.now = c.due_at + 3600;
		engine_tick(&c, &x, &d);
		decisions_free(&d);
	}
	case_state_free(&c);
}

static void
test_twsp_table(void **state)
{
	/* Working days 2, 7, 11, 14, 18, 20, 25 from Monday 2 March 2026:
	 * stage 1's two steps, 2, 3, 4, and stage 5's two (the director
	 * writes via the Partnership Manager within 2, the Executive's
	 * decision within 5 more). */
	static const char *const want[] = {
		"2026-03-04T17:00:00+00:00", "2026-03-11T17:00:00+00:00",
		"2026-03-17T17:00:00+00:00", "2026-03-20T17:00:00+00:00",
		"2026-03-26T17:00:00+00:00", "2026-03-30T17:00:00+01:00",
		"2026-04-08T17:00:00+01:00",
	};

	(void)state;
	/* 25 working days: Good Friday 3 April and Easter Monday 6 April
	 * 2026 are skipped, and BST has begun. */
	chain("twsp", "2026-03-02T10:00:00Z", want, 7);
}

static void
test_wsab_defaults(void **state)
{
	/* 2, 5, 5 working days, then level 4's three steps (service
	 * manager 5, executive leads 5, independent chair 10): cumulative 2,
	 * 7, 12, 17, 22, 32 from Monday 14 December 2026, across Christmas
	 * and New Year. */
	static const char *const want[] = {
		"2026-12-16T17:00:00+00:00", "2026-12-23T17:00:00+00:00",
		"2027-01-04T17:00:00+00:00", "2027-01-11T17:00:00+00:00",
		"2027-01-18T17:00:00+00:00", "2027-02-01T17:00:00+00:00",
	};

	(void)state;
	chain("wsab", "2026-12-14T10:00:00Z", want, 6);
}

static void
test_wscb_defaults(void **state)
{
	/* 3, 5, 5, 10: cumulative 3, 8, 13, 23 from Monday 23 November. */
	static const char *const want[] = {
		"2026-11-26T17:00:00+00:00", "2026-12-03T17:00:00+00:00",
		"2026-12-10T17:00:00+00:00", "2026-12-24T17:00:00+00:00",
	};

	(void)state;
	chain("wscb", "2026-11-23T10:00:00Z", want, 4);
}

static void
test_covid_same_day(void **state)
{
	/* Level 1 within the working day (raised after hours: the next
	 * one), level 2 by the end of the following day, then 5 days. */
	static const char *const want[] = {
		"2026-11-24T17:00:00+00:00", "2026-11-25T17:00:00+00:00",
		"2026-12-02T17:00:00+00:00",
	};

	(void)state;
	chain("wsp-covid", "2026-11-23T18:00:00Z", want, 3);
}

static void
test_forms_bound(void **state)
{
	const struct form_rule *r;
	const struct protocol *p;

	(void)state;
	p = rules_for_form(rs, "twsp-referral", &r);
	assert_non_null(p);
	assert_string_equal(p->id, "twsp");
	assert_int_equal(r->action, FORM_OPEN);
	assert_int_equal(r->stage, 3);
	p = rules_for_form(rs, "wsab-proforma", &r);
	assert_int_equal(r->stage, 2);
	p = rules_for_form(rs, "wsab-resolved", &r);
	assert_int_equal(r->action, FORM_CLOSE);
}

/* A rule's match sets as "a,b|c": sets apart by '|'. */
static void
match_string(const struct form_rule *r, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < r->nmatch; i++)
		for (size_t k = 0; k < r->match[i].n; k++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			    k ? "," : i ? "|" : "", r->match[i].fields[k]);
}

/* The requests: each protocol's way in below its own form's level, at
 * level 1 unless an answer names a later one; their person fields are
 * named as the protocol's own form's, so that it joins their case. */
static void
test_requests_bound(void **state)
{
	static const struct {
		const char	*form, *proto, *match, *level_from;
	} want[] = {
		{ "twsp-request", "twsp", "individual_name,dob",
		  "executive=5 directors=4 senior_managers=3 managers=2" },
		{ "wsab-request", "wsab", "adult1_name,adult1_dob",
		  "service_manager=4 heads_of_service=3 line_managers=2" },
		{ "wscb-request", "wscb", "child_name,dob",
		  "business_manager=4 board_reps=3 managers=2" },
		{ "wsp-covid-request", "wsp-covid", "person_name,dob",
		  "executive=3 safeguarding_leads=2" },
		{ "twsp-referral", "twsp", "client_ref|individual_name,dob", "" },
		{ "wsab-proforma", "wsab", "adult1_name,adult1_dob", "" },
		{ "wscb-agency-report", "wscb", "child_name,dob",
		  "level3=3 level2_outcome=2 level2_referred_to=2 level1=1" },
	};
	const struct form_rule *r;
	const struct protocol *p;
	char got[256];

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		p = rules_for_form(rs, want[i].form, &r);
		assert_non_null(p);
		assert_string_equal(p->id, want[i].proto);
		assert_int_equal(r->action, FORM_OPEN);
		if (strstr(want[i].form, "-request") != NULL)
			assert_int_equal(r->stage, 1);
		match_string(r, got, sizeof(got));
		assert_string_equal(got, want[i].match);
		got[0] = '\0';
		for (size_t k = 0; k < r->nlevel_from; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    "%s%s", k ? " " : "", r->level_from[k]);
		assert_string_equal(got, want[i].level_from);
	}
}

/* Every stage number of every shipped protocol has a way in: a form that
 * opens a case there, by its stage or by its answers (level_from). */
static void
test_every_level_has_a_way_in(void **state)
{
	(void)state;
	for (size_t i = 0; i < rs->nprotocols; i++) {
		const struct protocol *p = &rs->protocols[i];

		for (size_t s = 0; s < p->nstages; s++) {
			int n = p->stages[s].number, found = 0;

			for (size_t f = 0; f < p->nforms && !found; f++) {
				const struct form_rule *r = &p->forms[f];

				if (r->action != FORM_OPEN)
					continue;
				found = r->stage == n;
				for (size_t k = 0; k < r->nlevel_from; k++)
					found |= atoi(strchr(r->level_from[k],
					    '=') + 1) == n;
			}
			if (!found)
				fail_msg("%s: no form opens a case at stage %d",
				    p->id, n);
		}
	}
}

/* TWSP's stages 6 and 7: the debrief and the completed forms' copy. */
static void
test_twsp_on_resolution(void **state)
{
	const struct protocol *p = rules_protocol(rs, "twsp");

	(void)state;
	assert_non_null(p);
	assert_true(p->on_resolution_line > 0);
	assert_int_equal(p->ndebrief, 2);
	assert_string_equal(p->debrief_roles[0], "practitioner");
	assert_string_equal(p->debrief_roles[1], "line_manager");
	assert_int_equal(p->debrief_days, 10);
	assert_int_equal(p->nforms_to, 1);
	assert_string_equal(p->forms_to[0], "partnership_manager");
	/* The others have none. */
	assert_int_equal(rules_protocol(rs, "wsab")->on_resolution_line, 0);
	assert_int_equal(rules_protocol(rs, "wscb")->on_resolution_line, 0);
}

/* Each partnership's reports on the cadence its protocol sets: the
 * COVID-19 revision's weekly log for the safeguarding leads network
 * (000), WSCB's quarterly analysis of themes (002, 4.2), TWSP's
 * half-yearly review to its Board (004, stage 7); WSAB sets none and
 * follows digest.periods. */
static void
test_report_periods(void **state)
{
	static const struct {
		const char	*id;
		int		 set, on[4];	/* week, quarter, half, year */
	} want[] = {
		{ "wsp-covid", 1, { 1, 0, 0, 0 } },
		{ "wscb", 1, { 0, 1, 0, 0 } },
		{ "twsp", 1, { 0, 0, 1, 0 } },
		{ "wsab", 0, { 0, 0, 0, 0 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct protocol *p = rules_protocol(rs, want[i].id);

		assert_non_null(p);
		assert_int_equal(p->periods_set, want[i].set);
		for (int k = 0; k < 4; k++)
			assert_int_equal(p->periods[k], want[i].on[k]);
	}
}

/* A rules folder with the real forms and one protocol file. */
static char *
bad_rules(const char *protocol_text, const char *name)
{
	char *d = xstrdup("/tmp/escbot-test-rules-XXXXXX"), *cmd, *path;
	FILE *fp;

	assert_non_null(mkdtemp(d));
	cmd = xasprintf("cp -r rules/forms %s/", d);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	path = xasprintf("%s/%s", d, name);
	fp = fopen(path, "w");
	fputs(protocol_text, fp);
	fclose(fp);
	free(path);
	return d;
}

/* Remove the temporary folder d and free its name. */
static void
remove_dir(char *d)
{
	char *cmd = xasprintf("rm -rf %s", d);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(d);
}

static void
expect_refused(const char *text, const char *needle, int line)
{
	struct diag dg = { 0, NULL };
	struct ruleset *r = NULL;
	char *d = bad_rules(text, "p.conf"), *buf = NULL, want[64];
	size_t len;

	dg.out = open_memstream(&buf, &len);
	assert_int_equal(rules_load(d, &r, &dg), -1);
	fclose(dg.out);
	assert_null(r);
	snprintf(want, sizeof(want), "p.conf:%d: ", line);
	if (strstr(buf, want) == NULL || strstr(buf, needle) == NULL)
		fail_msg("want \"%s\" and \"%s\" in: %s", want, needle, buf);
	free(buf);
	remove_dir(d);
}

static void
test_bad_rules_refused(void **state)
{
	static const struct {
		const char	*on_resolution;
		const char	*error;
	} resolution[] = {
		{ "debrief_roles = [ \"janitor\" ];",
		  "on_resolution: debrief_roles: unknown role \"janitor\"" },
		{ "forms_to = [ \"partnership_mgr\" ];",
		  "on_resolution: forms_to: unknown role \"partnership_mgr\"" },
		{ "debrief_days = 5;",
		  "on_resolution: give debrief_roles, forms_to or both" },
		{ "forms_to = [ \"partnership_manager\" ]; debrief_days = 0;",
		  "debrief_days" },
		{ "forms_to = [ \"partnership_manager\" ]; debrief = 3;",
		  "unknown key \"debrief\"" },
	};
	static const struct {
		const char	*sets;
		const char	*error;
	} match[] = {
		{ "[ \"client_ref\", \"nhs\" ]",
		  "match_fields: form \"twsp-referral\" has no field \"nhs\"" },
		{ "( [ \"client_ref\" ], [ \"individual_name\", \"dobb\" ] )",
		  "match_fields: form \"twsp-referral\" has no field \"dobb\"" },
		{ "( [ \"client_ref\" ], \"dob\" )",
		  "match_fields: set 2 must be an array of field names" },
		{ "( [ \"client_ref\" ], [ ] )",
		  "match_fields: set 2 must be an array of field names" },
		{ "( [ \"client_ref\" ], [ 3 ] )",
		  "match_fields: set 2: element 1 must be a string" },
		{ "\"client_ref\"",
		  "\"match_fields\" must be an array of strings" },
	};
	char *text;

	(void)state;
	/* on_resolution's mistakes, each at its line. */
	for (size_t i = 0; i < sizeof(resolution) / sizeof(resolution[0]);
	    i++) {
		text = xasprintf(
		    "protocol = {\n"
		    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
		    "  stages = (\n"
		    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1; }\n"
		    "  );\n"
		    "  on_resolution = { %s };\n"
		    "};\n", resolution[i].on_resolution);
		expect_refused(text, resolution[i].error, 6);
		free(text);
	}
	expect_refused(
	    "protocol = {\n"
	    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
	    "  stages = (\n"
	    "    { number = 1; name = \"a\"; roles = [ \"janitor\" ]; days = 2; }\n"
	    "  );\n"
	    "};\n", "unknown role \"janitor\"", 4);
	expect_refused(
	    "protocol = {\n"
	    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
	    "  stages = (\n"
	    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; }\n"
	    "  );\n"
	    "};\n", "stage 1 has no duration", 4);
	expect_refused(
	    "protocol = {\n"
	    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
	    "  stages = (\n"
	    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1; }\n"
	    "  );\n"
	    "  forms = ( { form = \"no-such-form\"; action = \"open\"; stage = 1; } );\n"
	    "};\n", "form \"no-such-form\" is not defined", 6);
	expect_refused(
	    "protocol = {\n"
	    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
	    "  stages = (\n"
	    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1;\n"
	    "      remind_befor = [ 1 ]; }\n"
	    "  );\n"
	    "};\n", "unknown key \"remind_befor\"", 5);
	expect_refused(
	    "protocol = {\n"
	    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
	    "  stages = (\n"
	    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1; }\n"
	    "  );\n"
	    "  forms = ( { form = \"twsp-referral\"; action = \"open\"; stage = 9; } );\n"
	    "};\n", "stage 9", 6);
	expect_refused(
	    "protocol = {\n"
	    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
	    "  report_periods = [ \"month\" ];\n"
	    "  stages = (\n"
	    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1; }\n"
	    "  );\n"
	    "};\n", "report_periods: \"month\" is not week, quarter, "
	    "half-year or year", 3);
	/* match_fields: each set an array of the form's own fields. */
	for (size_t i = 0; i < sizeof(match) / sizeof(match[0]); i++) {
		text = xasprintf(
		    "protocol = {\n"
		    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
		    "  stages = (\n"
		    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1; }\n"
		    "  );\n"
		    "  forms = ( { form = \"twsp-referral\"; action = \"open\"; stage = 1;\n"
		    "    match_fields = %s; } );\n"
		    "};\n", match[i].sets);
		expect_refused(text, match[i].error, 7);
		free(text);
	}
}

/* 003's clocks: the shipped protocol counts both duties from the form's
 * awareness date; a wrong clock_start_field or deadlines is refused at
 * its line. */
static void
test_clock_start_and_cumulative(void **state)
{
	static const struct {
		const char	*keys;		/* line 3 of the protocol */
		const char	*form;		/* the form that opens it */
		const char	*needle;
	} bad[] = {
		{ "deadlines = \"rolling\";", "wsp-serious-incident",
		  "deadlines must be \"chained\" or \"cumulative\"" },
		{ "clock_start_field = \"date_aware\";", "twsp-referral",
		  "clock_start_field: form \"twsp-referral\" has no date field "
		  "\"date_aware\"" },
		{ "clock_start_field = \"child_name\";", "wsp-serious-incident",
		  "clock_start_field: form \"wsp-serious-incident\" has no date "
		  "field \"child_name\"" },
		{ "clock_start = \"date_aware\";", "wsp-serious-incident",
		  "unknown key \"clock_start\"" },
		{ "deadlines = 15;", "wsp-serious-incident", "deadlines" },
	};
	const struct protocol *p = rules_protocol(rs, "wsp-serious-incident");
	const struct protocol *t = rules_protocol(rs, "twsp");

	(void)state;
	assert_non_null(p);
	assert_string_equal(p->clock_start_field, "date_aware");
	assert_int_equal(p->cumulative, 1);
	assert_int_equal(p->nstages, 2);
	assert_int_equal(p->stages[0].days, 5);
	assert_int_equal(p->stages[1].days, 15);
	assert_non_null(t);
	assert_null(t->clock_start_field);
	assert_int_equal(t->cumulative, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *text = xasprintf(
		    "protocol = {\n"
		    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
		    "  %s\n"
		    "  stages = (\n"
		    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1; }\n"
		    "  );\n"
		    "  forms = ( { form = \"%s\"; action = \"open\"; stage = 1; } );\n"
		    "};\n", bad[i].keys, bad[i].form);

		expect_refused(text, bad[i].needle, 3);
		free(text);
	}
}

/* Each shipped form names its blank form, read at load with its bytes. */
static void
test_form_templates(void **state)
{
	char *path, *data;
	size_t len;

	(void)state;
	assert_int_equal(rs->forms->nforms, 11);
	for (size_t i = 0; i < rs->forms->nforms; i++) {
		const struct form_def *f = &rs->forms->forms[i];

		path = xasprintf("%s.docx", f->id);
		assert_non_null(f->template_name);
		assert_string_equal(f->template_name, path);
		free(path);
		path = xasprintf("rules/forms/%s", f->template_name);
		assert_int_equal(file_read_all(path, &data, &len), 0);
		assert_int_equal(f->template_len, len);
		assert_memory_equal(f->template_data, data, len);
		assert_memory_equal(data, "PK\x03\x04", 4);
		free(data);
		free(path);
	}
}

/* A form file whose template is missing or not a .docx: file:line. */
static void
expect_template_refused(const char *line, const char *needle)
{
	struct diag dg = { 0, NULL };
	struct form_set *set = NULL;
	char *d = xstrdup("/tmp/escbot-test-forms-XXXXXX"), *path, *buf = NULL;
	size_t len;
	FILE *fp;

	assert_non_null(mkdtemp(d));
	path = xasprintf("%s/x.conf", d);
	fp = fopen(path, "w");
	fprintf(fp, "form = {\n"
	    "  id = \"x\"; title = \"X form\"; patterns = [ \"X form\" ];\n"
	    "%s\n"
	    "  fields = ( { name = \"a\"; label = \"A\"; } );\n"
	    "};\n", line);
	fclose(fp);
	free(path);
	dg.out = open_memstream(&buf, &len);
	assert_int_equal(form_set_load(d, &set, &dg), -1);
	fclose(dg.out);
	form_set_free(set);
	if (strstr(buf, "x.conf:3: ") == NULL || strstr(buf, needle) == NULL)
		fail_msg("want \"x.conf:3: \" and \"%s\" in: %s", needle, buf);
	free(buf);
	remove_dir(d);
}

static void
test_bad_templates_refused(void **state)
{
	(void)state;
	expect_template_refused("  template = \"x.docx\";",
	    "template \"x.docx\": cannot read");
	expect_template_refused("  template = \"x.pdf\";",
	    "must be a Word .docx file");
	expect_template_refused("  template = \"x\\u00e9.docx\";",
	    "use ASCII letters");
	expect_template_refused("  template = \".\";",
	    "must be a Word .docx file");
}

/* rules_check: the shipped rules against the shipped directory pass; a
 * protocol with no way in and roles nobody holds are each one file:line,
 * all of them. */
static void
test_rules_check(void **state)
{
	static const char proto[] =
	    "protocol = {\n"
	    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n"
	    "  stages = (\n"
	    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ];\n"
	    "      days = 1; },\n"
	    "    { number = 2; name = \"b\";\n"
	    "      roles = [ \"line_manager\", \"independent_chair\" ];\n"
	    "      days = 1; }\n"
	    "  );\n"
	    "  on_resolution = { debrief_roles = [ \"head_of_service\" ];\n"
	    "    forms_to = [ \"partnership_manager\", \"board_inbox\" ]; };\n"
	    "  forms = ( { form = \"wsab-resolved\"; action = \"close\"; } );\n"
	    "};\n";
	static const char directory[] =
	    "agencies = (\n"
	    "  { id = \"a\"; name = \"Agency A\"; aliases = [ \"AA\" ];\n"
	    "    domains = [ \"a.example.org\" ];\n"
	    "    contacts = { line_manager = \"M <m@a.example.org>\"; }; }\n"
	    ");\n"
	    "partnership = { board_inbox = \"B <b@a.example.org>\"; };\n";
	struct diag dg = { 0, NULL };
	struct ruleset *r = NULL;
	struct directory *dr = NULL;
	char *d, *buf = NULL, *path, *cmd, want[512];
	size_t len;
	FILE *fp;

	(void)state;
	dg.out = open_memstream(&buf, &len);
	assert_int_equal(rules_check(rs, dir, "etc/partnerships", &dg), 0);
	fclose(dg.out);
	assert_int_equal(dg.errors, 0);
	free(buf);
	buf = NULL;

	d = bad_rules(proto, "p.conf");
	path = xasprintf("%s-directory.conf", d);
	assert_non_null(fp = fopen(path, "w"));
	fputs(directory, fp);
	fclose(fp);
	dg.out = open_memstream(&buf, &len);
	if (rules_load(d, &r, &dg) != 0 || directory_load(path, &dr, &dg) != 0) {
		fflush(dg.out);
		fail_msg("load: %s", buf);
	}
	assert_int_equal(rules_check(r, dr, path, &dg), -1);
	fclose(dg.out);
	assert_int_equal(dg.errors, 5);
	snprintf(want, sizeof(want),
	    "%s/p.conf:4: stage 1 (a): role \"practitioner\" is held by no "
	    "agency in %s\n"
	    "%s/p.conf:7: stage 2 (b): role \"independent_chair\" is held by "
	    "nobody in the partnership in %s\n", d, path, d, path);
	if (strstr(buf, want) == NULL)
		fail_msg("want:\n%s\nin:\n%s", want, buf);
	/* on_resolution's roles are checked as the stages' are: the board
	 * inbox is held, the others not. */
	snprintf(want, sizeof(want),
	    "%s/p.conf:10: on_resolution: role \"head_of_service\" is held by "
	    "no agency in %s\n"
	    "%s/p.conf:10: on_resolution: role \"partnership_manager\" is "
	    "held by nobody in the partnership in %s\n", d, path, d, path);
	if (strstr(buf, want) == NULL)
		fail_msg("want:\n%s\nin:\n%s", want, buf);
	snprintf(want, sizeof(want), "%s/p.conf:12: protocol \"x\" has no way "
	    "in: no form opens a case of it", d);
	if (strstr(buf, want) == NULL)
		fail_msg("want:\n%s\nin:\n%s", want, buf);
	/* Without a directory only the way in is checked. */
	free(buf);
	buf = NULL;
	dg.errors = 0;
	dg.out = open_memstream(&buf, &len);
	assert_int_equal(rules_check(r, NULL, NULL, &dg), -1);
	fclose(dg.out);
	assert_int_equal(dg.errors, 1);
	free(buf);
	rules_free(r);
	directory_free(dr);
	cmd = xasprintf("rm -rf %s %s", d, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
	free(d);
}

/*
 * Agencies named by a form's agency answer: whole names only.  The
 * directory here has the generic aliases the shipped one no longer has
 * ("School", "Housing"), to show they match only an answer that IS one.
 */
static const char agency_directory[] =
    "agencies = (\n"
    "  { id = \"tw-council\"; name = \"Telford & Wrekin Council\";\n"
    "    aliases = [ \"Family Connect\", \"TWC\" ]; },\n"
    "  { id = \"west-mercia\"; name = \"West Mercia Police\"; },\n"
    "  { id = \"school\"; name = \"Wigan Education Settings\";\n"
    "    aliases = [ \"School\" ]; },\n"
    "  { id = \"wigan-housing\"; name = \"Wigan Council Housing\";\n"
    "    aliases = [ \"Housing\" ]; },\n"
    "  { id = \"wrekin-housing\"; name = \"Wrekin Housing Trust\";\n"
    "    aliases = [ \"Wrekin Housing\" ]; },\n"
    "  { id = \"wwl\"; name = \"Wrightington, Wigan and Leigh NHS "
    "Foundation Trust\"; aliases = [ \"WWL\" ]; },\n"
    "  { id = \"shropcom\"; name = \"Shropshire Community Health Trust\";\n"
    "    aliases = [ \"Health Visiting\" ]; }%s\n"
    ");\n";

static const struct {
	const char	*text;
	const char	*ids;		/* resolved, "," */
	const char	*unresolved;	/* "; " */
	int		 fst;		/* with the "(T&W)" alias */
} agency_rows[] = {
	{ "West Mercia Police", "west-mercia", "", 0 },
	{ "west mercia police.", "west-mercia", "", 0 },
	{ "The West Mercia Police", "west-mercia", "", 0 },
	{ "Alex's school", "", "Alex's school", 0 },
	{ "School", "school", "", 0 },
	{ "the school", "school", "", 0 },
	{ "Wrekin Housing", "wrekin-housing", "", 0 },
	{ "Wrekin Housing - neighbourhood team", "wrekin-housing", "", 0 },
	{ "Housing", "wigan-housing", "", 0 },
	{ "Telford & Wrekin Council, Family Safeguarding Team",
	    "tw-council", "", 0 },
	{ "Telford and Wrekin Council (Family Safeguarding)", "tw-council",
	    "", 0 },
	{ "Family Connect, Telford & Wrekin Council", "tw-council", "", 0 },
	{ "Family Safeguarding Team (T&W)", "", "Family Safeguarding Team "
	    "(T&W)", 0 },
	{ "Family Safeguarding Team (T&W)", "fst", "", 1 },
	{ "family safeguarding (T and W)", "fst", "", 1 },
	{ "the health visiting service", "shropcom", "", 0 },
	{ "health visiting team", "shropcom", "", 0 },
	{ "health visitors", "", "health visitors", 0 },
	{ "WWL; West Mercia Police", "wwl,west-mercia", "", 0 },
	{ "GP and West Mercia Police", "west-mercia", "GP", 0 },
	{ "Wrightington, Wigan and Leigh NHS Foundation Trust", "wwl", "", 0 },
	{ "West Mercia Police / WWL", "west-mercia,wwl", "", 0 },
	{ "Example Care Ltd, West Mercia Police", "west-mercia",
	    "Example Care Ltd", 0 },
	{ "Home care provider (Example Care Ltd)", "",
	    "Home care provider (Example Care Ltd)", 0 },
	{ "West Mercia Police officers said no", "", "West Mercia Police "
	    "officers said no", 0 },
	{ "Not known", "", "", 0 },
	{ "N/A", "", "", 0 },
	{ "-", "", "", 0 },
	{ "", "", "", 0 },
};

static struct directory *
agency_dir(int fst)
{
	struct diag d = { 0, NULL };
	struct directory *dr = NULL;
	char path[] = "/tmp/escbot-agency-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fprintf(fp, agency_directory, fst ? ",\n  { id = \"fst\"; name = "
	    "\"Family Safeguarding\"; aliases = [ \"Family Safeguarding Team "
	    "(T&W)\" ]; }" : "");
	fclose(fp);
	assert_int_equal(directory_load(path, &dr, &d), 0);
	unlink(path);
	return dr;
}

static void
test_agency_names(void **state)
{
	struct directory *dirs[2] = { agency_dir(0), agency_dir(1) };

	(void)state;
	for (size_t i = 0; i < sizeof(agency_rows) / sizeof(agency_rows[0]);
	    i++) {
		const struct directory *dr = dirs[agency_rows[i].fst];
		struct dir_names dn = { 0 };
		struct strbuf ids = { 0 }, un = { 0 };

		directory_agencies_named(dr, agency_rows[i].text, &dn);
		for (size_t k = 0; k < dn.n; k++) {
			if (ids.len)
				sb_addc(&ids, ',');
			sb_adds(&ids, dr->agencies[dn.idx[k]].id);
		}
		for (size_t k = 0; k < dn.nunresolved; k++) {
			if (un.len)
				sb_adds(&un, "; ");
			sb_adds(&un, dn.unresolved[k]);
		}
		if (strcmp(ids.buf ? ids.buf : "", agency_rows[i].ids) != 0 ||
		    strcmp(un.buf ? un.buf : "", agency_rows[i].unresolved)) {
			fprintf(stderr, "\"%s\": got \"%s\" / \"%s\", want "
			    "\"%s\" / \"%s\"\n", agency_rows[i].text,
			    ids.buf ? ids.buf : "", un.buf ? un.buf : "",
			    agency_rows[i].ids, agency_rows[i].unresolved);
			fail();
		}
		sb_reset(&ids);
		sb_reset(&un);
		directory_names_free(&dn);
	}
	/* A long hostile answer: read up to its first 256 words, whole. */
	{
		struct strbuf big = { 0 };
		struct dir_names dn = { 0 };

		for (int k = 0; k < 4000; k++)
			sb_adds(&big, k % 3 ? "and (( West Mercia Police, ) ;" :
			    "\xe2\x80\x93 x' & \xe2\x80");
		directory_agencies_named(dirs[0], big.buf, &dn);
		assert_int_equal(dn.n, 1);
		assert_true(dn.nunresolved <= DIR_NAMES_MAX);
		directory_names_free(&dn);
		sb_reset(&big);
	}
	/* An agencies-involved grid row: "Known" says yes, "Not known" no. */
	assert_true(directory_answer_is_none(""));
	assert_true(directory_answer_is_none("Not known"));
	assert_true(directory_answer_is_none("N/A"));
	assert_true(directory_answer_is_none(" - "));
	assert_true(directory_answer_is_none("No."));
	assert_false(directory_answer_is_none("Known"));
	assert_false(directory_answer_is_none("Yes"));
	assert_false(directory_answer_is_none("Known: district nurses"));
	/* A label or alias is one name or none. */
	assert_string_equal(directory_agency_named(dirs[0],
	    "Housing")->id, "wigan-housing");
	assert_null(directory_agency_named(dirs[0], "Alex's school"));
	assert_null(directory_agency_named(dirs[0], "Other (please specify)"));
	directory_free(dirs[0]);
	directory_free(dirs[1]);
}


/*
 * Partnerships as data: a folder of partnership files, each protocol
 * bound to the one it names; every mistake one file:line.  Files a.conf
 * and b.conf of the folder; FOLDER and RULES in want stand for the two
 * temporary folders.
 */
#define PS_ALPHA \
    "partnership = { id = \"alpha\"; name = \"Alpha\";\n" \
    "  partnership_manager = \"PM <pm@alpha.example.org>\"; };\n" \
    "agencies = (\n" \
    "  { id = \"council\"; name = \"Alpha Council\";\n" \
    "    domains = [ \"alpha.example.org\" ];\n" \
    "    contacts = { practitioner = \"Duty <duty@alpha.example.org>\";\n" \
    "      line_manager = \"LM <lm@alpha.example.org>\"; };\n" \
    "    children = { practitioner = \"Kids <kids@alpha.example.org>\"; };\n" \
    "    adults = { line_manager = \"ALM <alm@alpha.example.org>\"; }; }\n" \
    ");\n"
#define PS_BETA \
    "partnership = { id = \"beta\"; name = \"Beta\";\n" \
    "  independent_chair = \"Chair <chair@beta.example.org>\"; };\n" \
    "agencies = (\n" \
    "  { id = \"council\"; name = \"Beta Council\";\n" \
    "    domains = [ \"beta.example.org\" ];\n" \
    "    contacts = { line_manager = \"BLM <lm@beta.example.org>\"; }; }\n" \
    ");\n"
#define PS_PROTO(keys, role) \
    "protocol = {\n" \
    "  id = \"x\"; name = \"X\"; prefix = \"X\";\n" \
    keys "\n" \
    "  stages = (\n" \
    "    { number = 1; name = \"a\"; roles = [ \"practitioner\" ]; days = 1; },\n" \
    "    { number = 2; name = \"b\"; roles = [ \"line_manager\", \"" role "\" ];\n" \
    "      days = 1; }\n" \
    "  );\n" \
    "  forms = ( { form = \"twsp-referral\"; action = \"open\"; stage = 1; } );\n" \
    "};\n"

static const struct {
	const char	*name;
	const char	*a, *b;		/* the folder's files (NULL: none) */
	const char	*proto;
	const char	*bound;		/* the partnership bound, on success */
	const char	*want;		/* every diag line, in order */
} ps_rows[] = {
	{ "each protocol bound to the partnership it names", PS_ALPHA, PS_BETA,
	  PS_PROTO("  partnership = \"alpha\"; service = \"children\";",
	  "partnership_manager"), "alpha", "" },
	{ "one partnership in the folder serves a protocol naming none",
	  PS_ALPHA, NULL, PS_PROTO("", "partnership_manager"), "alpha", "" },
	{ "a partnership the folder does not have", PS_ALPHA, PS_BETA,
	  PS_PROTO("  partnership = \"gamma\";", "partnership_manager"), NULL,
	  "RULES/p.conf:3: partnership \"gamma\" is not in FOLDER (it has: "
	  "alpha, beta)\n" },
	{ "two partnerships and a protocol naming none", PS_ALPHA, PS_BETA,
	  PS_PROTO("", "partnership_manager"), NULL,
	  "RULES/p.conf:1: protocol \"x\" names no partnership: give "
	  "partnership = \"ID\", one of alpha, beta in FOLDER\n" },
	{ "two partnerships with the same id", PS_ALPHA, PS_ALPHA,
	  PS_PROTO("  partnership = \"alpha\";", "partnership_manager"), NULL,
	  "FOLDER/b.conf:1: partnership id \"alpha\" used twice (also in "
	  "FOLDER/a.conf)\n" },
	{ "roles that only another partnership fills", PS_ALPHA, PS_BETA,
	  PS_PROTO("  partnership = \"beta\";", "partnership_manager"), NULL,
	  "RULES/p.conf:5: stage 1 (a): role \"practitioner\" is held by no "
	  "agency in FOLDER/b.conf\n"
	  "RULES/p.conf:6: stage 2 (b): role \"partnership_manager\" is held "
	  "by nobody in the partnership in FOLDER/b.conf\n" },
	{ "a board role that nobody in the partnership holds", PS_ALPHA,
	  PS_BETA, PS_PROTO("  partnership = \"alpha\"; board_roles = "
	  "[ \"independent_chair\" ];", "partnership_manager"), NULL,
	  "RULES/p.conf:3: board_roles: \"independent_chair\" is held by "
	  "nobody in the partnership in FOLDER/a.conf\n" },
	{ "a folder's file without its partnership id", PS_ALPHA,
	  "agencies = ( { id = \"c\"; name = \"C\"; } );\n",
	  PS_PROTO("  partnership = \"alpha\";", "partnership_manager"), NULL,
	  "FOLDER/b.conf:1: no partnership id: each file of a directory "
	  "folder is one partnership, partnership = { id = \"...\"; name = "
	  "\"...\"; roles }\n" },
	{ "a service that is not children, adults or both", PS_ALPHA, NULL,
	  PS_PROTO("  service = \"elderly\";", "partnership_manager"), NULL,
	  "RULES/p.conf:3: service must be \"children\", \"adults\" or "
	  "\"both\"\n" },
};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(path);
}

/* want with RULES and FOLDER replaced by the folders' names. */
static char *
ps_expand(const char *want, const char *rules, const char *folder)
{
	struct strbuf sb = { 0 };

	while (*want) {
		if (strncmp(want, "RULES", 5) == 0) {
			sb_adds(&sb, rules);
			want += 5;
		} else if (strncmp(want, "FOLDER", 6) == 0) {
			sb_adds(&sb, folder);
			want += 6;
		} else
			sb_addc(&sb, *want++);
	}
	return sb.len ? sb_steal(&sb) : xstrdup("");
}

static void
test_partnerships(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ps_rows) / sizeof(ps_rows[0]); i++) {
		struct diag dg = { 0, NULL };
		struct ruleset *r = NULL;
		struct directory *set = NULL;
		char *d = bad_rules(ps_rows[i].proto, "p.conf");
		char *f = xstrdup("/tmp/escbot-test-dir-XXXXXX");
		char *buf = NULL, *want;
		size_t len;
		int rc;

		assert_non_null(mkdtemp(f));
		write_file(f, "a.conf", ps_rows[i].a);
		if (ps_rows[i].b)
			write_file(f, "b.conf", ps_rows[i].b);
		dg.out = open_memstream(&buf, &len);
		rc = rules_load(d, &r, &dg);
		if (rc == 0)
			rc = directory_load(f, &set, &dg);
		if (rc == 0)
			rc = rules_check(r, set, f, &dg);
		fclose(dg.out);
		want = ps_expand(ps_rows[i].want, d, f);
		if (strcmp(buf, want) != 0)
			fail_msg("%s:\nwant:\n%s\ngot:\n%s", ps_rows[i].name,
			    want, buf);
		assert_int_equal(rc, *want ? -1 : 0);
		if (ps_rows[i].bound) {
			assert_non_null(r->protocols[0].dir);
			assert_string_equal(r->protocols[0].dir->id,
			    ps_rows[i].bound);
			assert_int_equal(directory_count(set),
			    ps_rows[i].b ? 2 : 1);
		}
		free(want);
		free(buf);
		rules_free(r);
		directory_free(set);
		remove_dir(d);
		remove_dir(f);
	}
}

/* An agency's children's and adults' contacts take the place of its
 * plain ones, role by role, for a protocol of that service; a contact of
 * any of them is a contact of the set. */
static void
test_partnership_services(void **state)
{
	static const struct {
		enum dir_service s;
		const char	*role;
		const char	*addr;
	} rows[] = {
		{ DIR_BOTH, "practitioner", "duty@alpha.example.org" },
		{ DIR_BOTH, "line_manager", "lm@alpha.example.org" },
		{ DIR_CHILDREN, "practitioner", "kids@alpha.example.org" },
		{ DIR_CHILDREN, "line_manager", "lm@alpha.example.org" },
		{ DIR_ADULTS, "practitioner", "duty@alpha.example.org" },
		{ DIR_ADULTS, "line_manager", "alm@alpha.example.org" },
		{ DIR_ADULTS, "safeguarding_lead", NULL },
	};
	struct diag dg = { 0, NULL };
	struct directory *set = NULL;
	char *f = xstrdup("/tmp/escbot-test-dir-XXXXXX");

	(void)state;
	assert_non_null(mkdtemp(f));
	write_file(f, "a.conf", PS_ALPHA);
	write_file(f, "b.conf", PS_BETA);
	assert_int_equal(directory_load(f, &set, &dg), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct directory *v = directory_for_service(
		    directory_partnership(set, "alpha"), rows[i].s);
		const struct dir_agency *a = directory_agency_by_id(v,
		    "council");
		const struct dir_role *r;

		assert_non_null(a);
		assert_string_equal(a->name, "Alpha Council");
		r = directory_role(v, a, rows[i].role);
		if (rows[i].addr == NULL) {
			assert_null(r);
			continue;
		}
		assert_non_null(r);
		assert_int_equal(r->ncontacts, 1);
		assert_string_equal(r->addrs[0], rows[i].addr);
	}
	/* The same id in two partnerships is two agencies. */
	assert_string_equal(directory_agency_by_id(directory_partnership(set,
	    "beta"), "council")->name, "Beta Council");
	assert_null(directory_partnership(set, "gamma"));
	assert_int_equal(directory_has_contact(set, "kids@alpha.example.org"), 1);
	assert_int_equal(directory_has_contact(set, "alm@alpha.example.org"), 1);
	assert_int_equal(directory_has_contact(set, "chair@beta.example.org"), 1);
	assert_int_equal(directory_has_contact(set, "nobody@beta.example.org"), 0);
	assert_string_equal(directory_set_agency_by_email(set,
	    "x@beta.example.org")->name, "Beta Council");
	directory_free(set);
	remove_dir(f);
}

/* The shipped partnerships: each protocol to its own, and its emails'
 * people only from there. */
static void
test_shipped_partnerships(void **state)
{
	static const struct {
		const char	*proto, *partnership;
		enum dir_service service;
	} rows[] = {
		{ "twsp", "telford", DIR_BOTH },
		{ "wsab", "wsab", DIR_ADULTS },
		{ "wscb", "wscb", DIR_CHILDREN },
		{ "wsp-covid", "wigan", DIR_BOTH },
	};

	(void)state;
	assert_int_equal(directory_count(dir), 4);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct protocol *p = rules_protocol(rs, rows[i].proto);

		assert_non_null(p);
		assert_int_equal(p->service, rows[i].service);
		assert_ptr_equal(p->dir, directory_for_service(
		    directory_partnership(dir, rows[i].partnership),
		    rows[i].service));
	}
	/* Telford's people are not Wigan's, nor Wigan's Telford's. */
	assert_null(directory_agency_by_id(rules_protocol(rs, "twsp")->dir,
	    "wigan-council"));
	assert_null(directory_agency_by_id(rules_protocol(rs, "wsab")->dir,
	    "tw-council"));
}

static int
setup(void **state)
{
	struct diag d = { 0, NULL };
	char err[256];

	(void)state;
	cal = calendar_load("etc/bank-holidays-england-wales.txt", 540, 1020,
	    err, sizeof(err));
	if (cal == NULL || directory_load("etc/partnerships", &dir, &d) == -1 ||
	    rules_load("rules", &rs, &d) == -1)
		return -1;
	return rules_check(rs, dir, "etc/partnerships", &d);
}

static int
teardown(void **state)
{
	(void)state;
	rules_free(rs);
	directory_free(dir);
	calendar_free(cal);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twsp_table),
		cmocka_unit_test(test_wsab_defaults),
		cmocka_unit_test(test_wscb_defaults),
		cmocka_unit_test(test_covid_same_day),
		cmocka_unit_test(test_forms_bound),
		cmocka_unit_test(test_requests_bound),
		cmocka_unit_test(test_every_level_has_a_way_in),
		cmocka_unit_test(test_twsp_on_resolution),
		cmocka_unit_test(test_report_periods),
		cmocka_unit_test(test_bad_rules_refused),
		cmocka_unit_test(test_clock_start_and_cumulative),
		cmocka_unit_test(test_form_templates),
		cmocka_unit_test(test_bad_templates_refused),
		cmocka_unit_test(test_rules_check),
		cmocka_unit_test(test_agency_names),
		cmocka_unit_test(test_partnerships),
		cmocka_unit_test(test_partnership_services),
		cmocka_unit_test(test_shipped_partnerships),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
