"""Who may act and how escbot talks to its servers: DMARC/SPF failures
reported by the mailbox's own server are refused without a reply (and
Authentication-Results from anyone else are not trusted); TLS to IMAP and
SMTP works with the partnership's CA and is refused with a self-signed
certificate; secrets and form contents stay out of the logs.  escbot's
Message-IDs are keyed by a secret beside the database, no form answer can
end a MIME part of escbot's emails, and names, dates of birth, NHS
numbers, postcodes and phone numbers in file names and free text reach
neither the log, the record of processed messages nor the board's
reports."""
import base64
import os
import shutil
import sqlite3
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from certs import make_certs                     # noqa: E402
from dovecot import Dovecot                      # noqa: E402
from escbot_env import REPO, EscbotEnv, make_message   # noqa: E402
from smtpsink import SmtpSink                    # noqa: E402
import forms_fixtures as F                       # noqa: E402

NOW = "2026-11-23T10:00:00Z"


class Authentication(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-sec-")
        self.env = EscbotEnv(self.tmp.name,
                             extra_config='authserv_id = "mx.wigan.example.gov.uk";')
        self.env.start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def test_dmarc_fail_from_our_server_is_refused_silently(self):
        env = self.env
        env.deliver(make_message(
            "casey@telford.example.gov.uk", "Referral", F.TWSP_INLINE,
            headers={"Authentication-Results":
                     "mx.wigan.example.gov.uk; spf=pass; dmarc=fail "
                     "header.from=telford.example.gov.uk"}))
        # The same verdict claimed by a stranger's server is not trusted.
        env.deliver(make_message(
            "robin.worker@wigan.example.gov.uk", "Proforma", F.WSAB_LINES,
            headers={"Authentication-Results":
                     "evil.example.com; dmarc=fail"}))
        env.run("run", "--once", now=NOW)
        cases = env.cases()
        self.assertEqual([c["protocol"] for c in cases], ["wsab"])
        self.assertEqual(env.sink.messages(rcpt="casey@telford.example.gov.uk"), [])
        self.assertEqual(len(env.dovecot.list("Rejected")), 1)


class Tls(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-tls-")
        self.certs = make_certs(os.path.join(self.tmp.name))

    def tearDown(self):
        self.tmp.cleanup()

    def env_with(self, cert, key, ca_file):
        env = EscbotEnv(self.tmp.name)
        env.dovecot = Dovecot(os.path.join(self.tmp.name, "imap-" + os.path.basename(cert)),
                              tls="implicit", cert=cert, key=key)
        env.sink = SmtpSink(os.path.join(self.tmp.name), tls="starttls",
                            cert=cert, key=key)
        os.makedirs(env.dovecot.dir, exist_ok=True)
        env.start()
        with open(env.config) as f:
            conf = f.read()
        conf = conf.replace('tls = "none";', 'tls = "implicit"; ca_file = "%s";'
                            % ca_file)
        conf = conf.replace("starttls = false;", 'starttls = true; ca_file = "%s";'
                            % ca_file)
        conf = conf.replace('host = "127.0.0.1"', 'host = "localhost"')
        conf = conf.replace("smtp://127.0.0.1", "smtp://localhost")
        with open(env.config, "w") as f:
            f.write(conf)
        return env

    def test_partnership_ca_works(self):
        c = self.certs
        env = self.env_with(c.server_cert, c.server_key, c.ca)
        try:
            env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                     F.TWSP_INLINE))
            env.run("run", "--once", now=NOW)
            self.assertEqual(len(env.cases()), 1)
            for m in env.sink.wait_for(1):
                self.assertTrue(m.tls)
        finally:
            env.stop()

    def test_self_signed_is_refused(self):
        c = self.certs
        env = self.env_with(c.selfsigned_cert, c.selfsigned_key, c.ca)
        try:
            env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                     F.TWSP_INLINE))
            p = env.run("run", "--once", now=NOW, check=False)
            self.assertEqual(p.returncode, 3)
            self.assertIn("certificate", p.stderr.lower())
            self.assertEqual(env.cases(), [])
            self.assertEqual(len(env.dovecot.uids("INBOX")), 1)  # untouched
            self.assertNotIn(env.dovecot.password, p.stderr)
        finally:
            env.stop()


if __name__ == "__main__":
    unittest.main()


WSAB_FROM = "robin.worker@wigan.example.gov.uk"


