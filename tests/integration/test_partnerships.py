"""Issue 13, item 1: partnerships as data, and the routing guarantee.

For each of the four protocols a case is opened from a form naming
agencies of its partnership and driven through time, ticked four times a
day (nights, weekends and bank holidays included), to its last stage.
Every email sent is checked against the partnership's own directory file
(etc/partnerships/ID.conf, read here by a small reader of its own, not by
escbot):

- its recipients exactly: the raiser for the acknowledgement; the holders
  of the stage's roles at the case's agencies (children's or adults'
  contacts for a protocol of that service) and in the partnership, with
  the raiser copied on escalations and chases; the board roles for the
  reports;
- every address in that partnership's file (or the raiser), none only in
  another partnership's;
- every agency of the case reached at each stage whose roles it fills;
- sent in working hours: Monday to Friday 09:00-17:00 Europe/London, not
  on a bank holiday (the raiser's acknowledgement of a form sent in
  working hours included);
- the stage it is about named, by number and (where the email gives it)
  name;

and at the end one of the last stage's people (the partnership's own
where the stage has some: the chair, the executive) resolves it by reply,
in working hours: the confirmation reaches exactly that stage's people,
the raiser and the sender, and nothing that goes out on resolution
leaves the partnership.

And a Wigan Council case reaches its children's contacts under WSCB, its
adults' under WSAB, and its plain contacts under the COVID protocol.
"""
import datetime
import os
import re
import sys
import tempfile
import unittest
import zoneinfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import REPO, EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

LONDON = zoneinfo.ZoneInfo("Europe/London")
PARTNERSHIPS = os.path.join(REPO, "etc", "partnerships")
PARTNERSHIP_ROLES = {"business_manager", "service_manager",
                     "partnership_manager", "executive_lead",
                     "independent_chair", "board_inbox"}


# --- a reader of the libconfig the directory files use -----------------

TOKEN = re.compile(r'\s*(?:#[^\n]*|//[^\n]*|/\*.*?\*/)|\s*("(?:[^"\\]|\\.)*"'
                   r'|[A-Za-z_][A-Za-z0-9_-]*|-?\d+|[=:;,{}()\[\]])', re.S)


def tokens(text):
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip() == "":
                return
            raise ValueError("cannot read at %r" % text[pos:pos + 20])
        pos = m.end()
        if m.group(1) is not None:
            yield m.group(1)


def parse(text):
    toks = list(tokens(text))
    i = 0

    def value():
        nonlocal i
        t = toks[i]
        i += 1
        if t.startswith('"'):
            s = t[1:-1]
            while i < len(toks) and toks[i].startswith('"'):
                s += toks[i][1:-1]
                i += 1
            return s
        if t == "{":
            return group("}")
        if t in "([":
            out = []
            while toks[i] not in ")]":
                out.append(value())
                if toks[i] == ",":
                    i += 1
            i += 1
            return out
        return int(t)

    def group(end):
        nonlocal i
        out = {}
        while i < len(toks) and toks[i] != end:
            name = toks[i]
            assert toks[i + 1] in "=:", toks[i:i + 3]
            i += 2
            out[name] = value()
            if i < len(toks) and toks[i] in ";,":
                i += 1
        i += 1
        return out

    return group(None)


def addr(contact):
    m = re.search(r"<([^>]+)>", contact)
    return (m.group(1) if m else contact).strip().lower()


def addrs(contacts):
    if isinstance(contacts, str):
        contacts = [contacts]
    return {addr(c) for c in contacts}


def load_partnerships():
    out = {}
    for name in sorted(os.listdir(PARTNERSHIPS)):
        with open(os.path.join(PARTNERSHIPS, name)) as f:
            conf = parse(f.read())
        out[conf["partnership"]["id"]] = conf
    return out


def all_addresses(conf):
    found = set()
    for k, v in conf["partnership"].items():
        if k in PARTNERSHIP_ROLES:
            found |= addrs(v)
    for a in conf["agencies"]:
        for block in ("contacts", "children", "adults"):
            for v in a.get(block, {}).values():
                found |= addrs(v)
    return found


def agency_role(agency, role, service):
    """The agency's contacts for role in a protocol of this service."""
    if service in ("children", "adults") and role in agency.get(service, {}):
        return addrs(agency[service][role])
    if role in agency.get("contacts", {}):
        return addrs(agency["contacts"][role])
    return set()


