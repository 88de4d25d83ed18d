#!/usr/bin/python3
"""escbot's benchmark: prints figures, asserts nothing.  Run by bench/run.

(a) ingest: a private Dovecot (tests/lib) is loaded with BENCH_N form
    emails written straight into its Maildir; `escbot run --once` is timed
    with the SMTP sink present (fetch, parse, case, acknowledgement queued,
    message moved; then the acknowledgements sent), and the same mailbox
    is downloaded by mbsync into a local Maildir.  Both are forms/s.
(b) tick: databases with 100,000 and 1,000,000 open cases, made by escbot
    (schema) and sqlite3 (rows), next_wakeup spread over 30 days so that
    about one poll interval's worth is due; `escbot tick` is timed with the
    board's reports turned off, then (at the smallest size) the first tick
    of a week, which also builds the weekly report, apart.
(c) memory: peak RSS (VmHWM) of `escbot run` polling an empty mailbox,
    and of the ingest run above.
(d) reports: a database of BENCH_REPORT_CASES (100,000) cases opened over
    the year before the clock, in three protocols, with their stage
    history, escalations, pauses, answers (themes, lessons), planned
    actions, half of them resolved; `escbot digest --protocol twsp`
    (TWSP's report built and sent to its board) is timed for the last
    week and for this financial year so far, with its peak RSS and the
    size of the report email.

BENCH_PARTS (default "ingest idle tick report") picks the parts.

Everything lives in one temporary folder under /tmp, removed at the end
(KEEP=1 keeps it).
"""
import calendar
import html
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from email import policy
from email.message import EmailMessage

sys.dont_write_bytecode = True     # leave no __pycache__ in tests/lib
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "lib"))
from escbot_env import ESCBOT, EscbotEnv, MAILBOX   # noqa: E402
import blank_forms                                 # noqa: E402
import forms_fixtures as fx                        # noqa: E402

N = int(os.environ.get("BENCH_N", "5000"))
TICK_CASES = [int(x) for x in os.environ.get(
    "BENCH_TICK_CASES", "100000 1000000").replace(",", " ").split()]
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "12"))
REPORT_CASES = int(os.environ.get("BENCH_REPORT_CASES", "100000"))
PARTS = os.environ.get("BENCH_PARTS", "ingest idle tick report").split()
# A Tuesday, 10:00 in London: reminders go out in working hours.
TICK_NOW = "2026-12-01T10:00:00Z"
TICK_NOW_T = calendar.timegm(time.strptime(TICK_NOW, "%Y-%m-%dT%H:%M:%SZ"))
POLL = 60           # a production poll interval, for "due per tick"

TARGET_RATIO = 0.5
TARGET_TICK_MS = 200
TARGET_IDLE_MB = 10
TARGET_REPORT_MS = 1000


def say(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------- helpers

class Watched:
    """A child process whose stderr lines are time-stamped as they come and
    whose peak RSS is read from /proc (VmHWM) every 5 ms while it runs.
    (wait4()'s ru_maxrss is no use: Linux carries the parent's high-water
    mark at fork across the exec.)"""

    def __init__(self, argv):
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL)
        self.lines = []
        self.hwm_kb = 0
        self._r = threading.Thread(target=self._read, daemon=True)
        self._r.start()

    def _read(self):
        for raw in self.p.stderr:
            self.lines.append((time.monotonic() - self.t0,
                               raw.decode("utf-8", "replace").rstrip("\n")))

    def status(self, key):
        try:
            with open("/proc/%d/status" % self.p.pid) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def wait(self, timeout=None):
        """Exit status; self.elapsed and self.hwm_kb are set."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pid, st, ru = os.wait4(self.p.pid, os.WNOHANG)
            if pid == self.p.pid:
                break
            self.hwm_kb = max(self.hwm_kb, self.status("VmHWM"))
            if deadline is not None and time.monotonic() > deadline:
                self.p.kill()
                pid, st, ru = os.wait4(self.p.pid, 0)
                break
            time.sleep(0.005)
        self.elapsed = time.monotonic() - self.t0
        self.p.returncode = os.waitstatus_to_exitcode(st)
        self._r.join(5)
        self.p.stderr.close()
        return self.p.returncode

    def first(self, pattern):
        """Time of the first stderr line matching pattern, or None."""
        rx = re.compile(pattern)
        for t, line in self.lines:
            if rx.search(line):
                return t
        return None

    def count(self, pattern):
        rx = re.compile(pattern)
        return sum(1 for _, line in self.lines if rx.search(line))


def timed(argv, **kw):
    w = Watched(argv)
    rc = w.wait(**kw)
    if rc != 0:
        tail = "\n".join(line for _, line in w.lines[-15:])
        raise RuntimeError("%s exited %d\n%s" % (" ".join(argv), rc, tail))
    return w


def write_config(env, path, db, extra=""):
    """A copy of env's escbot.conf with another database."""
    with open(env.config) as f:
        text = f.read()
    text = re.sub(r'(?m)^database = "[^"]*";', 'database = "%s";' % db, text)
    with open(path, "w") as f:
        f.write(text + extra)
    return path


