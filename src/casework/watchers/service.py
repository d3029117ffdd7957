"""The users who follow a case. The author and the assignees are added by the case service itself."""

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor, existing_user_ids, find_user
from casework.cases.service import visible_case, lock_case_for_change, record_change
from casework.db.base import utcnow
from casework.db.handles import as_handle
from casework.errors import InvalidInput, NotFound
from casework.i18n import _
from casework.pagination import id_page
from casework.watchers.models import CaseWatcher


@dataclass(frozen=True, slots=True)
class WatchResult:
    watcher: CaseWatcher
    added: bool
    case_version: int


def _find_watcher(session: Session, case_id: uuid.UUID, user_id: uuid.UUID) -> CaseWatcher | None:
    return session.scalar(
        select(CaseWatcher)
        .where(CaseWatcher.case_id == case_id, CaseWatcher.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def add_watcher(
    session: Session,
    actor: Actor,
    ref: str,
    user_id: uuid.UUID,
    expected_version: int | None = None,
) -> WatchResult:
    """Idempotent: a user already watching is left as is, with no new version and no activity entry.

    The case row is locked (every writer of the case's watchers locks or updates it first), so the
    look-up and the insert cannot be split by another add.
    """
    case = lock_case_for_change(session, actor, ref, expected_version)
    if not existing_user_ids(session, actor.workspace_id, [user_id]):
        raise InvalidInput.field("user_id", _("not an active user of this workspace: {id}", id=user_id))
    existing = _find_watcher(session, case.id, user_id)
    if existing is not None:
        return WatchResult(existing, False, case.version)
    watcher = CaseWatcher(case_id=case.id, user_id=user_id, workspace_id=actor.workspace_id, created_at=utcnow())
    session.execute(
        insert(CaseWatcher.__table__).values(
            case_id=watcher.case_id,
            user_id=watcher.user_id,
            workspace_id=watcher.workspace_id,
            created_at=watcher.created_at,
        )
    )
    record_change(session, actor, case, "watcher_added", {"user_id": [None, user_id]})
    return WatchResult(watcher, True, case.version)


def remove_watcher(
    session: Session,
    actor: Actor,
    ref: str,
    user_id: str,
    expected_version: int | None = None,
) -> int:
    """Returns the case's new version; NotFound if the user does not watch the case."""
    case = lock_case_for_change(session, actor, ref, expected_version)
    try:
        ident = find_user(session, actor.workspace_id, user_id).id if as_handle(user_id) is not None else uuid.UUID(user_id)
    except (ValueError, NotFound):
        raise NotFound("watcher", user_id) from None
    removed = session.execute(
        delete(CaseWatcher.__table__).where(CaseWatcher.case_id == case.id, CaseWatcher.user_id == ident)
    ).rowcount
    if removed != 1:
        raise NotFound("watcher", user_id)
    return record_change(session, actor, case, "watcher_removed", {"user_id": [ident, None]})


def list_watchers(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[CaseWatcher], str | None]:
    """A page of the case's watchers, by user id (the primary key's order)."""
    case = visible_case(session, actor, ref)
    query = select(CaseWatcher).where(CaseWatcher.case_id == case.id)
    return id_page(session, query, CaseWatcher.user_id, cursor, limit)


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's watchers, as the case is deleted for good (casework.deletion)."""
    session.execute(delete(CaseWatcher.__table__).where(CaseWatcher.case_id == case_id))
