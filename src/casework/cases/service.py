"""The case aggregate: reading, creating and changing cases, and the changes content services make to them
(archiving and deleting: casework.cases.lifecycle; bulk updates: casework.cases.bulk; finding:
casework.cases.search)."""

import functools
import operator
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    Uuid,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from casework.activity import service as activity
from casework.activity.records import ActivityRecord
from casework.auth.service import Actor, act_for, existing_user_ids
from casework.cases import closing, vendor_fields
from casework.cases.counts import count_case
from casework.cases.models import (
    Case,
    CaseAssignee,
    CaseMetadata,
    CaseTag,
    metadata_digest,
    severity_rank,
    status_rank,
)
from casework.cases.records import CaseIdentity, CaseRecord, LockedCase, case_record, lock_case, read_case
from casework.cases.schemas import (
    NON_NULLABLE_FIELDS,
    CaseCreate,
    CaseUpdate,
    case_view,
)
from casework.cases.tags import register_tags

# Watching is part of the case's write path, so cases owns case_watchers; the watchers package writes through it.
from casework.cases.watching import add_watchers
from casework.db.base import Base, new_id, utcnow
from casework.db.handles import ref_condition, ref_value
from casework.db.plain import PlainStatement
from casework.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from casework.i18n import _
from casework.pagination import after_id, page_of
from casework.projects import numbering
from casework.projects.lookup import default_project, resolve_project
from casework.projects.models import Project
from casework.workflow.case_types.service import resolve_type
from casework.workflow.case_values import priority_label, priority_rank
from casework.workflow.fields import service as fields
from casework.workflow.slas import service as slas
from casework.workflow.statuses.models import CaseStatus
from casework.workflow.statuses.service import check_transition, project_status

# The case's content counts, as case_view shows them.
COUNT_COLUMNS = (
    "comment_count",
    "alert_count",
    "insight_count",
    "file_count",
    "tasks_open",
    "tasks_done",
    "link_count",
)
# A write without a client version retries this often when another writer got in between.
UNVERSIONED_RETRIES = 5

Row = TypeVar("Row", bound=Base)


# Reading one case


def find_case(session: Session, workspace_id: uuid.UUID, ref: str | uuid.UUID, for_update: bool = False) -> Case:
    """A case by id, number or key, only within the workspace; anything else is simply not found."""
    column, value = _named_by(ref)
    case = None
    if value is not None:
        case = session.scalar(_FIND_CASE[column, for_update], {"workspace_id": workspace_id, "ref": value})
    if case is None:
        raise NotFound("case", ref)
    return case


def locked_case(session: Session, workspace_id: uuid.UUID, ref: str | uuid.UUID) -> LockedCase:
    """The case by id, number or key within the workspace, its row locked until the unit of work ends, as a read
    model; NotFound as find_case."""
    column, value = _named_by(ref)
    case = None if value is None else lock_case(session, workspace_id, column, value)
    if case is None:
        raise NotFound("case", ref)
    return case


def _named_by(ref: str | uuid.UUID) -> tuple[str, Any]:
    """The column a ref names a case by (id, number or key) and its value there, None where no case can have it."""
    if isinstance(ref, str) and "\x00" in ref:
        return "key", None
    named = ref_value(Case, ref)
    return named if named is not None else ("key", str(ref).upper())


def find_cases(
    session: Session,
    workspace_id: uuid.UUID,
    refs: Iterable[str | uuid.UUID],
    for_update: bool = False,
    with_clocks: bool = False,
) -> dict[str | uuid.UUID, Case]:
    """Cases by id, number or key, as find_case finds one, in one statement (locked in id order, so that two
    writers locking overlapping sets cannot deadlock; with_clocks: their SLA clocks in one more); a ref that names
    no case is left out."""
    named: dict[str, dict[Any, list[str | uuid.UUID]]] = {"id": {}, "number": {}, "key": {}}
    for ref in refs:
        column, value = _named_by(ref)
        if value is not None:
            named[column].setdefault(value, []).append(ref)
    conditions = [getattr(Case, column).in_(list(values)) for column, values in named.items() if values]
    if not conditions:
        return {}
    query = (
        select(Case)
        .where(Case.workspace_id == workspace_id, or_(*conditions))
        .options(*([] if with_clocks else [lazyload(Case.sla_clocks)]))
        .order_by(Case.id)
        .execution_options(populate_existing=True)
    )
    found: dict[str | uuid.UUID, Case] = {}
    for case in session.scalars(query.with_for_update(of=Case) if for_update else query):
        for column, values in named.items():
            for ref in values.get(getattr(case, column), ()):
                found[ref] = case
    return found