def ack_of(env, addr):
    got = env.sink.wait_for(1) and env.sink.messages(rcpt=addr)
    if not got:
        raise AssertionError("no email to %s" % addr)
    return got[0]


class MessageIdKey(unittest.TestCase):
    """Two installations answering the same form at the same time write
    the same case token, and different Message-IDs."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-key-")

    def tearDown(self):
        self.tmp.cleanup()

    def install(self, name):
        os.mkdir(os.path.join(self.tmp.name, name))
        env = EscbotEnv(os.path.join(self.tmp.name, name)).start()
        self.addCleanup(env.stop)
        env.deliver(make_message(WSAB_FROM, "Proforma", F.WSAB_LINES))
        env.run("run", "--once", now=NOW)
        return env

    def test_key_file_and_different_ids(self):
        a, b = self.install("a"), self.install("b")
        for env in (a, b):
            st = os.stat(env.db + ".key")
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
            self.assertEqual(st.st_size, 32)
        self.assertNotEqual(open(a.db + ".key", "rb").read(),
                            open(b.db + ".key", "rb").read())
        ma, mb = ack_of(a, WSAB_FROM), ack_of(b, WSAB_FROM)
        self.assertEqual(ma["Subject"], mb["Subject"])     # the same case
        ida, idb = ma["Message-ID"], mb["Message-ID"]
        self.assertRegex(ida, r"^<escbot\.[0-9a-f]{32}@")
        self.assertRegex(idb, r"^<escbot\.[0-9a-f]{32}@")
        self.assertNotEqual(ida, idb)
        # A key others can read is refused, like the database.
        os.chmod(a.db + ".key", 0o640)
        p = a.run("cases", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("open to group or others", p.stderr)


# Personal data a sender or a form puts where escbot reports or logs.
NAME, DOB, NHS = "Jamie Testperson", "03/04/2011", "999 000 0018"
POSTCODE, PHONE = "WN1 1AA", "01942 123456"
WORD_NAME = "Escalation - Alex Example DOB 14-03-2016 NHS 9990000018.docx"
LEAKS = ["Jamie", "Testperson", DOB, NHS, "9990000018", POSTCODE, PHONE,
         "Alex Example", "14-03-2016", "Escalation - Alex"]
INJECTED = ("--\n--escbot-alt-boundary-7d1f0c\n"
            "\r\n--boundary--\r\nContent-Type: text/html\r\n\r\n"
            "<b>injected</b>\n--")

RESOLVED = """\
WSAB Pro-forma for reporting where issues have been resolved

