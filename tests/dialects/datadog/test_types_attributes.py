"""Case types (CaseManagementTypeApi) and their custom attribute configs (CaseManagementAttributeApi) through the
client: STANDARD's fixed id, CRUD, soft deletion, Datadog's four attribute types with is_multi, SELECT options given
by an update, UUID ids, and `{"errors": ["<message>"]}` errors."""

import uuid

import httpx
import pytest
from datadog_api_client.exceptions import ApiException, NotFoundException
from datadog_api_client.v2.api.case_management_attribute_api import CaseManagementAttributeApi
from datadog_api_client.v2.api.case_management_type_api import CaseManagementTypeApi
from datadog_api_client.v2.model.case_type_create import CaseTypeCreate
from datadog_api_client.v2.model.case_type_create_request import CaseTypeCreateRequest
from datadog_api_client.v2.model.case_type_resource_attributes import CaseTypeResourceAttributes
from datadog_api_client.v2.model.case_type_resource_type import CaseTypeResourceType
from datadog_api_client.v2.model.case_type_update import CaseTypeUpdate
from datadog_api_client.v2.model.case_type_update_request import CaseTypeUpdateRequest
from datadog_api_client.v2.model.custom_attribute_config_attributes_create import CustomAttributeConfigAttributesCreate
from datadog_api_client.v2.model.custom_attribute_config_create import CustomAttributeConfigCreate
from datadog_api_client.v2.model.custom_attribute_config_create_request import CustomAttributeConfigCreateRequest
from datadog_api_client.v2.model.custom_attribute_config_resource_type import CustomAttributeConfigResourceType
from datadog_api_client.v2.model.custom_attribute_config_update import CustomAttributeConfigUpdate
from datadog_api_client.v2.model.custom_attribute_config_update_attributes import CustomAttributeConfigUpdateAttributes
from datadog_api_client.v2.model.custom_attribute_config_update_request import CustomAttributeConfigUpdateRequest
from datadog_api_client.v2.model.custom_attribute_select_option import CustomAttributeSelectOption
from datadog_api_client.v2.model.custom_attribute_type import CustomAttributeType
from datadog_api_client.v2.model.custom_attribute_type_data import CustomAttributeTypeData

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import STANDARD_TYPE_ID, keys, new_case, unparsed_parts
from tests.dialects.datadog.content_support import error_messages


@pytest.fixture
def types_api(datadog_api) -> CaseManagementTypeApi:  # type: ignore[no-untyped-def]
    return CaseManagementTypeApi(datadog_api)


@pytest.fixture
def attributes_api(datadog_api) -> CaseManagementAttributeApi:  # type: ignore[no-untyped-def]
    return CaseManagementAttributeApi(datadog_api)


def new_type(name: str, **attributes: str) -> CaseTypeCreateRequest:
    return CaseTypeCreateRequest(
        data=CaseTypeCreate(type=CaseTypeResourceType.CASE_TYPE, attributes=CaseTypeResourceAttributes(name=name, **attributes))
    )


def type_update(name: str, **attributes: str) -> CaseTypeUpdateRequest:
    return CaseTypeUpdateRequest(
        data=CaseTypeUpdate(type=CaseTypeResourceType.CASE_TYPE, attributes=CaseTypeResourceAttributes(name=name, **attributes))
    )


def new_attribute(key: str, kind: str, is_multi: bool = False, **attributes: str) -> CustomAttributeConfigCreateRequest:
    return CustomAttributeConfigCreateRequest(
        data=CustomAttributeConfigCreate(
            type=CustomAttributeConfigResourceType.CUSTOM_ATTRIBUTE,
            attributes=CustomAttributeConfigAttributesCreate(
                key=key, display_name=key.title(), type=CustomAttributeType(kind), is_multi=is_multi, **attributes
            ),
        )
    )


def attribute_update(**attributes: object) -> CustomAttributeConfigUpdateRequest:
    return CustomAttributeConfigUpdateRequest(
        data=CustomAttributeConfigUpdate(
            type=CustomAttributeConfigResourceType.CUSTOM_ATTRIBUTE,
            attributes=CustomAttributeConfigUpdateAttributes(**attributes),
        )
    )


