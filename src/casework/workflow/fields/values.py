"""Custom field values: the canonical form each type stores, and the rows of the searchable copy.

Pure functions (no database): `canonical` checks one value against a field's type and options and returns what
cases.fields keeps; `index_rows` gives the (text_value, number_value) rows case_field_values holds for it.

Canonical forms: text, long_text and url a str; number an int (signed 64-bit); decimal the normalized string of a
finite decimal ("12.5", never "1.25E+1"); boolean and toggle a bool; date "YYYY-MM-DD"; datetime UTC with a fixed
width, "YYYY-MM-DDTHH:MM:SS.ffffffZ" (given as a date alone: that day's start in UTC), so that its text sorts as
its time; select an option id; multi_select a list of unique option ids (empty means no value); dependent_select
the path of option ids from the root; user a UUID str.
A multi-valued (is_multi) text, url, number or decimal field holds a list of unique such values (empty means no value).
A field's pattern is an RE2 expression each text value must match as a whole: RE2 matches in time linear in the
text, so no pattern can make a write hang (Python's re backtracks, and `(a+)+$` takes exponential time).
"""

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import re2

from casework.i18n import Message, _
from casework.inputs import day_start

MAX_TEXT = 1000
MAX_LONG_TEXT = 30_000
MAX_URL = 2048
# The searchable copy keeps this much of a text: its index entry must stay under PostgreSQL's btree row limit.
INDEXED_TEXT = 512
INT64 = range(-(2**63), 2**63)
MAX_MULTI_VALUES = 100
MAX_PATTERN = 500
# RE2 refuses to compile a pattern whose program would need more memory than this.
PATTERN_MEMORY = 1 << 20
# Decimals: at most this many significant digits, and magnitudes between 10^-38 and 10^38.
DECIMAL_DIGITS = 38
# A dependent select path joins option ids with "/" in the searchable copy (option ids never hold one).
PATH_SEPARATOR = "/"

NUMERIC_TYPES = frozenset({"number", "decimal", "boolean", "toggle"})
OPTION_TYPES = frozenset({"select", "multi_select", "dependent_select"})
# One row per option (multi_select) or per path prefix (dependent_select) in the searchable copy.
MULTI_ROW_TYPES = frozenset({"multi_select", "dependent_select"})
# Types whose values have a meaningful order for > >= < <= filters.
ORDERED_TYPES = frozenset({"text", "long_text", "url", "number", "decimal", "date", "datetime"})

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")
_INTEGER = re.compile(r"^[+-]?\d{1,20}$")