def protocol(pid):
    """partnership, service, board_roles and stages [(number, name,
    roles)] of rules/PID.conf.  Numbers may repeat: WSAB's level 4 has
    three steps."""
    with open(os.path.join(REPO, "rules", "%s.conf" % pid)) as f:
        p = parse(f.read())["protocol"]
    return {"name": p["name"], "partnership": p["partnership"],
            "service": p.get("service", "both"),
            "board_roles": p.get("board_roles", []),
            "stages": [(s["number"], s["name"], s["roles"])
                       for s in p["stages"]]}


# --- working hours -------------------------------------------------------

def bank_holidays():
    days = set()
    with open(os.path.join(REPO, "etc", "bank-holidays-england-wales.txt")) \
            as f:
        for ln in f:
            m = re.match(r"(\d{4}-\d{2}-\d{2})", ln)
            if m:
                days.add(datetime.date.fromisoformat(m.group(1)))
    return days


HOLIDAYS = bank_holidays()


def in_working_hours(utc):
    t = utc.astimezone(LONDON)
    return (t.weekday() < 5 and t.date() not in HOLIDAYS and
            datetime.time(9, 0) <= t.time() <= datetime.time(17, 0))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the forms -----------------------------------------------------------

TWSP_RAISER = "casey.practitioner@telford.example.gov.uk"
WIGAN_RAISER = "jo.sample@wigan.example.gov.uk"

COVID_FORM = """\
WSP Resolution Request

Name of child or adult: Jamie Example
Date of birth: 03/04/2012
Agencies involved: Wigan Council; GMP
Summary of the disagreement: Whether a strategy discussion is needed
Safeguarding leads involved: No
Partnership Executive involved: No

Jo
"""

WSCB_FORM = """\
Agency Report Re: Recording Inter Agency Conflict and Resolution on a Service Users File

Name of child / young person: Robin Example
DOB: 5th June 2014
Address: 2 Example Avenue, Wigan WN2 0XX
Name of Practitioner, Role and Agency: Jo Sample, Social Worker, Wigan Council
Other agency involved in the disagreement: Greater Manchester Police
Brief details re: inter agency disagreement: Police and social care disagree on whether a strategy discussion is needed.
Was this disagreement responded to at Level 1 of WSCB Escalation Policy? If so how was a resolution agreed?
Yes, discussed with the police officer on 2/2/2026; not resolved.
If not, who was the individual (at Level 2 of the WSCB Escalation Policy) within your agency that you referred the disagreement to?
Lee Sample, Team Manager
What was the outcome of this inter agency discussion at Level 2 of the WSCB Escalation Policy?
Managers met; still open.
Was the conflict referred to your agency Board representative at Level 3 of the WSCB Escalation Policy? If so, what was the resolution?
Not yet.
Have you informed the parents/carers of the child/young person of this disagreement and the resolution? No
If not, is this due to safeguarding the child/ young person? Yes
"""

CASES = {
    # protocol: (raiser, subject, body, the case's agencies)
    "twsp": (TWSP_RAISER, "Escalation referral", F.TWSP_INLINE,
             {"tw-council", "west-mercia"}),
    "wsab": (WIGAN_RAISER, "Resolution seeking proforma", F.WSAB_LINES,
             {"wigan-council", "gmp"}),
    "wscb": (WIGAN_RAISER, "Agency report", WSCB_FORM,
             {"wigan-council", "gmp"}),
    "wsp-covid": (WIGAN_RAISER, "Resolution request", COVID_FORM,
                  {"wigan-council", "gmp"}),
}

# Monday 14 December 2026, 10:00: Christmas, Boxing Day (Monday 28) and
# New Year fall inside every case's ladder.
START = datetime.datetime(2026, 12, 14, 10, 0, tzinfo=datetime.timezone.utc)
DAYS = 84
TICKS = ((7, 0), (9, 0), (12, 30), (17, 0), (21, 0))

SUBJECT = [
    (re.compile(r"\] Received: "), "ack"),
    (re.compile(r"\] Stage (\d+) starts: (.*) - due by "), "stage-start"),
    (re.compile(r"\] Escalated to stage (\d+): (.*)$"), "escalation"),
    (re.compile(r"\] Reminder: stage (\d+) due by "), "reminder"),
    (re.compile(r"\] OVERDUE: stage (\d+) was due by "), "chase"),
    (re.compile(r"safeguarding escalations, "), "report"),
]


# The first word after the case tag of emails a protocol may send on
# resolution besides the confirmation.
RESOLUTION_EXTRAS = ("Debrief", "Completed")


def kind(subject):
    for rx, k in SUBJECT:
        m = rx.search(subject)
        if m:
            return k, m
    return None, None


