"""Insights: typed references to monitoring resources, unique per (type, resource_id) within a case."""

import asyncio
from datetime import datetime
from typing import Any, get_args

import httpx

from casework.insights.schemas import InsightType
from casework.pagination import encode_cursor
from tests.helpers import activity, api_client, assert_problem, assert_same_not_found, create, read

# Every CaseInsightType of datadog-api-client 2.62.
TYPES = [
    "SECURITY_SIGNAL",
    "MONITOR",
    "EVENT_CORRELATION",
    "ERROR_TRACKING",
    "CLOUD_COST_RECOMMENDATION",
    "INCIDENT",
    "SENSITIVE_DATA_SCANNER_ISSUE",
    "EVENT",
    "WATCHDOG_STORY",
    "WIDGET",
    "SECURITY_FINDING",
    "INSIGHT_SCORECARD_CAMPAIGN",
    "RESOURCE_POLICY",
    "APM_RECOMMENDATION",
    "SCM_URL",
    "PROFILING_DOWNSIZING_EXPERIMENT",
]


def insight(resource_id: str, type: str = "MONITOR", ref: str | None = None) -> dict[str, str]:
    return {"type": type, "resource_id": resource_id, "ref": ref if ref is not None else f"/monitors/{resource_id}?q=total"}


def key(resource_id: str, type: str = "MONITOR") -> dict[str, str]:
    return {"type": type, "resource_id": resource_id}


async def add(client: httpx.AsyncClient, case: dict[str, Any], *items: dict[str, str], **kwargs: Any) -> httpx.Response:
    return await client.post(f"/cases/{case['id']}/insights", json={"insights": list(items)}, **kwargs)


async def remove(client: httpx.AsyncClient, case: dict[str, Any], *keys: dict[str, str], **kwargs: Any) -> httpx.Response:
    return await client.request("DELETE", f"/cases/{case['id']}/insights", json={"insights": list(keys)}, **kwargs)


