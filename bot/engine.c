/*
 * engine: the protocol's clock, applied to one case.  A stage is entered
 * with a due time computed in working days; reminders fall on the mornings
 * of chosen working days before it; at the due time the case escalates to
 * the next stage (whose due time is counted from the previous due time, so
 * the protocol's cumulative timescales hold however late the tick runs) or
 * is chased.  Emails from the clock are held until working hours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "util.h"

#define MAX_STEPS	64	/* bound on catch-up work in one tick */

const char *
case_status_name(enum case_status s)
{
	switch (s) {
	case CASE_OPEN: return "open";
	case CASE_PAUSED: return "paused";
	case CASE_RESOLVED: return "resolved";
	}
	return "unknown";
}

static void
add_event(struct decisions *d, const char *kind, const char *actor,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_event(struct decisions *d, const char *kind, const char *actor,
    const char *fmt, ...)
{
	struct event_decision *e;
	struct strbuf sb = { 0 };
	va_list ap;

	d->events = xreallocarray(d->events, d->nevents + 1, sizeof(*e));
	e = &d->events[d->nevents++];
	e->kind = xstrdup(kind);
	e->actor = xstrdup(actor ? actor : "escbot");
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	e->detail = sb_steal(&sb);
}

/* A mail about case c as it is now (its stage, due time and status are
 * kept with the mail). */
static struct mail_decision *
add_mail(struct decisions *d, const struct case_state *c, const char *tmpl,
    const char *token, time_t not_before)
{
	struct mail_decision *m;

	d->mails = xreallocarray(d->mails, d->nmails + 1, sizeof(*m));
	m = &d->mails[d->nmails++];
	memset(m, 0, sizeof(*m));
	m->template = xstrdup(tmpl);
	m->token = xstrdup(token);
	m->to = xcalloc(1, sizeof(char *));
	m->cc = xcalloc(1, sizeof(char *));
	m->not_before = not_before;
	m->stage_idx = c->stage_idx;
	m->stage_started_at = c->stage_started_at;
	m->due_at = c->due_at;
	m->status = c->status;
	return m;
}

static void
drop_last_mail(struct decisions *d)
{
	struct mail_decision *m = &d->mails[d->nmails - 1];

	for (size_t k = 0; k < m->nto; k++)
		free(m->to[k]);
	for (size_t k = 0; k < m->ncc; k++)
		free(m->cc[k]);
	free(m->template);
	free(m->token);
	free(m->to);
	free(m->cc);
	free(m->note);
	free(m->actor);
	d->nmails--;
}

static void
list_add(char ***list, size_t *n, const char *addr)
{
	for (size_t i = 0; i < *n; i++)
		if (str_casecmp((*list)[i], addr) == 0)
			return;
	*list = xreallocarray(*list, *n + 2, sizeof(char *));
	(*list)[(*n)++] = xstrdup(addr);
	(*list)[*n] = NULL;
}

/* Whether "Name <a@b>" or "a@b" is the address addr. */
static int
is_addr(const char *entry, const char *addr)
{
	const char *lt = strrchr(entry, '<'), *gt;
	size_t len = strlen(addr);

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return str_casecmp(entry, addr) == 0;
	return (size_t)(gt - lt - 1) == len &&
	    strncasecmp(lt + 1, addr, len) == 0;
}

static void
list_del(char ***list, size_t *n, const char *addr)
{
	for (size_t i = 0; i < *n; i++)
		if (is_addr((*list)[i], addr)) {
			free((*list)[i]);
			memmove(&(*list)[i], &(*list)[i + 1],
			    (*n - i) * sizeof(char *));
			(*n)--;
			return;
		}
}

static void
add_role_contacts(char ***list, size_t *n, const struct dir_role *r)
{
	for (size_t i = 0; r && i < r->ncontacts; i++)
		list_add(list, n, r->contacts[i]);
}

/* The contacts of an agency role at each agency of `agencies` (ids,
 * comma-separated). */
static void
role_at_agencies(const char *agencies, const struct engine_ctx *x,
    const char *role, char ***list, size_t *n)
{
	char *ids, *id, *save = NULL;

	ids = xstrdup(agencies ? agencies : "");
	for (id = strtok_r(ids, ",", &save); id;
	    id = strtok_r(NULL, ",", &save)) {
		const struct dir_agency *a = directory_agency_by_id(x->dir, id);

		if (a != NULL)
			add_role_contacts(list, n,
			    directory_role(x->dir, a, role));
	}
	free(ids);
}

/* The contacts of an agency role at every agency involved in the case. */
static void
agency_role_recipients(const struct case_state *c, const struct engine_ctx *x,
    const char *role, char ***list, size_t *n)
{
	role_at_agencies(c->agencies, x, role, list, n);
}

void
engine_role_recipients(const struct case_state *c, const struct engine_ctx *x,
    char *const *roles, size_t nroles, char ***list, size_t *n)
{
	if (*list == NULL)
		*list = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < nroles; i++) {
		if (directory_role_is_partnership(roles[i]))
			add_role_contacts(list, n,
			    directory_role(x->dir, NULL, roles[i]));
		else
			agency_role_recipients(c, x, roles[i], list, n);
	}
}

/* The contacts of a stage's roles at every agency involved in the case,
 * and the partnership roles once. */
static void
stage_recipients(const struct case_state *c, const struct engine_ctx *x,
    const struct stage_def *s, char ***list, size_t *n)
{
	engine_role_recipients(c, x, s->roles, s->nroles, list, n);
}

