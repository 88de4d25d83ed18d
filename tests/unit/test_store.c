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
	assert_int_equal(store_case_insert(s, &c), 0);
	assert_true(c.id > 0);
	assert_int_equal(store_case_get(s, "twsp-2026-0001", &back), 1);
	assert_int_equal(back.status, CASE_PAUSED);
	assert_int_equal(back.stage_idx, 3);
	assert_int_equal(back.urgent, 1);
	assert_string_equal(back.thread_id, "orig@x");
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
		cmocka_unit_test(test_stage_history),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
