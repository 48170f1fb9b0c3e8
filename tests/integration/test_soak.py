"""`make soak`: the whole product (simulator, two workers, Daphne, Redis, a fleet of screens)
under faults picked at random for a while; prints a summary and fails on any divergence.

Each round lets traffic flow, injects one fault, then stops the traffic and measures how long
until every screen is fresh and the published state equals the simulator's truth again."""

import contextlib
import json
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from dashboard.streams import LINK_STREAM, stream_key
from devstack.procs import ManagedProcess, ProcessGroup, free_port
from devstack.redis import RedisHandle, start_redis_server
from tests.integration.browser_stack import redis_binary
from tests.integration.soak_screens import ScreenFleet
from tests.integration.stack import Rig, manage, rig_env, start_daphne, wait_until
from tests.integration.test_quiescence import differences

pytestmark = [pytest.mark.integration, pytest.mark.soak]

TRAFFIC = ["--scenario", "contact-centre", "--speed", "0.001", "--arrival-per-min", "12"]
STEP_S = 2.5  # simulated seconds per driver step, one step every 0.25 s: ten times real time
RECOVERY_LIMIT_S = 90.0


@dataclass
class Soak:
    """The running product and what the run has measured so far."""

    rig: Rig
    redis_server: RedisHandle
    daphne: ManagedProcess
    fleet: ScreenFleet
    rng: random.Random
    pbx_down_s: float
    driving: threading.Event = field(default_factory=threading.Event)
    records: list[dict[str, Any]] = field(default_factory=list)
    rss_start: dict[str, tuple[int | None, int]] = field(default_factory=dict)

    def leader(self) -> ManagedProcess:
        """The active worker (waiting for one: the lease may be changing hands)."""
        client = redis.Redis.from_url(self.rig.redis_url, decode_responses=True)
        holder = wait_until(lambda: client.get("wb:leader"), timeout=30)
        pid = int(str(holder).rsplit(":", 1)[-1])
        return next(w for w in self.rig.workers if w.pid == pid and w.returncode is None)


def link(soak: Soak) -> dict[str, Any]:
    raw = redis.Redis.from_url(soak.rig.redis_url, decode_responses=True).get(
        stream_key(LINK_STREAM)
    )
    return json.loads(str(raw))["data"] if raw else {}


def drive(soak: Soak, stop: threading.Event) -> None:
    """Advance the simulated clock while the soak lets traffic flow."""
    while not stop.is_set():
        if soak.driving.wait(0.25):
            with contextlib.suppress(httpx.HTTPError):  # the PBX is down on purpose: next step
                soak.rig.sim("POST", "clock/advance", {"seconds": STEP_S})
            stop.wait(0.25)


def hold(seconds: float) -> None:
    """Keep a fault in place for a while (a duration under test, not a synchronisation)."""
    time.sleep(seconds)


def until_link_not_connected(soak: Soak) -> float:
    started = time.monotonic()
    wait_until(lambda: link(soak).get("state") not in ("connected", None), timeout=60)
    return time.monotonic() - started


# Faults: each injects one failure and puts it right again; returns extra figures to report.
def drop_sockets(soak: Soak) -> dict[str, Any]:
    soak.rig.sim("POST", "faults/drop_sockets")
    return {}


def silent_heartbeat(soak: Soak) -> dict[str, Any]:
    """Unanswered heartbeats on a quiet link: events flowing would rightly keep it alive."""
    soak.driving.clear()
    soak.rig.sim("POST", "faults/heartbeat", {"reply": False})
    noticed = until_link_not_connected(soak)
    soak.rig.sim("POST", "faults/heartbeat", {"reply": True})
    return {"noticed_s": round(noticed, 1)}


def expired_tokens(soak: Soak) -> dict[str, Any]:
    soak.rig.sim("POST", "faults/expire_tokens", {"refresh": soak.rng.random() < 0.5})
    return {}


