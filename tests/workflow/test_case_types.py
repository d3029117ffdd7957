"""A project's case types: the built-in STANDARD kept as it is, names unique whatever their case, types held by
cases not renamed, prefills checked when saved, and who may change them."""

import uuid

import pytest
from sqlalchemy import insert

from casework.db.base import new_id, utcnow
from casework.errors import InvalidInput
from casework.projects.models import Project
from casework.workflow.case_types.models import CaseType
from casework.workflow.case_types.schemas import MAX_TYPES_PER_PROJECT
from casework.workflow.case_types.service import resolve_type
from casework.workflow.fields.models import FieldDefinition
from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_same_not_found, create

TYPES = "/projects/SEC/types"


async def types(client, path: str = TYPES, **kwargs) -> list[dict]:
    response = await client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def add(client, name: str = "Incident", **body) -> dict:
    response = await client.post(TYPES, json={"name": name, **body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def define_text_field(tenant: Tenant, key: str = "team", active: bool = True) -> None:
    def work(session):  # type: ignore[no-untyped-def]
        session.add(
            FieldDefinition(
                workspace_id=tenant.workspace_id, project_id=tenant.project_id, key=key, label=key.title(),
                type="text", options=[], default_value=None, active=active,
            )
        )

    tenant.db.run_sync(work)


# The built-in type


async def test_a_new_project_has_the_builtin_standard_type(client):
    [standard] = await types(client)
    assert (standard["name"], standard["builtin"], standard["active"]) == ("STANDARD", True, True)
    assert (standard["description"], standard["prefill"]) == ("", {})
    uuid.UUID(standard["id"])


async def test_standard_is_never_renamed_deactivated_or_deleted(client):
    before = await types(client)
    for change in ({"name": "BASIC"}, {"active": False}):
        body = assert_problem(await client.patch(f"{TYPES}/STANDARD", json=change), 409)
        assert "STANDARD" in body["detail"]
    assert_problem(await client.delete(f"{TYPES}/standard"), 409)
    assert await types(client) == before


async def test_standards_description_and_prefill_may_change(client):
    response = await client.patch(f"{TYPES}/STANDARD", json={"description": "Anything", "prefill": {"severity": "medium"}})
    assert response.status_code == 200, response.text
    assert (response.json()["description"], response.json()["prefill"]) == ("Anything", {"severity": "medium"})
    same_name = await client.patch(f"{TYPES}/STANDARD", json={"name": "STANDARD", "active": True})
    assert same_name.status_code == 200, same_name.text


# Creating and changing


async def test_a_type_keeps_its_name_as_given_and_only_what_its_prefill_sets(client):
    created = await add(client, "Phishing", description="Mail-borne", prefill={"priority": "P2", "tags": ["mail"]})
    assert (created["name"], created["description"], created["builtin"], created["active"]) == ("Phishing", "Mail-borne", False, True)
    assert created["prefill"] == {"priority": "P2", "tags": ["mail"]}
    assert (await client.get(f"{TYPES}/{created['id']}")).json() == created
    assert (await client.get(f"{TYPES}/PHISHING")).json() == created
    assert [t["name"] for t in await types(client)] == ["STANDARD", "Phishing"]


async def test_types_are_listed_standard_first_then_by_name(client):
    for name in ("zeta", "Alpha", "midway"):
        await add(client, name)
    assert [t["name"] for t in await types(client)] == ["STANDARD", "Alpha", "midway", "zeta"]


async def test_a_full_prefill_is_kept(client):
    prefill = {
        "description": "Check the headers first.",
        "priority": "P1",
        "severity": "critical",
        "tags": ["mail", "phishing"],
        "fields": {},
        "closure_conditions": [{"name": "assigned", "formula": "=SIZE(team_case.assignees) > 0"}],
    }
    assert (await add(client, prefill=prefill))["prefill"] == prefill


@pytest.mark.parametrize("name", ["incident", "INCIDENT", " Incident ", "standard"])
async def test_a_type_name_is_unique_in_the_project_whatever_its_case(client, name):
    await add(client, "Incident")
    before = await types(client)
    assert_problem(await client.post(TYPES, json={"name": name}), 409)
    assert await types(client) == before


async def test_a_type_cannot_be_renamed_to_another_types_name(client):
    await add(client, "Incident")
    await add(client, "Phishing")
    assert_problem(await client.patch(f"{TYPES}/Phishing", json={"name": "INCIDENT"}), 409)
    renamed = await client.patch(f"{TYPES}/Phishing", json={"name": "PHISHING"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "PHISHING"


async def test_the_same_type_name_may_exist_in_another_project(client):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    await add(client, "Incident")
    assert (await client.post("/projects/OPS/types", json={"name": "incident"})).status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "X", "description": "d" * 2001}, "description"),
        ({"name": "X", "active": "sometimes"}, "active"),
        ({"name": "X", "builtin": True}, "builtin"),
        ({"name": "X", "prefill": {"priority": "P9"}}, "prefill.priority"),
        ({"name": "X", "prefill": {"severity": "urgent"}}, "prefill.severity"),
        ({"name": "X", "prefill": {"tags": ["a", "a"]}}, "prefill.tags"),
        ({"name": "X", "prefill": {"title": "Not prefillable"}}, "prefill.title"),
        ({"name": "X", "prefill": {"closure_conditions": [{"name": "c", "formula": "=SIZE("}]}},
         "prefill.closure_conditions.0.formula"),
        ({"name": "X", "prefill": {"fields": {"nowhere": "x"}}}, "prefill.fields.nowhere"),
        ({"name": "X", "prefill": []}, "prefill"),
    ],
    ids=["no-name", "empty", "blank", "long", "long-description", "bad-active", "builtin", "priority", "severity",
         "repeated-tag", "unknown-prefill", "formula", "unknown-field", "prefill-list"],
)
async def test_bad_type_input_is_refused_naming_the_field(client, body, field):
    before = await types(client)
    assert_problem(await client.post(TYPES, json=body), 422, field)
    assert await types(client) == before


