/*
 * test_form: the form definitions in rules/forms/ and the reading of forms
 * from email text -- recognition, the three layouts (label: value, label
 * above its answer, pasted table), instructions and quoted history left
 * out, value normalisation, missing fields, and form files that must be
 * refused with file:line.  Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "form.h"
#include "quote.h"
#include "util.h"

#define UNIT_WITH_FORMS
#include "unit.h"


/* The body of a sample message: what follows the header's blank line. */
static char *
sample_body(const char *name)
{
	char *path = xasprintf("etc/samples/%s", name), *raw, *body, *p;
	size_t len;

	assert_int_equal(file_read_all(path, &raw, &len), 0);
	free(path);
	p = strstr(raw, "\r\n\r\n");
	if (p != NULL)
		p += 4;
	else if ((p = strstr(raw, "\n\n")) != NULL)
		p += 2;
	assert_non_null(p);
	body = xstrdup(p);
	free(raw);
	return body;
}

static struct form_result *
extract(const char *id, const char *text)
{
	const struct form_def *def = form_set_find(forms, id);

	assert_non_null(def);
	return form_extract(def, text);
}

static const struct form_problem *
problem(const struct form_result *r, const char *name)
{
	for (size_t i = 0; i < r->nproblems; i++)
		if (strcmp(r->problems[i].def->name, name) == 0)
			return &r->problems[i];
	return NULL;
}

#define assert_value(r, name, want) do {				\
	const char *v_ = form_result_get((r), (name));			\
	if (v_ == NULL || strcmp(v_, (want)) != 0)			\
		fail_msg("%s: got \"%s\", want \"%s\"", (name),		\
		    v_ ? v_ : "(none)", (want));			\
} while (0)

#define assert_no_value(r, name) do {					\
	const char *v_ = form_result_get((r), (name));			\
	if (v_ != NULL)							\
		fail_msg("%s: got \"%s\", want none", (name), v_);	\
} while (0)

/* Every field of r equals b's, value for value. */
static void
assert_same_fields(const struct form_result *a, const struct form_result *b)
{
	const struct form_def *def = a->def;

	assert_ptr_equal(a->def, b->def);
	for (size_t i = 0; i < def->nfields; i++) {
		const char *n = def->fields[i].name;
		const char *x = form_result_get(a, n), *y = form_result_get(b, n);

		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
			fail_msg("%s: \"%s\" vs \"%s\"", n, x ? x : "(none)",
			    y ? y : "(none)");
	}
	assert_int_equal(a->nvalues, b->nvalues);
	assert_int_equal(a->nproblems, b->nproblems);
}

/* ------------------------------------------------------------------ */

static void
test_load(void **state)
{
	static const char *const ids[] = {
		"twsp-referral", "wsab-proforma", "wsab-meeting", "wsab-resolved",
		"wscb-agency-report", "wscb-resolved", "wsp-covid-request",
		"wsp-serious-incident"
	};

	(void)state;
	assert_int_equal(forms->nforms, 8);
	for (size_t i = 0; i < 8; i++) {
		const struct form_def *f = form_set_find(forms, ids[i]);

		assert_non_null(f);
		assert_true(f->title[0] != '\0');
		for (size_t k = 0; k < f->nfields; k++) {
			assert_true(f->fields[k].example[0] != '\0');
			assert_true(f->fields[k].label[0] != '\0');
		}
	}
	assert_null(form_set_find(forms, "nope"));
	assert_true(form_field_find(form_set_find(forms, "twsp-referral"),
	    "nhs_number")->personal);
	assert_int_equal(form_field_find(form_set_find(forms, "twsp-referral"),
	    "nhs_number")->type, FIELD_NHS);
	assert_string_equal(form_type_name(FIELD_YESNO), "yesno");
	/* A form built by hand (no prepared labels) reads the same. */
	{
		struct form_def copy = *form_set_find(forms, "wsab-proforma");
		char *body = sample_body("wsab-proforma-table.eml");
		struct form_result *a, *b;

		copy.index = NULL;
		a = form_extract(&copy, body);
		b = extract("wsab-proforma", body);
		assert_int_equal(a->nvalues, b->nvalues);
		for (size_t i = 0; i < a->nvalues; i++)
			assert_string_equal(a->values[i].value, b->values[i].value);
		form_result_free(a);
		form_result_free(b);
		free(body);
	}
}

static void
test_recognise(void **state)
{
	static const struct { const char *text, *id; } t[] = {
		{ "Please see our Resolution and Escalation Referral Form below.",
		  "twsp-referral" },
		{ "Partnership Resolution Seeking Proforma Stage 2 (Service "
		  "Manager to Service Manager)", "wsab-proforma" },
		{ "ESCALATION SOLUTION FOCUSED MEETING TEMPLATE", "wsab-meeting" },
		{ "Pro-forma for reporting where issues have been resolved.",
		  "wsab-resolved" },
		{ "Agency Report Re: Recording Inter Agency Conflict and "
		  "Resolution on a Service Users File", "wscb-agency-report" },
		{ "**Pro-forma for reporting conflicts which have been resolved at\n"
		  "WSCB agency representative level to WSCB**", "wscb-resolved" },
		/* Both present: the one that comes first. */
		{ "Escalation Solution Focused Meeting notes; the Partnership "
		  "Resolution Seeking Proforma was sent last week.", "wsab-meeting" },
	};
	const struct form_def *f;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f = form_recognise(forms, t[i].text);
		assert_non_null(f);
		assert_string_equal(f->id, t[i].id);
	}
	assert_null(form_recognise(forms, "Hello, can we talk about Alex?"));
	assert_null(form_recognise(forms, ""));
	assert_null(form_recognise(NULL, "x"));
	/* A form only quoted in a reply is not a new form. */
	assert_null(form_recognise(forms, "Thanks, noted.\n\nOn Mon, 2 Feb 2026 "
	    "at 09:30, Jo <jo@example.gov.uk> wrote:\n> Resolution and "
	    "Escalation Referral Form\n"));
	/* Every sample is recognised as its form. */
	{
		static const struct { const char *file, *id; } s[] = {
			{ "twsp-referral-inline.eml", "twsp-referral" },
			{ "twsp-referral-table.eml", "twsp-referral" },
			{ "twsp-referral-incomplete.eml", "twsp-referral" },
			{ "wsab-proforma-lines.eml", "wsab-proforma" },
			{ "wsab-proforma-table.eml", "wsab-proforma" },
			{ "wsab-meeting-table.eml", "wsab-meeting" },
			{ "wsab-resolved.eml", "wsab-resolved" },
			{ "wscb-agency-report.eml", "wscb-agency-report" },
			{ "wscb-resolved.eml", "wscb-resolved" },
		};

		for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
			char *body = sample_body(s[i].file);

			f = form_recognise(forms, body);
			assert_non_null(f);
			assert_string_equal(f->id, s[i].id);
			free(body);
		}
	}
}

