"""Tasks: adding, editing, completing and deleting, with the case's version, counters and activity."""

import uuid
from datetime import UTC, datetime

import pytest

from tests.helpers import activity, actions, assert_problem, create, read
from tests.tasks.common import add_task, all_tasks, assert_counts_match, counts, tasks_url


async def test_added_tasks_go_to_the_end_and_count_as_open(client, tenant):
    case = await create(client)
    first = await add_task(client, case, "Isolate the host")
    second = await add_task(client, case, "Reset the password")
    third = await add_task(client, case, "Tell the user")
    assert [t["position"] for t in (first, second, third)] == [0, 1, 2]
    assert first["case_id"] == case["id"]
    assert first["completed"] is False and first["completed_at"] is None and first["completed_by"] is None
    assert first["created_by"] == str(tenant.admin.id)
    listed = await all_tasks(client, case)
    assert [t["id"] for t in listed] == [first["id"], second["id"], third["id"]]
    assert listed[0] == first
    assert await counts(client, case) == (3, 0)
    assert (await read(client, case))["version"] == 4


async def test_adding_a_task_answers_with_location_and_the_new_case_version(client):
    case = await create(client)
    response = await client.post(tasks_url(case), json={"description": "Check the logs"})
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    fetched = await client.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == response.json()


async def test_adding_a_task_logs_task_added_with_its_fields(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    task = await add_task(client, case, "Check the logs", assignees=[str(agent.id)], due_date="2031-05-06T07:08:09+00:00")
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "task_added"
    assert entry["actor_id"] == str(tenant.admin.id)
    assert entry["changes"]["task_id"] == [None, task["id"]]
    assert entry["changes"]["description"] == [None, "Check the logs"]
    assert entry["changes"]["assignees"] == [None, [str(agent.id)]]
    assert datetime.fromisoformat(entry["changes"]["due_date"][1]) == datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)


async def test_a_due_date_is_kept_as_the_same_instant_in_utc(client):
    case = await create(client)
    task = await add_task(client, case, due_date="2031-01-01T12:00:00+02:00")
    due = datetime.fromisoformat(task["due_date"])
    assert due == datetime(2031, 1, 1, 10, 0, tzinfo=UTC)
    assert due.utcoffset().total_seconds() == 0
    assert (await all_tasks(client, case))[0]["due_date"] == task["due_date"]


async def test_a_due_date_without_a_timezone_is_refused(client):
    case = await create(client)
    response = await client.post(tasks_url(case), json={"description": "x", "due_date": "2031-01-01T12:00:00"})
    assert_problem(response, 422, "due_date")
    assert await all_tasks(client, case) == []


async def test_a_description_of_10000_characters_is_accepted_and_one_more_refused(client):
    case = await create(client)
    task = await add_task(client, case, "d" * 10_000)
    assert len(task["description"]) == 10_000
    before, entries = await read(client, case), await activity(client, case)
    response = await client.post(tasks_url(case), json={"description": "d" * 10_001})
    assert_problem(response, 422, "description")
    assert [t["id"] for t in await all_tasks(client, case)] == [task["id"]]
    assert await read(client, case) == before
    assert await activity(client, case) == entries


@pytest.mark.parametrize("description", ["", "   ", "\n\t", None])
async def test_an_empty_or_blank_description_is_refused(client, description):
    case = await create(client)
    response = await client.post(tasks_url(case), json={"description": description})
    assert_problem(response, 422, "description")
    assert await all_tasks(client, case) == []
    assert (await read(client, case))["version"] == 1


async def test_a_task_without_a_description_or_with_unknown_fields_is_refused(client):
    case = await create(client)
    assert_problem(await client.post(tasks_url(case), json={}), 422, "description")
    assert_problem(await client.post(tasks_url(case), json={"description": "x", "position": 3}), 422, "position")
    assert_problem(await client.post(tasks_url(case), json={"description": "x\x00y"}), 422, "description")
    assert await all_tasks(client, case) == []


