/*
 * value: the answers' types.  Each is read as people write it and
 * normalised: UK dates to YYYY-MM-DD, yes / no with a struck, circled or
 * ticked choice, NHS numbers with their check digit, email addresses,
 * UK telephone numbers.  Readers return -2 where the text has the shape
 * of a value but is not a valid one, so that the extractor can tell an
 * answer from prose and the sender can be told what is wrong.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "util.h"
#include "value.h"

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

int
form_type_parse(const char *s, enum form_field_type *t)
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

/* What has been read of a yes / no answer. */
struct yn_scan {
	struct yn_opt	opt[8];
	size_t		nopt;
	int		strike;		/* inside ~~ ~~ or <s> </s> */
	int		before;		/* marks go with the option after them
					   (1) or before them (0); -1 unknown */
	int		pending;	/* a mark waiting for its option */
};

/* A word of the answer, maybe wrapped: "(Yes)", "**No**", "N̶o̶". */
struct yn_word {
	char	w[8];		/* lower-cased, truncated */
	size_t	len;
	size_t	open;		/* length of the wrapper's opening */
	int	struck;		/* carries strike-through marks */
	int	circled;	/* the wrapper closes after it */
};

/* A box or tick (k as mark_at) or an "x": it goes with the option after
 * it when the answer starts with one, else with the one before. */
static void
yn_mark(struct yn_scan *s, int k)
{
	if (s->before < 0)
		s->before = s->nopt == 0;
	if (s->before)
		s->pending = k;
	else if (s->nopt > 0 && k == 1)
		s->opt[s->nopt - 1].marked = 1;
}

/* Skips what is not a word at p (not at the end): space, separators,
 * strike-through markup, boxes and ticks.  Its length, 0 at a word. */
static size_t
yn_skip(struct yn_scan *s, const unsigned char *p)
{
	static const char *const tags[] = {
		"<s>", "<del>", "<strike>", "</s>", "</del>", "</strike>", NULL
	};
	size_t n;
	int k;

	if (text_space_at((const char *)p, (const char *)p + 4, &n))
		return n;
	if (strchr("/|\\;", *p) != NULL)
		return 1;
	if (p[0] == '~' && p[1] == '~') {
		s->strike = !s->strike;
		return 2;
	}
	for (const char *const *t = tags; *t; t++)
		if (str_ncasecmp((const char *)p, *t, strlen(*t)) == 0) {
			s->strike = p[1] != '/';
			return strlen(*t);
		}
	if ((k = mark_at(p, &n)) != 0) {
		yn_mark(s, k);
		return n;
	}
	return 0;
}

/* Reads the word at p (not at the end), wrapped in ( ), [ ], { }, < >,
 * * *, ** ** or _ _ or not.  Returns the end of what was read. */
static const unsigned char *
yn_word(const unsigned char *p, struct yn_word *wd)
{
	unsigned char close = 0;
	const unsigned char *r;
	size_t n, c = 0;

	memset(wd, 0, sizeof(*wd));
	if (strchr("([{<", *p) != NULL) {
		close = *p == '(' ? ')' : *p == '[' ? ']' : *p == '{' ? '}' : '>';
		wd->open = 1;
	} else if (*p == '*' || *p == '_') {
		close = *p;
		wd->open = p[1] == *p ? 2 : 1;
	}
	for (r = p + wd->open; *r; ) {
		if (isalpha(*r) && *r < 0x80) {
			if (wd->len + 1 < sizeof(wd->w))
				wd->w[wd->len] = (char)tolower(*r);
			wd->len++;
			r++;
		} else if ((n = strike_mark(r)) != 0) {
			wd->struck = 1;
			r += n;
		} else
			break;
	}
	wd->w[wd->len < sizeof(wd->w) ? wd->len : sizeof(wd->w) - 1] = '\0';
	if (wd->len > 0 && wd->open > 0) {
		while (c < wd->open && r[c] == close)
			c++;
		if (c == wd->open) {
			wd->circled = 1;
			r += c;
		}
	}
	return r;
}

