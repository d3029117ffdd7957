import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.i18n import _
from casework.inputs import StrictInput, not_blank
from casework.insights.records import InsightRecord

MAX_INSIGHTS_PER_REQUEST = 100

# Every CaseInsightType of datadog-api-client 2.62.
InsightType = Literal[
    "SECURITY_SIGNAL",
    "MONITOR",
    "EVENT_CORRELATION",
    "ERROR_TRACKING",
    "CLOUD_COST_RECOMMENDATION",
    "INCIDENT",
    "SENSITIVE_DATA_SCANNER_ISSUE",
    "EVENT",
    "WATCHDOG_STORY",
    "WIDGET",
    "SECURITY_FINDING",
    "INSIGHT_SCORECARD_CAMPAIGN",
    "RESOURCE_POLICY",
    "APM_RECOMMENDATION",
    "SCM_URL",
    "PROFILING_DOWNSIZING_EXPERIMENT",
]


def _url_path(value: str) -> str:
    """A path on the monitoring system's site, as Datadog keeps it ("/monitors/123?q=x"): never a URL of its
    own (no scheme, no "//host"), so that a client rendering it as a link cannot be sent elsewhere."""
    if not value.startswith("/") or value.startswith("//") or value.startswith("/\\"):
        raise ValueError(_('must be a URL path starting with a single "/"'))
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(_("must not contain whitespace or control characters"))
    return value


Ref = Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_url_path)]
ResourceId = Annotated[str, StringConstraints(min_length=1, max_length=512), AfterValidator(not_blank)]


class InsightKey(StrictInput):
    """What identifies an insight within a case."""

    type: InsightType
    resource_id: ResourceId


class InsightCreate(InsightKey):
    ref: Ref = Field(description='The path of the resource on the monitoring site, e.g. "/monitors/12345?q=total".')


class InsightsAdd(StrictInput):
    insights: Annotated[list[InsightCreate], Field(min_length=1, max_length=MAX_INSIGHTS_PER_REQUEST)]


class InsightsRemove(StrictInput):
    insights: Annotated[list[InsightKey], Field(min_length=1, max_length=MAX_INSIGHTS_PER_REQUEST)]


class InsightRead(BaseModel):
    id: uuid.UUID
    type: InsightType
    ref: str
    resource_id: str
    created_at: datetime
    created_by: uuid.UUID


class InsightKeyRead(BaseModel):
    type: InsightType
    resource_id: str


class InsightPage(BaseModel):
    items: list[InsightRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class InsightsAdded(BaseModel):
    added: list[InsightRead] = Field(description="The insights this request added, in request order.")
    duplicates: list[InsightKeyRead] = Field(
        description="Keys not added because the case already had them or the request repeated them (each once)."
    )
    insight_count: int
    case_version: int


class InsightsRemoved(BaseModel):
    removed: list[InsightKeyRead]
    not_found: list[InsightKeyRead] = Field(description="Keys the case did not have: ignored.")
    insight_count: int
    case_version: int


def insight_view(insight: InsightRecord) -> dict[str, Any]:
    return {
        "id": str(insight.id),
        "type": insight.type,
        "ref": insight.ref,
        "resource_id": insight.resource_id,
        "created_at": insight.created_at,
        "created_by": str(insight.created_by),
    }


def key_view(key: tuple[str, str]) -> dict[str, str]:
    return {"type": key[0], "resource_id": key[1]}
