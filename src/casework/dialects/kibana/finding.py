"""Finding Kibana cases: GET /api/cases/_find, the tags and reporters of the cases, and the status summary."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from casework.auth.service import Actor, user_records
from casework.cases import facets, search
from casework.cases.schemas import CaseFilter
from casework.db.base import utcnow
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana import datemath
from casework.dialects.kibana.cases import case_answers
from casework.dialects.kibana.errors import bad_request
from casework.dialects.kibana.inputs import KibanaInput, KibanaStatus, Severity
from casework.dialects.kibana.routing import DEPRECATED_WARNING, kibana_router, validation_message
from casework.dialects.kibana.schemas import FindResponse, KibanaUser, StatusCounts
from casework.dialects.kibana.wire import GROUP_OF_STATUS, user_body
from casework.http import DB, JSONResponse

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Kibana pages no deeper than this many documents (page × perPage).
MAX_DOCS_PER_PAGE = 10_000
MAX_FILTER_VALUES = 100
# Tags and reporters are read in pages of this many, up to MAX_DOCS_PER_PAGE in all.
_FACET_PAGE = 500

router = kibana_router()


# GET /api/cases/_find


SortField = Literal["createdAt", "updatedAt", "closedAt", "title", "status", "severity", "category"]
_SORTS = {
    "createdAt": "created",
    "updatedAt": "updated",
    "closedAt": "closed",
    "title": "title",
    "status": "status",
    "severity": "severity",
    "category": "category",
}
StringList = Annotated[list[str], Query()]


def _number(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise bad_request(f'Invalid value "{value}" supplied to "{name}"') from None
    if not number.is_integer() or number < 0:
        raise bad_request(f'Invalid value "{value}" supplied to "{name}"')
    return int(number)


def _pages(page_param: str | None, per_page_param: str | None) -> tuple[int, int]:
    page = _number("page", page_param, 1)
    per_page = _number("perPage", per_page_param, DEFAULT_PER_PAGE)
    if per_page > MAX_PER_PAGE:
        raise bad_request(
            f"The provided perPage value is too high. The maximum allowed perPage value is {MAX_PER_PAGE}."
        )
    if max(page, page * per_page) > MAX_DOCS_PER_PAGE:
        raise bad_request(
            f"The number of documents is too high. Paginating through more than {MAX_DOCS_PER_PAGE} documents "
            "is not possible."
        )
    return max(page, 1), max(per_page, 1)


def _few(name: str, values: list[str]) -> list[str]:
    if len(values) > MAX_FILTER_VALUES:
        raise bad_request(
            f"The length of the field {name} is too long. Array must be of length <= {MAX_FILTER_VALUES}."
        )
    return values


class FindQuery(KibanaInput):
    """GET /api/cases/_find's filters, translated."""

    model_config = KibanaInput.model_config | {"strict": False}

    status: list[KibanaStatus] = []
    severity: list[Severity] = []
    tags: list[str] = []
    owner: list[str] = []
    assignees: list[str] = []
    reporters: list[str] = []
    category: list[str] = []
    search: str | None = None
    searchFields: list[Literal["title", "description"]] = []
    defaultSearchOperator: Literal["AND", "OR"] = "OR"
    sortField: SortField = "createdAt"
    sortOrder: Literal["asc", "desc"] = "desc"
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _dates(query: FindQuery) -> dict[str, Any]:
    now = utcnow()
    try:
        after = datemath.parse(query.from_, now) if query.from_ else None
        before = datemath.parse(query.to, now, round_up=True) if query.to else None
    except datemath.DateMathError:
        raise bad_request('Invalid "from" and/or "to" query parameters') from None
    # `to` is inclusive; the core's created_before is not.
    return {"created_after": after, "created_before": before + timedelta(microseconds=1) if before else None}


def _filters(session: Session, actor: Actor, query: FindQuery) -> CaseFilter | None:
    """The core filter, or None when the filters can match nothing (reporters that are no users)."""
    values: dict[str, Any] = {
        "status": [GROUP_OF_STATUS[s] for s in query.status],
        "severity": query.severity,
        "tag_any": query.tags,
        "owner": query.owner,
        "category": query.category,
        **{k: v for k, v in _dates(query).items() if v is not None},
    }
    unassigned = "none" in query.assignees
    uids = [a for a in query.assignees if a != "none"]
    assignees = [u for u in map(_uuid, uids) if u is not None]
    if uids and not assignees and not unassigned:
        return None
    values["unassigned"] = unassigned
    values["assignee"] = assignees
    if query.reporters:
        authors = _reporters(session, actor, query.reporters)
        if not authors:
            return None
        values["author"] = authors
    if query.search and query.search.strip():
        case_id = _uuid(query.search.strip())
        if case_id is not None:
            values["id"] = [case_id]
        else:
            values["q"] = query.search
            values["q_match"] = "all" if query.defaultSearchOperator == "AND" else "any"
            # Kibana searches the case's own fields (searchFields: title, description), never its comments.
            values["q_comments"] = False
    return _case_filter(values)


def _case_filter(values: dict[str, Any]) -> CaseFilter:
    try:
        return CaseFilter.model_validate(values)
    except ValidationError as exc:
        raise bad_request(validation_message(exc.errors())) from None


def _reporters(session: Session, actor: Actor, reporters: list[str]) -> list[uuid.UUID]:
    """Users named by profile uid (their id) or username (their email)."""
    wanted = set(reporters)
    return [user.id for user in _all_reporters(session, actor) if str(user.id) in wanted or user.email in wanted]


