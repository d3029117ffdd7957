"""How every Kibana route is served: its request validation worded as Kibana's io-ts decoder words it (400), the
kbn-xsrf rule on writes (after authentication, before the body is looked at), and the space prefix.

Each module of the dialect makes its router with `kibana_router()`; the package includes them all, in any order:
the most specific paths are matched first."""

import json
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, APIRouter

from casework.auth.service import Actor
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana.errors import ERROR_RESPONSES, bad_request
from casework.i18n import Message

# Methods that change nothing, which Kibana serves without the kbn-xsrf header.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
XSRF_MESSAGE = "Request must contain a kbn-xsrf header."
# What Kibana answers, in a `warning` header, on the routes it deprecated in 8.1.
DEPRECATED_WARNING = '299 Kibana-8.15.0 "Deprecated endpoint"'


def _shown(value: Any) -> str:
    """A value as io-ts' error formatter prints it: objects as JSON, the rest as JavaScript would."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _path(loc: Sequence[Any]) -> str:
    # io-ts names a value by its keys, array positions left out.
    return ",".join(str(part) for part in loc if not isinstance(part, int) and str(part).strip())


def validation_message(errors: Sequence[Any]) -> str:
    """Pydantic's errors as Kibana words its decoding errors, joined by commas."""
    messages: list[str] = []
    excess: list[str] = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        kind = error.get("type")
        if kind == "json_invalid":
            return "Invalid request payload JSON format"
        if kind == "extra_forbidden":
            excess.append(str(loc[-1]) if loc else "")
            continue
        context = error.get("ctx") or {}
        cause = context.get("error")
        # The dialect's own checks word their errors as Kibana does; the core's (a Message) are reworded below.
        if (
            kind == "value_error"
            and isinstance(cause, ValueError)
            and cause.args
            and not isinstance(cause.args[0], Message)
        ):
            messages.append(str(cause.args[0]))
            continue
        value = "undefined" if kind == "missing" else _shown(error.get("input"))
        messages.append(f'Invalid value "{value}" supplied to "{_path(loc)}"')
    if not messages and excess:
        # Kibana looks for unknown keys only in a body that decoded otherwise.
        return f'invalid keys "{",".join(excess)}"'
    return ",".join(dict.fromkeys(messages))


class KibanaRoute(APIRoute):
    """A route whose request validation errors are Kibana's 400s."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise bad_request(validation_message(exc.errors())) from None

        return route


def kibana_router() -> APIRouter:
    """A router for some of the dialect's routes: its paths start with `/api/`, as Kibana's do."""
    return APIRouter(route_class=KibanaRoute, responses=ERROR_RESPONSES)


async def require_xsrf(request: Request, actor: DialectActor) -> Actor:
    """Kibana refuses a write without kbn-xsrf (any value) or kbn-version, once it knows who is asking."""
    if request.method not in SAFE_METHODS and not ("kbn-xsrf" in request.headers or "kbn-version" in request.headers):
        raise bad_request(XSRF_MESSAGE)
    return actor


async def in_space(
    space_id: str = Path(description="A Kibana space: every space is the one workspace of the credentials."),
) -> None:
    """Kibana creates spaces freely, so any space id is accepted and means the workspace."""


def _specificity(route: Any) -> list[int]:
    """Per path segment, 0 for a literal and 1 for a parameter: sorted, a literal segment comes first."""
    return [1 if segment.startswith("{") else 0 for segment in route.path.split("/")]


def served(routers: Sequence[APIRouter]) -> APIRouter:
    """The routers' routes, each at `/api/...` and at `/s/{space_id}/api/...`, behind authentication and kbn-xsrf."""
    # The most specific path first: `/api/cases/_find` and `/api/cases/configure` before `/api/cases/{caseId}`,
    # whichever module declares them.
    api = APIRouter()
    api.routes.extend(sorted((route for router in routers for route in router.routes), key=_specificity))
    both = APIRouter()
    both.include_router(api, dependencies=[Depends(require_xsrf)])
    both.include_router(api, prefix="/s/{space_id}", dependencies=[Depends(in_space), Depends(require_xsrf)])
    return both
