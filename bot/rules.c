/*
 * rules: loads and checks the protocol files.  The checks are the ones an
 * administrator editing a protocol needs: a stage without a duration, a role
 * nobody can hold, a form that is named but not defined, a stage a form
 * opens at that does not exist.  Each is reported with its line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "directory.h"
#include "rules.h"
#include "util.h"

static const char *const top_keys[] = { "protocol", NULL };
static const char *const proto_keys[] = {
	"id", "name", "prefix", "stages", "forms", "urgent_patterns",
	"urgent_instruction", "urgent_stage_days", "pause_reminder_days",
	"max_extension_days", "board_roles", "agencies", "report_periods",
	"on_resolution", "clock_start_field", "deadlines", "partnership",
	"service", NULL
};
static const char *const resolution_keys[] = { "debrief_roles",
    "debrief_days", "forms_to", NULL };
static const char *const stage_keys[] = {
	"number", "name", "expects", "roles", "days", "timing",
	"remind_before", "on_expiry", "chase_interval", "chase_max", NULL
};
static const char *const form_keys[] = { "form", "action", "stage",
    "match_fields", "level_field", "actions", "next_meeting", "level_from",
    "open_unmatched_at",
    "resolved_words", "unresolved_words", "resolve_field", NULL };

static void
load_stage(struct stage_def *s, const config_setting_t *e, const char *f,
    struct diag *d)
{
	config_setting_t *m;
	char *timing, *expiry;

	cfg_check_keys(e, stage_keys, "stage", f, d);
	s->number = cfg_int(e, "number", 1, 0, 1, 99, f, d);
	s->name = cfg_string(e, "name", 1, "", f, d);
	s->expects = cfg_string(e, "expects", 0, "", f, d);
	s->roles = cfg_strings(e, "roles", 1, &s->nroles, f, d);
	s->roles_line = cfg_line(config_setting_get_member(e, "roles"));
	if (s->roles_line == 0)
		s->roles_line = cfg_line(e);
	for (size_t i = 0; i < s->nroles; i++)
		if (!directory_role_known(s->roles[i]))
			diag_error(d, f, cfg_line(config_setting_get_member(e, "roles")),
			    "stage %d: unknown role \"%s\"", s->number, s->roles[i]);
	if (s->nroles == 0 && config_setting_get_member(e, "roles"))
		diag_error(d, f, cfg_line(e), "stage %d: roles is empty", s->number);

	timing = cfg_string(e, "timing", 0, NULL, f, d);
	m = config_setting_get_member(e, "days");
	if (timing != NULL && strcmp(timing, "same_working_day") == 0) {
		s->timing = TIMING_SAME_DAY;
		if (m != NULL)
			diag_error(d, f, cfg_line(m),
			    "stage %d: give days or timing, not both", s->number);
	} else if (timing != NULL && strcmp(timing, "24 hours") == 0) {
		/* "within 24 hours" is one working day (calendar.h). */
		s->timing = TIMING_WORKING_DAYS;
		s->days = 1;
	} else if (timing != NULL) {
		diag_error(d, f, cfg_line(config_setting_get_member(e, "timing")),
		    "stage %d: timing must be \"same_working_day\" or \"24 hours\"",
		    s->number);
	} else if (m == NULL) {
		diag_error(d, f, cfg_line(e),
		    "stage %d has no duration: give days = N or timing", s->number);
	} else {
		s->timing = TIMING_WORKING_DAYS;
		s->days = cfg_int(e, "days", 1, 1, 0, 365, f, d);
	}
	free(timing);

	m = config_setting_get_member(e, "remind_before");
	if (m != NULL) {
		int n;

		if (!config_setting_is_array(m)) {
			diag_error(d, f, cfg_line(m),
			    "remind_before must be an array of working days [ 1, 0 ]");
		} else {
			n = config_setting_length(m);
			s->remind_before = xcalloc((size_t)n + 1, sizeof(int));
			for (int i = 0; i < n; i++) {
				config_setting_t *x = config_setting_get_elem(m, (unsigned)i);
				int v;

				if (config_setting_type(x) != CONFIG_TYPE_INT ||
				    (v = config_setting_get_int(x)) < 0 || v > 60) {
					diag_error(d, f, cfg_line(m),
					    "remind_before: element %d must be 0..60", i + 1);
					continue;
				}
				if (s->nremind && v >= s->remind_before[s->nremind - 1]) {
					diag_error(d, f, cfg_line(m),
					    "remind_before must be in descending order");
					continue;
				}
				s->remind_before[s->nremind++] = v;
			}
		}
	} else {
		s->remind_before = xcalloc(2, sizeof(int));
		s->remind_before[0] = 0;	/* morning of the due day */
		s->nremind = 1;
	}
	expiry = cfg_string(e, "on_expiry", 0, "escalate", f, d);
	if (strcmp(expiry, "escalate") == 0)
		s->expiry = EXPIRY_ESCALATE;
	else if (strcmp(expiry, "chase") == 0)
		s->expiry = EXPIRY_CHASE;
	else
		diag_error(d, f, cfg_line(config_setting_get_member(e, "on_expiry")),
		    "on_expiry must be \"escalate\" or \"chase\"");
	free(expiry);
	s->chase_interval = cfg_int(e, "chase_interval", 0, 1, 1, 60, f, d);
	s->chase_max = cfg_int(e, "chase_max", 0, 3, 0, 100, f, d);
}

