"""Call detail records of ended calls, as the PBX writes them (30012 and cdr/list)."""

from pbxsim.records import Call, Cdr, PlainCall


def _seconds(start: float | None, end: float) -> int:
    return 0 if start is None else int(end - start)


def queue_cdr(call: Call, cdr_id: int, now: float, trunk_name: str) -> Cdr:
    """The CDR of a queue call that just ended."""
    answered = call.answered_at is not None
    # An extension that dialled the queue makes an internal call: no trunk, no DID.
    trunk = "" if call.internal else trunk_name
    return Cdr(
        id=cdr_id,
        call_id=call.call_id,
        time_start=call.waiting_since,
        call_from=call.caller,
        call_to=call.agent if answered and call.agent else call.queue.number,
        call_duration=_seconds(call.waiting_since, now),
        talk_duration=_seconds(call.answered_at, now),
        src_trunk_name=trunk,
        dst_trunk_name="",
        status="ANSWERED" if answered else "NO ANSWER",
        type="Internal" if call.internal else "Inbound",
        did_number="" if call.internal else call.queue.did,
        agent_ring_time=_seconds(call.ring_since, call.answered_at or now),
    )


def plain_cdr(call: PlainCall, cdr_id: int, now: float, trunk_name: str) -> Cdr:
    """The CDR of a dialled, internal or monitoring call that just ended."""
    outbound = call.type == "outbound"
    callee = call.legs[-1].number
    return Cdr(
        id=cdr_id,
        call_id=call.call_id,
        time_start=call.started,
        call_from=call.legs[0].number,
        call_to=call.legs[0].number if call.monitors else callee,
        call_duration=_seconds(call.started, now),
        talk_duration=_seconds(call.answered_at, now),
        src_trunk_name="",
        dst_trunk_name=trunk_name if outbound else "",
        status="ANSWERED" if call.answered_at is not None else "NO ANSWER",
        type="Outbound" if outbound else "Internal",
        did_number="",
        agent_ring_time=0,
    )
