"""Projects through the client (create, list, get, rename, delete) and moving a case by its project relationship,
whose errors are JSON:API error objects."""

import uuid

import pytest
from datadog_api_client.exceptions import ApiException, NotFoundException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.auto_close_inactive_cases import AutoCloseInactiveCases
from datadog_api_client.v2.model.integration_jira import IntegrationJira
from datadog_api_client.v2.model.integration_jira_metadata import IntegrationJiraMetadata
from datadog_api_client.v2.model.project_columns_config import ProjectColumnsConfig
from datadog_api_client.v2.model.project_columns_config_columns_items import ProjectColumnsConfigColumnsItems
from datadog_api_client.v2.model.project_columns_config_columns_items_sort import ProjectColumnsConfigColumnsItemsSort
from datadog_api_client.v2.model.project_create import ProjectCreate
from datadog_api_client.v2.model.project_create_attributes import ProjectCreateAttributes
from datadog_api_client.v2.model.project_create_request import ProjectCreateRequest
from datadog_api_client.v2.model.project_relationship import ProjectRelationship
from datadog_api_client.v2.model.project_relationship_data import ProjectRelationshipData
from datadog_api_client.v2.model.project_notification_settings import ProjectNotificationSettings
from datadog_api_client.v2.model.project_resource_type import ProjectResourceType
from datadog_api_client.v2.model.project_settings import ProjectSettings
from datadog_api_client.v2.model.project_update import ProjectUpdate
from datadog_api_client.v2.model.project_update_attributes import ProjectUpdateAttributes
from datadog_api_client.v2.model.project_update_request import ProjectUpdateRequest
from sqlalchemy import select

from casework.vendor_settings.models import VendorSetting
from tests.conftest import Tenant
from tests.dialects.datadog.conftest import new_case, unparsed_parts
from tests.helpers import api_client

PROJECT = ProjectResourceType.PROJECT


def project_request(key: str, name: str) -> ProjectCreateRequest:
    return ProjectCreateRequest(
        data=ProjectCreate(type=PROJECT, attributes=ProjectCreateAttributes(key=key, name=name))
    )


def to_project(project_id: str) -> ProjectRelationship:
    return ProjectRelationship(data=ProjectRelationshipData(id=project_id, type=PROJECT))


async def test_projects_are_created_listed_read_renamed_and_deleted(app, cases_api: CaseManagementApi, tenant: Tenant):
    created = cases_api.create_project(project_request("OPS", "Operations"))
    assert unparsed_parts(created) == []
    project = created.data
    assert (project.type, project.attributes.key, project.attributes.name) == (PROJECT, "OPS", "Operations")
    listed = cases_api.get_projects()
    assert unparsed_parts(listed) == []
    assert [p.attributes.key for p in listed.data] == ["SEC", "OPS"]
    assert cases_api.get_project(project.id).to_dict() == created.to_dict()
    rename = ProjectUpdateRequest(data=ProjectUpdate(type=PROJECT, attributes=ProjectUpdateAttributes(name="Ops team")))
    assert cases_api.update_project(project.id, rename).data.attributes.name == "Ops team"
    async with api_client(app, tenant.admin.headers) as client:
        native = (await client.get(f"/projects/{project.id}")).json()
    assert (native["key"], native["name"]) == ("OPS", "Ops team")
    cases_api.delete_project(project.id)
    with pytest.raises(NotFoundException):
        cases_api.get_project(project.id)


def test_a_taken_key_is_a_409_and_a_bad_one_a_400(cases_api: CaseManagementApi, datadog_http):
    with pytest.raises(ApiException) as raised:
        cases_api.create_project(project_request("SEC", "Again"))
    assert raised.value.status == 409
    bad = {"data": {"type": "project", "attributes": {"key": "lower", "name": "Bad"}}}
    response = datadog_http.post("/api/v2/cases/projects", json=bad)
    assert response.status_code == 400 and "key" in response.json()["errors"][0]
    wrong_type = {"data": {"type": "case", "attributes": {"key": "GOOD", "name": "Good"}}}
    assert datadog_http.post("/api/v2/cases/projects", json=wrong_type).status_code == 400


def test_a_project_with_cases_is_not_deleted(cases_api: CaseManagementApi, tenant: Tenant):
    cases_api.create_case(new_case(tenant.project_id))
    with pytest.raises(ApiException) as raised:
        cases_api.delete_project(str(tenant.project_id))
    assert raised.value.status == 409
    assert isinstance(raised.value.body["errors"][0], str)
    assert cases_api.get_project(str(tenant.project_id)).data.attributes.key == "SEC"


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_project_ids_must_be_uuids_and_unknown_ones_are_404(datadog_http, method: str):
    body = {"data": {"type": "project", "attributes": {"name": "x"}}} if method == "patch" else None
    not_uuid = datadog_http.request(method.upper(), "/api/v2/cases/projects/SEC", json=body)
    assert not_uuid.status_code == 400
    unknown = datadog_http.request(method.upper(), f"/api/v2/cases/projects/{uuid.uuid4()}", json=body)
    assert unknown.status_code == 404
    assert isinstance(unknown.json()["errors"][0], str)


