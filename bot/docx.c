/*
 * docx: turns a Word .docx attachment into the text layout form.c reads.
 * The package is opened from memory with libzip; its main part (named by
 * _rels/.rels, else word/document.xml) is inflated only once its declared
 * size and compression ratio are within the limits, and is counted again
 * while it is read, so a zip bomb or a lying directory costs nothing.
 * libxml2 parses the part with no network, no DTD and no entity loading (a
 * DOCTYPE, which Word never writes, stops the parse).  The body is then
 * walked in order: a paragraph is a line (w:tab a TAB, w:br a newline),
 * after the number Word draws for it when it is in a list (numbering.xml:
 * "1.", "b)", "iv.", counted per list and level), followed by the lines of
 * the text boxes it anchors (the DrawingML box or, failing that, its VML
 * fallback: once).  A table row is a line of cells separated by TABs, a
 * cell's own TABs becoming spaces; a merged cell (gridSpan, hMerge,
 * gridBefore) leaves empty cells so the others keep their columns, and a
 * cell merged downwards (vMerge) reads as the merge's first cell in the
 * rows below, unless that is a label.  A table nested in a cell of a row
 * of several stays in that cell ("a; b"); in a row of one cell (a frame)
 * its rows are lines of their own.  Content controls give their text
 * (placeholders none); struck-through runs "~~text~~"; deleted revisions
 * and hidden text are left out.  Check boxes (content controls, legacy
 * form fields, symbols, typed ballot-box glyphs) next to "Yes" and "No"
 * read as the word of the ticked one (nothing when neither is), any other
 * as "[x]" / "[ ]".
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
#define MAX_COLS	64		/* grid columns a vertical merge is
					   followed in */
#define MAX_REPEAT	(256 * 1024)	/* bytes of merged cells' text
					   repeated in the rows below */
#define MAX_BOXES	4		/* text boxes in text boxes */
#define MAX_LEVELS	9		/* list levels (w:ilvl 0..8) */
#define MAX_NUMS	4096		/* list definitions read */
#define MAX_LVLTEXT	64		/* bytes of a level's w:lvlText */
#define NUMBERING_MAX	(4 * 1024 * 1024) /* bytes of numbering.xml */

/* Check boxes while the text is built: ticked, empty.  Control characters
 * never come from the document (para_text blanks them), so these stand
 * for boxes until the end, where a Yes / No pair becomes its answer and
 * any other box "[x]" / "[ ]". */
#define MARK_ON		'\x01'
#define MARK_OFF	'\x02'

static const char *const w_ns[] = {
	"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
	"http://purl.oclc.org/ooxml/wordprocessingml/main",	/* Strict */
	NULL
};
#define W14_NS	"http://schemas.microsoft.com/office/word/2010/wordml"
#define MC_NS	"http://schemas.openxmlformats.org/markup-compatibility/2006"
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

/* The first cell of a vertical merge, by grid column, for the rows below. */
struct vcol {
	struct blocks	 b;
	int		 set;		/* a merge is open in this column */
	int		 label;		/* it reads as a label: not repeated */
};

/* A list level (numbering.xml's w:lvl) and where its count is. */
struct lvl {
	unsigned	 start;
	int		 fmt;		/* enum numfmt */
	int		 suff;		/* '\t', ' ' or 0 after the number */
	char		*text;		/* w:lvlText, "%1." */
	unsigned	 count;
	int		 seen;		/* counted since its parent level */
};

struct numdef {
	unsigned	 id;		/* w:numId (w:abstractNumId while
					   reading abstract definitions) */
	struct lvl	 lv[MAX_LEVELS];
};

struct numbering {
	struct numdef	*v;		/* sorted by id */
	size_t		 n;
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
	struct walk	*w;
	struct blocks	 boxes;		/* lines of its text boxes */
};

