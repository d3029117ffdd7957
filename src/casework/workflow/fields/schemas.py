"""Custom field definitions as the API takes and shows them, and the bulk set of one field on many cases.

A key is `^[a-z0-9_-]{1,36}$` (Kibana's keys, UUIDs included) or, as keys always were, `^[a-z][a-z0-9_]{0,63}$`;
it is unique among the fields a case may see (its project's and its type's). Key, type, is_multi and owner never
change once the field exists.
Options (select, multi_select, dependent_select only): `[{id, label}]`, ids unique among siblings; a dependent
select nests `children` (at most 5 levels). At most 1,000 options in all.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.descriptions import ALL_ITEMS, CREATED_AT, ID, UPDATED_AT
from casework.i18n import _
from casework.inputs import Matching, StrictInput, not_blank, unique_items
from casework.workflow.fields.models import MAX_DESCRIPTION, FieldDefinition, FieldType
from casework.workflow.fields.values import MAX_PATTERN

MAX_FIELDS_PER_PROJECT = 200
MAX_OPTIONS = 1000
MAX_OPTION_DEPTH = 5
MAX_BULK_CASES = 100

# Kibana's keys, and the longer keys accepted before them (kept, so that no existing key becomes invalid).
FIELD_KEY = r"[a-z0-9_-]{1,36}|[a-z][a-z0-9_]{0,63}"
FieldKey = Annotated[
    str,
    Matching(
        rf"^(?:{FIELD_KEY})$",
        _(
            "must be 1 to 36 lower-case letters, digits, _ or -, or a lower-case letter then up to 63 lower-case "
            "letters, digits or _"
        ),
    ),
]
PATTERN = "An RE2 regular expression each value must match as a whole (text, long_text, url)."
Pattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_PATTERN),
    Field(description=PATTERN),
]
Owner = Literal["casework", "kibana"]
Label = Annotated[str, StringConstraints(min_length=1, max_length=160), AfterValidator(not_blank)]
# No "/": a dependent select's path joins ids with it.
OptionId = Annotated[str, Matching(r"^[A-Za-z0-9_.:-]{1,64}$", _("must be 1 to 64 letters, digits, _ . : or -"))]
Position = Annotated[int, Field(ge=0, le=10_000)]
FIELD_DESCRIPTION = "What the field is for, shown to people."
FieldDescription = Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION), Field(description=FIELD_DESCRIPTION)]


def _unique_ids(options: list["FieldOption"]) -> list["FieldOption"]:
    ids = [option.id for option in options]
    if len(set(ids)) != len(ids):
        raise ValueError(_("option ids must be unique among siblings"))
    return options


KEY = "The field's key in a case's `fields`; it never changes."
LABEL = "The field's name for people, 1 to 160 characters."
TYPE = (
    "What values it takes: text, long_text, number, decimal, boolean, toggle, date, datetime, url, select, "
    "multi_select, dependent_select or user; it never changes."
)
IS_MULTI = "text, url, number and decimal only: the value is a list of distinct values; it never changes."
REQUIRED = "Every created or updated case must hold a value."
REQUIRED_TO_CLOSE = "A case cannot close while the field is empty."
ACTIVE = "Only an active field takes values or is required; an inactive one may still be cleared."
OWNER = "Which API the field belongs to: casework, or kibana (at most 10 values of such fields per case)."
OPTIONS = "The choices of select types, `[{id, label, children?}]`; empty for the others."
DEFAULT = "Taken by new cases that do not set the field; null for none."
POSITION = "Its place among the project's fields, 0 to 10,000."


class FieldOption(StrictInput):
    id: OptionId = Field(
        description="The option's id, stored as the value: 1 to 64 letters, digits, _ . : or -, unique among siblings."
    )
    label: Label = Field(description="The option's name for people, 1 to 160 characters.")
    children: Annotated[list["FieldOption"], AfterValidator(_unique_ids)] = Field(
        default=[], description="Options below this one (dependent_select only)."
    )

    def stored(self) -> dict[str, Any]:
        option: dict[str, Any] = {"id": self.id, "label": self.label}
        if self.children:
            option["children"] = [child.stored() for child in self.children]
        return option


Options = Annotated[list[FieldOption], Field(max_length=MAX_OPTIONS), AfterValidator(_unique_ids)]


class FieldCreate(StrictInput):
    key: FieldKey = Field(description=KEY)
    label: Label = Field(description=LABEL)
    description: FieldDescription | None = Field(default=None, description=FIELD_DESCRIPTION)
    type: FieldType = Field(description=TYPE)
    is_multi: bool = Field(
        default=False, description="text, url, number and decimal only: the value is a list of values."
    )
    required: bool = Field(default=False, description="Every created or updated case must hold a value.")
    required_to_close: bool = Field(default=False, description=REQUIRED_TO_CLOSE)
    pattern: Pattern | None = Field(default=None, description=PATTERN)
    options: Options = Field(default=[], description="Required for select types, refused for the others.")
    default: Any = Field(default=None, description="Taken by new cases that do not set the field; checked as a value.")
    active: bool = Field(default=True, description=ACTIVE)
    owner: Owner = Field(default="casework", description="kibana: a case holds at most 10 values of such fields.")
    position: Position | None = Field(default=None, description="Order among the project's fields; last by default.")


class FieldUpdate(StrictInput):
    """Only the fields present change. key, type, is_multi and owner are accepted only unchanged; `default: null`
    and `pattern: null` remove them; `options` replaces them all (an option a case still holds cannot be removed).
    A new pattern applies to the values written from then on; `description: null` removes it."""

    key: FieldKey | None = Field(default=None, description=KEY)
    type: FieldType | None = Field(default=None, description=TYPE)
    is_multi: bool | None = Field(default=None, description=IS_MULTI)
    owner: Owner | None = Field(default=None, description=OWNER)
    label: Label | None = Field(default=None, description=LABEL)
    description: FieldDescription | None = Field(default=None, description=FIELD_DESCRIPTION)
    required: bool | None = Field(default=None, description=REQUIRED)
    required_to_close: bool | None = Field(default=None, description=REQUIRED_TO_CLOSE)
    pattern: Pattern | None = Field(default=None, description=PATTERN)
    options: Options | None = Field(default=None, description=OPTIONS)
    default: Any = Field(default=None, description=DEFAULT)
    active: bool | None = Field(default=None, description=ACTIVE)
    position: Position | None = Field(default=None, description=POSITION)


class FieldRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The field's integer handle: accepted wherever its key is.")
    project_id: uuid.UUID | None = Field(description="The project that defines it; null for a case type's field.")
    case_type_id: uuid.UUID | None = Field(description="The case type that defines it; null for a project's field.")
    key: str = Field(description=KEY)
    label: str = Field(description=LABEL)
    description: str | None = Field(description=FIELD_DESCRIPTION)
    type: FieldType = Field(description=TYPE)
    is_multi: bool = Field(description=IS_MULTI)
    required: bool = Field(description=REQUIRED)
    required_to_close: bool = Field(description=REQUIRED_TO_CLOSE)
    pattern: str | None = Field(description=PATTERN)
    options: list[dict[str, Any]] = Field(description=OPTIONS)
    default: Any = Field(description=DEFAULT)
    active: bool = Field(description=ACTIVE)
    owner: Owner = Field(description=OWNER)
    position: int = Field(description=POSITION)
    created_at: datetime = Field(description=CREATED_AT)
    updated_at: datetime = Field(description=UPDATED_AT)


class FieldList(BaseModel):
    items: list[FieldRead] = Field(description=ALL_ITEMS)


CaseRef = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class FieldBulkSet(StrictInput):
    value: Any = Field(description="The value for every case, checked as in PATCH /cases/{id}; null clears it.")
    cases: Annotated[
        list[CaseRef],
        Field(min_length=1, max_length=MAX_BULK_CASES, description="Case ids or keys, each once."),
        AfterValidator(unique_items),
    ]


def field_view(field: FieldDefinition, case_type_id: uuid.UUID | None = None) -> dict[str, Any]:
    """`case_type_id`: the id the field's type shows (STANDARD's is an alias of its row id)."""
    return {
        "id": str(field.id),
        "number": field.number,
        "project_id": str(field.project_id) if field.project_id else None,
        "case_type_id": str(case_type_id or field.case_type_id) if field.case_type_id else None,
        "key": field.key,
        "label": field.label,
        "description": field.description,
        "type": field.type,
        "is_multi": field.is_multi,
        "required": field.required,
        "required_to_close": field.required_to_close,
        "pattern": field.pattern,
        "options": field.options,
        "default": field.default_value,
        "active": field.active,
        "owner": field.owner,
        "position": field.position,
        "created_at": field.created_at,
        "updated_at": field.updated_at,
    }
