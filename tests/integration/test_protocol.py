"""The protocol clock, driven by --now against a real Dovecot and SMTP
sink: reminders and escalations reach the right people at the right times,
each exactly once; a PAUSE reply stops the clock and RESUME restarts it
with the time that was left; CLI commands do the same and are recorded."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

RAISER = "casey.practitioner@telford.example.gov.uk"
STAGE3 = {"tia.lead@telford.example.gov.uk", "teo.head@telford.example.gov.uk",
          "wes.lead@westmercia.example.police.uk",
          "hana.head@westmercia.example.police.uk"}
STAGE4 = {"tam.director@telford.example.gov.uk", "toby.rep@telford.example.gov.uk",
          "drew.director@westmercia.example.police.uk",
          "rae.rep@westmercia.example.police.uk"}


def subjects(msgs):
    return [m["Subject"] for m in msgs]


class ProtocolClock(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-proto-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name)
        # Stopped even when the rest of setUp fails (tearDown would not run).
        self.addCleanup(self.env.stop)
        self.env.start()
        self.env.deliver(make_message(RAISER, "Escalation referral",
                                      F.TWSP_INLINE))
        self.env.run("run", "--once", now="2026-11-23T10:00:00Z")
        (self.case,) = self.env.cases()
        self.ref = self.case["ref"]
        msgs = self.env.sink.messages()
        self.sent = len(msgs)
        # The acknowledgement to the raiser, and (issue 13) the stage-start
        # email to stage 3's role holders at both agencies, at once: it
        # is 10:00 on a Monday.
        self.assertEqual(sorted(subjects(msgs)), sorted(
            ["[%s] Received: TWSP Resolution and Escalation Referral Form" %
             self.ref] + ["[%s] Stage 3 starts: Senior managers / designated "
                          "safeguarding leads - due by 5pm on Thursday 26 "
                          "November 2026" % self.ref] * 4))
        self.assertEqual(self.recipients(
            [m for m in msgs if "Received" in m["Subject"]]), {RAISER})
        self.assertEqual(self.recipients(
            [m for m in msgs if "starts" in m["Subject"]]), STAGE3)

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def new_messages(self):
        # The board's digests come and go on their own schedule: they
        # are not part of the case's conversation.
        msgs = self.env.sink.messages()
        fresh = msgs[self.sent:]
        self.sent = len(msgs)
        return [m for m in fresh if "digest" not in m["Subject"].lower()
                and "report" not in m["Subject"].lower()
                and "review" not in m["Subject"].lower()]

    def recipients(self, msgs):
        out = set()
        for m in msgs:
            out.update(r.lower() for r in m.rcpt_tos)
        return out

    def test_reminder_escalation_pause_resume(self):
        env, ref = self.env, self.ref
        self.assertEqual(self.case["due_at"], "2026-11-26T17:00:00+00:00")
        env.run("tick", now="2026-11-24T10:00:00Z")
        self.assertEqual(self.new_messages(), [])

        # Reminder on the morning of the working day before the due day,
        # to stage 3's roles at both agencies, once.
        env.run("tick", now="2026-11-25T09:30:00Z")
        msgs = self.new_messages()
        self.assertEqual(len(msgs), 4, subjects(msgs))
        self.assertEqual(self.recipients(msgs), STAGE3)
        self.assertTrue(all("Reminder" in s and ref in s for s in subjects(msgs)))
        self.assertEqual(len({m["Message-ID"] for m in msgs}), 1)
        env.run("tick", now="2026-11-25T09:31:00Z")
        env.run("tick", now="2026-11-25T15:00:00Z")
        self.assertEqual(self.new_messages(), [])

        # Expiry at night: escalated, but the email waits for the morning.
        env.run("tick", now="2026-11-26T20:00:00Z")
        self.assertEqual(self.new_messages(), [])
        (case,) = env.cases(now="2026-11-26T20:00:00Z")
        self.assertEqual(case["stage"], 4)
        # Stage 4 is 4 working days from stage 3's due time.
        self.assertEqual(case["due_at"], "2026-12-02T17:00:00+00:00")
        env.run("tick", now="2026-11-27T09:10:00Z")
        msgs = self.new_messages()
        self.assertEqual(self.recipients(msgs), STAGE4 | {RAISER})
        self.assertTrue(all("Escalated to stage 4" in s for s in subjects(msgs)))
        cc = msgs[0]["Cc"]
        self.assertIn(RAISER, cc)
        env.run("tick", now="2026-11-27T09:20:00Z")
        self.assertEqual(self.new_messages(), [])

        # A director replies PAUSE in the thread.
        reply = make_message(
            "Tam Director <tam.director@telford.example.gov.uk>",
            "Re: [%s] Escalated to stage 4" % ref,
            "pause: waiting for the strategy meeting minutes\n\n"
            "> earlier text\n> RESOLVED: not this\n")
        env.deliver(reply)
        env.run("run", "--once", now="2026-11-30T10:00:00Z")
        (case,) = env.cases(now="2026-11-30T10:00:00Z")
        self.assertEqual(case["status"], "paused")
        msgs = self.new_messages()
        self.assertTrue(msgs and all("Paused" in s for s in subjects(msgs)))
        detail = env.case(ref)
        pause = [e for e in detail["events"] if e["kind"] == "paused"]
        self.assertEqual(len(pause), 1)
        self.assertEqual(pause[0]["actor"], "tam.director@telford.example.gov.uk")
        self.assertIn("strategy meeting minutes", pause[0]["detail"])

        # Paused: the old due time passes with no escalation.
        env.run("tick", now="2026-12-03T10:00:00Z")
        self.assertEqual([s for s in subjects(self.new_messages())
                          if "Escalated" in s or "OVERDUE" in s], [])

        # RESUME: the 2 working days left count again from now.
        env.deliver(make_message("tam.director@telford.example.gov.uk",
                                 "Re: [%s] Paused" % ref, "RESUME\n"))
        env.run("run", "--once", now="2026-12-10T10:00:00Z")
        (case,) = env.cases(now="2026-12-10T10:00:00Z")
        self.assertEqual(case["status"], "open")
        self.assertEqual(case["due_at"], "2026-12-14T17:00:00+00:00")

    def test_cli_commands_are_recorded_and_confirmed(self):
        env, ref = self.env, self.ref
        p = env.run("extend", ref, "--days", "2", "--reason",
                    "agreed with both leads", now="2026-11-24T10:00:00Z")
        self.assertIn("extend done", p.stdout)
        (case,) = env.cases()
        self.assertEqual(case["due_at"], "2026-11-30T17:00:00+00:00")
        self.assertTrue(any("Extended" in s for s in subjects(self.new_messages())))
        # Refused without a reason: the protocol wants it recorded.
        p = env.run("pause", ref, check=False)
        self.assertEqual(p.returncode, 1)
        p = env.run("resume", ref, check=False, now="2026-11-24T10:00:00Z")
        self.assertEqual(p.returncode, 4)
        self.assertIn("not paused", p.stderr)
        env.run("resolve", ref, "--level", "3", "--note", "assessment agreed",
                now="2026-11-24T11:00:00Z")
        self.assertEqual(env.cases(), [])
        (case,) = env.cases(all=True)
        self.assertEqual(case["status"], "resolved")
        self.assertEqual(case["resolved_level"], 3)
        kinds = [e["kind"] for e in env.case(ref)["events"]]
        # TWSP's on_resolution (004 stages 6 and 7): the debrief prompt
        # and the completed forms' copy, recorded.
        self.assertEqual(kinds, ["opened", "extended", "resolved",
                                 "debrief", "forms-copy"])
        # Resolved: the clock sends nothing more.
        self.new_messages()
        env.run("tick", now="2026-12-20T10:00:00Z")
        self.assertEqual(self.new_messages(), [])

    def test_paused_case_gets_a_reminder_to_resume(self):
        env, ref = self.env, self.ref
        env.run("pause", ref, "--reason", "lead on leave",
                now="2026-11-23T11:00:00Z")
        self.new_messages()
        env.run("tick", now="2026-11-27T10:00:00Z")
        self.assertEqual(self.new_messages(), [])
        # 5 working days paused (rules/twsp.conf pause_reminder_days).
        env.run("tick", now="2026-12-01T10:00:00Z")
        msgs = self.new_messages()
        self.assertTrue(msgs)
        self.assertTrue(all("Still paused" in s for s in subjects(msgs)))
        self.assertIn(RAISER, self.recipients(msgs))
        env.run("tick", now="2026-12-01T11:00:00Z")
        self.assertEqual(self.new_messages(), [])

    def test_commands_as_people_write_them(self):
        """Issue 12: "Paused: ..." under Microsoft 365's external-sender
        banner and a greeting pauses the case; "Resumed" resumes it; a
        reply that changes nothing is answered once with what would act,
        and later ones are only recorded."""
        env, ref = self.env, self.ref
        env.deliver(make_message(
            RAISER, "RE: [%s] Case opened" % ref,
            "CAUTION: This email originated from outside of the "
            "organisation. Do not click links or open attachments unless "
            "you recognise the sender and know the content is safe.\n\n"
            "Hi all,\n\nPaused: awaiting the strategy meeting on Thursday\n\n"
            "Kind regards\nCasey\n"))
        env.run("run", "--once", now="2026-11-24T10:00:00Z")
        (case,) = env.cases(now="2026-11-24T10:00:00Z")
        self.assertEqual(case["status"], "paused")
        self.assertTrue(any("Paused" in s for s in
                            subjects(self.new_messages())))
        env.deliver(make_message(RAISER, "RE: [%s] Paused" % ref,
                                 "Resumed - the meeting happened\n"))
        env.run("run", "--once", now="2026-11-26T10:00:00Z")
        (case,) = env.cases(now="2026-11-26T10:00:00Z")
        self.assertEqual(case["status"], "open")
        self.new_messages()
        for n in range(2):
            env.deliver(make_message(
                RAISER, "RE: [%s] Resumed" % ref,
                "I think we can close this one soon (%d).\n" % n))
            env.run("run", "--once", now="2026-11-26T11:0%d:00Z" % n)
            msgs = self.new_messages()
            if n == 0:
                self.assertEqual(subjects(msgs), [
                    "[%s] Your reply was recorded as a note" % ref])
                body = msgs[0].get_payload(decode=True).decode() \
                    if not msgs[0].is_multipart() else \
                    msgs[0].get_payload(0).get_payload(decode=True).decode()
                self.assertIn("RESOLVED: how it was resolved", body)
            else:
                self.assertEqual(msgs, [])
        notes = [e for e in env.case(ref)["events"] if e["kind"] == "reply"]
        self.assertEqual(len(notes), 2)

    def test_stranger_in_thread_is_refused_silently(self):
        env, ref = self.env, self.ref
        env.deliver(make_message("someone@wigan.example.gov.uk",
                                 "Re: [%s] Received" % ref, "RESOLVED: done\n"))
        env.run("run", "--once", now="2026-11-24T10:00:00Z")
        (case,) = env.cases()
        self.assertEqual(case["status"], "open")
        self.assertEqual(self.new_messages(), [])
        self.assertTrue(any(e["kind"] == "refused"
                            for e in env.case(ref)["events"]))


if __name__ == "__main__":
    unittest.main()