/* The earliest a stage entered at `start` may be due: the close of the
 * working day on which its role holders are told, which is the next
 * working time (an email is held until then); a stage entered at or after
 * a day's close has none of that day left. */
static time_t
earliest_due(const struct calendar *cal, time_t start)
{
	time_t told = calendar_next_working_time(cal, start);

	return calendar_same_working_day(cal, told + 1);
}

/* A stage's timescale in working days (0: the same working day). */
static int
stage_days(const struct engine_ctx *x, const struct stage_def *s, int urgent)
{
	int days = s->timing == TIMING_SAME_DAY ? 0 : s->days;

	/* Immediate risk is dealt with the same working day through the
	 * agencies' own procedures (every seed); the ladder keeps its steps,
	 * each at most the protocol's agreed urgent timescale. */
	if (urgent && x->proto->urgent_stage_days >= 0 &&
	    x->proto->urgent_stage_days < days)
		days = x->proto->urgent_stage_days;
	return days;
}

/* `days` working days from `from`, never before earliest_due(start): a
 * deadline that passed before the stage began (a clock started at an
 * earlier date) falls due the working day its people are told. */
static time_t
due_counted(const struct engine_ctx *x, time_t from, time_t start, int days)
{
	time_t due, min;

	due = days == 0 ? calendar_same_working_day(x->cal, from) :
	    calendar_add_working_days(x->cal, from, days);
	min = earliest_due(x->cal, start);
	return due < min ? min : due;
}

static time_t
due_from(const struct engine_ctx *x, time_t start, int days)
{
	return due_counted(x, start, start, days);
}

/* What a stage entered at `start` counts its days from: with cumulative
 * deadlines the case's clock start, else its own start. */
static time_t
count_from(const struct case_state *c, const struct engine_ctx *x,
    time_t start)
{
	if (x->proto->cumulative)
		return c->clock_start != 0 ? c->clock_start : c->opened_at;
	return start;
}

time_t
engine_stage_due(const struct engine_ctx *x, const struct stage_def *s,
    int urgent, time_t start)
{
	return due_from(x, start, stage_days(x, s, urgent));
}

/* Opening time of the working day `back` working days before the working
 * day of t. */
static time_t
working_morning_before(const struct calendar *cal, time_t t, int back)
{
	struct tm tm;
	time_t day;

	/* Find the working day of t, then step back one calendar day at a
	 * time (noon avoids DST edges) counting working days. */
	day = calendar_same_working_day(cal, t);
	calendar_utc_to_london(day, &tm);
	day = calendar_london_to_utc(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, 12, 0, 0);
	while (back > 0) {
		day -= 86400;
		calendar_utc_to_london(day, &tm);
		if (calendar_is_working_day(cal, tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday))
			back--;
	}
	calendar_utc_to_london(day, &tm);
	return calendar_next_working_time(cal, calendar_london_to_utc(
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, 0));
}

static time_t
reminder_time(const struct case_state *c, const struct engine_ctx *x,
    const struct stage_def *s, size_t k)
{
	return working_morning_before(x->cal, c->due_at, s->remind_before[k]);
}

static time_t
chase_time(const struct case_state *c, const struct engine_ctx *x,
    const struct stage_def *s, int k)
{
	/* Chase 0 is the overdue notice at the due time; later chases come
	 * every chase_interval working days after it. */
	if (k == 0)
		return c->due_at;
	return calendar_add_working_days(x->cal, c->due_at,
	    k * s->chase_interval);
}

static time_t
pause_reminder_time(const struct case_state *c, const struct engine_ctx *x)
{
	return calendar_add_working_days(x->cal, c->paused_at,
	    x->proto->pause_reminder_days * (c->pause_reminders_done + 1));
}

static int
has_next_stage(const struct case_state *c, const struct engine_ctx *x)
{
	return (size_t)c->stage_idx + 1 < x->proto->nstages;
}

static void
schedule(struct case_state *c, const struct engine_ctx *x)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	time_t t = 0;

	switch (c->status) {
	case CASE_RESOLVED:
		break;
	case CASE_PAUSED:
		t = pause_reminder_time(c, x);
		break;
	case CASE_OPEN:
		if ((size_t)c->reminders_done < s->nremind)
			t = reminder_time(c, x, s, (size_t)c->reminders_done);
		if (t == 0 || t > c->due_at)
			t = c->due_at;
		if (x->now >= c->due_at) {
			if (c->chases_done <= s->chase_max)
				t = chase_time(c, x, s, c->chases_done);
			else if (has_next_stage(c, x))
				t = chase_time(c, x, s, s->chase_max + 1);
			else
				t = 0;	/* overdue, chased out: digest shows it */
		}
		break;
	}
	c->next_wakeup = t;
}

/* A reminder that would fall at or before the stage's people are first
 * told -- when it starts (or is decided, a tick catching up), or at the
 * next opening when that is out of hours: a timescale shorter than the
 * reminder's lead, a stage entered at close of day -- says nothing the
 * stage's first email does not: it is not sent. */
static void
skip_past_reminders(struct case_state *c, const struct engine_ctx *x,
    time_t start)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	time_t told = calendar_next_working_time(x->cal,
	    start > x->now ? start : x->now);

	while ((size_t)c->reminders_done < s->nremind &&
	    reminder_time(c, x, s, (size_t)c->reminders_done) <= told)
		c->reminders_done++;
}

