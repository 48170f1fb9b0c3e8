"""Every way a queue call ends, over real sockets: after answered calls, abandons, key presses,
a failover and agents' transfers (blind, attended; to an extension, a queue, the IVR, outside),
the board's today figures and each agent's answered and missed calls equal the simulator's
ground truth (`/_sim/state`), and nobody is left waiting."""

from typing import Any

import pytest

from tests.integration.stack import Rig, wait_until
from tests.integration.test_live_state import published

pytestmark = pytest.mark.integration

SALES, SUPPORT = "6400", "6401"
OUTCOMES = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "transferred")


Step = tuple[str, dict[str, Any] | None]


def call(rig: Rig, *steps: Step, queue: str = SALES) -> None:
    """A scripted caller, then each control action on its call in turn."""
    call_id = rig.sim("POST", "calls", {"queue": queue, "caller": "5550061"})["call_id"]
    for action, body in steps:
        rig.sim("POST", f"calls/{call_id}/{action}", body)


def board_today(rig: Rig, queue: str) -> dict[str, int]:
    today = published(rig, queue)["today"]
    # The simulator's `abandoned` counts short abandons too.
    return {
        **{k: today[k] for k in OUTCOMES},
        "abandoned": today["abandoned"] + today["short_abandoned"],
    }


def truth_today(rig: Rig, queue: str) -> dict[str, int]:
    (truth,) = (q for q in rig.sim("GET", "state")["queues"] if q["number"] == queue)
    return {k: truth["today"][k] for k in OUTCOMES}


def agents_today(rig: Rig) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each agent's answered and missed calls, on the board (any queue's row) and in truth."""
    board = {
        agent["number"]: {k: agent["today"][k] for k in ("answered", "missed")}
        for queue in (SALES, SUPPORT)
        for agent in published(rig, queue)["agents"]
    }
    truth = {
        a["number"]: a["today"] for a in rig.sim("GET", "state")["agents"] if a["number"] in board
    }
    return board, truth


def every_way_a_call_ends(rig: Rig) -> None:
    """Ten Sales calls and a Support call, one after the other, scripted to the end."""
    answer, hangup = ("answer", {"agent": "1001"}), ("hangup", None)
    call(rig, answer, hangup)
    call(rig, ("abandon", None))
    call(rig, ("transfer", None), hangup)  # a key press: on to the IVR
    call(rig, ("transfer", {"to": "1100"}), ("answer", None), hangup)  # …or to an extension
    call(rig, ("ring", {"agent": "1002"}), ("ring_out", None), ("abandon", None))
    call(rig, answer, ("transfer", {"to": "1002"}), ("answer", None), hangup)
    call(rig, answer, ("transfer", {"to": "1002", "attended": True}), hangup)
    call(rig, answer, ("transfer", {"to": "ivr"}), hangup)
    call(rig, answer, ("transfer", {"to": "0812345678"}), ("answer", None), hangup)
    call(rig, answer, ("transfer", {"to": SUPPORT}), ("answer", {"agent": "1004"}), hangup)
    # Support's failover is 1005's voicemail: the board tells the timeout by where the caller
    # goes (queue/query's fail_dest_value), not by how long it waited by our clock.
    call(rig, ("timeout", None), hangup, queue=SUPPORT)


def test_todays_figures_equal_the_truth_after_every_way_a_call_ends(idle_rig: Rig) -> None:
    rig = idle_rig
    rig.env["PBX_RESYNC_SECONDS"] = "2"  # REST re-reads all along: none may cost or add a count
    rig.start_worker()
    every_way_a_call_ends(rig)

    def settled() -> bool:
        """the board's today figures and agents' calls equal the truth, nobody waiting"""
        board, truth = agents_today(rig)
        return board == truth and all(
            board_today(rig, q) == truth_today(rig, q) and not published(rig, q)["waiting"]
            for q in (SALES, SUPPORT)
        )

    wait_until(settled)
    expected = {"offered": 10, "answered": 6, "abandoned": 2, "short_abandoned": 2,
                "timed_out": 0, "transferred": 2}  # fmt: skip
    assert truth_today(rig, SALES) == expected
    assert truth_today(rig, SUPPORT) == {**dict.fromkeys(OUTCOMES, 0), "offered": 2,
                                         "answered": 1, "timed_out": 1}  # fmt: skip
    truth = agents_today(rig)[1]
    assert (truth["1001"], truth["1002"]) == (
        {"answered": 6, "missed": 0},
        {"answered": 0, "missed": 1},
    )