def refused_requests(soak: Soak) -> dict[str, Any]:
    endpoint, errcode = soak.rng.choice(
        [("queue/agent_status", 10004), ("get_token", 60002), ("queue/call_status", 10004)]
    )
    soak.rig.sim("POST", "faults/errcode", {"endpoint": endpoint, "errcode": errcode, "times": 2})
    return {"endpoint": endpoint, "errcode": errcode}


def slow_pbx(soak: Soak) -> dict[str, Any]:
    soak.rig.sim("POST", "faults/delay", {"seconds": 3})
    hold(15)
    soak.rig.sim("POST", "faults/delay", {"seconds": 0})
    return {}


def pbx_down(soak: Soak) -> dict[str, Any]:
    """The PBX stops answering anything (frozen like a dead box): nothing refuses, all hangs."""
    soak.driving.clear()
    sim = soak.rig.processes["pbxsim"]
    assert sim.pid is not None
    os.kill(sim.pid, signal.SIGSTOP)
    try:
        noticed = until_link_not_connected(soak)
        hold(soak.pbx_down_s)
    finally:
        os.kill(sim.pid, signal.SIGCONT)
    return {"noticed_s": round(noticed, 1), "down_s": soak.pbx_down_s}


def redis_restart(soak: Soak) -> dict[str, Any]:
    """A Redis restart empties it: live state, leases and group memberships are all gone."""
    assert soak.redis_server.process is not None
    binary, port = soak.redis_server.process.argv[0], httpx.URL(soak.redis_server.url).port
    soak.redis_server.stop()
    soak.redis_server = start_redis_server(binary, port=port)
    return {}


def kill_leader(soak: Soak) -> dict[str, Any]:
    leader = soak.leader()
    assert leader.pid is not None
    os.kill(leader.pid, signal.SIGKILL)
    soak.rig.start_worker(wait_for=None)  # a fresh standby replaces it
    return {}


def freeze_leader(soak: Soak) -> dict[str, Any]:
    leader = soak.leader()
    assert leader.pid is not None
    os.kill(leader.pid, signal.SIGSTOP)
    try:
        wait_until(lambda: soak.leader() is not leader, timeout=30)
    finally:
        os.kill(leader.pid, signal.SIGCONT)
    return {}


def daphne_restart(soak: Soak) -> dict[str, Any]:
    port = soak.daphne.argv[soak.daphne.argv.index("-p") + 1]  # the screens know this one
    soak.daphne.stop()
    soak.daphne = start_daphne(soak.rig, int(port))
    return {}


# Not among them: the PBX dropping pushes while the socket stays up. The live picture recovers
# (REST), but calls that came and went unseen stay missing from today's figures: a known gap
# (docs/operations.md) that would make every run fail until it is closed.
FAULTS: dict[str, Callable[[Soak], dict[str, Any]]] = {
    f.__name__: f
    for f in (drop_sockets, silent_heartbeat, expired_tokens, refused_requests, slow_pbx,
              pbx_down, redis_restart, kill_leader, freeze_leader, daphne_restart)
}  # fmt: skip


def recover(soak: Soak, name: str) -> None:
    """Stop the traffic, then time how long until screens are fresh and the board is true."""
    soak.driving.clear()
    started = time.monotonic()
    fresh = wait_for(lambda: link(soak).get("state") == "connected"
                     and soak.fleet.all_fresh_since(started))  # fmt: skip
    true = wait_for(lambda: not differences(soak.rig))
    soak.records[-1].update(fault=name, fresh_s=fresh, true_s=true)