Unique Identifier from your services records: ASC-000123
Brief details of issue: information sharing
At what level of the protocol was the issue resolved? Level 2
Does this case give rise to any lessons learned? (Please circle) Yes
If yes, please detail: Jamie Testperson (DOB %s, NHS %s) of %s, on %s: \
GMP now share welfare checks. %s
A requirement for staff training? No
Review of WSAB Protocol or procedure? No
Inform Commissioner of the Service? No
Name: Robin Worker
""" % (DOB, NHS, POSTCODE, PHONE, INJECTED)


def word_message(msgid):
    data = base64.encodebytes(b"this is no zip file").decode()
    return ("From: casey@telford.example.gov.uk\r\nTo: box@x\r\n"
            "Subject: Referral\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nForm attached.\r\n"
            "--b\r\nContent-Type: application/vnd.openxmlformats-"
            "officedocument.wordprocessingml.document\r\n"
            "Content-Disposition: attachment; filename=\"%s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s--b--\r\n"
            % (msgid, WORD_NAME, data.replace("\n", "\r\n")))


class NoLeaks(unittest.TestCase):
    """A Word file named after a child, and lessons learned naming the
    case's adult with a DOB, NHS number, postcode and phone number."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="escbot-leak-")
        env = cls.env = EscbotEnv(cls.tmp.name).start()
        # An HTML acknowledgement too, so that the acknowledgement is a
        # multipart/alternative an answer could try to break out of.
        tdir = os.path.join(cls.tmp.name, "templates")
        shutil.copytree(os.path.join(REPO, "mail-templates"), tdir)
        with open(os.path.join(tdir, "ack.html"), "w") as f:
            f.write("<p>Case {{ref}}</p><pre>{{fields}}</pre>\n")
        with open(env.config) as f:
            conf = f.read().replace(os.path.join(REPO, "mail-templates"),
                                    tdir)
        with open(env.config, "w") as f:
            f.write(conf)
        # The acknowledgement lists answers one a line: an answer that
        # fills the first line of the quoted-printable text puts its end
        # at the start of the next line, where the old fixed boundary
        # ended the text part.
        prefix = "- Analysis of concerns identified: "
        wsab = F.WSAB_LINES.replace(
            "GMP have not shared the outcome of the welfare check with "
            "Adult Social Care.",
            "G" * (72 - len(prefix)) + "--escbot-alt-boundary-7d1f0c").replace(
            "Jamie may be financially abused by a relative.",
            "Financial abuse.\n" + INJECTED)
        env.deliver(make_message(WSAB_FROM, "Proforma", wsab))
        env.deliver(word_message("word-1@telford.example.gov.uk"))
        cls.stderr = env.run("run", "--once", now=NOW).stderr
        cls.ack = ack_of(env, WSAB_FROM)
        env.deliver(make_message(
            WSAB_FROM, "Re: " + str(cls.ack["Subject"]), RESOLVED,
            headers={"In-Reply-To": cls.ack["Message-ID"]}))
        cls.stderr += env.run("run", "--once",
                              now="2026-11-25T10:00:00Z").stderr
        cls.stderr += env.run("digest", "--period", "week",
                              now="2026-11-30T10:00:00Z").stderr
        cls.digest = [m for m in env.sink.messages()
                      if "digest" in str(m["Subject"]).lower()]
        cls.html = os.path.join(cls.tmp.name, "d.html")
        cls.csv = os.path.join(cls.tmp.name, "d.csv")
        cls.text = env.run("digest", "--preview", "--period", "week",
                           "--html", cls.html, "--csv", cls.csv,
                           now="2026-11-30T10:00:00Z").stdout

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        cls.tmp.cleanup()

    def test_case_resolved_with_lessons(self):
        cases = self.env.cases(all=True)
        self.assertEqual([c["status"] for c in cases
                          if c["protocol"] == "wsab"], ["resolved"])
        self.assertIn("Lessons learned", self.text)
        self.assertIn("GMP now share welfare checks", self.text)

    def test_nothing_personal_in_log_record_or_reports(self):
        log = self.stderr
        self.assertIn("Word attachment refused", log)
        db = sqlite3.connect(self.env.db)
        reasons = "\n".join(r[0] or "" for r in
                            db.execute("SELECT reason FROM processed"))
        db.close()
        self.assertIn("Word attachment refused: not a Word .docx file",
                      reasons)
        with open(self.html, encoding="utf-8") as f:
            html = f.read()
        with open(self.csv, encoding="utf-8") as f:
            csv = f.read()
        # One report (to each of the protocol's board roles: one copy each).
        self.assertEqual(len({m["Message-ID"] for m in self.digest}), 1)
        sent = [p.get_content() for p in self.digest[0].walk()
                if not p.is_multipart()]
        for where, text in [("log", log), ("processed", reasons),
                            ("text", self.text), ("html", html),
                            ("csv", csv)] + [("sent", t) for t in sent]:
            for leak in LEAKS:
                self.assertNotIn(leak, text, where)
        self.assertIn("[removed] (DOB [removed], NHS [removed]) of "
                      "[removed], on [removed]", self.text)
        self.assertIn("[removed]", html)

    def test_the_sender_is_still_told_which_file(self):
        got = self.env.sink.messages(rcpt="casey@telford.example.gov.uk")
        self.assertEqual(len(got), 1)
        body = got[0].get_body(("plain",)).get_content()
        self.assertIn(WORD_NAME, body)
        self.assertIn("not a Word .docx file", body)

    def assert_parts(self, msg, types):
        leaves = [p for p in msg.walk() if not p.is_multipart()]
        self.assertEqual([p.get_content_type() for p in leaves], types)
        plain = leaves[0].get_content()
        self.assertIn("<b>injected</b>", plain)
        self.assertIn("--boundary--", plain)
        self.assertIn("Content-Type: text/html", plain)
        return leaves

    def test_no_answer_ends_a_mime_part(self):
        # The acknowledgement: the answer is among "What we recorded".
        leaves = self.assert_parts(self.ack, ["text/plain", "text/html"])
        self.assertNotIn("<b>injected</b>", leaves[1].get_content())
        # The digest: the lessons learned, in the text and the HTML part.
        leaves = self.assert_parts(self.digest[0],
                                   ["text/plain", "text/html", "text/csv"])
        self.assertIn("&lt;b&gt;injected&lt;/b&gt;", leaves[1].get_content())
        self.assertNotIn("<b>injected</b>", leaves[1].get_content())
