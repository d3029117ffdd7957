"""The read model of a case: every fact of a case an API shows, copied out of the entity inside the service's unit
of work. Routers, the CLI and dialects translate a CaseRecord; they never hold an ORM entity, so storage can change
underneath them and nothing loads lazily after the session is gone.

Sequences are tuples. JSON values (requester, metadata, external refs, attributes, custom fields, vendor data) stay
dicts and lists, as their native JSON shows them: they are the record's own copies, shared with no session."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from casework.cases.models import Case
from casework.workflow.case_values import priority_label
from casework.db.base import utcnow
from casework.workflow.slas.service import sla_views


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


# The columns a record reads, straight from the entity's loaded state.
_READ = (
    "id", "number", "key", "project_id", "workspace_id", "title", "description", "status", "status_id",
    "status_category", "priority_rank", "severity", "type", "assignee_ids", "tags", "author_id", "requester",
    "due_date", "resolution", "resolution_reason", "external_refs", "meta", "created_at", "updated_at", "updated_by",
    "closed_at", "closed_by", "duration", "outcome", "fields", "closure_conditions", "archived_at", "archived_by",
    "version", "comment_count", "alert_count", "insight_count", "file_count", "tasks_open", "tasks_done",
    "link_count", "owner", "category", "opened_at", "resolved_at", "attributes", "vendor_data", "first_response_at",
)


def case_record(case: Case, now: datetime | None = None) -> CaseRecord:
    """The record of a loaded case (its status and SLA clocks are loaded with it: no query), SLAs as of `now`."""
    # Lists build 200 records a page: the loaded values are read from the instance's dict, past the ORM's
    # attribute machinery (a third of the cost); a case not wholly loaded (expired, or not yet flushed) goes through it.
    c = case.__dict__
    if not all(name in c for name in _READ):
        c = {name: getattr(case, name) for name in _READ}
    requester = c["requester"]
    return CaseRecord(
        id=c["id"],
        number=c["number"],
        key=c["key"],
        project_id=c["project_id"],
        workspace_id=c["workspace_id"],
        title=c["title"],
        description=c["description"],
        status=c["status"],
        status_id=c["status_id"],
        status_name=case.current_status.name,
        status_category=c["status_category"],
        priority=priority_label(c["priority_rank"]),
        severity=c["severity"],
        type=c["type"],
        assignees=tuple(uuid.UUID(a) for a in c["assignee_ids"]),
        tags=tuple(c["tags"]),
        author_id=c["author_id"],
        requester=dict(requester) if requester is not None else None,
        due_date=c["due_date"],
        resolution=c["resolution"],
        resolution_reason=c["resolution_reason"],
        external_refs=dict(c["external_refs"]),
        metadata=dict(c["meta"]),
        created_at=c["created_at"],
        updated_at=c["updated_at"],
        updated_by=c["updated_by"],
        closed_at=c["closed_at"],
        closed_by=c["closed_by"],
        duration=c["duration"],
        outcome=c["outcome"],
        fields=_json_copy(c["fields"]),
        closure_conditions=tuple(ClosureConditionRecord(cc["name"], cc["formula"]) for cc in c["closure_conditions"]),
        slas=_slas(case, now),
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
        attributes={key: list(values) for key, values in c["attributes"].items()},
        vendor_data=_json_copy(c["vendor_data"]),
        first_response_at=c["first_response_at"],
    )


def case_records(cases: list[Case], now: datetime | None = None) -> list[CaseRecord]:
    """Records of loaded cases, their SLAs all as of one moment."""
    now = now or utcnow()
    return [case_record(case, now) for case in cases]


def _slas(case: Case, now: datetime | None) -> tuple[SlaRecord, ...]:
    if not case.sla_clocks:
        return ()
    return tuple(SlaRecord(**view) for view in sla_views(case, now or utcnow()))


def _json_copy(value: Any) -> Any:
    """A copy of a JSON value, nested lists and objects included (strings, numbers and null are immutable)."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value
