"""Trust nothing a sender or a server says (issue 14), against a real
Dovecot and SMTP sink:

- a message nested 32,000 MIME levels deep (spelt "multipart /mixed", which
  got past the old guard and crashed libetpan, so the message stayed in the
  inbox and crashed escbot on every pass) is moved to Rejected with the
  reason, escbot carries on, and the next message becomes a case;
- a message the server will not give out (UID FETCH answered NO, as
  Microsoft 365 does with one it "could not convert to an RFC-822
  compatible format"; tests/lib/refuseproxy.py stands in front of Dovecot)
  does not stop intake: the others are processed, it stays in the inbox,
  is logged with its UID, the administrator is told once, `run --once`
  exits 3, it is not asked for again before its backoff is over, and once
  the server gives it out it becomes a case like any other.
"""
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from guarantees_kit import (EnvTestCase, GuaranteeEnv, db_rows,  # noqa: E402
                            make_message, twsp_inline, _LIVE)
from refuseproxy import RefuseProxy                             # noqa: E402

NOW = "2026-11-23T10:00:00Z"            # a Monday, in working hours
LATER = "2026-11-23T10:02:00Z"          # inside the first backoff (5 min)
MUCH_LATER = "2026-11-23T11:00:00Z"     # after it
ADMIN = "it.desk@wigan.example.gov.uk"
SENDER = "avery.one@telford.example.gov.uk"


def deep_message(levels):
    """A message nested `levels` deep, each level "multipart /mixed" with a
    boundary of its own, closed properly (libetpan recurses only into a
    multipart whose close delimiter it finds)."""
    parts = [b"From: %s\r\nTo: x@wigan.example.gov.uk\r\nSubject: deep\r\n"
             b"Message-ID: <deep@telford.example.gov.uk>\r\n"
             b"MIME-Version: 1.0\r\n" % SENDER.encode()]
    for i in range(levels):
        parts.append(b"Content-Type: multipart /mixed; boundary=b%d\r\n\r\n"
                     b"--b%d\r\n" % (i, i))
    parts.append(b"\r\nbottom\r\n")
    for i in reversed(range(levels)):
        parts.append(b"--b%d--\r\n" % i)
    return b"".join(parts)


def form(n):
    return make_message(SENDER, "Referral %d" % n,
                        twsp_inline("TW-7100%d" % n, "Name Case%s" % "ABCD"[n]),
                        msgid="<hostile-%d@telford.example.gov.uk>" % n)


class HostileNesting(EnvTestCase):
    def test_deep_nesting_is_rejected_and_intake_goes_on(self):
        env = self.make_env()
        env.deliver(deep_message(32000))
        env.deliver(form(1))
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(env.dovecot.uids("INBOX"), [])
        rejected = env.dovecot.list("Rejected")
        self.assertEqual(len(rejected), 1)
        self.assertIn(b"Subject: deep", rejected[0])
        rows = db_rows(env.db, "SELECT outcome, reason FROM processed "
                       "WHERE folder = 'Rejected'")
        self.assertEqual(len(rows), 1, rows)
        self.assertRegex(rows[0][1], r"unreadable message: MIME structure "
                         r"too deep")
        self.assertRegex(p.stderr, r"uid 1: rejected: .*MIME structure too "
                         r"deep")
        self.assertEqual(len(env.dovecot.list("Processed")), 1)
        self.assertEqual(len(env.cases()), 1)
        # And again: nothing left to crash on.
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)


class RefusedFetch(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="escbot-hostile-")
        self.addCleanup(tmp.cleanup)
        env = GuaranteeEnv(tmp.name, extra_config='admin_email = "%s";'
                           % ADMIN)
        self.proxy = RefuseProxy(env.dovecot.port)
        self.proxy.start()
        self.addCleanup(self.proxy.stop)
        env.overrides["port = %d;" % env.dovecot.port] = \
            "port = %d;" % self.proxy.port
        self.addCleanup(env.stop)
        env.start()
        self.env = env

    def alerts(self):
        return [m for m in self.env.sink.messages(rcpt=ADMIN)]

    def test_one_refused_message_does_not_stop_intake(self):
        env, proxy = self.env, self.proxy
        for n in (1, 2, 3):
            env.deliver(form(n))
        bad = env.dovecot.uids("INBOX")[1]
        proxy.refuse = {bad}

        p = env.run("run", "--once", now=NOW, check=False)
        self.assertEqual(p.returncode, 3, p.stderr)      # temporary
        self.assertEqual(env.dovecot.uids("INBOX"), [bad])
        self.assertEqual(len(env.dovecot.list("Processed")), 2)
        self.assertEqual(len(env.cases()), 2)
        self.assertRegex(p.stderr, r"uid %d: the server will not give this "
                         r"message out \(.*RFC-822.*\); left in the inbox"
                         % bad)
        self.assertEqual(len(self.alerts()), 1)
        self.assertIn("UID %d" % bad,
                      self.alerts()[0].get_payload(decode=True).decode())
        self.assertTrue(proxy.refused)
        # The cursor did not pass it.
        (next_uid,), = db_rows(env.db, "SELECT next_uid FROM mailbox")
        self.assertLessEqual(next_uid, bad)

        # Inside the backoff: not asked for, still reported, no new alert.
        asked = len(proxy.refused)
        env.deliver(form(0))
        p = env.run("run", "--once", now=LATER, check=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(len(proxy.refused), asked)
        self.assertEqual(env.dovecot.uids("INBOX"), [bad])
        self.assertEqual(len(env.cases()), 3)
        self.assertEqual(len(self.alerts()), 1)

        # Refused again after the backoff: logged, not alerted again.
        p = env.run("run", "--once", now=MUCH_LATER, check=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertGreater(len(proxy.refused), asked)
        self.assertRegex(p.stderr, r"uid %d: .*try 2, next in 600 s" % bad)
        self.assertEqual(len(self.alerts()), 1)

        # The server mends: the message becomes a case, intake is whole.
        proxy.refuse = set()
        p = env.run("run", "--once", now="2026-11-23T12:00:00Z",
                    check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(env.dovecot.uids("INBOX"), [])
        self.assertEqual(len(env.dovecot.list("Processed")), 4)
        self.assertEqual(len(env.cases()), 4)
        self.assertEqual(db_rows(env.db, "SELECT * FROM unfetchable"), [])
        self.assertEqual(len(self.alerts()), 1)


if __name__ == "__main__":
    unittest.main()
