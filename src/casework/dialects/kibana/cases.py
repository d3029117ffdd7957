"""Kibana's case routes: create, get, bulk update, delete, find, and the tags and reporters of the cases."""

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response
from pydantic import Field, StrictStr, ValidationError
from sqlalchemy.orm import Session

from casework.attachments.storage import FileStore
from casework.auth.service import Actor, user_records
from casework.cases import bulk, facets, search, service
from casework.cases.records import CaseRecord
from casework.cases.schemas import CaseCreate, CaseFilter
from casework.db.base import utcnow
from casework.deletion import service as deletion
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana import datemath
from casework.dialects.kibana.errors import KibanaError, bad_request
from casework.dialects.kibana.inputs import (
    Assignees,
    Category,
    Connector,
    CustomFields,
    Description,
    KibanaInput,
    KibanaStatus,
    Owner,
    Settings,
    Severity,
    Tags,
    Title,
    at_most,
)
from casework.dialects.kibana.routing import kibana_router, validation_message
from casework.dialects.kibana.schemas import CaseRead, FindResponse, KibanaUser, StatusCounts
from casework.dialects.kibana.wire import (
    GROUP_OF_STATUS,
    STATUS_OF_GROUP,
    VENDOR_KEY,
    case_body,
    decode_version,
    kibana_data,
    people_of,
    user_body,
)
from casework.errors import NotApplied, NotFound
from casework.http import DB, FileStoreDep, JSONResponse

# Cases per PATCH and ids per DELETE.
MAX_CASES_TO_UPDATE = 100
MAX_DELETE_IDS = 100
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Kibana pages no deeper than this many documents (page × perPage).
MAX_DOCS_PER_PAGE = 10_000
MAX_FILTER_VALUES = 100
# Tags and reporters are read in pages of this many, up to MAX_DOCS_PER_PAGE in all.
_FACET_PAGE = 500

router = kibana_router()


def case_answers(
    session: Session,
    actor: Actor,
    records: Sequence[CaseRecord],
    comments: Sequence[dict[str, Any]] = (),
    *,
    custom_field_types: Mapping[str, str] | None = None,
    **totals: int,
) -> list[dict[str, Any]]:
    """The cases as Kibana shows them, the users they name read in the same unit of work; `comments`,
    `custom_field_types` and `totals` (total_comment, total_alerts) as case_body takes them, for every case."""
    people = user_records(session, actor.workspace_id, people_of(records))
    return [
        case_body(record, people, comments, custom_field_types=custom_field_types, **totals) for record in records
    ]


def case_answer(
    session: Session,
    actor: Actor,
    record: CaseRecord,
    comments: Sequence[dict[str, Any]] = (),
    *,
    custom_field_types: Mapping[str, str] | None = None,
    **totals: int,
) -> dict[str, Any]:
    return case_answers(session, actor, [record], comments, custom_field_types=custom_field_types, **totals)[0]


class CasePostRequest(KibanaInput):
    """The body of POST /api/cases."""

    title: Title
    description: Description
    tags: Tags
    connector: Connector
    settings: Settings
    owner: Owner
    severity: Severity = "low"
    assignees: Assignees = []
    category: Category | None = None
    customFields: CustomFields = Field(default=[], description="Values of the owner's configured custom fields.")


def _unique(values: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _core_create(body: CasePostRequest) -> CaseCreate:
    return CaseCreate.model_validate(
        {
            "title": body.title,
            "description": body.description,
            "tags": _unique(body.tags),
            "severity": body.severity,
            "owner": body.owner,
            "category": body.category,
            "assignees": _unique(a.uid for a in body.assignees),
            "fields": {field.key: field.value for field in body.customFields},
            "vendor_data": {
                VENDOR_KEY: {"connector": body.connector.model_dump(), "settings": body.settings.model_dump()}
            },
        }
    )


def _create(session: Session, actor: Actor, body: CasePostRequest) -> dict[str, Any]:
    return case_answer(session, actor, service.create_case(session, actor, _core_create(body)))


def _get(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    return case_answer(session, actor, service.get_case(session, actor, case_id))


@router.post("/api/cases", summary="Create a case", response_model=CaseRead)
async def create_case(body: CasePostRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body))


@router.get("/api/cases/{caseId}", summary="Get case information", response_model=CaseRead)
async def get_case(caseId: str, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_get, actor, caseId))


# PATCH /api/cases


class CasePatchRequest(KibanaInput):
    """One case's changes: its id and version, and only the fields to change."""

    id: StrictStr
    version: StrictStr = Field(description="The case's version, as its last answer gave it.")
    title: Title | None = None
    description: Description | None = None
    tags: Tags | None = None
    connector: Connector | None = None
    severity: Severity | None = None
    assignees: Assignees | None = None
    category: Category | None = None
    customFields: CustomFields | None = None
    settings: Settings | None = None
    status: KibanaStatus | None = None
    owner: StrictStr | None = Field(default=None, description="Refused unless it is the case's owner already.")