struct walk {
	int	 tables;	/* tables open around the current node */
	int	 toodeep;
	int	 boxes;		/* text boxes open around it */
	size_t	 repeated;	/* bytes repeated for vertical merges */
	struct numbering num;
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

static const char *
attr_or_null(const xmlNode *n, const char *name)
{
	return n == NULL ? NULL : attr(n, name);
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

/* A decimal attribute `name` of n, at most max, else def. */
static unsigned
uint_attr(const xmlNode *n, const char *name, unsigned def, unsigned max)
{
	const char *v;
	unsigned x = 0;

	if (n == NULL || (v = attr(n, name)) == NULL || *v == '\0')
		return def;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return def;
		x = x * 10 + (unsigned)(*v - '0');
		if (x > max)
			x = max;
	}
	return x;
}

/* A decimal w:val (gridSpan, gridBefore) between 0 and MAX_SPAN, else def. */
static unsigned
num_val(const xmlNode *n, unsigned def)
{
	return uint_attr(n, "val", def, MAX_SPAN);
}

static int
is_mc(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    ns_is(n->ns, MC_NS) && strcmp((const char *)n->name, name) == 0;
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

static void para_mark(struct para *, int);

/* A box glyph typed as text (U+2610 empty, U+2611 and U+2612 ticked):
 * its length in bytes, *on whether ticked; 0 when s is not one. */
static size_t
glyph_box(const char *s, size_t n, int *on)
{
	if (n < 3 || (unsigned char)s[0] != 0xe2 ||
	    (unsigned char)s[1] != 0x98 || (unsigned char)s[2] < 0x90 ||
	    (unsigned char)s[2] > 0x92)
		return 0;
	*on = (unsigned char)s[2] != 0x90;
	return 3;
}

static void
para_text(struct para *p, const char *s, size_t n, int strike)
{
	size_t g;
	int on;

	if (n == 0)
		return;
	if (strike && !p->struck) {
		size_t i = 0;

		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i == n)
			strike = 0;	/* no "~~ ~~" around spaces */
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((g = glyph_box(s + i, n - i, &on)) > 0) {
			para_mark(p, on);
			i += g - 1;
			continue;
		}
		if (p->mark && !isspace(c))
			sb_addc(&p->sb, ' ');
		p->mark = 0;
		if (strike != p->struck) {
			sb_adds(&p->sb, "~~");
			p->struck = strike;
		}
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

/* A check box (MARK_ON or MARK_OFF), apart from the words around it. */
static void
para_mark(struct para *p, int checked)
{
	if (p->struck) {
		sb_adds(&p->sb, "~~");
		p->struck = 0;
	}
	if (p->sb.len > 0 && !isspace((unsigned char)p->sb.buf[p->sb.len - 1]))
		sb_addc(&p->sb, ' ');
	sb_addc(&p->sb, checked ? MARK_ON : MARK_OFF);
	p->mark = 1;
}

static void yn_resolve(char *, int);

static char *
para_done(struct para *p)
{
	char *s;

	if (p->struck)
		sb_adds(&p->sb, "~~");
	p->struck = 0;
	s = sb_steal(&p->sb);
	yn_resolve(s, 1);
	return s;
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

static void block_walk(struct walk *, const xmlNode *, struct blocks *);
static int box_alt(const xmlNode *, struct para *);

/* The text boxes (w:txbxContent) under n, a DrawingML shape or a VML
 * one, as lines of their own after the paragraph that anchors them. */
static void
box_find(const xmlNode *n, struct para *p)
{
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_w(c, "txbxContent")) {
			if (p->w->boxes >= MAX_BOXES)
				continue;	/* Word never nests them */
			p->w->boxes++;
			block_walk(p->w, c, &p->boxes);
			p->w->boxes--;
		} else if (is_mc(c, "AlternateContent"))
			box_alt(c, p);
		else
			box_find(c, p);
	}
}

/* Word writes a text box twice: a DrawingML shape in mc:Choice and its
 * VML copy in mc:Fallback.  Only the first choice is read, or the
 * fallback when there is no choice, so the box is read once. */
static int
box_alt(const xmlNode *ac, struct para *p)
{
	for (const xmlNode *c = ac->children; c != NULL; c = c->next)
		if (is_mc(c, "Choice")) {
			box_find(c, p);
			return 1;
		}
	for (const xmlNode *c = ac->children; c != NULL; c = c->next)
		if (is_mc(c, "Fallback")) {
			box_find(c, p);
			return 1;
		}
	return 0;
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
		if (is_mc(c, "AlternateContent"))
			box_alt(c, p);
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
		} else if (is_w(c, "drawing") || is_w(c, "pict") ||
		    is_w(c, "object"))
			box_find(c, p);
		/* w:instrText (field codes), w:delText: no text. */
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
/* Yes / No pairs of check boxes.                                      */

enum { TK_ON, TK_OFF, TK_YES, TK_NO, TK_OTHER };

struct tok {
	size_t	 s, e;
	int	 kind;
};

static int
yn_sep(char c)
{
	return c == ' ' || c == '\t' || c == '/' || c == ';' || c == ',' ||
	    c == '|' || c == ':';
}

/* The next token of s from *pos: a box, "Yes", "No", or other text (a
 * line break being one on its own).  0 at the end. */
static int
yn_tok(const char *s, size_t *pos, struct tok *t)
{
	size_t i = *pos, n;

	while (s[i] != '\0' && yn_sep(s[i]))
		i++;
	if (s[i] == '\0')
		return 0;
	t->s = i;
	if (s[i] == MARK_ON || s[i] == MARK_OFF || s[i] == '\n') {
		t->kind = s[i] == MARK_ON ? TK_ON : s[i] == MARK_OFF ? TK_OFF :
		    TK_OTHER;
		i++;
	} else {
		while (s[i] != '\0' && !yn_sep(s[i]) && s[i] != MARK_ON &&
		    s[i] != MARK_OFF && s[i] != '\n')
			i++;
		n = i - t->s;
		t->kind = n == 3 && str_ncasecmp(s + t->s, "yes", 3) == 0 ?
		    TK_YES : n == 2 && str_ncasecmp(s + t->s, "no", 2) == 0 ?
		    TK_NO : TK_OTHER;
	}
	t->e = i;
	*pos = i;
	return 1;
}

/* Four tokens "Yes <box> No <box>" or "<box> Yes <box> No" (either word
 * first): 1 and *yes / *no (ticked), *word the token of "Yes" and "No". */
static int
yn_pair(const struct tok *t, int *yes, int *no, const struct tok **y,
    const struct tok **n)
{
	int wfirst = t[0].kind == TK_YES || t[0].kind == TK_NO;
	const struct tok *w1 = wfirst ? &t[0] : &t[1], *w2 = wfirst ? &t[2] :
	    &t[3], *m1 = wfirst ? &t[1] : &t[0], *m2 = wfirst ? &t[3] : &t[2];

	if ((w1->kind != TK_YES && w1->kind != TK_NO) ||
	    (w2->kind != TK_YES && w2->kind != TK_NO) || w1->kind == w2->kind ||
	    (m1->kind != TK_ON && m1->kind != TK_OFF) ||
	    (m2->kind != TK_ON && m2->kind != TK_OFF))
		return 0;
	*y = w1->kind == TK_YES ? w1 : w2;
	*n = w1->kind == TK_YES ? w2 : w1;
	*yes = (w1->kind == TK_YES ? m1 : m2)->kind == TK_ON;
	*no = (w1->kind == TK_YES ? m2 : m1)->kind == TK_ON;
	return 1;
}

/*
 * A pair of Yes / No boxes in s becomes the word of the ticked one
 * ("Staff training?<TAB>Yes [x]<TAB>No [ ]" reads "Staff training?<TAB>
 * Yes"), or nothing when neither is ticked; both ticked stay boxes (form.c
 * refuses them).  The TABs inside the pair are kept after the word, so
 * the row's other cells keep their columns.  In a paragraph (para), text
 * after the pair goes on a line of its own, not glued to the answer.
 * One pass; s only gets shorter.
 */
static void
yn_resolve(char *s, int para)
{
	struct strbuf sb = { NULL, 0, 0 };
	struct tok t[4];
	size_t pos = 0, have = 0, copied = 0;
	int changed = 0;

	while (yn_tok(s, &pos, &t[have < 4 ? have : 3])) {
		const struct tok *y, *n;
		size_t end, tabs = 0;
		int yes, no;

		if (have < 4 && ++have < 4)
			continue;
		if (!yn_pair(t, &yes, &no, &y, &n)) {
			memmove(t, t + 1, 3 * sizeof(t[0]));
			continue;	/* t[3] is read next */
		}
		have = 0;
		if (yes && no)
			continue;
		for (size_t i = t[0].s; i < t[3].e; i++)
			tabs += s[i] == '\t';
		sb_add(&sb, s + copied, t[0].s - copied);
		if (yes || no)
			sb_add(&sb, s + (yes ? y : n)->s, (yes ? y : n)->e -
			    (yes ? y : n)->s);
		end = t[3].e;
		if (para) {
			size_t q = end;

			while (s[q] == ' ' || s[q] == '\t')
				q++;
			if (s[q] != '\0' && s[q] != '\n') {
				end = q;
				tabs = 0;
				sb_addc(&sb, '\n');
			}
		}
		while (tabs-- > 0)
			sb_addc(&sb, '\t');
		copied = pos = end;
		changed = 1;
	}
	if (!changed)
		return;
	sb_adds(&sb, s + copied);
	if (sb.buf == NULL)
		*s = '\0';
	else
		memcpy(s, sb.buf, sb.len + 1);	/* never longer than s */
	sb_reset(&sb);
}

/* ------------------------------------------------------------------ */
/* List numbering (numbering.xml).                                     */

enum numfmt {
	FMT_DECIMAL, FMT_ZERO, FMT_UROMAN, FMT_LROMAN, FMT_ULETTER,
	FMT_LLETTER, FMT_NONE, FMT_BULLET
};

static int
num_fmt(const xmlNode *lvl)
{
	static const struct {
		const char	*name;
		int		 fmt;
	} f[] = {
		{ "decimalZero", FMT_ZERO }, { "upperRoman", FMT_UROMAN },
		{ "lowerRoman", FMT_LROMAN }, { "upperLetter", FMT_ULETTER },
		{ "lowerLetter", FMT_LLETTER }, { "none", FMT_NONE },
		{ "bullet", FMT_BULLET },
	};
	const char *v = attr_or_null(w_child(lvl, "numFmt"), "val");

	for (size_t i = 0; v != NULL && i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(v, f[i].name) == 0)
			return f[i].fmt;
	return FMT_DECIMAL;	/* and what Word spells out ("First") */
}

/* A w:lvl into l (replacing what it held). */
static void
lvl_read(const xmlNode *n, struct lvl *l)
{
	const char *v;

	l->start = uint_attr(w_child(n, "start"), "val", 1, 100000);
	l->fmt = num_fmt(n);
	v = attr_or_null(w_child(n, "suff"), "val");
	l->suff = v == NULL ? '\t' : strcmp(v, "space") == 0 ? ' ' :
	    strcmp(v, "nothing") == 0 ? 0 : '\t';
	free(l->text);
	l->text = NULL;
	if ((v = attr_or_null(w_child(n, "lvlText"), "val")) != NULL)
		l->text = xstrndup(v, strnlen(v, MAX_LVLTEXT));
}

static void
lvls_read(const xmlNode *n, struct numdef *d)
{
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (is_w(c, "lvl"))
			lvl_read(c, &d->lv[uint_attr(c, "ilvl", 0,
			    MAX_LEVELS - 1)]);
}

static int
numdef_cmp(const void *a, const void *b)
{
	unsigned x = ((const struct numdef *)a)->id;
	unsigned y = ((const struct numdef *)b)->id;

	return x < y ? -1 : x > y;
}

static struct numdef *
numdef_find(const struct numbering *num, unsigned id)
{
	struct numdef key;

	key.id = id;
	if (num->n == 0)
		return NULL;
	return bsearch(&key, num->v, num->n, sizeof(*num->v), numdef_cmp);
}

static struct numdef *
numdef_add(struct numbering *num, unsigned id)
{
	struct numdef *d;

	num->v = xreallocarray(num->v, num->n + 1, sizeof(*num->v));
	d = &num->v[num->n++];
	memset(d, 0, sizeof(*d));
	d->id = id;
	return d;
}

static void
numbering_free(struct numbering *num)
{
	for (size_t i = 0; i < num->n; i++)
		for (size_t k = 0; k < MAX_LEVELS; k++)
			free(num->v[i].lv[k].text);
	free(num->v);
	num->v = NULL;
	num->n = 0;
}

/* A w:num: its abstract definition's levels, then its overrides. */
static void
num_read(const xmlNode *n, const struct numbering *abs, struct numbering *num)
{
	const struct numdef *a;
	struct numdef *d;

	a = numdef_find(abs, uint_attr(w_child(n, "abstractNumId"), "val",
	    UINT_MAX, UINT_MAX));
	d = numdef_add(num, uint_attr(n, "numId", 0, UINT_MAX));
	for (size_t k = 0; a != NULL && k < MAX_LEVELS; k++) {
		d->lv[k] = a->lv[k];
		if (a->lv[k].text != NULL)
			d->lv[k].text = xstrdup(a->lv[k].text);
	}
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		struct lvl *l;

		if (!is_w(c, "lvlOverride"))
			continue;
		l = &d->lv[uint_attr(c, "ilvl", 0, MAX_LEVELS - 1)];
		if (w_child(c, "lvl") != NULL)
			lvl_read(w_child(c, "lvl"), l);
		if (w_child(c, "startOverride") != NULL)
			l->start = uint_attr(w_child(c, "startOverride"), "val",
			    0, 100000);
	}
}

/* The lists of numbering.xml's root into num, sorted by w:numId. */
static void
numbering_read(const xmlNode *root, struct numbering *num)
{
	struct numbering abs = { NULL, 0 };

	for (const xmlNode *c = root->children; c != NULL; c = c->next)
		if (is_w(c, "abstractNum") && abs.n < MAX_NUMS)
			lvls_read(c, numdef_add(&abs, uint_attr(c,
			    "abstractNumId", 0, UINT_MAX)));
	if (abs.n > 0)
		qsort(abs.v, abs.n, sizeof(*abs.v), numdef_cmp);
	for (const xmlNode *c = root->children; c != NULL; c = c->next)
		if (is_w(c, "num") && num->n < MAX_NUMS)
			num_read(c, &abs, num);
	if (num->n > 0)
		qsort(num->v, num->n, sizeof(*num->v), numdef_cmp);
	numbering_free(&abs);
}

/* n in a list format: "3", "03", "iii", "C". */
static void
num_format(struct strbuf *sb, unsigned n, int fmt)
{
	static const char *const rm[] = { "m", "cm", "d", "cd", "c", "xc",
	    "l", "xl", "x", "ix", "v", "iv", "i" };
	static const unsigned rv[] = { 1000, 900, 500, 400, 100, 90, 50, 40,
	    10, 9, 5, 4, 1 };
	char buf[16];

	if (fmt == FMT_NONE || fmt == FMT_BULLET)
		return;
	if ((fmt == FMT_UROMAN || fmt == FMT_LROMAN) && n > 0 && n < 4000) {
		for (size_t i = 0; i < sizeof(rv) / sizeof(rv[0]); i++)
			for (; n >= rv[i]; n -= rv[i])
				for (const char *c = rm[i]; *c; c++)
					sb_addc(sb, fmt == FMT_UROMAN ?
					    (char)toupper((unsigned char)*c) : *c);
		return;
	}
	if ((fmt == FMT_ULETTER || fmt == FMT_LLETTER) && n > 0 &&
	    n <= 26 * 8) {
		/* Word's letters: A .. Z, AA .. ZZ, AAA ... */
		for (unsigned k = 0; k <= (n - 1) / 26; k++)
			sb_addc(sb, (char)((fmt == FMT_ULETTER ? 'A' : 'a') +
			    (n - 1) % 26));
		return;
	}
	snprintf(buf, sizeof(buf), fmt == FMT_ZERO ? "%02u" : "%u", n);
	sb_adds(sb, buf);
}

/* The number Word shows before a paragraph of a list ("1.", "2.b", "iv."),
 * counting per list (w:numId) and level; bullets are not written. */
static void
para_number(struct walk *w, const xmlNode *para, struct para *p)
{
	const xmlNode *np = w_child(w_child(para, "pPr"), "numPr");
	struct strbuf sb = { NULL, 0, 0 };
	struct numdef *d;
	struct lvl *l;
	unsigned ilvl;

	if (np == NULL || (d = numdef_find(&w->num, uint_attr(w_child(np,
	    "numId"), "val", 0, UINT_MAX))) == NULL || d->id == 0)
		return;
	ilvl = uint_attr(w_child(np, "ilvl"), "val", 0, MAX_LEVELS - 1);
	l = &d->lv[ilvl];
	l->count = l->seen ? l->count + 1 : l->start;
	l->seen = 1;
	for (unsigned k = ilvl + 1; k < MAX_LEVELS; k++)
		d->lv[k].seen = 0;
	if (l->text == NULL || l->fmt == FMT_BULLET)
		return;
	for (const char *t = l->text; *t != '\0'; t++) {
		if (*t == '%' && t[1] >= '1' && t[1] <= '9') {
			const struct lvl *o = &d->lv[t[1] - '1'];

			num_format(&sb, o->seen ? o->count : o->start, o->fmt);
			t++;
		} else
			sb_addc(&sb, *t);
	}
	/* Word's TAB after the number, but in a table a space: a TAB there
	 * would split an answer into cells. */
	if (sb.len > 0) {
		para_text(p, sb.buf, sb.len, 0);
		if (l->suff == '\t' && w->tables == 0)
			para_break(p, '\t');
		else if (l->suff != 0)
			para_text(p, " ", 1, 0);
	}
	sb_reset(&sb);
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
 * A row of one cell keeps its layout; in a row of several, the last
 * non-empty one's paragraphs go on the lines below (form.c reads them as
 * the rest of that answer), the others' are joined by spaces, and TABs in
 * a cell are spaces.  A Yes / No pair of boxes becomes its answer.
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
		/* A cell's own TABs would move the cells after it. */
		cell_add(&sb, &c[i], n == 1 && before == 0 ? JOIN_ASIS :
		    i == last ? JOIN_LINES : JOIN_SPACES);
	}
	yn_resolve(sb.buf, 0);
	sb.len = strlen(sb.buf);
	while (sb.len > 0 && sb.buf[sb.len - 1] == '\t')
		sb.buf[--sb.len] = '\0';
	blocks_add(out, sb_steal(&sb), 1);
}

