/*
 * ingest: the order of operations here is the heart of "never lose a
 * form".  A message is recorded (with what it caused) in one transaction
 * keyed by a fingerprint of its bytes; only after that commit is it moved out
 * of the inbox.  A crash before the commit leaves it in the inbox to be done
 * again; a crash after it finds the fingerprint and only finishes the move.
 * A message escbot cannot handle is moved to Rejected with the reason, never
 * deleted, and a message that makes processing itself fail stays where it
 * is.
 */
#include <ctype.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "casework.h"
#include "docx.h"
#include "form.h"
#include "imap.h"
#include "ingest.h"
#include "log.h"
#include "message.h"
#include "util.h"
#include "worker.h"

/* What processing a message came to, recorded in `processed`. */
struct outcome {
	const char	*outcome;	/* "case", "update", "rejected", ... */
	char		*reason;
	int		 rejected;	/* goes to the Rejected folder */
	int64_t		 case_id;
};

static void
set_outcome(struct outcome *o, const char *what, int rejected,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
set_outcome(struct outcome *o, const char *what, int rejected,
    const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	o->outcome = what;
	o->rejected = rejected;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(o->reason);
	o->reason = sb_steal(&sb);
}

static char *
fingerprint(const char *raw, size_t len)
{
	unsigned char dig[32];
	char *hex;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, raw, len, dig) != 0)
		fatalx("sha256 unavailable");
	hex = xmalloc(7 + 64 + 1);
	memcpy(hex, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 7 + i * 2, 3, "%02x", dig[i]);
	return hex;
}

/*
 * RFC 3834 and its relatives: anything a robot sent.  Answering it could
 * start a mail loop, and it is never a practitioner's form.  Returns why,
 * or NULL for a message from a person.
 */
static const char *
automatic_reason(const struct message *m)
{
	const char *h;

	if (m->is_report)
		return "delivery or read report";
	if ((h = message_header(m, "Auto-Submitted")) != NULL &&
	    str_ncasecmp(h, "no", 2) != 0)
		return "Auto-Submitted";
	if ((h = message_header(m, "Precedence")) != NULL &&
	    (str_casestr(h, "bulk") || str_casestr(h, "junk") ||
	    str_casestr(h, "list")))
		return "Precedence bulk/junk/list";
	if (message_header(m, "X-Autoreply") || message_header(m, "X-Autorespond") ||
	    message_header(m, "X-Autoreply-From"))
		return "X-Autoreply";
	if ((h = message_header(m, "X-Auto-Response-Suppress")) != NULL &&
	    (str_casestr(h, "all") || str_casestr(h, "oof") ||
	    str_casestr(h, "autoreply")))
		return "X-Auto-Response-Suppress";
	if (message_header(m, "List-Id") || message_header(m, "List-Unsubscribe"))
		return "mailing list";
	if (m->return_path && m->return_path[0] == '\0')
		return "null Return-Path";
	if (m->from_addr && (str_ncasecmp(m->from_addr, "mailer-daemon@", 14) == 0 ||
	    str_ncasecmp(m->from_addr, "postmaster@", 11) == 0))
		return "mailer-daemon";
	return NULL;
}

/* The mailbox's own server vouches for the sender: refuse a message its
 * Authentication-Results (from our authserv-id only) says failed. */
static const char *
authentication_failure(const struct escbot *e, const struct message *m)
{
	const char *id = e->cfg->authserv_id;
	size_t idl = strlen(id);

	if (idl == 0)
		return NULL;
	for (size_t i = 0; i < m->nheaders; i++) {
		const char *v = m->headers[i].value;

		if (str_casecmp(m->headers[i].name, "Authentication-Results") != 0)
			continue;
		while (isspace((unsigned char)*v))
			v++;
		if (str_ncasecmp(v, id, idl) != 0 ||
		    (v[idl] != ';' && !isspace((unsigned char)v[idl])))
			continue;
		if (str_casestr(v, "dmarc=fail"))
			return "DMARC failed";
		if (str_casestr(v, "spf=fail"))
			return "SPF failed";
	}
	return NULL;
}

/* "[TWSP-2026-0007]" anywhere in the subject: the case tag. */
static char *
subject_ref(const char *subject)
{
	const char *p = subject, *q;

	while ((p = strchr(p, '[')) != NULL) {
		q = ++p;
		while (isupper((unsigned char)*q) || isdigit((unsigned char)*q))
			q++;
		if (q > p && q[0] == '-' && isdigit((unsigned char)q[1]) &&
		    isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]) &&
		    isdigit((unsigned char)q[4]) && q[5] == '-') {
			const char *r = q + 6;

			while (isdigit((unsigned char)*r))
				r++;
			if (r > q + 6 && *r == ']')
				return xstrndup(p, (size_t)(r - p));
		}
	}
	return NULL;
}

/* The case this message answers, by tag or by threading headers. */
static char *
thread_ref(struct escbot *e, const struct message *m)
{
	struct case_state c;
	char *ref = subject_ref(m->subject), *ids, *tok, *save = NULL;

	if (ref != NULL) {
		if (store_case_get(e->store, ref, &c) == 1) {
			case_state_free(&c);
			return ref;
		}
		free(ref);
		ref = NULL;
	}
	if (m->in_reply_to &&
	    store_case_by_message_id(e->store, m->in_reply_to, &ref) == 1)
		return ref;
	if (m->references == NULL)
		return NULL;
	ids = xstrdup(m->references);
	for (tok = strtok_r(ids, " \t\r\n,", &save); tok && ref == NULL;
	    tok = strtok_r(NULL, " \t\r\n,", &save)) {
		size_t n = strlen(tok);

		if (tok[0] == '<' && n > 2 && tok[n - 1] == '>') {
			tok[n - 1] = '\0';
			tok++;
		}
		if (store_case_by_message_id(e->store, tok, &ref) != 1)
			ref = NULL;
	}
	free(ids);
	return ref;
}

/* The text a person wrote in a reply: what comes before quoted history or
 * a signature. */
static char *
reply_text(const char *text)
{
	struct strbuf sb = { 0 };
	const char *p = text, *eol;
	size_t n;

	while (*p) {
		eol = strchr(p, '\n');
		n = eol ? (size_t)(eol - p) : strlen(p);
		if ((n > 0 && p[0] == '>') || strncmp(p, "-- ", 3) == 0 ||
		    str_ncasecmp(p, "-----Original Message-----", 26) == 0 ||
		    (str_ncasecmp(p, "On ", 3) == 0 && n > 6 &&
		    str_ncasecmp(p + n - 6, "wrote:", 6) == 0) ||
		    (str_ncasecmp(p, "From: ", 6) == 0 && sb.len > 0))
			break;
		sb_add(&sb, p, n);
		sb_addc(&sb, '\n');
		p = eol ? eol + 1 : p + n;
	}
	return sb_steal(&sb);
}

