/*
 * store: the only file that speaks SQL.  The schema grows by numbered
 * migrations applied in order inside a transaction each, so an old database
 * is brought up to date on open and a half-applied migration never sticks.
 * Statements are prepared once and cached by their text; every value goes
 * through a bound parameter.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define STMT_CACHE	128

struct store {
	sqlite3		*db;
	struct {
		const char	*sql;
		sqlite3_stmt	*st;
	} cache[STMT_CACHE];
	size_t		 ncache;
	int		 batch;		/* inside store_batch_begin() */
	int		 unit;		/* a unit's savepoint is open in it */
	const struct calendar *cal;	/* working_days()'s, when registered */
};

static const char *const migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE mailbox (folder TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL, next_uid INTEGER NOT NULL);"
	"CREATE TABLE processed (id INTEGER PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,"
	"  fingerprint TEXT NOT NULL UNIQUE, message_id TEXT, sender TEXT,"
	"  outcome TEXT NOT NULL, reason TEXT, folder TEXT NOT NULL,"
	"  case_id INTEGER REFERENCES cases(id), moved INTEGER NOT NULL DEFAULT 0,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX processed_at ON processed(at);"
	"CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE cases (id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE,"
	"  protocol TEXT NOT NULL, form TEXT, stage_idx INTEGER NOT NULL,"
	"  status TEXT NOT NULL, urgent INTEGER NOT NULL DEFAULT 0,"
	"  opened_at INTEGER NOT NULL, stage_started_at INTEGER NOT NULL,"
	"  due_at INTEGER NOT NULL, paused_at INTEGER NOT NULL DEFAULT 0,"
	"  paused_remaining INTEGER NOT NULL DEFAULT 0,"
	"  reminders_done INTEGER NOT NULL DEFAULT 0,"
	"  chases_done INTEGER NOT NULL DEFAULT 0,"
	"  pause_reminders_done INTEGER NOT NULL DEFAULT 0,"
	"  next_wakeup INTEGER NOT NULL DEFAULT 0,"
	"  raised_by TEXT, raised_name TEXT, agencies TEXT, thread_id TEXT,"
	"  resolved_at INTEGER NOT NULL DEFAULT 0,"
	"  resolved_level INTEGER NOT NULL DEFAULT 0, resolution TEXT);"
	"CREATE INDEX cases_wakeup ON cases(next_wakeup) WHERE status != 'resolved';"
	"CREATE INDEX cases_thread ON cases(thread_id);"
	"CREATE TABLE case_fields (case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  name TEXT NOT NULL, value TEXT NOT NULL, personal INTEGER NOT NULL,"
	"  PRIMARY KEY (case_id, name));"
	"CREATE INDEX case_fields_value ON case_fields(name, value);"
	"CREATE TABLE stages (case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  stage_idx INTEGER NOT NULL, entered_at INTEGER NOT NULL,"
	"  due_at INTEGER NOT NULL);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY,"
	"  case_id INTEGER REFERENCES cases(id), at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE INDEX events_case ON events(case_id, id);"
	"CREATE TABLE participants (case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  addr TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY (case_id, addr));"
	"CREATE TABLE outbox (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE,"
	"  case_id INTEGER REFERENCES cases(id), template TEXT NOT NULL,"
	"  message_id TEXT NOT NULL UNIQUE, data BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX outbox_case ON outbox(case_id);"
	"CREATE TABLE deliveries (id INTEGER PRIMARY KEY,"
	"  outbox_id INTEGER NOT NULL REFERENCES outbox(id),"
	"  rcpt TEXT NOT NULL COLLATE NOCASE, state TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL,"
	"  last_error TEXT, sent_at INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (outbox_id, rcpt));"
	"CREATE INDEX deliveries_ready ON deliveries(next_attempt) WHERE state = 'pending';"
	"CREATE INDEX deliveries_rcpt ON deliveries(rcpt, sent_at);",
	/* 2: tracked actions of meeting records, and the next meeting. */
	"CREATE TABLE actions (id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id), num INTEGER NOT NULL,"
	"  action TEXT, owner TEXT, purpose TEXT, due_at INTEGER NOT NULL,"
	"  done INTEGER NOT NULL DEFAULT 0,"
	"  reminders_done INTEGER NOT NULL DEFAULT 0,"
	"  chases_done INTEGER NOT NULL DEFAULT 0,"
	"  next_wakeup INTEGER NOT NULL DEFAULT 0, UNIQUE (case_id, num));"
	"CREATE INDEX actions_wakeup ON actions(next_wakeup) WHERE done = 0;",
	/* 3: what the clock and the reports look cases up by, so a tick over
	 * a million cases reads only the ones it needs. */
	"CREATE INDEX cases_opened ON cases(opened_at);"
	"CREATE INDEX cases_resolved ON cases(resolved_at) WHERE status = 'resolved';"
	"DROP INDEX case_fields_value;"
	"CREATE INDEX case_fields_value ON case_fields(name, value COLLATE NOCASE);",
	/* 4: re-deliveries are found by Message-ID and sender. */
	"CREATE INDEX processed_msgid ON processed(message_id, sender);",
	/* 5: messages the server would not give out, retried with backoff. */
	"CREATE TABLE unfetchable (folder TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL, next_try INTEGER NOT NULL, error TEXT,"
	"  PRIMARY KEY (folder, uidvalidity, uid));",
	/* 6: every form received, with its own answers: a later form adds
	 * to a case and never overwrites an earlier one's answers. */
	"CREATE TABLE forms_received (id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id), form TEXT NOT NULL,"
	"  at INTEGER NOT NULL, sender TEXT NOT NULL, message_id TEXT);"
	"CREATE INDEX forms_received_case ON forms_received(case_id);"
	"CREATE TABLE form_answers (form_id INTEGER NOT NULL"
	"  REFERENCES forms_received(id), name TEXT NOT NULL,"
	"  value TEXT NOT NULL, personal INTEGER NOT NULL,"
	"  PRIMARY KEY (form_id, name));",
	/* 7: working days the current stage was given beyond its timescale
	 * (EXTEND, TIMESCALE), capped by the protocol. */
	"ALTER TABLE cases ADD COLUMN extended_days INTEGER NOT NULL DEFAULT 0;",
	/* 8: the reports' figures are counted by SQLite: escalations and
	 * bounces of a period, and the stages of a case in order. */
	"CREATE INDEX events_kind_at ON events(kind, at);"
	"CREATE INDEX stages_case ON stages(case_id, entered_at);"
	/* A report's counts read this index alone, not the cases. */
	"CREATE INDEX cases_report ON cases(protocol, status, opened_at,"
	"  resolved_at, due_at, paused_at, stage_idx, resolved_level);",
	/* 9: the raising agency and the receiving ones apart, and the
	 * agencies a form names that the directory does not know. */
	"ALTER TABLE cases ADD COLUMN raising_agency TEXT;"
	"ALTER TABLE cases ADD COLUMN receiving_agencies TEXT;"
	"ALTER TABLE cases ADD COLUMN unresolved_agencies TEXT;",
	/* 10: how each stage of a case was entered (opened, a deadline
	 * passed, by request), for the stage history its emails show. */
	"ALTER TABLE stages ADD COLUMN how TEXT NOT NULL DEFAULT '';",
	/* 11: what the protocol's clock counts from (receipt, or the date
	 * a form gives: 003's awareness of a serious incident); 0 for
	 * cases opened before, which count from opened_at. */
	"ALTER TABLE cases ADD COLUMN clock_start INTEGER NOT NULL DEFAULT 0;",
};

const char *
store_error(struct store *s)
{
	return sqlite3_errmsg(s->db);
}

static sqlite3_stmt *
prep(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("store: prepare: %s", sqlite3_errmsg(s->db));
		return NULL;
	}
	if (s->ncache == STMT_CACHE)
		fatalx("store: statement cache full");
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache++].st = st;
	return st;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

/* One row's first column as a string: 1 and *out (caller frees; out may
 * be NULL), 0 for no row, -1 on an error.  The statement is reset. */