def sql1(db, q):
    c = sqlite3.connect(db)
    try:
        return c.execute(q).fetchone()[0]
    finally:
        c.close()


def mb(kb):
    return kb / 1024.0


# ---------------------------------------------------------------- (a) ingest

SENDER_DOMAINS = ["telford.example.gov.uk", "wigan.example.gov.uk",
                  "wwl.example.nhs.uk", "gmp.example.police.uk",
                  "westmercia.example.police.uk"]


KINDS = ("text", "text", "text", "html", "word")


def word_form(i):
    """The Word-made TWSP referral fixture (label and answer cells in
    pairs, text boxes, a numbered list) with its own reference and name."""
    src = os.path.join(fx.FIXTURES, "docx", "twsp-referral-word.docx")
    return blank_forms.edit_document(src, lambda xml: xml.replace(
        "TW-654321", "TW-W%07d" % i).replace("Casey Example",
                                             "Casey Example %d" % i))


def html_form(body):
    """Outlook's HTML of a form pasted as a table: a label cell and an
    answer cell a row (MsoNormalTable), other lines as MsoNormal
    paragraphs."""
    rows, paras = [], []
    for line in body.split("\n"):
        label, sep, value = line.partition(": ")
        if sep and len(label) < 200:
            rows.append("<tr><td width=200 valign=top style='border:solid "
                        "windowtext 1.0pt;padding:0cm 5.4pt'><p class=MsoNormal>"
                        "%s:<o:p></o:p></p></td><td valign=top style='border:"
                        "solid windowtext 1.0pt;padding:0cm 5.4pt'><p "
                        "class=MsoNormal>%s<o:p></o:p></p></td></tr>"
                        % (html.escape(label), html.escape(value)))
        else:
            if rows:
                paras.append("<table class=MsoNormalTable border=1 "
                             "cellspacing=0 cellpadding=0>%s</table>"
                             % "".join(rows))
                rows = []
            paras.append("<p class=MsoNormal>%s<o:p></o:p></p>"
                         % (html.escape(line) or "&nbsp;"))
    if rows:
        paras.append("<table class=MsoNormalTable>%s</table>" % "".join(rows))
    return ("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head>"
            "<meta http-equiv=\"Content-Type\" content=\"text/html; "
            "charset=utf-8\"></head><body lang=EN-GB><div class=WordSection1>"
            "%s</div></body></html>" % "\n".join(paras))


