import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.descriptions import CASE_VERSION, CREATED_AT, CREATED_BY, ID, ITEMS, NEXT_CURSOR
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


INSIGHT_TYPE = "What kind of resource it is, one of Datadog's CaseInsightType values (`MONITOR`, `INCIDENT`, ...)."
RESOURCE_ID = "The resource's id on the monitoring system; with `type`, it identifies the insight within the case."
INSIGHT_COUNT = "Insights on the case now."


class InsightKey(StrictInput):
    """What identifies an insight within a case."""

    type: InsightType = Field(description=INSIGHT_TYPE)
    resource_id: ResourceId = Field(description=RESOURCE_ID)


class InsightCreate(InsightKey):
    ref: Ref = Field(description='The path of the resource on the monitoring site, e.g. "/monitors/12345?q=total".')


class InsightsAdd(StrictInput):
    insights: Annotated[list[InsightCreate], Field(min_length=1, max_length=MAX_INSIGHTS_PER_REQUEST)] = Field(
        description="The insights to add (1 to 100); one the case already has is listed in `duplicates`."
    )


class InsightsRemove(StrictInput):
    insights: Annotated[list[InsightKey], Field(min_length=1, max_length=MAX_INSIGHTS_PER_REQUEST)] = Field(
        description="The keys of the insights to remove (1 to 100); others are listed in `not_found`."
    )


class InsightRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    type: InsightType = Field(description=INSIGHT_TYPE)
    ref: str = Field(description="The resource's path on the monitoring site.")
    resource_id: str = Field(description=RESOURCE_ID)
    created_at: datetime = Field(description=CREATED_AT)
    created_by: uuid.UUID = Field(description=CREATED_BY)


class InsightKeyRead(BaseModel):
    type: InsightType = Field(description=INSIGHT_TYPE)
    resource_id: str = Field(description=RESOURCE_ID)


class InsightPage(BaseModel):
    items: list[InsightRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class InsightsAdded(BaseModel):
    added: list[InsightRead] = Field(description="The insights this request added, in request order.")
    duplicates: list[InsightKeyRead] = Field(
        description="Keys not added because the case already had them or the request repeated them (each once)."
    )
    insight_count: int = Field(description=INSIGHT_COUNT)
    case_version: int = Field(description=CASE_VERSION)


class InsightsRemoved(BaseModel):
    removed: list[InsightKeyRead] = Field(description="The keys removed, in request order.")
    not_found: list[InsightKeyRead] = Field(description="Keys the case did not have: ignored.")
    insight_count: int = Field(description=INSIGHT_COUNT)
    case_version: int = Field(description=CASE_VERSION)


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
