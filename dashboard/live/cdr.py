"""Call detail records into queue outcomes: a call the events left open is settled by its CDR,
and a day's CDRs rebuild the counters of a worker that starts mid-day.

CDRs come in two shapes (docs/yeastar-api.md), each read by its own parser into one `Cdr`:

- 30012 (§4.2, `parse_cdr`): `call_id`, `time_start` (local time), `call_duration`,
  `talk_duration`, `status`, `type`, `call_from`/`call_to` as bare numbers;
- a `cdr/list` row (§5.6b, Yeastar's "Query CDR List", `parse_cdr_row`): `id`, `uid` (the
  CDR's own ID), `time` (local time, in the PBX's display format) and `timestamp` (epoch
  seconds), `duration`, `ring_duration`, `talk_duration`, `disposition`, `call_type`,
  `did_number`, and `call_from`/`call_to` as "the number and name" (`"Queue CC_Team<6400>"`).
  No call id: which call a row is must be worked out (`identify`)."""

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.live.call import QueueCall
from dashboard.live.fields import seconds, text
from dashboard.live.outcomes import Handled, Offered, Outcome, Record, Settled, Told
from dashboard.live.queues import moved_outcome
from dashboard.live.state import LiveState, QueueState

ANSWERED = "ANSWERED"
INBOUND = "inbound"
# Local times as the PBX may write them: 30012's form first, then the display formats the PBX
# offers (System > Date and Time > Display Format), which cdr/list's `time` follows (a live PBX
# wrote "04/27/2026 18:41:34"). GUESS: day/month/year only where month/day/year cannot be.
TIME_FORMATS = tuple(
    f"{date} {clock}"
    for date in ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y")
    for clock in ("%H:%M:%S", "%I:%M:%S %p")
)
# A sane `timestamp`: epoch seconds (ten digits, 2001 to 2286), not milliseconds or junk.
SANE_EPOCH_S = range(1_000_000_000, 10_000_000_000)
# UTC-12 … UTC+14: how far a local time can be from the instant it names.
MAX_ZONE_OFFSET_MS = 14 * 3_600_000
_LABEL = re.compile(r"<([^<>]*)>\s*$")


@dataclass(frozen=True)
class Cdr:
    call_id: str
    start_ms: int  # the PBX's start of the call
    call_from: str  # numbers: a row's "name<number>" labels are reduced to the number
    call_to: str  # an unanswered queue call's queue; once answered, the agent (or the queue)
    call_s: int  # start → end
    talk_s: int  # answer → end
    answered: bool
    inbound: bool
    did: str
    # A cdr/list row that gave its CDR's `uid` but no `call_id`: `call_id` holds the uid until
    # `identify` finds which call it is (GUESS: the uid is not the call id; docs/pbxsim.md).
    uid_only: bool = False

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.call_s * 1000

    @property
    def start_s(self) -> int:
        return self.start_ms // 1000


def parse_cdr(msg: Mapping[str, Any], zone: str) -> Cdr | None:
    """Read a 30012 payload; None without a call id or a start time."""
    call_id = text(msg.get("call_id"))
    start_ms = _pushed_start_ms(call_id, local_ms(msg.get("time_start"), zone))
    if start_ms is None or not call_id:
        return None
    talk_s = seconds(msg.get("talk_duration")) or 0
    return Cdr(
        call_id=call_id,
        start_ms=start_ms,
        call_from=number_of(msg.get("call_from")),
        call_to=number_of(msg.get("call_to")),
        call_s=max(talk_s, seconds(msg.get("call_duration")) or 0),
        talk_s=talk_s,
        answered=text(msg.get("status")).upper() == ANSWERED,
        # The reference's table says lowercase, its example and real code capitalised.
        inbound=text(msg.get("type")).lower() == INBOUND,
        did=text(msg.get("did_number")),
    )


