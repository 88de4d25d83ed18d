/*
 * fuzz_form: libFuzzer target for reading forms from hostile text.  The
 * input is taken as a message body: it is recognised against the forms in
 * rules/forms/ (run from the repository root) and extracted with the form
 * found and with every other form, and each value check is run on it.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE \
 *       -Ibot tests/fuzz/fuzz_form.c bot/form.c bot/formdef.c bot/value.c \
 *       bot/quote.c bot/text.c bot/cfg.c bot/util.c \
 *       bot/log.c bot/diag.c $(pkg-config --cflags --libs libconfig) \
 *       -o tests/fuzz/fuzz_form
 *   tests/fuzz/fuzz_form -max_total_time=60 -max_len=65536 etc/samples
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "quote.h"
#include "util.h"

static struct form_set *forms;

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diag d = { 0, NULL };

	(void)argc;
	(void)argv;
	if (form_set_load("rules/forms", &forms, &d) != 0 || forms->nforms == 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct form_def *def;
	char *text, *v, out[11];
	const char *why;
	int yes;

	text = xstrndup((const char *)data, size);
	def = form_recognise(forms, text);
	for (size_t i = 0; i < forms->nforms; i++) {
		const struct form_def *f = &forms->forms[i];
		struct form_result *r;

		/* The recognised form always; the others on short inputs. */
		if (f != def && size > 4096)
			continue;
		r = form_extract(f, text);
		for (size_t k = 0; k < r->nvalues; k++)
			if (r->values[k].value == NULL || r->values[k].raw == NULL ||
			    r->values[k].def == NULL)
				abort();
		for (size_t k = 0; k < r->nproblems; k++)
			if (r->problems[k].reason == NULL ||
			    r->problems[k].def == NULL)
				abort();
		form_result_free(r);
	}
	(void)quote_own_len(text);
	if (form_parse_date(text, out) == 0 && strlen(out) != 10)
		abort();
	(void)form_parse_yesno(text, &yes);
	if (form_check_nhs(text, out) == 0 && strlen(out) != 10)
		abort();
	if (form_parse_email(text, &v) == 0)
		free(v);
	if (form_parse_phone(text, &v) == 0)
		free(v);
	for (int t = FIELD_TEXT; t <= FIELD_NHS; t++)
		if (form_normalise((enum form_field_type)t, text, &v, &why) == 0)
			free(v);
	free(text);
	return 0;
}
