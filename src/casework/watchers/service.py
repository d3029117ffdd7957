"""The users who follow a case. The author and the assignees are added by the case service itself; every write
to the table goes through casework.cases.watching, its one writer."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.auth.service import Actor, existing_user_ids, find_user
from casework.cases import watching
from casework.cases.service import lock_case_for_change, record_change, visible_case
from casework.cases.watching import CaseWatcher
from casework.db.handles import as_handle
from casework.errors import InvalidInput, NotFound
from casework.i18n import _
from casework.pagination import id_page
from casework.watchers.records import WatcherRecord

_COLUMNS = (CaseWatcher.case_id, CaseWatcher.user_id, CaseWatcher.created_at)


@dataclass(frozen=True, slots=True)
class WatchResult:
    watcher: WatcherRecord
    added: bool
    case_version: int


def _watcher(session: Session, case_id: uuid.UUID, user_id: uuid.UUID) -> WatcherRecord:
    row = session.execute(select(*_COLUMNS).where(CaseWatcher.case_id == case_id, CaseWatcher.user_id == user_id)).one()
    return WatcherRecord(*row)


def add_watcher(
    session: Session,
    actor: Actor,
    ref: str,
    user_id: uuid.UUID,
    expected_version: int | None = None,
) -> WatchResult:
    """Idempotent: a user already watching is left as is, with no new version and no activity entry.

    The case row is locked (every writer of the case's watchers locks or updates it first), so the
    insert and the look-up of the row cannot be split by another add or remove.
    """
    case = lock_case_for_change(session, actor, ref, expected_version)
    if not existing_user_ids(session, actor.workspace_id, [user_id]):
        raise InvalidInput.field("user_id", _("not an active user of this workspace: {id}", id=user_id))
    added = watching.add_watchers(session, actor.workspace_id, case.id, [user_id]) == 1
    watcher = _watcher(session, case.id, user_id)
    if not added:
        return WatchResult(watcher, False, case.version)
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
        ident = (
            find_user(session, actor.workspace_id, user_id).id if as_handle(user_id) is not None else uuid.UUID(user_id)
        )
    except (ValueError, NotFound):
        raise NotFound("watcher", user_id) from None
    if not watching.remove_watcher(session, case.id, ident):
        raise NotFound("watcher", user_id)
    return record_change(session, actor, case, "watcher_removed", {"user_id": [ident, None]})


def list_watchers(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[WatcherRecord], str | None]:
    """A page of the case's watchers, by user id (the primary key's order)."""
    case = visible_case(session, actor, ref)
    query = select(*_COLUMNS).where(CaseWatcher.case_id == case.id)
    rows, next_cursor = id_page(session, query, CaseWatcher.user_id, cursor, limit, scalars=False)
    return [WatcherRecord(*row) for row in rows], next_cursor


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's watchers, as the case is deleted for good (casework.deletion)."""
    watching.remove_all_watchers(session, case_id)
