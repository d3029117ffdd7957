"""comment versions, titles and visibility

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:15:00.000000

Each comment gets its own `version` (1 for existing comments), an optional `title` and `public` (true for existing
comments). Plain ADD COLUMN on both databases: SQLite adds a column with a constant default without rebuilding the
table, so the text-search triggers and rowids of 0004 are untouched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("title", sa.String(length=255), nullable=True))
    op.add_column("comments", sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("comments", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    # SQLite drops a column without rebuilding the table since 3.35 (no index or constraint names these).
    op.drop_column("comments", "version")
    op.drop_column("comments", "public")
    op.drop_column("comments", "title")
