"""Projects: admins create, rename and delete them (only while empty); everyone in the workspace lists them."""

import uuid

import httpx
import pytest

from tests.conftest import Tenant, make_tenant
from tests.helpers import assert_problem, assert_same_not_found


async def create_project(client: httpx.AsyncClient, key: str = "OPS", name: str = "Operations", **body) -> dict:
    response = await client.post("/projects", json={"key": key, "name": name, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def project_list(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> list[dict]:
    response = await client.get("/projects", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# Creating


async def test_admin_creates_a_project(client):
    created = await create_project(client, "OPS", "Operations", description="Day-to-day work")
    assert (created["key"], created["name"], created["description"]) == ("OPS", "Operations", "Day-to-day work")
    uuid.UUID(created["id"])
    assert created["created_at"] and created["updated_at"]


async def test_description_defaults_to_empty(client):
    assert (await create_project(client))["description"] == ""


@pytest.mark.parametrize("key", ["AB", "A1", "INCIDENT99", "Z0Z0Z0Z0Z0"])
async def test_project_keys_matching_the_pattern_are_accepted(client, key):
    assert (await create_project(client, key))["key"] == key


@pytest.mark.parametrize(
    "key",
    ["A", "ops", "Ops", "1AB", "_AB", "AB-1", "AB C", "ABCDEFGHIJK", "", "ÄBC", "AB\n"],
    ids=["one-char", "lower", "mixed", "digit-first", "underscore", "dash", "space", "eleven", "empty", "umlaut",
         "newline"],
)
async def test_project_keys_off_the_pattern_are_rejected_naming_key(client, key):
    before = await project_list(client)
    assert_problem(await client.post("/projects", json={"key": key, "name": "X"}), 422, "key")
    assert await project_list(client) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"key": "OPS"}, "name"),
        ({"key": "OPS", "name": "  "}, "name"),
        ({"key": "OPS", "name": "x" * 161}, "name"),
        ({"key": "OPS", "name": "X", "description": "x" * 2001}, "description"),
        ({"key": "OPS", "name": "X", "owner": "me"}, "owner"),
        ({"name": "X"}, "key"),
    ],
    ids=["no-name", "blank-name", "long-name", "long-description", "unknown-field", "no-key"],
)
async def test_bad_project_input_is_rejected_naming_the_field(client, body, field):
    assert_problem(await client.post("/projects", json=body), 422, field)


async def test_duplicate_key_is_a_conflict(client):
    await create_project(client, "OPS")
    before = await project_list(client)
    assert_problem(await client.post("/projects", json={"key": "OPS", "name": "Again"}), 409)
    assert await project_list(client) == before


async def test_the_tenants_own_project_key_is_taken(client):
    assert_problem(await client.post("/projects", json={"key": "SEC", "name": "Again"}), 409)


async def test_the_same_key_may_exist_in_another_workspace(client, db):
    make_tenant(db, "OPS")
    assert (await create_project(client, "OPS"))["key"] == "OPS"


# Reading


async def test_projects_are_listed_in_creation_order(client, tenant):
    first = await create_project(client, "AAA")
    second = await create_project(client, "ZZZ")
    third = await create_project(client, "MMM")
    assert [p["id"] for p in await project_list(client)] == [str(tenant.project_id), first["id"], second["id"], third["id"]]


async def test_a_project_is_found_by_id_and_by_key(client):
    created = await create_project(client, "OPS")
    by_id = await client.get(f"/projects/{created['id']}")
    by_key = await client.get("/projects/OPS")
    assert by_id.status_code == by_key.status_code == 200
    assert by_id.json() == by_key.json() == created


async def test_a_key_lookup_ignores_case(client):
    created = await create_project(client, "OPS")
    response = await client.get("/projects/ops")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == created["id"]


@pytest.mark.parametrize("ref", ["NOPE", str(uuid.uuid4())], ids=["key", "id"])
async def test_an_unknown_project_is_not_found(client, ref):
    assert_problem(await client.get(f"/projects/{ref}"), 404)


# Changing


