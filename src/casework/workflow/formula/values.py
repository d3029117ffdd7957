"""Value semantics: truthiness, equality, ordering and text conversion (JS-ish, but strict on types)."""

import json
import math
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from casework.i18n import _
from casework.workflow.formula.nodes import FormulaError


def is_number(value: Any) -> bool:
    # bool is an int subclass in Python; formulas treat TRUE as a boolean, never as 1.
    return isinstance(value, int | float) and not isinstance(value, bool)


# Numbers stay within a double's range, as in Tines: a larger integer is an error, never an overflow later on.
LARGEST_NUMBER = int(sys.float_info.max)


def within_range(value: Any) -> Any:
    """The value itself, unless it is an integer past a double's range (a FormulaError)."""
    if isinstance(value, int) and not isinstance(value, bool) and not -LARGEST_NUMBER <= value <= LARGEST_NUMBER:
        raise FormulaError(_("the number is out of range"))
    return value


def is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def type_name(value: Any) -> str:
    """The kind of a value in error messages (a translatable label)."""
    if value is None:
        return _("null")
    if isinstance(value, bool):
        return _("boolean")
    if is_number(value):
        return _("number")
    if isinstance(value, str):
        return _("string")
    if is_list(value):
        return _("list")
    if isinstance(value, Mapping):
        return _("object")
    if isinstance(value, datetime | date):
        return _("date")
    return type(value).__name__


def truthy(value: Any) -> bool:
    """null, false, 0, "", [] and {} are false; everything else is true."""
    if value is None or value is False:
        return False
    if is_number(value):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) > 0
    return True


def is_blank(value: Any) -> bool:
    """Tines' blank: null, FALSE, "", [] and {} (0 and " " are present)."""
    return value is None or value is False or (isinstance(value, str | list | tuple | Mapping) and len(value) == 0)


def equal(a: Any, b: Any) -> bool:
    """Equality never coerces across types: 1 = "1" and TRUE = 1 are both false."""
    if is_number(a) and is_number(b):
        return bool(a == b)
    if is_list(a) and is_list(b):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return normalize_datetime(a) == normalize_datetime(b)
    if type_name(a) != type_name(b):
        return False
    return bool(a == b)


def order(a: Any, b: Any) -> int:
    """-1, 0 or 1 for numbers, strings or dates; anything else is a FormulaError, not a TypeError."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        a, b = normalize_datetime(a), normalize_datetime(b)
    elif not ((is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str))):
        raise FormulaError(_("cannot compare {left} with {right}", left=type_name(a), right=type_name(b)))
    return int(a > b) - int(a < b)


def normalize_datetime(value: datetime) -> datetime:
    # Naive datetimes are taken as UTC so that they compare with aware ones instead of raising.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def to_datetime(value: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return normalize_datetime(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return normalize_datetime(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise FormulaError(_("{function}: {value} is not an ISO date", function=what, value=repr(value))) from None
    raise FormulaError(_("{function}: expected a date, got {kind}", function=what, kind=type_name(value)))


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_list(value) or isinstance(value, Mapping):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)
