"""Making OAuth clients and getting access tokens through the native API."""

import base64
from typing import Any

import httpx
import jwt

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def new_client(client: httpx.AsyncClient, scopes: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    body = {"name": "Talkdesk", "scopes": scopes or ["cases:read", "cases:write"], **fields}
    response = await client.post("/oauth-clients", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def basic(client_id: str, client_secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


async def request_token(anonymous: httpx.AsyncClient, oauth_client: dict[str, Any], **form: str) -> httpx.Response:
    """POST /oauth/token for a client credentials grant, the client authenticated by HTTP Basic."""
    headers = basic(oauth_client["client_id"], oauth_client["client_secret"]) | FORM
    return await anonymous.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", **form}, headers=headers)


async def access_token(anonymous: httpx.AsyncClient, oauth_client: dict[str, Any], **form: str) -> str:
    response = await request_token(anonymous, oauth_client, **form)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]  # type: ignore[no-any-return]


def key_id(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]  # type: ignore[no-any-return]


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """An RFC 6749 §5.2 error: JSON {error, error_description}, never cached."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error, body
    assert body["error_description"] and body["error_description"].isascii()
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")
    return body  # type: ignore[no-any-return]
