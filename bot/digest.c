/*
 * digest: reads the whole record once per report -- cases, their
 * non-personal answers, the period's events, rejections and failed
 * deliveries -- and writes the three parts from the same figures, so the
 * text, the HTML and the CSV can never disagree.  Personal fields are
 * never reported: the store hands out only fields not marked personal,
 * and free text (lessons learned, pause reasons, rejection reasons,
 * delivery errors) goes through scrub_text() with the case's own personal
 * values before it is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "digest.h"
#include "log.h"
#include "mailer.h"
#include "scrub.h"
#include "themes.h"
#include "util.h"
#include "store.h"
#include "escbot.h"
#include "engine.h"
#include "calendar.h"
#include "config.h"
#include "rules.h"
#include "directory.h"

#define MAX_LISTED	200	/* open cases listed by name in a report */

int
digest_period_parse(const char *s, enum digest_period *p)
{
	if (strcmp(s, "week") == 0)
		*p = DIGEST_WEEK;
	else if (strcmp(s, "quarter") == 0)
		*p = DIGEST_QUARTER;
	else if (strcmp(s, "half-year") == 0)
		*p = DIGEST_HALF_YEAR;
	else if (strcmp(s, "year") == 0)
		*p = DIGEST_YEAR;
	else
		return -1;
	return 0;
}

static const char *const month_names[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };

/* "30 November 2026" of London midnight (or any time) t. */
static void
day_words(time_t t, char *buf, size_t len)
{
	struct tm tm;

	calendar_utc_to_london(t, &tm);
	snprintf(buf, len, "%d %s %d", tm.tm_mday, month_names[tm.tm_mon],
	    tm.tm_year + 1900);
}

/* London midnight of the day of t plus `days` days. */
static time_t
midnight(time_t t, int days)
{
	struct tm tm;

	calendar_utc_to_london(t + (time_t)days * 86400, &tm);
	return calendar_london_to_utc(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, 0, 0, 0);
}

