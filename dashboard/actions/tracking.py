"""Following actions after they are sent: confirmation, monitoring phases, the pause reasons."""

import json

from django.utils import timezone

from dashboard.actions.directory import load_directory
from dashboard.actions.messages import said
from dashboard.actions.outcomes import Outcome, confirm_agent, follow_monitor
from dashboard.actions.web import Edge
from dashboard.models import ActionAttempt
from dashboard.pbx import agent_control as control
from dashboard.pbx.replies import PauseReason

REASONS_KEY = "wb:actions:pause-reasons"
FOLLOWED_KEY = "wb:actions:followed:{attempt}"
# Every console on a board asks who is monitoring every 3 s: the PBX is asked about each session
# at most once in this long, by whichever console asks first (the others read what it wrote).
SHARED_FOLLOW_UP_MS = 2500
# The PBX's list changes rarely (an admin edits it); a minute keeps the dialog quick.
REASONS_TTL_S = 60


async def follow_up(pbx: Edge, attempt: ActionAttempt) -> Outcome:
    """Re-read the PBX: has the change shown yet, or where does the monitoring call stand?"""
    age_s = (timezone.now() - attempt.at).total_seconds()
    if attempt.action in control.MONITOR_MODES:
        return await follow_monitor(
            pbx.api, attempt.action, attempt.result, attempt.target, attempt.parameters, age_s
        )
    queues = [number for number in attempt.queues.split(",") if number]
    directory = await load_directory(pbx.api, pbx.redis)
    try:
        queue_ids = [directory.queue_id(number) for number in queues]
    except KeyError:
        return Outcome("failed", said("queue_gone"))
    return await confirm_agent(pbx.api, attempt.action, attempt.target, queues, queue_ids, age_s)


async def first_to_follow(pbx: Edge, attempt: ActionAttempt) -> bool:
    """Whether this request is the one to re-read the PBX about `attempt` now."""
    key = FOLLOWED_KEY.format(attempt=attempt.pk)
    return bool(await pbx.redis.set(key, "1", nx=True, px=SHARED_FOLLOW_UP_MS))


async def pause_reasons_of(pbx: Edge) -> list[PauseReason]:
    cached = await pbx.redis.get(REASONS_KEY)
    if cached:
        return list(json.loads(cached))
    reasons = await control.pause_reasons(pbx.api)
    await pbx.redis.set(REASONS_KEY, json.dumps(reasons), ex=REASONS_TTL_S)
    return reasons