void
engine_stage_recipients(const struct case_state *c,
    const struct engine_ctx *x, int stage_idx, int agencies_only,
    char ***list, size_t *n)
{
	const struct stage_def *s;

	if (stage_idx < 0 || (size_t)stage_idx >= x->proto->nstages)
		return;
	s = &x->proto->stages[stage_idx];
	if (!agencies_only) {
		stage_recipients(c, x, s, list, n);
		return;
	}
	if (*list == NULL)
		*list = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < s->nroles; i++)
		if (!directory_role_is_partnership(s->roles[i]))
			agency_role_recipients(c, x, s->roles[i], list, n);
}

/* Enter stage idx at `start`, and add it to the case's history, saying
 * how (`how` is the entry's text, a printf format). */
static void
enter_stage(struct case_state *c, const struct engine_ctx *x, int idx,
    time_t start, time_t from, struct decisions *d, const char *how, ...)
    __attribute__((format(printf, 7, 8)));

/* ... its days counted from `from` (count_from(), or at opening the
 * clock start). */
static void
enter_stage(struct case_state *c, const struct engine_ctx *x, int idx,
    time_t start, time_t from, struct decisions *d, const char *how, ...)
{
	struct stage_entry *h;
	struct strbuf sb = { 0 };
	va_list ap;

	c->stage_idx = idx;
	c->stage_started_at = start;
	c->due_at = due_counted(x, from, start, stage_days(x,
	    &x->proto->stages[idx], c->urgent));
	c->reminders_done = 0;
	c->chases_done = 0;
	c->extended_days = 0;
	skip_past_reminders(c, x, start);
	d->stages = xreallocarray(d->stages, d->nstages + 1, sizeof(*h));
	h = &d->stages[d->nstages++];
	h->stage_idx = idx;
	h->entered_at = start;
	h->due_at = c->due_at;
	va_start(ap, how);
	sb_vaddf(&sb, how, ap);
	va_end(ap);
	h->how = sb_steal(&sb);
}

static char *
token(const struct case_state *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *
token(const struct case_state *c, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	sb_addf(&sb, "%s/", c->ref);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_steal(&sb);
}

static void
queue_to_stage(struct case_state *c, const struct engine_ctx *x,
    struct decisions *d, const char *tmpl, const char *tok, int cc_raiser)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	struct mail_decision *m;

	m = add_mail(d, c, tmpl, tok, calendar_next_working_time(x->cal,
	    x->now));
	stage_recipients(c, x, s, &m->to, &m->nto);
	if (cc_raiser && c->raised_by)
		list_add(&m->cc, &m->ncc, c->raised_by);
	if (m->nto == 0) {
		/* Nobody holds the role in the directory: tell the raiser
		 * rather than chase nobody, and say so in the audit trail. */
		add_event(d, "no-contact", NULL,
		    "no directory contact for the roles of stage %d", s->number);
		if (c->raised_by) {
			list_add(&m->to, &m->nto, c->raised_by);
			for (size_t i = 0; i < m->ncc; i++)
				free(m->cc[i]);
			m->ncc = 0;
			if (m->cc)
				m->cc[0] = NULL;
		}
	}
}

/* Immediate risk: "the designated safeguarding lead within the agency
 * identifying the concern should be informed immediately" (004); every
 * seed sends it through the agency's own procedures the same working day.
 * The safeguarding leads of the case's agencies are told at once. */
static void
urgent_alert(struct case_state *c, const struct engine_ctx *x,
    struct decisions *d)
{
	struct mail_decision *m;
	char *tok;

	tok = token(c, "urgent");
	m = add_mail(d, c, "urgent", tok, 0);
	free(tok);
	agency_role_recipients(c, x, "safeguarding_lead", &m->to, &m->nto);
	if (m->nto == 0) {
		/* The raiser has the instruction in the acknowledgement. */
		drop_last_mail(d);
		add_event(d, "no-contact", NULL, "no safeguarding lead in "
		    "the directory for the urgent alert");
		return;
	}
	add_event(d, "urgent-alert", NULL, "immediate risk: %zu safeguarding "
	    "lead%s told to act today", m->nto, m->nto == 1 ? "" : "s");
}

void
engine_agencies_unresolved(struct case_state *c, const struct engine_ctx *x,
    const char *tag, struct decisions *d)
{
	struct mail_decision *m;
	const char *p;
	size_t n = 1;
	char *tok;

	if (c->unresolved_agencies == NULL || *c->unresolved_agencies == '\0')
		return;
	for (p = c->unresolved_agencies; (p = strchr(p, ';')) != NULL; p++)
		n++;
	tok = token(c, "agencies/%s", tag);
	m = add_mail(d, c, "agency-unresolved", tok, 0);
	free(tok);
	/* The partnership's manager for this protocol: the first of its
	 * board_roles anyone holds (TWSP's partnership_manager, WSAB's
	 * service_manager), else the partnership manager, else the board
	 * inbox. */
	for (size_t k = 0; m->nto == 0 && k < x->proto->nboard; k++)
		add_role_contacts(&m->to, &m->nto, directory_role(x->dir, NULL,
		    x->proto->board_roles[k]));
	if (m->nto == 0)
		add_role_contacts(&m->to, &m->nto,
		    directory_role(x->dir, NULL, "partnership_manager"));
	if (m->nto == 0)
		add_role_contacts(&m->to, &m->nto,
		    directory_role(x->dir, NULL, "board_inbox"));
	add_event(d, "agency-unresolved", NULL, "%zu agenc%s named for the "
	    "case not in the directory: the partnership manager told", n,
	    n == 1 ? "y" : "ies");
}

void
engine_resolution(struct case_state *c, const struct engine_ctx *x,
    struct decisions *d)
{
	const struct protocol *p = x->proto;
	time_t open = calendar_next_working_time(x->cal, x->now);
	struct mail_decision *m;
	char *tok;

