"""Crash injection at named steps (ESCBOT_CRASH_AT, util.h's crashpoint()),
in the spirit of mbsync's -Tj, against a real Dovecot and SMTP sink.

For each step of ingest and sending in turn -- after fetch, after commit,
after sync, after move, after send (before its result is recorded), after
recording -- escbot runs `run --once` with ESCBOT_CRASH_AT set to it and
must die there (SIGABRT: the step was reached), then runs again without it.
Then, compared with a run that never crashed:

- nothing is lost: every form became exactly one case, and every message
  left the inbox exactly once, to the folder it belongs in (Processed or
  Rejected, with one record each in the database);
- nothing is duplicated: each email (recipient and subject) went out under
  one Message-ID, and was delivered once.  The one exception is a crash
  after the SMTP server accepted an email and before escbot recorded that:
  it is sent again, by design (at-least-once delivery), with the same
  Message-ID, so the recipient's mail client shows it once.  The test
  allows a second delivery only for that step, and only with the same
  Message-ID.  A crash after recording one email is, for the emails the
  sending worker had already handed to the server after it, a crash after
  send before recording: those may come twice (same Message-ID) too, but
  the email whose record preceded the crash never does.
"""
import collections
import os
import re
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from guarantees_kit import (EnvTestCase, census, db_rows,       # noqa: E402
                            make_message, message_id_of, twsp_inline,
                            twsp_lines, wsab_lines)

NOW = "2026-11-23T10:00:00Z"            # a Monday, in working hours
STEPS = ["after-fetch", "after-commit", "after-sync", "after-move",
         "after-send", "after-record"]
RESENT_BY_DESIGN = {"after-send"}


def batch():
    """Forms for three protocols' cases, a question, a stranger and a
    hostile message: every outcome, with replies and without."""
    def msg(n, sender, subject, body):
        return make_message(sender, subject, body,
                            msgid="<crashpoint-%d@%s>"
                            % (n, sender.split("@")[1]))
    deep = [b"From: pat@telford.example.gov.uk\r\nSubject: deep\r\n"
            b"Message-ID: <crashpoint-7@telford.example.gov.uk>\r\n"]
    deep += [b"Content-Type: multipart /mixed; boundary=b%d\r\n\r\n--b%d\r\n"
             % (i, i) for i in range(32000)]
    deep += [b"\r\nx\r\n"] + [b"--b%d--\r\n" % i for i in range(31999, -1, -1)]
    return [
        msg(1, "avery.one@telford.example.gov.uk", "Referral 1",
            twsp_inline("TW-81001", "Avery Firstcase")),
        msg(2, "robin.two@wigan.example.gov.uk", "Proforma 2",
            wsab_lines("Blake Secondcase")),
        msg(3, "dr.three@sath.example.nhs.uk", "Referral 3",
            twsp_lines("TW-82003", "Carmen Thirdcase")),
        msg(4, "quinn.asks@telford.example.gov.uk", "A question",
            "Can I escalate a case by phone?"),
        msg(5, "someone@gmail.example.com", "Referral 5",
            twsp_inline("TW-81005", "Dana Fifthcase")),
        msg(6, "frankie.six@telford.example.gov.uk", "Referral 6",
            twsp_inline("TW-81006", "Ellis Sixthcase")),
        b"".join(deep),
    ]


class CrashPoints(EnvTestCase):
    def run_escbot(self, env, crash_at=None):
        environ = dict(os.environ)
        environ.pop("ESCBOT_CRASH_AT", None)
        if crash_at:
            environ["ESCBOT_CRASH_AT"] = crash_at
        return subprocess.run(env.argv("run", "--once", now=NOW),
                              env=environ, capture_output=True, text=True,
                              timeout=120)

    def outcome(self, env):
        """What escbot did, in terms that do not depend on timing."""
        where = collections.defaultdict(list)
        for folder, raws in census(env.dovecot).items():
            for raw in raws:
                where[message_id_of(raw)].append(folder)
        records = collections.Counter(
            r[0] for r in db_rows(env.db, "SELECT message_id FROM processed"))
        cases = sorted((c["protocol"], c.get("ref", "")[:4])
                       for c in env.cases(all=True, now=NOW))
        sent = collections.defaultdict(list)
        for m in env.sink.messages():
            for r in m.rcpt_tos:
                sent[(r.lower(), str(m["Subject"]))].append(
                    str(m["Message-ID"]))
        return dict(where), records, cases, dict(sent)

    def scenario(self, crash_at):
        env = self.make_env(extra_config='admin_email = '
                            '"it.desk@wigan.example.gov.uk";')
        for raw in batch():
            env.deliver(raw)
        recorded = None
        if crash_at:
            p = self.run_escbot(env, crash_at)
            self.assertEqual(p.returncode, -signal.SIGABRT,
                             "%s: not reached\n%s" % (crash_at, p.stderr))
            self.assertIn("crash injected %s" % crash_at, p.stderr)
            last = re.findall(r"sent (\S+) to (\S+)", p.stderr)
            if crash_at == "after-record":
                (msgid,), = db_rows(env.db, "SELECT message_id FROM outbox "
                                    "WHERE token = ?", (last[-1][0],))
                recorded = (last[-1][1].lower(), "<%s>" % msgid.strip("<>"))
        p = self.run_escbot(env)
        self.assertEqual(p.returncode, 0, p.stderr)
        return self.outcome(env) + (recorded,)

    def test_every_step(self):
        where0, records0, cases0, sent0, _ = self.scenario(None)
        # The reference run itself: every message once, in its folder.
        self.assertEqual(len(where0), 7)
        self.assertTrue(all(len(f) == 1 and f[0] != "INBOX"
                            for f in where0.values()), where0)
        self.assertIn("Rejected", [f[0] for f in where0.values()])
        self.assertEqual(len(cases0), 4)
        self.assertTrue(sent0)
        for step in STEPS:
            with self.subTest(step=step):
                where, records, cases, sent, recorded = self.scenario(step)
                # Nothing lost, nothing moved twice or to the wrong place.
                self.assertEqual(where, where0)
                self.assertEqual(set(records), set(records0))
                self.assertTrue(all(n == 1 for n in records.values()),
                                records)
                # Every form is exactly one case.
                self.assertEqual(cases, cases0)
                # Every email went out, under one Message-ID each.
                self.assertEqual(set(sent), set(sent0))
                for key, ids in sent.items():
                    self.assertEqual(len(set(ids)), 1, (step, key, ids))
                    if step in RESENT_BY_DESIGN or (
                            recorded and recorded != (key[0], ids[0])):
                        # Resent after a crash between the server's 250
                        # and the record: the same Message-ID, which the
                        # recipient's client deduplicates.
                        self.assertLessEqual(len(ids), 2, (step, key))
                    else:
                        self.assertEqual(len(ids), 1, (step, key, ids))
                if recorded:
                    self.assertIn(recorded, [(k[0], v[0])
                                             for k, v in sent.items()])


if __name__ == "__main__":
    unittest.main()
