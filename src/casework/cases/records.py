"""The read model of a case: every fact of a case an API shows, read straight from rows on the hot reads (one case,
a page of cases) or copied out of an entity the service holds, inside the service's unit of work. Routers, the CLI
and dialects translate a CaseRecord; they never hold an ORM entity, so storage can change underneath them and
nothing loads lazily after the session is gone.

Sequences are tuples. JSON values (requester, metadata, external refs, attributes, custom fields, vendor data) stay
dicts and lists, as their native JSON shows them: they are the record's own copies, shared with no session."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, make_dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Row, Select, Uuid, and_, bindparam, select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.db.base import utcnow
from casework.db.handles import ref_value
from casework.db.plain import PlainStatement
from casework.workflow.case_values import priority_label
from casework.workflow.slas.models import SLA_TYPES, CaseSla
from casework.workflow.slas.service import CLOCK_COLUMNS, ClockReading, clock_views
from casework.workflow.statuses.models import CaseStatus


@dataclass(frozen=True, slots=True)
class CaseCounts:
    """The case's content counts, kept on the case row."""

    comments: int
    alerts: int
    insights: int
    files: int
    tasks_open: int
    tasks_done: int
    links: int


@dataclass(frozen=True, slots=True)
class ClosureConditionRecord:
    name: str
    formula: str


@dataclass(frozen=True, slots=True)
class SlaRecord:
    """One SLA clock of the case as it stood when the record was read."""

    sla_type: str
    target_seconds: int
    current_time_seconds: int
    remaining_time_seconds: int
    percent_elapsed: float
    exceeded: bool
    paused: bool


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: uuid.UUID
    number: int
    key: str
    project_id: uuid.UUID
    workspace_id: uuid.UUID
    title: str
    description: str
    # The status's group (open, in_progress, closed), the status itself, its name and category.
    status: str
    status_id: uuid.UUID
    status_name: str
    status_category: str
    priority: str | None
    severity: str
    type: str
    assignees: tuple[uuid.UUID, ...]
    tags: tuple[str, ...]
    author_id: uuid.UUID
    requester: dict[str, Any] | None
    due_date: datetime | None
    resolution: str | None
    resolution_reason: str | None
    external_refs: dict[str, str]
    metadata: dict[str, str]
    created_at: datetime
    updated_at: datetime
    updated_by: uuid.UUID
    closed_at: datetime | None
    closed_by: uuid.UUID | None
    duration: int | None
    outcome: str | None
    fields: dict[str, Any]
    closure_conditions: tuple[ClosureConditionRecord, ...]
    slas: tuple[SlaRecord, ...]
    archived_at: datetime | None
    archived_by: uuid.UUID | None
    version: int
    counts: CaseCounts
    owner: str
    category: str | None
    opened_at: datetime
    resolved_at: datetime | None
    attributes: dict[str, list[str]]
    vendor_data: dict[str, dict[str, Any]]
    first_response_at: datetime | None


# A record is built as one of these, CaseRecord's fields in the same slots but not frozen, then made a CaseRecord,
# frozen from then on: a frozen dataclass's __init__ calls object.__setattr__ for each field, which was 60,000 of the
# 175,000 instructions a record cost.
_UnfrozenRecord = make_dataclass(
    "_UnfrozenRecord", [(field.name, field.type) for field in fields(CaseRecord)], slots=True
)


def _frozen(record: Any) -> CaseRecord:
    object.__setattr__(record, "__class__", CaseRecord)
    return record  # type: ignore[no-any-return]


class CaseIdentity(Protocol):
    """Which case, in which workspace: what a service reading or changing a case's content needs of it (a case entity
    and a LockedCase alike)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def workspace_id(self) -> uuid.UUID: ...
    @property
    def key(self) -> str: ...


@dataclass(slots=True)
class LockedCase:
    """A live case as a change to its content finds it, its row locked until the unit of work ends (PostgreSQL;
    SQLite has one writer): what the content services check and record, read in one plain statement. The writes made
    through the cases service keep it current: record_change sets the version it wrote, note_first_response and
    set_outcome theirs."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    number: int
    key: str
    title: str
    version: int
    status: str
    status_category: str
    priority_rank: int
    closed_at: datetime | None
    first_response_at: datetime | None
    archived_at: datetime | None
    outcome: str | None
    comment_count: int
    alert_count: int
    insight_count: int
    file_count: int
    tasks_open: int
    tasks_done: int
    link_count: int