	if (p->on_resolution_line == 0)
		return;
	/* 004 stage 6: "It may be useful for individuals to debrief
	 * following some disputes in order to promote continuing good
	 * working relationships." */
	if (p->ndebrief > 0) {
		tok = token(c, "debrief");
		m = add_mail(d, c, "debrief", tok, open);
		free(tok);
		m->due_at = calendar_add_working_days(x->cal, open,
		    p->debrief_days);
		engine_role_recipients(c, x, p->debrief_roles, p->ndebrief,
		    &m->to, &m->nto);
		if (c->raised_by)
			list_add(&m->to, &m->nto, c->raised_by);
		if (m->nto == 0)
			drop_last_mail(d);
		else
			add_event(d, "debrief", NULL, "debrief prompt to %zu "
			    "of the people involved, to be held within %d "
			    "working day%s", m->nto, p->debrief_days,
			    p->debrief_days == 1 ? "" : "s");
	}
	/* 004 stage 7: "once the Resolution and Escalation Referral Forms
	 * have been completed, send a copy to the TWSP Partnership
	 * Manager". */
	if (p->nforms_to > 0) {
		tok = token(c, "forms");
		m = add_mail(d, c, "forms-copy", tok, open);
		free(tok);
		engine_role_recipients(c, x, p->forms_to, p->nforms_to,
		    &m->to, &m->nto);
		if (m->nto == 0) {
			drop_last_mail(d);
			add_event(d, "no-contact", NULL, "nobody in the "
			    "directory for the completed forms' copy");
		} else
			add_event(d, "forms-copy", NULL, "the completed forms "
			    "copied to %zu recipient%s", m->nto,
			    m->nto == 1 ? "" : "s");
	}
}

/* The people of the stage the case has just entered at opening hear
 * from escbot then, in working hours, not from the first reminder: what
 * the protocol expects of them, by when, and the case.  (Entered by
 * escalation, the escalation email is that email.)  The raiser has the
 * acknowledgement; when no role holder is in the directory nobody else
 * is written to, and the audit trail says so. */
static void
stage_start(struct case_state *c, const struct engine_ctx *x,
    struct decisions *d)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	struct mail_decision *m;
	char *tok;

	tok = token(c, "s%d/start", c->stage_idx);
	m = add_mail(d, c, "stage-start", tok,
	    calendar_next_working_time(x->cal, x->now));
	free(tok);
	stage_recipients(c, x, s, &m->to, &m->nto);
	if (m->nto == 0) {
		drop_last_mail(d);
		add_event(d, "no-contact", NULL, "no directory contact for the "
		    "roles of stage %d: only the raiser was told", s->number);
	}
}

void
engine_agencies_added(struct case_state *c, const struct engine_ctx *x,
    const char *added, const char *tag, struct decisions *d)
{
	const struct stage_def *s;
	struct mail_decision *m;
	char *tok;

	if (c->status != CASE_OPEN && c->status != CASE_PAUSED)
		return;
	if (added == NULL || *added == '\0')
		return;
	s = &x->proto->stages[c->stage_idx];
	tok = token(c, "s%d/joined/%s", c->stage_idx, tag);
	m = add_mail(d, c, "stage-start", tok,
	    calendar_next_working_time(x->cal, x->now));
	free(tok);
	if (m->to == NULL)
		m->to = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < s->nroles; i++)
		if (!directory_role_is_partnership(s->roles[i]))
			role_at_agencies(added, x, s->roles[i], &m->to,
			    &m->nto);
	if (m->nto == 0) {
		drop_last_mail(d);
		add_event(d, "no-contact", NULL, "no directory contact for "
		    "the roles of stage %d at the agencies a later form "
		    "named", s->number);
	}
}

int
engine_open(struct case_state *c, const struct engine_ctx *x,
    int stage_number, struct decisions *d)
{
	struct mail_decision *m;
	char *tok;
	int idx;

	if ((idx = rules_stage_index(x->proto, stage_number)) < 0)
		return -1;
	c->status = CASE_OPEN;
	c->opened_at = x->now;
	if (c->clock_start == 0)
		c->clock_start = x->now;
	enter_stage(c, x, idx, x->now, c->clock_start, d, "opened");
	schedule(c, x);
	add_event(d, "opened", c->raised_by, "opened at stage %d (%s)%s",
	    stage_number, x->proto->stages[idx].name,
	    c->urgent ? ", urgent: immediate risk" : "");
	tok = token(c, "ack");
	m = add_mail(d, c, "ack", tok, 0);
	free(tok);
	if (c->raised_by)
		list_add(&m->to, &m->nto, c->raised_by);
	if (c->urgent)
		urgent_alert(c, x, d);
	engine_agencies_unresolved(c, x, "open", d);
	stage_start(c, x, d);
	return 0;
}

