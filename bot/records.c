/*
 * records: repeated records written one part a line, rewritten a record a
 * line (records.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
any_label(char **norms, const char *norm)
{
	for (size_t i = 0; norms != NULL && norms[i] != NULL; i++)
		if (strcmp(norms[i], norm) == 0)
			return 1;
	return 0;
}

/* Is s..e the record number's label, a part's (its index), or neither? */
static int
label_kind(const struct form_records *r, const char *s, const char *e)
{
	char *t, *norm;
	int kind = KIND_NONE;

	if (e - s > 120 || r->parts_norm == NULL)
		return KIND_NONE;
	t = dup_range(s, e);
	norm = text_label_norm(t, NULL);
	if (norm[0] != '\0' && any_label(r->number_norm, norm))
		kind = KIND_NUMBER;
	for (size_t i = 0; kind == KIND_NONE && norm[0] && i < r->nparts; i++)
		if (any_label(r->parts_norm[i], norm))
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

/* ---------------------------------------------------------------- grids */

#define GRID_COLS_MAX	16

/* The grid's column or row names of a form, normalised: borrowed from
 * the form's index (formdef.h), each once. */
struct names {
	const char	**v;
	size_t		  n;
};

static void
names_of(const struct form_index *ix, int kind, struct names *ns)
{
	ns->v = NULL;
	ns->n = 0;
	for (size_t i = 0; ix != NULL && i < ix->nlabs; i++) {
		if (ix->labs[i].kind != kind || (ns->n > 0 &&
		    strcmp(ns->v[ns->n - 1], ix->labs[i].norm) == 0))
			continue;	/* sorted: a repeat is the last one */
		ns->v = xreallocarray(ns->v, ns->n + 1, sizeof(char *));
		ns->v[ns->n++] = ix->labs[i].norm;
	}
}

/* Is s..e, a line alone, one of the names? */
static int
names_has(const struct names *ns, const char *s, const char *e)
{
	char *t, *norm;
	int hit = 0;

	if (s >= e || e - s > 120 || memchr(s, '\t', (size_t)(e - s)))
		return 0;
	t = dup_range(s, e);
	norm = text_label_norm(t, NULL);
	for (size_t i = 0; !hit && norm[0] && i < ns->n; i++)
		hit = strcmp(ns->v[i], norm) == 0;
	free(norm);
	free(t);
	return hit;
}

/* The type of the grid cell at row / column, FIELD_TEXT when none. */
static enum form_field_type
cell_type(const struct form_def *def, const char *row, const char *col)
{
	for (size_t i = 0; i < def->nfields; i++) {
		const struct form_field_def *f = &def->fields[i];
		int r = 0, c = 0;

		for (size_t k = 0; !r && k < f->nrows; k++)
			r = text_same_label(f->rows[k], row);
		for (size_t k = 0; r && !c && k < f->ncolumns; k++)
			c = text_same_label(f->columns[k], col);
		if (r && c)
			return f->type;
	}
	return FIELD_TEXT;
}

/* A row's cells into out as "\tcell" each: in order when it has them
 * all (blank cells kept), else the non-blank ones in order, a date moved
 * to the first date column still free (a client that drops blank cells). */
static void
grid_row(struct strbuf *out, const struct form_def *def, const char *row,
    char **cols, size_t ncols, char **cells, size_t n)
{
	const char *place[GRID_COLS_MAX] = { 0 };
	size_t i, j, next = 0;
	char ymd[11];

	for (i = 0; i < n && i < ncols; i++) {
		if (n == ncols) {
			place[i] = cells[i];
			continue;
		}
		if (cells[i][0] == '\0')
			continue;
		for (j = next; form_parse_date(cells[i], ymd) == 0 && j < ncols;
		    j++)
			if (place[j] == NULL &&
			    cell_type(def, row, cols[j]) == FIELD_DATE)
				break;
		if (j == ncols || form_parse_date(cells[i], ymd) != 0)
			for (j = next; j < ncols && (place[j] != NULL ||
			    cell_type(def, row, cols[j]) == FIELD_DATE); j++)
				;
		if (j < ncols) {
			place[j] = cells[i];
			next = j + 1;
		}
	}
	sb_adds(out, row);
	for (i = 0; i < ncols; i++) {
		sb_addc(out, '\t');
		sb_adds(out, place[i] ? place[i] : "");
	}
	sb_addc(out, '\n');
}

/* The rows after a grid's column names, from p, as tab rows into out;
 * returns where they end. */
static const char *
grid_rows(struct strbuf *out, const struct form_def *def,
    const struct names *rows, char **cols, size_t ncols, const char *p,
    const char *end)
{
	const char *q, *a, *b, *line;
	char *cells[GRID_COLS_MAX], *row;
	size_t n;

	for (;;) {
		while ((line = p, next_line(&p, end, &a, &b)) && a >= b)
			;
		if (line >= end || !names_has(rows, a, b))
			return line;
		row = dup_range(a, b);
		for (n = 0; n < ncols; n++) {
			q = p;
			if (!next_line(&p, end, &a, &b))
				break;
			if (names_has(rows, a, b) || (b > a && b[-1] == ':')) {
				p = q;	/* the next row, or a label */
				break;
			}
			cells[n] = dup_range(a, b);
		}
		grid_row(out, def, row, cols, ncols, cells, n);
		for (size_t i = 0; i < n; i++)
			free(cells[i]);
		free(row);
	}
}

/* The column names one a line from line: their copies into cols, their
 * count returned, *run just past them. */
static size_t
grid_columns(const struct names *colnames, const char *line, const char *end,
    char **cols, const char **run)
{
	const char *p = line, *a, *b;
	size_t n = 0;

	*run = line;
	while (n < GRID_COLS_MAX && next_line(&p, end, &a, &b) &&
	    names_has(colnames, a, b)) {
		cols[n++] = dup_range(a, b);
		*run = p;
	}
	return n;
}

/* Grids flattened a cell a line (the column names one a line, then each
 * row's name and its cells one a line) as tab rows; NULL when none. */
static char *
grids_rewrite(const struct form_def *def, const char *text,
    const struct names *rownames, const struct names *colnames)
{
	struct strbuf out = { 0 }, rows = { 0 };
	const char *end = text + strlen(text), *p = text, *line, *run, *stop;
	char *cols[GRID_COLS_MAX];
	size_t ncols;
	int changed = 0;

	while (colnames->n > 0 && rownames->n > 0 && p < end) {
		line = p;
		ncols = grid_columns(colnames, line, end, cols, &run);
		if (ncols < 2) {
			(void)text_line_end(line, end, &p);
			sb_add(&out, line, (size_t)(p - line));
		} else if ((stop = grid_rows(&rows, def, rownames, cols, ncols,
		    run, end)) != run) {
			for (size_t i = 0; i < ncols; i++) {
				sb_addc(&out, '\t');
				sb_adds(&out, cols[i]);
			}
			sb_addc(&out, '\n');
			sb_add(&out, rows.buf, rows.len);
			changed = 1;
			p = stop;
		} else {
			sb_add(&out, line, (size_t)(run - line));
			p = run;
		}
		if (rows.buf)
			rows.len = 0;
		for (size_t i = 0; i < ncols; i++)
			free(cols[i]);
	}
	sb_reset(&rows);
	if (!changed) {
		sb_reset(&out);
		return NULL;
	}
	sb_add(&out, p, (size_t)(end - p));
	return sb_steal(&out);
}

/* ---------------------------------------------------- label / answer cells */

#define HEAD_MAX	8	/* labels in one flattened header row */

/* The field whose label or alias the line is, alone (a trailing ':'
 * allowed; *colon set when there is one), or NULL; looked up in the
 * form's index (formdef.h), which form_set_load() builds. */
static const struct form_field_def *
label_alone(const struct form_def *def, const char *s, const char *e,
    int *colon)
{
	const struct form_index *ix = def->index;
	const struct form_field_def *hit = NULL;
	size_t lo = 0, hi, mid;
	char *t, *norm;

	*colon = e > s && e[-1] == ':';
	if (ix == NULL || s >= e || e - s > 120 ||
	    memchr(s, '\t', (size_t)(e - s)))
		return NULL;
	t = dup_range(s, e);
	norm = text_label_norm(t, NULL);
	/* The index is sorted by text, then kind (LAB_FIELD first). */
	for (hi = ix->nlabs; lo < hi; ) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(ix->labs[mid].norm, norm) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (norm[0] && lo < ix->nlabs && strcmp(ix->labs[lo].norm, norm) == 0 &&
	    ix->labs[lo].kind == LAB_FIELD)
		hit = &def->fields[ix->labs[lo].ref];
	free(norm);
	free(t);
	return hit;
}

/*
 * A header row flattened (Outlook's text/plain of a table row of labels
 * over a row of answers): k >= 2 labels alone a line, then exactly k
 * answers a line, each of its column's type, one at least not text.  Into
 * out as two tab rows; returns where they end, or line when not one.
 */
static const char *
header_row(struct strbuf *out, const struct form_def *def, const char *line,
    const char *end)
{
	const struct form_field_def *cols[HEAD_MAX];
	const char *p = line, *q, *a, *b, *ls[HEAD_MAX], *le[HEAD_MAX];
	const char *vs[HEAD_MAX], *ve[HEAD_MAX];
	size_t k = 0, n = 0;
	int colon, typed = 0;

	while (k < HEAD_MAX && (q = p, next_line(&p, end, &a, &b)) &&
	    (cols[k] = label_alone(def, a, b, &colon)) != NULL) {
		ls[k] = a;
		le[k++] = b;
	}
	p = q;
	if (k < 2)
		return line;
	while (n < k && (q = p, next_line(&p, end, &a, &b)) && a < b &&
	    label_alone(def, a, b, &colon) == NULL) {
		if (cols[n]->type != FIELD_TEXT) {
			char *v = dup_range(a, b);
			int ok = form_value_looks(cols[n]->type, v);

			free(v);
			if (!ok)
				return line;
			typed = 1;
		}
		vs[n] = a;
		ve[n++] = b;
	}
	/* Exactly k: the next line is blank, a label or the end. */
	if (n != k || !typed || (next_line(&p, end, &a, &b) && a < b &&
	    label_alone(def, a, b, &colon) == NULL))
		return line;
	for (size_t i = 0; i < k; i++) {
		sb_add(out, ls[i], (size_t)(le[i] - ls[i]));
		sb_addc(out, i + 1 < k ? '\t' : '\n');
	}
	for (size_t i = 0; i < k; i++) {
		sb_add(out, vs[i], (size_t)(ve[i] - vs[i]));
		sb_addc(out, i + 1 < k ? '\t' : '\n');
	}
	(void)text_line_end(q, end, &p);
	return q;
}

/*
 * Label cells and answer cells one a line: "Agency Name:" then "Adult
 * Social Care", an answer that is also another question's label, then a
 * label with its colon.  The answer is the colon label's (one line
 * "Agency Name: Adult Social Care"), not a question of its own.  Returns
 * where the pair ends, or line when it is not one.
 */
static const char *
answer_pair(struct strbuf *out, const struct form_def *def, const char *line,
    const char *end)
{
	const char *p = line, *a1, *b1, *a2, *b2, *a3, *b3, *after;
	int c1, c2, c3;

	if (!next_line(&p, end, &a1, &b1) || label_alone(def, a1, b1,
	    &c1) == NULL || !c1 || !next_line(&p, end, &a2, &b2) ||
	    label_alone(def, a2, b2, &c2) == NULL || c2)
		return line;
	after = p;
	/* Then a label with its colon; or, after a number ("Meeting No:",
	 * "1", which a table row's number label would take), anything. */
	if (!all_digits(a2, b2) && (!next_line(&p, end, &a3, &b3) ||
	    label_alone(def, a3, b3, &c3) == NULL || !c3))
		return line;
	sb_add(out, a1, (size_t)(b1 - a1));
	sb_addc(out, ' ');
	sb_add(out, a2, (size_t)(b2 - a2));
	sb_addc(out, '\n');
	return after;
}

/* Does s..e start with word as a word (ignoring case, after marks such
 * as "[x] " or "(")? */
static int
choice_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	while (s < e && !isalpha((unsigned char)*s))
		s++;
	return (size_t)(e - s) >= n && strncasecmp(s, word, n) == 0 &&
	    ((size_t)(e - s) == n || !isalpha((unsigned char)s[n]));
}

