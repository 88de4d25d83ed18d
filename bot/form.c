/*
 * form: the partnership's forms are data (one libconfig file each in
 * rules/forms/, checked here with file:line diagnostics), and this file
 * turns the text of an email -- a Word form pasted into the body, a table
 * copied as tab-separated cells, or answers typed under the printed
 * questions -- into named, normalised answers.  Extraction is one pass over
 * the lines: each line is matched against every label, alias, grid row /
 * column name and heading of the form (normalised: lower case, letters and
 * digits only, longest first), and the text after a label belongs to that
 * field until the next label.  Quoted history, signatures and sign-offs end
 * the form.  Values are then checked and normalised per field type (UK
 * dates, yes/no with a struck or circled choice, NHS numbers with their
 * check digit, email addresses, UK telephone numbers).  Work per line is
 * bounded by the longest label, so hostile input costs linear time.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "form.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Normalised text: what labels and patterns are compared as.          */

/* Length in bytes of the UTF-8 sequence starting at p (1 for bad bytes). */
static size_t
u8len(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;

	if (*p < 0xc0)
		return 1;
	n = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
	for (i = 1; i < n; i++)
		if (p + i >= end || (p[i] & 0xc0) != 0x80)
			return i;
	return n;
}

/*
 * Writes at most cap characters of the normalised form of s..e to out:
 * ASCII letters and digits lower-cased, full stops and apostrophes dropped
 * ("D.O.B" is "dob", "What's" is "whats"), any other run of characters one
 * space, none at either end.  map[i], when given, is the offset in s just
 * after the character that produced out[i].  *all is set when the whole
 * input was used.  Returns the length written (out is not terminated).
 */
static size_t
norm(const char *s, const char *e, char *out, size_t cap, size_t *map,
    int *all)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = (const unsigned char *)e;
	size_t n = 0;
	int sep = 0;

	if (all)
		*all = 0;
	while (p < end) {
		unsigned char c = *p;

		if (isalnum(c) && c < 0x80) {
			if (sep && n > 0) {
				if (n + 1 >= cap)
					return n;
				if (map)
					map[n] = (size_t)((const char *)p - s);
				out[n++] = ' ';
			}
			if (n >= cap)
				return n;
			if (map)
				map[n] = (size_t)((const char *)p - s) + 1;
			out[n++] = (char)tolower(c);
			sep = 0;
			p++;
		} else if (c == '.' || c == '\'') {
			p++;
		} else if (c == 0xe2 && end - p >= 3 && p[1] == 0x80 &&
		    (p[2] == 0x98 || p[2] == 0x99)) {
			p += 3;		/* U+2018, U+2019 quotes */
		} else {
			sep = 1;
			p += u8len(p, end);
		}
	}
	if (all)
		*all = 1;
	return n;
}

/* Normalised copy of a NUL-terminated string (caller frees). */
static char *
norm_dup(const char *s, size_t *lenp)
{
	size_t len = strlen(s);
	char *out = xmalloc(len + 1);
	size_t n;

	n = norm(s, s + len, out, len + 1, NULL, NULL);
	out[n] = '\0';
	if (lenp)
		*lenp = n;
	return out;
}

/* A label as matched: without the trailing "(if applicable)" or "?". */
static char *
label_norm(const char *label, size_t *lenp)
{
	char *tmp = xstrdup(label), *out;
	size_t len = strlen(tmp);

	for (;;) {
		while (len > 0 && (isspace((unsigned char)tmp[len - 1]) ||
		    strchr(":?.*-", tmp[len - 1]) != NULL))
			len--;
		if (len > 0 && tmp[len - 1] == ')') {
			size_t i = len - 1;
			int depth = 0;

			for (;;) {
				if (tmp[i] == ')')
					depth++;
				else if (tmp[i] == '(' && --depth == 0)
					break;
				if (i == 0)
					break;
				i--;
			}
			if (depth != 0 || i == 0)
				break;
			len = i;
			continue;
		}
		break;
	}
	tmp[len] = '\0';
	out = norm_dup(tmp, lenp);
	free(tmp);
	return out;
}

static int
is_space_at(const char *p, const char *e, size_t *n)
{
	const unsigned char *u = (const unsigned char *)p;

	if (p >= e)
		return 0;
	if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\f' || *u == '\v') {
		*n = 1;
		return 1;
	}
	if (e - p >= 2 && u[0] == 0xc2 && u[1] == 0xa0) {		/* NBSP */
		*n = 2;
		return 1;
	}
	if (e - p >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0x8b || u[2] == 0xaf)) {		/* ZWSP, NNBSP */
		*n = 3;
		return 1;
	}
	if (e - p >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		*n = 3;				/* BOM */
		return 1;
	}
	return 0;
}

