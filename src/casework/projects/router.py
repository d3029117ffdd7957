from fastapi import Response

from casework import problems
from casework.cases import configuration
from casework.http import DB, CurrentActor, JSONResponse, NativeRouter, ProjectRef
from casework.projects import service
from casework.projects.schemas import ProjectCreate, ProjectRead, ProjectUpdate

router = NativeRouter(prefix="/projects", tags=["projects"])


def _json(project: object, status: int = 200) -> JSONResponse:
    return JSONResponse(ProjectRead.model_validate(project).model_dump(mode="json"), status)


@router.get("", response_model=list[ProjectRead])
async def list_projects(actor: CurrentActor, db: DB) -> Response:
    """Every project of the workspace, oldest first."""
    projects = await db.read(service.list_projects, actor)
    return JSONResponse([ProjectRead.model_validate(p).model_dump(mode="json") for p in projects])


@router.post("", status_code=201, response_model=ProjectRead, responses=problems.refusals(409))
async def create_project(body: ProjectCreate, actor: CurrentActor, db: DB) -> Response:
    """Add a project with the built-in statuses (admins only). Its key prefixes its cases' keys and is unique in the
    workspace (409 when taken)."""
    return _json(await db.write(service.create_project, actor, body), 201)


@router.get("/{ref}", response_model=ProjectRead)
async def get_project(ref: ProjectRef, actor: CurrentActor, db: DB) -> Response:
    """One project and its settings."""
    return _json(await db.read(service.get_project, actor, ref))


@router.patch("/{ref}", response_model=ProjectRead)
async def update_project(ref: ProjectRef, body: ProjectUpdate, actor: CurrentActor, db: DB) -> Response:
    """Change the settings present in the body (admins only); absent ones stay."""
    return _json(await db.write(configuration.update_project, actor, ref, body))


@router.delete("/{ref}", status_code=204, responses=problems.refusals(409))
async def delete_project(ref: ProjectRef, actor: CurrentActor, db: DB) -> Response:
    """Delete a project that holds no case (409 otherwise), with its configuration (admins only)."""
    await db.write(service.delete_project, actor, ref)
    return Response(status_code=204)