static void
week_span(time_t now, int current, struct digest_span *s)
{
	struct tm tm;
	char day[48];

	calendar_utc_to_london(now, &tm);
	/* Back to this week's Monday 00:00 (noon avoids the clock change);
	 * the week before it is the last complete one. */
	s->start = midnight(calendar_london_to_utc(tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, 12, 0, 0), -((tm.tm_wday + 6) % 7));
	s->end = now;
	if (!current) {
		s->end = s->start;
		s->start = midnight(s->end + 12 * 3600, -7);
	}
	calendar_utc_to_london(s->start, &tm);
	day_words(s->start, day, sizeof(day));
	snprintf(s->label, sizeof(s->label), "week of Monday %s%s", day,
	    current ? ", so far" : "");
	snprintf(s->key, sizeof(s->key), "week-%04d-%02d-%02d%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, current ? "-so-far" : "");
}

/* "2026/27" (or "2026" for a calendar year) of the year starting in
 * `fy`; sep "-" for keys. */
static void
fy_name(int fy, int ys, const char *sep, char *buf, size_t len)
{
	if (ys == 1)
		snprintf(buf, len, "%d", fy);
	else
		snprintf(buf, len, "%d%s%02d", fy, sep, (fy + 1) % 100);
}

/* "October to December 2026", "November 2026 to January 2027". */
static void
months_words(int abs0, int n, char *buf, size_t len)
{
	int a = abs0, b = abs0 + n - 1;

	if (n == 1)
		snprintf(buf, len, "%s %d", month_names[a % 12], a / 12);
	else if (a / 12 == b / 12)
		snprintf(buf, len, "%s to %s %d", month_names[a % 12],
		    month_names[b % 12], b / 12);
	else
		snprintf(buf, len, "%s %d to %s %d", month_names[a % 12], a / 12,
		    month_names[b % 12], b / 12);
}

void
digest_period(enum digest_period p, time_t now, int year_start, int current,
    struct digest_span *s)
{
	static const char *const kname[] = { "week", "quarter", "half-year",
	    "year" };
	struct tm tm;
	int months, ys, m, abs0, fy, k;
	char fyl[16], fyk[16], mw[64], so[64] = "";

	memset(s, 0, sizeof(*s));
	s->p = p;
	if (p == DIGEST_WEEK) {
		week_span(now, current, s);
		return;
	}
	ys = year_start >= 1 && year_start <= 12 ? year_start : 4;
	months = p == DIGEST_QUARTER ? 3 : p == DIGEST_HALF_YEAR ? 6 : 12;
	calendar_utc_to_london(now, &tm);
	m = (tm.tm_year + 1900) * 12 + tm.tm_mon;	/* months since year 0 */
	/* The period now is in starts k periods into its financial year. */
	k = ((m - (ys - 1)) % 12) / months;
	abs0 = m - (m - (ys - 1)) % 12 + k * months;
	if (!current)
		abs0 -= months;
	s->start = calendar_london_to_utc(abs0 / 12, abs0 % 12 + 1, 1, 0, 0, 0);
	s->end = current ? now : calendar_london_to_utc((abs0 + months) / 12,
	    (abs0 + months) % 12 + 1, 1, 0, 0, 0);
	fy = (abs0 - (ys - 1)) / 12;
	k = ((abs0 - (ys - 1)) % 12) / months + 1;
	fy_name(fy, ys, "/", fyl, sizeof(fyl));
	fy_name(fy, ys, "-", fyk, sizeof(fyk));
	months_words(abs0, months, mw, sizeof(mw));
	if (current) {
		char d[48];

		day_words(now, d, sizeof(d));
		snprintf(so, sizeof(so), ", so far (to %s)", d);
	}
	if (p == DIGEST_YEAR)
		snprintf(s->label, sizeof(s->label), "year %s (%s)%s", fyl, mw, so);
	else
		snprintf(s->label, sizeof(s->label), "%c%d %s (%s)%s",
		    p == DIGEST_QUARTER ? 'Q' : 'H', k, fyl, mw, so);
	if (p == DIGEST_YEAR)
		snprintf(s->key, sizeof(s->key), "year-%s%s", fyk,
		    current ? "-so-far" : "");
	else
		snprintf(s->key, sizeof(s->key), "%s-%s-%c%d%s", kname[p], fyk,
		    p == DIGEST_QUARTER ? 'Q' : 'H', k, current ? "-so-far" : "");
}

int
digest_range(time_t from, time_t to, struct digest_span *s)
{
	char a[48], b[48];
	struct tm tm, ta;

	memset(s, 0, sizeof(*s));
	s->p = DIGEST_RANGE;
	s->start = from;
	s->end = to;
	if (midnight(to + 12 * 3600, 0) == to)
		s->end = midnight(to + 12 * 3600, 1);	/* the whole day */
	if (s->end <= s->start)
		return -1;
	day_words(s->start, a, sizeof(a));
	day_words(s->end - 1, b, sizeof(b));
	snprintf(s->label, sizeof(s->label), "%s to %s", a, b);
	calendar_utc_to_london(s->start, &ta);
	calendar_utc_to_london(s->end - 1, &tm);
	snprintf(s->key, sizeof(s->key), "range-%04d-%02d-%02d-%04d-%02d-%02d",
	    ta.tm_year + 1900, ta.tm_mon + 1, ta.tm_mday, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	return 0;
}

/* Midnight of the working day of t, or of the next one after it. */
static time_t
working_day(const struct calendar *cal, time_t t, int next)
{
	return midnight(calendar_add_working_days(cal, t, next), 0);
}

/* Whether day d (midnight) is the day a weekly report is due: the first
 * working day from its week's Monday. */
static int
weekly_day(const struct calendar *cal, time_t d)
{
	struct tm tm;

	calendar_utc_to_london(d + 12 * 3600, &tm);
	return working_day(cal, midnight(d + 12 * 3600, -((tm.tm_wday + 6) % 7)),
	    0) == d;
}

time_t
digest_due_from(const struct calendar *cal, const int on[DIGEST_NREGULAR],
    enum digest_period p, time_t end)
{
	time_t d = working_day(cal, end, 0), taken[DIGEST_NREGULAR];
	size_t nt = 0, i;

	if (p == DIGEST_WEEK || p == DIGEST_RANGE)
		return d;
	/* The shorter regular periods end at the same time as this one (a
	 * year ends with a half-year and a quarter): their days are taken,
	 * and so is the weekly report's. */
	for (int q = DIGEST_QUARTER; q < (int)p; q++)
		if (on[q])
			taken[nt++] = digest_due_from(cal, on, (enum digest_period)q,
			    end);
	for (;;) {
		for (i = 0; i < nt && taken[i] != d; i++)
			;
		if (i == nt && !(on[DIGEST_WEEK] && weekly_day(cal, d)))
			return d;
		d = working_day(cal, d + 12 * 3600, 1);
	}
}

/* --- gathering ------------------------------------------------------ */

struct rcase {
	int64_t		 id;
	char		*ref;
	char		*protocol;
	char		*form;
	int		 stage;		/* number */
	char		*stage_name;
	enum case_status status;
	int		 urgent;
	time_t		 opened_at, due_at, resolved_at;
	int		 resolved_level;
	char		*raising;	/* agency name or "unknown" */
	char		*agencies;	/* receiving agency ids */
	unsigned	 themes;	/* bit per theme */
	int		 flags[4];	/* lessons, training, protocol, commissioner */
	char		*lessons;
};

struct gather {
	struct escbot		*e;
	const struct themes	*th;
	const struct protocol	*p;	/* NULL: every protocol */
	struct rcase		*c;
	size_t			 n, cap;
	time_t			 start, end, pstart;
	/* counts in the period (0) and the previous one (1) */
	int			 opened[2], escalated[2], resolved[2];
	size_t			 fi;	/* merge cursor for fields */
};

static int
gather_case(const struct case_state *c, void *arg)
{
	struct gather *g = arg;
	const struct protocol *p = rules_protocol(g->e->rules, c->protocol);
	const struct dir_agency *a;
	struct rcase *r;
	struct strbuf sb = { 0 };
	char *ids, *tok, *save = NULL;

	if (c->opened_at >= g->end)
		return 0;	/* after the period: not in this report */
	if (g->p != NULL && strcmp(c->protocol, g->p->id) != 0)
		return 0;	/* another partnership's */
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->c = xreallocarray(g->c, g->cap, sizeof(*g->c));
	}
	r = &g->c[g->n++];
	memset(r, 0, sizeof(*r));
	r->id = c->id;
	r->ref = xstrdup(c->ref);
	r->protocol = xstrdup(c->protocol);
	r->form = xstrdup(c->form ? c->form : "");
	if (p && c->stage_idx >= 0 && (size_t)c->stage_idx < p->nstages) {
		r->stage = p->stages[c->stage_idx].number;
		r->stage_name = xstrdup(p->stages[c->stage_idx].name);
	} else
		r->stage_name = xstrdup("");
	/* Seen as at the end of the period. */
	r->status = c->status;
	if (c->status == CASE_RESOLVED && c->resolved_at >= g->end)
		r->status = CASE_OPEN;
	r->urgent = c->urgent;
	r->opened_at = c->opened_at;
	r->due_at = c->due_at;
	r->resolved_at = c->resolved_at;
	r->resolved_level = c->resolved_level;
	/* The case's own record of them; a case from before it kept them
	 * apart: the sender's agency, and the others. */
	a = c->raising_agency ? directory_agency_by_id(g->e->dir,
	    c->raising_agency) : c->receiving_agencies ? NULL :
	    directory_agency_by_email(g->e->dir, c->raised_by);
	r->raising = xstrdup(a ? a->name : "unknown");
	ids = xstrdup(c->receiving_agencies ? c->receiving_agencies :
	    c->agencies ? c->agencies : "");
	for (tok = strtok_r(ids, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct dir_agency *x = directory_agency_by_id(g->e->dir, tok);

		if (x == NULL || x == a)
			continue;
		if (sb.len)
			sb_adds(&sb, "; ");
		sb_adds(&sb, x->name);
	}
	free(ids);
	r->agencies = sb_steal(&sb);
	for (int k = 0; k < 2; k++) {
		time_t s = k ? g->pstart : g->start, e = k ? g->start : g->end;

		if (c->opened_at >= s && c->opened_at < e)
			g->opened[k]++;
		if (c->status == CASE_RESOLVED && c->resolved_at >= s &&
		    c->resolved_at < e)
			g->resolved[k]++;
	}
	return 0;
}

static int
is_yes(const char *v)
{
	return v && (str_casecmp(v, "yes") == 0 || str_casecmp(v, "y") == 0);
}

static int
gather_field(int64_t id, const char *name, const char *value, void *arg)
{
	struct gather *g = arg;
	struct rcase *r = NULL;

	/* Both lists are in case id order: walk them together. */
	while (g->fi < g->n && g->c[g->fi].id < id)
		g->fi++;
	if (g->fi < g->n && g->c[g->fi].id == id)
		r = &g->c[g->fi];
	if (r == NULL || value == NULL)
		return 0;
	for (size_t t = 0; t < g->th->n; t++)
		for (size_t k = 0; k < g->th->t[t].nkeywords; k++)
			if (str_casestr(value, g->th->t[t].keywords[k]) != NULL) {
				r->themes |= 1u << t;
				break;
			}
	if (strcmp(name, "lessons_learned") == 0)
		r->flags[0] |= is_yes(value);
	else if (strcmp(name, "staff_training") == 0)
		r->flags[1] |= is_yes(value);
	else if (strcmp(name, "protocol_review") == 0 ||
	    strcmp(name, "new_protocol") == 0)
		r->flags[2] |= is_yes(value);
	else if (strcmp(name, "inform_commissioner") == 0)
		r->flags[3] |= is_yes(value);
	else if (strcmp(name, "lessons_details") == 0 && *value) {
		free(r->lessons);
		r->lessons = xstrdup(value);
	}
	return 0;
}

/* How many cases (or emails) each name has. */
struct count {
	char	*name;
	int	 n;
};

struct counts {
	struct count	*c;
	size_t		 n;
};

static void
count_add(struct counts *cs, const char *name)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].name, name) == 0) {
			cs->c[i].n++;
			return;
		}
	cs->c = xreallocarray(cs->c, cs->n + 1, sizeof(*cs->c));
	cs->c[cs->n].name = xstrdup(name);
	cs->c[cs->n++].n = 1;
}

