"""Datadog's changes to one case, each a route of its own: `POST /api/v2/cases/{case_id}/<field>` for title,
description, priority, status, attributes, due_date and resolved_reason; assign and unassign; archive and unarchive;
a custom attribute's value set or removed; and the project relationship update, which moves the case.

Every body is `{"data": {"type": "case", "attributes": {...}}}`, validated whole before the case is looked for; every
answer is the whole case. Datadog's single assignee is the case's only one; its resolved reason is the case's
resolution."""

import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import Field, StringConstraints, ValidationError, model_validator
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import lifecycle, moving, service
from casework.cases.schemas import Attributes, CaseMove, CaseUpdate, ShortText
from casework.dialects.datadog.attributes import core_value
from casework.dialects.datadog.cases import (
    CUSTOM_ATTRIBUTES,
    case_answer,
    custom_attribute_errors,
    known_user,
    type_of,
)
from casework.dialects.datadog.inputs import (
    CUSTOM_ATTRIBUTE_KEY,
    CaseId,
    CaseRequest,
    CustomAttributeValue,
    DatadogInput,
    EmptyCaseRequest,
    Priority,
    ProjectRelationship,
    Status,
    StatusName,
    Title,
)
from casework.dialects.datadog.routing import OBJECTS, datadog_router
from casework.dialects.datadog.wire import GROUP_OF_STATUS, from_priority
from casework.dialects.dialect import DialectActor
from casework.errors import NotFound, from_validation_error
from casework.http import DB, JSONResponse
from casework.i18n import _
from casework.workflow.case_values import Description

router = datadog_router()
# The project relationship answers its errors as JSON:API error objects.
relationships = datadog_router(OBJECTS)

CustomAttributeKey = Annotated[str, Path(pattern=CUSTOM_ATTRIBUTE_KEY, description="The custom attribute's key.")]


def core_update(values: dict[str, Any]) -> CaseUpdate:
    """The core's update; what the core refuses beyond the dialect's checks (vendor data past its size) is a 400."""
    try:
        return CaseUpdate.model_validate(values)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def _change(session: Session, actor: Actor, case_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return case_answer(session, actor, service.update_case(session, actor, case_id, core_update(values)))


async def _changed(db: DB, actor: Actor, case_id: str, values: dict[str, Any]) -> Response:
    return JSONResponse(await db.write(_change, actor, case_id, values))


# Title, description, priority, status, attributes, due date, resolved reason


class TitleAttributes(DatadogInput):
    title: Title


class DescriptionAttributes(DatadogInput):
    description: Description


class PriorityAttributes(DatadogInput):
    priority: Priority


class StatusAttributes(DatadogInput):
    status: Status | None = Field(default=None, description="Deprecated: a status group (its default status).")
    status_name: StatusName | None = Field(default=None, description="A status of the case's project by name.")

    @model_validator(mode="after")
    def _one_given(self) -> "StatusAttributes":
        if self.status is None and self.status_name is None:
            raise ValueError(_("give status_name or status"))
        return self


class AttributesAttributes(DatadogInput):
    attributes: Attributes


class DueDateAttributes(DatadogInput):
    due_date: date | None = Field(description="`YYYY-MM-DD`; null clears it.")


class ResolvedReasonAttributes(DatadogInput):
    security_resolved_reason: Annotated[ShortText, StringConstraints(min_length=1)]


class AssignAttributes(DatadogInput):
    assignee_id: uuid.UUID


@router.post("/api/v2/cases/{case_id}/title", summary="Update a case's title")
async def update_title(case_id: CaseId, body: CaseRequest[TitleAttributes], actor: DialectActor, db: DB) -> Response:
    return await _changed(db, actor, case_id, {"title": body.data.attributes.title})


@router.post("/api/v2/cases/{case_id}/description", summary="Update a case's description")
async def update_description(
    case_id: CaseId, body: CaseRequest[DescriptionAttributes], actor: DialectActor, db: DB
) -> Response:
    return await _changed(db, actor, case_id, {"description": body.data.attributes.description})


@router.post("/api/v2/cases/{case_id}/priority", summary="Update a case's priority")
async def update_priority(
    case_id: CaseId, body: CaseRequest[PriorityAttributes], actor: DialectActor, db: DB
) -> Response:
    return await _changed(db, actor, case_id, {"priority": from_priority(body.data.attributes.priority)})


@router.post("/api/v2/cases/{case_id}/status", summary="Update a case's status")
async def update_status(case_id: CaseId, body: CaseRequest[StatusAttributes], actor: DialectActor, db: DB) -> Response:
    attributes = body.data.attributes
    if attributes.status_name is not None:
        status = attributes.status_name
    else:
        assert attributes.status is not None  # StatusAttributes requires one of the two
        status = GROUP_OF_STATUS[attributes.status]
    return await _changed(db, actor, case_id, {"status": status})


@router.post("/api/v2/cases/{case_id}/attributes", summary="Replace a case's attributes")
async def update_attributes(
    case_id: CaseId, body: CaseRequest[AttributesAttributes], actor: DialectActor, db: DB
) -> Response:
    return await _changed(db, actor, case_id, {"attributes": body.data.attributes.attributes})


@router.post("/api/v2/cases/{case_id}/due_date", summary="Set or clear a case's due date")
async def update_due_date(
    case_id: CaseId, body: CaseRequest[DueDateAttributes], actor: DialectActor, db: DB
) -> Response:
    due = body.data.attributes.due_date
    # Datadog's due date is a day; the core's a moment: the day's start in UTC.
    moment = None if due is None else datetime.combine(due, time(), tzinfo=UTC)
    return await _changed(db, actor, case_id, {"due_date": moment})


@router.post("/api/v2/cases/{case_id}/resolved_reason", summary="Set a case's resolved reason")
async def update_resolved_reason(
    case_id: CaseId, body: CaseRequest[ResolvedReasonAttributes], actor: DialectActor, db: DB
) -> Response:
    return await _changed(db, actor, case_id, {"resolution": body.data.attributes.security_resolved_reason})


# Assignee


def _assign(session: Session, actor: Actor, case_id: str, user_id: uuid.UUID) -> dict[str, Any]:
    # The case first: an unknown case is named before an unknown user.
    service.get_case(session, actor, case_id)
    known_user(session, actor, user_id)
    return _change(session, actor, case_id, {"assignees": [user_id]})


@router.post("/api/v2/cases/{case_id}/assign", summary="Assign a case to a user")
async def assign_case(case_id: CaseId, body: CaseRequest[AssignAttributes], actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_assign, actor, case_id, body.data.attributes.assignee_id))


