"""vendor case fields: owner, category, opened_at, resolved_at, requester id, attributes, vendor data

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:45:00.000000

Existing cases get the owner `cases`, no category, opened_at = created_at, no attributes and no vendor data (the
requester JSON held no id before, so requester_id starts empty). Columns are only added (ALTER TABLE ADD COLUMN on
SQLite too), so the cases table is not rebuilt and migration 0004's text-search triggers stay as they are. A new
NOT NULL column needs a constant default on SQLite: opened_at is added with one and filled from created_at at once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import casework.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASE_INDEXES = {
    "ix_cases_ws_owner_updated": ["workspace_id", "owner", "updated_at", "id"],
    "ix_cases_ws_requester_updated": ["workspace_id", "requester_id", "updated_at", "id"],
    "ix_cases_ws_category": ["workspace_id", "category", "id"],
}
_CASE_COLUMNS = ("owner", "category", "opened_at", "resolved_at", "requester_id", "attributes", "vendor_data")


def upgrade() -> None:
    op.create_table(
        "case_attributes",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_attributes_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_case_attributes_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("case_id", "key", "value", name=op.f("pk_case_attributes")),
    )
    op.create_index(
        "ix_case_attributes_ws_key_value_case",
        "case_attributes",
        ["workspace_id", "key", "value", "case_id"],
        unique=False,
    )

    postgres = op.get_bind().dialect.name == "postgresql"
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
    utc = casework.db.base.UTCDateTime(timezone=True)
    # A placeholder, replaced by created_at below; in the stored form of each database.
    epoch = sa.text("'1970-01-01 00:00:00+00'" if postgres else "'1970-01-01 00:00:00.000000'")
    op.add_column("cases", sa.Column("owner", sa.String(length=64), nullable=False, server_default="cases"))
    op.add_column("cases", sa.Column("category", sa.String(length=50), nullable=True))
    op.add_column("cases", sa.Column("opened_at", utc, nullable=False, server_default=epoch))
    op.add_column("cases", sa.Column("resolved_at", utc, nullable=True))
    op.add_column("cases", sa.Column("requester_id", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("attributes", json_type, nullable=False, server_default="{}"))
    op.add_column("cases", sa.Column("vendor_data", json_type, nullable=False, server_default="{}"))
    op.execute("UPDATE cases SET opened_at = created_at")
    if postgres:
        # Every insert sets it; SQLite cannot drop a column default without rebuilding the table.
        op.alter_column("cases", "opened_at", server_default=None)
    for name, columns in _CASE_INDEXES.items():
        op.create_index(name, "cases", columns, unique=False)


def downgrade() -> None:
    for name in _CASE_INDEXES:
        op.drop_index(name, table_name="cases")
    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+): no table rebuild, the text-search triggers stay.
    for column in reversed(_CASE_COLUMNS):
        op.drop_column("cases", column)
    op.drop_index("ix_case_attributes_ws_key_value_case", table_name="case_attributes")
    op.drop_table("case_attributes")
