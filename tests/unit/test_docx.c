/*
 * test_docx: Word .docx attachments to form text -- the fixtures of
 * tests/fixtures/docx/ (made by tests/tools/make-docx.py): the TWSP referral
 * and the WSAB pro-formas read through form_recognise / form_extract with
 * the real rules/forms, check boxes and struck options as yes / no, merged
 * and nested cells, the exact layout of every construct, and the files that
 * must be refused with the right reason: zip bombs (declared and lying),
 * external entities, not a zip, no document part, damaged.  Run from the
 * repository root.
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
#include "form.h"
#include "util.h"
#include "worker.h"

#define UNIT_WITH_FORMS
#include "unit.h"

#define FIXTURES	"tests/fixtures/docx/"


static char *
fixture(const char *name, size_t *lenp)
{
	char *path = xasprintf(FIXTURES "%s", name), *data;

	if (file_read_all(path, &data, lenp) != 0)
		fail_msg("cannot read %s (run tests/tools/make-docx.py)", path);
	free(path);
	return data;
}

/* The text of a fixture, which must be read. */
static char *
text_of(const char *name, const struct docx_limits *lim)
{
	char err[256] = "", *data, *text = NULL;
	size_t len;
	int rc;

	data = fixture(name, &len);
	rc = docx_to_text(data, len, lim, &text, err, sizeof(err));
	free(data);
	if (rc != 0)
		fail_msg("%s: %s", name, err);
	assert_non_null(text);
	return text;
}

/* A fixture that must be refused: the reason must start with `why`. */
static void
refused(const char *name, const struct docx_limits *lim, const char *why)
{
	char err[256] = "", *data, *text = (char *)1;
	size_t len;

	data = fixture(name, &len);
	assert_int_equal(docx_to_text(data, len, lim, &text, err, sizeof(err)),
	    -1);
	assert_null(text);
	free(data);
	if (strncmp(err, why, strlen(why)) != 0)
		fail_msg("%s: reason \"%s\", wanted \"%s...\"", name, err, why);
}

static const char *
value(const struct form_result *r, const char *name)
{
	return form_result_get(r, name);
}