class Routing(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-partners-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name)
        self.addCleanup(self.env.stop)
        self.env.start()
        self.seen = 0
        self.current = None
        self.ps = load_partnerships()
        self.addresses = {k: all_addresses(v) for k, v in self.ps.items()}

    def fresh(self):
        """The emails since the last call, one per Message-ID, with every
        envelope recipient."""
        msgs = self.env.sink.messages()
        new, self.seen = msgs[self.seen:], len(msgs)
        by_id = {}
        for m in new:
            e = by_id.setdefault(m["Message-ID"], (m, set()))
            e[1].update(r.lower() for r in m.rcpt_tos)
        return list(by_id.values())

    def holders(self, proto, agencies, idx):
        """The roles' addresses of the stage at idx: the partnership's, and
        each agency's (by agency id)."""
        conf = self.ps[proto["partnership"]]
        by_agency = {a["id"]: a for a in conf["agencies"]}
        _, _, roles = proto["stages"][idx]
        own, per = set(), {}
        for r in roles:
            if r in PARTNERSHIP_ROLES:
                own |= addrs(conf["partnership"].get(r, []))
                continue
            for aid in agencies:
                got = agency_role(by_agency[aid], r, proto["service"])
                per.setdefault(aid, set()).update(got)
        return own, per

    def board(self, pid):
        proto = protocol(pid)
        conf = self.ps[proto["partnership"]]["partnership"]
        got = set()
        for r in proto["board_roles"]:
            got |= addrs(conf.get(r, []))
        return got

    def check_email(self, pid, proto, raiser, agencies, m, to, when):
        subject = " ".join(m["Subject"].split())
        k, match = kind(subject)
        self.assertIsNotNone(k, "unexpected email %r" % subject)
        self.assertTrue(in_working_hours(when), "%s sent at %s"
                        % (subject, when.astimezone(LONDON)))
        if k == "report":
            # Every protocol's report (the others have no cases) goes to
            # its own partnership's board roles.
            names = {protocol(p)["name"]: p for p in CASES}
            (rp,) = [p for n, p in names.items() if n in subject]
            self.assertEqual(to, self.board(rp), subject)
            self.assertLessEqual(to, self.addresses[
                protocol(rp)["partnership"]], subject)
            return k, None
        own_addresses = self.addresses[proto["partnership"]]
        self.assertLessEqual(to - {raiser}, own_addresses, subject)
        if k == "ack":
            self.assertEqual(to, {raiser}, subject)
            return k, None
        number = int(match.group(1))
        if match.lastindex and match.lastindex >= 2:
            # A stage starts: the stage of that number and name.
            (idx,) = [i for i, (n, name, _) in enumerate(proto["stages"])
                      if n == number and name == match.group(2)]
            self.current = idx
        else:
            # A reminder or chase: of the stage the case is at.
            idx = self.current
            self.assertEqual(proto["stages"][idx][0], number, subject)
        name = proto["stages"][idx][1]
        body = " ".join(m.get_body(("plain",)).get_content().split())
        self.assertIn(name, body, subject)
        own, per = self.holders(proto, agencies, idx)
        want = own.union(*per.values())
        if k in ("escalation", "chase"):
            want = want | {raiser}
        self.assertEqual(to, want, subject)
        for aid, people in per.items():
            if people:
                self.assertTrue(to & people, "%s: %s not reached"
                                % (subject, aid))
        return k, idx

    def drive(self, pid):
        raiser, subject, body, agencies = CASES[pid]
        proto = protocol(pid)
        env = self.env
        env.deliver(make_message("Jo Sample <%s>" % raiser
                                 if raiser == WIGAN_RAISER else raiser,
                                 subject, body))
        env.run("run", "--once", now=iso(START))
        (case,) = env.cases(now=iso(START))
        self.assertEqual(case["protocol"], pid)
        self.assertEqual(set(case["agencies"]), agencies)
        stages = []
        for m, to in self.fresh():
            stages.append(self.check_email(pid, proto, raiser, agencies, m,
                                           to, START))
        day = START.astimezone(LONDON).date()
        for n in range(1, DAYS):
            d = day + datetime.timedelta(days=n)
            for h, mi in TICKS:
                when = datetime.datetime(d.year, d.month, d.day, h, mi,
                                         tzinfo=LONDON)
                env.run("tick", now=iso(when.astimezone(
                    datetime.timezone.utc)))
                for m, to in self.fresh():
                    stages.append(self.check_email(
                        pid, proto, raiser, agencies, m, to, when))
        (case,) = env.cases(all=True, now=iso(START + datetime.timedelta(
            days=DAYS)))
        last = len(proto["stages"]) - 1
        self.assertEqual(case["stage"], proto["stages"][last][0])
        self.assertEqual(self.current, last)
        # Every stage from the one opened at to the last had its people
        # told, in order: a stage-start or an escalation names each.
        told = [s for k, s in stages if k in ("stage-start", "escalation")]
        self.assertEqual(told, list(range(told[0], last + 1)))
        self.resolve(pid, proto, raiser, agencies, case["ref"], last)
        if os.environ.get("PARTNERSHIPS_DUMP"):
            print(pid, stages, file=sys.stderr)
        return stages

    def resolve(self, pid, proto, raiser, agencies, ref, last):
        """One of the last stage's people resolves it by reply, in working
        hours: everyone of that stage, the raiser and the sender hear, and
        nobody outside the partnership."""
        env = self.env
        own, per = self.holders(proto, agencies, last)
        people = own.union(*per.values())
        resolver = sorted(own or people)[0]
        when = START + datetime.timedelta(days=DAYS)
        self.assertTrue(in_working_hours(when))
        env.deliver(make_message(resolver, "RE: [%s] Escalated" % ref,
                                 "RESOLVED: agreed at the meeting today\n"))
        env.run("run", "--once", now=iso(when))
        detail = env.case(ref, now=iso(when))
        self.assertEqual(detail["status"], "resolved")
        got = self.fresh()
        kinds = {}
        for m, to in got:
            subject = " ".join(m["Subject"].split())
            if kind(subject)[0] == "report":
                # A report due the same morning: its board only.
                self.check_email(pid, proto, raiser, agencies, m, to, when)
                continue
            self.assertLessEqual(to - {raiser},
                                 self.addresses[proto["partnership"]],
                                 subject)
            kinds.setdefault(subject.split("] ", 1)[1].split(" ")[0],
                             []).append((subject, to))
        (resolved,) = kinds.pop("Resolved")
        self.assertEqual(resolved[1], people | {raiser, resolver},
                         resolved[0])
        for aid, holders in per.items():
            if holders:
                self.assertTrue(resolved[1] & holders, aid)
        # Whatever else the protocol sends on resolution (TWSP's debrief
        # and forms' copy) stays in the partnership, checked above.
        self.assertEqual([k for k in kinds if k not in RESOLUTION_EXTRAS],
                         [], kinds)

    def test_twsp(self):
        self.drive("twsp")

    def test_wsab(self):
        self.drive("wsab")

    def test_wscb(self):
        self.drive("wscb")

    def test_covid(self):
        self.drive("wsp-covid")


