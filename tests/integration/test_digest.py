"""The board's reports: figures checked against a record whose numbers are
known, no personal identifier in any part, one digest per period however
often the clock ticks, and the HTML rendered by headless Chromium."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

PERSONAL = ["Alex Example", "Morgan Placeholder", "Jamie Testperson",
            "1 Example Road", "2015-02-01", "01/02/2015", "2012-03-03",
            "1950-07-12", "12/07/1950", "9434765919", "943 476 5919",
            "Dr Rowan", "Example Street Surgery"]


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Digest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="escbot-digest-")
        env = cls.env = EscbotEnv(cls.tmp.name).start()
        env.deliver(make_message("casey.practitioner@telford.example.gov.uk",
                                 "Referral", F.TWSP_INLINE))
        env.deliver(make_message("robin.worker@wigan.example.gov.uk",
                                 "Proforma", F.WSAB_LINES))
        env.run("run", "--once", now="2026-11-23T10:00:00Z")
        env.deliver(make_message("dr.ash@sath.example.nhs.uk", "Referral",
                                 F.TWSP_LINES))
        env.deliver(make_message("pc.lane@westmercia.example.police.uk",
                                 "Referral", F.TWSP_MISSING))
        env.run("run", "--once", now="2026-11-24T10:00:00Z")
        refs = {c["protocol"] + ":" + c["raised_by"]: c["ref"]
                for c in env.cases(now="2026-11-24T10:00:00Z")}
        cls.a = refs["twsp:casey.practitioner@telford.example.gov.uk"]
        cls.b = refs["wsab:robin.worker@wigan.example.gov.uk"]
        cls.c = refs["twsp:dr.ash@sath.example.nhs.uk"]
        env.run("resolve", cls.b, "--level", "2", "--note", "shared",
                now="2026-11-25T11:00:00Z")
        env.run("pause", cls.c, "--reason", "awaiting strategy minutes",
                now="2026-11-26T11:00:00Z")
        env.run("tick", now="2026-11-27T09:10:00Z")    # A escalates

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        cls.tmp.cleanup()

    def preview(self, now="2026-11-30T10:00:00Z"):
        html = os.path.join(self.tmp.name, "digest.html")
        csv = os.path.join(self.tmp.name, "digest.csv")
        p = self.env.run("digest", "--preview", "--period", "week",
                         "--html", html, "--csv", csv, now=now)
        with open(html, encoding="utf-8") as f:
            h = f.read()
        with open(csv, encoding="utf-8") as f:
            c = f.read()
        return p.stdout, h, c

    def line(self, text, name):
        for ln in text.splitlines():
            if ln.strip().startswith(name):
                return ln
        self.fail("no line %r in:\n%s" % (name, text))

    def test_figures(self):
        text, html, csv = self.preview()
        self.assertIn("week of Monday 23 November 2026", text)
        self.assertRegex(self.line(text, "Open cases "), r"Open cases\s+2\b")
        self.assertRegex(self.line(text, "Paused"), r"Paused\s+1\b")
        self.assertRegex(self.line(text, "Overdue"), r"Overdue\s+0\b")
        self.assertRegex(self.line(text, "Opened in the period"),
                         r"Opened in the period\s+3\s+\+3 on the period before \(0\)")
        self.assertRegex(self.line(text, "Escalated in the period"), r"\s1\b")
        self.assertRegex(self.line(text, "Resolved in the period "), r"\s1\b")
        self.assertRegex(self.line(text, "wsab level 2"),
                         r"wsab level 2: Line manager to line manager\s+1$")
        self.assertRegex(text, r"%s: paused at stage 3: awaiting strategy minutes" % self.c)
        self.assertRegex(text, r"1\s+sent back: a twsp-referral form with "
                         r"answers missing or unreadable")
        self.assertNotIn("allowed_sender_domains", text)
        self.assertRegex(self.line(text, "twsp stage 4"), r"\s1$")
        self.assertIn("Telford & Wrekin Council", text)
        # Time to resolution of B: Monday to Wednesday, 2 working days.
        self.assertIn("median 2 working days, longest 2 working days "
                      "(1 case)", text)
        self.assertNotRegex(text, r"\d days")     # never unlabelled days
        rows = csv.strip().splitlines()
        self.assertEqual(len(rows), 4)     # header and A, B, C
        self.assertTrue(any(r.startswith('"%s"' % self.b) and '"Resolved"' in r
                            for r in rows))
        self.assertIn("<table", html)
        self.assertNotIn("<script", html.lower())
        self.assertNotIn("http://", html)
        self.assertNotIn("https://", html)

    def test_no_personal_identifiers_anywhere(self):
        text, html, csv = self.preview()
        self.env.run("digest", "--period", "week", now="2026-11-30T10:00:00Z")
        sent = [m for m in self.env.sink.messages() if "digest" in m["Subject"].lower()]
        self.assertTrue(sent)
        raw = b"".join(m.raw for m in sent).decode("utf-8", "replace")
        parts = [text, html, csv]
        for m in sent:
            for part in m.walk():
                if not part.is_multipart():
                    parts.append(part.get_content() if part.get_content_maintype()
                                 == "text" else part.get_payload(decode=True)
                                 .decode("utf-8", "replace"))
        for p in parts + [raw]:
            for ident in PERSONAL:
                self.assertNotIn(ident, p)

    def test_two_ticks_one_digest(self):
        env = self.env
        def weekly():
            # The sink keeps one copy per recipient: one per protocol
            # with cases whose cadence has a weekly report (WSAB, by
            # digest.periods; TWSP's is half-yearly, its report_periods)
            # to each of its board roles.
            return [m for m in env.sink.messages()
                    if m["Subject"].startswith("Weekly digest")
                    and "23 November" in m["Subject"]]
        before = len(weekly())
        env.run("tick", now="2026-11-30T09:30:00Z")
        env.run("tick", now="2026-11-30T11:30:00Z")
        env.run("run", "--once", now="2026-12-01T09:30:00Z")
        # A forced CLI send in another test may have added one already:
        # the ticks and the run add exactly one, never more.
        after = weekly()
        new = after[before:]
        self.assertEqual(sorted((m["Subject"].split(", ")[1], m.rcpt_tos[0])
                                for m in new),
                         [("WSAB Resolution Protocol",
                           "board@wigan.example.gov.uk"),
                          ("WSAB Resolution Protocol",
                           "wsab.service@wigan.example.gov.uk")])
        m = [m for m in new if "WSAB" in m["Subject"]][0]
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        kinds = [p.get_content_type() for p in m.walk()]
        self.assertIn("text/plain", kinds)
        self.assertIn("text/html", kinds)
        self.assertIn("text/csv", kinds)
        self.assertIn(m.rcpt_tos[0].lower(), ("board@wigan.example.gov.uk",
                                              "wsab.service@wigan.example.gov.uk"))

    @unittest.skipUnless(chromium(), "chromium is not installed")
    def test_html_renders_in_chromium(self):
        _, html, _ = self.preview()
        path = os.path.join(self.tmp.name, "digest.html")
        png = os.path.join(self.tmp.name, "digest.png")
        prof = os.path.join(self.tmp.name, "chromium-profile")
        p = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=" + prof,
             "--window-size=1000,1600", "--screenshot=" + png,
             "file://" + path], capture_output=True, timeout=120)
        self.assertTrue(os.path.exists(png), p.stderr.decode()[-2000:])
        with open(png, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"\x89PNG"))
        self.assertGreater(len(data), 20000)
        keep = os.environ.get("DIGEST_SCREENSHOT")
        if keep:
            shutil.copy(png, keep)


if __name__ == "__main__":
    unittest.main()
