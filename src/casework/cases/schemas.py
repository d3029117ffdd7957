import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from casework.inputs import CleanInput, StrictInput, not_blank, unique_items
from casework.cases.models import Case, priority_label
from casework.db.base import utcnow
from casework.workflow.conditions.schemas import ClosureConditions
from casework.workflow.slas.service import sla_views

StatusGroup = Literal["open", "in_progress", "closed"]
Priority = Literal["P1", "P2", "P3", "P4", "P5"]
Severity = Literal["low", "medium", "high", "critical"]
# A built-in column, or `field.KEY` for a custom field (cases without a value last, in either order).
SortField = Annotated[
    str, StringConstraints(pattern=r"^(created|updated|priority|number|field\.[a-z][a-z0-9_]{0,63})$")
]
SortOrder = Literal["asc", "desc"]

MAX_ASSIGNEES = 10
MAX_TAGS = 200
MAX_METADATA_KEYS = 100
MAX_EXTERNAL_REFS = 50
MAX_FIELD_VALUES = 200
MAX_FIELD_FILTERS = 10


Title = Annotated[str, StringConstraints(min_length=1, max_length=160), AfterValidator(not_blank)]
Description = Annotated[str, StringConstraints(max_length=30_000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=256), AfterValidator(not_blank)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(unique_items)]
Assignees = Annotated[list[uuid.UUID], Field(max_length=MAX_ASSIGNEES), AfterValidator(unique_items)]
CaseType = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(max_length=160)]
LongText = Annotated[str, StringConstraints(max_length=2000)]
MetaKey = Annotated[str, StringConstraints(min_length=1, max_length=256)]
MetaValue = Annotated[str, StringConstraints(max_length=10_000)]
Metadata = Annotated[dict[MetaKey, MetaValue], Field(max_length=MAX_METADATA_KEYS)]
ExternalRefs = Annotated[dict[MetaKey, ShortText], Field(max_length=MAX_EXTERNAL_REFS)]
StatusRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(description="A status of the case's project by id or name, or a group (its default status)."),
]
FieldKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FieldValues = Annotated[
    dict[FieldKey, Any],
    Field(max_length=MAX_FIELD_VALUES, description="Custom field values by key; each checked against its definition."),
]
OverrideFlag = Annotated[
    bool,
    Field(description="Close even though closure conditions fail (admin or manager; logged)."),
]


class Requester(StrictInput):
    name: ShortText | None = None
    email: EmailStr | None = None
    type: Annotated[str, StringConstraints(max_length=40)] | None = None


class CaseFields(StrictInput):
    """Fields a client may set; each is optional in an update."""

    title: Title
    description: Description = ""
    status: StatusRef = "open"
    priority: Priority | None = None
    severity: Severity = "low"
    type: CaseType = "STANDARD"
    assignees: Assignees = []
    tags: Tags = []
    requester: Requester | None = None
    due_date: AwareDatetime | None = None
    resolution: ShortText | None = None
    resolution_reason: LongText | None = None
    external_refs: ExternalRefs = {}
    metadata: Metadata = {}
    fields: FieldValues = {}
    closure_conditions: ClosureConditions = []


class CaseCreate(CaseFields):
    project: str | None = Field(default=None, description="Project id or key; the workspace's first project if absent.")
    override_closure_conditions: OverrideFlag = False


class CaseUpdate(StrictInput):
    """Only the fields present change. `version`, when given, must be the case's current version."""

    version: int | None = None
    override_closure_conditions: OverrideFlag = False
    title: Title | None = None
    description: Description | None = None
    status: StatusRef | None = None
    priority: Priority | None = None
    severity: Severity | None = None
    type: CaseType | None = None
    assignees: Assignees | None = None
    tags: Tags | None = None
    requester: Requester | None = None
    due_date: AwareDatetime | None = None
    resolution: ShortText | None = None
    resolution_reason: LongText | None = None
    external_refs: ExternalRefs | None = None
    metadata: Metadata | None = None
    fields: FieldValues | None = Field(default=None, description="Only the keys given change; a null value clears.")
    closure_conditions: ClosureConditions | None = None

    def changed_fields(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set if name not in _NOT_CASE_FIELDS}


_NOT_CASE_FIELDS = frozenset({"version", "override_closure_conditions"})
NON_NULLABLE_FIELDS = frozenset(
    {"title", "description", "status", "severity", "type", "assignees", "tags", "fields", "closure_conditions"}
)


class CaseCounts(BaseModel):
    comments: int
    alerts: int
    insights: int
    files: int
    tasks_open: int
    tasks_done: int
    links: int


class ClosureConditionRead(BaseModel):
    name: str
    formula: str


class SlaRead(BaseModel):
    sla_type: Literal["response", "completion"]
    target_seconds: int
    current_time_seconds: int
    remaining_time_seconds: int
    percent_elapsed: float
    exceeded: bool
    paused: bool


