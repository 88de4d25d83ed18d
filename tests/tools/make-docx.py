#!/usr/bin/python3
"""make-docx: writes the .docx fixtures of tests/unit/test_docx.c into
tests/fixtures/docx/ (or the folder given), from hand-written
WordprocessingML and the standard library's zipfile, byte for byte the same
on every run.  Fictional people only; the NHS number is the test number
943 476 5919.

    /usr/bin/python3 tests/tools/make-docx.py [DIR]
"""
import os
import struct
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools"))
from wordml import (cell, checkbox, docx, document, legacy_checkbox,  # noqa: E402
                    p, package, r, raw, row, sdt_placeholder, sdt_text,
                    sym_box, t, table, textbox)


CONCERNS_LABEL = ("Summary of Concerns, including the specific difference/s "
                  "which has resulted in utilising the Escalation process:")
CONCERNS_NOTE = ("(It is important that you provide information that details "
                 "how you have made every effort to resolve this matter at a "
                 "local level within Stages 1 & 2)")


def twsp_referral():
    """TWSP Resolution and Escalation Referral Form (004 Appendix 3) as a
    label / value table: a value spanning three columns, the concerns label
    merged over two rows, content controls (date picker, plain text, one
    showing its placeholder)."""
    return (
        p("Telford & Wrekin Safeguarding Partnership")
        + p("Resolution and Escalation Referral Form")
        + p("FORMAL ESCALATION FORM (to be used from Stage 3 only and sent to "
            "the relevant senior manager or other designated professional)")
        + table(
            row("Client Reference Number (if applicable):", "TW-123456",
                "Date:", cell(p(sdt_text("01/02/2026", "Date", date=True)))),
            row("Name of Individual:", cell("Alex Example", span=3)),
            row("Date of Birth:", "01/02/2015", "NHS Number:", "943 476 5919"),
            row("Agency/Team:",
                cell("Telford & Wrekin Council, Family Safeguarding Team",
                     span=3)),
            row("Named GP and Surgery:",
                cell(p(sdt_text("Dr Sam Sample, Example Road Surgery", "GP")),
                     span=3)),
            row(cell(CONCERNS_LABEL, CONCERNS_NOTE, vmerge="restart"),
                cell("Alex has missed three health appointments and the school "
                     "reports weight loss.",
                     "Stage 1: practitioners spoke on 20/01/2026 and did not "
                     "agree on the threshold.", span=3)),
            row(cell(vmerge="continue"),
                cell("Stage 2: the line managers met on 27/01/2026 and could "
                     "not agree either.", span=3)),
            row("Requested Action:",
                cell("A strategy discussion to be convened by Friday "
                     "6 February 2026.", span=3)),
            row("Response:", cell(p(sdt_placeholder()), span=3)),
            row("Date:", "", "Signature:", ""),
            row("Resolution of Issues:", cell(span=3)),
            row("Date:", "", "Signature:", ""),
            row("Actions taken to resolve the professional disagreement:",
                cell(span=3)),
            row("Date:", "", "Signature:", "")))


def wsab_resolved():
    """WSAB pro-forma for reporting where issues have been resolved (001
    Appendix 5): Yes / No as check boxes (Word 2010 and legacy) and as a
    struck-through option."""
    return (
        p("Pro-forma for reporting where issues have been resolved.")
        + table(
            row("Unique Identifier from your services records:",
                cell("ASC-000123", span=2)),
            row("Name of Board Members, Roles and Agencies involved:",
                cell("Sam Sample, Head of Service, Adult Social Care; "
                     "Chris Sample, Named Nurse, WWL", span=2)),
            row("Brief details of issue:",
                cell("Disagreement over the lead agency for a capacity "
                     "assessment.", span=2)),
            row("At what level of the protocol was the issue resolved?",
                cell("Level 3", span=2)),
            row("Does this case give rise to any lessons learned? "
                "(Please circle)",
                cell(p("Yes / ", raw(r("N", strike=True)),
                       raw(r("o", strike=True))), span=2)),
            row("If yes, please detail",
                cell("Capacity assessments for refusal of care need a named "
                     "lead at the first multi-agency meeting.", span=2)),
            row(cell("Do the lessons learned indicate the need for the "
                     "following: (please circle Yes or No for each of issues "
                     "below)", span=3)),
            row("A requirement for staff training?",
                cell(p("Yes ", checkbox(True))),
                cell(p("No ", checkbox(False)))),
            row("Review of WSAB Protocol or procedure?",
                cell(p(legacy_checkbox(1, False), " Yes")),
                cell(p(legacy_checkbox(0, True), " No"))),
            row("Inform Commissioner of the Service?",
                cell(p(legacy_checkbox(1), " Yes")),
                cell(p(legacy_checkbox(0), " No"))),
            row("If yes, which service is this regarding?",
                cell("Example Care Ltd (home care)", span=2)),
            row("Date of completion:", cell("20/03/2026", span=2)),
            row("Name:", cell("Sam Sample", span=2)),
            row("Signature:", cell("S. Sample", span=2)), cols=3)
        + p("Please e-mail your completed form to the WSAB Team."))


