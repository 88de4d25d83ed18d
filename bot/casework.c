/*
 * casework: every change to a case goes through here, so that every change
 * leaves the same traces -- an event with who and why, the participants
 * remembered for later authorisation, and emails rendered in full before
 * the commit so what is sent is exactly what was decided.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework.h"
#include "directory.h"
#include "config.h"
#include "docx.h"
#include "form.h"
#include "intake.h"
#include "log.h"
#include "mailer.h"
#include "message.h"
#include "util.h"
#include "store.h"
#include "escbot.h"
#include "template.h"
#include "engine.h"
#include "calendar.h"
#include "rules.h"
#include "directory.h"

/* The directory of a protocol's partnership, as the protocol sees it
 * (its service); the first partnership when there is no protocol. */
static const struct directory *
proto_dir(const struct escbot *e, const struct protocol *p)
{
	return p != NULL && p->dir != NULL ? p->dir : e->dir;
}

static const struct directory *
case_dir(const struct escbot *e, const struct case_state *c)
{
	return proto_dir(e, rules_protocol(e->rules, c->protocol));
}

/* The names of a list of agency ids but `skip` (may be NULL), joined by
 * "; ". */
static char *
agency_names(const struct directory *dir, const char *ids,
    const struct dir_agency *skip)
{
	struct strbuf sb = { 0 };
	char *copy = xstrdup(ids ? ids : ""), *id, *save = NULL;

	for (id = strtok_r(copy, ",", &save); id;
	    id = strtok_r(NULL, ",", &save)) {
		const struct dir_agency *a = directory_agency_by_id(dir,
		    str_trim(id));

		if (a != NULL && a == skip)
			continue;
		if (sb.len)
			sb_adds(&sb, "; ");
		sb_adds(&sb, a ? a->name : id);
	}
	free(copy);
	return sb.len ? sb_steal(&sb) : xstrdup("");
}

/* raising_agency, receiving_agencies (names), agencies_recognised (both,
 * the raising one marked) and agencies_unrecognised. */
static void
agency_vars(struct escbot *e, const struct case_state *c, struct tvars *v)
{
	const struct directory *dir = case_dir(e, c);
	const struct dir_agency *ra = c->raising_agency ?
	    directory_agency_by_id(dir, c->raising_agency) : NULL;
	char *recv = agency_names(dir, c->receiving_agencies, NULL);

	tvars_set(v, "raising_agency", ra ? ra->name : c->raising_agency);
	tvars_set(v, "receiving_agencies", recv);
	if (ra && *recv)
		tvars_setf(v, "agencies_recognised", "%s (raising); %s",
		    ra->name, recv);
	else if (ra)
		tvars_setf(v, "agencies_recognised", "%s (raising)", ra->name);
	else
		tvars_set(v, "agencies_recognised", *recv ? recv : "none");
	tvars_set(v, "agencies_unrecognised", c->unresolved_agencies);
	free(recv);
}

/* stage_contacts: who the stage's emails go to ("Name <addr>; ..."): the
 * stage's roles at the case's agencies and its partnership roles. */
static void
stage_contacts_var(struct escbot *e, const struct protocol *p,
    const struct case_state *c, struct tvars *v)
{
	struct engine_ctx x = { p, e->cal, proto_dir(e, p), c->opened_at };
	struct strbuf sb = { 0 };
	char **list = NULL;
	size_t n = 0;

	engine_stage_recipients(c, &x, c->stage_idx, 0, &list, &n);
	for (size_t i = 0; i < n; i++) {
		if (sb.len)
			sb_adds(&sb, "; ");
		sb_adds(&sb, list[i]);
		free(list[i]);
	}
	free(list);
	if (sb.len)
		tvars_set(v, "stage_contacts", sb.buf);
	sb_reset(&sb);
}

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
		/* Stages that are duties with their own deadlines (003):
		 * done with COMPLETED, not resolved or escalated. */
		tvars_set(v, "duties", p->cumulative ? "yes" : "");
		tvars_set(v, "urgent_instruction", p->urgent_instruction);
		if (p->urgent_stage_days < 0)
			tvars_set(v, "urgent_timescale",
			    "each has the protocol's own timescale");
		else if (p->urgent_stage_days == 0)
			tvars_set(v, "urgent_timescale", "each is due the "
			    "working day its people are told");
		else
			tvars_setf(v, "urgent_timescale", "none is given more "
			    "than %d working day%s", p->urgent_stage_days,
			    p->urgent_stage_days == 1 ? "" : "s");
		if (c->stage_idx >= 0 && (size_t)c->stage_idx < p->nstages)
			s = &p->stages[c->stage_idx];
		if (s != NULL && (size_t)c->stage_idx + 1 < p->nstages)
			tvars_set(v, "next_stage_name",
			    p->stages[c->stage_idx + 1].name);
	}
	if (s != NULL) {
		tvars_setf(v, "stage_number", "%d", s->number);
		tvars_set(v, "stage_name", s->name);
		/* A stage whose rules say nothing of what it expects. */
		if (s->expects && *s->expects)
			tvars_set(v, "stage_expects", s->expects);
		else
			tvars_setf(v, "stage_expects", "the people of stage "
			    "%d (%s) work to resolve the disagreement by the "
			    "deadline and reply with what was agreed", s->number,
			    s->name);
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
	agency_vars(e, c, v);
	if (s != NULL)
		stage_contacts_var(e, p, c, v);
}

/* ------------------------------------------------------------------ */
/* The case as the people of a stage need it to act: who raised it and */
/* which agencies, the form, the stage history and the form's answers.  */

static char	**envelope(const char *const *, size_t, const char *const *,
		    size_t, size_t *);
static void	  free_list(char **, size_t);

struct history {
	int	 idx[64];
	time_t	 at[64];
	char	*how[64];
	size_t	 n;
	int	 upto_idx;	/* the stage the email is about */
	time_t	 upto_at;
};

