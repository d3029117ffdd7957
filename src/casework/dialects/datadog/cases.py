"""Datadog's case routes: create and get; and the case as Datadog shows it, for every module that answers a case:
its type's id, its values of its type's fields as custom attributes, and its insights (a page's in one query)."""

import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Response
from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from casework.auth.service import Actor, existing_user_ids
from casework.cases import service
from casework.cases.records import CaseRecord
from casework.cases.schemas import CaseCreate
from casework.dialects.datadog.attributes import core_value, custom_attribute
from casework.dialects.datadog.inputs import (
    CaseId,
    CaseResourceType,
    CustomAttributes,
    CustomAttributeValue,
    DatadogInput,
    Priority,
    ProjectRelationship,
    StatusName,
    Title,
    UserRelationship,
)
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import case_data, from_priority
from casework.dialects.dialect import DialectActor
from casework.errors import FieldError, InvalidInput, NotFound, detail_of, from_validation_error
from casework.http import DB, JSONResponse
from casework.i18n import _
from casework.insights.records import InsightRecord
from casework.insights.service import insights_of_cases
from casework.workflow.case_types import lookup as case_types
from casework.workflow.case_types.models import STANDARD_ID, CaseType
from casework.workflow.case_values import Description
from casework.workflow.fields import service as fields
from casework.workflow.fields.models import FieldDefinition

router = datadog_router()

CUSTOM_ATTRIBUTES = "custom_attributes"
# The core names a custom field value so.
FIELDS = "fields"


@dataclass(frozen=True, slots=True)
class TypeOfCases:
    """A case type as its cases show it: the id it shows, and its fields (the custom attribute configs) in order."""

    public_id: uuid.UUID
    fields: tuple[FieldDefinition, ...]

    def field(self, key: str) -> FieldDefinition | None:
        return next((field for field in self.fields if field.key == key), None)


def _shown_type(session: Session, found: CaseType) -> TypeOfCases:
    return TypeOfCases(found.public_id, tuple(fields.fields_of_types(session, [found.id])[found.id]))


def types_of_cases(
    session: Session, workspace_id: uuid.UUID, wanted: Collection[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], TypeOfCases]:
    """The types cases of those projects hold by name (deleted ones' too: their cases keep them): one query whatever
    their number, and one more for the fields of those that have any."""
    found = case_types.named_in_projects(session, workspace_id, wanted)
    fields_of = fields.fields_of_types(session, {case_type.id for case_type in found.values() if case_type.has_fields})
    standard = TypeOfCases(STANDARD_ID, ())
    return {
        key: TypeOfCases(found[key].public_id, tuple(fields_of.get(found[key].id, ()))) if key in found else standard
        for key in wanted
    }


def type_of(session: Session, workspace_id: uuid.UUID, project_id: uuid.UUID, type_name: str) -> TypeOfCases:
    """The type a case of the project holds by name."""
    return types_of_cases(session, workspace_id, [(project_id, type_name)])[(project_id, type_name)]


def custom_attributes(case_type: TypeOfCases, values: Mapping[str, Any]) -> dict[str, Any]:
    """The case's values of its type's fields, as Datadog shows custom attributes."""
    return {f.key: custom_attribute(f, values[f.key]) for f in case_type.fields if values.get(f.key) is not None}


def case_answers(
    session: Session,
    actor: Actor,
    records: Sequence[CaseRecord],
    insights: Mapping[uuid.UUID, Sequence[InsightRecord]] | None = None,
) -> list[dict[str, Any]]:
    """The cases as Datadog's `data` shows them, read in the caller's unit of work: their types and the types' fields
    in two queries, and the insights of all the cases that have any in one (`insights`: by case id, when the caller
    has them)."""
    types = types_of_cases(session, actor.workspace_id, {(record.project_id, record.type) for record in records})
    if insights is None:
        insights = insights_of_cases(session, actor, [record.id for record in records if record.counts.insights])
    answers = []
    for record in records:
        case_type = types[(record.project_id, record.type)]
        shown = custom_attributes(case_type, record.fields)
        answers.append(case_data(record, case_type.public_id, shown, insights.get(record.id, ())))
    return answers


def case_answer(
    session: Session, actor: Actor, record: CaseRecord, insights: Sequence[InsightRecord] | None = None
) -> dict[str, Any]:
    """`{"data": case}`: Datadog's CaseResponse."""
    return {"data": case_answers(session, actor, [record], None if insights is None else {record.id: insights})[0]}


def _datadog_name(field: str) -> str:
    return CUSTOM_ATTRIBUTES + field.removeprefix(FIELDS) if field.startswith(FIELDS + ".") else field


@contextmanager
def custom_attribute_errors() -> Iterator[None]:
    """The core's errors on custom field values, named as Datadog's custom attributes."""
    try:
        yield
    except InvalidInput as exc:
        if not any(error.field.startswith(FIELDS + ".") for error in exc.errors):
            raise
        renamed = [FieldError(_datadog_name(e.field), e.message) for e in exc.errors]
        raise InvalidInput(detail_of(renamed), renamed) from None


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


def core_values(case_type: TypeOfCases, given: Mapping[str, CustomAttributeValue]) -> dict[str, Any]:
    """Datadog's custom attribute values as the core's field values; a key the type has no field for is a 400."""
    values = {}
    for key, value in given.items():
        name = f"{CUSTOM_ATTRIBUTES}.{key}"
        field = case_type.field(key)
        if field is None:
            raise InvalidInput.field(name, _("the case type has no custom attribute {key}", key=key))
        values[key] = core_value(field, value.type, value.is_multi, value.value, name)
    return values


def core_create(data: CaseCreateData, case_type: TypeOfCases) -> CaseCreate:
    attributes, relationships = data.attributes, data.relationships
    values: dict[str, Any] = {
        "title": attributes.title,
        "description": attributes.description,
        "priority": from_priority(attributes.priority),
        "type": str(attributes.type_id),
        "fields": core_values(case_type, attributes.custom_attributes),
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


def known_type(session: Session, actor: Actor, type_id: uuid.UUID) -> TypeOfCases:
    """A type id of no type of the workspace is a 404 (one the case's project may not take is the core's 400)."""
    found = case_types.find(session, actor.workspace_id, None, str(type_id), by_id_anywhere=True)
    if found is None:
        raise NotFound("case type", type_id)
    return _shown_type(session, found)


def _create(session: Session, actor: Actor, body: CaseCreateRequest) -> dict[str, Any]:
    case_type = known_type(session, actor, body.data.attributes.type_id)
    data = core_create(body.data, case_type)
    for user_id in data.assignees:
        known_user(session, actor, user_id)
    with custom_attribute_errors():
        record = service.create_case(session, actor, data)
    return case_answer(session, actor, record, ())


def _get(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    return case_answer(session, actor, service.get_case(session, actor, case_id))


@router.post("/api/v2/cases", summary="Create a case", status_code=201)
async def create_case(body: CaseCreateRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body), 201)


@router.get("/api/v2/cases/{case_id}", summary="Get the details of a case")
async def get_case(case_id: CaseId, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_get, actor, case_id))