def form_email(i):
    """Form email number i, a mix like the mail a partnership gets: pasted
    text in three layouts, Outlook HTML with the form as a table, and the
    Word form attached; each with its own people and references so that
    every one opens a case of its own."""
    kind = i % len(KINDS)
    attach = None
    if kind in (0, 3):
        body = (fx.TWSP_INLINE.replace("TW-48213", "TW-%07d" % i)
                .replace("Alex Example", "Alex Example %d" % i))
        subject = "Resolution and Escalation Referral"
    elif kind == 1:
        body = (fx.TWSP_LINES.replace("TW-50991", "TW-B%07d" % i)
                .replace("Morgan Placeholder", "Morgan Placeholder %d" % i))
        subject = "Escalation form attached below"
    elif kind == 2:
        body = fx.WSAB_LINES.replace("Jamie Testperson",
                                     "Jamie Testperson %d" % i)
        subject = "Resolution seeking proforma"
    else:
        body = "Please find the referral form attached.\n\nKind regards\n"
        subject = "Referral - form attached"
        attach = word_form(i)
    dom = SENDER_DOMAINS[i % len(SENDER_DOMAINS)]
    sender = "Practitioner %d <practitioner%d@%s>" % (i % 400, i % 400, dom)
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = sender
    m["To"] = MAILBOX
    m["Subject"] = subject
    m["Message-ID"] = "<bench-%d-%d@%s>" % (os.getpid(), i, dom)
    m["Date"] = "Tue, 01 Dec 2026 09:%02d:%02d +0000" % (i // 60 % 60, i % 60)
    m.set_content(body, charset="utf-8", cte="quoted-printable")
    if KINDS[kind] == "html":
        m.add_alternative(html_form(body), subtype="html", charset="utf-8",
                          cte="quoted-printable")
    if attach is not None:
        m.add_attachment(attach, maintype="application", subtype=(
            "vnd.openxmlformats-officedocument.wordprocessingml.document"),
            filename="Referral form %d.docx" % i)
    return m.as_bytes()


# The person each form names, with its number: what a form read right
# gives back exactly (the field and the name per kind of form_email()).
PERSON = {0: ("individual_name", "Alex Example %d"),
          1: ("individual_name", "Morgan Placeholder %d"),
          2: ("adult1_name", "Jamie Testperson %d"),
          3: ("individual_name", "Alex Example %d"),
          4: ("individual_name", "Casey Example %d")}


def read_rate(db, n):
    """How many of the n form emails of each kind opened a case whose
    person was read exactly, by kind: {kind: (read, sent)}."""
    c = sqlite3.connect(db)
    try:
        got = {(name, value) for name, value in c.execute(
            "SELECT name, value FROM case_fields WHERE name IN "
            "('individual_name', 'adult1_name')")}
    finally:
        c.close()
    rate = {}
    for i in range(n):
        field, fmt = PERSON[i % len(KINDS)]
        r = rate.setdefault(KINDS[i % len(KINDS)], [0, 0])
        r[1] += 1
        r[0] += (field, fmt % i) in got
    return rate


def load_maildir(env, n):
    """Write n messages into the INBOX Maildir of Dovecot's user."""
    root = os.path.join(env.dovecot.dir, "mail", env.dovecot.user)
    uid, gid = env.dovecot.uid, env.dovecot.gid
    for sub in ("", "cur", "new", "tmp"):
        d = os.path.join(root, sub)
        os.makedirs(d, exist_ok=True)
        os.chown(d, uid, gid)
        os.chmod(d, 0o700)
    base = int(time.time())
    size = 0
    for i in range(n):
        raw = form_email(i)
        size += len(raw)
        name = "%d.M%06dP%d.bench,S=%d" % (base, i, os.getpid(), len(raw))
        tmp = os.path.join(root, "tmp", name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chown(tmp, uid, gid)
        os.rename(tmp, os.path.join(root, "new", name))
    return size


def warm_index(env):
    """Let Dovecot index the new mail (both clients then start alike)."""
    m = env.dovecot._connect()
    try:
        typ, data = m.select("INBOX", readonly=True)
        count = int(data[0])
        if count:
            m.fetch("1:*", "(UID FLAGS RFC822.SIZE)")
    finally:
        m.logout()
    return count


def imap_count(env, folder):
    m = env.dovecot._connect()
    try:
        typ, data = m.status('"%s"' % folder, "(MESSAGES)")
        if typ != "OK":
            return 0
        return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
    finally:
        m.logout()


def move_cost(env, folder, k=200):
    """ms per message of Dovecot's UID MOVE, one message per command and
    k per command (moving from folder to a scratch folder)."""
    m = env.dovecot._connect()
    try:
        m.create("BenchScratch")
        m.select('"%s"' % folder)
        uids = m.uid("SEARCH", None, "ALL")[1][0].split()
        if len(uids) < 2 * k:
            k = len(uids) // 2
        if k == 0:
            return None
        t = time.monotonic()
        for u in uids[:k]:
            m.uid("MOVE", u, "BenchScratch")
        one = (time.monotonic() - t) / k
        t = time.monotonic()
        m.uid("MOVE", b",".join(uids[k:2 * k]), "BenchScratch")
        batch = (time.monotonic() - t) / k
        return one * 1000, batch * 1000, k
    finally:
        m.logout()


def run_mbsync(env, tmp):
    near = os.path.join(tmp, "mbsync")
    os.makedirs(near)
    secret = os.path.join(tmp, "imap.secret")
    conf = os.path.join(tmp, "mbsyncrc")
    with open(conf, "w") as f:
        f.write(
            "IMAPAccount bench\n"
            "Host 127.0.0.1\n"
            "Port %d\n"
            "User %s\n"
            "PassCmd \"cat %s\"\n"
            "SSLType None\n"
            "AuthMechs LOGIN\n"
            "\n"
            "IMAPStore far\n"
            "Account bench\n"
            "\n"
            "MaildirStore near\n"
            "Path %s/\n"
            "Inbox %s/INBOX\n"
            "\n"
            "Channel bench\n"
            "Far :far:INBOX\n"
            "Near :near:INBOX\n"
            "Sync Pull\n"
            "Create Near\n"
            "SyncState *\n"
            % (env.dovecot.port, env.dovecot.user, secret, near, near))
    w = timed(["mbsync", "-q", "-c", conf, "bench"], timeout=1800)
    got = sum(len(os.listdir(os.path.join(near, "INBOX", d)))
              for d in ("cur", "new"))
    return w, got


def bench_ingest(env, tmp, results):
    mix = {}
    for i in range(N):
        mix[KINDS[i % len(KINDS)]] = mix.get(KINDS[i % len(KINDS)], 0) + 1
    say("== (a) ingest: %d form emails (%s)" % (N, ", ".join(
        "%d %s" % (v, k if k != "word" else "Word attached")
        for k, v in sorted(mix.items(), key=lambda kv: -kv[1]))))
    t = time.monotonic()
    size = load_maildir(env, N)
    say("   written into the Maildir: %.1f MB in %.1f s"
        % (size / 1e6, time.monotonic() - t))
    t = time.monotonic()
    count = warm_index(env)
    say("   Dovecot indexed %d messages in %.1f s (not counted)"
        % (count, time.monotonic() - t))

    w, got = run_mbsync(env, tmp)
    mb_rate = got / w.elapsed
    say("   mbsync: %d messages downloaded in %.2f s: %.0f msg/s, peak RSS "
        "%.1f MB" % (got, w.elapsed, mb_rate, mb(w.hwm_kb)))

    cfg = timed([ESCBOT, "-c", env.config, "check-config"])
    say("   escbot check-config (fixed start-up cost): %.0f ms"
        % (cfg.elapsed * 1000))
    w = Watched([ESCBOT, "-c", env.config, "run", "--once"])
    rc = w.wait(timeout=3600)
    if rc != 0:
        say("   escbot run --once exited %d:" % rc)
        for _, line in w.lines[-10:]:
            say("     " + line)
    db = env.db
    cases = sql1(db, "SELECT COUNT(*) FROM cases")
    acks = sql1(db, "SELECT COUNT(*) FROM outbox WHERE template = 'ack'")
    sent = sql1(db, "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'")
    pending = sql1(db, "SELECT COUNT(*) FROM deliveries WHERE state != 'sent'")
    first_send = w.first(r"info: sent ")
    ingest_s = first_send if first_send is not None else w.elapsed
    ingest_rate = cases / ingest_s if ingest_s else 0
    total_rate = cases / w.elapsed
    say("   escbot run --once: %.2f s in all, exit %d" % (w.elapsed, rc))
    say("     fetch + parse + case + ack queued + move: %.2f s, %d cases: "
        "%.0f forms/s" % (ingest_s, cases, ingest_rate))
    done = [t for t, line in w.lines if re.search(r"info: uid \d+: ", line)]
    if len(done) >= 4:
        q = len(done) // 4
        first = q / max(done[q - 1], 1e-9)
        last = q / max(done[-1] - done[-q - 1], 1e-9)
        say("     first quarter of the messages %.0f/s, last quarter %.0f/s"
            % (first, last))
    say("     then %d acknowledgements sent to the sink in %.2f s "
        "(%.0f/s; %d others still queued: held to working hours or not "
        "yet due)" % (sent, w.elapsed - ingest_s,
                                   sent / max(w.elapsed - ingest_s, 1e-9),
                                   pending))
    say("     overall, sending included: %.0f forms/s" % total_rate)
    say("     peak RSS (VmHWM): %.1f MB" % mb(w.hwm_kb))
    say("   mailbox after: INBOX %d, Processed %d, Rejected %d; acks queued %d"
        % (imap_count(env, "INBOX"), imap_count(env, "Processed"),
           imap_count(env, "Rejected"), acks))
    if cases != N:
        say("   NOTE: %d of %d forms became cases" % (cases, N))
    rate = read_rate(db, N)
    read = sum(r for r, _ in rate.values())
    say("   read rate (a case opened, its person read exactly): %d of %d "
        "(%.1f%%): %s" % (read, N, 100.0 * read / max(N, 1), ", ".join(
            "%s %d/%d" % ("Word attached" if k == "word" else k, r, t)
            for k, (r, t) in sorted(rate.items(), key=lambda kv: -kv[1][1]))))
    results["read_rate"] = (read, N)
    mc = move_cost(env, "Processed")
    if mc:
        say("   for comparison, Dovecot's UID MOVE here: %.2f ms a message "
            "one per command, %.3f ms a message %d per command; escbot "
            "took %.2f ms a form" % (mc[0], mc[1], mc[2],
                                      ingest_s * 1000 / max(cases, 1)))
    ratio = ingest_rate / mb_rate if mb_rate else 0
    results["ingest"] = (ingest_rate, total_rate, mb_rate, ratio)
    results["rss_ingest"] = w.hwm_kb


# ---------------------------------------------------------------- (c) idle

def bench_idle(env, tmp, results):
    say("== (c) idle: escbot run polling an empty mailbox for %.0f s"
        % IDLE_SECONDS)
    conf = write_config(env, os.path.join(tmp, "idle.conf"),
                        os.path.join(tmp, "idle.db"))
    w = Watched([ESCBOT, "-c", conf, "run"])
    try:
        time.sleep(IDLE_SECONDS)
        hwm, rss = w.status("VmHWM"), w.status("VmRSS")
        anon, filed = w.status("RssAnon"), w.status("RssFile")
    finally:
        w.p.send_signal(signal.SIGTERM)
        rc = w.wait(timeout=60)
    polls = sql1(os.path.join(tmp, "idle.db"),
                 "SELECT COUNT(*) FROM mailbox")
    say("   VmHWM %.1f MB, VmRSS %.1f MB (RssAnon %.1f MB, RssFile %.1f MB: "
        "shared libraries); stopped by SIGTERM, exit %d%s"
        % (mb(hwm), mb(rss), mb(anon), mb(filed), rc,
           "" if polls else " (never polled!)"))
    results["rss_idle"] = hwm


# ---------------------------------------------------------------- (b) tick

def make_cases_db(env, tmp, n):
    db = os.path.join(tmp, "tick-%d.db" % n)
    # Ticks are timed without the board's reports, which are built on the
    # first tick of a week (or quarter); the digest is timed apart.
    conf = write_config(env, os.path.join(tmp, "tick-%d.conf" % n), db,
                        "digest = { periods = [ ]; };\n")
    digest_conf = write_config(env, os.path.join(tmp, "digest-%d.conf" % n),
                               db)
    timed([ESCBOT, "-c", conf, "cases"])          # creates the schema
    # Next wake-ups spread evenly over [now - POLL, now + 30 days): about
    # n * POLL / 30 days are due, what one poll of a busy box meets.  The
    # due ones have a deadline the next day, so their reminder is due.
    span = 30 * 86400
    sqlscript = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}),
