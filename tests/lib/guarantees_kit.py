"""Helpers for tests/integration/test_guarantees.py and test_outages.py.

    env = GuaranteeEnv(tmpdir, sink_delay=0.2,
                       overrides={"retry_min = 1;": "retry_min = 60;"}).start()
    census(env.dovecot)            # {"INBOX": [raw, ...], "Processed": [...]}
    db_rows(env.db, "SELECT ...")  # read-only look at escbot's database
    d = Daemon(env); d.start(); d.wait_log("started"); d.terminate()
    twsp_inline("TW-1001", "Pat Sample")  # a form body with its own ref/name
    change_uidvalidity(env.dovecot)        # the server renumbers INBOX

Nothing here changes escbot; it drives bot/escbot like an administrator and
looks at what reached the mailbox, the SMTP sink and the database.
"""
import asyncio
import atexit
import email
import email.policy
import glob
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import escbot_env                                              # noqa: E402
from escbot_env import EscbotEnv, MAILBOX, make_message        # noqa: E402,F401
from loopproxy import LoopProxy                                # noqa: E402
from smtpsink import SmtpSink                                  # noqa: E402
import forms_fixtures as F                                     # noqa: E402

SLOW_SINK = os.path.join(HERE, "slowsmtpsink.py")

# ESCBOT_BIN=/path/to/escbot runs these tests against another build (a
# copy that a concurrent `make` cannot replace mid-test).
if os.environ.get("ESCBOT_BIN"):
    escbot_env.ESCBOT = os.path.abspath(os.environ["ESCBOT_BIN"])
ESCBOT = escbot_env.ESCBOT

# Servers and daemons started here and not yet stopped: stopped at exit
# too, so that an interrupted run (SIGINT, or SIGTERM from a time limit)
# leaves no Dovecot, sink or escbot behind.
_LIVE = []


def _stop_live():
    for thing in reversed(list(_LIVE)):
        try:
            thing.kill() if isinstance(thing, Daemon) else thing.stop()
        except Exception:
            pass


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


atexit.register(_stop_live)
if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
    signal.signal(signal.SIGTERM, _on_sigterm)


class SlowSmtpSink(SmtpSink):
    """SmtpSink whose server waits `delay` seconds before answering DATA
    (after it has stored the message)."""

    def __init__(self, tmpdir, delay=0.0, **kw):
        super().__init__(tmpdir, **kw)
        self.delay = delay

    def _argv(self):
        argv = super()._argv()
        argv[1] = SLOW_SINK
        return argv + ["--delay", "%g" % self.delay]


