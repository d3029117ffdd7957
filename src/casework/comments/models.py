import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin


class Comment(IdMixin, HandleMixin, Base):
    __tablename__ = "comments"
    # A case's comments, oldest first by UUIDv7 id. (The body's text-search index: casework.cases.text_search.)
    __table_args__ = (Index("ix_comments_case_id_id", "case_id", "id"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(255))
    # False: an internal note, not shown to the case's requester.
    public: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Raised by one on each edit; an edit naming another version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Ids of the workspace's users named as <@user-ID> in the body.
    mentions: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
