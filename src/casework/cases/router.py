from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from casework.activity.schemas import ActivityPage, activity_view
from casework.auth.service import Actor
from casework.cases import bulk, facets, lifecycle, moving, search, service
from casework.cases import paging as pages
from casework.cases.records import CaseRecord
from casework.cases.schemas import (
    BulkRequest,
    BulkResponse,
    CaseCreate,
    CaseFilter,
    CaseMove,
    CasePage,
    CaseRead,
    CaseUpdate,
    ReporterPage,
    SortField,
    SortOrder,
    TagPage,
    case_view,
)
from casework.content.installed import CONTENT_KINDS
from casework.errors import InvalidInput
from casework.i18n import _, translate
from casework.deletion import service as deletion
from casework.http import DB, CurrentActor, FileStoreDep, JSONResponse, Language, Limit, etag, if_match_version
from casework import problems
from casework.problems import item_problem

router = APIRouter(prefix="/cases", tags=["cases"])
# What the workspace's cases use, beside them: GET /tags, GET /reporters.
facets_router = APIRouter(tags=["cases"])


def _case_response(case: CaseRecord, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
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
    limit: Limit | None = None,
    cursor: str | None = None,
    ending_before: Annotated[
        str | None, Query(description="A cursor (`prev_cursor`): the page just before it, in the same order.")
    ] = None,
    page: Annotated[int | None, Query(ge=1, description="Page-number paging: the page, from 1.")] = None,
    per_page: Annotated[
        int | None, Query(ge=1, le=pages.MAX_PER_PAGE, description="Page-number paging: the page size (50).")
    ] = None,
    count: Annotated[
        Literal["true", "false", "exact"] | None,
        Query(description="`true`: add `total`, counted up to 10,000; `exact`: counted in full (slower). "
              "Default: `true` with `page`, `false` otherwise."),
    ] = None,
    status_counts: Annotated[
        bool, Query(description="Add the matching cases per status group, the status filter left out.")
    ] = False,
) -> Response:
    by_page = page is not None or per_page is not None
    listing = partial(
        search.list_cases,
        ending_before=ending_before,
        page=page,
        per_page=per_page,
        exact_counts=count == "exact",
        with_status_counts=status_counts,
    )
    found = await db.read(
        listing,
        actor,
        filters,
        sort,
        order,
        limit,
        cursor,
        count in ("true", "exact") or (count is None and by_page),
    )
    return JSONResponse(
        {
            "items": [case_view(c) for c in found.items],
            "next_cursor": found.next_cursor,
            "prev_cursor": found.prev_cursor,
            "page": found.page,
            "per_page": found.per_page,
            "total": found.total,
            "total_exact": found.total_exact,
            "status_counts": found.status_counts,
            "status_counts_exact": found.status_counts_exact,
        }
    )


@router.post("/bulk", response_model=BulkResponse)
async def bulk_update(body: BulkRequest, actor: CurrentActor, db: DB, language: Language) -> Response:
    items = [(item.id, item.version, item.changes) for item in body.items]
    if body.atomic:
        outcome = await db.write(bulk.bulk_update_atomic, actor, items)
        results = [_bulk_result(item, language) for item in outcome.items]
        if outcome.applied:
            return JSONResponse({"applied": True, "results": results})
        return _bulk_refusal(outcome, results, language)
    outcomes = await db.write(bulk.bulk_update, actor, items)
    return JSONResponse({"results": [_bulk_result(outcome, language) for outcome in outcomes]})


def _bulk_result(outcome: bulk.BulkOutcome, language: str) -> dict[str, Any]:
    if outcome.case is not None:
        return {"id": outcome.ref, "status": 200, "case": case_view(outcome.case)}
    assert outcome.error is not None
    status, problem = item_problem(outcome.error, language)
    return {"id": outcome.ref, "status": status, "error": problem}


def _bulk_refusal(outcome: bulk.AtomicOutcome, results: list[dict[str, Any]], language: str) -> Response:
    """Missing cases first, then stale versions (the order Kibana's PATCH /api/cases answers in), else the first
    refused item's status."""
    if outcome.missing:
        status = 404
    elif outcome.stale:
        status = 409
    else:
        status = next(r["status"] for r in results if r["status"] != 424)
    body = {
        "type": "https://casework.dev/problems/BulkNotApplied",
        "title": translate(_("Bulk update not applied"), language),
        "status": status,
        "detail": translate(_("no item was applied: see each item's result"), language),
        "applied": False,
        "results": results,
    }
    return JSONResponse(body, status, headers={"Content-Language": language}, media_type=problems.MEDIA_TYPE)


