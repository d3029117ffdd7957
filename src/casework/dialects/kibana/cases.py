"""Kibana's case routes: create, get, bulk update and delete (finding them: casework.dialects.kibana.finding)."""

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import Request, Response
from pydantic import Field, StrictStr, ValidationError, model_validator
from sqlalchemy.orm import Session

from casework.attachments.storage import FileStore
from casework.auth.records import UserRecord
from casework.auth.service import Actor, user_records
from casework.cases import bulk, service
from casework.cases.records import CaseRecord
from casework.cases.schemas import CaseCreate
from casework.deletion import service as deletion
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana import custom_fields
from casework.dialects.kibana.errors import KibanaError, bad_request
from casework.dialects.kibana.inputs import (
    Assignees,
    Category,
    Connector,
    CustomFields,
    Description,
    KibanaInput,
    KibanaStatus,
    Settings,
    Severity,
    Tags,
    Title,
    at_most,
)
from casework.dialects.kibana.routing import kibana_router
from casework.dialects.kibana.schemas import CaseRead
from casework.dialects.kibana.wire import (
    CUSTOM_FIELD_ORDER,
    GROUP_OF_STATUS,
    OWNERS,
    STATUS_OF_GROUP,
    VENDOR_KEY,
    case_body,
    custom_fields_body,
    decode_version,
    kibana_data,
    people_of,
)
from casework.errors import NotApplied, NotFound, from_validation_error
from casework.http import DB, FileStoreDep, JSONResponse

# Cases per PATCH and ids per DELETE.
MAX_CASES_TO_UPDATE = 100
MAX_DELETE_IDS = 100

router = kibana_router()


def case_answers(
    session: Session,
    actor: Actor,
    records: Sequence[CaseRecord],
    comments: Sequence[dict[str, Any]] = (),
    people: Mapping[uuid.UUID, UserRecord] | None = None,
    **totals: int,
) -> list[dict[str, Any]]:
    """The cases as Kibana shows them, the users they name (unless `people` already holds them) and their owners'
    custom field types read in the same unit of work (once per owner); `comments` and `totals` (total_comment,
    total_alerts) as case_body takes them, for every case."""
    if people is None:
        people = user_records(session, actor, people_of(records))
    types = {owner: custom_fields.custom_field_types(session, actor, owner) for owner in {r.owner for r in records}}
    return [case_body(record, people, comments, custom_field_types=types[record.owner], **totals) for record in records]


def case_answer(
    session: Session,
    actor: Actor,
    record: CaseRecord,
    comments: Sequence[dict[str, Any]] = (),
    people: Mapping[uuid.UUID, UserRecord] | None = None,
    **totals: int,
) -> dict[str, Any]:
    return case_answers(session, actor, [record], comments, people, **totals)[0]


class CasePostRequest(KibanaInput):
    """The body of POST /api/cases."""

    title: Title
    description: Description
    tags: Tags
    connector: Connector
    settings: Settings
    # Any string: an owner casework does not serve is refused as Kibana refuses an owner the user may not use (403).
    owner: StrictStr = Field(
        description="The application that owns the case: cases, observability or securitySolution."
    )
    severity: Severity = "low"
    assignees: Assignees = []
    category: Category | None = None
    customFields: CustomFields = Field(default=[], description="Values of the owner's configured custom fields.")


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _core_create(body: CasePostRequest, values: list[dict[str, Any]], case_type: str | None) -> CaseCreate:
    """The core's creation request, with the case's custom field `values` as Kibana stores them, of the owner's case
    type if it has one; a value the core refuses (an assignee uid that is no user id) is a 400."""
    try:
        return _core_create_unchecked(body, values, case_type)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def _core_create_unchecked(body: CasePostRequest, values: list[dict[str, Any]], case_type: str | None) -> CaseCreate:
    kibana: dict[str, Any] = {"connector": body.connector.model_dump(), "settings": body.settings.model_dump()}
    if values:
        kibana[CUSTOM_FIELD_ORDER] = [value["key"] for value in values]
    typed = {"type": case_type} if case_type is not None else {}
    return CaseCreate.model_validate(
        {
            **typed,
            "title": body.title,
            "description": body.description,
            "tags": _unique(body.tags),
            "severity": body.severity,
            "owner": body.owner,
            "category": body.category,
            "assignees": _unique(a.uid for a in body.assignees),
            # A null value is a field without value: the core stores none.
            "fields": {value["key"]: value["value"] for value in values if value["value"] is not None},
            "vendor_data": {VENDOR_KEY: kibana},
        }
    )