static void
assert_no_problems(const struct form_result *r)
{
	for (size_t i = 0; i < r->nproblems; i++)
		fail_msg("%s: %s (%s)", r->problems[i].def->name,
		    r->problems[i].reason,
		    r->problems[i].raw ? r->problems[i].raw : "missing");
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
test_twsp_referral(void **state)
{
	char *text = text_of("twsp-referral.docx", NULL);
	const struct form_def *def;
	struct form_result *r;
	const char *v;

	(void)state;
	def = form_recognise(forms, text);
	assert_non_null(def);
	assert_string_equal(def->id, "twsp-referral");
	r = form_extract(def, text);
	assert_no_problems(r);
	assert_string_equal(value(r, "client_ref"), "TW-123456");
	assert_string_equal(value(r, "date"), "2026-02-01");	/* date picker */
	assert_string_equal(value(r, "individual_name"), "Alex Example");
	assert_string_equal(value(r, "dob"), "2015-02-01");
	assert_string_equal(value(r, "nhs_number"), "9434765919");
	assert_string_equal(value(r, "agency_team"),
	    "Telford & Wrekin Council, Family Safeguarding Team");
	assert_string_equal(value(r, "gp"),	/* a content control */
	    "Dr Sam Sample, Example Road Surgery");
	assert_string_equal(value(r, "requested_action"),
	    "A strategy discussion to be convened by Friday 6 February 2026.");
	/* Two paragraphs of the value cell, and the next row's under the
	 * label merged over both rows; the printed instruction is not part
	 * of the answer. */
	v = value(r, "concerns");
	assert_non_null(v);
	assert_non_null(strstr(v, "Alex has missed three health appointments"));
	assert_non_null(strstr(v, "\nStage 1: practitioners spoke"));
	assert_non_null(strstr(v, "\nStage 2: the line managers met"));
	assert_null(strstr(v, "It is important"));
	/* The placeholder of the empty Response control is no answer. */
	assert_null(value(r, "response"));
	assert_null(strstr(text, "Click or tap"));
	assert_null(value(r, "response_date"));
	/* A value spanning three columns is there once, on its label's row. */
	assert_int_equal(count(text, "Alex Example"), 1);
	assert_non_null(strstr(text, "Name of Individual:\tAlex Example\n"));
	assert_non_null(strstr(text, "Date of Birth:\t01/02/2015\tNHS Number:\t"
	    "943 476 5919\n"));
	form_result_free(r);
	free(text);
}

static void
test_wsab_resolved(void **state)
{
	char *text = text_of("wsab-resolved.docx", NULL);
	const struct form_def *def;
	struct form_result *r;

	(void)state;
	/* What the boxes and strikes become: a Yes / No pair of boxes is
	 * the word of the ticked one. */
	assert_non_null(strstr(text, "(Please circle)\tYes / ~~No~~\n"));
	assert_non_null(strstr(text, "staff training?\tYes\n"));
	assert_non_null(strstr(text, "procedure?\tNo\n"));
	assert_non_null(strstr(text, "Service?\tYes\n"));
	assert_null(strstr(text, "[x]"));
	assert_null(strstr(text, "[ ]"));
	/* The glyph inside a check box control is not read twice. */
	assert_null(strstr(text, "\xe2\x98\x92"));
	assert_null(strstr(text, "\xe2\x98\x90"));
	/* Nor are legacy check boxes' field codes. */
	assert_null(strstr(text, "FORMCHECKBOX"));

	def = form_recognise(forms, text);
	assert_non_null(def);
	assert_string_equal(def->id, "wsab-resolved");
	r = form_extract(def, text);
	assert_no_problems(r);
	assert_string_equal(value(r, "unique_id"), "ASC-000123");
	assert_string_equal(value(r, "level_resolved"), "Level 3");
	assert_string_equal(value(r, "lessons_learned"), "yes");  /* ~~No~~ */
	assert_string_equal(value(r, "staff_training"), "yes");   /* w14 */
	assert_string_equal(value(r, "protocol_review"), "no");   /* checked */
	assert_string_equal(value(r, "inform_commissioner"), "yes"); /* default */
	assert_string_equal(value(r, "commissioner_service"),
	    "Example Care Ltd (home care)");
	assert_string_equal(value(r, "completed_date"), "2026-03-20");
	assert_string_equal(value(r, "completed_by"), "Sam Sample");
	form_result_free(r);
	free(text);
}

/* What form.c makes of the marks docx writes (its yes / no contract). */
static void
test_yesno_marks(void **state)
{
	static const struct {
		const char	*in;
		int		 yes;
	} ok[] = {
		{ "Yes [x] No [ ]", 1 }, { "Yes [ ] No [x]", 0 },
		{ "[x] Yes [ ] No", 1 }, { "[ ] Yes [x] No", 0 },
		{ "Yes [x]; No [ ]", 1 }, { "[ ] Yes; [x] No", 0 },
		{ "Yes / ~~No~~", 1 }, { "~~Yes~~ / No", 0 },
		{ "Yes; ~~No~~", 1 }, { "~~Yes~~; No", 0 },
	};
	int yes;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		yes = -1;
		if (form_parse_yesno(ok[i].in, &yes) != 0 || yes != ok[i].yes)
			fail_msg("\"%s\" read as %d", ok[i].in, yes);
	}
	assert_int_not_equal(form_parse_yesno("Yes [ ] No [ ]", &yes), 0);
}

static void
test_wsab_proforma_merged(void **state)
{
	char *text = text_of("wsab-proforma.docx", NULL);
	const struct form_def *def;
	struct form_result *r;

	(void)state;
	/* The address merged over two rows is the second row's address too,
	 * and the date of birth stays in its column. */
	assert_non_null(strstr(text, "Adult at risk 2\tSam Example\t"
	    "1 Example Street, Wigan WN1 0XX\t03/04/1952\n"));
	assert_int_equal(count(text, "1 Example Street"), 2);
	def = form_recognise(forms, text);
	assert_non_null(def);
	assert_string_equal(def->id, "wsab-proforma");
	r = form_extract(def, text);
	assert_no_problems(r);
	assert_string_equal(value(r, "adult1_name"), "Alex Example");
	assert_string_equal(value(r, "adult1_address"),
	    "1 Example Street, Wigan WN1 0XX");
	assert_string_equal(value(r, "adult1_dob"), "1950-02-01");
	assert_string_equal(value(r, "adult2_name"), "Sam Example");
	assert_string_equal(value(r, "adult2_address"),
	    "1 Example Street, Wigan WN1 0XX");
	assert_string_equal(value(r, "adult2_dob"), "1952-04-03");
	assert_null(value(r, "adult3_name"));
	/* From the table nested in a frame. */
	assert_string_equal(value(r, "concerns_analysis"),
	    "Alex has had four falls in six weeks and is refusing personal "
	    "care.\nDistrict nurses report pressure damage.");
	assert_non_null(value(r, "reason"));
	assert_string_equal(value(r, "resolution_required"),
	    "A capacity assessment with an agreed lead within 5 working days.");
	form_result_free(r);
	free(text);
}

