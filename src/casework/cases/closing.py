"""The rules of entering a resolved or closed status: a resolution where the project requires one, no pending
override request, and every closure condition met unless a manager or an admin overrides them (logged)."""

import uuid
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from casework.activity import service as activity
from casework.auth.service import Actor
from casework.cases.models import Case
from casework.errors import ClosureBlocked, Conflict, InvalidInput
from casework.i18n import _
from casework.projects.models import Project
from casework.workflow.conditions import evaluation as conditions
from casework.workflow.overrides.models import OverrideRequest
from casework.workflow.statuses.models import CaseStatus


def check_resolution(project: Project, status: CaseStatus, resolution: str | None) -> None:
    if project.resolution_required and status.category in ("resolved", "closed") and not (resolution or "").strip():
        raise InvalidInput.field(
            "resolution", _("the project requires a resolution to enter the status {status}", status=status.name)
        )


def check_closable(
    session: Session, actor: Actor, case: Case, project: Project, view: dict[str, Any], override: bool
) -> list[str]:
    """Closing needs no pending override request and every closure condition met, unless a manager or an admin
    overrides the conditions; returns the conditions so overridden."""
    if has_pending_override(session, case.id):
        raise Conflict(_("the case has a pending override request; accept, refuse or cancel it before closing"))
    failing = conditions.failing_conditions(session, case, project, view)
    if failing and not override:
        raise ClosureBlocked(failing)
    if failing:
        actor.require_case_admin()
    return failing


def has_pending_override(session: Session, case_id: uuid.UUID) -> bool:
    pending = exists().where(OverrideRequest.case_id == case_id, OverrideRequest.state == "pending")
    return bool(session.scalar(select(pending)))


def log_override(session: Session, actor: Actor, case_id: uuid.UUID, failing: list[str]) -> None:
    activity.record_all(session, actor, override_entries(case_id, failing))


def override_entries(case_id: uuid.UUID, failing: list[str]) -> list[activity.Entry]:
    """The activity entry of closure conditions overridden, if any were."""
    if not failing:
        return []
    return [activity.Entry(case_id, "closure_conditions_overridden", {"conditions": [failing, None]})]
