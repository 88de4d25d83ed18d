"""Mail as the clients send it, delivered to a real Dovecot: a referral
typed in Thunderbird (format=flowed, answers wrapped with soft breaks),
one from Apple Mail cut short by a gateway before its close delimiters
(the Word form its last part), and one from on-premises Exchange whose
Word form is inside winmail.dat (TNEF).  Each must become a case with
exactly the answers the practitioner gave."""
import base64
import email.utils
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, MAILBOX  # noqa: E402
import forms_fixtures as F                  # noqa: E402
import tnef                                 # noqa: E402

NOW = "2026-11-23T10:00:00Z"     # a Monday, in working hours
DOCX_TYPE = ("application/vnd.openxmlformats-officedocument."
             "wordprocessingml.document")


def b64(data):
    return base64.encodebytes(data).decode().replace("\n", "\r\n")


def docx(name):
    with open(os.path.join(F.FIXTURES, "docx", name), "rb") as f:
        return f.read()


def head(sender, subject, msgid, extra):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
            "Date: %s\r\nMIME-Version: 1.0\r\n%s"
            % (sender, MAILBOX, subject, msgid,
               email.utils.formatdate(localtime=False), extra))


# Thunderbird wraps at 72 columns, ending each soft-broken line with a
# space; " From" at the start of a line is space-stuffed.
FLOWED_BODY = (
    "Hello, please find the referral below.\r\n"
    "\r\n"
    "Telford & Wrekin Safeguarding Partnership\r\n"
    "Resolution and Escalation Referral Form\r\n"
    "FORMAL ESCALATION FORM (to be used from Stage 3 only and sent to the \r\n"
    "relevant senior manager or other designated professional)\r\n"
    "\r\n"
    "Client Reference Number (if applicable): TW-48213\r\n"
    "Date: 20/11/2026\r\n"
    "Name of Individual: Alex Example\r\n"
    "Date of Birth: 01/02/2015\r\n"
    "NHS Number: 943 476 5919\r\n"
    "Agency/Team: Family Connect, Telford & Wrekin Council\r\n"
    "Named GP and Surgery: Dr Rowan, Example Street Surgery\r\n"
    "Summary of Concerns, including the specific difference/s which has \r\n"
    "resulted in utilising the Escalation process: West Mercia Police \r\n"
    "declined to attend the strategy discussion for Alex; stages 1 and 2 \r\n"
    "were tried with the line managers without agreement. \r\n"
    " From 18 November Alex has been staying with an aunt.\r\n"
    "Requested Action: A joint strategy discussion with West Mercia Police \r\n"
    "within 2 working days.\r\n")

TWSP_DOCX_FIELDS = F.TWSP_DOCX_FIELDS


def flowed_message():
    return (head("Casey Practitioner <casey@telford.example.gov.uk>",
                 "Escalation referral", "flowed-1@thunderbird.example",
                 "User-Agent: Mozilla/5.0 Thunderbird/128.5.0\r\n"
                 "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
                 "Content-Transfer-Encoding: 8bit\r\n") +
            "\r\n" + FLOWED_BODY)


def truncated_message():
    """Apple Mail's shape, the Word form in the HTML alternative, cut by
    a gateway right after the form: no close delimiters at all."""
    outer = "Apple-Mail=_5C1D7E2A-7A51-4B7E-9C3B-0D6E6B1F0A11"
    inner = "Apple-Mail=_0F4B2C8D-1E2F-4A3B-8C9D-2E3F4A5B6C7D"
    return (head("Robin Worker <robin.worker@wigan.example.gov.uk>",
                 "Referral", "apple-cut-1@mac.example",
                 "Content-Type: multipart/alternative;\r\n"
                 "\tboundary=\"%s\"\r\n" % outer) +
            "\r\n\r\n--%s\r\n" % outer +
            "Content-Transfer-Encoding: 7bit\r\n"
            "Content-Type: text/plain;\r\n\tcharset=us-ascii\r\n\r\n"
            "Please find the referral attached.\r\n\r\n"
            "--%s\r\n" % outer +
            "Content-Type: multipart/mixed;\r\n"
            "\tboundary=\"%s\"\r\n\r\n\r\n" % inner +
            "--%s\r\n" % inner +
            "Content-Transfer-Encoding: 7bit\r\n"
            "Content-Type: text/html;\r\n\tcharset=us-ascii\r\n\r\n"
            "<html><body><div>Please find the referral attached.</div>"
            "</body></html>\r\n"
            "--%s\r\n" % inner +
            "Content-Disposition: attachment;\r\n"
            "\tfilename=twsp-referral.docx\r\n"
            "Content-Type: %s;\r\n" % DOCX_TYPE +
            "\tname=\"twsp-referral.docx\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" +
            b64(docx("twsp-referral.docx")))


