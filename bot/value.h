/*
 * value: the types of a form's answers, read as people write them and
 * normalised.  Each reader takes a NUL-terminated string; strings
 * returned through char ** are the caller's to free, char[11] outputs are
 * the caller's buffers, reasons are static.
 */
#ifndef ESCBOT_VALUE_H
#define ESCBOT_VALUE_H

enum form_field_type {
	FIELD_TEXT,
	FIELD_DATE,	/* UK dates: 1/2/2026, 01.02.26, 1 February 2026 */
	FIELD_YESNO,	/* yes / no, "Yes / No" with one struck or circled */
	FIELD_EMAIL,
	FIELD_PHONE,
	FIELD_NHS,	/* 10 digits with a valid mod-11 check digit */
};

/* "text", "date", "yesno", "email", "phone", "nhs". */
const char *form_type_name(enum form_field_type);
/* The type called name (as form_type_name): 0, or -1 when none is. */
int	form_type_parse(const char *name, enum form_field_type *);

/* Normalise one answer as form_extract does: 0 and *value (caller frees),
 * or -1 and *reason: a static phrase for the sender that follows the label
 * ("Date of Birth: is not a real date (check the day and month)"). */
int	form_normalise(enum form_field_type, const char *raw, char **value,
	    const char **reason);
/* Is `in` nothing but an answer of the type, valid or not (a date that is
 * not a real one, both Yes and No, a wrong NHS check digit)?  1 or 0;
 * always 0 for text.  How "DOB 14/03/2016" is told from "Date of the
 * next visit". */
int	form_value_looks(enum form_field_type, const char *in);

/* Value checks, exposed for tests and for the CLI. 0 valid, -1 not. */
int	form_parse_date(const char *in, char out[11]);	/* -> YYYY-MM-DD */
int	form_parse_yesno(const char *in, int *yes);
int	form_check_nhs(const char *in, char out[11]);
/* Lower-cased addr-spec from "a@b.c", "<a@b.c>", "Name <a@b.c>". */
int	form_parse_email(const char *in, char **out);
/* UK number as digits, "01942828777", "+44 (0)1942 828777" -> the same;
 * "ext 123" kept as " ext 123"; other countries as "+<digits>". */
int	form_parse_phone(const char *in, char **out);

#endif
