"""status counts per assignee

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:00:00.000000

assignee_case_counts keeps each assignee's cases per status group and project, as case_counts keeps a project's:
a list filtered by one assignee reads its status counts instead of counting cases. Filled from the cases already
there. The counters of both tables now go with their project: a project whose cases were all deleted left rows of
zeros behind that refused the project's deletion.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GROUPS = ("open", "in_progress", "closed")
_COUNT_COLUMNS = [f"{prefix}{group}" for prefix in ("", "archived_") for group in _GROUPS]
_PROJECT_FK = "fk_case_counts_project_id_projects"


def upgrade() -> None:
    op.create_table(
        "assignee_case_counts",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNT_COLUMNS),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_assignee_case_counts_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_assignee_case_counts_user_id_users")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_assignee_case_counts_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "user_id", "project_id", "slot", name=op.f("pk_assignee_case_counts")),
    )
    sums = ", ".join(
        f"SUM(CASE WHEN c.status = '{group}' AND c.archived_at IS {'NOT ' if prefix else ''}NULL THEN 1 ELSE 0 END)"
        for prefix in ("", "archived_")
        for group in _GROUPS
    )
    op.execute(
        f"INSERT INTO assignee_case_counts (workspace_id, user_id, project_id, slot, {', '.join(_COUNT_COLUMNS)}) "
        f"SELECT c.workspace_id, a.user_id, c.project_id, 0, {sums} "
        "FROM cases c JOIN case_assignees a ON a.case_id = c.id GROUP BY c.workspace_id, a.user_id, c.project_id"
    )
    _project_cascade("CASCADE")


def downgrade() -> None:
    _project_cascade(None)
    op.drop_table("assignee_case_counts")


def _project_cascade(ondelete: str | None) -> None:
    with op.batch_alter_table("case_counts") as batch_op:
        batch_op.drop_constraint(_PROJECT_FK, type_="foreignkey")
        batch_op.create_foreign_key(_PROJECT_FK, "projects", ["project_id"], ["id"], ondelete=ondelete)
