import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow


class VendorSetting(IdMixin, Base):
    """One vendor document of a workspace: `dialect` names the API, `scope` what it configures there (a Kibana
    owner)."""

    __tablename__ = "vendor_settings"
    # A dialect's documents of a workspace, and the one of a scope.
    __table_args__ = (UniqueConstraint("workspace_id", "dialect", "scope"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    dialect: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column()
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