def _find_case_by(column: str, for_update: bool) -> Select[Case]:
    query = (
        select(Case)
        .where(Case.workspace_id == bindparam("workspace_id", type_=Uuid()), getattr(Case, column) == bindparam("ref"))
        # The SLA clocks on first use only: most writes lock the case and never look at them.
        .options(lazyload(Case.sla_clocks))
        .execution_options(populate_existing=True)
    )
    # Only the case row: the joined status row is shared by many cases.
    return query.with_for_update(of=Case) if for_update else query


# Built once: a statement's cache key is worked out again for every new statement object (every write finds its case).
_FIND_CASE = {(by, lock): _find_case_by(by, lock) for by in ("id", "number", "key") for lock in (False, True)}


def visible_case(session: Session, actor: Actor, ref: str | uuid.UUID) -> Case:
    """The case as an entity, for the services of the layers above (they read and lock it in their own work)."""
    actor.require_case_read()
    return find_case(session, actor.workspace_id, ref)


def get_case(session: Session, actor: Actor, ref: str | uuid.UUID) -> CaseRecord:
    """The case as the entry points read it (one statement, no entity: the hottest read)."""
    actor.require_case_read()
    record = read_case(session, actor.workspace_id, ref)
    if record is None:
        raise NotFound("case", ref)
    return record


def find_in_case(
    session: Session, model: type[Row], case: CaseIdentity, row_id: str | uuid.UUID, kind: str, *, refresh: bool = True
) -> Row:
    """A row of the case's `model` (comment, file, task, ...) by its id or handle; anything else is a NotFound naming
    `kind`.

    refresh: read the row's columns again even if the session holds it already.
    """
    named = ref_condition(model, row_id)
    if named is None:
        raise NotFound(kind, row_id)
    query = select(model).where(named, model.__table__.c.case_id == case.id)
    if refresh:
        query = query.execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None:
        raise NotFound(kind, row_id)
    return row


# Creating


