"""A project's case types: the built-in STANDARD and custom ones, each able to prefill new cases.

Cases hold their type by name, so a type some case holds is neither renamed nor deleted (deactivating it keeps
it off new cases). Names are unique per project whatever their case, and matched without regard to case.
"""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.models import Case
from casework.db.base import utcnow
from casework.errors import Conflict, FieldError, InvalidInput, LimitExceeded, NotFound
from casework.i18n import _
from casework.projects.models import Project
from casework.projects.service import resolve_project
from casework.workflow.case_types.models import CaseType
from casework.workflow.case_types.schemas import MAX_TYPES_PER_PROJECT, CaseTypeCreate, CaseTypeUpdate, Prefill
from casework.workflow.fields import service as fields

# Reading


def list_types(session: Session, actor: Actor, project_ref: str) -> list[CaseType]:
    """The project's types, STANDARD first, then by name."""
    actor.require_case_read()
    project = resolve_project(session, actor.workspace_id, project_ref)
    query = select(CaseType).where(CaseType.project_id == project.id)
    return list(session.scalars(query.order_by(CaseType.builtin.desc(), func.lower(CaseType.name), CaseType.id)))


def get_type(session: Session, actor: Actor, project_ref: str, type_ref: str) -> CaseType:
    actor.require_case_read()
    project = resolve_project(session, actor.workspace_id, project_ref)
    return _find_type(session, project.id, type_ref)


def resolve_type(session: Session, project_id: uuid.UUID, name: str) -> CaseType:
    """The active type a case names, matched without regard to case; the stored row (its name as stored)."""
    found = _by_name(session, project_id, name)
    if found is None or not found.active:
        query = select(CaseType.name).where(CaseType.project_id == project_id, CaseType.active.is_(True))
        names = ", ".join(session.scalars(query.order_by(CaseType.name)))
        raise InvalidInput.field("type", _("unknown or inactive type {name}; one of {names}", name=name, names=names))
    return found


def _by_name(session: Session, project_id: uuid.UUID, name: str) -> CaseType | None:
    query = select(CaseType).where(CaseType.project_id == project_id)
    # The exact name first: the common case, served by the (project_id, name) unique index.
    found = session.scalar(query.where(CaseType.name == name))
    return found or session.scalar(query.where(func.lower(CaseType.name) == name.lower()))


def _find_type(session: Session, project_id: uuid.UUID, ref: str) -> CaseType:
    """A type of the project by id or by name (any case); anything else is not found."""
    try:
        found = session.scalar(select(CaseType).where(CaseType.project_id == project_id, CaseType.id == uuid.UUID(ref)))
    except ValueError:
        found = _by_name(session, project_id, ref) if "\x00" not in ref else None
    if found is None:
        raise NotFound("case type", ref)
    return found


# Writing


def create_type(session: Session, actor: Actor, project_ref: str, data: CaseTypeCreate) -> CaseType:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    count = session.scalar(select(func.count()).select_from(CaseType).where(CaseType.project_id == project.id))
    if (count or 0) >= MAX_TYPES_PER_PROJECT:
        raise LimitExceeded("name", MAX_TYPES_PER_PROJECT, "types per project")
    _check_name_free(session, project.id, data.name, None)
    now = utcnow()
    case_type = CaseType(
        workspace_id=project.workspace_id,
        project_id=project.id,
        name=data.name,
        description=data.description,
        prefill=_checked_prefill(session, actor, project, data.prefill),
        builtin=False,
        active=data.active,
        created_at=now,
        updated_at=now,
    )
    session.add(case_type)
    session.flush()
    return case_type


def update_type(session: Session, actor: Actor, project_ref: str, type_ref: str, data: CaseTypeUpdate) -> CaseType:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    case_type = _find_type(session, project.id, type_ref)
    if data.name is not None and data.name != case_type.name:
        if case_type.builtin:
            raise Conflict(_("the built-in type {name} cannot be renamed", name=case_type.name))
        used = _cases_of_type(session, project, case_type)
        if used:
            raise Conflict(
                _("the type {name} is used by {count} cases and cannot be renamed", name=case_type.name, count=used)
            )
        _check_name_free(session, project.id, data.name, case_type.id)
        case_type.name = data.name
    if data.active is False and case_type.builtin:
        raise Conflict(_("the built-in type {name} cannot be deactivated", name=case_type.name))
    if data.active is not None:
        case_type.active = data.active
    if data.description is not None:
        case_type.description = data.description
    if data.prefill is not None:
        case_type.prefill = _checked_prefill(session, actor, project, data.prefill)
    case_type.updated_at = utcnow()
    session.flush()
    return case_type


def delete_type(session: Session, actor: Actor, project_ref: str, type_ref: str) -> None:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    case_type = _find_type(session, project.id, type_ref)
    if case_type.builtin:
        raise Conflict(_("the built-in type {name} cannot be deleted", name=case_type.name))
    used = _cases_of_type(session, project, case_type)
    if used:
        raise Conflict(
            _("the type {name} is used by {count} cases; deactivate it instead", name=case_type.name, count=used)
        )
    session.delete(case_type)
    session.flush()


def _cases_of_type(session: Session, project: Project, case_type: CaseType) -> int:
    query = select(func.count()).select_from(Case).where(Case.project_id == project.id, Case.type == case_type.name)
    return session.scalar(query) or 0


def _check_name_free(session: Session, project_id: uuid.UUID, name: str, own_id: uuid.UUID | None) -> None:
    query = select(CaseType.name).where(CaseType.project_id == project_id, func.lower(CaseType.name) == name.lower())
    if own_id is not None:
        query = query.where(CaseType.id != own_id)
    taken = session.scalar(query.limit(1))
    if taken is not None:
        raise Conflict(_("the project already has a type named {name}", name=taken))


def _checked_prefill(session: Session, actor: Actor, project: Project, prefill: Prefill) -> dict[str, object]:
    """The prefill as stored: only what it sets, its field values checked against the project's definitions."""
    stored = prefill.stored()
    if prefill.fields is not None:
        try:
            stored["fields"] = fields.case_field_values(session, actor, project.id, prefill.fields, current={})
        except InvalidInput as exc:
            raise _under("prefill", exc) from None
    return stored


def _under(prefix: str, exc: InvalidInput) -> InvalidInput:
    """The same field errors, each field named below `prefix`."""
    errors = [FieldError(f"{prefix}.{e.field}", e.message) for e in exc.errors] or [FieldError(prefix, exc.detail)]
    moved = InvalidInput.field(errors[0].field, errors[0].message)
    moved.errors = errors
    return moved