/* Narrow s..e to exclude white space (ASCII, NBSP, zero-width, BOM). */
static void
trim(const char **s, const char **e)
{
	size_t n;

	while (is_space_at(*s, *e, &n))
		*s += n;
	for (;;) {
		const char *p = *e;

		if (p > *s && strchr(" \t\r\f\v", p[-1]) != NULL && p[-1] != '\0') {
			(*e)--;
			continue;
		}
		if (p - *s >= 2 && (unsigned char)p[-2] == 0xc2 &&
		    (unsigned char)p[-1] == 0xa0) {
			*e -= 2;
			continue;
		}
		if (p - *s >= 3 && (unsigned char)p[-3] == 0xe2 &&
		    (unsigned char)p[-2] == 0x80 &&
		    ((unsigned char)p[-1] == 0x8b || (unsigned char)p[-1] == 0xaf)) {
			*e -= 3;
			continue;
		}
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Where the practitioner's own text ends.                             */

static const char *const signoffs[] = {
	"kind regards", "kindest regards", "regards", "best regards",
	"warm regards", "warmest regards", "many thanks", "thanks",
	"thank you", "thanks again", "with thanks", "best wishes",
	"with best wishes", "yours sincerely", "yours faithfully", "cheers",
	"sent from my iphone", "sent from my ipad", "sent from outlook",
	"get outlook for ios", "get outlook for android", NULL
};

static int
starts_ci(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && str_ncasecmp(s, word, n) == 0;
}

static int
ends_ci(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && str_ncasecmp(e - n, word, n) == 0;
}

/* End of the line starting at s (at '\n' or end), without a '\r'. */
static const char *
line_end(const char *s, const char *end, const char **next)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	const char *e = nl ? nl : end;

	*next = nl ? nl + 1 : end;
	if (e > s && e[-1] == '\r')
		e--;
	return e;
}

static int
is_signoff(const char *s, const char *e)
{
	char buf[48];
	size_t n;
	int all;

	if (e - s > 60)
		return 0;
	n = norm(s, e, buf, sizeof(buf) - 1, NULL, &all);
	if (!all)
		return 0;
	buf[n] = '\0';
	for (const char *const *w = signoffs; *w; w++)
		if (strcmp(buf, *w) == 0)
			return 1;
	return 0;
}

/*
 * Does the line s..e (next: the following line, end: the text's end) start
 * quoted history or a signature?  With `body` set, a sign-off line counts
 * too (used once a field has been read).
 */
static int
is_stop(const char *s, const char *e, const char *next, const char *end,
    int body)
{
	const char *t = s, *ts = s, *te = e;
	int i;

	if (e - s == 3 && memcmp(s, "-- ", 3) == 0)
		return 1;
	for (i = 0; i < 3 && t < e && *t == ' '; i++)
		t++;
	if (t < e && *t == '>')
		return 1;
	trim(&ts, &te);
	if (starts_ci(ts, te, "-----") && te - ts < 100) {
		for (const char *p = ts; p + 16 <= te; p++)
			if (str_ncasecmp(p, "original message", 16) == 0)
				return 1;
	}
	if (te - ts < 300 && te - ts > 3 && memcmp(ts, "On ", 3) == 0) {
		const char *ne, *nn, *ns;

		if (ends_ci(ts, te, "wrote:"))
			return 1;
		if (next < end) {
			ne = line_end(next, end, &nn);
			ns = next;
			trim(&ns, &ne);
			if (ne - ns < 300 && ends_ci(ns, ne, "wrote:"))
				return 1;
		}
	}
	if (starts_ci(ts, te, "from:")) {
		const char *p = next, *pe, *pn;

		for (i = 0; i < 5 && p < end; i++, p = pn) {
			pe = line_end(p, end, &pn);
			trim(&p, &pe);
			if (starts_ci(p, pe, "sent:") || starts_ci(p, pe, "date:") ||
			    starts_ci(p, pe, "to:") || starts_ci(p, pe, "subject:") ||
			    starts_ci(p, pe, "cc:"))
				return 1;
		}
	}
	if (body && is_signoff(ts, te))
		return 1;
	return 0;
}

size_t
form_body_len(const char *text)
{
	const char *p, *e, *next, *end;

	if (text == NULL)
		return 0;
	end = text + strlen(text);
	for (p = text; p < end; p = next) {
		e = line_end(p, end, &next);
		if (is_stop(p, e, next, end, 0))
			return (size_t)(p - text);
	}
	return (size_t)(end - text);
}

/* ------------------------------------------------------------------ */
/* Value types.                                                        */

static const char *const type_names[] = {
	[FIELD_TEXT] = "text", [FIELD_DATE] = "date", [FIELD_YESNO] = "yesno",
	[FIELD_EMAIL] = "email", [FIELD_PHONE] = "phone", [FIELD_NHS] = "nhs",
};

const char *
form_type_name(enum form_field_type t)
{
	if ((size_t)t < sizeof(type_names) / sizeof(type_names[0]) &&
	    type_names[t] != NULL)
		return type_names[t];
	return "text";
}

static int
type_from_name(const char *s, enum form_field_type *t)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(s, type_names[i]) == 0) {
			*t = (enum form_field_type)i;
			return 0;
		}
	return -1;
}

static const char *const months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};
static const char *const weekdays[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday", "mon", "tue", "tues", "wed", "weds", "thu", "thur",
	"thurs", "fri", "sat", "sun", NULL
};

/* Reads an ASCII word at *p; its length (0 when none), lower-cased. */
static size_t
read_word(const char *p, char *buf, size_t cap)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[n]) && (unsigned char)p[n] < 0x80) {
		if (n + 1 < cap)
			buf[n] = (char)tolower((unsigned char)p[n]);
		n++;
	}
	buf[n < cap ? n : cap - 1] = '\0';
	return n;
}

static int
month_of(const char *w)
{
	for (int i = 0; i < 12; i++)
		if (strcmp(w, months[i]) == 0 ||
		    (strlen(w) == 3 && strncmp(w, months[i], 3) == 0))
			return i + 1;
	if (strcmp(w, "sept") == 0)
		return 9;
	return 0;
}

/* Reads 1..max digits; count in *nd. */
static int
read_num(const char **pp, int max, int *nd)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (isdigit((unsigned char)*p)) {
		if (++n > max)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	if (n == 0)
		return -1;
	*nd = n;
	*pp = p;
	return v;
}