def create_case(session: Session, actor: Actor, data: CaseCreate) -> CaseRecord:
    actor.require_case_write()
    actor = act_for(session, actor, data.author, "author")
    if data.project is None:
        project = default_project(session, actor.workspace_id)
    else:
        project = resolve_project(session, actor.workspace_id, data.project)
    case_type = resolve_type(session, project, data.type)
    data = _prefilled(data, case_type.prefill)
    status = project_status(session, project.id, data.status)
    closing.check_resolution(project, status, data.resolution)
    _check_assignees(session, actor, data.assignees)
    definitions = fields.case_fields(session, project.id, case_type.id)
    field_values = fields.case_field_values(session, actor, definitions, data.fields, None)
    policies = slas.new_case_policies(session, project.id, priority_rank(data.priority))
    now = utcnow()
    opened_at = data.opened_at.astimezone(UTC) if data.opened_at else now
    resolved_at = data.resolved_at.astimezone(UTC) if data.resolved_at else None
    vendor_fields.check_times(opened_at, resolved_at, "resolved_at")
    closed = status.group == "closed"
    case = _new_case(
        id=new_id(),
        workspace_id=actor.workspace_id,
        project_id=project.id,
        title=data.title,
        description=data.description,
        status_id=status.id,
        status=status.group,
        status_category=status.category,
        priority_rank=priority_rank(data.priority),
        status_rank=status_rank(status.group),
        severity_rank=severity_rank(data.severity),
        severity=data.severity,
        type=case_type.name,
        assignee_ids=[str(a) for a in data.assignees],
        tags=list(data.tags),
        author_id=actor.author_id,
        requester=data.requester.model_dump(mode="json") if data.requester else None,
        # Kept as UTC, so the created answer reads as every later GET does.
        due_date=data.due_date.astimezone(UTC) if data.due_date else None,
        resolution=data.resolution,
        resolution_reason=data.resolution_reason,
        external_refs=dict(data.external_refs),
        meta=dict(data.metadata),
        fields=field_values,
        closure_conditions=[c.model_dump() for c in data.closure_conditions],
        first_response_at=now if data.assignees else None,
        created_at=now,
        updated_at=now,
        updated_by=actor.author_id,
        closed_at=now if closed else None,
        closed_by=actor.author_id if closed else None,
        duration=0 if closed else None,
        version=1,
        **{column: 0 for column in COUNT_COLUMNS},
        owner=data.owner,
        category=data.category,
        opened_at=opened_at,
        resolved_at=resolved_at,
        requester_id=data.requester.id if data.requester else None,
        attributes=dict(data.attributes),
        vendor_data=dict(data.vendor_data),
    )
    set_committed_value(case, "current_status", status)
    overridden = []
    if closed:
        view = case_view(case_record(case, now))
        overridden = closing.check_closable(session, actor, case, project, view, data.override_closure_conditions)
    case.number, key_number = numbering.allocate(session, actor.workspace_id, project.id)
    case.key = f"{project.key}-{key_number}"
    _insert_case(session, case)
    _add_tags(session, actor.workspace_id, case.id, data.tags)
    vendor_fields.index_attributes(session, actor.workspace_id, case.id, {}, data.attributes)
    _add_assignees(session, actor.workspace_id, case.id, data.assignees)
    _index_metadata(session, actor.workspace_id, case.id, {}, case.meta)
    count_case(session, case, None, (status.group, False))
    add_watchers(session, actor.workspace_id, case.id, {actor.author_id, *data.assignees})
    fields.index_values(session, actor.workspace_id, case.id, definitions, {}, field_values)
    set_committed_value(case, "sla_clocks", slas.start_clocks(session, case, project, policies, now))
    initial = {
        field: [None, value] for field, value in _current_values(case).items() if value not in (None, "", [], {})
    }
    activity.record(session, actor, case.id, "created", initial, now)
    closing.log_override(session, actor, case.id, overridden)
    return case_record(case, now)


def _new_case(**values: Any) -> Case:
    """The new case's entity, its values set as a loaded row's are: it never joins a session (the row is written by
    _insert_case), so the constructor's change tracking, ~50 attribute events, is not needed."""
    case: Case = Case.__mapper__.class_manager.new_instance()
    case.__dict__.update(values)
    return case


def _insert_case(session: Session, case: Case) -> None:
    """The new case's row, by one Core INSERT of the values it was built with (columns it leaves unset take their
    defaults): the ORM's unit of work cost a seventh of a create. The entity stays out of the session; a later read
    in the same unit of work loads the row."""
    built = case.__dict__
    _INSERT_CASE.run(session, {column: built[name] for name, column in _case_columns() if name in built})


_INSERT_CASE = PlainStatement(insert(Case.__table__))


@functools.cache
def _case_columns() -> tuple[tuple[str, str], ...]:
    """(attribute, column) of each of the case's columns (`meta` is the column `metadata`)."""
    return tuple((prop.key, prop.columns[0].key) for prop in Case.__mapper__.column_attrs)


# What a case type may fill in when a new case does not set it itself.
_PREFILLABLE = ("description", "priority", "severity", "tags", "closure_conditions")


def _prefilled(data: CaseCreate, prefill: dict[str, Any]) -> CaseCreate:
    if not prefill:
        return data
    given = data.model_fields_set
    updates: dict[str, Any] = {k: prefill[k] for k in _PREFILLABLE if k in prefill and k not in given}
    if prefill.get("fields"):
        updates["fields"] = {**prefill["fields"], **data.fields}
    return CaseCreate.model_validate({**data.model_dump(exclude_unset=True), **updates}) if updates else data


