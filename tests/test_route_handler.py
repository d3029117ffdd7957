"""Native routes are served past FastAPI's dependency solving (casework.route_handler) and answer exactly as FastAPI's
own handler does: every request below gets the same status, headers and body from both."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import fastapi.routing
import httpx
import pytest
from fastapi import BackgroundTasks, Depends, FastAPI, Form, Request, Response

from casework.app import NATIVE_ROUTERS, create_app
from casework.db.database import Database
from casework.http import NativeRoute, NativeRouter
from casework.route_handler import direct_handler
from casework.settings import Settings
from tests.conftest import Tenant
from tests.helpers import API, bearer

# Headers that differ between two answers to one request whatever handler gave them.
_VARYING = {"date", "x-request-id", "ratelimit", "ratelimit-policy", "ratelimit-remaining", "ratelimit-reset"}


@pytest.fixture(scope="module")
def fastapi_app(db: Database, settings: Settings) -> FastAPI:
    """The same app with FastAPI's own handler on every route."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("casework.http.direct_handler", lambda _route: None)
        app = create_app(settings, db)
        # An included router builds its routes' handlers on the first request it sees: build them now.
        for route in app.router.routes:
            if hasattr(route, "effective_candidates"):
                route.effective_candidates()
    return app


@pytest.fixture
async def clients(app: FastAPI, fastapi_app: FastAPI) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=API) as direct,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=fastapi_app), base_url=API) as stock,
    ):
        yield direct, stock


