"""The case fields the vendor APIs carry: owner, category, opened_at/resolved_at, requester.id, attributes and
vendor_data, as the native API sets, shows, checks and logs them."""

import json
from datetime import datetime
from typing import Any

import httpx
import pytest

from casework.cases.schemas import MAX_VENDOR_DATA_BYTES
from tests.helpers import activity, assert_problem, create, patch, read

VENDOR_FIELDS = ("owner", "category", "opened_at", "resolved_at", "attributes", "vendor_data")


async def assert_refused_unchanged(client: httpx.AsyncClient, case: dict[str, Any], body: dict[str, Any], field: str) -> None:
    """The PATCH is a 422 naming `field`, and the case is as it was."""
    assert_problem(await client.patch(f"/cases/{case['id']}", json=body), 422, field, nested=True)
    assert await read(client, case) == case


# Creating


async def test_a_new_case_gets_the_documented_defaults(client):
    case = await create(client)
    assert case["owner"] == "cases"
    assert case["category"] is None
    assert case["opened_at"] == case["created_at"]
    assert case["resolved_at"] is None
    assert case["attributes"] == {} and case["vendor_data"] == {}
    assert case["requester"] is None


async def test_every_vendor_field_is_kept_as_given(client):
    fields = {
        "owner": "securitySolution",
        "category": "Malware",
        "opened_at": "2030-01-02T03:04:05+02:00",
        "resolved_at": "2030-01-03T00:00:00+00:00",
        "requester": {"name": "Dana", "email": "dana@example.com", "type": "Contact", "id": "1042"},
        "attributes": {"env": ["prod", "eu"], "service": ["web"], "empty": []},
        "vendor_data": {
            "kibana": {"connector": {"id": "none", "name": "none", "type": ".none", "fields": None}, "settings": {"syncAlerts": False}},
            "datadog": {"jira_issue": {"result": {"issue_key": "SEC-1"}, "status": "COMPLETED"}, "n": [1, 2.5, True]},
        },
    }
    case = await create(client, **fields)
    for got in (case, await read(client, case)):
        for name, value in fields.items():
            if name.endswith("_at"):
                assert datetime.fromisoformat(got[name]) == datetime.fromisoformat(value), name
            else:
                assert got[name] == value, name
    # Kept in UTC, as every other time of the case.
    assert datetime.fromisoformat(case["opened_at"]).utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("owner", ""),
        ("owner", "a" * 65),
        ("owner", "has space"),
        ("owner", "café"),
        ("owner", None),
        ("category", ""),
        ("category", "   "),
        ("category", "c" * 51),
        ("category", "nul\u0000"),
        ("opened_at", "2030-01-01T00:00:00"),
        ("opened_at", "yesterday"),
        ("resolved_at", "2030-01-01T00:00:00"),
        ("requester", {"id": ""}),
        ("requester", {"id": "x" * 65}),
        ("requester", {"id": 1042}),
        ("attributes", {"env": "prod"}),
        ("attributes", {"env": [1]}),
        ("attributes", {"": ["x"]}),
        ("attributes", {"a:b": ["x"]}),
        ("attributes", {"k" * 257: ["x"]}),
        ("attributes", {"env": ["v" * 257]}),
        ("attributes", {"env": [""]}),
        ("attributes", {"env": ["prod", "prod"]}),
        ("attributes", {"env": ["nul\u0000"]}),
        ("attributes", {f"k{i}": [] for i in range(101)}),
        ("attributes", {"env": [f"v{i}" for i in range(101)]}),
        ("attributes", {f"k{i}": [f"v{j}" for j in range(100)] for i in range(11)}),
        ("vendor_data", {"Kibana": {}}),
        ("vendor_data", {"kibana": []}),
        ("vendor_data", {"kibana": "x"}),
        ("vendor_data", {f"d{i}": {} for i in range(17)}),
        ("vendor_data", {"kibana": {"a": [[[[[[[[1]]]]]]]]}}),
        ("vendor_data", {"kibana": {"big": 2**64}}),
        ("vendor_data", {"kibana": {"nul": "\u0000"}}),
    ],
)
async def test_invalid_vendor_field_at_create_is_422_naming_it_and_writes_nothing(client, field, value):
    assert_problem(await client.post("/cases", json={"title": "x", field: value}), 422, field, nested=True)
    assert (await client.get("/cases")).json()["items"] == []


