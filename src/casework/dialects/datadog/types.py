"""Case types (CaseManagementTypeApi): `GET|POST /api/v2/cases/types`, `PUT|DELETE /api/v2/cases/types/{case_type_id}`.
They are the workspace's types, which every project sees; the built-in STANDARD is
`00000000-0000-0000-0000-000000000001`, never renamed nor deleted. A deleted type is kept for the cases holding it
(its `deleted_at` set) and no longer listed. A type id is a UUID, else 400; errors are `{"errors": ["<message>"]}`."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import AfterValidator, Field
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import configuration
from casework.dialects.datadog.inputs import DatadogInput
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import timestamp
from casework.dialects.dialect import DialectActor
from casework.http import DB, JSONResponse
from casework.i18n import _
from casework.workflow.case_types import service
from casework.workflow.case_types.models import CaseType
from casework.workflow.case_types.schemas import CaseTypeCreate, CaseTypeUpdate, Emoji, TypeDescription, TypeName

router = datadog_router()

CASE_TYPE = "case_type"
CaseTypeId = Annotated[uuid.UUID, Path(description="The case type's UUID.")]


def _emoji(value: str) -> str:
    """Datadog takes an emoji, not a word: no ASCII character (letters, digits, punctuation) in it."""
    if any(ord(character) < 0x80 for character in value):
        raise ValueError(_("must be an emoji"))
    return value


class CaseTypeAttributes(DatadogInput):
    name: TypeName
    description: TypeDescription | None = None
    emoji: Annotated[Emoji, AfterValidator(_emoji)] | None = None


class CaseTypeCreateData(DatadogInput):
    type: Literal["case_type"]
    attributes: CaseTypeAttributes


class CaseTypeCreateRequest(DatadogInput):
    data: CaseTypeCreateData


class CaseTypeUpdateData(DatadogInput):
    type: Literal["case_type"]
    attributes: CaseTypeAttributes | None = Field(default=None, description="The name is required when given.")


class CaseTypeUpdateRequest(DatadogInput):
    data: CaseTypeUpdateData


def case_type_data(case_type: CaseType) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": case_type.name,
        "description": case_type.description,
        "deleted_at": timestamp(case_type.deleted_at),
    }
    # The client's emoji is a string, never null: a type without one shows none.
    if case_type.emoji is not None:
        attributes["emoji"] = case_type.emoji
    return {"id": str(case_type.public_id), "type": CASE_TYPE, "attributes": attributes}


def _list(session: Session, actor: Actor) -> dict[str, Any]:
    return {"data": [case_type_data(t) for t in service.list_workspace_types(session, actor)]}


def _create(session: Session, actor: Actor, body: CaseTypeCreateRequest) -> dict[str, Any]:
    given = body.data.attributes.model_dump(exclude_none=True)
    return {"data": case_type_data(service.create_workspace_type(session, actor, CaseTypeCreate(**given)))}


def _update(session: Session, actor: Actor, type_id: uuid.UUID, body: CaseTypeUpdateRequest) -> dict[str, Any]:
    attributes = body.data.attributes
    given = {} if attributes is None else attributes.model_dump(exclude_unset=True)
    changed = configuration.update_workspace_type(session, actor, str(type_id), CaseTypeUpdate(**given))
    return {"data": case_type_data(changed)}


@router.get("/api/v2/cases/types", summary="Get all case types")
async def get_all_case_types(actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_list, actor))


@router.post("/api/v2/cases/types", summary="Create a case type", status_code=201)
async def create_case_type(body: CaseTypeCreateRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body), 201)


@router.put("/api/v2/cases/types/{case_type_id}", summary="Update a case type")
async def update_case_type(
    case_type_id: CaseTypeId, body: CaseTypeUpdateRequest, actor: DialectActor, db: DB
) -> Response:
    return JSONResponse(await db.write(_update, actor, case_type_id, body))


@router.delete("/api/v2/cases/types/{case_type_id}", summary="Delete a case type", status_code=204)
async def delete_case_type(case_type_id: CaseTypeId, actor: DialectActor, db: DB) -> Response:
    await db.write(service.delete_workspace_type, actor, str(case_type_id))
    return Response(status_code=204)
