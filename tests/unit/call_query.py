"""A `call/query` entry for the unit tests: one live call in the 30011 shape."""

from dashboard.live.events import CallMember

_NUMBER_FIELDS = {"inbound": "from", "extension": "number", "outbound": "to"}


def call_query_entry(call_id: str, *members: CallMember) -> dict[str, object]:
    """`call/query` lists each live call with the same member objects as 30011."""
    return {
        "call_id": call_id,
        "members": [
            {m.kind: {_NUMBER_FIELDS[m.kind]: m.number, "channel_id": m.channel_id,
                      "member_status": m.status, "call_path": m.call_path}}
            for m in members
        ],
    }  # fmt: skip
