"""Queue and extension numbers → the PBX's IDs, which REST takes (docs/design.md#identifiers)."""

import json
from dataclasses import dataclass
from typing import cast

import redis.asyncio as aioredis

from dashboard.live.directory import directory_data
from dashboard.pbx.api import PbxApi
from dashboard.streams import DIRECTORY_KEY, AgentKind, DirectoryData

# Ours, until a worker has published DIRECTORY_KEY: a short cache, so that each action does not
# page through queue/list again.
FALLBACK_KEY = "wb:actions:directory"
FALLBACK_TTL_S = 60


@dataclass(frozen=True)
class Directory:
    """The PBX's numbers and IDs, as the worker publishes them."""

    data: DirectoryData

    def queue_id(self, number: str) -> int:
        """The ID of a queue this directory lists (a KeyError for others)."""
        return int(self.data["queues"][number]["id"])

    def ext_id(self, number: str) -> int | None:
        extension = self.data.get("extensions", {}).get(number)
        return int(extension["id"]) if extension else None

    def name(self, number: str) -> str:
        """The extension's name on the PBX ("" if the directory does not list it)."""
        extension = self.data.get("extensions", {}).get(number)
        return str(extension.get("name") or "") if extension else ""

    def memberships(self, agent: str) -> dict[str, AgentKind]:
        """The queues this extension is an agent of, with its kind there (static | dynamic)."""
        return {
            number: queue["agents"][agent].get("kind", "static")
            for number, queue in self.data.get("queues", {}).items()
            if agent in queue.get("agents", {})
        }


async def load_directory(api: PbxApi, redis: aioredis.Redis) -> Directory:
    """The worker's published directory; else our cached one; else read from the PBX."""
    for key in (DIRECTORY_KEY, FALLBACK_KEY):
        raw = await redis.get(key)
        if raw:
            return Directory(json.loads(raw))
    # Queue members carry their extensions' IDs: queue/list alone is enough to act.
    # live/directory.py builds it untyped: DirectoryData names its shape.
    data = cast(DirectoryData, directory_data(await api.queue_list(), []))
    await redis.set(FALLBACK_KEY, json.dumps(data), ex=FALLBACK_TTL_S)
    return Directory(data)