async def test_ten_assignees_are_accepted_and_eleven_refused(client, tenant):
    members = [tenant.add_member("agent") for _ in range(11)]
    case = await create(client)
    ten = [str(m.id) for m in members[:10]]
    task = await add_task(client, case, assignees=ten)
    assert task["assignees"] == ten
    before, entries = await read(client, case), await activity(client, case)
    response = await client.post(tasks_url(case), json={"description": "x", "assignees": [str(m.id) for m in members]})
    assert_problem(response, 422, "assignees")
    response = await client.patch(tasks_url(case, task), json={"assignees": [str(m.id) for m in members]})
    assert_problem(response, 422, "assignees")
    assert await all_tasks(client, case) == [task]
    assert await read(client, case) == before
    assert await activity(client, case) == entries


async def test_assignees_must_be_active_users_of_the_workspace(client, other, tenant):
    case = await create(client)
    task = await add_task(client, case)
    before = await read(client, case)
    for assignees in ([str(uuid.uuid4())], [str(other.admin.id)], [str(tenant.admin.id), str(tenant.admin.id)]):
        assert_problem(await client.post(tasks_url(case), json={"description": "x", "assignees": assignees}), 422, "assignees")
        assert_problem(await client.patch(tasks_url(case, task), json={"assignees": assignees}), 422, "assignees")
    assert await all_tasks(client, case) == [task]
    assert await read(client, case) == before


