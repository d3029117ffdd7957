"""/api/v1/oauth-clients: admins make, list and revoke a workspace's OAuth clients."""

import pytest

from casework.oauth import service
from tests.helpers import assert_problem, assert_same_not_found
from tests.oauth.support import access_token, new_client


async def test_created_client_shows_its_secret_once_and_is_listed_without_it(client, tenant):
    created = await new_client(client, ["cases:read"], name="Talkdesk sync")
    assert created["client_id"].startswith("cwc_") and created["client_secret"].startswith("cwcs_")
    assert (created["name"], created["scopes"], created["revoked_at"]) == ("Talkdesk sync", ["cases:read"], None)
    assert created["user_id"] == created["created_by"] == str(tenant.admin.id)

    listed = (await client.get("/oauth-clients")).json()
    assert listed == [{k: v for k, v in created.items() if k != "client_secret"}]


async def test_client_acts_as_the_named_user_with_that_users_role(client, tenant, anonymous):
    viewer = tenant.add_member("viewer")
    created = await new_client(client, ["cases:read", "cases:write"], user_id=str(viewer.id))
    assert (created["user_id"], created["created_by"]) == (str(viewer.id), str(tenant.admin.id))

    headers = {"Authorization": f"Bearer {await access_token(anonymous, created)}"}
    me = (await anonymous.get("/api/v1/me", headers=headers)).json()
    assert (me["user"]["id"], me["user"]["role"]) == (str(viewer.id), "viewer")
    assert_problem(await anonymous.post("/api/v1/cases", json={"title": "No"}, headers=headers), 403)


async def test_the_admin_scope_is_only_for_clients_acting_as_admins(client, tenant):
    agent = tenant.add_member("agent")
    refused = await client.post("/oauth-clients", json={"name": "x", "scopes": ["admin"], "user_id": str(agent.id)})
    assert_problem(refused, 422, "scopes")
    assert (await client.get("/oauth-clients")).json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["cases:delete"]}, "scopes.0"),
        ({"name": "x", "scopes": ["cases:read", "cases:read"]}, "scopes"),
        ({"name": " ", "scopes": ["cases:read"]}, "name"),
        ({"name": "x", "scopes": ["cases:read"], "secret": "mine"}, "secret"),
    ],
)
async def test_invalid_client_fields_are_refused_naming_the_field(client, body, field):
    assert_problem(await client.post("/oauth-clients", json=body), 422, field)
    assert (await client.get("/oauth-clients")).json() == []


async def test_only_admins_make_list_and_revoke_clients(client, tenant):
    created = await new_client(client)
    manager = tenant.add_member("manager")
    assert_problem(await client.post("/oauth-clients", json={"name": "x", "scopes": ["cases:read"]}, headers=manager.headers), 403)
    assert_problem(await client.get("/oauth-clients", headers=manager.headers), 403)
    assert_problem(await client.delete(f"/oauth-clients/{created['id']}", headers=manager.headers), 403)
    assert (await client.get("/oauth-clients")).json()[0]["revoked_at"] is None


async def test_revoking_is_idempotent_and_another_workspaces_client_is_not_found(client, other_client):
    created = await new_client(client)
    first = await client.delete(f"/oauth-clients/{created['id']}")
    assert first.status_code == 200 and first.json()["revoked_at"] is not None
    again = await client.delete(f"/oauth-clients/{created['id']}")
    assert again.json()["revoked_at"] == first.json()["revoked_at"]

    foreign = await new_client(other_client)
    unknown = "01a23b43-0000-7000-8000-000000000000"
    assert_same_not_found(
        await client.delete(f"/oauth-clients/{foreign['id']}"), foreign["id"],
        await client.delete(f"/oauth-clients/{unknown}"), unknown,
    )
    assert (await other_client.get("/oauth-clients")).json()[0]["revoked_at"] is None


async def test_active_clients_per_workspace_are_capped_and_revoked_ones_do_not_count(client, monkeypatch):
    monkeypatch.setattr(service, "MAX_ACTIVE_CLIENTS", 2)
    first = await new_client(client)
    await new_client(client)
    assert_problem(await client.post("/oauth-clients", json={"name": "x", "scopes": ["cases:read"]}), 422, "oauth_clients")
    await client.delete(f"/oauth-clients/{first['id']}")
    await new_client(client)
    assert len((await client.get("/oauth-clients")).json()) == 3
