/*
 * casework: the glue between the pure engine and the store.  It turns the
 * engine's decisions into rows -- events, participants and fully rendered
 * emails in the outbox -- inside the caller's transaction, runs the clock
 * over the cases that are due, and carries out the commands that the CLI and
 * thread replies share.
 */
#ifndef ESCBOT_CASEWORK_H
#define ESCBOT_CASEWORK_H

#include <stddef.h>
#include <time.h>

struct case_state;
struct command;
struct decisions;
struct escbot;
struct tvars;

struct intake_lookup;
struct message;
struct verdict;

/* Record decisions for case c (already stored, c->id set): events,
 * participants, outbox rows.  in_reply_to: Message-ID the first email
 * answers (the message that caused it), or NULL.  Inside a transaction. */
int	casework_apply(struct escbot *, const struct case_state *c,
	    const struct decisions *, const char *in_reply_to,
	    const struct tvars *extra, time_t now);
/* Queue a reply that belongs to no case (rejection, help): template with
 * vars, to `rcpt`, answering `in_reply_to`.  Returns 1 queued, 0 duplicate,
 * -1 error.  Inside a transaction. */
int	casework_reply(struct escbot *, const char *tmpl, const char *token,
	    const char *rcpt, const char *in_reply_to, struct tvars *vars,
	    time_t now);
/* An email to admin_email about a failure that needs a person (what:
 * "imap", "smtp"), at most once a day per kind.  0, or -1. */
int	casework_alert(struct escbot *, const char *what, const char *error);
/* Template variables describing a case (adds to vars). */
void	casework_case_vars(struct escbot *, const struct case_state *,
	    struct tvars *vars);
/* Run the clock over every due case; each case in its own transaction.
 * Returns the number of cases changed, or -1. */
int	casework_tick(struct escbot *);
/* A command on case `ref`, from the CLI or a thread reply.  0, or -1 with
 * the reason in err.  Runs its own transaction unless in_txn. */
int	casework_command(struct escbot *, const char *ref,
	    const struct command *, const char *in_reply_to, int in_txn,
	    char *err, size_t errlen);

/* The store as intake's lookup interface (l->arg is e). */
void	casework_lookup(struct escbot *, struct intake_lookup *l);
/* Carry out intake's verdict on message m inside the caller's
 * transaction: open, join or resolve a case, apply a command, record a
 * bounce or a note, queue the replies.  Sets v's final outcome, reason and
 * case_id.  0, or -1 when the transaction must be abandoned. */
int	casework_verdict(struct escbot *, const struct message *m,
	    struct verdict *v, time_t now);

#endif
