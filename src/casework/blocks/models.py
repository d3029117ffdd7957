import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin


class Block(IdMixin, HandleMixin, Base):
    """A section of the case page (the Tines model); a block_group holds other blocks through parent_id."""

    __tablename__ = "blocks"
    __table_args__ = (Index("ix_blocks_case_position", "case_id", "position", "id"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("blocks.id"))
    block_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column()
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlockElement(IdMixin, HandleMixin, Base):
    """One element of a block: its fields depend on the block type (a note's content, a file's attachment, ...)."""

    __tablename__ = "block_elements"
    __table_args__ = (Index("ix_block_elements_block_position", "block_id", "position", "id"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    block_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column()
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("attachments.id"))
