/*
 * The engine, pure: stage deadlines follow the protocol's working-day
 * table, reminders and escalations are decided once, pause stops the clock
 * and resume restarts it with the time that was left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "directory.h"
#include "engine.h"
#include "rules.h"
#include "util.h"

static struct calendar *cal;
static struct directory *dir;

static char *roles_practitioner[] = { "practitioner", NULL };
static char *roles_line[] = { "line_manager", NULL };
static char *roles_lead[] = { "safeguarding_lead", "head_of_service", NULL };
static char *roles_director[] = { "director", "board_rep", NULL };
static char *roles_exec[] = { "director", "partnership_manager", NULL };
static int remind_1_0[] = { 1, 0 };

/* The TWSP table of seed 004, as rules/twsp.conf states it. */
static struct stage_def twsp_stages[] = {
	{ 1, "raise", "", roles_practitioner, 1, TIMING_WORKING_DAYS, 2,
	  remind_1_0, 2, EXPIRY_ESCALATE, 1, 3 },
	{ 1, "review", "", roles_practitioner, 1, TIMING_WORKING_DAYS, 5,
	  remind_1_0, 2, EXPIRY_ESCALATE, 1, 3 },
	{ 2, "line managers", "", roles_line, 1, TIMING_WORKING_DAYS, 4,
	  remind_1_0, 2, EXPIRY_ESCALATE, 1, 3 },
	{ 3, "senior managers", "", roles_lead, 2, TIMING_WORKING_DAYS, 3,
	  remind_1_0, 2, EXPIRY_ESCALATE, 1, 3 },
	{ 4, "directors", "", roles_director, 2, TIMING_WORKING_DAYS, 4,
	  remind_1_0, 2, EXPIRY_ESCALATE, 1, 3 },
	{ 5, "executive", "", roles_exec, 2, TIMING_WORKING_DAYS, 7,
	  remind_1_0, 2, EXPIRY_CHASE, 2, 2 },
};

static struct protocol twsp = {
	.id = "twsp", .name = "TWSP", .prefix = "TWSP",
	.stages = twsp_stages, .nstages = 6,
	.urgent_instruction = "", .pause_reminder_days = 5,
	.max_extension_days = 10,
};

static time_t
at(const char *iso)
{
	time_t t;

	assert_int_equal(calendar_parse_iso(iso, &t), 0);
	return t;
}

static void
iso(time_t t, char *buf)
{
	assert_int_equal(calendar_format_iso(t, buf, 64), 0);
}

static struct case_state
new_case(const char *agencies)
{
	struct case_state c;

	memset(&c, 0, sizeof(c));
	c.ref = xstrdup("TWSP-2026-0001");
	c.protocol = xstrdup("twsp");
	c.raised_by = xstrdup("casey@telford.example.gov.uk");
	c.agencies = xstrdup(agencies);
	return c;
}

static size_t
count_mails(const struct decisions *d, const char *tmpl)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nmails; i++)
		if (strcmp(d->mails[i].template, tmpl) == 0)
			n++;
	return n;
}

/* Cumulative working days 2, 7, 11, 14, 18, 25 from stage 1, by ticking
 * the engine at each due time (and a little after, as a real tick would). */
static void
chain(const char *start, const char *const *want)
{
	struct engine_ctx x = { &twsp, NULL, NULL, 0 };
	struct case_state c = new_case("tw-council,west-mercia");
	struct decisions d = { 0 };
	char buf[64];

	x.cal = cal;
	x.dir = dir;
	x.now = at(start);
	assert_int_equal(engine_open(&c, &x, 1, &d), 0);
	decisions_free(&d);
	for (int i = 0; i < 6; i++) {
		iso(c.due_at, buf);
		assert_string_equal(buf, want[i]);
		assert_int_equal(c.stage_idx, i);
		/* Tick late (the next morning) to show deadlines do not drift
		 * with the tick time. */
		x.now = c.due_at + 16 * 3600;
		engine_tick(&c, &x, &d);
		decisions_free(&d);
	}
	case_state_free(&c);
}

static void
test_twsp_cumulative_across_christmas(void **state)
{
	/* Stage 1 starts Monday 14 December 2026. */
	static const char *const want[] = {
		"2026-12-16T17:00:00+00:00",	/* 2 */
		"2026-12-23T17:00:00+00:00",	/* 7 */
		"2026-12-31T17:00:00+00:00",	/* 11: 25, 28 Dec off */
		"2027-01-06T17:00:00+00:00",	/* 14: 1 Jan off */
		"2027-01-12T17:00:00+00:00",	/* 18 */
		"2027-01-21T17:00:00+00:00",	/* 25 */
	};

	(void)state;
	chain("2026-12-14T10:00:00Z", want);
}

