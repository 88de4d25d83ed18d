"""A private Dovecot IMAP server for the integration tests.

    d = Dovecot(tmpdir, tls=None | "implicit" | "starttls",
                cert=PEM_PATH, key=PEM_PATH)
    d.start()               # returns once 127.0.0.1:d.port accepts
    d.append("INBOX", b"From: ...\\r\\n\\r\\nbody\\r\\n")
    d.list("INBOX")         # -> [raw bytes, ...] in UID order
    d.uids("INBOX")         # -> [1, 2, ...]
    d.store("INBOX", 2, r"(\\Deleted)")
    d.folders()             # -> ["INBOX", "Processed", ...]
    d.stop(); d.restart()

Everything lives under tmpdir/dovecot: configuration, base_dir, state_dir,
log (dovecot.log), a passwd-file with one user (d.user / d.password) and
the Maildirs.  Dovecot runs in the foreground (`dovecot -F -c conf`) on a
free port of 127.0.0.1.  It refuses to store mail as root, so the mail is
owned by the `mail` user when the tests run as root, else by the caller.
The helper methods talk IMAP with the standard library's imaplib and do
not verify the test server's certificate: they are not what is tested.
"""

import imaplib
import os
import pwd
import grp
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

DOVECOT = "/usr/sbin/dovecot"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    user = "escbot"
    password = "s3cret pa$$ \"word\""

    def __init__(self, tmpdir, tls=None, cert=None, key=None, port=None,
                 imap_capability=None, sni=None):
        if tls not in (None, "none", "implicit", "starttls"):
            raise ValueError("tls must be None, 'implicit' or 'starttls'")
        self.tls = None if tls == "none" else tls
        if self.tls and not (cert and key):
            raise ValueError("TLS needs cert and key")
        self.cert = cert
        self.key = key
        # e.g. "IMAP4rev1 LITERAL+ UIDPLUS": what is advertised after
        # login, to exercise the paths for servers without MOVE/UIDPLUS.
        self.imap_capability = imap_capability
        # {"localhost": (cert, key)}: served to clients asking for that
        # name with SNI; the others get cert/key.
        self.sni = sni or {}
        self.dir = os.path.join(os.path.abspath(tmpdir), "dovecot")
        self.port = port or free_port()
        self.proc = None
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.log = os.path.join(self.dir, "dovecot.log")
        self._setup()

    # --- configuration -------------------------------------------------

    def _ids(self):
        if os.geteuid() == 0:
            mail = pwd.getpwnam("mail")
            login = "dovenull"
            internal = "dovecot"
            try:
                pwd.getpwnam(login)
                pwd.getpwnam(internal)
            except KeyError:
                login = internal = "mail"
            return mail.pw_uid, mail.pw_gid, login, internal
        me = pwd.getpwuid(os.geteuid()).pw_name
        return os.geteuid(), os.getegid(), me, me

    def _setup(self):
        uid, gid, login_user, internal_user = self._ids()
        self.uid, self.gid = uid, gid
        for sub in ("", "run", "state", "mail", "home"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        # Dovecot's unprivileged processes (mail, auth) must be able to
        # walk down to the Maildirs and the passwd-file: give search
        # permission on every directory of ours above them (mkdtemp makes
        # them 0700).
        # Only directories under the system temporary directory are
        # changed; anywhere else the caller has to choose a reachable one.
        if os.geteuid() == 0:
            top = os.path.realpath(tempfile.gettempdir())
            d = os.path.realpath(self.dir)
            while True:
                st = os.stat(d)
                if st.st_mode & 0o011 != 0o011:
                    if st.st_uid != os.geteuid() or \
                            not d.startswith(top + os.sep):
                        raise RuntimeError(
                            "%s is not searchable by the mail user; use a "
                            "directory under %s" % (d, top))
                    os.chmod(d, (st.st_mode & 0o7777) | 0o011)
                parent = os.path.dirname(d)
                if parent == d:
                    break
                d = parent
        for sub in ("mail", "home"):
            os.chown(os.path.join(self.dir, sub), uid, gid)
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            f.write("%s:{PLAIN}%s::::::\n" % (self.user, self.password))
        os.chmod(passwd, 0o644)

        if self.tls == "implicit":
            ssl_mode, imap_port, imaps_port = "yes", 0, self.port
        elif self.tls == "starttls":
            ssl_mode, imap_port, imaps_port = "yes", self.port, 0
        else:
            ssl_mode, imap_port, imaps_port = "no", self.port, 0
        d = self.dir
        lines = [
            "base_dir = %s/run" % d,
            "state_dir = %s/state" % d,
            "instance_name = escbot-test-%d" % self.port,
            "log_path = %s" % self.log,
            "info_log_path = %s" % self.log,
            "protocols = imap",
            "listen = 127.0.0.1",
            "ssl = %s" % ssl_mode,
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login",
            "auth_failure_delay = 0",
            "default_login_user = %s" % login_user,
            "default_internal_user = %s" % internal_user,
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "mail_uid = %d" % uid,
            "mail_gid = %d" % gid,
            "mail_location = maildir:%s/mail/%%u" % d,
            "passdb {",
            "  driver = passwd-file",
            "  args = scheme=PLAIN username_format=%%u %s" % passwd,
            "}",
            "userdb {",
            "  driver = static",
            "  args = uid=%d gid=%d home=%s/home/%%u" % (uid, gid, d),
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            "    port = %d" % imap_port,
            "  }",
            "  inet_listener imaps {",
            "    port = %d" % imaps_port,
            "    ssl = yes",
            "  }",
            "}",
        ]
        if os.geteuid() != 0:
            lines += ["service imap-login {", "  chroot =", "}",
                      "service auth {", "  user = $default_internal_user",
                      "}"]
        if self.imap_capability:
            lines += ["protocol imap {",
                      "  imap_capability = %s" % self.imap_capability,
                      "}"]
        if self.tls:
            lines += ["ssl_cert = <%s" % self.cert,
                      "ssl_key = <%s" % self.key]
            for name, (cert, key) in sorted(self.sni.items()):
                lines += ["local_name %s {" % name,
                          "  ssl_cert = <%s" % cert,
                          "  ssl_key = <%s" % key,
                          "}"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    # --- process ---------------------------------------------------------

    def start(self, timeout=15):
        if self.proc is not None:
            return
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace")
                self.proc = None
                raise RuntimeError("dovecot exited:\n%s\n%s"
                                   % (out, self.read_log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("dovecot did not listen on port %d:\n%s"
                           % (self.port, self.read_log()))

    def stop(self, timeout=10):
        if self.proc is None:
            return
        # The master shuts its children down; the process group is only
        # killed when it does not.
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.proc.stdout.close()
        self.proc = None
        # Until the port is free again a restart would fail.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=0.2):
                    pass
            except OSError:
                return
            time.sleep(0.05)

    def restart(self):
        self.stop()
        self.start()

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- IMAP helpers ----------------------------------------------------

    def _connect(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if self.tls == "implicit":
            m = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=ctx,
                                  timeout=10)
        else:
            m = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
            if self.tls == "starttls":
                m.starttls(ssl_context=ctx)
        m.login(self.user, self.password)
        return m

    @staticmethod
    def _check(typ, data, what):
        if typ != "OK":
            raise RuntimeError("%s: %s %r" % (what, typ, data))
        return data

    @staticmethod
    def _quote(name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def append(self, folder, raw):
        if isinstance(raw, str):
            raw = raw.encode()
        m = self._connect()
        try:
            if folder not in self._folders(m):
                self._check(*m.create(self._quote(folder)), "CREATE")
            self._check(*m.append(self._quote(folder), None, None, raw),
                        "APPEND")
        finally:
            m.logout()

    def list(self, folder):
        """The raw messages in `folder`, in UID order ([] if none)."""
        m = self._connect()
        try:
            if folder not in self._folders(m):
                return []
            self._check(*m.select(self._quote(folder), readonly=True),
                        "SELECT")
            data = self._check(*m.uid("SEARCH", None, "ALL"), "SEARCH")
            uids = sorted(int(u) for u in data[0].split())
            out = []
            for uid in uids:
                data = self._check(*m.uid("FETCH", str(uid),
                                          "(BODY.PEEK[])"), "FETCH")
                for item in data:
                    if isinstance(item, tuple):
                        out.append(item[1])
                        break
            return out
        finally:
            m.logout()

    def uids(self, folder):
        """The UIDs in `folder` ([] if it does not exist)."""
        m = self._connect()
        try:
            if folder not in self._folders(m):
                return []
            self._check(*m.select(self._quote(folder), readonly=True),
                        "SELECT")
            data = self._check(*m.uid("SEARCH", None, "ALL"), "SEARCH")
            return sorted(int(u) for u in data[0].split())
        finally:
            m.logout()

    def store(self, folder, uid, flags):
        """Add flags, e.g. store("INBOX", 3, r"(\\Deleted)")."""
        m = self._connect()
        try:
            self._check(*m.select(self._quote(folder)), "SELECT")
            self._check(*m.uid("STORE", str(uid), "+FLAGS", flags),
                        "STORE")
        finally:
            m.logout()

    def folders(self):
        m = self._connect()
        try:
            return self._folders(m)
        finally:
            m.logout()

    _LIST_RE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"[^"]*"|NIL) '
                          rb'(?P<name>.*)$')

    def _folders(self, m):
        data = self._check(*m.list(), "LIST")
        names = []
        for line in data:
            if isinstance(line, tuple):  # name sent as a literal
                names.append(line[1].decode())
                continue
            mo = self._LIST_RE.match(line or b"")
            if not mo:
                continue
            name = mo.group("name").decode()
            if name.startswith('"') and name.endswith('"'):
                name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            names.append(name)
        return names

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