/* One step of the clock; returns 1 if it changed something. */
static int
tick_step(struct case_state *c, const struct engine_ctx *x,
    struct decisions *d)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	char *tok;
	size_t k, last;
	int chase, found;

	if (c->status == CASE_PAUSED) {
		if (x->now < pause_reminder_time(c, x))
			return 0;
		/* Several due at once (escbot was down): only the latest. */
		while (pause_reminder_time(c, x) <= x->now)
			c->pause_reminders_done++;
		tok = token(c, "p%lld/r%d", (long long)c->paused_at,
		    c->pause_reminders_done);
		queue_to_stage(c, x, d, "pause-reminder", tok, 1);
		free(tok);
		add_event(d, "pause-reminder", NULL,
		    "paused for %d working days: reminder to resume sent",
		    x->proto->pause_reminder_days * c->pause_reminders_done);
		return 1;
	}
	if (c->status != CASE_OPEN)
		return 0;

	if (x->now < c->due_at) {
		/* Reminders: when several are due at once (a restart, a
		 * clock jump) send only the latest, not a burst. */
		last = s->nremind;
		for (k = (size_t)c->reminders_done; k < s->nremind; k++)
			if (reminder_time(c, x, s, k) <= x->now)
				last = k;
		if (last == s->nremind)
			return 0;
		tok = token(c, "s%d/d%lld/r%zu", c->stage_idx,
		    (long long)c->due_at, last);
		queue_to_stage(c, x, d, "reminder", tok, 0);
		free(tok);
		add_event(d, "reminder", NULL, "reminder for stage %d",
		    s->number);
		c->reminders_done = (int)last + 1;
		return 1;
	}

	/* Expired: escalate at once, or after the last chase when the
	 * stage is chased first. */
	if (has_next_stage(c, x) && (s->expiry == EXPIRY_ESCALATE ||
	    (c->chases_done > s->chase_max &&
	    chase_time(c, x, s, s->chase_max + 1) <= x->now))) {
		int from = s->number;
		time_t start = s->expiry == EXPIRY_ESCALATE ? c->due_at :
		    chase_time(c, x, s, s->chase_max + 1);

		if (s->expiry == EXPIRY_ESCALATE)
			enter_stage(c, x, c->stage_idx + 1, start,
			    count_from(c, x, start), d,
			    "stage %d's deadline passed", from);
		else
			enter_stage(c, x, c->stage_idx + 1, start,
			    count_from(c, x, start), d,
			    "stage %d was overdue after %d chase%s", from,
			    s->chase_max + 1, s->chase_max ? "s" : "");
		tok = token(c, "s%d/esc", c->stage_idx);
		queue_to_stage(c, x, d, "escalation", tok, 1);
		free(tok);
		add_event(d, "escalated", NULL,
		    "stage %d expired; escalated to stage %d (%s)", from,
		    x->proto->stages[c->stage_idx].number,
		    x->proto->stages[c->stage_idx].name);
		return 1;
	}
	/* Chase: as with reminders, only the latest of several due. */
	found = -1;
	for (chase = c->chases_done; chase <= s->chase_max; chase++) {
		if (chase_time(c, x, s, chase) > x->now)
			break;
		found = chase;
	}
	if (found < 0)
		return 0;
	tok = token(c, "s%d/d%lld/c%d", c->stage_idx, (long long)c->due_at,
	    found);
	queue_to_stage(c, x, d, "chase", tok, 1);
	free(tok);
	add_event(d, "chased", NULL, "stage %d overdue: chase %d of %d",
	    s->number, found + 1, s->chase_max + 1);
	c->chases_done = found + 1;
	return 1;
}

int
engine_tick(struct case_state *c, const struct engine_ctx *x,
    struct decisions *d)
{
	int steps = 0;

	while (steps < MAX_STEPS && tick_step(c, x, d))
		steps++;
	schedule(c, x);
	return steps;
}

static void
confirm(struct case_state *c, const struct engine_ctx *x,
    const struct command *cmd, struct decisions *d, const char *tmpl)
{
	struct mail_decision *m;
	time_t open = calendar_next_working_time(x->cal, x->now);
	const char *who = cmd->actor && strchr(cmd->actor, '@') ?
	    cmd->actor : NULL;
	int kept = 1;
	char *tok;

	tok = token(c, "cmd/%s", cmd->token ? cmd->token : "cli");
	queue_to_stage(c, x, d, tmpl, tok, 1);
	free(tok);
	m = &d->mails[d->nmails - 1];
	m->note = xstrdup(cmd->reason ? cmd->reason : "");
	m->actor = xstrdup(cmd->actor ? cmd->actor : "");
	/* Emails go in working hours, a command's like the clock's: in them
	 * everyone is told at once, the sender copied. */
	if (open == x->now) {
		if (strcmp(tmpl, "escalation") != 0)
			m->not_before = 0;
		if (who != NULL)
			list_add(&m->cc, &m->ncc, who);
		return;
	}
	/* Outside them the stage's people (and the raiser) hear at the next
	 * opening, and the sender, who is at work now, gets their own
	 * confirmation at once -- an email of its own, so that nobody
	 * else's copy leaves early. */
	if (who == NULL)
		return;
	list_del(&m->to, &m->nto, who);
	list_del(&m->cc, &m->ncc, who);
	if (m->nto == 0 && m->ncc == 0) {
		drop_last_mail(d);
		kept = 0;
	} else if (m->nto == 0) {
		/* The raiser, copied, is who is left. */
		m->to[0] = m->cc[0];
		m->cc[0] = NULL;
		m->nto = 1;
		m->ncc = 0;
	}
	tok = token(c, "cmd/%s/sender", cmd->token ? cmd->token : "cli");
	m = add_mail(d, c, tmpl, tok, 0);
	free(tok);
	m->note = xstrdup(cmd->reason ? cmd->reason : "");
	m->actor = xstrdup(cmd->actor);
	list_add(&m->to, &m->nto, who);
	/* The sender's first: it is the answer to their message. */
	if (kept) {
		struct mail_decision t = d->mails[d->nmails - 2];

		d->mails[d->nmails - 2] = d->mails[d->nmails - 1];
		d->mails[d->nmails - 1] = t;
	}
}

/* ESCALATE: to the next stage, or to the first stage numbered cmd->level
 * after the current one (a form showing that level was reached). */
