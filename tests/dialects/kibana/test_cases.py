"""Kibana's case routes over HTTP: create, get, bulk update, delete, with Kibana's limits, checks and messages."""

import uuid

import pytest

from tests.conftest import Tenant
from tests.dialects.kibana.conftest import NEW_CASE, kibana_client, kibana_headers
from tests.helpers import api_client

MISSING = "6a1e1f3c-0000-4000-8000-00000000abcd"


async def create(kibana, **fields) -> dict:
    response = await kibana.post("/api/cases", json={**NEW_CASE, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def boom(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"statusCode", "error", "message"} and body["statusCode"] == status
    return body["message"]


async def patch(kibana, *cases: dict):
    return await kibana.patch("/api/cases", json={"cases": list(cases)})


# Creating


async def test_the_documented_request_answers_kibanas_defaults(kibana):
    case = await create(kibana)
    assert {k: case[k] for k in ("title", "description", "tags", "owner", "connector", "settings")} == NEW_CASE
    assert case["status"] == "open" and case["severity"] == "low" and case["assignees"] == []
    assert case["category"] is None and case["customFields"] == [] and case["comments"] == []
    assert case["duration"] is None and case["closed_at"] is None and case["closed_by"] is None
    assert case["external_service"] is None and case["totalComment"] == 0 and case["totalAlerts"] == 0
    assert case["created_at"].endswith("Z") and len(case["created_at"]) == 24


async def test_given_fields_are_kept_trimmed(kibana, tenant: Tenant):
    case = await create(
        kibana, title="  padded  ", tags=[" a ", "b", "b"], category=" triage ", severity="critical",
        assignees=[{"uid": str(tenant.admin.id)}],
    )
    assert case["title"] == "padded" and case["tags"] == ["a", "b"] and case["category"] == "triage"
    assert case["severity"] == "critical" and case["assignees"] == [{"uid": str(tenant.admin.id)}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "x" * 161}, "The length of the title is too long. The maximum length is 160."),
        ({"title": "   "}, "The title field cannot be an empty string."),
        ({"description": "x" * 30_001}, "The length of the description is too long. The maximum length is 30000."),
        ({"tags": [" "]}, "The tag field cannot be an empty string."),
        ({"tags": ["x" * 257]}, "The length of the tag is too long. The maximum length is 256."),
        ({"tags": [f"t{i}" for i in range(201)]}, "The length of the field tags is too long. Array must be of length <= 200."),
        ({"category": "x" * 51}, "The length of the category is too long. The maximum length is 50."),
        ({"category": ""}, "The category field cannot be an empty string."),
        ({"assignees": [{"uid": str(uuid.uuid4())} for _ in range(11)]},
         "The length of the field assignees is too long. Array must be of length <= 10."),
        ({"severity": "very-severe"}, 'Invalid value "very-severe" supplied to "severity"'),
        ({"status": "open"}, 'invalid keys "status"'),
        ({"title": None}, 'Invalid value "null" supplied to "title"'),
        ({"connector": {"id": "none", "name": "none", "type": ".none", "fields": {"a": 1}}},
         'Invalid value "{"a":1}" supplied to "connector,fields"'),
        ({"connector": {"id": "j", "name": "Jira", "type": ".jira", "fields": {"issueType": None, "bad": "x"}}},
         'invalid keys "bad"'),
        ({"connector": {"id": "x", "name": "x", "type": ".unknown", "fields": None}},
         'Invalid value ".unknown" supplied to "connector,type"'),
    ],
)
async def test_a_body_outside_kibanas_limits_is_a_400_in_its_words(kibana, change, message):
    assert boom(await kibana.post("/api/cases", json={**NEW_CASE, **change}), 400) == message


async def test_a_connector_of_another_type_is_kept_as_given(kibana):
    connector = {"id": "j1", "name": "Jira", "type": ".jira", "fields": {"issueType": "10006", "priority": None}}
    assert (await create(kibana, connector=connector))["connector"] == connector


@pytest.mark.parametrize("uid", ["u_mGBROF_q5bmFCATbLXAcCwKa0k8JvONAwSruelyKA5E_0", str(uuid.uuid4())])
async def test_an_assignee_who_is_no_user_of_the_workspace_is_a_400(kibana, uid):
    response = await kibana.post("/api/cases", json={**NEW_CASE, "assignees": [{"uid": uid}]})
    assert "assignees" in boom(response, 400)


