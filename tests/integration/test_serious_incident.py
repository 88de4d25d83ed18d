"""Issue 13, item 5: seed 003's serious child safeguarding incident duties
(rules/wsp-serious-incident.conf), run through time with the fake clock
against a real Dovecot and SMTP sink.

- The notification form opens a case whose clock starts at the date the
  local authority became aware, not at receipt: the national panel is to be
  notified within 5 working days of it, and the rapid review completed
  within 15 working days of it (both from the same date).
- NOTIFIED / COMPLETED by reply moves the case to the rapid review, which
  keeps its deadline; the rapid review done resolves it.  Someone outside
  the case cannot.
- An awareness date in the future is refused with a reply saying why; one
  already past the notification's deadline makes it due the day its people
  are told, then it is chased and the case moves to the rapid review.

Every email is checked: its recipients exactly, its time (it leaves in
the run at a time in London working hours on a working day, and no
earlier run sent it), its stage and deadline in the subject and text.
"""
import datetime
import email.utils
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402

RAISER = "jordan.social@wigan.example.gov.uk"
BUSINESS = "wsp.business@wigan.example.gov.uk"
STAGE1 = {BUSINESS, "wsp.board@wigan.example.gov.uk",
          "exec.one@wigan.example.gov.uk", "exec.two@wigan.example.gov.uk"}
# The rapid review: the business manager, the safeguarding partners, and
# the safeguarding leads of the case's agencies (Wigan Council raising,
# GMP and WWL involved).
STAGE2 = {BUSINESS, "exec.one@wigan.example.gov.uk",
          "exec.two@wigan.example.gov.uk",
          # the agencies' children's safeguarding leads (service =
          # "children" in rules/wsp-serious-incident.conf)
          "safeguarding.children@wigan.example.gov.uk",
          "child.protection@gmp.example.police.uk",
          "named.nurse.children@wwl.example.nhs.uk"}
TITLE = "WSP Serious Child Safeguarding Incident Notification"
HOLIDAYS = {"2026-12-25", "2026-12-28", "2027-01-01"}


def form(aware, panel="No", child="Riley Example"):
    return """WSP Serious Child Safeguarding Incident Notification

Name of child: %s
Date of birth: 04/05/2019
Date of the incident: 20/11/2026
Date the local authority became aware: %s
Did the child die or was the child seriously harmed?: Seriously harmed
Where did it happen?: In Wigan
Agency notifying: Wigan Council
Agencies involved: GMP; WWL
Summary of the incident: Admitted to hospital with injuries; known to
two agencies in the last year.
Has the national panel already been notified? %s
Has Ofsted been notified? No

Jordan Social
Children's Social Care
""" % (child, aware, panel)


def text(m):
    body = m.get_body(("plain",))
    return " ".join(body.get_content().split())


