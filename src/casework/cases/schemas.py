import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from casework.cases.records import CaseRecord
from casework.descriptions import CREATED_AT, ID, ITEMS, NEXT_CURSOR, UPDATED_AT
from casework.i18n import _
from casework.inputs import CleanInput, Matching, Moment, StrictInput, Version, not_blank, unique_items
from casework.projects.schemas import CONDITION_FORMULA, CONDITION_NAME
from casework.workflow.case_values import Description, FieldValues, Priority, Severity, Tags
from casework.workflow.conditions.schemas import ClosureConditions
from casework.workflow.fields.schemas import FIELD_KEY

StatusGroup = Literal["open", "in_progress", "closed"]
# A built-in column, or `field.KEY` for a custom field (cases without a value last, in either order).
SortField = Annotated[
    str,
    Matching(
        rf"^(created|updated|priority|number|title|status|severity|closed|category|field\.(?:{FIELD_KEY}))$",
        _(
            "must be created, updated, priority, number, title, status, severity, closed, category, or field.KEY "
            "for a custom field"
        ),
    ),
]
SortOrder = Literal["asc", "desc"]

MAX_ASSIGNEES = 10
MAX_METADATA_KEYS = 100
MAX_EXTERNAL_REFS = 50
MAX_FIELD_FILTERS = 10
# Finding cases: values of one list filter (id, number, author, type, assignee_none), metadata filters.
MAX_FILTER_VALUES = 100
MAX_METADATA_FILTERS = 10


TITLE = "A one-line summary, 1 to 160 characters, not blank."
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=160),
    AfterValidator(not_blank),
    Field(description=TITLE),
]
ASSIGNEES = "Users of the workspace working the case, by id (at most 10)."
Assignees = Annotated[
    list[uuid.UUID],
    Field(max_length=MAX_ASSIGNEES, description=ASSIGNEES),
    AfterValidator(unique_items),
]
CaseType = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(description="A case type of the project (its own or the workspace's) by name or id."),
]
ShortText = Annotated[str, StringConstraints(max_length=160)]
LongText = Annotated[str, StringConstraints(max_length=2000)]
MetaKey = Annotated[str, StringConstraints(min_length=1, max_length=256)]
MetaValue = Annotated[str, StringConstraints(max_length=10_000)]
METADATA = "Free key -> text pairs for the client (at most 100 keys)."
Metadata = Annotated[
    dict[MetaKey, MetaValue],
    Field(max_length=MAX_METADATA_KEYS, description=METADATA),
]
EXTERNAL_REFS = 'The case\'s ids in other systems, system -> id (`{"ticket": "T-1"}`; at most 50).'
ExternalRefs = Annotated[
    dict[MetaKey, ShortText],
    Field(
        max_length=MAX_EXTERNAL_REFS,
        description=EXTERNAL_REFS,
    ),
]
StatusRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(description="A status of the case's project by id or name, or a group (its default status)."),
]
OverrideFlag = Annotated[
    bool,
    Field(description="Close even though closure conditions fail (admin or manager; logged)."),
]

DESCRIPTION = "Markdown, up to 30,000 characters."
PRIORITY = "P1 (highest) to P5; null for none."
SEVERITY = "The impact: low, medium, high or critical."


# Fields the vendor APIs carry: owner, category, opened/resolved times, requester id, attributes, vendor data.

# The owner of a case created without one (Kibana's general cases app uses the same word).
DEFAULT_OWNER = "cases"
MAX_ATTRIBUTE_KEYS = 100
MAX_ATTRIBUTE_VALUES = 100
MAX_ATTRIBUTE_PAIRS = 1_000
# A key and a value, each at most 256 characters (1 KiB of UTF-8), fit one PostgreSQL index entry together.
MAX_ATTRIBUTE_LENGTH = 256
MAX_VENDOR_DIALECTS = 16
MAX_VENDOR_DATA_BYTES = 64 * 1024
MAX_VENDOR_DATA_DEPTH = 8
MAX_FILTER_VALUES = 100

