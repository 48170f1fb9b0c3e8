"""What a supervisor asks for, checked against the PBX's directory (pure: no I/O)."""

import json
import re
from dataclasses import dataclass, field
from typing import Literal, NotRequired, TypedDict, get_args

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from dashboard.actions.directory import Directory
from dashboard.actions.messages import said
from dashboard.pbx.agent_control import MONITOR_MODES, MonitorMode
from dashboard.streams import AgentKind

AgentAction = Literal["login", "logout", "pause", "unpause"]
# Hang up one's own monitoring call (`monitor` names it); the agent's call goes on.
Stop = Literal["stop"]
STOP: Stop = "stop"
Action = AgentAction | MonitorMode | Stop
AGENT_ACTIONS: tuple[AgentAction, ...] = get_args(AgentAction)
ACTIONS: tuple[Action, ...] = (*AGENT_ACTIONS, *MONITOR_MODES, STOP)
# The actions that may name a monitoring session (`monitor`).
ON_A_SESSION: tuple[Action, ...] = (*MONITOR_MODES, STOP)
LOGIN_ACTIONS = ("login", "logout")
# Checked with fullmatch: `$` would let a final newline through ("1001\n").
NUMBER = re.compile(r"[0-9]{1,32}")
# Pause reason feature codes start with * or # (docs/yeastar-api.md §5.6).
REASON_CODE = re.compile(r"[*#]?[0-9A-Za-z]{1,15}")
# The PBX takes 0 (until unpaused) or at least 10 s; a day is the most we offer.
MAX_UNPAUSE_AFTER_S = 24 * 3600


