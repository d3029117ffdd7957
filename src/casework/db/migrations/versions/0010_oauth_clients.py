"""oauth clients and the keys their access tokens are signed with

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:45:00.000000

Two new tables, nothing rewritten. The first signing key is made by the first token request, not here: a
migration run as SQL (alembic --sql) would otherwise print the secret.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import casework.db.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "scopes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", casework.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", casework.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_oauth_clients_workspace_id_workspaces")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_oauth_clients_user_id_users")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_oauth_clients_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_oauth_clients_client_id")),
    )
    op.create_index(
        "ix_oauth_clients_workspace_id_created_at", "oauth_clients", ["workspace_id", "created_at"], unique=False
    )
    op.create_table(
        "oauth_signing_keys",
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", casework.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", casework.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_signing_keys")),
    )


def downgrade() -> None:
    op.drop_table("oauth_signing_keys")
    op.drop_index("ix_oauth_clients_workspace_id_created_at", table_name="oauth_clients")
    op.drop_table("oauth_clients")
