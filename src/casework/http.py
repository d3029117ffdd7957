"""Shared HTTP plumbing for the native API: JSON responses, the database and actor dependencies, If-Match."""

import dataclasses
import functools
import math
import re
import time
import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute, APIRouter, _effective_route_context_var
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from fastapi.telemetry import TelemetryConfig
from limits import RateLimitItem
from limits import parse as parse_rate_limit
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import URLPath
from starlette.routing import Match
from starlette.types import Scope

from casework.attachments.storage import FileStore
from casework.auth.cache import CredentialCache
from casework.auth.service import GENERATION_SQL, Actor, Authentication, authenticate, current_generation
from casework.credentials import Credentials
from casework.db.base import JSON_TIME_OPTIONS, utcnow
from casework.db.database import Database
from casework.errors import InvalidInput, RateLimited, RateLimitState, Unauthenticated
from casework.i18n import _, negotiate
from casework.inputs import MAX_VERSION
from casework.oauth.keys import SigningKeys
from casework.oauth.tokens import authenticate_access_token, is_access_token
from casework.route_handler import direct_handler
from casework.settings import Settings


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=JSON_TIME_OPTIONS)


# Dependencies are `async def` even with nothing to await: FastAPI runs a plain `def` dependency on a worker thread,
# and that hop costs more than the whole lookup.


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DB = Annotated[Database, Depends(get_db)]
# The page size every list endpoint takes.
Limit = Annotated[int, Query(ge=1, le=500, description="The most items in one page (1..500).")]
Cursor = Annotated[
    str | None,
    Query(description="Where the page starts: the `next_cursor` of the page before; absent for the first page."),
]
# The path parameters naming what an operation addresses.
CaseRef = Annotated[str, Path(description="The case: its id (a UUID) or its key, such as `SEC-12`.")]
ProjectRef = Annotated[str, Path(description="The project: its id (a UUID) or its key, such as `SEC`.")]


async def get_file_store(request: Request) -> FileStore:
    """Where case files are kept (app.state.file_store, built from the settings)."""
    store: FileStore = request.app.state.file_store
    return store


FileStoreDep = Annotated[FileStore, Depends(get_file_store)]


def url_for(request: Request, name: str, **params: str) -> str:
    """request.url_for, but each route's path is looked up once per app (kept in app.state.route_paths): Starlette
    walks every route of every mounted router (the dialects' first) on each call, a fifth of a comment's time."""
    state = request.app.state
    if not hasattr(state, "route_paths"):
        state.route_paths = {}
    templates: dict[tuple[str, tuple[str, ...]], str] = state.route_paths
    key = (name, tuple(sorted(params)))
    template = templates.get(key)
    if template is None:
        # String parameters are taken as they are: each placeholder stands in the path as `{name}`.
        template = templates[key] = request.app.url_path_for(name, **{param: f"{{{param}}}" for param in params})
    return _base_url(request) + template.format(**params)


# Base URLs by what they are made of; bounded, since the Host header is the client's to choose.
_base_urls: dict[tuple[Any, ...], str] = {}
MAX_BASE_URLS = 1024


def _base_url(request: Request) -> str:
    """What URLPath.make_absolute_url puts before a path: the request's base URL without its last slash, worked out
    once per scheme, host and root path (Starlette builds and parses it on each call: 4% of a comment)."""
    scope = request.scope
    # ASGI lets a server be a list (Starlette's test client sends one): a tuple, to be part of a key.
    server = scope.get("server")
    key = (scope["scheme"], request.headers.get("host"), server and tuple(server), scope.get("root_path", ""))
    base = _base_urls.get(key)
    if base is None:
        if len(_base_urls) >= MAX_BASE_URLS:
            _base_urls.clear()
        base = _base_urls[key] = str(URLPath("").make_absolute_url(request.base_url))
    return base


# A token's limit is parsed once, not on each of its requests.
_parsed_limit = functools.lru_cache(maxsize=1024)(parse_rate_limit)


