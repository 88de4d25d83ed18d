/*
 * The engine, pure, as a table (the way isync's run-tests.pl describes each
 * case as data).  A row names a shipped protocol (rules/NAME.conf), the
 * involved agencies and a list of steps; running it writes a transcript of
 * every decision the engine returns, and the transcript must equal the
 * row's `want` lines exactly, line by line.
 *
 * Steps, one string each ("TIME" is ISO 8601 as calendar_parse_iso reads
 * it; without an offset it is London wall-clock time):
 *	"TIME open N"		engine_open at stage number N
 *	"TIME open N aware DATE" the same, the case's clock started at DATE
 *				(a protocol's clock_start_field)
 *	"TIME tick"		engine_tick
 *	"TIME daily N"		N ticks, at TIME and every 24 hours after
 *	"TIME pause|resume|escalate|resolve [N]|extend N|timescale N|complete
 *	    [by ACTOR]
 *	    [: REASON]"		engine_command; N is the days of extend and
 *				timescale, the level of resolve; ACTOR
 *				defaults to cli:admin;
 *				the command's token is "m" and the step's index
 *
 * Transcript lines:
 *	"> STEP"		the step, as written
 *	"@ TIME"		a tick of "daily" that decided something
 *	"mail TEMPLATE TOKEN nb=TIME|now to=A,B [cc=C] [note='..' by=X]
 *	    [of=#I:STATUS:due TIME]"
 *				of= is the case as the email describes it
 *				(stage index, status, due time), shown when
 *				it is not the case after the step: a tick
 *				that passes several stages
 *				TOKEN without the case reference and its "/"
 *				(checked to be there); a due time or pause time
 *				in it ("d1765299600", "p...") is written as its
 *				London time ("d2026-12-09T17:00+00:00"), a
 *				one-to-one rewriting; addresses are bare
 *	"event KIND[ by ACTOR]: DETAIL"	ACTOR left out when it is escbot
 *	"refused: ERR"		engine_command returned -1
 *	"= sN #I STATUS due TIME wake TIME|0"	the case after the step: stage
 *				number and index, status (paused: "paused left
 *				N"; resolved: "resolved at N")
 * Times are calendar_format_iso's, with ":00" seconds left out.
 *
 * ENGINE_TABLE_DUMP=1 prints every row's transcript as C strings;
 * ENGINE_TABLE_ALL=1 runs the disabled rows too (they fail until the
 * engine bug each names is fixed).
 * Every mail token must also be unique within a row: the outbox would
 * drop a second one, so a repeat is a decision made twice.
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

#define MAX_STEPS	24
#define MAX_WANT	96

struct row {
	const char	*name;
	const char	*proto;		/* rules/PROTO.conf */
	const char	*agencies;	/* NULL: the protocol's default */
	int		 urgent;
	const char	*disabled;	/* why the row is skipped: an engine
					   bug, reported; want is the right
					   answer */
	const char	*steps[MAX_STEPS];
	const char	*want[MAX_WANT];
};

static struct ruleset *rs;
static struct calendar *cal;
static struct directory *dir;

#define RAISER	"raiser@example.org"

