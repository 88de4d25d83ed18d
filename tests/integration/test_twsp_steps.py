"""Issue 13, item 5, for TWSP (seed 004) and the resolution requests.

A TWSP case from a stage-1 request (rules/forms/twsp-request.conf: stages
1 and 2 have no form in 004) through every stage, the clock ticked four
times a day (and a tick repeated, each run a fresh escbot process, so a
restart between ticks) until the TWSP Executive resolves it:

- every email's recipients exactly, the stage it is about, and the moment
  it leaves, always in working hours;
- stage 5 in its two steps: the director writes to the Executive via the
  Partnership Manager (the directors of the case's agencies and the
  Partnership Manager only), then the Executive's decision (the
  Partnership Manager and the executive leads only);
- on resolution (004 stages 6 and 7) the debrief prompt to the
  practitioners and line managers of the case's agencies and the raiser,
  and the completed forms -- each form the case received, with every
  answer -- to the Partnership Manager; once, whatever runs after.  A
  referral that arrives already resolved gets them too, held to working
  hours.

And the requests open a case at level 1, or at the level their answers
show was reached, any level of TWSP, WSAB and WSCB; the protocol's own
form about the same person later (the WSAB proforma, the TWSP referral)
joins the case a request opened and moves it on to its level.
"""
import datetime
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import REPO, EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

RAISER = "casey.practitioner@telford.example.gov.uk"
# The partnership's people (etc/partnerships/telford.conf) for a case of Telford &
# Wrekin Council (the raiser's) and West Mercia Police (the request's
# "Agencies involved").
PRACTITIONERS = {"family.connect@telford.example.gov.uk",
                 "ppu@westmercia.example.police.uk"}
LINE_MANAGERS = {"tal.manager@telford.example.gov.uk",
                 "mo.line@westmercia.example.police.uk"}
STAGE3 = {"tia.lead@telford.example.gov.uk", "teo.head@telford.example.gov.uk",
          "wes.lead@westmercia.example.police.uk",
          "hana.head@westmercia.example.police.uk"}
DIRECTORS = {"tam.director@telford.example.gov.uk",
             "drew.director@westmercia.example.police.uk"}
STAGE4 = DIRECTORS | {"toby.rep@telford.example.gov.uk",
                      "rae.rep@westmercia.example.police.uk"}
PM = "twsp.manager@telford.example.gov.uk"
EXECUTIVE = {"twsp.exec.council@telford.example.gov.uk",
             "twsp.exec.police@westmercia.example.police.uk",
             "twsp.exec.icb@stw-icb.example.nhs.uk"}
STAGE5_WRITE = DIRECTORS | {PM}
STAGE5_DECIDE = {PM} | EXECUTIVE

# WSAB level 2 (etc/partnerships/wsab.conf): the line managers and
# safeguarding leads of Wigan Council (the sender's) and GMP.
LEVEL2 = {"sam.manager@wigan.example.gov.uk",
          "safeguarding.adults@wigan.example.gov.uk",
          "lee.line@gmp.example.police.uk",
          "vulnerability.adults@gmp.example.police.uk"}

REQUEST = """\
Hello, a disagreement with the police about Alex.

TWSP Resolution Request

Name of child or adult: Alex Example
Date of birth: 01/02/2015
Agencies involved: West Mercia Police
Summary of the disagreement: West Mercia Police will not attend a strategy discussion for Alex.
Action requested: A strategy discussion this week
Have line / team managers tried to resolve it (stage 2)? No
Have senior managers / designated safeguarding leads tried to resolve it (stage 3)? No
Has it been referred to assistant directors / directors (stage 4)? No
Has it been referred to the TWSP Executive through the Partnership Manager (stage 5)? No
Is a child or adult at immediate risk of significant harm? No

Kind regards
Casey Practitioner
"""

# Working hours: escbot's defaults, 09:00 to 17:00 London time, Monday to
# Friday but bank holidays (all these dates are GMT).
HOLIDAYS = {datetime.date(2026, 12, 25), datetime.date(2026, 12, 28),
            datetime.date(2027, 1, 1)}


def at(day, hhmm):
    return "%sT%s:00Z" % (day.isoformat(), hhmm)


def in_working_hours(now):
    t = datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ")
    return (t.weekday() < 5 and t.date() not in HOLIDAYS
            and datetime.time(9, 0) <= t.time() <= datetime.time(17, 0))