static const char twsp_lines[] =
    "Resolution and Escalation Referral Form\n"
    "\n"
    "\tClient Reference Number (if applicable):\n"
    "\tTW-000123\n"
    "\tDate:\n"
    "\t02/02/2026\n"
    "\n"
    "\tName of Individual:\n"
    "\tAlex Example\n"
    "\n"
    "\t  Date of Birth:\n"
    "\t14 March 2016\n"
    "\tNHS Number:\n"
    "\t9990000018\n"
    "\n"
    "\t\n"
    "Agency/Team:\n"
    "\tTelford & Wrekin Council, Family Safeguarding Team\n"
    "\n"
    "\tReceiving agency/team:\n"
    "\tShropshire Community Health Trust (health visiting)\n"
    "\n"
    "\tNamed GP and Surgery:\n"
    "\tDr Sam Sample, Example Road Surgery\n"
    "\n"
    "\tSummary of Concerns, including the specific difference/s which has "
    "resulted in utilising the Escalation process:\n"
    "(It is important that you provide information that details how you "
    "have made every effort to resolve this matter at a local level within "
    "Stages 1 & 2)\n"
    "\n"
    "\n"
    "Alex's school has reported three unexplained bruises since January. We\n"
    "asked the health visiting service to attend a strategy discussion; they\n"
    "declined, saying the threshold is not met.\n"
    "\n"
    "\n"
    "\n"
    "Line managers met on 28/01/2026 (stage 2) and could not agree.\n"
    "\tRequested Action:\n"
    "\n"
    "A multi-agency strategy discussion to be convened by\n"
    "6 February 2026 with health present.\n"
    "\n"
    "\n"
    "\tResponse: \n"
    "\n"
    "\t Date:          \n"
    "\tSignature:\n"
    "\n"
    "\t Resolution of Issues:\n"
    "\n"
    "\t Date:\n"
    "\tSignature:\n";

static void
test_twsp_layouts(void **state)
{
	char *inl = sample_body("twsp-referral-inline.eml");
	char *tab = sample_body("twsp-referral-table.eml");
	struct form_result *a, *b, *c;

	(void)state;
	a = extract("twsp-referral", inl);
	b = extract("twsp-referral", twsp_lines);
	c = extract("twsp-referral", tab);
	assert_int_equal(a->nproblems, 0);
	assert_value(a, "client_ref", "TW-000123");
	assert_value(a, "date", "2026-02-02");
	assert_value(a, "individual_name", "Alex Example");
	assert_value(a, "dob", "2016-03-14");
	assert_value(a, "nhs_number", "9990000018");
	assert_value(a, "agency_team",
	    "Telford & Wrekin Council, Family Safeguarding Team");
	assert_value(a, "receiving_agency",
	    "Shropshire Community Health Trust (health visiting)");
	assert_value(a, "gp", "Dr Sam Sample, Example Road Surgery");
	assert_value(a, "requested_action",
	    "A multi-agency strategy discussion to be convened by\n"
	    "6 February 2026 with health present.");
	assert_value(a, "concerns",
	    "Alex's school has reported three unexplained bruises since January. We\n"
	    "asked the health visiting service to attend a strategy discussion; they\n"
	    "declined, saying the threshold is not met.\n"
	    "\n"
	    "Line managers met on 28/01/2026 (stage 2) and could not agree.");
	assert_no_value(a, "response");
	assert_no_value(a, "contact_name");
	assert_same_fields(a, b);
	/* The table gives the same fields; a table cell has no hard wraps. */
	assert_value(c, "individual_name", "Alex Example");
	assert_value(c, "date", "2026-02-02");
	assert_value(c, "dob", "2016-03-14");
	assert_value(c, "nhs_number", "9990000018");
	assert_value(c, "client_ref", "TW-000123");
	assert_value(c, "agency_team",
	    "Telford & Wrekin Council, Family Safeguarding Team");
	assert_value(c, "receiving_agency",
	    "Shropshire Community Health Trust (health visiting)");
	assert_value(c, "gp", "Dr Sam Sample, Example Road Surgery");
	assert_value(c, "requested_action", "A multi-agency strategy discussion "
	    "to be convened by 6 February 2026 with health present.");
	assert_non_null(strstr(form_result_get(c, "concerns"),
	    "threshold is not met.\nLine managers met"));
	assert_int_equal(c->nproblems, 0);
	assert_int_equal(c->nvalues, a->nvalues);
	form_result_free(a);
	form_result_free(b);
	form_result_free(c);
	free(inl);
	free(tab);
}

static const char wsab_inline[] =
    "Partnership Resolution Seeking Proforma\n"
    "Adult at risk 1: Alex Example\n"
    "Address of adult at risk 1: 1 Example Street, Wigan WN1 0XX\n"
    "Date of birth of adult at risk 1: 1st Feb 1950\n"
    "Adult Social Care: Leigh Locality Team – social worker Jo Sample\n"
    "GP: Example Road Surgery\n"
    "WWL: District nursing team\n"
    "Other (please specify): Home care provider (Example Care Ltd)\n"
    "Analysis of concerns identified: Alex has had four falls in six weeks "
    "and is refusing personal care.\n"
    "District nurses report pressure damage.\n"
    "\n"
    "Adult Social Care and the home care provider disagree on whether\n"
    "Alex has capacity to refuse care.\n"
    "Reason for seeking resolution: Stage 1 discussion between practitioners "
    "on 27/01/2026 did not agree a\n"
    "lead agency for a capacity assessment.\n"
    "Resolution required: A capacity assessment for personal care decisions, "
    "with an agreed lead,\n"
    "within 5 working days.\n"
    "What are we worried about? Further falls and worsening pressure damage.\n"
    "What's working well? Alex accepts daily visits from the district nurses.\n"
    "What needs to change? One agency leads and the others contribute.\n"
    "Impact if nothing changes: Likely hospital admission.\n";

