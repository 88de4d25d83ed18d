"""The blank Word forms shipped in rules/forms/: they are exactly what
tools/make-blank-forms.py writes (so they never go stale), and each one,
filled in cell by cell and read by escbot's Word reader and form reader
(tests/tools/form-probe), gives back exactly the answers typed into it,
every field of its form definition.  And escbot attaches them, byte for
byte, to the replies that ask for a form again: missing answers, a PDF, a
damaged Word file, no form at all."""
import base64
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import blank_forms as B  # noqa: E402
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

NOW = "2026-11-23T10:00:00Z"     # a Monday, in working hours
DOCX_TYPE = ("application/vnd.openxmlformats-officedocument."
             "wordprocessingml.document")
OPENING = ["twsp-referral.docx", "wsab-proforma.docx",
           "wscb-agency-report.docx", "wsp-covid-request.docx",
           "wsp-serious-incident.docx"]

REPO = B.REPO
PROBE = os.path.join(REPO, "tests", "tools", "form-probe")
MAKE = os.path.join(REPO, "tools", "make-blank-forms.py")


def probe(path):
    """(form id, {field: value}, {field: problem}) as escbot reads path."""
    p = subprocess.run([PROBE, B.FORMS, path], capture_output=True,
                       text=True, timeout=60)
    if p.returncode not in (0, 1):
        raise AssertionError("form-probe %s: exit %d: %s"
                             % (path, p.returncode, p.stderr))
    form, values, problems = None, {}, {}
    for line in p.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "form":
            form = rest
            continue
        name, _, val = rest.partition("\t")
        val = val.replace("\\n", "\n").replace("\\\\", "\\")
        (values if kind == "value" else problems)[name] = val
    return form, values, problems


class BlankForms(unittest.TestCase):
    def test_every_form_has_its_blank_form(self):
        ids = sorted(f.id for f, _ in B.templates())
        self.assertEqual(ids, ["twsp-referral", "wsab-meeting",
                               "wsab-proforma", "wsab-resolved",
                               "wscb-agency-report", "wscb-resolved",
                               "wsp-covid-request", "wsp-serious-incident"])

    def test_committed_forms_are_what_the_script_writes(self):
        with tempfile.TemporaryDirectory(prefix="escbot-blank-") as tmp:
            subprocess.run(["/usr/bin/python3", MAKE, tmp], check=True,
                           timeout=120)
            made = sorted(os.listdir(tmp))
            shipped = sorted(n for n in os.listdir(B.FORMS)
                             if n.endswith(".docx"))
            self.assertEqual(made, shipped)
            for name in made:
                self.assertTrue(
                    filecmp.cmp(os.path.join(tmp, name),
                                os.path.join(B.FORMS, name), shallow=False),
                    "rules/forms/%s is stale: run tools/make-blank-forms.py"
                    % name)
            # Twice the same bytes: nothing depends on the clock.
            again = os.path.join(tmp, "again")
            subprocess.run(["/usr/bin/python3", MAKE, again], check=True,
                           timeout=120)
            for name in made:
                self.assertTrue(filecmp.cmp(os.path.join(tmp, name),
                                            os.path.join(again, name),
                                            shallow=False), name)

    def test_blank_forms_are_recognised_and_hold_no_answers(self):
        for form, path in B.templates():
            with self.subTest(form=form.id):
                got, values, problems = probe(path)
                self.assertEqual(got, form.id)
                self.assertEqual(values, {})
                self.assertTrue(all(v == "missing"
                                    for v in problems.values()), problems)

    def test_filled_in_forms_read_back_exactly(self):
        for form, path in B.templates():
            with self.subTest(form=form.id), \
                    tempfile.TemporaryDirectory(prefix="escbot-fill-") as tmp:
                typed, want = B.answers(form)
                filled = os.path.join(tmp, "filled.docx")
                with open(filled, "wb") as f:
                    f.write(B.fill(path, typed))
                got, values, problems = probe(filled)
                self.assertEqual(got, form.id)
                self.assertEqual(problems, {})
                self.assertEqual(values, want)
                self.assertEqual(len(values), len(form.fields))

    def test_libreoffice_written_forms_read_back_exactly(self):
        """Each form filled in and saved by LibreOffice Writer (.docx ->
        .odt -> .docx, LibreOffice's own XML: tests/fixtures/libreoffice,
        made by tests/tools/make-libreoffice-docx.sh) reads back exactly."""
        lo = os.path.join(REPO, "tests", "fixtures", "libreoffice")
        for form, _ in B.templates():
            with self.subTest(form=form.id):
                path = os.path.join(lo, form.id + ".docx")
                with zipfile.ZipFile(path) as z:
                    self.assertIn(b"<Application>LibreOffice/",
                                  z.read("docProps/app.xml"))
                _, want = B.answers(form)
                got, values, problems = probe(path)
                self.assertEqual(got, form.id)
                self.assertEqual(problems, {})
                self.assertEqual(values, want)


