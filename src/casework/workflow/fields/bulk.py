"""Setting one custom field on many cases at once, each case in its own savepoint (as casework.cases.bulk.bulk_update).

Kept apart from fields.service: it writes through the cases service, which itself calls fields.service.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import service as cases
from casework.cases.bulk import BulkOutcome
from casework.cases.models import Case
from casework.cases.schemas import CaseUpdate
from casework.errors import DomainError, InvalidInput
from casework.i18n import Message, _
from casework.projects.lookup import resolve_project
from casework.workflow.fields import service as fields


def bulk_set(
    session: Session, actor: Actor, project_ref: str, key: str, value: Any, refs: list[str]
) -> list[BulkOutcome]:
    """Set the project's field `key` to `value` (null clears) on each case: a case refused leaves the others set.
    The value is checked once first, so a value the field does not take refuses the whole request."""
    actor.require_case_write()
    project = resolve_project(session, actor.workspace_id, project_ref)

    def outside(case: Case, ref: str) -> Message | None:
        # Another project may have a field of the same key: never set that one instead.
        if case.project_id == project.id:
            return None
        return _("the case {ref} is not in the project {project}", ref=ref, project=project.key)

    return _set_each(session, actor, fields.Scope(actor.workspace_id, project.id), key, value, refs, outside)


def bulk_set_for_type(
    session: Session, actor: Actor, type_ref: str, key: str, value: Any, refs: list[str]
) -> list[BulkOutcome]:
    """The same for a case type's field, on cases of that type."""
    actor.require_case_write()
    scope = fields.type_scope(session, actor, type_ref)
    assert scope.case_type is not None
    case_type = scope.case_type

    def outside(case: Case, ref: str) -> Message | None:
        if case.type == case_type.name and case_type.project_id in (None, case.project_id):
            return None
        return _("the case {ref} is not of the type {type}", ref=ref, type=case_type.name)

    return _set_each(session, actor, scope, key, value, refs, outside)


def _set_each(
    session: Session,
    actor: Actor,
    scope: fields.Scope,
    key: str,
    value: Any,
    refs: list[str],
    outside: Callable[[Case, str], Message | None],
) -> list[BulkOutcome]:
    field = fields.find_field(session, scope, key)
    fields.check_value(session, actor, field, value)
    outcomes = []
    for ref in refs:
        try:
            with session.begin_nested():
                case = cases.find_case(session, actor.workspace_id, ref)
                if (refusal := outside(case, ref)) is not None:
                    raise InvalidInput.field("cases", refusal)
                updated = cases.update_case(session, actor, case.id, CaseUpdate(fields={key: value}))
            outcomes.append(BulkOutcome(ref, case=updated))
        except DomainError as exc:
            outcomes.append(BulkOutcome(ref, error=exc))
    return outcomes
