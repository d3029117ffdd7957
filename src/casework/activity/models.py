import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin


class Activity(IdMixin, HandleMixin, Base):
    """Append-only: no API updates a row here; only the hard delete of a case removes that case's entries."""

    __tablename__ = "activity"
    __table_args__ = (
        # The case's activity page, oldest first by UUIDv7 id (time-ordered).
        Index("ix_activity_case_id_id", "case_id", "id"),
        # The workspace's entries of one action, newest first (e.g. the log of deleted cases).
        Index("ix_activity_ws_action_id", "workspace_id", "action", "id"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    # No foreign key: the entry recording a case's deletion outlives the case.
    case_id: Mapped[uuid.UUID] = mapped_column()
    # The token's user: whose permissions the change was made with.
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The user an integration token (scope cases:impersonate) acted for, when it named one.
    on_behalf_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column()
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
