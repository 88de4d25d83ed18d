#!/usr/bin/python3
"""A slow SMTP sink: tests/lib/smtpsink.py with a delay before each reply to
DATA.  The message is stored *before* the delay, so killing the client
during the delay leaves a message the sink has but the client never saw
accepted -- exactly the window in which at-least-once delivery must resend
(with the same Message-ID).

    /usr/bin/python3 tests/lib/slowsmtpsink.py --delay SECONDS [smtpsink options]

SlowSmtpSink (in guarantees_kit.py) starts it like SmtpSink does.
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtpsink  # noqa: E402


def main(argv):
    delay = 0.0
    if "--delay" in argv:
        i = argv.index("--delay")
        delay = float(argv[i + 1])
        del argv[i:i + 2]
    base = smtpsink._Handler

    class SlowHandler(base):
        async def handle_DATA(self, server, session, envelope):
            reply = await base.handle_DATA(self, server, session, envelope)
            if delay > 0:
                await asyncio.sleep(delay)
            return reply

    smtpsink._Handler = SlowHandler
    return smtpsink.serve(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
