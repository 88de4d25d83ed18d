"""bot/imap.c against a real Dovecot, through tests/tools/imap-probe.

Run from the repository root:
    /usr/bin/python3 -m unittest tests/integration/test_imap.py
The probe is built with `make tests/tools/imap-probe` when missing
($IMAP_PROBE names another binary to use instead).
Exit codes checked: 0 success, 1 temporary failure, 2 final failure.
"""

import os
import shutil
import socket
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

# IMAP_PROBE=path runs another build (e.g. one with sanitizers).
PROBE = os.environ.get("IMAP_PROBE") or \
    os.path.join(ROOT, "tests", "tools", "imap-probe")

MSG = (b"From: Alice Example <alice@example.gov.uk>\r\n"
       b"To: box@example.org\r\n"
       b"Subject: test %d\r\n"
       b"Message-ID: <m%d@example.gov.uk>\r\n"
       b"\r\n"
       b"Body of message %d.\r\n")


def msg(i):
    return MSG % (i, i, i)


def setUpModule():
    if not os.access(PROBE, os.X_OK):
        subprocess.run(["make", "-C", ROOT, "tests/tools/imap-probe"],
                       check=True, stdout=subprocess.DEVNULL)
    global TMP, CERTS
    TMP = tempfile.mkdtemp(prefix="escbot-imap-")
    CERTS = certs.make_certs(os.path.join(TMP, "certs"))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class ProbeMixin:
    def probe(self, server, *args, tls=None, ca=None, host="127.0.0.1",
              user=None, password=None, port=None, folder="INBOX",
              timeout=10):
        pwfile = os.path.join(self.tmp, "password")
        with open(pwfile, "w") as f:
            f.write((password if password is not None
                     else dovecot.Dovecot.password) + "\n")
        os.chmod(pwfile, 0o600)
        if tls is None:
            tls = (server.tls if server is not None else None) or "none"
        cmd = [PROBE, host, str(port or server.port), tls,
               user or dovecot.Dovecot.user, pwfile,
               ca if ca is not None else CERTS.ca, folder] + \
            [str(a) for a in args]
        env = dict(os.environ, IMAP_PROBE_TIMEOUT=str(timeout))
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=60)
        return r.returncode, r.stdout, r.stderr.decode(errors="replace")

    def uids_of(self, out):
        lines = out.decode().split()
        self.assertEqual(lines[0], "uidvalidity")
        return [int(x) for x in lines[2:]]

    def make_server(self, tls=None, cert="server", **kw):
        d = dovecot.Dovecot(tempfile.mkdtemp(dir=self.tmp), tls=tls,
                            cert=getattr(CERTS, cert + "_cert"),
                            key=getattr(CERTS, cert + "_key"), **kw)
        d.start()
        self.addCleanup(d.stop)
        return d


