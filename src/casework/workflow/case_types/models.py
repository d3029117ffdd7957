import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, new_id, utcnow

STANDARD = "STANDARD"
# The id every workspace's built-in STANDARD type shows (Datadog's): an alias, resolved per workspace, of the row's own
# id, since one row id cannot be shared by several workspaces.
STANDARD_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")


class CaseType(IdMixin, Base):
    """A kind of case, of one project or (project NULL) of the whole workspace; its prefill sets fields a new case of
    this type does not set itself. A deleted type (deleted_at) is kept for the cases that hold it."""

    __tablename__ = "case_types"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        # The workspace-level types every project sees, and name checks across the workspace.
        Index("ix_case_types_workspace_id_name", "workspace_id", "name"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(2000), default="")
    emoji: Mapped[str | None] = mapped_column(String(16))
    prefill: Mapped[dict[str, Any]] = mapped_column()
    builtin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()

    @property
    def public_id(self) -> uuid.UUID:
        return public_id(self.id, self.builtin)


def public_id(type_id: uuid.UUID, builtin: bool) -> uuid.UUID:
    """The id a type shows: Datadog's STANDARD_ID for the built-in, its own otherwise."""
    return STANDARD_ID if builtin else type_id


def standard_type(workspace_id: uuid.UUID) -> CaseType:
    """The built-in STANDARD type of a new workspace."""
    now = utcnow()
    return CaseType(
        id=new_id(),
        workspace_id=workspace_id,
        project_id=None,
        name=STANDARD,
        description="",
        emoji=None,
        prefill={},
        builtin=True,
        active=True,
        created_at=now,
        updated_at=now,
    )
