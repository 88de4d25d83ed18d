"""The figures of a partnership's report, built over three weeks of cases
in two partnerships (TWSP and WSAB): open, overdue, paused, opened,
escalated and resolved (by level), resolved in time, working days at each
stage and to resolution, raising x receiving agencies, agencies that
raised nothing, pause lengths, overdue planned actions; and the CSV read
back by Python's csv module.  Every expected value is worked out here
from the raw record (`cases --json`, `case REF --json`, the stage history
in the database) with this test's own working-day arithmetic; the report
is only parsed.  Also: a CSV over digest.csv_attachment_max is not
attached but written to a file the report names."""
import csv
import datetime as dt
import io
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import REPO, EscbotEnv, make_message  # noqa: E402
from workdays import working_days_between  # noqa: E402
import forms_fixtures as F                             # noqa: E402

HEADER = ["Case reference", "Protocol", "Form", "Stage", "Stage name",
          "Status", "Urgent", "Opened", "Due", "Resolved",
          "Resolved at level", "Working days open", "Working days overdue",
          "Raising agency", "Receiving agencies", "Themes"]
# The report: 2 to 20 March 2026 (London is on GMT throughout).
START = dt.datetime(2026, 3, 2)
END = dt.datetime(2026, 3, 21)
PSTART = START - (END - START)
NOW = "2026-03-23T10:00:00Z"
RANGE = ["--from", "2026-03-02", "--to", "2026-03-20"]


wdays = working_days_between


def t_iso(iso):
    """London wall-clock time of an ISO time escbot printed (with the
    London offset)."""
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).replace(
        tzinfo=None)


# Summer time in 2026: from 01:00 UTC on 29 March to 01:00 UTC on 25
# October.
BST = (dt.datetime(2026, 3, 29, 1), dt.datetime(2026, 10, 25, 1))


def t_epoch(secs):
    """London wall-clock time of a time stored as UTC seconds."""
    t = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=secs)
    return t + dt.timedelta(hours=1) if BST[0] <= t < BST[1] else t


def days_words(d):
    if d == int(d):
        return "%d working day%s" % (d, "" if d == 1 else "s")
    return "%.1f working days" % d


PARTNERSHIPS = os.path.join(REPO, "etc", "partnerships")


def directory():
    """Agency ids -> names, and email domains -> names, from the
    partnerships' directory files."""
    names, domains = {}, {}
    text = ""
    for name in sorted(os.listdir(PARTNERSHIPS)):
        with open(os.path.join(PARTNERSHIPS, name)) as f:
            text += f.read()
    for m in re.finditer(r'\{ id = "([^"]+)"; name = "([^"]+)";(.*?)'
                         r'domains = \[([^\]]*)\]', text, re.S):
        names[m.group(1)] = m.group(2)
        for d in re.findall(r'"([^"]+)"', m.group(4)):
            domains[d] = m.group(2)
    return names, domains


AGENCY, DOMAIN = directory()


def protocol_file(pid):
    """Stage names in order, and the partnership's agency ids (those of
    its partnership's directory file, in order)."""
    with open(os.path.join(REPO, "rules", "%s.conf" % pid)) as f:
        text = f.read()
    stages = re.findall(r'\{ number = (\d+); name = "([^"]+)"', text)
    ps = re.search(r'(?m)^  partnership = "([^"]+)";', text).group(1)
    with open(os.path.join(PARTNERSHIPS, "%s.conf" % ps)) as f:
        members = re.findall(r'(?m)^  \{ id = "([^"]+)"', f.read())
    return [(int(n), s) for n, s in stages], members


def twsp_form(ref, name):
    return (F.TWSP_LINES.replace("TW-50991", ref)
            .replace("Morgan Placeholder", name))


def wsab_form(name):
    return F.WSAB_LINES.replace("Jamie Testperson", name)


