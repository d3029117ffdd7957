"""Custom field definitions and the values cases hold for them.

Definitions are workflow configuration (admin or manager); any reader sees them. A case's values live in
cases.fields by key, as read; case_field_values holds the searchable copy (see values.index_rows), which
index_values keeps equal to it in the same transaction.
"""

import uuid
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor, existing_user_ids
from casework.cases.models import Case
from casework.db.base import utcnow
from casework.db.handles import as_handle
from casework.errors import Conflict, FieldError, InvalidInput, LimitExceeded, NotFound, detail_of
from casework.i18n import _
from casework.projects.models import Project
from casework.projects.service import resolve_project
from casework.workflow.fields import values as field_values
from casework.workflow.fields.models import CaseFieldValue, FieldDefinition
from casework.workflow.fields.schemas import (
    MAX_FIELDS_PER_PROJECT,
    MAX_OPTION_DEPTH,
    MAX_OPTIONS,
    FieldCreate,
    FieldUpdate,
)

KIBANA = "kibana"
# Kibana's own limit on custom field values per case.
MAX_KIBANA_VALUES = 10


# Values


def project_fields(session: Session, project_id: uuid.UUID) -> dict[str, FieldDefinition]:
    query = select(FieldDefinition).where(FieldDefinition.project_id == project_id)
    return {field.key: field for field in session.scalars(query)}


def case_field_values(
    session: Session,
    actor: Actor,
    project_id: uuid.UUID,
    given: dict[str, Any] | None,
    current: dict[str, Any] | None,
) -> dict[str, Any]:
    """The case's complete field values after a write: `current` (None on create, where defaults apply) with `given`
    applied (a None value clears a field), each validated against its definition."""
    definitions = project_fields(session, project_id)
    given = given or {}
    result = dict(current or {})
    errors: list[FieldError] = []
    users: dict[str, str] = {}
    for key, value in given.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(f"fields.{key}", _("unknown field {key} in this project", key=key)))
            continue
        # Clearing is always allowed, also on an inactive field: it only takes a value away.
        if value is None:
            result.pop(key, None)
            continue
        if not definition.active:
            errors.append(FieldError(f"fields.{key}", _("the field {key} is inactive", key=key)))
            continue
        try:
            stored = field_values.canonical(definition.type, definition.options, value)
        except field_values.Refused as exc:
            errors.append(FieldError(f"fields.{key}", exc.message))
            continue
        if stored is None:
            result.pop(key, None)
            continue
        result[key] = stored
        if definition.type == "user":
            users[key] = stored
    defaulted = set()
    if current is None:
        for key, definition in definitions.items():
            if key not in given and definition.active and definition.default_value is not None:
                result[key] = definition.default_value
                defaulted.add(key)
                if definition.type == "user":
                    users[key] = definition.default_value
    for key in _inactive_users(session, actor.workspace_id, users):
        if key in defaulted:
            # A default user deactivated since: the new case simply goes without it.
            result.pop(key)
        else:
            errors.append(FieldError(f"fields.{key}", _("not an active user of this workspace")))
    if errors:
        raise InvalidInput(detail_of(errors), errors)
    kibana_values = sum(1 for key in result if key in definitions and definitions[key].owner == KIBANA)
    if kibana_values > MAX_KIBANA_VALUES:
        raise LimitExceeded("fields", MAX_KIBANA_VALUES, _("values of Kibana fields"))
    return result


def _inactive_users(session: Session, workspace_id: uuid.UUID, users: dict[str, str]) -> list[str]:
    active = {str(u) for u in existing_user_ids(session, workspace_id, {uuid.UUID(u) for u in users.values()})}
    return [key for key, user in users.items() if user not in active]


