"""The dialect's plumbing, through the official client and over plain HTTP: credentials, the two error formats, the
rate-limit headers, and a case's wire shape."""

import uuid

import httpx
import pytest
from datadog_api_client import ApiClient
from datadog_api_client.exceptions import ApiException, NotFoundException, UnauthorizedException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_resource_type import CaseResourceType

from casework.dialects.datadog.errors import render_messages, render_objects
from casework.errors import NotFound, RateLimited, RateLimitState
from tests.conftest import Tenant
from tests.dialects.datadog.conftest import (
    API_KEY,
    CASE_ATTRIBUTES,
    STANDARD_TYPE_ID,
    api_client_for,
    new_case,
    unparsed_parts,
)

def test_a_case_made_through_the_client_reads_back_by_uuid_and_by_key(cases_api: CaseManagementApi, tenant: Tenant):
    created = cases_api.create_case(new_case(tenant.project_id, description="Heap grows by 1 GB a day"))
    assert unparsed_parts(created) == []
    case = created.data
    assert case.type == CaseResourceType.CASE
    assert case.attributes.title == "Memory leak investigation on API"
    assert case.attributes.key == "SEC-1"
    assert str(case.attributes.priority) == "NOT_DEFINED"
    assert (str(case.attributes.status), str(case.attributes.status_group)) == ("OPEN", "SG_OPEN")
    assert case.attributes.type_id == STANDARD_TYPE_ID and str(case.attributes.type) == "STANDARD"
    assert case.relationships.created_by.data.id == str(tenant.admin.id)
    assert case.relationships.project.data.id == str(tenant.project_id)
    assert case.relationships.assignee.data is None
    by_id = cases_api.get_case(case.id)
    by_key = cases_api.get_case("SEC-1")
    assert unparsed_parts(by_id) == [] and unparsed_parts(by_key) == []
    assert by_id.to_dict() == by_key.to_dict() == created.to_dict()


def test_a_case_has_every_attribute_and_relationship_of_datadogs_case(datadog_host: str, cases_api, tenant: Tenant):
    case_id = cases_api.create_case(new_case(tenant.project_id)).data.id
    headers = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": tenant.admin.token}
    body = httpx.get(f"{datadog_host}/api/v2/cases/{case_id}", headers=headers).json()
    assert set(body) == {"data"}
    assert set(body["data"]) == {"id", "type", "attributes", "relationships"}
    assert set(body["data"]["attributes"]) == CASE_ATTRIBUTES
    assert set(body["data"]["relationships"]) == {"assignee", "created_by", "modified_by", "project"}
    attributes = body["data"]["attributes"]
    assert attributes["created_at"].endswith("Z") and len(attributes["created_at"]) == len("2019-09-19T10:00:00.000Z")
    assert attributes["attributes"] == {} and attributes["custom_attributes"] == {}
    assert attributes["jira_issue"] is None and attributes["service_now_ticket"] is None


def test_bearer_credentials_are_read_too(datadog_host: str, tenant: Tenant):
    with ApiClient(_bearer_configuration(datadog_host, tenant.admin.token)) as client:
        created = CaseManagementApi(client).create_case(new_case(tenant.project_id, title="Through OAuth's header"))
    assert created.data.relationships.created_by.data.id == str(tenant.admin.id)


def _bearer_configuration(host: str, token: str):
    from datadog_api_client import Configuration

    return Configuration(host=host, access_token=token)


@pytest.mark.parametrize(
    "headers, missing",
    [
        ({}, "credentials"),
        ({"DD-API-KEY": API_KEY}, "DD-APPLICATION-KEY"),
        ({"DD-APPLICATION-KEY": "TOKEN"}, "DD-API-KEY"),
        ({"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": "cw_not-a-token"}, "token"),
    ],
)
def test_missing_or_unknown_keys_are_a_401_in_datadogs_format(datadog_host: str, tenant: Tenant, headers, missing):
    headers = {name: tenant.admin.token if value == "TOKEN" else value for name, value in headers.items()}
    response = httpx.get(f"{datadog_host}/api/v2/cases/SEC-1", headers=headers)
    assert response.status_code == 401
    errors = response.json()["errors"]
    assert len(errors) == 1 and isinstance(errors[0], str) and missing in errors[0]