# The columns a record reads: from an entity's loaded state, or in this order from a row (CASE_COLUMNS).
_READ = (
    "id",
    "number",
    "key",
    "project_id",
    "workspace_id",
    "title",
    "description",
    "status",
    "status_id",
    "status_category",
    "priority_rank",
    "severity",
    "type",
    "assignee_ids",
    "tags",
    "author_id",
    "requester",
    "due_date",
    "resolution",
    "resolution_reason",
    "external_refs",
    "meta",
    "created_at",
    "updated_at",
    "updated_by",
    "closed_at",
    "closed_by",
    "duration",
    "outcome",
    "fields",
    "closure_conditions",
    "archived_at",
    "archived_by",
    "version",
    "comment_count",
    "alert_count",
    "insight_count",
    "file_count",
    "tasks_open",
    "tasks_done",
    "link_count",
    "owner",
    "category",
    "opened_at",
    "resolved_at",
    "attributes",
    "vendor_data",
    "first_response_at",
)


_READ_KEYS = frozenset(_READ)

# The JSON values of a record, decoded afresh from each row (read from an entity, they are copied).
_JSON = ("requester", "external_refs", "meta", "fields", "attributes", "vendor_data")


def case_record(case: Case, now: datetime | None = None) -> CaseRecord:
    """The record of a loaded case (its status and SLA clocks are loaded with it: no query), SLAs as of `now`."""
    # The loaded values are read from the instance's dict, past the ORM's attribute machinery; a case not wholly
    # loaded (expired, or not yet flushed) goes through it.
    c = case.__dict__
    if not _READ_KEYS <= c.keys():
        c = {name: getattr(case, name) for name in _READ}
    # The entity's JSON values are the session's: the record gets copies.
    own = {**c, **{name: _json_copy(c[name]) for name in _JSON}}
    return _record(own, case.current_status.name, case.sla_clocks, now)


def case_records(cases: list[Case], now: datetime | None = None) -> list[CaseRecord]:
    """Records of loaded cases, their SLAs all as of one moment."""
    now = now or utcnow()
    return [case_record(case, now) for case in cases]


def _record(c: Mapping[str, Any], status_name: str, clocks: Sequence[ClockReading], now: datetime | None) -> CaseRecord:
    """The record of a case's values (by the names of _READ; its JSON values the record's own), its status's name
    and its SLA clocks."""
    return _frozen(
        _UnfrozenRecord(
            id=c["id"],
            number=c["number"],
            key=c["key"],
            project_id=c["project_id"],
            workspace_id=c["workspace_id"],
            title=c["title"],
            description=c["description"],
            status=c["status"],
            status_id=c["status_id"],
            status_name=status_name,
            status_category=c["status_category"],
            priority=priority_label(c["priority_rank"]),
            severity=c["severity"],
            type=c["type"],
            assignees=tuple(uuid.UUID(a) for a in c["assignee_ids"]),
            tags=tuple(c["tags"]),
            author_id=c["author_id"],
            requester=c["requester"],
            due_date=c["due_date"],
            resolution=c["resolution"],
            resolution_reason=c["resolution_reason"],
            external_refs=c["external_refs"],
            metadata=c["meta"],
            created_at=c["created_at"],
            updated_at=c["updated_at"],
            updated_by=c["updated_by"],
            closed_at=c["closed_at"],
            closed_by=c["closed_by"],
            duration=c["duration"],
            outcome=c["outcome"],
            fields=c["fields"],
            closure_conditions=tuple(
                ClosureConditionRecord(cc["name"], cc["formula"]) for cc in c["closure_conditions"]
            ),
            slas=tuple(SlaRecord(**view) for view in clock_views(clocks, now or utcnow())) if clocks else (),
            archived_at=c["archived_at"],
            archived_by=c["archived_by"],
            version=c["version"],
            counts=CaseCounts(
                c["comment_count"],
                c["alert_count"],
                c["insight_count"],
                c["file_count"],
                c["tasks_open"],
                c["tasks_done"],
                c["link_count"],
            ),
            owner=c["owner"],
            category=c["category"],
            opened_at=c["opened_at"],
            resolved_at=c["resolved_at"],
            attributes=c["attributes"],
            vendor_data=c["vendor_data"],
            first_response_at=c["first_response_at"],
        )
    )


# Reading records straight from rows: the hot reads (one case, a page of cases) build no ORM entity. The statements
# are built once, so that SQLAlchemy finds each compiled in its cache without working out its key again.

_CASES = Case.__table__
_STATUSES = CaseStatus.__table__
_CLOCKS = CaseSla.__table__
# What a page statement selects first: the columns of _READ (meta is the column `metadata`).
CASE_COLUMNS = tuple(Case.__mapper__.columns[name] for name in _READ)
_STATUS_NAME = _STATUSES.c.name.label("status_name")


