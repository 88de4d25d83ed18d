/*
 * intake: what one email means for the cases.  Pure, like the engine: it
 * is given the parsed message, the text of its Word attachments (read
 * elsewhere, by a worker), the rules, the directory, the sender policy
 * (the configuration), the calendar, a clock and a small lookup interface
 * for what the store knows -- and it returns a verdict: ignore our own or
 * automatic mail, record a bounce, refuse a sender, reject with a reason
 * for the sender, apply a command, open, join or resolve a case, or file a
 * note.  It does no I/O, takes no time but `now`, and logs nothing; the
 * applying side (casework_verdict) carries the verdict out inside the
 * caller's transaction.
 *
 * Word documents: when the message has a Word attachment and the verdict
 * depends on its text, intake_decide returns VERDICT_READ_DOCS and the
 * caller reads every Word attachment (in->docs, one per attachment in
 * order, NULL for attachments that are not Word files) and asks again.
 *
 * Memory: a struct verdict owns everything it points to except the rule,
 * protocol and form definitions (the ruleset's); verdict_free() releases it.
 */
#ifndef ESCBOT_INTAKE_H
#define ESCBOT_INTAKE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine.h"

struct calendar;
struct config;
struct directory;
struct form_result;
struct message;
struct protocol;
struct ruleset;

/* What the store knows, asked through callbacks so that intake stays pure
 * (tests give a table).  Each returns 1 found, 0 not, -1 on a store error
 * (the verdict is then abandoned: intake_decide returns -1).  Returned
 * strings and case states belong to the caller of the callback. */
struct intake_lookup {
	void	*arg;
	/* The case with this reference; fills *c (case_state_free it). */
	int	(*case_by_ref)(void *arg, const char *ref, struct case_state *c);
	/* The reference of the case one of escbot's Message-IDs is about. */
	int	(*ref_by_message_id)(void *arg, const char *msgid, char **ref);
	/* The open case of protocol whose fields names[i] equal values[i]. */
	int	(*ref_by_fields)(void *arg, const char *protocol,
		    const char **names, const char **values, size_t n, char **ref);
	/* Whether addr is a participant of the case. */
	int	(*is_participant)(void *arg, int64_t case_id, const char *addr);
	/* The case's current value of field name (*value: caller frees). */
	int	(*field_of)(void *arg, int64_t case_id, const char *name,
		    char **value);
};

/* One Word attachment as a worker read it. */
struct intake_doc {
	char	*text;		/* the document's text, or NULL when refused */
	char	*refused;	/* why it was refused (for the sender) */
};

struct intake_input {
	const struct message	*msg;
	const char		*raw;		/* the message's bytes (bounces) */
	size_t			 len;
	struct intake_doc	*docs;		/* one per attachment, NULL
						   entries for other files */
	int			 docs_read;	/* docs are filled in */
	const struct config	*cfg;		/* sender policy, limits */
	const struct ruleset	*rules;
	const struct directory	*dir;
	const struct calendar	*cal;
	const struct intake_lookup *look;
	time_t			 now;
};

enum verdict_kind {
	VERDICT_READ_DOCS,	/* ask again with the Word attachments read */
	VERDICT_OWN,		/* escbot's own message: nothing to do */
	VERDICT_AUTO,		/* automatic mail: recorded against its case
				   (ref, when found), never answered */
	VERDICT_BOUNCE,		/* a delivery report about escbot's mail:
				   failed recipients recorded against ref */
	VERDICT_REJECT,		/* kept in Rejected, nobody answered (no
				   sender, over a limit, unreadable) */
	VERDICT_REFUSE,		/* sender refused (domain, authentication):
				   Rejected, never answered */
	VERDICT_NO_FORM,	/* no form: one helpful reply a day */
	VERDICT_DOC_REFUSED,	/* a Word file refused: one reply a day */
	VERDICT_UNUSED_FORM,	/* a form no protocol uses */
	VERDICT_INCOMPLETE,	/* fields missing or unreadable: the sender is
				   told each by its label */
	VERDICT_UNMATCHED,	/* an update form for no known case */
	VERDICT_OPEN,		/* open a case at `stage` */
	VERDICT_RECORD_RESOLVED, /* a case already resolved at `stage` */
	VERDICT_JOIN,		/* a form for case ref: its answers added,
				   resolved when `resolve` */
	VERDICT_COMMAND,	/* a command for case ref */
	VERDICT_DONE,		/* DONE n: a tracked action of case ref */
	VERDICT_NOTE,		/* a reply in case ref's thread, filed */
	VERDICT_NOT_ALLOWED,	/* a command or reply in ref's thread from
				   someone not in the case: recorded, never
				   answered */
};

