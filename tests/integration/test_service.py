"""The daemon as a service: SIGHUP re-reads configuration, rules and
templates without losing state, and refuses a broken configuration while
keeping the running one; SIGTERM stops it cleanly."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import (ESCBOT, REPO, EscbotEnv, make_message,  # noqa: E402
                        wait_for)
import forms_fixtures as F                                     # noqa: E402


class Service(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-svc-")
        self.env = EscbotEnv(self.tmp.name).start()
        self.errlog = os.path.join(self.tmp.name, "daemon.err")
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.env.stop()
        self.tmp.cleanup()

    def log(self):
        with open(self.errlog, encoding="utf-8", errors="replace") as f:
            return f.read()

    def test_reload_and_stop(self):
        env = self.env
        tdir = os.path.join(self.tmp.name, "templates")
        shutil.copytree(os.path.join(REPO, "mail-templates"), tdir)
        with open(self.errlog, "w") as err:
            self.proc = subprocess.Popen([ESCBOT, "-c", env.config, "run"],
                                         stdout=subprocess.DEVNULL,
                                         stderr=err)
        self.assertTrue(wait_for(lambda: "started" in self.log()))

        # A broken configuration is refused, the old one kept.
        with open(env.config) as f:
            good = f.read()
        with open(env.config, "a") as f:
            f.write("no_such_key = 1;\n")
        self.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "keeping the running" in self.log()))
        self.assertIn('unknown key "no_such_key"', self.log())
        self.assertIsNone(self.proc.poll())

        # A good one with other templates takes effect without a restart.
        with open(os.path.join(tdir, "ack.txt")) as f:
            ack = f.read()
        with open(os.path.join(tdir, "ack.txt"), "w") as f:
            f.write(ack.replace("Subject: [{{ref}}] Received:",
                                "Subject: [{{ref}}] Reloaded ack:", 1))
        with open(env.config, "w") as f:
            f.write(good.replace('templates_dir = "%s/mail-templates"' % REPO,
                                 'templates_dir = "%s"' % tdir))
        self.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "re-read" in self.log()))
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        self.assertTrue(wait_for(lambda: env.sink.messages(), timeout=30),
                        self.log())
        self.assertIn("Reloaded ack", env.sink.messages()[0]["Subject"])

        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=15), 0)
        self.assertIn("stopping", self.log())

    def test_idle_acknowledges_within_seconds(self):
        env = self.env
        with open(env.config) as f:
            conf = f.read()
        with open(env.config, "w") as f:
            f.write(conf.replace("poll_interval = 5;", "poll_interval = 300;"))
        with open(self.errlog, "w") as err:
            self.proc = subprocess.Popen([ESCBOT, "-c", env.config, "run"],
                                         stdout=subprocess.DEVNULL,
                                         stderr=err)
        self.assertTrue(wait_for(lambda: "started" in self.log()))
        time.sleep(2)   # the first pass is done; escbot waits in IDLE
        t0 = time.monotonic()
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        self.assertTrue(wait_for(lambda: env.sink.messages(), timeout=30),
                        self.log())
        # Polling every 300 s would take minutes; IDLE takes seconds.
        self.assertLess(time.monotonic() - t0, 15)
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=15), 0)

    def test_second_instance_refused(self):
        env = self.env
        with open(self.errlog, "w") as err:
            self.proc = subprocess.Popen([ESCBOT, "-c", env.config, "run"],
                                         stdout=subprocess.DEVNULL,
                                         stderr=err)
        self.assertTrue(wait_for(lambda: "started" in self.log()))
        p = env.run("run", "--once", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("another escbot is using this database", p.stderr)
        # Reading, and recording a command for the daemon to send, work
        # beside it.
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        self.assertTrue(wait_for(lambda: env.cases(), timeout=30))
        (case,) = env.cases()
        # At a time in working hours: outside them the confirmation would
        # wait for the next opening (the daemon runs by the real clock).
        p = env.run("pause", case["ref"], "--reason", "leave",
                    now="2026-11-23T10:00:00Z")
        self.assertIn("running escbot will send", p.stdout)
        self.assertTrue(wait_for(lambda: any(
            "Paused" in m["Subject"] for m in env.sink.messages()), timeout=30))
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=15), 0)
        env.run("run", "--once")


if __name__ == "__main__":
    unittest.main()