def _pushed_start_ms(call_id: str, local: int | None) -> int | None:
    """A 30012's start: its call id's leading seconds, the instant the call began (the
    reference's example: "1651057476.362" began at "2022-04-27 19:04:36", +08:00), when they
    are a sane epoch no further from `time_start` than a time zone can put it; else
    `time_start` read in the PBX's zone. For the reasons `timestamp` is preferred in a row,
    and so that a call's 30012 and its row agree on when it began whatever `TIME_ZONE` says
    (the read-back after a gap starts from the newest 30012's end)."""
    began = started_s(call_id)
    if began is None or began not in SANE_EPOCH_S:
        return local
    if local is not None and abs(began * 1000 - local) > MAX_ZONE_OFFSET_MS:
        return local
    return began * 1000


def parse_cdr_row(row: object, zone: str) -> Cdr | None:
    """Read one row of a `cdr/list` reply; None for a row we cannot use (not an object, no
    `uid` nor `call_id`, no start time). Numbers may come as text or integers; every other
    field may be missing (durations then count 0, `duration` = ring + talk)."""
    if not isinstance(row, Mapping):
        return None
    # The guide's rows name the CDR (`uid`), not the call; some firmware adds the call id.
    call_id, uid = text(row.get("call_id")), text(row.get("uid"))
    start_ms = _row_start_ms(row, zone)
    if start_ms is None or not (call_id or uid):
        return None
    talk_s = seconds(row.get("talk_duration")) or 0
    call_s = seconds(row.get("duration"))
    if call_s is None:
        call_s = (seconds(row.get("ring_duration")) or 0) + talk_s
    return Cdr(
        call_id=call_id or uid,
        start_ms=start_ms,
        # Some firmware adds the bare numbers (`call_from_number`, in public code reading a
        # live PBX's rows): taken when given, else the guide's "number and name" reduced.
        call_from=text(row.get("call_from_number")) or number_of(row.get("call_from")),
        call_to=text(row.get("call_to_number")) or number_of(row.get("call_to")),
        call_s=max(call_s, talk_s),
        talk_s=talk_s,
        answered=text(row.get("disposition")).upper() == ANSWERED,
        inbound=text(row.get("call_type")).lower() == INBOUND,
        did=text(row.get("did_number")),
        uid_only=not call_id,
    )


def _row_start_ms(row: Mapping[str, Any], zone: str) -> int | None:
    """The call's start: `timestamp` when it is sane, else `time` read in the PBX's zone.
    The timestamp is preferred because it is an instant: it needs neither `TIME_ZONE` to be
    the PBX's zone, nor the PBX's display format (which `time` follows), nor a guess in the
    hour a clock change repeats; and it is the leading seconds of the call's id, which is how
    a row is matched with a call the events counted (`identify`)."""
    stamp = seconds(row.get("timestamp"))
    if stamp is not None and stamp in SANE_EPOCH_S:
        return stamp * 1000
    return local_ms(row.get("time"), zone)


def local_ms(value: object, zone: str) -> int | None:
    """A local time of the PBX (any display format it offers) as epoch ms; None if unreadable."""
    written = text(value)
    for time_format in TIME_FORMATS:
        try:
            local = datetime.strptime(written, time_format)
        except ValueError:
            continue
        return int(local.replace(tzinfo=ZoneInfo(zone)).timestamp() * 1000)
    return None


def number_of(label: object) -> str:
    """The number in a CDR's caller or callee: `"Queue CC_Team<6400>"` and `"6400"` are both
    "6400"; a name alone stays as it is (it names no queue or agent)."""
    written = text(label)
    match = _LABEL.search(written)
    if match is None:
        return written
    return match.group(1).strip() or written[: match.start()].strip()


def learn_did(state: LiveState, cdr: Cdr, queue: str) -> None:
    """Where the CDR's DID leads, unless known: a CDR names the queue a call ended in, which
    is not where its DID leads if an agent or a key press sent it on from another queue (the
    events, which show the whole path, correct it: calls.learn_did)."""
    if cdr.did:
        state.did_queues.setdefault(cdr.did, queue)


