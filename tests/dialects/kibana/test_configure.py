"""Kibana's case configuration over HTTP: one per owner, its answers, its checks and errors, and its custom fields as
casework field definitions."""

import httpx
import pytest

from tests.conftest import Tenant
from tests.dialects.kibana.conftest import kibana_client, kibana_headers
from tests.helpers import api_client

CONNECTOR = {"id": "none", "name": "none", "type": ".none", "fields": None}
FIELDS = [
    {"key": "ticket", "label": "Ticket", "type": "text", "required": False},
    {"key": "urgent", "label": "Urgent", "type": "toggle", "required": True, "defaultValue": False},
    {"key": "impact", "label": "Impact", "type": "number", "required": False, "defaultValue": 3},
    {
        "key": "team",
        "label": "Team",
        "type": "list",
        "required": True,
        "defaultValue": "soc",
        "options": [{"key": "soc", "label": "SOC"}, {"key": "fraud", "label": "Fraud"}],
    },
]
TEMPLATE = {
    "key": "phishing",
    "name": "Phishing",
    "description": "A reported phishing mail.",
    "tags": ["mail"],
    "caseFields": {
        "title": "Phishing",
        "customFields": [{"key": "ticket", "type": "text", "value": "T-1"}, {"key": "urgent", "type": "toggle", "value": True}],
    },
}
OBSERVABLE_TYPES = [{"key": "mail-sender", "label": "Mail sender"}]
CONFIGURATION = {
    "owner": "cases",
    "closure_type": "close-by-user",
    "connector": CONNECTOR,
    "customFields": FIELDS,
    "templates": [TEMPLATE],
    "observableTypes": OBSERVABLE_TYPES,
}


def boom(response: httpx.Response, status: int, message: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"statusCode", "error", "message"} and body["statusCode"] == status
    if message is not None:
        assert body["message"] == message
    return body["message"]  # type: ignore[no-any-return]


async def configure(kibana: httpx.AsyncClient, **changes: object) -> dict:
    response = await kibana.post("/api/cases/configure", json={**CONFIGURATION, **changes})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_configuration_answers_as_kibana_with_what_was_given(kibana, tenant: Tenant):
    made = await configure(kibana)
    assert set(made) == {
        "closure_type", "connector", "customFields", "templates", "observableTypes", "owner", "created_at",
        "created_by", "updated_at", "updated_by", "mappings", "version", "error", "id",
    }  # fmt: skip
    assert (made["owner"], made["closure_type"], made["connector"]) == ("cases", "close-by-user", CONNECTOR)
    assert made["customFields"] == FIELDS
    assert made["templates"][0]["caseFields"]["customFields"][:2] == TEMPLATE["caseFields"]["customFields"]
    assert made["observableTypes"] == OBSERVABLE_TYPES
    assert (made["version"], made["mappings"], made["error"]) == ("WzEsMV0=", [], None)
    assert made["updated_at"] is None and made["updated_by"] is None
    assert made["created_by"]["profile_uid"] == str(tenant.admin.id)
    assert made["created_at"].endswith("Z")
    assert (await kibana.get("/api/cases/configure")).json() == [made]


async def test_a_whole_number_default_of_a_number_field_is_kept_as_an_integer(kibana):
    made = await configure(kibana, customFields=[{**FIELDS[2], "defaultValue": 4.0}], templates=[])
    assert made["customFields"][0]["defaultValue"] == 4 and isinstance(made["customFields"][0]["defaultValue"], int)


async def test_the_optional_parts_default_to_empty_lists(kibana):
    bare = {"owner": "observability", "closure_type": "close-by-pushing", "connector": CONNECTOR}
    made = (await kibana.post("/api/cases/configure", json=bare)).json()
    assert (made["customFields"], made["templates"], made["observableTypes"]) == ([], [], [])
    assert made["closure_type"] == "close-by-pushing"