/* A thread command on the first non-empty line.  0 found, -1 none. */
static int
parse_command(const char *text, struct command *cmd, char *reason,
    size_t rlen)
{
	static const struct {
		const char	*word;
		enum engine_cmd	 kind;
	} words[] = {
		{ "PAUSE", CMD_PAUSE }, { "RESUME", CMD_RESUME },
		{ "EXTEND", CMD_EXTEND }, { "ESCALATE", CMD_ESCALATE },
		{ "RESOLVED", CMD_RESOLVE }, { "RESOLVE", CMD_RESOLVE },
	};
	const char *p = text, *rest;
	char line[1024];
	size_t n;

	while (*p && isspace((unsigned char)*p))
		p++;
	n = strcspn(p, "\r\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t wl = strlen(words[i].word);

		if (str_ncasecmp(line, words[i].word, wl) != 0 ||
		    isalpha((unsigned char)line[wl]))
			continue;
		memset(cmd, 0, sizeof(*cmd));
		cmd->kind = words[i].kind;
		rest = line + wl;
		if (cmd->kind == CMD_EXTEND) {
			char *end;
			long d;

			while (*rest == ' ' || *rest == '\t')
				rest++;
			d = strtol(rest, &end, 10);
			if (end == rest || d < 1 || d > 365)
				return -1;
			cmd->days = (int)d;
			rest = end;
			while (*rest == ' ')
				rest++;
			if (str_ncasecmp(rest, "days", 4) == 0)
				rest += 4;
			else if (str_ncasecmp(rest, "day", 3) == 0)
				rest += 3;
		}
		while (*rest == ' ' || *rest == '\t' || *rest == ':' || *rest == '-')
			rest++;
		snprintf(reason, rlen, "%s", rest);
		str_trim(reason);
		cmd->reason = reason;
		return 0;
	}
	return -1;
}

/* "DONE 3" (or "DONE: 3", "done action 3") on the first line. */
static int
parse_done(const char *text, int *num)
{
	const char *p = text;
	char *end;
	long n;

	while (*p && isspace((unsigned char)*p))
		p++;
	if (str_ncasecmp(p, "DONE", 4) != 0 || isalpha((unsigned char)p[4]))
		return -1;
	p += 4;
	while (*p == ' ' || *p == ':' || *p == '\t')
		p++;
	if (str_ncasecmp(p, "action", 6) == 0)
		p += 6;
	while (*p == ' ')
		p++;
	n = strtol(p, &end, 10);
	if (end == p || n < 1 || n > 99)
		return -1;
	*num = (int)n;
	return 0;
}

static int
is_urgent(const struct protocol *p, const char *text)
{
	for (size_t i = 0; i < p->nurgent; i++) {
		const char *hit = text;

		while ((hit = str_casestr(hit, p->urgent_patterns[i])) != NULL) {
			/* "not at immediate risk" / "no immediate risk" do not
			 * make a case urgent. */
			const char *b = hit - (hit - text > 12 ? 12 : hit - text);
			char before[16];

			snprintf(before, sizeof(before), "%.*s", (int)(hit - b), b);
			if (!str_casestr(before, "not ") && !str_casestr(before, "no ") &&
			    !str_casestr(before, "n't "))
				return 1;
			hit++;
		}
	}
	return 0;
}

/* Involved agencies: the raiser's (by domain) and those the form's answers
 * name (not its labels: "Named GP and Surgery" names no agency). */
static char *
involved_agencies(struct escbot *e, const char *from,
    const struct form_result *r)
{
	struct strbuf sb = { 0 }, answers = { 0 };
	const struct dir_agency *a = directory_agency_by_email(e->dir, from);
	size_t idx[32], n;

	for (size_t i = 0; i < r->nvalues; i++) {
		if (r->values[i].def->personal)
			continue;
		sb_adds(&answers, r->values[i].value);
		sb_addc(&answers, '\n');
	}

	if (a != NULL)
		sb_adds(&sb, a->id);
	n = directory_agencies_in_text(e->dir, answers.buf ? answers.buf : "",
	    idx, 32);
	sb_reset(&answers);
	for (size_t i = 0; i < n; i++) {
		const char *id = e->dir->agencies[idx[i]].id;

		if (a != NULL && strcmp(a->id, id) == 0)
			continue;
		if (sb.len)
			sb_addc(&sb, ',');
		sb_adds(&sb, id);
	}
	return sb_steal(&sb);
}

/* "Label: value" lines for the acknowledgement; personal identifiers are
 * confirmed as recorded but not repeated back in an email. */
