"""Insights through Datadog's PUT/DELETE /api/v2/cases/{case_id}/insights: the seed's example verbatim, all 16
types of the client, idempotent on (type, resource_id), 1..100 per request, errors as JSON:API objects, and the
insights shown natively with their activity made through `datadog`."""

import httpx
import pytest
from datadog_api_client.exceptions import ApiValueError, NotFoundException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_insight import CaseInsight
from datadog_api_client.v2.model.case_insight_type import CaseInsightType
from datadog_api_client.v2.model.case_insights_attributes import CaseInsightsAttributes
from datadog_api_client.v2.model.case_insights_data import CaseInsightsData
from datadog_api_client.v2.model.case_insights_request import CaseInsightsRequest
from datadog_api_client.v2.model.case_resource_type import CaseResourceType

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import keys, unparsed_parts
from tests.dialects.datadog.content_support import error_objects, make_case
from tests.helpers import issued_statements

# The seed's example request, verbatim.
SEED_REQUEST = {
    "data": {
        "attributes": {"insights": [{"ref": "/monitors/12345?q=total", "resource_id": "12345", "type": "SECURITY_SIGNAL"}]},
        "type": "case",
    }
}
# The attributes of the seed's example answer, and the insights Datadog adds beside them.
SEED_ANSWER_ATTRIBUTES = {
    "archived_at", "attributes", "closed_at", "created_at", "custom_attributes", "description", "jira_issue", "key",
    "modified_at", "priority", "service_now_ticket", "status", "status_group", "status_name", "title", "type",
    "type_id", "insights",
}  # fmt: skip
ALL_TYPES = sorted(CaseInsightType.allowed_values)


def request(*insights: tuple[str, str, str]) -> CaseInsightsRequest:
    """Insights as (type, resource_id, ref)."""
    items = [CaseInsight(type=CaseInsightType(t), resource_id=r, ref=ref) for t, r, ref in insights]
    return CaseInsightsRequest(data=CaseInsightsData(type=CaseResourceType.CASE, attributes=CaseInsightsAttributes(insights=items)))


def shown(answer) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(i["type"], i["resource_id"], i["ref"]) for i in answer.data.attributes["insights"]]


def test_the_seed_s_example_adds_the_insight_and_answers_the_whole_case(datadog_host, cases_api, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    response = httpx.put(f"{datadog_host}/api/v2/cases/{case.id}/insights", json=SEED_REQUEST, headers=keys(tenant.admin))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["id"], data["type"]) == (case.id, "case")
    assert set(data["attributes"]) == SEED_ANSWER_ATTRIBUTES
    assert set(data["relationships"]) == {"assignee", "created_by", "modified_by", "project"}
    assert data["attributes"]["insights"] == [{"type": "SECURITY_SIGNAL", "ref": "/monitors/12345?q=total", "resource_id": "12345"}]


