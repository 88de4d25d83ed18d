"""A report's HTML as a board member's mail client would show it: a
screenshot by headless Chromium, a PNG reader (zlib and struct only) to
look at it, and a static check that the HTML keeps to what Outlook's
Word engine draws.  Used by tests/integration/test_report_rendering.py
and tests/tools/make-report-screenshots.py."""
import os
import re
import struct
import subprocess
import tempfile
import zlib

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTH = 900


def screenshot(html_path, png_path, height):
    """Chromium's picture of html_path, WIDTH x height pixels."""
    with tempfile.TemporaryDirectory(prefix="escbot-chromium-") as prof:
        argv = [CHROMIUM, "--headless=new", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1",
                "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update", "--user-data-dir=" + prof,
                "--screenshot=" + os.path.abspath(png_path),
                "--window-size=%d,%d" % (WIDTH, height),
                "file://" + os.path.abspath(html_path)]
        if os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, HOME=prof))
    if p.returncode != 0 or not os.path.exists(png_path):
        raise AssertionError("chromium exited %d:\n%s" % (p.returncode,
                                                         p.stderr[-2000:]))


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path):
    """(width, height, rows): rows a list of bytes, RGB or RGBA by
    pixel (8-bit, not interlaced, as Chromium writes them)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("%s: PNG kind %d/%d not read here" % (path, depth,
                                                              ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ft == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ft == 2:
            line = bytearray((x + p) & 255 for x, p in zip(line, prev))
        elif ft == 3:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((a + prev[i]) >> 1)) & 255
        elif ft == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                c = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(a, prev[i], c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, [_rgb(r, bpp) for r in rows]


def _rgb(row, bpp):
    if bpp == 3:
        return row
    out = bytearray()
    for i in range(0, len(row), 4):
        out += row[i:i + 3]
    return bytes(out)


def colours(rows):
    """The set of (r, g, b) in the picture."""
    seen = set()
    for r in rows:
        for i in range(0, len(r), 3):
            seen.add(r[i:i + 3])
    return {tuple(c) for c in seen}


def write_png(path, w, rows):
    """RGB rows as a PNG (filter 0 each row)."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    raw = b"".join(b"\x00" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, len(rows), 8, 2,
                                           0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def hex_rgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


# What Outlook's Word engine leaves out or breaks, in style rules and
# attributes alike.
UNSAFE_CSS = re.compile(r"(?i)display\s*:\s*(?:inline-)?(?:flex|grid)|"
                        r"\bposition\s*:|\bfloat\s*:|background-image|"
                        r"\bgrid-template|url\s*\(")


def outlook_problems(html):
    """What in html Outlook would not show as meant: a list of sentences
    (empty when none)."""
    bad = []
    low = html.lower()
    for block in re.findall(r"(?is)<style[^>]*>(.*?)</style>", html):
        for m in UNSAFE_CSS.finditer(block):
            bad.append("a <style> rule uses %r" % m.group(0))
    for m in re.finditer(r'(?is)\sstyle\s*=\s*"([^"]*)"', html):
        for u in UNSAFE_CSS.finditer(m.group(1)):
            bad.append("an inline style uses %r" % u.group(0))
    for tag in ("<svg", "<script", "<canvas", "<div", "<iframe", "<video",
                "<link"):
        if tag in low:
            bad.append("a %s> element" % tag)
    for m in re.finditer(r"(?is)<img\b[^>]*>", html):
        if not re.search(r"(?i)\salt\s*=", m.group(0)):
            bad.append("an <img> without alt: %s" % m.group(0)[:80])
        if re.search(r"(?i)src\s*=\s*\"?(?:https?:|//)", m.group(0)):
            bad.append("a remote image: %s" % m.group(0)[:80])
    for m in re.finditer(r"(?is)<table\b[^>]*>", html):
        if not re.search(r'(?i)\swidth\s*=\s*"\d+%?"', m.group(0)):
            bad.append("a table without a width: %s" % m.group(0)[:100])
    return bad