Owner = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Matching(r"^[A-Za-z0-9_.-]+$", _("must hold only letters, digits, _ . and -")),
]
Category = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(not_blank)]
RequesterId = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(not_blank)]
# No colon in a key: the `attribute=KEY:VALUE` filter splits on the first one.
AttributeKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_ATTRIBUTE_LENGTH),
    Matching(r"^[^:]+$", _("must not contain a colon")),
    AfterValidator(not_blank),
]
AttributeValue = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ATTRIBUTE_LENGTH)]
AttributeValues = Annotated[list[AttributeValue], Field(max_length=MAX_ATTRIBUTE_VALUES), AfterValidator(unique_items)]


def _few_attribute_values(attributes: dict[str, list[str]]) -> dict[str, list[str]]:
    if sum(len(values) for values in attributes.values()) > MAX_ATTRIBUTE_PAIRS:
        raise ValueError(_("at most {limit} values in all", limit=MAX_ATTRIBUTE_PAIRS))
    return attributes


ATTRIBUTES = "Key -> list of string values (Datadog's case attributes)."
Attributes = Annotated[
    dict[AttributeKey, AttributeValues],
    Field(max_length=MAX_ATTRIBUTE_KEYS, description=ATTRIBUTES),
    AfterValidator(_few_attribute_values),
]
DialectName = Annotated[
    str,
    Matching(r"^[a-z][a-z0-9_]{0,31}$", _("must be a lower-case letter then up to 31 lower-case letters, digits or _")),
]


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in value; refuses what JSON (NaN, infinities, lone surrogates) or the
    response encoder (integers past 64 bits) cannot hold."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ValueError(_("must not hold lone surrogates")) from None
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_("must not hold NaN or infinite numbers"))
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        raise ValueError(_("must not hold integers beyond 64 bits"))
    if isinstance(value, dict):
        return 1 + max((max(_depth(k), _depth(v)) for k, v in value.items()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def check_vendor_data(vendor_data: dict[str, Any]) -> dict[str, Any]:
    """The limits on a case's whole vendor_data: ValueError naming the one passed."""
    if len(vendor_data) > MAX_VENDOR_DIALECTS:
        raise ValueError(_("at most {limit} dialects", limit=MAX_VENDOR_DIALECTS))
    if _depth(vendor_data) > MAX_VENDOR_DATA_DEPTH:
        raise ValueError(_("nests more than {limit} levels deep", limit=MAX_VENDOR_DATA_DEPTH))
    if len(orjson.dumps(vendor_data)) > MAX_VENDOR_DATA_BYTES:
        raise ValueError(_("at most {limit} bytes of JSON per case", limit=MAX_VENDOR_DATA_BYTES))
    return vendor_data


VENDOR_DATA = "Dialect name -> that dialect's own data, stored and returned as given."
VendorData = Annotated[
    dict[DialectName, dict[str, Any]],
    Field(description=VENDOR_DATA),
    AfterValidator(check_vendor_data),
]
VendorDataChange = Annotated[
    dict[DialectName, dict[str, Any] | None],
    Field(description="Replaces the named dialects' data only; null removes one."),
    AfterValidator(check_vendor_data),
]
AttributeFilter = Annotated[
    str,
    StringConstraints(max_length=2 * MAX_ATTRIBUTE_LENGTH + 1),
    Matching(r"^[^:]+:.+$", _("must be written KEY:VALUE")),
]
# Fields set at creation that an update may not clear.
CASE_FIELDS_NOT_NULLABLE = frozenset({"owner", "opened_at", "attributes", "vendor_data"})


# The examples /openapi.json shows for the main operations.
EXAMPLE_USER = "0b9e3a4c-2f4e-4d8a-9a55-3c1f0d6e7a21"
EXAMPLE_CASE: dict[str, Any] = {
    "id": "7f1d2c3b-8a9e-4f60-b1c2-d3e4f5a6b7c8",
    "number": 12,
    "key": "SEC-12",
    "project_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
    "title": "Card payment disputed",
    "description": "The customer does not recognise a **420 EUR** payment.",
    "status": "in_progress",
    "status_id": "9c8b7a6d-5e4f-4321-8fed-cba987654321",
    "status_name": "In progress",
    "status_category": "open",
    "priority": "P2",
    "severity": "high",
    "type": "STANDARD",
    "assignees": [EXAMPLE_USER],
    "tags": ["fraud", "card"],
    "author_id": EXAMPLE_USER,
    "requester": {"name": "Ann Lee", "email": "ann@example.com", "type": None, "id": None},
    "due_date": "2026-07-01T17:00:00Z",
    "resolution": None,
    "resolution_reason": None,
    "external_refs": {},
    "metadata": {},
    "created_at": "2026-06-01T09:30:00Z",
    "updated_at": "2026-06-01T10:02:11Z",
    "updated_by": EXAMPLE_USER,
    "closed_at": None,
    "closed_by": None,
    "duration": None,
    "outcome": None,
    "fields": {},
    "closure_conditions": [],
    "slas": [],
    "archived_at": None,
    "archived_by": None,
    "version": 4,
    "counts": {"comments": 1, "alerts": 0, "insights": 0, "files": 0, "tasks_open": 2, "tasks_done": 1, "links": 0},
    "owner": "cases",
    "category": None,
    "opened_at": "2026-06-01T09:30:00Z",
    "resolved_at": None,
    "attributes": {},
    "vendor_data": {},
}


CASE_VERSION_HELP = "Raised by one on every change to the case or its content; send it back as If-Match to update."


class Requester(StrictInput):
    name: ShortText | None = Field(default=None, description="The requester's name, up to 160 characters.")
    email: EmailStr | None = Field(default=None, description="The requester's email address.")
    type: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="What kind of requester, free text up to 40 characters (`customer`, `employee`, ...)."
    )
    id: RequesterId | None = Field(
        default=None, description="The requester's id in the client's system (lists filter on it)."
    )


class CaseFields(StrictInput):
    """Fields a client may set; each is optional in an update."""

    title: Title
    description: Description = Field(default="", description=DESCRIPTION)
    status: StatusRef = "open"
    priority: Priority | None = Field(default=None, description=PRIORITY)
    severity: Severity = Field(default="low", description=SEVERITY)
    type: CaseType = "STANDARD"
    assignees: Assignees = []
    tags: Tags = Field(default=[], description="Free labels, each 1 to 256 characters, without repeats.")
    requester: Requester | None = Field(default=None, description="Who asked for the case, outside the workspace.")
    due_date: Moment | None = Field(default=None, description="When the case should be done (ISO 8601).")
    resolution: ShortText | None = Field(default=None, description="How the case ended, in short (160 characters).")
    resolution_reason: LongText | None = Field(default=None, description="Why it ended so (2,000 characters).")
    external_refs: ExternalRefs = {}
    metadata: Metadata = {}
    fields: FieldValues = {}
    closure_conditions: ClosureConditions = Field(
        default=[], description="Formulas that must all hold for the case to close, each named."
    )
    owner: Owner = Field(default=DEFAULT_OWNER, description="Set at creation; it never changes.")
    category: Category | None = Field(default=None, description="A free category, 1 to 50 characters.")
    opened_at: Moment | None = Field(default=None, description="Defaults to the creation time.")
    resolved_at: Moment | None = Field(default=None, description="Not before opened_at.")
    attributes: Attributes = {}
    vendor_data: VendorData = {}


class CaseCreate(CaseFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Card payment disputed",
                    "description": "The customer does not recognise a **420 EUR** payment.",
                    "project": "SEC",
                    "priority": "P2",
                    "severity": "high",
                    "tags": ["fraud", "card"],
                    "requester": {"name": "Ann Lee", "email": "ann@example.com"},
                    "due_date": "2026-07-01T17:00:00Z",
                }
            ]
        }
    )

    project: str | None = Field(default=None, description="Project id or key; the workspace's first project if absent.")
    override_closure_conditions: OverrideFlag = False
    author: uuid.UUID | None = Field(
        default=None, description="Create the case for this user of the workspace (tokens with cases:impersonate)."
    )


