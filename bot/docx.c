/*
 * docx: turns a Word .docx attachment into the text layout form.c reads.
 * The package is opened from memory with libzip; its main part (named by
 * _rels/.rels, else word/document.xml) is inflated only once its declared
 * size and compression ratio are within the limits, and is counted again
 * while it is read, so a zip bomb or a lying directory costs nothing.
 * libxml2 parses the part with no network, no DTD and no entity loading (a
 * DOCTYPE, which Word never writes, stops the parse).  The body is then
 * walked in order: a paragraph is a line (w:tab a TAB, w:br a newline); a
 * table row is a line of cells separated by TABs, a merged cell (gridSpan,
 * vMerge, gridBefore) leaving empty cells so the others keep their columns;
 * a nested table's rows are lines of their own; content controls give their
 * text (placeholders none), check boxes "[x]" / "[ ]", struck-through runs
 * "~~text~~"; deleted revisions and hidden text are left out.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "docx.h"
#include "util.h"

#define MAIN_PART	"word/document.xml"
#define RELS_PART	"_rels/.rels"
#define RELS_MAX	(1024 * 1024)	/* bytes of _rels/.rels */
#define RATIO_GRACE	(64 * 1024)	/* smaller parts are never bombs */
#define READ_CHUNK	(64 * 1024)
#define MAX_TABLES	16		/* tables nested in tables */
#define MAX_SPAN	64		/* columns one merged cell stands for */

static const char *const w_ns[] = {
	"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
	"http://purl.oclc.org/ooxml/wordprocessingml/main",	/* Strict */
	NULL
};
#define W14_NS	"http://schemas.microsoft.com/office/word/2010/wordml"
#define REL_NS	"http://schemas.openxmlformats.org/package/2006/relationships"
#define REL_NS_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"

/* What the walk of the body collects: lines, in order. */
struct block {
	char	*text;
	int	 row;		/* a table row: TABs separate its cells */
};

struct blocks {
	struct block	*v;
	size_t		 n, cap;
};

struct cell {
	struct blocks	 b;
	unsigned	 span;		/* grid columns it covers */
	int		 nested;	/* holds a table */
};

struct row {
	struct cell	*v;
	size_t		 n, cap;
};

/* A paragraph being written. */
struct para {
	struct strbuf	 sb;
	int		 struck;	/* a "~~" is open */
	int		 mark;		/* a box was just written */
};

struct walk {
	int	 tables;	/* tables open around the current node */
	int	 toodeep;
};

enum join { JOIN_SPACES, JOIN_LINES, JOIN_ASIS };

/* ------------------------------------------------------------------ */
/* XML helpers.                                                        */

static int
ns_is(const xmlNs *ns, const char *uri)
{
	return ns != NULL && ns->href != NULL &&
	    strcmp((const char *)ns->href, uri) == 0;
}

static int
in_w(const xmlNs *ns)
{
	for (const char *const *u = w_ns; *u != NULL; u++)
		if (ns_is(ns, *u))
			return 1;
	return 0;
}

/* Is n the WordprocessingML element `name` (any, when name is NULL)? */
static int
is_w(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && in_w(n->ns) &&
	    (name == NULL || strcmp((const char *)n->name, name) == 0);
}

static int
is_w14(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    ns_is(n->ns, W14_NS) && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *
w_child(const xmlNode *n, const char *name)
{
	if (n == NULL)
		return NULL;
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (is_w(c, name))
			return c;
	return NULL;
}

/* Attribute `name` (w:, w14: or without a namespace), or NULL. */
static const char *
attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		const xmlNode *v = a->children;

		if (strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->ns != NULL && !in_w(a->ns) && !ns_is(a->ns, W14_NS) &&
		    !ns_is(a->ns, REL_NS) && !ns_is(a->ns, REL_NS_STRICT))
			continue;
		if (v != NULL && v->type == XML_TEXT_NODE && v->next == NULL &&
		    v->content != NULL)
			return (const char *)v->content;
		return "";
	}
	return NULL;
}

/* An on/off property (w:strike, w:vanish, w14:checked): absent is off,
 * present without a value on. */
