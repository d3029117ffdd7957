"""Detaching an alert, listing a case's alerts page by page, and finding the cases that hold an alert."""

from urllib.parse import quote

from casework.pagination import encode_cursor
from tests.alerts.support import attach, attached, ids
from tests.helpers import activity, api_client, assert_problem, create, read
from tests.workflow.sla_support import HOUR, policy, set_policies


async def test_detaching_an_alert_removes_it_bumps_the_version_and_logs_it(client):
    case = await create(client)
    body = (await attach(client, case, ["a", "b", "c"])).json()
    before = await read(client, case)
    response = await client.delete(f"/cases/{case['id']}/alerts/b")
    assert response.status_code == 204, response.text
    assert response.headers["etag"] == f'"{before["version"] + 1}"'
    assert [i["alert_id"] for i in await attached(client, case)] == ["a", "c"]
    after = await read(client, case)
    assert after["version"] == before["version"] + 1
    assert after["counts"]["alerts"] == 2
    last = (await activity(client, case))[-1]
    assert last["action"] == "alert_detached"
    assert last["changes"] == {"alert_ids": [["b"], None], "attachment_id": [body["attachment_id"], None]}


async def test_a_detached_alert_can_be_attached_again(client):
    case = await create(client)
    await attach(client, case, ["a"])
    await client.delete(f"/cases/{case['id']}/alerts/a")
    response = await attach(client, case, ["a"])
    assert response.status_code == 201, response.text
    assert response.json()["alert_count"] == 1


async def test_detaching_an_alert_the_case_does_not_have_is_not_found_and_changes_nothing(client):
    case = await create(client)
    await attach(client, case, ["a"])
    other = await create(client, title="other")
    await attach(client, other, ["elsewhere"])
    before = await read(client, case)
    for alert_id in ("nope", "elsewhere", "x" * 600, "a%00b"):
        assert_problem(await client.delete(f"/cases/{case['id']}/alerts/{alert_id}"), 404)
    assert await read(client, case) == before
    assert [i["alert_id"] for i in await attached(client, case)] == ["a"]
    assert [i["alert_id"] for i in await attached(client, other)] == ["elsewhere"]


async def test_alert_ids_with_slashes_and_spaces_can_be_detached(client):
    case = await create(client)
    odd = "logs/2024 01/é#?"
    await attach(client, case, [odd, "plain"])
    response = await client.delete(f"/cases/{case['id']}/alerts/{quote(odd, safe='')}")
    assert response.status_code == 204, response.text
    assert [i["alert_id"] for i in await attached(client, case)] == ["plain"]


async def test_if_match_guards_a_detach(client):
    case = await create(client)
    await attach(client, case, ["a"])
    body = assert_problem(await client.delete(f"/cases/{case['id']}/alerts/a", headers={"If-Match": '"1"'}), 409)
    assert body["current_version"] == 2
    assert len(await attached(client, case)) == 1
    assert (await client.delete(f"/cases/{case['id']}/alerts/a", headers={"If-Match": '"2"'})).status_code == 204


async def test_alerts_of_an_archived_case_cannot_be_detached(client):
    case = await create(client)
    await attach(client, case, ["a"])
    await client.delete(f"/cases/{case['id']}")
    assert_problem(await client.delete(f"/cases/{case['id']}/alerts/a"), 409)
    assert len(await attached(client, case)) == 1


