"""The rows of PBX REST replies that our code reads, as docs/yeastar-api.md gives them.

They type JSON the PBX sent, unchecked: readers keep their defaults and conversions for a PBX
that strays from the reference. Only the fields some reader uses are named."""

from typing import TypedDict


class QueueMember(TypedDict):
    """A `static_agent_list` / `dynamic_agent_list` entry of `queue/list` (§5.1)."""

    text: str  # the agent's name
    text2: str  # the agent's extension number
    value: str  # the extension's ID, as text


class QueueRow(TypedDict):
    """A `queue/list` row, under `queue_list` (§5.1)."""

    id: int
    number: str
    name: str
    static_agent_list: list[QueueMember]
    dynamic_agent_list: list[QueueMember]


class ExtensionRow(TypedDict):
    """An `extension/list` row, under `data` (§7.1)."""

    id: int
    number: str
    caller_id_name: str
    presence_status: str
    online_status: dict[str, object]  # per endpoint kind (sip_phone, linkus_web, …)


class AgentStatusRow(TypedDict):
    """A `queue/agent_status` row, under `data` (§5.3)."""

    name: str
    number: str  # the agent's extension number
    is_login: int  # 0 | 1
    is_pause: int  # 0 | 1
    call_status: int
    pause_reason: str
    agent_type: str  # static | dynamic


class ExtensionLeg(TypedDict):
    """An extension's leg of a call (30011 and `call/query`, §4.1)."""

    number: str
    channel_id: str
    member_status: str
    call_path: str


# A trunk's leg of a call: inbound (the caller is `from`) or outbound (the callee is `to`).
TrunkLeg = TypedDict(
    "TrunkLeg",
    {
        "from": str,
        "to": str,
        "trunk_name": str,
        "channel_id": str,
        "member_status": str,
        "call_path": str,
    },
)


class CallMemberRow(TypedDict, total=False):
    """A call's member: it has exactly one of these keys."""

    extension: ExtensionLeg
    inbound: TrunkLeg
    outbound: TrunkLeg


class CallRow(TypedDict):
    """A `call/query` row, under `data` (§6.1)."""

    call_id: str
    members: list[CallMemberRow]


class PauseReason(TypedDict):
    """A `queue_pause_reason/list` row (§5.6): what a board shows and what an action sends."""

    code: str  # the feature code an action sends, e.g. *01
    reason: str  # what a supervisor reads, e.g. Lunch
