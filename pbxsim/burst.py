"""Bursts of complete queue calls that emit many 30011 events at once (for benchmarks)."""

from itertools import cycle

from pbxsim.model import CallCentre

# Events per call shape: answered and hung up; rung then abandoned; abandoned while waiting.
ANSWERED, RUNG_AWAY, ABANDONED = 4, 3, 2


def _shape(budget: int, agent_free: bool) -> int:
    """The longest call shape that still leaves a budget every later call can use up exactly."""
    if not agent_free or budget <= ABANDONED:
        return min(budget, ABANDONED)
    return RUNG_AWAY if budget in (3, 5) else ANSWERED


def burst(centre: CallCentre, events: int, now: float) -> int:
    """Run calls through the queues in turn until they made `events` 30011 events; returns calls.

    Calls are real model calls, so REST and ground truth agree with the events. Only an odd
    budget with no free agent leaves one caller waiting (as a scripted call).
    """
    queues, calls = cycle(list(centre.queues)), 0
    while events > 0:
        calls += 1
        call = centre.arrive(next(queues), f"09{calls:08d}", now, scripted=True)
        # Burst calls take no time at all, so wrap-up would starve them: look past it.
        agent = centre.pick_agent(call.queue, now + call.queue.wrap_up_time)
        shape = _shape(events, agent is not None)
        events -= shape
        if shape >= RUNG_AWAY and agent is not None:
            centre.ring(call.call_id, agent.defn.number, now)
        if shape == ANSWERED:
            centre.answer(call.call_id, now)
            centre.hangup(call.call_id, now)
        elif shape > 1:
            centre.abandon(call.call_id, now)
    return calls
