"""configuration raises the generation

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 14:00:00.000000

Every change to a project's configuration (the project itself, its statuses, case types, field definitions and SLA
policies) raises the auth generation in the same transaction, so that what a process caches of it is read again
(casework.projects.configuration). Triggers do it, so no writer is missed: a service, a Core statement, another
process or a tool. A project's case counter is not configuration: every create bumps it on SQLite.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RAISE = "UPDATE auth_generations SET generation = generation + 1 WHERE id = 1;"
# Each table, with the columns whose update is a change of configuration (None: all of them).
TABLES: dict[str, tuple[str, ...] | None] = {
    "projects": (
        "workspace_id",
        "key",
        "name",
        "description",
        "restrict_transitions",
        "resolution_required",
        "closed_read_only",
        "comments_on_closed",
        "sla_warning_percent",
        "managers_may_delete",
        "closure_conditions",
        "created_at",
        "updated_at",
        "id",
        "number",
    ),
    "case_statuses": None,
    "case_types": None,
    "field_definitions": None,
    "sla_policies": None,
}
EVENTS = ("insert", "update", "delete")


def _update_event(columns: tuple[str, ...] | None) -> str:
    return "UPDATE" if columns is None else f"UPDATE OF {', '.join(columns)}"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION raise_auth_generation() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {RAISE} RETURN NULL; END $$"
        )
        for table, columns in TABLES.items():
            op.execute(
                f"CREATE TRIGGER {table}_configuration AFTER INSERT OR DELETE OR {_update_event(columns)} "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION raise_auth_generation()"
            )
        return
    # SQLite: one event a trigger, each row.
    for table, columns in TABLES.items():
        for event in EVENTS:
            when = _update_event(columns) if event == "update" else event.upper()
            op.execute(f"CREATE TRIGGER {table}_configuration_{event} AFTER {when} ON {table} BEGIN {RAISE} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_configuration ON {table}")
        op.execute("DROP FUNCTION raise_auth_generation()")
        return
    for table in TABLES:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER {table}_configuration_{event}")
