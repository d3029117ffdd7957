"""/api/v1/projects/{ref}/statuses and /transitions: a project's statuses, each named in paths by its id or its
name (any case), and the moves allowed between them. Anyone in the workspace reads them; admins and managers
change them. Labels come in the caller's language (Accept-Language)."""

from typing import Annotated

from fastapi import Path, Response

from casework import problems
from casework.cases import configuration
from casework.http import DB, CurrentActor, JSONResponse, Language, NativeRouter, ProjectRef
from casework.workflow.statuses import service
from casework.workflow.statuses.schemas import (
    StatusCreate,
    StatusRead,
    StatusUpdate,
    TransitionsRead,
    TransitionsUpdate,
    status_view,
    transitions_view,
)

router = NativeRouter(prefix="/projects/{ref}", tags=["workflow"])
StatusRef = Annotated[str, Path(description="The status: its id (a UUID) or its name, in any case.")]


@router.get("/statuses", response_model=list[StatusRead])
async def list_statuses(ref: ProjectRef, actor: CurrentActor, db: DB, language: Language) -> Response:
    """The project's statuses by position."""
    statuses = await db.read(service.list_statuses, actor, ref)
    return JSONResponse([status_view(s, language) for s in statuses])


@router.post("/statuses", status_code=201, response_model=StatusRead, responses=problems.refusals(409))
async def create_status(
    ref: ProjectRef, body: StatusCreate, actor: CurrentActor, db: DB, language: Language
) -> Response:
    """Add a status. Its name is unique in the project whatever its case; the closed group holds exactly the
    resolved and closed categories. `is_default: true` makes it its group's default in place of the former one."""
    return JSONResponse(status_view(await db.write(service.create_status, actor, ref, body), language), 201)


@router.get("/statuses/{status_ref}", response_model=StatusRead)
async def get_status(
    ref: ProjectRef, status_ref: StatusRef, actor: CurrentActor, db: DB, language: Language
) -> Response:
    """One status of the project, its label in the caller's language."""
    return JSONResponse(status_view(await db.read(service.get_status, actor, ref, status_ref), language))


@router.patch("/statuses/{status_ref}", response_model=StatusRead, responses=problems.refusals(409))
async def update_status(
    ref: ProjectRef, status_ref: StatusRef, body: StatusUpdate, actor: CurrentActor, db: DB, language: Language
) -> Response:
    """Change the fields present. A group's default stays one until another status becomes it; a status some case
    holds keeps its group and category (409 saying how many cases hold it)."""
    status = await db.write(configuration.update_status, actor, ref, status_ref, body)
    return JSONResponse(status_view(status, language))


@router.delete("/statuses/{status_ref}", status_code=204, responses=problems.refusals(409))
async def delete_status(ref: ProjectRef, status_ref: StatusRef, actor: CurrentActor, db: DB) -> Response:
    """Delete a status that is no group's default and that no case holds (409 otherwise), with its transitions."""
    await db.write(configuration.delete_status, actor, ref, status_ref)
    return Response(status_code=204)


@router.get("/transitions", response_model=TransitionsRead)
async def get_transitions(ref: ProjectRef, actor: CurrentActor, db: DB) -> Response:
    """The moves allowed between statuses; they apply only while the project's `restrict_transitions` is true."""
    return JSONResponse(transitions_view(*await db.read(service.get_transitions, actor, ref)))


@router.put("/transitions", response_model=TransitionsRead)
async def set_transitions(ref: ProjectRef, body: TransitionsUpdate, actor: CurrentActor, db: DB) -> Response:
    """Replace every allowed move: `{"transitions": [{"from": ..., "to": ...}]}`, each status by id, name or
    group (its default status)."""
    return JSONResponse(transitions_view(*await db.write(service.set_transitions, actor, ref, body)))
