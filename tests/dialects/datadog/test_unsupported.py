"""The operations of the client that casework does not serve answer 404 in Datadog's format for each (JSON:API
objects for the relationship routes, messages for the rest), never a 5xx the client would retry; a case is still
routed by its key beside them."""

import re
import uuid

import httpx
import pytest
from datadog_api_client.exceptions import NotFoundException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import keys
from tests.dialects.datadog.content_support import error_messages, error_objects, make_case

NOT_SERVED = {
    "aggregate_cases", "bulk_update_cases", "count_cases",
    "create_case_link", "list_case_links", "delete_case_link",
    "list_case_views", "create_case_view", "get_case_view", "update_case_view", "delete_case_view",
    "list_case_automation_rules", "create_case_automation_rule", "get_case_automation_rule",
    "update_case_automation_rule", "delete_case_automation_rule", "enable_case_automation_rule",
    "disable_case_automation_rule",
    "get_project_notification_rules", "create_project_notification_rule", "update_project_notification_rule",
    "delete_project_notification_rule",
    "favorite_case_project", "unfavorite_case_project", "list_user_case_project_favorites",
    "list_maintenance_windows", "create_maintenance_window", "update_maintenance_window", "delete_maintenance_window",
    "link_incident", "create_case_jira_issue", "link_jira_issue_to_case", "unlink_jira_issue",
    "create_case_service_now_ticket", "create_case_notebook",
}  # fmt: skip
# Their errors are JSON:API objects, as Datadog declares for these.
RELATIONSHIPS = {
    "link_incident", "create_case_jira_issue", "link_jira_issue_to_case", "unlink_jira_issue",
    "create_case_service_now_ticket", "create_case_notebook",
}  # fmt: skip


def client_operations() -> dict[str, tuple[str, str]]:
    """Every operation of the client's CaseManagementApi: (method, path template) by operation id."""
    api = CaseManagementApi()
    found = {}
    for name in dir(api):
        if name.endswith("_endpoint"):
            settings = getattr(api, name).settings
            found[settings["operation_id"]] = (settings["http_method"], settings["endpoint_path"])
    return found


def filled(path: str, case_key: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: case_key if m.group(1) == "case_id" else str(uuid.uuid4()), path)


def test_the_list_names_operations_of_the_client():
    assert NOT_SERVED <= set(client_operations())


@pytest.mark.parametrize("operation", sorted(NOT_SERVED))
def test_an_operation_not_served_is_a_404_in_its_format(datadog_host, cases_api, tenant: Tenant, operation):
    key = make_case(cases_api, tenant.project_id).attributes.key
    method, path = client_operations()[operation]
    body = None if method in ("GET", "DELETE") else {"data": {"type": "x", "attributes": {}}}
    response = httpx.request(method, datadog_host + filled(path, key), json=body, headers=keys(tenant.admin))
    assert response.status_code == 404, response.text
    [error] = response.json()["errors"]
    if operation in RELATIONSHIPS:
        assert set(error) == {"status", "title", "detail"} and error["status"] == "404"
        assert "does not serve" in error["detail"]
    else:
        assert isinstance(error, str) and "does not serve" in error


def test_the_client_gets_its_not_found_at_once(cases_api: CaseManagementApi, tenant: Tenant):
    with pytest.raises(NotFoundException) as caught:
        cases_api.count_cases()
    assert "does not serve" in error_messages(caught.value)[0]
    with pytest.raises(NotFoundException) as caught:
        cases_api.list_maintenance_windows()
    error_messages(caught.value)
    with pytest.raises(NotFoundException) as caught:
        cases_api.unlink_jira_issue("SEC-1")
    error_objects(caught.value)


def test_not_served_operations_still_ask_who_is_calling(datadog_host):
    response = httpx.get(f"{datadog_host}/api/v2/cases/count")
    assert response.status_code == 401