static char *
fields_summary(const struct form_result *r)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < r->nvalues; i++) {
		const struct form_value *v = &r->values[i];
		const char *val = v->def->personal ? "(recorded)" : v->value;
		char *one = xstrdup(val);

		if (strlen(one) > 200)
			strcpy(one + 197, "...");
		for (char *q = one; *q; q++)
			if (*q == '\n' || *q == '\r')
				*q = ' ';
		sb_addf(&sb, "- %s: %s\n", v->def->label, one);
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

static int
reply_once_a_day(struct escbot *e, const struct message *m, const char *tmpl,
    struct tvars *v, time_t now)
{
	char *tok;
	int rc;

	if (store_replies_since(e->store, m->from_addr, tmpl, now - 86400) > 0)
		return 0;
	tok = xasprintf("%s/%s/%s", tmpl, m->from_addr,
	    m->message_id ? m->message_id : "-");
	rc = casework_reply(e, tmpl, tok, m->from_addr, m->message_id, v, now);
	free(tok);
	return rc < 0 ? -1 : 0;
}

static int
store_fields(struct escbot *e, int64_t case_id, const struct form_result *r)
{
	for (size_t i = 0; i < r->nvalues; i++)
		if (store_field_set(e->store, case_id, r->values[i].def->name,
		    r->values[i].value, r->values[i].def->personal) == -1)
			return -1;
	return 0;
}

static int
open_case_at(struct escbot *e, const struct message *m,
    const struct protocol *p, const struct form_rule *rule,
    const struct form_result *r, int stage, struct outcome *o, time_t now)
{
	struct engine_ctx x = { p, e->cal, e->dir, now };
	struct case_state c;
	struct decisions d = { 0 };
	struct tvars extra = { 0 };
	struct tm tm;
	char *summary;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	calendar_utc_to_london(now, &tm);
	if (store_next_ref(e->store, p->prefix, tm.tm_year + 1900, &c.ref) == -1)
		goto fail;
	c.protocol = xstrdup(p->id);
	c.form = xstrdup(rule->form);
	c.raised_by = xstrdup(m->from_addr);
	c.raised_name = m->from_name ? str_header_safe(m->from_name) : NULL;
	c.thread_id = m->message_id ? xstrdup(m->message_id) : NULL;
	c.agencies = involved_agencies(e, m->from_addr, r);
	c.urgent = is_urgent(p, m->text);
	if (engine_open(&c, &x, stage, &d) == -1)
		goto fail;
	summary = fields_summary(r);
	tvars_set(&extra, "fields", summary);
	free(summary);
	if (store_case_insert(e->store, &c) == -1 ||
	    store_fields(e, c.id, r) == -1 ||
	    casework_apply(e, &c, &d, m->message_id, &extra, now) == -1)
		goto fail;
	o->case_id = c.id;
	set_outcome(o, "case", 0, "opened %s", c.ref);
	log_info("case %s: opened from %s form%s", c.ref, rule->form,
	    c.urgent ? " (urgent)" : "");
	rc = 0;
fail:
	tvars_free(&extra);
	decisions_free(&d);
	case_state_free(&c);
	return rc;
}

static int
open_case(struct escbot *e, const struct message *m, const struct protocol *p,
    const struct form_rule *rule, const struct form_result *r,
    struct outcome *o, time_t now)
{
	return open_case_at(e, m, p, rule, r, rule->stage, o, now);
}

/* A reply in a case thread: a command, a form for that case, or a note. */
static int
thread_message(struct escbot *e, const struct message *m, const char *ref,
    struct outcome *o, time_t now)
{
	struct case_state c;
	struct command cmd;
	char reason[1024], err[512], *mine;
	int allowed, rc, num;

	if (store_case_get(e->store, ref, &c) != 1)
		return -1;
	o->case_id = c.id;
	mine = reply_text(m->text);
	allowed = store_participant_is(e->store, c.id, m->from_addr) == 1 ||
	    directory_has_contact(e->dir, m->from_addr);
	if (allowed && parse_done(mine, &num) == 0) {
		int n = store_action_done(e->store, c.id, num);

		if (n < 0)
			goto fail;
		store_event_add(e->store, c.id, now, m->from_addr, "action-done",
		    n ? "action marked done" : "DONE for an action that is not open");
		set_outcome(o, "command", 0, "%s: action %d %s", c.ref, num,
		    n ? "done" : "not open");
		rc = 0;
		goto done;
	}
	if (parse_command(mine, &cmd, reason, sizeof(reason)) == 0) {
		cmd.actor = m->from_addr;
		cmd.token = m->message_id;
		if (!allowed) {
			/* Recorded, never answered: no backscatter to
			 * someone who is not part of the case. */
			store_event_add(e->store, c.id, now, m->from_addr,
			    "refused", "command from someone not in the case");
			set_outcome(o, "refused", 1, "%s: command from a sender "
			    "who is not a participant", c.ref);
			rc = 0;
			goto done;
		}
		if (casework_command(e, ref, &cmd, m->message_id, 1, err,
		    sizeof(err)) == 0) {
			set_outcome(o, "command", 0, "%s: command applied", c.ref);
		} else {
			struct tvars v = { 0 };
			char *tok = xasprintf("%s/refused/%s", c.ref,
			    m->message_id ? m->message_id : "-");

			casework_case_vars(e, &c, &v);
			tvars_set(&v, "note", err);
			store_event_add(e->store, c.id, now, m->from_addr,
			    "command-refused", err);
			rc = casework_reply(e, "command-refused", tok, m->from_addr,
			    m->message_id, &v, now);
			free(tok);
			tvars_free(&v);
			if (rc < 0)
				goto fail;
			set_outcome(o, "command", 0, "%s: command not applied: %s",
			    c.ref, err);
		}
		rc = 0;
		goto done;
	}
	if (!allowed) {
		store_event_add(e->store, c.id, now, m->from_addr, "refused",
		    "reply from someone not in the case");
		set_outcome(o, "refused", 1, "%s: reply from a sender who is "
		    "not a participant", c.ref);
		rc = 0;
		goto done;
	}
	rc = store_event_add(e->store, c.id, now, m->from_addr, "reply",
	    "a reply was received in the case thread");
	set_outcome(o, "reply", 0, "%s: reply recorded", c.ref);
	goto done;
fail:
	rc = -1;
done:
	free(mine);
	case_state_free(&c);
	return rc;
}

/* First "PREFIX-YYYY-NNNN" in text naming a known case, or NULL. */
static char *
ref_in_text(struct escbot *e, const char *text)
{
	struct case_state c;
	struct strbuf sb = { 0 };
	char *ref;

	/* subject_ref() wants the tag in brackets; give it each word so. */
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, " \t\r\n,;:()[]");

		if (n > 10 && n < 40) {
			sb_reset(&sb);
			sb_addc(&sb, '[');
			sb_add(&sb, p, n);
			sb_addc(&sb, ']');
			if ((ref = subject_ref(sb.buf)) != NULL) {
				if (store_case_get(e->store, ref, &c) == 1) {
					case_state_free(&c);
					sb_reset(&sb);
					return ref;
				}
				free(ref);
			}
		}
		p += n;
		if (*p)
			p++;
	}
	sb_reset(&sb);
	return NULL;
}

/* The open case a form belongs to by its own fields: a case reference in
 * any field, or the rule's match_fields equal to the case's. */
static char *
case_for_form(struct escbot *e, const struct protocol *p,
    const struct form_rule *rule, const struct form_result *r)
{
	const char *names[16], *values[16];
	char *ref = NULL;
	size_t n = 0;

	for (size_t i = 0; i < r->nvalues; i++)
		if ((ref = ref_in_text(e, r->values[i].value)) != NULL)
			return ref;
	for (size_t i = 0; i < rule->nmatch && n < 16; i++) {
		/* "field" or "field=casefield": the rule owns the strings. */
		const char *spec = rule->match_fields[i], *eq = strchr(spec, '=');
		char *field = xstrndup(spec, eq ? (size_t)(eq - spec) : strlen(spec));
		const char *v = form_result_get(r, field);

		free(field);
		if (v == NULL || *v == '\0')
			return NULL;	/* a field to match on is empty */
		names[n] = eq ? eq + 1 : spec;
		values[n++] = v;
	}
	if (n > 0 && store_case_match(e->store, p->id, names, values, n, &ref) != 1)
		ref = NULL;
	return ref;
}

/* The level a resolution form says it was resolved at: the first number
 * in its level field ("Level 3", "3 - head of service"). */
static int
form_level(const struct form_rule *rule, const struct form_result *r)
{
	const char *v;

	if (rule->level_field == NULL ||
	    (v = form_result_get(r, rule->level_field)) == NULL)
		return rule->stage;
	while (*v && !isdigit((unsigned char)*v))
		v++;
	return *v ? atoi(v) : rule->stage;
}