async def test_configurations_are_per_owner_and_a_post_replaces_the_owners(kibana):
    cases = await configure(kibana)
    security = await configure(kibana, owner="securitySolution", customFields=[], templates=[])
    again = await configure(kibana, closure_type="close-by-pushing")
    assert again["id"] != cases["id"] and again["version"] == "WzEsMV0="
    listed = (await kibana.get("/api/cases/configure")).json()
    assert {c["id"] for c in listed} == {security["id"], again["id"]}
    only = (await kibana.get("/api/cases/configure", params={"owner": "cases"})).json()
    assert [c["id"] for c in only] == [again["id"]]
    both = (await kibana.get("/api/cases/configure", params=[("owner", "cases"), ("owner", "securitySolution")])).json()
    assert len(both) == 2
    boom(await kibana.patch(f"/api/cases/configure/{cases['id']}", json={"version": cases["version"]}), 404)


async def test_nothing_configured_is_an_empty_list(kibana):
    assert (await kibana.get("/api/cases/configure")).json() == []


async def test_a_patch_at_the_current_version_changes_what_it_names(kibana, tenant: Tenant):
    made = await configure(kibana)
    response = await kibana.patch(
        f"/api/cases/configure/{made['id']}",
        json={"version": made["version"], "closure_type": "close-by-pushing", "observableTypes": []},
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["id"] == made["id"] and patched["version"] == "WzIsMV0="
    assert (patched["closure_type"], patched["observableTypes"]) == ("close-by-pushing", [])
    assert patched["customFields"] == FIELDS and patched["connector"] == CONNECTOR
    assert patched["updated_by"]["profile_uid"] == str(tenant.admin.id) and patched["updated_at"] is not None
    assert patched["created_at"] == made["created_at"]


async def test_a_stale_version_is_a_409_and_changes_nothing(kibana):
    made = await configure(kibana)
    path = f"/api/cases/configure/{made['id']}"
    await kibana.patch(path, json={"version": made["version"], "closure_type": "close-by-pushing"})
    for version in (made["version"], "not-a-version"):
        boom(
            await kibana.patch(path, json={"version": version, "closure_type": "close-by-user"}),
            409,
            "This configuration has been updated. Please refresh before saving additional updates.",
        )
    assert (await kibana.get("/api/cases/configure")).json()[0]["closure_type"] == "close-by-pushing"


async def test_an_unknown_configuration_is_a_404_and_a_patch_needs_a_version(kibana):
    boom(
        await kibana.patch("/api/cases/configure/nope", json={"version": "WzEsMV0="}),
        404,
        "Saved object [cases-configure/nope] not found",
    )
    made = await configure(kibana)
    boom(await kibana.patch(f"/api/cases/configure/{made['id']}", json={"closure_type": "close-by-user"}), 400)


async def test_a_configured_field_keeps_its_type(kibana):
    made = await configure(kibana)
    changed = [{**FIELDS[0], "type": "toggle"}]
    boom(
        await kibana.patch(f"/api/cases/configure/{made['id']}", json={"version": made["version"], "customFields": changed}),
        400,
        'Invalid custom field types in request for the following labels: "Ticket"',
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([{**FIELDS[0], "key": "Ticket"}], "Key must be lower case, a-z, 0-9, '_', and '-' are allowed"),
        ([{**FIELDS[0], "key": "k" * 37}], "The length of the key is too long. The maximum length is 36."),
        ([{**FIELDS[0], "label": " "}], "The label field cannot be an empty string."),
        ([{**FIELDS[0], "label": "l" * 51}], "The length of the label is too long. The maximum length is 50."),
        ([FIELDS[0], {**FIELDS[1], "key": "ticket"}], "Invalid duplicated customFields keys in request: ticket"),
        (
            [{**FIELDS[0], "key": f"k{i}"} for i in range(11)],
            "The length of the field customFields is too long. Array must be of length <= 10.",
        ),
        ([{**FIELDS[3], "defaultValue": "ops"}], 'Default value is not present in options for the following fields: "Team"'),
        (
            [{**FIELDS[2], "defaultValue": 2**53}],
            "The defaultValue field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive.",
        ),
        (
            [{**FIELDS[2], "defaultValue": 10**400}],
            "The defaultValue field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive.",
        ),
        (
            [{**FIELDS[2], "defaultValue": 1.5}],
            "The defaultValue field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive.",
        ),
        ([{**FIELDS[2], "defaultValue": "3"}], 'Invalid value "3" supplied to "customFields,defaultValue"'),
        ([{**FIELDS[1], "defaultValue": "yes"}], 'Invalid value "yes" supplied to "customFields,defaultValue"'),
        ([{**FIELDS[0], "defaultValue": True}], 'Invalid value "true" supplied to "customFields,defaultValue"'),
        ([{**FIELDS[3], "options": []}], "The length of the field options is too short. Array must be of length >= 1."),
        ([{**FIELDS[0], "options": FIELDS[3]["options"]}], 'invalid keys "options"'),
        ([{**FIELDS[0], "defaultValue": "t" * 161}], "The length of the defaultValue is too long. The maximum length is 160."),
    ],
)
async def test_custom_field_definitions_are_checked_in_kibanas_words(kibana, fields, message):
    response = await kibana.post("/api/cases/configure", json={**CONFIGURATION, "customFields": fields, "templates": []})
    assert message in boom(response, 400)
    assert (await kibana.get("/api/cases/configure")).json() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unknown": 1}, 'invalid keys "unknown"'),
        ({"closure_type": "close-by-magic"}, None),
        ({"owner": "someone"}, None),
        ({"templates": [{**TEMPLATE, "key": "Bad"}]}, "Key must be lower case, a-z, 0-9, '_', and '-' are allowed"),
        (
            {"templates": [{**TEMPLATE, "caseFields": {"customFields": [{"key": "nope", "type": "text", "value": "x"}]}}]},
            "Invalid custom field keys: nope",
        ),
        (
            {"templates": [{**TEMPLATE, "caseFields": {"customFields": [{"key": "ticket", "type": "toggle", "value": True}]}}]},
            'The following custom fields have the wrong type in the request: "Ticket"',
        ),
        ({"templates": [{**TEMPLATE, "caseFields": None}]}, "No custom fields added to template."),
        ({"customFields": [], "templates": [TEMPLATE]}, None),
        ({"observableTypes": OBSERVABLE_TYPES * 2}, "Invalid duplicated observableTypes keys in request: mail-sender"),
    ],
)
async def test_a_configuration_request_is_strict(kibana, changes, message):
    response = await kibana.post("/api/cases/configure", json={**CONFIGURATION, **changes})
    said = boom(response, 400)
    assert message is None or message in said
    assert (await kibana.get("/api/cases/configure")).json() == []