class RateLimiter:
    """Per-credential sliding-window counters (an API token's, or an OAuth client's shared by all its access
    tokens), kept in this process (each app process enforces the limit on its own).

    A request is allowed while this window's count plus the previous window's, weighted by how much of it still
    overlaps the sliding window, stays under the limit. Written here rather than with `limits`' in-memory storage,
    which starts a timer thread every 10 ms to expire keys: that cost a fifth of a cached read. `limits` still
    parses the "6000/minute" syntax."""

    def __init__(self, default: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.default = parse_rate_limit(default)
        self.clock = clock
        # credential id -> [window number, count in it, count in the window before]
        self._windows: dict[uuid.UUID | None, list[int]] = {}

    def check(self, actor: Actor) -> RateLimitState:
        """Counts the request and says where its credential stands; raises RateLimited (with the same) when over."""
        item = _parsed_limit(actor.rate_limit) if actor.rate_limit else self.default
        length = item.get_expiry()
        now = self.clock()
        number = int(now // length)
        key = actor.token_id or actor.oauth_client_id
        counts = self._windows.get(key)
        if counts is None or counts[0] < number - 1:
            counts = self._windows[key] = [number, 0, 0]
        elif counts[0] == number - 1:
            counts[:] = [number, 0, counts[1]]
        window_start = number * length
        previous_weight = counts[2] * (1 - (now - window_start) / length)
        if counts[1] + previous_weight >= item.amount:
            # Over: the previous window's requests alone weigh until this window ends.
            reset = math.ceil(window_start + (2 if counts[1] else 1) * length - now)
            state = RateLimitState(item.amount, 0, reset, length)
            raise RateLimited(self._retry_after(item, counts, now, window_start), state)
        counts[1] += 1
        # n more requests fit while count + weight + n - 1 < amount (less a float's rounding error);
        # this window's requests weigh until the next window ends.
        remaining = math.ceil(item.amount - counts[1] - previous_weight - 1e-9)
        return RateLimitState(item.amount, max(0, remaining), math.ceil(window_start + 2 * length - now), length)

    @staticmethod
    def _retry_after(item: RateLimitItem, counts: list[int], now: float, window_start: float) -> int:
        length = item.get_expiry()
        if counts[1] >= item.amount or not counts[2]:
            wait = window_start + length - now
        else:
            # When the previous window's weight has shrunk enough to let one more request in.
            wait = window_start + length * (1 - (item.amount - counts[1]) / counts[2]) - now
        return max(1, math.ceil(wait))


async def authenticated_actor(request: Request, credentials: Credentials, source: str) -> Actor:
    """Who the credentials stand for (an API token or an OAuth access token), coming through `source` (native or a
    dialect's name); request.state.rate_limit says where the credential stands against its rate limit (dialects
    send it in their own headers). A credential this process resolved lately costs one read of the generation."""
    state = request.app.state
    db: Database = state.db
    cache: CredentialCache = state.credential_cache
    key = cache.key(credentials.secret, credentials.email)
    entry = cache.get(key)
    if entry is not None and await db.read_value(GENERATION_SQL) != entry.generation:
        cache.drop(key)
        entry = None
    if entry is None:
        now = utcnow()
        generation, auth = await db.read(_resolve, state.signing_keys, credentials, source, now)
        actor = dataclasses.replace(auth.actor, generation=generation)
        entry = cache.put(key, actor, generation, auth.expires_at, now, None if auth.stale_last_used else now)
    actor = entry.actor if entry.actor.source == source else dataclasses.replace(entry.actor, source=source)
    request.state.rate_limit = state.rate_limiter.check(actor)
    state.token_usage.record(entry)
    return actor


def _resolve(
    session: Session, signing_keys: SigningKeys, credentials: Credentials, source: str, now: datetime
) -> tuple[int, Authentication]:
    # The generation is read first: a change committed after it is seen by the next request's check.
    generation = current_generation(session)
    secret = credentials.secret
    if is_access_token(secret) and credentials.email is None:
        return generation, authenticate_access_token(session, signing_keys, secret)
    return generation, authenticate(session, secret, now, email=credentials.email, source=source)


class _BearerActor(HTTPBearer):
    """The actor of the request's bearer token: one dependency, where HTTPBearer's credentials handed on to
    another cost every request a nested solve; still documented as HTTPBearer."""

    async def __call__(self, request: Request) -> Actor:  # type: ignore[override]
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if not token or scheme.lower() != "bearer":
            raise Unauthenticated(_("missing bearer token in the Authorization header"))
        return await authenticated_actor(request, Credentials(token), "native")


current_actor = _BearerActor(
    scheme_name="HTTPBearer",
    auto_error=False,
    description="An API token (`Authorization: Bearer cw_...`) or an OAuth access token (a JWT).",
)


CurrentActor = Annotated[Actor, Depends(current_actor)]

# At most 19 digits, so that int() never meets a number past its own digit limit (4,300).
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,19})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


IF_MATCH_DESCRIPTION = (
    'The version the change is based on, as the ETag of the last read (`"3"`); a stale one is refused with 409 and '
    "nothing changes. Absent or `*`: no check."
)


