"""alert attachment versions

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:00:00.000000

The alerts of one attachment share its `version` (1 for existing attachments) and its last change (`updated_at`,
`updated_by`: null until its alerts are first replaced). SQLite rebuilds case_alerts (batch mode) to add the foreign
key; no trigger lives on it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_at", casework.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_case_alerts_updated_by_users"), "users", ["updated_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("case_alerts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_alerts_updated_by_users", type_="foreignkey")
        batch_op.drop_column("updated_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version")
