"""formconf: the little of a form file (rules/forms/NAME.conf) that the
blank-form tools need -- the form's id, title and template file, and each
field's name, label and type -- read with the standard library.  escbot
itself reads these files with libconfig (bot/formdef.c); this reader only
understands the layout the shipped files use: one `key = "value";` per
setting, fields as `{ name = ...; ... }` groups.
"""
import glob
import os
import re

_STRING = r'"((?:[^"\\]|\\.)*)"'


def _strip_comments(text):
    out = []
    for line in text.splitlines():
        in_str = False
        for i, c in enumerate(line):
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                in_str = not in_str
            elif c == "#" and not in_str:
                line = line[:i]
                break
        out.append(line)
    return "\n".join(out)


def _get(block, key):
    m = re.search(r"\b%s\s*=\s*%s" % (key, _STRING), block)
    return m.group(1).replace('\\"', '"') if m else None


class Field:
    def __init__(self, name, label, type_):
        self.name = name
        self.label = label
        self.type = type_ or "text"


class Form:
    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            text = _strip_comments(f.read())
        head, _, body = text.partition("fields")
        self.id = _get(head, "id")
        self.title = _get(head, "title")
        self.template = _get(head, "template")
        self.fields = []
        for m in re.finditer(r"\{([^{}]*)\}", body):
            block = m.group(1)
            name = _get(block, "name")
            if name:
                self.fields.append(Field(name, _get(block, "label"),
                                         _get(block, "type")))

    def field(self, name):
        for f in self.fields:
            if f.name == name:
                return f
        return None


def load(forms_dir):
    """Every form file of the folder, in name order (as escbot reads them)."""
    return [Form(p) for p in sorted(glob.glob(os.path.join(forms_dir,
                                                           "*.conf")))]
