"""The closure report: where a case stands against its closure conditions (casework.workflow.conditions.evaluation)."""

from typing import Any

from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import closing
from casework.cases import service as cases
from casework.cases.records import case_record
from casework.cases.schemas import case_view
from casework.projects.models import Project
from casework.workflow.conditions.evaluation import evaluate_conditions


def closure_report(session: Session, actor: Actor, ref: str) -> dict[str, Any]:
    """Where the case stands: every condition with its result, any pending override request (which also blocks
    closing), and whether the case may close now."""
    case = cases.visible_case(session, actor, ref)
    project = session.get_one(Project, case.project_id)
    results = evaluate_conditions(session, case, project, case_view(case_record(case)))
    pending_override = closing.has_pending_override(session, case.id)
    return {
        "closable": all(r.passed for r in results) and not pending_override,
        "pending_override": pending_override,
        "conditions": [
            {"name": r.name, "formula": r.formula, "source": r.source, "passed": r.passed, "error": r.error}
            for r in results
        ],
    }
