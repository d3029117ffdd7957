"""Datadog's projects: `/api/v2/cases/projects` and `/api/v2/cases/projects/{project_id}` (create, list, get, rename,
delete), over casework's projects. A Datadog project is a casework project: same id, key and name. What Datadog's
projects carry beyond those (`team_uuid`, `enabled_custom_case_types`, `columns_config`, `settings`) is kept as the
workspace's Datadog document of the project (casework.vendor_settings, scope `project:<id>`), changed key by key by
an update and deleted with the project. The team shows as the project's `member_team` relationship, the only place
Datadog's Project shows one; `restricted` is false."""

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Response
from pydantic import Field, StringConstraints
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
from casework.vendor_settings import service as vendor_settings

router = datadog_router()

VENDOR = "datadog"
TEAM_LINK_TYPE = "team_links"
# The project attributes kept in the Datadog document, as the client names them.
KEPT = ("team_uuid", "enabled_custom_case_types", "columns_config", "settings")
MAX_COLUMNS = 100
MAX_CASE_TYPES = 100
Text = Annotated[str, StringConstraints(max_length=1000)]


def project_data(project: Project, kept: Mapping[str, Any] | None = None) -> dict[str, Any]:
    kept = kept or {}
    attributes = {
        "key": project.key,
        "name": project.name,
        "restricted": False,
        "enabled_custom_case_types": kept.get("enabled_custom_case_types", []),
        "columns_config": kept.get("columns_config", {"columns": []}),
        "settings": kept.get("settings", {}),
    }
    data: dict[str, Any] = {"id": str(project.id), "type": PROJECT_TYPE, "attributes": attributes}
    if kept.get("team_uuid") is not None:
        data["relationships"] = {"member_team": {"data": [{"id": kept["team_uuid"], "type": TEAM_LINK_TYPE}]}}
    return data


class ColumnSort(DatadogInput):
    ascending: bool | None = None
    priority: int | None = None


class Column(DatadogInput):
    sort: ColumnSort | None = None
    sort_field: Text | None = None
    type: Text | None = None


class ColumnsConfig(DatadogInput):
    columns: Annotated[list[Column], Field(max_length=MAX_COLUMNS)] = []


class AutoCloseInactiveCases(DatadogInput):
    enabled: bool | None = None
    max_inactive_time_in_secs: int | None = None


class AutoTransitionAssignedCases(DatadogInput):
    auto_transition_assigned_cases_on_self_assigned: bool | None = None


class IntegrationMonitor(DatadogInput):
    auto_resolve_enabled: bool | None = None
    case_type_id: Text | None = None
    enabled: bool | None = None
    handle: Text | None = None


class NotificationSettings(DatadogInput):
    destinations: Annotated[list[int], Field(max_length=100)] | None = None
    enabled: bool | None = None
    notify_on_case_assignment: bool | None = None
    notify_on_case_closed: bool | None = None
    notify_on_case_comment: bool | None = None
    notify_on_case_comment_mention: bool | None = None
    notify_on_case_priority_change: bool | None = None
    notify_on_case_status_change: bool | None = None
    notify_on_case_unassignment: bool | None = None


class ProjectSettings(DatadogInput):
    """Datadog's project settings; the integrations' own (Jira, ServiceNow, incidents, On-Call) are kept as given."""

    auto_close_inactive_cases: AutoCloseInactiveCases | None = None
    auto_transition_assigned_cases: AutoTransitionAssignedCases | None = None
    integration_incident: dict[str, Any] | None = None
    integration_jira: dict[str, Any] | None = None
    integration_monitor: IntegrationMonitor | None = None
    integration_on_call: dict[str, Any] | None = None
    integration_service_now: dict[str, Any] | None = None
    notification: NotificationSettings | None = None


CaseTypeIds = Annotated[list[uuid.UUID], Field(max_length=MAX_CASE_TYPES)]


class ProjectCreateAttributes(DatadogInput):
    key: ProjectKey = Field(description="Upper-case letters and digits, 2 to 10, starting with a letter.")
    name: Name
    team_uuid: uuid.UUID | None = None
    enabled_custom_case_types: CaseTypeIds | None = None


class ProjectCreateData(DatadogInput):
    type: ProjectResourceType
    attributes: ProjectCreateAttributes


class ProjectCreateRequest(DatadogInput):
    data: ProjectCreateData


class ProjectUpdateAttributes(DatadogInput):
    name: Name | None = None
    team_uuid: uuid.UUID | None = None
    enabled_custom_case_types: CaseTypeIds | None = None
    columns_config: ColumnsConfig | None = None
    settings: ProjectSettings | None = None


class ProjectUpdateData(DatadogInput):
    type: ProjectResourceType
    attributes: ProjectUpdateAttributes


class ProjectUpdateRequest(DatadogInput):
    data: ProjectUpdateData


def _kept(attributes: ProjectCreateAttributes | ProjectUpdateAttributes) -> dict[str, Any]:
    """What the body gives of the attributes the Datadog document keeps, as JSON."""
    return attributes.model_dump(mode="json", include=set(KEPT), exclude_none=True)


def _kept_of(session: Session, actor: Actor, projects: list[Project]) -> dict[str, dict[str, Any]]:
    """Each project's Datadog document, by scope, in one query."""
    scopes = [vendor_settings.project_scope(project.id) for project in projects]
    return {found.scope: found.data for found in vendor_settings.list_settings(session, actor, VENDOR, scopes)}


def _keep(session: Session, actor: Actor, project: Project, given: dict[str, Any]) -> dict[str, Any]:
    """The project's document with the keys `given` replaced; unchanged (and unwritten) without any."""
    scope = vendor_settings.project_scope(project.id)
    kept = _kept_of(session, actor, [project]).get(scope, {})
    if not given:
        return kept
    return vendor_settings.replace_setting(session, actor, VENDOR, scope, kept | given).data


def _create(session: Session, actor: Actor, body: ProjectCreateRequest) -> dict[str, Any]:
    attributes = body.data.attributes
    project = service.create_project(session, actor, ProjectCreate(key=attributes.key, name=attributes.name))
    return {"data": project_data(project, _keep(session, actor, project, _kept(attributes)))}


def _list(session: Session, actor: Actor) -> dict[str, Any]:
    projects = service.list_projects(session, actor)
    kept = _kept_of(session, actor, projects)
    return {"data": [project_data(p, kept.get(vendor_settings.project_scope(p.id))) for p in projects]}


def _get(session: Session, actor: Actor, project_id: str) -> dict[str, Any]:
    project = service.get_project(session, actor, project_id)
    kept = _kept_of(session, actor, [project])
    return {"data": project_data(project, kept.get(vendor_settings.project_scope(project.id)))}


def _update(session: Session, actor: Actor, project_id: str, body: ProjectUpdateRequest) -> dict[str, Any]:
    attributes = body.data.attributes
    changes = ProjectUpdate.model_validate(attributes.model_dump(include={"name"}, exclude_none=True))
    project = configuration.update_project(session, actor, project_id, changes)
    return {"data": project_data(project, _keep(session, actor, project, _kept(attributes)))}


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
