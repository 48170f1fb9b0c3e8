"""One simulated PBX: clock, tokens, call centre, random traffic and subscribers, tied together."""

import random

from pbxsim.clock import SimClock
from pbxsim.config import SimConfig
from pbxsim.directory import DEFAULT_DIRECTORY, Directory
from pbxsim.frames import render
from pbxsim.hub import Hub
from pbxsim.model import CallCentre
from pbxsim.tokens import LoginGuard, TokenStore
from pbxsim.traffic import Traffic


class Simulator:
    """The state both edges (OpenAPI and control) read and change; `tick` publishes changes."""

    def __init__(
        self, config: SimConfig, clock: SimClock, directory: Directory = DEFAULT_DIRECTORY
    ) -> None:
        start = clock.now()
        self.config = config
        self.clock = clock
        self.tokens = TokenStore(config.client_id, config.client_secret)
        self.guard = LoginGuard()
        self.centre = CallCentre(directory, start)
        self.hub = Hub()
        rng = random.Random(config.seed)
        self._traffic = Traffic(self.centre, rng, config.arrival_per_min, config.speed, start)

    def now(self) -> float:
        """Simulated epoch seconds."""
        return self.clock.now()

    def tick(self) -> None:
        """Let random traffic catch up with the clock, then push every change to subscribers."""
        self._traffic.run_until(self.now())
        frames = render(
            self.centre.drain(),
            self.centre.directory.trunk_name,
            self.config.sn,
            self.config.object_msg_types,
        )
        for topic, text in frames:
            self.hub.publish(topic, text)