class ReportFigures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="escbot-figures-")
        env = cls.env = EscbotEnv(cls.tmp.name).start()

        def run(now, *mail):
            for sender, subject, body in mail:
                env.deliver(make_message(sender, subject, body))
            env.run("run", "--once", now=now)

        def ref_of(pred, now):
            (c,) = [c for c in env.cases(all=True, now=now) if pred(c)]
            return c["ref"]

        # The period before: one TWSP case.
        run("2026-02-23T10:00:00Z",
            ("casey@telford.example.gov.uk", "Referral",
             twsp_form("TW-1000", "Pat Before")))
        # Week 1: two cases in each partnership.
        run("2026-03-02T10:00:00Z",
            ("casey@telford.example.gov.uk", "Referral",
             twsp_form("TW-1001", "Drew One")),
            ("dr.ash@sath.example.nhs.uk", "Referral",
             twsp_form("TW-1002", "Kit Two")),
            ("robin.worker@wigan.example.gov.uk", "Proforma",
             wsab_form("Lee Three")),
            ("nurse.bea@wwl.example.nhs.uk", "Proforma",
             wsab_form("Sol Four")))
        now = "2026-03-02T12:00:00Z"
        cls.t1 = ref_of(lambda c: "telford" in c["raised_by"] and
                        c["opened_at"].startswith("2026-03-02"), now)
        cls.t2 = ref_of(lambda c: "sath" in c["raised_by"], now)
        cls.w1 = ref_of(lambda c: "wigan" in c["raised_by"], now)
        cls.w2 = ref_of(lambda c: "wwl" in c["raised_by"], now)
        # A solution focused meeting for W1, with two planned actions
        # (due 10 and 12 March) and the next meeting.
        with open(os.path.join(REPO, "etc", "samples",
                               "wsab-meeting-table.eml")) as f:
            raw = f.read()
        raw = raw.replace("sam.sample@wigan.example.gov.uk",
                          "robin.worker@wigan.example.gov.uk")
        raw = raw.replace("Subject: ", "Subject: Re: [%s] " % cls.w1, 1)
        env.deliver(raw)
        env.run("run", "--once", now="2026-03-03T10:00:00Z")
        cls.resolve(cls.t1, "2026-03-05T11:00:00Z")
        # Week 2: one more in each; T2 paused, W2 resolved.
        run("2026-03-09T10:00:00Z",
            ("pc.lane@westmercia.example.police.uk", "Referral",
             twsp_form("TW-1003", "Ray Five")),
            ("officer.day@gmp.example.police.uk", "Proforma",
             wsab_form("Val Six")))
        env.run("pause", cls.t2, "--reason", "awaiting strategy minutes",
                now="2026-03-10T11:00:00Z")
        cls.resolve(cls.w2, "2026-03-12T11:00:00Z")
        for day in ("2026-03-13", "2026-03-16", "2026-03-18", "2026-03-20",
                    "2026-03-23"):
            env.run("tick", now=day + "T09:10:00Z")
        cls.cases = {c["ref"]: c for c in env.cases(all=True, now=NOW)}
        cls.detail = {r: env.case(r, now=NOW) for r in cls.cases}

    @classmethod
    def resolve(cls, ref, now):
        (c,) = [c for c in cls.env.cases(all=True, now=now)
                if c["ref"] == ref]
        cls.env.run("resolve", ref, "--level", str(c["stage"]), "--note",
                    "agreed", now=now)

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        cls.tmp.cleanup()

    # -- the report, parsed

    def report(self, proto, *more):
        return self.env.run("digest", "--preview", "--protocol", proto,
                            *RANGE, *more, now=NOW).stdout

    def section(self, text, title):
        m = re.search(r"(?m)^%s\n((?:  .*\n)*)" % re.escape(title), text)
        self.assertIsNotNone(m, "no section %r in:\n%s" % (title, text))
        return [ln[2:] for ln in m.group(1).splitlines()]

    def figure(self, text, name):
        m = re.search(r"(?m)^  %s\s+(\d+)  (.*)$" % re.escape(name), text)
        self.assertIsNotNone(m, "no %r in:\n%s" % (name, text))
        return int(m.group(1)), m.group(2)

    # -- the record, worked out here

    def mine(self, proto):
        return [c for c in self.cases.values() if c["protocol"] == proto]

    def at_end(self, c):
        """Status as at the end of the period."""
        if c["status"] == "resolved" and t_iso(c["resolved_at"]) >= END:
            return "open"
        return c["status"]

    def resolved_in(self, c, a, b):
        return (c["status"] == "resolved" and
                a <= t_iso(c["resolved_at"]) < b)

    def expected_summary(self, proto):
        cs = [c for c in self.mine(proto) if t_iso(c["opened_at"]) < END]
        live = [c for c in cs if not (c["status"] == "resolved" and
                                      t_iso(c["resolved_at"]) < END)]
        esc = [0, 0]
        for c in cs:
            for e in self.detail[c["ref"]]["events"]:
                at = t_iso(e["at"])
                if e["kind"] == "escalated" and PSTART <= at < END:
                    esc[at < START] += 1
        tracked = [c for c in cs if self.resolved_in(c, START, END) and
                   c["resolved_at"] != c["opened_at"]]
        within = [c for c in tracked
                  if t_iso(c["resolved_at"]) <= t_iso(c["due_at"])]
        return {
            "Open cases": len(live),
            "Overdue": sum(1 for c in live if c["status"] != "paused" and
                           t_iso(c["due_at"]) < END),
            "Paused": sum(1 for c in live if c["status"] == "paused"),
            "Opened in the period": (
                sum(1 for c in cs if t_iso(c["opened_at"]) >= START),
                sum(1 for c in cs
                    if PSTART <= t_iso(c["opened_at"]) < START)),
            "Escalated in the period": tuple(esc),
            "Resolved in the period": (
                sum(1 for c in cs if self.resolved_in(c, START, END)),
                sum(1 for c in cs if self.resolved_in(c, PSTART, START))),
            "Resolved in time": (len(within), len(tracked)),
        }

    def stage_times(self, proto):
        """Working days of each stage left in the period, by stage
        index, from the stage history."""
        db = sqlite3.connect(self.env.db)
        try:
            rows = db.execute(
                "SELECT c.ref, s.stage_idx, s.entered_at FROM stages s "
                "JOIN cases c ON c.id = s.case_id WHERE c.protocol = ? "
                "ORDER BY s.case_id, s.entered_at", (proto,)).fetchall()
        finally:
            db.close()
        hist = {}
        for ref, idx, at in rows:
            hist.setdefault(ref, []).append((idx, t_epoch(at)))
        out = {}
        for ref, h in hist.items():
            c = self.cases[ref]
            for i, (idx, a) in enumerate(h):
                if i + 1 < len(h):
                    b = h[i + 1][1]
                elif c["status"] == "resolved":
                    b = t_iso(c["resolved_at"])
                else:
                    continue
                if START <= b < END and b > a:
                    out.setdefault(idx, []).append(wdays(a, b))
        return out

    # -- the tests

    def test_summary(self):
        for proto in ("twsp", "wsab"):
            text = self.report(proto)
            want = self.expected_summary(proto)
            for name in ("Open cases", "Overdue", "Paused"):
                self.assertEqual(self.figure(text, name)[0], want[name],
                                 (proto, name))
            for name in ("Opened in the period", "Escalated in the period",
                         "Resolved in the period"):
                n, note = self.figure(text, name)
                now, before = want[name]
                self.assertEqual(n, now, (proto, name))
                if now == before:
                    self.assertEqual(note, "same as the period before")
                else:
                    self.assertIn("(%d)" % before, note, (proto, name))
            n, note = self.figure(text, "Resolved in time")
            within, tracked = want["Resolved in time"]
            self.assertEqual(n, within, proto)
            self.assertTrue(note.startswith("of %d resolved" % tracked),
                            note)
        # The record is what the scenario meant it to be.
        self.assertEqual(self.expected_summary("twsp")["Opened in the "
                                                       "period"], (3, 1))
        self.assertEqual(self.expected_summary("wsab")["Paused"], 0)
        self.assertEqual(self.expected_summary("twsp")["Paused"], 1)

    def test_levels_and_durations(self):
        for proto in ("twsp", "wsab"):
            stages, _ = protocol_file(proto)
            text = self.report(proto)
            res = [c for c in self.mine(proto)
                   if self.resolved_in(c, START, END)]
            levels = {}
            for c in res:
                levels[c["resolved_level"]] = levels.get(
                    c["resolved_level"], 0) + 1
            got = self.section(text, "Resolved in the period, by level")
            want = []
            for lv in sorted(levels):
                name = [s for n, s in stages if n == lv][0]
                want.append("%s level %d: %s" % (proto, lv, name))
            self.assertEqual([re.sub(r"\s+\d+$", "", g) for g in got], want)
            self.assertEqual([int(g.split()[-1]) for g in got],
                             [levels[lv] for lv in sorted(levels)])
            days = sorted(wdays(t_iso(c["opened_at"]),
                                t_iso(c["resolved_at"])) for c in res)
            self.assertTrue(days, proto)
            self.assertIn("Time to resolution: median %s, longest %s "
                          "(%d case%s)" % (days_words(statistics.median(days)),
                                           days_words(days[-1]), len(days),
                                           "" if len(days) == 1 else "s"),
                          text)
            per = self.stage_times(proto)
            got = self.section(text, "Working days at each stage (stages "
                               "completed in the period)")
            want = []
            for idx in sorted(per):
                n, name = stages[idx]
                d = sorted(per[idx])
                want.append("%s stage %d: %s|%d|%s|%s" % (
                    proto, n, name, len(d),
                    days_words(statistics.median(d)), days_words(d[-1])))
            parsed = []
            for g in got:
                m = re.match(r"(.*?)\s+(\d+) done, median (.*), longest "
                             r"(.*)$", g)
                self.assertIsNotNone(m, g)
                parsed.append("|".join(m.groups()))
            self.assertEqual(parsed, want, proto)
            self.assertTrue(want, proto)

    def test_agencies(self):
        for proto in ("twsp", "wsab"):
            _, members = protocol_file(proto)
            text = self.report(proto)
            pairs, raised = {}, set()
            for c in self.mine(proto):
                if not START <= t_iso(c["opened_at"]) < END:
                    continue
                r = DOMAIN.get(c["raised_by"].split("@")[1], "unknown")
                raised.add(r)
                recv = [AGENCY[a] for a in c["agencies"]
                        if AGENCY[a] != r] or ["(none named)"]
                for a in recv:
                    pairs[(r, a)] = pairs.get((r, a), 0) + 1
            got = {}
            for ln in self.section(text, "Raising and receiving agencies of "
                                   "the cases opened in the period"):
                m = re.match(r"(.*?)\s+-> (.*?)\s+(\d+)$", ln)
                self.assertIsNotNone(m, ln)
                got[(m.group(1), m.group(2))] = int(m.group(3))
            self.assertEqual(got, pairs, proto)
            self.assertNotIn("unknown", raised)
            silent = [AGENCY[a] for a in members if AGENCY[a] not in raised]
            self.assertEqual(self.section(
                text, "Agencies that raised no escalation in the period"),
                silent, proto)

    def test_pauses(self):
        text = self.report("twsp")
        c = self.cases[self.t2]
        self.assertEqual(c["status"], "paused")
        since = [t_iso(e["at"]) for e in self.detail[self.t2]["events"]
                 if e["kind"] == "paused"][-1]
        n = wdays(since, END)
        got = self.section(text, "Paused cases (longest paused first)")
        self.assertEqual(got[0], "1 paused: median %s, longest %s"
                         % (days_words(n), days_words(n)))
        self.assertRegex(got[1], r"^%s: paused at stage \d+: awaiting "
                         r"strategy minutes \(paused %d working day%s, since "
                         r"%s\)$" % (self.t2, n, "" if n == 1 else "s",
                                     since.strftime("%Y-%m-%d %H:%M")))
        self.assertNotIn("Paused cases", self.report("wsab"))

    def test_overdue_actions(self):
        want = []
        for proto in ("twsp", "wsab"):
            for c in self.mine(proto):
                if self.at_end(c) == "resolved":
                    continue
                for a in self.detail[c["ref"]]["actions"]:
                    due = t_iso(a["due_at"])
                    if a["num"] > 0 and not a["done"] and due < END:
                        agency = ("Wigan Council" if a["owner"].startswith(
                            "ASC") else AGENCY["wwl"])
                        want.append((proto, c["ref"], a["num"], agency,
                                     due.strftime("%Y-%m-%d %H:%M"),
                                     wdays(due, END)))
        self.assertEqual(len(want), 2)      # both actions of W1's meeting
        for proto in ("twsp", "wsab"):
            got = self.section(self.report(proto), "Overdue planned actions")
            mine = ["%s action %d (%s), due %s, overdue by %d working day%s"
                    % (ref, num, ag, due, n, "" if n == 1 else "s")
                    for p, ref, num, ag, due, n in want if p == proto]
            if not mine:
                self.assertEqual(got, ["none"])
                continue
            self.assertEqual([re.sub(r"\s+", " ", g.split(": ")[0])
                              for g in got], mine)
            for g in got:
                self.assertNotIn("Sample", g)     # owners' names left out

    def test_html_has_the_sections_and_no_names(self):
        path = os.path.join(self.tmp.name, "wsab.html")
        self.env.run("digest", "--preview", "--protocol", "wsab", *RANGE,
                     "--html", path, now=NOW)
        with open(path, encoding="utf-8") as f:
            html = f.read()
        for title in ("Resolved in time", "Working days at each stage",
                      "Raising and receiving agencies",
                      "Agencies that raised no escalation",
                      "Overdue planned actions"):
            self.assertIn(title, html)
        self.assertIn("<td style=\"border:1px solid #d9d9d9;padding:4px "
                      "6px;\">Capacity assessment</td>", html)
        for name in ("Sam Sample", "Chris Sample", "Lee Three", "Sol Four",
                     "Val Six", "Jamie Testperson", "Alex Example"):
            self.assertNotIn(name, html)
        self.assertNotIn("<script", html.lower())
        self.assertNotIn("<div", html.lower())    # tables only: Outlook

    def test_csv_round_trip(self):
        for proto in ("twsp", "wsab"):
            path = os.path.join(self.tmp.name, "%s.csv" % proto)
            self.env.run("digest", "--preview", "--protocol", proto, *RANGE,
                         "--csv", path, now=NOW)
            with open(path, encoding="utf-8-sig", newline="") as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], HEADER)
            got = {r[0]: dict(zip(HEADER, r)) for r in rows[1:]}
            for r in rows[1:]:
                self.assertEqual(len(r), len(HEADER))
            want = sorted(c["ref"] for c in self.mine(proto)
                          if t_iso(c["opened_at"]) < END and
                          not (c["status"] == "resolved" and
                               t_iso(c["resolved_at"]) < START))
            self.assertEqual(sorted(got), want)
            for ref in want:
                c, row = self.cases[ref], got[ref]
                st = self.at_end(c)
                self.assertEqual(row["Status"], st.capitalize())
                self.assertEqual(row["Raising agency"],
                                 DOMAIN[c["raised_by"].split("@")[1]])
                res = st == "resolved"
                self.assertEqual(row["Working days open"], str(wdays(
                    t_iso(c["opened_at"]),
                    t_iso(c["resolved_at"]) if res else END)))
                self.assertEqual(row["Resolved at level"],
                                 str(c["resolved_level"]) if res else "")
                if st == "open":
                    due = t_iso(c["due_at"])
                    self.assertEqual(row["Working days overdue"],
                                     str(wdays(due, END) if due < END
                                         else 0))
                else:
                    self.assertEqual(row["Working days overdue"], "")
            # The forms' answers give themes (the WSAB proforma is about
            # information sharing).
            if proto == "wsab":
                self.assertTrue(all("Information sharing" in r["Themes"]
                                    for r in got.values()))

    def test_csv_over_the_limit_goes_to_a_file(self):
        env = self.env
        env.extra_config = "digest = { csv_attachment_max = 100; };"
        env.write_config()
        try:
            before = len(env.sink.messages())
            p = env.run("digest", "--protocol", "twsp", *RANGE, now=NOW)
            self.assertRegex(p.stdout, r"(?m)^sent ")
            new = env.sink.messages()[before:]
            self.assertTrue(new)
            path = os.path.join(self.tmp.name, "reports",
                                "escbot-twsp-range-2026-03-02-2026-03-20.csv")
            for m in new:
                kinds = [part.get_content_type() for part in m.walk()]
                self.assertNotIn("text/csv", kinds)
                text = [part for part in m.walk()
                        if part.get_content_type() == "text/plain"][0]
                body = text.get_payload(decode=True).decode("utf-8")
                self.assertIn(path, body)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            with open(path, encoding="utf-8-sig", newline="") as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], HEADER)
            self.assertEqual(len(rows) - 1, len(
                [c for c in self.mine("twsp") if t_iso(c["opened_at"]) < END
                 and not (c["status"] == "resolved" and
                          t_iso(c["resolved_at"]) < START)]))
            # --csv still gets the whole file.
            out = os.path.join(self.tmp.name, "big.csv")
            env.run("digest", "--preview", "--protocol", "twsp", *RANGE,
                    "--csv", out, now=NOW)
            with open(out, "rb") as a, open(path, "rb") as b:
                self.assertEqual(a.read(), b.read())
        finally:
            env.extra_config = ""
            env.write_config()


if __name__ == "__main__":
    unittest.main()
