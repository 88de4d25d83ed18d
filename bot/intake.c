/*
 * intake: the classify stage of DESIGN.md as one pure function.  The order
 * of the questions is the policy: our own mail, automatic mail and
 * delivery reports first (never answered: RFC 3834); then whether the
 * sender may write to escbot at all; then a reply in a case's thread
 * (a form for that case, a command, DONE, a note); then a form pasted in
 * the body or in a Word file, which opens, joins or resolves a case.  Every
 * store question goes through struct intake_lookup.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "calendar.h"
#include "config.h"
#include "directory.h"
#include "docx.h"
#include "form.h"
#include "intake.h"
#include "message.h"
#include "quote.h"
#include "rules.h"
#include "text.h"
#include "util.h"

void
verdict_outcome(struct verdict *v, const char *outcome, int rejected,
    const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	v->outcome = outcome;
	v->rejected = rejected;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(v->reason);
	v->reason = sb_steal(&sb);
}

/* The verdict's kind and its outcome at once. */
#define set_verdict(v, k, ...) \
	((v)->kind = (k), verdict_outcome((v), __VA_ARGS__))

/*
 * RFC 3834 and its relatives: anything a robot sent.  Answering it could
 * start a mail loop, and it is never a practitioner's form.
 */
const char *
intake_automatic(const struct message *m)
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

/* The results of one Authentication-Results header that matter here. */
struct auth_results {
	char	dmarc[16], spf[16], compauth[16];
};

/* The authserv-id of a header value (its first clause's first word), or
 * "" for Microsoft 365's form, which has none ("spf=pass (...) ...; ..."). */
static size_t
authserv_of(const char *h, const char **id)
{
	size_t n;

	while (isspace((unsigned char)*h))
		h++;
	n = strcspn(h, " \t\r\n;");
	*id = h;
	return memchr(h, '=', n) ? 0 : n;
}

/* Each clause "method=result ..." after the authserv-id. */
static void
auth_parse(const char *h, struct auth_results *r)
{
	static const char *const methods[] = { "dmarc", "spf", "compauth" };
	char *fields[3] = { r->dmarc, r->spf, r->compauth };
	const char *id, *p = h;

	memset(r, 0, sizeof(*r));
	if (authserv_of(h, &id) > 0 && (p = strchr(h, ';')) == NULL)
		return;
	for (; p && *p; p = strchr(p, ';')) {
		while (*p == ';' || isspace((unsigned char)*p))
			p++;
		for (size_t i = 0; i < 3; i++) {
			size_t ml = strlen(methods[i]), n;

			if (fields[i][0] || str_ncasecmp(p, methods[i], ml) != 0 ||
			    p[ml] != '=')
				continue;
			n = strcspn(p + ml + 1, " \t\r\n;(");
			snprintf(fields[i], sizeof(r->dmarc), "%.*s", (int)n,
			    p + ml + 1);
			for (char *q = fields[i]; *q; q++)
				*q = (char)tolower((unsigned char)*q);
		}
	}
}

/* The Authentication-Results header escbot trusts: the topmost one with
 * authserv_id, or (unset) the topmost one at all -- headers are added on
 * top, so that is the one the mailbox's own server added.  NULL: none. */
static const char *
trusted_results(const struct config *cfg, const struct message *m)
{
	size_t idl = strlen(cfg->authserv_id);

	for (size_t i = 0; i < m->nheaders; i++) {
		const char *id;

		if (str_casecmp(m->headers[i].name, "Authentication-Results") != 0)
			continue;
		if (idl == 0)
			return m->headers[i].value;
		if (authserv_of(m->headers[i].value, &id) == idl &&
		    str_ncasecmp(id, cfg->authserv_id, idl) == 0)
			return m->headers[i].value;
	}
	return NULL;
}

/*
 * The mailbox's own server vouches for the sender (sender_authentication):
 * why the message is refused, or NULL.  "dmarc" refuses dmarc=fail, and
 * spf=fail without a DMARC pass; "strict" refuses anything short of
 * dmarc=pass (none, missing, a temporary error) and Microsoft 365's
 * compauth=fail; "off" checks nothing.
 */
const char *
intake_authentication(const struct config *cfg, const struct message *m)
{
	struct auth_results r;
	const char *h;
	int pass;

	if (cfg->sender_auth == SENDER_AUTH_OFF)
		return NULL;
	if ((h = trusted_results(cfg, m)) == NULL)
		return cfg->sender_auth == SENDER_AUTH_STRICT ?
		    "no Authentication-Results from our server" : NULL;
	auth_parse(h, &r);
	pass = strcmp(r.dmarc, "pass") == 0;
	if (strcmp(r.dmarc, "fail") == 0)
		return "DMARC failed";
	if (!pass && strcmp(r.spf, "fail") == 0)
		return "SPF failed";
	if (cfg->sender_auth != SENDER_AUTH_STRICT)
		return NULL;
	if (strcmp(r.compauth, "fail") == 0)
		return "composite authentication failed";
	if (!pass)
		return r.dmarc[0] ? "DMARC not passed" : "no DMARC result";
	return NULL;
}