class _Clock(NamedTuple):
    """A clock read out of the one-case row: the columns of CLOCK_COLUMNS, in order."""

    sla_type: str
    target_seconds: int
    due_at: datetime
    paused_since: datetime | None
    stopped_at: datetime | None


# One case with its status and its clocks, in one row: each clock type joined on the clocks' primary key.
_CLOCK_JOINS = tuple((sla_type, _CLOCKS.alias(f"{sla_type}_clock")) for sla_type in SLA_TYPES)
_ONE_CASE = select(
    *CASE_COLUMNS, _STATUS_NAME, *(clock.c[name] for _type, clock in _CLOCK_JOINS for name in CLOCK_COLUMNS)
).join_from(_CASES, _STATUSES, _STATUSES.c.id == _CASES.c.status_id)
for _sla_type, _clock in _CLOCK_JOINS:
    _ONE_CASE = _ONE_CASE.outerjoin(_clock, and_(_clock.c.case_id == _CASES.c.id, _clock.c.sla_type == _sla_type))
_ONE_CASE = _ONE_CASE.where(_CASES.c.workspace_id == bindparam("workspace_id", type_=Uuid()))
# The hottest read: run past SQLAlchemy's execution machinery (casework.db.plain).
_CASE_BY = {
    column: PlainStatement(_ONE_CASE.where(_CASES.c[column] == bindparam("ref"))) for column in ("id", "number", "key")
}
# The clocks of a page of cases.
_PAGE_CLOCKS = select(_CLOCKS.c.case_id, *(_CLOCKS.c[name] for name in CLOCK_COLUMNS)).where(
    _CLOCKS.c.case_id.in_(bindparam("case_ids", type_=Uuid(), expanding=True))
)


# A case locked for a change to its content: its own row only (the status row is shared by many cases).
_LOCK_CASE = select(*(_CASES.c[field.name] for field in fields(LockedCase))).where(
    _CASES.c.workspace_id == bindparam("workspace_id", type_=Uuid())
)
_LOCK_CASE_BY = {
    column: PlainStatement(_LOCK_CASE.where(_CASES.c[column] == bindparam("ref")).with_for_update())
    for column in ("id", "number", "key")
}


def lock_case(session: Session, workspace_id: uuid.UUID, column: str, value: Any) -> LockedCase | None:
    """The case whose column (id, number or key) holds value within the workspace, locked; None if there is none."""
    row = _LOCK_CASE_BY[column].first(session, {"workspace_id": workspace_id, "ref": value})
    return None if row is None else LockedCase(*row)


def read_case(session: Session, workspace_id: uuid.UUID, ref: str | uuid.UUID) -> CaseRecord | None:
    """The record of the case ref names by id, number or key within the workspace; None if there is none."""
    if isinstance(ref, str) and "\x00" in ref:
        return None
    named = ref_value(_CASES.c, ref)
    column, value = named if named is not None else ("key", str(ref).upper())
    if value is None:
        return None
    row = _CASE_BY[column].first(session, {"workspace_id": workspace_id, "ref": value})
    if row is None:
        return None
    status_name = row[len(_READ)]
    base = len(_READ) + 1
    width = len(CLOCK_COLUMNS)
    clocks = [
        _Clock(*row[start : start + width])
        for start in range(base, base + width * len(_CLOCK_JOINS), width)
        if row[start] is not None
    ]
    return _record(dict(zip(_READ, row, strict=False)), status_name, clocks, None)


def with_status(statement: Select[Any]) -> Select[Any]:
    """A page statement over CASE_COLUMNS with its cases' status names joined (status_name)."""
    return statement.join_from(_CASES, _STATUSES, _STATUSES.c.id == _CASES.c.status_id).add_columns(_STATUS_NAME)


def page_records(session: Session, rows: Sequence[Row[Any]], now: datetime | None = None) -> list[CaseRecord]:
    """Records of a page's rows (a with_status statement's), their clocks read in one statement, their SLAs all as
    of one moment."""
    if not rows:
        return []
    clocks: dict[uuid.UUID, list[Row[Any]]] = {}
    for clock in session.execute(_PAGE_CLOCKS, {"case_ids": [row.id for row in rows]}).all():
        clocks.setdefault(clock.case_id, []).append(clock)
    now = now or utcnow()
    return [_record(dict(zip(_READ, row, strict=False)), row.status_name, clocks.get(row.id, ()), now) for row in rows]


def _json_copy(value: Any) -> Any:
    """A copy of a JSON value, nested lists and objects included (strings, numbers and null are immutable)."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value