static int
is_on(const xmlNode *n)
{
	const char *v;

	if (n == NULL)
		return 0;
	if ((v = attr(n, "val")) == NULL)
		return 1;
	return strcmp(v, "0") != 0 && strcmp(v, "false") != 0 &&
	    strcmp(v, "off") != 0;
}

/* A decimal w:val (gridSpan, gridBefore) between 0 and MAX_SPAN, else def. */
static unsigned
num_val(const xmlNode *n, unsigned def)
{
	const char *v;
	unsigned x = 0;

	if (n == NULL || (v = attr(n, "val")) == NULL || *v == '\0')
		return def;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return def;
		x = x * 10 + (unsigned)(*v - '0');
		if (x > MAX_SPAN)
			x = MAX_SPAN;
	}
	return x;
}

/* A container that only wraps what it holds (a content control, tracked
 * insertion, custom XML): the node whose children to read, or NULL. */
static const xmlNode *
unwrap(const xmlNode *c)
{
	if (is_w(c, "sdt"))
		return w_child(c, "sdtContent");
	if (is_w(c, "sdtContent") || is_w(c, "customXml") || is_w(c, "ins") ||
	    is_w(c, "moveTo") || is_w(c, "smartTag"))
		return c;
	return NULL;
}

/* Elements with no text of the document's own: properties, deletions. */
static int
skipped(const xmlNode *c)
{
	static const char *const names[] = {
		"del", "moveFrom", "pPr", "rPr", "sdtPr", "sdtEndPr", "tblPr",
		"tblGrid", "trPr", "tcPr", "sectPr", "customXmlPr",
		"smartTagPr", NULL
	};

	for (const char *const *p = names; *p != NULL; p++)
		if (strcmp((const char *)c->name, *p) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Paragraphs.                                                         */

static void
para_text(struct para *p, const char *s, size_t n, int strike)
{
	if (n == 0)
		return;
	if (strike && !p->struck) {
		size_t i = 0;

		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i == n)
			strike = 0;	/* no "~~ ~~" around spaces */
	}
	if (p->mark && !isspace((unsigned char)*s))
		sb_addc(&p->sb, ' ');
	p->mark = 0;
	if (strike != p->struck) {
		sb_adds(&p->sb, "~~");
		p->struck = strike;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Line breaks are w:br; other controls never belong. */
		sb_addc(&p->sb, (c < 0x20 && c != '\t') || c == 0x7f ?
		    ' ' : (char)c);
	}
}

static void
para_break(struct para *p, char c)
{
	if (p->struck) {
		sb_adds(&p->sb, "~~");
		p->struck = 0;
	}
	sb_addc(&p->sb, c);
	p->mark = 0;
}

/* A check box: "[x]" or "[ ]", apart from the words around it. */
static void
para_mark(struct para *p, int checked)
{
	if (p->struck) {
		sb_adds(&p->sb, "~~");
		p->struck = 0;
	}
	if (p->sb.len > 0 && !isspace((unsigned char)p->sb.buf[p->sb.len - 1]))
		sb_addc(&p->sb, ' ');
	sb_adds(&p->sb, checked ? "[x]" : "[ ]");
	p->mark = 1;
}

static char *
para_done(struct para *p)
{
	if (p->struck)
		sb_adds(&p->sb, "~~");
	p->struck = 0;
	return sb_steal(&p->sb);
}

/* A box drawn with a symbol font (w:sym): 1 ticked, 0 empty, -1 other. */
static int
sym_box(const xmlNode *n)
{
	const char *font = attr(n, "font"), *ch = attr(n, "char");
	unsigned long c;
	char *end;

	if (font == NULL || ch == NULL || *ch == '\0')
		return -1;
	c = strtoul(ch, &end, 16);
	if (*end != '\0')
		return -1;
	if (str_casecmp(font, "Wingdings 2") == 0) {
		c &= 0xff;	/* F0xx: the font's own code points */
		if (c == 0x50 || c == 0x52 || c == 0x53 || c == 0x54)
			return 1;
		return c == 0xa3 ? 0 : -1;
	}
	if (str_casecmp(font, "Wingdings") == 0) {
		c &= 0xff;
		if (c == 0xfe || c == 0xfd || c == 0xfc || c == 0x78)
			return 1;
		return c == 0xa8 || c == 0x6f || c == 0x71 ? 0 : -1;
	}
	if (c == 0x2611 || c == 0x2612 || c == 0x2713 || c == 0x2714)
		return 1;
	return c == 0x2610 ? 0 : -1;
}

/* A legacy form field check box starting at this w:fldChar: 1 ticked,
 * 0 not, -1 not a check box.  w:checked overrides w:default. */
static int
field_box(const xmlNode *n)
{
	const char *type = attr(n, "fldCharType");
	const xmlNode *cb, *v;

	if (type == NULL || strcmp(type, "begin") != 0)
		return -1;
	cb = w_child(w_child(n, "ffData"), "checkBox");
	if (cb == NULL)
		return -1;
	if ((v = w_child(cb, "checked")) != NULL)
		return is_on(v);
	return is_on(w_child(cb, "default"));
}

/* A content control's check box: 1 ticked, 0 not, -1 not a check box. */
static int
sdt_box(const xmlNode *sdt)
{
	const xmlNode *pr = w_child(sdt, "sdtPr");

	for (const xmlNode *c = pr ? pr->children : NULL; c; c = c->next) {
		if (!is_w14(c, "checkbox"))
			continue;
		for (const xmlNode *d = c->children; d != NULL; d = d->next)
			if (is_w14(d, "checked"))
				return is_on(d);
		return 0;
	}
	return -1;
}

/* Is the content control showing its placeholder ("Click or tap here")? */
static int
sdt_placeholder(const xmlNode *sdt)
{
	return is_on(w_child(w_child(sdt, "sdtPr"), "showingPlcHdr"));
}

static void
run_walk(const xmlNode *r, struct para *p)
{
	const xmlNode *rpr = w_child(r, "rPr");
	int strike, k;

	if (is_on(w_child(rpr, "vanish")))
		return;			/* hidden text */
	strike = is_on(w_child(rpr, "strike")) || is_on(w_child(rpr, "dstrike"));
	for (const xmlNode *c = r->children; c != NULL; c = c->next) {
		if (!is_w(c, NULL))
			continue;
		if (is_w(c, "t")) {
			for (const xmlNode *t = c->children; t; t = t->next)
				if ((t->type == XML_TEXT_NODE ||
				    t->type == XML_CDATA_SECTION_NODE) &&
				    t->content != NULL)
					para_text(p, (const char *)t->content,
					    strlen((const char *)t->content),
					    strike);
		} else if (is_w(c, "tab") || is_w(c, "ptab"))
			para_break(p, '\t');
		else if (is_w(c, "br") || is_w(c, "cr"))
			para_break(p, '\n');
		else if (is_w(c, "noBreakHyphen"))
			para_text(p, "-", 1, strike);
		else if (is_w(c, "sym")) {
			if ((k = sym_box(c)) >= 0)
				para_mark(p, k);
		} else if (is_w(c, "fldChar")) {
			if ((k = field_box(c)) >= 0)
				para_mark(p, k);
		}
		/* w:instrText (field codes), w:delText, drawings: no text. */
	}
}

/* The runs of a paragraph, through hyperlinks, fields, content controls,
 * smart tags and insertions.  Depth is bounded by libxml2's own limit. */
static void
inline_walk(const xmlNode *n, struct para *p)
{
	int k;

	if (n == NULL)
		return;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (!is_w(c, NULL) || skipped(c))
			continue;
		if (is_w(c, "r"))
			run_walk(c, p);
		else if (is_w(c, "sdt")) {
			if ((k = sdt_box(c)) >= 0)
				para_mark(p, k);
			else if (!sdt_placeholder(c))
				inline_walk(w_child(c, "sdtContent"), p);
		} else
			inline_walk(c, p);
	}
}

