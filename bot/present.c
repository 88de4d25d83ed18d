/*
 * present: the listings print row by row from the store's iterators, so a
 * long list is never held in memory.  Personal answers are shown (the
 * administrator's own record); reports (digest.c) are where they are not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "log.h"
#include "present.h"
#include "store.h"
#include "util.h"
#include "escbot.h"
#include "engine.h"
#include "formdef.h"
#include "rules.h"

#define WIDTH	78	/* text is wrapped to this many columns */

/* JSON string with everything that needs it escaped. */
static void
json_str(const char *s)
{
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_time(time_t t)
{
	char buf[64];

	if (t == 0 || calendar_format_iso(t, buf, sizeof(buf)) == -1)
		fputs("null", stdout);
	else
		json_str(buf);
}

/* ,"key":value -- a member after the first. */
static void
jstr(const char *key, const char *v)
{
	printf(",\"%s\":", key);
	json_str(v);
}

static void
jtime(const char *key, time_t t)
{
	printf(",\"%s\":", key);
	json_time(t);
}


/* "2026-12-08 17:00", London time; "-" for no time (0).  0, or -1 when
 * truncated ("-" then). */
static int
local_time(time_t t, char *buf, size_t len)
{
	struct tm tm;
	int n;

	if (t == 0)
		n = snprintf(buf, len, "-");
	else {
		calendar_utc_to_london(t, &tm);
		n = snprintf(buf, len, "%04d-%02d-%02d %02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(buf, len, "-");
		return -1;
	}
	return 0;
}

/* `text` from column `col` (where the caller left the cursor), wrapped
 * at spaces to WIDTH, each new line indented `indent`; its own line
 * breaks kept; a newline at the end. */
static void
wrapped(const char *text, int col, int indent)
{
	const char *p = text ? text : "";

	for (;;) {
		size_t line = strcspn(p, "\n"), take = line, room, n;

		room = WIDTH - col > 20 ? (size_t)(WIDTH - col) : 20;
		if (take > room) {	/* the last space that fits */
			for (n = room; n > 0 && p[n] != ' '; n--)
				;
			take = n > 0 ? n : room;
		}
		printf("%.*s\n", (int)take, p);
		p += take;
		while (take < line && *p == ' ')
			p++;
		if (*p == '\n')
			p++;
		if (*p == '\0')
			return;
		printf("%*s", indent, "");
		col = indent;
	}
}

/* The due date a person should be told: an open case's deadline, a
 * paused one's if it were resumed now; 0 for a resolved case. */
static time_t
due_shown(const struct escbot *e, const struct case_state *c, time_t now)
{
	if (c->status == CASE_OPEN)
		return c->due_at;
	if (c->status == CASE_PAUSED)
		return calendar_add_working_days(e->cal, now,
		    c->paused_remaining);
	return 0;
}

/* Working days an open case is past its deadline: -1 when it is not,
 * 0 when it fell due earlier today. */
static int
overdue_days(const struct escbot *e, const struct case_state *c, time_t now)
{
	if (c->status != CASE_OPEN || now <= c->due_at)
		return -1;
	return calendar_working_days_between(e->cal, c->due_at, now);
}

static void
overdue_words(int days, char *buf, size_t len)
{
	if (days < 0)
		snprintf(buf, len, "-");
	else if (days == 0)
		snprintf(buf, len, "today");
	else
		snprintf(buf, len, "%d working day%s", days, days == 1 ? "" : "s");
}

struct listing {
	struct escbot		*e;
	int			 json;
	int			 count;
	int			 paused;	/* a paused case was listed */
	time_t			 now;
	struct case_filter	 f;
};

static int
case_matches(const struct listing *l, const struct case_state *c,
    const struct stage_def *s)
{
	const struct case_filter *f = &l->f;

	if (f->overdue && !(c->status == CASE_OPEN && l->now > c->due_at))
		return 0;
	if (f->protocol && strcmp(f->protocol, c->protocol) != 0)
		return 0;
	if (f->stage && (s == NULL || s->number != f->stage))
		return 0;
	if (f->agency) {
		size_t n = strlen(f->agency);
		const char *a = c->agencies ? c->agencies : "";
		int hit = 0;

		for (const char *p = a; (p = strstr(p, f->agency)) != NULL; p++)
			if ((p == a || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
				hit = 1;
		if (!hit)
			return 0;
	}
	return 1;
}

static const struct stage_def *
case_stage(struct escbot *e, const struct case_state *c)
{
	const struct protocol *p = rules_protocol(e->rules, c->protocol);

	if (p == NULL || c->stage_idx < 0 || (size_t)c->stage_idx >= p->nstages)
		return NULL;
	return &p->stages[c->stage_idx];
}

/* The case's agency ids, comma-separated in the record, as an array. */
static int
count_mail(const char *tmpl, const char *rcpt, const char *state,
    time_t created, time_t sent, const char *error, void *arg)
{
	(void)tmpl;
	(void)rcpt;
	(void)state;
	(void)created;
	(void)sent;
	(void)error;
	(*(int *)arg)++;
	return 0;
}

/* key: the list's items (split at sep, trimmed) as an array. */
static void
json_agencies(const char *key, const char *list, char sep)
{
	const char *p = list ? list : "";
	char seps[2] = { sep, '\0' };
	int n = 0;

	printf(",\"%s\":[", key);
	while (*p) {
		size_t len;
		char id[256];

		while (*p == ' ')
			p++;
		len = strcspn(p, seps);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0 && len < sizeof(id)) {
			memcpy(id, p, len);
			id[len] = '\0';
			printf("%s", n++ ? "," : "");
			json_str(id);
		}
		p += strcspn(p, seps);
		if (*p == sep)
			p++;
	}
	printf("]");
}

static void
case_json(struct escbot *e, const struct case_state *c, time_t now)
{
	const struct stage_def *s = case_stage(e, c);
	int late = overdue_days(e, c, now);

	printf("{\"ref\":");
	json_str(c->ref);
	jstr("protocol", c->protocol);
	jstr("form", c->form);
	printf(",\"stage\":%d", s ? s->number : 0);
	jstr("stage_name", s ? s->name : NULL);
	jstr("status", case_status_name(c->status));
	jtime("opened_at", c->opened_at);
	jtime("clock_start", c->clock_start ? c->clock_start : c->opened_at);
	jtime("due_at", c->due_at);
	printf(",\"overdue\":%s", late >= 0 ? "true" : "false");
	if (late >= 0)
		printf(",\"working_days_overdue\":%d", late);
	jstr("raised_by", c->raised_by);
	printf(",\"urgent\":%s", c->urgent ? "true" : "false");
	json_agencies("agencies", c->agencies, ',');
	if (c->raising_agency && *c->raising_agency)
		jstr("raising_agency", c->raising_agency);
	else
		printf(",\"raising_agency\":null");
	json_agencies("receiving_agencies", c->receiving_agencies, ',');
	json_agencies("unresolved_agencies", c->unresolved_agencies, ';');
	if (c->status == CASE_RESOLVED) {
		jtime("resolved_at", c->resolved_at);
		printf(",\"resolved_level\":%d", c->resolved_level);
	}
	if (c->status == CASE_PAUSED) {
		jtime("paused_at", c->paused_at);
		printf(",\"paused_remaining\":%d", c->paused_remaining);
		jtime("due_if_resumed_now", due_shown(e, c, now));
	}
}

#define CASES_HEAD	"%-16s %-9s %-5s %-8s %-6s %-17s %s\n"

static int
list_one(const struct case_state *c, void *arg)
{
	struct listing *l = arg;
	const struct stage_def *s = case_stage(l->e, c);
	char due[64], late[64], stage[16];

	if (!case_matches(l, c, s))
		return 0;
	if (l->json) {
		printf("%s", l->count ? ",\n " : "\n ");
		case_json(l->e, c, l->now);
		printf("}");
		l->count++;
		return 0;
	}
	if (l->count == 0)
		printf(CASES_HEAD, "REF", "PROTOCOL", "STAGE", "STATUS",
		    "URGENT", "DUE", "OVERDUE");
	local_time(due_shown(l->e, c, l->now), due, sizeof(due));
	if (c->status == CASE_PAUSED) {
		strcat(due, "*");	/* 16 + 1 of 64 */
		l->paused = 1;
	}
	overdue_words(overdue_days(l->e, c, l->now), late, sizeof(late));
	snprintf(stage, sizeof(stage), "%d", s ? s->number : 0);
	printf(CASES_HEAD, c->ref, c->protocol, stage,
	    case_status_name(c->status), c->urgent ? "yes" : "", due, late);
	l->count++;
	return 0;
}

int
present_cases(struct escbot *e, int all, int json, const struct case_filter *f)
{
	struct listing l;

	memset(&l, 0, sizeof(l));
	l.e = e;
	l.json = json;
	l.now = escbot_now(e);
	l.f = *f;
	if (json)
		printf("[");
	if (store_cases_each(e->store, all, list_one, &l) == -1) {
		log_warnx("cases: %s", store_error(e->store));
		return -1;
	}
	if (json)
		printf("%s]\n", l.count ? "\n" : "");
	else if (l.count == 0)
		printf("no %scases\n", all ? "" : "open ");
	else {
		printf("%d case%s; times are London time", l.count,
		    l.count == 1 ? "" : "s");
		printf("%s\n", l.paused ? "; * paused: the due date if it "
		    "were resumed now" : "");
	}
	return 0;
}

static int
field_json(const char *name, const char *value, int personal, void *arg)
{
	int *n = arg;

	(void)personal;
	printf("%s", (*n)++ ? "," : "");
	json_str(name);
	printf(":");
	json_str(value);
	return 0;
}

/*
 * The forms received for a case, every answer of each (one case's worth,
 * held while the case is printed), to show each form and the history of
 * a field that a later form changed.
 */
struct form_rec {
	int	 num;		/* 1 for the case's first form */
	char	*form;
	time_t	 at;
	char	*sender;
	char	*name;
	char	*value;
};

struct form_recs {
	struct form_rec	*v;
	size_t		 n;
	int		 nforms;
	int64_t		 last;		/* form id of v[n - 1] */
	size_t		*changes;	/* scratch for field_changes() */
};

static int
form_rec_add(const struct form_answer *a, void *arg)
{
	struct form_recs *r = arg;
	struct form_rec *x;

	if (r->n == 0 || a->form_id != r->last)
		r->nforms++;
	r->last = a->form_id;
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	x = &r->v[r->n++];
	x->num = r->nforms;
	x->form = xstrdup(a->form ? a->form : "");
	x->at = a->at;
	x->sender = xstrdup(a->sender ? a->sender : "");
	x->name = xstrdup(a->name ? a->name : "");
	x->value = xstrdup(a->value ? a->value : "");
	return 0;
}

static void
form_recs_free(struct form_recs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].form);
		free(r->v[i].sender);
		free(r->v[i].name);
		free(r->v[i].value);
	}
	free(r->v);
	free(r->changes);
	memset(r, 0, sizeof(*r));
}