async def test_prefill_fields_are_checked_against_the_projects_definitions(client, tenant: Tenant):
    define_text_field(tenant, "team")
    define_text_field(tenant, "legacy", active=False)
    created = await add(client, prefill={"fields": {"team": "blue"}})
    assert created["prefill"]["fields"] == {"team": "blue"}
    assert_problem(await client.post(TYPES, json={"name": "X", "prefill": {"fields": {"team": 7}}}), 422, "prefill.fields.team")
    assert_problem(await client.post(TYPES, json={"name": "X", "prefill": {"fields": {"legacy": "x"}}}), 422, "prefill.fields.legacy")
    changed = await client.patch(f"{TYPES}/Incident", json={"prefill": {"fields": {"legacy": "x"}}})
    assert_problem(changed, 422, "prefill.fields.legacy")


async def test_a_new_prefill_replaces_the_whole_former_one(client):
    await add(client, prefill={"priority": "P2", "tags": ["mail"]})
    response = await client.patch(f"{TYPES}/Incident", json={"prefill": {"severity": "high"}})
    assert response.json()["prefill"] == {"severity": "high"}
    untouched = await client.patch(f"{TYPES}/Incident", json={"description": "Other"})
    assert untouched.json()["prefill"] == {"severity": "high"}
    cleared = await client.patch(f"{TYPES}/Incident", json={"prefill": {}})
    assert cleared.json()["prefill"] == {}


