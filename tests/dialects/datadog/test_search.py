"""Searching cases through the client: pages numbered from 1 that its paginator walks to the end, Datadog's sort
fields and its filter query."""

import pytest
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_priority import CasePriority
from datadog_api_client.v2.model.case_sortable_field import CaseSortableField

from casework.cases import paging
from tests.conftest import Tenant
from tests.dialects.datadog.conftest import api_client_for, new_case, unparsed_parts
from tests.dialects.datadog.test_cases import empty, status


def make_cases(cases_api: CaseManagementApi, tenant: Tenant, count: int, **attributes) -> list[str]:
    return [cases_api.create_case(new_case(tenant.project_id, f"Case {n}", **attributes)).data.id for n in range(count)]


def test_the_paginator_walks_every_page_and_stops(cases_api: CaseManagementApi, tenant: Tenant):
    made = make_cases(cases_api, tenant, 23)
    found = list(cases_api.search_cases_with_pagination())
    assert [case.id for case in found] == list(reversed(made))  # newest first by default
    assert unparsed_parts(found) == []
    oldest_first = cases_api.search_cases_with_pagination(
        page_size=5, sort_field=CaseSortableField.CREATED_AT, sort_asc=True
    )
    assert [case.id for case in oldest_first] == made


def test_meta_page_gives_the_page_its_case_count_and_the_page_count(cases_api: CaseManagementApi, tenant: Tenant):
    make_cases(cases_api, tenant, 12)
    pages = [cases_api.search_cases(page_size=5, page_number=n) for n in (1, 2, 3, 4)]
    assert [page.meta.page.to_dict() for page in pages] == [
        {"current": 1, "size": 5, "total": 3},
        {"current": 2, "size": 5, "total": 3},
        {"current": 3, "size": 2, "total": 3},
        {"current": 4, "size": 0, "total": 3},
    ]
    assert unparsed_parts(pages) == []
    first = cases_api.search_cases(page_size=5)
    assert [c.id for c in cases_api.search_cases(page_size=5, page_number=0).data] == [c.id for c in first.data]
    assert len(cases_api.search_cases().data) == 10


def test_cases_sort_by_priority_and_status(cases_api: CaseManagementApi, tenant: Tenant):
    low = cases_api.create_case(new_case(tenant.project_id, "Low", priority=CasePriority.P4)).data.id
    none = cases_api.create_case(new_case(tenant.project_id, "None")).data.id
    high = cases_api.create_case(new_case(tenant.project_id, "High", priority=CasePriority.P1)).data.id
    by_priority = cases_api.search_cases(sort_field=CaseSortableField.PRIORITY, sort_asc=True).data
    assert [case.id for case in by_priority] == [high, low, none]
    cases_api.update_status(low, status(status_name="Closed"))
    by_status = cases_api.search_cases(sort_field=CaseSortableField.STATUS, sort_asc=False).data
    assert by_status[0].id == low


def test_the_filter_query(cases_api: CaseManagementApi, tenant: Tenant):
    disk = cases_api.create_case(new_case(tenant.project_id, "Disk full on db-1", priority=CasePriority.P1)).data.id
    memory = cases_api.create_case(new_case(tenant.project_id, "Memory leak")).data.id
    archived = cases_api.create_case(new_case(tenant.project_id, "Old disk alert")).data.id
    cases_api.archive_case(archived, empty())
    cases_api.update_status(memory, status(status_name="Closed"))

    def found(query: str) -> list[str]:
        return [case.id for case in cases_api.search_cases(filter=query).data]

    assert found("disk") == [disk]
    assert found("status:closed") == [memory]
    assert found("status:open priority:P1") == [disk]
    assert found("priority:NOT_DEFINED") == [memory]
    assert found("archived:true") == [archived]
    assert set(found("disk archived:any")) == {disk, archived}
    assert set(found("project:SEC")) == {disk, memory}


def test_a_filter_on_an_attribute_matches_its_values(datadog_http, cases_api: CaseManagementApi, tenant: Tenant):
    tagged, other = (cases_api.create_case(new_case(tenant.project_id, title)).data.id for title in ("A", "B"))
    labels = {"team": ["case-management"], "service": ["payment api"]}
    body = {"data": {"type": "case", "attributes": {"attributes": labels}}}
    assert datadog_http.post(f"/api/v2/cases/{tagged}/attributes", json=body).status_code == 200
    assert [c.id for c in cases_api.search_cases(filter="team:case-management").data] == [tagged]
    assert [c.id for c in cases_api.search_cases(filter='service:"payment api"').data] == [tagged]
    assert cases_api.search_cases(filter="team:other").data == []


def test_search_sees_only_the_callers_workspace(cases_api: CaseManagementApi, tenant: Tenant, other: Tenant):
    mine = make_cases(cases_api, tenant, 2)
    with api_client_for(cases_api.api_client.configuration.host, other.admin) as client:
        theirs = CaseManagementApi(client)
        theirs.create_case(new_case(other.project_id, "Theirs"))
        assert [c.attributes.title for c in theirs.search_cases().data] == ["Theirs"]
    assert sorted(c.id for c in cases_api.search_cases().data) == sorted(mine)


@pytest.mark.parametrize(
    "query",
    [
        "page[size]=101",
        "page[size]=0",
        "page[number]=-1",
        "page[number]=9223372036854775808",
        "sort[field]=title",
        "sort[asc]=maybe",
        "filter=priority:P9",
        "filter=title:%22unclosed",
        "filter=assignee:someone",
    ],
)
def test_bad_search_parameters_are_a_400(datadog_http, query: str):
    response = datadog_http.get(f"/api/v2/cases?{query}")
    assert response.status_code == 400, response.text
    assert isinstance(response.json()["errors"][0], str)


def test_the_last_page_number_the_client_can_send_is_an_empty_page(datadog_http, cases_api, tenant):
    make_cases(cases_api, tenant, 2)
    response = datadog_http.get("/api/v2/cases?page[number]=9223372036854775807")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == []
    assert response.json()["meta"]["page"] == {"current": 2**63 - 1, "size": 0, "total": 1}


def test_the_paginator_walks_past_the_core_page_window(cases_api: CaseManagementApi, tenant: Tenant, monkeypatch):
    # A window of 8 cases stands for the core's 10,000: 27 cases make pages 3 to 7 of 4 deeper than it.
    monkeypatch.setattr(paging, "MAX_PAGE_WINDOW", 8)
    made = make_cases(cases_api, tenant, 27)
    walked = list(cases_api.search_cases_with_pagination(page_size=4))
    assert [case.id for case in walked] == list(reversed(made))
    by_priority = cases_api.search_cases_with_pagination(page_size=4, sort_field=CaseSortableField.PRIORITY)
    assert sorted(case.id for case in by_priority) == sorted(made)
    deep = cases_api.search_cases(page_size=4, page_number=7, sort_asc=True, sort_field=CaseSortableField.CREATED_AT)
    assert [case.id for case in deep.data] == made[24:]
    assert deep.meta.page.to_dict() == {"current": 7, "size": 3, "total": 7}
    assert cases_api.search_cases(page_size=4, page_number=50).data == []
