"""The daemon and its workers (bot/worker.h): mail is sent and tokens
fetched in child processes that load bot/escbot-net.so, Word files read in
ones that load bot/escbot-docx.so (no network library), so the
long-running daemon never maps libcurl, libzip or libxml2; an installed
escbot finds its plugins; a missing plugin is a clear error that loses
nothing."""
import base64
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import (ESCBOT, EscbotEnv, make_message,  # noqa: E402
                        wait_for)
from smtpsink import SmtpSink                                  # noqa: E402
from guarantees_kit import EnvTestCase                         # noqa: E402
import forms_fixtures as F                                     # noqa: E402
from install_kit import build_and_install                      # noqa: E402

NOW = "2026-12-01T10:00:00Z"
HEAVY = ("libcurl", "libxml2", "libzip", "libssh2", "libcrypto",
         "escbot-net.so")



def acks(env):
    """The acknowledgements sent (each case also tells its stage's people)."""
    return [m for m in env.sink.messages() if "Received" in m["Subject"]]

class Worker(EnvTestCase):
    def setUp(self):
        self.env = self.make_env()
        self.tmpdir = self.env.tmpdir

    def start_daemon(self, errlog):
        with open(errlog, "w") as err:
            proc = subprocess.Popen([ESCBOT, "-c", self.env.config, "run"],
                                    stdout=subprocess.DEVNULL, stderr=err)
        self.addCleanup(lambda: proc.poll() is None and
                        (proc.kill(), proc.wait()))
        return proc

    def form(self, ref="TW-70001"):
        return make_message("casey@telford.example.gov.uk", "Referral",
                            F.TWSP_INLINE.replace("TW-48213", ref))

    def test_daemon_never_maps_the_network_and_document_libraries(self):
        env = self.env
        errlog = os.path.join(self.tmpdir, "daemon.err")
        proc = self.start_daemon(errlog)
        env.deliver(self.form())
        if not wait_for(lambda: env.sink.messages()):
            with open(errlog) as f:
                self.fail("no acknowledgement:\n" + f.read())
        # The acknowledgement went out through a worker; the daemon
        # itself has none of those libraries mapped, before or after.
        with open("/proc/%d/maps" % proc.pid) as f:
            maps = f.read()
        for lib in HEAVY:
            self.assertNotIn(lib, maps)
        self.assertIn("libetpan", maps)
        # (What that saves in memory is a figure for make bench.)
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=15), 0)

    def test_a_batch_shares_one_connection_and_a_refusal_only_ends_it(self):
        """The worker sends a batch over one SMTP connection (one TLS
        handshake and login); a recipient refused for good closes it, and
        the rest of the batch goes over a new one."""
        tmp = tempfile.TemporaryDirectory(prefix="escbot-worker-")
        self.addCleanup(tmp.cleanup)
        env = EscbotEnv(tmp.name)
        env.sink = SmtpSink(env.tmpdir,
                            reject={"blake@wigan.example.gov.uk": 550})
        env.start()
        self.addCleanup(env.stop)
        senders = ["casey@telford.example.gov.uk",
                   "blake@wigan.example.gov.uk",
                   "drew@wwl.example.nhs.uk",
                   "eli@gmp.example.police.uk"]
        for i, sender in enumerate(senders):
            env.deliver(make_message(sender, "Referral", F.TWSP_INLINE
                                     .replace("TW-48213", "TW-7100%d" % i)
                                     .replace("Alex Example",
                                              "Alex Example%d" % i)))
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(now=NOW)), 4)
        port = {}
        for d in env.sink.deliveries():
            for r in d["rcpt_tos"]:
                port[r] = d["peer"][1]
        self.assertNotIn("blake@wigan.example.gov.uk", port)
        self.assertEqual(port["drew@wwl.example.nhs.uk"],
                         port["eli@gmp.example.police.uk"])
        self.assertNotEqual(port["casey@telford.example.gov.uk"],
                            port["drew@wwl.example.nhs.uk"])
        out = env.run("outbox", "--all", now=NOW).stdout
        self.assertIn("blake@wigan.example.gov.uk", out)
        self.assertIn("550", out)

    def test_missing_plugin_is_a_clear_error_and_loses_nothing(self):
        env = self.env
        bindir = os.path.join(self.tmpdir, "bin")
        os.makedirs(bindir)
        lonely = os.path.join(bindir, "escbot")
        shutil.copy(ESCBOT, lonely)
        env.deliver(self.form())
        word = F.docx_message("twsp-referral.docx", "docx-w1@x")
        env.deliver(word)
        p = subprocess.run([lonely, "-c", env.config, "--now", NOW, "run",
                            "--once"], capture_output=True, text=True,
                           timeout=60)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("cannot load escbot-net.so", p.stderr)
        self.assertEqual(env.sink.messages(), [])
        # The pasted form's case is open and its acknowledgement waits in
        # the outbox; the Word form, which could not be read, waits in the
        # inbox (not refused: it is not the document's fault).
        self.assertEqual(len(env.cases(now=NOW)), 1)
        out = env.run("outbox", now=NOW).stdout
        self.assertIn("pending", out)
        self.assertEqual(len(env.dovecot.uids("INBOX")), 1)
        self.assertEqual(env.dovecot.list("Rejected"), [])
        # With the plugin in place both are done, once.
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(now=NOW)), 2)
        self.assertEqual(len(acks(env)), 2)
        sent = len(env.sink.messages())
        self.assertEqual(len(env.dovecot.uids("INBOX")), 0)
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.sink.messages()), sent)

    def test_word_reader_without_its_plugin_waits_and_loses_nothing(self):
        """escbot-docx.so missing (escbot-net.so beside the binary): the
        pasted form is done, the Word form waits in the inbox, not
        refused, and is read once the plugin is back."""
        env = self.env
        bindir = os.path.join(self.tmpdir, "bin")
        os.makedirs(bindir)
        lonely = os.path.join(bindir, "escbot")
        shutil.copy(ESCBOT, lonely)
        shutil.copy(os.path.join(os.path.dirname(ESCBOT), "escbot-net.so"),
                    bindir)
        env.deliver(self.form())
        env.deliver(F.docx_message("twsp-referral.docx", "docx-w2@x"))
        p = subprocess.run([lonely, "-c", env.config, "--now", NOW, "run",
                            "--once"], capture_output=True, text=True,
                           timeout=60)
        self.assertIn("cannot load escbot-docx.so", p.stderr)
        self.assertNotIn("cannot load escbot-net.so", p.stderr)
        self.assertEqual(len(env.cases(now=NOW)), 1)
        self.assertEqual(len(acks(env)), 1)
        self.assertEqual(len(env.dovecot.uids("INBOX")), 1)
        self.assertEqual(env.dovecot.list("Rejected"), [])
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(now=NOW)), 2)
        self.assertEqual(len(env.dovecot.uids("INBOX")), 0)

    def test_word_reader_plugin_links_no_network_library(self):
        """A child reading a document maps libzip and libxml2, not
        libcurl and the TLS, Kerberos, LDAP and SSH libraries it pulls
        in: less code beside a hostile document, and a faster start."""
        docx_so = os.path.join(os.path.dirname(ESCBOT), "escbot-docx.so")
        out = subprocess.run(["readelf", "-d", docx_so], capture_output=True,
                             text=True, check=True).stdout
        needed = sorted(l.split("[")[1].split("]")[0]
                        for l in out.splitlines() if "(NEEDED)" in l)
        self.assertIn("libzip.so.4", needed)
        self.assertIn("libxml2.so.2", needed)
        for lib in needed:
            for heavy in ("libcurl", "libssh", "libgnutls", "libldap",
                          "libgssapi", "libnghttp"):
                self.assertNotIn(heavy, lib)

    def test_installed_escbot_finds_its_plugin(self):
        env = self.env
        dest = os.path.join(self.tmpdir, "dest")
        # From a copy: an install with another PREFIX rebuilds objects,
        # and the tree under test must stay as it was built.
        build_and_install(os.path.join(self.tmpdir, "src"), dest,
                          prefix="/opt/escbot")
        installed = os.path.join(dest, "opt", "escbot", "sbin", "escbot")
        for so in ("escbot-net.so", "escbot-docx.so"):
            self.assertTrue(os.path.exists(os.path.join(
                dest, "opt", "escbot", "lib", "escbot", so)))
        env.deliver(self.form())
        env.deliver(F.docx_message("twsp-referral.docx", "docx-w3@x"))
        p = subprocess.run([installed, "-c", env.config, "--now", NOW, "run",
                            "--once"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(acks(env)), 2)

    def test_a_word_file_that_expands_hugely_is_refused_with_its_reason(self):
        """A .docx of 400 KB whose document part inflates to 23 MB (a
        compression ratio of about 57, under docx_ratio) is over the 16 MiB
        docx_unpacked_size default: refused unread, its sender told why,
        and no process of escbot's grows large over it."""
        env = self.env
        rnd = random.Random(7)
        body = "".join("<w:p><w:r><w:t>%s%s</w:t></w:r></w:p>"
                       % (rnd.choice("ab"), rnd.choice("ab"))
                       for _ in range(24 * 1024 * 1024 // 38))
        xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<w:document xmlns:w="http://schemas.openxmlformats.org/'
               'wordprocessingml/2006/main"><w:body>%s</w:body>'
               '</w:document>' % body)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml",
                       '<?xml version="1.0"?><Types xmlns="http://schemas.'
                       'openxmlformats.org/package/2006/content-types"/>')
            z.writestr("word/document.xml", xml)
        docx = buf.getvalue()
        self.assertGreater(len(xml), 16 * 1024 * 1024)
        self.assertLess(len(docx), 1024 * 1024)
        self.assertLess(len(xml) / len(docx), 100)
        b64 = base64.encodebytes(docx).decode().replace("\n", "\r\n")
        env.deliver(
            "From: casey@telford.example.gov.uk\r\nTo: box@x\r\n"
            "Subject: Referral form attached\r\n"
            "Message-ID: <bomb-1@x>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nThe form.\r\n"
            "--b\r\nContent-Type: application/vnd.openxmlformats-"
            "officedocument.wordprocessingml.document\r\n"
            "Content-Disposition: attachment; filename=referral.docx\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s--b--\r\n" % b64)
        # escbot run through a parent that reports the peak resident size
        # of all its descendants (Linux passes a reaped child's up).
        measure = ("import resource, subprocess, sys\n"
                   "p = subprocess.run(sys.argv[1:])\n"
                   "print(resource.getrusage(resource.RUSAGE_CHILDREN)"
                   ".ru_maxrss, file=sys.stderr)\n"
                   "sys.exit(p.returncode)\n")
        p = subprocess.run([sys.executable, "-c", measure, ESCBOT, "-c",
                            env.config, "--now", NOW, "run", "--once"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        peak_kib = int(p.stderr.strip().splitlines()[-1])
        self.assertLess(peak_kib, 200 * 1024, p.stderr)
        replies = env.sink.messages(rcpt="casey@telford.example.gov.uk")
        self.assertEqual(len(replies), 1)
        text = replies[0].get_body(("plain",)).get_content()
        self.assertIn("larger than 16777216 bytes when unpacked", text)
        self.assertEqual(env.cases(all=True, now=NOW), [])
        # The daemon's next pass is a normal one.
        env.deliver(self.form())
        env.run("run", "--once", now=NOW)
        self.assertEqual(len(env.cases(now=NOW)), 1)


if __name__ == "__main__":
    unittest.main()
