"""Workspace-level case types: STANDARD with its fixed id in every workspace, types every project sees, emoji, soft
delete (deleted types are kept for their cases), and ids given by admins to types and projects."""

import uuid

import pytest

from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_same_not_found, create, patch, read

STANDARD_ID = "00000000-0000-0000-0000-000000000001"


async def add(client, name: str = "Incident", path: str = "/types", **body) -> dict:
    response = await client.post(path, json={"name": name, **body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def names(client, path: str = "/projects/SEC/types", **params) -> list[str]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return [t["name"] for t in response.json()]


async def test_every_workspace_has_one_standard_with_the_fixed_id(client, other_client):
    for api in (client, other_client):
        [standard] = (await api.get("/types")).json()
        assert (standard["id"], standard["name"], standard["builtin"], standard["project_id"]) == (
            STANDARD_ID, "STANDARD", True, None
        )
        assert (await api.get(f"/types/{STANDARD_ID}")).json() == standard
        assert (await api.get(f"/projects/SEC/types/{STANDARD_ID}")).json() == standard
    # One workspace's change to its STANDARD leaves the other's alone.
    changed = await client.patch(f"/types/{STANDARD_ID}", json={"description": "Ours", "emoji": "📁"})
    assert changed.status_code == 200, changed.text
    assert (await other_client.get(f"/types/{STANDARD_ID}")).json()["description"] == ""


async def test_a_case_may_name_its_type_by_id_and_holds_its_name(client):
    assert (await create(client, type=STANDARD_ID))["type"] == "STANDARD"
    incident = await add(client)
    assert (await create(client, type=incident["id"]))["type"] == "Incident"


async def test_a_workspace_type_is_seen_by_every_project(client):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    await add(client, "Incident", emoji="🔥")
    await add(client, "Local", path="/projects/OPS/types")
    assert await names(client) == ["STANDARD", "Incident"]
    assert await names(client, "/projects/OPS/types") == ["STANDARD", "Incident", "Local"]
    assert await names(client, "/types") == ["STANDARD", "Incident"]
    case = await create(client, project="OPS", type="incident")
    assert case["type"] == "Incident"
    assert_problem(await client.post("/cases", json={"title": "T", "type": "Local"}), 422, "type")


@pytest.mark.parametrize("name", ["incident", "LOCAL", "standard"])
async def test_a_workspace_type_name_is_unique_across_the_workspace(client, name):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    await add(client, "Incident")
    await add(client, "Local", path="/projects/OPS/types")
    assert_problem(await client.post("/types", json={"name": name}), 409)
    assert_problem(await client.post("/projects/SEC/types", json={"name": "INCIDENT"}), 409)
    assert await names(client, "/types") == ["STANDARD", "Incident"]


@pytest.mark.parametrize("emoji", ["", "a b", "x" * 17, 5])
async def test_an_emoji_is_a_short_symbol(client, emoji):
    assert_problem(await client.post("/types", json={"name": "T", "emoji": emoji}), 422, "emoji")


async def test_an_emoji_is_kept_changed_and_removed(client):
    created = await add(client, emoji="🛡️")
    assert created["emoji"] == "🛡️"
    assert (await client.patch(f"/types/{created['id']}", json={"emoji": "🔥"})).json()["emoji"] == "🔥"
    assert (await client.patch(f"/types/{created['id']}", json={"emoji": None})).json()["emoji"] is None


# Soft delete


async def test_a_deleted_type_is_listed_only_when_asked_and_cannot_be_chosen(client):
    incident = await add(client)
    local = await add(client, "Local", path="/projects/SEC/types")
    for path in (f"/types/{incident['id']}", "/projects/SEC/types/local"):
        assert (await client.delete(path)).status_code == 204
    assert await names(client) == ["STANDARD"]
    assert await names(client, include_deleted="true") == ["STANDARD", "Incident", "Local"]
    assert await names(client, "/types", include_deleted="true") == ["STANDARD", "Incident"]
    read_back = (await client.get(f"/types/{local['id']}")).json()
    assert read_back["deleted_at"] is not None
    for name in ("Incident", "Local"):
        assert_problem(await client.post("/cases", json={"title": "T", "type": name}), 422, "type")
    # Its name stays taken, and a deleted type changes no more.
    assert_problem(await client.post("/types", json={"name": "incident"}), 409)
    assert_problem(await client.patch(f"/types/{incident['id']}", json={"description": "x"}), 409)
    assert (await client.delete(f"/types/{incident['id']}")).status_code == 204


async def test_cases_keep_a_deleted_type_and_read_and_change_as_before(client):
    incident = await add(client)
    await client.post(f"/types/{incident['id']}/fields", json={"key": "host", "label": "Host", "type": "text"})
    case = await create(client, type="Incident", fields={"host": "web-1"})
    assert (await client.delete(f"/types/{incident['id']}")).status_code == 204
    assert (await read(client, case))["type"] == "Incident"
    changed = await patch(client, case, {"title": "Still here", "type": "Incident", "fields": {"host": "web-2"}})
    assert (changed["type"], changed["fields"]) == ("Incident", {"host": "web-2"})
    moved = await patch(client, case, {"type": "STANDARD", "fields": {"host": None}})
    assert (moved["type"], moved["fields"]) == ("STANDARD", {})
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"type": "Incident"}), 422, "type")