static int
escalate(struct case_state *c, const struct engine_ctx *x,
    const struct command *cmd, struct decisions *d, char *err, size_t errlen)
{
	int from = x->proto->stages[c->stage_idx].number;
	int to = c->stage_idx + 1;

	if (cmd->level > 0) {
		while ((size_t)to < x->proto->nstages &&
		    x->proto->stages[to].number != cmd->level)
			to++;
		if (cmd->level <= from) {
			snprintf(err, errlen, "%s is already at stage %d",
			    c->ref, from);
			return -1;
		}
	}
	if ((size_t)to >= x->proto->nstages) {
		if (cmd->level > 0)
			snprintf(err, errlen, "%s has no stage %d", x->proto->name,
			    cmd->level);
		else
			snprintf(err, errlen, "%s is at the last stage of %s",
			    c->ref, x->proto->name);
		return -1;
	}
	c->status = CASE_OPEN;
	enter_stage(c, x, to, x->now, count_from(c, x, x->now), d,
	    "escalated on request by %s", cmd->actor ? cmd->actor : "cli");
	add_event(d, "escalated", cmd->actor,
	    "escalated by request from stage %d to stage %d: %s", from,
	    x->proto->stages[c->stage_idx].number,
	    cmd->reason ? cmd->reason : "");
	confirm(c, x, cmd, d, "escalation");
	return 0;
}

/* "an extension of 8 working days is too long: stage 3 may be given at
 * most 10 working days beyond its timescale in all (EXTEND and TIMESCALE
 * together); 7 are left". */
static void
cap_says(const struct case_state *c, const struct engine_ctx *x, int days,
    char *err, size_t errlen)
{
	int max = x->proto->max_extension_days;
	int left = max - c->extended_days;

	snprintf(err, errlen, "an extension of %d working day%s is too long: "
	    "stage %d may be given at most %d working day%s beyond its "
	    "timescale in all (EXTEND and TIMESCALE together); ", days,
	    days == 1 ? "" : "s", x->proto->stages[c->stage_idx].number, max,
	    max == 1 ? "" : "s");
	if (left <= 0)
		snprintf(err + strlen(err), errlen - strlen(err),
		    "none are left");
	else
		snprintf(err + strlen(err), errlen - strlen(err), "%d %s left",
		    left, left == 1 ? "is" : "are");
}

static int
extend(struct case_state *c, const struct engine_ctx *x,
    const struct command *cmd, struct decisions *d, char *err, size_t errlen)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	const char *why = cmd->reason ? cmd->reason : "";

	if (cmd->days < 1) {
		snprintf(err, errlen,
		    "an extension must be at least 1 working day");
		return -1;
	}
	if (c->extended_days + cmd->days > x->proto->max_extension_days) {
		cap_says(c, x, cmd->days, err, errlen);
		return -1;
	}
	if (c->status == CASE_PAUSED)
		c->paused_remaining += cmd->days;
	else {
		c->due_at = calendar_add_working_days(x->cal,
		    c->due_at > x->now ? c->due_at : x->now, cmd->days);
		c->reminders_done = 0;
		c->chases_done = 0;
	}
	c->extended_days += cmd->days;
	add_event(d, "extended", cmd->actor,
	    "stage %d extended by %d working day%s (%d of the %d allowed), "
	    "agreed by %s: %s",
	    s->number, cmd->days, cmd->days == 1 ? "" : "s", c->extended_days,
	    x->proto->max_extension_days, cmd->actor ? cmd->actor : "cli", why);
	confirm(c, x, cmd, d, "extended");
	return 0;
}

static int
timescale(struct case_state *c, const struct engine_ctx *x,
    const struct command *cmd, struct decisions *d, char *err, size_t errlen)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	const char *why = cmd->reason ? cmd->reason : "";
	int own = stage_days(x, s, c->urgent), k;
	time_t due, from, ref = c->status == CASE_PAUSED ? c->paused_at :
	    x->now;
	char words[96];

	if (cmd->days < 1) {
		snprintf(err, errlen,
		    "a timescale must be at least 1 working day");
		return -1;
	}
	if (cmd->days > own + x->proto->max_extension_days) {
		/* The cap counts from the stage's own timescale. */
		snprintf(err, errlen, "a timescale of %d working days is "
		    "too long: stage %d's own is %d working day%s and it may "
		    "be given at most %d more (EXTEND and TIMESCALE together), "
		    "%d in all",
		    cmd->days, s->number, own, own == 1 ? "" : "s",
		    x->proto->max_extension_days,
		    own + x->proto->max_extension_days);
		return -1;
	}
	from = count_from(c, x, c->stage_started_at);
	due = due_counted(x, from, c->stage_started_at, cmd->days);
	if (due <= ref) {
		/* The shortest timescale that is still ahead. */
		for (k = cmd->days + 1; k < 366 && due_counted(x, from,
		    c->stage_started_at, k) <= ref; k++)
			;
		if (calendar_format_words(due, words, sizeof(words)) == -1)
			words[0] = '\0';
		snprintf(err, errlen, "%d working day%s from the start of "
		    "stage %d would make it due by %s, which has passed; the "
		    "shortest timescale now is %d working day%s", cmd->days,
		    cmd->days == 1 ? "" : "s", s->number, words, k,
		    k == 1 ? "" : "s");
		return -1;
	}
	if (c->status == CASE_PAUSED)
		c->paused_remaining = calendar_working_days_between(x->cal,
		    c->paused_at, due);
	else {
		c->due_at = due;
		c->reminders_done = 0;
		c->chases_done = 0;
		skip_past_reminders(c, x, x->now);
	}
	c->extended_days = cmd->days > own ? cmd->days - own : 0;
	add_event(d, "timescale", cmd->actor,
	    "stage %d timescale set to %d working day%s from %s (the "
	    "protocol's: %d), agreed by %s: %s", s->number, cmd->days,
	    cmd->days == 1 ? "" : "s", x->proto->cumulative ?
	    "the clock start" : "its start", own,
	    cmd->actor ? cmd->actor : "cli", why);
	confirm(c, x, cmd, d, "timescale");
	return 0;
}