char *
intake_subject_ref(const char *s)
{
	const char *p = s, *q;

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

/* The case with reference ref: 1 and *c, 0 none, -1 store error. */
static int
get_case(const struct intake_input *in, const char *ref, struct case_state *c)
{
	memset(c, 0, sizeof(*c));
	return in->look->case_by_ref(in->look->arg, ref, c);
}

/* The known case ref names: 1 (ref kept), 0 (ref freed), -1. */
static int
known_ref(const struct intake_input *in, char **ref)
{
	struct case_state c;
	int rc = get_case(in, *ref, &c);

	if (rc == 1)
		case_state_free(&c);
	else {
		free(*ref);
		*ref = NULL;
	}
	return rc;
}

/* The case this message answers, by tag or by threading headers: 1 and
 * *ref, 0 none, -1 store error. */
static int
thread_ref(const struct intake_input *in, char **ref)
{
	const struct message *m = in->msg;
	char *ids, *tok, *save = NULL;
	int rc = 0;

	if ((*ref = intake_subject_ref(m->subject)) != NULL &&
	    (rc = known_ref(in, ref)) != 0)
		return rc;
	if (m->in_reply_to && (rc = in->look->ref_by_message_id(in->look->arg,
	    m->in_reply_to, ref)) != 0)
		return rc;
	*ref = NULL;
	if (m->references == NULL)
		return 0;
	ids = xstrdup(m->references);
	for (tok = strtok_r(ids, " \t\r\n,", &save); tok && rc == 0;
	    tok = strtok_r(NULL, " \t\r\n,", &save)) {
		size_t n = strlen(tok);

		if (tok[0] == '<' && n > 2 && tok[n - 1] == '>') {
			tok[n - 1] = '\0';
			tok++;
		}
		rc = in->look->ref_by_message_id(in->look->arg, tok, ref);
		if (rc != 1)
			*ref = NULL;
	}
	free(ids);
	return rc;
}


/* The next line of text (text.c's text_line_end): its start in *line,
 * its length without the line end, *p moved past it. */
static size_t
next_line(const char **p, const char **line)
{
	const char *e;

	*line = *p;
	e = text_line_end(*p, *p + strlen(*p), p);
	return (size_t)(e - *line);
}

/* A line that stands before what the sender says to escbot: an external
 * sender banner (Microsoft 365, mail gateways) or a greeting. */
static int
is_preamble(const char *l, size_t n)
{
	static const char *const banners[] = { "caution:", "[external]",
	    "external:", "external email", "external sender", "warning:",
	    "you don't often get email from", "you don\u2019t often get email",
	    "this email originated from outside", "this message originated",
	    "this message came from outside", "this email came from outside",
	    "** external", "*external*" };
	static const char *const greetings[] = { "hi", "hello", "dear",
	    "good morning", "good afternoon", "good evening", "morning",
	    "afternoon", "hiya", "all" };

	while (n > 0 && isspace((unsigned char)*l)) {
		l++;
		n--;
	}
	for (size_t i = 0; i < sizeof(banners) / sizeof(banners[0]); i++)
		if (n >= strlen(banners[i]) &&
		    str_ncasecmp(l, banners[i], strlen(banners[i])) == 0)
			return 1;
	if (n > 40 || (n > 0 && l[n - 1] != ',' && l[n - 1] != '!' &&
	    memchr(l, ' ', n) != NULL && n > 20))
		return 0;
	for (size_t i = 0; i < sizeof(greetings) / sizeof(greetings[0]); i++) {
		size_t g = strlen(greetings[i]);

		if (n >= g && str_ncasecmp(l, greetings[i], g) == 0 &&
		    (n == g || !isalpha((unsigned char)l[g])))
			return 1;
	}
	return 0;
}

/* The first line of the sender's own words: past blank lines, banners
 * and greetings, into line (NUL-terminated, truncated to its size). */
static void
command_line(const char *text, char *line, size_t size)
{
	const char *p = text, *l;
	size_t n;

	line[0] = '\0';
	while (*p) {
		n = next_line(&p, &l);
		while (n > 0 && isspace((unsigned char)l[n - 1]))
			n--;
		while (n > 0 && isspace((unsigned char)*l)) {
			l++;
			n--;
		}
		if (n == 0 || is_preamble(l, n))
			continue;
		snprintf(line, size, "%.*s", (int)n, l);
		return;
	}
}

/* Spaces, colons, hyphens and dashes (UTF-8 en and em dash). */
static const char *
skip_separators(const char *r)
{
	for (;;) {
		if (*r == ' ' || *r == '\t' || *r == ':' || *r == '-' || *r == '.')
			r++;
		else if ((unsigned char)r[0] == 0xe2 && (unsigned char)r[1] == 0x80 &&
		    ((unsigned char)r[2] == 0x93 || (unsigned char)r[2] == 0x94))
			r += 3;
		else
			return r;
	}
}

/* Skip word w (any case, a whole word) and the spaces after it. */
static const char *
skip_word(const char *r, const char *w)
{
	size_t n = strlen(w);

	if (str_ncasecmp(r, w, n) != 0 || isalpha((unsigned char)r[n]))
		return r;
	r += n;
	while (*r == ' ' || *r == '\t')
		r++;
	return r;
}

/* EXTEND's and TIMESCALE's days: "3", "3 days", "by 3 working days",
 * "of 5 days". */
static const char *
parse_days(const char *rest, int *days)
{
	char *end;
	long d;

	rest = skip_separators(rest);
	rest = skip_word(skip_word(rest, "by"), "of");
	d = strtol(rest, &end, 10);
	if (end == rest || d < 1 || d > 365 || *end == '.' || *end == ',')
		return NULL;
	*days = (int)d;
	rest = skip_word(end[0] == ' ' ? end + 1 : end, "working");
	if (str_ncasecmp(rest, "days", 4) == 0)
		rest += 4;
	else if (str_ncasecmp(rest, "day", 3) == 0)
		rest += 3;
	return rest;
}

int
intake_parse_command(const char *text, struct command *cmd, char *reason,
    size_t rlen)
{
	/* Longest first: "RESOLVED" before "RESOLVE". */
	static const struct {
		const char	*word;
		enum engine_cmd	 kind;
	} words[] = {
		{ "PAUSED", CMD_PAUSE }, { "PAUSING", CMD_PAUSE },
		{ "PAUSE", CMD_PAUSE }, { "RESUMED", CMD_RESUME },
		{ "RESUMING", CMD_RESUME }, { "RESUME", CMD_RESUME },
		{ "EXTENDED", CMD_EXTEND }, { "EXTENSION", CMD_EXTEND },
		{ "EXTEND", CMD_EXTEND }, { "ESCALATED", CMD_ESCALATE },
		{ "ESCALATING", CMD_ESCALATE }, { "ESCALATE", CMD_ESCALATE },
		{ "RESOLVED", CMD_RESOLVE }, { "RESOLVE", CMD_RESOLVE },
		{ "TIMESCALE", CMD_TIMESCALE }, { "TIME SCALE", CMD_TIMESCALE },
		{ "AGENCIES", CMD_AGENCIES }, { "AGENCY", CMD_AGENCIES },
		{ "COMPLETED", CMD_COMPLETE }, { "COMPLETE", CMD_COMPLETE },
		{ "NOTIFIED", CMD_COMPLETE },
	};
	const char *rest, *l;
	char line[1024];

	command_line(text, line, sizeof(line));
	l = skip_word(line, "please");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t wl = strlen(words[i].word);

		if (str_ncasecmp(l, words[i].word, wl) != 0 ||
		    isalpha((unsigned char)l[wl]))
			continue;
		memset(cmd, 0, sizeof(*cmd));
		cmd->kind = words[i].kind;
		rest = l + wl;
		/* "Timescale set to 3 days", "Timescale: 3 working days". */
		if (cmd->kind == CMD_TIMESCALE)
			rest = skip_word(skip_word(skip_separators(rest), "set"),
			    "to");
		if ((cmd->kind == CMD_EXTEND || cmd->kind == CMD_TIMESCALE) &&
		    (rest = parse_days(rest, &cmd->days)) == NULL)
			return -1;
		/* "Agency response attached" is no command: AGENCIES wants
		 * its colon (or dash) before the names. */
		if (cmd->kind == CMD_AGENCIES) {
			const char *r = rest;

			while (*r == ' ' || *r == '\t')
				r++;
			if (*r != ':' && *r != '-' && !((unsigned char)r[0] ==
			    0xe2 && (unsigned char)r[1] == 0x80))
				return -1;
		}
		rest = skip_separators(rest);
		snprintf(reason, rlen, "%s", rest);
		str_trim(reason);
		cmd->reason = reason;
		/* AGENCIES with no names is no command. */
		if (cmd->kind == CMD_AGENCIES && *reason == '\0')
			return -1;
		return 0;
	}
	return -1;
}

int
intake_parse_done(const char *text, int *num)
{
	char line[1024], *end;
	const char *p;
	long n;

	command_line(text, line, sizeof(line));
	p = line;
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

/* A word that denies what follows it: "not", "no", "isn't"... */
static int
is_negation(const char *w, size_t n)
{
	static const char *const neg[] = { "not", "no", "never", "without",
	    "nor", "neither", "none", "unlikely", "cannot" };

	for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++)
		if (n == strlen(neg[i]) && str_ncasecmp(w, neg[i], n) == 0)
			return 1;
	return (n > 3 && str_ncasecmp(w + n - 3, "n't", 3) == 0) ||
	    (n > 5 && memcmp(w + n - 5, "n\xe2\x80\x99t", 5) == 0);
}

/* Is the phrase at hit denied by one of the six words before it in its
 * clause: "not currently at immediate risk", "no evidence of immediate
 * risk"?  A clause ends at punctuation, a line end, "and" or "but". */