class Refused(Exception):
    """A value the field does not take; `message` says why, for the field error."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def canonical(
    field_type: str, options: list[dict[str, Any]], value: Any, *, multi: bool = False, pattern: str | None = None
) -> Any:
    """The stored form of a non-null `value` for a field of `field_type`; None for an empty list of values."""
    if multi:
        return _many(field_type, value, pattern)
    stored = _one(field_type, options, value)
    if pattern is not None and not _compiled(pattern).fullmatch(stored):
        raise Refused(_("does not have the form the field's pattern requires"))
    return stored


def _many(field_type: str, value: Any, pattern: str | None) -> list[Any] | None:
    if not isinstance(value, list):
        raise Refused(_("must be a list of values"))
    if len(value) > MAX_MULTI_VALUES:
        raise Refused(_("must hold at most {limit} values", limit=MAX_MULTI_VALUES))
    stored = []
    for index, item in enumerate(value):
        try:
            stored.append(canonical(field_type, [], item, pattern=pattern))
        except Refused as exc:
            raise Refused(_("item {index}: {reason}", index=index, reason=exc.message)) from None
    if len(set(stored)) != len(stored):
        raise Refused(_("must not repeat a value"))
    return stored or None


def check_pattern(pattern: str) -> None:
    """Refuses a pattern RE2 cannot compile (a syntax error, or a program too large)."""
    try:
        _compiled(pattern)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise Refused(_("not a valid RE2 regular expression: {reason}", reason=reason)) from None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = PATTERN_MEMORY
    return re2.compile(pattern, options)


def _one(field_type: str, options: list[dict[str, Any]], value: Any) -> Any:
    match field_type:
        case "text":
            return _text(value, MAX_TEXT)
        case "long_text":
            return _text(value, MAX_LONG_TEXT)
        case "url":
            return _url(value)
        case "number":
            return _integer(value)
        case "decimal":
            return _decimal(value)
        case "boolean" | "toggle":
            if not isinstance(value, bool):
                raise Refused(_("must be true or false"))
            return value
        case "date":
            return _date(value)
        case "datetime":
            return _datetime(value)
        case "select":
            return _option(options, value)
        case "multi_select":
            return _options(options, value)
        case "dependent_select":
            return _path(options, value)
        case "user":
            return _user(value)
    raise Refused(_("unknown field type {type}", type=field_type))


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise Refused(_("must be a string"))
    if len(value) > limit:
        raise Refused(_("must be at most {limit} characters", limit=limit))
    return value


def _url(value: Any) -> str:
    text = _text(value, MAX_URL)
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or re.search(r"\s", text):
        raise Refused(_("must be an http or https URL"))
    return text


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused(_("must be an integer"))
    if value not in INT64:
        raise Refused(_("must be a signed 64-bit integer"))
    return value


def _decimal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Refused(_("must be a decimal number or a string holding one"))
    text = str(value).strip() if not isinstance(value, str) else value
    if not _DECIMAL.match(text):
        raise Refused(_("must be a finite decimal number"))
    try:
        exact = Decimal(text)
        # Normalized with enough precision to never round (the default context keeps 28 digits).
        number = exact.normalize(Context(prec=max(len(exact.as_tuple().digits), 1)))
    except InvalidOperation:
        raise Refused(_("must be a finite decimal number")) from None
    if number.is_zero():
        return "0"
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > DECIMAL_DIGITS or number.adjusted() >= DECIMAL_DIGITS or exponent < -DECIMAL_DIGITS:
        raise Refused(_("must have at most {digits} significant digits, below 10^{digits}", digits=DECIMAL_DIGITS))
    return format(number, "f")


def _date(value: Any) -> str:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise Refused(_("must be a date written YYYY-MM-DD"))


def _datetime(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 64:
        raise Refused(_("must be an ISO 8601 date and time with a time zone"))
    try:
        moment = day_start(value)
        if not isinstance(moment, datetime):
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(_("must be an ISO 8601 date and time with a time zone")) from None
    if moment.tzinfo is None:
        raise Refused(_("must be an ISO 8601 date and time with a time zone"))
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise Refused(_("must be an ISO 8601 date and time with a time zone")) from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _option(options: list[dict[str, Any]], value: Any) -> str:
    if not isinstance(value, str):
        raise Refused(_("must be an option id (a string)"))
    if value not in {option["id"] for option in options}:
        raise Refused(_("unknown option {option}", option=value))
    return value


def _options(options: list[dict[str, Any]], value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Refused(_("must be a list of option ids"))
    if len(set(value)) != len(value):
        raise Refused(_("must not repeat an option"))
    known = {option["id"] for option in options}
    unknown = [item for item in value if item not in known]
    if unknown:
        raise Refused(_("unknown option {option}", option=", ".join(unknown)))
    return list(value) or None


def _path(options: list[dict[str, Any]], value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise Refused(_('must be a path of option ids from the root, such as ["emea", "france"]'))
    level = options
    for depth, option_id in enumerate(value):
        node = next((option for option in level if option["id"] == option_id), None)
        if node is None:
            where = PATH_SEPARATOR.join(value[:depth]) or "/"
            raise Refused(_("unknown option {option} under {parent}", option=option_id, parent=where))
        level = node.get("children") or []
    return list(value)


def _user(value: Any) -> str:
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise Refused(_("must be a user id"))


def index_rows(field_type: str, value: Any, multi: bool = False) -> list[tuple[str | None, float | None]]:
    """(text_value, number_value) rows for a canonical value, by position: one per value of a multi-valued field.

    A dependent select path gives its full path first (what sorts), then each shorter prefix, so that
    "path starts with" is an equality on the index.
    """
    if multi:
        return [row for item in value for row in index_rows(field_type, item)]
    if field_type in ("number", "decimal"):
        return [(None, float(value))]
    if field_type in ("boolean", "toggle"):
        return [(None, 1.0 if value else 0.0)]
    if field_type == "multi_select":
        return [(option, None) for option in value]
    if field_type == "dependent_select":
        return [(PATH_SEPARATOR.join(value[:depth]), None) for depth in range(len(value), 0, -1)]
    return [(value[:INDEXED_TEXT], None)]


def option_paths(options: list[dict[str, Any]], parent: str = "") -> Iterator[str]:
    """Every option of a tree as its path of ids joined by "/" (the ids themselves for a flat list)."""
    for option in options:
        path = f"{parent}{PATH_SEPARATOR}{option['id']}" if parent else option["id"]
        yield path
        yield from option_paths(option.get("children") or [], path)


def tree_depth(options: list[dict[str, Any]]) -> int:
    return max((1 + tree_depth(option.get("children") or []) for option in options), default=0)


def filter_operand(field_type: str, options_by_field: list[list[dict[str, Any]]], raw: str) -> str | float:
    """The value a `field=KEY OP VALUE` filter compares against the searchable copy, from the text of the query.

    options_by_field: the options of each definition the key stands for; an option must exist in one of them.
    """
    match field_type:
        case "number":
            if not _INTEGER.match(raw):
                raise Refused(_("must be an integer"))
            return float(_integer(int(raw)))
        case "decimal":
            return float(Decimal(_decimal(raw)))
        case "boolean" | "toggle":
            if raw.lower() not in ("true", "false"):
                raise Refused(_("must be true or false"))
            return 1.0 if raw.lower() == "true" else 0.0
        case "date":
            return _date(raw)
        case "datetime":
            return _datetime(raw)
        case "user":
            return _user(raw)
        case "select" | "multi_select" | "dependent_select":
            return _known_option(field_type, options_by_field, raw)
    return raw[:INDEXED_TEXT]


def _known_option(field_type: str, options_by_field: list[list[dict[str, Any]]], raw: str) -> str:
    last: Refused | None = None
    for options in options_by_field:
        try:
            if field_type == "dependent_select":
                return PATH_SEPARATOR.join(_path(options, raw.split(PATH_SEPARATOR)))
            return _option(options, raw)
        except Refused as exc:
            last = exc
    assert last is not None
    raise last
