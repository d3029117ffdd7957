"""The case aggregate: every rule about creating, changing, archiving and finding cases."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Select, delete, exists, func, insert, literal, not_, select, tuple_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from casework.activity import service as activity
from casework.auth.service import Actor, existing_user_ids
from casework.cases import numbering
from casework.cases.models import Case, CaseAssignee, CaseTag, priority_label, priority_rank
from casework.cases.schemas import NON_NULLABLE_FIELDS, CaseCreate, CaseFilter, CaseUpdate, SortField, SortOrder
from casework.db.base import new_id, utcnow
from casework.db.statements import insert_ignoring_duplicates
from casework.errors import Conflict, DomainError, InvalidInput, NotFound, VersionConflict, from_validation_error
from casework.pagination import after_id, decode_cursor, encode_cursor, page_of
from casework.projects.service import default_project, resolve_project
from casework.watchers.models import CaseWatcher

# A write without a client version retries this often when another writer got in between.
UNVERSIONED_RETRIES = 5

Row = TypeVar("Row")


# Reading one case


def find_case(session: Session, workspace_id: uuid.UUID, ref: str | uuid.UUID, for_update: bool = False) -> Case:
    """A case by id or key, only within the workspace; anything else is simply not found."""
    query = select(Case).where(Case.workspace_id == workspace_id).execution_options(populate_existing=True)
    if for_update:
        query = query.with_for_update()
    if isinstance(ref, str) and "\x00" in ref:
        raise NotFound("case", ref)
    if isinstance(ref, uuid.UUID):
        query = query.where(Case.id == ref)
    else:
        try:
            query = query.where(Case.id == uuid.UUID(ref))
        except ValueError:
            query = query.where(Case.key == ref.upper())
    case = session.scalar(query)
    if case is None:
        raise NotFound("case", ref)
    return case


def get_case(session: Session, actor: Actor, ref: str | uuid.UUID) -> Case:
    actor.require_case_read()
    return find_case(session, actor.workspace_id, ref)


def find_in_case(
    session: Session, model: type[Row], case: Case, row_id: str | uuid.UUID, kind: str, *, refresh: bool = True
) -> Row:
    """A row of the case's `model` (comment, file, task, ...) by its id; anything else is a NotFound naming `kind`.

    refresh: read the row's columns again even if the session holds it already.
    """
    try:
        ident = row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(row_id)
    except ValueError:
        raise NotFound(kind, row_id) from None
    query = select(model).where(model.id == ident, model.case_id == case.id)  # type: ignore[attr-defined]
    if refresh:
        query = query.execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None:
        raise NotFound(kind, row_id)
    return row


# Creating


def create_case(session: Session, actor: Actor, data: CaseCreate, source: str = activity.SOURCE_NATIVE) -> Case:
    actor.require_case_write()
    if data.project is None:
        project = default_project(session, actor.workspace_id)
    else:
        project = resolve_project(session, actor.workspace_id, data.project)
    _check_assignees(session, actor, data.assignees)
    number, key_number = numbering.allocate(session, actor.workspace_id, project.id)
    now = utcnow()
    closed = data.status == "closed"
    case = Case(
        id=new_id(),
        workspace_id=actor.workspace_id,
        project_id=project.id,
        number=number,
        key=f"{project.key}-{key_number}",
        title=data.title,
        description=data.description,
        status=data.status,
        priority_rank=priority_rank(data.priority),
        severity=data.severity,
        type=data.type,
        assignee_ids=[str(a) for a in data.assignees],
        tags=list(data.tags),
        author_id=actor.user_id,
        requester=data.requester.model_dump(mode="json") if data.requester else None,
        # Kept as UTC, so the created answer reads as every later GET does.
        due_date=data.due_date.astimezone(UTC) if data.due_date else None,
        resolution=data.resolution,
        resolution_reason=data.resolution_reason,
        external_refs=dict(data.external_refs),
        meta=dict(data.metadata),
        created_at=now,
        updated_at=now,
        updated_by=actor.user_id,
        closed_at=now if closed else None,
        closed_by=actor.user_id if closed else None,
        version=1,
    )
    session.add(case)
    session.flush()
    _add_tags(session, actor.workspace_id, case.id, data.tags)
    _add_assignees(session, actor.workspace_id, case.id, data.assignees)
    add_watchers(session, actor.workspace_id, case.id, {actor.user_id, *data.assignees})
    initial = {field: [None, value] for field, value in _current_values(case).items() if value not in (None, "", [], {})}
    activity.record(session, actor, case.id, "created", initial, source, now)
    return case


def _check_assignees(session: Session, actor: Actor, assignees: Iterable[uuid.UUID]) -> None:
    wanted = set(assignees)
    unknown = wanted - existing_user_ids(session, actor.workspace_id, wanted)
    if unknown:
        raise InvalidInput.field("assignees", f"not active users of this workspace: {', '.join(sorted(map(str, unknown)))}")


def _add_tags(session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, tags: Iterable[str]) -> None:
    rows = [{"case_id": case_id, "tag": tag, "workspace_id": workspace_id} for tag in tags]
    if rows:
        session.execute(insert(CaseTag.__table__), rows)


def _add_assignees(session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, users: Iterable[uuid.UUID]) -> None:
    rows = [{"case_id": case_id, "user_id": user, "workspace_id": workspace_id} for user in users]
    if rows:
        session.execute(insert(CaseAssignee.__table__), rows)


def add_watchers(session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, users: Iterable[uuid.UUID]) -> int:
    """The author and every assignee follow the case; a user already watching is left as is."""
    now = utcnow()
    rows = [{"case_id": case_id, "user_id": u, "workspace_id": workspace_id, "created_at": now} for u in users]
    return insert_ignoring_duplicates(session, CaseWatcher.__table__, rows)


# Changing


def _current_values(case: Case) -> dict[str, Any]:
    return {
        "title": case.title,
        "description": case.description,
        "status": case.status,
        "priority": priority_label(case.priority_rank),
        "severity": case.severity,
        "type": case.type,
        "assignees": [uuid.UUID(a) for a in case.assignee_ids],
        "tags": list(case.tags),
        "requester": case.requester,
        "due_date": case.due_date,
        "resolution": case.resolution,
        "resolution_reason": case.resolution_reason,
        "external_refs": case.external_refs,
        "metadata": case.meta,
    }


def _requested_values(data: CaseUpdate) -> dict[str, Any]:
    requested = data.changed_fields()
    for field, value in requested.items():
        if value is None and field in NON_NULLABLE_FIELDS:
            raise InvalidInput.field(field, "must not be null")
    if data.requester is not None:
        requested["requester"] = data.requester.model_dump(mode="json")
    return requested


def _check_version(case: Case, expected: int | None) -> None:
    if expected is not None and expected != case.version:
        raise VersionConflict(current=case.version, given=expected)


def _ensure_live(case: Case) -> None:
    if case.archived_at is not None:
        raise Conflict(f"case {case.key} is archived; restore it first")


def update_case(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    data: CaseUpdate,
    expected_version: int | None = None,
    source: str = activity.SOURCE_NATIVE,
) -> Case:
    """Apply the fields present in data; refuse with VersionConflict if the case moved past the given version."""
    actor.require_case_write()
    versions = {v for v in (expected_version, data.version) if v is not None}
    if len(versions) > 1:
        raise InvalidInput.field("version", "If-Match and version name different versions")
    expected = versions.pop() if versions else None
    requested = _requested_values(data)
    if "assignees" in requested:
        _check_assignees(session, actor, requested["assignees"])
    for _attempt in range(UNVERSIONED_RETRIES):
        case = find_case(session, actor.workspace_id, ref)
        _ensure_live(case)
        _check_version(case, expected)
        current = _current_values(case)
        changes = {f: [current[f], v] for f, v in requested.items() if current[f] != v}
        if not changes:
            return case
        if _apply_changes(session, actor, case, changes, source):
            return find_case(session, actor.workspace_id, case.id)
        if expected is not None:
            current_version = session.scalar(select(Case.version).where(Case.id == case.id))
            raise VersionConflict(current=current_version or 0, given=expected)
    raise Conflict("the case is changing too fast; try again")


def _apply_changes(session: Session, actor: Actor, case: Case, changes: dict[str, list[Any]], source: str) -> bool:
    """One conditional UPDATE on (id, version): False if another writer got there first."""
    now = utcnow()
    values: dict[str, Any] = {}
    for field, (_old, new) in changes.items():
        if field == "priority":
            values["priority_rank"] = priority_rank(new)
        elif field == "assignees":
            values["assignee_ids"] = [str(a) for a in new]
        elif field == "metadata":
            values["meta"] = new
        else:
            values[field] = new
    if "status" in changes:
        closing = changes["status"][1] == "closed"
        values["closed_at"] = now if closing else None
        values["closed_by"] = actor.user_id if closing else None
    values.update(updated_at=now, updated_by=actor.user_id, version=case.version + 1)
    result = session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == case.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    if "tags" in changes:
        old, new = set(changes["tags"][0]), set(changes["tags"][1])
        if old - new:
            session.execute(delete(CaseTag).where(CaseTag.case_id == case.id, CaseTag.tag.in_(old - new)))
        _add_tags(session, actor.workspace_id, case.id, [t for t in changes["tags"][1] if t not in old])
    if "assignees" in changes:
        old, new = set(changes["assignees"][0]), set(changes["assignees"][1])
        if old - new:
            session.execute(
                delete(CaseAssignee).where(CaseAssignee.case_id == case.id, CaseAssignee.user_id.in_(old - new))
            )
        _add_assignees(session, actor.workspace_id, case.id, [a for a in changes["assignees"][1] if a not in old])
        add_watchers(session, actor.workspace_id, case.id, new - old)
    activity.record(session, actor, case.id, _action_for(changes), changes, source, now)
    return True


def _action_for(changes: dict[str, Any]) -> str:
    if "status" in changes:
        return "status_changed"
    if set(changes) == {"assignees"}:
        return "assigned"
    return "updated"


def archive_case(
    session: Session, actor: Actor, ref: str, expected_version: int | None = None, source: str = activity.SOURCE_NATIVE
) -> Case:
    actor.require_case_admin()
    for _attempt in range(UNVERSIONED_RETRIES):
        case = find_case(session, actor.workspace_id, ref)
        _check_version(case, expected_version)
        if case.archived_at is not None:
            return case
        if (archived := _set_archived(session, actor, case, archived=True, source=source)) is not None:
            return archived
        if expected_version is not None:
            current_version = session.scalar(select(Case.version).where(Case.id == case.id))
            raise VersionConflict(current=current_version or 0, given=expected_version)
    raise Conflict("the case is changing too fast; try again")


def restore_case(session: Session, actor: Actor, ref: str, source: str = activity.SOURCE_NATIVE) -> Case:
    actor.require_case_admin()
    for _attempt in range(UNVERSIONED_RETRIES):
        case = find_case(session, actor.workspace_id, ref)
        if case.archived_at is None:
            raise Conflict(f"case {case.key} is not archived")
        if (restored := _set_archived(session, actor, case, archived=False, source=source)) is not None:
            return restored
    raise Conflict("the case is changing too fast; try again")


def _set_archived(session: Session, actor: Actor, case: Case, archived: bool, source: str) -> Case | None:
    """One conditional UPDATE on (id, version): None if another writer got there first."""
    now = utcnow()
    result = session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == case.version)
        .values(
            archived_at=now if archived else None,
            archived_by=actor.user_id if archived else None,
            updated_at=now,
            updated_by=actor.user_id,
            version=case.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    change = [case.archived_at, now if archived else None]
    activity.record(session, actor, case.id, "archived" if archived else "restored", {"archived_at": change}, source, now)
    return find_case(session, actor.workspace_id, case.id)


# Changes to a case's content (comments, alerts, files, ...), made by the content services


def lock_case_for_change(
    session: Session, actor: Actor, ref: str | uuid.UUID, expected_version: int | None = None
) -> Case:
    """The live case, locked until the transaction ends (PostgreSQL; SQLite has one writer), so that a
    content service can check a limit and write without another writer slipping in between."""
    actor.require_case_write()
    case = find_case(session, actor.workspace_id, ref, for_update=True)
    _ensure_live(case)
    _check_version(case, expected_version)
    return case


def record_change(
    session: Session,
    actor: Actor,
    case: Case,
    action: str,
    changes: dict[str, Any],
    counts: dict[str, int] | None = None,
    source: str = activity.SOURCE_NATIVE,
) -> int:
    """Bump the locked case's version, adjust its content counts, and log the change; returns the new version."""
    now = utcnow()
    values: dict[str, Any] = {"version": case.version + 1, "updated_at": now, "updated_by": actor.user_id}
    for column, delta in (counts or {}).items():
        values[column] = getattr(Case, column) + delta
    session.execute(update(Case.__table__).where(Case.id == case.id).values(**values))
    activity.record(session, actor, case.id, action, changes, source, now)
    # The row is already written: keep the loaded case current without making the session write it again.
    set_committed_value(case, "version", case.version + 1)
    return case.version


