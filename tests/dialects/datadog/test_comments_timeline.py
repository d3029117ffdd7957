"""Comments and the timeline through the client: a new comment is the first cell of its answer, edits and
deletions by its author or an admin, and the timeline paged from page 0, newest first unless asked otherwise."""

import uuid

import httpx
import pytest
from datadog_api_client.exceptions import ApiException, ForbiddenException, NotFoundException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_comment import CaseComment
from datadog_api_client.v2.model.case_comment_attributes import CaseCommentAttributes
from datadog_api_client.v2.model.case_comment_request import CaseCommentRequest
from datadog_api_client.v2.model.case_resource_type import CaseResourceType
from datadog_api_client.v2.model.case_update_comment import CaseUpdateComment
from datadog_api_client.v2.model.case_update_comment_attributes import CaseUpdateCommentAttributes
from datadog_api_client.v2.model.case_update_comment_request import CaseUpdateCommentRequest

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import api_client_for, keys, unparsed_parts
from tests.dialects.datadog.content_support import error_messages, make_case


def comment(text: str) -> CaseCommentRequest:
    return CaseCommentRequest(data=CaseComment(type=CaseResourceType.CASE, attributes=CaseCommentAttributes(comment=text)))


def edit(text: str) -> CaseUpdateCommentRequest:
    return CaseUpdateCommentRequest(
        data=CaseUpdateComment(type=CaseResourceType.CASE, attributes=CaseUpdateCommentAttributes(comment=text))
    )


def messages(timeline) -> list[str]:  # type: ignore[no-untyped-def]
    return [cell.attributes.cell_content.message for cell in timeline.data]


def test_a_comment_answers_as_the_first_timeline_cell_with_its_author(cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    answer = cases_api.comment_case(case.id, comment("Heap dump attached"))
    assert unparsed_parts(answer) == []
    cell = answer.data[0]
    assert str(cell.type) == "timeline_cell" and uuid.UUID(cell.id)
    assert str(cell.attributes.type) == "COMMENT"
    assert cell.attributes.cell_content.message == "Heap dump attached"
    author = cell.attributes.author
    assert str(author.type) == "USER"
    assert (author.content.id, author.content.email, author.content.name) == (str(tenant.admin.id), "admin@example.com", "Admin")
    assert cell.attributes.created_at == cell.attributes.modified_at


def test_the_timeline_pages_from_zero_newest_first_unless_ascending(cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    for n in range(5):
        cases_api.comment_case(case.attributes.key, comment(f"note {n}"))
    timeline = cases_api.list_case_timeline(case.id)
    assert unparsed_parts(timeline) == []
    assert messages(timeline) == [f"note {n}" for n in (4, 3, 2, 1, 0)]
    assert messages(cases_api.list_case_timeline(case.id, page_size=2, page_number=0)) == ["note 4", "note 3"]
    assert messages(cases_api.list_case_timeline(case.id, page_size=2, page_number=2)) == ["note 0"]
    assert messages(cases_api.list_case_timeline(case.id, page_size=2, page_number=3)) == []
    assert messages(cases_api.list_case_timeline(case.id, page_size=3, page_number=1, sort_ascending=True)) == ["note 3", "note 4"]
    assert messages(cases_api.list_case_timeline(case.id, sort_ascending=False, page_size=1)) == ["note 4"]


def test_the_timeline_shows_ten_cells_by_default_and_at_most_a_hundred(datadog_host, cases_api, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    for n in range(11):
        cases_api.comment_case(case.id, comment(f"note {n}"))
    assert len(cases_api.list_case_timeline(case.id).data) == 10
    for params in ({"page[size]": 101}, {"page[size]": 0}, {"page[number]": -1}, {"sort[ascending]": "maybe"}):
        response = httpx.get(f"{datadog_host}/api/v2/cases/{case.id}/timelines", params=params, headers=keys(tenant.admin))
        assert response.status_code == 400, response.text
        assert list(params)[0] in response.json()["errors"][0]


def test_a_comment_is_edited_and_deleted_by_its_cell_id(cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    cell = cases_api.comment_case(case.id, comment("first draft")).data[0]
    cases_api.comment_case(case.id, comment("second"))
    assert cases_api.update_case_comment(case.id, cell.id, edit("final text")) is None
    timeline = cases_api.list_case_timeline(case.id, sort_ascending=True)
    assert messages(timeline) == ["final text", "second"]
    assert timeline.data[0].attributes.modified_at > timeline.data[0].attributes.created_at
    assert cases_api.delete_case_comment(case.attributes.key, cell.id) is None
    assert messages(cases_api.list_case_timeline(case.id)) == ["second"]
    with pytest.raises(NotFoundException) as caught:
        cases_api.delete_case_comment(case.id, cell.id)
    assert cell.id in error_messages(caught.value)[0]
    with pytest.raises(NotFoundException):
        cases_api.update_case_comment(case.id, cell.id, edit("gone"))


def test_only_its_author_or_an_admin_changes_a_comment(datadog_host, cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    cell = cases_api.comment_case(case.id, comment("admin's note")).data[0]
    with api_client_for(datadog_host, tenant.add_member("agent")) as client:
        agent = CaseManagementApi(client)
        with pytest.raises(ForbiddenException):
            agent.update_case_comment(case.id, cell.id, edit("mine now"))
        own = agent.comment_case(case.id, comment("agent's note")).data[0]
        assert own.attributes.author.content.id != cell.attributes.author.content.id
        agent.delete_case_comment(case.id, own.id)
    assert messages(cases_api.list_case_timeline(case.id)) == ["admin's note"]


def test_bad_comment_requests_are_400s_before_any_lookup(datadog_host, cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    url = f"{datadog_host}/api/v2/cases"
    bad = [
        ("POST", f"{url}/SEC-404/comment", {"data": {"type": "project", "attributes": {"comment": "x"}}}, "type"),
        ("POST", f"{url}/SEC-404/comment", {"data": {"type": "case", "attributes": {"comment": "  "}}}, "comment"),
        ("PUT", f"{url}/{case.id}/comment/not-a-uuid", {"data": {"type": "case", "attributes": {"comment": "x"}}}, "cell_id"),
        ("DELETE", f"{url}/{case.id}/comment/42", None, "cell_id"),
    ]
    for method, path, body, field in bad:
        response = httpx.request(method, path, json=body, headers=keys(tenant.admin))
        assert response.status_code == 400, (path, response.text)
        [message] = response.json()["errors"]
        assert isinstance(message, str) and field in message
    with pytest.raises(NotFoundException):
        cases_api.comment_case("SEC-404", comment("x"))
    with pytest.raises(ApiException) as caught:
        cases_api.list_case_timeline("SEC-404")
    assert caught.value.status == 404


def test_comments_made_through_datadog_are_the_native_comments(datadog_server, cases_api: CaseManagementApi, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    cell = cases_api.comment_case(case.id, comment("seen natively")).data[0]
    native = {"Authorization": f"Bearer {tenant.admin.token}"}
    listed = httpx.get(f"{datadog_server}/api/v1/cases/{case.id}/comments", headers=native).json()["items"]
    assert [(c["id"], c["body"], c["author_id"]) for c in listed] == [(cell.id, "seen natively", str(tenant.admin.id))]
    entries = httpx.get(f"{datadog_server}/api/v1/cases/{case.id}/activity", headers=native).json()["items"]
    assert [e["source"] for e in entries if e["action"] == "commented"] == ["datadog"]
