/*
 * form: recognises which of the partnership's forms (formdef.h) a message
 * carries and extracts its fields.
 *
 * Text layouts understood (what copying a Word form into an email gives):
 *  - "Label: value" on one line (also "Label<TAB>value", and several
 *    label/value cells on one line separated by tabs, as a pasted table row);
 *  - the label on its own line and the answer on the lines after it, up to
 *    the next known label.
 * Labels are matched ignoring case, punctuation, repeated spaces and a
 * trailing "(if applicable)"-style parenthesis.
 *
 * Only the sender's own text is read: reading stops at quoted history,
 * a forwarded header block or a "-- " signature (quote.h), and once a
 * label has been read, at a sign-off line such as "Kind regards".
 * Recognition only looks at the text before quoted history too, so a
 * reply that merely quotes a form is not taken for a new one.
 *
 * A result and everything hanging from it is the caller's: free it with
 * form_result_free().  Its def pointers point into the form set, which
 * must outlive it.
 */
#ifndef ESCBOT_FORM_H
#define ESCBOT_FORM_H

#include <stddef.h>

#include "formdef.h"

struct form_value {
	const struct form_field_def *def;
	char	*value;		/* normalised: dates YYYY-MM-DD, yes/no as
				   "yes"/"no", NHS digits only; trimmed text */
	char	*raw;		/* as written */
};

struct form_problem {
	const struct form_field_def *def;
	char	*reason;	/* "missing", or why the value is unreadable */
	char	*raw;		/* as written; NULL when missing */
};

struct form_result {
	const struct form_def	*def;
	struct form_value	*values;	/* fields found, in form order */
	size_t			 nvalues;
	struct form_problem	*problems;	/* required missing / invalid */
	size_t			 nproblems;
};

/* The form whose title pattern appears in text (case-insensitive), or NULL.
 * When several match, the one whose pattern occurs first wins. */
const struct form_def *form_recognise(const struct form_set *, const char *text);

/* Extract the fields of `def` from UTF-8 text.  Always returns a result
 * (caller frees); problems lists each required field missing and each field
 * whose value could not be read for its type. */
struct form_result *form_extract(const struct form_def *, const char *text);
void	form_result_free(struct form_result *);
/* Normalised value of a field by name, or NULL. */
const char *form_result_get(const struct form_result *, const char *name);

#endif