static void
test_wsab_layouts(void **state)
{
	char *lines = sample_body("wsab-proforma-lines.eml");
	char *tab = sample_body("wsab-proforma-table.eml");
	struct form_result *a, *b, *c;

	(void)state;
	a = extract("wsab-proforma", lines);
	b = extract("wsab-proforma", tab);
	c = extract("wsab-proforma", wsab_inline);
	assert_int_equal(a->nproblems, 0);
	assert_value(a, "adult1_name", "Alex Example");
	assert_value(a, "adult1_address", "1 Example Street, Wigan WN1 0XX");
	assert_value(a, "adult1_dob", "1950-02-01");
	assert_no_value(a, "adult2_name");
	assert_value(a, "asc", "Leigh Locality Team – social worker Jo Sample");
	assert_value(a, "gp", "Example Road Surgery");
	assert_value(a, "wwl", "District nursing team");
	assert_value(a, "other_agency", "Home care provider (Example Care Ltd)");
	assert_no_value(a, "amh");
	assert_value(a, "concerns_analysis",
	    "Alex has had four falls in six weeks and is refusing personal care.\n"
	    "District nurses report pressure damage.\n"
	    "\n"
	    "Adult Social Care and the home care provider disagree on whether\n"
	    "Alex has capacity to refuse care.");
	assert_value(a, "resolution_required",
	    "A capacity assessment for personal care decisions, with an agreed lead,\n"
	    "within 5 working days.");
	assert_value(a, "working_well",
	    "Alex accepts daily visits from the district nurses.");
	assert_value(a, "impact", "Likely hospital admission.");
	assert_same_fields(a, b);
	assert_same_fields(a, c);
	form_result_free(a);
	form_result_free(b);
	form_result_free(c);
	free(lines);
	free(tab);
}

static void
test_grid_rows(void **state)
{
	struct form_result *r;

	(void)state;
	/* Typed under row headings. */
	r = extract("wsab-proforma",
	    "Adult at risk 1\nName: Alex Example\nD.O.B: 01/02/1950\n"
	    "Adult at risk 2\nName: Sam Example\nAddress: 2 Example Street\n"
	    "Reason for seeking resolution: x\n");
	assert_value(r, "adult1_name", "Alex Example");
	assert_value(r, "adult1_dob", "1950-02-01");
	assert_no_value(r, "adult1_address");
	assert_value(r, "adult2_name", "Sam Example");
	assert_value(r, "adult2_address", "2 Example Street");
	assert_value(r, "reason", "x");
	form_result_free(r);
	/* A pasted table without the empty corner cell; a second row. */
	r = extract("wsab-proforma",
	    "Name:\tAddress:\tD.O.B:\n"
	    "Adult at risk 1\tAlex Example\t1 Example Street\t01/02/1950\n"
	    "Adult at risk 2\tSam Example\t\t03.04.52\n"
	    "Adult at risk 3\t\t\t\n");
	assert_value(r, "adult1_name", "Alex Example");
	assert_value(r, "adult1_address", "1 Example Street");
	assert_value(r, "adult1_dob", "1950-02-01");
	assert_value(r, "adult2_name", "Sam Example");
	assert_value(r, "adult2_dob", "1952-04-03");
	assert_no_value(r, "adult2_address");
	assert_no_value(r, "adult3_name");
	form_result_free(r);
	/* Row and column in one label, either way round (the seed's
	 * family details typed as text). */
	r = extract("wsab-proforma",
	    "Adult at risk 1 Name: Alex Example\n"
	    "Adult at risk 1 D.O.B: 01/02/1950\n"
	    "Name Adult at risk 2: Sam Example\n"
	    "Address Adult at risk 2: 2 Example Street\n"
	    "Reason for seeking resolution: x\n");
	assert_value(r, "adult1_name", "Alex Example");
	assert_value(r, "adult1_dob", "1950-02-01");
	assert_no_value(r, "adult1_address");
	assert_value(r, "adult2_name", "Sam Example");
	assert_value(r, "adult2_address", "2 Example Street");
	assert_value(r, "reason", "x");
	form_result_free(r);
	/* Without row names, "Name:" fills the first row still empty. */
	r = extract("wsab-proforma", "Name: Alex Example\nName: Sam Example\n");
	assert_value(r, "adult1_name", "Alex Example");
	assert_value(r, "adult2_name", "Sam Example");
	form_result_free(r);
}

static void
test_instruction_text(void **state)
{
	struct form_result *r;

	(void)state;
	/* Label and instruction on one line, answer below. */
	r = extract("twsp-referral",
	    "Summary of Concerns (It is important that you provide information "
	    "that details how you have made every effort to resolve this matter "
	    "at a local level within Stages 1 & 2):\n"
	    "The concern.\n");
	assert_value(r, "concerns", "The concern.");
	form_result_free(r);
	/* Instruction over several lines, the label wrapped too. */
	r = extract("twsp-referral",
	    "Summary of Concerns, including the specific difference/s which has\n"
	    "resulted in utilising the Escalation process:\n"
	    "(It is important that you provide information that details how you\n"
	    "have made every effort to resolve this matter at a local level within\n"
	    "Stages 1 & 2)\n"
	    "\n"
	    "The concern.\n"
	    "Requested Action: meet\n");
	assert_value(r, "concerns", "The concern.");
	assert_value(r, "requested_action", "meet");
	form_result_free(r);
	/* An instruction that starts on the label's line. */
	r = extract("twsp-referral",
	    "Summary of Concerns (It is important that you provide information\n"
	    "that details how you have made every effort to resolve this matter\n"
	    "at a local level within Stages 1 & 2):\n"
	    "The concern.\n");
	assert_value(r, "concerns", "The concern.");
	form_result_free(r);
	/* Explanation after a shorter label, up to the colon. */
	r = extract("twsp-referral",
	    "Summary of Concerns, including what we tried: The GP refused.\n");
	assert_value(r, "concerns", "The GP refused.");
	form_result_free(r);
	/* "(Please circle)" after the question, answer in the next cell. */
	r = extract("wsab-resolved",
	    "Does this case give rise to any lessons learned? (Please circle)\tYes\n"
	    "At what level of the protocol was the issue resolved?\t3\n");
	assert_value(r, "lessons_learned", "yes");
	assert_value(r, "level_resolved", "3");
	form_result_free(r);
	/* A short answer in brackets is kept. */
	r = extract("twsp-referral", "Agency/Team: (CAMHS)\nRequested Action:\n"
	    "(a) a meeting\n");
	assert_value(r, "agency_team", "(CAMHS)");
	assert_value(r, "requested_action", "(a) a meeting");
	form_result_free(r);
}

