/*
 * Store: migrations from empty and idempotent on reopen, file mode 0600,
 * outbox tokens refuse a second row, cursors keep their UIDVALIDITY.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "calendar.h"
#include "store.h"
#include "util.h"

static char dir[] = "/tmp/escbot-test-store-XXXXXX";
static char *path;

/*
 * fsync and fdatasync are interposed (the test is linked -rdynamic, and
 * libsqlite3 calls them through the dynamic linker): each call on the
 * write-ahead log is counted, then done for real.
 */
static int wal_syncs;

static void
count_sync(int fd)
{
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n > 4) {
		target[n] = '\0';
		if (strcmp(target + n - 4, "-wal") == 0)
			wal_syncs++;
	}
}

int	fsync(int);
int	fdatasync(int);

int
fsync(int fd)
{
	count_sync(fd);
	return (int)syscall(SYS_fsync, fd);
}

int
fdatasync(int fd)
{
	count_sync(fd);
	return (int)syscall(SYS_fdatasync, fd);
}

static struct store *
open_store(void)
{
	struct store *s;
	char err[256];

	if (store_open(path, &s, err, sizeof(err)) == -1)
		fail_msg("store_open: %s", err);
	return s;
}

static void
test_migrations_and_mode(void **state)
{
	struct store *s;
	struct stat st;
	sqlite3 *db;
	sqlite3_stmt *q;
	int tables = 0;

	(void)state;
	s = open_store();
	assert_true(store_schema_version(s) >= 1);
	store_close(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Reopening applies nothing twice. */
	s = open_store();
	assert_true(store_schema_version(s) >= 1);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master "
	    "WHERE type = 'table' AND name IN ('processed', 'cases', 'stages', "
	    "'events', 'outbox', 'deliveries', 'mailbox', 'schema_version')",
	    -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW)
		tables++;
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT COUNT(*), "
	    "COUNT(DISTINCT version) FROM schema_version", -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), sqlite3_column_int(q, 1));
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	sqlite3_close(db);
	assert_int_equal(tables, 8);
}

/* An existing database open to group or others is refused, by name. */
static void
test_open_database_refused(void **state)
{
	char *p = xasprintf("%s/open.db", dir), err[512], *want;
	struct store *s;
	int fd;

	(void)state;
	fd = open(p, O_RDWR | O_CREAT, 0644);
	assert_true(fd != -1);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
	assert_int_equal(store_open(p, &s, err, sizeof(err)), -1);
	assert_null(s);
	want = xasprintf("%s: open to group or others (mode 0644): chmod 600 it",
	    p);
	assert_string_equal(err, want);
	free(want);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(store_open(p, &s, err, sizeof(err)), 0);
	store_close(s);
	free(p);
}

static void
test_newer_schema_refused(void **state)
{
	struct store *s;
	sqlite3 *db;
	char err[256];

	(void)state;
	s = open_store();
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version "
	    "VALUES (999, 0)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, &s, err, sizeof(err)), -1);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "DELETE FROM schema_version WHERE version = 999",
	    NULL, NULL, NULL);
	sqlite3_close(db);
}

static void
test_outbox_token_once(void **state)
{
	struct store *s = open_store();
	const char *rcpts[] = { "a@example.gov.uk", "b@example.gov.uk" };
	struct outbox_item *items;
	size_t n;
	int p, sent, f;

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_outbox_add(s, "T-1/ack", 0, "ack", "id1@x",
	    "data", rcpts, 2, 100, 100), 1);
	assert_int_equal(store_outbox_add(s, "T-1/ack", 0, "ack", "id2@x",
	    "other", rcpts, 2, 100, 100), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_outbox_ready(s, 99, &items, &n, 10), 0);
	assert_int_equal(n, 0);	/* not before its time */
	free(items);
	assert_int_equal(store_outbox_ready(s, 100, &items, &n, 10), 0);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].data, "data");
	assert_int_equal(store_outbox_result(s, items[0].delivery_id,
	    DELIVERY_SENT, NULL, 0, 100), 0);
	assert_int_equal(store_outbox_result(s, items[1].delivery_id,
	    DELIVERY_RETRY, "451 later", 160, 100), 0);
	for (size_t i = 0; i < n; i++)
		outbox_item_free(&items[i]);
	free(items);
	assert_int_equal(store_outbox_ready(s, 150, &items, &n, 10), 0);
	assert_int_equal(n, 0);
	free(items);
	assert_int_equal(store_outbox_ready(s, 160, &items, &n, 10), 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].attempts, 1);
	outbox_item_free(&items[0]);
	free(items);
	assert_int_equal(store_outbox_counts(s, &p, &sent, &f), 0);
	assert_int_equal(p, 1);
	assert_int_equal(sent, 1);
	store_close(s);
}