async def test_the_two_apps_differ_in_their_handlers_alone(clients, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    solves: list[str] = []
    solve = fastapi.routing.solve_dependencies

    async def counted(**kwargs: Any) -> Any:
        solves.append(kwargs["request"].url.path)
        return await solve(**kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    direct, stock = clients
    assert (await direct.get("/cases")).status_code == 401
    assert solves == []
    assert (await stock.get("/cases")).status_code == 401
    assert solves == ["/api/v1/cases"]


def _answer(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {name: value for name, value in response.headers.items() if name not in _VARYING}
    return response.status_code, headers, response.content


async def _same(clients: tuple[httpx.AsyncClient, httpx.AsyncClient], method: str, url: str, **kwargs: Any) -> int:
    direct, stock = clients
    answers = [_answer(await client.request(method, url, **kwargs)) for client in (direct, stock)]
    assert answers[0] == answers[1], f"{method} {url}"
    return answers[0][0]


async def test_refusals_are_the_same_as_fastapi_s(clients, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(tenant.admin.token)
    direct, _stock = clients
    created = await direct.post("/cases", json={"title": "Handlers"}, headers=auth)
    assert created.status_code == 201
    comments = f"/cases/{created.json()['id']}/comments"
    json_type = {"content-type": "application/json"}
    refusals = [
        ("POST", comments, {"content": b'{"body": ', "headers": {**auth, **json_type}}),
        ("POST", comments, {"content": b'{"body": "x"}', "headers": {**auth, "content-type": "text/plain"}}),
        ("POST", comments, {"content": b'{"body": "x"}', "headers": auth}),
        # A +json type is read as JSON: the refusal names the body's field, not the body as a whole.
        (
            "POST",
            comments,
            {"content": b'{"body": 5}', "headers": {**auth, "content-type": "application/merge+json; charset=utf-8"}},
        ),
        ("POST", comments, {"headers": auth}),
        ("POST", comments, {"json": {"body": 5}, "headers": auth}),
        ("POST", comments, {"json": {"body": "x", "colour": "red"}, "headers": auth}),
        ("POST", comments, {"json": ["body"], "headers": auth}),
        ("POST", comments, {"json": {"body": "x"}, "headers": {**auth, "If-Match": "three"}}),
        ("POST", comments, {"json": {"body": "x"}, "headers": {**auth, "If-Match": '"999"'}}),
        # Without credentials: the dependency's 401 comes before the body's validation, not before its decoding.
        ("POST", comments, {"json": {"body": 5}}),
        ("POST", comments, {"content": b"{", "headers": json_type}),
        ("GET", comments + "?limit=0", {"headers": auth}),
        ("GET", comments + "?limit=many&cursor=", {"headers": auth}),
        ("GET", comments + "?render=pdf", {"headers": auth}),
        ("GET", comments + "?colour=red", {"headers": auth}),
        ("GET", "/cases/NOPE-1", {"headers": {**auth, "Accept-Language": "fr"}}),
        ("POST", "/cases/bulk", {"json": {"items": [{"id": "x", "changes": {"priority": 7}}]}, "headers": auth}),
        ("POST", "/cases/bulk", {"json": {"items": "x"}, "headers": {**auth, "Accept-Language": "fr"}}),
        ("POST", "/cases", {"json": {"title": ""}, "headers": {**auth, "Accept-Language": "fr"}}),
    ]
    statuses = [await _same(clients, method, url, **kwargs) for method, url, kwargs in refusals]
    # The bulk update answers 200 with each item's own outcome.
    assert statuses == [422] * 9 + [409, 401] + [422] * 5 + [404, 200, 422, 422]


async def test_answers_are_the_same_as_fastapi_s(clients, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(tenant.admin.token)
    direct, _stock = clients
    case = (await direct.post("/cases", json={"title": "Handlers"}, headers=auth)).json()
    for url in (f"/cases/{case['id']}", f"/cases/{case['key']}", f"/cases/{case['id']}/comments?limit=5", "/cases"):
        assert await _same(clients, "GET", url, headers={**auth, "Accept-Language": "fr"}) == 200


def test_every_native_route_is_served_past_fastapi_s_dependency_solving() -> None:
    routes = [route for router in NATIVE_ROUTERS for route in router.routes if isinstance(route, NativeRoute)]
    assert len(routes) > 90
    assert [route.path for route in routes if direct_handler(route) is None] == []


async def _endpoint(request: Request) -> Response:
    return Response()


async def _with_yield() -> AsyncIterator[int]:
    yield 1


async def _needs_another(value: Annotated[int, Depends(_with_yield)]) -> int:
    return value


def _sync(request: Request) -> int:
    return 1


async def _form(name: Annotated[str, Form()]) -> Response:
    return Response()


async def _background(tasks: BackgroundTasks) -> Response:
    return Response()


async def _plain_value() -> dict[str, int]:
    return {}


async def _twice(one: Annotated[Any, Depends(_endpoint)], two: Annotated[Any, Depends(_endpoint)]) -> Response:
    return Response()


@pytest.mark.parametrize(
    ("endpoint", "direct"),
    [
        (_endpoint, True),
        (_form, False),
        (_background, False),
        (_plain_value, False),
        (_twice, False),
    ],
)
def test_a_route_needing_what_only_fastapi_s_handler_does_keeps_it(endpoint, direct: bool) -> None:  # type: ignore[no-untyped-def]
    router = NativeRouter()
    router.add_api_route("/probe", endpoint, methods=["POST"])
    assert (direct_handler(router.routes[0]) is not None) is direct


@pytest.mark.parametrize("dependency", [_with_yield, _needs_another, _sync])
def test_a_dependency_fastapi_must_solve_keeps_fastapi_s_handler(dependency) -> None:  # type: ignore[no-untyped-def]
    async def endpoint(value: Annotated[Any, Depends(dependency)]) -> Response:
        return Response()

    router = NativeRouter()
    router.add_api_route("/probe", endpoint, methods=["POST"])
    assert direct_handler(router.routes[0]) is None


async def test_a_router_included_with_dependencies_of_its_own_runs_them_and_takes_their_query() -> None:
    """The handler is built for the route as included (FastAPI builds one per inclusion): the inclusion's own
    dependencies run, and their query parameters are declared ones, not refused as unknown."""
    seen: list[str] = []

    async def tenant(request: Request, tenant: str) -> str:
        seen.append(tenant)
        return tenant

    async def endpoint() -> Response:
        return Response(status_code=204)

    router = NativeRouter()
    router.add_api_route("/probe", endpoint, methods=["GET"])
    app = FastAPI()
    app.include_router(router, prefix="/included", dependencies=[Depends(tenant)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/included/probe?tenant=acme")).status_code == 204
        assert (await client.get("/included/probe")).status_code == 422
    assert seen == ["acme"]
