import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints

from casework.alerts.records import AlertRecord
from casework.descriptions import CASE_VERSION, CREATED_AT, CREATED_BY, ID, ITEMS, NEXT_CURSOR
from casework.inputs import StrictInput, not_blank

# A case holds at most this many distinct alerts; one request attaches at most this many.
MAX_ALERTS_PER_CASE = 1000
MAX_ALERTS_PER_REQUEST = 1000
DEFAULT_OWNER = "cases"


def _as_list(value: Any) -> Any:
    """Kibana sends one alert as a string and many as an array: both read as a list."""
    return [value] if isinstance(value, str) else value


AlertId = Annotated[str, StringConstraints(min_length=1, max_length=512), AfterValidator(not_blank)]
IndexName = Annotated[str, StringConstraints(min_length=1, max_length=512), AfterValidator(not_blank)]
RuleText = Annotated[str, StringConstraints(max_length=512)]
Owner = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(not_blank)]


RULE_ID = "The id of the rule that raised the alerts, in the alerting system; null if unknown."
RULE_NAME = "The name of that rule; null if unknown."


class AlertRule(StrictInput):
    id: RuleText | None = Field(default=None, description=RULE_ID)
    name: RuleText | None = Field(default=None, description=RULE_NAME)


class AlertAttach(StrictInput):
    """Alerts of an external system attached to a case as one attachment.

    `alert_ids` and `indexes` are each a string or an array of strings, of equal length: the i-th alert
    lives in the i-th index.
    """

    alert_ids: Annotated[
        list[AlertId],
        BeforeValidator(_as_list),
        Field(min_length=1, max_length=MAX_ALERTS_PER_REQUEST, description="One alert id or an array of them."),
    ]
    indexes: Annotated[
        list[IndexName],
        BeforeValidator(_as_list),
        Field(
            min_length=1, max_length=MAX_ALERTS_PER_REQUEST, description="The index of each alert, in the same order."
        ),
    ]
    rule: AlertRule | None = Field(default=None, description="The rule that raised the alerts, if known.")
    owner: Owner = Field(
        default=DEFAULT_OWNER, description="The solution owning the alerts: securitySolution, observability, cases, ..."
    )


class AlertRuleRead(BaseModel):
    id: str | None = Field(description=RULE_ID)
    name: str | None = Field(description=RULE_NAME)


class AlertRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    alert_id: str = Field(description="The alert's id in the external system.")
    index: str = Field(description="The index the alert lives in.")
    rule: AlertRuleRead | None = Field(description="The rule that raised it; null when none was given.")
    owner: str = Field(description="The solution owning the alert: securitySolution, observability, cases, ...")
    attachment_id: uuid.UUID = Field(description="Shared by the alerts one request attached together.")
    created_at: datetime = Field(description=CREATED_AT)
    created_by: uuid.UUID = Field(description=CREATED_BY)


class AlertPage(BaseModel):
    items: list[AlertRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class AttachResult(BaseModel):
    attachment_id: uuid.UUID | None = Field(
        description="Shared by the alerts this request added; null when it added none."
    )
    added: list[str] = Field(description="Alert ids newly attached, in request order.")
    duplicates: list[str] = Field(
        description="Alert ids not added because the case already had them or the request repeated them (each once)."
    )
    alert_count: int = Field(description="Distinct alerts on the case now.")
    case_version: int = Field(description=CASE_VERSION)


def alert_view(alert: AlertRecord) -> dict[str, Any]:
    rule = None
    if alert.rule_id is not None or alert.rule_name is not None:
        rule = {"id": alert.rule_id, "name": alert.rule_name}
    return {
        "id": str(alert.id),
        "alert_id": alert.alert_id,
        "index": alert.index,
        "rule": rule,
        "owner": alert.owner,
        "attachment_id": str(alert.attachment_id),
        "created_at": alert.created_at,
        "created_by": str(alert.created_by),
    }
