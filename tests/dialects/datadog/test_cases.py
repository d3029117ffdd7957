"""Creating, reading and changing cases through the official client's CaseManagementApi, on both databases; what
Datadog changes reads the same through the native API, logged with the source `datadog`."""

import datetime
import uuid

import pytest
from datadog_api_client.exceptions import ApiException, NotFoundException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_assign import CaseAssign
from datadog_api_client.v2.model.case_assign_attributes import CaseAssignAttributes
from datadog_api_client.v2.model.case_assign_request import CaseAssignRequest
from datadog_api_client.v2.model.case_empty import CaseEmpty
from datadog_api_client.v2.model.case_empty_request import CaseEmptyRequest
from datadog_api_client.v2.model.case_object_attributes import CaseObjectAttributes
from datadog_api_client.v2.model.case_priority import CasePriority
from datadog_api_client.v2.model.case_resource_type import CaseResourceType
from datadog_api_client.v2.model.case_status import CaseStatus
from datadog_api_client.v2.model.case_update_attributes import CaseUpdateAttributes
from datadog_api_client.v2.model.case_update_attributes_attributes import CaseUpdateAttributesAttributes
from datadog_api_client.v2.model.case_update_attributes_request import CaseUpdateAttributesRequest
from datadog_api_client.v2.model.case_update_custom_attribute import CaseUpdateCustomAttribute
from datadog_api_client.v2.model.case_update_custom_attribute_request import CaseUpdateCustomAttributeRequest
from datadog_api_client.v2.model.case_update_description import CaseUpdateDescription
from datadog_api_client.v2.model.case_update_description_attributes import CaseUpdateDescriptionAttributes
from datadog_api_client.v2.model.case_update_description_request import CaseUpdateDescriptionRequest
from datadog_api_client.v2.model.case_update_due_date import CaseUpdateDueDate
from datadog_api_client.v2.model.case_update_due_date_attributes import CaseUpdateDueDateAttributes
from datadog_api_client.v2.model.case_update_due_date_request import CaseUpdateDueDateRequest
from datadog_api_client.v2.model.case_update_priority import CaseUpdatePriority
from datadog_api_client.v2.model.case_update_priority_attributes import CaseUpdatePriorityAttributes
from datadog_api_client.v2.model.case_update_priority_request import CaseUpdatePriorityRequest
from datadog_api_client.v2.model.case_update_resolved_reason import CaseUpdateResolvedReason
from datadog_api_client.v2.model.case_update_resolved_reason_attributes import CaseUpdateResolvedReasonAttributes
from datadog_api_client.v2.model.case_update_resolved_reason_request import CaseUpdateResolvedReasonRequest
from datadog_api_client.v2.model.case_update_status import CaseUpdateStatus
from datadog_api_client.v2.model.case_update_status_attributes import CaseUpdateStatusAttributes
from datadog_api_client.v2.model.case_update_status_request import CaseUpdateStatusRequest
from datadog_api_client.v2.model.case_update_title import CaseUpdateTitle
from datadog_api_client.v2.model.case_update_title_attributes import CaseUpdateTitleAttributes
from datadog_api_client.v2.model.case_update_title_request import CaseUpdateTitleRequest
from datadog_api_client.v2.model.custom_attribute_type import CustomAttributeType
from datadog_api_client.v2.model.custom_attribute_value import CustomAttributeValue
from datadog_api_client.v2.model.nullable_user_relationship import NullableUserRelationship
from datadog_api_client.v2.model.nullable_user_relationship_data import NullableUserRelationshipData
from datadog_api_client.v2.model.user_resource_type import UserResourceType

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import CASE_ATTRIBUTES, new_case, unparsed_parts
from tests.helpers import api_client

CASE = CaseResourceType.CASE


def parsed(answer):
    """The answer, once the client parsed every part of it."""
    assert unparsed_parts(answer) == []
    return answer


def empty() -> CaseEmptyRequest:
    return CaseEmptyRequest(data=CaseEmpty(type=CASE))


def title(text: str) -> CaseUpdateTitleRequest:
    return CaseUpdateTitleRequest(data=CaseUpdateTitle(type=CASE, attributes=CaseUpdateTitleAttributes(title=text)))


def priority(value: str) -> CaseUpdatePriorityRequest:
    attributes = CaseUpdatePriorityAttributes(priority=CasePriority(value))
    return CaseUpdatePriorityRequest(data=CaseUpdatePriority(type=CASE, attributes=attributes))


def status(**attributes) -> CaseUpdateStatusRequest:
    attributes = CaseUpdateStatusAttributes(**attributes)
    return CaseUpdateStatusRequest(data=CaseUpdateStatus(type=CASE, attributes=attributes))