def _check_assignees(session: Session, actor: Actor, assignees: Iterable[uuid.UUID]) -> None:
    wanted = set(assignees)
    unknown = wanted - existing_user_ids(session, actor.workspace_id, wanted)
    if unknown:
        raise InvalidInput.field(
            "assignees", _("not active users of this workspace: {users}", users=", ".join(sorted(map(str, unknown))))
        )


def _add_tags(session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, tags: Iterable[str]) -> None:
    rows: list[dict[str, Any]] = [{"case_id": case_id, "tag": tag, "workspace_id": workspace_id} for tag in tags]
    if rows:
        _INSERT_CASE_TAGS.run_many(session, rows)
        register_tags(session, workspace_id, (row["tag"] for row in rows))


_INSERT_CASE_TAGS = PlainStatement(insert(CaseTag.__table__))


def _add_assignees(session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, users: Iterable[uuid.UUID]) -> None:
    rows = [{"case_id": case_id, "user_id": user, "workspace_id": workspace_id} for user in users]
    if rows:
        session.execute(insert(CaseAssignee.__table__), rows)


def _index_metadata(
    session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, old: dict[str, str], new: dict[str, str]
) -> None:
    """Keeps case_metadata, the searchable copy of the case's metadata, in step with a change from old to new."""
    changed = [key for key in old if old[key] != new.get(key)]
    if changed:
        session.execute(delete(CaseMetadata).where(CaseMetadata.case_id == case_id, CaseMetadata.key.in_(changed)))
    rows = [
        {"case_id": case_id, "key": key, "workspace_id": workspace_id, "value_digest": metadata_digest(value)}
        for key, value in new.items()
        if old.get(key) != value
    ]
    if rows:
        session.execute(insert(CaseMetadata.__table__), rows)


# Changing


# Each field a change names, as the case holds it now.
_CURRENT: dict[str, Callable[[Case], Any]] = {
    "title": operator.attrgetter("title"),
    "description": operator.attrgetter("description"),
    "status": operator.attrgetter("status"),
    "status_name": lambda case: case.current_status.name,
    "priority": lambda case: priority_label(case.priority_rank),
    "severity": operator.attrgetter("severity"),
    "type": operator.attrgetter("type"),
    "assignees": lambda case: [uuid.UUID(a) for a in case.assignee_ids],
    "tags": lambda case: list(case.tags),
    "requester": operator.attrgetter("requester"),
    "due_date": operator.attrgetter("due_date"),
    "resolution": operator.attrgetter("resolution"),
    "resolution_reason": operator.attrgetter("resolution_reason"),
    "external_refs": operator.attrgetter("external_refs"),
    "metadata": operator.attrgetter("meta"),
    "fields": operator.attrgetter("fields"),
    "closure_conditions": operator.attrgetter("closure_conditions"),
    "owner": operator.attrgetter("owner"),
    "category": operator.attrgetter("category"),
    "opened_at": operator.attrgetter("opened_at"),
    "resolved_at": operator.attrgetter("resolved_at"),
    "attributes": operator.attrgetter("attributes"),
    "vendor_data": operator.attrgetter("vendor_data"),
}


def _current_values(case: Case, names: Iterable[str] = _CURRENT) -> dict[str, Any]:
    """The named fields' current values (a change reads only those it names: a bulk change reads a hundred cases)."""
    return {name: _CURRENT[name](case) for name in names}


def _requested_values(data: CaseUpdate) -> dict[str, Any]:
    requested = data.changed_fields()
    for field, value in requested.items():
        if value is None and field in NON_NULLABLE_FIELDS:
            raise InvalidInput.field(field, _("must not be null"))
    if data.requester is not None:
        requested["requester"] = data.requester.model_dump(mode="json")
    if data.closure_conditions is not None:
        requested["closure_conditions"] = [c.model_dump() for c in data.closure_conditions]
    return requested


def check_version(case: Case | LockedCase, expected: int | None) -> None:
    if expected is not None and expected != case.version:
        raise VersionConflict(current=case.version, given=expected)


def ensure_live(case: Case | LockedCase) -> None:
    if case.archived_at is not None:
        raise Conflict(_("case {key} is archived; restore it first", key=case.key))


