"""Alerts of external systems (Kibana, ...) attached to cases: at most 1,000 distinct alerts per case."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import JSON, ColumnElement, Insert, Row, String, Uuid, bindparam, cast, delete, func, insert, select
from sqlalchemy.orm import Session, joinedload

from casework.alerts.models import CaseAlert
from casework.alerts.records import AlertAttachmentRecord, AlertRecord
from casework.alerts.schemas import MAX_ALERTS_PER_CASE, MAX_ALERTS_PER_REQUEST, AlertAttach
from casework.auth.service import Actor
from casework.cases.models import Case
from casework.cases.records import CaseIdentity, CaseRecord, case_records
from casework.cases.service import lock_case_for_change, record_change, visible_case
from casework.db.base import new_id, utcnow
from casework.errors import InvalidInput, LimitExceeded, NotFound, VersionConflict
from casework.i18n import _
from casework.pagination import after_id, id_page, page_of

MAX_ALERT_ID_LENGTH = 512


@dataclass(frozen=True, slots=True)
class AttachOutcome:
    attachment_id: uuid.UUID | None
    added: list[str]
    duplicates: list[str]
    alert_count: int
    case_version: int
    # The case's alert attachments after the change, oldest first, when the caller asked for them.
    attachments: list[AlertAttachmentRecord] | None = None


def _requested(data: AlertAttach) -> tuple[dict[str, str], set[str]]:
    """The request's alerts as alert id -> index (first occurrence wins), and the ids it repeats."""
    if len(data.alert_ids) != len(data.indexes):
        raise InvalidInput.field(
            "indexes",
            _(
                "must name one index per alert id: {alerts} alert ids, {indexes} indexes",
                alerts=len(data.alert_ids),
                indexes=len(data.indexes),
            ),
        )
    if len(data.alert_ids) > MAX_ALERTS_PER_REQUEST:
        raise LimitExceeded("alert_ids", MAX_ALERTS_PER_REQUEST, _("alerts per request"))
    wanted: dict[str, str] = {}
    repeated: set[str] = set()
    for alert_id, index in zip(data.alert_ids, data.indexes, strict=True):
        if alert_id in wanted:
            repeated.add(alert_id)
        else:
            wanted[alert_id] = index
    return wanted, repeated


def _cap_error(count: int, adding: int) -> LimitExceeded:
    return LimitExceeded(
        "alert_ids",
        MAX_ALERTS_PER_CASE,
        _("alerts per case; the case has {count} and this request would add {adding} more", count=count, adding=adding),
    )


def attach_alerts(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    data: AlertAttach,
    expected_version: int | None = None,
    *,
    with_attachments: bool = False,
) -> AttachOutcome:
    """Attach the request's alerts as one attachment; alerts the case already has, or that the request repeats,
    are reported as duplicates and counted once. A request that would take the case past the cap adds nothing.

    with_attachments: the outcome holds the case's alert attachments after the change, read with the alerts the
    case already has rather than by another statement."""
    wanted, repeated = _requested(data)
    # The case row stays locked until commit: the count read here is the count the insert builds on.
    case = lock_case_for_change(session, actor, ref, expected_version)
    # All of the case's alerts (at most the cap): one statement whatever the request's size.
    attachments = _attachments(session, case.id) if with_attachments else None
    if attachments is None:
        existing = set(session.scalars(select(CaseAlert.alert_id).where(CaseAlert.case_id == case.id)))
    else:
        existing = {alert_id for attachment in attachments for alert_id in attachment.alert_ids}
    added = [alert_id for alert_id in wanted if alert_id not in existing]
    duplicates = [alert_id for alert_id in wanted if alert_id in existing or alert_id in repeated]

    if case.alert_count + len(added) > MAX_ALERTS_PER_CASE:
        raise _cap_error(case.alert_count, len(added))
    if not added:
        return AttachOutcome(None, [], duplicates, case.alert_count, case.version, attachments)

    attachment_id = new_id()
    rule = _rule(data)
    shared = {
        "workspace_id": actor.workspace_id,
        "case_id": case.id,
        "attachment_id": attachment_id,
        "rule_id": rule["id"] if rule else None,
        "rule_name": rule["name"] if rule else None,
        "owner": data.owner,
        "created_at": utcnow(),
        "created_by": actor.user_id,
        "version": 1,
        "updated_at": None,
        "updated_by": None,
    }
    indexes = [wanted[alert_id] for alert_id in added]
    _insert(session, shared, added, indexes)
    changes: dict[str, list[object]] = {
        "alert_ids": [None, added],
        "attachment_id": [None, attachment_id],
        "indexes": [None, indexes],
        "owner": [None, data.owner],
    }
    if rule:
        changes["rule"] = [None, rule]
    version = record_change(session, actor, case, "alerts_attached", changes, {"alert_count": len(added)})
    if attachments is not None:
        attachments.append(_new_attachment(case.id, shared, added, indexes))
    return AttachOutcome(attachment_id, added, duplicates, case.alert_count + len(added), version, attachments)