def _learn_dids(state: LiveState, cdrs: Iterable[Cdr]) -> None:
    """Where each DID leads, from CDRs naming a queue: the queue most of its calls ended in."""
    named: dict[str, Counter[str]] = {}
    for cdr in cdrs:
        if cdr.inbound and cdr.did and cdr.call_to in state.queues:
            named.setdefault(cdr.did, Counter())[cdr.call_to] += 1
    for did, queues in named.items():
        state.did_queues.setdefault(did, queues.most_common(1)[0][0])


def queue_of(state: LiveState, cdr: Cdr) -> QueueState | None:
    """The queue an inbound call went through: the one we followed it in (waiting, answered,
    or first seen answered); the only queue of the agent who answered it; the one it names (an
    unanswered CDR's `call_to`); or the one its DID leads to. None for calls that passed no
    queue we can name."""
    if not cdr.inbound:
        return None
    call = state.calls.get(cdr.call_id)
    # An answering agent of one queue answered it there, wherever its DID leads.
    candidates = (
        call.followed_in if call else None,
        _only_queue_of(state, cdr.call_to) if cdr.answered else None,
        _named_queue(state, cdr),
    )
    return next((state.queues[c] for c in candidates if c and c in state.queues), None)


def _named_queue(state: LiveState, cdr: Cdr) -> str | None:
    """The queue the CDR itself names: its callee, or the queue its DID leads to."""
    return cdr.call_to if cdr.call_to in state.queues else state.did_queues.get(cdr.did)


def _only_queue_of(state: LiveState, agent: str) -> str | None:
    queues = [queue.number for queue, _ in state.memberships(agent)]
    return queues[0] if len(queues) == 1 else None


def waited_ms(cdr: Cdr) -> int:
    return (cdr.call_s - cdr.talk_s if cdr.answered else cdr.call_s) * 1000


def told_by(cdr: Cdr, queue: QueueState) -> Told:
    """The whole call as the CDR tells it. Abandoned and transferred-out calls both read
    NO ANSWER: one that waited the queue's maximum is timed out, the rest abandoned."""
    outcome: Outcome = "abandoned"
    if cdr.answered:
        outcome = "answered"
    elif queue.max_wait_s and cdr.call_s >= queue.max_wait_s - 1:
        outcome = "timed_out"
    # Answered, `call_to` is the agent; a PBX that names the queue there names no agent.
    agent = cdr.call_to if cdr.answered and cdr.call_to != queue.number else ""
    return Told(
        Offered(queue.number, cdr.call_id),
        Settled(queue.number, cdr.call_id, outcome, waited_ms(cdr), agent),
        Handled(queue.number, cdr.call_id, agent, cdr.talk_s * 1000) if cdr.answered else None,
    )


# Which call a CDR is. 30012 and rows with a `call_id` say it. A row with only its `uid` does
# not (the guide calls it "the unique ID of the CDR"; a live PBX's was "20260427184134D5F8F"
# beside its call's "1777304494.97"), so the call is found by what both sides know, best first:
#
# - its fingerprint, the key made of its start second, caller and duration (`fingerprint`):
#   a call closed by a CDR is closed under that key too (`apply_cdr`), and a call known only
#   by a row is kept under it, so a late 30012 of that call finds it as well;
# - a call that started within a second (a call id's leading seconds are its start: the
#   reference's 30012 example "1651057476.362" began at 1651057476) with the same caller;
# - for a record without a caller (handed over by a predecessor's ledger): the same start
#   second and, closed, the same end second, in the same queue where both name one.
#
# A row that matches nothing is a call we never counted: counted whole, under its fingerprint.


FINGERPRINT = "cdr:"


def fingerprint(start_s: int, caller: str, call_s: int) -> str:
    """The key of a call known only by a CDR without its call id."""
    return f"{FINGERPRINT}{start_s}:{caller}:{call_s}"


