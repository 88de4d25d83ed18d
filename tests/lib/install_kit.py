"""`make install` from a copy of the source tree, so that a test never
rebuilds the tree it runs from (an install with another PREFIX rebuilds
the objects that hold the installed paths)."""
import os
import shutil
import subprocess

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def build_and_install(src, root, prefix="/usr"):
    """Copy what `make install` needs to src and install it under root."""
    os.makedirs(os.path.join(src, "bot"))
    shutil.copy(os.path.join(REPO, "Makefile"), src)
    for name in os.listdir(os.path.join(REPO, "bot")):
        if name.endswith((".c", ".h")):
            shutil.copy(os.path.join(REPO, "bot", name),
                        os.path.join(src, "bot"))
    for d in ("rules", "mail-templates", "etc", "man"):
        shutil.copytree(os.path.join(REPO, d), os.path.join(src, d))
    p = subprocess.run(["make", "-j%d" % (os.cpu_count() or 2), "OPT=-O0",
                        "install", "DESTDIR=" + root, "PREFIX=" + prefix],
                       cwd=src, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise AssertionError("make install failed:\n%s%s"
                             % (p.stdout[-3000:], p.stderr[-3000:]))
