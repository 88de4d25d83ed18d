#!/usr/bin/python3
"""Integration tests of bot/smtp.c against a real SMTP server.

Each test starts tests/lib/smtpsink.py (aiosmtpd) on a free 127.0.0.1 port
and sends through tests/tools/smtp-probe, a thin command-line wrapper round
smtp_send(), so what is tested is the code the daemon runs.  TLS uses the
throw-away CA and certificates of tests/lib/certs.py (openssl command).

Run with: /usr/bin/python3 -m unittest -v tests/integration/test_smtp.py
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

from certs import make_certs  # noqa: E402
from smtpsink import SmtpSink  # noqa: E402

PROBE = os.path.join(ROOT, "tests", "tools", "smtp-probe")
FROM = "Escbot <escbot@partnership.example.org>"
FROM_ADDR = "escbot@partnership.example.org"

MESSAGE = (
    "From: Escbot <escbot@partnership.example.org>\r\n"
    "To: practitioner@agency.example.gov.uk\r\n"
    "Subject: [TWSP-2026-0007] Acknowledgement\r\n"
    "Message-ID: <test.1@partnership.example.org>\r\n"
    "Auto-Submitted: auto-generated\r\n"
    "\r\n"
    "Your form was received.\r\n"
)


def setUpModule():
    if not os.access(PROBE, os.X_OK):
        subprocess.run(["make", "-s", "-C", ROOT, "tests/tools/smtp-probe"],
                       check=True, stdout=subprocess.DEVNULL)


# ------------------------------------------------------------------ tests

class SmtpTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.certdir = tempfile.mkdtemp(prefix="escbot-smtp-certs-")
        cls.certs = make_certs(cls.certdir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certdir, ignore_errors=True)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="escbot-smtp-")
        self.sinks = []

    def tearDown(self):
        for s in self.sinks:
            s.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sink(self, **kw):
        s = SmtpSink(self.tmp, **kw)
        self.sinks.append(s)
        return s.start()

    def probe(self, url, rcpt, message=MESSAGE, user="-", password=None,
              ca="-", starttls=0, mail_from=FROM, timeout=10):
        msgfile = os.path.join(self.tmp, "message.eml")
        with open(msgfile, "wb") as f:
            f.write(message.encode() if isinstance(message, str) else message)
        passfile = "-"
        if password is not None:
            passfile = os.path.join(self.tmp, "password")
            with open(passfile, "w") as f:
                f.write(password + "\n")
        p = subprocess.run(
            [PROBE, url, user, passfile, ca, str(starttls), mail_from,
             rcpt, msgfile, str(timeout)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True, timeout=timeout + 20)
        return p.returncode, p.stdout

    def assertSent(self, result):
        self.assertEqual(result[0], 0, result[1])

    def assertTempfail(self, result):
        self.assertEqual(result[0], 1, result[1])

    def assertPermfail(self, result):
        self.assertEqual(result[0], 2, result[1])

    def assertReach(self, result, reach):
        # How far the failure reaches (bot/fail.h), as smtp-probe names it.
        self.assertIn("fail (%s): " % reach, result[1])

    # -- plain

    def test_plain_send_has_the_right_envelope(self):
        s = self.sink()
        r = self.probe(s.url, "practitioner@agency.example.gov.uk")
        self.assertSent(r)
        self.assertIn("250", r[1])
        msgs = s.wait_for(1)
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m.mail_from, FROM_ADDR)
        self.assertEqual(m.rcpt_tos, ["practitioner@agency.example.gov.uk"])
        self.assertEqual(m["Subject"], "[TWSP-2026-0007] Acknowledgement")
        self.assertEqual(m["Auto-Submitted"], "auto-generated")
        self.assertFalse(m.tls)
        self.assertEqual(m.raw, MESSAGE.encode())

    def test_recipient_in_angle_brackets_or_with_name(self):
        s = self.sink()
        self.assertSent(self.probe(s.url, "<a@example.org>"))
        self.assertSent(self.probe(s.url, "A Person <b@example.org>"))
        self.assertEqual([m.rcpt_tos for m in s.wait_for(2)],
                         [["a@example.org"], ["b@example.org"]])

    def test_address_with_line_break_is_refused_before_sending(self):
        s = self.sink()
        r = self.probe(s.url, "a@example.org\r\nRCPT TO:<evil@example.org>")
        self.assertPermfail(r)
        self.assertEqual(s.messages(), [])

    def test_bare_lf_message_arrives_intact_with_crlf(self):
        s = self.sink()
        body = ("From: escbot@partnership.example.org\n"
                "To: lead@agency.example.gov.uk\n"
                "Subject: line ends\n"
                "\n"
                "first line\n"
                ".a line starting with a dot\n"
                ".\n"
                "From the start of a line\n"
                "mixed ending\r\n"
                "last line without newline")
        self.assertSent(self.probe(s.url, "lead@agency.example.gov.uk",
                                   message=body))
        m = s.wait_for(1)[0]
        raw = m.raw
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""),
                         "bare LF on the wire")
        self.assertNotIn(b"\r", raw.replace(b"\r\n", b""),
                         "bare CR on the wire")
        expect = body.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
        self.assertEqual(raw.decode(), expect)
        self.assertEqual(m["Subject"], "line ends")
        self.assertIn(".a line starting with a dot",
                      m.get_content().splitlines())

    # -- AUTH

    def test_auth_with_right_password(self):
        s = self.sink(auth="escbot:s3cret pass")
        r = self.probe(s.url, "x@example.org", user="escbot",
                       password="s3cret pass")
        self.assertSent(r)
        self.assertEqual(s.wait_for(1)[0].auth_user, "escbot")

    def test_auth_with_wrong_password_is_tempfail_and_not_echoed(self):
        s = self.sink(auth="escbot:s3cret")
        r = self.probe(s.url, "x@example.org", user="escbot",
                       password="wrong-Pa55word")
        self.assertTempfail(r)
        self.assertReach(r, "auth")
        self.assertIn("login", r[1].lower())
        self.assertNotIn("wrong-Pa55word", r[1])
        self.assertEqual(s.messages(), [])

    def test_server_wanting_auth_without_user_is_tempfail(self):
        s = self.sink(auth="escbot:s3cret")
        r = self.probe(s.url, "x@example.org")
        self.assertTempfail(r)
        self.assertIn("530", r[1])
        self.assertReach(r, "server")

    # -- TLS

    def test_starttls_with_ca_file(self):
        c = self.certs
        s = self.sink(tls="starttls", cert=c.server_cert, key=c.server_key,
                      auth="escbot:s3cret")
        r = self.probe(s.url, "x@example.org", ca=c.ca, starttls=1,
                       user="escbot", password="s3cret")
        self.assertSent(r)
        m = s.wait_for(1)[0]
        self.assertTrue(m.tls)
        self.assertEqual(m.auth_user, "escbot")

    def test_implicit_tls_with_ca_file(self):
        c = self.certs
        s = self.sink(tls="implicit", cert=c.server_cert, key=c.server_key)
        self.assertTrue(s.url.startswith("smtps://"))
        self.assertSent(self.probe(s.url, "x@example.org", ca=c.ca))
        self.assertTrue(s.wait_for(1)[0].tls)

    def test_self_signed_certificate_refused_starttls(self):
        c = self.certs
        s = self.sink(tls="starttls", cert=c.selfsigned_cert, key=c.selfsigned_key)
        r = self.probe(s.url, "x@example.org", ca=c.ca, starttls=1)
        self.assertTempfail(r)
        self.assertReach(r, "server")
        self.assertIn("certificate", r[1].lower())
        self.assertIn("administrator", r[1].lower())
        self.assertEqual(s.messages(), [])

    def test_self_signed_certificate_refused_implicit(self):
        c = self.certs
        s = self.sink(tls="implicit", cert=c.selfsigned_cert, key=c.selfsigned_key)
        r = self.probe(s.url, "x@example.org", ca=c.ca)
        self.assertTempfail(r)
        self.assertIn("certificate", r[1].lower())
        self.assertEqual(s.messages(), [])

    def test_ca_signed_certificate_refused_without_ca_file(self):
        c = self.certs
        s = self.sink(tls="implicit", cert=c.server_cert, key=c.server_key)
        r = self.probe(s.url, "x@example.org")
        self.assertTempfail(r)
        self.assertIn("certificate", r[1].lower())
        self.assertEqual(s.messages(), [])

    def test_certificate_for_another_host_refused(self):
        c = self.certs
        s = self.sink(tls="implicit", cert=c.wrongname_cert,
                      key=c.wrongname_key)
        r = self.probe(s.url, "x@example.org", ca=c.ca)
        self.assertTempfail(r)
        self.assertIn("certificate", r[1].lower())
        self.assertEqual(s.messages(), [])

    def test_starttls_required_but_not_offered(self):
        s = self.sink()
        r = self.probe(s.url, "x@example.org", starttls=1)
        self.assertTempfail(r)
        self.assertIn("STARTTLS", r[1])
        self.assertEqual(s.messages(), [])

    # -- refusals

    def test_550_for_one_recipient_is_permfail_others_still_get_it(self):
        s = self.sink(reject={"gone@agency.example.gov.uk": 550})
        bad = self.probe(s.url, "gone@agency.example.gov.uk")
        self.assertPermfail(bad)
        self.assertIn("550", bad[1])
        self.assertReach(bad, "rcpt")
        good = self.probe(s.url, "lead@agency.example.gov.uk")
        self.assertSent(good)
        msgs = s.wait_for(1)
        self.assertEqual([m.rcpt_tos for m in msgs],
                         [["lead@agency.example.gov.uk"]])

    def test_451_is_tempfail(self):
        s = self.sink(reject={"busy@example.org": 451})
        r = self.probe(s.url, "busy@example.org")
        self.assertTempfail(r)
        self.assertIn("451", r[1])
        self.assertEqual(s.messages(), [])

    def test_5xx_after_the_data_is_permfail(self):
        s = self.sink(data_reply=554)
        r = self.probe(s.url, "x@example.org")
        self.assertPermfail(r)
        self.assertReach(r, "msg")
        self.assertIn("554", r[1])

    def test_5xx_at_mail_from_is_the_senders_not_for_good(self):
        # "Send-as denied": not this recipient's or message's fault.
        s = self.sink(mail_reply=550)
        r = self.probe(s.url, "x@example.org")
        self.assertTempfail(r)
        self.assertReach(r, "sender")
        self.assertIn("550", r[1])
        self.assertIn("smtp.from", r[1])
        self.assertEqual(s.messages(), [])

    def test_5xx_to_the_data_command_is_the_senders(self):
        s = self.sink(datacmd_reply=554)
        r = self.probe(s.url, "x@example.org")
        self.assertTempfail(r)
        self.assertReach(r, "sender")
        self.assertIn("554", r[1])

    def test_4xx_at_mail_from_is_tempfail(self):
        s = self.sink(mail_reply=451)
        r = self.probe(s.url, "x@example.org")
        self.assertTempfail(r)
        self.assertNotIn("fail (sender): ", r[1])

    def test_4xx_after_the_data_is_tempfail(self):
        s = self.sink(data_reply=452)
        r = self.probe(s.url, "x@example.org")
        self.assertTempfail(r)
        self.assertIn("452", r[1])

    def test_tempfail_all_then_recovery(self):
        s = self.sink(tempfail_all=True)
        self.assertTempfail(self.probe(s.url, "x@example.org"))
        s.restart(tempfail_all=False)
        self.assertSent(self.probe(s.url, "x@example.org"))
        self.assertEqual(len(s.wait_for(1)), 1)

    # -- the server is not there

    def test_stopped_sink_is_tempfail(self):
        s = self.sink()
        s.stop()
        r = self.probe(s.url, "x@example.org")
        self.assertTempfail(r)
        self.assertIn("unreachable", r[1])
        self.assertReach(r, "server")
        s.start()
        self.assertSent(self.probe(s.url, "x@example.org"))

    def test_killed_sink_is_tempfail(self):
        s = self.sink()
        s.kill()
        self.assertTempfail(self.probe(s.url, "x@example.org"))

    def test_silent_server_times_out_as_tempfail(self):
        # Accepts the TCP connection (backlog) but never greets.
        with socket.socket() as ls:
            ls.bind(("127.0.0.1", 0))
            ls.listen(4)
            url = "smtp://127.0.0.1:%d" % ls.getsockname()[1]
            r = self.probe(url, "x@example.org", timeout=2)
        self.assertTempfail(r)
        self.assertIn("timed out", r[1].lower())

    def test_unknown_host_is_tempfail(self):
        r = self.probe("smtp://escbot-no-such-host.invalid:25",
                       "x@example.org", timeout=5)
        self.assertTempfail(r)

    def test_bad_url_scheme_is_tempfail(self):
        r = self.probe("http://127.0.0.1:1/", "x@example.org")
        self.assertTempfail(r)
        self.assertIn("smtp.url", r[1])


if __name__ == "__main__":
    unittest.main()
