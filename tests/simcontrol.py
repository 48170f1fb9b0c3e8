"""The simulator's control API (`/_sim/`: ground truth, scripted callers, faults), one way for
every test that drives a simulator over HTTP."""

import ssl
from pathlib import Path
from typing import Any

import httpx

TIMEOUT_S = 5


def control_path(path: str) -> str:
    """The control API's path for `path`, e.g. "state", "calls" or "agents/1004/pause"."""
    return f"/_sim/{path}"


class SimControl:
    """A running simulator's control API at `url`, over blocking HTTP. `cert` is the self-signed
    certificate of a simulator started with --tls."""

    def __init__(self, url: str, cert: Path | None = None) -> None:
        self.url = url
        self.cert = cert
        # Built once: loading the trust store takes some 20 ms, which every request paid.
        self.trust = ssl.create_default_context(cafile=cert)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send `method` to the control API's `path`; an error status fails the caller."""
        response = httpx.request(
            method, self.url + control_path(path), json=body, timeout=TIMEOUT_S, verify=self.trust
        )
        response.raise_for_status()
        return response.json()

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """GET `path` when there is no body, else POST the body to it."""
        return self.request("GET" if body is None else "POST", path, body)
