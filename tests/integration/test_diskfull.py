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

NOW = "2026-11-23T10:00:00Z"


class DiskFull(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-full-")
        self.env = EscbotEnv(self.tmp.name).start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def run_full(self, *args):
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
                              preexec_fn=no_room, timeout=120)

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
        self.assertEqual(len(env.sink.messages()), 1)


if __name__ == "__main__":
    unittest.main()
