"""The built-in functions. The parser checks names and arity against FUNCTIONS at parse time.

NOT(x) is not listed: NOT is a keyword, so NOT(x) is the NOT operator applied to (x).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from casework.workflow.formula.nodes import MAX_ARGS, FormulaError
from casework.workflow.formula.values import equal, is_empty, is_list, to_datetime, to_text, truthy, type_name

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
        return self.now if self.now is not None else datetime.now(timezone.utc)


def _size(rt: Runtime, value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str | Mapping) or is_list(value):
        return len(value)
    raise FormulaError(f"SIZE: expected a list, string or object, got {type_name(value)}")


def _if(rt: Runtime, cond: Thunk, then: Thunk, otherwise: Thunk | None = None) -> Any:
    if truthy(cond()):
        return then()
    return otherwise() if otherwise is not None else None


def _and(rt: Runtime, *items: Thunk) -> bool:
    return all(truthy(item()) for item in items)


def _or(rt: Runtime, *items: Thunk) -> bool:
    return any(truthy(item()) for item in items)


def _is_present(rt: Runtime, value: Any) -> bool:
    return not _is_blank(rt, value)


def _is_blank(rt: Runtime, value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "") or (is_list(value) and len(value) == 0)


def _includes(rt: Runtime, haystack: Any, needle: Any) -> bool:
    if haystack is None:
        return False
    if is_list(haystack):
        return any(equal(item, needle) for item in haystack)
    if isinstance(haystack, str):
        if not isinstance(needle, str):
            raise FormulaError(f"INCLUDES: cannot look for a {type_name(needle)} in a string")
        return needle in haystack
    if isinstance(haystack, Mapping):
        return isinstance(needle, str) and needle in haystack
    raise FormulaError(f"INCLUDES: expected a list, string or object, got {type_name(haystack)}")


def _default(rt: Runtime, value: Thunk, fallback: Thunk) -> Any:
    result = value()
    return fallback() if is_empty(result) else result


def _case(name: str, convert: Callable[[str], str]) -> Callable[[Runtime, Any], Any]:
    def apply(rt: Runtime, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FormulaError(f"{name}: expected a string, got {type_name(value)}")
        return convert(value)

    return apply


def _join(rt: Runtime, items: Any, separator: Any = ",") -> str:
    if items is None:
        return ""
    if not is_list(items):
        raise FormulaError(f"JOIN: expected a list, got {type_name(items)}")
    if not isinstance(separator, str):
        raise FormulaError(f"JOIN: the separator must be a string, got {type_name(separator)}")
    return separator.join(to_text(item) for item in items)


def _now(rt: Runtime) -> datetime:
    return rt.current_time()


_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _date_diff(rt: Runtime, a: Any, b: Any, unit: Any = "seconds") -> float | int | None:
    """a - b in the given unit, so DATE_DIFF(NOW(), created_at, "days") is an age."""
    if not isinstance(unit, str) or unit.lower().removesuffix("s") not in _UNITS:
        raise FormulaError(f"DATE_DIFF: unit must be seconds, minutes, hours or days, got {to_text(unit)!r}")
    if a is None or b is None:
        return None
    seconds = (to_datetime(a, "DATE_DIFF") - to_datetime(b, "DATE_DIFF")).total_seconds()
    result = seconds / _UNITS[unit.lower().removesuffix("s")]
    return int(result) if result.is_integer() else result


FUNCTIONS: dict[str, Function] = {
    "SIZE": Function(1, 1, _size),
    "IF": Function(2, 3, _if, lazy=True),
    "AND": Function(1, MAX_ARGS, _and, lazy=True),
    "OR": Function(1, MAX_ARGS, _or, lazy=True),
    "IS_PRESENT": Function(1, 1, _is_present),
    "IS_BLANK": Function(1, 1, _is_blank),
    "INCLUDES": Function(2, 2, _includes),
    "DEFAULT": Function(2, 2, _default, lazy=True),
    "UPCASE": Function(1, 1, _case("UPCASE", str.upper)),
    "DOWNCASE": Function(1, 1, _case("DOWNCASE", str.lower)),
    "JOIN": Function(1, 2, _join),
    "NOW": Function(0, 0, _now),
    "DATE_DIFF": Function(2, 3, _date_diff),
}