static void
test_longest_label(void **state)
{
	struct form_result *r;

	(void)state;
	r = extract("twsp-referral",
	    "Date of Birth: 1/2/2016\nDate: 3/2/2026\nName: Alex Example\n"
	    "Named GP and Surgery: Dr Sample\nNHS Number: 999 000 0018\n");
	assert_value(r, "dob", "2016-02-01");
	assert_value(r, "date", "2026-02-03");
	assert_value(r, "individual_name", "Alex Example");
	assert_value(r, "gp", "Dr Sample");
	assert_value(r, "nhs_number", "9990000018");
	form_result_free(r);
	/* Words that only start like a label are text, not labels. */
	r = extract("twsp-referral",
	    "Requested Action:\nDate of the next visit to be agreed.\n"
	    "Response from the GP is awaited.\nGP surgery closed.\n");
	assert_value(r, "requested_action", "Date of the next visit to be agreed.\n"
	    "Response from the GP is awaited.\nGP surgery closed.");
	assert_no_value(r, "date");
	assert_no_value(r, "response");
	assert_no_value(r, "gp");
	form_result_free(r);
	/* The repeated "Date:" lines go to the section they follow. */
	r = extract("twsp-referral",
	    "Date: 1/2/2026\nResponse: agreed\nDate: 2/2/2026\nSignature: X\n"
	    "Resolution of Issues: met\nDate: 5/2/2026\n"
	    "Actions taken to resolve the professional disagreement: visit\n"
	    "Date: 6/2/2026\n");
	assert_value(r, "date", "2026-02-01");
	assert_value(r, "response", "agreed");
	assert_value(r, "response_date", "2026-02-02");
	assert_value(r, "resolution", "met");
	assert_value(r, "resolution_date", "2026-02-05");
	assert_value(r, "actions_taken", "visit");
	assert_value(r, "actions_date", "2026-02-06");
	form_result_free(r);
	/* A typed answer right after its label, without a colon. */
	r = extract("twsp-referral",
	    "DOB 14/03/2016\nNHS Number 999 000 0018\nDate Mon 2nd Feb 2026\n"
	    "Agency CAMHS\nRequested Action\nDate 1/2/2026 was missed\n"
	    "Tel 01952 000000\n");
	assert_value(r, "dob", "2016-03-14");
	assert_value(r, "nhs_number", "9990000018");
	assert_value(r, "date", "2026-02-02");
	assert_no_value(r, "agency_team");
	assert_value(r, "requested_action", "Date 1/2/2026 was missed");
	assert_value(r, "contact_phone", "01952000000");
	form_result_free(r);
	/* Markdown emphasis, CRLF, NBSP, and "Label - value". */
	r = extract("twsp-referral",
	    "**Name of Individual:** Alex Example\r\n"
	    "Agency/Team\xc2\xa0: CAMHS\r\n"
	    "Requested Action - a meeting\r\n");
	assert_value(r, "individual_name", "Alex Example");
	assert_value(r, "agency_team", "CAMHS");
	assert_value(r, "requested_action", "a meeting");
	form_result_free(r);
}

static void
test_quoted_and_signature(void **state)
{
	static const char *const tails[] = {
		"\nOn Mon, 2 Feb 2026 at 09:30, Lee Sample <lee@example.gov.uk> wrote:\n",
		"\nOn Mon, 2 Feb 2026 at 09:30, Lee Sample <lee@example.gov.uk>\nwrote:\n",
		"\n-----Original Message-----\nFrom: Lee Sample\n",
		"\n________________________________\nFrom: Lee Sample <lee@example.gov.uk>\n"
		"Sent: 02 February 2026 09:30\nTo: Escalations\nSubject: form\n\n",
		"\n> earlier text\n",
		"\n-- \nJo Practitioner\nTel 01952 000000\n",
		"\nKind regards,\nJo\n",
		"\nThanks\n\nJo Practitioner\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		char *text = xasprintf(
		    "Resolution and Escalation Referral Form\n"
		    "Name of Individual: Alex Example\n"
		    "Requested Action: a meeting%s"
		    "Name of Individual: Someone Else\n"
		    "Agency/Team: Quoted Team\n"
		    "Requested Action: quoted action\n", tails[i]);
		struct form_result *r = extract("twsp-referral", text);

		assert_value(r, "individual_name", "Alex Example");
		assert_value(r, "requested_action", "a meeting");
		assert_no_value(r, "agency_team");
		assert_non_null(problem(r, "agency_team"));
		form_result_free(r);
		free(text);
	}
	/* A quoted reply marker before the form hides it. */
	{
		struct form_result *r = extract("twsp-referral",
		    "> Name of Individual: Alex Example\n");

		assert_no_value(r, "individual_name");
		form_result_free(r);
	}
	/* quote_own_len: up to the quote. */
	assert_int_equal(quote_own_len("abc\n> quoted\n"), 4);
	assert_int_equal(quote_own_len("abc\n"), 4);
	assert_int_equal(quote_own_len("a\n-- \nsig"), 2);
	assert_int_equal(quote_own_len("a\n--\nnot a sig"), 14);
	/* The agency report sample quotes another form: it is left out. */
	{
		char *body = sample_body("wscb-agency-report.eml");
		struct form_result *r = extract("wscb-agency-report", body);

		assert_value(r, "child_name", "Robin Example");
		assert_int_equal(r->nproblems, 0);
		form_result_free(r);
		free(body);
	}
}

static void
test_dates(void **state)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "1/2/2026", "2026-02-01" },
		{ "01/02/2026", "2026-02-01" },
		{ "01.02.26", "2026-02-01" },
		{ "1.2.2026", "2026-02-01" },
		{ "1-2-2026", "2026-02-01" },
		{ "1 February 2026", "2026-02-01" },
		{ "1st Feb 2026", "2026-02-01" },
		{ "1st of February 2026", "2026-02-01" },
		{ "22nd Sept 2026", "2026-09-22" },
		{ "3rd March 2026", "2026-03-03" },
		{ "1-Feb-2026", "2026-02-01" },
		{ "2026-02-01", "2026-02-01" },
		{ "2026-02-01T10:00:00Z", "2026-02-01" },
		{ "February 1, 2026", "2026-02-01" },
		{ "Monday 2 February 2026", "2026-02-02" },
		{ "Mon, 2nd Feb 2026", "2026-02-02" },
		{ "  29/02/2024 ", "2024-02-29" },
		{ "01/02/1950", "1950-02-01" },
		{ "01/02/50", "1950-02-01" },
		{ "12/03/2026 at 10am", "2026-03-12" },
		{ "31 December 2025", "2025-12-31" },
	};
	static const char *const bad[] = {
		"", "tomorrow", "31/02/2026", "29/02/2025", "1/13/2026", "0/1/2026",
		"1/2", "2026", "1 Febtember 2026", "01/02/2026x", "123/1/2026",
		"1/2/026", "next week", "2026-13-01", "1st",
	};
	char out[11];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (form_parse_date(ok[i].in, out) != 0)
			fail_msg("\"%s\" refused", ok[i].in);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (form_parse_date(bad[i], out) == 0)
			fail_msg("\"%s\" read as %s", bad[i], out);
	/* In a form: an unreadable date is a problem naming the reason. */
	{
		struct form_result *r = extract("twsp-referral",
		    "Date of Birth: 31/02/2016\nDate: soon\n");
		const struct form_problem *p = problem(r, "dob");

		assert_non_null(p);
		assert_non_null(strstr(p->reason, "not a real date"));
		assert_string_equal(p->raw, "31/02/2016");
		assert_non_null(problem(r, "date"));
		assert_no_value(r, "dob");
		form_result_free(r);
	}
}

