"""Custom fields of case types: a case sees its project's fields and its type's (a workspace-level type's in every
project), a key names one field among those, a type change must not strand values, and lists filter by them."""

import uuid

import pytest

from tests.helpers import assert_problem, create, patch, read
from tests.workflow.fields_support import define

STANDARD_ID = "00000000-0000-0000-0000-000000000001"


async def new_type(client, name: str, path: str = "/types") -> dict:
    response = await client.post(path, json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def keys(client, *filters: str, **params) -> list[str]:
    response = await client.get("/cases", params={"field": list(filters), "sort": "number", "order": "asc", **params})
    assert response.status_code == 200, response.text
    return [case["key"] for case in response.json()["items"]]


async def test_a_case_sees_its_projects_fields_and_its_types(client):
    incident = await new_type(client, "Incident")
    field = await define(client, "host", path=f"/types/{incident['id']}/fields")
    assert (field["case_type_id"], field["project_id"]) == (incident["id"], None)
    await define(client, "team")
    case = await create(client, type="Incident", fields={"host": "web-1", "team": "blue"})
    assert case["fields"] == {"host": "web-1", "team": "blue"}
    response = await client.post("/cases", json={"title": "T", "fields": {"host": "web-1"}})
    assert_problem(response, 422, "fields.host")


async def test_standards_fields_go_by_its_fixed_id_in_every_project(client):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    field = await define(client, "source", path=f"/types/{STANDARD_ID}/fields")
    assert field["case_type_id"] == STANDARD_ID
    listed = (await client.get(f"/types/{STANDARD_ID}/fields")).json()["items"]
    assert [f["key"] for f in listed] == ["source"]
    assert (await create(client, project="OPS", fields={"source": "mail"}))["fields"] == {"source": "mail"}
    assert (await client.get(f"/types/{STANDARD_ID}/fields/source")).json() == field


async def test_a_project_types_fields_are_its_cases_only(client):
    local = await new_type(client, "Local", path="/projects/SEC/types")
    await define(client, "shift", "number", path=f"/types/{local['id']}/fields", required=True)
    assert_problem(await client.post("/cases", json={"title": "T", "type": "Local"}), 422, "fields.shift")
    assert (await create(client, type="Local", fields={"shift": 2}))["fields"] == {"shift": 2}
    assert (await create(client))["fields"] == {}


@pytest.mark.parametrize("first", ["project", "type"])
async def test_a_key_names_one_field_among_those_a_case_sees(client, first):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    incident = await new_type(client, "Incident")
    paths = {"project": "/projects/OPS/fields", "type": f"/types/{incident['id']}/fields"}
    second = "type" if first == "project" else "project"
    await define(client, "host", path=paths[first])
    body = {"key": "host", "label": "Host", "type": "text"}
    assert_problem(await client.post(paths[second], json=body), 409)
    assert len((await client.get(paths[second])).json()["items"]) == 0


async def test_a_project_types_key_is_free_beside_another_projects_field(client):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    await define(client, "host", path="/projects/OPS/fields")
    local = await new_type(client, "Local", path="/projects/SEC/types")
    await define(client, "host", path=f"/types/{local['id']}/fields")
    assert_problem(await client.post("/projects/SEC/fields", json={"key": "host", "label": "H", "type": "text"}), 409)


async def test_two_types_may_share_a_key(client):
    for name in ("Incident", "Request"):
        created = await new_type(client, name)
        await define(client, "ref", "number" if name == "Incident" else "text", path=f"/types/{created['id']}/fields")
    assert (await create(client, type="Incident", fields={"ref": 4}))["fields"] == {"ref": 4}
    assert (await create(client, type="Request", fields={"ref": "R-4"}))["fields"] == {"ref": "R-4"}


async def test_changing_type_needs_the_values_the_new_type_lacks_cleared(client):
    incident = await new_type(client, "Incident")
    await define(client, "host", path=f"/types/{incident['id']}/fields")
    await define(client, "team")
    case = await create(client, type="Incident", fields={"host": "web-1", "team": "blue"})
    body = assert_problem(await client.patch(f"/cases/{case['id']}", json={"type": "STANDARD"}), 422, "fields.host")
    assert "clear" in body["errors"][0]["message"]
    assert (await read(client, case))["type"] == "Incident"
    moved = await patch(client, case, {"type": "STANDARD", "fields": {"host": None}})
    assert (moved["type"], moved["fields"]) == ("STANDARD", {"team": "blue"})
    assert await keys(client, "host=web-1") == []
    assert await keys(client, "team=blue") == [case["key"]]


async def test_lists_filter_by_a_types_field_in_a_project_and_across_the_workspace(client):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    incident = await new_type(client, "Incident")
    await define(client, "host", path=f"/types/{incident['id']}/fields")
    sec = await create(client, type="Incident", fields={"host": "web-1"})
    ops = await create(client, project="OPS", type="Incident", fields={"host": "web-1"})
    assert await keys(client, "host=web-1") == [sec["key"], ops["key"]]
    assert await keys(client, "host=web-1", project="OPS") == [ops["key"]]
    response = await client.get("/cases", params={"sort": "field.host", "project": "SEC"})
    assert [c["key"] for c in response.json()["items"]] == [sec["key"]]


async def test_a_types_required_to_close_field_holds_its_cases_open(client):
    incident = await new_type(client, "Incident")
    await define(client, "cause", path=f"/types/{incident['id']}/fields", required_to_close=True)
    case = await create(client, type="Incident")
    body = assert_problem(await client.patch(f"/cases/{case['id']}", json={"status": "closed"}), 409)
    assert body["failing_conditions"] == ["required field: cause"]
    assert (await patch(client, case, {"status": "closed", "fields": {"cause": "dns"}}))["status"] == "closed"


async def test_a_types_field_with_values_is_not_deleted_and_a_prefill_may_set_it(client):
    incident = await new_type(client, "Incident")
    path = f"/types/{incident['id']}/fields"
    await define(client, "host", path=path)
    changed = await client.patch(f"/types/{incident['id']}", json={"prefill": {"fields": {"host": "web-0"}}})
    assert changed.status_code == 200, changed.text
    assert (await create(client, type="Incident"))["fields"] == {"host": "web-0"}
    assert_problem(await client.delete(f"{path}/host"), 409)
    response = await client.patch(f"/types/{incident['id']}", json={"prefill": {"fields": {"team": "x"}}})
    assert_problem(response, 422, "prefill.fields.team")


async def test_a_types_fields_are_changed_by_admins_and_managers_only(client, tenant):
    incident = await new_type(client, "Incident")
    path = f"/types/{incident['id']}/fields"
    headers = tenant.add_member("agent").headers
    assert_problem(await client.post(path, json={"key": "k", "label": "K", "type": "text"}, headers=headers), 403)
    await define(client, "k", path=path)
    assert (await client.get(path, headers=headers)).json()["items"][0]["key"] == "k"
    assert_problem(await client.patch(f"{path}/k", json={"label": "L"}, headers=headers), 403)
    assert (await client.patch(f"{path}/k", json={"label": "L"})).json()["label"] == "L"
    assert (await client.delete(f"{path}/k")).status_code == 204
    assert_problem(await client.get(f"{path}/k"), 404)
    assert_problem(await client.get(f"/types/{uuid.uuid4()}/fields"), 404)


async def test_a_types_field_is_set_in_bulk_on_cases_of_that_type_only(client):
    incident = await new_type(client, "Incident")
    await define(client, "host", path=f"/types/{incident['id']}/fields")
    first = await create(client, type="Incident")
    second = await create(client, type="Incident")
    standard = await create(client)
    response = await client.post(
        f"/types/{incident['id']}/fields/host/bulk",
        json={"value": "web-1", "cases": [first["key"], standard["key"], second["key"]]},
    )
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [200, 422, 200]
    assert response.json()["results"][1]["error"]["errors"][0]["field"] == "cases"
    assert await keys(client, "host=web-1") == [first["key"], second["key"]]
    assert (await read(client, standard))["fields"] == {}