static void
free_stage(struct stage_def *s)
{
	free(s->name);
	free(s->expects);
	cfg_strings_free(s->roles);
	free(s->remind_before);
}

/* Reports a field named by a form rule (what: its key) that the rule's
 * form lacks. */
static void
check_field(const struct form_rule *r, const char *name, const char *what,
    const config_setting_t *e, const char *f, struct diag *d)
{
	if (r->def != NULL && name != NULL && form_field_find(r->def, name) == NULL)
		diag_error(d, f, cfg_line(e), "%s: form \"%s\" has no field \"%s\"",
		    what, r->form, name);
}

/* level_from: "field=stage", a field of the form, a stage of p. */
static void
check_level_from(const struct protocol *p, const struct form_rule *r,
    const config_setting_t *e, const char *f, struct diag *d)
{
	for (size_t k = 0; k < r->nlevel_from; k++) {
		const char *eq = strchr(r->level_from[k], '=');
		char *name = xstrndup(r->level_from[k], eq ?
		    (size_t)(eq - r->level_from[k]) : 0);

		if (eq == NULL || rules_stage_index(p, atoi(eq + 1)) < 0)
			diag_error(d, f, cfg_line(e), "level_from: \"%s\" must be "
			    "\"field=stage\" with a stage of this protocol",
			    r->level_from[k]);
		else
			check_field(r, name, "level_from", e, f, d);
		free(name);
	}
}

/* The match fields and the stage a form rule names exist. */
static void
check_rule(const struct protocol *p, const struct form_rule *r,
    const config_setting_t *e, const char *f, struct diag *d)
{
	const config_setting_t *m = config_setting_get_member(e, "match_fields");

	for (size_t i = 0; i < r->nmatch; i++)
		for (size_t k = 0; k < r->match[i].n; k++) {
			const char *spec = r->match[i].fields[k];
			char *name = xstrndup(spec, strcspn(spec, "="));

			check_field(r, name, "match_fields", m, f, d);
			free(name);
		}
	if (config_setting_get_member(e, "stage") &&
	    rules_stage_index(p, r->stage) < 0)
		diag_error(d, f, cfg_line(e),
		    "form \"%s\" names stage %d, which this protocol lacks",
		    r->form, r->stage);
}

/* match_fields: one set [ "a", "b" ], or sets tried in order
 * ( [ "a" ], [ "b", "c" ] ). */
static void
load_match(struct form_rule *r, const config_setting_t *e, const char *f,
    struct diag *d)
{
	config_setting_t *s = config_setting_get_member(e, "match_fields"), *set;
	unsigned n;