async def test_a_case_moves_by_its_project_relationship(app, cases_api: CaseManagementApi, tenant: Tenant):
    target = cases_api.create_project(project_request("OPS", "Operations")).data.id
    case = cases_api.create_case(new_case(tenant.project_id)).data
    moved = cases_api.move_case_to_project(case.attributes.key, to_project(target))
    assert unparsed_parts(moved) == []
    assert moved.data.id == case.id
    assert moved.data.relationships.project.data.id == target
    assert moved.data.attributes.key == "OPS-1"
    assert cases_api.get_case("OPS-1").data.id == case.id
    async with api_client(app, tenant.admin.headers) as client:
        log = (await client.get(f"/cases/{case.id}/activity")).json()["items"]
    assert {entry["source"] for entry in log} == {"datadog"}


def test_moving_answers_its_errors_as_jsonapi_objects(datadog_http, cases_api: CaseManagementApi, tenant: Tenant):
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    with pytest.raises(NotFoundException) as raised:
        cases_api.move_case_to_project(key, to_project(str(uuid.uuid4())))
    (error,) = raised.value.body["errors"]
    assert error["status"] == "404" and "project" in error["detail"] and error["title"]
    with pytest.raises(NotFoundException) as raised:
        cases_api.move_case_to_project("SEC-404", to_project(str(tenant.project_id)))
    assert "case" in raised.value.body["errors"][0]["detail"]
    wrong_type = datadog_http.patch(
        f"/api/v2/cases/{key}/relationships/project", json={"data": {"id": str(tenant.project_id), "type": "case"}}
    )
    assert wrong_type.status_code == 400
    (error,) = wrong_type.json()["errors"]
    assert error["status"] == "400" and "data.type" in error["detail"]


def test_teams_case_types_columns_and_settings_are_kept_changed_and_deleted_with_the_project(
    db, cases_api: CaseManagementApi, tenant: Tenant
):
    team, case_type = str(uuid.uuid4()), str(uuid.uuid4())
    attributes = ProjectCreateAttributes(key="OPS", name="Operations", team_uuid=team, enabled_custom_case_types=[case_type])
    created = cases_api.create_project(ProjectCreateRequest(data=ProjectCreate(type=PROJECT, attributes=attributes)))
    assert unparsed_parts(created) == []
    project = created.data
    assert project.attributes.enabled_custom_case_types == [case_type]
    assert [(t.id, str(t.type)) for t in project.relationships.member_team.data] == [(team, "team_links")]
    settings = ProjectSettings(
        auto_close_inactive_cases=AutoCloseInactiveCases(enabled=True, max_inactive_time_in_secs=86400),
        notification=ProjectNotificationSettings(enabled=True, notify_on_case_closed=True, destinations=[1, 3]),
        integration_jira=IntegrationJira(enabled=True, metadata=IntegrationJiraMetadata(account_id="a1", project_id="p1")),
    )
    by_status = ProjectColumnsConfigColumnsItemsSort(ascending=True, priority=1)
    columns = ProjectColumnsConfig(
        columns=[ProjectColumnsConfigColumnsItems(type="status", sort_field="status", sort=by_status)]
    )
    change = ProjectUpdateAttributes(settings=settings, columns_config=columns)
    updated = cases_api.update_project(project.id, ProjectUpdateRequest(data=ProjectUpdate(type=PROJECT, attributes=change)))
    assert unparsed_parts(updated) == []
    for answer in (updated.data, cases_api.get_project(project.id).data):
        assert answer.attributes.settings.to_dict() == settings.to_dict()
        assert answer.attributes.columns_config.to_dict() == columns.to_dict()
        assert answer.attributes.enabled_custom_case_types == [case_type]  # kept: the update did not give them
        assert answer.relationships.member_team.data[0].id == team
    listed = {p.attributes.key: p for p in cases_api.get_projects().data}
    assert listed["OPS"].attributes.settings.to_dict() == settings.to_dict()
    assert listed["SEC"].attributes.to_dict()["settings"] == {} and "relationships" not in listed["SEC"].to_dict()
    renamed = ProjectUpdateAttributes(name="Ops", enabled_custom_case_types=[])
    after = cases_api.update_project(project.id, ProjectUpdateRequest(data=ProjectUpdate(type=PROJECT, attributes=renamed)))
    assert (after.data.attributes.name, after.data.attributes.enabled_custom_case_types) == ("Ops", [])
    assert after.data.attributes.settings.to_dict() == settings.to_dict()

    def documents(session):  # type: ignore[no-untyped-def]
        query = select(VendorSetting.scope).where(VendorSetting.workspace_id == tenant.workspace_id)
        return list(session.scalars(query))

    assert db.run_sync(documents) == [f"project:{project.id}"]
    cases_api.delete_project(project.id)
    assert db.run_sync(documents) == []


def test_project_settings_of_the_wrong_shape_are_a_400(datadog_http, tenant: Tenant):
    for attributes in (
        {"settings": {"notification": {"enabled": "often"}}},
        {"columns_config": {"columns": "all"}},
        {"enabled_custom_case_types": ["not-a-uuid"]},
        {"team_uuid": "team"},
    ):
        body = {"data": {"type": "project", "attributes": attributes}}
        response = datadog_http.patch(f"/api/v2/cases/projects/{tenant.project_id}", json=body)
        assert response.status_code == 400, (attributes, response.text)
    assert datadog_http.get(f"/api/v2/cases/projects/{tenant.project_id}").json()["data"]["attributes"]["settings"] == {}
