"""Property-based tests: no frame, payload or event order can crash the parser or the reducer,
and the live state stays consistent whatever the PBX sends."""

import json
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.live.agents import Agent
from dashboard.live.events import HeartbeatReply, Malformed, PbxEvent, SubscribeReply, parse_frame
from dashboard.live.figures import AGENT_STATES
from dashboard.live.outcomes import Offered, Settled
from dashboard.live.reduce import HANDLERS, apply_event
from dashboard.live.state import LiveState
from dashboard.live.today import Today
from dashboard.live.view import queue_data

QUEUES = ("6400", "6401")
AGENTS = ("1001", "1002", "1003")
CALLERS = ("5550001", "5550002")
START_MS = 1_764_000_000_000

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


def fresh_state() -> LiveState:
    state = LiveState()
    state.set_queues({"6400": "Sales", "6401": "Support"})
    for queue in state.queues.values():
        queue.wrap_up_s, queue.max_wait_s = 10, 120
        queue.agents = {number: Agent(number, kind="dynamic") for number in AGENTS}
    return state


@given(st.text(max_size=500) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_no_text_frame_crashes_the_parser(text: str) -> None:
    assert isinstance(parse_frame(text), HeartbeatReply | SubscribeReply | PbxEvent | Malformed)


@given(json_values, st.booleans())
def test_any_json_as_frame_or_msg_is_parsed_or_marked_malformed(
    value: Any, as_string: bool
) -> None:
    as_frame = parse_frame(json.dumps(value))
    msg = json.dumps(value) if as_string else value
    as_event = parse_frame(json.dumps({"type": 30011, "sn": "1", "msg": msg}))
    assert isinstance(as_frame, HeartbeatReply | SubscribeReply | PbxEvent | Malformed)
    assert isinstance(as_event, PbxEvent) == isinstance(value, dict)


def test_a_truncated_or_huge_frame_is_malformed_not_fatal() -> None:
    frame = json.dumps({"type": 30011, "msg": json.dumps({"call_id": "1", "members": []})})
    for cut in range(len(frame)):
        parse_frame(frame[:cut])
    huge = json.dumps({"type": 30011, "msg": {"call_id": "x" * 2_000_000, "members": []}})
    assert isinstance(parse_frame(huge), PbxEvent)


@settings(max_examples=300)
@given(st.sampled_from(sorted(HANDLERS)), st.dictionaries(st.text(max_size=12), json_values))
def test_no_payload_of_a_known_event_crashes_the_reducer(event_type: int, msg: Any) -> None:
    state = fresh_state()
    apply_event(state, PbxEvent(event_type, msg), START_MS)
    assert_consistent(state, START_MS)


def member(kind: str, number: str, status: str, path: str) -> dict[str, Any]:
    field = {"extension": "number", "inbound": "from"}[kind]
    body = {field: number, "channel_id": f"PJSIP/{number}-1", "member_status": status}
    return {kind: {**body, "call_path": path}}


call_events = st.builds(
    lambda call_id, caller, caller_status, path, agent, agent_status: {
        "call_id": call_id,
        "members": [member("inbound", caller, caller_status, path)]
        + ([member("extension", agent, agent_status, path)] if agent else []),
    },
    st.sampled_from(("c1", "c2", "c3")),
    st.sampled_from(CALLERS),
    st.sampled_from(("ALERT", "RING", "ANSWERED", "ANSWER", "HOLD", "BYE")),
    st.sampled_from((*QUEUES, "6500-6400", "6400-6401", "6400-8000", "")),
    st.sampled_from((*AGENTS, "")),
    st.sampled_from(("RING", "ANSWER", "HOLD", "BYE")),
)
agent_events = st.builds(
    lambda queue, agent, status: {"queue_number": queue, "agent_number": agent, "status": status},
    st.sampled_from((*QUEUES, *(f"queue-{q}" for q in QUEUES))),
    st.sampled_from(AGENTS),
    st.sampled_from(("Paused", "Unpaused", "Logged In", "Logged Out", "Busy")),
)
events = st.one_of(
    st.tuples(st.just(30011), call_events),
    st.tuples(st.just(30029), agent_events),
    st.tuples(st.just(30026), agent_events),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(events, st.integers(0, 200_000)), max_size=40))
def test_any_order_of_plausible_events_keeps_the_state_consistent(
    steps: list[tuple[tuple[int, dict[str, Any]], int]],
) -> None:
    """Duplicated, reordered and contradictory events: counts never go negative, a caller waits
    in one queue at most, and a call settles at most once per queue it was offered to."""
    state, now = fresh_state(), START_MS
    for (event_type, msg), elapsed in steps:
        now += elapsed
        apply_event(state, PbxEvent(event_type, msg), now)
        assert_consistent(state, now)
    settled = Counter((r.queue, r.call_id) for r in state.outbox if isinstance(r, Settled))
    assert all(count <= offers(state, queue, call) for (queue, call), count in settled.items())


def offers(state: LiveState, queue: str, call_id: str) -> int:
    """How often the outbox counted this call as offered to this queue."""
    return sum(1 for record in state.outbox if record == Offered(queue, call_id))


def assert_consistent(state: LiveState, now_ms: int) -> None:
    waiting = [(q, c) for q in state.queues for c in state.calls.waiting_in(q)]
    assert all((c.phase, c.queue) == ("waiting", q) for q, c in waiting)
    assert all(count == 1 for count in Counter(c.call_id for _, c in waiting).values())
    today = Today("2026-11-26", START_MS)
    for queue in state.queues.values():
        data = queue_data(state, today, queue, now_ms)
        figures = data["figures"]
        assert figures["waiting"] == len(data["waiting"])
        assert sum(figures[name] for name in AGENT_STATES) == len(queue.agents)
        assert all(caller["since"] <= now_ms for caller in data["waiting"])
        json.dumps(data)  # a board must always be able to receive it
