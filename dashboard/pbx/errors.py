"""PBX errcodes as typed exceptions, each with a human explanation of what to do."""

import socket
import ssl
from collections.abc import Iterator
from typing import Any


def _(message: str) -> str:
    """Marks a message for translation (makemessages finds `_`) and returns it as it is: the
    client has no Django, and the web process words it in the reader's language."""
    return message


DATA_NOT_FOUND = 60001  # status endpoints answer this when there is nothing to report

# In English here (logs, the worker's link detail); marked so that an action's message shows
# them in the supervisor's language (dashboard/actions/messages.py).
EXPLANATIONS: dict[int, str] = {
    -1: _("The PBX rejected the Client ID or Client Secret (Integrations > API on the PBX)."),
    10001: _("The PBX does not offer this API call (wrong path or method, or older firmware)."),
    10004: _("The access token expired or is unknown; a new one is needed."),
    10005: _("The API application lacks permission for this resource on the PBX."),
    40002: _("The PBX rejected a parameter of the request."),
    60001: _("The PBX has no data for this request."),
    60002: _("The PBX's limit of 8 live access tokens per application is reached."),
    70004: _(
        "The PBX blocked this server's IP after failed logins "
        "(Security > Security Rules > Blocked IPs)."
    ),
    70087: _("This server's IP is not allowed in the PBX API settings."),
    70123: _("The API is disabled on the PBX (Integrations > API)."),
}


class PbxError(Exception):
    """The PBX answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str, endpoint: str, body: dict[str, Any]) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint
        self.body = body  # the reply as it came: its error fields vary (docs/yeastar-api.md §1)
        self.explanation = EXPLANATIONS.get(errcode, "The PBX reported an error.")
        super().__init__(f"{endpoint}: {errcode} {errmsg} — {self.explanation}")


class BadCredentials(PbxError):
    """-1 on get_token: never retried in a loop, the PBX blocks the IP after five."""


class TokenExpired(PbxError):
    """10004: renew the token once and retry."""


class PbxUnreachable(Exception):
    """No HTTP answer (connection refused, timeout, TLS failure) or a non-JSON answer."""


def error_for(errcode: int, errmsg: str, endpoint: str, body: dict[str, Any]) -> PbxError:
    """Build the most specific exception for an errcode."""
    if errcode == -1 and endpoint == "get_token":
        return BadCredentials(errcode, errmsg, endpoint, body)
    if errcode == 10004:
        return TokenExpired(errcode, errmsg, endpoint, body)
    return PbxError(errcode, errmsg, endpoint, body)


def causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what caused it, outermost first."""
    current: BaseException | None = error
    while current is not None:
        yield current
        current = current.__cause__ or current.__context__


def transport_failure(error: BaseException) -> str:
    """Why the PBX could not be reached, with the fix where there is one; never the URL,
    which carries the access token."""
    for cause in causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"the PBX's TLS certificate is not trusted ({cause.verify_message}): "
                "set PBX_CA_BUNDLE, or PBX_VERIFY_TLS=false for its self-signed one"
            )
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused: check PBX_URL's host and port"
        if isinstance(cause, socket.gaierror):
            return "unknown host name in PBX_URL"
    return type(error).__name__
