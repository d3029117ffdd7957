"""Users of a workspace: admins create and change them; a workspace always keeps an active admin."""

import asyncio
import uuid

import httpx
import pytest

from tests.conftest import make_tenant
from tests.helpers import api_client, assert_problem, assert_same_not_found, assert_unauthenticated


async def create_user(client: httpx.AsyncClient, **body) -> dict:
    payload = {"email": f"user-{uuid.uuid4().hex[:8]}@example.com", "name": "Dana Scully", **body}
    response = await client.post("/users", json=payload)
    assert response.status_code == 201, response.text
    return response.json()


async def user_ids(client: httpx.AsyncClient) -> set[str]:
    response = await client.get("/users")
    assert response.status_code == 200, response.text
    return {u["id"] for u in response.json()}


# Creating


async def test_admin_creates_a_user(client):
    created = await create_user(client, email="dana@example.com", name="Dana Scully", role="reviewer")
    assert created["email"] == "dana@example.com"
    assert created["name"] == "Dana Scully"
    assert created["role"] == "reviewer"
    assert created["active"] is True
    uuid.UUID(created["id"])
    fetched = await client.get(f"/users/{created['id']}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == created


async def test_a_new_user_is_an_agent_unless_told(client):
    assert (await create_user(client))["role"] == "agent"


@pytest.mark.parametrize("role", ["admin", "manager", "agent", "reviewer", "viewer"])
async def test_each_role_can_be_given(client, role):
    assert (await create_user(client, role=role))["role"] == role


async def test_email_is_stored_in_lower_case(client):
    assert (await create_user(client, email="Fox.Mulder@Example.COM"))["email"] == "fox.mulder@example.com"


async def test_duplicate_email_is_a_conflict(client):
    await create_user(client, email="dup@example.com")
    before = await user_ids(client)
    assert_problem(await client.post("/users", json={"email": "dup@example.com", "name": "Again"}), 409)
    assert await user_ids(client) == before


async def test_duplicate_email_in_another_case_is_a_conflict(client):
    await create_user(client, email="dup@example.com")
    assert_problem(await client.post("/users", json={"email": "DUP@example.com", "name": "Again"}), 409)


async def test_the_same_email_may_exist_in_another_workspace(client, db):
    theirs = make_tenant(db).add_member("agent")
    created = await create_user(client, email=theirs.email)
    assert created["email"] == theirs.email


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "name": "X"}, "email"),
        ({"email": "a@", "name": "X"}, "email"),
        ({"name": "X"}, "email"),
        ({"email": "ok@example.com"}, "name"),
        ({"email": "ok@example.com", "name": "   "}, "name"),
        ({"email": "ok@example.com", "name": "x" * 161}, "name"),
        ({"email": "ok@example.com", "name": "X", "role": "superuser"}, "role"),
        ({"email": "ok@example.com", "name": "X", "role": "Admin"}, "role"),
        ({"email": "ok@example.com", "name": "X", "password": "hunter2"}, "password"),
        ({"email": "ok@example.com", "name": "X", "active": False}, "active"),
    ],
    ids=["bad-email", "half-email", "no-email", "no-name", "blank-name", "long-name", "unknown-role",
         "capitalised-role", "unknown-field", "active-on-create"],
)
async def test_bad_user_input_is_rejected_naming_the_field(client, body, field):
    before = await user_ids(client)
    assert_problem(await client.post("/users", json=body), 422, field)
    assert await user_ids(client) == before


# Reading


async def test_users_list_holds_exactly_the_workspaces_users(client, tenant, db):
    make_tenant(db)  # someone else's workspace, with its own admin
    agent = tenant.add_member("agent")
    created = await create_user(client)
    assert await user_ids(client) == {str(tenant.admin.id), str(agent.id), created["id"]}


async def test_an_unknown_user_is_not_found(client):
    assert_problem(await client.get(f"/users/{uuid.uuid4()}"), 404)
    assert_problem(await client.patch(f"/users/{uuid.uuid4()}", json={"name": "X"}), 404)