def _new_attachment(
    case_id: uuid.UUID, shared: Mapping[str, Any], alert_ids: list[str], indexes: list[str]
) -> AlertAttachmentRecord:
    """The record of the attachment just inserted with `shared` values, as a read of it would give it."""
    return AlertAttachmentRecord(
        id=shared["attachment_id"],
        case_id=case_id,
        alert_ids=tuple(alert_ids),
        indexes=tuple(indexes),
        rule_id=shared["rule_id"],
        rule_name=shared["rule_name"],
        owner=shared["owner"],
        version=shared["version"],
        created_at=shared["created_at"],
        created_by=shared["created_by"],
        updated_at=None,
        updated_by=None,
    )


def _rule(data: AlertAttach) -> dict[str, str | None] | None:
    if data.rule is None or (data.rule.id is None and data.rule.name is None):
        return None
    return {"id": data.rule.id, "name": data.rule.name}


def _insert(session: Session, shared: Mapping[str, object], alert_ids: list[str], indexes: list[str]) -> None:
    rows = [[new_id().hex, alert_id, index] for alert_id, index in zip(alert_ids, indexes, strict=True)]
    statement = _INSERT_ALERTS[session.get_bind().dialect.name]
    session.execute(statement, {**shared, "rows": orjson.dumps(rows).decode()})


def detach_alert(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    alert_id: str,
    expected_version: int | None = None,
) -> int:
    """Take one alert off the case; returns the case's new version."""
    case = lock_case_for_change(session, actor, ref, expected_version)
    if not _storable(alert_id):
        raise NotFound("alert", alert_id)
    attached = session.execute(
        select(CaseAlert.id, CaseAlert.attachment_id).where(
            CaseAlert.case_id == case.id, CaseAlert.alert_id == alert_id
        )
    ).first()
    if attached is None:
        raise NotFound("alert", alert_id)
    session.execute(delete(CaseAlert.__table__).where(CaseAlert.id == attached.id))
    changes = {"alert_ids": [[alert_id], None], "attachment_id": [attached.attachment_id, None]}
    return record_change(session, actor, case, "alert_detached", changes, {"alert_count": -1})


# Attachments: the alerts one request attached, taken as a whole


def _attachments(
    session: Session, case_id: uuid.UUID, attachment_id: uuid.UUID | None = None
) -> list[AlertAttachmentRecord]:
    """The alert attachments (or the one named) of a case the caller found in its workspace, oldest first, each with
    its alerts in the order given."""
    if attachment_id is None:
        query, parameters = _CASE_ATTACHMENTS, {"case_id": case_id}
    else:
        query, parameters = _CASE_ATTACHMENT, {"case_id": case_id, "attachment_id": attachment_id}
    rows: dict[uuid.UUID, list[Row[*tuple[Any, ...]]]] = {}
    # On the connection: plain rows, past the ORM's result machinery.
    for row in session.connection().execute(query, parameters):
        rows.setdefault(row.attachment_id, []).append(row)
    return [_attachment(case_id, group) for group in rows.values()]


def _attachment(case_id: uuid.UUID, rows: list[Row[*tuple[Any, ...]]]) -> AlertAttachmentRecord:
    first = rows[0]
    return AlertAttachmentRecord(
        id=first.attachment_id,
        case_id=case_id,
        alert_ids=tuple(row.alert_id for row in rows),
        # By its mapping: `index` is also the method rows have as sequences.
        indexes=tuple(row._mapping["index"] for row in rows),
        rule_id=first.rule_id,
        rule_name=first.rule_name,
        owner=first.owner,
        version=first.version,
        created_at=first.created_at,
        created_by=first.created_by,
        updated_at=first.updated_at,
        updated_by=first.updated_by,
    )


_ATTACHMENT_COLUMNS = (
    CaseAlert.attachment_id,
    CaseAlert.alert_id,
    CaseAlert.index,
    CaseAlert.rule_id,
    CaseAlert.rule_name,
    CaseAlert.owner,
    CaseAlert.version,
    CaseAlert.created_at,
    CaseAlert.created_by,
    CaseAlert.updated_at,
    CaseAlert.updated_by,
)


