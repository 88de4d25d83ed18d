"""The administrator's command line: filtered case lists, the outbox with
its errors, resending, a backfill limited by --since, exit codes."""
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import REPO, EscbotEnv, make_message  # noqa: E402
from smtpsink import SmtpSink                     # noqa: E402
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

    def test_cli_refuses_in_one_line(self):
        """Each refusal is one line with the reason, the command's usage
        line (not the whole usage), exit 1, and nothing recorded."""
        env = self.env
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        ref = case["ref"]                      # twsp, stages 1 to 5, at 3
        for args, reason in (
                (["resolve", ref, "--level", "9", "--note", "x"],
                 "escbot: --level 9: twsp has stages 1 to 5\n"),
                (["resolve", ref, "--level", "2", "--note", "x"],
                 "escbot: --level 2: %s has reached stage 3; it cannot be "
                 "resolved below it\n" % ref),
                (["cases", "--stage", "abc"],
                 "escbot: --stage abc: not a stage number\n"),
                (["cases", "--stage", "7"],
                 "escbot: --stage 7: no protocol has stage 7\n"),
                (["cases", "--protocol", "wsab", "--stage", "5"],
                 "escbot: --stage 5: wsab has no stage 5\n"),
                (["cases", "--protocol", "nope"],
                 "escbot: --protocol nope: unknown protocol"),
                (["cases", "--agency", "nope"],
                 "escbot: --agency nope: unknown agency"),
                (["extend", ref, "--days", "1.5", "--reason", "x"],
                 "escbot: --days 1.5: not a number of days\n"),
                (["cases", "extra"],
                 'escbot: cases: unexpected argument "extra"\n'),
                (["cases", "--frob"], "escbot: cases does not take --frob\n"),
                (["cases", "--protocol"],
                 "escbot: --protocol needs a value\n"),
                (["frobnicate"], 'escbot: unknown command "frobnicate"\n')):
            p = env.run(*args, now=NOW, check=False)
            self.assertEqual(p.returncode, 1, args)
            self.assertTrue(p.stderr.startswith(reason), (args, p.stderr))
            self.assertLessEqual(len(p.stderr.splitlines()), 2, args)
        self.assertEqual(env.case(ref)["status"], "open")
        p = env.run("resolve", ref, "--level", "4", "--note", "agreed",
                    now=NOW)
        self.assertEqual(env.case(ref)["status"], "resolved")

    def check_config_error(self, extra, pattern):
        env = self.env
        env.extra_config = extra
        env.write_config()
        p = env.run("check-config", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr, pattern)
        return p

    def test_check_config_catches_what_the_first_command_trips_on(self):
        env = self.env
        conf = re.escape(env.config)
        # A wrong templates_dir or rules_dir: one line, at the key.
        with open(env.config) as f:
            text = f.read()
        for key, value in (("templates_dir", "/nonexistent/templates"),
                           ("rules_dir", "/nonexistent/rules")):
            with open(env.config, "w") as f:
                f.write(re.sub(r'(?m)^%s = .*$' % key,
                               '%s = "%s";' % (key, value), text))
            p = env.run("check-config", check=False)
            self.assertEqual(p.returncode, 1)
            line = text.splitlines().index(
                [ln for ln in text.splitlines()
                 if ln.startswith(key)][0]) + 1
            self.assertEqual(p.stderr.splitlines(), [
                "%s:%d: %s %s: No such file or directory"
                % (env.config, line, key, value),
                "escbot: %s: 1 error; nothing was done" % env.config])
        with open(env.config, "w") as f:
            f.write(text.replace('templates_dir = "%s/mail-templates"'
                                 % REPO, 'templates_dir = "%s/rules"' % REPO))
        p = env.run("check-config", check=False)
        self.assertRegex(p.stderr, r"^%s:3: templates_dir \S+/rules has no "
                         r"ack\.txt: is it the right folder\?\n" % conf)
        # The database's folder.
        with open(env.config, "w") as f:
            f.write(text.replace(env.db, "/nonexistent/escbot.db"))
        p = env.run("check-config", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s:1: database /nonexistent/escbot.db: folder "
                      "/nonexistent: No such file or directory\n"
                      % env.config, p.stderr)
        # No IMAP password, or an empty password file.
        with open(env.config, "w") as f:
            f.write(text.replace(' password_file = "imap.secret";', ""))
        p = env.run("check-config", check=False)
        self.assertRegex(p.stderr, r'%s:\d+: imap needs password_file \(or '
                         r'password\) to log in as \S+, or auth = '
                         r'"xoauth2"' % conf)
        with open(env.config, "w") as f:
            f.write(text)
        with open(os.path.join(self.tmp.name, "imap.secret"), "w") as f:
            f.write("\n")
        p = env.run("check-config", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"%s:\d+: imap.password_file \S+"
                         r"imap.secret is empty" % conf)

    def test_check_config_refuses_no_way_in_and_roles_nobody_holds(self):
        """Issue 13: a protocol no form opens, and a role a stage names that
        nobody in the directory holds: each file:line, all of them, exit
        1."""
        env = self.env
        rules = os.path.join(self.tmp.name, "rules")
        shutil.copytree(os.path.join(REPO, "rules"), rules)
        covid = os.path.join(rules, "wsp-covid.conf")
        with open(covid) as f:
            text = f.read()
        start = text.index("  forms = (")
        end = text.index("  );\n", start) + len("  );\n")
        with open(covid, "w") as f:
            f.write(text[:start] + text[end:])
        # The partnerships without their independent chairs, nor any
        # agency's board representative: each protocol's roles are
        # checked against its own partnership's file.
        directory = os.path.join(self.tmp.name, "partnerships")
        os.mkdir(directory)
        for name in os.listdir(os.path.join(REPO, "etc", "partnerships")):
            with open(os.path.join(REPO, "etc", "partnerships", name)) as f:
                text = f.read()
            with open(os.path.join(directory, name), "w") as f:
                f.write(re.sub(r'(independent_chair|board_rep) = "[^"]*";',
                               "", text))
        telford = os.path.join(directory, "telford.conf")
        wsabdir = os.path.join(directory, "wsab.conf")
        wscbdir = os.path.join(directory, "wscb.conf")
        with open(env.config) as f:
            text = f.read()
        text = re.sub(r'(?m)^rules_dir = .*$', 'rules_dir = "%s";' % rules,
                      text)
        text = re.sub(r'(?m)^directory = .*$', 'directory = "%s";'
                      % directory, text)
        with open(env.config, "w") as f:
            f.write(text)

        def line(path, needle, after=None):
            with open(path) as f:
                lines = f.read().splitlines()
            start = 0
            if after:
                start = [i for i, ln in enumerate(lines) if after in ln][0]
            return [i for i, ln in enumerate(lines)
                    if i >= start and needle in ln][0] + 1

        twsp = os.path.join(rules, "twsp.conf")
        wsab = os.path.join(rules, "wsab.conf")
        wscb = os.path.join(rules, "wscb.conf")
        p = env.run("check-config", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr.splitlines(), [
            '%s:%d: stage 4 (Assistant director / director): role '
            '"board_rep" is held by no agency in %s'
            % (twsp, line(twsp, '"board_rep"'), telford),
            '%s:%d: stage 4 (Exceptional: WSAB independent chair): role '
            '"independent_chair" is held by nobody in the partnership in %s'
            % (wsab, line(wsab, '"independent_chair"'), wsabdir),
            '%s:%d: stage 3 (WSCB agency representative): role "board_rep" '
            'is held by no agency in %s'
            % (wscb, line(wscb, '"board_rep"'), wscbdir),
            '%s:%d: stage 4 (WSCB business manager / independent chair): '
            'role "independent_chair" is held by nobody in the partnership '
            'in %s' % (wscb, line(wscb, '"independent_chair"'), wscbdir),
            '%s:%d: protocol "wsp-covid" has no way in: no form opens a '
            'case of it (give a form rule with action = "open", or an '
            'update form with open_unmatched_at)'
            % (covid, line(covid, "protocol = {")),
            "escbot: %s: 5 errors; nothing was done" % env.config])

    def test_check_config_warns(self):
        """Directory agencies outside allowed_sender_domains, and holidays
        that end within twelve months: warned, still OK."""
        env = self.env
        p = env.run("check-config", now="2026-11-23T10:00:00Z")
        self.assertNotIn("warning: agency gmp:", p.stderr)
        self.assertNotIn("holidays end", p.stderr)  # the shipped file: 2030
        holidays = os.path.join(self.tmp.name, "holidays.txt")
        with open(holidays, "w") as f:
            f.write("2026-12-25 Christmas Day\n")
        with open(env.config) as f:
            text = f.read()
        text = re.sub(r'(?m)^holidays = .*$', 'holidays = "%s";' % holidays,
                      text)
        with open(env.config, "w") as f:
            f.write(text.replace(', "example.police.uk"', "")
                    .replace('"example.org.uk", ', ""))
        p = env.run("check-config", now="2026-11-23T10:00:00Z")
        self.assertIn("configuration OK", p.stdout)
        # Each partnership's file that lists the agency.
        for name, agency, domain in (
                ("wigan", "gmp", "gmp.example.police.uk"),
                ("wsab", "gmp", "gmp.example.police.uk"),
                ("wscb", "gmp", "gmp.example.police.uk"),
                ("telford", "west-mercia", "westmercia.example.police.uk")):
            self.assertIn("%s/etc/partnerships/%s.conf: warning: agency %s: "
                          "domain %s is not in allowed_sender_domains"
                          % (REPO, name, agency, domain), p.stderr)
        # The partnership's own people act by reply too.
        self.assertIn("%s/etc/partnerships/wsab.conf: warning: "
                      "independent_chair chair@wsab.example.org.uk is not in "
                      "allowed_sender_domains: their replies (RESOLVED, "
                      "PAUSE, ...) would be refused unanswered" % REPO,
                      p.stderr)
        self.assertIn("holidays.txt: warning: the holidays end with 2026; "
                      "deadlines in the next twelve months (to 2027-11-23) "
                      "would count bank holidays as working days", p.stderr)

    def test_source_tree_defaults(self):
        """Only the contract's keys, outside etc/: bot/escbot takes rules,
        templates, directory and holidays from its own tree."""
        env = self.env
        with open(env.config) as f:
            text = f.read()
        with open(env.config, "w") as f:
            f.write(re.sub(r"(?m)^(rules_dir|templates_dir|directory|"
                           r"holidays) = .*\n", "", text))
        p = env.run("check-config")
        self.assertIn("data folder (for the paths not set): %s\n" % REPO,
                      p.stdout)
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 1)

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
        # The raiser's acknowledgements (each stage 3 role holder's
        # stage-start emails are capped the same way).
        casey = "casey@telford.example.gov.uk"
        self.assertEqual(len(env.sink.messages(rcpt=casey)), 2)
        rows = json.loads(env.run("outbox", "--json", now=NOW).stdout)
        held = [r for r in rows if r["state"] == "pending"]
        self.assertEqual(len(held), 5)
        (held,) = [r for r in held if r["to"] == casey]
        self.assertIn("daily limit", held["error"])
        env.run("tick", now="2026-11-24T11:00:00Z")
        self.assertEqual(len(env.sink.messages(rcpt=casey)), 3)

    def test_check_config_connect(self):
        """check-config --connect logs in to the mailbox and reaches the
        mail server, one line each; a closed port is exit 3 and says so."""
        env = self.env
        p = env.run("check-config", "--connect")
        self.assertRegex(p.stdout, r"(?m)^imap: logged in to 127\.0\.0\.1:%d "
                         r"as %s; folder INBOX opened$" % (env.dovecot.port,
                                                           env.dovecot.user))
        self.assertIn("smtp: connected to %s (no login set); server said: "
                      "250 OK" % env.sink.url, p.stdout.splitlines())
        # A wrong password is refused at the login, not at the first run.
        with open(os.path.join(env.tmpdir, "imap.secret"), "w") as f:
            f.write("wrong\n")
        p = env.run("check-config", "--connect", check=False)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"(?m)^imap: 127\.0\.0\.1:\d+ as .*: ")
        # Nothing listening on either port.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
        with open(env.config) as f:
            conf = f.read()
        conf = re.sub(r"port = \d+", "port = %d" % port, conf)
        conf = re.sub(r"smtp://127\.0\.0\.1:\d+", "smtp://127.0.0.1:%d" % port,
                      conf)
        with open(env.config, "w") as f:
            f.write(conf)
        p = env.run("check-config", "--connect", check=False)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        self.assertTrue(any(ln.startswith("imap: 127.0.0.1:%d" % port)
                            for ln in lines), lines)
        self.assertTrue(any(ln.startswith("smtp: smtp://127.0.0.1:%d: SMTP "
                                          "server unreachable: " % port)
                            for ln in lines), lines)
        # Without --connect nothing is tried.
        self.assertEqual(env.run("check-config").returncode, 0)

    def test_check_config_connect_smtp_login(self):
        """--connect logs in to the submission server as a send would (AUTH
        with smtp.user and the password) and sends nothing; a wrong
        password is a refused login, exit 3."""
        env = self.env
        env.sink.stop()
        env.sink = SmtpSink(env.tmpdir, auth="escbot:s3cret pass")
        env.sink.start()
        secret = os.path.join(env.tmpdir, "smtp.secret")
        with open(env.config) as f:
            original = f.read()

        def configure(password):
            with open(secret, "w") as f:
                f.write(password + "\n")
            os.chmod(secret, 0o600)
            conf = re.sub(r'url = "smtp://127\.0\.0\.1:\d+";',
                          'url = "%s"; user = "escbot"; password_file = '
                          '"smtp.secret";' % env.sink.url, original)
            with open(env.config, "w") as f:
                f.write(conf)

        configure("s3cret pass")
        p = env.run("check-config", "--connect")
        self.assertIn("smtp: logged in to %s as escbot; server said: 250 OK"
                      % env.sink.url, p.stdout.splitlines())
        self.assertEqual(env.sink.messages(), [])
        configure("wrong")
        p = env.run("check-config", "--connect", check=False)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("smtp:")]
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith(
            "smtp: %s: SMTP login refused (administrator: check smtp.user "
            "and the password): " % env.sink.url), lines)
        self.assertEqual(env.sink.messages(), [])


if __name__ == "__main__":
    unittest.main()