static int
text_row(sqlite3_stmt *st, char **out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW && out != NULL)
		*out = col_text(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* After stepping st row by row (rc the last step's result, stop non-zero
 * when a callback ended the loop early): release the statement; 0 when it
 * ran to its end or was stopped, -1 on a database error. */
static int
rows_end(sqlite3_stmt *st, int rc, int stop)
{
	sqlite3_reset(st);
	return stop || rc == SQLITE_DONE ? 0 : -1;
}

/* Step a statement that returns no rows. */
static int
exec_done(struct store *s, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static int
exec_sql(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("store: %s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_schema_version(struct store *s)
{
	static const char sql[] = "SELECT MAX(version) FROM schema_version";
	sqlite3_stmt *st = prep(s, sql);
	int v = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	if (st)
		sqlite3_reset(st);
	return v;
}

time_t
store_created_at(struct store *s)
{
	/* The first thing that happened: the first message processed or
	 * case opened (with --now, the clock escbot acted by). */
	static const char sql[] = "SELECT MIN(COALESCE((SELECT MIN(at) FROM "
	    "processed), 9223372036854775807), COALESCE((SELECT MIN(opened_at) "
	    "FROM cases), 9223372036854775807))";
	sqlite3_stmt *st = prep(s, sql);
	time_t t = 0;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return t == INT64_MAX ? 0 : t;
}

static int
migrate(struct store *s)
{
	static const char ins[] = "INSERT INTO schema_version (version, at) "
	    "VALUES (?, strftime('%s','now'))";
	int have, n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	sqlite3_stmt *st;

	if (exec_sql(s, "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version INTEGER PRIMARY KEY, at INTEGER NOT NULL)") == -1)
		return -1;
	if ((have = store_schema_version(s)) < 0)
		have = 0;
	if (have > n) {
		log_warnx("store: database schema %d is newer than this escbot (%d)",
		    have, n);
		return -1;
	}
	for (int v = have + 1; v <= n; v++) {
		if (store_begin(s) == -1)
			return -1;
		if (exec_sql(s, migrations[v - 1]) == -1)
			goto fail;
		if ((st = prep(s, ins)) == NULL)
			goto fail;
		sqlite3_bind_int(st, 1, v);
		if (exec_done(s, st) == -1)
			goto fail;
		if (store_commit(s) == -1)
			goto fail;
		log_info("store: applied migration %d", v);
	}
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int
store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s;
	struct stat st;
	int fd;

	*out = NULL;
	/* Create the file ourselves so it is never, even briefly, readable
	 * by others; SQLite keeps the mode for -wal and -shm. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* An existing file is held to the same: the cases are about
	 * children and adults at risk. */
	if (fstat(fd, &st) == -1 || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: open to group or others (mode %04o): "
		    "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	close(fd);
	s = xcalloc(1, sizeof(*s));
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	/* secure_delete: purged personal data is overwritten, not left in
	 * free pages of the file.  synchronous=NORMAL: a commit is not
	 * fsynced on its own; store_sync() makes every commit so far durable
	 * before anything is acknowledged (a message moved, an email sent),
	 * one fsync per batch instead of one per message. */
	if (exec_sql(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA secure_delete=ON;"
	    "PRAGMA foreign_keys=ON;") == -1 || migrate(s) == -1) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
}

int
store_sync(struct store *s)
{
	sqlite3_file *wal = NULL;
	int log, ckpt;

	/* In WAL mode with synchronous=NORMAL the WAL is fsynced before a
	 * checkpoint copies frames back: a checkpoint is the cheap way to
	 * say "durable now".  But a reader holding a snapshot (the CLI beside
	 * the daemon, a backup) stops it short, and then the frames after its
	 * snapshot are neither copied nor synced: sync the WAL itself. */
	if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &log, &ckpt) != SQLITE_OK) {
		log_warnx("store: sync: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (log <= 0 || ckpt >= log)
		return 0;
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &wal) != SQLITE_OK || wal == NULL || wal->pMethods == NULL ||
	    wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL) != SQLITE_OK) {
		log_warnx("store: sync of the write-ahead log failed");
		return -1;
	}
	return 0;
}

/* Inside a batch a unit of work is a savepoint, so that one message that
 * fails takes back its own changes and nothing of the others'. */
int
store_begin(struct store *s)
{
	if (!s->batch)
		return exec_sql(s, "BEGIN IMMEDIATE");
	if (sqlite3_get_autocommit(s->db)) {
		/* SQLite rolled the batch back after an I/O error. */
		log_warnx("store: the batch was rolled back");
		return -1;
	}
	if (exec_sql(s, "SAVEPOINT unit") == -1)
		return -1;
	s->unit = 1;
	return 0;
}

int
store_commit(struct store *s)
{
	if (!s->batch)
		return exec_sql(s, "COMMIT");
	if (exec_sql(s, "RELEASE unit") == -1)
		return -1;
	s->unit = 0;
	return 0;
}

void
store_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db)) {
		s->unit = 0;
		return;
	}
	if (!s->batch)
		(void)exec_sql(s, "ROLLBACK");
	else if (s->unit) {
		(void)exec_sql(s, "ROLLBACK TO unit");
		(void)exec_sql(s, "RELEASE unit");
		s->unit = 0;
	}
}

int
store_batch_begin(struct store *s)
{
	if (exec_sql(s, "BEGIN IMMEDIATE") == -1)
		return -1;
	s->batch = 1;
	s->unit = 0;
	return 0;
}

