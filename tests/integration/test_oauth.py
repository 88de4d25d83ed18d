"""OAuth 2.0 (XOAUTH2) logins of bot/oauth.c + bot/imap.c + bot/smtp.c, through
tests/tools/oauth-probe, against a local token endpoint
(tests/lib/tokenserver.py, HTTPS with the test CA) and a Dovecot whose
oauth2 passdb checks every token at that endpoint's introspection URL
(tests/lib/dovecot_oauth.py).

Run from the repository root:
    /usr/bin/python3 -m unittest tests/integration/test_oauth.py
The probe is built with `make tests/tools/oauth-probe` when missing
($OAUTH_PROBE names another binary to use instead).

What is checked: the IMAP login works with a client_credentials token;
the token is cached (in memory and in token_cache, mode 0600) and reused,
so the endpoint is asked once; a token about to expire is renewed; a
rotated refresh token is saved (atomically, mode 0600) and the next run
uses it; invalid_grant and a wrong client secret are final errors that say
to re-authorise; an endpoint that is down or answers 5xx is temporary; an
endpoint certificate nobody trusts is refused; a token the server no
longer accepts is dropped and a new one asked for once; SMTP sends with
AUTH XOAUTH2; and no token or secret appears in what the probe prints.
"""

import base64
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import certs  # noqa: E402
import tokenserver  # noqa: E402
from dovecot_oauth import DovecotOAuth  # noqa: E402

PROBE = os.environ.get("OAUTH_PROBE") or \
    os.path.join(ROOT, "tests", "tools", "oauth-probe")

MSG = (b"From: Escalations <escbot@example.gov.uk>\r\n"
       b"To: lead@example.nhs.uk\r\n"
       b"Subject: [TWSP-2026-0001] test\r\n"
       b"Message-ID: <oauth-test@example.gov.uk>\r\n"
       b"\r\n"
       b"Body.\r\n")


def setUpModule():
    if not os.access(PROBE, os.X_OK):
        subprocess.run(["make", "-C", ROOT, "tests/tools/oauth-probe"],
                       check=True, stdout=subprocess.DEVNULL)
    global TMP, CERTS
    TMP = tempfile.mkdtemp(prefix="escbot-oauth-")
    CERTS = certs.make_certs(os.path.join(TMP, "certs"))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class OAuthMixin:
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=TMP)
        os.chmod(self.tmp, 0o755)
        self.ts = tokenserver.TokenServer(cert=CERTS.server_cert,
                                          key=CERTS.server_key)
        self.ts.start()
        self.addCleanup(self.ts.stop)
        self.secret = os.path.join(self.tmp, "client.secret")
        with open(self.secret, "w") as f:
            f.write(self.ts.client_secret + "\n")
        os.chmod(self.secret, 0o600)
        self.cache = os.path.join(self.tmp, "token.cache")
        self.rt = os.path.join(self.tmp, "refresh.token")

    def dovecot(self):
        d = DovecotOAuth(tempfile.mkdtemp(dir=self.tmp),
                         introspection_url=self.ts.introspect_url,
                         tls="implicit", cert=CERTS.server_cert,
                         key=CERTS.server_key)
        d.start()
        self.addCleanup(d.stop)
        return d

    def probe(self, *args, grant="client_credentials", cache=True,
              ca=None, url=None, secret=True, debug=True):
        cmd = [PROBE, "-u", url or self.ts.token_url,
               "-c", self.ts.client_id, "-g", grant, "-t", "5",
               "-a", ca if ca is not None else CERTS.ca]
        if secret:
            cmd += ["-s", self.secret]
        if cache:
            cmd += ["-C", self.cache]
        if grant == "refresh_token":
            cmd += ["-r", self.rt]
        cmd += [str(a) for a in args]
        env = dict(os.environ)
        if debug:
            env["OAUTH_PROBE_DEBUG"] = "1"
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=60)
        out = r.stdout.decode(errors="replace")
        err = r.stderr.decode(errors="replace")
        self.assert_no_secrets(out + err)
        return r.returncode, out, err

    def imap(self, d, **kw):
        return self.probe("imap", "127.0.0.1", d.port, "implicit", d.user,
                          CERTS.ca, "INBOX", **kw)

    def assert_no_secrets(self, text):
        for s in [self.ts.client_secret, self.ts.refresh_token,
                  "RT-initial-0001"] + list(self.ts.tokens):
            self.assertNotIn(s, text)
        self.assertNotIn("AT-", text)

    def write_rt(self, value):
        with open(self.rt, "w") as f:
            f.write(value + "\n")
        os.chmod(self.rt, 0o600)

    def no_temp_files(self):
        stray = [n for n in os.listdir(self.tmp) if ".tmp" in n]
        self.assertEqual(stray, [])


