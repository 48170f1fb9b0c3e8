"""Each extension's talk, hold, pause and logged-in time since the simulator started: the ground
truth a wallboard's agent figures are checked against (no I/O)."""

from dataclasses import dataclass, field


@dataclass
class Spans:
    """Time spent in one kind of span (a talk, a hold, a pause) per agent and label."""

    ended: dict[tuple[str, str], float] = field(default_factory=dict)  # (agent, label) → s
    running: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # key → agent…

    def start(self, key: str, agent: str, label: str, now: float) -> None:
        """A span begins (a call's talk or hold, an agent's pause); one running goes on."""
        self.running.setdefault(key, (agent, label, now))

    def stop(self, key: str, now: float) -> None:
        """The span under `key` ends, if one runs."""
        if key in self.running:
            agent, label, since = self.running.pop(key)
            self.ended[agent, label] = self.ended.get((agent, label), 0.0) + now - since

    def label_of(self, key: str) -> str | None:
        return self.running[key][1] if key in self.running else None

    def seconds(self, agent: str, now: float) -> dict[str, float]:
        """The agent's time by label so far, what runs included."""
        totals = {label: s for (who, label), s in self.ended.items() if who == agent}
        for who, label, since in self.running.values():
            if who == agent:
                totals[label] = totals.get(label, 0.0) + now - since
        return totals


@dataclass
class AgentTimes:
    """Talk (answer to hang-up or hand-over, hold included) and hold of the queue calls each
    agent answered, by call; pauses by agent, labelled with their reason ("" for none); time
    logged in to at least one queue, by agent."""

    talk: Spans = field(default_factory=Spans)
    hold: Spans = field(default_factory=Spans)
    pause: Spans = field(default_factory=Spans)
    login: Spans = field(default_factory=Spans)

    def logged_in(self, agent: str, logged_in: bool, now: float) -> None:
        """The agent is logged in to a queue now, or to none."""
        if logged_in:
            self.login.start(agent, agent, "", now)
        else:
            self.login.stop(agent, now)

    def paused(self, agent: str, reason: str | None, now: float) -> None:
        """The agent is paused now with `reason` (in a queue it is logged in to), or not (None)."""
        if self.pause.label_of(agent) != reason:
            self.pause.stop(agent, now)
        if reason is not None:
            self.pause.start(agent, agent, reason, now)

    def as_json(self, agent: str, now: float) -> dict[str, object]:
        """`talk_ms`, `hold_ms`, `pause_ms` by reason and `logged_in_ms`, so far, in whole
        milliseconds."""
        return {
            "talk_ms": round(sum(self.talk.seconds(agent, now).values()) * 1000),
            "hold_ms": round(sum(self.hold.seconds(agent, now).values()) * 1000),
            "pause_ms": {r: round(s * 1000) for r, s in self.pause.seconds(agent, now).items()},
            "logged_in_ms": round(sum(self.login.seconds(agent, now).values()) * 1000),
        }
