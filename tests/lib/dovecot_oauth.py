"""A test Dovecot (tests/lib/dovecot.py) that also accepts OAuth 2.0 bearer
tokens (AUTHENTICATE XOAUTH2 / OAUTHBEARER), checked against a token
introspection endpoint such as tests/lib/tokenserver.py's:

    d = DovecotOAuth(tmpdir, introspection_url=ts.introspect_url, tls=...)
    d.start()

Dovecot 2.3's oauth2 passdb POSTs token=... to introspection_url
(introspection_mode = post) on every login (no auth cache), and accepts the
login when the answer is {"active": true, "username": <the user>}.  The
password login of the parent class keeps working (for its helper methods),
restricted to the PLAIN and LOGIN mechanisms.
"""

import os

from dovecot import Dovecot


class DovecotOAuth(Dovecot):
    def __init__(self, tmpdir, introspection_url, **kw):
        self.introspection_url = introspection_url
        super().__init__(tmpdir, **kw)

    def _setup(self):
        super()._setup()
        ext = os.path.join(self.dir, "dovecot-oauth2.conf.ext")
        with open(ext, "w") as f:
            f.write("\n".join([
                "introspection_mode = post",
                "introspection_url = %s" % self.introspection_url,
                "force_introspection = yes",
                "username_attribute = username",
                "active_attribute = active",
                "active_value = true",
                "timeout_msecs = 5000",
            ]) + "\n")
        os.chmod(ext, 0o644)
        with open(self.conf) as f:
            text = f.read()
        for old, new in (
                ("auth_mechanisms = plain login\n",
                 "auth_mechanisms = plain login xoauth2 oauthbearer\n"),
                ("  driver = passwd-file\n",
                 "  driver = passwd-file\n  mechanisms = plain login\n")):
            if old not in text:
                raise RuntimeError("dovecot.py changed: no %r" % old)
            text = text.replace(old, new, 1)
        text += "\n".join([
            "passdb {",
            "  driver = oauth2",
            "  mechanisms = xoauth2 oauthbearer",
            "  args = %s" % ext,
            "}",
        ]) + "\n"
        with open(self.conf, "w") as f:
            f.write(text)