static const struct row rows[] = {
/* ---- each protocol's ladder, through to its last stage ---- */
/* Cumulative 2, 7, 11, 14, 18, 20, 25 working days from Monday 14 December
 * (stage 5 in its two steps: the director and the Partnership Manager,
 * then the Partnership Manager and the Executive):
 * 25 and 28 December and 1 January are off; ticking late (the next
 * morning) does not move the chained deadlines. */
{ "twsp ladder across Christmas 2026, ticked the next morning", "twsp",
  "tw-council,west-mercia", 0, NULL,
  { "2026-12-14T10:00 open 1", "2026-12-17T09:00 tick",
    "2026-12-24T09:00 tick", "2027-01-01T09:00 tick", "2027-01-07T09:00 tick",
    "2027-01-13T09:00 tick", "2027-01-15T09:00 tick",
    "2027-01-22T09:00 tick" },
  {
		"> 2026-12-14T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-12-14T10:00+00:00 to=family.connect@telford.example.gov.uk,ppu@westmercia.example.police.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioners: raise the disagreement)",
		"= s1 #0 open due 2026-12-16T17:00+00:00 wake 2026-12-15T09:00+00:00",
		"> 2026-12-17T09:00 tick",
		"mail escalation s1/esc nb=2026-12-17T09:00+00:00 to=family.connect@telford.example.gov.uk,ppu@westmercia.example.police.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 1 (Practitioners: review and seek agreement)",
		"= s1 #1 open due 2026-12-23T17:00+00:00 wake 2026-12-22T09:00+00:00",
		"> 2026-12-24T09:00 tick",
		"mail escalation s2/esc nb=2026-12-24T09:00+00:00 to=tal.manager@telford.example.gov.uk,mo.line@westmercia.example.police.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Line / team managers)",
		"= s2 #2 open due 2026-12-31T17:00+00:00 wake 2026-12-30T09:00+00:00",
		"> 2027-01-01T09:00 tick",
		"mail escalation s3/esc nb=2027-01-04T09:00+00:00 to=tia.lead@telford.example.gov.uk,wes.lead@westmercia.example.police.uk,teo.head@telford.example.gov.uk,hana.head@westmercia.example.police.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2027-01-06T17:00+00:00 wake 2027-01-05T09:00+00:00",
		"> 2027-01-07T09:00 tick",
		"mail escalation s4/esc nb=2027-01-07T09:00+00:00 to=tam.director@telford.example.gov.uk,drew.director@westmercia.example.police.uk,toby.rep@telford.example.gov.uk,rae.rep@westmercia.example.police.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2027-01-12T17:00+00:00 wake 2027-01-11T09:00+00:00",
		"> 2027-01-13T09:00 tick",
		"mail escalation s5/esc nb=2027-01-13T09:00+00:00 to=tam.director@telford.example.gov.uk,drew.director@westmercia.example.police.uk,twsp.manager@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 4 expired; escalated to stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"= s5 #5 open due 2027-01-14T17:00+00:00 wake 2027-01-14T09:00+00:00",
		"> 2027-01-15T09:00 tick",
		"mail escalation s6/esc nb=2027-01-15T09:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event escalated: stage 5 expired; escalated to stage 5 (TWSP Executive: final and binding decision)",
		"= s5 #6 open due 2027-01-21T17:00+00:00 wake 2027-01-19T09:00+00:00",
		"> 2027-01-22T09:00 tick",
		"mail chase s6/d2027-01-21T17:00+00:00/c0 nb=2027-01-22T09:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event chased: stage 5 overdue: chase 1 of 4",
		"= s5 #6 open due 2027-01-21T17:00+00:00 wake 2027-01-25T17:00+00:00",
		NULL } },
/* From Monday 15 March 2027: Good Friday 26 and Easter Monday 29 March
 * off, BST from Sunday 28 March (deadlines at 17:00+01:00). */
{ "twsp ladder across Easter 2027 and the March clock change", "twsp",
  NULL, 0, NULL,
  { "2027-03-15T09:30 open 1", "2027-03-18T09:00 tick",
    "2027-03-25T09:00 tick", "2027-04-02T09:00 tick", "2027-04-07T09:00 tick",
    "2027-04-13T09:00 tick", "2027-04-15T09:00 tick",
    "2027-04-22T09:00 tick" },
  {
		"> 2027-03-15T09:30 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2027-03-15T09:30+00:00 to=family.connect@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioners: raise the disagreement)",
		"= s1 #0 open due 2027-03-17T17:00+00:00 wake 2027-03-16T09:00+00:00",
		"> 2027-03-18T09:00 tick",
		"mail escalation s1/esc nb=2027-03-18T09:00+00:00 to=family.connect@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 1 (Practitioners: review and seek agreement)",
		"= s1 #1 open due 2027-03-24T17:00+00:00 wake 2027-03-23T09:00+00:00",
		"> 2027-03-25T09:00 tick",
		"mail escalation s2/esc nb=2027-03-25T09:00+00:00 to=tal.manager@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Line / team managers)",
		"= s2 #2 open due 2027-04-01T17:00+01:00 wake 2027-03-31T09:00+01:00",
		"> 2027-04-02T09:00 tick",
		"mail escalation s3/esc nb=2027-04-02T09:00+01:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2027-04-06T17:00+01:00 wake 2027-04-05T09:00+01:00",
		"> 2027-04-07T09:00 tick",
		"mail escalation s4/esc nb=2027-04-07T09:00+01:00 to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2027-04-12T17:00+01:00 wake 2027-04-09T09:00+01:00",
		"> 2027-04-13T09:00 tick",
		"mail escalation s5/esc nb=2027-04-13T09:00+01:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 4 expired; escalated to stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"= s5 #5 open due 2027-04-14T17:00+01:00 wake 2027-04-14T09:00+01:00",
		"> 2027-04-15T09:00 tick",
		"mail escalation s6/esc nb=2027-04-15T09:00+01:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event escalated: stage 5 expired; escalated to stage 5 (TWSP Executive: final and binding decision)",
		"= s5 #6 open due 2027-04-21T17:00+01:00 wake 2027-04-19T09:00+01:00",
		"> 2027-04-22T09:00 tick",
		"mail chase s6/d2027-04-21T17:00+01:00/c0 nb=2027-04-22T09:00+01:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event chased: stage 5 overdue: chase 1 of 4",
		"= s5 #6 open due 2027-04-21T17:00+01:00 wake 2027-04-23T17:00+01:00",
		NULL } },
/* 2, 5, 5 days: 16 Dec, 23 Dec, 4 Jan; level 4 in 001's three steps:
 * the WSAB service manager (5: 11 Jan), the executive leads (5: 18 Jan),
 * then the independent chair (10: 1 February; issue 13: the chair was
 * never reached), chased at the deadline and every 5 working days, 3 in
 * all, then left. */
{ "wsab ladder across Christmas: level 4 to the service manager, the executive leads, then the independent chair", "wsab",
  NULL, 0, NULL,
  { "2026-12-14T10:00 open 1", "2026-12-16T17:00 tick",
    "2026-12-23T17:00 tick", "2027-01-04T17:00 tick", "2027-01-11T17:00 tick",
    "2027-01-18T17:00 tick", "2027-02-01T17:00 tick", "2027-02-08T17:00 tick",
    "2027-02-15T17:00 tick", "2027-03-01T10:00 tick" },
  {
		"> 2026-12-14T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-12-14T10:00+00:00 to=adult.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioner to practitioner)",
		"= s1 #0 open due 2026-12-16T17:00+00:00 wake 2026-12-16T09:00+00:00",
		"> 2026-12-16T17:00 tick",
		"mail escalation s1/esc nb=2026-12-16T17:00+00:00 to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Line manager to line manager)",
		"= s2 #1 open due 2026-12-23T17:00+00:00 wake 2026-12-22T09:00+00:00",
		"> 2026-12-23T17:00 tick",
		"mail escalation s2/esc nb=2026-12-23T17:00+00:00 to=harper.head@wigan.example.gov.uk,dana.director@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Head of service to head of service, then director)",
		"= s3 #2 open due 2027-01-04T17:00+00:00 wake 2026-12-31T09:00+00:00",
		"> 2027-01-04T17:00 tick",
		"mail escalation s3/esc nb=2027-01-04T17:00+00:00 to=wsab.service@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Exceptional: WSAB service manager)",
		"= s4 #3 open due 2027-01-11T17:00+00:00 wake 2027-01-08T09:00+00:00",
		"> 2027-01-11T17:00 tick",
		"mail escalation s4/esc nb=2027-01-11T17:00+00:00 to=wsab.exec.one@wigan.example.gov.uk,wsab.exec.two@wigan.example.gov.uk,wsab.service@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 4 expired; escalated to stage 4 (Exceptional: executive leads)",
		"= s4 #4 open due 2027-01-18T17:00+00:00 wake 2027-01-15T09:00+00:00",
		"> 2027-01-18T17:00 tick",
		"mail escalation s5/esc nb=2027-01-18T17:00+00:00 to=chair@wsab.example.org.uk,wsab.service@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 4 expired; escalated to stage 4 (Exceptional: WSAB independent chair)",
		"= s4 #5 open due 2027-02-01T17:00+00:00 wake 2027-01-28T09:00+00:00",
		"> 2027-02-01T17:00 tick",
		"mail chase s5/d2027-02-01T17:00+00:00/c0 nb=2027-02-01T17:00+00:00 to=chair@wsab.example.org.uk,wsab.service@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 4 overdue: chase 1 of 3",
		"= s4 #5 open due 2027-02-01T17:00+00:00 wake 2027-02-08T17:00+00:00",
		"> 2027-02-08T17:00 tick",
		"mail chase s5/d2027-02-01T17:00+00:00/c1 nb=2027-02-08T17:00+00:00 to=chair@wsab.example.org.uk,wsab.service@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 4 overdue: chase 2 of 3",
		"= s4 #5 open due 2027-02-01T17:00+00:00 wake 2027-02-15T17:00+00:00",
		"> 2027-02-15T17:00 tick",
		"mail chase s5/d2027-02-01T17:00+00:00/c2 nb=2027-02-15T17:00+00:00 to=chair@wsab.example.org.uk,wsab.service@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 4 overdue: chase 3 of 3",
		"= s4 #5 open due 2027-02-01T17:00+00:00 wake 0",
		"> 2027-03-01T10:00 tick",
		"= s4 #5 open due 2027-02-01T17:00+00:00 wake 0",
		NULL } },
/* 3, 5, 5, 10 days: 26 Nov, 3 Dec, 10 Dec, 24 Dec.  The chase due at
 * 17:00 on Christmas Eve is decided on Christmas Day and held to Tuesday
 * 29th 09:00; the next at 5 and 10 working days: 5 and 12 January. */
{ "wscb ladder ticked daily at noon: reminders, escalations, chases", "wscb",
  NULL, 0, NULL,
  { "2026-11-23T10:00 open 1", "2026-11-23T12:00 daily 60" },
  {
		"> 2026-11-23T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-11-23T10:00+00:00 to=childrens.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioners)",
		"= s1 #0 open due 2026-11-26T17:00+00:00 wake 2026-11-26T09:00+00:00",
		"> 2026-11-23T12:00 daily 60",
		"@ 2026-11-26T12:00+00:00",
		"mail reminder s0/d2026-11-26T17:00+00:00/r0 nb=2026-11-26T12:00+00:00 to=childrens.duty@wigan.example.gov.uk",
		"event reminder: reminder for stage 1",
		"@ 2026-11-27T12:00+00:00",
		"mail escalation s1/esc nb=2026-11-27T12:00+00:00 to=cal.manager@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Line manager / named safeguarding lead)",
		"@ 2026-12-02T12:00+00:00",
		"mail reminder s1/d2026-12-03T17:00+00:00/r0 nb=2026-12-02T12:00+00:00 to=cal.manager@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk",
		"event reminder: reminder for stage 2",
		"@ 2026-12-03T12:00+00:00",
		"mail reminder s1/d2026-12-03T17:00+00:00/r1 nb=2026-12-03T12:00+00:00 to=cal.manager@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk",
		"event reminder: reminder for stage 2",
		"@ 2026-12-04T12:00+00:00",
		"mail escalation s2/esc nb=2026-12-04T12:00+00:00 to=robin.rep@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (WSCB agency representative)",
		"@ 2026-12-09T12:00+00:00",
		"mail reminder s2/d2026-12-10T17:00+00:00/r0 nb=2026-12-09T12:00+00:00 to=robin.rep@wigan.example.gov.uk",
		"event reminder: reminder for stage 3",
		"@ 2026-12-10T12:00+00:00",
		"mail reminder s2/d2026-12-10T17:00+00:00/r1 nb=2026-12-10T12:00+00:00 to=robin.rep@wigan.example.gov.uk",
		"event reminder: reminder for stage 3",
		"@ 2026-12-11T12:00+00:00",
		"mail escalation s3/esc nb=2026-12-11T12:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (WSCB business manager / independent chair)",
		"@ 2026-12-22T12:00+00:00",
		"mail reminder s3/d2026-12-24T17:00+00:00/r0 nb=2026-12-22T12:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk",
		"event reminder: reminder for stage 4",
		"@ 2026-12-24T12:00+00:00",
		"mail reminder s3/d2026-12-24T17:00+00:00/r1 nb=2026-12-24T12:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk",
		"event reminder: reminder for stage 4",
		"@ 2026-12-25T12:00+00:00",
		"mail chase s3/d2026-12-24T17:00+00:00/c0 nb=2026-12-29T09:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk cc=raiser@example.org",
		"event chased: stage 4 overdue: chase 1 of 3",
		"@ 2027-01-06T12:00+00:00",
		"mail chase s3/d2026-12-24T17:00+00:00/c1 nb=2027-01-06T12:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk cc=raiser@example.org",
		"event chased: stage 4 overdue: chase 2 of 3",
		"@ 2027-01-13T12:00+00:00",
		"mail chase s3/d2026-12-24T17:00+00:00/c2 nb=2027-01-13T12:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk cc=raiser@example.org",
		"event chased: stage 4 overdue: chase 3 of 3",
		"= s4 #3 open due 2026-12-24T17:00+00:00 wake 0",
		NULL } },
/* Same working day (raised after hours: the next one), then 1, then 5
 * days; chased every 2 working days, 3 in all. */
/* Opened at 18:00: the stage's people are first told at 09:00 the next
 * morning, when its due-day reminder would fall too -- it is not sent
 * beside the first email; the deadline still escalates. */
{ "a stage entered out of hours: no reminder in the minute of its first email",
  "wsp-covid", NULL, 0, NULL,
  { "2026-11-23T18:00 open 1", "2026-11-24T09:00 tick",
    "2026-11-24T13:00 tick", "2026-11-24T17:00 tick" },
  {
		"> 2026-11-23T18:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-11-24T09:00+00:00 to=adult.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Informal resolution)",
		"= s1 #0 open due 2026-11-24T17:00+00:00 wake 2026-11-24T17:00+00:00",
		"> 2026-11-24T09:00 tick",
		"= s1 #0 open due 2026-11-24T17:00+00:00 wake 2026-11-24T17:00+00:00",
		"> 2026-11-24T13:00 tick",
		"= s1 #0 open due 2026-11-24T17:00+00:00 wake 2026-11-24T17:00+00:00",
		"> 2026-11-24T17:00 tick",
		"mail escalation s1/esc nb=2026-11-24T17:00+00:00 to=safeguarding.adults@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Safeguarding leads resolution)",
		"= s2 #1 open due 2026-11-25T17:00+00:00 wake 2026-11-25T09:00+00:00",
		NULL } },
{ "wsp-covid ladder opened after hours, then chased out", "wsp-covid", NULL, 0,
  NULL,
  { "2026-11-23T18:00 open 1", "2026-11-24T17:00 tick",
    "2026-11-25T17:00 tick", "2026-12-02T17:00 tick", "2026-12-04T17:00 tick",
    "2026-12-08T17:00 tick", "2026-12-31T12:00 tick" },
  {
		"> 2026-11-23T18:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-11-24T09:00+00:00 to=adult.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Informal resolution)",
		"= s1 #0 open due 2026-11-24T17:00+00:00 wake 2026-11-24T17:00+00:00",
		"> 2026-11-24T17:00 tick",
		"mail escalation s1/esc nb=2026-11-24T17:00+00:00 to=safeguarding.adults@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Safeguarding leads resolution)",
		"= s2 #1 open due 2026-11-25T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T17:00 tick",
		"mail escalation s2/esc nb=2026-11-25T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Safeguarding Partnership Executive)",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		"> 2026-12-02T17:00 tick",
		"mail chase s2/d2026-12-02T17:00+00:00/c0 nb=2026-12-02T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 1 of 3",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 2026-12-04T17:00+00:00",
		"> 2026-12-04T17:00 tick",
		"mail chase s2/d2026-12-02T17:00+00:00/c1 nb=2026-12-04T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 2 of 3",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 2026-12-08T17:00+00:00",
		"> 2026-12-08T17:00 tick",
		"mail chase s2/d2026-12-02T17:00+00:00/c2 nb=2026-12-08T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 3 of 3",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 0",
		"> 2026-12-31T12:00 tick",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 0",
		NULL } },
/* ---- reminders ---- */
{ "reminders on the mornings of the day before and the due day, once each",
  "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-25T08:59 tick",
    "2026-11-25T09:00 tick", "2026-11-25T09:05 tick", "2026-11-26T09:00 tick",
    "2026-11-26T23:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T08:59 tick",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T09:00 tick",
		"mail reminder s3/d2026-11-26T17:00+00:00/r0 nb=2026-11-25T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-26T09:00+00:00",
		"> 2026-11-25T09:05 tick",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-26T09:00+00:00",
		"> 2026-11-26T09:00 tick",
		"mail reminder s3/d2026-11-26T17:00+00:00/r1 nb=2026-11-26T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-26T17:00+00:00",
		"> 2026-11-26T23:00 tick",
		"mail escalation s4/esc nb=2026-11-27T09:00+00:00 to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		NULL } },
{ "reminders missed while down: only the latest is sent", "twsp", NULL, 0,
  NULL,
  { "2026-11-23T10:00 open 3", "2026-11-26T12:00 tick",
    "2026-11-26T13:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-26T12:00 tick",
		"mail reminder s3/d2026-11-26T17:00+00:00/r1 nb=2026-11-26T12:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-26T17:00+00:00",
		"> 2026-11-26T13:00 tick",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-26T17:00+00:00",
		NULL } },
{ "twsp stage 5's second step reminds two working days before, across a weekend", "twsp",
  NULL, 0, NULL,
  { "2026-11-26T10:00 open 5", "2026-12-01T09:00 tick", "2026-12-03T08:00 tick",
    "2026-12-03T09:00 tick", "2026-12-07T09:00 tick" },
  {
		"> 2026-11-26T10:00 open 5",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s5/start nb=2026-11-26T10:00+00:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"= s5 #5 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-12-01T09:00 tick",
		"mail escalation s6/esc nb=2026-12-01T09:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event escalated: stage 5 expired; escalated to stage 5 (TWSP Executive: final and binding decision)",
		"= s5 #6 open due 2026-12-07T17:00+00:00 wake 2026-12-03T09:00+00:00",
		"> 2026-12-03T08:00 tick",
		"= s5 #6 open due 2026-12-07T17:00+00:00 wake 2026-12-03T09:00+00:00",
		"> 2026-12-03T09:00 tick",
		"mail reminder s6/d2026-12-07T17:00+00:00/r0 nb=2026-12-03T09:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk",
		"event reminder: reminder for stage 5",
		"= s5 #6 open due 2026-12-07T17:00+00:00 wake 2026-12-07T09:00+00:00",
		"> 2026-12-07T09:00 tick",
		"mail reminder s6/d2026-12-07T17:00+00:00/r1 nb=2026-12-07T09:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk",
		"event reminder: reminder for stage 5",
		"= s5 #6 open due 2026-12-07T17:00+00:00 wake 2026-12-07T17:00+00:00",
		NULL } },
{ "reminder the working day before a due day after Christmas", "twsp", NULL, 0,
  NULL,
  { "2026-12-21T10:00 open 2", "2026-12-24T09:30 tick",
    "2026-12-29T09:00 tick", "2026-12-29T17:00 tick" },
  {
		"> 2026-12-21T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s2/start nb=2026-12-21T10:00+00:00 to=tal.manager@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line / team managers)",
		"= s2 #2 open due 2026-12-29T17:00+00:00 wake 2026-12-24T09:00+00:00",
		"> 2026-12-24T09:30 tick",
		"mail reminder s2/d2026-12-29T17:00+00:00/r0 nb=2026-12-24T09:30+00:00 to=tal.manager@telford.example.gov.uk",
		"event reminder: reminder for stage 2",
		"= s2 #2 open due 2026-12-29T17:00+00:00 wake 2026-12-29T09:00+00:00",
		"> 2026-12-29T09:00 tick",
		"mail reminder s2/d2026-12-29T17:00+00:00/r1 nb=2026-12-29T09:00+00:00 to=tal.manager@telford.example.gov.uk",
		"event reminder: reminder for stage 2",
		"= s2 #2 open due 2026-12-29T17:00+00:00 wake 2026-12-29T17:00+00:00",
		"> 2026-12-29T17:00 tick",
		"mail escalation s3/esc nb=2026-12-29T17:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2027-01-04T17:00+00:00 wake 2026-12-31T09:00+00:00",
		NULL } },
/* Thursday 22 October 2026 10:00 BST + 2 working days: Monday 26th
 * 17:00 GMT.  Reminders at 09:00 local: 08:00Z on Friday, 09:00Z on
 * Monday; the deadline is 17:00Z, not 16:00Z. */
{ "reminders and deadline across the October 2026 clock change", "twsp", NULL,
  0, NULL,
  { "2026-10-22T10:00 open 1", "2026-10-23T08:00:00Z tick",
    "2026-10-26T08:30:00Z tick", "2026-10-26T09:00:00Z tick",
    "2026-10-26T16:30:00Z tick", "2026-10-26T17:00:00Z tick" },
  {
		"> 2026-10-22T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-10-22T10:00+01:00 to=family.connect@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioners: raise the disagreement)",
		"= s1 #0 open due 2026-10-26T17:00+00:00 wake 2026-10-23T09:00+01:00",
		"> 2026-10-23T08:00:00Z tick",
		"mail reminder s0/d2026-10-26T17:00+00:00/r0 nb=2026-10-23T09:00+01:00 to=family.connect@telford.example.gov.uk",
		"event reminder: reminder for stage 1",
		"= s1 #0 open due 2026-10-26T17:00+00:00 wake 2026-10-26T09:00+00:00",
		"> 2026-10-26T08:30:00Z tick",
		"= s1 #0 open due 2026-10-26T17:00+00:00 wake 2026-10-26T09:00+00:00",
		"> 2026-10-26T09:00:00Z tick",
		"mail reminder s0/d2026-10-26T17:00+00:00/r1 nb=2026-10-26T09:00+00:00 to=family.connect@telford.example.gov.uk",
		"event reminder: reminder for stage 1",
		"= s1 #0 open due 2026-10-26T17:00+00:00 wake 2026-10-26T17:00+00:00",
		"> 2026-10-26T16:30:00Z tick",
		"= s1 #0 open due 2026-10-26T17:00+00:00 wake 2026-10-26T17:00+00:00",
		"> 2026-10-26T17:00:00Z tick",
		"mail escalation s1/esc nb=2026-10-26T17:00+00:00 to=family.connect@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 1 (Practitioners: review and seek agreement)",
		"= s1 #1 open due 2026-11-02T17:00+00:00 wake 2026-10-30T09:00+00:00",
		NULL } },
/* Wednesday 24 March 2027 + 3 working days (Thu 25, Tue 30, Wed 31):
 * 17:00 BST = 16:00Z; the reminder at 09:00 BST = 08:00Z. */
{ "reminder and deadline across Easter and the March 2027 clock change",
  "wscb", NULL, 0, NULL,
  { "2027-03-24T10:00 open 1", "2027-03-31T07:30:00Z tick",
    "2027-03-31T08:00:00Z tick", "2027-03-31T15:59:59Z tick",
    "2027-03-31T16:00:00Z tick" },
  {
		"> 2027-03-24T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2027-03-24T10:00+00:00 to=childrens.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioners)",
		"= s1 #0 open due 2027-03-31T17:00+01:00 wake 2027-03-31T09:00+01:00",
		"> 2027-03-31T07:30:00Z tick",
		"= s1 #0 open due 2027-03-31T17:00+01:00 wake 2027-03-31T09:00+01:00",
		"> 2027-03-31T08:00:00Z tick",
		"mail reminder s0/d2027-03-31T17:00+01:00/r0 nb=2027-03-31T09:00+01:00 to=childrens.duty@wigan.example.gov.uk",
		"event reminder: reminder for stage 1",
		"= s1 #0 open due 2027-03-31T17:00+01:00 wake 2027-03-31T17:00+01:00",
		"> 2027-03-31T15:59:59Z tick",
		"= s1 #0 open due 2027-03-31T17:00+01:00 wake 2027-03-31T17:00+01:00",
		"> 2027-03-31T16:00:00Z tick",
		"mail escalation s1/esc nb=2027-03-31T17:00+01:00 to=cal.manager@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Line manager / named safeguarding lead)",
		"= s2 #1 open due 2027-04-07T17:00+01:00 wake 2027-04-06T09:00+01:00",
		NULL } },
/* ---- escalation at expiry ---- */
{ "escalation at the due time exactly, not a second before", "twsp", NULL, 0,
  NULL,
  { "2026-11-23T10:00 open 2", "2026-11-27T16:59:59 tick",
    "2026-11-27T17:00 tick", "2026-11-27T17:00 tick" },
  {
		"> 2026-11-23T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s2/start nb=2026-11-23T10:00+00:00 to=tal.manager@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line / team managers)",
		"= s2 #2 open due 2026-11-27T17:00+00:00 wake 2026-11-26T09:00+00:00",
		"> 2026-11-27T16:59:59 tick",
		"mail reminder s2/d2026-11-27T17:00+00:00/r1 nb=2026-11-27T16:59:59+00:00 to=tal.manager@telford.example.gov.uk",
		"event reminder: reminder for stage 2",
		"= s2 #2 open due 2026-11-27T17:00+00:00 wake 2026-11-27T17:00+00:00",
		"> 2026-11-27T17:00 tick",
		"mail escalation s3/esc nb=2026-11-27T17:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		"> 2026-11-27T17:00 tick",
		"= s3 #3 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		NULL } },
{ "escalation decided on Christmas Eve night is held to the next working morning",
  "twsp", NULL, 0, NULL,
  { "2026-12-21T10:00 open 3", "2026-12-24T18:00 tick" },
  {
		"> 2026-12-21T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-12-21T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-12-24T17:00+00:00 wake 2026-12-23T09:00+00:00",
		"> 2026-12-24T18:00 tick",
		"mail escalation s4/esc nb=2026-12-29T09:00+00:00 to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2027-01-04T17:00+00:00 wake 2026-12-31T09:00+00:00",
		NULL } },
{ "escalation decided on Good Friday is held past Easter Monday, in BST",
  "wsab", NULL, 0, NULL,
  { "2027-03-18T10:00 open 2", "2027-03-26T10:00 tick" },
  {
		"> 2027-03-18T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s1/start nb=2027-03-18T10:00+00:00 to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line manager to line manager)",
		"= s2 #1 open due 2027-03-25T17:00+00:00 wake 2027-03-24T09:00+00:00",
		"> 2027-03-26T10:00 tick",
		"mail escalation s2/esc nb=2027-03-30T09:00+01:00 to=harper.head@wigan.example.gov.uk,dana.director@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Head of service to head of service, then director)",
		"= s3 #2 open due 2027-04-05T17:00+01:00 wake 2027-04-02T09:00+01:00",
		NULL } },
/* ---- chasing ---- */
/* Stage 5: 7 working days (due Wednesday 2 December), reminded 2 days
 * before and that morning, chased at 2 Dec, 4 Dec (decided on Saturday,
 * held to Monday), 8 and 10 Dec: chase_max 3 is 4 chases. */
{ "twsp last stage chased every 2 working days, 4 times, then left overdue",
  "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 5", "2026-11-23T10:00 daily 60" },
  {
		"> 2026-11-23T10:00 open 5",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s5/start nb=2026-11-23T10:00+00:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"= s5 #5 open due 2026-11-25T17:00+00:00 wake 2026-11-24T09:00+00:00",
		"> 2026-11-23T10:00 daily 60",
		"@ 2026-11-24T10:00+00:00",
		"mail reminder s5/d2026-11-25T17:00+00:00/r0 nb=2026-11-24T10:00+00:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk",
		"event reminder: reminder for stage 5",
		"@ 2026-11-25T10:00+00:00",
		"mail reminder s5/d2026-11-25T17:00+00:00/r1 nb=2026-11-25T10:00+00:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk",
		"event reminder: reminder for stage 5",
		"@ 2026-11-26T10:00+00:00",
		"mail escalation s6/esc nb=2026-11-26T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event escalated: stage 5 expired; escalated to stage 5 (TWSP Executive: final and binding decision)",
		"@ 2026-11-30T10:00+00:00",
		"mail reminder s6/d2026-12-02T17:00+00:00/r0 nb=2026-11-30T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk",
		"event reminder: reminder for stage 5",
		"@ 2026-12-02T10:00+00:00",
		"mail reminder s6/d2026-12-02T17:00+00:00/r1 nb=2026-12-02T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk",
		"event reminder: reminder for stage 5",
		"@ 2026-12-03T10:00+00:00",
		"mail chase s6/d2026-12-02T17:00+00:00/c0 nb=2026-12-03T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event chased: stage 5 overdue: chase 1 of 4",
		"@ 2026-12-05T10:00+00:00",
		"mail chase s6/d2026-12-02T17:00+00:00/c1 nb=2026-12-07T09:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event chased: stage 5 overdue: chase 2 of 4",
		"@ 2026-12-09T10:00+00:00",
		"mail chase s6/d2026-12-02T17:00+00:00/c2 nb=2026-12-09T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event chased: stage 5 overdue: chase 3 of 4",
		"@ 2026-12-11T10:00+00:00",
		"mail chase s6/d2026-12-02T17:00+00:00/c3 nb=2026-12-11T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event chased: stage 5 overdue: chase 4 of 4",
		"= s5 #6 open due 2026-12-02T17:00+00:00 wake 0",
		NULL } },
{ "chases missed while down: only the latest is sent", "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 5", "2026-12-09T10:00 tick",
    "2026-12-10T17:00 tick", "2026-12-31T10:00 tick" },
  {
		"> 2026-11-23T10:00 open 5",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s5/start nb=2026-11-23T10:00+00:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"= s5 #5 open due 2026-11-25T17:00+00:00 wake 2026-11-24T09:00+00:00",
		"> 2026-12-09T10:00 tick",
		"mail escalation s6/esc nb=2026-12-09T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"mail chase s6/d2026-12-02T17:00+00:00/c2 nb=2026-12-09T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event escalated: stage 5 expired; escalated to stage 5 (TWSP Executive: final and binding decision)",
		"event chased: stage 5 overdue: chase 3 of 4",
		"= s5 #6 open due 2026-12-02T17:00+00:00 wake 2026-12-10T17:00+00:00",
		"> 2026-12-10T17:00 tick",
		"mail chase s6/d2026-12-02T17:00+00:00/c3 nb=2026-12-10T17:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event chased: stage 5 overdue: chase 4 of 4",
		"= s5 #6 open due 2026-12-02T17:00+00:00 wake 0",
		"> 2026-12-31T10:00 tick",
		"= s5 #6 open due 2026-12-02T17:00+00:00 wake 0",
		NULL } },
{ "wsp-covid last stage chased across Christmas", "wsp-covid", NULL, 0, NULL,
  { "2026-12-17T10:00 open 3", "2026-12-24T17:00 tick",
    "2026-12-30T16:00 tick", "2026-12-30T17:00 tick", "2027-01-04T17:00 tick" },
  {
		"> 2026-12-17T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s2/start nb=2026-12-17T10:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Safeguarding Partnership Executive)",
		"= s3 #2 open due 2026-12-24T17:00+00:00 wake 2026-12-23T09:00+00:00",
		"> 2026-12-24T17:00 tick",
		"mail chase s2/d2026-12-24T17:00+00:00/c0 nb=2026-12-24T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 1 of 3",
		"= s3 #2 open due 2026-12-24T17:00+00:00 wake 2026-12-30T17:00+00:00",
		"> 2026-12-30T16:00 tick",
		"= s3 #2 open due 2026-12-24T17:00+00:00 wake 2026-12-30T17:00+00:00",
		"> 2026-12-30T17:00 tick",
		"mail chase s2/d2026-12-24T17:00+00:00/c1 nb=2026-12-30T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 2 of 3",
		"= s3 #2 open due 2026-12-24T17:00+00:00 wake 2027-01-04T17:00+00:00",
		"> 2027-01-04T17:00 tick",
		"mail chase s2/d2026-12-24T17:00+00:00/c2 nb=2027-01-04T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 3 of 3",
		"= s3 #2 open due 2026-12-24T17:00+00:00 wake 0",
		NULL } },
/* ---- pause and resume ---- */
{ "pause stops the clock, resume restarts it with the days that were left",
  "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3",
    "2026-11-24T11:00 pause by lead@telford.example.gov.uk: manager off sick",
    "2026-11-27T12:00 tick", "2026-11-27T12:05 pause",
    "2026-12-01T10:00 resume by lead@telford.example.gov.uk: back",
    "2026-12-02T09:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T11:00 pause by lead@telford.example.gov.uk: manager off sick",
		"mail paused cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org,lead@telford.example.gov.uk note='manager off sick' by=lead@telford.example.gov.uk",
		"event paused by lead@telford.example.gov.uk: paused at stage 3: manager off sick",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-11-27T12:00 tick",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-11-27T12:05 pause",
		"refused: TWSP-2026-0001 is already paused",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-12-01T10:00 resume by lead@telford.example.gov.uk: back",
		"mail resumed cmd/m4 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org,lead@telford.example.gov.uk note='back' by=lead@telford.example.gov.uk",
		"event resumed by lead@telford.example.gov.uk: resumed at stage 3 with 2 working days left: back",
		"= s3 #3 open due 2026-12-03T17:00+00:00 wake 2026-12-02T09:00+00:00",
		"> 2026-12-02T09:00 tick",
		"mail reminder s3/d2026-12-03T17:00+00:00/r0 nb=2026-12-02T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-12-03T17:00+00:00 wake 2026-12-03T09:00+00:00",
		NULL } },
{ "pause reminders every 5 working days while paused", "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-24T11:00 pause: waiting for a report",
    "2026-12-01T16:59 tick", "2026-12-01T17:00 tick", "2026-12-08T17:00 tick",
    "2026-12-09T10:00 resume" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T11:00 pause: waiting for a report",
		"mail paused cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='waiting for a report' by=cli:admin",
		"event paused by cli:admin: paused at stage 3: waiting for a report",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-12-01T16:59 tick",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-12-01T17:00 tick",
		"mail pause-reminder p2026-11-24T11:00+00:00/r1 nb=2026-12-01T17:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org",
		"event pause-reminder: paused for 5 working days: reminder to resume sent",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-08T17:00+00:00",
		"> 2026-12-08T17:00 tick",
		"mail pause-reminder p2026-11-24T11:00+00:00/r2 nb=2026-12-08T17:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org",
		"event pause-reminder: paused for 10 working days: reminder to resume sent",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-15T17:00+00:00",
		"> 2026-12-09T10:00 resume",
		"mail resumed cmd/m5 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event resumed by cli:admin: resumed at stage 3 with 2 working days left",
		"= s3 #3 open due 2026-12-11T17:00+00:00 wake 2026-12-10T09:00+00:00",
		NULL } },
{ "pause reminders missed while down: only the latest is sent", "twsp", NULL,
  0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-24T11:00 pause",
    "2026-12-16T10:00 tick", "2026-12-16T10:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T11:00 pause",
		"mail paused cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event paused by cli:admin: paused at stage 3: ",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-12-16T10:00 tick",
		"mail pause-reminder p2026-11-24T11:00+00:00/r3 nb=2026-12-16T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org",
		"event pause-reminder: paused for 15 working days: reminder to resume sent",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-22T17:00+00:00",
		"> 2026-12-16T10:00 tick",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-22T17:00+00:00",
		NULL } },
