/*
 * main: the command line and the daemon loop.  Every subcommand loads and
 * checks the whole configuration first, so a mistake is reported the same
 * way whichever command meets it.  The loop fetches, ticks and sends, then
 * sleeps until the next poll; SIGTERM and SIGINT only set a flag, and the
 * loop finishes the message in hand before it exits.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casework.h"
#include "digest.h"
#include "escbot.h"
#include "imap.h"
#include "mailbox.h"
#include "log.h"
#include "outbox.h"
#include "util.h"
#include "worker.h"

static volatile sig_atomic_t quit, reload, wake;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		quit = 1;
	wake = 1;	/* ends an IDLE wait at once */
}

/* A second session that waits in IDLE between passes, so new mail is
 * seen within seconds; NULL (and polling) when the server has no IDLE or
 * cannot be reached just now. */
static struct imap *
idle_open(struct escbot *e, int *no_idle)
{
	struct imap *im;
	char err[512];

	if (mailbox_imap_open(e, &im, err, sizeof(err)) != IMAP_OK) {
		log_debug("imap: IDLE session: %s", err);
		return NULL;
	}
	if (!imap_idle_supported(im)) {
		log_info("imap: server has no IDLE; polling every %d s",
		    e->cfg->poll_interval);
		*no_idle = 1;
		imap_close(im);
		return NULL;
	}
	return im;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: escbot [-c FILE] [--now TIME] [-v] COMMAND [ARGS]\n"
	    "\n"
	    "commands:\n"
	    "  run [--once] [--since DATE]  poll the mailbox, process, tick, send\n"
	    "  check-config           validate config, rules, forms, directory, templates\n"
	    "  cases [--all] [--json] [--overdue] [--protocol P] [--agency ID] [--stage N]\n"
	    "                         list open cases (all with --all)\n"
	    "  case REF [--json]      one case with its timeline\n"
	    "  tick                   deadlines and outbox only, no fetch\n"
	    "  outbox [--all] [--json] emails pending or failed, with the error\n"
	    "  resend ID|REF          send failed emails again\n"
	    "  digest [--preview] [--period week|quarter|half-year]\n"
	    "         [--html FILE] [--csv FILE]   the board's report\n"
	    "  pause REF --reason T   stop a case's clock\n"
	    "  resume REF             restart it with the time that was left\n"
	    "  extend REF --days N --reason T\n"
	    "  escalate REF --reason T\n"
	    "  resolve REF [--level N] --note T\n"
	    "\n"
	    "options:\n"
	    "  -c FILE      configuration (default etc/escbot.conf)\n"
	    "  --now TIME   act as if it were TIME (ISO 8601)\n"
	    "  -v           more logging; -q less\n"
	    "  --help, --version\n"
	    "\n"
	    "exit status: 0 success, 1 bad configuration or usage, 2 fatal error,\n"
	    "3 mailbox or server unreachable, 4 no such case or command refused\n");
}