class CasesPatchRequest(KibanaInput):
    cases: Annotated[list[CasePatchRequest], at_most("cases", MAX_CASES_TO_UPDATE, 1)]


def _differences(item: CasePatchRequest, record: CaseRecord) -> dict[str, Any]:
    """The fields of item that differ from the case (lists compared as sets, objects in depth), as Kibana diffs."""
    data = kibana_data(record)
    given = {name: getattr(item, name) for name in item.model_fields_set - {"id", "version"}}
    current: dict[str, Any] = {
        "title": record.title,
        "description": record.description,
        "severity": record.severity,
        "category": record.category,
        "status": STATUS_OF_GROUP[record.status],
        "owner": record.owner,
        "connector": data.get("connector"),
        "settings": data.get("settings"),
    }
    changed: dict[str, Any] = {}
    for name, value in given.items():
        if name == "tags":
            differs = set(value) != set(record.tags)
        elif name == "assignees":
            differs = {a.uid for a in value} != {str(a) for a in record.assignees}
        elif name == "customFields":
            wanted = {field.key: field.value for field in value}
            differs = wanted != {key: record.fields.get(key) for key in wanted} or set(record.fields) - set(wanted)
        elif name in ("connector", "settings"):
            differs = value.model_dump() != current[name]
        else:
            differs = value != current[name]
        if differs:
            changed[name] = value
    return changed


def _core_changes(changed: dict[str, Any], record: CaseRecord) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("title", "description", "severity", "category"):
        if name in changed:
            changes[name] = changed[name]
    if "tags" in changed:
        changes["tags"] = _unique(changed["tags"])
    if "assignees" in changed:
        changes["assignees"] = _unique(a.uid for a in changed["assignees"])
    if "status" in changed:
        changes["status"] = GROUP_OF_STATUS[changed["status"]]
    if "customFields" in changed:
        # The request's values replace the case's: a field it leaves out is cleared.
        wanted = {field.key: field.value for field in changed["customFields"]}
        changes["fields"] = {**{key: None for key in record.fields}, **wanted}
    if "connector" in changed or "settings" in changed:
        data = dict(kibana_data(record))
        for name in ("connector", "settings"):
            if name in changed:
                data[name] = changed[name].model_dump()
        changes["vendor_data"] = {VENDOR_KEY: data}
    return changes


