"""The app's process-wide setup at startup."""

import gc

from starlette.routing import Match

from casework.app import create_app
from casework.db.database import Database
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


async def test_a_location_is_the_route_s_url_and_each_route_s_path_is_looked_up_once(db: Database, settings: Settings, tenant):  # type: ignore[no-untyped-def]
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