/* A duty done, early or late: the next stage starts now (its deadline
 * still counted from the clock start); the last one done resolves the
 * case. */
static int
complete(struct case_state *c, const struct engine_ctx *x,
    const struct command *cmd, struct decisions *d, char *err, size_t errlen)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	const char *why = cmd->reason ? cmd->reason : "";
	const char *who = cmd->actor ? cmd->actor : "cli";

	if (!x->proto->cumulative) {
		snprintf(err, errlen, "COMPLETED is for a protocol of duties "
		    "(%s has stages of escalation): reply RESOLVED or "
		    "ESCALATE", x->proto->name);
		return -1;
	}
	add_event(d, "completed", cmd->actor, "stage %d (%s) done, recorded "
	    "by %s: %s", s->number, s->name, who, why);
	c->paused_at = 0;
	if (!has_next_stage(c, x)) {
		c->status = CASE_RESOLVED;
		c->resolved_at = x->now;
		c->resolved_level = s->number;
		free(c->resolution);
		c->resolution = xstrdup(why);
		add_event(d, "resolved", cmd->actor, "resolved at level %d: %s",
		    c->resolved_level, why);
		confirm(c, x, cmd, d, "resolved");
		return 0;
	}
	c->status = CASE_OPEN;
	enter_stage(c, x, c->stage_idx + 1, x->now, count_from(c, x, x->now),
	    d, "stage %d done, recorded by %s", s->number, who);
	confirm(c, x, cmd, d, "completed");
	return 0;
}

int
engine_command(struct case_state *c, const struct engine_ctx *x,
    const struct command *cmd, struct decisions *d, char *err, size_t errlen)
{
	const struct stage_def *s = &x->proto->stages[c->stage_idx];
	const char *why = cmd->reason ? cmd->reason : "";
	int left;

	if (c->status == CASE_RESOLVED) {
		snprintf(err, errlen, "%s is already resolved", c->ref);
		return -1;
	}
	switch (cmd->kind) {
	case CMD_AGENCIES:
		snprintf(err, errlen, "AGENCIES changes no stage");
		return -1;
	case CMD_PAUSE:
		if (c->status == CASE_PAUSED) {
			snprintf(err, errlen, "%s is already paused", c->ref);
			return -1;
		}
		c->paused_remaining = x->now >= c->due_at ? 0 :
		    calendar_working_days_between(x->cal, x->now, c->due_at);
		c->paused_at = x->now;
		c->pause_reminders_done = 0;
		c->status = CASE_PAUSED;
		add_event(d, "paused", cmd->actor, "paused at stage %d: %s",
		    s->number, why);
		confirm(c, x, cmd, d, "paused");
		break;
	case CMD_RESUME:
		if (c->status != CASE_PAUSED) {
			snprintf(err, errlen, "%s is not paused", c->ref);
			return -1;
		}
		/* The clock stopped while paused: the working days that were
		 * left are counted again from now. */
		left = c->paused_remaining;
		c->status = CASE_OPEN;
		c->due_at = calendar_add_working_days(x->cal, x->now, left);
		c->reminders_done = 0;
		c->chases_done = 0;
		c->paused_at = 0;
		add_event(d, "resumed", cmd->actor,
		    "resumed at stage %d with %d working day%s left%s%s",
		    s->number, left, left == 1 ? "" : "s", *why ? ": " : "", why);
		confirm(c, x, cmd, d, "resumed");
		break;
	case CMD_EXTEND:
		if (extend(c, x, cmd, d, err, errlen) == -1)
			return -1;
		break;
	case CMD_TIMESCALE:
		if (timescale(c, x, cmd, d, err, errlen) == -1)
			return -1;
		break;
	case CMD_ESCALATE:
		if (escalate(c, x, cmd, d, err, errlen) == -1)
			return -1;
		break;
	case CMD_COMPLETE:
		if (complete(c, x, cmd, d, err, errlen) == -1)
			return -1;
		break;
	case CMD_RESOLVE:
		c->status = CASE_RESOLVED;
		c->resolved_at = x->now;
		c->resolved_level = cmd->level > 0 ? cmd->level : s->number;
		free(c->resolution);
		c->resolution = xstrdup(why);
		add_event(d, "resolved", cmd->actor, "resolved at level %d: %s",
		    c->resolved_level, why);
		confirm(c, x, cmd, d, "resolved");
		engine_resolution(c, x, d);
		break;
	}
	schedule(c, x);
	return 0;
}

void
decisions_free(struct decisions *d)
{
	for (size_t i = 0; i < d->nmails; i++) {
		struct mail_decision *m = &d->mails[i];

		free(m->template);
		free(m->token);
		for (size_t k = 0; k < m->nto; k++)
			free(m->to[k]);
		free(m->to);
		for (size_t k = 0; k < m->ncc; k++)
			free(m->cc[k]);
		free(m->cc);
		free(m->note);
		free(m->actor);
	}
	free(d->mails);
	for (size_t i = 0; i < d->nevents; i++) {
		free(d->events[i].kind);
		free(d->events[i].actor);
		free(d->events[i].detail);
	}
	free(d->events);
	for (size_t i = 0; i < d->nstages; i++)
		free(d->stages[i].how);
	free(d->stages);
	memset(d, 0, sizeof(*d));
}

