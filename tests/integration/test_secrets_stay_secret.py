"""No secret leaks: a full run at DEBUG log level (login, board, TV pairing, socket frames, a
token renewal) and every process's log, page and frame is searched for every secret in play."""

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
import redis
import websockets
from websockets.typing import Origin

from dashboard.pbx.tokens import TOKEN_KEY
from devstack.procs import free_port
from tests.forms import csrf_field, post_sign_in
from tests.integration.stack import Rig, manage, start_daphne, wait_until

pytestmark = pytest.mark.integration


def sign_in(web: httpx.Client, password: str) -> list[str]:
    """The supervisor signs in and opens what they may see; returns the pages' text."""
    assert post_sign_in(web, "supervisor", password).status_code == 302
    return [web.get(path).text for path in ("/boards/demo/", "/api/boards/demo/snapshot/")]


def pair_tv(web: httpx.Client, tv_link: str) -> tuple[str, list[str]]:
    """The TV opens its one-time link and pairs; returns its credential and the pages' text.
    Like a browser, it keeps the link's fragment (the code) to itself and posts it."""
    page, code = tv_link.split("#")
    claim = web.get(page).text
    web.post(page, data={"csrfmiddlewaretoken": csrf_field(claim), "code": code})
    credential = web.cookies["wb_display"]
    return credential, [claim, web.get("/tv/").text]


async def first_frames(url: str, origin: str, cookie: str) -> list[str]:
    async with websockets.connect(
        url, origin=Origin(origin), additional_headers={"Cookie": cookie}
    ) as socket:
        return [str(await asyncio.wait_for(socket.recv(), timeout=10))]


def current_tokens(rig: Rig) -> dict[str, Any]:
    raw = redis.Redis.from_url(rig.redis_url).get(TOKEN_KEY)
    return json.loads(raw) if raw else {}  # type: ignore[arg-type]


def test_no_secret_reaches_a_log_a_page_or_a_frame(idle_rig: Rig) -> None:
    rig = idle_rig
    rig.env["LOG_LEVEL"] = "DEBUG"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    seeded = manage(rig.env, "seed_demo", "--base-url", base)
    password = re.search(r"password (\S+)", seeded).group(1)  # type: ignore[union-attr]
    tv_link = re.search(r"TV link:\s+(\S+)", seeded).group(1)  # type: ignore[union-attr]
    claim_code = tv_link.split("#")[1]
    rig.start_worker()
    start_daphne(rig, port)
    first = current_tokens(rig)
    rig.sim("POST", "faults/expire_tokens", {"refresh": False})
    wait_until(lambda: current_tokens(rig).get("access_token") != first["access_token"])
    with (
        httpx.Client(base_url=base, timeout=10) as supervisor,
        httpx.Client(base_url=base, timeout=10) as tv,
    ):
        seen = sign_in(supervisor, password)
        credential, tv_pages = pair_tv(tv, tv_link)
        session = supervisor.cookies["sessionid"]
    cookie = f"wb_display={credential}"
    seen += tv_pages + asyncio.run(
        first_frames(f"ws://127.0.0.1:{port}/ws/board/demo/", base, cookie)
    )
    secrets = {
        "the PBX client secret": rig.env["PBX_CLIENT_SECRET"],
        "the Django secret key": rig.env["SECRET_KEY"],
        "the display credential": credential,
        "the one-time pairing code": claim_code,
        "the supervisor's session key": session,
        "the supervisor's password": password,
        **{f"{kind} ({when})": tokens[kind]
           for when, tokens in (("first", first), ("renewed", current_tokens(rig)))
           for kind in ("access_token", "refresh_token")},
    }  # fmt: skip
    logs = {process.name: process.output_tail() for process in rig.processes.processes}
    assert "DEBUG" in logs["worker1"], "the run was not logged at DEBUG level"
    for what, secret in secrets.items():
        for name, log in logs.items():
            if name != "pbxsim":  # the simulator stands for the PBX, which knows its tokens
                assert secret not in log, f"{what} is in the {name} log"
        assert all(secret not in text for text in seen), f"{what} is in a page or frame"