/* ------------------------------------------------------------------ */
/* Blocks: paragraphs and tables.                                      */

static void
blocks_add(struct blocks *b, char *text, int row)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	b->v[b->n].text = text;
	b->v[b->n].row = row;
	b->n++;
}

static void
blocks_free(struct blocks *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].text);
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static void block_walk(struct walk *, const xmlNode *, struct blocks *);

static int
cell_empty(const struct cell *c)
{
	for (size_t i = 0; i < c->b.n; i++)
		if (!blank(c->b.v[i].text))
			return 0;
	return 1;
}

/*
 * Appends a cell's paragraphs: JOIN_SPACES on one line (TABs and breaks
 * become spaces, and "Label:" over "(a note)" becomes "Label (a note):" so
 * the label keeps its colon), JOIN_LINES one paragraph a line (TABs become
 * spaces, so the row's columns stay put), JOIN_ASIS one a line, as written.
 */
static void
cell_add(struct strbuf *sb, const struct cell *c, enum join how)
{
	int first = 1, gap = 0;

	for (size_t i = 0; i < c->b.n; i++) {
		const char *s = c->b.v[i].text, *e = s + strlen(s);
		int note = 0;

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e) {
			gap = !first;
			continue;
		}
		if (!first && how == JOIN_SPACES) {
			note = sb->buf[sb->len - 1] == ':' && *s == '(' &&
			    e[-1] == ')';
			if (note)
				sb->buf[--sb->len] = '\0';
			sb_addc(sb, ' ');
		} else if (!first)
			sb_adds(sb, gap ? "\n\n" : "\n");
		for (const char *p = s; p < e; p++) {
			char ch = *p;

			if (how != JOIN_ASIS && (ch == '\t' ||
			    (ch == '\n' && how == JOIN_SPACES)))
				ch = ' ';
			sb_addc(sb, ch);
		}
		if (note)
			sb_addc(sb, ':');
		first = 0;
		gap = 0;
	}
}

