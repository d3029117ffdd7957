"""/api/v1/projects/{ref}/types: a project's case types, each named in paths by its id or its name (any case).
Anyone in the workspace reads them; admins and managers change them."""

from fastapi import APIRouter, Response

from casework.http import DB, CurrentActor, JSONResponse
from casework.workflow.case_types import service
from casework.workflow.case_types.schemas import CaseTypeCreate, CaseTypeRead, CaseTypeUpdate, case_type_view

router = APIRouter(prefix="/projects/{ref}/types", tags=["workflow"])


@router.get("", response_model=list[CaseTypeRead])
async def list_types(ref: str, actor: CurrentActor, db: DB) -> Response:
    """The project's types, the built-in STANDARD first, then by name; inactive ones too."""
    return JSONResponse([case_type_view(t) for t in await db.read(service.list_types, actor, ref)])


@router.post("", status_code=201, response_model=CaseTypeRead)
async def create_type(ref: str, body: CaseTypeCreate, actor: CurrentActor, db: DB) -> Response:
    """Add a type. Its name is unique in the project whatever its case; `prefill` sets what a new case of this
    type does not set itself."""
    return JSONResponse(case_type_view(await db.write(service.create_type, actor, ref, body)), 201)


@router.get("/{type_ref}", response_model=CaseTypeRead)
async def get_type(ref: str, type_ref: str, actor: CurrentActor, db: DB) -> Response:
    return JSONResponse(case_type_view(await db.read(service.get_type, actor, ref, type_ref)))


@router.patch("/{type_ref}", response_model=CaseTypeRead)
async def update_type(ref: str, type_ref: str, body: CaseTypeUpdate, actor: CurrentActor, db: DB) -> Response:
    """Change the fields present; `prefill` replaces the whole prefill. STANDARD is never renamed or deactivated,
    nor a type some case holds renamed (409)."""
    return JSONResponse(case_type_view(await db.write(service.update_type, actor, ref, type_ref, body)))


@router.delete("/{type_ref}", status_code=204)
async def delete_type(ref: str, type_ref: str, actor: CurrentActor, db: DB) -> Response:
    """Delete a type no case holds (409 otherwise: deactivate it instead). STANDARD is never deleted."""
    await db.write(service.delete_type, actor, ref, type_ref)
    return Response(status_code=204)
