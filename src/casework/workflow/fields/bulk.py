"""Setting one custom field on many cases at once, each case in its own savepoint (as cases.service.bulk_update).

Kept apart from fields.service: it writes through the cases service, which itself calls fields.service.
"""

from typing import Any

from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import service as cases
from casework.cases.schemas import CaseUpdate
from casework.errors import DomainError, InvalidInput
from casework.i18n import _
from casework.projects.service import resolve_project
from casework.workflow.fields import service as fields


def bulk_set(
    session: Session, actor: Actor, project_ref: str, key: str, value: Any, refs: list[str]
) -> list[cases.BulkOutcome]:
    """Set `key` to `value` (null clears) on each case: a case refused leaves the others set. The value is checked
    once first, so a value the field does not take refuses the whole request."""
    actor.require_case_write()
    project = resolve_project(session, actor.workspace_id, project_ref)
    field = fields.find_field(session, fields.Scope(actor.workspace_id, project.id), key)
    fields.check_value(session, actor, field, value)
    outcomes = []
    for ref in refs:
        try:
            with session.begin_nested():
                case = cases.find_case(session, actor.workspace_id, ref)
                if case.project_id != project.id:
                    # Another project may have a field of the same key: never set that one instead.
                    message = _("the case {ref} is not in the project {project}", ref=ref, project=project.key)
                    raise InvalidInput.field("cases", message)
                updated = cases.update_case(session, actor, case.id, CaseUpdate(fields={key: value}))
            outcomes.append(cases.BulkOutcome(ref, case=updated))
        except DomainError as exc:
            outcomes.append(cases.BulkOutcome(ref, error=exc))
    return outcomes
