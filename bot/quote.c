/*
 * quote: the one detector of where the sender's own text ends, used for
 * forms (reading and recognising them) and for reply commands.  Each line
 * is tested in turn; a test may look at the few lines after it (a wrapped
 * "On ... wrote:", a header block), so work per line is bounded.
 */
#include <string.h>

#include "quote.h"
#include "text.h"
#include "util.h"

#define HEADER_LOOKAHEAD	5	/* lines after "From:" */
#define WROTE_MAX		300	/* longest "On ... wrote:" line */

static const char *const signoffs[] = {
	"kind regards", "kindest regards", "regards", "best regards",
	"warm regards", "warmest regards", "many thanks", "thanks",
	"thank you", "thanks again", "with thanks", "best wishes",
	"with best wishes", "yours sincerely", "yours faithfully", "cheers",
	"sent from my iphone", "sent from my ipad", "sent from outlook",
	"get outlook for ios", "get outlook for android", NULL
};

int
quote_signoff(const char *s, const char *e)
{
	char buf[48];
	size_t n;
	int all;

	text_trim(&s, &e);
	if (e - s > 60)
		return 0;
	n = text_norm(s, e, buf, sizeof(buf) - 1, NULL, &all);
	if (!all)
		return 0;
	buf[n] = '\0';
	for (const char *const *w = signoffs; *w; w++)
		if (strcmp(buf, *w) == 0)
			return 1;
	return 0;
}

/* The line after the one ending at next, trimmed; 0 when there is none. */
static int
next_line(const char *next, const char *end, const char **s, const char **e,
    const char **after)
{
	if (next >= end)
		return 0;
	*s = next;
	*e = text_line_end(next, end, after);
	text_trim(s, e);
	return 1;
}

/* "On Mon, 1 Dec 2026 at 09:00, X <x@y> wrote:", maybe wrapped once. */
static int
is_wrote(const char *s, const char *e, const char *next, const char *end)
{
	const char *ns, *ne, *nn;

	if (e - s >= WROTE_MAX || e - s <= 3 || memcmp(s, "On ", 3) != 0)
		return 0;
	if (text_ends_ci(s, e, "wrote:"))
		return 1;
	return next_line(next, end, &ns, &ne, &nn) && ne - ns < WROTE_MAX &&
	    text_ends_ci(ns, ne, "wrote:");
}

/* "From:" and, within the next lines, another header of a message. */
static int
is_header_block(const char *s, const char *e, const char *next,
    const char *end)
{
	static const char *const keys[] = {
		"sent:", "date:", "to:", "subject:", "cc:", NULL
	};
	const char *ps, *pe, *pn;

	if (!text_starts_ci(s, e, "from:"))
		return 0;
	for (int i = 0; i < HEADER_LOOKAHEAD && next_line(next, end, &ps, &pe,
	    &pn); i++, next = pn)
		for (const char *const *k = keys; *k; k++)
			if (text_starts_ci(ps, pe, *k))
				return 1;
	return 0;
}

/* Outlook's "________________________________" above a header block. */
static int
is_rule_above_header(const char *s, const char *e, const char *next,
    const char *end)
{
	const char *ns, *ne, *nn;

	if (e - s < 8 || strspn(s, "_") < (size_t)(e - s))
		return 0;
	return next_line(next, end, &ns, &ne, &nn) &&
	    is_header_block(ns, ne, nn, end);
}

/*
 * Does the line s..e (next: the following line, end: the text's end)
 * start quoted history, a header block or a signature?
 */
static int
starts_history(const char *s, const char *e, const char *next,
    const char *end)
{
	const char *t = s, *ts = s, *te = e;

	if (e - s == 3 && memcmp(s, "-- ", 3) == 0)
		return 1;
	for (int i = 0; i < 3 && t < e && *t == ' '; i++)
		t++;
	if (t < e && *t == '>')
		return 1;
	text_trim(&ts, &te);
	if (text_starts_ci(ts, te, "-----") && te - ts < 100) {
		for (const char *p = ts; p + 16 <= te; p++)
			if (str_ncasecmp(p, "original message", 16) == 0)
				return 1;
	}
	return is_wrote(ts, te, next, end) ||
	    is_header_block(ts, te, next, end) ||
	    is_rule_above_header(ts, te, next, end);
}

size_t
quote_own_len(const char *text)
{
	const char *p, *e, *next, *end;

	if (text == NULL)
		return 0;
	end = text + strlen(text);
	for (p = text; p < end; p = next) {
		e = text_line_end(p, end, &next);
		if (starts_history(p, e, next, end))
			return (size_t)(p - text);
	}
	return (size_t)(end - text);
}

char *
quote_own_text(const char *text)
{
	if (text == NULL)
		return xstrdup("");
	return xstrndup(text, quote_own_len(text));
}