static int
history_row(int idx, time_t at, time_t due, const char *how, void *arg)
{
	struct history *h = arg;

	(void)due;
	/* The history as it stood at the stage the email describes. */
	if (at > h->upto_at || (at == h->upto_at && idx > h->upto_idx))
		return 0;
	if (h->n == sizeof(h->idx) / sizeof(h->idx[0])) {
		/* Keep the latest: drop the oldest. */
		free(h->how[0]);
		memmove(h->idx, h->idx + 1, (h->n - 1) * sizeof(h->idx[0]));
		memmove(h->at, h->at + 1, (h->n - 1) * sizeof(h->at[0]));
		memmove(h->how, h->how + 1, (h->n - 1) * sizeof(h->how[0]));
		h->n--;
	}
	h->idx[h->n] = idx;
	h->at[h->n] = at;
	h->how[h->n++] = xstrdup(how ? how : "");
	return 0;
}

/* "- Stage 3, Senior managers ...: from 10am on Monday 23 November 2026
 *   (opened) to 5pm on Thursday 26 November 2026 (stage 3's deadline
 *   passed)", the last "... now, due by ...". */
static char *
stage_history(struct escbot *e, const struct case_state *c,
    const struct protocol *p)
{
	struct history h;
	struct strbuf sb = { 0 };
	char from[96], to[96];

	memset(&h, 0, sizeof(h));
	h.upto_idx = c->stage_idx;
	h.upto_at = c->stage_started_at;
	if (c->id == 0 || store_stages_each(e->store, c->id, history_row,
	    &h) == -1 || h.n == 0) {
		/* No history recorded (a case from before it was kept). */
		for (size_t i = 0; i < h.n; i++)
			free(h.how[i]);
		h.n = 0;
		history_row(c->stage_idx, c->stage_started_at, c->due_at, "", &h);
	}
	for (size_t i = 0; i < h.n; i++) {
		const struct stage_def *s = h.idx[i] >= 0 &&
		    (size_t)h.idx[i] < p->nstages ? &p->stages[h.idx[i]] : NULL;

		if (calendar_format_words(h.at[i], from, sizeof(from)) == -1)
			from[0] = '\0';
		sb_addf(&sb, "%s- Stage %d, %s: from %s%s%s%s", i ? "\n" : "",
		    s ? s->number : h.idx[i] + 1, s ? s->name : "?", from,
		    *h.how[i] ? " (" : "", h.how[i], *h.how[i] ? ")" : "");
		if (i + 1 < h.n) {
			if (calendar_format_words(h.at[i + 1], to,
			    sizeof(to)) == -1)
				to[0] = '\0';
			sb_addf(&sb, " to %s (%s)", to, h.how[i + 1]);
		} else if (c->status == CASE_PAUSED)
			sb_adds(&sb, ", now: paused");
		else if (c->status == CASE_RESOLVED)
			sb_addf(&sb, ", resolved at level %d", c->resolved_level);
		else if (calendar_format_words(c->due_at, to, sizeof(to)) == 0)
			sb_addf(&sb, ", now: due by %s", to);
	}
	for (size_t i = 0; i < h.n; i++)
		free(h.how[i]);
	return sb_steal(&sb);
}

struct answers {
	const struct form_def	*form;
	int			 personal_ok;
	struct strbuf		 sb;
};

static int
answer_row(const char *name, const char *value, int personal, void *arg)
{
	struct answers *a = arg;
	const struct form_field_def *f = a->form ?
	    form_field_find(a->form, name) : NULL;
	const char *label = f && f->label ? f->label : name;
	size_t n = 0;

	sb_addf(&a->sb, "%s- %s: ", a->sb.len ? "\n" : "", label);
	if (personal && !a->personal_ok) {
		sb_adds(&a->sb, "(personal: not in this email)");
		return 0;
	}
	/* Long answers cut, continuation lines indented under the label. */
	for (const char *q = value; *q && n < 600; q++, n++) {
		if (*q == '\r')
			continue;
		if (*q == '\n')
			sb_adds(&a->sb, "\n    ");
		else
			sb_addc(&a->sb, *q);
	}
	if (strlen(value) > 600)
		sb_adds(&a->sb, "...");
	return 0;
}

/* Whether every recipient of m may be sent the case's personal answers:
 * personal_to "stage_roles" lets the role holders of the stage the email
 * is about at the case's agencies (not the partnership's own roles), and
 * the raiser, whose form it is: the protocol sends them the form.
 * "nobody": nobody.  One recipient outside that and the email goes
 * without them. */
static int
personal_allowed(struct escbot *e, const struct case_state *c,
    const struct mail_decision *m, time_t now)
{
	struct engine_ctx x;
	char **allowed = NULL, **rcpts, *a;
	size_t nallowed = 0, n, ok = 0;

	if (e->cfg->personal_to == PERSONAL_TO_NOBODY)
		return 0;
	x.proto = rules_protocol(e->rules, c->protocol);
	x.cal = e->cal;
	x.dir = proto_dir(e, x.proto);
	x.now = now;
	if (x.proto == NULL)
		return 0;
	/* The completed forms' copy goes to whom the protocol sends the
	 * forms (004 stage 7: the Partnership Manager). */
	if (strcmp(m->template, "forms-copy") == 0)
		engine_role_recipients(c, &x, x.proto->forms_to,
		    x.proto->nforms_to, &allowed, &nallowed);
	else
		engine_stage_recipients(c, &x, m->stage_idx, 1, &allowed,
		    &nallowed);
	rcpts = envelope((const char *const *)m->to, m->nto,
	    (const char *const *)m->cc, m->ncc, &n);
	for (size_t i = 0; i < n; i++) {
		int found = c->raised_by &&
		    str_casecmp(rcpts[i], c->raised_by) == 0;

		for (size_t k = 0; !found && k < nallowed; k++) {
			a = config_addr_spec(allowed[k]);
			found = a && str_casecmp(a, rcpts[i]) == 0;
			free(a);
		}
		ok += found;
	}
	free_list(rcpts, n);
	free_list(allowed, nallowed);
	return n > 0 && ok == n;
}

/*
 * The case context every email to a stage's people carries, built here
 * only: raising_agency, receiving_agencies, stage_history, answers, and
 * all of them as one block, case_context.  The personal answers only
 * when personal_ok.
 */