class Refusal(Exception):
    """An action we will not carry out; `status` is the HTTP status answered."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Parameters(TypedDict):
    """What the audit log keeps of a request (an ActionAttempt's `parameters`)."""

    queues: list[str] | Literal["all"]
    reason_code: NotRequired[str]  # pause only
    unpause_after_s: NotRequired[int]  # pause only
    monitor: NotRequired[int]  # the monitoring session a stop ends or a mode switch replaces


@dataclass(frozen=True)
class ActionRequest:
    action: Action
    agent: str
    queues: list[str] | None  # None: every queue of the agent's that the action applies to
    reason_code: str = ""
    unpause_after_s: int = 0
    idempotency_key: str = ""
    # stop: the session to end; listen/whisper/barge: the session on the same call it replaces.
    monitor: int | None = None

    def parameters(self) -> Parameters:
        """What the audit log keeps of the request."""
        wanted: Parameters = {"queues": self.queues or "all"}
        if self.action == "pause":
            wanted |= {"reason_code": self.reason_code, "unpause_after_s": self.unpause_after_s}
        if self.monitor is not None:
            wanted["monitor"] = self.monitor
        return wanted


@dataclass(frozen=True)
class Plan:
    """A checked request: the queues it touches and the IDs the PBX calls take."""

    request: ActionRequest
    queues: list[str]
    ext_id: int
    queue_ids: list[int] = field(default_factory=list)
    agent_name: str = ""  # as the PBX names the agent's extension


def body_of(request: HttpRequest) -> bytes:
    """The request's body, unless Django's upload bound refuses it (then a JSON 413, not an
    HTML 400)."""
    try:
        return request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise Refusal(413, f"The request body is over {limit} bytes.") from None


def read_body(raw: bytes) -> dict[str, object]:
    """The request's JSON object, unchecked: `parse` checks each field it takes."""
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise Refusal(400, "The request body is not JSON.") from None
    except RecursionError:  # brackets nested beyond Python's stack: not a request we take
        raise Refusal(400, "The request body is nested too deeply.") from None
    if not isinstance(body, dict):
        raise Refusal(400, "The request body must be a JSON object.")
    return body


def idempotency_key(body: dict[str, object]) -> str:
    key = body.get("idempotency_key") or ""
    if not isinstance(key, str) or len(key) > 64:
        raise Refusal(400, "idempotency_key must be text of at most 64 characters.")
    return key


def parse(body: dict[str, object]) -> ActionRequest:
    """Check the shape of the request; raises Refusal(400) with what is wrong."""
    action, agent = _action(body.get("action")), body.get("agent")
    if not isinstance(agent, str) or not NUMBER.fullmatch(agent):
        raise Refusal(400, "agent must be an extension number.")
    return ActionRequest(
        action=action,
        agent=agent,
        queues=_queues(body.get("queues", "all")),
        reason_code=_reason_code(body.get("reason_code")) if action == "pause" else "",
        unpause_after_s=_unpause_after(body.get("unpause_after_s")) if action == "pause" else 0,
        idempotency_key=idempotency_key(body),
        monitor=_monitor(action, body.get("monitor")),
    )


def _action(value: object) -> Action:
    for action in ACTIONS:
        if value == action:
            return action
    raise Refusal(400, f"action must be one of: {', '.join(ACTIONS)}.")


def _monitor(action: Action, value: object) -> int | None:
    """The monitoring session (an attempt's ID): a stop needs it, a monitor mode may take it."""
    if value is None and action != STOP:
        return None
    if action not in ON_A_SESSION or not isinstance(value, int) or isinstance(value, bool):
        raise Refusal(400, "monitor must be the ID of a monitoring session.")
    return value


def _queues(value: object) -> list[str] | None:
    if value == "all":
        return None
    if (
        not isinstance(value, list)
        or not 0 < len(value) <= 100
        or not all(isinstance(item, str) and NUMBER.fullmatch(item) for item in value)
    ):
        raise Refusal(400, 'queues must be "all" or a list of queue numbers.')
    return sorted(set(value))


def _reason_code(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not REASON_CODE.fullmatch(value):
        raise Refusal(400, "reason_code must be a pause reason's code from the PBX, e.g. *01.")
    return value


def _unpause_after(value: object) -> int:
    if value in (None, 0):
        return 0
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 10 <= value <= MAX_UNPAUSE_AFTER_S
    ):
        raise Refusal(400, "unpause_after_s must be 0 (stay paused) or 10 to 86400 seconds.")
    return value


def within(queues: list[str], allowed: set[str] | None) -> None:
    """Refusal(403) naming the queues that are not the user's (`allowed` None: every queue)."""
    outside = sorted(set(queues) - allowed) if allowed is not None else []
    if outside:
        raise Refusal(403, said("not_your_queue", queues=", ".join(outside)))


def plan(wanted: ActionRequest, directory: Directory) -> Plan:
    """Resolve the queues ("all" = the agent's queues the action applies to) and the IDs."""
    memberships = directory.memberships(wanted.agent)
    ext_id = directory.ext_id(wanted.agent)
    if not memberships or ext_id is None:
        raise Refusal(404, said("not_an_agent", agent=wanted.agent))
    queues = wanted.queues or sorted(memberships)
    outside = [number for number in queues if number not in memberships]
    if outside:
        raise Refusal(400, said("not_a_member", agent=wanted.agent, queues=", ".join(outside)))
    if wanted.action in LOGIN_ACTIONS:
        queues = _dynamic_only(wanted, queues, memberships)
    queue_ids = [directory.queue_id(number) for number in queues]
    return Plan(wanted, queues, ext_id, queue_ids, directory.name(wanted.agent))


def _dynamic_only(
    wanted: ActionRequest, queues: list[str], kinds: dict[str, AgentKind]
) -> list[str]:
    """Only dynamic members can be logged in or out; static members always take calls."""
    static = [number for number in queues if kinds[number] != "dynamic"]
    if wanted.queues is None:
        queues = [number for number in queues if number not in static]
    if static and (wanted.queues is not None or not queues):
        raise Refusal(
            400,
            f"Agent {wanted.agent} is a static member of queue {', '.join(static)}: static "
            "members are always logged in; only dynamic members can be logged in or out.",
        )
    return queues
