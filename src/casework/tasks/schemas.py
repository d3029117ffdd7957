"""A case's tasks: a checklist in the case's own order.

Limits: at most 500 tasks per case (MAX_TASKS_PER_CASE), a description of 1..10,000 characters, at most 10
assignees, each an active user of the workspace.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.cases.schemas import Assignees
from casework.descriptions import CASE_ID, CREATED_AT, CREATED_BY, ID, ITEMS, NEXT_CURSOR, UPDATED_AT
from casework.inputs import Moment, StrictInput, not_blank, unique_items
from casework.tasks.records import TaskRecord

MAX_TASKS_PER_CASE = 500
MAX_DESCRIPTION = 10_000


TaskDescription = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DESCRIPTION), AfterValidator(not_blank)]


TASK_DESCRIPTION = "What is to be done, 1 to 10,000 characters."
TASK_ASSIGNEES = "Users of the workspace doing the task, by id (at most 10)."
TASK_DUE = "When the task should be done; null for no date."
COMPLETED = "Whether the task is done: completing stamps completed_at and completed_by, reopening clears them."


class TaskCreate(StrictInput):
    description: TaskDescription = Field(description="What is to be done, 1 to 10,000 characters.")
    assignees: Assignees = []
    due_date: Moment | None = Field(default=None, description="When the task should be done (ISO 8601).")


class TaskUpdate(StrictInput):
    """Only the fields present change. Completing stamps completed_by/completed_at; reopening clears them."""

    description: TaskDescription | None = Field(default=None, description=TASK_DESCRIPTION)
    assignees: Assignees | None = Field(default=None, description=TASK_ASSIGNEES)
    due_date: Moment | None = Field(default=None, description=TASK_DUE)
    completed: bool | None = Field(default=None, description=COMPLETED)

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
    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The task's integer handle: accepted wherever its id is.")
    case_id: uuid.UUID = Field(description=CASE_ID)
    description: str = Field(description=TASK_DESCRIPTION)
    assignees: list[uuid.UUID] = Field(description=TASK_ASSIGNEES)
    completed: bool = Field(description=COMPLETED)
    completed_at: datetime | None = Field(description="When it was completed; null while open.")
    completed_by: uuid.UUID | None = Field(description="Who completed it; null while open.")
    due_date: datetime | None = Field(description=TASK_DUE)
    position: int = Field(
        description="Its place in the case's checklist, which lists tasks by position (POST .../tasks/reorder sets it)."
    )
    created_at: datetime = Field(description=CREATED_AT)
    created_by: uuid.UUID = Field(description=CREATED_BY)
    updated_at: datetime = Field(description=UPDATED_AT)


class TaskPage(BaseModel):
    items: list[TaskRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


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
