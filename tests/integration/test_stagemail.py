"""Issue 13, item 3: the people who must act hear at the right moment, with
what they need, from the state the email describes; and item 5: commands
held to working hours.

- When a case opens, its stage's role holders at the case's agencies get a
  stage-start email (in working hours): what the protocol expects of them,
  by when, and the case -- raising and receiving agencies, the form, the
  stage history and the form's answers, the personal ones only to whom
  personal_to allows.
- A tick that catches up over several deadlines writes each escalation
  from its own stage: number, name, people and due date.
- A PAUSE and an EXTEND by reply on a Saturday night: the sender's own
  confirmation at once, everyone else's at 09:00 on Monday.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import REPO, EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

RAISER = "casey.practitioner@telford.example.gov.uk"
TIA = "tia.lead@telford.example.gov.uk"
STAGE3 = {TIA, "teo.head@telford.example.gov.uk",
          "wes.lead@westmercia.example.police.uk",
          "hana.head@westmercia.example.police.uk"}
STAGE4 = {"tam.director@telford.example.gov.uk",
          "toby.rep@telford.example.gov.uk",
          "drew.director@westmercia.example.police.uk",
          "rae.rep@westmercia.example.police.uk"}
STAGE5 = {"tam.director@telford.example.gov.uk",
          "drew.director@westmercia.example.police.uk",
          "twsp.manager@telford.example.gov.uk",
          "twsp.exec.council@telford.example.gov.uk",
          "twsp.exec.police@westmercia.example.police.uk",
          "twsp.exec.icb@stw-icb.example.nhs.uk"}


def text(m):
    return " ".join(m.get_body(("plain",)).get_content().split())


class StageMail(unittest.TestCase):
    extra = ""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-stagemail-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name, extra_config=self.extra)
        self.addCleanup(self.env.stop)
        self.env.start()
        self.seen = 0

    def open_case(self, now):
        self.env.deliver(make_message("Casey Practitioner <%s>" % RAISER,
                                      "Escalation referral", F.TWSP_INLINE))
        self.env.run("run", "--once", now=now)
        (case,) = self.env.cases(now=now)
        self.ref = case["ref"]
        return case

    def fresh(self):
        """The emails (one per message, with every envelope recipient) that
        arrived since the last call."""
        msgs = self.env.sink.messages()
        new, self.seen = msgs[self.seen:], len(msgs)
        by_id = {}
        for m in new:
            if "digest" in m["Subject"].lower():
                continue
            e = by_id.setdefault(m["Message-ID"], (m, set()))
            e[1].update(r.lower() for r in m.rcpt_tos)
        return list(by_id.values())

    def outbox(self, now):
        return json.loads(self.env.run("outbox", "--json", now=now).stdout)


class StageStart(StageMail):
    def test_opening_tells_the_stage_what_to_do_by_when_with_the_case(self):
        self.open_case("2026-11-23T10:00:00Z")
        got = {m["Subject"]: (m, to) for m, to in self.fresh()}
        self.assertEqual(sorted(got), sorted([
            "[%s] Received: TWSP Resolution and Escalation Referral Form"
            % self.ref,
            "[%s] Stage 3 starts: Senior managers / designated safeguarding "
            "leads - due by 5pm on Thursday 26 November 2026" % self.ref]))
        ack, to = got["[%s] Received: TWSP Resolution and Escalation "
                      "Referral Form" % self.ref]
        self.assertEqual(to, {RAISER})
        (start, to), = [v for k, v in got.items() if "starts" in k]
        self.assertEqual(to, STAGE3)
        body = text(start)
        for want in (
                "What the protocol expects of you: Refer in writing on the "
                "Resolution and Escalation Referral Form within 24 hours",
                "By: 5pm on Thursday 26 November 2026",
                "If it is not resolved by then, it will be escalated to: "
                "Assistant director / director",
                "Raised by: Casey Practitioner <%s>, Telford & Wrekin "
                "Council" % RAISER,
                "Receiving agencies: West Mercia Police",
                "Form: TWSP Resolution and Escalation Referral Form "
                "(twsp-referral)",
                "- Stage 3, Senior managers / designated safeguarding leads: "
                "from 10am on Monday 23 November 2026 (opened), now: due by "
                "5pm on Thursday 26 November 2026",
                "- Client Reference Number (if applicable): TW-48213",
                "Requested Action: A joint strategy discussion with West "
                "Mercia Police within 2 working days",
                # personal_to = "stage_roles" (the default): the stage's
                # role holders at the case's agencies are sent the form.
                "- Name of Individual: Alex Example",
                "The form's answers:"):
            self.assertIn(want, body)
        # The raiser's acknowledgement never repeats personal answers.
        self.assertNotIn("Alex Example", text(ack))
        # An HTML part too (mail-templates/stage-start.html), the answers
        # escaped.
        html = start.get_body(("html",)).get_content()
        self.assertIn("<td>%s, Telford &amp; Wrekin Council</td>" % RAISER,
                      html)
        self.assertIn("<td>West Mercia Police</td>", html)
        self.assertIn("- Name of Individual: Alex Example", html)
        self.assertIn("(opened), now: due by 5pm on Thursday 26 November "
                      "2026", html)

    def test_opening_outside_working_hours_waits_for_the_morning(self):
        self.open_case("2026-11-23T19:00:00Z")
        self.assertEqual([to for m, to in self.fresh()], [{RAISER}])
        waiting = self.outbox("2026-11-23T19:00:00Z")
        self.assertEqual({r["to"] for r in waiting}, STAGE3)
        self.assertEqual({r["email"] for r in waiting}, {"stage-start"})
        self.assertEqual({r["next_attempt"] for r in waiting},
                         {"2026-11-24T09:00:00+00:00"})
        self.env.run("tick", now="2026-11-24T08:59:00Z")
        self.assertEqual(self.fresh(), [])
        self.env.run("tick", now="2026-11-24T09:00:00Z")
        self.assertEqual([to for m, to in self.fresh()], [STAGE3])


class NoPersonal(StageMail):
    extra = 'personal_to = "nobody";'

    def test_personal_answers_left_out(self):
        self.open_case("2026-11-23T10:00:00Z")
        (start,) = [m for m, to in self.fresh() if "starts" in m["Subject"]]
        body = text(start)
        self.assertIn("The form's answers (personal details left out):",
                      body)
        self.assertIn("- Name of Individual: (personal: not in this email)",
                      body)
        self.assertNotIn("Alex Example", body)
        self.assertNotIn("9434765919", body.replace(" ", ""))
        self.assertIn("Requested Action: A joint strategy discussion", body)


class NoExpects(StageMail):
    def test_a_stage_without_expects_says_what_to_do_anyway(self):
        # The shipped rules with TWSP's `expects` lines taken out.
        rules = os.path.join(self.tmp.name, "rules")
        shutil.copytree(os.path.join(REPO, "rules"), rules)
        path = os.path.join(rules, "twsp.conf")
        with open(path) as f:
            lines = [ln for ln in f if not ln.lstrip().startswith("expects")]
        with open(path, "w") as f:
            f.writelines(lines)
        with open(self.env.config) as f:
            conf = f.read()
        with open(self.env.config, "w") as f:
            f.write(conf.replace('rules_dir = "%s/rules"' % REPO,
                                 'rules_dir = "%s"' % rules))
        self.open_case("2026-11-23T10:00:00Z")
        (start,) = [m for m, to in self.fresh() if "starts" in m["Subject"]]
        self.assertIn("What the protocol expects of you: the people of stage "
                      "3 (Senior managers / designated safeguarding leads) "
                      "work to resolve the disagreement by the deadline and "
                      "reply with what was agreed", text(start))


class CatchUp(StageMail):
    def test_one_tick_past_two_deadlines_each_email_its_own_stage(self):
        # Stage 3 due Thu 26 Nov; stage 4 (4 working days) Wed 2 Dec;
        # stage 5 (7) Fri 11 Dec.  escbot is down until Tue 8 Dec 10:00.
        self.open_case("2026-11-23T10:00:00Z")
        self.fresh()
        self.env.run("tick", now="2026-12-08T10:00:00Z")
        got = sorted(self.fresh(), key=lambda e: e[0]["Subject"])
        self.assertEqual([m["Subject"] for m, to in got], [
            "[%s] Escalated to stage 4: Assistant director / director"
            % self.ref,
            "[%s] Escalated to stage 5: TWSP Executive" % self.ref])
        (m4, to4), (m5, to5) = got
        self.assertEqual(to4, STAGE4 | {RAISER})
        self.assertEqual(to5, STAGE5 | {RAISER})
        self.assertEqual(m4["Cc"], RAISER)
        b4, b5 = text(m4), text(m5)
        self.assertIn("Stage 4: Assistant director / director Due: by 5pm "
                      "on Wednesday 2 December 2026", b4)
        self.assertIn("What the protocol expects: The senior manager raises "
                      "it with their TWSP representative", b4)
        self.assertIn("escalated to: TWSP Executive", b4)
        self.assertNotIn("stage 5", b4.lower())
        self.assertIn("- Stage 3, Senior managers / designated safeguarding "
                      "leads: from 10am on Monday 23 November 2026 (opened) "
                      "to 5pm on Thursday 26 November 2026 (stage 3's "
                      "deadline passed) - Stage 4, Assistant director / "
                      "director: from 5pm on Thursday 26 November 2026 "
                      "(stage 3's deadline passed), now: due by 5pm on "
                      "Wednesday 2 December 2026", b4)
        self.assertIn("Stage 5: TWSP Executive Due: by 5pm on Friday 11 "
                      "December 2026", b5)
        self.assertIn("What the protocol expects: The director writes to "
                      "the TWSP Executive", b5)
        self.assertIn("to 5pm on Wednesday 2 December 2026 (stage 4's "
                      "deadline passed) - Stage 5, TWSP Executive: from 5pm "
                      "on Wednesday 2 December 2026 (stage 4's deadline "
                      "passed), now: due by 5pm on Friday 11 December 2026",
                      b5)
        # The executive leads are outside the agencies' stage roles of
        # stage 4, so only stage 5's own email reaches them.
        self.assertNotIn("Alex Example", b5)
        # An HTML part too (mail-templates/escalation.html), from the same
        # state as the text, its values escaped.
        h4 = m4.get_body(("html",)).get_content()
        self.assertIn("<td>4: Assistant director / director</td>", h4)
        self.assertIn("<td>by 5pm on Wednesday 2 December 2026</td>", h4)
        self.assertIn("<td>escalated to: TWSP Executive</td>", h4)
        self.assertIn("<td>%s, Telford &amp; Wrekin Council</td>" % RAISER,
                      h4)
        self.assertNotIn("Stage 5", h4.replace("stage 5", ""))
        h5 = m5.get_body(("html",)).get_content()
        self.assertIn("<td>5: TWSP Executive</td>", h5)
        self.assertIn("<td>by 5pm on Friday 11 December 2026</td>", h5)
        self.assertNotIn("Alex Example", h5)
        (case,) = self.env.cases(now="2026-12-08T10:00:00Z")
        self.assertEqual(case["stage"], 5)
        self.assertEqual(case["due_at"], "2026-12-11T17:00:00+00:00")
        # Stage 5 is chased when it runs out (on_expiry = "chase"): the
        # OVERDUE email has its HTML part (mail-templates/chase.html).
        self.env.run("tick", now="2026-12-14T10:00:00Z")
        (chase,) = [m for m, to in self.fresh()
                    if "OVERDUE" in m["Subject"]]
        hc = chase.get_body(("html",)).get_content()
        self.assertIn("is <b>overdue</b>: it was due by 5pm on Friday 11 "
                      "December 2026", hc)
        self.assertIn("<td>5: TWSP Executive</td>", hc)
        self.assertIn("was due by 5pm on Friday 11 December 2026",
                      text(chase))


class Reminder(StageMail):
    def test_the_reminder_has_an_html_part(self):
        # Stage 3 due Thu 26 Nov, reminded the working morning before.
        self.open_case("2026-11-23T10:00:00Z")
        self.fresh()
        self.env.run("tick", now="2026-11-25T09:00:00Z")
        (rem,) = [(m, to) for m, to in self.fresh()
                  if "Reminder" in m["Subject"]]
        self.assertEqual(rem[1], STAGE3)
        self.assertEqual(rem[0]["Subject"], "[%s] Reminder: stage 3 due by "
                         "5pm on Thursday 26 November 2026" % self.ref)
        h = rem[0].get_body(("html",)).get_content()
        self.assertIn("is due soon: this is a reminder.", h)
        self.assertIn("<td>by 5pm on Thursday 26 November 2026</td>", h)
        self.assertIn("<td>escalated to: Assistant director / director"
                      "</td>", h)
        self.assertIn("<td>West Mercia Police</td>", h)


class WorkingHours(StageMail):
    def test_pause_and_extend_on_a_saturday_night(self):
        env = self.env
        # Opened Wednesday 25 November: stage 3 due Monday 30 November.
        self.open_case("2026-11-25T10:00:00Z")
        env.run("tick", now="2026-11-27T10:00:00Z")   # Friday's reminder
        self.fresh()
        others = (STAGE3 - {TIA}) | {RAISER}

        # Saturday 28 November, 22:30 GMT: EXTEND by reply.
        env.deliver(make_message("Tia Lead <%s>" % TIA,
                                 "Re: [%s] Stage 3 starts" % self.ref,
                                 "EXTEND 2: the police report is due\n",
                                 msgid="<sat-extend@test.example>"))
        env.run("run", "--once", now="2026-11-28T22:30:00Z")
        (ext, to), = self.fresh()
        self.assertEqual(to, {TIA})
        self.assertIn("Extended: stage 3 now due by 5pm on Wednesday 2 "
                      "December 2026", ext["Subject"])
        # It answers the sender's message.
        self.assertEqual(ext["In-Reply-To"], "<sat-extend@test.example>")
        # 22:45: PAUSE by reply.
        env.deliver(make_message("Tia Lead <%s>" % TIA,
                                 "Re: [%s] Extended" % self.ref,
                                 "PAUSE: strategy meeting on Tuesday\n"))
        env.run("run", "--once", now="2026-11-28T22:45:00Z")
        (pau, to), = self.fresh()
        self.assertEqual(to, {TIA})
        self.assertIn("Paused", pau["Subject"])

        # Everyone else's copies wait for Monday 09:00.
        waiting = self.outbox("2026-11-28T23:00:00Z")
        self.assertEqual(sorted((r["email"], r["to"], r["next_attempt"])
                                for r in waiting),
                         sorted((t, a, "2026-11-30T09:00:00+00:00")
                                for t in ("extended", "paused")
                                for a in others))
        env.run("tick", now="2026-11-29T12:00:00Z")
        env.run("tick", now="2026-11-30T08:59:00Z")
        self.assertEqual(self.fresh(), [])
        env.run("tick", now="2026-11-30T09:00:00Z")
        got = {m["Subject"]: (m, to) for m, to in self.fresh()}
        self.assertEqual(len(got), 2, list(got))
        (e, eto), = [v for k, v in got.items() if "Extended" in k]
        (p, pto), = [v for k, v in got.items() if "Paused" in k]
        self.assertEqual(eto, others)
        self.assertEqual(pto, others)
        # Each written from the state it describes: the extension's email
        # gives the new deadline though the case has been paused since.
        self.assertIn("Now due: by 5pm on Wednesday 2 December 2026",
                      text(e))
        self.assertIn("by %s" % TIA, text(p))
        self.assertEqual(self.outbox("2026-11-30T09:01:00Z"), [])
        (case,) = env.cases(now="2026-11-30T09:01:00Z")
        self.assertEqual(case["status"], "paused")


if __name__ == "__main__":
    unittest.main()
