"""A native route's request handler: FastAPI's semantics for the parameters casework's routes declare, at a
fraction of FastAPI's cost per request.

FastAPI's handler solves each dependency in a nested solve (four parameter lookups, a cache key, an exit stack)
and reads every kind of parameter whether the route declares it or not: a comment spent a fifth of its
instructions there (measured: bench/findings.md). A route whose dependencies are coroutines of the request and its
declared parameters alone (casework's: the actor, the database, If-Match, the file store) gets this handler,
built once from the route's Dependant. It does what FastAPI's does, in FastAPI's order, with FastAPI's own
validation functions: the JSON body read first (an undecodable one refused as `json_invalid`), then the
dependencies in their order (a refusal, such as 401, raised as it comes; a dependency with invalid parameters not
called), then the route's own parameters and body, every validation error collected into one
RequestValidationError before the endpoint runs. Any other route (forms and uploads, a dependency with
dependencies of its own or a `yield`, an endpoint that may return something other than a Response) keeps
FastAPI's handler. Dependency overrides are not consulted: casework sets none.
"""

import functools
import inspect
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from email.message import Message
from typing import Any

from fastapi import params
from fastapi._compat import ModelField, Undefined, field_annotation_is_sequence
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _validate_value_with_model_field,
    get_typed_return_annotation,
    request_body_to_args,
    request_params_to_args,
)
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def direct_handler(route: APIRoute) -> Handler | None:
    """The route's handler past FastAPI's dependency solving, or None when the route needs what only FastAPI's
    handler does."""
    dependant = route.dependant
    call = dependant.call
    if not (_is_plain(dependant) and inspect.iscoroutinefunction(call) and _returns_response(call)):
        return None
    if route.max_body_size is not None or isinstance(getattr(route.body_field, "field_info", None), params.Form):
        return None
    dependencies = dependant.dependencies
    if any(not _is_request_dependency(sub) for sub in dependencies):
        return None
    if len({id(sub.call) for sub in dependencies}) != len(dependencies):
        return None  # one dependency declared twice: FastAPI would call it once
    strict = route.strict_content_type
    strict_content_type: bool = strict.value if isinstance(strict, DefaultPlaceholder) else strict
    reads_body = route.body_field is not None
    body_params = dependant.body_params
    embed_body_fields: bool = route._embed_body_fields
    declared = _declared(dependant)
    declared_by_dependency = [(sub, _declared(sub)) for sub in dependencies]

    async def handler(request: Request) -> Response:
        body = await _json_body(request, strict_content_type) if reads_body else Undefined
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for sub, sub_declared in declared_by_dependency:
            sub_values, sub_errors = _parameters(sub_declared, request)
            if sub_errors:
                errors.extend(sub_errors)
                continue
            solved = await sub.call(**sub_values)  # type: ignore[misc]
            if sub.name is not None:
                values[sub.name] = solved
        own_values, own_errors = _parameters(declared, request)
        values.update(own_values)
        errors.extend(own_errors)
        if body_params:
            body_values, body_errors = await request_body_to_args(body_params, body, embed_body_fields)
            values.update(body_values)
            errors.extend(body_errors)
        if errors:
            raise RequestValidationError(errors, body=None if body is Undefined else body)
        response: Response = await call(**values)
        return response

    return handler


def _is_plain(dependant: Dependant) -> bool:
    """No parameter that only FastAPI's solve provides (background tasks, the sub-response, security scopes)."""
    return not (
        dependant.background_tasks_param_name
        or dependant.response_param_name
        or dependant.security_scopes_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
    )


def _is_request_dependency(sub: Dependant) -> bool:
    """A coroutine taking the request and parameters of the request, without dependencies or a body of its own."""
    call = sub.call
    # A function, or an instance whose __call__ is a coroutine function (as casework's bearer-token dependency).
    is_coroutine = inspect.iscoroutinefunction(call if inspect.isroutine(call) else type(call).__call__)
    return is_coroutine and _is_plain(sub) and not sub.dependencies and not sub.body_params


def _returns_response(call: Callable[..., Any]) -> bool:
    annotation = get_typed_return_annotation(call)
    return isinstance(annotation, type) and issubclass(annotation, Response)


@dataclass(frozen=True, slots=True)
class _Parameter:
    field: ModelField
    # Its name in the request, and where a refusal places it.
    key: str
    loc: tuple[str, str]
    # One value under one name (no model, list or alternative names): read here, and validated by FastAPI's own
    # function. FastAPI's request_params_to_args works that out again at each request, ~50,000 instructions a
    # parameter; any other parameter still goes through it.
    scalar: bool


@dataclass(frozen=True, slots=True)
class _Declared:
    # (the request's attribute the values come from, the parameters read from it)
    sources: tuple[tuple[str, tuple[_Parameter, ...]], ...]
    request_param_name: str | None


def _declared(dependant: Dependant) -> _Declared:
    sources = (
        ("path_params", dependant.path_params),
        ("query_params", dependant.query_params),
        ("headers", dependant.header_params),
        ("cookies", dependant.cookie_params),
    )
    parameters = tuple((source, tuple(map(_parameter, fields))) for source, fields in sources if fields)
    return _Declared(parameters, dependant.request_param_name)


def _parameter(field: ModelField) -> _Parameter:
    aliases = _get_param_aliases(field)
    key = aliases[0][1]
    scalar = (
        len(aliases) == 1
        and _get_param_model(field) is None
        and not field_annotation_is_sequence(field.field_info.annotation)
    )
    return _Parameter(field, key, (field.field_info.in_.value, key), scalar)  # type: ignore[attr-defined]


def _parameters(declared: _Declared, request: Request) -> tuple[dict[str, Any], list[Any]]:
    """The declared path, query, header and cookie parameters, validated as FastAPI validates them."""
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for source, parameters in declared.sources:
        received = getattr(request, source)
        found: dict[str, Any] = {}
        for parameter in parameters:
            if not parameter.scalar:
                more, invalid = request_params_to_args([parameter.field], received)
                found.update(more)
                errors += invalid
                continue
            value = received.get(parameter.key)
            value, invalid = _validate_value_with_model_field(
                field=parameter.field, value=Undefined if value is None else value, values=found, loc=parameter.loc
            )
            if invalid:
                errors += invalid
            else:
                found[parameter.field.name] = value
        values.update(found)
    if declared.request_param_name:
        values[declared.request_param_name] = request
    return values, errors


async def _json_body(request: Request, strict_content_type: bool) -> Any:
    """The request's body as FastAPI reads it for a JSON body parameter: decoded when declared JSON (or, not strict,
    when no type is declared), else the bytes as they came, which the body's validation then refuses."""
    try:
        body = await request.body()
        if not body:
            return Undefined
        content_type = request.headers.get("content-type")
        if (not strict_content_type) if not content_type else _is_json(content_type):
            return await request.json()
        return body
    except json.JSONDecodeError as exc:
        error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {}}
        raise RequestValidationError([{**error, "ctx": {"error": exc.msg}}], body=exc.doc) from exc
    except HTTPException:
        raise
    except Exception as exc:
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc


@functools.lru_cache(maxsize=64)
def _is_json(content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))
