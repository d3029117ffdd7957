"""Custom attribute configs of case types (CaseManagementAttributeApi): `GET /api/v2/cases/types/custom_attributes`
(every type's), `GET|POST /api/v2/cases/types/{case_type_id}/custom_attributes`, `PUT|DELETE
…/custom_attributes/{custom_attribute_id}`. Each is a custom field of the case type, its description kept.

Datadog's four types are casework's text, url, decimal (NUMBER is a double) and select (multi_select when
`is_multi`); a select is made without options and takes no value until an update gives them (`type_data.options`,
each value an option id). A field made natively of another type shows as the nearest of the four. Key, type and
`is_multi` never change. Ids are UUIDs, else 400; errors are `{"errors": ["<message>"]}`.

A case's custom attribute values are its values of its type's fields: `custom_attribute` shows one as Datadog does
(`{type, is_multi, value}`), `core_value` takes one Datadog sends, of the field's type and `is_multi`, for the core to
check."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.dialects.datadog.inputs import DatadogInput
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.dialect import DialectActor
from casework.errors import InvalidInput, from_validation_error
from casework.http import DB, JSONResponse
from casework.i18n import _
from casework.workflow.fields import service
from casework.workflow.fields.models import FieldDefinition, FieldType
from casework.workflow.fields.schemas import FieldCreate, FieldDescription, FieldKey, FieldUpdate, Label, OptionId

router = datadog_router()

CUSTOM_ATTRIBUTE = "custom_attribute"
AttributeType = Literal["URL", "TEXT", "NUMBER", "SELECT"]
# Datadog's type (and is_multi) as casework's field type, and back.
FIELD_TYPE: dict[str, FieldType] = {"URL": "url", "TEXT": "text", "NUMBER": "decimal", "SELECT": "select"}
ATTRIBUTE_TYPE = {
    "text": "TEXT", "long_text": "TEXT", "url": "URL", "number": "NUMBER", "decimal": "NUMBER",
    "select": "SELECT", "multi_select": "SELECT", "dependent_select": "SELECT",
}  # fmt: skip

CaseTypeId = Annotated[uuid.UUID, Path(description="The case type's UUID.")]
AttributeId = Annotated[uuid.UUID, Path(description="The custom attribute config's UUID.")]


class AttributeCreate(DatadogInput):
    key: FieldKey
    display_name: Label
    type: AttributeType
    is_multi: bool
    description: FieldDescription | None = None


class AttributeCreateData(DatadogInput):
    type: Literal["custom_attribute"]
    attributes: AttributeCreate


class CustomAttributeConfigCreateRequest(DatadogInput):
    data: AttributeCreateData


class SelectOption(DatadogInput):
    value: OptionId


class TypeData(DatadogInput):
    options: list[SelectOption] | None = None


class AttributeUpdate(DatadogInput):
    display_name: Label | None = None
    type: AttributeType | None = Field(default=None, description="Accepted only unchanged.")
    type_data: TypeData | None = None
    description: FieldDescription | None = Field(default=None, description="A new description; absent or null: kept.")
    map_from: None = Field(default=None, description="Not supported: only null.")


class AttributeUpdateData(DatadogInput):
    type: Literal["custom_attribute"]
    attributes: AttributeUpdate | None = None


class CustomAttributeConfigUpdateRequest(DatadogInput):
    data: AttributeUpdateData


def attribute_type(field: FieldDefinition) -> str:
    return ATTRIBUTE_TYPE.get(field.type, "TEXT")


def attribute_is_multi(field: FieldDefinition) -> bool:
    return field.is_multi or field.type == "multi_select"


def _shown(field_type: str, value: Any) -> Any:
    # The client's value union knows doubles and strings: numbers (decimals kept as text too) as doubles.
    if field_type in ("number", "decimal"):
        return float(value)
    if field_type in ("boolean", "toggle"):
        return "true" if value else "false"
    return str(value)


def custom_attribute(field: FieldDefinition, value: Any) -> dict[str, Any]:
    """A value the case holds for the field, as Datadog shows a custom attribute value."""
    if field.type == "dependent_select":
        shown: Any = "/".join(value)
    elif isinstance(value, list):
        shown = [_shown(field.type, item) for item in value]
    else:
        shown = _shown(field.type, value)
    return {"type": attribute_type(field), "is_multi": attribute_is_multi(field), "value": shown}


def _core(field_type: str, value: Any) -> Any:
    if field_type == "number" and isinstance(value, float) and value.is_integer():
        return int(value)
    if field_type in ("boolean", "toggle") and value in ("true", "false"):
        return value == "true"
    return value


def core_value(field: FieldDefinition, type: str, is_multi: bool, value: Any, name: str) -> Any:
    """The value Datadog sends for the field as the core takes it (which checks it); a type or is_multi other than
    the field's is a 400 naming `name`."""
    if type != attribute_type(field) or is_multi != attribute_is_multi(field):
        raise InvalidInput.field(
            name,
            _(
                "the custom attribute {key} is of type {type} with is_multi {is_multi}",
                key=field.key,
                type=attribute_type(field),
                is_multi="true" if attribute_is_multi(field) else "false",
            ),
        )
    if field.type == "dependent_select" and isinstance(value, str):
        return value.split("/")
    if isinstance(value, list):
        return [_core(field.type, item) for item in value]
    return _core(field.type, value)


