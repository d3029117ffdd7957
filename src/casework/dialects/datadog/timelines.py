"""A case's timeline: `GET /api/v2/cases/{case_id}/timelines`, its comments as timeline cells (the only kind the
client knows), `page[number]` zero-based, `page[size]` 1..100 (10 by default), newest first unless
`sort[ascending]=true`."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query, Response
from sqlalchemy.orm import Session

from casework.auth.records import UserRecord
from casework.auth.service import Actor, user_records
from casework.comments import service
from casework.comments.records import CommentRecord
from casework.dialects.datadog.inputs import CaseId
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import timestamp
from casework.dialects.dialect import DialectActor
from casework.http import DB, JSONResponse

router = datadog_router()

TIMELINE_CELL = "timeline_cell"
COMMENT = "COMMENT"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def _author(user_id: Any, user: UserRecord | None) -> dict[str, Any]:
    content = {"id": str(user_id)}
    if user is not None:
        content |= {"name": user.name, "email": user.email, "handle": user.email}
    return {"type": "USER", "content": content}


def timeline_cells(session: Session, actor: Actor, comments: Sequence[CommentRecord]) -> list[dict[str, Any]]:
    """The comments as Datadog's timeline cells, their authors read in the caller's unit of work."""
    users = user_records(session, actor, {c.author_id for c in comments})
    return [
        {
            "id": str(comment.id),
            "type": TIMELINE_CELL,
            "attributes": {
                "author": _author(comment.author_id, users.get(comment.author_id)),
                "cell_content": {"message": comment.body},
                "type": COMMENT,
                "created_at": timestamp(comment.created_at),
                "modified_at": timestamp(comment.updated_at),
            },
        }
        for comment in comments
    ]


def _timeline(session: Session, actor: Actor, case_id: str, number: int, size: int, ascending: bool) -> dict[str, Any]:
    comments, _total = service.comments_at(session, actor, case_id, number * size, size, not ascending)
    return {"data": timeline_cells(session, actor, comments)}


@router.get("/api/v2/cases/{case_id}/timelines", summary="Get the timeline of a case")
async def list_case_timeline(
    case_id: CaseId,
    actor: DialectActor,
    db: DB,
    page_size: Annotated[int, Query(alias="page[size]", ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    page_number: Annotated[int, Query(alias="page[number]", ge=0, le=1_000_000, description="Zero-based.")] = 0,
    sort_ascending: Annotated[bool, Query(alias="sort[ascending]", description="Oldest first.")] = False,
) -> Response:
    return JSONResponse(await db.read(_timeline, actor, case_id, page_number, page_size, sort_ascending))
