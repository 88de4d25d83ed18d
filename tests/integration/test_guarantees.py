"""escbot's guarantees (shared/DESIGN.md, "Guarantees"), each proved
against a real Dovecot and SMTP sink, and the bugs other ticket systems
shipped, each a test named after the behaviour it checks (where it came
from is in its docstring):

- crash safety: a batch of forms, escbot SIGKILLed 50+ times at every
  stage (fetch, parse, commit, move, send -- including with an SMTP
  server slow enough that sends are in flight), then run to completion:
  every form is one case, every message is in Processed or Rejected,
  every email called for went out, and a duplicate is always the same
  Message-ID;
- one instance per database; SIGTERM stops the daemon promptly with 0;
- mail that cannot be processed is kept, never deleted (from Znuny);
- nothing is imported or answered twice, after an interrupted fetch, a
  UIDVALIDITY change or a re-delivery (from Zammad and osTicket);
- auto-replies, bounces and escbot's own mail are never answered (from
  osTicket's auto-reply loops);
- deadlines across the clock changes (from OTRS).

Time is always given with --now, except in the daemon tests, which only
depend on the acknowledgement (never held back by working hours).
ESCBOT_CRASH_SEED=N replays the crash tests' kill plans with another seed;
ESCBOT_TEST_VERBOSE=1 prints where the kills landed, ESCBOT_CRASH_TRACE=1
every run; ESCBOT_BIN=PATH runs against another build of escbot.
"""
import calendar
import hashlib
import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from guarantees_kit import (EnvTestCase, census, census_total,  # noqa: E402
                            change_uidvalidity, db_rows, make_message,
                            message_id_of, move_all, parse_iso, twsp_inline,
                            twsp_lines, twsp_missing, wait_until, wsab_lines,
                            MAILBOX)

NOW = "2026-11-23T10:00:00Z"          # a Monday, in working hours
SEED = int(os.environ.get("ESCBOT_CRASH_SEED", "20261123"))
VERBOSE = os.environ.get("ESCBOT_TEST_VERBOSE") == "1"
TRACE = os.environ.get("ESCBOT_CRASH_TRACE") == "1"
MAILBOX_ADDR = MAILBOX


def sha(raw):
    return hashlib.sha256(raw).hexdigest()


def to_whom(sink, addr):
    """Messages delivered to addr (envelope), in arrival order."""
    return sink.messages(rcpt=addr)


Base = EnvTestCase


# --------------------------------------------------------------- crashes

class KillPlan:
    def __init__(self, kind, label, delay=0.0, pattern=None, nth=1,
                 stop=None):
        self.kind, self.label = kind, label
        self.delay, self.nth = delay, nth
        self.pattern = re.compile(pattern) if pattern else None
        self.stop = re.compile(stop) if stop else None


