"""Closure conditions: a case closes only when every condition of its own and of its project holds.

Conditions are checked, in this order: the case's own `closure_conditions`, the project's `closure_conditions`,
then one built-in condition per active required-to-close custom field left empty ("required field: KEY").
A formula that fails at run time (comparing a date with null, say) counts as failing, with its error.

Formulas see one name, `team_case`: the native case view (see `casework.cases.schemas.case_view`) as the case
would be after the write, with these entries replaced or added:

    assignees        [{id, email, name}] in the case's order (email and name null for an unknown user)
    tasks            [{id, title, description, completed, status: "completed"|"open", completed_at, due_date,
                       assignees}] in the case's order, at most MAX_TASKS
    status           the status name ("In progress"); the view's group is `status_group`
    status_group     open | in_progress | closed
    status_category  new | open | pending | on_hold | resolved | closed
    priority         P1..P5 or null
    tags, metadata, fields   as in the view ({} / [] when empty)

e.g. `=SIZE(team_case.assignees) > 0`, `=AND(team_case.tasks[0].completed, IS_PRESENT(team_case.fields.cause))`.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.auth.models import User
from casework.cases.models import Case
from casework.db.base import utcnow
from casework.projects.models import Project
from casework.tasks.models import Task
from casework.workflow import formula
from casework.workflow.fields.service import fields_of_case, missing_required

MAX_TASKS = 500

Source = Literal["case", "project", "required_field"]


@dataclass(frozen=True)
class ConditionResult:
    name: str
    formula: str | None  # None for a built-in required-field condition
    source: Source
    passed: bool
    error: str | None  # the formula's run-time error (an i18n Message), when it raised one


def required_field_name(key: str) -> str:
    # A stable identifier, like the names users give their conditions; not translated.
    return f"required field: {key}"


def evaluate_conditions(
    session: Session, case: Case, project: Project, view: dict[str, Any], now: datetime | None = None
) -> list[ConditionResult]:
    """Every closure condition of the case and its project, evaluated against `view`, in order."""
    formulas: list[tuple[dict[str, Any], Source]] = [(c, "case") for c in view.get("closure_conditions") or []]
    formulas += [(c, "project") for c in project.closure_conditions or []]
    results = []
    if formulas:
        context = {"team_case": formula_context(session, case, view)}
        moment = now or utcnow()
        results = [_evaluate(c["name"], c["formula"], source, context, moment) for c, source in formulas]
    definitions = fields_of_case(session, project, view.get("type") or case.type)
    for key in missing_required(definitions, view.get("fields") or {}):
        results.append(ConditionResult(required_field_name(key), None, "required_field", False, None))
    return results


def failing_conditions(session: Session, case: Case, project: Project, view: dict[str, Any]) -> list[str]:
    """Names of the conditions that do not hold for `view` (the case as it would be after the write)."""
    failing = [r.name for r in evaluate_conditions(session, case, project, view) if not r.passed]
    return list(dict.fromkeys(failing))  # a name the case and its project share is listed once


def _evaluate(name: str, source: str, kind: Source, context: dict[str, Any], now: datetime) -> ConditionResult:
    try:
        value = formula.evaluate(source, context, now=now)
    except formula.FormulaError as exc:
        return ConditionResult(name, source, kind, False, exc.message)
    return ConditionResult(name, source, kind, formula.truthy(value), None)


def formula_context(session: Session, case: Case, view: dict[str, Any]) -> dict[str, Any]:
    """`team_case` as formulas see it (shape in the module docstring)."""
    return {
        **view,
        "assignees": _users(session, case.workspace_id, view.get("assignees") or []),
        "tasks": _tasks(session, case.id),
        "status": view.get("status_name"),
        "status_group": view.get("status"),
        "status_category": view.get("status_category"),
        "priority": view.get("priority"),
        "tags": view.get("tags") or [],
        "metadata": view.get("metadata") or {},
        "fields": view.get("fields") or {},
    }


def _users(session: Session, workspace_id: uuid.UUID, ids: Iterable[Any]) -> list[dict[str, Any]]:
    wanted = [str(i) for i in ids]
    if not wanted:
        return []
    query = select(User.id, User.email, User.name).where(
        User.workspace_id == workspace_id, User.id.in_([uuid.UUID(i) for i in wanted])
    )
    found = {str(row.id): {"id": str(row.id), "email": row.email, "name": row.name} for row in session.execute(query)}
    return [found.get(i, {"id": i, "email": None, "name": None}) for i in wanted]


def _tasks(session: Session, case_id: uuid.UUID) -> list[dict[str, Any]]:
    query = select(Task).where(Task.case_id == case_id).order_by(Task.position, Task.id).limit(MAX_TASKS)
    return [
        {
            "id": str(task.id),
            # Tines tasks have a title; ours have a description: both names work.
            "title": task.description,
            "description": task.description,
            "completed": task.completed,
            "status": "completed" if task.completed else "open",
            "completed_at": task.completed_at,
            "due_date": task.due_date,
            "assignees": task.assignee_ids,
        }
        for task in session.scalars(query)
    ]
