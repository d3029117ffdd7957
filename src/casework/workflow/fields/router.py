"""/api/v1/projects/{ref}/fields: a project's custom field definitions (admin or manager write, any reader reads),
and the bulk set of one field on up to 100 cases with a result per case. /api/v1/types/{type}/fields: a case type's
(the type by id, or a workspace-level one by name); every case of the type sees them beside its project's."""

from typing import Any

from fastapi import APIRouter, Request, Response

from casework.cases.schemas import BulkResponse, case_view
from casework.cases.service import BulkOutcome
from casework.http import DB, CurrentActor, JSONResponse, Language
from casework.problems import item_problem
from casework.workflow.fields import bulk, service
from casework.workflow.fields.schemas import FieldBulkSet, FieldCreate, FieldList, FieldRead, FieldUpdate, field_view

router = APIRouter(prefix="/projects/{ref}/fields", tags=["fields"])
type_router = APIRouter(prefix="/types/{type_ref}/fields", tags=["fields"])


@router.get("", response_model=FieldList)
async def list_fields(ref: str, actor: CurrentActor, db: DB) -> Response:
    """Every field of the project, inactive ones too, by position."""
    fields = await db.read(service.list_fields, actor, ref)
    return JSONResponse({"items": [field_view(f) for f in fields]})


@router.post("", status_code=201, response_model=FieldRead)
async def create_field(request: Request, ref: str, body: FieldCreate, actor: CurrentActor, db: DB) -> Response:
    """Define a field. At most 200 per project; the key is unique in the project."""
    field = await db.write(service.create_field, actor, ref, body)
    location = str(request.url_for("get_field", ref=ref, key=field.key))
    return JSONResponse(field_view(field), 201, headers={"Location": location})


@router.get("/{key}", response_model=FieldRead)
async def get_field(ref: str, key: str, actor: CurrentActor, db: DB) -> Response:
    return JSONResponse(field_view(await db.read(service.get_field, actor, ref, key)))


@router.patch("/{key}", response_model=FieldRead)
async def update_field(ref: str, key: str, body: FieldUpdate, actor: CurrentActor, db: DB) -> Response:
    return JSONResponse(field_view(await db.write(service.update_field, actor, ref, key, body)))


@router.delete("/{key}", status_code=204)
async def delete_field(ref: str, key: str, actor: CurrentActor, db: DB) -> Response:
    """Only a field no case holds a value of (409 otherwise: deactivate it instead)."""
    await db.write(service.delete_field, actor, ref, key)
    return Response(status_code=204)


@router.post("/{key}/bulk", response_model=BulkResponse)
async def bulk_set(
    ref: str, key: str, body: FieldBulkSet, actor: CurrentActor, db: DB, language: Language
) -> Response:
    """Set the field on each case (null clears it): one result per case, in order, with its status."""
    outcomes = await db.write(bulk.bulk_set, actor, ref, key, body.value, body.cases)
    return JSONResponse({"results": [_result(outcome, language) for outcome in outcomes]})


def _result(outcome: BulkOutcome, language: str) -> dict[str, Any]:
    if outcome.case is not None:
        return {"id": outcome.ref, "status": 200, "case": case_view(outcome.case)}
    assert outcome.error is not None
    status, problem = item_problem(outcome.error, language)
    return {"id": outcome.ref, "status": status, "error": problem}


@type_router.get("", response_model=FieldList)
async def list_type_fields(type_ref: str, actor: CurrentActor, db: DB) -> Response:
    """Every field of the case type, inactive ones too, by position."""
    type_id, fields = await db.read(service.list_type_fields, actor, type_ref)
    return JSONResponse({"items": [field_view(f, type_id) for f in fields]})


@type_router.post("", status_code=201, response_model=FieldRead)
async def create_type_field(
    request: Request, type_ref: str, body: FieldCreate, actor: CurrentActor, db: DB
) -> Response:
    """Define a field of the type. At most 200 per type; no field its cases already see may have the key."""
    type_id, field = await db.write(service.create_type_field, actor, type_ref, body)
    location = str(request.url_for("get_type_field", type_ref=type_ref, key=field.key))
    return JSONResponse(field_view(field, type_id), 201, headers={"Location": location})


@type_router.get("/{key}", response_model=FieldRead)
async def get_type_field(type_ref: str, key: str, actor: CurrentActor, db: DB) -> Response:
    type_id, field = await db.read(service.get_type_field, actor, type_ref, key)
    return JSONResponse(field_view(field, type_id))


@type_router.patch("/{key}", response_model=FieldRead)
async def update_type_field(type_ref: str, key: str, body: FieldUpdate, actor: CurrentActor, db: DB) -> Response:
    type_id, field = await db.write(service.update_type_field, actor, type_ref, key, body)
    return JSONResponse(field_view(field, type_id))


@type_router.delete("/{key}", status_code=204)
async def delete_type_field(type_ref: str, key: str, actor: CurrentActor, db: DB) -> Response:
    """Only a field no case holds a value of (409 otherwise: deactivate it instead)."""
    await db.write(service.delete_type_field, actor, type_ref, key)
    return Response(status_code=204)


@type_router.post("/{key}/bulk", response_model=BulkResponse)
async def bulk_set_for_type(
    type_ref: str, key: str, body: FieldBulkSet, actor: CurrentActor, db: DB, language: Language
) -> Response:
    """Set the type's field on each case of the type (null clears it): one result per case, in order."""
    outcomes = await db.write(bulk.bulk_set_for_type, actor, type_ref, key, body.value, body.cases)
    return JSONResponse({"results": [_result(outcome, language) for outcome in outcomes]})
