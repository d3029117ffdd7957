"""Kibana's case configuration routes: GET and POST /api/cases/configure, PATCH /api/cases/configure/{id}.

One configuration per owner, kept whole by the core's vendor settings (connector, closure type, templates and
observable types as given); its custom fields are also casework field definitions (custom_fields). A POST replaces
the owner's configuration (a new id); a PATCH names the configuration's version."""

from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import AfterValidator, BaseModel, Field, StrictBool, StrictInt, model_validator
from sqlalchemy.orm import Session

from casework.auth.service import Actor, user_records
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana import custom_fields
from casework.dialects.kibana.errors import KibanaError, bad_request
from casework.dialects.kibana.inputs import (
    MAX_CUSTOM_TEXT,
    MAX_SAFE_INTEGER,
    Connector,
    KibanaInput,
    Owner,
    at_most,
    text,
)
from casework.dialects.kibana.routing import kibana_router
from casework.dialects.kibana.schemas import ConnectorRead, KibanaUser
from casework.dialects.kibana.wire import decode_version, encode_version, timestamp, user_body
from casework.errors import NotFound
from casework.http import DB, JSONResponse
from casework.vendor_settings import service as settings
from casework.vendor_settings.records import VendorSettingRecord
from casework.workflow.fields.schemas import MAX_OPTIONS

router = kibana_router()

DIALECT = custom_fields.DIALECT
MAX_CUSTOM_FIELDS = 10
MAX_TEMPLATES = 10
MAX_TEMPLATE_TAGS = 10
MAX_TEMPLATE_TAG = 50
MAX_TEMPLATE_NAME = 50
MAX_TEMPLATE_DESCRIPTION = 1000
MAX_OBSERVABLE_TYPES = 10
MAX_KEY = 36
MAX_LABEL = 50
KEY_MESSAGE = "Key must be lower case, a-z, 0-9, '_', and '-' are allowed"
CONFLICT_MESSAGE = "This configuration has been updated. Please refresh before saving additional updates."
# Kept as given, beside the core's fields.
STORED = ("connector", "closure_type", "customFields", "templates", "observableTypes", "analytics_enabled")


def _key(value: str) -> str:
    if not value.strip():
        raise ValueError("The key field cannot be an empty string.")
    if len(value) > MAX_KEY:
        raise ValueError(f"The length of the key is too long. The maximum length is {MAX_KEY}.")
    if not value.isascii() or not all(c.islower() or c.isdigit() or c in "_-" for c in value):
        raise ValueError(KEY_MESSAGE)
    return value


def _invalid_default(value: Any) -> ValueError:
    shown = ("true" if value else "false") if isinstance(value, bool) else value
    return ValueError(f'Invalid value "{shown}" supplied to "customFields,defaultValue"')


def _template_description(value: str) -> str:
    if len(value) > MAX_TEMPLATE_DESCRIPTION:
        raise ValueError(
            f"The length of the description is too long. The maximum length is {MAX_TEMPLATE_DESCRIPTION}."
        )
    return value


Key = Annotated[str, AfterValidator(_key), Field(description="a-z, 0-9, `_` and `-`, at most 36 characters.")]
Label = Annotated[str, text("label", MAX_LABEL)]
ClosureType = Literal["close-by-user", "close-by-pushing"]


class ListOption(KibanaInput):
    key: Key
    label: Label


