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
from casework.workflow.vocabulary import priority_label
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


def case_record(case: Case, now: datetime | None = None) -> CaseRecord:
    """The record of a loaded case (its status and SLA clocks are loaded with it: no query), SLAs as of `now`."""
    return CaseRecord(
        id=case.id,
        number=case.number,
        key=case.key,
        project_id=case.project_id,
        workspace_id=case.workspace_id,
        title=case.title,
        description=case.description,
        status=case.status,
        status_id=case.status_id,
        status_name=case.current_status.name,
        status_category=case.status_category,
        priority=priority_label(case.priority_rank),
        severity=case.severity,
        type=case.type,
        assignees=tuple(uuid.UUID(a) for a in case.assignee_ids),
        tags=tuple(case.tags),
        author_id=case.author_id,
        requester=dict(case.requester) if case.requester is not None else None,
        due_date=case.due_date,
        resolution=case.resolution,
        resolution_reason=case.resolution_reason,
        external_refs=dict(case.external_refs),
        metadata=dict(case.meta),
        created_at=case.created_at,
        updated_at=case.updated_at,
        updated_by=case.updated_by,
        closed_at=case.closed_at,
        closed_by=case.closed_by,
        duration=case.duration,
        outcome=case.outcome,
        fields=_json_copy(case.fields),
        closure_conditions=tuple(ClosureConditionRecord(c["name"], c["formula"]) for c in case.closure_conditions),
        slas=tuple(SlaRecord(**view) for view in sla_views(case, now or utcnow())),
        archived_at=case.archived_at,
        archived_by=case.archived_by,
        version=case.version,
        counts=CaseCounts(
            case.comment_count,
            case.alert_count,
            case.insight_count,
            case.file_count,
            case.tasks_open,
            case.tasks_done,
            case.link_count,
        ),
        owner=case.owner,
        category=case.category,
        opened_at=case.opened_at,
        resolved_at=case.resolved_at,
        attributes={key: list(values) for key, values in case.attributes.items()},
        vendor_data=_json_copy(case.vendor_data),
        first_response_at=case.first_response_at,
    )


def case_records(cases: list[Case], now: datetime | None = None) -> list[CaseRecord]:
    """Records of loaded cases, their SLAs all as of one moment."""
    now = now or utcnow()
    return [case_record(case, now) for case in cases]


def _json_copy(value: Any) -> Any:
    """A copy of a JSON value, nested lists and objects included (strings, numbers and null are immutable)."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value
