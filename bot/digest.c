/*
 * digest: the figures are counted by SQLite (store_report_counts() and
 * store_report_rows(): a few rows per table whatever the number of
 * cases; working days through the calendar registered as an SQL
 * function); listings of cases stop at MAX_LISTED with a count of the
 * rest; the CSV is streamed from the store, kept in memory up to the
 * attachment limit (digest.csv_attachment_max) and past it written to a
 * file beside the database that the report names.  Personal fields are
 * never reported: the store hands out only fields not marked personal,
 * and free text (lessons learned, pause reasons, rejection reasons,
 * delivery errors) goes through scrub_text() with the case's own personal
 * values before it is written.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

#define MAX_LISTED	200	/* cases (actions, lessons) a listing shows */

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

/* --- figures ------------------------------------------------------ */

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


static void
count_addn(struct counts *cs, const char *name, int n)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].name, name) == 0) {
			cs->c[i].n += n;
			return;
		}
	cs->c = xreallocarray(cs->c, cs->n + 1, sizeof(*cs->c));
	cs->c[cs->n].name = xstrdup(name);
	cs->c[cs->n++].n = n;
}

/* Working days at one stage (stage_idx >= 0), to resolution (-1) or
 * paused so far (-2), of one protocol. */
struct dur {
	char	 protocol[32];
	int	 k, n, longest;
	double	 median;
};

/* One report in the making: its query, the figures SQLite counted, and
 * the parts being written.  The CSV is kept in memory up to the
 * attachment limit, then goes to a file (csv_path). */
struct report {
	struct escbot		*e;
	const struct themes	*th;
	const struct protocol	*p;	/* NULL: every protocol */
	time_t			 start, end;
	const char		*key;	/* the span's, for the CSV's name */
	struct report_q		 q;
	struct report_counts	 k;
	struct dur		*dur;
	size_t			 ndur;
	struct counts		 raising;	/* agencies that raised cases */
	struct {
		size_t		 theme;
		char		*word;		/* in lower case */
	}			*kw;
	size_t			 nkw;
	int			 theme_n[32];	/* cases opened in the period */
	struct strbuf		 low;		/* a case's answers, lower case */
	struct strbuf		 t, h, csv;
	size_t			 csv_len;	/* bytes of CSV in all */
	FILE			*csvf;
	char			*csv_path;
	int			 csv_err;
};

/* --- writing -------------------------------------------------------- */

#define H2	"<h2 style=\"font-size:16px;color:#1f3864;margin:20px 0 6px\">"
#define TABLE	"<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" " \
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
	sb_adds(h, "<table role=\"presentation\" width=\"720\" cellpadding=\"3\" "
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
		    "<td width=\"250\"><table role=\"presentation\" width=\"%d\" "
		    "cellpadding=\"0\" cellspacing=\"0\">"
		    "<tr><td width=\"%d\" height=\"12\" bgcolor=\"#2e75b6\" "
		    "style=\"background:#2e75b6;width:%dpx;height:12px;font-size:1px\">"
		    "&nbsp;</td></tr></table></td></tr>\n", c->n, w ? w : 1,
		    w ? w : 1, w ? w : 1);
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

/* Working days of a median: whole, or a half. */
static void
days_words(double d, char *buf, size_t len)
{
	if (d == (double)(long)d)
		snprintf(buf, len, "%ld working day%s", (long)d, d == 1 ? "" : "s");
	else
		snprintf(buf, len, "%.1f working days", d);
}

/* The agency with this id: in the report's protocol's partnership, or
 * (a report of every protocol) the first partnership that has it. */
static const struct dir_agency *
agency_by_id(const struct report *r, const char *id)
{
	const struct dir_agency *a = NULL;

	if (r->p != NULL && r->p->dir != NULL)
		return directory_agency_by_id(r->p->dir, id);
	for (const struct directory *d = r->e->dir; d && !a; d = d->next)
		a = directory_agency_by_id(d, id);
	return a;
}

/* The directory a report's names are read against: its protocol's
 * partnership, else the first. */
static const struct directory *
report_dir(const struct report *r)
{
	return r->p != NULL && r->p->dir != NULL ? r->p->dir : r->e->dir;
}

/* Names of the directory agencies with ids in `ids` (comma-separated),
 * other than `skip`, as "A; B" (the caller frees). */
static char *
agency_names(const struct report *r, const char *ids,
    const struct dir_agency *skip)
{
	struct strbuf sb = { 0 };
	char *l = xstrdup(ids ? ids : ""), *tok, *save = NULL;

	for (tok = strtok_r(l, ",", &save); tok; tok = strtok_r(NULL, ",",
	    &save)) {
		const struct dir_agency *x = agency_by_id(r, str_trim(tok));

		if (x == NULL || x == skip)
			continue;
		if (sb.len)
			sb_adds(&sb, "; ");
		sb_adds(&sb, x->name);
	}
	free(l);
	return sb_steal(&sb);
}

/* The agency an address (or a bare domain) belongs to, or NULL. */
static const struct dir_agency *
raiser(const struct report *r, const char *addr_or_domain)
{
	char buf[320];

	if (addr_or_domain == NULL || *addr_or_domain == '\0')
		return NULL;
	if (strchr(addr_or_domain, '@') == NULL) {
		snprintf(buf, sizeof(buf), "x@%s", addr_or_domain);
		addr_or_domain = buf;
	}
	if (r->p != NULL && r->p->dir != NULL)
		return directory_agency_by_email(r->p->dir, addr_or_domain);
	return directory_set_agency_by_email(r->e->dir, addr_or_domain);
}

/* A case's raising agency: the one it recorded, else the agency of its
 * raiser's address or domain (a case from before they were recorded). */
