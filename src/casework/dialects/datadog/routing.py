"""How every Datadog route is served: its errors in the format its router chose (errors.py), validated input refused
with a 400, and the caller's rate-limit standing in X-RateLimit-* headers on every answer.

Each module of the dialect makes its router with `datadog_router()` (or `datadog_router(OBJECTS)` for routes that
answer JSON:API error objects); the package composes them with `served`, in any order: fixed path segments
(`/api/v2/cases/projects`) are matched before parameters (`/api/v2/cases/{case_id}`), whichever module declares them."""

from collections.abc import Callable, Coroutine, Sequence
from typing import Any, ClassVar, Literal

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, APIRouter

from casework import problems
from casework.dialects.datadog.errors import (
    APIErrorResponse,
    JSONAPIErrorResponse,
    rate_limit_headers,
    render_messages,
    render_objects,
)
from casework.errors import DomainError

ErrorFormat = Literal["messages", "objects"]
MESSAGES: ErrorFormat = "messages"
OBJECTS: ErrorFormat = "objects"


def _with_rate_limit(request: Request, response: Response) -> Response:
    state = getattr(request.state, "rate_limit", None)
    if state is not None:
        response.headers.update(rate_limit_headers(state))
    return response


def _rendered(request: Request, exc: DomainError, render: problems.Renderer) -> Response:
    language = problems.request_language(request)
    response = render(problems.localized(exc, language), problems.status_of(exc))
    response.headers["Content-Language"] = language
    return _with_rate_limit(request, response)


class DatadogRoute(APIRoute):
    """A route whose errors render in its format (MESSAGES here) and whose answers carry the rate-limit headers."""

    render: ClassVar[problems.Renderer] = staticmethod(render_messages)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        render = type(self).render

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except RequestValidationError as exc:
                error = problems.validation_error(exc, problems.request_language(request))
                return _rendered(request, error, render)
            except DomainError as exc:
                return _rendered(request, exc, render)
            return _with_rate_limit(request, response)

        return route


class ObjectErrorsRoute(DatadogRoute):
    """A route answering its errors as JSON:API error objects."""

    render: ClassVar[problems.Renderer] = staticmethod(render_objects)


_ROUTES: dict[ErrorFormat, tuple[type[DatadogRoute], type[Any]]] = {
    MESSAGES: (DatadogRoute, APIErrorResponse),
    OBJECTS: (ObjectErrorsRoute, JSONAPIErrorResponse),
}


def datadog_router(errors: ErrorFormat = MESSAGES) -> APIRouter:
    """A router for some of the dialect's routes (paths start with `/api/v2/`), answering errors in that format."""
    route_class, model = _ROUTES[errors]
    responses: dict[int | str, dict[str, Any]] = {"4XX": {"description": "The request was refused.", "model": model}}
    return APIRouter(route_class=route_class, responses=responses)


def _specificity(route: Any) -> list[int]:
    """Per path segment, 0 for a literal and 1 for a parameter: sorted, a literal segment comes first."""
    return [1 if segment.startswith("{") else 0 for segment in route.path.split("/")]


def served(routers: Sequence[APIRouter]) -> APIRouter:
    """The routers' routes in one router, the most specific path first (`/api/v2/cases/projects` before
    `/api/v2/cases/{case_id}`, since a case may be addressed by its key)."""
    composed = APIRouter()
    composed.routes.extend(sorted((route for router in routers for route in router.routes), key=_specificity))
    return composed