/*
 * A yes/no question's two boxes flattened a line each ("Inform
 * Commissioner of the Service?", "Yes", "No ✓"): joined on the question's
 * line, so that the mark decides between them as in the row.  Returns
 * where they end, or line.
 */
static const char *
yesno_pair(struct strbuf *out, const struct form_def *def, const char *line,
    const char *end)
{
	const struct form_field_def *f;
	const char *p = line, *a1, *b1, *a2, *b2, *a3, *b3;
	int colon;

	if (!next_line(&p, end, &a1, &b1) || (f = label_alone(def, a1, b1,
	    &colon)) == NULL || f->type != FIELD_YESNO ||
	    !next_line(&p, end, &a2, &b2) || b2 - a2 > 24 ||
	    !next_line(&p, end, &a3, &b3) || b3 - a3 > 24 ||
	    !((choice_is(a2, b2, "yes") && choice_is(a3, b3, "no")) ||
	    (choice_is(a2, b2, "no") && choice_is(a3, b3, "yes"))))
		return line;
	sb_add(out, a1, (size_t)(b1 - a1));
	sb_addc(out, '\t');
	sb_add(out, a2, (size_t)(b2 - a2));
	sb_addc(out, '\t');
	sb_add(out, a3, (size_t)(b3 - a3));
	sb_addc(out, '\n');
	return p;
}