async def test_me_describes_the_caller_and_the_token(client, tenant):
    reader = tenant.add_member("reviewer", ["cases:read"])
    me = await client.get("/me", headers=reader.headers)
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["user"]["id"] == str(reader.id)
    assert body["user"]["email"] == reader.email
    assert body["user"]["role"] == "reviewer"
    assert body["workspace_id"] == str(tenant.workspace_id)
    assert body["scopes"] == ["cases:read"]
    tokens = (await client.get("/tokens", params={"user_id": str(reader.id)})).json()
    assert body["token_id"] == tokens[0]["id"]


async def test_me_tells_tokens_of_one_user_apart(client, tenant):
    second = await client.post("/tokens", json={"scopes": ["cases:read"]})
    assert second.status_code == 201, second.text
    via_second = (await client.get("/me", headers={"Authorization": f"Bearer {second.json()['token']}"})).json()
    via_first = (await client.get("/me")).json()
    assert via_second["token_id"] == second.json()["id"]
    assert via_first["token_id"] != via_second["token_id"]
    assert via_first["user"] == via_second["user"]
    assert sorted(via_first["scopes"]) == ["admin", "cases:read", "cases:write"]


# Changing


async def test_admin_renames_a_user(client):
    user = await create_user(client, name="Old Name")
    changed = await client.patch(f"/users/{user['id']}", json={"name": "New Name"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "New Name"
    assert (await client.get(f"/users/{user['id']}")).json()["name"] == "New Name"


async def test_admin_changes_a_users_role(client, tenant):
    agent = tenant.add_member("agent")
    changed = await client.patch(f"/users/{agent.id}", json={"role": "manager"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "manager"
    case = (await client.post("/cases", json={"title": "X"})).json()
    assert (await client.delete(f"/cases/{case['id']}", headers=agent.headers)).status_code == 204


async def test_deactivated_user_is_locked_out_and_reactivated_user_is_let_back_in(client, tenant):
    agent = tenant.add_member("agent")
    off = await client.patch(f"/users/{agent.id}", json={"active": False})
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    assert_unauthenticated(await client.get("/me", headers=agent.headers))

    on = await client.patch(f"/users/{agent.id}", json={"active": True})
    assert on.status_code == 200, on.text
    assert (await client.get("/me", headers=agent.headers)).status_code == 200


async def test_a_patch_changes_only_the_fields_it_names(client):
    user = await create_user(client, name="Keep Me", role="reviewer")
    changed = (await client.patch(f"/users/{user['id']}", json={"active": False})).json()
    assert (changed["name"], changed["role"], changed["email"]) == ("Keep Me", "reviewer", user["email"])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"role": "owner"}, "role"),
        ({"name": ""}, "name"),
        ({"active": "maybe"}, "active"),
        ({"email": "new@example.com"}, "email"),
        ({"workspace_id": str(uuid.uuid4())}, "workspace_id"),
    ],
    ids=["unknown-role", "blank-name", "bad-active", "email-is-fixed", "workspace-is-fixed"],
)
async def test_bad_user_change_is_rejected_naming_the_field(client, body, field):
    user = await create_user(client)
    assert_problem(await client.patch(f"/users/{user['id']}", json=body), 422, field)
    assert (await client.get(f"/users/{user['id']}")).json() == user


# The last active admin


async def test_the_last_active_admin_cannot_be_demoted(client, tenant):
    body = assert_problem(await client.patch(f"/users/{tenant.admin.id}", json={"role": "manager"}), 409)
    assert "admin" in body["detail"]
    assert (await client.get(f"/users/{tenant.admin.id}")).json()["role"] == "admin"


async def test_the_last_active_admin_cannot_be_deactivated(client, tenant):
    assert_problem(await client.patch(f"/users/{tenant.admin.id}", json={"active": False}), 409)
    assert (await client.get("/me")).status_code == 200


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, db):
    for _round in range(5):
        workspace = make_tenant(db)
        first, second = workspace.admin, workspace.add_member("admin")
        async with api_client(app, first.headers) as as_first, api_client(app, second.headers) as as_second:
            results = await asyncio.gather(
                as_first.patch(f"/users/{second.id}", json={"role": "agent"}),
                as_second.patch(f"/users/{first.id}", json={"role": "agent"}),
            )
            assert sorted(r.status_code for r in results) in ([200, 403], [200, 409]), [r.text for r in results]
            users = (await (as_first if results[0].status_code == 200 else as_second).get("/users")).json()
        assert len([u for u in users if u["role"] == "admin" and u["active"]]) == 1