static void
case_context(struct escbot *e, const struct case_state *c, int personal_ok,
    struct tvars *v)
{
	const struct protocol *p = rules_protocol(e->rules, c->protocol);
	const struct directory *dir = proto_dir(e, p);
	/* The agencies the case recorded; a case from before they were
	 * recorded apart: the raiser's by domain, and the others. */
	const struct dir_agency *raising = c->raising_agency ?
	    directory_agency_by_id(dir, c->raising_agency) : c->raised_by ?
	    directory_agency_by_email(dir, c->raised_by) : NULL;
	const struct form_def *f = c->form ?
	    form_set_find(e->rules->forms, c->form) : NULL;
	struct answers ans = { f, personal_ok, { 0 } };
	struct strbuf sb = { 0 };
	char *receiving, *history = NULL, *answers;

	receiving = c->receiving_agencies ? agency_names(dir,
	    c->receiving_agencies, NULL) : agency_names(dir, c->agencies,
	    raising);
	if (p != NULL)
		history = stage_history(e, c, p);
	if (c->id != 0)
		store_fields_each(e->store, c->id, answer_row, &ans);
	answers = sb_steal(&ans.sb);
	if (answers == NULL)
		answers = xstrdup("");
	tvars_set(v, "raising_agency", raising ? raising->name :
	    "not in the directory");
	tvars_set(v, "receiving_agencies", *receiving ? receiving :
	    "none recognised");
	tvars_set(v, "stage_history", history ? history : "");
	tvars_set(v, "answers", answers);

	sb_addf(&sb, "Raised by: %s%s%s%s, %s\n",
	    c->raised_name && *c->raised_name ? c->raised_name : "",
	    c->raised_name && *c->raised_name ? " <" : "",
	    c->raised_by ? c->raised_by : "unknown",
	    c->raised_name && *c->raised_name ? ">" : "",
	    raising ? raising->name : "an agency not in the directory");
	sb_addf(&sb, "Receiving agencies: %s\n", *receiving ? receiving :
	    "none recognised (reply to say which)");
	if (f != NULL)
		sb_addf(&sb, "Form: %s (%s)\n", f->title, f->id);
	else if (c->form)
		sb_addf(&sb, "Form: %s\n", c->form);
	if (history && *history)
		sb_addf(&sb, "\nStage history:\n%s\n", history);
	if (*answers)
		sb_addf(&sb, "\nThe form's answers%s:\n%s\n", personal_ok ? "" :
		    " (personal details left out)", answers);
	free(answers);
	answers = sb_steal(&sb);
	tvars_set(v, "case_context", answers);
	free(answers);
	free(history);
	free(receiving);
}

struct form_copy {
	struct escbot	*e;
	int		 personal_ok;
	int64_t		 last;
	int		 num;
	const struct form_def *f;
	struct strbuf	 sb;
};

static int
form_copy_row(const struct form_answer *a, void *arg)
{
	struct form_copy *fc = arg;
	const struct form_field_def *fd;
	const char *label;
	char when[96];

	if (fc->num == 0 || a->form_id != fc->last) {
		fc->last = a->form_id;
		fc->num++;
		fc->f = a->form ? form_set_find(fc->e->rules->forms, a->form) :
		    NULL;
		if (calendar_format_words(a->at, when, sizeof(when)) == -1)
			when[0] = '\0';
		sb_addf(&fc->sb, "%sForm %d: %s, received %s from %s\n",
		    fc->num > 1 ? "\n" : "", fc->num, fc->f ? fc->f->title :
		    a->form ? a->form : "?", when, a->sender ? a->sender : "?");
	}
	fd = fc->f ? form_field_find(fc->f, a->name) : NULL;
	label = fd && fd->label ? fd->label : a->name;
	/* "- Label: answer"; a question keeps its question mark. */
	sb_addf(&fc->sb, "- %s%s ", label, *label &&
	    label[strlen(label) - 1] == '?' ? "" : ":");
	if (a->personal && !fc->personal_ok)
		sb_adds(&fc->sb, "(personal: not in this email)");
	else
		for (const char *q = a->value ? a->value : ""; *q; q++) {
			if (*q == '\r')
				continue;
			if (*q == '\n')
				sb_adds(&fc->sb, "\n    ");
			else
				sb_addc(&fc->sb, *q);
		}
	sb_addc(&fc->sb, '\n');
	return 0;
}

/* form_records: every form received for the case, oldest first, each
 * with when and from whom and every answer under its label (what
 * `escbot case REF` shows), the personal ones only when personal_ok. */
static void
form_records(struct escbot *e, const struct case_state *c, int personal_ok,
    struct tvars *v)
{
	struct form_copy fc;
	char *text;

	memset(&fc, 0, sizeof(fc));
	fc.e = e;
	fc.personal_ok = personal_ok;
	if (c->id != 0)
		store_form_answers_each(e->store, c->id, form_copy_row, &fc);
	text = sb_steal(&fc.sb);
	tvars_set(v, "form_records", text && *text ? text :
	    "(no form was received)");
	free(text);
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
    const char *thread_id, struct tvars *v, const struct attachment_out *att,
    size_t natt, time_t not_before, time_t now)
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
	msgid = mailer_message_id(e->msgid_key, token, e->cfg->smtp.from_addr);
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
	/* An email held to working hours is dated when it may leave. */
	o.date = not_before > now ? not_before : now;
	o.attachments = att;
	o.nattachments = natt;
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
	for (size_t i = 0; i < d->nstages; i++)
		if (store_stage_add(e->store, c->id, d->stages[i].stage_idx,
		    d->stages[i].entered_at, d->stages[i].due_at,
		    d->stages[i].how) == -1)
			goto fail;
	if (c->raised_by && store_participant_add(e->store, c->id,
	    c->raised_by) == -1)
		goto fail;
	for (size_t i = 0; i < d->nmails; i++) {
		const struct mail_decision *m = &d->mails[i];
		struct case_state as = *c;

		/* Written from the state it describes, not the case's
		 * latest. */
		as.stage_idx = m->stage_idx;
		as.stage_started_at = m->stage_started_at;
		as.due_at = m->due_at;
		as.status = m->status;
		int personal_ok = personal_allowed(e, &as, m, now);

		tvars_free(&v);
		casework_case_vars(e, &as, &v);
		case_context(e, &as, personal_ok, &v);
		if (strcmp(m->template, "forms-copy") == 0)
			form_records(e, &as, personal_ok, &v);
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
		    i == 0 ? in_reply_to : NULL, c->thread_id, &v, NULL, 0,
		    m->not_before ? m->not_before : now, now) == -1)
			goto fail;
	}
	rc = 0;
