"""Domain exceptions: services raise these; each wire format renders them once, in its own handler."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


@dataclass
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    title = "Error"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Unauthenticated(DomainError):
    title = "Unauthenticated"


class Forbidden(DomainError):
    title = "Forbidden"


class NotFound(DomainError):
    title = "Not found"

    def __init__(self, resource: str, ident: object) -> None:
        super().__init__(f"{resource} {ident} not found")
        self.resource = resource


class InvalidInput(DomainError):
    title = "Invalid input"

    @classmethod
    def field(cls, field: str, message: str) -> "InvalidInput":
        return cls(f"{field}: {message}", [FieldError(field, message)])


class LimitExceeded(InvalidInput):
    title = "Limit exceeded"

    def __init__(self, field: str, limit: int, what: str = "items") -> None:
        message = f"at most {limit} {what}"
        super().__init__(f"{field}: {message}", [FieldError(field, message)])
        self.limit = limit


class Conflict(DomainError):
    title = "Conflict"


class VersionConflict(Conflict):
    title = "Version conflict"

    def __init__(self, current: int, given: int) -> None:
        super().__init__(f"version {given} is not current; the current version is {current}")
        self.current = current


class RateLimited(DomainError):
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limit exceeded; retry in {retry_after} s")
        self.retry_after = retry_after


class PayloadTooLarge(DomainError):
    title = "Payload too large"


def from_validation_error(exc: "ValidationError", prefix: str = "") -> InvalidInput:
    """Pydantic's errors as field errors, each field a dotted path."""
    errors = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        errors.append(FieldError(f"{prefix}.{path}" if prefix and path else prefix or path, error["msg"]))
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return InvalidInput(detail, errors)
