"""A case as Datadog's JSON:API shows it (`data{type: "case", id, attributes, relationships}`), built from the core's
read model, and Datadog's vocabulary for the core's.

Only values of the official client's enums are emitted (a value it does not know comes back `_unparsed`): the
deprecated `type` is always STANDARD and `status` is the status group, whatever the case's own type and status are
named (`type_id` and `status_name` say those). What Datadog has and casework does not (the Jira issue and the
ServiceNow ticket) is kept in the case's vendor data under `datadog` and shown back. Custom attribute values are the
case's custom field values (attributes.py); insights, the case's own, are shown with every case, as Datadog does."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from casework.cases.records import CaseRecord
from casework.insights.records import InsightRecord

# The case's vendor_data entry holding what only Datadog has.
VENDOR_KEY = "datadog"
# Its keys: the third-party tickets as Datadog shows them.
JIRA_ISSUE = "jira_issue"
SERVICE_NOW_TICKET = "service_now_ticket"

CASE_TYPE = "case"
USER_TYPE = "user"
PROJECT_TYPE = "project"
# The deprecated case `type` enum of the client knows only this value.
STANDARD = "STANDARD"
NOT_DEFINED = "NOT_DEFINED"
PRIORITIES = (NOT_DEFINED, "P1", "P2", "P3", "P4", "P5")
# Datadog's deprecated status and its status group, by the core's status group; and back.
STATUS_OF_GROUP = {"open": "OPEN", "in_progress": "IN_PROGRESS", "closed": "CLOSED"}
GROUP_OF_STATUS = {status: group for group, status in STATUS_OF_GROUP.items()}
STATUS_GROUP_OF_GROUP = {"open": "SG_OPEN", "in_progress": "SG_IN_PROGRESS", "closed": "SG_CLOSED"}


def to_priority(priority: str | None) -> str:
    """The core's priority (P1..P5 or none) as Datadog's."""
    return priority or NOT_DEFINED


def from_priority(priority: str) -> str | None:
    """Datadog's priority (validated as one of PRIORITIES) as the core's."""
    return None if priority == NOT_DEFINED else priority


def timestamp(moment: datetime | None) -> str | None:
    """Datadog's times: ISO 8601 in UTC with milliseconds and a Z."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def user_link(user_id: uuid.UUID | None) -> dict[str, Any]:
    return {"data": None if user_id is None else {"id": str(user_id), "type": USER_TYPE}}


def datadog_data(record: CaseRecord) -> dict[str, Any]:
    return record.vendor_data.get(VENDOR_KEY, {})


def insight_body(insight: InsightRecord) -> dict[str, str]:
    return {"type": insight.type, "ref": insight.ref, "resource_id": insight.resource_id}


def case_data(
    record: CaseRecord,
    type_id: uuid.UUID,
    custom_attributes: Mapping[str, Any],
    insights: Sequence[InsightRecord],
) -> dict[str, Any]:
    """The case as Datadog's `data` shows it. `type_id` is the public id of the case's type (the built-in STANDARD's
    is Datadog's); `custom_attributes` its values as Datadog shows them; `insights` all the case's."""
    data = datadog_data(record)
    attributes: dict[str, Any] = {
        "archived_at": timestamp(record.archived_at),
        "attributes": record.attributes,
        "closed_at": timestamp(record.closed_at),
        "created_at": timestamp(record.created_at),
        "custom_attributes": dict(custom_attributes),
        "description": record.description,
        "jira_issue": data.get(JIRA_ISSUE),
        "key": record.key,
        "modified_at": timestamp(record.updated_at),
        "priority": to_priority(record.priority),
        "service_now_ticket": data.get(SERVICE_NOW_TICKET),
        "status": STATUS_OF_GROUP[record.status],
        "status_group": STATUS_GROUP_OF_GROUP[record.status],
        "status_name": record.status_name,
        "title": record.title,
        "type": STANDARD,
        "type_id": str(type_id),
        # Not in the client's model, which keeps it as an extra attribute, as it keeps the real API's.
        "insights": [insight_body(insight) for insight in insights],
    }
    return {
        "id": str(record.id),
        "type": CASE_TYPE,
        "attributes": attributes,
        "relationships": {
            # Datadog has one assignee: the case's first.
            "assignee": user_link(record.assignees[0] if record.assignees else None),
            "created_by": user_link(record.author_id),
            "modified_by": user_link(record.updated_by),
            "project": {"data": {"id": str(record.project_id), "type": PROJECT_TYPE}},
        },
    }
