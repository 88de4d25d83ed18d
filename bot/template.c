/*
 * template: a deliberately small substitution language.  Emails about
 * children and adults at risk are written by the partnership, not by
 * escbot's authors, so the words live in files; the language can only
 * insert values and keep or drop a section, which keeps what a template can
 * do easy to review.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

const char *const template_variables[] = {
	"ref", "protocol", "protocol_name", "form", "form_title",
	"stage_number", "stage_name", "stage_expects", "next_stage_name",
	"due_words", "due_iso", "due_date", "opened_words", "raiser_name",
	"raiser_email", "urgent", "urgent_instruction", "urgent_timescale",
	"note", "actor",
	"fields", "problems", "formats", "mailbox", "status", "level",
	"agencies", "subject", "blank_forms", "case_context", "raising_agency",
	"receiving_agencies", "agencies_recognised", "agencies_unrecognised",
	"stage_history", "answers", "form_records", "duties", "stage_contacts",
	NULL
};

const char *const template_names[] = {
	"ack", "reject", "no-form", "reminder", "escalation", "chase",
	"paused", "resumed", "extended", "resolved", "pause-reminder",
	"command-refused", "updated", "unmatched", "action-reminder",
	"action-chase", "meeting-reminder", "admin-alert", "noted", "timescale",
	"urgent", "agency-unresolved", "agencies", "stage-start", "debrief",
	"forms-copy", "completed", NULL
};

void
tvars_set(struct tvars *v, const char *name, const char *value)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->names[i], name) == 0) {
			free(v->values[i]);
			v->values[i] = xstrdup(value ? value : "");
			return;
		}
	v->names = xreallocarray(v->names, v->n + 1, sizeof(char *));
	v->values = xreallocarray(v->values, v->n + 1, sizeof(char *));
	v->names[v->n] = xstrdup(name);
	v->values[v->n++] = xstrdup(value ? value : "");
}

void
tvars_setf(struct tvars *v, const char *name, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;
	char *s;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	s = sb_steal(&sb);
	tvars_set(v, name, s);
	free(s);
}

const char *
tvars_get(const struct tvars *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->names[i], name) == 0)
			return v->values[i];
	return NULL;
}

void
tvars_free(struct tvars *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->names[i]);
		free(v->values[i]);
	}
	free(v->names);
	free(v->values);
	memset(v, 0, sizeof(*v));
}

static int
known_variable(const char *name)
{
	for (const char *const *p = template_variables; *p; p++)
		if (strcmp(*p, name) == 0)
			return 1;
	return 0;
}

static void
add_escaped(struct strbuf *sb, const char *s, int html)
{
	if (!html) {
		sb_adds(sb, s);
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '&': sb_adds(sb, "&amp;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&#39;"); break;
		case '\n': sb_adds(sb, "<br>\n"); break;
		default: sb_addc(sb, *s);
		}
	}
}

static int
line_of(const char *start, const char *p, int first)
{
	int line = first;

	for (; start < p; start++)
		if (*start == '\n')
			line++;
	return line;
}

static int expand(const char *, int, const struct tvars *, int,
    const char *, const char *, struct strbuf *, char *, size_t);

/*
 * {{> NAME}} in an HTML template: the shared part DIR/NAME.part.html,
 * expanded with the same values (a part holds no further part; its
 * mistakes are reported at its own file and line).
 */
static int
expand_part(const char *name, const struct tvars *v, const char *dir,
    struct strbuf *sb, const char *file, int line, char *err, size_t errlen)
{
	char *path = NULL, *src = NULL;
	int rc = -1;

	if (dir == NULL) {
		snprintf(err, errlen, "%s:%d: {{> %s}}: only an HTML template "
		    "includes parts (not a text template, not a part)", file,
		    line, name);
		return -1;
	}
	if (*name == '\0' || strlen(name) > 32 ||
	    name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-")]) {
		snprintf(err, errlen, "%s:%d: bad part {{> %s}}: a name of lower "
		    "case letters, digits and -", file, line, name);
		return -1;
	}
	path = xasprintf("%s/%s.part.html", dir, name);
	if (file_read_all(path, &src, NULL) == -1) {
		snprintf(err, errlen, "%s:%d: cannot read %s", file, line,
		    path);
		goto done;
	}
	rc = expand(src, 1, v, 1, path, NULL, sb, err, errlen);
done:
	free(src);
	free(path);
	return rc;
}

static int
expand_file(const char *tmpl, int first, const struct tvars *v, int html,
    const char *file, const char *dir, char **out, char *err, size_t errlen)
{
	struct strbuf sb = { 0 };

	*out = NULL;
	if (expand(tmpl, first, v, html, file, dir, &sb, err, errlen) == -1) {
		sb_reset(&sb);
		return -1;
	}
	*out = sb_steal(&sb);
	return 0;
}

/* tmpl (whose first line is line `first` of file) into sb; parts from dir
 * (NULL: none allowed). */