def winmail_message():
    """On-premises Exchange: an empty text part and winmail.dat holding
    the Word form."""
    stream = tnef.stream([("twsp-referral.docx", docx("twsp-referral.docx"))],
                         body="Please find the referral attached.")
    return (head("Casey Practitioner <casey@telford.example.gov.uk>",
                 "Escalation referral", "exch-1@EXCH01.example.gov.uk",
                 "X-MS-Has-Attach: yes\r\n"
                 "X-MS-TNEF-Correlator: <0A1B2C3D@EXCH01.example.gov.uk>\r\n"
                 "Content-Type: multipart/mixed;\r\n"
                 "\tboundary=\"_000_0A1B2C3DEXCH01_\"\r\n") +
            "\r\n--_000_0A1B2C3DEXCH01_\r\n"
            "Content-Type: text/plain; charset=\"us-ascii\"\r\n\r\n\r\n"
            "--_000_0A1B2C3DEXCH01_\r\n"
            "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
            "Content-Disposition: attachment; filename=\"winmail.dat\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" +
            b64(stream) + "--_000_0A1B2C3DEXCH01_--\r\n")


class Clients(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-clients-")
        self.env = EscbotEnv(self.tmp.name).start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def one_case(self, raw):
        """Deliver raw, run once: the one case it opened and its fields."""
        self.env.deliver(raw)
        self.env.run("run", "--once", now=NOW)
        cases = self.env.cases()
        self.assertEqual(len(cases), 1, "no case (or several): %r" % cases)
        return cases[0], self.env.case(cases[0]["ref"])["fields"]

    def test_thunderbird_format_flowed(self):
        case, fields = self.one_case(flowed_message())
        self.assertEqual(case["form"], "twsp-referral")
        self.assertEqual(case["stage"], 3)
        self.assertEqual(case["raised_by"], "casey@telford.example.gov.uk")
        self.assertEqual(fields, {
            "client_ref": "TW-48213",
            "date": "2026-11-20",
            "individual_name": "Alex Example",
            "dob": "2015-02-01",
            "nhs_number": "9434765919",
            "agency_team": "Family Connect, Telford & Wrekin Council",
            "gp": "Dr Rowan, Example Street Surgery",
            "concerns": "West Mercia Police declined to attend the strategy "
                        "discussion for Alex; stages 1 and 2 were tried with "
                        "the line managers without agreement. From 18 "
                        "November Alex has been staying with an aunt.",
            "requested_action": "A joint strategy discussion with West "
                                "Mercia Police within 2 working days.",
        })

    def test_apple_mail_cut_short(self):
        case, fields = self.one_case(truncated_message())
        self.assertEqual(case["form"], "twsp-referral")
        self.assertEqual(case["raised_by"],
                         "robin.worker@wigan.example.gov.uk")
        self.assertEqual(fields, TWSP_DOCX_FIELDS)

    def test_exchange_winmail_dat(self):
        case, fields = self.one_case(winmail_message())
        self.assertEqual(case["form"], "twsp-referral")
        self.assertEqual(case["raised_by"], "casey@telford.example.gov.uk")
        self.assertEqual(fields, TWSP_DOCX_FIELDS)
        self.env.sink.wait_for(1)
        (ack,) = self.env.sink.messages(rcpt="casey@telford.example.gov.uk")
        text = ack.get_body(("plain",)).get_content()
        self.assertIn("recorded as case %s" % case["ref"], text)


if __name__ == "__main__":
    unittest.main()
