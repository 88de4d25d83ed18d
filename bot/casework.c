/*
 * casework: every change to a case goes through here, so that every change
 * leaves the same traces -- an event with who and why, the participants
 * remembered for later authorisation, and emails rendered in full before
 * the commit so what is sent is exactly what was decided.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework.h"
#include "config.h"
#include "log.h"
#include "mailer.h"
#include "util.h"

void
casework_case_vars(struct escbot *e, const struct case_state *c,
    struct tvars *v)
{
	const struct protocol *p = rules_protocol(e->rules, c->protocol);
	const struct stage_def *s = NULL;
	const struct form_def *f;
	char buf[128];

	tvars_set(v, "ref", c->ref);
	tvars_set(v, "protocol", c->protocol);
	tvars_set(v, "status", case_status_name(c->status));
	tvars_set(v, "mailbox", e->cfg->smtp.from_addr);
	tvars_set(v, "raiser_email", c->raised_by);
	tvars_set(v, "raiser_name", c->raised_name && *c->raised_name ?
	    c->raised_name : "colleague");
	tvars_set(v, "urgent", c->urgent ? "yes" : "");
	if (p != NULL) {
		tvars_set(v, "protocol_name", p->name);
		tvars_set(v, "urgent_instruction", p->urgent_instruction);
		if (c->stage_idx >= 0 && (size_t)c->stage_idx < p->nstages)
			s = &p->stages[c->stage_idx];
		if (s != NULL && (size_t)c->stage_idx + 1 < p->nstages)
			tvars_set(v, "next_stage_name",
			    p->stages[c->stage_idx + 1].name);
	}
	if (s != NULL) {
		tvars_setf(v, "stage_number", "%d", s->number);
		tvars_set(v, "stage_name", s->name);
		tvars_set(v, "stage_expects", s->expects);
	}
	tvars_set(v, "form", c->form);
	if (c->form && (f = form_set_find(e->rules->forms, c->form)) != NULL)
		tvars_set(v, "form_title", f->title);
	if (calendar_format_words(c->due_at, buf, sizeof(buf)) == 0)
		tvars_set(v, "due_words", buf);
	if (calendar_format_iso(c->due_at, buf, sizeof(buf)) == 0)
		tvars_set(v, "due_iso", buf);
	if (calendar_format_date(c->due_at, buf, sizeof(buf)) == 0)
		tvars_set(v, "due_date", buf);
	if (calendar_format_words(c->opened_at, buf, sizeof(buf)) == 0)
		tvars_set(v, "opened_words", buf);
	if (c->resolved_level)
		tvars_setf(v, "level", "%d", c->resolved_level);
	tvars_set(v, "agencies", c->agencies);
}

/* Envelope recipients: the addr-specs of To and Cc, each once. */
static char **
envelope(const char *const *to, size_t nto, const char *const *cc,
    size_t ncc, size_t *n)
{
	char **r = xcalloc(nto + ncc + 1, sizeof(char *)), *a;

	*n = 0;
	for (size_t i = 0; i < nto + ncc; i++) {
		a = config_addr_spec(i < nto ? to[i] : cc[i - nto]);
		if (a == NULL)
			continue;
		for (size_t k = 0; k < *n; k++)
			if (strcmp(r[k], a) == 0) {
				free(a);
				a = NULL;
				break;
			}
		if (a)
			r[(*n)++] = a;
	}
	return r;
}

static void
free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* Render, compose and queue one email.  1 queued, 0 duplicate, -1 error. */
static int
queue_mail(struct escbot *e, int64_t case_id, const char *ref,
    const char *tmpl, const char *token, const char *const *to, size_t nto,
    const char *const *cc, size_t ncc, const char *in_reply_to,
    const char *thread_id, struct tvars *v, time_t not_before, time_t now)
{
	struct outgoing o;
	struct rendered r;
	char err[512], *msgid, *data, *subject, *refs, **rcpts;
	size_t nrcpts;
	int rc;

	if (nto == 0)
		return 0;
	if (template_render(e->cfg->templates_dir, tmpl, v, &r, err,
	    sizeof(err)) == -1) {
		log_warnx("case %s: template %s: %s", ref ? ref : "-", tmpl, err);
		return -1;
	}
	/* The case tag in every subject, so replies find their case. */
	if (ref && strstr(r.subject, ref) == NULL)
		subject = xasprintf("[%s] %s", ref, r.subject);
	else
		subject = xstrdup(r.subject);
	msgid = mailer_message_id(token, e->cfg->smtp.from_addr);
	if (thread_id && in_reply_to && strcmp(thread_id, in_reply_to) != 0)
		refs = xasprintf("%s %s", thread_id, in_reply_to);
	else
		refs = xstrdup(thread_id ? thread_id : in_reply_to ? in_reply_to : "");
	memset(&o, 0, sizeof(o));
	o.from = e->cfg->smtp.from;
	o.to = to;
	o.nto = nto;
	o.cc = cc;
	o.ncc = ncc;
	o.subject = subject;
	o.text = r.text;
	o.html = r.html;
	o.message_id = msgid;
	o.in_reply_to = in_reply_to ? in_reply_to : thread_id;
	o.references = refs;
	o.date = now;
	data = mailer_compose(&o);
	rcpts = envelope(to, nto, cc, ncc, &nrcpts);
	rc = store_outbox_add(e->store, token, case_id, tmpl, msgid, data,
	    (const char *const *)rcpts, nrcpts, not_before, now);
	free_list(rcpts, nrcpts);
	free(data);
	free(refs);
	free(msgid);
	free(subject);
	rendered_free(&r);
	return rc;
}