int
store_batch_commit(struct store *s)
{
	int was_lost = sqlite3_get_autocommit(s->db);

	s->batch = 0;
	s->unit = 0;
	if (was_lost) {
		log_warnx("store: the batch was rolled back; nothing of it kept");
		return -1;
	}
	if (exec_sql(s, "COMMIT") == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int
store_mailbox_get(struct store *s, const char *folder, uint32_t *uidvalidity,
    uint32_t *next_uid)
{
	static const char sql[] =
	    "SELECT uidvalidity, next_uid FROM mailbox WHERE folder = ?";
	sqlite3_stmt *st = prep(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	bind_text(st, 1, folder);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(st, 0);
		*next_uid = (uint32_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_mailbox_set(struct store *s, const char *folder, uint32_t uidvalidity,
    uint32_t next_uid)
{
	static const char sql[] = "INSERT INTO mailbox (folder, uidvalidity, "
	    "next_uid) VALUES (?, ?, ?) ON CONFLICT(folder) DO UPDATE SET "
	    "uidvalidity = excluded.uidvalidity, next_uid = excluded.next_uid";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, folder);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int64(st, 3, next_uid);
	return exec_done(s, st);
}

int
store_processed_find(struct store *s, const char *fp, char **folder)
{
	static const char sql[] =
	    "SELECT folder FROM processed WHERE fingerprint = ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, fp);
	return text_row(st, folder);
}

int
store_processed_find_id(struct store *s, const char *message_id,
    const char *sender, char **folder)
{
	static const char sql[] = "SELECT folder FROM processed WHERE "
	    "message_id = ? AND sender = ? AND outcome != 'duplicate' "
	    "ORDER BY id LIMIT 1";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, message_id);
	bind_text(st, 2, sender);
	return text_row(st, folder);
}

int
store_processed_add(struct store *s, const struct processed_msg *m)
{
	static const char sql[] = "INSERT INTO processed (uidvalidity, uid, "
	    "fingerprint, message_id, sender, outcome, reason, folder, case_id, "
	    "at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->uidvalidity);
	sqlite3_bind_int64(st, 2, m->uid);
	bind_text(st, 3, m->fingerprint);
	bind_text(st, 4, m->message_id);
	bind_text(st, 5, m->sender);
	bind_text(st, 6, m->outcome);
	bind_text(st, 7, m->reason);
	bind_text(st, 8, m->folder);
	if (m->case_id)
		sqlite3_bind_int64(st, 9, m->case_id);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int64(st, 10, m->at);
	return exec_done(s, st);
}

int
store_processed_moved(struct store *s, const char *fp)
{
	static const char sql[] =
	    "UPDATE processed SET moved = 1 WHERE fingerprint = ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, fp);
	return exec_done(s, st);
}

static int
count_query(sqlite3_stmt *st)
{
	int n = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_processed_count(struct store *s, const char *outcome, time_t since)
{
	static const char sql[] =
	    "SELECT COUNT(*) FROM processed WHERE outcome = ? AND at >= ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, outcome);
	sqlite3_bind_int64(st, 2, since);
	return count_query(st);
}

int
store_replies_since(struct store *s, const char *addr, const char *tmpl,
    time_t since)
{
	static const char sql[] = "SELECT COUNT(*) FROM deliveries d JOIN "
	    "outbox o ON o.id = d.outbox_id WHERE d.rcpt = ? AND "
	    "(? IS NULL OR o.template = ?) AND o.created_at >= ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, addr);
	bind_text(st, 2, tmpl);
	bind_text(st, 3, tmpl);
	sqlite3_bind_int64(st, 4, since);
	return count_query(st);
}

int
store_next_ref(struct store *s, const char *prefix, int year, char **ref)
{
	static const char sql[] = "INSERT INTO counters (name, value) "
	    "VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 "
	    "RETURNING value";
	sqlite3_stmt *st = prep(s, sql);
	char *name;
	int rc;
	long long v = 0;

	if (st == NULL)
		return -1;
	name = xasprintf("%s-%04d", prefix, year);
	bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		free(name);
		return -1;
	}
	*ref = xasprintf("%s-%04lld", name, v);
	free(name);
	return 0;
}

#define CASE_COLS "id, ref, protocol, form, stage_idx, status, urgent, " \
	"opened_at, stage_started_at, due_at, paused_at, paused_remaining, " \
	"reminders_done, chases_done, pause_reminders_done, next_wakeup, " \
	"raised_by, raised_name, agencies, thread_id, resolved_at, " \
	"resolved_level, resolution, extended_days, raising_agency, " \
	"receiving_agencies, unresolved_agencies, clock_start"

static enum case_status
status_from(const char *s)
{
	if (s && strcmp(s, "paused") == 0)
		return CASE_PAUSED;
	if (s && strcmp(s, "resolved") == 0)
		return CASE_RESOLVED;
	return CASE_OPEN;
}

static void
case_from_row(sqlite3_stmt *st, struct case_state *c)
{
	const unsigned char *status;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->ref = col_text(st, 1);
	c->protocol = col_text(st, 2);
	c->form = col_text(st, 3);
	c->stage_idx = sqlite3_column_int(st, 4);
	status = sqlite3_column_text(st, 5);
	c->status = status_from((const char *)status);
	c->urgent = sqlite3_column_int(st, 6);
	c->opened_at = sqlite3_column_int64(st, 7);
	c->stage_started_at = sqlite3_column_int64(st, 8);
	c->due_at = sqlite3_column_int64(st, 9);
	c->paused_at = sqlite3_column_int64(st, 10);
	c->paused_remaining = sqlite3_column_int(st, 11);
	c->reminders_done = sqlite3_column_int(st, 12);
	c->chases_done = sqlite3_column_int(st, 13);
	c->pause_reminders_done = sqlite3_column_int(st, 14);
	c->next_wakeup = sqlite3_column_int64(st, 15);
	c->raised_by = col_text(st, 16);
	c->raised_name = col_text(st, 17);
	c->agencies = col_text(st, 18);
	c->thread_id = col_text(st, 19);
	c->resolved_at = sqlite3_column_int64(st, 20);
	c->resolved_level = sqlite3_column_int(st, 21);
	c->resolution = col_text(st, 22);
	c->extended_days = sqlite3_column_int(st, 23);
	c->raising_agency = col_text(st, 24);
	c->receiving_agencies = col_text(st, 25);
	c->unresolved_agencies = col_text(st, 26);
	c->clock_start = sqlite3_column_int64(st, 27);
}

/* Binds the case's columns 2.. in CASE_COLS order (1 is the id). */
static void
bind_case(sqlite3_stmt *st, const struct case_state *c)
{
	bind_text(st, 2, c->ref);
	bind_text(st, 3, c->protocol);
	bind_text(st, 4, c->form);
	sqlite3_bind_int(st, 5, c->stage_idx);
	bind_text(st, 6, case_status_name(c->status));
	sqlite3_bind_int(st, 7, c->urgent);
	sqlite3_bind_int64(st, 8, c->opened_at);
	sqlite3_bind_int64(st, 9, c->stage_started_at);
	sqlite3_bind_int64(st, 10, c->due_at);
	sqlite3_bind_int64(st, 11, c->paused_at);
	sqlite3_bind_int(st, 12, c->paused_remaining);
	sqlite3_bind_int(st, 13, c->reminders_done);
	sqlite3_bind_int(st, 14, c->chases_done);
	sqlite3_bind_int(st, 15, c->pause_reminders_done);
	sqlite3_bind_int64(st, 16, c->next_wakeup);
	bind_text(st, 17, c->raised_by);
	bind_text(st, 18, c->raised_name);
	bind_text(st, 19, c->agencies);
	bind_text(st, 20, c->thread_id);
	sqlite3_bind_int64(st, 21, c->resolved_at);
	sqlite3_bind_int(st, 22, c->resolved_level);
	bind_text(st, 23, c->resolution);
	sqlite3_bind_int(st, 24, c->extended_days);
	bind_text(st, 25, c->raising_agency);
	bind_text(st, 26, c->receiving_agencies);
	bind_text(st, 27, c->unresolved_agencies);
	sqlite3_bind_int64(st, 28, c->clock_start);
}

static int
stage_history(struct store *s, const struct case_state *c)
{
	static const char sql[] = "INSERT INTO stages (case_id, stage_idx, "
	    "entered_at, due_at) SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS "
	    "(SELECT 1 FROM stages WHERE case_id = ?1 AND stage_idx = ?2 "
	    "AND entered_at = ?3)";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int(st, 2, c->stage_idx);
	sqlite3_bind_int64(st, 3, c->stage_started_at);
	sqlite3_bind_int64(st, 4, c->due_at);
	return exec_done(s, st);
}

int
store_case_insert(struct store *s, struct case_state *c)
{
	static const char sql[] = "INSERT INTO cases (" CASE_COLS ") VALUES "
	    "(NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, "
	    "?28)";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_case(st, c);
	if (exec_done(s, st) == -1)
		return -1;
	c->id = sqlite3_last_insert_rowid(s->db);
	return stage_history(s, c);
}

int
store_case_update(struct store *s, const struct case_state *c)
{
	static const char sql[] = "UPDATE cases SET ref = ?2, protocol = ?3, "
	    "form = ?4, stage_idx = ?5, status = ?6, urgent = ?7, "
	    "opened_at = ?8, stage_started_at = ?9, due_at = ?10, "
	    "paused_at = ?11, paused_remaining = ?12, reminders_done = ?13, "
	    "chases_done = ?14, pause_reminders_done = ?15, next_wakeup = ?16, "
	    "raised_by = ?17, raised_name = ?18, agencies = ?19, "
	    "thread_id = ?20, resolved_at = ?21, resolved_level = ?22, "
	    "resolution = ?23, extended_days = ?24, raising_agency = ?25, "
	    "receiving_agencies = ?26, unresolved_agencies = ?27, "
	    "clock_start = ?28 WHERE id = ?1";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	bind_case(st, c);
	if (exec_done(s, st) == -1)
		return -1;
	return stage_history(s, c);
}

static int
case_one(struct store *s, sqlite3_stmt *st, struct case_state *c)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		case_from_row(st, c);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warnx("store: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_case_get(struct store *s, const char *ref, struct case_state *c)
{
	static const char sql[] = "SELECT " CASE_COLS " FROM cases "
	    "WHERE ref = ? COLLATE NOCASE";
	sqlite3_stmt *st = prep(s, sql);

	if (st)
		bind_text(st, 1, ref);
	return case_one(s, st, c);
}

int
store_case_get_id(struct store *s, int64_t id, struct case_state *c)
{
	static const char sql[] = "SELECT " CASE_COLS " FROM cases WHERE id = ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st)
		sqlite3_bind_int64(st, 1, id);
	return case_one(s, st, c);
}

static int
one_text(struct store *s, sqlite3_stmt *st, char **out)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = col_text(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warnx("store: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_case_by_message_id(struct store *s, const char *msgid, char **ref)
{
	static const char sql[] = "SELECT ref FROM cases WHERE thread_id = ?1 "
	    "UNION ALL SELECT c.ref FROM outbox o JOIN cases c ON "
	    "c.id = o.case_id WHERE o.message_id = ?1 "
	    "UNION ALL SELECT c.ref FROM processed p JOIN cases c ON "
	    "c.id = p.case_id WHERE p.message_id = ?1 LIMIT 1";
	sqlite3_stmt *st = prep(s, sql);

	if (st)
		bind_text(st, 1, msgid);
	return one_text(s, st, ref);
}

int
store_case_by_field(struct store *s, const char *name, const char *value,
    char **ref)
{
	static const char sql[] = "SELECT c.ref FROM case_fields f JOIN cases c "
	    "ON c.id = f.case_id WHERE f.name = ? AND f.value = ? COLLATE NOCASE "
	    "AND c.status != 'resolved' ORDER BY c.id DESC LIMIT 1";
	sqlite3_stmt *st = prep(s, sql);

	if (st) {
		bind_text(st, 1, name);
		bind_text(st, 2, value);
	}
	return one_text(s, st, ref);
}

int
store_case_match(struct store *s, const char *protocol,
    const char *const *names, const char *const *values, size_t n, char **ref)
{
	/* The first field is looked up by its index; the others are then
	 * checked on the few cases it finds. */
	static const char sql[] = "SELECT c.ref FROM case_fields f0 JOIN cases c "
	    "ON c.id = f0.case_id WHERE f0.name = json_extract(?2, '$[0]') AND "
	    "f0.value = json_extract(?3, '$[0]') COLLATE NOCASE AND "
	    "c.protocol = ?1 AND c.status != 'resolved' AND (SELECT COUNT(*) "
	    "FROM case_fields f, json_each(?2) k, json_each(?3) v WHERE "
	    "f.case_id = c.id AND k.key = v.key AND f.name = k.value AND "
	    "f.value = v.value COLLATE NOCASE) = ?4 ORDER BY c.id DESC LIMIT 1";
	sqlite3_stmt *st;
	struct strbuf kn = { 0 }, kv = { 0 };
	int rc;

	if (n == 0)
		return 0;
	/* The lists travel as JSON arrays so that one prepared statement
	 * serves any number of fields. */
	for (size_t i = 0; i < n; i++) {
		struct strbuf *b[2] = { &kn, &kv };
		const char *v[2] = { names[i], values[i] };

		for (int k = 0; k < 2; k++) {
			sb_adds(b[k], i ? "," : "[");
			sb_addc(b[k], '"');
			for (const char *p = v[k]; *p; p++) {
				if (*p == '"' || *p == '\\')
					sb_addc(b[k], '\\');
				if ((unsigned char)*p < 0x20)
					sb_addf(b[k], "\\u%04x", *p);
				else
					sb_addc(b[k], *p);
			}
			sb_addc(b[k], '"');
		}
	}
	sb_addc(&kn, ']');
	sb_addc(&kv, ']');
	if ((st = prep(s, sql)) == NULL) {
		sb_reset(&kn);
		sb_reset(&kv);
		return -1;
	}
	bind_text(st, 1, protocol);
	bind_text(st, 2, kn.buf);
	bind_text(st, 3, kv.buf);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)n);
	rc = one_text(s, st, ref);
	sb_reset(&kn);
	sb_reset(&kv);
	return rc;
}

int
store_cases_due(struct store *s, time_t now, int64_t **ids, size_t *n)
{
	static const char sql[] = "SELECT id FROM cases WHERE "
	    "status != 'resolved' AND next_wakeup > 0 AND next_wakeup <= ? "
	    "ORDER BY next_wakeup";
	sqlite3_stmt *st = prep(s, sql);
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*ids = xreallocarray(*ids, cap, sizeof(int64_t));
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	return rows_end(st, rc, 0);
}

int
store_cases_each(struct store *s, int all,
    int (*fn)(const struct case_state *, void *), void *arg)
{
	static const char sql[] = "SELECT " CASE_COLS " FROM cases WHERE "
	    "? OR status != 'resolved' ORDER BY id";
	sqlite3_stmt *st = prep(s, sql);
	struct case_state c;
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, all != 0);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		case_from_row(st, &c);
		stop = fn(&c, arg);
		case_state_free(&c);
	}
	return rows_end(st, rc, stop);
}

int
store_field_set(struct store *s, int64_t case_id, const char *name,
    const char *value, int personal)
{
	static const char sql[] = "INSERT INTO case_fields (case_id, name, "
	    "value, personal) VALUES (?, ?, ?, ?) ON CONFLICT(case_id, name) "
	    "DO UPDATE SET value = excluded.value, personal = excluded.personal";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, name);
	bind_text(st, 3, value);
	sqlite3_bind_int(st, 4, personal);
	return exec_done(s, st);
}

int
store_field_get(struct store *s, int64_t case_id, const char *name,
    char **value)
{
	static const char sql[] = "SELECT value FROM case_fields WHERE "
	    "case_id = ? AND name = ?";
	sqlite3_stmt *st = prep(s, sql);

	*value = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, name);
	return text_row(st, value);
}