/* Close of business on a YYYY-MM-DD date (a deadline "by" that day). */
static time_t
date_close(const struct escbot *e, const char *ymd, int hh, int mm)
{
	int y, m, d;

	if (ymd == NULL || sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	if (hh < 0) {
		hh = e->cfg->work_close / 60;
		mm = e->cfg->work_close % 60;
	}
	return calendar_london_to_utc(y, m, d, hh, mm, 0);
}

/* The Planned Actions rows and the next meeting of a meeting record
 * become tracked actions of the case. */
static int
store_form_actions(struct escbot *e, const struct case_state *c,
    const struct form_rule *rule, const struct form_result *r, time_t now)
{
	const struct protocol *p = rules_protocol(e->rules, c->protocol);
	struct engine_ctx x = { p, e->cal, e->dir, now };
	size_t plen = rule->actions_prefix ? strlen(rule->actions_prefix) : 0;
	int rc = 0;

	for (size_t i = 0; i < r->nvalues && rc == 0; i++) {
		const char *name = r->values[i].def->name;
		struct action_state a;
		char *parts[4] = { 0 }, *copy, *tok, *save = NULL, ymd[11];
		int k = 0;

		memset(&a, 0, sizeof(a));
		if (rule->next_meeting_field &&
		    strcmp(name, rule->next_meeting_field) == 0) {
			a.num = 0;
			a.action = xstrdup("next meeting");
			a.due_at = date_close(e, r->values[i].value, 9, 0);
		} else if (plen && strncmp(name, rule->actions_prefix, plen) == 0 &&
		    isdigit((unsigned char)name[plen])) {
			/* "action; agency and owner; purpose; deadline" */
			copy = xstrdup(r->values[i].value);
			for (tok = strtok_r(copy, ";\t", &save); tok && k < 4;
			    tok = strtok_r(NULL, ";\t", &save))
				parts[k++] = xstrdup(str_trim(tok));
			free(copy);
			a.num = atoi(name + plen);
			a.action = parts[0] ? parts[0] : xstrdup("");
			a.owner = parts[1];
			a.purpose = parts[2];
			if (k > 0 && form_parse_date(parts[k - 1], ymd) == 0)
				a.due_at = date_close(e, ymd, -1, 0);
			if (parts[3])
				free(parts[3]);
		} else
			continue;
		if (a.due_at == 0 || a.due_at <= now) {
			/* No readable deadline, or one already past when the
			 * record arrived: kept as a field, not chased. */
			action_state_free(&a);
			continue;
		}
		engine_action_schedule(&a, &x);
		if (store_action_set(e->store, c->id, &a) == -1)
			rc = -1;
		action_state_free(&a);
	}
	return rc;
}

/* An answer that says nothing happened at that level. */
static int
answer_negative(const char *v)
{
	static const char *const no[] = { "no", "not", "n/a", "na", "none",
	    "nil", "never" };

	while (*v && isspace((unsigned char)*v))
		v++;
	if (*v == '\0')
		return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		size_t n = strlen(no[i]);

		if (str_ncasecmp(v, no[i], n) == 0 && !isalnum((unsigned char)v[n]))
			return 1;
	}
	return 0;
}

/* The rule's resolve_field is answered (not "no", "not yet", "n/a"). */
static int
form_says_resolved(const struct form_rule *rule, const struct form_result *r)
{
	const char *v;

	if (rule->resolve_field == NULL ||
	    (v = form_result_get(r, rule->resolve_field)) == NULL)
		return 0;
	return !answer_negative(v);
}

/* A form for a case escbot already tracks: its answers are added to the
 * case; a resolution form closes it; a later opening form updates it. */
static int
form_for_case(struct escbot *e, const struct message *m, const char *ref,
    const struct form_rule *rule, const struct form_result *r,
    struct outcome *o, time_t now)
{
	struct case_state c;
	struct command cmd;
	struct tvars v = { 0 };
	char err[512], *tok;
	int rc = -1;

	if (store_case_get(e->store, ref, &c) != 1)
		return -1;
	o->case_id = c.id;
	if (store_fields(e, c.id, r) == -1 ||
	    store_participant_add(e->store, c.id, m->from_addr) == -1 ||
	    store_event_add(e->store, c.id, now, m->from_addr, "form",
	    rule->form) == -1)
		goto done;
	if (store_form_actions(e, &c, rule, r, now) == -1)
		goto done;
	if ((rule->action == FORM_CLOSE || form_says_resolved(rule, r)) &&
	    c.status != CASE_RESOLVED) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.kind = CMD_RESOLVE;
		cmd.level = rule->action == FORM_CLOSE ? form_level(rule, r) : 0;
		cmd.reason = rule->action == FORM_CLOSE ?
		    "resolution pro-forma received" :
		    "resolution recorded on the form";
		cmd.actor = m->from_addr;
		cmd.token = m->message_id;
		if (casework_command(e, ref, &cmd, m->message_id, 1, err,
		    sizeof(err)) == -1) {
			log_warnx("case %s: %s", ref, err);
			goto done;
		}
		set_outcome(o, "update", 0, "%s: resolved by %s", ref, rule->form);
		rc = 0;
		goto done;
	}
	casework_case_vars(e, &c, &v);
	tvars_set(&v, "form_title", rule->def ? rule->def->title : rule->form);
	tok = xasprintf("%s/form/%s", c.ref, m->message_id ? m->message_id : "-");
	rc = casework_reply(e, "updated", tok, m->from_addr, m->message_id, &v,
	    now) < 0 ? -1 : 0;
	free(tok);
	set_outcome(o, "update", 0, "%s: updated by %s", ref, rule->form);
done:
	tvars_free(&v);
	case_state_free(&c);
	return rc;
}

/* A resolution report for a disagreement escbot never tracked: recorded
 * as a case that is already resolved, so the board's reports count it. */
static int
record_resolved_at(struct escbot *e, const struct message *m,
    const struct protocol *p, const struct form_rule *rule,
    const struct form_result *r, int level, struct outcome *o, time_t now)
{
	struct case_state c;
	struct tvars v = { 0 };
	struct tm tm;
	char *tok;
	int idx, rc = -1;

	memset(&c, 0, sizeof(c));
	calendar_utc_to_london(now, &tm);
	if (store_next_ref(e->store, p->prefix, tm.tm_year + 1900, &c.ref) == -1)
		goto done;
	idx = level > 0 ? rules_stage_index(p, level) : -1;
	c.stage_idx = idx >= 0 ? idx : (int)p->nstages - 1;
	c.protocol = xstrdup(p->id);
	c.form = xstrdup(rule->form);
	c.status = CASE_RESOLVED;
	c.opened_at = c.stage_started_at = c.due_at = c.resolved_at = now;
	c.resolved_level = level > 0 ? level : p->stages[c.stage_idx].number;
	c.resolution = xstrdup("resolved before it was tracked by escbot");
	c.raised_by = xstrdup(m->from_addr);
	c.raised_name = m->from_name ? str_header_safe(m->from_name) : NULL;
	c.thread_id = m->message_id ? xstrdup(m->message_id) : NULL;
	c.agencies = involved_agencies(e, m->from_addr, r);
	if (store_case_insert(e->store, &c) == -1 ||
	    store_fields(e, c.id, r) == -1 ||
	    store_participant_add(e->store, c.id, m->from_addr) == -1 ||
	    store_event_add(e->store, c.id, now, m->from_addr, "recorded-resolved",
	    rule->form) == -1)
		goto done;
	casework_case_vars(e, &c, &v);
	tvars_set(&v, "actor", m->from_addr);
	tvars_set(&v, "note", "recorded from your resolution pro-forma");
	tok = xasprintf("%s/ack", c.ref);
	rc = casework_reply(e, "resolved", tok, m->from_addr, m->message_id, &v,
	    now) < 0 ? -1 : 0;
	free(tok);
	o->case_id = c.id;
	set_outcome(o, "case", 0, "%s recorded as resolved at level %d", c.ref,
	    c.resolved_level);
done:
	tvars_free(&v);
	case_state_free(&c);
	return rc;
}

