"""A TNEF (MS-OXTNEF) writer for the tests: winmail.dat streams as
Outlook and on-premises Exchange write them, holding files.

    python3 tests/lib/tnef.py OUT [FILE...]

writes a stream holding FILEs (by default the Word referral of
tests/fixtures/docx) to OUT: the fuzzing seed of tests/fuzz/run."""
import os
import struct
import sys

SIGNATURE = 0x223E9F78
LVL_MESSAGE, LVL_ATTACHMENT = 1, 2
ATT_TNEF_VERSION = 0x00089006
ATT_OEM_CODEPAGE = 0x00069007
ATT_MESSAGE_CLASS = 0x00078008
ATT_BODY = 0x0002800C
ATT_RENDDATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_DATA = 0x0006800F
ATT_ATTACHMENT = 0x00069005
PT_LONG, PT_UNICODE, PT_BINARY = 0x0003, 0x001F, 0x0102
PID_ATTACH_METHOD, PID_LONG_FILENAME = 0x3705, 0x3707


def attribute(level, ident, data):
    """One attribute: level, id, length, data, checksum."""
    return (struct.pack("<BII", level, ident, len(data)) + data +
            struct.pack("<H", sum(data) & 0xFFFF))


def _pad(b):
    return b + b"\0" * (-len(b) % 4)


def props(items):
    """A property list: (type, id, value) with value an int (PT_LONG),
    str (PT_UNICODE) or bytes (PT_BINARY)."""
    out = struct.pack("<I", len(items))
    for ptype, pid, value in items:
        out += struct.pack("<HH", ptype, pid)
        if ptype == PT_LONG:
            out += struct.pack("<I", value)
            continue
        if ptype == PT_UNICODE:
            value = (value + "\0").encode("utf-16-le")
        out += struct.pack("<II", 1, len(value)) + _pad(value)
    return out


def stream(files, body=None, short_names=True):
    """A whole stream: files is a list of (long name, bytes)."""
    out = struct.pack("<IH", SIGNATURE, 0x5A3C)
    out += attribute(LVL_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x10000))
    out += attribute(LVL_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", 1252, 0))
    out += attribute(LVL_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Note\0")
    if body is not None:
        out += attribute(LVL_MESSAGE, ATT_BODY, body.encode("cp1252") + b"\0")
    for name, data in files:
        stem, ext = os.path.splitext(name)
        short = (stem[:6].upper() + "~1" + ext[:4].upper()) if short_names \
            else name
        out += attribute(LVL_ATTACHMENT, ATT_RENDDATA,
                         struct.pack("<HIhhI", 1, 0xFFFFFFFF, -1, -1, 0))
        out += attribute(LVL_ATTACHMENT, ATT_ATTACH_TITLE,
                         short.encode("cp1252") + b"\0")
        out += attribute(LVL_ATTACHMENT, ATT_ATTACH_DATA, data)
        out += attribute(LVL_ATTACHMENT, ATT_ATTACHMENT, props([
            (PT_LONG, PID_ATTACH_METHOD, 1),
            (PT_UNICODE, PID_LONG_FILENAME, name)]))
    return out


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    paths = argv[2:] or [os.path.join(here, "..", "fixtures", "docx",
                                      "twsp-referral.docx")]
    files = []
    for p in paths:
        with open(p, "rb") as f:
            files.append((os.path.basename(p), f.read()))
    with open(argv[1], "wb") as f:
        f.write(stream(files, body="Please see the attached form."))


if __name__ == "__main__":
    main(sys.argv)
