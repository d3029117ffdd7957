"""Tasks: order and reorder, the 500-task limit, pages, workspaces, roles, versions and concurrent writers."""

import asyncio
import base64
import json
import uuid

import pytest

from tests.conftest import make_tenant
from tests.helpers import activity, actions, api_client, assert_problem, assert_same_not_found, create, read
from tests.tasks.common import add_task, all_activity, all_tasks, assert_counts_match, counts, tasks_url


async def reorder(client, case, ids, **kwargs):
    return await client.post(f"{tasks_url(case)}/reorder", json={"task_ids": ids}, **kwargs)


# Order


async def test_reorder_sets_the_order_that_the_list_then_follows(client):
    case = await create(client)
    a, b, c = [await add_task(client, case, name) for name in "abc"]
    response = await reorder(client, case, [c["id"], a["id"], b["id"]])
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"5"'
    body = response.json()
    assert [t["id"] for t in body["items"]] == [c["id"], a["id"], b["id"]]
    assert [t["position"] for t in body["items"]] == [0, 1, 2]
    listed = await all_tasks(client, case)
    assert listed == body["items"]
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "tasks_reordered"
    assert entry["changes"] == {"task_ids": [[a["id"], b["id"], c["id"]], [c["id"], a["id"], b["id"]]]}
    assert (await read(client, case))["version"] == 5


async def test_a_reorder_to_the_current_order_writes_nothing(client):
    case = await create(client)
    ids = [(await add_task(client, case, name))["id"] for name in "abc"]
    before, entries = await read(client, case), await activity(client, case)
    response = await reorder(client, case, ids)
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["items"]] == ids
    assert await read(client, case) == before
    assert await activity(client, case) == entries


async def test_a_task_added_after_a_reorder_or_a_delete_goes_to_the_end(client):
    case = await create(client)
    a, b, c = [await add_task(client, case, name) for name in "abc"]
    await reorder(client, case, [c["id"], b["id"], a["id"]])
    d = await add_task(client, case, "d")
    assert [t["id"] for t in await all_tasks(client, case)] == [c["id"], b["id"], a["id"], d["id"]]
    await client.delete(tasks_url(case, d))
    await client.delete(tasks_url(case, c))
    e = await add_task(client, case, "e")
    assert [t["id"] for t in await all_tasks(client, case)] == [b["id"], a["id"], e["id"]]


@pytest.mark.parametrize("shape", ["missing", "unknown", "repeated", "foreign", "not_a_uuid", "empty"])
async def test_a_reorder_must_name_exactly_the_tasks_of_the_case(client, shape):
    case, another = await create(client), await create(client)
    ids = [(await add_task(client, case, name))["id"] for name in "abc"]
    foreign = (await add_task(client, another, "elsewhere"))["id"]
    wrong = {
        "missing": ids[:2],
        "unknown": [*ids, str(uuid.uuid4())],
        "repeated": [ids[0], *ids],
        "foreign": [ids[0], ids[1], foreign],
        "not_a_uuid": [ids[0], ids[1], "c"],
        "empty": [],
    }[shape]
    before, entries, listed = await read(client, case), await activity(client, case), await all_tasks(client, case)
    assert_problem(await reorder(client, case, wrong), 422, "task_ids", nested=True)
    assert await read(client, case) == before
    assert await activity(client, case) == entries
    assert await all_tasks(client, case) == listed


async def test_an_empty_reorder_of_a_case_without_tasks_is_accepted_and_changes_nothing(client):
    case = await create(client)
    response = await reorder(client, case, [])
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
    assert (await read(client, case))["version"] == 1


# The limit of 500 tasks per case


async def add_many(client, case, count):
    for i in range(count):
        await add_task(client, case, f"t{i}")


async def test_a_case_holds_500_tasks_and_the_501st_is_refused(client):
    case = await create(client)
    await add_many(client, case, 500)
    ids = [t["id"] for t in await all_tasks(client, case)]
    before, entries = await read(client, case), await all_activity(client, case)
    assert before["counts"]["tasks_open"] == 500
    body = assert_problem(await client.post(tasks_url(case), json={"description": "one too many"}), 422, "tasks")
    assert "500" in body["detail"]
    assert await read(client, case) == before
    assert await all_activity(client, case) == entries
    # Walking the list in small pages gives every task once, in order.
    assert [t["id"] for t in await all_tasks(client, case, limit=37)] == ids
    # All 500 can be reordered at once; completed tasks count toward the limit as well.
    reordered = await reorder(client, case, ids[::-1])
    assert reordered.status_code == 200, reordered.text
    assert [t["id"] for t in await all_tasks(client, case)] == ids[::-1]
    await client.patch(tasks_url(case, ids[0]), json={"completed": True})
    assert_problem(await client.post(tasks_url(case), json={"description": "still too many"}), 422, "tasks")
    # Room made by a delete is room again.
    assert (await client.delete(tasks_url(case, ids[1]))).status_code == 204
    last = await add_task(client, case, "fits again")
    assert (await all_tasks(client, case))[-1]["id"] == last["id"]
    assert await assert_counts_match(client, case) == (499, 1)