class TestPlain(ProbeMixin, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=TMP)
        self.d = self.make_server(None)
        for i in (1, 2, 3):
            self.d.append("INBOX", msg(i))

    def test_list_fetch_move(self):
        rc, out, err = self.probe(self.d, "list")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.uids_of(out), [1, 2, 3])

        rc, out, err = self.probe(self.d, "fetch", 2)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, msg(2))

        self.assertNotIn("Processed", self.d.folders())
        rc, out, err = self.probe(self.d, "move", 2, "Processed")
        self.assertEqual(rc, 0, err)
        self.assertIn("Processed", self.d.folders())
        self.assertEqual(self.d.list("Processed"), [msg(2)])
        self.assertEqual(self.d.list("INBOX"), [msg(1), msg(3)])

        # Moving again: the message is already gone, which counts as done.
        rc, out, err = self.probe(self.d, "move", 2, "Processed")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.d.list("Processed"), [msg(2)])

        # An existing target folder is reused.
        rc, out, err = self.probe(self.d, "move", 3, "Processed")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.d.list("Processed"), [msg(2), msg(3)])
        self.assertEqual(self.d.list("INBOX"), [msg(1)])

    def test_list_min_uid(self):
        rc, out, err = self.probe(self.d, "list", 2)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.uids_of(out), [2, 3])
        # "4:*" matches the last message on the server: filtered out.
        rc, out, err = self.probe(self.d, "list", 4)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.uids_of(out), [])

    def test_fetch_many_in_one_batch_up_to_a_byte_limit(self):
        for i in (4, 5):
            self.d.append("INBOX", msg(i))
        size = len(msg(1))
        self.assertTrue(all(len(msg(i)) == size for i in range(1, 6)))
        # Everything fits: all five, in UID order.
        rc, out, err = self.probe(self.d, "fetch-many", 10 * size,
                                  1, 2, 3, 4, 5)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.decode().split("\n")[:-1],
                         ["%d %d" % (u, size) for u in (1, 2, 3, 4, 5)]
                         + ["got 5"])
        # A byte limit takes the longest run that fits...
        rc, out, err = self.probe(self.d, "fetch-many", 2 * size + 1,
                                  1, 2, 3, 4, 5)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.decode().split("\n")[:-1],
                         ["1 %d" % size, "2 %d" % size, "got 2"])
        # ...and always at least one message, however large.
        rc, out, err = self.probe(self.d, "fetch-many", 1, 3, 4, 5)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.decode().split("\n")[:-1],
                         ["3 %d" % size, "got 1"])
        # A message gone since it was listed is reported, not an error,
        # and the others still come.
        rc, out, err = self.probe(self.d, "move", 2, "Processed")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.probe(self.d, "fetch-many", 10 * size, 1, 2, 3)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.decode().split("\n")[:-1],
                         ["1 %d" % size, "2 gone", "3 %d" % size, "got 3"])

    def test_fetch_missing_uid(self):
        rc, out, err = self.probe(self.d, "fetch", 99)
        self.assertEqual(rc, 1, err)
        self.assertIn("UID 99", err)

    def test_append(self):
        path = os.path.join(self.tmp, "new.eml")
        with open(path, "wb") as f:
            f.write(msg(7))
        rc, out, err = self.probe(self.d, "append", path, "Rejected")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.d.list("Rejected"), [msg(7)])

    def test_wrong_password_is_final(self):
        rc, out, err = self.probe(self.d, "list", password="wrong")
        self.assertEqual(rc, 2, err)
        self.assertIn("LOGIN", err)
        self.assertNotIn("wrong", err)

    def test_password_never_printed(self):
        rc, out, err = self.probe(self.d, "list", user="nobody")
        self.assertEqual(rc, 2, err)
        self.assertNotIn(dovecot.Dovecot.password, err)

    def test_missing_folder_is_final(self):
        rc, out, err = self.probe(self.d, "list", folder="NoSuchFolder")
        self.assertEqual(rc, 2, err)
        self.assertIn("SELECT", err)

    def test_stopped_server_is_temporary(self):
        self.d.stop()
        rc, out, err = self.probe(self.d, "list")
        self.assertEqual(rc, 1, err)
        self.d.start()
        rc, out, err = self.probe(self.d, "list")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.uids_of(out), [1, 2, 3])


class TestWithoutMove(ProbeMixin, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=TMP)

    def test_copy_store_uid_expunge(self):
        d = self.make_server(None,
                             imap_capability="IMAP4rev1 LITERAL+ UIDPLUS")
        for i in (1, 2, 3):
            d.append("INBOX", msg(i))
        # Someone else's \Deleted message must survive our expunge.
        d.store("INBOX", 3, r"(\Deleted)")
        rc, out, err = self.probe(d, "move", 1, "Processed")
        self.assertEqual(rc, 0, err)
        self.assertEqual(d.list("Processed"), [msg(1)])
        self.assertEqual(d.uids("INBOX"), [2, 3])

    def test_without_uidplus_leaves_message_flagged(self):
        d = self.make_server(None, imap_capability="IMAP4rev1 LITERAL+")
        for i in (1, 2):
            d.append("INBOX", msg(i))
        rc, out, err = self.probe(d, "move", 1, "Processed")
        self.assertEqual(rc, 0, err)
        self.assertIn("no UIDPLUS", err)  # the warning: copy path taken
        self.assertEqual(d.list("Processed"), [msg(1)])
        # Not expunged (that could take others' messages), but no longer
        # listed.
        self.assertEqual(d.uids("INBOX"), [1, 2])
        rc, out, err = self.probe(d, "list")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.uids_of(out), [2])


