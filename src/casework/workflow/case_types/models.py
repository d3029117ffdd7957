import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow

STANDARD = "STANDARD"


class CaseType(IdMixin, Base):
    """A kind of case in a project; its prefill sets fields a new case of this type does not set itself."""

    __tablename__ = "case_types"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(2000), default="")
    prefill: Mapped[dict[str, Any]] = mapped_column()
    builtin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
