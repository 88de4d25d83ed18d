#!/usr/bin/python3
"""make-intake-corpus: writes the fixture messages of tests/unit/test_intake.c
into tests/unit/intake/ (or the folder given): what Outlook / Microsoft 365,
Gmail and Apple Mail really send -- multipart/alternative with
quoted-printable windows-1252 or UTF-8 and Word-generated HTML tables,
"On ... wrote:" and "-----Original Message-----" quoting, Exchange
headers, delivery reports, out-of-office replies -- built with the standard
library's email package, byte for byte the same on every run (fixed dates,
Message-IDs and MIME boundaries).  The form bodies come from
tests/lib/forms_fixtures.py and etc/samples/*.eml; the Word attachments are
tests/fixtures/docx/*.docx, tests/fixtures/libreoffice/*.docx and every
blank form of rules/forms/ filled in by tests/lib/blank_forms.py (also
inside Exchange's winmail.dat, tests/lib/tnef.py).  Every form goes through
every client: Outlook (HTML and text, and text alone), Outlook on the web,
Gmail, Apple Mail (format=flowed), forwarded inline (Outlook, Gmail) and as
an attached message; commands as people write them in each client.

Beside each NAME.eml it writes NAME.expect: the message's whole outcome
from the data the form was filled in with (the answers, commands and
senders below, never from what escbot reads), which test_intake.c
compares line by line.  Fictional people only.

    /usr/bin/python3 tests/tools/make-intake-corpus.py [DIR]
"""
import base64
import os
import re
import sys
from email import policy
from email.message import EmailMessage
from html import escape

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import blank_forms as bf  # noqa: E402
import forms_fixtures as ff  # noqa: E402
import formconf  # noqa: E402  (tools/, by blank_forms)
import tnef  # noqa: E402

OUT = (sys.argv[1] if len(sys.argv) > 1 else
       os.path.join(ROOT, "tests", "unit", "intake"))
DOCX = os.path.join(ROOT, "tests", "fixtures", "docx")

BOX = "Safeguarding escalations <wsabtraining@example.gov.uk>"
BOX_ADDR = "wsabtraining@example.gov.uk"

# test_intake.c's clocks.
NOV = "2026-11-23T12:00:00Z"
MAR = "2026-03-03T18:00:00Z"

# escbot's own Message-IDs known to the fake store of test_intake.c.
T7_ACK = "escbot.3f9a1c2e7b5d4a60@example.gov.uk"
T7_REMIND = "escbot.8c2d0e4f1a6b3957@example.gov.uk"
W12_ACK = "escbot.51e0b7a9c3d24f18@example.gov.uk"
W12_REMIND = "escbot.d04c9b2a7e1f6358@example.gov.uk"
W13_ACK = "escbot.a7c35e19b0d2f864@example.gov.uk"
W14_ACK = "escbot.0b6f2d8e4c1a9735@example.gov.uk"
C3_ACK = "escbot.e2a4c6b8d0f13579@example.gov.uk"
UNKNOWN_OURS = "escbot.ffff0000aaaa1111@example.gov.uk"
# The practitioner's own message that opened TWSP-2026-0007.
T7_THREAD = "20260202093000.4411@telford.example.gov.uk"

PEOPLE = {
    "jo": "Jo Practitioner <jo.practitioner@telford.example.gov.uk>",
    "casey": "Casey Practitioner <casey.practitioner@telford.example.gov.uk>",
    "tia": "Tia Lead <tia.lead@telford.example.gov.uk>",
    "stranger": "Morgan Bystander <morgan.bystander@telford.example.gov.uk>",
    "sam": "Sam Sample <sam.sample@wigan.example.gov.uk>",
    "harper": "Harper Head <harper.head@wigan.example.gov.uk>",
    "jos": "Jo Sample <jo.sample@wigan.example.gov.uk>",
    "pat": "Pat Sample <pat.sample@wwl.example.nhs.uk>",
    "chris": "Chris Sample <chris.sample@wwl.example.nhs.uk>",
    "gmail": "Jo Practitioner <jo.practitioner.home@gmail.com>",
    "lookalike": "Jo Practitioner <jo.practitioner@example.gov.uk.mail-secure.com>",
    "wes": "Ch Insp Wes Lead <wes.lead@westmercia.example.police.uk>",
}

written = []


# --- message builders -------------------------------------------------------

def sample_body(name):
    with open(os.path.join(ROOT, "etc", "samples", name), encoding="utf-8") as f:
        raw = f.read()
    return raw.split("\n\n", 1)[1]


def date(day, hh, mm, month="Nov", year=2026, dow="Mon", tz="+0000"):
    return "%s, %d %s %d %02d:%02d:%02d %s" % (dow, day, month, year, hh, mm,
                                                  (day * 7 + mm) % 60, tz)


def text_to_html(text, cells_p=False):
    """Outlook's HTML for a text: Word's MsoNormal paragraphs, and a table
    for each run of tab-separated lines (a pasted Word table)."""
    out, rows = [], []

    def flush():
        if not rows:
            return
        out.append('<table class="MsoTableGrid" border="1" cellspacing="0" '
                   'cellpadding="0" style="border-collapse:collapse;border:'
                   'none">\n<tbody>')
        for r in rows:
            out.append("<tr>")
            for c in r.split("\t"):
                inner = escape(c) if c else "&nbsp;"
                if cells_p:
                    out.append('<td width="300" valign="top" style="width:'
                               '225.4pt;border:solid windowtext 1.0pt;padding:'
                               '0cm 5.4pt 0cm 5.4pt">\n<p class="MsoNormal">'
                               '%s<o:p></o:p></p>\n</td>' % inner)
                else:
                    out.append('<td width="300" valign="top" style="width:'
                               '225.4pt;border:solid windowtext 1.0pt;padding:'
                               '0cm 5.4pt 0cm 5.4pt"><span style="font-size:'
                               '11.0pt">%s</span></td>' % inner)
            out.append("</tr>")
        out.append("</tbody>\n</table>")
        rows.clear()

    for line in text.split("\n"):
        if "\t" in line:
            rows.append(line)
            continue
        flush()
        if line.strip() == "":
            out.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
        else:
            out.append('<p class="MsoNormal">%s<o:p></o:p></p>' % escape(line))
    flush()
    return (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-'
        'microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office'
        ':word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
        'xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n<meta http-equiv='
        '"Content-Type" content="text/html; charset=utf-8">\n<meta name='
        '"Generator" content="Microsoft Word 15 (filtered medium)">\n<style>'
        '<!--\n/* Font Definitions */\n@font-face\n\t{font-family:"Cambria '
        'Math";\n\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\np.MsoNormal, li.MsoNormal, '
        'div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n\tfont-family:'
        '"Calibri",sans-serif;}\n.MsoChpDefault\n\t{mso-style-type:export-only;}'
        '\n@page WordSection1\n\t{size:612.0pt 792.0pt;}\ndiv.WordSection1\n\t'
        '{page:WordSection1;}\n-->\n</style>\n</head>\n<body lang="EN-GB" link='
        '"#0563C1" vlink="#954F72" style="word-wrap:break-word">\n<div class='
        '"WordSection1">\n' + "\n".join(out) + "\n</div>\n</body>\n</html>\n")


def base(frm, subject, msgid, when, to=BOX, cc=None, received=None):
    m = EmailMessage(policy=policy.SMTP)
    for r in received or []:
        m["Received"] = r
    if frm is not None:
        m["From"] = frm
    m["To"] = to
    if cc:
        m["CC"] = cc
    m["Subject"] = subject
    m["Date"] = when
    m["Message-ID"] = "<%s>" % msgid
    return m


def thread_headers(m, in_reply_to=None, references=None):
    if in_reply_to:
        m["In-Reply-To"] = "<%s>" % in_reply_to
    if references:
        m["References"] = " ".join("<%s>" % r for r in references)


def ms365_headers(m, domain, topic, index, auth=None, has_attach=False):
    m["Thread-Topic"] = topic
    m["Thread-Index"] = index
    m["Accept-Language"] = "en-GB, en-US"
    m["Content-Language"] = "en-GB"
    m["X-MS-Has-Attach"] = "yes" if has_attach else ""
    m["X-MS-TNEF-Correlator"] = ""
    m["msip_labels"] = ("MSIP_Label_7a3b1c_Enabled=true; MSIP_Label_7a3b1c_"
                        "Name=OFFICIAL; MSIP_Label_7a3b1c_SetDate=2026-11-20")
    m["Authentication-Results"] = auth or (
        "spf=pass (sender IP is 40.107.22.71) smtp.mailfrom=%s; dkim=pass "
        "(signature was verified) header.d=%s;dmarc=pass action=none "
        "header.from=%s;compauth=pass reason=100" % (domain, domain, domain))
    m["X-MS-Exchange-Organization-SCL"] = "1"
    m["X-MS-Exchange-Organization-AuthAs"] = "Anonymous"
    m["X-MS-Exchange-Organization-Network-Message-Id"] = (
        "4e2b7d61-%s-4c1f-08de-1a2b3c4d5e6f" % index[:4].encode().hex())
    m["X-MS-Exchange-CrossTenant-OriginalArrivalTime"] = "23 Nov 2026 09:41:07.0512 (UTC)"
    m["X-MS-Exchange-CrossTenant-FromEntityHeader"] = "Internet"
    m["X-MS-Exchange-Transport-CrossTenantHeadersStamped"] = "AM9PR01MB8123"


def tidy(part):
    """The email package puts MIME-Version on every part; mail clients put
    it only at the top."""
    for sub in part.walk():
        if sub is not part and "MIME-Version" in sub:
            del sub["MIME-Version"]


def attach(m, items, boundary):
    if not items:
        return
    m.make_mixed(boundary=boundary)
    for name, ctype, data in items:
        if ctype == "message/rfc822":
            m.add_attachment(data, filename=name)
            continue
        maintype, subtype = ctype.split("/", 1)
        m.add_attachment(data, maintype=maintype, subtype=subtype,
                         filename=name)


def docx_bytes(name):
    with open(os.path.join(DOCX, name), "rb") as f:
        return f.read()


def fake_pdf(size):
    head = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0"
            b" R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
            b"endobj\n")
    body = bytes((i * 131 + 7) % 256 for i in range(max(0, size - len(head) - 6)))
    return head + body + b"%%EOF\n"


def png(n):
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00"
            b"\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa" + bytes([n]) * 40 +
            b"\x00\x00\x00\x00IEND\xaeB`\x82")


def outlook(name, frm, subject, msgid, when, text, html=True, charset="windows-1252",
            cells_p=False, attachments=(), auth=None, cc=None, extra=(),
            in_reply_to=None, references=None, html_only=False, index=None,
            plain=None):
    addr = frm.split("<")[-1].rstrip(">") if frm else "unknown@example.gov.uk"
    domain = addr.split("@")[1]
    m = base(frm, subject, msgid, when, cc=cc, received=[
        "from AM9PR01MB8123.eurprd01.prod.exchangelabs.com (2603:10a6:20b:3c4::9)"
        " by DB7PR01MB4470.eurprd01.prod.exchangelabs.com with HTTPS; " + when,
        "from %s (40.107.22.71) by DB5EUR01FT012.mail.protection.outlook.com "
        "(10.152.4.233) with Microsoft SMTP Server (version=TLS1_2, cipher="
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7409.10 via Frontend "
        "Transport; %s" % ("mail." + domain, when)])
    thread_headers(m, in_reply_to, references)
    ms365_headers(m, domain, subject.split(": ", 1)[-1],
                  index or ("AQHa" + base64.b64encode(msgid.encode()).decode()[:24]),
                  auth=auth, has_attach=bool(attachments))
    for k, v in extra:
        m[k] = v
    if html_only:
        m.set_content(text_to_html(text, cells_p), subtype="html",
                      charset=charset, cte="quoted-printable")
    else:
        # plain: Outlook's own text/plain for what the HTML shows (a
        # pasted table comes out one cell a line).
        m.set_content(plain if plain is not None else text,
                      charset=charset, cte="quoted-printable")
        if html:
            m.add_alternative(text_to_html(text, cells_p), subtype="html",
                              charset=charset, cte="quoted-printable")
            m.set_boundary("_000_%s_" % msgid.split("@")[0][:40])
    attach(m, list(attachments), "_004_%s_" % msgid.split("@")[0][:40])
    write(name, m)


def gmail(name, frm, subject, msgid, when, text, attachments=(), extra=(),
          in_reply_to=None, references=None, html=True):
    m = base(frm, subject, msgid, when, received=[
        "by mail-wr1-f54.google.com with SMTP id ffacd0b85a97d-38f2c4a7e1"
        "so1234567f8f.1 for <wsabtraining@example.gov.uk>; " + when])
    m["DKIM-Signature"] = ("v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; "
                           "s=20230601; t=1795432100; x=1796036900; "
                           "h=to:subject:message-id:date:from:mime-version; "
                           "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; "
                           "b=dGVzdCBzaWduYXR1cmUgb25seQ==")
    m["X-Gm-Message-State"] = "AOJu0YwTestOnlyStateValue0123456789abcdef"
    m["X-Google-Smtp-Source"] = "AGHT+IFtestonlysource0123456789"
    thread_headers(m, in_reply_to, references)
    for k, v in extra:
        m[k] = v
    m.set_content(text, charset="utf-8", cte="quoted-printable")
    if html:
        paras = []
        for line in text.split("\n"):
            if line.startswith("> "):
                paras.append("<blockquote class=\"gmail_quote\">%s</blockquote>"
                             % escape(line[2:]))
            elif line.startswith("On ") and line.endswith("wrote:"):
                paras.append('<div class="gmail_attr">%s<br></div>' % escape(line))
            else:
                paras.append("<div>%s</div>" % (escape(line) or "<br>"))
        m.add_alternative('<div dir="ltr">%s</div>\n' % "\n".join(paras),
                          subtype="html", charset="utf-8",
                          cte="quoted-printable")
        m.set_boundary("0000000000%s" % msgid.encode().hex()[:18])
    attach(m, list(attachments), "0000000000%s" % msgid.encode().hex()[18:36])
    write(name, m)


def apple(name, frm, subject, msgid, when, text, extra=(), in_reply_to=None,
          references=None, attachments=()):
    m = base(frm, subject, msgid, when, received=[
        "from smtpclient.apple ([81.2.69.160]) by smtp.example.gov.uk with "
        "ESMTPSA id 4Z9x0b2Lq7z9sWT; " + when])
    m["X-Mailer"] = "Apple Mail (2.3774.600.62)"
    thread_headers(m, in_reply_to, references)
    for k, v in extra:
        m[k] = v
    m.set_content(text, charset="utf-8", cte="quoted-printable")
    attach(m, list(attachments), "Apple-Mail=_%s" % msgid.encode().hex()[:24].upper())
    write(name, m)


def write(name, m):
    tidy(m)
    if "MIME-Version" in m and list(m.keys()).count("MIME-Version") > 1:
        pass
    data = m.as_bytes(policy=policy.SMTP)
    path = os.path.join(OUT, name + ".eml")
    with open(path, "wb") as f:
        f.write(data)
    written.append(name)


def raw(name, text):
    data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    with open(os.path.join(OUT, name + ".eml"), "wb") as f:
        f.write(data)
    written.append(name)


def quoted_outlook(frm_line, sent, to, subject, body):
    """Outlook's reply header block and the original below it."""
    return ("\n\n________________________________\nFrom: %s\nSent: %s\nTo: %s\n"
            "Subject: %s\n\n%s" % (frm_line, sent, to, subject, body))


def quoted_original(frm_line, sent, to, subject, body):
    return ("\n\n-----Original Message-----\nFrom: %s\nSent: %s\nTo: %s\n"
            "Subject: %s\n\n%s" % (frm_line, sent, to, subject, body))


def gmail_quote(who, when, body):
    return ("\n\nOn %s, %s wrote:\n" % (when, who) +
            "\n".join("> " + l if l else ">" for l in body.rstrip("\n").split("\n")) + "\n")


ACK_T7 = """\
Case TWSP-2026-0007 has been opened at stage 3 (Senior managers /
designated safeguarding leads).

Reply to this email with PAUSE, RESUME, EXTEND n days, ESCALATE or RESOLVED
on the first line to act on the case.
"""

SIG_JO = "\nKind regards,\nJo Practitioner\nSenior Social Worker, Family Safeguarding Team\nTel 01952 000000\n"


# --- expected outcomes ---------------------------------------------------------
# NAME.expect beside NAME.eml: what escbot must make of the message, from
# the data the form was filled in with (not from what the parser reads):
# "@cases=" / "@now=" / "@conf=" / "@rules=" set the scene for
# test_intake.c's fake store, the rest is every line of the outcome --
# verdict, case ("new" or its reference), form, stage, agencies, every
# answer stored (normalised: dates YYYY-MM-DD, yes/no, NHS digits), every
# tracked action, the command and the reply (its template and key lines).

expected = {}
FORM_TITLES = {f.id: f.title for f in formconf.load(
    os.path.join(ROOT, "rules", "forms"))}


