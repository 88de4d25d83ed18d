"""The administrator's command line: filtered case lists, the outbox with
its errors, resending, a backfill limited by --since, exit codes."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

NOW = "2026-11-23T10:00:00Z"


class Admin(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-admin-")
        self.env = EscbotEnv(self.tmp.name)
        self.env.sink.reject = {"dr.ash@sath.example.nhs.uk": 550}
        self.env.start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def test_filters_outbox_resend(self):
        env = self.env
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        env.deliver(make_message("robin.worker@wigan.example.gov.uk",
                                 "Proforma", F.WSAB_LINES))
        env.deliver(make_message("dr.ash@sath.example.nhs.uk", "Referral",
                                 F.TWSP_LINES))
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 3)
        self.assertEqual([c["protocol"] for c in
                          json.loads(env.run("cases", "--json", "--protocol",
                                             "wsab", now=NOW).stdout)], ["wsab"])
        self.assertEqual(len(json.loads(env.run(
            "cases", "--json", "--stage", "3", now=NOW).stdout)), 2)
        self.assertEqual(len(json.loads(env.run(
            "cases", "--json", "--agency", "west-mercia", now=NOW).stdout)), 1)
        self.assertEqual(json.loads(env.run(
            "cases", "--json", "--overdue", now=NOW).stdout), [])
        later = "2026-12-10T10:00:00Z"
        self.assertEqual(len(json.loads(env.run(
            "cases", "--json", "--overdue", "--protocol", "wsab",
            now=later).stdout)), 1)

        # The ack to the refused address failed for good, with the reason.
        rows = json.loads(env.run("outbox", "--json", now=NOW).stdout)
        failed = [r for r in rows if r["state"] == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["to"], "dr.ash@sath.example.nhs.uk")
        self.assertIn("550", failed[0]["error"])
        text = env.run("outbox", now=NOW).stdout
        self.assertIn("failed", text)

        # The address is fixed at the other end: resend by case reference.
        env.sink.stop()
        env.sink.reject = {}
        env.sink.start()
        p = env.run("resend", failed[0]["ref"], now=NOW)
        self.assertIn("1 email queued again", p.stdout)
        self.assertEqual(len(env.sink.messages(rcpt="dr.ash@sath.example.nhs.uk")), 1)
        self.assertIn("nothing pending or failed", env.run("outbox", now=NOW).stdout)
        p = env.run("resend", failed[0]["ref"], now=NOW, check=False)
        self.assertEqual(p.returncode, 4)
        p = env.run("case", "NOPE-2026-0001", check=False)
        self.assertEqual(p.returncode, 4)
        p = env.run("frobnicate", check=False)
        self.assertEqual(p.returncode, 1)

    def test_usage_refused_before_anything_is_done(self):
        env = self.env
        for args in (["cases", "--reason", "x"], ["case"],
                     ["pause", "NOPE-2026-0001"], ["cases", "extra"],
                     ["extend", "NOPE-2026-0001", "--days", "two",
                      "--reason", "x"],
                     ["digest", "--preview", "--period", "month"]):
            p = env.run(*args, now=NOW, check=False)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn("usage: escbot", p.stderr, args)
        self.assertFalse(os.path.exists(env.db))   # nothing was opened
        for args in (["--help"], ["cases", "--help"], ["help"]):
            p = env.run(*args, check=False)
            self.assertEqual(p.returncode, 0, args)
            self.assertIn("resolve REF [--level N] --note T", p.stdout)
        p = env.run("--version", check=False)
        self.assertEqual((p.returncode, p.stdout.split()[0]), (0, "escbot"))

    def test_check_config_says_which_sender_authentication(self):
        """check-config names the sender_authentication policy in force and
        what it reads; a policy escbot does not know is refused by line."""
        env = self.env
        p = env.run("check-config")
        self.assertIn("sender authentication: dmarc, by the topmost "
                      "Authentication-Results header\n", p.stdout)
        env.extra_config = ('sender_authentication = "strict";\n'
                            'authserv_id = "mx.example.gov.uk";\n')
        env.write_config()
        p = env.run("check-config")
        self.assertIn("sender authentication: strict, by the "
                      "Authentication-Results of authserv_id\n", p.stdout)
        env.extra_config = 'sender_authentication = "lenient";\n'
        env.write_config()
        p = env.run("check-config", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r'escbot\.conf:\d+: sender_authentication '
                         r'"lenient": use "dmarc", "strict" or "off"')

    def test_since_limits_a_backfill(self):
        env = self.env
        env.deliver(make_message("casey@telford.example.gov.uk", "Old",
                                 F.TWSP_INLINE,
                                 date="Mon, 02 Mar 2026 10:00:00 +0000"))
        env.deliver(make_message("robin.worker@wigan.example.gov.uk", "New",
                                 F.WSAB_LINES,
                                 date="Mon, 23 Nov 2026 09:00:00 +0000"))
        env.run("run", "--once", "--since", "2026-11-01", now=NOW)
        (case,) = env.cases()
        self.assertEqual(case["protocol"], "wsab")
        self.assertEqual(len(env.dovecot.uids("INBOX")), 1)   # left alone

    def test_retention_purges_personal_fields_only(self):
        env = self.env
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        env.run("resolve", case["ref"], "--level", "3", "--note", "agreed",
                now="2026-11-24T10:00:00Z")
        env.run("tick", now="2027-06-01T10:00:00Z")
        self.assertEqual(env.case(case["ref"])["fields"]["individual_name"],
                         "Alex Example")
        env.run("tick", now="2029-01-04T10:00:00Z")   # > 24 months later
        detail = env.case(case["ref"], now="2029-01-04T10:00:00Z")
        for personal in ("individual_name", "dob", "nhs_number", "client_ref"):
            self.assertNotIn(personal, detail["fields"])
        self.assertIn("concerns", detail["fields"])
        self.assertEqual(detail["status"], "resolved")
        with open(env.db, "rb") as f:
            data = f.read()
        self.assertNotIn(b"Alex Example", data)
        self.assertNotIn(b"9434765919", data)

    def test_daily_cap_per_recipient(self):
        env = self.env
        env.extra_config = "max_emails_per_recipient_per_day = 2;"
        env.write_config()
        for i in range(3):
            body = F.TWSP_INLINE.replace("TW-48213", "TW-9%d" % i)
            env.deliver(make_message("casey@telford.example.gov.uk",
                                     "Referral %d" % i, body))
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 3)
        self.assertEqual(len(env.sink.messages()), 2)
        rows = json.loads(env.run("outbox", "--json", now=NOW).stdout)
        held = [r for r in rows if r["state"] == "pending"]
        self.assertEqual(len(held), 1)
        self.assertIn("daily limit", held[0]["error"])
        env.run("tick", now="2026-11-24T11:00:00Z")
        self.assertEqual(len(env.sink.messages()), 3)


if __name__ == "__main__":
    unittest.main()