/* 0 and the case's forms in *r (form_recs_free it), or -1. */
static int
form_recs_load(struct escbot *e, int64_t case_id, struct form_recs *r)
{
	memset(r, 0, sizeof(*r));
	if (store_form_answers_each(e->store, case_id, form_rec_add, r) == -1) {
		form_recs_free(r);
		return -1;
	}
	r->changes = xcalloc(r->n + 1, sizeof(size_t));
	return 0;
}

/* The answers field `name` was given by the forms, oldest first, each
 * change once (a form repeating the answer before it is no change):
 * their indices in r->changes, and how many. */
static size_t
field_changes(const struct form_recs *r, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].name, name) != 0)
			continue;
		if (n > 0 && strcmp(r->v[r->changes[n - 1]].value,
		    r->v[i].value) == 0)
			continue;
		r->changes[n++] = i;
	}
	return n;
}

static void
field_history_json(const struct form_recs *r, const char *name, int *first)
{
	size_t n = field_changes(r, name);

	if (n < 2)
		return;
	printf("%s", (*first)++ ? "," : "");
	json_str(name);
	printf(":[");
	for (size_t k = 0; k < n; k++) {
		const struct form_rec *x = &r->v[r->changes[k]];

		printf("%s{\"value\":", k ? "," : "");
		json_str(x->value);
		printf(",\"form\":%d", x->num);
		jtime("received_at", x->at);
		jstr("from", x->sender);
		printf("}");
	}
	printf("]");
}