static int
days_in(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* Two-digit years: this century unless that is more than two years ahead. */
static int
full_year(int yy)
{
	time_t now = time(NULL);
	struct tm tm;
	int cur = 2026;

	if (gmtime_r(&now, &tm) != NULL)
		cur = tm.tm_year + 1900;
	return 2000 + yy > cur + 2 ? 1900 + yy : 2000 + yy;
}

static void
skip_ordinal(const char **pp)
{
	const char *p = *pp;

	if ((str_ncasecmp(p, "st", 2) == 0 || str_ncasecmp(p, "nd", 2) == 0 ||
	    str_ncasecmp(p, "rd", 2) == 0 || str_ncasecmp(p, "th", 2) == 0) &&
	    !isalpha((unsigned char)p[2]))
		*pp = p + 2;
}

static void
skip_chars(const char **pp, const char *set)
{
	while (**pp && strchr(set, **pp) != NULL)
		(*pp)++;
}

/* -1: not a date, -2: looks like a date but is not a real one. */
static int
parse_date(const char *in, char out[11])
{
	const char *p = in;
	char w[16];
	int d = 0, m = 0, y = 0, n1, n2, n3, nd1, nd2, nd3;
	size_t wl;

	while (*p && isspace((unsigned char)*p))
		p++;
	wl = read_word(p, w, sizeof(w));
	for (const char *const *wd = weekdays; wl && *wd; wd++)
		if (strcmp(w, *wd) == 0) {
			p += wl;
			skip_chars(&p, " \t,.");
			break;
		}
	if (isdigit((unsigned char)*p)) {
		if ((n1 = read_num(&p, 4, &nd1)) < 0)
			return -1;
		if (*p && strchr("/.-", *p) != NULL && isdigit((unsigned char)p[1])) {
			p++;
			if ((n2 = read_num(&p, 2, &nd2)) < 0 || *p == '\0' ||
			    strchr("/.-", *p) == NULL)
				return -1;
			p++;
			if ((n3 = read_num(&p, 4, &nd3)) < 0)
				return -1;
			if (nd1 == 4) {
				if (nd3 > 2)
					return -1;
				y = n1, m = n2, d = n3;
			} else if (nd1 <= 2 && (nd3 == 4 || nd3 == 2)) {
				d = n1, m = n2, y = nd3 == 2 ? full_year(n3) : n3;
			} else
				return -1;
			if (nd1 == 4 && (*p == 'T' || *p == 't') &&
			    isdigit((unsigned char)p[1]))
				p += strlen(p);	/* ISO 8601 time follows */
		} else {
			if (nd1 > 2)
				return -1;
			d = n1;
			skip_ordinal(&p);
			skip_chars(&p, " \t-./");
			if (str_ncasecmp(p, "of ", 3) == 0)
				p += 3;
			wl = read_word(p, w, sizeof(w));
			if (wl == 0 || (m = month_of(w)) == 0)
				return -1;
			p += wl;
			skip_chars(&p, " \t-./,");
			if ((n3 = read_num(&p, 4, &nd3)) < 0 ||
			    (nd3 != 4 && nd3 != 2))
				return -1;
			y = nd3 == 2 ? full_year(n3) : n3;
		}
	} else {
		wl = read_word(p, w, sizeof(w));
		if (wl == 0 || (m = month_of(w)) == 0)
			return -1;
		p += wl;
		skip_chars(&p, " \t.");
		if ((d = read_num(&p, 2, &nd1)) < 0)
			return -1;
		skip_ordinal(&p);
		skip_chars(&p, " \t,");
		if ((n3 = read_num(&p, 4, &nd3)) < 0 || (nd3 != 4 && nd3 != 2))
			return -1;
		y = nd3 == 2 ? full_year(n3) : n3;
	}
	if (*p != '\0' && !isspace((unsigned char)*p) &&
	    strchr(",;(", *p) == NULL)
		return -1;
	if (m < 1 || m > 12 || y < 1900 || y > 2199 || d < 1 ||
	    d > days_in(y, m))
		return -2;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

int
form_parse_date(const char *in, char out[11])
{
	if (in == NULL)
		return -1;
	return parse_date(in, out) == 0 ? 0 : -1;
}

/*
 * Yes / no.  Reads the leading run of options ("Yes / No", "[x] Yes [ ] No",
 * "(Yes) No", "Yes ~~No~~") and decides: an option struck through does not
 * count (so "~~No~~" alone is yes); of the rest, one alone wins, else the
 * one that is marked (circled, ticked, boxed).  Returns 0, -1 when there
 * is no yes or no, -2 when both remain and nothing tells them apart.
 */
struct yn_opt {
	int	yes;
	int	struck;
	int	marked;
};

/* Is p (at e) a strike-through combining mark U+0335/6/8?  Its length. */
static size_t
strike_mark(const unsigned char *p)
{
	if (p[0] == 0xcc && (p[1] == 0xb5 || p[1] == 0xb6 || p[1] == 0xb8))
		return 2;
	return 0;
}

/* A tick or filled box (1), an empty box (2), else 0; *n its length. */
static int
mark_at(const unsigned char *p, size_t *n)
{
	if (p[0] == 0xe2 && p[1] == 0x98 && (p[2] == 0x92 || p[2] == 0x91)) {
		*n = 3;		/* U+2612, U+2611 */
		return 1;
	}
	if (p[0] == 0xe2 && p[1] == 0x98 && p[2] == 0x90) {
		*n = 3;		/* U+2610 */
		return 2;
	}
	if (p[0] == 0xe2 && p[1] == 0x9c &&
	    (p[2] == 0x93 || p[2] == 0x94 || p[2] == 0x85)) {
		*n = 3;		/* U+2713, U+2714, U+2705 */
		return 1;
	}
	if ((p[0] == '[' || p[0] == '(') && p[1] != '\0' &&
	    p[2] == (p[0] == '[' ? ']' : ')')) {
		if (p[1] == 'x' || p[1] == 'X' || p[1] == '*') {
			*n = 3;
			return 1;
		}
		if (p[1] == ' ') {
			*n = 3;
			return 2;
		}
	}
	if (p[0] == '[' && p[1] == ']') {
		*n = 2;
		return 2;
	}
	return 0;
}

static int
parse_yesno(const char *in, int *yes, const char **endp)
{
	const unsigned char *p = (const unsigned char *)in;
	struct yn_opt opt[8];
	size_t nopt = 0, n;
	int strike = 0, before = -1, pending = 0, k, nyes = 0, nno = 0;
	int myes = 0, mno = 0, syes = 0, sno = 0;

	while (*p) {
		const unsigned char *q, *r;
		unsigned char close = 0;
		size_t open = 0, wl = 0;
		int struck = 0, circled = 0;
		char w[8];

		if (is_space_at((const char *)p, (const char *)p + 4, &n)) {
			p += n;
			continue;
		}
		if (strchr("/|\\;", *p) != NULL) {
			p++;
			continue;
		}
		if (p[0] == '~' && p[1] == '~') {
			strike = !strike;
			p += 2;
			continue;
		}
		if (str_ncasecmp((const char *)p, "<s>", 3) == 0 ||
		    str_ncasecmp((const char *)p, "<del>", 5) == 0 ||
		    str_ncasecmp((const char *)p, "<strike>", 8) == 0 ||
		    str_ncasecmp((const char *)p, "</s>", 4) == 0 ||
		    str_ncasecmp((const char *)p, "</del>", 6) == 0 ||
		    str_ncasecmp((const char *)p, "</strike>", 9) == 0) {
			strike = p[1] != '/';
			p = (const unsigned char *)strchr((const char *)p, '>') + 1;
			continue;
		}
		if ((k = mark_at(p, &n)) != 0) {
			/* Boxes and ticks go with the option after them when
			 * the answer starts with one, else with the one before. */
			if (before < 0)
				before = nopt == 0;
			if (before)
				pending = k;
			else if (nopt > 0 && k == 1)
				opt[nopt - 1].marked = 1;
			p += n;
			continue;
		}
		/* An option wrapped in ( ), [ ], { }, < >, * *, ** **, _ _. */
		q = p;
		if (*q && strchr("([{<", *q) != NULL) {
			close = *q == '(' ? ')' : *q == '[' ? ']' :
			    *q == '{' ? '}' : '>';
			open = 1;
		} else if (*q == '*' || *q == '_') {
			close = *q;
			open = q[1] == *q ? 2 : 1;
		}
		q += open;
		for (r = q; *r; ) {
			if (isalpha(*r) && *r < 0x80) {
				if (wl + 1 < sizeof(w))
					w[wl] = (char)tolower(*r);
				wl++;
				r++;
			} else if ((n = strike_mark(r)) != 0) {
				struck = 1;
				r += n;
			} else
				break;
		}
		w[wl < sizeof(w) ? wl : sizeof(w) - 1] = '\0';
		if (wl == 0) {
			if (open == 0)
				break;		/* not part of a yes / no */
			p += open;		/* a lone bracket */
			continue;
		}
		if (open > 0) {
			size_t c = 0;

			while (c < open && r[c] == close)
				c++;
			if (c == open) {
				circled = 1;
				r += c;
			}
		}
		if (wl < sizeof(w) && (strcmp(w, "yes") == 0 || strcmp(w, "y") == 0 ||
		    strcmp(w, "no") == 0 || strcmp(w, "n") == 0)) {
			if (nopt == sizeof(opt) / sizeof(opt[0]))
				break;
			opt[nopt].yes = w[0] == 'y';
			opt[nopt].struck = struck || strike;
			opt[nopt].marked = circled || pending == 1;
			pending = 0;
			if (before < 0)
				before = 0;
			nopt++;
			p = r;
			continue;
		}
		if (strcmp(w, "or") == 0 && !circled) {
			p = r;
			continue;
		}
		if (strcmp(w, "x") == 0 && !circled) {
			if (before < 0)
				before = nopt == 0;
			if (before)
				pending = 1;
			else if (nopt > 0)
				opt[nopt - 1].marked = 1;
			p = r;
			continue;
		}
		/* Any other word ends the answer ("Yes, see below"). */
		break;
	}
	if (endp != NULL)
		*endp = (const char *)p;
	for (size_t i = 0; i < nopt; i++) {
		if (opt[i].struck) {
			syes += opt[i].yes;
			sno += !opt[i].yes;
			continue;
		}
		if (opt[i].yes) {
			nyes++;
			myes += opt[i].marked;
		} else {
			nno++;
			mno += opt[i].marked;
		}
	}
	/* Only one of the two printed, and struck out: the other. */
	if (nyes == 0 && nno == 0 && (syes == 0) != (sno == 0)) {
		*yes = sno > 0;
		return 0;
	}
	if (nyes == 0 && nno == 0)
		return -1;
	if (nyes && nno) {
		if (myes && !mno)
			nno = 0;
		else if (mno && !myes)
			nyes = 0;
		else
			return -2;
	}
	*yes = nyes > 0;
	return 0;
}

int
form_parse_yesno(const char *in, int *yes)
{
	int v;

	if (in == NULL || parse_yesno(in, &v, NULL) != 0)
		return -1;
	*yes = v;
	return 0;
}

/* -1: not ten digits, -2: check digit wrong. */
static int
check_nhs(const char *in, char out[11])
{
	char d[11];
	size_t n = 0;
	int sum = 0, check, same = 1;

	for (const char *p = in; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n == 10)
				return -1;
			d[n++] = *p;
		} else if (*p != ' ' && *p != '-' && *p != '\t')
			return -1;
	}
	if (n != 10)
		return -1;
	d[10] = '\0';
	for (int i = 0; i < 9; i++) {
		sum += (d[i] - '0') * (10 - i);
		if (d[i] != d[0])
			same = 0;
	}
	check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	if (check == 10 || check != d[9] - '0' || (same && d[9] == d[0]))
		return -2;
	memcpy(out, d, 11);
	return 0;
}