/* Every construct, compared with the text tests/tools/make-docx.py gives. */
static void
test_layout(void **state)
{
	char *text = text_of("layout.docx", NULL), *want;
	size_t len;

	(void)state;
	want = fixture("layout.txt", &len);
	assert_string_equal(text, want);
	free(want);
	free(text);
}

/* Word as Word writes it (make-docx.py word_features()): text boxes read
 * once, list numbers as Word draws them, cells merged downwards repeated,
 * a nested table kept in its cell, a cell's TABs as spaces, a Yes / No
 * pair of tick boxes as its answer -- compared exactly. */
static void
test_word_features(void **state)
{
	char *text = text_of("word-features.docx", NULL), *want;
	size_t len;

	(void)state;
	want = fixture("word-features.txt", &len);
	assert_string_equal(text, want);
	free(want);
	/* The DrawingML box and its VML fallback: once. */
	assert_int_equal(count(text, "Dr Sam Sample"), 1);
	free(text);
}

/* Exactly these fields and no others (NULL-terminated name, value pairs). */
static void
assert_fields(const struct form_result *r, const char *const *kv)
{
	size_t n = 0;

	assert_no_problems(r);
	for (; kv[n * 2] != NULL; n++) {
		const char *v = value(r, kv[n * 2]);

		if (v == NULL || strcmp(v, kv[n * 2 + 1]) != 0)
			fail_msg("%s: \"%s\", wanted \"%s\"", kv[n * 2],
			    v ? v : "(none)", kv[n * 2 + 1]);
	}
	for (size_t i = 0; i < r->nvalues; i++) {
		size_t k;

		for (k = 0; kv[k * 2] != NULL; k++)
			if (strcmp(kv[k * 2], r->values[i].def->name) == 0)
				break;
		if (kv[k * 2] == NULL)
			fail_msg("unexpected %s: \"%s\"", r->values[i].def->name,
			    r->values[i].value);
	}
	assert_int_equal(r->nvalues, n);
}

/* The Telford referral as its seed lays it out, filled in Word: answers
 * in text boxes, the concerns a numbered list in the full-width cell
 * under their label. */
static void
test_twsp_referral_word(void **state)
{
	static const char *const want[] = {
		"client_ref", "TW-654321",
		"date", "2026-02-02",
		"individual_name", "Casey Example",
		"dob", "2016-03-14",
		"nhs_number", "9434765919",
		"agency_team", "Telford & Wrekin Council, Early Help",
		"gp", "Dr Sam Sample, Example Road Surgery",	/* text box */
		"concerns", "1. Casey has missed school for three weeks.\n"
		    "2. Stage 1: spoke on 20/01/2026; no agreement.\n"
		    "3. Stage 2: managers met on 27/01/2026.",
		"requested_action", "A multi-agency meeting by 06/02/2026.",
		NULL
	};
	char *text = text_of("twsp-referral-word.docx", NULL);
	const struct form_def *def;
	struct form_result *r;

	(void)state;
	def = form_recognise(forms, text);
	assert_non_null(def);
	assert_string_equal(def->id, "twsp-referral");
	r = form_extract(def, text);
	assert_fields(r, want);
	form_result_free(r);
	free(text);
}

/* The WSAB Appendix 4 meeting record: the numbered No column gives the
 * actions' numbers, the owner merged down is the second action's owner
 * too, the attendees' nested table stays in its cell, a TAB typed in an
 * action does not move its owner. */
