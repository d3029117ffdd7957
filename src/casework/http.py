"""Shared HTTP plumbing for the native API: JSON responses, the database and actor dependencies, If-Match."""

import functools
import math
import re
import time
import uuid
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem
from limits import parse as parse_rate_limit

from casework.attachments.storage import FileStore
from casework.auth.service import Actor, authenticate, touch_token
from casework.db.database import Database
from casework.errors import InvalidInput, RateLimited, Unauthenticated
from casework.i18n import _, negotiate
from casework.inputs import MAX_VERSION


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


# Dependencies are `async def` even with nothing to await: FastAPI runs a plain `def` dependency on a worker thread,
# and that hop costs more than the whole lookup.


async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


DB = Annotated[Database, Depends(get_db)]
# The page size every list endpoint takes.
Limit = Annotated[int, Query(ge=1, le=500)]


async def get_file_store(request: Request) -> FileStore:
    """Where case files are kept (app.state.file_store, built from the settings)."""
    return request.app.state.file_store  # type: ignore[no-any-return]


FileStoreDep = Annotated[FileStore, Depends(get_file_store)]
bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer cw_...`")


# A token's limit is parsed once, not on each of its requests.
_parsed_limit = functools.lru_cache(maxsize=1024)(parse_rate_limit)


class RateLimiter:
    """Per-token sliding-window counters, kept in this process (each app process enforces the limit on its own).

    A request is allowed while this window's count plus the previous window's, weighted by how much of it still
    overlaps the sliding window, stays under the limit. Written here rather than with `limits`' in-memory storage,
    which starts a timer thread every 10 ms to expire keys: that cost a fifth of a cached read. `limits` still
    parses the "6000/minute" syntax."""

    def __init__(self, default: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.default = parse_rate_limit(default)
        self.clock = clock
        # token id -> [window number, count in it, count in the window before]
        self._windows: dict[uuid.UUID, list[int]] = {}

    def check(self, actor: Actor) -> None:
        item = _parsed_limit(actor.rate_limit) if actor.rate_limit else self.default
        length = item.get_expiry()
        now = self.clock()
        number = int(now // length)
        counts = self._windows.get(actor.token_id)
        if counts is None or counts[0] < number - 1:
            counts = self._windows[actor.token_id] = [number, 0, 0]
        elif counts[0] == number - 1:
            counts[:] = [number, 0, counts[1]]
        remaining_share = 1 - (now - number * length) / length
        if counts[1] + counts[2] * remaining_share >= item.amount:
            raise RateLimited(retry_after=self._retry_after(item, counts, now, number * length))
        counts[1] += 1

    @staticmethod
    def _retry_after(item: RateLimitItem, counts: list[int], now: float, window_start: float) -> int:
        length = item.get_expiry()
        if counts[1] >= item.amount or not counts[2]:
            wait = window_start + length - now
        else:
            # When the previous window's weight has shrunk enough to let one more request in.
            wait = window_start + length * (1 - (item.amount - counts[1]) / counts[2]) - now
        return max(1, math.ceil(wait))


async def current_actor(
    request: Request, db: DB, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated(_("missing bearer token in the Authorization header"))
    auth = await db.read(authenticate, credentials.credentials)
    request.app.state.rate_limiter.check(auth.actor)
    if auth.stale_last_used:
        await db.write(touch_token, auth.actor.token_id)
    return auth.actor


CurrentActor = Annotated[Actor, Depends(current_actor)]

# At most 19 digits, so that int() never meets a number past its own digit limit (4,300).
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,19})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request: Request) -> int | None:
    """The version named by If-Match, or None when absent or '*'."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if match is None or (version := int(match.group(1))) > MAX_VERSION:
        raise InvalidInput.field("If-Match", _('expected an ETag such as "3"'))
    return version


async def request_language(
    accept_language: Annotated[str | None, Header(description="`fr` for French labels; English otherwise.")] = None,
) -> str:
    return negotiate(accept_language)


# The caller's language (en or fr), for labels the server shows.
Language = Annotated[str, Depends(request_language)]
