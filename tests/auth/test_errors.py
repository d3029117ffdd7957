"""Every error is RFC 9457 problem+json; authentication, body size and rate limits; health and docs."""

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from casework.app import create_app
from casework.settings import Settings
from tests.conftest import Tenant
from tests.helpers import api_client, assert_problem, assert_unauthenticated, bearer


# 401


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Token {secret}", "{secret}", "Bearer cw_" + "x" * 43,
     "Bearer {secret}x", "Bearer not-even-close"],
    ids=["missing", "empty", "scheme-only", "scheme-and-space", "basic", "other-scheme-valid-secret",
         "bare-valid-secret", "unknown-token", "altered-secret", "garbage"],
)
async def test_missing_malformed_or_unknown_credentials_are_401(anonymous, tenant, authorization):
    headers = {} if authorization is None else {"Authorization": authorization.format(secret=tenant.admin.token)}
    response = await anonymous.get("/api/v1/cases", headers=headers)
    assert_unauthenticated(response)


async def test_bearer_scheme_is_case_insensitive(anonymous, tenant):
    response = await anonymous.get("/api/v1/me", headers={"Authorization": f"bearer {tenant.admin.token}"})
    assert response.status_code == 200, response.text


async def test_revoked_token_is_401(client, tenant):
    agent = tenant.add_member("agent")
    (token,) = (await client.get("/tokens", params={"user_id": str(agent.id)})).json()
    assert (await client.delete(f"/tokens/{token['id']}")).status_code == 200
    assert_unauthenticated(await client.get("/cases", headers=agent.headers))


