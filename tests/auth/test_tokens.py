"""API tokens: a secret shown once and stored only as its SHA-256, with scopes, expiry, revocation and rate limits."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import inspect, select

from casework.auth.models import ApiToken
from casework.auth.service import authenticate
from casework.errors import Unauthenticated
from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_same_not_found, assert_unauthenticated, bearer


async def create_token(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **body) -> dict:
    response = await client.post("/tokens", json={"name": "ci", **body}, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()


def stored_token(db, token_id: str) -> ApiToken:
    return db.run_sync(lambda s: s.scalar(select(ApiToken).where(ApiToken.id == uuid.UUID(token_id))), write=False)


async def tokens_of(client: httpx.AsyncClient, user_id: object) -> dict[str, dict]:
    response = await client.get("/tokens", params={"user_id": str(user_id)})
    assert response.status_code == 200, response.text
    return {t["id"]: t for t in response.json()}


# The secret


async def test_created_token_is_returned_with_its_secret_and_works(client, tenant):
    created = await create_token(client, scopes=["cases:read"])
    assert created["token"].startswith(created["prefix"])
    assert created["user_id"] == str(tenant.admin.id)
    assert created["name"] == "ci"
    me = await client.get("/me", headers=bearer(created["token"]))
    assert me.status_code == 200, me.text
    assert me.json()["token_id"] == created["id"]


async def test_token_listing_never_shows_the_secret(client, tenant):
    created = await create_token(client)
    listed = await client.get("/tokens")
    assert listed.status_code == 200, listed.text
    assert created["id"] in {t["id"] for t in listed.json()}
    assert all("token" not in t for t in listed.json())
    assert created["token"] not in listed.text
    assert tenant.admin.token not in listed.text


async def test_revoke_response_does_not_show_the_secret(client):
    created = await create_token(client)
    revoked = await client.delete(f"/tokens/{created['id']}")
    assert revoked.status_code == 200, revoked.text
    assert "token" not in revoked.json()
    assert created["token"] not in revoked.text


async def test_only_the_sha256_of_the_secret_is_stored(client, db):
    created = await create_token(client)
    secret = created["token"]
    row = stored_token(db, created["id"])
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    for column in inspect(ApiToken).columns:
        value = getattr(row, column.key)
        assert secret not in str(value), f"the column {column.key} holds the secret"


async def test_each_token_gets_a_distinct_secret(client):
    first, second = await create_token(client), await create_token(client)
    assert first["token"] != second["token"]
    assert first["id"] != second["id"]


# Scopes


async def test_token_carries_exactly_the_requested_scopes(client):
    created = await create_token(client, scopes=["cases:read"])
    assert created["scopes"] == ["cases:read"]
    me = (await client.get("/me", headers=bearer(created["token"]))).json()
    assert me["scopes"] == ["cases:read"]
    refused = await client.post("/cases", json={"title": "X"}, headers=bearer(created["token"]))
    assert_problem(refused, 403)


async def test_token_scopes_default_to_reading_and_writing_cases(client):
    created = await create_token(client)
    assert sorted(created["scopes"]) == ["cases:read", "cases:write"]
    made = await client.post("/cases", json={"title": "X"}, headers=bearer(created["token"]))
    assert made.status_code == 201, made.text


@pytest.mark.parametrize("scopes", [[], ["cases:delete"], ["root"], "cases:read"], ids=["empty", "unknown", "root", "string"])
async def test_scopes_must_be_a_non_empty_list_of_known_scopes(client, scopes):
    response = await client.post("/tokens", json={"scopes": scopes})
    body = assert_problem(response, 422)
    assert all(e["field"].split(".")[0] == "scopes" for e in body["errors"]), body


async def test_a_token_cannot_grant_a_scope_its_creator_lacks(client, tenant):
    reader = tenant.add_member("agent", ["cases:read"])
    before = set(await tokens_of(client, reader.id))
    body = assert_problem(await client.post("/tokens", json={"scopes": ["cases:write"]}, headers=reader.headers), 403)
    assert "scope" in body["detail"]
    assert set(await tokens_of(client, reader.id)) == before


async def test_an_admin_token_without_the_admin_scope_cannot_mint_the_admin_scope(client, tenant):
    admin = tenant.add_member("admin", ["cases:read", "cases:write"])
    assert_problem(await client.post("/tokens", json={"scopes": ["admin"]}, headers=admin.headers), 403)


async def test_a_token_can_narrow_its_creators_scopes(client, tenant):
    agent = tenant.add_member("agent")
    created = await create_token(client, agent.headers, scopes=["cases:read"])
    assert created["scopes"] == ["cases:read"]
    assert created["user_id"] == str(agent.id)


async def test_admin_scope_is_only_for_admin_role_users(client, tenant):
    agent = tenant.add_member("agent")
    before = await tokens_of(client, agent.id)
    response = await client.post("/tokens", json={"user_id": str(agent.id), "scopes": ["admin", "cases:read"]})
    assert_problem(response, 422, "scopes")
    assert await tokens_of(client, agent.id) == before


async def test_admin_scope_can_be_granted_to_another_admin(client, tenant):
    other_admin = tenant.add_member("admin")
    created = await create_token(client, user_id=str(other_admin.id), scopes=["admin"])
    assert created["scopes"] == ["admin"]
    users = await client.get("/users", headers=bearer(created["token"]))
    assert_problem(users, 403)  # the admin scope alone does not read the workspace
    made = await client.post(
        "/users", json={"email": "via-admin-scope@example.com", "name": "X"}, headers=bearer(created["token"])
    )
    assert made.status_code == 201, made.text


# Expiry


async def test_token_with_a_future_expiry_works_and_reports_it(client):
    expires = datetime.now(UTC) + timedelta(days=30)
    created = await create_token(client, expires_at=expires.isoformat())
    assert datetime.fromisoformat(created["expires_at"]) == expires
    assert (await client.get("/me", headers=bearer(created["token"]))).status_code == 200
    listed = (await client.get("/tokens")).json()
    assert [t["expires_at"] for t in listed if t["id"] == created["id"]] == [created["expires_at"]]


async def test_expiry_in_another_timezone_means_the_same_instant(client):
    expires = datetime(2999, 1, 1, 12, 0, tzinfo=UTC)
    created = await create_token(client, expires_at="2999-01-01T14:00:00+02:00")
    assert datetime.fromisoformat(created["expires_at"]) == expires


async def test_token_past_its_expiry_is_refused(client, tenant):
    expired = tenant.add_member("agent", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert_unauthenticated(await client.get("/me", headers=expired.headers))


async def test_token_with_a_past_expiry_is_refused_and_not_created(client):
    before = (await client.get("/tokens")).json()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert_problem(await client.post("/tokens", json={"expires_at": past}), 422, "expires_at")
    assert (await client.get("/tokens")).json() == before


async def test_token_past_its_expiry_stops_working(client, tenant):
    soon_past = datetime.now(UTC) - timedelta(seconds=1)
    expired = tenant.add_member("agent", expires_at=soon_past)
    assert_problem(await client.get("/me", headers=expired.headers), 401)


async def test_token_for_a_deactivated_user_is_refused(client, tenant):
    agent = tenant.add_member("agent")
    assert (await client.patch(f"/users/{agent.id}", json={"active": False})).status_code == 200
    assert_problem(await client.post("/tokens", json={"user_id": str(agent.id)}), 422, "user_id")


async def test_expiry_without_a_timezone_is_rejected(client):
    assert_problem(await client.post("/tokens", json={"expires_at": "2999-01-01T00:00:00"}), 422, "expires_at")


# Revocation


async def test_revoked_token_stops_working_at_once(client):
    created = await create_token(client)
    headers = bearer(created["token"])
    assert (await client.get("/cases", headers=headers)).status_code == 200

    revoked = await client.delete(f"/tokens/{created['id']}")

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert_problem(await client.get("/cases", headers=headers), 401)
    assert_problem(await client.post("/cases", json={"title": "X"}, headers=headers), 401)


async def test_a_token_can_revoke_itself(client):
    created = await create_token(client)
    headers = bearer(created["token"])
    assert (await client.delete(f"/tokens/{created['id']}", headers=headers)).status_code == 200
    assert_problem(await client.get("/me", headers=headers), 401)


async def test_revoking_leaves_the_users_other_tokens_working(client, tenant):
    first, second = await create_token(client), await create_token(client)
    assert (await client.delete(f"/tokens/{first['id']}")).status_code == 200
    assert (await client.get("/me", headers=bearer(second["token"]))).status_code == 200
    assert (await client.get("/me")).status_code == 200


async def test_revoking_twice_keeps_the_first_revocation_time(client):
    created = await create_token(client)
    first = await client.delete(f"/tokens/{created['id']}")
    second = await client.delete(f"/tokens/{created['id']}")
    assert second.status_code == 200, second.text
    assert second.json()["revoked_at"] == first.json()["revoked_at"]


async def test_listing_shows_revoked_tokens_as_revoked(client):
    created = await create_token(client)
    await client.delete(f"/tokens/{created['id']}")
    listed = {t["id"]: t for t in (await client.get("/tokens")).json()}
    assert listed[created["id"]]["revoked_at"] is not None


def test_a_token_expiring_exactly_now_is_refused(tenant):
    expires = datetime(2999, 1, 1, 12, 0, tzinfo=UTC)
    member = tenant.add_member("agent", expires_at=expires)
    just_before = expires - timedelta(microseconds=1)
    allowed = tenant.db.run_sync(lambda s: authenticate(s, member.token, now=just_before), write=False)
    assert allowed.actor.user_id == member.id
    for now in (expires, expires + timedelta(microseconds=1)):
        with pytest.raises(Unauthenticated) as refused:
            tenant.db.run_sync(lambda s: authenticate(s, member.token, now=now), write=False)  # noqa: B023
        assert refused.value.detail == "the API token has expired"


async def test_revoking_an_unknown_token_is_not_found(client):
    assert_problem(await client.delete(f"/tokens/{uuid.uuid4()}"), 404)


# Last use


async def test_last_used_at_is_set_once_the_token_is_used(client, app):
    created = await create_token(client)
    assert created["last_used_at"] is None
    assert (await tokens_of(client, created["user_id"]))[created["id"]]["last_used_at"] is None

    assert (await client.get("/cases", headers=bearer(created["token"]))).status_code == 200
    # Written off the request path, by the app's periodic flush.
    await app.state.token_usage.flush(app.state.db)

    used = (await tokens_of(client, created["user_id"]))[created["id"]]["last_used_at"]
    assert used is not None
    assert datetime.fromisoformat(used) >= datetime.fromisoformat(created["created_at"])


async def test_last_used_at_is_not_set_by_a_refused_token(client, db, app):
    created = await create_token(client)
    await client.delete(f"/tokens/{created['id']}")
    assert_problem(await client.get("/cases", headers=bearer(created["token"])), 401)
    await app.state.token_usage.flush(app.state.db)
    assert stored_token(db, created["id"]).last_used_at is None


# Whose tokens


async def test_admin_creates_a_token_for_another_user_of_the_workspace(client, tenant):
    agent = tenant.add_member("agent")
    created = await create_token(client, user_id=str(agent.id), scopes=["cases:read"])
    assert created["user_id"] == str(agent.id)
    me = (await client.get("/me", headers=bearer(created["token"]))).json()
    assert me["user"]["id"] == str(agent.id)


async def test_admin_lists_any_users_tokens(client, tenant):
    agent = tenant.add_member("agent")
    mine = await create_token(client)
    theirs = await tokens_of(client, agent.id)
    assert theirs and all(t["user_id"] == str(agent.id) for t in theirs.values())
    everyone = {t["id"] for t in (await client.get("/tokens")).json()}
    assert set(theirs) | {mine["id"]} <= everyone


async def test_admin_revokes_another_users_token(client, tenant):
    agent = tenant.add_member("agent")
    (token_id,) = await tokens_of(client, agent.id)
    assert (await client.delete(f"/tokens/{token_id}")).status_code == 200
    assert_problem(await client.get("/me", headers=agent.headers), 401)


async def test_users_create_list_and_revoke_their_own_tokens(client, tenant):
    agent = tenant.add_member("agent")
    created = await create_token(client, agent.headers)
    listed = await client.get("/tokens", headers=agent.headers)
    assert created["id"] in {t["id"] for t in listed.json()}
    assert (await client.delete(f"/tokens/{created['id']}", headers=agent.headers)).status_code == 200
    assert_problem(await client.get("/me", headers=bearer(created["token"])), 401)


async def test_users_cannot_create_tokens_for_others(client, tenant):
    agent, colleague = tenant.add_member("agent"), tenant.add_member("agent")
    before = await tokens_of(client, colleague.id)
    response = await client.post("/tokens", json={"user_id": str(colleague.id)}, headers=agent.headers)
    assert_problem(response, 403)
    assert await tokens_of(client, colleague.id) == before


async def test_users_cannot_revoke_others_tokens(client, tenant):
    agent, colleague = tenant.add_member("agent"), tenant.add_member("agent")
    (token_id,) = await tokens_of(client, colleague.id)
    assert_problem(await client.delete(f"/tokens/{token_id}", headers=agent.headers), 403)
    assert (await client.get("/me", headers=colleague.headers)).status_code == 200


async def test_users_cannot_list_others_tokens(client, tenant):
    agent = tenant.add_member("agent")
    assert_problem(await client.get("/tokens", params={"user_id": str(tenant.admin.id)}, headers=agent.headers), 403)


async def test_naming_yourself_as_owner_is_allowed_for_non_admins(client, tenant):
    agent = tenant.add_member("agent")
    created = await create_token(client, agent.headers, user_id=str(agent.id))
    assert created["user_id"] == str(agent.id)


async def test_token_for_an_unknown_user_is_not_found(client):
    assert_problem(await client.post("/tokens", json={"user_id": str(uuid.uuid4())}), 404)


# Rate limit


async def test_rate_limit_is_stored_on_the_token(client):
    created = await create_token(client, rate_limit="3/minute")
    assert created["rate_limit"] == "3/minute"
    listed = {t["id"]: t for t in (await client.get("/tokens")).json()}
    assert listed[created["id"]]["rate_limit"] == "3/minute"


async def test_rate_limit_defaults_to_the_servers(client):
    assert (await create_token(client))["rate_limit"] is None


@pytest.mark.parametrize(
    "rate_limit",
    ["lots", "", "5/fortnight", "abc/minute", "-1/minute", "0/minute", "5/minute;10/hour", "1" * 35 + "/minute"],
)
async def test_bad_rate_limit_is_rejected_naming_the_field(client, rate_limit):
    before = await client.get("/tokens")
    assert_problem(await client.post("/tokens", json={"rate_limit": rate_limit}), 422, "rate_limit")
    assert (await client.get("/tokens")).json() == before.json()


# Input


@pytest.mark.parametrize(
    "body, field",
    [
        ({"secret": "mine"}, "secret"),
        ({"token_hash": "0" * 64}, "token_hash"),
        ({"name": ""}, "name"),
        ({"name": "x" * 161}, "name"),
        ({"user_id": "not-a-uuid"}, "user_id"),
    ],
    ids=["secret", "token_hash", "blank-name", "long-name", "bad-user-id"],
)
async def test_bad_token_input_is_rejected_naming_the_field(client, body, field):
    assert_problem(await client.post("/tokens", json=body), 422, field)


# Other workspaces


async def test_another_workspaces_token_cannot_be_revoked_and_looks_unknown(client, other):
    (foreign_id,) = await tokens_of_other(client, other)
    unknown = uuid.uuid4()
    foreign = await client.delete(f"/tokens/{foreign_id}")
    control = await client.delete(f"/tokens/{unknown}")
    assert_same_not_found(foreign, foreign_id, control, unknown)
    assert (await client.get("/me", headers=other.admin.headers)).status_code == 200


async def tokens_of_other(client: httpx.AsyncClient, other: Tenant) -> list[str]:
    response = await client.get("/tokens", headers=other.admin.headers)
    return [t["id"] for t in response.json()]


async def test_token_for_another_workspaces_user_is_refused_as_unknown(client, other):
    unknown = uuid.uuid4()
    foreign = await client.post("/tokens", json={"user_id": str(other.admin.id)})
    control = await client.post("/tokens", json={"user_id": str(unknown)})
    assert_same_not_found(foreign, other.admin.id, control, unknown)
    assert len(await tokens_of_other(client, other)) == 1


async def test_listing_another_workspaces_users_tokens_shows_nothing(client, other):
    foreign = await client.get("/tokens", params={"user_id": str(other.admin.id)})
    control = await client.get("/tokens", params={"user_id": str(uuid.uuid4())})
    assert foreign.status_code == control.status_code == 200
    assert foreign.json() == control.json() == []


async def test_token_listing_never_shows_another_workspaces_tokens(client, tenant, other):
    listed = await client.get("/tokens")
    assert {t["user_id"] for t in listed.json()} == {str(tenant.admin.id)}