async def test_standard_is_never_deleted(client):
    assert_problem(await client.delete(f"/types/{STANDARD_ID}"), 409)
    assert await names(client, "/types") == ["STANDARD"]


# Given ids


async def test_an_admin_creates_a_type_with_its_id_once(client, other_client):
    given = str(uuid.uuid4())
    created = await add(client, id=given)
    assert created["id"] == given
    assert (await client.get(f"/types/{given}")).json()["name"] == "Incident"
    assert_problem(await client.post("/types", json={"id": given, "name": "Again"}), 409)
    # Ids are unique across workspaces, and STANDARD's is everyone's.
    assert_problem(await other_client.post("/projects/SEC/types", json={"id": given, "name": "Theirs"}), 409)
    assert_problem(await client.post("/types", json={"id": STANDARD_ID, "name": "Mine"}), 409)
    assert await names(client, "/types") == ["STANDARD", "Incident"]


async def test_only_an_admin_gives_a_type_its_id(client, tenant: Tenant):
    headers = tenant.add_member("manager").headers
    assert_problem(await client.post("/types", json={"id": str(uuid.uuid4()), "name": "T"}, headers=headers), 403)
    assert (await client.post("/types", json={"name": "T"}, headers=headers)).status_code == 201


async def test_an_admin_creates_a_project_with_its_id_once(client, other_client):
    given = str(uuid.uuid4())
    created = await client.post("/projects", json={"id": given, "key": "OPS", "name": "Operations"})
    assert created.status_code == 201, created.text
    assert created.json()["id"] == given
    assert (await client.get(f"/projects/{given}")).json()["key"] == "OPS"
    assert_problem(await client.post("/projects", json={"id": given, "key": "OPS2", "name": "Again"}), 409)
    assert_problem(await other_client.post("/projects", json={"id": given, "key": "OPS", "name": "Theirs"}), 409)
    assert_problem(await client.post("/projects", json={"id": "nope", "key": "OPS3", "name": "X"}), 422, "id")


@pytest.mark.parametrize("role", ["agent", "viewer"])
async def test_only_admins_and_managers_change_workspace_types(client, tenant: Tenant, role):
    incident = await add(client)
    headers = tenant.add_member(role).headers
    assert_problem(await client.post("/types", json={"name": "Mine"}, headers=headers), 403)
    assert_problem(await client.patch(f"/types/{incident['id']}", json={"active": False}, headers=headers), 403)
    assert_problem(await client.delete(f"/types/{incident['id']}", headers=headers), 403)
    assert await names(client, "/types") == ["STANDARD", "Incident"]
    assert (await client.get(f"/types/{incident['id']}", headers=headers)).status_code == 200


async def test_another_workspaces_types_are_not_found(client, other_client):
    incident = await add(client)
    unknown = uuid.uuid4()
    assert_same_not_found(
        await other_client.get(f"/types/{incident['id']}"), incident["id"],
        await other_client.get(f"/types/{unknown}"), unknown,
    )
    assert_problem(await other_client.delete(f"/types/{incident['id']}"), 404)
    assert_problem(await other_client.get(f"/types/{incident['id']}/fields"), 404)
    assert await names(client, "/types") == ["STANDARD", "Incident"]
