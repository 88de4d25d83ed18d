"""The blank Word forms shipped in rules/forms/: they are exactly what
tools/make-blank-forms.py writes (so they never go stale), and each one,
filled in cell by cell and read by escbot's Word reader and form reader
(tests/tools/form-probe), gives back exactly the answers typed into it,
every field of its form definition."""
import filecmp
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import blank_forms as B  # noqa: E402

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
                               "wscb-agency-report", "wscb-resolved"])

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


if __name__ == "__main__":
    unittest.main()