	r->match = NULL;
	r->nmatch = 0;
	if (s == NULL)
		return;
	if (config_setting_is_array(s) || !config_setting_is_list(s) ||
	    config_setting_length(s) == 0 ||
	    !config_setting_is_array(config_setting_get_elem(s, 0))) {
		r->match = xcalloc(1, sizeof(*r->match));
		r->match[0].fields = cfg_strings(e, "match_fields", 0,
		    &r->match[0].n, f, d);
		if (r->match[0].n > 0) {
			r->nmatch = 1;
			return;
		}
		cfg_strings_free(r->match[0].fields);
		free(r->match);
		r->match = NULL;
		return;
	}
	n = (unsigned)config_setting_length(s);
	r->match = xcalloc(n, sizeof(*r->match));
	for (unsigned i = 0; i < n; i++) {
		struct match_set *m = &r->match[r->nmatch];
		unsigned k, len;

		set = config_setting_get_elem(s, i);
		if (!config_setting_is_array(set) ||
		    (len = (unsigned)config_setting_length(set)) == 0) {
			diag_error(d, f, cfg_line(set), "match_fields: set %u "
			    "must be an array of field names [ \"...\", ... ]",
			    i + 1);
			continue;
		}
		m->fields = xcalloc(len + 1, sizeof(char *));
		for (k = 0; k < len; k++) {
			const char *v = config_setting_get_string_elem(set, k);

			if (v == NULL) {
				diag_error(d, f, cfg_line(set), "match_fields: "
				    "set %u: element %u must be a string",
				    i + 1, k + 1);
				continue;
			}
			m->fields[m->n++] = xstrdup(v);
		}
		r->nmatch++;
	}
}

static void
load_form_rule(const struct protocol *p, struct form_rule *r,
    const config_setting_t *e, const struct form_set *forms, const char *f,
    struct diag *d)
{
	char *action;

	cfg_check_keys(e, form_keys, "form rule", f, d);
	r->form = cfg_string(e, "form", 1, "", f, d);
	if (r->form[0] && (r->def = form_set_find(forms, r->form)) == NULL)
		diag_error(d, f, cfg_line(e),
		    "form \"%s\" is not defined in the forms folder", r->form);
	action = cfg_string(e, "action", 1, "open", f, d);
	if (strcmp(action, "open") == 0)
		r->action = FORM_OPEN;
	else if (strcmp(action, "update") == 0)
		r->action = FORM_UPDATE;
	else if (strcmp(action, "close") == 0)
		r->action = FORM_CLOSE;
	else
		diag_error(d, f, cfg_line(e),
		    "action must be \"open\", \"update\" or \"close\"");
	free(action);
	/* For a closing form, stage is the level it reports when it
	 * names none itself (0: unknown). */
	r->stage = cfg_int(e, "stage", r->action == FORM_OPEN,
	    r->action == FORM_OPEN ? 1 : 0, 0, 99, f, d);
	load_match(r, e, f, d);
	r->level_field = cfg_string(e, "level_field", 0, NULL, f, d);
	r->actions_prefix = cfg_string(e, "actions", 0, NULL, f, d);
	r->resolve_field = cfg_string(e, "resolve_field", 0, NULL, f, d);
	check_field(r, r->resolve_field, "resolve_field", e, f, d);
	r->level_from = cfg_strings(e, "level_from", 0, &r->nlevel_from, f, d);
	r->resolved_words = cfg_strings(e, "resolved_words", 0,
	    &r->nresolved_words, f, d);
	r->unresolved_words = cfg_strings(e, "unresolved_words", 0,
	    &r->nunresolved_words, f, d);
	check_level_from(p, r, e, f, d);
	r->next_meeting_field = cfg_string(e, "next_meeting", 0, NULL, f, d);
	check_field(r, r->next_meeting_field, "next_meeting", e, f, d);
	r->open_unmatched_at = cfg_int(e, "open_unmatched_at", 0, 0, 0, 99, f, d);
	if (r->open_unmatched_at > 0 && (r->action != FORM_UPDATE ||
	    rules_stage_index(p, r->open_unmatched_at) < 0))
		diag_error(d, f, cfg_line(config_setting_get_member(e,
		    "open_unmatched_at")), "open_unmatched_at: %s",
		    r->action != FORM_UPDATE ? "only for an update form" :
		    "not a stage of this protocol");
	check_rule(p, r, e, f, d);
}

/* A form that opens a case: an opening form, or an update form that opens
 * one when it names no case. */
static int
has_way_in(const struct protocol *p)
{
	for (size_t i = 0; i < p->nforms; i++)
		if (p->forms[i].action == FORM_OPEN ||
		    (p->forms[i].action == FORM_UPDATE &&
		    p->forms[i].open_unmatched_at > 0))
			return 1;
	return 0;
}

