"""Finding case types: the queries case types and custom fields share (fields are scoped to types, and the type
service checks prefills against fields, so neither service may import the other for this).

A project sees its own types and the workspace-level ones (project NULL). A type is named by its id (the built-in
STANDARD also by STANDARD_ID, resolved per workspace) or by its name, matched without regard to case.
"""

import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from casework.workflow.case_types.models import STANDARD_ID, CaseType


def visible_to(project_id: uuid.UUID) -> ColumnElement[bool]:
    """The types a project sees (add the workspace condition beside it)."""
    return or_(CaseType.project_id == project_id, CaseType.project_id.is_(None))


def types_of(workspace_id: uuid.UUID, project_id: uuid.UUID | None) -> Select[CaseType]:
    """A project's visible types, or (project None) the workspace-level ones."""
    query = select(CaseType).where(CaseType.workspace_id == workspace_id)
    if project_id is None:
        return query.where(CaseType.project_id.is_(None))
    return query.where(visible_to(project_id))


def find(
    session: Session, workspace_id: uuid.UUID, project_id: uuid.UUID | None, ref: str, by_id_anywhere: bool = False
) -> CaseType | None:
    """A type by id or by name among a project's visible types (or the workspace-level ones); `by_id_anywhere`
    also finds any type of the workspace by its id."""
    if "\x00" in ref:
        return None
    try:
        type_id = uuid.UUID(ref)
    except ValueError:
        return named(session, workspace_id, project_id, ref)
    if type_id == STANDARD_ID:
        return session.scalar(select(CaseType).where(CaseType.workspace_id == workspace_id, CaseType.builtin.is_(True)))
    query = select(CaseType).where(CaseType.workspace_id == workspace_id, CaseType.id == type_id)
    if not by_id_anywhere:
        query = types_of(workspace_id, project_id).where(CaseType.id == type_id)
    return session.scalar(query)


def named(session: Session, workspace_id: uuid.UUID, project_id: uuid.UUID | None, name: str) -> CaseType | None:
    """The type of that name among the visible ones, deleted or not (names stay taken once deleted)."""
    query = types_of(workspace_id, project_id)
    # The exact name first: the common case, served by the name indexes.
    found = session.scalars(query.where(CaseType.name == name).limit(1)).first()
    return found or session.scalars(query.where(func.lower(CaseType.name) == name.lower()).limit(1)).first()


def named_in_projects(
    session: Session, workspace_id: uuid.UUID, wanted: Collection[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], CaseType]:
    """`named` for many (project, name) pairs in one query (a page of cases); a pair with no such type is left out."""
    if not wanted:
        return {}
    projects = {project_id for project_id, _name in wanted}
    names = {name for _project, name in wanted if "\x00" not in name}
    query = select(CaseType).where(
        CaseType.workspace_id == workspace_id,
        or_(CaseType.project_id.in_(projects), CaseType.project_id.is_(None)),
        or_(CaseType.name.in_(names), func.lower(CaseType.name).in_({name.lower() for name in names})),
    )
    candidates = list(session.scalars(query))
    found = {}
    for project_id, name in wanted:
        visible = [t for t in candidates if t.project_id in (project_id, None)]
        # The exact name first, as `named` does.
        match = next((t for t in visible if t.name == name), None) or next(
            (t for t in visible if t.name.lower() == name.lower()), None
        )
        if match is not None:
            found[(project_id, name)] = match
    return found