r AS (SELECT i, (i * 2654435761) % {span} AS off, i % 3 AS p FROM s)
INSERT INTO cases (ref, protocol, form, stage_idx, status, urgent, opened_at,
  stage_started_at, due_at, next_wakeup, raised_by, raised_name, agencies,
  thread_id)
SELECT
  printf('%s-2025-%07d', CASE p WHEN 0 THEN 'TWSP' WHEN 1 THEN 'WSAB'
                                ELSE 'WSCB' END, i),
  CASE p WHEN 0 THEN 'twsp' WHEN 1 THEN 'wsab' ELSE 'wscb' END,
  CASE p WHEN 0 THEN 'twsp-referral' WHEN 1 THEN 'wsab-proforma'
         ELSE 'wscb-agency-report' END,
  0, CASE WHEN i % 20 = 0 THEN 'paused' ELSE 'open' END, i % 50 = 0,
  {now} - 86400 * (1 + i % 40), {now} - 86400 * (1 + i % 40),
  {now} - {poll} + off + 86400,
  {now} - {poll} + off,
  printf('practitioner%d@%s', i % 400,
         CASE p WHEN 0 THEN 'telford.example.gov.uk'
                ELSE 'wigan.example.gov.uk' END),
  printf('Practitioner %d', i % 400),
  CASE p WHEN 0 THEN 'tw-council,west-mercia' ELSE 'wigan-council,gmp' END,
  printf('<case-%d@bench.example>', i)