def assign(user_id) -> CaseAssignRequest:
    attributes = CaseAssignAttributes(assignee_id=str(user_id))
    return CaseAssignRequest(data=CaseAssign(type=CASE, attributes=attributes))


def custom(kind: str, value, is_multi: bool = False) -> CaseUpdateCustomAttributeRequest:
    attributes = CustomAttributeValue(type=CustomAttributeType(kind), is_multi=is_multi, value=value)
    return CaseUpdateCustomAttributeRequest(data=CaseUpdateCustomAttribute(type=CASE, attributes=attributes))


async def native_case(app, tenant: Tenant, case_id: str) -> tuple[dict, list[dict]]:
    async with api_client(app, tenant.admin.headers) as client:
        case = await client.get(f"/cases/{case_id}")
        log = await client.get(f"/cases/{case_id}/activity")
    assert case.status_code == 200, case.text
    return case.json(), log.json()["items"]


def test_a_case_is_created_with_every_attribute_the_client_sends(cases_api: CaseManagementApi, tenant: Tenant):
    agent = tenant.add_member("agent")
    request = new_case(
        tenant.project_id, description="Heap grows", priority=CasePriority.P2, status_name="In progress"
    )
    user = NullableUserRelationshipData(id=str(agent.id), type=UserResourceType.USER)
    request.data.relationships.assignee = NullableUserRelationship(data=user)
    case = parsed(cases_api.create_case(request)).data
    attributes = case.attributes
    assert (attributes.description, str(attributes.priority)) == ("Heap grows", "P2")
    assert (attributes.status_name, str(attributes.status), str(attributes.status_group)) == (
        "In progress", "IN_PROGRESS", "SG_IN_PROGRESS",
    )
    assert case.relationships.assignee.data.id == str(agent.id)
    assert set(attributes.to_dict()) == CASE_ATTRIBUTES


async def test_a_case_made_through_datadog_reads_the_same_natively(app, cases_api: CaseManagementApi, tenant: Tenant):
    created = cases_api.create_case(new_case(tenant.project_id, title="Seen natively", priority=CasePriority.P1)).data
    cases_api.update_case_title(created.id, title("Renamed through Datadog"))
    case, log = await native_case(app, tenant, created.id)
    assert (case["id"], case["key"], case["title"], case["priority"]) == (
        created.id, created.attributes.key, "Renamed through Datadog", "P1",
    )
    assert case["project_id"] == str(tenant.project_id) and case["author_id"] == str(tenant.admin.id)
    actions = sorted((entry["action"], entry["source"]) for entry in log)
    assert actions == [("created", "datadog"), ("updated", "datadog")]


async def test_each_field_changes_through_its_own_route(app, cases_api: CaseManagementApi, tenant: Tenant):
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    assert parsed(cases_api.update_case_title(key, title("New title"))).data.attributes.title == "New title"
    description = CaseUpdateDescriptionRequest(
        data=CaseUpdateDescription(type=CASE, attributes=CaseUpdateDescriptionAttributes(description="Found it"))
    )
    assert parsed(cases_api.update_case_description(key, description)).data.attributes.description == "Found it"
    assert str(parsed(cases_api.update_priority(key, priority("P4"))).data.attributes.priority) == "P4"
    assert str(cases_api.update_priority(key, priority("NOT_DEFINED")).data.attributes.priority) == "NOT_DEFINED"
    labels = CaseUpdateAttributesRequest(
        data=CaseUpdateAttributes(
            type=CASE,
            attributes=CaseUpdateAttributesAttributes(
                attributes=CaseObjectAttributes(team=["case-management"], env=["prod", "eu"])
            ),
        )
    )
    answered = parsed(cases_api.update_attributes(key, labels)).data.attributes.attributes
    assert answered.to_dict() == {"team": ["case-management"], "env": ["prod", "eu"]}
    due = CaseUpdateDueDateRequest(
        data=CaseUpdateDueDate(type=CASE, attributes=CaseUpdateDueDateAttributes(due_date="2026-12-31"))
    )
    parsed(cases_api.update_case_due_date(key, due))
    reason = CaseUpdateResolvedReasonRequest(
        data=CaseUpdateResolvedReason(
            type=CASE, attributes=CaseUpdateResolvedReasonAttributes(security_resolved_reason="FALSE_POSITIVE")
        )
    )
    parsed(cases_api.update_case_resolved_reason(key, reason))
    case, log = await native_case(app, tenant, key)
    assert (case["title"], case["description"], case["priority"]) == ("New title", "Found it", None)
    assert case["attributes"] == {"team": ["case-management"], "env": ["prod", "eu"]}
    assert datetime.datetime.fromisoformat(case["due_date"]) == datetime.datetime(2026, 12, 31, tzinfo=datetime.UTC)
    assert case["resolution"] == "FALSE_POSITIVE"
    assert {entry["source"] for entry in log} == {"datadog"}