async def test_admin_renames_a_project_and_changes_its_description(client):
    created = await create_project(client, "OPS", "Operations")
    changed = await client.patch("/projects/OPS", json={"name": "Ops team", "description": "Runbooks"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["description"]) == ("Ops team", "Runbooks")
    assert changed.json()["key"] == "OPS"
    assert changed.json()["updated_at"] >= created["updated_at"]
    fetched = (await client.get(f"/projects/{created['id']}")).json()
    assert (fetched["name"], fetched["description"]) == ("Ops team", "Runbooks")


async def test_a_project_patch_changes_only_the_fields_it_names(client):
    await create_project(client, "OPS", "Operations", description="Keep me")
    changed = (await client.patch("/projects/OPS", json={"name": "Renamed"})).json()
    assert changed["description"] == "Keep me"


@pytest.mark.parametrize(
    "body, field",
    [({"key": "NEW"}, "key"), ({"name": ""}, "name"), ({"description": "x" * 2001}, "description")],
    ids=["key-is-fixed", "blank-name", "long-description"],
)
async def test_bad_project_change_is_rejected_naming_the_field(client, body, field):
    created = await create_project(client, "OPS")
    assert_problem(await client.patch("/projects/OPS", json=body), 422, field)
    assert (await client.get("/projects/OPS")).json() == created


async def test_changing_an_unknown_project_is_not_found(client):
    assert_problem(await client.patch("/projects/NOPE", json={"name": "X"}), 404)


# Deleting


async def test_an_empty_project_can_be_deleted(client):
    created = await create_project(client, "OPS")
    deleted = await client.delete(f"/projects/{created['id']}")
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert_problem(await client.get(f"/projects/{created['id']}"), 404)
    assert created["id"] not in {p["id"] for p in await project_list(client)}


async def test_a_project_can_be_deleted_by_key(client):
    await create_project(client, "OPS")
    assert (await client.delete("/projects/OPS")).status_code == 204
    assert_problem(await client.get("/projects/OPS"), 404)


async def test_a_project_with_cases_cannot_be_deleted(client):
    created = await create_project(client, "OPS")
    case = await client.post("/cases", json={"title": "X", "project": "OPS"})
    assert case.status_code == 201, case.text
    statuses = (await client.get("/projects/OPS/statuses")).json()
    assert_problem(await client.delete(f"/projects/{created['id']}"), 409)
    assert (await client.get(f"/projects/{created['id']}")).status_code == 200
    assert (await client.get(f"/cases/{case.json()['id']}")).status_code == 200
    # The refused delete took none of the project's configuration with it.
    assert (await client.get("/projects/OPS/statuses")).json() == statuses
    again = await client.post("/cases", json={"title": "Y", "project": "OPS", "status": "closed"})
    assert again.status_code == 201, again.text


async def test_archived_cases_still_keep_their_project(client):
    await create_project(client, "OPS")
    case = (await client.post("/cases", json={"title": "X", "project": "OPS"})).json()
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    assert_problem(await client.delete("/projects/OPS"), 409)


async def test_a_deleted_projects_key_can_be_used_again_and_numbers_cases_afresh(client):
    await create_project(client, "OPS")
    assert (await client.delete("/projects/OPS")).status_code == 204
    again = await create_project(client, "OPS")
    case = await client.post("/cases", json={"title": "X", "project": "OPS"})
    assert case.status_code == 201, case.text
    assert case.json()["key"] == "OPS-1"
    assert case.json()["project_id"] == again["id"]


async def test_deleting_an_unknown_project_is_not_found(client):
    assert_problem(await client.delete(f"/projects/{uuid.uuid4()}"), 404)


async def test_cases_are_keyed_by_their_project(client):
    await create_project(client, "OPS")
    case = await client.post("/cases", json={"title": "X", "project": "ops"})
    assert case.status_code == 201, case.text
    assert case.json()["key"] == "OPS-1"


# Permissions

NON_ADMINS = ["manager", "agent", "reviewer", "viewer"]


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_non_admins_list_and_read_projects(client, tenant, role):
    member = tenant.add_member(role)
    assert [p["id"] for p in await project_list(client, member.headers)] == [str(tenant.project_id)]
    assert (await client.get("/projects/SEC", headers=member.headers)).status_code == 200


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_non_admins_cannot_create_projects(client, tenant, role):
    member = tenant.add_member(role)
    assert_problem(await client.post("/projects", json={"key": "OPS", "name": "X"}, headers=member.headers), 403)
    assert_problem(await client.get("/projects/OPS"), 404)


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_non_admins_cannot_change_projects(client, tenant, role):
    member = tenant.add_member(role)
    assert_problem(await client.patch("/projects/SEC", json={"name": "Mine"}, headers=member.headers), 403)
    assert (await client.get("/projects/SEC")).json()["name"] == "Security"


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_non_admins_cannot_delete_projects(client, tenant, role):
    await create_project(client, "OPS")
    member = tenant.add_member(role)
    assert_problem(await client.delete("/projects/OPS", headers=member.headers), 403)
    assert (await client.get("/projects/OPS")).status_code == 200


async def test_an_admin_without_the_admin_scope_cannot_create_projects(client, tenant):
    admin = tenant.add_member("admin", ["cases:read", "cases:write"])
    assert_problem(await client.post("/projects", json={"key": "OPS", "name": "X"}, headers=admin.headers), 403)


async def test_a_token_without_cases_read_cannot_list_projects(client, tenant):
    writer = tenant.add_member("agent", ["cases:write"])
    assert_problem(await client.get("/projects", headers=writer.headers), 403)


# Other workspaces


@pytest.fixture
def other(db) -> Tenant:
    """Here the other workspace's project has a key of its own, to look it up by."""
    return make_tenant(db, "OTH")


async def test_projects_list_holds_only_the_workspaces_projects(client, tenant, other):
    assert [p["id"] for p in await project_list(client)] == [str(tenant.project_id)]


@pytest.mark.parametrize("by", ["id", "key"])
@pytest.mark.parametrize(
    "method, body", [("GET", None), ("PATCH", {"name": "Taken over"}), ("DELETE", None)], ids=["get", "patch", "delete"]
)
async def test_another_workspaces_project_answers_like_an_unknown_one(client, other, method, body, by):
    foreign_ref = str(other.project_id) if by == "id" else "OTH"
    unknown_ref = str(uuid.uuid4()) if by == "id" else "NOPE"
    foreign = await client.request(method, f"/projects/{foreign_ref}", json=body)
    control = await client.request(method, f"/projects/{unknown_ref}", json=body)
    assert_same_not_found(foreign, foreign_ref, control, unknown_ref)
    theirs = await client.get(f"/projects/{other.project_id}", headers=other.admin.headers)
    assert theirs.status_code == 200
    assert theirs.json()["name"] == "Security"


async def test_a_case_cannot_be_filed_in_another_workspaces_project_by_key(client, other):
    foreign = await client.post("/cases", json={"title": "X", "project": "OTH"})
    control = await client.post("/cases", json={"title": "X", "project": "NOPE"})
    assert_same_not_found(foreign, "OTH", control, "NOPE")