fail:
	tvars_free(&v);
	return rc;
}

/* casework_reply, with files attached. */
static int
reply_attached(struct escbot *e, const char *tmpl, const char *token,
    const char *rcpt, const char *in_reply_to, struct tvars *v,
    const struct attachment_out *att, size_t natt, time_t now)
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
	    NULL, v, att, natt, now, now);
}

int
casework_reply(struct escbot *e, const char *tmpl, const char *token,
    const char *rcpt, const char *in_reply_to, struct tvars *v, time_t now)
{
	return reply_attached(e, tmpl, token, rcpt, in_reply_to, v, NULL, 0,
	    now);
}

static struct engine_ctx
ctx_for(struct escbot *e, const struct case_state *c, time_t now)
{
	struct engine_ctx x;

	x.proto = rules_protocol(e->rules, c->protocol);
	x.cal = e->cal;
	x.dir = proto_dir(e, x.proto);
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

/*
 * AGENCIES: name; name -- the case's receiving agencies are the ones
 * named (resolved against the directory as a form's are); names the
 * directory does not know are kept, unresolved, and the partnership
 * manager told.  The sender is answered with what was recorded.
 */
static int
agencies_command(struct escbot *e, struct case_state *c,
    const struct command *cmd, const char *in_reply_to, time_t now,
    char *err, size_t errlen)
{
	struct engine_ctx x = ctx_for(e, c, now);
	struct dir_names dn = { 0 };
	struct decisions d = { 0 };
	struct strbuf recv = { 0 }, unres = { 0 }, all = { 0 };
	struct tvars tv = { 0 };
	char *tok = NULL, *names;
	int rc = -1;

	directory_agencies_named(x.dir, cmd->reason, &dn);
	if (dn.n == 0 && dn.nunresolved == 0) {
		snprintf(err, errlen, "AGENCIES names no agency: write them "
		    "on the first line as AGENCIES: name; name");
		goto done;
	}
	for (size_t i = 0; i < dn.n; i++) {
		const char *id = x.dir->agencies[dn.idx[i]].id;

		if (c->raising_agency && strcmp(id, c->raising_agency) == 0)
			continue;
		if (recv.len)
			sb_addc(&recv, ',');
		sb_adds(&recv, id);
	}
	for (size_t i = 0; i < dn.nunresolved; i++) {
		if (unres.len)
			sb_adds(&unres, "; ");
		sb_adds(&unres, dn.unresolved[i]);
	}
	if (c->raising_agency)
		sb_adds(&all, c->raising_agency);
	if (recv.len) {
		if (all.len)
			sb_addc(&all, ',');
		sb_adds(&all, recv.buf);
	}
	free(c->receiving_agencies);
	free(c->unresolved_agencies);
	free(c->agencies);
	c->receiving_agencies = recv.len ? sb_steal(&recv) : xstrdup("");
	c->unresolved_agencies = unres.len ? sb_steal(&unres) : xstrdup("");
	c->agencies = all.len ? sb_steal(&all) : xstrdup("");
	names = agency_names(x.dir, c->receiving_agencies, NULL);
	if (store_event_add(e->store, c->id, now, cmd->actor ? cmd->actor :
	    "cli", "agencies", *names ? names : "none") == -1) {
		free(names);
		goto db;
	}
	free(names);
	engine_agencies_unresolved(c, &x, cmd->token ? cmd->token : "cli",
	    &d);
	if (store_case_update(e->store, c) == -1 ||
	    casework_apply(e, c, &d, in_reply_to, NULL, now) == -1)
		goto db;
	if (cmd->actor && strchr(cmd->actor, '@')) {
		casework_case_vars(e, c, &tv);
		tvars_set(&tv, "actor", cmd->actor);
		tok = xasprintf("%s/agencies/%s", c->ref, cmd->token ?
		    cmd->token : "cli");
		if (casework_reply(e, "agencies", tok, cmd->actor,
		    in_reply_to, &tv, now) < 0)
			goto db;
	}
	rc = 0;
	goto done;
db:
	snprintf(err, errlen, "database: %s", store_error(e->store));
done:
	free(tok);
	tvars_free(&tv);
	decisions_free(&d);
	directory_names_free(&dn);
	sb_reset(&recv);
	sb_reset(&unres);
	sb_reset(&all);
	return rc;
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
	if (cmd->kind == CMD_AGENCIES) {
		if (agencies_command(e, &c, cmd, in_reply_to, now, err,
		    errlen) == -1)
			goto fail_case;
		if (!in_txn && store_commit(e->store) == -1) {
			snprintf(err, errlen, "database: %s",
			    store_error(e->store));
			goto fail_case;
		}
		log_info("case %s: agencies by %s", c.ref,
		    cmd->actor ? cmd->actor : "cli");
		case_state_free(&c);
		return 0;
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

/* ------------------------------------------------------------------ */
/* Carrying out intake's verdicts.                                     */

static int
look_case(void *arg, const char *ref, struct case_state *c)
{
	return store_case_get(((struct escbot *)arg)->store, ref, c);
}

static int
look_msgid(void *arg, const char *msgid, char **ref)
{
	return store_case_by_message_id(((struct escbot *)arg)->store, msgid,
	    ref);
}

static int
look_fields(void *arg, const char *protocol, const char **names,
    const char **values, size_t n, char **ref)
{
	return store_case_match(((struct escbot *)arg)->store, protocol, names,
	    values, n, ref);
}

static int
look_participant(void *arg, int64_t case_id, const char *addr)
{
	return store_participant_is(((struct escbot *)arg)->store, case_id, addr);
}

static int
look_field(void *arg, int64_t case_id, const char *name, char **value)
{
	return store_field_get(((struct escbot *)arg)->store, case_id, name,
	    value);
}

void
casework_lookup(struct escbot *e, struct intake_lookup *l)
{
	l->arg = e;
	l->case_by_ref = look_case;
	l->ref_by_message_id = look_msgid;
	l->ref_by_fields = look_fields;
	l->is_participant = look_participant;
	l->field_of = look_field;
}

/* "Label: value" lines for the acknowledgement; personal identifiers are
 * confirmed as recorded but not repeated back in an email. */
static char *
fields_summary(const struct form_result *r)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < r->nvalues; i++) {
		const struct form_value *fv = &r->values[i];
		char *one = xstrdup(fv->def->personal ? "(recorded)" : fv->value);

		if (strlen(one) > 200)
			strcpy(one + 197, "...");
		for (char *q = one; *q; q++)
			if (*q == '\n' || *q == '\r')
				*q = ' ';
		sb_addf(&sb, "- %s: %s\n", fv->def->label, one);
		free(one);
	}
	return sb_steal(&sb);
}

static char *
problems_summary(const struct form_result *r)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < r->nproblems; i++) {
		const struct form_problem *p = &r->problems[i];

		sb_addf(&sb, "- %s: %s", p->def->label, p->reason);
		if (p->def->example && *p->def->example)
			sb_addf(&sb, " (for example: %s)", p->def->example);
		sb_addc(&sb, '\n');
	}
	return sb_steal(&sb);
}