static void
test_mailbox_cursor_and_processed(void **state)
{
	struct store *s = open_store();
	struct processed_msg m;
	uint32_t uidv, next;
	char *folder = NULL;

	(void)state;
	assert_int_equal(store_mailbox_get(s, "INBOX", &uidv, &next), 0);
	assert_int_equal(store_mailbox_set(s, "INBOX", 42, 7), 0);
	assert_int_equal(store_mailbox_get(s, "INBOX", &uidv, &next), 1);
	assert_int_equal(uidv, 42);
	assert_int_equal(next, 7);
	memset(&m, 0, sizeof(m));
	m.uidvalidity = 42;
	m.uid = 6;
	m.fingerprint = "sha256:abc";
	m.outcome = "rejected";
	m.reason = "no form";
	m.folder = "Rejected";
	m.at = 1000;
	assert_int_equal(store_processed_add(s, &m), 0);
	/* Same bytes again, even with another UIDVALIDITY: refused. */
	m.uidvalidity = 43;
	assert_int_equal(store_processed_add(s, &m), -1);
	assert_int_equal(store_processed_find(s, "sha256:abc", &folder), 1);
	assert_string_equal(folder, "Rejected");
	free(folder);
	assert_int_equal(store_processed_find(s, "sha256:def", &folder), 0);
	assert_int_equal(store_processed_count(s, "rejected", 0), 1);
	store_close(s);
}

static void
test_case_round_trip_and_refs(void **state)
{
	struct store *s = open_store();
	struct case_state c, back;
	char *ref1, *ref2;

	(void)state;
	assert_int_equal(store_next_ref(s, "TWSP", 2026, &ref1), 0);
	assert_int_equal(store_next_ref(s, "TWSP", 2026, &ref2), 0);
	assert_string_equal(ref1, "TWSP-2026-0001");
	assert_string_equal(ref2, "TWSP-2026-0002");
	memset(&c, 0, sizeof(c));
	c.ref = ref1;
	c.protocol = xstrdup("twsp");
	c.form = xstrdup("twsp-referral");
	c.stage_idx = 3;
	c.status = CASE_PAUSED;
	c.urgent = 1;
	c.opened_at = 10;
	c.due_at = 20;
	c.next_wakeup = 15;
	c.raised_by = xstrdup("a@example.gov.uk");
	c.thread_id = xstrdup("orig@x");
	c.agencies = xstrdup("tw-council,west-mercia");
	c.raising_agency = xstrdup("tw-council");
	c.receiving_agencies = xstrdup("west-mercia");
	c.unresolved_agencies = xstrdup("Family Safeguarding Team (T&W)");
	assert_int_equal(store_case_insert(s, &c), 0);
	assert_true(c.id > 0);
	assert_int_equal(store_case_get(s, "twsp-2026-0001", &back), 1);
	assert_int_equal(back.status, CASE_PAUSED);
	assert_int_equal(back.stage_idx, 3);
	assert_int_equal(back.urgent, 1);
	assert_string_equal(back.thread_id, "orig@x");
	assert_string_equal(back.agencies, "tw-council,west-mercia");
	assert_string_equal(back.raising_agency, "tw-council");
	assert_string_equal(back.receiving_agencies, "west-mercia");
	assert_string_equal(back.unresolved_agencies,
	    "Family Safeguarding Team (T&W)");
	/* AGENCIES replaces the receiving ones. */
	free(back.receiving_agencies);
	free(back.unresolved_agencies);
	back.receiving_agencies = xstrdup("west-mercia,shropcom");
	back.unresolved_agencies = xstrdup("");
	assert_int_equal(store_case_update(s, &back), 0);
	case_state_free(&back);
	assert_int_equal(store_case_get(s, "TWSP-2026-0001", &back), 1);
	assert_string_equal(back.receiving_agencies, "west-mercia,shropcom");
	assert_string_equal(back.unresolved_agencies, "");
	assert_string_equal(back.raising_agency, "tw-council");
	case_state_free(&back);
	free(ref2);
	assert_int_equal(store_case_by_message_id(s, "orig@x", &ref2), 1);
	assert_string_equal(ref2, "TWSP-2026-0001");
	free(ref2);
	case_state_free(&c);
	store_close(s);
}

/* A reader holding a snapshot (the CLI beside the daemon, a backup) stops
 * the checkpoint short: store_sync must still make the commit durable. */
