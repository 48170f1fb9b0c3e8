"""The web process's hub over an in-memory channel layer: what reaches which screen, and when."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from dashboard.boards.fanout import BATCH_WAIT_S, Delta, Frames, Hub, Markers
from dashboard.streams import stream_group

TIMEOUT_S = 5


@dataclass(eq=False)
class FakeScreen:
    followed: frozenset[str]
    markers: Markers = field(default_factory=dict)
    frames: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    broken: bool = False

    async def deliver(self, deltas: list[Delta], frames: Frames) -> None:
        if self.broken:
            raise ConnectionResetError("the socket went away")
        await self.frames.put(frames(tuple(deltas)))

    async def access_changed(self, markers: Markers) -> None:
        raise AssertionError("no screen here watches a marker")


def delta(stream: str, seq: int, flush: int, streams: list[str]) -> dict[str, Any]:
    return {"type": "board.delta", "epoch": "e1", "stream": stream, "seq": seq,
            "text": f'{{"stream":"{stream}","seq":{seq}}}', "flush": flush,
            "streams": streams}  # fmt: skip


async def next_frame(screen: FakeScreen) -> str:
    return await asyncio.wait_for(screen.frames.get(), TIMEOUT_S)


@pytest.fixture
def layer() -> InMemoryChannelLayer:
    return InMemoryChannelLayer()


async def test_a_flush_reaches_each_screen_as_one_frame_of_what_it_follows(
    layer: InMemoryChannelLayer,
) -> None:
    hub = Hub(layer)
    both, one = FakeScreen(frozenset({"q:1", "q:2"})), FakeScreen(frozenset({"q:2"}))
    await hub.join(both)
    await hub.join(one)
    streams = ["q:1", "q:2"]
    await layer.group_send(stream_group("q:1"), delta("q:1", 4, 7, streams))
    await layer.group_send(stream_group("q:2"), delta("q:2", 9, 7, streams))
    frame = await next_frame(both)
    assert frame.startswith('{"type":"batch"')
    assert '"q:1","seq":4' in frame
    assert '"q:2","seq":9' in frame
    assert await next_frame(one) == '{"stream":"q:2","seq":9}'


async def test_a_delta_that_never_comes_holds_the_rest_of_its_flush_back_only_briefly(
    layer: InMemoryChannelLayer,
) -> None:
    hub = Hub(layer)
    screen = FakeScreen(frozenset({"q:1", "q:2"}))
    await hub.join(screen)
    started = asyncio.get_running_loop().time()
    await layer.group_send(stream_group("q:1"), delta("q:1", 1, 1, ["q:1", "q:2"]))
    assert await next_frame(screen) == '{"stream":"q:1","seq":1}'  # q:2's was lost
    assert asyncio.get_running_loop().time() - started >= BATCH_WAIT_S * 0.9
    await layer.group_send(stream_group("q:2"), delta("q:2", 2, 2, ["q:2"]))
    assert await next_frame(screen) == '{"stream":"q:2","seq":2}'


async def test_one_broken_screen_does_not_starve_the_others(layer: InMemoryChannelLayer) -> None:
    hub = Hub(layer)
    broken, fine = FakeScreen(frozenset({"q:1"}), broken=True), FakeScreen(frozenset({"q:1"}))
    await hub.join(broken)
    await hub.join(fine)
    for seq in (1, 2):
        await layer.group_send(stream_group("q:1"), delta("q:1", seq, seq, ["q:1"]))
        assert await next_frame(fine) == f'{{"stream":"q:1","seq":{seq}}}'


async def test_a_screen_that_left_gets_nothing(layer: InMemoryChannelLayer) -> None:
    hub = Hub(layer)
    gone, staying = FakeScreen(frozenset({"q:1"})), FakeScreen(frozenset({"q:1"}))
    await hub.join(gone)
    await hub.join(staying)
    hub.leave(gone)
    await layer.group_send(stream_group("q:1"), delta("q:1", 1, 1, ["q:1"]))
    assert await next_frame(staying) == '{"stream":"q:1","seq":1}'
    assert gone.frames.empty()
