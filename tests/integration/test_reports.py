"""The board's reports as a board uses them: each protocol's report goes
to its own board roles with only its own cases; working days, labelled;
financial-year periods, a chosen range and "this period so far"; reports
whose periods end together arrive on different days; --html and --csv are
always written; the CSV opens in Excel.  Expected figures are computed
here from `escbot cases --json` and the bank holiday file, not read back
from the report."""
import csv
import datetime as dt
import io
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
from workdays import working_days_between  # noqa: E402
import forms_fixtures as F                             # noqa: E402

HEADER = ["Case reference", "Protocol", "Form", "Stage", "Stage name",
          "Status", "Urgent", "Opened", "Due", "Resolved",
          "Resolved at level", "Working days open", "Working days overdue",
          "Raising agency", "Receiving agencies", "Themes"]
PROTOCOL_NAME = {"twsp": "TWSP Resolution and Escalation",
                 "wsab": "WSAB Resolution Protocol"}
BOARD = {"twsp": ["twsp.manager@telford.example.gov.uk"],
         "wsab": ["wsab.service@wigan.example.gov.uk",
                  "board@wigan.example.gov.uk"]}


def london(iso):
    """An ISO time from escbot as London wall-clock time (the tests use
    dates outside summer time, where London is UTC)."""
    t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    assert t.utcoffset() == dt.timedelta(0), iso
    return t.replace(tzinfo=None)