/* A failed recipient of a delivery report. */
struct verdict_bounce {
	char	*rcpt;
	char	*status;	/* "5.1.1", header-safe */
};

struct verdict {
	enum verdict_kind	 kind;
	const char		*outcome;	/* recorded: "case", "update",
						   "command", "reply", "refused",
						   "rejected", "no-form", "auto",
						   "bounce", "own" */
	char			*reason;	/* one line, no form contents */
	int			 rejected;	/* goes to the Rejected folder */
	char			*ref;		/* the case concerned, or NULL */
	int64_t			 case_id;	/* its id (0 when none) */
	int			 case_resolved;	/* that case is resolved */
	/* Forms (OPEN, RECORD_RESOLVED, JOIN, INCOMPLETE, UNMATCHED). */
	const struct protocol	*proto;
	const struct form_rule	*rule;
	const struct form_def	*form;
	struct form_result	*result;	/* the answers read */
	int			 stage;		/* OPEN / RECORD_RESOLVED level;
						   JOIN: the level the form
						   shows was reached (0:
						   none) */
	int			 resolve;	/* JOIN: the form resolves it */
	int			 resolve_level;	/* 0: the case's stage */
	int			 urgent;	/* OPEN */
	time_t			 clock_start;	/* OPEN: what the clock counts
						   from (the protocol's
						   clock_start_field), or 0 */
	char			*agencies;	/* OPEN / RECORD_RESOLVED: ids,
						   raising then receiving */
	char			*raising_agency; /* its id, or NULL */
	char			*receiving_agencies; /* ids, "," */
	char			*unresolved_agencies; /* names the form
						   gives that no agency of the
						   directory fits, "; " */
	char			*forwarded_from; /* the form was forwarded: its
						   writer's address (the
						   forwarder raises the case) */
	struct action_state	*actions;	/* JOIN: planned actions and
						   the next meeting, scheduled */
	size_t			 nactions;
	/* Replies. */
	char			*note;		/* DOC_REFUSED: why; COMMAND
						   refused: why */
	int			 formats;	/* NO_FORM / DOC_REFUSED: the
						   reply lists readable formats */
	/* Commands. */
	struct command		 cmd;		/* COMMAND (reason, actor and
						   token point into the verdict
						   and the message) */
	char			*cmd_reason;
	int			 action_num;	/* DONE */
	/* Automatic mail. */
	const char		*auto_why;	/* AUTO: which sign */
	struct verdict_bounce	*bounces;	/* BOUNCE */
	size_t			 nbounces;
};

/* Decide what the message means.  0 and *v filled (verdict_free it), or
 * -1 when a lookup failed (nothing is decided; the message stays). */
int	intake_decide(const struct intake_input *, struct verdict *v);
void	verdict_free(struct verdict *);
/* Set what the message came to: outcome, whether it goes to Rejected, and
 * the one-line reason (printf format; never form contents). */
void	verdict_outcome(struct verdict *, const char *outcome, int rejected,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char *verdict_kind_name(enum verdict_kind);

/* Exposed for tests and the CLI: the pieces intake is made of. */
/* "[TWSP-2026-0007]" anywhere in s: the reference (caller frees), or NULL. */
char	*intake_subject_ref(const char *s);
/* Why a message is automatic (RFC 3834 and relatives), or NULL. */
const char *intake_automatic(const struct message *);
/* A thread command on the first line of the sender's own text: 0 and cmd
 * (cmd->reason points into reason), or -1 when there is none. */
int	intake_parse_command(const char *text, struct command *cmd,
	    char *reason, size_t rlen);
/* Why sender_authentication refuses the message, by the
 * Authentication-Results header escbot trusts (authserv_id's, else the
 * topmost), or NULL when it passes. */
const char *intake_authentication(const struct config *,
	    const struct message *);
/* Does text say someone is at immediate risk (the protocol's
 * urgent_patterns)?  Only the sender's own words count (not quoted
 * history, a signature or a disclaimer after the sign-off); a phrase
 * denied a few words before it ("not currently at immediate risk") or
 * answered No after it ("Immediate risk of significant harm: No") does
 * not.  1 or 0. */
int	intake_urgent(const struct protocol *, const char *text);
/* "DONE 3": 0 and *num, or -1. */
int	intake_parse_done(const char *text, int *num);

#endif
