"""Configuration changes whose rules read cases: refused while cases hold what they would change (a status, a type's
name), or followed by the SLA clocks of the project's open cases (its policies, its warning share). Configuration
sits below cases, so its services take what they need of the cases from here, and entry points call these."""

import uuid
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.models import Case
from casework.db.base import utcnow
from casework.projects import service as projects
from casework.projects.lookup import resolve_project
from casework.projects.models import Project
from casework.projects.schemas import ProjectUpdate
from casework.workflow.case_types import service as case_types
from casework.workflow.case_types.models import CaseType
from casework.workflow.case_types.schemas import CaseTypeUpdate
from casework.workflow.slas import service as slas
from casework.workflow.slas.models import CaseSla, SlaPolicy
from casework.workflow.slas.schemas import SlaPolicySet
from casework.workflow.statuses import service as statuses
from casework.workflow.statuses.models import CaseStatus
from casework.workflow.statuses.schemas import StatusUpdate

# Projects and SLA policies


def update_project(session: Session, actor: Actor, ref: str, data: ProjectUpdate) -> Project:
    project, warning_moved = projects.change_project(session, actor, ref, data)
    if warning_moved:
        retarget_project_clocks(session, project, project.updated_at)
    return project


def replace_sla_policies(
    session: Session, actor: Actor, ref: str, data: SlaPolicySet, now: datetime | None = None
) -> tuple[Project, list[SlaPolicy]]:
    """The project's policies become `data`; the clocks of its open cases follow at once."""
    now = now or utcnow()
    project, policies = slas.replace_policies(session, actor, ref, data, now)
    retarget_project_clocks(session, project, now)
    return project, policies


def retarget_project_clocks(session: Session, project: Project, now: datetime) -> None:
    """After the project's policies or warning share change: every open case's clocks follow them, in one go."""
    # Writers of these cases wait until this is done (and this waits for them), so no clock follows a stale priority.
    cases = session.execute(
        select(Case.id, Case.workspace_id, Case.priority_rank, Case.status_category, Case.first_response_at)
        .where(Case.project_id == project.id, Case.closed_at.is_(None))
        .with_for_update(key_share=True)
    ).all()
    if not cases:
        return
    clocks: dict[uuid.UUID, list[CaseSla]] = {}
    query = (
        select(CaseSla)
        .join(Case, Case.id == CaseSla.case_id)
        .where(Case.project_id == project.id, Case.closed_at.is_(None))
        .with_for_update(of=CaseSla)
        .execution_options(populate_existing=True)
    )
    for clock in session.scalars(query):
        clocks.setdefault(clock.case_id, []).append(clock)
    policies = slas.project_policies_by_rank(session, project.id)
    for case_id, workspace_id, rank, category, first_response_at in cases:
        state = slas.CaseState(case_id, workspace_id, rank, category, False, first_response_at is not None)
        slas.reconcile(
            session, state, clocks.get(case_id, []), policies.get(rank, {}), project.sla_warning_percent, now
        )
    session.flush()


# Statuses


def update_status(session: Session, actor: Actor, project_ref: str, status_ref: str, data: StatusUpdate) -> CaseStatus:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    status = statuses.find_status(statuses.project_statuses(session, project.id), status_ref)
    regrouped = (data.group or status.group, data.category or status.category) != (status.group, status.category)
    held = _cases_in_status(session, status) if regrouped else 0
    return statuses.update_status(session, actor, project_ref, status_ref, data, cases_holding=held)


def delete_status(session: Session, actor: Actor, project_ref: str, status_ref: str) -> None:
    actor.require_case_admin()
    project = resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    status = statuses.find_status(statuses.project_statuses(session, project.id), status_ref)
    statuses.delete_status(session, actor, project_ref, status_ref, cases_holding=_cases_in_status(session, status))


def _cases_in_status(session: Session, status: CaseStatus) -> int:
    query = (
        select(func.count())
        .select_from(Case)
        .where(Case.workspace_id == status.workspace_id, Case.status_id == status.id)
    )
    return session.scalar(query) or 0


# Case types


def update_type(session: Session, actor: Actor, project_ref: str, type_ref: str, data: CaseTypeUpdate) -> CaseType:
    case_type = case_types.project_type(session, actor, project_ref, type_ref)
    held = _held_if_renamed(session, case_type, data)
    return case_types.change_type(session, actor, case_type, data, held_by_cases=held)


def update_workspace_type(session: Session, actor: Actor, type_ref: str, data: CaseTypeUpdate) -> CaseType:
    case_type = case_types.workspace_type(session, actor, type_ref)
    held = _held_if_renamed(session, case_type, data)
    return case_types.change_type(session, actor, case_type, data, held_by_cases=held)


def _held_if_renamed(session: Session, case_type: CaseType, data: CaseTypeUpdate) -> bool:
    if data.name is None or data.name == case_type.name:
        return False
    # A rare configuration write: an EXISTS stops at the first case of the type.
    if case_type.project_id is not None:
        scope = Case.project_id == case_type.project_id
    else:
        scope = Case.workspace_id == case_type.workspace_id
    return bool(session.scalar(select(exists().where(scope, Case.type == case_type.name))))
