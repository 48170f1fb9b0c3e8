"""Every way a queue call ends lands in its own outcome (docs/design.md#how-a-queue-call-ends),
from the 30011 sequences the reference allows and docs/pbxsim.md's GUESS forms: answered,
abandoned (short or not), timed out to the failover, transferred by its agent (still answered,
and handled by that agent), and sent on by a key press (transferred out)."""

from dataclasses import replace

import pytest

from dashboard.live.agentday import AgentToday
from dashboard.live.agents import Agent, load_agent_status
from dashboard.live.calls import load_active, reconcile_calls
from dashboard.live.cdr import Cdr, apply_cdr
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.figures import agent_state
from dashboard.live.queues import apply_call_event, load_waiting
from dashboard.live.state import LiveState
from dashboard.live.today import QueueDay, Thresholds, Today
from tests.unit.call_query import call_query_entry

SALES, SUPPORT, IVR = "6400", "6401", "6500"
T0 = 1_000_000  # ms
CALL, CONSULT = "1.1", "1.2"


def centre() -> LiveState:
    """Sales (agents 1001–1003, 10 s wrap-up, 600 s maximum wait, the failover ends the call)
    and Support (1004, 1005; 120 s, then 1005's voicemail); 1100 is a supervisor, an agent of
    no queue."""
    live = LiveState()
    live.set_queues({SALES: "Sales", SUPPORT: "Support"})
    for number, agents, max_wait in ((SALES, "1001 1002 1003", 600), (SUPPORT, "1004 1005", 120)):
        queue = live.queues[number]
        queue.wrap_up_s, queue.max_wait_s = 10, max_wait
        queue.agents = {n: Agent(n) for n in agents.split()}
    live.queues[SUPPORT].failover = "1005"
    for number in ("1001", "1002", "1003", "1004", "1005", "1100"):
        live.extension(number).registered_kinds = {"Sip"}
    return live


def caller(status: str, path: str = SALES) -> CallMember:
    return CallMember("inbound", "5550001", "PJSIP/trunk-t-00000001", status, path)


def phone(number: str, status: str, path: str = SALES) -> CallMember:
    return CallMember("extension", number, f"PJSIP/{number}-0000000a", status, path)


def outside(status: str, path: str = SALES) -> CallMember:
    return CallMember("outbound", "0812345678", "PJSIP/trunk-t-0000000b", status, path)


class Run:
    """A live state fed 30011 events in order, with today's figures counted as the worker does."""

    def __init__(self) -> None:
        self.live = centre()
        self.today = Today("2026-12-04", 0)

    def event(self, at_s: float, *members: CallMember, call_id: str = CALL) -> set[str]:
        changed = apply_call_event(self.live, CallEvent(call_id, members), self.ms(at_s))
        self.count()
        return changed

    def count(self) -> None:
        """Take what the core counted into today's figures, as the worker does."""
        for record in self.live.outbox:
            self.today.record(record, Thresholds())
        self.live.outbox.clear()

    def ms(self, at_s: float) -> int:
        return T0 + int(at_s * 1000)

    def queue(self, number: str = SALES) -> QueueDay:
        return self.today.queues.get(number, QueueDay())

    def agent(self, number: str) -> AgentToday:
        return self.today.agent_figures(number)

    def state_of(self, number: str, at_s: float, queue: str = SALES) -> str:
        return agent_state(self.live, self.live.queues[queue].agents[number], self.ms(at_s))

    def waiting(self, queue: str = SALES) -> list[str]:
        return [call.call_id for call in self.live.calls.waiting_in(queue)]


def outcomes(day: QueueDay) -> dict[str, int]:
    names = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "transferred")
    return {name: getattr(day, name) for name in names if getattr(day, name)}


def answered_by_1001(run: Run) -> None:
    run.event(0, caller("ALERT"))
    run.event(2, caller("ALERT"), phone("1001", "RING"))
    run.event(5, caller("ANSWERED"), phone("1001", "ANSWER"))


def test_answered_then_hung_up_is_answered_and_handled_and_its_agent_wraps_up() -> None:
    run = Run()
    answered_by_1001(run)
    run.event(65, caller("BYE"), phone("1001", "BYE"))
    assert outcomes(run.queue()) == {"offered": 1, "answered": 1}
    assert (run.queue().handled, run.queue().talk_ms) == (1, 60_000)
    assert run.agent("1001")["answered"] == 1
    assert run.state_of("1001", 66) == "wrap_up"
    assert run.state_of("1001", 76) == "available"


