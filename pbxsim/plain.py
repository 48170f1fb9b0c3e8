"""Calls that pass no queue: API-dialled calls (call/dial) and monitoring (call/listen)."""

from functools import partial

from pbxsim.model import CallCentre
from pbxsim.records import Agent, Call, Conflict, Leg, Listener, NotFound, PlainCall
from pbxsim.schedule import Schedule

LISTEN_TYPES = ("listen", "whisper", "barge")
# Simulated seconds before a rung phone answers: the supervisor for call/listen, the caller's
# own extension for call/dial, then the callee.
PICK_UP_DELAY = 2.0


def _start(centre: CallCentre, kind: str, extension: str, callee: str, now: float) -> PlainCall:
    """A new call whose first leg rings `extension`'s phone (the PBX calls the extension first)."""
    agent = centre.agent(extension)
    if agent.call_id is not None:
        raise Conflict(f"extension {extension} is busy")
    leg = Leg("extension", extension, centre.channel(extension), "RING")
    call = PlainCall(centre.new_call_id(now), kind, [leg], now, callee)
    centre.plain[call.call_id] = call
    agent.call_id = call.call_id
    centre.emit_plain(call)
    centre.extension_state(extension, "Ringing")
    return call


def dial(centre: CallCentre, caller: str, callee: str, now: float) -> PlainCall:
    """call/dial: ring the caller's extension; `connect` (or, for a queue number,
    `CallCentre.enter_queue`) goes on once it answers."""
    internal = callee in centre.agents or callee in centre.queues
    return _start(centre, "internal" if internal else "outbound", caller, callee, now)


def consult(centre: CallCentre, extension: str, callee: str, now: float) -> PlainCall:
    """An agent already in a call places a second one from its phone (an attended transfer's
    consultation): it hears ringback while the callee rings, and the callee answers."""
    agent = centre.agents.get(callee)
    legs = [
        Leg("extension", extension, centre.channel(extension), "ALERT"),
        _callee_leg(centre, callee),
    ]
    call = PlainCall(
        centre.new_call_id(now), "internal" if agent else "outbound", legs, now, callee
    )
    centre.plain[call.call_id] = call
    if agent is not None:
        agent.call_id = call.call_id
        centre.extension_state(callee, "Ringing")
    centre.emit_plain(call)
    _pick_up(centre, call, now)
    return call


def _callee_leg(centre: CallCentre, callee: str) -> Leg:
    """The called number's leg, ringing: its extension's phone, else an outside number dialled
    on the trunk."""
    if callee in centre.agents:
        return Leg("extension", callee, centre.channel(callee), "RING")
    return Leg("outbound", callee, centre.channel(f"trunk-{centre.directory.trunk_name}"), "RING")


def connected_at(now: float, auto: bool) -> float:
    """When the caller's own phone answers a call/dial ring (at once with auto-answer)."""
    return now if auto else now + PICK_UP_DELAY


def connect(centre: CallCentre, call_id: str, now: float) -> bool:
    """The caller answered: it hears ringback while the callee rings (on a busy phone as call
    waiting); False if that failed (gone, or the callee is the caller or busy twice over)."""
    call = centre.plain.get(call_id)
    if call is None or len(call.legs) != 1:
        return False
    caller = call.legs[0]
    callee = centre.agents.get(call.callee)
    if callee is not None and (callee.call_id == call_id or callee.waiting_call is not None):
        centre.end_plain(call_id, now)
        return False
    caller.status = "ALERT"
    call.legs.append(_callee_leg(centre, call.callee))
    centre.extension_state(caller.number, "Busy")
    if callee is not None and callee.call_id is not None:
        # Call waiting: the busy phone beeps; its 30008 stays Busy (§5.3 call_status 4).
        callee.waiting_call = call_id
    elif callee is not None:
        callee.call_id = call_id
        centre.extension_state(call.callee, "Ringing")
    centre.emit_plain(call)
    return True


def progress(
    centre: CallCentre, schedule: Schedule, call_id: str, now: float, talk: float, auto: bool
) -> None:
    """Schedule a dialled call's life: the caller answers (at once if `auto`), the callee rings
    and answers, they talk for `talk` seconds, the call ends."""
    connected = connected_at(now, auto)
    answered = connected + PICK_UP_DELAY

    def _connect(at: float) -> None:
        if connect(centre, call_id, at):
            schedule.at(answered, partial(pick_up, centre, call_id))
            schedule.at(answered + talk, partial(_end_if_live, centre, call_id))

    schedule.at(connected, _connect)


def _end_if_live(centre: CallCentre, call_id: str, now: float) -> None:
    if call_id in centre.plain:
        centre.end_plain(call_id, now)


def _answerer(centre: CallCentre, call: PlainCall) -> Agent | None:
    """The extension whose pick-up answers the call (None: an outbound trunk leg)."""
    if call.monitors:
        return centre.agents[call.legs[0].number]
    if len(call.legs) < 2:
        raise Conflict(f"call {call.call_id} has not reached its callee yet")
    return centre.agents.get(call.legs[1].number) if call.legs[1].kind == "extension" else None


def pick_up(centre: CallCentre, call_id: str, now: float) -> None:
    """When due: the callee of a dialled call answers (or the supervisor answers a monitoring
    call), unless its phone does not answer by itself or is still busy (call waiting)."""
    call = centre.plain.get(call_id)
    if call is None or call.answered_at is not None:
        return
    agent = _answerer(centre, call)
    if agent is None or (agent.auto_answer and agent.call_id == call_id):
        _pick_up(centre, call, now)


def answer_by_hand(centre: CallCentre, call_id: str, now: float) -> None:
    """The control API: the rung extension of a non-queue call answers now."""
    call = centre.plain.get(call_id)
    if call is None:
        raise NotFound(f"no live call {call_id}")
    agent = _answerer(centre, call)
    if call.answered_at is not None or (agent is not None and agent.call_id != call_id):
        raise Conflict(f"call {call_id} is answered already or its callee is busy")
    _pick_up(centre, call, now)


def _pick_up(centre: CallCentre, call: PlainCall, now: float) -> None:
    call.answered_at = now
    call.legs[0].status = "ANSWER" if call.monitors else "ANSWERED"
    if len(call.legs) > 1:
        call.legs[1].status = "ANSWER"
    for leg in call.legs:
        if leg.kind == "extension":
            centre.extension_state(leg.number, "Busy")
    centre.emit_plain(call)
    if call.monitors:
        _listener_answered(centre, call)


def _listener_answered(centre: CallCentre, monitor: PlainCall) -> None:
    target = centre.find_channel(monitor.monitors or "")
    if target is None:
        return
    for listener in target.listeners:
        if listener.call_id == monitor.call_id:
            listener.answered = True
    centre.emit_any(target)


def extension_channels(call: Call | PlainCall) -> set[str]:
    """The channel IDs of a call's extension members (what may be monitored)."""
    if isinstance(call, Call):
        return {call.agent_channel} if call.agent_channel else set()
    return {leg.channel for leg in call.legs if leg.kind == "extension"}


def listen(centre: CallCentre, supervisor: str, channel: str, now: float) -> PlainCall:
    """call/listen: ring the supervisor's extension; once answered it monitors `channel`."""
    target = centre.find_channel(channel)
    if target is None or channel not in extension_channels(target):
        raise NotFound(f"no extension channel {channel}")
    monitor = _start(centre, "internal", supervisor, channel, now)
    monitor.monitors = channel
    target.listeners.append(Listener(supervisor, monitor.legs[0].channel, monitor.call_id))
    return monitor
