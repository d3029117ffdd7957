"""Custom attribute values of a case through the client: they are the case's values of its type's custom fields (the
configs CaseManagementAttributeApi makes), checked by the core, shown back as `{type, is_multi, value}`, and read
natively as the case's `fields`. A key the case's type has no config for is a 404 on the value routes (as Datadog
answers) and a 400 at creation; a value of another type, or one the field refuses, is a 400 naming the key."""

import httpx
import pytest
from datadog_api_client.exceptions import ApiException, NotFoundException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.custom_attribute_type import CustomAttributeType
from datadog_api_client.v2.model.custom_attribute_value import CustomAttributeValue

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import STANDARD_TYPE_ID, new_case
from tests.dialects.datadog.test_cases import custom, native_case, parsed
from tests.helpers import Issued, issued_statements


def configure(datadog_http, key: str, kind: str, is_multi: bool = False, type_id: str = STANDARD_TYPE_ID) -> str:
    """A custom attribute config of the case type, as CaseManagementAttributeApi makes it; its id."""
    attributes = {"key": key, "display_name": key.title(), "type": kind, "is_multi": is_multi}
    body = {"data": {"type": "custom_attribute", "attributes": attributes}}
    made = datadog_http.post(f"/api/v2/cases/types/{type_id}/custom_attributes", json=body)
    assert made.status_code == 201, made.text
    return made.json()["data"]["id"]


def reading_types_or_fields(issued: list[Issued]) -> list[str]:
    return [s.flat for s in issued if "FROM case_types" in s.sql or "FROM field_definitions" in s.sql]


def shown(answer) -> dict:  # type: ignore[no-untyped-def]
    return {k: v.to_dict() for k, v in answer.data.attributes.custom_attributes.items()}


async def test_values_are_the_case_s_fields_set_and_removed_one_key_at_a_time(
    app, datadog_http, cases_api: CaseManagementApi, tenant: Tenant
):
    for key, kind, is_multi in (("region", "TEXT", False), ("hosts", "NUMBER", True), ("runbook", "URL", False)):
        configure(datadog_http, key, kind, is_multi)
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    cases_api.update_case_custom_attribute(key, "region", custom("TEXT", "eu-west-1"))
    cases_api.update_case_custom_attribute(key, "hosts", custom("NUMBER", [3.0, 4.5], is_multi=True))
    answer = parsed(cases_api.update_case_custom_attribute(key, "runbook", custom("URL", "https://example.com/rb")))
    assert shown(answer) == {
        "region": {"type": "TEXT", "is_multi": False, "value": "eu-west-1"},
        "hosts": {"type": "NUMBER", "is_multi": True, "value": [3.0, 4.5]},
        "runbook": {"type": "URL", "is_multi": False, "value": "https://example.com/rb"},
    }
    case, log = await native_case(app, tenant, key)
    assert case["fields"] == {"region": "eu-west-1", "hosts": ["3", "4.5"], "runbook": "https://example.com/rb"}
    assert "datadog" not in case["vendor_data"]
    assert {entry["source"] for entry in log} == {"datadog"}
    left = parsed(cases_api.delete_case_custom_attribute(key, "hosts"))
    assert set(shown(left)) == {"region", "runbook"}
    # Removing a configured key the case holds no value for changes nothing.
    assert shown(cases_api.delete_case_custom_attribute(key, "hosts")) == shown(left)
    assert (await native_case(app, tenant, key))[0]["version"] == case["version"] + 1


def test_an_integer_number_value_comes_back_as_a_double_the_client_parses(datadog_http, cases_api, tenant: Tenant):
    configure(datadog_http, "count", "NUMBER")
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    body = {"data": {"type": "case", "attributes": {"type": "NUMBER", "is_multi": False, "value": 3}}}
    assert datadog_http.post(f"/api/v2/cases/{key}/custom_attributes/count", json=body).status_code == 200
    answer = parsed(cases_api.get_case(key))
    assert answer.data.attributes.custom_attributes["count"].to_dict()["value"] == 3.0