int
store_fields_each(struct store *s, int64_t case_id,
    int (*fn)(const char *, const char *, int, void *), void *arg)
{
	static const char sql[] = "SELECT name, value, personal FROM "
	    "case_fields WHERE case_id = ? ORDER BY rowid";
	sqlite3_stmt *st = prep(s, sql);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 2), arg);
	return rows_end(st, rc, stop);
}

int
store_form_add(struct store *s, int64_t case_id, const char *form, time_t at,
    const char *sender, const char *message_id, int64_t *form_id)
{
	static const char sql[] = "INSERT INTO forms_received (case_id, form, "
	    "at, sender, message_id) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, form);
	sqlite3_bind_int64(st, 3, at);
	bind_text(st, 4, sender);
	bind_text(st, 5, message_id);
	if (exec_done(s, st) == -1)
		return -1;
	*form_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
store_form_answer(struct store *s, int64_t form_id, const char *name,
    const char *value, int personal)
{
	static const char sql[] = "INSERT INTO form_answers (form_id, name, "
	    "value, personal) VALUES (?, ?, ?, ?) ON CONFLICT(form_id, name) "
	    "DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, form_id);
	bind_text(st, 2, name);
	bind_text(st, 3, value);
	sqlite3_bind_int(st, 4, personal);
	return exec_done(s, st);
}

int
store_form_answers_each(struct store *s, int64_t case_id,
    int (*fn)(const struct form_answer *, void *), void *arg)
{
	static const char sql[] = "SELECT f.id, f.form, f.at, f.sender, "
	    "a.name, a.value, a.personal FROM forms_received f JOIN "
	    "form_answers a ON a.form_id = f.id WHERE f.case_id = ? "
	    "ORDER BY f.at, f.id, a.rowid";
	sqlite3_stmt *st = prep(s, sql);
	struct form_answer fa;
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		fa.form_id = sqlite3_column_int64(st, 0);
		fa.form = (const char *)sqlite3_column_text(st, 1);
		fa.at = (time_t)sqlite3_column_int64(st, 2);
		fa.sender = (const char *)sqlite3_column_text(st, 3);
		fa.name = (const char *)sqlite3_column_text(st, 4);
		fa.value = (const char *)sqlite3_column_text(st, 5);
		fa.personal = sqlite3_column_int(st, 6);
		stop = fn(&fa, arg);
	}
	return rows_end(st, rc, stop);
}

int
store_event_add(struct store *s, int64_t case_id, time_t at,
    const char *actor, const char *kind, const char *detail)
{
	static const char sql[] = "INSERT INTO events (case_id, at, actor, "
	    "kind, detail) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	if (case_id)
		sqlite3_bind_int64(st, 1, case_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, actor ? actor : "escbot");
	bind_text(st, 4, kind);
	bind_text(st, 5, detail ? detail : "");
	return exec_done(s, st);
}

int
store_events_each(struct store *s, int64_t case_id,
    int (*fn)(time_t, const char *, const char *, const char *, void *),
    void *arg)
{
	static const char sql[] = "SELECT at, actor, kind, detail FROM events "
	    "WHERE case_id = ? ORDER BY id";
	sqlite3_stmt *st = prep(s, sql);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3), arg);
	return rows_end(st, rc, stop);
}

