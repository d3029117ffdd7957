"""Domain exceptions: services raise these; each wire format renders them once, in its own handler."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Self, get_args

from pydantic_core.core_schema import CoreSchemaType

from casework.i18n import ValidationMessage, _, joined

if TYPE_CHECKING:
    from pydantic import ValidationError

# What NotFound names, by the English word its callers pass ("case", "file", ...); another word is shown as given.
RESOURCES: dict[str, str] = {
    "alert": _("alert"),
    "alert attachment": _("alert attachment"),
    "block": _("block"),
    "case": _("case"),
    "case type": _("case type"),
    "comment": _("comment"),
    "custom attribute": _("custom attribute"),
    "custom field": _("custom field"),
    "file": _("file"),
    "file content": _("file content"),
    "link": _("link"),
    "OAuth client": _("OAuth client"),
    "override": _("override"),
    "project": _("project"),
    "SLA policy": _("SLA policy"),
    "status": _("status"),
    "tag": _("tag"),
    "task": _("task"),
    "token": _("token"),
    "user": _("user"),
    "vendor setting": _("vendor setting"),
    "watcher": _("watcher"),
    "workspace": _("workspace"),
}


@dataclass
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    title: str = _("Error")

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def field(cls, field: str, message: str) -> Self:
        return cls(detail_of([FieldError(field, message)]), [FieldError(field, message)])

    def __copy__(self) -> Self:
        # Exception's own copy calls __init__ again with args alone, which subclasses taking other arguments refuse.
        copied = type(self).__new__(type(self), *self.args)
        copied.__dict__.update(self.__dict__)
        return copied


class Unauthenticated(DomainError):
    title: str = _("Unauthenticated")


class Forbidden(DomainError):
    title: str = _("Forbidden")


class NotFound(DomainError):
    title: str = _("Not found")

    def __init__(self, resource: str, ident: object) -> None:
        # ident as text: a number here is an identifier, never grouped by thousands.
        name = RESOURCES.get(resource, resource)
        super().__init__(_("{resource} {ident} not found", resource=name, ident=str(ident)))
        self.resource = resource
        # As the caller named it: dialects word their own not-found messages with it.
        self.ident = str(ident)


class InvalidInput(DomainError):
    title: str = _("Invalid input")


class LimitExceeded(InvalidInput):
    title: str = _("Limit exceeded")

    def __init__(self, field: str, limit: int, what: str | None = None) -> None:
        """`what` says what is counted, as a `_()` message: "files per case"."""
        message = _("at most {limit} {what}", limit=limit, what=what or _("items"))
        super().__init__(detail_of([FieldError(field, message)]), [FieldError(field, message)])
        self.limit = limit


class Conflict(DomainError):
    title: str = _("Conflict")


class VersionConflict(Conflict):
    title: str = _("Version conflict")

    def __init__(self, current: int, given: int) -> None:
        # As text: version numbers are identifiers, never grouped by thousands.
        super().__init__(
            _(
                "version {given} is not current; the current version is {current}",
                given=str(given),
                current=str(current),
            )
        )
        self.current = current


class ClosureBlocked(Conflict):
    """Closing refused: these closure conditions do not hold (a manager or an admin may override them)."""

    title: str = _("Closure conditions not met")

    def __init__(self, names: list[str]) -> None:
        super().__init__(_("the case cannot close; these closure conditions fail: {names}", names=", ".join(names)))
        self.names = list(names)


class RateLimitState(NamedTuple):
    """Where a credential stands against its rate limit, as of its latest request (counted in). A tuple: one is
    made for every request."""

    limit: int
    remaining: int
    # Seconds until the whole limit is available again.
    reset: int
    # Seconds of the limit's window ("6000/minute": 60).
    period: int


class NotApplied(DomainError):
    """An item that would have applied, left out because another item of its atomic request was refused."""

    title: str = _("Not applied")

    def __init__(self) -> None:
        super().__init__(_("not applied: another item of this atomic request was refused"))


class RateLimited(DomainError):
    title: str = _("Too many requests")

    def __init__(self, retry_after: int, state: RateLimitState | None = None) -> None:
        super().__init__(_("rate limit exceeded; retry in {retry_after} s", retry_after=retry_after))
        self.retry_after = retry_after
        self.state = state


class PayloadTooLarge(DomainError):
    title: str = _("Payload too large")


def detail_of(errors: list[FieldError]) -> str:
    """'field: message; ...', each message rendered again in the reader's language."""
    return joined([_("{field}: {message}", field=e.field, message=e.message) for e in errors])