static void
test_sync_durable_beside_a_reader(void **state)
{
	struct store *s;
	sqlite3 *reader;
	sqlite3_stmt *q;

	(void)state;
	s = open_store();
	assert_int_equal(store_mailbox_set(s, "INBOX", 7, 1), 0);
	assert_int_equal(store_sync(s), 0);
	assert_int_equal(sqlite3_open(path, &reader), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(reader, "SELECT COUNT(*) FROM "
	    "mailbox", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	/* The snapshot is held; a new commit lands after it. */
	assert_int_equal(store_mailbox_set(s, "INBOX", 7, 2), 0);
	wal_syncs = 0;
	assert_int_equal(store_sync(s), 0);
	assert_true(wal_syncs >= 1);
	/* With nothing new since, nothing more to sync. */
	wal_syncs = 0;
	sqlite3_finalize(q);
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(reader);
	assert_int_equal(store_sync(s), 0);
	store_close(s);
}

/* Each form received keeps its own answers; a later form never
 * overwrites an earlier one's; the purge takes the personal ones of a
 * resolved case only. */
static int
collect_answer(const struct form_answer *fa, void *arg)
{
	struct strbuf *sb = arg;

	sb_addf(sb, "%s/%lld/%s/%s=%s/%d;", fa->form, (long long)fa->at,
	    fa->sender, fa->name, fa->value, fa->personal);
	return 0;
}

static int
stage_line(int idx, time_t at, time_t due, const char *how, void *arg)
{
	sb_addf(arg, "%d@%lld due %lld: %s\n", idx, (long long)at,
	    (long long)due, how);
	return 0;
}

/* The stage history: each stage entered once, with how; the row the case
 * update writes for the stage it ends at gets its `how` from the engine's
 * entry, in either order. */
static void
test_stage_history(void **state)
{
	struct store *s = open_store();
	struct case_state c;
	struct strbuf sb = { 0 };

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_next_ref(s, "TWSP", 2026, &c.ref), 0);
	c.protocol = xstrdup("twsp");
	c.stage_idx = 3;
	c.stage_started_at = 100;
	c.due_at = 200;
	assert_int_equal(store_case_insert(s, &c), 0);
	assert_int_equal(store_stage_add(s, c.id, 3, 100, 200, "opened"), 0);
	assert_int_equal(store_stage_add(s, c.id, 4, 200, 300,
	    "stage 3's deadline passed"), 0);
	c.stage_idx = 5;
	c.stage_started_at = 300;
	c.due_at = 400;
	assert_int_equal(store_case_update(s, &c), 0);
	assert_int_equal(store_stage_add(s, c.id, 5, 300, 400,
	    "stage 4's deadline passed"), 0);
	assert_int_equal(store_case_update(s, &c), 0);
	assert_int_equal(store_stages_each(s, c.id, stage_line, &sb), 0);
	assert_string_equal(sb.buf, "3@100 due 200: opened\n"
	    "4@200 due 300: stage 3's deadline passed\n"
	    "5@300 due 400: stage 4's deadline passed\n");
	free(sb.buf);
	case_state_free(&c);
	store_close(s);
}

static void
test_forms_keep_their_answers(void **state)
{
	struct store *s = open_store();
	struct case_state c;
	struct strbuf sb = { 0 };
	int64_t f1, f2;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_next_ref(s, "WSAB", 2026, &c.ref), 0);
	c.protocol = xstrdup("wsab");
	c.form = xstrdup("wsab-proforma");
	c.raised_by = xstrdup("a@example.gov.uk");
	assert_int_equal(store_case_insert(s, &c), 0);
	assert_int_equal(store_form_add(s, c.id, "wsab-proforma", 100,
	    "a@example.gov.uk", "m1@x", &f1), 0);
	assert_int_equal(store_form_answer(s, f1, "adult1_name", "Alex", 1), 0);
	assert_int_equal(store_form_answer(s, f1, "reason", "no lead", 0), 0);
	assert_int_equal(store_form_add(s, c.id, "wsab-proforma", 200,
	    "b@example.gov.uk", "m2@x", &f2), 0);
	assert_int_equal(store_form_answer(s, f2, "reason", "still none", 0), 0);
	assert_int_equal(store_form_answers_each(s, c.id, collect_answer, &sb), 0);
	assert_string_equal(sb.buf,
	    "wsab-proforma/100/a@example.gov.uk/adult1_name=Alex/1;"
	    "wsab-proforma/100/a@example.gov.uk/reason=no lead/0;"
	    "wsab-proforma/200/b@example.gov.uk/reason=still none/0;");
	sb_reset(&sb);
	/* Resolved before the cut-off: the personal answer goes. */
	c.status = CASE_RESOLVED;
	c.resolved_at = 300;
	assert_int_equal(store_case_update(s, &c), 0);
	assert_true(store_purge_personal(s, 400) >= 0);
	assert_int_equal(store_form_answers_each(s, c.id, collect_answer, &sb), 0);
	assert_string_equal(sb.buf,
	    "wsab-proforma/100/a@example.gov.uk/reason=no lead/0;"
	    "wsab-proforma/200/b@example.gov.uk/reason=still none/0;");
	sb_reset(&sb);
	case_state_free(&c);
	store_close(s);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	path = xasprintf("%s/escbot.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", dir);

	(void)state;
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	free(path);
	return 0;
}