/* Due Monday 21 December; paused Wednesday 16th with 3 days left
 * (17, 18, 21); resumed Christmas Eve: 29, 30, 31 December. */
{ "pause over Christmas: the days left count again from the resume", "wsab",
  NULL, 0, NULL,
  { "2026-12-14T10:00 open 2", "2026-12-16T10:00 pause",
    "2026-12-23T17:00 tick", "2026-12-24T10:00 resume" },
  {
		"> 2026-12-14T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s1/start nb=2026-12-14T10:00+00:00 to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line manager to line manager)",
		"= s2 #1 open due 2026-12-21T17:00+00:00 wake 2026-12-18T09:00+00:00",
		"> 2026-12-16T10:00 pause",
		"mail paused cmd/m1 nb=now to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event paused by cli:admin: paused at stage 2: ",
		"= s2 #1 paused left 3 due 2026-12-21T17:00+00:00 wake 2026-12-23T17:00+00:00",
		"> 2026-12-23T17:00 tick",
		"mail pause-reminder p2026-12-16T10:00+00:00/r1 nb=2026-12-23T17:00+00:00 to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk cc=raiser@example.org",
		"event pause-reminder: paused for 5 working days: reminder to resume sent",
		"= s2 #1 paused left 3 due 2026-12-21T17:00+00:00 wake 2027-01-04T17:00+00:00",
		"> 2026-12-24T10:00 resume",
		"mail resumed cmd/m3 nb=now to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event resumed by cli:admin: resumed at stage 2 with 3 working days left",
		"= s2 #1 open due 2026-12-31T17:00+00:00 wake 2026-12-30T09:00+00:00",
		NULL } },
{ "an overdue last stage paused and resumed is due at the close of that day",
  "wsp-covid", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-30T17:00 tick",
    "2026-12-01T10:00 pause", "2026-12-02T11:00 resume",
    "2026-12-02T17:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s2/start nb=2026-11-23T10:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Safeguarding Partnership Executive)",
		"= s3 #2 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-30T17:00 tick",
		"mail chase s2/d2026-11-30T17:00+00:00/c0 nb=2026-11-30T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 1 of 3",
		"= s3 #2 open due 2026-11-30T17:00+00:00 wake 2026-12-02T17:00+00:00",
		"> 2026-12-01T10:00 pause",
		"mail paused cmd/m2 nb=now to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event paused by cli:admin: paused at stage 3: ",
		"= s3 #2 paused left 0 due 2026-11-30T17:00+00:00 wake 2026-12-03T17:00+00:00",
		"> 2026-12-02T11:00 resume",
		"mail resumed cmd/m3 nb=now to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event resumed by cli:admin: resumed at stage 3 with 0 working days left",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		"> 2026-12-02T17:00 tick",
		"mail chase s2/d2026-12-02T17:00+00:00/c0 nb=2026-12-02T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 3 overdue: chase 1 of 3",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 2026-12-04T17:00+00:00",
		NULL } },
{ "resume of an open case is refused and changes nothing", "twsp", NULL, 0,
  NULL,
  { "2026-11-23T10:00 open 3", "2026-11-24T10:00 resume" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T10:00 resume",
		"refused: TWSP-2026-0001 is not paused",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		NULL } },
