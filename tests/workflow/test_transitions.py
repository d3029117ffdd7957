"""A project's allowed status transitions: replaced as a whole, statuses named by id, name or group, and consulted
only while the project restricts transitions."""

import uuid

import pytest

from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_same_not_found, create

TRANSITIONS = "/projects/SEC/transitions"


async def transitions(client, path: str = TRANSITIONS, **kwargs) -> dict:
    response = await client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def pairs(body: dict) -> list[tuple[str, str]]:
    return [(t["from"]["name"], t["to"]["name"]) for t in body["transitions"]]


async def put(client, moves: list[tuple[str, str]], **kwargs) -> dict:
    body = {"transitions": [{"from": a, "to": b} for a, b in moves]}
    response = await client.put(TRANSITIONS, json=body, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def status_ids(client) -> dict[str, str]:
    return {s["name"]: s["id"] for s in (await client.get("/projects/SEC/statuses")).json()}


async def test_a_new_project_has_no_transitions_and_does_not_restrict(client):
    assert await transitions(client) == {"restrict_transitions": False, "transitions": []}


async def test_transitions_name_statuses_by_id_name_or_group_and_list_in_status_order(client):
    ids = await status_ids(client)
    saved = await put(client, [("closed", "open"), (ids["New"], "in progress"), ("NEW", "Pending"), ("Open", "Resolved")])
    expected = [("New", "In progress"), ("New", "Pending"), ("Open", "Resolved"), ("Closed", "Open")]
    assert pairs(saved) == expected
    assert saved["transitions"][0] == {"from": {"id": ids["New"], "name": "New"}, "to": {"id": ids["In progress"], "name": "In progress"}}
    assert await transitions(client) == saved


async def test_putting_transitions_replaces_them_all(client):
    await put(client, [("New", "Open"), ("Open", "Closed")])
    assert pairs(await put(client, [("Open", "Pending")])) == [("Open", "Pending")]
    assert pairs(await transitions(client)) == [("Open", "Pending")]
    assert (await put(client, []))["transitions"] == []
    assert (await transitions(client))["transitions"] == []


@pytest.mark.parametrize(
    "moves, field",
    [
        ([("New", "Open"), ("Waiting", "Open")], "transitions.1.from"),
        ([("New", "Waiting")], "transitions.0.to"),
        ([(str(uuid.uuid4()), "Open")], "transitions.0.from"),
        ([("New", "Open"), ("Open", "open")], "transitions.1.to"),
        ([("New", "Open"), ("new", "OPEN")], "transitions.1"),
    ],
    ids=["unknown-from", "unknown-to", "unknown-id", "to-itself", "repeated"],
)
async def test_bad_transitions_are_refused_naming_the_item_and_change_nothing(client, moves, field):
    await put(client, [("Pending", "Open")])
    body = {"transitions": [{"from": a, "to": b} for a, b in moves]}
    assert_problem(await client.put(TRANSITIONS, json=body), 422, field)
    assert pairs(await transitions(client)) == [("Pending", "Open")]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "transitions"),
        ({"transitions": [{"to": "Open"}]}, "transitions.0.from"),
        ({"transitions": [{"from": "New"}]}, "transitions.0.to"),
        ({"transitions": [{"from": "New", "to": ""}]}, "transitions.0.to"),
        ({"transitions": [{"from_": "New", "to": "Open"}]}, "transitions.0.from"),
        ({"transitions": [{"from": "New", "to": "Open", "why": "x"}]}, "transitions.0.why"),
        ({"transitions": {"from": "New", "to": "Open"}}, "transitions"),
    ],
)
async def test_malformed_transition_bodies_are_refused_naming_the_field(client, body, field):
    assert_problem(await client.put(TRANSITIONS, json=body), 422, field)
    assert (await transitions(client))["transitions"] == []


async def test_a_status_of_another_project_is_unknown_here(client):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    created = await client.post("/projects/OPS/statuses", json={"name": "Elsewhere", "group": "open", "category": "open"})
    other_id = created.json()["id"]
    for moves, field in (([("Elsewhere", "Open")], "transitions.0.from"), ([("Open", other_id)], "transitions.0.to")):
        body = {"transitions": [{"from": a, "to": b} for a, b in moves]}
        assert_problem(await client.put(TRANSITIONS, json=body), 422, field)


async def test_deleting_a_status_removes_its_transitions(client):
    await client.post("/projects/SEC/statuses", json={"name": "Triage", "group": "open", "category": "open"})
    await put(client, [("New", "Triage"), ("Triage", "Open"), ("New", "Open")])
    assert (await client.delete("/projects/SEC/statuses/Triage")).status_code == 204
    assert pairs(await transitions(client)) == [("New", "Open")]


async def test_the_project_setting_turns_the_restriction_on(client):
    await put(client, [("Open", "In progress")])
    response = await client.patch("/projects/SEC", json={"restrict_transitions": True})
    assert response.status_code == 200, response.text
    assert (await transitions(client))["restrict_transitions"] is True


async def test_while_restricted_a_case_moves_only_along_allowed_transitions(client):
    case = await create(client)
    await put(client, [("Open", "In progress")])
    # Unrestricted, the list does not matter.
    moved = await client.patch(f"/cases/{case['id']}", json={"status": "Pending"})
    assert moved.status_code == 200, moved.text
    assert (await client.patch(f"/cases/{case['id']}", json={"status": "Open"})).status_code == 200

    await client.patch("/projects/SEC", json={"restrict_transitions": True})
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"status": "Pending"}), 409)
    allowed = await client.patch(f"/cases/{case['id']}", json={"status": "In progress"})
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize("role", ["agent", "reviewer", "viewer"])
async def test_only_admins_and_managers_set_transitions(client, tenant: Tenant, role):
    headers = tenant.add_member(role).headers
    response = await client.put(TRANSITIONS, json={"transitions": [{"from": "New", "to": "Open"}]}, headers=headers)
    assert_problem(response, 403)
    assert await transitions(client, headers=headers) == {"restrict_transitions": False, "transitions": []}


async def test_a_manager_sets_transitions(client, tenant: Tenant):
    headers = tenant.add_member("manager").headers
    assert pairs(await put(client, [("New", "Open")], headers=headers)) == [("New", "Open")]


async def test_another_workspaces_transitions_are_not_found(client, other_client):
    await put(client, [("New", "Open")])
    assert (await transitions(other_client))["transitions"] == []  # its own project SEC
    project_id = (await client.get("/projects/SEC")).json()["id"]
    unknown = uuid.uuid4()
    assert_same_not_found(
        await other_client.get(f"/projects/{project_id}/transitions"), project_id,
        await other_client.get(f"/projects/{unknown}/transitions"), unknown,
    )
    assert_problem(await other_client.put(f"/projects/{project_id}/transitions", json={"transitions": []}), 404)
    assert pairs(await transitions(client)) == [("New", "Open")]