def index_values(
    session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, old: dict[str, Any], new: dict[str, Any]
) -> None:
    """Keep the case's searchable copy (case_field_values) equal to `new`: only the keys that changed are rewritten."""
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    if not changed:
        return
    project_id = select(Case.project_id).where(Case.id == case_id).scalar_subquery()
    query = select(FieldDefinition.id, FieldDefinition.key, FieldDefinition.type).where(
        FieldDefinition.project_id == project_id, FieldDefinition.key.in_(changed)
    )
    definitions = session.execute(query).all()
    session.execute(
        delete(CaseFieldValue)
        .where(CaseFieldValue.case_id == case_id, CaseFieldValue.field_id.in_([d.id for d in definitions]))
        .execution_options(synchronize_session=False)
    )
    rows = [
        {
            "case_id": case_id,
            "field_id": definition.id,
            "position": position,
            "workspace_id": workspace_id,
            "text_value": text,
            "number_value": number,
        }
        for definition in definitions
        if new.get(definition.key) is not None
        for position, (text, number) in enumerate(field_values.index_rows(definition.type, new[definition.key]))
    ]
    if rows:
        session.execute(insert(CaseFieldValue.__table__), rows)


def missing_required(session: Session, project_id: uuid.UUID, values: dict[str, Any]) -> list[str]:
    """Keys of the project's active required-to-close fields that `values` leaves without a value."""
    query = (
        select(FieldDefinition.key)
        .where(
            FieldDefinition.project_id == project_id,
            FieldDefinition.active.is_(True),
            FieldDefinition.required_to_close.is_(True),
        )
        .order_by(FieldDefinition.position, FieldDefinition.key)
    )
    return [key for key in session.scalars(query) if _blank(values.get(key))]


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


# Definitions


def find_field(session: Session, project_id: uuid.UUID, key: str) -> FieldDefinition:
    """A field of the project by key or handle (keys start with a letter)."""
    number = as_handle(key)
    named = FieldDefinition.key == key if number is None else FieldDefinition.number == number
    query = select(FieldDefinition).where(FieldDefinition.project_id == project_id, named)
    field = session.scalar(query)
    if field is None:
        raise NotFound("custom field", key)
    return field


def list_fields(session: Session, actor: Actor, project_ref: str) -> list[FieldDefinition]:
    actor.require_case_read()
    project = resolve_project(session, actor.workspace_id, project_ref)
    query = (
        select(FieldDefinition)
        .where(FieldDefinition.project_id == project.id)
        .order_by(FieldDefinition.position, FieldDefinition.key)
    )
    return list(session.scalars(query))


def get_field(session: Session, actor: Actor, project_ref: str, key: str) -> FieldDefinition:
    actor.require_case_read()
    project = resolve_project(session, actor.workspace_id, project_ref)
    return find_field(session, project.id, key)


def create_field(session: Session, actor: Actor, project_ref: str, data: FieldCreate) -> FieldDefinition:
    actor.require_case_admin()
    project = _locked_project(session, actor.workspace_id, project_ref)
    count = session.scalar(select(func.count()).where(FieldDefinition.project_id == project.id)) or 0
    if count >= MAX_FIELDS_PER_PROJECT:
        raise LimitExceeded("fields", MAX_FIELDS_PER_PROJECT, _("fields per project"))
    taken = exists().where(FieldDefinition.project_id == project.id, FieldDefinition.key == data.key)
    if session.scalar(select(taken)):
        raise Conflict(_("the project already has a field with the key {key}", key=data.key))
    options = _checked_options(data.type, [option.stored() for option in data.options])
    default = _checked_default(session, actor, data.type, options, data.default)
    if data.position is not None:
        position = data.position
    else:
        last_position = select(func.max(FieldDefinition.position)).where(FieldDefinition.project_id == project.id)
        last = session.scalar(last_position)
        position = 0 if last is None else last + 1
    now = utcnow()
    field = FieldDefinition(
        workspace_id=actor.workspace_id,
        project_id=project.id,
        key=data.key,
        label=data.label,
        type=data.type,
        required_to_close=data.required_to_close,
        options=options,
        default_value=default,
        active=data.active,
        owner=data.owner,
        position=position,
        created_at=now,
        updated_at=now,
    )
    session.add(field)
    session.flush()
    return field