# What `?include=` may name: each kind's page of a case's items and the JSON of one item, by name.
INCLUDABLE = {kind.name: kind for kind in CONTENT_KINDS}
INCLUDED_PAGE_SIZE = 50


def _parse_include(include: str | None) -> list[str]:
    names = [name.strip() for name in (include or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in INCLUDABLE]
    if unknown:
        raise InvalidInput.field(
            "include", _("unknown: {names}; one of {known}", names=", ".join(unknown), known=", ".join(INCLUDABLE))
        )
    return list(dict.fromkeys(names))


def _case_with_content(
    session: Session, actor: Actor, ref: str, names: list[str]
) -> tuple[CaseRecord, dict[str, Any]]:
    """The case and the first page of each named kind of content, read in one transaction."""
    case = service.get_case(session, actor, ref)
    pages = {}
    for name in names:
        kind = INCLUDABLE[name]
        pages[name] = kind.page(*kind.list_page(session, actor, str(case.id), None, INCLUDED_PAGE_SIZE))
    return case, pages


@router.get("/{ref}", response_model=CaseRead)
async def get_case(
    ref: str,
    actor: CurrentActor,
    db: DB,
    include: Annotated[
        str | None,
        Query(description=f"Comma-separated first pages (50 items) to add: {', '.join(INCLUDABLE)}."),
    ] = None,
) -> Response:
    names = _parse_include(include)
    if not names:
        return _case_response(await db.read(service.get_case, actor, ref))
    case, pages = await db.read(_case_with_content, actor, ref, names)
    return JSONResponse(case_view(case) | pages, headers={"ETag": etag(case.version)})


@router.patch("/{ref}", response_model=CaseRead)
async def update_case(request: Request, ref: str, body: CaseUpdate, actor: CurrentActor, db: DB) -> Response:
    case = await db.write(service.update_case, actor, ref, body, if_match_version(request))
    return _case_response(case)


@router.delete("/{ref}", status_code=204)
async def archive_case(
    request: Request,
    ref: str,
    actor: CurrentActor,
    db: DB,
    store: FileStoreDep,
    permanent: Annotated[
        bool, Query(description="Delete the case and all its content for good instead of archiving it.")
    ] = False,
) -> Response:
    if permanent:
        await db.write(deletion.delete_case, actor, store, ref, if_match_version(request))
    else:
        await db.write(lifecycle.archive_case, actor, ref, if_match_version(request))
    return Response(status_code=204)


@router.post("/{ref}/move", response_model=CaseRead)
async def move_case(request: Request, ref: str, body: CaseMove, actor: CurrentActor, db: DB) -> Response:
    """Move the case into another project: its status, type and custom fields are mapped or the move is refused."""
    return _case_response(await db.write(moving.move_case, actor, ref, body, if_match_version(request)))


@router.post("/{ref}/restore", response_model=CaseRead)
async def restore_case(ref: str, actor: CurrentActor, db: DB) -> Response:
    return _case_response(await db.write(lifecycle.restore_case, actor, ref))


@router.get("/{ref}/activity", response_model=ActivityPage)
async def list_activity(
    ref: str,
    actor: CurrentActor,
    db: DB,
    language: Language,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Response:
    """The case's activity log, oldest first; each entry's `label` is in the caller's language."""
    rows, next_cursor = await db.read(service.list_activity, actor, ref, cursor, limit)
    items = [activity_view(row, language) for row in rows]
    return JSONResponse({"items": items, "next_cursor": next_cursor})


@facets_router.get("/tags", response_model=TagPage)
async def list_tags(actor: CurrentActor, db: DB, limit: Limit = 100, cursor: str | None = None) -> Response:
    """The distinct tags of the workspace's cases (archived ones too), in order."""
    tags, next_cursor = await db.read(facets.list_tags, actor, cursor, limit)
    return JSONResponse({"items": tags, "next_cursor": next_cursor})


@facets_router.get("/reporters", response_model=ReporterPage)
async def list_reporters(actor: CurrentActor, db: DB, limit: Limit = 100, cursor: str | None = None) -> Response:
    """The users who created at least one of the workspace's cases."""
    rows, next_cursor = await db.read(facets.list_reporters, actor, cursor, limit)
    items = [{"id": str(row.id), "name": row.name, "email": row.email} for row in rows]
    return JSONResponse({"items": items, "next_cursor": next_cursor})
