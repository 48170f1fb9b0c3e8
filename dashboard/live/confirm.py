"""Confirmed corrections: a REST re-read's difference counts only when the next read shows it."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dashboard.live.state import LiveState

# A scope is what one REST read covers: a queue (by its number: queue/call_status and
# queue/agent_status), or every live call (call/query, which also says what each phone does).
CALLS = ""
Key = tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    """One fact REST would change in the event-built state: its key, what it was, what REST says."""

    kind: str  # the correction's label, as counted at /healthz
    key: Key
    old: object
    new: object


@dataclass(frozen=True)
class Verdict:
    """What to do with one scope's read: apply it (nothing differs, or a difference is
    confirmed), which corrections count, and how many earlier differences the events resolved."""

    apply: bool
    confirmed: frozenset[Difference] = frozenset()
    in_flight: int = 0

    @property
    def counted(self) -> Counter[str]:
        return Counter(d.kind for d in self.confirmed)


def facts(state: LiveState, scope: str) -> dict[Key, object]:
    """What a read of `scope` may correct, as comparable facts."""
    if scope == CALLS:
        phones = {("extension_call_state", n): e.call_state for n, e in state.extensions.items()}
        return phones | _waiting(state, state.queues) | _talking(state, None)
    queue = state.queues.get(scope)
    found: dict[Key, object] = {}
    for number, agent in (queue.agents if queue else {}).items():
        found[("agent", scope, number)] = True
        found[("agent_logged_in", scope, number)] = agent.logged_in
        found[("agent_paused", scope, number)] = agent.paused
        found[("agent_call_status", scope, number)] = agent.call_status
    return found | _waiting(state, [scope]) | _talking(state, scope)


def _waiting(state: LiveState, queues: Iterable[str]) -> dict[Key, object]:
    return {("waiting", q, c.call_id): c.caller for q in queues for c in state.calls.waiting_in(q)}


def _talking(state: LiveState, queue: str | None) -> dict[Key, object]:
    return {
        ("call", call_id): (talk.queue, talk.agent, talk.counted)
        for call_id, talk in state.calls.talking().items()
        if queue is None or talk.queue == queue
    }


def differences(
    before: Mapping[Key, object], after: Mapping[Key, object], scope: str
) -> frozenset[Difference]:
    """The facts a read changed (`before` and `after` applying it), each with its label."""
    found = set()
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        kind = _kind(key[0], old, new, scope) if old != new else None
        if kind is not None:
            found.add(Difference(kind, key, old, new))
    return frozenset(found)


def _kind(name: str, old: object, new: object, scope: str) -> str | None:
    """The label of a changed fact; None for an agent's field when the agent came or went
    (`agent_added` or `agent_removed` says it)."""
    if name == "agent":
        return "agent_added" if old is None else "agent_removed"
    if name.startswith("agent_"):
        return name if old is not None and new is not None else None
    if name == "waiting":
        return "ghost_waiting" if scope == CALLS else "waiting"
    if name == "call":
        if scope == CALLS:
            return "ghost_call"
        return "call_added" if old is None else "call_removed" if new is None else "call_counted"
    return name


class Confirmer:
    """Each scope's differences at its last read. A difference is a correction only when the
    next read of its scope shows it again, the same fact from the same value to the same one:
    one the events in flight told meanwhile (REST ran ahead of them) is not."""

    def __init__(self) -> None:
        self._last: dict[str, frozenset[Difference]] = {}

    def pending(self) -> list[str]:
        """The scopes whose last read showed differences still to confirm."""
        return list(self._last)

    def forget(self, scopes: Iterable[str] | None = None) -> None:
        """Nothing earlier is still to confirm (after a (re)connect's full reload), or nothing
        of these `scopes` (queues gone)."""
        for scope in list(self._last) if scopes is None else scopes:
            self._last.pop(scope, None)

    def judge(self, scope: str, seen: frozenset[Difference]) -> Verdict:
        """A read of `scope` showed `seen`: applied when nothing differs or a difference is
        confirmed (the whole read then, the unconfirmed ones uncounted); else kept to confirm."""
        earlier = self._last.pop(scope, frozenset())
        confirmed = seen & earlier
        if seen and not confirmed:
            self._last[scope] = seen
        return Verdict(not seen or bool(confirmed), confirmed, len(earlier - seen))
