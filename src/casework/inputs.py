"""The base of every input model: unknown fields refused, and no NUL characters anywhere.

PostgreSQL cannot store NUL in text or JSON, so it is refused here, naming the field, for both databases.
"""

from collections.abc import Hashable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from casework.i18n import _


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


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_nul(v) for v in value)
    return False


class CleanInput(BaseModel):
    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError(_("must not contain NUL characters"))
        return value


class StrictInput(CleanInput):
    model_config = ConfigDict(extra="forbid")