class LatencyProxy(LoopProxy):
    """A TCP forwarder on 127.0.0.1 that holds every chunk the server sends
    for `delay` seconds: escbot's IMAP conversation slows down evenly, so
    a kill lands between its fetches, commits and moves rather than after
    all of them."""

    NAME = "latency proxy"

    def __init__(self, target_port, delay):
        super().__init__(target_port)
        self.delay = delay

    async def _pipe(self, reader, writer, delay):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if delay:
                    await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def _handle(self, creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection(
                "127.0.0.1", self.target_port)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(self._pipe(creader, swriter, 0),
                             self._pipe(sreader, cwriter, self.delay))



class GuaranteeEnv(EscbotEnv):
    """EscbotEnv with an optional slow sink, an optional IMAP latency
    proxy between escbot and Dovecot (imap_latency seconds per server
    chunk) and textual config overrides ({old: new} replacements applied
    to the generated escbot.conf; each old text must be present)."""

    def __init__(self, tmpdir, sink_delay=None, overrides=None,
                 extra_config="", imap_latency=None):
        super().__init__(tmpdir, extra_config=extra_config)
        if sink_delay is not None:
            self.sink = SlowSmtpSink(self.tmpdir, delay=sink_delay)
        self.overrides = dict(overrides or {})
        self.proxy = None
        if imap_latency is not None:
            self.proxy = LatencyProxy(self.dovecot.port, imap_latency)

    def start(self):
        _LIVE.append(self)
        if self.proxy is not None:
            self.proxy.start()
        return super().start()

    def stop(self):
        super().stop()
        if self.proxy is not None:
            self.proxy.stop()
        if self in _LIVE:
            _LIVE.remove(self)

    def write_config(self):
        super().write_config()
        overrides = dict(self.overrides)
        if self.proxy is not None:
            overrides["port = %d;" % self.dovecot.port] = \
                "port = %d;" % self.proxy.port
        if not overrides:
            return
        with open(self.config) as f:
            text = f.read()
        for old, new in overrides.items():
            if old not in text:
                raise AssertionError("config override: %r not in %s"
                                     % (old, self.config))
            text = text.replace(old, new)
        with open(self.config, "w") as f:
            f.write(text)

    def argv(self, *args, now=None):
        argv = [ESCBOT, "-c", self.config]
        if now:
            argv += ["--now", now]
        return argv + list(args)


# ------------------------------------------------------------ the mailbox

def census(dovecot, folders=None):
    """Every message of every folder: {folder: [raw bytes, ...]}."""
    names = folders or dovecot.folders()
    return {name: dovecot.list(name) for name in names}


def census_total(c):
    return sum(len(v) for v in c.values())


def message_id_of(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return (msg.get("Message-ID") or "").strip()


def uidvalidity(dovecot, folder="INBOX"):
    m = dovecot._connect()
    try:
        typ, data = m.select(dovecot._quote(folder), readonly=True)
        if typ != "OK":
            raise RuntimeError("SELECT %s: %r" % (folder, data))
        typ, data = m.response("UIDVALIDITY")
        return int(data[0])
    finally:
        m.logout()


def change_uidvalidity(dovecot):
    """Make Dovecot renumber INBOX, as a server restored from a backup or
    migrated does: stop it, forget INBOX's UID list and indexes (the
    Maildir files stay), start it again.  Returns (old, new)."""
    old = uidvalidity(dovecot)
    # Dovecot derives a new UIDVALIDITY from the clock: make sure a second
    # has passed since the old one was made.
    time.sleep(1.1)
    dovecot.stop()
    root = os.path.join(dovecot.dir, "mail", dovecot.user)
    removed = 0
    for pattern in ("dovecot-uidlist", "dovecot.index*",
                    "dovecot-uidvalidity*"):
        for path in glob.glob(os.path.join(root, pattern)):
            os.unlink(path)
            removed += 1
    dovecot.start()
    new = uidvalidity(dovecot)
    if new == old:
        raise AssertionError("UIDVALIDITY did not change (%d)" % old)
    return old, new


def move_all(dovecot, src, dst="INBOX"):
    """IMAP MOVE every message of src to dst (new UIDs there)."""
    m = dovecot._connect()
    try:
        dovecot._check(*m.select(dovecot._quote(src)), "SELECT")
        data = dovecot._check(*m.uid("SEARCH", None, "ALL"), "SEARCH")
        uids = [u.decode() for u in data[0].split()]
        if uids:
            dovecot._check(*m.uid("MOVE", ",".join(uids),
                                  dovecot._quote(dst)), "MOVE")
        return len(uids)
    finally:
        m.logout()


# ------------------------------------------------------------ the database

def db_rows(db, sql, args=()):
    """Rows of a read-only query on escbot's database (only while no
    escbot writes, or through WAL while one does)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def case_emails(env, ref, now=None):
    """The emails of a case from `case REF --json`: its "emails" list
    (older builds listed them under "actions")."""
    detail = env.case(ref, now=now)
    if "emails" in detail:
        return detail["emails"]
    return [a for a in detail.get("actions", []) if "email" in a]


# ------------------------------------------------------------ the daemon

class Daemon:
    """`escbot run` as a service manager would run it; stderr goes to a
    file that the test reads."""

    def __init__(self, env, *extra, now=None, name="daemon"):
        self.env = env
        self.argv = env.argv("run", *extra, now=now)
        self.err_path = os.path.join(env.tmpdir, "%s.stderr" % name)
        self.out_path = os.path.join(env.tmpdir, "%s.stdout" % name)
        self.proc = None

    def start(self):
        _LIVE.append(self)
        with open(self.err_path, "wb") as e, open(self.out_path, "wb") as o:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=o, stderr=e,
                                         start_new_session=True)
        return self

    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_log(self, pattern, timeout=15.0, count=1):
        """Wait until `pattern` (regex) occurs `count` times in stderr."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            text = self.stderr()
            if len(rx.findall(text)) >= count:
                return text
            if self.proc.poll() is not None:
                raise AssertionError("escbot run exited %s before %r:\n%s"
                                     % (self.proc.returncode, pattern, text))
            if time.monotonic() >= deadline:
                raise AssertionError("no %r in escbot's log after %.0f s:\n%s"
                                     % (pattern, timeout, text))
            time.sleep(0.05)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout=10.0):
        """SIGTERM; returns (exit status, seconds it took)."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        return rc, time.monotonic() - t0

    def kill(self):
        """Cleanup: SIGKILL if it still runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self in _LIVE:
            _LIVE.remove(self)


def wait_until(pred, timeout=15.0, step=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(step)


# ------------------------------------------------------------ forms

def twsp_inline(client_ref, name):
    """TWSP_INLINE with its own client reference and person, so it opens
    its own case (TWSP matches forms to cases by client_ref)."""
    return F.TWSP_INLINE.replace("TW-48213", client_ref) \
                        .replace("Alex Example", name) \
                        .replace("for Alex;", "for %s;" % name.split()[0])


def twsp_lines(client_ref, name):
    return F.TWSP_LINES.replace("TW-50991", client_ref) \
                       .replace("Morgan Placeholder", name)


def wsab_lines(name):
    return F.WSAB_LINES.replace("Jamie Testperson", name) \
                       .replace("Jamie may", "%s may" % name.split()[0])


def twsp_missing(client_ref):
    return F.TWSP_MISSING.replace("TW-77777", client_ref)


def parse_iso(s):
    """'2026-10-28T17:00:00+00:00' -> aware datetime."""
    import datetime
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


# ------------------------------------------------------------ test base

class EnvTestCase(unittest.TestCase):
    """A TestCase whose environments, daemons and temporary folders are
    cleaned up whatever happens."""

    def make_env(self, **kw):
        tmp = tempfile.TemporaryDirectory(prefix="escbot-guar-")
        self.addCleanup(tmp.cleanup)
        env = GuaranteeEnv(tmp.name, **kw)
        self.addCleanup(env.stop)
        env.start()
        return env

    def daemon(self, env, *extra, now=None):
        d = Daemon(env, *extra, now=now)
        self.addCleanup(d.kill)
        return d.start()

    def assertOneMessageIdPerMail(self, sink):
        """Each distinct email (recipient + subject) went out under one
        Message-ID however often it was delivered: a resend is the same
        outbox entry, never a second one."""
        ids = {}
        for m in sink.messages():
            for r in m.rcpt_tos:
                ids.setdefault((r.lower(), str(m["Subject"])), set()).add(
                    str(m["Message-ID"]))
        bad = {k: v for k, v in ids.items() if len(v) != 1}
        self.assertEqual(bad, {}, "one email, several Message-IDs")
