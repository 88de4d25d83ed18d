/*
 * store: all of escbot's state in one SQLite database, and all of its SQL.
 * WAL journal, numbered migrations recorded in schema_version, prepared
 * statements only, the file created mode 0600.  Callers group changes in
 * store_begin() / store_commit() so that a case, its events, its emails and
 * the record of the message that caused them become durable together.
 *
 * Strings handed back through struct case_state, struct outbox_item and the
 * *out parameters are the caller's to free (case_state_free, outbox_item_free,
 * free).
 */
#ifndef ESCBOT_STORE_H
#define ESCBOT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine.h"

struct store;
struct calendar;

int	store_open(const char *path, struct store **out, char *err, size_t errlen);
void	store_close(struct store *);
int	store_schema_version(struct store *);
/* When escbot first did something with this database (the first message
 * processed or case opened, by escbot's clock); 0 if nothing yet. */
time_t	store_created_at(struct store *);
const char *store_error(struct store *);

/* Make every commit so far durable (fsync).  Call it before acting on
 * what was committed: moving a message out of the inbox, sending mail. */
int	store_sync(struct store *);
int	store_begin(struct store *);
int	store_commit(struct store *);
void	store_rollback(struct store *);
/* A batch: one transaction around many units of work.  Between
 * store_batch_begin() and store_batch_commit(), store_begin/commit/rollback
 * open, keep and take back one unit (a savepoint), so that a failed unit
 * leaves the others; nothing is on disk until store_batch_commit(), which
 * returns -1 (and keeps nothing) when the batch could not be committed or
 * was rolled back by SQLite after an I/O error.  One commit for many
 * messages is what makes a backlog fast. */
int	store_batch_begin(struct store *);
int	store_batch_commit(struct store *);

/* The UID cursor of a folder, with the UIDVALIDITY it belongs to.
 * Returns 1 when known, 0 when not (first run), -1 on error. */
int	store_mailbox_get(struct store *, const char *folder,
	    uint32_t *uidvalidity, uint32_t *next_uid);
int	store_mailbox_set(struct store *, const char *folder,
	    uint32_t uidvalidity, uint32_t next_uid);

struct processed_msg {
	uint32_t	 uidvalidity;
	uint32_t	 uid;
	const char	*fingerprint;	/* Message-ID, or a hash of the bytes */
	const char	*message_id;
	const char	*sender;
	const char	*outcome;	/* "case", "update", "rejected", ... */
	const char	*reason;	/* why, for rejections; no form contents */
	const char	*folder;	/* where it is to be moved */
	int64_t		 case_id;	/* 0 if none */
	time_t		 at;
};

/* 1 and *folder (caller frees) when this fingerprint was processed, 0 when
 * not, -1 on error. */
int	store_processed_find(struct store *, const char *fingerprint,
	    char **folder);
int	store_processed_add(struct store *, const struct processed_msg *);
/* The same message seen before under other bytes (a re-delivery adds a
 * Received line): 1 and *folder when this Message-ID from this sender was
 * processed, 0 when not, -1 on error. */
int	store_processed_find_id(struct store *, const char *message_id,
	    const char *sender, char **folder);
int	store_processed_moved(struct store *, const char *fingerprint);
/* Messages counted by outcome since `since` (for digests and the CLI). */
int	store_processed_count(struct store *, const char *outcome, time_t since);
/* Replies sent to `addr` of kind `tmpl` since `since`. */
int	store_replies_since(struct store *, const char *addr, const char *tmpl,
	    time_t since);

/* Next reference PREFIX-YYYY-NNNN (caller frees). */
int	store_next_ref(struct store *, const char *prefix, int year, char **ref);
int	store_case_insert(struct store *, struct case_state *);
int	store_case_update(struct store *, const struct case_state *);
/* 1 found (c filled), 0 not found, -1 error. */
int	store_case_get(struct store *, const char *ref, struct case_state *c);
int	store_case_get_id(struct store *, int64_t id, struct case_state *c);
/* Case whose thread holds this Message-ID (its opening message or any
 * email escbot sent about it): 1 and *ref, 0, or -1. */