/*
 * One line for cells c[0..n): `before` empty columns, then the cells, each
 * followed by as many TABs as it spans; trailing empty cells are dropped.
 * A lone cell keeps its layout; in a row of several, the last one's
 * paragraphs go on the lines below (form.c reads them as the rest of that
 * answer) and the others' are joined by spaces.
 */
static void
seg_emit(const struct cell *c, size_t n, unsigned before, struct blocks *out)
{
	struct strbuf sb = { NULL, 0, 0 };
	size_t last = 0, nonempty = 0;

	for (size_t i = 0; i < n; i++)
		if (!cell_empty(&c[i])) {
			last = i;
			nonempty++;
		}
	if (nonempty == 0)
		return;
	for (unsigned k = 0; k < before; k++)
		sb_addc(&sb, '\t');
	for (size_t i = 0; i <= last; i++) {
		if (i > 0)
			for (unsigned k = 0; k < c[i - 1].span; k++)
				sb_addc(&sb, '\t');
		cell_add(&sb, &c[i], nonempty == 1 ? JOIN_ASIS :
		    i == last ? JOIN_LINES : JOIN_SPACES);
	}
	blocks_add(out, sb_steal(&sb), 1);
}

/* A row: cells holding a table split it, their lines coming in between. */
static void
row_emit(struct row *r, unsigned before, struct blocks *out)
{
	size_t a = 0;

	if (r->n == 0)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct cell *c = &r->v[i];

		if (!c->nested)
			continue;
		seg_emit(r->v + a, i - a, a == 0 ? before : 0, out);
		for (size_t k = 0; k < c->b.n; k++) {
			if (c->b.v[k].row || !blank(c->b.v[k].text)) {
				blocks_add(out, c->b.v[k].text, c->b.v[k].row);
				c->b.v[k].text = NULL;
			}
		}
		a = i + 1;
	}
	seg_emit(r->v + a, r->n - a, a == 0 ? before : 0, out);
}