async def listed(client: httpx.AsyncClient, case: dict[str, Any], limit: int = 500) -> list[dict[str, Any]]:
    """Every insight of the case, oldest first, walking all pages."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"/cases/{case['id']}/insights", params=params)
        assert response.status_code == 200, response.text
        items.extend(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


def keys_of(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(i["type"], i["resource_id"]) for i in items]


# Adding


async def test_adding_insights_stores_them_and_bumps_the_version_once(client, tenant):
    case = await create(client)
    response = await add(client, case, insight("m1"), insight("sig-9", "SECURITY_SIGNAL", "/security/signals/sig-9"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert keys_of(body["added"]) == [("MONITOR", "m1"), ("SECURITY_SIGNAL", "sig-9")]
    assert body["duplicates"] == []
    assert body["insight_count"] == 2
    assert body["case_version"] == case["version"] + 1
    assert response.headers["etag"] == f'"{case["version"] + 1}"'
    items = await listed(client, case)
    assert items == body["added"]
    assert items[1]["ref"] == "/security/signals/sig-9"
    assert items[0]["created_by"] == str(tenant.admin.id)
    assert datetime.fromisoformat(items[0]["created_at"]).tzinfo is not None
    after = await read(client, case)
    assert after["version"] == case["version"] + 1
    assert after["counts"]["insights"] == 2


async def test_adding_logs_insights_added_with_the_keys(client):
    case = await create(client)
    await add(client, case, insight("m1"), insight("e1", "EVENT", "/event/e1"))
    entries = await activity(client, case)
    assert [e["action"] for e in entries] == ["created", "insights_added"]
    assert entries[-1]["changes"] == {
        "insights": [
            None,
            [
                {"type": "MONITOR", "resource_id": "m1", "ref": "/monitors/m1?q=total"},
                {"type": "EVENT", "resource_id": "e1", "ref": "/event/e1"},
            ],
        ]
    }


async def test_every_insight_type_is_accepted(client):
    case = await create(client)
    response = await add(client, case, *(insight("r1", t) for t in TYPES))
    assert response.status_code == 201, response.text
    # The same resource id under different types is a different insight.
    assert sorted(keys_of(await listed(client, case))) == sorted((t, "r1") for t in TYPES)


def test_every_datadog_insight_type_is_known():
    assert len(set(TYPES)) == 16
    assert set(get_args(InsightType)) == set(TYPES)


async def test_an_unknown_insight_type_is_refused_naming_the_field_and_adds_nothing(client):
    case = await create(client)
    response = await add(client, case, insight("r1"), insight("r2", "NOTEBOOK"))
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["insights.1.type"]
    assert await listed(client, case) == []


async def test_re_adding_an_existing_insight_adds_nothing_and_keeps_its_ref(client):
    case = await create(client)
    await add(client, case, insight("m1", ref="/monitors/m1"))
    response = await add(client, case, insight("m1", ref="/monitors/other"), insight("m2"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert keys_of(body["added"]) == [("MONITOR", "m2")]
    assert body["duplicates"] == [key("m1")]
    assert body["insight_count"] == 2
    items = await listed(client, case)
    assert [(i["resource_id"], i["ref"]) for i in items] == [("m1", "/monitors/m1"), ("m2", "/monitors/m2?q=total")]


async def test_a_request_of_only_known_insights_changes_nothing(client):
    case = await create(client)
    await add(client, case, insight("m1"), insight("m2"))
    before, entries, items = await read(client, case), await activity(client, case), await listed(client, case)
    response = await add(client, case, insight("m2"), insight("m1"), insight("m2"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "added": [],
        "duplicates": [key("m2"), key("m1")],
        "insight_count": 2,
        "case_version": before["version"],
    }
    assert await read(client, case) == before
    assert await activity(client, case) == entries
    assert await listed(client, case) == items


async def test_a_key_repeated_in_one_request_is_added_once(client):
    case = await create(client)
    response = await add(client, case, insight("m1", ref="/first"), insight("m1", ref="/second"))
    assert response.status_code == 201, response.text
    assert response.json()["duplicates"] == [key("m1")]
    assert [(i["resource_id"], i["ref"]) for i in await listed(client, case)] == [("m1", "/first")]
    assert (await read(client, case))["counts"]["insights"] == 1


async def test_a_request_adds_1_to_100_insights(client):
    case = await create(client)
    assert_problem(await add(client, case), 422, "insights")
    assert_problem(await add(client, case, *(insight(f"m{i}") for i in range(101))), 422, "insights")
    assert_problem(await client.post(f"/cases/{case['id']}/insights", json={}), 422, "insights")
    assert await listed(client, case) == []
    assert (await read(client, case))["version"] == case["version"]
    response = await add(client, case, *(insight(f"m{i}") for i in range(100)))
    assert response.status_code == 201, response.text
    assert response.json()["insight_count"] == 100


async def test_ref_is_a_url_path_of_1_to_2000_characters(client):
    case = await create(client)
    longest = "/" + "p" * 1999
    assert (await add(client, case, insight("ok", ref=longest))).status_code == 201
    refused = ["/" + "p" * 2000, "", "monitors/1", "https://evil.example/x", "//evil.example/x", "/\\evil.example",
               "javascript:alert(1)", "/a b", "/a\tb", "/a\nb"]
    for ref in refused:
        assert_problem(await add(client, case, insight(f"r-{len(ref)}", ref=ref)), 422, "insights", nested=True)
    assert [(i["resource_id"], i["ref"]) for i in await listed(client, case)] == [("ok", longest)]


async def test_resource_id_is_1_to_512_characters(client):
    case = await create(client)
    assert (await add(client, case, insight("r" * 512, ref="/x"))).status_code == 201
    for resource_id in ("r" * 513, "", "   "):
        assert_problem(await add(client, case, insight(resource_id, ref="/x")), 422, "insights", nested=True)
    assert keys_of(await listed(client, case)) == [("MONITOR", "r" * 512)]


async def test_unknown_types_and_fields_are_refused(client):
    case = await create(client)
    for item in (insight("a", "DASHBOARD"), insight("a", "monitor"), {**insight("a"), "extra": 1}, {"type": "MONITOR", "ref": "/x"},
                 insight("a\x00b")):
        assert_problem(await add(client, case, item), 422, "insights", nested=True)
    assert await listed(client, case) == []


async def test_if_match_guards_adding(client):
    case = await create(client)
    body = assert_problem(await add(client, case, insight("m1"), headers={"If-Match": '"9"'}), 409)
    assert body["current_version"] == case["version"]
    assert await listed(client, case) == []
    assert (await add(client, case, insight("m1"), headers={"If-Match": f'"{case["version"]}"'})).status_code == 201


async def test_concurrent_adds_of_the_same_insights_store_each_once(client):
    case = await create(client)
    items = [insight(f"m{i}") for i in range(20)]
    responses = await asyncio.gather(*(add(client, case, *items) for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201], [r.text for r in responses]
    assert len(await listed(client, case)) == 20
    final = await read(client, case)
    assert final["counts"]["insights"] == 20
    assert final["version"] == case["version"] + 1


async def test_concurrent_adds_of_different_insights_all_land(client):
    case = await create(client)
    responses = await asyncio.gather(*(add(client, case, *[insight(f"m{i}-{j}") for j in range(5)]) for i in range(10)))
    assert [r.status_code for r in responses] == [201] * 10
    assert len(await listed(client, case)) == 50
    final = await read(client, case)
    assert final["counts"]["insights"] == 50
    assert final["version"] == case["version"] + 10


# Removing


async def test_removing_by_key_deletes_bumps_the_version_and_logs_insights_removed(client):
    case = await create(client)
    await add(client, case, insight("m1"), insight("m2"), insight("m1", "INCIDENT", "/incidents/m1"))
    before = await read(client, case)
    response = await remove(client, case, key("m1"), key("m1", "INCIDENT"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "removed": [key("m1"), key("m1", "INCIDENT")],
        "not_found": [],
        "insight_count": 1,
        "case_version": before["version"] + 1,
    }
    assert response.headers["etag"] == f'"{before["version"] + 1}"'
    assert keys_of(await listed(client, case)) == [("MONITOR", "m2")]
    after = await read(client, case)
    assert after["version"] == before["version"] + 1
    assert after["counts"]["insights"] == 1
    last = (await activity(client, case))[-1]
    assert last["action"] == "insights_removed"
    assert last["changes"] == {"insights": [[key("m1"), key("m1", "INCIDENT")], None]}


async def test_unknown_keys_are_ignored_and_reported(client):
    case = await create(client)
    await add(client, case, insight("m1"), insight("m2"))
    response = await remove(client, case, key("m1"), key("nope"), key("m2", "EVENT"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["removed"] == [key("m1")]
    assert body["not_found"] == [key("nope"), key("m2", "EVENT")]
    assert keys_of(await listed(client, case)) == [("MONITOR", "m2")]


async def test_removing_only_unknown_keys_changes_nothing(client):
    case = await create(client)
    await add(client, case, insight("m1"))
    before, entries = await read(client, case), await activity(client, case)
    response = await remove(client, case, key("nope"), key("nope"))
    assert response.status_code == 200, response.text
    assert response.json() == {"removed": [], "not_found": [key("nope")], "insight_count": 1, "case_version": before["version"]}
    assert await read(client, case) == before
    assert await activity(client, case) == entries


async def test_an_insight_of_another_case_is_not_removed(client):
    one, two = await create(client, title="one"), await create(client, title="two")
    await add(client, one, insight("m1"))
    await add(client, two, insight("m1"))
    assert (await remove(client, one, key("m1"))).json()["removed"] == [key("m1")]
    assert keys_of(await listed(client, two)) == [("MONITOR", "m1")]


async def test_post_remove_does_what_delete_with_a_body_does(client):
    case = await create(client)
    await add(client, case, insight("m1"), insight("m2"))
    response = await client.post(f"/cases/{case['id']}/insights/remove", json={"insights": [key("m2"), key("x")]})
    assert response.status_code == 200, response.text
    assert response.json()["removed"] == [key("m2")]
    assert response.json()["not_found"] == [key("x")]
    assert keys_of(await listed(client, case)) == [("MONITOR", "m1")]


async def test_a_removal_names_1_to_100_keys(client):
    case = await create(client)
    await add(client, case, insight("m1"))
    before = await read(client, case)
    assert_problem(await remove(client, case), 422, "insights")
    assert_problem(await remove(client, case, *(key(f"m{i}") for i in range(101))), 422, "insights")
    assert_problem(await client.request("DELETE", f"/cases/{case['id']}/insights"), 422)
    assert_problem(await remove(client, case, {"type": "NOPE", "resource_id": "m1"}), 422, "insights", nested=True)
    assert_problem(await remove(client, case, {**key("m1"), "ref": "/x"}), 422, "insights", nested=True)
    assert await read(client, case) == before
    response = await remove(client, case, *(key(f"m{i}") for i in range(100)))
    assert response.status_code == 200, response.text
    assert response.json()["removed"] == [key("m1")]


async def test_a_removed_insight_can_be_added_again(client):
    case = await create(client)
    await add(client, case, insight("m1"))
    await remove(client, case, key("m1"))
    response = await add(client, case, insight("m1", ref="/new"))
    assert response.status_code == 201, response.text
    assert [i["ref"] for i in await listed(client, case)] == ["/new"]


async def test_if_match_guards_removing(client):
    case = await create(client)
    await add(client, case, insight("m1"))
    assert_problem(await remove(client, case, key("m1"), headers={"If-Match": '"1"'}), 409)
    assert len(await listed(client, case)) == 1
    assert (await remove(client, case, key("m1"), headers={"If-Match": '"2"'})).json()["removed"] == [key("m1")]


# Listing


async def test_the_list_walks_every_insight_oldest_first_page_by_page(client):
    case = await create(client)
    await add(client, case, *(insight(f"a{i}") for i in range(6)))
    await add(client, case, *(insight(f"b{i}") for i in range(5)))
    pages, cursor = [], None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        body = (await client.get(f"/cases/{case['id']}/insights", params=params)).json()
        pages.append([i["resource_id"] for i in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [4, 4, 3]
    assert [r for page in pages for r in page] == [f"a{i}" for i in range(6)] + [f"b{i}" for i in range(5)]


async def test_list_limits_and_forged_cursors_are_refused(client):
    case = await create(client)
    url = f"/cases/{case['id']}/insights"
    assert_problem(await client.get(url, params={"limit": 0}), 422, "limit")
    assert_problem(await client.get(url, params={"limit": 501}), 422, "limit")
    for cursor in ("%%%", encode_cursor([]), encode_cursor([7]), encode_cursor(["nope"]), encode_cursor({"x": 1})):
        assert_problem(await client.get(url, params={"cursor": cursor}), 422, "cursor")


# Boundaries


async def test_a_viewer_can_list_but_not_add_or_remove(app, client, tenant):
    case = await create(client)
    await add(client, case, insight("m1"))
    viewer = tenant.add_member("viewer")
    async with api_client(app, viewer.headers) as as_viewer:
        assert_problem(await add(as_viewer, case, insight("m2")), 403)
        assert_problem(await remove(as_viewer, case, key("m1")), 403)
        assert keys_of(await listed(as_viewer, case)) == [("MONITOR", "m1")]
    assert keys_of(await listed(client, case)) == [("MONITOR", "m1")]
    assert (await read(client, case))["version"] == case["version"] + 1


async def test_an_archived_case_takes_no_insight_changes(client):
    case = await create(client)
    await add(client, case, insight("m1"))
    await client.delete(f"/cases/{case['id']}")
    assert_problem(await add(client, case, insight("m2")), 409)
    assert_problem(await remove(client, case, key("m1")), 409)
    assert keys_of(await listed(client, case)) == [("MONITOR", "m1")]


async def test_another_workspace_cannot_see_or_change_insights(client, other_client):
    case = await create(client)
    await add(client, case, insight("m1"))
    for ref in (case["id"], case["key"]):
        assert_problem(await other_client.get(f"/cases/{ref}/insights"), 404)
        assert_problem(await add(other_client, {"id": ref}, insight("m2")), 404)
        assert_problem(await remove(other_client, {"id": ref}, key("m1")), 404)
    unknown = "00000000-0000-7000-8000-000000000000"
    assert_same_not_found(
        await add(other_client, case, insight("m2")), case["id"], await add(other_client, {"id": unknown}, insight("m2")), unknown
    )
    assert keys_of(await listed(client, case)) == [("MONITOR", "m1")]
    assert (await read(client, case))["version"] == case["version"] + 1
