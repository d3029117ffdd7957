from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from casework.comments import service
from casework.comments.records import CommentRecord
from casework.comments.schemas import CommentCreate, CommentPage, CommentRead, CommentUpdate, comment_view
from casework.content.kind import ContentKind
from casework.http import DB, CurrentActor, JSONResponse, Limit, etag, IfMatch

router = APIRouter(prefix="/cases/{ref}/comments", tags=["comments"])

Render = Annotated[
    Literal["html"] | None,
    Query(
        description=(
            "`html` adds `body_html`: the markdown rendered to HTML and sanitised "
            "(no scripts, event handlers or javascript: URLs)."
        )
    ),
]


def _view(comment: CommentRecord, render: str | None) -> dict[str, Any]:
    view = comment_view(comment)
    if render == "html":
        view["body_html"] = service.render_html(comment.body)
    return view


# Its list route takes `render` besides the others' query parameters, so it is written out below.
CONTENT = ContentKind("comments", service.list_comments, partial(_view, render=None))


@router.post(
    "", status_code=201, response_model=CommentRead, response_description="The comment; ETag: the case's new version."
)
async def add_comment(request: Request, ref: str, body: CommentCreate, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    added = await db.write(service.add_comment, actor, ref, body, expected)
    location = str(request.url_for("get_comment", ref=ref, comment_id=str(added.comment.id)))
    return JSONResponse(
        _view(added.comment, None), 201, headers={"Location": location, "ETag": etag(added.case_version)}
    )


@router.get("", response_model=CommentPage)
async def list_comments(
    ref: str,
    actor: CurrentActor,
    db: DB,
    limit: Limit = 50,
    cursor: str | None = None,
    render: Render = None,
) -> Response:
    """The case's comments, oldest first."""
    rows, next_cursor = await db.read(CONTENT.list_page, actor, ref, cursor, limit)
    return JSONResponse({"items": [_view(row, render) for row in rows], "next_cursor": next_cursor})


@router.get("/{comment_id}", response_model=CommentRead, response_description="The comment; ETag: its version.")
async def get_comment(ref: str, comment_id: str, actor: CurrentActor, db: DB, render: Render = None) -> Response:
    comment = await db.read(service.get_comment, actor, ref, comment_id)
    return JSONResponse(_view(comment, render), headers={"ETag": etag(comment.version)})


@router.patch(
    "/{comment_id}", response_model=CommentRead, response_description="The comment; ETag: its new version."
)
async def edit_comment(
    ref: str, comment_id: str, body: CommentUpdate, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Changes the fields given. Only the comment's author or an admin may edit it; the activity entry keeps the
    previous values. `If-Match` and `version` name the comment's own version (a stale one: 409, nothing changes)."""
    comment = await db.write(service.edit_comment, actor, ref, comment_id, body, expected)
    return JSONResponse(_view(comment, None), headers={"ETag": etag(comment.version)})


@router.delete("/{comment_id}", status_code=204)
async def delete_comment(ref: str, comment_id: str, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Only the comment's author or an admin may delete it; the activity entry keeps the deleted text. The files
    it carried stay with the case."""
    version = await db.write(service.delete_comment, actor, ref, comment_id, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
