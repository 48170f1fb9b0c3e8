"""The simulator's control API (`/_sim/`: ground truth, scripted callers, faults), one way for
every test that drives a simulator over HTTP; and a quiet simulator of a test's own."""

import contextlib
import secrets
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from devstack.procs import ManagedProcess

TIMEOUT_S = 5
ROOT = Path(__file__).resolve().parents[1]


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


@contextlib.contextmanager
def quiet_sim(client_id: str, *args: str) -> Iterator[tuple[str, str]]:
    """A pbxsim of the caller's own with no callers but those a test places: its URL and the
    client secret it was given. `args`: more command-line options."""
    secret = secrets.token_hex(8)
    argv = [sys.executable, "-m", "pbxsim", "--port", "0", "--client-id", client_id,
            "--client-secret", secret, "--arrival-per-min", "0", *args]  # fmt: skip
    pattern = r"pbxsim listening on (http://\S+)"
    with ManagedProcess("pbxsim", argv, cwd=ROOT, ready_line_pattern=pattern) as process:
        (url,) = process.wait_ready(30)
        assert url is not None
        yield str(url), secret
