"""The board's reports as a board member sees them.  A year of TWSP and
WSAB cases is built through time (tests/lib/report_year.py); each kind of
report (weekly, quarterly, half-yearly, the year so far) is written with
`digest --preview --html FILE`, opened in headless Chromium and its
screenshot read back (zlib and struct only): a picture, not blank, with
the trend's bars in their colours.  The HTML is checked to keep to what
Outlook's Word engine draws (no flex, grid or positioned CSS, no SVG, no
image without alt, every table with its width).  The month-by-month
trend's figures are worked out here from the record (`cases --json`,
`case REF --json`), independently of escbot's SQL.  And over the year
the daemon sent each partnership its reports on its own cadence (the
protocol's report_periods, else digest.periods), to its board roles."""
import datetime as dt
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv   # noqa: E402
import report_render as R          # noqa: E402
import report_year as Y            # noqa: E402

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]
BARS = {"Opened": "#2e75b6", "Escalated": "#c55a11", "Resolved": "#548235"}
# (protocol, digest arguments, the trend's last month, to the day when
# the period ends within it)
REPORTS = [
    ("wsab", ["--period", "week"], (2026, 12), 13),
    ("wsab", ["--period", "quarter"], (2026, 9), None),
    ("twsp", ["--period", "half-year"], (2026, 9), None),
    ("wsab", ["--period", "year", "--current"], (2026, 12), 14),
]


def month_of(iso):
    """(year, month) of an ISO time escbot printed with London's offset:
    the London month."""
    return int(iso[:4]), int(iso[5:7])


def when(iso):
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def month_index(ym):
    return ym[0] * 12 + ym[1] - 1


@unittest.skipUnless(os.access(R.CHROMIUM, os.X_OK),
                     "no %s (tests/install-deps installs it)" % R.CHROMIUM)