def started_s(key: str) -> int | None:
    """When the call a record's key names started, on the PBX's clock (None if it does not
    say): "1651057476.362" and "cdr:1651057476:…" both started at 1651057476."""
    head = key.removeprefix(FINGERPRINT).replace(":", ".").partition(".")[0]
    return int(head) if head.isdigit() else None


class Known:
    """The calls we follow or counted by their call ids, by the second they started, indexed
    once for a batch of CDRs (rebuilding a day, reading back after a gap; one CDR alone is a
    batch of one): a record replaced meanwhile is read afresh, one added meanwhile comes from a
    CDR (found by its `fingerprint`), and a call one CDR of the batch was found to be is not
    another's."""

    def __init__(self, state: LiveState) -> None:
        self._state = state
        self._by_second: dict[int, list[str]] | None = None
        self._claimed: set[str] = set()

    def find(self, cdr: Cdr, queue: str | None) -> str | None:
        """The call id of the call the CDR is, among those that started within a second."""
        found = next(
            (c.call_id for c in self._near(cdr.start_s) if _same_call(c, cdr, queue)), None
        )
        if found is not None:
            self._claimed.add(found)
        return found

    def _near(self, second: int) -> Iterator[QueueCall]:
        """Calls (by call id: fingerprints are looked up by themselves) that started in this
        second, then a second either side, none already claimed."""
        if self._by_second is None:
            self._by_second = {}
            for record in self._state.calls.records():
                start = started_s(record.call_id)
                if start is not None and not record.call_id.startswith(FINGERPRINT):
                    self._by_second.setdefault(start, []).append(record.call_id)
        for start in (second, second - 1, second + 1):
            for call_id in self._by_second.get(start, ()):
                call = self._state.calls.get(call_id)
                if call is not None and call_id not in self._claimed:
                    yield call


def identify(state: LiveState, cdr: Cdr, known: Known | None = None) -> Cdr:
    """The CDR under the key of the call it is: its own call id (30012, or a row that gives
    it) unless only a row's fingerprint knows that call; for a row with only its uid, the call
    it matches (the uid itself when it is that call's id), else its fingerprint."""
    if not cdr.uid_only:
        if state.calls.get(cdr.call_id) is not None:
            return cdr
        return replace(cdr, call_id=_fingerprinted(state, cdr) or cdr.call_id)
    named = _named_queue(state, cdr)
    by_uid = state.calls.get(cdr.call_id)  # GUESS switch --cdr-uid-style call_id: it is
    if by_uid is not None and _same_call(by_uid, cdr, named):
        return replace(cdr, uid_only=False)
    key = _fingerprinted(state, cdr) or (known or Known(state)).find(cdr, named)
    return replace(cdr, call_id=key or fingerprint(cdr.start_s, cdr.call_from, cdr.call_s))


def _fingerprinted(state: LiveState, cdr: Cdr) -> str | None:
    """The key of a call already known only by a row's fingerprint (a second's leeway)."""
    for start in (cdr.start_s, cdr.start_s - 1, cdr.start_s + 1):
        for call_s in (cdr.call_s, cdr.call_s - 1, cdr.call_s + 1):
            key = fingerprint(start, cdr.call_from, call_s)
            if state.calls.get(key) is not None:
                return key
    return None


def _same_call(call: QueueCall, cdr: Cdr, queue: str | None) -> bool:
    """Whether a call we know (that started within a second of the CDR) is the CDR's call: the
    same caller; else (a record that keeps no caller: one a predecessor handed over) the same
    start and, closed, the same end, to the second, in the same queue where both name one."""
    caller = call.caller or (call.talk.caller if call.talk else "")
    if caller and cdr.call_from:
        return caller == cdr.call_from
    if started_s(call.call_id) != cdr.start_s:
        return False
    if call.phase == "closed" and call.ended_ms // 1000 != cdr.end_ms // 1000:
        return False
    return not (call.queue and queue) or call.queue == queue