/* JSON string with everything that needs it escaped. */
static void
json_str(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\r')
			fputs("\\r", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void
json_time(FILE *fp, time_t t)
{
	char buf[64];

	if (t == 0 || calendar_format_iso(t, buf, sizeof(buf)) == -1)
		fputs("null", fp);
	else
		json_str(fp, buf);
}

struct listing {
	struct escbot	*e;
	int		 json;
	int		 count;
	time_t		 now;
	/* filters of "cases" */
	int		 overdue;
	const char	*protocol;
	const char	*agency;
	int		 stage;
};

static int
case_matches(const struct listing *l, const struct case_state *c,
    const struct stage_def *s)
{
	if (l->overdue && !(c->status == CASE_OPEN && l->now > c->due_at))
		return 0;
	if (l->protocol && strcmp(l->protocol, c->protocol) != 0)
		return 0;
	if (l->stage && (s == NULL || s->number != l->stage))
		return 0;
	if (l->agency) {
		size_t n = strlen(l->agency);
		const char *a = c->agencies ? c->agencies : "";
		int hit = 0;

		for (const char *p = a; (p = strstr(p, l->agency)) != NULL; p++)
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
	json_str(stdout, c->ref);
	printf(",\"protocol\":");
	json_str(stdout, c->protocol);
	printf(",\"form\":");
	json_str(stdout, c->form);
	printf(",\"stage\":%d,\"stage_name\":", s ? s->number : 0);
	json_str(stdout, s ? s->name : NULL);
	printf(",\"status\":\"%s\",\"opened_at\":", case_status_name(c->status));
	json_time(stdout, c->opened_at);
	printf(",\"due_at\":");
	json_time(stdout, c->due_at);
	printf(",\"overdue\":%s", c->status == CASE_OPEN && now > c->due_at ?
	    "true" : "false");
	printf(",\"raised_by\":");
	json_str(stdout, c->raised_by);
	printf(",\"urgent\":%s,\"agencies\":", c->urgent ? "true" : "false");
	json_str(stdout, c->agencies);
	if (c->status == CASE_RESOLVED) {
		printf(",\"resolved_at\":");
		json_time(stdout, c->resolved_at);
		printf(",\"resolved_level\":%d", c->resolved_level);
	}
	if (c->status == CASE_PAUSED) {
		printf(",\"paused_at\":");
		json_time(stdout, c->paused_at);
	}
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

static int
cmd_cases(struct escbot *e, int all, int json, struct listing *filters)
{
	struct listing l = *filters;

	l.e = e;
	l.json = json;
	l.count = 0;
	l.now = escbot_now(e);
	if (json)
		printf("[");
	if (store_cases_each(e->store, all, list_one, &l) == -1) {
		log_warnx("cases: %s", store_error(e->store));
		return 2;
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
	json_str(stdout, name);
	printf(":");
	json_str(stdout, value);
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
	json_time(stdout, at);
	printf(",\"actor\":");
	json_str(stdout, actor);
	printf(",\"kind\":");
	json_str(stdout, kind);
	printf(",\"detail\":");
	json_str(stdout, detail);
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
	json_str(stdout, tmpl);
	printf(",\"to\":");
	json_str(stdout, rcpt);
	printf(",\"state\":");
	json_str(stdout, state);
	printf(",\"queued_at\":");
	json_time(stdout, created);
	printf(",\"sent_at\":");
	json_time(stdout, sent);
	printf(",\"error\":");
	json_str(stdout, error);
	printf("}");
	return 0;
}

static int
tracked_json(const struct action_state *a, void *arg)
{
	int *n = arg;

	printf("%s{\"num\":%d,\"action\":", (*n)++ ? "," : "", a->num);
	json_str(stdout, a->action);
	printf(",\"owner\":");
	json_str(stdout, a->owner);
	printf(",\"purpose\":");
	json_str(stdout, a->purpose);
	printf(",\"due_at\":");
	json_time(stdout, a->due_at);
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

static int
cmd_case(struct escbot *e, const char *ref, int json)
{
	struct case_state c;
	int rc, n = 0;

	if ((rc = store_case_get(e->store, ref, &c)) != 1) {
		if (rc == 0)
			fprintf(stderr, "escbot: no case %s\n", ref);
		return rc == 0 ? 4 : 2;
	}
	if (json) {
		case_json(e, &c, escbot_now(e));
		printf(",\"fields\":{");
		store_fields_each(e->store, c.id, field_json, &n);
		n = 0;
		printf("},\"actions\":[");
		store_actions_each(e->store, c.id, tracked_json, &n);
		n = 0;
		printf("],\"emails\":[");
		store_outbox_each(e->store, c.id, action_json, &n);
		n = 0;
		printf("],\"events\":[");
		store_events_each(e->store, c.id, event_json, &n);
		printf("]}\n");
	} else {
		struct listing l;

		memset(&l, 0, sizeof(l));
		l.e = e;
		l.now = escbot_now(e);
		list_one(&c, &l);
		printf("raised by %s\nfields:\n", c.raised_by ? c.raised_by : "-");
		store_fields_each(e->store, c.id, field_text, NULL);
		printf("timeline:\n");
		store_events_each(e->store, c.id, event_text, NULL);
		printf("tracked actions:\n");
		store_actions_each(e->store, c.id, tracked_text, NULL);
		printf("emails:\n");
		store_outbox_each(e->store, c.id, action_text, NULL);
	}
	case_state_free(&c);
	return 0;
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
		json_str(stdout, ref);
		printf(",\"email\":");
		json_str(stdout, tmpl);
		printf(",\"to\":");
		json_str(stdout, rcpt);
		printf(",\"state\":");
		json_str(stdout, state);
		printf(",\"attempts\":%d,\"queued_at\":", attempts);
		json_time(stdout, created);
		printf(",\"next_attempt\":");
		if (strcmp(state, "pending") == 0)
			json_time(stdout, next);
		else
			fputs("null", stdout);
		printf(",\"error\":");
		json_str(stdout, error);
		printf("}");
	} else
		printf("%-6lld %-15s %-14s %-8s %2d  queued %.16s  next %.16s  %s%s%s\n",
		    (long long)id, ref ? ref : "-", tmpl, state, attempts, c, n,
		    rcpt, error ? "  " : "", error ? error : "");
	l->count++;
	return 0;
}

static int
cmd_outbox(struct escbot *e, int all, int json)
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
	return rc == -1 ? 2 : 0;
}

static int
cmd_resend(struct escbot *e, const char *what)
{
	char *end;
	long long id = strtoll(what, &end, 10);
	int n;

	n = store_outbox_resend(e->store, *end == '\0' ? id : 0,
	    *end == '\0' ? NULL : what, escbot_now(e));
	if (n < 0)
		return 2;
	if (n == 0) {
		fprintf(stderr, "escbot: no failed email for %s\n", what);
		return 4;
	}
	printf("%d email%s queued again\n", n, n == 1 ? "" : "s");
	return outbox_flush(e) == -1 ? 3 : 0;
}

static int
cycle(struct escbot *e, int fetch)
{
	int rc = 0, r;

	if (fetch) {
		r = mailbox_pass(e);
		if (r == MAILBOX_TEMP)
			rc = 3;
		else if (r == MAILBOX_FINAL) {
			/* A refused login, certificate or revoked grant will not
			 * mend itself: tell the administrator, once a day. */
			rc = 3;
			if (casework_alert(e, "imap", e->last_error) == -1)
				log_warnx("alert: %s", store_error(e->store));
		}
	}
	if (casework_tick(e) == -1)
		rc = 2;
	if (digest_queue_due(e, e->themes) == -1)
		rc = 2;
	if (e->cfg->retention_months > 0) {
		/* Months as 30.44 days: a day either way does not matter for
		 * a retention period counted in months. */
		time_t before = escbot_now(e) -
		    (time_t)e->cfg->retention_months * 2630016;
		int n = store_purge_personal(e->store, before);

		if (n > 0)
			log_info("retention: personal fields of %d resolved case%s "
			    "purged", n, n == 1 ? "" : "s");
	}
	if (outbox_flush(e) == -1 && rc == 0)
		rc = 3;
	return rc;
}

static int
cmd_run(struct escbot *e, const char *config, int once)
{
	struct sigaction sa;
	struct imap *idle = NULL;
	time_t next;
	char err[512];
	int r, no_idle = 0;

	if (once)
		return cycle(e, 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_info("escbot %s started; polling every %d s", ESCBOT_VERSION,
	    e->cfg->poll_interval);
	while (!quit) {
		/* Opened before the pass, so that mail arriving during it is
		 * reported to the first IDLE. */
		if (idle == NULL && !no_idle)
			idle = idle_open(e, &no_idle);
		/* Outages are logged where they are met, once each (ingest,
		 * outbox), so the return of a pass needs no report here. */
		(void)cycle(e, 1);
		next = time(NULL) + e->cfg->poll_interval;
		wake = 0;
		if (idle != NULL && !quit && !reload) {
			r = imap_idle_wait(idle, e->cfg->poll_interval, &wake, err,
			    sizeof(err));
			if (r >= 0)
				next = 0;	/* new mail, the interval, a signal */
			else {
				/* The next pass reports an outage, once. */
				log_debug("imap: IDLE: %s; polling until it is back",
				    err);
				imap_close(idle);
				idle = NULL;
			}
		}
		while (!quit && !reload && time(NULL) < next)
			sleep(1);
		if (reload) {
			struct diag d = { 0, NULL };

			reload = 0;
			if (escbot_reload(e, config, &d) == -1)
				log_warnx("reload: %s has %d error%s; keeping the "
				    "running configuration", config, d.errors,
				    d.errors == 1 ? "" : "s");
			else {
				log_info("reload: configuration, rules, directory "
				    "and templates re-read");
				imap_close(idle);
				idle = NULL;
				no_idle = 0;
				worker_oauth_reset();
			}
		}
	}
	imap_close(idle);
	log_info("escbot stopping");
	return 0;
}

static int
write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(data, fp) == EOF || fclose(fp) == EOF) {
		fprintf(stderr, "escbot: %s: %s\n", path, strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	return 0;
}

static int
cmd_digest(struct escbot *e, const char *period, int preview,
    const char *html, const char *csv)
{
	enum digest_period p = DIGEST_WEEK;
	struct digest d;
	char label[128], key[64];
	time_t start, end;

	if (period && digest_period_parse(period, &p) == -1) {
		fprintf(stderr, "escbot: --period must be week, quarter or "
		    "half-year\n");
		return 1;
	}
	if (!preview) {
		if (digest_queue(e, e->themes, p, 1) == -1)
			return 2;
		return outbox_flush(e) == -1 ? 3 : 0;
	}
	digest_period(p, escbot_now(e), &start, &end, label, sizeof(label), key,
	    sizeof(key));
	if (digest_build(e, e->themes, p, start, end, label, &d) == -1)
		return 2;
	fputs(d.text, stdout);
	if ((html && write_file(html, d.html) == -1) ||
	    (csv && write_file(csv, d.csv) == -1)) {
		digest_free(&d);
		return 2;
	}
	digest_free(&d);
	return 0;
}

static int
cmd_command(struct escbot *e, const char *name, const char *ref,
    const char *reason, int days, int level)
{
	struct command cmd;
	char err[512], actor[300], token[128];
	const char *user = getenv("USER");

	memset(&cmd, 0, sizeof(cmd));
	if (strcmp(name, "pause") == 0)
		cmd.kind = CMD_PAUSE;
	else if (strcmp(name, "resume") == 0)
		cmd.kind = CMD_RESUME;
	else if (strcmp(name, "extend") == 0)
		cmd.kind = CMD_EXTEND;
	else if (strcmp(name, "escalate") == 0)
		cmd.kind = CMD_ESCALATE;
	else
		cmd.kind = CMD_RESOLVE;
	if ((cmd.kind == CMD_PAUSE || cmd.kind == CMD_EXTEND ||
	    cmd.kind == CMD_ESCALATE) && (reason == NULL || *reason == '\0')) {
		fprintf(stderr, "escbot: %s needs --reason: the protocol asks "
		    "that it is recorded why\n", name);
		return 1;
	}
	if (cmd.kind == CMD_RESOLVE && (reason == NULL || *reason == '\0')) {
		fprintf(stderr, "escbot: resolve needs --note\n");
		return 1;
	}
	if (cmd.kind == CMD_EXTEND && days < 1) {
		fprintf(stderr, "escbot: extend needs --days N\n");
		return 1;
	}
	snprintf(actor, sizeof(actor), "cli:%s", user ? user : "admin");
	snprintf(token, sizeof(token), "cli-%s-%lld-%ld", name,
	    (long long)escbot_now(e), (long)getpid());
	cmd.actor = actor;
	cmd.token = token;
	cmd.reason = reason ? reason : "";
	cmd.days = days;
	cmd.level = level;
	if (casework_command(e, ref, &cmd, NULL, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "escbot: %s\n", err);
		return 4;
	}
	printf("%s: %s done\n", ref, name);
	if (e->lock_fd != -1)
		(void)outbox_flush(e);
	else
		printf("(the running escbot will send the emails)\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "now", required_argument, NULL, 'N' },
		{ "once", no_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "reason", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'r' },
		{ "days", required_argument, NULL, 'd' },
		{ "level", required_argument, NULL, 'l' },
		{ "preview", no_argument, NULL, 'P' },
		{ "period", required_argument, NULL, 'p' },
		{ "html", required_argument, NULL, 'H' },
		{ "csv", required_argument, NULL, 'C' },
		{ "overdue", no_argument, NULL, 'O' },
		{ "protocol", required_argument, NULL, 'R' },
		{ "agency", required_argument, NULL, 'A' },
		{ "stage", required_argument, NULL, 'S' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct escbot e;
	struct diag d = { 0, NULL };
	const char *config = "etc/escbot.conf", *cmd, *reason = NULL;
	const char *period = NULL, *html = NULL, *csv = NULL;
	int preview = 0;
	struct listing filters;
	time_t since = 0;

	memset(&filters, 0, sizeof(filters));
	char err[1024];
	int ch, once = 0, all = 0, json = 0, days = 0, level = 0, verbose = 0;
	int rc;
	time_t now_fixed = 0;

	umask(077);
	while ((ch = getopt_long(argc, argv, "+c:vqh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'N':
			if (calendar_parse_iso(optarg, &now_fixed) == -1) {
				fprintf(stderr, "escbot: --now %s: not an ISO 8601 "
				    "time like 2026-12-01T09:00:00Z\n", optarg);
				return 1;
			}
			break;
		case 'v': verbose++; break;
		case 'q': verbose--; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("escbot %s\n", ESCBOT_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 1;
	}
	cmd = argv[0];
	/* Options after the command. */
	optind = 0;	/* glibc: reinitialise, then scan from argv[1] */
	while ((ch = getopt_long(argc, argv, "c:vq", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'N':
			if (calendar_parse_iso(optarg, &now_fixed) == -1) {
				fprintf(stderr, "escbot: --now %s: not an ISO 8601 "
				    "time\n", optarg);
				return 1;
			}
			break;
		case 'o': once = 1; break;
		case 'a': all = 1; break;
		case 'j': json = 1; break;
		case 'r': reason = optarg; break;
		case 'd': days = atoi(optarg); break;
		case 'l': level = atoi(optarg); break;
		case 'P': preview = 1; break;
		case 'O': filters.overdue = 1; break;
		case 'R': filters.protocol = optarg; break;
		case 'A': filters.agency = optarg; break;
		case 'S': filters.stage = atoi(optarg); break;
		case 's':
			if (calendar_parse_iso(optarg, &since) == -1) {
				fprintf(stderr, "escbot: --since %s: not a date like "
				    "2026-01-31\n", optarg);
				return 1;
			}
			break;
		case 'p': period = optarg; break;
		case 'H': html = optarg; break;
		case 'C': csv = optarg; break;
		case 'v': verbose++; break;
		case 'q': verbose--; break;
		default: usage(stderr); return 1;
		}
	}
	log_init(verbose);

	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	if (escbot_load(&e, config, &d) == -1) {
		fprintf(stderr, "escbot: %s: %d error%s; nothing was done\n",
		    config, d.errors, d.errors == 1 ? "" : "s");
		escbot_unload(&e);
		return 1;
	}
	e.now_fixed = now_fixed;
	e.since = since;
	e.stop = &quit;
	if (strcmp(cmd, "check-config") == 0) {
		printf("%s: configuration OK (%zu protocol%s, %zu form%s, "
		    "%zu agencies)\n", config, e.rules->nprotocols,
		    e.rules->nprotocols == 1 ? "" : "s", e.rules->forms->nforms,
		    e.rules->forms->nforms == 1 ? "" : "s", e.dir->nagencies);
		escbot_unload(&e);
		return 0;
	}
	static const char *const known[] = { "run", "cases", "case", "tick",
	    "digest", "outbox", "resend",
	    "pause", "resume", "extend", "escalate", "resolve", NULL };
	for (rc = 0; known[rc] && strcmp(known[rc], cmd) != 0; rc++)
		;
	if (known[rc] == NULL) {
		fprintf(stderr, "escbot: unknown command \"%s\"\n", cmd);
		usage(stderr);
		escbot_unload(&e);
		return 1;
	}
	if (strcmp(cmd, "cases") != 0 && strcmp(cmd, "case") != 0 &&
	    strcmp(cmd, "run") != 0 && strcmp(cmd, "tick") != 0 &&
	    strcmp(cmd, "digest") != 0 && strcmp(cmd, "outbox") != 0 &&
	    optind >= argc) {
		fprintf(stderr, "escbot: %s needs a case reference\n", cmd);
		escbot_unload(&e);
		return 1;
	}
	/* Only what sends mail or fetches it needs to be alone: reading the
	 * database, and commands recorded for the daemon to send, do not. */
	if (escbot_open_store(&e, strcmp(cmd, "run") == 0 ||
	    strcmp(cmd, "tick") == 0 || strcmp(cmd, "resend") == 0 ||
	    (strcmp(cmd, "digest") == 0 && !preview) ? LOCK_NEED :
	    strcmp(cmd, "cases") == 0 || strcmp(cmd, "case") == 0 ||
	    strcmp(cmd, "outbox") == 0 || strcmp(cmd, "digest") == 0 ?
	    LOCK_NONE : LOCK_TRY, err, sizeof(err)) == -1) {
		fprintf(stderr, "escbot: %s\n", err);
		escbot_unload(&e);
		return 2;
	}
	if (strcmp(cmd, "run") == 0)
		rc = cmd_run(&e, config, once);
	else if (strcmp(cmd, "tick") == 0)
		rc = cycle(&e, 0);
	else if (strcmp(cmd, "cases") == 0)
		rc = cmd_cases(&e, all, json, &filters);
	else if (strcmp(cmd, "outbox") == 0)
		rc = cmd_outbox(&e, all, json);
	else if (strcmp(cmd, "resend") == 0)
		rc = cmd_resend(&e, argv[optind]);
	else if (strcmp(cmd, "digest") == 0)
		rc = cmd_digest(&e, period, preview, html, csv);
	else if (strcmp(cmd, "case") == 0) {
		if (optind >= argc) {
			fprintf(stderr, "escbot: case needs a reference\n");
			rc = 1;
		} else
			rc = cmd_case(&e, argv[optind], json);
	} else
		rc = cmd_command(&e, cmd, argv[optind], reason, days, level);
	escbot_unload(&e);
	worker_oauth_reset();
	return rc;
}
