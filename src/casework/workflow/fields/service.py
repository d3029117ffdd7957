"""Custom field definitions and the values cases hold for them.

Definitions are workflow configuration (admin or manager); any reader sees them. A definition belongs to a project
or to a case type (of a project, or of the whole workspace); a case sees its project's fields and its type's, and a
key names one field among them. A case's values live in cases.fields by key, as read; case_field_values holds the
searchable copy (see values.index_rows), which index_values keeps equal to it in the same transaction.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, and_, bindparam, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor, existing_user_ids
from casework.db.base import utcnow
from casework.db.handles import as_handle
from casework.errors import Conflict, FieldError, InvalidInput, LimitExceeded, NotFound, detail_of
from casework.i18n import _
from casework.projects.configuration import cached
from casework.projects.lookup import resolve_project
from casework.projects.models import Project
from casework.workflow.case_types import lookup
from casework.workflow.case_types.models import CaseType
from casework.workflow.fields import values as field_values
from casework.workflow.fields.models import MULTI_TYPES, PATTERN_TYPES, CaseFieldValue, FieldDefinition
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

Definitions = dict[str, FieldDefinition]


# Values


def case_fields(session: Session, project_id: uuid.UUID | None, case_type_id: uuid.UUID | None) -> Definitions:
    """The fields a case of that project and type sees, by key (project None: the type's alone)."""
    owners = {"project_id": project_id, "case_type_id": case_type_id}
    owners = {name: owner for name, owner in owners.items() if owner is not None}
    if not owners:
        return {}
    query = _FIELDS_OF[tuple(owners)]
    found = cached(session, (query, project_id, case_type_id), lambda: session.scalars(query, owners).all())
    return {field.key: field for field in found}


def _fields_of(owners: tuple[str, ...]) -> Select[FieldDefinition]:
    return select(FieldDefinition).where(
        or_(*(getattr(FieldDefinition, owner) == bindparam(owner, type_=Uuid()) for owner in owners))
    )


# Built once: a statement's cache key is worked out again for every new statement object (every create reads it).
_FIELDS_OF: dict[tuple[str, ...], Select[FieldDefinition]] = {
    owners: _fields_of(owners) for owners in (("project_id",), ("case_type_id",), ("project_id", "case_type_id"))
}


def fields_of_types(session: Session, case_type_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[FieldDefinition]]:
    """The fields of each of the case types, in position order, in one query (a page of cases of several types)."""
    found: dict[uuid.UUID, list[FieldDefinition]] = {type_id: [] for type_id in case_type_ids}
    if not found:
        return found
    query = select(FieldDefinition).where(FieldDefinition.case_type_id.in_(found))
    query = query.order_by(FieldDefinition.position, FieldDefinition.key)
    for field in cached(session, ("fields of types", frozenset(found)), lambda: session.scalars(query).all()):
        assert field.case_type_id is not None  # IN matches no NULL
        found[field.case_type_id].append(field)
    return found


def fields_of_case(session: Session, project: Project, type_name: str) -> Definitions:
    """The fields a case holding the type `type_name` sees (a deleted type's too: its cases keep it)."""
    case_type = lookup.named(session, project.workspace_id, project.id, type_name)
    return case_fields(session, project.id, case_type.id if case_type else None)


def case_field_values(
    session: Session,
    actor: Actor,
    definitions: Definitions,
    given: dict[str, Any] | None,
    current: dict[str, Any] | None,
    require: bool = True,
) -> dict[str, Any]:
    """The case's complete field values after a write: `current` (None on create, where defaults apply) with `given`
    applied (a None value clears a field), each validated against its definition; with `require`, every active
    required field must hold a value, and every value must belong to one of `definitions`."""
    given = given or {}
    result = dict(current or {})
    errors: list[FieldError] = []
    users: dict[str, str] = {}
    for key, value in given.items():
        definition = definitions.get(key)
        # Clearing is always allowed, also on an inactive field or one the case's new type lacks: it only takes a
        # value away.
        if value is None and (definition is not None or key in result):
            result.pop(key, None)
            continue
        if definition is None:
            errors.append(FieldError(f"fields.{key}", _("unknown field {key} in this project", key=key)))
            continue
        if not definition.active:
            errors.append(FieldError(f"fields.{key}", _("the field {key} is inactive", key=key)))
            continue
        try:
            stored = _canonical(definition, value)
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
    if require:
        errors += _unseen_or_missing(definitions, result, {e.field for e in errors})
    if errors:
        raise InvalidInput(detail_of(errors), errors)
    kibana_values = sum(1 for key in result if key in definitions and definitions[key].owner == KIBANA)
    if kibana_values > MAX_KIBANA_VALUES:
        raise LimitExceeded("fields", MAX_KIBANA_VALUES, _("values of Kibana fields"))
    return result


def _unseen_or_missing(definitions: Definitions, values: dict[str, Any], named: set[str]) -> list[FieldError]:
    """A value no field of the case defines (its type changed), and every active required field left empty."""
    errors = [
        FieldError(
            f"fields.{key}", _("the case's type has no field {key}; clear it (null) to change the type", key=key)
        )
        for key in values
        if key not in definitions
    ]
    errors += [
        FieldError(f"fields.{key}", _("a value is required"))
        for key, definition in sorted(definitions.items(), key=lambda item: (item[1].position, item[0]))
        if definition.required and definition.active and _blank(values.get(key)) and f"fields.{key}" not in named
    ]
    return errors


def _canonical(field: FieldDefinition, value: Any) -> Any:
    return field_values.canonical(field.type, field.options, value, multi=field.is_multi, pattern=field.pattern)


def _inactive_users(session: Session, workspace_id: uuid.UUID, users: dict[str, str]) -> list[str]:
    if not users:
        return []
    active = {str(u) for u in existing_user_ids(session, workspace_id, {uuid.UUID(u) for u in users.values()})}
    return [key for key, user in users.items() if user not in active]


def index_values(
    session: Session,
    workspace_id: uuid.UUID,
    case_id: uuid.UUID,
    definitions: Definitions,
    old: dict[str, Any],
    new: dict[str, Any],
) -> None:
    """Keep the case's searchable copy (case_field_values) equal to `new`: the rows of every key that changed (or of
    a field the case no longer sees) are rewritten, the others left alone."""
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    if not changed:
        return
    if old:
        kept = [field.id for key, field in definitions.items() if key not in changed and key in new]
        session.execute(
            delete(CaseFieldValue)
            .where(CaseFieldValue.case_id == case_id, CaseFieldValue.field_id.not_in(kept))
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
        for key, definition in definitions.items()
        if key in changed and new.get(key) is not None
        for position, (text, number) in enumerate(
            field_values.index_rows(definition.type, new[key], definition.is_multi)
        )
    ]
    if rows:
        session.execute(insert(CaseFieldValue.__table__), rows)


def missing_required(definitions: Definitions, values: dict[str, Any]) -> list[str]:
    """Keys of the active required-to-close fields among `definitions` that `values` leaves without a value."""
    required = [f for f in definitions.values() if f.active and f.required_to_close and _blank(values.get(f.key))]
    return [f.key for f in sorted(required, key=lambda f: (f.position, f.key))]


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


# Definitions


@dataclass(frozen=True, slots=True)
class Scope:
    """Where definitions live: a project's own fields, or those of a case type (then `case_type` is set)."""

    workspace_id: uuid.UUID
    project_id: uuid.UUID | None
    case_type: CaseType | None = None

    @property
    def owns(self) -> ColumnElement[bool]:
        if self.case_type is not None:
            return FieldDefinition.case_type_id == self.case_type.id
        return FieldDefinition.project_id == self.project_id

    @property
    def type_id(self) -> uuid.UUID | None:
        """The id the type shows (STANDARD's alias), for the views."""
        return self.case_type.public_id if self.case_type is not None else None

    def seen_with(self, key: str) -> ColumnElement[bool]:
        """The fields a case seeing this scope's fields would also see under `key`."""
        same_key = and_(FieldDefinition.workspace_id == self.workspace_id, FieldDefinition.key == key)
        if self.case_type is None:
            assert self.project_id is not None  # a project's own fields
            visible_types = select(CaseType.id).where(
                CaseType.workspace_id == self.workspace_id, lookup.visible_to(self.project_id)
            )
            return and_(same_key, or_(self.owns, FieldDefinition.case_type_id.in_(visible_types)))
        if self.case_type.project_id is None:
            # A workspace-level type: every project's fields.
            return and_(same_key, or_(self.owns, FieldDefinition.project_id.is_not(None)))
        return and_(same_key, or_(self.owns, FieldDefinition.project_id == self.case_type.project_id))


def project_scope(session: Session, actor: Actor, project_ref: str, lock: bool = False) -> Scope:
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=lock)
    return Scope(actor.workspace_id, project.id)


