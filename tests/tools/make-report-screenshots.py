#!/usr/bin/python3
"""Make the README's pictures of the board's reports: docs/report-*.png.

Builds the year of TWSP and WSAB cases of tests/lib/report_year.py in a
throw-away installation (its own Dovecot and SMTP sink, as the
integration tests do; every step with --now, so the record is the same
each time), writes each kind of report with `escbot digest --preview
--html`, and takes its picture with headless Chromium, cut below the
report's last line.  Run from anywhere, after `make`:

    tests/tools/make-report-screenshots.py [OUTDIR]     (default docs/)
"""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from escbot_env import REPO, EscbotEnv   # noqa: E402
import report_render as R                # noqa: E402
import report_year as Y                  # noqa: E402

# (file, protocol, digest arguments)
SHOTS = [
    ("report-wsab-weekly.png", "wsab", ["--period", "week"]),
    ("report-wsab-quarterly.png", "wsab", ["--period", "quarter"]),
    ("report-twsp-half-yearly.png", "twsp", ["--period", "half-year"]),
    ("report-wsab-year-so-far.png", "wsab",
     ["--period", "year", "--current"]),
]
HEIGHT = 6000       # taller than any of these reports; cut after


def crop(png):
    """Cut the white below the report (and keep a margin)."""
    w, h, rows = R.read_png(png)
    white = b"\xff" * (w * 3)
    last = max((y for y, r in enumerate(rows) if r != white), default=0)
    R.write_png(png, w, rows[:min(h, last + 24)])


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.path.join(REPO, "docs"))
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="escbot-shots-") as tmp:
        env = EscbotEnv(tmp).start()
        try:
            Y.build(env)
            for name, proto, args in SHOTS:
                html = os.path.join(tmp, name[:-4] + ".html")
                env.run("digest", "--preview", "--protocol", proto, *args,
                        "--html", html, now=Y.NOW)
                png = os.path.join(out, name)
                R.screenshot(html, png, HEIGHT)
                crop(png)
                print("wrote %s" % png)
        finally:
            env.stop()


if __name__ == "__main__":
    main()
