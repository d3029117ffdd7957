import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow


class OAuthClient(IdMixin, Base):
    """An OAuth2 client (client credentials grant): it acts as `user_id` within the scopes given at its creation."""

    __tablename__ = "oauth_clients"
    __table_args__ = (
        # GET /oauth-clients, and the count of a workspace's active clients at creation.
        Index("ix_oauth_clients_workspace_id_created_at", "workspace_id", "created_at"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(160))
    # The public identifier: the token endpoint and every request with one of its access tokens look it up.
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    # Only the SHA-256 of the secret is kept, as for API tokens.
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class OAuthSigningKey(IdMixin, Base):
    """An HS256 key access tokens are signed with; its id is the tokens' `kid`. Server-wide, a few rows at most.

    The newest key not retired signs; a retired key still verifies the tokens it signed before its retirement."""

    __tablename__ = "oauth_signing_keys"

    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column()