class CrashSafety(Base):
    """SIGKILL at random moments never loses a form, never opens a second
    case, never loses or doubles an email (beyond an in-flight resend with
    the same Message-ID)."""

    SINK_DELAY = 0.25      # the sink holds its 250 to DATA this long
    IMAP_LATENCY = 0.004   # and Dovecot's answers come this much later
    MIN_KILLS = 50

    def batch(self):
        items = []

        def add(kind, sender, subject, body, protocol=None, headers=None):
            n = len(items) + 1
            msgid = "<crash-%02d.%d@%s>" % (n, SEED, sender.split("@")[1])
            raw = make_message(sender, subject, body, msgid=msgid,
                               headers=headers)
            items.append(dict(kind=kind, sender=sender, subject=subject,
                              raw=raw, msgid=msgid, protocol=protocol))

        add("case", "avery.one@telford.example.gov.uk", "Referral 1",
            twsp_inline("TW-61001", "Avery Firstcase"), "twsp")
        add("case", "blake.two@telford.example.gov.uk", "Referral 2",
            twsp_inline("TW-61002", "Blake Secondcase"), "twsp")
        add("case", "robin.three@wigan.example.gov.uk", "Proforma 3",
            wsab_lines("Carmen Thirdcase"), "wsab")
        add("no-form", "quinn.asks@telford.example.gov.uk",
            "Question about escalating", "Can I escalate a case by phone?")
        add("case", "dr.four@sath.example.nhs.uk", "Referral 4",
            twsp_lines("TW-62004", "Dana Fourthcase"), "twsp")
        add("case", "robin.five@wigan.example.gov.uk", "Proforma 5",
            wsab_lines("Ellis Fifthcase"), "wsab")
        add("reject", "pc.six@westmercia.example.police.uk",
            "Escalation 6 (incomplete)", twsp_missing("TW-66006"))
        add("case", "frankie.seven@telford.example.gov.uk", "Referral 7",
            twsp_inline("TW-61007", "Frankie Seventhcase"), "twsp")
        add("stranger", "someone.eight@gmail.example.com", "Referral 8",
            twsp_inline("TW-61008", "Gale Eighthcase"))
        add("case", "dr.nine@sath.example.nhs.uk", "Referral 9",
            twsp_lines("TW-62009", "Harper Ninthcase"), "twsp")
        add("auto", "lee.away@telford.example.gov.uk",
            "Automatic reply: Referral", "I am out of the office.",
            headers={"Auto-Submitted": "auto-replied"})
        add("case", "robin.twelve@wigan.example.gov.uk", "Proforma 12",
            wsab_lines("Indy Twelfthcase"), "wsab")
        return items

    # -- one escbot run, killed according to plan

    def run_and_kill(self, env, plan, args=("run", "--once"), now=NOW):
        """Returns (killed, stderr text)."""
        argv = env.argv("-v", *args, now=now)
        q = queue.Queue()
        sink_dir = env.sink.maildir
        before = sum(1 for n in os.listdir(sink_dir) if n.endswith(".json"))
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True,
                             errors="replace", start_new_session=True)
        lines = []

        def reader():
            for line in p.stderr:
                lines.append(line)
                q.put(line)
            q.put(None)
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        try:
            deadline = time.monotonic() + 30
            if plan.kind == "timed":
                try:
                    p.wait(plan.delay)
                except subprocess.TimeoutExpired:
                    p.send_signal(signal.SIGKILL)
            elif plan.kind == "line":
                seen = 0
                while True:
                    line = q.get(timeout=max(0.1, deadline - time.monotonic()))
                    if line is None:
                        break
                    if plan.stop and plan.stop.search(line):
                        # The moment waited for never came: the run got
                        # as far as sending; stop it there.
                        p.send_signal(signal.SIGKILL)
                        break
                    if plan.pattern.search(line):
                        seen += 1
                        if seen >= plan.nth:
                            if plan.delay:
                                time.sleep(plan.delay)
                            p.send_signal(signal.SIGKILL)
                            break
            elif plan.kind == "inflight":
                # The sink has stored a message and not yet answered 250.
                while p.poll() is None and time.monotonic() < deadline:
                    now = sum(1 for n in os.listdir(sink_dir)
                              if n.endswith(".json"))
                    if now > before:
                        p.send_signal(signal.SIGKILL)
                        break
                    time.sleep(0.002)
            rc = p.wait(max(1, deadline - time.monotonic()))
        except (queue.Empty, subprocess.TimeoutExpired):
            p.kill()
            p.wait()
            t.join(5)
            self.fail("escbot run --once hung (plan %s):\n%s"
                      % (plan.label, "".join(lines)))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        t.join(5)
        p.stderr.close()
        text = "".join(lines)
        if rc not in (0, -signal.SIGKILL):
            self.fail("escbot run --once exited %s (plan %s):\n%s"
                      % (rc, plan.label, text))
        return rc == -signal.SIGKILL, text

    @staticmethod
    def where(text, plan, phase):
        """Where a kill landed: the phase the run was in and the last line
        escbot logged before it."""
        last = [ln for ln in text.splitlines() if "escbot:" in ln]
        last = last[-1] if last else ""
        if plan.kind == "inflight":
            return "send: in flight (stored, no 250 yet)"
        if "smtp: sent to" in last:
            return "send: accepted, not yet recorded"
        if "info: sent " in last:
            return "send: between two sends"
        if "smtp:" in last:
            return "send"
        if phase == "send":
            return "send: before the first send"
        if phase == "tick":
            return "tick: between escalations" if "escalated" in last \
                else "tick: start-up or escalating"
        if phase == "ingest":
            if not last or "migration" in last:
                return "ingest: start-up"
            if "opened from" in last:
                return "ingest: commit"
            if re.search(r"uid \d+: already processed", last):
                return "ingest: finishing a committed message"
            if re.search(r"uids \d+-\d+: \d+ messages? committed", last):
                return "ingest: committed, not moved"
            if re.search(r"uid \d+: ", last):
                return "ingest: decided, batch not committed"
            if "moved" in last:
                return "ingest: after a move"
            return "ingest: fetch/parse"
        return "idle: start-up, login, tick"

    def pending_deliveries(self, env):
        """Emails still waiting to go (`escbot outbox --json`)."""
        p = env.run("outbox", "--json", now=NOW, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        return sum(1 for d in json.loads(p.stdout) if d["state"] == "pending")

    def choose(self, rng, phase, inflight_left, inbox=0):
        if phase == "ingest":
            # Every plan kills at the first send at the latest, so a kill
            # always lands before the acknowledgements go out; most kill
            # within a step or two of new work (a decision or a commit),
            # so that the twelve messages take many kills to get through.
            # Messages are committed in batches: a kill after a decision
            # lands before its batch's commit, one after "committed"
            # between the commit and the move.
            new = r"opened from|uid \d+: (?!already)"
            committed = r"uids \d+-\d+: \d+ messages? committed"
            send = r"smtp: |info: sent "
            r = rng.random()
            if r < 0.3:
                return KillPlan("line", "after a decision",
                                rng.uniform(0, 0.001), new,
                                rng.randint(1, 2), stop=send)
            if r < 0.5:
                return KillPlan("line", "after a commit",
                                rng.uniform(0, 0.002), committed,
                                stop=send)
            if r < 0.65:
                return KillPlan("line", "while finishing committed mail",
                                rng.uniform(0, 0.002),
                                r"uid \d+: already processed",
                                rng.randint(1, 6), stop=new + "|" + send)
            if r < 0.85:
                return KillPlan("line", "after login", rng.uniform(0, 0.006),
                                r"logged in", stop=new + "|" + send)
            return KillPlan("timed", "timed", rng.uniform(0, 0.06))
        if phase == "send":
            plans = [
                KillPlan("timed", "timed", rng.uniform(0, 0.3)),
                KillPlan("line", "after 250", rng.uniform(0, 0.001),
                         r"smtp: sent to"),
                KillPlan("line", "after sent", rng.uniform(0, 0.002),
                         r"info: sent "),
            ]
            if inflight_left > 0:
                plans.append(KillPlan("inflight", "in flight"))
            return rng.choice(plans)
        # Nothing left to do: kills during start-up, login, the empty
        # fetch and the tick.
        return KillPlan("timed", "timed", rng.uniform(0, 0.05))

    def test_sigkill_anywhere_loses_nothing_and_doubles_nothing(self):
        t0 = time.monotonic()
        # Batches of two: the twelve messages are six commits and moves,
        # each a window for a kill.
        env = self.make_env(sink_delay=self.SINK_DELAY,
                            imap_latency=self.IMAP_LATENCY,
                            overrides={'folder = "INBOX";':
                                       'folder = "INBOX"; batch = 2;'})
        items = self.batch()
        for it in items:
            env.deliver(it["raw"])
        rng = random.Random(SEED)
        kills, where, runs, inflight_left = 0, {}, 0, 12
        while runs < 200:
            inbox = len(env.dovecot.uids("INBOX"))
            ingest_left = inbox > 0
            pending = self.pending_deliveries(env)
            if ingest_left:
                phase = "ingest"
            elif pending:
                phase = "send"
            elif kills < self.MIN_KILLS:
                phase = "idle"
            else:
                break
            plan = self.choose(rng, phase, inflight_left, inbox)
            if phase == "ingest" and runs >= 80:
                plan = KillPlan("timed", "timed", rng.uniform(0, 1.0))
            runs += 1
            killed, text = self.run_and_kill(env, plan)
            if TRACE:
                print("%s inbox=%d %s nth=%d killed=%s last=%r"
                      % (phase, inbox, plan.label, plan.nth, killed,
                         text.splitlines()[-1:]), file=sys.stderr)
            if killed:
                kills += 1
                if plan.kind == "inflight":
                    inflight_left -= 1
                w = self.where(text, plan, phase)
                where[w] = where.get(w, 0) + 1
        summary = "seed %d: %d runs, %d kills: %s" % (
            SEED, runs, kills, ", ".join("%s %d" % kv
                                         for kv in sorted(where.items())))
        if VERBOSE:
            print("\n" + summary, file=sys.stderr)
        self.assertGreaterEqual(kills, self.MIN_KILLS, summary)
        ingest_kills = sum(v for k, v in where.items()
                           if k.startswith("ingest"))
        send_kills = sum(v for k, v in where.items() if k.startswith("send"))
        self.assertGreaterEqual(ingest_kills, 10, summary)
        self.assertGreaterEqual(send_kills, 10, summary)

        # Then run to completion, twice: the second run has nothing to do.
        env.sink.delay = 0
        env.sink.restart()
        env.run("run", "--once", now=NOW)
        after_first = len(env.sink.messages())
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.sink.messages()), after_first, summary)

        # The mailbox: INBOX empty, every message once, in one folder.
        c = census(env.dovecot)
        self.assertEqual(c.get("INBOX", []), [], summary)
        where_is = {}
        for folder, raws in c.items():
            for raw in raws:
                where_is.setdefault(message_id_of(raw), []).append(folder)
        for it in items:
            folders = where_is.get(it["msgid"], [])
            want = {"case": "Processed", "auto": "Processed"}.get(
                it["kind"], "Rejected")
            self.assertEqual(folders, [want], "%s %s" % (it["subject"], summary))
        self.assertEqual(census_total(c), len(items), summary)

        # One case per valid form, raised by its sender.
        cases = env.cases(all=True)
        by_raiser = {}
        for case in cases:
            by_raiser.setdefault(case["raised_by"], []).append(case)
        valid = [it for it in items if it["kind"] == "case"]
        self.assertEqual(len(cases), len(valid), summary)
        for it in valid:
            got = by_raiser.get(it["sender"], [])
            self.assertEqual(len(got), 1, "%s: %s" % (it["sender"], summary))
            self.assertEqual(got[0]["protocol"], it["protocol"])

        # Every email called for went out; a duplicate has the original's
        # Message-ID; nobody got anything more than what was called for.
        dups = 0
        for it in items:
            msgs = to_whom(env.sink, it["sender"])
            if it["kind"] in ("stranger", "auto"):
                self.assertEqual(msgs, [], it["sender"])
                continue
            self.assertGreaterEqual(len(msgs), 1, it["sender"])
            ids = {str(m["Message-ID"]) for m in msgs}
            self.assertEqual(len(ids), 1, "%s got %d different emails: %s"
                             % (it["sender"], len(ids),
                                [str(m["Subject"]) for m in msgs]))
            dups += len(msgs) - 1
            subject = str(msgs[0]["Subject"])
            if it["kind"] == "case":
                ref = by_raiser[it["sender"]][0]["ref"]
                self.assertIn("[%s] Received" % ref, subject)
            elif it["kind"] == "reject":
                self.assertIn("Not recorded", subject)
            else:
                self.assertIn("was not recorded", subject)
        self.assertOneMessageIdPerMail(env.sink)
        # Everything queued was delivered in the end.
        self.assertOutboxDelivered(env)
        if VERBOSE:
            print("%d duplicate deliveries (same Message-ID); %.1f s"
                  % (dups, time.monotonic() - t0), file=sys.stderr)

    def assertOutboxDelivered(self, env):
        """Every delivery escbot queued is marked sent, and the sink has
        that Message-ID for that recipient (the Message-IDs are read from
        escbot's database: no command shows them)."""
        states = json.loads(env.run("outbox", "--all", "--json",
                                    now=NOW).stdout)
        self.assertTrue(states)
        self.assertEqual([d for d in states if d["state"] != "sent"], [])
        rows = db_rows(env.db, "SELECT o.message_id, d.rcpt, d.state, "
                       "o.template FROM deliveries d JOIN outbox o "
                       "ON o.id = d.outbox_id")
        got = set()
        for m in env.sink.messages():
            mid = str(m["Message-ID"]).strip().strip("<>")
            for r in m.rcpt_tos:
                got.add((mid, r.lower()))
        missing = [(t, r, st) for mid, r, st, t in rows
                   if st != "sent" or (mid.strip("<>"), r.lower()) not in got]
        self.assertEqual(missing, [], "queued but not delivered")
        self.assertTrue(rows)

    def test_sigkill_during_escalation_tick_sends_each_escalation(self):
        """Six cases fall due together; `tick` is killed again and again
        while it escalates them and sends the escalations."""
        env = self.make_env(sink_delay=0.05)
        senders = ["tick.%d@telford.example.gov.uk" % i for i in range(6)]
        for i, s in enumerate(senders):
            env.deliver(make_message(s, "Referral %d" % i, twsp_inline(
                "TW-6300%d" % i, "Tess Tick%c" % (65 + i))))
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 6)
        at = "2026-11-27T09:10:00Z"       # stage 3 expired yesterday 17:00
        rng = random.Random(SEED + 1)
        kills, runs, inflight_left = 0, 0, 6
        where = {}
        stop = r"smtp: |info: sent "
        while runs < 150:
            pending = self.pending_deliveries(env)
            stages = {c["stage"] for c in env.cases(now=at)}
            if stages == {4} and not pending and kills >= 25:
                break
            if stages != {4}:
                plan = rng.choice([
                    KillPlan("line", "after an escalation", 0,
                             r"case \S+: escalated", stop=stop),
                    KillPlan("line", "after an escalation", 0,
                             r"case \S+: escalated", stop=stop),
                    KillPlan("timed", "timed", rng.uniform(0.005, 0.04)),
                ])
            elif pending:
                plans = [KillPlan("timed", "timed", rng.uniform(0, 0.3)),
                         KillPlan("line", "after sent", rng.uniform(0, 0.002),
                                  r"info: sent ")]
                if inflight_left > 0:
                    plans.append(KillPlan("inflight", "in flight"))
                plan = rng.choice(plans)
            else:
                plan = KillPlan("timed", "timed", rng.uniform(0, 0.05))
            runs += 1
            killed, text = self.run_and_kill(env, plan, args=("tick",),
                                             now=at)
            if killed:
                kills += 1
                if plan.kind == "inflight":
                    inflight_left -= 1
                w = self.where(text, plan, "tick" if stages != {4}
                               else "send" if pending else "idle")
                where[w] = where.get(w, 0) + 1
        summary = "seed %d: %d runs, %d kills: %s" % (
            SEED + 1, runs, kills, ", ".join("%s %d" % kv
                                             for kv in sorted(where.items())))
        if VERBOSE:
            print("\n" + summary, file=sys.stderr)
        self.assertGreaterEqual(kills, 25, summary)
        env.sink.delay = 0
        env.sink.restart()
        env.run("tick", now=at)
        env.run("tick", now=at)
        for c in env.cases(now=at):
            self.assertEqual(c["stage"], 4, c)
            events = env.case(c["ref"], now=at)["events"]
            self.assertEqual(len([e for e in events
                                  if e["kind"] == "escalated"]), 1, events)
            # Everyone the escalation went to has it under one Message-ID.
            esc = [m for m in env.sink.messages()
                   if "[%s] Escalated" % c["ref"] in str(m["Subject"])]
            self.assertTrue(esc, c["ref"])
            self.assertEqual(len({str(m["Message-ID"]) for m in esc}), 1)
        self.assertOneMessageIdPerMail(env.sink)
        self.assertOutboxDelivered(env)