static int
negated_before(const char *start, const char *hit)
{
	const char *p = hit, *w;
	int words = 0;

	while (p > start && words < 6) {
		while (p > start && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		if (p == start || strchr(".;:!?,()\r\n", p[-1]) != NULL)
			return 0;
		w = p;
		while (w > start && !isspace((unsigned char)w[-1]) &&
		    strchr(".;:!?,()", w[-1]) == NULL)
			w--;
		if (((size_t)(p - w) == 3 && str_ncasecmp(w, "and", 3) == 0) ||
		    ((size_t)(p - w) == 3 && str_ncasecmp(w, "but", 3) == 0))
			return 0;
		if (is_negation(w, (size_t)(p - w)))
			return 1;
		p = w;
		words++;
	}
	return 0;
}

/* What a form's answer after the phrase says: 1 yes, 0 no, -1 none
 * ("Immediate risk of significant harm: No", "...? [ ] Yes [x] No", and
 * a table's cells one a line: "...harm?" then "No" on the next line). */
static int
answer_after(const char *p)
{
	char line[160];
	const char *q;
	size_t n = strcspn(p, "\r\n");
	int yes;

	/* The answer follows the question's '?', the label's ':' or the
	 * cell's tab on the same line, or is the next line's cell. */
	if (n >= sizeof(line))
		return -1;
	snprintf(line, sizeof(line), "%.*s", (int)n, p);
	if ((q = strpbrk(line, "?:\t")) == NULL)
		return -1;
	while (*q == '?' || *q == ':' || *q == '\t' || *q == ' ' || *q == '-')
		q++;
	if (*q == '\0' && p[n] != '\0') {
		const char *next = p + n + (p[n] == '\r' && p[n + 1] == '\n' ?
		    2 : 1);
		size_t m = strcspn(next, "\r\n");

		while (m > 0 && (*next == ' ' || *next == '\t')) {
			next++;
			m--;
		}
		if (m == 0 || m >= sizeof(line))
			return -1;
		snprintf(line, sizeof(line), "%.*s", (int)m, next);
		q = line;
	}
	if (form_parse_yesno(q, &yes) == 0)
		return yes;
	if (str_ncasecmp(q, "no", 2) == 0 && !isalpha((unsigned char)q[2]))
		return 0;
	return -1;
}

/* Does text say someone is at immediate risk?  A phrase of the protocol's
 * urgent_patterns counts unless a word a little before it in its clause
 * denies it, or the form's answer after it is No. */
static int
urgent_in(const struct protocol *p, const char *text, const char *end)
{
	for (size_t i = 0; i < p->nurgent; i++) {
		const char *hit = text;

		while ((hit = str_casestr(hit, p->urgent_patterns[i])) != NULL &&
		    hit < end) {
			const char *after = hit + strlen(p->urgent_patterns[i]);
			int a = answer_after(after);

			if (a == 1 || (a == -1 && !negated_before(text, hit)))
				return 1;
			hit = after;
		}
	}
	return 0;
}

/* Where the sender's own words end: quoted history, a "-- " signature, or
 * a sign-off line ("Kind regards"), after which come a name and, often, a
 * disclaimer that speaks of risk in general. */
static size_t
own_words_len(const char *text)
{
	size_t len = quote_own_len(text);
	const char *p = text, *l;

	while ((size_t)(p - text) < len) {
		size_t n = next_line(&p, &l);

		if (n > 0 && quote_signoff(l, l + n))
			return (size_t)(l - text);
	}
	return len;
}

int
intake_urgent(const struct protocol *p, const char *text)
{
	return text != NULL && urgent_in(p, text, text + own_words_len(text));
}

/* ids (or texts) of a list, joined by sep. */
static char *
names_ids(const struct directory *dir, const struct dir_names *dn,
    const struct dir_agency *skip, int texts, const char *sep)
{
	struct strbuf sb = { 0 };
	size_t n = texts ? dn->nunresolved : dn->n;

	for (size_t i = 0; i < n; i++) {
		const char *s = texts ? dn->unresolved[i] :
		    dir->agencies[dn->idx[i]].id;

		if (!texts && &dir->agencies[dn->idx[i]] == skip)
			continue;
		if (sb.len)
			sb_adds(&sb, sep);
		sb_adds(&sb, s);
	}
	return sb_steal(&sb);
}

/*
 * The case's agencies, from what the form says (never from its free
 * text): the raising agency by the sender's domain, else by the form's
 * raising field; the receiving agencies by its receiving fields, the
 * rows of its "agencies involved" grid that are answered and any other
 * agency its raising field names.  A name no
 * directory agency fits is kept as written, unresolved.  Fills
 * v->raising_agency, v->receiving_agencies, v->unresolved_agencies and
 * v->agencies (raising first, then receiving: what routing uses).
 */
static void
form_agencies(const struct directory *dir, const char *from,
    const struct form_result *r, struct verdict *v)
{
	struct dir_names raising = { 0 }, recv = { 0 }, row;
	const struct dir_agency *ra = directory_agency_by_email(dir, from);
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < r->nvalues; i++) {
		const struct form_value *fv = &r->values[i];
		const struct form_field_def *f = fv->def;
		const struct dir_agency *a;

		switch (f->agency) {
		case AGENCY_RAISING:
			directory_agencies_named(dir, fv->value, &raising);
			break;
		case AGENCY_RECEIVING:
			directory_agencies_named(dir, fv->value, &recv);
			break;
		case AGENCY_INVOLVED:
			/* The row is answered (not "No", "Not known"): its
			 * agency, as the answer names it ("Wigan & Leigh
			 * Homes - tenancy officer") or else as the label
			 * does. */
			if (directory_answer_is_none(fv->value))
				break;
			memset(&row, 0, sizeof(row));
			directory_agencies_named(dir, fv->value, &row);
			if (row.n > 0) {
				for (size_t k = 0; k < row.n; k++)
					directory_agencies_named(dir,
					    dir->agencies[row.idx[k]].name,
					    &recv);
			} else {
				a = directory_agency_named(dir, f->label);
				for (size_t k = 0; a == NULL &&
				    k < f->naliases; k++)
					a = directory_agency_named(dir,
					    f->aliases[k]);
				if (a != NULL)
					directory_agencies_named(dir, a->name,
					    &recv);
				else
					directory_agencies_named(dir, f->label,
					    &recv);
			}
			directory_names_free(&row);
			break;
		default:
			break;
		}
	}
	if (ra == NULL && raising.n > 0)
		ra = &dir->agencies[raising.idx[0]];
	/* An agency the raising field names besides the sender's (a form
	 * for West Mercia Police sent from a Telford & Wrekin address) is in
	 * the case too: its people are told, never dropped. */
	for (size_t k = 0; k < raising.n; k++)
		if (&dir->agencies[raising.idx[k]] != ra)
			directory_agencies_named(dir,
			    dir->agencies[raising.idx[k]].name, &recv);
	/* The raising field's unknown words matter only when the raiser's
	 * agency is not known at all. */
	if (ra == NULL)
		for (size_t k = 0; k < raising.nunresolved; k++)
			directory_agencies_named(dir, raising.unresolved[k], &recv);
	v->raising_agency = ra ? xstrdup(ra->id) : NULL;
	v->receiving_agencies = names_ids(dir, &recv, ra, 0, ",");
	v->unresolved_agencies = names_ids(dir, &recv, NULL, 1, "; ");
	if (ra != NULL)
		sb_adds(&sb, ra->id);
	if (*v->receiving_agencies) {
		if (sb.len)
			sb_addc(&sb, ',');
		sb_adds(&sb, v->receiving_agencies);
	}
	v->agencies = sb.len ? sb_steal(&sb) : xstrdup("");
	directory_names_free(&raising);
	directory_names_free(&recv);
}

/* First "PREFIX-YYYY-NNNN" in text naming a known case: 1 and *ref, 0, -1. */
static int
ref_in_text(const struct intake_input *in, const char *text, char **ref)
{
	struct strbuf sb = { 0 };
	int rc = 0;

	/* intake_subject_ref() wants the tag in brackets; give it each word
	 * so. */
	for (const char *p = text; *p && rc == 0; ) {
		size_t n = strcspn(p, " \t\r\n,;:()[]");

		if (n > 10 && n < 40) {
			sb_reset(&sb);
			sb_addc(&sb, '[');
			sb_add(&sb, p, n);
			sb_addc(&sb, ']');
			if ((*ref = intake_subject_ref(sb.buf)) != NULL)
				rc = known_ref(in, ref);
		}
		p += n;
		if (*p)
			p++;
	}
	sb_reset(&sb);
	return rc;
}

/* An answer that stands for no answer ("unknown", "TBC", "-", "none"):
 * kept as the sender wrote it, but never a key that joins two people's
 * cases. */
