/*
 * text: normalised text, what labels, titles and sign-offs are compared
 * as, and the small UTF-8 aware helpers (white space, trimming, lines) the
 * form readers share.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"


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
size_t
text_norm(const char *s, const char *e, char *out, size_t cap, size_t *map,
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
char *
text_norm_dup(const char *s, size_t *lenp)
{
	size_t len = strlen(s);
	char *out = xmalloc(len + 1);
	size_t n;

	n = text_norm(s, s + len, out, len + 1, NULL, NULL);
	out[n] = '\0';
	if (lenp)
		*lenp = n;
	return out;
}

/* A label as matched: without the trailing "(if applicable)" or "?". */
char *
text_label_norm(const char *label, size_t *lenp)
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
	out = text_norm_dup(tmp, lenp);
	free(tmp);
	return out;
}

int
text_same_label(const char *a, const char *b)
{
	char *x = text_label_norm(a, NULL), *y = text_label_norm(b, NULL);
	int r = strcmp(x, y) == 0;

	free(x);
	free(y);
	return r;
}

int
text_space_at(const char *p, const char *e, size_t *n)
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
void
text_trim(const char **s, const char **e)
{
	size_t n;

	while (text_space_at(*s, *e, &n))
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

int
text_starts_ci(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && str_ncasecmp(s, word, n) == 0;
}

int
text_ends_ci(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && str_ncasecmp(e - n, word, n) == 0;
}

/* End of the line starting at s (at '\n' or end), without a '\r'. */
const char *
text_line_end(const char *s, const char *end, const char **next)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	const char *e = nl ? nl : end;

	*next = nl ? nl + 1 : end;
	if (e > s && e[-1] == '\r')
		e--;
	return e;
}

