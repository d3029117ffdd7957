"""The base of every input model: unknown fields refused, and no NUL characters anywhere.

PostgreSQL cannot store NUL in text or JSON, so it is refused here, naming the field, for both databases.
"""

import re
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from casework.i18n import Message, _

H = TypeVar("H", bound=Hashable)

# Versions are stored as 64-bit integers: a larger one can name no version and is refused as input.
MAX_VERSION = 2**63 - 1
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]


def not_blank(value: str) -> str:
    """For AfterValidator: refuses a string of nothing but whitespace."""
    if not value.strip():
        raise ValueError(_("must not be blank"))
    return value


def unique_items(values: list[H]) -> list[H]:
    """For AfterValidator: refuses a list that holds an item twice."""
    if len(set(values)) != len(values):
        raise ValueError(_("must not repeat an item"))
    return values


@dataclass(frozen=True)
class Matching:
    """A string that must match `regex` (published as the schema's pattern) and whose error says in words what is
    expected, never the regex: `Annotated[str, Matching(r"^#[0-9A-F]{6}$", _("must be a colour written #RRGGBB"))]`."""

    regex: str
    expected: Message

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # Python's `$` also matches before a final newline; the published pattern's (and pydantic's) means the end.
        compiled, expected = re.compile(re.sub(r"(?<!\\)\$$", r"\\Z", self.regex)), self.expected

        def check(value: str) -> str:
            if not compiled.search(value):
                raise ValueError(expected)
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.regex
        return json_schema


def _within_utc_years(value: datetime) -> datetime:
    """Every date and time is stored in UTC: one that leaves years 1-9999 there has no place to go."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(_("must fall within years 1 to 9999 once converted to UTC")) from None
    return value


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def day_start(value: Any) -> Any:
    """For BeforeValidator: a date alone (`2026-12-05`) means the start of that day in UTC."""
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        except ValueError:
            pass  # not a real day: the datetime validation refuses it
    return value


# An input date and time: with a time zone, or a date alone for the start of that day in UTC; within years 1-9999
# in UTC. Every native date and time input uses it.
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(day_start),
    AfterValidator(_within_utc_years),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
            "description": "An RFC 3339 date and time with a time zone, or a date alone (`2026-12-05`): the start "
            "of that day in UTC.",
        }
    ),
]


def nul_at(value: Any, path: str = "") -> str | None:
    """Where in value (`path`, then `.key` or `.index` per level) a string or key holds a NUL character; None if
    none does. PostgreSQL's text and JSON cannot hold one."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        entries: Any = value.items()
    elif isinstance(value, (list, tuple)):
        entries = enumerate(value)
    elif isinstance(value, (set, frozenset)):
        entries = ((None, item) for item in value)
    else:
        return None
    for key, item in entries:
        inner = path if key is None else f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return inner
        found = nul_at(item, inner)
        if found is not None:
            return found
    return None


def _has_nul(value: Any) -> bool:
    return nul_at(value) is not None


class CleanInput(BaseModel):
    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError(_("must not contain NUL characters"))
        return value


class StrictInput(CleanInput):
    model_config = ConfigDict(extra="forbid")
