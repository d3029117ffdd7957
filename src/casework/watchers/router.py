from typing import Annotated

from fastapi import Path, Response

from casework.content.kind import ContentKind, add_list_route
from casework.http import DB, CaseRef, CurrentActor, IfMatch, JSONResponse, NativeRouter, etag
from casework.watchers import service
from casework.watchers.schemas import WatcherAdd, WatcherPage, WatcherRead, watcher_view

router = NativeRouter(prefix="/cases/{ref}/watchers", tags=["watchers"])
CONTENT = ContentKind("watchers", service.list_watchers, watcher_view)
WatcherId = Annotated[str, Path(description="The watching user: their id (a UUID) or their handle.")]


@router.post(
    "",
    status_code=201,
    response_model=WatcherRead,
    responses={200: {"model": WatcherRead, "description": "The user already watched the case; nothing changed."}},
    response_description="The user now watches the case; ETag: the case's new version.",
)
async def add_watcher(ref: CaseRef, body: WatcherAdd, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Make a user of the workspace a watcher of the case (201); one who already watches it answers 200."""
    result = await db.write(service.add_watcher, actor, ref, body.user_id, expected)
    return JSONResponse(
        watcher_view(result.watcher), 201 if result.added else 200, headers={"ETag": etag(result.case_version)}
    )


add_list_route(router, "", CONTENT, WatcherPage, "The case's watchers, ordered by user id.")


@router.delete("/{user_id}", status_code=204)
async def remove_watcher(ref: CaseRef, user_id: WatcherId, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """The user stops watching the case (404 if they did not)."""
    version = await db.write(service.remove_watcher, actor, ref, user_id, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