int	store_case_by_message_id(struct store *, const char *msgid, char **ref);
/* Case opened from a form with this reference field value, still open. */
int	store_case_by_field(struct store *, const char *name, const char *value,
	    char **ref);
/* Most recent open or paused case of `protocol` whose field names[i] equals
 * values[i] (ignoring case) for every i: 1 and *ref, 0, or -1. */
int	store_case_match(struct store *, const char *protocol,
	    const char *const *names, const char *const *values, size_t n,
	    char **ref);
/* Ids of open or paused cases whose next wakeup is at or before now. */
int	store_cases_due(struct store *, time_t now, int64_t **ids, size_t *n);
/* Calls fn for each case (open and paused; all with all != 0), oldest
 * first.  fn returns 0 to go on. */
int	store_cases_each(struct store *, int all,
	    int (*fn)(const struct case_state *, void *), void *arg);

int	store_field_set(struct store *, int64_t case_id, const char *name,
	    const char *value, int personal);
/* 1 and *value (caller frees), 0 when the case has no such field, -1. */
int	store_field_get(struct store *, int64_t case_id, const char *name,
	    char **value);
int	store_fields_each(struct store *, int64_t case_id,
	    int (*fn)(const char *name, const char *value, int personal, void *),
	    void *arg);
/* Every form received is kept as its own record: which form, when, from
 * whom, and its answers.  case_fields holds each field's latest value;
 * these hold the history.  Strings passed to fn belong to the store. */
struct form_answer {
	int64_t		 form_id;
	const char	*form;
	time_t		 at;
	const char	*sender;
	const char	*name;
	const char	*value;
	int		 personal;
};
int	store_form_add(struct store *, int64_t case_id, const char *form,
	    time_t at, const char *sender, const char *message_id,
	    int64_t *form_id);
int	store_form_answer(struct store *, int64_t form_id, const char *name,
	    const char *value, int personal);
/* Each answer of each form of the case, oldest form first. */
int	store_form_answers_each(struct store *, int64_t case_id,
	    int (*fn)(const struct form_answer *, void *), void *arg);
int	store_event_add(struct store *, int64_t case_id, time_t at,
	    const char *actor, const char *kind, const char *detail);
int	store_events_each(struct store *, int64_t case_id,
	    int (*fn)(time_t at, const char *actor, const char *kind,
	    const char *detail, void *), void *arg);
/* The case's stage history: each stage entered, when, its due time then,
 * and how it was entered ("opened", "stage 3's deadline passed", ...);
 * adding one already there (same stage and time) sets its `how`.  fn is
 * called oldest first. */
int	store_stage_add(struct store *, int64_t case_id, int stage_idx,
	    time_t entered_at, time_t due_at, const char *how);
int	store_stages_each(struct store *, int64_t case_id,
	    int (*fn)(int stage_idx, time_t entered_at, time_t due_at,
	    const char *how, void *), void *arg);
int	store_participant_add(struct store *, int64_t case_id, const char *addr);
int	store_participant_is(struct store *, int64_t case_id, const char *addr);

/* Queue a complete message for each recipient.  Returns 1 queued, 0 when a
 * message with this token exists already (nothing done), -1 on error. */
int	store_outbox_add(struct store *, const char *token, int64_t case_id,
	    const char *tmpl, const char *message_id, const char *data,
	    const char *const *rcpts, size_t nrcpts, time_t not_before,
	    time_t now);

struct outbox_item {
	int64_t	 delivery_id;
	char	*token;
	char	*rcpt;
	char	*message_id;
	char	*data;
	int	 attempts;
	char	*last_error;
};
void	outbox_item_free(struct outbox_item *);
/* Deliveries ready at `now` (not sent, not failed for good, not before
 * their next attempt), oldest first, at most `max`. */