def esc(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n")


def expect(name, verdict, case=None, form=None, stage=None, agencies=None,
           fields=None, actions=(), reply=None, cases=None, now=None,
           conf=None, rules=None, urgent=False, forwarded_from=None,
           resolve=None, problems=None, command=None, days=None,
           command_reason=None, done=None, note=None, formats=False,
           lines=()):
    """agencies: (all, raising, receiving, unresolved); fields: name ->
    value in form order; actions: (num, due ISO, action, owner, purpose);
    problems: (name, label, reason)."""
    out = []
    for k, v in (("cases", cases), ("now", now), ("conf", conf),
                 ("rules", rules)):
        if v is not None:
            out.append("@%s=%s" % (k, v))
    out.append("verdict=" + verdict)
    if case is None and verdict in ("open", "record-resolved"):
        case = "new"
    if case:
        out.append("case=" + case)
    if form:
        out.append("form=" + form)
    if stage:
        out.append("stage=%d" % stage)
    if resolve is not None:
        out.append("resolve=%d" % resolve)
    if urgent:
        out.append("urgent=yes")
    if agencies is not None:
        for k, v in zip(("agencies", "raising", "receiving", "unresolved"),
                        agencies):
            out.append("%s=%s" % (k, esc(v)))
    if forwarded_from:
        out.append("forwarded_from=" + forwarded_from)
    for k, v in (fields or {}).items():
        out.append("field.%s=%s" % (k, esc(v)))
    for k, label, why in problems or ():
        out.append("problem.%s=%s" % (k, why))
    for num, due, what, owner, purpose in actions:
        out.append("action.%d=%s|%s|%s|%s" % (num, due, esc(what), esc(owner),
                                              esc(purpose)))
    if command:
        out.append("command=" + command)
        if days:
            out.append("days=%d" % days)
        if command_reason:
            out.append("command_reason=" + esc(command_reason))
    if done is not None:
        out.append("done=%d" % done)
    reply = reply or {
        "open": "ack", "record-resolved": "resolved", "join": "updated",
        "note": "noted", "no-form": "no-form", "doc-refused": "no-form",
        "incomplete": "reject", "unmatched": "unmatched"}.get(verdict, "none")
    out.append("reply=" + reply)
    # Its subject, where it depends on the message alone (the wording of
    # mail-templates/NAME.txt).
    title = FORM_TITLES.get(form)
    subject = {
        "no-form": "Your email to the escalation mailbox was not recorded",
        "reject": "Not recorded: your %s needs more information" % title,
        "noted": "[%s] Your reply was recorded as a note" % case,
        "updated": "[%s] Added to the case: %s" % (case, title),
        "agencies": "[%s] Agencies recorded" % case,
    }.get(reply)
    if subject:
        out.append("reply.subject=" + subject)
    for k, label, why in problems or ():
        out.append("reply.line=- %s: %s" % (label, why))
    if formats:
        out.append("reply.formats=yes")
    if note:
        out.append("reply.note=" + esc(note))
    out.extend(lines)
    assert name not in expected, name
    expected[name] = out


def write_expected():
    for name, out in expected.items():
        assert name in written, name
        with open(os.path.join(OUT, name + ".expect"), "w",
                  encoding="utf-8") as f:
            f.write("".join(l + "\n" for l in out))


# The answers each form body is filled in with, as escbot stores them.
TWSP_INLINE_ANSWERS = {
    "client_ref": "TW-48213",
    "date": "2026-11-20",
    "individual_name": "Alex Example",
    "dob": "2015-02-01",
    "nhs_number": "9434765919",
    "agency_team": "Family Connect, Telford & Wrekin Council",
    "receiving_agency": "West Mercia Police",
    "gp": "Dr Rowan, Example Street Surgery",
    "concerns": "West Mercia Police declined to attend the strategy "
                "discussion for Alex; stages 1 and 2 were tried with the line "
                "managers on 12 and 17 November without agreement.",
    "requested_action": "A joint strategy discussion with West Mercia Police "
                        "within 2 working days.",
}
TWSP_INLINE_AGENCIES = ("tw-council,west-mercia", "tw-council", "west-mercia", "")

WSAB_PROFORMA_TABLE_ANSWERS = {
    "adult1_name": "Alex Example",
    "adult1_address": "1 Example Street, Wigan WN1 0XX",
    "adult1_dob": "1950-02-01",
    "asc": "Leigh Locality Team \u2013 social worker Jo Sample",
    "gp": "Example Road Surgery",
    "wwl": "District nursing team",
    "other_agency": "Home care provider (Example Care Ltd)",
    "concerns_analysis": "Alex has had four falls in six weeks and is refusing "
                         "personal care.\nDistrict nurses report pressure "
                         "damage.\n\nAdult Social Care and the home care "
                         "provider disagree on whether\nAlex has capacity to "
                         "refuse care.",
    "reason": "Stage 1 discussion between practitioners on 27/01/2026 did not "
              "agree a\nlead agency for a capacity assessment.",
    "resolution_required": "A capacity assessment for personal care decisions, "
                           "with an agreed lead,\nwithin 5 working days.",
    "worried": "Further falls and worsening pressure damage.",
    "working_well": "Alex accepts daily visits from the district nurses.",
    "needs_to_change": "One agency leads and the others contribute.",
    "impact": "Likely hospital admission.",
}
WSAB_PROFORMA_AGENCIES = ("wigan-council,wwl", "wigan-council", "wwl",
                          "Home care provider (Example Care Ltd)")

WSAB_MEETING_ANSWERS = {
    "meeting_no": "1",
    "adult_name": "Alex Example",
    "dob": "1950-02-01",
    "meeting_date": "2026-03-03",
    "next_meeting_date": "2026-03-17",
    "attendees": "Sam Sample (ASC), Chris Sample (WWL)",
    "apologies": "Jo Sample (GMP)",
    "agency_1_name": "Adult Social Care",
    "agency_1_id": "ASC-000123",
    "agency_2_name": "WWL",
    "agency_2_id": "WWL-55501",
    "asc": "Known",
    "amh": "Not known",
    "gmp": "Known",
    "gp": "Example Road Surgery",
    "wwl": "Known",
    "concerns_analysis": "Four falls in six weeks; disagreement on capacity "
                         "to refuse personal care.",
    "action_1": "Capacity assessment; ASC, Sam Sample; Decide on personal "
                "care; 10/03/2026",
    "action_2": "Pressure care review; WWL, Chris Sample; Reduce pressure "
                "damage; 12/03/2026",
}
WSAB_MEETING_AGENCIES = ("wigan-council,wwl,gmp", "wigan-council", "wwl,gmp", "")
# Tracked: the next meeting (0) and each planned action, due at the end of
# its deadline's working day (17:00), the meeting at opening time.
WSAB_MEETING_ACTIONS = (
    (0, "2026-03-17T09:00:00+00:00", "next meeting", "", ""),
    (1, "2026-03-10T17:00:00+00:00", "Capacity assessment", "ASC, Sam Sample",
     "Decide on personal care"),
    (2, "2026-03-12T17:00:00+00:00", "Pressure care review",
     "WWL, Chris Sample", "Reduce pressure damage"),
)

WSAB_RESOLVED_ANSWERS = {
    "unique_id": "ASC-000123",
    "board_members": "Sam Sample, Head of Service, Adult Social Care; Chris "
                     "Sample, Named Nurse, WWL",
    "issue_details": "Disagreement over the lead agency for a capacity "
                     "assessment.",
    "level_resolved": "Level 3",
    "lessons_learned": "yes",
    "lessons_details": "Capacity assessments for refusal of care need a named "
                       "lead at the first\nmulti-agency meeting.",
    "staff_training": "yes",
    "protocol_review": "yes",
    "inform_commissioner": "no",
    "completed_date": "2026-03-20",
    "completed_by": "Sam Sample",
}
WSAB_RESOLVED_AGENCIES = ("wigan-council", "wigan-council", "", "")

WSCB_REPORT_ANSWERS = {
    "child_name": "Robin Example",
    "dob": "2014-06-05",
    "address": "2 Example Avenue, Wigan WN2 0XX",
    "practitioner": "Jo Sample, Social Worker, Children's Services",
    "other_agency": "Wigan Schools - Example Primary School",
    "details": "School and social care disagree\non whether a child "
               "protection conference is needed.",
    "level1": "Yes, discussed with the school's designated lead on 2/2/2026; "
              "not resolved.",
    "level2_referred_to": "Lee Sample, Team Manager",
    "level2_outcome": "Managers agreed a strategy discussion; the conference "
                      "question is still open.",
    "level3": "Not yet.",
    "parents_informed": "no",
    "not_informed_safeguarding": "yes",
}
WSCB_REPORT_AGENCIES = ("wigan-council,wigan-education", "wigan-council",
                        "wigan-education", "")

WSCB_RESOLVED_ANSWERS = {
    "child_name": "Robin Example",
    "dob": "2014-06-05",
    "address": "2 Example Avenue, Wigan WN2 0XX",
    "board_members": "Pat Sample, Designated Nurse, CCG; Lee Sample, "
                     "Assistant Director, Children's Services",
    "details": "Whether a child protection conference was needed.",
    "methodology": "Meeting of the two board representatives on 20/02/2026.",
    "lessons_learned": "yes",
    "lessons_details": "Schools need the threshold guidance again.",
    "staff_training": "yes",
    "new_protocol": "no",
    "inform_commissioner": "no",
    "subgroup_discussion": "Yes - Learning and Improvement sub group",
    "board_discussion": "No",
}
WSCB_RESOLVED_AGENCIES = ("wwl", "wwl", "", "")


def answers(base, **change):
    """A copy of a form's answers with some changed (None: not given)."""
    out = dict(base)
    for k, v in change.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


# --- forms -------------------------------------------------------------------

TWSP_TABLE = sample_body("twsp-referral-table.eml")
TWSP_TABLE_NEW = TWSP_TABLE.replace("TW-000123", "TW-61234")
TWSP_SAMPLE_INLINE = sample_body("twsp-referral-inline.eml")
TWSP_INCOMPLETE = sample_body("twsp-referral-incomplete.eml")
WSAB_PROFORMA_LINES = sample_body("wsab-proforma-lines.eml")
WSAB_PROFORMA_TABLE = sample_body("wsab-proforma-table.eml")
WSAB_MEETING = sample_body("wsab-meeting-table.eml")
WSAB_RESOLVED = sample_body("wsab-resolved.eml")
WSCB_REPORT = sample_body("wscb-agency-report.eml")
WSCB_RESOLVED = sample_body("wscb-resolved.eml")

TWSP_RESOLVED = """\
Resolution and Escalation Referral Form

Client Reference Number (if applicable):\tTW-70420\tDate:\t16/11/2026
Name of Individual:\tRiley Placeholder\tDate of Birth:\t09/09/2013
Agency/Team:\tWest Mercia Police, Public Protection Unit
Summary of Concerns, including the specific difference/s which has resulted in utilising the Escalation process:
\tFamily Connect did not share the outcome of the section 47 enquiry with the school.
Requested Action:\tShare the outcome with the school's DSL.
Response:\tOutcome shared by the team manager.
Date:\t18/11/2026\tSignature:\tT. Manager
Resolution of Issues:\tAgreed at a joint meeting; the school has the outcome.
Date:\t19/11/2026\tSignature:\tW. Lead
"""

TWSP_URGENT = ff.TWSP_INLINE.replace(
    "Requested Action:",
    "Alex is at immediate risk of significant harm at home.\nRequested Action:")
TWSP_NOT_URGENT = ff.TWSP_INLINE.replace(
    "Requested Action:",
    "Alex is not at immediate risk; the concern is about drift.\n"
    "Requested Action:").replace("TW-48213", "TW-48214")
TWSP_REF_FIELD = ff.TWSP_INLINE.replace(
    "Requested Action: A joint",
    "This follows escalation TWSP-2026-0007 (stage 3).\nRequested Action: A joint").replace(
    "TW-48213", "TW-99001")
# The reference at the end of a sentence: "TWSP-2026-0007." is not read as
# one (ref_in_text splits words on " \t\r\n,;:()[]" only).
TWSP_REF_FULL_STOP = ff.TWSP_INLINE.replace(
    "Requested Action: A joint",
    "This follows escalation TWSP-2026-0007.\nRequested Action: A joint").replace(
    "TW-48213", "TW-99002")

LONG_ANSWER = " ".join(["The strategy discussion was cancelled twice and the "
                        "rearranged date was not confirmed in writing."] * 20)
TWSP_LONG = ff.TWSP_INLINE.replace(
    "Requested Action:", LONG_ANSWER + "\nRequested Action:").replace(
    "TW-48213", "TW-48215")

WSAB_URGENT = WSAB_PROFORMA_LINES.replace(
    "Further falls and worsening pressure damage.",
    "Alex is suffering significant harm from neglect now.")
WSAB_INCOMPLETE = """\
Partnership Resolution Seeking Proforma

Adult at risk 1
Name:
Jamie Testperson
D.O.B:
12/07/1950

Analysis of concerns identified:
GMP have not shared the outcome of the welfare check.

Kind regards,
Sam
"""

WSAB_MEETING_INLINE = """\
Escalation Solution Focused Meeting

Meeting No: 2
Name: Alex Example
D.O.B: 01/02/1950
Date of Meeting: 04/03/2026
Date of next meeting: 18/03/2026
Attendees: Sam Sample (ASC), Chris Sample (WWL)
Analysis of concerns identified: Capacity assessment still outstanding.
Action 1: Capacity assessment; ASC, Sam Sample; decide on personal care; 11/03/2026
Action 2: GP review; WWL, Chris Sample; medication review; 13/03/2026
"""

WSAB_MEETING_REF = WSAB_MEETING.replace(
    "Four falls in six weeks; disagreement on capacity to refuse personal "
    "care.", "Four falls in six weeks; disagreement on capacity to refuse "
    "personal care. (escalation WSAB-2026-0012)")
# The Planned Actions as people also write them: typed as blocks (Apple
# Mail, Gmail), and the table as Outlook's text/plain gives it when the
# message has no HTML part, one cell a line; owners written "ASC - ...".
_ACTIONS_TABLE = WSAB_MEETING[WSAB_MEETING.index("No\tAction"):
                              WSAB_MEETING.index("\n\n", WSAB_MEETING.index("No\tAction"))]
WSAB_MEETING_BLOCKS = WSAB_MEETING.replace(_ACTIONS_TABLE, """\
No: 1
Action: Capacity assessment
Agency and owner: ASC - Sam Sample
Purpose of action: Decide on personal care
Deadline: 10/03/2026

No: 2
Action: Pressure care review
Agency and owner: WWL - Chris Sample
Purpose of action: Reduce pressure damage
Deadline: 12/03/2026""")
WSAB_MEETING_BLOCKS_UNNUMBERED = WSAB_MEETING.replace(_ACTIONS_TABLE, """\
Action: Capacity assessment
Owner: ASC - Sam Sample
Purpose: Decide on personal care
Deadline: 10/03/2026
Action: Pressure care review
Owner: WWL - Chris Sample
Purpose: Reduce pressure damage
Deadline: 12/03/2026""")
WSAB_MEETING_CELLS = WSAB_MEETING.replace(_ACTIONS_TABLE, "\n".join(
    cell for row in _ACTIONS_TABLE.replace(", ", " - ").split("\n")
    for cell in row.split("\t")))

WSAB_MEETING_INCOMPLETE = """\
Escalation Solution Focused Meeting Template

Meeting No: 3
Name: Alex Example
Attendees: Sam Sample (ASC)
Analysis of concerns identified: Awaiting the capacity assessment.
"""

WSAB_RESOLVED_LEVEL2 = """\
Pro-forma for reporting where issues have been resolved

Unique Identifier from your services records:
ASC-000456

Brief details of issue:
Who leads the discharge planning meeting.

At what level of the protocol was the issue resolved?
Level 2 - line managers agreed

Does this case give rise to any lessons learned? (Please circle)
No

Date of completion:
19/11/2026

Name:
Harper Head
"""
WSAB_RESOLVED_NOLEVEL = """\
Pro-forma for reporting where issues have been resolved

Unique Identifier from your services records: ASC-000789
Brief details of issue: Disagreement about the care provider's review.

Does this case give rise to any lessons learned? (Please circle) No

Name: Harper Head
"""

WSCB_LEVEL1_RESOLVED = """\
Agency Report Re: Recording Inter Agency Conflict and Resolution on a Service Users File

Name of child / young person: Casey Example
DOB: 12/12/2015
Name of Practitioner, Role and Agency: Jo Sample, Social Worker, Children's Services
Brief details re: inter agency disagreement: Health visitor and school disagreed about a referral.
Was this disagreement responded to at Level 1 of WSCB Escalation Policy? If so how was a resolution agreed?
Yes, resolved between the practitioners by phone on 10/11/2026.
If not, who was the individual (at Level 2 of the WSCB Escalation Policy) within your agency that you referred the disagreement to?
N/A
What was the outcome of this inter agency discussion at Level 2 of the WSCB Escalation Policy?
N/A
Was the conflict referred to your agency Board representative at Level 3 of the WSCB Escalation Policy? If so, what was the resolution?
No
"""
WSCB_LEVEL3_AGREED = WSCB_LEVEL1_RESOLVED.replace(
    "Casey Example", "Drew Example").replace(
    "No\n", "Yes: a strategy meeting was agreed by both board representatives.\n")
WSCB_LEVEL3_OPEN = WSCB_LEVEL1_RESOLVED.replace(
    "Casey Example", "Emery Example").replace(
    "No\n", "Yes, referred on 18/11/2026; not resolved yet.\n")
WSCB_NO_LEVELS = """\
Recording Inter Agency Conflict and Resolution

Name of child / young person:\tFinley Example
DOB:\t03/03/2017
Name of Practitioner, Role and Agency:\tJo Sample, Social Worker, Children's Services
Brief details re: inter agency disagreement:\tThe school will not attend core groups.
"""
WSCB_URGENT = WSCB_NO_LEVELS.replace(
    "Finley Example", "Gray Example").replace(
    "attend core groups.",
    "attend core groups; we think Gray is at risk of significant harm.")
WSCB_INCOMPLETE = """\
Agency Report Re: Recording Inter Agency Conflict and Resolution

Name of child / young person: Harley Example
DOB: 4/4/2016
"""
WSCB_RESOLVED_TABLE = """\
Pro-forma for reporting conflicts which have been resolved at WSCB agency representative level to WSCB

Name of child / young person:\tIndigo Example
DOB:\t07/07/2013
Name of Board Members, Roles and Agencies involved:\tPat Sample, Designated Nurse, CCG
Brief details re: inter agency disagreement:\tThreshold for a child in need plan.
Methodology used to resolve the complaint:\tMeeting of the board representatives.
Does this case give rise to any lessons learned? (Please circle)\tYes\t~~No~~
"""
WSCB_RESOLVED_INCOMPLETE = """\
Pro-forma for reporting conflicts which have been resolved at WSCB agency representative level

DOB: 07/07/2013
Methodology used to resolve the complaint: Meeting.
"""

# Every command as written, from a participant, a directory contact and a
# stranger: (name, first line, command, days or action number, reason).
COMMANDS = [
    ("pause", "PAUSE until the strategy meeting", "PAUSE", None,
     "until the strategy meeting"),
    ("resume", "Resume", "RESUME", None, None),
    ("extend", "EXTEND 3 days - awaiting the GP's report", "EXTEND", 3,
     "awaiting the GP's report"),
    ("escalate", "Escalate: no reply from health", "ESCALATE", None,
     "no reply from health"),
    ("resolved", "RESOLVED", "RESOLVE", None, None),
    ("done", "DONE 2", "DONE", 2, None),
    ("timescale", "TIMESCALE 2 days: the child needs a decision before "
     "Friday", "TIMESCALE", 2, "the child needs a decision before Friday"),
]
COMMAND_SENDERS = [("participant", PEOPLE["jo"]), ("contact", PEOPLE["tia"]),
                   ("stranger", PEOPLE["stranger"])]


def build():
    os.makedirs(OUT, exist_ok=True)
    nov = lambda d, h, mi, dow: date(d, h, mi, "Nov", 2026, dow)

    # ---- TWSP referral, each layout ----------------------------------------
    outlook("twsp-inline-outlook", PEOPLE["casey"],
            "Resolution and Escalation Referral Form - Alex",
            "AM9PR01MB81230B4E1C2D3F4A5B6C7D8E9F0A1@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 9, 41, "Mon"), ff.TWSP_INLINE)
    # "TBC" in the only field TWSP matches cases on: a placeholder, never
    # a key that joins two children's referrals.
    outlook("twsp-client-ref-na", PEOPLE["casey"],
            "Resolution and Escalation Referral Form - Robin",
            "AM9PR01MB81230B4E1C2D3F4A5B6C7D8E9F0A2@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 9, 43, "Mon"), ff.TWSP_INLINE.replace("TW-48213", "TBC"))
    # Forwarded by a manager: Outlook's inline "FW:" with its header
    # block, Gmail's "Forwarded message", and Outlook's "forward as
    # attachment" (message/rfc822).  The forwarder raises the case.
    outlook("twsp-fwd-inline-outlook", PEOPLE["tia"],
            "FW: Resolution and Escalation Referral Form - Alex",
            "AM9PR01MB81230B4E1C2D3F4A5B6C7D8E9F0B1@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 2, "Mon"),
            "Please see below, forwarded on Casey's behalf while the team "
            "mailbox is down.\n\nTia\n\n________________________________\n"
            "From: Casey Practitioner <casey.practitioner@telford.example.gov.uk>\n"
            "Sent: 23 November 2026 09:41\n"
            "To: Tia Lead <tia.lead@telford.example.gov.uk>\n"
            "Subject: Resolution and Escalation Referral Form - Alex\n\n"
            + ff.TWSP_INLINE.replace("TW-48213", "TW-48290"))
    gmail("twsp-fwd-inline-gmail", PEOPLE["tia"].replace(
          "tia.lead@telford.example.gov.uk", "tia.lead@telford.example.gov.uk"),
          "Fwd: Resolution and Escalation Referral Form",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdF@mail.gmail.com", nov(23, 11, 4, "Mon"),
          "FYI - please log this one.\n\n"
          "---------- Forwarded message ---------\n"
          "From: Casey Practitioner <casey.practitioner@telford.example.gov.uk>\n"
          "Date: Mon, 23 Nov 2026 at 09:41\n"
          "Subject: Resolution and Escalation Referral Form\n"
          "To: Tia Lead <tia.lead@telford.example.gov.uk>\n\n"
          + ff.TWSP_INLINE.replace("TW-48213", "TW-48291"))
    inner = EmailMessage(policy=policy.SMTP)
    inner["From"] = PEOPLE["casey"]
    inner["To"] = PEOPLE["tia"]
    inner["Subject"] = "Resolution and Escalation Referral Form - Alex"
    inner["Date"] = nov(23, 9, 41, "Mon")
    inner["Message-ID"] = "<AM9PR01MB8123INNER0001@AM9PR01MB8123.eurprd01.prod.exchangelabs.com>"
    inner.set_content(ff.TWSP_INLINE.replace("TW-48213", "TW-48292"),
                      charset="windows-1252", cte="quoted-printable")
    outlook("twsp-fwd-attached", PEOPLE["tia"],
            "FW: Resolution and Escalation Referral Form - Alex",
            "AM9PR01MB81230B4E1C2D3F4A5B6C7D8E9F0B3@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 6, "Mon"), "Casey's referral is attached.\n\nTia\n",
            attachments=[("Resolution and Escalation Referral Form - Alex.eml",
                          "message/rfc822", inner)])
    gmail("twsp-lines-gmail", "Sam Nurse <sam.nurse@sath.example.nhs.uk>",
          "Escalation - Morgan", "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdQ@mail.gmail.com",
          nov(23, 9, 44, "Mon"), ff.TWSP_LINES)
    outlook("twsp-table-outlook", PEOPLE["jo"],
            "FW: Resolution and Escalation Referral Form",
            "DB7PR01MB44700C1D2E3F4A5B6C7D8E9F0A1B2@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 9, 47, "Mon"), TWSP_TABLE_NEW)
    outlook("twsp-table-existing", PEOPLE["jo"],
            "FW: Resolution and Escalation Referral Form",
            "DB7PR01MB44701D2E3F4A5B6C7D8E9F0A1B2C3@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 9, 48, "Mon"), TWSP_TABLE)
    outlook("twsp-html-only", PEOPLE["casey"], "Escalation form",
            "AM9PR01MB8123A1B2C3D4E5F60718293A4B5C6@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 9, 50, "Mon"), TWSP_TABLE_NEW.replace("TW-61234", "TW-61235"),
            html_only=True, charset="utf-8")
    outlook("twsp-docx", PEOPLE["casey"], "Referral – form attached",
            "AM9PR01MB8123B2C3D4E5F60718293A4B5C6D7@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 9, 52, "Mon"),
            "Hello,\n\nPlease find the escalation form attached.\n\nKind regards\nCasey\n",
            attachments=[("TWSP referral form.docx",
                          "application/vnd.openxmlformats-officedocument."
                          "wordprocessingml.document", docx_bytes("twsp-referral.docx"))])
    apple("twsp-urgent-apple", PEOPLE["casey"], "URGENT escalation",
          "8D1F0C7A-2B3E-4F50-9A61-7C8D9E0F1A2B@telford.example.gov.uk",
          nov(23, 9, 55, "Mon"), TWSP_URGENT)
    apple("twsp-not-urgent-apple", PEOPLE["casey"], "Escalation",
          "9E2A1D8B-3C4F-4061-8B72-8D9E0F1A2B3C@telford.example.gov.uk",
          nov(23, 9, 56, "Mon"), TWSP_NOT_URGENT)
    outlook("twsp-resolved-record", PEOPLE["wes"],
            "Resolution and Escalation Referral Form (resolved)",
            "LO2P265MB1234ABCDEF0123456789ABCDEF012@LO2P265MB1234.GBRP265.PROD.OUTLOOK.COM",
            nov(23, 10, 2, "Mon"), TWSP_RESOLVED)
    apple("twsp-incomplete-apple", PEOPLE["chris"],
          "Escalation - Resolution and Escalation Referral Form",
          "CA+e5x0mpl3-9f2b7c41d0@mail.nhs.example.uk", nov(23, 10, 4, "Mon"),
          TWSP_INCOMPLETE)
    gmail("twsp-missing-gmail", PEOPLE["wes"].replace("Ch Insp ", ""),
          "Escalation", "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdR@mail.gmail.com",
          nov(23, 10, 5, "Mon"), ff.TWSP_MISSING)
    outlook("twsp-ref-in-field", PEOPLE["casey"], "Further referral",
            "AM9PR01MB8123C3D4E5F60718293A4B5C6D7E8@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 7, "Mon"), TWSP_REF_FIELD)
    outlook("twsp-ref-full-stop", PEOPLE["casey"], "Further referral",
            "AM9PR01MB8123C3D4E5F60718293A4B5C6D7E9@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 8, "Mon"), TWSP_REF_FULL_STOP)
    outlook("twsp-html-cells", PEOPLE["casey"], "Escalation form (table)",
            "AM9PR01MB8123D4E5F60718293A4B5C6D7E8F9@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 9, "Mon"), TWSP_TABLE_NEW.replace("TW-61234", "TW-61236"),
            html_only=True, cells_p=True)

    # ---- WSAB proforma -------------------------------------------------------
    apple("wsab-proforma-lines-apple", PEOPLE["sam"],
          "Partnership Resolution Seeking Proforma - stage 2",
          "5f1c2a9e-0b6d-4c1e-9a77-2c0f3d1e8b10@wigan.example.gov.uk",
          date(3, 14, 5, "Mar", 2026, "Tue"), WSAB_PROFORMA_LINES)
    outlook("wsab-proforma-table-outlook", PEOPLE["sam"],
            "Resolution seeking proforma (table)",
            "7a0e3c1d-5b2f-4f8e-8d3a-0e9b1c2d3f40@wigan.example.gov.uk",
            date(3, 15, 20, "Mar", 2026, "Tue"), WSAB_PROFORMA_TABLE,
            charset="utf-8")
    # Outlook's text/plain of a pasted table: every cell on its own line,
    # so a grid row's name, address and date of birth run together; the
    # HTML part beside it holds the table intact.
    flat = WSAB_PROFORMA_TABLE.replace("\t", "\n")
    outlook("wsab-proforma-table-flattened", PEOPLE["sam"],
            "Resolution seeking proforma (pasted table)",
            "CWLP123MB4567F1A7E0123456789ABCDEF@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 15, 25, "Mar", 2026, "Tue"), WSAB_PROFORMA_TABLE,
            charset="utf-8", plain=flat)
    outlook("wsab-proforma-flattened-only", PEOPLE["sam"],
            "Resolution seeking proforma (pasted table, text only)",
            "CWLP123MB4567F1A7E1123456789ABCDEF@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 15, 26, "Mar", 2026, "Tue"), flat, charset="utf-8",
            html=False)
    outlook("wsab-proforma-html-only", PEOPLE["sam"], "Proforma",
            "CWLP123MB4567ABCDEF0123456789ABCDEF@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 15, 30, "Mar", 2026, "Tue"), WSAB_PROFORMA_TABLE,
            html_only=True, charset="utf-8")
    outlook("wsab-proforma-docx", PEOPLE["sam"], "Proforma attached",
            "CWLP123MB4567BCDEF0123456789ABCDEF0@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 15, 35, "Mar", 2026, "Tue"),
            "Hi,\n\nThe proforma is attached.\n\nThanks\nSam\n",
            attachments=[("image001.png", "image/png", png(1)),
                         ("Resolution Seeking Proforma.docx",
                          "application/vnd.openxmlformats-officedocument."
                          "wordprocessingml.document", docx_bytes("wsab-proforma.docx"))])
    gmail("wsab-lines-gmail", PEOPLE["sam"], "Proforma - Jamie",
          "CAH7r2XK9mQp0w8z=Tn3bYvL5cJ@mail.gmail.com",
          date(3, 16, 1, "Mar", 2026, "Tue"), ff.WSAB_LINES)
    outlook("wsab-proforma-incomplete", PEOPLE["sam"], "Proforma",
            "CWLP123MB4567CDEF0123456789ABCDEF01@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 16, 10, "Mar", 2026, "Tue"), WSAB_INCOMPLETE)
    apple("wsab-proforma-urgent", PEOPLE["sam"], "Proforma - urgent",
          "3B4C5D6E-7F80-4192-A3B4-C5D6E7F8091A@wigan.example.gov.uk",
          date(3, 16, 20, "Mar", 2026, "Tue"), WSAB_URGENT)

    # ---- WSAB meeting ----------------------------------------------------------
    outlook("wsab-meeting-thread", PEOPLE["sam"],
            "RE: Escalation Solution Focused Meeting - notes",
            "20260303170000.7781@wigan.example.gov.uk",
            date(3, 17, 0, "Mar", 2026, "Tue"), WSAB_MEETING,
            in_reply_to=W12_ACK, references=[W12_ACK])
    outlook("wsab-meeting-new", PEOPLE["sam"],
            "Escalation Solution Focused Meeting - notes",
            "20260303171500.7782@wigan.example.gov.uk",
            date(3, 17, 15, "Mar", 2026, "Tue"), WSAB_MEETING)
    # A semicolon inside a cell ("Decide on personal care; report to
    # panel") must not shift the row's cells and lose its deadline.
    outlook("wsab-meeting-semicolon", PEOPLE["sam"],
            "Escalation Solution Focused Meeting - notes (2)",
            "20260303171600.7783@wigan.example.gov.uk",
            date(3, 17, 16, "Mar", 2026, "Tue"), WSAB_MEETING.replace(
                "Decide on personal care", "Decide on personal care; report "
                "to panel").replace("ASC, Sam Sample", "ASC - Sam Sample"))
    apple("wsab-meeting-blocks", PEOPLE["sam"],
          "Escalation Solution Focused Meeting - actions",
          "7D8E9F0A-1B2C-4D3E-9F4A-5B6C7D8E9F0A@wigan.example.gov.uk",
          date(3, 17, 17, "Mar", 2026, "Tue"), WSAB_MEETING_BLOCKS)
    gmail("wsab-meeting-blocks-unnumbered", PEOPLE["sam"],
          "Escalation Solution Focused Meeting - actions",
          "CAJm4q7Zb1+Xr2bYw8Ue1p9Q@mail.gmail.com",
          date(3, 17, 18, "Mar", 2026, "Tue"), WSAB_MEETING_BLOCKS_UNNUMBERED)
    outlook("wsab-meeting-cells-text", PEOPLE["sam"],
            "Escalation Solution Focused Meeting - actions",
            "20260303171900.7790@wigan.example.gov.uk",
            date(3, 17, 19, "Mar", 2026, "Tue"), WSAB_MEETING_CELLS,
            html=False)
    outlook("wsab-meeting-ref-field", PEOPLE["sam"],
            "Escalation Solution Focused Meeting - notes",
            "20260303172000.7783@wigan.example.gov.uk",
            date(3, 17, 20, "Mar", 2026, "Tue"), WSAB_MEETING_REF)
    apple("wsab-meeting-inline-subject", PEOPLE["sam"],
          "Re: [WSAB-2026-0012] Meeting notes",
          "6C7D8E9F-0A1B-4C2D-8E3F-4A5B6C7D8E9F@wigan.example.gov.uk",
          date(4, 17, 30, "Mar", 2026, "Wed"), WSAB_MEETING_INLINE)
    outlook("wsab-meeting-html-thread", PEOPLE["sam"],
            "RE: [WSAB-2026-0012] Escalation Solution Focused Meeting",
            "CWLP123MB4567DEF0123456789ABCDEF012@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 17, 40, "Mar", 2026, "Tue"), WSAB_MEETING, html_only=True,
            charset="utf-8")
    outlook("wsab-meeting-incomplete", PEOPLE["sam"],
            "Escalation Solution Focused Meeting",
            "CWLP123MB4567EF0123456789ABCDEF0123@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 17, 45, "Mar", 2026, "Tue"), WSAB_MEETING_INCOMPLETE)

    # ---- WSAB resolved ----------------------------------------------------------
    outlook("wsab-resolved-new", PEOPLE["sam"], "Pro-forma: issue resolved",
            "20260320120000.9012@wigan.example.gov.uk",
            date(20, 12, 0, "Mar", 2026, "Fri"), WSAB_RESOLVED, charset="utf-8")
    outlook("wsab-resolved-thread", PEOPLE["sam"],
            "RE: Resolution seeking proforma", "20260320121500.9013@wigan.example.gov.uk",
            date(20, 12, 15, "Mar", 2026, "Fri"), WSAB_RESOLVED, charset="utf-8",
            references=["7a0e3c1d-5b2f-4f8e-8d3a-0e9b1c2d3f40@wigan.example.gov.uk",
                        W12_ACK, W12_REMIND])
    outlook("wsab-resolved-already", PEOPLE["sam"],
            "RE: [WSAB-2026-0014] resolved", "20260320123000.9014@wigan.example.gov.uk",
            date(20, 12, 30, "Mar", 2026, "Fri"), WSAB_RESOLVED, charset="utf-8")
    outlook("wsab-resolved-docx", PEOPLE["sam"], "Resolved pro-forma",
            "20260320124500.9015@wigan.example.gov.uk",
            date(20, 12, 45, "Mar", 2026, "Fri"),
            "Please see the attached pro-forma.\n\nSam\n",
            attachments=[("Resolved.docx", "application/octet-stream",
                          docx_bytes("wsab-resolved.docx"))])
    gmail("wsab-resolved-incomplete", PEOPLE["harper"], "Resolved",
          "CAH7r2XK9mQp0w8z=Tn3bYvL5cK@mail.gmail.com",
          nov(20, 11, 0, "Fri"), WSAB_RESOLVED_NOLEVEL)
    apple("wsab-resolved-level2", PEOPLE["harper"], "Resolved at level 2",
          "7D8E9F0A-1B2C-4D3E-9F4A-5B6C7D8E9F0A@wigan.example.gov.uk",
          nov(20, 11, 5, "Fri"), WSAB_RESOLVED_LEVEL2)

    # ---- WSCB agency report ------------------------------------------------------
    gmail("wscb-report-gmail", PEOPLE["jos"], "Agency report - inter agency conflict",
          "20260210093000.3141@wigan.example.gov.uk",
          date(10, 9, 30, "Feb", 2026, "Tue"), WSCB_REPORT)
    apple("wscb-level1-resolved", PEOPLE["jos"], "Agency report",
          "8E9F0A1B-2C3D-4E4F-8A5B-6C7D8E9F0A1B@wigan.example.gov.uk",
          nov(23, 10, 30, "Mon"), WSCB_LEVEL1_RESOLVED)
    apple("wscb-level3-agreed", PEOPLE["jos"], "Agency report",
          "9F0A1B2C-3D4E-4F50-9B6C-7D8E9F0A1B2C@wigan.example.gov.uk",
          nov(23, 10, 31, "Mon"), WSCB_LEVEL3_AGREED)
    apple("wscb-level3-open", PEOPLE["jos"], "Agency report",
          "0A1B2C3D-4E5F-4061-8C7D-8E9F0A1B2C3D@wigan.example.gov.uk",
          nov(23, 10, 32, "Mon"), WSCB_LEVEL3_OPEN)
    outlook("wscb-no-levels-outlook", PEOPLE["jos"], "Agency report (table)",
            "CWLP123MB4567F0123456789ABCDEF01234@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            nov(23, 10, 33, "Mon"), WSCB_NO_LEVELS)
    outlook("wscb-report-html-only", PEOPLE["jos"], "Agency report",
            "CWLP123MB45670123456789ABCDEF012345@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            nov(23, 10, 34, "Mon"), WSCB_URGENT, html_only=True)
    gmail("wscb-report-incomplete", PEOPLE["jos"], "Agency report",
          "CAH7r2XK9mQp0w8z=Tn3bYvL5cL@mail.gmail.com", nov(23, 10, 35, "Mon"),
          WSCB_INCOMPLETE)

    # ---- WSCB resolved -------------------------------------------------------------
    apple("wscb-resolved-apple", PEOPLE["pat"],
          "Conflict resolved at board representative level",
          "20260225150000.2718@wwl.example.nhs.uk",
          date(25, 15, 0, "Feb", 2026, "Wed"), WSCB_RESOLVED)
    outlook("wscb-resolved-table", PEOPLE["pat"], "Resolved conflict pro-forma",
            "LO2P265MB2345BCDEF0123456789ABCDEF01@LO2P265MB2345.GBRP265.PROD.OUTLOOK.COM",
            nov(23, 10, 40, "Mon"), WSCB_RESOLVED_TABLE)
    outlook("wscb-resolved-incomplete", PEOPLE["pat"], "Resolved conflict",
            "LO2P265MB2345CDEF0123456789ABCDEF012@LO2P265MB2345.GBRP265.PROD.OUTLOOK.COM",
            nov(23, 10, 41, "Mon"), WSCB_RESOLVED_INCOMPLETE)

    # ---- agencies from the form's agency fields, matched as whole names (issue 13)
    def receiving(body, text, n):
        return body.replace("TW-48213", "TW-4830%d" % n).replace(
            "Receiving agency/team: West Mercia Police",
            "Receiving agency/team: " + text)
    outlook("agency-alexs-school", PEOPLE["casey"], "Escalation",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9A1@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 11, "Mon"), receiving(ff.TWSP_INLINE.replace(
                "West Mercia Police declined", "Alex's school and Wrekin "
                "Housing say that West Mercia Police declined"),
                "Alex's school", 1))
    outlook("agency-wrekin-housing", PEOPLE["casey"], "Escalation",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9A2@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 12, "Mon"), receiving(ff.TWSP_INLINE,
                                              "Wrekin Housing - neighbourhood team", 2))
    outlook("agency-family-safeguarding", PEOPLE["casey"], "Escalation",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9A3@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 13, "Mon"), receiving(
                ff.TWSP_INLINE, "Family Safeguarding Team (T&W); the "
                "health visiting service and West Mercia Police (PPU)", 3))
    gmail("cmd-agencies-gmail", PEOPLE["casey"], "Re: [TWSP-2026-0007] Received",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdA@mail.gmail.com", nov(23, 10, 14, "Mon"),
          "Agencies: West Mercia Police; Family Safeguarding Team (T&W)\n\n"
          "Casey" + gmail_quote("Safeguarding escalations <wsabtraining@example.gov.uk>",
                                "Mon, 23 Nov 2026 at 09:42", ACK_T7),
          in_reply_to=T7_ACK, references=[T7_ACK])

    # ---- the resolution requests: a way in below each protocol's own form
    # (issue 13): level 1, or the level the Yes / No answers show.
    req_twsp = (
        "TWSP Resolution Request\n\n"
        "Name of child or adult: Robin Example\n"
        "Date of birth: 05/06/2016\n"
        "Agencies involved: West Mercia Police\n"
        "Summary of the disagreement: The police will not share the "
        "incident log.\n"
        "Action requested: The log shared this week\n"
        "Have line / team managers tried to resolve it (stage 2)? No\n"
        "Have senior managers / designated safeguarding leads tried to "
        "resolve it (stage 3)? No\n"
        "Has it been referred to assistant directors / directors (stage 4)? "
        "No\n"
        "Has it been referred to the TWSP Executive through the Partnership "
        "Manager (stage 5)? No\n"
        "Is a child or adult at immediate risk of significant harm? No\n\n"
        "Kind regards\nCasey\n")
    gmail("request-twsp-stage1", PEOPLE["casey"], "Resolution request",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdR1@mail.gmail.com", nov(23, 10, 16, "Mon"),
          req_twsp)
    outlook("request-twsp-stage2", PEOPLE["casey"], "Resolution request",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9B1@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 17, "Mon"), req_twsp.replace(
                "(stage 2)? No", "(stage 2)? Yes, on 20/11/2026"))
    # First brought to escbot at stage 5: every stage before it answered
    # Yes, as a Partnership Manager writes it.
    outlook("request-twsp-stage5", PEOPLE["casey"], "Resolution request",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9B5@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 10, 20, "Mon"), req_twsp.replace("? No\n", "? Yes\n")
            .replace("harm? Yes", "harm? No"))
    req_wsab = (
        "WSAB Resolution Request (from level 1)\n\n"
        "Name of adult: Sky Example\n"
        "Date of birth: 07/08/1948\n"
        "Agencies involved: WWL\n"
        "Summary of the disagreement: Whether a section 42 enquiry is "
        "needed.\n"
        "Action requested: A joint visit\n"
        "Have the line managers discussed it (level 2)? Yes\n"
        "Has it been referred to heads of service (level 3)? Yes\n"
        "Has it been referred to the WSAB Service Manager (level 4)? No\n"
        "Is an adult at immediate risk of significant harm? No\n\n"
        "Thanks\nJo\n")
    apple("request-wsab-level3", PEOPLE["jos"], "Resolution request",
          "1B2C3D4E-5F60-4172-8D9E-0F1A2B3C4D5E@wigan.example.gov.uk",
          nov(23, 10, 18, "Mon"), req_wsab)
    apple("request-wsab-level4", PEOPLE["jos"], "Resolution request",
          "1B2C3D4E-5F60-4172-8D9E-0F1A2B3C4D5F@wigan.example.gov.uk",
          nov(23, 10, 21, "Mon"), req_wsab.replace(
              "(level 4)? No", "(level 4)? Yes, on 19/11/2026"))
    req_wscb = (
        "WSCB Resolution Request (from level 1)\n\n"
        "Name of child / young person: Rowan Example\n"
        "Date of birth: 09/10/2018\n"
        "Agencies involved: GMP\n"
        "Summary of the disagreement: Whether a strategy discussion is "
        "needed.\n"
        "Has it been referred to line managers / named safeguarding leads "
        "(level 2)? No\n"
        "Has it been referred to the agencies' WSCB representatives "
        "(level 3)? No\n"
        "Has it been referred to the WSCB business manager (level 4)? No\n\n"
        "Thanks\nJo\n")
    gmail("request-wscb-level1", PEOPLE["jos"], "Resolution request",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdR2@mail.gmail.com", nov(23, 10, 19, "Mon"),
          req_wscb)
    gmail("request-wscb-level4", PEOPLE["jos"], "Resolution request",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdR4@mail.gmail.com", nov(23, 10, 22, "Mon"),
          req_wscb.replace("? No\n", "? Yes\n"))
    # A case a request opened, then the protocol's own form: the TWSP
    # referral (a client reference no case has) finds it by the
    # individual's name and date of birth, its second match set; the same
    # request again, now saying the directors are involved, finds it by
    # the request's own.
    outlook("join-request-twsp-referral", PEOPLE["casey"],
            "Escalation referral",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9C1@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(24, 9, 40, "Tue"), ff.TWSP_INLINE.replace("TW-48213",
                                                         "TW-51234"))
    # The case already has a client reference of its own: a referral
    # with another is another disagreement about the same child.
    outlook("join-request-twsp-other-ref", PEOPLE["casey"],
            "Escalation referral",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9C3@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(24, 9, 42, "Tue"), ff.TWSP_INLINE.replace("TW-48213",
                                                         "TW-51235"))
    outlook("join-request-twsp-later", PEOPLE["casey"],
            "RE: Resolution request",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F9C2@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(24, 9, 45, "Tue"), req_twsp.replace(
                "(stage 4)? No", "(stage 4)? Yes, on 23/11/2026"))

    # ---- replies in a case thread --------------------------------------------------
    orig_t7 = ACK_T7
    ack_from = BOX
    outlook("cmd-pause-subject", PEOPLE["jo"],
            "RE: [TWSP-2026-0007] Case opened: Resolution and Escalation Referral Form",
            "DB7PR01MB4470A0000000000000000000000001@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 0, "Mon"),
            "PAUSE awaiting the strategy meeting on Thursday\n" + SIG_JO +
            quoted_outlook(ack_from, "23 November 2026 09:42", PEOPLE["jo"],
                           "[TWSP-2026-0007] Case opened", orig_t7))
    outlook("cmd-resume-contact", PEOPLE["tia"],
            "RE: Case opened: Resolution and Escalation Referral Form",
            "DB7PR01MB4470A0000000000000000000000002@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 5, "Mon"),
            "Resume\n\nTia\n" + quoted_outlook(ack_from, "23 November 2026 09:42",
                                               PEOPLE["jo"], "Case opened", orig_t7),
            in_reply_to=T7_ACK, references=[T7_THREAD, T7_ACK])
    gmail("cmd-extend-references", PEOPLE["casey"],
          "Re: Reminder: stage 3 due tomorrow",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdS@mail.gmail.com", nov(23, 11, 10, "Mon"),
          "EXTEND 3 days: waiting for the GP's report\n\nCasey" +
          gmail_quote("Safeguarding escalations <wsabtraining@example.gov.uk>",
                      "Mon, 23 Nov 2026 at 08:00", orig_t7),
          references=["unrelated.1@telford.example.gov.uk", T7_REMIND])
    outlook("cmd-extend-bad", PEOPLE["jo"], "RE: [TWSP-2026-0007] Reminder",
            "DB7PR01MB4470A0000000000000000000000003@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 12, "Mon"),
            "Extend a few more days please, the GP has not replied.\n" + SIG_JO)
    outlook("cmd-escalate-outlook", PEOPLE["jo"], "RE: [TWSP-2026-0007] Reminder",
            "DB7PR01MB4470A0000000000000000000000004@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 15, "Mon"),
            "ESCALATE - no response from health after two reminders\n" + SIG_JO +
            quoted_original(ack_from, "23 November 2026 08:00", PEOPLE["jo"],
                            "[TWSP-2026-0007] Reminder", orig_t7))
    gmail("cmd-resolved-gmail", PEOPLE["casey"], "Re: [TWSP-2026-0007] Case opened",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdT@mail.gmail.com", nov(23, 11, 20, "Mon"),
          "RESOLVED: agreed at the strategy meeting today\n\nThanks, Casey" +
          gmail_quote("Safeguarding escalations <wsabtraining@example.gov.uk>",
                      "Mon, 23 Nov 2026 at 09:42", orig_t7),
          in_reply_to=T7_ACK, references=[T7_ACK])
    apple("cmd-done-participant", PEOPLE["sam"], "Re: [WSAB-2026-0012] Action 2 due",
          "1B2C3D4E-5F60-4172-9D8E-9F0A1B2C3D4E@wigan.example.gov.uk",
          date(11, 9, 0, "Mar", 2026, "Wed"),
          "DONE 2\n\nSam\n\n> On 10 Mar 2026, at 09:00, Safeguarding escalations "
          "<wsabtraining@example.gov.uk> wrote:\n>\n> Action 2 is due tomorrow.\n",
          in_reply_to=W12_REMIND)
    outlook("cmd-done-contact", PEOPLE["harper"], "RE: [WSAB-2026-0012] Action 1 due",
            "CWLP123MB4567A0000000000000000000001@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(11, 9, 5, "Mar", 2026, "Wed"),
            "Done: action 1\n\nHarper" + quoted_outlook(
                BOX, "10 March 2026 09:00", PEOPLE["harper"],
                "[WSAB-2026-0012] Action 1 due", "Action 1 is due tomorrow.\n"))
    outlook("cmd-done-stranger", PEOPLE["stranger"], "RE: [TWSP-2026-0007] Reminder",
            "DB7PR01MB4470A0000000000000000000000005@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 25, "Mon"), "DONE 1\n\nMorgan\n")
    outlook("cmd-pause-stranger", PEOPLE["stranger"], "RE: [TWSP-2026-0007] Reminder",
            "DB7PR01MB4470A0000000000000000000000006@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 26, "Mon"), "PAUSE\n\nMorgan\n")
    # A partnership role holder of another partnership (Wigan's children's
    # board business manager) on a Telford case.
    outlook("cmd-pause-other-partnership",
            "WSCB Business Manager <wscb.business@wigan.example.gov.uk>",
            "RE: [TWSP-2026-0007] Reminder",
            "DB7PR01MB4470A0000000000000000000000016@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 26, "Mon"), "PAUSE: awaiting our board\n\nWSCB\n")
    gmail("cmd-escalate-stranger", PEOPLE["stranger"], "Re: Case opened",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdU@mail.gmail.com", nov(23, 11, 27, "Mon"),
          "escalate this please" + gmail_quote(BOX, "Mon, 23 Nov 2026 at 09:42", orig_t7),
          in_reply_to=T7_THREAD)
    outlook("reply-note-participant", PEOPLE["jo"], "RE: [TWSP-2026-0007] Case opened",
            "DB7PR01MB4470A0000000000000000000000007@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 30, "Mon"),
            "Thanks - the strategy meeting is booked for Thursday at 10am.\n" + SIG_JO +
            quoted_outlook(BOX, "23 November 2026 09:42", PEOPLE["jo"],
                           "[TWSP-2026-0007] Case opened", orig_t7))
    outlook("reply-note-stranger", PEOPLE["stranger"], "RE: [TWSP-2026-0007] Case opened",
            "DB7PR01MB4470A0000000000000000000000008@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 31, "Mon"), "What is this about?\n\nMorgan\n")
    gmail("reply-command-quoted", PEOPLE["casey"], "Re: [TWSP-2026-0007] Case opened",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdV@mail.gmail.com", nov(23, 11, 32, "Mon"),
          "Noted, thank you.\n\nCasey" + gmail_quote(
              PEOPLE["jo"], "Mon, 23 Nov 2026 at 11:00",
              "PAUSE awaiting the strategy meeting\n\nJo\n"))
    outlook("cmd-resume-paused", PEOPLE["harper"], "RE: [WSAB-2026-0013] Case paused",
            "CWLP123MB4567A0000000000000000000002@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            nov(23, 11, 35, "Mon"),
            "RESUME - the family are back from abroad\n\nHarper Head\nHead of Service")
    outlook("cmd-pause-lowercase", PEOPLE["sam"], "RE: Meeting notes",
            "CWLP123MB4567A0000000000000000000003@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            nov(23, 11, 36, "Mon"),
            "pause\n\nSam" + quoted_original(BOX, "20 November 2026 09:00",
                                             PEOPLE["sam"], "Reminder", "Reminder.\n"),
            in_reply_to=W13_ACK)
    outlook("reply-unknown-ref", PEOPLE["jo"], "RE: [TWSP-2026-0999] Case opened",
            "DB7PR01MB4470A0000000000000000000000009@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 40, "Mon"), "PAUSE please\n" + SIG_JO)
    outlook("reply-incomplete-form", PEOPLE["jo"], "RE: [TWSP-2026-0007] Case opened",
            "DB7PR01MB4470A0000000000000000000000010@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 42, "Mon"), ff.TWSP_MISSING)
    outlook("reply-docx-note", PEOPLE["jo"], "RE: [TWSP-2026-0007] Case opened",
            "DB7PR01MB4470A0000000000000000000000011@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 44, "Mon"), "Updated form attached.\n" + SIG_JO,
            attachments=[("TWSP referral form.docx",
                          "application/vnd.openxmlformats-officedocument."
                          "wordprocessingml.document", docx_bytes("twsp-referral.docx"))])
    outlook("reply-form-resolves", PEOPLE["jo"], "RE: [TWSP-2026-0007] Case opened",
            "DB7PR01MB4470A0000000000000000000000012@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 11, 46, "Mon"), TWSP_RESOLVED)
    outlook("wscb-resolved-thread", PEOPLE["pat"], "RE: [WSCB-2026-0003] Case opened",
            "LO2P265MB2345DEF0123456789ABCDEF0123@LO2P265MB2345.GBRP265.PROD.OUTLOOK.COM",
            nov(23, 11, 50, "Mon"), WSCB_RESOLVED_TABLE, in_reply_to=C3_ACK)

    # ---- every command from a participant, a directory contact and a
    # stranger, in turn by subject tag, In-Reply-To and References, from
    # Outlook, Gmail and Apple Mail ------------------------------------------------
    k = 0
    for cname, line, _, _, _ in COMMANDS:
        for sname, who in COMMAND_SENDERS:
            k += 1
            name = "matrix-%s-%s" % (cname, sname)
            first = who.split()[0]
            how = k % 3
            subject = ("RE: [TWSP-2026-0007] Reminder: stage 3 due tomorrow"
                       if how == 0 else "RE: Reminder: stage 3 due tomorrow")
            irt = T7_REMIND if how == 1 else None
            refs = [T7_THREAD, T7_ACK] if how == 2 else None
            client = k % 3
            if client == 0:
                outlook(name, who, subject,
                        "DB7PR01MB4470B%026d@DB7PR01MB4470.eurprd01.prod.exchangelabs.com" % k,
                        nov(24, 9, k, "Tue"),
                        line + "\n\n" + first + quoted_outlook(
                            BOX, "23 November 2026 08:00", who,
                            "[TWSP-2026-0007] Reminder", orig_t7),
                        in_reply_to=irt, references=refs)
            elif client == 1:
                gmail(name, who, subject.replace("RE:", "Re:"),
                      "CAGx9Lp2wQ3mT7vZ0s=kP4f+M%02d@mail.gmail.com" % k,
                      nov(24, 9, k, "Tue"),
                      line + "\n\n" + first + gmail_quote(
                          BOX, "Mon, 23 Nov 2026 at 08:00", orig_t7),
                      in_reply_to=irt, references=refs)
            else:
                apple(name, who, subject.replace("RE:", "Re:"),
                      "5A%06d-0B1C-4D2E-8F3A-4B5C6D7E8F90@telford.example.gov.uk" % k,
                      nov(24, 9, k, "Tue"),
                      line + "\n\n" + first + "\n\n> On 23 Nov 2026, at 08:00, "
                      "Safeguarding escalations <wsabtraining@example.gov.uk> "
                      "wrote:\n>\n> Stage 3 is due tomorrow.\n",
                      in_reply_to=irt, references=refs)

    # ---- automatic mail ------------------------------------------------------------
    outlook("auto-oof-thread", PEOPLE["tia"],
            "Automatic reply: [TWSP-2026-0007] Reminder: stage 3 due tomorrow",
            "DB7PR01MB4470A0000000000000000000000013@DB7PR01MB4470.eurprd01.prod.exchangelabs.com",
            nov(23, 8, 1, "Mon"),
            "I am out of the office until Monday 30 November with no access to "
            "email.\nFor urgent safeguarding matters please contact Family "
            "Connect on 01952 385385.\n",
            in_reply_to=T7_REMIND,
            extra=[("Auto-Submitted", "auto-replied"),
                   ("X-Auto-Response-Suppress", "All"),
                   ("X-MS-Exchange-Inbox-Rules-Loop", "tia.lead@telford.example.gov.uk")])
    raw("auto-precedence-bulk", """\
Received: from mx.newsletters.example.org (mx.newsletters.example.org [192.0.2.40])
	by mx.example.gov.uk with ESMTPS id 4Zb1c2d3e4; Mon, 23 Nov 2026 07:00:00 +0000
From: Safeguarding Network News <news@newsletters.example.org>
To: wsabtraining@example.gov.uk
Subject: November briefing: Resolution and Escalation Referral Form update
Date: Mon, 23 Nov 2026 07:00:00 +0000
Message-ID: <20261123070000.news.1@newsletters.example.org>
Precedence: bulk
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This month: the new Resolution and Escalation Referral Form.

Name of Individual: (example)
""")
    raw("auto-list-id", """\
From: Safeguarding Leads <leads@lists.example.gov.uk>
To: safeguarding-leads@lists.example.gov.uk
Subject: [leads] Minutes of the network meeting
Date: Mon, 23 Nov 2026 07:30:00 +0000
Message-ID: <20261123073000.list.7@lists.example.gov.uk>
List-Id: Safeguarding leads network <safeguarding-leads.lists.example.gov.uk>
List-Post: <mailto:safeguarding-leads@lists.example.gov.uk>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Minutes attached to the list archive.
""")
    raw("auto-list-unsubscribe", """\
From: Training Team <training@example.gov.uk>
To: wsabtraining@example.gov.uk
Subject: Courses in December
Date: Mon, 23 Nov 2026 07:45:00 +0000
Message-ID: <20261123074500.mailing.3@example.gov.uk>
List-Unsubscribe: <https://training.example.gov.uk/unsubscribe?u=1234>, <mailto:unsubscribe@training.example.gov.uk>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

New courses are available.
""")
    apple("auto-x-autoreply", PEOPLE["sam"], "Re: [WSAB-2026-0012] Reminder",
          "AUTO-1A2B3C4D@wigan.example.gov.uk", nov(23, 8, 10, "Mon"),
          "Thank you for your email. I am on leave until 1 December.\n",
          in_reply_to=W12_REMIND, extra=[("X-Autoreply", "yes")])
    outlook("auto-x-ars-oof", PEOPLE["harper"], "Out of office",
            "CWLP123MB4567A0000000000000000000004@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            nov(23, 8, 12, "Mon"), "I am away until Wednesday.\n",
            extra=[("X-Auto-Response-Suppress", "DR, OOF, AutoReply")])
    raw("auto-null-return-path", """\
Return-Path: <>
Received: from mail.telford.example.gov.uk by mx.example.gov.uk; Mon, 23 Nov 2026 08:20:00 +0000
From: Casey Practitioner <casey.practitioner@telford.example.gov.uk>
To: wsabtraining@example.gov.uk
Subject: Read: [TWSP-2026-0007] Case opened
Date: Mon, 23 Nov 2026 08:20:00 +0000
Message-ID: <20261123082000.rr.5@telford.example.gov.uk>
In-Reply-To: <%s>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Your message was read on Monday, 23 November 2026 08:19:55 (UTC).
""" % T7_ACK)
    raw("auto-mailer-daemon", """\
Return-Path: <MAILER-DAEMON@mx.homes.example.gov.uk>
From: Mail Delivery System <MAILER-DAEMON@mx.homes.example.gov.uk>
To: wsabtraining@example.gov.uk
Subject: Undelivered Mail Returned to Sender
Date: Mon, 23 Nov 2026 08:30:00 +0000
Message-ID: <20261123083000.bounce.9@mx.homes.example.gov.uk>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.homes.example.gov.uk.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<hollis.lead@homes.example.gov.uk>: mailbox unavailable
""")
    raw("auto-postmaster", """\
From: postmaster@wwl.example.nhs.uk
To: wsabtraining@example.gov.uk
Subject: Message quarantined
Date: Mon, 23 Nov 2026 08:35:00 +0000
Message-ID: <20261123083500.q.1@wwl.example.nhs.uk>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

A message to nat.named@wwl.example.nhs.uk was held for review.
""")
    outlook("auto-submitted-no-form", PEOPLE["casey"],
            "Resolution and Escalation Referral Form - Alex",
            "AM9PR01MB8123E5F60718293A4B5C6D7E8F90@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 9, 43, "Mon"), ff.TWSP_INLINE.replace("TW-48213", "TW-48216"),
            extra=[("Auto-Submitted", "no")])
    outlook("auto-outside-domain", PEOPLE["gmail"], "Automatic reply: Case opened",
            "AUTO-0001@mail.gmail.com", nov(23, 8, 40, "Mon"), "Away.\n",
            extra=[("Auto-Submitted", "auto-replied")])

    # ---- delivery reports ------------------------------------------------------------
    def dsn(name, rcpts, orig_id, report_from="postmaster@example.gov.uk",
            mdn=False, msgid=None, ref_header=None,
            subject="Undeliverable: [WSAB-2026-0012] Reminder: stage 2 due tomorrow"):
        m = EmailMessage(policy=policy.SMTP)
        m["Received"] = ("from DB7PR01MB4470.eurprd01.prod.exchangelabs.com by "
                         "mx.example.gov.uk; Mon, 23 Nov 2026 11:00:00 +0000")
        if mdn:
            m["From"] = PEOPLE["harper"]
            m["Subject"] = "Read: [WSAB-2026-0012] Reminder"
        else:
            m["From"] = "Microsoft Outlook <%s>" % report_from
            m["Subject"] = subject
        m["To"] = BOX
        m["Date"] = "Mon, 23 Nov 2026 11:00:00 +0000"
        m["Message-ID"] = "<%s>" % (msgid or name + "@DB7PR01MB4470.eurprd01.prod.exchangelabs.com")
        if ref_header:
            m["References"] = "<%s>" % ref_header
        m["Auto-Submitted"] = "auto-replied"
        m["X-MS-Exchange-Message-Is-Ndr"] = ""
        m["Content-Language"] = "en-US"
        m["MIME-Version"] = "1.0"
        boundary = "_%s_" % name
        rtype = "disposition-notification" if mdn else "delivery-status"
        m["Content-Type"] = ('multipart/report; report-type=%s; boundary="%s"'
                             % (rtype, boundary))
        parts = []
        if mdn:
            parts.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                         "Your message was read on Monday, 23 November 2026.\r\n")
            parts.append("Content-Type: message/disposition-notification\r\n\r\n"
                         "Reporting-UA: DB7PR01MB4470.eurprd01.prod.exchangelabs.com\r\n"
                         "Final-Recipient: rfc822;harper.head@wigan.example.gov.uk\r\n"
                         "Original-Message-ID: <%s>\r\n"
                         "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                         % orig_id)
        else:
            human = "".join("%s\r\nYour message couldn't be delivered.\r\n" % r
                            for r, a, s in rcpts)
            parts.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                         "Delivery has failed to these recipients or groups:\r\n\r\n"
                         + human)
            st = ("Reporting-MTA: dns;DB7PR01MB4470.eurprd01.prod.exchangelabs.com\r\n"
                  "Received-From-MTA: dns;mx.example.gov.uk\r\n"
                  "Arrival-Date: Mon, 23 Nov 2026 10:59:58 +0000\r\n")
            for r, a, s in rcpts:
                st += ("\r\nFinal-Recipient: rfc822;%s\r\nAction: %s\r\n"
                       "Status: %s\r\nDiagnostic-Code: smtp;550 %s "
                       "RESOLVER.ADR.RecipNotFound; not found\r\n" % (r, a, s, s))
            parts.append("Content-Type: message/delivery-status\r\n\r\n" + st)
            parts.append("Content-Type: text/rfc822-headers\r\n\r\n"
                         "From: Safeguarding escalations <wsabtraining@example.gov.uk>\r\n"
                         "To: %s\r\n"
                         "Subject: [WSAB-2026-0012] Reminder: stage 2 due tomorrow\r\n"
                         "Date: Mon, 23 Nov 2026 10:59:50 +0000\r\n"
                         "Message-ID: <%s>\r\n" % (", ".join(r for r, a, s in rcpts),
                                                    orig_id))
        body = "This is a multipart message in MIME format.\r\n\r\n"
        for p in parts:
            body += "--%s\r\n%s\r\n" % (boundary, p)
        body += "--%s--\r\n" % boundary
        data = bytes(m) + body.encode()
        # bytes(m) ends with the header block's blank line.
        with open(os.path.join(OUT, name + ".eml"), "wb") as f:
            f.write(data)
        written.append(name)

    dsn("bounce-one", [("harper.head@wigan.example.gov.uk", "failed", "5.1.1")],
        W12_REMIND)
    dsn("bounce-mixed", [("harper.head@wigan.example.gov.uk", "failed", "5.1.1"),
                         ("dana.director@wigan.example.gov.uk", "delayed", "4.4.7"),
                         ("robin.rep@wigan.example.gov.uk", "failed", "5.2.2")],
        W12_ACK)
    dsn("bounce-unknown", [("old.address@wigan.example.gov.uk", "failed", "5.1.1")],
        UNKNOWN_OURS, subject="Undeliverable: Case opened")
    dsn("bounce-foreign", [("someone@wigan.example.gov.uk", "failed", "5.1.1")],
        "AM9PR01MB8123DDDD@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
        subject="Undeliverable: Referral for Alex")
    dsn("bounce-not-ours", [("someone@wigan.example.gov.uk", "failed", "5.1.1")],
        "AM9PR01MB8123FFFF@AM9PR01MB8123.eurprd01.prod.exchangelabs.com")
    dsn("bounce-not-ours-thread", [("someone@wigan.example.gov.uk", "failed", "5.1.1")],
        "AM9PR01MB8123EEEE@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
        ref_header=W12_ACK)
    dsn("mdn-read-receipt", [], W12_ACK, mdn=True)

    # ---- senders --------------------------------------------------------------------
    raw("own-message", """\
From: Safeguarding escalations <WSABTRAINING@example.gov.uk>
To: Jo Practitioner <jo.practitioner@telford.example.gov.uk>
Subject: [TWSP-2026-0007] Case opened: Resolution and Escalation Referral Form
Date: Mon, 23 Nov 2026 09:42:00 +0000
Message-ID: <%s>
Auto-Submitted: auto-generated
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

%s""" % (T7_ACK, ACK_T7))
    gmail("refuse-gmail", PEOPLE["gmail"], "Resolution and Escalation Referral Form",
          "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdW@mail.gmail.com", nov(23, 12, 0, "Mon"),
          ff.TWSP_INLINE)
    outlook("refuse-lookalike", PEOPLE["lookalike"], "Resolution and Escalation Referral Form",
            "PH0PR10MB5555AAAA@PH0PR10MB5555.namprd10.prod.outlook.com",
            nov(23, 12, 1, "Mon"), ff.TWSP_INLINE)
    outlook("refuse-stranger-thread", PEOPLE["gmail"], "RE: [TWSP-2026-0007] Case opened",
            "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdX@mail.gmail.com", nov(23, 12, 2, "Mon"),
            "RESOLVED\n", in_reply_to=T7_ACK)
    ours = "mx.example.gov.uk"
    for nm, auth in (
            ("auth-dmarc-fail", "%s; spf=pass smtp.mailfrom=telford.example.gov.uk; "
             "dkim=fail header.d=telford.example.gov.uk; dmarc=fail (p=quarantine) "
             "header.from=telford.example.gov.uk" % ours),
            ("auth-spf-fail", "%s; spf=fail (mx.example.gov.uk: domain of "
             "casey.practitioner@telford.example.gov.uk does not designate "
             "198.51.100.7 as permitted sender) smtp.mailfrom=telford.example.gov.uk"
             % ours),
            ("auth-other-server", "spf=fail (sender IP is 198.51.100.7) "
             "smtp.mailfrom=telford.example.gov.uk; dkim=none (message not signed) "
             "header.d=none;dmarc=fail action=oreject header.from=telford.example.gov.uk;"
             "compauth=fail reason=000"),
            ("auth-prefix-server", "mx.example.gov.uk.attacker.example; dmarc=fail "
             "header.from=telford.example.gov.uk"),
            ("auth-pass", "%s; spf=pass smtp.mailfrom=telford.example.gov.uk; "
             "dkim=pass header.d=telford.example.gov.uk; dmarc=pass "
             "header.from=telford.example.gov.uk" % ours)):
        outlook(nm, PEOPLE["casey"], "Resolution and Escalation Referral Form",
                "AM9PR01MB8123%s@AM9PR01MB8123.eurprd01.prod.exchangelabs.com"
                % nm.replace("-", "").upper(), nov(23, 12, 5, "Mon"),
                ff.TWSP_INLINE.replace("TW-48213", "TW-5%04d" % len(nm)), auth=auth)
    raw("no-from", """\
Received: from unknown (HELO scanner.telford.example.gov.uk) (203.0.113.9)
	by mx.example.gov.uk; Mon, 23 Nov 2026 12:10:00 +0000
To: wsabtraining@example.gov.uk
Subject: Scanned document
Date: Mon, 23 Nov 2026 12:10:00 +0000
Message-ID: <20261123121000.scan.1@scanner.telford.example.gov.uk>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Resolution and Escalation Referral Form
Name of Individual: Alex Example
""")

    # ---- limits (tests/unit/intake/escbot-test.conf: mime_parts 6,
    # attachment_size 16384, field_length 1500) --------------------------------------
    outlook("limit-mime-parts", PEOPLE["casey"], "Photos for the referral",
            "AM9PR01MB8123F60718293A4B5C6D7E8F9001@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 12, 20, "Mon"), ff.TWSP_INLINE.replace("TW-48213", "TW-48217"),
            attachments=[("image%03d.png" % i, "image/png", png(i)) for i in range(1, 8)])
    outlook("limit-attachment-size", PEOPLE["casey"], "Chronology",
            "AM9PR01MB8123F60718293A4B5C6D7E8F9002@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 12, 22, "Mon"), ff.TWSP_INLINE.replace("TW-48213", "TW-48218"),
            attachments=[("Chronology.pdf", "application/pdf", fake_pdf(20000))])
    outlook("limit-size-outside", PEOPLE["gmail"], "Chronology",
            "CAGx9Lp2wQ3mT7vZ0s=kP4f+JdY@mail.gmail.com",
            nov(23, 12, 23, "Mon"), "See attached.\n",
            attachments=[("Chronology.pdf", "application/pdf", fake_pdf(20000))])
    apple("limit-long-answer", PEOPLE["casey"], "Escalation (long)",
          "AB12CD34-EF56-4789-A0B1-C2D3E4F5A6B7@telford.example.gov.uk",
          nov(23, 12, 25, "Mon"), TWSP_LONG)

    # ---- no form / Word documents -----------------------------------------------------
    outlook("noform-question", PEOPLE["casey"], "Question about escalation",
            "AM9PR01MB8123F60718293A4B5C6D7E8F9003@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 12, 30, "Mon"),
            "Hello,\n\nWhich form do I use to escalate a disagreement with "
            "health?\n\nThanks\nCasey\n")
    outlook("noform-pdf", PEOPLE["casey"], "Referral form (scanned)",
            "AM9PR01MB8123F60718293A4B5C6D7E8F9004@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 12, 32, "Mon"), "Please see the scanned form.\n\nCasey\n",
            attachments=[("Referral scan.pdf", "application/pdf", fake_pdf(3000))])
    outlook("docx-no-form", PEOPLE["casey"], "Chronology attached",
            "AM9PR01MB8123F60718293A4B5C6D7E8F9005@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 12, 34, "Mon"), "Chronology attached.\n\nCasey\n",
            attachments=[("layout.docx", "application/vnd.openxmlformats-"
                          "officedocument.wordprocessingml.document",
                          docx_bytes("layout.docx"))])
    outlook("docx-bomb", PEOPLE["casey"], "Form attached",
            "AM9PR01MB8123F60718293A4B5C6D7E8F9006@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 12, 36, "Mon"), "Form attached.\n\nCasey\n",
            attachments=[("Referral.docx", "application/vnd.openxmlformats-"
                          "officedocument.wordprocessingml.document",
                          docx_bytes("bomb.docx"))])
    outlook("docx-one-refused", PEOPLE["casey"], "Forms attached",
            "AM9PR01MB8123F60718293A4B5C6D7E8F9007@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            nov(23, 12, 38, "Mon"), "Two versions attached, sorry.\n\nCasey\n",
            attachments=[("old version.docx", "application/vnd.openxmlformats-"
                          "officedocument.wordprocessingml.document",
                          docx_bytes("truncated.docx")),
                         ("Referral.docx", "application/vnd.openxmlformats-"
                          "officedocument.wordprocessingml.document",
                          docx_bytes("twsp-referral.docx"))])



# ---- every form in every client -------------------------------------------
# Each form as its sample is filled in, sent from Outlook (text and HTML),
# Outlook with no HTML part (a pasted table one cell a line), Gmail (text
# and HTML), Apple Mail (format=flowed quoted-printable), and forwarded
# inline by a manager from Outlook.  Every client of one form must give the
# same verdict and the same answers (test_intake.c CLIENT rows).
# The WSP resolution request (seed 000, COVID-19 arrangements) as it is
# typed into an email: no sample of it in etc/samples.
WSP_COVID = """\
Hello,

WSP Resolution Request

Name of child or adult:\tRowan Example
Date of birth:\t09/10/2012
Agencies involved:\tWigan Council; GMP
Summary of the disagreement:\tGMP and Children's Services disagree on
whether a joint visit is needed before the strategy meeting.
Action requested:\tA joint visit today.
Safeguarding leads involved:\tYes - both named safeguarding leads
Partnership Executive involved:\tNo
Is a child or adult at immediate risk of significant harm?\tNo

Thanks,
Jo Sample
"""
WSP_COVID_ANSWERS = {
    "person_name": "Rowan Example",
    "dob": "2012-10-09",
    "agencies": "Wigan Council; GMP",
    "summary": "GMP and Children's Services disagree on\nwhether a joint "
               "visit is needed before the strategy meeting.",
    "requested_action": "A joint visit today.",
    "safeguarding_leads": "Yes - both named safeguarding leads",
    "executive": "No",
    "immediate_risk": "no",
}

MATRIX_FORMS = [
    # (name, body, sender, forwarder, expected outcome)
    ("wsab-proforma", WSAB_PROFORMA_TABLE, "sam", "harper",
     dict(verdict="open", form="wsab-proforma", stage=2,
          agencies=WSAB_PROFORMA_AGENCIES, fields=WSAB_PROFORMA_TABLE_ANSWERS)),
    ("wsab-meeting", WSAB_MEETING, "sam", "harper",
     dict(verdict="open", form="wsab-meeting", stage=2, now=MAR,
          agencies=WSAB_MEETING_AGENCIES, fields=WSAB_MEETING_ANSWERS,
          actions=WSAB_MEETING_ACTIONS)),
    ("wsab-resolved", WSAB_RESOLVED, "sam", "harper",
     dict(verdict="record-resolved", form="wsab-resolved", stage=3,
          agencies=WSAB_RESOLVED_AGENCIES, fields=WSAB_RESOLVED_ANSWERS)),
    ("wscb-report", WSCB_REPORT, "jos", "harper",
     dict(verdict="open", form="wscb-agency-report", stage=2,
          agencies=WSCB_REPORT_AGENCIES, fields=WSCB_REPORT_ANSWERS)),
    ("wscb-resolved", WSCB_RESOLVED, "pat", "chris",
     dict(verdict="record-resolved", form="wscb-resolved", stage=3,
          agencies=WSCB_RESOLVED_AGENCIES, fields=WSCB_RESOLVED_ANSWERS)),
    ("twsp-referral", ff.TWSP_INLINE, "casey", "tia",
     dict(verdict="open", form="twsp-referral", stage=3,
          agencies=TWSP_INLINE_AGENCIES, fields=TWSP_INLINE_ANSWERS)),
    ("wsp-covid", WSP_COVID, "jos", "harper",
     dict(verdict="open", form="wsp-covid-request", stage=2,
          agencies=("wigan-council,gmp", "wigan-council", "gmp", ""),
          fields=WSP_COVID_ANSWERS)),
]


def flowed(text):
    """format=flowed (RFC 3676) as Apple Mail writes it: long lines broken
    after a space, the space kept at the end of each soft-broken line."""
    out = []
    for line in text.split("\n"):
        while len(line) > 72 and " " in line[:72]:
            cut = line.rindex(" ", 0, 72) + 1
            out.append(line[:cut])
            line = line[cut:]
        # The signature separator "-- " keeps its space (RFC 3676 4.3).
        out.append(line if line == "-- " else line.rstrip(" "))
    return "\n".join(out)


def apple_flowed(name, frm, subject, msgid, when, text, in_reply_to=None):
    m = base(frm, subject, msgid, when, received=[
        "from smtpclient.apple ([81.2.69.160]) by smtp.example.gov.uk with "
        "ESMTPSA id 4Z9x0b2Lq7z9sWT; " + when])
    m["X-Mailer"] = "Apple Mail (2.3774.600.62)"
    thread_headers(m, in_reply_to, [in_reply_to] if in_reply_to else None)
    m.set_content(flowed(text), charset="utf-8", cte="quoted-printable")
    m.replace_header("Content-Type", 'text/plain; charset=utf-8; '
                     'format=flowed; delsp=no')
    write(name, m)


def matrix():
    for k, (form, body, who, fwd, want) in enumerate(MATRIX_FORMS):
        frm = PEOPLE[who]
        when = date(2 + k, 10, 0, "Mar", 2026, "Mon")
        subject = "%s (matrix)" % form
        outlook("client-%s-outlook" % form, frm, subject,
                "matrix%02d.outlook@example.gov.uk" % k, when, body,
                charset="utf-8")
        outlook("client-%s-outlook-text" % form, frm, subject,
                "matrix%02d.outlooktext@example.gov.uk" % k, when,
                body.replace("\t", "\n"), charset="utf-8", html=False)
        gmail("client-%s-gmail" % form, frm, subject,
              "CAmatrix%02dgmail@mail.gmail.com" % k, when, body)
        apple_flowed("client-%s-apple" % form, frm, subject,
                     "MATRIX-%02d-APPLE@example.gov.uk" % k, when, body)
        sender = frm.split("<")[1].rstrip(">")
        outlook("client-%s-fwd" % form, PEOPLE[fwd], "FW: " + subject,
                "matrix%02d.fwd@example.gov.uk" % k, when,
                "Forwarding this one for logging.\n\n"
                "________________________________\n"
                "From: %s\nSent: %d March 2026 09:41\nTo: %s\n"
                "Subject: %s\n\n%s" % (frm, 2 + k, PEOPLE[fwd], subject, body),
                charset="utf-8")
        for c in ("outlook", "outlook-text", "gmail", "apple"):
            expect("client-%s-%s" % (form, c), cases="", **want)
        expect("client-%s-fwd" % form, cases="", forwarded_from=sender, **want)


# ---- what each message must give (NAME.expect) --------------------------------

TWSP_TABLE_ANSWERS = {
    "client_ref": "TW-000123",
    "date": "2026-02-02",
    "individual_name": "Alex Example",
    "dob": "2016-03-14",
    "nhs_number": "9990000018",
    "agency_team": "Telford & Wrekin Council, Family Safeguarding Team",
    "receiving_agency": "Shropshire Community Health Trust (health visiting)",
    "gp": "Dr Sam Sample, Example Road Surgery",
    "concerns": "Alex's school has reported three unexplained bruises since "
                "January. We asked the health visiting service to attend a "
                "strategy discussion; they declined, saying the threshold is "
                "not met.\nLine managers met on 28/01/2026 (stage 2) and could "
                "not agree.",
    "requested_action": "A multi-agency strategy discussion to be convened by "
                        "6 February 2026 with health present.",
}
TWSP_TABLE_AGENCIES = ("tw-council,shropcom", "tw-council", "shropcom", "")

# tests/fixtures/docx/twsp-referral.docx (tests/tools/make-docx.py).
TWSP_DOCX_ANSWERS = ff.TWSP_DOCX_FIELDS
TWSP_DOCX_AGENCIES = ("tw-council", "tw-council", "", "")

TWSP_RESOLVED_ANSWERS = {
    "client_ref": "TW-70420",
    "date": "2026-11-16",
    "individual_name": "Riley Placeholder",
    "dob": "2013-09-09",
    "agency_team": "West Mercia Police, Public Protection Unit",
    "concerns": "Family Connect did not share the outcome of the section 47 "
                "enquiry with the school.",
    "requested_action": "Share the outcome with the school's DSL.",
    "response": "Outcome shared by the team manager.",
    "response_date": "2026-11-18",
    "resolution": "Agreed at a joint meeting; the school has the outcome.",
    "resolution_date": "2026-11-19",
}

TWSP_LINES_ANSWERS = {
    "client_ref": "TW-50991",
    "individual_name": "Morgan Placeholder",
    "dob": "2012-03-03",
    "agency_team": "Shrewsbury and Telford NHS Trust, paediatric liaison",
    "receiving_agency": "Family Connect",
    "concerns": "Family Connect closed the referral without an assessment.\n"
                "We discussed it at stage 1 and stage 2 without agreement.",
    "requested_action": "Reopen the referral and complete an assessment.",
}

TWSP_LABELS = {
    "individual_name": "Name of Individual",
    "dob": "Date of Birth",
    "agency_team": "Agency/Team",
    "concerns": "Summary of Concerns, including the specific difference/s "
                "which has resulted in utilising the Escalation process",
    "requested_action": "Requested Action",
}

WSAB_LINES_ANSWERS = {
    "adult1_name": "Jamie Testperson",
    "adult1_address": "1 Example Road, Wigan",
    "adult1_dob": "1950-07-12",
    "gmp": "Yes",
    "concerns_analysis": "GMP have not shared the outcome of the welfare "
                         "check with Adult Social Care.",
    "reason": "Information sharing concerns: two requests at stage 1 had no "
              "reply.",
    "resolution_required": "GMP to share the welfare check outcome with ASC.",
    "worried": "Jamie may be financially abused by a relative.",
    "working_well": "The GP and ASC are in contact weekly.",
    "needs_to_change": "Information must be shared within 2 working days.",
    "impact": "Continued financial abuse.",
}

# tests/fixtures/docx/wsab-proforma.docx: the address merged down over
# two rows of the grid belongs to both adults.
WSAB_PROFORMA_DOCX_ANSWERS = {
    "adult1_name": "Alex Example",
    "adult1_address": "1 Example Street, Wigan WN1 0XX",
    "adult1_dob": "1950-02-01",
    "adult2_name": "Sam Example",
    "adult2_address": "1 Example Street, Wigan WN1 0XX",
    "adult2_dob": "1952-04-03",
    "concerns_analysis": "Alex has had four falls in six weeks and is "
                         "refusing personal care.\nDistrict nurses report "
                         "pressure damage.",
    "reason": "Stage 1 discussion on 27/01/2026 did not agree a lead agency "
              "for a capacity assessment.",
    "resolution_required": "A capacity assessment with an agreed lead within "
                           "5 working days.",
}

# tests/fixtures/docx/wsab-resolved.docx: a struck-through No, a Word 2010
# check box, legacy check boxes (one by its default).
WSAB_RESOLVED_DOCX_ANSWERS = answers(
    WSAB_RESOLVED_ANSWERS,
    lessons_details="Capacity assessments for refusal of care need a named "
                    "lead at the first multi-agency meeting.",
    protocol_review="no", inform_commissioner="yes",
    completed_date="2026-03-20", completed_by="Sam Sample")
WSAB_RESOLVED_DOCX_ANSWERS = {k: WSAB_RESOLVED_DOCX_ANSWERS[k] for k in (
    "unique_id", "board_members", "issue_details", "level_resolved",
    "lessons_learned", "lessons_details", "staff_training", "protocol_review",
    "inform_commissioner")}
WSAB_RESOLVED_DOCX_ANSWERS["commissioner_service"] = "Example Care Ltd (home care)"
WSAB_RESOLVED_DOCX_ANSWERS["completed_date"] = "2026-03-20"
WSAB_RESOLVED_DOCX_ANSWERS["completed_by"] = "Sam Sample"

WSCB_LEVELS_ANSWERS = {
    "child_name": "Casey Example",
    "dob": "2015-12-12",
    "practitioner": "Jo Sample, Social Worker, Children's Services",
    "details": "Health visitor and school disagreed about a referral.",
    "level1": "Yes, resolved between the practitioners by phone on "
              "10/11/2026.",
    "level3": "No",
}
WSCB_NO_LEVELS_ANSWERS = {
    "child_name": "Finley Example",
    "dob": "2017-03-03",
    "practitioner": "Jo Sample, Social Worker, Children's Services",
    "details": "The school will not attend core groups.",
}
WSCB_RESOLVED_TABLE_ANSWERS = {
    "child_name": "Indigo Example",
    "dob": "2013-07-07",
    "board_members": "Pat Sample, Designated Nurse, CCG",
    "details": "Threshold for a child in need plan.",
    "methodology": "Meeting of the board representatives.",
    "lessons_learned": "yes",
}
WIGAN_COUNCIL = ("wigan-council", "wigan-council", "", "")
WWL = ("wwl", "wwl", "", "")

CASEY = "casey.practitioner@telford.example.gov.uk"


def twsp_open(name, fields, agencies=TWSP_INLINE_AGENCIES, **kw):
    expect(name, "open", form="twsp-referral", stage=3, agencies=agencies,
           fields=fields, **kw)


def inline(**change):
    return answers(TWSP_INLINE_ANSWERS, **change)


def concerns_plus(line):
    return TWSP_INLINE_ANSWERS["concerns"] + "\n" + line


def meeting_actions(purpose1=None, owner1=None, owner2=None):
    a = [list(x) for x in WSAB_MEETING_ACTIONS]
    if purpose1:
        a[1][4] = purpose1
    if owner1:
        a[1][3] = owner1
    if owner2:
        a[2][3] = owner2
    return [tuple(x) for x in a]


def expectations():
    # ---- TWSP referral
    twsp_open("twsp-inline-outlook", TWSP_INLINE_ANSWERS)
    twsp_open("twsp-client-ref-na", inline(client_ref="TBC"), cases="TNA T7")
    for n, ref in (("outlook", "TW-48290"), ("gmail", "TW-48291")):
        twsp_open("twsp-fwd-inline-" + n, inline(client_ref=ref),
                  forwarded_from=CASEY)
    twsp_open("twsp-fwd-attached", inline(client_ref="TW-48292"),
              forwarded_from=CASEY)
    twsp_open("twsp-lines-gmail", TWSP_LINES_ANSWERS,
              agencies=("sath,tw-council", "sath", "tw-council", ""))
    twsp_open("twsp-table-outlook", answers(TWSP_TABLE_ANSWERS,
                                            client_ref="TW-61234"),
              agencies=TWSP_TABLE_AGENCIES)
    expect("twsp-table-existing", "join", case="TWSP-2026-0007",
           form="twsp-referral", stage=3, agencies=TWSP_TABLE_AGENCIES,
           fields=TWSP_TABLE_ANSWERS)
    twsp_open("twsp-html-only", answers(TWSP_TABLE_ANSWERS,
                                        client_ref="TW-61235"),
              agencies=TWSP_TABLE_AGENCIES)
    twsp_open("twsp-html-cells", answers(TWSP_TABLE_ANSWERS,
                                         client_ref="TW-61236"),
              agencies=TWSP_TABLE_AGENCIES)
    twsp_open("twsp-docx", TWSP_DOCX_ANSWERS, agencies=TWSP_DOCX_AGENCIES)
    twsp_open("twsp-urgent-apple", inline(concerns=concerns_plus(
        "Alex is at immediate risk of significant harm at home.")), urgent=True)
    twsp_open("twsp-not-urgent-apple", inline(
        client_ref="TW-48214", concerns=concerns_plus(
            "Alex is not at immediate risk; the concern is about drift.")))
    expect("twsp-resolved-record", "record-resolved", form="twsp-referral",
           stage=3, agencies=("west-mercia", "west-mercia", "", ""),
           fields=TWSP_RESOLVED_ANSWERS)
    expect("twsp-incomplete-apple", "incomplete", form="twsp-referral",
           fields={"date": "2026-02-04", "individual_name": "Jamie Example",
                   "dob": "2019-09-01", "nhs_number": "9997654323",
                   "gp": "Example Lane Medical Practice",
                   "concerns": "Children's social care closed the referral "
                               "after a single visit. Health\nstaff remain "
                               "worried about Jamie's weight loss and missed "
                               "appointments."},
           problems=[(k, TWSP_LABELS[k], "missing")
                     for k in ("agency_team", "requested_action")])
    expect("twsp-missing-gmail", "incomplete", form="twsp-referral",
           fields={"client_ref": "TW-77777", "date": "2026-11-21",
                   "agency_team": "West Mercia Police"},
           problems=[("individual_name", TWSP_LABELS["individual_name"],
                      "missing"),
                     ("dob", TWSP_LABELS["dob"],
                      "is not a real date (check the day and month)"),
                     ("concerns", TWSP_LABELS["concerns"], "missing"),
                     ("requested_action", TWSP_LABELS["requested_action"],
                      "missing")])
    expect("twsp-ref-in-field", "join", case="TWSP-2026-0007",
           form="twsp-referral", stage=3, agencies=TWSP_INLINE_AGENCIES, fields=inline(
               client_ref="TW-99001", concerns=concerns_plus(
                   "This follows escalation TWSP-2026-0007 (stage 3).")))
    twsp_open("twsp-ref-full-stop", inline(
        client_ref="TW-99002", concerns=concerns_plus(
            "This follows escalation TWSP-2026-0007.")))

    # ---- WSAB proforma
    expect("wsab-proforma-lines-apple", "open", form="wsab-proforma", stage=2,
           cases="", agencies=WSAB_PROFORMA_AGENCIES,
           fields=WSAB_PROFORMA_TABLE_ANSWERS)
    expect("wsab-proforma-table-outlook", "join", case="WSAB-2026-0012",
           form="wsab-proforma", stage=2, agencies=WSAB_PROFORMA_AGENCIES,
           fields=WSAB_PROFORMA_TABLE_ANSWERS)
    for n in ("table-flattened", "flattened-only", "html-only"):
        expect("wsab-proforma-" + n, "open", form="wsab-proforma", stage=2,
               cases="T7 W14", agencies=WSAB_PROFORMA_AGENCIES,
               fields=WSAB_PROFORMA_TABLE_ANSWERS)
    expect("wsab-proforma-docx", "open", form="wsab-proforma", stage=2,
           cases="", agencies=WIGAN_COUNCIL,
           fields=WSAB_PROFORMA_DOCX_ANSWERS)
    expect("wsab-lines-gmail", "join", case="WSAB-2026-0013",
           form="wsab-proforma", stage=2, fields=WSAB_LINES_ANSWERS,
           agencies=("wigan-council,gmp", "wigan-council", "gmp", ""))
    expect("wsab-proforma-incomplete", "incomplete", form="wsab-proforma",
           fields={"adult1_name": "Jamie Testperson",
                   "adult1_dob": "1950-07-12",
                   "concerns_analysis": "GMP have not shared the outcome of "
                                        "the welfare check."},
           problems=[("reason", "Reason for seeking resolution", "missing"),
                     ("resolution_required", "Resolution required - What "
                      "Needs to Happen that currently isn't", "missing")])
    expect("wsab-proforma-urgent", "open", form="wsab-proforma", stage=2,
           cases="", urgent=True, agencies=WSAB_PROFORMA_AGENCIES,
           fields=answers(WSAB_PROFORMA_TABLE_ANSWERS, worried="Alex is "
                          "suffering significant harm from neglect now."))

    # ---- WSAB meeting (the clock after the meeting: every action ahead)
    meeting = dict(form="wsab-meeting", now=MAR)
    opened = dict(meeting, stage=2, agencies=WSAB_MEETING_AGENCIES)
    for n in ("thread", "html-thread"):
        expect("wsab-meeting-" + n, "join", case="WSAB-2026-0012",
               fields=WSAB_MEETING_ANSWERS, actions=WSAB_MEETING_ACTIONS,
               agencies=WSAB_MEETING_AGENCIES, **meeting)
    expect("wsab-meeting-new", "open", fields=WSAB_MEETING_ANSWERS,
           actions=WSAB_MEETING_ACTIONS, **opened)
    expect("wsab-meeting-semicolon", "open", fields=answers(
        WSAB_MEETING_ANSWERS, action_1="Capacity assessment; ASC - Sam "
        "Sample; Decide on personal care, report to panel; 10/03/2026"),
        actions=meeting_actions(
            purpose1="Decide on personal care, report to panel",
            owner1="ASC - Sam Sample"), **opened)
    dashed = answers(
        WSAB_MEETING_ANSWERS,
        action_1="Capacity assessment; ASC - Sam Sample; Decide on personal "
                 "care; 10/03/2026",
        action_2="Pressure care review; WWL - Chris Sample; Reduce pressure "
                 "damage; 12/03/2026")
    for n in ("blocks", "blocks-unnumbered", "cells-text"):
        expect("wsab-meeting-" + n, "open", fields=dashed,
               actions=meeting_actions(owner1="ASC - Sam Sample",
                                       owner2="WWL - Chris Sample"), **opened)
    expect("wsab-meeting-ref-field", "join", case="WSAB-2026-0012",
           fields=answers(WSAB_MEETING_ANSWERS, concerns_analysis=(
               WSAB_MEETING_ANSWERS["concerns_analysis"] +
               " (escalation WSAB-2026-0012)")),
           agencies=WSAB_MEETING_AGENCIES,
           actions=WSAB_MEETING_ACTIONS, **meeting)
    expect("wsab-meeting-inline-subject", "join", case="WSAB-2026-0012",
           agencies=WIGAN_COUNCIL, fields={"meeting_no": "2", "adult_name": "Alex Example",
                   "dob": "1950-02-01", "meeting_date": "2026-03-04",
                   "next_meeting_date": "2026-03-18",
                   "attendees": "Sam Sample (ASC), Chris Sample (WWL)",
                   "concerns_analysis": "Capacity assessment still "
                                        "outstanding.",
                   "action_1": "Capacity assessment; ASC, Sam Sample; decide "
                               "on personal care; 11/03/2026",
                   "action_2": "GP review; WWL, Chris Sample; medication "
                               "review; 13/03/2026"},
           actions=[(0, "2026-03-18T09:00:00+00:00", "next meeting", "", ""),
                    (1, "2026-03-11T17:00:00+00:00", "Capacity assessment",
                     "ASC, Sam Sample", "decide on personal care"),
                    (2, "2026-03-13T17:00:00+00:00", "GP review",
                     "WWL, Chris Sample", "medication review")], **meeting)
    expect("wsab-meeting-incomplete", "incomplete",
           fields={"meeting_no": "3", "adult_name": "Alex Example",
                   "attendees": "Sam Sample (ASC)",
                   "concerns_analysis": "Awaiting the capacity assessment."},
           problems=[("meeting_date", "Date of Meeting", "missing")],
           **meeting)

    # ---- WSAB resolved
    expect("wsab-resolved-new", "record-resolved", form="wsab-resolved",
           stage=3, agencies=WSAB_RESOLVED_AGENCIES,
           fields=WSAB_RESOLVED_ANSWERS)
    expect("wsab-resolved-thread", "join", case="WSAB-2026-0012",
           form="wsab-resolved", resolve=3, reply="resolved",
           agencies=WSAB_RESOLVED_AGENCIES, fields=WSAB_RESOLVED_ANSWERS)
    expect("wsab-resolved-already", "join", case="WSAB-2026-0014",
           form="wsab-resolved", agencies=WSAB_RESOLVED_AGENCIES,
           fields=WSAB_RESOLVED_ANSWERS)
    expect("wsab-resolved-docx", "record-resolved", form="wsab-resolved",
           stage=3, agencies=WSAB_RESOLVED_AGENCIES,
           fields=WSAB_RESOLVED_DOCX_ANSWERS)
    expect("wsab-resolved-incomplete", "incomplete", form="wsab-resolved",
           fields={"unique_id": "ASC-000789",
                   "issue_details": "Disagreement about the care provider's "
                                    "review.",
                   "lessons_learned": "no", "completed_by": "Harper Head"},
           problems=[("level_resolved", "At what level of the protocol was "
                      "the issue resolved?", "missing")])
    expect("wsab-resolved-level2", "record-resolved", form="wsab-resolved",
           stage=2, agencies=WSAB_RESOLVED_AGENCIES,
           fields={"unique_id": "ASC-000456",
                   "issue_details": "Who leads the discharge planning "
                                    "meeting.",
                   "level_resolved": "Level 2 - line managers agreed",
                   "lessons_learned": "no", "completed_date": "2026-11-19",
                   "completed_by": "Harper Head"})

    # ---- WSCB agency report
    expect("wscb-report-gmail", "join", case="WSCB-2026-0003",
           form="wscb-agency-report", stage=2, agencies=WSCB_REPORT_AGENCIES,
           fields=WSCB_REPORT_ANSWERS)
    report = dict(form="wscb-agency-report", agencies=WIGAN_COUNCIL)
    expect("wscb-level1-resolved", "record-resolved", stage=1,
           fields=WSCB_LEVELS_ANSWERS, **report)
    expect("wscb-level3-agreed", "record-resolved", stage=3, fields=answers(
        WSCB_LEVELS_ANSWERS, child_name="Drew Example", level3="Yes: a "
        "strategy meeting was agreed by both board representatives."),
        **report)
    expect("wscb-level3-open", "open", stage=3, fields=answers(
        WSCB_LEVELS_ANSWERS, child_name="Emery Example",
        level3="Yes, referred on 18/11/2026; not resolved yet."), **report)
    expect("wscb-no-levels-outlook", "open", stage=2,
           fields=WSCB_NO_LEVELS_ANSWERS, **report)
    expect("wscb-report-html-only", "open", stage=2, urgent=True,
           fields=answers(WSCB_NO_LEVELS_ANSWERS, child_name="Gray Example",
                          details="The school will not attend core groups; "
                          "we think Gray is at risk of significant harm."),
           **report)
    expect("wscb-report-incomplete", "incomplete", form="wscb-agency-report",
           fields={"child_name": "Harley Example", "dob": "2016-04-04"},
           problems=[("practitioner", "Name of Practitioner, Role and Agency",
                      "missing"),
                     ("details", "Brief details re: inter agency "
                      "disagreement", "missing")])

    # ---- WSCB resolved
    expect("wscb-resolved-apple", "join", case="WSCB-2026-0003",
           form="wscb-resolved", resolve=3, reply="resolved",
           agencies=WSCB_RESOLVED_AGENCIES, fields=WSCB_RESOLVED_ANSWERS)
    expect("wscb-resolved-table", "record-resolved", form="wscb-resolved",
           stage=3, agencies=WWL, fields=WSCB_RESOLVED_TABLE_ANSWERS)
    expect("wscb-resolved-thread", "join", case="WSCB-2026-0003",
           form="wscb-resolved", resolve=3, reply="resolved", cases="C3I",
           agencies=WWL, fields=WSCB_RESOLVED_TABLE_ANSWERS)
    expect("wscb-resolved-incomplete", "incomplete", form="wscb-resolved",
           fields={"dob": "2013-07-07", "methodology": "Meeting."},
           problems=[("child_name", "Name of child / young person",
                      "missing"),
                     ("details", "Brief details re: inter agency "
                      "disagreement", "missing")])

    # ---- agencies
    twsp_open("agency-alexs-school", inline(
        client_ref="TW-48301", receiving_agency="Alex's school",
        concerns="Alex's school and Wrekin Housing say that " +
        TWSP_INLINE_ANSWERS["concerns"]),
        agencies=("tw-council", "tw-council", "", "Alex's school"))
    twsp_open("agency-wrekin-housing", inline(
        client_ref="TW-48302",
        receiving_agency="Wrekin Housing - neighbourhood team"),
        agencies=("tw-council,wrekin-housing", "tw-council",
                  "wrekin-housing", ""))
    twsp_open("agency-family-safeguarding", inline(
        client_ref="TW-48303", receiving_agency="Family Safeguarding Team "
        "(T&W); the health visiting service and West Mercia Police (PPU)"),
        agencies=("tw-council,west-mercia", "tw-council", "west-mercia",
                  "Family Safeguarding Team (T&W); the health visiting "
                  "service"))

    # ---- the resolution requests: level 1, or the level the answers show
    req_twsp = {
        "individual_name": "Robin Example", "dob": "2016-06-05",
        "agencies": "West Mercia Police",
        "summary": "The police will not share the incident log.",
        "requested_action": "The log shared this week",
        "managers": "no", "senior_managers": "no", "directors": "no",
        "executive": "no", "immediate_risk": "no"}
    tw_wm = ("tw-council,west-mercia", "tw-council", "west-mercia", "")
    expect("request-twsp-stage1", "open", form="twsp-request", stage=1,
           agencies=tw_wm, fields=req_twsp)
    expect("request-twsp-stage2", "open", form="twsp-request", stage=2,
           agencies=tw_wm, fields=answers(req_twsp, managers="yes"))
    expect("request-twsp-stage5", "open", form="twsp-request", stage=5,
           agencies=tw_wm, fields=answers(
               req_twsp, managers="yes", senior_managers="yes",
               directors="yes", executive="yes"))
    req_wsab = {"adult1_name": "Sky Example", "adult1_dob": "1948-08-07",
                "agencies": "WWL",
                "summary": "Whether a section 42 enquiry is needed.",
                "requested_action": "A joint visit",
                "line_managers": "yes", "heads_of_service": "yes",
                "service_manager": "no", "immediate_risk": "no"}
    wigan_wwl = ("wigan-council,wwl", "wigan-council", "wwl", "")
    expect("request-wsab-level3", "open", form="wsab-request", stage=3,
           agencies=wigan_wwl, fields=req_wsab)
    expect("request-wsab-level4", "open", form="wsab-request", stage=4,
           agencies=wigan_wwl, fields=answers(req_wsab,
                                               service_manager="yes"))
    req_wscb = {"child_name": "Rowan Example", "dob": "2018-10-09",
                "agencies": "GMP",
                "summary": "Whether a strategy discussion is needed.",
                "managers": "no", "board_reps": "no",
                "business_manager": "no"}
    wigan_gmp = ("wigan-council,gmp", "wigan-council", "gmp", "")
    expect("request-wscb-level1", "open", form="wscb-request", stage=1,
           agencies=wigan_gmp, fields=req_wscb)
    expect("join-request-twsp-referral", "join", case="TWSP-2026-0010",
           cases="T10", form="twsp-referral", stage=3,
           agencies=TWSP_INLINE_AGENCIES, fields=inline(client_ref="TW-51234"))
    twsp_open("join-request-twsp-other-ref",
              inline(client_ref="TW-51235"), cases="T10X")
    expect("join-request-twsp-later", "join", case="TWSP-2026-0010",
           cases="T10R", form="twsp-request", stage=4, agencies=tw_wm,
           fields=answers(req_twsp, directors="yes"))
    expect("request-wscb-level4", "open", form="wscb-request", stage=4,
           agencies=wigan_gmp, fields=answers(
               req_wscb, managers="yes", board_reps="yes",
               business_manager="yes"))

    # ---- replies and commands in a case thread
    t7 = "TWSP-2026-0007"

    def cmd(name, command, reason=None, case=t7, days=None):
        expect(name, "command", case=case, command=command, days=days,
               command_reason=reason, reply={
                   "PAUSE": "paused", "RESUME": "resumed",
                   "EXTEND": "extended", "ESCALATE": "escalation",
                   "RESOLVE": "resolved", "TIMESCALE": "timescale",
                   "AGENCIES": "agencies"}[command])

    def refused(name, command=None, reason=None, days=None):
        expect(name, "not-allowed", case=t7, command=command, days=days,
               command_reason=reason)

    cmd("cmd-agencies-gmail", "AGENCIES",
        "West Mercia Police; Family Safeguarding Team (T&W)")
    cmd("cmd-pause-subject", "PAUSE",
        "awaiting the strategy meeting on Thursday")
    cmd("cmd-resume-contact", "RESUME")
    cmd("cmd-extend-references", "EXTEND", "waiting for the GP's report",
        days=3)
    expect("cmd-extend-bad", "note", case=t7)
    cmd("cmd-escalate-outlook", "ESCALATE",
        "no response from health after two reminders")
    cmd("cmd-resolved-gmail", "RESOLVE",
        "agreed at the strategy meeting today")
    expect("cmd-done-participant", "done", case="WSAB-2026-0012", done=2)
    expect("cmd-done-contact", "done", case="WSAB-2026-0012", done=1)
    refused("cmd-done-stranger")
    refused("cmd-pause-stranger", "PAUSE")
    refused("cmd-pause-other-partnership", "PAUSE", "awaiting our board")
    refused("cmd-escalate-stranger", "ESCALATE", "this please")
    expect("reply-note-participant", "note", case=t7)
    refused("reply-note-stranger")
    expect("reply-command-quoted", "note", case=t7)
    cmd("cmd-resume-paused", "RESUME", "the family are back from abroad",
        case="WSAB-2026-0013")
    cmd("cmd-pause-lowercase", "PAUSE", case="WSAB-2026-0013")
    expect("reply-unknown-ref", "no-form")
    expect("reply-incomplete-form", "note", case=t7)
    expect("reply-docx-note", "note", case=t7)
    # The agencies a later form adds to the case: the sender's (Jo,
    # Telford & Wrekin Council).
    # Sent by a Telford & Wrekin practitioner, the form's Agency/Team West
    # Mercia Police: both agencies are in the case.
    expect("reply-form-resolves", "join", case=t7, form="twsp-referral",
           stage=3, resolve=0, reply="resolved", fields=TWSP_RESOLVED_ANSWERS,
           agencies=("tw-council,west-mercia", "tw-council", "west-mercia",
                     ""))
    for cname, line, command, days, reason in COMMANDS:
        for sname, who in COMMAND_SENDERS:
            name = "matrix-%s-%s" % (cname, sname)
            if sname == "stranger":
                refused(name, command if command != "DONE" else None,
                        reason, days)
            elif command == "DONE":
                expect(name, "done", case=t7, done=days)
            else:
                cmd(name, command, reason, days=days)

    # ---- automatic mail, delivery reports, senders, limits
    for n in ("auto-list-id", "auto-list-unsubscribe", "auto-mailer-daemon",
              "auto-outside-domain", "auto-postmaster",
              "auto-precedence-bulk", "auto-x-ars-oof", "bounce-foreign",
              "bounce-not-ours", "bounce-unknown"):
        expect(n, "auto")
    for n in ("auto-null-return-path", "auto-oof-thread"):
        expect(n, "auto", case=t7)
    expect("auto-x-autoreply", "auto", case="WSAB-2026-0012")
    twsp_open("auto-submitted-no-form", inline(client_ref="TW-48216"))
    for n in ("bounce-mixed", "bounce-not-ours-thread", "bounce-one",
              "mdn-read-receipt"):
        expect(n, "bounce", case="WSAB-2026-0012")
    expect("own-message", "own")
    for n in ("refuse-gmail", "refuse-lookalike", "refuse-stranger-thread"):
        expect(n, "refuse")
    for n in ("auth-dmarc-fail", "auth-spf-fail"):
        expect(n, "refuse", conf="test")
    for n in ("auth-other-server", "auth-prefix-server", "auth-pass"):
        twsp_open(n, inline(client_ref="TW-5%04d" % len(n)), conf="test")
    expect("no-from", "reject")
    expect("limit-mime-parts", "reject", conf="test")
    twsp_open("limit-attachment-size", inline(client_ref="TW-48218"),
              conf="test")
    expect("limit-size-outside", "refuse", conf="test")
    expect("limit-long-answer", "incomplete", form="twsp-referral",
           conf="test", fields=inline(client_ref="TW-48215",
                                      concerns=concerns_plus(LONG_ANSWER)),
           problems=[("concerns", TWSP_LABELS["concerns"],
                      "longer than 1500 characters")])
    expect("noform-question", "no-form")
    expect("noform-pdf", "no-form", formats=True)
    expect("docx-no-form", "no-form", formats=True)
    expect("docx-bomb", "doc-refused", formats=True, note="compression ratio over 100: "
           "refused as a zip bomb\n(in Referral.docx)")
    twsp_open("docx-one-refused", TWSP_DOCX_ANSWERS,
              agencies=TWSP_DOCX_AGENCIES)


# ---- every form filled in from its blank template -------------------------
# Each form of rules/forms/ filled in as a person does in Word (its blank
# template, tests/lib/blank_forms.py: a distinct answer in every cell), and
# as LibreOffice Writer saves it (tests/fixtures/libreoffice), sent from
# Outlook, from Gmail, from on-premises Exchange as TNEF (winmail.dat),
# forwarded by a manager as an attached message, and with two required
# answers left out.  New forms are added here by name (with what they
# open), so that a form is never in the corpus without its expectations.
DOCX_TYPE = ("application/vnd.openxmlformats-officedocument."
             "wordprocessingml.document")
TWSP_FILLED_AGENCIES = ("tw-council,west-mercia", "tw-council",
                        "west-mercia", "")
FILLED_FORMS = [
    # (form id, sender, forwarder, what the complete form gives, answers
    # typed as a person would where the form's own placeholder answer
    # would not be realistic (as typed, as read), fields left for later)
    ("twsp-referral", "casey", "tia",
     dict(verdict="open", stage=3, agencies=TWSP_FILLED_AGENCIES),
     {"agency_team": ("Family Connect, Telford & Wrekin Council",) * 2,
      "receiving_agency": ("West Mercia Police",) * 2},
     # The receiving manager's half is filled in later.
     ("response", "response_date", "resolution", "resolution_date",
      "actions_taken", "actions_date")),
    ("wsab-meeting", "sam", "harper",
     dict(verdict="open", stage=2, agencies=(
         "wigan-council,gmmh,gmp,wwl", "wigan-council", "gmmh,gmp,wwl",
         "Written answer 8; Written answer 10; Written answer 12; Written "
         "answer 14; Housing; Written answer 24")), {}, ()),
    ("wsab-proforma", "sam", "harper",
     dict(verdict="open", stage=2, agencies=(
         "wigan-council,gmmh,gmp,wwl", "wigan-council", "gmmh,gmp,wwl",
         "Housing; Written answer 18")), {}, ()),
    ("wsab-resolved", "sam", "harper",
     dict(verdict="record-resolved", stage=3, agencies=WIGAN_COUNCIL),
     {"level_resolved": ("Level 3",) * 2}, ()),
    ("wscb-agency-report", "jos", "harper",
     dict(verdict="open", stage=2, agencies=WSCB_REPORT_AGENCIES),
     {"other_agency": ("Wigan Schools - Example Primary School",) * 2,
      "level3": ("Not yet.",) * 2}, ()),
    ("wscb-resolved", "pat", "chris",
     dict(verdict="record-resolved", stage=3, agencies=WWL), {}, ()),
    ("wsp-covid-request", "jos", "harper",
     dict(verdict="open", stage=3, urgent=True, agencies=(
         "wigan-council", "wigan-council", "", "Written answer 3")), {}, ()),
    # escbot's resolution requests: every other level question answered
    # Yes (blank_forms' answers), the highest of them stage / level 4, so
    # each opens there; a Yes to the immediate-risk question (the TWSP
    # request's) is urgent.
    ("twsp-request", "casey", "tia",
     dict(verdict="open", stage=4, urgent=True,
          agencies=TWSP_FILLED_AGENCIES),
     {"agencies": ("West Mercia Police",) * 2}, ()),
    ("wsab-request", "sam", "harper",
     dict(verdict="open", stage=4, agencies=(
         "wigan-council,wwl", "wigan-council", "wwl", "")),
     {"agencies": ("WWL",) * 2}, ()),
    ("wscb-request", "jos", "harper",
     dict(verdict="open", stage=4, agencies=(
         "wigan-council,gmp", "wigan-council", "gmp", "")),
     {"agencies": ("GMP",) * 2}, ()),
    # The panel already notified: the rapid review (stage 2).
    ("wsp-serious-incident", "jos", "harper",
     dict(verdict="open", stage=2, agencies=(
         "wigan-council", "wigan-council", "", "Written answer 8")), {}, ()),
]


# tests/fixtures/libreoffice holds blank_forms.answers() as typed, every
# cell (the receiving manager's half of the referral too, and the
# placeholder level "Written answer 4" read as level 4): where that gives
# another outcome than FILLED_FORMS' realistic answers.
LIBREOFFICE_GIVES = {
    "twsp-request": dict(verdict="open", stage=4, urgent=True, agencies=(
        "tw-council", "tw-council", "", "Written answer 3")),
    "wsab-request": dict(verdict="open", stage=4, agencies=(
        "wigan-council", "wigan-council", "", "Written answer 3")),
    "wscb-request": dict(verdict="open", stage=4, agencies=(
        "wigan-council", "wigan-council", "", "Written answer 3")),
    "twsp-referral": dict(verdict="record-resolved", stage=3, agencies=(
        "tw-council", "tw-council", "", "Written answer 7")),
    "wsab-resolved": dict(verdict="record-resolved", stage=4,
                          agencies=WIGAN_COUNCIL),
    "wscb-agency-report": dict(verdict="open", stage=3, agencies=(
        "wigan-council", "wigan-council", "", "Written answer 5")),
}


def required_fields(form):
    """The required fields of a form file, in order."""
    with open(form.path, encoding="utf-8") as f:
        text = formconf._strip_comments(f.read())
    body = text.partition("fields")[2]
    out = []
    for m in re.finditer(r"\{([^{}]*)\}", body):
        if re.search(r"\brequired\s*=\s*true\b", m.group(1)):
            out.append(formconf._get(m.group(1), "name"))
    return out


def filled():
    forms = {f.id: (f, p) for f, p in bf.templates()}
    for k, (fid, who, fwd, want, real, later) in enumerate(FILLED_FORMS):
        form, template = forms[fid]
        typed, values = bf.answers(form)
        for n, (t, v) in real.items():
            typed[n], values[n] = t, v
        for n in later:
            del typed[n], values[n]
        word = bf.fill(template, typed)
        frm = PEOPLE[who]
        sender = frm.split("<")[1].rstrip(">")
        when = date(9 + k, 10, 0, "Mar", 2026, "Mon")
        subject = "%s (filled in)" % form.title
        doc = "%s.docx" % form.title
        meta = dict(want, form=fid, fields=values, cases="")
        outlook("filled-%s-word" % fid, frm, subject,
                "filled%02d.word@example.gov.uk" % k, when,
                "Hello,\n\nThe form is attached.\n\nKind regards\n",
                charset="utf-8", attachments=[(doc, DOCX_TYPE, word)])
        expect("filled-%s-word" % fid, **meta)
        with open(os.path.join(ROOT, "tests", "fixtures", "libreoffice",
                               fid + ".docx"), "rb") as f:
            lo = f.read()
        gmail("filled-%s-libreoffice" % fid, frm, subject,
              "CAfilled%02dlibreoffice@mail.gmail.com" % k, when,
              "Form attached (saved from LibreOffice).\n",
              attachments=[(doc, DOCX_TYPE, lo)])
        expect("filled-%s-libreoffice" % fid, **dict(
            meta, fields=bf.answers(form)[1],
            **LIBREOFFICE_GIVES.get(fid, {})))
        outlook("filled-%s-tnef" % fid, frm, subject,
                "filled%02d.tnef@exchange.example.gov.uk" % k, when,
                "Please see the attached form.\n", html=False,
                attachments=[("winmail.dat", "application/ms-tnef",
                              tnef.stream([(doc, word)],
                                          body="Please see the attached "
                                          "form.\r\n"))])
        expect("filled-%s-tnef" % fid, **meta)
        inner = EmailMessage(policy=policy.SMTP)
        inner["From"] = frm
        inner["To"] = PEOPLE[fwd]
        inner["Subject"] = subject
        inner["Date"] = when
        inner["Message-ID"] = "<filled%02d.inner@example.gov.uk>" % k
        inner.set_content("The form is attached.\n", charset="utf-8")
        inner.add_attachment(word, maintype="application",
                             subtype=DOCX_TYPE.split("/")[1], filename=doc)
        inner.set_boundary("_005_filled%02d_" % k)
        tidy(inner)
        outlook("filled-%s-fwd-attached" % fid, PEOPLE[fwd], "FW: " + subject,
                "filled%02d.fwd@example.gov.uk" % k, when,
                "Forwarding for logging.\n", charset="utf-8",
                attachments=[(subject + ".eml", "message/rfc822", inner)])
        expect("filled-%s-fwd-attached" % fid, forwarded_from=sender, **meta)
        # Two required answers left out: a reply listing each by label.
        gone = required_fields(form)[:2]
        part = {n: v for n, v in typed.items()
                if n not in gone and n.split("__")[0] not in gone}
        outlook("filled-%s-incomplete" % fid, frm, subject,
                "filled%02d.incomplete@example.gov.uk" % k, when,
                "Form attached.\n", charset="utf-8",
                attachments=[(doc, DOCX_TYPE, bf.fill(template, part))])
        expect("filled-%s-incomplete" % fid, "incomplete", form=fid,
               cases="", fields={n: v for n, v in values.items()
                                 if n not in gone},
               problems=[(n, form.field(n).label, "missing") for n in gone])


def owa_html(text):
    """Outlook on the web's HTML for a text: each line a div of its own
    (elementToProof), an empty line a div holding a <br>, each run of
    tab-separated lines a pasted table."""
    out, rows = [], []
    style = ('font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, '
             'Calibri, Helvetica, sans-serif; font-size: 12pt; color: '
             'rgb(0, 0, 0);')

    def flush():
        if not rows:
            return
        out.append('<div class="elementToProof"><table style="border-'
                   'collapse: collapse; border-spacing: 0px;"><tbody>')
        for r in rows:
            out.append("<tr>" + "".join(
                '<td style="border: 1px solid rgb(0, 0, 0); padding: 0px '
                '5px; width: 200px;"><div style="%s">%s</div></td>'
                % (style, escape(c) if c else "<br>")
                for c in r.split("\t")) + "</tr>")
        out.append("</tbody></table></div>")
        rows.clear()

    for line in text.split("\n"):
        if "\t" in line:
            rows.append(line)
            continue
        flush()
        out.append('<div class="elementToProof" style="%s">%s</div>'
                   % (style, escape(line) if line.strip() else "<br>"))
    flush()
    return ('<html><head>\n<meta http-equiv="Content-Type" content="text/'
            'html; charset=utf-8">\n<style type="text/css" style="display:'
            'none;"> P {margin-top:0;margin-bottom:0;} </style>\n</head>\n'
            '<body dir="ltr">\n' + "\n".join(out) + "\n</body>\n</html>\n")


def owa(name, frm, subject, msgid, when, text, in_reply_to=None,
        references=None, attachments=()):
    """Outlook on the web (Microsoft 365): text/plain (a pasted table's
    cells one a line) beside its HTML."""
    addr = frm.split("<")[-1].rstrip(">")
    domain = addr.split("@")[1]
    m = base(frm, subject, msgid, when, received=[
        "from LO2P265MB5678.GBRP265.PROD.OUTLOOK.COM ([fe80::1]) by "
        "LO2P265MB5678.GBRP265.PROD.OUTLOOK.COM ([fe80::1%5]) with mapi id "
        "15.20.8207.017; " + when])
    thread_headers(m, in_reply_to, references)
    ms365_headers(m, domain, subject.split(": ", 1)[-1],
                  "AQHb" + base64.b64encode(msgid.encode()).decode()[:24],
                  has_attach=bool(attachments))
    m["x-ms-exchange-messagesentrepresentingtype"] = "1"
    m.set_content(text.replace("\t", "\n"), charset="utf-8",
                  cte="quoted-printable")
    m.add_alternative(owa_html(text), subtype="html", charset="utf-8",
                      cte="quoted-printable")
    m.set_boundary("_000_%s_" % msgid.split("@")[0][:40])
    attach(m, list(attachments), "_004_%s_" % msgid.split("@")[0][:40])
    write(name, m)


# Replies written as people write them, in each client: the command's
# word in its usual inflections, after a greeting or Microsoft 365's
# banner; and a reply that acts on nothing.  (name, client, sender, text,
# what it gives: command, days or action, reason; None: a note.)
M365_BANNER = ("CAUTION: This email originated from outside of the "
               "organisation. Do not click links or open attachments unless "
               "you recognise the sender and know the content is safe.\n\n")
OWA_BANNER = ("You don't often get email from jo.practitioner@telford."
              "example.gov.uk. Learn why this is important<https://aka.ms/"
              "LearnAboutSenderIdentification>\n")
WRITTEN_COMMANDS = [
    ("paused-colon", "outlook", "jo", "Paused: awaiting strategy meeting\n",
     ("PAUSE", None, "awaiting strategy meeting")),
    ("resolved-dash", "owa", "casey",
     "Resolved - agreed at the meeting today\n",
     ("RESOLVE", None, "agreed at the meeting today")),
    ("extended-by", "gmail", "jo", "Extended by 3 days\n",
     ("EXTEND", 3, None)),
    ("escalated-dash", "apple", "casey",
     "Escalated \u2014 no response from police\n",
     ("ESCALATE", None, "no response from police")),
    ("greeting-resume", "outlook", "tia", "Hi all,\n\nRESUME\n",
     ("RESUME", None, None)),
    ("banner-resume", "outlook", "jo", M365_BANNER + "RESUME\n",
     ("RESUME", None, None)),
    ("banner-pause-owa", "owa", "casey",
     OWA_BANNER + "\nPlease pause: family moving house this week\n",
     ("PAUSE", None, "family moving house this week")),
    ("timescale-gmail", "gmail", "jo",
     "Timescale set to 3 days: agreed by both leads\n",
     ("TIMESCALE", 3, "agreed by both leads")),
    ("extension-apple", "apple", "tia",
     "Extension of 5 working days \u2013 GP report due\n",
     ("EXTEND", 5, "GP report due")),
    ("done-owa", "owa", "jo", "Done 2\n", ("DONE", 2, None)),
    ("close-note-outlook", "outlook", "jo",
     "I think we can close this now, the school has the outcome.\n", None),
    ("close-note-gmail", "gmail", "casey",
     "Thanks - I think this is sorted from our side.\n", None),
]


def written_commands():
    for k, (name, client, who, text, want) in enumerate(WRITTEN_COMMANDS):
        frm = PEOPLE[who]
        name = "written-" + name
        when = date(24, 14, k, "Nov", 2026, "Tue")
        subject = "RE: [TWSP-2026-0007] Reminder: stage 3 due tomorrow"
        sig = "\n%s\n" % frm.split()[0]
        if client == "outlook":
            outlook(name, frm, subject,
                    "DB7PR01MB4470W%025d@DB7PR01MB4470.eurprd01.prod."
                    "exchangelabs.com" % k, when, text + sig + quoted_outlook(
                        BOX, "24 November 2026 08:00", frm,
                        "[TWSP-2026-0007] Reminder", ACK_T7),
                    in_reply_to=T7_REMIND, references=[T7_THREAD, T7_REMIND])
        elif client == "owa":
            owa(name, frm, subject,
                "LO2P265MB5678W%025d@LO2P265MB5678.GBRP265.PROD.OUTLOOK.COM"
                % k, when, text + sig + quoted_outlook(
                    BOX, "24 November 2026 08:00", frm,
                    "[TWSP-2026-0007] Reminder", ACK_T7),
                in_reply_to=T7_REMIND, references=[T7_THREAD, T7_REMIND])
        elif client == "gmail":
            gmail(name, frm, subject.replace("RE:", "Re:"),
                  "CAwritten%02d@mail.gmail.com" % k, when,
                  text + sig + gmail_quote(BOX, "Tue, 24 Nov 2026 at 08:00",
                                           ACK_T7),
                  in_reply_to=T7_REMIND, references=[T7_REMIND])
        else:
            apple_flowed(name, frm, subject.replace("RE:", "Re:"),
                         "WRITTEN-%02d-APPLE@telford.example.gov.uk" % k,
                         when, text + sig + "\n> On 24 Nov 2026, at 08:00, "
                         "Safeguarding escalations <wsabtraining@example.gov"
                         ".uk> wrote:\n>\n> Stage 3 is due tomorrow.\n",
                         in_reply_to=T7_REMIND)
        t7 = "TWSP-2026-0007"
        if want is None:
            expect(name, "note", case=t7)
        elif want[0] == "DONE":
            expect(name, "done", case=t7, done=want[1])
        else:
            expect(name, "command", case=t7, command=want[0], days=want[1],
                   command_reason=want[2], reply={
                       "PAUSE": "paused", "RESUME": "resumed",
                       "EXTEND": "extended", "ESCALATE": "escalation",
                       "RESOLVE": "resolved",
                       "TIMESCALE": "timescale"}[want[0]])


def more_clients():
    """The text forms from Outlook on the web, forwarded inline from Gmail
    and forwarded as an attached message from Outlook; the Word features
    (text boxes, numbering, cells merged down, a nested table)."""
    for k, (form, body, who, fwd, want) in enumerate(MATRIX_FORMS):
        frm = PEOPLE[who]
        sender = frm.split("<")[1].rstrip(">")
        when = date(2 + k, 11, 0, "Mar", 2026, "Mon")
        subject = "%s (more clients)" % form
        owa("client-%s-owa" % form, frm, subject,
            "LO2P265MB5678M%025d@LO2P265MB5678.GBRP265.PROD.OUTLOOK.COM" % k,
            when, body)
        expect("client-%s-owa" % form, cases="", **want)
        gmail("client-%s-gmail-fwd" % form, PEOPLE[fwd], "Fwd: " + subject,
              "CAmore%02dgmailfwd@mail.gmail.com" % k, when,
              "Please log this one.\n\n---------- Forwarded message "
              "---------\nFrom: %s\nDate: Mon, %d Mar 2026 at 09:41\n"
              "Subject: %s\nTo: %s\n\n%s" % (frm, 2 + k, subject,
                                            PEOPLE[fwd], body))
        expect("client-%s-gmail-fwd" % form, cases="", forwarded_from=sender,
               **want)
        inner = EmailMessage(policy=policy.SMTP)
        inner["From"] = frm
        inner["To"] = PEOPLE[fwd]
        inner["Subject"] = subject
        inner["Date"] = when
        inner["Message-ID"] = "<more%02d.inner@example.gov.uk>" % k
        inner.set_content(body, charset="utf-8", cte="quoted-printable")
        outlook("client-%s-fwd-attached" % form, PEOPLE[fwd], "FW: " + subject,
                "more%02d.fwdattached@example.gov.uk" % k, when,
                "Forwarded as an attachment for logging.\n", charset="utf-8",
                attachments=[(subject + ".eml", "message/rfc822", inner)])
        expect("client-%s-fwd-attached" % form, cases="",
               forwarded_from=sender, **want)
    # tests/fixtures/docx/twsp-referral-word.docx (make-docx.py): the
    # answers in text boxes, the concerns a numbered list.
    outlook("word-textboxes", PEOPLE["casey"], "Referral (Word)",
            "AM9PR01MB8123WORD0001@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            date(2, 9, 0, "Feb", 2026, "Mon"), "Form attached.\n",
            attachments=[("Referral.docx", DOCX_TYPE,
                          docx_bytes("twsp-referral-word.docx"))])
    expect("word-textboxes", "open", form="twsp-referral", stage=3,
           agencies=("tw-council", "tw-council", "", ""), fields={
               "client_ref": "TW-654321", "date": "2026-02-02",
               "individual_name": "Casey Example", "dob": "2016-03-14",
               "nhs_number": "9434765919",
               "agency_team": "Telford & Wrekin Council, Early Help",
               "gp": "Dr Sam Sample, Example Road Surgery",
               "concerns": "1. Casey has missed school for three weeks.\n"
                           "2. Stage 1: spoke on 20/01/2026; no agreement."
                           "\n3. Stage 2: managers met on 27/01/2026.",
               "requested_action": "A multi-agency meeting by 06/02/2026."})
    # tests/fixtures/docx/wsab-meeting.docx: the No column numbered by
    # Word, an owner merged down over two rows, the attendees a nested
    # table, a TAB typed in an action.
    outlook("word-meeting", PEOPLE["sam"], "Meeting record (Word)",
            "CWLP123MB4567WORD0002@CWLP123MB4567.GBRP123.PROD.OUTLOOK.COM",
            date(3, 18, 0, "Mar", 2026, "Tue"), "Notes attached.\n",
            attachments=[("Meeting record.docx", DOCX_TYPE,
                          docx_bytes("wsab-meeting.docx"))])
    expect("word-meeting", "open", form="wsab-meeting", stage=2, now=MAR,
           cases="", agencies=WIGAN_COUNCIL, fields={
               "meeting_no": "2", "adult_name": "Alex Example",
               "dob": "1950-02-01", "meeting_date": "2026-03-03",
               "next_meeting_date": "2026-03-17",
               "attendees": "Jo Sample; ASC; Sam Sample; GMMH",
               "apologies": "Chris Sample (GMP)",
               "action_1": "Capacity assessment; ASC, Sam Sample; Decide on "
                           "personal care; 10/03/2026",
               "action_2": "Care plan review; ASC, Sam Sample; Agree the "
                           "plan; 12/03/2026",
               "action_3": "Pressure care review; WWL, Chris Sample; Reduce "
                           "pressure damage; 13/03/2026"},
           actions=[(0, "2026-03-17T09:00:00+00:00", "next meeting", "", ""),
                    (1, "2026-03-10T17:00:00+00:00", "Capacity assessment",
                     "ASC, Sam Sample", "Decide on personal care"),
                    (2, "2026-03-12T17:00:00+00:00", "Care plan review",
                     "ASC, Sam Sample", "Agree the plan"),
                    (3, "2026-03-13T17:00:00+00:00", "Pressure care review",
                     "WWL, Chris Sample", "Reduce pressure damage")])


def unreadable():
    """Formats escbot cannot read, each answered with what it reads (and
    the blank forms attached): Word 97-2003 .doc, a password-protected
    .docx (an encrypted OLE file under the .docx name), a photographed
    form; and a multipart message whose closing boundary is missing, its
    form still read."""
    ole = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 +
           b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(range(256)) * 8)
    outlook("unreadable-doc", PEOPLE["casey"], "Referral form (Word 97)",
            "AM9PR01MB8123UNREAD01@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            date(23, 13, 0, "Nov", 2026, "Mon"), "Form attached.\n",
            attachments=[("Referral.doc", "application/msword", ole)])
    expect("unreadable-doc", "no-form", formats=True)
    outlook("unreadable-password", PEOPLE["casey"], "Referral form (protected)",
            "AM9PR01MB8123UNREAD02@AM9PR01MB8123.eurprd01.prod.exchangelabs.com",
            date(23, 13, 1, "Nov", 2026, "Mon"), "Password to follow.\n",
            attachments=[("Referral.docx", DOCX_TYPE, ole)])
    expect("unreadable-password", "doc-refused", formats=True,
           note="not a Word .docx "
           "file (an older .doc, or a password-protected document)\n"
           "(in Referral.docx)")
    apple("unreadable-photo", PEOPLE["casey"], "Form",
          "UNREAD-03-APPLE@telford.example.gov.uk",
          date(23, 13, 2, "Nov", 2026, "Mon"), "Photo of the form.\n\nSent "
          "from my iPhone\n", attachments=[("IMG_0412.jpeg", "image/jpeg",
                                            b"\xff\xd8\xff\xe0" + png(7))])
    expect("unreadable-photo", "no-form", formats=True)
    raw("multipart-unclosed", """\
From: Casey Practitioner <casey.practitioner@telford.example.gov.uk>
To: Safeguarding escalations <wsabtraining@example.gov.uk>
Subject: Resolution and Escalation Referral Form
Date: Mon, 23 Nov 2026 13:05:00 +0000
Message-ID: <multipart-unclosed.1@telford.example.gov.uk>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

%s
--b1
Content-Type: text/html; charset=utf-8

<p>cut short""" % ff.TWSP_INLINE.replace("TW-48213", "TW-48299"))
    expect("multipart-unclosed", "open", form="twsp-referral", stage=3,
           agencies=TWSP_INLINE_AGENCIES, fields=answers(
               TWSP_INLINE_ANSWERS, client_ref="TW-48299"))


if __name__ == "__main__":
    build()
    matrix()
    filled()
    more_clients()
    written_commands()
    unreadable()
    expectations()
    write_expected()
    with open(os.path.join(OUT, ".gitattributes"), "w") as f:
        f.write("# Fixture messages are kept byte for byte (CRLF, 8-bit).\n"
                "*.eml -text -diff\n")
    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("".join(n + "\n" for n in sorted(written)))
    print("%d messages written to %s" % (len(written), OUT))