async def test_vendor_data_numbers_past_64_bits_as_floats_come_back_as_floats(client):
    # PostgreSQL's jsonb writes 1e30 back without its exponent; the answer must still encode it.
    data = {"kibana": {"big": 1e30, "small": -1.5e300, "int": 2**64 - 1}}
    case = (await client.post("/cases", json={"title": "x", "vendor_data": data})).json()
    assert (await client.get(f"/cases/{case['id']}")).json()["vendor_data"] == data
    listed = await client.get("/cases")
    assert listed.status_code == 200
    assert listed.json()["items"][0]["vendor_data"] == data


@pytest.mark.parametrize(
    "data", ['{"n": NaN}', '{"n": Infinity}', '{"n": -Infinity}', '{"s": "\\ud800"}', '{"\\udfff": 1}', '{"l": ["a", "\\ud800"]}']
)
async def test_vendor_data_refuses_what_json_cannot_hold(client, data):
    body = '{"title": "x", "vendor_data": {"kibana": %s}}' % data
    response = await client.post("/cases", content=body, headers={"content-type": "application/json"})
    assert_problem(response, 422, "vendor_data", nested=True)
    assert (await client.get("/cases")).json()["items"] == []


async def test_resolved_before_opened_is_refused_at_create(client):
    body = {"title": "x", "opened_at": "2030-01-02T00:00:00Z", "resolved_at": "2030-01-01T23:59:59Z"}
    assert_problem(await client.post("/cases", json=body), 422, "resolved_at")
    # Without opened_at the case opens now: a resolution in the past is before it.
    assert_problem(await client.post("/cases", json={"title": "x", "resolved_at": "2001-01-01T00:00:00Z"}), 422, "resolved_at")
    assert (await client.get("/cases")).json()["items"] == []


async def test_attribute_limits_are_accepted_at_their_maximum(client):
    # 100 keys, 1,000 values in all, and a key and a value of 256 characters (in 4-byte UTF-8: the index entry's worst).
    attributes = {f"k{i:03d}": [f"v{j}" for j in range(10)] for i in range(99)}
    attributes["🔑" * 256] = ["💡" * 256, *(f"v{j}" for j in range(9))]
    case = await create(client, attributes=attributes)
    assert case["attributes"] == attributes
    found = await client.get("/cases", params={"attribute": f"{'🔑' * 256}:{'💡' * 256}"})
    assert [c["key"] for c in found.json()["items"]] == [case["key"]]


# Changing


async def test_owner_is_set_at_creation_and_never_changes(client):
    case = await create(client, owner="observability")
    same = await client.patch(f"/cases/{case['id']}", json={"owner": "observability"})
    assert same.status_code == 200 and same.json()["version"] == 1
    await assert_refused_unchanged(client, case, {"owner": "cases"}, "owner")
    await assert_refused_unchanged(client, case, {"owner": None}, "owner")
    await assert_refused_unchanged(client, case, {"owner": "cases", "title": "renamed"}, "owner")


