"""A local OAuth 2.0 token endpoint for escbot's tests (standard library
only; run under /usr/bin/python3).

    ts = TokenServer(cert=PEM, key=PEM)     # HTTPS; without them plain HTTP
    ts.start()
    ts.token_url          # https://127.0.0.1:PORT/token
    ts.introspect_url     # http://127.0.0.1:PORT2/introspect (always plain,
                          # for Dovecot's oauth2 passdb)
    ts.requests           # one dict per POST to /token (the form fields)
    ts.introspections     # how many tokens were checked
    ts.stop()

/token takes a form-encoded POST (RFC 6749 section 4.4 and 6):
grant_type=client_credentials with client_id and client_secret, or
grant_type=refresh_token with client_id and refresh_token.  It answers
{"token_type": "Bearer", "expires_in": ts.expires_in, "access_token": ...};
with ts.rotate set a refresh_token grant also gets a new refresh_token
(and the old one stops working).  A wrong secret is 401 invalid_client, an
unknown refresh token 400 invalid_grant.  Failures can be forced:
ts.fail = "invalid_grant" (or any other error code: HTTP 400 with that
error), or an int HTTP status such as 500 or 503.

/introspect takes token=... (Dovecot's introspection_mode = post) and
answers {"active": true, "username": ts.user, ...} for a token it issued
and has not revoked (ts.revoke_all()), else 401 {"active": false}.

Every issued token, refresh token and secret is only kept in memory.
"""

import http.server
import json
import secrets
import socket
import ssl
import threading
import time
import urllib.parse


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "escbot-test-tokenserver"

    def log_message(self, fmt, *args):
        pass

    def _reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _form(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode()
        return {k: v[0] for k, v in
                urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def do_POST(self):
        ts = self.server.ts
        path = self.path.split("?", 1)[0]
        form = self._form()
        if path == "/token":
            status, obj = ts._token(form, self.headers)
        elif path == "/introspect":
            status, obj = ts._introspect(form)
        else:
            status, obj = 404, {"error": "not_found"}
        self._reply(status, obj)

    def do_GET(self):
        self._reply(405, {"error": "invalid_request"})


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class TokenServer:
    client_id = "escbot-app"
    client_secret = "cl-s3cret-\u00e9&=+%"   # needs form encoding
    user = "escbot"
    scope = "https://outlook.office365.com/.default"

    def __init__(self, cert=None, key=None, expires_in=3600, rotate=False,
                 refresh_token="RT-initial-0001"):
        self.cert, self.key = cert, key
        self.expires_in = expires_in
        self.rotate = rotate
        self.refresh_token = refresh_token
        self.fail = None
        self.requests = []
        self.introspections = 0
        self.tokens = {}            # access token -> expiry (epoch)
        self.lock = threading.Lock()
        self._servers = []
        self._threads = []

    # --- life cycle ------------------------------------------------------

    def _serve(self, tls):
        srv = _Server(("127.0.0.1", 0), _Handler)
        srv.ts = self
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.cert, self.key)
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        t = threading.Thread(target=srv.serve_forever,
                             kwargs={"poll_interval": 0.1}, daemon=True)
        t.start()
        self._servers.append(srv)
        self._threads.append(t)
        return srv.server_address[1]

    def start(self):
        tls = bool(self.cert and self.key)
        port = self._serve(tls)
        self.port = port
        self.token_url = "%s://127.0.0.1:%d/token" % (
            "https" if tls else "http", port)
        iport = self._serve(False)
        self.introspect_url = "http://127.0.0.1:%d/introspect" % iport
        return self

    def stop(self):
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        for t in self._threads:
            t.join(5)
        self._servers, self._threads = [], []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- state -----------------------------------------------------------

    def revoke_all(self):
        with self.lock:
            self.tokens.clear()

    def grants(self, kind=None):
        """The /token requests (of one grant_type when given)."""
        with self.lock:
            return [r for r in self.requests
                    if kind is None or r.get("grant_type") == kind]

    # --- endpoints ---------------------------------------------------------

    def _token(self, form, headers):
        with self.lock:
            self.requests.append(dict(form))
            if isinstance(self.fail, int):
                return self.fail, {"error": "server_error",
                                   "error_description": "forced failure"}
            if self.fail:
                return 400, {"error": self.fail, "error_description":
                             "AADSTS00000: forced %s.\r\nTrace ID: 1"
                             % self.fail}
            if form.get("client_id") != self.client_id:
                return 401, {"error": "invalid_client",
                             "error_description": "unknown client"}
            grant = form.get("grant_type")
            new_rt = None
            if grant == "client_credentials":
                if form.get("client_secret") != self.client_secret:
                    return 401, {"error": "invalid_client",
                                 "error_description": "bad secret"}
            elif grant == "refresh_token":
                if form.get("refresh_token") != self.refresh_token:
                    return 400, {"error": "invalid_grant",
                                 "error_description": "refresh token "
                                 "expired or revoked"}
                if self.rotate:
                    new_rt = "RT-%d-%s" % (len(self.requests),
                                           secrets.token_urlsafe(24))
                    self.refresh_token = new_rt
            else:
                return 400, {"error": "unsupported_grant_type"}
            token = "AT-%d-%s" % (len(self.requests),
                                  secrets.token_urlsafe(32))
            self.tokens[token] = time.time() + self.expires_in
            out = {"token_type": "Bearer", "expires_in": self.expires_in,
                   "ext_expires_in": self.expires_in,
                   "scope": form.get("scope", ""), "access_token": token}
            if new_rt:
                out["refresh_token"] = new_rt
            return 200, out

    def _introspect(self, form):
        with self.lock:
            self.introspections += 1
            exp = self.tokens.get(form.get("token", ""))
            if exp is None or exp < time.time():
                return 401, {"active": False}
            return 200, {"active": True, "username": self.user,
                         "scope": self.scope, "exp": int(exp)}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
