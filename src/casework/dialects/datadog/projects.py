"""Datadog's projects: `/api/v2/cases/projects` and `/api/v2/cases/projects/{project_id}` (create, list, get, rename,
delete), over casework's projects. A Datadog project is a casework project: same id, key and name. What Datadog's
projects have beyond those (teams, settings, columns) is not kept; `restricted` is false and
`enabled_custom_case_types` empty."""

from typing import Any

from fastapi import Response
from pydantic import Field
from sqlalchemy.orm import Session

from casework.auth.schemas import Name
from casework.auth.service import Actor
from casework.cases import configuration
from casework.dialects.datadog.inputs import DatadogInput, ProjectId, ProjectResourceType
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import PROJECT_TYPE
from casework.dialects.dialect import DialectActor
from casework.http import DB, JSONResponse
from casework.projects import service
from casework.projects.models import Project
from casework.projects.schemas import ProjectCreate, ProjectKey, ProjectUpdate

router = datadog_router()


def project_data(project: Project) -> dict[str, Any]:
    return {
        "id": str(project.id),
        "type": PROJECT_TYPE,
        "attributes": {"key": project.key, "name": project.name, "restricted": False, "enabled_custom_case_types": []},
    }


class ProjectCreateAttributes(DatadogInput):
    key: ProjectKey = Field(description="Upper-case letters and digits, 2 to 10, starting with a letter.")
    name: Name


class ProjectCreateData(DatadogInput):
    type: ProjectResourceType
    attributes: ProjectCreateAttributes


class ProjectCreateRequest(DatadogInput):
    data: ProjectCreateData


class ProjectUpdateAttributes(DatadogInput):
    name: Name | None = None


class ProjectUpdateData(DatadogInput):
    type: ProjectResourceType
    attributes: ProjectUpdateAttributes


class ProjectUpdateRequest(DatadogInput):
    data: ProjectUpdateData


def _create(session: Session, actor: Actor, body: ProjectCreateRequest) -> dict[str, Any]:
    attributes = body.data.attributes
    project = service.create_project(session, actor, ProjectCreate(key=attributes.key, name=attributes.name))
    return {"data": project_data(project)}


def _list(session: Session, actor: Actor) -> dict[str, Any]:
    return {"data": [project_data(project) for project in service.list_projects(session, actor)]}


def _get(session: Session, actor: Actor, project_id: str) -> dict[str, Any]:
    return {"data": project_data(service.get_project(session, actor, project_id))}


def _update(session: Session, actor: Actor, project_id: str, body: ProjectUpdateRequest) -> dict[str, Any]:
    changes = ProjectUpdate.model_validate(body.data.attributes.model_dump(exclude_none=True))
    return {"data": project_data(configuration.update_project(session, actor, project_id, changes))}


@router.post("/api/v2/cases/projects", summary="Create a project", status_code=201)
async def create_project(body: ProjectCreateRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body), 201)


@router.get("/api/v2/cases/projects", summary="Get all projects")
async def get_projects(actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_list, actor))


@router.get("/api/v2/cases/projects/{project_id}", summary="Get the details of a project")
async def get_project(project_id: ProjectId, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_get, actor, str(project_id)))


@router.patch("/api/v2/cases/projects/{project_id}", summary="Update a project")
async def update_project(project_id: ProjectId, body: ProjectUpdateRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_update, actor, str(project_id), body))


@router.delete("/api/v2/cases/projects/{project_id}", summary="Remove a project", status_code=204)
async def delete_project(project_id: ProjectId, actor: DialectActor, db: DB) -> Response:
    await db.write(service.delete_project, actor, str(project_id))
    return Response(status_code=204)