struct history_json {
	const struct form_recs	*recs;
	int			 n;
};

static int
field_history_one(const char *name, const char *value, int personal,
    void *arg)
{
	struct history_json *h = arg;

	(void)value;
	(void)personal;
	field_history_json(h->recs, name, &h->n);
	return 0;
}

/* "forms": each form received with its answers. */
static void
forms_json(struct escbot *e, const struct form_recs *r)
{
	const struct form_def *f;
	int num = 0;

	printf(",\"forms\":[");
	for (size_t i = 0; i < r->n; i++) {
		const struct form_rec *x = &r->v[i];

		if (x->num != num) {
			if (num)
				printf("}}");
			num = x->num;
			f = form_set_find(e->rules->forms, x->form);
			printf("%s{\"num\":%d,\"form\":", num > 1 ? "," : "",
			    num);
			json_str(x->form);
			jstr("title", f ? f->title : NULL);
			jtime("received_at", x->at);
			jstr("from", x->sender);
			printf(",\"answers\":{");
		} else
			printf(",");
		json_str(x->name);
		printf(":");
		json_str(x->value);
	}
	printf("%s]", num ? "}}" : "");
}

/* "  name                         value", the value wrapped under itself;
 * then, when a later form changed it, each earlier answer with the form
 * that gave it. */
