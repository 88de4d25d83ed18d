/*
 * digest: reads the whole record once per report -- cases, their
 * non-personal answers, the period's events, rejections and failed
 * deliveries -- and writes the three parts from the same figures, so the
 * text, the HTML and the CSV can never disagree.  Personal fields are
 * never read: the store hands out only fields not marked personal.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "digest.h"
#include "log.h"
#include "mailer.h"
#include "themes.h"
#include "util.h"

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
	else
		return -1;
	return 0;
}

static const char *const month_names[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };

void
digest_period(enum digest_period p, time_t now, time_t *start, time_t *end,
    char *label, size_t llen, char *key, size_t klen)
{
	struct tm tm;
	int y, m, months;
	time_t t;

	calendar_utc_to_london(now, &tm);
	y = tm.tm_year + 1900;
	if (p == DIGEST_WEEK) {
		/* Back to this week's Monday 00:00; the week before it is the
		 * last complete one. */
		t = calendar_london_to_utc(y, tm.tm_mon + 1, tm.tm_mday, 12, 0, 0);
		t -= (time_t)((tm.tm_wday + 6) % 7) * 86400;
		calendar_utc_to_london(t, &tm);
		*end = calendar_london_to_utc(tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, 0, 0, 0);
		calendar_utc_to_london(*end - 7 * 86400 + 12 * 3600, &tm);
		*start = calendar_london_to_utc(tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, 0, 0, 0);
		snprintf(label, llen, "week of Monday %d %s %d", tm.tm_mday,
		    month_names[tm.tm_mon], tm.tm_year + 1900);
		snprintf(key, klen, "week-%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
		return;
	}
	months = p == DIGEST_QUARTER ? 3 : 6;
	m = tm.tm_mon / months * months;	/* first month of this period */
	*end = calendar_london_to_utc(y, m + 1, 1, 0, 0, 0);
	m -= months;
	if (m < 0) {
		m += 12;
		y--;
	}
	*start = calendar_london_to_utc(y, m + 1, 1, 0, 0, 0);
	if (p == DIGEST_QUARTER) {
		snprintf(label, llen, "quarter %d of %d (%s to %s)", m / 3 + 1, y,
		    month_names[m], month_names[m + 2]);
		snprintf(key, klen, "quarter-%04d-Q%d", y, m / 3 + 1);
	} else {
		snprintf(label, llen, "half-year %d of %d (%s to %s)", m / 6 + 1,
		    y, month_names[m], month_names[m + 5]);
		snprintf(key, klen, "half-year-%04d-H%d", y, m / 6 + 1);
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
	a = directory_agency_by_email(g->e->dir, c->raised_by);
	r->raising = xstrdup(a ? a->name : "unknown");
	ids = xstrdup(c->agencies ? c->agencies : "");
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

struct count {
	char	*name;
	int	 n;
};

static void count_add(struct count **, size_t *, const char *);

struct evlist {
	struct gather	*g;
	int		 k;		/* 0: period, 1: previous */
	struct count	*bounced;	/* recipients of bounced emails */
	size_t		 nbounced;
};

static int
gather_event(const char *ref, time_t at, const char *actor, const char *kind,
    const char *detail, void *arg)
{
	struct evlist *ev = arg;

	(void)ref;
	(void)at;
	(void)detail;
	if (strcmp(kind, "escalated") == 0)
		ev->g->escalated[ev->k]++;
	if (ev->k == 0 && strcmp(kind, "bounce") == 0 && actor)
		count_add(&ev->bounced, &ev->nbounced, actor);
	return 0;
}

/* --- writing -------------------------------------------------------- */

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

static void
count_add(struct count **c, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*c)[i].name, name) == 0) {
			(*c)[i].n++;
			return;
		}
	*c = xreallocarray(*c, *n + 1, sizeof(**c));
	(*c)[*n].name = xstrdup(name);
	(*c)[(*n)++].n = 1;
}

static int
count_cmp(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	return x->n != y->n ? y->n - x->n : strcmp(x->name, y->name);
}

