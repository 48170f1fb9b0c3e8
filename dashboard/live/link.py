"""Why the PBX link is down, as a code every screen words in its own language."""

from typing import TypedDict


class LinkReason(TypedDict):
    """Why the link is not connected, for screens to word in their language: a code
    (docs/protocol.md, `link`) and what its sentence needs ("" and {} when connected)."""

    code: str
    params: dict[str, str | int]
