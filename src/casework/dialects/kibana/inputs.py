"""Kibana's request bodies: strict (an unknown key is a 400), strings trimmed, and limits refused in Kibana's words.

The models are shared by the dialect's routes: a case's fields here, a comment's in their own modules."""

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictBool, model_validator

from casework.dialects.kibana.wire import OwnerName
from casework.inputs import CleanInput
from casework.workflow.case_values import Severity as CaseSeverity

MAX_TITLE = 160
MAX_DESCRIPTION = 30_000
MAX_COMMENT = 30_000
MAX_TAGS = 200
MAX_TAG = 256
MAX_CATEGORY = 50
MAX_ASSIGNEES = 10
MAX_CUSTOM_FIELDS = 10
MAX_CUSTOM_TEXT = 160


class KibanaInput(CleanInput):
    """A Kibana request body: io-ts' exact types refuse unknown keys and values of another JSON type; and, as every
    casework input, no NUL character (PostgreSQL's text cannot hold one)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def text(field: str, maximum: int) -> AfterValidator:
    """A string trimmed, then refused empty or over `maximum` characters with Kibana's messages for `field`."""

    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(f"The {field} field cannot be an empty string.")
        if len(value) > maximum:
            raise ValueError(f"The length of the {field} is too long. The maximum length is {maximum}.")
        return value

    return AfterValidator(check)


def at_most(field: str, maximum: int, minimum: int = 0) -> AfterValidator:
    """A list of `minimum..maximum` items, refused with Kibana's messages for `field`."""

    def check(value: list[Any]) -> list[Any]:
        if len(value) > maximum:
            raise ValueError(f"The length of the field {field} is too long. Array must be of length <= {maximum}.")
        if len(value) < minimum:
            raise ValueError(f"The length of the field {field} is too short. Array must be of length >= {minimum}.")
        return value

    return AfterValidator(check)


Owner = Annotated[OwnerName, Field(description="The application that owns the case.")]
Severity = Annotated[CaseSeverity, Field(description="The severity of the case.")]
Title = Annotated[str, text("title", MAX_TITLE)]
Description = Annotated[str, text("description", MAX_DESCRIPTION)]
Comment = Annotated[str, text("comment", MAX_COMMENT)]
Tag = Annotated[str, text("tag", MAX_TAG)]
Tags = Annotated[list[Tag], at_most("tags", MAX_TAGS)]
Category = Annotated[str, text("category", MAX_CATEGORY)]
KibanaStatus = Literal["open", "in-progress", "closed"]


class Assignee(KibanaInput):
    uid: str = Field(description="The user's profile uid: a casework user id.")


Assignees = Annotated[list[Assignee], at_most("assignees", MAX_ASSIGNEES)]

ConnectorType = Literal[
    ".none", ".jira", ".resilient", ".servicenow", ".servicenow-sir", ".swimlane", ".cases-webhook", ".thehive"
]


# The fields each connector type takes (each a string or null); `.none` and `.cases-webhook` take none (null).
CONNECTOR_FIELDS: dict[str, frozenset[str] | None] = {
    ".none": None,
    ".cases-webhook": None,
    ".jira": frozenset({"issueType", "priority", "parent"}),
    ".resilient": frozenset({"incidentTypes", "severityCode"}),
    ".servicenow": frozenset({"impact", "severity", "urgency", "category", "subcategory"}),
    ".servicenow-sir": frozenset(
        {"category", "destIp", "malwareHash", "malwareUrl", "priority", "sourceIp", "subcategory"}
    ),
    ".swimlane": frozenset({"caseId"}),
    ".thehive": frozenset({"tlp"}),
}


class Connector(KibanaInput):
    """The external system a case pushes to; kept as given."""

    id: str
    name: str
    type: ConnectorType
    fields: dict[str, Any] | None

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> "Connector":
        allowed = CONNECTOR_FIELDS[self.type]
        if self.fields is None:
            return self
        shown = json.dumps(self.fields, separators=(",", ":"))
        if allowed is None:
            raise ValueError(f'Invalid value "{shown}" supplied to "connector,fields"')
        excess = [key for key in self.fields if key not in allowed]
        if excess:
            raise ValueError(f'invalid keys "{",".join(excess)}"')
        return self


class Settings(KibanaInput):
    syncAlerts: StrictBool


# The JSON type of a custom field's value, by the field's Kibana type (list values are option keys).
_VALUE_KINDS: dict[str, tuple[type, ...]] = {"text": (str,), "toggle": (bool,), "number": (int,), "list": (str,)}
# Number custom fields hold JavaScript's safe integers.
MAX_SAFE_INTEGER = 2**53 - 1


class CustomFieldValue(KibanaInput):
    key: Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[a-z0-9_-]+$")]
    type: Literal["text", "toggle", "number", "list"]
    value: str | StrictBool | int | None

    @model_validator(mode="after")
    def _value_of_its_type(self) -> "CustomFieldValue":
        value = self.value
        if value is None:
            return self
        if isinstance(value, bool) != (self.type == "toggle") or not isinstance(value, _VALUE_KINDS[self.type]):
            shown = json.dumps(value) if isinstance(value, bool) else value
            raise ValueError(f'Invalid value "{shown}" supplied to "customFields,value"')
        if self.type == "text" and isinstance(value, str):
            if not value.strip():
                raise ValueError("The value field cannot be an empty string.")
            if len(value) > MAX_CUSTOM_TEXT:
                raise ValueError(f"The length of the value is too long. The maximum length is {MAX_CUSTOM_TEXT}.")
        if self.type == "number" and isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
            raise ValueError("The value field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive.")
        return self


CustomFields = Annotated[list[CustomFieldValue], at_most("customFields", MAX_CUSTOM_FIELDS)]