async def test_without_kbn_xsrf_a_configuration_is_refused(app, tenant: Tenant):
    headers = {"Authorization": kibana_headers(tenant.admin.token)["Authorization"]}
    async with kibana_client(app, headers) as client:
        boom(await client.post("/api/cases/configure", json=CONFIGURATION), 400, "Request must contain a kbn-xsrf header.")
        assert (await client.get("/api/cases/configure")).status_code == 200


async def test_agents_read_the_configuration_and_only_admins_and_managers_change_it(app, kibana, tenant: Tenant):
    made = await configure(kibana)
    agent = tenant.add_member("agent")
    async with kibana_client(app, kibana_headers(agent.token)) as client:
        assert [c["id"] for c in (await client.get("/api/cases/configure")).json()] == [made["id"]]
        boom(await client.post("/api/cases/configure", json=CONFIGURATION), 403)
        boom(await client.patch(f"/api/cases/configure/{made['id']}", json={"version": made["version"]}), 403)


async def test_each_space_sees_the_one_workspace_configuration(kibana):
    made = (await kibana.post("/s/team-a/api/cases/configure", json=CONFIGURATION)).json()
    assert [c["id"] for c in (await kibana.get("/s/team-b/api/cases/configure")).json()] == [made["id"]]


# The custom fields as casework field definitions.


