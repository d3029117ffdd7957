"""The activity log of a case: one entry per write, oldest first, paged, and append-only."""

import uuid
from datetime import datetime

import pytest

from tests.helpers import PROBLEM, activity, assert_problem, create, patch


async def test_creating_a_case_records_a_created_entry(client, tenant):
    case = await create(client, title="Phishing report")
    response = await client.get(f"/cases/{case['id']}/activity")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    [entry] = body["items"]
    assert uuid.UUID(entry["id"])
    assert entry["case_id"] == case["id"]
    assert entry["actor_id"] == str(tenant.admin.id)
    assert entry["action"] == "created"
    assert entry["source"] == "native"
    assert datetime.fromisoformat(entry["created_at"]).tzinfo is not None
    for field, pair in entry["changes"].items():
        assert isinstance(pair, list) and len(pair) == 2, field
    assert entry["changes"]["title"] == [None, "Phishing report"]


async def test_each_write_appends_one_entry_in_order_with_its_action_and_actor(client, tenant):
    agent = tenant.add_member("agent")
    manager = tenant.add_member("manager")
    case = await create(client, title="Before")
    await patch(client, case, {"title": "After"}, headers=agent.headers)
    await patch(client, case, {"status": "closed"}, headers=agent.headers)
    await patch(client, case, {"status": "open", "priority": "P1"})
    await patch(client, case, {"assignees": [str(agent.id)]})
    assert (await client.delete(f"/cases/{case['id']}", headers=manager.headers)).status_code == 204
    assert (await client.post(f"/cases/{case['id']}/restore", headers=manager.headers)).status_code == 200

    log = await activity(client, case)
    assert [e["action"] for e in log] == [
        "created",
        "updated",
        "status_changed",
        "status_changed",
        "assigned",
        "archived",
        "restored",
    ]
    assert [e["actor_id"] for e in log] == [
        str(tenant.admin.id),
        str(agent.id),
        str(agent.id),
        str(tenant.admin.id),
        str(tenant.admin.id),
        str(manager.id),
        str(manager.id),
    ]
    assert all(e["case_id"] == case["id"] and e["source"] == "native" for e in log)
    assert [e["id"] for e in log] == sorted((e["id"] for e in log), key=uuid.UUID)
    times = [datetime.fromisoformat(e["created_at"]) for e in log]
    assert times == sorted(times)

    assert log[1]["changes"] == {"title": ["Before", "After"]}
    assert log[2]["changes"] == {
        "status": ["open", "closed"],
        "status_name": ["Open", "Closed"],
        "status_category": ["open", "closed"],
    }
    assert log[3]["changes"] == {
        "status": ["closed", "open"],
        "status_name": ["Closed", "Open"],
        "status_category": ["closed", "open"],
        "priority": [None, "P1"],
    }
    assert log[4]["changes"] == {"assignees": [[], [str(agent.id)]]}
    assert log[5]["changes"]["archived_at"][0] is None and log[5]["changes"]["archived_at"][1] is not None
    assert log[6]["changes"]["archived_at"][0] is not None and log[6]["changes"]["archived_at"][1] is None


async def test_changes_name_only_the_fields_that_changed_with_old_and_new(client):
    case = await create(client, title="T", severity="low", tags=["a"], metadata={"k": "v"}, priority="P3")
    await patch(
        client,
        case,
        {"title": "T", "severity": "high", "tags": ["a", "b"], "metadata": {"k": "w"}, "priority": "P3", "description": "d"},
    )
    [_, entry] = await activity(client, case)
    assert entry["action"] == "updated"
    assert entry["changes"] == {
        "severity": ["low", "high"],
        "tags": [["a"], ["a", "b"]],
        "metadata": [{"k": "v"}, {"k": "w"}],
        "description": ["", "d"],
    }


async def test_a_patch_that_changes_nothing_adds_no_entry(client):
    case = await create(client, title="Same", priority="P2")
    await patch(client, case, {"title": "Same", "priority": "P2"})
    await patch(client, case, {})
    assert [e["action"] for e in await activity(client, case)] == ["created"]


async def test_refused_writes_add_no_entry(client, tenant, other):
    agent = tenant.add_member("agent")
    case = await create(client)
    await patch(client, case, {"title": "v2"})
    before = await activity(client, case)

    refused = [
        await client.patch(f"/cases/{case['id']}", json={"version": 1, "title": "stale"}),
        await client.patch(f"/cases/{case['id']}", json={"title": "stale"}, headers={"If-Match": '"1"'}),
        await client.patch(f"/cases/{case['id']}", json={"title": ""}),
        await client.patch(f"/cases/{case['id']}", json={"status": None}),
        await client.patch(f"/cases/{case['id']}", json={"bogus": 1}),
        await client.patch(f"/cases/{case['id']}", json={"assignees": [str(other.admin.id)]}),
        await client.post(f"/cases/{case['id']}/restore"),
        await client.delete(f"/cases/{case['id']}", headers=agent.headers),
        await client.delete(f"/cases/{case['id']}", headers={"If-Match": '"1"'}),
    ]
    assert [r.status_code for r in refused] == [409, 409, 422, 422, 422, 422, 409, 403, 409]
    assert await activity(client, case) == before