static void
cells_walk(struct walk *w, const xmlNode *n, struct row *r)
{
	const xmlNode *u;

	if (n == NULL)
		return;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		const xmlNode *pr, *vm, *hm;
		struct cell *cell;
		const char *v;
		int cont;

		if (!is_w(c, "tc")) {
			if ((u = unwrap(c)) != NULL)
				cells_walk(w, u, r);
			continue;
		}
		pr = w_child(c, "tcPr");
		if (w_child(pr, "cellDel") != NULL)
			continue;	/* a deleted revision */
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 8;
			r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
		}
		cell = &r->v[r->n++];
		memset(cell, 0, sizeof(*cell));
		cell->span = num_val(w_child(pr, "gridSpan"), 1);
		if (cell->span == 0)
			cell->span = 1;
		/* The continuation of a merged cell: its text is the first
		 * cell's, so it stays empty and only holds the column. */
		vm = w_child(pr, "vMerge");
		hm = w_child(pr, "hMerge");
		cont = (vm != NULL && ((v = attr(vm, "val")) == NULL ||
		    strcmp(v, "continue") == 0)) ||
		    (hm != NULL && ((v = attr(hm, "val")) == NULL ||
		    strcmp(v, "continue") == 0));
		if (cont)
			continue;
		block_walk(w, c, &cell->b);
		for (size_t k = 0; k < cell->b.n; k++)
			if (cell->b.v[k].row)
				cell->nested = 1;
	}
}

static void
row_walk(struct walk *w, const xmlNode *tr, struct blocks *out)
{
	const xmlNode *pr = w_child(tr, "trPr");
	struct row r = { NULL, 0, 0 };

	if (w_child(pr, "del") != NULL)
		return;		/* a deleted revision */
	cells_walk(w, tr, &r);
	row_emit(&r, num_val(w_child(pr, "gridBefore"), 0), out);
	for (size_t i = 0; i < r.n; i++)
		blocks_free(&r.v[i].b);
	free(r.v);
}

static void
rows_walk(struct walk *w, const xmlNode *n, struct blocks *out)
{
	const xmlNode *u;

	if (n == NULL)
		return;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (is_w(c, "tr"))
			row_walk(w, c, out);
		else if ((u = unwrap(c)) != NULL)
			rows_walk(w, u, out);
	}
}

/* Paragraphs, tables and the containers around them, in order. */
static void
block_walk(struct walk *w, const xmlNode *n, struct blocks *out)
{
	struct para p;
	int k;

	if (n == NULL)
		return;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (!is_w(c, NULL) || skipped(c))
			continue;
		if (is_w(c, "p")) {
			memset(&p, 0, sizeof(p));
			inline_walk(c, &p);
			blocks_add(out, para_done(&p), 0);
		} else if (is_w(c, "tbl")) {
			if (w->tables >= MAX_TABLES) {
				w->toodeep = 1;
				continue;
			}
			w->tables++;
			rows_walk(w, c, out);
			w->tables--;
		} else if (is_w(c, "sdt")) {
			if ((k = sdt_box(c)) >= 0)
				blocks_add(out, xstrdup(k ? "[x]" : "[ ]"), 0);
			else if (!sdt_placeholder(c))
				block_walk(w, w_child(c, "sdtContent"), out);
		} else
			block_walk(w, c, out);
	}
}

/* ------------------------------------------------------------------ */
/* The package.                                                        */

static void
quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static void
refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *pub,
    const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)pub;
	(void)sys;
	*(int *)ctxt->_private = 1;
	xmlStopParser(ctxt);
}

