"""Datadog's case routes: create and get (the case as Datadog shows it, for every module that answers a case)."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Response
from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from casework.auth.service import Actor, existing_user_ids
from casework.cases import service
from casework.cases.records import CaseRecord
from casework.cases.schemas import CaseCreate
from casework.dialects.datadog.inputs import (
    CaseId,
    CaseResourceType,
    CustomAttributes,
    DatadogInput,
    Priority,
    ProjectRelationship,
    StatusName,
    Title,
    UserRelationship,
)
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import CUSTOM_ATTRIBUTES, VENDOR_KEY, case_data, from_priority
from casework.dialects.dialect import DialectActor
from casework.errors import NotFound, from_validation_error
from casework.http import DB, JSONResponse
from casework.workflow.case_types import lookup as case_types
from casework.workflow.case_types.models import STANDARD, STANDARD_ID
from casework.workflow.case_values import Description

router = datadog_router()


def type_ids(session: Session, records: Sequence[CaseRecord]) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    """The public id of each case's type, by (project, type name)."""
    ids: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    for record in records:
        key = (record.project_id, record.type)
        if key in ids:
            continue
        found = None if record.type == STANDARD else case_types.named(session, record.workspace_id, *key)
        ids[key] = STANDARD_ID if found is None else found.public_id
    return ids


Insights = Sequence[Mapping[str, Any]]


def case_answers(
    session: Session, records: Sequence[CaseRecord], insights: Mapping[uuid.UUID, Insights] | None = None
) -> list[dict[str, Any]]:
    """The cases as Datadog's `data` shows them, read in the caller's unit of work; `insights` by case id, for the
    cases whose insights are shown."""
    ids = type_ids(session, records)
    return [
        case_data(record, ids[(record.project_id, record.type)], None if insights is None else insights.get(record.id))
        for record in records
    ]


def case_answer(session: Session, record: CaseRecord, insights: Insights | None = None) -> dict[str, Any]:
    """`{"data": case}`: Datadog's CaseResponse."""
    return {"data": case_answers(session, [record], None if insights is None else {record.id: insights})[0]}


# Create


class CaseCreateAttributes(DatadogInput):
    title: Title
    type_id: uuid.UUID = Field(description="The case type's UUID (STANDARD: 00000000-0000-0000-0000-000000000001).")
    description: Description = ""
    priority: Priority = "NOT_DEFINED"
    status_name: StatusName | None = Field(default=None, description="A status of the project; its default if absent.")
    custom_attributes: CustomAttributes = {}


class CaseCreateRelationships(DatadogInput):
    project: ProjectRelationship
    assignee: UserRelationship | None = None


class CaseCreateData(DatadogInput):
    type: CaseResourceType
    attributes: CaseCreateAttributes
    relationships: CaseCreateRelationships | None = Field(
        default=None, description="The case's project (the workspace's first without it) and assignee."
    )


class CaseCreateRequest(DatadogInput):
    data: CaseCreateData


def core_create(data: CaseCreateData) -> CaseCreate:
    attributes, relationships = data.attributes, data.relationships
    custom_attributes = {key: value.stored() for key, value in attributes.custom_attributes.items()}
    values: dict[str, Any] = {
        "title": attributes.title,
        "description": attributes.description,
        "priority": from_priority(attributes.priority),
        "type": str(attributes.type_id),
        "vendor_data": {VENDOR_KEY: {CUSTOM_ATTRIBUTES: custom_attributes}},
    }
    if attributes.status_name is not None:
        values["status"] = attributes.status_name
    if relationships is not None:
        values["project"] = str(relationships.project.data.id)
        if relationships.assignee is not None and relationships.assignee.data is not None:
            values["assignees"] = [relationships.assignee.data.id]
    try:
        return CaseCreate.model_validate(values)
    except ValidationError as exc:
        # What the core refuses beyond the dialect's checks (vendor data past its size) is a 400 too.
        raise from_validation_error(exc) from None


def known_user(session: Session, actor: Actor, user_id: uuid.UUID) -> None:
    """Datadog answers 404 for a user it does not know, where the core refuses the input."""
    if not existing_user_ids(session, actor.workspace_id, [user_id]):
        raise NotFound("user", user_id)


def known_type(session: Session, actor: Actor, type_id: uuid.UUID) -> None:
    """A type id of no type of the workspace is a 404 (one the case's project may not take is the core's 400)."""
    if case_types.find(session, actor.workspace_id, None, str(type_id), by_id_anywhere=True) is None:
        raise NotFound("case type", type_id)


def _create(session: Session, actor: Actor, body: CaseCreateRequest) -> dict[str, Any]:
    data = core_create(body.data)
    known_type(session, actor, body.data.attributes.type_id)
    for user_id in data.assignees:
        known_user(session, actor, user_id)
    return case_answer(session, service.create_case(session, actor, data))


def _get(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    return case_answer(session, service.get_case(session, actor, case_id))


@router.post("/api/v2/cases", summary="Create a case", status_code=201)
async def create_case(body: CaseCreateRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body), 201)


@router.get("/api/v2/cases/{case_id}", summary="Get the details of a case")
async def get_case(case_id: CaseId, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_get, actor, case_id))