@pytest.mark.parametrize(("after_s", "counted"), [(3, "short_abandoned"), (30, "abandoned")])
def test_a_caller_who_hangs_up_waiting_abandons_short_or_not(after_s: int, counted: str) -> None:
    run = Run()
    run.event(0, caller("ALERT"))
    run.event(after_s, caller("BYE"))
    assert outcomes(run.queue()) == {"offered": 1, counted: 1}


def test_a_ringing_agent_whose_caller_hangs_up_has_no_wrap_up() -> None:
    """Wrap-up follows a queue call the agent answered (pbxsim, and Asterisk's wrapuptime)."""
    run = Run()
    run.event(0, caller("ALERT"))
    run.event(2, caller("ALERT"), phone("1001", "RING"))
    run.event(9, caller("BYE"), phone("1001", "BYE"))
    assert run.state_of("1001", 10) == "available"


@pytest.mark.parametrize(
    "gone",
    [
        (caller("BYE", SUPPORT),),  # failover end_call: the PBX hangs up on the caller
        (caller("ANSWERED", f"{SUPPORT}-1005"),),  # voicemail of 1005, the whole way shown
        (caller("ANSWERED", "1005"),),  # …or only where it is now
        (caller("ALERT", f"{SUPPORT}-{SALES}"),),  # failover to another queue: it waits there
    ],
)
def test_a_caller_who_waited_the_maximum_times_out_to_the_failover(
    gone: tuple[CallMember, ...],
) -> None:
    run = Run()
    run.event(0, caller("ALERT", SUPPORT))
    run.event(120, *gone)
    assert outcomes(run.queue(SUPPORT)) == {"offered": 1, "timed_out": 1}


@pytest.mark.parametrize("path", [f"{SUPPORT}-1005", "1005"])
def test_a_caller_gone_on_to_the_failover_timed_out_whatever_our_clock_says(path: str) -> None:
    """queue/query names the failover destination: a caller going on there timed out, even if
    the PBX's clock ran ahead of ours (a caller going elsewhere pressed a key)."""
    run = Run()
    run.event(0, caller("ALERT", SUPPORT))
    run.event(10, caller("ANSWERED", path))
    assert outcomes(run.queue(SUPPORT)) == {"offered": 1, "timed_out": 1}


def test_a_caller_failed_over_to_another_queue_is_offered_there() -> None:
    run = Run()
    run.event(0, caller("ALERT", SUPPORT))
    run.event(120, caller("ALERT", f"{SUPPORT}-{SALES}"))
    assert (run.waiting(SUPPORT), run.waiting(SALES)) == ([], [CALL])
    assert outcomes(run.queue(SALES)) == {"offered": 1}


@pytest.mark.parametrize(
    "sent",
    [
        (caller("ANSWERED", f"{SALES}-{IVR}"),),  # to the IVR, `--onward-path dash`
        (caller("ANSWERED", IVR),),  # `--onward-path last`
        (caller("ALERT"), phone("1100", "RING")),  # to an extension: a phone no agent's rings
    ],
)
def test_a_caller_who_presses_a_key_to_leave_is_transferred_out(
    sent: tuple[CallMember, ...],
) -> None:
    run = Run()
    run.event(0, caller("ALERT"))
    assert run.event(30, *sent) == {SALES}
    run.event(40, *(replace(m, status="ANSWER") if m.number == "1100" else m for m in sent))
    run.event(90, caller("BYE", sent[0].call_path))
    assert outcomes(run.queue()) == {"offered": 1, "transferred": 1}
    assert run.waiting() == []


def test_a_caller_who_presses_a_key_for_another_queue_is_transferred_out_there() -> None:
    """Sales' failover ends the call: a caller who moves to Support before the maximum wait
    pressed a key for it (an overflow would be timed out), and waits there."""
    run = Run()
    run.event(0, caller("ALERT"))
    run.event(30, caller("ALERT", f"{SALES}-{SUPPORT}"))
    assert outcomes(run.queue()) == {"offered": 1, "transferred": 1}
    assert (run.waiting(), run.waiting(SUPPORT)) == ([], [CALL])