/* report_periods: the reports the partnership wants on its own cadence
 * ("week", "quarter", "half-year", "year"); without it, digest.periods. */
static void
load_periods(struct protocol *p, const config_setting_t *g, const char *f,
    struct diag *d)
{
	static const char *const names[] = { "week", "quarter", "half-year",
	    "year" };
	const config_setting_t *m = config_setting_get_member(g,
	    "report_periods");
	char **l;
	size_t n, i, k;

	if (m == NULL)
		return;
	p->periods_set = 1;
	l = cfg_strings(g, "report_periods", 0, &n, f, d);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4 && strcmp(l[i], names[k]) != 0; k++)
			;
		if (k < 4)
			p->periods[k] = 1;
		else
			diag_error(d, f, cfg_line(m), "report_periods: \"%s\" is "
			    "not week, quarter, half-year or year", l[i]);
	}
	cfg_strings_free(l);
}

/* on_resolution = { debrief_roles = [...]; debrief_days = N;
 * forms_to = [...]; }: roles escbot knows, at least one of the two. */
static void
load_on_resolution(struct protocol *p, const config_setting_t *g,
    const char *f, struct diag *d)
{
	const config_setting_t *r = cfg_group(g, "on_resolution", 0, 0, f, d);

	if (r == NULL)
		return;
	p->on_resolution_line = cfg_line(r);
	cfg_check_keys(r, resolution_keys, "on_resolution", f, d);
	p->debrief_roles = cfg_strings(r, "debrief_roles", 0, &p->ndebrief,
	    f, d);
	p->debrief_days = cfg_int(r, "debrief_days", 0, 10, 1, 60, f, d);
	p->forms_to = cfg_strings(r, "forms_to", 0, &p->nforms_to, f, d);
	for (size_t k = 0; k < p->ndebrief; k++)
		if (!directory_role_known(p->debrief_roles[k]))
			diag_error(d, f, cfg_line(r), "on_resolution: "
			    "debrief_roles: unknown role \"%s\"",
			    p->debrief_roles[k]);
	for (size_t k = 0; k < p->nforms_to; k++)
		if (!directory_role_known(p->forms_to[k]))
			diag_error(d, f, cfg_line(r), "on_resolution: "
			    "forms_to: unknown role \"%s\"", p->forms_to[k]);
	if (p->ndebrief == 0 && p->nforms_to == 0)
		diag_error(d, f, cfg_line(r), "on_resolution: give "
		    "debrief_roles, forms_to or both");
}

/* clock_start_field: a date field of every form that opens a case of
 * the protocol; deadlines: "chained" (the default) or "cumulative". */
static void
load_clock(struct protocol *p, const config_setting_t *g, const char *f,
    struct diag *d)
{
	const config_setting_t *m;
	char *how;

	how = cfg_string(g, "deadlines", 0, "chained", f, d);
	if (strcmp(how, "cumulative") == 0)
		p->cumulative = 1;
	else if (strcmp(how, "chained") != 0)
		diag_error(d, f, cfg_line(config_setting_get_member(g,
		    "deadlines")), "deadlines must be \"chained\" or "
		    "\"cumulative\"");
	free(how);
	p->clock_start_field = cfg_string(g, "clock_start_field", 0, NULL, f, d);
	if (p->clock_start_field == NULL)
		return;
	m = config_setting_get_member(g, "clock_start_field");
	p->clock_start_line = cfg_line(m);
	for (size_t i = 0; i < p->nforms; i++) {
		const struct form_rule *r = &p->forms[i];
		const struct form_field_def *fd;

		if (r->def == NULL || !(r->action == FORM_OPEN ||
		    (r->action == FORM_UPDATE && r->open_unmatched_at > 0)))
			continue;
		fd = form_field_find(r->def, p->clock_start_field);
		if (fd == NULL || fd->type != FIELD_DATE)
			diag_error(d, f, p->clock_start_line, "clock_start_field: "
			    "form \"%s\" has no date field \"%s\"", r->form,
			    p->clock_start_field);
	}
}

