"""The OpenAPI REST endpoints as pure functions of the simulator state and one request."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pbxsim.directory import AgentDef, QueueDef
from pbxsim.model import Call, Phase
from pbxsim.sim import Simulator
from pbxsim.tokens import ACCESS_TTL, REFRESH_TTL, Session
from pbxsim.wire import (
    DATA_NOT_FOUND,
    FAILURE,
    SUCCESS,
    ApiError,
    JsonObj,
    envelope,
    invalid,
    required,
)

T = TypeVar("T")

# GUESS: the reference documents no default page size; 10 matches other Yeastar list pages.
DEFAULT_PAGE_SIZE = 10


@dataclass(frozen=True)
class ApiRequest:
    """What an endpoint may look at: query string, JSON body and the caller's address."""

    query: Mapping[str, str]
    body: JsonObj
    address: str


Handler = Callable[[Simulator, ApiRequest], JsonObj]


@dataclass(frozen=True)
class Endpoint:
    """A handler and whether it needs a valid `access_token`."""

    handler: Handler
    needs_token: bool = True


def _token_reply(session: Session) -> JsonObj:
    return envelope(
        SUCCESS,
        access_token_expire_time=ACCESS_TTL,
        access_token=session.access,
        refresh_token_expire_time=REFRESH_TTL,
        refresh_token=session.refresh,
    )


def get_token(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Log in with the client ID and secret; failures count towards the IP block."""
    if not sim.tokens.credentials_ok(req.body.get("username"), req.body.get("password")):
        sim.guard.failed(req.address)
        raise ApiError(FAILURE, [{"field": "username or password", "value": "error"}])
    sim.guard.succeeded(req.address)
    return _token_reply(sim.tokens.issue(sim.now()))


def refresh_token(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Trade the latest refresh token for a new pair."""
    token = req.body.get("refresh_token")
    if not isinstance(token, str) or not token:
        raise required("refresh_token")
    return _token_reply(sim.tokens.refresh(token, sim.now()))


def del_token(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Revoke the access token the request was made with."""
    sim.tokens.revoke(req.query["access_token"])
    return envelope(SUCCESS)


def _positive(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise invalid(name, raw)
    return int(raw)


def _page(items: Sequence[T], query: Mapping[str, str]) -> list[T]:
    size = _positive(query, "page_size", DEFAULT_PAGE_SIZE)
    start = (_positive(query, "page", 1) - 1) * size
    return list(items[start : start + size])


def _member(agent: AgentDef) -> JsonObj:
    return {"text": agent.name, "text2": agent.number, "value": str(agent.id), "type": "extension"}


def _queue_info(sim: Simulator, queue: QueueDef) -> JsonObj:
    agents = sim.centre.agents
    return {
        "id": queue.id,
        "number": queue.number,
        "name": queue.name,
        "ring_strategy": queue.ring_strategy,
        "static_agent_list": [_member(agents[n].defn) for n in queue.static_agents],
        "dynamic_agent_list": [_member(agents[n].defn) for n in queue.dynamic_agents],
        "manager_list": [],
    }


def queue_list(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Configured queues with their agents; the list key is `queue_list`, not `data`."""
    queues = sim.centre.directory.queues
    page = [_queue_info(sim, q) for q in _page(queues, req.query)]
    return envelope(SUCCESS, total_number=len(queues), queue_list=page)


def _queue_param(sim: Simulator, query: Mapping[str, str]) -> QueueDef:
    raw = query.get("id")
    if not raw:
        raise required("id")
    # An unknown queue is a parameter error, so a typo is not mistaken for an idle queue.
    queue = next((q for q in sim.centre.directory.queues if str(q.id) == raw), None)
    if queue is None:
        raise invalid("id", raw)
    return queue


def _callee(sim: Simulator, call: Call) -> tuple[str, str]:
    if call.agent is None:
        # A queued caller's callee is the queue itself, reported by ID (reference §5.4).
        return str(call.queue.id), call.queue.name
    return call.agent, sim.centre.agents[call.agent].defn.name


def _entries(sim: Simulator, queue: QueueDef, phase: Phase, now: float) -> list[JsonObj]:
    entries = []
    for call in sim.centre.calls_in(queue, phase):
        number, name = _callee(sim, call)
        entries.append(
            {
                "call_id": call.call_id,
                "caller_number": call.caller,
                "caller_display_name": "",
                "callee_number": number,
                "callee_display_name": name,
                "duration": int(now - call.phase_since()),
            }
        )
    return entries


def queue_call_status(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Waiting, ringing and answered calls of one queue; 60001 when it has none."""
    queue, now = _queue_param(sim, req.query), sim.now()
    waiting, ringing, active = (
        _entries(sim, queue, phase, now) for phase in (Phase.WAITING, Phase.RINGING, Phase.TALKING)
    )
    if not (waiting or ringing or active):
        raise ApiError(DATA_NOT_FOUND)
    return envelope(
        SUCCESS,
        waiting_list=waiting,
        active_list=active,
        ringing_list=ringing,
        waiting_calls=len(waiting),
        active_calls=len(active),
        ringing_calls=len(ringing),
    )


def _extension_info(agent: AgentDef) -> JsonObj:
    # Every simulated agent has a registered desk phone and no Linkus client.
    sip = {"status": 1, "ext_dev_type": "sip", "status_list": [{"status": 1}]}
    offline = {"status": 0}
    return {
        "id": agent.id,
        "number": agent.number,
        "caller_id_name": agent.name,
        "role_name": "Employee",
        "email_addr": "",
        "mobile_number": "",
        "presence_status": "available",
        "custom_presence_status": "",
        "online_status": {
            "sip_phone": sip,
            "linkus_desktop": offline,
            "linkus_mobile": offline,
            "linkus_web": offline,
        },
    }


def extension_list(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Extensions with presence and online status."""
    agents = sim.centre.directory.agents
    page = [_extension_info(a) for a in _page(agents, req.query)]
    return envelope(SUCCESS, total_number=len(agents), data=page)


ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("POST", "get_token"): Endpoint(get_token, needs_token=False),
    ("POST", "refresh_token"): Endpoint(refresh_token, needs_token=False),
    ("GET", "del_token"): Endpoint(del_token),
    ("GET", "queue/list"): Endpoint(queue_list),
    ("GET", "queue/call_status"): Endpoint(queue_call_status),
    ("GET", "extension/list"): Endpoint(extension_list),
}
