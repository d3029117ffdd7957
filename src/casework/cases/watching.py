"""The case_watchers table and every write to it.

Watching is part of the case aggregate's write path (creating or assigning a case makes its author and assignees
watch it), so the table and its writes live here, below the content layer; the watchers package reads it and
adds or removes watchers only through these functions.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, Index, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from casework.db.base import Base, utcnow
from casework.db.statements import insert_ignoring_duplicates, rows_affected


class CaseWatcher(Base):
    __tablename__ = "case_watchers"
    # Cases a user watches.
    __table_args__ = (Index("ix_case_watchers_ws_user_case", "workspace_id", "user_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def add_watchers(session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, users: Iterable[uuid.UUID]) -> int:
    """The users follow the case; a user already watching is left as is. Returns how many were added."""
    now = utcnow()
    rows = [{"case_id": case_id, "user_id": u, "workspace_id": workspace_id, "created_at": now} for u in users]
    return insert_ignoring_duplicates(session, CaseWatcher.__table__, rows)


def remove_watcher(session: Session, case_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether the user watched the case (and no longer does)."""
    statement = delete(CaseWatcher.__table__).where(CaseWatcher.case_id == case_id, CaseWatcher.user_id == user_id)
    return rows_affected(session, statement) == 1


def remove_all_watchers(session: Session, case_id: uuid.UUID) -> None:
    """The case's watchers, as the case is deleted for good."""
    session.execute(delete(CaseWatcher.__table__).where(CaseWatcher.case_id == case_id))
