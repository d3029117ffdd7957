from fastapi import Response

from casework.auth.service import Actor
from casework.content.kind import ContentKind, add_list_route
from casework.db.database import Database
from casework.http import DB, CaseRef, CurrentActor, IfMatch, JSONResponse, NativeRouter, etag
from casework.insights import service
from casework.insights.schemas import (
    InsightPage,
    InsightsAdd,
    InsightsAdded,
    InsightsRemove,
    InsightsRemoved,
    insight_view,
    key_view,
)

router = NativeRouter(prefix="/cases", tags=["insights"])

_REMOVE_DOC = """Remove insights by key: body `{"insights": [{"type": ..., "resource_id": ...}, ...]}` (1..100).

Keys the case does not have are ignored and listed in `not_found` (never a 404). When nothing is removed the
case is left as it was: no version bump, no activity. `DELETE /cases/{ref}/insights` takes this body; for
clients or proxies that drop the body of a DELETE, `POST /cases/{ref}/insights/remove` does the same."""


@router.post(
    "/{ref}/insights",
    status_code=201,
    response_model=InsightsAdded,
    responses={200: {"model": InsightsAdded, "description": "The case already had every insight: nothing changed."}},
)
async def add_insights(ref: CaseRef, body: InsightsAdd, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Add 1..100 insights (201). Adding is idempotent on (type, resource_id): an insight the case already has
    is left as it is and listed in `duplicates`; a request with nothing new answers 200 and changes nothing."""
    outcome = await db.write(service.add_insights, actor, ref, body, expected)
    result = {
        "added": [insight_view(i) for i in outcome.added],
        "duplicates": [key_view(k) for k in outcome.duplicates],
        "insight_count": outcome.insight_count,
        "case_version": outcome.case_version,
    }
    return JSONResponse(result, 201 if outcome.added else 200, headers={"ETag": etag(outcome.case_version)})


CONTENT = ContentKind("insights", service.list_insights, insight_view)
add_list_route(router, "/{ref}/insights", CONTENT, InsightPage, "The case's insights, oldest first.")


async def _remove(ref: str, body: InsightsRemove, actor: Actor, db: Database, expected: int | None) -> Response:
    outcome = await db.write(service.remove_insights, actor, ref, body, expected)
    result = {
        "removed": [key_view(k) for k in outcome.removed],
        "not_found": [key_view(k) for k in outcome.not_found],
        "insight_count": outcome.insight_count,
        "case_version": outcome.case_version,
    }
    return JSONResponse(result, headers={"ETag": etag(outcome.case_version)})


@router.delete("/{ref}/insights", response_model=InsightsRemoved, description=_REMOVE_DOC)
async def remove_insights(
    ref: CaseRef, body: InsightsRemove, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    return await _remove(ref, body, actor, db, expected)


@router.post("/{ref}/insights/remove", response_model=InsightsRemoved, description=_REMOVE_DOC)
async def remove_insights_by_post(
    ref: CaseRef, body: InsightsRemove, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    return await _remove(ref, body, actor, db, expected)
