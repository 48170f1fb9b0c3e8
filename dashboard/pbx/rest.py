"""REST calls to the PBX: the errcode envelope, the User-Agent rule, token in the query string."""

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from dashboard.pbx.errors import (
    DATA_NOT_FOUND,
    PbxError,
    PbxUnreachable,
    error_for,
    transport_failure,
)

API_PATH = "/openapi/v1.0/"
USER_AGENT = "yeastar-wallboard/0.1"  # the PBX answers 40002 to requests without one
REQUEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class PbxSettings:
    url: str  # e.g. https://192.168.5.150:8088
    client_id: str
    client_secret: str
    verify_tls: bool = True
    ca_bundle: str = ""  # a CA file that signed the PBX's certificate; overrides verify_tls

    @property
    def tls_verify(self) -> ssl.SSLContext:
        """What httpx calls `verify`, and what the event socket uses: see `tls_context`."""
        return tls_context(self)


def tls_context(settings: PbxSettings) -> ssl.SSLContext:
    """The one TLS policy for REST and events: the CA bundle when set, else the system's CAs,
    or no checks at all when PBX_VERIFY_TLS is false. Raises OSError or SSLError for a bad
    bundle."""
    context = ssl.create_default_context(cafile=settings.ca_bundle or None)
    if not settings.ca_bundle and not settings.verify_tls:
        # Opt-in only (PBX_VERIFY_TLS=false) for the self-signed certificates PBXs ship with.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(frozen=True)
class Token:
    access_token: str
    access_expires_in: int
    refresh_token: str
    refresh_expires_in: int


class PbxRest:
    """One PBX's REST API. Errcodes become exceptions; 60001 may be read as 'empty'."""

    def __init__(self, settings: PbxSettings) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.url.rstrip("/") + API_PATH,
            headers={"User-Agent": USER_AGENT},
            verify=settings.tls_verify,
            timeout=REQUEST_TIMEOUT_S,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_token(self) -> Token:
        body = await self._send(
            "POST",
            "get_token",
            json={"username": self.settings.client_id, "password": self.settings.client_secret},
        )
        return _token_from(body)

    async def refresh_token(self, refresh_token: str) -> Token:
        body = await self._send("POST", "refresh_token", json={"refresh_token": refresh_token})
        return _token_from(body)

    async def del_token(self, access_token: str) -> None:
        await self._send("GET", "del_token", params={"access_token": access_token})

    async def get(
        self, endpoint: str, token: str, empty_ok: bool = False, **params: str | int
    ) -> dict[str, Any]:
        """GET an endpoint; with `empty_ok`, 60001 DATA NOT FOUND returns `{}`."""
        try:
            return await self._send("GET", endpoint, params={**params, "access_token": token})
        except PbxError as error:
            if empty_ok and error.errcode == DATA_NOT_FOUND:
                return {}
            raise

    async def post(self, endpoint: str, token: str, body: Mapping[str, object]) -> dict[str, Any]:
        return await self._send("POST", endpoint, params={"access_token": token}, json=body)

    async def _send(self, method: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        """The reply's JSON object, whatever the endpoint: callers read the fields they know."""
        try:
            response = await self._http.request(method, endpoint, **kwargs)
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise PbxUnreachable(f"{endpoint}: {transport_failure(error)}") from None
        if not isinstance(body, dict) or not isinstance(body.get("errcode"), int):
            raise PbxUnreachable(f"{endpoint}: answer is not the PBX's errcode envelope")
        if body["errcode"] != 0:
            raise error_for(body["errcode"], str(body.get("errmsg", "")), endpoint, body)
        return body


def _token_from(body: dict[str, Any]) -> Token:
    try:
        return Token(
            access_token=str(body["access_token"]),
            access_expires_in=int(body["access_token_expire_time"]),
            refresh_token=str(body["refresh_token"]),
            refresh_expires_in=int(body["refresh_token_expire_time"]),
        )
    except (KeyError, TypeError, ValueError):
        raise PbxUnreachable("get_token: answer lacks the token fields") from None


def events_url(pbx_url: str) -> str:
    """`https://pbx:8088` → `wss://pbx:8088/openapi/v1.0/subscribe` (ws:// for plain HTTP)."""
    parts = urlsplit(pbx_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, API_PATH + "subscribe", "", ""))
