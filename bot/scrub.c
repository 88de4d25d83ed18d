/*
 * scrub: each rule marks the bytes it would remove in a mask the length
 * of the text; the result is the text with every marked span replaced by
 * the marker.  Rules never look at the mask, so their order does not
 * matter.  Bytes of 0x80 and above (UTF-8) count as letters, so a word
 * boundary is never found inside a non-ASCII name.
 */
#include <stdlib.h>
#include <string.h>

#include "scrub.h"
#include "util.h"

struct text {
	const char	*s;
	size_t		 len;
	char		*mask;
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int
is_word(int c)
{
	return is_digit(c) || is_alpha(c);
}

static int
at(const struct text *t, size_t i)
{
	return i < t->len ? (unsigned char)t->s[i] : 0;
}

static void
mark(struct text *t, size_t from, size_t to)
{
	if (to > t->len)
		to = t->len;
	if (from < to)
		memset(t->mask + from, 1, to - from);
}

/* Every occurrence of w[0..n) ignoring case, as a whole word where it
 * starts or ends with a letter or digit. */
static void
mark_word(struct text *t, const char *w, size_t n)
{
	int wb = is_word((unsigned char)w[0]);
	int we = is_word((unsigned char)w[n - 1]);

	for (size_t i = 0; i + n <= t->len; i++) {
		if (wb && i > 0 && is_word(at(t, i - 1)))
			continue;
		if (we && is_word(at(t, i + n)))
			continue;
		if (str_ncasecmp(t->s + i, w, n) == 0)
			mark(t, i, i + n);
	}
}

/* A personal value: whole, and each word of 3 characters or more. */
static void
mark_personal(struct text *t, const char *v)
{
	size_t i = 0, j, len;

	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '\n' || v[len - 1] == '\r'))
		len--;
	if (len >= 2)
		mark_word(t, v, len);
	while (i < len) {
		for (; i < len && !is_word((unsigned char)v[i]); i++)
			;
		for (j = i; j < len && is_word((unsigned char)v[j]); j++)
			;
		if (j - i >= 3 || (j - i == 2 && v[i] >= 'A' && v[i] <= 'Z'))
			mark_word(t, v + i, j - i);
		i = j;
	}
}