# --------------------------------------------------------------- one instance

class OneInstance(Base):
    def test_second_instance_refused_and_sigterm_stops_daemon(self):
        env = self.make_env()
        d = self.daemon(env)
        d.wait_log(r"started")
        d.wait_log(r"created folder|logged in|polling", timeout=10)
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("another escbot is using", p.stderr)
        self.assertTrue(d.running(), "the first escbot died")
        rc, secs = d.terminate(timeout=10)
        self.assertEqual(rc, 0, d.stderr())
        self.assertLess(secs, 3.0, "SIGTERM took %.1f s" % secs)
        self.assertIn("stopping", d.stderr())
        # The lock went with it.
        env.run("run", "--once", now=NOW)

    # main.c: "SIGTERM ... finish the message in hand before it exits":
    # not the whole batch of ready emails.
    def test_sigterm_during_sends_stops_after_message_in_hand(self):
        self.check_sigterm_during_sends(reload_first=False)

    def test_sigterm_during_sends_after_a_reload(self):
        """SIGHUP swaps the configuration; SIGTERM must still stop the
        send round after the message in hand."""
        self.check_sigterm_during_sends(reload_first=True)

    def test_sigterm_during_run_once_stops_after_message_in_hand(self):
        """`run --once` from a scheduler: SIGTERM used to kill it on the
        spot (no handler); now it finishes the email in hand, exits 0,
        and what was not sent goes out next time."""
        env = self.make_env(sink_delay=1.0)
        for i in range(6):
            env.deliver(make_message(
                "sender%d@telford.example.gov.uk" % i, "Referral %d" % i,
                twsp_inline("TW-7200%d" % i, "Sam Stopper%c" % (65 + i))))
        d = self.daemon(env, "--once")
        wait_until(lambda: env.sink.deliveries(), timeout=15,
                   what="the first acknowledgement")
        rc, secs = d.terminate(timeout=20)
        self.assertEqual(rc, 0)
        self.assertLess(secs, 2.5, "SIGTERM during sends took %.1f s" % secs)
        self.assertLess(len(env.sink.deliveries()), 6)
        env.sink.delay = 0
        env.sink.restart()
        env.run("run", "--once")
        for i in range(6):
            self.assertGreaterEqual(len(to_whom(
                env.sink, "sender%d@telford.example.gov.uk" % i)), 1)

    def check_sigterm_during_sends(self, reload_first):
        env = self.make_env(sink_delay=1.0)
        d = None
        if reload_first:
            d = self.daemon(env)
            d.wait_log(r"started")
            d.proc.send_signal(signal.SIGHUP)
            d.wait_log(r"re-read")
        for i in range(6):
            env.deliver(make_message(
                "sender%d@telford.example.gov.uk" % i, "Referral %d" % i,
                twsp_inline("TW-7100%d" % i, "Sam Stopper%c" % (65 + i))))
        d = d or self.daemon(env)
        wait_until(lambda: env.sink.deliveries(), timeout=15,
                   what="the first acknowledgement")
        rc, secs = d.terminate(timeout=20)
        self.assertEqual(rc, 0)
        # What was not sent is still queued and goes out next time.
        env.sink.delay = 0
        env.sink.restart()
        env.run("run", "--once")
        for i in range(6):
            self.assertGreaterEqual(len(to_whom(
                env.sink, "sender%d@telford.example.gov.uk" % i)), 1)
        self.assertLess(secs, 2.5, "SIGTERM during sends took %.1f s" % secs)