def text(m):
    return " ".join(m.get_body(("plain",)).get_content().split())


class Steps(unittest.TestCase):
    """A private escbot; each run's emails of the case, with its time."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-twspsteps-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name)
        self.addCleanup(self.env.stop)
        self.env.start()
        self.seen = 0
        self.sent = []          # (when, subject, recipients, message)

    def collect(self, now):
        """The case's emails that arrived in the run at `now`."""
        msgs = self.env.sink.messages()
        new, self.seen = msgs[self.seen:], len(msgs)
        by_id = {}
        for m in new:
            if self.ref not in m["Subject"]:
                # Only the partnerships' own reports go to anyone else.
                self.assertIn("safeguarding escalations", m["Subject"])
                continue
            e = by_id.setdefault(m["Message-ID"], (m, set()))
            e[1].update(r.lower() for r in m.rcpt_tos)
        for m, to in by_id.values():
            self.sent.append((now, m["Subject"], frozenset(to), m))
        return len(by_id)

    def run_at(self, now, *args):
        self.env.run(*(args or ("tick",)), now=now)
        return self.collect(now)


class TwspSteps(Steps):
    def test_request_to_resolution_through_every_stage(self):
        env = self.env
        # Monday 23 November 2026, 10:00: the request opens the case at
        # stage 1.
        env.deliver(make_message("Casey Practitioner <%s>" % RAISER,
                                 "Escalation: Alex", REQUEST,
                                 msgid="<request-1@telford.example.gov.uk>"))
        env.run("run", "--once", now="2026-11-23T10:00:00Z")
        (case,) = env.cases(now="2026-11-23T10:00:00Z")
        self.ref = ref = case["ref"]
        self.assertEqual((case["form"], case["stage"], case["stage_name"]),
                         ("twsp-request", 1,
                          "Practitioners: raise the disagreement"))
        self.assertEqual(case["raising_agency"], "tw-council")
        self.assertEqual(case["receiving_agencies"], ["west-mercia"])
        self.collect("2026-11-23T10:00:00Z")

        # The clock, four times a day to the end of December; on
        # Wednesday 9 December the raiser sends the referral form (004:
        # "from Stage 3"), and on Tuesday 29 December at 11:00 an
        # executive lead replies RESOLVED.
        day = datetime.date(2026, 11, 24)
        while day <= datetime.date(2026, 12, 31):
            for hhmm in ("09:00", "13:00", "17:30", "23:00"):
                now = at(day, hhmm)
                self.run_at(now)
                if now == "2026-11-26T09:00:00Z":
                    # The same tick again, a fresh process: nothing new.
                    self.assertEqual(self.run_at(now), 0)
                if now == "2026-12-09T13:00:00Z":
                    env.deliver(make_message(
                        "Casey Practitioner <%s>" % RAISER,
                        "Re: [%s] Escalated to stage 3" % ref,
                        F.TWSP_INLINE,
                        msgid="<referral-1@telford.example.gov.uk>"))
                    self.run_at("2026-12-09T13:05:00Z", "run", "--once")
                if now == "2026-12-29T09:00:00Z":
                    env.deliver(make_message(
                        "TWSP Executive (Council) "
                        "<twsp.exec.council@telford.example.gov.uk>",
                        "Re: [%s] Escalated to stage 5" % ref,
                        "RESOLVED: the Executive's decision: a strategy "
                        "discussion with both agencies on 4 January\n",
                        msgid="<decision-1@telford.example.gov.uk>"))
                    self.run_at("2026-12-29T11:00:00Z", "run", "--once")
            day += datetime.timedelta(days=1)
        # Restarted in the new year, and the resolution's moment again:
        # nothing is sent twice.
        for now in ("2026-12-29T11:00:00Z", "2027-01-04T09:00:00Z",
                    "2027-01-14T09:00:00Z"):
            self.assertEqual(self.run_at(now), 0, now)
            self.assertEqual(self.run_at(now, "run", "--once"), 0, now)

        def s(subject):
            return "[%s] %s" % (ref, subject)

        want = [
            ("2026-11-23T10:00:00Z",
             s("Received: TWSP Resolution Request"),
             {RAISER}),
            ("2026-11-23T10:00:00Z",
             s("Stage 1 starts: Practitioners: raise the disagreement - due "
               "by 5pm on Wednesday 25 November 2026"), PRACTITIONERS),
            ("2026-11-24T09:00:00Z",
             s("Reminder: stage 1 due by 5pm on Wednesday 25 November 2026"),
             PRACTITIONERS),
            ("2026-11-25T09:00:00Z",
             s("Reminder: stage 1 due by 5pm on Wednesday 25 November 2026"),
             PRACTITIONERS),
            # Decided at 17:30, sent at the next opening.
            ("2026-11-26T09:00:00Z",
             s("Escalated to stage 1: Practitioners: review and seek "
               "agreement"), PRACTITIONERS | {RAISER}),
            ("2026-12-01T09:00:00Z",
             s("Reminder: stage 1 due by 5pm on Wednesday 2 December 2026"),
             PRACTITIONERS),
            ("2026-12-02T09:00:00Z",
             s("Reminder: stage 1 due by 5pm on Wednesday 2 December 2026"),
             PRACTITIONERS),
            ("2026-12-03T09:00:00Z",
             s("Escalated to stage 2: Line / team managers"),
             LINE_MANAGERS | {RAISER}),
            ("2026-12-07T09:00:00Z",
             s("Reminder: stage 2 due by 5pm on Tuesday 8 December 2026"),
             LINE_MANAGERS),
            ("2026-12-08T09:00:00Z",
             s("Reminder: stage 2 due by 5pm on Tuesday 8 December 2026"),
             LINE_MANAGERS),
            ("2026-12-09T09:00:00Z",
             s("Escalated to stage 3: Senior managers / designated "
               "safeguarding leads"), STAGE3 | {RAISER}),
            ("2026-12-09T13:05:00Z",
             s("Added to the case: TWSP Resolution and Escalation Referral "
               "Form"), {RAISER}),
            ("2026-12-10T09:00:00Z",
             s("Reminder: stage 3 due by 5pm on Friday 11 December 2026"),
             STAGE3),
            ("2026-12-11T09:00:00Z",
             s("Reminder: stage 3 due by 5pm on Friday 11 December 2026"),
             STAGE3),
            # Friday 17:30: held over the weekend.
            ("2026-12-14T09:00:00Z",
             s("Escalated to stage 4: Assistant director / director"),
             STAGE4 | {RAISER}),
            ("2026-12-16T09:00:00Z",
             s("Reminder: stage 4 due by 5pm on Thursday 17 December 2026"),
             STAGE4),
            ("2026-12-17T09:00:00Z",
             s("Reminder: stage 4 due by 5pm on Thursday 17 December 2026"),
             STAGE4),
            # Stage 5, step 1: the directors and the Partnership Manager,
            # not the Executive.
            ("2026-12-18T09:00:00Z",
             s("Escalated to stage 5: TWSP Executive: the director writes "
               "via the Partnership Manager"), STAGE5_WRITE | {RAISER}),
            ("2026-12-21T09:00:00Z",
             s("Reminder: stage 5 due by 5pm on Monday 21 December 2026"),
             STAGE5_WRITE),
            # Step 2: the Partnership Manager and the Executive; 5 working
            # days over Christmas (25 and 28 December off).
            ("2026-12-22T09:00:00Z",
             s("Escalated to stage 5: TWSP Executive: final and binding "
               "decision"), STAGE5_DECIDE | {RAISER}),
            ("2026-12-24T09:00:00Z",
             s("Reminder: stage 5 due by 5pm on Wednesday 30 December "
               "2026"), STAGE5_DECIDE),
            ("2026-12-29T11:00:00Z", s("Resolved at level 5"),
             STAGE5_DECIDE | {RAISER}),
            ("2026-12-29T11:00:00Z",
             s("Debrief for those involved: resolved at level 5, debrief by "
               "5pm on Wednesday 13 January 2027"),
             PRACTITIONERS | LINE_MANAGERS | {RAISER}),
            ("2026-12-29T11:00:00Z",
             s("Completed forms: resolved at level 5"), {PM}),
        ]
        got = [(when, subj, set(to)) for when, subj, to, _ in self.sent]
        self.assertEqual(got, want)
        for when, subj, to, _ in self.sent:
            self.assertTrue(in_working_hours(when), (when, subj))

        # The stage-5 emails say which step is which.
        by_subject = {subj: m for _, subj, _, m in self.sent}
        step1 = text(by_subject[s("Escalated to stage 5: TWSP Executive: "
                                  "the director writes via the Partnership "
                                  "Manager")])
        self.assertIn("The director of the complaining agency writes to the "
                      "TWSP Executive, via the TWSP Partnership Manager, "
                      "within 2 working days.", step1)
        self.assertIn("Due: by 5pm on Monday 21 December 2026", step1)
        step2 = text(by_subject[s("Escalated to stage 5: TWSP Executive: "
                                  "final and binding decision")])
        self.assertIn("communicates its final and binding decision to all "
                      "involved within 5 working days", step2)
        self.assertIn("Due: by 5pm on Wednesday 30 December 2026", step2)

        # Stage 6: the debrief prompt, what it is for, by when.
        debrief = text(by_subject[s("Debrief for those involved: resolved "
                                    "at level 5, debrief by 5pm on "
                                    "Wednesday 13 January 2027")])
        self.assertIn("to promote continuing good working relationships",
                      debrief)
        self.assertIn("Raising agency: Telford & Wrekin Council", debrief)
        self.assertIn("Receiving agencies: West Mercia Police", debrief)
        self.assertNotIn("Alex Example", debrief)

        # Stage 7: both forms the case received, every answer, to the
        # Partnership Manager.
        forms = text(by_subject[s("Completed forms: resolved at level 5")])
        for want_text in (
                "Form 1: TWSP Resolution Request, received "
                "10am on Monday 23 November 2026 from %s" % RAISER,
                "- Name of child or adult: Alex Example",
                "- Date of birth: 2015-02-01",
                "- Agencies involved: West Mercia Police",
                "- Summary of the disagreement: West Mercia Police will not "
                "attend a strategy discussion for Alex.",
                "Form 2: TWSP Resolution and Escalation Referral Form, "
                "received 1:05pm on Wednesday 9 December 2026 from %s"
                % RAISER,
                "- Client Reference Number (if applicable): TW-48213",
                "- Requested Action: A joint strategy discussion with West "
                "Mercia Police within 2 working days."):
            self.assertIn(want_text, forms)
        self.assertLess(forms.index("Form 1:"), forms.index("Form 2:"))

        # The case records them, once each.
        detail = env.case(ref, now="2027-01-14T09:00:00Z")
        self.assertEqual(detail["status"], "resolved")
        kinds = [e["kind"] for e in detail["events"]]
        self.assertEqual(kinds.count("debrief"), 1)
        self.assertEqual(kinds.count("forms-copy"), 1)
        self.assertEqual(kinds.count("resolved"), 1)