int
store_stage_add(struct store *s, int64_t case_id, int stage_idx,
    time_t entered_at, time_t due_at, const char *how)
{
	static const char ins[] = "INSERT INTO stages (case_id, stage_idx, "
	    "entered_at, due_at, how) SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT "
	    "EXISTS (SELECT 1 FROM stages WHERE case_id = ?1 AND "
	    "stage_idx = ?2 AND entered_at = ?3)";
	static const char upd[] = "UPDATE stages SET how = ?4 WHERE "
	    "case_id = ?1 AND stage_idx = ?2 AND entered_at = ?3";
	sqlite3_stmt *st;

	if ((st = prep(s, ins)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int(st, 2, stage_idx);
	sqlite3_bind_int64(st, 3, entered_at);
	sqlite3_bind_int64(st, 4, due_at);
	bind_text(st, 5, how);
	if (exec_done(s, st) == -1 || (st = prep(s, upd)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int(st, 2, stage_idx);
	sqlite3_bind_int64(st, 3, entered_at);
	bind_text(st, 4, how);
	return exec_done(s, st);
}

int
store_stages_each(struct store *s, int64_t case_id,
    int (*fn)(int, time_t, time_t, const char *, void *), void *arg)
{
	static const char sql[] = "SELECT stage_idx, entered_at, due_at, how "
	    "FROM stages WHERE case_id = ? ORDER BY entered_at, rowid";
	sqlite3_stmt *st = prep(s, sql);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(sqlite3_column_int(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		    (const char *)sqlite3_column_text(st, 3), arg);
	return rows_end(st, rc, stop);
}

int
store_participant_add(struct store *s, int64_t case_id, const char *addr)
{
	static const char sql[] = "INSERT OR IGNORE INTO participants "
	    "(case_id, addr) VALUES (?, ?)";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, addr);
	return exec_done(s, st);
}

int
store_participant_is(struct store *s, int64_t case_id, const char *addr)
{
	static const char sql[] = "SELECT COUNT(*) FROM participants WHERE "
	    "case_id = ? AND addr = ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, addr);
	return count_query(st) > 0;
}

int
store_outbox_add(struct store *s, const char *token, int64_t case_id,
    const char *tmpl, const char *message_id, const char *data,
    const char *const *rcpts, size_t nrcpts, time_t not_before, time_t now)
{
	static const char msg[] = "INSERT INTO outbox (token, case_id, "
	    "template, message_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT(token) DO NOTHING";
	static const char dlv[] = "INSERT OR IGNORE INTO deliveries "
	    "(outbox_id, rcpt, next_attempt) VALUES (?, ?, ?)";
	sqlite3_stmt *st = prep(s, msg);
	int64_t id;

	if (st == NULL)
		return -1;
	bind_text(st, 1, token);
	if (case_id)
		sqlite3_bind_int64(st, 2, case_id);
	else
		sqlite3_bind_null(st, 2);
	bind_text(st, 3, tmpl);
	bind_text(st, 4, message_id);
	sqlite3_bind_blob(st, 5, data, (int)strlen(data), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, now);
	if (exec_done(s, st) == -1)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return 0;	/* already queued: the token says so */
	id = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < nrcpts; i++) {
		if ((st = prep(s, dlv)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		bind_text(st, 2, rcpts[i]);
		sqlite3_bind_int64(st, 3, not_before);
		if (exec_done(s, st) == -1)
			return -1;
	}
	return 1;
}

void
outbox_item_free(struct outbox_item *it)
{
	free(it->token);
	free(it->rcpt);
	free(it->message_id);
	free(it->data);
	free(it->last_error);
	memset(it, 0, sizeof(*it));
}

int
store_outbox_ready(struct store *s, time_t now, struct outbox_item **items,
    size_t *n, size_t max)
{
	static const char sql[] = "SELECT d.id, o.token, d.rcpt, o.message_id, "
	    "o.data, d.attempts, d.last_error FROM deliveries d JOIN outbox o "
	    "ON o.id = d.outbox_id WHERE d.state = 'pending' AND "
	    "d.next_attempt <= ? ORDER BY d.next_attempt, d.id LIMIT ?";
	sqlite3_stmt *st = prep(s, sql);
	struct outbox_item *it;
	int rc = SQLITE_DONE;

	*items = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	*items = xcalloc(max ? max : 1, sizeof(**items));
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		it = &(*items)[(*n)++];
		it->delivery_id = sqlite3_column_int64(st, 0);
		it->token = col_text(st, 1);
		it->rcpt = col_text(st, 2);
		it->message_id = col_text(st, 3);
		it->data = col_text(st, 4);
		it->attempts = sqlite3_column_int(st, 5);
		it->last_error = col_text(st, 6);
	}
	if (rows_end(st, rc, *n == max) == -1) {
		/* A read error is not an empty outbox. */
		for (size_t i = 0; i < *n; i++)
			outbox_item_free(&(*items)[i]);
		free(*items);
		*items = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_outbox_result(struct store *s, int64_t delivery_id,
    enum delivery_result r, const char *error, time_t next_attempt,
    time_t now)
{
	static const char sql[] = "UPDATE deliveries SET state = ?, "
	    "attempts = attempts + 1, next_attempt = ?, last_error = ?, "
	    "sent_at = ? WHERE id = ?";
	sqlite3_stmt *st = prep(s, sql);
	static const char *const names[] = { "sent", "pending", "failed" };

	if (st == NULL)
		return -1;
	bind_text(st, 1, names[r]);
	sqlite3_bind_int64(st, 2, next_attempt);
	bind_text(st, 3, error);
	sqlite3_bind_int64(st, 4, r == DELIVERY_SENT ? now : 0);
	sqlite3_bind_int64(st, 5, delivery_id);
	return exec_done(s, st);
}

int
store_outbox_counts(struct store *s, int *pending, int *sent, int *failed)
{
	static const char sql[] = "SELECT "
	    "COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'sent'), 0), "
	    "COALESCE(SUM(state = 'failed'), 0) FROM deliveries";
	sqlite3_stmt *st = prep(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*pending = sqlite3_column_int(st, 0);
		*sent = sqlite3_column_int(st, 1);
		*failed = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_outbox_each(struct store *s, int64_t case_id,
    int (*fn)(const char *, const char *, const char *, time_t, time_t,
    const char *, void *), void *arg)
{
	static const char sql[] = "SELECT o.template, d.rcpt, d.state, "
	    "o.created_at, d.sent_at, d.last_error FROM outbox o JOIN "
	    "deliveries d ON d.outbox_id = o.id WHERE o.case_id = ? "
	    "ORDER BY o.id, d.id";
	sqlite3_stmt *st = prep(s, sql);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
		    (const char *)sqlite3_column_text(st, 5), arg);
	return rows_end(st, rc, stop);
}

int
store_report_rejections(struct store *s, time_t from, time_t to,
    int (*fn)(const char *, const char *, int, void *), void *arg)
{
	static const char sql[] = "SELECT outcome, COALESCE(reason, ''), "
	    "COUNT(*) FROM processed WHERE at >= ? AND at < ? AND outcome IN "
	    "('rejected', 'refused', 'no-form') GROUP BY outcome, reason "
	    "ORDER BY COUNT(*) DESC, outcome, reason";
	sqlite3_stmt *st = prep(s, sql);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 2), arg);
	return rows_end(st, rc, stop);
}

int
store_outbox_has(struct store *s, const char *token)
{
	static const char sql[] = "SELECT COUNT(*) FROM outbox WHERE token = ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, token);
	return count_query(st) > 0;
}

int
store_report_failed(struct store *s, time_t from, time_t to,
    int (*fn)(const char *, int, const char *, void *), void *arg)
{
	static const char sql[] = "SELECT d.rcpt, COUNT(*), MAX(d.last_error) "
	    "FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE "
	    "d.state = 'failed' AND o.created_at >= ? AND o.created_at < ? "
	    "GROUP BY d.rcpt ORDER BY COUNT(*) DESC, d.rcpt";
	sqlite3_stmt *st = prep(s, sql);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn((const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int(st, 1),
		    (const char *)sqlite3_column_text(st, 2), arg);
	return rows_end(st, rc, stop);
}

int
store_outbox_list(struct store *s, const char *state, int max,
    int (*fn)(int64_t, const char *, const char *, const char *, const char *,
    int, time_t, time_t, const char *, void *), void *arg)
{
	static const char sql[] = "SELECT d.id, c.ref, o.template, d.rcpt, "
	    "d.state, d.attempts, o.created_at, d.next_attempt, d.last_error "
	    "FROM deliveries d JOIN outbox o ON o.id = d.outbox_id LEFT JOIN "
	    "cases c ON c.id = o.case_id WHERE ?1 IS NULL OR d.state = ?1 "
	    "ORDER BY d.id DESC LIMIT ?2";
	sqlite3_stmt *st = prep(s, sql);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	bind_text(st, 1, state);
	sqlite3_bind_int(st, 2, max);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4),
		    sqlite3_column_int(st, 5), sqlite3_column_int64(st, 6),
		    sqlite3_column_int64(st, 7),
		    (const char *)sqlite3_column_text(st, 8), arg);
	return rows_end(st, rc, stop);
}

int
store_outbox_resend(struct store *s, int64_t id, const char *ref, time_t now)
{
	static const char sql[] = "UPDATE deliveries SET state = 'pending', "
	    "next_attempt = ?1 WHERE state = 'failed' AND (id = ?2 OR "
	    "(?2 = 0 AND outbox_id IN (SELECT o.id FROM outbox o JOIN cases c "
	    "ON c.id = o.case_id WHERE c.ref = ?3 COLLATE NOCASE)))";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	bind_text(st, 3, ref);
	if (exec_done(s, st) == -1)
		return -1;
	return sqlite3_changes(s->db);
}

int
store_sent_count(struct store *s, const char *rcpt, time_t since)
{
	static const char sql[] = "SELECT COUNT(*) FROM deliveries WHERE "
	    "rcpt = ? AND state = 'sent' AND sent_at >= ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, rcpt);
	sqlite3_bind_int64(st, 2, since);
	return count_query(st);
}

int
store_purge_personal(struct store *s, time_t before)
{
	/* Fields marked personal go, and so do the copies of them in the
	 * emails kept in the outbox and the raiser's name; references,
	 * stages, levels, dates and events stay for the board's figures. */
	/* Only the cases resolved since the last purge's cut-off, which the
	 * counters table keeps, so a tick does not re-read old ones. */
	static const char fields[] = "DELETE FROM case_fields WHERE personal = 1 "
	    "AND case_id IN (SELECT id FROM cases WHERE status = 'resolved' "
	    "AND resolved_at >= ?2 AND resolved_at < ?1)";
	static const char answers[] = "DELETE FROM form_answers WHERE "
	    "personal = 1 AND form_id IN (SELECT f.id FROM forms_received f "
	    "JOIN cases c ON c.id = f.case_id WHERE c.status = 'resolved' AND "
	    "c.resolved_at >= ?2 AND c.resolved_at < ?1)";
	static const char mails[] = "UPDATE outbox SET data = '' WHERE data != '' "
	    "AND case_id IN (SELECT id FROM cases WHERE status = 'resolved' AND "
	    "resolved_at >= ?2 AND resolved_at < ?1) AND NOT EXISTS (SELECT 1 "
	    "FROM deliveries d WHERE d.outbox_id = outbox.id AND "
	    "d.state = 'pending')";
	static const char cases[] = "UPDATE cases SET raised_name = NULL WHERE "
	    "status = 'resolved' AND resolved_at >= ?2 AND resolved_at < ?1 AND "
	    "raised_name IS NOT NULL";
	static const char last[] = "SELECT value FROM counters WHERE "
	    "name = 'purged-before'";
	static const char save[] = "INSERT INTO counters (name, value) VALUES "
	    "('purged-before', ?1) ON CONFLICT(name) DO UPDATE SET value = ?1 "
	    "WHERE value < ?1";
	const char *const sqls[] = { fields, answers, mails, cases, save };
	sqlite3_stmt *st;
	time_t from = 0;
	int n = 0;

	if (store_begin(s) == -1)
		return -1;
	if ((st = prep(s, last)) == NULL)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		from = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	/* A resolution recorded late (resolved_at before the cut-off but
	 * written after it) is caught by the next day's overlap. */
	from = from > 86400 ? from - 86400 : 0;
	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		if ((st = prep(s, sqls[i])) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, before);
		if (sqls[i] != save)
			sqlite3_bind_int64(st, 2, from);
		if (exec_done(s, st) == -1)
			goto fail;
		if (i == 0)
			n = sqlite3_changes(s->db);
	}
	if (store_commit(s) == -1)
		goto fail;
	return n;
fail:
	store_rollback(s);
	return -1;
}

#define ACTION_COLS "id, num, action, owner, purpose, due_at, done, " \
	"reminders_done, chases_done, next_wakeup"

static void
action_from_row(sqlite3_stmt *st, int col, struct action_state *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, col);
	a->num = sqlite3_column_int(st, col + 1);
	a->action = col_text(st, col + 2);
	a->owner = col_text(st, col + 3);
	a->purpose = col_text(st, col + 4);
	a->due_at = sqlite3_column_int64(st, col + 5);
	a->done = sqlite3_column_int(st, col + 6);
	a->reminders_done = sqlite3_column_int(st, col + 7);
	a->chases_done = sqlite3_column_int(st, col + 8);
	a->next_wakeup = sqlite3_column_int64(st, col + 9);
}

int
store_action_set(struct store *s, int64_t case_id, const struct action_state *a)
{
	/* A later meeting record restates an action: a new deadline or text
	 * starts its reminders afresh; an unchanged one keeps its state. */
	static const char sql[] = "INSERT INTO actions (case_id, num, action, "
	    "owner, purpose, due_at, next_wakeup) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7) ON CONFLICT(case_id, num) DO UPDATE SET action = ?3, "
	    "owner = ?4, purpose = ?5, due_at = ?6, next_wakeup = ?7, done = 0, "
	    "reminders_done = 0, chases_done = 0 WHERE due_at != ?6 OR "
	    "action IS NOT ?3 OR owner IS NOT ?4";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int(st, 2, a->num);
	bind_text(st, 3, a->action);
	bind_text(st, 4, a->owner);
	bind_text(st, 5, a->purpose);
	sqlite3_bind_int64(st, 6, a->due_at);
	sqlite3_bind_int64(st, 7, a->next_wakeup);
	return exec_done(s, st);
}

int
store_action_update(struct store *s, const struct action_state *a)
{
	static const char sql[] = "UPDATE actions SET done = ?, "
	    "reminders_done = ?, chases_done = ?, next_wakeup = ? WHERE id = ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, a->done);
	sqlite3_bind_int(st, 2, a->reminders_done);
	sqlite3_bind_int(st, 3, a->chases_done);
	sqlite3_bind_int64(st, 4, a->next_wakeup);
	sqlite3_bind_int64(st, 5, a->id);
	return exec_done(s, st);
}

int
store_action_done(struct store *s, int64_t case_id, int num)
{
	static const char sql[] = "UPDATE actions SET done = 1, next_wakeup = 0 "
	    "WHERE case_id = ? AND num = ? AND done = 0";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int(st, 2, num);
	if (exec_done(s, st) == -1)
		return -1;
	return sqlite3_changes(s->db);
}

int
store_actions_due(struct store *s, time_t now,
    int (*fn)(int64_t case_id, struct action_state *, void *), void *arg)
{
	static const char sql[] = "SELECT case_id, " ACTION_COLS " FROM actions "
	    "WHERE done = 0 AND next_wakeup > 0 AND next_wakeup <= ? "
	    "ORDER BY next_wakeup";
	sqlite3_stmt *st = prep(s, sql);
	struct action_state *list = NULL;
	int64_t *cases = NULL;
	size_t n = 0;
	int rc;

	if (st == NULL)
		return -1;
	/* Read them all first: fn writes to the database. */
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, n + 1, sizeof(*list));
		cases = xreallocarray(cases, n + 1, sizeof(*cases));
		cases[n] = sqlite3_column_int64(st, 0);
		action_from_row(st, 1, &list[n++]);
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		if (rc == SQLITE_DONE && fn(cases[i], &list[i], arg) != 0)
			rc = SQLITE_ERROR;
		action_state_free(&list[i]);
	}
	free(list);
	free(cases);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_actions_each(struct store *s, int64_t case_id,
    int (*fn)(const struct action_state *, void *), void *arg)
{
	static const char sql[] = "SELECT " ACTION_COLS " FROM actions WHERE "
	    "case_id = ? ORDER BY num";
	sqlite3_stmt *st = prep(s, sql);
	struct action_state a;
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		action_from_row(st, 0, &a);
		stop = fn(&a, arg);
		action_state_free(&a);
	}
	return rows_end(st, rc, stop);
}

