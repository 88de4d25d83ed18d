/*
 * tnef: MS-OXTNEF streams read for their attachments and message text.
 *
 * A stream is the signature 0x223E9F78 and a 16-bit key, then attributes
 * laid end to end: a level (1 message, 2 attachment), a 32-bit id (the
 * attribute type in the high half), a 32-bit length, the data, and a
 * 16-bit checksum (the sum of the data bytes).  All numbers little-endian.
 * At attachment level attAttachRendData starts an attachment,
 * attAttachTitle gives its short name and attAttachData its bytes;
 * attAttachment (and attMAPIProps, which some writers use there) carries
 * a MAPI property list that may hold the long name (0x3707), the bytes
 * (0x3701, binary) and the MIME tag (0x370E).  At message level attBody
 * is the plain text, attOemCodepage the code page of 8-bit strings, and
 * attMAPIProps a property list that may hold PidTagBody (0x1000).
 *
 * Nothing is copied until the whole stream has been walked: the walk
 * keeps spans of the input, checked against its end, and a damaged
 * stream gives nothing.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "tnef.h"
#include "util.h"

#define LVL_MESSAGE	1
#define LVL_ATTACHMENT	2

/* Attribute ids, without their type half. */
#define ATT_BODY	0x800c
#define ATT_ATTACH_DATA	0x800f
#define ATT_ATTACH_TITLE 0x8010
#define ATT_RENDDATA	0x9002
#define ATT_MAPIPROPS	0x9003
#define ATT_ATTACHMENT	0x9005
#define ATT_CODEPAGE	0x9007

/* Property types and ids. */
#define PT_STRING8	0x001e
#define PT_UNICODE	0x001f
#define PT_BINARY	0x0102
#define PT_OBJECT	0x000d
#define MV_FLAG		0x1000
#define PID_BODY	0x1000
#define PID_DATA	0x3701
#define PID_LONGNAME	0x3707
#define PID_MIMETAG	0x370e

#define MAX_PROPS	10000	/* per property list */

/* A run of input bytes, and for strings whether they are UTF-16LE. */
struct span {
	const unsigned char	*p;
	size_t			 n;
	int			 wide;
};

struct pending {
	struct span	title, longname, data, propdata, mimetag;
};

struct walk {
	struct pending	 att[TNEF_MAX_FILES];
	size_t		 natt;
	int		 in_att;	/* an attachment has started */
	int		 cur_skip;	/* the current one is not kept */
	unsigned long	 codepage;
	struct span	 body, propbody;
};

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* A cursor over [p, end): take() hands out n bytes or fails. */
struct cur {
	const unsigned char	*p, *end;
};

static int
take(struct cur *c, size_t n, const unsigned char **out)
{
	if ((size_t)(c->end - c->p) < n)
		return -1;
	if (out != NULL)
		*out = c->p;
	c->p += n;
	return 0;
}

static int
take32(struct cur *c, uint32_t *v)
{
	const unsigned char *p;

	if (take(c, 4, &p) == -1)
		return -1;
	*v = le32(p);
	return 0;
}

/* n bytes and the padding to a multiple of 4 after them (the padding
 * may be missing at the very end). */
static int
take_padded(struct cur *c, size_t n, const unsigned char **out)
{
	size_t pad = (4 - n % 4) % 4;

	if (take(c, n, out) == -1)
		return -1;
	if ((size_t)(c->end - c->p) < pad)
		pad = (size_t)(c->end - c->p);
	c->p += pad;
	return 0;
}

/* Size of one value of a fixed-size property type, 0 when variable or
 * not known. */
static size_t
fixed_size(unsigned type)
{
	switch (type) {
	case 0x0001: case 0x0002: case 0x0003: case 0x0004: case 0x000a:
	case 0x000b:
		return 4;
	case 0x0005: case 0x0006: case 0x0007: case 0x0014: case 0x0040:
		return 8;
	case 0x0048:
		return 16;
	default:
		return 0;
	}
}

/* Skip a named property's name (after its tag). */
static int
skip_name(struct cur *c)
{
	uint32_t kind, n;

	if (take(c, 16, NULL) == -1 || take32(c, &kind) == -1 ||
	    take32(c, &n) == -1)
		return -1;
	if (kind == 1)
		return take_padded(c, n, NULL);
	return kind == 0 ? 0 : -1;
}

/*
 * One property of a list: its tag, any name, its values.  *first gets
 * the first value of a variable-size property (a PT_OBJECT's without its
 * interface id).  -1 when the list cannot be read further.
 */