int
form_check_nhs(const char *in, char out[11])
{
	if (in == NULL)
		return -1;
	return check_nhs(in, out) == 0 ? 0 : -1;
}

int
form_parse_email(const char *in, char **out)
{
	const char *s, *e, *lt, *at = NULL, *p;
	char *r;

	*out = NULL;
	if (in == NULL)
		return -1;
	s = in;
	e = in + strlen(in);
	trim(&s, &e);
	if ((lt = memchr(s, '<', (size_t)(e - s))) != NULL) {
		const char *gt = memchr(lt, '>', (size_t)(e - lt));

		if (gt == NULL)
			return -1;
		s = lt + 1;
		e = gt;
		trim(&s, &e);
	}
	if (starts_ci(s, e, "mailto:"))
		s += 7;
	for (p = s; p < e; p++) {
		if (*p == '@') {
			if (at != NULL)
				return -1;
			at = p;
		} else if (at == NULL) {
			if (!isalnum((unsigned char)*p) &&
			    strchr(".!#$%&'*+/=?^_`{|}~-", *p) == NULL)
				return -1;
		} else if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return -1;
		if ((unsigned char)*p >= 0x80)
			return -1;
	}
	if (at == NULL || at == s || at + 1 >= e || *s == '.' || at[-1] == '.')
		return -1;
	/* Domain: labels of letters, digits, hyphens; a dot; a letter TLD. */
	{
		const char *lab = at + 1, *dot = NULL;

		for (p = at + 1; p <= e; p++) {
			if (p == e || *p == '.') {
				if (p == lab || *lab == '-' || p[-1] == '-')
					return -1;
				if (p < e)
					dot = p;
				lab = p + 1;
			}
		}
		if (dot == NULL || e - dot < 3)
			return -1;
		for (p = dot + 1; p < e; p++)
			if (!isalpha((unsigned char)*p))
				return -1;
	}
	r = xstrndup(s, (size_t)(e - s));
	for (char *c = r; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	*out = r;
	return 0;
}

int
form_parse_phone(const char *in, char **out)
{
	char digits[24], ext[12];
	size_t nd = 0, ne = 0;
	const char *s, *e, *p, *x = NULL;
	int plus = 0;

	*out = NULL;
	if (in == NULL)
		return -1;
	s = in;
	e = in + strlen(in);
	trim(&s, &e);
	/* An extension at the end: "ext 123", "ext. 123", "x123". */
	for (p = s; p < e; p++)
		if ((starts_ci(p, e, "ext") || ((*p == 'x' || *p == 'X') &&
		    p + 1 < e && (isdigit((unsigned char)p[1]) || p[1] == ' '))) &&
		    p > s && (p[-1] == ' ' || isdigit((unsigned char)p[-1]))) {
			x = p;
			break;
		}
	if (x != NULL) {
		p = x + (starts_ci(x, e, "extn") ? 4 :
		    starts_ci(x, e, "ext") ? 3 : 1);
		for (; p < e; p++) {
			if (isdigit((unsigned char)*p)) {
				if (ne + 1 >= sizeof(ext))
					return -1;
				ext[ne++] = *p;
			} else if (!strchr(" .:", *p) || ne > 0)
				return -1;
		}
		if (ne == 0)
			return -1;
		ext[ne] = '\0';
		e = x;
	}
	p = s;
	if (p < e && *p == '+') {
		plus = 1;
		p++;
	}
	for (; p < e; p++) {
		if (isdigit((unsigned char)*p)) {
			if (nd + 1 >= sizeof(digits))
				return -1;
			digits[nd++] = *p;
		} else if (*p == '(' && p + 2 < e && p[1] == '0' && p[2] == ')' &&
		    nd == 2 && digits[0] == '4' && digits[1] == '4') {
			p += 2;		/* +44 (0)... */
		} else if (strchr(" -().\t", *p) == NULL) {
			return -1;
		}
	}
	digits[nd] = '\0';
	if ((plus || (nd == 12 && digits[0] == '4')) && nd >= 2 &&
	    digits[0] == '4' && digits[1] == '4') {
		memmove(digits + 1, digits + 2, nd - 1);
		digits[0] = '0';
		nd--;
		plus = 0;
	}
	if (plus) {
		if (nd < 8 || nd > 15)
			return -1;
		*out = ne ? xasprintf("+%s ext %s", digits, ext) :
		    xasprintf("+%s", digits);
		return 0;
	}
	if (!((nd == 10 || nd == 11) && digits[0] == '0' && digits[1] != '0') &&
	    !(nd == 3 && (strcmp(digits, "999") == 0 || strcmp(digits, "101") == 0 ||
	    strcmp(digits, "111") == 0 || strcmp(digits, "112") == 0)))
		return -1;
	*out = ne ? xasprintf("%s ext %s", digits, ext) : xstrdup(digits);
	return 0;
}

int
form_normalise(enum form_field_type t, const char *raw, char **value,
    const char **reason)
{
	char buf[11];
	const char *s, *e;
	int r, yes;

	*value = NULL;
	*reason = NULL;
	if (raw == NULL)
		raw = "";
	s = raw;
	e = raw + strlen(raw);
	trim(&s, &e);
	switch (t) {
	case FIELD_DATE:
		r = parse_date(raw, buf);
		if (r == 0) {
			*value = xstrdup(buf);
			return 0;
		}
		*reason = r == -2 ? "is not a real date (check the day and month)" :
		    "is not a date written day / month / year";
		return -1;
	case FIELD_YESNO:
		r = parse_yesno(raw, &yes, NULL);
		if (r == 0) {
			*value = xstrdup(yes ? "yes" : "no");
			return 0;
		}
		*reason = r == -2 ? "gives both Yes and No: delete or strike through "
		    "the one that does not apply" : "is not Yes or No";
		return -1;
	case FIELD_NHS:
		r = check_nhs(raw, buf);
		if (r == 0) {
			*value = xstrdup(buf);
			return 0;
		}
		*reason = r == -2 ? "is not a valid NHS number (the check digit "
		    "does not match)" : "is not an NHS number (10 digits)";
		return -1;
	case FIELD_EMAIL:
		if (form_parse_email(raw, value) == 0)
			return 0;
		*reason = "is not an email address";
		return -1;
	case FIELD_PHONE:
		if (form_parse_phone(raw, value) == 0)
			return 0;
		*reason = "is not a UK telephone number";
		return -1;
	case FIELD_TEXT:
	default:
		*value = xstrndup(s, (size_t)(e - s));
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Loading the form files.                                             */

static struct form_index *index_build(const struct form_def *);
static void	index_free(struct form_index *);
static const char *index_title(const struct form_def *, size_t k,
		    size_t *plen);

static const char *const top_keys[] = { "form", NULL };
static const char *const form_keys[] = {
	"id", "title", "patterns", "fields", "boundaries", NULL
};
static const char *const field_keys[] = {
	"name", "label", "aliases", "type", "required", "personal", "example",
	"after", "row", "column", NULL
};

static int
ident_ok(const char *s, int dash)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && !(dash && *s == '-'))
			return 0;
	return 1;
}

/* A string or an array of strings (row / column names). */
static char **
names_of(const config_setting_t *g, const char *key, size_t *n,
    const char *file, struct diag *d)
{
	config_setting_t *s = config_setting_get_member(g, key);
	char **v;

	*n = 0;
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = xcalloc(2, sizeof(char *));
		v[0] = xstrdup(config_setting_get_string(s));
		*n = 1;
		return v;
	}
	if (s != NULL && !config_setting_is_array(s) && !config_setting_is_list(s)) {
		diag_error(d, file, cfg_line(s),
		    "\"%s\" must be a string or an array of strings", key);
		return xcalloc(1, sizeof(char *));
	}
	return cfg_strings(g, key, 0, n, file, d);
}