int
store_unfetchable_list(struct store *s, const char *folder,
    uint32_t uidvalidity, struct unfetchable **out, size_t *n)
{
	static const char sql[] = "SELECT uid, attempts, next_try FROM "
	    "unfetchable WHERE folder = ? AND uidvalidity = ? ORDER BY uid";
	sqlite3_stmt *st = prep(s, sql);
	struct unfetchable *v = NULL;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	bind_text(st, 1, folder);
	sqlite3_bind_int64(st, 2, uidvalidity);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt].uid = (uint32_t)sqlite3_column_int64(st, 0);
		v[cnt].attempts = sqlite3_column_int(st, 1);
		v[cnt].next_try = (time_t)sqlite3_column_int64(st, 2);
		cnt++;
	}
	if (rows_end(st, rc, 0) == -1) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		free(v);
		return -1;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
store_unfetchable_put(struct store *s, const char *folder,
    uint32_t uidvalidity, uint32_t uid, int attempts, time_t next_try,
    const char *error)
{
	static const char sql[] = "INSERT INTO unfetchable (folder, "
	    "uidvalidity, uid, attempts, next_try, error) VALUES (?, ?, ?, ?, "
	    "?, ?) ON CONFLICT(folder, uidvalidity, uid) DO UPDATE SET "
	    "attempts = excluded.attempts, next_try = excluded.next_try, "
	    "error = excluded.error";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, folder);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int64(st, 3, uid);
	sqlite3_bind_int(st, 4, attempts);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)next_try);
	bind_text(st, 6, error);
	return exec_done(s, st);
}