static void
load_protocol(struct protocol *p, const config_setting_t *g, const char *f,
    const struct form_set *forms, struct diag *d)
{
	config_setting_t *list, *e;
	char *service;
	int i, n;

	cfg_check_keys(g, proto_keys, "protocol", f, d);
	p->file = xstrdup(f);
	p->id = cfg_string(g, "id", 1, "", f, d);
	p->name = cfg_string(g, "name", 1, "", f, d);
	p->prefix = cfg_string(g, "prefix", 1, "", f, d);
	if (strlen(p->prefix) > 12 || strspn(p->prefix,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(p->prefix) ||
	    p->prefix[0] == '\0')
		diag_error(d, f, cfg_line(config_setting_get_member(g, "prefix")),
		    "prefix must be 1-12 capital letters or digits");
	p->urgent_patterns = cfg_strings(g, "urgent_patterns", 0, &p->nurgent,
	    f, d);
	p->urgent_instruction = cfg_string(g, "urgent_instruction", 0,
	    "If a child or adult is at immediate risk of significant harm, "
	    "escalate your concerns today using your agency's own safeguarding "
	    "procedures. This protocol does not replace them.", f, d);
	p->pause_reminder_days = cfg_int(g, "pause_reminder_days", 0, 5, 1, 60, f, d);
	p->max_extension_days = cfg_int(g, "max_extension_days", 0, 10, 0, 365,
	    f, d);
	p->urgent_stage_days = cfg_int(g, "urgent_stage_days", 0, -1, 0, 365, f, d);
	p->board_roles = cfg_strings(g, "board_roles", 0, &p->nboard, f, d);
	p->board_line = cfg_line(config_setting_get_member(g, "board_roles"));
	for (size_t k = 0; k < p->nboard; k++)
		if (!directory_role_is_partnership(p->board_roles[k]))
			diag_error(d, f, cfg_line(config_setting_get_member(g, "board_roles")),
			    "board_roles: \"%s\" is not a partnership role",
			    p->board_roles[k]);
	/* The partnership's agencies (directory ids), for its reports'
	 * agencies that raised nothing; none: every agency. */
	p->agencies = cfg_strings(g, "agencies", 0, &p->nagencies, f, d);
	p->partnership = cfg_string(g, "partnership", 0, NULL, f, d);
	p->partnership_line = cfg_line(config_setting_get_member(g,
	    "partnership"));
	if (p->partnership_line == 0)
		p->partnership_line = cfg_line(g);
	service = cfg_string(g, "service", 0, "both", f, d);
	if (strcmp(service, "children") == 0)
		p->service = DIR_CHILDREN;
	else if (strcmp(service, "adults") == 0)
		p->service = DIR_ADULTS;
	else if (strcmp(service, "both") == 0)
		p->service = DIR_BOTH;
	else
		diag_error(d, f, cfg_line(config_setting_get_member(g,
		    "service")), "service must be \"children\", \"adults\" "
		    "or \"both\"");
	free(service);
	load_periods(p, g, f, d);
	load_on_resolution(p, g, f, d);

	list = cfg_group(g, "stages", 1, 1, f, d);
	n = list ? config_setting_length(list) : 0;
	if (list && n == 0)
		diag_error(d, f, cfg_line(list), "a protocol needs at least one stage");
	p->stages = xcalloc((size_t)n + 1, sizeof(*p->stages));
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(e)) {
			diag_error(d, f, cfg_line(e), "each stage must be { ... }");
			continue;
		}
		load_stage(&p->stages[p->nstages], e, f, d);
		if (p->nstages > 0 &&
		    p->stages[p->nstages].number < p->stages[p->nstages - 1].number)
			diag_error(d, f, cfg_line(e),
			    "stages must be listed in order of their number");
		p->nstages++;
	}

	list = cfg_group(g, "forms", 0, 1, f, d);
	n = list ? config_setting_length(list) : 0;
	p->forms = xcalloc((size_t)n + 1, sizeof(*p->forms));
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(e)) {
			diag_error(d, f, cfg_line(e), "each form rule must be { ... }");
			continue;
		}
		load_form_rule(p, &p->forms[p->nforms++], e, forms, f, d);
	}
	p->forms_line = cfg_line(list ? list : g);
	load_clock(p, g, f, d);
}

