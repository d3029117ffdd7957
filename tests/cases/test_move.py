"""POST /cases/{ref}/move: a case moves into another project, its status, type and fields mapped or refused."""

import uuid

from sqlalchemy import select

from casework.workflow.fields.models import CaseFieldValue, FieldDefinition
from tests.helpers import activity, api_client, assert_problem, create, read
from tests.workflow.fields_support import REGIONS, define
from tests.workflow.sla_support import HOUR, policy, set_policies

OPS_FIELDS = "/projects/OPS/fields"


async def ops_project(client):
    response = await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    assert response.status_code == 201, response.text
    return response.json()


async def move(client, case, **body):
    return await client.post(f"/cases/{case['id']}/move", json=body)


async def test_a_case_moves_with_a_new_key_its_status_by_name_and_its_fields(client, db):
    ops = await ops_project(client)
    await define(client, "region", "select")
    await define(client, "region", "select", path=OPS_FIELDS)
    case = await create(client, status="Pending", fields={"region": "eu"})

    response = await move(client, case, project="OPS")

    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["project_id"] == ops["id"]
    assert moved["key"] == "OPS-1" and moved["number"] == case["number"]
    assert (moved["status_name"], moved["type"], moved["fields"]) == ("Pending", "STANDARD", {"region": "eu"})
    assert moved["version"] == case["version"] + 1
    # The old key no longer resolves; the id and the new key do.
    assert_problem(await client.get(f"/cases/{case['key']}"), 404)
    assert (await client.get("/cases/OPS-1")).json()["id"] == case["id"]
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "moved"
    assert entry["changes"]["project"] == ["SEC", "OPS"] and entry["changes"]["key"] == [case["key"], "OPS-1"]
    # The searchable copy of the field now points at the target's definition.
    def indexed(session):
        return session.execute(
            select(FieldDefinition.project_id, CaseFieldValue.text_value)
            .join(FieldDefinition, FieldDefinition.id == CaseFieldValue.field_id)
            .where(CaseFieldValue.case_id == uuid.UUID(case["id"]))
        ).all()

    assert [(str(p), v) for p, v in db.run_sync(indexed)] == [(ops["id"], "eu")]
    listed = await client.get("/cases", params={"field": "region=eu", "project": ops["id"]})
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["items"]] == [case["id"]]


async def test_a_status_name_the_target_lacks_maps_to_its_groups_default(client):
    await client.post("/projects/SEC/statuses", json={"name": "Triage", "group": "open", "category": "open"})
    await ops_project(client)
    case = await create(client, status="Triage")

    moved = (await move(client, case, project="OPS")).json()

    assert (moved["status"], moved["status_name"]) == ("open", "Open")


async def test_explicit_status_and_type_mappings_are_used(client):
    await ops_project(client)
    assert (await client.post("/projects/OPS/types", json={"name": "Outage"})).status_code == 201
    case = await create(client)

    moved = (await move(client, case, project="OPS", status="In progress", type="Outage")).json()

    assert (moved["status_name"], moved["type"]) == ("In progress", "Outage")


async def test_what_cannot_map_is_refused_with_every_reason_and_nothing_moves(client):
    assert (await client.post("/projects/SEC/types", json={"name": "Phishing"})).status_code == 201
    await define(client, "region", "select")
    await define(client, "score", "number")
    await define(client, "note", "text")
    await ops_project(client)
    await define(client, "score", "text", path=OPS_FIELDS)
    await define(client, "region", "select", path=OPS_FIELDS, options=REGIONS[:1])
    case = await create(client, type="Phishing", fields={"region": "us", "score": 3, "note": "x"})

    response = await move(client, case, project="OPS")

    body = assert_problem(response, 422)
    assert sorted(e["field"] for e in body["errors"]) == ["fields.note", "fields.region", "fields.score", "type"]
    after = await read(client, case)
    assert (after["key"], after["version"], after["project_id"]) == (case["key"], case["version"], case["project_id"])


async def test_drop_fields_moves_without_the_values_the_target_cannot_take(client):
    await define(client, "note", "text")
    await define(client, "region", "select")
    await ops_project(client)
    await define(client, "region", "select", path=OPS_FIELDS)
    case = await create(client, fields={"region": "eu", "note": "x"})

    response = await move(client, case, project="OPS", drop_fields=True)

    assert response.status_code == 200, response.text
    assert response.json()["fields"] == {"region": "eu"}
    assert (await activity(client, case))[-1]["changes"]["dropped_fields"] == [["fields.note"], None]


async def test_slas_follow_the_target_projects_policies(client):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    await ops_project(client)
    put = await client.put("/projects/OPS/slas", json={"policies": [policy("completion", 2 * HOUR)]})
    assert put.status_code == 200, put.text
    case = await create(client)
    assert sorted(s["sla_type"] for s in case["slas"]) == ["completion", "response"]

    moved = (await move(client, case, project="OPS")).json()

    assert [(s["sla_type"], s["target_seconds"]) for s in moved["slas"]] == [("completion", 2 * HOUR)]


async def test_a_stale_version_or_the_same_project_or_an_unknown_one_is_refused(client):
    await ops_project(client)
    case = await create(client)
    assert_problem(await move(client, case, project="OPS", version=case["version"] + 1), 409)
    assert_problem(await move(client, case, project="SEC"), 422, "project")
    assert_problem(await move(client, case, project="NOPE"), 404)
    assert_problem(await move(client, case, project="OPS", colour="red"), 422, "colour")
    assert (await read(client, case))["key"] == case["key"]


async def test_an_archived_case_does_not_move(client):
    await ops_project(client)
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    assert_problem(await move(client, case, project="OPS"), 409)


async def test_viewers_may_not_move_cases(app, tenant, client):
    await ops_project(client)
    case = await create(client)
    viewer = tenant.add_member("viewer")
    async with api_client(app, viewer.headers) as as_viewer:
        assert_problem(await move(as_viewer, case, project="OPS"), 403)


async def test_the_target_projects_keys_go_on_after_a_moved_case(client):
    await ops_project(client)
    case = await create(client)
    assert (await move(client, case, project="OPS")).json()["key"] == "OPS-1"
    assert (await create(client, project="OPS"))["key"] == "OPS-2"
    # The source project does not reuse the moved case's key.
    assert (await create(client))["key"] == "SEC-2"