static void
counts_free(struct counts *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->c[i].name);
	free(cs->c);
	memset(cs, 0, sizeof(*cs));
}

static int
count_cmp(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	return x->n != y->n ? y->n - x->n : strcmp(x->name, y->name);
}

struct evlist {
	struct gather	*g;
	int		 k;		/* 0: period, 1: previous */
	struct counts	 bounced;	/* recipients of bounced emails */
};

static int
gather_event(const char *ref, time_t at, const char *actor, const char *kind,
    const char *detail, void *arg)
{
	struct evlist *ev = arg;
	const struct protocol *p = ev->g->p;
	size_t pl = p ? strlen(p->prefix) : 0;

	(void)at;
	/* References are "PREFIX-YEAR-NUMBER": another protocol's events are
	 * not this report's. */
	if (p != NULL && (ref == NULL || str_ncasecmp(ref, p->prefix, pl) != 0 ||
	    ref[pl] != '-'))
		return 0;
	(void)detail;
	if (strcmp(kind, "escalated") == 0)
		ev->g->escalated[ev->k]++;
	if (ev->k == 0 && strcmp(kind, "bounce") == 0 && actor)
		count_add(&ev->bounced, actor);
	return 0;
}

/* One report in the making: what was gathered, the figures as at the end
 * of the period, and the three parts being written. */
struct report {
	struct escbot		*e;
	const struct themes	*th;
	const struct protocol	*p;	/* NULL: every protocol */
	time_t			 start, end;
	struct gather		 g;
	struct evlist		 ev;
	struct counts		 bystage, raising, receiving, levels, themes;
	int			*dur;		/* working days to resolution */
	size_t			 ndur, open, overdue, paused;
	int			 flags[4];	/* as rcase.flags, summed */
	struct strbuf		 t, h, csv;
};

static int
report_gather(struct report *r)
{
	struct gather *g = &r->g;

	g->e = r->e;
	g->th = r->th;
	g->p = r->p;
	g->start = r->start;
	g->end = r->end;
	g->pstart = r->start - (r->end - r->start);
	if (store_cases_each(r->e->store, 1, gather_case, g) == -1 ||
	    store_report_fields(r->e->store, gather_field, g) == -1)
		return -1;
	r->ev.g = g;
	if (store_report_events(r->e->store, r->start, r->end, gather_event,
	    &r->ev) == -1)
		return -1;
	r->ev.k = 1;
	if (store_report_events(r->e->store, g->pstart, r->start, gather_event,
	    &r->ev) == -1)
		return -1;
	return 0;
}

static void
report_free(struct report *r)
{
	sb_reset(&r->t);
	sb_reset(&r->h);
	sb_reset(&r->csv);
	counts_free(&r->bystage);
	counts_free(&r->raising);
	counts_free(&r->receiving);
	counts_free(&r->levels);
	counts_free(&r->themes);
	counts_free(&r->ev.bounced);
	free(r->dur);
	for (size_t i = 0; i < r->g.n; i++) {
		free(r->g.c[i].ref);
		free(r->g.c[i].protocol);
		free(r->g.c[i].form);
		free(r->g.c[i].stage_name);
		free(r->g.c[i].raising);
		free(r->g.c[i].agencies);
		free(r->g.c[i].lessons);
	}
	free(r->g.c);
}

/* --- figures as at the end of the period ----------------------------- */

static void
tally_opened(struct report *r, const struct rcase *c)
{
	count_add(&r->raising, c->raising);
	if (*c->agencies) {
		char *ag = xstrdup(c->agencies), *tok, *sv = NULL;

		for (tok = strtok_r(ag, ";", &sv); tok; tok = strtok_r(NULL, ";",
		    &sv))
			count_add(&r->receiving, str_trim(tok));
		free(ag);
	}
	for (size_t k = 0; k < r->th->n; k++)
		if (c->themes & (1u << k))
			count_add(&r->themes, r->th->t[k].name);
}

static void
tally_resolved(struct report *r, const struct rcase *c)
{
	const struct protocol *p = rules_protocol(r->e->rules, c->protocol);
	int i = p ? rules_stage_index(p, c->resolved_level) : -1;
	char buf[160];

	/* "wsab level 2: Managers": the level by name; sorted by protocol
	 * and level, not by count. */
	snprintf(buf, sizeof(buf), "%s level %d%s%s", c->protocol,
	    c->resolved_level, i >= 0 ? ": " : "", i >= 0 ?
	    p->stages[i].name : "");
	count_add(&r->levels, buf);
	if (c->resolved_at > c->opened_at) {
		r->dur = xreallocarray(r->dur, r->ndur + 1, sizeof(*r->dur));
		r->dur[r->ndur++] = calendar_working_days_between(r->e->cal,
		    c->opened_at, c->resolved_at);
	}
	for (int k = 0; k < 4; k++)
		r->flags[k] += c->flags[k];
}

static void
report_tally(struct report *r)
{
	char buf[128];

	for (size_t i = 0; i < r->g.n; i++) {
		const struct rcase *c = &r->g.c[i];

		if (c->status != CASE_RESOLVED) {
			r->open++;
			if (c->status == CASE_PAUSED)
				r->paused++;
			else if (c->due_at < r->end)
				r->overdue++;
			snprintf(buf, sizeof(buf), "%s stage %d: %s", c->protocol,
			    c->stage, c->stage_name);
			count_add(&r->bystage, buf);
		}
		if (c->opened_at >= r->start)
			tally_opened(r, c);
		if (c->status == CASE_RESOLVED && c->resolved_at >= r->start)
			tally_resolved(r, c);
	}
}

/* --- writing -------------------------------------------------------- */