static void
free_strv(char **v)
{
	cfg_strings_free(v);
}

static void
field_free(struct form_field_def *f)
{
	free(f->name);
	free(f->label);
	free_strv(f->aliases);
	free(f->example);
	free(f->after);
	free_strv(f->rows);
	free_strv(f->columns);
}

static void
form_free(struct form_def *f)
{
	free(f->id);
	free(f->title);
	free_strv(f->patterns);
	for (size_t i = 0; i < f->nfields; i++)
		field_free(&f->fields[i]);
	free(f->fields);
	free(f->file);
	free_strv(f->boundaries);
	index_free(f->index);
}

/* Reports a name (label, alias, pattern) with no letters or digits. */
static void
check_words(const char *s, const char *what, const config_setting_t *at,
    const char *file, struct diag *d)
{
	size_t n;
	char *t = label_norm(s, &n);

	if (n == 0)
		diag_error(d, file, cfg_line(at), "%s \"%s\" has no letters or digits",
		    what, s);
	free(t);
}

static void
load_field(struct form_field_def *f, const config_setting_t *e,
    const char *file, struct diag *d)
{
	config_setting_t *s;
	char *type;

	cfg_check_keys(e, field_keys, "field", file, d);
	f->name = cfg_string(e, "name", 1, "", file, d);
	if (f->name[0] && !ident_ok(f->name, 0))
		diag_error(d, file, cfg_line(config_setting_get_member(e, "name")),
		    "field name \"%s\": use lower-case letters, digits and _",
		    f->name);
	f->label = cfg_string(e, "label", 1, "", file, d);
	if (f->label[0])
		check_words(f->label, "label", config_setting_get_member(e, "label"),
		    file, d);
	f->aliases = cfg_strings(e, "aliases", 0, &f->naliases, file, d);
	s = config_setting_get_member(e, "aliases");
	for (size_t i = 0; i < f->naliases; i++)
		check_words(f->aliases[i], "alias", s, file, d);
	type = cfg_string(e, "type", 0, "text", file, d);
	if (type_from_name(type, &f->type) != 0)
		diag_error(d, file, cfg_line(config_setting_get_member(e, "type")),
		    "field \"%s\": unknown type \"%s\" (text, date, yesno, email, "
		    "phone or nhs)", f->name, type);
	free(type);
	f->required = cfg_bool(e, "required", 0, file, d);
	f->personal = cfg_bool(e, "personal", 0, file, d);
	f->example = cfg_string(e, "example", 0, "", file, d);
	f->after = cfg_string(e, "after", 0, NULL, file, d);
	f->rows = names_of(e, "row", &f->nrows, file, d);
	f->columns = names_of(e, "column", &f->ncolumns, file, d);
	if ((f->nrows == 0) != (f->ncolumns == 0))
		diag_error(d, file, cfg_line(e),
		    "field \"%s\": a grid cell needs both row and column", f->name);
	for (size_t i = 0; i < f->nrows; i++)
		check_words(f->rows[i], "row", e, file, d);
	for (size_t i = 0; i < f->ncolumns; i++)
		check_words(f->columns[i], "column", e, file, d);
}