void
case_state_free(struct case_state *c)
{
	if (c == NULL)
		return;
	free(c->ref);
	free(c->protocol);
	free(c->form);
	free(c->raised_by);
	free(c->raised_name);
	free(c->agencies);
	free(c->raising_agency);
	free(c->receiving_agencies);
	free(c->unresolved_agencies);
	free(c->thread_id);
	free(c->resolution);
	memset(c, 0, sizeof(*c));
}

static time_t
action_chase_time(const struct action_state *a, const struct engine_ctx *x,
    int k)
{
	return calendar_add_working_days(x->cal, a->due_at,
	    k * ACTION_CHASE_DAYS);
}

void
engine_action_schedule(struct action_state *a, const struct engine_ctx *x)
{
	if (a->done || (a->num == 0 && a->reminders_done > 0))
		a->next_wakeup = 0;
	else if (a->reminders_done == 0)
		a->next_wakeup = working_morning_before(x->cal, a->due_at, 1);
	else if (a->chases_done <= ACTION_CHASE_MAX)
		a->next_wakeup = calendar_next_working_time(x->cal,
		    action_chase_time(a, x, a->chases_done));
	else
		a->next_wakeup = 0;
}

/* The owner's agency (its line manager and safeguarding lead) and any
 * address written in the owner cell; the raiser is copied. */
static void
action_recipients(const struct action_state *a, const struct case_state *c,
    const struct engine_ctx *x, struct mail_decision *m)
{
	static const char *const roles[] = { "line_manager", "safeguarding_lead" };
	struct dir_names dn = { 0 };
	char *copy, *tok, *save = NULL;

	/* "ASC, Sam Sample": the agency the cell starts with. */
	directory_agencies_named(x->dir, a->owner, &dn);
	for (size_t i = 0; i < dn.n; i++)
		for (size_t r = 0; r < 2; r++)
			add_role_contacts(&m->to, &m->nto, directory_role(x->dir,
			    &x->dir->agencies[dn.idx[i]], roles[r]));
	directory_names_free(&dn);
	copy = xstrdup(a->owner ? a->owner : "");
	for (tok = strtok_r(copy, " ,;()<>\t", &save); tok;
	    tok = strtok_r(NULL, " ,;()<>\t", &save))
		if (strchr(tok, '@') && strchr(tok, '.') && strlen(tok) < 200)
			list_add(&m->to, &m->nto, tok);
	free(copy);
	if (c->raised_by)
		list_add(m->nto ? &m->cc : &m->to, m->nto ? &m->ncc : &m->nto,
		    c->raised_by);
}

/* "2. Pressure care review (WWL, Chris Sample), by 5pm on ..." */
static char *
action_note(const struct action_state *a, const struct engine_ctx *x)
{
	char due[96];

	(void)x;
	if (calendar_format_words(a->due_at, due, sizeof(due)) == -1)
		due[0] = '\0';
	return xasprintf("%d. %s%s%s%s, by %s", a->num, a->action ? a->action : "",
	    a->owner && *a->owner ? " (" : "", a->owner ? a->owner : "",
	    a->owner && *a->owner ? ")" : "", due);
}

int
engine_action_tick(struct action_state *a, const struct case_state *c,
    const struct engine_ctx *x, struct decisions *d)
{
	struct mail_decision *m;
	char *tok;
	int k, found = -1;

	if (a->done || c->status == CASE_RESOLVED) {
		a->next_wakeup = 0;
		return 0;
	}
	if (a->reminders_done == 0 && x->now < a->due_at &&
	    working_morning_before(x->cal, a->due_at, 1) <= x->now) {
		tok = token(c, "a%d/d%lld/r", a->num, (long long)a->due_at);
		m = add_mail(d, c, a->num ? "action-reminder" :
		    "meeting-reminder",
		    tok, calendar_next_working_time(x->cal, x->now));
		free(tok);
		m->note = action_note(a, x);
		action_recipients(a, c, x, m);
		add_event(d, a->num ? "action-reminder" : "meeting-reminder", NULL,
		    a->num ? "action %d due tomorrow" : "next meeting tomorrow",
		    a->num);
		a->reminders_done = 1;
	} else if (x->now >= a->due_at) {
		a->reminders_done = 1;
		/* The next meeting is reminded, never chased. */
		for (k = a->chases_done; a->num != 0 && k <= ACTION_CHASE_MAX; k++) {
			if (action_chase_time(a, x, k) > x->now)
				break;
			found = k;
		}
		if (found >= 0) {
			tok = token(c, "a%d/d%lld/c%d", a->num, (long long)a->due_at,
			    found);
			m = add_mail(d, c, "action-chase", tok,
			    calendar_next_working_time(x->cal, x->now));
			free(tok);
			m->note = action_note(a, x);
			action_recipients(a, c, x, m);
			add_event(d, "action-chased", NULL,
			    "action %d overdue: chase %d of %d", a->num, found + 1,
			    ACTION_CHASE_MAX + 1);
			a->chases_done = found + 1;
		} else if (a->num == 0)
			a->chases_done = ACTION_CHASE_MAX + 1;
	}
	engine_action_schedule(a, x);
	return 0;
}

void
action_state_free(struct action_state *a)
{
	free(a->action);
	free(a->owner);
	free(a->purpose);
	memset(a, 0, sizeof(*a));
}
