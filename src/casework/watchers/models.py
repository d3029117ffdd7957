import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, utcnow


class CaseWatcher(Base):
    __tablename__ = "case_watchers"
    # Cases a user watches.
    __table_args__ = (Index("ix_case_watchers_ws_user_case", "workspace_id", "user_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