static int
email_local(int c)
{
	return is_word(c) || (c && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static void
mark_emails(struct text *t)
{
	for (size_t i = 0; i < t->len; i++) {
		size_t l = i, r = i + 1;

		if (t->s[i] != '@')
			continue;
		while (l > 0 && email_local(at(t, l - 1)))
			l--;
		while (is_word(at(t, r)) || at(t, r) == '.' || at(t, r) == '-')
			r++;
		while (r > i + 1 && (at(t, r - 1) == '.' || at(t, r - 1) == '-'))
			r--;
		if (l < i && memchr(t->s + i + 1, '.', r - i - 1) != NULL)
			mark(t, l, r);
	}
}

#define MAXGROUPS	32

/* A run of digit groups and what separates them. */
struct run {
	size_t	 start, end;		/* bytes of the run */
	size_t	 ngroups, ndigits;
	size_t	 glen[MAXGROUPS];	/* digits in each group */
	char	 sep[MAXGROUPS];	/* separator before group k (k > 0);
					   0 when more than one character */
};

static int
is_sep(int c)
{
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' ||
	    c == ')';
}

/* The run of digits starting at i (a digit, or '+' / '(' before one). */
static size_t
read_run(const struct text *t, size_t i, struct run *r)
{
	size_t j = i, k;

	memset(r, 0, sizeof(*r));
	r->start = i;
	while (at(t, j) == '+' || at(t, j) == '(')
		j++;
	for (;;) {
		size_t g = j;

		while (is_digit(at(t, j)))
			j++;
		if (r->ngroups < MAXGROUPS)
			r->glen[r->ngroups] = j - g;
		r->ngroups++;
		r->ndigits += j - g;
		r->end = j;
		/* Up to two separators (") ", " (") before the next group. */
		for (k = j; k < j + 2 && is_sep(at(t, k)); k++)
			;
		if (k == j || !is_digit(at(t, k)))
			break;
		if (r->ngroups < MAXGROUPS)
			r->sep[r->ngroups] = k - j == 1 ? t->s[j] : 0;
		j = k;
	}
	if (r->ngroups > MAXGROUPS)
		r->ngroups = MAXGROUPS;
	return r->end;
}

static int
in(size_t v, size_t lo, size_t hi)
{
	return v >= lo && v <= hi;
}

/* Do groups k.. of the run look like a date? */
static int
date_at(const struct run *r, size_t k)
{
	const size_t *g = r->glen + k;
	char s1 = k + 1 < r->ngroups ? r->sep[k + 1] : 0;
	char s2 = k + 2 < r->ngroups ? r->sep[k + 2] : 0;

	if (s1 == 0 || strchr("/-.", s1) == NULL)
		return 0;
	if (s2 == s1 && ((in(g[0], 1, 2) && in(g[1], 1, 2) &&
	    (g[2] == 2 || g[2] == 4)) || (g[0] == 4 && in(g[1], 1, 2) &&
	    in(g[2], 1, 2))))
		return 1;	/* d/m/y, y-m-d */
	return s1 != '.' && in(g[0], 1, 2) && g[1] == 4 &&
	    (s2 == 0 || s2 != s1);	/* m/yyyy */
}

static void
mark_numbers(struct text *t)
{
	struct run r;

	for (size_t i = 0; i < t->len; i++) {
		int c = at(t, i);

		if (!is_digit(c) && !((c == '+' || c == '(') &&
		    is_digit(at(t, i + 1))))
			continue;
		if (i > 0 && is_digit(at(t, i - 1)))
			continue;
		read_run(t, i, &r);
		if (r.ndigits >= 9)
			mark(t, r.start, r.end);
		else
			for (size_t k = 0; k + 1 < r.ngroups; k++)
				if (date_at(&r, k)) {
					mark(t, r.start, r.end);
					break;
				}
		i = r.end > i ? r.end - 1 : i;
	}
}

/* Letters at i..: how many (at most max). */
static size_t
letters(const struct text *t, size_t i, size_t max)
{
	size_t n = 0;

	while (n < max && at(t, i + n) < 0x80 && is_alpha(at(t, i + n)))
		n++;
	return n;
}

static size_t
digits(const struct text *t, size_t i, size_t max)
{
	size_t n = 0;

	while (n < max && is_digit(at(t, i + n)))
		n++;
	return n;
}

/* The inward code ("2AB", after an optional space) at j: its end, or 0. */
static size_t
inward_at(const struct text *t, size_t j)
{
	if (at(t, j) == ' ')
		j++;
	if (digits(t, j, 1) != 1 || letters(t, j + 1, 2) != 2 ||
	    is_word(at(t, j + 3)))
		return 0;
	return j + 3;
}

/* A UK postcode at i (A9, A99, AA9, AA99, A9A, AA9A then 9AA): its
 * length, or 0. */
static size_t
postcode_at(const struct text *t, size_t i)
{
	size_t j = i, l, d, end = 0;

	if (i > 0 && is_word(at(t, i - 1)))
		return 0;
	if ((l = letters(t, j, 2)) == 0)
		return 0;
	j += l;
	if ((d = digits(t, j, 2)) == 0)
		return 0;
	j += d;
	if (d == 1 && letters(t, j, 1) == 1)
		end = inward_at(t, j + 1);	/* SW1A, EC1A */
	if (end == 0)
		end = inward_at(t, j);
	return end ? end - i : 0;
}

static void
mark_postcodes(struct text *t)
{
	for (size_t i = 0; i < t->len; i++) {
		size_t n = postcode_at(t, i);

		if (n > 0) {
			mark(t, i, i + n);
			i += n - 1;
		}
	}
}

static const char *const months[] = { "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "sept", NULL };

/* A month name or its 3-letter form at word i..i+n. */
static int
is_month(const char *w, size_t n)
{
	for (size_t k = 0; months[k]; k++)
		if ((n == strlen(months[k]) || (n == 3 && k < 12)) &&
		    str_ncasecmp(w, months[k], n) == 0)
			return 1;
	return 0;
}

/* A day ("14", "14th") ending just before i, after skipping spaces and
 * "of": where it starts, or i when there is none. */
static size_t
day_before(const struct text *t, size_t i)
{
	size_t j = i, d;

	while (j > 0 && at(t, j - 1) == ' ')
		j--;
	if (j >= 3 && str_ncasecmp(t->s + j - 2, "of", 2) == 0 &&
	    at(t, j - 3) == ' ')
		for (j -= 3; j > 0 && at(t, j - 1) == ' '; j--)
			;
	if (j >= 3 && is_alpha(at(t, j - 1)) && is_alpha(at(t, j - 2)) &&
	    is_digit(at(t, j - 3)))
		j -= 2;		/* st, nd, rd, th */
	if (j == 0 || !is_digit(at(t, j - 1)))
		return i;
	d = j - 1;
	if (d > 0 && is_digit(at(t, d - 1)))
		d--;
	return d == 0 || !is_word(at(t, d - 1)) ? d : i;
}

/* A day and/or a year right after a month name ending at i: the end of
 * what follows, or i. */
static size_t
after_month(const struct text *t, size_t i)
{
	size_t j = i, end = i, n;

	if (at(t, j) == '.')
		j++;
	while (at(t, j) == ' ')
		j++;
	if ((n = digits(t, j, 4)) == 4 && !is_word(at(t, j + 4)))
		return j + 4;	/* March 2016 */
	if (n == 0 || n > 2)
		return end;
	j += n;
	if (letters(t, j, 2) == 2)
		j += 2;
	if (is_word(at(t, j)))
		return end;
	end = j;		/* March 14 */
	if (at(t, j) == ',')
		j++;
	while (at(t, j) == ' ')
		j++;
	if (digits(t, j, 4) == 4 && !is_word(at(t, j + 4)))
		end = j + 4;
	return end;
}

static void
mark_month_dates(struct text *t)
{
	for (size_t i = 0; i < t->len; i++) {
		size_t j = i, from, to;

		if (!is_alpha(at(t, i)) || (i > 0 && is_word(at(t, i - 1))))
			continue;
		while (is_alpha(at(t, j)))
			j++;
		if (!is_month(t->s + i, j - i)) {
			i = j;
			continue;
		}
		from = day_before(t, i);
		to = after_month(t, j);
		if (from < i || to > j)
			mark(t, from, to);
		i = j;
	}
}

char *
scrub_text(const char *text, const char *const *personal, size_t n)
{
	struct text t;
	struct strbuf sb = { 0 };

	if (text == NULL)
		return xstrdup("");
	t.s = text;
	t.len = strlen(text);
	t.mask = xcalloc(t.len + 1, 1);
	for (size_t k = 0; k < n; k++)
		if (personal[k] && *personal[k])
			mark_personal(&t, personal[k]);
	mark_emails(&t);
	mark_numbers(&t);
	mark_postcodes(&t);
	mark_month_dates(&t);
	for (size_t i = 0; i < t.len; i++) {
		if (!t.mask[i]) {
			sb_addc(&sb, text[i]);
			continue;
		}
		sb_adds(&sb, SCRUB_MARK);
		while (i + 1 < t.len && t.mask[i + 1])
			i++;
	}
	free(t.mask);
	return sb_steal(&sb);
}