def _listed(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def _patch(session: Session, actor: Actor, body: CasesPatchRequest) -> list[dict[str, Any]]:
    actor.require_case_write()
    records: dict[int, CaseRecord] = {}
    missing = []
    for index, item in enumerate(body.cases):
        try:
            records[index] = service.get_case(session, actor, item.id)
        except NotFound:
            missing.append(item.id)
    if missing:
        raise KibanaError(404, f"These cases {_listed(missing)} do not exist. Please check you have the correct ids.")
    stale = [item.id for i, item in enumerate(body.cases) if decode_version(item.version) != records[i].version]
    if stale:
        raise _conflict(stale)
    changed = {i: _differences(item, records[i]) for i, item in enumerate(body.cases)}
    changed = {i: fields for i, fields in changed.items() if fields}
    if not changed:
        raise KibanaError(406, "All update fields are identical to current version.")
    owners = [body.cases[i].id for i, fields in changed.items() if "owner" in fields]
    if owners:
        raise bad_request(f"Updating the owner of a case is not allowed ids: [{_listed(owners)}]")
    items = [(str(records[i].id), records[i].version, _core_changes(fields, records[i])) for i, fields in changed.items()]
    outcome = bulk.bulk_update_atomic(session, actor, items)
    if not outcome.applied:
        refs = {str(records[i].id): body.cases[i].id for i in changed}
        if outcome.missing or outcome.stale:
            raise _conflict([refs[ref] for ref in outcome.missing + outcome.stale])
        raise next(item.error for item in outcome.items if item.error is not None and not isinstance(item.error, NotApplied))
    updated = [item.case for item in outcome.items if item.case is not None]
    return case_answers(session, actor, updated)


def _conflict(ids: Sequence[str]) -> KibanaError:
    return KibanaError(
        409, f"These cases {_listed(ids)} has been updated. Please refresh before saving additional updates."
    )


@router.patch("/api/cases", summary="Update cases", response_model=list[CaseRead])
async def update_cases(body: CasesPatchRequest, actor: DialectActor, db: DB) -> Response:
    """Atomic: every case changes, or none does. Answers the cases that changed."""
    return JSONResponse(await db.write(_patch, actor, body))


# DELETE /api/cases


def _ids(request: Request) -> list[str]:
    """`ids` repeated, or one JSON array of strings (`ids=["a","b"]`)."""
    values = request.query_params.getlist("ids")
    if len(values) == 1 and values[0].lstrip().startswith("["):
        try:
            parsed = json.loads(values[0])
        except ValueError:
            raise bad_request("[request query.ids]: could not parse array value from json input") from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
            raise bad_request("[request query.ids]: could not parse array value from json input")
        values = parsed
    if len(values) > MAX_DELETE_IDS:
        raise bad_request(f"The length of the field ids is too long. Array must be of length <= {MAX_DELETE_IDS}.")
    if not values:
        raise bad_request("The length of the field ids is too short. Array must be of length >= 1.")
    if any(not value.strip() for value in values):
        raise bad_request("string must have length >= 1")
    return list(dict.fromkeys(values))


def _delete(session: Session, actor: Actor, store: FileStore, ids: list[str]) -> None:
    for case_id in ids:
        service.get_case(session, actor, case_id)
    for case_id in ids:
        deletion.delete_case(session, actor, store, case_id)


@router.delete(
    "/api/cases",
    status_code=204,
    summary="Delete cases",
    openapi_extra={
        "parameters": [
            {
                "name": "ids",
                "in": "query",
                "required": True,
                "description": "The cases' ids, 1 to 100: repeated, or as one JSON array.",
                "schema": {"type": "array", "items": {"type": "string"}},
            }
        ]
    },
)
async def delete_cases(request: Request, actor: DialectActor, db: DB, store: FileStoreDep) -> Response:
    """Deletes the cases for good with all they hold; if any is missing, none is deleted."""
    await db.write(_delete, actor, store, _ids(request))
    return Response(status_code=204)


# GET /api/cases/_find


SortField = Literal["createdAt", "updatedAt", "closedAt", "title", "status", "severity", "category"]
_SORTS = {"createdAt": "created", "updatedAt": "updated", "closedAt": "closed", "title": "title",
          "status": "status", "severity": "severity", "category": "category"}
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
    uids = [a for a in query.assignees if a != "none"]
    if "none" in query.assignees and not uids:
        values["unassigned"] = True
    elif uids:
        assignees = [u for u in map(_uuid, uids) if u is not None]
        if not assignees:
            return None
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
    try:
        return CaseFilter.model_validate(values)
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def _reporters(session: Session, actor: Actor, reporters: list[str]) -> list[uuid.UUID]:
    """Users named by profile uid (their id) or username (their email)."""
    wanted = set(reporters)
    return [user.id for user in _all_reporters(session, actor) if str(user.id) in wanted or user.email in wanted]


def _all_reporters(session: Session, actor: Actor) -> list[Any]:
    found: list[Any] = []
    cursor = None
    while len(found) < MAX_DOCS_PER_PAGE:
        rows, cursor = facets.list_reporters(session, actor, cursor, _FACET_PAGE)
        found.extend(rows)
        if cursor is None:
            break
    return found


_NO_COUNTS = {"count_open_cases": 0, "count_in_progress_cases": 0, "count_closed_cases": 0}


def _find(session: Session, actor: Actor, query: FindQuery, page: int, per_page: int) -> dict[str, Any]:
    actor.require_case_read()
    filters = _filters(session, actor, query)
    if filters is None:
        return {"cases": [], "page": page, "per_page": per_page, "total": 0, **_NO_COUNTS}
    found = search.list_cases(
        session, actor, filters, _SORTS[query.sortField], query.sortOrder, with_total=True, page=page, per_page=per_page
    )
    # Kibana counts per status over the same filters, less the status and less the search.
    unsearched = filters.model_copy(update={"q": None, "id": []}) if query.search else filters
    by_status = search.count_by_status(session, actor, unsearched)
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
        "status": status, "severity": severity, "tags": tags, "owner": owner, "assignees": assignees,
        "reporters": reporters, "category": category, "search": search, "searchFields": searchFields,
        "defaultSearchOperator": defaultSearchOperator, "sortField": sortField, "sortOrder": sortOrder,
        "from": from_, "to": to,
    }
    try:
        query = FindQuery.model_validate(raw)
    except ValidationError as exc:
        raise bad_request(validation_message(exc.errors())) from None
    return JSONResponse(await db.read(_find, actor, query, *pages))


# Tags, reporters and counts


def _owned(owner: list[str]) -> CaseFilter:
    return CaseFilter.model_validate({"owner": owner})


def _tags(session: Session, actor: Actor) -> list[str]:
    found: list[str] = []
    cursor = None
    while len(found) < MAX_DOCS_PER_PAGE:
        tags, cursor = facets.list_tags(session, actor, cursor, _FACET_PAGE)
        found.extend(tags)
        if cursor is None:
            break
    return found


@router.get("/api/cases/tags", summary="Get case tags", response_model=list[str])
async def get_tags(actor: DialectActor, db: DB, owner: StringList = []) -> Response:
    """The distinct tags of the workspace's cases."""
    return JSONResponse(await db.read(_tags, actor))


def _reporter_bodies(session: Session, actor: Actor) -> list[dict[str, Any]]:
    people = user_records(session, actor.workspace_id, [row.id for row in _all_reporters(session, actor)])
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
    response.headers["warning"] = '299 Kibana-8.15.0 "Deprecated endpoint"'
    return response