/* The blank forms a reply attaches (at most BLANK_MAX: a partnership's
 * forms that open cases, all of them, fit with room to spare). */
#define BLANK_MAX	32

struct blanks {
	struct attachment_out	 att[BLANK_MAX];
	const struct form_def	*form[BLANK_MAX];
	size_t			 n;
};

static void
blank_add(struct blanks *b, const struct form_def *f)
{
	if (f == NULL || f->template_data == NULL)
		return;
	if (b->n == BLANK_MAX) {
		log_warnx("reply: more than %d blank forms to attach: form %s "
		    "left out", BLANK_MAX, f->id);
		return;
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->form[i] == f)
			return;
	b->form[b->n] = f;
	b->att[b->n].filename = f->template_name;
	b->att[b->n].content_type = DOCX_CONTENT_TYPE;
	b->att[b->n].data = f->template_data;
	b->att[b->n].len = f->template_len;
	b->n++;
}

/*
 * The blank forms for a reply that asks for a form again: the form that
 * was read (missing answers); else, when the form could not be read (a
 * PDF, a .doc, a picture, a damaged Word file, or no form at all), the
 * form named in the subject or an attachment's file name ("Resolution
 * and Escalation Referral Form.pdf"); else the forms that open a case in
 * each protocol this mailbox runs.  Sets blank_forms to the list the
 * email shows ("- FILE: TITLE" a line, no newline at the end).
 */
static void
blank_forms(struct escbot *e, const struct message *m,
    const struct form_def *read, struct blanks *b, struct tvars *v)
{
	const struct ruleset *rs = e->rules;
	const struct form_def *named = NULL;
	struct strbuf sb = { 0 };
	char *list, *dot;
	size_t from;

	memset(b, 0, sizeof(*b));
	if (read == NULL) {
		/* File names as words: "Referral_Form.pdf" -> "Referral Form". */
		sb_adds(&sb, m->subject ? m->subject : "");
		for (size_t i = 0; i < m->nattachments; i++) {
			if (m->attachments[i].filename == NULL)
				continue;
			sb_addc(&sb, '\n');
			from = sb.len;
			sb_adds(&sb, m->attachments[i].filename);
			if ((dot = strrchr(sb.buf + from, '.')) != NULL) {
				*dot = '\0';
				sb.len = (size_t)(dot - sb.buf);
			}
			for (char *c = sb.buf + from; *c; c++)
				if (*c == '_' || *c == '.')
					*c = ' ';
		}
		named = form_recognise(rs->forms, sb.buf ? sb.buf : "");
		sb_reset(&sb);
	}
	blank_add(b, read ? read : named);
	if (b->n == 0)
		for (size_t i = 0; i < rs->nprotocols; i++)
			for (size_t k = 0; k < rs->protocols[i].nforms; k++)
				if (rs->protocols[i].forms[k].action == FORM_OPEN)
					blank_add(b, rs->protocols[i].forms[k].def);
	for (size_t i = 0; i < b->n; i++)
		sb_addf(&sb, "%s- %s: %s", i ? "\n" : "", b->att[i].filename,
		    b->form[i]->title);
	list = sb_steal(&sb);
	tvars_set(v, "blank_forms", list);
	free(list);
}

/* A reply that answers no case, queued under token "tmpl/sender/msgid"
 * (or "KEY/msgid" when key is set), with the blank forms b (or NULL)
 * attached: 0, or -1. */
static int
answer(struct escbot *e, const struct message *m, const char *tmpl,
    const char *key, struct tvars *v, const struct blanks *b, time_t now)
{
	const char *id = m->message_id ? m->message_id : "-";
	char *tok = key ? xasprintf("%s/%s", key, m->message_id ?
	    m->message_id : m->from_addr) : xasprintf("%s/%s/%s", tmpl,
	    m->from_addr, id);
	int rc = reply_attached(e, tmpl, tok, m->from_addr, m->message_id, v,
	    b ? b->att : NULL, b ? b->n : 0, now);

	free(tok);
	return rc < 0 ? -1 : 0;
}

/* The same helpful reply at most once a day per sender. */
static int
answer_once_a_day(struct escbot *e, const struct message *m,
    const char *tmpl, struct tvars *v, const struct blanks *b, time_t now)
{
	if (store_replies_since(e->store, m->from_addr, tmpl, now - 86400) > 0)
		return 0;
	return answer(e, m, tmpl, NULL, v, b, now);
}

/* The form's answers: kept as a record of their own (which form, when,
 * from whom), and as the case's current value of each field. */
static int
store_fields(struct escbot *e, int64_t case_id, const struct message *m,
    const struct form_result *r, time_t now)
{
	int64_t form_id;

	if (store_form_add(e->store, case_id, r->def->id, now, m->from_addr,
	    m->message_id, &form_id) == -1)
		return -1;
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct form_value *fv = &r->values[i];

		if (store_form_answer(e->store, form_id, fv->def->name, fv->value,
		    fv->def->personal) == -1 ||
		    store_field_set(e->store, case_id, fv->def->name, fv->value,
		    fv->def->personal) == -1)
			return -1;
	}
	return 0;
}