# Changes a closed case accepts without being reopened: moving between statuses of the closed group, and saying how
# it was resolved (Datadog sets a case's resolved reason once it is closed).
_CLOSED_CASE_CHANGES = frozenset({"status_name", "status_category", "resolution", "resolution_reason"})


def _ensure_editable(project: Project, case: Case, changes: dict[str, list[Any]]) -> None:
    """A closed case is read-only in projects that say so, but for reopening it, a move within the closed group and its
    resolution."""
    if case.status != "closed" or not project.closed_read_only:
        return
    reopening = "status" in changes and changes["status"][1] != "closed"
    if not reopening and not set(changes) <= _CLOSED_CASE_CHANGES:
        raise Conflict(_("case {key} is closed; reopen it to change it", key=case.key))


def update_case(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    data: CaseUpdate,
    expected_version: int | None = None,
) -> CaseRecord:
    """Apply the fields present in data; refuse with VersionConflict if the case moved past the given version."""
    return case_record(change_case(session, actor, ref, data, expected_version))


def change_case(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    data: CaseUpdate,
    expected_version: int | None = None,
) -> Case:
    """update_case for the services of the layers above: the changed case as an entity, for their own work."""
    expected, requested = _checked_request(session, actor, data, expected_version)
    for _attempt in range(UNVERSIONED_RETRIES):
        case = find_case(session, actor.workspace_id, ref)
        project = session.get_one(Project, case.project_id)
        checked = _check_change(session, actor, case, project, requested, data.override_closure_conditions, expected)
        if checked is None:
            return case
        if _write_changes(session, actor, [checked]) is not None:
            return find_case(session, actor.workspace_id, case.id)
        if expected is not None:
            current_version = session.scalar(select(Case.version).where(Case.id == case.id))
            raise VersionConflict(current=current_version or 0, given=expected)
    raise Conflict(_("the case is changing too fast; try again"))


@dataclass(frozen=True, slots=True)
class CheckedChange:
    """A change of one case that passed every rule, not yet written: field -> [old, new], the status it moves to,
    and the closure conditions it overrides."""

    case: Case
    project: Project
    changes: dict[str, list[Any]]
    target: CaseStatus | None
    overridden: list[str]


def check_locked_change(
    session: Session,
    actor: Actor,
    case: Case,
    project: Project,
    data: CaseUpdate,
    expected_version: int | None = None,
) -> CheckedChange | None:
    """change_case's rules, on a case the caller found with find_cases(for_update=True) and the project it is in,
    writing nothing: None when the change changes nothing. The rules read only the case itself and the
    configuration, so that the changes of many cases can all be checked first and written together
    (write_locked_changes)."""
    expected, requested = _checked_request(session, actor, data, expected_version)
    return _check_change(session, actor, case, project, requested, data.override_closure_conditions, expected)


def write_locked_changes(session: Session, actor: Actor, checked: list[CheckedChange]) -> None:
    """Write the checked changes of distinct locked cases together. Their entities then hold the cases as written
    (the writes bypass the entities): the values set, but JSON ones and the SLA clocks read back."""
    written = _write_changes(session, actor, checked)
    assert written is not None, "a locked case changed under its lock"
    by_id = {change.case.id: change for change in checked}
    json_attributes = _json_attributes()
    for change, values in zip(checked, written, strict=True):
        for name, value in values.items():
            if name not in json_attributes:
                # As the database gives a moment back: in UTC.
                set_committed_value(change.case, name, value.astimezone(UTC) if isinstance(value, datetime) else value)
    stored_as_json = sorted(json_attributes.intersection(set().union(*written)))
    if stored_as_json:
        query = select(Case.id, *(getattr(Case, name) for name in stored_as_json)).where(Case.id.in_(list(by_id)))
        for case_id, *stored in session.execute(query):
            for name, value in zip(stored_as_json, stored, strict=True):
                set_committed_value(by_id[case_id].case, name, value)
    clocks = slas.clocks_of(session, by_id)
    for change in checked:
        set_committed_value(change.case, "sla_clocks", clocks[change.case.id])
        if change.target is not None:
            set_committed_value(change.case, "current_status", change.target)


