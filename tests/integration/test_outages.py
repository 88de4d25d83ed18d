"""Outages: the mailbox or the mail server goes away, refuses for a while,
or refuses one recipient for good.  escbot says so once, loses nothing,
keeps every email queued until it can be delivered (retrying with backoff)
and never lets one refusal block the rest.  And its log, whatever happens,
never carries a name, an NHS number, form contents or a password.

Runs with --now wherever time matters; the daemon tests run in real time
and only wait for acknowledgements, which working hours never hold back.
"""
import calendar
import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from guarantees_kit import (EnvTestCase, case_emails, census,  # noqa: E402
                            make_message, twsp_inline, wait_until,
                            wsab_lines)
import forms_fixtures as F                                       # noqa: E402

NOW = "2026-11-23T10:00:00Z"          # a Monday, in working hours
RAISER = "casey.practitioner@telford.example.gov.uk"
STAGE4 = {"tam.director@telford.example.gov.uk",
          "toby.rep@telford.example.gov.uk",
          "drew.director@westmercia.example.police.uk",
          "rae.rep@westmercia.example.police.uk"}
SLOW_RETRY = {"retry_min = 1; retry_max = 4;":
              "retry_min = 60; retry_max = 3600;"}


def at(seconds):
    """NOW + seconds, as --now wants it."""
    t = calendar.timegm(time.strptime(NOW, "%Y-%m-%dT%H:%M:%SZ")) + seconds
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def count(text, pattern):
    return len(re.findall(pattern, text))


