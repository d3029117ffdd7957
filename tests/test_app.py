"""The app's process-wide setup at startup."""

import gc

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match

from casework.app import NATIVE_ROUTERS, create_app
from casework.db.database import Database
from casework import http
from casework.http import NativeRouter, PathCheckedRouter
from casework.settings import Settings
from tests.helpers import api_client, create


async def test_startup_moves_what_it_built_out_of_the_garbage_collectors_reach(db: Database, settings: Settings):
    app = create_app(settings.model_copy(update={"sla_worker": False}), db)
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _first_match(app, path: str) -> int:  # type: ignore[no-untyped-def]
    """The index of the app's first route that takes a GET of path."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": [], "query_string": b""}
    return next(i for i, route in enumerate(app.router.routes) if route.matches(dict(scope))[0] == Match.FULL)


def test_a_dialect_request_is_routed_without_trying_the_native_routes(db: Database, settings: Settings):
    # The router tries its routes in turn; the native API is every one of its routes, a dialect's mount one check.
    app = create_app(settings, db)
    native = _first_match(app, "/api/v1/cases")
    assert _first_match(app, "/kibana/api/cases/_find") < native
    assert _first_match(app, "/datadog/api/v2/cases") < native


async def test_a_location_is_the_route_s_url_and_each_route_s_path_is_looked_up_once(
    db: Database, settings: Settings, tenant
):  # type: ignore[no-untyped-def]
    app = create_app(settings, db)
    looked_up: list[str] = []
    url_path_for = app.url_path_for

    def counting(name: str, **params: str):  # type: ignore[no-untyped-def]
        looked_up.append(name)
        return url_path_for(name, **params)

    app.url_path_for = counting  # type: ignore[method-assign]
    async with api_client(app, tenant.admin.headers) as client:
        case = await create(client)
        locations = []
        for body in ("first", "second"):
            response = await client.post(f"/cases/{case['key']}/comments", json={"body": body})
            expected = url_path_for("get_comment", ref=case["key"], comment_id=response.json()["id"])
            locations.append((response.headers["location"], str(expected.make_absolute_url("http://test/"))))
    assert [actual for actual, _expected in locations] == [expected for _actual, expected in locations]
    assert looked_up.count("get_comment") == 1


async def test_a_location_follows_each_request_s_host_and_the_base_urls_kept_are_bounded(  # type: ignore[no-untyped-def]
    db: Database, settings: Settings, tenant, monkeypatch
):
    # The base URL is worked out once per scheme, host and root path; the Host header is the client's, so few are kept.
    monkeypatch.setattr(http, "MAX_BASE_URLS", 2)
    monkeypatch.setattr(http, "_base_urls", {})
    app = create_app(settings, db)
    async with api_client(app, tenant.admin.headers) as client:
        case = await create(client)
        for host in ("a.example", "b.example:8443", "a.example", "c.example", "a.example"):
            response = await client.post(f"/cases/{case['key']}/comments", json={"body": host}, headers={"Host": host})
            path = app.url_path_for("get_comment", ref=case["key"], comment_id=response.json()["id"])
            assert response.headers["location"] == str(path.make_absolute_url(f"http://{host}/"))
            assert len(http._base_urls) <= 2


async def test_a_location_is_built_when_the_asgi_server_is_given_as_a_list(db: Database, settings: Settings, tenant):  # type: ignore[no-untyped-def]
    # ASGI lets a server give its (host, port) as a list, as Starlette's test client (and schemathesis) do.
    app = create_app(settings, db)

    async def server_as_list(scope, receive, send):  # type: ignore[no-untyped-def]
        await app({**scope, "server": list(scope["server"])} if scope["type"] == "http" else scope, receive, send)

    transport = httpx.ASGITransport(app=server_as_list)
    async with httpx.AsyncClient(transport=transport, base_url="http://listed.example/api/v1") as client:
        response = await client.post("/cases", json={"title": "Listed"}, headers=tenant.admin.headers)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"http://listed.example/api/v1/cases/{response.json()['id']}"


class _CountingRoute(APIRoute):
    tried: list[str] = []

    def matches(self, scope):  # type: ignore[no-untyped-def]
        self.tried.append(self.path)
        return super().matches(scope)


def _two_routers() -> FastAPI:
    _CountingRoute.tried = []
    first = PathCheckedRouter(route_class=_CountingRoute, prefix="/things/{ref}")

    @first.get("/parts")
    async def parts(ref: str) -> dict[str, str]:
        return {"parts of": ref}

    @first.get("/files/{name:path}")
    async def file(ref: str, name: str) -> dict[str, str]:
        return {"file": name}

    second = PathCheckedRouter(route_class=_CountingRoute, prefix="/others")

    @second.post("/{ref}")
    async def other(ref: str) -> dict[str, str]:
        return {"other": ref}

    app = FastAPI()
    app.include_router(first, prefix="/api")
    app.include_router(second, prefix="/api")
    return app


async def test_a_router_turns_away_a_path_none_of_its_routes_takes_without_trying_them() -> None:
    app = _two_routers()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/api/others/x1")
        assert (response.status_code, response.json()) == (200, {"other": "x1"})
        assert "/things/{ref}/parts" not in _CountingRoute.tried
        assert "/things/{ref}/files/{name:path}" not in _CountingRoute.tried


async def test_a_path_checked_router_routes_as_fastapi_does() -> None:
    app = _two_routers()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/api/things/t1/parts")).json() == {"parts of": "t1"}
        assert (await client.get("/api/things/t1/files/a/b.txt")).json() == {"file": "a/b.txt"}
        # A path a route takes under another method is a 405, not a 404.
        assert (await client.get("/api/others/x1")).status_code == 405
        assert (await client.get("/api/things/t1/parts/more")).status_code == 404
        # A path only a route of the router takes, but under another prefix, is not that route's.
        assert (await client.get("/elsewhere/things/t1/parts")).status_code == 404


def test_every_native_router_checks_the_path_before_its_routes() -> None:
    assert all(isinstance(router, NativeRouter) for router in NATIVE_ROUTERS)