/*
 * A grid cell's label with its row and column in one: "Adult at risk 1
 * Name: ..." or "Name Adult at risk 1: ...", as the row's heading and the
 * column's label a line each, the way the reader takes a row typed under
 * its heading.  Returns where the line ends, or line.
 */
static const char *
rowcol_line(struct strbuf *out, const struct names *rows,
    const struct names *cols, const char *line, const char *end)
{
	const char *p = line, *a, *b, *le, *vs;
	char *t, *norm;
	size_t n, rl, cl;
	int hit = 0;

	if (rows->n == 0 || !next_line(&p, end, &a, &b) || a >= b ||
	    !split_line(a, b, &le, &vs) || le - a > 120)
		return line;
	t = dup_range(a, le);
	norm = text_label_norm(t, NULL);
	n = strlen(norm);
	for (size_t r = 0; !hit && r < rows->n; r++)
		for (size_t c = 0; !hit && c < cols->n; c++) {
			rl = strlen(rows->v[r]);
			cl = strlen(cols->v[c]);
			if (rl + cl + 1 != n)
				continue;
			if ((strncmp(norm, rows->v[r], rl) == 0 &&
			    norm[rl] == ' ' && strcmp(norm + rl + 1,
			    cols->v[c]) == 0) || (strncmp(norm, cols->v[c],
			    cl) == 0 && norm[cl] == ' ' && strcmp(norm + cl + 1,
			    rows->v[r]) == 0)) {
				sb_addf(out, "%s\n%s: ", rows->v[r], cols->v[c]);
				hit = 1;
			}
		}
	free(norm);
	free(t);
	if (!hit)
		return line;
	sb_add(out, vs, (size_t)(b - vs));
	sb_addc(out, '\n');
	return p;
}