def apply_cdr(state: LiveState, cdr: Cdr, known: Known | None = None) -> set[str]:
    """A call is over (30012, or a `cdr/list` row read back). Count what its events left open
    and close it, so that late events cannot count it again. Returns the queues whose data
    changed."""
    if not cdr.inbound:  # no queue call
        return set()
    cdr = identify(state, cdr, known)
    queue = queue_of(state, cdr)
    if queue is None:
        return set()
    before = state.calls.get(cdr.call_id)
    elsewhere = _ended_elsewhere(state, cdr, before)
    if before is not None and elsewhere is not None:
        wait_ms = cdr.end_ms - before.since_ms
        left = moved_outcome(state.queues[before.queue], elsewhere.number, wait_ms)
        state.calls.close_elsewhere(cdr.call_id, cdr.end_ms, left, told_by(cdr, elsewhere))
        return {before.queue, elsewhere.number}
    if state.calls.close(cdr.call_id, cdr.end_ms, told_by(cdr, queue)) is not None:
        return set()
    learn_did(state, cdr, queue.number)
    if not cdr.call_id.startswith(FINGERPRINT):
        # Its row in cdr/list may name only the CDR: keep it closed under the row's key too
        # (counting nothing), for a read-back here or at a successor (the ledger keeps it).
        key = fingerprint(cdr.start_s, cdr.call_from, cdr.call_s)
        state.calls.close_unseen(key, queue.number, cdr.end_ms)
    live = before is not None and before.phase in ("waiting", "aside", "talking")
    return {queue.number} if live else set()


def _ended_elsewhere(state: LiveState, cdr: Cdr, call: QueueCall | None) -> QueueState | None:
    """The queue the CDR ends the call in, when we followed it waiting, talking or ended in
    another (an agent or a key press sent it on while no event reached us): unanswered, the
    queue it names; answered, the only queue of its agent, if that agent serves none where
    we followed it. A call a predecessor handed over without its queue is not one."""
    if call is None or call.phase == "closed" or call.queue not in state.queues:
        return None
    if not cdr.answered:
        number = cdr.call_to if cdr.call_to in state.queues else None
    elif call.queue in {queue.number for queue, _ in state.memberships(cdr.call_to)}:
        return None
    else:
        number = _only_queue_of(state, cdr.call_to)
    return state.queues.get(number) if number and number != call.queue else None


def apply_cdrs(state: LiveState, cdrs: Iterable[Cdr]) -> set[str]:
    """`apply_cdr` for CDRs read back after a gap, oldest first, the calls we know indexed
    once (not once per CDR)."""
    known = Known(state)
    changed: set[str] = set()
    for cdr in sorted(cdrs, key=lambda cdr: cdr.end_ms):
        changed |= apply_cdr(state, cdr, known)
    return changed


def rebuild(state: LiveState, cdrs: Iterable[Cdr], since_ms: int) -> list[Record]:
    """Today's queue calls that ended before we started, from their CDRs (oldest first):
    every call since `since_ms` that the live state does not already follow."""
    records: list[Record] = []
    for _, told in rebuilt_calls(state, cdrs, since_ms):
        records += state.calls.count_from_cdrs(told.records())
    return records


def rebuilt_calls(
    state: LiveState, cdrs: Iterable[Cdr], since_ms: int
) -> Iterator[tuple[Cdr, Told]]:
    """`rebuild`'s calls one by one, each with its CDR (whose times say when each of its records
    happened: the 15-minute history is rebuilt from them, docs/operations.md#history)."""
    ordered = sorted(cdrs, key=lambda cdr: cdr.end_ms)
    _learn_dids(state, ordered)
    known = Known(state)
    for cdr in ordered:
        if cdr.start_ms < since_ms or not cdr.inbound:
            continue
        cdr = identify(state, cdr, known)
        queue = queue_of(state, cdr)
        if (
            queue is not None
            and state.calls.close_unseen(cdr.call_id, queue.number, cdr.end_ms) is None
        ):
            yield cdr, told_by(cdr, queue)
