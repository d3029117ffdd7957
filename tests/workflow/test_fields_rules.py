"""Custom field rules beyond types: Kibana's keys (UUIDs included) beside the longer ones kept, multi-valued text,
url and number fields (validated item by item, indexed one row per value, filtered by "has that value"), required
fields on every write, and RE2 patterns checked when defined and applied to values."""

import time
import uuid

import pytest

from tests.helpers import assert_problem, create, patch, read
from tests.workflow.fields_support import FIELDS, define, set_fields


async def keys(client, *filters: str, **params) -> list[str]:
    response = await client.get("/cases", params={"field": list(filters), "sort": "number", "order": "asc", **params})
    assert response.status_code == 200, response.text
    return [case["key"] for case in response.json()["items"]]


# Keys


@pytest.mark.parametrize("key", [str(uuid.uuid4()), "a-b_c", "0", "x" * 36, "long_key_" + "x" * 55])
async def test_kibana_keys_and_the_longer_keys_kept_are_accepted_everywhere(client, key):
    await define(client, key, "number")
    case = await create(client, fields={key: 3})
    other = await create(client, fields={key: 9})
    assert case["fields"] == {key: 3}
    assert (await client.get(f"{FIELDS}/{key}")).status_code == 200
    assert await keys(client, f"{key}=3") == [case["key"]]
    assert await keys(client, f"{key}>3") == [other["key"]]
    response = await client.get("/cases", params={"sort": f"field.{key}", "order": "desc"})
    assert [c["key"] for c in response.json()["items"]] == [other["key"], case["key"]]


# Several values


@pytest.mark.parametrize(
    "field_type, given, stored",
    [
        ("text", ["web-1", "web-2"], ["web-1", "web-2"]),
        ("url", ["https://a.example/x"], ["https://a.example/x"]),
        ("number", [3, -1, 12], [3, -1, 12]),
        ("decimal", [2.5, "1e2", 3], ["2.5", "100", "3"]),
    ],
)
async def test_a_multi_valued_field_holds_a_list(client, field_type, given, stored):
    created = await define(client, "things", field_type, is_multi=True)
    assert created["is_multi"] is True
    case = await create(client, fields={"things": given})
    assert (await read(client, case))["fields"] == {"things": stored}
    cleared = await patch(client, case, {"fields": {"things": []}})
    assert cleared["fields"] == {}


@pytest.mark.parametrize(
    "field_type, value",
    [
        ("text", "web-1"),
        ("text", ["a", "a"]),
        ("text", ["a", 5]),
        ("text", [str(i) for i in range(101)]),
        ("number", [1, "2"]),
        ("number", [1.5]),
        ("url", ["ftp://a.example"]),
    ],
)
async def test_a_multi_valued_field_refuses_a_bad_list_naming_the_field(client, field_type, value):
    await define(client, "things", field_type, is_multi=True)
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"things": value}}), 422, "fields.things")


@pytest.mark.parametrize("field_type", ["long_text", "boolean", "date", "select", "user"])
async def test_only_text_url_number_and_decimal_fields_hold_several_values(client, field_type):
    body = {"key": "k", "label": "K", "type": field_type, "is_multi": True}
    if field_type == "select":
        body["options"] = [{"id": "a", "label": "A"}]
    assert_problem(await client.post(FIELDS, json=body), 422, "is_multi")


async def test_is_multi_never_changes_once_the_field_exists(client):
    await define(client, "hosts", is_multi=True)
    assert_problem(await client.patch(f"{FIELDS}/hosts", json={"is_multi": False}), 422, "is_multi")
    assert (await client.patch(f"{FIELDS}/hosts", json={"is_multi": True})).status_code == 200


async def test_a_multi_valued_field_filters_by_has_that_value_and_is_not_sorted_on(client):
    await define(client, "hosts", is_multi=True)
    await define(client, "ports", "number", is_multi=True)
    web = await create(client, fields={"hosts": ["web-1", "web-2"], "ports": [80, 443]})
    db = await create(client, fields={"hosts": ["db-1"], "ports": [5432]})
    await create(client)
    assert await keys(client, "hosts=web-2") == [web["key"]]
    assert await keys(client, "hosts!=web-2") == [db["key"]]
    assert await keys(client, "ports>1000") == [db["key"]]
    assert await keys(client, "ports<=80") == [web["key"]]
    assert await keys(client, "ports=443", "hosts=web-1") == [web["key"]]
    # A value removed leaves the index with it.
    await patch(client, web, {"fields": {"hosts": ["web-1"]}})
    assert await keys(client, "hosts=web-2") == []
    assert_problem(await client.get("/cases", params={"sort": "field.hosts"}), 422, "sort")


