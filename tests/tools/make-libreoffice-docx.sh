#!/bin/sh
# make-libreoffice-docx: writes tests/fixtures/libreoffice/FORM.docx, each
# blank form of rules/forms/ filled in (tests/lib/blank_forms.py's answers)
# and then opened and saved by LibreOffice Writer the way a practitioner
# using LibreOffice sends it: .docx -> .odt -> .docx ("MS Word 2007 XML").
# The files are LibreOffice's own output, committed; the tests read them
# and need no LibreOffice.  Run by hand when the forms change:
#
#     apt-get install --no-install-recommends libreoffice-writer-nogui
#     sh tests/tools/make-libreoffice-docx.sh
set -eu
cd "$(dirname "$0")/../.."
command -v soffice >/dev/null || {
	echo "make-libreoffice-docx: soffice (LibreOffice Writer) is not installed" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp" <<'PY'
import os, sys
sys.path.insert(0, os.path.join("tests", "lib"))
import blank_forms as B
for form, path in B.templates():
    typed, _ = B.answers(form)
    with open(os.path.join(sys.argv[1], form.id + ".docx"), "wb") as f:
        f.write(B.fill(path, typed))
PY
export HOME="$tmp"	# LibreOffice's profile, not the user's
soffice --headless --convert-to odt --outdir "$tmp/odt" "$tmp"/*.docx >/dev/null
soffice --headless --convert-to 'docx:MS Word 2007 XML' \
    --outdir tests/fixtures/libreoffice "$tmp"/odt/*.odt >/dev/null
ls tests/fixtures/libreoffice