static int
no_key(const char *val)
{
	static const char *const none[] = { "none", "unknown", "not known",
	    "tbc", "tba", "to be confirmed", "n/a", "na", "n.a.", "nk", "-",
	    "--", "?", "nil", "not applicable", "to follow", "not available",
	    "awaiting", "pending" };
	char buf[32];

	snprintf(buf, sizeof(buf), "%s", val);
	str_trim(buf);
	if (buf[0] == '\0')
		return 1;
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (str_casecmp(buf, none[i]) == 0)
			return 1;
	return 0;
}

/* A match field, "field" or "field=casefield": the form's answer to field
 * (NULL: none) and, in *casefield, the case's field it is compared with
 * (the rule owns the strings). */
static const char *
match_value(const struct verdict *v, const char *spec, const char **casefield)
{
	const char *eq = strchr(spec, '=');
	char *field = xstrndup(spec, eq ? (size_t)(eq - spec) : strlen(spec));
	const char *val = form_result_get(v->result, field);

	free(field);
	*casefield = eq ? eq + 1 : spec;
	return val;
}

/* The open case whose fields equal the form's by one match set: 1 and
 * *ref, 0 (none, or a field to match on is empty), -1. */
static int
case_by_set(const struct intake_input *in, const struct verdict *v,
    const struct match_set *set, char **ref)
{
	const char *names[16], *values[16];
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < set->n && n < 16; i++) {
		const char *val = match_value(v, set->fields[i], &names[n]);

		if (val == NULL || no_key(val))
			return 0;
		values[n++] = val;
	}
	if (n == 0)
		return 0;
	rc = in->look->ref_by_fields(in->look->arg, v->proto->id, names, values,
	    n, ref);
	if (rc != 1)
		*ref = NULL;
	return rc;
}

/* Two answers that say the same once normalised (text_norm: case and
 * punctuation aside). */
static int
same_answer(const char *a, const char *b)
{
	char *x = text_norm_dup(a, NULL), *y = text_norm_dup(b, NULL);
	int same = strcmp(x, y) == 0;

	free(x);
	free(y);
	return same;
}

/* Does case ref answer a field of the rule's sets before set `upto`
 * differently from the form (another client reference: another
 * disagreement about the same person)?  1, 0, -1. */
static int
earlier_set_differs(const struct intake_input *in, const struct verdict *v,
    size_t upto, const char *ref)
{
	struct case_state c;
	int rc = 0;

	if ((rc = in->look->case_by_ref(in->look->arg, ref, &c)) != 1)
		return rc;
	rc = 0;
	for (size_t i = 0; i < upto && rc == 0; i++)
		for (size_t k = 0; k < v->rule->match[i].n && rc == 0; k++) {
			const char *name, *mine = match_value(v,
			    v->rule->match[i].fields[k], &name);
			char *theirs = NULL;

			if (mine == NULL || no_key(mine))
				continue;
			rc = in->look->field_of(in->look->arg, c.id, name,
			    &theirs);
			if (rc == 1)
				rc = !no_key(theirs) && !same_answer(mine, theirs);
			free(theirs);
		}
	case_state_free(&c);
	return rc;
}

/* The open case a form belongs to by its own fields: a case reference in
 * any field, or the first of the rule's match sets that finds one -- by a
 * later set only a case that does not answer an earlier set's fields
 * otherwise.  1 and *ref, 0, -1. */