static int
field_text(const char *name, const char *value, int personal, void *arg)
{
	const struct form_recs *r = arg;
	char when[64], *line;
	size_t n;

	(void)personal;
	printf("  %-26s ", name);
	wrapped(value, 29 + (strlen(name) > 26 ? (int)strlen(name) - 26 : 0),
	    29);
	if (r == NULL || (n = field_changes(r, name)) < 2)
		return 0;
	for (size_t k = 0; k < n; k++) {
		const struct form_rec *x = &r->v[r->changes[k]];

		if (k == n - 1 && strcmp(x->value, value) == 0)
			break;
		local_time(x->at, when, sizeof(when));
		line = xasprintf("was (form %d, %s): %s", x->num, when,
		    x->value);
		printf("%29s", "");
		wrapped(line, 29, 29);
		free(line);
	}
	return 0;
}

/* Each form received: number, when, which, from whom; its answers. */
static void
forms_text(const struct form_recs *r)
{
	char when[64];
	int num = 0;

	printf("\nForms received (London time)\n  %-3s %-16s  %-20s %s\n", "#",
	    "RECEIVED", "FORM", "FROM");
	for (size_t i = 0; i < r->n; i++) {
		const struct form_rec *x = &r->v[i];
		size_t len = strlen(x->name);

		if (x->num != num) {
			num = x->num;
			local_time(x->at, when, sizeof(when));
			printf("  %-3d %-16s  %-20s %s\n", num, when, x->form,
			    x->sender);
		}
		printf("      %-22s ", x->name);
		wrapped(x->value, 29 + (len > 22 ? (int)len - 22 : 0), 29);
	}
}

static int
event_json(time_t at, const char *actor, const char *kind, const char *detail,
    void *arg)
{
	int *n = arg;

	printf("%s{\"at\":", (*n)++ ? "," : "");
	json_time(at);
	jstr("actor", actor);
	jstr("kind", kind);
	jstr("detail", detail);
	printf("}");
	return 0;
}

/* WHEN, WHAT, WHO on one line; what happened wrapped under them. */
static int
event_text(time_t at, const char *actor, const char *kind, const char *detail,
    void *arg)
{
	char when[64];

	(void)arg;
	local_time(at, when, sizeof(when));
	printf("  %-16s  %-12s %s\n", when, kind, actor ? actor : "-");
	if (detail && *detail) {
		printf("%20s", "");
		wrapped(detail, 20, 20);
	}
	return 0;
}

static int
action_json(const char *tmpl, const char *rcpt, const char *state,
    time_t created, time_t sent, const char *error, void *arg)
{
	int *n = arg;

	printf("%s{\"email\":", (*n)++ ? "," : "");
	json_str(tmpl);
	jstr("to", rcpt);
	jstr("state", state);
	jtime("queued_at", created);
	jtime("sent_at", sent);
	jstr("error", error);
	printf("}");
	return 0;
}

static int
tracked_json(const struct action_state *a, void *arg)
{
	int *n = arg;

	printf("%s{\"num\":%d,\"action\":", (*n)++ ? "," : "", a->num);
	json_str(a->action);
	jstr("owner", a->owner);
	jstr("purpose", a->purpose);
	jtime("due_at", a->due_at);
	printf(",\"done\":%s,\"reminded\":%s,\"chases\":%d}",
	    a->done ? "true" : "false", a->reminders_done ? "true" : "false",
	    a->chases_done);
	return 0;
}