def names(types_api: CaseManagementTypeApi) -> list[str]:
    listed = types_api.get_all_case_types()
    assert unparsed_parts(listed) == []
    return [t.attributes.name for t in listed.data]


def test_standard_is_listed_with_its_fixed_id(types_api: CaseManagementTypeApi):
    [standard] = types_api.get_all_case_types().data
    assert (standard.id, str(standard.type), standard.attributes.name) == (STANDARD_TYPE_ID, "case_type", "STANDARD")
    assert standard.attributes.deleted_at is None


def test_a_case_type_is_created_updated_and_deleted(types_api: CaseManagementTypeApi):
    made = types_api.create_case_type(new_type("Security Incident", description="SOC cases", emoji="🔒"))
    assert unparsed_parts(made) == []
    created = made.data
    assert uuid.UUID(created.id) and str(created.type) == "case_type"
    assert (created.attributes.name, created.attributes.description, created.attributes.emoji) == (
        "Security Incident", "SOC cases", "🔒"
    )  # fmt: skip
    assert names(types_api) == ["STANDARD", "Security Incident"]
    changed = types_api.update_case_type(created.id, type_update("Incident", description="Renamed", emoji="🚨")).data
    assert (changed.id, changed.attributes.name, changed.attributes.description, changed.attributes.emoji) == (
        created.id, "Incident", "Renamed", "🚨"
    )  # fmt: skip
    assert types_api.delete_case_type(created.id) is None
    assert names(types_api) == ["STANDARD"]


def test_a_case_takes_a_type_made_through_the_type_api(types_api, cases_api, tenant: Tenant):
    incident = types_api.create_case_type(new_type("Incident")).data.id
    request = new_case(tenant.project_id)
    request.data.attributes.type_id = incident
    case = cases_api.create_case(request).data
    assert unparsed_parts(case) == [] and case.attributes.type_id == incident
    assert cases_api.get_case(case.id).data.attributes.type_id == incident
    types_api.delete_case_type(incident)
    assert cases_api.get_case(case.id).data.attributes.type_id == incident  # its cases keep a deleted type


def test_case_type_errors_are_messages(datadog_host, types_api: CaseManagementTypeApi, tenant: Tenant):
    types_api.create_case_type(new_type("Bug"))
    with pytest.raises(ApiException) as caught:
        types_api.create_case_type(new_type("bug"))
    assert caught.value.status == 409 and "bug" in error_messages(caught.value)[0].lower()
    with pytest.raises(ApiException) as caught:
        types_api.create_case_type(new_type("Odd", emoji="notanemoji"))
    assert caught.value.status == 400 and "emoji" in error_messages(caught.value)[0]
    with pytest.raises(NotFoundException) as caught:
        types_api.update_case_type(str(uuid.uuid4()), type_update("Ghost"))
    error_messages(caught.value)
    with pytest.raises(NotFoundException):
        types_api.delete_case_type(str(uuid.uuid4()))
    with pytest.raises(ApiException) as caught:
        types_api.delete_case_type(STANDARD_TYPE_ID)
    assert caught.value.status == 409 and error_messages(caught.value)
    with pytest.raises(ApiException) as caught:
        types_api.update_case_type(STANDARD_TYPE_ID, type_update("Renamed"))
    assert caught.value.status == 409
    for method, path, body, field in [
        ("PUT", "/api/v2/cases/types/Bug", {"data": {"type": "case_type", "attributes": {"name": "X"}}}, "case_type_id"),
        ("DELETE", "/api/v2/cases/types/1", None, "case_type_id"),
        ("POST", "/api/v2/cases/types", {"data": {"type": "case", "attributes": {"name": "X"}}}, "type"),
        ("POST", "/api/v2/cases/types", {"data": {"type": "case_type", "attributes": {"name": " "}}}, "name"),
    ]:
        response = httpx.request(method, datadog_host + path, json=body, headers=keys(tenant.admin))
        assert response.status_code == 400, response.text
        [message] = response.json()["errors"]
        assert isinstance(message, str) and field in message
    assert names(types_api) == ["STANDARD", "Bug"]


