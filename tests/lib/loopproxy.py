"""A TCP proxy on 127.0.0.1 run by an asyncio loop in a thread of its
own: the start / stop shared by the tests' proxies (refuseproxy.py's
RefuseProxy, guarantees_kit.py's LatencyProxy).  A subclass gives
`_handle(reader, writer)` for each client connection, and NAME for
messages."""
import asyncio
import threading


class LoopProxy:
    NAME = "proxy"
    LIMIT = 1 << 16         # asyncio's line limit for the client streams

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = None
        self.loop = None
        self.thread = None

    async def _handle(self, reader, writer):
        raise NotImplementedError

    def start(self):
        ready = threading.Event()

        def main():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(asyncio.start_server(
                self._handle, "127.0.0.1", 0, limit=self.LIMIT))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            try:
                self.loop.run_forever()
            finally:
                server.close()
                for task in asyncio.all_tasks(self.loop):
                    task.cancel()
                self.loop.run_until_complete(asyncio.sleep(0))
                self.loop.close()
        self.thread = threading.Thread(target=main, daemon=True)
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError("%s did not start" % self.NAME)
        return self

    def stop(self):
        if self.loop is not None and self.thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.thread = None
