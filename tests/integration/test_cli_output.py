"""What the command line prints for a person: `cases`, `outbox` and `case`
with column headers and London times, working days overdue, the real due
date of a paused case, wrapped answers; confirmations that say what
changed and who was told; the administrator's name, not a login, in the
emails a command sends; --json with arrays for lists."""
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

RAISER = "casey.practitioner@telford.example.gov.uk"
NOW = "2026-11-23T10:00:00Z"          # a Monday, GMT
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")


class CliOutput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-out-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name,
                             extra_config='admin_name = "Jo Bloggs";')
        self.addCleanup(self.env.stop)
        self.env.start()
        self.env.deliver(make_message(RAISER, "Escalation referral",
                                      F.TWSP_INLINE))
        self.env.run("run", "--once", now=NOW)
        (case,) = self.env.cases(now=NOW)
        self.ref = case["ref"]
        self.due = case["due_at"]

    def lines(self, *args, now=NOW):
        return self.env.run(*args, now=now).stdout.splitlines()

    def test_cases_has_headers_local_times_and_overdue_days(self):
        out = self.lines("cases")
        self.assertEqual(out[0].split(), ["REF", "PROTOCOL", "STAGE",
                                          "STATUS", "URGENT", "DUE",
                                          "OVERDUE"])
        self.assertTrue(out[1].startswith(self.ref), out)
        # Due 2026-11-25T17:00Z is 17:00 London (GMT); not overdue.
        self.assertIn(self.due[:10] + " " + self.due[11:16], out[1])
        self.assertTrue(out[1].rstrip().endswith("-"), out[1])
        self.assertNotIn("T", out[1].split()[5])
        # Three working days after the due day (a weekend between).
        later = self.lines("cases", now="2026-12-01T10:00:00Z")
        self.assertIn("3 working days", later[1])
        (case,) = self.env.cases(now="2026-12-01T10:00:00Z")
        self.assertEqual(case["working_days_overdue"], 3)

    def test_paused_case_shows_its_due_date_if_resumed_today(self):
        env, ref = self.env, self.ref
        p = env.run("pause", ref, "--reason", "lead on leave", now=NOW)
        self.assertIn("%s: pause done: paused at stage 3" % ref, p.stdout)
        self.assertIn("working days left", p.stdout)
        self.assertIn("told:", p.stdout)
        self.assertIn("tia.lead@telford.example.gov.uk (sent)", p.stdout)
        (c,) = env.cases(now="2026-12-07T10:00:00Z")
        left = c["paused_remaining"]
        self.assertGreater(left, 0)
        # Resumed on Monday 7 December with `left` working days: due then.
        want = {1: "2026-12-08", 2: "2026-12-09", 3: "2026-12-10"}[left]
        self.assertTrue(c["due_if_resumed_now"].startswith(want), c)
        out = self.lines("cases", now="2026-12-07T10:00:00Z")
        self.assertIn("paused", out[1])
        self.assertIn(want + " 17:00*", out[1])
        self.assertIn("* paused", out[-1])
        text = env.run("case", ref, now="2026-12-07T10:00:00Z").stdout
        self.assertRegex(text, r"Due +%s 17:00 if resumed now" % want)

    def test_extend_says_the_new_due_date_and_who_was_told(self):
        env, ref = self.env, self.ref
        p = env.run("extend", ref, "--days", "2", "--reason",
                    "agreed with both leads", now="2026-11-24T10:00:00Z")
        # Due Thursday 26 November at first; two working days later.
        self.assertEqual(self.due, "2026-11-26T17:00:00+00:00")
        self.assertIn("%s: extend done: stage 3 now due 2026-11-30 17:00 "
                      "(was 2026-11-26 17:00)" % ref,
                      " ".join(p.stdout.split()))
        self.assertRegex(p.stdout, r"told: .*@.*\(sent\)")
        # The email names the administrator, never a login.
        ext = [m for m in env.sink.messages() if "Extended" in m["Subject"]]
        self.assertTrue(ext)
        body = ext[0].get_payload(decode=True) if not ext[0].is_multipart() \
            else ext[0].get_payload(0).get_payload(decode=True)
        body = body.decode("utf-8")
        self.assertIn("extended by Jo Bloggs", " ".join(body.split()))
        self.assertNotIn("cli:", body)
        events = env.case(ref)["events"]
        self.assertEqual(events[-1]["actor"], "Jo Bloggs")

    def test_case_wraps_long_answers_under_themselves(self):
        env, ref = self.env, self.ref
        text = env.run("case", ref, now=NOW).stdout
        for head in ("Case ", "Stage ", "Due ", "Answers", "Timeline",
                     "Tracked actions", "Emails"):
            self.assertRegex(text, r"(?m)^%s" % head)
        self.assertNotRegex(text, r"\d\dT\d\d:")    # no ISO times
        self.assertTrue(TIME.search(text))
        # An answer longer than a line goes on under its own column.
        answers = text.split("Answers\n")[1].split("\n\n")[0].splitlines()
        for line in answers:
            self.assertLessEqual(len(line), 78, line)
        cont = [ln for ln in answers if ln.startswith(" " * 29)]
        self.assertTrue(cont, answers)
        self.assertTrue(all(ln[29] != " " for ln in cont), cont)

    def test_case_shows_each_form_and_the_history_of_changed_answers(self):
        """A later form in the thread adds a record of its own: `case`
        lists both forms with their answers, and under an answer the later
        form changed, the earlier one with its form."""
        env, ref = self.env, self.ref
        second = F.TWSP_INLINE.replace(
            "within 2 working days.", "by Friday 27 November.").replace(
            "Kind regards", "Response: West Mercia Police will attend on "
            "Thursday.\nDate: 24/11/2026\n\nKind regards")
        env.deliver(make_message(RAISER, "Re: [%s] Escalation referral" % ref,
                                 second))
        env.run("run", "--once", now="2026-11-24T11:30:00Z")
        text = env.run("case", ref, now="2026-11-24T12:00:00Z").stdout
        answers = text.split("Answers\n")[1].split("\n\n")[0]
        self.assertIn(
            "  requested_action           A joint strategy discussion with "
            "West Mercia\n"
            "                             Police by Friday 27 November.\n"
            "                             was (form 1, 2026-11-23 10:00): "
            "A joint strategy\n"
            "                             discussion with West Mercia Police "
            "within 2\n"
            "                             working days.\n"
            "  response                   West Mercia Police will attend on "
            "Thursday.\n"
            "  response_date              2026-11-24\n", answers + "\n")
        # Only a changed answer has a history.
        self.assertEqual(answers.count("was (form"), 1)
        first = [
            "      client_ref             TW-48213",
            "      date                   2026-11-20",
            "      individual_name        Alex Example",
            "      dob                    2015-02-01",
            "      nhs_number             9434765919",
            "      agency_team            Family Connect, Telford & Wrekin "
            "Council",
            "      receiving_agency       West Mercia Police",
            "      gp                     Dr Rowan, Example Street Surgery",
            "      concerns               West Mercia Police declined to "
            "attend the",
            "                             strategy discussion for Alex; "
            "stages 1 and 2 were",
            "                             tried with the line managers on 12 "
            "and 17",
            "                             November without agreement."]
        forms = text.split("\nForms received (London time)\n")[1]
        self.assertEqual(forms.split("\n\n")[0].splitlines(), [
            "  #   RECEIVED          FORM                 FROM",
            "  1   2026-11-23 10:00  twsp-referral        " + RAISER,
            *first,
            "      requested_action       A joint strategy discussion with "
            "West Mercia",
            "                             Police within 2 working days.",
            "  2   2026-11-24 11:30  twsp-referral        " + RAISER,
            *first,
            "      requested_action       A joint strategy discussion with "
            "West Mercia",
            "                             Police by Friday 27 November.",
            "      response               West Mercia Police will attend on "
            "Thursday.",
            "      response_date          2026-11-24"])
        # The same as JSON: each form with its answers, and the history
        # of each changed field.
        detail = env.case(ref, now="2026-11-24T12:00:00Z")
        self.assertEqual([(f["num"], f["form"], f["received_at"], f["from"])
                          for f in detail["forms"]],
                         [(1, "twsp-referral", "2026-11-23T10:00:00+00:00",
                           RAISER),
                          (2, "twsp-referral", "2026-11-24T11:30:00+00:00",
                           RAISER)])
        self.assertEqual(detail["forms"][0]["title"],
                         "TWSP Resolution and Escalation Referral Form")
        self.assertEqual(detail["forms"][0]["answers"]["requested_action"],
                         "A joint strategy discussion with West Mercia "
                         "Police within 2 working days.")
        self.assertNotIn("response", detail["forms"][0]["answers"])
        self.assertEqual(detail["forms"][1]["answers"]["response_date"],
                         "2026-11-24")
        self.assertEqual(detail["fields"]["requested_action"],
                         "A joint strategy discussion with West Mercia "
                         "Police by Friday 27 November.")
        self.assertEqual(detail["field_history"], {"requested_action": [
            {"value": "A joint strategy discussion with West Mercia Police "
                      "within 2 working days.", "form": 1,
             "received_at": "2026-11-23T10:00:00+00:00", "from": RAISER},
            {"value": "A joint strategy discussion with West Mercia Police "
                      "by Friday 27 November.", "form": 2,
             "received_at": "2026-11-24T11:30:00+00:00", "from": RAISER}]})

    def test_outbox_has_headers_and_errors_on_their_own_line(self):
        env = self.env
        out = self.lines("outbox", "--all")
        self.assertEqual(out[0].split()[:5], ["ID", "CASE", "EMAIL", "STATE",
                                              "TRIES"])
        self.assertIn(self.ref, out[1])
        self.assertTrue(TIME.search(out[1]))
        # The acknowledgement, and the stage-start email to stage 3's four
        # role holders.
        self.assertEqual(out[-1], "5 emails; times are London time")
        rows = json.loads(env.run("outbox", "--all", "--json").stdout)
        self.assertEqual(rows[0]["ref"], self.ref)

    def test_json_agencies_is_an_array(self):
        (case,) = self.env.cases(now=NOW)
        self.assertIsInstance(case["agencies"], list)
        self.assertTrue(case["agencies"])
        self.assertTrue(all("," not in a for a in case["agencies"]))
        detail = self.env.case(self.ref)
        self.assertEqual(detail["agencies"], case["agencies"])