class Services(unittest.TestCase):
    """Wigan Council and GMP: children's contacts under WSCB, adults' under
    WSAB, the plain ones under the COVID protocol (both)."""

    WANT = {
        # stage 2's line_manager and safeguarding_lead.
        "wscb": {"cal.manager@wigan.example.gov.uk",
                 "safeguarding.children@wigan.example.gov.uk",
                 "lee.line@gmp.example.police.uk",
                 "child.protection@gmp.example.police.uk"},
        "wsab": {"sam.manager@wigan.example.gov.uk",
                 "safeguarding.adults@wigan.example.gov.uk",
                 "lee.line@gmp.example.police.uk",
                 "vulnerability.adults@gmp.example.police.uk"},
        # stage 2's safeguarding_lead.
        "wsp-covid": {"safeguarding.adults@wigan.example.gov.uk",
                      "public.protection@gmp.example.police.uk"},
    }

    def test_children_and_adults_contacts(self):
        with tempfile.TemporaryDirectory(prefix="escbot-services-") as tmp:
            with EscbotEnv(tmp) as env:
                now = "2026-11-23T10:00:00Z"
                for pid in ("wscb", "wsab"):
                    raiser, subject, body, _ = CASES[pid]
                    env.deliver(make_message(raiser, subject, body))
                env.deliver(make_message(
                    WIGAN_RAISER, "Resolution request",
                    COVID_FORM.replace("Safeguarding leads involved: No",
                                       "Safeguarding leads involved: Yes")))
                env.run("run", "--once", now=now)
                refs = {c["protocol"]: c["ref"] for c in env.cases(now=now)}
                self.assertEqual(sorted(refs), ["wsab", "wscb", "wsp-covid"])
                got = {}
                for m in env.sink.messages():
                    if "Stage 2 starts" in m["Subject"]:
                        ref = re.search(r"\[([^\]]+)\]", m["Subject"]).group(1)
                        got.setdefault(ref, set()).update(
                            r.lower() for r in m.rcpt_tos)
                for pid, want in self.WANT.items():
                    self.assertEqual(got.get(refs[pid]), want, pid)


if __name__ == "__main__":
    unittest.main()
