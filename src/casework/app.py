"""create_app(settings): the FastAPI app with the native API mounted under /api/v1."""

import asyncio
import gc
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import text
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casework import __version__, api_description, api_docs, observability, problems
from casework.activity.router import router as activity_router
from casework.alerts.router import alert_cases, case_alerts
from casework.attachments.router import UPLOAD_PATH, upload_body_limit
from casework.attachments.router import router as attachments_router
from casework.attachments.storage import build_store
from casework.auth.cache import FLUSH_INTERVAL, CredentialCache, TokenUsage
from casework.auth.router import router as auth_router
from casework.blocks.router import router as blocks_router
from casework.cases.router import facets_router
from casework.cases.router import router as cases_router
from casework.comments.router import router as comments_router
from casework.db import migrate
from casework.db.database import CHECKPOINT_INTERVAL, Database
from casework.dialects.dialect import Dialect, upload_patterns
from casework.dialects.dialect import mount as mount_dialect
from casework.dialects.installed import DIALECTS
from casework.errors import PayloadTooLarge
from casework.http import JSONResponse, RateLimiter, fastapi_telemetry
from casework.i18n import _, translate
from casework.insights.router import router as insights_router
from casework.links.router import router as links_router
from casework.logs import configure_logging
from casework.oauth import wire as oauth_wire
from casework.oauth.keys import SigningKeys
from casework.oauth.router import TOKEN_PATH
from casework.oauth.router import router as oauth_router
from casework.oauth.router import token_router as oauth_token_router
from casework.projects.router import router as projects_router
from casework.settings import Settings
from casework.tasks.router import router as tasks_router
from casework.watchers.router import router as watchers_router
from casework.workflow.case_types.router import router as case_types_router
from casework.workflow.case_types.router import workspace_router as workspace_types_router
from casework.workflow.conditions.router import router as conditions_router
from casework.workflow.fields.router import router as fields_router
from casework.workflow.fields.router import type_router as type_fields_router
from casework.workflow.overrides.router import router as overrides_router
from casework.workflow.slas import worker as sla_worker
from casework.workflow.slas.router import router as slas_router
from casework.workflow.statuses.router import router as statuses_router


class BodySizeLimit:
    """Refuses request bodies over the limit with 413 before any handler reads them.

    `larger` gives some paths (matched by re.search: file uploads) a larger limit than max_bytes.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, larger: Sequence[tuple[re.Pattern[str], int]] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = list(larger)

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.larger:
            if pattern.search(path):
                return max(limit, self.max_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        if declared is not None:
            await self.app(scope, receive, send)
            return
        # No length declared (chunked): read the body here, up to the limit, then hand it on.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        exc = PayloadTooLarge(_("the request body is over the limit of {limit} bytes", limit=limit))
        response = problems.render(Request(scope), exc)
        await response(scope, receive, send)


API_PREFIX = "/api/v1"
# In the order the routes are tried: where two paths could match, the first router's wins. The busiest first: a
# request passes each router before its own (~20,000 instructions a router), and no earlier path is a comment's.
NATIVE_ROUTERS = (
    cases_router,
    comments_router,
    facets_router,
    attachments_router,
    blocks_router,
    tasks_router,
    links_router,
    case_alerts,
    alert_cases,
    insights_router,
    watchers_router,
    projects_router,
    statuses_router,
    case_types_router,
    workspace_types_router,
    conditions_router,
    overrides_router,
    slas_router,
    fields_router,
    type_fields_router,
    auth_router,
    oauth_router,
    activity_router,
)


def create_app(
    settings: Settings | None = None, db: Database | None = None, dialects: Sequence[Dialect] = DIALECTS
) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.access_log, settings.log_format)
    database = db or Database(settings.resolved_database_url, settings.db_pool_size, background_checkpoints=True)
    observability.watch_pool(database.engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What startup built (modules, routes, models, the catalogue) lives as long as the process: out of the
        # collector's reach, a full collection scans only what requests allocate (~80 ms pauses otherwise).
        gc.freeze()
        # The SLA worker runs beside the API in each server process (several are safe: see the worker).
        worker = None
        if settings.sla_worker:
            worker = asyncio.create_task(sla_worker.run_in_app(database, settings.sla_worker_interval))
        usage_writer = asyncio.create_task(token_usage.write_every(FLUSH_INTERVAL, database))
        checkpoints = None
        if database.background_checkpoints:
            checkpoints = asyncio.create_task(database.checkpoint_every(CHECKPOINT_INTERVAL))
        yield
        for task in (worker, usage_writer, checkpoints):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        await token_usage.flush(database)
        if db is None:
            database.dispose()
        observability.process_stopped()

    app = FastAPI(
        title="casework",
        version=__version__,
        summary="Case management with a native API and vendor-compatible dialects.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=fastapi_telemetry(settings),
    )
    token_usage = TokenUsage()
    # What every request reads from its app's state, the dialects' apps included.
    shared: dict[str, Any] = {
        "settings": settings,
        "db": database,
        "rate_limiter": RateLimiter(settings.rate_limit),
        "file_store": build_store(settings),
        "signing_keys": SigningKeys(),
        "credential_cache": CredentialCache(),
        "token_usage": token_usage,
    }
    # The token endpoint answers errors as RFC 6749 says, not as problem+json.
    app.state = State({**shared, "error_renderers": [(API_PREFIX + TOKEN_PATH, oauth_wire.render_error)]})
    upload_limit = upload_body_limit(settings.max_file_bytes)
    uploads = [(UPLOAD_PATH, upload_limit)]
    uploads += [(pattern, upload_limit) for dialect in dialects for pattern in upload_patterns(dialect)]
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, larger=uploads)
    problems.install(app)
    app.add_middleware(observability.Observe)

    # The dialects ahead of the native API: the router tries routes in turn, and a mount is one prefix check where
    # the native API is every one of its routes (~200 µs a request, measured).
    for dialect in dialects:
        mount_dialect(app, dialect, shared)
    # Each domain's router straight on the app, not nested under an /api/v1 router: FastAPI matches a nested
    # router again at each level of the nesting, on every request (a fifth of a comment's server time, measured).
    for router in NATIVE_ROUTERS:
        app.include_router(router, prefix=API_PREFIX, generate_unique_id_function=api_description.operation_id)
    app.include_router(oauth_token_router, prefix=API_PREFIX, generate_unique_id_function=api_description.operation_id)
    api_description.document(app)
    # After the API's routes: a request is matched against every route before its own (~10,000 instructions each).
    api_docs.install(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> Response:
        def unavailable(detail: str) -> Response:
            language = problems.request_language(request)
            body = {"status": "unavailable", "detail": translate(detail, language)}
            return JSONResponse(body, 503, headers={"Content-Language": language})

        try:
            current = await database.read(lambda _session: migrate.is_current(database.engine))
            await database.read(lambda session: session.execute(text("SELECT 1")))
        except Exception as exc:  # noqa: BLE001 - any failure to reach the database means not ready
            return unavailable(_("database unreachable: {error}", error=type(exc).__name__))
        if not current:
            return unavailable(_("database migrations are not current"))
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", tags=["health"], response_class=Response)
    def metrics() -> Response:
        # A plain function: FastAPI runs it on a thread, off the event loop while it reads every process's files.
        return Response(observability.exposition(), media_type=observability.MEDIA_TYPE)

    return app
