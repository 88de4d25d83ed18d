/*
 * form: turns the text of an email -- a Word form pasted into the body, a
 * table copied as tab-separated cells, or answers typed under the printed
 * questions -- into named, normalised answers.  Extraction is one pass over
 * the lines of the sender's own text (quote.h): each line is matched
 * against every label, alias, grid row / column name and heading of the
 * form (its index, formdef.h: normalised, longest first), and the text
 * after a label belongs to that field until the next label.  Once a label
 * has been read, a sign-off ends the form.  Values are then checked and
 * normalised per field type (value.h).  Work per line is bounded by the
 * longest label, so hostile input costs linear time.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "quote.h"
#include "records.h"
#include "text.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Recognition.                                                        */

const struct form_def *
form_recognise(const struct form_set *set, const char *text)
{
	const struct form_def *best = NULL;
	size_t cut, n, bestpos = SIZE_MAX, bestlen = 0;
	char *buf;

	if (set == NULL || text == NULL)
		return NULL;
	cut = quote_own_len(text);
	buf = xmalloc(cut + 1);
	n = text_norm(text, text + cut, buf, cut + 1, NULL, NULL);
	buf[n] = '\0';
	for (size_t i = 0; i < set->nforms; i++) {
		const struct form_def *f = &set->forms[i];

		for (size_t k = 0; k < f->npatterns; k++) {
			size_t plen, pos;
			char *own = NULL;
			const char *pat, *hit;

			/* Normalised once, when the forms were loaded. */
			if (f->index != NULL && f->index->titles != NULL) {
				pat = f->index->titles[k];
				plen = f->index->title_lens[k];
			} else
				pat = own = text_norm_dup(f->patterns[k], &plen);
			hit = plen ? memmem(buf, n, pat, plen) : NULL;
			/* Whole words only: "form" must not match "formal". */
			while (hit != NULL && ((hit > buf && hit[-1] != ' ') ||
			    ((size_t)(hit - buf) + plen < n && hit[plen] != ' '))) {
				size_t off = (size_t)(hit - buf) + 1;

				hit = off < n ? memmem(buf + off, n - off, pat, plen) :
				    NULL;
			}
			free(own);
			if (hit == NULL)
				continue;
			pos = (size_t)(hit - buf);
			if (pos < bestpos || (pos == bestpos && plen > bestlen)) {
				best = f;
				bestpos = pos;
				bestlen = plen;
			}
		}
	}
	free(buf);
	return best;
}

/* ------------------------------------------------------------------ */
/* Extraction.                                                         */

/* resolve()'s answer for a label all of whose fields are answered. */
enum { LAB_DUP = LAB_BOUNDARY + 1 };

struct lmatch {
	size_t	 lo, hi;	/* labs[lo..hi) share the matched text */
	const char *vs, *ve;	/* inline answer; vs NULL when none */
	int	 paren;		/* a "(" after the label left open */
	int	 hard;		/* followed by ':' or '?' */
	int	 number;	/* a table row number ("1") */
};

struct fstate {
	struct strbuf	v;
	size_t		stamp;	/* when its label was seen; 0 not yet */
	int		lines;
	int		blank;	/* a blank line is pending */
};

struct cell {
	const char	*s, *e;
	int		 matched;
	struct lmatch	 m;
};

struct hcell {
	int	 valid;
	size_t	 lo, hi;
};

struct ext {
	const struct form_def *def;
	struct form_index *own;		/* built here when def has none */
	const struct form_label *labs;
	size_t		 nlabs;
	size_t		 maxlen;
	char		*nbuf;
	size_t		*nmap;
	struct fstate	*fs;
	const long	*frow, *fcol;
	size_t		 clock;
	long		 open;
	long		 rowctx;
	int		 instr;		/* depth of an instruction "(" */
	int		 instr_lines;
	int		 any_label;
	struct cell	*cells;
	size_t		 ncells, cellcap;
	struct hcell	*hcells;
	size_t		 nhcells;
	const char	*hs, *he;	/* pending header row */
	int		 hused;		/* values were read under it */
	struct strbuf	 join;
	struct strbuf	 row;
	const char	*row1s, *row1e;	/* the row's only cell, as written */
	size_t		 rowcells;
};

