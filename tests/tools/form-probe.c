/*
 * form-probe: reads one Word .docx the way escbot reads an attached form
 * (bot/docx.c for its text, bot/form.c to recognise the form and take its
 * answers) and prints what it found, for tests/integration/
 * test_blank_forms.py:
 *
 *   form ID
 *   value NAME<TAB>VALUE        (normalised; a newline in it as "\n")
 *   problem NAME<TAB>REASON
 *
 * Exit status 0 when a form was recognised, 1 when none was, 2 when the
 * file could not be read, 64 for a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "docx.h"
#include "form.h"
#include "formdef.h"
#include "util.h"

static void
escaped(const char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\\')
			fputs("\\\\", stdout);
		else
			putchar(*s);
}

int
main(int argc, char **argv)
{
	struct diag d = { 0 };
	struct form_set *set = NULL;
	const struct form_def *def;
	struct form_result *r = NULL;
	char *data = NULL, *text = NULL, err[256];
	size_t len;
	int status = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: form-probe FORMS_DIR FILE.docx\n");
		return 64;
	}
	if (form_set_load(argv[1], &set, &d) == -1) {
		fprintf(stderr, "form-probe: %s: the forms do not load\n",
		    argv[1]);
		goto fail;
	}
	if (file_read_all(argv[2], &data, &len) == -1) {
		fprintf(stderr, "form-probe: cannot read %s\n", argv[2]);
		goto fail;
	}
	if (docx_to_text(data, len, NULL, &text, err, sizeof(err)) == -1) {
		fprintf(stderr, "form-probe: %s: %s\n", argv[2], err);
		goto fail;
	}
	status = 1;
	if ((def = form_recognise(set, text)) == NULL)
		goto fail;
	status = 0;
	printf("form %s\n", def->id);
	r = form_extract(def, text);
	for (size_t i = 0; i < r->nvalues; i++) {
		printf("value %s\t", r->values[i].def->name);
		escaped(r->values[i].value);
		putchar('\n');
	}
	for (size_t i = 0; i < r->nproblems; i++)
		printf("problem %s\t%s\n", r->problems[i].def->name,
		    r->problems[i].reason);
fail:
	form_result_free(r);
	free(text);
	free(data);
	form_set_free(set);
	return status;
}
