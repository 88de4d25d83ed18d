"""Filling in the blank Word forms of rules/forms/ as a person would in
Word: each answer cell (found by its bookmark, named after the form's field;
tools/make-blank-forms.py) gets its text, a Yes / No question gets one of
its two boxes ticked.  Every other byte of the template is kept.

answers(form) gives a distinct answer for every field of a form (as typed,
and as escbot should read it back: normalised), so that a cell mapped to
the wrong field shows.
"""
import io
import os
import re
import sys
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools"))
import formconf  # noqa: E402

FORMS = os.path.join(REPO, "rules", "forms")
EMPTY = "\u2610"
TICKED = "\u2612"


def _mark(name):
    return re.compile(r'<w:bookmarkStart w:id="(\d+)" w:name="%s"/>'
                      r'<w:bookmarkEnd w:id="\1"/>' % re.escape(name))


def fill_xml(xml, typed):
    """document.xml with typed {bookmark: text} written in; a value of
    True / False ticks Yes / No."""
    for name, text in typed.items():
        m = _mark(name).search(xml)
        if m is None:
            raise KeyError("no answer cell %s" % name)
        if text is True or text is False:
            # The first box after the mark is Yes, the second No.
            boxes = [b for b in re.finditer(
                r'<w14:checked w14:val="0"/>(.*?)<w:t xml:space="preserve">'
                + EMPTY + '</w:t>', xml[m.end():], re.S)][:2]
            b = boxes[0 if text else 1]
            start, end = m.end() + b.start(), m.end() + b.end()
            xml = (xml[:start] + '<w14:checked w14:val="1"/>' + b.group(1)
                   + '<w:t xml:space="preserve">' + TICKED + '</w:t>'
                   + xml[end:])
            continue
        run = '<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % escape(text)
        xml = xml[:m.end()] + run + xml[m.end():]
    return xml


def edit_document(path, edit):
    """The bytes of the .docx at path with its word/document.xml passed
    through edit (str -> str); every other part kept as it is."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return out.getvalue()


def fill(template, typed):
    """The bytes of the .docx at `template` filled in with typed."""
    return edit_document(template, lambda xml: fill_xml(xml, typed))


def answers(form):
    """(typed, expected): what to type in each answer cell of `form`, and
    the value escbot should read for each field."""
    typed, want = {}, {}
    for k, f in enumerate(form.fields, 1):
        if re.fullmatch(r"action_\d+", f.name):
            n = int(f.name.split("_")[1])
            parts = ["Task %d" % n, "Team %d, Jo Sample" % n,
                     "Purpose %d" % n, "%02d/04/2026" % n]
            typed[f.name] = parts[0]
            typed[f.name + "__owner"] = parts[1]
            typed[f.name + "__purpose"] = parts[2]
            typed[f.name + "__deadline"] = parts[3]
            want[f.name] = "; ".join(parts)
        elif f.type == "date":
            day, month = k % 28 + 1, k // 28 + 1
            typed[f.name] = "%02d/%02d/2026" % (day, month)
            want[f.name] = "2026-%02d-%02d" % (month, day)
        elif f.type == "yesno":
            typed[f.name] = k % 2 == 0
            want[f.name] = "yes" if k % 2 == 0 else "no"
        elif f.type == "nhs":
            typed[f.name] = "943 476 5919"
            want[f.name] = "9434765919"
        elif f.type == "email":
            typed[f.name] = "Person.%d@Example.gov.uk" % k
            want[f.name] = "person.%d@example.gov.uk" % k
        elif f.type == "phone":
            typed[f.name] = "01952 3850%02d" % k
            want[f.name] = "019523850%02d" % k
        else:
            typed[f.name] = "Written answer %d" % k
            want[f.name] = typed[f.name]
    return typed, want


def templates():
    """(form, path of its committed blank form) for every form naming one."""
    return [(f, os.path.join(os.path.dirname(f.path), f.template))
            for f in formconf.load(FORMS) if f.template]