/*
 * A delivery status notification about one of escbot's emails: each failed
 * recipient is recorded against the case the email was about, so the
 * digest can show contacts whose address no longer works.  Returns the case
 * id, or 0 when the report is about no mail of ours.
 */
static int64_t
record_bounce(struct escbot *e, const struct message *m, const char *raw,
    size_t len, time_t now)
{
	struct case_state c;
	const char *p = raw, *end = raw + len, *q;
	char *id = NULL, *ref = NULL;
	int64_t case_id = 0;

	/* Our Message-IDs are "escbot.<hash>@domain": find one in the
	 * returned headers. */
	while (p < end && (q = memmem(p, (size_t)(end - p), "<escbot.", 8)) != NULL) {
		const char *gt = memchr(q, '>', (size_t)(end - q));

		if (gt == NULL || gt - q > 200)
			break;
		free(id);
		id = xstrndup(q + 1, (size_t)(gt - q - 1));
		if (store_case_by_message_id(e->store, id, &ref) == 1)
			break;
		p = gt;
	}
	free(id);
	if (ref == NULL || store_case_get(e->store, ref, &c) != 1) {
		free(ref);
		return 0;
	}
	case_id = c.id;
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct msg_attachment *a = &m->attachments[i];
		char *copy, *line, *save = NULL, *rcpt = NULL, *status = NULL;
		int failed = 0;

		if (a->content_type == NULL ||
		    strcmp(a->content_type, "message/delivery-status") != 0)
			continue;
		copy = xstrndup(a->data, a->len);
		/* Per-recipient blocks: Final-Recipient ... Action ... Status. */
		for (line = strtok_r(copy, "\r\n", &save); ; line = strtok_r(NULL,
		    "\r\n", &save)) {
			if (line == NULL || str_ncasecmp(line, "Final-Recipient:", 16) == 0) {
				if (rcpt && failed) {
					char *safe = str_header_safe(status ? status : "");

					store_event_add(e->store, c.id, now, rcpt, "bounce",
					    safe);
					log_info("case %s: delivery to %s failed (%s)",
					    c.ref, rcpt, safe);
					free(safe);
				}
				free(rcpt);
				free(status);
				rcpt = status = NULL;
				failed = 0;
				if (line == NULL)
					break;
				q = strchr(line, ';');
				rcpt = config_addr_spec(q ? q + 1 : line + 16);
			} else if (str_ncasecmp(line, "Action:", 7) == 0)
				failed = str_casestr(line, "failed") != NULL;
			else if (str_ncasecmp(line, "Status:", 7) == 0) {
				free(status);
				status = xstrdup(str_trim(line + 7));
			}
		}
		free(copy);
	}
	case_state_free(&c);
	free(ref);
	return case_id;
}

/*
 * A form in an attached Word file: 1 with the text and the form when one
 * is found, 0 when no attachment holds one, -1 when a Word file was
 * refused (err says why, for the sender), WORKER_TEMP when it could not be
 * read now (err says why, for the log).
 */
#define DOCX_TIMEOUT	60	/* seconds to read one Word document */

static int
docx_form(struct escbot *e, const struct message *m, char **text,
    const struct form_def **f, char *err, size_t errlen)
{
	struct docx_limits lim = docx_default_limits;
	int refused = 0, rc;

	*text = NULL;
	*f = NULL;
	lim.max_unpacked = (size_t)e->cfg->limits.docx_unpacked;
	lim.max_ratio = (unsigned)e->cfg->limits.docx_ratio;
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct msg_attachment *a = &m->attachments[i];
		char why[256];

		if (!docx_is_docx(a->filename, a->content_type, a->data, a->len))
			continue;
		/* Read in a child: a document that crashes or hangs the
		 * parser ends the child, and is refused like any other. */
		rc = worker_docx_to_text(a->data, a->len, &lim, DOCX_TIMEOUT,
		    text, why, sizeof(why));
		if (rc == WORKER_TEMP) {
			snprintf(err, errlen, "%s", why);
			return WORKER_TEMP;
		}
		if (rc == -1) {
			if (!refused++)
				snprintf(err, errlen, "%.100s: %.200s", a->filename ?
				    a->filename : "the attachment", why);
			continue;
		}
		if ((*f = form_recognise(e->rules->forms, *text)) != NULL)
			return 1;
		free(*text);
		*text = NULL;
	}
	return refused ? -1 : 0;
}

/* The stage a report's answers say the disagreement reached (the rule's
 * default when none is answered), and whether it was resolved there. */
static int
reported_level(const struct form_rule *rule, const struct form_result *r,
    int *resolved)
{
	*resolved = 0;
	for (size_t i = 0; i < rule->nlevel_from; i++) {
		const char *spec = rule->level_from[i], *eq = strchr(spec, '=');
		char *name = xstrndup(spec, eq ? (size_t)(eq - spec) : strlen(spec));
		const char *v = form_result_get(r, name);
		int yes = 0, no = 0;

		free(name);
		if (eq == NULL || v == NULL || answer_negative(v))
			continue;
		for (size_t k = 0; k < rule->nresolved_words; k++)
			yes |= str_casestr(v, rule->resolved_words[k]) != NULL;
		for (size_t k = 0; k < rule->nunresolved_words; k++)
			no |= str_casestr(v, rule->unresolved_words[k]) != NULL;
		*resolved = yes && !no;
		return atoi(eq + 1);
	}
	return rule->stage;
}

/* Bounds on what one message may hold.  Over one, the message is kept in
 * Rejected with the reason and nothing else is done with it. */
static int
over_limits(struct escbot *e, const struct message *m, struct outcome *o)
{
	if (m->nattachments > (size_t)e->cfg->limits.mime_parts) {
		set_outcome(o, "rejected", 1, "%zu MIME parts: over limits.mime_parts",
		    m->nattachments);
		return 1;
	}
	for (size_t i = 0; i < m->nattachments; i++)
		if (m->attachments[i].len > (size_t)e->cfg->limits.attachment_size) {
			set_outcome(o, "rejected", 1, "attachment of %zu bytes: over "
			    "limits.attachment_size", m->attachments[i].len);
			return 1;
		}
	return 0;
}

/* An answer longer than limits.field_length is a problem like a missing
 * one: the sender is told which field. */
static void
check_field_lengths(struct escbot *e, struct form_result *r)
{
	size_t max = (size_t)e->cfg->limits.field_length;

	for (size_t i = 0; i < r->nvalues; i++) {
		struct form_problem *p;

		if (strlen(r->values[i].value) <= max)
			continue;
		r->problems = xreallocarray(r->problems, r->nproblems + 1,
		    sizeof(*r->problems));
		p = &r->problems[r->nproblems++];
		memset(p, 0, sizeof(*p));
		p->def = r->values[i].def;
		p->reason = xasprintf("longer than %zu characters", max);
	}
}

