"""Planned actions of a solution focused meeting (001 Appendix 4) are
tracked: reminded the working day before their deadline, chased after it
until someone replies DONE n; the next meeting is reminded the day before."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import REPO, EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                             # noqa: E402

RAISER = "robin.worker@wigan.example.gov.uk"
ASC = {"sam.manager@wigan.example.gov.uk", "safeguarding.adults@wigan.example.gov.uk"}


class Actions(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-actions-")
        self.addCleanup(self.tmp.cleanup)
        env = self.env = EscbotEnv(self.tmp.name)
        # Stopped even when the rest of setUp fails (tearDown would not run).
        self.addCleanup(env.stop)
        env.start()
        env.deliver(make_message(RAISER, "Proforma", F.WSAB_LINES))
        env.run("run", "--once", now="2026-03-02T10:00:00Z")
        (case,) = env.cases(now="2026-03-02T10:00:00Z")
        self.ref = case["ref"]
        with open(os.path.join(REPO, "etc", "samples",
                               "wsab-meeting-table.eml")) as f:
            raw = f.read()
        raw = raw.replace("sam.sample@wigan.example.gov.uk", RAISER)
        raw = raw.replace("Subject: ", "Subject: Re: [%s] " % self.ref, 1)
        env.deliver(raw)
        env.run("run", "--once", now="2026-03-03T10:00:00Z")
        self.seen = len(env.sink.messages())

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def fresh(self, kind, msgs=None):
        """New emails whose subject has kind: one per Message-ID, with
        every recipient it was delivered to in rcpt_tos."""
        if msgs is None:
            msgs = self.env.sink.messages()
            new = msgs[self.seen:]
            self.seen = len(msgs)
        else:
            new = msgs
        by_id = {}
        for m in new:
            if kind not in m["Subject"]:
                continue
            if m["Message-ID"] in by_id:
                by_id[m["Message-ID"]].rcpt_tos += m.rcpt_tos
            else:
                by_id[m["Message-ID"]] = m
        return list(by_id.values())

    def test_actions_reminded_chased_done(self):
        env, ref = self.env, self.ref
        actions = env.case(ref, now="2026-03-03T10:00:00Z")["actions"]
        nums = {a["num"]: a for a in actions}
        self.assertEqual(sorted(nums), [0, 1, 2])
        self.assertEqual(nums[1]["due_at"], "2026-03-10T17:00:00+00:00")
        self.assertIn("Sam Sample", nums[1]["owner"])
        self.assertEqual(nums[0]["due_at"], "2026-03-17T09:00:00+00:00")

        # Action 1 is due Tuesday 10 March: reminded Monday morning.
        env.run("tick", now="2026-03-06T10:00:00Z")
        self.assertEqual(self.fresh("Action due"), [])
        env.run("tick", now="2026-03-09T09:30:00Z")
        (rem,) = self.fresh("Action due")
        self.assertIn("Capacity assessment", rem["Subject"])
        self.assertTrue(ASC <= {r.lower() for r in rem.rcpt_tos})
        self.assertIn(RAISER, [r.lower() for r in rem.rcpt_tos])
        env.run("tick", now="2026-03-09T11:30:00Z")
        self.assertEqual(self.fresh("Action"), [])

        # Past its deadline: chased, once per chase.
        env.run("tick", now="2026-03-11T09:30:00Z")
        msgs = self.env.sink.messages()[self.seen:]
        chase = self.fresh("OVERDUE action", msgs)
        rem2 = self.fresh("Action due", msgs)
        self.seen = len(self.env.sink.messages())
        self.assertEqual(len(chase), 1)
        self.assertIn("Capacity assessment", chase[0]["Subject"])
        self.assertEqual(len(rem2), 1)
        self.assertIn("Pressure care review", rem2[0]["Subject"])
        env.run("tick", now="2026-03-11T10:30:00Z")
        self.assertEqual(self.fresh("OVERDUE action"), [])

        # DONE 1 in the thread stops the chasing of action 1.
        env.deliver(make_message("sam.manager@wigan.example.gov.uk",
                                 "Re: [%s] OVERDUE action" % ref, "Done 1\n"))
        env.run("run", "--once", now="2026-03-12T10:00:00Z")
        nums = {a["num"]: a for a in env.case(ref)["actions"]}
        self.assertTrue(nums[1]["done"])
        env.run("tick", now="2026-03-16T10:00:00Z")
        overdue = self.fresh("OVERDUE action")
        self.assertTrue(all("Capacity" not in m["Subject"] for m in overdue))
        self.assertTrue(any("Pressure care" in m["Subject"] for m in overdue))

        # The next meeting (Tuesday 17 March) reminded on Monday 16th.
        self.seen = 0
        self.assertEqual(len(self.fresh("next meeting")), 1)



class MeetingWithoutCase(unittest.TestCase):
    """Issue 12: a meeting record (001 Appendix 4) about a disagreement
    escbot never tracked opens the case at level 2, where 001 uses it, and
    its planned actions are tracked; before, it was sent back."""

    def test_meeting_record_opens_a_case_at_level_2(self):
        tmp = tempfile.TemporaryDirectory(prefix="escbot-meeting-")
        self.addCleanup(tmp.cleanup)
        env = EscbotEnv(tmp.name)
        self.addCleanup(env.stop)
        env.start()
        with open(os.path.join(REPO, "etc", "samples",
                               "wsab-meeting-table.eml")) as f:
            env.deliver(f.read())
        env.run("run", "--once", now="2026-03-03T10:00:00Z")
        (case,) = env.cases(now="2026-03-03T10:00:00Z")
        self.assertEqual((case["protocol"], case["stage"], case["form"]),
                         ("wsab", 2, "wsab-meeting"))
        detail = env.case(case["ref"])
        nums = sorted(a["num"] for a in detail["actions"])
        self.assertEqual(nums, [0, 1, 2])
        acks = [m for m in env.sink.messages()
                if "unmatched" in m["Subject"].lower() or
                "which case" in m["Subject"].lower()]
        self.assertEqual(acks, [])

if __name__ == "__main__":
    unittest.main()
