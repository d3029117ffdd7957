from fastapi import APIRouter, Request, Response

from casework.http import DB, CurrentActor, JSONResponse, Limit, etag, if_match_version
from casework.watchers import service
from casework.watchers.schemas import WatcherAdd, WatcherPage, WatcherRead, watcher_view

router = APIRouter(prefix="/cases/{ref}/watchers", tags=["watchers"])


@router.post(
    "",
    status_code=201,
    response_model=WatcherRead,
    responses={200: {"model": WatcherRead, "description": "The user already watched the case; nothing changed."}},
    response_description="The user now watches the case; ETag: the case's new version.",
)
async def add_watcher(request: Request, ref: str, body: WatcherAdd, actor: CurrentActor, db: DB) -> Response:
    result = await db.write(service.add_watcher, actor, ref, body.user_id, if_match_version(request))
    return JSONResponse(
        watcher_view(result.watcher), 201 if result.added else 200, headers={"ETag": etag(result.case_version)}
    )


@router.get("", response_model=WatcherPage)
async def list_watchers(
    ref: str,
    actor: CurrentActor,
    db: DB,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Response:
    """The case's watchers, ordered by user id."""
    rows, next_cursor = await db.read(service.list_watchers, actor, ref, cursor, limit)
    return JSONResponse({"items": [watcher_view(w) for w in rows], "next_cursor": next_cursor})


@router.delete("/{user_id}", status_code=204)
async def remove_watcher(request: Request, ref: str, user_id: str, actor: CurrentActor, db: DB) -> Response:
    version = await db.write(service.remove_watcher, actor, ref, user_id, if_match_version(request))
    return Response(status_code=204, headers={"ETag": etag(version)})
