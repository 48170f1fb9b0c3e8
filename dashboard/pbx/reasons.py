"""Why the PBX link is not connected, as a code and parameters every screen words in its own
language (docs/protocol.md, `link`); the English detail stays for logs and /healthz."""

import socket
import ssl

import httpx
from websockets.exceptions import ConnectionClosed

from dashboard.live.link import LinkReason as Reason
from dashboard.pbx.errors import PbxError, causes
from dashboard.pbx.subscription import LinkLost

NO_REASON: Reason = {"code": "", "params": {}}


def reason_for(error: BaseException) -> Reason:
    """The known cases by type, outermost cause first; anything else is `other`, whose raw text
    screens show only as a tooltip."""
    if isinstance(error, PbxError):
        return {"code": "pbx_error", "params": {"errcode": error.errcode}}
    if isinstance(error, LinkLost):
        return {"code": error.code, "params": error.params}
    for cause in causes(error):
        if found := _transport(cause):
            return found
    return {"code": "other", "params": {}}


def _transport(cause: BaseException) -> Reason | None:
    if isinstance(cause, ssl.SSLCertVerificationError):
        return {"code": "tls_untrusted", "params": {}}
    if isinstance(cause, ConnectionRefusedError):
        return {"code": "refused", "params": {}}
    if isinstance(cause, socket.gaierror):
        return {"code": "unknown_host", "params": {}}
    if isinstance(cause, TimeoutError | httpx.TimeoutException):
        # websockets says "timed out during opening handshake"
        return {"code": "timeout", "params": {}}
    if isinstance(cause, ConnectionClosed):
        return {"code": "closed", "params": {}}
    return None
