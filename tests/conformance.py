"""Every answer of the native API a test receives is checked against the app's own /openapi.json, so that the
description cannot drift from what the server answers: its status is documented for the operation, its media type
too, and its body conforms to the documented schema."""

import weakref
from typing import Any

import httpx
import requests
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

NATIVE = "/api/v1"
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


class Nonconformity(AssertionError):
    """A native answer that its operation's description does not describe."""


class Conformance:
    """The document of one app, loaded once, and the operations looked up by (method, path template)."""

    def __init__(self, app: FastAPI) -> None:
        self.schema = schemathesis.openapi.from_dict(app.openapi())
        # Each native operation's template, as the app matches paths to them, in its order.
        self.routes = [
            (route.path_regex, frozenset(route.methods or ()), str(route.path_format))
            for route in iter_route_contexts(app.routes)
            if isinstance(route.original_route, APIRoute) and str(route.path_format).startswith(NATIVE)
        ]
        self.operations: dict[tuple[str, str], APIOperation[Any, Any, Any, Any]] = {}

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """The template of the operation the app routes the request to, and the path's parameters; None if no
        operation takes it."""
        for regex, methods, template in self.routes:
            if method in methods and (found := regex.match(path)):
                return template, found.groupdict()
        return None

    def operation(self, method: str, template: str) -> APIOperation[Any, Any, Any, Any]:
        key = (method, template)
        if key not in self.operations:
            self.operations[key] = self.schema[template][method]
        return self.operations[key]

    def problems(self, response: httpx.Response) -> list[str]:
        """What is wrong with the native answer `response`, as schemathesis finds it."""
        method, path = response.request.method, response.request.url.path
        routed = self.route(method, path)
        if routed is None:
            # No operation took the request (an unknown path, a method the path does not have): none describes it.
            return []
        template, parameters = routed
        try:
            case = self.operation(method, template).Case(path_parameters=parameters)
            case.validate_response(answer(response), checks=CHECKS)
        except FailureGroup as group:
            return [f"{failure.title}: {failure.message}" for failure in group.exceptions]
        return []


def answer(response: httpx.Response) -> Response:
    """The answer as schemathesis reads it. Its own conversion prepares a `requests` request anew, URL parsing and
    all, which would cost as much as the checks: the request here is only named in reports."""
    request = requests.PreparedRequest()
    request.method, request.url = response.request.method, str(response.request.url)
    try:
        request.body = response.request.content
    except httpx.RequestNotRead:  # streamed (a multipart upload, a generator's chunks): gone, and not needed
        request.body = None
    request.headers = requests.structures.CaseInsensitiveDict(response.request.headers)
    return Response(
        status_code=response.status_code,
        headers={key: [value] for key, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=response.elapsed.total_seconds(),
        message=response.reason_phrase,
        encoding=response.encoding,
        http_version=response.http_version,
        verify=True,
    )


# Apps built alike (many tests build their own) describe the native API alike: one document, and one set of compiled
# validators, per set of native routes, for FastAPI takes a good part of a second to build one.
_documents: dict[tuple[Any, ...], Conformance] = {}
_by_app: "weakref.WeakKeyDictionary[FastAPI, Conformance]" = weakref.WeakKeyDictionary()


def conformance(app: FastAPI) -> Conformance:
    if app not in _by_app:
        routes = tuple(
            (route.path_format, frozenset(route.methods or ()), route.endpoint)
            for route in iter_route_contexts(app.routes)
            if isinstance(route.original_route, APIRoute) and str(route.path_format).startswith(NATIVE)
        )
        if routes not in _documents:
            _documents[routes] = Conformance(app)
        _by_app[app] = _documents[routes]
    return _by_app[app]


def checking(app: FastAPI) -> dict[str, list[Any]]:
    """The event hooks that fail the calling test on a native answer its operation's description does not describe."""

    async def check(response: httpx.Response) -> None:
        if not response.request.url.path.startswith(NATIVE + "/"):
            return
        await response.aread()
        found = conformance(app).problems(response)
        if found:
            request = response.request
            raise Nonconformity(
                f"{request.method} {request.url.path} answered {response.status_code}, not as /openapi.json "
                "describes it:\n" + "\n".join(found)
            )

    return {"response": [check]}