static int
record_resolved(struct escbot *e, const struct message *m,
    const struct protocol *p, const struct form_rule *rule,
    const struct form_result *r, struct outcome *o, time_t now)
{
	return record_resolved_at(e, m, p, rule, r, form_level(rule, r), o, now);
}

/* Classify and act.  Everything it writes is inside the caller's
 * transaction.  Returns 0, or -1 when the transaction must be abandoned. */
static int
decide(struct escbot *e, const struct message *m, const char *raw,
    size_t len, struct outcome *o, time_t now)
{
	const struct form_def *f;
	const struct form_rule *rule;
	const struct protocol *p;
	struct form_result *r;
	struct tvars v = { 0 };
	const char *why, *text;
	char *ref, *docx_text = NULL, docx_err[512];
	int rc = -1;

	if (m->from_addr && e->cfg->smtp.from_addr &&
	    strcmp(m->from_addr, e->cfg->smtp.from_addr) == 0) {
		set_outcome(o, "own", 0, "escbot's own message");
		return 0;
	}
	if ((why = automatic_reason(m)) != NULL) {
		set_outcome(o, m->is_report ? "bounce" : "auto", 0,
		    "automatic message (%s): not answered", why);
		if (m->is_report && (o->case_id = record_bounce(e, m, raw, len,
		    now)) != 0)
			return 0;
		if ((ref = thread_ref(e, m)) != NULL) {
			struct case_state c;

			if (store_case_get(e->store, ref, &c) == 1) {
				o->case_id = c.id;
				store_event_add(e->store, c.id, now,
				    m->from_addr ? m->from_addr : "unknown",
				    m->is_report ? "bounce" : "auto-reply", why);
				case_state_free(&c);
			}
			free(ref);
		}
		return 0;
	}
	if (m->from_addr == NULL) {
		set_outcome(o, "rejected", 1, "no sender address");
		return 0;
	}
	if (over_limits(e, m, o))
		return 0;
	if (!config_domain_allowed(e->cfg, m->from_addr)) {
		set_outcome(o, "refused", 1,
		    "sender domain not in allowed_sender_domains");
		return 0;
	}
	if ((why = authentication_failure(e, m)) != NULL) {
		set_outcome(o, "refused", 1, "%s for the sender's domain", why);
		return 0;
	}
	if ((ref = thread_ref(e, m)) != NULL) {
		char *mine = reply_text(m->text);

		f = form_recognise(e->rules->forms, mine);
		if (f != NULL && (p = rules_for_form(e->rules, f->id, &rule)) != NULL) {
			r = form_extract(f, mine);
			if (r->nproblems == 0)
				rc = form_for_case(e, m, ref, rule, r, o, now);
			else
				rc = thread_message(e, m, ref, o, now);
			form_result_free(r);
		} else
			rc = thread_message(e, m, ref, o, now);
		free(mine);
		free(ref);
		return rc;
	}

	/* The form pasted in the body, or else in an attached Word file. */
	f = form_recognise(e->rules->forms, m->text);
	text = m->text;
	if (f == NULL && (rc = docx_form(e, m, &docx_text, &f, docx_err,
	    sizeof(docx_err))) == WORKER_TEMP) {
		/* Not the document's fault: it stays in the inbox. */
		log_warnx("Word attachment not read now: %s", docx_err);
		rc = -1;
		goto done;
	}
	if (f == NULL && rc == -1) {
		/* A Word file escbot would not open (a zip bomb, damaged). */
		tvars_set(&v, "subject", m->subject);
		tvars_set(&v, "note", docx_err);
		tvars_set(&v, "formats", "yes");
		if (reply_once_a_day(e, m, "no-form", &v, now) == -1)
			goto done;
		set_outcome(o, "rejected", 1, "Word attachment refused: %s", docx_err);
		rc = 0;
		goto done;
	}
	if (docx_text != NULL)
		text = docx_text;
	rc = -1;
	if (f == NULL) {
		int unreadable = 0;

		for (size_t i = 0; i < m->nattachments; i++)
			if (m->attachments[i].filename)
				unreadable = 1;
		tvars_set(&v, "subject", m->subject);
		tvars_set(&v, "formats", unreadable ? "yes" : "");
		if (reply_once_a_day(e, m, "no-form", &v, now) == -1)
			goto done;
		set_outcome(o, "no-form", 1, "no form recognised%s",
		    unreadable ? " (attachment in a format escbot cannot read)" : "");
		rc = 0;
		goto done;
	}
	if ((p = rules_for_form(e->rules, f->id, &rule)) == NULL) {
		set_outcome(o, "rejected", 1, "form %s is not used by any protocol",
		    f->id);
		rc = 0;
		goto done;
	}
	r = form_extract(f, text);
	check_field_lengths(e, r);
	if (r->nproblems > 0) {
		char *probs = problems_summary(r), *tok;

		tvars_set(&v, "form_title", f->title);
		tvars_set(&v, "problems", probs);
		tvars_set(&v, "subject", m->subject);
		tok = xasprintf("reject/%s", m->message_id ? m->message_id :
		    m->from_addr);
		rc = casework_reply(e, "reject", tok, m->from_addr, m->message_id,
		    &v, now) < 0 ? -1 : 0;
		free(tok);
		set_outcome(o, "rejected", 1, "form %s incomplete: %zu field%s "
		    "missing or unreadable", f->id, r->nproblems,
		    r->nproblems == 1 ? "" : "s");
		free(probs);
		form_result_free(r);
		goto done;
	}
	if ((ref = case_for_form(e, p, rule, r)) != NULL) {
		rc = form_for_case(e, m, ref, rule, r, o, now);
		free(ref);
	} else if (rule->action == FORM_OPEN && rule->nlevel_from > 0) {
		int resolved, level = reported_level(rule, r, &resolved);

		rc = resolved ? record_resolved_at(e, m, p, rule, r, level, o, now) :
		    open_case_at(e, m, p, rule, r, level, o, now);
	} else if (rule->action == FORM_OPEN && form_says_resolved(rule, r))
		/* Sent for the record once it was already resolved. */
		rc = record_resolved_at(e, m, p, rule, r, rule->stage, o, now);
	else if (rule->action == FORM_OPEN)
		rc = open_case(e, m, p, rule, r, o, now);
	else if (rule->action == FORM_CLOSE)
		rc = record_resolved(e, m, p, rule, r, o, now);
	else {
		/* An update (a meeting record) for a case escbot cannot find:
		 * kept for a person to look at, and the sender told why. */
		char *tok = xasprintf("unmatched/%s", m->message_id ?
		    m->message_id : m->from_addr);

		tvars_set(&v, "form_title", f->title);
		tvars_set(&v, "subject", m->subject);
		rc = casework_reply(e, "unmatched", tok, m->from_addr,
		    m->message_id, &v, now) < 0 ? -1 : 0;
		free(tok);
		set_outcome(o, "rejected", 1, "form %s names no case escbot knows",
		    f->id);
	}
	form_result_free(r);
done:
	free(docx_text);
	tvars_free(&v);
	return rc;
}