class Outages(EnvTestCase):
    # -- the mailbox

    def test_imap_down_run_once_exits_3_logs_once_loses_nothing(self):
        env = self.make_env()
        twsp = make_message(RAISER, "Referral", twsp_inline("TW-90001",
                                                            "Ida Outage"))
        wsab = make_message("robin@wigan.example.gov.uk", "Proforma",
                            wsab_lines("Ivo Outage"))
        env.deliver(twsp)
        env.deliver(wsab)
        env.dovecot.stop()
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        problems = [ln for ln in p.stderr.splitlines()
                    if not re.search(r"\binfo:", ln)]
        self.assertEqual(len(problems), 1, p.stderr)
        self.assertIn("imap", problems[0])
        self.assertEqual(env.sink.messages(), [])
        self.assertEqual(env.cases(all=True), [])
        env.dovecot.start()
        self.assertEqual(census(env.dovecot)["INBOX"], [twsp, wsab])
        env.run("run", "--once", now=at(300))
        self.assertEqual(len(env.cases()), 2)
        c = census(env.dovecot)
        self.assertEqual(c["INBOX"], [])
        self.assertEqual(c["Processed"], [twsp, wsab])
        self.assertEqual(len(env.sink.messages(rcpt=RAISER)), 1)
        self.assertEqual(len(env.sink.messages(
            rcpt="robin@wigan.example.gov.uk")), 1)

    # -- the mail server

    def ack_actions(self, env, ref):
        return [a for a in case_emails(env, ref) if a["email"] == "ack"]

    def test_smtp_451_keeps_ack_queued_and_backs_off_until_delivered(self):
        # Working hours from noon: the case's stage-start email to stage 3
        # waits until then, and the acknowledgement (which goes at once)
        # is the only email in the outbox while it is refused.
        env = self.make_env(overrides=SLOW_RETRY, extra_config=(
            'working_hours = { start = "12:00"; end = "17:00"; };\n'))
        env.sink.restart(tempfail_all=True)
        env.deliver(make_message(RAISER, "Referral", twsp_inline(
            "TW-90002", "Tim Tempfail")))
        p = env.run("-v", "run", "--once", now=NOW, check=False)
        self.assertIn(p.returncode, (0, 3), p.stderr)
        self.assertIn("451", p.stderr)
        # The case is recorded and the message filed although the ack
        # could not go.
        (case,) = env.cases()
        self.assertEqual(census(env.dovecot)["INBOX"], [])
        (ack,) = self.ack_actions(env, case["ref"])
        self.assertEqual(ack["state"], "pending", ack)
        self.assertIn("451", ack["error"])
        # Not tried again before retry_min.
        p = env.run("-v", "tick", now=at(30), check=False)
        self.assertNotIn("451", p.stderr)
        # Tried again after it, and refused again...
        p = env.run("-v", "tick", now=at(61), check=False)
        self.assertIn("451", p.stderr)
        # ...and the next wait is longer (exponential backoff).
        p = env.run("-v", "tick", now=at(122), check=False)
        self.assertNotIn("451", p.stderr)
        # The server accepts mail again: delivered by a later tick, once.
        env.sink.restart(tempfail_all=False)
        env.run("tick", now=at(61 + 3601))
        self.assertEqual(len(env.sink.messages(rcpt=RAISER)), 1)
        (ack,) = self.ack_actions(env, case["ref"])
        self.assertEqual(ack["state"], "sent", ack)
        env.run("tick", now=at(3 * 3600))
        self.assertEqual(len(env.sink.messages(rcpt=RAISER)), 1)

    def outbox_rows(self, env, now):
        return json.loads(env.run("outbox", "--all", "--json",
                                  now=now).stdout)

    def check_sender_refused(self, refusal):
        """The server refuses escbot as the sender (a 5xx at MAIL FROM or
        at DATA, as after a "send-as" permission is taken away): no email
        fails for good, each round stops at the first refusal, the
        administrator is told once, and once the server accepts the
        sender again everything is delivered, once."""
        admin = "it.desk@wigan.example.gov.uk"
        env = self.make_env(extra_config='admin_email = "IT Service Desk '
                            '<%s>";\n' % admin)
        env.sink.restart(**refusal)
        raisers = ["casey.practitioner@telford.example.gov.uk",
                   "dana.worker@telford.example.gov.uk",
                   "eli.nurse@telford.example.gov.uk"]
        for i, r in enumerate(raisers):
            env.deliver(make_message(r, "Referral", twsp_inline(
                "TW-9100%d" % i, "Sam Sender%d" % i)))
        for t in (0, 30, 600, 3600):
            p = env.run("-v", "run", "--once", now=at(t), check=False)
            self.assertIn(p.returncode, (0, 3), p.stderr)
            # One refused attempt a round, not one per email.
            self.assertLessEqual(count(p.stderr, r"failure to <"), 1,
                                 p.stderr)
            rows = self.outbox_rows(env, at(t))
            self.assertEqual([r for r in rows if r["state"] != "pending"],
                             [], rows)
            self.assertEqual(
                sorted(r["to"] for r in rows if r["email"] == "ack"),
                sorted(raisers), rows)
            # The administrator's alert is queued once, however many
            # rounds are refused.
            self.assertEqual(len([r for r in rows if admin in r["to"]]), 1,
                             rows)
        self.assertEqual(len(env.cases(now=at(3600))), 3)
        self.assertEqual(env.sink.messages(), [])
        env.sink.restart(mail_reply=None, datacmd_reply=None)
        env.run("tick", now=at(7200))
        for r in raisers + [admin]:
            self.assertEqual(len(env.sink.messages(rcpt=r)), 1, r)
        rows = self.outbox_rows(env, at(7200))
        self.assertEqual({r["state"] for r in rows}, {"sent"}, rows)
        env.run("tick", now=at(9000))
        # Each email to each recipient once: the acknowledgements, the
        # alert and each case's stage-start email.
        each = [(str(m["Message-ID"]), tuple(m.rcpt_tos))
                for m in env.sink.messages()]
        self.assertEqual(len(each), len(set(each)))
        self.assertEqual(len([m for m in env.sink.messages()
                              if "Received" in m["Subject"]]), len(raisers))

    def test_smtp_550_at_mail_from_holds_the_outbox_not_fails_it(self):
        self.check_sender_refused({"mail_reply": 550})

    def test_smtp_554_at_data_holds_the_outbox_not_fails_it(self):
        self.check_sender_refused({"datacmd_reply": 554})

    def test_smtp_550_for_one_recipient_fails_only_that_delivery(self):
        env = self.make_env()
        env.deliver(make_message(RAISER, "Escalation referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        env.run("tick", now="2026-11-26T20:00:00Z")     # escalated at night
        refused = "drew.director@westmercia.example.police.uk"
        env.sink.restart(reject={refused: 550})
        before = len(env.sink.messages())
        p = env.run("tick", now="2026-11-27T09:10:00Z", check=False)
        self.assertIn(p.returncode, (0, 3), p.stderr)
        new = env.sink.messages()[before:]
        got = set()
        for m in new:
            if "Escalated to stage 4" in str(m["Subject"]):
                got.update(r.lower() for r in m.rcpt_tos)
        self.assertEqual(got, (STAGE4 | {RAISER}) - {refused})
        actions = [a for a in case_emails(env, case["ref"])
                   if a["email"] == "escalation"]
        states = {a["to"]: a["state"] for a in actions}
        self.assertEqual(states.get(refused), "failed", actions)
        (err,) = [a["error"] for a in actions if a["to"] == refused]
        self.assertIn("550", err or "")
        self.assertEqual({a for a, s in states.items() if s == "sent"},
                         (STAGE4 | {RAISER}) - {refused}, actions)
        # A permanent refusal is not retried, even once the server would
        # take it.
        env.sink.restart(reject={})
        env.run("tick", now="2026-11-27T12:00:00Z")
        self.assertEqual(env.sink.messages(rcpt=refused), [])
        states = {a["to"]: a["state"] for a in case_emails(env, case["ref"])
                  if a["email"] == "escalation"}
        self.assertEqual(states[refused], "failed")

    # -- the daemon

    def test_daemon_rides_out_smtp_outage_and_logs_it_once(self):
        env = self.make_env()                  # poll_interval = 5
        d = self.daemon(env, "-v")
        d.wait_log(r"started")
        d.wait_log(r"logged in")
        env.sink.stop()
        env.deliver(make_message(RAISER, "Referral", twsp_inline(
            "TW-90003", "Dan Daemon")))
        d.wait_log(r"cannot send", timeout=15)
        time.sleep(11)            # two more polls with the server down
        self.assertTrue(d.running())
        self.assertEqual(census(env.dovecot)["INBOX"], [])
        env.sink.start()
        wait_until(lambda: env.sink.messages(rcpt=RAISER), timeout=15,
                   what="the acknowledgement after the outage")
        rc, secs = d.terminate()
        self.assertEqual(rc, 0)
        log = d.stderr()
        self.assertEqual(count(log, r"cannot send"), 1, log)
        self.assertLessEqual(count(log, r"server is unreachable"), 1, log)
        self.assertEqual(count(log, r"smtp: .*reachable again"), 1, log)
        self.assertEqual(len(env.sink.messages(rcpt=RAISER)), 1)

    # Once a bug (main.c cmd_run): quiet polls between two retries reset
    # the outage state, so each retry logged the outage again.
    def test_daemon_logs_smtp_outage_once_when_backoff_exceeds_poll(self):
        env = self.make_env(overrides={"retry_min = 1; retry_max = 4;":
                                       "retry_min = 6; retry_max = 60;"})
        d = self.daemon(env, "-v")
        d.wait_log(r"started")
        d.wait_log(r"logged in")
        env.sink.stop()
        env.deliver(make_message(RAISER, "Referral", twsp_inline(
            "TW-90004", "Bea Backoff")))
        # Two attempts, with a quiet poll between them.
        d.wait_log(r"temporary failure to", count=2, timeout=30)
        time.sleep(1.0)
        rc, _ = d.terminate()
        self.assertEqual(rc, 0)
        log = d.stderr()
        self.assertEqual(count(log, r"cannot send"), 1, log)
        self.assertLessEqual(count(log, r"server is unreachable"), 1, log)

    # Once a bug (ingest.c ingest_mailbox): an IMAP outage was logged on
    # every poll; it is logged once, and its end too.
    def test_daemon_logs_imap_outage_once(self):
        env = self.make_env()                  # poll_interval = 5
        d = self.daemon(env, "-v")
        d.wait_log(r"started")
        d.wait_log(r"logged in")
        env.dovecot.stop()
        time.sleep(13)                         # at least two polls
        self.assertTrue(d.running())
        env.dovecot.start()
        env.deliver(make_message(RAISER, "Referral", twsp_inline(
            "TW-90005", "Ian Imapdown")))
        wait_until(lambda: env.sink.messages(rcpt=RAISER), timeout=15,
                   what="the acknowledgement after the outage")
        rc, _ = d.terminate()
        self.assertEqual(rc, 0)
        log = d.stderr()
        down = [ln for ln in log.splitlines()
                if "warning:" in ln and "imap" in ln
                and re.search(r"refused|unreachable|connect to|connection lost", ln)]
        self.assertEqual(len(down), 1, log)
        self.assertEqual(count(log, r"imap: .*reachable again"), 1, log)

    # -- escbot itself

    # Once a bug (engine.c tick_step): every pause reminder missed while
    # escbot was down went out at once.
    def test_escbot_down_for_weeks_sends_one_pause_reminder_not_a_burst(self):
        env = self.make_env()
        env.deliver(make_message(RAISER, "Escalation referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        env.run("pause", case["ref"], "--reason", "waiting for minutes",
                now="2026-11-24T10:00:00Z")
        before = len(env.sink.messages())
        # escbot was not running from then until Monday 25 January 2027.
        env.run("tick", now="2027-01-25T10:00:00Z")
        per_rcpt = {}
        for m in env.sink.messages()[before:]:
            if "Still paused" in str(m["Subject"]):
                for r in m.rcpt_tos:
                    per_rcpt[r] = per_rcpt.get(r, 0) + 1
        self.assertTrue(per_rcpt)
        self.assertEqual(max(per_rcpt.values()), 1, per_rcpt)

    # -- the log

    def test_logs_carry_no_personal_data_or_password(self):
        env = self.make_env()
        stderr = []

        def run(*args, now=NOW, ok=(0,)):
            p = env.run("-v", *args, now=now, check=False)
            self.assertIn(p.returncode, ok, p.stderr)
            stderr.append(p.stderr)
            return p

        env.deliver(make_message("Casey Practitioner <%s>" % RAISER,
                                 "Referral for Alex Example", F.TWSP_INLINE))
        env.deliver(make_message("dr.ash@sath.example.nhs.uk", "Referral",
                                 F.TWSP_LINES))
        env.deliver(make_message("robin@wigan.example.gov.uk", "Proforma",
                                 F.WSAB_LINES))
        env.deliver(make_message("pc.lane@westmercia.example.police.uk",
                                 "Escalation for Alex Example",
                                 F.TWSP_MISSING))
        env.deliver(make_message("someone@gmail.example.com", "Referral",
                                 F.TWSP_INLINE))
        env.deliver(b"Alex Example 943 476 5919\r\n\r\nnot a message\r\n")
        env.deliver(make_message("Alex Example", "NHS 9434765919",
                                 F.TWSP_INLINE))
        run("run", "--once")
        ref = [c["ref"] for c in env.cases() if c["raised_by"] == RAISER][0]
        env.deliver(make_message(
            "tia.lead@telford.example.gov.uk", "Re: [%s] Received" % ref,
            "PAUSE: waiting for Alex Example's GP, NHS 943 476 5919\n"))
        env.deliver(make_message(
            "someone@telford.example.gov.uk", "Re: [%s] Received" % ref,
            "RESOLVED: Alex Example (DOB 01/02/2015) is safe\n"))
        env.sink.stop()
        run("run", "--once", now="2026-11-23T11:00:00Z", ok=(0, 3))
        env.sink.start()
        run("tick", now="2026-12-23T11:00:00Z")
        # A wrong password is refused without being repeated.
        wrong = "Wr0ng-Pa$$word-7781"
        secret = os.path.join(env.tmpdir, "imap.secret")
        with open(secret, "w") as f:
            f.write(wrong + "\n")
        run("run", "--once", ok=(3,))
        log = "".join(stderr)
        self.assertIn("LOGIN", log.upper())     # the scenario did happen
        forbidden = ["Alex Example", "Morgan Placeholder", "Jamie Testperson",
                     "943 476 5919", "9434765919", "01/02/2015",
                     "Example Street Surgery", "1 Example Road",
                     "declined to attend", "financially abused",
                     "Family Connect closed the referral",
                     env.dovecot.password, "s3cret", wrong, "Wr0ng"]
        leaked = [s for s in forbidden if s.lower() in log.lower()]
        self.assertEqual(leaked, [], log)


if __name__ == "__main__":
    unittest.main()