static int
same_norm(const char *a, const char *b)
{
	char *x = label_norm(a, NULL), *y = label_norm(b, NULL);
	int r = strcmp(x, y) == 0;

	free(x);
	free(y);
	return r;
}

static void
check_form(struct form_def *fd, const config_setting_t *g,
    const config_setting_t *list, const char *file, struct diag *d)
{
	config_setting_t *bs = config_setting_get_member(g, "boundaries");

	for (size_t i = 0; i < fd->nfields; i++) {
		struct form_field_def *f = &fd->fields[i];
		const config_setting_t *e = config_setting_get_elem(list,
		    (unsigned)i);

		for (size_t j = 0; j < i; j++) {
			if (f->name[0] && strcmp(fd->fields[j].name, f->name) == 0) {
				diag_error(d, file, cfg_line(e),
				    "field \"%s\" is defined twice (first at line %d)",
				    f->name, cfg_line(config_setting_get_elem(list,
				    (unsigned)j)));
				break;
			}
			if (f->nrows && f->ncolumns && fd->fields[j].nrows &&
			    fd->fields[j].ncolumns &&
			    same_norm(f->rows[0], fd->fields[j].rows[0]) &&
			    same_norm(f->columns[0], fd->fields[j].columns[0]))
				diag_error(d, file, cfg_line(e),
				    "field \"%s\" is the same grid cell as \"%s\"",
				    f->name, fd->fields[j].name);
		}
		if (f->after != NULL) {
			if (form_field_find(fd, f->after) == NULL ||
			    strcmp(f->after, f->name) == 0)
				diag_error(d, file,
				    cfg_line(config_setting_get_member(e, "after")),
				    "field \"%s\": after names \"%s\", which is not "
				    "another field of this form", f->name, f->after);
		}
	}
	for (size_t b = 0; b < fd->nboundaries; b++) {
		check_words(fd->boundaries[b], "boundary", bs, file, d);
		for (size_t i = 0; i < fd->nfields; i++) {
			const struct form_field_def *f = &fd->fields[i];
			int clash = same_norm(fd->boundaries[b], f->label);

			for (size_t a = 0; !clash && a < f->naliases; a++)
				clash = same_norm(fd->boundaries[b], f->aliases[a]);
			if (clash)
				diag_error(d, file, cfg_line(bs),
				    "boundary \"%s\" is also a label of field \"%s\"",
				    fd->boundaries[b], f->name);
		}
	}
}

static void
load_file(struct form_set *set, const char *path, struct diag *d)
{
	config_t cf;
	config_setting_t *root, *g, *list, *e, *id;
	struct form_def fd;
	int n;

	memset(&fd, 0, sizeof(fd));
	if (cfg_open(&cf, path, d) != 0)
		goto done;
	root = config_root_setting(&cf);
	cfg_check_keys(root, top_keys, NULL, path, d);
	if ((g = cfg_group(root, "form", 1, 0, path, d)) == NULL)
		goto done;
	cfg_check_keys(g, form_keys, "form", path, d);
	fd.file = xstrdup(path);
	fd.id = cfg_string(g, "id", 1, "", path, d);
	id = config_setting_get_member(g, "id");
	if (id != NULL && !ident_ok(fd.id, 1))
		diag_error(d, path, cfg_line(id),
		    "form id \"%s\": use lower-case letters, digits, - and _", fd.id);
	fd.title = cfg_string(g, "title", 1, "", path, d);
	if (fd.title[0] == '\0' && config_setting_get_member(g, "title") != NULL)
		diag_error(d, path, cfg_line(config_setting_get_member(g, "title")),
		    "title is empty");
	fd.patterns = cfg_strings(g, "patterns", 1, &fd.npatterns, path, d);
	if (fd.npatterns == 0 && config_setting_get_member(g, "patterns"))
		diag_error(d, path, cfg_line(config_setting_get_member(g, "patterns")),
		    "patterns is empty: give the title text that recognises the form");
	for (size_t i = 0; i < fd.npatterns; i++)
		check_words(fd.patterns[i], "pattern",
		    config_setting_get_member(g, "patterns"), path, d);
	fd.boundaries = cfg_strings(g, "boundaries", 0, &fd.nboundaries, path, d);
	list = cfg_group(g, "fields", 1, 1, path, d);
	n = list ? config_setting_length(list) : 0;
	if (list != NULL && n == 0)
		diag_error(d, path, cfg_line(list), "fields is empty");
	fd.fields = xcalloc((size_t)n + 1, sizeof(*fd.fields));
	for (int i = 0; i < n; i++) {
		struct form_field_def *f = &fd.fields[fd.nfields++];

		e = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(e)) {
			diag_error(d, path, cfg_line(e),
			    "each field must be a group { name = ...; label = ...; }");
			f->name = xstrdup("");
			f->label = xstrdup("");
			f->example = xstrdup("");
			f->aliases = xcalloc(1, sizeof(char *));
			f->rows = xcalloc(1, sizeof(char *));
			f->columns = xcalloc(1, sizeof(char *));
			continue;
		}
		load_field(f, e, path, d);
	}
	if (list != NULL)
		check_form(&fd, g, list, path, d);
	for (size_t i = 0; i < set->nforms; i++)
		if (fd.id[0] && strcmp(set->forms[i].id, fd.id) == 0) {
			diag_error(d, path, cfg_line(id),
			    "form id \"%s\" is already defined in %s", fd.id,
			    set->forms[i].file);
			goto done;
		}
	if (fd.id[0] == '\0')
		goto done;
	set->forms = xreallocarray(set->forms, set->nforms + 1,
	    sizeof(*set->forms));
	set->forms[set->nforms++] = fd;
	memset(&fd, 0, sizeof(fd));