def type_scope(session: Session, actor: Actor, type_ref: str, lock: bool = False) -> Scope:
    """A case type of the workspace by id (STANDARD's alias included), or a workspace-level one by name."""
    case_type = lookup.find(session, actor.workspace_id, None, type_ref, by_id_anywhere=True)
    if case_type is None:
        raise NotFound("case type", type_ref)
    if lock:
        session.execute(select(CaseType.id).where(CaseType.id == case_type.id).with_for_update())
    return Scope(actor.workspace_id, case_type.project_id, case_type)


def find_field(session: Session, scope: Scope, key: str) -> FieldDefinition:
    """A field of the scope by key, else by handle, else by id (a key may be all digits or a UUID: it wins)."""
    field = session.scalar(select(FieldDefinition).where(scope.owns, FieldDefinition.key == key))
    if field is None and (number := as_handle(key)) is not None:
        field = session.scalar(select(FieldDefinition).where(scope.owns, FieldDefinition.number == number))
    if field is None and (field_id := _as_uuid(key)) is not None:
        field = session.scalar(select(FieldDefinition).where(scope.owns, FieldDefinition.id == field_id))
    if field is None:
        raise NotFound("custom field", key)
    return field


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def scope_fields(session: Session, scope: Scope) -> list[FieldDefinition]:
    query = select(FieldDefinition).where(scope.owns)
    return list(session.scalars(query.order_by(FieldDefinition.position, FieldDefinition.key)))


