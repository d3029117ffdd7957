"""The native API's description, derived in one place from what each operation takes: its operationId (its route
name in camelCase) and the problems (RFC 9457) it can answer. A route documents a refusal that its inputs do not
tell (a duplicate name: 409) itself, with `problems.refusals`."""

import copy
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from casework import problems
from casework.http import IF_MATCH_DESCRIPTION, NativeRoute, current_actor, if_match_version

# The operations that check neither the caller's role nor its token's scopes: every caller may call them.
UNRESTRICTED = frozenset({"get_me"})


def operation_id(route: APIRoute) -> str:
    """`create_case` -> `createCase`: stable while the route keeps its name (the endpoint's, unless `name=`)."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _dependants(route: Any) -> list[Dependant]:
    """The operation's own parameters and each of its dependencies', at any depth."""
    found: list[Dependant] = []
    pending = [route.dependant]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(current.dependencies)
    return found


def _calls(route: Any, function: Callable[..., Any]) -> bool:
    return any(dependant.call is function for dependant in _dependants(route))


def _has_body(route: Any) -> bool:
    return route.body_field is not None or "requestBody" in (route.openapi_extra or {})


def _takes_version(route: Any) -> bool:
    """The operation honours If-Match, or its body names the version it is based on."""
    if _calls(route, if_match_version):
        return True
    model = route.body_field.field_info.annotation if route.body_field is not None else None
    return isinstance(model, type) and issubclass(model, BaseModel) and "version" in model.model_fields


def refusal_statuses(route: Any) -> set[int]:
    """What the operation can refuse with, by what it takes. 422 always: an unknown query parameter is refused."""
    statuses = {422}
    if _calls(route, current_actor):
        statuses |= {401, 429} | (set() if route.name in UNRESTRICTED else {403})
    if any(dependant.path_params for dependant in _dependants(route)):
        statuses.add(404)
    if _takes_version(route):
        statuses.add(409)
    if _has_body(route):
        statuses.add(413)
    return statuses


def _document_refusals(document: dict[str, Any], app: FastAPI) -> None:
    """Each native operation (those refusing unknown query parameters answer problems) documents the refusals it
    can answer, besides those its route documents itself; FastAPI's own 422 (not what the server sends) goes."""
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, NativeRoute):
            continue
        declared = {str(status) for status in route.responses}
        for method in route.methods or ():  # an APIRoute always has them; RouteContext types them optional
            responses = document["paths"][route.path_format][method.lower()]["responses"]
            responses.pop("422", None)
            found = problems.refusals(*(s for s in sorted(refusal_statuses(route)) if str(s) not in declared))
            responses.update({str(status): answer for status, answer in found.items()})
            ordered = sorted(responses.items())
            responses.clear()
            responses.update(ordered)
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{unused}"' not in orjson.dumps(document).decode():
            schemas.pop(unused, None)


# As FastAPI documents an optional header parameter.
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "description": IF_MATCH_DESCRIPTION,
        "title": "If-Match",
    },
    "description": IF_MATCH_DESCRIPTION,
}


def _document_if_match(document: dict[str, Any], app: FastAPI) -> None:
    """Each operation that honours If-Match takes it as a header parameter (if_match_version reads it from the
    request, so FastAPI does not see it)."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and _calls(route, if_match_version):
            for method in route.methods or ():
                operation = document["paths"][route.path_format][method.lower()]
                operation.setdefault("parameters", []).append(copy.deepcopy(_IF_MATCH))


def _restore_examples(document: dict[str, Any], app: FastAPI) -> None:
    """FastAPI writes the document without nulls, the examples' nulls too: each model's examples go back as it
    gives them."""
    schemas = document.get("components", {}).get("schemas", {})
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        body = route.body_field.field_info.annotation if route.body_field is not None else None
        for model in (route.response_model, body):
            if isinstance(model, type) and issubclass(model, BaseModel) and model.__name__ in schemas:
                if examples := model.model_json_schema().get("examples"):
                    schemas[model.__name__]["examples"] = examples


def document(app: FastAPI) -> None:
    """Completes the app's OpenAPI document: the Problem schema, each native operation's refusals, the examples."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        # build() keeps the document as app.openapi_schema: completed once, served as is afterwards.
        built = build()
        schemas = built.setdefault("components", {}).setdefault("schemas", {})
        problem = problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        _document_if_match(built, app)
        _document_refusals(built, app)
        _restore_examples(built, app)
        return built

    # FastAPI's documented way to extend the document; mypy refuses any assignment to a method.
    app.openapi = openapi  # type: ignore[method-assign]