def update_field(session: Session, actor: Actor, project_ref: str, key: str, data: FieldUpdate) -> FieldDefinition:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref)
    field = find_field(session, project.id, key)
    given = data.model_fields_set
    for name in ("key", "type", "owner"):
        if name in given and getattr(data, name) != getattr(field, name):
            raise InvalidInput.field(name, _("cannot be changed once the field exists"))
    if "options" in given:
        if data.options is None:
            raise InvalidInput.field("options", _("must not be null"))
        options = _checked_options(field.type, [option.stored() for option in data.options])
        _check_removed_options(session, field, options)
        field.options = options
    default = data.default if "default" in given else field.default_value
    if "default" in given or "options" in given:
        field.default_value = _checked_default(session, actor, field.type, field.options, default)
    for name in ("label", "required_to_close", "active", "position"):
        if name in given:
            value = getattr(data, name)
            if value is None:
                raise InvalidInput.field(name, _("must not be null"))
            setattr(field, name, value)
    field.updated_at = utcnow()
    session.flush()
    return field


def delete_field(session: Session, actor: Actor, project_ref: str, key: str) -> None:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref)
    field = find_field(session, project.id, key)
    if session.scalar(select(exists().where(CaseFieldValue.field_id == field.id))):
        raise Conflict(_("cases hold values of the field {key}; deactivate it instead", key=field.key))
    session.delete(field)
    session.flush()


def check_value(session: Session, actor: Actor, field: FieldDefinition, value: Any, name: str = "value") -> None:
    """Refuses (naming `name`) a value the field does not take now; null, which clears, always passes."""
    if value is None:
        return
    if not field.active:
        raise InvalidInput.field(name, _("the field {key} is inactive", key=field.key))
    _checked_default(session, actor, field.type, field.options, value, name)


def _locked_project(session: Session, workspace_id: uuid.UUID, ref: str) -> Project:
    """The project, locked (PostgreSQL) so that two creations cannot both pass the per-project cap."""
    project = resolve_project(session, workspace_id, ref)
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    return project


def _checked_options(field_type: str, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if field_type not in field_values.OPTION_TYPES:
        if options:
            raise InvalidInput.field("options", _("only select fields take options"))
        return []
    if not options:
        raise InvalidInput.field("options", _("a {type} field needs at least one option", type=field_type))
    if field_type != "dependent_select" and any(option.get("children") for option in options):
        raise InvalidInput.field("options", _("only a dependent_select field nests options"))
    if sum(1 for _path in field_values.option_paths(options)) > MAX_OPTIONS:
        raise LimitExceeded("options", MAX_OPTIONS, _("options"))
    if field_values.tree_depth(options) > MAX_OPTION_DEPTH:
        raise InvalidInput.field("options", _("at most {depth} levels of options", depth=MAX_OPTION_DEPTH))
    return options


def _checked_default(
    session: Session, actor: Actor, field_type: str, options: list[dict[str, Any]], value: Any, name: str = "default"
) -> Any:
    if value is None:
        return None
    try:
        stored = field_values.canonical(field_type, options, value)
    except field_values.Refused as exc:
        raise InvalidInput.field(name, exc.message) from None
    if field_type == "user" and _inactive_users(session, actor.workspace_id, {name: stored}):
        raise InvalidInput.field(name, _("not an active user of this workspace"))
    return stored


def _check_removed_options(session: Session, field: FieldDefinition, options: list[dict[str, Any]]) -> None:
    """An option (or dependent path) a case still holds cannot be removed: its values would no longer be valid."""
    removed = set(field_values.option_paths(field.options)) - set(field_values.option_paths(options))
    if not removed:
        return
    query = select(CaseFieldValue.text_value).where(
        CaseFieldValue.field_id == field.id, CaseFieldValue.text_value.in_(removed)
    )
    held = sorted(set(session.scalars(query.limit(MAX_OPTIONS))))
    if held:
        raise Conflict(_("cases still hold the options {options}; keep them", options=", ".join(held)))