done:
	form_free(&fd);
	config_destroy(&cf);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
form_set_load(const char *dir, struct form_set **out, struct diag *d)
{
	struct form_set *set;
	struct dirent *de;
	char **names = NULL, *path;
	size_t nnames = 0, len;
	int errors0 = d->errors;
	DIR *dp;

	set = xcalloc(1, sizeof(*set));
	*out = set;
	if ((dp = opendir(dir)) == NULL) {
		diag_error(d, dir, 0, "cannot open the forms folder");
		goto fail;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len > 5 && de->d_name[0] != '.' &&
		    strcmp(de->d_name + len - 5, ".conf") == 0) {
			names = xreallocarray(names, nnames + 1, sizeof(char *));
			names[nnames++] = xstrdup(de->d_name);
		}
	}
	closedir(dp);
	if (nnames > 1)
		qsort(names, nnames, sizeof(char *), cmp_names);
	for (size_t i = 0; i < nnames; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		load_file(set, path, d);
		free(path);
		free(names[i]);
	}
	free(names);
	for (size_t i = 0; i < set->nforms; i++)
		set->forms[i].index = index_build(&set->forms[i]);
	if (nnames == 0)
		diag_error(d, dir, 0, "no form files (*.conf) in the forms folder");
fail:
	return d->errors == errors0 ? 0 : -1;
}

void
form_set_free(struct form_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->nforms; i++)
		form_free(&set->forms[i]);
	free(set->forms);
	free(set);
}

const struct form_def *
form_set_find(const struct form_set *set, const char *id)
{
	if (set == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < set->nforms; i++)
		if (strcmp(set->forms[i].id, id) == 0)
			return &set->forms[i];
	return NULL;
}