# Required


async def test_a_required_field_must_be_given_at_creation_unless_it_has_a_default(client):
    await define(client, "team", required=True)
    body = assert_problem(await client.post("/cases", json={"title": "T"}), 422, "fields.team")
    assert "required" in body["errors"][0]["message"]
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"team": " "}}), 422, "fields.team")
    assert (await create(client, fields={"team": "blue"}))["fields"] == {"team": "blue"}
    await client.patch(f"{FIELDS}/team", json={"default": "red"})
    assert (await create(client))["fields"] == {"team": "red"}


async def test_a_required_field_cannot_be_left_empty_by_an_update(client):
    case = await create(client, title="Before the rule")
    await define(client, "team", required=True)
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"title": "Changed"}), 422, "fields.team")
    filled = await patch(client, case, {"title": "Changed", "fields": {"team": "blue"}})
    assert filled["fields"] == {"team": "blue"}
    assert_problem(await set_fields(client, filled, {"team": None}), 422, "fields.team")
    assert (await read(client, case))["fields"] == {"team": "blue"}


async def test_an_inactive_required_field_is_not_enforced(client):
    await define(client, "team", required=True, active=False)
    assert (await create(client))["fields"] == {}


async def test_required_is_shown_and_changes(client):
    assert (await define(client, "team"))["required"] is False
    assert (await client.patch(f"{FIELDS}/team", json={"required": True})).json()["required"] is True
    assert_problem(await client.patch(f"{FIELDS}/team", json={"required": None}), 422, "required")


# Patterns


async def test_a_pattern_is_checked_when_defined(client):
    for pattern in ("(unclosed", "a{1000}{1000}", "(?<=look)behind", ""):
        assert_problem(await client.post(FIELDS, json={"key": "k", "label": "K", "type": "text", "pattern": pattern}),
                       422, "pattern")
    assert_problem(await client.post(FIELDS, json={"key": "k", "label": "K", "type": "number", "pattern": "1"}),
                   422, "pattern")
    assert_problem(await client.post(FIELDS, json={"key": "k", "label": "K", "type": "text", "pattern": "x" * 501}),
                   422, "pattern")
    assert (await client.get(FIELDS)).json()["items"] == []


async def test_values_must_match_the_whole_pattern(client):
    created = await define(client, "ticket", pattern=r"[A-Z]+-\d+")
    assert created["pattern"] == r"[A-Z]+-\d+"
    assert (await create(client, fields={"ticket": "SEC-12"}))["fields"] == {"ticket": "SEC-12"}
    for value in ("sec-12", "SEC-12 and more", "x SEC-12"):
        body = assert_problem(await client.post("/cases", json={"title": "T", "fields": {"ticket": value}}),
                              422, "fields.ticket")
        assert "pattern" in body["errors"][0]["message"]


async def test_each_value_of_a_multi_valued_field_must_match(client):
    await define(client, "hosts", "url", is_multi=True, pattern=r"https://[a-z.]+/")
    good = ["https://a.example/"]
    assert (await create(client, fields={"hosts": good}))["fields"] == {"hosts": good}
    response = await client.post("/cases", json={"title": "T", "fields": {"hosts": [*good, "https://B/"]}})
    assert_problem(response, 422, "fields.hosts")


async def test_a_catastrophic_pattern_matches_in_linear_time(client):
    await define(client, "trap", "long_text", pattern=r"(a+)+$")
    started = time.monotonic()
    response = await client.post("/cases", json={"title": "T", "fields": {"trap": "a" * 20_000 + "!"}})
    assert_problem(response, 422, "fields.trap")
    assert time.monotonic() - started < 2


async def test_a_pattern_changes_checks_the_default_and_may_be_removed(client):
    await define(client, "ticket", default="SEC-1")
    assert_problem(await client.patch(f"{FIELDS}/ticket", json={"pattern": "[0-9]+"}), 422, "default")
    assert (await client.patch(f"{FIELDS}/ticket", json={"pattern": "[A-Z]+-[0-9]+"})).json()["pattern"]
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"ticket": "nope"}}), 422, "fields.ticket")
    assert (await client.patch(f"{FIELDS}/ticket", json={"pattern": None})).json()["pattern"] is None
    assert (await create(client, fields={"ticket": "nope"}))["fields"] == {"ticket": "nope"}