@pytest.mark.parametrize(("after_s", "outcome"), [(30, "transferred"), (600, "timed_out")])
def test_rest_showing_a_caller_in_another_queue_first_settles_the_first(
    after_s: int, outcome: str
) -> None:
    """queue/call_status lists the caller in Support before its events said it left Sales:
    before Sales' maximum wait, a key press sent it; at it, Sales' failover did."""
    run = Run()
    run.event(0, caller("ALERT"))
    listed = [{"call_id": CALL, "caller_number": "5550001", "duration": 0}]
    load_waiting(run.live, run.live.queues[SUPPORT], listed, run.ms(after_s))
    run.count()
    assert outcomes(run.queue()) == {"offered": 1, outcome: 1}


@pytest.mark.parametrize("end", ["cdr", "hang_up"])
def test_a_caller_rest_set_aside_then_saw_gone_on_is_transferred_out(end: str) -> None:
    """A successor (or a link that was down) missed the key press: queue/call_status no longer
    lists the caller, call/query shows it alive beyond the queue. Whatever tells how the call
    ended next, its unanswered CDR or its caller's hang-up in the IVR, it was sent on, not
    abandoned."""
    run = Run()
    run.event(0, caller("ALERT"))
    load_waiting(run.live, run.live.queues[SALES], [], run.ms(30))
    reconcile_calls(
        run.live, [call_query_entry(CALL, caller("ANSWERED", f"{SALES}-{IVR}"))], run.ms(30)
    )
    if end == "cdr":
        apply_cdr(run.live, Cdr(CALL, T0, "5550001", SALES, 40, 0, False, inbound=True, did=""))
    else:
        run.event(40, caller("BYE", f"{SALES}-{IVR}"))
    run.count()
    assert outcomes(run.queue()) == {"offered": 1, "transferred": 1}


def test_a_key_press_while_an_agent_rings_frees_the_agent() -> None:
    """The ringing agent's leg is no longer listed once the caller left: its phone is idle."""
    run = Run()
    run.event(0, caller("ALERT"))
    run.event(20, caller("ALERT"), phone("1001", "RING"))
    run.event(22, caller("ANSWERED", IVR))  # `--onward-path last`: Sales is off the path
    assert run.state_of("1001", 23) == "available"
    assert outcomes(run.queue()) == {"offered": 1, "transferred": 1}


def blind(run: Run, *after: CallMember) -> None:
    """1001 answered, then transfers: its leg hangs up as the destination takes the caller."""
    answered_by_1001(run)
    run.event(35, *after, phone("1001", "BYE"))


def assert_answered_and_handled_by_1001(run: Run) -> None:
    assert outcomes(run.queue()) == {"offered": 1, "answered": 1}
    assert (run.queue().handled, run.queue().talk_ms) == (1, 30_000)
    assert run.agent("1001")["answered"] == 1
    assert run.state_of("1001", 36) == "wrap_up"
    assert run.live.calls.talking() == {}


@pytest.mark.parametrize("to", ["1002", "1100"])  # an agent of the same queue, or not
def test_a_blind_transfer_to_an_extension_stays_answered_by_the_first_agent(to: str) -> None:
    run = Run()
    blind(run, caller("ALERT"), phone(to, "RING"))
    run.event(40, caller("ANSWERED"), phone(to, "ANSWER"))
    assert_answered_and_handled_by_1001(run)
    assert run.state_of("1002", 41) == ("on_call" if to == "1002" else "available")
    run.event(100, caller("BYE"), phone(to, "BYE"))
    assert outcomes(run.queue()) == {"offered": 1, "answered": 1}
    assert run.state_of("1002", 101) == "available"  # it took no queue call: no wrap-up


@pytest.mark.parametrize(
    "after",
    [
        (caller("ANSWERED", f"{SALES}-{IVR}"),),
        (caller("ANSWERED", IVR),),
        (caller("ALERT"), outside("RING")),
    ],
)
def test_a_blind_transfer_to_an_ivr_or_outside_stays_answered(
    after: tuple[CallMember, ...],
) -> None:
    run = Run()
    blind(run, *after)
    run.event(60, *(replace(m, status="BYE") for m in after))
    assert_answered_and_handled_by_1001(run)
    assert run.waiting() == []


