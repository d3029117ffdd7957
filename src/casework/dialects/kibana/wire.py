"""A case as Kibana's JSON shows it, built from the core's read models, and Kibana's vocabulary for the core's.

What Kibana has and casework does not (the case's connector, its settings, its external service) is kept in the
case's vendor data under `kibana`, and shown back as given."""

import base64
import binascii
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, get_args, overload

import orjson

from casework.auth.records import UserRecord
from casework.cases.records import CaseRecord
from casework.workflow.case_values import SEVERITIES as CASE_SEVERITIES

# The case's vendor_data entry holding what only Kibana has.
VENDOR_KEY = "kibana"
# Under VENDOR_KEY: the case's custom field keys in the order Kibana stores them (the request's, then the filled).
CUSTOM_FIELD_ORDER = "customFieldKeys"
OwnerName = Literal["cases", "observability", "securitySolution"]
OWNERS: tuple[OwnerName, ...] = get_args(OwnerName)
# Kibana's severities are casework's, in the same words.
SEVERITIES = CASE_SEVERITIES
# Kibana's statuses, by the core's status group, and back.
STATUS_OF_GROUP = {"open": "open", "in_progress": "in-progress", "closed": "closed"}
GROUP_OF_STATUS = {kibana: group for group, kibana in STATUS_OF_GROUP.items()}
NO_CONNECTOR: dict[str, Any] = {"id": "none", "name": "none", "type": ".none", "fields": None}
DEFAULT_SETTINGS: dict[str, Any] = {"syncAlerts": True}
# Kibana's custom field types, by the type of a core field value when no definition says.
_VALUE_TYPES: tuple[tuple[type, str], ...] = ((bool, "toggle"), (int, "number"), (float, "number"), (str, "text"))


def encode_version(version: int) -> str:
    """Kibana's opaque version: base64 of a saved object's `[seq_no, primary_term]`; here `[version, 1]`."""
    return base64.b64encode(f"[{version},1]".encode()).decode()


def decode_version(text: str) -> int | None:
    """The case version a Kibana version string stands for; None for one this server never issued."""
    try:
        decoded = orjson.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return None
    if (
        isinstance(decoded, list)
        and len(decoded) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in decoded)
        and decoded[0] >= 1
    ):
        return int(decoded[0])
    return None


def timestamp(moment: datetime | None) -> str | None:
    """Kibana's times: ISO 8601 in UTC with milliseconds and a Z."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@overload
def user_body(user: UserRecord, user_id: uuid.UUID | None = None) -> dict[str, Any]: ...
@overload
def user_body(user: UserRecord | None, user_id: uuid.UUID | None = None) -> dict[str, Any] | None: ...
def user_body(user: UserRecord | None, user_id: uuid.UUID | None = None) -> dict[str, Any] | None:
    """Kibana's user: `{email, full_name, username, profile_uid}`, the profile uid being the casework user id."""
    if user is None:
        if user_id is None:
            return None
        return {"email": None, "full_name": None, "username": None, "profile_uid": str(user_id)}
    return {"email": user.email, "full_name": user.name, "username": user.email, "profile_uid": str(user.id)}


def people_of(records: Iterable[CaseRecord]) -> set[uuid.UUID]:
    """The users case_body names for these cases: fetch them with casework.auth.service.user_records."""
    ids: set[uuid.UUID] = set()
    for record in records:
        ids.add(record.author_id)
        ids.add(record.updated_by)
        if record.closed_by is not None:
            ids.add(record.closed_by)
    return ids


def kibana_data(record: CaseRecord) -> dict[str, Any]:
    return record.vendor_data.get(VENDOR_KEY, {})


def custom_fields_body(
    fields: Mapping[str, Any], types: Mapping[str, str] | None, order: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """`[{key, type, value}]`: the fields `types` names (Kibana's own, by key), in the case's Kibana `order` (as its
    last Kibana write stored them) then the configuration's; else every value by its JSON type."""
    if types is not None:
        keys = [key for key in order if key in types] + [key for key in types if key not in order]
        return [{"key": key, "type": types[key], "value": fields.get(key)} for key in keys]
    body = []
    for key, value in fields.items():
        kind = next((name for cls, name in _VALUE_TYPES if isinstance(value, cls)), None)
        if kind is not None:
            body.append({"key": key, "type": kind, "value": value})
    return body


def case_body(
    record: CaseRecord,
    people: Mapping[uuid.UUID, UserRecord],
    comments: Sequence[dict[str, Any]] = (),
    *,
    custom_field_types: Mapping[str, str] | None = None,
    total_comment: int | None = None,
    total_alerts: int | None = None,
) -> dict[str, Any]:
    """The case as Kibana answers it. `comments` are the rendered attachments (empty but for the comment routes);
    totals default to the case's user comments and alerts; `custom_field_types` maps the custom fields the owner's
    configuration defines to their Kibana types (when known)."""
    data = kibana_data(record)
    # Kibana shows no update until the first change after creation.
    changed = record.version > 1
    return {
        "id": str(record.id),
        "version": encode_version(record.version),
        "owner": record.owner,
        "title": record.title,
        "description": record.description,
        "status": STATUS_OF_GROUP[record.status],
        "severity": record.severity,
        "tags": list(record.tags),
        "category": record.category,
        "assignees": [{"uid": str(uid)} for uid in record.assignees],
        "customFields": custom_fields_body(record.fields, custom_field_types, data.get(CUSTOM_FIELD_ORDER, ())),
        "connector": data.get("connector", NO_CONNECTOR),
        "settings": data.get("settings", DEFAULT_SETTINGS),
        "external_service": data.get("external_service"),
        "comments": list(comments),
        "totalComment": record.counts.comments if total_comment is None else total_comment,
        "totalAlerts": record.counts.alerts if total_alerts is None else total_alerts,
        "created_at": timestamp(record.created_at),
        "created_by": user_body(people.get(record.author_id), record.author_id),
        "updated_at": timestamp(record.updated_at) if changed else None,
        "updated_by": user_body(people.get(record.updated_by), record.updated_by) if changed else None,
        "closed_at": timestamp(record.closed_at),
        "closed_by": user_body(people.get(record.closed_by), record.closed_by) if record.closed_by else None,
        "duration": record.duration,
    }