/* A new case of the verdict's protocol from message m, its reference
 * given, its answers stored. */
static int
new_case(struct escbot *e, const struct message *m, const struct verdict *v,
    struct case_state *c, time_t now)
{
	struct tm tm;

	memset(c, 0, sizeof(*c));
	calendar_utc_to_london(now, &tm);
	if (store_next_ref(e->store, v->proto->prefix, tm.tm_year + 1900,
	    &c->ref) == -1)
		return -1;
	c->protocol = xstrdup(v->proto->id);
	c->form = xstrdup(v->rule->form);
	c->raised_by = xstrdup(m->from_addr);
	c->raised_name = m->from_name ? str_header_safe(m->from_name) : NULL;
	c->thread_id = m->message_id ? xstrdup(m->message_id) : NULL;
	c->agencies = xstrdup(v->agencies ? v->agencies : "");
	c->raising_agency = v->raising_agency ? xstrdup(v->raising_agency) :
	    NULL;
	c->receiving_agencies = xstrdup(v->receiving_agencies ?
	    v->receiving_agencies : "");
	c->unresolved_agencies = xstrdup(v->unresolved_agencies ?
	    v->unresolved_agencies : "");
	return 0;
}

static int
apply_open(struct escbot *e, const struct message *m, struct verdict *v,
    time_t now)
{
	struct engine_ctx x = { v->proto, e->cal, proto_dir(e, v->proto),
	    now };
	struct case_state c;
	struct decisions d = { 0 };
	struct tvars extra = { 0 };
	char *summary;
	int rc = -1;

	if (new_case(e, m, v, &c, now) == -1)
		goto fail;
	c.urgent = v->urgent;
	c.clock_start = v->clock_start;
	if (engine_open(&c, &x, v->stage, &d) == -1)
		goto fail;
	summary = fields_summary(v->result);
	tvars_set(&extra, "fields", summary);
	free(summary);
	if (store_case_insert(e->store, &c) == -1 ||
	    store_fields(e, c.id, m, v->result, now) == -1 ||
	    casework_apply(e, &c, &d, m->message_id, &extra, now) == -1)
		goto fail;
	for (size_t i = 0; i < v->nactions; i++)
		if (store_action_set(e->store, c.id, &v->actions[i]) == -1)
			goto fail;
	/* Forwarded: the forwarder raised it; its writer is in the case. */
	if (v->forwarded_from != NULL && (store_participant_add(e->store,
	    c.id, v->forwarded_from) == -1 || store_event_add(e->store, c.id,
	    now, v->forwarded_from, "forwarded", "the form's writer; "
	    "forwarded by the raiser") == -1))
		goto fail;
	v->case_id = c.id;
	verdict_outcome(v, "case", 0, "opened %s", c.ref);
	log_info("case %s: opened from %s form%s", c.ref, v->rule->form,
	    c.urgent ? " (urgent)" : "");
	rc = 0;
fail:
	tvars_free(&extra);
	decisions_free(&d);
	case_state_free(&c);
	return rc;
}

/* A resolution report for a disagreement escbot never tracked: recorded
 * as a case that is already resolved, so the board's reports count it. */
static int
apply_record_resolved(struct escbot *e, const struct message *m,
    struct verdict *v, time_t now)
{
	const struct protocol *p = v->proto;
	struct engine_ctx x = { v->proto, e->cal, e->dir, now };
	struct case_state c;
	struct decisions d = { 0 };
	struct tvars tv = { 0 };
	char *tok = NULL;
	int idx, rc = -1;

	if (new_case(e, m, v, &c, now) == -1)
		goto done;
	idx = v->stage > 0 ? rules_stage_index(p, v->stage) : -1;
	c.stage_idx = idx >= 0 ? idx : (int)p->nstages - 1;
	c.status = CASE_RESOLVED;
	c.opened_at = c.stage_started_at = c.due_at = c.resolved_at = now;
	c.resolved_level = v->stage > 0 ? v->stage : p->stages[c.stage_idx].number;
	c.resolution = xstrdup("resolved before it was tracked by escbot");
	if (store_case_insert(e->store, &c) == -1 ||
	    store_fields(e, c.id, m, v->result, now) == -1 ||
	    store_participant_add(e->store, c.id, m->from_addr) == -1 ||
	    store_event_add(e->store, c.id, now, m->from_addr, "recorded-resolved",
	    v->rule->form) == -1)
		goto done;
	casework_case_vars(e, &c, &tv);
	tvars_set(&tv, "actor", m->from_addr);
	tvars_set(&tv, "note", "recorded from your resolution pro-forma");
	tok = xasprintf("%s/ack", c.ref);
	if (casework_reply(e, "resolved", tok, m->from_addr, m->message_id, &tv,
	    now) < 0)
		goto done;
	/* Resolved before escbot tracked it is resolved all the same: the
	 * debrief and the forms' copy (on_resolution). */
	engine_resolution(&c, &x, &d);
	if (casework_apply(e, &c, &d, NULL, NULL, now) == -1)
		goto done;
	v->case_id = c.id;
	verdict_outcome(v, "case", 0, "%s recorded as resolved at level %d",
	    c.ref,
	    c.resolved_level);
	rc = 0;
done:
	free(tok);
	tvars_free(&tv);
	decisions_free(&d);
	case_state_free(&c);
	return rc;
}

/* 1 if `item` is one of list's items (cut at sep, trimmed, any case). */
static int
list_has(const char *list, const char *sep, const char *item)
{
	char *copy = xstrdup(list ? list : ""), *it, *save = NULL;
	int found = 0;

	for (it = strtok_r(copy, sep, &save); it && !found;
	    it = strtok_r(NULL, sep, &save))
		found = strcasecmp(str_trim(it), item) == 0;
	free(copy);
	return found;
}

/* Append list's items that `to` lacks, but `skip` (may be NULL), to `to`
 * and to `added`. */
