"""The one error handler: every domain, validation and HTTP error becomes a problem+json (RFC 9457) answer.

Dialects register their own renderer for their path prefix; the native format is the fallback.
"""

import copy
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casework import errors
from casework.db.base import JSON_TIME_OPTIONS
from casework.errors import DomainError, FieldError
from casework.i18n import DEFAULT_LANGUAGE, _, negotiate, translate, validation_message

log = structlog.get_logger()

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.VersionConflict, 409),
    (errors.Conflict, 409),
    (errors.PayloadTooLarge, 413),
    (errors.InvalidInput, 422),
    # Failed Dependency: the item itself was fine, another item of its atomic request was not.
    (errors.NotApplied, 424),
    (errors.RateLimited, 429),
]

Renderer = Callable[[DomainError, int], Response]
MEDIA_TYPE = "application/problem+json"


def _absent(schema: dict[str, Any]) -> None:
    """An optional member is left out of the body, not sent as null: it has no default to document."""
    schema.pop("default", None)


class ProblemFieldError(BaseModel):
    field: str = Field(description="The input named as the client wrote it, dotted (`requester.email`), or `body`.")
    message: str = Field(description="Why it was refused, in the caller's language (Accept-Language).")


class Problem(BaseModel):
    """An error answer (RFC 9457), as `problem_body` builds it."""

    type: str = Field(
        description="A URI naming the kind of error, `https://casework.dev/problems/<Name>`: stable, for programs to "
        "match on."
    )
    title: str = Field(description="The kind of error in a few words, in the caller's language.")
    status: int = Field(description="The HTTP status of the answer.")
    detail: str = Field(description="What went wrong in this request, in the caller's language.")
    # Each of these is present only when it applies, never null.
    errors: list[ProblemFieldError] | SkipJsonSchema[None] = Field(
        None, description="The inputs refused, by name.", json_schema_extra=_absent
    )
    current_version: int | SkipJsonSchema[None] = Field(
        None, description="Version conflicts: the version now.", json_schema_extra=_absent
    )
    failing_conditions: list[str] | SkipJsonSchema[None] = Field(
        None, description="Refused closures: the names of the conditions that fail.", json_schema_extra=_absent
    )


# What each refusal means, as the operations that can answer it document it.
REFUSALS: dict[int, str] = {
    401: "Unauthenticated: the bearer token is missing, unknown, expired or revoked.",
    403: "Forbidden: the caller's role or its token's scopes do not allow this.",
    404: "Not found: something the request names is not in the caller's workspace.",
    409: "Conflict: a stale version (`current_version` is the version now), or a state that refuses the change.",
    413: "Payload too large: the request body is over the server's limit.",
    415: "Unsupported media type: the request body is in a media type the operation does not take.",
    422: "Invalid input: `errors` names each input refused and why.",
    429: "Too many requests: the credential's rate limit is spent until `Retry-After` seconds have passed.",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}},
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` that document these refusals, each a problem+json answer."""
    return {
        status: {
            "description": REFUSALS[status],
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            **({"headers": _HEADERS[status]} if status in _HEADERS else {}),
        }
        for status in statuses
    }


def status_of(exc: DomainError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(exc, kind):
            return status
    return 400


def problem_body(exc: DomainError, status: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://casework.dev/problems/{type(exc).__name__}",
        "title": exc.title,
        "status": status,
        "detail": exc.detail,
    }
    if exc.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    if isinstance(exc, errors.VersionConflict):
        body["current_version"] = exc.current
    if isinstance(exc, errors.ClosureBlocked):
        body["failing_conditions"] = exc.names
    return body


def render_problem(exc: DomainError, status: int) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return Response(
        orjson.dumps(problem_body(exc, status), option=JSON_TIME_OPTIONS),
        status,
        headers=headers,
        media_type=MEDIA_TYPE,
    )


def renderer_for(app: Any, path: str) -> Renderer:
    renderers: list[tuple[str, Renderer]] = getattr(app.state, "error_renderers", [])
    for prefix, renderer in renderers:
        if path.startswith(prefix):
            return renderer
    return render_problem


def request_language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def localized(exc: DomainError, language: str) -> DomainError:
    """A copy of exc with its title, detail and field messages in `language`."""
    if language == DEFAULT_LANGUAGE:
        return exc
    copied = copy.copy(exc)
    copied.title = translate(exc.title, language)
    copied.detail = translate(exc.detail, language)
    copied.errors = [FieldError(e.field, translate(e.message, language)) for e in exc.errors]
    return copied


def item_problem(exc: DomainError, language: str) -> tuple[int, dict[str, Any]]:
    """The status and problem body of one failed item of a bulk answer, in `language`."""
    status = status_of(exc)
    return status, problem_body(localized(exc, language), status)


def render(request: Request, exc: DomainError, status: int | None = None) -> Response:
    language = request_language(request)
    status = status if status is not None else status_of(exc)
    response = renderer_for(request.app, request.url.path)(localized(exc, language), status)
    response.headers["Content-Language"] = language
    return response


def validation_error(exc: RequestValidationError, language: str) -> errors.InvalidInput:
    """A request's validation errors as one InvalidInput naming each field as the client wrote it (dialects render
    it in their own format)."""
    field_errors = errors.field_errors(exc.errors(), lambda error: validation_message(error, language), request=True)
    detail = errors.detail_of(field_errors) if field_errors else _("invalid request")
    return errors.InvalidInput(detail, field_errors)


class HTTPProblem(DomainError):
    def __init__(self, status: int, detail: str) -> None:
        # Starlette's own details ("Not Found", ...) are its status phrases; the catalogue holds those.
        super().__init__(detail)
        self.title = HTTPStatus(status).phrase


def install(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return render(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render(request, validation_error(exc, request_language(request)))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return render(request, HTTPProblem(exc.status_code, detail), exc.status_code)

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    # Added after the app's other middleware (but the observer, added last), so around them: it also answers for
    # their errors.
    app.add_middleware(UnexpectedErrors)


class UnexpectedErrors:
    """Answers an error no handler took with a 500 problem, and keeps the error from reaching the server.

    Starlette's last-resort handler answers too, but then re-raises; uvicorn closes the connection of an app that
    raised, which resets the client's next request on that keep-alive connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if started:
                raise  # half an answer is out: only closing the connection can end it
            log.exception("unhandled error", path=scope["path"])
            request = Request(scope)
            response = render(request, HTTPProblem(500, _("internal error; the server log has the details")), 500)
            await response(scope, receive, send)