static const struct dir_agency *
raising_of(const struct report *r, const struct report_row *row,
    const char *addr_or_domain)
{
	if (row->raising != NULL && *row->raising != '\0')
		return agency_by_id(r, row->raising);
	return raiser(r, addr_or_domain);
}

/* The stage at index idx of protocol id: its number and name. */
static const struct stage_def *
stage_of(const struct report *r, const char *protocol, int idx)
{
	const struct protocol *p = rules_protocol(r->e->rules, protocol);

	if (p == NULL || idx < 0 || (size_t)idx >= p->nstages)
		return NULL;
	return &p->stages[idx];
}

static void
write_summary(struct report *r)
{
	const struct report_counts *k = &r->k;
	char tr[96], note[160];

	sb_adds(&r->t, "\nSummary\n");
	sb_adds(&r->h, "<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" "
	    "style=\"border-collapse:collapse;font-size:14px\">\n");
	summary_row(r, "Open cases", k->open, "");
	summary_row(r, "Overdue", k->overdue, "");
	summary_row(r, "Paused", k->paused, "");
	summary_row(r, "Opened in the period", k->opened[0],
	    trend(k->opened[0], k->opened[1], tr, sizeof(tr)));
	summary_row(r, "Escalated in the period", k->escalated[0],
	    trend(k->escalated[0], k->escalated[1], tr, sizeof(tr)));
	summary_row(r, "Resolved in the period", k->resolved[0],
	    trend(k->resolved[0], k->resolved[1], tr, sizeof(tr)));
	if (k->tracked > 0)
		snprintf(note, sizeof(note), "of %d resolved after being "
		    "tracked (%d%%): by the deadline of the stage they were at",
		    k->tracked, (k->within * 100 + k->tracked / 2) / k->tracked);
	else
		snprintf(note, sizeof(note), "no case resolved after being "
		    "tracked");
	summary_row(r, "Resolved in time", k->within, note);
	sb_adds(&r->h, "</table>\n");
}

/* --- the month-by-month trend --------------------------------------- */

#define TREND_MONTHS	12
#define TREND_BAR	110	/* pixels of the longest bar */

static const char *const trend_colour[] = { "#2e75b6", "#c55a11",
    "#548235" };

/* The figures of the trend's months, the first at index 0. */
struct trend {
	int	first;		/* London month: year * 12 + month 0-11 */
	int	v[TREND_MONTHS][4];	/* opened, escalated, resolved,
					   in time */
};

static int
add_month(const struct report_row *row, void *arg)
{
	struct trend *t = arg;
	int i = row->num - t->first;

	if (i >= 0 && i < TREND_MONTHS) {
		t->v[i][0] = row->opened;
		t->v[i][1] = row->escalated;
		t->v[i][2] = row->resolved;
		t->v[i][3] = row->within;
	}
	return 0;
}

/* A bar of n of max, drawn as a table cell with its colour and width
 * (what Outlook's Word engine draws), and the number beside it. */
static void
trend_bar(struct strbuf *h, int n, int max, const char *colour)
{
	int w = max > 0 ? (n * TREND_BAR + max / 2) / max : 0;

	sb_addf(h, "<td width=\"%d\" style=\"border:1px solid #d9d9d9;"
	    "padding:3px 6px\"><table role=\"presentation\" width=\"%d\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>",
	    TREND_BAR + 46, TREND_BAR + 40);
	if (n > 0)
		sb_addf(h, "<td width=\"%d\" height=\"12\" bgcolor=\"%s\" "
		    "style=\"width:%dpx;height:12px;background:%s;font-size:1px;"
		    "line-height:1px\">&nbsp;</td>", w ? w : 1, colour,
		    w ? w : 1, colour);
	sb_addf(h, "<td style=\"padding-left:4px;font-size:12px\">%d</td>"
	    "<td>&nbsp;</td></tr></table></td>", n);
}

/* Cases opened, escalated and resolved in each of the last twelve
 * calendar months to the end of the period (the last one so far when
 * the period ends within it), counted by SQLite in one query: a chart of
 * bars in table cells in the HTML, with the numbers beside them and a
 * sentence that says the same, and a small table in the text. */