def list_fields(session: Session, actor: Actor, project_ref: str) -> list[FieldDefinition]:
    actor.require_case_read()
    return scope_fields(session, project_scope(session, actor, project_ref))


def get_field(session: Session, actor: Actor, project_ref: str, key: str) -> FieldDefinition:
    actor.require_case_read()
    return find_field(session, project_scope(session, actor, project_ref), key)


def create_field(session: Session, actor: Actor, project_ref: str, data: FieldCreate) -> FieldDefinition:
    actor.require_case_admin()
    return add_field(session, actor, project_scope(session, actor, project_ref, lock=True), data)


def update_field(session: Session, actor: Actor, project_ref: str, key: str, data: FieldUpdate) -> FieldDefinition:
    actor.require_case_admin()
    return change_field(session, actor, project_scope(session, actor, project_ref), key, data)


def delete_field(session: Session, actor: Actor, project_ref: str, key: str) -> None:
    actor.require_case_admin()
    remove_field(session, project_scope(session, actor, project_ref), key)


# A case type's fields: each answer carries the id the type shows, for the views.


def list_type_fields(session: Session, actor: Actor, type_ref: str) -> tuple[uuid.UUID | None, list[FieldDefinition]]:
    actor.require_case_read()
    scope = type_scope(session, actor, type_ref)
    return scope.type_id, scope_fields(session, scope)


def list_fields_of_types(session: Session, actor: Actor) -> list[tuple[uuid.UUID, FieldDefinition]]:
    """The fields of every case type of the workspace (deleted types' too), each with the id its type shows, by
    type then position."""
    actor.require_case_read()
    query = (
        select(CaseType, FieldDefinition)
        .join(FieldDefinition, FieldDefinition.case_type_id == CaseType.id)
        .where(CaseType.workspace_id == actor.workspace_id)
        .order_by(CaseType.builtin.desc(), CaseType.id, FieldDefinition.position, FieldDefinition.key)
    )
    return [(case_type.public_id, field) for case_type, field in session.execute(query)]


def get_type_field(session: Session, actor: Actor, type_ref: str, key: str) -> tuple[uuid.UUID | None, FieldDefinition]:
    actor.require_case_read()
    scope = type_scope(session, actor, type_ref)
    return scope.type_id, find_field(session, scope, key)


def create_type_field(
    session: Session, actor: Actor, type_ref: str, data: FieldCreate, options_later: bool = False
) -> tuple[uuid.UUID | None, FieldDefinition]:
    """`options_later`: a select field may come without options, given by a later update (APIs whose fields are
    made so); it takes no value until then."""
    actor.require_case_admin()
    scope = type_scope(session, actor, type_ref, lock=True)
    return scope.type_id, add_field(session, actor, scope, data, options_later)


def update_type_field(
    session: Session, actor: Actor, type_ref: str, key: str, data: FieldUpdate
) -> tuple[uuid.UUID | None, FieldDefinition]:
    actor.require_case_admin()
    scope = type_scope(session, actor, type_ref)
    return scope.type_id, change_field(session, actor, scope, key, data)


def delete_type_field(session: Session, actor: Actor, type_ref: str, key: str) -> None:
    actor.require_case_admin()
    remove_field(session, type_scope(session, actor, type_ref), key)


