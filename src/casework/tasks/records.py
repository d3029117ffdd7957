"""What the tasks service hands out: plain values, read inside its unit of work."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from casework.tasks.models import Task


@dataclass(frozen=True, slots=True)
class TaskRecord:
    id: uuid.UUID
    number: int
    case_id: uuid.UUID
    description: str
    assignees: tuple[uuid.UUID, ...]
    completed: bool
    completed_at: datetime | None
    completed_by: uuid.UUID | None
    due_date: datetime | None
    position: int
    created_at: datetime
    created_by: uuid.UUID
    updated_at: datetime


def task_record(task: Task) -> TaskRecord:
    return TaskRecord(
        id=task.id,
        number=task.number,
        case_id=task.case_id,
        description=task.description,
        assignees=tuple(uuid.UUID(a) for a in task.assignee_ids),
        completed=task.completed,
        completed_at=task.completed_at,
        completed_by=task.completed_by,
        due_date=task.due_date,
        position=task.position,
        created_at=task.created_at,
        created_by=task.created_by,
        updated_at=task.updated_at,
    )
