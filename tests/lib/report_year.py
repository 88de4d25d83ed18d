"""A year of cases in two partnerships, built through time, for the
reports' rendering test and the screenshots in docs/
(tests/tools/make-report-screenshots.py).

From January to the first week of December 2026, each month: TWSP and
WSAB referrals arrive on the first working day from the 5th (a fixed
number a month, from fixed senders), escbot ticks every Monday and
Thursday morning (so overdue cases climb the ladder); of each month's
cases, the first of every four is resolved two days after it came (in
time), the second and third on the 22nd of the next month (or the next
working day) at the stage they reached, and the fourth stays open.  One TWSP
case is paused.  Nothing depends on the clock of the machine: every
step runs with --now, so the record (and each report) is the same every
time.  The names in the forms are made up and never reach a report.
"""
import datetime as dt
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from escbot_env import make_message   # noqa: E402
import forms_fixtures as F            # noqa: E402

# The day the reports are read: Monday 14 December 2026 (the weekly
# report is of the week of 7 December; the quarter July to September).
NOW = "2026-12-14T10:00:00Z"
TWSP_A_MONTH = [2, 3, 1, 4, 2, 5, 3, 2, 4, 3, 2, 1]
WSAB_A_MONTH = [1, 2, 2, 3, 1, 2, 4, 2, 1, 3, 2, 1]
TWSP_SENDERS = ["casey@telford.example.gov.uk", "dr.ash@sath.example.nhs.uk",
                "pc.lane@westmercia.example.police.uk"]
WSAB_SENDERS = ["robin.worker@wigan.example.gov.uk",
                "nurse.bea@wwl.example.nhs.uk",
                "officer.day@gmp.example.police.uk"]
FIRST_NAMES = ["Ash", "Bo", "Cal", "Dee", "Eli", "Fen", "Gil", "Hal",
               "Ira", "Jo", "Kai", "Lou"]
SURNAMES = ["Testperson", "Exampleton", "Sampleby", "Placeholder"]


def working(d):
    """A weekday that is not one of 2026's bank holidays in England."""
    return d.weekday() < 5 and d not in (
        dt.date(2026, 1, 1), dt.date(2026, 4, 3), dt.date(2026, 4, 6),
        dt.date(2026, 5, 4), dt.date(2026, 5, 25), dt.date(2026, 8, 31),
        dt.date(2026, 12, 25), dt.date(2026, 12, 28))


def next_working(d):
    while not working(d):
        d += dt.timedelta(days=1)
    return d


def iso(d, hh=10, mm=0):
    return "%sT%02d:%02d:00Z" % (d.isoformat(), hh, mm)


def twsp_form(ref, name):
    return (F.TWSP_LINES.replace("TW-50991", ref)
            .replace("Morgan Placeholder", name))


def wsab_form(name):
    return F.WSAB_LINES.replace("Jamie Testperson", name)


def build(env):
    """Run the year in env (an EscbotEnv, started).  Returns the steps
    taken as (now, what) for a reader of the log."""
    steps = []
    opened = {}             # month index -> refs opened that month
    serial = 0
    end = dt.date(2026, 12, 14)

    def tick(d):
        env.run("tick", now=iso(d, 9, 10))
        steps.append((d, "tick"))

    ticks = [dt.date(2026, 1, 1) + dt.timedelta(days=i)
             for i in range((end - dt.date(2026, 1, 1)).days)]
    ticks = [d for d in ticks if d.weekday() in (0, 3)]
    events = []
    for m in range(12):
        day = next_working(dt.date(2026, m + 1, 5))
        if day < end:
            events.append((day, 1, "intake", m))
            qday = next_working(day + dt.timedelta(days=2))
            events.append((qday, 2, "resolve-quick", m))
        if m > 0:
            rday = next_working(dt.date(2026, m + 1, 22))
            if rday < end:
                events.append((rday, 2, "resolve", m - 1))
    events += [(d, 0, "tick", None) for d in ticks]
    events.append((dt.date(2026, 6, 10), 3, "pause", None))
    events.sort(key=lambda e: (e[0], e[1]))
    for day, _, what, m in events:
        if what == "tick":
            tick(day)
        elif what == "intake":
            before = {c["ref"] for c in env.cases(all=True, now=iso(day))}
            for i in range(TWSP_A_MONTH[m]):
                serial += 1
                env.deliver(make_message(
                    TWSP_SENDERS[(m + i) % 3], "Referral",
                    twsp_form("TW-%d" % (2000 + serial), "%s %s" % (
                        FIRST_NAMES[m], SURNAMES[i % 4]))))
            for i in range(WSAB_A_MONTH[m]):
                env.deliver(make_message(
                    WSAB_SENDERS[(m + i) % 3], "Proforma",
                    wsab_form("%s %s" % (FIRST_NAMES[(m + 6) % 12],
                                         SURNAMES[i % 4]))))
            env.run("run", "--once", now=iso(day))
            opened[m] = sorted(c["ref"] for c in
                               env.cases(all=True, now=iso(day, 11))
                               if c["ref"] not in before)
            steps.append((day, "intake"))
        elif what in ("resolve", "resolve-quick"):
            live = {c["ref"]: c for c in env.cases(now=iso(day, 11))}
            for i, ref in enumerate(opened.get(m, [])):
                c = live.get(ref)
                if c is None or c["status"] != "open" or (
                        (i % 4 != 0) if what == "resolve-quick" else
                        (i % 4 not in (1, 2))):
                    continue
                env.run("resolve", ref, "--level", str(c["stage"]),
                        "--note", "agreed at the meeting", now=iso(day, 11))
            steps.append((day, "resolve"))
        elif what == "pause":
            live = [c for c in env.cases(now=iso(day, 11))
                    if c["protocol"] == "twsp" and c["status"] == "open"]
            if live:
                env.run("pause", live[0]["ref"], "--reason",
                        "awaiting the strategy meeting's minutes",
                        now=iso(day, 11))
            steps.append((day, "pause"))
    return steps
