"""The audit log (ActionAttempt rows): every attempt, refused and failed ones included."""

import json
from datetime import timedelta
from typing import NotRequired, TypedDict

from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.actions.outcomes import Outcome
from dashboard.actions.requests import ActionRequest, Refusal
from dashboard.models import ActionAttempt
from dashboard.pbx.agent_control import MONITOR_MODES, MonitorPhase

# Monitoring sessions older than this are not listed as active (a forgotten tab stops asking).
MONITOR_HORIZON = timedelta(hours=4)
ACTIVE_PHASES = ("ringing", "monitoring")


class AttemptJson(TypedDict):
    """An attempt as the action API answers it."""

    id: int
    status: str  # pending | ok | failed | refused
    message: str
    errcode: int | None
    action: str
    agent: str
    call_id: NotRequired[str | None]  # monitoring only, as are phase and extension
    phase: NotRequired[MonitorPhase | None]
    extension: NotRequired[str | None]


class MonitorJson(TypedDict):
    """A monitoring session as the action API lists it."""

    id: int
    supervisor: str  # the user's username
    supervisor_name: str  # their full name, else their extension's name on the PBX
    mine: bool  # the asking user's own session (which they may stop and switch)
    extension: str | None  # the supervisor's
    agent: str
    agent_name: str  # as the PBX names the agent's extension ("" if unknown)
    queues: list[str]  # what a mode switch names again
    mode: str  # listen | whisper | barge
    phase: MonitorPhase | None
    call_id: str | None  # the monitoring call's
    monitored_call: str | None  # the agent's call (the board's live-calls row)


def _clip(value: object, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text[:limit]


async def record_refusal(user: User, body: dict[str, object], refusal: Refusal) -> None:
    """A request refused before it could be understood or allowed (bad input, CSRF, rate)."""
    parameters = {k: _clip(body[k], 200) for k in ("queues", "reason_code", "monitor") if k in body}
    await ActionAttempt.objects.acreate(
        user=user,
        username=user.get_username(),
        action=_clip(body.get("action", ""), 32),
        target=_clip(body.get("agent", ""), 64),
        parameters=parameters,
        result="refused",
        message=refusal.message,
    )


async def start(user: User, wanted: ActionRequest) -> ActionAttempt:
    """The pending row, written before the PBX is asked: the unique idempotency key makes a
    second request with the same key fail here (IntegrityError), so it can never act twice."""
    return await ActionAttempt.objects.acreate(
        user=user,
        username=user.get_username(),
        action=wanted.action,
        target=wanted.agent,
        queues=",".join(wanted.queues or []),
        parameters=wanted.parameters(),
        result="pending",
        idempotency_key=wanted.idempotency_key,
    )


async def finish(attempt: ActionAttempt, outcome: Outcome, queues: list[str] | None = None) -> None:
    """Write the outcome to the row; a re-read that changed nothing (each poll of a session
    that is still ringing or listening) writes nothing."""
    before = _kept(attempt)
    attempt.result = outcome.result
    attempt.message = outcome.message
    attempt.errcode = outcome.errcode if outcome.errcode is not None else attempt.errcode
    if outcome.latency_ms is not None:
        attempt.pbx_latency_ms = outcome.latency_ms
    if queues is not None:
        attempt.queues = ",".join(queues)
    attempt.parameters = {**attempt.parameters, **(outcome.extra or {})}
    if _kept(attempt) != before:
        await attempt.asave()


def _kept(attempt: ActionAttempt) -> tuple[object, ...]:
    """What finish() may change."""
    return (
        attempt.result,
        attempt.message,
        attempt.errcode,
        attempt.pbx_latency_ms,
        attempt.queues,
        attempt.parameters,
    )


async def existing(user: User, key: str) -> ActionAttempt | None:
    return await ActionAttempt.objects.filter(user__pk=user.pk, idempotency_key=key).afirst()


async def visible(user: User, attempt_id: int) -> ActionAttempt | None:
    """One's own attempts; staff see everyone's."""
    attempts = ActionAttempt.objects.filter(pk=attempt_id)
    if not getattr(user, "is_staff", False):
        attempts = attempts.filter(user__pk=user.pk)
    return await attempts.afirst()


async def active_monitors(queues: list[str]) -> list[ActionAttempt]:
    """Monitoring sessions still ringing or listening on calls of these queues."""
    recent = ActionAttempt.objects.filter(
        action__in=MONITOR_MODES,
        result__in=("pending", "ok"),
        at__gte=timezone.now() - MONITOR_HORIZON,
        parameters__phase__in=ACTIVE_PHASES,
    )
    wanted = set(queues)
    return [attempt async for attempt in recent if wanted & set(attempt.queues.split(","))]


def needs_follow_up(attempt: ActionAttempt) -> bool:
    """Pending actions await confirmation; monitoring is followed until its call ends."""
    phase = attempt.parameters.get("phase")
    return attempt.result == "pending" or (
        attempt.action in MONITOR_MODES and attempt.result == "ok" and phase in ACTIVE_PHASES
    )


def attempt_json(attempt: ActionAttempt) -> AttemptJson:
    shown: AttemptJson = {
        "id": attempt.pk,
        "status": attempt.result,
        "message": attempt.message,
        "errcode": attempt.errcode,
        "action": attempt.action,
        "agent": attempt.target,
    }
    if attempt.action in MONITOR_MODES:
        kept = attempt.parameters
        shown |= {
            "call_id": kept.get("call_id"),
            "phase": kept.get("phase"),
            "extension": kept.get("extension"),
        }
    return shown


def monitor_json(attempt: ActionAttempt, user: User) -> MonitorJson:
    kept = attempt.parameters
    return {
        "id": attempt.pk,
        "supervisor": attempt.username,
        "supervisor_name": kept.get("supervisor_name") or attempt.username,
        "mine": attempt.user_id == user.pk,
        "extension": kept.get("extension"),
        "agent": attempt.target,
        "agent_name": kept.get("agent_name", ""),
        "queues": [number for number in attempt.queues.split(",") if number],
        "mode": attempt.action,
        "phase": kept.get("phase"),
        "call_id": kept.get("call_id"),
        "monitored_call": kept.get("monitored_call"),
    }
