"""A case's watchers: `GET /api/v2/cases/{case_id}/watchers` lists them, `POST` and `DELETE
…/watchers/{user_uuid}` add (201, idempotent) and remove (204) one, with no body, as the client expects none. A user
uuid that is not a UUID is a 400; an unknown user, or one not watching when removed, a 404."""

import uuid
from typing import Any

from fastapi import Response
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.dialects.datadog.cases import known_user
from casework.dialects.datadog.inputs import CaseId, UserId
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import USER_TYPE
from casework.dialects.dialect import DialectActor
from casework.http import DB, JSONResponse
from casework.watchers import service
from casework.watchers.records import WatcherRecord

router = datadog_router()

WATCHER_TYPE = "watcher"
# Watchers read per statement while listing them all.
_BATCH = 500


def watcher_body(watcher: WatcherRecord) -> dict[str, Any]:
    user = {"data": {"id": str(watcher.user_id), "type": USER_TYPE}}
    return {"id": str(watcher.user_id), "type": WATCHER_TYPE, "relationships": {"user": user}}


def _list(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    watchers: list[WatcherRecord] = []
    cursor = None
    while True:
        page, cursor = service.list_watchers(session, actor, case_id, cursor, _BATCH)
        watchers += page
        if cursor is None:
            return {"data": [watcher_body(w) for w in watchers]}


def _watch(session: Session, actor: Actor, case_id: str, user_id: uuid.UUID) -> None:
    known_user(session, actor, user_id)
    service.add_watcher(session, actor, case_id, user_id)


@router.get("/api/v2/cases/{case_id}/watchers", summary="List the watchers of a case")
async def list_case_watchers(case_id: CaseId, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_list, actor, case_id))


@router.post("/api/v2/cases/{case_id}/watchers/{user_uuid}", summary="Watch a case", status_code=201)
async def watch_case(case_id: CaseId, user_uuid: UserId, actor: DialectActor, db: DB) -> Response:
    await db.write(_watch, actor, case_id, user_uuid)
    return Response(status_code=201)


@router.delete("/api/v2/cases/{case_id}/watchers/{user_uuid}", summary="Stop watching a case", status_code=204)
async def unwatch_case(case_id: CaseId, user_uuid: UserId, actor: DialectActor, db: DB) -> Response:
    await db.write(service.remove_watcher, actor, case_id, str(user_uuid))
    return Response(status_code=204)