/* Pieces of a nested table's row: "Label: answer", else "a; b". */
static char *
flat_row(const char *s)
{
	struct strbuf sb = { NULL, 0, 0 };

	while (*s != '\0') {
		const char *e = strchr(s, '\t'), *a = s, *b;

		if (e == NULL)
			e = s + strlen(s);
		b = e;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (a < b) {
			if (sb.len > 0)
				sb_adds(&sb, sb.buf[sb.len - 1] == ':' ||
				    sb.buf[sb.len - 1] == '?' ? " " : "; ");
			sb_add(&sb, a, (size_t)(b - a));
		}
		s = *e != '\0' ? e + 1 : e;
	}
	return sb_steal(&sb);
}

/* A table in a cell of a row of several: its rows become one paragraph
 * of the cell ("a; b; c"), so nothing of it reaches the row's other
 * cells. */
static void
cell_flatten(struct cell *c)
{
	size_t k = 0, o = 0;

	while (k < c->b.n) {
		struct strbuf sb = { NULL, 0, 0 };

		if (!c->b.v[k].row) {
			c->b.v[o++] = c->b.v[k++];
			continue;
		}
		for (; k < c->b.n && c->b.v[k].row; k++) {
			char *t = flat_row(c->b.v[k].text);

			if (*t != '\0' && sb.len > 0)
				sb_adds(&sb, sb.buf[sb.len - 1] == ':' ? " " :
				    "; ");
			sb_adds(&sb, t);
			free(t);
			free(c->b.v[k].text);
		}
		c->b.v[o].text = sb_steal(&sb);
		c->b.v[o++].row = 0;
	}
	c->b.n = o;
	c->nested = 0;
}