async def test_an_admin_can_step_down_when_another_active_admin_remains(client, tenant):
    second = tenant.add_member("admin")
    demoted = await client.patch(f"/users/{tenant.admin.id}", json={"role": "agent"})
    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["role"] == "agent"
    # the remaining admin is now the last one
    response = await client.patch(f"/users/{second.id}", json={"active": False}, headers=second.headers)
    assert_problem(response, 409)


async def test_an_admin_can_be_deactivated_when_another_active_admin_remains(client, tenant):
    second = tenant.add_member("admin")
    off = await client.patch(f"/users/{second.id}", json={"active": False})
    assert off.status_code == 200, off.text
    assert_problem(await client.get("/me", headers=second.headers), 401)


async def test_an_inactive_admin_does_not_count_as_the_remaining_admin(client, tenant):
    second = tenant.add_member("admin")
    assert (await client.patch(f"/users/{second.id}", json={"active": False})).status_code == 200
    assert_problem(await client.patch(f"/users/{tenant.admin.id}", json={"role": "viewer"}), 409)
    assert_problem(await client.patch(f"/users/{tenant.admin.id}", json={"active": False}), 409)


async def test_an_inactive_admin_can_be_demoted_while_one_active_admin_remains(client, tenant):
    second = tenant.add_member("admin")
    assert (await client.patch(f"/users/{second.id}", json={"active": False})).status_code == 200
    demoted = await client.patch(f"/users/{second.id}", json={"role": "viewer"})
    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["role"] == "viewer"


async def test_demoting_to_admin_again_is_not_a_loss(client, tenant):
    unchanged = await client.patch(f"/users/{tenant.admin.id}", json={"role": "admin", "active": True})
    assert unchanged.status_code == 200, unchanged.text


async def test_another_workspaces_admins_do_not_count(client, tenant, db):
    make_tenant(db)
    assert_problem(await client.patch(f"/users/{tenant.admin.id}", json={"role": "agent"}), 409)


# Permissions


@pytest.mark.parametrize("role", ["manager", "agent", "reviewer", "viewer"])
async def test_non_admins_cannot_create_users(client, tenant, role):
    member = tenant.add_member(role)
    before = await user_ids(client)
    response = await client.post("/users", json={"email": "x@example.com", "name": "X"}, headers=member.headers)
    assert_problem(response, 403)
    assert await user_ids(client) == before


@pytest.mark.parametrize("role", ["manager", "agent", "reviewer", "viewer"])
async def test_non_admins_cannot_change_users(client, tenant, role):
    member = tenant.add_member(role)
    assert_problem(await client.patch(f"/users/{member.id}", json={"role": "admin"}, headers=member.headers), 403)
    assert (await client.get(f"/users/{member.id}")).json()["role"] == role


async def test_an_admin_without_the_admin_scope_cannot_create_users(client, tenant):
    admin = tenant.add_member("admin", ["cases:read", "cases:write"])
    response = await client.post("/users", json={"email": "x@example.com", "name": "X"}, headers=admin.headers)
    assert "admin" in assert_problem(response, 403)["detail"]


# Other workspaces


async def test_another_workspaces_user_is_not_found_like_an_unknown_one(client, other):
    unknown = uuid.uuid4()
    foreign = await client.get(f"/users/{other.admin.id}")
    control = await client.get(f"/users/{unknown}")
    assert_same_not_found(foreign, other.admin.id, control, unknown)


async def test_another_workspaces_user_cannot_be_changed(client, other):
    unknown = uuid.uuid4()
    foreign = await client.patch(f"/users/{other.admin.id}", json={"active": False})
    control = await client.patch(f"/users/{unknown}", json={"active": False})
    assert_same_not_found(foreign, other.admin.id, control, unknown)
    assert (await client.get("/me", headers=other.admin.headers)).status_code == 200


async def test_another_workspaces_user_cannot_be_assigned_a_case(client, other):
    response = await client.post("/cases", json={"title": "X", "assignees": [str(other.admin.id)]})
    assert_problem(response, 422, "assignees")
