"""A project's workflow settings: set by admins and managers (name and description stay admin-only), checked on
the way in, and a deleted project's workflow configuration goes with it."""

import uuid

import pytest
from sqlalchemy import func, select

from casework.workflow.case_types.models import CaseType
from casework.workflow.fields.models import FieldDefinition
from casework.workflow.slas.models import SlaPolicy
from casework.workflow.statuses.models import CaseStatus, StatusTransition
from tests.conftest import Tenant
from tests.helpers import assert_problem

PROJECT = "/projects/SEC"
DEFAULTS = {
    "restrict_transitions": False,
    "resolution_required": False,
    "closed_read_only": True,
    "comments_on_closed": True,
    "sla_warning_percent": 75,
    "closure_conditions": [],
}
CHANGED = {
    "restrict_transitions": True,
    "resolution_required": True,
    "closed_read_only": False,
    "comments_on_closed": False,
    "sla_warning_percent": 90,
    "closure_conditions": [{"name": "assigned", "formula": "=SIZE(team_case.assignees) > 0"}],
}


def settings_of(project: dict) -> dict:
    return {key: project[key] for key in DEFAULTS}


async def project(client, path: str = PROJECT, **kwargs) -> dict:
    response = await client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_new_project_has_the_default_workflow_settings(client):
    assert settings_of(await project(client)) == DEFAULTS
    created = await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    assert settings_of(created.json()) == DEFAULTS
    assert [settings_of(p) for p in (await client.get("/projects")).json()] == [DEFAULTS, DEFAULTS]


@pytest.mark.parametrize("setting", list(CHANGED))
async def test_each_setting_changes_alone(client, setting):
    response = await client.patch(PROJECT, json={setting: CHANGED[setting]})
    assert response.status_code == 200, response.text
    assert settings_of(response.json()) == {**DEFAULTS, setting: CHANGED[setting]}
    assert settings_of(await project(client)) == {**DEFAULTS, setting: CHANGED[setting]}


async def test_settings_change_together_and_back(client):
    response = await client.patch(PROJECT, json=CHANGED)
    assert settings_of(response.json()) == CHANGED
    assert (response.json()["name"], response.json()["key"]) == ("Security", "SEC")
    assert settings_of((await client.patch(PROJECT, json=DEFAULTS)).json()) == DEFAULTS


async def test_project_closure_conditions_are_replaced_as_a_whole(client):
    first = [{"name": "a", "formula": "=1 = 1"}, {"name": "b", "formula": "SIZE(team_case.tags) > 0"}]
    assert (await client.patch(PROJECT, json={"closure_conditions": first})).json()["closure_conditions"] == first
    second = [{"name": "c", "formula": "=TRUE"}]
    assert (await client.patch(PROJECT, json={"closure_conditions": second})).json()["closure_conditions"] == second
    assert (await client.patch(PROJECT, json={"sla_warning_percent": 50})).json()["closure_conditions"] == second
    assert (await client.patch(PROJECT, json={"closure_conditions": []})).json()["closure_conditions"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"sla_warning_percent": 0}, "sla_warning_percent"),
        ({"sla_warning_percent": 100}, "sla_warning_percent"),
        ({"sla_warning_percent": 50.5}, "sla_warning_percent"),
        ({"sla_warning_percent": "half"}, "sla_warning_percent"),
        ({"restrict_transitions": "maybe"}, "restrict_transitions"),
        ({"resolution_required": [True]}, "resolution_required"),
        ({"closed_read_only": {}}, "closed_read_only"),
        ({"comments_on_closed": "sometimes"}, "comments_on_closed"),
        ({"closure_conditions": [{"name": "x", "formula": "=SIZE("}]}, "closure_conditions.0.formula"),
        ({"closure_conditions": [{"name": "", "formula": "=TRUE"}]}, "closure_conditions.0.name"),
        ({"closure_conditions": [{"formula": "=TRUE"}]}, "closure_conditions.0.name"),
        ({"closure_conditions": [{"name": "x", "formula": "=TRUE", "why": 1}]}, "closure_conditions.0.why"),
        ({"closure_conditions": [{"name": "x", "formula": "=TRUE"}, {"name": "x", "formula": "=FALSE"}]}, "closure_conditions"),
        ({"closure_conditions": "=TRUE"}, "closure_conditions"),
        ({"sla_warning": 80}, "sla_warning"),
    ],
)
async def test_bad_settings_are_refused_naming_the_field_and_change_nothing(client, body, field):
    before = await project(client)
    assert_problem(await client.patch(PROJECT, json=body), 422, field)
    assert await project(client) == before


