"""Watchers: the users who follow a case. Adds are idempotent; each change bumps the version and is logged."""

import asyncio
import base64
import uuid
from datetime import datetime

import orjson
import pytest

from tests.helpers import activity, actions, assert_problem, assert_same_not_found, create, patch, read


async def watchers(client, case, **params):
    """Every watcher of the case, in the list's order."""
    response = await client.get(f"/cases/{case['id']}/watchers", params={"limit": 500} | params)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()["items"]


async def watcher_ids(client, case):
    return {w["user_id"] for w in await watchers(client, case)}


async def watch(client, case, user_id, status=201, **kwargs):
    response = await client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(user_id)}, **kwargs)
    assert response.status_code == status, response.text
    return response.json()


async def test_the_author_and_the_assignees_watch_a_new_case(client, tenant):
    alice, bob = tenant.add_member("agent"), tenant.add_member("agent")
    case = await create(client, assignees=[str(alice.id), str(tenant.admin.id)])
    assert await watcher_ids(client, case) == {str(tenant.admin.id), str(alice.id)}
    # Being watched automatically is part of creating the case: no version or entry of its own.
    assert case["version"] == 1
    assert await actions(client, case) == ["created"]

    await patch(client, case, {"assignees": [str(bob.id)]})
    # A new assignee starts watching; one no longer assigned keeps watching until removed.
    assert await watcher_ids(client, case) == {str(tenant.admin.id), str(alice.id), str(bob.id)}


async def test_a_case_created_by_an_agent_is_watched_by_that_agent(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client, headers=agent.headers)
    [only] = await watchers(client, case)
    assert only["user_id"] == str(agent.id)
    assert datetime.fromisoformat(only["created_at"]).tzinfo is not None


async def test_adding_a_watcher_answers_201_bumps_the_version_and_logs_it(client, tenant):
    viewer = tenant.add_member("viewer")
    case = await create(client)
    response = await client.post(f"/cases/{case['key']}/watchers", json={"user_id": str(viewer.id)})
    assert response.status_code == 201, response.text
    added = response.json()
    assert added["user_id"] == str(viewer.id)
    assert datetime.fromisoformat(added["created_at"]).tzinfo is not None
    assert set(added) == {"user_id", "created_at"}
    assert response.headers["etag"] == '"2"'
    assert added in await watchers(client, case)
    assert (await read(client, case))["version"] == 2
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "watcher_added"
    assert entry["changes"] == {"user_id": [None, str(viewer.id)]}
    assert entry["actor_id"] == str(tenant.admin.id)


async def test_adding_a_watcher_twice_answers_200_and_changes_nothing(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    first = await watch(client, case, agent.id)
    before, listed = await read(client, case), await watchers(client, case)
    again = await watch(client, case, agent.id, status=200)
    assert again == first
    # The author watches from the start: adding him is a no-op too.
    assert (await watch(client, case, tenant.admin.id, status=200))["user_id"] == str(tenant.admin.id)
    assert await read(client, case) == before
    assert await watchers(client, case) == listed
    assert await actions(client, case) == ["created", "watcher_added"]


async def test_removing_a_watcher_answers_204_bumps_the_version_and_logs_it(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    await watch(client, case, agent.id)
    response = await client.delete(f"/cases/{case['id']}/watchers/{agent.id}")
    assert response.status_code == 204, response.text
    assert response.headers["etag"] == '"3"'
    assert await watcher_ids(client, case) == {str(tenant.admin.id)}
    assert (await read(client, case))["version"] == 3
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "watcher_removed"
    assert entry["changes"] == {"user_id": [str(agent.id), None]}

    # The author may stop watching too.
    assert (await client.delete(f"/cases/{case['id']}/watchers/{tenant.admin.id}")).status_code == 204
    assert await watchers(client, case) == []


async def test_removing_someone_who_does_not_watch_is_404_and_changes_nothing(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    before = await read(client, case)
    for missing in (agent.id, uuid.uuid4(), "not-a-uuid"):
        assert_problem(await client.delete(f"/cases/{case['id']}/watchers/{missing}"), 404)
    assert await read(client, case) == before
    assert await actions(client, case) == ["created"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"user_id": None}, {"user_id": "not-a-uuid"}, {"user_id": 7}, {"user_id": "a\x00b"}],
    ids=["missing", "null", "not-uuid", "number", "nul"],
)
async def test_a_malformed_watcher_is_refused_naming_user_id(client, payload):
    case = await create(client)
    before = await read(client, case)
    assert_problem(await client.post(f"/cases/{case['id']}/watchers", json=payload), 422, "user_id")
    assert await read(client, case) == before


async def test_only_active_users_of_the_workspace_may_watch(client, tenant, other):
    stranger = other.add_member("agent")
    gone = tenant.add_member("agent")
    assert (await client.patch(f"/users/{gone.id}", json={"active": False})).status_code == 200
    case = await create(client)
    before, listed = await read(client, case), await watchers(client, case)
    for user_id in (stranger.id, other.admin.id, uuid.uuid4(), gone.id):
        assert_problem(await client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(user_id)}), 422, "user_id")
    assert_problem(
        await client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(stranger.id), "role": "x"}), 422, "role"
    )
    assert await watchers(client, case) == listed
    assert await read(client, case) == before
    assert await actions(client, case) == ["created"]