/* A row.  Of one cell, a table in it comes as lines of its own (a frame
 * around a table); in a row of several, it stays in its cell. */
static void
row_emit(struct row *r, unsigned before, struct blocks *out)
{
	size_t a = 0;

	if (r->n == 0)
		return;
	if (r->n > 1 || before > 0)
		for (size_t i = 0; i < r->n; i++)
			if (r->v[i].nested)
				cell_flatten(&r->v[i]);
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

/* Does a cell read as a label: a paragraph ending with ':' or '?'. */
static int
cell_label(const struct cell *c)
{
	for (size_t i = 0; i < c->b.n; i++) {
		const char *s = c->b.v[i].text;
		size_t n = strlen(s);

		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		if (n > 0 && (s[n - 1] == ':' || s[n - 1] == '?'))
			return 1;
	}
	return 0;
}

static void
blocks_copy(struct blocks *to, const struct blocks *from)
{
	for (size_t i = 0; i < from->n; i++)
		blocks_add(to, xstrdup(from->v[i].text), from->v[i].row);
}

/* A cell at grid column g ends the merges of the columns it covers; the
 * first cell of a vertical merge is kept for the rows below, unless it is
 * a label (the row's first cell, or ending with ':'), whose rows below
 * are more of its answer. */
static void
vmerge_note(struct vcol *cols, unsigned g, const struct cell *c, int restart,
    int first)
{
	for (unsigned k = g; k < g + c->span && k < MAX_COLS; k++) {
		blocks_free(&cols[k].b);
		cols[k].set = 0;
	}
	if (!restart || g >= MAX_COLS || c->nested)
		return;
	blocks_copy(&cols[g].b, &c->b);
	cols[g].set = 1;
	cols[g].label = first || cell_label(c);
}

/* A continued merged cell reads as the merge's first cell, within a
 * budget for the whole document (a hostile one could repeat a large cell
 * in a great many rows). */
static void
vmerge_copy(struct walk *w, const struct vcol *cols, unsigned g,
    struct cell *c)
{
	size_t bytes = 0;

	if (g >= MAX_COLS || !cols[g].set || cols[g].label)
		return;
	for (size_t i = 0; i < cols[g].b.n; i++)
		bytes += strlen(cols[g].b.v[i].text) + 1;
	if (bytes > MAX_REPEAT - w->repeated)
		return;
	w->repeated += bytes;
	blocks_copy(&c->b, &cols[g].b);
}

/* Is a w:vMerge or w:hMerge the continuation of a merge? */
static int
merge_cont(const xmlNode *m)
{
	const char *v;

	return m != NULL && ((v = attr(m, "val")) == NULL ||
	    strcmp(v, "continue") == 0);
}

static void
cells_walk(struct walk *w, const xmlNode *n, struct row *r,
    struct vcol *cols, unsigned *col)
{
	const xmlNode *u;

	if (n == NULL)
		return;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		const xmlNode *pr, *vm;
		struct cell *cell;
		unsigned g = *col;

		if (!is_w(c, "tc")) {
			if ((u = unwrap(c)) != NULL)
				cells_walk(w, u, r, cols, col);
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
		if (*col < MAX_COLS)
			*col += cell->span;
		/* A horizontal merge's continuation only holds its column. */
		if (merge_cont(w_child(pr, "hMerge")))
			continue;
		vm = w_child(pr, "vMerge");
		if (merge_cont(vm)) {
			vmerge_copy(w, cols, g, cell);
			continue;
		}
		block_walk(w, c, &cell->b);
		for (size_t k = 0; k < cell->b.n; k++)
			if (cell->b.v[k].row)
				cell->nested = 1;
		vmerge_note(cols, g, cell, vm != NULL, r->n == 1);
	}
}

static void
row_walk(struct walk *w, const xmlNode *tr, struct blocks *out,
    struct vcol *cols)
{
	const xmlNode *pr = w_child(tr, "trPr");
	struct row r = { NULL, 0, 0 };
	unsigned before = num_val(w_child(pr, "gridBefore"), 0), col = before;

	if (w_child(pr, "del") != NULL)
		return;		/* a deleted revision */
	cells_walk(w, tr, &r, cols, &col);
	row_emit(&r, before, out);
	for (size_t i = 0; i < r.n; i++)
		blocks_free(&r.v[i].b);
	free(r.v);
}

static void
rows_walk(struct walk *w, const xmlNode *n, struct blocks *out,
    struct vcol *cols)
{
	const xmlNode *u;

	if (n == NULL)
		return;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (is_w(c, "tr"))
			row_walk(w, c, out, cols);
		else if ((u = unwrap(c)) != NULL)
			rows_walk(w, u, out, cols);
	}
}