@pytest.mark.parametrize("owner", ["testDisabledFixture", "Cases", ""])
async def test_an_owner_casework_does_not_serve_is_refused_as_kibana_refuses_an_unauthorized_one(kibana, owner):
    response = await kibana.post("/api/cases", json={**NEW_CASE, "owner": owner})
    assert boom(response, 403) == f'Unauthorized to create case with owners: "{owner}"'
    found = await kibana.get("/api/cases/_find")
    assert found.json()["total"] == 0


async def test_an_owner_that_is_no_string_is_a_400(kibana):
    assert boom(await kibana.post("/api/cases", json={**NEW_CASE, "owner": 1}), 400) == 'Invalid value "1" supplied to "owner"'


async def test_a_missing_required_field_is_named(kibana):
    body = {k: v for k, v in NEW_CASE.items() if k != "title"}
    assert boom(await kibana.post("/api/cases", json=body), 400) == 'Invalid value "undefined" supplied to "title"'


# Updating


async def test_a_patch_changes_the_case_and_sets_who_updated_it(kibana, tenant: Tenant):
    case = await create(kibana)
    response = await patch(kibana, {"id": case["id"], "version": case["version"], "title": "Renamed"})
    assert response.status_code == 200, response.text
    [updated] = response.json()
    assert updated["title"] == "Renamed" and updated["version"] != case["version"]
    assert updated["updated_by"]["profile_uid"] == str(tenant.admin.id) and updated["updated_at"]
    assert (await kibana.get(f"/api/cases/{case['id']}")).json() == updated


async def test_closing_sets_closed_at_closed_by_and_duration_and_reopening_clears_them(kibana, tenant: Tenant):
    case = await create(kibana)
    [closed] = (await patch(kibana, {"id": case["id"], "version": case["version"], "status": "closed"})).json()
    assert closed["status"] == "closed" and closed["closed_at"] and closed["duration"] == 0
    assert closed["closed_by"]["profile_uid"] == str(tenant.admin.id)
    [reopened] = (await patch(kibana, {"id": case["id"], "version": closed["version"], "status": "in-progress"})).json()
    assert reopened["status"] == "in-progress"
    assert (reopened["closed_at"], reopened["closed_by"], reopened["duration"]) == (None, None, None)


async def test_unknown_cases_are_one_404_naming_each_before_any_conflict(kibana):
    case = await create(kibana)
    response = await patch(
        kibana,
        {"id": case["id"], "version": "Wzk5LDFd", "title": "stale"},
        {"id": MISSING, "version": "WzEsMV0=", "title": "a"},
        {"id": "fake-id", "version": "WzEsMV0=", "title": "b"},
    )
    assert boom(response, 404) == (
        f"These cases {MISSING}, fake-id do not exist. Please check you have the correct ids."
    )


async def test_stale_versions_are_one_409_and_nothing_applies(kibana):
    first, second = await create(kibana), await create(kibana)
    response = await patch(
        kibana,
        {"id": first["id"], "version": first["version"], "title": "would apply"},
        {"id": second["id"], "version": "WzIsMV0=", "title": "stale"},
    )
    assert boom(response, 409) == (
        f"These cases {second['id']} has been updated. Please refresh before saving additional updates."
    )
    assert (await kibana.get(f"/api/cases/{first['id']}")).json()["title"] == "Case title 1"


async def test_a_version_this_server_never_issued_is_stale(kibana):
    case = await create(kibana)
    assert boom(await patch(kibana, {"id": case["id"], "version": "not-a-version", "title": "x"}), 409)


async def test_nothing_to_change_is_a_406(kibana):
    case = await create(kibana)
    response = await patch(
        kibana, {"id": case["id"], "version": case["version"], "title": "Case title 1", "tags": ["tag 1"]}
    )
    assert boom(response, 406) == "All update fields are identical to current version."


async def test_tags_are_compared_as_a_set(kibana):
    case = await create(kibana, tags=["a", "b"])
    response = await patch(kibana, {"id": case["id"], "version": case["version"], "tags": ["b", "a"]})
    assert response.status_code == 406