static int
tracked_text(const struct action_state *a, void *arg)
{
	char due[64];

	(void)arg;
	local_time(a->due_at, due, sizeof(due));
	printf("  %-3d %-16s  %-5s ", a->num, due, a->done ? "done" : "open");
	wrapped(a->num == 0 ? "the next meeting" : a->action, 30, 30);
	if (a->owner && *a->owner) {
		printf("%30sowner: ", "");
		wrapped(a->owner, 37, 37);
	}
	return 0;
}

static int
action_text(const char *tmpl, const char *rcpt, const char *state,
    time_t created, time_t sent, const char *error, void *arg)
{
	char q[64], s[64];

	(void)arg;
	local_time(created, q, sizeof(q));
	local_time(sent, s, sizeof(s));
	printf("  %-16s  %-16s  %-16s %-8s %s\n", q, s, tmpl, state, rcpt);
	if (error && *error) {
		printf("%20serror: ", "");
		wrapped(error, 27, 27);
	}
	return 0;
}

static void
case_detail_json(struct escbot *e, const struct case_state *c,
    const struct form_recs *r)
{
	struct history_json h;
	int n = 0;

	case_json(e, c, escbot_now(e));
	printf(",\"fields\":{");
	store_fields_each(e->store, c->id, field_json, &n);
	printf("},\"field_history\":{");
	h.recs = r;
	h.n = 0;
	store_fields_each(e->store, c->id, field_history_one, &h);
	printf("}");
	forms_json(e, r);
	n = 0;
	printf(",\"actions\":[");
	store_actions_each(e->store, c->id, tracked_json, &n);
	n = 0;
	printf("],\"emails\":[");
	store_outbox_each(e->store, c->id, action_json, &n);
	n = 0;
	printf("],\"events\":[");
	store_events_each(e->store, c->id, event_json, &n);
	printf("]}\n");
}

/* "label      value", the value wrapped under itself. */
static void
item(const char *label, const char *value)
{
	printf("%-12s", label);
	wrapped(value && *value ? value : "-", 12, 12);
}

/* "a, b" from the record's "a,b" (cut short when it does not fit). */
static void
agencies_text(const char *list, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const char *p = list ? list : ""; *p && n + 3 < len; p++) {
		buf[n++] = *p;
		if (*p == ',')
			buf[n++] = ' ';
	}
	buf[n] = '\0';
}

/* The case's head: what it is, where it is, when it is due. */
static void
case_head(struct escbot *e, const struct case_state *c, time_t now)
{
	const struct protocol *p = rules_protocol(e->rules, c->protocol);
	const struct stage_def *s = case_stage(e, c);
	char buf[512], t[64], w[64];
	int late = overdue_days(e, c, now);

	item("Case", c->ref);
	snprintf(buf, sizeof(buf), "%s%s%s (form %s)", c->protocol,
	    p && p->name ? ": " : "", p && p->name ? p->name : "",
	    c->form ? c->form : "-");
	item("Protocol", buf);
	snprintf(buf, sizeof(buf), "%d %s", s ? s->number : 0,
	    s && s->name ? s->name : "");
	item("Stage", buf);
	snprintf(buf, sizeof(buf), "%s%s", case_status_name(c->status),
	    c->urgent ? ", urgent" : "");
	item("Status", buf);
	local_time(c->opened_at, t, sizeof(t));
	item("Opened", t);
	if (c->clock_start && c->clock_start != c->opened_at) {
		/* The protocol's clock runs from a date the form gave. */
		local_time(c->clock_start, t, sizeof(t));
		item("Clock from", t);
	}
	local_time(due_shown(e, c, now), t, sizeof(t));
	overdue_words(late, w, sizeof(w));
	if (c->status == CASE_OPEN)
		snprintf(buf, sizeof(buf), "%s%s%s%s", t, late >= 0 ?
		    " (overdue: " : "", late >= 0 ? w : "", late >= 0 ? ")" : "");
	else if (c->status == CASE_PAUSED) {
		local_time(c->paused_at, w, sizeof(w));
		snprintf(buf, sizeof(buf), "%s if resumed now (%d working "
		    "day%s left; paused %s)", t, c->paused_remaining,
		    c->paused_remaining == 1 ? "" : "s", w);
	} else
		snprintf(buf, sizeof(buf), "-");
	item("Due", buf);
	if (c->raised_name && *c->raised_name)
		snprintf(buf, sizeof(buf), "%s <%s>", c->raised_name,
		    c->raised_by ? c->raised_by : "");
	else
		snprintf(buf, sizeof(buf), "%s", c->raised_by ? c->raised_by :
		    "-");
	item("Raised by", buf);
	agencies_text(c->agencies, buf, sizeof(buf));
	item("Agencies", buf);
	item("Raising", c->raising_agency);
	agencies_text(c->receiving_agencies, buf, sizeof(buf));
	item("Receiving", buf);
	if (c->unresolved_agencies && *c->unresolved_agencies)
		item("Unresolved", c->unresolved_agencies);
	if (c->status == CASE_RESOLVED) {
		local_time(c->resolved_at, t, sizeof(t));
		snprintf(buf, sizeof(buf), "%s at level %d", t,
		    c->resolved_level);
		item("Resolved", buf);
		if (c->resolution && *c->resolution)
			item("Resolution", c->resolution);
	}
}

