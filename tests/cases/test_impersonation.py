"""Integration tokens with the scope cases:impersonate write cases and comments for another user of the workspace."""

import uuid

import pytest

from tests.helpers import activity, api_client, assert_problem, bearer, create

IMPERSONATING = ["cases:read", "cases:write", "cases:impersonate"]


@pytest.fixture
async def integration(app, tenant):
    """A client whose token (an agent's, granted by the admin) carries cases:impersonate."""
    bot = tenant.add_member("agent", ["cases:read"])
    async with api_client(app, tenant.admin.headers) as admin:
        response = await admin.post("/tokens", json={"user_id": str(bot.id), "scopes": IMPERSONATING})
    assert response.status_code == 201, response.text
    assert sorted(response.json()["scopes"]) == sorted(IMPERSONATING)
    async with api_client(app, bearer(response.json()["token"])) as c:
        c.user_id = bot.id
        yield c


async def test_a_case_created_for_a_user_is_theirs_and_its_entry_names_both(integration, tenant, client):
    agent = tenant.add_member("agent")

    case = await create(integration, author=str(agent.id))

    assert case["author_id"] == str(agent.id)
    [entry] = await activity(client, case)
    assert (entry["action"], entry["actor_id"], entry["on_behalf_of"]) == ("created", str(integration.user_id), str(agent.id))
    watchers = (await client.get(f"/cases/{case['id']}/watchers")).json()["items"]
    assert [w["user_id"] for w in watchers] == [str(agent.id)]


async def test_a_comment_written_for_a_user_is_theirs_to_edit(integration, tenant, app, client):
    agent = tenant.add_member("agent")
    case = await create(client)

    response = await integration.post(f"/cases/{case['id']}/comments", json={"body": "On their behalf", "author": str(agent.id)})

    assert response.status_code == 201, response.text
    comment = response.json()
    assert comment["author_id"] == str(agent.id)
    entry = (await activity(client, case))[-1]
    assert (entry["action"], entry["actor_id"], entry["on_behalf_of"]) == ("commented", str(integration.user_id), str(agent.id))
    async with api_client(app, agent.headers) as author:
        edited = await author.patch(f"/cases/{case['id']}/comments/{comment['id']}", json={"body": "Mine"})
    assert edited.status_code == 200, edited.text


async def test_entries_without_impersonation_have_no_on_behalf_of(client):
    case = await create(client)
    [entry] = await activity(client, case)
    assert entry["actor_id"] is not None and entry["on_behalf_of"] is None


async def test_without_the_scope_naming_another_author_is_forbidden(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)

    assert_problem(await client.post("/cases", json={"title": "x", "author": str(agent.id)}), 403)
    refused = await client.post(f"/cases/{case['id']}/comments", json={"body": "x", "author": str(agent.id)})
    assert_problem(refused, 403)
    assert [e["action"] for e in await activity(client, case)] == ["created"]
    # Naming yourself needs no scope.
    own = await create(client, author=str(tenant.admin.id))
    assert own["author_id"] == str(tenant.admin.id)


async def test_the_user_acted_for_must_be_an_active_user_of_the_workspace(integration, tenant, other, client):
    leaver = tenant.add_member("agent")
    assert (await client.patch(f"/users/{leaver.id}", json={"active": False})).status_code == 200
    for stranger in (leaver.id, other.admin.id, uuid.uuid4()):
        assert_problem(await integration.post("/cases", json={"title": "x", "author": str(stranger)}), 422, "author")


async def test_permissions_stay_those_of_the_tokens_user(app, tenant, client):
    viewer = tenant.add_member("viewer", ["cases:read"])
    token = await client.post("/tokens", json={"user_id": str(viewer.id), "scopes": IMPERSONATING})
    assert token.status_code == 201, token.text
    async with api_client(app, bearer(token.json()["token"])) as as_viewer:
        # A viewer cannot write, whoever it writes for (an admin here).
        response = await as_viewer.post("/cases", json={"title": "x", "author": str(tenant.admin.id)})
    assert_problem(response, 403)


async def test_only_admins_grant_the_impersonate_scope(app, tenant):
    manager = tenant.add_member("manager")
    async with api_client(app, manager.headers) as as_manager:
        refused = await as_manager.post("/tokens", json={"scopes": IMPERSONATING})
    assert_problem(refused, 403)