def test_custom_attributes_of_every_datadog_type_are_made_per_case_type(types_api, attributes_api: CaseManagementAttributeApi):
    incident = types_api.create_case_type(new_type("Incident")).data.id
    made = [
        attributes_api.create_custom_attribute_config(STANDARD_TYPE_ID, new_attribute("runbook", "URL", description="Where")),
        attributes_api.create_custom_attribute_config(STANDARD_TYPE_ID, new_attribute("hosts", "TEXT", is_multi=True)),
        attributes_api.create_custom_attribute_config(incident, new_attribute("impact", "NUMBER")),
        attributes_api.create_custom_attribute_config(incident, new_attribute("regions", "SELECT", is_multi=True)),
        attributes_api.create_custom_attribute_config(incident, new_attribute("tier", "SELECT")),
    ]
    for answer in made:
        assert unparsed_parts(answer) == []
        assert str(answer.data.type) == "custom_attribute" and uuid.UUID(answer.data.id)
    shown = [
        (a.data.attributes.case_type_id, a.data.attributes.key, a.data.attributes.display_name, str(a.data.attributes.type),
         a.data.attributes.is_multi)
        for a in made
    ]  # fmt: skip
    assert shown == [
        (STANDARD_TYPE_ID, "runbook", "Runbook", "URL", False),
        (STANDARD_TYPE_ID, "hosts", "Hosts", "TEXT", True),
        (incident, "impact", "Impact", "NUMBER", False),
        (incident, "regions", "Regions", "SELECT", True),
        (incident, "tier", "Tier", "SELECT", False),
    ]
    everything = attributes_api.get_all_custom_attributes()
    assert unparsed_parts(everything) == []
    assert [c.to_dict() for c in everything.data] == [a.data.to_dict() for a in made]
    of_incident = attributes_api.get_all_custom_attribute_configs_by_case_type(incident)
    assert [c.attributes.key for c in of_incident.data] == ["impact", "regions", "tier"]


def test_a_select_gets_its_options_by_update_and_cases_take_them(datadog_server, attributes_api, tenant: Tenant):
    tier = attributes_api.create_custom_attribute_config(STANDARD_TYPE_ID, new_attribute("tier", "SELECT")).data
    native = {"Authorization": f"Bearer {tenant.admin.token}"}
    refused = httpx.post(f"{datadog_server}/api/v1/cases", json={"title": "T", "fields": {"tier": "gold"}}, headers=native)
    assert refused.status_code == 422
    options = CustomAttributeTypeData(options=[CustomAttributeSelectOption(value="gold"), CustomAttributeSelectOption(value="silver")])
    changed = attributes_api.update_custom_attribute_config(
        STANDARD_TYPE_ID, tier.id, attribute_update(display_name="Support tier", type_data=options)
    )
    assert unparsed_parts(changed) == []
    assert (changed.data.id, changed.data.attributes.display_name) == (tier.id, "Support tier")
    made = httpx.post(f"{datadog_server}/api/v1/cases", json={"title": "T", "fields": {"tier": "gold"}}, headers=native)
    assert made.status_code == 201 and made.json()["fields"] == {"tier": "gold"}
    field = httpx.get(f"{datadog_server}/api/v1/types/{STANDARD_TYPE_ID}/fields/tier", headers=native).json()
    assert field["options"] == [{"id": "gold", "label": "gold"}, {"id": "silver", "label": "silver"}]