/* ---- extend ---- */
{ "extend moves the deadline; 0 or more than the maximum is refused", "twsp",
  NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-23T11:00 extend 3: agreed at meeting",
    "2026-11-23T11:05 extend 99", "2026-11-23T11:06 extend 0" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-23T11:00 extend 3: agreed at meeting",
		"mail extended cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='agreed at meeting' by=cli:admin",
		"event extended by cli:admin: stage 3 extended by 3 working days (3 of the 10 allowed), agreed by cli:admin: agreed at meeting",
		"= s3 #3 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-11-23T11:05 extend 99",
		"refused: an extension of 99 working days is too long: stage 3 may be given at most 10 working days beyond its timescale in all (EXTEND and TIMESCALE together); 7 are left",
		"= s3 #3 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-11-23T11:06 extend 0",
		"refused: an extension must be at least 1 working day",
		"= s3 #3 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		NULL } },
{ "extend after a reminder: the new deadline is reminded again", "twsp", NULL,
  0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-25T09:00 tick",
    "2026-11-25T10:00 extend 2", "2026-11-26T09:00 tick",
    "2026-11-27T09:00 tick", "2026-11-30T09:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T09:00 tick",
		"mail reminder s3/d2026-11-26T17:00+00:00/r0 nb=2026-11-25T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-26T09:00+00:00",
		"> 2026-11-25T10:00 extend 2",
		"mail extended cmd/m2 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event extended by cli:admin: stage 3 extended by 2 working days (2 of the 10 allowed), agreed by cli:admin: ",
		"= s3 #3 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-26T09:00 tick",
		"= s3 #3 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-27T09:00 tick",
		"mail reminder s3/d2026-11-30T17:00+00:00/r0 nb=2026-11-27T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-30T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-11-30T09:00 tick",
		"mail reminder s3/d2026-11-30T17:00+00:00/r1 nb=2026-11-30T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-30T17:00+00:00 wake 2026-11-30T17:00+00:00",
		NULL } },
{ "extend of an overdue chased stage counts from now", "wscb", NULL, 0, NULL,
  { "2026-11-23T10:00 open 4", "2026-12-07T17:00 tick",
    "2026-12-09T10:00 extend 5 by sam.manager@wigan.example.gov.uk: report due" },
  {
		"> 2026-11-23T10:00 open 4",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk",
		"event opened by raiser@example.org: opened at stage 4 (WSCB business manager / independent chair)",
		"= s4 #3 open due 2026-12-07T17:00+00:00 wake 2026-12-03T09:00+00:00",
		"> 2026-12-07T17:00 tick",
		"mail chase s3/d2026-12-07T17:00+00:00/c0 nb=2026-12-07T17:00+00:00 to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk cc=raiser@example.org",
		"event chased: stage 4 overdue: chase 1 of 3",
		"= s4 #3 open due 2026-12-07T17:00+00:00 wake 2026-12-14T17:00+00:00",
		"> 2026-12-09T10:00 extend 5 by sam.manager@wigan.example.gov.uk: report due",
		"mail extended cmd/m2 nb=now to=wscb.business@wigan.example.gov.uk,chair@partnership.example.org.uk cc=raiser@example.org,sam.manager@wigan.example.gov.uk note='report due' by=sam.manager@wigan.example.gov.uk",
		"event extended by sam.manager@wigan.example.gov.uk: stage 4 extended by 5 working days (5 of the 10 allowed), agreed by sam.manager@wigan.example.gov.uk: report due",
		"= s4 #3 open due 2026-12-16T17:00+00:00 wake 2026-12-14T09:00+00:00",
		NULL } },
{ "extend while paused adds to the days left", "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-24T11:00 pause",
    "2026-11-25T10:00 extend 3", "2026-12-01T10:00 resume" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T11:00 pause",
		"mail paused cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event paused by cli:admin: paused at stage 3: ",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-11-25T10:00 extend 3",
		"mail extended cmd/m2 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event extended by cli:admin: stage 3 extended by 3 working days (3 of the 10 allowed), agreed by cli:admin: ",
		"= s3 #3 paused left 5 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-12-01T10:00 resume",
		"mail resumed cmd/m3 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event resumed by cli:admin: resumed at stage 3 with 5 working days left",
		"= s3 #3 open due 2026-12-08T17:00+00:00 wake 2026-12-07T09:00+00:00",
		NULL } },
/* Issue 13: EXTEND capped in total per stage (TWSP: 10 working days),
 * each recorded with who agreed it; the next stage has its own. */
{ "extensions capped in total per stage; the next stage starts afresh",
  "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3",
    "2026-11-23T11:00 extend 6 by tia.lead@telford.example.gov.uk: GP report",
    "2026-11-30T11:00 extend 4 by teo.head@telford.example.gov.uk: meeting moved",
    "2026-12-01T11:00 extend 1: one more day", "2026-12-10T17:00 tick",
    "2026-12-11T10:00 extend 2: agreed" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-23T11:00 extend 6 by tia.lead@telford.example.gov.uk: GP report",
		"mail extended cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org,tia.lead@telford.example.gov.uk note='GP report' by=tia.lead@telford.example.gov.uk",
		"event extended by tia.lead@telford.example.gov.uk: stage 3 extended by 6 working days (6 of the 10 allowed), agreed by tia.lead@telford.example.gov.uk: GP report",
		"= s3 #3 open due 2026-12-04T17:00+00:00 wake 2026-12-03T09:00+00:00",
		"> 2026-11-30T11:00 extend 4 by teo.head@telford.example.gov.uk: meeting moved",
		"mail extended cmd/m2 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org,teo.head@telford.example.gov.uk note='meeting moved' by=teo.head@telford.example.gov.uk",
		"event extended by teo.head@telford.example.gov.uk: stage 3 extended by 4 working days (10 of the 10 allowed), agreed by teo.head@telford.example.gov.uk: meeting moved",
		"= s3 #3 open due 2026-12-10T17:00+00:00 wake 2026-12-09T09:00+00:00",
		"> 2026-12-01T11:00 extend 1: one more day",
		"refused: an extension of 1 working day is too long: stage 3 may be given at most 10 working days beyond its timescale in all (EXTEND and TIMESCALE together); none are left",
		"= s3 #3 open due 2026-12-10T17:00+00:00 wake 2026-12-09T09:00+00:00",
		"> 2026-12-10T17:00 tick",
		"mail escalation s4/esc nb=2026-12-10T17:00+00:00 to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2026-12-16T17:00+00:00 wake 2026-12-15T09:00+00:00",
		"> 2026-12-11T10:00 extend 2: agreed",
		"mail extended cmd/m5 nb=now to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org note='agreed' by=cli:admin",
		"event extended by cli:admin: stage 4 extended by 2 working days (2 of the 10 allowed), agreed by cli:admin: agreed",
		"= s4 #4 open due 2026-12-18T17:00+00:00 wake 2026-12-17T09:00+00:00",
		NULL } },