static void
test_wsab_meeting(void **state)
{
	static const char *const want[] = {
		"meeting_no", "2",
		"adult_name", "Alex Example",
		"dob", "1950-02-01",
		"meeting_date", "2026-03-03",
		"next_meeting_date", "2026-03-17",
		/* The nested table's cells are joined with "; " in its
		 * cell; an answer alone in its row keeps its semicolons as
		 * written (only a row of several cells has them made
		 * commas, so that it never splits the row). */
		"attendees", "Jo Sample; ASC; Sam Sample; GMMH",
		"apologies", "Chris Sample (GMP)",
		"action_1", "Capacity assessment; ASC, Sam Sample; "
		    "Decide on personal care; 10/03/2026",
		"action_2", "Care plan review; ASC, Sam Sample; "
		    "Agree the plan; 12/03/2026",
		"action_3", "Pressure care review; WWL, Chris Sample; "
		    "Reduce pressure damage; 13/03/2026",
		NULL
	};
	char *text = text_of("wsab-meeting.docx", NULL);
	const struct form_def *def;
	struct form_result *r;

	(void)state;
	def = form_recognise(forms, text);
	assert_non_null(def);
	assert_string_equal(def->id, "wsab-meeting");
	r = form_extract(def, text);
	assert_fields(r, want);
	form_result_free(r);
	free(text);
}

/* The main part is where _rels/.rels says. */
static void
test_main_part_from_rels(void **state)
{
	char *text = text_of("document2.docx", NULL);

	(void)state;
	assert_string_equal(text, "Moved main part\n");
	free(text);
}

static void
test_bombs(void **state)
{
	struct docx_limits lim = docx_default_limits;
	char *text;

	(void)state;
	/* 20 MiB of one letter in 20 KiB: refused before inflating. */
	refused("bomb.docx", NULL, "compression ratio over 100: refused as a "
	    "zip bomb");
	lim.max_ratio = 5000;
	refused("bomb.docx", &lim, "document larger than 16777216 bytes when "
	    "unpacked");
	/* With room for it, it is an ordinary (if dull) document. */
	lim.max_unpacked = 21 * 1024 * 1024;
	text = text_of("bomb.docx", &lim);
	assert_true(strlen(text) > 20 * 1000 * 1000);
	assert_int_equal(strncmp(text, "Zip bomb\nAAAA", 13), 0);
	free(text);
	/* The directory says 1000 bytes; reading stops at byte 1001. */
	refused("bomb-lying.docx", NULL, "damaged");
	refused("bomb-lying.docx", &lim, "damaged");
}

static void
test_external_entities(void **state)
{
	char err[256] = "", *data, *text = NULL;
	size_t len;

	(void)state;
	refused("xxe.docx", NULL, "damaged: word/document.xml has a DOCTYPE");
	data = fixture("xxe.docx", &len);
	assert_int_equal(docx_to_text(data, len, NULL, &text, err,
	    sizeof(err)), -1);
	assert_null(strstr(err, "root:"));
	free(data);
}