def _described_as_created(schema: dict[str, Any]) -> None:
    """A member of an update means what it means at creation: it says so in the same words."""
    created = CaseFields.model_json_schema()["properties"]
    for name, member in schema["properties"].items():
        if "description" not in member and "description" in created.get(name, {}):
            member["description"] = created[name]["description"]
    schema["examples"] = [{"version": 3, "status": "in_progress", "assignees": [EXAMPLE_USER]}]


class CaseUpdate(StrictInput):
    """Only the fields present change. `version`, when given, must be the case's current version."""

    model_config = ConfigDict(json_schema_extra=_described_as_created)

    version: Version | None = Field(
        default=None, description="The case's version the change is based on (as If-Match); a stale one: 409."
    )
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
    due_date: Moment | None = None
    resolution: ShortText | None = None
    resolution_reason: LongText | None = None
    external_refs: ExternalRefs | None = None
    metadata: Metadata | None = None
    fields: FieldValues | None = Field(default=None, description="Only the keys given change; a null value clears.")
    closure_conditions: ClosureConditions | None = None
    owner: Owner | None = Field(default=None, description="Accepted only if it is the case's owner already.")
    category: Category | None = None
    opened_at: Moment | None = None
    resolved_at: Moment | None = None
    attributes: Attributes | None = None
    vendor_data: VendorDataChange | None = None

    def changed_fields(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set if name not in _NOT_CASE_FIELDS}


