"""Case types: the workspace's built-in STANDARD, workspace-level types every project sees, and each project's own;
each able to prefill new cases.

Cases hold their type by name, so a type some case holds is not renamed, and a deleted type (soft delete) keeps
its row and its name: its cases read as before, but no case may newly take it. Names are unique among the types a
project sees whatever their case, and matched without regard to case.
"""

import uuid

from sqlalchemy import Select, delete, exists, func, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.db.base import new_id, utcnow
from casework.errors import Conflict, FieldError, InvalidInput, LimitExceeded, NotFound
from casework.i18n import _
from casework.projects.lookup import resolve_project
from casework.projects.models import Project, Workspace
from casework.workflow.case_types import lookup
from casework.workflow.case_types.models import STANDARD_ID, CaseType, standard_type
from casework.workflow.case_types.schemas import (
    MAX_TYPES_PER_PROJECT,
    MAX_WORKSPACE_TYPES,
    CaseTypeCreate,
    CaseTypeUpdate,
    Prefill,
)
from casework.workflow.fields import service as fields

# Reading


def list_types(session: Session, actor: Actor, project_ref: str, include_deleted: bool = False) -> list[CaseType]:
    """The types a project sees (its own and the workspace's), STANDARD first, then by name."""
    actor.require_case_read()
    project = resolve_project(session, actor.workspace_id, project_ref)
    return _listed(session, lookup.types_of(actor.workspace_id, project.id), include_deleted)


def list_workspace_types(session: Session, actor: Actor, include_deleted: bool = False) -> list[CaseType]:
    actor.require_case_read()
    return _listed(session, lookup.types_of(actor.workspace_id, None), include_deleted)


def _listed(session: Session, query: Select[CaseType], include_deleted: bool) -> list[CaseType]:
    if not include_deleted:
        query = query.where(CaseType.deleted_at.is_(None))
    return list(session.scalars(query.order_by(CaseType.builtin.desc(), func.lower(CaseType.name), CaseType.id)))


def get_type(session: Session, actor: Actor, project_ref: str, type_ref: str) -> CaseType:
    actor.require_case_read()
    project = resolve_project(session, actor.workspace_id, project_ref)
    return _found(lookup.find(session, actor.workspace_id, project.id, type_ref), type_ref)


def get_workspace_type(session: Session, actor: Actor, type_ref: str) -> CaseType:
    """Any type of the workspace by id, or a workspace-level one by name."""
    actor.require_case_read()
    return _found(lookup.find(session, actor.workspace_id, None, type_ref, by_id_anywhere=True), type_ref)


def resolve_type(session: Session, project: Project, ref: str) -> CaseType:
    """The type a case newly takes, by name (any case) or id: one the project sees, active and not deleted."""
    found = lookup.find(session, project.workspace_id, project.id, ref)
    if found is None or not found.active or found.deleted_at is not None:
        query = lookup.types_of(project.workspace_id, project.id).where(
            CaseType.active.is_(True), CaseType.deleted_at.is_(None)
        )
        names = ", ".join(t.name for t in session.scalars(query.order_by(CaseType.name)))
        raise InvalidInput.field("type", _("unknown or inactive type {name}; one of {names}", name=ref, names=names))
    return found


def _found(case_type: CaseType | None, ref: str) -> CaseType:
    if case_type is None:
        raise NotFound("case type", ref)
    return case_type


# Writing


def create_type(session: Session, actor: Actor, project_ref: str, data: CaseTypeCreate) -> CaseType:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    return _add(session, actor, project, data)


def create_workspace_type(session: Session, actor: Actor, data: CaseTypeCreate) -> CaseType:
    """A type every project of the workspace sees."""
    actor.require_case_admin()
    session.execute(select(Workspace.id).where(Workspace.id == actor.workspace_id).with_for_update())
    return _add(session, actor, None, data)


def _add(session: Session, actor: Actor, project: Project | None, data: CaseTypeCreate) -> CaseType:
    """The caller holds the lock of the project (or of the workspace) the type goes in, for the cap."""
    if data.id is not None:
        actor.require_admin()
        if data.id == STANDARD_ID or session.scalar(select(exists().where(CaseType.id == data.id))):
            raise Conflict(_("the id {id} is already taken", id=str(data.id)))
    query = select(func.count()).select_from(CaseType).where(CaseType.deleted_at.is_(None))
    if project is not None:
        limit, what = MAX_TYPES_PER_PROJECT, _("types per project")
        query = query.where(CaseType.project_id == project.id)
    else:
        limit, what = MAX_WORKSPACE_TYPES, _("workspace-level types")
        query = query.where(CaseType.workspace_id == actor.workspace_id, CaseType.project_id.is_(None))
    if (session.scalar(query) or 0) >= limit:
        raise LimitExceeded("name", limit, what)
    project_id = project.id if project is not None else None
    _check_name_free(session, actor.workspace_id, project_id, data.name, None)
    now = utcnow()
    case_type = CaseType(
        id=data.id or new_id(),
        workspace_id=actor.workspace_id,
        project_id=project_id,
        name=data.name,
        description=data.description,
        emoji=data.emoji,
        prefill=_checked_prefill(session, actor, project_id, None, data.prefill),
        builtin=False,
        active=data.active,
        created_at=now,
        updated_at=now,
    )
    session.add(case_type)
    session.flush()
    return case_type