async def test_a_closed_case_takes_its_resolved_reason_afterwards(app, cases_api: CaseManagementApi, tenant: Tenant):
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    parsed(cases_api.update_status(key, status(status=CaseStatus.CLOSED)))
    reason = CaseUpdateResolvedReasonRequest(
        data=CaseUpdateResolvedReason(
            type=CASE, attributes=CaseUpdateResolvedReasonAttributes(security_resolved_reason="TRUE_POSITIVE")
        )
    )
    assert str(parsed(cases_api.update_case_resolved_reason(key, reason)).data.attributes.status) == "CLOSED"
    case, _log = await native_case(app, tenant, key)
    assert (case["status"], case["resolution"]) == ("closed", "TRUE_POSITIVE")


def test_the_status_moves_by_name_or_by_group_and_closing_stamps_the_case(cases_api: CaseManagementApi, tenant: Tenant):
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    pending = parsed(cases_api.update_status(key, status(status_name="Pending"))).data.attributes
    assert (pending.status_name, str(pending.status), str(pending.status_group)) == (
        "Pending", "IN_PROGRESS", "SG_IN_PROGRESS",
    )
    closed = parsed(cases_api.update_status(key, status(status=CaseStatus.CLOSED))).data.attributes
    assert (closed.status_name, str(closed.status_group)) == ("Closed", "SG_CLOSED")
    assert closed.closed_at is not None
    reopened = parsed(cases_api.update_status(key, status(status=CaseStatus.OPEN))).data.attributes
    assert (reopened.status_name, reopened.closed_at) == ("Open", None)


def test_assigning_names_the_one_assignee_and_unassigning_clears_it(cases_api: CaseManagementApi, tenant: Tenant):
    agent = tenant.add_member("agent")
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    assert parsed(cases_api.assign_case(key, assign(agent.id))).data.relationships.assignee.data.id == str(agent.id)
    assert parsed(cases_api.assign_case(key, assign(tenant.admin.id))).data.relationships.assignee.data.id == str(
        tenant.admin.id
    )
    assert parsed(cases_api.unassign_case(key, empty())).data.relationships.assignee.data is None


def test_assigning_an_unknown_user_is_a_404_and_changes_nothing(cases_api: CaseManagementApi, tenant: Tenant):
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    with pytest.raises(NotFoundException) as raised:
        cases_api.assign_case(key, assign(uuid.uuid4()))
    assert "user" in raised.value.body["errors"][0]
    assert cases_api.get_case(key).data.relationships.assignee.data is None


def test_archiving_and_unarchiving(cases_api: CaseManagementApi, tenant: Tenant):
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    archived = parsed(cases_api.archive_case(key, empty())).data.attributes
    assert archived.archived_at is not None
    assert parsed(cases_api.archive_case(key, empty())).data.attributes.archived_at == archived.archived_at
    assert parsed(cases_api.unarchive_case(key, empty())).data.attributes.archived_at is None
    assert parsed(cases_api.unarchive_case(key, empty())).data.attributes.archived_at is None


@pytest.mark.parametrize(
    "route, body",
    [
        ("title", {"data": {"type": "project", "attributes": {"title": "A"}}}),
        ("title", {"data": {"type": "case", "attributes": {"title": ""}}}),
        ("title", {"data": {"type": "case", "attributes": {"title": "   "}}}),
        ("priority", {"data": {"type": "case", "attributes": {"priority": "P9"}}}),
        ("status", {"data": {"type": "case", "attributes": {"status": "REOPENED"}}}),
        ("status", {"data": {"type": "case", "attributes": {}}}),
        ("attributes", {"data": {"type": "case", "attributes": {"attributes": {"team": "not a list"}}}}),
        ("due_date", {"data": {"type": "case", "attributes": {"due_date": "31/12/2026"}}}),
        ("assign", {"data": {"type": "case", "attributes": {"assignee_id": "someone"}}}),
        ("archive", {"data": {"type": "cases"}}),
    ],
)
def test_bad_input_is_a_400_even_for_an_unknown_case(datadog_http, route: str, body: dict):
    # The body is refused before the case is looked for: no case SEC-404 exists.
    response = datadog_http.post(f"/api/v2/cases/SEC-404/{route}", json=body)
    assert response.status_code == 400, response.text
    (message,) = response.json()["errors"]
    assert "data" in message


