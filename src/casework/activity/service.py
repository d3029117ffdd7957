"""The append-only activity log: services call record() inside their own transaction."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework.activity.labels import check_action
from casework.activity.models import Activity
from casework.activity.records import ActivityRecord
from casework.auth.service import Actor
from casework.db.base import new_id, rfc3339, utcnow
from casework.db.handles import insert_with_handle, insert_with_handles
from casework.errors import InvalidInput
from casework.i18n import _
from casework.pagination import after_id, page_of

# Actions the workspace's log (GET /activity) lists: those whose case may be gone.
WORKSPACE_ACTIONS = ("case_deleted",)


# Values a JSON column keeps as they are (exact types: an enum of str or int is not one).
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Values as the JSON column keeps them, so that old/new pairs read back as they were written."""
    if type(value) in _AS_THEY_ARE:
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def record(
    session: Session,
    actor: Actor,
    case_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
    at: datetime | None = None,
) -> None:
    """Append an entry, made through the API the actor came by; `action` must be one of activity.labels.ACTION_LABELS.

    An actor acting for another user (auth.service.act_for) is recorded as both: actor_id and on_behalf_of."""
    row = _row(actor.workspace_id, case_id, actor.user_id, action, changes, actor.source, at, actor.on_behalf_of)
    _append(session, row)


@dataclass(frozen=True, slots=True)
class Entry:
    case_id: uuid.UUID
    action: str
    changes: dict[str, Any]


def record_all(session: Session, actor: Actor, entries: list[Entry], at: datetime | None = None) -> None:
    """record() of several entries, appended in their order by one insert."""
    at = at or utcnow()
    rows = [
        _row(actor.workspace_id, e.case_id, actor.user_id, e.action, e.changes, actor.source, at, actor.on_behalf_of)
        for e in entries
    ]
    if len(rows) == 1:
        _append(session, rows[0])
    elif rows:
        insert_with_handles(session, Activity.__table__, rows)


def record_system(
    session: Session,
    workspace_id: uuid.UUID,
    case_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
    source: str,
    at: datetime | None = None,
) -> None:
    """An entry written by the server itself (actor_id NULL), e.g. the SLA worker's warnings."""
    _append(session, _row(workspace_id, case_id, None, action, changes, source, at, None))


def _append(session: Session, row: dict[str, Any]) -> None:
    # An explicit handle, worked out within the insert on SQLite: cheaper than the insert trigger's renumbering.
    insert_with_handle(session, Activity.__table__, row)


def _row(
    workspace_id: uuid.UUID,
    case_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    action: str,
    changes: dict[str, Any],
    source: str,
    at: datetime | None,
    on_behalf_of: uuid.UUID | None,
) -> dict[str, Any]:
    check_action(action)
    return dict(
        id=new_id(),
        workspace_id=workspace_id,
        case_id=case_id,
        actor_id=actor_id,
        on_behalf_of=on_behalf_of,
        action=action,
        changes=jsonable(changes),
        source=source,
        created_at=at or utcnow(),
    )


def _record(entry: Activity) -> ActivityRecord:
    return ActivityRecord(
        id=entry.id,
        number=entry.number,
        case_id=entry.case_id,
        actor_id=entry.actor_id,
        on_behalf_of=entry.on_behalf_of,
        action=entry.action,
        changes=entry.changes,
        source=entry.source,
        created_at=entry.created_at,
    )


def list_for_case(
    session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> list[ActivityRecord]:
    """Oldest first; `after` is the last id of the previous page."""
    query = select(Activity).where(Activity.workspace_id == workspace_id, Activity.case_id == case_id)
    if after is not None:
        query = query.where(Activity.id > after)
    return [_record(entry) for entry in session.scalars(query.order_by(Activity.id).limit(limit))]


def latest_for_case(session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, limit: int) -> list[ActivityRecord]:
    """The case's newest entries, newest first."""
    query = select(Activity).where(Activity.workspace_id == workspace_id, Activity.case_id == case_id)
    return [_record(entry) for entry in session.scalars(query.order_by(Activity.id.desc()).limit(limit))]


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's entries, as it is deleted for good (the deletion's own entry is written after)."""
    session.execute(delete(Activity.__table__).where(Activity.case_id == case_id))


def list_for_workspace(
    session: Session, actor: Actor, action: str, cursor: str | None, limit: int
) -> tuple[list[ActivityRecord], str | None]:
    """The workspace's entries of one action, newest first (admins only); `cursor` is the last id of a page."""
    actor.require_admin()
    if action not in WORKSPACE_ACTIONS:
        raise InvalidInput.field("action", _("one of {known}", known=", ".join(WORKSPACE_ACTIONS)))
    query = select(Activity).where(Activity.workspace_id == actor.workspace_id, Activity.action == action)
    before = after_id(cursor)
    if before is not None:
        query = query.where(Activity.id < before)
    rows = [_record(entry) for entry in session.scalars(query.order_by(Activity.id.desc()).limit(limit + 1))]
    return page_of(rows, limit)