static int
write_trend(struct report *r)
{
	static const char *const cols[] = { "Month", "Opened", "Escalated",
	    "Resolved", "Resolved in time", NULL };
	struct strbuf *h = &r->h;
	struct trend t;
	struct tm tm;
	time_t mend;
	int last, max = 0, sum[4] = { 0, 0, 0, 0 }, busy = -1;
	char to[48], partial[64] = "", month[96], tail[256];

	memset(&t, 0, sizeof(t));
	calendar_utc_to_london(r->end - 1, &tm);
	last = (tm.tm_year + 1900) * 12 + tm.tm_mon;
	t.first = last - (TREND_MONTHS - 1);
	r->q.mstart = calendar_london_to_utc(t.first / 12, t.first % 12 + 1,
	    1, 0, 0, 0);
	if (store_report_rows(r->e->store, REPORT_MONTHS, &r->q, add_month,
	    &t) == -1)
		return -1;
	mend = calendar_london_to_utc((last + 1) / 12, (last + 1) % 12 + 1, 1,
	    0, 0, 0);
	day_words(r->end - 1, to, sizeof(to));
	if (r->end < mend)
		snprintf(partial, sizeof(partial), " (to %d %.3s)", tm.tm_mday,
		    month_names[tm.tm_mon]);
	for (int i = 0; i < TREND_MONTHS; i++)
		for (int k = 0; k < 4; k++) {
			sum[k] += t.v[i][k];
			if (k < 3 && t.v[i][k] > max)
				max = t.v[i][k];
			if (k == 0 && t.v[i][0] > 0 && (busy < 0 ||
			    t.v[i][0] > t.v[busy][0]))
				busy = i;
		}

	heading(r, "Month by month: the last twelve months");
	snprintf(tail, sizeof(tail), "Cases opened, escalated (moved up a "
	    "level) and resolved in each calendar month, to %s; resolved in "
	    "time: by the deadline of the stage they were at.", to);
	sb_addf(&r->t, "  %s\n\n  %-20s %6s %9s %8s %8s\n", tail, "Month",
	    "Opened", "Escalated", "Resolved", "In time");
	sb_adds(h, "<p style=\"font-size:13px;margin:0 0 6px\">");
	html_esc(h, tail);
	sb_adds(h, "</p>\n<table width=\"100%\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\" summary=\"Cases opened, escalated "
	    "and resolved by month\" style=\"border-collapse:collapse;"
	    "font-size:13px\">\n<tr>");
	for (int k = 0; cols[k]; k++) {
		sb_addf(h, "<th align=\"left\" style=\"text-align:left;"
		    "background:#dde7f3;border:1px solid #b4c6e7;padding:4px 6px\">");
		if (k >= 1 && k <= 3)
			sb_addf(h, "<font color=\"%s\">&#9632;</font> ",
			    trend_colour[k - 1]);
		html_esc(h, cols[k]);
		sb_adds(h, "</th>");
	}
	sb_adds(h, "</tr>\n");
	for (int i = 0; i < TREND_MONTHS; i++) {
		int m = t.first + i;

		snprintf(month, sizeof(month), "%.3s %d%s", month_names[m % 12],
		    m / 12, i == TREND_MONTHS - 1 ? partial : "");
		sb_addf(&r->t, "  %-20s %6d %9d %8d %8d\n", month, t.v[i][0],
		    t.v[i][1], t.v[i][2], t.v[i][3]);
		sb_adds(h, "<tr>");
		td(h, month, "white-space:nowrap");
		for (int k = 0; k < 3; k++)
			trend_bar(h, t.v[i][k], max, trend_colour[k]);
		snprintf(month, sizeof(month), "%d", t.v[i][3]);
		td(h, month, "text-align:right");
		sb_adds(h, "</tr>\n");
	}
	sb_adds(h, "</table>\n");
	/* The chart in words, for a reader who cannot see the bars. */
	if (busy >= 0)
		snprintf(month, sizeof(month), "%.3s %d",
		    month_names[(t.first + busy) % 12], (t.first + busy) / 12);
	snprintf(tail, sizeof(tail), "In the twelve months: %d opened, %d "
	    "escalated, %d resolved (%d in time)%s%s%s", sum[0], sum[1],
	    sum[2], sum[3], busy >= 0 ? "; most opened in " : "",
	    busy >= 0 ? month : "", ".");
	sb_addf(&r->t, "  %s\n", tail);
	sb_adds(h, "<p style=\"font-size:13px;margin:6px 0 0\">");
	html_esc(h, tail);
	sb_adds(h, "</p>\n");
	return 0;
}

/* One open case: the agencies that hold it and how late it is. */
static int
open_case_row(const struct report_row *c, void *arg)
{
	struct report *r = arg;
	struct strbuf *h = &r->h;
	const struct stage_def *sd = stage_of(r, c->protocol, c->stage_idx);
	int od = c->num == 0 ? calendar_working_days_between(r->e->cal,
	    c->due_at, r->end) : -1;
	const char *st = od >= 0 ? "OVERDUE" : c->num == 2 ? "paused" :
	    "on time";
	char due[64] = "", age[16], stage[16], late[16] = "", *ag;

	if (c->num != 2)
		excel_time(c->due_at, due, sizeof(due));
	snprintf(age, sizeof(age), "%d",
	    calendar_working_days_between(r->e->cal, c->opened_at, r->end));
	snprintf(stage, sizeof(stage), "%d", sd ? sd->number : 0);
	if (od >= 0)
		snprintf(late, sizeof(late), "%d", od);
	ag = agency_names(r, c->agencies, raising_of(r, c, c->raised_by));
	sb_addf(&r->t, "  %-15s %-9s stage %-2s open %-3s working days, due "
	    "%-16s %s%s%s%s%s", c->ref, c->protocol, stage, age,
	    *due ? due : "-", st, od >= 0 ? " by " : "", late,
	    od < 0 ? "" : od == 1 ? " working day" : " working days",
	    c->urgent ? " URGENT" : "");
	sb_addf(&r->t, "%s%s\n", *ag ? "; agencies: " : "", ag);
	sb_adds(h, "<tr>");
	td(h, c->ref, "font-weight:bold");
	td(h, c->protocol, NULL);
	td(h, stage, "text-align:center");
	td(h, age, "text-align:right");
	td(h, due, NULL);
	td(h, c->urgent ? (od >= 0 ? "OVERDUE, URGENT" : "urgent") : st,
	    od >= 0 ? "color:#c00000;font-weight:bold" : NULL);
	td(h, late, "text-align:right");
	td(h, ag, "font-size:12px");
	sb_adds(h, "</tr>\n");
	free(ag);
	return 0;
}

/* A listing's last line: how many more there are than it shows. */
static void
more_row(struct report *r, int more, const char *where, int cols)
{
	if (more <= 0)
		return;
	sb_addf(&r->t, "  ... and %d more%s\n", more, where);
	if (cols > 0)
		sb_addf(&r->h, "<tr><td colspan=\"%d\" style=\"padding:4px;"
		    "color:#555\">... and %d more%s</td></tr>\n", cols, more,
		    where);
	else
		sb_addf(&r->h, "<li style=\"color:#555\">... and %d more%s</li>\n",
		    more, where);
}