async def test_a_reorder_naming_more_than_500_tasks_is_refused(client):
    case = await create(client)
    await add_task(client, case)
    response = await reorder(client, case, [str(uuid.uuid4()) for _ in range(501)])
    assert_problem(response, 422, "task_ids")


# Pages


async def test_pages_walk_every_task_once_in_position_order(client):
    case = await create(client)
    ids = [(await add_task(client, case, f"t{i}"))["id"] for i in range(12)]
    shuffled = ids[6:] + ids[:6]
    await reorder(client, case, shuffled)
    first = (await client.get(tasks_url(case), params={"limit": 5})).json()
    assert len(first["items"]) == 5 and first["next_cursor"]
    assert [t["id"] for t in await all_tasks(client, case, limit=5)] == shuffled
    assert [t["id"] for t in await all_tasks(client, case, limit=1)] == shuffled
    assert [t["id"] for t in await all_tasks(client, case, limit=12)] == shuffled
    assert (await client.get(tasks_url(case))).json()["next_cursor"] is None


def forge(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "bm90IGpzb24",
        forge({"position": 1}),
        forge([]),
        forge([1]),
        forge(["1", str(uuid.uuid4())]),
        forge([True, str(uuid.uuid4())]),
        forge([1.5, str(uuid.uuid4())]),
        forge([2**40, str(uuid.uuid4())]),
        forge([1, "not-a-uuid"]),
        forge([1, 7]),
        forge([1, str(uuid.uuid4()), 3]),
    ],
)
async def test_a_forged_cursor_is_refused_naming_cursor(client, cursor):
    case = await create(client)
    await add_task(client, case)
    assert_problem(await client.get(tasks_url(case), params={"cursor": cursor}), 422, "cursor")


@pytest.mark.parametrize("limit", [0, 501, -1])
async def test_a_page_size_outside_1_to_500_is_refused(client, limit):
    case = await create(client)
    assert_problem(await client.get(tasks_url(case), params={"limit": limit}), 422, "limit")


# Workspaces and roles


async def test_another_workspaces_case_answers_as_an_unknown_one(client, other_client):
    mine = await create(client)
    theirs = await create(other_client)
    task = await add_task(other_client, theirs)
    before = await read(other_client, theirs)
    unknown = str(uuid.uuid4())
    attempts = [
        ("get", "", None),
        ("post", "", {"description": "x"}),
        ("post", "/reorder", {"task_ids": [task["id"]]}),
        ("get", f"/{task['id']}", None),
        ("patch", f"/{task['id']}", {"completed": True}),
        ("delete", f"/{task['id']}", None),
    ]
    for method, suffix, body in attempts:
        kwargs = {"json": body} if body is not None else {}
        foreign = await client.request(method, f"/cases/{theirs['id']}/tasks{suffix}", **kwargs)
        missing = await client.request(method, f"/cases/{unknown}/tasks{suffix}", **kwargs)
        assert_same_not_found(foreign, theirs["id"], missing, unknown)
    # The same key in my workspace names my own case, never theirs.
    assert mine["key"] == theirs["key"]
    assert (await client.get(f"/cases/{theirs['key']}/tasks")).json()["items"] == []
    assert await read(other_client, theirs) == before
    assert await all_tasks(other_client, theirs) == [task]


async def test_a_viewer_reads_tasks_but_cannot_write_them(app, client, tenant):
    viewer = tenant.add_member("viewer")
    case = await create(client)
    task = await add_task(client, case)
    before, entries = await read(client, case), await activity(client, case)
    async with api_client(app, viewer.headers) as as_viewer:
        assert (await as_viewer.get(tasks_url(case))).json()["items"] == [task]
        assert (await as_viewer.get(tasks_url(case, task))).json() == task
        assert_problem(await as_viewer.post(tasks_url(case), json={"description": "x"}), 403)
        assert_problem(await as_viewer.patch(tasks_url(case, task), json={"completed": True}), 403)
        assert_problem(await as_viewer.delete(tasks_url(case, task)), 403)
        assert_problem(await reorder(as_viewer, case, [task["id"]]), 403)
    assert await read(client, case) == before
    assert await activity(client, case) == entries
    assert await all_tasks(client, case) == [task]


@pytest.mark.parametrize("role", ["agent", "reviewer", "manager"])
async def test_writer_roles_can_add_and_complete_tasks(app, client, tenant, role):
    member = tenant.add_member(role)
    case = await create(client)
    async with api_client(app, member.headers) as as_member:
        task = await add_task(as_member, case)
        assert task["created_by"] == str(member.id)
        assert (await as_member.patch(tasks_url(case, task), json={"completed": True})).status_code == 200
    assert await counts(client, case) == (0, 1)