static void
table_walk(struct walk *w, const xmlNode *tbl, struct blocks *out)
{
	struct vcol *cols = xcalloc(MAX_COLS, sizeof(*cols));

	rows_walk(w, tbl, out, cols);
	for (size_t k = 0; k < MAX_COLS; k++)
		blocks_free(&cols[k].b);
	free(cols);
}

/* A paragraph, then the lines of the text boxes it anchors. */
static void
para_walk(struct walk *w, const xmlNode *n, struct blocks *out)
{
	struct para p;
	char *text;

	memset(&p, 0, sizeof(p));
	p.w = w;
	para_number(w, n, &p);
	inline_walk(n, &p);
	text = para_done(&p);
	if (p.boxes.n > 0 && blank(text))
		free(text);
	else
		blocks_add(out, text, 0);
	for (size_t i = 0; i < p.boxes.n; i++)
		blocks_add(out, p.boxes.v[i].text, p.boxes.v[i].row);
	free(p.boxes.v);
}

/* Paragraphs, tables and the containers around them, in order. */
static void
block_walk(struct walk *w, const xmlNode *n, struct blocks *out)
{
	int k;

	if (n == NULL)
		return;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (!is_w(c, NULL) || skipped(c))
			continue;
		if (is_w(c, "p"))
			para_walk(w, c, out);
		else if (is_w(c, "tbl")) {
			if (w->tables >= MAX_TABLES) {
				w->toodeep = 1;
				continue;
			}
			w->tables++;
			table_walk(w, c, out);
			w->tables--;
		} else if (is_w(c, "sdt")) {
			if ((k = sdt_box(c)) >= 0)
				blocks_add(out, xstrdup(k ? "\x01" : "\x02"), 0);
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

/* The target of the first relationship in the part `rels` whose type
 * ends with `type` ("/officeDocument"), or NULL. */
static char *
rel_target(zip_t *za, const char *rels, const char *type, unsigned ratio)
{
	zip_int64_t idx;
	xmlDoc *doc = NULL;
	const xmlNode *root;
	char *buf = NULL, *found = NULL, junk[8];
	size_t len, want = strlen(type);

	if ((idx = zip_name_locate(za, rels, ZIP_FL_NOCASE)) < 0 ||
	    read_entry(za, idx, RELS_MAX, ratio, &buf, &len, junk,
	    sizeof(junk)) != 0 ||
	    (doc = parse_xml(buf, len, rels, junk, sizeof(junk))) == NULL)
		goto fail;
	root = xmlDocGetRootElement(doc);
	for (const xmlNode *c = root->children; c != NULL; c = c->next) {
		const char *t, *target, *mode;
		size_t tl;

		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "Relationship") != 0 ||
		    (t = attr(c, "Type")) == NULL ||
		    (target = attr(c, "Target")) == NULL)
			continue;
		tl = strlen(t);
		if (tl < want || strcmp(t + tl - want, type) != 0)
			continue;
		if ((mode = attr(c, "TargetMode")) != NULL &&
		    str_casecmp(mode, "External") == 0)
			continue;
		if (*target != '\0')
			found = xstrdup(target);
		break;
	}
fail:
	xmlFreeDoc(doc);
	free(buf);
	return found;
}