class ResolvedOnArrival(Steps):
    def test_a_referral_already_resolved_gets_the_debrief_and_the_copy(self):
        """A referral that arrives with its Resolution of Issues answered
        is recorded as resolved at stage 3; on a Saturday evening its
        debrief prompt and forms' copy wait for Monday's opening, once."""
        env = self.env
        done = F.TWSP_INLINE.replace("Kind regards", (
            "Resolution of Issues: Joint strategy discussion held and "
            "agreed.\n\nKind regards"))
        env.deliver(make_message("Casey Practitioner <%s>" % RAISER,
                                 "Referral, resolved", done))
        env.run("run", "--once", now="2026-11-28T20:00:00Z")
        (case,) = env.cases(all=True, now="2026-11-28T20:00:00Z")
        self.ref = ref = case["ref"]
        self.assertEqual((case["status"], case["resolved_level"]),
                         ("resolved", 3))
        self.collect("2026-11-28T20:00:00Z")
        for now in ("2026-11-28T23:00:00Z", "2026-11-29T12:00:00Z",
                    "2026-11-30T08:59:00Z", "2026-11-30T09:00:00Z",
                    "2026-11-30T09:00:00Z", "2026-11-30T13:00:00Z"):
            self.run_at(now)
        self.run_at("2026-11-30T13:05:00Z", "run", "--once")
        got = [(when, subj, set(to)) for when, subj, to, _ in self.sent]
        self.assertEqual(got, [
            # The sender's own answer at once.
            ("2026-11-28T20:00:00Z", "[%s] Resolved at level 3" % ref,
             {RAISER}),
            ("2026-11-30T09:00:00Z",
             "[%s] Debrief for those involved: resolved at level 3, "
             "debrief by 5pm on Monday 14 December 2026" % ref,
             PRACTITIONERS | LINE_MANAGERS | {RAISER}),
            ("2026-11-30T09:00:00Z",
             "[%s] Completed forms: resolved at level 3" % ref, {PM})])
        forms = text(self.sent[2][3])
        self.assertIn("Form 1: TWSP Resolution and Escalation Referral "
                      "Form, received 8pm on Saturday 28 November 2026 from "
                      "%s" % RAISER, forms)
        self.assertIn("- Resolution of Issues: Joint strategy discussion "
                      "held and agreed.", forms)
        self.assertIn("- Name of Individual: Alex Example", forms)