def help_words(text):
    """The commands and the options `escbot --help` lists."""
    commands, options = set(), set()
    part = text.split("\ncommands:\n")[1].split("\n\n")[0]
    for line in part.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            commands.add(line.split()[0])
    options.update(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", text))
    return commands, options


class HelpAgrees(unittest.TestCase):
    """Every command and option of --help is in escbot(8) and in README's
    "Command line" section."""

    def test_help_man_readme_agree(self):
        from escbot_env import ESCBOT, REPO
        import subprocess
        text = subprocess.run([ESCBOT, "--help"], capture_output=True,
                              text=True, check=True).stdout
        commands, options = help_words(text)
        # The parse itself: a test that finds nothing proves nothing.
        self.assertEqual(len(commands), 14, commands)
        for o in ("-c", "--now", "-v", "-q", "-h", "--help", "--version",
                  "--connect", "--since", "--stage", "--csv"):
            self.assertIn(o, options)
        with open(os.path.join(REPO, "man", "escbot.8")) as f:
            man = f.read()
        with open(os.path.join(REPO, "README.md")) as f:
            readme = f.read().split("\n## Command line\n")[1]
            readme = readme.split("\n## ")[0]
        for c in commands:
            self.assertRegex(man, r"(?m)^\.It Cm %s\b" % re.escape(c), c)
            self.assertRegex(man, r"(?m)^\.Cm %s\b" % re.escape(c), c)
            self.assertRegex(readme, r"(?<![\w-])%s\b" % re.escape(c), c)
        for o in options:
            mdoc = r"Fl %s\b" % re.escape(o[1:])     # .Fl -now, .Fl q
            self.assertRegex(man, mdoc, o)
            self.assertRegex(readme, r"(?<![\w-])%s\b" % re.escape(o), o)
        # And the other way: the man page's commands are all in --help.
        for c in re.findall(r"(?m)^\.It Cm ([a-z-]+)", man):
            self.assertIn(c, commands)


if __name__ == "__main__":
    unittest.main()
