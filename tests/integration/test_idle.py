"""imap_idle_wait() of bot/imap.c against a real Dovecot, through
tests/tools/idle-probe.

Run from the repository root:
    /usr/bin/python3 -m unittest tests/integration/test_idle.py
The probe is built with `make tests/tools/idle-probe` when missing
($IDLE_PROBE names another binary to use instead).

What is checked: a message delivered while the probe idles wakes it within
2 s (plain, implicit TLS and STARTTLS, so the GnuTLS path is used), also
when it arrived before the IDLE started; with no mail the wait ends at its
time limit with 0, and keep-alives, flag changes and expunges from the
server do not count as mail; the waiting costs no CPU; SIGTERM ends the wait at once; and a Dovecot that
stops while the probe idles gives a temporary failure (-1).
"""

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import certs  # noqa: E402
import dovecot  # noqa: E402

PROBE = os.environ.get("IDLE_PROBE") or \
    os.path.join(ROOT, "tests", "tools", "idle-probe")

MSG = (b"From: Alice Example <alice@example.gov.uk>\r\n"
       b"To: box@example.org\r\n"
       b"Subject: idle test %d\r\n"
       b"Message-ID: <idle%d@example.gov.uk>\r\n"
       b"\r\n"
       b"Body %d.\r\n")


def msg(i):
    return MSG % (i, i, i)


def setUpModule():
    if not os.access(PROBE, os.X_OK):
        subprocess.run(["make", "-C", ROOT, "tests/tools/idle-probe"],
                       check=True, stdout=subprocess.DEVNULL)
    global TMP, CERTS
    TMP = tempfile.mkdtemp(prefix="escbot-idle-")
    CERTS = certs.make_certs(os.path.join(TMP, "certs"))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class KeepaliveDovecot(dovecot.Dovecot):
    """A Dovecot that sends "* OK Still here" to idlers every second."""

    def _setup(self):
        super()._setup()
        with open(self.conf, "a") as f:
            f.write("protocol imap {\n  imap_idle_notify_interval = 1 secs\n"
                    "}\n")


class Probe:
    """idle-probe running in the background; its stdout lines are read
    by a thread so that a test can wait for one with a time limit."""

    def __init__(self, server, seconds, count=1, tls=None, delay=None,
                 tmp=None):
        pwfile = os.path.join(tmp, "password")
        with open(pwfile, "w") as f:
            f.write(server.password + "\n")
        os.chmod(pwfile, 0o600)
        env = dict(os.environ)
        if delay is not None:
            env["IDLE_PROBE_DELAY"] = str(delay)
        self.proc = subprocess.Popen(
            [PROBE, "127.0.0.1", str(server.port),
             tls or server.tls or "none", server.user, pwfile, CERTS.ca,
             "INBOX", str(seconds), str(count)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode().strip())
        self.lines.put(None)

    def line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return "(nothing within %s s)" % timeout

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / \
            os.sysconf("SC_CLK_TCK")

    def finish(self, timeout=15):
        rc = self.proc.wait(timeout)
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except Exception:
                pass


class IdleMixin:
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=TMP)

    def server(self, tls=None, cls=dovecot.Dovecot):
        d = cls(tempfile.mkdtemp(dir=self.tmp), tls=tls,
                cert=CERTS.server_cert, key=CERTS.server_key)
        d.start()
        self.addCleanup(d.stop)
        return d

    def probe(self, server, seconds, **kw):
        p = Probe(server, seconds, tmp=self.tmp, **kw)
        self.addCleanup(p.kill)
        self.assertEqual(p.line(20), "ready", p.proc.stderr.read1()
                         if p.proc.poll() is not None else "")
        return p

    def wakes_on_delivery(self, tls):
        d = self.server(tls)
        d.append("INBOX", msg(1))
        p = self.probe(d, 60, count=2)
        time.sleep(1)           # well inside the IDLE
        start = time.monotonic()
        d.append("INBOX", msg(2))
        self.assertEqual(p.line(5), "new")
        self.assertLess(time.monotonic() - start, 2.0)
        # The session is usable again at once: a second IDLE, a second
        # delivery.
        time.sleep(0.5)
        start = time.monotonic()
        d.append("INBOX", msg(3))
        self.assertEqual(p.line(5), "new")
        self.assertLess(time.monotonic() - start, 2.0)
        rc, err = p.finish()
        self.assertEqual(rc, 0, err)