@functools.cache
def _json_attributes() -> frozenset[str]:
    """The case's attributes a database may store its own way (jsonb orders keys and rewrites numbers)."""
    return frozenset(name for name, column in Case.__mapper__.columns.items() if isinstance(column.type, JSON))


def _checked_request(
    session: Session, actor: Actor, data: CaseUpdate, expected_version: int | None
) -> tuple[int | None, dict[str, Any]]:
    """What a change asks, checked before any case is read: the version it expects and the values it sets."""
    actor.require_case_write()
    versions = {v for v in (expected_version, data.version) if v is not None}
    if len(versions) > 1:
        raise InvalidInput.field("version", _("If-Match and version name different versions"))
    requested = _requested_values(data)
    if "assignees" in requested:
        _check_assignees(session, actor, requested["assignees"])
    return (versions.pop() if versions else None), requested


def _check_change(
    session: Session,
    actor: Actor,
    case: Case,
    project: Project,
    requested: dict[str, Any],
    override_closure_conditions: bool,
    expected: int | None,
) -> CheckedChange | None:
    """Check the requested change against every rule: None when it changes nothing."""
    ensure_live(case)
    check_version(case, expected)
    changes, target = _changes(session, actor, case, project, requested)
    if not changes:
        return None
    _ensure_editable(project, case, changes)
    overridden: list[str] = []
    if changes.get("status", [None, None])[1] == "closed":
        view = case_view(case_record(case)) | {field: new for field, (_old, new) in changes.items()}
        overridden = closing.check_closable(session, actor, case, project, view, override_closure_conditions)
    return CheckedChange(case, project, changes, target, overridden)


def _changes(
    session: Session, actor: Actor, case: Case, project: Project, requested: dict[str, Any]
) -> tuple[dict[str, list[Any]], CaseStatus | None]:
    """field -> [old, new] for what the request really changes, and the status it moves to, if any."""
    resolved = dict(requested)
    if requested.get("type", case.type) != case.type:
        case_type = resolve_type(session, project, requested["type"])
        resolved["type"] = case_type.name
        definitions = fields.case_fields(session, project.id, case_type.id)
    else:
        # The case's own type, even deleted since: its cases keep it.
        resolved.pop("type", None)
        definitions = fields.fields_of_case(session, project, case.type)
    # Every write checks the fields: required ones must stay filled, and a new type must define the values held.
    new_fields = fields.case_field_values(session, actor, definitions, requested.get("fields"), case.fields)
    if "fields" in requested or "type" in resolved:
        resolved["fields"] = new_fields
    target = None
    if "status" in requested:
        target = project_status(session, project.id, resolved.pop("status"))
    vendor_fields.resolve_changes(case, resolved)
    current = _current_values(case, resolved)
    changes = {f: [current[f], v] for f, v in resolved.items() if current[f] != v}
    if target is not None and target.id != case.status_id:
        check_transition(session, project, case.current_status, target)
        changes["status_name"] = [case.current_status.name, target.name]
        if target.group != case.status:
            changes["status"] = [case.status, target.group]
        if target.category != case.status_category:
            changes["status_category"] = [case.status_category, target.category]
    else:
        target = None
    if target is not None or "resolution" in changes:
        resolution = changes["resolution"][1] if "resolution" in changes else case.resolution
        closing.check_resolution(project, target or case.current_status, resolution)
    return changes, target


def _write_changes(session: Session, actor: Actor, checked: list[CheckedChange]) -> list[dict[str, Any]] | None:
    """The cases' rows in one conditional UPDATE on (id, version) per set of columns changed, then each case's
    related rows, counts and clocks, then every activity entry in one insert; returns each row's new values (by
    attribute). None, having written nothing, when one case changed alone moved since it was read (a case not
    locked: another writer got there first)."""
    now = utcnow()
    rows = [_row_values(actor, change, now) for change in checked]
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change, (values, _followed) in zip(checked, rows, strict=True):
        row: dict[str, Any] = {"case_id": change.case.id, "seen": change.case.version}
        row.update((f"new_{name}", value) for name, value in values.items())
        by_columns.setdefault(tuple(sorted(values)), []).append(row)
    for columns, parameters in by_columns.items():
        if _change_statement(columns).run_many(session, parameters) != len(parameters):
            return None
    entries: list[activity.Entry] = []
    for change, (values, followed) in zip(checked, rows, strict=True):
        _write_related(session, actor, change, values, followed, now)
        logged = vendor_fields.logged(change.changes)
        entries.append(activity.Entry(change.case.id, _action_for(change.changes), logged))
        entries.extend(closing.override_entries(change.case.id, change.overridden))
    activity.record_all(session, actor, entries, now)
    return [values for values, _followed in rows]