class TestTLS(ProbeMixin, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=TMP)

    def roundtrip(self, tls, host="127.0.0.1"):
        d = self.make_server(tls)
        d.append("INBOX", msg(1))
        rc, out, err = self.probe(d, "list", host=host)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.uids_of(out), [1])
        rc, out, err = self.probe(d, "fetch", 1, host=host)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, msg(1))
        rc, out, err = self.probe(d, "move", 1, "Processed", host=host)
        self.assertEqual(rc, 0, err)
        self.assertEqual(d.list("Processed"), [msg(1)])
        self.assertEqual(d.list("INBOX"), [])
        return d

    def test_implicit_tls_with_ca_file(self):
        self.roundtrip("implicit")

    def test_starttls_with_ca_file(self):
        self.roundtrip("starttls")

    def test_implicit_tls_by_dns_name(self):
        self.roundtrip("implicit", host="localhost")

    def test_sni_is_sent(self):
        # Only a client that names "localhost" in SNI gets the good
        # certificate; everyone else gets the one for wrong.example.
        for tls in ("implicit", "starttls"):
            with self.subTest(tls=tls):
                d = self.make_server(tls, cert="wrongname", sni={
                    "localhost": (CERTS.server_cert, CERTS.server_key)})
                d.append("INBOX", msg(1))
                rc, out, err = self.probe(d, "list", host="localhost")
                self.assertEqual(rc, 0, err)
                self.assertEqual(self.uids_of(out), [1])
                # An IP address is not sent as SNI (RFC 6066).
                rc, out, err = self.probe(d, "list", host="127.0.0.1")
                self.assertEqual(rc, 2, err)
                d.stop()

    def test_self_signed_refused_implicit(self):
        d = self.make_server("implicit", cert="selfsigned")
        rc, out, err = self.probe(d, "list")
        self.assertEqual(rc, 2, err)
        self.assertIn("certificate", err)

    def test_self_signed_refused_starttls(self):
        d = self.make_server("starttls", cert="selfsigned")
        rc, out, err = self.probe(d, "list")
        self.assertEqual(rc, 2, err)
        self.assertIn("certificate", err)

    def test_unknown_ca_refused_with_system_trust(self):
        # No ca_file: the system store does not know the test CA.
        d = self.make_server("implicit")
        rc, out, err = self.probe(d, "list", ca="-")
        self.assertEqual(rc, 2, err)
        self.assertIn("certificate", err)

    def test_wrong_host_name_refused(self):
        for tls in ("implicit", "starttls"):
            with self.subTest(tls=tls):
                d = self.make_server(tls, cert="wrongname")
                rc, out, err = self.probe(d, "list")
                self.assertEqual(rc, 2, err)
                self.assertIn("name", err)
                d.stop()

    def test_no_login_sent_to_refused_server(self):
        d = self.make_server("starttls", cert="selfsigned")
        rc, out, err = self.probe(d, "list")
        self.assertEqual(rc, 2, err)
        log = d.read_log()
        self.assertNotIn("Login: user=<", log)
        self.assertNotIn("auth failed", log)

    def test_tls_to_plain_server_is_temporary(self):
        d = self.make_server(None)
        rc, out, err = self.probe(d, "list", tls="implicit", timeout=3)
        self.assertEqual(rc, 1, err)


class FakeServer:
    """A TCP server on 127.0.0.1 that sends `greeting` (or nothing) to
    each client and keeps the connection until told to stop."""

    def __init__(self, greeting):
        self.greeting = greeting
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.conns = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        deadline = time.monotonic() + 60
        while not self.stopping and time.monotonic() < deadline:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            self.conns.append(c)
            if self.greeting:
                c.sendall(self.greeting)

    def close(self):
        self.stopping = True
        self.thread.join()
        for c in self.conns:
            c.close()
        self.sock.close()


class TestFailures(ProbeMixin, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=TMP)

    def test_silent_server_times_out_temporary(self):
        srv = FakeServer(None)
        self.addCleanup(srv.close)
        t0 = time.monotonic()
        rc, out, err = self.probe(None, "list", port=srv.port, tls="none",
                                  timeout=2)
        self.assertEqual(rc, 1, err)
        self.assertLess(time.monotonic() - t0, 20)

    def test_silent_tls_server_times_out_temporary(self):
        srv = FakeServer(None)
        self.addCleanup(srv.close)
        rc, out, err = self.probe(None, "list", port=srv.port,
                                  tls="implicit", timeout=2)
        self.assertEqual(rc, 1, err)

    def test_bye_greeting_is_temporary(self):
        srv = FakeServer(b"* BYE too many connections\r\n")
        self.addCleanup(srv.close)
        rc, out, err = self.probe(None, "list", port=srv.port, tls="none",
                                  timeout=3)
        self.assertEqual(rc, 1, err)

    def test_refused_port_is_temporary(self):
        port = dovecot.free_port()
        rc, out, err = self.probe(None, "list", port=port, tls="none",
                                  timeout=3)
        self.assertEqual(rc, 1, err)
        self.assertIn("refused", err)

if __name__ == "__main__":
    unittest.main()