static int
expand(const char *tmpl, int first, const struct tvars *v, int html,
    const char *file, const char *dir, struct strbuf *out, char *err,
    size_t errlen)
{
	const char *p = tmpl, *open, *close, *val;
	char name[64];
	/* Section stack: whether output is on at each level. */
	int on[16], depth = 0;
	char names[16][64];
	size_t n;

	on[0] = 1;
	while ((open = strstr(p, "{{")) != NULL) {
		if (on[depth])
			sb_add(out, p, (size_t)(open - p));
		if ((close = strstr(open + 2, "}}")) == NULL) {
			snprintf(err, errlen, "%s:%d: \"{{\" without \"}}\"", file,
			    line_of(tmpl, open, first));
			goto fail;
		}
		n = (size_t)(close - open - 2);
		if (n == 0 || n >= sizeof(name)) {
			snprintf(err, errlen, "%s:%d: bad variable", file,
			    line_of(tmpl, open, first));
			goto fail;
		}
		memcpy(name, open + 2, n);
		name[n] = '\0';
		str_trim(name);
		p = close + 2;
		if (name[0] == '>') {
			/* A shared part, in the section it stands in. */
			if (on[depth] && expand_part(str_trim(name + 1), v, dir,
			    out, file, line_of(tmpl, open, first), err,
			    errlen) == -1)
				return -1;
			continue;
		}
		if (name[0] == '#' || name[0] == '^') {
			if (!known_variable(name + 1))
				goto unknown;
			if (depth + 1 >= (int)(sizeof(on) / sizeof(on[0]))) {
				snprintf(err, errlen, "%s:%d: sections nested too deep",
				    file, line_of(tmpl, open, first));
				goto fail;
			}
			val = tvars_get(v, name + 1);
			depth++;
			on[depth] = on[depth - 1] && ((val && *val) == (name[0] == '#'));
			snprintf(names[depth], sizeof(names[depth]), "%s", name + 1);
			/* A section tag alone on its line leaves no blank line. */
			if (*p == '\n' && (open == tmpl || open[-1] == '\n'))
				p++;
			continue;
		}
		if (name[0] == '/') {
			if (depth == 0 || strcmp(names[depth], name + 1) != 0) {
				snprintf(err, errlen, "%s:%d: {{%s}} closes no open section",
				    file, line_of(tmpl, open, first), name);
				goto fail;
			}
			depth--;
			if (*p == '\n' && (open == tmpl || open[-1] == '\n'))
				p++;
			continue;
		}
		if (!known_variable(name))
			goto unknown;
		if (on[depth] && (val = tvars_get(v, name)) != NULL)
			add_escaped(out, val, html);
	}
	if (depth != 0) {
		snprintf(err, errlen, "%s: section {{#%s}} is never closed", file,
		    names[depth]);
		goto fail;
	}
	if (on[0])
		sb_adds(out, p);
	return 0;
unknown:
	snprintf(err, errlen, "%s:%d: unknown variable {{%s}}", file,
	    line_of(tmpl, open, first), name);
fail:
	return -1;
}

void
rendered_free(struct rendered *r)
{
	free(r->subject);
	free(r->text);
	free(r->html);
	memset(r, 0, sizeof(*r));
}

int
template_render(const char *dir, const char *name, const struct tvars *v,
    struct rendered *out, char *err, size_t errlen)
{
	char *path = NULL, *src = NULL, *body, *subj = NULL, *eol;

	memset(out, 0, sizeof(*out));
	path = xasprintf("%s/%s.txt", dir, name);
	if (file_read_all(path, &src, NULL) == -1) {
		snprintf(err, errlen, "%s: cannot read template", path);
		goto fail;
	}
	if (strncmp(src, "Subject:", 8) != 0 ||
	    (eol = strchr(src, '\n')) == NULL) {
		snprintf(err, errlen, "%s:1: must start with \"Subject: \"", path);
		goto fail;
	}
	*eol = '\0';
	body = eol + 1;
	if (*body == '\n')
		body++;
	else if (*body != '\0') {
		snprintf(err, errlen, "%s:2: a blank line must follow the subject",
		    path);
		goto fail;
	}
	if (expand_file(src + 8, 1, v, 0, path, NULL, &subj, err,
	    errlen) == -1 || expand_file(body, body > eol + 1 ? 3 : 2, v, 0,
	    path, NULL, &out->text, err, errlen) == -1)
		goto fail;
	/* Subjects are one header line whatever the values held. */
	out->subject = str_header_safe(subj);
	str_trim(out->subject);
	free(subj);
	subj = NULL;
	free(src);
	src = NULL;
	free(path);
	path = xasprintf("%s/%s.html", dir, name);
	if (file_read_all(path, &src, NULL) == 0 &&
	    expand_file(src, 1, v, 1, path, dir, &out->html, err, errlen) == -1)
		goto fail;
	free(src);
	free(path);
	return 0;
fail:
	free(subj);
	free(src);
	free(path);
	rendered_free(out);
	return -1;
}

int
template_check_dir(const char *dir, struct diag *d)
{
	struct tvars v = { 0 };
	struct rendered r;
	char err[512];
	int errors0 = d->errors;

	/* Every variable set, so that sections of both kinds are parsed. */
	for (const char *const *p = template_variables; *p; p++)
		tvars_set(&v, *p, "x");
	for (const char *const *n = template_names; *n; n++) {
		if (template_render(dir, *n, &v, &r, err, sizeof(err)) == -1)
			diag_error(d, err, 0, "template refused");
		else
			rendered_free(&r);
	}
	tvars_free(&v);
	return d->errors == errors0 ? 0 : -1;
}
