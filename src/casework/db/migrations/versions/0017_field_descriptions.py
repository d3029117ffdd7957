"""field descriptions

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 09:00:00.000000

A custom field keeps a description (Datadog's custom attribute configs carry one); existing fields get none (null).
SQLite adds the nullable column in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("field_definitions", sa.Column("description", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    # In place on SQLite too (3.35+): a batch copy of the table would lose its handle triggers (0009).
    op.execute("ALTER TABLE field_definitions DROP COLUMN description")
