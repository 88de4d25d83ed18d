#!/usr/bin/python3
"""make-blank-forms: writes the blank Word form (.docx) of each form in
rules/forms/ that names a `template`, laid out as its seed document lays
it out: label cells and empty answer cells side by side, the grids as
grids, Yes / No as two tick boxes.  Standard library only (tools/wordml.py
writes the WordprocessingML and the package with fixed dates), so running
it again gives the same bytes; tests/integration/test_blank_forms.py checks
that the committed files are what this script writes.

Each answer cell holds a Word bookmark named after the form's field (the
field `name` of the form file); a planned action's other cells are
FIELD__owner, FIELD__purpose and FIELD__deadline.  Bookmarks are invisible
in Word and escbot does not need them to read a form (it reads the labels);
they say which cell is which field, for people editing a template and for
the test that fills every cell in and reads it back.  A form file with a
`template` and no layout here, or a field of the form file with no cell in
its layout, is an error.

    /usr/bin/python3 tools/make-blank-forms.py [DIR]    (default rules/forms)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import formconf  # noqa: E402
from wordml import (A4, bookmark, cell, checkbox, docx, p, r,  # noqa: E402
                    raw, row, table)

REPO = os.path.dirname(HERE)
FORMS = os.path.join(REPO, "rules", "forms")
WIDTH = 9638            # twips between the margins of an A4 page (wordml.A4)
SHADE = "E7E6E6"        # printed labels


class Layout:
    """One document being laid out: hands out bookmark ids and remembers
    which fields have an answer cell."""

    def __init__(self):
        self.next_id = 0
        self.names = []

    def mark(self, name):
        self.names.append(name)
        self.next_id += 1
        return bookmark(name, self.next_id)

    # Cells.
    def label(self, *lines, span=1):
        return cell(*[p(raw(r(x, bold=True))) for x in lines], span=span,
                    shade=SHADE)

    def answer(self, name, span=1):
        return cell(p(self.mark(name)), span=span)

    def yes_no(self, name, span=1):
        """A Yes / No question answered in one cell: two tick boxes."""
        return cell(p(self.mark(name), checkbox(False), " Yes    ",
                      checkbox(False), " No"), span=span)

    def yes_no_cells(self, name):
        """The same as the seed prints it: Yes and No in cells of their
        own."""
        return [cell(p(self.mark(name), checkbox(False), " Yes")),
                cell(p(checkbox(False), " No"))]


def heading(text):
    return p(raw(r(text, bold=True, size=28)), after=120)


def subheading(text):
    return p(raw(r(text, bold=True, size=24)), after=80)


def note(text):
    return p(raw(r(text, size=18)), after=120)


def cols(*fractions):
    """Column widths from fractions of the page width."""
    w = [int(WIDTH * f) for f in fractions]
    w[-1] = WIDTH - sum(w[:-1])
    return w


TALL = 1400             # twips: a few lines to write in
CONCERNS_LABEL = ("Summary of Concerns, including the specific difference/s "
                  "which has resulted in utilising the Escalation process:")
CONCERNS_NOTE = ("(It is important that you provide information that details "
                 "how you have made every effort to resolve this matter at a "
                 "local level within Stages 1 & 2)")


def twsp_referral(L):
    """Seed 004, Appendix 3: label and answer cells in pairs on a row, the
    long answers in a full-width cell under their label; the receiving
    manager's Response, Resolution of Issues and Actions taken each with
    its Date and Signature."""
    w = cols(0.26, 0.24, 0.22, 0.28)
    return (
        heading("Telford & Wrekin Safeguarding Partnership")
        + heading("Resolution and Escalation Referral Form")
        + note("FORMAL ESCALATION FORM (to be used from Stage 3 only and sent "
               "to the relevant senior manager or other designated "
               "professional). Once the form is complete, send a copy to "
               "the TWSP Partnership Manager.")
        + table(
            row(L.label("Client Reference Number (if applicable):"),
                L.answer("client_ref"), L.label("Date:"), L.answer("date")),
            row(L.label("Name of Individual:"),
                L.answer("individual_name", span=3)),
            row(L.label("Date of Birth:"), L.answer("dob"),
                L.label("NHS Number:"), L.answer("nhs_number")),
            row(L.label("Agency/Team:"), L.answer("agency_team", span=3)),
            row(L.label("Receiving agency/team:"),
                L.answer("receiving_agency", span=3)),
            row(L.label("Named GP and Surgery:"), L.answer("gp", span=3)),
            row(cell(p(raw(r(CONCERNS_LABEL, bold=True))),
                     p(raw(r(CONCERNS_NOTE, size=18))), span=4,
                     shade=SHADE)),
            row(L.answer("concerns", span=4), height=3 * TALL),
            row(L.label("Requested Action:", span=4)),
            row(L.answer("requested_action", span=4), height=2 * TALL),
            row(L.label("Response:"), L.answer("response", span=3),
                height=TALL),
            row(L.label("Date:"), L.answer("response_date"),
                L.label("Signature:"), cell()),
            row(L.label("Resolution of Issues:"),
                L.answer("resolution", span=3), height=TALL),
            row(L.label("Date:"), L.answer("resolution_date"),
                L.label("Signature:"), cell()),
            row(L.label("Actions taken to resolve the professional "
                        "disagreement:"),
                L.answer("actions_taken", span=3), height=TALL),
            row(L.label("Date:"), L.answer("actions_date"),
                L.label("Signature:"), cell()),
            cols=4, widths=w, borders=True)
        + note("")
        + subheading("Contact details of the person raising the escalation")
        + table(
            row(L.label("Name of person raising the escalation:"),
                L.answer("contact_name")),
            row(L.label("Contact email:"), L.answer("contact_email")),
            row(L.label("Contact telephone:"), L.answer("contact_phone")),
            cols=2, widths=cols(0.4, 0.6), borders=True))


def agencies(L):
    """The agencies-involved grid of 001 Appendices 3 and 4."""
    return table(
        row(L.label("Adult Social Care:"), L.answer("asc"),
            L.label("Adults Mental Health:"), L.answer("amh")),
        row(L.label("Complex Dependency:"), L.answer("complex_dependency"),
            L.label("GMP:"), L.answer("gmp")),
        row(L.label("Substance Misuse:"), L.answer("substance_misuse"),
            L.label("Housing:"), L.answer("housing")),
        row(L.label("GP:"), L.answer("gp"), L.label("WWL:"),
            L.answer("wwl")),
        row(L.label("Other (please specify):"),
            L.answer("other_agency", span=3)),
        cols=4, widths=cols(0.22, 0.28, 0.22, 0.28), borders=True)


def wsab_proforma(L):
    """Seed 001, Appendix 3: the family details grid (adults at risk by
    name, address and date of birth), the agencies involved, and the
    agency concerns, each question above its answer."""
    questions = [
        ("Analysis of concerns identified:", "concerns_analysis"),
        ("Reason for seeking resolution:", "reason"),
        ("Resolution required \u2013 What Needs to Happen that currently "
         "isn't.", "resolution_required"),
        ("What are we worried about?", "worried"),
        ("What's working well?", "working_well"),
        ("What needs to change?", "needs_to_change"),
        ("What will be the impact on the Adult at risk/others if nothing "
         "changes?", "impact")]
    concerns = []
    for label, name in questions:
        concerns += [row(L.label(label)),
                     row(L.answer(name), height=TALL)]
    return (
        heading("Partnership Resolution Seeking Proforma Stage 2 (Service "
                "Manager to Service Manager)")
        + subheading("Family Details")
        + table(
            row(L.label(""), L.label("Name:"), L.label("Address:"),
                L.label("D.O.B:")),
            *[row(L.label("Adult at risk %d" % n),
                  L.answer("adult%d_name" % n),
                  L.answer("adult%d_address" % n),
                  L.answer("adult%d_dob" % n)) for n in (1, 2, 3)],
            cols=4, widths=cols(0.2, 0.27, 0.35, 0.18), borders=True)
        + note("")
        + agencies(L)
        + note("")
        + subheading("Agency Concerns")
        + table(*concerns, cols=1, widths=[WIDTH], borders=True))


AGENDA = ["Situation", "Case Presentation", "Background", "Pertinent",
          "Information sharing", "Safeguarding concerns",
          "Adult at risk/their voice", "Assessment", "Actions/planning",
          "Recommendations", "Individual agency actions and timescales",
          "Contingency planning", "Next meeting date",
          "Agree summary and or escalation to appropriate external national "
          "governance."]


def wsab_meeting(L):
    """Seed 001, Appendix 4: the meeting's details (names printed in a
    row above their answers), the agency identifiers, the services known
    to, the case summary, the agenda, and the planned actions numbered 1
    to 10 (action, agency and owner, purpose, deadline)."""
    actions = [row(L.label("No"), L.label("Action"),
                   L.label("Agency and owner"), L.label("Purpose of action"),
                   L.label("Deadline (Specified date)"))]
    for n in range(1, 11):
        f = "action_%d" % n
        actions.append(row(L.label(str(n)), L.answer(f),
                           L.answer(f + "__owner"), L.answer(f + "__purpose"),
                           L.answer(f + "__deadline")))
    return (
        heading("Escalation Solution Focused Meeting Template (Service "
                "Manager to Service Manager)")
        + table(
            row(L.label("Meeting No:"), L.answer("meeting_no", span=3)),
            row(L.label("Name:"), L.label("D.O.B:"),
                L.label("Date of Meeting:"), L.label("Date of next meeting:")),
            row(L.answer("adult_name"), L.answer("dob"),
                L.answer("meeting_date"), L.answer("next_meeting_date")),
            row(L.label("Attendees:"), L.answer("attendees"),
                L.label("Apologies:"), L.answer("apologies"), height=TALL),
            cols=4, widths=cols(0.25, 0.25, 0.25, 0.25), borders=True)
        + note("")
        + subheading("Agency Identifiers:")
        + table(
            *[row(L.label("Agency Name:"), L.answer("agency_%d_name" % n),
                  L.label("ID Number:"), L.answer("agency_%d_id" % n))
              for n in (1, 2, 3, 4)],
            cols=4, widths=cols(0.2, 0.35, 0.17, 0.28), borders=True)
        + note("")
        + subheading("Service Known to:")
        + agencies(L)
        + note("")
        + subheading("Case Summary")
        + table(row(L.label("Analysis of concerns identified:")),
                row(L.answer("concerns_analysis"), height=2 * TALL),
                cols=1, widths=[WIDTH], borders=True)
        + note("")
        + subheading("Agenda Items")
        + "".join(p("\u2022 " + item) for item in AGENDA)
        + note("")
        + subheading("Planned Actions to be taken:")
        + table(*actions, cols=5,
                widths=cols(0.06, 0.3, 0.22, 0.24, 0.18), borders=True))


def wsab_resolved(L):
    """Seed 001, Appendix 5: one question a row, Yes / No as tick boxes."""
    w = cols(0.5, 0.25, 0.25)
    return (
        heading("Pro-forma for reporting where issues have been resolved.")
        + table(
            row(L.label("Unique Identifier from your services records:"),
                L.answer("unique_id", span=2)),
            row(L.label("Name of Board Members, Roles and Agencies "
                        "involved:"), L.answer("board_members", span=2),
                height=TALL),
            row(L.label("Brief details of issue:"),
                L.answer("issue_details", span=2), height=TALL),
            row(L.label("At what level of the protocol was the issue "
                        "resolved?"), L.answer("level_resolved", span=2)),
            row(L.label("Does this case give rise to any lessons learned? "
                        "(Please circle)"), L.yes_no("lessons_learned",
                                                    span=2)),
            row(L.label("If yes, please detail"),
                L.answer("lessons_details", span=2), height=TALL),
            row(L.label("Do the lessons learned indicate the need for the "
                        "following: (please circle Yes or No for each of "
                        "issues below)", span=3)),
            row(L.label("A requirement for staff training?"),
                *L.yes_no_cells("staff_training")),
            row(L.label("Review of WSAB Protocol or procedure?"),
                *L.yes_no_cells("protocol_review")),
            row(L.label("Inform Commissioner of the Service?"),
                *L.yes_no_cells("inform_commissioner")),
            row(L.label("If yes, which service is this regarding?"),
                L.answer("commissioner_service", span=2)),
            cols=3, widths=w, borders=True)
        + note("")
        + table(
            row(L.label("Date of completion:"),
                L.answer("completed_date", span=2)),
            row(L.label("Name:"), L.answer("completed_by", span=2)),
            row(L.label("Signature:"), cell(span=2)),
            cols=3, widths=w, borders=True)
        + note("Please email the completed form to the WSAB team."))


def wscb_agency_report(L):
    """Seed 002, Appendix 3: each question with its answer beside it."""
    q = [("Name of child / young person:", "child_name", 0),
         ("DOB:", "dob", 0),
         ("Address:", "address", 0),
         ("Name of Practitioner, Role and Agency:", "practitioner", 0),
         ("Other agency involved in the disagreement:", "other_agency", 0),
         ("Brief details re: inter agency disagreement:", "details", TALL),
         ("Was this disagreement responded to at Level 1 of WSCB Escalation "
          "Policy? If so how was a resolution agreed?", "level1", TALL),
         ("If not, who was the individual (at Level 2 of the WSCB Escalation "
          "Policy) within your agency that you referred the disagreement "
          "to?", "level2_referred_to", 0),
         ("What was the outcome of this inter agency discussion at Level 2 "
          "of the WSCB Escalation Policy?", "level2_outcome", TALL),
         ("Was the conflict referred to your agency Board representative at "
          "Level 3 of the WSCB Escalation Policy? If so, what was the "
          "resolution?", "level3", TALL)]
    rows = [row(L.label(label), L.answer(name), height=h or None)
            for label, name, h in q]
    rows += [
        row(L.label("Have you informed the parents/carers of the child/young "
                    "person of this disagreement and the resolution?"),
            L.yes_no("parents_informed")),
        row(L.label("If not, is this due to safeguarding the child/ young "
                    "person?"), L.yes_no("not_informed_safeguarding"))]
    return (
        heading("Agency Report Re: Recording Inter Agency Conflict and "
                "Resolution on a Service Users File")
        + table(*rows, cols=2, widths=cols(0.45, 0.55), borders=True))


def wscb_resolved(L):
    """Seed 002, Appendix 4: one question a row, Yes / No as tick boxes;
    the sub group and board questions answered in words ("Yes - which
    one")."""
    return (
        heading("Pro-forma for reporting conflicts which have been resolved "
                "at WSCB agency representative level to WSCB")
        + table(
            row(L.label("Name of child / young person:"),
                L.answer("child_name", span=2)),
            row(L.label("DOB:"), L.answer("dob", span=2)),
            row(L.label("Address:"), L.answer("address", span=2)),
            row(L.label("Name of Board Members, Roles and Agencies "
                        "involved:"), L.answer("board_members", span=2),
                height=TALL),
            row(L.label("Brief details re: inter agency disagreement"),
                L.answer("details", span=2), height=TALL),
            row(L.label("Methodology used to resolve the complaint"),
                L.answer("methodology", span=2), height=TALL),
            row(L.label("Does this case give rise to any lessons learned? "
                        "(Please circle)"),
                *L.yes_no_cells("lessons_learned")),
            row(L.label("If yes, please detail"),
                L.answer("lessons_details", span=2), height=TALL),
            row(L.label("Do these lessons learned indicate the need for the "
                        "following:- (please circle Yes or No for each of "
                        "issues below)", span=3)),
            row(L.label("A requirement for staff training"),
                *L.yes_no_cells("staff_training")),
            row(L.label("Development of a new WSCB Protocol"),
                *L.yes_no_cells("new_protocol")),
            row(L.label("Inform Commissioner of the Service"),
                *L.yes_no_cells("inform_commissioner")),
            row(L.label("If yes, which service is this with regard to?"),
                L.answer("commissioner_service", span=2)),
            row(L.label("Further discussion at a particular WSCB Sub Group "
                        "If yes, which one?"),
                L.answer("subgroup_discussion", span=2)),
            row(L.label("Further discussion at the WSCB Board / Executive "
                        "If yes, which one?"),
                L.answer("board_discussion", span=2)),
            cols=3, widths=cols(0.5, 0.25, 0.25), borders=True))


def wsp_covid_request(L):
    """escbot's own short request for the COVID-19 protocol (seed 000 has
    no form): one question a row, the immediate-risk question as two tick
    boxes."""
    return (
        heading("WSP Resolution Request (COVID-19 arrangements)")
        + note("Wigan Safeguarding Partnership. Send to the partnership "
               "mailbox; escbot tracks the disagreement from the level "
               "reached.")
        + table(
            row(L.label("Name of child or adult:"),
                L.answer("person_name", span=2)),
            row(L.label("Date of birth:"), L.answer("dob", span=2)),
            row(L.label("Agencies involved:"), L.answer("agencies", span=2)),
            row(L.label("Summary of the disagreement:"),
                L.answer("summary", span=2), height=TALL),
            row(L.label("Action requested:"),
                L.answer("requested_action", span=2), height=TALL),
            row(L.label("Safeguarding leads involved:"),
                L.answer("safeguarding_leads", span=2)),
            row(L.label("Partnership Executive involved:"),
                L.answer("executive", span=2)),
            row(L.label("Is a child or adult at immediate risk of "
                        "significant harm?"),
                *L.yes_no_cells("immediate_risk")),
            cols=3, widths=cols(0.5, 0.25, 0.25), borders=True))


def request(title, intro, rows):
    """escbot's own short resolution request (twsp-, wsab-, wscb-request):
    one question a row, the level reached and the immediate-risk question
    as two tick boxes each.  rows: (label, field, kind), kind "text",
    "tall" or "yesno"."""
    def one(L, label, name, kind):
        if kind == "yesno":
            return row(L.label(label), *L.yes_no_cells(name))
        return row(L.label(label), L.answer(name, span=2),
                   **({"height": TALL} if kind == "tall" else {}))

    def layout(L):
        return (heading(title) + note(intro)
                + table(*[one(L, *x) for x in rows], cols=3,
                        widths=cols(0.5, 0.25, 0.25), borders=True))
    return layout


twsp_request = request(
    "TWSP Resolution Request",
    "Telford & Wrekin Safeguarding Partnership. For a professional "
    "disagreement at any stage: from stage 3 the Resolution and Escalation "
    "Referral Form is used too. Send to the partnership mailbox; escbot "
    "tracks it from the stage reached.",
    [("Name of child or adult:", "individual_name", "text"),
     ("Date of birth:", "dob", "text"),
     ("Agencies involved:", "agencies", "text"),
     ("Summary of the disagreement:", "summary", "tall"),
     ("Action requested:", "requested_action", "tall"),
     ("Have line / team managers tried to resolve it (stage 2)?",
      "managers", "yesno"),
     ("Have senior managers / designated safeguarding leads tried to "
      "resolve it (stage 3)?", "senior_managers", "yesno"),
     ("Has it been referred to assistant directors / directors (stage 4)?",
      "directors", "yesno"),
     ("Has it been referred to the TWSP Executive through the Partnership "
      "Manager (stage 5)?", "executive", "yesno"),
     ("Is a child or adult at immediate risk of significant harm?",
      "immediate_risk", "yesno")])

wsab_request = request(
    "WSAB Resolution Request (from level 1)",
    "Wigan Safeguarding Adults Board. For a professional disagreement from "
    "level 1 (practitioner to practitioner). Send to the partnership "
    "mailbox; escbot tracks it from the level reached.",
    [("Name of adult:", "adult1_name", "text"),
     ("Date of birth:", "adult1_dob", "text"),
     ("Agencies involved:", "agencies", "text"),
     ("Summary of the disagreement:", "summary", "tall"),
     ("Action requested:", "requested_action", "tall"),
     ("Have the line managers discussed it (level 2)?", "line_managers",
      "yesno"),
     ("Has it been referred to heads of service (level 3)?",
      "heads_of_service", "yesno"),
     ("Has it been referred to the WSAB Service Manager (level 4)?",
      "service_manager", "yesno"),
     ("Is an adult at immediate risk of significant harm?",
      "immediate_risk", "yesno")])

wscb_request = request(
    "WSCB Resolution Request (from level 1)",
    "Wigan Safeguarding Children Board. For a professional disagreement "
    "from level 1 (practitioners). Send to the partnership mailbox; escbot "
    "tracks it from the level reached.",
    [("Name of child / young person:", "child_name", "text"),
     ("Date of birth:", "dob", "text"),
     ("Agencies involved:", "agencies", "text"),
     ("Summary of the disagreement:", "summary", "tall"),
     ("Action requested:", "requested_action", "tall"),
     ("Has it been referred to line managers / named safeguarding leads "
      "(level 2)?", "managers", "yesno"),
     ("Has it been referred to the agencies' WSCB representatives "
      "(level 3)?", "board_reps", "yesno"),
     ("Has it been referred to the WSCB business manager (level 4)?",
      "business_manager", "yesno"),
     ("Is a child at immediate risk of significant harm?",
      "immediate_risk", "yesno")])


def wsp_serious_incident(L):
    """escbot's notification of a serious child safeguarding incident for
    seed 003's two duties (the seed prints no form): one question a row,
    the two "already notified" questions as tick boxes."""
    return (
        heading("WSP Serious Child Safeguarding Incident Notification")
        + note("Wigan Safeguarding Partnership. Send to the partnership "
               "mailbox as soon as the local authority becomes aware of a "
               "serious incident: the national panel is to be notified "
               "within 5 working days, and the rapid review completed "
               "within 15 working days, of becoming aware.")
        + table(
            row(L.label("Name of child:"), L.answer("child_name", span=2)),
            row(L.label("Date of birth:"), L.answer("dob", span=2)),
            row(L.label("Date of the incident:"),
                L.answer("incident_date", span=2)),
            row(L.label("Date the local authority became aware:"),
                L.answer("date_aware", span=2)),
            row(L.label("Did the child die or was the child seriously "
                        "harmed?"), L.answer("harm", span=2)),
            row(L.label("Where did it happen?"), L.answer("location", span=2)),
            row(L.label("Agency notifying:"),
                L.answer("notifying_agency", span=2)),
            row(L.label("Agencies involved:"), L.answer("agencies", span=2)),
            row(L.label("Summary of the incident:"),
                L.answer("summary", span=2), height=TALL),
            row(L.label("Has the national panel already been notified?"),
                *L.yes_no_cells("panel_notified")),
            row(L.label("Has Ofsted been notified?"),
                *L.yes_no_cells("ofsted_notified")),
            cols=3, widths=cols(0.5, 0.25, 0.25), borders=True))


LAYOUTS = {
    "twsp-referral": twsp_referral,
    "wsab-proforma": wsab_proforma,
    "wsab-meeting": wsab_meeting,
    "wsab-resolved": wsab_resolved,
    "wscb-agency-report": wscb_agency_report,
    "wscb-resolved": wscb_resolved,
    "wsp-covid-request": wsp_covid_request,
    "twsp-request": twsp_request,
    "wsab-request": wsab_request,
    "wscb-request": wscb_request,
    "wsp-serious-incident": wsp_serious_incident,
}


def build(form, out_dir):
    """Writes form's template into out_dir; returns its path."""
    if form.id not in LAYOUTS:
        raise SystemExit("%s: form %s names a template but "
                         "tools/make-blank-forms.py has no layout for it"
                         % (form.path, form.id))
    L = Layout()
    body = LAYOUTS[form.id](L) + p()     # Word ends a body with a paragraph
    fields = {n.split("__")[0] for n in L.names}
    for f in form.fields:
        if f.name not in fields:
            raise SystemExit("%s: field %s has no cell in the blank form"
                             % (form.path, f.name))
    for n in fields:
        if form.field(n) is None:
            raise SystemExit("%s: the blank form has a cell for %s, which "
                             "the form does not have" % (form.path, n))
    if len(set(L.names)) != len(L.names):
        raise SystemExit("%s: a field has two cells" % form.id)
    path = os.path.join(out_dir, form.template)
    docx(path, body, sect=A4, styled=True)
    return path


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else FORMS
    os.makedirs(out, exist_ok=True)
    for form in formconf.load(FORMS):
        if form.template:
            build(form, out)


if __name__ == "__main__":
    main()