class CaseRead(BaseModel):
    id: uuid.UUID
    number: int
    key: str
    project_id: uuid.UUID
    title: str
    description: str
    status: StatusGroup = Field(description="The group of the case's status.")
    status_id: uuid.UUID
    status_name: str
    status_category: Literal["new", "open", "pending", "on_hold", "resolved", "closed"]
    priority: Priority | None
    severity: Severity
    type: str
    assignees: list[uuid.UUID]
    tags: list[str]
    author_id: uuid.UUID
    requester: Requester | None
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
    duration: int | None = Field(description="Whole seconds from creation to closing, while closed.")
    outcome: str | None
    fields: dict[str, Any]
    closure_conditions: list[ClosureConditionRead]
    slas: list[SlaRead]
    archived_at: datetime | None
    archived_by: uuid.UUID | None
    version: int
    counts: CaseCounts


class CasePage(BaseModel):
    items: list[CaseRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    total: int | None = Field(default=None, description="Matching cases, when asked for with `count=true`.")


class BulkItem(StrictInput):
    id: str = Field(description="Case id or key.")
    version: int | None = None
    changes: dict[str, Any] = Field(description="Fields as in PATCH /cases/{id}; validated item by item.")


class BulkRequest(StrictInput):
    items: Annotated[list[BulkItem], Field(min_length=1, max_length=100)]


class BulkResult(BaseModel):
    id: str
    status: int
    case: CaseRead | None = None
    error: dict | None = None  # type: ignore[type-arg]


class BulkResponse(BaseModel):
    results: list[BulkResult]


def case_view(case: Case, now: datetime | None = None) -> dict[str, Any]:
    """The native JSON of a case, built directly (no second validation pass on the hot path); SLAs as of `now`."""
    return {
        "id": str(case.id),
        "number": case.number,
        "key": case.key,
        "project_id": str(case.project_id),
        "title": case.title,
        "description": case.description,
        "status": case.status,
        "status_id": str(case.status_id),
        "status_name": case.current_status.name,
        "status_category": case.status_category,
        "priority": priority_label(case.priority_rank),
        "severity": case.severity,
        "type": case.type,
        "assignees": case.assignee_ids,
        "tags": case.tags,
        "author_id": str(case.author_id),
        "requester": case.requester,
        "due_date": case.due_date,
        "resolution": case.resolution,
        "resolution_reason": case.resolution_reason,
        "external_refs": case.external_refs,
        "metadata": case.meta,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "updated_by": str(case.updated_by),
        "closed_at": case.closed_at,
        "closed_by": str(case.closed_by) if case.closed_by else None,
        "duration": case.duration,
        "outcome": case.outcome,
        "fields": case.fields,
        "closure_conditions": case.closure_conditions,
        "slas": sla_views(case, now or utcnow()),
        "archived_at": case.archived_at,
        "archived_by": str(case.archived_by) if case.archived_by else None,
        "version": case.version,
        "counts": {
            "comments": case.comment_count,
            "alerts": case.alert_count,
            "insights": case.insight_count,
            "files": case.file_count,
            "tasks_open": case.tasks_open,
            "tasks_done": case.tasks_done,
            "links": case.link_count,
        },
    }


class CaseFilter(CleanInput):
    status: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default=[], description="Statuses by group, name or id."
    )
    priority: list[Priority | Literal["none"]] = []
    severity: list[Severity] = []
    assignee: list[uuid.UUID] = []
    unassigned: bool = False
    tag: list[str] = Field(default=[], description="Cases with all of these tags.")
    tag_any: list[str] = Field(default=[], description="Cases with at least one of these tags.")
    tag_none: list[str] = Field(default=[], description="Cases with none of these tags.")
    author: uuid.UUID | None = None
    project: str | None = None
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None
    updated_after: AwareDatetime | None = None
    updated_before: AwareDatetime | None = None
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="Words, all in the case's title and description or all in one of its comments: whole words, any "
        "case, accents ignored; anything but letters and digits only separates words (no query syntax).",
    )
    archived: Literal["exclude", "include", "only"] = "exclude"
    sla: Literal["exceeded", "at_risk"] | None = Field(
        default=None, description="Cases with an SLA past its target, or past its warning share and not yet due."
    )
    field: list[Annotated[str, StringConstraints(max_length=2200)]] = Field(
        default=[],
        max_length=MAX_FIELD_FILTERS,
        description="Custom field filters, each `KEY OP VALUE` with OP among = != > >= < <= (`amount>=100`, "
        "`region=EU`); all must hold. `=` on a multi_select: has that option; on a dependent_select: the path "
        "(ids joined by /) starts with VALUE. `!=`: has a value other than VALUE.",
    )


class TagRead(BaseModel):
    """A tag of the workspace's registry (casework.cases.tags)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int = Field(description="The tag's integer handle.")
    name: str
