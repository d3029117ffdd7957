"""Finding case types: the queries case types and custom fields share (fields are scoped to types, and the type
service checks prefills against fields, so neither service may import the other for this).

A project sees its own types and the workspace-level ones (project NULL). A type is named by its id (the built-in
STANDARD also by STANDARD_ID, resolved per workspace) or by its name, matched without regard to case.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import BindParameter, ColumnElement, Select, String, Uuid, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from casework.projects.configuration import cached
from casework.workflow.case_types.models import STANDARD_ID, CaseType, public_id
from casework.workflow.fields.models import FieldDefinition


def visible_to(project_id: uuid.UUID | BindParameter[uuid.UUID]) -> ColumnElement[bool]:
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

    def read() -> list[CaseType]:
        if type_id == STANDARD_ID:
            query = select(CaseType).where(CaseType.workspace_id == workspace_id, CaseType.builtin.is_(True))
        elif by_id_anywhere:
            query = select(CaseType).where(CaseType.workspace_id == workspace_id, CaseType.id == type_id)
        else:
            query = types_of(workspace_id, project_id).where(CaseType.id == type_id)
        found = session.scalar(query)
        return [] if found is None else [found]

    found = cached(session, ("case type by id", workspace_id, project_id, type_id, by_id_anywhere), read)
    return found[0] if found else None


def named(session: Session, workspace_id: uuid.UUID, project_id: uuid.UUID | None, name: str) -> CaseType | None:
    """The type of that name among the visible ones, deleted or not (names stay taken once deleted)."""
    seen_by_project = project_id is not None
    parameters = {"workspace_id": workspace_id, "name": name, **({"project_id": project_id} if seen_by_project else {})}

    def read() -> list[CaseType]:
        # The exact name first: the common case, served by the name indexes.
        found = session.scalar(_NAMED[seen_by_project, False], parameters)
        found = found or session.scalar(_NAMED[seen_by_project, True], {**parameters, "name": name.lower()})
        return [] if found is None else [found]

    found = cached(session, (_NAMED[seen_by_project, False], workspace_id, project_id, name), read)
    return found[0] if found else None


def _named(seen_by_project: bool, any_case: bool) -> Select[CaseType]:
    """types_of with its values as parameters (project_id when seen_by_project), for a name."""
    project_id = bindparam("project_id", type_=Uuid()) if seen_by_project else None
    query = select(CaseType).where(CaseType.workspace_id == bindparam("workspace_id", type_=Uuid()))
    query = (
        query.where(visible_to(project_id)) if project_id is not None else query.where(CaseType.project_id.is_(None))
    )
    name = func.lower(CaseType.name) if any_case else CaseType.name
    return query.where(name == bindparam("name", type_=String())).limit(1)


# Built once: a statement's cache key is worked out again for every new statement object (every create names its type).
_NAMED = {(project, any_case): _named(project, any_case) for project in (False, True) for any_case in (False, True)}


@dataclass(frozen=True, slots=True)
class NamedType:
    """A type as a page of cases names it: its id, the id it shows (STANDARD_ID for the built-in), and whether any
    field is defined on it (so that a page of cases of field-less types reads no fields)."""

    id: uuid.UUID
    public_id: uuid.UUID
    has_fields: bool


def named_in_projects(
    session: Session, workspace_id: uuid.UUID, wanted: Collection[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], NamedType]:
    """`named` for many (project, name) pairs in one statement of plain rows (a page of cases); a pair with no such
    type is left out."""
    if not wanted:
        return {}
    names = {name for _project, name in wanted if "\x00" not in name}
    parameters = {
        "workspace_id": workspace_id,
        "projects": list({project_id for project_id, _name in wanted}),
        "names": list(names),
        "lowered": list({name.lower() for name in names}),
    }
    # On the connection: plain rows, past the ORM's result machinery.
    candidates = session.connection().execute(_NAMED_IN_PROJECTS, parameters).all()
    found = {}
    for project_id, name in wanted:
        visible = [row for row in candidates if row.project_id in (project_id, None)]
        # The exact name first, as `named` does.
        match = next((row for row in visible if row.name == name), None) or next(
            (row for row in visible if row.name.lower() == name.lower()), None
        )
        if match is not None:
            found[(project_id, name)] = NamedType(match.id, public_id(match.id, match.builtin), bool(match.has_fields))
    return found


# Built once: a statement's cache key is worked out again for every new statement object (a page of cases asks this).
_NAMED_IN_PROJECTS = select(
    CaseType.id,
    CaseType.builtin,
    CaseType.project_id,
    CaseType.name,
    exists().where(FieldDefinition.case_type_id == CaseType.id).label("has_fields"),
).where(
    CaseType.workspace_id == bindparam("workspace_id", type_=Uuid()),
    or_(CaseType.project_id.in_(bindparam("projects", type_=Uuid(), expanding=True)), CaseType.project_id.is_(None)),
    or_(
        CaseType.name.in_(bindparam("names", expanding=True)),
        func.lower(CaseType.name).in_(bindparam("lowered", type_=String(), expanding=True)),
    ),
)