async def test_a_type_is_deactivated_and_reactivated(client):
    await add(client)
    off = await client.patch(f"{TYPES}/incident", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    on = await client.patch(f"{TYPES}/incident", json={"active": True})
    assert on.json()["active"] is True


async def test_an_unknown_type_is_not_found(client):
    for response in (
        await client.get(f"{TYPES}/Nothing"),
        await client.get(f"{TYPES}/{uuid.uuid4()}"),
        await client.patch(f"{TYPES}/Nothing", json={"active": False}),
        await client.delete(f"{TYPES}/Nothing"),
    ):
        assert_problem(response, 404)


async def test_a_project_holds_at_most_a_hundred_types_of_its_own(client, tenant: Tenant):
    def fill(session):  # type: ignore[no-untyped-def]
        now = utcnow()
        rows = [
            {"id": new_id(), "workspace_id": tenant.workspace_id, "project_id": tenant.project_id, "name": f"T{i}",
             "description": "", "prefill": {}, "builtin": False, "active": True, "created_at": now, "updated_at": now}
            for i in range(MAX_TYPES_PER_PROJECT)
        ]
        session.execute(insert(CaseType.__table__), rows)

    tenant.db.run_sync(fill)
    assert_problem(await client.post(TYPES, json={"name": "One more"}), 422, "name")
    assert len(await types(client)) == MAX_TYPES_PER_PROJECT + 1  # and the workspace's STANDARD


# Types held by cases


async def test_a_type_held_by_cases_is_not_renamed_but_may_be_deactivated(client):
    await add(client)
    await create(client, type="Incident")
    await create(client, type="incident")
    body = assert_problem(await client.patch(f"{TYPES}/Incident", json={"name": "Security incident"}), 409)
    assert "used by cases" in body["detail"]
    off = await client.patch(f"{TYPES}/Incident", json={"active": False, "description": "Retired"})
    assert off.status_code == 200, off.text
    assert (off.json()["name"], off.json()["active"]) == ("Incident", False)


async def test_cases_name_a_type_in_any_case_and_hold_its_stored_name(client):
    await add(client, "Phishing")
    assert (await create(client, type="PHISHING"))["type"] == "Phishing"
    assert (await create(client))["type"] == "STANDARD"


async def test_cases_cannot_take_an_unknown_or_inactive_type(client):
    await add(client, "Retired", active=False)
    for name in ("Retired", "Unknown"):
        assert_problem(await client.post("/cases", json={"title": "T", "type": name}), 422, "type")


async def test_a_new_case_takes_what_its_type_prefills_unless_it_sets_it(client):
    await add(client, "Phishing", prefill={"priority": "P2", "severity": "high", "tags": ["mail"]})
    prefilled = await create(client, type="Phishing")
    assert (prefilled["priority"], prefilled["severity"], prefilled["tags"]) == ("P2", "high", ["mail"])
    given = await create(client, type="Phishing", priority="P5", tags=[])
    assert (given["priority"], given["severity"], given["tags"]) == ("P5", "high", [])


def test_resolve_type_matches_any_case_and_refuses_unknown_and_inactive_types(tenant: Tenant):
    def work(session):  # type: ignore[no-untyped-def]
        now = utcnow()
        for name, active in (("Phishing", True), ("Retired", False)):
            session.add(CaseType(workspace_id=tenant.workspace_id, project_id=tenant.project_id, name=name,
                                 description="", prefill={}, active=active, created_at=now, updated_at=now))
        session.flush()
        project = session.get(Project, tenant.project_id)
        found = [resolve_type(session, project, name).name for name in ("phishing", "Phishing", "standard")]
        refused = []
        for name in ("Retired", "retired", "Nothing"):
            with pytest.raises(InvalidInput) as caught:
                resolve_type(session, project, name)
            refused.append([e.field for e in caught.value.errors])
        return found, refused

    found, refused = tenant.db.run_sync(work)
    assert found == ["Phishing", "Phishing", "STANDARD"]
    assert refused == [["type"], ["type"], ["type"]]


# Who may do what


@pytest.mark.parametrize("role", ["agent", "reviewer", "viewer"])
async def test_only_admins_and_managers_change_types(client, tenant: Tenant, role):
    await add(client)
    headers = tenant.add_member(role).headers
    before = await types(client)
    assert_problem(await client.post(TYPES, json={"name": "Mine"}, headers=headers), 403)
    assert_problem(await client.patch(f"{TYPES}/Incident", json={"active": False}, headers=headers), 403)
    assert_problem(await client.delete(f"{TYPES}/Incident", headers=headers), 403)
    assert await types(client, headers=headers) == before
    assert (await client.get(f"{TYPES}/Incident", headers=headers)).status_code == 200


async def test_a_manager_configures_types(client, tenant: Tenant):
    headers = tenant.add_member("manager").headers
    assert (await client.post(TYPES, json={"name": "Mine"}, headers=headers)).status_code == 201
    assert (await client.patch(f"{TYPES}/Mine", json={"active": False}, headers=headers)).status_code == 200
    assert (await client.delete(f"{TYPES}/Mine", headers=headers)).status_code == 204


async def test_another_workspaces_types_are_not_found(client, other_client):
    created = await add(client, "Mine")
    assert [t["name"] for t in await types(other_client)] == ["STANDARD"]  # its own project SEC
    project_id = (await client.get("/projects/SEC")).json()["id"]
    unknown = uuid.uuid4()
    assert_same_not_found(
        await other_client.get(f"/projects/{project_id}/types"), project_id,
        await other_client.get(f"/projects/{unknown}/types"), unknown,
    )
    for response in (
        await other_client.post(f"/projects/{project_id}/types", json={"name": "Theirs"}),
        await other_client.patch(f"/projects/{project_id}/types/{created['id']}", json={"active": False}),
        await other_client.delete(f"/projects/{project_id}/types/Mine"),
        await other_client.get(f"{TYPES}/{created['id']}"),
    ):
        assert_problem(response, 404)
    assert (await client.get(f"{TYPES}/Mine")).json() == created
