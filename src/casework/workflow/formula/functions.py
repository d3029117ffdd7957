"""The built-in functions, with Tines' semantics. The parser checks names and arity against FUNCTIONS at parse time.

NOT is both the Tines function NOT(x) (NOT followed by "(") and an operator (NOT x, looser than comparison).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from casework.i18n import _
from casework.workflow.formula.nodes import MAX_ARGS, FormulaError
from casework.workflow.formula.values import equal, is_blank, is_list, to_datetime, to_text, truthy, type_name

Thunk = Callable[[], Any]


@dataclass(frozen=True)
class Function:
    min_args: int
    max_args: int
    impl: Callable[..., Any]
    # Lazy functions get thunks, so IF/AND/OR/DEFAULT skip the branches they do not need.
    lazy: bool = False


@dataclass(frozen=True)
class Runtime:
    now: datetime | None

    def current_time(self) -> datetime:
        return self.now if self.now is not None else datetime.now(UTC)


def _size(rt: Runtime, value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str | Mapping) or is_list(value):
        return len(value)
    raise _not_a_collection("SIZE", value)


def _not_a_collection(function: str, value: Any) -> FormulaError:
    message = _("{function}: expected a list, string or object, got {kind}", function=function, kind=type_name(value))
    return FormulaError(message)


def _if(rt: Runtime, cond: Thunk, then: Thunk, otherwise: Thunk | None = None) -> Any:
    if truthy(cond()):
        return then()
    return otherwise() if otherwise is not None else None


def _and(rt: Runtime, *items: Thunk) -> bool:
    return all(truthy(item()) for item in items)


def _or(rt: Runtime, *items: Thunk) -> bool:
    return any(truthy(item()) for item in items)


def _not(rt: Runtime, value: Any) -> bool:
    return not truthy(value)


def _is_present(rt: Runtime, value: Any) -> bool:
    return not is_blank(value)


def _is_blank(rt: Runtime, value: Any) -> bool:
    return is_blank(value)


def _includes(rt: Runtime, haystack: Any, needle: Any) -> bool:
    if haystack is None:
        return False
    if is_list(haystack):
        return any(equal(item, needle) for item in haystack)
    if isinstance(haystack, str):
        if not isinstance(needle, str):
            raise FormulaError(_("INCLUDES: cannot look for a {kind} in a string", kind=type_name(needle)))
        return needle in haystack
    if isinstance(haystack, Mapping):
        return isinstance(needle, str) and needle in haystack
    raise _not_a_collection("INCLUDES", haystack)


def _default(rt: Runtime, value: Thunk, *fallbacks: Thunk) -> Any:
    """The first of value, fallback1, fallback2, ... that is not blank; the first fallback if all are."""
    result = value()
    if not is_blank(result):
        return result
    first = fallbacks[0]()
    if not is_blank(first):
        return first
    for fallback in fallbacks[1:]:
        candidate = fallback()
        if not is_blank(candidate):
            return candidate
    return first


def _case(name: str, convert: Callable[[str], str]) -> Callable[[Runtime, Any], Any]:
    def apply(rt: Runtime, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FormulaError(_("{function}: expected a string, got {kind}", function=name, kind=type_name(value)))
        return convert(value)

    return apply


def _join(rt: Runtime, items: Any, separator: Any = ",") -> str:
    if items is None:
        return ""
    if not is_list(items):
        raise FormulaError(_("JOIN: expected a list, got {kind}", kind=type_name(items)))
    if not isinstance(separator, str):
        raise FormulaError(_("JOIN: the separator must be a string, got {kind}", kind=type_name(separator)))
    return separator.join(to_text(item) for item in items)


def _now(rt: Runtime) -> datetime:
    return rt.current_time()


_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _date_diff(rt: Runtime, start: Any, end: Any, unit: Any = "seconds") -> float | int | None:
    """The time between start and end in the unit; absolute, as in Tines, so the order of the dates does not matter."""
    if not isinstance(unit, str) or unit.lower().removesuffix("s") not in _UNITS:
        message = _("DATE_DIFF: unit must be seconds, minutes, hours or days, got {unit}", unit=repr(to_text(unit)))
        raise FormulaError(message)
    if start is None or end is None:
        return None
    seconds = abs((to_datetime(end, "DATE_DIFF") - to_datetime(start, "DATE_DIFF")).total_seconds())
    result = seconds / _UNITS[unit.lower().removesuffix("s")]
    return int(result) if result.is_integer() else result


FUNCTIONS: dict[str, Function] = {
    "SIZE": Function(1, 1, _size),
    "IF": Function(2, 3, _if, lazy=True),
    "AND": Function(1, MAX_ARGS, _and, lazy=True),
    "OR": Function(1, MAX_ARGS, _or, lazy=True),
    "NOT": Function(1, 1, _not),
    "IS_PRESENT": Function(1, 1, _is_present),
    "IS_BLANK": Function(1, 1, _is_blank),
    "INCLUDES": Function(2, 2, _includes),
    "DEFAULT": Function(2, MAX_ARGS, _default, lazy=True),
    "UPCASE": Function(1, 1, _case("UPCASE", str.upper)),
    "DOWNCASE": Function(1, 1, _case("DOWNCASE", str.lower)),
    "JOIN": Function(1, 2, _join),
    "NOW": Function(0, 0, _now),
    "DATE_DIFF": Function(2, 3, _date_diff),
}