#define INSTR_MAX_LINES	12	/* an instruction in brackets, at most */
#define MAX_CELLS	64	/* cells of a table row */
static void
ext_init(struct ext *x, const struct form_def *def)
{
	const struct form_index *ix;

	memset(x, 0, sizeof(*x));
	x->def = def;
	x->open = -1;
	x->rowctx = -1;
	x->fs = xcalloc(def->nfields + 1, sizeof(*x->fs));
	ix = def->index;
	if (ix == NULL)
		ix = x->own = form_index_build(def);
	x->labs = ix->labs;
	x->nlabs = ix->nlabs;
	x->maxlen = ix->maxlen;
	x->frow = ix->frow;
	x->fcol = ix->fcol;
	x->nbuf = xmalloc(x->maxlen + 2);
	x->nmap = xcalloc(x->maxlen + 2, sizeof(size_t));
}

static void
ext_free(struct ext *x)
{
	form_index_free(x->own);
	free(x->nbuf);
	free(x->nmap);
	for (size_t i = 0; i < x->def->nfields; i++)
		sb_reset(&x->fs[i].v);
	free(x->fs);
	free(x->cells);
	free(x->hcells);
	sb_reset(&x->join);
	sb_reset(&x->row);
}

/* Does a parenthesis at p read like the form's own instructions? */
static int
instruction_words(const char *p, const char *e)
{
	static const char *const w[] = {
		"please", "if ", "delete", "circle", "tick", "select", NULL
	};

	p++;
	while (p < e && (*p == ' ' || *p == '('))
		p++;
	for (const char *const *x = w; *x; x++)
		if (text_starts_ci(p, e, *x))
			return 1;
	return 0;
}

/* A dash: '-', U+2013, U+2014. Its length or 0. */
static size_t
dash_at(const char *p, const char *e)
{
	const unsigned char *u = (const unsigned char *)p;

	if (p < e && *p == '-')
		return 1;
	if (e - p >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0x93 || u[2] == 0x94))
		return 3;
	return 0;
}

/*
 * What follows a label, p..e: nothing (the answer is below), or a ':' / '?'
 * / tab / " - " and the answer, possibly after a parenthesis "(if
 * applicable)", or an explanation (", including ...:" / "- what ...:") up to
 * a colon.  Anything else means the line only starts with the label's
 * words.  Fills vs/ve/paren of m; 1 if this is a label.
 */
