import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin

GROUPS = ("open", "in_progress", "closed")
CATEGORIES = ("new", "open", "pending", "on_hold", "resolved", "closed")


class CaseStatus(IdMixin, HandleMixin, Base):
    """A project's status: a name people see, in one of three groups every API understands."""

    __tablename__ = "case_statuses"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(64))
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column()
    group: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(12))
    is_default: Mapped[bool] = mapped_column(default=False)
    # The seeded status this row started as ("new", "open", ...): its label is translated while the name is unchanged.
    builtin_key: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusTransition(Base):
    """An allowed move between two statuses, consulted only when the project restricts transitions."""

    __tablename__ = "status_transitions"

    from_status_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_statuses.id"), primary_key=True)
    to_status_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_statuses.id"), primary_key=True)
    # A project's transitions, listed and replaced together.
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), index=True)