int
ingest_message(struct escbot *e, const char *raw, size_t len,
    uint32_t uidvalidity, uint32_t uid, char **folder)
{
	struct processed_msg pm;
	struct outcome o = { 0 };
	struct message *m = NULL;
	char err[256], *fp, *known = NULL;
	time_t now = escbot_now(e);
	int rc;

	*folder = NULL;
	fp = fingerprint(raw, len);
	if ((rc = store_processed_find(e->store, fp, &known)) == 1) {
		/* Done before (a crash before the move, a re-delivery, a new
		 * UIDVALIDITY): only the move is left. */
		log_info("uid %u: already processed; moving to %s", uid, known);
		*folder = known;
		free(fp);
		return 0;
	}
	if (rc == -1)
		goto fail;
	if (store_begin(e->store) == -1)
		goto fail;
	if (len > (size_t)e->cfg->max_message_size)
		set_outcome(&o, "rejected", 1, "message of %zu bytes is over "
		    "max_message_size", len);
	else if (message_parse(raw, len, &m, err, sizeof(err)) == -1)
		set_outcome(&o, "rejected", 1, "unreadable message: %s", err);
	else if (m->message_id && m->from_addr &&
	    (rc = store_processed_find_id(e->store, m->message_id, m->from_addr,
	    &known)) != 0) {
		/* The same message delivered again with other trace headers:
		 * it goes where the first copy went, and nothing is done. */
		if (rc == -1) {
			store_rollback(e->store);
			goto fail;
		}
		set_outcome(&o, "duplicate", 0, "a copy of a message already "
		    "processed");
		o.rejected = strcmp(known, e->cfg->imap.rejected_folder) == 0;
	} else if (decide(e, m, raw, len, &o, now) == -1) {
		store_rollback(e->store);
		goto fail;
	}
	memset(&pm, 0, sizeof(pm));
	pm.uidvalidity = uidvalidity;
	pm.uid = uid;
	pm.fingerprint = fp;
	pm.message_id = m ? m->message_id : NULL;
	pm.sender = m ? m->from_addr : NULL;
	pm.outcome = o.outcome;
	pm.reason = o.reason;
	pm.folder = o.rejected ? e->cfg->imap.rejected_folder :
	    e->cfg->imap.processed_folder;
	pm.case_id = o.case_id;
	pm.at = now;
	if (store_processed_add(e->store, &pm) == -1 ||
	    store_commit(e->store) == -1) {
		store_rollback(e->store);
		goto fail;
	}
	log_info("uid %u: %s: %s", uid, o.outcome, o.reason);
	*folder = xstrdup(pm.folder);
	message_free(m);
	free(o.reason);
	free(known);
	free(fp);
	return 0;
fail:
	log_warnx("uid %u: not processed, left in the inbox: %s", uid,
	    store_error(e->store));
	message_free(m);
	free(o.reason);
	free(known);
	free(fp);
	return -1;
}

/* Date: of a raw message before `since` (a message without one is not). */
static int
older_than(const char *raw, size_t len, time_t since)
{
	struct message *m;
	char err[128];
	int old = 0;

	if (message_parse(raw, len, &m, err, sizeof(err)) == 0) {
		old = m->date != 0 && m->date < since;
		message_free(m);
	}
	return old;
}

/* At most imap.batch messages (and this many bytes, unless one message
 * is larger) are fetched, committed and moved together: two fetch round
 * trips, one commit and one MOVE per batch rather than per message. */
#define FETCH_BATCH_BYTES	(8 * 1024 * 1024)

static int imap_outage;	/* 1 while the mailbox cannot be reached */

/* Committed messages waiting to be moved, by destination folder. */
struct moves {
	struct {
		char		*folder;
		uint32_t	*uids;
		size_t		 n;
	} f[4];
	size_t	nf;
	size_t	n;		/* messages in all folders */
};

static void
moves_add(struct moves *mv, const char *folder, uint32_t uid)
{
	size_t i;

	for (i = 0; i < mv->nf; i++)
		if (strcmp(mv->f[i].folder, folder) == 0)
			break;
	if (i == mv->nf) {
		if (mv->nf == sizeof(mv->f) / sizeof(mv->f[0]))
			fatalx("ingest: too many destination folders");
		mv->f[mv->nf++].folder = xstrdup(folder);
	}
	mv->f[i].uids = xreallocarray(mv->f[i].uids, mv->f[i].n + 1,
	    sizeof(uint32_t));
	mv->f[i].uids[mv->f[i].n++] = uid;
	mv->n++;
}

/* Move what is waiting.  0, or -1 (logged; *stop_at set to the first UID
 * not moved, so the next pass finds it again). */
static int
moves_flush(struct escbot *e, struct imap *im, struct moves *mv,
    uint32_t *stop_at)
{
	char err[512];
	int rc = 0;

	/* Nothing leaves the inbox before its record is on disk. */
	if (mv->n > 0 && store_sync(e->store) == -1) {
		for (size_t i = 0; i < mv->nf; i++)
			if (mv->f[i].n > 0 && (*stop_at == 0 ||
			    mv->f[i].uids[0] < *stop_at))
				*stop_at = mv->f[i].uids[0];
		rc = -1;
		goto done;
	}
	for (size_t i = 0; i < mv->nf; i++) {
		if (mv->f[i].n == 0)
			continue;
		if (rc == 0 && imap_move_uids(im, mv->f[i].uids, mv->f[i].n,
		    mv->f[i].folder, err, sizeof(err)) != IMAP_OK) {
			log_warnx("imap: move of %zu message%s to %s: %s",
			    mv->f[i].n, mv->f[i].n == 1 ? "" : "s",
			    mv->f[i].folder, err);
			rc = -1;
		}
		if (rc == -1 && (*stop_at == 0 || mv->f[i].uids[0] < *stop_at))
			*stop_at = mv->f[i].uids[0];
		mv->f[i].n = 0;
	}
done:
	for (size_t i = 0; i < mv->nf; i++)
		mv->f[i].n = 0;
	mv->n = 0;
	return rc;
}

static void
moves_free(struct moves *mv)
{
	for (size_t i = 0; i < mv->nf; i++) {
		free(mv->f[i].folder);
		free(mv->f[i].uids);
	}
	memset(mv, 0, sizeof(*mv));
}

static int
stopping(const struct escbot *e)
{
	return e->stop != NULL && *e->stop;
}

static void
show_progress(size_t i, size_t n, const struct timespec *t0)
{
	struct timespec t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	fprintf(stderr, "\r%zu/%zu messages, %.1f per second ", i, n,
	    secs > 0 ? (double)i / secs : 0.0);
}

/*
 * Process fetched messages in one transaction (store.h's batch): each
 * message is its own unit, so one that fails is left in the inbox alone.
 * Only when the batch is committed are its messages queued for the move
 * and *handled advanced; if the commit fails, none of them is, and the
 * cursor stays before the batch.  Returns -1 when the pass should stop.
 */
