/*
 * engine: the case state machine.  Pure: it is given a case, an event (a
 * form opening it, a tick of the clock, a command) and the time, and it
 * changes the case in memory and returns the decisions -- emails to queue
 * and events to record.  It does no I/O; the caller commits the new case,
 * the events and the emails in one transaction.
 *
 * Every email decision carries a token that is unique for what it is about
 * (e.g. "TWSP-2026-0001/s2/d1765299600/r1": reminder 1 of stage index 2
 * for that due time).  The outbox refuses a second row with the same token,
 * so a reminder, escalation or chase is queued once even when a tick runs
 * twice, after a crash or after the clock jumps.
 *
 * Memory: struct decisions owns its strings; decisions_free() releases them.
 * Strings in struct case_state are owned by it; case_state_free() frees them.
 */
#ifndef ESCBOT_ENGINE_H
#define ESCBOT_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "directory.h"
#include "rules.h"

enum case_status { CASE_OPEN, CASE_PAUSED, CASE_RESOLVED };

struct case_state {
	int64_t		 id;		/* 0 until stored */
	char		*ref;		/* "TWSP-2026-0007" */
	char		*protocol;	/* protocol id */
	char		*form;		/* form that opened it */
	int		 stage_idx;	/* index into protocol->stages */
	enum case_status status;
	int		 urgent;
	time_t		 opened_at;
	time_t		 clock_start;	/* what the protocol's clock counts
					   from: receipt, or the date its
					   clock_start_field gives (0: not
					   recorded, opened_at) */
	time_t		 stage_started_at;
	time_t		 due_at;
	time_t		 paused_at;
	int		 paused_remaining;	/* working days left at pause */
	int		 extended_days;	/* of this stage, beyond its timescale,
					   by EXTEND and TIMESCALE: at most
					   the protocol's max_extension_days */
	int		 reminders_done;	/* of the current stage and due */
	int		 chases_done;
	int		 pause_reminders_done;
	time_t		 next_wakeup;	/* 0: nothing scheduled */
	char		*raised_by;	/* email */
	char		*raised_name;
	char		*agencies;	/* comma-separated directory ids: the
					   raising agency, then the receiving
					   ones (what routing uses) */
	char		*raising_agency;	/* its id, or NULL */
	char		*receiving_agencies;	/* ids, comma-separated */
	char		*unresolved_agencies;	/* names on the form no
						   agency fits, "; " */
	char		*thread_id;	/* Message-ID of the opening message */
	time_t		 resolved_at;
	int		 resolved_level;
	char		*resolution;
};

struct mail_decision {
	char	 *template;	/* template name in mail-templates/ */
	char	 *token;	/* idempotency key of the outbox row */
	char	**to;		/* "Name <addr>" or addr, NULL-terminated */
	size_t	  nto;
	char	**cc;
	size_t	  ncc;
	time_t	  not_before;	/* 0: at once */
	char	 *note;		/* free text for the template ({{note}}) */
	char	 *actor;	/* who caused it ({{actor}}) */
	/* The case as this email describes it, taken when it is decided: a
	 * tick that catches up over several stages writes each stage's
	 * emails from that stage, not from where the case ends up. */
	int		 stage_idx;
	time_t		 stage_started_at;
	time_t		 due_at;
	enum case_status status;
};

/* A stage entered: the case's stage history, one row each. */
struct stage_entry {
	int	 stage_idx;
	time_t	 entered_at;
	time_t	 due_at;
	char	*how;		/* "opened", "deadline passed", ... */
};

struct event_decision {
	char	*kind;		/* "opened", "reminder", "escalated", ... */
	char	*actor;		/* email, "escbot" or "cli:user" */
	char	*detail;	/* never form contents */
};

struct decisions {
	struct mail_decision	*mails;
	size_t			 nmails;
	struct event_decision	*events;
	size_t			 nevents;
	struct stage_entry	*stages;
	size_t			 nstages;
};

/* What the engine needs to know of the world besides the case. */
struct engine_ctx {
	const struct protocol	*proto;
	const struct calendar	*cal;
	const struct directory	*dir;
	time_t			 now;
};

/* CMD_AGENCIES (reason: the receiving agencies' names) is no change of
 * stage: casework carries it out, engine_command refuses it. */
enum engine_cmd { CMD_PAUSE, CMD_RESUME, CMD_EXTEND, CMD_ESCALATE,
    CMD_RESOLVE, CMD_TIMESCALE, CMD_AGENCIES, CMD_COMPLETE };

/*
 * EXTEND adds working days to the current stage's deadline, at most the
 * protocol's max_extension_days in all for the stage.  TIMESCALE sets the
 * stage's timescale to `days` working days from its start (shorter, as
 * 004 2.4 asks where the individual needs it; longer only within what
 * is left of that cap), never to a deadline that has passed.  Both are
 * recorded with who agreed them and why.
 */
struct command {
	enum engine_cmd	 kind;
	int		 days;		/* EXTEND, TIMESCALE */
	int		 level;		/* RESOLVE: level resolved at, 0 = current;
				   ESCALATE: the stage to go on to, 0 = next */
	const char	*reason;	/* note / reason, may be "" */
	const char	*actor;		/* who: email or "cli" */
	const char	*token;		/* unique per command (Message-ID) */
};