class CustomFieldConfiguration(KibanaInput):
    """A custom field of the owner's cases: `defaultValue` fills it on a new case that does not set it."""

    key: Key
    label: Label
    type: Literal["text", "toggle", "number", "list"]
    required: StrictBool
    defaultValue: str | StrictBool | StrictInt | float | None = None
    options: Annotated[list[ListOption], at_most("options", MAX_OPTIONS, 1)] | None = Field(
        default=None, description="list fields only: the options a value picks from."
    )

    @model_validator(mode="after")
    def _check(self) -> "CustomFieldConfiguration":
        default = self.defaultValue
        if self.type == "list" and self.options is None:
            raise ValueError('Invalid value "undefined" supplied to "customFields,options"')
        if self.type != "list" and self.options is not None:
            raise ValueError('invalid keys "options"')
        if default is None:
            return self
        if self.type in ("text", "list"):
            if not isinstance(default, str):
                raise _invalid_default(default)
            if self.type == "text" and not default.strip():
                raise ValueError("The defaultValue field cannot be an empty string.")
            if len(default) > MAX_CUSTOM_TEXT:
                raise ValueError(
                    f"The length of the defaultValue is too long. The maximum length is {MAX_CUSTOM_TEXT}."
                )
        elif self.type == "toggle" and not isinstance(default, bool):
            raise _invalid_default(default)
        elif self.type == "number":
            if isinstance(default, bool) or not isinstance(default, int | float):
                raise _invalid_default(default)
            # JavaScript has one number type: 3.0 is the integer 3.
            if not abs(default) <= MAX_SAFE_INTEGER or (isinstance(default, float) and not default.is_integer()):
                raise ValueError(
                    "The defaultValue field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive."
                )
            self.defaultValue = int(default)
        return self


TemplateTags = Annotated[
    list[Annotated[str, text("template's tag", MAX_TEMPLATE_TAG)]], at_most("template's tags", MAX_TEMPLATE_TAGS)
]


class Template(KibanaInput):
    """A case template: kept as given (its custom field values follow the configuration's fields)."""

    key: Key
    name: Annotated[str, text("name", MAX_TEMPLATE_NAME)]
    caseFields: dict[str, Any] | None
    description: Annotated[str, AfterValidator(_template_description)] | None = None
    tags: TemplateTags | None = None


class ObservableType(KibanaInput):
    key: Key
    label: Label


CustomFields = Annotated[list[CustomFieldConfiguration], at_most("customFields", MAX_CUSTOM_FIELDS)]
Templates = Annotated[list[Template], at_most("templates", MAX_TEMPLATES)]
ObservableTypes = Annotated[list[ObservableType], at_most("observableTypes", MAX_OBSERVABLE_TYPES)]


class ConfigurationRequest(KibanaInput):
    """The body of POST /api/cases/configure."""

    connector: Connector
    closure_type: ClosureType = Field(description="close-by-pushing: a successful push closes the case.")
    owner: Owner
    customFields: CustomFields | None = None
    templates: Templates | None = None
    observableTypes: ObservableTypes | None = None
    analytics_enabled: StrictBool | None = None


class ConfigurationPatchRequest(KibanaInput):
    """The body of PATCH /api/cases/configure/{configurationId}: what changes, and the version it changes."""

    version: str
    connector: Connector | None = None
    closure_type: ClosureType | None = None
    customFields: CustomFields | None = None
    templates: Templates | None = None
    observableTypes: ObservableTypes | None = None
    analytics_enabled: StrictBool | None = None


class ConfigurationRead(BaseModel):
    """A configuration as Kibana answers it."""

    id: str
    version: str = Field(description="Opaque; send it back to change the configuration.")
    owner: str
    closure_type: ClosureType
    connector: ConnectorRead
    customFields: list[dict[str, Any]]
    templates: list[dict[str, Any]]
    observableTypes: list[dict[str, Any]]
    analytics_enabled: bool | None = None
    mappings: list[dict[str, Any]] = Field(description="Always empty: casework has no connectors.")
    error: str | None
    created_at: str
    created_by: KibanaUser
    updated_at: str | None
    updated_by: KibanaUser | None


def _dumped(body: KibanaInput, name: str) -> Any:
    value = getattr(body, name)
    if isinstance(value, list):
        return [item.model_dump(exclude_unset=True) for item in value]
    return value.model_dump() if isinstance(value, KibanaInput) else value


def _check_observable_types(types: list[dict[str, Any]] | None) -> None:
    custom_fields.check_duplicated_keys(types, "observableTypes")
    labels = [t["label"].strip().lower() for t in types or ()]
    duplicated = list(dict.fromkeys(label for i, label in enumerate(labels) if label in labels[:i]))
    if duplicated:
        raise bad_request(f"Invalid duplicated observable types in request: {','.join(duplicated)}")


