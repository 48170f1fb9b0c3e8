"""The call centre and the 30011 members the call-record tests build their calls from."""

from dashboard.live.events import CallMember
from dashboard.live.state import LiveState


def centre() -> LiveState:
    """Two queues, Sales and Support, their agents not read yet (any phone may answer)."""
    live = LiveState()
    live.set_queues({"6400": "Sales", "6401": "Support"})
    return live


def caller(status: str, path: str = "6400") -> CallMember:
    return CallMember("inbound", "5550001", "PJSIP/trunk-t-00000001", status, path)


def agent(status: str, number: str = "1001", path: str = "6400") -> CallMember:
    return CallMember("extension", number, f"PJSIP/{number}-00000002", status, path)