# ------------------------------------------- mail that fails is kept

class FailedMailIsKept(Base):
    # -- From Znuny: mail whose processing failed was deleted

    def test_unprocessable_mail_is_rejected_with_reason_never_deleted(self):
        """From Znuny: mail whose processing failed was deleted.  Mail
        that cannot be read, has no sender, comes from outside the
        directory, is too big or has a broken form goes to Rejected with
        a reason recorded; none is deleted or left in the inbox."""
        env = self.make_env(extra_config="max_message_size = 200000;")
        s = "casey@telford.example.gov.uk"
        bad = [
            b"\x00\x01\x02 not a message \xff\xfe\r\n\r\n\x00",
            b"\r\n\r\nonly a body\r\n",
            b"To: x@y.example\r\nSubject: no sender\r\n"
            b"Message-ID: <nofrom@x.example>\r\n\r\nbody\r\n",
            make_message("someone@gmail.example.com", "Referral",
                         twsp_inline("TW-80001", "Olly Outsider")),
            make_message(s, "Huge", "x" * 300000),
            make_message(s, "Broken MIME", "--x\r\nno boundary param\r\n",
                         content_type="multipart/mixed"),
            make_message(s, "Attachment", "--b\r\nContent-Type: application/"
                         "vnd.openxmlformats-officedocument.wordprocessingml."
                         "document; name=f.docx\r\nContent-Disposition: "
                         "attachment; filename=f.docx\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\n"
                         "UEsDBBQAAAAIAP////8=\r\n--b--\r\n",
                         content_type='multipart/mixed; boundary="b"'),
            make_message("pc.lane@westmercia.example.police.uk", "Escalation",
                         twsp_missing("TW-80002")),
        ]
        for raw in bad:
            env.deliver(raw)
        before = census(env.dovecot)
        self.assertEqual(census_total(before), len(bad))
        env.run("run", "--once", now=NOW)
        after = census(env.dovecot)
        self.assertEqual(census_total(after), len(bad), after.keys())
        self.assertEqual(after.get("INBOX", []), [])
        self.assertEqual(after.get("Processed", []), [])
        self.assertEqual(sorted(sha(r) for r in after["Rejected"]),
                         sorted(sha(r) for r in before["INBOX"]),
                         "the rejected messages are not the ones sent")
        rows = db_rows(env.db, "SELECT uid, folder, reason FROM processed")
        self.assertEqual(len(rows), len(bad), rows)
        for uid, folder, reason in rows:
            self.assertEqual(folder, "Rejected", (uid, reason))
            self.assertTrue(reason and reason.strip(), "uid %d: no reason" % uid)
        self.assertEqual(env.cases(all=True), [])
        # Nothing changes on the next run.
        env.run("run", "--once", now=NOW)
        self.assertEqual(census_total(census(env.dovecot)), len(bad))

    def test_mail_that_cannot_be_recorded_stays_in_inbox(self):
        """From Znuny: mail whose processing failed was deleted.  A form
        that cannot be recorded (the database is locked) stays in the
        inbox, and is done once when the database is free."""
        import sqlite3
        env = self.make_env()
        env.run("run", "--once", now=NOW)          # creates the database
        form = make_message("casey@telford.example.gov.uk", "Referral",
                            twsp_inline("TW-80010", "Pat Locked"))
        env.deliver(form)
        # Another writer holds the database: recording the message fails
        # (after escbot's 10 s busy timeout).  The lock goes as soon as
        # escbot has given up on the message.
        con = sqlite3.connect(env.db, timeout=1, isolation_level=None)
        p = None
        try:
            con.execute("BEGIN IMMEDIATE")
            p = subprocess.Popen(env.argv("run", "--once", now=NOW),
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
            err = []
            for line in p.stderr:
                err.append(line)
                if "left in the inbox" in line:
                    break
        finally:
            con.execute("ROLLBACK")
            con.close()
            if p is not None:
                try:
                    _, rest = p.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    _, rest = p.communicate()
        self.assertIn("left in the inbox", "".join(err),
                      "".join(err) + (rest or ""))
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [form])
        self.assertEqual(census_total(c), 1)
        # Once the database is free, it is done, once.
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 1)
        self.assertEqual(census(env.dovecot).get("INBOX"), [])
        self.assertEqual(len(to_whom(env.sink, "casey@telford.example.gov.uk")), 1)

    def test_one_failing_message_in_a_batch_stays_alone(self):
        """From Znuny: mail whose processing failed was deleted.
        Messages are recorded a batch to a transaction; one that cannot
        be recorded is taken back alone: the others of its batch are
        committed, answered and moved, it stays in the inbox, and the
        cursor does not pass it."""
        import sqlite3
        env = self.make_env()
        env.run("run", "--once", now=NOW)          # creates the database
        forms = [make_message("casey@telford.example.gov.uk",
                              "Referral %d" % i,
                              twsp_inline("TW-8102%d" % i, "Pat Batch%d" % i),
                              msgid="<batch-%d@telford.example.gov.uk>" % i)
                 for i in (1, 2, 3)]
        for f in forms:
            env.deliver(f)
        con = sqlite3.connect(env.db, isolation_level=None)
        con.execute("CREATE TRIGGER refuse_second BEFORE INSERT ON processed"
                    " WHEN NEW.message_id LIKE '%batch-2@telford.example.gov.uk%'"
                    " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        con.close()
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertIn("uid 2: not processed, left in the inbox", p.stderr)
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [forms[1]])
        self.assertEqual(c["Processed"], [forms[0], forms[2]])
        self.assertEqual(sorted(x["ref"] for x in env.cases()),
                         ["TWSP-2026-0001", "TWSP-2026-0002"])
        self.assertEqual(len(to_whom(env.sink,
                                     "casey@telford.example.gov.uk")), 2)
        con = sqlite3.connect(env.db, isolation_level=None)
        con.execute("DROP TRIGGER refuse_second")
        con.close()
        # Once the database takes it, it is done, once; nothing else again.
        env.run("run", "--once", now=NOW)
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [])
        self.assertEqual(census_total(c), 3)
        self.assertEqual(len(env.cases()), 3)
        self.assertEqual(len(to_whom(env.sink,
                                     "casey@telford.example.gov.uk")), 3)


