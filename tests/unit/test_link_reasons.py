"""Why the PBX link is down reaches screens as a code they translate, never as the library's
English (docs/protocol.md, `link`): each known failure has its code, anything else `other`."""

import asyncio
import socket
import ssl

import httpx
import pytest
from websockets.asyncio.client import connect

from dashboard.pbx.errors import PbxError, PbxUnreachable
from dashboard.pbx.reasons import reason_for
from dashboard.pbx.subscription import LinkLost, NotAnswering


def unreachable_from(cause: BaseException) -> PbxUnreachable:
    """As the REST client raises it: the transport's error is its context."""
    try:
        try:
            raise cause
        except BaseException:
            raise PbxUnreachable("get_token: no answer") from None
    except PbxUnreachable as error:
        error.__context__ = cause
        return error


async def handshake_timeout() -> BaseException:
    """websockets' own error for a server that accepts and never answers the upgrade."""
    accepted: list[asyncio.StreamWriter] = []
    server = await asyncio.start_server(lambda _, writer: accepted.append(writer), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await connect(f"ws://127.0.0.1:{port}/", open_timeout=0.2)
    except TimeoutError as error:
        return error
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()
    raise AssertionError("the handshake did not time out")


def test_a_handshake_that_times_out_is_a_timeout_not_its_english() -> None:
    error = asyncio.run(handshake_timeout())
    assert "timed out during opening handshake" in str(error)  # what screens showed before
    assert reason_for(error) == {"code": "timeout", "params": {}}


@pytest.mark.parametrize(
    ("error", "code", "params"),
    [
        (NotAnswering(55.3), "pbx_silent", {"seconds": 55}),
        (LinkLost("the event socket was closed"), "closed", {}),
        (PbxError(70087, "IP NOT ALLOWED", "get_token", {}), "pbx_error", {"errcode": 70087}),
        (unreachable_from(httpx.ConnectTimeout("slow")), "timeout", {}),
        (unreachable_from(ConnectionRefusedError()), "refused", {}),
        (unreachable_from(socket.gaierror()), "unknown_host", {}),
        (unreachable_from(ssl.SSLCertVerificationError()), "tls_untrusted", {}),
        (PbxUnreachable("get_token: answer is not the PBX's errcode envelope"), "other", {}),
    ],
)
def test_each_known_failure_has_its_code(
    error: BaseException, code: str, params: dict[str, object]
) -> None:
    assert reason_for(error) == {"code": code, "params": params}
