"""Daphne's WebSocket protocol with a bound on unread messages: a client that sends faster than
the application reads is cut off at the door instead of queued without limit."""

from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol

# The board reads a socket's messages one at a time and a browser sends one every few seconds,
# so this many unread means a flood. Daphne itself queues every message it reads for the
# application, without limit: five clients sending resyncs and reading nothing took it from 87
# to 351 MB in 10 s (bench.flood), faster than the board's own budget could close them.
MAX_UNREAD_MESSAGES = 64
# The board's "too many" close (docs/protocol.md): the browser retries with its backoff.
CLOSE_TOO_MANY = 4429


class GuardedWebSocketProtocol(WebSocketProtocol):  # type: ignore[misc]
    ignored = 0  # messages that came after the close was sent

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        if self.state != self.STATE_OPEN:
            self.ignore_after_close()
        elif self.application_queue.qsize() >= MAX_UNREAD_MESSAGES:
            self.sendClose(code=CLOSE_TOO_MANY)
            self.ignore_after_close()
        else:
            super().onMessage(payload, isBinary)

    def ignore_after_close(self) -> None:
        """Nothing more reaches the application once the close is sent. A browser may have a
        message or two in flight then; a client that keeps sending is dropped at once rather
        than after the close handshake's timeout, until which Autobahn would read (and parse)
        all it sends."""
        self.ignored += 1
        if (
            self.ignored >= MAX_UNREAD_MESSAGES
            or self.application_queue.qsize() >= MAX_UNREAD_MESSAGES
        ):
            self.dropConnection(abort=False)  # the close frame still goes out first


def install() -> None:
    """Daphne builds its protocol from the factory's class attribute when it starts serving,
    after it has imported the application (wallboard/asgi.py calls this)."""
    WebSocketFactory.protocol = GuardedWebSocketProtocol
