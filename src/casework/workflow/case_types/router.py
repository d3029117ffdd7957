"""Case types. /api/v1/projects/{ref}/types: the types a project sees (its own and the workspace's), each named by
its id or its name (any case); new ones there belong to the project. /api/v1/types: the workspace-level types, and
any type of the workspace by its id. Anyone in the workspace reads them; admins and managers change them."""

from typing import Annotated

from fastapi import Path, Query, Response

from casework import problems
from casework.cases import configuration
from casework.http import DB, CurrentActor, JSONResponse, NativeRouter, ProjectRef
from casework.workflow.case_types import service
from casework.workflow.case_types.schemas import CaseTypeCreate, CaseTypeRead, CaseTypeUpdate, case_type_view

router = NativeRouter(prefix="/projects/{ref}/types", tags=["workflow"])
workspace_router = NativeRouter(prefix="/types", tags=["workflow"])
TypeRef = Annotated[str, Path(description="The case type: its id (a UUID) or its name, in any case.")]
IncludeDeleted = Annotated[bool, Query(description="Add the deleted types, which no case may newly take.")]


@router.get("", response_model=list[CaseTypeRead])
async def list_types(ref: ProjectRef, actor: CurrentActor, db: DB, include_deleted: IncludeDeleted = False) -> Response:
    """The project's and the workspace's types, the built-in STANDARD first, then by name; inactive ones too, and
    deleted ones with `include_deleted=true`."""
    return JSONResponse([case_type_view(t) for t in await db.read(service.list_types, actor, ref, include_deleted)])


@router.post("", status_code=201, response_model=CaseTypeRead, responses=problems.refusals(409))
async def create_type(ref: ProjectRef, body: CaseTypeCreate, actor: CurrentActor, db: DB) -> Response:
    """Add a type to the project. Its name is unique among the types the project sees whatever its case; `prefill`
    sets what a new case of this type does not set itself; admins may give its `id`."""
    return JSONResponse(case_type_view(await db.write(service.create_type, actor, ref, body)), 201)


@router.get("/{type_ref}", response_model=CaseTypeRead)
async def get_type(ref: ProjectRef, type_ref: TypeRef, actor: CurrentActor, db: DB) -> Response:
    """One type the project sees."""
    return JSONResponse(case_type_view(await db.read(service.get_type, actor, ref, type_ref)))


@router.patch("/{type_ref}", response_model=CaseTypeRead, responses=problems.refusals(409))
async def update_type(
    ref: ProjectRef, type_ref: TypeRef, body: CaseTypeUpdate, actor: CurrentActor, db: DB
) -> Response:
    """Change the fields present; `prefill` replaces the whole prefill. STANDARD is never renamed or deactivated,
    nor a type some case holds renamed, nor a deleted type changed (409)."""
    return JSONResponse(case_type_view(await db.write(configuration.update_type, actor, ref, type_ref, body)))


@router.delete("/{type_ref}", status_code=204, responses=problems.refusals(409))
async def delete_type(ref: ProjectRef, type_ref: TypeRef, actor: CurrentActor, db: DB) -> Response:
    """Delete a type (soft: the cases holding it keep it; no case may newly take it). STANDARD is never deleted
    (409)."""
    await db.write(service.delete_type, actor, ref, type_ref)
    return Response(status_code=204)


@workspace_router.get("", response_model=list[CaseTypeRead])
async def list_workspace_types(actor: CurrentActor, db: DB, include_deleted: IncludeDeleted = False) -> Response:
    """The workspace-level types, STANDARD first, then by name; deleted ones with `include_deleted=true`."""
    types = await db.read(service.list_workspace_types, actor, include_deleted)
    return JSONResponse([case_type_view(t) for t in types])


@workspace_router.post("", status_code=201, response_model=CaseTypeRead, responses=problems.refusals(409))
async def create_workspace_type(body: CaseTypeCreate, actor: CurrentActor, db: DB) -> Response:
    """Add a type every project sees; its name is unique in the workspace whatever its case."""
    return JSONResponse(case_type_view(await db.write(service.create_workspace_type, actor, body)), 201)


@workspace_router.get("/{type_ref}", response_model=CaseTypeRead)
async def get_workspace_type(type_ref: TypeRef, actor: CurrentActor, db: DB) -> Response:
    """One type of the workspace, by its id, or by its name among the workspace-level types."""
    return JSONResponse(case_type_view(await db.read(service.get_workspace_type, actor, type_ref)))


@workspace_router.patch("/{type_ref}", response_model=CaseTypeRead, responses=problems.refusals(409))
async def update_workspace_type(type_ref: TypeRef, body: CaseTypeUpdate, actor: CurrentActor, db: DB) -> Response:
    """Change the fields present, as for a project's type (409 for STANDARD, a held type's name, a deleted type)."""
    return JSONResponse(case_type_view(await db.write(configuration.update_workspace_type, actor, type_ref, body)))


@workspace_router.delete("/{type_ref}", status_code=204, responses=problems.refusals(409))
async def delete_workspace_type(type_ref: TypeRef, actor: CurrentActor, db: DB) -> Response:
    """Delete a type (soft: the cases holding it keep it). STANDARD is never deleted (409)."""
    await db.write(service.delete_workspace_type, actor, type_ref)
    return Response(status_code=204)
