"""Searching cases as Datadog does: `GET /api/v2/cases?filter=&sort[field]=&sort[asc]=&page[size]=&page[number]=`.

Pages are numbered from 1, as the client's paginator counts them (0 or none: the first page); a page shorter than
`page[size]` is the last, which ends the paginator. Datadog's search has no depth limit: pages past the core's
page window are reached by keyset windows (casework.cases.paging.walk_to). `meta.page` is {current: the page's
number, size: the cases on it, total: the number of pages}, as the client documents it.

`filter` is Datadog's query: terms joined by spaces, all of which must hold. `status:`, `priority:`, `project:`,
`assignee:`, `type:` and `archived:` filter on the case's own fields; any other `key:value` on its attributes
(`team:case-management`); a word without a colon searches the title, description and comments. A value with spaces
is quoted (`service:"payment api"`)."""

import math
import shlex
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import search
from casework.cases.schemas import CaseFilter
from casework.dialects.datadog.cases import case_answers
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import GROUP_OF_STATUS, NOT_DEFINED, PRIORITIES
from casework.dialects.dialect import DialectActor
from casework.errors import InvalidInput, from_validation_error
from casework.http import DB, JSONResponse
from casework.i18n import _

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
# The client's page[number] is an int64; a larger one could not be echoed in meta.page.current either.
MAX_PAGE_NUMBER = 2**63 - 1
MAX_FILTER_LENGTH = 1000
# Datadog's sortable fields, as the core names them.
SORT_FIELDS = {"created_at": "created", "priority": "priority", "status": "status"}
SortField = Literal["created_at", "priority", "status"]
_ARCHIVED = {"true": "only", "false": "exclude", "any": "include"}

router = datadog_router()


def _term_filter(filters: dict[str, Any], key: str, value: str) -> None:
    """Adds one `key:value` term of the query to the core filter's values."""
    name = key.lower()
    if name == "status":
        upper = value.upper()
        filters["status"].append(GROUP_OF_STATUS[upper] if upper in GROUP_OF_STATUS else value)
    elif name == "priority":
        if value.upper() not in PRIORITIES:
            raise InvalidInput.field("filter", _("priority must be one of {values}", values=", ".join(PRIORITIES)))
        filters["priority"].append("none" if value.upper() == NOT_DEFINED else value.upper())
    elif name == "project":
        filters["project"] = value
    elif name == "assignee":
        filters["assignee"].append(value)
    elif name == "type":
        filters["type"].append(value)
    elif name == "archived":
        if value.lower() not in _ARCHIVED:
            raise InvalidInput.field("filter", _("archived must be true, false or any"))
        filters["archived"] = _ARCHIVED[value.lower()]
    else:
        filters["attribute"].append(f"{key}:{value}")


def case_filter(query: str | None) -> CaseFilter:
    """The core's filter for Datadog's query; InvalidInput naming `filter` for a query it cannot hold."""
    filters: dict[str, Any] = {"status": [], "priority": [], "assignee": [], "type": [], "attribute": []}
    words: list[str] = []
    try:
        terms = shlex.split(query or "")
    except ValueError:
        raise InvalidInput.field("filter", _("a quote is not closed")) from None
    for term in terms:
        key, colon, value = term.partition(":")
        if colon and key and value:
            _term_filter(filters, key, value)
        else:
            words.append(term)
    if words:
        filters["q"] = " ".join(words)
    try:
        return CaseFilter.model_validate(filters)
    except ValidationError as exc:
        raise from_validation_error(exc, prefix="filter") from None


def _search(
    session: Session, actor: Actor, filters: CaseFilter, sort: str, ascending: bool, size: int, number: int
) -> dict[str, Any]:
    order: Literal["asc", "desc"] = "asc" if ascending else "desc"
    page = search.list_cases(
        session, actor, filters, sort, order, page=number, per_page=size, with_total=True, deep_pages=True
    )
    total = page.total or 0
    return {
        "data": case_answers(session, actor, page.items),
        "meta": {"page": {"current": number, "size": len(page.items), "total": math.ceil(total / size)}},
    }


@router.get("/api/v2/cases", summary="Search cases")
async def search_cases(
    actor: DialectActor,
    db: DB,
    page_size: Annotated[int, Query(alias="page[size]", ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    page_number: Annotated[
        int, Query(alias="page[number]", ge=0, le=MAX_PAGE_NUMBER, description="From 1; 0 is the first page too.")
    ] = 1,
    sort_field: Annotated[SortField, Query(alias="sort[field]")] = "created_at",
    sort_asc: Annotated[bool, Query(alias="sort[asc]")] = False,
    filter: Annotated[str | None, Query(max_length=MAX_FILTER_LENGTH, description="Datadog's search query.")] = None,
) -> Response:
    filters = case_filter(filter)
    number = max(page_number, 1)
    body = await db.read(_search, actor, filters, SORT_FIELDS[sort_field], sort_asc, page_size, number)
    return JSONResponse(body)
