"""What an operator watches: Prometheus metrics (GET /metrics) and a request id on every answer and log line.

With several server processes, PROMETHEUS_MULTIPROC_DIR names a directory where each keeps its metrics (the
supervisor of `casework serve --workers N` makes a fresh one): /metrics then adds up every process's.
"""

import os
import re
import secrets
import time
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy import Engine, QueuePool, event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# casework's own registry, not prometheus-client's global one: importing this module afresh (as a test does) makes
# new metrics rather than clash with the old.
REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "casework_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "casework_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    registry=REGISTRY,
)
# Across processes: the sum over the live ones.
POOL_CHECKED_OUT = Gauge(
    "casework_db_pool_checked_out", "Database connections in use.", multiprocess_mode="livesum", registry=REGISTRY
)
POOL_SIZE = Gauge(
    "casework_db_pool_size", "Database connections the pool keeps open.", multiprocess_mode="livesum", registry=REGISTRY
)
# Across processes: the worst lag of a live one, the latest pass of any.
SLA_LAG = Gauge(
    "casework_sla_worker_lag_seconds",
    "How long the most overdue SLA clock of the worker's last pass had waited past its check time (0: none was).",
    multiprocess_mode="livemax",
    registry=REGISTRY,
)
SLA_LAST_PASS = Gauge(
    "casework_sla_worker_last_pass_timestamp_seconds",
    "When the SLA worker last finished a pass (Unix time; 0: never).",
    multiprocess_mode="max",
    registry=REGISTRY,
)

# The text format generate_latest writes.
MEDIA_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# The label of a request no API route answered: unknown paths, API descriptions, static files, bodies refused
# before routing.
UNMATCHED = "unmatched"
# Other methods are labelled "other": the label's values stay few whatever clients send.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_ID_HEADER = b"x-request-id"
# A client's request id is taken if it is this short and plain (it goes into headers and log lines as is).
REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def exposition() -> bytes:
    """Every metric in Prometheus' text format: this process's, or all processes' in multiprocess mode."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def process_stopped() -> None:
    """Drops this process's live gauges from the sum over processes."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())


def _checked_out(*_args: Any) -> None:
    POOL_CHECKED_OUT.inc()


def _checked_in(*_args: Any) -> None:
    POOL_CHECKED_OUT.dec()


def watch_pool(engine: Engine) -> None:
    """Keeps the pool gauges for the engine's pool (once per engine, however often it is called)."""
    assert isinstance(engine.pool, QueuePool)  # make_engine's, on either database: only these have a size
    POOL_SIZE.set(engine.pool.size())
    if not event.contains(engine.pool, "checkout", _checked_out):
        event.listen(engine.pool, "checkout", _checked_out)
        event.listen(engine.pool, "checkin", _checked_in)


def sla_pass_done(lag_seconds: float) -> None:
    SLA_LAG.set(lag_seconds)
    SLA_LAST_PASS.set_to_current_time()


def request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's X-Request-ID if it is plain enough, else a new one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if REQUEST_ID.fullmatch(value):
                return value.decode()
            break
    return secrets.token_hex(16)


def route_template(scope: Scope, root_path: str) -> str:
    """The path template of the route that answered (under its dialect's prefix), after the app has run."""
    # FastAPI leaves scope["route"] the route as its router declared it, without the prefixes it was included
    # under; the route as included is in its own part of the scope.
    route = scope.get("fastapi", {}).get("effective_route_context") or scope.get("route")
    if route is None:
        return UNMATCHED
    # A mounted app's routes extend root_path with the mount's prefix.
    return str(scope.get("root_path", "")[len(root_path) :] + route.path_format)


# Each (method, route, status) series of REQUESTS and LATENCY, looked up once: labels() costs more than inc().
_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _series(method: str, route: str, status: int) -> tuple[Any, Any]:
    key = (method, route, status)
    found = _SERIES.get(key)
    if found is None:
        found = _SERIES[key] = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
    return found


class Observe:
    """Gives every request an id (bound to its log lines, sent back in X-Request-ID), counts and times it.

    Outermost, so it sees every answer: those of the dialects' apps, of the other middleware and the 500s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        identifier = request_id(scope["headers"])
        header = (REQUEST_ID_HEADER, identifier.encode())
        status = 500  # if the app raises before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        root_path = scope.get("root_path", "")
        tokens = structlog.contextvars.bind_contextvars(request_id=identifier)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - started
            structlog.contextvars.reset_contextvars(**tokens)
            method = scope["method"] if scope["method"] in METHODS else "other"
            count, latency = _series(method, route_template(scope, root_path), status)
            count.inc()
            latency.observe(elapsed)