static void
test_twsp_cumulative_across_easter_and_dst(void **state)
{
	/* Stage 1 starts Monday 15 March 2027; Good Friday 26 March, Easter
	 * Monday 29 March, BST from 28 March. */
	static const char *const want[] = {
		"2027-03-17T17:00:00+00:00",
		"2027-03-24T17:00:00+00:00",
		"2027-04-01T17:00:00+01:00",
		"2027-04-06T17:00:00+01:00",
		"2027-04-12T17:00:00+01:00",
		"2027-04-21T17:00:00+01:00",
	};

	(void)state;
	chain("2027-03-15T09:30:00Z", want);
}

static void
test_reminder_once_and_in_hours(void **state)
{
	struct engine_ctx x = { &twsp, NULL, NULL, 0 };
	struct case_state c = new_case("tw-council");
	struct decisions d = { 0 };
	char buf[64];

	(void)state;
	x.cal = cal;
	x.dir = dir;
	x.now = at("2026-11-23T10:00:00Z");	/* Monday */
	engine_open(&c, &x, 3, &d);		/* due Thursday 26th */
	assert_int_equal(count_mails(&d, "ack"), 1);
	assert_string_equal(d.mails[0].to[0], "casey@telford.example.gov.uk");
	decisions_free(&d);
	iso(c.next_wakeup, buf);
	/* First reminder: the morning of the working day before. */
	assert_string_equal(buf, "2026-11-25T09:00:00+00:00");

	x.now = at("2026-11-25T09:05:00Z");
	engine_tick(&c, &x, &d);
	assert_int_equal(count_mails(&d, "reminder"), 1);
	/* Stage 3 roles at the involved agency. */
	assert_int_equal(d.mails[0].nto, 2);
	decisions_free(&d);
	/* The same tick again decides nothing. */
	engine_tick(&c, &x, &d);
	assert_int_equal(d.nmails, 0);
	decisions_free(&d);

	/* At night, an escalation is decided but held to working hours. */
	x.now = at("2026-11-26T23:00:00Z");
	engine_tick(&c, &x, &d);
	assert_int_equal(count_mails(&d, "escalation"), 1);
	iso(d.mails[0].not_before, buf);
	assert_string_equal(buf, "2026-11-27T09:00:00+00:00");
	assert_int_equal(d.mails[0].ncc, 1);	/* the raiser is copied */
	decisions_free(&d);
	assert_int_equal(twsp.stages[c.stage_idx].number, 4);
	case_state_free(&c);
}

static void
test_clock_jump_sends_each_once(void **state)
{
	struct engine_ctx x = { &twsp, NULL, NULL, 0 };
	struct case_state c = new_case("tw-council");
	struct decisions d = { 0 };
	char seen[64][128];
	size_t nseen = 0;

	(void)state;
	x.cal = cal;
	x.dir = dir;
	x.now = at("2026-11-23T10:00:00Z");
	engine_open(&c, &x, 3, &d);
	decisions_free(&d);
	/* The clock jumps two months: stage 3 and 4 expire at once. */
	x.now = at("2027-01-25T10:00:00Z");
	engine_tick(&c, &x, &d);
	assert_int_equal(count_mails(&d, "escalation"), 2);
	assert_int_equal(count_mails(&d, "reminder"), 0);
	for (size_t i = 0; i < d.nmails; i++) {
		for (size_t k = 0; k < nseen; k++)
			assert_string_not_equal(seen[k], d.mails[i].token);
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", d.mails[i].token);
	}
	decisions_free(&d);
	engine_tick(&c, &x, &d);
	assert_int_equal(count_mails(&d, "escalation"), 0);
	decisions_free(&d);
	case_state_free(&c);
}

static void
test_pause_stops_clock_resume_restarts(void **state)
{
	struct engine_ctx x = { &twsp, NULL, NULL, 0 };
	struct case_state c = new_case("tw-council");
	struct decisions d = { 0 };
	struct command cmd;
	char err[128], buf[64];

	(void)state;
	x.cal = cal;
	x.dir = dir;
	x.now = at("2026-11-23T10:00:00Z");
	engine_open(&c, &x, 3, &d);		/* due Thu 26th */
	decisions_free(&d);
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = CMD_PAUSE;
	cmd.reason = "manager off sick";
	cmd.actor = "lead@telford.example.gov.uk";
	cmd.token = "m1";
	x.now = at("2026-11-24T11:00:00Z");	/* Tuesday: 2 days left */
	assert_int_equal(engine_command(&c, &x, &cmd, &d, err, sizeof(err)), 0);
	assert_int_equal(c.status, CASE_PAUSED);
	assert_int_equal(c.paused_remaining, 2);
	assert_int_equal(count_mails(&d, "paused"), 1);
	decisions_free(&d);
	/* While paused, the old due time passes without escalation. */
	x.now = at("2026-11-27T12:00:00Z");
	engine_tick(&c, &x, &d);
	assert_int_equal(count_mails(&d, "escalation"), 0);
	decisions_free(&d);
	/* A second pause is refused. */
	assert_int_equal(engine_command(&c, &x, &cmd, &d, err, sizeof(err)), -1);
	decisions_free(&d);
	cmd.kind = CMD_RESUME;
	cmd.token = "m2";
	x.now = at("2026-12-01T10:00:00Z");	/* Tuesday */
	assert_int_equal(engine_command(&c, &x, &cmd, &d, err, sizeof(err)), 0);
	decisions_free(&d);
	iso(c.due_at, buf);
	assert_string_equal(buf, "2026-12-03T17:00:00+00:00");
	assert_int_equal(c.status, CASE_OPEN);
	case_state_free(&c);
}

