"""Kibana's custom field configuration of an owner, as casework field definitions.

Each owner's fields are the fields of a workspace-level case type of its own ("Kibana securitySolution", ...), made
with the first configuration of the owner: a Kibana case of that owner takes the type, so it sees its owner's fields
and no other owner's (two owners may use one key, and an owner's required field binds its own cases only). A field
removed from the configuration is deleted, or deactivated while cases hold values of it.

Also Kibana's checks of a configuration's custom fields and of its templates' values, in Kibana's words."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.dialects.kibana.errors import bad_request
from casework.errors import Conflict
from casework.vendor_settings import service as settings
from casework.workflow.case_types import lookup
from casework.workflow.case_types import service as case_types
from casework.workflow.case_types.schemas import CaseTypeCreate
from casework.workflow.fields import service as fields
from casework.workflow.fields.schemas import FieldCreate, FieldUpdate

DIALECT = "kibana"
# The core's field type of each Kibana custom field type.
CORE_TYPES = {"text": "text", "toggle": "toggle", "number": "number", "list": "select"}


def type_name(owner: str) -> str:
    """The case type holding an owner's custom fields."""
    return f"Kibana {owner}"


def configured(session: Session, actor: Actor, owner: str) -> dict[str, Any] | None:
    """The owner's configuration as stored (its customFields among them), or None before the first one; read once
    per unit of work (a create checks the values with it, then answers with it)."""
    read: dict[tuple[uuid.UUID, str], dict[str, Any] | None] = session.info.setdefault(_CONFIGURED, {})
    key = (actor.workspace_id, owner)
    if key not in read:
        found = settings.list_settings(session, actor, DIALECT, [owner])
        read[key] = found[0].data if found else None
    return read[key]


# Where configured() keeps what it read in the unit of work's session.
_CONFIGURED = "kibana_configured"


def case_type_of(session: Session, actor: Actor, owner: str) -> str | None:
    """The id of the case type a new Kibana case of `owner` takes, None while the owner has no configuration."""
    data = configured(session, actor, owner)
    return data["caseType"] if data is not None else None