# Built once: a statement's cache key is worked out again for every new statement object. By the case alone: with
# the workspace too, SQLite's planner took the workspace's alert index and read every alert of the workspace.
_CASE_ATTACHMENTS = (
    select(*_ATTACHMENT_COLUMNS).where(CaseAlert.case_id == bindparam("case_id", type_=Uuid())).order_by(CaseAlert.id)
)
_CASE_ATTACHMENT = _CASE_ATTACHMENTS.where(CaseAlert.attachment_id == bindparam("attachment_id"))


def _find_attachment(session: Session, case: CaseIdentity, attachment_id: str | uuid.UUID) -> AlertAttachmentRecord:
    try:
        ident = attachment_id if isinstance(attachment_id, uuid.UUID) else uuid.UUID(attachment_id)
    except ValueError:
        raise NotFound("alert attachment", attachment_id) from None
    found = _attachments(session, case.id, ident)
    if not found:
        raise NotFound("alert attachment", attachment_id)
    return found[0]


def _current_rule(attachment: AlertAttachmentRecord) -> dict[str, str | None] | None:
    if attachment.rule_id is None and attachment.rule_name is None:
        return None
    return {"id": attachment.rule_id, "name": attachment.rule_name}


def list_attachments(session: Session, actor: Actor, ref: str | uuid.UUID) -> list[AlertAttachmentRecord]:
    """The case's alert attachments, oldest first (a case holds at most 1,000 alerts: no paging)."""
    case = visible_case(session, actor, ref)
    return _attachments(session, case.id)


def attachments_of_read_case(session: Session, actor: Actor, case: CaseRecord) -> list[AlertAttachmentRecord]:
    """list_attachments for a case the caller has just read in this unit of work, without reading it again: a case
    of another workspace has none."""
    actor.require_case_read()
    if case.workspace_id != actor.workspace_id:
        return []
    return _attachments(session, case.id)


def get_attachment(
    session: Session, actor: Actor, ref: str | uuid.UUID, attachment_id: str | uuid.UUID
) -> AlertAttachmentRecord:
    return _find_attachment(session, visible_case(session, actor, ref), attachment_id)


def replace_attachment(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    attachment_id: str | uuid.UUID,
    data: AlertAttach,
    expected_version: int | None = None,
) -> AlertAttachmentRecord:
    """Replace the attachment's alerts, rule and owner; `expected_version` names the attachment's version (not the
    case's). Alerts the case holds in another attachment are left out; a request leaving none is refused, as is one
    taking the case past the cap. A request changing nothing changes nothing."""
    wanted, _repeated = _requested(data)
    case = lock_case_for_change(session, actor, ref)
    current = _find_attachment(session, case, attachment_id)
    if expected_version is not None and expected_version != current.version:
        raise VersionConflict(current=current.version, given=expected_version)
    elsewhere = set(
        session.scalars(
            select(CaseAlert.alert_id).where(CaseAlert.case_id == case.id, CaseAlert.attachment_id != current.id)
        )
    )
    kept = [alert_id for alert_id in wanted if alert_id not in elsewhere]
    if not kept:
        raise InvalidInput.field("alert_ids", _("every alert given is already on the case in another attachment"))
    indexes = [wanted[alert_id] for alert_id in kept]
    rule = _rule(data)
    before: dict[str, object] = {
        "alert_ids": list(current.alert_ids),
        "indexes": list(current.indexes),
        "owner": current.owner,
    }
    before["rule"] = _current_rule(current)
    after = {"alert_ids": kept, "indexes": indexes, "owner": data.owner, "rule": rule}
    changed = {name: [before[name], value] for name, value in after.items() if before[name] != value}
    if not changed:
        return current
    adding = len(kept) - len(current.alert_ids)
    if case.alert_count + adding > MAX_ALERTS_PER_CASE:
        raise _cap_error(case.alert_count - len(current.alert_ids), len(kept))
    now = utcnow()
    session.execute(delete(CaseAlert.__table__).where(CaseAlert.attachment_id == current.id))
    rule_id, rule_name = (rule["id"], rule["name"]) if rule else (None, None)
    shared = {
        "workspace_id": actor.workspace_id,
        "case_id": case.id,
        "attachment_id": current.id,
        "rule_id": rule_id,
        "rule_name": rule_name,
        "owner": data.owner,
        "created_at": current.created_at,
        "created_by": current.created_by,
        "version": current.version + 1,
        "updated_at": now,
        "updated_by": actor.user_id,
    }
    _insert(session, shared, kept, indexes)
    changes = {"attachment_id": [current.id, current.id], **changed}
    record_change(session, actor, case, "alerts_replaced", changes, {"alert_count": adding})
    return replace(
        current,
        alert_ids=tuple(kept),
        indexes=tuple(indexes),
        rule_id=rule_id,
        rule_name=rule_name,
        owner=data.owner,
        version=current.version + 1,
        updated_at=now,
        updated_by=actor.user_id,
    )