# Bulk


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    ref: str
    case: Case | None = None
    error: DomainError | None = None


def bulk_update(
    session: Session, actor: Actor, items: list[tuple[str, int | None, dict[str, Any]]], source: str = activity.SOURCE_NATIVE
) -> list[BulkOutcome]:
    """Each item in its own savepoint: one refused item leaves the others applied."""
    actor.require_case_write()
    outcomes = []
    for ref, version, raw_changes in items:
        try:
            changes = CaseUpdate.model_validate(raw_changes)
        except ValidationError as exc:
            outcomes.append(BulkOutcome(ref, error=from_validation_error(exc, prefix="changes")))
            continue
        try:
            with session.begin_nested():
                case = update_case(session, actor, ref, changes, version, source)
            outcomes.append(BulkOutcome(ref, case=case))
        except DomainError as exc:
            outcomes.append(BulkOutcome(ref, error=exc))
    return outcomes


# Finding


_SORT_COLUMNS = {
    "created": Case.created_at,
    "updated": Case.updated_at,
    "priority": Case.priority_rank,
    "number": Case.number,
}


@dataclass(frozen=True, slots=True)
class CasePage:
    items: list[Case]
    next_cursor: str | None
    total: int | None


def list_cases(
    session: Session,
    actor: Actor,
    filters: CaseFilter,
    sort: SortField = "updated",
    order: SortOrder = "desc",
    limit: int = 50,
    cursor: str | None = None,
    with_total: bool = False,
) -> CasePage:
    actor.require_case_read()
    query = _filtered(session, actor.workspace_id, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) if with_total else None
    column = _SORT_COLUMNS[sort]
    if cursor is not None:
        query = query.where(_after_cursor(column, sort, order, cursor))
    ordering = (column.desc(), Case.id.desc()) if order == "desc" else (column.asc(), Case.id.asc())
    rows = list(session.scalars(query.order_by(*ordering).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([sort, order, _cursor_value(getattr(last, column.key)), str(last.id)])
    return CasePage(rows, next_cursor, total)


def _cursor_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# What the sort columns can hold (INTEGER, SMALLINT): a value past them is no cursor this server issued.
_CURSOR_INT_RANGES = {"number": range(-(2**31), 2**31), "priority": range(-(2**15), 2**15)}


def _cursor_position(sort: str, raw: Any) -> Any:
    """The sort value a cursor holds; ValueError/TypeError/OverflowError unless it is one this server could issue."""
    if sort in ("created", "updated"):
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("naive time in cursor")
        return value.astimezone(UTC)
    number = int(raw)
    if number not in _CURSOR_INT_RANGES[sort]:
        raise ValueError("number out of range in cursor")
    return number


def _after_cursor(column: Any, sort: str, order: str, cursor: str) -> Any:
    values = decode_cursor(cursor)
    if len(values) != 4 or values[:2] != [sort, order]:
        raise InvalidInput.field("cursor", "the cursor belongs to another sort or order")
    try:
        value = _cursor_position(sort, values[2])
        if not isinstance(values[3], str):
            raise TypeError(values[3])
        last_id = uuid.UUID(values[3])
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput.field("cursor", "not a cursor this server issued") from None
    # Typed after the column: a tuple's literals would otherwise skip UTCDateTime's conversion to stored UTC.
    key, last = tuple_(column, Case.id), tuple_(literal(value, column.type), literal(last_id, Case.id.type))
    return key < last if order == "desc" else key > last


def _filtered(session: Session, workspace_id: uuid.UUID, f: CaseFilter) -> Select[tuple[Case]]:
    query = select(Case).where(Case.workspace_id == workspace_id)
    if f.archived == "exclude":
        query = query.where(Case.archived_at.is_(None))
    elif f.archived == "only":
        query = query.where(Case.archived_at.is_not(None))
    if f.status:
        query = query.where(Case.status.in_(f.status))
    if f.priority:
        query = query.where(Case.priority_rank.in_([priority_rank(p if p != "none" else None) for p in f.priority]))
    if f.severity:
        query = query.where(Case.severity.in_(f.severity))
    if f.assignee:
        query = query.where(
            exists().where(
                CaseAssignee.workspace_id == workspace_id,
                CaseAssignee.user_id.in_(f.assignee),
                CaseAssignee.case_id == Case.id,
            )
        )
    if f.unassigned:
        query = query.where(not_(exists().where(CaseAssignee.case_id == Case.id)))
    for tag in f.tag:
        query = query.where(_has_tags(workspace_id, [tag]))
    if f.tag_any:
        query = query.where(_has_tags(workspace_id, f.tag_any))
    if f.tag_none:
        query = query.where(not_(_has_tags(workspace_id, f.tag_none)))
    if f.author is not None:
        query = query.where(Case.author_id == f.author)
    if f.project is not None:
        query = query.where(Case.project_id == resolve_project(session, workspace_id, f.project).id)
    if f.created_after is not None:
        query = query.where(Case.created_at >= f.created_after)
    if f.created_before is not None:
        query = query.where(Case.created_at < f.created_before)
    if f.updated_after is not None:
        query = query.where(Case.updated_at >= f.updated_after)
    if f.updated_before is not None:
        query = query.where(Case.updated_at < f.updated_before)
    if f.q is not None:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Case.title.ilike(pattern, escape="\\") | Case.description.ilike(pattern, escape="\\"))
    return query


def _has_tags(workspace_id: uuid.UUID, tags: list[str]) -> Any:
    return exists().where(CaseTag.workspace_id == workspace_id, CaseTag.tag.in_(tags), CaseTag.case_id == Case.id)


# Activity


def list_activity(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    actor.require_case_read()
    case = find_case(session, actor.workspace_id, ref)
    rows = activity.list_for_case(session, actor.workspace_id, case.id, after_id(cursor), limit + 1)
    return page_of(rows, limit)