static void
test_yesno(void **state)
{
	static const struct { const char *in; int yes; } ok[] = {
		{ "Yes", 1 }, { "No", 0 }, { "Y", 1 }, { "n", 0 }, { "YES", 1 },
		{ "yes.", 1 }, { "No - not needed", 0 }, { "Yes, see below", 1 },
		{ "Yes / ~~No~~", 1 }, { "~~Yes~~ / No", 0 }, { "~~No~~", 1 },
		{ "~~Yes~~", 0 },
		{ "Yes ~~No~~", 1 }, { "Yes\tN\xcc\xb6o\xcc\xb6", 1 },
		{ "<s>Yes</s> No", 0 },
		{ "(Yes) No", 1 }, { "Yes (No)", 0 }, { "[Yes] No", 1 },
		{ "**Yes** / No", 1 }, { "Yes / *No*", 0 },
		{ "[x] Yes [ ] No", 1 }, { "[ ] Yes [X] No", 0 },
		{ "Yes [x] No [ ]", 1 }, { "\xe2\x98\x92 Yes \xe2\x98\x90 No", 1 },
		{ "\xe2\x98\x90 Yes \xe2\x98\x92 No", 0 },
		{ "Yes \xe2\x9c\x93", 1 }, { "Yes No \xe2\x9c\x93", 0 },
		{ "Yes \xe2\x9c\x94 No", 1 }, { "Yes; No \xe2\x9c\x93", 0 },
		{ "X Yes  No", 1 },
	};
	static const char *const bad[] = {
		"Yes No", "Yes / No", "Yes; No", "(Yes) (No)", "", "maybe",
		"Not sure", "Yesterday", "~~Yes~~ ~~No~~", "[ ] Yes [ ] No",
		"\xe2\x9c\x93", "1",
	};
	int yes;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (form_parse_yesno(ok[i].in, &yes) != 0)
			fail_msg("\"%s\" refused", ok[i].in);
		if (yes != ok[i].yes)
			fail_msg("\"%s\" read as %d", ok[i].in, yes);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (form_parse_yesno(bad[i], &yes) == 0)
			fail_msg("\"%s\" read as %d", bad[i], yes);
	/* In forms: table cells, a reason for the ambiguous one. */
	{
		char *body = sample_body("wsab-resolved.eml");
		struct form_result *r = extract("wsab-resolved", body);

		assert_int_equal(r->nproblems, 0);
		assert_value(r, "lessons_learned", "yes");
		assert_value(r, "staff_training", "yes");
		assert_value(r, "protocol_review", "yes");
		assert_value(r, "inform_commissioner", "no");
		assert_value(r, "level_resolved", "Level 3");
		assert_value(r, "completed_date", "2026-03-20");
		assert_value(r, "completed_by", "Sam Sample");
		assert_no_value(r, "commissioner_service");
		form_result_free(r);
		free(body);
	}
	/* A printed question with its choice and no colon. */
	{
		struct form_result *r = extract("wscb-resolved",
		    "A requirement for staff training   [x] Yes [ ] No\n"
		    "Development of a new WSCB Protocol ~~Yes~~ No\n"
		    "If yes, please detail\n"
		    "Staff training no longer covers thresholds.\n");

		assert_value(r, "staff_training", "yes");
		assert_value(r, "new_protocol", "no");
		assert_value(r, "lessons_details",
		    "Staff training no longer covers thresholds.");
		form_result_free(r);
	}
	{
		struct form_result *r = extract("wsab-resolved",
		    "Does this case give rise to any lessons learned?\tYes\tNo\n"
		    "A requirement for staff training?\tN/A\n");
		const struct form_problem *p = problem(r, "lessons_learned");

		assert_non_null(p);
		assert_non_null(strstr(p->reason, "both Yes and No"));
		assert_string_equal(p->raw, "Yes; No");
		assert_null(problem(r, "staff_training"));
		assert_no_value(r, "staff_training");
		assert_non_null(problem(r, "level_resolved"));
		form_result_free(r);
	}
}

static void
test_nhs(void **state)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "9990000018", "9990000018" },
		{ "999 000 0018", "9990000018" },
		{ "999-765-4323", "9997654323" },
		{ " 999 111 2227 ", "9991112227" },
		{ "9992468017", "9992468017" },
	};
	static const char *const bad[] = {
		"9990000019",		/* check digit wrong */
		"999 765 4324",
		"999123456",		/* nine digits */
		"99912345678",		/* eleven */
		"9991234560",		/* check digit would be 10 */
		"1111111111",		/* not a real number */
		"999 000 001B",
		"",
	};
	char out[11];
	struct form_result *r;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (form_check_nhs(ok[i].in, out) != 0)
			fail_msg("\"%s\" refused", ok[i].in);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (form_check_nhs(bad[i], out) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
	r = extract("twsp-referral", "NHS Number: 999 765 4324\n");
	assert_non_null(problem(r, "nhs_number"));
	assert_non_null(strstr(problem(r, "nhs_number")->reason, "check digit"));
	form_result_free(r);
	r = extract("twsp-referral", "NHS Number: 12345\n");
	assert_non_null(strstr(problem(r, "nhs_number")->reason, "10 digits"));
	form_result_free(r);
	r = extract("twsp-referral", "NHS Number: not known\n");
	assert_null(problem(r, "nhs_number"));
	form_result_free(r);
}