def attribute_data(type_id: uuid.UUID | None, field: FieldDefinition) -> dict[str, Any]:
    attributes = {
        "case_type_id": str(type_id),
        "key": field.key,
        "display_name": field.label,
        "type": attribute_type(field),
        "is_multi": attribute_is_multi(field),
    }
    if field.description is not None:
        attributes["description"] = field.description
    return {"id": str(field.id), "type": CUSTOM_ATTRIBUTE, "attributes": attributes}


def core_field(attributes: AttributeCreate) -> FieldCreate:
    field_type = FIELD_TYPE[attributes.type]
    # Several values of a select make a multi_select; is_multi is for the other types.
    multi_select = field_type == "select" and attributes.is_multi
    return FieldCreate(
        key=attributes.key,
        label=attributes.display_name,
        description=attributes.description,
        type="multi_select" if multi_select else field_type,
        is_multi=attributes.is_multi and not multi_select,
    )


def _all(session: Session, actor: Actor) -> dict[str, Any]:
    return {"data": [attribute_data(t, f) for t, f in service.list_fields_of_types(session, actor)]}


def _of_type(session: Session, actor: Actor, type_id: uuid.UUID) -> dict[str, Any]:
    shown_id, fields = service.list_type_fields(session, actor, str(type_id))
    return {"data": [attribute_data(shown_id, f) for f in fields]}


def _create(
    session: Session, actor: Actor, type_id: uuid.UUID, body: CustomAttributeConfigCreateRequest
) -> dict[str, Any]:
    data = core_field(body.data.attributes)
    shown_id, field = service.create_type_field(session, actor, str(type_id), data, options_later=True)
    return {"data": attribute_data(shown_id, field)}


def _update(
    session: Session, actor: Actor, type_id: uuid.UUID, field_id: uuid.UUID, body: CustomAttributeConfigUpdateRequest
) -> dict[str, Any]:
    given = body.data.attributes or AttributeUpdate()
    field = service.get_type_field(session, actor, str(type_id), str(field_id))[1]
    if given.type is not None and given.type != attribute_type(field):
        raise InvalidInput.field("data.attributes.type", _("cannot be changed once the field exists"))
    change: dict[str, Any] = {}
    if given.display_name is not None:
        change["label"] = given.display_name
    if given.description is not None:
        change["description"] = given.description
    if given.type_data is not None and given.type_data.options is not None:
        if attribute_type(field) != "SELECT":
            raise InvalidInput.field("data.attributes.type_data", _("only select fields take options"))
        change["options"] = [{"id": o.value, "label": o.value} for o in given.type_data.options]
    try:
        data = FieldUpdate.model_validate(change)
    except ValidationError as exc:
        # What the core's options refuse beyond the dialect's checks (a value twice) is a 400 too.
        raise from_validation_error(exc, "data.attributes.type_data") from None
    shown_id, changed = service.update_type_field(session, actor, str(type_id), field.key, data)
    return {"data": attribute_data(shown_id, changed)}


@router.get("/api/v2/cases/types/custom_attributes", summary="Get all custom attributes")
async def get_all_custom_attributes(actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_all, actor))


@router.get("/api/v2/cases/types/{case_type_id}/custom_attributes", summary="Get the custom attributes of a case type")
async def get_all_custom_attribute_configs_by_case_type(
    case_type_id: CaseTypeId, actor: DialectActor, db: DB
) -> Response:
    return JSONResponse(await db.read(_of_type, actor, case_type_id))


@router.post(
    "/api/v2/cases/types/{case_type_id}/custom_attributes", summary="Create a custom attribute config", status_code=201
)
async def create_custom_attribute_config(
    case_type_id: CaseTypeId, body: CustomAttributeConfigCreateRequest, actor: DialectActor, db: DB
) -> Response:
    return JSONResponse(await db.write(_create, actor, case_type_id, body), 201)


@router.put(
    "/api/v2/cases/types/{case_type_id}/custom_attributes/{custom_attribute_id}",
    summary="Update a custom attribute config",
)
async def update_custom_attribute_config(
    case_type_id: CaseTypeId,
    custom_attribute_id: AttributeId,
    body: CustomAttributeConfigUpdateRequest,
    actor: DialectActor,
    db: DB,
) -> Response:
    return JSONResponse(await db.write(_update, actor, case_type_id, custom_attribute_id, body))


@router.delete(
    "/api/v2/cases/types/{case_type_id}/custom_attributes/{custom_attribute_id}",
    summary="Delete a custom attribute config",
    status_code=204,
)
async def delete_custom_attribute_config(
    case_type_id: CaseTypeId, custom_attribute_id: AttributeId, actor: DialectActor, db: DB
) -> Response:
    await db.write(service.delete_type_field, actor, str(case_type_id), str(custom_attribute_id))
    return Response(status_code=204)