int
casework_apply(struct escbot *e, const struct case_state *c,
    const struct decisions *d, const char *in_reply_to,
    const struct tvars *extra, time_t now)
{
	struct tvars v = { 0 };
	char **rcpts;
	size_t n;
	int rc = -1;

	for (size_t i = 0; i < d->nevents; i++)
		if (store_event_add(e->store, c->id, now, d->events[i].actor,
		    d->events[i].kind, d->events[i].detail) == -1)
			goto fail;
	if (c->raised_by && store_participant_add(e->store, c->id,
	    c->raised_by) == -1)
		goto fail;
	for (size_t i = 0; i < d->nmails; i++) {
		const struct mail_decision *m = &d->mails[i];

		tvars_free(&v);
		casework_case_vars(e, c, &v);
		tvars_set(&v, "note", m->note);
		tvars_set(&v, "actor", m->actor);
		for (size_t k = 0; extra && k < extra->n; k++)
			tvars_set(&v, extra->names[k], extra->values[k]);
		rcpts = envelope((const char *const *)m->to, m->nto,
		    (const char *const *)m->cc, m->ncc, &n);
		for (size_t k = 0; k < n; k++)
			if (store_participant_add(e->store, c->id, rcpts[k]) == -1) {
				free_list(rcpts, n);
				goto fail;
			}
		free_list(rcpts, n);
		if (queue_mail(e, c->id, c->ref, m->template, m->token,
		    (const char *const *)m->to, m->nto,
		    (const char *const *)m->cc, m->ncc,
		    i == 0 ? in_reply_to : NULL, c->thread_id, &v,
		    m->not_before ? m->not_before : now, now) == -1)
			goto fail;
	}
	rc = 0;
fail:
	tvars_free(&v);
	return rc;
}

int
casework_reply(struct escbot *e, const char *tmpl, const char *token,
    const char *rcpt, const char *in_reply_to, struct tvars *v, time_t now)
{
	const char *to[1] = { rcpt };

	/* Replies that answer no case (rejections, help) are capped per
	 * sender and day: a misbehaving robot that slips past the loop
	 * checks gets a few answers, not a storm. */
	if (store_replies_since(e->store, rcpt, NULL, now - 86400) >=
	    e->cfg->max_replies_per_sender_day) {
		log_warnx("reply to %s not sent: %d emails to it in 24 hours "
		    "(max_replies_per_sender_per_day)", rcpt,
		    e->cfg->max_replies_per_sender_day);
		return 0;
	}
	tvars_set(v, "mailbox", e->cfg->smtp.from_addr);
	return queue_mail(e, 0, NULL, tmpl, token, to, 1, NULL, 0, in_reply_to,
	    NULL, v, now, now);
}

static struct engine_ctx
ctx_for(struct escbot *e, const struct case_state *c, time_t now)
{
	struct engine_ctx x;

	x.proto = rules_protocol(e->rules, c->protocol);
	x.cal = e->cal;
	x.dir = e->dir;
	x.now = now;
	return x;
}

struct action_tick {
	struct escbot	*e;
	time_t		 now;
	int		 changed;
};

/* One due action: its case, the engine's decision, one transaction. */
static int
tick_action(int64_t case_id, struct action_state *a, void *arg)
{
	struct action_tick *t = arg;
	struct escbot *e = t->e;
	struct case_state c;
	struct decisions d = { 0 };
	struct engine_ctx x;
	int rc = -1;

	if (store_begin(e->store) == -1)
		return -1;
	if (store_case_get_id(e->store, case_id, &c) != 1) {
		store_rollback(e->store);
		return -1;
	}
	x = ctx_for(e, &c, t->now);
	engine_action_tick(a, &c, &x, &d);
	if (store_action_update(e->store, a) == 0 &&
	    casework_apply(e, &c, &d, NULL, NULL, t->now) == 0 &&
	    store_commit(e->store) == 0) {
		for (size_t k = 0; k < d.nevents; k++)
			log_info("case %s: %s", c.ref, d.events[k].kind);
		t->changed += d.nevents > 0;
		rc = 0;
	} else
		store_rollback(e->store);
	decisions_free(&d);
	case_state_free(&c);
	return rc;
}

