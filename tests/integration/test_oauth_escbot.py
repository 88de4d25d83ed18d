"""escbot itself against a Microsoft 365-like setup: a local OAuth2 token
endpoint, Dovecot checking bearer tokens (XOAUTH2) by introspection.  The
token is fetched once and cached; a revoked grant stops the fetch, is
reported loudly and emailed to the administrator once a day."""
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import certs                                      # noqa: E402
import tokenserver                                # noqa: E402
from dovecot_oauth import DovecotOAuth            # noqa: E402
from escbot_env import EscbotEnv, make_message    # noqa: E402
import forms_fixtures as F                        # noqa: E402

NOW = "2026-11-23T10:00:00Z"


class EscbotXOAuth2(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-oauth2-")
        os.chmod(self.tmp.name, 0o755)
        c = self.certs = certs.make_certs(os.path.join(self.tmp.name, "certs"))
        self.ts = tokenserver.TokenServer(cert=c.server_cert, key=c.server_key)
        self.ts.start()
        env = self.env = EscbotEnv(self.tmp.name)
        env.dovecot = DovecotOAuth(os.path.join(self.tmp.name, "imap"),
                                   introspection_url=self.ts.introspect_url,
                                   tls="implicit", cert=c.server_cert,
                                   key=c.server_key)
        env.start()
        secret = os.path.join(self.tmp.name, "client.secret")
        with open(secret, "w") as f:
            f.write(self.ts.client_secret + "\n")
        os.chmod(secret, 0o600)
        self.cache = os.path.join(self.tmp.name, "token.cache")
        with open(env.config) as f:
            conf = f.read()
        conf = conf.replace('tls = "none";', 'tls = "implicit"; auth = "xoauth2"; '
                            'ca_file = "%s";' % c.ca)
        conf = conf.replace('password_file = "imap.secret";', "")
        conf = conf.replace('host = "127.0.0.1"', 'host = "localhost"')
        conf += ('oauth2 = { token_url = "%s"; client_id = "%s"; '
                 'client_secret_file = "%s"; token_cache = "%s"; ca_file = "%s"; };\n'
                 'admin_email = "IT Service Desk <it.desk@wigan.example.gov.uk>";\n'
                 % (self.ts.token_url, self.ts.client_id, secret, self.cache, c.ca))
        with open(env.config, "w") as f:
            f.write(conf)

    def tearDown(self):
        self.env.stop()
        self.ts.stop()
        self.tmp.cleanup()

    def token_requests(self):
        return len([r for r in self.ts.requests if "token" in str(r)])

    def test_login_cache_and_revocation(self):
        env = self.env
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        p = env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 1)
        env.sink.wait_for(1)
        self.assertEqual(len(env.sink.messages(
            rcpt="casey@telford.example.gov.uk")), 1)
        asked = len(self.ts.requests)
        self.assertGreaterEqual(asked, 1)
        self.assertEqual(stat.S_IMODE(os.stat(self.cache).st_mode), 0o600)
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(self.ts.requests), asked)   # cached token reused
        for t in list(self.ts.tokens) + [self.ts.client_secret]:
            self.assertNotIn(t, p.stderr)

        # The grant is revoked: the next fetch is refused for good, said
        # loudly, and the administrator is told by email, once a day.
        self.ts.fail = "invalid_grant"
        self.ts.tokens.clear()
        os.unlink(self.cache)
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn("re-authorise", p.stderr)
        env.run("run", "--once", now="2026-11-23T11:00:00Z", check=False)
        alerts = env.sink.messages(rcpt="it.desk@wigan.example.gov.uk")
        self.assertEqual(len(alerts), 1)
        self.assertIn("needs you", alerts[0]["Subject"])


if __name__ == "__main__":
    unittest.main()
