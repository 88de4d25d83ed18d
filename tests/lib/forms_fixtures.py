"""Form bodies used by the integration tests and the demo.  The people are
fictional; NHS numbers are test numbers with valid check digits."""
import base64
import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "fixtures")


def docx_message(name, msgid):
    """An email from casey@telford.example.gov.uk with the Word file
    tests/fixtures/docx/NAME attached."""
    with open(os.path.join(FIXTURES, "docx", name), "rb") as f:
        b64 = base64.encodebytes(f.read()).decode().replace("\n", "\r\n")
    return ("From: casey@telford.example.gov.uk\r\nTo: box@x\r\n"
            "Subject: =?utf-8?q?Referral_=E2=80=93_form_attached?=\r\n"
            "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=windows-1252\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            "Please find the form attached=92s below.\r\n"
            "--b\r\nContent-Type: application/vnd.openxmlformats-"
            "officedocument.wordprocessingml.document\r\n"
            "Content-Disposition: attachment; filename*=UTF-8''%s\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s--b--\r\n"
            % (msgid, name, b64))


TWSP_INLINE = """\
Hello, please find the referral below.

Telford & Wrekin Safeguarding Partnership
Resolution and Escalation Referral Form
FORMAL ESCALATION FORM (to be used from Stage 3 only and sent to the relevant senior manager or other designated professional)

Client Reference Number (if applicable): TW-48213
Date: 20/11/2026
Name of Individual: Alex Example
Date of Birth: 01/02/2015
NHS Number: 943 476 5919
Agency/Team: Family Connect, Telford & Wrekin Council
Receiving agency/team: West Mercia Police
Named GP and Surgery: Dr Rowan, Example Street Surgery
Summary of Concerns, including the specific difference/s which has resulted in utilising the Escalation process: West Mercia Police declined to attend the strategy discussion for Alex; stages 1 and 2 were tried with the line managers on 12 and 17 November without agreement.
Requested Action: A joint strategy discussion with West Mercia Police within 2 working days.

Kind regards
Casey Practitioner
"""

TWSP_LINES = """\
Resolution and Escalation Referral Form

Client Reference Number (if applicable):
TW-50991

Name of Individual:
Morgan Placeholder

Date of Birth:
3 March 2012

Agency/Team:
Shrewsbury and Telford NHS Trust, paediatric liaison

Receiving agency/team:
Family Connect

Summary of Concerns, including the specific difference/s which has resulted in utilising the Escalation process:
(It is important that you provide information that details how you have made every effort to resolve this matter at a local level within Stages 1 & 2)
Family Connect closed the referral without an assessment.
We discussed it at stage 1 and stage 2 without agreement.

Requested Action:
Reopen the referral and complete an assessment.
"""

TWSP_MISSING = """\
Resolution and Escalation Referral Form

Client Reference Number (if applicable): TW-77777
Date: 21/11/2026
Date of Birth: 31/02/2016
Agency/Team: West Mercia Police
"""

WSAB_LINES = """\
Partnership Resolution Seeking Proforma Stage 2 (Service Manager to Service Manager)

Family Details

Adult at risk 1
Name:
Jamie Testperson
Address:
1 Example Road, Wigan
D.O.B:
12/07/1950

GMP:
Yes

Analysis of concerns identified:
GMP have not shared the outcome of the welfare check with Adult Social Care.

Reason for seeking resolution:
Information sharing concerns: two requests at stage 1 had no reply.

Resolution required - What Needs to Happen that currently isn't:
GMP to share the welfare check outcome with ASC.

What are we worried about?
Jamie may be financially abused by a relative.

What's working well?
The GP and ASC are in contact weekly.

What needs to change?
Information must be shared within 2 working days.

What will be the impact on the Adult at risk/others if nothing changes?
Continued financial abuse.
"""

# The answers the Word form tests/fixtures/docx/twsp-referral.docx holds.
TWSP_DOCX_FIELDS = {
    "client_ref": "TW-123456",
    "date": "2026-02-01",
    "individual_name": "Alex Example",
    "dob": "2015-02-01",
    "nhs_number": "9434765919",
    "agency_team": "Telford & Wrekin Council, Family Safeguarding Team",
    "gp": "Dr Sam Sample, Example Road Surgery",
    "concerns": "Alex has missed three health appointments and the school "
                "reports weight loss.\nStage 1: practitioners spoke on "
                "20/01/2026 and did not agree on the threshold.\nStage 2: "
                "the line managers met on 27/01/2026 and could not agree "
                "either.",
    "requested_action": "A strategy discussion to be convened by Friday 6 "
                        "February 2026.",
}