class TestXOAuth2Login(OAuthMixin, unittest.TestCase):
    def test_login_works(self):
        d = self.dovecot()
        d.append("INBOX", MSG)
        rc, out, err = self.imap(d)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split()[0], "uidvalidity")
        self.assertEqual(out.split()[2:], ["1"])
        reqs = self.ts.grants()
        self.assertEqual(len(reqs), 1)
        self.assertEqual(reqs[0]["grant_type"], "client_credentials")
        self.assertEqual(reqs[0]["client_id"], self.ts.client_id)
        self.assertEqual(reqs[0]["client_secret"], self.ts.client_secret)
        self.assertGreaterEqual(self.ts.introspections, 1)
        self.assertIn("method=XOAUTH2", d.read_log())

    def test_token_cached_and_reused(self):
        d = self.dovecot()
        for _ in range(3):
            rc, out, err = self.imap(d)
            self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.ts.grants()), 1)
        self.assertGreaterEqual(self.ts.introspections, 3)
        self.assertEqual(mode(self.cache), 0o600)
        with open(self.cache) as f:
            text = f.read()
        self.assertNotIn(self.ts.client_secret, text)
        self.assertIn(list(self.ts.tokens)[0], text)
        self.no_temp_files()
        # In one process without a cache file: memory.
        rc, out, err = self.probe("token", 4, cache=False)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), ["ok"] * 4)
        self.assertEqual(len(self.ts.grants()), 2)

    def test_token_about_to_expire_is_renewed(self):
        self.ts.expires_in = 200        # less than the 5 minute margin
        for _ in range(2):
            rc, out, err = self.probe("token")
            self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.ts.grants()), 2)

    def test_refused_token_is_dropped_and_renewed_once(self):
        d = self.dovecot()
        rc, out, err = self.imap(d)
        self.assertEqual(rc, 0, err)
        self.ts.revoke_all()            # the cached token stops working
        rc, out, err = self.imap(d)
        self.assertEqual(rc, 0, err)
        self.assertIn("AUTHENTICATE XOAUTH2", err)
        self.assertIn("asking the token endpoint for a new token", err)
        self.assertEqual(len(self.ts.grants()), 2)

    def test_rotated_refresh_token_is_saved(self):
        self.ts.rotate = True
        self.write_rt(self.ts.refresh_token)
        d = self.dovecot()
        rc, out, err = self.imap(d, grant="refresh_token", secret=False,
                                 cache=False)
        self.assertEqual(rc, 0, err)
        req = self.ts.grants("refresh_token")
        self.assertEqual(len(req), 1)
        self.assertEqual(req[0]["refresh_token"], "RT-initial-0001")
        self.assertNotIn("client_secret", req[0])
        with open(self.rt) as f:
            saved = f.read().strip()
        self.assertEqual(saved, self.ts.refresh_token)
        self.assertNotEqual(saved, "RT-initial-0001")
        self.assertEqual(mode(self.rt), 0o600)
        self.no_temp_files()
        # The next run uses the new one (the old one is refused now).
        rc, out, err = self.imap(d, grant="refresh_token", secret=False,
                                 cache=False)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.ts.grants("refresh_token")[1]
                         ["refresh_token"], saved)
        # An old refresh token: the grant is gone for good.
        self.write_rt("RT-initial-0001")
        rc, out, err = self.probe("token", grant="refresh_token",
                                  secret=False, cache=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("grant expired or revoked: re-authorise escbot", err)

    def test_refresh_token_file_readable_by_others_is_refused(self):
        self.write_rt(self.ts.refresh_token)
        os.chmod(self.rt, 0o644)
        rc, out, err = self.probe("token", grant="refresh_token",
                                  secret=False, cache=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("chmod 600", err)
        self.assertEqual(self.ts.grants(), [])


class TestFailures(OAuthMixin, unittest.TestCase):
    def test_invalid_grant_is_final(self):
        self.ts.fail = "invalid_grant"
        rc, out, err = self.probe("token")
        self.assertEqual(rc, 2, err)
        self.assertIn("final failure", err)
        self.assertIn("grant expired or revoked: re-authorise escbot", err)
        self.assertIn("invalid_grant", err)

    def test_wrong_client_secret_is_final(self):
        with open(self.secret, "w") as f:
            f.write("not-the-secret\n")
        rc, out, err = self.probe("token")
        self.assertEqual(rc, 2, err)
        self.assertIn("invalid_client", err)
        self.assertIn("re-authorise escbot", err)
        self.assertNotIn("not-the-secret", err)

    def test_endpoint_down_is_temporary(self):
        url = self.ts.token_url
        self.ts.stop()
        rc, out, err = self.probe("token", url=url)
        self.assertEqual(rc, 1, err)
        self.assertIn("temporary failure", err)
        self.assertIn("unreachable", err)

    def test_endpoint_5xx_is_temporary(self):
        for status in (500, 503):
            with self.subTest(status=status):
                self.ts.fail = status
                rc, out, err = self.probe("token")
                self.assertEqual(rc, 1, err)
                self.assertIn("HTTP %d" % status, err)

    def test_untrusted_endpoint_certificate_is_final(self):
        rc, out, err = self.probe("token", ca="-")
        self.assertEqual(rc, 2, err)
        self.assertIn("certificate", err)
        self.assertEqual(self.ts.grants(), [])

    def test_plain_http_only_on_loopback(self):
        rc, out, err = self.probe(
            "token", url="http://login.example.invalid/token")
        self.assertEqual(rc, 2, err)
        self.assertIn("https", err)

    def test_wrong_token_for_imap_is_final(self):
        # A token the IMAP server never accepts (another tenant, say):
        # retried once with a fresh token, then final.
        d = self.dovecot()
        self.ts.user = "somebody-else"
        rc, out, err = self.imap(d)
        self.assertEqual(rc, 2, err)
        self.assertIn("AUTHENTICATE XOAUTH2", err)
        self.assertEqual(len(self.ts.grants()), 2)


# ----------------------------------------------------------------- SMTP

# aiosmtpd 1.4 warns about its own use of Session.login_data.
warnings.filterwarnings("ignore", message="Session.login_data")

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, MISSING
except ImportError:             # pragma: no cover
    Controller = None


class XOAuth2Handler:
    """An aiosmtpd handler that accepts AUTH XOAUTH2 with tokens the
    token server issued."""

    def __init__(self, ts):
        self.ts = ts
        self.logins = []
        self.messages = []

    async def auth_XOAUTH2(self, server, args):
        if len(args) == 2:
            blob = base64.b64decode(args[1])
        else:
            blob = await server.challenge_auth("", encode_to_b64=False)
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        fields = dict(p.split(b"=", 1) for p in blob.split(b"\x01") if p)
        user = fields.get(b"user", b"").decode()
        token = fields.get(b"auth", b"").decode()
        if token.startswith("Bearer ") and token[7:] in self.ts.tokens:
            self.logins.append(user)
            return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((session.auth_data, envelope.rcpt_tos,
                              envelope.original_content))
        return "250 2.0.0 OK"


@unittest.skipIf(Controller is None, "python3-aiosmtpd is not installed")
class TestSMTP(OAuthMixin, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.handler = XOAuth2Handler(self.ts)
        self.smtpd = Controller(self.handler, hostname="127.0.0.1",
                                port=tokenserver.free_port(),
                                auth_require_tls=False)
        self.smtpd.start()
        self.addCleanup(self.smtpd.stop)
        self.msg = os.path.join(self.tmp, "msg.eml")
        with open(self.msg, "wb") as f:
            f.write(MSG)

    def send(self, **kw):
        return self.probe("smtp", "smtp://127.0.0.1:%d" % self.smtpd.port,
                          "escbot@example.gov.uk", "-",
                          "escbot@example.gov.uk", "lead@example.nhs.uk",
                          self.msg, **kw)

    def test_send_with_xoauth2(self):
        rc, out, err = self.send()
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), ["sent"])
        self.assertEqual(self.handler.logins, ["escbot@example.gov.uk"])
        self.assertEqual(len(self.handler.messages), 1)
        self.assertEqual(self.handler.messages[0][0],
                         "escbot@example.gov.uk")

    def test_refused_token_is_a_login_failure(self):
        rc, out, err = self.send()
        self.assertEqual(rc, 0, err)
        self.ts.revoke_all()
        rc, out, err = self.send()
        self.assertNotEqual(rc, 0)
        self.assertIn("XOAUTH2 login refused", err)


if __name__ == "__main__":
    unittest.main()