static void
free_protocol(struct protocol *p)
{
	free(p->id);
	free(p->name);
	free(p->prefix);
	free(p->file);
	for (size_t i = 0; i < p->nstages; i++)
		free_stage(&p->stages[i]);
	free(p->stages);
	for (size_t i = 0; i < p->nforms; i++) {
		free(p->forms[i].form);
		for (size_t k = 0; k < p->forms[i].nmatch; k++)
			cfg_strings_free(p->forms[i].match[k].fields);
		free(p->forms[i].match);
		free(p->forms[i].level_field);
		free(p->forms[i].actions_prefix);
		free(p->forms[i].resolve_field);
		cfg_strings_free(p->forms[i].level_from);
		cfg_strings_free(p->forms[i].resolved_words);
		cfg_strings_free(p->forms[i].unresolved_words);
		free(p->forms[i].next_meeting_field);
	}
	free(p->forms);
	cfg_strings_free(p->urgent_patterns);
	free(p->urgent_instruction);
	cfg_strings_free(p->board_roles);
	cfg_strings_free(p->agencies);
	cfg_strings_free(p->debrief_roles);
	cfg_strings_free(p->forms_to);
	free(p->clock_start_field);
	free(p->partnership);
}

int
rules_load(const char *dir, struct ruleset **out, struct diag *d)
{
	struct ruleset *rs;
	char **paths, *formdir;
	size_t npaths;
	int errors0 = d->errors;

	*out = NULL;
	rs = xcalloc(1, sizeof(*rs));
	formdir = xasprintf("%s/forms", dir);
	form_set_load(formdir, &rs->forms, d);
	free(formdir);
	if (conf_files(dir, &paths, &npaths) == -1) {
		diag_error(d, dir, 0, "cannot open the rules folder: %s",
		    strerror(errno));
		goto fail;
	}
	rs->protocols = xcalloc(npaths + 1, sizeof(*rs->protocols));
	for (size_t i = 0; i < npaths; i++) {
		const char *path = paths[i];
		config_t cf;
		config_setting_t *g;

		if (cfg_open(&cf, path, d) == 0) {
			cfg_check_keys(config_root_setting(&cf), top_keys, NULL, path, d);
			g = cfg_group(config_root_setting(&cf), "protocol", 1, 0, path, d);
			if (g != NULL) {
				struct protocol *p = &rs->protocols[rs->nprotocols++];

				load_protocol(p, g, path, rs->forms, d);
				for (size_t k = 0; k + 1 < rs->nprotocols; k++) {
					if (strcmp(rs->protocols[k].id, p->id) == 0)
						diag_error(d, path, cfg_line(g),
						    "protocol id \"%s\" also in %s", p->id,
						    rs->protocols[k].file);
					if (strcmp(rs->protocols[k].prefix, p->prefix) == 0)
						diag_error(d, path, cfg_line(g),
						    "prefix \"%s\" also used in %s", p->prefix,
						    rs->protocols[k].file);
				}
			}
		}
		config_destroy(&cf);
	}
	if (npaths == 0)
		diag_error(d, dir, 0, "no protocol files (*.conf) in the rules folder");
	conf_files_free(paths);
	/* A form that opens cases in two protocols would be ambiguous. */
	for (size_t i = 0; i < rs->nprotocols; i++)
		for (size_t k = 0; k < rs->protocols[i].nforms; k++)
			for (size_t j = i + 1; j < rs->nprotocols; j++)
				for (size_t m = 0; m < rs->protocols[j].nforms; m++)
					if (strcmp(rs->protocols[i].forms[k].form,
					    rs->protocols[j].forms[m].form) == 0)
						diag_error(d, rs->protocols[j].file, 0,
						    "form \"%s\" is already used by %s",
						    rs->protocols[j].forms[m].form,
						    rs->protocols[i].file);
	if (d->errors != errors0)
		goto fail;
	*out = rs;
	return 0;
fail:
	rules_free(rs);
	return -1;
}

void
rules_free(struct ruleset *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->nprotocols; i++)
		free_protocol(&rs->protocols[i]);
	free(rs->protocols);
	form_set_free(rs->forms);
	free(rs);
}

/* 1 if someone holds role: the partnership, or at least one agency. */
static int
role_held(const struct directory *dir, const char *role)
{
	const struct dir_role *r;

	if (directory_role_is_partnership(role))
		return (r = directory_role(dir, NULL, role)) != NULL &&
		    r->ncontacts > 0;
	for (size_t i = 0; i < dir->nagencies; i++)
		if ((r = directory_role(dir, &dir->agencies[i], role)) != NULL &&
		    r->ncontacts > 0)
			return 1;
	return 0;
}