def attachment(m, kind):
    for part in m.walk():
        if part.get_content_type() == kind:
            return part.get_payload(decode=True)
    return None


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="escbot-reports-")
        env = cls.env = EscbotEnv(cls.tmp.name, extra_config=(
            'digest = { periods = [ "week", "quarter", "half-year", "year" ];'
            ' year_start = "April"; };')).start()
        env.deliver(make_message("casey.practitioner@telford.example.gov.uk",
                                 "Referral", F.TWSP_INLINE))
        env.deliver(make_message("robin.worker@wigan.example.gov.uk",
                                 "Proforma", F.WSAB_LINES))
        env.run("run", "--once", now="2026-11-23T10:00:00Z")
        env.deliver(make_message("dr.ash@sath.example.nhs.uk", "Referral",
                                 F.TWSP_LINES))
        env.deliver(make_message("someone@outside.example.com", "Referral",
                                 F.TWSP_LINES))
        env.run("run", "--once", now="2026-11-24T10:00:00Z")
        cls.cases = {c["ref"]: c for c in env.cases(
            all=True, now="2026-11-24T10:00:00Z")}
        cls.refs = {p: sorted(r for r, c in cls.cases.items()
                              if c["protocol"] == p) for p in ("twsp", "wsab")}
        cls.wsab = cls.refs["wsab"][0]
        env.run("resolve", cls.wsab, "--level", "2", "--note", "agreed",
                now="2026-11-25T11:00:00Z")
        env.run("tick", now="2026-11-27T09:10:00Z")

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def cases_at(self, now):
        return {c["ref"]: c for c in self.env.cases(all=True, now=now)}

    def preview(self, *args, now):
        return self.env.run("digest", "--preview", *args, now=now).stdout

    def figure(self, text, name):
        m = re.search(r"^\s+%s\s+(\d+)" % re.escape(name), text, re.M)
        self.assertIsNotNone(m, "no %r in:\n%s" % (name, text))
        return int(m.group(1))

    # 1. working days, labelled

    def test_units_are_working_days(self):
        text = self.preview("--period", "week", now="2026-11-30T10:00:00Z")
        c = self.cases_at("2026-11-30T10:00:00Z")[self.wsab]
        n = working_days_between(london(c["opened_at"]),
                                 london(c["resolved_at"]))
        self.assertIn("Time to resolution: median %d working day%s, longest "
                      "%d working day%s (1 case)" % (n, "" if n == 1 else "s",
                                                     n, "" if n == 1 else "s"),
                      text)
        # No duration anywhere without its unit.
        self.assertIsNone(re.search(r"\d (days|day)\b", text), text)

    # 6. refused mail in plain English

    def test_refusals_in_plain_english(self):
        for proto in ("twsp", "wsab"):
            text = self.preview("--period", "week", "--protocol", proto,
                                now="2026-11-30T10:00:00Z")
            self.assertRegex(text, r"1\s+refused: sent from an address "
                             r"outside the partnership's email domains")
            self.assertNotIn("allowed_sender_domains", text)

    # 2. periods

    def test_financial_year_periods(self):
        def label(period, now, *more):
            return self.preview("--period", period, *more,
                                now=now).splitlines()[0]
        self.assertIn("Q3 2026/27 (October to December 2026)",
                      label("quarter", "2027-01-05T10:00:00Z"))
        self.assertIn("Q3 2026/27 (October to December 2026)",
                      label("quarter", "2027-03-31T10:00:00Z"))
        self.assertIn("Q4 2026/27 (January to March 2027)",
                      label("quarter", "2027-04-01T10:00:00Z"))
        self.assertIn("H1 2026/27 (April to September 2026)",
                      label("half-year", "2026-11-30T10:00:00Z"))
        self.assertIn("Annual report", label("year", "2027-04-10T10:00:00Z"))
        self.assertIn("year 2026/27 (April 2026 to March 2027)",
                      label("year", "2027-04-10T10:00:00Z"))
        self.assertIn("year 2025/26 (April 2025 to March 2026)",
                      label("year", "2027-01-05T10:00:00Z"))
        self.assertIn("Q3 2026/27 (October to December 2026), so far "
                      "(to 30 November 2026)",
                      label("quarter", "2026-11-30T10:00:00Z", "--current"))

    def test_chosen_range_and_so_far(self):
        now = "2026-11-30T10:00:00Z"
        cases = self.cases_at(now)
        text = self.preview("--from", "2026-11-24", "--to", "2026-11-24",
                            now=now)
        self.assertIn("24 November 2026 to 24 November 2026", text)
        want = sum(1 for c in cases.values()
                   if london(c["opened_at"]).date() == dt.date(2026, 11, 24))
        self.assertEqual(self.figure(text, "Opened in the period"), want)
        # This week so far, on the Tuesday: opened from Monday 00:00.
        now = "2026-11-24T12:00:00Z"
        text = self.preview("--period", "week", "--current", now=now)
        self.assertIn("week of Monday 23 November 2026, so far", text)
        want = sum(1 for c in cases.values()
                   if dt.datetime(2026, 11, 23) <= london(c["opened_at"])
                   < dt.datetime(2026, 11, 24, 12))
        self.assertEqual(self.figure(text, "Opened in the period"), want)
        p = self.env.run("digest", "--preview", "--from", "2026-11-24",
                         "--to", "2026-11-20", now=now, check=False)
        self.assertEqual(p.returncode, 1)
        p = self.env.run("digest", "--preview", "--to", "2026-11-20",
                         now=now, check=False)
        self.assertEqual(p.returncode, 1)

    # 3 and 5. files always written; each protocol's report to its board

    def test_send_writes_files_and_says_what_it_sent(self):
        html, csvf = self.path("sent.html"), self.path("sent.csv")
        before = len(self.env.sink.messages())
        p = self.env.run("digest", "--period", "week", "--html", html,
                         "--csv", csvf, now="2026-11-30T10:00:00Z")
        self.assertIn("wrote %s" % html, p.stdout)
        self.assertIn("wrote %s" % csvf, p.stdout)
        with open(html, encoding="utf-8") as f:
            self.assertIn("week of Monday 23 November 2026", f.read())
        with open(csvf, "rb") as f:
            self.assertTrue(f.read().startswith(b"\xef\xbb\xbf"))
        for proto, to in BOARD.items():
            self.assertRegex(p.stdout, r'(?m)^sent "Weekly digest: [^"]*%s, '
                             r'week of Monday 23 November 2026" to %s$'
                             % (re.escape(PROTOCOL_NAME[proto]),
                                re.escape(", ".join(to))))
        # Only the protocols with cases have a report to send.
        self.assertEqual(len(re.findall(r"(?m)^sent ", p.stdout)), 2)
        new = self.env.sink.messages()[before:]
        got = {}
        for m in new:
            for proto, name in PROTOCOL_NAME.items():
                if name in m["Subject"]:
                    got.setdefault(proto, []).append(m)
        self.assertEqual(sorted(got), ["twsp", "wsab"])
        self.assertEqual(len(new), sum(len(v) for v in BOARD.values()))
        for proto, msgs in got.items():
            other = "wsab" if proto == "twsp" else "twsp"
            self.assertEqual(sorted(r.lower() for m in msgs
                                    for r in m.rcpt_tos), sorted(BOARD[proto]))
            for m in msgs:
                text = attachment(m, "text/plain").decode("utf-8")
                rows = list(csv.reader(io.StringIO(
                    attachment(m, "text/csv").decode("utf-8-sig"))))
                self.assertEqual(sorted(r[0] for r in rows[1:]),
                                 self.refs[proto])
                open_refs = [r for r in self.refs[proto]
                             if self.cases[r]["status"] != "resolved"
                             and r != self.wsab]
                for ref in open_refs:
                    self.assertIn(ref, text)
                for ref in self.refs[other]:
                    self.assertNotIn(ref, text)
                    self.assertNotIn(ref, m.raw.decode("utf-8", "replace"))
                self.assertNotIn(PROTOCOL_NAME[other], text)
                self.assertNotIn("%s stage" % other, text)

    # 4. the CSV in Excel

    def test_csv_for_excel(self):
        now = "2026-11-30T10:00:00Z"
        end = dt.datetime(2026, 11, 30)       # Monday 00:00, the week's end
        path = self.path("excel.csv")
        self.preview("--period", "week", "--csv", path, now=now)
        with open(path, "rb") as f:
            raw = f.read()
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"),
                                           newline="")))
        self.assertEqual(rows[0], HEADER)
        got = {r[0]: dict(zip(HEADER, r)) for r in rows[1:]}
        cases = self.cases_at(now)
        self.assertEqual(sorted(got), sorted(cases))

        def fmt(iso):
            return london(iso).strftime("%Y-%m-%d %H:%M")
        for ref, c in cases.items():
            row = got[ref]
            resolved = c["status"] == "resolved"
            opened = london(c["opened_at"])
            due = london(c["due_at"])
            late = (working_days_between(due, end)
                    if c["status"] == "open" and due < end else 0)
            want = {
                "Protocol": PROTOCOL_NAME[c["protocol"]],
                "Stage": str(c["stage"]),
                "Stage name": c["stage_name"],
                "Status": c["status"].capitalize(),
                "Urgent": "Yes" if c["urgent"] else "No",
                "Opened": fmt(c["opened_at"]),
                "Due": "" if c["status"] != "open" else fmt(c["due_at"]),
                "Resolved": fmt(c["resolved_at"]) if resolved else "",
                "Resolved at level": str(c["resolved_level"]) if resolved
                else "",
                "Working days open": str(working_days_between(
                    opened, london(c["resolved_at"]) if resolved else end)),
                "Working days overdue": "" if c["status"] != "open"
                else str(late),
            }
            self.assertEqual({k: row[k] for k in want}, want, ref)
            self.assertRegex(row["Opened"], r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
        self.assertEqual(got[self.wsab]["Resolved at level"], "2")
        first = self.refs["twsp"][0]      # raised from Telford's domain
        self.assertEqual(got[first]["Raising agency"],
                         "Telford & Wrekin Council")

    # 2. staggered: runs last (it moves the clock into 2027)

    def test_z_reports_ending_together_arrive_on_different_days(self):
        env = self.env

        def tick(now):
            before = len(env.sink.messages())
            env.run("tick", now=now)
            return sorted({m["Subject"].split(":")[0]
                           for m in env.sink.messages()[before:]
                           if "safeguarding escalations" in m["Subject"]})
        # Q3 ends on Friday 1 January 2027, a bank holiday: the weekly
        # report has Monday 4 January, the quarterly the Tuesday.
        self.assertEqual(tick("2027-01-04T10:00:00Z"), ["Weekly digest"])
        self.assertEqual(tick("2027-01-05T10:00:00Z"), ["Quarterly report"])
        # Easter Monday 29 March 2027: that week's report on the Tuesday.
        self.assertEqual(tick("2027-03-30T10:00:00Z"), ["Weekly digest"])
        # Q4, H2 and the year end on Thursday 1 April 2027: the quarterly
        # that day, the half-yearly on the Friday, the weekly on Monday 5
        # April and the annual on the Tuesday.
        self.assertEqual(tick("2027-04-01T10:00:00Z"), ["Quarterly report"])
        self.assertEqual(tick("2027-04-02T10:00:00Z"), ["Half-yearly review"])
        self.assertEqual(tick("2027-04-05T10:00:00Z"), ["Weekly digest"])
        self.assertEqual(tick("2027-04-06T10:00:00Z"), ["Annual report"])
        self.assertEqual(tick("2027-04-06T15:00:00Z"), [])


if __name__ == "__main__":
    unittest.main()