@pytest.mark.parametrize("path", [f"{SALES}-{SUPPORT}", SUPPORT])
def test_a_transfer_to_another_queue_is_offered_there_and_answered_there(path: str) -> None:
    run = Run()
    blind(run, caller("ALERT", path))
    assert_answered_and_handled_by_1001(run)
    assert run.waiting(SUPPORT) == [CALL]
    run.event(50, caller("ANSWERED", path), phone("1004", "ANSWER", path))
    assert outcomes(run.queue(SUPPORT)) == {"offered": 1, "answered": 1}
    assert (run.agent("1001")["answered"], run.agent("1004")["answered"]) == (1, 1)


def test_an_attended_transfer_stays_answered_by_the_first_agent() -> None:
    """1001 holds the caller, calls 1002 on a call of its own, then leaves the two together."""
    run = Run()
    answered_by_1001(run)
    run.event(20, caller("HOLD"), phone("1001", "HOLD"))
    run.event(21, phone("1001", "ALERT", ""), phone("1002", "RING", ""), call_id=CONSULT)
    run.event(25, phone("1001", "ANSWERED", ""), phone("1002", "ANSWER", ""), call_id=CONSULT)
    assert run.state_of("1001", 26) == "on_call"
    run.event(35, phone("1001", "BYE", ""), phone("1002", "BYE", ""), call_id=CONSULT)
    run.event(35, caller("ANSWERED"), phone("1002", "ANSWER"), phone("1001", "BYE"))
    assert_answered_and_handled_by_1001(run)
    assert run.state_of("1002", 36) == "on_call"


def test_an_agent_leg_no_longer_listed_has_left_the_call() -> None:
    """A phone that rang out, or lost a ring-all call, drops out of the members: it is idle
    (before, it stayed ringing until REST said otherwise)."""
    run = Run()
    run.event(0, caller("ALERT"))
    run.event(1, caller("ALERT"), phone("1001", "RING"), phone("1002", "RING"))
    run.event(5, caller("ANSWERED"), phone("1002", "ANSWER"))
    assert (run.state_of("1001", 6), run.state_of("1002", 6)) == ("available", "on_call")
    run.event(40, caller("BYE"), phone("1002", "BYE"))
    assert run.agent("1002")["answered"] == 1


def test_an_agents_own_outgoing_call_keeps_it_on_a_call_until_it_ends() -> None:
    """The agent's leg reads ALERT (it hears ringback), then ANSWERED: busy from the first."""
    run = Run()
    callee = CallMember("outbound", "0812345678", "PJSIP/trunk-t-1", "RING", "")
    run.event(0, phone("1001", "ALERT", ""), callee, call_id="2.1")
    assert run.state_of("1001", 1) == "on_call"
    run.event(3, phone("1001", "ANSWERED", ""), replace(callee, status="ANSWER"), call_id="2.1")
    assert run.state_of("1001", 4) == "on_call"
    run.event(60, phone("1001", "BYE", ""), replace(callee, status="BYE"), call_id="2.1")
    assert run.state_of("1001", 61) == "available"  # not a queue call: no wrap-up
    assert outcomes(run.queue()) == {}


def agent_status(call_status: int) -> list[dict[str, object]]:
    """queue/agent_status for Sales: 1001 in `call_status`, the others idle."""
    codes = {"1001": call_status, "1002": 1, "1003": 1}
    return [{"number": n, "is_login": 1, "is_pause": 0, "call_status": c} for n, c in codes.items()]


@pytest.mark.parametrize(
    ("rest", "status", "corrections"),
    [(2, "hold", []), (5, "hold", []), (1, "idle", ["agent_call_status"])],
)
def test_rest_saying_who_holds_is_no_correction(
    rest: int, status: str, corrections: list[str]
) -> None:
    """30011 shows HOLD on both legs whoever holds; queue/agent_status says 2 (the agent holds)
    or 5 (the caller does): either agrees with the events, and the call stays on hold."""
    run = Run()
    answered_by_1001(run)
    run.event(10, caller("HOLD"), phone("1001", "HOLD"))
    agents = run.live.queues[SALES].agents
    assert load_agent_status(agents, agent_status(rest), run.ms(11)) == corrections
    assert agents["1001"].call_status == status