static int
write_open_cases(struct report *r)
{
	static const char *const cols[] = { "Case", "Protocol", "Stage",
	    "Working days open", "Due", "Status", "Working days overdue",
	    "Agencies involved", NULL };

	heading(r, "Open cases (overdue first)");
	sb_adds(&r->h, TABLE);
	th_row(&r->h, cols);
	r->q.max = MAX_LISTED;
	if (store_report_rows(r->e->store, REPORT_OPEN, &r->q, open_case_row,
	    r) == -1)
		return -1;
	/* A report a person reads: the most pressing first, the rest in
	 * the CSV. */
	more_row(r, r->k.open - MAX_LISTED, " open cases, in the CSV", 8);
	if (r->k.open == 0) {
		sb_adds(&r->t, "  none\n");
		sb_adds(&r->h, "<tr><td colspan=\"8\" style=\"padding:4px;"
		    "color:#666\">none</td></tr>\n");
	}
	sb_adds(&r->h, "</table>\n");
	return 0;
}

static int
add_stage(const struct report_row *row, void *arg)
{
	struct report *r = ((void **)arg)[0];
	struct counts *cs = ((void **)arg)[1];
	const struct stage_def *sd = stage_of(r, row->protocol, row->stage_idx);
	char buf[200];

	snprintf(buf, sizeof(buf), "%s stage %d: %s", row->protocol,
	    sd ? sd->number : row->stage_idx + 1, sd ? sd->name : "");
	count_addn(cs, buf, row->n);
	return 0;
}

static int
add_level(const struct report_row *row, void *arg)
{
	struct report *r = ((void **)arg)[0];
	struct counts *cs = ((void **)arg)[1];
	const struct protocol *p = rules_protocol(r->e->rules, row->protocol);
	int i = p ? rules_stage_index(p, row->level) : -1;
	char buf[200];

	/* "wsab level 2: Managers": the level by name, in level order. */
	snprintf(buf, sizeof(buf), "%s level %d%s%s", row->protocol,
	    row->level, i >= 0 ? ": " : "", i >= 0 ? p->stages[i].name : "");
	count_addn(cs, buf, row->n);
	return 0;
}

/* Open cases by stage, resolved cases by level. */
static int
write_stages_levels(struct report *r)
{
	struct counts st = { NULL, 0 }, lv = { NULL, 0 };
	void *a[2] = { r, &st }, *b[2] = { r, &lv };
	int rc = -1;

	if (store_report_rows(r->e->store, REPORT_BY_STAGE, &r->q, add_stage,
	    a) == -1 || store_report_rows(r->e->store, REPORT_BY_LEVEL, &r->q,
	    add_level, b) == -1)
		goto fail;
	bar_table(r, "Open cases by protocol and stage", &st, 0);
	bar_table(r, "Resolved in the period, by level", &lv, 1);
	rc = 0;
fail:
	counts_free(&st);
	counts_free(&lv);
	return rc;
}

static int
add_dur(const struct report_row *row, void *arg)
{
	struct report *r = arg;
	struct dur *d;

	r->dur = xreallocarray(r->dur, r->ndur + 1, sizeof(*r->dur));
	d = &r->dur[r->ndur++];
	snprintf(d->protocol, sizeof(d->protocol), "%s", row->protocol);
	d->k = row->stage_idx;
	d->n = row->n;
	d->median = row->median;
	d->longest = row->days;
	return 0;
}

/* Working days to resolution (one line), then at each stage (a table). */
static void
write_durations(struct report *r)
{
	static const char *const cols[] = { "Stage", "Stages completed",
	    "Median working days", "Longest working days", NULL };
	char buf[200], med[48], lng[48], n[16];
	int res = 0, any = 0;

	for (size_t i = 0; i < r->ndur; i++) {
		const struct dur *d = &r->dur[i];

		if (d->k != -1)
			continue;
		days_words(d->median, med, sizeof(med));
		days_words(d->longest, lng, sizeof(lng));
		res += d->n;
		snprintf(buf, sizeof(buf), "Time to resolution: median %s, "
		    "longest %s (%d case%s)", med, lng, d->n, d->n == 1 ? "" :
		    "s");
		sb_addf(&r->t, "\n%s\n", buf);
		sb_adds(&r->h, "<p style=\"font-size:13px\">");
		html_esc(&r->h, buf);
		sb_adds(&r->h, "</p>\n");
	}
	if (res == 0) {
		snprintf(buf, sizeof(buf), "Time to resolution: no case resolved "
		    "after being tracked in the period");
		sb_addf(&r->t, "\n%s\n", buf);
		sb_adds(&r->h, "<p style=\"font-size:13px\">");
		html_esc(&r->h, buf);
		sb_adds(&r->h, "</p>\n");
	}
	heading(r, "Working days at each stage (stages completed in the period)");
	sb_adds(&r->h, TABLE);
	th_row(&r->h, cols);
	for (size_t i = 0; i < r->ndur; i++) {
		const struct dur *d = &r->dur[i];
		const struct stage_def *sd = stage_of(r, d->protocol, d->k);

		if (d->k < 0)
			continue;
		any++;
		snprintf(buf, sizeof(buf), "%s stage %d: %s", d->protocol,
		    sd ? sd->number : d->k + 1, sd ? sd->name : "");
		days_words(d->median, med, sizeof(med));
		snprintf(lng, sizeof(lng), "%d", d->longest);
		snprintf(n, sizeof(n), "%d", d->n);
		sb_addf(&r->t, "  %-48s %4d done, median %s, longest %s "
		    "working day%s\n", buf, d->n, med, lng,
		    d->longest == 1 ? "" : "s");
		sb_adds(&r->h, "<tr>");
		td(&r->h, buf, NULL);
		td(&r->h, n, "text-align:right");
		snprintf(med, sizeof(med), d->median == (double)(long)d->median ?
		    "%.0f" : "%.1f", d->median);
		td(&r->h, med, "text-align:right");
		td(&r->h, lng, "text-align:right");
		sb_adds(&r->h, "</tr>\n");
	}
	if (!any)
		none_row(r);
	sb_adds(&r->h, "</table>\n");
}

