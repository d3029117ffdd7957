"""Domain exceptions: services raise these; each wire format renders them once, in its own handler."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Self

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
    """Pydantic's errors as field errors, each field a dotted path."""
    errors = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        field = f"{prefix}.{path}" if prefix and path else prefix or path
        errors.append(FieldError(field, ValidationMessage(error)))
    return InvalidInput(detail_of(errors), errors)
