"""Actions on the whole product: Daphne, the worker and pbxsim; the board shows what was done."""

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
import pytest
import redis

from dashboard.streams import queue_stream, stream_key
from tests.forms import post_sign_in
from tests.integration.stack import Stack, wait_until

pytestmark = pytest.mark.integration


@contextmanager
def signed_in(stack: Stack) -> Iterator[httpx.Client]:
    """The seeded supervisor's session (acts on 6400 and 6401 from extension 1100)."""
    with httpx.Client(base_url=stack.web_url, timeout=10) as client:
        assert post_sign_in(client, "supervisor", stack.password).status_code == 302
        yield client


def act(client: httpx.Client, **body: Any) -> dict[str, Any]:
    """Start an action and wait until the PBX has confirmed it."""
    headers = {"X-CSRFToken": client.cookies["csrftoken"]}
    body["idempotency_key"] = str(uuid.uuid4())
    started = client.post("/api/actions/", json=body, headers=headers)
    assert started.status_code == 202, started.text

    def settled() -> dict[str, Any] | None:
        """the action is confirmed or failed"""
        shown = client.get(f"/api/actions/{started.json()['id']}/").json()
        return shown if shown["status"] != "pending" else None

    return dict(wait_until(settled, timeout=15))


def board_agent(stack: Stack, queue: str, agent: str) -> dict[str, Any] | None:
    """The agent as the board's queue stream shows it now."""
    with redis.Redis.from_url(stack.rig.redis_url) as store:
        raw = cast(bytes | None, store.get(stream_key(queue_stream(queue))))
    data = json.loads(raw)["data"] if raw else None
    agents = data["agents"] if data else []
    return next((entry for entry in agents if entry["number"] == agent), None)


def shows(stack: Stack, queue: str, agent: str, **expected: object) -> bool:
    """Whether the board's queue stream shows the agent so."""
    shown = board_agent(stack, queue, agent) or {}
    return all(shown.get(key) == value for key, value in expected.items())


def test_a_pause_with_a_reason_reaches_the_board_then_the_unpause(stack: Stack) -> None:
    with signed_in(stack) as client:
        done = act(client, action="pause", agent="1003", queues=["6400"], reason_code="*02")
        assert done["status"] == "ok", done
        wait_until(lambda: shows(stack, "6400", "1003", paused=True, pause_reason="Break"), 10)
        assert shows(stack, "6401", "1003", paused=False)
        assert act(client, action="unpause", agent="1003", queues="all")["status"] == "ok"
        wait_until(lambda: shows(stack, "6400", "1003", paused=False), 10)


def test_a_logout_reaches_the_board_and_the_audit_log_keeps_every_attempt(stack: Stack) -> None:
    with signed_in(stack) as client:
        assert act(client, action="logout", agent="1007", queues="all")["status"] == "ok"
        wait_until(lambda: shows(stack, "6400", "1007", state="logged_out"), 10)
        refused = client.post("/api/actions/", json={"action": "logout", "agent": "1001"})
        assert refused.status_code == 403  # no CSRF token
        assert refused.json()["error"].startswith("CSRF check failed")
        assert act(client, action="login", agent="1007", queues=["6400"])["status"] == "ok"
    truth = stack.sim("GET", "state")
    memberships = next(a for a in truth["agents"] if a["number"] == "1007")["queues"]
    assert [q["logged_in"] for q in memberships] == [True]
    database = stack.rig.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as audit:
        rows = audit.execute(
            "SELECT username, action, target, result FROM dashboard_actionattempt ORDER BY id"
        ).fetchall()
    assert rows == [
        ("supervisor", "logout", "1007", "ok"),
        ("supervisor", "logout", "1001", "refused"),
        ("supervisor", "login", "1007", "ok"),
    ]