def with_attachment(sender, subject, filename, content_type, data,
                    msgid):
    """A message with a line of text and one attached file."""
    return ("From: %s\r\nTo: box@x\r\nSubject: %s\r\n"
            "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nPlease see the form."
            "\r\n--b\r\nContent-Type: %s; name=\"%s\"\r\n"
            "Content-Disposition: attachment; filename=\"%s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n"
            % (sender, subject, msgid, content_type, filename, filename,
               base64.encodebytes(data).decode().replace("\n", "\r\n")))


class AttachedToReplies(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-blank-")
        self.addCleanup(self.tmp.cleanup)
        self.env = EscbotEnv(self.tmp.name)
        self.addCleanup(self.env.stop)
        self.env.start()

    def attached(self, rcpt):
        """{file name: bytes} of the one reply to rcpt, and its text."""
        (reply,) = self.env.sink.messages(rcpt=rcpt)
        files = {}
        for part in reply.iter_attachments():
            self.assertEqual(part.get_content_type(), DOCX_TYPE)
            files[part.get_filename()] = part.get_content()
        text = reply.get_body(("plain",)).get_content()
        return files, text.replace("\r\n", "\n")

    def assert_shipped(self, files, names):
        self.assertEqual(list(files), names)
        for name in names:
            with open(os.path.join(B.FORMS, name), "rb") as f:
                self.assertEqual(files[name], f.read(), name)

    def test_replies_carry_the_blank_forms(self):
        env = self.env
        missing = "pc.lane@westmercia.example.police.uk"
        pdf = "casey@telford.example.gov.uk"
        named = "robin.worker@wigan.example.gov.uk"
        damaged = "sam.lead@telford.example.gov.uk"
        nothing = "jo.sample@wigan.example.gov.uk"
        env.deliver(make_message(missing, "Escalation", F.TWSP_MISSING))
        env.deliver(with_attachment(pdf, "form attached", "form.pdf",
                                    "application/pdf", b"%PDF-1.4\n",
                                    "pdf-1@x"))
        env.deliver(with_attachment(
            named, "proforma", "Partnership Resolution Seeking Proforma.pdf",
            "application/pdf", b"%PDF-1.4\n", "pdf-2@x"))
        with open(os.path.join(B.REPO, "tests", "fixtures", "docx",
                               "truncated.docx"), "rb") as f:
            env.deliver(with_attachment(damaged, "referral", "referral.docx",
                                        DOCX_TYPE, f.read(), "docx-1@x"))
        env.deliver(make_message(nothing, "Hello", "Where is the form?"))
        env.run("run", "--once", now=NOW)
        self.assertEqual(env.cases(all=True), [])

        # Missing answers: the form that was read.
        files, text = self.attached(missing)
        self.assert_shipped(files, ["twsp-referral.docx"])
        self.assertIn("Attached, blank and ready to fill in and send back "
                      "as a Word document:\n- twsp-referral.docx: TWSP "
                      "Resolution and Escalation Referral Form\n\nIf a "
                      "child", text)
        # A PDF: the form its file name names, else every form that
        # opens a case in the protocols this mailbox runs.
        files, text = self.attached(named)
        self.assert_shipped(files, ["wsab-proforma.docx"])
        files, text = self.attached(pdf)
        self.assert_shipped(files, OPENING)
        self.assertIn("PDF, .doc and image files cannot be read", text)
        self.assertIn("- wsab-proforma.docx: WSAB Partnership Resolution "
                      "Seeking Proforma\n", text)
        # A Word file that cannot be read, and an email with no form.
        files, text = self.attached(damaged)
        self.assert_shipped(files, OPENING)
        self.assertIn("The Word file you attached could not be read", text)
        files, text = self.attached(nothing)
        self.assert_shipped(files, OPENING)

    def test_check_config_reports_a_missing_blank_form(self):
        env = self.env
        rules = os.path.join(self.tmp.name, "rules")
        shutil.copytree(os.path.join(REPO, "rules"), rules)
        os.unlink(os.path.join(rules, "forms", "wscb-resolved.docx"))
        with open(env.config) as f:
            conf = f.read()
        with open(env.config, "w") as f:
            f.write(conf.replace('rules_dir = "%s/rules";' % REPO,
                                 'rules_dir = "%s";' % rules))
        p = env.run("check-config", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn('%s/forms/wscb-resolved.conf:7: template '
                      '"wscb-resolved.docx": cannot read %s/forms/'
                      'wscb-resolved.docx: No such file or directory\n'
                      % (rules, rules), p.stderr)

    def test_complete_forms_are_acknowledged_without_attachments(self):
        env = self.env
        sender = "casey.practitioner@telford.example.gov.uk"
        env.deliver(make_message(sender, "Escalation referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases()), 1)
        (ack,) = env.sink.messages(rcpt=sender)
        self.assertEqual(list(ack.iter_attachments()), [])


if __name__ == "__main__":
    unittest.main()