static void
counts_free(struct count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

/* A table of name / count with a bar drawn in table cells. */
static void
bar_table(struct strbuf *h, struct strbuf *t, const char *title,
    struct count *c, size_t n)
{
	int max = 1;

	if (n > 1)
		qsort(c, n, sizeof(*c), count_cmp);
	for (size_t i = 0; i < n; i++)
		if (c[i].n > max)
			max = c[i].n;
	sb_addf(t, "\n%s\n", title);
	sb_addf(h, "<h2 style=\"font-size:16px;color:#1f3864;margin:20px 0 6px\">");
	html_esc(h, title);
	sb_adds(h, "</h2>\n<table role=\"presentation\" cellpadding=\"3\" "
	    "cellspacing=\"0\" style=\"border-collapse:collapse;font-size:13px\">\n");
	if (n == 0) {
		sb_adds(t, "  none\n");
		sb_adds(h, "<tr><td style=\"color:#666\">none</td></tr>\n");
	}
	for (size_t i = 0; i < n; i++) {
		int w = c[i].n * 240 / max;

		sb_addf(t, "  %-48s %4d\n", c[i].name, c[i].n);
		sb_adds(h, "<tr><td style=\"padding:2px 8px 2px 0\">");
		html_esc(h, c[i].name);
		sb_addf(h, "</td><td style=\"text-align:right;padding:2px 8px\">%d</td>"
		    "<td><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\">"
		    "<tr><td width=\"%d\" height=\"12\" bgcolor=\"#2e75b6\" "
		    "style=\"background:#2e75b6;width:%dpx;height:12px;font-size:1px\">"
		    "&nbsp;</td></tr></table></td></tr>\n", c[i].n, w ? w : 1, w ? w : 1);
	}
	sb_adds(h, "</table>\n");
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

static void
td(struct strbuf *h, const char *v, const char *style)
{
	sb_addf(h, "<td style=\"border:1px solid #d9d9d9;padding:4px 6px;%s\">",
	    style ? style : "");
	html_esc(h, v);
	sb_adds(h, "</td>");
}

static int
cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

struct chased {
	struct strbuf	*sb;
	int		 n;
};

static int
add_chased(const char *rcpt, void *arg)
{
	struct chased *c = arg;

	if (c->n++)
		sb_adds(c->sb, ", ");
	sb_adds(c->sb, rcpt);
	return 0;
}

struct rej {
	struct strbuf	*t, *h;
	int		 n;
};

static int
add_rejection(const char *outcome, const char *reason, int count, void *arg)
{
	struct rej *r = arg;
	char n[16];

	r->n++;
	sb_addf(r->t, "  %4d  %s: %s\n", count, outcome, reason);
	snprintf(n, sizeof(n), "%d", count);
	sb_adds(r->h, "<tr>");
	td(r->h, n, "text-align:right");
	td(r->h, outcome, NULL);
	td(r->h, reason, NULL);
	sb_adds(r->h, "</tr>\n");
	return 0;
}

static int
add_failed(const char *rcpt, int count, const char *error, void *arg)
{
	struct rej *r = arg;
	char n[16];

	r->n++;
	sb_addf(r->t, "  %4d  %s (%s)\n", count, rcpt, error ? error : "");
	snprintf(n, sizeof(n), "%d", count);
	sb_adds(r->h, "<tr>");
	td(r->h, rcpt, NULL);
	td(r->h, n, "text-align:right");
	td(r->h, error ? error : "", NULL);
	sb_adds(r->h, "</tr>\n");
	return 0;
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

int
digest_build(struct escbot *e, const struct themes *th, enum digest_period p,
    time_t start, time_t end, const char *label, struct digest *out)
{
	static const char *const pname[] = { "Weekly digest", "Quarterly report",
	    "Half-yearly review" };
	static const char *const flag_names[] = { "Lessons learned",
	    "Staff training needed", "Protocol or procedure review",
	    "Inform the commissioner" };
	struct gather g;
	struct evlist ev = { 0 };
	struct strbuf t = { 0 }, h = { 0 }, csv = { 0 };
	struct count *bystage = NULL, *raising = NULL, *receiving = NULL,
	    *levels = NULL, *themes = NULL;
	size_t nbystage = 0, nraising = 0, nreceiving = 0, nlevels = 0,
	    nthemes = 0, ndur = 0, open = 0, overdue = 0, paused = 0,
	    listed = 0, unlisted = 0;
	time_t *dur = NULL, now = end;
	char buf[128], buf2[128], due[64], tr[96];
	int flags[4] = { 0 }, rc = -1;
	struct rej rj;

	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	g.e = e;
	g.th = th;
	g.start = start;
	g.end = end;
	g.pstart = start - (end - start);
	if (store_cases_each(e->store, 1, gather_case, &g) == -1 ||
	    store_report_fields(e->store, gather_field, &g) == -1)
		goto done;
	ev.g = &g;
	if (store_report_events(e->store, start, end, gather_event, &ev) == -1)
		goto done;
	ev.k = 1;
	if (store_report_events(e->store, g.pstart, start, gather_event, &ev) == -1)
		goto done;

	out->subject = xasprintf("%s: safeguarding escalations, %s", pname[p],
	    label);
	sb_addf(&t, "%s\nSafeguarding escalations, %s\n", out->subject, label);
	sb_adds(&h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>escbot report</title></head>\n<body style=\"margin:0;"
	    "padding:16px;font-family:Arial,Helvetica,sans-serif;color:#222;"
	    "background:#ffffff\">\n<h1 style=\"font-size:20px;color:#1f3864;"
	    "margin:0 0 4px\">");
	html_esc(&h, pname[p]);
	sb_adds(&h, "</h1>\n<p style=\"margin:0 0 12px;color:#555\">"
	    "Safeguarding escalations, ");
	html_esc(&h, label);
	sb_adds(&h, ". Case references only: no names, dates of birth, "
	    "addresses or NHS numbers.</p>\n");

	/* Figures as at the end of the period. */
	for (size_t i = 0; i < g.n; i++) {
		struct rcase *r = &g.c[i];

		if (r->status != CASE_RESOLVED) {
			open++;
			if (r->status == CASE_PAUSED)
				paused++;
			else if (r->due_at < now)
				overdue++;
			snprintf(buf, sizeof(buf), "%s stage %d: %s", r->protocol,
			    r->stage, r->stage_name);
			count_add(&bystage, &nbystage, buf);
		}
		if (r->opened_at >= start) {
			count_add(&raising, &nraising, r->raising);
			if (*r->agencies) {
				char *ag = xstrdup(r->agencies), *tok, *sv = NULL;

				for (tok = strtok_r(ag, ";", &sv); tok;
				    tok = strtok_r(NULL, ";", &sv))
					count_add(&receiving, &nreceiving,
					    str_trim(tok));
				free(ag);
			}
			for (size_t k = 0; k < th->n; k++)
				if (r->themes & (1u << k))
					count_add(&themes, &nthemes, th->t[k].name);
		}
		if (r->status == CASE_RESOLVED && r->resolved_at >= start) {
			snprintf(buf, sizeof(buf), "%s level %d", r->protocol,
			    r->resolved_level);
			count_add(&levels, &nlevels, buf);
			if (r->resolved_at > r->opened_at) {
				dur = xreallocarray(dur, ndur + 1, sizeof(*dur));
				dur[ndur++] = r->resolved_at - r->opened_at;
			}
			for (int k = 0; k < 4; k++)
				flags[k] += r->flags[k];
		}
	}

	sb_adds(&t, "\nSummary\n");
	sb_adds(&h, "<table role=\"presentation\" cellpadding=\"0\" "
	    "cellspacing=\"0\" style=\"border-collapse:collapse;font-size:14px\">\n");
	{
		struct { const char *name; size_t v; const char *note; } rows[] = {
			{ "Open cases", open, "" },
			{ "Overdue", overdue, "" },
			{ "Paused", paused, "" },
			{ "Opened in the period", (size_t)g.opened[0],
			    trend(g.opened[0], g.opened[1], tr, sizeof(tr)) },
		};

		for (size_t i = 0; i < 4; i++) {
			sb_addf(&t, "  %-24s %5zu  %s\n", rows[i].name, rows[i].v,
			    rows[i].note);
			snprintf(buf, sizeof(buf), "%zu", rows[i].v);
			sb_adds(&h, "<tr>");
			td(&h, rows[i].name, "font-weight:bold");
			td(&h, buf, "text-align:right");
			td(&h, rows[i].note, "color:#555");
			sb_adds(&h, "</tr>\n");
		}
		trend(g.escalated[0], g.escalated[1], tr, sizeof(tr));
		sb_addf(&t, "  %-24s %5d  %s\n", "Escalated in the period",
		    g.escalated[0], tr);
		snprintf(buf, sizeof(buf), "%d", g.escalated[0]);
		sb_adds(&h, "<tr>");
		td(&h, "Escalated in the period", "font-weight:bold");
		td(&h, buf, "text-align:right");
		td(&h, tr, "color:#555");
		sb_adds(&h, "</tr>\n");
		trend(g.resolved[0], g.resolved[1], tr, sizeof(tr));
		sb_addf(&t, "  %-24s %5d  %s\n", "Resolved in the period",
		    g.resolved[0], tr);
		snprintf(buf, sizeof(buf), "%d", g.resolved[0]);
		sb_adds(&h, "<tr>");
		td(&h, "Resolved in the period", "font-weight:bold");
		td(&h, buf, "text-align:right");
		td(&h, tr, "color:#555");
		sb_adds(&h, "</tr>\n</table>\n");
	}

	/* Open cases, overdue first, with who has been chased. */
	sb_adds(&t, "\nOpen cases (overdue first)\n");
	sb_adds(&h, "<h2 style=\"font-size:16px;color:#1f3864;margin:20px 0 6px\">"
	    "Open cases (overdue first)</h2>\n<table cellpadding=\"0\" "
	    "cellspacing=\"0\" style=\"border-collapse:collapse;font-size:13px\">\n");
	{
		static const char *const cols[] = { "Case", "Protocol", "Stage",
		    "Age (working days)", "Due", "Status", "Chased", NULL };

		th_row(&h, cols);
	}
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < g.n; i++) {
			struct rcase *r = &g.c[i];
			int od = r->status == CASE_OPEN && r->due_at < now;

			if (r->status != CASE_RESOLVED && listed >= MAX_LISTED &&
			    ((pass == 0 && od) || (pass == 1 && !od &&
			    r->status != CASE_PAUSED) || (pass == 2 &&
			    r->status == CASE_PAUSED))) {
				unlisted++;
				continue;
			}
			struct strbuf who = { 0 };
			struct chased ch = { &who, 0 };
			const char *st;
			char age[16], stage[16];

			if (r->status == CASE_RESOLVED ||
			    (pass == 0 && !od) || (pass == 1 && (od ||
			    r->status == CASE_PAUSED)) ||
			    (pass == 2 && r->status != CASE_PAUSED))
				continue;
			st = od ? "OVERDUE" : r->status == CASE_PAUSED ? "paused" :
			    "on time";
			calendar_format_iso(r->due_at, due, sizeof(due));
			snprintf(age, sizeof(age), "%d",
			    calendar_working_days_between(e->cal, r->opened_at, now));
			snprintf(stage, sizeof(stage), "%d", r->stage);
			if (od)
				store_report_chased(e->store, r->id, add_chased, &ch);
			sb_addf(&t, "  %-15s %-9s stage %-2s age %-4s due %.16s %s%s%s%s\n",
			    r->ref, r->protocol, stage, age, due, st,
			    r->urgent ? " URGENT" : "", ch.n ? " chased: " : "",
			    ch.n ? who.buf : "");
			sb_adds(&h, "<tr>");
			td(&h, r->ref, "font-weight:bold");
			td(&h, r->protocol, NULL);
			td(&h, stage, "text-align:center");
			td(&h, age, "text-align:right");
			snprintf(buf2, sizeof(buf2), "%.16s", due);
			td(&h, buf2, NULL);
			td(&h, r->urgent ? (od ? "OVERDUE, URGENT" : "urgent") : st,
			    od ? "color:#c00000;font-weight:bold" : NULL);
			td(&h, ch.n ? who.buf : "", "font-size:12px");
			sb_adds(&h, "</tr>\n");
			sb_reset(&who);
			listed++;
		}
	}
	if (unlisted > 0) {
		/* A report a person reads: the most pressing first, the rest
		 * in the CSV. */
		sb_addf(&t, "  ... and %zu more open cases, in the attached CSV\n",
		    unlisted);
		sb_addf(&h, "<tr><td colspan=\"7\" style=\"padding:4px;color:#555\">"
		    "... and %zu more open cases, in the attached CSV</td></tr>\n",
		    unlisted);
	}
	if (open == 0) {
		sb_adds(&t, "  none\n");
		sb_adds(&h, "<tr><td colspan=\"7\" style=\"padding:4px;color:#666\">"
		    "none</td></tr>\n");
	}
	sb_adds(&h, "</table>\n");

	bar_table(&h, &t, "Open cases by protocol and stage", bystage, nbystage);
	bar_table(&h, &t, "Resolved in the period, by level", levels, nlevels);
	if (ndur > 0) {
		qsort(dur, ndur, sizeof(*dur), cmp_time);
		snprintf(buf, sizeof(buf), "Time to resolution: median %.1f days, "
		    "longest %.1f days (%zu case%s)",
		    (ndur % 2 ? (double)dur[ndur / 2] :
		    ((double)dur[ndur / 2 - 1] + (double)dur[ndur / 2]) / 2) / 86400.0,
		    (double)dur[ndur - 1] / 86400.0, ndur, ndur == 1 ? "" : "s");
	} else
		snprintf(buf, sizeof(buf), "Time to resolution: no case resolved "
		    "after being tracked in the period");
	sb_addf(&t, "\n%s\n", buf);
	sb_adds(&h, "<p style=\"font-size:13px\">");
	html_esc(&h, buf);
	sb_adds(&h, "</p>\n");
	bar_table(&h, &t, "Opened in the period, by raising agency", raising,
	    nraising);
	bar_table(&h, &t, "Opened in the period, by receiving agency", receiving,
	    nreceiving);
	bar_table(&h, &t, "Themes of the cases opened in the period", themes,
	    nthemes);

	/* Lessons learned and the yes/no flags of resolution forms. */
	{
		struct count *fc = NULL;
		size_t nfc = 0;

		for (int k = 0; k < 4; k++)
			for (int j = 0; j < flags[k]; j++)
				count_add(&fc, &nfc, flag_names[k]);
		bar_table(&h, &t, "Resolution forms of the period: lessons and needs",
		    fc, nfc);
		counts_free(fc, nfc);
	}
	{
		int any = 0;

		for (size_t i = 0; i < g.n; i++) {
			struct rcase *r = &g.c[i];

			if (r->lessons == NULL || r->status != CASE_RESOLVED ||
			    r->resolved_at < start)
				continue;
			if (!any++) {
				sb_adds(&t, "\nLessons learned\n");
				sb_adds(&h, "<h2 style=\"font-size:16px;color:#1f3864;"
				    "margin:20px 0 6px\">Lessons learned</h2>\n<ul "
				    "style=\"font-size:13px\">\n");
			}
			sb_addf(&t, "  %s: %s\n", r->ref, r->lessons);
			sb_adds(&h, "<li><b>");
			html_esc(&h, r->ref);
			sb_adds(&h, "</b>: ");
			html_esc(&h, r->lessons);
			sb_adds(&h, "</li>\n");
		}
		if (any)
			sb_adds(&h, "</ul>\n");
	}

	/* Paused cases and why. */
	if (paused > 0) {
		sb_adds(&t, "\nPaused cases\n");
		sb_adds(&h, "<h2 style=\"font-size:16px;color:#1f3864;margin:20px 0 "
		    "6px\">Paused cases</h2>\n<ul style=\"font-size:13px\">\n");
		for (size_t i = 0; i < g.n; i++) {
			char *why = NULL;

			if (g.c[i].status != CASE_PAUSED)
				continue;
			store_events_each(e->store, g.c[i].id, last_pause, &why);
			sb_addf(&t, "  %s: %s\n", g.c[i].ref, why ? why : "");
			sb_adds(&h, "<li><b>");
			html_esc(&h, g.c[i].ref);
			sb_adds(&h, "</b>: ");
			html_esc(&h, why ? why : "");
			sb_adds(&h, "</li>\n");
			free(why);
		}
		sb_adds(&h, "</ul>\n");
	}

	/* Contacts whose emails bounced; forms rejected and why. */
	sb_adds(&t, "\nContacts whose emails were refused\n");
	sb_adds(&h, "<h2 style=\"font-size:16px;color:#1f3864;margin:20px 0 6px\">"
	    "Contacts whose emails were refused</h2>\n<table cellpadding=\"0\" "
	    "cellspacing=\"0\" style=\"border-collapse:collapse;font-size:13px\">\n");
	rj.t = &t;
	rj.h = &h;
	rj.n = 0;
	if (store_report_failed(e->store, start, end, add_failed, &rj) == -1)
		goto done;
	for (size_t i = 0; i < ev.nbounced; i++) {
		char err[64];

		snprintf(err, sizeof(err), "bounced %d time%s", ev.bounced[i].n,
		    ev.bounced[i].n == 1 ? "" : "s");
		add_failed(ev.bounced[i].name, ev.bounced[i].n, err, &rj);
	}
	if (rj.n == 0) {
		sb_adds(&t, "  none\n");
		sb_adds(&h, "<tr><td style=\"color:#666\">none</td></tr>\n");
	}
	sb_adds(&h, "</table>\n");
	sb_adds(&t, "\nEmails rejected or refused, and why\n");
	sb_adds(&h, "<h2 style=\"font-size:16px;color:#1f3864;margin:20px 0 6px\">"
	    "Emails rejected or refused, and why</h2>\n<table cellpadding=\"0\" "
	    "cellspacing=\"0\" style=\"border-collapse:collapse;font-size:13px\">\n");
	rj.n = 0;
	if (store_report_rejections(e->store, start, end, add_rejection, &rj) == -1)
		goto done;
	if (rj.n == 0) {
		sb_adds(&t, "  none\n");
		sb_adds(&h, "<tr><td style=\"color:#666\">none</td></tr>\n");
	}
	sb_adds(&h, "</table>\n<p style=\"font-size:11px;color:#777;margin-top:24px\">"
	    "Written by escbot from its own records. The attached CSV lists the "
	    "period's cases for analysis.</p>\n</body></html>\n");
	sb_adds(&t, "\nThe attached CSV lists the period's cases.\n");

	/* CSV: the cases open at some point in the period. */
	sb_adds(&csv, "ref,protocol,form,stage,status,urgent,opened_at,due_at,"
	    "resolved_at,resolved_level,raising_agency,receiving_agencies,themes\r\n");
	for (size_t i = 0; i < g.n; i++) {
		struct rcase *r = &g.c[i];
		struct strbuf tl = { 0 };
		char o[64] = "", dd[64] = "", rs[64] = "", n[16];

		if (r->status == CASE_RESOLVED && r->resolved_at < start)
			continue;
		calendar_format_iso(r->opened_at, o, sizeof(o));
		calendar_format_iso(r->due_at, dd, sizeof(dd));
		if (r->status == CASE_RESOLVED)
			calendar_format_iso(r->resolved_at, rs, sizeof(rs));
		for (size_t k = 0; k < th->n; k++)
			if (r->themes & (1u << k)) {
				if (tl.len)
					sb_adds(&tl, "; ");
				sb_adds(&tl, th->t[k].name);
			}
		csv_field(&csv, r->ref);
		sb_addc(&csv, ',');
		csv_field(&csv, r->protocol);
		sb_addc(&csv, ',');
		csv_field(&csv, r->form);
		snprintf(n, sizeof(n), ",%d,", r->stage);
		sb_adds(&csv, n);
		csv_field(&csv, case_status_name(r->status));
		sb_adds(&csv, r->urgent ? ",yes," : ",no,");
		csv_field(&csv, o);
		sb_addc(&csv, ',');
		csv_field(&csv, dd);
		sb_addc(&csv, ',');
		csv_field(&csv, rs);
		snprintf(n, sizeof(n), ",%d,", r->status == CASE_RESOLVED ?
		    r->resolved_level : 0);
		sb_adds(&csv, n);
		csv_field(&csv, r->raising);
		sb_addc(&csv, ',');
		csv_field(&csv, r->agencies);
		sb_addc(&csv, ',');
		csv_field(&csv, tl.buf ? tl.buf : "");
		sb_adds(&csv, "\r\n");
		sb_reset(&tl);
	}
	out->text = sb_steal(&t);
	out->html = sb_steal(&h);
	out->csv = sb_steal(&csv);
	rc = 0;
done:
	sb_reset(&t);
	sb_reset(&h);
	sb_reset(&csv);
	counts_free(bystage, nbystage);
	counts_free(raising, nraising);
	counts_free(receiving, nreceiving);
	counts_free(levels, nlevels);
	counts_free(themes, nthemes);
	counts_free(ev.bounced, ev.nbounced);
	free(dur);
	for (size_t i = 0; i < g.n; i++) {
		free(g.c[i].ref);
		free(g.c[i].protocol);
		free(g.c[i].form);
		free(g.c[i].stage_name);
		free(g.c[i].raising);
		free(g.c[i].agencies);
		free(g.c[i].lessons);
	}
	free(g.c);
	if (rc == -1)
		digest_free(out);
	return rc;
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

/* Recipients: the configured list, or the partnership's board inbox. */
static char **
recipients(struct escbot *e, size_t *n)
{
	const struct dir_role *r;
	char **l;

	if (e->cfg->digest.nrecipients > 0) {
		*n = e->cfg->digest.nrecipients;
		l = xcalloc(*n + 1, sizeof(char *));
		for (size_t i = 0; i < *n; i++)
			l[i] = xstrdup(e->cfg->digest.recipients[i]);
		return l;
	}
	r = directory_role(e->dir, NULL, "board_inbox");
	*n = r ? r->ncontacts : 0;
	l = xcalloc(*n + 1, sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		l[i] = xstrdup(r->contacts[i]);
	return l;
}

int
digest_queue(struct escbot *e, const struct themes *th, enum digest_period p,
    int force)
{
	struct digest d;
	struct outgoing o;
	struct attachment_out att;
	char label[128], key[64], fname[96], *token, *msgid, *data, **to, **env;
	time_t start, end, now = escbot_now(e);
	size_t n, nenv = 0;
	int rc = -1;

	digest_period(p, now, &start, &end, label, sizeof(label), key, sizeof(key));
	token = force ? xasprintf("digest/%s/%lld", key, (long long)now) :
	    xasprintf("digest/%s", key);
	if (!force && store_outbox_has(e->store, token) == 1) {
		free(token);
		return 0;
	}
	to = recipients(e, &n);
	if (n == 0) {
		log_warnx("digest %s: no recipients (set digest.recipients or a "
		    "board_inbox in the directory)", key);
		cfg_strings_free(to);
		free(token);
		return 0;
	}
	if (digest_build(e, th, p, start, end, label, &d) == -1) {
		cfg_strings_free(to);
		free(token);
		return -1;
	}
	snprintf(fname, sizeof(fname), "escbot-%s.csv", key);
	att.filename = fname;
	att.content_type = "text/csv; charset=UTF-8";
	att.data = d.csv;
	att.len = strlen(d.csv);
	msgid = mailer_message_id(token, e->cfg->smtp.from_addr);
	memset(&o, 0, sizeof(o));
	o.from = e->cfg->smtp.from;
	o.to = (const char *const *)to;
	o.nto = n;
	o.subject = d.subject;
	o.text = d.text;
	o.html = d.html;
	o.message_id = msgid;
	o.date = now;
	o.attachments = &att;
	o.nattachments = 1;
	data = mailer_compose(&o);
	env = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		if ((env[nenv] = config_addr_spec(to[i])) != NULL)
			nenv++;
	if (store_begin(e->store) == 0 &&
	    store_outbox_add(e->store, token, 0, "digest", msgid, data,
	    (const char *const *)env, nenv, calendar_next_working_time(e->cal,
	    now), now) >= 0 && store_commit(e->store) == 0) {
		log_info("digest %s queued for %zu recipient%s", key, nenv,
		    nenv == 1 ? "" : "s");
		rc = 1;
	} else
		store_rollback(e->store);
	cfg_strings_free(env);
	cfg_strings_free(to);
	free(data);
	free(msgid);
	free(token);
	digest_free(&d);
	return rc;
}

int
digest_queue_due(struct escbot *e, const struct themes *th)
{
	const int on[] = { e->cfg->digest.week, e->cfg->digest.quarter,
	    e->cfg->digest.half_year };
	int queued = 0, r;

	time_t start, end, born = -1;
	char label[128], key[64], token[96];

	for (int p = DIGEST_WEEK; p <= DIGEST_HALF_YEAR; p++) {
		if (!on[p])
			continue;
		/* Already queued: the common case, answered by an index. */
		digest_period((enum digest_period)p, escbot_now(e), &start, &end,
		    label, sizeof(label), key, sizeof(key));
		snprintf(token, sizeof(token), "digest/%s", key);
		if (store_outbox_has(e->store, token) == 1)
			continue;
		if (born == -1)
			born = store_created_at(e->store);
		/* A period that ended before escbot first did anything has
		 * nothing to report: a new installation does not mail the
		 * board three empty reports. */
		if (born == 0 || end <= born)
			continue;
		if ((r = digest_queue(e, th, (enum digest_period)p, 0)) == -1)
			return -1;
		queued += r;
	}
	return queued;
}
