"""`casework oauth-client create|list|revoke|rotate-key`: the same clients and rules as /oauth-clients, from the
shell (see tests/test_cli.py for how the CLI is run)."""

import httpx
import jwt

from casework.app import create_app
from casework.settings import Settings
from tests.helpers import api_client
from tests.oauth.support import basic
from tests.test_cli import Cli, api_call, casework, empty_url, table_columns  # noqa: F401  (fixtures)


async def request_token(url: str, client_id: str, client_secret: str) -> httpx.Response:
    application = create_app(Settings(database_url=url, rate_limit="100000/minute"))
    try:
        async with api_client(application) as client:
            form = {"grant_type": "client_credentials"}
            return await client.post("/oauth/token", data=form, headers=basic(client_id, client_secret))
    finally:
        application.state.db.dispose()


async def test_create_prints_the_secret_once_and_the_client_gets_working_tokens(casework: Cli) -> None:
    printed = casework.ok("oauth-client", "create", "--name", "Talkdesk", "--scope", "cases:read").stdout
    secret = printed.splitlines()[-1]
    assert secret.startswith("cwcs_") and printed.count(secret) == 1
    [listed] = casework.json("oauth-client", "list")
    assert listed["client_id"] in printed and "client_secret" not in listed
    assert (listed["name"], listed["scopes"], listed["revoked_at"]) == ("Talkdesk", ["cases:read"], None)

    response = await request_token(casework.url, listed["client_id"], secret)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert (await api_call(casework.url, token, "GET", "/cases")).status_code == 200
    assert (await api_call(casework.url, token, "POST", "/cases", json={"title": "No"})).status_code == 403


async def test_revoke_stops_the_clients_tokens_at_once(casework: Cli) -> None:
    created = casework.json("oauth-client", "create", "--name", "Sync", "--scope", "cases:read", "--scope", "cases:write")
    token = (await request_token(casework.url, created["client_id"], created["client_secret"])).json()["access_token"]
    assert (await api_call(casework.url, token, "GET", "/cases")).status_code == 200

    assert created["id"] in casework.ok("oauth-client", "revoke", created["id"]).stdout
    assert casework.json("oauth-client", "list")[0]["revoked_at"] is not None
    assert (await api_call(casework.url, token, "GET", "/cases")).status_code == 401


def test_list_prints_every_client_in_a_table(casework: Cli) -> None:
    first = casework.json("oauth-client", "create", "--name", "One", "--scope", "cases:read")
    second = casework.json("oauth-client", "create", "--name", "Two", "--scope", "cases:write")
    columns = table_columns(casework.ok("oauth-client", "list").stdout)
    assert columns[0] == first["id"] + second["id"]
    assert columns[1] == first["client_id"] + second["client_id"]


def test_create_refuses_bad_input_and_non_admins_with_one_error_line(casework: Cli) -> None:
    assert "scopes" in casework.error("oauth-client", "create", "--name", "X", "--scope", "cases:delete")
    casework.ok("user", "add", "--email", "mia@example.org", "--name", "Mia", "--role", "manager")
    assert "manager" in casework.error("oauth-client", "create", "--name", "X", "--scope", "cases:read", "--as", "mia@example.org")
    line = casework.error("oauth-client", "create", "--name", "X", "--scope", "admin", "--user", "mia@example.org")
    assert "admin" in line
    assert casework.json("oauth-client", "list") == []


async def test_rotate_key_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(casework: Cli) -> None:
    created = casework.json("oauth-client", "create", "--name", "Sync", "--scope", "cases:read")
    old = (await request_token(casework.url, created["client_id"], created["client_secret"])).json()["access_token"]
    rotation = casework.json("oauth-client", "rotate-key")
    assert (rotation["retired"], rotation["deleted"]) == (1, 0)

    new = (await request_token(casework.url, created["client_id"], created["client_secret"])).json()["access_token"]
    assert jwt.get_unverified_header(new)["kid"] == rotation["key_id"] != jwt.get_unverified_header(old)["kid"]
    for token in (old, new):
        assert (await api_call(casework.url, token, "GET", "/cases")).status_code == 200
    assert "1 key(s) retired, 0 expired" in casework.ok("oauth-client", "rotate-key").stdout