def test_every_insight_type_of_the_client_is_taken_and_read_back_unparsed_nowhere(cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    wanted = [(t, f"id-{n}", f"/resources/{n}") for n, t in enumerate(ALL_TYPES)]
    answer = cases_api.add_case_insights(case.attributes.key, request(*wanted))
    assert len(ALL_TYPES) == 16
    assert unparsed_parts(answer) == []
    assert shown(answer) == wanted
    assert answer.data.id == case.id


def test_adding_is_idempotent_on_type_and_resource_id(cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    cases_api.add_case_insights(case.id, request(("MONITOR", "12", "/monitors/12")))
    again = cases_api.add_case_insights(
        case.id, request(("MONITOR", "12", "/monitors/12?q=other"), ("INCIDENT", "12", "/incidents/12"), ("MONITOR", "12", "/x"))
    )
    assert shown(again) == [("MONITOR", "12", "/monitors/12"), ("INCIDENT", "12", "/incidents/12")]


def test_removing_takes_the_same_body_and_ignores_keys_the_case_lacks(cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    cases_api.add_case_insights(case.id, request(("MONITOR", "1", "/monitors/1"), ("EVENT", "2", "/event/2")))
    answer = cases_api.remove_case_insights(case.id, request(("MONITOR", "1", "/monitors/1"), ("WIDGET", "9", "/w/9")))
    assert unparsed_parts(answer) == []
    assert shown(answer) == [("EVENT", "2", "/event/2")]
    assert shown(cases_api.remove_case_insights(case.id, request(("EVENT", "2", "/event/2")))) == []


def test_one_to_a_hundred_insights_per_request(datadog_host, cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    hundred = [("MONITOR", str(n), f"/monitors/{n}") for n in range(100)]
    assert len(shown(cases_api.add_case_insights(case.id, request(*hundred)))) == 100
    with pytest.raises(ApiValueError):  # the client itself refuses 101
        request(*hundred, ("MONITOR", "100", "/monitors/100"))
    url = f"{datadog_host}/api/v2/cases/{case.id}/insights"
    for count in (0, 101):
        items = [{"type": "MONITOR", "resource_id": f"x{n}", "ref": "/m"} for n in range(count)]
        body = {"data": {"type": "case", "attributes": {"insights": items}}}
        response = httpx.put(url, json=body, headers=keys(tenant.admin))
        assert response.status_code == 400, response.text
        [error] = response.json()["errors"]
        assert error["status"] == "400" and "insights" in error["detail"]
    assert len(shown(cases_api.remove_case_insights(case.id, request(*hundred[:1])))) == 99


@pytest.mark.parametrize(
    "body, field",
    [
        ({"data": {"type": "project", "attributes": {"insights": [SEED_REQUEST["data"]["attributes"]["insights"][0]]}}}, "type"),
        ({"data": {"type": "case", "attributes": {"insights": [{"type": "DASHBOARD", "resource_id": "1", "ref": "/d/1"}]}}}, "type"),
        ({"data": {"type": "case", "attributes": {"insights": [{"type": "MONITOR", "resource_id": "1"}]}}}, "ref"),
        ({"data": {"type": "case", "attributes": {"insights": [{"type": "MONITOR", "resource_id": "1", "ref": "https://evil.example/x"}]}}}, "ref"),
        ({"data": {"type": "case", "attributes": {"insights": [{"type": "MONITOR", "resource_id": " ", "ref": "/m"}]}}}, "resource_id"),
    ],
)
def test_bad_bodies_are_400s_naming_the_field_before_the_case_is_looked_up(datadog_host, tenant: Tenant, body, field):
    for method in ("PUT", "DELETE"):
        response = httpx.request(method, f"{datadog_host}/api/v2/cases/SEC-404/insights", json=body, headers=keys(tenant.admin))
        assert response.status_code == 400, response.text
        [error] = response.json()["errors"]
        assert set(error) == {"status", "title", "detail"} and error["status"] == "400"
        assert field in error["detail"]


def test_an_unknown_case_is_a_404_as_json_api_error_objects(cases_api: CaseManagementApi, tenant: Tenant):
    for call in (cases_api.add_case_insights, cases_api.remove_case_insights):
        with pytest.raises(NotFoundException) as caught:
            call("SEC-404", request(("MONITOR", "1", "/monitors/1")))
        [error] = error_objects(caught.value)
        assert "SEC-404" in error["detail"]


def test_a_reader_may_not_add_insights(datadog_host, cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    viewer = tenant.add_member("viewer")
    response = httpx.put(f"{datadog_host}/api/v2/cases/{case.id}/insights", json=SEED_REQUEST, headers=keys(viewer))
    assert response.status_code == 403
    assert response.json()["errors"][0]["status"] == "403"


def test_insights_added_through_datadog_show_natively_with_their_activity_from_datadog(
    datadog_server, cases_api: CaseManagementApi, tenant: Tenant
):
    case = make_case(cases_api, tenant.project_id)
    cases_api.add_case_insights(case.id, request(("SECURITY_SIGNAL", "12345", "/monitors/12345?q=total")))
    native = {"Authorization": f"Bearer {tenant.admin.token}"}
    read = httpx.get(f"{datadog_server}/api/v1/cases/{case.id}", params={"include": "insights"}, headers=native).json()
    assert [(i["type"], i["resource_id"], i["ref"]) for i in read["insights"]["items"]] == [
        ("SECURITY_SIGNAL", "12345", "/monitors/12345?q=total")
    ]
    assert read["counts"]["insights"] == 1
    entries = httpx.get(f"{datadog_server}/api/v1/cases/{case.id}/activity", headers=native).json()["items"]
    [added] = [e for e in entries if e["action"] == "insights_added"]
    assert added["source"] == "datadog" and added["actor_id"] == str(tenant.admin.id)


def test_every_case_answer_carries_the_case_s_insights(datadog_http, cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    assert case.attributes["insights"] == []
    cases_api.add_case_insights(case.id, request(("MONITOR", "1", "/monitors/1"), ("INCIDENT", "2", "/incidents/2")))
    wanted = [("MONITOR", "1", "/monitors/1"), ("INCIDENT", "2", "/incidents/2")]
    assert shown(cases_api.get_case(case.attributes.key)) == wanted
    [found] = cases_api.search_cases().data
    assert [(i["type"], i["resource_id"], i["ref"]) for i in found.attributes["insights"]] == wanted
    title = {"data": {"type": "case", "attributes": {"title": "Renamed"}}}
    for method, path, body in [
        ("POST", "title", title),
        ("POST", "priority", {"data": {"type": "case", "attributes": {"priority": "P2"}}}),
        ("POST", "archive", {"data": {"type": "case"}}),
        ("POST", "unarchive", {"data": {"type": "case"}}),
        ("POST", "unassign", {"data": {"type": "case"}}),
    ]:
        answer = datadog_http.request(method, f"/api/v2/cases/{case.id}/{path}", json=body)
        assert answer.status_code == 200, answer.text
        assert [(i["type"], i["resource_id"], i["ref"]) for i in answer.json()["data"]["attributes"]["insights"]] == wanted


def test_a_search_page_reads_the_insights_of_its_cases_in_one_query(db, cases_api: CaseManagementApi, tenant: Tenant):
    made = [make_case(cases_api, tenant.project_id) for _ in range(4)]
    for n, case in enumerate(made[:3]):
        cases_api.add_case_insights(case.id, request(*[("EVENT", f"{n}-{i}", f"/event/{i}") for i in range(n + 1)]))
    with issued_statements(db.engine) as issued:
        page = cases_api.search_cases(page_size=10)
    assert len([s for s in issued if "FROM insights" in s.sql]) == 1
    counts = {case.id: len(case.attributes["insights"]) for case in page.data}
    assert counts == {made[0].id: 1, made[1].id: 2, made[2].id: 3, made[3].id: 0}
    assert unparsed_parts(page) == []