def _row_values(actor: Actor, checked: CheckedChange, now: datetime) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The case row's new values (by attribute), and the changes the SLA clocks follow."""
    case, changes, target = checked.case, checked.changes, checked.target
    values: dict[str, Any] = {}
    for field, (_old, new) in changes.items():
        if field == "priority":
            values["priority_rank"] = priority_rank(new)
        elif field == "assignees":
            values["assignee_ids"] = [str(a) for a in new]
        elif field == "metadata":
            values["meta"] = new
        elif field != "status_name":
            values[field] = new
    if "status" in values:
        values["status_rank"] = status_rank(values["status"])
    if "severity" in values:
        values["severity_rank"] = severity_rank(values["severity"])
    followed = dict(changes)
    if "requester" in changes:
        values["requester_id"] = (changes["requester"][1] or {}).get("id")
    if target is not None:
        values["status_id"] = target.id
    if "status" in changes:
        closes = changes["status"][1] == "closed"
        values["closed_at"] = now if closes else None
        values["closed_by"] = actor.user_id if closes else None
        values["duration"] = int((now - case.created_at).total_seconds()) if closes else None
        followed["closed_at"] = [case.closed_at, values["closed_at"]]
    if "assignees" in changes and changes["assignees"][1] and case.first_response_at is None:
        values["first_response_at"] = now
        followed["first_response_at"] = [None, now]
    values.update(updated_at=now, updated_by=actor.user_id, version=case.version + 1)
    return values, followed


def _write_related(
    session: Session,
    actor: Actor,
    checked: CheckedChange,
    values: dict[str, Any],
    followed: dict[str, list[Any]],
    now: datetime,
) -> None:
    """What a case's change writes besides its row: tags, assignees and watchers, the indexes of its fields,
    attributes and metadata, the workspace's counts and its SLA clocks."""
    case, project, changes = checked.case, checked.project, checked.changes
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
    if "fields" in changes:
        definitions = fields.fields_of_case(session, project, values.get("type", case.type))
        fields.index_values(session, actor.workspace_id, case.id, definitions, *changes["fields"])
    if "attributes" in changes:
        vendor_fields.index_attributes(session, actor.workspace_id, case.id, *changes["attributes"])
    if "metadata" in changes:
        _index_metadata(session, actor.workspace_id, case.id, changes["metadata"][0], changes["metadata"][1])
    if "status" in changes or "assignees" in changes:
        archived = case.archived_at is not None
        group_before, group_after = changes.get("status", [case.status] * 2)
        assignees = tuple(changes["assignees"]) if "assignees" in changes else None
        count_case(session, case, (group_before, archived), (group_after, archived), assignees)
    slas.on_case_change(session, case, project, followed, now)


def _action_for(changes: dict[str, Any]) -> str:
    if "status_name" in changes:
        return "status_changed"
    if set(changes) == {"assignees"}:
        return "assigned"
    return "updated"


# Changes to a case's content (comments, alerts, files, ...), made by the content services


def lock_case_for_change(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    expected_version: int | None = None,
    *,
    comment: bool = False,
    link_target: bool = False,
) -> LockedCase:
    """The live case, locked until the transaction ends (PostgreSQL; SQLite has one writer), so that a
    content service can check a limit and write without another writer slipping in between.

    comment: the change is a comment, which a closed case may still take where its project allows it.
    link_target: the case is the far side of a link being made or removed, which a closed case always takes (marking
    a new case a duplicate of a closed one is the common case)."""
    actor.require_case_write()
    case = locked_case(session, actor.workspace_id, ref)
    ensure_live(case)
    check_version(case, expected_version)
    if case.status == "closed" and not link_target:
        project = session.get_one(Project, case.project_id)
        if project.closed_read_only and not (comment and project.comments_on_closed):
            raise Conflict(_("case {key} is closed; reopen it to change it", key=case.key))
    return case


