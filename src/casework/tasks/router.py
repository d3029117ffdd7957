"""/api/v1/cases/{ref}/tasks: a case's checklist. Writes accept If-Match with the case version and answer
with the case's new version as ETag. At most 500 tasks per case (422 naming `tasks` beyond)."""

from typing import Annotated

from fastapi import Path, Request, Response

from casework.content.kind import ContentKind, add_list_route
from casework.http import DB, CaseRef, CurrentActor, IfMatch, JSONResponse, NativeRouter, etag, url_for
from casework.tasks import service
from casework.tasks.schemas import TaskCreate, TaskPage, TaskRead, TaskReorder, TaskUpdate, task_view

router = NativeRouter(prefix="/cases/{ref}/tasks", tags=["tasks"])
CONTENT = ContentKind("tasks", service.list_tasks, task_view)
TaskId = Annotated[str, Path(description="The task's id (a UUID).")]

add_list_route(router, "", CONTENT, TaskPage, "The case's tasks in their order.")


@router.post("", status_code=201, response_model=TaskRead)
async def add_task(
    request: Request, ref: CaseRef, body: TaskCreate, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Add a task at the end of the list. A case holds at most 500 tasks: one more is refused with 422."""
    task, version = await db.write(service.add_task, actor, ref, body, expected)
    location = url_for(request, "get_task", ref=ref, task_id=str(task.id))
    return JSONResponse(task_view(task), 201, headers={"ETag": etag(version), "Location": location})


@router.post("/reorder", response_model=TaskPage)
async def reorder_tasks(ref: CaseRef, body: TaskReorder, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Set the order: `task_ids` must name every task of the case exactly once. Answers with all of them."""
    tasks, version = await db.write(service.reorder_tasks, actor, ref, body.task_ids, expected)
    return JSONResponse({"items": [task_view(t) for t in tasks], "next_cursor": None}, headers={"ETag": etag(version)})


@router.get("/{task_id}", response_model=TaskRead)
async def get_task(ref: CaseRef, task_id: TaskId, actor: CurrentActor, db: DB) -> Response:
    """One task of the case."""
    return JSONResponse(task_view(await db.read(service.get_task, actor, ref, task_id)))


@router.patch("/{task_id}", response_model=TaskRead)
async def update_task(
    ref: CaseRef, task_id: TaskId, body: TaskUpdate, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Edit description, assignees, due date; `completed` true/false completes or reopens the task."""
    task, version = await db.write(service.update_task, actor, ref, task_id, body, expected)
    return JSONResponse(task_view(task), headers={"ETag": etag(version)})


@router.delete("/{task_id}", status_code=204)
async def delete_task(ref: CaseRef, task_id: TaskId, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Delete the task; the others keep their order."""
    version = await db.write(service.delete_task, actor, ref, task_id, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