int
casework_tick(struct escbot *e)
{
	struct engine_ctx x;
	struct case_state c;
	struct decisions d;
	int64_t *ids;
	size_t n;
	time_t now = escbot_now(e);
	int changed = 0;

	if (store_cases_due(e->store, now, &ids, &n) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		memset(&d, 0, sizeof(d));
		if (store_begin(e->store) == -1)
			goto fail;
		if (store_case_get_id(e->store, ids[i], &c) != 1) {
			store_rollback(e->store);
			goto fail;
		}
		x = ctx_for(e, &c, now);
		if (x.proto == NULL) {
			/* Its protocol file was removed: leave it alone, but
			 * say so once per tick rather than lose the case. */
			log_warnx("case %s: protocol \"%s\" is not in the rules; "
			    "not timed", c.ref, c.protocol);
			store_rollback(e->store);
			case_state_free(&c);
			continue;
		}
		if ((size_t)c.stage_idx >= x.proto->nstages)
			c.stage_idx = (int)x.proto->nstages - 1;
		engine_tick(&c, &x, &d);
		if (store_case_update(e->store, &c) == -1 ||
		    casework_apply(e, &c, &d, NULL, NULL, now) == -1 ||
		    store_commit(e->store) == -1) {
			store_rollback(e->store);
			decisions_free(&d);
			case_state_free(&c);
			goto fail;
		}
		for (size_t k = 0; k < d.nevents; k++)
			log_info("case %s: %s", c.ref, d.events[k].kind);
		if (d.nevents)
			changed++;
		decisions_free(&d);
		case_state_free(&c);
	}
	free(ids);
	{
		struct action_tick t = { e, now, 0 };

		if (store_actions_due(e->store, now, tick_action, &t) == -1)
			log_warnx("tick: actions: %s", store_error(e->store));
		changed += t.changed;
	}
	return changed;
fail:
	log_warnx("tick: %s", store_error(e->store));
	free(ids);
	return -1;
}

int
casework_command(struct escbot *e, const char *ref, const struct command *cmd,
    const char *in_reply_to, int in_txn, char *err, size_t errlen)
{
	struct engine_ctx x;
	struct case_state c;
	struct decisions d = { 0 };
	time_t now = escbot_now(e);
	int rc;

	if (!in_txn && store_begin(e->store) == -1) {
		snprintf(err, errlen, "database busy: %s", store_error(e->store));
		return -1;
	}
	if ((rc = store_case_get(e->store, ref, &c)) != 1) {
		snprintf(err, errlen, rc == 0 ? "no case %s" : "database: %s",
		    rc == 0 ? ref : store_error(e->store));
		goto fail;
	}
	x = ctx_for(e, &c, now);
	if (x.proto == NULL) {
		snprintf(err, errlen, "case %s: protocol %s is not in the rules",
		    c.ref, c.protocol);
		goto fail_case;
	}
	if (engine_command(&c, &x, cmd, &d, err, errlen) == -1)
		goto fail_case;
	if (store_case_update(e->store, &c) == -1 ||
	    casework_apply(e, &c, &d, in_reply_to, NULL, now) == -1) {
		snprintf(err, errlen, "database: %s", store_error(e->store));
		goto fail_case;
	}
	if (!in_txn && store_commit(e->store) == -1) {
		snprintf(err, errlen, "database: %s", store_error(e->store));
		goto fail_case;
	}
	log_info("case %s: %s by %s", c.ref, d.nevents ? d.events[0].kind :
	    "command", cmd->actor ? cmd->actor : "cli");
	decisions_free(&d);
	case_state_free(&c);
	return 0;
fail_case:
	decisions_free(&d);
	case_state_free(&c);
fail:
	if (!in_txn)
		store_rollback(e->store);
	return -1;
}

int
casework_alert(struct escbot *e, const char *what, const char *error)
{
	struct tvars v = { 0 };
	struct tm tm;
	char *tok;
	int rc = 0;

	if (e->cfg->admin_email[0] == '\0')
		return 0;
	calendar_utc_to_london(escbot_now(e), &tm);
	tok = xasprintf("alert/%s/%04d-%02d-%02d", what, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	tvars_set(&v, "subject", what);
	tvars_set(&v, "note", error);
	if (store_begin(e->store) == -1) {
		rc = -1;
		goto done;
	}
	if (casework_reply(e, "admin-alert", tok, e->cfg->admin_email, NULL, &v,
	    escbot_now(e)) < 0 || store_commit(e->store) == -1) {
		store_rollback(e->store);
		rc = -1;
	}
done:
	free(tok);
	tvars_free(&v);
	return rc;
}