/* TIMESCALE N: the stage's timescale is N working days from its start,
 * recorded with who set it and why; shorter than the protocol's (004
 * 2.4); reminders already past are not sent. */
{ "timescale shortens the stage, counted from its start", "twsp", NULL, 0,
  NULL,
  { "2026-11-23T10:00 open 3",
    "2026-11-23T11:00 timescale 1 by tia.lead@telford.example.gov.uk: risk increasing",
    "2026-11-24T09:00 tick", "2026-11-24T17:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-23T11:00 timescale 1 by tia.lead@telford.example.gov.uk: risk increasing",
		"mail timescale cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org,tia.lead@telford.example.gov.uk note='risk increasing' by=tia.lead@telford.example.gov.uk",
		"event timescale by tia.lead@telford.example.gov.uk: stage 3 timescale set to 1 working day from its start (the protocol's: 3), agreed by tia.lead@telford.example.gov.uk: risk increasing",
		"= s3 #3 open due 2026-11-24T17:00+00:00 wake 2026-11-24T09:00+00:00",
		"> 2026-11-24T09:00 tick",
		"mail reminder s3/d2026-11-24T17:00+00:00/r1 nb=2026-11-24T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-24T17:00+00:00 wake 2026-11-24T17:00+00:00",
		"> 2026-11-24T17:00 tick",
		"mail escalation s4/esc nb=2026-11-24T17:00+00:00 to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		NULL } },
/* A timescale that would put the deadline in the past is refused, with
 * the shortest that would not; one longer than the stage's own counts
 * against the extension cap. */
{ "timescale into the past or beyond the cap is refused", "twsp", NULL, 0,
  NULL,
  { "2026-11-23T10:00 open 3", "2026-11-25T10:00 timescale 1: urgent now",
    "2026-11-25T10:01 timescale 14: more time", "2026-11-25T10:02 timescale 2: today",
    "2026-11-25T10:03 timescale 8: the panel meets on the 3rd",
    "2026-11-25T10:04 extend 6: more", "2026-11-25T10:05 extend 5: more" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T10:00 timescale 1: urgent now",
		"refused: 1 working day from the start of stage 3 would make it due by 5pm on Tuesday 24 November 2026, which has passed; the shortest timescale now is 2 working days",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T10:01 timescale 14: more time",
		"refused: a timescale of 14 working days is too long: stage 3's own is 3 working days and it may be given at most 10 more (EXTEND and TIMESCALE together), 13 in all",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T10:02 timescale 2: today",
		"mail timescale cmd/m3 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='today' by=cli:admin",
		"event timescale by cli:admin: stage 3 timescale set to 2 working days from its start (the protocol's: 3), agreed by cli:admin: today",
		"= s3 #3 open due 2026-11-25T17:00+00:00 wake 2026-11-25T17:00+00:00",
		"> 2026-11-25T10:03 timescale 8: the panel meets on the 3rd",
		"mail timescale cmd/m4 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='the panel meets on the 3rd' by=cli:admin",
		"event timescale by cli:admin: stage 3 timescale set to 8 working days from its start (the protocol's: 3), agreed by cli:admin: the panel meets on the 3rd",
		"= s3 #3 open due 2026-12-03T17:00+00:00 wake 2026-12-02T09:00+00:00",
		"> 2026-11-25T10:04 extend 6: more",
		"refused: an extension of 6 working days is too long: stage 3 may be given at most 10 working days beyond its timescale in all (EXTEND and TIMESCALE together); 5 are left",
		"= s3 #3 open due 2026-12-03T17:00+00:00 wake 2026-12-02T09:00+00:00",
		"> 2026-11-25T10:05 extend 5: more",
		"mail extended cmd/m6 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='more' by=cli:admin",
		"event extended by cli:admin: stage 3 extended by 5 working days (10 of the 10 allowed), agreed by cli:admin: more",
		"= s3 #3 open due 2026-12-10T17:00+00:00 wake 2026-12-09T09:00+00:00",
		NULL } },
/* Paused: the days left are counted from the pause to the new deadline. */
{ "timescale while paused sets the days left", "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-24T10:00 pause: strategy meeting",
    "2026-11-24T11:00 timescale 5: agreed", "2026-11-30T10:00 resume" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T10:00 pause: strategy meeting",
		"mail paused cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='strategy meeting' by=cli:admin",
		"event paused by cli:admin: paused at stage 3: strategy meeting",
		"= s3 #3 paused left 2 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-11-24T11:00 timescale 5: agreed",
		"mail timescale cmd/m2 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='agreed' by=cli:admin",
		"event timescale by cli:admin: stage 3 timescale set to 5 working days from its start (the protocol's: 3), agreed by cli:admin: agreed",
		"= s3 #3 paused left 4 due 2026-11-26T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-11-30T10:00 resume",
		"mail resumed cmd/m3 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event resumed by cli:admin: resumed at stage 3 with 4 working days left",
		"= s3 #3 open due 2026-12-04T17:00+00:00 wake 2026-12-03T09:00+00:00",
		NULL } },
/* ---- escalate command ---- */
{ "escalate by request: the next stage counts from now, the requester copied",
  "wsab", NULL, 0, NULL,
  { "2026-11-23T10:00 open 2",
    "2026-11-24T15:00 escalate by sam.manager@wigan.example.gov.uk: no progress" },
  {
		"> 2026-11-23T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s1/start nb=2026-11-23T10:00+00:00 to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line manager to line manager)",
		"= s2 #1 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-24T15:00 escalate by sam.manager@wigan.example.gov.uk: no progress",
		"mail escalation cmd/m1 nb=2026-11-24T15:00+00:00 to=harper.head@wigan.example.gov.uk,dana.director@wigan.example.gov.uk cc=raiser@example.org,sam.manager@wigan.example.gov.uk note='no progress' by=sam.manager@wigan.example.gov.uk",
		"event escalated by sam.manager@wigan.example.gov.uk: escalated by request from stage 2 to stage 3: no progress",
		"= s3 #2 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		NULL } },
/* Issue 13: an ESCALATE by reply on a Saturday night was sent at once;
 * escalations are promised in working hours only. */
{ "escalate on a Saturday night reaches the next stage on Monday morning",
  "wsab", NULL, 0, NULL,
  { "2026-11-23T10:00 open 2",
    "2026-11-28T22:30 escalate by sam.manager@wigan.example.gov.uk: no progress" },
  {
		"> 2026-11-23T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s1/start nb=2026-11-23T10:00+00:00 to=sam.manager@wigan.example.gov.uk,safeguarding.adults@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line manager to line manager)",
		"= s2 #1 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-28T22:30 escalate by sam.manager@wigan.example.gov.uk: no progress",
		"mail escalation cmd/m1/sender nb=now to=sam.manager@wigan.example.gov.uk note='no progress' by=sam.manager@wigan.example.gov.uk",
		"mail escalation cmd/m1 nb=2026-11-30T09:00+00:00 to=harper.head@wigan.example.gov.uk,dana.director@wigan.example.gov.uk cc=raiser@example.org note='no progress' by=sam.manager@wigan.example.gov.uk",
		"event escalated by sam.manager@wigan.example.gov.uk: escalated by request from stage 2 to stage 3: no progress",
		"= s3 #2 open due 2026-12-07T17:00+00:00 wake 2026-12-04T09:00+00:00",
		NULL } },
/* Issue 13: commands held to working hours like everything else.  A PAUSE
 * and an EXTEND on a Saturday night: the stage's people and the raiser
 * hear on Monday at 09:00; the sender's own confirmation goes at once. */
{ "extend and pause on a Saturday night: the stage hears on Monday, the sender at once",
  "twsp", "tw-council,west-mercia", 0, NULL,
  { "2026-11-23T10:00 open 3",
    "2026-11-28T22:30 extend 2 by tia.lead@telford.example.gov.uk: report due",
    "2026-11-28T22:45 pause by tia.lead@telford.example.gov.uk: strategy meeting" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,wes.lead@westmercia.example.police.uk,teo.head@telford.example.gov.uk,hana.head@westmercia.example.police.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-28T22:30 extend 2 by tia.lead@telford.example.gov.uk: report due",
		"mail extended cmd/m1/sender nb=now to=tia.lead@telford.example.gov.uk note='report due' by=tia.lead@telford.example.gov.uk",
		"mail extended cmd/m1 nb=2026-11-30T09:00+00:00 to=wes.lead@westmercia.example.police.uk,teo.head@telford.example.gov.uk,hana.head@westmercia.example.police.uk cc=raiser@example.org note='report due' by=tia.lead@telford.example.gov.uk",
		"event extended by tia.lead@telford.example.gov.uk: stage 3 extended by 2 working days (2 of the 10 allowed), agreed by tia.lead@telford.example.gov.uk: report due",
		"= s3 #3 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		"> 2026-11-28T22:45 pause by tia.lead@telford.example.gov.uk: strategy meeting",
		"mail paused cmd/m2/sender nb=now to=tia.lead@telford.example.gov.uk note='strategy meeting' by=tia.lead@telford.example.gov.uk",
		"mail paused cmd/m2 nb=2026-11-30T09:00+00:00 to=wes.lead@westmercia.example.police.uk,teo.head@telford.example.gov.uk,hana.head@westmercia.example.police.uk cc=raiser@example.org note='strategy meeting' by=tia.lead@telford.example.gov.uk",
		"event paused by tia.lead@telford.example.gov.uk: paused at stage 3: strategy meeting",
		"= s3 #3 paused left 2 due 2026-12-02T17:00+00:00 wake 2026-12-07T17:00+00:00",
		NULL } },
{ "escalate through level 4 to the independent chair, then refused", "wsab",
  NULL, 0, NULL,
  { "2026-11-23T10:00 open 4", "2026-11-24T10:00 escalate: no meeting date",
    "2026-11-25T10:00 escalate: the leads cannot agree",
    "2026-11-26T10:00 escalate" },
  {
		"> 2026-11-23T10:00 open 4",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=wsab.service@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 4 (Exceptional: WSAB service manager)",
		"= s4 #3 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-24T10:00 escalate: no meeting date",
		"mail escalation cmd/m1 nb=2026-11-24T10:00+00:00 to=wsab.exec.one@wigan.example.gov.uk,wsab.exec.two@wigan.example.gov.uk,wsab.service@wigan.example.gov.uk cc=raiser@example.org note='no meeting date' by=cli:admin",
		"event escalated by cli:admin: escalated by request from stage 4 to stage 4: no meeting date",
		"= s4 #4 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-11-25T10:00 escalate: the leads cannot agree",
		"mail escalation cmd/m2 nb=2026-11-25T10:00+00:00 to=chair@wsab.example.org.uk,wsab.service@wigan.example.gov.uk cc=raiser@example.org note='the leads cannot agree' by=cli:admin",
		"event escalated by cli:admin: escalated by request from stage 4 to stage 4: the leads cannot agree",
		"= s4 #5 open due 2026-12-09T17:00+00:00 wake 2026-12-07T09:00+00:00",
		"> 2026-11-26T10:00 escalate",
		"refused: WSAB-2026-0001 is at the last stage of WSAB Resolution Protocol",
		"= s4 #5 open due 2026-12-09T17:00+00:00 wake 2026-12-07T09:00+00:00",
		NULL } },
/* A form showing a later level than the case's (casework's move_on):
 * ESCALATE with a level goes to that level's first step, skipping those
 * between; its own level, an earlier one, or one the protocol lacks is
 * refused and changes nothing. */
{ "escalate to the level a form shows: its first step, never back", "wsab",
  NULL, 0, NULL,
  { "2026-11-23T10:00 open 1", "2026-11-24T10:00 escalate 1: same level",
    "2026-11-24T10:05 escalate 9: no such level",
    "2026-11-24T10:10 escalate 4: the request shows level 4",
    "2026-11-25T10:00 escalate 4: the proforma again",
    "2026-11-25T10:05 escalate 2: an older form" },
  {
		"> 2026-11-23T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-11-23T10:00+00:00 to=adult.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioner to practitioner)",
		"= s1 #0 open due 2026-11-25T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T10:00 escalate 1: same level",
		"refused: WSAB-2026-0001 is already at stage 1",
		"= s1 #0 open due 2026-11-25T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T10:05 escalate 9: no such level",
		"refused: WSAB Resolution Protocol has no stage 9",
		"= s1 #0 open due 2026-11-25T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T10:10 escalate 4: the request shows level 4",
		"mail escalation cmd/m3 nb=2026-11-24T10:10+00:00 to=wsab.service@wigan.example.gov.uk cc=raiser@example.org note='the request shows level 4' by=cli:admin",
		"event escalated by cli:admin: escalated by request from stage 1 to stage 4: the request shows level 4",
		"= s4 #3 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-11-25T10:00 escalate 4: the proforma again",
		"refused: WSAB-2026-0001 is already at stage 4",
		"= s4 #3 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-11-25T10:05 escalate 2: an older form",
		"refused: WSAB-2026-0001 is already at stage 4",
		"= s4 #3 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		NULL } },
{ "escalate a paused case reopens it at the next stage", "wscb", NULL, 0, NULL,
  { "2026-11-23T10:00 open 2", "2026-11-24T10:00 pause",
    "2026-11-26T10:00 escalate: stuck" },
  {
		"> 2026-11-23T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s1/start nb=2026-11-23T10:00+00:00 to=cal.manager@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line manager / named safeguarding lead)",
		"= s2 #1 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-24T10:00 pause",
		"mail paused cmd/m1 nb=now to=cal.manager@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event paused by cli:admin: paused at stage 2: ",
		"= s2 #1 paused left 4 due 2026-11-30T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-11-26T10:00 escalate: stuck",
		"mail escalation cmd/m2 nb=2026-11-26T10:00+00:00 to=robin.rep@wigan.example.gov.uk cc=raiser@example.org note='stuck' by=cli:admin",
		"event escalated by cli:admin: escalated by request from stage 2 to stage 3: stuck",
		"= s3 #2 open due 2026-12-03T17:00+00:00 wake 2026-12-02T09:00+00:00",
		NULL } },
/* ---- resolve ---- */
{ "resolve ends the clock: later ticks and commands do nothing", "twsp", NULL,
  0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-24T10:00 resolve: assessment agreed",
    "2027-01-01T10:00 tick", "2027-01-01T10:05 extend 2" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T10:00 resolve: assessment agreed",
		"mail resolved cmd/m1 nb=now to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk cc=raiser@example.org note='assessment agreed' by=cli:admin",
		"mail debrief debrief nb=2026-11-24T10:00+00:00 to=family.connect@telford.example.gov.uk,tal.manager@telford.example.gov.uk,raiser@example.org of=#3:resolved:due 2026-12-08T17:00+00:00",
		"mail forms-copy forms nb=2026-11-24T10:00+00:00 to=twsp.manager@telford.example.gov.uk",
		"event resolved by cli:admin: resolved at level 3: assessment agreed",
		"event debrief: debrief prompt to 3 of the people involved, to be held within 10 working days",
		"event forms-copy: the completed forms copied to 1 recipient",
		"= s3 #3 resolved at 3 due 2026-11-26T17:00+00:00 wake 0",
		"> 2027-01-01T10:00 tick",
		"= s3 #3 resolved at 3 due 2026-11-26T17:00+00:00 wake 0",
		"> 2027-01-01T10:05 extend 2",
		"refused: TWSP-2026-0001 is already resolved",
		"= s3 #3 resolved at 3 due 2026-11-26T17:00+00:00 wake 0",
		NULL } },
/* 004 stages 6 and 7 (on_resolution): resolved on a Saturday night by
 * reply, the debrief prompt (the practitioners and line managers of the
 * case's agencies and the raiser, to be held within 10 working days of
 * Monday) and the completed forms' copy to the Partnership Manager wait
 * for Monday's opening, like the stage's confirmation; the sender is
 * answered at once.  Each once: the case is resolved for good. */
{ "twsp resolved on a Saturday night: the debrief and the forms' copy on Monday morning",
  "twsp", "tw-council,west-mercia", 0, NULL,
  { "2026-11-23T10:00 open 1",
    "2026-11-28T22:00 resolve by pc.lane@westmercia.example.police.uk: agreed",
    "2026-11-30T09:00 tick", "2026-11-30T09:05 resolve" },
  {
		"> 2026-11-23T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-11-23T10:00+00:00 to=family.connect@telford.example.gov.uk,ppu@westmercia.example.police.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioners: raise the disagreement)",
		"= s1 #0 open due 2026-11-25T17:00+00:00 wake 2026-11-24T09:00+00:00",
		"> 2026-11-28T22:00 resolve by pc.lane@westmercia.example.police.uk: agreed",
		"mail resolved cmd/m1/sender nb=now to=pc.lane@westmercia.example.police.uk note='agreed' by=pc.lane@westmercia.example.police.uk",
		"mail resolved cmd/m1 nb=2026-11-30T09:00+00:00 to=family.connect@telford.example.gov.uk,ppu@westmercia.example.police.uk cc=raiser@example.org note='agreed' by=pc.lane@westmercia.example.police.uk",
		"mail debrief debrief nb=2026-11-30T09:00+00:00 to=family.connect@telford.example.gov.uk,ppu@westmercia.example.police.uk,tal.manager@telford.example.gov.uk,mo.line@westmercia.example.police.uk,raiser@example.org of=#0:resolved:due 2026-12-14T17:00+00:00",
		"mail forms-copy forms nb=2026-11-30T09:00+00:00 to=twsp.manager@telford.example.gov.uk",
		"event resolved by pc.lane@westmercia.example.police.uk: resolved at level 1: agreed",
		"event debrief: debrief prompt to 5 of the people involved, to be held within 10 working days",
		"event forms-copy: the completed forms copied to 1 recipient",
		"= s1 #0 resolved at 1 due 2026-11-25T17:00+00:00 wake 0",
		"> 2026-11-30T09:00 tick",
		"= s1 #0 resolved at 1 due 2026-11-25T17:00+00:00 wake 0",
		"> 2026-11-30T09:05 resolve",
		"refused: TWSP-2026-0001 is already resolved",
		"= s1 #0 resolved at 1 due 2026-11-25T17:00+00:00 wake 0",
		NULL } },
{ "resolve at a stated level while paused", "wscb", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-24T10:00 pause",
    "2026-11-25T10:00 resolve 2 by rep@example.org: agreed" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s2/start nb=2026-11-23T10:00+00:00 to=robin.rep@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (WSCB agency representative)",
		"= s3 #2 open due 2026-11-30T17:00+00:00 wake 2026-11-27T09:00+00:00",
		"> 2026-11-24T10:00 pause",
		"mail paused cmd/m1 nb=now to=robin.rep@wigan.example.gov.uk cc=raiser@example.org note='' by=cli:admin",
		"event paused by cli:admin: paused at stage 3: ",
		"= s3 #2 paused left 4 due 2026-11-30T17:00+00:00 wake 2026-12-01T17:00+00:00",
		"> 2026-11-25T10:00 resolve 2 by rep@example.org: agreed",
		"mail resolved cmd/m2 nb=now to=robin.rep@wigan.example.gov.uk cc=raiser@example.org,rep@example.org note='agreed' by=rep@example.org",
		"event resolved by rep@example.org: resolved at level 2: agreed",
		"= s3 #2 resolved at 2 due 2026-11-30T17:00+00:00 wake 0",
		NULL } },
/* ---- catch-up after downtime ---- */
/* Down from 23 November to 25 January: stage 3 due 26 Nov, stage 4
 * 2 Dec, stage 5 11 Dec, its chases 11, 15, 17, 21 Dec: one tick decides
 * both escalations and only the last chase. */
{ "catch-up after two months down: each escalation once, then the latest chase",
  "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2027-01-25T10:00 tick",
    "2027-01-25T10:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2027-01-25T10:00 tick",
		"mail escalation s4/esc nb=2027-01-25T10:00+00:00 to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org of=#4:open:due 2026-12-02T17:00+00:00",
		"mail escalation s5/esc nb=2027-01-25T10:00+00:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk cc=raiser@example.org of=#5:open:due 2026-12-04T17:00+00:00",
		"mail escalation s6/esc nb=2027-01-25T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"mail chase s6/d2026-12-11T17:00+00:00/c3 nb=2027-01-25T10:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"event escalated: stage 4 expired; escalated to stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"event escalated: stage 5 expired; escalated to stage 5 (TWSP Executive: final and binding decision)",
		"event chased: stage 5 overdue: chase 4 of 4",
		"= s5 #6 open due 2026-12-11T17:00+00:00 wake 0",
		"> 2027-01-25T10:00 tick",
		"= s5 #6 open due 2026-12-11T17:00+00:00 wake 0",
		NULL } },
/* Issue 13: after a catch-up tick several stages' emails were all
 * written from the final state.  Stage 2 due Fri 27 Nov, stage 3 (3
 * days) Wed 2 Dec, stage 4 (4 days) Tue 8 Dec: one tick on Wed 9 Dec
 * decides the three escalations, each about its own stage, due time and
 * people (of=), the last the case as it is. */
{ "one tick past three deadlines: each escalation written from its own stage",
  "twsp", "tw-council,west-mercia", 0, NULL,
  { "2026-11-23T10:00 open 2", "2026-12-09T10:00 tick" },
  {
		"> 2026-11-23T10:00 open 2",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s2/start nb=2026-11-23T10:00+00:00 to=tal.manager@telford.example.gov.uk,mo.line@westmercia.example.police.uk",
		"event opened by raiser@example.org: opened at stage 2 (Line / team managers)",
		"= s2 #2 open due 2026-11-27T17:00+00:00 wake 2026-11-26T09:00+00:00",
		"> 2026-12-09T10:00 tick",
		"mail escalation s3/esc nb=2026-12-09T10:00+00:00 to=tia.lead@telford.example.gov.uk,wes.lead@westmercia.example.police.uk,teo.head@telford.example.gov.uk,hana.head@westmercia.example.police.uk cc=raiser@example.org of=#3:open:due 2026-12-02T17:00+00:00",
		"mail escalation s4/esc nb=2026-12-09T10:00+00:00 to=tam.director@telford.example.gov.uk,drew.director@westmercia.example.police.uk,toby.rep@telford.example.gov.uk,rae.rep@westmercia.example.police.uk cc=raiser@example.org of=#4:open:due 2026-12-08T17:00+00:00",
		"mail escalation s5/esc nb=2026-12-09T10:00+00:00 to=tam.director@telford.example.gov.uk,drew.director@westmercia.example.police.uk,twsp.manager@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Senior managers / designated safeguarding leads)",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"event escalated: stage 4 expired; escalated to stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"= s5 #5 open due 2026-12-10T17:00+00:00 wake 2026-12-10T09:00+00:00",
		NULL } },
{ "catch-up over Christmas: deadlines chained from the missed ones", "wscb",
  NULL, 0, NULL,
  { "2026-12-21T10:00 open 1", "2027-01-06T10:00 tick",
    "2027-01-11T09:00 tick" },
  {
		"> 2026-12-21T10:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-12-21T10:00+00:00 to=childrens.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Practitioners)",
		"= s1 #0 open due 2026-12-24T17:00+00:00 wake 2026-12-24T09:00+00:00",
		"> 2027-01-06T10:00 tick",
		"mail escalation s1/esc nb=2027-01-06T10:00+00:00 to=cal.manager@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk cc=raiser@example.org of=#1:open:due 2027-01-05T17:00+00:00",
		"mail escalation s2/esc nb=2027-01-06T10:00+00:00 to=robin.rep@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Line manager / named safeguarding lead)",
		"event escalated: stage 2 expired; escalated to stage 3 (WSCB agency representative)",
		"= s3 #2 open due 2027-01-12T17:00+00:00 wake 2027-01-11T09:00+00:00",
		"> 2027-01-11T09:00 tick",
		"mail reminder s2/d2027-01-12T17:00+00:00/r0 nb=2027-01-11T09:00+00:00 to=robin.rep@wigan.example.gov.uk",
		"event reminder: reminder for stage 3",
		"= s3 #2 open due 2027-01-12T17:00+00:00 wake 2027-01-12T09:00+00:00",
		NULL } },
/* ---- urgent ----
 * Immediate risk goes through the agencies' own procedures the same
 * working day (the acknowledgement says so); the ladder keeps every
 * stage, each due within the protocol's urgent_stage_days (TWSP 2,
 * COVID 1) when its own timescale is longer, and never before its
 * people have been told in working hours. */
/* Monday 18:30: the working day is Tuesday; 2 working days (not stage
 * 3's 3): Thursday. */
{ "urgent case raised after hours: 2 working days from the next morning",
  "twsp", NULL, 1, NULL,
  { "2026-11-23T18:30 open 3", "2026-11-24T09:00 tick" },
  {
		"> 2026-11-23T18:30 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail urgent urgent nb=now to=tia.lead@telford.example.gov.uk",
		"mail stage-start s3/start nb=2026-11-24T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads), urgent: immediate risk",
		"event urgent-alert: immediate risk: 1 safeguarding lead told to act today",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-24T09:00 tick",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		NULL } },
/*
 * Once an engine bug: an urgent case was due "the same working day at
 * every stage", and a stage entered at the previous deadline (closing
 * time, which still belongs to its day) was due the instant it started:
 * one tick escalated through every stage to the TWSP Executive and chased
 * it, all at 17:00 on the day the form arrived.  Now each stage has its
 * own 2 working days: 25 November, 27 November, 1 December.  Stage 5's
 * reminder 2 working days before its deadline would fall before the stage
 * starts: it is not sent; the one on the morning of the due day is.
 */
{ "urgent case: each stage its own timescale, one escalation per deadline",
  "twsp", NULL, 1, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-23T17:00 tick",
    "2026-11-25T17:00 tick", "2026-11-27T17:00 tick",
    "2026-12-01T17:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail urgent urgent nb=now to=tia.lead@telford.example.gov.uk",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads), urgent: immediate risk",
		"event urgent-alert: immediate risk: 1 safeguarding lead told to act today",
		"= s3 #3 open due 2026-11-25T17:00+00:00 wake 2026-11-24T09:00+00:00",
		"> 2026-11-23T17:00 tick",
		"= s3 #3 open due 2026-11-25T17:00+00:00 wake 2026-11-24T09:00+00:00",
		"> 2026-11-25T17:00 tick",
		"mail escalation s4/esc nb=2026-11-25T17:00+00:00 to=tam.director@telford.example.gov.uk,toby.rep@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2026-11-27T17:00+00:00 wake 2026-11-26T09:00+00:00",
		"> 2026-11-27T17:00 tick",
		"mail escalation s5/esc nb=2026-11-27T17:00+00:00 to=tam.director@telford.example.gov.uk,twsp.manager@telford.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 4 expired; escalated to stage 5 (TWSP Executive: the director writes via the Partnership Manager)",
		"= s5 #5 open due 2026-12-01T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-12-01T17:00 tick",
		"mail escalation s6/esc nb=2026-12-01T17:00+00:00 to=twsp.manager@telford.example.gov.uk,twsp.exec.council@telford.example.gov.uk,twsp.exec.police@westmercia.example.police.uk,twsp.exec.icb@stw-icb.example.nhs.uk cc=raiser@example.org",
		"event escalated: stage 5 expired; escalated to stage 5 (TWSP Executive: final and binding decision)",
		"= s5 #6 open due 2026-12-03T17:00+00:00 wake 2026-12-03T09:00+00:00",
		NULL } },
/* Friday 27 November 19:00: the working day is Monday 30th; + 2: Wednesday
 * 2 December.  Not urgent it would be 3: Thursday. */
{ "urgent case arriving on a Friday evening counts from Monday", "twsp",
  NULL, 1, NULL,
  { "2026-11-27T19:00 open 3" },
  {
		"> 2026-11-27T19:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail urgent urgent nb=now to=tia.lead@telford.example.gov.uk",
		"mail stage-start s3/start nb=2026-11-30T09:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads), urgent: immediate risk",
		"event urgent-alert: immediate risk: 1 safeguarding lead told to act today",
		"= s3 #3 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		NULL } },
/* 004: "the designated safeguarding lead within the agency identifying
 * the concern should be informed immediately": every agency of the case's
 * lead is told at once, on a Sunday too (not a chase: it asks them to act
 * through their own procedures). */
{ "urgent: each agency's safeguarding lead is told at once", "twsp",
  "tw-council,west-mercia", 1, NULL,
  { "2026-11-22T11:00 open 3" },
  {
		"> 2026-11-22T11:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail urgent urgent nb=now to=tia.lead@telford.example.gov.uk,wes.lead@westmercia.example.police.uk",
		"mail stage-start s3/start nb=2026-11-23T09:00+00:00 to=tia.lead@telford.example.gov.uk,wes.lead@westmercia.example.police.uk,teo.head@telford.example.gov.uk,hana.head@westmercia.example.police.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads), urgent: immediate risk",
		"event urgent-alert: immediate risk: 2 safeguarding leads told to act today",
		"= s3 #3 open due 2026-11-25T17:00+00:00 wake 2026-11-24T09:00+00:00",
		NULL } },
{ "urgent: no safeguarding lead in the directory is recorded", "twsp",
  "wrekin-housing", 1, NULL,
  { "2026-11-23T11:00 open 3" },
  {
		"> 2026-11-23T11:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads), urgent: immediate risk",
		"event no-contact: no safeguarding lead in the directory for the urgent alert",
		"event no-contact: no directory contact for the roles of stage 3: only the raiser was told",
		"= s3 #3 open due 2026-11-25T17:00+00:00 wake 2026-11-24T09:00+00:00",
		NULL } },
/* Thursday 24 December 2026 16:00: Christmas Day and the Boxing Day
 * holiday (Monday 28th) are off: Tuesday 29th, Wednesday 30th. */
{ "urgent case on Christmas Eve: due after the bank holidays", "twsp", NULL,
  1, NULL,
  { "2026-12-24T16:00 open 3" },
  {
		"> 2026-12-24T16:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail urgent urgent nb=now to=tia.lead@telford.example.gov.uk",
		"mail stage-start s3/start nb=2026-12-24T16:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads), urgent: immediate risk",
		"event urgent-alert: immediate risk: 1 safeguarding lead told to act today",
		"= s3 #3 open due 2026-12-30T17:00+00:00 wake 2026-12-29T09:00+00:00",
		NULL } },
/* COVID level 1 is "immediate" (the same working day): opened at 17:00
 * on a Friday, when nobody can be told that day, it is due at the close
 * of Monday; level 2 (1 day) then Tuesday; the Executive (5 days,
 * urgent 1) Wednesday 2 December. */
{ "urgent: a same-day stage opened at closing time is due the next working day",
  "wsp-covid", NULL, 1, NULL,
  { "2026-11-27T17:00 open 1", "2026-11-30T17:00 tick",
    "2026-12-01T17:00 tick" },
  {
		"> 2026-11-27T17:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail urgent urgent nb=now to=safeguarding.adults@wigan.example.gov.uk",
		"mail stage-start s0/start nb=2026-11-27T17:00+00:00 to=adult.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Informal resolution), urgent: immediate risk",
		"event urgent-alert: immediate risk: 1 safeguarding lead told to act today",
		"= s1 #0 open due 2026-11-30T17:00+00:00 wake 2026-11-30T09:00+00:00",
		"> 2026-11-30T17:00 tick",
		"mail escalation s1/esc nb=2026-11-30T17:00+00:00 to=safeguarding.adults@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Safeguarding leads resolution)",
		"= s2 #1 open due 2026-12-01T17:00+00:00 wake 2026-12-01T09:00+00:00",
		"> 2026-12-01T17:00 tick",
		"mail escalation s2/esc nb=2026-12-01T17:00+00:00 to=exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 2 expired; escalated to stage 3 (Safeguarding Partnership Executive)",
		"= s3 #2 open due 2026-12-02T17:00+00:00 wake 2026-12-02T09:00+00:00",
		NULL } },
/* Not urgent, the same rule: a same-working-day stage entered on a bank
 * holiday is due at the close of the next working day. */
{ "a same-day stage opened on a bank holiday is due the next working day",
  "wsp-covid", NULL, 0, NULL,
  { "2026-12-28T11:00 open 1" },
  {
		"> 2026-12-28T11:00 open 1",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-12-29T09:00+00:00 to=adult.duty@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Informal resolution)",
		"= s1 #0 open due 2026-12-29T17:00+00:00 wake 2026-12-29T17:00+00:00",
		NULL } },
/* ---- nobody in the directory ---- */
{ "no contact for the next stage's roles: the escalation goes to the raiser",
  "twsp", "wrekin-housing", 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-26T17:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"event no-contact: no directory contact for the roles of stage 3: only the raiser was told",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-26T17:00 tick",
		"mail escalation s4/esc nb=2026-11-26T17:00+00:00 to=raiser@example.org",
		"event no-contact: no directory contact for the roles of stage 4",
		"event escalated: stage 3 expired; escalated to stage 4 (Assistant director / director)",
		"= s4 #4 open due 2026-12-02T17:00+00:00 wake 2026-12-01T09:00+00:00",
		NULL } },
/*
 * Once a bug: queue_to_stage() only moved the raiser into "to" when the
 * raiser was in "cc", which reminders never are, so a reminder for a
 * stage whose roles nobody holds went to nobody.
 */
{ "no contact for the stage's roles: the reminder goes to the raiser", "twsp",
  "wrekin-housing", 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-25T09:00 tick" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"event no-contact: no directory contact for the roles of stage 3: only the raiser was told",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-25T09:00 tick",
		"mail reminder s3/d2026-11-26T17:00+00:00/r0 nb=2026-11-25T09:00+00:00 to=raiser@example.org",
		"event no-contact: no directory contact for the roles of stage 3",
		"event reminder: reminder for stage 3",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-26T09:00+00:00",
		NULL } },
/* ---- 003's serious-incident duties: clocks from the awareness date ---- */
/* Aware Wednesday 26 May 2027, the form in on Friday 28th: 5 working days
 * skip the weekend and the spring bank holiday (Monday 31 May): Thursday
 * 3 June; the rapid review's 15 count from the same Wednesday: Thursday 17
 * June, not from the notification's deadline or from when the case moved
 * on.  Nobody replies: reminders, the overdue chase, the move to the
 * rapid review, its reminders and chases. */
{ "serious incident: 5 and 15 working days from awareness, across a bank holiday",
  "wsp-serious-incident", "wigan-council,gmp", 0, NULL,
  { "2027-05-28T10:00 open 1 aware 2027-05-26", "2027-05-28T12:00 daily 30" },
  {
		"> 2027-05-28T10:00 open 1 aware 2027-05-26",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2027-05-28T10:00+01:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Notify the national panel)",
		"= s1 #0 open due 2027-06-03T17:00+01:00 wake 2027-06-01T09:00+01:00",
		"> 2027-05-28T12:00 daily 30",
		"@ 2027-06-01T12:00+01:00",
		"mail reminder s0/d2027-06-03T17:00+01:00/r0 nb=2027-06-01T12:00+01:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event reminder: reminder for stage 1",
		"@ 2027-06-03T12:00+01:00",
		"mail reminder s0/d2027-06-03T17:00+01:00/r1 nb=2027-06-03T12:00+01:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event reminder: reminder for stage 1",
		"@ 2027-06-04T12:00+01:00",
		"mail chase s0/d2027-06-03T17:00+01:00/c0 nb=2027-06-04T12:00+01:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 1 overdue: chase 1 of 1",
		"@ 2027-06-05T12:00+01:00",
		"mail escalation s1/esc nb=2027-06-07T09:00+01:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Rapid review)",
		"@ 2027-06-10T12:00+01:00",
		"mail reminder s1/d2027-06-17T17:00+01:00/r0 nb=2027-06-10T12:00+01:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk",
		"event reminder: reminder for stage 2",
		"@ 2027-06-15T12:00+01:00",
		"mail reminder s1/d2027-06-17T17:00+01:00/r1 nb=2027-06-15T12:00+01:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk",
		"event reminder: reminder for stage 2",
		"@ 2027-06-17T12:00+01:00",
		"mail reminder s1/d2027-06-17T17:00+01:00/r2 nb=2027-06-17T12:00+01:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk",
		"event reminder: reminder for stage 2",
		"@ 2027-06-18T12:00+01:00",
		"mail chase s1/d2027-06-17T17:00+01:00/c0 nb=2027-06-18T12:00+01:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk cc=raiser@example.org",
		"event chased: stage 2 overdue: chase 1 of 3",
		"@ 2027-06-22T12:00+01:00",
		"mail chase s1/d2027-06-17T17:00+01:00/c1 nb=2027-06-22T12:00+01:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk cc=raiser@example.org",
		"event chased: stage 2 overdue: chase 2 of 3",
		"@ 2027-06-24T12:00+01:00",
		"mail chase s1/d2027-06-17T17:00+01:00/c2 nb=2027-06-24T12:00+01:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk cc=raiser@example.org",
		"event chased: stage 2 overdue: chase 3 of 3",
		"= s2 #1 open due 2027-06-17T17:00+01:00 wake 0",
		NULL } },