async def test_the_list_walks_every_alert_oldest_first_page_by_page(client):
    case = await create(client)
    first, second = ids("first", 7), ids("second", 6)
    await attach(client, case, first)
    await attach(client, case, second)
    pages = []
    cursor = None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        body = (await client.get(f"/cases/{case['id']}/alerts", params=params)).json()
        pages.append([i["alert_id"] for i in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [5, 5, 3]
    assert [a for page in pages for a in page] == first + second


async def test_the_list_has_a_default_limit_of_50_and_refuses_limits_out_of_range(client):
    case = await create(client)
    await attach(client, case, ids("a", 60))
    body = (await client.get(f"/cases/{case['id']}/alerts")).json()
    assert len(body["items"]) == 50 and body["next_cursor"]
    assert (await client.get(f"/cases/{case['id']}/alerts", params={"limit": 500})).status_code == 200
    assert_problem(await client.get(f"/cases/{case['id']}/alerts", params={"limit": 0}), 422, "limit")
    assert_problem(await client.get(f"/cases/{case['id']}/alerts", params={"limit": 501}), 422, "limit")


async def test_a_forged_cursor_is_refused_naming_cursor(client):
    case = await create(client)
    forged = ["garbage", encode_cursor([]), encode_cursor([1]), encode_cursor(["not-a-uuid"]), encode_cursor({"a": 1}),
              encode_cursor(["0192f1a0-0000-7000-8000-000000000000", "extra"]), encode_cursor([None])]
    for cursor in forged:
        assert_problem(await client.get(f"/cases/{case['id']}/alerts", params={"cursor": cursor}), 422, "cursor")
        assert_problem(await client.get("/alerts/a/cases", params={"cursor": cursor}), 422, "cursor")


async def test_the_cases_holding_an_alert_are_found_in_the_callers_workspace_only(client, other_client):
    one, two, three = [await create(client, title=t) for t in ("one", "two", "three")]
    await attach(client, one, ["shared", "x"])
    await attach(client, three, ["shared"])
    await attach(client, two, ["y"])
    theirs = await create(other_client, title="theirs")
    await attach(other_client, theirs, ["shared"])

    body = (await client.get("/alerts/shared/cases")).json()
    assert [c["id"] for c in body["items"]] == [one["id"], three["id"]]
    assert body["items"][0]["title"] == "one"
    assert body["items"][0]["key"] == one["key"]
    assert body["items"][0]["counts"]["alerts"] == 2
    assert body["next_cursor"] is None
    theirs_found = (await other_client.get("/alerts/shared/cases")).json()["items"]
    assert [c["id"] for c in theirs_found] == [theirs["id"]]
    assert (await client.get("/alerts/unknown/cases")).json() == {"items": [], "next_cursor": None}


async def test_a_detached_alert_no_longer_finds_its_case(client):
    case = await create(client)
    await attach(client, case, ["a"])
    await client.delete(f"/cases/{case['id']}/alerts/a")
    assert (await client.get("/alerts/a/cases")).json()["items"] == []


async def test_finding_cases_leaves_archived_ones_out_unless_asked(client):
    live, archived = await create(client, title="live"), await create(client, title="archived")
    await attach(client, live, ["a"])
    await attach(client, archived, ["a"])
    await client.delete(f"/cases/{archived['id']}")
    assert [c["id"] for c in (await client.get("/alerts/a/cases")).json()["items"]] == [live["id"]]
    found = (await client.get("/alerts/a/cases", params={"archived": "true"})).json()["items"]
    assert [c["id"] for c in found] == [live["id"], archived["id"]]


async def test_finding_cases_pages_through_every_case(client):
    cases = [await create(client, title=f"case {i}") for i in range(7)]
    for case in cases:
        await attach(client, case, ["common"])
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/alerts/common/cases", params=params)).json()
        assert len(body["items"]) <= 3
        seen.extend(c["id"] for c in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in cases]


async def test_finding_cases_by_odd_alert_ids_works_and_never_fails(client):
    case = await create(client)
    odd = "a/b c?d#é"
    await attach(client, case, [odd])
    found = (await client.get(f"/alerts/{quote(odd, safe='')}/cases")).json()["items"]
    assert [c["id"] for c in found] == [case["id"]]
    for weird in ("x" * 600, "a%00b"):
        response = await client.get(f"/alerts/{weird}/cases")
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []


async def test_a_viewer_can_find_cases_by_alert(app, client, tenant):
    case = await create(client)
    await attach(client, case, ["a"])
    viewer = tenant.add_member("viewer")
    async with api_client(app, viewer.headers) as as_viewer:
        assert [c["id"] for c in (await as_viewer.get("/alerts/a/cases")).json()["items"]] == [case["id"]]


async def test_finding_cases_needs_a_token(anonymous):
    response = await anonymous.get("/api/v1/alerts/a/cases")
    assert response.status_code == 401


async def test_found_cases_carry_their_sla_clocks_and_a_page_counts_cases_not_clocks(client):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    cases = [await create(client, title=f"with clocks {n}") for n in range(5)]
    for case in cases:
        await attach(client, case, ["clocked"])
    found, cursor = [], None
    while True:
        body = (await client.get("/alerts/clocked/cases", params={"limit": 2, **({"cursor": cursor} if cursor else {})})).json()
        assert len(body["items"]) == 2 or body["next_cursor"] is None
        found.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [c["id"] for c in found] == [c["id"] for c in cases]
    for case in found:
        assert [(s["sla_type"], s["target_seconds"]) for s in case["slas"]] == [("response", HOUR), ("completion", 8 * HOUR)]