static void
test_bad_files(void **state)
{
	static const char ole[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old .doc";
	static const char pk[] = "PK\3\4 not really a zip at all";
	char err[256], *text = NULL;

	(void)state;
	refused("not-zip.docx", NULL, "not a Word .docx file");
	refused("no-document.docx", NULL, "not a Word .docx file (no "
	    "word/document.xml");
	refused("not-word.docx", NULL, "not a Word .docx file");
	refused("truncated.docx", NULL, "damaged");
	refused("deep-tables.docx", NULL, "damaged: tables nested");

	assert_int_equal(docx_to_text(ole, sizeof(ole) - 1, NULL, &text, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "not a Word .docx file (an older .doc, or a "
	    "password-protected document)");
	assert_int_equal(docx_to_text(pk, sizeof(pk) - 1, NULL, &text, err,
	    sizeof(err)), -1);
	assert_int_equal(strncmp(err, "damaged", 7), 0);
	assert_int_equal(docx_to_text("", 0, NULL, &text, err, sizeof(err)),
	    -1);
	assert_int_equal(docx_to_text(NULL, 0, NULL, &text, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "not a Word .docx file");
	/* No room for a reason is fine. */
	assert_int_equal(docx_to_text(pk, sizeof(pk) - 1, NULL, &text, NULL,
	    0), -1);
	assert_null(text);
	/* A reason cut to the buffer. */
	assert_int_equal(docx_to_text(ole, sizeof(ole) - 1, NULL, &text, err,
	    6), -1);
	assert_string_equal(err, "not a");
}

static void
test_limits(void **state)
{
	struct docx_limits lim = { 0, 0, 0 };
	char *text;

	(void)state;
	/* Zero fields are the defaults. */
	text = text_of("twsp-referral.docx", &lim);
	assert_non_null(strstr(text, "Alex Example"));
	free(text);
	lim.max_unpacked = 100;
	refused("twsp-referral.docx", &lim, "document larger than 100 bytes "
	    "when unpacked");
	lim.max_unpacked = 0;
	/* [Content_Types].xml, _rels/.rels, word/document.xml */
	lim.max_entries = 2;
	refused("twsp-referral.docx", &lim, "more than 2 files in the .docx");
	lim.max_entries = 3;
	text = text_of("twsp-referral.docx", &lim);
	free(text);
	/* The ratio is not held against small parts. */
	lim.max_ratio = 1;
	text = text_of("twsp-referral.docx", &lim);
	free(text);
	assert_int_equal(docx_default_limits.max_unpacked, 16 * 1024 * 1024);
	assert_int_equal(docx_default_limits.max_ratio, 100);
	assert_int_equal(docx_default_limits.max_entries, 1000);
}

static void
test_is_docx(void **state)
{
	char *data;
	size_t len;

	(void)state;
	assert_int_equal(docx_is_docx(NULL, DOCX_CONTENT_TYPE, NULL, 0), 1);
	assert_int_equal(docx_is_docx(NULL, "Application/VND.openxmlformats-"
	    "officedocument.wordprocessingml.document; name=\"form.docx\"",
	    NULL, 0), 1);
	assert_int_equal(docx_is_docx(NULL, DOCX_CONTENT_TYPE ".main+xml",
	    NULL, 0), 0);
	assert_int_equal(docx_is_docx("Referral Form.DOCX", NULL, NULL, 0), 1);
	assert_int_equal(docx_is_docx("form.docx ", "application/octet-stream",
	    NULL, 0), 1);
	assert_int_equal(docx_is_docx("form.doc", "application/msword", NULL,
	    0), 0);
	assert_int_equal(docx_is_docx(".docx", NULL, NULL, 0), 0);
	assert_int_equal(docx_is_docx("form.pdf", "application/pdf", "%PDF-1.7",
	    8), 0);
	assert_int_equal(docx_is_docx(NULL, NULL, NULL, 0), 0);

	data = fixture("twsp-referral.docx", &len);
	assert_int_equal(docx_is_docx("attachment.bin",
	    "application/octet-stream", data, len), 1);
	free(data);
	data = fixture("document2.docx", &len);
	assert_int_equal(docx_is_docx(NULL, NULL, data, len), 1);
	free(data);
	data = fixture("no-document.docx", &len);
	assert_int_equal(docx_is_docx(NULL, NULL, data, len), 0);
	free(data);
	data = fixture("not-zip.docx", &len);
	assert_int_equal(docx_is_docx(NULL, NULL, data, len), 0);
	free(data);
}

/* Through a worker child (worker.h; this program has the plugin linked
 * in): the same text as in-process, the same refusals. */
static void
test_worker_reads_like_in_process(void **state)
{
	char err[256] = "", *data, *text = NULL, *want;
	size_t len;

	(void)state;
	want = text_of("twsp-referral.docx", NULL);
	data = fixture("twsp-referral.docx", &len);
	assert_int_equal(worker_docx_to_text(data, len, NULL, 30, &text, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(text, want);
	free(text);
	free(data);
	free(want);

	data = fixture("bomb.docx", &len);
	text = (char *)1;
	assert_int_equal(worker_docx_to_text(data, len, NULL, 30, &text, err,
	    sizeof(err)), -1);
	assert_null(text);
	assert_non_null(strstr(err, "zip bomb"));
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twsp_referral),
		cmocka_unit_test(test_wsab_resolved),
		cmocka_unit_test(test_yesno_marks),
		cmocka_unit_test(test_wsab_proforma_merged),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_word_features),
		cmocka_unit_test(test_twsp_referral_word),
		cmocka_unit_test(test_wsab_meeting),
		cmocka_unit_test(test_main_part_from_rels),
		cmocka_unit_test(test_bombs),
		cmocka_unit_test(test_external_entities),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_is_docx),
		cmocka_unit_test(test_worker_reads_like_in_process),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