def test_custom_attribute_errors(datadog_host, types_api, attributes_api: CaseManagementAttributeApi, tenant: Tenant):
    url = attributes_api.create_custom_attribute_config(STANDARD_TYPE_ID, new_attribute("runbook", "URL")).data
    with pytest.raises(ApiException) as caught:
        attributes_api.create_custom_attribute_config(STANDARD_TYPE_ID, new_attribute("runbook", "TEXT"))
    assert caught.value.status == 409 and "runbook" in error_messages(caught.value)[0]
    with pytest.raises(ApiException) as caught:
        attributes_api.update_custom_attribute_config(STANDARD_TYPE_ID, url.id, attribute_update(type=CustomAttributeType("TEXT")))
    assert caught.value.status == 400 and "type" in error_messages(caught.value)[0]
    options = CustomAttributeTypeData(options=[CustomAttributeSelectOption(value="a")])
    with pytest.raises(ApiException) as caught:
        attributes_api.update_custom_attribute_config(STANDARD_TYPE_ID, url.id, attribute_update(type_data=options))
    assert caught.value.status == 400 and "type_data" in error_messages(caught.value)[0]
    tier = attributes_api.create_custom_attribute_config(STANDARD_TYPE_ID, new_attribute("tier", "SELECT")).data
    twice = CustomAttributeTypeData(options=[CustomAttributeSelectOption(value="a"), CustomAttributeSelectOption(value="a")])
    with pytest.raises(ApiException) as caught:
        attributes_api.update_custom_attribute_config(STANDARD_TYPE_ID, tier.id, attribute_update(type_data=twice))
    assert caught.value.status == 400 and "type_data" in error_messages(caught.value)[0]
    attributes_api.delete_custom_attribute_config(STANDARD_TYPE_ID, tier.id)
    with pytest.raises(NotFoundException):
        attributes_api.get_all_custom_attribute_configs_by_case_type(str(uuid.uuid4()))
    with pytest.raises(NotFoundException):
        attributes_api.update_custom_attribute_config(STANDARD_TYPE_ID, str(uuid.uuid4()), attribute_update(display_name="X"))
    with pytest.raises(NotFoundException):
        attributes_api.delete_custom_attribute_config(STANDARD_TYPE_ID, str(uuid.uuid4()))
    base = f"{datadog_host}/api/v2/cases/types"
    body = {"data": {"type": "custom_attribute", "attributes": {"key": "k", "display_name": "K", "type": "DATE", "is_multi": False}}}
    for method, path, payload, field in [
        ("POST", f"{base}/{STANDARD_TYPE_ID}/custom_attributes", body, "type"),
        ("POST", f"{base}/STANDARD/custom_attributes", body | {"data": body["data"] | {"attributes": {}}}, "case_type_id"),
        ("PUT", f"{base}/{STANDARD_TYPE_ID}/custom_attributes/runbook", {"data": {"type": "custom_attribute"}}, "custom_attribute_id"),
        ("PUT", f"{base}/{STANDARD_TYPE_ID}/custom_attributes/{url.id}", {"data": {"type": "custom_attribute", "attributes": {"map_from": "tag"}}}, "map_from"),
        ("DELETE", f"{base}/{STANDARD_TYPE_ID}/custom_attributes/1", None, "custom_attribute_id"),
    ]:
        response = httpx.request(method, path, json=payload, headers=keys(tenant.admin))
        assert response.status_code == 400, response.text
        [message] = response.json()["errors"]
        assert field in message
    assert attributes_api.delete_custom_attribute_config(STANDARD_TYPE_ID, url.id) is None
    assert attributes_api.get_all_custom_attributes().data == []


def test_an_attribute_config_keeps_its_description(datadog_server, attributes_api: CaseManagementAttributeApi, tenant: Tenant):
    create = attributes_api.create_custom_attribute_config
    made = create(STANDARD_TYPE_ID, new_attribute("runbook", "URL", description="Where")).data
    assert made.attributes.description == "Where"
    bare = create(STANDARD_TYPE_ID, new_attribute("hosts", "TEXT")).data
    assert "description" not in bare.attributes.to_dict()
    listed = attributes_api.get_all_custom_attribute_configs_by_case_type(STANDARD_TYPE_ID)
    assert unparsed_parts(listed) == []
    assert {c.attributes.key: c.attributes.get("description") for c in listed.data} == {"runbook": "Where", "hosts": None}
    update = attributes_api.update_custom_attribute_config
    renamed = update(STANDARD_TYPE_ID, made.id, attribute_update(display_name="Runbook URL")).data
    assert renamed.attributes.description == "Where"  # an update without one keeps it
    changed = update(STANDARD_TYPE_ID, made.id, attribute_update(description="The runbook")).data
    assert changed.attributes.description == "The runbook"
    assert attributes_api.get_all_custom_attributes().data[0].attributes.description == "The runbook"
    native = {"Authorization": f"Bearer {tenant.admin.token}"}
    fields = httpx.get(f"{datadog_server}/api/v1/types/{STANDARD_TYPE_ID}/fields", headers=native).json()["items"]
    assert {f["key"]: f["description"] for f in fields} == {"runbook": "The runbook", "hosts": None}
