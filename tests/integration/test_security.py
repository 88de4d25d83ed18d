"""Who may act and how escbot talks to its servers: DMARC/SPF failures
reported by the mailbox's own server are refused without a reply (and
Authentication-Results from anyone else are not trusted); TLS to IMAP and
SMTP works with the partnership's CA and is refused with a self-signed
certificate; secrets and form contents stay out of the logs."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from certs import make_certs                     # noqa: E402
from dovecot import Dovecot                      # noqa: E402
from escbot_env import EscbotEnv, make_message   # noqa: E402
from smtpsink import SmtpSink                    # noqa: E402
import forms_fixtures as F                       # noqa: E402

NOW = "2026-11-23T10:00:00Z"


class Authentication(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-sec-")
        self.env = EscbotEnv(self.tmp.name,
                             extra_config='authserv_id = "mx.wigan.example.gov.uk";')
        self.env.start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def test_dmarc_fail_from_our_server_is_refused_silently(self):
        env = self.env
        env.deliver(make_message(
            "casey@telford.example.gov.uk", "Referral", F.TWSP_INLINE,
            headers={"Authentication-Results":
                     "mx.wigan.example.gov.uk; spf=pass; dmarc=fail "
                     "header.from=telford.example.gov.uk"}))
        # The same verdict claimed by a stranger's server is not trusted.
        env.deliver(make_message(
            "robin.worker@wigan.example.gov.uk", "Proforma", F.WSAB_LINES,
            headers={"Authentication-Results":
                     "evil.example.com; dmarc=fail"}))
        env.run("run", "--once", now=NOW)
        cases = env.cases()
        self.assertEqual([c["protocol"] for c in cases], ["wsab"])
        self.assertEqual(env.sink.messages(rcpt="casey@telford.example.gov.uk"), [])
        self.assertEqual(len(env.dovecot.list("Rejected")), 1)


class Tls(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-tls-")
        self.certs = make_certs(os.path.join(self.tmp.name))

    def tearDown(self):
        self.tmp.cleanup()

    def env_with(self, cert, key, ca_file):
        env = EscbotEnv(self.tmp.name)
        env.dovecot = Dovecot(os.path.join(self.tmp.name, "imap-" + os.path.basename(cert)),
                              tls="implicit", cert=cert, key=key)
        env.sink = SmtpSink(os.path.join(self.tmp.name), tls="starttls",
                            cert=cert, key=key)
        os.makedirs(env.dovecot.dir, exist_ok=True)
        env.start()
        with open(env.config) as f:
            conf = f.read()
        conf = conf.replace('tls = "none";', 'tls = "implicit"; ca_file = "%s";'
                            % ca_file)
        conf = conf.replace("starttls = false;", 'starttls = true; ca_file = "%s";'
                            % ca_file)
        conf = conf.replace('host = "127.0.0.1"', 'host = "localhost"')
        conf = conf.replace("smtp://127.0.0.1", "smtp://localhost")
        with open(env.config, "w") as f:
            f.write(conf)
        return env

    def test_partnership_ca_works(self):
        c = self.certs
        env = self.env_with(c.server_cert, c.server_key, c.ca)
        try:
            env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                     F.TWSP_INLINE))
            env.run("run", "--once", now=NOW)
            self.assertEqual(len(env.cases()), 1)
            (ack,) = env.sink.wait_for(1)
            self.assertTrue(ack.tls)
        finally:
            env.stop()

    def test_self_signed_is_refused(self):
        c = self.certs
        env = self.env_with(c.selfsigned_cert, c.selfsigned_key, c.ca)
        try:
            env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                     F.TWSP_INLINE))
            p = env.run("run", "--once", now=NOW, check=False)
            self.assertEqual(p.returncode, 3)
            self.assertIn("certificate", p.stderr.lower())
            self.assertEqual(env.cases(), [])
            self.assertEqual(len(env.dovecot.uids("INBOX")), 1)  # untouched
            self.assertNotIn(env.dovecot.password, p.stderr)
        finally:
            env.stop()


if __name__ == "__main__":
    unittest.main()