def record_change(
    session: Session,
    actor: Actor,
    case: LockedCase,
    action: str,
    changes: dict[str, Any],
    counts: dict[str, int] | None = None,
) -> int:
    """Bump the locked case's version, adjust its content counts, and log the change; returns the new version."""
    now = utcnow()
    counts = counts or {}
    parameters: dict[str, Any] = {"case_id": case.id, "now": now, "by": actor.author_id}
    parameters.update({f"delta_{column}": delta for column, delta in counts.items()})
    # The row's own version, raised: a change made within another (an override's comment) counts once each.
    [case.version] = _bump_statement(tuple(sorted(counts))).first(session, parameters) or ()
    activity.record(session, actor, case.id, action, changes, now)
    return case.version


_CASE_ROWS = Case.__table__
_THIS_CASE = _CASE_ROWS.c.id == bindparam("case_id", type_=Uuid())


def _count_changes(columns: Iterable[str]) -> dict[str, Any]:
    return {column: _CASE_ROWS.c[column] + bindparam(f"delta_{column}", type_=Integer()) for column in columns}


@functools.cache
def _bump_statement(count_columns: tuple[str, ...]) -> PlainStatement:
    """The UPDATE of a change (its count columns sorted), returning the version it wrote: built once per set of
    counts, run on the driver (casework.db.plain)."""
    return PlainStatement(
        update(_CASE_ROWS)
        .where(_THIS_CASE)
        .values(
            version=_CASE_ROWS.c.version + 1,
            updated_at=bindparam("now", type_=_CASE_ROWS.c.updated_at.type),
            updated_by=bindparam("by", type_=Uuid()),
            **_count_changes(count_columns),
        )
        .returning(_CASE_ROWS.c.version)
    )


@functools.cache
def _change_statement(attributes: tuple[str, ...]) -> PlainStatement:
    """The conditional UPDATE of a change to these attributes (sorted) on (id, version), run on the driver: built
    once per set of attributes, where an ORM UPDATE of literal values was built and its cache key worked out for
    every change."""
    columns = Case.__mapper__.columns
    return PlainStatement(
        update(_CASE_ROWS)
        .where(_THIS_CASE, _CASE_ROWS.c.version == bindparam("seen", type_=Integer()))
        .values({columns[name]: bindparam(f"new_{name}", type_=columns[name].type) for name in attributes})
    )


_SET_OUTCOME = update(_CASE_ROWS).where(_THIS_CASE).values(outcome=bindparam("outcome", type_=String()))


def set_outcome(session: Session, case: LockedCase, outcome: str | None) -> None:
    """Set the locked case's outcome alone (an accepted override's): the caller records the change."""
    session.execute(_SET_OUTCOME, {"case_id": case.id, "outcome": outcome})
    case.outcome = outcome


def adjust_counts(session: Session, case: LockedCase, counts: dict[str, int]) -> None:
    """Adjust the locked case's content counts alone: the caller records the change with record_change."""
    statement = update(_CASE_ROWS).where(_THIS_CASE).values(**_count_changes(counts))
    session.execute(statement, {"case_id": case.id, **{f"delta_{column}": delta for column, delta in counts.items()}})


# Activity


def list_activity(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[ActivityRecord], str | None]:
    actor.require_case_read()
    case = find_case(session, actor.workspace_id, ref)
    rows = activity.list_for_case(session, actor.workspace_id, case.id, after_id(cursor), limit + 1)
    return page_of(rows, limit)


def latest_activity(session: Session, actor: Actor, ref: str, limit: int) -> list[ActivityRecord]:
    """A case's newest activity entries, newest first."""
    actor.require_case_read()
    case = find_case(session, actor.workspace_id, ref)
    return activity.latest_for_case(session, actor.workspace_id, case.id, limit)
