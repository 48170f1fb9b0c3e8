"""One simulated PBX: clock, tokens, call centre, random traffic and subscribers, tied together."""

import random
import time
from collections import Counter

from pbxsim.agent_life import AgentLife
from pbxsim.clock import SimClock
from pbxsim.config import SimConfig
from pbxsim.directory import Directory
from pbxsim.faults import Faults
from pbxsim.frames import Renderer, event_key
from pbxsim.hub import Hub
from pbxsim.model import CallCentre
from pbxsim.scenarios import scenario
from pbxsim.schedule import Action, Schedule
from pbxsim.tokens import LoginGuard, TokenStore
from pbxsim.traffic import Traffic
from pbxsim.wire import JsonObj


class Simulator:
    """The state both edges (OpenAPI and control) read and change; `tick` publishes changes."""

    def __init__(
        self, config: SimConfig, clock: SimClock, directory: Directory | None = None
    ) -> None:
        self.started = start = clock.now()
        self.config = config
        self.clock = clock
        self.tokens = TokenStore(config.client_id, config.client_secret)
        self.guard = LoginGuard()
        self.centre = CallCentre(directory or scenario(config.scenario), start)
        self.centre.ivr_stage = config.call_path == "ivr_then_queue"
        self.hub = Hub()
        self.faults = Faults()
        # REST requests answered, by "METHOD path": how hard a client works the PBX.
        self.requests: Counter[str] = Counter()
        self.rng = random.Random(config.seed)
        self.schedule = Schedule()
        self._renderer = Renderer(config, self.centre.directory.trunk_name)
        self.traffic = Traffic(self.centre, self.schedule, self.rng, config.arrival_per_min, start)
        if config.arrival_per_min > 0:
            # A living call centre; tests that script every call (rate 0) keep agents still.
            AgentLife(self.centre, self.schedule, self.rng, start)

    def now(self) -> float:
        """Simulated epoch seconds."""
        return self.clock.now()

    def after(self, seconds: float, action: Action) -> None:
        """Run `action` once `seconds` of simulated time have passed."""
        self.schedule.at(self.now() + seconds, action)

    def tick(self) -> list[JsonObj]:
        """Let the model catch up with the clock, then push every change to subscribers;
        returns what went out: `{"type", "key", "emitted_ms"}` per event (wall-clock ms)."""
        now = self.now()
        self.schedule.run_until(now, self.traffic.dispatch)
        self.traffic.dispatch(now)
        events = self.centre.drain()
        if self.faults.events_paused:
            # The injected fault loses events for good, as a PBX that stops pushing would.
            return []
        emitted = []
        for event in events:
            topic, text = self._renderer.frame(event)
            self.hub.publish(topic, text)
            # Benchmarks read these stamps; the frames themselves stay exactly the PBX's.
            stamp = round(time.time() * 1000)
            emitted.append({"type": topic, "key": event_key(event), "emitted_ms": stamp})
        return emitted