/* Aware Monday 23 November, the form in on Tuesday 8 December: the
 * notification's deadline (Monday 30 November) has passed, so it is due
 * at the close of the day its people are told; the rapid review keeps
 * Monday 14 December (15 working days from the 23rd). */
{ "serious incident: awareness date past the notification's deadline",
  "wsp-serious-incident", "wigan-council", 0, NULL,
  { "2026-12-08T10:00 open 1 aware 2026-11-23", "2026-12-08T17:00 tick",
    "2026-12-09T17:00 tick", "2026-12-14T09:00 tick" },
  {
		"> 2026-12-08T10:00 open 1 aware 2026-11-23",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-12-08T10:00+00:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Notify the national panel)",
		"= s1 #0 open due 2026-12-08T17:00+00:00 wake 2026-12-08T17:00+00:00",
		"> 2026-12-08T17:00 tick",
		"mail chase s0/d2026-12-08T17:00+00:00/c0 nb=2026-12-08T17:00+00:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 1 overdue: chase 1 of 1",
		"= s1 #0 open due 2026-12-08T17:00+00:00 wake 2026-12-09T17:00+00:00",
		"> 2026-12-09T17:00 tick",
		"mail escalation s1/esc nb=2026-12-09T17:00+00:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Rapid review)",
		"= s2 #1 open due 2026-12-14T17:00+00:00 wake 2026-12-10T09:00+00:00",
		"> 2026-12-14T09:00 tick",
		"mail reminder s1/d2026-12-14T17:00+00:00/r2 nb=2026-12-14T09:00+00:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk",
		"event reminder: reminder for stage 2",
		"= s2 #1 open due 2026-12-14T17:00+00:00 wake 2026-12-14T17:00+00:00",
		NULL } },