# ------------------------------------------------- nothing done twice

class NothingImportedTwice(Base):
    # -- From Zammad: re-imported and re-answered after an interrupted fetch

    def test_interrupted_run_reimports_nothing_and_resends_same_ack(self):
        """From Zammad: mail re-imported and re-answered after an
        interrupted fetch.  Killed while sending, with the messages put
        back in the inbox, escbot opens no second case and resends only
        the acknowledgement in flight, with the same Message-ID."""
        env = self.make_env(sink_delay=1.0)
        senders = ["ann.%d@telford.example.gov.uk" % i for i in range(3)]
        for i, s in enumerate(senders):
            env.deliver(make_message(s, "Referral %d" % i, twsp_inline(
                "TW-8100%d" % i, "Zed Reimport%c" % (65 + i))))
        p = subprocess.Popen(env.argv("run", "--once", now=NOW),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL,
                             start_new_session=True)
        try:
            # The first ack is at the sink, its 250 not yet given: kill.
            wait_until(lambda: env.sink.deliveries(), timeout=15,
                       what="the first acknowledgement")
            p.send_signal(signal.SIGKILL)
            self.assertEqual(p.wait(10), -signal.SIGKILL)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(len(env.cases()), 3)
        # As if the fetch had been interrupted before the moves: the
        # recorded messages are back in the inbox (with new UIDs).
        self.assertEqual(move_all(env.dovecot, "Processed"), 3)
        env.sink.delay = 0
        env.sink.restart()
        env.run("run", "--once", now=NOW)
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(all=True)), 3)
        first = to_whom(env.sink, senders[0])
        self.assertEqual(len(first), 2, "the in-flight ack is resent once")
        self.assertEqual(first[0]["Message-ID"], first[1]["Message-ID"])
        for s in senders[1:]:
            self.assertEqual(len(to_whom(env.sink, s)), 1, s)
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [])
        self.assertEqual(len(c["Processed"]), 3)

    def test_uidvalidity_change_reimports_nothing(self):
        """From Zammad: mail re-imported after the mailbox's UIDVALIDITY
        changed.  A restored, renumbered inbox opens no second case; only
        the message that is new is handled."""
        env = self.make_env()
        senders = ["una.%d@telford.example.gov.uk" % i for i in range(3)]
        for i, s in enumerate(senders):
            env.deliver(make_message(s, "Referral %d" % i, twsp_inline(
                "TW-8200%d" % i, "Uma Validity%c" % (65 + i))))
        env.deliver(make_message("pc.lane@westmercia.example.police.uk",
                                 "Escalation", twsp_missing("TW-82009")))
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 3)
        sent = len(env.sink.messages())
        # The mailbox is restored from a backup: the same messages are in
        # the inbox again, and the server has renumbered it (UIDs from 1,
        # below escbot's saved position).
        move_all(env.dovecot, "Processed")
        move_all(env.dovecot, "Rejected")
        old, new = change_uidvalidity(env.dovecot)
        self.assertEqual(env.dovecot.uids("INBOX"), [1, 2, 3, 4])
        newcomer = "nia.new@telford.example.gov.uk"
        env.deliver(make_message(newcomer, "Referral new", twsp_inline(
            "TW-82005", "Noor Newcase")))
        p = env.run("run", "--once", now=NOW)
        self.assertIn("UIDVALIDITY", p.stderr)
        cases = env.cases(all=True)
        self.assertEqual(len(cases), 4, cases)
        self.assertEqual(sorted(c["raised_by"] for c in cases),
                         sorted(senders + [newcomer]))
        new_mail = env.sink.messages()[sent:]
        # Only the new case's: its acknowledgement and stage-start.
        self.assertEqual({m["Subject"].split("]")[0] for m in new_mail
                          if "digest" not in str(m["Subject"]).lower()},
                         {"[" + max(c["ref"] for c in cases)},
                         [str(m["Subject"]) for m in new_mail])
        self.assertEqual([m.rcpt_tos for m in new_mail
                          if "Received" in str(m["Subject"])],
                         [[newcomer]], [str(m["Subject"]) for m in new_mail])
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [])
        self.assertEqual(len(c["Processed"]), 4)
        self.assertEqual(len(c["Rejected"]), 1)

    # -- From osTicket: duplicate tickets

    def test_same_message_delivered_twice_opens_one_case(self):
        """From osTicket: duplicate tickets.  The same message delivered
        three times opens one case and is acknowledged once."""
        env = self.make_env()
        s = "robin@wigan.example.gov.uk"
        raw = make_message(s, "Proforma", wsab_lines("Dot Duplicate"),
                           msgid="<same-form-1@wigan.example.gov.uk>")
        env.deliver(raw)
        env.deliver(raw)                 # delivered twice: UIDs 1 and 2
        env.run("run", "--once", now=NOW)
        env.deliver(raw)                 # and again later: UID 3
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(all=True)), 1)
        self.assertEqual(len(to_whom(env.sink, s)), 1)
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [])
        self.assertEqual(c["Processed"], [raw, raw, raw])

    # Once a bug (ingest.c ingest_message): a message was known by the
    # SHA-256 of its bytes only, so the same message re-delivered with one
    # more trace header (a new Received line, same Message-ID, same body)
    # opened a second WSAB case and was acknowledged again, and a TWSP
    # referral got an "Added to the case" reply.
    def test_redelivery_with_new_received_header_opens_one_case(self):
        """From osTicket: duplicate tickets.  The same message re-delivered
        with one more Received header opens no second case and gets no
        second answer."""
        env = self.make_env()
        wsab_from = "robin@wigan.example.gov.uk"
        twsp_from = "casey@telford.example.gov.uk"
        wsab = make_message(wsab_from, "Proforma", wsab_lines("Dot Duplicate"),
                            msgid="<dup-wsab@wigan.example.gov.uk>")
        twsp = make_message(twsp_from, "Referral",
                            twsp_inline("TW-83001", "Dee Duplicate"),
                            msgid="<dup-twsp@telford.example.gov.uk>")
        env.deliver(wsab)
        env.deliver(twsp)
        env.run("run", "--once", now=NOW)
        trace = (b"Received: from mx2.wigan.example.gov.uk by "
                 b"imap.wigan.example.gov.uk; Mon, 23 Nov 2026 10:01:00 +0000\r\n")
        env.deliver(trace + wsab)
        env.deliver(trace + twsp)
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(all=True)), 2)
        self.assertEqual(len(to_whom(env.sink, wsab_from)), 1)
        self.assertEqual(len(to_whom(env.sink, twsp_from)), 1)


