"""POST /projects/{ref}/fields/{key}/bulk: one field set on 1..100 cases with a result per case; a value the field
does not take refuses the whole request, a case that cannot take it fails alone."""

from tests.helpers import activity, api_client, assert_problem, create, read
from tests.workflow.fields_support import FIELDS, define

BULK = f"{FIELDS}/region/bulk"


async def test_each_case_gets_its_own_result_and_a_refused_one_leaves_the_others_set(client, other_client):
    await define(client, "region", "select")
    first, second, archived = await create(client), await create(client), await create(client)
    assert (await client.delete(f"/cases/{archived['id']}")).status_code == 204
    assert (await client.post("/projects", json={"key": "OPS", "name": "Ops"})).status_code == 201
    elsewhere = await create(client, project="OPS")
    foreign = await create(other_client)
    refs = [first["key"], second["id"], "SEC-999", archived["key"], elsewhere["key"], foreign["id"]]
    response = await client.post(BULK, json={"value": "eu", "cases": refs})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        (first["key"], 200), (second["id"], 200), ("SEC-999", 404), (archived["key"], 409), (elsewhere["key"], 422), (foreign["id"], 404)
    ]
    assert results[0]["case"]["fields"] == {"region": "eu"} and results[1]["case"]["fields"] == {"region": "eu"}
    assert results[4]["error"]["errors"][0]["field"] == "cases"
    assert all(r["error"]["status"] == r["status"] for r in results[2:])
    assert (await read(client, elsewhere))["fields"] == {}
    assert (await read(other_client, foreign))["fields"] == {}
    [*_, entry] = await activity(client, first)
    assert entry["changes"]["fields"] == [{}, {"region": "eu"}]


async def test_a_value_the_field_does_not_take_refuses_the_whole_request(client):
    await define(client, "region", "select")
    case = await create(client)
    assert_problem(await client.post(BULK, json={"value": "mars", "cases": [case["key"]]}), 422, field="value")
    assert (await read(client, case))["fields"] == {}


async def test_null_clears_the_field_on_every_case_even_when_inactive(client):
    await define(client, "region", "select")
    cases = [await create(client, fields={"region": "us"}) for _ in range(3)]
    await client.patch(f"{FIELDS}/region", json={"active": False})
    assert_problem(await client.post(BULK, json={"value": "eu", "cases": [cases[0]["key"]]}), 422, field="value")
    response = await client.post(BULK, json={"value": None, "cases": [c["key"] for c in cases]})
    assert [r["status"] for r in response.json()["results"]] == [200, 200, 200]
    assert [(await read(client, c))["fields"] for c in cases] == [{}, {}, {}]


async def test_a_case_at_its_kibana_value_limit_fails_alone(client):
    for n in range(10):
        await define(client, f"k{n}", owner="kibana")
    await define(client, "extra", owner="kibana")
    full = await create(client, fields={f"k{n}": "x" for n in range(10)})
    empty = await create(client)
    response = await client.post(f"{FIELDS}/extra/bulk", json={"value": "y", "cases": [full["key"], empty["key"]]})
    results = response.json()["results"]
    assert [r["status"] for r in results] == [422, 200]
    assert results[0]["error"]["errors"][0]["field"] == "fields"


async def test_between_1_and_100_distinct_cases_are_taken(client):
    await define(client, "region", "select")
    for cases in ([], [f"SEC-{n}" for n in range(101)], ["SEC-1", "SEC-1"]):
        assert_problem(await client.post(BULK, json={"value": "eu", "cases": cases}), 422, field="cases")
    assert_problem(await client.post(BULK, json={"cases": ["SEC-1"]}), 422, field="value")
    case = await create(client)
    hundred = [case["key"]] + [f"SEC-{n}" for n in range(1000, 1099)]
    results = (await client.post(BULK, json={"value": "eu", "cases": hundred})).json()["results"]
    assert len(results) == 100 and results[0]["status"] == 200


async def test_an_unknown_field_or_project_is_not_found(client, other_client):
    case = await create(client)
    assert_problem(await client.post(f"{FIELDS}/nope/bulk", json={"value": 1, "cases": [case["key"]]}), 404)
    await define(client, "region", "select")
    # The other workspace has its own project SEC, without that field.
    assert_problem(await other_client.post(BULK, json={"value": "eu", "cases": [case["id"]]}), 404)


async def test_case_writers_set_fields_in_bulk_and_viewers_may_not(app, client, tenant):
    await define(client, "region", "select")
    case = await create(client)
    async with api_client(app, tenant.add_member("viewer").headers) as viewer:
        assert_problem(await viewer.post(BULK, json={"value": "eu", "cases": [case["key"]]}), 403)
    async with api_client(app, tenant.add_member("agent").headers) as agent:
        response = await agent.post(BULK, json={"value": "eu", "cases": [case["key"]]})
        assert response.json()["results"][0]["status"] == 200
