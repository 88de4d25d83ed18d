"""The daemon and its workers (bot/worker.h): mail is sent, tokens fetched
and Word files read in child processes that load bot/escbot-net.so, so the
long-running daemon never maps libcurl, libzip or libxml2; an installed
escbot finds its plugin; a missing plugin is a clear error that loses
nothing."""
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
from escbot_env import ESCBOT, REPO, EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                                     # noqa: E402

NOW = "2026-12-01T10:00:00Z"
HEAVY = ("libcurl", "libxml2", "libzip", "libssh2", "libcrypto",
         "escbot-net.so")


def wait_for(pred, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


class Worker(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-worker-")
        self.env = EscbotEnv(self.tmp.name).start()
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.env.stop()
        self.tmp.cleanup()

    def form(self, ref="TW-70001"):
        return make_message("casey@telford.example.gov.uk", "Referral",
                            F.TWSP_INLINE.replace("TW-48213", ref))

    def test_daemon_never_maps_the_network_and_document_libraries(self):
        env = self.env
        errlog = os.path.join(self.tmp.name, "daemon.err")
        with open(errlog, "w") as err:
            self.proc = subprocess.Popen([ESCBOT, "-c", env.config, "run"],
                                         stdout=subprocess.DEVNULL,
                                         stderr=err)
        env.deliver(self.form())
        if not wait_for(lambda: env.sink.messages()):
            with open(errlog) as f:
                self.fail("no acknowledgement:\n" + f.read())
        # The acknowledgement went out through a worker; the daemon
        # itself has none of those libraries mapped, before or after.
        with open("/proc/%d/maps" % self.proc.pid) as f:
            maps = f.read()
        for lib in HEAVY:
            self.assertNotIn(lib, maps)
        self.assertIn("libetpan", maps)
        with open("/proc/%d/status" % self.proc.pid) as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        self.assertLess(int(status["VmRSS"].split()[0]), 12 * 1024)
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=15), 0)

    def test_missing_plugin_is_a_clear_error_and_loses_nothing(self):
        env = self.env
        bindir = os.path.join(self.tmp.name, "bin")
        os.makedirs(bindir)
        lonely = os.path.join(bindir, "escbot")
        shutil.copy(ESCBOT, lonely)
        env.deliver(self.form())
        p = subprocess.run([lonely, "-c", env.config, "--now", NOW, "run",
                            "--once"], capture_output=True, text=True,
                           timeout=60)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("cannot load escbot-net.so", p.stderr)
        self.assertEqual(env.sink.messages(), [])
        # The case is open and its acknowledgement waits in the outbox.
        self.assertEqual(len(env.cases(now=NOW)), 1)
        out = env.run("outbox", now=NOW).stdout
        self.assertIn("pending", out)
        # With the plugin in place it goes, once.
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.sink.messages()), 1)
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.sink.messages()), 1)

    def test_installed_escbot_finds_its_plugin(self):
        env = self.env
        dest = os.path.join(self.tmp.name, "dest")
        subprocess.run(["make", "-s", "-C", REPO, "install", "DESTDIR=" + dest,
                        "PREFIX=/opt/escbot"], check=True,
                       stdout=subprocess.DEVNULL)
        installed = os.path.join(dest, "opt", "escbot", "sbin", "escbot")
        self.assertTrue(os.path.exists(os.path.join(
            dest, "opt", "escbot", "lib", "escbot", "escbot-net.so")))
        env.deliver(self.form())
        p = subprocess.run([installed, "-c", env.config, "--now", NOW, "run",
                            "--once"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(env.sink.messages()), 1)


if __name__ == "__main__":
    unittest.main()