static void
case_detail_text(struct escbot *e, const struct case_state *c,
    const struct form_recs *r)
{
	case_head(e, c, escbot_now(e));
	printf("\nAnswers\n");
	store_fields_each(e->store, c->id, field_text, (void *)r);
	forms_text(r);
	printf("\nTimeline (London time)\n  %-16s  %-12s %s\n", "WHEN", "WHAT",
	    "WHO");
	store_events_each(e->store, c->id, event_text, NULL);
	printf("\nTracked actions\n  %-3s %-16s  %-5s %s\n", "#", "DUE",
	    "STATE", "ACTION");
	store_actions_each(e->store, c->id, tracked_text, NULL);
	printf("\nEmails\n  %-16s  %-16s  %-16s %-8s %s\n", "QUEUED", "SENT",
	    "EMAIL", "STATE", "TO");
	store_outbox_each(e->store, c->id, action_text, NULL);
}

int
present_case(struct escbot *e, const char *ref, int json)
{
	struct case_state c;
	struct form_recs r;
	int rc;

	if ((rc = store_case_get(e->store, ref, &c)) != 1)
		return rc;
	if (form_recs_load(e, c.id, &r) == -1) {
		case_state_free(&c);
		return -1;
	}
	if (json)
		case_detail_json(e, &c, &r);
	else
		case_detail_text(e, &c, &r);
	form_recs_free(&r);
	case_state_free(&c);
	return 1;
}

#define OUTBOX_HEAD	"%-6s %-15s %-16s %-8s %-5s %-16s  %-16s  %s\n"

static void
outbox_json(int64_t id, const char *ref, const char *tmpl, const char *rcpt,
    const char *state, int attempts, time_t created, time_t next,
    const char *error)
{
	printf("{\"id\":%lld,\"ref\":", (long long)id);
	json_str(ref);
	jstr("email", tmpl);
	jstr("to", rcpt);
	jstr("state", state);
	printf(",\"attempts\":%d", attempts);
	jtime("queued_at", created);
	printf(",\"next_attempt\":");
	if (strcmp(state, "pending") == 0)
		json_time(next);
	else
		fputs("null", stdout);
	jstr("error", error);
	printf("}");
}

static int
outbox_row(int64_t id, const char *ref, const char *tmpl, const char *rcpt,
    const char *state, int attempts, time_t created, time_t next,
    const char *error, void *arg)
{
	struct listing *l = arg;
	char c[64], n[64], num[32], tries[16];

	if (l->json) {
		printf("%s", l->count ? ",\n " : "\n ");
		outbox_json(id, ref, tmpl, rcpt, state, attempts, created, next,
		    error);
		l->count++;
		return 0;
	}
	if (l->count == 0)
		printf(OUTBOX_HEAD, "ID", "CASE", "EMAIL", "STATE", "TRIES",
		    "QUEUED", "NEXT TRY", "TO");
	local_time(created, c, sizeof(c));
	local_time(strcmp(state, "pending") == 0 ? next : 0, n, sizeof(n));
	snprintf(num, sizeof(num), "%lld", (long long)id);
	snprintf(tries, sizeof(tries), "%d", attempts);
	printf(OUTBOX_HEAD, num, ref ? ref : "-", tmpl, state, tries, c, n,
	    rcpt);
	if (error && *error) {
		printf("%7serror: ", "");
		wrapped(error, 14, 14);
	}
	l->count++;
	return 0;
}