@router.post("/api/v2/cases/{case_id}/unassign", summary="Unassign a case")
async def unassign_case(case_id: CaseId, body: EmptyCaseRequest, actor: DialectActor, db: DB) -> Response:
    return await _changed(db, actor, case_id, {"assignees": []})


# Archive


def _archive(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    return case_answer(session, actor, lifecycle.archive_case(session, actor, case_id))


def _unarchive(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    record = service.get_case(session, actor, case_id)
    # Unarchiving a case that is not archived changes nothing, as archiving an archived one.
    if record.archived_at is not None:
        record = lifecycle.restore_case(session, actor, case_id)
    return case_answer(session, actor, record)


@router.post("/api/v2/cases/{case_id}/archive", summary="Archive a case")
async def archive_case(case_id: CaseId, body: EmptyCaseRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_archive, actor, case_id))


@router.post("/api/v2/cases/{case_id}/unarchive", summary="Unarchive a case")
async def unarchive_case(case_id: CaseId, body: EmptyCaseRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_unarchive, actor, case_id))


# Custom attribute values


def _set_custom_attribute(
    session: Session, actor: Actor, case_id: str, key: str, given: CustomAttributeValue | None
) -> dict[str, Any]:
    """The case's value of its type's field `key` set (None removes it), on the version just read; a key its type
    has no field for is a 404, as Datadog answers."""
    record = service.get_case(session, actor, case_id)
    field = type_of(session, record.workspace_id, record.project_id, record.type).field(key)
    if field is None:
        raise NotFound("custom attribute", key)
    value = None
    if given is not None:
        value = core_value(field, given.type, given.is_multi, given.value, f"{CUSTOM_ATTRIBUTES}.{key}")
    with custom_attribute_errors():
        changed = service.update_case(session, actor, record.id, core_update({"fields": {key: value}}), record.version)
    return case_answer(session, actor, changed)


@router.post("/api/v2/cases/{case_id}/custom_attributes/{custom_attribute_key}", summary="Set a custom attribute")
async def update_case_custom_attribute(
    case_id: CaseId,
    custom_attribute_key: CustomAttributeKey,
    body: CaseRequest[CustomAttributeValue],
    actor: DialectActor,
    db: DB,
) -> Response:
    given = body.data.attributes
    return JSONResponse(await db.write(_set_custom_attribute, actor, case_id, custom_attribute_key, given))


@router.delete("/api/v2/cases/{case_id}/custom_attributes/{custom_attribute_key}", summary="Remove a custom attribute")
async def delete_case_custom_attribute(
    case_id: CaseId, custom_attribute_key: CustomAttributeKey, actor: DialectActor, db: DB
) -> Response:
    return JSONResponse(await db.write(_set_custom_attribute, actor, case_id, custom_attribute_key, None))


# Project


def _move(session: Session, actor: Actor, case_id: str, project_id: uuid.UUID) -> dict[str, Any]:
    return case_answer(session, actor, moving.move_case(session, actor, case_id, CaseMove(project=str(project_id))))


@relationships.patch("/api/v2/cases/{case_id}/relationships/project", summary="Move a case to another project")
async def move_case_to_project(case_id: CaseId, body: ProjectRelationship, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_move, actor, case_id, body.data.id))