/* Reads the leading run of options into s; returns where it stopped. */
static const unsigned char *
yn_scan(struct yn_scan *s, const unsigned char *p)
{
	struct yn_word wd;
	const unsigned char *r;
	size_t n;

	while (*p) {
		if ((n = yn_skip(s, p)) != 0) {
			p += n;
			continue;
		}
		r = yn_word(p, &wd);
		if (wd.len == 0) {
			if (wd.open == 0)
				break;		/* not part of a yes / no */
			p += wd.open;		/* a lone bracket */
			continue;
		}
		if (wd.len < sizeof(wd.w) && (strcmp(wd.w, "yes") == 0 ||
		    strcmp(wd.w, "y") == 0 || strcmp(wd.w, "no") == 0 ||
		    strcmp(wd.w, "n") == 0)) {
			if (s->nopt == sizeof(s->opt) / sizeof(s->opt[0]))
				break;
			s->opt[s->nopt].yes = wd.w[0] == 'y';
			s->opt[s->nopt].struck = wd.struck || s->strike;
			s->opt[s->nopt].marked = wd.circled || s->pending == 1;
			s->pending = 0;
			if (s->before < 0)
				s->before = 0;
			s->nopt++;
		} else if (!wd.circled && strcmp(wd.w, "x") == 0)
			yn_mark(s, 1);
		else if (wd.circled || strcmp(wd.w, "or") != 0)
			break;	/* any other word ends the answer ("Yes, see below") */
		p = r;
	}
	return p;
}

/* The choice the options read leave: 0, -1 none, -2 both. */
static int
yn_decide(const struct yn_scan *s, int *yes)
{
	int nyes = 0, nno = 0, myes = 0, mno = 0, syes = 0, sno = 0;

	for (size_t i = 0; i < s->nopt; i++) {
		const struct yn_opt *o = &s->opt[i];

		if (o->struck) {
			syes += o->yes;
			sno += !o->yes;
		} else if (o->yes) {
			nyes++;
			myes += o->marked;
		} else {
			nno++;
			mno += o->marked;
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

static int
parse_yesno(const char *in, int *yes, const char **endp)
{
	struct yn_scan s;
	const char *end;

	memset(&s, 0, sizeof(s));
	s.before = -1;
	end = (const char *)yn_scan(&s, (const unsigned char *)in);
	if (endp != NULL)
		*endp = end;
	return yn_decide(&s, yes);
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
	text_trim(&s, &e);
	if ((lt = memchr(s, '<', (size_t)(e - s))) != NULL) {
		const char *gt = memchr(lt, '>', (size_t)(e - lt));

		if (gt == NULL)
			return -1;
		s = lt + 1;
		e = gt;
		text_trim(&s, &e);
	}
	if (text_starts_ci(s, e, "mailto:"))
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
	text_trim(&s, &e);
	/* An extension at the end: "ext 123", "ext. 123", "x123". */
	for (p = s; p < e; p++)
		if ((text_starts_ci(p, e, "ext") || ((*p == 'x' || *p == 'X') &&
		    p + 1 < e && (isdigit((unsigned char)p[1]) || p[1] == ' '))) &&
		    p > s && (p[-1] == ' ' || isdigit((unsigned char)p[-1]))) {
			x = p;
			break;
		}
	if (x != NULL) {
		p = x + (text_starts_ci(x, e, "extn") ? 4 :
		    text_starts_ci(x, e, "ext") ? 3 : 1);
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
	text_trim(&s, &e);
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

/* A date and nothing after it: at most four words, the last with a digit. */
static int
looks_date(const char *in)
{
	const char *last;
	char out[11];
	size_t words = 0;

	for (const char *q = in; *q; q++)
		if (*q != ' ' && (q == in || q[-1] == ' '))
			words++;
	last = strrchr(in, ' ');
	last = last ? last + 1 : in;
	return words <= 4 && strpbrk(last, "0123456789") != NULL &&
	    parse_date(in, out) != -1;
}

int
form_value_looks(enum form_field_type t, const char *in)
{
	char out[11], *v = NULL;
	const char *end;
	int r = -1, yes;

	switch (t) {
	case FIELD_YESNO:
		if (parse_yesno(in, &yes, &end) == -1)
			return 0;
		while (*end == ' ' || *end == '\t' || *end == '.')
			end++;
		return *end == '\0';
	case FIELD_DATE:
		return looks_date(in);
	case FIELD_NHS:
		return check_nhs(in, out) != -1;
	case FIELD_PHONE:
		r = form_parse_phone(in, &v);
		break;
	case FIELD_EMAIL:
		r = form_parse_email(in, &v);
		break;
	case FIELD_TEXT:
	default:
		break;
	}
	free(v);
	return r == 0;
}