def _configured_fields(session: Session, actor: Actor, owner: str) -> list[dict[str, Any]] | None:
    """The owner's configured custom fields; None while it has no configuration."""
    configuration = custom_fields.configured(session, actor, owner)
    return configuration["customFields"] if configuration is not None else None


def _create(session: Session, actor: Actor, body: CasePostRequest) -> dict[str, Any]:
    if body.owner not in OWNERS:
        raise KibanaError(403, f'Unauthorized to create case with owners: "{body.owner}"')
    configuration = custom_fields.configured(session, actor, body.owner)
    configs = configuration["customFields"] if configuration is not None else None
    values = [field.model_dump() for field in body.customFields]
    # Kibana checks the custom fields before anything else past the body's own validation.
    custom_fields.check_case_values(configs, values)
    filled = custom_fields.fill_case_values(configs, values)
    case_type = configuration["caseType"] if configuration is not None else None
    return case_answer(session, actor, service.create_case(session, actor, _core_create(body, filled, case_type)))


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

    @model_validator(mode="after")
    def _no_nulls(self) -> "CasePatchRequest":
        # Absent means unchanged; only the category may be set to null.
        for name in sorted(self.model_fields_set - {"category"}):
            if getattr(self, name) is None:
                raise ValueError(f'Invalid value "null" supplied to "cases,{name}"')
        return self


class CasesPatchRequest(KibanaInput):
    cases: Annotated[list[CasePatchRequest], at_most("cases", MAX_CASES_TO_UPDATE, 1)]


def _differences(item: CasePatchRequest, record: CaseRecord, types: Mapping[str, str]) -> dict[str, Any]:
    """The fields of item that differ from the case (tags and assignees compared as sets, custom fields as the
    case's stored list, objects in depth), as Kibana diffs."""
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
            stored = custom_fields_body(record.fields, types, data.get(CUSTOM_FIELD_ORDER, ()))
            differs = [field.model_dump() for field in value] != stored
        elif name in ("connector", "settings"):
            differs = value.model_dump() != current[name]
        else:
            differs = value != current[name]
        if differs:
            changed[name] = value
    return changed


def _core_changes(changed: dict[str, Any], record: CaseRecord, configs: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The core's changes for one case; `configs` are its owner's configured custom fields."""
    changes: dict[str, Any] = {}
    data = dict(kibana_data(record))
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
        # Kibana replaces the case's list with the given values filled from the configuration; the case's other
        # fields may be native ones Kibana does not know, so they stay.
        filled = custom_fields.fill_case_values(configs, [field.model_dump() for field in changed["customFields"]])
        changes["fields"] = {value["key"]: value["value"] for value in filled}
        data[CUSTOM_FIELD_ORDER] = [value["key"] for value in filled]
    for name in ("connector", "settings"):
        if name in changed:
            data[name] = changed[name].model_dump()
    if data != kibana_data(record):
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
    owners_fields = {
        owner: _configured_fields(session, actor, owner) for owner in {record.owner for record in records.values()}
    }
    types = {owner: custom_fields.field_types(configs) for owner, configs in owners_fields.items()}
    changed = {i: _differences(item, records[i], types[records[i].owner]) for i, item in enumerate(body.cases)}
    changed = {i: fields for i, fields in changed.items() if fields}
    if not changed:
        raise KibanaError(406, "All update fields are identical to current version.")
    owners = [body.cases[i].id for i, fields in changed.items() if "owner" in fields]
    if owners:
        raise bad_request(f"Updating the owner of a case is not allowed ids: [{_listed(owners)}]")
    for i, fields in changed.items():
        if "customFields" in fields:
            values = [field.model_dump() for field in fields["customFields"]]
            custom_fields.check_case_values(owners_fields[records[i].owner], values)
    items: list[tuple[str, int | None, dict[str, Any]]] = [
        (str(records[i].id), records[i].version, _core_changes(fields, records[i], owners_fields[records[i].owner]))
        for i, fields in changed.items()
    ]
    outcome = bulk.bulk_update_atomic(session, actor, items)
    if not outcome.applied:
        refs = {str(records[i].id): body.cases[i].id for i in changed}
        if outcome.missing or outcome.stale:
            raise _conflict([refs[ref] for ref in outcome.missing + outcome.stale])
        raise next(
            item.error for item in outcome.items if item.error is not None and not isinstance(item.error, NotApplied)
        )
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