#define H2	"<h2 style=\"font-size:16px;color:#1f3864;margin:20px 0 6px\">"
#define TABLE	"<table cellpadding=\"0\" cellspacing=\"0\" " \
		"style=\"border-collapse:collapse;font-size:13px\">\n"
#define UL	"<ul style=\"font-size:13px\">\n"

static void
html_esc(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '&': sb_adds(sb, "&amp;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		default: sb_addc(sb, *s);
		}
	}
}

static void
csv_field(struct strbuf *sb, const char *s)
{
	/* Quote every field; a leading = + - @ is neutralised so that a
	 * spreadsheet never runs a value as a formula. */
	sb_addc(sb, '"');
	if (s && strchr("=+-@", *s) && *s)
		sb_addc(sb, '\'');
	for (; s && *s; s++) {
		if (*s == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '"');
}

static const char *
trend(int now, int before, char *buf, size_t len)
{
	if (now == before)
		snprintf(buf, len, "same as the period before");
	else
		snprintf(buf, len, "%s%d on the period before (%d)",
		    now > before ? "+" : "", now - before, before);
	return buf;
}

/* A section's title in the text and the HTML (then the caller's list or
 * table). */
static void
heading(struct report *r, const char *title)
{
	sb_addf(&r->t, "\n%s\n", title);
	sb_adds(&r->h, H2);
	html_esc(&r->h, title);
	sb_adds(&r->h, "</h2>\n");
}

static void
none_row(struct report *r)
{
	sb_adds(&r->t, "  none\n");
	sb_adds(&r->h, "<tr><td style=\"color:#666\">none</td></tr>\n");
}

static void
td(struct strbuf *h, const char *v, const char *style)
{
	sb_addf(h, "<td style=\"border:1px solid #d9d9d9;padding:4px 6px;%s\">",
	    style ? style : "");
	html_esc(h, v);
	sb_adds(h, "</td>");
}

static void
th_row(struct strbuf *h, const char *const *cols)
{
	sb_adds(h, "<tr>");
	for (; *cols; cols++) {
		sb_adds(h, "<th style=\"text-align:left;background:#dde7f3;"
		    "border:1px solid #b4c6e7;padding:4px 6px\">");
		html_esc(h, *cols);
		sb_adds(h, "</th>");
	}
	sb_adds(h, "</tr>\n");
}

struct values {
	char	**v;
	size_t	  n;
};

static int
add_personal(const char *name, const char *value, int personal, void *arg)
{
	struct values *pv = arg;

	(void)name;
	if (personal && value && *value) {
		pv->v = xreallocarray(pv->v, pv->n + 1, sizeof(char *));
		pv->v[pv->n++] = xstrdup(value);
	}
	return 0;
}

/* Free text of case `id` (0: of no case) as it may be reported: scrubbed
 * of the case's personal values and of any identifier.  Caller frees. */
static char *
report_text(struct report *r, int64_t id, const char *text)
{
	struct values pv = { NULL, 0 };
	char *out;

	if (id != 0 && store_fields_each(r->e->store, id, add_personal,
	    &pv) == -1)
		log_warnx("digest: personal values of case %lld not read: %s",
		    (long long)id, store_error(r->e->store));
	out = scrub_text(text, (const char *const *)pv.v, pv.n);
	for (size_t i = 0; i < pv.n; i++)
		free(pv.v[i]);
	free(pv.v);
	return out;
}

/* A list item "REF: text" in both parts. */
static void
ref_item(struct report *r, const char *ref, const char *text)
{
	sb_addf(&r->t, "  %s: %s\n", ref, text);
	sb_adds(&r->h, "<li><b>");
	html_esc(&r->h, ref);
	sb_adds(&r->h, "</b>: ");
	html_esc(&r->h, text);
	sb_adds(&r->h, "</li>\n");
}

static int
count_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct count *)a)->name,
	    ((const struct count *)b)->name);
}

/* A table of name / count with a bar drawn in table cells, the largest
 * first, or in the order of the names when `by_name`. */
static void
bar_table(struct report *r, const char *title, struct counts *cs, int by_name)
{
	struct strbuf *h = &r->h;
	int max = 1;

	if (cs->n > 1)
		qsort(cs->c, cs->n, sizeof(*cs->c), by_name ? count_name_cmp :
		    count_cmp);
	for (size_t i = 0; i < cs->n; i++)
		if (cs->c[i].n > max)
			max = cs->c[i].n;
	heading(r, title);
	sb_adds(h, "<table role=\"presentation\" cellpadding=\"3\" "
	    "cellspacing=\"0\" style=\"border-collapse:collapse;font-size:13px\">\n");
	if (cs->n == 0)
		none_row(r);
	for (size_t i = 0; i < cs->n; i++) {
		const struct count *c = &cs->c[i];
		int w = c->n * 240 / max;

		sb_addf(&r->t, "  %-48s %4d\n", c->name, c->n);
		sb_adds(h, "<tr><td style=\"padding:2px 8px 2px 0\">");
		html_esc(h, c->name);
		sb_addf(h, "</td><td style=\"text-align:right;padding:2px 8px\">%d</td>"
		    "<td><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\">"
		    "<tr><td width=\"%d\" height=\"12\" bgcolor=\"#2e75b6\" "
		    "style=\"background:#2e75b6;width:%dpx;height:12px;font-size:1px\">"
		    "&nbsp;</td></tr></table></td></tr>\n", c->n, w ? w : 1, w ? w : 1);
	}
	sb_adds(h, "</table>\n");
}

static void
write_head(struct report *r, const char *title, const char *label,
    const char *subject)
{
	sb_addf(&r->t, "%s\nSafeguarding escalations, %s\n", subject, label);
	sb_adds(&r->h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>escbot report</title></head>\n<body style=\"margin:0;"
	    "padding:16px;font-family:Arial,Helvetica,sans-serif;color:#222;"
	    "background:#ffffff\">\n<h1 style=\"font-size:20px;color:#1f3864;"
	    "margin:0 0 4px\">");
	html_esc(&r->h, title);
	sb_adds(&r->h, "</h1>\n<p style=\"margin:0 0 12px;color:#555\">"
	    "Safeguarding escalations, ");
	html_esc(&r->h, label);
	sb_adds(&r->h, ". Case references only: no names, dates of birth, "
	    "addresses or NHS numbers.</p>\n");
}

static void
summary_row(struct report *r, const char *name, long v, const char *note)
{
	char n[32];

	sb_addf(&r->t, "  %-24s %5ld  %s\n", name, v, note);
	snprintf(n, sizeof(n), "%ld", v);
	sb_adds(&r->h, "<tr>");
	td(&r->h, name, "font-weight:bold");
	td(&r->h, n, "text-align:right");
	td(&r->h, note, "color:#555");
	sb_adds(&r->h, "</tr>\n");
}