def wsab_proforma():
    """WSAB Partnership Resolution Seeking Proforma: the family details grid
    with one address merged over two rows (it must neither repeat nor shift
    the dates of birth), and the concerns in a table nested in a frame."""
    inner = table(
        row("Analysis of concerns identified:",
            cell("Alex has had four falls in six weeks and is refusing "
                 "personal care.", "District nurses report pressure damage.")),
        row("Reason for seeking resolution:",
            cell("Stage 1 discussion on 27/01/2026 did not agree a lead "
                 "agency for a capacity assessment.")),
        row("Resolution required \u2013 What Needs to Happen that currently "
            "isn't.",
            cell("A capacity assessment with an agreed lead within 5 working "
                 "days.")), cols=2)
    return (
        p("Partnership Resolution Seeking Proforma Stage 2 (Service Manager "
          "to Service Manager)")
        + p("Family Details")
        + table(
            row("", "Name:", "Address:", "D.O.B:"),
            row("Adult at risk 1", "Alex Example",
                cell("1 Example Street, Wigan WN1 0XX", vmerge="restart"),
                "01/02/1950"),
            row("Adult at risk 2", "Sam Example", cell(vmerge="continue"),
                "03/04/1952"),
            row("Adult at risk 3", "", "", ""))
        + p("Agency Concerns")
        + table(row(cell(inner)), cols=1))


