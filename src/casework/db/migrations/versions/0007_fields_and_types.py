"""fields and types: workspace-level case types with a fixed-id STANDARD, emoji and soft delete; custom fields
scoped to a case type, multi-valued, required, with a pattern

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:40:00.000000

Existing data: every workspace gets one workspace-level STANDARD type (project NULL; the API shows it as
00000000-0000-0000-0000-000000000001), and each project's own STANDARD goes, its cases keeping the name STANDARD,
which now names the workspace's. A project STANDARD that had been given a description or a prefill is kept instead
as a project type named "STANDARD <project key>", so that nothing configured is lost. Existing field keys all stay
valid (the key pattern only widened), and existing fields are single-valued, not required, without a pattern.

Downgrading gives every project a STANDARD again and drops what only this revision can hold: workspace-level types,
fields of case types and their values.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import casework.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = casework.db.base.UTCDateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
_types = sa.table(
    "case_types",
    sa.column("id", sa.Uuid()),
    sa.column("workspace_id", sa.Uuid()),
    sa.column("project_id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("description", sa.String()),
    sa.column("prefill", _JSON),
    sa.column("builtin", sa.Boolean()),
    sa.column("active", sa.Boolean()),
    sa.column("created_at", _UTC),
    sa.column("updated_at", _UTC),
)
_projects = sa.table(
    "projects", sa.column("id", sa.Uuid()), sa.column("workspace_id", sa.Uuid()), sa.column("key", sa.String())
)
_workspaces = sa.table("workspaces", sa.column("id", sa.Uuid()))
_fields = sa.table("field_definitions", sa.column("id", sa.Uuid()), sa.column("case_type_id", sa.Uuid()))
_values = sa.table("case_field_values", sa.column("field_id", sa.Uuid()))


def upgrade() -> None:
    with op.batch_alter_table("case_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emoji", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", _UTC, nullable=True))
        batch_op.alter_column("project_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index("ix_case_types_workspace_id_name", ["workspace_id", "name"], unique=False)

    with op.batch_alter_table("field_definitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_type_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("is_multi", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("pattern", sa.String(length=500), nullable=True))
        batch_op.alter_column("project_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_field_definitions_case_type_id_key"), ["case_type_id", "key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_field_definitions_case_type_id_case_types"), "case_types", ["case_type_id"], ["id"]
        )
    with op.batch_alter_table("field_definitions", schema=None) as batch_op:
        # The models declare no server defaults: every insert states them.
        batch_op.alter_column("is_multi", existing_type=sa.Boolean(), server_default=None)
        batch_op.alter_column("required", existing_type=sa.Boolean(), server_default=None)

    _one_standard_per_workspace()


def _one_standard_per_workspace() -> None:
    connection = op.get_bind()
    now = casework.db.base.utcnow()
    workspaces = connection.execute(sa.select(_workspaces.c.id)).scalars().all()
    for workspace_id in workspaces:
        connection.execute(
            sa.insert(_types).values(
                id=casework.db.base.new_id(),
                workspace_id=workspace_id,
                project_id=None,
                name="STANDARD",
                description="",
                prefill={},
                builtin=True,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
    project_standards = connection.execute(
        sa.select(_types.c.id, _types.c.description, _types.c.prefill, _projects.c.key)
        .join(_projects, _projects.c.id == _types.c.project_id)
        .where(_types.c.builtin.is_(True))
    ).all()
    for type_id, description, prefill, key in project_standards:
        if description or prefill:
            connection.execute(
                sa.update(_types).where(_types.c.id == type_id).values(builtin=False, name=f"STANDARD {key}")
            )
        else:
            connection.execute(sa.delete(_types).where(_types.c.id == type_id))


def downgrade() -> None:
    connection = op.get_bind()
    type_fields = sa.select(_fields.c.id).where(_fields.c.case_type_id.is_not(None))
    connection.execute(sa.delete(_values).where(_values.c.field_id.in_(type_fields)))
    connection.execute(sa.delete(_fields).where(_fields.c.case_type_id.is_not(None)))
    now = casework.db.base.utcnow()
    for project_id, workspace_id in connection.execute(sa.select(_projects.c.id, _projects.c.workspace_id)).all():
        connection.execute(
            sa.insert(_types).values(
                id=casework.db.base.new_id(),
                workspace_id=workspace_id,
                project_id=project_id,
                name="STANDARD",
                description="",
                prefill={},
                builtin=True,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
    connection.execute(sa.delete(_types).where(_types.c.project_id.is_(None)))

    with op.batch_alter_table("field_definitions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_field_definitions_case_type_id_case_types"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_field_definitions_case_type_id_key"), type_="unique")
        batch_op.alter_column("project_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("pattern")
        batch_op.drop_column("required")
        batch_op.drop_column("is_multi")
        batch_op.drop_column("case_type_id")

    with op.batch_alter_table("case_types", schema=None) as batch_op:
        batch_op.drop_index("ix_case_types_workspace_id_name")
        batch_op.alter_column("project_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("emoji")