const struct form_field_def *
form_field_find(const struct form_def *def, const char *name)
{
	if (def == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < def->nfields; i++)
		if (def->fields[i].name && strcmp(def->fields[i].name, name) == 0)
			return &def->fields[i];
	return NULL;
}

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
	cut = form_body_len(text);
	buf = xmalloc(cut + 1);
	n = norm(text, text + cut, buf, cut + 1, NULL, NULL);
	buf[n] = '\0';
	for (size_t i = 0; i < set->nforms; i++) {
		const struct form_def *f = &set->forms[i];

		for (size_t k = 0; k < f->npatterns; k++) {
			size_t plen, pos;
			char *own = NULL;
			const char *pat, *hit;

			/* Normalised once, when the forms were loaded. */
			if ((pat = index_title(f, k, &plen)) == NULL)
				pat = own = norm_dup(f->patterns[k], &plen);
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

enum lab_kind { LAB_FIELD, LAB_COLUMN, LAB_ROW, LAB_BOUNDARY, LAB_DUP };

struct lab {
	char	*norm;
	size_t	 len;
	int	 kind;
	int	 number;	/* only digits ("1" for a table row): matched
				   only at the start of a line */
	size_t	 ref;		/* field index, or row / column group */
};

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

struct form_index {
	struct lab	*labs;		/* sorted by text, then kind */
	size_t		 nlabs;
	size_t		 maxlen;	/* longest label, normalised */
	long		*frow, *fcol;	/* grid row / column group per field */
	char		**titles;	/* the title patterns, normalised */
	size_t		*title_lens;
	size_t		 ntitles;
};

struct ext {
	const struct form_def *def;
	struct form_index *own;		/* built here when def has none */
	const struct lab *labs;
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
};

#define INSTR_MAX_LINES	12	/* an instruction in brackets, at most */
#define MAX_CELLS	64	/* cells of a table row */

static int
cmp_lab(const void *a, const void *b)
{
	const struct lab *x = a, *y = b;
	int c = strcmp(x->norm, y->norm);

	if (c != 0)
		return c;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static void
add_lab(struct form_index *x, const char *text, int kind, size_t ref, int strip)
{
	struct lab *l;
	size_t len;
	char *n = strip ? label_norm(text, &len) : norm_dup(text, &len);

	if (len == 0) {
		free(n);
		return;
	}
	for (size_t i = 0; i < x->nlabs; i++)
		if (x->labs[i].kind == kind && x->labs[i].ref == ref &&
		    strcmp(x->labs[i].norm, n) == 0) {
			free(n);
			return;
		}
	x->labs = xreallocarray(x->labs, x->nlabs + 1, sizeof(*x->labs));
	l = &x->labs[x->nlabs++];
	l->norm = n;
	l->len = len;
	l->kind = kind;
	l->ref = ref;
	l->number = strspn(n, "0123456789") == len;
	if (len > x->maxlen)
		x->maxlen = len;
}

/* Group id of a row or column name list: the first field using it. */
static long
group_of(const struct form_def *def, size_t i, int col)
{
	const struct form_field_def *f = &def->fields[i];
	char **v = col ? f->columns : f->rows;
	size_t nv = col ? f->ncolumns : f->nrows;

	if (nv == 0)
		return -1;
	for (size_t j = 0; j <= i; j++) {
		const struct form_field_def *g = &def->fields[j];

		if ((col ? g->ncolumns : g->nrows) > 0 &&
		    same_norm((col ? g->columns : g->rows)[0], v[0]))
			return (long)j;
	}
	return (long)i;
}

/* The labels of a form, normalised and sorted once, when it is loaded. */
static struct form_index *
index_build(const struct form_def *def)
{
	struct form_index *x = xcalloc(1, sizeof(*x));

	x->frow = xcalloc(def->nfields + 1, sizeof(long));
	x->fcol = xcalloc(def->nfields + 1, sizeof(long));
	for (size_t i = 0; i < def->nfields; i++) {
		const struct form_field_def *f = &def->fields[i];

		x->frow[i] = group_of(def, i, 0);
		x->fcol[i] = group_of(def, i, 1);
		add_lab(x, f->label, LAB_FIELD, i, 1);
		for (size_t a = 0; a < f->naliases; a++)
			add_lab(x, f->aliases[a], LAB_FIELD, i, 1);
		for (size_t a = 0; a < f->nrows; a++)
			add_lab(x, f->rows[a], LAB_ROW, (size_t)x->frow[i], 1);
		for (size_t a = 0; a < f->ncolumns; a++)
			add_lab(x, f->columns[a], LAB_COLUMN, (size_t)x->fcol[i], 1);
	}
	for (size_t b = 0; b < def->nboundaries; b++)
		add_lab(x, def->boundaries[b], LAB_BOUNDARY, 0, 1);
	if (x->nlabs > 1)
		qsort(x->labs, x->nlabs, sizeof(*x->labs), cmp_lab);
	x->titles = xcalloc(def->npatterns + 1, sizeof(char *));
	x->title_lens = xcalloc(def->npatterns + 1, sizeof(size_t));
	x->ntitles = def->npatterns;
	for (size_t k = 0; k < def->npatterns; k++)
		x->titles[k] = norm_dup(def->patterns[k], &x->title_lens[k]);
	return x;
}

/* Title pattern k of def as form_recognise() matches it; NULL when def
 * has no index (a form not loaded by form_set_load). */
static const char *
index_title(const struct form_def *def, size_t k, size_t *plen)
{
	if (def->index == NULL || def->index->titles == NULL)
		return NULL;
	*plen = def->index->title_lens[k];
	return def->index->titles[k];
}

static void
index_free(struct form_index *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->nlabs; i++)
		free(x->labs[i].norm);
	free(x->labs);
	free(x->frow);
	free(x->fcol);
	for (size_t k = 0; k < x->ntitles; k++)
		free(x->titles[k]);
	free(x->titles);
	free(x->title_lens);
	free(x);
}

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
		ix = x->own = index_build(def);
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
	index_free(x->own);
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
		if (starts_ci(p, e, *x))
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
	int hard = 0;
	size_t n;

	m->vs = m->ve = NULL;
	m->paren = 0;
	m->hard = 0;
	for (;;) {
		while (is_space_at(p, e, &n))
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
	if (*p == ',' || dash_at(p, e) != 0) {
		const char *q;

		for (q = p; q < e && q - p < 300; q++)
			if (*q == ':' || *q == '?')
				break;
		if (q < e && (*q == ':' || *q == '?')) {
			m->hard = 1;
			q++;
			while (is_space_at(q, e, &n))
				q += n;
			if (q < e) {
				m->vs = q;
				m->ve = e;
			}
			return 1;
		}
		if (*p != ',') {
			p += dash_at(p, e);
			while (is_space_at(p, e, &n))
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
	char buf[96], out[11], *v = NULL;
	const char *end;
	size_t n, words = 0;
	int type = -1, r = -1, yes;

	for (size_t i = m->lo; i < m->hi && type < 0; i++)
		if (x->labs[i].kind == LAB_FIELD &&
		    x->def->fields[x->labs[i].ref].type != FIELD_TEXT)
			type = (int)x->def->fields[x->labs[i].ref].type;
	while (is_space_at(p, e, &n))
		p += n;
	if (type < 0 || p >= e || (size_t)(e - p) >= sizeof(buf))
		return 0;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	switch (type) {
	case FIELD_YESNO:
		if (parse_yesno(buf, &yes, &end) == -1)
			return 0;
		while (*end == ' ' || *end == '\t' || *end == '.')
			end++;
		r = *end == '\0' ? 0 : -1;
		break;
	case FIELD_DATE:
		/* A date and nothing after it: the last word has a digit. */
		for (const char *q = buf; *q; q++)
			if (*q != ' ' && (q == buf || q[-1] == ' '))
				words++;
		end = strrchr(buf, ' ');
		end = end ? end + 1 : buf;
		if (words <= 4 && strpbrk(end, "0123456789") != NULL &&
		    parse_date(buf, out) != -1)
			r = 0;
		break;
	case FIELD_NHS:
		r = check_nhs(buf, out) == -1 ? -1 : 0;
		break;
	case FIELD_PHONE:
		r = form_parse_phone(buf, &v);
		break;
	case FIELD_EMAIL:
		r = form_parse_email(buf, &v);
		break;
	default:
		break;
	}
	free(v);
	if (r != 0)
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
	return norm(s, e, x->nbuf, x->maxlen + 1, x->nmap, all);
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
			const struct lab *l = &x->labs[i];

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
		const struct lab *l = &x->labs[i];

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

		trim(&a, &b);
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
		const struct lab *l = &x->labs[i];
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
		const struct lab *l = &x->labs[i];

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
	n = norm(s, e, buf, sizeof(buf) - 1, NULL, &all);
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
	trim(&s, &e);
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
	trim(&s, &e);
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
		trim(&c->s, &c->e);
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
row_flush(struct ext *x, long cur)
{
	if (cur >= 0 && x->row.len > 0)
		append_line(x, cur, x->row.buf, x->row.buf + x->row.len);
	if (x->row.buf)
		x->row.len = 0;
}

static void
row_add(struct ext *x, const char *s, const char *e)
{
	if (x->row.len > 0)
		sb_adds(&x->row, "; ");
	sb_add(&x->row, s, (size_t)(e - s));
}

/* A row of label / answer cells: "Label:\tanswer\tLabel 2:\tanswer 2",
 * already split into x->cells. */
static void
ordinary_row(struct ext *x)
{
	long cur = -1, row = -1, last = -1;
	size_t rowpos = 0;
	int labels = 0, lastnum = 0;

	if (x->row.buf)
		x->row.len = 0;
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
				/* Text before the first label: the open answer. */
				content_line(x, x->row.buf, x->row.buf + x->row.len);
				x->row.len = 0;
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

		if (x->row.len > 0 && o >= 0)
			content_line(x, x->row.buf, x->row.buf + x->row.len);
		x->row.len = 0;
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

			pe = line_end(p, end, &pn);
			a = p;
			b = pe;
			if (!single_cell(&a, &b) || a >= b ||
			    is_stop(p, pe, pn, end, x->any_label))
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

	n = norm(v, v + strlen(v), buf, sizeof(buf) - 1, NULL, &all);
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

	r->def = def;
	if (def == NULL)
		return r;
	if (text == NULL)
		text = "";
	ext_init(&x, def);
	end = text + strlen(text);
	for (p = text; p < end; p = next) {
		const char *a, *b;

		e = line_end(p, end, &next);
		if (is_stop(p, e, next, end, x.any_label))
			break;
		a = p;
		b = e;
		trim(&a, &b);
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
