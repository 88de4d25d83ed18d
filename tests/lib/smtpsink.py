#!/usr/bin/python3
"""SMTP sink for escbot's tests, built on Debian's python3-aiosmtpd.

Run as its own process so that a test can stop, restart or SIGKILL it:

    /usr/bin/python3 tests/lib/smtpsink.py --port P --dir D
        [--host 127.0.0.1]
        [--tls-cert C --tls-key K (--implicit-tls | --starttls)]
        [--auth USER:PASS]
        [--reject RCPT=CODE ...]     # e.g. --reject bad@example.org=550
        [--tempfail-all]             # 451 to every RCPT
        [--data-reply CODE]          # refuse every message after its data
        [--mail-reply CODE]          # refuse every MAIL FROM (send-as denied)
        [--datacmd-reply CODE]       # refuse the DATA command itself

`--port 0` picks a free port.  When it is listening it prints one line,
"ready PORT", on stdout.  Every accepted delivery is stored in D as two
files with the same name stem (names sort in arrival order):
STEM.eml holds the message bytes exactly as received (after dot
un-stuffing) and STEM.json holds the envelope: mail_from, rcpt_tos,
auth_user, tls, data (the same bytes, decoded as UTF-8 with surrogateescape
so that nothing is lost).  The .json is renamed into place last, so its
presence means the delivery is complete.  SIGTERM or SIGINT stops it.

The SmtpSink class below starts, stops and restarts that process from a
test and reads back what arrived.  Only the standard library and aiosmtpd
are used; run everything with /usr/bin/python3.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import subprocess
import sys
import time

SINK_HOST = "127.0.0.1"
SYSTEM_PYTHON = "/usr/bin/python3"


# ---------------------------------------------------------------- server

class _Handler:
    def __init__(self, outdir, rejects, tempfail_all, data_reply,
                 mail_reply=None):
        self.outdir = outdir
        self.mail_reply = mail_reply
        self.rejects = rejects
        self.tempfail_all = tempfail_all
        self.data_reply = data_reply
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        if self.mail_reply:
            enh = "5.7.60" if self.mail_reply >= 500 else "4.3.0"
            return ("%d %s Client does not have permissions to send as "
                    "this sender (test sink)" % (self.mail_reply, enh))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if self.tempfail_all:
            return "451 4.3.0 Temporary failure (test sink)"
        code = self.rejects.get(address.lower())
        if code is not None:
            enh = "5.1.1" if code >= 500 else "4.2.1"
            return "%d %s <%s> refused by test sink" % (code, enh, address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            enh = "5.6.0" if self.data_reply >= 500 else "4.3.0"
            return "%d %s Message refused by test sink" % (
                self.data_reply, enh)
        data = envelope.original_content or b""
        tls = session.ssl is not None or (
            server.transport is not None
            and server.transport.get_extra_info("ssl_object") is not None)
        auth_user = None
        if session.authenticated and session.auth_data is not None:
            auth_user = session.auth_data
            if isinstance(auth_user, bytes):
                auth_user = auth_user.decode("utf-8", "replace")
        self.count += 1
        stem = "%020d-%d-%04d" % (time.time_ns(), os.getpid(), self.count)
        record = {
            "peer": list(session.peer) if session.peer else None,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": auth_user,
            "tls": bool(tls),
            "data": data.decode("utf-8", "surrogateescape"),
        }
        eml = os.path.join(self.outdir, stem + ".eml")
        with open(eml + ".tmp", "wb") as f:
            f.write(data)
        os.rename(eml + ".tmp", eml)
        js = os.path.join(self.outdir, stem + ".json")
        with open(js + ".tmp", "w", encoding="ascii") as f:
            json.dump(record, f, indent=1)
        os.rename(js + ".tmp", js)
        return "250 2.0.0 Message accepted for delivery"


def _make_authenticator(user, password):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = (auth_data.login == user.encode()
              and auth_data.password == password.encode())
        if ok:
            return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)
    return authenticator


def _parse_args(argv):
    ap = argparse.ArgumentParser(description="SMTP sink for tests")
    ap.add_argument("--host", default=SINK_HOST)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--implicit-tls", action="store_true")
    mode.add_argument("--starttls", action="store_true")
    ap.add_argument("--auth", metavar="USER:PASS")
    ap.add_argument("--reject", metavar="RCPT=CODE", action="append",
                    default=[])
    ap.add_argument("--tempfail-all", action="store_true")
    ap.add_argument("--data-reply", type=int, metavar="CODE")
    ap.add_argument("--mail-reply", type=int, metavar="CODE")
    ap.add_argument("--datacmd-reply", type=int, metavar="CODE")
    args = ap.parse_args(argv)
    for code in (args.mail_reply, args.datacmd_reply):
        if code is not None and not 400 <= code <= 599:
            ap.error("--mail-reply/--datacmd-reply want a 4xx or 5xx code")
    if args.data_reply is not None and not 400 <= args.data_reply <= 599:
        ap.error("--data-reply wants a 4xx or 5xx code")
    if (args.implicit_tls or args.starttls) and not (args.tls_cert
                                                     and args.tls_key):
        ap.error("--implicit-tls/--starttls need --tls-cert and --tls-key")
    if args.auth is not None and ":" not in args.auth:
        ap.error("--auth wants USER:PASS")
    rejects = {}
    for r in args.reject:
        addr, sep, code = r.rpartition("=")
        if not sep or not addr or not code.isdigit() \
                or not 400 <= int(code) <= 599:
            ap.error("--reject wants RCPT=CODE with a 4xx or 5xx code")
        rejects[addr.lower()] = int(code)
    args.rejects = rejects
    return args


def serve(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    from aiosmtpd.smtp import SMTP

    os.makedirs(args.dir, exist_ok=True)
    ctx = None
    if args.implicit_tls or args.starttls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
    handler = _Handler(args.dir, args.rejects, args.tempfail_all,
                       args.data_reply, args.mail_reply)
    kwargs = {"hostname": "sink.test", "decode_data": False}
    if args.starttls:
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.auth is not None:
        user, _, password = args.auth.partition(":")
        kwargs.update(authenticator=_make_authenticator(user, password),
                      auth_required=True, auth_require_tls=False)

    smtp_class = SMTP
    if args.datacmd_reply:
        code = args.datacmd_reply

        class RefusingData(SMTP):
            async def smtp_DATA(self, arg):
                # Refused before the 354, as a server refusing the sender
                # at DATA does.
                await self.push("%d %s Sending as this sender is not "
                                "allowed (test sink)"
                                % (code, "5.7.1" if code >= 500 else "4.3.0"))
        smtp_class = RefusingData

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: smtp_class(handler, loop=loop, **kwargs),
        host=args.host, port=args.port,
        ssl=ctx if args.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    print("ready %d" % port, flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
    return 0


# ---------------------------------------------------------------- client

class SmtpSink:
    """A sink process under a test's control.

    sink = SmtpSink(tmpdir, tls="starttls", cert=c, key=k, auth="u:p",
                    reject={"bad@x": 550}, tempfail_all=False,
                    data_reply=None, mail_reply=None, datacmd_reply=None)
    sink.start(); sink.url; sink.messages(); sink.stop(); sink.kill()
    sink.restart(tempfail_all=True)   # same port, options changed

    The first start takes a free port on 127.0.0.1; restarts keep it.
    """

    def __init__(self, tmpdir, tls=None, cert=None, key=None, auth=None,
                 reject=None, tempfail_all=False, data_reply=None,
                 mail_reply=None, datacmd_reply=None, start_timeout=15.0):
        if tls not in (None, "starttls", "implicit"):
            raise ValueError("tls must be None, 'starttls' or 'implicit'")
        self.tmpdir = tmpdir
        self.maildir = os.path.join(tmpdir, "smtpsink-mail")
        os.makedirs(self.maildir, exist_ok=True)
        self.tls, self.cert, self.key = tls, cert, key
        self.auth = auth
        self.reject = dict(reject or {})
        self.tempfail_all = tempfail_all
        self.data_reply = data_reply
        self.mail_reply = mail_reply
        self.datacmd_reply = datacmd_reply
        self.start_timeout = start_timeout
        self.port = 0
        self.proc = None
        self.runs = 0

    # -- lifecycle

    def _argv(self):
        argv = [SYSTEM_PYTHON, os.path.abspath(__file__),
                "--host", SINK_HOST, "--port", str(self.port),
                "--dir", self.maildir]
        if self.tls:
            argv += ["--tls-cert", self.cert, "--tls-key", self.key,
                     "--implicit-tls" if self.tls == "implicit"
                     else "--starttls"]
        if self.auth:
            argv += ["--auth", self.auth]
        for rcpt, code in sorted(self.reject.items()):
            argv += ["--reject", "%s=%d" % (rcpt, code)]
        if self.tempfail_all:
            argv.append("--tempfail-all")
        if self.data_reply:
            argv += ["--data-reply", str(self.data_reply)]
        if self.mail_reply:
            argv += ["--mail-reply", str(self.mail_reply)]
        if self.datacmd_reply:
            argv += ["--datacmd-reply", str(self.datacmd_reply)]
        return argv

    def start(self):
        if self.proc is not None:
            raise RuntimeError("smtp sink already running")
        self.runs += 1
        out = os.path.join(self.tmpdir, "smtpsink-%d.out" % self.runs)
        self.log = os.path.join(self.tmpdir, "smtpsink-%d.log" % self.runs)
        with open(out, "wb") as o, open(self.log, "wb") as e:
            self.proc = subprocess.Popen(self._argv(), stdout=o, stderr=e,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            with open(out, encoding="ascii", errors="replace") as f:
                line = f.readline()
            if line.startswith("ready ") and line.endswith("\n"):
                self.port = int(line.split()[1])
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self._reap(signal.SIGKILL)
        with open(self.log, encoding="utf-8", errors="replace") as f:
            raise RuntimeError("smtp sink did not start:\n" + f.read())

    def _reap(self, sig):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def stop(self):
        """SIGTERM and wait: the port is closed afterwards."""
        self._reap(signal.SIGTERM)

    def kill(self):
        """SIGKILL, as a crash would."""
        self._reap(signal.SIGKILL)

    def restart(self, **changes):
        """Stop, change options (tls, cert, key, auth, reject,
        tempfail_all, data_reply, mail_reply, datacmd_reply), start again
        on the same port."""
        self.stop()
        for k, v in changes.items():
            if k not in ("tls", "cert", "key", "auth", "reject",
                         "tempfail_all", "data_reply", "mail_reply",
                         "datacmd_reply"):
                raise TypeError("unknown option %r" % k)
            setattr(self, k, dict(v or {}) if k == "reject" else v)
        return self.start()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- addresses

    @property
    def url(self):
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        return "%s://%s:%d" % (scheme, SINK_HOST, self.port)

    # -- what arrived

    def deliveries(self):
        """Envelope records (dicts) in arrival order."""
        out = []
        for name in sorted(os.listdir(self.maildir)):
            if name.endswith(".json"):
                with open(os.path.join(self.maildir, name),
                          encoding="ascii") as f:
                    rec = json.load(f)
                rec["raw"] = rec["data"].encode("utf-8", "surrogateescape")
                rec["file"] = os.path.join(self.maildir, name[:-5] + ".eml")
                out.append(rec)
        return out

    def messages(self, rcpt=None):
        """Parsed messages (email.message.EmailMessage) in arrival order,
        each with attributes mail_from, rcpt_tos, auth_user, tls, raw.
        With rcpt, only those whose envelope includes that address."""
        msgs = []
        for rec in self.deliveries():
            if rcpt is not None and rcpt.lower() not in [
                    r.lower() for r in rec["rcpt_tos"]]:
                continue
            msg = email.message_from_bytes(rec["raw"],
                                           policy=email.policy.default)
            msg.mail_from = rec["mail_from"]
            msg.rcpt_tos = rec["rcpt_tos"]
            msg.auth_user = rec["auth_user"]
            msg.tls = rec["tls"]
            msg.raw = rec["raw"]
            msgs.append(msg)
        return msgs

    def wait_for(self, count, timeout=10.0, rcpt=None):
        """Wait until at least count messages arrived; return them."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages(rcpt)
            if len(msgs) >= count or time.monotonic() >= deadline:
                return msgs
            time.sleep(0.05)

    def clear(self):
        for name in os.listdir(self.maildir):
            os.unlink(os.path.join(self.maildir, name))


if __name__ == "__main__":
    sys.exit(serve())
