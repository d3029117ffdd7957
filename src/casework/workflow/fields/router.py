"""/api/v1/projects/{ref}/fields: a project's custom field definitions (admin or manager write, any reader reads),
and the bulk set of one field on up to 100 cases with a result per case. /api/v1/types/{type}/fields: a case type's
(the type by id, or a workspace-level one by name); every case of the type sees them beside its project's.

Both scopes have the same six routes, built once by `add_routes` from a `Scope`."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Request, Response

from casework import problems
from casework.cases.bulk import BulkOutcome
from casework.cases.schemas import BulkResponse, case_view
from casework.http import DB, CurrentActor, JSONResponse, Language, NativeRouter, url_for
from casework.problems import item_problem
from casework.workflow.fields import bulk, service
from casework.workflow.fields.schemas import FieldBulkSet, FieldCreate, FieldList, FieldRead, FieldUpdate, field_view

# A service function answering with the owning type's id (None for a project) beside its result.
Typed = Callable[..., tuple[uuid.UUID | None, Any]]


@dataclass(frozen=True)
class Scope:
    """What tells the two scopes apart: the path parameter, the route names, the service functions, the texts."""

    param: str
    # What the path parameter names, for the description.
    param_doc: str
    name: str
    list_fields: Typed
    get_field: Typed
    create_field: Typed
    update_field: Typed
    delete_field: Callable[..., None]
    bulk_set: Callable[..., list[BulkOutcome]]
    bulk_name: str
    list_doc: str
    create_doc: str
    bulk_doc: str

    def route(self, verb: str) -> str:
        """The route's name: its operation id and summary derive from it, and url_for finds it by it."""
        return f"{verb}_{self.name}"


def _untyped(function: Callable[..., Any]) -> Typed:
    """A project service function answering as the type ones do: a project's fields have no type."""

    def call(*args: Any) -> tuple[None, Any]:
        return None, function(*args)

    return call


PROJECT = Scope(
    param="ref",
    param_doc="The project: its id (a UUID) or its key, such as `SEC`.",
    name="field",
    list_fields=_untyped(service.list_fields),
    get_field=_untyped(service.get_field),
    create_field=_untyped(service.create_field),
    update_field=_untyped(service.update_field),
    delete_field=service.delete_field,
    bulk_set=bulk.bulk_set,
    bulk_name="bulk_set_field",
    list_doc="Every field of the project, inactive ones too, by position.",
    create_doc="Define a field. At most 200 per project; the key is unique in the project.",
    bulk_doc="Set the field on each case (null clears it): one result per case, in order, with its status.",
)
CASE_TYPE = Scope(
    param="type_ref",
    param_doc="The case type: its id (a UUID), or the name of a workspace-level type.",
    name="type_field",
    list_fields=service.list_type_fields,
    get_field=service.get_type_field,
    create_field=service.create_type_field,
    update_field=service.update_type_field,
    delete_field=service.delete_type_field,
    bulk_set=bulk.bulk_set_for_type,
    bulk_name="bulk_set_type_field",
    list_doc="Every field of the case type, inactive ones too, by position.",
    create_doc="Define a field of the type. At most 200 per type; no field its cases already see may have the key.",
    bulk_doc="Set the type's field on each case of the type (null clears it): one result per case, in order.",
)


def add_routes(router: NativeRouter, scope: Scope) -> None:
    Owner = Annotated[str, Path(alias=scope.param, description=scope.param_doc)]
    Key = Annotated[str, Path(description="The field's key (`region`) or its integer handle (`number`).")]

    @router.get("", response_model=FieldList, name=f"list_{scope.name}s", description=scope.list_doc)
    async def list_fields(owner: Owner, actor: CurrentActor, db: DB) -> Response:
        type_id, fields = await db.read(scope.list_fields, actor, owner)
        return JSONResponse({"items": [field_view(f, type_id) for f in fields]})

    @router.post(
        "",
        status_code=201,
        response_model=FieldRead,
        name=scope.route("create"),
        description=scope.create_doc,
        responses=problems.refusals(409),
    )
    async def create_field(request: Request, owner: Owner, body: FieldCreate, actor: CurrentActor, db: DB) -> Response:
        type_id, field = await db.write(scope.create_field, actor, owner, body)
        location = url_for(request, scope.route("get"), **{scope.param: owner, "key": field.key})
        return JSONResponse(field_view(field, type_id), 201, headers={"Location": location})

    @router.get("/{key}", response_model=FieldRead, name=scope.route("get"))
    async def get_field(owner: Owner, key: Key, actor: CurrentActor, db: DB) -> Response:
        """One field definition: its type, options, and where it applies."""
        type_id, field = await db.read(scope.get_field, actor, owner, key)
        return JSONResponse(field_view(field, type_id))

    @router.patch("/{key}", response_model=FieldRead, name=scope.route("update"), responses=problems.refusals(409))
    async def update_field(owner: Owner, key: Key, body: FieldUpdate, actor: CurrentActor, db: DB) -> Response:
        """Change what the body names; the key and type stay. Options some case holds must be kept (409)."""
        type_id, field = await db.write(scope.update_field, actor, owner, key, body)
        return JSONResponse(field_view(field, type_id))

    @router.delete("/{key}", status_code=204, name=scope.route("delete"), responses=problems.refusals(409))
    async def delete_field(owner: Owner, key: Key, actor: CurrentActor, db: DB) -> Response:
        """Only a field no case holds a value of (409 otherwise: deactivate it instead)."""
        await db.write(scope.delete_field, actor, owner, key)
        return Response(status_code=204)

    @router.post("/{key}/bulk", response_model=BulkResponse, name=scope.bulk_name, description=scope.bulk_doc)
    async def bulk_set(
        owner: Owner, key: Key, body: FieldBulkSet, actor: CurrentActor, db: DB, language: Language
    ) -> Response:
        outcomes = await db.write(scope.bulk_set, actor, owner, key, body.value, body.cases)
        return JSONResponse({"results": [_result(outcome, language) for outcome in outcomes]})


def _result(outcome: BulkOutcome, language: str) -> dict[str, Any]:
    if outcome.case is not None:
        return {"id": outcome.ref, "status": 200, "case": case_view(outcome.case)}
    assert outcome.error is not None
    status, problem = item_problem(outcome.error, language)
    return {"id": outcome.ref, "status": status, "error": problem}


router = NativeRouter(prefix="/projects/{ref}/fields", tags=["fields"])
type_router = NativeRouter(prefix="/types/{type_ref}/fields", tags=["fields"])
add_routes(router, PROJECT)
add_routes(type_router, CASE_TYPE)
