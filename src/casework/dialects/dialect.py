"""The seam a dialect plugs into: what it declares, and how create_app mounts it."""

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.datastructures import State

from casework import api_docs, problems
from casework.auth.service import Actor
from casework.credentials import CredentialReader
from casework.errors import Unauthenticated
from casework.http import authenticated_actor, fastapi_telemetry
from casework.i18n import _


@dataclass(frozen=True)
class Dialect:
    # Recorded as the source of every change made through it ("kibana", ...): the actor carries it.
    name: str
    # Where its paths start: a vendor client's base URL is the server's plus this.
    prefix: str
    router: APIRouter
    # Renders a domain error (already in the caller's language) with its status, in the vendor's error format.
    render_error: problems.Renderer
    credentials: CredentialReader
    # The API's name in its description at <prefix>/openapi.json.
    title: str
    # Regular expressions of its file upload paths (after the prefix): their bodies may be as large as a file.
    upload_paths: tuple[str, ...] = ()


async def dialect_actor(request: Request) -> Actor:
    """The caller, authenticated the way the dialect that serves this request reads credentials."""
    dialect: Dialect = request.app.state.dialect
    credentials = dialect.credentials(request)
    if credentials is None:
        raise Unauthenticated(_("the request carries no credentials"))
    return await authenticated_actor(request, credentials, dialect.name)


# What a dialect's routes take to know their caller.
DialectActor = Annotated[Actor, Depends(dialect_actor)]


def upload_patterns(dialect: Dialect) -> list[re.Pattern[str]]:
    """The dialect's upload paths as the app sees them, under its prefix."""
    return [re.compile(f"^{re.escape(dialect.prefix)}{path}") for path in dialect.upload_paths]


def mount(app: FastAPI, dialect: Dialect, shared: dict[str, Any]) -> None:
    """Serve the dialect under its prefix, as an app of its own: its errors in its format, its own API description,
    and the host app's `shared` state (database, settings, file store, rate limiter)."""
    sub = FastAPI(
        title=dialect.title,
        version=app.version,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        telemetry=fastapi_telemetry(shared["settings"]),
    )
    api_docs.install(sub)
    sub.state = State({**shared, "dialect": dialect, "error_renderers": [(dialect.prefix, dialect.render_error)]})
    problems.install(sub)
    sub.include_router(dialect.router)
    app.mount(dialect.prefix, sub)
    # Errors raised before the request reaches the dialect (a body over the size limit) render in its format too.
    app.state.error_renderers.append((dialect.prefix, dialect.render_error))
