"""Throw-away certificates for the integration tests.

make_certs(directory) uses the `openssl` command line (Debian package
`openssl`) to write, all in PEM:

  ca.pem                 a test CA (the file to give as ca_file)
  server.pem / .key      signed by the CA for localhost and 127.0.0.1
  wrongname.pem / .key   signed by the CA for wrong.example only
  selfsigned.pem / .key  self-signed for localhost and 127.0.0.1 (not
                         trusted by anyone: the "bad" certificate)

and returns a Certs object with those paths as attributes.
"""

import os
import subprocess

OPENSSL = "openssl"


class Certs:
    def __init__(self, directory):
        self.dir = directory
        p = lambda name: os.path.join(directory, name)
        self.ca = p("ca.pem")
        self.ca_key = p("ca.key")
        self.server_cert = p("server.pem")
        self.server_key = p("server.key")
        self.wrongname_cert = p("wrongname.pem")
        self.wrongname_key = p("wrongname.key")
        self.selfsigned_cert = p("selfsigned.pem")
        self.selfsigned_key = p("selfsigned.key")


def _run(args, cwd):
    r = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (" ".join(args), r.stdout))


def _ext_file(directory, name, lines):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _leaf(directory, name, cn, san, ca):
    """A key and a certificate for `san`, signed by `ca` (a Certs) or
    self-signed when ca is None."""
    key = os.path.join(directory, name + ".key")
    cert = os.path.join(directory, name + ".pem")
    ext = _ext_file(directory, name + ".ext", [
        "basicConstraints = critical, CA:FALSE",
        "keyUsage = critical, digitalSignature, keyEncipherment",
        "extendedKeyUsage = serverAuth",
        "subjectAltName = " + san,
    ])
    if ca is None:
        _run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
              "-keyout", key, "-out", cert, "-days", "2",
              "-subj", "/CN=" + cn, "-extensions", "v3",
              "-config", _ext_file(directory, name + ".cnf", [
                  "[req]", "distinguished_name = dn", "[dn]", "[v3]",
                  "basicConstraints = critical, CA:FALSE",
                  "keyUsage = critical, digitalSignature, keyEncipherment",
                  "extendedKeyUsage = serverAuth",
                  "subjectAltName = " + san])], directory)
    else:
        csr = os.path.join(directory, name + ".csr")
        _run([OPENSSL, "req", "-new", "-newkey", "rsa:2048", "-nodes",
              "-keyout", key, "-out", csr, "-subj", "/CN=" + cn],
             directory)
        _run([OPENSSL, "x509", "-req", "-in", csr, "-CA", ca.ca,
              "-CAkey", ca.ca_key, "-CAcreateserial", "-out", cert,
              "-days", "2", "-sha256", "-extfile", ext], directory)
    os.chmod(key, 0o644)  # read by Dovecot, which drops root
    return cert, key


def make_certs(directory):
    os.makedirs(directory, exist_ok=True)
    c = Certs(directory)
    cnf = _ext_file(directory, "ca.cnf", [
        "[req]", "distinguished_name = dn", "[dn]", "[v3_ca]",
        "basicConstraints = critical, CA:TRUE",
        "keyUsage = critical, keyCertSign, cRLSign",
        "subjectKeyIdentifier = hash",
    ])
    _run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
          "-keyout", c.ca_key, "-out", c.ca, "-days", "2",
          "-subj", "/CN=escbot test CA", "-config", cnf,
          "-extensions", "v3_ca"], directory)
    _leaf(directory, "server", "localhost",
          "DNS:localhost, IP:127.0.0.1", c)
    _leaf(directory, "wrongname", "wrong.example", "DNS:wrong.example", c)
    _leaf(directory, "selfsigned", "localhost",
          "DNS:localhost, IP:127.0.0.1", None)
    return c