async def test_vendor_fields_change_and_each_change_is_logged_old_and_new(client):
    case = await create(client, category="Malware", attributes={"env": ["prod"]}, requester={"id": "7"})
    changes = {
        "category": "Phishing",
        "opened_at": "2030-01-01T00:00:00Z",
        "resolved_at": "2030-01-02T00:00:00Z",
        "attributes": {"env": ["staging"], "team": ["red"]},
        "requester": {"id": "8", "name": "Sam"},
    }
    updated = await patch(client, case, changes)
    assert updated["version"] == 2
    assert (updated["category"], updated["attributes"]) == ("Phishing", {"env": ["staging"], "team": ["red"]})
    assert updated["requester"]["id"] == "8"
    logged = (await activity(client, case))[-1]["changes"]
    assert logged["category"] == ["Malware", "Phishing"]
    assert logged["attributes"] == [{"env": ["prod"]}, {"env": ["staging"], "team": ["red"]}]
    assert logged["requester"][0]["id"] == "7" and logged["requester"][1]["id"] == "8"
    assert datetime.fromisoformat(logged["opened_at"][0]) == datetime.fromisoformat(case["opened_at"])
    assert datetime.fromisoformat(logged["opened_at"][1]) == datetime.fromisoformat("2030-01-01T00:00:00Z")
    assert logged["resolved_at"][0] is None
    created = (await activity(client, case))[0]["changes"]
    assert created["category"] == [None, "Malware"] and created["owner"] == [None, "cases"]


async def test_category_resolved_at_and_requester_can_be_cleared(client):
    case = await create(client, category="Malware", resolved_at="2099-01-01T00:00:00Z", requester={"id": "7"})
    cleared = await patch(client, case, {"category": None, "resolved_at": None, "requester": None})
    assert (cleared["category"], cleared["resolved_at"], cleared["requester"]) == (None, None, None)
    assert (await client.get("/cases", params={"requester": "7"})).json()["items"] == []


@pytest.mark.parametrize("field", ["opened_at", "attributes", "vendor_data"])
async def test_non_nullable_vendor_fields_cannot_be_set_to_null(client, field):
    case = await create(client, attributes={"env": ["prod"]}, vendor_data={"tines": {"x": 1}})
    await assert_refused_unchanged(client, case, {field: None}, field)


async def test_times_stay_in_order_whichever_is_changed(client):
    case = await create(client, opened_at="2030-01-01T00:00:00Z", resolved_at="2030-01-05T00:00:00Z")
    await assert_refused_unchanged(client, case, {"resolved_at": "2029-12-31T00:00:00Z"}, "resolved_at")
    await assert_refused_unchanged(client, case, {"opened_at": "2030-01-06T00:00:00Z"}, "opened_at")
    both = {"opened_at": "2030-01-06T00:00:00Z", "resolved_at": "2030-01-05T00:00:00Z", "title": "x"}
    await assert_refused_unchanged(client, case, both, "resolved_at")
    moved = await patch(client, case, {"opened_at": "2030-01-06T00:00:00+02:00", "resolved_at": "2030-01-07T00:00:00Z"})
    assert datetime.fromisoformat(moved["opened_at"]) == datetime.fromisoformat("2030-01-05T22:00:00Z")


async def test_a_refused_change_leaves_the_attribute_index_as_it_was(client):
    case = await create(client, attributes={"env": ["prod"]})
    body = {"attributes": {"env": ["dev"]}, "opened_at": "2030-01-01T00:00:00"}
    await assert_refused_unchanged(client, case, body, "opened_at")
    assert [c["key"] for c in (await client.get("/cases", params={"attribute": "env:prod"})).json()["items"]] == [case["key"]]
    assert (await client.get("/cases", params={"attribute": "env:dev"})).json()["items"] == []


async def test_an_attribute_change_that_changes_nothing_keeps_the_version(client):
    case = await create(client, attributes={"env": ["prod", "eu"]}, vendor_data={"kibana": {"a": 1}})
    same = await client.patch(f"/cases/{case['id']}", json={"attributes": {"env": ["prod", "eu"]}, "vendor_data": {"kibana": {"a": 1}}})
    assert same.status_code == 200 and same.json()["version"] == 1


# Vendor data


