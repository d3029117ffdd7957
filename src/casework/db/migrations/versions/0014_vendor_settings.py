"""vendor settings: the documents a vendor API keeps per workspace

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:00:00.000000

One new table, nothing rewritten: Kibana's case configuration per owner (connector, closure type, templates,
observable types), stored whole and versioned.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import casework.db.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_settings",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("dialect", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", casework.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("updated_at", casework.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_vendor_settings_workspace_id_workspaces")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_vendor_settings_created_by_users")),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_vendor_settings_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_settings")),
        sa.UniqueConstraint(
            "workspace_id", "dialect", "scope", name=op.f("uq_vendor_settings_workspace_id_dialect_scope")
        ),
    )


def downgrade() -> None:
    op.drop_table("vendor_settings")
