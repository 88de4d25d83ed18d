"""End to end: forms emailed to a real Dovecot become cases and are
acknowledged through a real SMTP sink; nothing is done twice; a send that
fails is retried by the next run."""
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

NOW = "2026-11-23T10:00:00Z"     # a Monday, in working hours


class EndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-e2e-")
        self.env = EscbotEnv(self.tmp.name).start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def test_forms_become_cases_once_and_are_acknowledged(self):
        env = self.env
        twsp_from = "casey.practitioner@telford.example.gov.uk"
        wsab_from = "Robin Worker <robin.worker@wigan.example.gov.uk>"
        env.deliver(make_message(twsp_from, "Escalation referral",
                                 F.TWSP_INLINE))
        env.deliver(make_message(wsab_from, "Resolution seeking proforma",
                                 F.WSAB_LINES))
        env.run("run", "--once", now=NOW)

        cases = env.cases()
        self.assertEqual(len(cases), 2, cases)
        by_proto = {c["protocol"]: c for c in cases}
        twsp, wsab = by_proto["twsp"], by_proto["wsab"]
        self.assertRegex(twsp["ref"], r"^TWSP-2026-\d{4}$")
        self.assertEqual(twsp["stage"], 3)
        self.assertEqual(twsp["form"], "twsp-referral")
        self.assertEqual(twsp["status"], "open")
        self.assertEqual(twsp["raised_by"], twsp_from)
        self.assertFalse(twsp["urgent"])
        # Stage 3 is 3 working days: Monday 23rd -> Thursday 26th, 5pm GMT.
        self.assertEqual(twsp["due_at"], "2026-11-26T17:00:00+00:00")
        self.assertRegex(wsab["ref"], r"^WSAB-2026-\d{4}$")
        self.assertEqual(wsab["stage"], 2)
        self.assertEqual(wsab["raised_by"], "robin.worker@wigan.example.gov.uk")

        detail = env.case(twsp["ref"])
        fields = detail["fields"]
        self.assertEqual(fields["individual_name"], "Alex Example")
        self.assertEqual(fields["dob"], "2015-02-01")
        self.assertIn("strategy discussion", fields["concerns"])
        self.assertTrue(any(e["kind"] == "opened" for e in detail["events"]))

        env.sink.wait_for(2)
        acks = [m for m in env.sink.messages() if "Received:" in m["Subject"]]
        self.assertEqual(len(acks), 2)
        for case, addr in ((twsp, twsp_from),
                           (wsab, "robin.worker@wigan.example.gov.uk")):
            got = env.sink.messages(rcpt=addr)
            self.assertEqual(len(got), 1, addr)
            m = got[0]
            self.assertIn("[%s]" % case["ref"], m["Subject"])
            self.assertEqual(m["Auto-Submitted"], "auto-generated")
            self.assertEqual(m["X-Auto-Response-Suppress"], "All")
            self.assertTrue(m["Message-ID"])
            self.assertTrue(m["In-Reply-To"])
            body = m.get_body(("plain",)).get_content()
            self.assertIn(case["ref"], body)
            # Personal identifiers are not repeated back by email.
            self.assertNotIn("Alex Example", body)
            self.assertNotIn("9434765919", body.replace(" ", ""))

        self.assertEqual(env.dovecot.uids("INBOX"), [])
        self.assertEqual(len(env.dovecot.list("Processed")), 2)

        # A second run opens nothing and sends nothing.
        before = len(env.sink.messages())
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 2)
        self.assertEqual(len(env.sink.messages()), before)

        # The SMTP server goes away: the case is still opened, the ack waits.
        env.sink.stop()
        env.deliver(make_message("dr.ash@sath.example.nhs.uk",
                                 "Referral form", F.TWSP_LINES))
        p = env.run("run", "--once", now=NOW, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(len(env.cases()), 3)
        self.assertEqual(env.dovecot.uids("INBOX"), [])
        env.sink.start()
        self.assertEqual(len(env.sink.messages(rcpt="dr.ash@sath.example.nhs.uk")), 0)
        env.run("run", "--once", now="2026-11-23T10:05:00Z")
        got = env.sink.wait_for(1, rcpt="dr.ash@sath.example.nhs.uk")
        self.assertEqual(len(got), 1)
        self.assertEqual(len(env.cases()), 3)

    def test_incomplete_form_is_rejected_with_the_missing_fields(self):
        env = self.env
        env.deliver(make_message("pc.lane@westmercia.example.police.uk",
                                 "Escalation", F.TWSP_MISSING))
        env.run("run", "--once", now=NOW)
        self.assertEqual(env.cases(all=True), [])
        got = env.sink.wait_for(1)
        self.assertEqual(len(got), 1)
        body = got[0].get_body(("plain",)).get_content()
        self.assertIn("Name of Individual", body)
        self.assertIn("Summary of Concerns", body)
        self.assertIn("Date of Birth", body)       # 31/02 is no date
        self.assertEqual(env.dovecot.uids("INBOX"), [])
        self.assertEqual(len(env.dovecot.list("Rejected")), 1)

    def test_stranger_and_robot_get_no_case_and_no_reply(self):
        env = self.env
        env.deliver(make_message("someone@gmail.example.com", "Referral",
                                 F.TWSP_INLINE))
        env.deliver(make_message("casey@telford.example.gov.uk", "Out of office",
                                 F.TWSP_INLINE,
                                 headers={"Auto-Submitted": "auto-replied"}))
        env.run("run", "--once", now=NOW)
        self.assertEqual(env.cases(all=True), [])
        self.assertEqual(env.sink.messages(), [])
        self.assertEqual(env.dovecot.uids("INBOX"), [])
        self.assertEqual(len(env.dovecot.list("Rejected")), 1)
        self.assertEqual(len(env.dovecot.list("Processed")), 1)

    def test_no_form_gets_one_helpful_reply_a_day(self):
        env = self.env
        for i in range(2):
            env.deliver(make_message("casey@telford.example.gov.uk",
                                     "Question %d" % i, "Can I escalate this?"))
        env.run("run", "--once", now=NOW)
        got = env.sink.wait_for(1)
        self.assertEqual(len(got), 1)
        self.assertIn("not recorded", got[0]["Subject"])
        self.assertEqual(len(env.dovecot.list("Rejected")), 2)

    def test_immediate_risk_is_urgent_and_says_so(self):
        env = self.env
        body = F.TWSP_INLINE.replace(
            "Requested Action:",
            "We believe Alex is at immediate risk of significant harm.\n"
            "Requested Action:")
        env.deliver(make_message("casey@telford.example.gov.uk", "URGENT referral",
                                 body))
        env.run("run", "--once", now="2026-11-23T15:00:00Z")
        (case,) = env.cases()
        self.assertTrue(case["urgent"])
        # Stage 3 (3 working days) at the urgent timescale, 2: not the
        # same day, and not the ladder collapsed.
        self.assertEqual(case["due_at"], "2026-11-25T17:00:00+00:00")
        (ack,) = env.sink.messages(rcpt="casey@telford.example.gov.uk")
        body = ack.get_body(("plain",)).get_content()
        self.assertIn("IMPORTANT", body)
        self.assertIn("safeguarding procedures", body)
        self.assertIn("Due: by 5pm on Wednesday 25 November 2026", body)
        self.assertIn("none is given more than 2 working days", body)
        # The safeguarding lead of the case's agency is told at once.
        (alert,) = [m for m in env.sink.messages(
            rcpt="tia.lead@telford.example.gov.uk") if "URGENT" in m["Subject"]]
        self.assertIn("URGENT: immediate risk", alert["Subject"])
        self.assertIn("escalated today through your agency's own "
                      "safeguarding procedures",
                      " ".join(alert.get_body(("plain",)).get_content()
                               .split()))

    def test_not_at_immediate_risk_is_not_urgent(self):
        env = self.env
        body = F.TWSP_INLINE.replace(
            "Requested Action:",
            "Alex is not at immediate risk of significant harm.\n"
            "Requested Action:")
        env.deliver(make_message("casey@telford.example.gov.uk", "referral", body))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        self.assertFalse(case["urgent"])

    def test_html_only_form_from_outlook(self):
        env = self.env
        rows = "".join("<tr><td>%s</td><td>%s</td></tr>" % (k, v) for k, v in [
            ("Client Reference Number (if applicable):", "TW-1"),
            ("Name of Individual:", "Alex&nbsp;Example"),
            ("Date of Birth:", "01/02/2015"),
            ("Agency/Team:", "Family Connect"),
            ("Summary of Concerns, including the specific difference/s which "
             "has resulted in utilising the Escalation process:",
             "Assessment refused &amp; case closed"),
            ("Requested Action:", "Re&#8209;open the assessment")])
        html = ("<html><body><p>Resolution and Escalation Referral Form</p>"
                "<table>%s</table></body></html>" % rows)
        env.deliver(make_message("casey@telford.example.gov.uk", "Form", html,
                                 content_type="text/html; charset=utf-8"))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        fields = env.case(case["ref"])["fields"]
        self.assertEqual(fields["individual_name"], "Alex Example")
        self.assertIn("Assessment refused & case closed", fields["concerns"])

    def test_unreadable_attachment_gets_formats_reply(self):
        env = self.env
        raw = ("From: casey@telford.example.gov.uk\r\nTo: box@x\r\n"
               "Subject: form attached\r\nMessage-ID: <pdf-1@x>\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
               "--b\r\nContent-Type: text/plain\r\n\r\nPlease see the form.\r\n"
               "--b\r\nContent-Type: application/pdf; name=\"form.pdf\"\r\n"
               "Content-Disposition: attachment; filename=\"form.pdf\"\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n")
        env.deliver(raw)
        env.run("run", "--once", now=NOW)
        self.assertEqual(env.cases(all=True), [])
        (reply,) = env.sink.messages()
        body = reply.get_body(("plain",)).get_content()
        self.assertIn("Word document (.docx)", body)
        self.assertIn("PDF", body)
        self.assertEqual(len(env.dovecot.list("Rejected")), 1)

    def test_injection_stays_inert(self):
        env = self.env
        body = F.TWSP_INLINE.replace(
            "Requested Action: A joint",
            "Requested Action: {{mailbox}} {{#urgent}}x{{/urgent}} A joint")
        env.deliver(make_message(
            "=?utf-8?q?Evil=0D=0ABcc=3A_victim=40example=2Ecom?= "
            "<casey@telford.example.gov.uk>",
            "Referral =?utf-8?q?=0D=0AX-Injected=3A_yes?=", body))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        (ack,) = env.sink.messages(rcpt="casey@telford.example.gov.uk")
        self.assertIsNone(ack["X-Injected"])
        self.assertIsNone(ack["Bcc"])
        self.assertEqual(ack.rcpt_tos, ["casey@telford.example.gov.uk"])
        for line in ack.raw.split(b"\r\n"):
            self.assertFalse(line.startswith(b"X-Injected"))
            self.assertFalse(line.startswith(b"Bcc"))
        text = ack.get_body(("plain",)).get_content()
        # Values are never read as templates.
        self.assertIn("{{mailbox}}", text)
        fields = env.case(case["ref"])["fields"]
        self.assertIn("{{mailbox}}", fields["requested_action"])

    def test_over_long_answer_is_refused_by_name(self):
        env = self.env
        env.extra_config = "limits = { field_length = 200; };"
        env.write_config()
        body = F.TWSP_INLINE.replace("Requested Action: A joint",
                                     "Requested Action: " + "x" * 300 + " A joint")
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral", body))
        env.run("run", "--once", now=NOW)
        self.assertEqual(env.cases(all=True), [])
        (reply,) = env.sink.messages()
        text = reply.get_body(("plain",)).get_content()
        self.assertIn("Requested Action", text)
        self.assertIn("longer than 200 characters", text)

    def test_word_attachment_becomes_a_case(self):
        env = self.env
        env.deliver(F.docx_message("twsp-referral.docx", "docx-1@x"))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        self.assertEqual(case["form"], "twsp-referral")
        fields = env.case(case["ref"])["fields"]
        self.assertTrue(fields.get("individual_name"))
        self.assertTrue(fields.get("concerns"))
        self.assertNotIn("It is important", fields["concerns"])

    def test_zip_bomb_is_refused_with_a_reason(self):
        env = self.env
        env.deliver(F.docx_message("bomb.docx", "docx-2@x"))
        env.run("run", "--once", now=NOW)
        self.assertEqual(env.cases(all=True), [])
        (reply,) = env.sink.messages()
        body = reply.get_body(("plain",)).get_content()
        self.assertIn("bomb.docx", body)
        self.assertIn("zip bomb", body)
        self.assertEqual(len(env.dovecot.list("Rejected")), 1)

    def test_wscb_report_opens_or_resolves_at_the_level_reached(self):
        env = self.env
        from escbot_env import REPO
        with open(os.path.join(REPO, "etc", "samples",
                               "wscb-agency-report.eml")) as f:
            going_on = f.read()
        resolved = going_on.replace("Message-ID: <", "Message-ID: <r-", 1)
        resolved = resolved.replace(
            "Not yet.", "Yes; the board representatives met and resolved it: "
            "a conference was convened.")
        resolved = resolved.replace("Example", "Sample", 2)
        env.deliver(going_on)
        env.deliver(resolved)
        env.run("run", "--once", now=NOW)
        cases = env.cases(all=True)
        self.assertEqual(len(cases), 2, cases)
        by_status = {c["status"]: c for c in cases}
        self.assertEqual(by_status["open"]["stage"], 2)
        self.assertEqual(by_status["resolved"]["resolved_level"], 3)

    def test_twsp_form_returned_with_resolution_closes_the_case(self):
        env = self.env
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        # The senior manager sends the form back, matched by its Client
        # Reference Number, with the Response and Resolution filled in.
        back = F.TWSP_INLINE.replace("Kind regards", (
            "Response: Strategy discussion held on 24/11/2026.\n"
            "Resolution of Issues: Joint visit agreed; the referral stays open.\n"
            "\nKind regards"))
        env.deliver(make_message("tia.lead@telford.example.gov.uk",
                                 "Referral form completed", back))
        env.run("run", "--once", now="2026-11-25T10:00:00Z")
        (after,) = env.cases(all=True)
        self.assertEqual(after["ref"], case["ref"])
        self.assertEqual(after["status"], "resolved")
        self.assertEqual(after["resolved_level"], 3)
        fields = env.case(case["ref"])["fields"]
        self.assertIn("Joint visit agreed", fields["resolution"])

    def test_forwarded_form_opens_a_case_raised_by_the_forwarder(self):
        """Issue 12: a manager forwards a practitioner's referral (Outlook's
        inline FW: with its header block): the case opens, raised by the
        manager, with the writer recorded in the case."""
        env = self.env
        body = ("Please log this one for Casey.\n\nTia\n\n"
                "________________________________\n"
                "From: Casey Practitioner <casey@telford.example.gov.uk>\n"
                "Sent: 23 November 2026 09:41\n"
                "To: Tia Lead <tia.lead@telford.example.gov.uk>\n"
                "Subject: Referral\n\n" + F.TWSP_INLINE)
        env.deliver(make_message("Tia Lead <tia.lead@telford.example.gov.uk>",
                                 "FW: Referral", body))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        detail = env.case(case["ref"])
        self.assertEqual(detail["raised_by"], "tia.lead@telford.example.gov.uk")
        fwd = [e for e in detail["events"] if e["kind"] == "forwarded"]
        self.assertEqual([e["actor"] for e in fwd],
                         ["casey@telford.example.gov.uk"])
        (ack,) = [m for m in env.sink.messages(
            rcpt="tia.lead@telford.example.gov.uk") if "Received" in m["Subject"]]
        self.assertIn(case["ref"], ack["Subject"])

    def test_bounce_is_recorded_against_the_contact_and_not_answered(self):
        """A delivery report for an address escbot wrote to in the case is
        recorded against it; one naming an address escbot never wrote to
        in that case (a forged report) changes nothing."""
        env = self.env
        env.deliver(make_message("casey@telford.example.gov.uk", "Referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        (case,) = env.cases()
        (ack,) = env.sink.messages(rcpt="casey@telford.example.gov.uk")
        sent_before = len(env.sink.messages())
        dsn_template = (
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.gov.uk>\r\n"
            "To: %s\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            "Message-ID: <dsn-%s@mx.example.gov.uk>\r\n"
            "Date: Mon, 23 Nov 2026 10:30:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;"
            " boundary=\"b1\"\r\n\r\n"
            "--b1\r\nContent-Type: text/plain\r\n\r\n"
            "Your message could not be delivered.\r\n"
            "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.gov.uk\r\n\r\n"
            "Final-Recipient: rfc822; %s\r\n"
            "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
            "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            "Message-ID: %s\r\nSubject: %s\r\n\r\n--b1--\r\n")
        for n, rcpt in ((1, "casey@telford.example.gov.uk"),
                        (2, "never.written.to@telford.example.gov.uk")):
            env.deliver(dsn_template % (
                "wsabtraining@wigan.example.gov.uk", n, rcpt,
                ack["Message-ID"], ack["Subject"]))
        env.run("run", "--once", now="2026-11-23T11:00:00Z")
        self.assertEqual(len(env.sink.messages()), sent_before)  # not answered
        self.assertEqual(len(env.cases(all=True)), 1)       # no case
        bounces = [e for e in env.case(case["ref"])["events"]
                   if e["kind"] == "bounce"]
        self.assertEqual(len(bounces), 1)
        self.assertEqual(bounces[0]["actor"], "casey@telford.example.gov.uk")
        self.assertIn("5.1.1", bounces[0]["detail"])
        p = env.run("digest", "--preview", "--period", "week",
                    now="2026-11-30T10:00:00Z")
        self.assertIn("casey@telford.example.gov.uk", p.stdout)
        self.assertNotIn("never.written.to", p.stdout)


if __name__ == "__main__":
    unittest.main()