static void
write_summary(struct report *r)
{
	const struct gather *g = &r->g;
	char tr[96];

	sb_adds(&r->t, "\nSummary\n");
	sb_adds(&r->h, "<table role=\"presentation\" cellpadding=\"0\" "
	    "cellspacing=\"0\" style=\"border-collapse:collapse;font-size:14px\">\n");
	summary_row(r, "Open cases", (long)r->open, "");
	summary_row(r, "Overdue", (long)r->overdue, "");
	summary_row(r, "Paused", (long)r->paused, "");
	summary_row(r, "Opened in the period", g->opened[0],
	    trend(g->opened[0], g->opened[1], tr, sizeof(tr)));
	summary_row(r, "Escalated in the period", g->escalated[0],
	    trend(g->escalated[0], g->escalated[1], tr, sizeof(tr)));
	summary_row(r, "Resolved in the period", g->resolved[0],
	    trend(g->resolved[0], g->resolved[1], tr, sizeof(tr)));
	sb_adds(&r->h, "</table>\n");
}

/* Open cases are listed overdue first (pass 0), then on time (1), then
 * paused (2). */
static int
in_pass(const struct rcase *c, int pass, time_t now)
{
	int od = c->status == CASE_OPEN && c->due_at < now;

	if (c->status == CASE_RESOLVED)
		return 0;
	if (pass == 0)
		return od;
	if (pass == 1)
		return !od && c->status != CASE_PAUSED;
	return c->status == CASE_PAUSED;
}

/* Working days a case open at `end` is overdue, or -1 when it is not. */
static int
days_overdue(const struct report *r, const struct rcase *c)
{
	if (c->status != CASE_OPEN || c->due_at >= r->end)
		return -1;
	return calendar_working_days_between(r->e->cal, c->due_at, r->end);
}