static void
list_union(char **to, struct strbuf *added, const char *list,
    const char *sep, const char *join, const char *skip)
{
	struct strbuf sb = { 0 };
	char *copy = xstrdup(list ? list : ""), *it, *save = NULL;

	sb_adds(&sb, *to ? *to : "");
	for (it = strtok_r(copy, sep, &save); it;
	    it = strtok_r(NULL, sep, &save)) {
		it = str_trim(it);
		if (*it == '\0' || (skip && strcasecmp(it, skip) == 0) ||
		    list_has(sb.buf, sep, it))
			continue;
		if (sb.len)
			sb_adds(&sb, join);
		sb_adds(&sb, it);
		if (added->len)
			sb_adds(added, join);
		sb_adds(added, it);
	}
	free(copy);
	free(*to);
	*to = sb_steal(&sb);
}

/*
 * A later form names agencies the case did not have: they join the case
 * (never replacing what it had), the current stage's role holders there
 * are told, and a name the directory does not know is kept and the
 * partnership manager told, as at opening.
 */
static int
join_agencies(struct escbot *e, struct case_state *c, const struct message *m,
    const struct verdict *v, time_t now)
{
	struct engine_ctx x = ctx_for(e, c, now);
	struct strbuf added = { 0 }, unres = { 0 }, ignore = { 0 };
	struct decisions d = { 0 };
	const char *tag = m->message_id ? m->message_id : "-";
	char *recv = NULL, *names = NULL;
	int rc = -1;

	/* The form's raising agency is an agency of the case too (a receiving
	 * agency sending the meeting record); the case's own raising agency
	 * is never listed as receiving. */
	recv = xasprintf("%s,%s", v->raising_agency ? v->raising_agency : "",
	    v->receiving_agencies ? v->receiving_agencies : "");
	list_union(&c->receiving_agencies, &added, recv, ",", ",",
	    c->raising_agency);
	list_union(&c->agencies, &ignore, recv, ",", ",", NULL);
	list_union(&c->unresolved_agencies, &unres, v->unresolved_agencies,
	    ";", "; ", NULL);
	if (added.len == 0 && unres.len == 0) {
		rc = 0;
		goto done;
	}
	names = agency_names(x.dir, added.buf, NULL);
	if (store_event_add(e->store, c->id, now, m->from_addr, "agencies",
	    *names ? names : "none") == -1)
		goto done;
	engine_agencies_added(c, &x, added.buf, tag, &d);
	if (unres.len)
		engine_agencies_unresolved(c, &x, tag, &d);
	if (store_case_update(e->store, c) == -1 ||
	    casework_apply(e, c, &d, m->message_id, NULL, now) == -1)
		goto done;
	log_info("case %s: agencies joined by a form", c->ref);
	rc = 0;
done:
	free(recv);
	free(names);
	decisions_free(&d);
	sb_reset(&added);
	sb_reset(&unres);
	sb_reset(&ignore);
	return rc;
}

/* A protocol's form showing the disagreement has reached a later stage
 * than the case's (the WSAB proforma at level 2 for a case a request
 * opened at level 1): the case moves on to it, as its sender's ESCALATE
 * would.  1 moved, 0 nothing to move, -1. */
static int
move_on(struct escbot *e, const struct case_state *c, const struct message *m,
    const struct verdict *v)
{
	const struct protocol *p = rules_protocol(e->rules, c->protocol);
	struct command cmd;
	char err[512], *why;
	int rc;

	if (v->resolve || v->stage == 0 || c->status == CASE_RESOLVED ||
	    p == NULL || v->stage <= p->stages[c->stage_idx].number)
		return 0;
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = CMD_ESCALATE;
	cmd.level = v->stage;
	why = xasprintf("the %s received shows stage %d was reached",
	    v->form->title, v->stage);
	cmd.reason = why;
	cmd.actor = m->from_addr;
	cmd.token = m->message_id;
	if ((rc = casework_command(e, c->ref, &cmd, m->message_id, 1, err,
	    sizeof(err))) == -1)
		log_warnx("case %s: %s", c->ref, err);
	free(why);
	return rc == 0 ? 1 : -1;
}

/* A form for a case escbot tracks: its answers and tracked actions are
 * added; a resolving form closes it, any other is acknowledged. */
static int
apply_join(struct escbot *e, const struct message *m, struct verdict *v,
    time_t now)
{
	struct case_state c;
	struct command cmd;
	struct tvars tv = { 0 };
	char err[512], *tok;
	int moved, rc = -1;

	if (store_case_get(e->store, v->ref, &c) != 1)
		return -1;
	if (store_fields(e, c.id, m, v->result, now) == -1 ||
	    store_participant_add(e->store, c.id, m->from_addr) == -1 ||
	    store_event_add(e->store, c.id, now, m->from_addr, "form",
	    v->rule->form) == -1)
		goto done;
	for (size_t i = 0; i < v->nactions; i++)
		if (store_action_set(e->store, c.id, &v->actions[i]) == -1)
			goto done;
	if (join_agencies(e, &c, m, v, now) == -1 ||
	    (moved = move_on(e, &c, m, v)) == -1)
		goto done;
	if (moved) {
		/* The reply below describes the stage it moved on to. */
		case_state_free(&c);
		if (store_case_get(e->store, v->ref, &c) != 1) {
			memset(&c, 0, sizeof(c));
			goto done;
		}
	}
	if (v->resolve) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.kind = CMD_RESOLVE;
		cmd.level = v->resolve_level;
		cmd.reason = v->rule->action == FORM_CLOSE ?
		    "resolution pro-forma received" :
		    "resolution recorded on the form";
		cmd.actor = m->from_addr;
		cmd.token = m->message_id;
		if (casework_command(e, v->ref, &cmd, m->message_id, 1, err,
		    sizeof(err)) == -1) {
			log_warnx("case %s: %s", v->ref, err);
			goto done;
		}
		rc = 0;
		goto done;
	}
	casework_case_vars(e, &c, &tv);
	tvars_set(&tv, "form_title", v->form->title);
	tok = xasprintf("%s/form/%s", c.ref, m->message_id ? m->message_id : "-");
	rc = casework_reply(e, "updated", tok, m->from_addr, m->message_id, &tv,
	    now) < 0 ? -1 : 0;
	free(tok);