/* Parses a part: no network, no DTD, no entities, no messages on stderr. */
static xmlDoc *
parse_xml(const char *buf, size_t len, const char *name, char *err,
    size_t errlen)
{
	xmlParserCtxtPtr ctxt;
	xmlDoc *doc;
	int dtd = 0;

	if (len > INT_MAX || (ctxt = xmlNewParserCtxt()) == NULL) {
		errf(err, errlen, "damaged: %s cannot be read", name);
		return NULL;
	}
	ctxt->_private = &dtd;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->serror = quiet;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (dtd) {
		xmlFreeDoc(doc);
		doc = NULL;
		errf(err, errlen, "damaged: %s has a DOCTYPE, which Word never "
		    "writes (refused: its entities are not loaded)", name);
	} else if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
		errf(err, errlen, "damaged: %s is not well-formed XML", name);
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* Would size bytes from comp compressed ones break the ratio? */
static int
too_packed(zip_uint64_t size, zip_uint64_t comp, unsigned ratio)
{
	if (size <= RATIO_GRACE)
		return 0;
	return comp == 0 || (size - 1) / comp >= ratio;
}

/*
 * Inflates entry idx into *out (NUL-terminated) after checking its declared
 * size and ratio; while reading, more bytes than declared is refused.
 */
static int
read_entry(zip_t *za, zip_int64_t idx, size_t max, unsigned ratio,
    char **out, size_t *lenp, char *err, size_t errlen)
{
	zip_stat_t st;
	zip_file_t *zf = NULL;
	char *buf = NULL;
	zip_uint64_t n = 0;

	zip_stat_init(&st);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 ||
	    (st.valid & ZIP_STAT_SIZE) == 0 ||
	    (st.valid & ZIP_STAT_COMP_SIZE) == 0) {
		errf(err, errlen, "damaged: the zip directory cannot be read");
		goto fail;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 &&
	    st.encryption_method != ZIP_EM_NONE) {
		errf(err, errlen, "damaged: the document is encrypted");
		goto fail;
	}
	if (too_packed(st.size, st.comp_size, ratio)) {
		errf(err, errlen, "compression ratio over %u: refused as a "
		    "zip bomb", ratio);
		goto fail;
	}
	if (st.size > max) {
		errf(err, errlen, "document larger than %zu bytes when "
		    "unpacked", max);
		goto fail;
	}
	buf = xmalloc((size_t)st.size + 1);
	if ((zf = zip_fopen_index(za, (zip_uint64_t)idx, 0)) == NULL) {
		errf(err, errlen, "damaged: %s", zip_strerror(za));
		goto fail;
	}
	for (;;) {
		zip_uint64_t want = st.size + 1 - n;
		zip_int64_t got;

		if (want > READ_CHUNK)
			want = READ_CHUNK;
		got = zip_fread(zf, buf + n, want);
		if (got < 0) {
			errf(err, errlen, "damaged: %s", zip_file_strerror(zf));
			goto fail;
		}
		if (got == 0)
			break;
		n += (zip_uint64_t)got;
		if (n > st.size) {
			/* The directory lied about the size. */
			if (too_packed(n, st.comp_size, ratio))
				errf(err, errlen, "compression ratio over %u: "
				    "refused as a zip bomb", ratio);
			else
				errf(err, errlen, "damaged: a part is larger "
				    "than the zip directory says");
			goto fail;
		}
	}
	if (n != st.size) {
		errf(err, errlen, "damaged: a part is shorter than the zip "
		    "directory says");
		goto fail;
	}
	if (zip_fclose(zf) != 0) {
		zf = NULL;
		errf(err, errlen, "damaged: a part fails its checksum");
		goto fail;
	}
	buf[n] = '\0';
	*out = buf;
	*lenp = (size_t)n;
	return 0;
fail:
	if (zf != NULL)
		zip_fclose(zf);
	free(buf);
	return -1;
}

/* The main document part named in _rels/.rels ("word/document.xml" in
 * almost every file), or NULL when there is no usable one. */
static char *
main_part(zip_t *za, unsigned ratio)
{
	zip_int64_t idx;
	xmlDoc *doc = NULL;
	const xmlNode *root;
	char *buf = NULL, *found = NULL, junk[8];
	size_t len;

	if ((idx = zip_name_locate(za, RELS_PART, ZIP_FL_NOCASE)) < 0 ||
	    read_entry(za, idx, RELS_MAX, ratio, &buf, &len, junk,
	    sizeof(junk)) != 0 ||
	    (doc = parse_xml(buf, len, RELS_PART, junk, sizeof(junk))) == NULL)
		goto fail;
	root = xmlDocGetRootElement(doc);
	for (const xmlNode *c = root->children; c != NULL; c = c->next) {
		const char *type, *target, *mode;
		size_t tl;

		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "Relationship") != 0 ||
		    (type = attr(c, "Type")) == NULL ||
		    (target = attr(c, "Target")) == NULL)
			continue;
		tl = strlen(type);
		if (tl < 15 || strcmp(type + tl - 15, "/officeDocument") != 0)
			continue;
		if ((mode = attr(c, "TargetMode")) != NULL &&
		    str_casecmp(mode, "External") == 0)
			continue;
		while (*target == '/')
			target++;
		if (strncmp(target, "./", 2) == 0)
			target += 2;
		if (*target != '\0')
			found = xstrdup(target);
		break;
	}
