"""the category index carries archived_at

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 15:20:00.000000

`ix_cases_ws_category` gains `archived_at` at its end, like the other sort indexes: a numbered page sorted by
category skips the cases before it within the index instead of reading each from the table to test archived_at.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_cases_ws_category"
_COLUMNS = ["workspace_id", "category", "id"]


def upgrade() -> None:
    op.drop_index(_NAME, table_name="cases")
    op.create_index(_NAME, "cases", [*_COLUMNS, "archived_at"], unique=False)


def downgrade() -> None:
    op.drop_index(_NAME, table_name="cases")
    op.create_index(_NAME, "cases", _COLUMNS, unique=False)
