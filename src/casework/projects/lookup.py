"""Finding a workspace's projects, for every package that takes a project by reference."""

import uuid

from sqlalchemy import Uuid, bindparam, select
from sqlalchemy.orm import Session

from casework.db.handles import ref_condition
from casework.errors import Conflict, NotFound
from casework.i18n import _
from casework.projects.configuration import cached
from casework.projects.models import Project


def project_key_taken(session: Session, workspace_id: uuid.UUID, key: str) -> bool:
    return (
        session.scalar(select(Project.id).where(Project.workspace_id == workspace_id, Project.key == key)) is not None
    )


def resolve_project(session: Session, workspace_id: uuid.UUID, ref: str, for_update: bool = False) -> Project:
    """A project by id, handle or key (keys start with a letter, so a handle never reads as one); `for_update` locks
    its row, so that writers of its configuration take turns."""
    if "\x00" in ref:
        raise NotFound("project", ref)
    query = select(Project).where(Project.workspace_id == workspace_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    named = ref_condition(Project, ref)
    query = query.where(named if named is not None else Project.key == ref.upper())
    project = session.scalar(query)
    if project is None:
        raise NotFound("project", ref)
    return project


def default_project(session: Session, workspace_id: uuid.UUID) -> Project:
    """The workspace's first project takes cases created without one."""
    found = cached(
        session,
        (_DEFAULT_PROJECT, workspace_id),
        lambda: session.scalars(_DEFAULT_PROJECT, {"workspace_id": workspace_id}).all(),
    )
    if not found:
        raise Conflict(_("the workspace has no project; create one first"))
    return found[0]


# Built once: a statement's cache key is worked out again for every new statement object (every case created without
# a project reads it).
_DEFAULT_PROJECT = (
    select(Project)
    .where(Project.workspace_id == bindparam("workspace_id", type_=Uuid()))
    .order_by(Project.created_at, Project.id)
    .limit(1)
)