static int
case_for_form(const struct intake_input *in, const struct verdict *v,
    char **ref)
{
	const struct form_result *r = v->result;
	int rc;

	*ref = NULL;
	for (size_t i = 0; i < r->nvalues; i++)
		if ((rc = ref_in_text(in, r->values[i].value, ref)) != 0)
			return rc;
	for (size_t i = 0; i < v->rule->nmatch; i++) {
		if ((rc = case_by_set(in, v, &v->rule->match[i], ref)) == -1)
			return -1;
		if (rc == 0)
			continue;
		if (i == 0 || (rc = earlier_set_differs(in, v, i, *ref)) == 0)
			return 1;
		free(*ref);
		*ref = NULL;
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* The level a resolution form says it was resolved at: the first number
 * in its level field ("Level 3", "3 - head of service"). */
static int
form_level(const struct form_rule *rule, const struct form_result *r)
{
	const char *s;

	if (rule->level_field == NULL ||
	    (s = form_result_get(r, rule->level_field)) == NULL)
		return rule->stage;
	while (*s && !isdigit((unsigned char)*s))
		s++;
	return *s ? atoi(s) : rule->stage;
}

/* An answer that says nothing happened at that level. */
static int
answer_negative(const char *s)
{
	static const char *const no[] = { "no", "not", "n/a", "na", "none",
	    "nil", "never" };

	while (*s && isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		size_t n = strlen(no[i]);

		if (str_ncasecmp(s, no[i], n) == 0 && !isalnum((unsigned char)s[n]))
			return 1;
	}
	return 0;
}

/* The rule's resolve_field is answered (not "no", "not yet", "n/a"). */
static int
form_says_resolved(const struct form_rule *rule, const struct form_result *r)
{
	const char *s;

	if (rule->resolve_field == NULL ||
	    (s = form_result_get(r, rule->resolve_field)) == NULL)
		return 0;
	return !answer_negative(s);
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
		const char *s = form_result_get(r, name);
		int yes = 0, no = 0;

		free(name);
		if (eq == NULL || s == NULL || answer_negative(s))
			continue;
		for (size_t k = 0; k < rule->nresolved_words; k++)
			yes |= str_casestr(s, rule->resolved_words[k]) != NULL;
		for (size_t k = 0; k < rule->nunresolved_words; k++)
			no |= str_casestr(s, rule->unresolved_words[k]) != NULL;
		*resolved = yes && !no;
		return atoi(eq + 1);
	}
	return rule->stage;
}

/* Close of business on a YYYY-MM-DD date (a deadline "by" that day), or
 * hh:mm when hh >= 0. */
static time_t
date_close(const struct config *cfg, const char *ymd, int hh, int mm)
{
	int y, m, d;

	if (ymd == NULL || sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	if (hh < 0) {
		hh = cfg->work_close / 60;
		mm = cfg->work_close % 60;
	}
	return calendar_london_to_utc(y, m, d, hh, mm, 0);
}

/* "action; agency and owner; purpose; deadline" into a: a table row's
 * cells as form.c joins them (a semicolon inside a cell became a comma
 * there, so the row splits into its own cells). */
static void
planned_action(const struct config *cfg, const char *value,
    struct action_state *a)
{
	char *parts[4] = { 0 }, *copy, *p, *cut, ymd[11];
	int k = 0;

	copy = xstrdup(value);
	for (p = copy; p != NULL && k < 4; p = cut) {
		if ((cut = strchr(p, ';')) != NULL)
			*cut++ = '\0';
		parts[k++] = xstrdup(str_trim(p));
	}
	free(copy);
	a->action = parts[0] ? parts[0] : xstrdup("");
	a->owner = parts[1];
	a->purpose = parts[2];
	if (k > 0 && form_parse_date(parts[k - 1], ymd) == 0)
		a->due_at = date_close(cfg, ymd, -1, 0);
	free(parts[3]);
}

/* The directory of a protocol's partnership, as the protocol sees it;
 * in->dir (the set's first) when the protocol is not bound to one. */
static const struct directory *
proto_dir(const struct intake_input *in, const struct protocol *p)
{
	return p != NULL && p->dir != NULL ? p->dir : in->dir;
}

/* The Planned Actions rows and the next meeting of a meeting record,
 * scheduled, into v->actions. */
static void
form_actions(const struct intake_input *in, const struct protocol *p,
    struct verdict *v)
{
	const struct form_rule *rule = v->rule;
	const struct form_result *r = v->result;
	struct engine_ctx x = { p, in->cal, proto_dir(in, p), in->now };
	size_t plen = rule->actions_prefix ? strlen(rule->actions_prefix) : 0;

	for (size_t i = 0; i < r->nvalues; i++) {
		const char *name = r->values[i].def->name;
		struct action_state a;

		memset(&a, 0, sizeof(a));
		if (rule->next_meeting_field &&
		    strcmp(name, rule->next_meeting_field) == 0) {
			a.action = xstrdup("next meeting");
			a.due_at = date_close(in->cfg, r->values[i].value, 9, 0);
		} else if (plen && strncmp(name, rule->actions_prefix, plen) == 0 &&
		    isdigit((unsigned char)name[plen])) {
			a.num = atoi(name + plen);
			planned_action(in->cfg, r->values[i].value, &a);
		} else
			continue;
		if (a.due_at == 0 || a.due_at <= in->now) {
			/* No readable deadline, or one already past when the
			 * record arrived: kept as a field, not chased. */
			action_state_free(&a);
			continue;
		}
		engine_action_schedule(&a, &x);
		v->actions = xreallocarray(v->actions, v->nactions + 1,
		    sizeof(*v->actions));
		v->actions[v->nactions++] = a;
	}
}

/* Bounds on what one message may hold.  An attachment over
 * limits.attachment_size is not read (a Word file so large is refused
 * when it is read), but does not cost the form beside it: a referral
 * pasted in the body next to a large photo is still a referral. */
static int
over_limits(const struct config *cfg, const struct message *m,
    struct verdict *v)
{
	if (m->nattachments > (size_t)cfg->limits.mime_parts) {
		set_verdict(v, VERDICT_REJECT, "rejected", 1,
		    "%zu MIME parts: over limits.mime_parts", m->nattachments);
		return 1;
	}
	return 0;
}

/* An answer longer than limits.field_length is a problem like a missing
 * one: the sender is told which field. */
static void
check_field_lengths(const struct config *cfg, struct form_result *r)
{
	size_t max = (size_t)cfg->limits.field_length;

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

/* ------------------------------------------------------------------ */
/* Who may change a case.                                              */

static int
holds_role(const struct dir_role *r, size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; r[i].addrs && k < r[i].ncontacts; k++)
			if (r[i].addrs[k] && str_casecmp(r[i].addrs[k], addr) == 0)
				return 1;
	return 0;
}

/*
 * The one check every change to a case passes, whatever carries it (form,
 * command, DONE, reply, bounce, auto-reply): addr is a participant of the
 * case (everyone escbot has written to about it is one), or holds a role
 * at one of the case's own agencies (in its protocol's partnership).
 * Any other directory contact may not: holding a partnership role, or a
 * role at another agency, says nothing about this case.  1, 0, or -1.
 */
static int
may_change(const struct intake_input *in, const struct case_state *c,
    const char *addr)
{
	const struct directory *dir = proto_dir(in,
	    rules_protocol(in->rules, c->protocol));
	char *ids, *id, *save = NULL;
	int rc;

	if (addr == NULL)
		return 0;
	if ((rc = in->look->is_participant(in->look->arg, c->id, addr)) != 0)
		return rc;
	if (c->agencies == NULL)
		return 0;
	ids = xstrdup(c->agencies);
	for (id = strtok_r(ids, ", ", &save); id && rc == 0;
	    id = strtok_r(NULL, ", ", &save)) {
		const struct dir_agency *a = directory_agency_by_id(dir, id);

		rc = a != NULL && holds_role(a->roles, a->nroles, addr);
	}
	free(ids);
	return rc;
}

/* Case ref into v (which takes ref) and whether the sender may change
 * it: 1, 0, or -1 (also when the case named is not there: the store is
 * not consistent, and the message waits). */
static int
take_case(const struct intake_input *in, char *ref, struct verdict *v,
    const struct protocol **proto)
{
	struct case_state c;
	int rc;

	if (get_case(in, ref, &c) != 1) {
		free(ref);
		return -1;
	}
	v->ref = ref;
	v->case_id = c.id;
	v->case_resolved = c.status == CASE_RESOLVED;
	if (proto != NULL)
		*proto = rules_protocol(in->rules, c.protocol);
	rc = may_change(in, &c, in->msg->from_addr);
	case_state_free(&c);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Automatic mail and delivery reports.                                */

static void
add_bounce(struct verdict *v, const char *rcpt, const char *status)
{
	v->bounces = xreallocarray(v->bounces, v->nbounces + 1,
	    sizeof(*v->bounces));
	v->bounces[v->nbounces].rcpt = xstrdup(rcpt);
	v->bounces[v->nbounces].status = str_header_safe(status ? status : "");
	v->nbounces++;
}

/* Per-recipient blocks of a message/delivery-status part: Final-Recipient,
 * Action, Status.  Each failed one is added to v. */
static void
dsn_failures(const struct msg_attachment *a, struct verdict *v)
{
	char *copy, *line, *save = NULL, *rcpt = NULL, *status = NULL;
	const char *q;
	int failed = 0;

	copy = xstrndup(a->data, a->len);
	for (line = strtok_r(copy, "\r\n", &save); ;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if (line == NULL || str_ncasecmp(line, "Final-Recipient:", 16) == 0) {
			if (rcpt && failed)
				add_bounce(v, rcpt, status);
			free(rcpt);
			free(status);
			rcpt = status = NULL;
			failed = 0;
			if (line == NULL)
				break;
			q = strchr(line, ';');
			rcpt = addr_spec(q ? q + 1 : line + 16);
		} else if (str_ncasecmp(line, "Action:", 7) == 0)
			failed = str_casestr(line, "failed") != NULL;
		else if (str_ncasecmp(line, "Status:", 7) == 0) {
			free(status);
			status = xstrdup(str_trim(line + 7));
		}
	}
	free(copy);
}

/* The case one of escbot's Message-IDs ("<escbot.<hash>@domain>") in the
 * returned headers is about: 1 and *ref, 0, -1. */
static int
bounced_ref(const struct intake_input *in, char **ref)
{
	const char *p = in->raw, *end = in->raw + in->len, *q;
	int rc = 0;

	*ref = NULL;
	while (rc == 0 && p < end &&
	    (q = memmem(p, (size_t)(end - p), "<escbot.", 8)) != NULL) {
		const char *gt = memchr(q, '>', (size_t)(end - q));
		char *id;

		if (gt == NULL || gt - q > 200)
			break;
		id = xstrndup(q + 1, (size_t)(gt - q - 1));
		rc = in->look->ref_by_message_id(in->look->arg, id, ref);
		free(id);
		if (rc != 1)
			*ref = NULL;
		p = gt;
	}
	return rc;
}

/* Keep the failed recipients that are participants of the case (people
 * escbot wrote to in it): a forged report changes nothing else.  0, -1. */
static int
bounces_in_case(const struct intake_input *in, struct verdict *v)
{
	size_t kept = 0;
	int rc = 0;

	for (size_t i = 0; i < v->nbounces; i++) {
		if (rc != -1)
			rc = in->look->is_participant(in->look->arg, v->case_id,
			    v->bounces[i].rcpt);
		if (rc == 1) {
			v->bounces[kept++] = v->bounces[i];
			continue;
		}
		free(v->bounces[i].rcpt);
		free(v->bounces[i].status);
	}
	v->nbounces = kept;
	return rc == -1 ? -1 : 0;
}

/* A delivery report about escbot's mail: 1 decided, 0 not ours, -1. */
static int
decide_bounce(const struct intake_input *in, struct verdict *v)
{
	const struct message *m = in->msg;
	struct case_state c;
	char *ref;
	int rc;

	if ((rc = bounced_ref(in, &ref)) != 1)
		return rc;
	if ((rc = get_case(in, ref, &c)) != 1) {
		free(ref);
		return rc;
	}
	v->kind = VERDICT_BOUNCE;
	v->ref = ref;
	v->case_id = c.id;
	case_state_free(&c);
	for (size_t i = 0; i < m->nattachments; i++)
		if (m->attachments[i].content_type != NULL &&
		    strcmp(m->attachments[i].content_type,
		    "message/delivery-status") == 0)
			dsn_failures(&m->attachments[i], v);
	return bounces_in_case(in, v) == -1 ? -1 : 1;
}

/* Automatic mail: 1 decided, 0 from a person, -1. */
static int
decide_automatic(const struct intake_input *in, struct verdict *v)
{
	const struct message *m = in->msg;
	const char *why = intake_automatic(m);
	char *ref = NULL;
	int rc;

	if (why == NULL)
		return 0;
	set_verdict(v, VERDICT_AUTO, m->is_report ? "bounce" : "auto", 0,
	    "automatic message (%s): not answered", why);
	v->auto_why = why;
	if (m->is_report && (rc = decide_bounce(in, v)) != 0)
		return rc;
	if ((rc = thread_ref(in, &ref)) == -1)
		return -1;
	if (rc == 1) {
		struct case_state c;

		if ((rc = get_case(in, ref, &c)) == -1) {
			free(ref);
			return -1;
		}
		/* Recorded against the case only when it comes from someone
		 * who may change it (an out-of-office of a participant). */
		if (rc == 1)
			rc = may_change(in, &c, m->from_addr);
		if (rc == 1) {
			v->ref = ref;
			v->case_id = c.id;
			ref = NULL;
		}
		case_state_free(&c);
		free(ref);
		if (rc == -1)
			return -1;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Replies in a case's thread.                                         */

/* A reply in case ref's thread that is not a form: DONE, a command, or a
 * note.  Takes ref. */
static int
decide_reply(const struct intake_input *in, char *ref, const char *mine,
    struct verdict *v)
{
	const struct message *m = in->msg;
	char reason[1024];
	int allowed;

	if ((allowed = take_case(in, ref, v, NULL)) == -1)
		return -1;
	if (allowed && intake_parse_done(mine, &v->action_num) == 0) {
		set_verdict(v, VERDICT_DONE, "command", 0, "%s: action %d", ref,
		    v->action_num);
		return 0;
	}
	if (intake_parse_command(mine, &v->cmd, reason, sizeof(reason)) == 0) {
		v->cmd_reason = xstrdup(reason);
		v->cmd.reason = v->cmd_reason;
		v->cmd.actor = m->from_addr;
		v->cmd.token = m->message_id;
		if (!allowed)
			set_verdict(v, VERDICT_NOT_ALLOWED, "refused", 1, "%s: "
			    "command from a sender who is not a participant", ref);
		else
			set_verdict(v, VERDICT_COMMAND, "command", 0,
			    "%s: command", ref);
		return 0;
	}
	if (!allowed)
		set_verdict(v, VERDICT_NOT_ALLOWED, "refused", 1, "%s: reply "
		    "from a sender who is not a participant", ref);
	else
		set_verdict(v, VERDICT_NOTE, "reply", 0, "%s: reply recorded", ref);
	return 0;
}

static void	decide_new_case(const struct intake_input *, struct verdict *,
		    const char *);

/* An answer that says who the person is: a name, a date of birth, an NHS
 * number (a personal field of those kinds). */
static int
identifies(const struct form_field_def *def)
{
	return def->personal && (def->type == FIELD_DATE ||
	    def->type == FIELD_NHS || strstr(def->name, "name") != NULL);
}

/* Does the form name someone else than case v->case_id is about?  A name,
 * date of birth or NHS number answered on the form and on the case, and
 * different.  1, 0, or -1. */
static int
contradicts(const struct intake_input *in, const struct verdict *v)
{
	const struct form_result *r = v->result;
	int rc = 0;

	for (size_t i = 0; i < r->nvalues && rc == 0; i++) {
		const struct form_value *fv = &r->values[i];
		char *theirs = NULL;

		if (!identifies(fv->def) || no_key(fv->value))
			continue;
		rc = in->look->field_of(in->look->arg, v->case_id,
		    fv->def->name, &theirs);
		if (rc == 1)
			rc = !no_key(theirs) && !same_answer(fv->value, theirs);
		free(theirs);
	}
	return rc;
}

/* A form for case ref: its answers join the case; a resolution form, or
 * one whose resolve field is answered, resolves it.  A form that names
 * someone else than the case is about is not joined to it: it is a new
 * case.  Takes ref. */
static int
decide_join(const struct intake_input *in, char *ref, struct verdict *v,
    const char *text)
{
	const struct protocol *p = NULL;
	int allowed, rc, resolved = 0;

	if ((allowed = take_case(in, ref, v, &p)) == -1)
		return -1;
	if ((rc = contradicts(in, v)) == -1)
		return -1;
	if (rc == 1) {
		free(v->ref);
		v->ref = NULL;
		v->case_id = 0;
		v->case_resolved = 0;
		decide_new_case(in, v, text);
		return 0;
	}
	if (!allowed) {
		/* A case reference is no key: answers from someone not in
		 * the case never change it. */
		set_verdict(v, VERDICT_NOT_ALLOWED, "refused", 1, "%s: form "
		    "from a sender who is not in the case: not applied",
		    v->ref);
		return 0;
	}
	form_actions(in, p ? p : v->proto, v);
	/* The agencies it names join the case's (casework adds the new). */
	form_agencies(proto_dir(in, p ? p : v->proto), in->msg->from_addr,
	    v->result, v);
	/* The stage it shows the disagreement reached: casework moves the
	 * case on to it when that is later than the case's own. */
	if (v->rule->action == FORM_OPEN && (p == NULL || p == v->proto))
		v->stage = v->rule->nlevel_from > 0 ?
		    reported_level(v->rule, v->result, &resolved) :
		    v->rule->stage;
	if ((v->rule->action == FORM_CLOSE || resolved ||
	    form_says_resolved(v->rule, v->result)) && !v->case_resolved) {
		v->resolve = 1;
		v->resolve_level = v->rule->action == FORM_CLOSE ?
		    form_level(v->rule, v->result) : resolved ? v->stage : 0;
		set_verdict(v, VERDICT_JOIN, "update", 0, "%s: resolved by %s",
		    v->ref, v->rule->form);
	} else
		set_verdict(v, VERDICT_JOIN, "update", 0, "%s: updated by %s",
		    v->ref, v->rule->form);
	return 0;
}

/* A message in case ref's thread.  Takes ref. */
static int
decide_thread(const struct intake_input *in, char *ref, struct verdict *v)
{
	char *mine = quote_own_text(in->msg->text);
	const struct form_def *f = form_recognise(in->rules->forms, mine);
	int rc;

	if (f != NULL && (v->proto = rules_for_form(in->rules, f->id,
	    &v->rule)) != NULL) {
		v->form = f;
		v->result = form_extract(f, mine);
		if (v->result->nproblems == 0) {
			rc = decide_join(in, ref, v, mine);
			free(mine);
			return rc;
		}
		/* An incomplete form in a thread is a reply like any other. */
		form_result_free(v->result);
		v->result = NULL;
		v->form = NULL;
		v->rule = NULL;
		v->proto = NULL;
	}
	rc = decide_reply(in, ref, mine, v);
	free(mine);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Forms.                                                              */

/* Is any attachment a Word document? */
static int
has_docs(const struct message *m)
{
	for (size_t i = 0; i < m->nattachments; i++)
		if (docx_is_docx(m->attachments[i].filename,
		    m->attachments[i].content_type, m->attachments[i].data,
		    m->attachments[i].len))
			return 1;
	return 0;
}

/* The writer of a forwarded message (attached, message/rfc822) that holds
 * Word attachment a, or NULL (caller frees). */
static char *
doc_writer(const struct message *m, const struct msg_attachment *a)
{
	char err[128], *from = NULL;

	for (size_t i = 0; i < m->nattachments && from == NULL; i++) {
		const struct msg_attachment *b = &m->attachments[i];
		struct message *inner;

		if (b->content_type == NULL ||
		    strcmp(b->content_type, "message/rfc822") != 0 ||
		    message_parse(b->data, b->len, &inner, err, sizeof(err)) == -1)
			continue;
		for (size_t j = 0; j < inner->nattachments; j++) {
			const struct msg_attachment *c = &inner->attachments[j];

			if (c->len == a->len && memcmp(c->data, a->data,
			    a->len) == 0 && inner->from_addr != NULL) {
				from = xstrdup(inner->from_addr);
				break;
			}
		}
		message_free(inner);
	}
	return from;
}

/* The form in the Word documents read: the first recognised; else the
 * first refusal into v->note.  The form or NULL; *text is the document's. */
static const struct form_def *
doc_form(const struct intake_input *in, const char **text, struct verdict *v)
{
	const struct message *m = in->msg;
	const struct form_def *f;

	for (size_t i = 0; i < m->nattachments; i++) {
		const struct intake_doc *d = &in->docs[i];

		if (d->text == NULL && d->refused == NULL)
			continue;
		if (d->text == NULL) {
			if (v->note == NULL)
				v->note = xasprintf("%.200s\n(in %.100s)",
				    d->refused, m->attachments[i].filename ?
				    m->attachments[i].filename : "the attachment");
			continue;
		}
		if ((f = form_recognise(in->rules->forms, d->text)) != NULL) {
			*text = d->text;
			free(v->note);
			v->note = NULL;
			/* In a forwarded message: its writer is recorded. */
			free(v->forwarded_from);
			v->forwarded_from = doc_writer(m, &m->attachments[i]);
			return f;
		}
	}
	return NULL;
}

/* "FW:", "Fwd:" (and Outlook's other languages' "TR:", "WG:", "RV:") at
 * the start of the subject, after any "RE:" or "[EXTERNAL]". */
static int
is_forward(const char *subject)
{
	static const char *const fw[] = { "fw:", "fwd:", "tr:", "wg:", "rv:" };
	const char *p = subject;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			const char *q = strchr(p, ']');

			if (q == NULL)
				return 0;
			p = q + 1;
		} else if (str_ncasecmp(p, "re:", 3) == 0)
			p += 3;
		else
			break;
	}
	for (size_t i = 0; i < sizeof(fw) / sizeof(fw[0]); i++)
		if (str_ncasecmp(p, fw[i], strlen(fw[i])) == 0)
			return 1;
	return 0;
}

/* A line of a forwarded header block, or a rule above it. */
static int
forward_header_line(const char *l, size_t n)
{
	static const char *const h[] = { "from:", "sent:", "date:", "to:",
	    "cc:", "subject:", "importance:", "-----original message-----",
	    "----- original message -----", "---------- forwarded message",
	    "begin forwarded message:", "___" };

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (n >= strlen(h[i]) && str_ncasecmp(l, h[i], strlen(h[i])) == 0)
			return 1;
	return 0;
}

/* An inline forward: the text after the forwarded header block (caller
 * frees) and the original sender in *from, or NULL. */
static char *
inline_forward(const struct message *m, char **from)
{
	const char *p = m->text + quote_own_len(m->text), *l;
	size_t n;
	int headers = 0;

	*from = NULL;
	if (!is_forward(m->subject) || *p == '\0')
		return NULL;
	while (*p) {
		const char *at = p;

		n = next_line(&p, &l);
		while (n > 0 && isspace((unsigned char)*l)) {
			l++;
			n--;
		}
		if (n == 0 && headers > 0)
			return xstrdup(p);
		if (n == 0)
			continue;
		if (!forward_header_line(l, n)) {
			/* The block ended without a blank line. */
			return headers > 0 ? xstrdup(at) : NULL;
		}
		if (str_ncasecmp(l, "from:", 5) == 0 && *from == NULL) {
			char *v = xstrndup(l + 5, n - 5);

			*from = addr_spec(v);
			free(v);
		}
		headers++;
	}
	return NULL;
}

/* The form in a forwarded message, inline or attached (message/rfc822):
 * its text (caller frees) with *from its writer, or NULL. */
static char *
forwarded_form(const struct intake_input *in, const struct form_def **f,
    char **from)
{
	const struct message *m = in->msg;
	char *text, err[128];

	if ((text = inline_forward(m, from)) != NULL) {
		if ((*f = form_recognise(in->rules->forms, text)) != NULL)
			return text;
		free(text);
		free(*from);
		*from = NULL;
	}
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct msg_attachment *a = &m->attachments[i];
		struct message *inner;

		if (a->content_type == NULL ||
		    strcmp(a->content_type, "message/rfc822") != 0 ||
		    message_parse(a->data, a->len, &inner, err, sizeof(err)) == -1)
			continue;
		if ((*f = form_recognise(in->rules->forms, inner->text)) != NULL) {
			text = xstrdup(inner->text);
			*from = inner->from_addr ? xstrdup(inner->from_addr) : NULL;
			message_free(inner);
			return text;
		}
		message_free(inner);
	}
	return NULL;
}

/* No form anywhere: the sender is told what escbot reads. */
static void
decide_no_form(const struct message *m, struct verdict *v)
{
	if (v->note != NULL) {
		v->formats = 1;
		set_verdict(v, VERDICT_DOC_REFUSED, "rejected", 1,
		    "Word attachment refused: %.*s",
		    (int)strcspn(v->note, "\n"), v->note);
		return;
	}
	for (size_t i = 0; i < m->nattachments; i++)
		if (m->attachments[i].filename)
			v->formats = 1;
	set_verdict(v, VERDICT_NO_FORM, "no-form", 1, "no form recognised%s",
	    v->formats ? " (attachment in a format escbot cannot read)" : "");
}

/* A complete form (read from text) that names no known case: open,
 * record as resolved, or (an update) unmatched. */
/* A problem with the answer of field `name` (reason: static text). */
static void
add_problem(struct form_result *r, const char *name, const char *reason,
    const char *raw)
{
	const struct form_field_def *fd = form_field_find(r->def, name);
	struct form_problem *p;

	r->problems = xreallocarray(r->problems, r->nproblems + 1,
	    sizeof(*r->problems));
	p = &r->problems[r->nproblems++];
	memset(p, 0, sizeof(*p));
	p->def = fd;
	p->reason = xstrdup(reason);
	p->raw = raw ? xstrdup(raw) : NULL;
}

/* The protocol's clock starts at the date a field gives (003: "within 5
 * working days of becoming aware"): London midnight of it, which must
 * be today or before.  0 and v->clock_start, or -1 with the verdict
 * INCOMPLETE (the sender told which answer and why). */
static int
form_clock_start(const struct intake_input *in, struct verdict *v)
{
	const char *name = v->proto->clock_start_field, *val;
	char today[48];
	struct tm tm;

	if (name == NULL || form_field_find(v->form, name) == NULL)
		return 0;
	val = form_result_get(v->result, name);
	calendar_utc_to_london(in->now, &tm);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	if (val == NULL)
		add_problem(v->result, name, "missing: the deadlines are "
		    "counted from this date", NULL);
	else if (strlen(val) != 10 || calendar_parse_iso(val,
	    &v->clock_start) == -1)
		add_problem(v->result, name, "not a date escbot can read",
		    val);
	else if (strcmp(val, today) > 0)
		add_problem(v->result, name, "is after today: give the date "
		    "it became known, which cannot be in the future", val);
	else
		return 0;
	v->clock_start = 0;
	set_verdict(v, VERDICT_INCOMPLETE, "rejected", 1, "form %s "
	    "incomplete: the date the clock starts from is %s", v->form->id,
	    val == NULL ? "missing" : "refused");
	return -1;
}

static void
decide_new_case(const struct intake_input *in, struct verdict *v,
    const char *text)
{
	const struct message *m = in->msg;
	const struct form_rule *rule = v->rule;
	int resolved = 0;

	if (rule->action == FORM_UPDATE && rule->open_unmatched_at == 0) {
		set_verdict(v, VERDICT_UNMATCHED, "rejected", 1,
		    "form %s names no case escbot knows", v->form->id);
		return;
	}
	form_agencies(proto_dir(in, v->proto), m->from_addr, v->result, v);
	v->stage = rule->stage;
	if (rule->action == FORM_UPDATE) {
		/* A meeting record about a disagreement escbot never
		 * tracked: the case opens at the stage it was held at. */
		v->stage = rule->open_unmatched_at;
		form_actions(in, v->proto, v);
	} else if (rule->action == FORM_CLOSE) {
		v->stage = form_level(rule, v->result);
		resolved = 1;
	} else if (rule->nlevel_from > 0)
		v->stage = reported_level(rule, v->result, &resolved);
	else
		resolved = form_says_resolved(rule, v->result);
	if (resolved) {
		set_verdict(v, VERDICT_RECORD_RESOLVED, "case", 0,
		    "recorded as resolved at level %d", v->stage);
		return;
	}
	if (form_clock_start(in, v) == -1)
		return;
	v->urgent = intake_urgent(v->proto, m->text) ||
	    (text != m->text && intake_urgent(v->proto, text));
	set_verdict(v, VERDICT_OPEN, "case", 0, "opened at stage %d", v->stage);
}

/*
 * The answers of form f, read from the message's text/plain part or from
 * its HTML part, whichever reads better: Outlook's text/plain of a pasted
 * table puts every cell on its own line, running a grid row's cells into
 * one answer, while the HTML keeps the table.  Fewer problems win, then
 * more answers; a tie keeps the text part.  *text is the text read (owned
 * by *html_text when it is the HTML's).
 */
static struct form_result *
best_reading(const struct form_set *set, const struct message *m,
    const struct form_def *f, const char **text, char **html_text)
{
	struct form_result *r = form_extract(f, *text), *h;

	*html_text = NULL;
	if (m->html == NULL || *text != m->text)
		return r;
	*html_text = message_html_to_text(m->html);
	if (strcmp(*html_text, m->text) == 0 ||
	    form_recognise(set, *html_text) != f) {
		free(*html_text);
		*html_text = NULL;
		return r;
	}
	h = form_extract(f, *html_text);
	if (h->nproblems < r->nproblems || (h->nproblems == r->nproblems &&
	    h->nvalues > r->nvalues)) {
		form_result_free(r);
		*text = *html_text;
		return h;
	}
	form_result_free(h);
	free(*html_text);
	*html_text = NULL;
	return r;
}

/* A complete form: join the case it names, or a new one. */
static int
decide_answers(const struct intake_input *in, struct verdict *v,
    const char *text)
{
	char *ref;
	int rc;

	check_field_lengths(in->cfg, v->result);
	if (v->result->nproblems > 0) {
		set_verdict(v, VERDICT_INCOMPLETE, "rejected", 1, "form %s "
		    "incomplete: %zu field%s missing or unreadable", v->form->id,
		    v->result->nproblems, v->result->nproblems == 1 ? "" : "s");
		return 0;
	}
	if ((rc = case_for_form(in, v, &ref)) == 1)
		return decide_join(in, ref, v, text);
	if (rc == -1)
		return -1;
	decide_new_case(in, v, text);
	return 0;
}

/* A form pasted in the body, or else in an attached Word file. */
static int
decide_form(const struct intake_input *in, struct verdict *v)
{
	const struct message *m = in->msg;
	const struct form_def *f = form_recognise(in->rules->forms, m->text);
	const char *text = m->text;
	char *html_text, *fwd = NULL;
	int rc;

	if (f == NULL && has_docs(m)) {
		if (!in->docs_read) {
			set_verdict(v, VERDICT_READ_DOCS, "read-docs", 0,
			    "Word attachments to read");
			return 0;
		}
		f = doc_form(in, &text, v);
	}
	if (f == NULL && (fwd = forwarded_form(in, &f, &v->forwarded_from)))
		text = fwd;
	if (f == NULL) {
		decide_no_form(m, v);
		return 0;
	}
	v->form = f;
	if ((v->proto = rules_for_form(in->rules, f->id, &v->rule)) == NULL) {
		set_verdict(v, VERDICT_UNUSED_FORM, "rejected", 1,
		    "form %s is not used by any protocol", f->id);
		free(fwd);
		return 0;
	}
	v->result = best_reading(in->rules->forms, m, f, &text, &html_text);
	rc = decide_answers(in, v, text);
	free(html_text);
	free(fwd);
	return rc;
}

/* ------------------------------------------------------------------ */

static int
decide(const struct intake_input *in, struct verdict *v)
{
	const struct message *m = in->msg;
	const char *why;
	char *ref;
	int rc;

	if (m->from_addr && in->cfg->smtp.from_addr &&
	    strcmp(m->from_addr, in->cfg->smtp.from_addr) == 0) {
		set_verdict(v, VERDICT_OWN, "own", 0, "escbot's own message");
		return 0;
	}
	if ((rc = decide_automatic(in, v)) != 0)
		return rc == -1 ? -1 : 0;
	if (m->from_addr == NULL) {
		set_verdict(v, VERDICT_REJECT, "rejected", 1, "no sender address");
		return 0;
	}
	if (over_limits(in->cfg, m, v))
		return 0;
	if (!config_domain_allowed(in->cfg, m->from_addr)) {
		set_verdict(v, VERDICT_REFUSE, "refused", 1,
		    "sender domain not in allowed_sender_domains");
		return 0;
	}
	if ((why = intake_authentication(in->cfg, m)) != NULL) {
		set_verdict(v, VERDICT_REFUSE, "refused", 1,
		    "%s for the sender's domain", why);
		return 0;
	}
	if ((rc = thread_ref(in, &ref)) == 1)
		return decide_thread(in, ref, v);
	if (rc == -1)
		return -1;
	return decide_form(in, v);
}

int
intake_decide(const struct intake_input *in, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (decide(in, v) == 0)
		return 0;
	verdict_free(v);
	return -1;
}

void
verdict_free(struct verdict *v)
{
	if (v == NULL)
		return;
	free(v->reason);
	free(v->ref);
	if (v->result)
		form_result_free(v->result);
	free(v->agencies);
	free(v->raising_agency);
	free(v->receiving_agencies);
	free(v->unresolved_agencies);
	free(v->forwarded_from);
	for (size_t i = 0; i < v->nactions; i++)
		action_state_free(&v->actions[i]);
	free(v->actions);
	free(v->note);
	free(v->cmd_reason);
	for (size_t i = 0; i < v->nbounces; i++) {
		free(v->bounces[i].rcpt);
		free(v->bounces[i].status);
	}
	free(v->bounces);
	memset(v, 0, sizeof(*v));
}

const char *
verdict_kind_name(enum verdict_kind k)
{
	static const char *const names[] = {
		[VERDICT_READ_DOCS] = "read-docs", [VERDICT_OWN] = "own",
		[VERDICT_AUTO] = "auto", [VERDICT_BOUNCE] = "bounce",
		[VERDICT_REJECT] = "reject", [VERDICT_REFUSE] = "refuse",
		[VERDICT_NO_FORM] = "no-form", [VERDICT_DOC_REFUSED] = "doc-refused",
		[VERDICT_UNUSED_FORM] = "unused-form",
		[VERDICT_INCOMPLETE] = "incomplete",
		[VERDICT_UNMATCHED] = "unmatched", [VERDICT_OPEN] = "open",
		[VERDICT_RECORD_RESOLVED] = "record-resolved",
		[VERDICT_JOIN] = "join", [VERDICT_COMMAND] = "command",
		[VERDICT_DONE] = "done", [VERDICT_NOTE] = "note",
		[VERDICT_NOT_ALLOWED] = "not-allowed",
	};

	if ((size_t)k >= sizeof(names) / sizeof(names[0]) || names[k] == NULL)
		return "?";
	return names[k];
}