# -------------------------------------------------------- no mail loops

class NoMailLoops(Base):
    # -- From osTicket: auto-reply loops

    def test_auto_replies_bounces_and_own_mail_never_answered(self):
        """From osTicket: auto-reply loops.  Out-of-office replies, an
        autoresponder quoting a form, a bounce and escbot's own mail
        looped back open no case and are never answered; the bounce is
        recorded on the case."""
        env = self.make_env()
        raiser = "casey@telford.example.gov.uk"
        env.deliver(make_message(raiser, "Referral",
                                 twsp_inline("TW-84001", "Ola Outofoffice")))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        ref = case["ref"]
        (ack,) = to_whom(env.sink, raiser)
        mid = str(ack["Message-ID"])
        subj = str(ack["Subject"])
        dsn = (
            "--dsn\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
            "--dsn\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.telford.example.gov.uk\r\n\r\n"
            "Final-Recipient: rfc822; %s\r\nAction: failed\r\n"
            "Status: 5.2.2\r\n\r\n"
            "--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            "Message-ID: %s\r\nSubject: %s\r\n\r\n--dsn--\r\n"
            % (raiser, mid, subj))
        form_again = twsp_inline("TW-84002", "Quinn Quoted")
        robots = [
            # out-of-office replies to the acknowledgement, three dialects
            make_message(raiser, "Automatic reply: " + subj,
                         "I am out of the office until Monday.",
                         headers={"Auto-Submitted": "auto-replied",
                                  "In-Reply-To": mid}),
            make_message(raiser, "Out of office: " + subj,
                         "I am out of the office.",
                         headers={"X-Autoreply": "yes", "In-Reply-To": mid}),
            make_message(raiser, "Away", "I am away.",
                         headers={"Precedence": "bulk"}),
            # an autoresponder quoting a whole form from a new sender
            make_message("otto.auto@telford.example.gov.uk", "Auto: Referral",
                         "Thank you for your email.\n\n" + form_again,
                         headers={"Auto-Submitted": "auto-replied"}),
            # a bounce of the acknowledgement
            make_message("Mail Delivery System "
                         "<MAILER-DAEMON@mx.telford.example.gov.uk>",
                         "Undelivered Mail Returned to Sender", dsn,
                         content_type='multipart/report; '
                         'report-type=delivery-status; boundary="dsn"',
                         headers={"In-Reply-To": mid}),
            # escbot's own message, looped back into its inbox
            ack.raw,
            ack.raw.replace(b"Auto-Submitted: auto-generated\r\n", b""),
        ]
        for raw in robots:
            env.deliver(raw)
        sent = len(env.sink.messages())
        env.run("run", "--once", now=NOW)
        env.run("tick", now="2026-11-23T11:00:00Z")
        self.assertEqual(len(env.cases(all=True)), 1)
        new = env.sink.messages()[sent:]
        answered = [m for m in new
                    if "digest" not in str(m["Subject"]).lower()]
        self.assertEqual(answered, [], [str(m["Subject"]) for m in answered])
        for who in (raiser, "otto.auto@telford.example.gov.uk",
                    "mailer-daemon@mx.telford.example.gov.uk", MAILBOX_ADDR):
            self.assertEqual(len(to_whom(env.sink, who)),
                             1 if who == raiser else 0, who)
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [])
        self.assertEqual(census_total(c), 1 + len(robots))
        events = env.case(ref)["events"]
        self.assertTrue(any(e["kind"] == "bounce" for e in events), events)

    # DESIGN: "a bounce of a chase email is recorded against that contact".
    def test_bounce_of_escalation_recorded_against_that_contact(self):
        env = self.make_env()
        raiser = "casey.practitioner@telford.example.gov.uk"
        director = "tam.director@telford.example.gov.uk"
        env.deliver(make_message(raiser, "Escalation referral",
                                 twsp_inline("TW-85001", "Bo Bounce")))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        env.run("tick", now="2026-11-26T20:00:00Z")
        env.run("tick", now="2026-11-27T09:10:00Z")
        esc = [m for m in to_whom(env.sink, director)
               if "Escalated" in str(m["Subject"])]
        self.assertEqual(len(esc), 1)
        dsn = (
            "--dsn\r\nContent-Type: text/plain\r\n\r\n%s: mailbox full\r\n"
            "--dsn\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.telford.example.gov.uk\r\n\r\n"
            "Final-Recipient: rfc822; %s\r\nAction: failed\r\n"
            "Status: 5.2.2\r\n\r\n"
            "--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            "Message-ID: %s\r\nSubject: %s\r\n\r\n--dsn--\r\n"
            % (director, director, esc[0]["Message-ID"], esc[0]["Subject"]))
        env.deliver(make_message(
            "MAILER-DAEMON@mx.telford.example.gov.uk",
            "Undelivered Mail Returned to Sender", dsn,
            content_type='multipart/report; report-type=delivery-status; '
            'boundary="dsn"', headers={"In-Reply-To": esc[0]["Message-ID"]}))
        env.run("run", "--once", now="2026-11-27T10:00:00Z")
        events = env.case(case["ref"])["events"]
        bounces = [e for e in events if e["kind"] == "bounce"]
        self.assertEqual(len(bounces), 1, events)
        self.assertIn(director, bounces[0]["actor"] + " " + bounces[0]["detail"])


