"""Workspaces and projects: the containers cases live in."""

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import numbering
from casework.cases.models import Case
from casework.db.base import utcnow
from casework.errors import Conflict, NotFound
from casework.projects.models import Project, Workspace
from casework.projects.schemas import ProjectCreate, ProjectUpdate


def create_workspace(session: Session, name: str) -> Workspace:
    workspace = Workspace(name=name)
    session.add(workspace)
    session.flush()
    numbering.create_workspace_sequence(session, workspace.id)
    return workspace


def add_project(session: Session, workspace_id: uuid.UUID, data: ProjectCreate) -> Project:
    taken = session.scalar(select(Project.id).where(Project.workspace_id == workspace_id, Project.key == data.key))
    if taken is not None:
        raise Conflict(f"a project with the key {data.key} already exists")
    project = Project(workspace_id=workspace_id, key=data.key, name=data.name, description=data.description)
    session.add(project)
    session.flush()
    numbering.create_project_sequence(session, project.id)
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


def resolve_project(session: Session, workspace_id: uuid.UUID, ref: str) -> Project:
    """A project by id or by key."""
    if "\x00" in ref:
        raise NotFound("project", ref)
    query = select(Project).where(Project.workspace_id == workspace_id)
    try:
        query = query.where(Project.id == uuid.UUID(ref))
    except ValueError:
        query = query.where(Project.key == ref.upper())
    project = session.scalar(query)
    if project is None:
        raise NotFound("project", ref)
    return project


def default_project(session: Session, workspace_id: uuid.UUID) -> Project:
    """The workspace's first project takes cases created without one."""
    query = select(Project).where(Project.workspace_id == workspace_id).order_by(Project.created_at, Project.id)
    project = session.scalar(query.limit(1))
    if project is None:
        raise Conflict("the workspace has no project; create one first")
    return project


def update_project(session: Session, actor: Actor, ref: str, data: ProjectUpdate) -> Project:
    actor.require_admin()
    project = resolve_project(session, actor.workspace_id, ref)
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(project, field, value)
    project.updated_at = utcnow()
    return project


def delete_project(session: Session, actor: Actor, ref: str) -> None:
    actor.require_admin()
    project = resolve_project(session, actor.workspace_id, ref)
    if session.scalar(select(exists().where(Case.project_id == project.id))):
        raise Conflict("the project still has cases; only an empty project can be deleted")
    session.delete(project)
    numbering.drop_project_sequence(session, project.id)