def from_validation_error(exc: "ValidationError", prefix: str = "") -> InvalidInput:
    """Pydantic's errors as field errors, each field a dotted path as the client wrote it."""
    errors = field_errors(exc.errors(), ValidationMessage, prefix)
    return InvalidInput(detail_of(errors), errors)


# What pydantic puts in a location besides field names: the member of a union that failed (`literal['P1','P2']`,
# `function-after[...]`, `constrained-str`) and `[key]` for a mapping's key.
_SCHEMA_TYPES = frozenset(get_args(CoreSchemaType))
_REQUEST_PARTS = ("body", "query", "path", "header")


def _member_tag(part: object) -> bool:
    return isinstance(part, str) and part.split("[", 1)[0].removeprefix("constrained-") in _SCHEMA_TYPES


def _client_path(loc: tuple[Any, ...], unions: set[tuple[Any, ...]], request: bool) -> str:
    """The location as the client wrote it: no union member tags, no `[key]`; a repeated query parameter by name."""
    # A request's errors start with where the input was (FastAPI's "body", "query", ...): the client did not write it.
    skip = 1 if request and loc and loc[0] in _REQUEST_PARTS else 0
    query = skip == 1 and loc[0] == "query"
    parts: list[str] = []
    for index, part in enumerate(loc[skip:], skip):
        if part == "[key]":
            if parts and parts[-1] == "":
                parts.pop()
        elif not (_member_tag(part) and loc[:index] in unions) and not (query and isinstance(part, int)):
            parts.append(str(part))
    return ".".join(parts)


def _union_locations(raw: Iterable[Mapping[str, Any]]) -> set[tuple[Any, ...]]:
    """The locations at which two or more members of a union failed: the parts after them are member tags."""
    tags: dict[tuple[Any, ...], set[str]] = {}
    for error in raw:
        loc = tuple(error.get("loc", ()))
        for index, part in enumerate(loc):
            if _member_tag(part):
                tags.setdefault(loc[:index], set()).add(part)
    return {loc for loc, members in tags.items() if len(members) > 1}


def _literal_items(expected: str) -> list[str]:
    return expected.replace(" or ", ", ").split(", ")


def _merged(errors: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One field's errors: the allowed values of several literals as one list; other errors each once."""
    if len(errors) > 1 and all(e.get("type") == "literal_error" for e in errors):
        items = [item for e in errors for item in _literal_items(str((e.get("ctx") or {}).get("expected", "")))]
        expected = f"{', '.join(items[:-1])} or {items[-1]}"
        return [{"type": "literal_error", "msg": f"Input should be {expected}", "ctx": {"expected": expected}}]
    return list({str(e.get("msg")): e for e in errors}.values())


def field_errors(
    raw: Iterable[Mapping[str, Any]],
    message: Callable[[Mapping[str, Any]], str],
    prefix: str = "",
    request: bool = False,
) -> list[FieldError]:
    """Pydantic's errors (a request's, from FastAPI, with `request`) as field errors, one per field, each named as
    the client wrote it."""
    raw = list(raw)
    unions = _union_locations(raw)
    by_field: dict[str, list[Mapping[str, Any]]] = {}
    for error in raw:
        # Unparseable JSON is located by a character offset, not a field: it is the body that is wrong.
        path = "" if error.get("type") == "json_invalid" else _client_path(tuple(error.get("loc", ())), unions, request)
        field = f"{prefix}.{path}" if prefix and path else prefix or path or "body"
        by_field.setdefault(field, []).append(error)
    errors = []
    for field, found in by_field.items():
        messages = [message(e) for e in _merged(found)]
        errors.append(FieldError(field, messages[0] if len(messages) == 1 else joined(messages)))
    return errors