def test_values_given_at_creation_are_kept_a_select_taking_its_options(datadog_http, cases_api, tenant: Tenant):
    config = configure(datadog_http, "region", "SELECT", is_multi=True)
    options = {"options": [{"value": "eu"}, {"value": "us"}, {"value": "ap"}]}
    update = {"data": {"type": "custom_attribute", "attributes": {"type_data": options}}}
    changed = datadog_http.put(f"/api/v2/cases/types/{STANDARD_TYPE_ID}/custom_attributes/{config}", json=update)
    assert changed.status_code == 200, changed.text
    request = new_case(tenant.project_id)
    request.data.attributes.custom_attributes = {
        "region": CustomAttributeValue(type=CustomAttributeType.SELECT, is_multi=True, value=["eu", "us"]),
    }
    case = parsed(cases_api.create_case(request)).data
    assert case.attributes.custom_attributes["region"].to_dict() == {"type": "SELECT", "is_multi": True, "value": ["eu", "us"]}
    assert parsed(cases_api.get_case(case.id)).data.attributes.custom_attributes["region"].value == ["eu", "us"]
    request.data.attributes.custom_attributes["region"].value = ["mars"]
    with pytest.raises(ApiException) as raised:
        cases_api.create_case(request)
    assert raised.value.status == 400 and "custom_attributes.region" in raised.value.body["errors"][0]


def test_a_key_the_case_s_type_has_no_config_for_is_a_404_on_the_value_routes(datadog_http, cases_api, tenant: Tenant):
    incident = datadog_http.post("/api/v2/cases/types", json={"data": {"type": "case_type", "attributes": {"name": "Incident"}}})
    assert incident.status_code == 201, incident.text
    # A config of another type is not one of this case's.
    configure(datadog_http, "impact", "TEXT", type_id=incident.json()["data"]["id"])
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    for call in (
        lambda name: cases_api.update_case_custom_attribute(key, name, custom("TEXT", "v")),
        lambda name: cases_api.delete_case_custom_attribute(key, name),
    ):
        for name in ("invalid_key", "impact"):
            with pytest.raises(NotFoundException) as raised:
                call(name)
            [message] = raised.value.body["errors"]
            assert "custom attribute" in message and name in message
    assert cases_api.get_case(key).data.attributes.custom_attributes == {}


def test_a_key_the_case_s_type_has_no_config_for_is_a_400_at_creation(cases_api, tenant: Tenant):
    request = new_case(tenant.project_id)
    request.data.attributes.custom_attributes = {
        "nowhere": CustomAttributeValue(type=CustomAttributeType.TEXT, is_multi=False, value="v"),
    }
    with pytest.raises(ApiException) as raised:
        cases_api.create_case(request)
    assert raised.value.status == 400
    assert "custom_attributes.nowhere" in raised.value.body["errors"][0]
    assert cases_api.search_cases().data == []


@pytest.mark.parametrize(
    "attributes, said",
    [
        ({"type": "TEXT", "is_multi": False, "value": "https://example.com"}, "URL"),
        ({"type": "URL", "is_multi": True, "value": ["https://example.com"]}, "is_multi"),
        ({"type": "URL", "is_multi": False, "value": "ftp://example.com"}, "http"),
        ({"type": "URL", "is_multi": False, "value": "x" * 3000}, "custom_attributes.runbook"),
    ],
)
def test_a_value_of_another_type_or_one_the_field_refuses_is_a_400_naming_the_key(
    datadog_http, cases_api, tenant: Tenant, attributes, said
):
    configure(datadog_http, "runbook", "URL")
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    response = datadog_http.post(f"/api/v2/cases/{key}/custom_attributes/runbook", json={"data": {"type": "case", "attributes": attributes}})
    assert response.status_code == 400, response.text
    [message] = response.json()["errors"]
    assert "custom_attributes.runbook" in message and said in message
    assert cases_api.get_case(key).data.attributes.custom_attributes == {}


