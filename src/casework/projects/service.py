"""Workspaces and projects: the containers cases live in."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.db.base import new_id, utcnow
from casework.errors import Conflict, InvalidInput, NotFound
from casework.i18n import _
from casework.projects import numbering
from casework.projects.lookup import resolve_project
from casework.projects.models import Project, Workspace
from casework.projects.schemas import WORKFLOW_SETTINGS, ProjectCreate, ProjectUpdate
from casework.vendor_settings import service as vendor_settings
from casework.workflow.case_types import service as case_types
from casework.workflow.slas import service as slas
from casework.workflow.statuses import service as statuses


def create_workspace(session: Session, name: str) -> Workspace:
    """A workspace with its built-in STANDARD case type, which every project sees."""
    workspace = Workspace(name=name)
    session.add(workspace)
    session.flush()
    case_types.seed_workspace(session, workspace.id)
    numbering.create_workspace_sequence(session, workspace.id)
    return workspace


def sole_workspace_id(session: Session) -> uuid.UUID | None:
    """The id of the database's workspace, if it holds exactly one (the CLI acts in it)."""
    workspaces = session.scalars(select(Workspace.id).limit(2)).all()
    return workspaces[0] if len(workspaces) == 1 else None


@dataclass(frozen=True)
class WorkspaceRecord:
    id: uuid.UUID
    name: str
    created_at: datetime


def list_workspaces(session: Session) -> list[WorkspaceRecord]:
    """Every workspace of the database, oldest first: for the local operator (the CLI), never over HTTP."""
    rows = session.execute(select(Workspace.id, Workspace.name, Workspace.created_at).order_by(Workspace.created_at))
    return [WorkspaceRecord(*row) for row in rows]


def find_workspace_id(session: Session, ref: str) -> uuid.UUID:
    """A workspace by id, or by name when exactly one workspace has that name."""
    try:
        query = select(Workspace.id).where(Workspace.id == uuid.UUID(ref))
    except ValueError:
        query = select(Workspace.id).where(Workspace.name == ref).limit(2)
    found = session.scalars(query).all()
    if not found:
        raise NotFound("workspace", ref)
    if len(found) > 1:
        raise InvalidInput.field("workspace", _("several workspaces are named {name}: give its id", name=ref))
    return found[0]


def add_project(session: Session, workspace_id: uuid.UUID, data: ProjectCreate) -> Project:
    taken = session.scalar(select(Project.id).where(Project.workspace_id == workspace_id, Project.key == data.key))
    if taken is not None:
        raise Conflict(_("a project with the key {key} already exists", key=data.key))
    # Ids are unique across workspaces: a given id taken anywhere is refused alike.
    if data.id is not None and session.get(Project, data.id) is not None:
        raise Conflict(_("the id {id} is already taken", id=str(data.id)))
    project = Project(
        id=data.id or new_id(), workspace_id=workspace_id, key=data.key, name=data.name, description=data.description
    )
    session.add(project)
    session.flush()
    numbering.create_project_sequence(session, project.id)
    statuses.seed_project(session, project)
    return project


def create_project(session: Session, actor: Actor, data: ProjectCreate) -> Project:
    actor.require_admin()
    return add_project(session, actor.workspace_id, data)


def list_projects(session: Session, actor: Actor) -> list[Project]:
    actor.require_case_read()
    query = select(Project).where(Project.workspace_id == actor.workspace_id).order_by(Project.created_at, Project.id)
    return list(session.scalars(query))


def get_project(session: Session, actor: Actor, ref: str) -> Project:
    actor.require_case_read()
    return resolve_project(session, actor.workspace_id, ref)


def change_project(session: Session, actor: Actor, ref: str, data: ProjectUpdate) -> tuple[Project, bool]:
    """Admins change anything; managers only the workflow settings. Returns the project and whether its SLA warning
    share moved, which the clocks of its open cases must follow in the same transaction: entry points call
    casework.cases.configuration.update_project, which does both."""
    changes = data.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    actor.require_case_admin()
    if changes.keys() - WORKFLOW_SETTINGS:
        actor.require_admin()
    project = resolve_project(session, actor.workspace_id, ref, for_update=True)
    warning_moves = changes.get("sla_warning_percent", project.sla_warning_percent) != project.sla_warning_percent
    for field, value in changes.items():
        setattr(project, field, value)
    project.updated_at = utcnow()
    return project, warning_moves


def delete_project(session: Session, actor: Actor, ref: str) -> None:
    actor.require_admin()
    project = resolve_project(session, actor.workspace_id, ref)
    # Its cases hold foreign keys to it and to its statuses: while one is left, the deletes below are refused.
    try:
        with session.begin_nested():
            _delete_configuration(session, project)
            session.delete(project)
    except IntegrityError:
        raise Conflict(_("the project still has cases; only an empty project can be deleted")) from None
    numbering.drop_project_sequence(session, project.id)


def _delete_configuration(session: Session, project: Project) -> None:
    """Each configuration package deletes its own rows of the project."""
    statuses.delete_for_project(session, project.id)
    case_types.delete_for_project(session, project.id)
    slas.delete_for_project(session, project.id)
    vendor_settings.delete_scope(session, project.workspace_id, vendor_settings.project_scope(project.id))