/* "2026-11-23 10:00", London time: what Excel takes for a date. */
static void
excel_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	calendar_utc_to_london(t, &tm);
	if ((size_t)snprintf(buf, len, "%04d-%02d-%02d %02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min) >= len)
		buf[0] = '\0';		/* never: len is 64 */
}

/* One open case: the agencies that hold it and how late it is. */
static void
open_case_row(struct report *r, const struct rcase *c)
{
	struct strbuf *h = &r->h;
	int od = days_overdue(r, c);
	const char *st = od >= 0 ? "OVERDUE" : c->status == CASE_PAUSED ?
	    "paused" : "on time";
	char due[64] = "", age[16], stage[16], late[16] = "";

	if (c->status == CASE_OPEN)
		excel_time(c->due_at, due, sizeof(due));
	snprintf(age, sizeof(age), "%d",
	    calendar_working_days_between(r->e->cal, c->opened_at, r->end));
	snprintf(stage, sizeof(stage), "%d", c->stage);
	if (od >= 0)
		snprintf(late, sizeof(late), "%d", od);
	sb_addf(&r->t, "  %-15s %-9s stage %-2s open %-3s working days, due "
	    "%-16s %s%s%s%s%s", c->ref, c->protocol, stage, age,
	    *due ? due : "-", st, od >= 0 ? " by " : "", late,
	    od >= 0 ? " working days" : "", c->urgent ? " URGENT" : "");
	sb_addf(&r->t, "%s%s\n", *c->agencies ? "; agencies: " : "",
	    c->agencies);
	sb_adds(h, "<tr>");
	td(h, c->ref, "font-weight:bold");
	td(h, c->protocol, NULL);
	td(h, stage, "text-align:center");
	td(h, age, "text-align:right");
	td(h, due, NULL);
	td(h, c->urgent ? (od >= 0 ? "OVERDUE, URGENT" : "urgent") : st,
	    od >= 0 ? "color:#c00000;font-weight:bold" : NULL);
	td(h, late, "text-align:right");
	td(h, c->agencies, "font-size:12px");
	sb_adds(h, "</tr>\n");
}

static void
write_open_cases(struct report *r)
{
	static const char *const cols[] = { "Case", "Protocol", "Stage",
	    "Working days open", "Due", "Status", "Working days overdue",
	    "Agencies involved", NULL };
	size_t listed = 0, unlisted = 0;

	heading(r, "Open cases (overdue first)");
	sb_adds(&r->h, TABLE);
	th_row(&r->h, cols);
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < r->g.n; i++) {
			if (!in_pass(&r->g.c[i], pass, r->end))
				continue;
			if (listed >= MAX_LISTED) {
				unlisted++;
				continue;
			}
			open_case_row(r, &r->g.c[i]);
			listed++;
		}
	if (unlisted > 0) {
		/* A report a person reads: the most pressing first, the rest
		 * in the CSV. */
		sb_addf(&r->t, "  ... and %zu more open cases, in the attached "
		    "CSV\n", unlisted);
		sb_addf(&r->h, "<tr><td colspan=\"8\" style=\"padding:4px;"
		    "color:#555\">... and %zu more open cases, in the attached "
		    "CSV</td></tr>\n", unlisted);
	}
	if (r->open == 0) {
		sb_adds(&r->t, "  none\n");
		sb_adds(&r->h, "<tr><td colspan=\"8\" style=\"padding:4px;"
		    "color:#666\">none</td></tr>\n");
	}
	sb_adds(&r->h, "</table>\n");
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* Working days of a median: whole, or a half. */
static void
days_words(double d, char *buf, size_t len)
{
	if (d == (double)(long)d)
		snprintf(buf, len, "%ld working day%s", (long)d, d == 1 ? "" : "s");
	else
		snprintf(buf, len, "%.1f working days", d);
}

static void
write_resolution_time(struct report *r)
{
	size_t n = r->ndur;
	char buf[200], med[48], lng[48];

	if (n > 0) {
		qsort(r->dur, n, sizeof(*r->dur), cmp_int);
		days_words(n % 2 ? r->dur[n / 2] : (r->dur[n / 2 - 1] +
		    r->dur[n / 2]) / 2.0, med, sizeof(med));
		days_words(r->dur[n - 1], lng, sizeof(lng));
		snprintf(buf, sizeof(buf), "Time to resolution: median %s, "
		    "longest %s (%zu case%s)", med, lng, n, n == 1 ? "" : "s");
	} else
		snprintf(buf, sizeof(buf), "Time to resolution: no case resolved "
		    "after being tracked in the period");
	sb_addf(&r->t, "\n%s\n", buf);
	sb_adds(&r->h, "<p style=\"font-size:13px\">");
	html_esc(&r->h, buf);
	sb_adds(&r->h, "</p>\n");
}

/* Lessons learned and the yes/no flags of resolution forms. */
static void
write_flags(struct report *r)
{
	static const char *const flag_names[] = { "Lessons learned",
	    "Staff training needed", "Protocol or procedure review",
	    "Inform the commissioner" };
	struct counts fc = { NULL, 0 };

	for (int k = 0; k < 4; k++)
		for (int j = 0; j < r->flags[k]; j++)
			count_add(&fc, flag_names[k]);
	bar_table(r, "Resolution forms of the period: lessons and needs", &fc, 0);
	counts_free(&fc);
}

static void
write_lessons(struct report *r)
{
	char *safe;
	int any = 0;

	for (size_t i = 0; i < r->g.n; i++) {
		const struct rcase *c = &r->g.c[i];

		if (c->lessons == NULL || c->status != CASE_RESOLVED ||
		    c->resolved_at < r->start)
			continue;
		if (!any++) {
			heading(r, "Lessons learned");
			sb_adds(&r->h, UL);
		}
		safe = report_text(r, c->id, c->lessons);
		ref_item(r, c->ref, safe);
		free(safe);
	}
	if (any)
		sb_adds(&r->h, "</ul>\n");
}

static int
last_pause(time_t at, const char *actor, const char *kind, const char *detail,
    void *arg)
{
	char **why = arg;

	(void)at;
	(void)actor;
	if (strcmp(kind, "paused") == 0) {
		free(*why);
		*why = xstrdup(detail);
	}
	return 0;
}

/* Paused cases and why. */
static void
write_paused(struct report *r)
{
	if (r->paused == 0)
		return;
	heading(r, "Paused cases");
	sb_adds(&r->h, UL);
	for (size_t i = 0; i < r->g.n; i++) {
		char *why = NULL, *safe;

		if (r->g.c[i].status != CASE_PAUSED)
			continue;
		store_events_each(r->e->store, r->g.c[i].id, last_pause, &why);
		safe = report_text(r, r->g.c[i].id, why);
		ref_item(r, r->g.c[i].ref, safe);
		free(safe);
		free(why);
	}
	sb_adds(&r->h, "</ul>\n");
}

struct rows {
	struct report	*r;
	int		 n;
};

static int
add_failed(const char *rcpt, int count, const char *error, void *arg)
{
	struct rows *rw = arg;
	struct strbuf *h = &rw->r->h;
	char n[16], *err = report_text(rw->r, 0, error);

	rw->n++;
	sb_addf(&rw->r->t, "  %4d  %s (%s)\n", count, rcpt, err);
	snprintf(n, sizeof(n), "%d", count);
	sb_adds(h, "<tr>");
	td(h, rcpt, NULL);
	td(h, n, "text-align:right");
	td(h, err, NULL);
	sb_adds(h, "</tr>\n");
	free(err);
	return 0;
}

/* Intake's reasons in a board's words: what intake says (its start, a
 * '*' for any text, then its end), and what the board reads, with "%.*s"
 * for the text in between. */
static const struct {
	const char	*head, *tail, *words;
} plain[] = {
	{ "sender domain not in allowed_sender_domains", "",
	    "sent from an address outside the partnership's email domains" },
	{ "form ", " names no case escbot knows",
	    "a %.*s form that names no case escbot holds" },
	{ "form ", " is not used by any protocol",
	    "a %.*s form no protocol here uses" },
	{ "form ", "", "a %.*s form with answers missing or unreadable" },
	{ "no form recognised (", "", "no form found: the attachment is in a "
	    "format escbot cannot read" },
	{ "no form recognised", "", "no form found in the email" },
	{ "", "command from a sender who is not a participant",
	    "a command from someone not involved in the case" },
	{ "", "reply from a sender who is not a participant",
	    "a reply from someone not involved in the case" },
	{ "", "form from a sender who is not in the case: not applied",
	    "a form from someone not involved in the case (not applied)" },
	{ "Word attachment refused", "", "a Word attachment that could not be "
	    "read safely" },
	{ "", "over limits.mime_parts", "an email with too many parts to read "
	    "safely" },
	{ "no sender address", "", "an email with no sender address" },
	{ "", " for the sender's domain", "an email whose sender could not be "
	    "confirmed as genuine" },
};

/* The reason in plain English (the caller frees), or a copy. */
static char *
plain_reason(const char *reason)
{
	size_t rl = strlen(reason);

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		size_t hl = strlen(plain[i].head), tl = strlen(plain[i].tail);
		const char *mid = reason + hl;
		size_t ml;

		if (rl < hl + tl || strncmp(reason, plain[i].head, hl) != 0 ||
		    strcmp(reason + rl - tl, plain[i].tail) != 0)
			continue;
		ml = rl - hl - tl;
		if (strstr(plain[i].words, "%.*s") == NULL)
			return xstrdup(plain[i].words);
		/* "form ID incomplete: ..." : the form's id alone. */
		if (*plain[i].tail == '\0')
			ml = strcspn(mid, " ");
		return xasprintf(plain[i].words, (int)ml, mid);
	}
	return xstrdup(reason);
}

/* Whether a reason names another protocol's form (not this report's). */
static int
others_form(const struct report *r, const char *reason)
{
	const struct ruleset *rs = r->e->rules;

	if (r->p == NULL)
		return 0;
	for (size_t i = 0; i < rs->nprotocols; i++) {
		const struct protocol *q = &rs->protocols[i];

		for (size_t k = 0; q != r->p && k < q->nforms; k++)
			if (strstr(reason, q->forms[k].form) != NULL)
				return 1;
	}
	return 0;
}

static int
add_rejection(const char *outcome, const char *reason, int count, void *arg)
{
	struct rows *rw = arg;
	struct strbuf *h = &rw->r->h;
	char n[16], *pl, *why;

	if (others_form(rw->r, reason))
		return 0;
	pl = plain_reason(reason);
	why = report_text(rw->r, 0, pl);
	free(pl);
	outcome = strcmp(outcome, "rejected") == 0 ? "sent back" :
	    strcmp(outcome, "no-form") == 0 ? "sent back" : outcome;

	rw->n++;
	sb_addf(&rw->r->t, "  %4d  %s: %s\n", count, outcome, why);
	snprintf(n, sizeof(n), "%d", count);
	sb_adds(h, "<tr>");
	td(h, n, "text-align:right");
	td(h, outcome, NULL);
	td(h, why, NULL);
	sb_adds(h, "</tr>\n");
	free(why);
	return 0;
}

/* Contacts whose emails failed or bounced.  0, or -1 on a database
 * error. */