class Requests(unittest.TestCase):
    """The WSAB and WSCB requests: level 1, or the level their answers
    show."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-requests-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name)
        self.addCleanup(self.env.stop)
        self.env.start()

    def request(self, sender, title, name, agencies, levels):
        body = ["%s" % title, "",
                "Name: %s" % name, "Date of birth: 01/02/1950",
                "Agencies involved: %s" % agencies,
                "Summary of the disagreement: whether an enquiry is needed",
                "Action requested: a joint visit"]
        body += ["%s %s" % kv for kv in levels]
        body += ["", "Kind regards"]
        self.env.deliver(make_message(sender, "Escalation", "\n".join(body)
                                      + "\n"))

    def opened(self, now):
        self.env.run("run", "--once", now=now)
        return {c["form"] + ":" + str(c["stage"]) + ":" + c["stage_name"]
                for c in self.env.cases(now=now)}

    def test_wsab_request_opens_at_level_1_or_the_level_reached(self):
        sender = "robin.worker@wigan.example.gov.uk"
        self.request(sender, "WSAB Resolution Request (from level 1)",
                     "Pat One", "GMP",
                     [("Have the line managers discussed it (level 2)?",
                       "No"),
                      ("Has it been referred to heads of service (level "
                       "3)?", "No")])
        self.request(sender, "WSAB Resolution Request (from level 1)",
                     "Pat Two", "GMP",
                     [("Have the line managers discussed it (level 2)?",
                       "Yes"),
                      ("Has it been referred to heads of service (level "
                       "3)?", "No")])
        self.request(sender, "WSAB Resolution Request (from level 1)",
                     "Pat Three", "WWL",
                     [("Have the line managers discussed it (level 2)?",
                       "Yes"),
                      ("Has it been referred to heads of service (level "
                       "3)?", "Yes")])
        self.request(sender, "WSAB Resolution Request (from level 1)",
                     "Pat Four", "WWL",
                     [("Have the line managers discussed it (level 2)?",
                       "Yes"),
                      ("Has it been referred to heads of service (level "
                       "3)?", "Yes"),
                      ("Has it been referred to the WSAB Service Manager "
                       "(level 4)?", "Yes, on 20/11/2026")])
        self.assertEqual(self.opened("2026-11-23T10:00:00Z"), {
            "wsab-request:1:Practitioner to practitioner",
            "wsab-request:2:Line manager to line manager",
            "wsab-request:3:Head of service to head of service, then "
            "director",
            "wsab-request:4:Exceptional: WSAB service manager"})
        # Level 1's people hear at once: the practitioners of Wigan
        # Council and GMP.
        starts = {}
        for m in self.env.sink.messages():
            if "Stage 1 starts" in m["Subject"]:
                starts.setdefault(m["Message-ID"], set()).update(
                    r.lower() for r in m.rcpt_tos)
        self.assertEqual(list(starts.values()),
                         [{"adult.duty@wigan.example.gov.uk",
                           "response.wigan@gmp.example.police.uk"}])

    def test_the_shipped_sample_request_opens_twsp_stage_1(self):
        with open(os.path.join(REPO, "etc", "samples", "twsp-request.eml"),
                  "rb") as f:
            self.env.deliver(f.read())
        self.assertEqual(self.opened("2026-11-23T10:00:00Z"), {
            "twsp-request:1:Practitioners: raise the disagreement"})

    def test_wscb_request_opens_at_level_1_or_the_level_reached(self):
        sender = "robin.worker@wigan.example.gov.uk"
        self.request(sender, "WSCB Resolution Request (from level 1)",
                     "Sam One", "GMP",
                     [("Has it been referred to line managers / named "
                       "safeguarding leads (level 2)?", "No")])
        self.request(sender, "WSCB Resolution Request (from level 1)",
                     "Sam Two", "GMP",
                     [("Has it been referred to line managers / named "
                       "safeguarding leads (level 2)?", "Yes"),
                      ("Has it been referred to the agencies' WSCB "
                       "representatives (level 3)?", "Yes")])
        self.request(sender, "WSCB Resolution Request (from level 1)",
                     "Sam Three", "GMP",
                     [("Has it been referred to line managers / named "
                       "safeguarding leads (level 2)?", "Yes"),
                      ("Has it been referred to the agencies' WSCB "
                       "representatives (level 3)?", "Yes"),
                      ("Has it been referred to the WSCB business manager "
                       "(level 4)?", "Yes")])
        self.assertEqual(self.opened("2026-11-23T10:00:00Z"), {
            "wscb-request:1:Practitioners",
            "wscb-request:3:WSCB agency representative",
            "wscb-request:4:WSCB business manager / independent chair"})

    def test_twsp_request_opens_at_the_stage_reached(self):
        """004's referral form is from stage 3, but a disagreement first
        brought to escbot at stage 4 or 5 is tracked there too."""
        q = ["Have line / team managers tried to resolve it (stage 2)?",
             "Have senior managers / designated safeguarding leads tried "
             "to resolve it (stage 3)?",
             "Has it been referred to assistant directors / directors "
             "(stage 4)?",
             "Has it been referred to the TWSP Executive through the "
             "Partnership Manager (stage 5)?"]
        for name, yes in (("Ash Three", 2), ("Ash Four", 3),
                          ("Ash Five", 4)):
            self.request(RAISER, "TWSP Resolution Request", name,
                         "West Mercia Police",
                         [(x, "Yes" if k < yes else "No")
                          for k, x in enumerate(q)])
        self.assertEqual(self.opened("2026-11-23T10:00:00Z"), {
            "twsp-request:3:Senior managers / designated safeguarding "
            "leads",
            "twsp-request:4:Assistant director / director",
            "twsp-request:5:TWSP Executive: the director writes via the "
            "Partnership Manager"})


class LaterForms(Steps):
    """A case a request opened, then the protocol's own form about the
    same person, in a thread of its own: it joins the case (no second
    case) and, showing a later level than the case's, moves it on, the
    new level's people told in working hours."""

    def one_case(self, now):
        cases = self.env.cases(now=now)
        self.assertEqual(len(cases), 1, cases)
        return cases[0]

    def test_wsab_proforma_moves_a_level_1_case_to_level_2(self):
        env, sender = self.env, "robin.worker@wigan.example.gov.uk"
        env.deliver(make_message(sender, "Resolution request", (
            "WSAB Resolution Request (from level 1)\n\n"
            "Name of adult: Jamie Testperson\n"
            "Date of birth: 12/07/1950\n"
            "Agencies involved: GMP\n"
            "Summary of the disagreement: GMP have not shared the welfare "
            "check.\n"
            "Have the line managers discussed it (level 2)? No\n\n"
            "Kind regards\n")))
        env.run("run", "--once", now="2026-11-23T10:00:00Z")
        self.ref = ref = self.one_case("2026-11-23T10:00:00Z")["ref"]
        self.collect("2026-11-23T10:00:00Z")
        self.sent = []
        # Tuesday: the level 2 proforma, a new email, no reference.
        env.deliver(make_message(sender, "Proforma - Jamie", F.WSAB_LINES))
        self.run_at("2026-11-24T10:00:00Z", "run", "--once")
        case = self.one_case("2026-11-24T10:00:00Z")
        self.assertEqual((case["ref"], case["stage"], case["stage_name"]),
                         (ref, 2, "Line manager to line manager"))
        got = [(when, subj, set(to)) for when, subj, to, _ in self.sent]
        self.assertEqual(got, [
            ("2026-11-24T10:00:00Z",
             "[%s] Escalated to stage 2: Line manager to line manager" % ref,
             LEVEL2 | {sender}),
            ("2026-11-24T10:00:00Z", "[%s] Added to the case: WSAB "
             "Partnership Resolution Seeking Proforma" % ref, {sender})])
        events = env.case(ref, now="2026-11-24T10:00:00Z")["events"]
        self.assertIn("escalated by request from stage 1 to stage 2: the "
                      "WSAB Partnership Resolution Seeking Proforma "
                      "received shows stage 2 was reached",
                      [e["detail"] for e in events])
        # The same proforma again: the case is at level 2 already.
        env.deliver(make_message(sender, "Proforma - Jamie (again)",
                                 F.WSAB_LINES))
        self.run_at("2026-11-24T11:00:00Z", "run", "--once")
        self.assertEqual(self.one_case("2026-11-24T11:00:00Z")["stage"], 2)
        self.assertEqual([subj for _, subj, _, _ in self.sent[2:]],
                         ["[%s] Added to the case: WSAB Partnership "
                          "Resolution Seeking Proforma" % ref])

    def test_wscb_reports_move_a_request_case_on_then_resolve_it(self):
        env, sender = self.env, "jo.sample@wigan.example.gov.uk"
        with open(os.path.join(REPO, "etc", "samples",
                               "wscb-agency-report.eml"),
                  encoding="utf-8") as f:
            report = f.read().split("\n\n", 1)[1].split("\nOn Mon")[0]
        env.deliver(make_message(sender, "Resolution request", (
            "WSCB Resolution Request (from level 1)\n\n"
            "Name of child / young person: Robin Example\n"
            "Date of birth: 05/06/2014\n"
            "Agencies involved: Wigan Schools\n"
            "Summary of the disagreement: whether a child protection "
            "conference is needed\n\nJo\n")))
        env.run("run", "--once", now="2026-11-23T10:00:00Z")
        self.ref = ref = self.one_case("2026-11-23T10:00:00Z")["ref"]
        # The agency report: level 2's outcome "still open".
        env.deliver(make_message(sender, "Agency report", report))
        env.run("run", "--once", now="2026-11-24T10:00:00Z")
        case = self.one_case("2026-11-24T10:00:00Z")
        self.assertEqual((case["ref"], case["stage"], case["status"]),
                         (ref, 2, "open"))
        # A later report: level 3 answered, agreed there.
        env.deliver(make_message(sender, "Agency report (resolved)",
                                 report.replace(
                                     "Not yet.", "Yes: resolved, the board "
                                     "representatives agreed a conference "
                                     "on 25/11/2026.")))
        env.run("run", "--once", now="2026-11-26T10:00:00Z")
        (done,) = env.cases(all=True, now="2026-11-26T10:00:00Z")
        self.assertEqual((done["ref"], done["status"],
                          done["resolved_level"]), (ref, "resolved", 3))

    def test_twsp_referral_on_a_saturday_moves_a_stage_1_case_on_monday(self):
        env = self.env
        env.deliver(make_message("Casey Practitioner <%s>" % RAISER,
                                 "Escalation: Alex", REQUEST))
        env.run("run", "--once", now="2026-11-23T10:00:00Z")
        self.ref = ref = self.one_case("2026-11-23T10:00:00Z")["ref"]
        self.collect("2026-11-23T10:00:00Z")
        self.sent = []
        # Saturday evening: the referral (004's form, from stage 3), a
        # new email; its client reference names no case, the individual's
        # name and date of birth do.
        env.deliver(make_message("Casey Practitioner <%s>" % RAISER,
                                 "Escalation referral", F.TWSP_INLINE))
        self.run_at("2026-11-28T20:00:00Z", "run", "--once")
        for now in ("2026-11-29T12:00:00Z", "2026-11-30T09:00:00Z"):
            self.run_at(now)
        case = self.one_case("2026-11-30T09:00:00Z")
        self.assertEqual((case["ref"], case["stage"]), (ref, 3))
        got = [(when, subj, set(to)) for when, subj, to, _ in self.sent]
        self.assertEqual(got, [
            # The sender hears at once; the stage's people at Monday's
            # opening.
            ("2026-11-28T20:00:00Z",
             "[%s] Escalated to stage 3: Senior managers / designated "
             "safeguarding leads" % ref, {RAISER}),
            ("2026-11-28T20:00:00Z", "[%s] Added to the case: TWSP "
             "Resolution and Escalation Referral Form" % ref, {RAISER}),
            ("2026-11-30T09:00:00Z",
             "[%s] Escalated to stage 3: Senior managers / designated "
             "safeguarding leads" % ref, STAGE3)])
        # Each is dated when it may leave: the held one Monday morning.
        self.assertEqual([m["Date"] for _, _, _, m in self.sent],
                         ["Sat, 28 Nov 2026 20:00:00 +0000"] * 2
                         + ["Mon, 30 Nov 2026 09:00:00 +0000"])


if __name__ == "__main__":
    unittest.main()