# ------------------------------------------ deadlines and clock changes

class DeadlinesAcrossClockChanges(Base):
    # -- From OTRS: working days miscounted across a clock change

    def open_twsp_at(self, env, now):
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 twsp_inline("TW-86001", "Dee Ess Tee")))
        env.run("run", "--once", now=now)
        (case,) = env.cases(now=now)
        self.assertEqual(case["stage"], 3)
        return case

    def reminders(self, env):
        return [m for m in env.sink.messages() if "Reminder" in str(m["Subject"])]

    def stage_at(self, env, now):
        env.run("tick", now=now)
        (case,) = env.cases(all=True, now=now)
        return case["stage"]

    def check_deadline(self, opened, due_at, offset, reminder, escalation):
        """A TWSP case opened at `opened` is due at `due_at` (local time,
        UTC offset `offset` seconds); its reminder goes between 5 minutes
        before and after `reminder`, and it escalates likewise around
        `escalation` (both ISO UTC times)."""
        env = self.make_env()
        case = self.open_twsp_at(env, opened)
        due = parse_iso(case["due_at"])
        self.assertEqual(due.utcoffset().total_seconds(), offset,
                         case["due_at"])
        self.assertEqual(due.isoformat(), due_at)

        def at(iso, minutes):
            t = calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))
            return time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                 time.gmtime(t + 60 * minutes))
        self.assertEqual(self.stage_at(env, at(reminder, -5)), 3)
        self.assertEqual(self.reminders(env), [])
        self.assertEqual(self.stage_at(env, at(reminder, 5)), 3)
        self.assertTrue(self.reminders(env))
        self.assertEqual(self.stage_at(env, at(escalation, -5)), 3)
        self.assertEqual(self.stage_at(env, at(escalation, 5)), 4)

    def test_deadline_across_october_2026_clock_change(self):
        """From OTRS: working days miscounted across a clock change.
        Reminder and escalation at GMT times after clocks go back."""
        # Friday 23 October 2026, 10:00 BST; clocks go back on Sunday 25th.
        # 3 working days: Mon 26, Tue 27, Wed 28 -> Wednesday 17:00 GMT.
        # Reminder the morning before at 09:00 GMT (not 08:00Z); escalated
        # at 17:00 GMT, not at 16:00Z.
        self.check_deadline("2026-10-23T09:00:00Z",
                            "2026-10-28T17:00:00+00:00", 0,
                            reminder="2026-10-27T09:00:00Z",
                            escalation="2026-10-28T17:00:00Z")

    def test_deadline_across_march_2027_clock_change(self):
        """From OTRS: working days miscounted across a clock change.
        Easter bank holidays skipped; reminder and escalation at BST
        times after clocks go forward."""
        # Wednesday 24 March 2027, 10:00 GMT; Good Friday 26th and Easter
        # Monday 29th are bank holidays; clocks go forward on Sunday 28th.
        # 3 working days: Thu 25, Tue 30, Wed 31 -> Wednesday 17:00 BST.
        # Reminder on Tuesday 30th at 09:00 BST = 08:00Z; escalated at
        # 17:00 BST = 16:00Z, not at 17:00Z.
        self.check_deadline("2027-03-24T10:00:00Z",
                            "2027-03-31T17:00:00+01:00", 3600,
                            reminder="2027-03-30T08:00:00Z",
                            escalation="2027-03-31T16:00:00Z")

    def test_deadline_opened_the_day_before_easter_and_dst(self):
        """From OTRS: working days miscounted across a clock change.  A
        case opened the day before Good Friday is due in BST, Easter
        Monday skipped."""
        env = self.make_env()
        # Thursday 25 March 2027: Fri 26 and Mon 29 are holidays, so
        # Tue 30, Wed 31, Thu 1 April -> Thursday 17:00 BST = 16:00Z.
        case = self.open_twsp_at(env, "2027-03-25T10:00:00Z")
        self.assertEqual(parse_iso(case["due_at"]).isoformat(),
                         "2027-04-01T17:00:00+01:00")


if __name__ == "__main__":
    unittest.main()