class TestIdle(IdleMixin, unittest.TestCase):
    def test_delivery_wakes_it_plain(self):
        self.wakes_on_delivery(None)

    def test_delivery_wakes_it_implicit_tls(self):
        self.wakes_on_delivery("implicit")

    def test_delivery_wakes_it_starttls(self):
        self.wakes_on_delivery("starttls")

    def test_mail_before_the_wait_counts(self):
        d = self.server()
        p = self.probe(d, 30, delay=2)
        d.append("INBOX", msg(1))       # after SELECT, before IDLE
        start = time.monotonic()
        self.assertEqual(p.line(10), "new")
        self.assertLess(time.monotonic() - start, 3.0)
        self.assertEqual(p.finish()[0], 0)

    def test_timeout_without_mail(self):
        d = self.server()
        d.append("INBOX", msg(1))       # old mail is not new mail
        p = self.probe(d, 3)
        start = time.monotonic()
        self.assertEqual(p.line(10), "timeout")
        took = time.monotonic() - start
        self.assertGreater(took, 2.5)
        self.assertLess(took, 5.0)
        rc, err = p.finish()
        self.assertEqual(rc, 0, err)

    def test_keepalives_are_not_mail(self):
        d = self.server(cls=KeepaliveDovecot)
        p = self.probe(d, 4)
        start = time.monotonic()
        self.assertEqual(p.line(10), "timeout")
        self.assertGreater(time.monotonic() - start, 3.5)
        self.assertEqual(p.finish()[0], 0)

    def test_flag_changes_and_expunges_are_not_mail(self):
        d = self.server()
        d.append("INBOX", msg(1))
        d.append("INBOX", msg(2))
        p = self.probe(d, 5)
        time.sleep(1)
        m = d._connect()
        try:
            m.select("INBOX")
            m.uid("STORE", "1", "+FLAGS", r"(\Seen)")
            m.uid("STORE", "2", "+FLAGS", r"(\Deleted)")
            m.expunge()
        finally:
            m.logout()
        start = time.monotonic()
        self.assertEqual(p.line(10), "timeout")
        self.assertGreater(time.monotonic() - start, 2.0)
        self.assertEqual(p.finish()[0], 0)

    def test_delivery_together_with_an_expunge_counts(self):
        # The count after both is what it was before: still new mail.
        d = self.server()
        d.append("INBOX", msg(1))
        p = self.probe(d, 10)
        time.sleep(1)
        m = d._connect()
        try:
            m.select("INBOX")
            m.uid("STORE", "1", "+FLAGS", r"(\Deleted)")
            m.expunge()
            m.append("INBOX", None, None, msg(2))
        finally:
            m.logout()
        self.assertEqual(p.line(5), "new")
        self.assertEqual(p.finish()[0], 0)

    def test_waiting_costs_no_cpu(self):
        d = self.server("implicit")
        p = self.probe(d, 30)
        time.sleep(0.5)
        before = p.cpu_seconds()
        time.sleep(3)
        used = p.cpu_seconds() - before
        self.assertLess(used, 0.1, "busy loop: %.2f s CPU in 3 s" % used)
        p.proc.send_signal(signal.SIGTERM)
        self.assertEqual(p.line(5), "stopped")

    def test_sigterm_stops_the_wait(self):
        d = self.server()
        p = self.probe(d, 60, count=5)
        time.sleep(1)
        start = time.monotonic()
        p.proc.send_signal(signal.SIGTERM)
        self.assertEqual(p.line(5), "stopped")
        self.assertLess(time.monotonic() - start, 2.0)
        rc, err = p.finish()
        self.assertEqual(rc, 0, err)

    def test_dovecot_stopping_is_temporary(self):
        for tls in (None, "implicit"):
            with self.subTest(tls=tls):
                d = self.server(tls)
                p = self.probe(d, 60)
                time.sleep(1)
                start = time.monotonic()
                d.stop()
                rc, err = p.finish()
                self.assertEqual(rc, 1, err)
                self.assertIn("temporary", err)
                self.assertLess(time.monotonic() - start, 15)
                self.assertNotIn(dovecot.Dovecot.password, err)

    def test_server_without_idle_is_final(self):
        d = self.server()
        d.stop()
        d.imap_capability = "IMAP4rev1 LITERAL+ UIDPLUS MOVE"
        d._setup()
        d.start()
        p = Probe(d, 5, tmp=self.tmp)
        self.addCleanup(p.kill)
        rc, err = p.finish()
        self.assertEqual(rc, 2, err)
        self.assertIn("IDLE", err)


if __name__ == "__main__":
    unittest.main()