class CaseMove(StrictInput):
    """Move the case into another project of the workspace."""

    project: str = Field(description="The target project's id or key.")
    status: StatusRef | None = Field(
        default=None,
        description="The status in the target project; by default the one of the same name, else the "
        "default status of the same group.",
    )
    type: CaseType | None = Field(default=None, description="The type in the target project; by default the same name.")
    drop_fields: bool = Field(
        default=False, description="Drop the custom field values the target project cannot take instead of refusing."
    )
    version: int | None = Field(
        default=None, description="The case's version the move is based on (as If-Match); a stale one: 409."
    )


_NOT_CASE_FIELDS = frozenset({"version", "override_closure_conditions"})
NON_NULLABLE_FIELDS = (
    frozenset(
        {"title", "description", "status", "severity", "type", "assignees", "tags", "fields", "closure_conditions"}
    )
    | CASE_FIELDS_NOT_NULLABLE
)


class CaseCounts(BaseModel):
    comments: int = Field(description="Comments on the case.")
    alerts: int = Field(description="Distinct alerts attached to the case.")
    insights: int = Field(description="Insights on the case.")
    files: int = Field(description="Files uploaded to the case.")
    tasks_open: int = Field(description="Tasks not yet completed.")
    tasks_done: int = Field(description="Tasks completed.")
    links: int = Field(description="Links to other cases.")


class ClosureConditionRead(BaseModel):
    name: str = Field(description=CONDITION_NAME)
    formula: str = Field(description=CONDITION_FORMULA)


class SlaRead(BaseModel):
    sla_type: Literal["response", "completion"] = Field(
        description="`response`: runs until the first assignment or comment; `completion`: until the case closes."
    )
    target_seconds: int = Field(description="The policy's target, in seconds of counted time.")
    current_time_seconds: int = Field(description="Seconds counted so far (pauses left out).")
    remaining_time_seconds: int = Field(description="Seconds left before the target; 0 once it is reached.")
    percent_elapsed: float = Field(
        description="current_time_seconds as a percentage of the target, to one decimal; may pass 100."
    )
    exceeded: bool = Field(description="The target was reached before the clock stopped.")
    paused: bool = Field(
        description="The clock is paused now (the case is pending or on hold, under a pausing policy)."
    )


class CaseRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CASE]})

    id: uuid.UUID = Field(description=ID)
    number: int = Field(
        description="The case's number, unique in the workspace; it stays the same when the case moves."
    )
    key: str = Field(
        description="The project key and the case's number within it, like `SEC-12`; it changes when the case moves."
    )
    project_id: uuid.UUID = Field(description="The project the case is in.")
    title: str = Field(description=TITLE)
    description: str = Field(description=DESCRIPTION)
    status: StatusGroup = Field(description="The group of the case's status.")
    status_id: uuid.UUID = Field(description="The case's status.")
    status_name: str = Field(description="The name of that status.")
    status_category: Literal["new", "open", "pending", "on_hold", "resolved", "closed"] = Field(
        description="The status's category: new, open, pending, on_hold, resolved or closed."
    )
    priority: Priority | None = Field(description=PRIORITY)
    severity: Severity = Field(description=SEVERITY)
    type: str = Field(description="The case type's name.")
    assignees: list[uuid.UUID] = Field(description=ASSIGNEES)
    tags: list[str] = Field(description="Free labels, each once.")
    author_id: uuid.UUID = Field(description="The user who created the case (or was acted for).")
    requester: Requester | None = Field(description="Who asked for the case, outside the workspace; null if unknown.")
    due_date: datetime | None = Field(description="When the case should be done; null for no date.")
    resolution: str | None = Field(description="How the case ended, in short; null until given.")
    resolution_reason: str | None = Field(description="Why it ended so; null until given.")
    external_refs: dict[str, str] = Field(description=EXTERNAL_REFS)
    metadata: dict[str, str] = Field(description=METADATA)
    created_at: datetime = Field(description=CREATED_AT)
    updated_at: datetime = Field(description=UPDATED_AT)
    updated_by: uuid.UUID = Field(description="The user who changed it last.")
    closed_at: datetime | None = Field(
        description="When the case entered the closed group; null while it is not closed."
    )
    closed_by: uuid.UUID | None = Field(description="Who closed it; null while it is not closed.")
    duration: int | None = Field(description="Whole seconds from creation to closing, while closed.")
    outcome: str | None = Field(description="The outcome set by an accepted override request; null before one.")
    fields: dict[str, Any] = Field(description="Custom field values by key, as their definitions shape them.")
    closure_conditions: list[ClosureConditionRead] = Field(
        description="The case's own closure conditions (its project's apply too)."
    )
    slas: list[SlaRead] = Field(description="The case's SLA clocks, response first.")
    archived_at: datetime | None = Field(description="When the case was archived (soft deleted); null unless archived.")
    archived_by: uuid.UUID | None = Field(description="Who archived it; null unless archived.")
    version: int = Field(description=CASE_VERSION_HELP)
    counts: CaseCounts = Field(
        description="How many comments, alerts, insights, files, tasks and links the case holds."
    )
    owner: str = Field(description="The app or team the case belongs to; set at creation, it never changes.")
    category: str | None = Field(description="A free category; null for none.")
    opened_at: datetime = Field(description="When the case opened: its creation time unless given.")
    resolved_at: datetime | None = Field(
        description="When the case was resolved, as given by the client (closing does not set it); null otherwise."
    )
    attributes: dict[str, list[str]] = Field(description=ATTRIBUTES)
    vendor_data: dict[str, dict[str, Any]] = Field(description=VENDOR_DATA)


class StatusCounts(BaseModel):
    open: int = Field(description="Matching cases in the open group.")
    in_progress: int = Field(description="Matching cases in the in_progress group.")
    closed: int = Field(description="Matching cases in the closed group.")


class CasePage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [EXAMPLE_CASE], "next_cursor": "eyJpZCI6IDEyfQ", "prev_cursor": None}]
        }
    )

    items: list[CaseRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)
    prev_cursor: str | None = Field(
        default=None, description="Pass as `ending_before` for the page before; null on the first page."
    )
    page: int | None = Field(default=None, description="With page-number paging: this page's number.")
    per_page: int | None = Field(default=None, description="With page-number paging: the page size.")
    total: int | None = Field(
        default=None,
        description="Matching cases (`count=true`, and by default with `page`), up to 10,000 unless exact.",
    )
    total_exact: bool | None = Field(default=None, description="Whether `total` is exact, or a lower bound (10,000).")
    status_counts: StatusCounts | None = Field(
        default=None, description="With `status_counts=true`: matching cases per status group, ignoring `status`."
    )
    status_counts_exact: bool | None = Field(
        default=None, description="Whether `status_counts` are exact, or lower bounds (1,000 each)."
    )


