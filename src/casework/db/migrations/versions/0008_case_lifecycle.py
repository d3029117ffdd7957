"""case lifecycle: hard delete, impersonation

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:45:00.000000

- projects.managers_may_delete (false for existing projects): managers may delete the project's cases for good.
- activity.case_id loses its foreign key: the entry recording a case's deletion outlives the case.
- activity.on_behalf_of: the user an integration token acted for.
- ix_activity_ws_action_id: the workspace's entries of one action (the log of deleted cases).

SQLite rebuilds the activity table (batch mode) to drop the foreign key; no search trigger lives on it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("managers_may_delete", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_of", sa.Uuid(), nullable=True))
        batch_op.drop_constraint("fk_activity_case_id_cases", type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_activity_on_behalf_of_users"), "users", ["on_behalf_of"], ["id"])
        batch_op.create_index("ix_activity_ws_action_id", ["workspace_id", "action", "id"], unique=False)


def downgrade() -> None:
    # Entries of deleted cases would break the restored foreign key.
    op.execute("DELETE FROM activity WHERE case_id NOT IN (SELECT id FROM cases)")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_ws_action_id")
        batch_op.drop_constraint("fk_activity_on_behalf_of_users", type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_activity_case_id_cases"), "cases", ["case_id"], ["id"])
        batch_op.drop_column("on_behalf_of")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("managers_may_delete")
