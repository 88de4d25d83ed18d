"""EXTEND capped in total per stage, and TIMESCALE N, sent by email through
the test Dovecot as the people of a case write them (issue 13): each reply
is answered, the new deadlines are exact, the extension is recorded with
who agreed it, a command beyond the cap or into the past is refused with a
reply that says why, and someone outside the case changes nothing.

The case: a TWSP referral form opened at stage 3 (3 working days) on
Monday 23 November 2026 at 10:00, due Thursday 26th at 17:00; TWSP's
max_extension_days is 10."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

RAISER = "casey.practitioner@telford.example.gov.uk"
TIA = "tia.lead@telford.example.gov.uk"      # stage 3, safeguarding lead
TEO = "teo.head@telford.example.gov.uk"      # stage 3, head of service
STRANGER = "morgan.bystander@telford.example.gov.uk"


def text(msg):
    return " ".join(msg.get_body(("plain",)).get_content().split())


class ExtendAndTimescaleByEmail(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-timescale-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name)
        self.addCleanup(self.env.stop)
        self.env.start()
        self.env.deliver(make_message(RAISER, "Escalation referral",
                                      F.TWSP_INLINE))
        self.env.run("run", "--once", now="2026-11-23T10:00:00Z")
        (case,) = self.env.cases()
        self.ref = case["ref"]
        self.assertEqual(case["due_at"], "2026-11-26T17:00:00+00:00")
        self.seen = {m["Message-ID"] for m in self.env.sink.messages()}

    def reply(self, sender, body, now):
        """sender replies body in the case's thread; escbot runs at now.
        Returns the new emails (one per Message-ID)."""
        self.env.deliver(make_message(
            sender, "RE: [%s] Received: referral" % self.ref, body))
        self.env.run("run", "--once", now=now)
        return self.new_mail()

    def new_mail(self):
        new = {}
        for m in self.env.sink.messages():
            if m["Message-ID"] not in self.seen:
                new.setdefault(m["Message-ID"], m)
        self.seen.update(new)
        return [m for m in new.values()
                if not any(w in m["Subject"].lower()
                           for w in ("digest", "report", "review"))]

    def due(self, now):
        (case,) = self.env.cases(now=now)
        return case["due_at"]

    def events(self, kind):
        return [e for e in self.env.case(self.ref)["events"]
                if e["kind"] == kind]

    def test_extend_capped_and_timescale_shortens(self):
        # EXTEND 6 from Thursday 26th: Friday 4 December.
        now = "2026-11-23T11:00:00Z"
        (conf,) = self.reply(TIA, "EXTEND 6 days: waiting for the GP's "
                             "report\n\nTia", now)
        self.assertEqual(conf["Subject"], "[%s] Extended: stage 3 now due by "
                         "5pm on Friday 4 December 2026" % self.ref)
        self.assertIn("extended by %s" % TIA, text(conf))
        self.assertEqual(self.due(now), "2026-12-04T17:00:00+00:00")
        (ext,) = self.events("extended")
        self.assertEqual(ext["actor"], TIA)
        self.assertEqual(ext["detail"], "stage 3 extended by 6 working days "
                         "(6 of the 10 allowed), agreed by %s: waiting for "
                         "the GP's report" % TIA)

        # 5 more would be 11: refused, the reply says the cap and what is
        # left; nothing changes.
        now = "2026-11-24T10:00:00Z"
        (refused,) = self.reply(TEO, "Extended by 5 days: more time", now)
        self.assertEqual(refused["Subject"],
                         "[%s] Your instruction was not applied" % self.ref)
        self.assertEqual([a.lower() for a in refused.rcpt_tos], [TEO])
        self.assertIn("could not be applied: an extension of 5 working days "
                      "is too long: stage 3 may be given at most 10 working "
                      "days beyond its timescale in all (EXTEND and "
                      "TIMESCALE together); 4 are left", text(refused))
        self.assertEqual(self.due(now), "2026-12-04T17:00:00+00:00")

        # 4 fit exactly: Thursday 10 December.
        now = "2026-11-24T10:30:00Z"
        (conf,) = self.reply(TEO, "Extension of 4 working days - panel "
                             "moved", now)
        self.assertIn("Extended", conf["Subject"])
        self.assertEqual(self.due(now), "2026-12-10T17:00:00+00:00")
        self.assertIn("(10 of the 10 allowed), agreed by %s" % TEO,
                      self.events("extended")[-1]["detail"])
        (refused,) = self.reply(TIA, "extend 1: one more day",
                                "2026-11-24T10:40:00Z")
        self.assertIn("none are left", text(refused))

        # TIMESCALE 2 from the stage's start (Monday 23rd): Wednesday 25th.
        now = "2026-11-24T11:00:00Z"
        (conf,) = self.reply(TEO, "Timescale set to 2 days: the risk to "
                             "Alex has increased", now)
        self.assertEqual(conf["Subject"], "[%s] Timescale set: stage 3 now "
                         "due by 5pm on Wednesday 25 November 2026" % self.ref)
        self.assertIn("has been set by %s" % TEO, text(conf))
        self.assertIn("Reason recorded: the risk to Alex has increased",
                      text(conf))
        self.assertEqual(self.due(now), "2026-11-25T17:00:00+00:00")
        (ts,) = self.events("timescale")
        self.assertEqual(ts["actor"], TEO)
        self.assertEqual(ts["detail"], "stage 3 timescale set to 2 working "
                         "days from its start (the protocol's: 3), agreed by "
                         "%s: the risk to Alex has increased" % TEO)

        # The new deadline is reminded on its morning, to stage 3's people.
        self.env.run("tick", now="2026-11-25T09:30:00Z")
        (rem,) = self.new_mail()
        self.assertIn("Reminder", rem["Subject"])
        self.assertIn(TIA, [a.lower() for a in rem.rcpt_tos])
        self.assertIn("5pm on Wednesday 25 November 2026", text(rem))

        # TIMESCALE 1 on Wednesday: Tuesday 24th has passed: refused.
        now = "2026-11-25T10:00:00Z"
        (refused,) = self.reply(TIA, "TIMESCALE 1: even sooner", now)
        self.assertIn("could not be applied: 1 working day from the start of "
                      "stage 3 would make it due by 5pm on Tuesday 24 "
                      "November 2026, which has passed; the shortest "
                      "timescale now is 2 working days", text(refused))
        self.assertEqual(self.due(now), "2026-11-25T17:00:00+00:00")

        # Someone outside the case: recorded, not answered, nothing done.
        self.assertEqual(self.reply(STRANGER, "TIMESCALE 5: mine",
                                    "2026-11-25T10:30:00Z"), [])
        self.assertEqual(self.due("2026-11-25T10:30:00Z"),
                         "2026-11-25T17:00:00+00:00")
        self.assertEqual(len(self.events("timescale")), 1)

    def test_covid_request_opens_at_the_level_reached(self):
        """The COVID-19 protocol's way in: escbot's short request opens a
        case at the level its answers show (the safeguarding leads are
        involved: level 2, 1 working day)."""
        self.env.deliver(make_message(
            "sam.manager@wigan.example.gov.uk", "Resolution request",
            "WSP Resolution Request\n\n"
            "Name of child or adult: Jamie Example\n"
            "Date of birth: 03/04/2012\n"
            "Agencies involved: Wigan Council; GMP\n"
            "Summary of the disagreement: Whether a strategy discussion "
            "is needed\n"
            "Safeguarding leads involved: Yes, both named leads\n"
            "Partnership Executive involved: No\n\nSam\n"))
        self.env.run("run", "--once", now="2026-11-23T11:00:00Z")
        (case,) = [c for c in self.env.cases()
                   if c["protocol"] == "wsp-covid"]
        self.assertEqual(case["stage"], 2)
        self.assertEqual(case["due_at"], "2026-11-24T17:00:00+00:00")

    def test_timescale_from_the_command_line(self):
        p = self.env.run("timescale", self.ref, "--days", "2", "--reason",
                         "agreed with both leads", now="2026-11-23T12:00:00Z")
        self.assertIn("%s: timescale done: stage 3 now due 2026-11-25 17:00 "
                      "(was 2026-11-26 17:00)" % self.ref,
                      " ".join(p.stdout.split()))
        p = self.env.run("timescale", self.ref, "--days", "14", "--reason",
                         "x", now="2026-11-23T12:05:00Z", check=False)
        self.assertEqual(p.returncode, 4)
        self.assertIn("13 in all", p.stderr)


if __name__ == "__main__":
    unittest.main()
