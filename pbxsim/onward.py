"""Calls that go on after their queue: callers a key press or the queue's failover sends
elsewhere, and answered calls an agent transfers, blind or attended (docs/pbxsim.md)."""

from collections.abc import Sequence

from pbxsim.directory import QueueDef
from pbxsim.model import CallCentre, snapshot
from pbxsim.plain import consult
from pbxsim.records import (
    Call,
    Conflict,
    Destination,
    Leg,
    Outcome,
    Phase,
    PlainCall,
    TransferReport,
)

# A destination written as this (control API `to`) is the IVR callers pass through.
IVR = "ivr"
# queue/query `fail_dest` values that ring a phone, dial out, or send to a queue; any other
# (voicemail, IVR, a greeting…) is a feature that answers at once.
RINGING_FAILOVERS = {"extension": "extension", "external_num": "external", "queue": "queue"}

Onward = Call | PlainCall


def destination(centre: CallCentre, to: str | None) -> Destination:
    """What `to` names: an extension, a queue, the IVR (None or "ivr"), else an outside number."""
    if to is None or to == IVR:
        return Destination("feature", "")
    if to in centre.queues:
        return Destination("queue", to)
    if to in centre.agents:
        return Destination("extension", to)
    return Destination("external", to)


def failover(queue: QueueDef) -> Destination | None:
    """Where the queue sends a caller who waited its maximum (None: the call ends)."""
    if queue.fail_dest == "end_call" or not queue.fail_dest_value:
        return None
    return Destination(RINGING_FAILOVERS.get(queue.fail_dest, "feature"), queue.fail_dest_value)


def time_out(centre: CallCentre, call_id: str, now: float) -> Onward | None:
    """The caller waited the queue's maximum: timed out, then the failover takes the call (or
    ends it). Returns the call going on, if it does."""
    call = centre.call(call_id)
    going = failover(call.queue)
    if going is None:
        centre.end_unanswered(call_id, Outcome.TIMED_OUT, now)
        return None
    return _send_on(centre, centre.settle(call_id, Outcome.TIMED_OUT, now), going, now)


def key_press(centre: CallCentre, call_id: str, now: float, to: str | None = None) -> Onward:
    """The waiting caller presses the queue's key to leave it (default: for the IVR)."""
    return _send_on(
        centre, centre.settle(call_id, Outcome.TRANSFERRED, now), destination(centre, to), now
    )


def _send_on(centre: CallCentre, call: Call, going: Destination, now: float) -> Onward:
    centre.leave_queue(call, now)
    if _busy(centre, going):
        going = Destination("feature", going.number)  # its voicemail takes the call
    return _go_on(centre, call, going, now, parting=())


def transfer(
    centre: CallCentre, call_id: str, going: Destination, now: float, attended: bool = False
) -> Onward:
    """The agent transfers an answered call (30013). Blind: the agent hangs up and the
    destination rings. Attended: the agent holds the caller, calls the destination (which
    answers), then hangs up, leaving the two together. It stays answered by that agent."""
    call = centre.call(call_id)
    if call.phase is not Phase.TALKING or call.agent is None or call.agent_channel is None:
        raise Conflict(f"call {call_id} is not answered")
    if _busy(centre, going):
        raise Conflict(f"extension {going.number} is busy")
    if attended and going.kind in ("extension", "external"):
        _consult(centre, call, going, now)
    before = call.as_left()
    agent = Leg("extension", call.agent, call.agent_channel, "BYE")
    centre.leave_queue(call, now)
    onward = _go_on(centre, call, going, now, parting=(agent,), answered=attended)
    centre.emit(TransferReport(before, snapshot(onward)))
    return onward


def _busy(centre: CallCentre, going: Destination) -> bool:
    """An extension already in a call."""
    return going.kind == "extension" and centre.agents[going.number].call_id is not None


def _consult(centre: CallCentre, call: Call, going: Destination, now: float) -> None:
    """The agent holds the caller and calls the destination, which answers; that call ends
    when the transfer completes (its destination's phone stays busy, now with the caller)."""
    centre.set_held(call.call_id, "agent", now)
    asked = consult(centre, call.agent or "", going.number, now)
    callee = centre.agents.get(going.number)
    if callee is not None:
        callee.call_id = call.call_id  # the caller's call, once the transfer completes
    centre.end_plain(asked.call_id, now)
    call.held_by = ""


def _go_on(
    centre: CallCentre,
    call: Call,
    going: Destination,
    now: float,
    parting: Sequence[Leg],
    answered: bool = False,
) -> Onward:
    """The call, out of its queue, reaches its destination: another queue waits it; otherwise
    it goes on as a call of no queue until someone hangs up."""
    if going.kind == "queue":
        return centre.requeue(call, centre.queue(going.number), now, parting)
    onward = PlainCall(
        call.call_id, "internal" if call.internal else "inbound", [], now, going.number,
        origin=call.as_left(),
    )  # fmt: skip
    onward.legs = [_caller_leg(call, going, answered), *_far_leg(centre, onward, going, answered)]
    onward.feature = going.number if going.kind == "feature" else None
    onward.answered_at = now if going.kind == "feature" or answered else None
    centre.plain[onward.call_id] = onward
    onward.legs += parting
    centre.emit_plain(onward)
    onward.legs = [leg for leg in onward.legs if leg.status != "BYE"]
    centre.record_queue_call(call, now)  # after the 30011 that shows it gone on
    return onward


def _caller_leg(call: Call, going: Destination, answered: bool) -> Leg:
    """The caller hears ringback while a phone rings for it, else a feature or a person has it."""
    kind = "extension" if call.internal else "inbound"
    rings = going.kind in ("extension", "external") and not answered
    return Leg(kind, call.caller, call.caller_channel, "ALERT" if rings else "ANSWERED")


def _far_leg(
    centre: CallCentre, onward: PlainCall, going: Destination, answered: bool
) -> list[Leg]:
    """The destination's own leg: a phone of the PBX, or an outside number on the trunk."""
    status = "ANSWER" if answered else "RING"
    if going.kind == "extension":
        centre.agents[going.number].call_id = onward.call_id
        if not answered:  # answered: busy already, with the agent who consulted it
            centre.extension_state(going.number, "Ringing")
        return [Leg("extension", going.number, centre.channel(going.number), status)]
    if going.kind == "external":
        trunk = centre.channel(f"trunk-{centre.directory.trunk_name}")
        return [Leg("outbound", going.number, trunk, status)]
    return []
