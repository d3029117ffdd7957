"""finding cases: sort keys, their indexes, the metadata index and the status counters

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:40:00.000000

Adds status_rank and severity_rank to cases (sort=status, sort=severity), the indexes of the new sorts and filters
(and archived_at at the end of the default sorts' indexes),
case_metadata (metadata=KEY=VALUE filters) and case_counts (status counts and totals without counting cases), each
filled from the cases already there. Columns are added in place (no batch rebuild of cases on SQLite, which would
drop the text-search triggers of 0004).
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GROUPS = ("open", "in_progress", "closed")
_SEVERITIES = ("low", "medium", "high", "critical")
_CASE_INDEXES = {
    "ix_cases_ws_title": ["workspace_id", "title", "id", "archived_at"],
    "ix_cases_ws_status_rank": ["workspace_id", "status_rank", "id", "archived_at"],
    "ix_cases_ws_severity_rank": ["workspace_id", "severity_rank", "id", "archived_at"],
    "ix_cases_ws_closed": ["workspace_id", "closed_at", "id", "archived_at"],
    "ix_cases_ws_author_updated": ["workspace_id", "author_id", "updated_at", "id"],
    "ix_cases_ws_type_updated": ["workspace_id", "type", "updated_at", "id"],
}


# The default sorts' indexes, which take archived_at along: numbered pages skip within the index.
_WIDENED = {
    "ix_cases_ws_updated": ["workspace_id", "updated_at", "id"],
    "ix_cases_ws_created": ["workspace_id", "created_at", "id"],
}


def _rank(column: str, values: Sequence[str]) -> str:
    return "CASE " + " ".join(f"WHEN {column} = '{v}' THEN {i}" for i, v in enumerate(values)) + " ELSE 0 END"


def upgrade() -> None:
    op.add_column("cases", sa.Column("status_rank", sa.SmallInteger(), nullable=False, server_default="0"))
    op.add_column("cases", sa.Column("severity_rank", sa.SmallInteger(), nullable=False, server_default="0"))
    ranks = f"status_rank = {_rank('status', _GROUPS)}, severity_rank = {_rank('severity', _SEVERITIES)}"
    op.execute(f"UPDATE cases SET {ranks}")
    for name, columns in _CASE_INDEXES.items():
        op.create_index(name, "cases", columns, unique=False)
    for name, columns in _WIDENED.items():
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", [*columns, "archived_at"], unique=False)

    metadata = op.create_table(
        "case_metadata",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("value_digest", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_metadata_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_case_metadata_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("case_id", "key", name=op.f("pk_case_metadata")),
    )
    op.create_index(
        "ix_case_metadata_ws_key_value_case", "case_metadata", ["workspace_id", "key", "value_digest", "case_id"]
    )
    _index_metadata(metadata)

    count_columns = [f"{prefix}{group}" for prefix in ("", "archived_") for group in _GROUPS]
    op.create_table(
        "case_counts",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in count_columns),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_case_counts_project_id_projects")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_case_counts_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "project_id", "slot", name=op.f("pk_case_counts")),
    )
    sums = ", ".join(
        f"SUM(CASE WHEN status = '{group}' AND archived_at IS {'NOT ' if prefix else ''}NULL THEN 1 ELSE 0 END)"
        for prefix in ("", "archived_")
        for group in _GROUPS
    )
    op.execute(
        f"INSERT INTO case_counts (workspace_id, project_id, slot, {', '.join(count_columns)}) "
        f"SELECT workspace_id, project_id, 0, {sums} FROM cases GROUP BY workspace_id, project_id"
    )


def _index_metadata(metadata: sa.Table) -> None:
    """One row per key of every case's metadata, by the value's digest (casework.cases.models.metadata_digest)."""
    cases = sa.table(
        "cases",
        sa.column("id", sa.Uuid()),
        sa.column("workspace_id", sa.Uuid()),
        sa.column("metadata", casework.db.base.JSONType),
    )
    connection = op.get_bind()
    query = sa.select(cases.c.id, cases.c.workspace_id, cases.c.metadata).where(
        sa.cast(cases.c.metadata, sa.Text) != "{}"
    )
    rows = []
    for case_id, workspace_id, values in connection.execute(query):
        for key, value in (values or {}).items():
            digest = hashlib.blake2b(str(value).encode(), digest_size=16).hexdigest()
            rows.append({"case_id": case_id, "key": key, "workspace_id": workspace_id, "value_digest": digest})
    if rows:
        connection.execute(metadata.insert(), rows)


def downgrade() -> None:
    op.drop_table("case_counts")
    op.drop_index("ix_case_metadata_ws_key_value_case", table_name="case_metadata")
    op.drop_table("case_metadata")
    for name in _CASE_INDEXES:
        op.drop_index(name, table_name="cases")
    for name, columns in _WIDENED.items():
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", columns, unique=False)
    # In place (SQLite 3.35+), not in batch mode: a rebuild of cases would drop the text-search triggers.
    op.drop_column("cases", "severity_rank")
    op.drop_column("cases", "status_rank")
