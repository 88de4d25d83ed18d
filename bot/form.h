/*
 * form: recognises which of the partnership's forms a message carries and
 * extracts its fields.  Forms are data: one libconfig file per form in
 * rules/forms/ (see rules/forms/README), giving the title patterns that
 * recognise it and each field's name, label, aliases, type and whether it
 * is required.  A new form is a new file, not a C change.
 *
 * Text layouts understood (what copying a Word form into an email gives):
 *  - "Label: value" on one line (also "Label<TAB>value", and several
 *    label/value cells on one line separated by tabs, as a pasted table row);
 *  - the label on its own line and the answer on the lines after it, up to
 *    the next known label.
 * Labels are matched ignoring case, punctuation, repeated spaces and a
 * trailing "(if applicable)"-style parenthesis.
 *
 * Reading stops at quoted history ("On ... wrote:", "> " lines,
 * "-----Original Message-----", a forwarded "From:/Sent:" header block),
 * at a signature delimiter "-- ", and once a label has been read, at a
 * sign-off line such as "Kind regards".  Recognition only looks at the
 * text before quoted history too, so a reply that merely quotes a form is
 * not taken for a new one.
 *
 * Array members (aliases, rows, columns, boundaries, patterns) are also
 * NULL-terminated.
 *
 * All returned memory belongs to the struct it hangs from; free with
 * form_set_free() / form_result_free().
 */
#ifndef ESCBOT_FORM_H
#define ESCBOT_FORM_H

#include <stddef.h>

#include "diag.h"

struct form_index;

enum form_field_type {
	FIELD_TEXT,
	FIELD_DATE,	/* UK dates: 1/2/2026, 01.02.26, 1 February 2026 */
	FIELD_YESNO,	/* yes / no, "Yes / No" with one struck or circled */
	FIELD_EMAIL,
	FIELD_PHONE,
	FIELD_NHS,	/* 10 digits with a valid mod-11 check digit */
};

struct form_field_def {
	char			 *name;		/* key in the case, e.g. "dob" */
	char			 *label;	/* as printed on the form */
	char			**aliases;	/* other labels people use */
	size_t			  naliases;
	enum form_field_type	  type;
	int			  required;
	int			  personal;	/* a personal identifier: never
						   in logs, digests; purged */
	char			 *example;	/* what a valid value looks like */
	/* Additions (all optional in the form file). */
	char			 *after;	/* the label only means this field
						   once field `after`'s label has been
						   seen ("Date" after "Response");
						   NULL when unset */
	char			**rows;		/* a cell of a grid: the row's names
						   ("Adult at risk 1"), NULL-terminated */
	size_t			  nrows;
	char			**columns;	/* and the column's ("Name", "D.O.B") */
	size_t			  ncolumns;
};

struct form_def {
	char			*id;		/* e.g. "twsp-referral" */
	char			*title;		/* human title for replies */
	char			**patterns;	/* any one present recognises it */
	size_t			 npatterns;
	struct form_field_def	*fields;
	size_t			 nfields;
	char			*file;		/* where it was defined */
	char			**boundaries;	/* headings that end an answer and
						   are not fields ("Signature") */
	size_t			 nboundaries;
	struct form_index	*index;		/* private to form.c: the labels
						   prepared at load (NULL: built
						   by each form_extract) */
};

struct form_set {
	struct form_def	*forms;
	size_t		 nforms;
};

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

/* Load every *.conf in dir (sorted by name).  Errors go to diag as
 * file:line; returns 0 when diag gained no errors, else -1. */
int	form_set_load(const char *dir, struct form_set **out, struct diag *);
void	form_set_free(struct form_set *);
const struct form_def *form_set_find(const struct form_set *, const char *id);

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

/* Value checks, exposed for tests and for the CLI. 0 valid, -1 not. */
int	form_parse_date(const char *in, char out[11]);	/* -> YYYY-MM-DD */
int	form_parse_yesno(const char *in, int *yes);
int	form_check_nhs(const char *in, char out[11]);

/* Additions. */
/* The field called `name` in a form, or NULL. */
const struct form_field_def *form_field_find(const struct form_def *,
	    const char *name);
/* "text", "date", "yesno", "email", "phone", "nhs". */
const char *form_type_name(enum form_field_type);
/* Normalise one answer as form_extract does: 0 and *value (caller frees),
 * or -1 and *reason: a static phrase for the sender that follows the label
 * ("Date of Birth: is not a real date (check the day and month)"). */
int	form_normalise(enum form_field_type, const char *raw, char **value,
	    const char **reason);
/* Lower-cased addr-spec from "a@b.c", "<a@b.c>", "Name <a@b.c>". */
int	form_parse_email(const char *in, char **out);
/* UK number as digits, "01942828777", "+44 (0)1942 828777" -> the same;
 * "ext 123" kept as " ext 123"; other countries as "+<digits>". */
int	form_parse_phone(const char *in, char **out);
/* Length of the part of text before quoted history or a "-- " signature
 * (the part a practitioner wrote in this message). */
size_t	form_body_len(const char *text);

#endif