static void
test_extend_and_resolve(void **state)
{
	struct engine_ctx x = { &twsp, NULL, NULL, 0 };
	struct case_state c = new_case("tw-council");
	struct decisions d = { 0 };
	struct command cmd;
	char err[128], buf[64];

	(void)state;
	x.cal = cal;
	x.dir = dir;
	x.now = at("2026-11-23T10:00:00Z");
	engine_open(&c, &x, 3, &d);
	decisions_free(&d);
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = CMD_EXTEND;
	cmd.days = 3;
	cmd.reason = "agreed at meeting";
	cmd.actor = "cli:admin";
	assert_int_equal(engine_command(&c, &x, &cmd, &d, err, sizeof(err)), 0);
	decisions_free(&d);
	iso(c.due_at, buf);
	assert_string_equal(buf, "2026-12-01T17:00:00+00:00");
	cmd.days = 99;	/* over max_extension_days */
	assert_int_equal(engine_command(&c, &x, &cmd, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 to 10"));
	decisions_free(&d);
	cmd.kind = CMD_RESOLVE;
	cmd.reason = "assessment agreed";
	assert_int_equal(engine_command(&c, &x, &cmd, &d, err, sizeof(err)), 0);
	assert_int_equal(c.status, CASE_RESOLVED);
	assert_int_equal(c.resolved_level, 3);
	assert_int_equal(c.next_wakeup, 0);
	decisions_free(&d);
	x.now = at("2027-01-01T10:00:00Z");
	engine_tick(&c, &x, &d);
	assert_int_equal(d.nmails, 0);
	decisions_free(&d);
	case_state_free(&c);
}

static void
test_urgent_same_working_day(void **state)
{
	struct engine_ctx x = { &twsp, NULL, NULL, 0 };
	struct case_state c = new_case("tw-council");
	struct decisions d = { 0 };
	char buf[64];

	(void)state;
	x.cal = cal;
	x.dir = dir;
	c.urgent = 1;
	x.now = at("2026-11-23T18:30:00Z");	/* Monday, after hours */
	engine_open(&c, &x, 3, &d);
	decisions_free(&d);
	iso(c.due_at, buf);
	assert_string_equal(buf, "2026-11-24T17:00:00+00:00");
	case_state_free(&c);
}

static void
test_last_stage_is_chased_up_to_cap(void **state)
{
	struct engine_ctx x = { &twsp, NULL, NULL, 0 };
	struct case_state c = new_case("tw-council");
	struct decisions d = { 0 };
	size_t chases = 0;

	(void)state;
	x.cal = cal;
	x.dir = dir;
	x.now = at("2026-11-23T10:00:00Z");
	engine_open(&c, &x, 5, &d);
	decisions_free(&d);
	for (int day = 0; day < 60; day++) {
		x.now = at("2026-11-23T10:00:00Z") + (time_t)day * 86400;
		engine_tick(&c, &x, &d);
		chases += count_mails(&d, "chase");
		decisions_free(&d);
	}
	assert_int_equal(chases, 3);	/* chase_max 2: chases 0, 1, 2 */
	assert_int_equal(c.next_wakeup, 0);
	case_state_free(&c);
}

static int
setup(void **state)
{
	struct diag d = { 0, NULL };
	char err[256];

	(void)state;
	cal = calendar_load("etc/bank-holidays-england-wales.txt", 540, 1020,
	    err, sizeof(err));
	if (cal == NULL)
		return -1;
	return directory_load("etc/directory.conf", &dir, &d);
}

static int
teardown(void **state)
{
	(void)state;
	calendar_free(cal);
	directory_free(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twsp_cumulative_across_christmas),
		cmocka_unit_test(test_twsp_cumulative_across_easter_and_dst),
		cmocka_unit_test(test_reminder_once_and_in_hours),
		cmocka_unit_test(test_clock_jump_sends_each_once),
		cmocka_unit_test(test_pause_stops_clock_resume_restarts),
		cmocka_unit_test(test_extend_and_resolve),
		cmocka_unit_test(test_urgent_same_working_day),
		cmocka_unit_test(test_last_stage_is_chased_up_to_cap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