async def _type_fields(app, tenant: Tenant, owner: str = "cases") -> list[dict]:  # type: ignore[no-untyped-def]
    async with api_client(app, tenant.admin.headers) as native:
        response = await native.get(f"/types/Kibana {owner}/fields")
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_configured_custom_fields_are_casework_fields_of_the_owners_case_type(app, kibana, tenant: Tenant):
    await configure(kibana)
    fields = await _type_fields(app, tenant)
    shown = [(f["key"], f["type"], f["required"], f["default"], f["owner"], f["active"]) for f in fields]
    assert shown == [
        ("ticket", "text", False, None, "kibana", True),
        ("urgent", "toggle", True, False, "kibana", True),
        ("impact", "number", False, 3, "kibana", True),
        ("team", "select", True, "soc", "kibana", True),
    ]
    assert [o["id"] for o in fields[3]["options"]] == ["soc", "fraud"]
    await configure(kibana, owner="observability", customFields=[FIELDS[0]], templates=[])
    assert [f["key"] for f in await _type_fields(app, tenant, "observability")] == ["ticket"]


async def test_a_case_of_the_owners_type_takes_the_configured_defaults(app, kibana, tenant: Tenant):
    await configure(kibana)
    async with api_client(app, tenant.admin.headers) as native:
        response = await native.post("/cases", json={"title": "Phish", "type": "Kibana cases", "fields": {"ticket": "T-9"}})
    assert response.status_code == 201, response.text
    assert response.json()["fields"] == {"ticket": "T-9", "urgent": False, "impact": 3, "team": "soc"}


async def test_a_field_left_out_is_removed_and_stripped_from_templates_and_one_cases_hold_is_deactivated(
    app, kibana, tenant: Tenant
):
    note = {"key": "note", "label": "Note", "type": "text", "required": False}
    made = await configure(kibana, customFields=[*FIELDS, note])
    async with api_client(app, tenant.admin.headers) as native:
        held = await native.post("/cases", json={"title": "Held", "type": "Kibana cases", "fields": {"ticket": "T-1"}})
        assert held.status_code == 201, held.text
    kept = FIELDS[1:]
    response = await kibana.patch(
        f"/api/cases/configure/{made['id']}", json={"version": made["version"], "customFields": kept}
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["customFields"] == kept
    values = patched["templates"][0]["caseFields"]["customFields"]
    assert values == [
        {"key": "urgent", "type": "toggle", "value": True},
        {"key": "impact", "type": "number", "value": 3},
        {"key": "team", "type": "list", "value": "soc"},
    ]
    fields = {f["key"]: f["active"] for f in await _type_fields(app, tenant)}
    assert fields == {"ticket": False, "urgent": True, "impact": True, "team": True}
    # Back in the configuration, the field is active again.
    again = await kibana.patch(
        f"/api/cases/configure/{made['id']}", json={"version": patched["version"], "customFields": FIELDS}
    )
    assert again.status_code == 200, again.text
    assert [(f["key"], f["active"]) for f in await _type_fields(app, tenant)] == [(f["key"], True) for f in FIELDS]


async def test_a_refused_patch_leaves_the_field_definitions_as_they_were(app, kibana, tenant: Tenant):
    made = await configure(kibana)
    bad = {"version": "WzksMV0=", "customFields": [FIELDS[0]]}
    boom(await kibana.patch(f"/api/cases/configure/{made['id']}", json=bad), 409)
    assert len(await _type_fields(app, tenant)) == len(FIELDS)


async def test_a_nul_in_a_configuration_is_a_400_naming_where_and_nothing_is_kept(kibana):
    connector = {**CONNECTOR, "name": "a\x00b"}
    response = await kibana.post("/api/cases/configure", json={**CONFIGURATION, "connector": connector})
    # Refused with the body, in Kibana's words for a value it does not take (io-ts names the path with commas).
    assert boom(response, 400) == 'Invalid value "a\x00b" supplied to "connector,name"'
    assert (await kibana.get("/api/cases/configure")).json() == []