async def test_changing_the_owner_is_refused_after_the_406_check(kibana):
    case = await create(kibana)
    same = await patch(kibana, {"id": case["id"], "version": case["version"], "owner": "cases", "title": "t2"})
    assert same.status_code == 200
    version = same.json()[0]["version"]
    other = await patch(kibana, {"id": case["id"], "version": version, "owner": "observability"})
    assert boom(other, 400) == f"Updating the owner of a case is not allowed ids: [{case['id']}]"


async def test_the_category_may_be_set_to_null(kibana):
    case = await create(kibana, category="triage")
    response = await patch(kibana, {"id": case["id"], "version": case["version"], "category": None})
    assert response.status_code == 200 and response.json()[0]["category"] is None


async def test_connector_settings_and_assignees_change_through_a_patch(kibana, tenant: Tenant):
    case = await create(kibana)
    connector = {"id": "j1", "name": "Jira", "type": ".jira", "fields": {"issueType": "1", "priority": None}}
    response = await patch(kibana, {
        "id": case["id"], "version": case["version"], "connector": connector, "settings": {"syncAlerts": True},
        "assignees": [{"uid": str(tenant.admin.id)}], "severity": "medium",
    })
    [updated] = response.json()
    assert updated["connector"] == connector and updated["settings"] == {"syncAlerts": True}
    assert updated["assignees"] == [{"uid": str(tenant.admin.id)}] and updated["severity"] == "medium"


async def test_only_the_cases_that_change_are_answered(kibana):
    first, second = await create(kibana), await create(kibana)
    response = await patch(
        kibana,
        {"id": first["id"], "version": first["version"], "title": "Case title 1"},
        {"id": second["id"], "version": second["version"], "severity": "high"},
    )
    assert [case["id"] for case in response.json()] == [second["id"]]


async def test_a_refused_case_leaves_every_case_of_the_request_unchanged(kibana):
    first, second = await create(kibana), await create(kibana)
    response = await patch(
        kibana,
        {"id": first["id"], "version": first["version"], "title": "applied?"},
        {"id": second["id"], "version": second["version"], "assignees": [{"uid": str(uuid.uuid4())}]},
    )
    assert response.status_code == 400
    assert (await kibana.get(f"/api/cases/{first['id']}")).json()["version"] == first["version"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"cases": []}, "The length of the field cases is too short. Array must be of length >= 1."),
        ({"cases": [{"id": "x", "version": "y", "title": "t"}] * 101},
         "The length of the field cases is too long. Array must be of length <= 100."),
        ({"cases": [{"version": "y", "title": "t"}]}, 'Invalid value "undefined" supplied to "cases,id"'),
        ({"cases": [{"id": "x", "version": "y", "status": True}]}, 'Invalid value "true" supplied to "cases,status"'),
        ({"cases": [{"id": "x", "version": "y", "title": "t", "badKey": 1}]}, 'invalid keys "badKey"'),
        *(({"cases": [{"id": "x", "version": "y", name: None}]}, f'Invalid value "null" supplied to "cases,{name}"')
          for name in ("title", "description", "tags", "connector", "severity", "assignees", "customFields",
                       "settings", "status", "owner")),
    ],
)
async def test_a_bad_patch_body_is_a_400(kibana, body, message):
    assert boom(await kibana.patch("/api/cases", json=body), 400) == message


# Deleting


async def test_deleting_takes_ids_repeated_or_as_a_json_array(kibana):
    cases = [await create(kibana) for _ in range(3)]
    repeated = await kibana.delete("/api/cases", params=[("ids", cases[0]["id"]), ("ids", cases[1]["id"])])
    assert repeated.status_code == 204 and repeated.content == b""
    as_json = await kibana.delete("/api/cases", params={"ids": f'["{cases[2]["id"]}"]'})
    assert as_json.status_code == 204
    for case in cases:
        assert (await kibana.get(f"/api/cases/{case['id']}")).status_code == 404