/* Binds p->dir: the partnership p names, or the only one.  0, or -1
 * with the diag line. */
static int
bind_partnership(struct protocol *p, const struct directory *set,
    const char *dirfile, struct diag *d)
{
	const struct directory *pd = NULL;
	char ids[512] = "";

	for (const struct directory *q = set; q; q = q->next)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s",
		    ids[0] ? ", " : "", q->id);
	if (directory_count(set) == 1 && set->id[0] == '\0')
		pd = set;	/* one file, no id: serves every protocol */
	else if (p->partnership != NULL) {
		if ((pd = directory_partnership(set, p->partnership)) == NULL) {
			diag_error(d, p->file, p->partnership_line,
			    "partnership \"%s\" is not in %s (it has: %s)",
			    p->partnership, dirfile, ids);
			return -1;
		}
	} else if (directory_count(set) == 1)
		pd = set;
	else {
		diag_error(d, p->file, p->partnership_line, "protocol \"%s\" "
		    "names no partnership: give partnership = \"ID\", one of "
		    "%s in %s", p->id, ids, dirfile);
		return -1;
	}
	p->dir = directory_for_service(pd, (enum dir_service)p->service);
	return 0;
}

int
rules_check(const struct ruleset *rs, const struct directory *set,
    const char *dirfile, struct diag *d)
{
	int errors0 = d->errors;

	for (size_t i = 0; i < rs->nprotocols; i++) {
		struct protocol *p = &rs->protocols[i];

		if (!has_way_in(p))
			diag_error(d, p->file, p->forms_line, "protocol \"%s\" "
			    "has no way in: no form opens a case of it (give a "
			    "form rule with action = \"open\", or an update "
			    "form with open_unmatched_at)", p->id);
		if (set == NULL || bind_partnership(p, set, dirfile, d) == -1)
			continue;
		for (size_t k = 0; k < p->nstages; k++) {
			const struct stage_def *s = &p->stages[k];

			for (size_t r = 0; r < s->nroles; r++)
				if (!role_held(p->dir, s->roles[r]))
					diag_error(d, p->file, s->roles_line,
					    "stage %d (%s): role \"%s\" is held "
					    "by %s in %s", s->number, s->name,
					    s->roles[r],
					    directory_role_is_partnership(
					    s->roles[r]) ? "nobody in the "
					    "partnership" : "no agency",
					    p->dir->file);
		}
		for (size_t k = 0; k < p->ndebrief + p->nforms_to; k++) {
			const char *role = k < p->ndebrief ?
			    p->debrief_roles[k] : p->forms_to[k - p->ndebrief];

			if (!role_held(p->dir, role))
				diag_error(d, p->file, p->on_resolution_line,
				    "on_resolution: role \"%s\" is held by %s "
				    "in %s", role, directory_role_is_partnership(
				    role) ? "nobody in the partnership" :
				    "no agency", p->dir->file);
		}
		for (size_t k = 0; k < p->nboard; k++)
			if (directory_role_is_partnership(p->board_roles[k]) &&
			    !role_held(p->dir, p->board_roles[k]))
				diag_error(d, p->file, p->board_line,
				    "board_roles: \"%s\" is held by nobody in "
				    "the partnership in %s", p->board_roles[k],
				    p->dir->file);
	}
	return d->errors == errors0 ? 0 : -1;
}

const struct protocol *
rules_protocol(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; id && i < rs->nprotocols; i++)
		if (strcmp(rs->protocols[i].id, id) == 0)
			return &rs->protocols[i];
	return NULL;
}

const struct protocol *
rules_for_form(const struct ruleset *rs, const char *form_id,
    const struct form_rule **rule)
{
	for (size_t i = 0; i < rs->nprotocols; i++)
		for (size_t k = 0; k < rs->protocols[i].nforms; k++)
			if (strcmp(rs->protocols[i].forms[k].form, form_id) == 0) {
				if (rule)
					*rule = &rs->protocols[i].forms[k];
				return &rs->protocols[i];
			}
	return NULL;
}

int
rules_stage_index(const struct protocol *p, int number)
{
	for (size_t i = 0; i < p->nstages; i++)
		if (p->stages[i].number == number)
			return (int)i;
	return -1;
}
