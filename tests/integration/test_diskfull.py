"""Disk full: when the database cannot grow, the form stays in the inbox
(nothing is moved or lost), escbot says so and exits non-zero, and the
next run once there is room records it and acknowledges it once.  The
full disk is made with RLIMIT_FSIZE (writes past it fail with EFBIG)."""
import os
import resource
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import ESCBOT, EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                              # noqa: E402
from guarantees_kit import twsp_inline                  # noqa: E402

NOW = "2026-11-23T10:00:00Z"
LATER = "2026-11-23T10:05:00Z"


class DiskFull(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-full-")
        self.env = EscbotEnv(self.tmp.name).start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def run_full(self, *args, timeout=120):
        env = self.env
        # Empty the write-ahead log, then leave room for SQLite's shared
        # memory file (32 KiB) and not for the transaction that records
        # the message.
        subprocess.run(["sqlite3", env.db, "PRAGMA wal_checkpoint(TRUNCATE);"],
                       check=True, capture_output=True)
        limit = 32768 + 8192

        def no_room():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return subprocess.run([ESCBOT, "-c", env.config, "--now", NOW] +
                              list(args), capture_output=True, text=True,
                              preexec_fn=no_room, timeout=timeout)

    def test_full_disk_loses_nothing(self):
        env = self.env
        env.run("run", "--once", now=NOW)          # the database exists
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        p = self.run_full("run", "--once")
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("left in the inbox", p.stderr)
        self.assertEqual(len(env.dovecot.uids("INBOX")), 1)
        self.assertEqual(env.cases(all=True, now=NOW), [])
        self.assertEqual(env.sink.messages(), [])
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(now=NOW)), 1)
        self.assertEqual(env.dovecot.uids("INBOX"), [])
        # The acknowledgement, and the stage-start email to stage 3.
        self.assertEqual(len(env.sink.messages(
            rcpt="casey@telford.example.gov.uk")), 1)
        self.assertEqual(len({str(m["Message-ID"])
                              for m in env.sink.messages()}), 2)

    def test_sends_that_cannot_be_recorded_end_the_round(self):
        """More emails ready than one batch (100), and the disk fills:
        each send that cannot be recorded ends the round at once, so an
        email goes out at most once more (the same Message-ID), never
        again and again within the round."""
        env = self.env
        raiser = "casey@telford.example.gov.uk"
        n = 105
        env.sink.stop()
        for i in range(n):
            env.deliver(make_message(raiser, "Referral", twsp_inline(
                "TW-8%04d" % i, "Pat Full%d" % i)))
        with open(env.config, "a") as f:
            f.write("max_emails_per_recipient_per_day = 1000;\n")
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(len(env.cases(now=NOW)), n)
        env.sink.start()
        try:
            p = self.run_full("tick", timeout=60)
            err = p.stderr
        except subprocess.TimeoutExpired as e:
            err = (e.stderr or b"").decode("utf-8", "replace")
        sent = env.sink.messages()
        # What the room left records (a few deliveries: each case's ack
        # and its stage-start email to four), never the whole batch.
        self.assertLessEqual(len(sent), 25, err[-2000:])
        self.assertLessEqual(err.count("cannot record"), 1, err[-2000:])
        # With room again, every acknowledgement and stage-start email
        # goes to each of its recipients, each at most twice in all (once
        # when it could not be recorded, once after).
        env.run("tick", now=LATER)     # the first one's backoff over
        ids, each = set(), {}
        for m in env.sink.messages():
            ids.add(str(m["Message-ID"]))
            for r in m.rcpt_tos:
                k = (str(m["Message-ID"]), r.lower())
                each[k] = each.get(k, 0) + 1
        self.assertEqual(len(ids), 2 * n, (len(sent), err[-3000:],
                                           env.run("outbox", now=LATER).stdout))
        # One acknowledgement and four stage 3 role holders a case.
        self.assertEqual(len(each), 5 * n)
        self.assertLessEqual(max(each.values()), 2, each)
        # The child sends the next one only once the last is recorded
        # (worker.c): the one whose result could not be recorded goes
        # again, nothing else.
        self.assertLessEqual(sum(each.values()), 5 * n + 2)


if __name__ == "__main__":
    unittest.main()
