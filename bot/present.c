/*
 * present: the listings print row by row from the store's iterators, so a
 * long list is never held in memory.  Personal answers are shown (the
 * administrator's own record); reports (digest.c) are where they are not.
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "log.h"
#include "present.h"
#include "store.h"

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

struct listing {
	struct escbot		*e;
	int			 json;
	int			 count;
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

static void
case_json(struct escbot *e, const struct case_state *c, time_t now)
{
	const struct stage_def *s = case_stage(e, c);

	printf("{\"ref\":");
	json_str(c->ref);
	jstr("protocol", c->protocol);
	jstr("form", c->form);
	printf(",\"stage\":%d", s ? s->number : 0);
	jstr("stage_name", s ? s->name : NULL);
	jstr("status", case_status_name(c->status));
	jtime("opened_at", c->opened_at);
	jtime("due_at", c->due_at);
	printf(",\"overdue\":%s", c->status == CASE_OPEN && now > c->due_at ?
	    "true" : "false");
	jstr("raised_by", c->raised_by);
	printf(",\"urgent\":%s", c->urgent ? "true" : "false");
	jstr("agencies", c->agencies);
	if (c->status == CASE_RESOLVED) {
		jtime("resolved_at", c->resolved_at);
		printf(",\"resolved_level\":%d", c->resolved_level);
	}
	if (c->status == CASE_PAUSED)
		jtime("paused_at", c->paused_at);
}

static int
list_one(const struct case_state *c, void *arg)
{
	struct listing *l = arg;
	const struct stage_def *s = case_stage(l->e, c);
	char due[64];

	if (!case_matches(l, c, s))
		return 0;
	if (l->json) {
		printf("%s", l->count ? ",\n " : "\n ");
		case_json(l->e, c, l->now);
		printf("}");
	} else {
		if (calendar_format_iso(c->due_at, due, sizeof(due)) == -1)
			strcpy(due, "-");
		printf("%-16s %-9s stage %-2d %-8s due %s%s%s\n", c->ref,
		    c->protocol, s ? s->number : 0,
		    case_status_name(c->status),
		    c->status == CASE_RESOLVED ? "-" : due,
		    c->status == CASE_OPEN && l->now > c->due_at ? " OVERDUE" : "",
		    c->urgent ? " URGENT" : "");
	}
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

static int
field_text(const char *name, const char *value, int personal, void *arg)
{
	(void)arg;
	(void)personal;
	printf("  %-28s %s\n", name, value);
	return 0;
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

static int
event_text(time_t at, const char *actor, const char *kind, const char *detail,
    void *arg)
{
	char buf[64];

	(void)arg;
	if (calendar_format_iso(at, buf, sizeof(buf)) == -1)
		strcpy(buf, "-");
	printf("  %s  %-14s %-28s %s\n", buf, kind, actor, detail);
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
	char due[64] = "-";

	(void)arg;
	calendar_format_iso(a->due_at, due, sizeof(due));
	printf("  %-2d %.16s  %-5s %s%s%s\n", a->num, due, a->done ? "done" :
	    "open", a->action ? a->action : "", a->owner ? " -- " : "",
	    a->owner ? a->owner : "");
	return 0;
}

static int
action_text(const char *tmpl, const char *rcpt, const char *state,
    time_t created, time_t sent, const char *error, void *arg)
{
	char buf[64];

	(void)arg;
	(void)sent;
	if (calendar_format_iso(created, buf, sizeof(buf)) == -1)
		strcpy(buf, "-");
	printf("  %s  %-14s %-8s %s%s%s\n", buf, tmpl, state, rcpt,
	    error ? "  " : "", error ? error : "");
	return 0;
}

static void
case_detail_json(struct escbot *e, const struct case_state *c)
{
	int n = 0;

	case_json(e, c, escbot_now(e));
	printf(",\"fields\":{");
	store_fields_each(e->store, c->id, field_json, &n);
	n = 0;
	printf("},\"actions\":[");
	store_actions_each(e->store, c->id, tracked_json, &n);
	n = 0;
	printf("],\"emails\":[");
	store_outbox_each(e->store, c->id, action_json, &n);
	n = 0;
	printf("],\"events\":[");
	store_events_each(e->store, c->id, event_json, &n);
	printf("]}\n");
}

static void
case_detail_text(struct escbot *e, const struct case_state *c)
{
	struct listing l;

	memset(&l, 0, sizeof(l));
	l.e = e;
	l.now = escbot_now(e);
	list_one(c, &l);
	printf("raised by %s\nfields:\n", c->raised_by ? c->raised_by : "-");
	store_fields_each(e->store, c->id, field_text, NULL);
	printf("timeline:\n");
	store_events_each(e->store, c->id, event_text, NULL);
	printf("tracked actions:\n");
	store_actions_each(e->store, c->id, tracked_text, NULL);
	printf("emails:\n");
	store_outbox_each(e->store, c->id, action_text, NULL);
}

int
present_case(struct escbot *e, const char *ref, int json)
{
	struct case_state c;
	int rc;

	if ((rc = store_case_get(e->store, ref, &c)) != 1)
		return rc;
	if (json)
		case_detail_json(e, &c);
	else
		case_detail_text(e, &c);
	case_state_free(&c);
	return 1;
}

static int
outbox_row(int64_t id, const char *ref, const char *tmpl, const char *rcpt,
    const char *state, int attempts, time_t created, time_t next,
    const char *error, void *arg)
{
	struct listing *l = arg;
	char c[64] = "-", n[64] = "-";

	calendar_format_iso(created, c, sizeof(c));
	if (strcmp(state, "pending") == 0)
		calendar_format_iso(next, n, sizeof(n));
	if (l->json) {
		printf("%s{\"id\":%lld,\"ref\":", l->count ? ",\n " : "\n ",
		    (long long)id);
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
	} else
		printf("%-6lld %-15s %-14s %-8s %2d  queued %.16s  next %.16s  %s%s%s\n",
		    (long long)id, ref ? ref : "-", tmpl, state, attempts, c, n,
		    rcpt, error ? "  " : "", error ? error : "");
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
	return rc == -1 ? -1 : 0;
}

