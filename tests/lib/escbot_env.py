"""A throw-away escbot installation for integration tests and the demo.

EscbotEnv(tmpdir) starts a private Dovecot and an SMTP sink on random
127.0.0.1 ports, writes an escbot.conf in tmpdir that uses the repository's
rules, templates, directory and holiday file with a database in tmpdir, and
runs bot/escbot as a user would.
"""
import email.utils
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dovecot import Dovecot          # noqa: E402
from smtpsink import SmtpSink        # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
ESCBOT = os.path.join(REPO, "bot", "escbot")
MAILBOX = "wsabtraining@wigan.example.gov.uk"

CONFIG = """\
database = "{db}";
rules_dir = "{repo}/rules";
templates_dir = "{repo}/mail-templates";
directory = "{repo}/etc/partnerships";
holidays = "{repo}/etc/bank-holidays-england-wales.txt";
allowed_sender_domains = [ "example.gov.uk", "example.nhs.uk", "example.police.uk",
                           "example.org.uk", "example.sch.uk" ];
poll_interval = 5;
imap = {{ host = "127.0.0.1"; port = {imap_port}; tls = "none";
         user = "{user}"; password_file = "imap.secret"; folder = "INBOX";
         timeout = 10; }};
smtp = {{ url = "{smtp_url}"; starttls = false;
         from = "Safeguarding escalations <{mailbox}>"; timeout = 10;
         retry_min = 1; retry_max = 4; }};
{extra}
"""


class EscbotEnv:
    def __init__(self, tmpdir, extra_config=""):
        self.tmpdir = os.path.abspath(tmpdir)
        self.dovecot = Dovecot(self.tmpdir)
        self.sink = SmtpSink(self.tmpdir)
        self.extra_config = extra_config
        self.config = os.path.join(self.tmpdir, "escbot.conf")
        self.db = os.path.join(self.tmpdir, "escbot.db")
        self.log = os.path.join(self.tmpdir, "escbot.log")

    def start(self):
        self.dovecot.start()
        self.sink.start()
        secret = os.path.join(self.tmpdir, "imap.secret")
        with open(secret, "w") as f:
            f.write(self.dovecot.password + "\n")
        os.chmod(secret, 0o600)
        self.write_config()
        return self

    def write_config(self):
        with open(self.config, "w") as f:
            f.write(CONFIG.format(
                db=self.db, repo=REPO, imap_port=self.dovecot.port,
                user=self.dovecot.user, smtp_url=self.sink.url,
                mailbox=MAILBOX, extra=self.extra_config))

    def stop(self):
        for part in (self.sink, self.dovecot):
            try:
                part.stop()
            except Exception:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- running escbot

    def run(self, *args, now=None, check=True, timeout=120):
        # ESCBOT_WRAPPER runs escbot under a tool, e.g. valgrind
        # (make check-valgrind).
        wrapper = os.environ.get("ESCBOT_WRAPPER", "").split()
        argv = wrapper + [ESCBOT, "-c", self.config]
        if now:
            argv += ["--now", now]
        argv += list(args)
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout * (10 if wrapper else 1))
        with open(self.log, "a") as f:
            f.write("$ %s\n%s%s" % (" ".join(args), p.stdout, p.stderr))
        if check and p.returncode != 0:
            raise AssertionError("escbot %s exited %d\nstdout:\n%s\nstderr:\n%s"
                                 % (" ".join(args), p.returncode, p.stdout,
                                    p.stderr))
        return p

    def cases(self, all=False, now=None):
        args = ["cases", "--json"] + (["--all"] if all else [])
        return json.loads(self.run(*args, now=now).stdout)

    def case(self, ref, now=None):
        return json.loads(self.run("case", ref, "--json", now=now).stdout)

    # -- mail

    def deliver(self, raw, folder="INBOX"):
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        self.dovecot.append(folder, raw)


def wait_for(pred, timeout=20):
    """Poll pred() every 0.2 s until it is true (True) or timeout (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


def make_message(sender, subject, body, msgid=None, date=None, headers=None,
                 content_type="text/plain; charset=utf-8"):
    """A plain RFC 5322 message as bytes."""
    msgid = msgid or email.utils.make_msgid(domain="test.example")
    lines = [
        "From: %s" % sender,
        "To: %s" % MAILBOX,
        "Subject: %s" % subject,
        "Message-ID: %s" % msgid,
        "Date: %s" % (date or email.utils.formatdate(localtime=False)),
        "MIME-Version: 1.0",
        "Content-Type: %s" % content_type,
        "Content-Transfer-Encoding: 8bit",
    ]
    for k, v in (headers or {}).items():
        lines.append("%s: %s" % (k, v))
    text = "\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")
    return text.encode("utf-8")