FROM r;
UPDATE cases SET paused_at = opened_at WHERE status = 'paused';
COMMIT;
""".format(n=n, span=span, now=TICK_NOW_T, poll=POLL)
    t = time.monotonic()
    p = subprocess.run(["sqlite3", db], input=sqlscript, text=True,
                       capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("sqlite3: %s" % p.stderr)
    took = time.monotonic() - t
    # sqlite3 wrote the rows with synchronous=OFF: put them on disk now, or
    # escbot's first checkpoint (an fsync of the database file) would be
    # timed flushing the benchmark's own 300 MB.
    fd = os.open(db, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    due = sql1(db, "SELECT COUNT(*) FROM cases WHERE status != 'resolved' "
               "AND next_wakeup > 0 AND next_wakeup <= %d" % TICK_NOW_T)
    return db, conf, digest_conf, took, due


def tick_once(conf, now):
    w = timed([ESCBOT, "-c", conf, "--now", now, "tick"], timeout=1800)
    first_send = w.first(r"info: sent ")
    w.work = first_send if first_send is not None else w.elapsed
    w.sent = w.count(r"info: sent ")
    w.events = w.count(r"info: case ")
    return w


def bench_tick(env, tmp, results):
    for k, n in enumerate(TICK_CASES):
        say("== (b) tick with %d open cases" % n)
        db, conf, digest_conf, took, due = make_cases_db(env, tmp, n)
        say("   database made with sqlite3 in %.1f s: %.0f MB, %d due at %s"
            % (took, os.path.getsize(db) / 1e6, due, TICK_NOW))
        base = timed([ESCBOT, "-c", conf, "--now", TICK_NOW, "check-config"])
        w1 = tick_once(conf, TICK_NOW)
        w2 = tick_once(conf, TICK_NOW)
        say("   escbot tick: %.0f ms in all: %d due cases ticked, %d events, "
            "emails queued in %.0f ms; then %d sent in %.0f ms; peak RSS "
            "%.1f MB" % (w1.elapsed * 1000, due, w1.events, w1.work * 1000,
                         w1.sent, (w1.elapsed - w1.work) * 1000, mb(w1.hwm_kb)))
        say("   escbot tick again (nothing due): %.0f ms; peak RSS %.1f MB"
            % (w2.elapsed * 1000, mb(w2.hwm_kb)))
        say("   (loading config, rules, forms, templates alone: %.0f ms)"
            % (base.elapsed * 1000))
        digest = None
        if k == 0:
            # The week's first tick also builds the board's digest, which
            # reads every case: timed once, at the smallest size (it grows
            # linearly, and 1M cases take GBs of memory).
            outbox0 = sql1(db, "SELECT COALESCE(MAX(id), 0) FROM outbox")
            w0 = tick_once(digest_conf, TICK_NOW)
            count, size = sql1(db, "SELECT COUNT(*) || ' ' || "
                               "COALESCE(MAX(LENGTH(data)), 0) FROM outbox "
                               "WHERE id > %d AND template LIKE 'digest%%'"
                               % outbox0).split()
            say("   first tick of the week, with the board's digest: %.0f ms,"
                " peak RSS %.0f MB; %s report email(s), largest %.1f MB"
                % (w0.elapsed * 1000, mb(w0.hwm_kb), count, int(size) / 1e6))
            digest = (w0.elapsed, w0.hwm_kb, int(size))
        results.setdefault("tick", []).append(
            (n, due, w1.elapsed, w1.work, w1.sent, w2.elapsed, digest))
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)


# ---------------------------------------------------------------- (d) reports

REPORT_SQL = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}),
r AS (SELECT i, i % 3 AS p,
  {now} - 86400 * 366 + (i * 86400 * 366) / {n} AS t FROM s)
INSERT INTO cases (id, ref, protocol, form, stage_idx, status, urgent,
  opened_at, stage_started_at, due_at, paused_at, next_wakeup, raised_by,
  raised_name, agencies, thread_id, resolved_at, resolved_level)
SELECT i,
  printf('%s-2026-%07d', CASE p WHEN 0 THEN 'TWSP' WHEN 1 THEN 'WSAB'
                                ELSE 'WSCB' END, i),
  CASE p WHEN 0 THEN 'twsp' WHEN 1 THEN 'wsab' ELSE 'wscb' END,
  CASE p WHEN 0 THEN 'twsp-referral' WHEN 1 THEN 'wsab-proforma'
         ELSE 'wscb-agency-report' END,
  i % 4,
  CASE WHEN i % 2 = 0 THEN 'resolved' WHEN i % 20 = 1 THEN 'paused'
       ELSE 'open' END,
  i % 50 = 0, t, t + 86400 * (i % 4), t + 86400 * (2 + i % 10),
  CASE WHEN i % 20 = 1 THEN t + 86400 * 3 ELSE 0 END,
  t + 86400 * (1 + i % 10),
  printf('practitioner%d@%s', i % 400,
         CASE i % 5 WHEN 0 THEN 'telford.example.gov.uk'
                    WHEN 1 THEN 'wigan.example.gov.uk'
                    WHEN 2 THEN 'wwl.example.nhs.uk'
                    WHEN 3 THEN 'gmp.example.police.uk'
                    ELSE 'westmercia.example.police.uk' END),
  printf('Practitioner %d', i % 400),
  CASE p WHEN 0 THEN 'tw-council,west-mercia' ELSE 'wigan-council,gmp' END,
  printf('<case-%d@bench.example>', i),
  CASE WHEN i % 2 = 0 THEN t + 86400 * (1 + i % 20) ELSE 0 END,
  CASE WHEN i % 2 = 0 THEN 1 + i % 3 ELSE 0 END
FROM r;
INSERT INTO stages (case_id, stage_idx, entered_at, due_at)
  SELECT id, 0, opened_at, opened_at + 2 * 86400 FROM cases;
INSERT INTO stages (case_id, stage_idx, entered_at, due_at)
  SELECT id, stage_idx, stage_started_at, due_at FROM cases
  WHERE stage_idx > 0;
INSERT INTO events (case_id, at, actor, kind, detail)
  SELECT id, opened_at, 'escbot', 'opened', 'opened' FROM cases;
INSERT INTO events (case_id, at, actor, kind, detail)
  SELECT id, stage_started_at, 'escbot', 'escalated',
         'deadline passed: escalated' FROM cases WHERE stage_idx > 0;
INSERT INTO events (case_id, at, actor, kind, detail)
  SELECT id, paused_at, 'lead@wigan.example.gov.uk', 'paused',
         'paused at stage 1: awaiting the strategy meeting'
  FROM cases WHERE status = 'paused';
INSERT INTO case_fields (case_id, name, value, personal)
  SELECT id, 'concern', CASE id % 4
    WHEN 0 THEN 'Information not shared before the strategy discussion'
    WHEN 1 THEN 'Threshold for a service assessment disputed'
    WHEN 2 THEN 'No response to emails; agreed actions not completed'
    ELSE 'Case closed without a discharge plan' END, 0 FROM cases;
INSERT INTO case_fields (case_id, name, value, personal)
  SELECT id, 'child_name', printf('Child %d', id), 1 FROM cases;
INSERT INTO case_fields (case_id, name, value, personal)
  SELECT id, 'lessons_details', 'Earlier contact between managers',
         0 FROM cases WHERE status = 'resolved' AND id % 10 = 0;
INSERT INTO actions (case_id, num, action, owner, purpose, due_at)
  SELECT id, 1, 'Share the chronology', 'GMP, Officer Example',
         'so that both agencies work from one record',
         opened_at + 5 * 86400 FROM cases WHERE id % 10 = 3;
COMMIT;
"""