def configuration_body(session: Session, actor: Actor, record: VendorSettingRecord) -> dict[str, Any]:
    """A configuration as Kibana answers it; casework has no connectors, so no field mappings either."""
    people = user_records(session, actor, {u for u in (record.created_by, record.updated_by) if u})
    data = record.data
    body = {key: data[key] for key in STORED if key in data}
    return {
        **body,
        "owner": record.scope,
        "created_at": timestamp(record.created_at),
        "created_by": user_body(people.get(record.created_by), record.created_by),
        "updated_at": timestamp(record.updated_at),
        "updated_by": user_body(people.get(record.updated_by), record.updated_by) if record.updated_by else None,
        "mappings": [],
        "version": encode_version(record.version),
        "error": None,
        "id": str(record.id),
    }


def _find(session: Session, actor: Actor, owners: list[str] | None) -> list[dict[str, Any]]:
    records = settings.list_settings(session, actor, DIALECT, owners)
    return [configuration_body(session, actor, record) for record in records]


def _create(session: Session, actor: Actor, body: ConfigurationRequest) -> dict[str, Any]:
    configs = _dumped(body, "customFields")
    custom_fields.check_duplicated_keys(configs, "customFields")
    custom_fields.check_list_defaults(configs)
    templates = _dumped(body, "templates")
    custom_fields.check_templates(templates, configs)
    observable_types = _dumped(body, "observableTypes")
    _check_observable_types(observable_types)
    data = {
        "connector": body.connector.model_dump(),
        "closure_type": body.closure_type,
        "customFields": configs or [],
        "templates": templates or [],
        "observableTypes": observable_types or [],
    }
    if body.analytics_enabled is not None:
        data["analytics_enabled"] = body.analytics_enabled
    data["caseType"] = str(custom_fields.sync_definitions(session, actor, body.owner, configs or []))
    return configuration_body(session, actor, settings.replace_setting(session, actor, DIALECT, body.owner, data))


def _update(session: Session, actor: Actor, configuration_id: str, body: ConfigurationPatchRequest) -> dict[str, Any]:
    configs = _dumped(body, "customFields")
    custom_fields.check_duplicated_keys(configs, "customFields")
    observable_types = _dumped(body, "observableTypes")
    _check_observable_types(observable_types)
    try:
        record = settings.get_setting(session, actor, DIALECT, configuration_id)
    except NotFound:
        raise KibanaError(404, f"Saved object [cases-configure/{configuration_id}] not found") from None
    data = dict(record.data)
    custom_fields.check_type_changes(configs, data["customFields"])
    custom_fields.check_list_defaults(configs)
    fields_after = configs if configs is not None else data["customFields"]
    if body.templates is not None or configs is not None:
        templates = _dumped(body, "templates") if body.templates is not None else data["templates"]
        templates = custom_fields.fill_templates(templates, fields_after)
        custom_fields.check_templates(templates, fields_after)
        data["templates"] = templates
    if decode_version(body.version) != record.version:
        raise KibanaError(409, CONFLICT_MESSAGE)
    for name in ("connector", "closure_type", "analytics_enabled"):
        if getattr(body, name) is not None:
            data[name] = _dumped(body, name)
    if observable_types is not None:
        data["observableTypes"] = observable_types
    if configs is not None:
        data["customFields"] = configs
        custom_fields.sync_definitions(session, actor, record.scope, configs)
    changed = settings.update_setting(session, actor, DIALECT, record.id, record.version, data)
    return configuration_body(session, actor, changed)


@router.get("/api/cases/configure", summary="Get case settings", response_model=list[ConfigurationRead])
async def get_configuration(
    actor: DialectActor,
    db: DB,
    owner: Annotated[list[str] | None, Query(description="Only the configurations of these owners.")] = None,
) -> Response:
    return JSONResponse(await db.read(_find, actor, owner))


@router.post("/api/cases/configure", summary="Add case settings", response_model=ConfigurationRead)
async def set_configuration(body: ConfigurationRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body))


@router.patch(
    "/api/cases/configure/{configurationId}", summary="Update case settings", response_model=ConfigurationRead
)
async def update_configuration(
    configurationId: str, body: ConfigurationPatchRequest, actor: DialectActor, db: DB
) -> Response:
    return JSONResponse(await db.write(_update, actor, configurationId, body))