def _all_reporters(session: Session, actor: Actor) -> list[Any]:
    return _every(lambda cursor: facets.list_reporters(session, actor, cursor, _FACET_PAGE))


def _every(page: Callable[[str | None], tuple[list[Any], str | None]]) -> list[Any]:
    """A facet's items, page after page, up to the most Kibana reads at once."""
    found: list[Any] = []
    cursor = None
    while len(found) < MAX_DOCS_PER_PAGE:
        items, cursor = page(cursor)
        found.extend(items)
        if cursor is None:
            break
    return found


_NO_COUNTS = {"count_open_cases": 0, "count_in_progress_cases": 0, "count_closed_cases": 0}


def _find(session: Session, actor: Actor, query: FindQuery, page: int, per_page: int) -> dict[str, Any]:
    actor.require_case_read()
    filters = _filters(session, actor, query)
    if filters is None:
        return {"cases": [], "page": page, "per_page": per_page, "total": 0, **_NO_COUNTS}
    # Kibana counts per status over the same filters, less the status and less the search: without a search, the
    # list counts them with its total.
    found = search.list_cases(
        session,
        actor,
        filters,
        _SORTS[query.sortField],
        query.sortOrder,
        with_total=True,
        page=page,
        per_page=per_page,
        with_status_counts=not query.search,
    )
    if found.status_counts is not None:
        by_status = found.status_counts
    else:
        by_status = search.count_by_status(session, actor, filters.model_copy(update={"q": None, "id": []}))
    return {
        "cases": case_answers(session, actor, found.items),
        "page": page,
        "per_page": per_page,
        "total": found.total,
        "count_open_cases": by_status["open"],
        "count_in_progress_cases": by_status["in_progress"],
        "count_closed_cases": by_status["closed"],
    }


@router.get("/api/cases/_find", summary="Search cases", response_model=FindResponse)
async def find_cases(
    actor: DialectActor,
    db: DB,
    status: StringList = [],
    severity: StringList = [],
    tags: StringList = [],
    owner: StringList = [],
    assignees: Annotated[list[str], Query(description="Profile uids; `none`: cases with no assignees.")] = [],
    reporters: Annotated[list[str], Query(description="Usernames (emails) or profile uids.")] = [],
    category: StringList = [],
    search: str | None = None,
    searchFields: StringList = [],
    defaultSearchOperator: str = "OR",
    sortField: str = "createdAt",
    sortOrder: str = "desc",
    page: Annotated[str | None, Query(description="The page, from 1 (1).")] = None,
    perPage: Annotated[str | None, Query(description="Cases per page, at most 100 (20).")] = None,
    from_: Annotated[str | None, Query(alias="from", description="Created at or after: ISO 8601 or date math.")] = None,
    to: Annotated[str | None, Query(description="Created at or before: ISO 8601 or date math (`now-1d`).")] = None,
) -> Response:
    for name, values in (("tags", tags), ("assignees", assignees), ("reporters", reporters), ("category", category)):
        _few(name, values)
    pages = _pages(page, perPage)
    raw = {
        "status": status,
        "severity": severity,
        "tags": tags,
        "owner": owner,
        "assignees": assignees,
        "reporters": reporters,
        "category": category,
        "search": search,
        "searchFields": searchFields,
        "defaultSearchOperator": defaultSearchOperator,
        "sortField": sortField,
        "sortOrder": sortOrder,
        "from": from_,
        "to": to,
    }
    try:
        query = FindQuery.model_validate(raw)
    except ValidationError as exc:
        raise bad_request(validation_message(exc.errors())) from None
    return JSONResponse(await db.read(_find, actor, query, *pages))


# Tags, reporters and counts


def _owned(owner: list[str]) -> CaseFilter:
    return _case_filter({"owner": owner})


def _tags(session: Session, actor: Actor) -> list[str]:
    return _every(lambda cursor: facets.list_tags(session, actor, cursor, _FACET_PAGE))


@router.get("/api/cases/tags", summary="Get case tags", response_model=list[str])
async def get_tags(actor: DialectActor, db: DB, owner: StringList = []) -> Response:
    """The distinct tags of the workspace's cases."""
    return JSONResponse(await db.read(_tags, actor))


def _reporter_bodies(session: Session, actor: Actor) -> list[dict[str, Any]]:
    people = user_records(session, actor, [row.id for row in _all_reporters(session, actor)])
    return [user_body(user) for user in people.values()]


@router.get("/api/cases/reporters", summary="Get case creators", response_model=list[KibanaUser])
async def get_reporters(actor: DialectActor, db: DB, owner: StringList = []) -> Response:
    """The users who created cases."""
    return JSONResponse(await db.read(_reporter_bodies, actor))


def _status(session: Session, actor: Actor, owner: list[str]) -> dict[str, int]:
    counts = search.count_by_status(session, actor, _owned(owner))
    return {
        "count_open_cases": counts["open"],
        "count_in_progress_cases": counts["in_progress"],
        "count_closed_cases": counts["closed"],
    }


@router.get(
    "/api/cases/status", summary="Get case status summary (deprecated)", deprecated=True, response_model=StatusCounts
)
async def get_status(actor: DialectActor, db: DB, owner: StringList = []) -> Response:
    response = JSONResponse(await db.read(_status, actor, owner))
    response.headers["warning"] = DEPRECATED_WARNING
    return response