async def test_a_read_only_token_cannot_write_tasks(app, client, tenant):
    reader = tenant.add_member("agent", scopes=["cases:read"])
    case = await create(client)
    async with api_client(app, reader.headers) as as_reader:
        assert (await as_reader.get(tasks_url(case))).status_code == 200
        assert_problem(await as_reader.post(tasks_url(case), json={"description": "x"}), 403)
    assert await all_tasks(client, case) == []


async def test_tasks_of_an_archived_case_cannot_change(client):
    case = await create(client)
    task = await add_task(client, case)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    before, entries = await read(client, case), await activity(client, case)
    assert_problem(await client.post(tasks_url(case), json={"description": "x"}), 409)
    assert_problem(await client.patch(tasks_url(case, task), json={"completed": True}), 409)
    assert_problem(await client.delete(tasks_url(case, task)), 409)
    assert_problem(await reorder(client, case, [task["id"]]), 409)
    assert await read(client, case) == before
    assert await activity(client, case) == entries
    assert await all_tasks(client, case) == [task]


# Versions


async def test_a_stale_if_match_is_refused_and_writes_nothing(client):
    case = await create(client)
    task = await add_task(client, case)
    before, entries = await read(client, case), await activity(client, case)
    stale = {"If-Match": '"1"'}
    for response in (
        await client.post(tasks_url(case), json={"description": "x"}, headers=stale),
        await client.patch(tasks_url(case, task), json={"completed": True}, headers=stale),
        await client.delete(tasks_url(case, task), headers=stale),
        await reorder(client, case, [task["id"]], headers=stale),
    ):
        body = assert_problem(response, 409)
        assert body["current_version"] == 2
    assert await read(client, case) == before
    assert await activity(client, case) == entries
    assert await all_tasks(client, case) == [task]


async def test_the_current_if_match_is_accepted_and_the_etag_follows(client):
    case = await create(client)
    response = await client.post(tasks_url(case), json={"description": "x"}, headers={"If-Match": '"1"'})
    assert response.status_code == 201
    task = response.json()
    response = await client.patch(tasks_url(case, task), json={"completed": True}, headers={"If-Match": response.headers["etag"]})
    assert response.status_code == 200
    assert response.headers["etag"] == '"3"'
    fetched = await client.get(f"/cases/{case['id']}")
    assert fetched.headers["etag"] == '"3"'


# Concurrent writers


async def test_concurrent_adds_each_get_their_own_place_at_the_end(client):
    case = await create(client)
    responses = await asyncio.gather(
        *(client.post(tasks_url(case), json={"description": f"t{i}"}) for i in range(20))
    )
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    listed = await all_tasks(client, case)
    assert sorted(t["position"] for t in listed) == list(range(20))
    assert {t["id"] for t in listed} == {r.json()["id"] for r in responses}
    assert await counts(client, case) == (20, 0)
    assert (await read(client, case))["version"] == 21
    assert (await actions(client, case)).count("task_added") == 20


async def test_concurrent_adds_never_pass_the_limit(client):
    case = await create(client)
    await add_many(client, case, 495)
    responses = await asyncio.gather(
        *(client.post(tasks_url(case), json={"description": f"late {i}"}) for i in range(10))
    )
    assert sorted(r.status_code for r in responses) == [201] * 5 + [422] * 5
    assert len(await all_tasks(client, case)) == 500
    assert await counts(client, case) == (500, 0)


async def test_concurrent_completes_and_reopens_keep_the_counters_right(client):
    case = await create(client)
    tasks = [await add_task(client, case, f"t{i}") for i in range(5)]
    writes = [client.patch(tasks_url(case, t), json={"completed": True}) for t in tasks for _ in range(3)]
    writes += [client.patch(tasks_url(case, tasks[0]), json={"completed": False}) for _ in range(3)]
    writes += [client.delete(tasks_url(case, tasks[4])) for _ in range(2)]
    responses = await asyncio.gather(*writes)
    assert {r.status_code for r in responses} <= {200, 204, 404}, [r.text for r in responses]
    open_, done = await assert_counts_match(client, case)
    assert open_ + done == 4
    assert done >= 3


async def test_a_second_workspace_has_its_own_tasks(db, app, client):
    other = make_tenant(db)
    case = await create(client)
    await add_task(client, case, "mine")
    async with api_client(app, other.admin.headers) as theirs:
        their_case = await create(theirs)
        await add_task(theirs, their_case, "theirs")
        assert [t["description"] for t in await all_tasks(theirs, their_case)] == ["theirs"]
    assert [t["description"] for t in await all_tasks(client, case)] == ["mine"]