/* The main document part named in _rels/.rels ("word/document.xml" in
 * almost every file), or NULL when there is no usable one. */
static char *
main_part(zip_t *za, unsigned ratio)
{
	char *t = rel_target(za, RELS_PART, "/officeDocument", ratio), *p;

	if (t == NULL)
		return NULL;
	for (p = t; *p == '/'; p++)
		;
	if (strncmp(p, "./", 2) == 0)
		p += 2;
	p = *p != '\0' ? xstrdup(p) : NULL;
	free(t);
	return p;
}

/* The lists of the numbering part the main part names (else the
 * numbering.xml beside it) into num.  A missing or unreadable one only
 * means lists have no numbers. */
static void
numbering_load(zip_t *za, const char *part, const struct docx_limits *l,
    struct numbering *num)
{
	const char *slash = strrchr(part, '/');
	size_t dl = slash ? (size_t)(slash - part) + 1 : 0, len;
	char *rels, *t, *path, *buf = NULL, junk[8];
	zip_int64_t idx;
	xmlDoc *doc;

	rels = xasprintf("%.*s_rels/%s.rels", (int)dl, part, part + dl);
	t = rel_target(za, rels, "/numbering", l->max_ratio);
	if (t != NULL && *t == '/')
		path = xstrdup(t + 1);
	else
		path = xasprintf("%.*s%s", (int)dl, part, t ? t : "numbering.xml");
	idx = zip_name_locate(za, path, ZIP_FL_NOCASE);
	if (idx >= 0 && read_entry(za, idx, l->max_unpacked < NUMBERING_MAX ?
	    l->max_unpacked : NUMBERING_MAX, l->max_ratio, &buf, &len, junk,
	    sizeof(junk)) == 0 &&
	    (doc = parse_xml(buf, len, path, junk, sizeof(junk))) != NULL) {
		if (is_w(xmlDocGetRootElement(doc), "numbering"))
			numbering_read(xmlDocGetRootElement(doc), num);
		xmlFreeDoc(doc);
	}
	free(buf);
	free(path);
	free(t);
	free(rels);
}

/* The lines, a box left over (not one of a Yes / No pair) as "[x]" or
 * "[ ]". */
static char *
blocks_text(const struct blocks *b)
{
	struct strbuf sb = { NULL, 0, 0 };

	for (size_t i = 0; i < b->n; i++) {
		for (const char *c = b->v[i].text; *c != '\0'; c++)
			if (*c == MARK_ON || *c == MARK_OFF)
				sb_adds(&sb, *c == MARK_ON ? "[x]" : "[ ]");
			else
				sb_addc(&sb, *c);
		sb_addc(&sb, '\n');
	}
	return sb_steal(&sb);
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
	struct walk w;
	char *part = NULL, *xml = NULL;
	size_t xlen;
	int rc = -1;

	*out = NULL;
	memset(&w, 0, sizeof(w));
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
	if (part == NULL)
		part = xstrdup(MAIN_PART);
	numbering_load(za, part, &l, &w.num);
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
	*out = blocks_text(&blocks);
	rc = 0;
fail:
	numbering_free(&w.num);
	blocks_free(&blocks);
	xmlFreeDoc(doc);
	free(xml);
	free(part);
	if (za != NULL)
		zip_discard(za);
	zip_source_free(src);
	zip_error_fini(&ze);
	return rc;
}