/* Both deadlines gone when the form comes in on a Saturday: nothing is
 * due before the people are told, on Monday 7 December. */
{ "serious incident: both deadlines past, the form in at the weekend",
  "wsp-serious-incident", "wigan-council", 0, NULL,
  { "2026-12-05T11:00 open 1 aware 2026-11-02", "2026-12-07T17:00 tick",
    "2026-12-08T17:00 tick" },
  {
		"> 2026-12-05T11:00 open 1 aware 2026-11-02",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-12-07T09:00+00:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Notify the national panel)",
		"= s1 #0 open due 2026-12-07T17:00+00:00 wake 2026-12-07T17:00+00:00",
		"> 2026-12-07T17:00 tick",
		"mail chase s0/d2026-12-07T17:00+00:00/c0 nb=2026-12-07T17:00+00:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk cc=raiser@example.org",
		"event chased: stage 1 overdue: chase 1 of 1",
		"= s1 #0 open due 2026-12-07T17:00+00:00 wake 2026-12-08T17:00+00:00",
		"> 2026-12-08T17:00 tick",
		"mail escalation s1/esc nb=2026-12-08T17:00+00:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk cc=raiser@example.org",
		"event escalated: stage 1 expired; escalated to stage 2 (Rapid review)",
		"= s2 #1 open due 2026-12-09T17:00+00:00 wake 2026-12-09T09:00+00:00",
		NULL } },
/* Aware Thursday 17 December 2026: the notification is due Thursday 24th,
 * the rapid review Tuesday 12 January (Christmas, Boxing Day and New
 * Year's Day off).  The panel notified early, on Monday 21st: the rapid
 * review starts then and keeps its 12 January deadline; done on the day,
 * the case is resolved and nothing more is sent. */
{ "serious incident: the notification done early keeps the review's deadline",
  "wsp-serious-incident", "wigan-council,gmp", 0, NULL,
  { "2026-12-18T10:00 open 1 aware 2026-12-17",
    "2026-12-21T11:00 complete by wsp.business@wigan.example.gov.uk: panel notified online",
    "2027-01-06T09:00 tick",
    "2027-01-12T15:00 complete by exec.one@wigan.example.gov.uk: rapid review sent to the panel",
    "2027-01-13T17:00 tick" },
  {
		"> 2026-12-18T10:00 open 1 aware 2026-12-17",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s0/start nb=2026-12-18T10:00+00:00 to=wsp.business@wigan.example.gov.uk,wsp.board@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 1 (Notify the national panel)",
		"= s1 #0 open due 2026-12-24T17:00+00:00 wake 2026-12-22T09:00+00:00",
		"> 2026-12-21T11:00 complete by wsp.business@wigan.example.gov.uk: panel notified online",
		"mail completed cmd/m1 nb=now to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk cc=raiser@example.org,wsp.business@wigan.example.gov.uk note='panel notified online' by=wsp.business@wigan.example.gov.uk",
		"event completed by wsp.business@wigan.example.gov.uk: stage 1 (Notify the national panel) done, recorded by wsp.business@wigan.example.gov.uk: panel notified online",
		"= s2 #1 open due 2027-01-12T17:00+00:00 wake 2027-01-05T09:00+00:00",
		"> 2027-01-06T09:00 tick",
		"mail reminder s1/d2027-01-12T17:00+00:00/r0 nb=2027-01-06T09:00+00:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk",
		"event reminder: reminder for stage 2",
		"= s2 #1 open due 2027-01-12T17:00+00:00 wake 2027-01-08T09:00+00:00",
		"> 2027-01-12T15:00 complete by exec.one@wigan.example.gov.uk: rapid review sent to the panel",
		"mail resolved cmd/m3 nb=now to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk,child.protection@gmp.example.police.uk cc=raiser@example.org,exec.one@wigan.example.gov.uk note='rapid review sent to the panel' by=exec.one@wigan.example.gov.uk",
		"event completed by exec.one@wigan.example.gov.uk: stage 2 (Rapid review) done, recorded by exec.one@wigan.example.gov.uk: rapid review sent to the panel",
		"event resolved by exec.one@wigan.example.gov.uk: resolved at level 2: rapid review sent to the panel",
		"= s2 #1 resolved at 2 due 2027-01-12T17:00+00:00 wake 0",
		"> 2027-01-13T17:00 tick",
		"= s2 #1 resolved at 2 due 2027-01-12T17:00+00:00 wake 0",
		NULL } },
/* Opened at the rapid review (the panel already notified): due 15 working
 * days from awareness, and TIMESCALE counts from awareness too. */
{ "serious incident: opened at the rapid review; TIMESCALE from awareness",
  "wsp-serious-incident", "wigan-council", 0, NULL,
  { "2026-11-25T10:00 open 2 aware 2026-11-23",
    "2026-11-26T10:00 timescale 12 by exec.one@wigan.example.gov.uk: review panel meets early" },
  {
		"> 2026-11-25T10:00 open 2 aware 2026-11-23",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s1/start nb=2026-11-25T10:00+00:00 to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 2 (Rapid review)",
		"= s2 #1 open due 2026-12-14T17:00+00:00 wake 2026-12-07T09:00+00:00",
		"> 2026-11-26T10:00 timescale 12 by exec.one@wigan.example.gov.uk: review panel meets early",
		"mail timescale cmd/m1 nb=now to=wsp.business@wigan.example.gov.uk,exec.one@wigan.example.gov.uk,exec.two@wigan.example.gov.uk,safeguarding.children@wigan.example.gov.uk cc=raiser@example.org,exec.one@wigan.example.gov.uk note='review panel meets early' by=exec.one@wigan.example.gov.uk",
		"event timescale by exec.one@wigan.example.gov.uk: stage 2 timescale set to 12 working days from the clock start (the protocol's: 15), agreed by exec.one@wigan.example.gov.uk: review panel meets early",
		"= s2 #1 open due 2026-12-09T17:00+00:00 wake 2026-12-02T09:00+00:00",
		NULL } },