class SeriousIncident(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-si-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name)
        self.addCleanup(self.env.stop)
        self.env.start()
        self.seen = 0
        self.now = None

    def at(self, *args, now):
        self.now = now
        self.env.run(*args, now=now)

    def fresh(self):
        """[(subject, recipients, message)] that arrived since the last
        call, one per message (the sink has a copy per recipient)."""
        msgs = self.env.sink.messages()
        new, self.seen = msgs[self.seen:], len(msgs)
        by_id = {}
        for m in new:
            s = m["Subject"].lower()
            if "digest" in s or "report" in s:
                continue
            e = by_id.setdefault(m["Message-ID"], [m["Subject"], set(), m])
            e[1].update(r.lower() for r in m.rcpt_tos)
        out = sorted((s, to, m) for s, to, m in by_id.values())
        if out:
            self.assert_working_time(self.now)
        return out

    def assert_working_time(self, now):
        """The run that sent them was on a working day between 09:00 and
        17:00 London time (these dates are all GMT)."""
        when = datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ")
        self.assertLess(when.weekday(), 5, now)
        self.assertNotIn(when.strftime("%Y-%m-%d"), HOLIDAYS, now)
        self.assertTrue("09:00" <= when.strftime("%H:%M") <= "17:00", now)

    def got(self, want):
        """The fresh emails are exactly want: [(subject, recipients)];
        returns their messages by subject."""
        msgs = self.fresh()
        self.assertEqual([(s, to) for s, to, m in msgs], sorted(want))
        return {s: m for s, to, m in msgs}

    def sent_at(self, m):
        """When the email left: the run's time (its Date header is when
        it was written, which is never later)."""
        written = email.utils.parsedate_to_datetime(m["Date"])
        when = datetime.datetime.strptime(self.now, "%Y-%m-%dT%H:%M:%SZ")
        self.assertLessEqual(written.replace(tzinfo=None) -
                             written.utcoffset(), when)
        return when.strftime("%Y-%m-%d %H:%M")

    def open(self, now, aware, panel="No"):
        self.env.deliver(make_message("Jordan Social <%s>" % RAISER,
                                      "Serious incident notification",
                                      form(aware, panel)))
        self.at("run", "--once", now=now)
        (case,) = self.env.cases(now=now)
        self.ref = case["ref"]
        return case

    def reply(self, sender, words, now):
        self.env.deliver(make_message(sender, "Re: [%s] Serious incident"
                                      % self.ref, words + "\n\nThanks\n"))
        self.at("run", "--once", now=now)

    def test_notified_early_then_rapid_review_done(self):
        ref = None
        # Aware on Monday 23 November, the form in on Wednesday 25th: the
        # panel is due to be told by Monday 30 November (5 working days
        # from the 23rd) and the rapid review done by Monday 14 December
        # (15 working days from the 23rd).
        case = self.open("2026-11-25T10:00:00Z", "23/11/2026")
        ref = self.ref
        self.assertTrue(ref.startswith("WSPSI-2026-"), ref)
        self.assertEqual(case["stage"], 1)
        self.assertEqual(case["due_at"], "2026-11-30T17:00:00+00:00")
        self.assertEqual(case["clock_start"], "2026-11-23T00:00:00+00:00")
        self.assertRegex(self.env.run("case", ref, now="2026-11-25T10:00:00Z")
                         .stdout, r"(?m)^Clock from +2026-11-23 00:00$")
        self.assertEqual(case["raising_agency"], "wigan-council")
        self.assertEqual(case["receiving_agencies"], ["gmp", "wwl"])
        start = "[%s] Stage 1 starts: Notify the national panel - due by " \
                "5pm on Monday 30 November 2026" % ref
        ack = "[%s] Received: %s" % (ref, TITLE)
        m = self.got([(ack, {RAISER}), (start, STAGE1)])
        self.assertEqual(self.sent_at(m[start]), "2026-11-25 10:00")
        body = text(m[start])
        self.assertIn("What the protocol expects of you: Notify the Child "
                      "Safeguarding Practice Review Panel", body)
        self.assertIn("By: 5pm on Monday 30 November 2026", body)
        self.assertIn("Next, with its own deadline: Rapid review.", body)
        self.assertIn("with this on the first line: COMPLETED: what was done "
                      "and when", body)
        self.assertNotIn("ESCALATE", body)
        self.assertNotIn("Riley", text(m[ack]))

        # Reminder two working days before, in the morning.
        self.at("tick", now="2026-11-25T16:00:00Z")
        self.got([])
        self.at("tick", now="2026-11-26T09:00:00Z")
        rem = "[%s] Reminder: stage 1 due by 5pm on Monday 30 November " \
              "2026" % ref
        m = self.got([(rem, STAGE1)])
        self.assertEqual(self.sent_at(m[rem]), "2026-11-26 09:00")

        # Someone outside the case cannot say it is done.
        self.reply("someone@gmfrs.example.gov.uk", "COMPLETED: done",
                   "2026-11-26T11:00:00Z")
        self.got([])
        (case,) = self.env.cases(now="2026-11-26T11:00:00Z")
        self.assertEqual(case["stage"], 1)

        # The business manager notified the panel on Friday 27th: the
        # rapid review starts, still due Monday 14 December.
        self.reply("WSCB Business Manager <%s>" % BUSINESS,
                   "Notified: panel notified online this morning",
                   "2026-11-27T11:30:00Z")
        done = "[%s] Duty done; now stage 2: Rapid review - due by 5pm on " \
               "Monday 14 December 2026" % ref
        m = self.got([(done, STAGE2 | {RAISER})])
        self.assertEqual(self.sent_at(m[done]), "2026-11-27 11:30")
        body = text(m[done])
        self.assertIn("%s has recorded the previous duty of case %s"
                      % (BUSINESS, ref), body)
        self.assertIn("Recorded: panel notified online this morning", body)
        self.assertIn("Due: by 5pm on Monday 14 December 2026", body)
        self.assertIn("completes the rapid review within 15 working days",
                      body)
        (case,) = self.env.cases(now="2026-11-27T11:30:00Z")
        self.assertEqual((case["stage"], case["due_at"]),
                         (2, "2026-12-14T17:00:00+00:00"))

        # The old notification deadline passes: nothing.
        self.at("tick", now="2026-11-30T17:30:00Z")
        self.at("tick", now="2026-12-01T10:00:00Z")
        self.got([])
        # Reminders 5 and 2 working days before the review's deadline.
        self.at("tick", now="2026-12-07T09:00:00Z")
        rem2 = "[%s] Reminder: stage 2 due by 5pm on Monday 14 December " \
               "2026" % ref
        m = self.got([(rem2, STAGE2)])
        self.assertEqual(self.sent_at(m[rem2]), "2026-12-07 09:00")
        self.at("tick", now="2026-12-10T09:15:00Z")
        m = self.got([(rem2, STAGE2)])
        self.assertEqual(self.sent_at(m[rem2]), "2026-12-10 09:15")

        # The rapid review done on Friday 11th: the case is resolved.
        self.reply("exec.one@wigan.example.gov.uk",
                   "Completed - rapid review sent to the panel",
                   "2026-12-11T14:00:00Z")
        res = "[%s] Resolved at level 2" % ref
        m = self.got([(res, STAGE2 | {RAISER})])
        self.assertIn("Resolution: rapid review sent to the panel",
                      text(m[res]))
        self.at("tick", now="2026-12-14T09:00:00Z")
        self.at("tick", now="2026-12-15T09:00:00Z")
        self.got([])
        detail = self.env.case(ref)
        self.assertEqual(detail["status"], "resolved")
        done = [(e["actor"], e["detail"]) for e in detail["events"]
                if e["kind"] == "completed"]
        self.assertEqual(done, [
            (BUSINESS, "stage 1 (Notify the national panel) done, "
             "recorded by %s: panel notified online this morning"
             % BUSINESS),
            ("exec.one@wigan.example.gov.uk", "stage 2 (Rapid review) "
             "done, recorded by exec.one@wigan.example.gov.uk: rapid review "
             "sent to the panel")])

    def test_awareness_in_the_future_is_refused(self):
        self.env.deliver(make_message("Jordan Social <%s>" % RAISER,
                                      "Serious incident notification",
                                      form("26/11/2026")))
        self.at("run", "--once", now="2026-11-25T10:00:00Z")
        self.assertEqual(self.env.cases(now="2026-11-25T10:00:00Z"), [])
        (subject, to, m), = self.fresh()
        self.assertEqual(subject, "Not recorded: your %s needs more "
                         "information" % TITLE)
        self.assertEqual(to, {RAISER})
        self.assertIn("- Date the local authority became aware: is after "
                      "today: give the date it became known, which cannot "
                      "be in the future (for example: 01/12/2026)", text(m))

    def test_awareness_past_the_deadline_then_chased_and_moved_on(self):
        # Aware Monday 23 November, the form in on Tuesday 8 December:
        # the notification's deadline (30 November) has gone, so it is due
        # by the close of today; the rapid review keeps 14 December.
        case = self.open("2026-12-08T10:00:00Z", "23 November 2026")
        ref = self.ref
        self.assertEqual(case["due_at"], "2026-12-08T17:00:00+00:00")
        start = "[%s] Stage 1 starts: Notify the national panel - due by " \
                "5pm on Tuesday 8 December 2026" % ref
        self.got([("[%s] Received: %s" % (ref, TITLE), {RAISER}),
                  (start, STAGE1)])
        # Overdue at 17:00: chased at once (still working hours).
        self.at("tick", now="2026-12-08T17:00:00Z")
        over = "[%s] OVERDUE: stage 1 was due by 5pm on Tuesday 8 " \
               "December 2026" % ref
        m = self.got([(over, STAGE1 | {RAISER})])
        self.assertEqual(self.sent_at(m[over]), "2026-12-08 17:00")
        # A working day later it moves on to the rapid review: decided in
        # the evening, sent the next morning.
        self.at("tick", now="2026-12-09T18:00:00Z")
        self.got([])
        (case,) = self.env.cases(now="2026-12-09T18:00:00Z")
        self.assertEqual((case["stage"], case["due_at"]),
                         (2, "2026-12-14T17:00:00+00:00"))
        # Its reminder two working days before would fall on the same
        # morning as the escalation itself: it is not sent beside it.
        self.at("tick", now="2026-12-10T09:00:00Z")
        esc = "[%s] Escalated to stage 2: Rapid review" % ref
        rem = "[%s] Reminder: stage 2 due by 5pm on Monday 14 December " \
              "2026" % ref
        m = self.got([(esc, STAGE2 | {RAISER})])
        self.assertEqual(self.sent_at(m[esc]), "2026-12-10 09:00")
        self.assertIn("Due: by 5pm on Monday 14 December 2026", text(m[esc]))
        # Reminded on the morning of the deadline, chased after it.
        self.at("tick", now="2026-12-14T09:00:00Z")
        self.got([(rem, STAGE2)])
        self.at("tick", now="2026-12-15T09:00:00Z")
        over2 = "[%s] OVERDUE: stage 2 was due by 5pm on Monday 14 " \
                "December 2026" % ref
        self.got([(over2, STAGE2 | {RAISER})])

    def test_panel_already_notified_opens_at_the_rapid_review(self):
        case = self.open("2026-11-25T10:00:00Z", "2026-11-23", panel="Yes")
        self.assertEqual((case["stage"], case["due_at"]),
                         (2, "2026-12-14T17:00:00+00:00"))
        start = "[%s] Stage 2 starts: Rapid review - due by 5pm on Monday " \
                "14 December 2026" % self.ref
        self.got([("[%s] Received: %s" % (self.ref, TITLE), {RAISER}),
                  (start, STAGE2)])


if __name__ == "__main__":
    unittest.main()