async def test_expired_token_is_401(client, tenant):
    expired = tenant.add_member("agent", expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert_unauthenticated(await client.get("/cases", headers=expired.headers))


async def test_deactivated_users_token_is_401(client, tenant):
    agent = tenant.add_member("agent")
    assert (await client.patch(f"/users/{agent.id}", json={"active": False})).status_code == 200
    assert_unauthenticated(await client.get("/cases", headers=agent.headers))
    assert_unauthenticated(await client.post("/cases", json={"title": "X"}, headers=agent.headers))


def native_routes(app: FastAPI) -> list[tuple[str, str]]:
    schema = app.openapi()
    return sorted(
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    )


async def test_every_native_api_route_requires_a_token(app, anonymous):
    # The OAuth token endpoint authenticates clients by their own credentials (tests/oauth).
    routes = [route for route in native_routes(app) if route != ("POST", "/api/v1/oauth/token")]
    assert ("GET", "/api/v1/cases") in routes and ("POST", "/api/v1/tokens") in routes
    for method, path in routes:
        # Every path parameter gets a plausible value: the token must be asked for before any lookup.
        concrete = re.sub(r"\{[a-z_]+\}", lambda m: "SEC-1" if m.group(0) == "{ref}" else str(uuid.uuid4()), path)
        response = await anonymous.request(method, concrete)
        assert response.status_code == 401, (method, path, response.text)
        assert_unauthenticated(response)


# The problem shape, status by status


async def test_403_is_a_problem(client, tenant):
    viewer = tenant.add_member("viewer")
    assert_problem(await client.post("/cases", json={"title": "X"}, headers=viewer.headers), 403)


async def test_404_for_a_missing_resource_is_a_problem(client):
    body = assert_problem(await client.get(f"/cases/{uuid.uuid4()}"), 404)
    assert body["title"] == "Not found"


async def test_409_is_a_problem(client):
    assert_problem(await client.post("/projects", json={"key": "SEC", "name": "Again"}), 409)


async def test_422_lists_each_invalid_field(client):
    response = await client.post("/users", json={"email": "nope", "name": "", "role": "king", "shoe_size": 44})
    body = assert_problem(response, 422)
    assert {e["field"] for e in body["errors"]} == {"email", "name", "role", "shoe_size"}


async def test_422_names_nested_fields_by_their_path(client):
    response = await client.post("/cases", json={"title": "X", "requester": {"email": "nope"}})
    assert_problem(response, 422, "requester.email")


async def test_422_names_query_parameters(client):
    assert_problem(await client.get("/cases", params={"limit": 0}), 422, "limit")


async def test_422_names_path_parameters(client):
    assert_problem(await client.delete("/tokens/not-a-uuid"), 422, "token_id")


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/cases/SEC-1/nope", "/nope", "/api/v2/cases"])
async def test_unknown_route_is_a_404_problem(anonymous, path):
    assert_problem(await anonymous.get(path), 404)


@pytest.mark.parametrize(
    "method, path",
    [("PUT", "/api/v1/cases"), ("DELETE", "/api/v1/projects"), ("PUT", "/api/v1/users/" + str(uuid.uuid4())),
     ("POST", "/healthz")],
)
async def test_wrong_method_is_a_405_problem(client, method, path):
    response = await client.request(method, "http://test" + path)
    body = assert_problem(response, 405)
    assert body["title"] == "Method Not Allowed"


# Malformed bodies


@pytest.mark.parametrize(
    "content", [b'{"title": ', b"{'title': 'x'}", b'{"title": "x",}', b"\xff\xfe", b"nul\x00l"],
    ids=["truncated", "single-quotes", "trailing-comma", "not-utf8", "nul"],
)
async def test_malformed_json_is_422_naming_the_body(client, content):
    response = await client.post("/cases", content=content, headers={"Content-Type": "application/json"})
    assert_problem(response, 422, "body")
    assert (await client.get("/cases")).json()["items"] == []


@pytest.mark.parametrize("content", [b"[]", b'"title"', b"null", b"42"], ids=["array", "string", "null", "number"])
async def test_json_that_is_not_an_object_is_422(client, content):
    response = await client.post("/cases", content=content, headers={"Content-Type": "application/json"})
    assert_problem(response, 422)


async def test_missing_body_is_422(client):
    assert_problem(await client.post("/cases", headers={"Content-Type": "application/json"}), 422, "body")


# 413: the body limit


def case_body_of(size: int) -> bytes:
    """A valid case as JSON of exactly `size` bytes."""
    metadata: dict[str, str] = {}
    body = {"title": "Large", "description": "", "metadata": metadata}

    def encoded() -> bytes:
        return json.dumps(body, separators=(",", ":")).encode()

    while size - len(encoded()) > 30_000:
        metadata[f"k{len(metadata)}"] = "x" * 10_000
    body["description"] = "d" * (size - len(encoded()))
    data = encoded()
    assert len(data) == size
    return data


async def chunks_of(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


JSON = {"Content-Type": "application/json"}


async def test_body_at_the_limit_is_accepted(client, settings):
    response = await client.post("/cases", content=case_body_of(settings.max_body_bytes), headers=JSON)
    assert response.status_code == 201, response.text
    assert response.request.headers["content-length"] == str(settings.max_body_bytes)


async def test_body_over_the_limit_is_413_and_nothing_is_written(client, settings):
    response = await client.post("/cases", content=case_body_of(settings.max_body_bytes + 1), headers=JSON)
    assert response.request.headers["content-length"] == str(settings.max_body_bytes + 1)
    body = assert_problem(response, 413)
    assert str(settings.max_body_bytes) in body["detail"]
    assert (await client.get("/cases")).json()["items"] == []


async def test_chunked_body_over_the_limit_is_413_and_nothing_is_written(client, settings):
    response = await client.post("/cases", content=chunks_of(case_body_of(settings.max_body_bytes + 1)), headers=JSON)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)
    assert (await client.get("/cases")).json()["items"] == []


async def test_chunked_body_within_the_limit_is_accepted_whole(client, settings):
    data = case_body_of(settings.max_body_bytes)
    response = await client.post("/cases", content=chunks_of(data), headers=JSON)
    assert "content-length" not in response.request.headers
    assert response.status_code == 201, response.text
    assert response.json()["description"] == json.loads(data)["description"]
    assert response.json()["metadata"] == json.loads(data)["metadata"]


async def test_oversized_patch_changes_nothing(client, settings):
    case = (await client.post("/cases", json={"title": "Keep"})).json()
    data = case_body_of(settings.max_body_bytes + 1)
    response = await client.patch(f"/cases/{case['id']}", content=data, headers=JSON)
    assert_problem(response, 413)
    after = (await client.get(f"/cases/{case['id']}")).json()
    assert (after["title"], after["version"]) == ("Keep", case["version"])


async def test_oversized_body_is_refused_before_authentication(anonymous, settings):
    response = await anonymous.post("/api/v1/cases", content=case_body_of(settings.max_body_bytes + 1), headers=JSON)
    assert_problem(response, 413)


# 429: the rate limit


def assert_rate_limited(response: httpx.Response) -> int:
    assert_problem(response, 429)
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    assert int(retry_after) >= 1
    return int(retry_after)


async def test_token_over_its_rate_limit_gets_429_with_retry_after(client, tenant):
    limited = tenant.add_member("agent", rate_limit="3/minute")
    for _ in range(3):
        assert (await client.get("/cases", headers=limited.headers)).status_code == 200
    refused = await client.post("/cases", json={"title": "One too many"}, headers=limited.headers)
    assert assert_rate_limited(refused) <= 60
    assert (await client.get("/cases")).json()["items"] == []


async def test_another_token_is_unaffected_by_a_throttled_one(client, tenant):
    limited = tenant.add_member("agent", rate_limit="2/minute")
    for _ in range(2):
        await client.get("/me", headers=limited.headers)
    assert_rate_limited(await client.get("/me", headers=limited.headers))

    second = await client.post("/tokens", json={"user_id": str(limited.id), "rate_limit": "2/minute"})
    assert second.status_code == 201, second.text
    assert (await client.get("/me", headers=bearer(second.json()["token"]))).status_code == 200
    assert (await client.get("/me")).status_code == 200


async def test_rate_limit_set_through_the_api_is_enforced(client):
    created = await client.post("/tokens", json={"rate_limit": "2 per minute"})
    assert created.status_code == 201, created.text
    headers = bearer(created.json()["token"])
    assert (await client.get("/cases", headers=headers)).status_code == 200
    assert (await client.get("/cases", headers=headers)).status_code == 200
    assert_rate_limited(await client.get("/cases", headers=headers))


async def test_server_default_rate_limit_applies_to_tokens_without_their_own(db, tenant: Tenant, tmp_path):
    app = create_app(Settings(data_dir=tmp_path, rate_limit="2/minute"), db)
    generous = tenant.add_member("agent", rate_limit="5/minute")
    async with api_client(app, tenant.admin.headers) as client:
        assert (await client.get("/cases")).status_code == 200
        assert (await client.get("/cases")).status_code == 200
        assert_rate_limited(await client.post("/cases", json={"title": "Over"}))
        for _ in range(3):
            assert (await client.get("/cases", headers=generous.headers)).status_code == 200
        assert (await client.get("/cases", headers=generous.headers)).json()["items"] == []


# Health and documentation


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_health_endpoints_answer_ok_without_a_token(anonymous, path):
    response = await anonymous.get(path)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok"}


async def test_openapi_documents_the_native_api(anonymous):
    response = await anonymous.get("/openapi.json")
    assert response.status_code == 200, response.text
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases"])
    for path in ("/api/v1/cases/{ref}", "/api/v1/projects", "/api/v1/users", "/api/v1/tokens", "/api/v1/me"):
        assert path in paths


async def test_docs_are_served_as_html(anonymous):
    response = await anonymous.get("/docs")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "openapi.json" in response.text