class BulkItem(StrictInput):
    id: str = Field(description="Case id or key.")
    version: Version | None = Field(
        default=None, description="The case's current version; a stale one fails this item with 409."
    )
    changes: dict[str, Any] = Field(description="Fields as in PATCH /cases/{id}; validated item by item.")


class BulkRequest(StrictInput):
    items: Annotated[list[BulkItem], Field(min_length=1, max_length=100)] = Field(
        description="The updates, 1 to 100, answered in the same order."
    )
    atomic: bool = Field(
        default=False,
        description="All items apply or none does; a refusal answers with every item's reason (see the README).",
    )


class BulkResult(BaseModel):
    id: str = Field(description="The case as the item named it (id or key).")
    status: int = Field(description="The item's HTTP status: 200, 404, 409, 422 (424 in a refused atomic request).")
    case: CaseRead | None = Field(default=None, description="The case after the change; null unless the status is 200.")
    error: dict[str, Any] | None = Field(
        default=None, description="The item's problem (as the Problem schema); null when it succeeded."
    )


class BulkResponse(BaseModel):
    applied: bool | None = Field(default=None, description="Atomic requests only: whether the items were applied.")
    results: list[BulkResult] = Field(description="One per item, in request order.")


def case_view(record: CaseRecord) -> dict[str, Any]:
    """The native JSON of a case, built directly (no second validation pass on the hot path). Its JSON objects are
    the record's own: the view is for serialising, not for changing."""
    counts = record.counts
    return {
        "id": str(record.id),
        "number": record.number,
        "key": record.key,
        "project_id": str(record.project_id),
        "title": record.title,
        "description": record.description,
        "status": record.status,
        "status_id": str(record.status_id),
        "status_name": record.status_name,
        "status_category": record.status_category,
        "priority": record.priority,
        "severity": record.severity,
        "type": record.type,
        "assignees": [str(a) for a in record.assignees],
        "tags": list(record.tags),
        "author_id": str(record.author_id),
        "requester": record.requester,
        "due_date": record.due_date,
        "resolution": record.resolution,
        "resolution_reason": record.resolution_reason,
        "external_refs": record.external_refs,
        "metadata": record.metadata,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "updated_by": str(record.updated_by),
        "closed_at": record.closed_at,
        "closed_by": str(record.closed_by) if record.closed_by else None,
        "duration": record.duration,
        "outcome": record.outcome,
        "fields": record.fields,
        "closure_conditions": [{"name": c.name, "formula": c.formula} for c in record.closure_conditions],
        "slas": [
            {
                "sla_type": sla.sla_type,
                "target_seconds": sla.target_seconds,
                "current_time_seconds": sla.current_time_seconds,
                "remaining_time_seconds": sla.remaining_time_seconds,
                "percent_elapsed": sla.percent_elapsed,
                "exceeded": sla.exceeded,
                "paused": sla.paused,
            }
            for sla in record.slas
        ],
        "archived_at": record.archived_at,
        "archived_by": str(record.archived_by) if record.archived_by else None,
        "version": record.version,
        "counts": {
            "comments": counts.comments,
            "alerts": counts.alerts,
            "insights": counts.insights,
            "files": counts.files,
            "tasks_open": counts.tasks_open,
            "tasks_done": counts.tasks_done,
            "links": counts.links,
        },
        "owner": record.owner,
        "category": record.category,
        "opened_at": record.opened_at,
        "resolved_at": record.resolved_at,
        "attributes": record.attributes,
        "vendor_data": record.vendor_data,
    }


def metadata_filter(value: str) -> tuple[str, str]:
    """The (key, value) of a `KEY=VALUE` metadata filter."""
    key, _sep, wanted = value.partition("=")
    return key, wanted


def _key_value(value: str) -> str:
    key, sep, wanted = value.partition("=")
    if not sep or not key:
        raise ValueError(_("expected KEY=VALUE"))
    if len(key) > 256 or len(wanted) > 10_000:
        raise ValueError(_("a metadata key is at most 256 characters and a value at most 10,000"))
    return value


MetadataFilter = Annotated[str, AfterValidator(_key_value)]


