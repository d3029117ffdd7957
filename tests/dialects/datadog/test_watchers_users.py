"""Watchers and users through the client: users made, read and disabled with UsersApi; a case's watchers listed,
added (201) and removed (204) with no body; ids that are not UUIDs are 400s, unknown users 404s."""

import uuid

import httpx
import pytest
from datadog_api_client.exceptions import ApiException, ForbiddenException, NotFoundException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.api.users_api import UsersApi
from datadog_api_client.v2.model.user_create_attributes import UserCreateAttributes
from datadog_api_client.v2.model.user_create_data import UserCreateData
from datadog_api_client.v2.model.user_create_request import UserCreateRequest
from datadog_api_client.v2.model.users_type import UsersType

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import api_client_for, keys, unparsed_parts
from tests.dialects.datadog.content_support import error_messages, make_case


def new_user(email: str, **attributes: str) -> UserCreateRequest:
    return UserCreateRequest(data=UserCreateData(type=UsersType.USERS, attributes=UserCreateAttributes(email=email, **attributes)))


@pytest.fixture
def users_api(datadog_api) -> UsersApi:  # type: ignore[no-untyped-def]
    return UsersApi(datadog_api)


def watcher_ids(cases_api: CaseManagementApi, case_id: str) -> list[str]:
    answer = cases_api.list_case_watchers(case_id)
    assert unparsed_parts(answer) == []
    for watcher in answer.data:
        assert str(watcher.type) == "watcher" and str(watcher.relationships.user.data.type) == "user"
        assert watcher.id == watcher.relationships.user.data.id
    return [w.relationships.user.data.id for w in answer.data]


def test_a_user_is_made_read_and_disabled_through_users_api(users_api: UsersApi, tenant: Tenant):
    made = users_api.create_user(new_user("Ada@Example.com", name="Ada Lovelace", title="Analyst"))
    assert unparsed_parts(made) == []
    user = made.data
    assert str(user.type) == "users" and uuid.UUID(user.id)
    attributes = user.attributes
    assert (attributes.email, attributes.handle, attributes.name) == ("ada@example.com", "ada@example.com", "Ada Lovelace")
    assert (attributes.status, attributes.disabled) == ("active", False)
    assert users_api.get_user(user.id).to_dict() == made.to_dict()
    assert users_api.disable_user(user.id) is None
    disabled = users_api.get_user(user.id).data.attributes
    assert (disabled.status, disabled.disabled) == ("deactivated", True)
    unnamed = users_api.create_user(new_user("bob@example.com")).data
    assert unnamed.attributes.name == "bob@example.com"


def test_user_errors(datadog_host, users_api: UsersApi, tenant: Tenant):
    users_api.create_user(new_user("twice@example.com"))
    with pytest.raises(ApiException) as caught:
        users_api.create_user(new_user("twice@example.com"))
    assert caught.value.status == 409 and "twice@example.com" in error_messages(caught.value)[0]
    with pytest.raises(NotFoundException):
        users_api.get_user(str(uuid.uuid4()))
    response = httpx.get(f"{datadog_host}/api/v2/users/7", headers=keys(tenant.admin))
    assert response.status_code == 400 and "user_id" in response.json()["errors"][0]
    long_email = "a" * 60 + "@" + "b" * 50 + "." + "c" * 50 + ".example.com"
    body = {"data": {"type": "users", "attributes": {"email": long_email}}}
    response = httpx.post(f"{datadog_host}/api/v2/users", json=body, headers=keys(tenant.admin))
    assert response.status_code == 400 and "name" in response.json()["errors"][0]
    body = {"data": {"type": "users", "attributes": {"email": "not an email"}}}
    response = httpx.post(f"{datadog_host}/api/v2/users", json=body, headers=keys(tenant.admin))
    assert response.status_code == 400 and "email" in response.json()["errors"][0]
    with api_client_for(datadog_host, tenant.add_member("agent")) as client:
        with pytest.raises(ForbiddenException):
            UsersApi(client).create_user(new_user("nope@example.com"))


def test_watchers_are_listed_added_and_removed_with_no_answer_body(
    datadog_host, cases_api: CaseManagementApi, users_api: UsersApi, tenant: Tenant
):
    case = make_case(cases_api, tenant.project_id)
    assert watcher_ids(cases_api, case.id) == [str(tenant.admin.id)]  # the author watches
    ada = users_api.create_user(new_user("ada@example.com")).data.id
    assert cases_api.watch_case(case.id, ada) is None
    assert cases_api.watch_case(case.attributes.key, ada) is None  # idempotent
    assert sorted(watcher_ids(cases_api, case.id)) == sorted([str(tenant.admin.id), ada])
    raw = httpx.post(f"{datadog_host}/api/v2/cases/{case.id}/watchers/{ada}", headers=keys(tenant.admin))
    assert (raw.status_code, raw.content) == (201, b"")
    assert cases_api.unwatch_case(case.id, ada) is None
    assert watcher_ids(cases_api, case.id) == [str(tenant.admin.id)]
    raw = httpx.delete(f"{datadog_host}/api/v2/cases/{case.id}/watchers/{tenant.admin.id}", headers=keys(tenant.admin))
    assert (raw.status_code, raw.content) == (204, b"")
    assert watcher_ids(cases_api, case.id) == []


def test_watcher_errors(datadog_host, cases_api: CaseManagementApi, tenant: Tenant, other: Tenant):
    case = make_case(cases_api, tenant.project_id)
    with pytest.raises(NotFoundException):
        cases_api.watch_case(case.id, str(uuid.uuid4()))
    with pytest.raises(NotFoundException):
        cases_api.watch_case(case.id, str(other.admin.id))  # a user of another workspace
    with pytest.raises(NotFoundException):
        cases_api.watch_case("SEC-404", str(tenant.admin.id))
    with pytest.raises(NotFoundException):
        cases_api.unwatch_case(case.id, str(uuid.uuid4()))
    with pytest.raises(NotFoundException):
        cases_api.list_case_watchers("SEC-404")
    for method in ("POST", "DELETE"):
        response = httpx.request(method, f"{datadog_host}/api/v2/cases/{case.id}/watchers/someone", headers=keys(tenant.admin))
        assert response.status_code == 400 and "user_uuid" in response.json()["errors"][0]
    assert watcher_ids(cases_api, case.id) == [str(tenant.admin.id)]


def test_watchers_changed_through_datadog_are_logged_from_datadog(datadog_server, cases_api, users_api, tenant: Tenant):
    case = make_case(cases_api, tenant.project_id)
    ada = users_api.create_user(new_user("ada@example.com")).data.id
    cases_api.watch_case(case.id, ada)
    native = {"Authorization": f"Bearer {tenant.admin.token}"}
    listed = httpx.get(f"{datadog_server}/api/v1/cases/{case.id}/watchers", headers=native).json()["items"]
    assert ada in [w["user_id"] for w in listed]
    entries = httpx.get(f"{datadog_server}/api/v1/cases/{case.id}/activity", headers=native).json()["items"]
    assert [e["source"] for e in entries if e["action"] == "watcher_added"] == ["datadog"]
