/*
 * records: repeated records written one part a line, rewritten a record a
 * line (records.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "text.h"
#include "util.h"
#include "value.h"

#define RECORDS_MAX	100	/* records read after one heading */
#define KIND_NUMBER	(-1)
#define KIND_NONE	(-2)

struct rec {
	int	  num;
	char	**part;		/* nparts answers; NULL: not given */
};

struct scan {
	const struct form_records *r;
	struct rec	*recs;
	size_t		 nrecs;
	int		 next;	/* the number of a record written without */
};

static char *
dup_range(const char *s, const char *e)
{
	char *t = xmalloc((size_t)(e - s) + 1);

	memcpy(t, s, (size_t)(e - s));
	t[e - s] = '\0';
	return t;
}

static int
any_label(char **labels, const char *norm)
{
	int hit = 0;

	for (size_t i = 0; !hit && labels != NULL && labels[i] != NULL; i++) {
		char *l = text_label_norm(labels[i], NULL);

		hit = strcmp(l, norm) == 0;
		free(l);
	}
	return hit;
}

/* Is s..e the record number's label, a part's (its index), or neither? */
static int
label_kind(const struct form_records *r, const char *s, const char *e)
{
	char *t = dup_range(s, e), *norm = text_label_norm(t, NULL);
	int kind = KIND_NONE;

	if (norm[0] != '\0' && any_label(r->number, norm))
		kind = KIND_NUMBER;
	for (size_t i = 0; kind == KIND_NONE && norm[0] && i < r->nparts; i++)
		if (any_label(r->parts[i], norm))
			kind = (int)i;
	free(norm);
	free(t);
	return kind;
}

/* "Label: answer" or "Label<TAB>answer": 1, the two trimmed; a line
 * without either is all label and no answer (0). */
static int
split_line(const char *a, const char *b, const char **le, const char **vs)
{
	const char *c;

	for (c = a; c < b && *c != ':' && *c != '\t'; c++)
		;
	*le = c;
	*vs = c < b ? c + 1 : b;
	while (*vs < b && isspace((unsigned char)**vs))
		(*vs)++;
	return c < b;
}

