"""A case's tasks: adding, editing, completing, ordering and removing them.

Every write locks the case first (cases.service.lock_case_for_change) and ends with record_change, which
bumps the case version, moves the case's tasks_open/tasks_done counters and logs the activity entry.
At most MAX_TASKS_PER_CASE tasks per case, counted from those counters (no list is read to count).
"""

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, literal, select, tuple_, update
from sqlalchemy.orm import Session

from casework.auth.service import Actor, existing_user_ids
from casework.cases import service as cases
from casework.cases.records import CaseIdentity
from casework.db.base import new_id, utcnow
from casework.db.handles import insert_with_handle
from casework.errors import InvalidInput, LimitExceeded
from casework.i18n import _, joined
from casework.pagination import after_position, page_of
from casework.tasks.models import Task
from casework.tasks.records import TaskRecord, task_record
from casework.tasks.schemas import MAX_TASKS_PER_CASE, NON_NULLABLE_FIELDS, TaskCreate, TaskUpdate

# Positions are INTEGER columns: a cursor holding anything past them is no cursor this server issued.
_POSITION_RANGE = range(-(2**31), 2**31)


def _check_assignees(session: Session, actor: Actor, assignees: Iterable[uuid.UUID]) -> None:
    wanted = set(assignees)
    unknown = wanted - existing_user_ids(session, actor.workspace_id, wanted)
    if unknown:
        ids = ", ".join(sorted(map(str, unknown)))
        raise InvalidInput.field("assignees", _("not active users of this workspace: {ids}", ids=ids))


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _find_task(session: Session, case: CaseIdentity, task_id: str | uuid.UUID) -> Task:
    return cases.find_in_case(session, Task, case, task_id, "task", refresh=False)


# Reading


def get_task(session: Session, actor: Actor, ref: str, task_id: str) -> TaskRecord:
    case = cases.visible_case(session, actor, ref)
    return task_record(_find_task(session, case, task_id))


def list_tasks(
    session: Session, actor: Actor, ref: str, cursor: str | None = None, limit: int = 50
) -> tuple[list[TaskRecord], str | None]:
    """The case's tasks in their order (position, then id)."""
    case = cases.visible_case(session, actor, ref)
    query = select(Task).where(Task.case_id == case.id)
    after = after_position(cursor, _POSITION_RANGE)
    if after is not None:
        position, last_id = after
        key = tuple_(Task.position, Task.id)
        query = query.where(key > tuple_(literal(position, Task.position.type), literal(last_id, Task.id.type)))
    rows = [task_record(t) for t in session.scalars(query.order_by(Task.position, Task.id).limit(limit + 1))]
    return page_of(rows, limit, lambda task: [task.position, str(task.id)])


# Writing


def add_task(
    session: Session,
    actor: Actor,
    ref: str,
    data: TaskCreate,
    expected_version: int | None = None,
) -> tuple[TaskRecord, int]:
    """Append a task at the end of the case's list; returns it and the case's new version."""
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    if case.tasks_open + case.tasks_done >= MAX_TASKS_PER_CASE:
        raise LimitExceeded("tasks", MAX_TASKS_PER_CASE, _("tasks per case"))
    _check_assignees(session, actor, data.assignees)
    # One index lookup on (case_id, position): the list itself is never read to append to it.
    last = session.scalar(select(func.max(Task.position)).where(Task.case_id == case.id))
    now = utcnow()
    values: dict[str, Any] = {
        "id": new_id(),
        "workspace_id": actor.workspace_id,
        "case_id": case.id,
        "description": data.description,
        "assignee_ids": [str(a) for a in data.assignees],
        "completed": False,
        "completed_at": None,
        "completed_by": None,
        "due_date": _utc(data.due_date),
        "position": 0 if last is None else last + 1,
        "created_at": now,
        "created_by": actor.user_id,
        "updated_at": now,
    }
    values["number"] = insert_with_handle(session, Task.__table__, values)
    task = Task(**values)
    changes: dict[str, Any] = {"task_id": [None, task.id], "description": [None, task.description]}
    if data.assignees:
        changes["assignees"] = [None, task.assignee_ids]
    if task.due_date is not None:
        changes["due_date"] = [None, task.due_date]
    version = cases.record_change(session, actor, case, "task_added", changes, {"tasks_open": 1})
    return task_record(task), version