def test_a_caller_straight_from_its_did_teaches_where_the_did_leads() -> None:
    """What names the queue of an answered call's CDR we did not follow (which names only the
    agent, maybe one of two queues'): learnt from the events, handed over in the ledger."""
    run = Run()
    run.event(0, replace(caller("ALERT"), to="021000100"))
    run.event(0, replace(caller("ALERT", f"{IVR}-{SUPPORT}"), to="021000199"), call_id="1.3")
    assert run.live.did_queues == {"021000100": SALES}


@pytest.mark.parametrize(("answered", "outcome"), [(False, "transferred"), (True, "answered")])
def test_a_call_rest_shows_gone_on_from_a_queue_unseen_is_counted_by_its_cdr(
    answered: bool, outcome: str
) -> None:
    """A successor (or a link that was down) never saw the call; call/query shows its caller
    alive beyond the queue (on to the IVR). Its CDR counts it; unanswered, it was sent on (a
    key press), not abandoned: CDRs alone cannot tell those apart."""
    run = Run()
    gone_on = call_query_entry(CALL, caller("ANSWERED", f"{SALES}-{IVR}"))
    reconcile_calls(run.live, [gone_on], run.ms(0))
    assert outcomes(run.queue()) == {}
    cdr = Cdr(CALL, T0, "5550001", "1001" if answered else SALES, 40, 20 if answered else 0,
              answered, inbound=True, did="")  # fmt: skip
    apply_cdr(run.live, cdr)
    run.count()
    assert outcomes(run.queue()) == {"offered": 1, outcome: 1}


def test_a_call_found_answered_in_another_queue_on_connecting_is_offered_there() -> None:
    """Its agent sent the caller on from Sales to Support, where it was answered, while no
    event reached us: Sales' talk is over, and Support counts a new offer, answered."""
    run = Run()
    answered_by_1001(run)
    active = [{"call_id": CALL, "caller_number": "5550001", "callee_number": "1004"}]
    load_active(run.live, run.live.queues[SALES], [], run.ms(20), connecting=True)
    load_active(run.live, run.live.queues[SUPPORT], active, run.ms(20), connecting=True)
    run.count()
    assert outcomes(run.queue(SUPPORT)) == {"offered": 1, "answered": 1}
    assert outcomes(run.queue()) == {"offered": 1, "answered": 1}


def test_a_successor_shows_a_held_call_on_hold_from_call_query() -> None:
    """It never saw the HOLD: queue/agent_status says 2 (the agent holds), call/query's legs
    say HOLD: the agent's call is on hold, as the events would have shown it."""
    run = Run()
    agents = run.live.queues[SALES].agents
    assert load_agent_status(agents, agent_status(2), run.ms(0)) == ["agent_call_status"]
    run.live.extension("1001").call_state = "Busy"  # its 30008
    held = call_query_entry(CALL, caller("HOLD"), phone("1001", "HOLD"))
    assert reconcile_calls(run.live, [held], run.ms(0)) == ([], {SALES})
    assert agents["1001"].call_status == "hold"


def test_call_query_ends_a_phone_leg_whose_end_was_lost() -> None:
    """A lost BYE leaves a leg behind: call/query (every live call) drops it, so the phone's
    next event no longer counts it."""
    run = Run()
    run.event(0, phone("1001", "ALERT", ""), outside("RING", ""), call_id="2.1")  # its own call
    reconcile_calls(run.live, [], run.ms(30))  # the call is over: its BYE never came
    run.event(31, caller("ALERT"))
    run.event(32, caller("ALERT"), phone("1001", "RING"))
    assert run.state_of("1001", 33) == "ringing"


def test_a_call_rest_shows_answered_twice_and_nothing_counted_is_counted() -> None:
    """REST first shows the call answered: its events may be in flight, so nothing counts yet.
    Shown again a re-read later and still uncounted, its events were lost: counted then, once,
    its wait to come with its CDR."""
    run = Run()
    active = [{"call_id": CALL, "caller_number": "5550001", "callee_number": "1001"}]
    assert load_active(run.live, run.live.queues[SALES], active, run.ms(0)) == ["call_added"]
    run.count()
    assert outcomes(run.queue()) == {}
    assert load_active(run.live, run.live.queues[SALES], active, run.ms(15)) == ["call_counted"]
    assert load_active(run.live, run.live.queues[SALES], active, run.ms(30)) == []
    run.count()
    assert outcomes(run.queue()) == {"offered": 1, "answered": 1}
