from typing import Annotated

from fastapi import Path, Query, Response

from casework.alerts import service
from casework.alerts.schemas import AlertAttach, AlertPage, AttachResult, alert_view
from casework.cases.schemas import CasePage, case_view
from casework.content.kind import ContentKind, add_list_route
from casework.http import DB, CaseRef, CurrentActor, Cursor, IfMatch, JSONResponse, Limit, NativeRouter, etag

case_alerts = NativeRouter(prefix="/cases", tags=["alerts"])
alert_cases = NativeRouter(prefix="/alerts", tags=["alerts"])
AlertId = Annotated[str, Path(description="The alert's id as its source names it (it may hold slashes).")]


@case_alerts.post(
    "/{ref}/alerts",
    status_code=201,
    response_model=AttachResult,
    responses={200: {"model": AttachResult, "description": "Every alert was already on the case: nothing changed."}},
)
async def attach_alerts(ref: CaseRef, body: AlertAttach, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Attach alerts as one attachment (201). Alerts already on the case come back as `duplicates`; a request
    with nothing new answers 200 and leaves the case (and its version) as it was. A case holds at most 1,000
    distinct alerts: a request that would pass that adds nothing and is refused with 422 naming `alert_ids`."""
    outcome = await db.write(service.attach_alerts, actor, ref, body, expected)
    result = {
        "attachment_id": str(outcome.attachment_id) if outcome.attachment_id else None,
        "added": outcome.added,
        "duplicates": outcome.duplicates,
        "alert_count": outcome.alert_count,
        "case_version": outcome.case_version,
    }
    return JSONResponse(result, 201 if outcome.added else 200, headers={"ETag": etag(outcome.case_version)})


CONTENT = ContentKind("alerts", service.list_alerts, alert_view)
add_list_route(case_alerts, "/{ref}/alerts", CONTENT, AlertPage, "The case's alerts, oldest first.")


@case_alerts.delete("/{ref}/alerts/{alert_id:path}", status_code=204)
async def detach_alert(ref: CaseRef, alert_id: AlertId, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Take one alert off the case (404 if it is not on it)."""
    version = await db.write(service.detach_alert, actor, ref, alert_id, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})


@alert_cases.get("/{alert_id:path}/cases", response_model=CasePage)
async def list_cases_with_alert(
    alert_id: AlertId,
    actor: CurrentActor,
    db: DB,
    archived: Annotated[bool, Query(description="Include archived cases.")] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """The cases of the caller's workspace holding this alert, oldest case first."""
    cases, next_cursor = await db.read(service.cases_with_alert, actor, alert_id, archived, cursor, limit)
    return JSONResponse({"items": [case_view(c) for c in cases], "next_cursor": next_cursor})