fail:
	xmlFreeDoc(doc);
	free(buf);
	return found;
}

int
docx_to_text(const char *data, size_t len, const struct docx_limits *lim,
    char **out, char *err, size_t errlen)
{
	struct docx_limits l = docx_default_limits;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	zip_error_t ze;
	zip_int64_t idx = -1;
	xmlDoc *doc = NULL;
	const xmlNode *root, *body;
	struct blocks blocks = { NULL, 0, 0 };
	struct walk w = { 0, 0 };
	struct strbuf sb = { NULL, 0, 0 };
	char *part = NULL, *xml = NULL;
	size_t xlen;
	int rc = -1;

	*out = NULL;
	if (lim != NULL) {
		if (lim->max_unpacked != 0)
			l.max_unpacked = lim->max_unpacked;
		if (lim->max_ratio != 0)
			l.max_ratio = lim->max_ratio;
		if (lim->max_entries != 0)
			l.max_entries = lim->max_entries;
	}
	if (l.max_unpacked > INT_MAX - 1)
		l.max_unpacked = INT_MAX - 1;	/* what libxml2 can take */
	zip_error_init(&ze);
	if (data == NULL || len < 4 || memcmp(data, "PK\3\4", 4) != 0) {
		if (data != NULL && len >= 8 &&
		    memcmp(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
			errf(err, errlen, "not a Word .docx file (an older "
			    ".doc, or a password-protected document)");
		else
			errf(err, errlen, "not a Word .docx file");
		goto fail;
	}
	if ((src = zip_source_buffer_create(data, len, 0, &ze)) == NULL ||
	    (za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS,
	    &ze)) == NULL) {
		if (zip_error_code_zip(&ze) == ZIP_ER_NOZIP)
			errf(err, errlen, "damaged: the file is cut short "
			    "(no zip directory)");
		else
			errf(err, errlen, "damaged: %s", zip_error_strerror(&ze));
		goto fail;
	}
	src = NULL;		/* the archive owns it now */
	if (zip_get_num_entries(za, 0) < 0 ||
	    (zip_uint64_t)zip_get_num_entries(za, 0) > l.max_entries) {
		errf(err, errlen, "more than %zu files in the .docx: refused "
		    "as a zip bomb", l.max_entries);
		goto fail;
	}
	if ((part = main_part(za, l.max_ratio)) != NULL)
		idx = zip_name_locate(za, part, ZIP_FL_NOCASE);
	if (idx < 0)
		idx = zip_name_locate(za, MAIN_PART, ZIP_FL_NOCASE);
	if (idx < 0) {
		errf(err, errlen, "not a Word .docx file (no %s in it)",
		    MAIN_PART);
		goto fail;
	}
	if (read_entry(za, idx, l.max_unpacked, l.max_ratio, &xml, &xlen, err,
	    errlen) != 0)
		goto fail;
	if ((doc = parse_xml(xml, xlen, MAIN_PART, err, errlen)) == NULL)
		goto fail;
	root = xmlDocGetRootElement(doc);
	if (!is_w(root, "document")) {
		errf(err, errlen, "not a Word .docx file (its main part is "
		    "not a Word document)");
		goto fail;
	}
	if ((body = w_child(root, "body")) != NULL)
		block_walk(&w, body, &blocks);
	if (w.toodeep) {
		errf(err, errlen, "damaged: tables nested more than %d deep",
		    MAX_TABLES);
		goto fail;
	}
	for (size_t i = 0; i < blocks.n; i++) {
		sb_adds(&sb, blocks.v[i].text);
		sb_addc(&sb, '\n');
	}
	*out = sb_steal(&sb);
	rc = 0;
fail:
	blocks_free(&blocks);
	sb_reset(&sb);
	xmlFreeDoc(doc);
	free(xml);
	free(part);
	if (za != NULL)
		zip_discard(za);
	zip_source_free(src);
	zip_error_fini(&ze);
	return rc;
}
