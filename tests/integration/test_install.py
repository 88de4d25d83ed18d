"""An administrator's first hour: `make install DESTDIR=... PREFIX=/usr`
into a temporary root (built in a copy of the tree, so the tree's own
build is left alone), a configuration holding only the contract's
required keys in a folder of its own, then the installed escbot's
check-config, run --once against the test Dovecot and SMTP sink, and
cases from another folder through ESCBOT_CONFIG."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from dovecot import Dovecot                      # noqa: E402
from smtpsink import SmtpSink                    # noqa: E402
from escbot_env import make_message              # noqa: E402
import forms_fixtures as F                       # noqa: E402
from install_kit import build_and_install        # noqa: E402

NOW = "2026-11-23T10:00:00Z"

# The contract's required keys only; host, port and tls are the test
# servers' (plain text is allowed on loopback).
MINIMAL = """\
database = "{db}";
allowed_sender_domains = [ "example.gov.uk", "example.nhs.uk", "example.police.uk",
                           "example.org.uk", "example.sch.uk" ];
imap = {{ host = "127.0.0.1"; port = {imap_port}; tls = "none";
         user = "{user}"; password_file = "imap.secret"; }};
smtp = {{ url = "{smtp_url}"; starttls = false;
         from = "Safeguarding escalations <wsabtraining@wigan.example.gov.uk>"; }};
"""


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="escbot-install-")
        cls.root = os.path.join(cls.tmp.name, "root")
        build_and_install(os.path.join(cls.tmp.name, "src"), cls.root)
        cls.binary = os.path.join(cls.root, "usr", "sbin", "escbot")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.work = tempfile.TemporaryDirectory(prefix="escbot-admin-")
        self.dovecot = Dovecot(self.work.name)
        self.sink = SmtpSink(self.work.name)
        self.dovecot.start()
        self.sink.start()
        self.confdir = os.path.join(self.work.name, "conf")
        self.vardir = os.path.join(self.work.name, "var")
        os.mkdir(self.confdir)
        os.mkdir(self.vardir)
        secret = os.path.join(self.confdir, "imap.secret")
        with open(secret, "w") as f:
            f.write(self.dovecot.password + "\n")
        os.chmod(secret, 0o600)
        self.config = os.path.join(self.confdir, "escbot.conf")
        with open(self.config, "w") as f:
            f.write(MINIMAL.format(
                db=os.path.join(self.vardir, "escbot.db"),
                imap_port=self.dovecot.port, user=self.dovecot.user,
                smtp_url=self.sink.url))

    def tearDown(self):
        for part in (self.sink, self.dovecot):
            try:
                part.stop()
            except Exception:
                pass
        self.work.cleanup()

    def escbot(self, *args, cwd=None, env=None):
        e = dict(os.environ)
        e.pop("ESCBOT_CONFIG", None)
        e.update(env or {})
        return subprocess.run([self.binary] + list(args), cwd=cwd or "/",
                              env=e, capture_output=True, text=True,
                              timeout=120)

    def test_layout(self):
        usr = os.path.join(self.root, "usr")
        for path in ("sbin/escbot", "lib/escbot/escbot-net.so",
                     "lib/escbot/escbot-docx.so",
                     "share/man/man8/escbot.8", "share/man/man5/escbot.conf.5",
                     "share/escbot/rules/wsab.conf",
                     "share/escbot/rules/forms",
                     "share/escbot/rules/forms/twsp-referral.docx",
                     "share/escbot/rules/reports/themes.conf",
                     "share/escbot/mail-templates/ack.txt",
                     "share/escbot/etc/partnerships/telford.conf",
                     "share/escbot/etc/bank-holidays-england-wales.txt"):
            self.assertTrue(os.path.exists(os.path.join(usr, path)), path)
        self.assertTrue(os.path.isdir(os.path.join(self.root, "etc/escbot")))
        with open(os.path.join(usr, "lib/systemd/system/escbot.service")) as f:
            self.assertIn("ExecStart=/usr/sbin/escbot", f.read())

    def test_default_config_is_the_installed_one(self):
        # Not etc/escbot.conf of the current folder: /etc/escbot's.
        os.mkdir(os.path.join(self.work.name, "etc"))
        shutil.copy(self.config, os.path.join(self.work.name, "etc"))
        p = self.escbot("check-config", cwd=self.work.name)
        self.assertEqual(p.returncode, 1)
        self.assertIn("/etc/escbot/escbot.conf: cannot read", p.stderr)
        self.assertIn("give the configuration with -c FILE or "
                      "ESCBOT_CONFIG=FILE", p.stderr)
        # -c is taken before ESCBOT_CONFIG.
        p = self.escbot("-c", self.config, "check-config",
                        env={"ESCBOT_CONFIG": "/nonexistent.conf"})
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_minimal_config_check_run_cases(self):
        p = self.escbot("-c", self.config, "check-config", cwd=self.confdir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configuration OK (5 protocols", p.stdout)
        self.assertIn("data folder (for the paths not set): %s\n"
                      % os.path.join(self.root, "usr/share/escbot"), p.stdout)

        self.dovecot.append("INBOX", make_message(
            "casey@telford.example.gov.uk", "Referral", F.TWSP_INLINE))
        env = {"ESCBOT_CONFIG": self.config}
        p = self.escbot("--now", NOW, "run", "--once", cwd=self.vardir,
                        env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        acks = self.sink.messages(rcpt="casey@telford.example.gov.uk")
        self.assertEqual(len(acks), 1)     # sent through the installed plugin

        p = self.escbot("--now", NOW, "cases", "--json", cwd="/tmp", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        (case,) = json.loads(p.stdout)
        self.assertEqual(case["protocol"], "twsp")
        self.assertEqual(case["stage"], 3)   # the level the form gave


if __name__ == "__main__":
    unittest.main()