int	store_outbox_ready(struct store *, time_t now, struct outbox_item **items,
	    size_t *n, size_t max);
enum delivery_result { DELIVERY_SENT, DELIVERY_RETRY, DELIVERY_FAILED };
int	store_outbox_result(struct store *, int64_t delivery_id,
	    enum delivery_result, const char *error, time_t next_attempt,
	    time_t now);
/* Counts of deliveries in each state (for the CLI and tests). */
int	store_outbox_counts(struct store *, int *pending, int *sent, int *failed);
/* Calls fn for each delivery of a case (sent or not). */
int	store_outbox_each(struct store *, int64_t case_id,
	    int (*fn)(const char *tmpl, const char *rcpt, const char *state,
	    time_t created, time_t sent, const char *error, void *), void *arg);

/* Reports: messages refused or rejected in [from, to), by reason. */
int	store_report_rejections(struct store *, time_t from, time_t to,
	    int (*fn)(const char *outcome, const char *reason, int count, void *),
	    void *arg);
/* Reports: deliveries refused for good in [from, to), by recipient. */
int	store_report_failed(struct store *, time_t from, time_t to,
	    int (*fn)(const char *rcpt, int count, const char *error, void *),
	    void *arg);
/*
 * Reports: figures worked out by SQLite, so that a report reads a few
 * rows whatever the number of cases.  A report is of one protocol
 * (protocol NULL: every protocol) over [start, end), seen as at `end`,
 * with the period before, [pstart, start), for trends.  "Open at end":
 * opened before end and not resolved before it.  Working days are
 * counted by the SQL function working_days(a, b) that
 * store_set_calendar() registers (calendar_working_days_between()).
 */
struct report_q {
	const char	*protocol;
	time_t		 pstart, start, end;
	int		 max;		/* rows of a listing (LIMIT) */
	time_t		 mstart;	/* REPORT_MONTHS: from (a month's
					   first day, London midnight) */
};
struct report_counts {
	int	ever;			/* cases opened before end */
	int	open, overdue, paused;	/* as at end */
	int	opened[2], escalated[2], resolved[2];	/* period, previous */
	int	tracked;	/* resolved in the period after being tracked */
	int	within;		/* of those, by their stage's deadline */
	int	flags[4];	/* resolved in the period saying yes to: lessons
				   learned, staff training, protocol review,
				   inform the commissioner */
};
int	store_report_counts(struct store *, const struct report_q *,
	    struct report_counts *);
/* working_days(a, b) and london_month(t) (year * 12 + month 0-11 of
 * London time) for the report's SQL. */
int	store_set_calendar(struct store *, const struct calendar *);
/* The rows of one of the report's tables; each query fills the fields
 * its comment names (strings belong to the store). */
enum report_rows {
	REPORT_BY_STAGE,	/* protocol, stage_idx, n: open at end */
	REPORT_BY_LEVEL,	/* protocol, level, n: resolved in the period */
	REPORT_AGENCIES,	/* text (raiser's domain), agencies, n: opened
				   in the period */
	REPORT_DURATIONS,	/* protocol, stage_idx, n, median, days (the
				   longest): working days at each stage left in
				   the period; stage_idx -1: opened to resolved
				   (resolved in the period); -2: paused so far
				   (paused at end); both of every protocol
				   the query is of, protocol "" */
	REPORT_OPEN,		/* the case's columns, num (0 overdue, 1 on
				   time, 2 paused): open at end, overdue first,
				   at most max */
	REPORT_PAUSED,		/* case_id, ref, at (paused), days, text (the
				   pause's reason), total: longest first */
	REPORT_ACTIONS,		/* case_id, ref, num, text (action), detail
				   (owner), at (deadline), days (overdue), total:
				   planned actions not done whose deadline passed
				   before end, of cases open at end */
	REPORT_LESSONS,		/* case_id, ref, text, total: lessons of the
				   cases resolved in the period */
	REPORT_BOUNCED,		/* text (recipient), n: bounces in the period */
	REPORT_CASES,		/* the case's columns, and in text its
				   non-personal answers joined by \x1f (for
				   the report's themes): every case open at
				   some time in the period, by id */
	REPORT_MONTHS,		/* num (London month: year * 12 + month
				   0-11), opened, escalated, resolved, within
				   (resolved by the deadline of the stage it
				   was at, as in store_report_counts()): each
				   calendar month of [mstart, end) with any,
				   in order */
};
struct report_row {
	int64_t		 case_id;
	const char	*ref, *protocol, *form, *status;	/* as at end */
	const char	*raised_by, *agencies, *text, *detail;
	const char	*raising;	/* the case's raising agency (id),
					   NULL when it has none recorded */
	int		 stage_idx, urgent, level, num;
	int		 n, total, days;
	int		 opened, escalated, resolved, within;
	double		 median;
	time_t		 opened_at, due_at, resolved_at, at;
};
int	store_report_rows(struct store *, enum report_rows,
	    const struct report_q *,
	    int (*fn)(const struct report_row *, void *), void *arg);