static int
prop_next(struct cur *c, unsigned *type, unsigned *id, struct span *first)
{
	const unsigned char *v;
	uint32_t tag, count = 1, n;
	size_t fs;

	memset(first, 0, sizeof(*first));
	if (take32(c, &tag) == -1)
		return -1;
	*type = tag & 0xffff;
	*id = tag >> 16;
	if (*id >= 0x8000 && skip_name(c) == -1)
		return -1;
	fs = fixed_size(*type & ~MV_FLAG);
	if (fs > 0 && !(*type & MV_FLAG))
		return take(c, fs, NULL);
	if (take32(c, &count) == -1)
		return -1;
	if (fs > 0)		/* multi-valued fixed size */
		return count > (size_t)(c->end - c->p) / fs ? -1 :
		    take(c, fs * count, NULL);
	switch (*type & ~MV_FLAG) {
	case PT_STRING8: case PT_UNICODE: case PT_BINARY: case PT_OBJECT:
		break;
	default:
		return -1;		/* a type of unknown size */
	}
	for (uint32_t i = 0; i < count; i++) {
		if (take32(c, &n) == -1 || take_padded(c, n, &v) == -1)
			return -1;
		if (i > 0)
			continue;
		first->p = v;
		first->n = n;
		first->wide = (*type & ~MV_FLAG) == PT_UNICODE;
		if ((*type & ~MV_FLAG) == PT_OBJECT) {
			first->p = n >= 16 ? v + 16 : v;
			first->n = n >= 16 ? n - 16 : 0;
		}
	}
	return 0;
}

/* The properties of a list that escbot uses, into a (attachment) or w
 * (message).  A list that stops making sense is read up to there. */
static void
read_props(struct walk *w, struct pending *a, const unsigned char *p,
    size_t n)
{
	struct cur c = { p, p + n };
	struct span v;
	unsigned type, id;
	uint32_t count;

	if (take32(&c, &count) == -1)
		return;
	for (uint32_t i = 0; i < count && i < MAX_PROPS; i++) {
		if (prop_next(&c, &type, &id, &v) == -1)
			return;
		if (type & MV_FLAG || v.p == NULL)
			continue;
		if (a == NULL) {
			if (id == PID_BODY && type != PT_BINARY)
				w->propbody = v;
		} else if (id == PID_LONGNAME && type != PT_BINARY)
			a->longname = v;
		else if (id == PID_MIMETAG && type != PT_BINARY)
			a->mimetag = v;
		else if (id == PID_DATA && type == PT_BINARY)
			a->propdata = v;
	}
}

/* One attribute of level lvl, id (without type) and data d[0..n). */
static void
attribute(struct walk *w, int lvl, unsigned id, const unsigned char *d,
    size_t n)
{
	struct pending *a;

	if (lvl == LVL_MESSAGE) {
		if (id == ATT_CODEPAGE && n >= 4)
			w->codepage = le32(d);
		else if (id == ATT_BODY)
			w->body = (struct span){ d, n, 0 };
		else if (id == ATT_MAPIPROPS)
			read_props(w, NULL, d, n);
		return;
	}
	if (id == ATT_RENDDATA) {
		w->in_att = 1;
		w->cur_skip = w->natt >= TNEF_MAX_FILES;
		if (!w->cur_skip)
			memset(&w->att[w->natt++], 0, sizeof(w->att[0]));
		return;
	}
	if (!w->in_att || w->cur_skip)
		return;		/* before any attachment, or past the limit */
	a = &w->att[w->natt - 1];
	if (id == ATT_ATTACH_TITLE)
		a->title = (struct span){ d, n, 0 };
	else if (id == ATT_ATTACH_DATA)
		a->data = (struct span){ d, n, 0 };
	else if (id == ATT_ATTACHMENT || id == ATT_MAPIPROPS)
		read_props(w, a, d, n);
}

/* Walk every attribute; -1 when the stream is not whole and sound. */
static int
walk_stream(struct walk *w, const unsigned char *p, size_t len)
{
	struct cur c = { p, p + len };
	const unsigned char *h, *d, *ck;
	uint32_t id, n, sum;
	size_t i;

	if (take(&c, 6, &h) == -1 || le32(h) != TNEF_SIGNATURE)
		return -1;
	while (c.p < c.end) {
		if (take(&c, 9, &h) == -1)
			return -1;
		id = le32(h + 1);
		n = le32(h + 5);
		if (take(&c, n, &d) == -1 || take(&c, 2, &ck) == -1)
			return -1;
		for (sum = 0, i = 0; i < n; i++)
			sum += d[i];
		if ((sum & 0xffff) != ((uint32_t)ck[0] | (uint32_t)ck[1] << 8))
			return -1;
		if (h[0] != LVL_MESSAGE && h[0] != LVL_ATTACHMENT)
			return -1;
		attribute(w, h[0], id & 0xffff, d, n);
	}
	return 0;
}

/* A string span to UTF-8, cut at its first NUL (caller frees); NULL when
 * empty. */