static void
test_email_phone(void **state)
{
	char *v;
	const char *why;

	(void)state;
	assert_int_equal(form_parse_email("Jo.Practitioner@Telford.Example.gov.uk", &v), 0);
	assert_string_equal(v, "jo.practitioner@telford.example.gov.uk");
	free(v);
	assert_int_equal(form_parse_email("Jo <jo@nhs.example.uk>", &v), 0);
	assert_string_equal(v, "jo@nhs.example.uk");
	free(v);
	assert_int_equal(form_parse_email("mailto:jo@nhs.example.uk", &v), 0);
	free(v);
	assert_int_equal(form_parse_email("jo@", &v), -1);
	assert_int_equal(form_parse_email("jo@localhost", &v), -1);
	assert_int_equal(form_parse_email("jo@@example.uk", &v), -1);
	assert_int_equal(form_parse_email("jo example@example.uk", &v), -1);
	assert_int_equal(form_parse_email("jo@-example.uk", &v), -1);

	assert_int_equal(form_parse_phone("01942 828777", &v), 0);
	assert_string_equal(v, "01942828777");
	free(v);
	assert_int_equal(form_parse_phone("+44 (0)1942 828777", &v), 0);
	assert_string_equal(v, "01942828777");
	free(v);
	assert_int_equal(form_parse_phone("+44 7700 900123", &v), 0);
	assert_string_equal(v, "07700900123");
	free(v);
	assert_int_equal(form_parse_phone("0161-856-7221", &v), 0);
	assert_string_equal(v, "01618567221");
	free(v);
	assert_int_equal(form_parse_phone("01952 641222 ext 4195", &v), 0);
	assert_string_equal(v, "01952641222 ext 4195");
	free(v);
	assert_int_equal(form_parse_phone("101", &v), 0);
	free(v);
	assert_int_equal(form_parse_phone("12345", &v), -1);
	assert_int_equal(form_parse_phone("call me", &v), -1);
	assert_int_equal(form_parse_phone("0194282877712", &v), -1);

	assert_int_equal(form_normalise(FIELD_EMAIL, "x", &v, &why), -1);
	assert_non_null(why);
	assert_int_equal(form_normalise(FIELD_TEXT, "  a b  ", &v, &why), 0);
	assert_string_equal(v, "a b");
	free(v);
	{
		struct form_result *r = extract("twsp-referral",
		    "Contact email: Jo <JO@telford.example.gov.uk>\n"
		    "Tel: +44 1952 000000\nEmail address: nope\n");

		assert_value(r, "contact_email", "jo@telford.example.gov.uk");
		assert_value(r, "contact_phone", "01952000000");
		form_result_free(r);
	}
}

static void
test_missing_required(void **state)
{
	char *body = sample_body("twsp-referral-incomplete.eml");
	struct form_result *r;
	const struct form_problem *p;

	(void)state;
	r = extract("twsp-referral", body);
	assert_int_equal(r->nproblems, 2);
	assert_string_equal(r->problems[0].def->name, "agency_team");
	assert_string_equal(r->problems[0].def->label, "Agency/Team");
	assert_string_equal(r->problems[0].reason, "missing");
	assert_null(r->problems[0].raw);
	assert_string_equal(r->problems[1].def->name, "requested_action");
	assert_string_equal(r->problems[1].def->label, "Requested Action");
	assert_string_equal(r->problems[1].reason, "missing");
	assert_value(r, "individual_name", "Jamie Example");
	assert_value(r, "nhs_number", "9997654323");
	assert_value(r, "date", "2026-02-04");
	assert_no_value(r, "client_ref");
	form_result_free(r);
	free(body);
	/* Nothing at all: every required field, in form order. */
	r = extract("wsab-proforma", "");
	assert_int_equal(r->nproblems, 4);
	assert_string_equal(r->problems[0].def->label, "Name of adult at risk 1");
	assert_string_equal(r->problems[1].def->name, "concerns_analysis");
	assert_string_equal(r->problems[2].def->name, "reason");
	assert_string_equal(r->problems[3].def->name, "resolution_required");
	assert_int_equal(r->nvalues, 0);
	form_result_free(r);
	/* "N/A" and a Word placeholder are no answer. */
	r = extract("twsp-referral", "Name of Individual: N/A\nAgency/Team:\n"
	    "Click or tap here to enter text.\n");
	p = problem(r, "individual_name");
	assert_non_null(p);
	assert_string_equal(p->reason, "missing");
	assert_string_equal(problem(r, "agency_team")->reason, "missing");
	form_result_free(r);
	/* NULL text and NULL form are tolerated. */
	r = form_extract(form_set_find(forms, "wsab-resolved"), NULL);
	assert_int_equal(r->nproblems, 1);
	form_result_free(r);
	r = form_extract(NULL, "x");
	assert_int_equal(r->nvalues, 0);
	form_result_free(r);
}

/*
 * The Planned Actions of a meeting record as people send them, each giving
 * exactly the same action_N values: typed as blocks (No:, Action:, Agency
 * and owner:, Purpose:, Deadline:), with or without the number, and the
 * table as Outlook's text/plain flattens it (each cell on its own line).
 * An owner cell that begins with an agency name ("ASC - Sam Sample") is
 * the action's owner, never the "ASC" agency field of the form above it.
 */
static void
test_planned_action_layouts(void **state)
{
	static const char head[] =
	    "Escalation Solution Focused Meeting Template\n"
	    "Name: Alex Example\n"
	    "Date of Meeting: 03/03/2026\n"
	    "Adult Social Care: Known\n"
	    "Planned Actions to be taken\n";
	static const char *const layouts[] = {
	    /* blocks with numbers */
	    "No: 1\nAction: Capacity assessment\n"
	    "Agency and owner: ASC - Sam Sample\n"
	    "Purpose of action: Decide on personal care\n"
	    "Deadline: 10/03/2026\n\n"
	    "No: 2\nAction: Pressure care review\n"
	    "Agency and owner: WWL - Chris Sample\n"
	    "Purpose of action: Reduce pressure damage\n"
	    "Deadline (Specified date): 12/03/2026\n",
	    /* blocks without numbers, "Owner" and "By" spelled shorter */
	    "Action: Capacity assessment\nOwner: ASC - Sam Sample\n"
	    "Purpose: Decide on personal care\nDeadline: 10/03/2026\n"
	    "Action: Pressure care review\nOwner: WWL - Chris Sample\n"
	    "Purpose: Reduce pressure damage\nDeadline: 12/03/2026\n",
	    /* Outlook's text/plain of the table: a cell a line */
	    "No\nAction\nAgency and owner\nPurpose of action\n"
	    "Deadline (Specified date)\n"
	    "1\nCapacity assessment\nASC - Sam Sample\n"
	    "Decide on personal care\n10/03/2026\n"
	    "2\nPressure care review\nWWL - Chris Sample\n"
	    "Reduce pressure damage\n12/03/2026\n"
	    "3\n\n\n\n\n",
	};
	char text[2048];
	struct form_result *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, layouts[i]);
		r = extract("wsab-meeting", text);
		print_message("layout %zu\n", i);
		assert_value(r, "asc", "Known");
		assert_value(r, "action_1", "Capacity assessment; ASC - Sam "
		    "Sample; Decide on personal care; 10/03/2026");
		assert_value(r, "action_2", "Pressure care review; WWL - Chris "
		    "Sample; Reduce pressure damage; 12/03/2026");
		assert_no_value(r, "action_3");
		assert_no_value(r, "wwl");
		form_result_free(r);
	}
}

/*
 * The family details grid as text one cell a line, as Outlook's
 * text/plain gives a pasted table: the column names one a line, then each
 * row's name and its cells.  With its blank cells kept, and from a client
 * that drops them (the date then still goes to the date column).
 */
