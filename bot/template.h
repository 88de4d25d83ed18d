/*
 * template: the emails escbot writes are files in mail-templates/:
 * NAME.txt (first line "Subject: ...", a blank line, then the text body)
 * and optionally NAME.html (an HTML body).  {{name}} inserts a variable;
 * {{#name}}...{{/name}} keeps its text only when the variable is set and
 * not empty, {{^name}}...{{/name}} only when it is not.  Substitution is one
 * pass: a value is never read as a template, so form contents cannot pull in
 * other variables or files.  In HTML, values are escaped, and {{> NAME}}
 * puts in the shared part NAME.part.html (the case's details), before
 * any value.
 * Returned strings are the caller's to free.
 */
#ifndef ESCBOT_TEMPLATE_H
#define ESCBOT_TEMPLATE_H

#include <stddef.h>

#include "diag.h"

struct tvars {
	char	**names;
	char	**values;
	size_t	  n;
};

void	tvars_set(struct tvars *, const char *name, const char *value);
void	tvars_setf(struct tvars *, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
const char *tvars_get(const struct tvars *, const char *name);
void	tvars_free(struct tvars *);

/* The variables a template may use (NULL-terminated). */
extern const char *const template_variables[];
/* Templates escbot needs (NULL-terminated). */
extern const char *const template_names[];

struct rendered {
	char	*subject;	/* one line, no CR/LF */
	char	*text;
	char	*html;		/* NULL when there is no NAME.html */
};

/* Render template `name` from `dir`.  0, or -1 with the reason in err
 * ("file:line: unknown variable {{x}}"). */
int	template_render(const char *dir, const char *name, const struct tvars *,
	    struct rendered *out, char *err, size_t errlen);
void	rendered_free(struct rendered *);
/* Check every template named in template_names: present, well formed,
 * only known variables.  Errors go to d; returns 0 or -1. */
int	template_check_dir(const char *dir, struct diag *);

#endif