int
present_outbox(struct escbot *e, int all, int json)
{
	struct listing l;
	int rc = 0;

	memset(&l, 0, sizeof(l));
	l.json = json;
	if (json)
		printf("[");
	if (all)
		rc = store_outbox_list(e->store, NULL, 1000, outbox_row, &l);
	else if ((rc = store_outbox_list(e->store, "failed", 1000, outbox_row,
	    &l)) == 0)
		rc = store_outbox_list(e->store, "pending", 1000, outbox_row, &l);
	if (json)
		printf("%s]\n", l.count ? "\n" : "");
	else if (l.count == 0)
		printf("outbox empty: nothing pending or failed\n");
	else
		printf("%d email%s; times are London time\n", l.count,
		    l.count == 1 ? "" : "s");
	return rc == -1 ? -1 : 0;
}

int
present_change_begin(struct escbot *e, const char *ref,
    struct present_change *pc)
{
	memset(pc, 0, sizeof(*pc));
	if (store_case_get(e->store, ref, &pc->before) != 1)
		return -1;
	pc->have = 1;
	if (store_outbox_each(e->store, pc->before.id, count_mail,
	    &pc->nmails) == -1) {
		present_change_free(pc);
		return -1;
	}
	return 0;
}

void
present_change_free(struct present_change *pc)
{
	if (pc->have)
		case_state_free(&pc->before);
	pc->have = 0;
}

/* What the command did to the case, in one sentence. */
static void
change_words(struct escbot *e, const struct case_state *b,
    const struct case_state *a, time_t now, struct strbuf *sb)
{
	const struct stage_def *sb_ = case_stage(e, b), *sa = case_stage(e, a);
	char was[64], due[64];
	int left = a->paused_remaining;

	local_time(due_shown(e, b, now), was, sizeof(was));
	local_time(due_shown(e, a, now), due, sizeof(due));
	if (a->status == CASE_RESOLVED)
		sb_addf(sb, "resolved at level %d", a->resolved_level);
	else if (a->status == CASE_PAUSED && b->status != CASE_PAUSED)
		sb_addf(sb, "paused at stage %d with %d working day%s left "
		    "(due %s if resumed now)", sa ? sa->number : 0, left,
		    left == 1 ? "" : "s", due);
	else if (a->status == CASE_PAUSED)
		sb_addf(sb, "still paused, now with %d working day%s left "
		    "(was %d); due %s if resumed now", left, left == 1 ? "" :
		    "s", b->paused_remaining, due);
	else if (b->status == CASE_PAUSED)
		sb_addf(sb, "resumed at stage %d; due %s", sa ? sa->number : 0,
		    due);
	else if (a->stage_idx != b->stage_idx)
		sb_addf(sb, "moved from stage %d to stage %d%s%s; due %s",
		    sb_ ? sb_->number : 0, sa ? sa->number : 0,
		    sa && sa->name ? ", " : "", sa && sa->name ? sa->name : "",
		    due);
	else
		sb_addf(sb, "stage %d now due %s (was %s)", sa ? sa->number : 0,
		    due, was);
}

struct told {
	int		 skip;		/* the emails there were before */
	int		 n;
	struct strbuf	*sb;
};

static int
told_one(const char *tmpl, const char *rcpt, const char *state,
    time_t created, time_t sent, const char *error, void *arg)
{
	struct told *t = arg;

	(void)tmpl;
	(void)created;
	(void)sent;
	(void)error;
	if (t->skip > 0) {
		t->skip--;
		return 0;
	}
	sb_addf(t->sb, "%s%s (%s)", t->n++ ? ", " : "", rcpt, state);
	return 0;
}

void
present_change_end(struct escbot *e, const char *ref, const char *command,
    struct present_change *pc)
{
	struct case_state a;
	struct strbuf sb = { 0 };
	struct told t;

	if (!pc->have || store_case_get(e->store, ref, &a) != 1) {
		printf("%s: %s done\n", ref, command);
		goto done;
	}
	printf("%s: %s done: ", a.ref, command);
	change_words(e, &pc->before, &a, escbot_now(e), &sb);
	wrapped(sb.buf ? sb.buf : "", (int)strlen(a.ref) + (int)strlen(command) +
	    9, 2);
	sb_reset(&sb);
	memset(&t, 0, sizeof(t));
	t.skip = pc->nmails;
	t.sb = &sb;
	store_outbox_each(e->store, a.id, told_one, &t);
	printf("  told: ");
	wrapped(t.n ? sb.buf : "nobody (no email)", 8, 8);
	sb_reset(&sb);
	case_state_free(&a);
done:
	present_change_free(pc);
}
