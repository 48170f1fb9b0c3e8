"""The one spelling of the web server's command line (Daphne), for the demo, tests and images."""

APPLICATION = "wallboard.asgi:application"
# Daphne closes every WebSocket after 24 h by default, cutting a whole wall of TVs at the same
# moment; -1 keeps sockets open, and each screen's own planned recycle (jittered, close code
# 4408) reconnects it invisibly instead.
NO_WEBSOCKET_TIMEOUT = "-1"
# Autobahn applies the message cap to what Daphne *sends* too, so it must fit the largest
# snapshot (a 1,000-agent board is well under 1 MiB; tests/test_web_server.py measures one).
# Browsers send only tiny control messages (the app closes at 4 KiB), and the frame cap, which
# applies to incoming frames only, stops anyone streaming one large frame at us.
MAX_MESSAGE_BYTES = str(4 * 1024 * 1024)
MAX_INCOMING_FRAME_BYTES = "65536"


def daphne_args(bind: str, port: int, application: str = APPLICATION) -> list[str]:
    """Daphne's arguments after the program name (`daphne` or `python -m daphne`)."""
    return [
        "-b", bind,
        "-p", str(port),
        "--websocket_timeout", NO_WEBSOCKET_TIMEOUT,
        "--websocket-max-message-size", MAX_MESSAGE_BYTES,
        "--websocket-max-frame-size", MAX_INCOMING_FRAME_BYTES,
        application,
    ]  # fmt: skip
