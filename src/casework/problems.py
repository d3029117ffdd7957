"""The one error handler: every domain, validation and HTTP error becomes a problem+json (RFC 9457) answer.

Dialects register their own renderer for their path prefix; the native format is the fallback.
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from casework import errors
from casework.errors import DomainError, FieldError

log = structlog.get_logger()

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.VersionConflict, 409),
    (errors.Conflict, 409),
    (errors.PayloadTooLarge, 413),
    (errors.InvalidInput, 422),
    (errors.RateLimited, 429),
]

Renderer = Callable[[DomainError, int], Response]


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
    return body


def render_problem(exc: DomainError, status: int) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return Response(
        orjson.dumps(problem_body(exc, status)), status, headers=headers, media_type="application/problem+json"
    )


def renderer_for(app: Any, path: str) -> Renderer:
    for prefix, renderer in getattr(app.state, "error_renderers", []):
        if path.startswith(prefix):
            return renderer  # type: ignore[no-any-return]
    return render_problem


def render(request_app: Any, path: str, exc: DomainError) -> Response:
    return renderer_for(request_app, path)(exc, status_of(exc))


def _validation_error(exc: RequestValidationError) -> errors.InvalidInput:
    field_errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        # Drop FastAPI's leading "body"/"query"/"path"/"header" so the field reads as the client wrote it.
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        # Unparseable JSON is located by a character offset, not a field: it is the body that is wrong.
        if error.get("type") == "json_invalid":
            loc = []
        field_errors.append(FieldError(".".join(loc) or "body", error.get("msg", "invalid")))
    detail = "; ".join(f"{e.field}: {e.message}" for e in field_errors)
    return errors.InvalidInput(detail or "invalid request", field_errors)


class HTTPProblem(DomainError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.title = HTTPStatus(status).phrase


def install(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return render(request.app, request.url.path, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render(request.app, request.url.path, _validation_error(exc))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        problem = HTTPProblem(exc.status_code, str(exc.detail))
        return renderer_for(request.app, request.url.path)(problem, exc.status_code)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        problem = HTTPProblem(500, "internal error; the server log has the details")
        return renderer_for(request.app, request.url.path)(problem, 500)

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
