from functools import partial
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response
from sqlalchemy.orm import Session

from casework import problems
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
from casework.deletion import service as deletion
from casework.errors import InvalidInput
from casework.http import (
    DB,
    CaseRef,
    CurrentActor,
    Cursor,
    FileStoreDep,
    IfMatch,
    JSONResponse,
    Language,
    Limit,
    NativeRouter,
    etag,
    url_for,
)
from casework.i18n import _, translate
from casework.problems import item_problem

router = NativeRouter(prefix="/cases", tags=["cases"])
# What the workspace's cases use, beside them: GET /tags, GET /reporters.
facets_router = NativeRouter(tags=["cases"])


def _case_response(case: CaseRecord, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(case_view(case), status, headers={"ETag": etag(case.version), **(headers or {})})


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


def _case_with_content(session: Session, actor: Actor, ref: str, names: list[str]) -> tuple[CaseRecord, dict[str, Any]]:
    """The case and the first page of each named kind of content, read in one transaction."""
    case = service.get_case(session, actor, ref)
    pages = {}
    for name in names:
        kind = INCLUDABLE[name]
        pages[name] = kind.page(*kind.list_page(session, actor, str(case.id), None, INCLUDED_PAGE_SIZE))
    return case, pages


# The busiest route first: FastAPI tries a router's routes in turn, twice a request (a get behind three other routes
# cost 7% more). Its path shadows no other GET route here: none is one segment under /cases.
@router.get("/{ref}", response_model=CaseRead, response_description="The case; ETag: its version.")
async def get_case(
    ref: CaseRef,
    actor: CurrentActor,
    db: DB,
    include: Annotated[
        str | None,
        Query(description=f"Comma-separated first pages (50 items) to add: {', '.join(INCLUDABLE)}."),
    ] = None,
) -> Response:
    """One case, with the first page of each kind of content `include` names."""
    names = _parse_include(include)
    if not names:
        return _case_response(await db.read_one_statement(service.get_case, actor, ref))
    case, pages = await db.read(_case_with_content, actor, ref, names)
    return JSONResponse(case_view(case) | pages, headers={"ETag": etag(case.version)})


@router.post(
    "",
    status_code=201,
    response_model=CaseRead,
    response_description="The case; ETag: its version.",
    responses=problems.refusals(404, 409),
)
async def create_case(request: Request, body: CaseCreate, actor: CurrentActor, db: DB) -> Response:
    """Open a case in a project (the workspace's first when `project` is absent). What the case's type prefills
    and the project's defaults fill what the body leaves out; `Location` names the new case."""
    case = await db.write(service.create_case, actor, body)
    location = url_for(request, "get_case", ref=str(case.id))
    return _case_response(case, 201, {"Location": location})


@router.get("", response_model=CasePage, responses=problems.refusals(404))
async def list_cases(
    actor: CurrentActor,
    db: DB,
    filters: Annotated[CaseFilter, Query()],
    sort: Annotated[
        SortField,
        Query(
            description="The order of the cases: a member (`created`, `priority`, ...) or `field.<key>` for a "
            "custom field."
        ),
    ] = "updated",
    order: Annotated[SortOrder, Query(description="`asc` or `desc` along `sort`.")] = "desc",
    limit: Annotated[
        int | None, Query(ge=1, le=500, description="The most cases in one page (1..500; 50 when absent).")
    ] = None,
    cursor: Cursor = None,
    ending_before: Annotated[
        str | None, Query(description="A cursor (`prev_cursor`): the page just before it, in the same order.")
    ] = None,
    page: Annotated[int | None, Query(ge=1, description="Page-number paging: the page, from 1.")] = None,
    per_page: Annotated[
        int | None, Query(ge=1, le=pages.MAX_PER_PAGE, description="Page-number paging: the page size (50).")
    ] = None,
    count: Annotated[
        Literal["true", "false", "exact"] | None,
        Query(
            description="`true`: add `total`, counted up to 10,000; `exact`: counted in full (slower). "
            "Default: `true` with `page`, `false` otherwise."
        ),
    ] = None,
    status_counts: Annotated[
        bool, Query(description="Add the matching cases per status group, the status filter left out.")
    ] = False,
) -> Response:
    """The cases the filters match, a page at a time: by cursor (`next_cursor`, `ending_before`) or by page number
    (`page`, `per_page`). Archived cases are left out unless `archived` says otherwise."""
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


@router.post("/bulk", response_model=BulkResponse, responses=problems.refusals(404, 409))
async def bulk_update_cases(body: BulkRequest, actor: CurrentActor, db: DB, language: Language) -> Response:
    """Change up to 100 cases in one request, each item as PATCH /cases/{ref} would, with a result per item in
    order. `atomic: true` applies all or none: a refusal answers with the first failure's status (404 for a
    missing case, then 409 for a stale version) and every item's result, the others as 424."""
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


@router.patch("/{ref}", response_model=CaseRead, response_description="The case; ETag: its new version.")
async def update_case(ref: CaseRef, body: CaseUpdate, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Change the members present in the body; absent ones stay. `version` (or If-Match) guards against lost
    updates: a stale one is refused with 409 and `current_version`. Closing checks the closure conditions (409
    with `failing_conditions` when they fail, unless a manager or an admin overrides them)."""
    case = await db.write(service.update_case, actor, ref, body, expected)
    return _case_response(case)


@router.delete("/{ref}", status_code=204)
async def archive_case(
    ref: CaseRef,
    actor: CurrentActor,
    db: DB,
    expected: IfMatch,
    store: FileStoreDep,
    permanent: Annotated[
        bool, Query(description="Delete the case and all its content for good instead of archiving it.")
    ] = False,
) -> Response:
    """Archive the case (left out of listings, and closed to changes until restored), or with `permanent=true`
    delete it and everything it holds for good: admins, and managers where the project allows it."""
    if permanent:
        await db.write(deletion.delete_case, actor, store, ref, expected)
    else:
        await db.write(lifecycle.archive_case, actor, ref, expected)
    return Response(status_code=204)


@router.post("/{ref}/move", response_model=CaseRead)
async def move_case(ref: CaseRef, body: CaseMove, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Move the case into another project: its status, type and custom fields are mapped or the move is refused."""
    return _case_response(await db.write(moving.move_case, actor, ref, body, expected))


@router.post("/{ref}/restore", response_model=CaseRead, responses=problems.refusals(409))
async def restore_case(ref: CaseRef, actor: CurrentActor, db: DB) -> Response:
    """Bring an archived case back (409 when it is not archived)."""
    return _case_response(await db.write(lifecycle.restore_case, actor, ref))


@router.get("/{ref}/activity", response_model=ActivityPage)
async def list_case_activity(
    ref: CaseRef,
    actor: CurrentActor,
    db: DB,
    language: Language,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """The case's activity log, oldest first; each entry's `label` is in the caller's language."""
    rows, next_cursor = await db.read(service.list_activity, actor, ref, cursor, limit)
    items = [activity_view(row, language) for row in rows]
    return JSONResponse({"items": items, "next_cursor": next_cursor})


@facets_router.get("/tags", response_model=TagPage)
async def list_tags(actor: CurrentActor, db: DB, limit: Limit = 100, cursor: Cursor = None) -> Response:
    """The distinct tags of the workspace's cases (archived ones too), in order."""
    tags, next_cursor = await db.read(facets.list_tags, actor, cursor, limit)
    return JSONResponse({"items": tags, "next_cursor": next_cursor})


@facets_router.get("/reporters", response_model=ReporterPage)
async def list_reporters(actor: CurrentActor, db: DB, limit: Limit = 100, cursor: Cursor = None) -> Response:
    """The users who created at least one of the workspace's cases."""
    rows, next_cursor = await db.read(facets.list_reporters, actor, cursor, limit)
    items = [{"id": str(row.id), "name": row.name, "email": row.email} for row in rows]
    return JSONResponse({"items": items, "next_cursor": next_cursor})