class ReportRendering(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="escbot-render-")
        cls.env = EscbotEnv(cls.tmp.name).start()
        try:
            Y.build(cls.env)
            cls.cases = cls.env.cases(all=True, now=Y.NOW)
            cls.events = {c["ref"]: cls.env.case(c["ref"], now=Y.NOW)
                          ["events"] for c in cls.cases}
            cls.sent = [(m["Subject"], sorted(r.lower() for r in
                                              m.rcpt_tos))
                        for m in cls.env.sink.messages()
                        if "safeguarding escalations" in m["Subject"]]
            cls.html, cls.text = {}, {}
            for i, (proto, args, _, _) in enumerate(REPORTS):
                path = os.path.join(cls.tmp.name, "report-%d.html" % i)
                p = cls.env.run("digest", "--preview", "--protocol", proto,
                                *args, "--html", path, now=Y.NOW)
                cls.text[i] = p.stdout
                with open(path, encoding="utf-8") as f:
                    cls.html[i] = f.read()
        except BaseException:
            cls.env.stop()
            cls.tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        cls.tmp.cleanup()

    # -- the trend, worked out from the record

    def expected_trend(self, proto, last, to_day):
        """{month index: [opened, escalated, resolved, in time]} for the
        twelve months to `last` (to_day: up to that day of it)."""
        hi = month_index(last)
        want = {m: [0, 0, 0, 0] for m in range(hi - 11, hi + 1)}

        def put(iso, k):
            m = month_index(month_of(iso))
            if m in want and (to_day is None or m < hi or
                              int(iso[8:10]) <= to_day):
                want[m][k] += 1
                return True
            return False

        for c in self.cases:
            if c["protocol"] != proto:
                continue
            put(c["opened_at"], 0)
            for e in self.events[c["ref"]]:
                if e["kind"] == "escalated":
                    put(e["at"], 1)
            if c["status"] == "resolved" and put(c["resolved_at"], 2):
                if (c["resolved_at"] != c["opened_at"] and
                        when(c["resolved_at"]) <= when(c["due_at"])):
                    want[month_index(month_of(c["resolved_at"]))][3] += 1
        return want

    def trend_rows(self, text):
        m = re.search(r"(?m)^Month by month: the last twelve months\n"
                      r"((?:  .*\n|\n)*?)  In the twelve months", text)
        self.assertIsNotNone(m, text)
        rows = re.findall(r"(?m)^  ([A-Z][a-z]{2}) (\d{4})(?: \(to (\d+) "
                          r"[A-Z][a-z]{2}\))?\s+(\d+)\s+(\d+)\s+(\d+)\s+"
                          r"(\d+)$", m.group(1))
        return rows

    def test_trend_figures(self):
        for i, (proto, args, last, to_day) in enumerate(REPORTS):
            rows = self.trend_rows(self.text[i])
            self.assertEqual(len(rows), 12, (proto, args))
            want = self.expected_trend(proto, last, to_day)
            got = {}
            for mon, year, upto, *v in rows:
                ym = (int(year), MONTHS.index(mon) + 1)
                got[month_index(ym)] = [int(x) for x in v]
                # The last month says how far it goes when the period
                # ends within it.
                self.assertEqual(upto, str(to_day) if to_day and
                                 ym == last else "", (proto, mon, year))
            self.assertEqual(got, want, (proto, args))
        # The year really has something in each column.
        tot = [sum(v[k] for v in self.expected_trend("twsp", (2026, 12),
                                                     13).values())
               for k in range(4)]
        self.assertTrue(all(tot), tot)

    def test_trend_in_words_and_labels(self):
        for i, (proto, args, _, _) in enumerate(REPORTS):
            html, text = self.html[i], self.text[i]
            self.assertIn("Month by month: the last twelve months", html)
            self.assertIn("Cases opened, escalated (moved up a level) and "
                          "resolved in each calendar month", html)
            # The numbers beside the bars and a sentence saying them.
            rows = self.trend_rows(text)
            tot = [sum(int(r[3 + k]) for r in rows) for k in range(4)]
            sentence = ("In the twelve months: %d opened, %d escalated, %d "
                        "resolved (%d in time)" % tuple(tot))
            self.assertIn(sentence, text)
            self.assertIn(sentence, html)
            for mon, year, *_ in rows:
                self.assertIn(">%s %s" % (mon, year), html)
            # Each month's bars: cells with a colour and a width.
            for what, colour in BARS.items():
                self.assertIn("&#9632;</font> %s</th>" % what, html)
                self.assertRegex(html, r'<td width="\d+" height="12" '
                                 r'bgcolor="%s"' % colour)

    def test_each_partnership_on_its_own_cadence(self):
        """Over the year the daemon sent each protocol's reports by
        itself: TWSP (report_periods = half-year, 004 stage 7) its
        half-yearly reviews only, to its partnership manager; WSAB (no
        report_periods) what digest.periods says by default."""
        def kinds(name):
            return {subj.split(":")[0] for subj, _ in self.sent
                    if name in subj}
        twsp = [(subj, to) for subj, to in self.sent
                if "TWSP Resolution and Escalation" in subj]
        self.assertEqual(sorted(subj.split(", ")[-1] for subj, _ in twsp),
                         ["H1 2026/27 (April to September 2026)",
                          "H2 2025/26 (October 2025 to March 2026)"])
        for subj, to in twsp:
            self.assertTrue(subj.startswith("Half-yearly review: "), subj)
            self.assertEqual(to, ["twsp.manager@telford.example.gov.uk"])
        self.assertEqual(kinds("WSAB Resolution Protocol"),
                         {"Weekly digest", "Quarterly report",
                          "Half-yearly review"})
        # WSAB's to its own board roles (service_manager, board_inbox;
        # one recipient a send), never to the other partnership's people.
        wsab_to = {r for subj, to in self.sent
                   if "WSAB Resolution Protocol" in subj for r in to}
        self.assertEqual(wsab_to, {"board@wigan.example.gov.uk",
                                   "wsab.service@wigan.example.gov.uk"})
        self.assertEqual(len(self.sent), len(twsp) + sum(
            1 for subj, _ in self.sent if "WSAB Resolution Protocol" in subj))

    def test_outlook_safe(self):
        for i, (proto, args, _, _) in enumerate(REPORTS):
            self.assertEqual(R.outlook_problems(self.html[i]), [],
                             (proto, args))
        # The check itself finds what it is for.
        self.assertEqual(len(R.outlook_problems(
            '<style>.a{display:flex}</style><svg></svg><img src="x.png">'
            '<table><tr><td style="position:absolute">x</td></tr></table>')),
            5)

    def test_screenshots(self):
        for i, (proto, args, _, _) in enumerate(REPORTS):
            png = os.path.join(self.tmp.name, "report-%d.png" % i)
            R.screenshot(os.path.join(self.tmp.name, "report-%d.html" % i),
                         png, 1200)
            w, h, rows = R.read_png(png)
            self.assertEqual((w, h), (R.WIDTH, 1200))
            seen = R.colours(rows)
            self.assertGreater(len(seen), 8, (proto, args))   # not blank
            self.assertIn((255, 255, 255), seen)
            # The summary and the trend are on the first screen: its bars
            # are drawn, in their colours.
            for what, colour in BARS.items():
                self.assertIn(R.hex_rgb(colour), seen, (proto, args, what))


if __name__ == "__main__":
    unittest.main()
