"""Kibana Cases' HTTP API (`/kibana/api/cases...`, and the same under `/kibana/s/{space_id}`) in Kibana's wire
format, over the one case engine.

Modules: `routing` (how routes are served: validation as 400s, kbn-xsrf, spaces; `kibana_router()` makes each
module's router), `errors` (Boom bodies), `inputs` (strict bodies, Kibana's limits and messages), `wire` (a case as
Kibana's JSON), `schemas` (the answers as the API description shows them), `cases` (the case routes),
`finding` (_find, tags, reporters), `datemath` (Kibana's dates), `attachments` (comments and alerts),
`user_actions` (the activity log as Kibana's user actions), `configure` and `custom_fields` (case settings per
owner, their custom fields as casework fields), `connectors` (none, and pushes refused), `files` (uploads). Each
module's router is listed in ROUTERS below, one line each.
"""

from casework.credentials import api_key, basic, first_of
from casework.dialects.dialect import Dialect
from casework.dialects.kibana import attachments, cases, configure, connectors, files, finding, user_actions
from casework.dialects.kibana.errors import render_error
from casework.dialects.kibana.routing import served

ROUTERS = (
    configure.router,
    connectors.router,
    files.router,
    cases.router,
    finding.router,
    attachments.router,
    user_actions.router,
)

DIALECT = Dialect(
    name="kibana",
    prefix="/kibana",
    router=served(ROUTERS),
    render_error=render_error,
    credentials=first_of(api_key, basic),
    title="Kibana Cases API",
    upload_paths=files.UPLOAD_PATHS,
)
