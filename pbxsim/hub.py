"""WebSocket subscribers: their topic lists, their outgoing queues and replies to their texts."""

import asyncio
import json
from dataclasses import dataclass, field

from pbxsim.frames import KNOWN_TOPICS
from pbxsim.wire import PARAMETER_SYNTAX_ERROR, SUCCESS, JsonObj, envelope, required

HEARTBEAT = "heartbeat"
HEARTBEAT_REPLY = "heartbeat response"
# WebSocket close codes: a normal close (shutdown, idle) and the injected "server error" drop.
CLOSE_NORMAL = 1000
CLOSE_SERVER_ERROR = 1011


@dataclass(frozen=True)
class Close:
    """Tells a socket's writer to close with this code instead of sending more text."""

    code: int


def _compact(obj: JsonObj) -> str:
    return json.dumps(obj, separators=(",", ":"))


@dataclass(eq=False)
class Subscriber:
    """One socket's topics and the texts waiting to be written to it, up to a `Close`."""

    outbox: asyncio.Queue[str | Close] = field(default_factory=asyncio.Queue)
    topics: frozenset[int] = frozenset()

    def close(self, code: int) -> None:
        """Close the socket next; frames still queued are lost, as on a real drop."""
        while not self.outbox.empty():
            self.outbox.get_nowait()
        self.outbox.put_nowait(Close(code))

    def answer(self, text: str) -> str:
        """The PBX's reply to a text from the client; a subscribe replaces the topic list."""
        if text == HEARTBEAT:
            return HEARTBEAT_REPLY
        try:
            data = json.loads(text)
        except ValueError:
            return _compact(envelope(PARAMETER_SYNTAX_ERROR))
        topics = data.get("topic_list") if isinstance(data, dict) else None
        if not isinstance(topics, list):
            return _compact(required("topic_list").body())
        self.topics = frozenset(t for t in topics if type(t) is int and t in KNOWN_TOPICS)
        return _compact(envelope(SUCCESS))


class Hub:
    """Every connected subscriber; publishing only queues texts, so it never blocks the model."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()

    def __len__(self) -> int:
        return len(self._subscribers)

    def join(self) -> Subscriber:
        """Register a new socket with no topics yet."""
        subscriber = Subscriber()
        self._subscribers.add(subscriber)
        return subscriber

    def leave(self, subscriber: Subscriber) -> None:
        """Forget a socket that has closed."""
        self._subscribers.discard(subscriber)

    def publish(self, topic: int, text: str) -> None:
        """Queue a frame for every subscriber of its topic."""
        for subscriber in self._subscribers:
            if topic in subscriber.topics:
                subscriber.outbox.put_nowait(text)

    def close_all(self, code: int = CLOSE_NORMAL) -> int:
        """Close every socket with `code` (shutdown, or an injected drop); returns how many."""
        for subscriber in self._subscribers:
            subscriber.close(code)
        return len(self._subscribers)