def add_field(
    session: Session, actor: Actor, scope: Scope, data: FieldCreate, options_later: bool = False
) -> FieldDefinition:
    """A new field in `scope`, whose row the caller has locked so that two creations cannot both pass the cap."""
    count = session.scalar(select(func.count()).where(scope.owns)) or 0
    if count >= MAX_FIELDS_PER_PROJECT:
        raise LimitExceeded("fields", MAX_FIELDS_PER_PROJECT, _("fields per project or case type"))
    if session.scalar(select(exists().where(scope.seen_with(data.key)))):
        raise Conflict(_("a field with the key {key} is already seen by the same cases", key=data.key))
    if data.is_multi and data.type not in MULTI_TYPES:
        raise InvalidInput.field("is_multi", _("only text, url, number and decimal fields hold several values"))
    if data.position is not None:
        position = data.position
    else:
        last = session.scalar(select(func.max(FieldDefinition.position)).where(scope.owns))
        position = 0 if last is None else last + 1
    now = utcnow()
    field = FieldDefinition(
        workspace_id=actor.workspace_id,
        project_id=None if scope.case_type is not None else scope.project_id,
        case_type_id=scope.case_type.id if scope.case_type is not None else None,
        key=data.key,
        label=data.label,
        description=data.description,
        type=data.type,
        is_multi=data.is_multi,
        required=data.required,
        required_to_close=data.required_to_close,
        pattern=_checked_pattern(data.type, data.pattern),
        options=_checked_options(data.type, [option.stored() for option in data.options], options_later),
        active=data.active,
        owner=data.owner,
        position=position,
        created_at=now,
        updated_at=now,
    )
    field.default_value = _checked_default(session, actor, field, data.default)
    session.add(field)
    session.flush()
    return field


def change_field(session: Session, actor: Actor, scope: Scope, key: str, data: FieldUpdate) -> FieldDefinition:
    field = find_field(session, scope, key)
    given = data.model_fields_set
    for name in ("key", "type", "is_multi", "owner"):
        if name in given and getattr(data, name) != getattr(field, name):
            raise InvalidInput.field(name, _("cannot be changed once the field exists"))
    if "options" in given:
        if data.options is None:
            raise InvalidInput.field("options", _("must not be null"))
        options = _checked_options(field.type, [option.stored() for option in data.options])
        _check_removed_options(session, field, options)
        field.options = options
    if "pattern" in given:
        field.pattern = _checked_pattern(field.type, data.pattern)
    if "description" in given:
        field.description = data.description
    default = data.default if "default" in given else field.default_value
    if given & {"default", "options", "pattern"}:
        field.default_value = _checked_default(session, actor, field, default)
    for name in ("label", "required", "required_to_close", "active", "position"):
        if name in given:
            value = getattr(data, name)
            if value is None:
                raise InvalidInput.field(name, _("must not be null"))
            setattr(field, name, value)
    field.updated_at = utcnow()
    session.flush()
    return field


def remove_field(session: Session, scope: Scope, key: str) -> None:
    field = find_field(session, scope, key)
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
    _checked_default(session, actor, field, value, name)


def _checked_pattern(field_type: str, pattern: str | None) -> str | None:
    if pattern is None:
        return None
    if field_type not in PATTERN_TYPES:
        raise InvalidInput.field("pattern", _("only text, long_text and url fields take a pattern"))
    try:
        field_values.check_pattern(pattern)
    except field_values.Refused as exc:
        raise InvalidInput.field("pattern", exc.message) from None
    return pattern


def _checked_options(
    field_type: str, options: list[dict[str, Any]], options_later: bool = False
) -> list[dict[str, Any]]:
    if field_type not in field_values.OPTION_TYPES:
        if options:
            raise InvalidInput.field("options", _("only select fields take options"))
        return []
    if not options and options_later:
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


def _checked_default(session: Session, actor: Actor, field: FieldDefinition, value: Any, name: str = "default") -> Any:
    if value is None:
        return None
    try:
        stored = _canonical(field, value)
    except field_values.Refused as exc:
        raise InvalidInput.field(name, exc.message) from None
    if field.type == "user" and _inactive_users(session, actor.workspace_id, {name: stored}):
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
    held = sorted({value for value in session.scalars(query.limit(MAX_OPTIONS)) if value is not None})
    if held:
        raise Conflict(_("cases still hold the options {options}; keep them", options=", ".join(held)))


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's searchable field values, as the case is deleted for good (casework.deletion)."""
    session.execute(delete(CaseFieldValue.__table__).where(CaseFieldValue.case_id == case_id))


def delete_for_project(session: Session, project_id: uuid.UUID) -> None:
    """A deleted project's field definitions: its own and those of its case types."""
    project_types = select(CaseType.id).where(CaseType.project_id == project_id)
    session.execute(delete(FieldDefinition).where(FieldDefinition.case_type_id.in_(project_types)))
    session.execute(delete(FieldDefinition).where(FieldDefinition.project_id == project_id))