def make_report_db(env, tmp, n):
    db = os.path.join(tmp, "report-%d.db" % n)
    conf = write_config(env, os.path.join(tmp, "report-%d.conf" % n), db,
                        "digest = { periods = [ ]; };\n")
    timed([ESCBOT, "-c", conf, "cases"])          # creates the schema
    p = subprocess.run(["sqlite3", db], input=REPORT_SQL.format(
        n=n, now=TICK_NOW_T), text=True, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("sqlite3: %s" % p.stderr)
    fd = os.open(db, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return db, conf


def bench_report(env, tmp, results):
    n = REPORT_CASES
    say("== (d) reports over %d cases" % n)
    t = time.monotonic()
    db, conf = make_report_db(env, tmp, n)
    say("   database made with sqlite3 in %.1f s: %.0f MB"
        % (time.monotonic() - t, os.path.getsize(db) / 1e6))
    base = timed([ESCBOT, "-c", conf, "--now", TICK_NOW, "check-config"])
    # One partnership's report, as its board gets it (TWSP: a third of
    # the cases).
    for label, args in (("last week", ["--period", "week"]),
                        ("this year so far", ["--period", "year",
                                              "--current"])):
        args = ["--protocol", "twsp"] + args
        outbox0 = sql1(db, "SELECT COALESCE(MAX(id), 0) FROM outbox")
        w = timed([ESCBOT, "-c", conf, "--now", TICK_NOW, "digest"] + args,
                  timeout=1800)
        count, size = sql1(db, "SELECT COUNT(*) || ' ' || "
                           "COALESCE(MAX(LENGTH(data)), 0) FROM outbox "
                           "WHERE id > %d AND template = 'digest'"
                           % outbox0).split()
        say("   digest, %s: %.0f ms (start-up alone %.0f ms), peak RSS "
            "%.1f MB; %s report email(s), largest %.2f MB"
            % (label, w.elapsed * 1000, base.elapsed * 1000, mb(w.hwm_kb),
               count, int(size) / 1e6))
        results.setdefault("report", []).append(
            (label, w.elapsed, w.hwm_kb, int(size)))
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)


# ---------------------------------------------------------------- report

def verdict(ok):
    return "PASS" if ok else "MISS"


def report(results):
    rows = []
    if "ingest" in results:
        ing, tot, mbs, ratio = results["ingest"]
        rows.append(("escbot ingest (to ack queued)", "%.0f forms/s" % ing,
                     "", ""))
        rows.append(("escbot run --once, sends incl.", "%.0f forms/s" % tot,
                     "", ""))
        rows.append(("mbsync download", "%.0f forms/s" % mbs, "", ""))
        rows.append(("ratio escbot/mbsync", "%.2f" % ratio,
                     ">= %.1f" % TARGET_RATIO,
                     verdict(ratio >= TARGET_RATIO)))
    for n, due, t1, w1, s1, t2, digest in results.get("tick", []):
        rows.append(("tick, %s open, %d due" % (human(n), due),
                     "%.0f ms" % (w1 * 1000), "< %d ms" % TARGET_TICK_MS,
                     verdict(w1 * 1000 < TARGET_TICK_MS)))
        rows.append(("  same, + sending %d emails" % s1,
                     "%.0f ms" % (t1 * 1000), "", ""))
        rows.append(("  next tick, nothing due", "%.0f ms" % (t2 * 1000),
                     "< %d ms" % TARGET_TICK_MS,
                     verdict(t2 * 1000 < TARGET_TICK_MS)))
        if digest:
            rows.append(("  tick + weekly digest", "%.0f ms" % (digest[0] * 1000),
                         "", "(%.0f MB RSS)" % mb(digest[1])))
    for label, secs, hwm, size in results.get("report", []):
        rows.append(("report, %s, of %s cases" % (label, human(REPORT_CASES)),
                     "%.0f ms" % (secs * 1000), "< %d ms" % TARGET_REPORT_MS,
                     verdict(secs * 1000 < TARGET_REPORT_MS)))
        rows.append(("  peak RSS; largest email", "%.1f MB; %.2f MB"
                     % (mb(hwm), size / 1e6), "", ""))
    if "rss_idle" in results:
        rows.append(("peak RSS, daemon idle", "%.1f MB"
                     % mb(results["rss_idle"]), "< %d MB" % TARGET_IDLE_MB,
                     verdict(mb(results["rss_idle"]) < TARGET_IDLE_MB)))
    if "rss_ingest" in results:
        rows.append(("peak RSS, ingesting %d" % N, "%.1f MB"
                     % mb(results["rss_ingest"]), "", ""))
    w = [max(len(r[i]) for r in rows + [("measure", "value", "target",
                                          "")]) for i in range(4)]
    say("")
    say("%-*s  %*s  %-*s  %s" % (w[0], "measure", w[1], "value", w[2],
                                 "target", "result"))
    say("%s  %s  %s  %s" % ("-" * w[0], "-" * w[1], "-" * w[2], "------"))
    for r in rows:
        say("%-*s  %*s  %-*s  %s" % (w[0], r[0], w[1], r[1], w[2], r[2],
                                     r[3]))


def human(n):
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def main():
    if not os.access(ESCBOT, os.X_OK):
        say("bench: %s is not built (make)" % ESCBOT)
        return 1
    say("escbot benchmark: %d forms, tick at %s open cases, %d CPUs"
        % (N, ", ".join(human(n) for n in TICK_CASES), os.cpu_count()))
    tmp = tempfile.mkdtemp(prefix="escbot-bench-", dir="/tmp")
    env = EscbotEnv(tmp)
    results = {}
    t0 = time.monotonic()
    try:
        env.start()
        for name, part in (("ingest", bench_ingest), ("idle", bench_idle),
                           ("tick", bench_tick), ("report", bench_report)):
            if name not in PARTS:
                continue
            try:
                part(env, tmp, results)
            except (RuntimeError, OSError, sqlite3.Error) as e:
                # One part failing (e.g. escbot refusing a configuration
                # being edited) leaves the others' figures standing.
                say("   FAILED: %s" % str(e).strip().replace("\n", "\n   "))
                results["failed"] = True
    except KeyboardInterrupt:
        say("bench: interrupted")
        return 130
    finally:
        env.stop()
        if os.environ.get("KEEP"):
            say("(kept in %s)" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report(results)
    if results.get("failed"):
        say("(a part of the benchmark failed: see FAILED above)")
    say("\n(%.0f s in all; figures from one run on this machine, warm page "
        "cache)" % (time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
