"""What the PBX checks share: outcomes and results, the context, and the reports."""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from dashboard.pbx.api import PbxApi
from dashboard.pbx.rest import PbxRest, PbxSettings
from dashboard.pbx.tokens import TokenManager


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"  # an earlier check it needs did not pass, or the PBX lacks the feature


@dataclass(frozen=True)
class Outcome:
    status: Status
    finding: str
    fix: str = ""


@dataclass(frozen=True)
class CheckResult:
    name: str
    title: str
    status: Status
    finding: str
    fix: str


def ok(finding: str) -> Outcome:
    return Outcome(Status.OK, finding)


def warn(finding: str, fix: str) -> Outcome:
    return Outcome(Status.WARN, finding, fix)


def fail(finding: str, fix: str) -> Outcome:
    return Outcome(Status.FAIL, finding, fix)


@dataclass
class Watch:
    """What the event socket showed: a heartbeat answer, the first event and when it came."""

    heartbeat: bool = False
    event: int | None = None
    event_after_s: float = 0.0
    waited_s: float = 0.0


@dataclass
class Context:
    """What the checks share; the PBX client is built on first use, once the settings passed."""

    settings: PbxSettings
    tokens_for: Callable[[PbxRest], TokenManager]
    event_wait_s: float
    time_zone: str  # the installation's TIME_ZONE, which the PBX's clock should keep
    watch: Watch | None = None
    _api: PbxApi | None = None

    @property
    def api(self) -> PbxApi:
        if self._api is None:
            rest = PbxRest(self.settings)
            self._api = PbxApi(rest, self.tokens_for(rest))
        return self._api

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.rest.aclose()


def record(body: dict[str, Any]) -> dict[str, Any]:
    """An endpoint's fields: under `data` when it holds an object, else at the top level. Any
    fields: the checks report what they find."""
    data = body.get("data")
    if isinstance(data, dict):
        return data
    return {k: v for k, v in body.items() if k not in ("errcode", "errmsg")}


def failed(results: list[CheckResult]) -> bool:
    return any(result.status is Status.FAIL for result in results)


def text_report(results: list[CheckResult]) -> str:
    """A line per check, the fix under each that is not ok, and the counts."""
    lines = []
    for result in results:
        lines.append(f"[{result.status.value:^7}] {result.title}: {result.finding}")
        if result.fix:
            lines.append(f"          Fix: {result.fix}")
    counts = {status: sum(r.status is status for r in results) for status in Status}
    lines.append(", ".join(f"{n} {status.value}" for status, n in counts.items()))
    return "\n".join(lines)


def json_report(results: list[CheckResult]) -> str:
    return json.dumps({"ok": not failed(results), "checks": [asdict(r) for r in results]}, indent=2)