/* All of the above over the text; NULL when none changed it. */
static char *
cells_rewrite(const struct form_def *def, const char *text,
    const struct names *rows, const struct names *cols)
{
	struct strbuf out = { 0 };
	const char *end = text + strlen(text), *p = text, *stop;
	int changed = 0;

	while (p < end) {
		if ((stop = header_row(&out, def, p, end)) == p &&
		    (stop = yesno_pair(&out, def, p, end)) == p &&
		    (stop = rowcol_line(&out, rows, cols, p, end)) == p)
			stop = answer_pair(&out, def, p, end);
		if (stop != p) {
			changed = 1;
			p = stop;
			continue;
		}
		stop = p;
		(void)text_line_end(stop, end, &p);
		sb_add(&out, stop, (size_t)(p - stop));
	}
	if (!changed) {
		sb_reset(&out);
		return NULL;
	}
	return sb_steal(&out);
}

/* The records after their heading as lines; NULL when none. */
static char *
records_lines(const struct form_def *def, const char *text)
{
	const struct form_records *r = def->records;
	struct scan sc = { r, NULL, 0, 1 };
	struct strbuf sb = { 0 };
	const char *end, *start, *stop, *body;
	int cols[16];
	size_t ncols;
	char *out = NULL;

	if (r == NULL || r->nparts == 0)
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

/* The later of two rewrites: next when there is one (prev freed). */
static char *
then(char *prev, char *next)
{
	if (next == NULL)
		return prev;
	free(prev);
	return next;
}

char *
records_rewrite(const struct form_def *def, const char *text)
{
	struct names rows, cols;
	char *out;

	if (def == NULL || text == NULL)
		return NULL;
	names_of(def->index, LAB_ROW, &rows);
	names_of(def->index, LAB_COLUMN, &cols);
	out = grids_rewrite(def, text, &rows, &cols);
	out = then(out, cells_rewrite(def, out ? out : text, &rows, &cols));
	out = then(out, records_lines(def, out ? out : text));
	free(rows.v);
	free(cols.v);
	return out;
}
