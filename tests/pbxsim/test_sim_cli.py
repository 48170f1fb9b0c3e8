"""`python -m pbxsim`: flags are honoured, one ready line is printed, signals exit cleanly."""

import asyncio
import re
import signal
import ssl
import sys
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.pbxsim.sim_harness import UA, WAIT

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"pbxsim listening on http://127\.0\.0\.1:(\d+)\n")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_the_cli_announces_itself_serves_and_exits_cleanly(signum: int) -> None:
    args = ["--host", "127.0.0.1", "--port", "0", "--client-id", "wallboard"]
    args += ["--client-secret", "s3cret", "--seed", "5", "--arrival-per-min", "0", "--sn", "SN42"]
    pipe = asyncio.subprocess.PIPE
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pbxsim", *args, cwd=ROOT, stdout=pipe, stderr=pipe
    )
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(WAIT):
            ready = READY.fullmatch((await proc.stdout.readline()).decode())
        assert ready is not None
        base = f"http://127.0.0.1:{ready.group(1)}"
        async with httpx.AsyncClient(base_url=base, headers=UA, trust_env=False) as http:
            body = {"username": "wallboard", "password": "s3cret"}
            token = (await http.post("/openapi/v1.0/get_token", json=body)).json()["access_token"]
            assert (await http.get("/_sim/state")).json()["sn"] == "SN42"
        ws_url = f"ws://127.0.0.1:{ready.group(1)}/openapi/v1.0/subscribe?access_token={token}"
        # An open event socket must not hold up the shutdown.
        async with connect(ws_url, proxy=None) as ws:
            proc.send_signal(signum)
            async with asyncio.timeout(WAIT):
                await ws.wait_closed()
                out, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    assert proc.returncode == 0, err.decode()
    assert out == b""


async def test_tls_serves_https_and_wss_with_a_fresh_certificate(tmp_path: Path) -> None:
    args = ["--port", "0", "--arrival-per-min", "0", "--tls", "--tls-dir", str(tmp_path)]
    pipe = asyncio.subprocess.PIPE
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pbxsim", *args, cwd=ROOT, stdout=pipe, stderr=pipe
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        async with asyncio.timeout(WAIT):
            announced = (await proc.stderr.readline()).decode()
            ready = re.fullmatch(r"pbxsim listening on (https://127\.0\.0\.1:\d+)\n",
                                 (await proc.stdout.readline()).decode())  # fmt: skip
        assert announced == f"pbxsim certificate: {tmp_path / 'cert.pem'}\n"
        assert ready is not None
        trust = ssl.create_default_context(cafile=tmp_path / "cert.pem")
        async with httpx.AsyncClient(base_url=ready.group(1), headers=UA, verify=trust) as http:
            body = {"username": "pbxsim", "password": "pbxsim-secret"}
            token = (await http.post("/openapi/v1.0/get_token", json=body)).json()["access_token"]
        wss = (
            ready.group(1).replace("https", "wss") + f"/openapi/v1.0/subscribe?access_token={token}"
        )
        async with connect(wss, ssl=trust, proxy=None) as ws:
            await ws.send("heartbeat")
            async with asyncio.timeout(WAIT):
                assert await ws.recv() == "heartbeat response"
    finally:
        proc.terminate()
        await proc.wait()


def test_every_flag_is_documented() -> None:
    doc = (ROOT / "docs" / "pbxsim.md").read_text()
    flags = re.findall(r"add\(\s*\"(--[a-z-]+)\"", (ROOT / "pbxsim" / "cli.py").read_text())

    assert len(flags) > 15
    assert [flag for flag in flags if f"`{flag}" not in doc] == []
