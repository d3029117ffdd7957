"""Comments on a case: `POST /api/v2/cases/{case_id}/comment` adds one and answers it as a timeline cell, first
of the answer's `data` (where Datadog's clients read it); `PUT` and `DELETE …/comment/{cell_id}` edit and remove
one (only its author or an admin). A cell id is a UUID, else 400."""

import uuid
from typing import Annotated, Any

from fastapi import Path, Response
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.comments import service
from casework.comments.schemas import Body, CommentCreate, CommentUpdate
from casework.dialects.datadog.inputs import CaseId, CaseRequest, DatadogInput
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.timelines import timeline_cells
from casework.dialects.dialect import DialectActor
from casework.http import DB, JSONResponse

router = datadog_router()

CellId = Annotated[uuid.UUID, Path(description="The timeline cell's (the comment's) UUID.")]


class CommentAttributes(DatadogInput):
    comment: Body


# The body of both adding and editing a comment.
CaseCommentRequest = CaseRequest[CommentAttributes]


def _add(session: Session, actor: Actor, case_id: str, body: CaseCommentRequest) -> dict[str, Any]:
    added = service.add_comment(session, actor, case_id, CommentCreate(body=body.data.attributes.comment))
    return {"data": timeline_cells(session, actor, [added.comment])}


def _edit(session: Session, actor: Actor, case_id: str, cell_id: uuid.UUID, body: CaseCommentRequest) -> dict[str, Any]:
    change = CommentUpdate(body=body.data.attributes.comment)
    edited = service.edit_comment(session, actor, case_id, str(cell_id), change)
    return {"data": timeline_cells(session, actor, [edited])}


@router.post("/api/v2/cases/{case_id}/comment", summary="Comment on a case")
async def comment_case(case_id: CaseId, body: CaseCommentRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_add, actor, case_id, body))


@router.put("/api/v2/cases/{case_id}/comment/{cell_id}", summary="Update a comment of a case")
async def update_case_comment(
    case_id: CaseId, cell_id: CellId, body: CaseCommentRequest, actor: DialectActor, db: DB
) -> Response:
    return JSONResponse(await db.write(_edit, actor, case_id, cell_id, body))


@router.delete("/api/v2/cases/{case_id}/comment/{cell_id}", summary="Delete a comment of a case", status_code=204)
async def delete_case_comment(case_id: CaseId, cell_id: CellId, actor: DialectActor, db: DB) -> Response:
    await db.write(service.delete_comment, actor, case_id, str(cell_id))
    return Response(status_code=204)
