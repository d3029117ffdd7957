from typing import Annotated

from fastapi import Query, Response

from casework.activity import service
from casework.activity.schemas import ActivityPage, activity_view
from casework.http import DB, CurrentActor, Cursor, JSONResponse, Language, Limit, NativeRouter

router = NativeRouter(prefix="/activity", tags=["activity"])


@router.get("", response_model=ActivityPage)
async def list_workspace_activity(
    actor: CurrentActor,
    db: DB,
    language: Language,
    action: Annotated[str, Query(description=f"One of: {', '.join(service.WORKSPACE_ACTIONS)}.")],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """The workspace's entries of one action, newest first (admins only): e.g. the cases deleted for good."""
    rows, next_cursor = await db.read(service.list_for_workspace, actor, action, cursor, limit)
    return JSONResponse({"items": [activity_view(row, language) for row in rows], "next_cursor": next_cursor})