class CaseFilter(CleanInput):
    status: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default=[], description="Statuses by group, name or id."
    )
    priority: list[Priority | Literal["none"]] = Field(
        default=[], description="Cases with any of these priorities (P1 highest); `none`: cases without one."
    )
    severity: list[Severity] = Field(default=[], description="Cases with any of these severities.")
    assignee: list[uuid.UUID] = Field(default=[], description="Cases assigned to any of these users (by id).")
    unassigned: bool = Field(
        default=False, description="Cases with no assignee; with `assignee`, those and the cases of these users."
    )
    tag: list[str] = Field(default=[], description="Cases with all of these tags.")
    tag_any: list[str] = Field(default=[], description="Cases with at least one of these tags.")
    tag_none: list[str] = Field(default=[], description="Cases with none of these tags.")
    author: list[uuid.UUID] = Field(
        default=[], max_length=MAX_FILTER_VALUES, description="Cases created by any of these users."
    )
    project: str | None = Field(default=None, description="Cases of this project, by id or key.")
    created_after: Moment | None = Field(default=None, description="Cases created at or after this moment.")
    created_before: Moment | None = Field(default=None, description="Cases created before this moment.")
    updated_after: Moment | None = Field(default=None, description="Cases last changed at or after this moment.")
    updated_before: Moment | None = Field(default=None, description="Cases last changed before this moment.")
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="Words, all in the case's title and description or all in one of its comments: whole words, any "
        "case, accents ignored; anything but letters and digits only separates words (no query syntax).",
    )
    q_match: Literal["all", "any"] = Field(
        default="all", description="`any`: cases holding any of q's words, rather than all of them."
    )
    q_comments: bool = Field(
        default=True, description="`false`: q matches the case's title and description only, not its comments."
    )
    archived: Literal["exclude", "include", "only"] = Field(
        default="exclude", description="Archived cases: left out (`exclude`), listed too (`include`) or alone (`only`)."
    )
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
    # Vendor case fields; each repeated parameter matches any of its values, but `attribute`, which needs all.
    owner: list[Owner] = Field(default=[], max_length=MAX_FILTER_VALUES, description="Cases of any of these owners.")
    category: list[Category] = Field(
        default=[], max_length=MAX_FILTER_VALUES, description="Cases in any of these categories."
    )
    requester: list[RequesterId] = Field(
        default=[], max_length=MAX_FILTER_VALUES, description="Cases whose requester.id is any of these."
    )
    attribute: list[AttributeFilter] = Field(
        default=[],
        max_length=MAX_FILTER_VALUES,
        description="`KEY:VALUE`: cases whose attribute KEY holds VALUE; all must hold.",
    )
    # Finding cases by more keys (README "Finding cases").
    id: list[uuid.UUID] = Field(default=[], max_length=MAX_FILTER_VALUES, description="Cases with one of these ids.")
    number: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default=[], max_length=MAX_FILTER_VALUES, description="Cases with one of these numbers."
    )
    type: list[CaseType] = Field(default=[], max_length=MAX_FILTER_VALUES, description="Cases of one of these types.")
    assignee_none: list[uuid.UUID] = Field(
        default=[], max_length=MAX_FILTER_VALUES, description="Cases assigned to none of these users."
    )
    metadata: list[MetadataFilter] = Field(
        default=[],
        max_length=MAX_METADATA_FILTERS,
        description="`KEY=VALUE` (split at the first `=`): cases whose metadata maps KEY to exactly VALUE; all must "
        "hold.",
    )
    closed_after: Moment | None = Field(default=None, description="Closed at or after this time.")
    closed_before: Moment | None = Field(default=None, description="Closed before this time.")


class TagPage(BaseModel):
    items: list[str] = Field(description="Tags, in order.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class Reporter(BaseModel):
    id: uuid.UUID = Field(description="The user's id.")
    name: str = Field(description="The user's name.")
    email: str = Field(description="The user's email address.")


class ReporterPage(BaseModel):
    items: list[Reporter] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class TagRead(BaseModel):
    """A tag of the workspace's registry (casework.cases.tags)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int = Field(description="The tag's integer handle.")
    name: str
