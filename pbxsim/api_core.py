"""What every OpenAPI endpoint shares: the request it sees, parameter parsing and ID lookups."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pbxsim.directory import QueueDef
from pbxsim.records import Agent
from pbxsim.sim import Simulator
from pbxsim.wire import DATA_NOT_FOUND, ApiError, JsonObj, invalid, required

T = TypeVar("T")

# GUESS: the reference documents no default page size; 10 matches other Yeastar list pages.
DEFAULT_PAGE_SIZE = 10


@dataclass(frozen=True)
class ApiRequest:
    """What an endpoint may look at: query string, JSON body and the caller's address."""

    query: Mapping[str, str]
    body: JsonObj
    address: str

    def params(self) -> Mapping[str, Any]:
        """Where this endpoint's parameters are: the body of a POST, else the query."""
        return self.body or self.query


Handler = Callable[[Simulator, ApiRequest], JsonObj]


@dataclass(frozen=True)
class Endpoint:
    """A handler and whether it needs a valid `access_token`."""

    handler: Handler
    needs_token: bool = True


def text(params: Mapping[str, Any], name: str) -> str | None:
    """A parameter as text (numbers in a JSON body are accepted), `None` if absent or empty."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise invalid(name, str(value))
    return str(value)


def need(params: Mapping[str, Any], name: str) -> str:
    """A required parameter as text (40002 `required` if missing)."""
    value = text(params, name)
    if value is None:
        raise required(name)
    return value


def number(params: Mapping[str, Any], name: str, default: int | None = None) -> int:
    """A non-negative integer parameter; required unless it has a default."""
    raw = text(params, name)
    if raw is None:
        if default is None:
            raise required(name)
        return default
    if not raw.isdigit():
        raise invalid(name, raw)
    return int(raw)


def choice(params: Mapping[str, Any], name: str, options: Sequence[str]) -> str:
    """A required parameter that must be one of `options`."""
    value = need(params, name)
    if value not in options:
        raise invalid(name, value)
    return value


def id_list(params: Mapping[str, Any], name: str) -> list[int] | None:
    """A comma-separated list of IDs, `None` if absent."""
    raw = text(params, name)
    if raw is None:
        return None
    parts = [p.strip() for p in raw.split(",")]
    if not all(p.isdigit() for p in parts):
        raise invalid(name, raw)
    return [int(p) for p in parts]


def page(
    items: Sequence[T], params: Mapping[str, Any], default_size: int = DEFAULT_PAGE_SIZE
) -> list[T]:
    """One page of `items` (`page` from 1, `page_size` default `default_size`); 40002 on
    non-positive values."""
    size, start = number(params, "page_size", default_size), number(params, "page", 1)
    if size < 1 or start < 1:
        raise invalid("page_size" if size < 1 else "page", str(min(size, start)))
    return list(items[(start - 1) * size : start * size])


def queue_by_id(sim: Simulator, name: str, queue_id: int) -> QueueDef:
    """The queue with this ID; an unknown ID is a parameter error (40002) naming `name`."""
    queue = next((q for q in sim.centre.directory.queues if q.id == queue_id), None)
    if queue is None:
        raise invalid(name, str(queue_id))
    return queue


def agent_by_id(sim: Simulator, name: str, ext_id: int) -> Agent:
    """The extension with this ID; an unknown ID is a parameter error (40002) naming `name`."""
    agent = next((a for a in sim.centre.agents.values() if a.defn.id == ext_id), None)
    if agent is None:
        raise invalid(name, str(ext_id))
    return agent


def found(items: list[T]) -> list[T]:
    """`items`, or 60001 DATA NOT FOUND when there are none (the PBX's "nothing to report")."""
    if not items:
        raise ApiError(DATA_NOT_FOUND)
    return items