async def test_vendor_data_writes_replace_one_dialect_at_a_time(client):
    case = await create(client, vendor_data={"kibana": {"connector": {"id": "a"}, "settings": {"syncAlerts": True}}, "datadog": {"x": 1}})
    updated = await patch(client, case, {"vendor_data": {"kibana": {"settings": {"syncAlerts": False}}}})
    assert updated["vendor_data"] == {"kibana": {"settings": {"syncAlerts": False}}, "datadog": {"x": 1}}
    removed = await patch(client, updated, {"vendor_data": {"datadog": None, "tines": {"y": [1]}}})
    assert removed["vendor_data"] == {"kibana": {"settings": {"syncAlerts": False}}, "tines": {"y": [1]}}
    assert (await read(client, case))["vendor_data"] == removed["vendor_data"]
    # The log keeps the dialects that changed, not the whole map.
    entries = await activity(client, case)
    assert entries[-2]["changes"]["vendor_data"] == [
        {"kibana": {"connector": {"id": "a"}, "settings": {"syncAlerts": True}}},
        {"kibana": {"settings": {"syncAlerts": False}}},
    ]
    assert entries[-1]["changes"]["vendor_data"] == [{"datadog": {"x": 1}, "tines": None}, {"datadog": None, "tines": {"y": [1]}}]


async def test_vendor_data_is_capped_per_case_across_dialects(client):
    half = "x" * (MAX_VENDOR_DATA_BYTES // 2)
    case = await create(client, vendor_data={"kibana": {"blob": half}})
    # Each write fits the request, but the case would hold more than the cap.
    await assert_refused_unchanged(client, case, {"vendor_data": {"datadog": {"blob": half}}}, "vendor_data")
    # Replacing the same dialect's data counts the new data only.
    replaced = await patch(client, case, {"vendor_data": {"kibana": {"blob": half[:-100]}}})
    assert len(json.dumps(replaced["vendor_data"], separators=(",", ":")).encode()) <= MAX_VENDOR_DATA_BYTES


# The read schema


async def test_the_documented_read_schema_holds_every_vendor_field(app):
    schema = app.openapi()["components"]["schemas"]["CaseRead"]["properties"]
    assert set(VENDOR_FIELDS) <= set(schema)
    assert "id" in app.openapi()["components"]["schemas"]["Requester"]["properties"]


async def test_vendor_field_refusals_come_in_the_callers_language(client):
    case = await create(client, opened_at="2030-01-02T00:00:00Z")
    french = {"Accept-Language": "fr"}
    response = await client.patch(f"/cases/{case['id']}", json={"owner": "other"}, headers=french)
    assert "ne peut pas changer" in assert_problem(response, 422, "owner")["detail"]
    response = await client.patch(f"/cases/{case['id']}", json={"resolved_at": "2030-01-01T00:00:00Z"}, headers=french)
    assert "ne doit pas précéder" in assert_problem(response, 422, "resolved_at")["detail"]
    response = await client.patch(f"/cases/{case['id']}", json={"vendor_data": {"kibana": {"a": [[[[[[[[1]]]]]]]]}}}, headers=french)
    assert "niveaux" in assert_problem(response, 422, "vendor_data")["detail"]


async def test_bulk_updates_check_the_vendor_fields_item_by_item(client):
    first, second = await create(client), await create(client)
    items = [
        {"id": first["id"], "changes": {"category": "Malware", "attributes": {"env": ["prod"]}, "vendor_data": {"tines": {"a": 1}}}},
        {"id": second["id"], "changes": {"owner": "observability", "category": "Malware"}},
    ]
    response = await client.post("/cases/bulk", json={"items": items})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [200, 422]
    assert (await read(client, first))["vendor_data"] == {"tines": {"a": 1}}
    assert (await read(client, second))["category"] is None
    listed = (await client.get("/cases", params={"attribute": "env:prod"})).json()["items"]
    assert [c["key"] for c in listed] == [first["key"]]
