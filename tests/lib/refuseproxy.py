"""An IMAP proxy on 127.0.0.1 in front of a real Dovecot that will not
give out some messages, as Microsoft 365 does with one it "could not
convert to an RFC-822 compatible format": every UID FETCH of a message
body whose UID set holds one of `refuse` is answered

    TAG NO [UNAVAILABLE] ... could not be converted to an RFC-822 ...

without reaching Dovecot; everything else passes through unchanged.  The
UID sets of the FETCHes it refused are kept in `refused` (a list of sets of
UIDs) so a test can tell whether escbot asked again.

    proxy = RefuseProxy(dovecot.port, refuse={7}).start()
    ... escbot with imap port = proxy.port ...
    proxy.refuse = set()        # the server mends: the message is served
    proxy.stop()

Only client lines are looked at (escbot's commands have no literals but a
LOGIN, which passes through whole); the server's side is copied as is.
"""
import asyncio
import re

from loopproxy import LoopProxy

FETCH = re.compile(rb"^(\S+) UID FETCH (\S+) (.*)$", re.IGNORECASE)
REASON = (b"NO [UNAVAILABLE] UID FETCH: Message could not be converted to "
          b"an RFC-822 compatible format (escbot test proxy)")


def uid_set(spec):
    """'1:3,7,9:*' -> a predicate on UIDs."""
    ranges = []
    for part in spec.decode("ascii", "replace").split(","):
        lo, _, hi = part.partition(":")
        lo = 2 ** 32 if lo == "*" else int(lo)
        hi = lo if not hi else 2 ** 32 if hi == "*" else int(hi)
        ranges.append((min(lo, hi), max(lo, hi)))
    return lambda uid: any(lo <= uid <= hi for lo, hi in ranges)


class RefuseProxy(LoopProxy):
    NAME = "refusing IMAP proxy"
    LIMIT = 1 << 24

    def __init__(self, target_port, refuse=()):
        super().__init__(target_port)
        self.refuse = set(refuse)
        self.refused = []

    def _refuses(self, line):
        m = FETCH.match(line.rstrip(b"\r\n"))
        if m is None or b"BODY" not in m.group(3).upper():
            return None
        try:
            inset = uid_set(m.group(2))
        except ValueError:
            return None
        hit = {u for u in self.refuse if inset(u)}
        if not hit:
            return None
        self.refused.append(hit)
        return m.group(1) + b" " + REASON + b"\r\n"

    async def _client_to_server(self, creader, swriter, cwriter):
        try:
            while True:
                line = await creader.readline()
                if not line:
                    break
                answer = self._refuses(line)
                if answer is not None:
                    cwriter.write(answer)
                    await cwriter.drain()
                    continue
                swriter.write(line)
                await swriter.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            swriter.close()

    async def _server_to_client(self, sreader, cwriter):
        try:
            while True:
                data = await sreader.read(65536)
                if not data:
                    break
                cwriter.write(data)
                await cwriter.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            cwriter.close()

    async def _handle(self, creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection(
                "127.0.0.1", self.target_port)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(
            self._client_to_server(creader, swriter, cwriter),
            self._server_to_client(sreader, cwriter))

