"""One queue call's record: its phase, and what its CDR must still count."""

from typing import Literal, NamedTuple

# waiting: in a queue's waiting set (while agents ring too). aside: REST took it off that set
# before its events said how it left. talking: answered and in progress (held or not). ended:
# it left its queue with an outcome, or hung up. closed: its CDR was counted; nothing counts again.
Phase = Literal["waiting", "aside", "talking", "ended", "closed"]
# Its offer awaits its one outcome, in `QueueCall.queue`.
OPEN: frozenset[Phase] = frozenset({"waiting", "aside"})


class Talking(NamedTuple):
    """An answered queue call in progress: what the board's live calls show."""

    queue: str
    agent: str
    answered_ms: int
    caller: str = ""
    channel_id: str = ""  # the agent's channel: what call/listen takes
    held: bool = False
    # False for a call first seen already answered (by REST): its offer and answer were never
    # counted, so its events (if still in flight) or its CDR count it; its hang-up adds nothing.
    counted: bool = True


class QueueCall(NamedTuple):
    """Everything we know of one call that reached a queue. Immutable (a named tuple: copies
    cost a fraction of a frozen dataclass's, on every event): `CallBook`'s transitions replace
    it, and a ledger's records are handed to `CallBook.restore` whole."""

    call_id: str
    phase: Phase
    queue: str  # where it waits or was answered (waiting, aside, talking): its latest queue
    caller: str = ""
    since_ms: int = 0  # when its wait began (waiting, aside)
    talk: Talking | None = None  # talking only
    # Counted as offered once: a CDR then adds only what is still open.
    offered: bool = False
    # The queue an agent answered it in, until its caller is seen gone: the caller's leg may still
    # read ANSWERED there after the agent leaves, which is not a new wait.
    answered_in: str = ""
    # REST showed it answered before we counted it: once answered, its CDR names only the agent,
    # so this record names the queue.
    first_seen_answered: bool = False
    # Counted answered on connecting before we knew how long it waited: its CDR tells.
    wait_unknown: bool = False
    ended_ms: int = 0  # closed: when it ended, by its CDR (the PBX's clock)
    # Waiting, and an agent's phone rings for it now (it waits on until answered).
    ringing: bool = False
    # REST showed it alive after it left `queue` (its caller did not hang up there), before any
    # event said how it left (never followed, or set aside): unanswered, it was sent on (a key
    # press), not abandoned, whatever its next event or its CDR says.
    went_on: bool = False

    @property
    def followed_in(self) -> str:
        """The queue we followed it in, which names its CDR's queue ("" if none does)."""
        if self.phase in OPEN or self.talk is not None:
            return self.queue
        return self.queue if self.first_seen_answered or self.wait_unknown or self.went_on else ""
