"""Datadog Case Management's API (v2, JSON:API) at `/datadog/api/v2/...`, over the one case engine, so that code
using `datadog-api-client` works against casework by changing only its host.

Modules: `routing` (how routes are served: their error format, 400s for bad input, rate-limit headers;
`datadog_router()` makes each module's router, `served` composes them), `errors` (the two error formats),
`credentials` (DD-API-KEY + DD-APPLICATION-KEY, or Bearer), `inputs` (shared request pieces and enums), `wire` (a
case as Datadog's JSON), `cases` (create and get, and a case's answer for every module), `search`, `updates` (each
change to a case, and the project relationship), `projects`; a case's content: `insights`, `comments`,
`timelines`, `watchers`; `types` and their custom `attributes`; `users`; and `unsupported` (the client's operations
casework does not serve). Each module's router is listed in ROUTERS below, one line each.
"""

from casework.dialects.datadog import (
    attributes,
    cases,
    comments,
    insights,
    projects,
    search,
    timelines,
    types,
    unsupported,
    updates,
    users,
    watchers,
)
from casework.dialects.datadog.credentials import read_credentials
from casework.dialects.datadog.errors import render_messages
from casework.dialects.datadog.routing import served
from casework.dialects.dialect import Dialect

ROUTERS = (
    cases.router,
    search.router,
    updates.router,
    updates.relationships,
    projects.router,
    insights.router,
    comments.router,
    timelines.router,
    watchers.router,
    types.router,
    attributes.router,
    users.router,
    unsupported.router,
    unsupported.relationships_router,
)

DIALECT = Dialect(
    name="datadog",
    prefix="/datadog",
    router=served(ROUTERS),
    render_error=render_messages,
    credentials=read_credentials,
    title="Datadog Case Management API",
)