def test_an_unknown_status_name_is_a_400_naming_the_statuses(cases_api: CaseManagementApi, tenant: Tenant):
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    with pytest.raises(ApiException) as raised:
        cases_api.update_status(key, status(status_name="Nowhere"))
    assert raised.value.status == 400


def test_every_route_of_an_unknown_case_is_a_404(cases_api: CaseManagementApi):
    calls = [
        lambda: cases_api.update_case_title("SEC-404", title("x")),
        lambda: cases_api.update_priority("SEC-404", priority("P1")),
        lambda: cases_api.archive_case("SEC-404", empty()),
        lambda: cases_api.unarchive_case(str(uuid.uuid4()), empty()),
        lambda: cases_api.unassign_case("SEC-404", empty()),
        lambda: cases_api.update_case_custom_attribute("SEC-404", "k", custom("TEXT", "v")),
        lambda: cases_api.delete_case_custom_attribute("SEC-404", "k"),
    ]
    for call in calls:
        with pytest.raises(NotFoundException) as raised:
            call()
        assert raised.value.body == {"errors": [raised.value.body["errors"][0]]}
        assert "not found" in raised.value.body["errors"][0]


def test_creating_in_an_unknown_project_or_for_an_unknown_assignee_is_a_404(cases_api, tenant: Tenant):
    with pytest.raises(NotFoundException) as raised:
        cases_api.create_case(new_case(uuid.uuid4()))
    assert "project" in raised.value.body["errors"][0]
    request = new_case(tenant.project_id)
    user = NullableUserRelationshipData(id=str(uuid.uuid4()), type=UserResourceType.USER)
    request.data.relationships.assignee = NullableUserRelationship(data=user)
    with pytest.raises(NotFoundException) as raised:
        cases_api.create_case(request)
    assert "user" in raised.value.body["errors"][0]
    assert cases_api.search_cases().data == []


@pytest.mark.parametrize(
    "attributes",
    [
        {"title": "", "type_id": "00000000-0000-0000-0000-000000000001"},
        {"title": "No type"},
        {"title": "Bad type", "type_id": "STANDARD"},
        {"title": "Bad priority", "type_id": "00000000-0000-0000-0000-000000000001", "priority": "URGENT"},
    ],
)
def test_a_create_request_with_bad_attributes_is_a_400(datadog_http, tenant: Tenant, attributes: dict):
    project = {"data": {"id": str(tenant.project_id), "type": "project"}}
    body = {"data": {"type": "case", "attributes": attributes, "relationships": {"project": project}}}
    response = datadog_http.post("/api/v2/cases", json=body)
    assert response.status_code == 400, response.text
    assert "data.attributes" in response.json()["errors"][0]


async def test_the_jira_issue_and_servicenow_ticket_show_from_the_cases_datadog_data(app, cases_api, tenant: Tenant):
    case_id = cases_api.create_case(new_case(tenant.project_id)).data.id
    jira = {
        "result": {"issue_id": "10001", "issue_key": "OPS-7", "issue_url": "https://jira.example.com/OPS-7",
                   "project_key": "OPS"},
        "status": "COMPLETED",
    }  # fmt: skip
    ticket = {"result": {"sys_target_link": "https://snow.example.com/INC0001"}, "status": "IN_PROGRESS"}
    async with api_client(app, tenant.admin.headers) as client:
        changed = await client.patch(
            f"/cases/{case_id}", json={"vendor_data": {"datadog": {"jira_issue": jira, "service_now_ticket": ticket}}}
        )
    assert changed.status_code == 200, changed.text
    attributes = parsed(cases_api.get_case(case_id)).data.attributes
    assert attributes.jira_issue.to_dict() == jira
    assert attributes.service_now_ticket.to_dict() == ticket


async def test_a_case_of_another_type_shows_its_type_id_and_the_type_the_client_knows(app, cases_api, tenant: Tenant):
    async with api_client(app, tenant.admin.headers) as client:
        made = await client.post("/types", json={"name": "Security incident"})
    assert made.status_code == 201, made.text
    type_id = made.json()["id"]
    request = new_case(tenant.project_id)
    request.data.attributes.type_id = type_id
    case = parsed(cases_api.create_case(request)).data
    assert (case.attributes.type_id, str(case.attributes.type)) == (type_id, "STANDARD")
    listed = parsed(cases_api.search_cases())
    assert [c.attributes.type_id for c in listed.data] == [type_id]


def test_creating_with_an_unknown_type_id_is_a_404(cases_api: CaseManagementApi, tenant: Tenant):
    request = new_case(tenant.project_id)
    request.data.attributes.type_id = str(uuid.uuid4())
    with pytest.raises(NotFoundException) as raised:
        cases_api.create_case(request)
    assert "case type" in raised.value.body["errors"][0]