def update_task(
    session: Session,
    actor: Actor,
    ref: str,
    task_id: str,
    data: TaskUpdate,
    expected_version: int | None = None,
) -> tuple[TaskRecord, int]:
    """Apply the fields present; a request that changes nothing writes nothing. Returns the task and the case
    version."""
    requested = data.changed_fields()
    for field, value in requested.items():
        if value is None and field in NON_NULLABLE_FIELDS:
            raise InvalidInput.field(field, _("must not be null"))
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    task = _find_task(session, case, task_id)
    if "assignees" in requested:
        _check_assignees(session, actor, requested["assignees"])
        requested["assignees"] = [str(a) for a in requested["assignees"]]
    if "due_date" in requested:
        requested["due_date"] = _utc(requested["due_date"])
    current = {
        "description": task.description,
        "assignees": list(task.assignee_ids),
        "due_date": task.due_date,
        "completed": task.completed,
    }
    changes: dict[str, Any] = {f: [current[f], v] for f, v in requested.items() if current[f] != v}
    if not changes:
        return task_record(task), case.version
    now = utcnow()
    counts: dict[str, int] = {}
    action = "task_updated"
    if "description" in changes:
        task.description = changes["description"][1]
    if "assignees" in changes:
        task.assignee_ids = changes["assignees"][1]
    if "due_date" in changes:
        task.due_date = changes["due_date"][1]
    if "completed" in changes:
        completing = bool(changes["completed"][1])
        task.completed = completing
        task.completed_at = now if completing else None
        task.completed_by = actor.user_id if completing else None
        counts = {"tasks_open": -1, "tasks_done": 1} if completing else {"tasks_open": 1, "tasks_done": -1}
        action = "task_completed" if completing else "task_reopened"
    task.updated_at = now
    session.flush()
    version = cases.record_change(session, actor, case, action, {"task_id": [task.id, task.id], **changes}, counts)
    return task_record(task), version


def delete_task(
    session: Session,
    actor: Actor,
    ref: str,
    task_id: str,
    expected_version: int | None = None,
) -> int:
    """Remove the task; returns the case's new version."""
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    task = _find_task(session, case, task_id)
    session.execute(delete(Task.__table__).where(Task.__table__.c.id == task.id))
    changes = {"task_id": [task.id, None], "description": [task.description, None]}
    counts = {"tasks_done": -1} if task.completed else {"tasks_open": -1}
    return cases.record_change(session, actor, case, "task_deleted", changes, counts)


def reorder_tasks(
    session: Session,
    actor: Actor,
    ref: str,
    task_ids: list[uuid.UUID],
    expected_version: int | None = None,
) -> tuple[list[TaskRecord], int]:
    """Set the order: task_ids must name exactly the case's tasks. Positions become 0..n-1.

    Returns every task of the case (at most MAX_TASKS_PER_CASE) in the new order, and the case version.
    """
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    rows = list(session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.position, Task.id)))
    by_id = {row.id: row for row in rows}
    wanted = set(task_ids)
    if wanted != set(by_id) or len(task_ids) != len(rows):
        problems = []
        if missing := set(by_id) - wanted:
            problems.append(_("missing tasks of the case: {ids}", ids=", ".join(sorted(map(str, missing)))))
        if unknown := wanted - set(by_id):
            problems.append(_("not tasks of the case: {ids}", ids=", ".join(sorted(map(str, unknown)))))
        message = joined(problems) if problems else _("must name each task of the case once")
        raise InvalidInput.field("task_ids", message)
    old_order = [row.id for row in rows]
    ordered = [task_record(by_id[i]) for i in task_ids]
    if old_order == list(task_ids):
        return ordered, case.version
    moved = [{"b_id": task.id, "b_position": n} for n, task in enumerate(ordered) if task.position != n]
    table = Task.__table__
    if moved:
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(position=bindparam("b_position")), moved
        )
    ordered = [replace(task, position=n) for n, task in enumerate(ordered)]
    changes = {"task_ids": [old_order, list(task_ids)]}
    version = cases.record_change(session, actor, case, "tasks_reordered", changes, None)
    return ordered, version


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's tasks, as the case is deleted for good (casework.deletion)."""
    session.execute(delete(Task.__table__).where(Task.case_id == case_id))
