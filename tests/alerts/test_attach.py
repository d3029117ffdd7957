"""Attaching alerts: one request is one attachment; an alert is on a case at most once."""

from datetime import datetime
from urllib.parse import quote

from tests.alerts.support import attach, attached, ids
from tests.helpers import activity, api_client, assert_problem, assert_same_not_found, create, read


async def test_attaching_alerts_adds_them_as_one_attachment(client, tenant):
    case = await create(client)
    response = await client.post(
        f"/cases/{case['id']}/alerts",
        json={
            "alert_ids": ["a1", "a2", "a3"],
            "indexes": [".alerts-security-1", ".alerts-security-2", ".alerts-security-1"],
            "rule": {"id": "rule-7", "name": "Brute force"},
            "owner": "securitySolution",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["added"] == ["a1", "a2", "a3"]
    assert body["duplicates"] == []
    assert body["alert_count"] == 3
    assert body["case_version"] == case["version"] + 1
    assert response.headers["etag"] == f'"{case["version"] + 1}"'
    items = await attached(client, case)
    assert [(i["alert_id"], i["index"]) for i in items] == [
        ("a1", ".alerts-security-1"),
        ("a2", ".alerts-security-2"),
        ("a3", ".alerts-security-1"),
    ]
    for item in items:
        assert item["attachment_id"] == body["attachment_id"]
        assert item["rule"] == {"id": "rule-7", "name": "Brute force"}
        assert item["owner"] == "securitySolution"
        assert item["created_by"] == str(tenant.admin.id)
        assert datetime.fromisoformat(item["created_at"]).tzinfo is not None
    after = await read(client, case)
    assert after["version"] == case["version"] + 1
    assert after["counts"]["alerts"] == 3


async def test_a_single_alert_may_be_given_as_strings(client):
    case = await create(client)
    response = await attach(client, case, "only-one", ".alerts-observability")
    assert response.status_code == 201, response.text
    assert response.json()["added"] == ["only-one"]
    [item] = await attached(client, case)
    assert (item["alert_id"], item["index"]) == ("only-one", ".alerts-observability")


async def test_the_owner_defaults_to_cases_and_the_rule_to_none(client):
    case = await create(client)
    assert (await attach(client, case, ["a"])).status_code == 201
    [item] = await attached(client, case)
    assert item["owner"] == "cases"
    assert item["rule"] is None


async def test_a_rule_may_name_only_its_id_or_only_its_name(client):
    case = await create(client)
    await attach(client, case, ["a"], rule={"id": "r1"})
    await attach(client, case, ["b"], rule={"name": "Port scan"})
    items = await attached(client, case)
    assert [i["rule"] for i in items] == [{"id": "r1", "name": None}, {"id": None, "name": "Port scan"}]


async def test_each_request_is_its_own_attachment(client):
    case = await create(client)
    first = (await attach(client, case, ["a", "b"])).json()
    second = (await attach(client, case, ["c"])).json()
    assert first["attachment_id"] != second["attachment_id"]
    items = await attached(client, case)
    assert [i["attachment_id"] for i in items] == [first["attachment_id"]] * 2 + [second["attachment_id"]]


async def test_each_attach_bumps_the_version_once_and_logs_one_activity_entry_naming_what_it_attached(client):
    case = await create(client)
    body = (await attach(client, case, ["a", "b"], [".one", ".two"], owner="securitySolution")).json()
    entries = await activity(client, case)
    assert [e["action"] for e in entries] == ["created", "alerts_attached"]
    assert entries[-1]["changes"] == {
        "alert_ids": [None, ["a", "b"]],
        "attachment_id": [None, body["attachment_id"]],
        "indexes": [None, [".one", ".two"]],
        "owner": [None, "securitySolution"],
    }
    ruled = (await attach(client, case, ["c"], rule={"id": "r-1", "name": None})).json()
    assert (await activity(client, case))[-1]["changes"] == {
        "alert_ids": [None, ["c"]],
        "attachment_id": [None, ruled["attachment_id"]],
        "indexes": [None, [".alerts"]],
        "owner": [None, "cases"],
        "rule": [None, {"id": "r-1", "name": None}],
    }
    assert (await read(client, case))["version"] == case["version"] + 2


async def test_an_alert_already_on_the_case_is_a_duplicate_and_counted_once(client):
    case = await create(client)
    await attach(client, case, ["a", "b"])
    response = await attach(client, case, ["b", "c"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["added"] == ["c"]
    assert body["duplicates"] == ["b"]
    assert body["alert_count"] == 3
    assert [i["alert_id"] for i in await attached(client, case)] == ["a", "b", "c"]
    assert (await read(client, case))["counts"]["alerts"] == 3


async def test_an_alert_repeated_in_one_request_is_added_once_and_reported_as_a_duplicate(client):
    case = await create(client)
    response = await attach(client, case, ["a", "b", "a", "a"], ["i1", "i2", "i3", "i4"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["added"] == ["a", "b"]
    assert body["duplicates"] == ["a"]
    assert body["alert_count"] == 2
    # The first occurrence wins.
    assert [(i["alert_id"], i["index"]) for i in await attached(client, case)] == [("a", "i1"), ("b", "i2")]


async def test_a_request_of_only_duplicates_changes_nothing(client):
    case = await create(client)
    first = (await attach(client, case, ["a", "b"])).json()
    before = await read(client, case)
    entries = await activity(client, case)
    response = await attach(client, case, ["b", "a", "b"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "attachment_id": None,
        "added": [],
        "duplicates": ["b", "a"],
        "alert_count": 2,
        "case_version": before["version"],
    }
    assert await read(client, case) == before
    assert await activity(client, case) == entries
    assert {i["attachment_id"] for i in await attached(client, case)} == {first["attachment_id"]}


async def test_alert_ids_and_indexes_are_stored_exactly_as_sent_whatever_they_look_like(client):
    # The rows travel to the database as one JSON document: nothing in them may be read as JSON or SQL.
    odd = ["123", "1e5", "null", "true", "[1, 2]", '{"a": 1}', 'quote "q"', "back\\slash", "tab\there", "é 東京 🚨",
           "' OR 1=1 --", "$[0]", "a" * 512]  # fmt: skip
    indexes = [f"idx {value}"[:512] for value in odd]
    case = await create(client)
    response = await attach(client, case, odd, indexes, rule={"id": "0", "name": "null"})
    assert response.status_code == 201, response.text
    assert response.json()["added"] == odd
    items = await attached(client, case)
    assert [(i["alert_id"], i["index"]) for i in items] == list(zip(odd, indexes))
    assert {(i["rule"]["id"], i["rule"]["name"]) for i in items} == {("0", "null")}
    for value in odd:
        found = (await client.get(f"/alerts/{quote(value, safe='')}/cases")).json()["items"]
        assert [c["id"] for c in found] == [case["id"]], value


async def test_a_full_request_keeps_the_request_order_and_each_alerts_own_index(client):
    case = await create(client)
    alert_ids = ids("full", 1000)[::-1]
    indexes = [f".alerts-{i % 7}" for i in range(1000)]
    body = (await attach(client, case, alert_ids, indexes)).json()
    assert body["added"] == alert_ids and body["alert_count"] == 1000
    items = await attached(client, case)
    assert [(i["alert_id"], i["index"]) for i in items] == list(zip(alert_ids, indexes))
    assert len({i["id"] for i in items}) == 1000
    assert {i["attachment_id"] for i in items} == {body["attachment_id"]}


async def test_the_same_alert_may_be_on_several_cases(client):
    one, two = await create(client, title="one"), await create(client, title="two")
    assert (await attach(client, one, ["shared"])).status_code == 201
    assert (await attach(client, two, ["shared"])).status_code == 201
    assert (await read(client, two))["counts"]["alerts"] == 1


async def test_alert_ids_and_indexes_of_different_lengths_are_refused_naming_indexes(client):
    case = await create(client)
    for alert_ids, indexes in ((["a", "b"], ["i"]), (["a"], ["i", "j"]), ("a", ["i", "j"]), (["a", "b"], "i")):
        response = await attach(client, case, alert_ids, indexes)
        assert_problem(response, 422, "indexes")
    assert await attached(client, case) == []
    assert (await read(client, case))["version"] == case["version"]


async def test_a_request_names_at_least_one_alert(client):
    case = await create(client)
    assert_problem(await attach(client, case, [], []), 422, "alert_ids")
    assert_problem(await attach(client, case, ["a"], []), 422, "indexes")
    assert_problem(await client.post(f"/cases/{case['id']}/alerts", json={"indexes": ["i"]}), 422, "alert_ids")
    assert await attached(client, case) == []


async def test_alert_ids_and_indexes_are_one_to_512_characters(client):
    case = await create(client)
    longest_id, longest_index = "a" * 512, "i" * 512
    response = await attach(client, case, [longest_id], [longest_index])
    assert response.status_code == 201, response.text
    assert_problem(await attach(client, case, ["b" * 513], ["i"]), 422, "alert_ids", nested=True)
    assert_problem(await attach(client, case, ["b"], ["i" * 513]), 422, "indexes", nested=True)
    assert_problem(await attach(client, case, [""], ["i"]), 422, "alert_ids", nested=True)
    assert_problem(await attach(client, case, ["b"], [""]), 422, "indexes", nested=True)
    assert_problem(await attach(client, case, ["  "], ["i"]), 422, "alert_ids", nested=True)
    assert [(i["alert_id"], i["index"]) for i in await attached(client, case)] == [(longest_id, longest_index)]
    assert (await read(client, case))["version"] == case["version"] + 1


async def test_a_request_attaches_at_most_1000_alerts(client):
    case = await create(client)
    too_many = ids("x", 1001)
    assert_problem(await attach(client, case, too_many), 422, "alert_ids")
    assert await attached(client, case) == []
    response = await attach(client, case, ids("x", 1000))
    assert response.status_code == 201, response.text
    assert len(response.json()["added"]) == 1000


async def test_owner_and_rule_fields_are_checked(client):
    case = await create(client)
    assert_problem(await attach(client, case, ["a"], owner=""), 422, "owner")
    assert_problem(await attach(client, case, ["a"], owner="o" * 65), 422, "owner")
    assert_problem(await attach(client, case, ["a"], rule={"id": "r" * 513}), 422, "rule", nested=True)
    assert_problem(await attach(client, case, ["a"], rule={"uuid": "r"}), 422, "rule", nested=True)
    assert_problem(await attach(client, case, ["a"], comment="hi"), 422, "comment")
    assert_problem(await attach(client, case, ["a\x00b"]), 422, "alert_ids", nested=True)
    assert (await attach(client, case, ["a"], owner="o" * 64, rule={"id": "r" * 512, "name": "n" * 512})).status_code == 201
    assert len(await attached(client, case)) == 1


async def test_if_match_guards_an_attach(client):
    case = await create(client)
    response = await client.post(
        f"/cases/{case['id']}/alerts", json={"alert_ids": ["a"], "indexes": ["i"]}, headers={"If-Match": '"7"'}
    )
    body = assert_problem(response, 409)
    assert body["current_version"] == case["version"]
    assert await attached(client, case) == []
    response = await client.post(
        f"/cases/{case['id']}/alerts", json={"alert_ids": ["a"], "indexes": ["i"]}, headers={"If-Match": f'"{case["version"]}"'}
    )
    assert response.status_code == 201, response.text


async def test_attaching_by_case_key_works(client):
    case = await create(client)
    response = await client.post(f"/cases/{case['key'].lower()}/alerts", json={"alert_ids": "a", "indexes": "i"})
    assert response.status_code == 201, response.text
    assert len(await attached(client, case)) == 1


async def test_an_archived_case_takes_no_alerts(client):
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    assert_problem(await attach(client, case, ["a"]), 409)
    assert await attached(client, case) == []


async def test_a_viewer_cannot_attach_but_can_list(client, tenant, app):
    case = await create(client)
    await attach(client, case, ["a"])
    viewer = tenant.add_member("viewer")
    async with api_client(app, viewer.headers) as as_viewer:
        assert_problem(await attach(as_viewer, case, ["b"]), 403)
        assert_problem(await as_viewer.delete(f"/cases/{case['id']}/alerts/a"), 403)
        assert [i["alert_id"] for i in await attached(as_viewer, case)] == ["a"]
    assert [i["alert_id"] for i in await attached(client, case)] == ["a"]
    assert (await read(client, case))["version"] == case["version"] + 1


async def test_a_read_only_token_cannot_attach(client, tenant, app):
    case = await create(client)
    agent = tenant.add_member("agent", scopes=["cases:read"])
    async with api_client(app, agent.headers) as as_reader:
        assert_problem(await attach(as_reader, case, ["b"]), 403)
    assert await attached(client, case) == []


async def test_another_workspace_cannot_see_or_touch_the_alerts(client, other_client):
    case = await create(client)
    await attach(client, case, ["a"])
    for ref in (case["id"], case["key"]):
        assert_problem(await other_client.get(f"/cases/{ref}/alerts"), 404)
        assert_problem(await attach(other_client, {"id": ref}, ["b"]), 404)
        assert_problem(await other_client.delete(f"/cases/{ref}/alerts/a"), 404)
    assert [i["alert_id"] for i in await attached(client, case)] == ["a"]
    assert (await read(client, case))["version"] == case["version"] + 1
    foreign = await attach(other_client, case, ["b"])
    unknown = await attach(other_client, {"id": "00000000-0000-7000-8000-000000000000"}, ["b"])
    assert_same_not_found(foreign, case["id"], unknown, "00000000-0000-7000-8000-000000000000")


async def test_an_unknown_case_is_not_found(client):
    assert_problem(await attach(client, {"id": "SEC-999"}, ["a"]), 404)
    assert_problem(await client.get("/cases/SEC-999/alerts"), 404)