async def test_editing_a_task_changes_only_the_given_fields_and_logs_task_updated(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    task = await add_task(client, case, "Old", due_date="2031-01-01T00:00:00+00:00")
    response = await client.patch(tasks_url(case, task), json={"description": "New", "assignees": [str(agent.id)]})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"3"'
    edited = response.json()
    assert edited["description"] == "New"
    assert edited["assignees"] == [str(agent.id)]
    assert edited["due_date"] == task["due_date"]
    assert edited["position"] == task["position"] and edited["completed"] is False
    assert (await all_tasks(client, case)) == [edited]
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "task_updated"
    assert entry["changes"] == {
        "task_id": [task["id"], task["id"]],
        "description": ["Old", "New"],
        "assignees": [[], [str(agent.id)]],
    }
    assert (await read(client, case))["version"] == 3


async def test_a_due_date_can_be_moved_and_cleared(client):
    case = await create(client)
    task = await add_task(client, case, due_date="2031-01-01T00:00:00+00:00")
    moved = (await client.patch(tasks_url(case, task), json={"due_date": "2031-02-01T01:00:00+01:00"})).json()
    assert datetime.fromisoformat(moved["due_date"]) == datetime(2031, 2, 1, tzinfo=UTC)
    cleared = await client.patch(tasks_url(case, task), json={"due_date": None})
    assert cleared.status_code == 200 and cleared.json()["due_date"] is None
    entries = await activity(client, case)
    assert [e["action"] for e in entries[-2:]] == ["task_updated", "task_updated"]
    assert entries[-1]["changes"]["due_date"][1] is None


@pytest.mark.parametrize("field", ["description", "assignees", "completed"])
async def test_null_for_a_required_task_field_is_refused(client, field):
    case = await create(client)
    task = await add_task(client, case)
    before = await read(client, case)
    assert_problem(await client.patch(tasks_url(case, task), json={field: None}), 422, field)
    assert await all_tasks(client, case) == [task]
    assert await read(client, case) == before


async def test_an_edit_that_changes_nothing_writes_nothing(client):
    case = await create(client)
    task = await add_task(client, case, "Same")
    before, entries = await read(client, case), await activity(client, case)
    for body in ({}, {"description": "Same"}, {"completed": False}, {"assignees": []}, {"due_date": None}):
        response = await client.patch(tasks_url(case, task), json=body)
        assert response.status_code == 200, response.text
        assert response.json() == task
    assert await read(client, case) == before
    assert await activity(client, case) == entries


async def test_completing_stamps_who_and_when_and_moves_the_counters(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    task = await add_task(client, case)
    await add_task(client, case)
    assert await counts(client, case) == (2, 0)
    response = await client.patch(tasks_url(case, task), json={"completed": True}, headers=agent.headers)
    assert response.status_code == 200, response.text
    done = response.json()
    assert done["completed"] is True
    assert done["completed_by"] == str(agent.id)
    assert datetime.fromisoformat(done["completed_at"]) >= datetime.fromisoformat(task["created_at"])
    assert await counts(client, case) == (1, 1)
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "task_completed"
    assert entry["actor_id"] == str(agent.id)
    assert entry["changes"] == {"task_id": [task["id"], task["id"]], "completed": [False, True]}
    assert (await read(client, case))["version"] == 4
    await assert_counts_match(client, case)


async def test_completing_a_completed_task_changes_nothing(client):
    case = await create(client)
    task = await add_task(client, case)
    done = (await client.patch(tasks_url(case, task), json={"completed": True})).json()
    before = await read(client, case)
    again = await client.patch(tasks_url(case, task), json={"completed": True})
    assert again.status_code == 200
    assert again.json() == done
    assert await read(client, case) == before
    assert await counts(client, case) == (0, 1)


async def test_reopening_clears_the_stamps_and_reverses_the_counters(client):
    case = await create(client)
    task = await add_task(client, case)
    await client.patch(tasks_url(case, task), json={"completed": True})
    response = await client.patch(tasks_url(case, task), json={"completed": False})
    assert response.status_code == 200, response.text
    reopened = response.json()
    assert reopened["completed"] is False
    assert reopened["completed_by"] is None and reopened["completed_at"] is None
    assert await counts(client, case) == (1, 0)
    assert await actions(client, case) == ["created", "task_added", "task_completed", "task_reopened"]
    assert (await read(client, case))["version"] == 4


async def test_completing_with_other_edits_logs_them_in_one_task_completed_entry(client):
    case = await create(client)
    task = await add_task(client, case, "Old")
    response = await client.patch(tasks_url(case, task), json={"completed": True, "description": "New"})
    assert response.status_code == 200
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "task_completed"
    assert entry["changes"]["description"] == ["Old", "New"]
    assert entry["changes"]["completed"] == [False, True]


async def test_deleting_a_task_removes_it_and_its_count(client):
    case = await create(client)
    open_task = await add_task(client, case, "open")
    done_task = await add_task(client, case, "done")
    kept = await add_task(client, case, "kept")
    await client.patch(tasks_url(case, done_task), json={"completed": True})
    assert await counts(client, case) == (2, 1)
    response = await client.delete(tasks_url(case, open_task))
    assert response.status_code == 204
    assert response.headers["etag"] == '"6"'
    assert await counts(client, case) == (1, 1)
    assert (await client.delete(tasks_url(case, done_task))).status_code == 204
    assert await counts(client, case) == (1, 0)
    assert [t["id"] for t in await all_tasks(client, case)] == [kept["id"]]
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "task_deleted"
    assert entry["changes"] == {"task_id": [done_task["id"], None], "description": ["done", None]}
    assert (await read(client, case))["version"] == 7
    assert_problem(await client.get(tasks_url(case, open_task)), 404)
    assert_problem(await client.delete(tasks_url(case, open_task)), 404)
    assert_problem(await client.patch(tasks_url(case, open_task), json={"completed": True}), 404)
    assert (await read(client, case))["version"] == 7


async def test_a_task_is_reached_only_through_its_own_case(client):
    case, another = await create(client), await create(client)
    task = await add_task(client, case)
    before = await read(client, another)
    assert_problem(await client.get(tasks_url(another, task)), 404)
    assert_problem(await client.patch(tasks_url(another, task), json={"description": "x"}), 404)
    assert_problem(await client.delete(tasks_url(another, task)), 404)
    assert_problem(await client.get(tasks_url(case, "not-a-task-id")), 404)
    assert await all_tasks(client, case) == [task]
    assert await read(client, another) == before


async def test_the_case_key_works_as_the_reference(client):
    case = await create(client)
    response = await client.post(f"/cases/{case['key']}/tasks", json={"description": "by key"})
    assert response.status_code == 201, response.text
    listed = (await client.get(f"/cases/{case['key'].lower()}/tasks")).json()["items"]
    assert [t["description"] for t in listed] == ["by key"]


async def test_counters_match_the_list_after_a_mix_of_writes(client):
    case = await create(client)
    tasks = [await add_task(client, case, f"t{i}") for i in range(6)]
    for task in tasks[:4]:
        await client.patch(tasks_url(case, task), json={"completed": True})
    await client.patch(tasks_url(case, tasks[1]), json={"completed": False})
    await client.delete(tasks_url(case, tasks[2]))
    await client.delete(tasks_url(case, tasks[5]))
    await add_task(client, case, "late")
    assert await assert_counts_match(client, case) == (3, 2)
