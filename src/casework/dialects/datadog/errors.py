"""Datadog's error answers, in the two formats its API declares per route.

- Messages (`APIErrorResponse`): `{"errors": ["<message>"]}`, for the case, project and type routes, for 429s
  everywhere, and for errors raised before a route is chosen (an unknown path, a body over the size limit).
- Objects (`JSONAPIErrorResponse`): `{"errors": [{"status", "title", "detail"}]}`, for the insights and the
  relationship routes.

Bad input is a 400 (never a 422), as Datadog answers it. A 429 carries Datadog's X-RateLimit-* headers, which the
client's retry (when enabled) honours; every other answer of an authenticated request carries them too (routing.py)."""

from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Response
from pydantic import BaseModel, Field

from casework.errors import DomainError, RateLimited, RateLimitState

# The name Datadog gives the rate limit a request counted against; casework has one per credential.
RATE_LIMIT_NAME = "casework_api"

ErrorBody = Callable[[DomainError, int], dict[str, Any]]


class APIErrorResponse(BaseModel):
    """The error answer of the case, project and type routes."""

    errors: list[str] = Field(description="What went wrong, one message each.")


class JSONAPIErrorItem(BaseModel):
    status: str = Field(description="The HTTP status code, as a string.")
    title: str = Field(description="A short summary of the kind of error.")
    detail: str = Field(description="What went wrong in this request.")


class JSONAPIErrorResponse(BaseModel):
    """The error answer of the insights and relationship routes."""

    errors: list[JSONAPIErrorItem]


def datadog_status(status: int) -> int:
    """Datadog refuses bad input with 400; 422 is not one of its answers."""
    return 400 if status == 422 else status


def rate_limit_headers(state: RateLimitState) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(state.limit),
        "X-RateLimit-Period": str(state.period),
        "X-RateLimit-Remaining": str(state.remaining),
        "X-RateLimit-Reset": str(state.reset),
        "X-RateLimit-Name": RATE_LIMIT_NAME,
    }


def messages_body(exc: DomainError, status: int) -> dict[str, Any]:
    return {"errors": [exc.detail]}


def objects_body(exc: DomainError, status: int) -> dict[str, Any]:
    if status == 429:
        return messages_body(exc, status)
    return {"errors": [{"status": str(status), "title": exc.title, "detail": exc.detail}]}


def _answer(body_of: ErrorBody, exc: DomainError, status: int) -> Response:
    status = datadog_status(status)
    # No Retry-After: Datadog sends none, and urllib3 (under the client) would sleep for it even with retries off.
    headers = rate_limit_headers(exc.state) if isinstance(exc, RateLimited) and exc.state is not None else None
    return Response(orjson.dumps(body_of(exc, status)), status, headers=headers, media_type="application/json")


def render_messages(exc: DomainError, status: int) -> Response:
    """An error (already in the caller's language) as `{"errors": ["<message>"]}`: the dialect's default format."""
    return _answer(messages_body, exc, status)


def render_objects(exc: DomainError, status: int) -> Response:
    """An error as JSON:API error objects (a 429 as messages all the same, as Datadog answers it)."""
    return _answer(objects_body, exc, status)