async def test_a_write_refused_on_an_archived_case_adds_no_entry(client):
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    before = await activity(client, case)
    assert (await client.patch(f"/cases/{case['id']}", json={"title": "x"})).status_code == 409
    assert await activity(client, case) == before
    assert [e["action"] for e in before] == ["created", "archived"]


async def test_entries_page_with_limit_and_next_cursor(client):
    case = await create(client)
    for i in range(7):
        await patch(client, case, {"title": f"title {i}"})
    everything = await activity(client, case)
    assert len(everything) == 8

    pages, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"/cases/{case['id']}/activity", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(pages) < 10
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [e for p in pages for e in p] == everything


async def test_a_page_that_ends_exactly_at_the_last_entry_has_no_next_cursor(client):
    case = await create(client)
    await patch(client, case, {"title": "two"})
    response = await client.get(f"/cases/{case['id']}/activity", params={"limit": 2})
    assert len(response.json()["items"]) == 2
    assert response.json()["next_cursor"] is None
    response = await client.get(f"/cases/{case['id']}/activity", params={"limit": 1})
    assert response.json()["next_cursor"] is not None


async def test_the_activity_limit_accepts_1_to_500(client):
    case = await create(client)
    for limit in (1, 500):
        assert (await client.get(f"/cases/{case['id']}/activity", params={"limit": limit})).status_code == 200
    for limit in (0, 501, -1, "many"):
        response = await client.get(f"/cases/{case['id']}/activity", params={"limit": limit})
        assert_problem(response, 422, "limit")


# Not base64, not JSON, [1], [], [null], [{"a": 1}], [[1]], ["x", "y"], "".
FORGED_CURSORS = ["garbage!!", "bm90IGpzb24", "WzFd", "W10", "W251bGxd", "W3siYSI6MX1d", "W1sxXV0", "WyJ4IiwieSJd", ""]


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
async def test_a_cursor_the_server_did_not_issue_is_422_not_500(client, cursor):
    case = await create(client)
    response = await client.get(f"/cases/{case['id']}/activity", params={"cursor": cursor})
    assert_problem(response, 422)


async def test_activity_reads_by_key_and_for_archived_cases(client):
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    response = await client.get(f"/cases/{case['key']}/activity")
    assert response.status_code == 200
    assert [e["action"] for e in response.json()["items"]] == ["created", "archived"]


async def test_activity_of_an_unknown_case_is_404(client):
    response = await client.get(f"/cases/{uuid.uuid4()}/activity")
    assert_problem(response, 404)


async def test_activity_of_another_workspace_is_404(client, other_client):
    case = await create(other_client)
    assert (await client.get(f"/cases/{case['id']}/activity")).status_code == 404
    assert (await client.get(f"/cases/{case['key']}/activity")).status_code == 404
    assert len(await activity(other_client, case)) == 1


async def test_another_case_has_its_own_entries(client):
    first = await create(client)
    second = await create(client)
    await patch(client, first, {"title": "changed"})
    assert [e["action"] for e in await activity(client, second)] == ["created"]
    assert {e["case_id"] for e in await activity(client, first)} == {first["id"]}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_activity_cannot_be_edited_or_deleted(client, method):
    case = await create(client)
    await patch(client, case, {"title": "changed"})
    before = await activity(client, case)
    response = await client.request(method, f"/cases/{case['id']}/activity", json={"items": []})
    assert_problem(response, 405)
    assert await activity(client, case) == before


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_a_single_activity_entry_cannot_be_edited_or_deleted(client, method):
    case = await create(client)
    [entry] = await activity(client, case)
    response = await client.request(method, f"/cases/{case['id']}/activity/{entry['id']}", json={"action": "x"})
    assert response.status_code in (404, 405), response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert await activity(client, case) == [entry]


async def test_bulk_changes_are_recorded_one_entry_per_applied_item(client):
    first = await create(client)
    second = await create(client)
    response = await client.post(
        "/cases/bulk",
        json={
            "items": [
                {"id": first["id"], "changes": {"status": "closed"}},
                {"id": second["id"], "version": 9, "changes": {"title": "stale"}},
            ]
        },
    )
    assert response.status_code == 200, response.text
    assert [e["action"] for e in await activity(client, first)] == ["created", "status_changed"]
    assert [e["action"] for e in await activity(client, second)] == ["created"]