int
store_unfetchable_del(struct store *s, const char *folder,
    uint32_t uidvalidity, uint32_t uid)
{
	static const char sql[] = "DELETE FROM unfetchable WHERE folder = ? "
	    "AND uidvalidity = ? AND uid = ?";
	sqlite3_stmt *st = prep(s, sql);

	if (st == NULL)
		return -1;
	bind_text(st, 1, folder);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int64(st, 3, uid);
	return exec_done(s, st);
}

/* --- reports ------------------------------------------------------ */

static void
sql_working_days(sqlite3_context *cx, int argc, sqlite3_value **v)
{
	const struct calendar *cal = sqlite3_user_data(cx);

	(void)argc;
	if (sqlite3_value_type(v[0]) == SQLITE_NULL ||
	    sqlite3_value_type(v[1]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	sqlite3_result_int(cx, calendar_working_days_between(cal,
	    (time_t)sqlite3_value_int64(v[0]), (time_t)sqlite3_value_int64(v[1])));
}

/* The London month of t as year * 12 + month (0-11): a report's
 * month-by-month trend groups by it. */
static void
sql_london_month(sqlite3_context *cx, int argc, sqlite3_value **v)
{
	struct tm tm;

	(void)argc;
	if (sqlite3_value_type(v[0]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	calendar_utc_to_london((time_t)sqlite3_value_int64(v[0]), &tm);
	sqlite3_result_int(cx, (tm.tm_year + 1900) * 12 + tm.tm_mon);
}

int
store_set_calendar(struct store *s, const struct calendar *cal)
{
	if (cal == s->cal)
		return 0;
	if (sqlite3_create_function(s->db, "working_days", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, (void *)(uintptr_t)cal, sql_working_days,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "london_month", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_london_month, NULL,
	    NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	s->cal = cal;
	return 0;
}

/* ?1 protocol (NULL: all), ?2 previous period's start, ?3 start, ?4 end,
 * ?5 rows at most, ?6 the trend's first month. */
/* A range, so that the planner can use cases_report for one protocol;
 * NULL: every text, which sorts before any blob. */
#define RQ_PROTO	"c.protocol BETWEEN COALESCE(?1, '') AND " \
			"COALESCE(?1, x'ff')"
#define RQ_OPEN_AT_END	"c.opened_at < ?4 AND NOT (c.status = 'resolved' " \
			"AND c.resolved_at < ?4)"
#define RQ_RESOLVED_IN	"c.status = 'resolved' AND c.resolved_at >= ?3 AND " \
			"c.resolved_at < ?4"
/* Resolved after being tracked, by the deadline of the stage it was at,
 * or while paused before that deadline (the clock stopped). */
#define RQ_IN_TIME	"(c.resolved_at > c.opened_at AND " \
			"(c.resolved_at <= c.due_at OR (c.paused_at > 0 AND " \
			"c.paused_at <= c.due_at)))"
/* As at end: a case resolved after it was open then. */
#define RQ_STATUS	"CASE WHEN c.status = 'resolved' AND " \
			"c.resolved_at >= ?4 THEN 'open' ELSE c.status END"
#define RQ_CASE_COLS	"c.id AS case_id, c.ref AS ref, c.protocol AS " \
			"protocol, c.form AS form, c.stage_idx AS stage_idx, " \
			RQ_STATUS " AS status, c.urgent AS urgent, " \
			"c.opened_at AS opened_at, c.due_at AS due_at, " \
			"c.resolved_at AS resolved_at, c.resolved_level AS " \
			"level, c.raised_by AS raised_by, c.raising_agency " \
			"AS raising, COALESCE(c.receiving_agencies, " \
			"c.agencies) AS agencies"

static void
bind_report(sqlite3_stmt *st, const struct report_q *q)
{
	/* A statement that does not use a parameter refuses its binding
	 * (SQLITE_RANGE): harmless. */
	bind_text(st, 1, q->protocol);
	sqlite3_bind_int64(st, 2, q->pstart);
	sqlite3_bind_int64(st, 3, q->start);
	sqlite3_bind_int64(st, 4, q->end);
	sqlite3_bind_int(st, 5, q->max > 0 ? q->max : -1);
	sqlite3_bind_int64(st, 6, q->mstart);
}

int
store_report_counts(struct store *s, const struct report_q *q,
    struct report_counts *out)
{
	static const char cases[] = "SELECT COUNT(*), "
	    "TOTAL(NOT (c.status = 'resolved' AND c.resolved_at < ?4)), "
	    "TOTAL(c.status = 'paused'), "
	    "TOTAL(NOT (c.status = 'resolved' AND c.resolved_at < ?4) AND "
	    "  c.status != 'paused' AND c.due_at < ?4), "
	    "TOTAL(c.opened_at >= ?3), "
	    "TOTAL(c.opened_at >= ?2 AND c.opened_at < ?3), "
	    "TOTAL(" RQ_RESOLVED_IN "), "
	    "TOTAL(c.status = 'resolved' AND c.resolved_at >= ?2 AND "
	    "  c.resolved_at < ?3), "
	    "TOTAL(" RQ_RESOLVED_IN " AND c.resolved_at > c.opened_at), "
	    "TOTAL(" RQ_RESOLVED_IN " AND " RQ_IN_TIME ") "
	    "FROM cases c WHERE " RQ_PROTO " AND c.opened_at < ?4";
	static const char esc[] = "SELECT TOTAL(e.at >= ?3), TOTAL(e.at < ?3) "
	    "FROM events e JOIN cases c ON c.id = e.case_id WHERE "
	    "e.kind = 'escalated' AND e.at >= ?2 AND e.at < ?4 AND " RQ_PROTO;
	static const char flags[] = "SELECT CASE f.name WHEN 'lessons_learned' "
	    "THEN 0 WHEN 'staff_training' THEN 1 WHEN 'inform_commissioner' "
	    "THEN 3 ELSE 2 END AS k, COUNT(DISTINCT c.id) FROM cases c JOIN "
	    "case_fields f ON f.case_id = c.id WHERE " RQ_RESOLVED_IN " AND "
	    RQ_PROTO " AND f.personal = 0 AND f.name IN ('lessons_learned', "
	    "'staff_training', 'protocol_review', 'new_protocol', "
	    "'inform_commissioner') AND lower(f.value) IN ('yes', 'y') "
	    "GROUP BY k";
	int *const cols[] = { &out->ever, &out->open, &out->paused,
	    &out->overdue, &out->opened[0], &out->opened[1], &out->resolved[0],
	    &out->resolved[1], &out->tracked, &out->within };
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((st = prep(s, cases)) == NULL)
		return -1;
	bind_report(st, q);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			*cols[i] = (int)sqlite3_column_int64(st, (int)i);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW || (st = prep(s, esc)) == NULL)
		goto fail;
	bind_report(st, q);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->escalated[0] = sqlite3_column_int(st, 0);
		out->escalated[1] = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW || (st = prep(s, flags)) == NULL)
		goto fail;
	bind_report(st, q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		out->flags[sqlite3_column_int(st, 0) & 3] +=
		    sqlite3_column_int(st, 1);
	if (rows_end(st, rc, 0) == -1)
		goto fail;
	return 0;
fail:
	log_warnx("store: report: %s", sqlite3_errmsg(s->db));
	return -1;
}

static const char *const report_sql[] = {
	[REPORT_BY_STAGE] = "SELECT c.protocol AS protocol, c.stage_idx AS "
	    "stage_idx, COUNT(*) AS n FROM cases c WHERE " RQ_PROTO " AND "
	    RQ_OPEN_AT_END " GROUP BY c.protocol, c.stage_idx "
	    "ORDER BY c.protocol, c.stage_idx",
	[REPORT_BY_LEVEL] = "SELECT c.protocol AS protocol, c.resolved_level "
	    "AS level, COUNT(*) AS n FROM cases c WHERE " RQ_PROTO " AND "
	    RQ_RESOLVED_IN " GROUP BY c.protocol, c.resolved_level "
	    "ORDER BY c.protocol, c.resolved_level",
	[REPORT_AGENCIES] = "SELECT lower(substr(COALESCE(c.raised_by, ''), "
	    "instr(COALESCE(c.raised_by, ''), '@') + 1)) AS text, "
	    "c.raising_agency AS raising, COALESCE(c.receiving_agencies, "
	    "c.agencies, '') AS agencies, COUNT(*) AS n FROM cases c "
	    "WHERE " RQ_PROTO " AND c.opened_at >= ?3 AND c.opened_at < ?4 "
	    "GROUP BY 1, 2, 3",
	[REPORT_DURATIONS] = "WITH iv AS (SELECT c.protocol AS protocol, "
	    "s.stage_idx AS k, s.entered_at AS a, COALESCE(LEAD(s.entered_at) "
	    "OVER (PARTITION BY s.case_id ORDER BY s.entered_at), "
	    "CASE WHEN c.status = 'resolved' THEN c.resolved_at END) AS b "
	    "FROM cases c JOIN stages s ON s.case_id = c.id WHERE " RQ_PROTO
	    " AND c.opened_at < ?4 AND NOT (c.status = 'resolved' AND "
	    "c.resolved_at < ?3)), "
	    "d AS (SELECT protocol, k, working_days(a, b) AS wd FROM iv WHERE "
	    "b >= ?3 AND b < ?4 AND b > a "
	    "UNION ALL SELECT '', -1, working_days(c.opened_at, "
	    "c.resolved_at) FROM cases c WHERE " RQ_PROTO " AND "
	    RQ_RESOLVED_IN " AND c.resolved_at > c.opened_at "
	    "UNION ALL SELECT '', -2, working_days(c.paused_at, ?4) "
	    "FROM cases c WHERE " RQ_PROTO " AND c.status = 'paused' AND "
	    "c.opened_at < ?4), "
	    "r AS (SELECT protocol, k, wd, ROW_NUMBER() OVER (PARTITION BY "
	    "protocol, k ORDER BY wd) AS rn, COUNT(*) OVER (PARTITION BY "
	    "protocol, k) AS cnt FROM d) "
	    "SELECT protocol, k AS stage_idx, cnt AS n, AVG(CASE WHEN rn IN "
	    "((cnt + 1) / 2, (cnt + 2) / 2) THEN wd END) AS median, MAX(wd) "
	    "AS days FROM r GROUP BY protocol, k ORDER BY protocol, k",
	/* The first max found in the index, then their rows. */
	[REPORT_OPEN] = "SELECT " RQ_CASE_COLS ", CASE WHEN c.status = "
	    "'paused' THEN 2 WHEN c.due_at < ?4 THEN 0 ELSE 1 END AS num "
	    "FROM cases c WHERE c.id IN (SELECT c.id FROM cases c WHERE "
	    RQ_PROTO " AND " RQ_OPEN_AT_END " ORDER BY CASE WHEN c.status = "
	    "'paused' THEN 2 WHEN c.due_at < ?4 THEN 0 ELSE 1 END, c.id "
	    "LIMIT ?5) ORDER BY num, c.id",
	[REPORT_PAUSED] = "SELECT c.id AS case_id, c.ref AS ref, c.paused_at "
	    "AS at, working_days(c.paused_at, ?4) AS days, (SELECT e.detail "
	    "FROM events e WHERE e.case_id = c.id AND e.kind = 'paused' "
	    "ORDER BY e.id DESC LIMIT 1) AS text, COUNT(*) OVER () AS total "
	    "FROM cases c WHERE " RQ_PROTO " AND c.status = 'paused' AND "
	    "c.opened_at < ?4 ORDER BY c.paused_at, c.id LIMIT ?5",
	[REPORT_ACTIONS] = "SELECT c.id AS case_id, c.ref AS ref, a.num AS "
	    "num, a.action AS text, a.owner AS detail, a.due_at AS at, "
	    "working_days(a.due_at, ?4) AS days, COUNT(*) OVER () AS total "
	    "FROM actions a JOIN cases c ON c.id = a.case_id WHERE " RQ_PROTO
	    " AND " RQ_OPEN_AT_END " AND a.num > 0 AND a.done = 0 AND "
	    "a.due_at < ?4 ORDER BY a.due_at, c.id, a.num LIMIT ?5",
	[REPORT_LESSONS] = "SELECT c.id AS case_id, c.ref AS ref, f.value AS "
	    "text, COUNT(*) OVER () AS total FROM cases c JOIN case_fields f "
	    "ON f.case_id = c.id WHERE " RQ_PROTO " AND " RQ_RESOLVED_IN
	    " AND f.name = 'lessons_details' AND f.personal = 0 AND "
	    "f.value != '' ORDER BY c.id LIMIT ?5",
	[REPORT_BOUNCED] = "SELECT e.actor AS text, COUNT(*) AS n FROM events "
	    "e JOIN cases c ON c.id = e.case_id WHERE e.kind = 'bounce' AND "
	    "e.at >= ?3 AND e.at < ?4 AND " RQ_PROTO " GROUP BY e.actor "
	    "ORDER BY n DESC, e.actor",
	[REPORT_CASES] = "SELECT " RQ_CASE_COLS ", (SELECT group_concat(f.value, "
	    "char(31)) FROM case_fields f WHERE f.case_id = c.id AND "
	    "f.personal = 0) AS text "
	    "FROM cases c WHERE " RQ_PROTO " AND c.opened_at < ?4 AND NOT "
	    "(c.status = 'resolved' AND c.resolved_at < ?3) ORDER BY c.id",
	/* One pass over each month's openings, escalations and
	 * resolutions; the cases' from cases_report alone (the unary +
	 * keeps the planner off cases_resolved, which would read each
	 * resolved case's row for its protocol). */
	[REPORT_MONTHS] = "WITH m(k, w, t) AS ("
	    "SELECT london_month(c.opened_at), 0, 0 FROM cases c WHERE "
	    RQ_PROTO " AND c.opened_at >= ?6 AND c.opened_at < ?4 "
	    "UNION ALL SELECT london_month(e.at), 1, 0 FROM events e JOIN "
	    "cases c ON c.id = e.case_id WHERE e.kind = 'escalated' AND "
	    "e.at >= ?6 AND e.at < ?4 AND " RQ_PROTO " "
	    "UNION ALL SELECT london_month(c.resolved_at), 2, " RQ_IN_TIME
	    " FROM cases c WHERE " RQ_PROTO " AND c.status = 'resolved' AND "
	    "+c.resolved_at >= ?6 AND +c.resolved_at < ?4) "
	    "SELECT k AS num, TOTAL(w = 0) AS opened, TOTAL(w = 1) AS "
	    "escalated, TOTAL(w = 2) AS resolved, TOTAL(t) AS within "
	    "FROM m GROUP BY k ORDER BY k",
};

/* The row's columns into r by their names. */
static void
report_row_fill(sqlite3_stmt *st, struct report_row *r)
{
	static const struct { const char *name; size_t off; char type; } m[] = {
#define F(f, t) { #f, offsetof(struct report_row, f), t }
		F(case_id, 'l'), F(ref, 's'), F(protocol, 's'), F(form, 's'),
		F(status, 's'), F(raised_by, 's'), F(raising, 's'),
		F(agencies, 's'),
		F(text, 's'), F(detail, 's'), F(stage_idx, 'i'), F(urgent, 'i'),
		F(level, 'i'), F(num, 'i'), F(n, 'i'), F(total, 'i'),
		F(days, 'i'), F(opened, 'i'), F(escalated, 'i'),
		F(resolved, 'i'), F(within, 'i'), F(median, 'd'),
		F(opened_at, 't'), F(due_at, 't'),
		F(resolved_at, 't'), F(at, 't'),
#undef F
	};
	int nc = sqlite3_column_count(st);

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < nc; i++) {
		const char *name = sqlite3_column_name(st, i);
		char *p;
		size_t k;

		for (k = 0; k < sizeof(m) / sizeof(m[0]); k++)
			if (strcmp(m[k].name, name) == 0)
				break;
		if (k == sizeof(m) / sizeof(m[0]))
			continue;
		p = (char *)r + m[k].off;
		switch (m[k].type) {
		case 's': *(const char **)(void *)p =
		    (const char *)sqlite3_column_text(st, i); break;
		case 'i': *(int *)(void *)p = sqlite3_column_int(st, i); break;
		case 'l': *(int64_t *)(void *)p = sqlite3_column_int64(st, i);
		    break;
		case 't': *(time_t *)(void *)p = sqlite3_column_int64(st, i);
		    break;
		case 'd': *(double *)(void *)p = sqlite3_column_double(st, i);
		    break;
		}
	}
}

int
store_report_rows(struct store *s, enum report_rows which,
    const struct report_q *q, int (*fn)(const struct report_row *, void *),
    void *arg)
{
	sqlite3_stmt *st;
	struct report_row r;
	int rc, stop = 0;

	if ((size_t)which >= sizeof(report_sql) / sizeof(report_sql[0]) ||
	    (st = prep(s, report_sql[which])) == NULL)
		return -1;
	bind_report(st, q);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		report_row_fill(st, &r);
		stop = fn(&r, arg);
	}
	if (rows_end(st, rc, stop) == -1) {
		log_warnx("store: report: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}