static int
after_label(const char *p, const char *e, struct lmatch *m)
{
	const char *start = p;
	int hard = 0;
	size_t n, d;

	m->vs = m->ve = NULL;
	m->paren = 0;
	m->hard = 0;
	for (;;) {
		while (text_space_at(p, e, &n))
			p += n;
		if (p >= e)
			break;
		if (*p == ':' || *p == '?') {
			hard = 1;
			p++;
		} else if (*p == '*' || *p == '_') {
			const char *q = p;

			while (q < e && (*q == '*' || *q == '_'))
				q++;
			if (q < e && !isspace((unsigned char)*q) && *q != ':' &&
			    *q != '?')
				break;
			p = q;
		} else if (*p == '.' && !hard) {
			p++;
		} else if ((*p == '(' || *p == '[') &&
		    (!hard || instruction_words(p, e))) {
			const char *q = p;
			int depth = 0;

			for (; q < e; q++) {
				if (*q == '(' || *q == '[')
					depth++;
				else if ((*q == ')' || *q == ']') && --depth == 0)
					break;
			}
			if (q >= e) {
				m->paren = depth > 0 ? depth : 1;
				p = e;
				break;
			}
			p = q + 1;
		} else
			break;
	}
	m->hard = hard;
	if (p >= e)
		return 1;
	if (hard) {
		m->vs = p;
		m->ve = e;
		return 1;
	}
	/* "ASC-000123" is one word, not the label ASC and an answer: a dash
	 * is a separator with white space on one side at least. */
	if ((d = dash_at(p, e)) != 0 && p == start && !text_space_at(p + d, e,
	    &n))
		return 0;
	if (*p == ',' || dash_at(p, e) != 0) {
		const char *q;

		for (q = p; q < e && q - p < 300; q++)
			if (*q == ':' || *q == '?')
				break;
		if (q < e && (*q == ':' || *q == '?')) {
			m->hard = 1;
			q++;
			while (text_space_at(q, e, &n))
				q += n;
			if (q < e) {
				m->vs = q;
				m->ve = e;
			}
			return 1;
		}
		if (*p != ',') {
			p += dash_at(p, e);
			while (text_space_at(p, e, &n))
				p += n;
			if (p < e) {
				m->vs = p;
				m->ve = e;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * A label without a colon, followed by nothing but an answer of its field's
 * type: "DOB 14/03/2016", "NHS Number 999 000 0018", "A requirement for
 * staff training  [x] Yes [ ] No".  Not "Staff training no longer covers
 * ...", "Date of the next visit", which are text.
 */
static int
typed_answer(const struct ext *x, const char *p, const char *e,
    struct lmatch *m)
{
	char buf[96];
	size_t n;
	int type = -1;

	for (size_t i = m->lo; i < m->hi && type < 0; i++)
		if (x->labs[i].kind == LAB_FIELD &&
		    x->def->fields[x->labs[i].ref].type != FIELD_TEXT)
			type = (int)x->def->fields[x->labs[i].ref].type;
	while (text_space_at(p, e, &n))
		p += n;
	if (type < 0 || p >= e || (size_t)(e - p) >= sizeof(buf))
		return 0;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	if (!form_value_looks((enum form_field_type)type, buf))
		return 0;
	m->vs = p;
	m->ve = e;
	m->hard = 0;
	m->paren = 0;
	return 1;
}

/* Normalises s..e into x->nbuf; returns its length, *all when complete. */
static size_t
ext_norm(struct ext *x, const char *s, const char *e, int *all)
{
	return text_norm(s, e, x->nbuf, x->maxlen + 1, x->nmap, all);
}

/* The longest label that s..e starts with and that is used as a label;
 * `first` when s starts the line (numbers are labels only there). */
static int
match_cell(struct ext *x, const char *s, const char *e, int first,
    struct lmatch *m)
{
	size_t n, tried = SIZE_MAX;
	int all;

	if (x->nlabs == 0)
		return 0;
	n = ext_norm(x, s, e, &all);
	if (n == 0)
		return 0;
	for (;;) {
		size_t best = SIZE_MAX, bestlen = 0;

		for (size_t i = 0; i < x->nlabs; i++) {
			const struct form_label *l = &x->labs[i];

			if (l->len > n || l->len >= tried || l->len <= bestlen ||
			    l->norm[0] != x->nbuf[0] || (l->number && !first))
				continue;
			if (n > l->len && x->nbuf[l->len] != ' ')
				continue;
			if (memcmp(x->nbuf, l->norm, l->len) != 0)
				continue;
			best = i;
			bestlen = l->len;
		}
		if (best == SIZE_MAX)
			return 0;
		m->lo = m->hi = best;
		while (m->lo > 0 && x->labs[m->lo - 1].len == bestlen &&
		    memcmp(x->labs[m->lo - 1].norm, x->nbuf, bestlen) == 0)
			m->lo--;
		while (m->hi < x->nlabs && x->labs[m->hi].len == bestlen &&
		    memcmp(x->labs[m->hi].norm, x->nbuf, bestlen) == 0)
			m->hi++;
		m->number = x->labs[best].number;
		if (after_label(s + x->nmap[bestlen - 1], e, m) ||
		    typed_answer(x, s + x->nmap[bestlen - 1], e, m))
			return 1;
		tried = bestlen;
	}
}

/* Could s..e be the first part of a label wrapped onto the next line? */
static int
label_prefix(struct ext *x, const char *s, const char *e, size_t *np)
{
	size_t n;
	int all;

	n = ext_norm(x, s, e, &all);
	*np = n;
	if (!all || n == 0)
		return 0;
	for (size_t i = 0; i < x->nlabs; i++) {
		const struct form_label *l = &x->labs[i];

		if (l->len > n + 1 && l->norm[n] == ' ' &&
		    memcmp(l->norm, x->nbuf, n) == 0)
			return 1;
	}
	return 0;
}

/* At most one non-empty tab-separated cell in s..e?  Narrows to it. */
static int
single_cell(const char **s, const char **e)
{
	const char *p = *s, *cs = NULL, *ce = NULL;

	while (p <= *e) {
		const char *t = memchr(p, '\t', (size_t)(*e - p));
		const char *q = t ? t : *e, *a = p, *b = q;

		text_trim(&a, &b);
		if (a < b) {
			if (cs != NULL)
				return 0;
			cs = a;
			ce = b;
		}
		if (t == NULL)
			break;
		p = t + 1;
	}
	if (cs == NULL)
		cs = ce = *s;
	*s = cs;
	*e = ce;
	return 1;
}

static int
field_eligible(const struct ext *x, size_t f)
{
	return x->fs[f].stamp == 0 || x->fs[f].v.len == 0;
}

/*
 * Which field a matched label means now: the fields sharing the label that
 * are unanswered and whose `after` field has been seen, preferring the one
 * whose `after` came latest (LAB_FIELD); then a grid column, in the row named
 * last or else the first row still empty (LAB_COLUMN); then a row, then a
 * heading.  A label all of whose fields are answered is LAB_DUP: the line is
 * ordinary text.
 */
static long
resolve(struct ext *x, size_t lo, size_t hi, long rowctx, int *kind)
{
	const struct form_def *def = x->def;
	long best = -1, row = -1;
	size_t bestrank = 0;
	int any = 0, bound = 0;

	for (size_t i = lo; i < hi; i++) {
		const struct form_label *l = &x->labs[i];
		size_t rank = 0;

		if (l->kind == LAB_ROW) {
			if (row < 0)
				row = (long)l->ref;
			continue;
		}
		if (l->kind == LAB_BOUNDARY) {
			bound = 1;
			continue;
		}
		if (l->kind != LAB_FIELD)
			continue;
		any = 1;
		if (!field_eligible(x, l->ref))
			continue;
		if (def->fields[l->ref].after != NULL) {
			const struct form_field_def *a;

			a = form_field_find(def, def->fields[l->ref].after);
			if (a == NULL || x->fs[a - def->fields].stamp == 0)
				continue;
			rank = x->fs[a - def->fields].stamp;
		}
		if (best < 0 || rank > bestrank ||
		    (rank == bestrank && (long)l->ref < best)) {
			best = (long)l->ref;
			bestrank = rank;
		}
	}
	if (best >= 0) {
		*kind = LAB_FIELD;
		return best;
	}
	for (size_t i = lo; i < hi; i++) {
		const struct form_label *l = &x->labs[i];

		if (l->kind != LAB_COLUMN)
			continue;
		any = 1;
		for (size_t f = 0; f < def->nfields; f++) {
			if (x->fcol[f] != (long)l->ref || !field_eligible(x, f))
				continue;
			if (rowctx >= 0 && x->frow[f] != rowctx)
				continue;
			*kind = LAB_COLUMN;
			return (long)f;
		}
	}
	if (row >= 0) {
		*kind = LAB_ROW;
		return row;
	}
	if (bound) {
		*kind = LAB_BOUNDARY;
		return -1;
	}
	*kind = any ? LAB_DUP : LAB_BOUNDARY;
	return -1;
}

static int
is_placeholder(const char *s, const char *e)
{
	static const char *const ph[] = {
		"click or tap here to enter text", "click here to enter text",
		"click or tap to enter a date", "click here to enter a date",
		"enter text here", NULL
	};
	char buf[40];
	size_t n;
	int all;

	if (e - s > 60)
		return 0;
	n = text_norm(s, e, buf, sizeof(buf) - 1, NULL, &all);
	buf[n] = '\0';
	for (const char *const *p = ph; all && *p; p++)
		if (strcmp(buf, *p) == 0)
			return 1;
	return 0;
}

static void
append_line(struct ext *x, long f, const char *s, const char *e)
{
	struct fstate *st;

	if (f < 0)
		return;
	text_trim(&s, &e);
	if (s >= e || is_placeholder(s, e))
		return;
	st = &x->fs[f];
	if (x->def->fields[f].type != FIELD_TEXT && st->lines > 0)
		return;		/* one line for dates, numbers, yes / no */
	if (st->v.len > 0)
		sb_adds(&st->v, st->blank ? "\n\n" : "\n");
	sb_add(&st->v, s, (size_t)(e - s));
	st->lines++;
	st->blank = 0;
}

static void
mark_seen(struct ext *x, long f)
{
	x->fs[f].stamp = ++x->clock;
	x->any_label = 1;
}

/* First field of a grid row that is still unanswered. */
static long
row_field(struct ext *x, long row, size_t skip)
{
	for (size_t f = 0; f < x->def->nfields; f++)
		if (x->frow[f] == row && field_eligible(x, f) && skip-- == 0)
			return (long)f;
	return -1;
}

/* Does the line, being the first of an answer, open an instruction? */
static int
instruction_start(const char *s, const char *e, const char **rest)
{
	const char *p;
	int depth = 0, words = 0, inword = 0;

	*rest = NULL;
	if (s >= e || *s != '(')
		return 0;
	for (p = s; p < e; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			break;
		if (isalnum((unsigned char)*p)) {
			if (!inword)
				words++;
			inword = 1;
		} else
			inword = 0;
	}
	if (p >= e)
		return depth > 0 ? depth : 1;	/* continues below */
	if (words < 4 && str_ncasecmp(s + 1, "please", 6) != 0)
		return 0;
	*rest = p + 1;
	return -1;				/* closed on this line */
}

/* A line of text that is not a label. */
static void
content_line(struct ext *x, const char *s, const char *e)
{
	struct fstate *st;
	const char *rest;
	int r;

	if (x->open < 0)
		return;
	st = &x->fs[x->open];
	text_trim(&s, &e);
	if (s >= e) {
		st->blank = st->v.len > 0;
		return;
	}
	if (x->instr > 0) {
		for (; s < e && x->instr > 0; s++) {
			if (*s == '(')
				x->instr++;
			else if (*s == ')')
				x->instr--;
		}
		if (x->instr > 0) {
			if (++x->instr_lines > INSTR_MAX_LINES)
				x->instr = 0;
			return;
		}
		/* "... Stages 1 & 2):" ends the label; the answer follows. */
		while (s < e && strchr(" \t:?.", *s) != NULL)
			s++;
		append_line(x, x->open, s, e);
		return;
	}
	if (st->v.len == 0 && (r = instruction_start(s, e, &rest)) != 0) {
		if (r > 0) {
			x->instr = r;
			x->instr_lines = 0;
			return;
		}
		append_line(x, x->open, rest, e);
		return;
	}
	append_line(x, x->open, s, e);
}

/* A label on a line of its own or followed by its answer. */
static void
take_label(struct ext *x, const struct lmatch *m, const char *s, const char *e)
{
	int kind;
	long f = resolve(x, m->lo, m->hi, x->rowctx, &kind);

	x->instr = 0;
	switch (kind) {
	case LAB_BOUNDARY:
		x->open = -1;
		x->rowctx = -1;
		x->any_label = 1;
		return;
	case LAB_ROW:
		x->rowctx = f;
		f = row_field(x, f, 0);
		if (f < 0) {
			x->open = -1;
			return;
		}
		break;
	case LAB_DUP:
		content_line(x, s, e);
		return;
	case LAB_FIELD:
		x->rowctx = x->frow[f];
		break;
	default:
		break;
	}
	mark_seen(x, f);
	x->open = f;
	if (m->vs != NULL)
		append_line(x, f, m->vs, m->ve);
	else if (m->paren)
		x->instr = m->paren, x->instr_lines = 0;
	if (m->number)
		x->open = -1;	/* a numbered table row is one line */
}

/* Splits s..e at tabs into x->cells and matches each against the labels. */
static size_t
split_cells(struct ext *x, const char *s, const char *e)
{
	const char *p = s;
	int nonempty = 0;

	x->ncells = 0;
	for (;;) {
		/* The last cell a line can have takes the rest of it. */
		const char *t = x->ncells + 1 < MAX_CELLS ?
		    memchr(p, '\t', (size_t)(e - p)) : NULL;
		const char *q = t ? t : e;
		struct cell *c;

		if (x->ncells == x->cellcap) {
			x->cellcap = x->cellcap ? x->cellcap * 2 : 16;
			x->cells = xreallocarray(x->cells, x->cellcap,
			    sizeof(*x->cells));
		}
		c = &x->cells[x->ncells++];
		c->s = p;
		c->e = q;
		text_trim(&c->s, &c->e);
		c->matched = c->s < c->e && match_cell(x, c->s, c->e,
		    !nonempty, &c->m);
		nonempty += c->s < c->e;
		/* "Label:<TAB>answer": the cell after a label is its answer
		 * even when it reads like a label ("Agency Name: Housing"),
		 * unless it is one followed by a colon. */
		if (c->matched && !c->m.hard && x->ncells >= 2 &&
		    c[-1].matched && c[-1].m.vs == NULL)
			c->matched = 0;
		if (t == NULL)
			break;
		p = t + 1;
	}
	return x->ncells;
}

static int
range_has(const struct ext *x, const struct lmatch *m, int kind)
{
	for (size_t i = m->lo; i < m->hi; i++)
		if (x->labs[i].kind == kind)
			return 1;
	return 0;
}

static void
row_reset(struct ext *x)
{
	if (x->row.buf)
		x->row.len = 0;
	x->rowcells = 0;
}

/* The row's text: its one cell as written, or its cells joined. */
static void
row_text(const struct ext *x, const char **s, const char **e)
{
	if (x->rowcells == 1) {
		*s = x->row1s;
		*e = x->row1e;
	} else {
		*s = x->row.buf;
		*e = x->row.buf + x->row.len;
	}
}

static void
row_flush(struct ext *x, long cur)
{
	const char *s, *e;

	if (cur >= 0 && x->row.len > 0) {
		row_text(x, &s, &e);
		append_line(x, cur, s, e);
	}
	row_reset(x);
}

/* A row's cells are joined with "; "; a semicolon inside a cell
 * ("decide on care; report to panel") becomes a comma, so that the row
 * still splits into its own cells.  A row of one cell keeps it as
 * written (row_text). */
static void
row_add(struct ext *x, const char *s, const char *e)
{
	if (x->rowcells++ == 0) {
		x->row1s = s;
		x->row1e = e;
	}
	if (x->row.len > 0)
		sb_adds(&x->row, "; ");
	for (const char *p = s; p < e; p++)
		sb_addc(&x->row, *p == ';' ? ',' : *p);
}

/* A row of label / answer cells: "Label:\tanswer\tLabel 2:\tanswer 2",
 * already split into x->cells. */
static void
ordinary_row(struct ext *x)
{
	long cur = -1, row = -1, last = -1;
	size_t rowpos = 0;
	int labels = 0, lastnum = 0;

	row_reset(x);
	for (size_t i = 0; i < x->ncells; i++) {
		struct cell *c = &x->cells[i];
		int kind = LAB_DUP;
		long f = -1;

		if (c->s >= c->e)
			continue;
		if (c->matched)
			f = resolve(x, c->m.lo, c->m.hi,
			    row >= 0 ? row : x->rowctx, &kind);
		if (c->matched && kind != LAB_DUP) {
			if (!labels && x->row.len > 0) {
				const char *ts, *te;

				/* Text before the first label: the open answer. */
				row_text(x, &ts, &te);
				content_line(x, ts, te);
				row_reset(x);
			}
			labels = 1;
			row_flush(x, cur);
			cur = -1;
			x->any_label = 1;
			if (kind == LAB_BOUNDARY) {
				row = -1;
				x->rowctx = -1;
				last = -1;
				continue;
			}
			if (kind == LAB_ROW) {
				row = f;
				x->rowctx = f;
				rowpos = 0;
				if (c->m.vs != NULL && (f = row_field(x, row, 0)) >= 0) {
					mark_seen(x, f);
					append_line(x, f, c->m.vs, c->m.ve);
					last = f;
				}
				continue;
			}
			cur = last = f;
			lastnum = c->m.number;
			if (kind == LAB_FIELD)
				x->rowctx = x->frow[f];
			mark_seen(x, f);
			if (c->m.vs != NULL)
				row_add(x, c->m.vs, c->m.ve);
			continue;
		}
		if (cur >= 0) {
			row_add(x, c->s, c->e);
		} else if (row >= 0) {
			f = row_field(x, row, rowpos);
			if (f >= 0) {
				mark_seen(x, f);
				append_line(x, f, c->s, c->e);
				last = f;
			} else
				rowpos++;
		} else if (!labels) {
			/* Text before any label on the row: the open answer. */
			row_add(x, c->s, c->e);
		}
	}
	if (!labels) {
		long o = x->open;

		if (x->row.len > 0 && o >= 0) {
			const char *ts, *te;

			row_text(x, &ts, &te);
			content_line(x, ts, te);
		}
		row_reset(x);
		return;
	}
	row_flush(x, cur);
	x->open = lastnum ? -1 : last;
	x->instr = 0;
}

/* Answers under a header row, cell by cell: "Name:\tD.O.B:" then values. */
static void
value_row(struct ext *x)
{
	long row = -1, last = -1;
	size_t first = SIZE_MAX, shift = 0;

	for (size_t i = 0; i < x->ncells; i++)
		if (x->cells[i].s < x->cells[i].e) {
			first = i;
			break;
		}
	if (first != SIZE_MAX && x->cells[first].matched) {
		int kind;
		long g = resolve(x, x->cells[first].m.lo, x->cells[first].m.hi,
		    -1, &kind);

		if (kind == LAB_ROW)
			row = g;
	}
	/* A header without the empty corner cell above the row names. */
	if (row >= 0 && first == 0 && x->nhcells > 0 && x->hcells[0].valid)
		shift = 1;
	for (size_t i = shift; i < x->ncells && i - shift < x->nhcells; i++) {
		struct cell *c = &x->cells[i];
		const struct hcell *h = &x->hcells[i - shift];
		int kind;
		long f;

		if (i == first && row >= 0)
			continue;
		if (c->s >= c->e || !h->valid)
			continue;
		f = resolve(x, h->lo, h->hi, row, &kind);
		if (kind != LAB_FIELD && kind != LAB_COLUMN)
			continue;
		mark_seen(x, f);
		append_line(x, f, c->s, c->e);
		last = f;
	}
	x->hused = 1;
	x->rowctx = row;
	x->open = last;
	x->instr = 0;
}

/* The pending header row had no values under it: read it as labels. */
static void
flush_header(struct ext *x)
{
	const char *s = x->hs, *e = x->he;

	if (s == NULL)
		return;
	x->hs = x->he = NULL;
	if (!x->hused) {
		split_cells(x, s, e);
		ordinary_row(x);
	}
	x->hused = 0;
}

static void plain_line(struct ext *, const char *, const char *, const char *,
	    const char *, const char **);

/* A line with tabs in it. */
static void
tab_line(struct ext *x, const char *s, const char *e, const char *next,
    const char *end, const char **nextp)
{
	size_t nonempty = 0, nlab = 0, alone = 0, other = 0;
	int rowfirst = 0;

	split_cells(x, s, e);
	for (size_t i = 0; i < x->ncells; i++) {
		struct cell *c = &x->cells[i];

		if (c->s >= c->e)
			continue;
		if (c->matched && nonempty == 0 && range_has(x, &c->m, LAB_ROW) &&
		    !range_has(x, &c->m, LAB_FIELD) &&
		    !range_has(x, &c->m, LAB_COLUMN))
			rowfirst = 1;
		else if (c->matched) {
			nlab++;
			if (c->m.vs == NULL && !range_has(x, &c->m, LAB_BOUNDARY) &&
			    !range_has(x, &c->m, LAB_ROW))
				alone++;
		} else
			other++;
		nonempty++;
	}
	if (x->hs != NULL) {
		if (nlab == 0 && nonempty > 0) {
			value_row(x);
			return;
		}
		flush_header(x);
		split_cells(x, s, e);
	}
	if (nonempty == 0)
		return;
	if (nonempty == 1 && !rowfirst) {
		const char *cs = s, *ce = e;

		single_cell(&cs, &ce);
		plain_line(x, cs, ce, next, end, nextp);
		return;
	}
	if (!rowfirst && other == 0 && nlab >= 2 && alone == nlab) {
		/* Keep the column positions for the row that may follow. */
		x->hcells = xreallocarray(x->hcells, x->ncells + 1,
		    sizeof(*x->hcells));
		x->nhcells = x->ncells;
		for (size_t i = 0; i < x->ncells; i++) {
			x->hcells[i].valid = x->cells[i].matched;
			x->hcells[i].lo = x->cells[i].m.lo;
			x->hcells[i].hi = x->cells[i].m.hi;
		}
		x->hs = s;
		x->he = e;
		x->hused = 0;
		return;
	}
	ordinary_row(x);	/* x->cells holds this line's cells */
}

/* A line without tabs (or with one cell): a label, or more of an answer. */
static void
plain_line(struct ext *x, const char *s, const char *e, const char *next,
    const char *end, const char **nextp)
{
	struct lmatch m;
	size_t n0;

	if (x->hs != NULL)
		flush_header(x);
	if (s >= e) {
		content_line(x, s, e);
		return;
	}
	/* A long label wrapped over two or three lines. */
	if (label_prefix(x, s, e, &n0)) {
		const char *p = next, *pe, *pn = next;
		size_t n;
		int k;

		sb_reset(&x->join);
		sb_add(&x->join, s, (size_t)(e - s));
		for (k = 0; k < 2 && p < end; k++, p = pn) {
			const char *a, *b;

			pe = text_line_end(p, end, &pn);
			a = p;
			b = pe;
			if (!single_cell(&a, &b) || a >= b ||
			    (x->any_label && quote_signoff(p, pe)))
				break;
			sb_addc(&x->join, ' ');
			sb_add(&x->join, a, (size_t)(b - a));
			if (match_cell(x, x->join.buf, x->join.buf + x->join.len,
			    1, &m) && x->labs[m.lo].len > n0) {
				take_label(x, &m, x->join.buf,
				    x->join.buf + x->join.len);
				*nextp = pn;
				return;
			}
			if (!label_prefix(x, x->join.buf, x->join.buf + x->join.len,
			    &n))
				break;
		}
	}
	if (match_cell(x, s, e, 1, &m)) {
		take_label(x, &m, s, e);
		return;
	}
	content_line(x, s, e);
}

/* Only rule characters: "---", "===", "| --- |", "____". */
static int
is_rule(const char *s, const char *e)
{
	if (e - s < 2)
		return 0;
	for (const char *p = s; p < e; p++)
		if (strchr("-=_|*~+# \t", *p) == NULL)
			return 0;
	return 1;
}

static void
result_add_problem(struct form_result *r, const struct form_field_def *def,
    const char *reason, const char *raw)
{
	struct form_problem *p;

	r->problems = xreallocarray(r->problems, r->nproblems + 1,
	    sizeof(*r->problems));
	p = &r->problems[r->nproblems++];
	p->def = def;
	p->reason = xstrdup(reason);
	p->raw = raw ? xstrdup(raw) : NULL;
}

/* "N/A", "-", "not known": no answer. */
static int
unanswered(const char *v, enum form_field_type t)
{
	static const char *const any[] = { "n a", "na", "not applicable", NULL };
	static const char *const typed[] = {
		"none", "not known", "unknown", "tbc", "to be confirmed", "nil",
		"to follow", "not available", NULL
	};
	char buf[24];
	size_t n;
	int all;

	n = text_norm(v, v + strlen(v), buf, sizeof(buf) - 1, NULL, &all);
	if (!all)
		return 0;
	buf[n] = '\0';
	if (n == 0)
		return 1;
	for (const char *const *p = any; *p; p++)
		if (strcmp(buf, *p) == 0)
			return 1;
	for (const char *const *p = typed; t != FIELD_TEXT && *p; p++)
		if (strcmp(buf, *p) == 0)
			return 1;
	return 0;
}

struct form_result *
form_extract(const struct form_def *def, const char *text)
{
	struct form_result *r = xcalloc(1, sizeof(*r));
	struct ext x;
	const char *p, *e, *next, *end;
	char *records;

	r->def = def;
	if (def == NULL)
		return r;
	if (text == NULL)
		text = "";
	/* Records written a part a line become a line each first. */
	if ((records = records_rewrite(def, text)) != NULL)
		text = records;
	ext_init(&x, def);
	/* The sender's own text, up to a sign-off once a label was read. */
	end = text + quote_own_len(text);
	for (p = text; p < end; p = next) {
		const char *a, *b;

		e = text_line_end(p, end, &next);
		if (x.any_label && quote_signoff(p, e))
			break;
		a = p;
		b = e;
		text_trim(&a, &b);
		if (a >= b || is_rule(a, b)) {
			if (x.hs == NULL)
				content_line(&x, a, a);
			continue;
		}
		if (memchr(a, '\t', (size_t)(b - a)) != NULL)
			tab_line(&x, p, e, next, end, &next);
		else
			plain_line(&x, a, b, next, end, &next);
	}
	flush_header(&x);

	r->values = xcalloc(def->nfields + 1, sizeof(*r->values));
	for (size_t i = 0; i < def->nfields; i++) {
		const struct form_field_def *f = &def->fields[i];
		const char *reason;
		char *raw, *val;

		raw = sb_steal(&x.fs[i].v);
		str_trim(raw);
		if (raw[0] == '\0' || unanswered(raw, f->type)) {
			if (f->required)
				result_add_problem(r, f, "missing", NULL);
			free(raw);
			continue;
		}
		if (form_normalise(f->type, raw, &val, &reason) != 0) {
			result_add_problem(r, f, reason, raw);
			free(raw);
			continue;
		}
		r->values[r->nvalues].def = f;
		r->values[r->nvalues].value = val;
		r->values[r->nvalues].raw = raw;
		r->nvalues++;
	}
	ext_free(&x);
	free(records);
	return r;
}

void
form_result_free(struct form_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nvalues; i++) {
		free(r->values[i].value);
		free(r->values[i].raw);
	}
	free(r->values);
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].reason);
		free(r->problems[i].raw);
	}
	free(r->problems);
	free(r);
}

const char *
form_result_get(const struct form_result *r, const char *name)
{
	if (r == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i].def->name, name) == 0)
			return r->values[i].value;
	return NULL;
}