static int
ingest_batch(struct escbot *e, struct imap_msg *msgs, size_t got,
    uint32_t uidv, struct moves *mv, uint32_t *handled, uint32_t *stop_at,
    int *done, int *failed)
{
	struct { uint32_t uid; char *folder; } *ok;
	uint32_t next = *handled;
	size_t nok = 0, j;
	int rc = 0;

	ok = xcalloc(got, sizeof(*ok));
	if (store_batch_begin(e->store) == -1) {
		log_warnx("uid %u: not processed, left in the inbox: %s",
		    msgs[0].uid, store_error(e->store));
		rc = -1;
		goto fail;
	}
	for (j = 0; j < got && !stopping(e); j++) {
		struct imap_msg *m = &msgs[j];

		if (m->raw == NULL) {
			/* Listed, then gone before the fetch (another client
			 * moved it): the next pass looks again. */
			log_warnx("uid %u: no longer on the server", m->uid);
			if (!*stop_at)
				*stop_at = m->uid;
			continue;
		}
		if (e->since && older_than(m->raw, m->len, e->since)) {
			/* run --since: a backfill limited to recent mail
			 * leaves older messages where they are. */
			log_debug("uid %u: before --since; left in the inbox",
			    m->uid);
			next = m->uid + 1;
			continue;
		}
		if (ingest_message(e, m->raw, m->len, uidv, m->uid,
		    &ok[nok].folder) == -1) {
			/* Left in the inbox; the cursor stays before it so
			 * the next pass tries it again. */
			if (!*stop_at)
				*stop_at = m->uid;
			(*failed)++;
			continue;
		}
		ok[nok++].uid = m->uid;
		next = m->uid + 1;
	}
	if (store_batch_commit(e->store) == -1) {
		log_warnx("uids %u-%u: not recorded, left in the inbox: %s",
		    msgs[0].uid, msgs[got - 1].uid, store_error(e->store));
		if (!*stop_at || msgs[0].uid < *stop_at)
			*stop_at = msgs[0].uid;
		*failed += (int)nok;
		rc = -1;
		goto fail;
	}
	log_debug("uids %u-%u: %zu message%s committed", msgs[0].uid,
	    msgs[got - 1].uid, nok, nok == 1 ? "" : "s");
	for (size_t k = 0; k < nok; k++)
		moves_add(mv, ok[k].folder, ok[k].uid);
	*done += (int)nok;
	*handled = next;
fail:
	for (size_t k = 0; k < nok; k++)
		free(ok[k].folder);
	free(ok);
	for (j = 0; j < got; j++) {
		free(msgs[j].raw);
		msgs[j].raw = NULL;
	}
	return rc;
}

int
ingest_imap_open(struct escbot *e, struct imap **out, char *err,
    size_t errlen)
{
	return account_imap_open(e->cfg, out, err, errlen);
}

int
ingest_mailbox(struct escbot *e)
{
	const char *folder_name = e->cfg->imap.folder;
	struct imap *im;
	uint32_t uidv, known_uidv = 0, next_uid = 1, *uids = NULL, stop_at = 0;
	uint32_t handled = 0;
	size_t n = 0, got = 0, want, batch;
	char err[512];
	int rc, done = 0, failed = 0, progress, one_by_one = 0;
	struct timespec t0;
	struct moves mv = { 0 };
	struct imap_msg *msgs;

	if ((rc = ingest_imap_open(e, &im, err, sizeof(err))) != IMAP_OK) {
		/* Once per outage, not once per poll. */
		if (!imap_outage)
			log_warnx("imap: %s%s", err, rc == IMAP_ERR_TEMP ?
			    "; will retry" : "");
		imap_outage = 1;
		snprintf(e->last_error, sizeof(e->last_error), "%s", err);
		return rc == IMAP_ERR_FINAL ? INGEST_FINAL : INGEST_TEMP;
	}
	if (imap_outage)
		log_info("imap: %s reachable again", e->cfg->imap.host);
	imap_outage = 0;
	uidv = imap_uidvalidity(im);
	if (store_mailbox_get(e->store, folder_name, &known_uidv, &next_uid) == 1 &&
	    known_uidv != uidv) {
		/* The server renumbered the folder: look at everything again;
		 * fingerprints keep what was done from being done twice. */
		log_warnx("imap: %s UIDVALIDITY changed (%u -> %u); rescanning",
		    folder_name, known_uidv, uidv);
		next_uid = 1;
	}
	if (known_uidv != uidv)
		next_uid = 1;
	if ((rc = imap_list_uids(im, next_uid, &uids, &n, err, sizeof(err))) != 0) {
		log_warnx("imap: %s", err);
		imap_close(im);
		return rc == IMAP_ERR_FINAL ? INGEST_FINAL : INGEST_TEMP;
	}
	progress = n >= 20 && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	batch = (size_t)e->cfg->imap.batch;
	msgs = xcalloc(batch, sizeof(*msgs));
	for (size_t i = 0; i < n && !stopping(e); i += got) {
		if (progress)
			show_progress(i, n, &t0);
		want = one_by_one ? 1 : n - i < batch ? n - i : batch;
		rc = imap_fetch_many(im, uids + i, want, FETCH_BATCH_BYTES, msgs,
		    &got, err, sizeof(err));
		if (rc == IMAP_ERR_FINAL && !one_by_one) {
			/* The server refused the batch: find the message it
			 * refuses by asking for each alone. */
			log_warnx("imap: %s; fetching one message at a time", err);
			one_by_one = 1;
			got = 0;
			continue;
		}
		if (rc != IMAP_OK) {
			log_warnx("imap: uid %u: %s", uids[i], err);
			if (rc == IMAP_ERR_TEMP)
				break;
			if (!stop_at)
				stop_at = uids[i];
			got = 1;
			continue;
		}
		if (ingest_batch(e, msgs, got, uidv, &mv, &handled, &stop_at,
		    &done, &failed) == -1)
			break;
		/* Every message of the batch is committed: make it durable,
		 * move the batch (one round trip), then advance the cursor. */
		if (moves_flush(e, im, &mv, &stop_at) == -1)
			break;
		if (!stop_at)
			store_mailbox_set(e->store, folder_name, uidv, handled);
	}
	free(msgs);
	(void)moves_flush(e, im, &mv, &stop_at);
	moves_free(&mv);
	if (progress)
		fprintf(stderr, "\r%zu/%zu messages done%20s\n", n, n, "");
	/* The cursor never passes a message that was not handled: the first
	 * one left behind, else the last one handled, else where it was. */
	store_mailbox_set(e->store, folder_name, uidv, stop_at ? stop_at :
	    handled ? handled : next_uid);
	free(uids);
	imap_close(im);
	/* A message that could not be recorded stays in the inbox for the
	 * next pass; say so to a scheduler running "run --once". */
	return failed ? INGEST_TEMP : done;
}