def test_the_client_raises_unauthorized_for_a_key_that_is_no_token(datadog_host: str, tenant: Tenant):
    stranger = tenant.admin.__class__(tenant.admin.id, tenant.admin.email, "admin", "cw_unknown-token-of-nobody")
    with api_client_for(datadog_host, stranger) as client, pytest.raises(UnauthorizedException):
        CaseManagementApi(client).get_case("SEC-1")


def test_an_unknown_case_is_a_404_naming_it(cases_api: CaseManagementApi):
    with pytest.raises(NotFoundException) as raised:
        cases_api.get_case("SEC-999")
    assert raised.value.body == {"errors": ["case SEC-999 not found"]}


def test_bad_input_is_a_400_naming_the_field_before_any_lookup(datadog_host: str, tenant: Tenant):
    headers = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": tenant.admin.token}
    wrong_type = {
        "data": {
            "type": "project",
            "attributes": {"title": "A", "type_id": STANDARD_TYPE_ID},
            # An unknown project: the body is refused before it is looked for.
            "relationships": {"project": {"data": {"id": str(uuid.uuid4()), "type": "project"}}},
        }
    }
    response = httpx.post(f"{datadog_host}/api/v2/cases", json=wrong_type, headers=headers)
    assert response.status_code == 400
    (message,) = response.json()["errors"]
    assert "data.type" in message


def test_unknown_paths_answer_404_in_datadogs_format(datadog_host: str, tenant: Tenant):
    headers = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": tenant.admin.token}
    response = httpx.get(f"{datadog_host}/api/v2/nothing-here", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"errors": ["Not Found"]}


def test_every_answer_says_where_the_caller_stands_against_its_rate_limit(cases_api, datadog_host, tenant: Tenant):
    limited = tenant.add_member("admin", rate_limit="2/minute")
    headers = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": limited.token}
    url = f"{datadog_host}/api/v2/cases/SEC-404"
    first, second, third = (httpx.get(url, headers=headers) for _ in range(3))
    assert first.status_code == second.status_code == 404
    assert first.headers["X-RateLimit-Limit"] == "2" and first.headers["X-RateLimit-Period"] == "60"
    assert (first.headers["X-RateLimit-Remaining"], second.headers["X-RateLimit-Remaining"]) == ("1", "0")
    assert third.status_code == 429
    assert third.json()["errors"] and isinstance(third.json()["errors"][0], str)
    assert third.headers["X-RateLimit-Remaining"] == "0" and int(third.headers["X-RateLimit-Reset"]) > 0
    assert third.headers["X-RateLimit-Name"] and third.headers["X-RateLimit-Limit"] == "2"
    with api_client_for(datadog_host, limited) as client, pytest.raises(ApiException) as raised:
        CaseManagementApi(client).get_case("SEC-404")
    assert raised.value.status == 429


def test_the_two_error_formats():
    missing = NotFound("case", "SEC-9")
    assert render_messages(missing, 404).body == b'{"errors":["case SEC-9 not found"]}'
    objects = render_objects(missing, 404)
    assert objects.status_code == 404
    assert objects.body == b'{"errors":[{"status":"404","title":"Not found","detail":"case SEC-9 not found"}]}'
    # Validation is a 400 in either format, and a 429 is always a list of messages.
    assert render_objects(missing, 422).status_code == 400
    limited = render_objects(RateLimited(7, RateLimitState(10, 0, 7, 60)), 429)
    assert limited.body == b'{"errors":["rate limit exceeded; retry in 7 s"]}'
    assert limited.headers["X-RateLimit-Reset"] == "7" and "Retry-After" not in limited.headers


def test_the_dialect_describes_its_routes(datadog_host: str):
    document = httpx.get(f"{datadog_host}/openapi.json").json()
    assert document["info"]["title"] == "Datadog Case Management API"
    assert {
        "/api/v2/cases",
        "/api/v2/cases/{case_id}",
        "/api/v2/cases/{case_id}/title",
        "/api/v2/cases/{case_id}/status",
        "/api/v2/cases/{case_id}/custom_attributes/{custom_attribute_key}",
        "/api/v2/cases/{case_id}/relationships/project",
        "/api/v2/cases/projects",
        "/api/v2/cases/projects/{project_id}",
    } <= set(document["paths"])
    errors = document["paths"]["/api/v2/cases/{case_id}/relationships/project"]["patch"]["responses"]["4XX"]
    assert errors["content"]["application/json"]["schema"]["$ref"].endswith("/JSONAPIErrorResponse")