struct xtab {
	struct report	*r;
	struct counts	 pairs, receiving;
};

/* "Raiser\tReceiver" pairs: the raising agency of each case opened in
 * the period with each agency it was raised with. */
static int
add_agencies(const struct report_row *row, void *arg)
{
	struct xtab *x = arg;
	const struct dir_agency *a = raising_of(x->r, row, row->text);
	const char *rn = a ? a->name : "unknown";
	char *names = agency_names(x->r, row->agencies, a), *tok, *save = NULL;
	char buf[400];

	count_addn(&x->r->raising, rn, row->n);
	if (*names == '\0') {
		snprintf(buf, sizeof(buf), "%s\t(none named)", rn);
		count_addn(&x->pairs, buf, row->n);
	}
	for (tok = strtok_r(names, ";", &save); tok; tok = strtok_r(NULL, ";",
	    &save)) {
		snprintf(buf, sizeof(buf), "%s\t%s", rn, str_trim(tok));
		count_addn(&x->pairs, buf, row->n);
		count_addn(&x->receiving, str_trim(tok), row->n);
	}
	free(names);
	return 0;
}

static void
write_xtab(struct report *r, struct counts *pairs)
{
	static const char *const cols[] = { "Raising agency",
	    "Receiving agency", "Cases opened", NULL };
	char n[16];

	heading(r, "Raising and receiving agencies of the cases opened in the "
	    "period");
	sb_adds(&r->h, TABLE);
	th_row(&r->h, cols);
	if (pairs->n > 1)
		qsort(pairs->c, pairs->n, sizeof(*pairs->c), count_cmp);
	for (size_t i = 0; i < pairs->n; i++) {
		char *a = xstrdup(pairs->c[i].name), *b = strchr(a, '\t');

		*b++ = '\0';
		sb_addf(&r->t, "  %-40s -> %-40s %4d\n", a, b, pairs->c[i].n);
		snprintf(n, sizeof(n), "%d", pairs->c[i].n);
		sb_adds(&r->h, "<tr>");
		td(&r->h, a, NULL);
		td(&r->h, b, NULL);
		td(&r->h, n, "text-align:right");
		sb_adds(&r->h, "</tr>\n");
		free(a);
	}
	if (pairs->n == 0)
		none_row(r);
	sb_adds(&r->h, "</table>\n");
}

/* Agencies of the partnership (the protocol's `agencies`, else every
 * agency of its partnership's directory) that raised no case in the
 * period. */
static void
write_silent(struct report *r)
{
	const struct directory *dir = report_dir(r);
	size_t known = 0, n;
	int any = 0;

	/* The protocol's agencies that the directory knows, else all. */
	for (size_t i = 0; r->p && i < r->p->nagencies; i++)
		known += directory_agency_by_id(dir, r->p->agencies[i]) != NULL;
	n = known ? r->p->nagencies : dir->nagencies;
	heading(r, "Agencies that raised no escalation in the period");
	sb_adds(&r->h, UL);
	for (size_t i = 0; i < n; i++) {
		const struct dir_agency *a = known ?
		    directory_agency_by_id(dir, r->p->agencies[i]) :
		    &dir->agencies[i];
		size_t k;

		for (k = 0; a && k < r->raising.n; k++)
			if (strcmp(r->raising.c[k].name, a->name) == 0)
				break;
		if (a == NULL || k < r->raising.n)
			continue;
		any++;
		sb_addf(&r->t, "  %s\n", a->name);
		sb_adds(&r->h, "<li>");
		html_esc(&r->h, a->name);
		sb_adds(&r->h, "</li>\n");
	}
	if (!any) {
		sb_adds(&r->t, "  none: every agency raised at least one\n");
		sb_adds(&r->h, "<li style=\"color:#666\">none: every agency "
		    "raised at least one</li>\n");
	}
	sb_adds(&r->h, "</ul>\n");
}

static int
write_agencies(struct report *r)
{
	struct xtab x = { r, { NULL, 0 }, { NULL, 0 } };

	if (store_report_rows(r->e->store, REPORT_AGENCIES, &r->q,
	    add_agencies, &x) == -1) {
		counts_free(&x.pairs);
		counts_free(&x.receiving);
		return -1;
	}
	bar_table(r, "Opened in the period, by raising agency", &r->raising, 0);
	bar_table(r, "Opened in the period, by receiving agency", &x.receiving,
	    0);
	write_xtab(r, &x.pairs);
	write_silent(r);
	counts_free(&x.pairs);
	counts_free(&x.receiving);
	return 0;
}

/* The themes of the cases opened in the period, counted as the CSV's
 * rows went by. */
static void
write_themes(struct report *r)
{
	struct counts th = { NULL, 0 };

	for (size_t t = 0; t < r->th->n && t < 32; t++)
		if (r->theme_n[t] > 0)
			count_addn(&th, r->th->t[t].name, r->theme_n[t]);
	bar_table(r, "Themes of the cases opened in the period", &th, 0);
	counts_free(&th);
}