def detach_attachment(session: Session, actor: Actor, ref: str | uuid.UUID, attachment_id: str | uuid.UUID) -> int:
    """Take all the attachment's alerts off the case; returns the case's new version."""
    case = lock_case_for_change(session, actor, ref)
    current = _find_attachment(session, case, attachment_id)
    session.execute(delete(CaseAlert.__table__).where(CaseAlert.attachment_id == current.id))
    changes: dict[str, list[object]] = {
        "attachment_id": [current.id, None],
        "alert_ids": [list(current.alert_ids), None],
        "indexes": [list(current.indexes), None],
        "owner": [current.owner, None],
    }
    if (rule := _current_rule(current)) is not None:
        changes["rule"] = [rule, None]
    return record_change(session, actor, case, "alerts_detached", changes, {"alert_count": -len(current.alert_ids)})


def _record(alert: CaseAlert) -> AlertRecord:
    return AlertRecord(
        id=alert.id,
        case_id=alert.case_id,
        attachment_id=alert.attachment_id,
        alert_id=alert.alert_id,
        index=alert.index,
        rule_id=alert.rule_id,
        rule_name=alert.rule_name,
        owner=alert.owner,
        created_at=alert.created_at,
        created_by=alert.created_by,
    )


def list_alerts(
    session: Session, actor: Actor, ref: str | uuid.UUID, cursor: str | None = None, limit: int = 50
) -> tuple[list[AlertRecord], str | None]:
    """The case's alerts, oldest first."""
    case = visible_case(session, actor, ref)
    query = select(CaseAlert).where(CaseAlert.case_id == case.id)
    rows, next_cursor = id_page(session, query, CaseAlert.id, cursor, limit)
    return [_record(row) for row in rows], next_cursor


def cases_with_alert(
    session: Session,
    actor: Actor,
    alert_id: str,
    include_archived: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[CaseRecord], str | None]:
    """The cases of the caller's workspace that hold the alert, by case id (oldest case first)."""
    actor.require_case_read()
    after = after_id(cursor)
    if not _storable(alert_id):
        return [], None
    query = (
        select(Case)
        .join(CaseAlert, CaseAlert.case_id == Case.id)
        .where(CaseAlert.workspace_id == actor.workspace_id, CaseAlert.alert_id == alert_id)
        .where(Case.workspace_id == actor.workspace_id)
    )
    if not include_archived:
        query = query.where(Case.archived_at.is_(None))
    if after is not None:
        query = query.where(Case.id > after)
    # The SLA clocks in the same query: one round trip less than their default separate SELECT.
    query = query.options(joinedload(Case.sla_clocks)).order_by(Case.id).limit(limit + 1)
    cases, next_cursor = page_of(list(session.scalars(query).unique()), limit)
    return case_records(cases), next_cursor


def _insert_from_json(postgres: bool) -> Insert:
    """INSERT .. SELECT of the new case_alerts rows: their own values come from one JSON array of
    [id as hex, alert id, index] triples, the values they share from one bind each. A multi-row VALUES of 1,000
    rows would bind 11,000 parameters: compiling it, and the driver parsing it, cost far more than the write."""
    if postgres:
        rows = func.json_array_elements(cast(bindparam("rows", type_=String()), JSON())).table_valued("value")
        id_, alert_id, index = (rows.c.value.op("->>")(n) for n in range(3))
        values: list[ColumnElement[Any]] = [cast(id_, Uuid()), alert_id, index]
    else:
        # The hex id is the column's stored form on SQLite.
        rows = func.json_each(bindparam("rows", type_=String())).table_valued("value")
        values = [func.json_extract(rows.c.value, f"$[{n}]") for n in range(3)]
    table = CaseAlert.__table__
    shared = [bindparam(name, type_=table.c[name].type) for name in _SHARED_COLUMNS]
    return insert(table).from_select(["id", "alert_id", "index", *_SHARED_COLUMNS], select(*values, *shared))


_SHARED_COLUMNS = (
    "workspace_id",
    "case_id",
    "attachment_id",
    "rule_id",
    "rule_name",
    "owner",
    "created_at",
    "created_by",
    "version",
    "updated_at",
    "updated_by",
)
_INSERT_ALERTS = {"postgresql": _insert_from_json(True), "sqlite": _insert_from_json(False)}


def _storable(alert_id: str) -> bool:
    """Whether an alert id could be stored at all; others are simply not attached anywhere."""
    return 0 < len(alert_id) <= MAX_ALERT_ID_LENGTH and "\x00" not in alert_id


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's alerts, as the case is deleted for good (casework.deletion)."""
    session.execute(delete(CaseAlert.__table__).where(CaseAlert.case_id == case_id))
