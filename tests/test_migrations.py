"""Upgrades without downtime: each new migration only adds to the schema, so the previous
release's workers and web processes keep working while it runs (docs/operations.md, *Upgrading*)."""

from django.db import models
from django.db.migrations import Migration, operations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation

# The schema before the upgrade procedure was written down; later migrations follow it.
BEFORE_THE_RULE = {
    "0001_initial",
    "0002_pbx_token",
    "0003_day_history",
    "0004_boards_displays_supervisors_audit",
    "0005_alarms_and_sound_alerts",
    "0006_board_tv_trend_strip",
}
# Operations the previous release cannot notice: a table, an index or a constraint it never
# names, options that live only in Python, a data step.
HARMLESS = (
    operations.CreateModel,
    operations.AddIndex,
    operations.RemoveIndex,
    operations.RenameIndex,
    operations.RemoveConstraint,
    operations.AlterModelOptions,
    operations.RunPython,
    operations.RunSQL,
)


def old_code_survives(operation: Operation) -> bool:
    """Whether the previous release still reads and writes every table after this operation."""
    if isinstance(operation, HARMLESS):
        return True
    if isinstance(operation, operations.AddField):
        # The old release inserts rows without the new column: the database must fill it.
        field = operation.field
        return field.null or field.many_to_many or field.db_default is not models.NOT_PROVIDED
    return False


def breaking_operations(migration: Migration) -> list[str]:
    return [op.describe() for op in migration.operations if not old_code_survives(op)]


def dashboard_migrations() -> list[Migration]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [m for (app, _), m in sorted(loader.disk_migrations.items()) if app == "dashboard"]


def test_every_new_migration_leaves_the_running_release_working() -> None:
    breaking = {
        migration.name: breaking_operations(migration)
        for migration in dashboard_migrations()
        if migration.name not in BEFORE_THE_RULE
    }
    assert {name: ops for name, ops in breaking.items() if ops} == {}, (
        "The previous release breaks while these migrations run (docs/operations.md, "
        "*Upgrading*): stop using a column in one release, remove it in the next; give a new "
        "column null=True or a db_default."
    )


def test_the_rule_refuses_what_would_break_the_running_release() -> None:
    """The check itself: a removal, a rename and a NOT NULL column without a database default
    fail it; a nullable column, a column with a database default and a new table pass."""

    class Example(Migration):
        operations = [
            operations.RemoveField("board", "name"),
            operations.RenameField("board", "name", "title"),
            operations.AddField("board", "colour", models.CharField(max_length=8, default="red")),
            operations.AlterField("board", "name", models.CharField(max_length=200)),
            operations.AddField("board", "motto", models.CharField(max_length=8, null=True)),
            operations.AddField("board", "rank", models.IntegerField(db_default=0)),
            operations.CreateModel("Poster", [("id", models.AutoField(primary_key=True))]),
        ]

    migration = Example("0099_example", "dashboard")
    assert breaking_operations(migration) == [
        "Remove field name from board",
        "Rename field name on board to title",
        "Add field colour to board",
        "Alter field name on board",
    ]