/* The themes' keywords in lower case, once per report. */
static void
keywords_prepare(struct report *r)
{
	for (size_t t = 0; r->th && t < r->th->n && t < 32; t++)
		for (size_t k = 0; k < r->th->t[t].nkeywords; k++) {
			char *kw = xstrdup(r->th->t[t].keywords[k]);

			if (*kw == '\0') {
				free(kw);
				continue;
			}
			for (char *c = kw; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			r->kw = xreallocarray(r->kw, r->nkw + 1, sizeof(*r->kw));
			r->kw[r->nkw].theme = t;
			r->kw[r->nkw++].word = kw;
		}
}

/* Bit per theme one of a case's answers (joined by \x1f, so no keyword
 * spans two) holds a keyword of, in any case (ASCII). */
static unsigned
case_themes(struct report *r, const char *answers)
{
	unsigned bits = 0;

	if (answers == NULL || r->nkw == 0)
		return 0;
	r->low.len = 0;
	for (const char *c = answers; *c; c++)
		sb_addc(&r->low, (char)tolower((unsigned char)*c));
	for (size_t i = 0; i < r->nkw; i++)
		if (!(bits & (1u << r->kw[i].theme)) &&
		    strstr(r->low.buf, r->kw[i].word) != NULL)
			bits |= 1u << r->kw[i].theme;
	return bits;
}

/* The yes / no flags of the period's resolution forms. */
static void
write_flags(struct report *r)
{
	static const char *const flag_names[] = { "Lessons learned",
	    "Staff training needed", "Protocol or procedure review",
	    "Inform the commissioner" };
	struct counts fc = { NULL, 0 };

	for (int k = 0; k < 4; k++)
		if (r->k.flags[k] > 0)
			count_addn(&fc, flag_names[k], r->k.flags[k]);
	bar_table(r, "Resolution forms of the period: lessons and needs", &fc, 0);
	counts_free(&fc);
}

struct listing {
	struct report	*r;
	int		 n, total;
};

static int
add_lesson(const struct report_row *row, void *arg)
{
	struct listing *l = arg;
	char *safe;

	if (l->n++ == 0) {
		heading(l->r, "Lessons learned");
		sb_adds(&l->r->h, UL);
	}
	l->total = row->total;
	safe = report_text(l->r, row->case_id, row->text);
	ref_item(l->r, row->ref, safe);
	free(safe);
	return 0;
}

static int
write_lessons(struct report *r)
{
	struct listing l = { r, 0, 0 };

	r->q.max = MAX_LISTED;
	if (store_report_rows(r->e->store, REPORT_LESSONS, &r->q, add_lesson,
	    &l) == -1)
		return -1;
	if (l.n > 0) {
		more_row(r, l.total - l.n, "", 0);
		sb_adds(&r->h, "</ul>\n");
	}
	return 0;
}

static int
add_paused(const struct report_row *row, void *arg)
{
	struct listing *l = arg;
	char since[64], *safe, *item;

	l->n++;
	excel_time(row->at, since, sizeof(since));
	safe = report_text(l->r, row->case_id, row->text ? row->text :
	    "paused");
	item = xasprintf("%s (paused %d working day%s, since %s)", safe,
	    row->days, row->days == 1 ? "" : "s", since);
	ref_item(l->r, row->ref, item);
	free(item);
	free(safe);
	return 0;
}

/* Paused cases, the longest paused first, and why. */
static int
write_paused(struct report *r)
{
	struct listing l = { r, 0, 0 };
	char med[48], lng[48];

	if (r->k.paused == 0)
		return 0;
	heading(r, "Paused cases (longest paused first)");
	for (size_t i = 0; i < r->ndur; i++)
		if (r->dur[i].k == -2) {
			days_words(r->dur[i].median, med, sizeof(med));
			days_words(r->dur[i].longest, lng, sizeof(lng));
			sb_addf(&r->t, "  %d paused: median %s, longest %s\n",
			    r->dur[i].n, med, lng);
			sb_addf(&r->h, "<p style=\"font-size:13px\">%d paused: "
			    "median %s, longest %s</p>\n", r->dur[i].n, med, lng);
		}
	sb_adds(&r->h, UL);
	r->q.max = MAX_LISTED;
	if (store_report_rows(r->e->store, REPORT_PAUSED, &r->q, add_paused,
	    &l) == -1)
		return -1;
	more_row(r, r->k.paused - l.n, " paused cases, in the CSV", 0);
	sb_adds(&r->h, "</ul>\n");
	return 0;
}

/* The agency of an action's owner ("ASC, Sam Sample"): the agency the
 * directory knows it by, never the person. */
static void
owner_agency(const struct report *r, const char *owner, char *buf,
    size_t len)
{
	struct dir_names dn;

	memset(&dn, 0, sizeof(dn));
	if (owner != NULL)
		directory_agencies_named(report_dir(r), owner, &dn);
	if (dn.n > 0)
		snprintf(buf, len, "%s", report_dir(r)->agencies[dn.idx[0]].name);
	else
		snprintf(buf, len, "not stated");
	directory_names_free(&dn);
}

static int
add_action(const struct report_row *row, void *arg)
{
	struct listing *l = arg;
	struct strbuf *h = &l->r->h;
	char due[64], od[16], ag[200], *what;

	l->n++;
	l->total = row->total;
	excel_time(row->at, due, sizeof(due));
	snprintf(od, sizeof(od), "%d", row->days);
	owner_agency(l->r, row->detail, ag, sizeof(ag));
	what = report_text(l->r, row->case_id, row->text ? row->text : "");
	sb_addf(&l->r->t, "  %-15s action %d (%s), due %s, overdue by %d "
	    "working day%s: %s\n", row->ref, row->num, ag, due, row->days,
	    row->days == 1 ? "" : "s", what);
	sb_adds(h, "<tr>");
	td(h, row->ref, "font-weight:bold");
	td(h, what, NULL);
	td(h, ag, NULL);
	td(h, due, NULL);
	td(h, od, "text-align:right;color:#c00000");
	sb_adds(h, "</tr>\n");
	free(what);
	return 0;
}

/* Planned actions of meeting records past their deadline and not done. */
static int
write_actions(struct report *r)
{
	static const char *const cols[] = { "Case", "Planned action", "Agency",
	    "Deadline", "Working days overdue", NULL };
	struct listing l = { r, 0, 0 };

	heading(r, "Overdue planned actions");
	sb_adds(&r->h, TABLE);
	th_row(&r->h, cols);
	r->q.max = MAX_LISTED;
	if (store_report_rows(r->e->store, REPORT_ACTIONS, &r->q, add_action,
	    &l) == -1)
		return -1;
	more_row(r, l.total - l.n, "", 5);
	if (l.n == 0)
		none_row(r);
	sb_adds(&r->h, "</table>\n");
	return 0;
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

static int
add_bounce(const struct report_row *row, void *arg)
{
	char err[64];

	snprintf(err, sizeof(err), "bounced %d time%s", row->n,
	    row->n == 1 ? "" : "s");
	return add_failed(row->text, row->n, err, arg);
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
	if (store_report_rows(r->e->store, REPORT_BOUNCED, &r->q, add_bounce,
	    &rw) == -1)
		return -1;
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
	char size[32];

	snprintf(size, sizeof(size), "%.1f MB", r->csv_len / 1048576.0);
	if (r->csv_path == NULL) {
		sb_adds(&r->h, "<p style=\"font-size:11px;color:#777;"
		    "margin-top:24px\">Written by escbot from its own records. "
		    "The attached CSV lists the period's cases for analysis.</p>\n");
		sb_adds(&r->t, "\nThe attached CSV lists the period's cases.\n");
	} else {
		sb_addf(&r->t, "\nThe CSV of the period's cases (%s) is larger "
		    "than an email attachment may be (digest.csv_attachment_max): "
		    "it is on the escbot server, in %s\n", size, r->csv_path);
		sb_addf(&r->h, "<p style=\"font-size:11px;color:#777;"
		    "margin-top:24px\">Written by escbot from its own records. "
		    "The CSV of the period's cases (%s) is larger than an email "
		    "attachment may be: it is on the escbot server, in <b>", size);
		html_esc(&r->h, r->csv_path);
		sb_adds(&r->h, "</b></p>\n");
	}
	sb_adds(&r->h, "</body></html>\n");
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

/* Where a CSV too large to attach goes: reports/ beside the database,
 * escbot-PROTOCOL-PERIOD.csv.  The caller frees. */
static char *
csv_file_name(const struct report *r)
{
	char *db = xstrdup(r->e->cfg->database), *dir, *path;

	dir = xasprintf("%s/reports", dirname(db));
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		log_warn("digest: %s", dir);
	path = xasprintf("%s/escbot-%s-%s.csv", dir, r->p ? r->p->id : "all",
	    r->key);
	free(dir);
	free(db);
	return path;
}

/* The rows written so far: kept while the CSV is under the attachment
 * limit; past it, to the file, and from then on in blocks. */
static void
csv_flush(struct report *r, int last)
{
	size_t lim = (size_t)r->e->cfg->digest.csv_max;

	if (r->csvf == NULL && r->csv_len + r->csv.len <= lim)
		return;
	if (r->csvf == NULL && !r->csv_err) {
		int fd;

		r->csv_path = csv_file_name(r);
		if ((fd = open(r->csv_path, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0600)) == -1 ||
		    (r->csvf = fdopen(fd, "w")) == NULL) {
			log_warn("digest: %s", r->csv_path);
			if (fd != -1)
				close(fd);
			r->csv_err = 1;
		}
	}
	if (!last && r->csv.len < 65536)
		return;
	r->csv_len += r->csv.len;
	if (r->csvf != NULL && r->csv.len > 0 &&
	    fwrite(r->csv.buf, 1, r->csv.len, r->csvf) != r->csv.len)
		r->csv_err = 1;
	sb_reset(&r->csv);
}

static int
csv_row(const struct report_row *c, void *arg)
{
	struct report *r = arg;
	const struct protocol *p = rules_protocol(r->e->rules, c->protocol);
	const struct stage_def *sd = stage_of(r, c->protocol, c->stage_idx);
	const struct dir_agency *a = raising_of(r, c, c->raised_by);
	struct strbuf *csv = &r->csv, tl = { 0 };
	int res = strcmp(c->status, "resolved") == 0;
	int open = strcmp(c->status, "open") == 0;
	char o[64], dd[64] = "", rs[64] = "", *ag;
	unsigned themes = case_themes(r, c->text);

	for (size_t k = 0; c->opened_at >= r->start && k < 32; k++)
		if (themes & (1u << k))
			r->theme_n[k]++;
	excel_time(c->opened_at, o, sizeof(o));
	if (open)
		excel_time(c->due_at, dd, sizeof(dd));
	if (res)
		excel_time(c->resolved_at, rs, sizeof(rs));
	for (size_t k = 0; k < r->th->n && k < 32; k++)
		if (themes & (1u << k)) {
			if (tl.len)
				sb_adds(&tl, "; ");
			sb_adds(&tl, r->th->t[k].name);
		}
	ag = agency_names(r, c->agencies, a);
	csv_put(csv, c->ref, 0);
	csv_put(csv, p ? p->name : c->protocol, 0);
	csv_put(csv, c->form ? c->form : "", 0);
	csv_num(csv, sd ? sd->number : -1);
	csv_put(csv, sd ? sd->name : "", 0);
	csv_put(csv, res ? "Resolved" : open ? "Open" : "Paused", 0);
	csv_put(csv, c->urgent ? "Yes" : "No", 0);
	csv_put(csv, o, 0);
	csv_put(csv, dd, 0);
	csv_put(csv, rs, 0);
	csv_num(csv, res ? c->level : -1);
	csv_num(csv, calendar_working_days_between(r->e->cal, c->opened_at,
	    res ? c->resolved_at : r->end));
	csv_num(csv, !open ? -1 : c->due_at >= r->end ? 0 :
	    calendar_working_days_between(r->e->cal, c->due_at, r->end));
	csv_put(csv, a ? a->name : "unknown", 0);
	csv_put(csv, ag, 0);
	csv_put(csv, tl.buf ? tl.buf : "", 1);
	sb_reset(&tl);
	free(ag);
	csv_flush(r, 0);
	return 0;
}

/* CSV: the cases open at some point in the period, for Excel: UTF-8
 * with a byte-order mark, headers a reader understands, dates Excel
 * takes as dates, blank where a column does not apply.  Streamed from
 * the store, so a report holds at most the attachment limit in memory. */
static int
write_csv(struct report *r)
{
	sb_adds(&r->csv, "\xEF\xBB\xBF" "Case reference,Protocol,Form,Stage,"
	    "Stage name,Status,Urgent,Opened,Due,Resolved,Resolved at level,"
	    "Working days open,Working days overdue,Raising agency,"
	    "Receiving agencies,Themes\r\n");
	if (store_report_rows(r->e->store, REPORT_CASES, &r->q, csv_row,
	    r) == -1)
		return -1;
	csv_flush(r, 1);
	if (r->csvf != NULL) {
		if (fclose(r->csvf) != 0)
			r->csv_err = 1;
		r->csvf = NULL;
	}
	if (r->csv_err) {
		log_warnx("digest: the CSV could not be written to %s",
		    r->csv_path ? r->csv_path : "a file");
		return -1;
	}
	return 0;
}

static void
report_free(struct report *r)
{
	sb_reset(&r->t);
	sb_reset(&r->h);
	sb_reset(&r->csv);
	counts_free(&r->raising);
	free(r->dur);
	for (size_t i = 0; i < r->nkw; i++)
		free(r->kw[i].word);
	free(r->kw);
	sb_reset(&r->low);
	if (r->csvf != NULL)
		fclose(r->csvf);
	free(r->csv_path);
}

/* The sections in order; each table is the store's few rows (the
 * themes were counted as the CSV was written, before). */
static int
write_sections(struct report *r)
{
	write_summary(r);
	if (write_trend(r) == -1 || write_open_cases(r) == -1 || write_stages_levels(r) == -1)
		return -1;
	write_durations(r);
	if (write_agencies(r) == -1)
		return -1;
	write_themes(r);
	write_flags(r);
	if (write_lessons(r) == -1 || write_paused(r) == -1 ||
	    write_actions(r) == -1 || write_refused(r) == -1 ||
	    write_rejected(r) == -1)
		return -1;
	write_foot(r);
	return 0;
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
	r.key = sp->key;
	r.q.protocol = p ? p->id : NULL;
	r.q.pstart = sp->start - (sp->end - sp->start);
	r.q.start = sp->start;
	r.q.end = sp->end;
	keywords_prepare(&r);
	if (store_set_calendar(e->store, e->cal) == -1 ||
	    store_report_counts(e->store, &r.q, &r.k) == -1 ||
	    store_report_rows(e->store, REPORT_DURATIONS, &r.q, add_dur,
	    &r) == -1 || write_csv(&r) == -1)
		goto fail;
	snprintf(label, sizeof(label), "%s%s%s", p ? p->name : "", p ? ", " : "",
	    sp->label);
	out->subject = xasprintf("%s: safeguarding escalations, %s",
	    pname[sp->p], label);
	write_head(&r, pname[sp->p], label, out->subject);
	if (write_sections(&r) == -1)
		goto fail;
	out->text = sb_steal(&r.t);
	out->html = sb_steal(&r.h);
	out->csv_len = r.csv_len + r.csv.len;
	if (r.csv_path == NULL)
		out->csv = sb_steal(&r.csv);
	out->csv_file = r.csv_path;
	r.csv_path = NULL;
	out->ncases = (size_t)r.k.ever;
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
	free(d->csv_file);
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

/* Recipients of p's report: its board roles in its partnership's
 * directory; when they name nobody (or p is NULL), the configured list,
 * else the partnership's board inbox (p NULL: the first partnership's).  NULL-terminated, the caller's to free. */
static char **
recipients(struct escbot *e, const struct protocol *p, size_t *n)
{
	const struct directory *dir = p != NULL && p->dir != NULL ? p->dir :
	    e->dir;
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
		if ((r = directory_role(dir, NULL, p->board_roles[i])) != NULL)
			add_contacts(&l, n, r->contacts, r->ncontacts);
	}
	if (*n == 0)
		add_contacts(&l, n, e->cfg->digest.recipients,
		    e->cfg->digest.nrecipients);
	if (*n == 0 && (r = directory_role(dir, NULL, "board_inbox")) != NULL)
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
	att.len = d->csv ? strlen(d->csv) : 0;
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
	/* A CSV over the limit is not attached: the report names its file. */
	o.attachments = d->csv ? &att : NULL;
	o.nattachments = d->csv ? 1 : 0;
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

/* Whether protocol pr's report of period p is sent by the daemon: its
 * own report_periods, else digest.periods. */
static int
period_on(const struct escbot *e, const struct protocol *pr, int p)
{
	const int cfg[] = { e->cfg->digest.week, e->cfg->digest.quarter,
	    e->cfg->digest.half_year, e->cfg->digest.year };

	return pr->periods_set ? pr->periods[p] : cfg[p];
}

int
digest_queue_due(struct escbot *e, const struct themes *th)
{
	int on[DIGEST_NREGULAR] = { 0 };
	time_t now = escbot_now(e), born = -1;
	struct digest_span sp;
	char token[160];
	int queued = 0, r;

	/* Days are staggered over every report any protocol sends: the
	 * partnerships may share a board inbox. */
	for (size_t i = 0; i < e->rules->nprotocols; i++)
		for (int p = DIGEST_WEEK; p < DIGEST_NREGULAR; p++)
			on[p] |= period_on(e, &e->rules->protocols[i], p);
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

			if (!period_on(e, pr, p))
				continue;
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
