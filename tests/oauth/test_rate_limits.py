"""Every authenticated request leaves its credential's rate-limit state on request.state.rate_limit (for dialects'
headers); an OAuth client's access tokens share one count."""

from fastapi import FastAPI, Request, Response

from casework import problems
from casework.app import create_app
from casework.http import CurrentActor, JSONResponse
from casework.settings import Settings
from tests.helpers import api_client, bearer
from tests.oauth.support import basic, new_client


def app_with_probe(db, tmp_path) -> FastAPI:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path, rate_limit="3/minute"), db)

    @app.get("/api/v1/probe", responses=problems.refusals(401, 429))
    async def probe(request: Request, actor: CurrentActor) -> Response:
        return JSONResponse(request.state.rate_limit._asdict())

    return app


async def test_an_api_tokens_requests_report_their_limit_state_until_refused(db, tenant, tmp_path):
    async with api_client(app_with_probe(db, tmp_path), tenant.admin.headers) as client:
        states = [(await client.get("/probe")).json() for _ in range(3)]
        assert [(s["limit"], s["remaining"], s["period"]) for s in states] == [(3, 2, 60), (3, 1, 60), (3, 0, 60)]
        assert all(60 <= s["reset"] <= 120 for s in states)
        refused = await client.get("/probe")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


async def test_an_oauth_clients_access_tokens_share_one_count(db, tenant, tmp_path):
    app = app_with_probe(db, tmp_path)
    async with api_client(app, tenant.admin.headers) as client:
        created = await new_client(client)
        credentials = basic(created["client_id"], created["client_secret"])
        tokens = []
        for scope in ("cases:read", "cases:write"):
            response = await client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": scope}, headers=credentials)
            tokens.append(response.json()["access_token"])
        remaining = [(await client.get("/probe", headers=bearer(t))).json()["remaining"] for t in (*tokens, tokens[0])]
        assert remaining == [2, 1, 0]
        assert (await client.get("/probe", headers=bearer(tokens[1]))).status_code == 429
        assert (await client.get("/probe")).json()["remaining"] == 1  # the admin's API token counts apart
