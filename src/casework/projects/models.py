import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin


class Workspace(IdMixin, Base):
    """The tenant boundary: every other row carries its workspace_id, and no query crosses it."""

    __tablename__ = "workspaces"

    name: Mapped[str] = mapped_column(String(160))
    # Next case number on SQLite; PostgreSQL uses a sequence per workspace instead (see projects.numbering).
    case_counter: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(IdMixin, HandleMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"), index=True)
    key: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(String(2000), default="")
    case_counter: Mapped[int] = mapped_column(default=0)
    # Workflow settings.
    restrict_transitions: Mapped[bool] = mapped_column(default=False)
    resolution_required: Mapped[bool] = mapped_column(default=False)
    closed_read_only: Mapped[bool] = mapped_column(default=True)
    comments_on_closed: Mapped[bool] = mapped_column(default=True)
    sla_warning_percent: Mapped[int] = mapped_column(default=75)
    # Managers may delete cases for good (admins always may).
    managers_may_delete: Mapped[bool] = mapped_column(default=False)
    # Conditions every case of the project must meet to close, beside its own: [{name, formula}].
    closure_conditions: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