static char *
span_text(const struct span *s, unsigned long codepage)
{
	char cs[32];
	size_t n = s->n, i;
	char *t;

	if (s->p == NULL)
		return NULL;
	if (s->wide) {
		for (i = 0; i + 1 < n; i += 2)
			if (s->p[i] == 0 && s->p[i + 1] == 0)
				break;
		n = i;
		snprintf(cs, sizeof(cs), "UTF-16LE");
	} else {
		n = strnlen((const char *)s->p, n);
		if (codepage == 65001)
			snprintf(cs, sizeof(cs), "utf-8");
		else if (codepage == 0)
			snprintf(cs, sizeof(cs), "windows-1252");
		else
			snprintf(cs, sizeof(cs), "CP%lu", codepage);
	}
	t = message_to_utf8(cs, (const char *)s->p, n);
	if (*str_trim(t) == '\0') {
		free(t);
		return NULL;
	}
	return t;
}

/* A file name from the stream, made safe: no control characters, no
 * directories. */
static char *
file_name(const struct pending *a, unsigned long codepage)
{
	char *name, *base;
	size_t i;

	name = span_text(&a->longname, codepage);
	if (name == NULL)
		name = span_text(&a->title, codepage);
	if (name == NULL)
		return NULL;
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			name[i] = '_';
	base = strrchr(name, '\\');
	if (base == NULL || (strrchr(name, '/') != NULL &&
	    strrchr(name, '/') > base))
		base = strrchr(name, '/');
	if (base != NULL && base[1] != '\0')
		memmove(name, base + 1, strlen(base + 1) + 1);
	return name;
}

const char *
tnef_type_for_name(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".docx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" },
		{ ".docm", "application/vnd.ms-word.document.macroenabled.12" },
		{ ".dotx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.template" },
		{ ".doc", "application/msword" },
		{ ".rtf", "application/rtf" },
		{ ".odt", "application/vnd.oasis.opendocument.text" },
		{ ".pdf", "application/pdf" },
		{ ".xlsx", "application/vnd.openxmlformats-officedocument."
		    "spreadsheetml.sheet" },
		{ ".xls", "application/vnd.ms-excel" },
		{ ".txt", "text/plain" },
		{ ".htm", "text/html" },
		{ ".html", "text/html" },
		{ ".eml", "message/rfc822" },
		{ ".msg", "application/vnd.ms-outlook" },
		{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },
		{ ".png", "image/png" },
		{ ".gif", "image/gif" },
		{ ".zip", "application/zip" },
	};
	const char *dot;

	if (name == NULL || (dot = strrchr(name, '.')) == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (str_casecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* The content type of a file: by name, else its MIME tag if it looks
 * like one, else octet-stream.  Caller frees. */
static char *
file_type(const struct pending *a, const char *name, unsigned long cp)
{
	const char *t = tnef_type_for_name(name);
	char *tag;

	if (t != NULL)
		return xstrdup(t);
	tag = span_text(&a->mimetag, cp);
	if (tag != NULL && strchr(tag, '/') != NULL &&
	    strspn(tag, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.+-_") == strlen(tag)) {
		for (char *s = tag; *s; s++)
			*s = (char)tolower((unsigned char)*s);
		return tag;
	}
	free(tag);
	return xstrdup("application/octet-stream");
}

/* The walked stream's files and body into t. */
static void
collect(const struct walk *w, struct tnef *t)
{
	const struct pending *a;
	const struct span *d;
	struct tnef_file *f;

	t->files = xcalloc(w->natt ? w->natt : 1, sizeof(*t->files));
	for (size_t i = 0; i < w->natt; i++) {
		a = &w->att[i];
		d = a->data.p != NULL ? &a->data : &a->propdata;
		if (d->p == NULL || d->n > TNEF_MAX_FILE)
			continue;	/* nothing to keep, or too large */
		f = &t->files[t->nfiles++];
		f->name = file_name(a, w->codepage);
		f->content_type = file_type(a, f->name, w->codepage);
		f->data = xmalloc(d->n + 1);
		memcpy(f->data, d->p, d->n);
		f->data[d->n] = '\0';
		f->len = d->n;
	}
	t->body = span_text(&w->body, w->codepage);
	if (t->body == NULL)
		t->body = span_text(&w->propbody, w->codepage);
}

int
tnef_parse(const char *data, size_t len, struct tnef **out)
{
	struct walk *w;
	struct tnef *t = NULL;
	int rc = -1;

	*out = NULL;
	w = xcalloc(1, sizeof(*w));
	if (data == NULL || walk_stream(w, (const unsigned char *)data,
	    len) == -1)
		goto fail;
	t = xcalloc(1, sizeof(*t));
	collect(w, t);
	*out = t;
	rc = 0;
fail:
	free(w);
	return rc;
}

void
tnef_free(struct tnef *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nfiles; i++) {
		free(t->files[i].name);
		free(t->files[i].content_type);
		free(t->files[i].data);
	}
	free(t->files);
	free(t->body);
	free(t);
}

int
tnef_is_tnef(const char *content_type, const char *filename)
{
	if (content_type != NULL &&
	    (strcmp(content_type, "application/ms-tnef") == 0 ||
	    strcmp(content_type, "application/vnd.ms-tnef") == 0))
		return 1;
	return filename != NULL && str_casecmp(filename, "winmail.dat") == 0;
}