def project_type(session: Session, actor: Actor, project_ref: str, type_ref: str) -> CaseType:
    """A type the project sees, to change; the project locked, as for every write to its types."""
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    return _found(lookup.find(session, actor.workspace_id, project.id, type_ref), type_ref)


def workspace_type(session: Session, actor: Actor, type_ref: str) -> CaseType:
    """A type of the workspace, to change."""
    actor.require_case_admin()
    return _found(lookup.find(session, actor.workspace_id, None, type_ref, by_id_anywhere=True), type_ref)


def change_type(
    session: Session, actor: Actor, case_type: CaseType, data: CaseTypeUpdate, *, held_by_cases: bool
) -> CaseType:
    """`held_by_cases`: whether cases hold the type, checked when the change renames it (False otherwise): entry
    points call casework.cases.configuration.update_type, which looks."""
    actor.require_case_admin()
    if case_type.deleted_at is not None:
        raise Conflict(_("the type {name} is deleted", name=case_type.name))
    if data.name is not None and data.name != case_type.name:
        if case_type.builtin:
            raise Conflict(_("the built-in type {name} cannot be renamed", name=case_type.name))
        if held_by_cases:
            raise Conflict(_("the type {name} is used by cases and cannot be renamed", name=case_type.name))
        _check_name_free(session, case_type.workspace_id, case_type.project_id, data.name, case_type.id)
        case_type.name = data.name
    if data.active is False and case_type.builtin:
        raise Conflict(_("the built-in type {name} cannot be deactivated", name=case_type.name))
    if data.active is not None:
        case_type.active = data.active
    if data.description is not None:
        case_type.description = data.description
    if "emoji" in data.model_fields_set:
        case_type.emoji = data.emoji
    if data.prefill is not None:
        case_type.prefill = _checked_prefill(session, actor, case_type.project_id, case_type.id, data.prefill)
    case_type.updated_at = utcnow()
    session.flush()
    return case_type


def delete_type(session: Session, actor: Actor, project_ref: str, type_ref: str) -> None:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    _delete(_found(lookup.find(session, actor.workspace_id, project.id, type_ref), type_ref))


def delete_workspace_type(session: Session, actor: Actor, type_ref: str) -> None:
    actor.require_case_admin()
    _delete(_found(lookup.find(session, actor.workspace_id, None, type_ref, by_id_anywhere=True), type_ref))


def _delete(case_type: CaseType) -> None:
    """Soft delete: the cases holding the type keep it; deleting twice changes nothing."""
    if case_type.builtin:
        raise Conflict(_("the built-in type {name} cannot be deleted", name=case_type.name))
    if case_type.deleted_at is None:
        case_type.deleted_at = case_type.updated_at = utcnow()


def _check_name_free(
    session: Session, workspace_id: uuid.UUID, project_id: uuid.UUID | None, name: str, own_id: uuid.UUID | None
) -> None:
    """No type the same projects see may share the name: for a workspace-level type, no type of the workspace."""
    same_name = func.lower(CaseType.name) == name.lower()
    query = select(CaseType.name).where(CaseType.workspace_id == workspace_id, same_name)
    if project_id is not None:
        query = query.where(lookup.visible_to(project_id))
    if own_id is not None:
        query = query.where(CaseType.id != own_id)
    taken = session.scalar(query.limit(1))
    if taken is not None:
        raise Conflict(_("the project already has a type named {name}", name=taken))


def _checked_prefill(
    session: Session, actor: Actor, project_id: uuid.UUID | None, type_id: uuid.UUID | None, prefill: Prefill
) -> dict[str, object]:
    """The prefill as stored: only what it sets, its field values checked against the fields the type's cases see
    (those of its project, if it has one, and its own)."""
    stored = prefill.stored()
    if prefill.fields is not None:
        definitions = fields.case_fields(session, project_id, type_id)
        try:
            stored["fields"] = fields.case_field_values(
                session, actor, definitions, prefill.fields, current={}, require=False
            )
        except InvalidInput as exc:
            raise _under("prefill", exc) from None
    return stored


def _under(prefix: str, exc: InvalidInput) -> InvalidInput:
    """The same field errors, each field named below `prefix`."""
    errors = [FieldError(f"{prefix}.{e.field}", e.message) for e in exc.errors] or [FieldError(prefix, exc.detail)]
    moved = InvalidInput.field(errors[0].field, errors[0].message)
    moved.errors = errors
    return moved


def seed_workspace(session: Session, workspace_id: uuid.UUID) -> None:
    """The built-in STANDARD type of a new workspace, which every project sees."""
    session.add(standard_type(workspace_id))


def delete_for_project(session: Session, project_id: uuid.UUID) -> None:
    """A deleted project's own case types, after the field definitions scoped to them."""
    fields.delete_for_project(session, project_id)
    session.execute(delete(CaseType).where(CaseType.project_id == project_id))