static int
all_digits(const char *s, const char *e)
{
	if (s >= e || e - s > 3)
		return 0;
	for (; s < e; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static size_t
tabs_in(const char *s, const char *e)
{
	size_t n = 0;

	for (; s < e; s++)
		n += *s == '\t';
	return n;
}

static struct rec *
rec_new(struct scan *sc, int num)
{
	struct rec *c;

	if (sc->nrecs == RECORDS_MAX)
		return NULL;
	sc->recs = xreallocarray(sc->recs, sc->nrecs + 1, sizeof(*sc->recs));
	c = &sc->recs[sc->nrecs++];
	c->num = num;
	c->part = xcalloc(sc->r->nparts, sizeof(char *));
	sc->next = num + 1;
	return c;
}

static void
rec_set(struct rec *c, int k, const char *s, const char *e)
{
	free(c->part[k]);
	c->part[k] = dup_range(s, e);
}

/* The next line's trimmed range; 0 at the end of the text. */
static int
next_line(const char **p, const char *end, const char **a, const char **b)
{
	const char *next;

	if (*p >= end)
		return 0;
	*b = text_line_end(*p, end, &next);
	*a = *p;
	text_trim(a, b);
	*p = next;
	return 1;
}

/* Blocks from p; returns where they end. */
static const char *
parse_blocks(struct scan *sc, const char *p, const char *end)
{
	struct rec *cur = NULL;
	const char *line, *a, *b, *le, *vs;
	int k, pending = -1, sep;

	for (line = p; next_line(&p, end, &a, &b); line = p) {
		if (a >= b)
			continue;
		if (tabs_in(a, b) >= 2)
			return line;
		sep = split_line(a, b, &le, &vs);
		k = label_kind(sc->r, a, le);
		if (k == KIND_NONE) {
			if (pending < 0 || cur == NULL)
				return line;
			rec_set(cur, pending, a, b);
			pending = -1;
			continue;
		}
		pending = -1;
		if (k == KIND_NUMBER) {
			if ((cur = rec_new(sc, sep && all_digits(vs, b) ?
			    atoi(vs) : sc->next)) == NULL)
				return line;
			continue;
		}
		if ((cur == NULL || cur->part[k] != NULL) &&
		    (cur = rec_new(sc, sc->next)) == NULL)
			return line;
		rec_set(cur, k, vs, b);
		if (vs >= b)
			pending = k;
	}
	return end;
}

/* One row's cells, as many as cols names after the number: in order when
 * the row has them all (blank cells kept), else the non-blank ones in
 * order with a last date moved to the last column (a client that drops
 * blank cells). */
static void
place_cells(struct rec *c, const int *cols, size_t ncols, char **cells,
    size_t n)
{
	size_t i, j = 1, last = 0;
	char ymd[11];

	if (n == ncols - 1) {
		for (i = 0; i < n; i++)
			if (cells[i][0] != '\0')
				rec_set(c, cols[i + 1], cells[i], cells[i] +
				    strlen(cells[i]));
		return;
	}
	for (i = 0; i < n; i++)
		if (cells[i][0] != '\0')
			last = i + 1;
	for (i = 0; i < n && j < ncols; i++) {
		if (cells[i][0] == '\0')
			continue;
		if (i + 1 == last && form_parse_date(cells[i], ymd) == 0)
			j = ncols - 1;
		rec_set(c, cols[j++], cells[i], cells[i] + strlen(cells[i]));
	}
}

/* The rows of a table flattened a cell a line, from p (after its column
 * headings); cols[0] is the number's column.  Returns where they end. */
static const char *
parse_table(struct scan *sc, const int *cols, size_t ncols, const char *p,
    const char *end)
{
	const char *line = p, *q, *a, *b;
	char **cells = xcalloc(ncols, sizeof(char *));
	struct rec *c;
	size_t n;

	for (;;) {
		while ((q = p, next_line(&p, end, &a, &b)) && a >= b)
			;
		line = q;
		if (q >= end || !all_digits(a, b) || (c = rec_new(sc,
		    atoi(a))) == NULL)
			break;
		for (n = 0; n < ncols - 1; n++) {
			q = p;
			if (!next_line(&p, end, &a, &b))
				break;
			if (all_digits(a, b)) {
				p = q;		/* the next row's number */
				break;
			}
			cells[n] = dup_range(a, b);
		}
		place_cells(c, cols, ncols, cells, n);
		for (size_t i = 0; i < n; i++) {
			free(cells[i]);
			cells[i] = NULL;
		}
		line = p;
	}
	free(cells);
	return line >= end ? end : line;
}

/* The column headings one a line at p: their kinds into cols (at most
 * max), their count returned, *after past them. */
static size_t
headings(const struct form_records *r, const char *p, const char *end,
    int *cols, size_t max, const char **after)
{
	const char *a, *b, *le, *vs;
	size_t n = 0;
	int k;

	*after = p;
	while (n < max && next_line(&p, end, &a, &b)) {
		if (a >= b && n == 0)
			continue;
		if (a >= b || tabs_in(a, b) > 0)
			break;
		(void)split_line(a, b, &le, &vs);
		if (vs < b || (k = label_kind(r, a, le)) == KIND_NONE)
			break;
		cols[n++] = k;
		*after = p;
	}
	return n;
}

/* Where the records start: just after the heading's line, or NULL. */
static const char *
after_heading(const struct form_records *r, const char *text,
    const char *end)
{
	const char *p = text, *a, *b;
	char *t;
	int hit;

	while (next_line(&p, end, &a, &b)) {
		if (a >= b || b - a > 200)
			continue;
		t = dup_range(a, b);
		hit = 0;
		for (size_t i = 0; !hit && i < r->nheadings; i++)
			hit = text_same_label(t, r->headings[i]);
		free(t);
		if (hit)
			return p;
	}
	return NULL;
}

static void
add_record(struct strbuf *sb, const struct form_def *def,
    const struct form_records *r, const struct rec *c)
{
	const struct form_field_def *f;
	char name[128];
	size_t n = 0;

	for (size_t i = 0; i < r->nparts; i++)
		if (c->part[i] != NULL && c->part[i][0] != '\0')
			n = i + 1;
	if (n == 0 || snprintf(name, sizeof(name), "%s%d", r->field,
	    c->num) >= (int)sizeof(name) || c->num <= 0 ||
	    (f = form_field_find(def, name)) == NULL)
		return;
	sb_addf(sb, "%s: ", f->label);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_adds(sb, "; ");
		for (const char *s = c->part[i] ? c->part[i] : ""; *s; s++)
			sb_addc(sb, *s == ';' ? ',' : *s);
	}
	sb_addc(sb, '\n');
}

char *
records_rewrite(const struct form_def *def, const char *text)
{
	const struct form_records *r = def->records;
	struct scan sc = { r, NULL, 0, 1 };
	struct strbuf sb = { 0 };
	const char *end, *start, *stop, *body;
	int cols[16];
	size_t ncols;
	char *out = NULL;

	if (r == NULL || r->nparts == 0 || text == NULL)
		return NULL;
	end = text + strlen(text);
	if ((start = after_heading(r, text, end)) == NULL)
		return NULL;
	ncols = headings(r, start, end, cols, sizeof(cols) / sizeof(cols[0]),
	    &body);
	if (ncols >= 2 && cols[0] == KIND_NUMBER)
		stop = parse_table(&sc, cols, ncols, body, end);
	else if (ncols >= 2)
		stop = start;		/* a table we cannot place */
	else
		stop = parse_blocks(&sc, start, end);
	if (sc.nrecs > 0) {
		sb_add(&sb, text, (size_t)(start - text));
		for (size_t i = 0; i < sc.nrecs; i++)
			add_record(&sb, def, r, &sc.recs[i]);
		/* The heading again, a boundary: what follows the records (a
		 * signature) is not read into the last one. */
		sb_addf(&sb, "%s\n", r->headings[0]);
		sb_adds(&sb, stop);
		out = sb_steal(&sb);
	}
	for (size_t i = 0; i < sc.nrecs; i++) {
		for (size_t j = 0; j < r->nparts; j++)
			free(sc.recs[i].part[j]);
		free(sc.recs[i].part);
	}
	free(sc.recs);
	return out;
}