def field_types(configs: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """The Kibana type of each configured custom field, by key, in the configuration's order."""
    return {config["key"]: config["type"] for config in configs or ()}


def custom_field_types(session: Session, actor: Actor, owner: str) -> dict[str, str]:
    """The Kibana type of each custom field the owner's configuration defines, by key, in its order."""
    data = configured(session, actor, owner)
    return field_types((data or {}).get("customFields"))


# Checks, in the order Kibana makes them.


def _labels(configs: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(f'"{config["label"]}"' for config in configs)


def check_duplicated_keys(items: Sequence[Mapping[str, Any]] | None, field_name: str) -> None:
    keys = [item["key"] for item in items or ()]
    duplicated = list(dict.fromkeys(key for i, key in enumerate(keys) if key in keys[:i]))
    if duplicated:
        raise bad_request(f"Invalid duplicated {field_name} keys in request: {','.join(duplicated)}")


def check_type_changes(requested: Sequence[Mapping[str, Any]] | None, original: Sequence[Mapping[str, Any]]) -> None:
    """A configured field keeps its type."""
    if requested is None or not original:
        return
    types = {config["key"]: config["type"] for config in original}
    changed = [config for config in requested if types.get(config["key"], config["type"]) != config["type"]]
    if changed:
        raise bad_request(f"Invalid custom field types in request for the following labels: {_labels(changed)}")


def check_list_defaults(requested: Sequence[Mapping[str, Any]] | None) -> None:
    wrong = [
        config
        for config in requested or ()
        if config["type"] == "list"
        and config.get("defaultValue")
        and config["defaultValue"] not in {option["key"] for option in config["options"]}
    ]
    if wrong:
        raise bad_request(f"Default value is not present in options for the following fields: {_labels(wrong)}")


def _default_of(config: Mapping[str, Any]) -> Any:
    if config.get("defaultValue") is not None:
        return config["defaultValue"]
    return False if config["type"] == "toggle" else None


def fill_templates(
    templates: Sequence[dict[str, Any]], configs: Sequence[Mapping[str, Any]] | None
) -> list[dict[str, Any]]:
    """The templates with their custom field values following the configuration: values of fields no longer
    configured dropped, fields newly configured added with their default (Kibana's transformTemplateCustomFields)."""
    filled = []
    for template in templates:
        case_fields = dict(template.get("caseFields") or {})
        values = [
            v for v in case_fields.get("customFields") or () if any(c["key"] == v.get("key") for c in configs or ())
        ]
        for config in configs or ():
            if not any(value.get("key") == config["key"] for value in values):
                values.append({"key": config["key"], "type": config["type"], "value": _default_of(config)})
        filled.append({**template, "caseFields": {**case_fields, "customFields": values}})
    return filled


def check_templates(templates: Sequence[Mapping[str, Any]] | None, configs: Sequence[Mapping[str, Any]] | None) -> None:
    """Each template's custom field values name configured fields, once each, with their types."""
    for index, template in enumerate(templates or ()):
        values = (template.get("caseFields") or {}).get("customFields") or []
        if configs is None and values:
            raise bad_request("No custom fields configured.")
        if not values and configs:
            raise bad_request("No custom fields added to template.")
        check_duplicated_keys(values, f"templates[{index}]'s customFields")
        if not values:
            continue
        known = {config["key"]: config for config in configs or ()}
        unknown = [value["key"] for value in values if value["key"] not in known]
        if unknown:
            raise bad_request(f"Invalid custom field keys: {','.join(unknown)}")
        wrong = [known[value["key"]] for value in values if known[value["key"]]["type"] != value.get("type")]
        if wrong:
            raise bad_request(f"The following custom fields have the wrong type in the request: {_labels(wrong)}")


def check_case_values(configs: Sequence[Mapping[str, Any]] | None, values: Sequence[Mapping[str, Any]]) -> None:
    """A case's custom field values against its owner's configuration (None: the owner has none), in the order and
    words of Kibana's checks: on create, and on an update that sends customFields."""
    check_duplicated_keys(values, "customFields")
    if configs is None:
        if values:
            raise bad_request("No custom fields configured.")
        return
    known = {config["key"]: config for config in configs}
    unknown = [value["key"] for value in values if value["key"] not in known]
    if unknown:
        raise bad_request(f"Invalid custom field keys: {','.join(unknown)}")
    given = {value["key"]: value for value in values}
    required = [config for config in configs if config["required"]]
    missing = [c for c in required if c["key"] not in given and c.get("defaultValue") is None]
    if missing:
        raise bad_request(f"Missing required custom fields without default value configured: {_labels(missing)}")
    nulls = [c for c in required if c["key"] in given and given[c["key"]].get("value") is None]
    if nulls:
        raise bad_request(f'Invalid value "null" supplied for the following required custom fields: {_labels(nulls)}')
    wrong = [c for c in configs if c["key"] in given and given[c["key"]].get("type") != c["type"]]
    if wrong:
        raise bad_request(f"The following custom fields have the wrong type in the request: {_labels(wrong)}")


def fill_case_values(
    configs: Sequence[Mapping[str, Any]] | None, values: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The case's custom fields as Kibana stores them (fillMissingCustomFields): the given values, then each configured
    field missing from them with its default, or null when it is optional; a required one without default is left
    out (check_case_values refused it first)."""
    given = {value["key"] for value in values}
    filled = [dict(value) for value in values]
    for config in configs or ():
        if config["key"] in given:
            continue
        if config.get("defaultValue") is not None:
            filled.append({"key": config["key"], "type": config["type"], "value": config["defaultValue"]})
        elif not config["required"]:
            filled.append({"key": config["key"], "type": config["type"], "value": None})
    return filled


# The owner's case type and its field definitions.


def owner_type(session: Session, actor: Actor, owner: str) -> uuid.UUID:
    """The owner's case type, made on its first configuration."""
    found = lookup.named(session, actor.workspace_id, None, type_name(owner))
    if found is not None:
        return found.id
    made = case_types.create_workspace_type(
        session,
        actor,
        CaseTypeCreate(
            name=type_name(owner), description=f"Cases of the Kibana owner {owner}, with its custom fields."
        ),
    )
    return made.id


def _core_options(config: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"id": option["key"], "label": option["label"]} for option in config.get("options") or ()]


def sync_definitions(session: Session, actor: Actor, owner: str, configs: Sequence[Mapping[str, Any]]) -> uuid.UUID:
    """Make the owner's case type hold exactly the configured fields (in their order); its id."""
    type_id = owner_type(session, actor, owner)
    scope = fields.type_scope(session, actor, str(type_id), lock=True)
    existing = {field.key: field for field in fields.scope_fields(session, scope)}
    wanted = {config["key"] for config in configs}
    for key in existing.keys() - wanted:
        try:
            fields.remove_field(session, scope, key)
        except Conflict:
            # Cases hold values of it: they keep them, and no case takes new ones.
            fields.change_field(session, actor, scope, key, FieldUpdate(active=False))
    for position, config in enumerate(configs):
        core_type = CORE_TYPES[config["type"]]
        current = existing.get(config["key"])
        if current is not None and current.type != core_type:
            # Only a field no configuration holds any more can come back with another type (a POST replaces).
            fields.remove_field(session, scope, config["key"])
            current = None
        described = {
            "label": config["label"],
            "required": config["required"],
            "default": config.get("defaultValue"),
            "position": position,
            "active": True,
        }
        if config["type"] == "list":
            described["options"] = _core_options(config)
        if current is None:
            fields.add_field(
                session,
                actor,
                scope,
                FieldCreate.model_validate({"key": config["key"], "type": core_type, "owner": DIALECT, **described}),
            )
        else:
            fields.change_field(session, actor, scope, config["key"], FieldUpdate.model_validate(described))
    return type_id