def layout():
    """One of each construct, for an exact comparison of the text."""
    field = raw(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://'
        'example.org/" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + r("result")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    nested = table(row("N1", "N2"), row("N3", "N4"), cols=2)
    return (
        p(raw("<w:r>%s<w:tab/>%s<w:br/>%s</w:r>"
              % (t("Plain"), t("after tab"), t("second line"))))
        + p("Kept ",
            raw('<w:ins w:id="1" w:author="Jo Sample">%s</w:ins>'
                % r("inserted ")),
            raw('<w:del w:id="2" w:author="Jo Sample"><w:r><w:delText>'
                'deleted </w:delText></w:r></w:del>'),
            raw(r("hidden ", hidden=True)),
            raw('<w:hyperlink w:history="1">%s</w:hyperlink>' % r("link")),
            " ", field)
        + p("A", raw("<w:r><w:noBreakHyphen/></w:r>"), "B")
        + p(raw(r("one", strike=True)), raw(r(" two", strike=True)),
            " plain ", raw(r("three", dstrike=True)),
            raw(r(" four", unstrike=True)))
        + p(raw('<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>'),
            " ticked ",
            raw('<w:r><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>'),
            " empty")
        + '<w:sdt><w:sdtPr><w:tag w:val="Block"/></w:sdtPr><w:sdtContent>%s'
          '</w:sdtContent></w:sdt>' % p("Block control")
        + p("Before ", sdt_placeholder(), "after")
        + table(
            row("A", "B", before=1),
            row(cell("Wide", span=2), "C"),
            row("X", cell("H", hmerge="restart"), cell(hmerge="continue"), "Y"),
            row("Deleted", "row", deleted=True),
            "<w:tr/>",                          # no cells at all
            row(cell(p(raw(r(" ", strike=True)))), "Z"),
            '<w:sdt><w:sdtPr><w:tag w:val="Repeat"/></w:sdtPr><w:sdtContent>'
            + row("R1", "R2") + "</w:sdtContent></w:sdt>",
            row("Outer label", cell(nested), "After"),
            row(cell("L1", "L2"), cell("V1", "V2")),
            row(cell(p(raw("<w:r>%s<w:tab/>%s</w:r>"
                           % (t("Name:"), t("Alex")))))))
        + p("End"))


LAYOUT_TEXT = (
    "Plain\tafter tab\nsecond line\n"
    "Kept inserted link result\n"
    "A-B\n"
    "~~one two~~ plain ~~three~~ four\n"
    "[x] ticked [ ] empty\n"
    "Block control\n"
    "Before after\n"
    "\tA\tB\n"
    "Wide\t\tC\n"
    "X\tH\t\tY\n"
    "\tZ\n"
    "R1\tR2\n"
    "Outer label\tN1; N2; N3; N4\tAfter\n"
    "L1 L2\tV1\nV2\n"
    "Name:\tAlex\n"
    "End\n")


def word_features():
    """Word as Word writes it, one feature at a time, for an exact
    comparison of the text (word-features.txt): text boxes (DrawingML
    with its VML fallback, and VML alone), list numbers, cells merged
    downwards, a table nested in a cell, TABs in a cell, and tick boxes
    (content controls, legacy fields, symbols and typed glyphs)."""
    return (
        # Text boxes: read once, on lines after their anchor paragraph.
        p("Named GP and Surgery:", textbox("Dr Sam Sample",
                                           "Example Road Surgery"))
        + p(textbox("Box in an empty paragraph"))
        + p("Old Word box:", textbox("VML only", vml_only=True))
        # Lists: numbers as Word draws them, per list and level.
        + p("First", num=(1, 0)) + p("Second", num=(1, 0))
        + p("Sub one", num=(1, 1)) + p("Sub two", num=(1, 1))
        + p("Sub sub", num=(1, 2))
        + p("Third", num=(1, 0)) + p("Sub again", num=(1, 1))
        + p("Bullet", num=(2, 0))
        + p("Restarted", num=(3, 0))
        + p("Spaced", num=(4, 0)) + p("Roman", num=(5, 0))
        + p("Not a list", num=(0, 0)) + p("Unknown list", num=(99, 0))
        + table(
            row("No", "Action", "Owner"),
            row(cell(p(num=(1, 0))), "Visit", "ASC"),
            row(cell(p(num=(1, 0))), "Call", "GP"), cols=3)
        # Merged downwards: the rows below read the first cell's text;
        # a label merged down (first column, or ending with ':') does not
        # repeat.
        + table(
            row("Task", "Owner", "Purpose", "Deadline"),
            row("Visit", cell("ASC, Jo Sample", vmerge="restart"),
                "Care plan", "10/03/2026"),
            row("Review", cell(vmerge="continue"), "Agree plan",
                "12/03/2026"),
            row("Call", "GP", "Medication", "13/03/2026"),
            row("Write", cell(vmerge="continue"), "Letter", "14/03/2026"))
        + table(
            row(cell("Concerns:", vmerge="restart"), "Stage 1 text"),
            row(cell(vmerge="continue"), "Stage 2 text"),
            row("Owner", cell("Owner:", vmerge="restart")),
            row("Next", cell(vmerge="continue")), cols=2)
        # A table nested in a cell stays in that cell.
        + table(
            row("Attendees:",
                cell(table(row("Jo Sample", "ASC"), row("Sam Sample", "GMMH"),
                           cols=2)),
                "Apologies:", "Chris Sample (GMP)"),
            row("Contacts:", cell(table(row("Phone:", "01942 000000"),
                                        cols=2))), cols=4)
        # TABs a person typed in a cell.
        + table(
            row("", cell(p(raw("<w:r>%s<w:tab/>%s</w:r>"
                               % (t("Pressure"), t("care"))))), "WWL"),
            row("", "", cell(p(raw("<w:r>%s<w:tab/>%s</w:r>"
                                   % (t("Only"), t("cell")))))), cols=3)
        # Tick boxes: a Yes / No pair is its answer.
        + table(
            row("Staff training?", cell(p("Yes ", checkbox(True))),
                cell(p("No ", checkbox(False))), "Next label:", "value"),
            row("Protocol review?", cell(p(legacy_checkbox(1, False), " Yes")),
                cell(p(legacy_checkbox(0, True), " No"))),
            row("Optional?", cell(p("Yes ", checkbox(False))),
                cell(p("No ", checkbox(False)))),
            row("Both?", cell(p("Yes ", checkbox(True))),
                cell(p("No ", checkbox(True)))),
            row("Inline?", cell(p(sym_box(False), " Yes ", sym_box(True),
                                  " No")), "Date:", "01/02/2026"),
            cols=5)
        + p("Consent given? \u2612 Yes \u2610 No")
        + p("Urgent? ", legacy_checkbox(1), " Yes ", legacy_checkbox(0),
            " No Date: 01/02/2026")
        + p("\u2612 ASC \u2610 Police"))


WORD_FEATURES_TEXT = (
    "Named GP and Surgery:\nDr Sam Sample\nExample Road Surgery\n"
    "Box in an empty paragraph\n"
    "Old Word box:\nVML only\n"
    "1.\tFirst\n2.\tSecond\na)\tSub one\nb)\tSub two\n"
    "2.b.i.\tSub sub\n3.\tThird\na)\tSub again\nBullet\n"
    "1.\tRestarted\nStep 1: Spaced\nIV.\tRoman\nNot a list\n"
    "Unknown list\n"
    "No\tAction\tOwner\n4.\tVisit\tASC\n5.\tCall\tGP\n"
    "Task\tOwner\tPurpose\tDeadline\n"
    "Visit\tASC, Jo Sample\tCare plan\t10/03/2026\n"
    "Review\tASC, Jo Sample\tAgree plan\t12/03/2026\n"
    "Call\tGP\tMedication\t13/03/2026\n"
    "Write\t\tLetter\t14/03/2026\n"
    "Concerns:\tStage 1 text\n"
    "\tStage 2 text\n"
    "Owner\tOwner:\n"
    "Next\n"
    "Attendees:\tJo Sample; ASC; Sam Sample; GMMH\tApologies:\t"
    "Chris Sample (GMP)\n"
    "Contacts:\tPhone: 01942 000000\n"
    "\tPressure care\tWWL\n"
    "\t\tOnly cell\n"
    "Staff training?\tYes\t\tNext label:\tvalue\n"
    "Protocol review?\tNo\n"
    "Optional?\n"
    "Both?\tYes [x]\tNo [x]\n"
    "Inline?\tNo\tDate:\t01/02/2026\n"
    "Consent given? Yes\n"
    "Urgent? Yes\nDate: 01/02/2026\n"
    "[x] ASC [ ] Police\n")


def twsp_referral_word():
    """The TWSP referral as its seed lays it out and as Word fills it in:
    label and answer cells side by side in pairs on a row, long answers in
    a full-width cell under their label's row; the GP typed into a text
    box in its cell, the concerns a numbered list, the requested action in a text box under its label."""
    return (
        p("Telford & Wrekin Safeguarding Partnership")
        + p("Resolution and Escalation Referral Form")
        + table(
            row("Client Reference Number (if applicable):", "TW-654321",
                "Date:", "02/02/2026"),
            row("Name of Individual:", "Casey Example", "Date of Birth:",
                "14/03/2016"),
            row("NHS Number:", "943 476 5919", "Agency/Team:",
                "Telford & Wrekin Council, Early Help"),
            row("Named GP and Surgery:",
                cell(p(textbox("Dr Sam Sample, Example Road Surgery")),
                     span=3)),
            row(cell(CONCERNS_LABEL, CONCERNS_NOTE, span=4)),
            row(cell(p("Casey has missed school for three weeks.", num=(1, 0)),
                     p("Stage 1: spoke on 20/01/2026; no agreement.",
                       num=(1, 0)),
                     p("Stage 2: managers met on 27/01/2026.", num=(1, 0)),
                     span=4)),
            row(cell("Requested Action:", span=4)),
            row(cell(p(textbox("A multi-agency meeting by 06/02/2026.")),
                     span=4)),
            row("Response:", cell(span=3)),
            row("Date:", "", "Signature:", "")))


def wsab_meeting():
    """WSAB Appendix 4 meeting record as its seed lays it out: the No
    column of the planned actions numbered by Word's numbering button (no
    digits in the cells), one owner merged down over two actions, the
    attendees a table nested in their cell, a TAB typed in an action."""
    attendees = table(row("Jo Sample", "ASC"), row("Sam Sample", "GMMH"),
                      cols=2)
    return (
        p("Escalation Solution Focused Meeting Template (Service Manager to "
          "Service Manager)")
        + table(
            row("Meeting No:", cell("2", span=3)),
            row("Name:", "D.O.B:", "Date of Meeting:", "Date of next meeting:"),
            row("Alex Example", "01/02/1950", "03/03/2026", "17/03/2026"),
            row("Attendees:", cell(attendees), "Apologies:",
                "Chris Sample (GMP)"))
        + p("Planned Actions to be taken:")
        + table(
            row("No", "Action", "Agency and owner", "Purpose of action",
                "Deadline (Specified date)"),
            row(cell(p(num=(3, 0))), "Capacity assessment",
                cell("ASC, Sam Sample", vmerge="restart"),
                "Decide on personal care", "10/03/2026"),
            row(cell(p(num=(3, 0))), "Care plan review",
                cell(vmerge="continue"), "Agree the plan", "12/03/2026"),
            row(cell(p(num=(3, 0))),
                cell(p(raw("<w:r>%s<w:tab/>%s</w:r>"
                           % (t("Pressure"), t("care review"))))),
                "WWL, Chris Sample", "Reduce pressure damage", "13/03/2026"),
            row(cell(p(num=(3, 0))), "", "", "", ""), cols=5))


def bomb(path, size):
    """A valid document whose one paragraph inflates to `size` bytes."""
    head = document(p("Zip bomb")).split("<w:sectPr/>")[0]
    text = head + "<w:p><w:r><w:t>"
    tail = "</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"
    data = text.encode() + b"A" * (size - len(text) - len(tail)) + tail.encode()
    package(path, [("word/document.xml", data)])


def lying_bomb(path):
    """A bomb whose zip directory claims document.xml is 1000 bytes."""
    bomb(path, 8 * 1024 * 1024)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    name = b"word/document.xml"
    i = 0
    while True:
        i = data.find(name, i)
        if i < 0:
            break
        # The name follows the fixed part of a local (30 bytes) or central
        # (46 bytes) header; patch the uncompressed size in either.
        if data[i - 30:i - 26] == b"PK\x03\x04":
            struct.pack_into("<I", data, i - 30 + 22, 1000)
        elif data[i - 46:i - 42] == b"PK\x01\x02":
            struct.pack_into("<I", data, i - 46 + 24, 1000)
        i += len(name)
    with open(path, "wb") as f:
        f.write(bytes(data))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "docx")
    os.makedirs(out, exist_ok=True)

    def at(name):
        return os.path.join(out, name)

    docx(at("twsp-referral.docx"), twsp_referral())
    docx(at("wsab-resolved.docx"), wsab_resolved())
    docx(at("wsab-proforma.docx"), wsab_proforma())
    docx(at("layout.docx"), layout())
    docx(at("word-features.docx"), word_features(), lists=True)
    docx(at("twsp-referral-word.docx"), twsp_referral_word(), lists=True)
    docx(at("wsab-meeting.docx"), wsab_meeting(), lists=True)
    with open(at("word-features.txt"), "w") as f:
        f.write(WORD_FEATURES_TEXT)
    with open(at("layout.txt"), "w") as f:
        f.write(LAYOUT_TEXT)
    # The main part where _rels/.rels says, not word/document.xml.
    package(at("document2.docx"),
            [("word/document2.xml", document(p("Moved main part")))],
            main="word/document2.xml")
    bomb(at("bomb.docx"), 20 * 1024 * 1024)
    lying_bomb(at("bomb-lying.docx"))
    # External entities: a file, a network parameter entity, and a billion
    # laughs; none may be loaded or expanded.
    docx(at("xxe.docx"), p("Name of Individual: ", raw("<w:r><w:t>&xxe;</w:t></w:r>")),
         prolog='<!DOCTYPE w:document [\n'
                '<!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
                '<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
                '%remote;\n'
                '<!ENTITY lol "lol">\n'
                '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
                ']>\n')
    # Tables nested deeper than escbot reads.
    deep = p("deep")
    for _ in range(20):
        deep = table(row(cell(deep)), cols=1)
    docx(at("deep-tables.docx"), deep)
    with open(at("not-zip.docx"), "wb") as f:
        f.write(b"{\\rtf1\\ansi This is a rich text file named .docx}\n")
    with zipfile.ZipFile(at("no-document.docx"), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", "<Types/>"),
                           ("xl/workbook.xml", "<workbook/>")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)),
                       data)
    # Not a Word document: a main part that is some other XML.
    package(at("not-word.docx"), [("word/document.xml",
                                   '<?xml version="1.0"?><html><body>'
                                   'Hello</body></html>')])
    # Damaged: the document part is cut short.
    with open(at("twsp-referral.docx"), "rb") as f:
        whole = f.read()
    with open(at("truncated.docx"), "wb") as f:
        f.write(whole[:len(whole) // 2])


if __name__ == "__main__":
    main()