async def test_a_manager_changes_workflow_settings_but_not_name_or_description(client, tenant: Tenant):
    headers = tenant.add_member("manager").headers
    response = await client.patch(PROJECT, json=CHANGED, headers=headers)
    assert response.status_code == 200, response.text
    assert settings_of(response.json()) == CHANGED
    before = await project(client)
    for body in ({"name": "Mine"}, {"description": "Mine"}, {"name": "Mine", "sla_warning_percent": 10}):
        assert_problem(await client.patch(PROJECT, json=body, headers=headers), 403)
    assert await project(client) == before


@pytest.mark.parametrize("role", ["agent", "reviewer", "viewer"])
async def test_agents_reviewers_and_viewers_cannot_change_workflow_settings(client, tenant: Tenant, role):
    headers = tenant.add_member(role).headers
    before = await project(client)
    for body in ({"restrict_transitions": True}, {"sla_warning_percent": 10}, {"closure_conditions": []}):
        assert_problem(await client.patch(PROJECT, json=body, headers=headers), 403)
    assert await project(client, headers=headers) == before


async def test_an_admin_still_renames_a_project_with_its_settings(client):
    response = await client.patch(PROJECT, json={"name": "Security team", "resolution_required": True})
    assert (response.json()["name"], response.json()["resolution_required"]) == ("Security team", True)


async def test_another_workspaces_project_settings_are_not_changed(client, other_client):
    project_id = (await project(client))["id"]
    assert_problem(await other_client.patch(f"/projects/{project_id}", json={"restrict_transitions": True}), 404)
    assert settings_of(await project(client)) == DEFAULTS


async def test_deleting_a_project_removes_its_workflow_configuration(client, tenant: Tenant):
    created = (await client.post("/projects", json={"key": "OPS", "name": "Operations"})).json()
    project_id = uuid.UUID(created["id"])
    base = "/projects/OPS"
    assert (await client.post(f"{base}/statuses", json={"name": "Triage", "group": "open", "category": "new"})).status_code == 201
    assert (await client.put(f"{base}/transitions", json={"transitions": [{"from": "Triage", "to": "Open"}]})).status_code == 200
    assert (await client.post(f"{base}/types", json={"name": "Incident"})).status_code == 201

    def configure(session):  # type: ignore[no-untyped-def]
        session.add(FieldDefinition(workspace_id=tenant.workspace_id, project_id=project_id, key="team", label="Team",
                                    type="text", options=[], default_value=None))
        session.add(SlaPolicy(workspace_id=tenant.workspace_id, project_id=project_id, sla_type="response",
                              priority_rank=1, target_seconds=3600))

    tenant.db.run_sync(configure)

    def remaining(session):  # type: ignore[no-untyped-def]
        tables = (CaseStatus, StatusTransition, CaseType, FieldDefinition, SlaPolicy)
        return [session.scalar(select(func.count()).select_from(t).where(t.project_id == project_id)) for t in tables]

    assert all(tenant.db.run_sync(remaining))
    assert (await client.delete(base)).status_code == 204, "an empty project is deleted with its configuration"
    assert tenant.db.run_sync(remaining) == [0, 0, 0, 0, 0]
    assert len((await client.get("/projects/SEC/statuses")).json()) == 7  # other projects keep theirs

    again = await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    assert again.status_code == 201
    assert [s["name"] for s in (await client.get(f"{base}/statuses")).json()] == [
        "New", "Open", "In progress", "Pending", "On hold", "Resolved", "Closed"
    ]
    assert [t["name"] for t in (await client.get(f"{base}/types")).json()] == ["STANDARD"]
