from functools import partial
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request, Response

from casework.comments import service
from casework.comments.records import CommentRecord
from casework.comments.schemas import CommentCreate, CommentPage, CommentRead, CommentUpdate, comment_view
from casework.content.kind import ContentKind
from casework.http import DB, CaseRef, CurrentActor, Cursor, IfMatch, JSONResponse, Limit, NativeRouter, etag, url_for

router = NativeRouter(prefix="/cases/{ref}/comments", tags=["comments"])
CommentId = Annotated[str, Path(description="The comment's id (a UUID).")]

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
async def add_comment(
    request: Request, ref: CaseRef, body: CommentCreate, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Add a markdown comment to the case, written by the caller (or, with the scope cases:impersonate, for
    `author`). `<@user-ID>` mentions are resolved; `file_ids` attach files already uploaded to the case."""
    added = await db.write(service.add_comment, actor, ref, body, expected)
    location = url_for(request, "get_comment", ref=ref, comment_id=str(added.comment.id))
    return JSONResponse(
        _view(added.comment, None), 201, headers={"Location": location, "ETag": etag(added.case_version)}
    )


@router.get("", response_model=CommentPage)
async def list_comments(
    ref: CaseRef,
    actor: CurrentActor,
    db: DB,
    limit: Limit = 50,
    cursor: Cursor = None,
    render: Render = None,
) -> Response:
    """The case's comments, oldest first."""
    rows, next_cursor = await db.read(CONTENT.list_page, actor, ref, cursor, limit)
    return JSONResponse({"items": [_view(row, render) for row in rows], "next_cursor": next_cursor})


@router.get("/{comment_id}", response_model=CommentRead, response_description="The comment; ETag: its version.")
async def get_comment(
    ref: CaseRef, comment_id: CommentId, actor: CurrentActor, db: DB, render: Render = None
) -> Response:
    """One comment of the case."""
    comment = await db.read(service.get_comment, actor, ref, comment_id)
    return JSONResponse(_view(comment, render), headers={"ETag": etag(comment.version)})


@router.patch("/{comment_id}", response_model=CommentRead, response_description="The comment; ETag: its new version.")
async def edit_comment(
    ref: CaseRef, comment_id: CommentId, body: CommentUpdate, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Changes the fields given. Only the comment's author or an admin may edit it; the activity entry keeps the
    previous values. `If-Match` and `version` name the comment's own version (a stale one: 409, nothing changes)."""
    comment = await db.write(service.edit_comment, actor, ref, comment_id, body, expected)
    return JSONResponse(_view(comment, None), headers={"ETag": etag(comment.version)})


@router.delete("/{comment_id}", status_code=204)
async def delete_comment(
    ref: CaseRef, comment_id: CommentId, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Only the comment's author or an admin may delete it; the activity entry keeps the deleted text. The files
    it carried stay with the case."""
    version = await db.write(service.delete_comment, actor, ref, comment_id, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