static void
test_grid_one_cell_a_line(void **state)
{
	static const char *const grids[] = {
	    "Name:\nAddress:\nD.O.B:\n"
	    "Adult at risk 1\nAlex Example\n1 Example Street, Wigan\n"
	    "01/02/1950\n"
	    "Adult at risk 2\nSam Example\n\n02/03/1951\n"
	    "Adult at risk 3\n\n\n\n\n",
	    "Name:\nAddress:\nD.O.B:\n"
	    "Adult at risk 1\nAlex Example\n1 Example Street, Wigan\n"
	    "01/02/1950\n"
	    "Adult at risk 2\nSam Example\n02/03/1951\n"
	    "Adult at risk 3\n",
	};
	char text[2048];
	struct form_result *r;

	(void)state;
	for (size_t i = 0; i < sizeof(grids) / sizeof(grids[0]); i++) {
		snprintf(text, sizeof(text), "Partnership Resolution Seeking "
		    "Proforma\nFamily Details\n%sAdult Social Care: Leigh "
		    "Locality Team\nGP:\nExample Road Surgery\n", grids[i]);
		r = extract("wsab-proforma", text);
		print_message("grid %zu\n", i);
		assert_value(r, "adult1_name", "Alex Example");
		assert_value(r, "adult1_address", "1 Example Street, Wigan");
		assert_value(r, "adult1_dob", "1950-02-01");
		assert_value(r, "adult2_name", "Sam Example");
		assert_no_value(r, "adult2_address");
		assert_value(r, "adult2_dob", "1951-03-02");
		assert_no_value(r, "adult3_name");
		assert_value(r, "asc", "Leigh Locality Team");
		assert_value(r, "gp", "Example Road Surgery");
		form_result_free(r);
	}
}

static void
test_other_samples(void **state)
{
	char *body;
	struct form_result *r;

	(void)state;
	body = sample_body("wsab-meeting-table.eml");
	r = extract("wsab-meeting", body);
	assert_int_equal(r->nproblems, 0);
	assert_value(r, "meeting_no", "1");
	assert_value(r, "adult_name", "Alex Example");
	assert_value(r, "dob", "1950-02-01");
	assert_value(r, "meeting_date", "2026-03-03");
	assert_value(r, "next_meeting_date", "2026-03-17");
	assert_value(r, "attendees", "Sam Sample (ASC), Chris Sample (WWL)");
	assert_value(r, "apologies", "Jo Sample (GMP)");
	assert_value(r, "agency_1_name", "Adult Social Care");
	assert_value(r, "agency_1_id", "ASC-000123");
	assert_value(r, "agency_2_name", "WWL");
	assert_value(r, "agency_2_id", "WWL-55501");
	assert_no_value(r, "agency_3_name");
	assert_value(r, "asc", "Known");
	assert_value(r, "amh", "Not known");
	assert_value(r, "gmp", "Known");
	assert_value(r, "gp", "Example Road Surgery");
	assert_value(r, "wwl", "Known");
	assert_value(r, "concerns_analysis", "Four falls in six weeks; "
	    "disagreement on capacity to refuse personal care.");
	assert_value(r, "action_1", "Capacity assessment; ASC, Sam Sample; "
	    "Decide on personal care; 10/03/2026");
	assert_value(r, "action_2", "Pressure care review; WWL, Chris Sample; "
	    "Reduce pressure damage; 12/03/2026");
	assert_no_value(r, "action_3");
	assert_no_value(r, "action_4");
	form_result_free(r);
	free(body);

	body = sample_body("wscb-resolved.eml");
	r = extract("wscb-resolved", body);
	assert_int_equal(r->nproblems, 0);
	assert_value(r, "child_name", "Robin Example");
	assert_value(r, "dob", "2014-06-05");
	assert_value(r, "details", "Whether a child protection conference was needed.");
	assert_value(r, "methodology",
	    "Meeting of the two board representatives on 20/02/2026.");
	assert_value(r, "lessons_learned", "yes");
	assert_value(r, "lessons_details", "Schools need the threshold guidance again.");
	assert_value(r, "staff_training", "yes");
	assert_value(r, "new_protocol", "no");
	assert_value(r, "inform_commissioner", "no");
	assert_value(r, "subgroup_discussion",
	    "Yes - Learning and Improvement sub group");
	assert_value(r, "board_discussion", "No");
	form_result_free(r);
	free(body);

	body = sample_body("wscb-agency-report.eml");
	r = extract("wscb-agency-report", body);
	assert_value(r, "dob", "2014-06-05");
	assert_value(r, "practitioner", "Jo Sample, Social Worker, Children's Services");
	assert_value(r, "details", "School and social care disagree\n"
	    "on whether a child protection conference is needed.");
	assert_value(r, "level1",
	    "Yes, discussed with the school's designated lead on 2/2/2026; not resolved.");
	assert_value(r, "level2_referred_to", "Lee Sample, Team Manager");
	assert_value(r, "level3", "Not yet.");
	assert_value(r, "parents_informed", "no");
	assert_value(r, "not_informed_safeguarding", "yes");
	form_result_free(r);
	free(body);
}

/* ------------------------------------------------------------------ */
/* Form files that must be refused.                                    */

static char tmpdir[64];

static void
put(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(path);
}

static void
clear_dir(void)
{
	static const char *const names[] = { "a.conf", "b.conf", NULL };

	for (const char *const *n = names; *n; n++) {
		char *path = xasprintf("%s/%s", tmpdir, *n);

		unlink(path);
		free(path);
	}
}

/* Loads tmpdir; asserts failure with `want` (after "<dir>/") in the report. */
static void
expect_error(const char *want)
{
	struct form_set *set = NULL;
	char *out = NULL, *needle;
	size_t outlen = 0;
	struct diag d = { 0, NULL };
	int r;

	d.out = open_memstream(&out, &outlen);
	assert_non_null(d.out);
	r = form_set_load(tmpdir, &set, &d);
	fclose(d.out);
	needle = xasprintf("%s/%s", tmpdir, want);
	if (r != -1 || strstr(out, needle) == NULL)
		fail_msg("want \"%s\" in:\n%s", needle, out);
	assert_true(d.errors > 0);
	assert_non_null(set);
	form_set_free(set);
	free(needle);
	free(out);
	clear_dir();
}

#define GOOD_FIELD \
	"{ name = \"who\"; label = \"Name\"; type = \"text\"; required = true; }"

