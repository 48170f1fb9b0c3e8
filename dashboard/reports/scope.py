"""Whose reports a user sees (docs/design.md#reports), the agents' names, and the export log."""

from collections.abc import Iterable
from typing import Any

import redis
from django.contrib.auth.models import User
from django.db import connection

from dashboard.access import boards_for_user, signed_in
from dashboard.boards.livestore import read_snapshot_sync
from dashboard.models import ActionAttempt, QueueInterval
from dashboard.roles import AnyUser, supervisor_of
from dashboard.streams import queue_stream


def report_queues(user: AnyUser) -> list[str]:
    """Staff: every queue with a board or a history; others: their boards' queues, and the
    queues they supervise."""
    if not signed_in(user):
        return []
    mine = {number for board in boards_for_user(user) for number in board.queue_numbers}
    if getattr(user, "is_staff", False):
        mine |= kept_queues()
    supervisor = supervisor_of(user)
    if supervisor is not None:
        mine |= set(supervisor.queue_numbers)
    return sorted(mine, key=lambda number: (len(number), number))


def kept_queues() -> set[str]:
    """Every queue with a history: one index seek per queue (a loose index scan) where DISTINCT
    reads every row, 432,000 of them for 90 days of 50 queues."""
    table = connection.ops.quote_name(QueueInterval._meta.db_table)  # nothing a user typed
    query = f"""
        WITH RECURSIVE kept(queue) AS (
            SELECT MIN(queue) FROM {table}
            UNION ALL
            SELECT (SELECT MIN(queue) FROM {table} WHERE queue > kept.queue)
            FROM kept WHERE kept.queue IS NOT NULL
        )
        SELECT queue FROM kept WHERE queue IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {queue for (queue,) in cursor.fetchall()}


def agent_names(queues: Iterable[str]) -> dict[str, str]:
    """The agents of these queues now, by extension, with their names, as the live board has
    them (empty when Redis cannot say: the page then lists agents only to staff)."""
    streams = [queue_stream(number) for number in queues]
    try:
        snapshot = read_snapshot_sync(streams)
    except redis.RedisError:
        return {}
    names: dict[str, str] = {}
    for entry in snapshot["streams"].values():
        for agent in (entry["data"] or {}).get("agents", []):
            names[agent["number"]] = agent.get("name") or ""
    return names


def log_export(user: User, report: str, queues: list[str], chosen: dict[str, Any]) -> None:
    """An audit-log row (the actions' log, action "export"): who downloaded which report."""
    ActionAttempt.objects.create(
        user=user,
        username=user.get_username(),
        action="export",
        target=report,
        queues=",".join(queues),
        parameters=chosen,
        result="ok",
    )