/*
 * COMPLETE (a protocol of duties, deadlines = "cumulative" only): the
 * current stage's duty is done; the case moves to the next stage at once,
 * whose deadline stays counted from the clock start, or after the last is
 * resolved at it.
 */

/* Open a new case at `stage_number` (ref and raiser already set in c;
 * c->clock_start, when set, is what the clock counts from instead of
 * now: the opening stage's timescale, and with cumulative deadlines every
 * stage's).
 * Sets due time, urgent timing, next wakeup; queues the acknowledgement,
 * the stage-start email to the stage's role holders (in working hours),
 * and for an urgent case the alert to its agencies' safeguarding leads. */
int	engine_open(struct case_state *c, const struct engine_ctx *,
	    int stage_number, struct decisions *);
/* The case names agencies the directory does not know (unresolved):
 * the partnership's manager is told -- the first of the protocol's
 * board_roles anyone holds, else partnership_manager, else board_inbox;
 * tag makes the email's token (once per tag). */
void	engine_agencies_unresolved(struct case_state *c,
	    const struct engine_ctx *, const char *tag, struct decisions *);
/* A later form named agencies the case did not have (`added`: ids,
 * comma-separated, already on the case): the role holders of the current
 * stage at those agencies get the stage-start email, in working hours, so
 * every agency of the case hears of it (tag makes the token: once per
 * form).  Nothing for a resolved case. */
void	engine_agencies_added(struct case_state *c,
	    const struct engine_ctx *, const char *added, const char *tag,
	    struct decisions *);
/* Act on the clock: reminders, expiry (escalation or chase), pause
 * reminders -- everything due at or before ctx->now, each once. */
int	engine_tick(struct case_state *c, const struct engine_ctx *,
	    struct decisions *);
/* Apply a command.  Returns 0, or -1 when it does not apply (e.g. RESUME
 * of an open case), with the reason in err; nothing changes then.  Its
 * emails go in working hours: outside them the people of the stage hear
 * at the next opening, and the sender (an address) gets their own copy
 * at once. */
int	engine_command(struct case_state *c, const struct engine_ctx *,
	    const struct command *, struct decisions *, char *err, size_t errlen);
/* Due time of a stage entered at `start`: its timescale (for an urgent
 * case at most the protocol's urgent_stage_days), and never before the
 * close of the working day its people are told, which is the next working
 * time at or after start (calendar.h). */
time_t	engine_stage_due(const struct engine_ctx *, const struct stage_def *,
	    int urgent, time_t start);

/*
 * A tracked action from a meeting record (001 Appendix 4, "Planned Actions
 * to be taken": action, agency and owner, purpose, deadline), or the date
 * of the next meeting (num 0).  Reminded on the morning of the working day
 * before; an action is chased after its deadline until it is done.
 */
struct action_state {
	int64_t	 id;
	int	 num;		/* row number; 0 = the next meeting */
	char	*action;
	char	*owner;		/* "ASC, Sam Sample": agency and person */
	char	*purpose;
	time_t	 due_at;
	int	 done;
	int	 reminders_done;
	int	 chases_done;
	time_t	 next_wakeup;
};

#define ACTION_CHASE_MAX	2	/* chases after the deadline */
#define ACTION_CHASE_DAYS	2	/* working days between them */

/* Set next_wakeup for an action just read from a form. */
void	engine_action_schedule(struct action_state *, const struct engine_ctx *);
/* Reminders and chases of one action due at ctx->now, each once. */
int	engine_action_tick(struct action_state *, const struct case_state *,
	    const struct engine_ctx *, struct decisions *);
void	action_state_free(struct action_state *);

/* The addresses a stage's emails go to: the stage's agency roles at each
 * of the case's agencies, and unless agencies_only its partnership roles
 * (list and n NULL-terminated, each once; *list may start NULL). */
void	engine_stage_recipients(const struct case_state *,
	    const struct engine_ctx *, int stage_idx, int agencies_only,
	    char ***list, size_t *n);
/* The holders of roles: an agency role's at each of the case's agencies,
 * a partnership role's once (list and n as above). */
void	engine_role_recipients(const struct case_state *,
	    const struct engine_ctx *, char *const *roles, size_t nroles,
	    char ***list, size_t *n);
/*
 * The case has just been resolved (by a command, a resolving form, or
 * recorded as resolved when it arrived): the protocol's on_resolution
 * emails, in working hours, each once for the case (tokens REF/debrief
 * and REF/forms) -- the debrief prompt ("debrief") to the holders of its
 * debrief_roles at the case's agencies and the raiser, its due_at the
 * close of the day the debrief is to be held by (debrief_days working
 * days on); the copy of the completed forms ("forms-copy") to the
 * holders of forms_to.  Nothing without on_resolution.
 */
void	engine_resolution(struct case_state *, const struct engine_ctx *,
	    struct decisions *);

void	decisions_free(struct decisions *);
void	case_state_free(struct case_state *);
const char *case_status_name(enum case_status);

#endif