/* January 2026, London time (GMT), day d at h o'clock. */
static time_t
jan(int d, int h, int m)
{
	return d > 0 ? calendar_london_to_utc(2026, 1, d, h, m, 0) :
	    calendar_london_to_utc(2025, 12, 31 + d, h, m, 0);
}

static int64_t
report_case(struct store *s, int n, time_t opened, enum case_status st,
    time_t due)
{
	struct case_state c;
	int64_t id;

	memset(&c, 0, sizeof(c));
	c.ref = xasprintf("REP-2026-%04d", n);
	c.protocol = xstrdup("rep");
	c.status = st;
	c.opened_at = c.stage_started_at = opened;
	c.due_at = due;
	c.raised_by = xstrdup("a@example.gov.uk");
	assert_int_equal(store_case_insert(s, &c), 0);
	id = c.id;
	case_state_free(&c);
	return id;
}

/* Move case id on: to stage idx at `at`, or resolved at `at`. */
static void
report_move(struct store *s, int64_t id, int idx, time_t at, int level)
{
	struct case_state c;

	assert_int_equal(store_case_get_id(s, id, &c), 1);
	if (level > 0) {
		c.status = CASE_RESOLVED;
		c.resolved_at = at;
		c.resolved_level = level;
	} else {
		c.stage_idx = idx;
		c.stage_started_at = at;
		assert_int_equal(store_event_add(s, id, at, NULL, "escalated",
		    ""), 0);
	}
	assert_int_equal(store_case_update(s, &c), 0);
	case_state_free(&c);
}

static void
report_pause(struct store *s, int64_t id, time_t at)
{
	struct case_state x;

	assert_int_equal(store_case_get_id(s, id, &x), 1);
	x.paused_at = at;
	assert_int_equal(store_case_update(s, &x), 0);
	case_state_free(&x);
}

struct got {
	struct report_row	 r[8];
	int			 n;
};

static int
got_row(const struct report_row *r, void *arg)
{
	struct got *g = arg;

	if (g->n < 8)
		g->r[g->n++] = *r;	/* strings not kept: numbers only */
	return 0;
}

/* The reports' SQL: figures over a fortnight (5 to 18 January 2026),
 * worked out by hand with working days Monday to Friday. */