static int
write_refused(struct report *r)
{
	struct rows rw = { r, 0 };

	heading(r, "Contacts whose emails were refused");
	sb_adds(&r->h, TABLE);
	if (store_report_failed(r->e->store, r->start, r->end, add_failed,
	    &rw) == -1)
		return -1;
	for (size_t i = 0; i < r->ev.bounced.n; i++) {
		const struct count *b = &r->ev.bounced.c[i];
		char err[64];

		snprintf(err, sizeof(err), "bounced %d time%s", b->n,
		    b->n == 1 ? "" : "s");
		add_failed(b->name, b->n, err, &rw);
	}
	if (rw.n == 0)
		none_row(r);
	sb_adds(&r->h, "</table>\n");
	return 0;
}

/* Forms rejected and why.  0, or -1 on a database error. */
static int
write_rejected(struct report *r)
{
	struct rows rw = { r, 0 };

	heading(r, "Emails rejected or refused, and why");
	sb_adds(&r->h, TABLE);
	if (store_report_rejections(r->e->store, r->start, r->end,
	    add_rejection, &rw) == -1)
		return -1;
	if (rw.n == 0)
		none_row(r);
	sb_adds(&r->h, "</table>\n");
	return 0;
}

static void
write_foot(struct report *r)
{
	sb_adds(&r->h, "<p style=\"font-size:11px;color:#777;margin-top:24px\">"
	    "Written by escbot from its own records. The attached CSV lists the "
	    "period's cases for analysis.</p>\n</body></html>\n");
	sb_adds(&r->t, "\nThe attached CSV lists the period's cases.\n");
}

/* A field, then "," or the end of the row. */
static void
csv_put(struct strbuf *csv, const char *v, int last)
{
	csv_field(csv, v);
	sb_adds(csv, last ? "\r\n" : ",");
}

/* A number, or blank when not applicable (v < 0). */
static void
csv_num(struct strbuf *csv, int v)
{
	if (v >= 0)
		sb_addf(csv, "%d", v);
	sb_addc(csv, ',');
}

static void
csv_row(struct report *r, const struct rcase *c)
{
	static const char *const status[] = { "Open", "Paused", "Resolved" };
	const struct protocol *p = rules_protocol(r->e->rules, c->protocol);
	struct strbuf *csv = &r->csv, tl = { 0 };
	int res = c->status == CASE_RESOLVED;
	char o[64], dd[64] = "", rs[64] = "";

	excel_time(c->opened_at, o, sizeof(o));
	if (c->status == CASE_OPEN)
		excel_time(c->due_at, dd, sizeof(dd));
	if (res)
		excel_time(c->resolved_at, rs, sizeof(rs));
	for (size_t k = 0; k < r->th->n; k++)
		if (c->themes & (1u << k)) {
			if (tl.len)
				sb_adds(&tl, "; ");
			sb_adds(&tl, r->th->t[k].name);
		}
	csv_put(csv, c->ref, 0);
	csv_put(csv, p ? p->name : c->protocol, 0);
	csv_put(csv, c->form, 0);
	csv_num(csv, c->stage);
	csv_put(csv, c->stage_name, 0);
	csv_put(csv, status[c->status], 0);
	csv_put(csv, c->urgent ? "Yes" : "No", 0);
	csv_put(csv, o, 0);
	csv_put(csv, dd, 0);
	csv_put(csv, rs, 0);
	csv_num(csv, res ? c->resolved_level : -1);
	csv_num(csv, calendar_working_days_between(r->e->cal, c->opened_at,
	    res ? c->resolved_at : r->end));
	csv_num(csv, c->status != CASE_OPEN ? -1 : days_overdue(r, c) < 0 ? 0 :
	    days_overdue(r, c));
	csv_put(csv, c->raising, 0);
	csv_put(csv, c->agencies, 0);
	csv_put(csv, tl.buf ? tl.buf : "", 1);
	sb_reset(&tl);
}

/* CSV: the cases open at some point in the period, for Excel: UTF-8
 * with a byte-order mark, headers a reader understands, dates Excel
 * takes as dates, blank where a column does not apply. */
static void
write_csv(struct report *r)
{
	sb_adds(&r->csv, "\xEF\xBB\xBF" "Case reference,Protocol,Form,Stage,"
	    "Stage name,Status,Urgent,Opened,Due,Resolved,Resolved at level,"
	    "Working days open,Working days overdue,Raising agency,"
	    "Receiving agencies,Themes\r\n");
	for (size_t i = 0; i < r->g.n; i++)
		if (!(r->g.c[i].status == CASE_RESOLVED &&
		    r->g.c[i].resolved_at < r->start))
			csv_row(r, &r->g.c[i]);
}

int
digest_build(struct escbot *e, const struct themes *th,
    const struct protocol *p, const struct digest_span *sp, struct digest *out)
{
	static const char *const pname[] = { "Weekly digest", "Quarterly report",
	    "Half-yearly review", "Annual report", "Report" };
	struct report r;
	char label[sizeof(sp->label) + 128];

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.e = e;
	r.th = th;
	r.p = p;
	r.start = sp->start;
	r.end = sp->end;
	if (report_gather(&r) == -1)
		goto fail;
	report_tally(&r);
	snprintf(label, sizeof(label), "%s%s%s", p ? p->name : "", p ? ", " : "",
	    sp->label);
	out->subject = xasprintf("%s: safeguarding escalations, %s",
	    pname[sp->p], label);
	write_head(&r, pname[sp->p], label, out->subject);
	write_summary(&r);
	write_open_cases(&r);
	bar_table(&r, "Open cases by protocol and stage", &r.bystage, 0);
	bar_table(&r, "Resolved in the period, by level", &r.levels, 1);
	write_resolution_time(&r);
	bar_table(&r, "Opened in the period, by raising agency", &r.raising, 0);
	bar_table(&r, "Opened in the period, by receiving agency", &r.receiving,
	    0);
	bar_table(&r, "Themes of the cases opened in the period", &r.themes, 0);
	write_flags(&r);
	write_lessons(&r);
	write_paused(&r);
	if (write_refused(&r) == -1 || write_rejected(&r) == -1)
		goto fail;
	write_foot(&r);
	write_csv(&r);
	out->text = sb_steal(&r.t);
	out->html = sb_steal(&r.h);
	out->csv = sb_steal(&r.csv);
	out->ncases = r.g.n;
	report_free(&r);
	return 0;
fail:
	report_free(&r);
	digest_free(out);
	return -1;
}

void
digest_free(struct digest *d)
{
	free(d->subject);
	free(d->text);
	free(d->html);
	free(d->csv);
	memset(d, 0, sizeof(*d));
}