/* COMPLETED belongs to duties: an escalation ladder refuses it. */
{ "COMPLETED in an escalation protocol is refused", "twsp", NULL, 0, NULL,
  { "2026-11-23T10:00 open 3", "2026-11-23T11:00 complete: done" },
  {
		"> 2026-11-23T10:00 open 3",
		"mail ack ack nb=now to=raiser@example.org",
		"mail stage-start s3/start nb=2026-11-23T10:00+00:00 to=tia.lead@telford.example.gov.uk,teo.head@telford.example.gov.uk",
		"event opened by raiser@example.org: opened at stage 3 (Senior managers / designated safeguarding leads)",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		"> 2026-11-23T11:00 complete: done",
		"refused: COMPLETED is for a protocol of duties (TWSP Resolution and Escalation has stages of escalation): reply RESOLVED or ESCALATE",
		"= s3 #3 open due 2026-11-26T17:00+00:00 wake 2026-11-25T09:00+00:00",
		NULL } },
};

/* ---- the runner ---- */

struct transcript {
	char	**line;
	size_t	  n;
};

static void
out(struct transcript *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
out(struct transcript *t, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	t->line = xreallocarray(t->line, t->n + 1, sizeof(char *));
	t->line[t->n++] = sb_steal(&sb);
}

/* calendar_format_iso without ":00" seconds: "2026-12-09T17:00+00:00". */
static void
tm_str(time_t t, char *buf, size_t len)
{
	char full[64];

	if (t == 0) {
		snprintf(buf, len, "0");
		return;
	}
	assert_int_equal(calendar_format_iso(t, full, sizeof(full)), 0);
	if (strlen(full) == 25 && strncmp(full + 16, ":00", 3) == 0)
		snprintf(buf, len, "%.16s%s", full, full + 19);
	else
		snprintf(buf, len, "%s", full);
}

/* The token without "REF/", its "dEPOCH" and "pEPOCH" parts as times. */
static void
token_str(const struct case_state *c, const char *tok, struct strbuf *sb)
{
	size_t rl = strlen(c->ref);
	const char *p;
	char buf[64];

	if (strncmp(tok, c->ref, rl) != 0 || tok[rl] != '/')
		fail_msg("token \"%s\" does not start with \"%s/\"", tok, c->ref);
	for (p = tok + rl + 1; *p != '\0'; ) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if ((p[0] == 'd' || p[0] == 'p') && len > 1 &&
		    strspn(p + 1, "0123456789") == len - 1) {
			tm_str((time_t)strtoll(p + 1, NULL, 10), buf, sizeof(buf));
			sb_addf(sb, "%c%s", p[0], buf);
		} else
			sb_addf(sb, "%.*s", (int)len, p);
		p += len;
		if (*p == '/') {
			sb_addf(sb, "/");
			p++;
		}
	}
}

static void
addr_list(struct strbuf *sb, char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *lt = strchr(list[i], '<'), *gt;

		if (i > 0)
			sb_addf(sb, ",");
		if (lt && (gt = strchr(lt, '>')) != NULL)
			sb_addf(sb, "%.*s", (int)(gt - lt - 1), lt + 1);
		else
			sb_addf(sb, "%s", list[i]);
	}
}

static void
out_decisions(struct transcript *t, const struct case_state *c,
    const struct decisions *d, char ***seen, size_t *nseen)
{
	char buf[64];

	for (size_t i = 0; i < d->nmails; i++) {
		const struct mail_decision *m = &d->mails[i];
		struct strbuf sb = { 0 };

		for (size_t k = 0; k < *nseen; k++)
			if (strcmp((*seen)[k], m->token) == 0)
				fail_msg("token %s decided twice", m->token);
		*seen = xreallocarray(*seen, *nseen + 1, sizeof(char *));
		(*seen)[(*nseen)++] = xstrdup(m->token);

		sb_addf(&sb, "mail %s ", m->template);
		token_str(c, m->token, &sb);
		if (m->not_before == 0)
			sb_addf(&sb, " nb=now");
		else {
			tm_str(m->not_before, buf, sizeof(buf));
			sb_addf(&sb, " nb=%s", buf);
		}
		sb_addf(&sb, " to=");
		addr_list(&sb, m->to, m->nto);
		if (m->ncc) {
			sb_addf(&sb, " cc=");
			addr_list(&sb, m->cc, m->ncc);
		}
		if (m->note || m->actor)
			sb_addf(&sb, " note='%s' by=%s", m->note ? m->note : "",
			    m->actor ? m->actor : "");
		if (m->stage_idx != c->stage_idx || m->due_at != c->due_at ||
		    m->status != c->status) {
			tm_str(m->due_at, buf, sizeof(buf));
			sb_addf(&sb, " of=#%d:%s:due %s", m->stage_idx,
			    case_status_name(m->status), buf);
		}
		t->line = xreallocarray(t->line, t->n + 1, sizeof(char *));
		t->line[t->n++] = sb_steal(&sb);
	}
	for (size_t i = 0; i < d->nevents; i++) {
		const struct event_decision *e = &d->events[i];

		if (strcmp(e->actor, "escbot") == 0)
			out(t, "event %s: %s", e->kind, e->detail);
		else
			out(t, "event %s by %s: %s", e->kind, e->actor, e->detail);
	}
}

static void
out_state(struct transcript *t, const struct engine_ctx *x,
    const struct case_state *c)
{
	char due[64], wake[64];

	tm_str(c->due_at, due, sizeof(due));
	tm_str(c->next_wakeup, wake, sizeof(wake));
	switch (c->status) {
	case CASE_OPEN:
		out(t, "= s%d #%d open due %s wake %s",
		    x->proto->stages[c->stage_idx].number, c->stage_idx, due, wake);
		break;
	case CASE_PAUSED:
		out(t, "= s%d #%d paused left %d due %s wake %s",
		    x->proto->stages[c->stage_idx].number, c->stage_idx,
		    c->paused_remaining, due, wake);
		break;
	case CASE_RESOLVED:
		out(t, "= s%d #%d resolved at %d due %s wake %s",
		    x->proto->stages[c->stage_idx].number, c->stage_idx,
		    c->resolved_level, due, wake);
		break;
	}
}

static const char *
default_agencies(const char *proto)
{
	return strcmp(proto, "twsp") == 0 ? "tw-council" : "wigan-council";
}

/* One step: "TIME VERB [N] [by ACTOR] [: REASON]". */
static void
run_step(struct transcript *t, struct engine_ctx *x, struct case_state *c,
    const char *step, int idx, char ***seen, size_t *nseen)
{
	char timebuf[64], verb[16], actor[128], reason[256], tok[16], err[256];
	char aware[64];
	const char *p = step, *colon;
	struct decisions d = { 0 };
	struct command cmd;
	int n = 0, len, rc;

	out(t, "> %s", step);
	if (sscanf(p, "%63s %15[a-z]%n", timebuf, verb, &len) != 2)
		fail_msg("bad step \"%s\"", step);
	p += len;
	if (calendar_parse_iso(timebuf, &x->now) != 0)
		fail_msg("bad time in step \"%s\"", step);
	if (sscanf(p, " %d%n", &n, &len) == 1)
		p += len;
	if (sscanf(p, " aware %63s%n", aware, &len) == 1) {
		p += len;
		if (calendar_parse_iso(aware, &c->clock_start) != 0)
			fail_msg("bad aware date in step \"%s\"", step);
	}
	snprintf(actor, sizeof(actor), "cli:admin");
	if (sscanf(p, " by %127[^ :]%n", actor, &len) == 1)
		p += len;
	reason[0] = '\0';
	if ((colon = strstr(p, ": ")) != NULL)
		snprintf(reason, sizeof(reason), "%s", colon + 2);

	if (strcmp(verb, "open") == 0) {
		assert_int_equal(engine_open(c, x, n, &d), 0);
		out_decisions(t, c, &d, seen, nseen);
	} else if (strcmp(verb, "tick") == 0) {
		engine_tick(c, x, &d);
		out_decisions(t, c, &d, seen, nseen);
	} else if (strcmp(verb, "daily") == 0) {
		time_t first = x->now;
		char buf[64];

		for (int i = 0; i < n; i++) {
			x->now = first + (time_t)i * 86400;
			engine_tick(c, x, &d);
			if (d.nmails || d.nevents) {
				tm_str(x->now, buf, sizeof(buf));
				out(t, "@ %s", buf);
			}
			out_decisions(t, c, &d, seen, nseen);
			decisions_free(&d);
		}
	} else {
		memset(&cmd, 0, sizeof(cmd));
		if (strcmp(verb, "pause") == 0)
			cmd.kind = CMD_PAUSE;
		else if (strcmp(verb, "resume") == 0)
			cmd.kind = CMD_RESUME;
		else if (strcmp(verb, "extend") == 0)
			cmd.kind = CMD_EXTEND;
		else if (strcmp(verb, "escalate") == 0)
			cmd.kind = CMD_ESCALATE;
		else if (strcmp(verb, "resolve") == 0)
			cmd.kind = CMD_RESOLVE;
		else if (strcmp(verb, "timescale") == 0)
			cmd.kind = CMD_TIMESCALE;
		else if (strcmp(verb, "complete") == 0)
			cmd.kind = CMD_COMPLETE;
		else
			fail_msg("bad verb in step \"%s\"", step);
		cmd.days = n;
		cmd.level = n;
		cmd.reason = reason;
		cmd.actor = actor;
		snprintf(tok, sizeof(tok), "m%d", idx);
		cmd.token = tok;
		err[0] = '\0';
		rc = engine_command(c, x, &cmd, &d, err, sizeof(err));
		if (rc == -1) {
			/* Nothing changes and nothing is decided. */
			assert_int_equal(d.nmails, 0);
			assert_int_equal(d.nevents, 0);
			out(t, "refused: %s", err);
		} else {
			assert_int_equal(rc, 0);
			out_decisions(t, c, &d, seen, nseen);
		}
	}
	decisions_free(&d);
	out_state(t, x, c);
}

static void
dump(const struct row *r, const struct transcript *t)
{
	fprintf(stderr, "row \"%s\", transcript:\n", r->name);
	for (size_t i = 0; i < t->n; i++)
		fprintf(stderr, "\t\t\"%s\",\n", t->line[i]);
}

static void
run_row(void **state)
{
	const struct row *r = *state;
	struct engine_ctx x = { NULL, cal, dir, 0 };
	struct transcript t = { NULL, 0 };
	struct case_state c;
	char **seen = NULL;
	size_t nseen = 0, nwant, i;
	const char *env = getenv("ENGINE_TABLE_DUMP");

	x.proto = rules_protocol(rs, r->proto);
	assert_non_null(x.proto);
	x.dir = x.proto->dir;
	memset(&c, 0, sizeof(c));
	c.ref = xasprintf("%s-2026-0001", x.proto->prefix);
	c.protocol = xstrdup(r->proto);
	c.raised_by = xstrdup(RAISER);
	c.agencies = xstrdup(r->agencies ? r->agencies :
	    default_agencies(r->proto));
	c.urgent = r->urgent;
	for (i = 0; i < MAX_STEPS && r->steps[i] != NULL; i++)
		run_step(&t, &x, &c, r->steps[i], (int)i, &seen, &nseen);
	if (env && *env == '1')
		dump(r, &t);

	for (nwant = 0; nwant < MAX_WANT && r->want[nwant] != NULL; nwant++)
		;
	for (i = 0; i < t.n && i < nwant; i++)
		if (strcmp(t.line[i], r->want[i]) != 0)
			break;
	if (i < t.n || i < nwant) {
		if (!env || *env != '1')
			dump(r, &t);
		fail_msg("row \"%s\", line %zu:\n  want: %s\n  got:  %s", r->name,
		    i + 1, i < nwant ? r->want[i] : "(end)",
		    i < t.n ? t.line[i] : "(end)");
	}

	for (i = 0; i < t.n; i++)
		free(t.line[i]);
	free(t.line);
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	case_state_free(&c);
}

static void
run_disabled(void **state)
{
	const struct row *r = *state;

	print_message("row \"%s\" disabled: %s\n", r->name, r->disabled);
	skip();
}

static int
setup(void **state)
{
	struct diag d = { 0, NULL };
	char err[256];

	(void)state;
	cal = calendar_load("etc/bank-holidays-england-wales.txt", 540, 1020,
	    err, sizeof(err));
	if (cal == NULL || directory_load("etc/partnerships", &dir, &d) == -1 ||
	    rules_load("rules", &rs, &d) == -1)
		return -1;
	/* Each protocol bound to its own partnership's directory. */
	return rules_check(rs, dir, "etc/partnerships", &d);
}

static int
teardown(void **state)
{
	(void)state;
	rules_free(rs);
	directory_free(dir);
	calendar_free(cal);
	return 0;
}

#define NROWS	(sizeof(rows) / sizeof(rows[0]))

int
main(void)
{
	struct CMUnitTest tests[NROWS];

	const char *all = getenv("ENGINE_TABLE_ALL");

	memset(tests, 0, sizeof(tests));
	for (size_t i = 0; i < NROWS; i++) {
		tests[i].name = rows[i].name;
		tests[i].test_func = rows[i].disabled && !(all && *all == '1') ?
		    run_disabled : run_row;
		tests[i].initial_state = (void *)&rows[i];
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