@pytest.mark.parametrize(
    "attributes",
    [
        {"type": "TEXT", "is_multi": True, "value": "not an array"},
        {"type": "TEXT", "is_multi": False, "value": ["an", "array"]},
        {"type": "NUMBER", "is_multi": False, "value": "three"},
        {"type": "URL", "is_multi": False, "value": 3},
        {"type": "DATE", "is_multi": False, "value": "2026-01-01"},
        {"type": "TEXT", "is_multi": False, "value": {"an": "object"}},
        {"type": "TEXT", "value": "no is_multi"},
    ],
)
def test_a_value_of_the_wrong_shape_is_a_400(datadog_http, cases_api, tenant: Tenant, attributes):
    configure(datadog_http, "field", "TEXT")
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    response = datadog_http.post(f"/api/v2/cases/{key}/custom_attributes/field", json={"data": {"type": "case", "attributes": attributes}})
    assert response.status_code == 400, response.text
    assert isinstance(response.json()["errors"][0], str)
    assert cases_api.get_case(key).data.attributes.custom_attributes == {}


async def test_fields_made_natively_of_other_types_take_and_show_values_in_the_nearest_datadog_type(
    app, datadog_server, cases_api, tenant: Tenant
):
    native = {"Authorization": f"Bearer {tenant.admin.token}"}
    for field in ({"key": "reviewed", "label": "Reviewed", "type": "toggle"}, {"key": "cost", "label": "Cost", "type": "number"}):
        made = httpx.post(f"{datadog_server}/api/v1/types/{STANDARD_TYPE_ID}/fields", json=field, headers=native)
        assert made.status_code == 201, made.text
    key = cases_api.create_case(new_case(tenant.project_id)).data.attributes.key
    cases_api.update_case_custom_attribute(key, "reviewed", custom("TEXT", "true"))
    answer = parsed(cases_api.update_case_custom_attribute(key, "cost", custom("NUMBER", 12.0)))
    assert shown(answer) == {
        "reviewed": {"type": "TEXT", "is_multi": False, "value": "true"},
        "cost": {"type": "NUMBER", "is_multi": False, "value": 12.0},
    }
    assert (await native_case(app, tenant, key))[0]["fields"] == {"reviewed": True, "cost": 12}
    with pytest.raises(ApiException) as raised:
        cases_api.update_case_custom_attribute(key, "cost", custom("NUMBER", 12.5))
    assert raised.value.status == 400 and "custom_attributes.cost" in raised.value.body["errors"][0]


def test_a_search_page_reads_its_cases_types_and_their_fields_once(db, datadog_http, cases_api, tenant: Tenant):
    kinds = []
    for name in ("Incident", "Bug", "Audit"):
        made = datadog_http.post("/api/v2/cases/types", json={"data": {"type": "case_type", "attributes": {"name": name}}})
        kinds.append(made.json()["data"]["id"])
        configure(datadog_http, f"{name.lower()}_note", "TEXT", type_id=kinds[-1])
    notes = {}
    for n, type_id in enumerate(kinds * 2):
        request = new_case(tenant.project_id, f"Case {n}")
        request.data.attributes.type_id = type_id
        key = f"{('incident', 'bug', 'audit')[n % 3]}_note"
        value = CustomAttributeValue(type=CustomAttributeType.TEXT, is_multi=False, value=str(n))
        request.data.attributes.custom_attributes = {key: value}
        notes[cases_api.create_case(request).data.id] = {key: {"type": "TEXT", "is_multi": False, "value": str(n)}}
    with issued_statements(db.engine) as issued:
        page = cases_api.search_cases(page_size=10)
    found = {case.id: {k: v.to_dict() for k, v in case.attributes.custom_attributes.items()} for case in page.data}
    assert found == notes
    assert {case.attributes.type_id for case in page.data} == set(kinds)
    assert len(reading_types_or_fields(issued)) == 2


def test_a_search_page_of_types_without_fields_reads_no_fields(db, cases_api: CaseManagementApi, tenant: Tenant):
    for n in range(3):
        cases_api.create_case(new_case(tenant.project_id, f"Case {n}"))
    with issued_statements(db.engine) as issued:
        page = cases_api.search_cases(page_size=10)
    assert len(page.data) == 3 and all(case.attributes.custom_attributes == {} for case in page.data)
    # The types' statement asks whether each has fields; none has, so no statement reads them.
    read = reading_types_or_fields(issued)
    assert len(read) == 1 and read[0].startswith("SELECT case_types.id")