async def test_an_agent_may_add_and_remove_anyone(client, tenant):
    agent, colleague = tenant.add_member("agent"), tenant.add_member("reviewer")
    case = await create(client)
    await watch(client, case, colleague.id, headers=agent.headers)
    assert (await client.delete(f"/cases/{case['id']}/watchers/{tenant.admin.id}", headers=agent.headers)).status_code == 204
    assert await watcher_ids(client, case) == {str(colleague.id)}
    log = await activity(client, case)
    assert [(e["action"], e["actor_id"]) for e in log[1:]] == [
        ("watcher_added", str(agent.id)),
        ("watcher_removed", str(agent.id)),
    ]


async def test_a_viewer_or_a_read_only_token_may_list_but_not_change_watchers(client, tenant):
    viewer = tenant.add_member("viewer")
    reader = tenant.add_member("agent", scopes=["cases:read"])
    case = await create(client)
    before, listed = await read(client, case), await watchers(client, case)
    url = f"/cases/{case['id']}/watchers"
    for member in (viewer, reader):
        assert_problem(await client.post(url, json={"user_id": str(member.id)}, headers=member.headers), 403)
        assert_problem(await client.delete(f"{url}/{tenant.admin.id}", headers=member.headers), 403)
        response = await client.get(url, headers=member.headers)
        assert response.status_code == 200, response.text
        assert response.json()["items"] == listed
    assert await watchers(client, case) == listed
    assert await read(client, case) == before


async def test_another_workspace_sees_no_watchers_and_changes_none(client, other_client, other):
    case = await create(client)
    before, listed = await read(client, case), await watchers(client, case)
    unknown = str(uuid.uuid4())
    assert_same_not_found(
        await other_client.get(f"/cases/{case['id']}/watchers"), case["id"], await other_client.get(f"/cases/{unknown}/watchers"), unknown
    )
    body = {"user_id": str(other.admin.id)}
    assert_same_not_found(
        await other_client.post(f"/cases/{case['id']}/watchers", json=body),
        case["id"],
        await other_client.post(f"/cases/{unknown}/watchers", json=body),
        unknown,
    )
    assert_problem(await other_client.delete(f"/cases/{case['id']}/watchers/{listed[0]['user_id']}"), 404)
    assert await watchers(client, case) == listed
    assert await read(client, case) == before


async def test_watchers_of_an_archived_case_cannot_change(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    before, listed = await read(client, case), await watchers(client, case)
    assert_problem(await client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(agent.id)}), 409)
    assert_problem(await client.delete(f"/cases/{case['id']}/watchers/{tenant.admin.id}"), 409)
    assert await watchers(client, case) == listed
    assert await read(client, case) == before


async def test_if_match_guards_watcher_changes(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    url = f"/cases/{case['id']}/watchers"
    assert_problem(await client.post(url, json={"user_id": str(agent.id)}, headers={"If-Match": '"9"'}), 409)
    assert_problem(await client.delete(f"{url}/{tenant.admin.id}", headers={"If-Match": '"9"'}), 409)
    assert await watcher_ids(client, case) == {str(tenant.admin.id)}
    await watch(client, case, agent.id, headers={"If-Match": '"1"'})
    assert (await client.delete(f"{url}/{agent.id}", headers={"If-Match": '"2"'})).status_code == 204
    assert await actions(client, case) == ["created", "watcher_added", "watcher_removed"]


async def test_watchers_page_by_user_id_through_every_page(client, tenant):
    members = [tenant.add_member("viewer") for _ in range(7)]
    case = await create(client)
    for member in members:
        await watch(client, case, member.id)
    expected = sorted([str(tenant.admin.id), *(str(m.id) for m in members)], key=uuid.UUID)
    pages, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"/cases/{case['id']}/watchers", params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [w["user_id"] for page in pages for w in page] == expected


def _cursor(value):
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


@pytest.mark.parametrize("cursor", ["%%%", _cursor("x"), _cursor([]), _cursor([3]), _cursor(["nope"]), _cursor(["a", "b"])])
async def test_a_forged_watcher_cursor_is_refused_naming_the_cursor(client, cursor):
    case = await create(client)
    assert_problem(await client.get(f"/cases/{case['id']}/watchers", params={"cursor": cursor}), 422, "cursor")


@pytest.mark.parametrize("limit", [0, 501])
async def test_a_watcher_limit_outside_1_to_500_is_refused(client, limit):
    case = await create(client)
    assert_problem(await client.get(f"/cases/{case['id']}/watchers", params={"limit": limit}), 422, "limit")


async def test_the_same_user_added_by_many_at_once_is_added_once(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    n = 12
    responses = await asyncio.gather(
        *(client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(agent.id)}) for _ in range(n))
    )
    assert sorted(r.status_code for r in responses) == [200] * (n - 1) + [201]
    assert len({r.json()["created_at"] for r in responses}) == 1
    assert (await read(client, case))["version"] == 2
    assert await actions(client, case) == ["created", "watcher_added"]


async def test_different_users_added_at_once_all_land(client, tenant):
    members = [tenant.add_member("viewer") for _ in range(10)]
    case = await create(client)
    responses = await asyncio.gather(
        *(client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(m.id)}) for m in members)
    )
    assert [r.status_code for r in responses] == [201] * len(members)
    assert await watcher_ids(client, case) == {str(tenant.admin.id), *(str(m.id) for m in members)}
    assert (await read(client, case))["version"] == 1 + len(members)
