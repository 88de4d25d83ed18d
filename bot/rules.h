/*
 * rules: the protocols as data.  One libconfig file per protocol in
 * each rules/NAME.conf names its reference prefix, its timed stages (number, name,
 * roles chased, duration, reminders, what happens at expiry, what the
 * protocol expects), which forms open, update or close a case, and how an
 * urgent case and a pause are handled.  Validation reports file:line.
 * The ruleset owns every string; free with rules_free().
 */
#ifndef ESCBOT_RULES_H
#define ESCBOT_RULES_H

#include <stddef.h>

#include "diag.h"
#include "formdef.h"

struct directory;

enum stage_timing {
	TIMING_WORKING_DAYS,	/* `days` working days */
	TIMING_SAME_DAY,	/* close of the same working day */
};

enum stage_expiry {
	EXPIRY_ESCALATE,	/* move to the next stage at the due time */
	EXPIRY_CHASE,		/* chase every chase_interval days, up to
				   chase_max, then escalate if there is a
				   next stage */
};

struct stage_def {
	int		 number;	/* as the protocol numbers it */
	char		*name;
	char		*expects;	/* what must happen at this stage */
	char		**roles;	/* NULL-terminated */
	size_t		 nroles;
	int		 roles_line;	/* in the protocol's file */
	enum stage_timing timing;
	int		 days;
	int		*remind_before;	/* working days before the due day,
					   descending; 0 = morning of due day */
	size_t		 nremind;
	enum stage_expiry expiry;
	int		 chase_interval;	/* working days */
	int		 chase_max;
};

enum form_action { FORM_OPEN, FORM_UPDATE, FORM_CLOSE };

struct form_rule {
	char			*form;	/* form id */
	const struct form_def	*def;
	enum form_action	 action;
	int			 stage;	/* stage number opened at */
	/* How a form finds the open case it belongs to when it does not come
	 * in the case's thread: sets of fields, tried in order, a case
	 * matching when every field of one set equals its own.  "field"
	 * compares the form's field with the case's field of the same name,
	 * "field=casefield" with another.  A field holding a case reference
	 * always matches. */
	struct match_set {
		char		**fields;
		size_t		  n;
	}			*match;
	size_t			  nmatch;
	char			*level_field;	/* close: the level resolved at */
	/* update: fields "PREFIXn" are planned actions ("action; agency and
	 * owner; purpose; deadline") tracked with reminders and chases, and
	 * a date field that is the next meeting, reminded the day before. */
	char			*actions_prefix;
	char			*next_meeting_field;
	/* update: a form that names no known case opens one at this stage
	 * (its planned actions tracked) instead of being sent back; 0: sent
	 * back.  001 uses the meeting record at level 2 for disagreements
	 * never raised by proforma. */
	int			 open_unmatched_at;
	/* open: the level a report says the disagreement reached --
	 * "field=stage", highest first; the first answered (not "no",
	 * "not yet", "n/a") gives the stage -- and whether its answer says it
	 * was resolved there (a resolved word and no unresolved one). */
	/* open/update: a field that, once answered, records the case as
	 * resolved (the TWSP form's "Resolution of Issues"). */
	char			*resolve_field;
	char			**level_from;
	size_t			  nlevel_from;
	char			**resolved_words;
	size_t			  nresolved_words;
	char			**unresolved_words;
	size_t			  nunresolved_words;
};

struct protocol {
	char		 *id;		/* "twsp" */
	char		 *name;
	char		 *prefix;	/* "TWSP" */
	char		 *file;
	struct stage_def *stages;
	size_t		  nstages;
	struct form_rule *forms;
	size_t		  nforms;
	char		**urgent_patterns;	/* text that flags urgency */
	size_t		  nurgent;
	char		 *urgent_instruction;	/* said in the ack */
	int		  pause_reminder_days;
	/* EXTEND: working days added to one stage in all, however many
	 * extensions are agreed. */
	int		  max_extension_days;
	/* An urgent case's stages are due within this many working days
	 * when their own timescale is longer (0: the same working day);
	 * -1: urgent cases keep the stages' own timescales. */
	int		  urgent_stage_days;
	char		**board_roles;		/* digest recipients */
	size_t		  nboard;
	int		  board_line;
	/* The reports the daemon sends by itself on the partnership's
	 * cadence (report_periods): week, quarter, half-year, year, in that
	 * order (digest.h's enum digest_period); periods_set 0: as
	 * digest.periods says. */
	int		  periods[4];
	int		  periods_set;
	int		  forms_line;		/* of `forms`, else `protocol` */
	char		**agencies;		/* directory ids of the
						   partnership; none: all */
	size_t		  nagencies;
	/* on_resolution: when a case is resolved, at any stage, a debrief
	 * prompt to the holders of debrief_roles at the case's agencies
	 * (and the raiser), the debrief to be held within debrief_days
	 * working days, and a copy of the case's completed forms to the
	 * holders of forms_to (004 stages 6 and 7).  None: neither. */
	char		**debrief_roles;
	size_t		  ndebrief;
	int		  debrief_days;
	char		**forms_to;
	size_t		  nforms_to;
	int		  on_resolution_line;	/* 0: no on_resolution */
	/* The case's clock starts at the date this field of the opening
	 * form gives (a date field: 003's "within 5 working days of
	 * becoming aware"), not at receipt; NULL: at receipt. */
	char		 *clock_start_field;
	int		  clock_start_line;
	/* deadlines = "cumulative": every stage's days count from the
	 * case's clock start (duties with deadlines from one start), not
	 * from the previous stage's deadline; such a protocol's stages are
	 * completed early by COMPLETED. */
	int		  cumulative;
	/* The partnership whose agencies and people the protocol's emails
	 * and reports use (directory id; NULL: the only one there is), and
	 * which of their contacts: enum dir_service (children, adults or
	 * both).  dir is that partnership as seen for the service, bound by
	 * rules_check (NULL before). */
	char		 *partnership;
	int		  partnership_line;
	int		  service;
	const struct directory *dir;
};

struct ruleset {
	struct protocol	*protocols;
	size_t		 nprotocols;
	struct form_set	*forms;		/* rules_dir/forms */
};

/* Load every NAME.conf in rules_dir and rules_dir/forms/.  0, or -1 with
 * diag lines. */
int	rules_load(const char *dir, struct ruleset **out, struct diag *);
/* What a protocol needs besides its own file, each mistake a diag line
 * (file:line), all of them: a way in (a form that opens a case of it),
 * and, given the directory (the set of partnerships read from dirfile;
 * NULL: not checked), its partnership -- the one it names, or the only
 * one there is; a single partnership without an id serves every
 * protocol -- bound to p->dir, and for every role a stage or board_roles
 * names someone of that partnership who holds it: a partnership role the
 * partnership, an agency role one of its agencies at least.  0, or -1. */
int	rules_check(const struct ruleset *, const struct directory *,
	    const char *dirfile, struct diag *);
void	rules_free(struct ruleset *);
const struct protocol *rules_protocol(const struct ruleset *, const char *id);
/* The protocol and rule that handles a form, or NULL. */
const struct protocol *rules_for_form(const struct ruleset *,
	    const char *form_id, const struct form_rule **rule);
/* Index of the first stage with this number, or -1. */
int	rules_stage_index(const struct protocol *, int number);

#endif