async def test_a_missing_id_deletes_nothing(kibana):
    case = await create(kibana)
    response = await kibana.delete("/api/cases", params=[("ids", case["id"]), ("ids", "fake-id")])
    assert boom(response, 404) == "Saved object [cases/fake-id] not found"
    assert (await kibana.get(f"/api/cases/{case['id']}")).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([], "The length of the field ids is too short. Array must be of length >= 1."),
        ([("ids", str(i)) for i in range(101)], "The length of the field ids is too long. Array must be of length <= 100."),
        ([("ids", "[not json")], "[request query.ids]: could not parse array value from json input"),
    ],
)
async def test_delete_ids_outside_the_limits_are_a_400(kibana, params, message):
    assert boom(await kibana.delete("/api/cases", params=params), 400) == message


# Through the native API


async def test_a_kibana_change_reads_natively_with_its_source(kibana, app, tenant: Tenant):
    case = await create(kibana, severity="high", category="triage")
    await patch(kibana, {"id": case["id"], "version": case["version"], "status": "in-progress"})
    async with api_client(app, tenant.admin.headers) as native:
        read = (await native.get(f"/cases/{case['id']}")).json()
        log = (await native.get(f"/cases/{read['key']}/activity")).json()["items"]
    assert (read["severity"], read["category"], read["status"]) == ("high", "triage", "in_progress")
    assert read["vendor_data"]["kibana"]["connector"] == NEW_CASE["connector"]
    assert {entry["source"] for entry in log} == {"kibana"} and len(log) == 2


# Custom fields


async def test_custom_field_values_are_stored_and_shown_with_their_kibana_types(kibana):
    text_key, toggle_key = "d312efda-ec2b-42ec-9e2c-84981795c581", "fcc6840d-eb14-42df-8aaf-232201a705ec"
    configured = await kibana.post("/api/cases/configure", json={
        "owner": "cases", "closure_type": "close-by-user", "connector": NEW_CASE["connector"],
        "customFields": [
            {"key": text_key, "label": "Text", "type": "text", "required": False},
            {"key": toggle_key, "label": "Toggle", "type": "toggle", "required": False},
        ],
    })
    assert configured.status_code == 200, configured.text
    fields = [
        {"key": text_key, "type": "text", "value": "Field value"},
        {"key": toggle_key, "type": "toggle", "value": True},
    ]
    case = await create(kibana, customFields=fields)
    assert case["customFields"] == fields
    changed = [fields[0], {**fields[1], "value": False}]
    [patched] = (await patch(kibana, {"id": case["id"], "version": case["version"], "customFields": changed})).json()
    assert patched["customFields"] == changed
    same = await patch(kibana, {"id": case["id"], "version": patched["version"], "customFields": changed})
    assert same.status_code == 406


async def test_an_unconfigured_custom_field_is_a_400(kibana):
    response = await kibana.post(
        "/api/cases", json={**NEW_CASE, "customFields": [{"key": "nope", "type": "text", "value": "x"}]}
    )
    assert boom(response, 400) == "No custom fields configured."


# Tenants


async def test_another_workspaces_cases_are_missing_everywhere(kibana, app, other: Tenant):
    async with kibana_client(app, kibana_headers(other.admin.token)) as theirs:
        case = await create(theirs)
    assert boom(await kibana.get(f"/api/cases/{case['id']}"), 404)
    assert boom(await patch(kibana, {"id": case["id"], "version": case["version"], "title": "mine"}), 404)
    assert boom(await kibana.delete("/api/cases", params={"ids": case["id"]}), 404)
    assert (await kibana.get("/api/cases/_find")).json()["total"] == 0
    assert (await kibana.get("/api/cases/tags")).json() == []


async def test_a_viewer_reads_but_does_not_write(kibana, app, tenant: Tenant):
    case = await create(kibana)
    viewer = tenant.add_member("viewer")
    async with kibana_client(app, kibana_headers(viewer.token)) as as_viewer:
        assert (await as_viewer.get(f"/api/cases/{case['id']}")).status_code == 200
        assert boom(await as_viewer.post("/api/cases", json=NEW_CASE), 403)
        assert boom(await patch(as_viewer, {"id": case["id"], "version": case["version"], "title": "x"}), 403)
        assert boom(await as_viewer.delete("/api/cases", params={"ids": case["id"]}), 403)