done:
	tvars_free(&tv);
	case_state_free(&c);
	return rc;
}

/* A command by reply: applied, or its sender told why not. */
static int
apply_command(struct escbot *e, const struct message *m, struct verdict *v,
    time_t now)
{
	struct case_state c;
	struct tvars tv = { 0 };
	char err[512], *tok;
	int rc;

	if (casework_command(e, v->ref, &v->cmd, m->message_id, 1, err,
	    sizeof(err)) == 0) {
		verdict_outcome(v, "command", 0, "%s: command applied", v->ref);
		return 0;
	}
	if (store_case_get(e->store, v->ref, &c) != 1)
		return -1;
	casework_case_vars(e, &c, &tv);
	tvars_set(&tv, "note", err);
	tok = xasprintf("%s/refused/%s", c.ref, m->message_id ?
	    m->message_id : "-");
	rc = store_event_add(e->store, c.id, now, m->from_addr,
	    "command-refused", err);
	if (rc == 0 && casework_reply(e, "command-refused", tok, m->from_addr,
	    m->message_id, &tv, now) < 0)
		rc = -1;
	verdict_outcome(v, "command", 0, "%s: command not applied: %s", c.ref,
	    err);
	free(tok);
	tvars_free(&tv);
	case_state_free(&c);
	return rc;
}

static int
apply_done(struct escbot *e, const struct message *m, struct verdict *v,
    time_t now)
{
	int n = store_action_done(e->store, v->case_id, v->action_num);

	if (n < 0)
		return -1;
	verdict_outcome(v, "command", 0, "%s: action %d %s", v->ref,
	    v->action_num, n ? "done" : "not open");
	return store_event_add(e->store, v->case_id, now, m->from_addr,
	    "action-done", n ? "action marked done" :
	    "DONE for an action that is not open");
}

/* A reply that changes nothing: filed as a note, and its sender told
 * once per case that it was, and what would act. */
static int
apply_note(struct escbot *e, const struct message *m, struct verdict *v,
    time_t now)
{
	struct case_state c;
	struct tvars tv = { 0 };
	char *tok;
	int rc;

	if (store_event_add(e->store, v->case_id, now, m->from_addr, "reply",
	    "a reply was received in the case thread") == -1 ||
	    store_case_get(e->store, v->ref, &c) != 1)
		return -1;
	casework_case_vars(e, &c, &tv);
	tok = xasprintf("%s/noted/%s", c.ref, m->from_addr);
	rc = casework_reply(e, "noted", tok, m->from_addr, m->message_id, &tv,
	    now) < 0 ? -1 : 0;
	free(tok);
	tvars_free(&tv);
	case_state_free(&c);
	return rc;
}

/* Failed recipients of a delivery report, against the case. */
static int
apply_bounce(struct escbot *e, const struct verdict *v, time_t now)
{
	for (size_t i = 0; i < v->nbounces; i++) {
		if (store_event_add(e->store, v->case_id, now, v->bounces[i].rcpt,
		    "bounce", v->bounces[i].status) == -1)
			return -1;
		log_info("case %s: delivery to %s failed (%s)", v->ref,
		    v->bounces[i].rcpt, v->bounces[i].status);
	}
	return 0;
}

/* The replies to mail that opens nothing. */
static int
apply_answer(struct escbot *e, const struct message *m, struct verdict *v,
    time_t now)
{
	struct tvars tv = { 0 };
	struct blanks b;
	char *probs;
	int rc = 0;

	tvars_set(&tv, "subject", m->subject);
	switch (v->kind) {
	case VERDICT_NO_FORM:
	case VERDICT_DOC_REFUSED:
		tvars_set(&tv, "formats", v->formats ? "yes" : "");
		if (v->note)
			tvars_set(&tv, "note", v->note);
		blank_forms(e, m, NULL, &b, &tv);
		rc = answer_once_a_day(e, m, "no-form", &tv, &b, now);
		break;
	case VERDICT_INCOMPLETE:
		probs = problems_summary(v->result);
		tvars_set(&tv, "form_title", v->form->title);
		tvars_set(&tv, "problems", probs);
		free(probs);
		blank_forms(e, m, v->form, &b, &tv);
		rc = answer(e, m, "reject", "reject", &tv, &b, now);
		break;
	case VERDICT_UNMATCHED:
		tvars_set(&tv, "form_title", v->form->title);
		rc = answer(e, m, "unmatched", "unmatched", &tv, NULL, now);
		break;
	default:
		break;
	}
	tvars_free(&tv);
	return rc;
}

int
casework_verdict(struct escbot *e, const struct message *m,
    struct verdict *v, time_t now)
{
	const char *from = m->from_addr ? m->from_addr : "unknown";

	switch (v->kind) {
	case VERDICT_OPEN:
		return apply_open(e, m, v, now);
	case VERDICT_RECORD_RESOLVED:
		return apply_record_resolved(e, m, v, now);
	case VERDICT_JOIN:
		return apply_join(e, m, v, now);
	case VERDICT_COMMAND:
		return apply_command(e, m, v, now);
	case VERDICT_DONE:
		return apply_done(e, m, v, now);
	case VERDICT_NOTE:
		return apply_note(e, m, v, now);
	case VERDICT_NOT_ALLOWED:
		/* Recorded, never answered: no backscatter to someone who
		 * is not part of the case. */
		return store_event_add(e->store, v->case_id, now, from, "refused",
		    v->form ? "form from someone not in the case, not applied" :
		    v->cmd_reason ? "command from someone not in the case" :
		    "reply from someone not in the case");
	case VERDICT_BOUNCE:
		return apply_bounce(e, v, now);
	case VERDICT_AUTO:
		if (v->case_id == 0)
			return 0;
		return store_event_add(e->store, v->case_id, now, from,
		    m->is_report ? "bounce" : "auto-reply", v->auto_why);
	case VERDICT_NO_FORM:
	case VERDICT_DOC_REFUSED:
	case VERDICT_INCOMPLETE:
	case VERDICT_UNMATCHED:
		return apply_answer(e, m, v, now);
	case VERDICT_READ_DOCS:
		return -1;	/* the caller reads them and asks again */
	default:
		return 0;
	}
}
