from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from casework.activity.schemas import ActivityPage, ActivityRead
from casework.cases import service
from casework.cases.models import Case
from casework.cases.schemas import (
    BulkRequest,
    BulkResponse,
    CaseCreate,
    CaseFilter,
    CasePage,
    CaseRead,
    CaseUpdate,
    SortField,
    SortOrder,
    case_view,
)
from casework.http import DB, CurrentActor, JSONResponse, etag, if_match_version
from casework.problems import problem_body, status_of

router = APIRouter(prefix="/cases", tags=["cases"])


def _case_response(case: Case, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(case_view(case), status, headers={"ETag": etag(case.version), **(headers or {})})


@router.post("", status_code=201, response_model=CaseRead)
async def create_case(request: Request, body: CaseCreate, actor: CurrentActor, db: DB) -> Response:
    case = await db.write(service.create_case, actor, body)
    location = str(request.url_for("get_case", ref=str(case.id)))
    return _case_response(case, 201, {"Location": location})


@router.get("", response_model=CasePage)
async def list_cases(
    actor: CurrentActor,
    db: DB,
    filters: Annotated[CaseFilter, Query()],
    sort: SortField = "updated",
    order: SortOrder = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    count: Annotated[bool, Query(description="Also return the number of matching cases.")] = False,
) -> Response:
    page = await db.read(service.list_cases, actor, filters, sort, order, limit, cursor, count)
    return JSONResponse({"items": [case_view(c) for c in page.items], "next_cursor": page.next_cursor, "total": page.total})


@router.post("/bulk", response_model=BulkResponse)
async def bulk_update(body: BulkRequest, actor: CurrentActor, db: DB) -> Response:
    items = [(item.id, item.version, item.changes) for item in body.items]
    outcomes = await db.write(service.bulk_update, actor, items)
    results: list[dict[str, Any]] = []
    for outcome in outcomes:
        if outcome.case is not None:
            results.append({"id": outcome.ref, "status": 200, "case": case_view(outcome.case)})
        else:
            assert outcome.error is not None
            status = status_of(outcome.error)
            results.append({"id": outcome.ref, "status": status, "error": problem_body(outcome.error, status)})
    return JSONResponse({"results": results})


@router.get("/{ref}", response_model=CaseRead)
async def get_case(ref: str, actor: CurrentActor, db: DB) -> Response:
    return _case_response(await db.read(service.get_case, actor, ref))


@router.patch("/{ref}", response_model=CaseRead)
async def update_case(request: Request, ref: str, body: CaseUpdate, actor: CurrentActor, db: DB) -> Response:
    case = await db.write(service.update_case, actor, ref, body, if_match_version(request))
    return _case_response(case)


@router.delete("/{ref}", status_code=204)
async def archive_case(request: Request, ref: str, actor: CurrentActor, db: DB) -> Response:
    await db.write(service.archive_case, actor, ref, if_match_version(request))
    return Response(status_code=204)


@router.post("/{ref}/restore", response_model=CaseRead)
async def restore_case(ref: str, actor: CurrentActor, db: DB) -> Response:
    return _case_response(await db.write(service.restore_case, actor, ref))


@router.get("/{ref}/activity", response_model=ActivityPage)
async def list_activity(
    ref: str,
    actor: CurrentActor,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Response:
    rows, next_cursor = await db.read(service.list_activity, actor, ref, cursor, limit)
    items = [ActivityRead.model_validate(row).model_dump(mode="json") for row in rows]
    return JSONResponse({"items": items, "next_cursor": next_cursor})
