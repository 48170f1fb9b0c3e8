"""What must hold on either engine: run on SQLite by default and on PostgreSQL by `--postgres`
(tests/postgres.py), where the engines lock, order and migrate differently."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dashboard.models import DaySnapshot
from dashboard.worker import history

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 4


def test_the_run_is_on_the_engine_it_was_asked_for(request: pytest.FixtureRequest) -> None:
    """Without it, a PostgreSQL run that quietly fell back to SQLite would pass."""
    expected = "postgresql" if request.config.getoption("postgres") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.postgres
def test_workers_saving_the_same_new_day_at_once_leave_one_row_with_one_writers_figures() -> None:
    """A new leader and the old one may save the day's first snapshot together (a hand-over):
    on PostgreSQL both inserts race for the unique day, and the loser must update instead."""
    start = threading.Barrier(WRITERS)

    def save(writer: int) -> None:
        start.wait()
        try:
            async_to_sync(history.save_day)({"day": "2026-12-04", "writer": writer})
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(save, range(WRITERS)))
    [saved] = DaySnapshot.objects.all()
    assert saved.data["writer"] in range(WRITERS)


def test_the_migrations_unapply_and_apply_again() -> None:
    """Every migration's reverse runs on this engine too (an upgrade rolled back)."""
    call_command("migrate", "dashboard", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    assert not executor.migration_plan(executor.loader.graph.leaf_nodes())