async def if_match_version(request: Request) -> int | None:
    """The version named by If-Match, or None when absent or '*'. Read from the request: as a header parameter,
    FastAPI's validation of it cost a write 3% of its instructions; casework.api_description documents it."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if match is None or (version := int(match.group(1))) > MAX_VERSION:
        raise InvalidInput.field("If-Match", _('expected an ETag such as "3"'))
    return version


# The version an If-Match header names, for the operations that honour it (they document the header by it).
IfMatch = Annotated[int | None, Depends(if_match_version)]


async def request_language(
    accept_language: Annotated[str | None, Header(description="`fr` for French labels; English otherwise.")] = None,
) -> str:
    return negotiate(accept_language)


# The caller's language (en or fr), for labels the server shows.
Language = Annotated[str, Depends(request_language)]


def query_names(dependant: Dependant) -> frozenset[str]:
    """The query parameters an operation declares, its dependencies' and its query models' fields included."""
    names: set[str] = set()
    dependants: list[Dependant] = [dependant]
    while dependants:
        current = dependants.pop()
        for param in current.query_params:
            model = param.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                names.update(field.alias or name for name, field in model.model_fields.items())
            else:
                names.add(param.alias)
        dependants.extend(current.dependencies)
    return frozenset(names)


def fastapi_telemetry(settings: Settings) -> TelemetryConfig:
    """What an app of casework (the native API's, a dialect's) gives FastAPI for its OpenTelemetry: FastAPI's
    defaults with `CASEWORK_OPENTELEMETRY`, else none of it."""
    if settings.opentelemetry:
        return {}
    return {"tracing": False, "metrics": False, "logs": False}


class NativeRoute(APIRoute):
    """A route of the native API: a query parameter the operation does not declare is refused (422) like an unknown
    body field, rather than silently ignored (a misspelt filter would otherwise list everything). Checked by the
    route's handler before the dependencies: as one more dependency, it cost every request a nested solve."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # FastAPI builds a handler per inclusion, from the route as included (the inclusion's dependencies and
        # settings added), and says which in this context variable, as its own get_route_handler reads it.
        included = _effective_route_context_var.get()
        route = included if included is not None and included.original_route is self else self
        handler = direct_handler(route) or super().get_route_handler()
        known = query_names(route.dependant)

        async def refusing_unknown_query(request: Request) -> Response:
            query = request.query_params
            unknown = [name for name in dict.fromkeys(query.keys()) if name not in known]
            if unknown:
                raise RequestValidationError(
                    [
                        {
                            "type": "extra_forbidden",
                            "loc": ("query", name),
                            "msg": "Extra inputs are not permitted",
                            "input": query[name],
                        }
                        for name in unknown
                    ]
                )
            return await handler(request)

        return refusing_unknown_query


# A path parameter's named group: the alternatives of one pattern may not repeat a group's name.
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class PathCheckedRouter(APIRouter):
    """A router that turns away, with one regex search, a path that none of its routes could match. FastAPI tries
    an app's routers in turn, and each of their routes in turn (~35,000 instructions a route tried): a comment's
    route, behind ten routers, spent a sixth of the request finding them. The search looks for a route's pattern
    at the end of the path, so the check holds under any prefix the router is included with; a path that could
    match goes on to FastAPI's own matching."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # (the number of routes the pattern was built from, the pattern); None: a route that cannot be checked.
        self._routes_pattern: tuple[int, re.Pattern[str] | None] = (-1, None)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            pattern = self._pattern()
            if pattern is not None and pattern.search(scope["path"]) is None:
                return Match.NONE, {}
        return super().matches(scope)

    def _pattern(self) -> re.Pattern[str] | None:
        built_from, pattern = self._routes_pattern
        if built_from != len(self.routes):
            pattern = _routes_pattern(self.routes)
            self._routes_pattern = (len(self.routes), pattern)
        return pattern


def _routes_pattern(routes: list[Any]) -> re.Pattern[str] | None:
    """The routes' path patterns as one, anchored at the end only; None when a route has none (an included
    router) or takes flags of its own."""
    patterns: list[re.Pattern[str]] = []
    for route in routes:
        pattern = getattr(route, "path_regex", None)
        if pattern is None or pattern.flags != re.UNICODE:
            return None
        patterns.append(pattern)
    if not patterns:
        return None
    alternatives = [_NAMED_GROUP.sub("(?:", pattern.pattern.removeprefix("^")) for pattern in patterns]
    return re.compile("(?:" + "|".join(alternatives) + ")")


class NativeRouter(PathCheckedRouter):
    """A router of the native API: its routes are NativeRoutes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(route_class=NativeRoute, **kwargs)
