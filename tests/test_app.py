"""The app's process-wide setup at startup."""

import gc

from starlette.routing import Match

from casework.app import create_app
from casework.db.database import Database
from casework.settings import Settings


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