/* Add the contacts of role r to the list, once per address. */
static void
add_contacts(char ***l, size_t *n, char *const *contacts, size_t nc)
{
	for (size_t i = 0; i < nc; i++) {
		char *a = config_addr_spec(contacts[i]), *b;
		int dup = 0;

		for (size_t j = 0; a && j < *n && !dup; j++) {
			b = config_addr_spec((*l)[j]);
			dup = b && str_casecmp(a, b) == 0;
			free(b);
		}
		free(a);
		if (dup)
			continue;
		*l = xreallocarray(*l, *n + 2, sizeof(char *));
		(*l)[(*n)++] = xstrdup(contacts[i]);
		(*l)[*n] = NULL;
	}
}

/* Recipients of p's report: its board roles in the directory; when they
 * name nobody (or p is NULL), the configured list, else the
 * partnership's board inbox.  NULL-terminated, the caller's to free. */
static char **
recipients(struct escbot *e, const struct protocol *p, size_t *n)
{
	const struct dir_role *r;
	char **l = xcalloc(1, sizeof(char *));

	*n = 0;
	for (size_t i = 0; p && i < p->nboard; i++) {
		if (!directory_role_is_partnership(p->board_roles[i])) {
			log_warnx("digest %s: board role %s is an agency role; "
			    "only partnership roles receive reports", p->id,
			    p->board_roles[i]);
			continue;
		}
		if ((r = directory_role(e->dir, NULL, p->board_roles[i])) != NULL)
			add_contacts(&l, n, r->contacts, r->ncontacts);
	}
	if (*n == 0)
		add_contacts(&l, n, e->cfg->digest.recipients,
		    e->cfg->digest.nrecipients);
	if (*n == 0 && (r = directory_role(e->dir, NULL, "board_inbox")) != NULL)
		add_contacts(&l, n, r->contacts, r->ncontacts);
	return l;
}

/* The report as an email with its CSV attached: the message, and in
 * *msgid its Message-ID, both the caller's to free. */
static char *
digest_compose(struct escbot *e, const struct digest *d, const char *key,
    const char *token, char **to, size_t n, time_t now, char **msgid)
{
	struct outgoing o;
	struct attachment_out att;
	char fname[160];

	snprintf(fname, sizeof(fname), "escbot-%s.csv", key);
	att.filename = fname;
	att.content_type = "text/csv; charset=UTF-8";
	att.data = d->csv;
	att.len = strlen(d->csv);
	*msgid = mailer_message_id(e->msgid_key, token, e->cfg->smtp.from_addr);
	memset(&o, 0, sizeof(o));
	o.from = e->cfg->smtp.from;
	o.to = (const char *const *)to;
	o.nto = n;
	o.subject = d->subject;
	o.text = d->text;
	o.html = d->html;
	o.message_id = *msgid;
	o.date = now;
	o.attachments = &att;
	o.nattachments = 1;
	return mailer_compose(&o);
}

/* Put the composed report in the outbox for its recipients' addresses.
 * 1, or -1. */
static int
digest_enqueue(struct escbot *e, const struct digest *d, const char *key,
    const char *token, char **to, size_t n, char **said)
{
	time_t now = escbot_now(e);
	char *msgid, *data, **env = xcalloc(n + 1, sizeof(char *));
	struct strbuf sb = { 0 };
	size_t nenv = 0;
	int rc = -1;

	data = digest_compose(e, d, key, token, to, n, now, &msgid);
	for (size_t i = 0; i < n; i++)
		if ((env[nenv] = config_addr_spec(to[i])) != NULL) {
			sb_addf(&sb, "%s%s", nenv ? ", " : "", env[nenv]);
			nenv++;
		}
	if (store_begin(e->store) == 0 &&
	    store_outbox_add(e->store, token, 0, "digest", msgid, data,
	    (const char *const *)env, nenv, calendar_next_working_time(e->cal,
	    now), now) >= 0 && store_commit(e->store) == 0) {
		log_info("digest %s queued for %zu recipient%s", token, nenv,
		    nenv == 1 ? "" : "s");
		if (said)
			*said = xasprintf("\"%s\" to %s", d->subject,
			    sb.buf ? sb.buf : "nobody");
		rc = 1;
	} else
		store_rollback(e->store);
	sb_reset(&sb);
	cfg_strings_free(env);
	free(data);
	free(msgid);
	return rc;
}

int
digest_queue(struct escbot *e, const struct themes *th,
    const struct protocol *p, const struct digest_span *sp, int flags,
    char **said)
{
	int force = flags & DIGEST_FORCE;
	struct digest d;
	char *token, **to;
	size_t n;
	int rc;

	if (said)
		*said = NULL;
	token = force ? xasprintf("digest/%s/%s/%lld", p ? p->id : "all",
	    sp->key, (long long)escbot_now(e)) : xasprintf("digest/%s/%s",
	    p ? p->id : "all", sp->key);
	if (!force && store_outbox_has(e->store, token) == 1) {
		free(token);
		return 0;
	}
	to = recipients(e, p, &n);
	if (n == 0) {
		log_warnx("digest %s: no recipients (give the protocol "
		    "board_roles, or set digest.recipients or a board_inbox in "
		    "the directory)", token);
		rc = 0;
	} else if ((rc = digest_build(e, th, p, sp, &d)) == 0) {
		if (d.ncases > 0 || (flags & DIGEST_EMPTY))
			rc = digest_enqueue(e, &d, sp->key, token, to, n, said);
		digest_free(&d);
	}
	cfg_strings_free(to);
	free(token);
	return rc;
}

int
digest_queue_due(struct escbot *e, const struct themes *th)
{
	const int on[] = { e->cfg->digest.week, e->cfg->digest.quarter,
	    e->cfg->digest.half_year, e->cfg->digest.year };
	time_t now = escbot_now(e), born = -1;
	struct digest_span sp;
	char token[160];
	int queued = 0, r;

	for (int p = DIGEST_WEEK; p < DIGEST_NREGULAR; p++) {
		if (!on[p])
			continue;
		digest_period((enum digest_period)p, now,
		    e->cfg->digest.year_start, 0, &sp);
		/* Staggered: not before its day. */
		if (now < digest_due_from(e->cal, on, (enum digest_period)p,
		    sp.end))
			continue;
		if (born == -1)
			born = store_created_at(e->store);
		/* A period that ended before escbot first did anything has
		 * nothing to report: a new installation does not mail the
		 * board empty reports. */
		if (born == 0 || sp.end <= born)
			continue;
		for (size_t i = 0; i < e->rules->nprotocols; i++) {
			const struct protocol *pr = &e->rules->protocols[i];

			/* Already queued: the common case, answered by an
			 * index. */
			snprintf(token, sizeof(token), "digest/%s/%s", pr->id,
			    sp.key);
			if (store_outbox_has(e->store, token) == 1)
				continue;
			if ((r = digest_queue(e, th, pr, &sp, 0, NULL)) == -1)
				return -1;
			queued += r;
		}
	}
	return queued;
}