static void
test_report_figures(void **state)
{
	struct store *s = open_store();
	struct calendar *cal = calendar_new(9 * 60, 17 * 60);
	struct report_q q = { "rep", jan(-9, 0, 0), jan(5, 0, 0),
	    jan(19, 0, 0), 0, 0 };
	struct report_counts k;
	struct action_state act;
	struct got g;
	int64_t a, b, c, d;

	(void)state;
	assert_int_equal(store_set_calendar(s, cal), 0);
	/* A: opened Mon 5th, escalated Wed 7th 17:00, resolved Fri 9th at
	 * level 2 by its deadline (Mon 12th). */
	a = report_case(s, 1, jan(5, 10, 0), CASE_OPEN, jan(12, 17, 0));
	report_move(s, a, 1, jan(7, 17, 0), 0);
	report_move(s, a, 0, jan(9, 12, 0), 2);
	/* B: opened Tue 6th, resolved Thu 15th at level 1, after its
	 * deadline (Wed 14th). */
	b = report_case(s, 2, jan(6, 10, 0), CASE_OPEN, jan(14, 17, 0));
	report_move(s, b, 0, jan(15, 10, 0), 1);
	/* C: opened Mon 12th, paused Tue 13th. */
	c = report_case(s, 3, jan(12, 10, 0), CASE_PAUSED, jan(14, 17, 0));
	report_pause(s, c, jan(13, 10, 0));
	/* D: opened 23 December (the period before), escalated 2 January,
	 * due Fri 9th: overdue; its action 1 due Wed 14th not done, action 2
	 * done. */
	d = report_case(s, 4, jan(-8, 10, 0), CASE_OPEN, jan(9, 17, 0));
	report_move(s, d, 1, jan(2, 17, 0), 0);
	memset(&act, 0, sizeof(act));
	act.num = 1;
	act.due_at = jan(14, 17, 0);
	assert_int_equal(store_action_set(s, d, &act), 0);
	act.num = 2;
	assert_int_equal(store_action_set(s, d, &act), 0);
	assert_int_equal(store_action_done(s, d, 2), 1);
	/* E: opened after the period. */
	report_case(s, 5, jan(19, 10, 0), CASE_OPEN, jan(21, 17, 0));

	assert_int_equal(store_report_counts(s, &q, &k), 0);
	assert_int_equal(k.ever, 4);
	assert_int_equal(k.open, 2);
	assert_int_equal(k.paused, 1);
	assert_int_equal(k.overdue, 1);
	assert_int_equal(k.opened[0], 3);
	assert_int_equal(k.opened[1], 1);
	assert_int_equal(k.escalated[0], 1);
	assert_int_equal(k.escalated[1], 1);
	assert_int_equal(k.resolved[0], 2);
	assert_int_equal(k.resolved[1], 0);
	assert_int_equal(k.tracked, 2);
	assert_int_equal(k.within, 1);

	/* Stage 0: A 2, B 7 working days; stage 1: A 2; to resolution A 4,
	 * B 7; paused: C 4 (13th to the end). */
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_report_rows(s, REPORT_DURATIONS, &q, got_row,
	    &g), 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.r[0].stage_idx, -2);
	assert_int_equal(g.r[0].n, 1);
	assert_int_equal(g.r[0].days, 4);
	assert_int_equal(g.r[1].stage_idx, -1);
	assert_int_equal(g.r[1].n, 2);
	assert_true(g.r[1].median == 5.5);
	assert_int_equal(g.r[1].days, 7);
	assert_int_equal(g.r[2].stage_idx, 0);
	assert_int_equal(g.r[2].n, 2);
	assert_true(g.r[2].median == 4.5);
	assert_int_equal(g.r[2].days, 7);
	assert_int_equal(g.r[3].stage_idx, 1);
	assert_int_equal(g.r[3].n, 1);
	assert_true(g.r[3].median == 2);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_report_rows(s, REPORT_BY_LEVEL, &q, got_row,
	    &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].level, 1);
	assert_int_equal(g.r[0].n, 1);
	assert_int_equal(g.r[1].level, 2);
	assert_int_equal(g.r[1].n, 1);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_report_rows(s, REPORT_PAUSED, &q, got_row, &g),
	    0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].case_id, c);
	assert_int_equal(g.r[0].days, 4);
	assert_int_equal(g.r[0].total, 1);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_report_rows(s, REPORT_ACTIONS, &q, got_row,
	    &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].case_id, d);
	assert_int_equal(g.r[0].num, 1);
	assert_int_equal(g.r[0].days, 3);

	/* Open at the end, overdue first, then on time, then paused. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_report_rows(s, REPORT_OPEN, &q, got_row, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].case_id, d);
	assert_int_equal(g.r[0].num, 0);
	assert_int_equal(g.r[1].case_id, c);
	assert_int_equal(g.r[1].num, 2);

	/* Month by month from 1 December 2025: D opened in December and
	 * escalated in January; A, B, C opened in January (E after the end),
	 * A and D escalated, A and B resolved, A by its deadline. */
	q.mstart = jan(-30, 0, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_report_rows(s, REPORT_MONTHS, &q, got_row,
	    &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].num, 2025 * 12 + 11);
	assert_int_equal(g.r[0].opened, 1);
	assert_int_equal(g.r[0].escalated, 0);
	assert_int_equal(g.r[0].resolved, 0);
	assert_int_equal(g.r[1].num, 2026 * 12 + 0);
	assert_int_equal(g.r[1].opened, 3);
	assert_int_equal(g.r[1].escalated, 2);
	assert_int_equal(g.r[1].resolved, 2);
	assert_int_equal(g.r[1].within, 1);
	/* From January: December is left out. */
	q.mstart = jan(1, 0, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_report_rows(s, REPORT_MONTHS, &q, got_row,
	    &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].opened, 3);
	(void)a;
	(void)b;
	calendar_free(cal);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_and_mode),
		cmocka_unit_test(test_open_database_refused),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_outbox_token_once),
		cmocka_unit_test(test_mailbox_cursor_and_processed),
		cmocka_unit_test(test_case_round_trip_and_refs),
		cmocka_unit_test(test_sync_durable_beside_a_reader),
		cmocka_unit_test(test_forms_keep_their_answers),
		cmocka_unit_test(test_report_figures),
		cmocka_unit_test(test_stage_history),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