static void
test_bad_files(void **state)
{
	struct form_set *set;
	struct diag d = { 0, NULL };

	(void)state;
	strcpy(tmpdir, "/tmp/test_form.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));

	/* A good file loads. */
	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = ( " GOOD_FIELD " );\n};\n");
	assert_int_equal(form_set_load(tmpdir, &set, &d), 0);
	assert_int_equal(set->nforms, 1);
	form_set_free(set);
	clear_dir();

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = ( " GOOD_FIELD " );\n"
	    " records = { headings = [ \"Actions\" ]; field = \"act_\";\n"
	    "   parts = ( [ \"Action\" ] ); };\n};\n");
	expect_error("a.conf:6: records: field \"act_\" names no field of "
	    "this form (\"act_1\" is not defined)");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = ( " GOOD_FIELD " );\n"
	    " records = { headings = [ \"Actions\" ]; field = \"who\";\n"
	    "   parts = ( 3 ); };\n};\n");
	expect_error("a.conf:7: records: each part is a label or an array of "
	    "labels [ \"...\", ... ]");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patern = [ \"F form\" ];\n patterns = [ \"F\" ];\n"
	    " fields = ( " GOOD_FIELD " );\n};\n");
	expect_error("a.conf:4: unknown key \"patern\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"who\"; label = \"Name\";\n    requird = true; }\n );\n};\n");
	expect_error("a.conf:7: unknown key \"requird\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"who\"; label = \"Name\";\n    required = \"yes\"; }\n );\n};\n");
	expect_error("a.conf:7: \"required\" must be true or false");

	put("a.conf", "form = {\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = ( " GOOD_FIELD " );\n};\n");
	expect_error("a.conf:1: missing required key \"id\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " fields = ( " GOOD_FIELD " );\n};\n");
	expect_error("a.conf:1: missing required key \"patterns\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ ];\n fields = ( " GOOD_FIELD " );\n};\n");
	expect_error("a.conf:4: patterns is empty");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n};\n");
	expect_error("a.conf:1: missing required key \"fields\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = { a = 1; };\n};\n");
	expect_error("a.conf:5: \"fields\" must be a list");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"who\"; label = \"Name\"; },\n"
	    "  { name = \"who\"; label = \"Other\"; }\n );\n};\n");
	expect_error("a.conf:7: field \"who\" is defined twice (first at line 6)");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"when\"; label = \"Date\";\n    type = \"dat\"; }\n );\n};\n");
	expect_error("a.conf:7: field \"when\": unknown type \"dat\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"when\"; label = 3; }\n );\n};\n");
	expect_error("a.conf:6: \"label\" must be a string");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"who\"; label = \"Name\";\n    after = \"nobody\"; }\n );\n};\n");
	expect_error("a.conf:7: field \"who\": after names \"nobody\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n boundaries = [ \"Name\" ];\n"
	    " fields = ( " GOOD_FIELD " );\n};\n");
	expect_error("a.conf:5: boundary \"Name\" is also a label");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"who\"; label = \"Name\"; row = \"Adult 1\"; }\n );\n};\n");
	expect_error("a.conf:6: field \"who\": a grid cell needs both");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"to\"; label = \"Agency\";\n    agency = \"sending\"; }\n );\n};\n");
	expect_error("a.conf:7: field \"to\": agency \"sending\" is not "
	    "\"raising\", \"receiving\" or \"involved\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = (\n"
	    "  { name = \"gp\"; label = \"GP\"; personal = true;\n"
	    "    agency = \"involved\"; }\n );\n};\n");
	expect_error("a.conf:7: field \"gp\": an agency field must be a text "
	    "field and not personal");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = ( " GOOD_FIELD " );\n};\n"
	    "extra = 1;\n");
	expect_error("a.conf:7: unknown key \"extra\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = = [ \"F form\" ];\n};\n");
	expect_error("a.conf:4: syntax error");

	put("a.conf", "form = {\n id = \"F Form\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = ( " GOOD_FIELD " );\n};\n");
	expect_error("a.conf:2: form id \"F Form\"");

	put("a.conf", "form = {\n id = \"f\";\n title = \"F\";\n"
	    " patterns = [ \"F form\" ];\n fields = ( " GOOD_FIELD " );\n};\n");
	put("b.conf", "# the same id again\nform = {\n id = \"f\";\n title = \"G\";\n"
	    " patterns = [ \"G form\" ];\n fields = ( " GOOD_FIELD " );\n};\n");
	expect_error("b.conf:3: form id \"f\" is already defined in");

	/* An empty folder is an error too. */
	{
		char *out = NULL;
		size_t outlen = 0;
		struct diag d2 = { 0, NULL };

		d2.out = open_memstream(&out, &outlen);
		assert_int_equal(form_set_load(tmpdir, &set, &d2), -1);
		fclose(d2.out);
		assert_non_null(strstr(out, "no form files"));
		form_set_free(set);
		free(out);
	}
	rmdir(tmpdir);
	/* So is a missing one. */
	{
		struct diag d2 = { 0, NULL };

		d2.out = fopen("/dev/null", "w");
		assert_int_equal(form_set_load("/nonexistent/forms", &set, &d2), -1);
		assert_non_null(set);
		assert_int_equal(set->nforms, 0);
		form_set_free(set);
		fclose(d2.out);
	}
}

/* Hostile input: large, repetitive, unterminated; must stay fast. */
static void
test_hostile(void **state)
{
	static const char *const chunks[] = {
		"Name of Individual:\t", "(", "Date:\n", "\t\t\t\t", "Summary of ",
		"Date\n", "a\n", "Adult at risk 1\t", "1\t", "Name:\tAddress:\n",
	};
	size_t n = 1 << 18;
	char *big = xmalloc(n + 1);
	clock_t t0 = clock();

	(void)state;
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		size_t len = strlen(chunks[c]);

		for (size_t i = 0; i < n; i++)
			big[i] = chunks[c][i % len];
		big[n] = '\0';
		for (size_t f = 0; f < forms->nforms; f++) {
			struct form_result *r = form_extract(&forms->forms[f], big);

			form_result_free(r);
		}
		(void)form_recognise(forms, big);
	}
	/* One long line without a newline. */
	memset(big, 'x', n);
	big[n] = '\0';
	form_result_free(extract("twsp-referral", big));
	free(big);
	/* Linear work is well under a second; this only catches blow-ups
	 * (and leaves room for valgrind). */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 60.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_recognise),
		cmocka_unit_test(test_twsp_layouts),
		cmocka_unit_test(test_wsab_layouts),
		cmocka_unit_test(test_grid_rows),
		cmocka_unit_test(test_instruction_text),
		cmocka_unit_test(test_longest_label),
		cmocka_unit_test(test_quoted_and_signature),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_yesno),
		cmocka_unit_test(test_nhs),
		cmocka_unit_test(test_email_phone),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_other_samples),
		cmocka_unit_test(test_planned_action_layouts),
		cmocka_unit_test(test_grid_one_cell_a_line),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
