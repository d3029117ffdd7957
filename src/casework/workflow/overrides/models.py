import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin

OVERRIDE_STATES = ("pending", "accepted", "refused", "cancelled")
ACTION_TYPES = ("comment", "override", "accept", "refuse", "cancel", "close")


class OverrideRequest(IdMixin, Base):
    """A request that reviewers set the case's outcome; at most one is pending per case."""

    __tablename__ = "override_requests"
    __table_args__ = (
        Index(
            "ux_override_requests_one_pending",
            "case_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        # A case's overrides, oldest first.
        Index("ix_override_requests_case_id_id", "case_id", "id"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    outcome: Mapped[str] = mapped_column(String(160))
    justification: Mapped[str] = mapped_column(Text)
    document_ids: Mapped[dict[str, Any]] = mapped_column()
    reviewer_ids: Mapped[dict[str, Any]] = mapped_column()
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()


class CaseAction(IdMixin, HandleMixin, Base):
    """The case's action log: append-only, one row per comment, override request, decision or close."""

    __tablename__ = "case_actions"
    __table_args__ = (
        # A case's action log, oldest first by UUIDv7 id.
        Index("ix_case_actions_case_id_id", "case_id", "id"),
        # The SET NULL when a comment is deleted.
        Index("ix_case_actions_comment_id", "comment_id"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    type: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    # The comment a `comment` action created; the row keeps its text if that comment is deleted later.
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    document_ids: Mapped[dict[str, Any]] = mapped_column()
    override_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("override_requests.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
