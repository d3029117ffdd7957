"""Shared HTTP plumbing for the native API: JSON responses, the database and actor dependencies, If-Match."""

import math
import re
import time
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse as parse_rate_limit
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from casework.attachments.storage import FileStore
from casework.auth.service import Actor, authenticate, touch_token
from casework.db.database import Database
from casework.errors import InvalidInput, RateLimited, Unauthenticated
from casework.i18n import _, negotiate


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


DB = Annotated[Database, Depends(get_db)]
# The page size every list endpoint takes.
Limit = Annotated[int, Query(ge=1, le=500)]


def get_file_store(request: Request) -> FileStore:
    """Where case files are kept (app.state.file_store, built from the settings)."""
    return request.app.state.file_store  # type: ignore[no-any-return]


FileStoreDep = Annotated[FileStore, Depends(get_file_store)]
bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer cw_...`")


class RateLimiter:
    """Per-token moving windows, kept in this process (each app process enforces the limit on its own)."""

    def __init__(self, default: str) -> None:
        self.default = parse_rate_limit(default)
        self.strategy = MovingWindowRateLimiter(MemoryStorage())

    def check(self, actor: Actor) -> None:
        item = parse_rate_limit(actor.rate_limit) if actor.rate_limit else self.default
        key = str(actor.token_id)
        if not self.strategy.hit(item, key):
            reset_at = self.strategy.get_window_stats(item, key).reset_time
            raise RateLimited(retry_after=max(1, math.ceil(reset_at - time.time())))


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

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request: Request) -> int | None:
    """The version named by If-Match, or None when absent or '*'."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if match is None:
        raise InvalidInput.field("If-Match", _('expected an ETag such as "3"'))
    return int(match.group(1))


def request_language(
    accept_language: Annotated[str | None, Header(description="`fr` for French labels; English otherwise.")] = None,
) -> str:
    return negotiate(accept_language)


# The caller's language (en or fr), for labels the server shows.
Language = Annotated[str, Depends(request_language)]