def wait_for(condition: Callable[[], bool]) -> float | None:
    """Seconds until the condition held, or None if it never did within the recovery limit."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > RECOVERY_LIMIT_S:
            return None
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def memory(soak: Soak) -> dict[str, tuple[int | None, int]]:
    """Resident memory (KiB) of the leading worker and of Daphne, with their process ids."""
    return {name: (process.pid, rss_kib(process))
            for name, process in (("worker", soak.leader()), ("daphne", soak.daphne))}  # fmt: skip


def rss_kib(process: ManagedProcess) -> int:
    status = Path(f"/proc/{process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


def drift(start: tuple[int | None, int], end: tuple[int | None, int]) -> int | str:
    """Growth of one process over the run; a replaced process (killed leader) has none to give."""
    return end[1] - start[1] if start[0] == end[0] else "replaced during the run"


def display_cookie(env: dict[str, str]) -> str:
    code = (
        "from dashboard.models import Display; print(Display.objects.get(name='Demo TV').claim())"
    )
    return "wb_display=" + manage(env, "shell", "--no-imports", "-c", code).strip()


@pytest.fixture
def soak(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Soak]:
    server = start_redis_server(redis_binary())
    option = request.config.getoption
    env = rig_env(tmp_path, server.url) | {"PBX_RESYNC_SECONDS": "5"}
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo")
    with ProcessGroup(ready_timeout=30) as group:
        rig = Rig(env, group)
        rig.start_sim(env["PBX_CLIENT_SECRET"], TRAFFIC)
        rig.start_worker()
        rig.start_worker(wait_for=None)
        port = free_port()
        daphne = start_daphne(rig, port)
        url, origin = f"ws://127.0.0.1:{port}/ws/board/demo/", f"http://127.0.0.1:{port}"
        fleet = ScreenFleet(url, origin, display_cookie(env), int(option("--soak-screens")))
        rng, down_s = random.Random(int(option("--soak-seed"))), float(option("--soak-pbx-down-s"))
        run = Soak(rig, server, daphne, fleet, rng, down_s)
        with fleet:
            yield run
    run.redis_server.stop()


def next_fault(soak: Soak) -> str:
    """Every kind of fault once, in order, then at random."""
    done, kinds = len(soak.records), list(FAULTS)
    return kinds[done] if done < len(kinds) else soak.rng.choice(kinds)


def test_soak_with_random_faults_ends_true_and_fresh(
    soak: Soak, request: pytest.FixtureRequest
) -> None:
    deadline = time.monotonic() + float(request.config.getoption("--soak-minutes")) * 60
    stop = threading.Event()
    threading.Thread(target=drive, args=(soak, stop), daemon=True).start()
    started = wait_for(lambda: soak.fleet.all_fresh_since(0))
    assert started is not None, soak.fleet.describe()
    soak.rss_start = memory(soak)
    while time.monotonic() < deadline:
        soak.driving.set()
        hold(soak.rng.uniform(5, 15))
        name = next_fault(soak)
        soak.records.append(FAULTS[name](soak))
        recover(soak, name)
    stop.set()
    summary = summarise(soak)
    print("\n" + json.dumps(summary, indent=2))
    assert summary["divergences_at_quiescence"] == [], summary
    assert all(r["fresh_s"] is not None and r["true_s"] is not None for r in soak.records), summary
    assert summary["live_tokens_peak"] <= 2, summary
    assert summary["screens"]["refusals"] == 0, summary


def summarise(soak: Soak) -> dict[str, Any]:
    soak.driving.clear()
    wait_for(lambda: not differences(soak.rig))
    tokens = soak.rig.sim("GET", "state")["tokens"]
    rss_end = memory(soak)
    fresh = [r["fresh_s"] for r in soak.records if r["fresh_s"] is not None]
    true = [r["true_s"] for r in soak.records if r["true_s"] is not None]
    return {
        "faults": soak.records,
        "recoveries": f"{len(true)} of {len(soak.records)}",
        "worst_time_to_fresh_s": max(fresh, default=None),
        "worst_time_to_truth_s": max(true, default=None),
        "divergences_at_quiescence": differences(soak.rig),
        "rss_drift_kib": {name: drift(soak.rss_start[name], rss_end[name]) for name in rss_end},
        "live_tokens_peak": tokens["peak_live"],
        "screens": soak.fleet.totals(),
    }