/* Admin: deliveries by state ("pending", "failed", or NULL for all),
 * newest first, at most max. */
int	store_outbox_list(struct store *, const char *state, int max,
	    int (*fn)(int64_t id, const char *ref, const char *tmpl,
	    const char *rcpt, const char *state, int attempts, time_t created,
	    time_t next, const char *error, void *), void *arg);
/* Admin: failed deliveries of delivery `id`, or of every delivery of case
 * `ref` when id is 0, made pending again.  Returns how many, or -1. */
int	store_outbox_resend(struct store *, int64_t id, const char *ref,
	    time_t now);
/* Deliveries sent to rcpt at or after `since`. */
int	store_sent_count(struct store *, const char *rcpt, time_t since);
/* Retention: blank the personal fields of cases resolved before `before`
 * (the anonymous record stays for reports).  Returns how many cases. */
int	store_purge_personal(struct store *, time_t before);
/* Tracked actions (engine.h struct action_state). */
int	store_action_set(struct store *, int64_t case_id,
	    const struct action_state *);
int	store_action_update(struct store *, const struct action_state *);
/* Mark action `num` of a case done: 1, 0 when there is none open, -1. */
int	store_action_done(struct store *, int64_t case_id, int num);
/* Calls fn for each open action due at now (fn may write). */
int	store_actions_due(struct store *, time_t now,
	    int (*fn)(int64_t case_id, struct action_state *, void *), void *arg);
int	store_actions_each(struct store *, int64_t case_id,
	    int (*fn)(const struct action_state *, void *), void *arg);
/* 1 when an outbox row with this token exists, 0 when not, -1 on error. */
int	store_outbox_has(struct store *, const char *token);

/* Messages the server would not give out (UID FETCH answered NO or BAD,
 * e.g. Microsoft 365's "could not be converted to an RFC-822 compatible
 * format"), by folder, UIDVALIDITY and UID: how often it was tried and
 * when to try again.  The message stays in the inbox meanwhile. */
struct unfetchable {
	uint32_t	 uid;
	int		 attempts;
	time_t		 next_try;
};
/* The ones of folder under uidvalidity, ascending by UID: 0 and *out
 * (caller frees; NULL when none) and *n, or -1. */
int	store_unfetchable_list(struct store *, const char *folder,
	    uint32_t uidvalidity, struct unfetchable **out, size_t *n);
/* Record a refused fetch (insert or update).  0, or -1. */
int	store_unfetchable_put(struct store *, const char *folder,
	    uint32_t uidvalidity, uint32_t uid, int attempts, time_t next_try,
	    const char *error);
/* Forget one (fetched at last, or gone from the folder).  0, or -1. */
int	store_unfetchable_del(struct store *, const char *folder,
	    uint32_t uidvalidity, uint32_t uid);

#endif
