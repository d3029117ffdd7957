"""A case's tasks: a checklist in the case's own order.

Limits: at most 500 tasks per case (MAX_TASKS_PER_CASE), a description of 1..10,000 characters, at most 10
assignees, each an active user of the workspace.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.cases.schemas import Assignees
from casework.inputs import Moment, StrictInput, not_blank, unique_items
from casework.tasks.records import TaskRecord

MAX_TASKS_PER_CASE = 500
MAX_DESCRIPTION = 10_000


TaskDescription = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_DESCRIPTION), AfterValidator(not_blank)
]


class TaskCreate(StrictInput):
    description: TaskDescription = Field(description="What is to be done, 1 to 10,000 characters.")
    assignees: Assignees = []
    due_date: Moment | None = Field(default=None, description="When the task should be done (ISO 8601).")


class TaskUpdate(StrictInput):
    """Only the fields present change. Completing stamps completed_by/completed_at; reopening clears them."""

    description: TaskDescription | None = None
    assignees: Assignees | None = None
    due_date: Moment | None = None
    completed: bool | None = None

    def changed_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


NON_NULLABLE_FIELDS = frozenset({"description", "assignees", "completed"})


class TaskReorder(StrictInput):
    task_ids: Annotated[
        list[uuid.UUID],
        Field(max_length=MAX_TASKS_PER_CASE, description="Every task of the case, each once, in the new order."),
        AfterValidator(unique_items),
    ]


class TaskRead(BaseModel):
    id: uuid.UUID
    number: int = Field(description="The task's integer handle: accepted wherever its id is.")
    case_id: uuid.UUID
    description: str
    assignees: list[uuid.UUID]
    completed: bool
    completed_at: datetime | None
    completed_by: uuid.UUID | None
    due_date: datetime | None
    position: int
    created_at: datetime
    created_by: uuid.UUID
    updated_at: datetime


class TaskPage(BaseModel):
    items: list[TaskRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


def task_view(task: TaskRecord) -> dict[str, Any]:
    return {
        "id": str(task.id),
        "number": task.number,
        "case_id": str(task.case_id),
        "description": task.description,
        "assignees": [str(a) for a in task.assignees],
        "completed": task.completed,
        "completed_at": task.completed_at,
        "completed_by": str(task.completed_by) if task.completed_by else None,
        "due_date": task.due_date,
        "position": task.position,
        "created_at": task.created_at,
        "created_by": str(task.created_by),
        "updated_at": task.updated_at,
    }
