"""The intake corpus (tests/unit/intake/, checked by tests/unit/test_intake)
is exactly what tests/tools/make-intake-corpus.py writes, byte for byte and
twice the same: every message's .expect comes from the data the generator
fills the forms with, never edited by hand to agree with what escbot reads;
and every form of rules/forms/ is in it, in every layout and client."""
import filecmp
import os
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(
    __file__)), "..", ".."))
MAKE = os.path.join(REPO, "tests", "tools", "make-intake-corpus.py")
CORPUS = os.path.join(REPO, "tests", "unit", "intake")
sys.path.insert(0, os.path.join(REPO, "tools"))
import formconf  # noqa: E402

# The corpus's own files that the generator does not write.
KEPT = {"escbot-test.conf", "rules-partial"}


def generate(out):
    subprocess.run(["/usr/bin/python3", MAKE, out], check=True, timeout=300,
                   capture_output=True)


class Corpus(unittest.TestCase):
    def test_committed_corpus_is_what_the_generator_writes(self):
        with tempfile.TemporaryDirectory(prefix="escbot-corpus-") as tmp:
            generate(tmp)
            made = sorted(os.listdir(tmp))
            kept = sorted(n for n in os.listdir(CORPUS) if n not in KEPT)
            self.assertEqual(made, kept)
            for name in made:
                self.assertTrue(
                    filecmp.cmp(os.path.join(tmp, name),
                                os.path.join(CORPUS, name), shallow=False),
                    "tests/unit/intake/%s is stale: run %s" % (name, MAKE))
            again = os.path.join(tmp, "again")
            generate(again)
            for name in made:
                self.assertTrue(filecmp.cmp(os.path.join(tmp, name),
                                            os.path.join(again, name),
                                            shallow=False), name)

    def test_every_message_has_its_expected_outcome(self):
        with open(os.path.join(CORPUS, "MANIFEST")) as f:
            names = f.read().split()
        self.assertGreaterEqual(len(names), 150)
        for n in names:
            self.assertTrue(os.path.exists(os.path.join(CORPUS, n + ".eml")),
                            n)
            with open(os.path.join(CORPUS, n + ".expect")) as f:
                lines = [l for l in f.read().splitlines()
                         if not l.startswith("@")]
            self.assertTrue(lines[0].startswith("verdict="), n)
            self.assertTrue(any(l.startswith("reply=") for l in lines), n)

    def test_every_form_in_every_layout(self):
        """Each form of rules/forms/ filled in from its blank template and
        sent as Word (Outlook), LibreOffice (Gmail), TNEF (Exchange),
        forwarded as an attached message and incomplete."""
        forms = [f.id for f in formconf.load(os.path.join(REPO, "rules",
                                                          "forms"))]
        for fid in forms:
            for layout in ("word", "libreoffice", "tnef", "fwd-attached",
                           "incomplete"):
                with self.subTest(form=fid, layout=layout):
                    self.assertTrue(os.path.exists(os.path.join(
                        CORPUS, "filled-%s-%s.expect" % (fid, layout))))


if __name__ == "__main__":
    unittest.main()
