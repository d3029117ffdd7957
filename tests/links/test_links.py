"""Linked cases: one link per pair, stored and shown from both sides, each side with its own relation."""

import base64
import json
import uuid

import pytest

from tests.helpers import activity, api_client, assert_problem, assert_same_not_found, create, read

INVERSE = {
    "related": "related",
    "duplicates": "duplicated_by",
    "duplicated_by": "duplicates",
    "parent": "child",
    "child": "parent",
}


def links_url(case, linked=None):
    base = f"/cases/{case['id']}/links"
    return base if linked is None else f"{base}/{linked}"


async def link(client, case, target, relation="related", **kwargs):
    return await client.post(links_url(case), json={"case": target, "relation": relation}, **kwargs)


async def all_links(client, case, limit=500):
    items, params = [], {"limit": limit}
    while True:
        response = await client.get(links_url(case), params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        if body["next_cursor"] is None:
            return items
        params["cursor"] = body["next_cursor"]


async def snapshot(client, *cases):
    """Everything a refused write must leave as it was: each case, its activity and its links."""
    return [(await read(client, c), await activity(client, c), await all_links(client, c)) for c in cases]


async def test_linking_stores_the_link_on_both_sides_with_the_inverse_relation(client, tenant):
    a = await create(client, title="Phishing mail")
    b = await create(client, title="Earlier report", status="in_progress")
    response = await link(client, a, b["key"], "duplicates")
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    created = response.json()
    assert created["case"] == {"id": b["id"], "key": b["key"], "title": "Earlier report", "status": "in_progress", "archived": False}
    assert created["relation"] == "duplicates"
    assert created["created_by"] == str(tenant.admin.id)
    assert await all_links(client, a) == [created]
    [seen_from_b] = await all_links(client, b)
    assert seen_from_b["case"] == {"id": a["id"], "key": a["key"], "title": "Phishing mail", "status": "open", "archived": False}
    assert seen_from_b["relation"] == "duplicated_by"
    assert seen_from_b["created_at"] == created["created_at"]


async def test_linking_bumps_both_versions_counts_both_links_and_logs_on_both(client, tenant):
    a, b = await create(client), await create(client)
    assert (await link(client, a, b["id"], "parent")).status_code == 201
    after_a, after_b = await read(client, a), await read(client, b)
    assert (after_a["version"], after_b["version"]) == (2, 2)
    assert (after_a["counts"]["links"], after_b["counts"]["links"]) == (1, 1)
    entry_a, entry_b = (await activity(client, a))[-1], (await activity(client, b))[-1]
    assert entry_a["action"] == entry_b["action"] == "linked"
    assert entry_a["actor_id"] == entry_b["actor_id"] == str(tenant.admin.id)
    assert entry_a["changes"] == {"link": [None, {"case_id": b["id"], "key": b["key"], "relation": "parent"}]}
    assert entry_b["changes"] == {"link": [None, {"case_id": a["id"], "key": a["key"], "relation": "child"}]}


@pytest.mark.parametrize("relation", sorted(INVERSE))
async def test_each_relation_shows_its_inverse_on_the_other_side(client, relation):
    a, b = await create(client), await create(client)
    assert (await link(client, a, b["id"], relation)).status_code == 201
    assert [item["relation"] for item in await all_links(client, a)] == [relation]
    assert [item["relation"] for item in await all_links(client, b)] == [INVERSE[relation]]


async def test_the_target_may_be_named_by_id_or_by_key_in_any_case(client):
    a, b, c = await create(client), await create(client), await create(client)
    assert (await link(client, a, b["id"])).status_code == 201
    assert (await link(client, a, c["key"].lower())).status_code == 201
    assert [item["case"]["id"] for item in await all_links(client, a)] == [b["id"], c["id"]]
    assert (await client.get(f"/cases/{a['key']}/links")).json()["items"] == await all_links(client, a)


@pytest.mark.parametrize("by", ["id", "key"])
async def test_a_case_cannot_be_linked_to_itself(client, by):
    a = await create(client)
    before = await snapshot(client, a)
    assert_problem(await link(client, a, a[by]), 422, "case")
    assert await snapshot(client, a) == before


@pytest.mark.parametrize("relation", sorted(INVERSE))
async def test_a_second_link_between_the_same_pair_is_a_conflict_whatever_its_relation(client, relation):
    a, b = await create(client), await create(client)
    assert (await link(client, a, b["id"], "related")).status_code == 201
    before = await snapshot(client, a, b)
    assert_problem(await link(client, a, b["id"], relation), 409)
    assert_problem(await link(client, b, a["key"], relation), 409)
    assert await snapshot(client, a, b) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"case": "SEC-2", "relation": "blocks"}, "relation"),
        ({"case": "SEC-2"}, "relation"),
        ({"relation": "related"}, "case"),
        ({"case": "", "relation": "related"}, "case"),
        ({"case": "SEC-2", "relation": "related", "note": "x"}, "note"),
        ({"case": "SEC\x00-2", "relation": "related"}, "case"),
    ],
)
async def test_a_malformed_link_is_refused_naming_the_field(client, body, field):
    a, b = await create(client), await create(client)
    assert b["key"] == "SEC-2"
    before = await snapshot(client, a, b)
    assert_problem(await client.post(links_url(a), json=body), 422, field)
    assert await snapshot(client, a, b) == before


async def test_a_case_of_another_workspace_is_not_found_as_if_unknown(client, other_client):
    mine = await create(client)
    theirs = await create(other_client)
    await create(other_client)
    before_mine, before_theirs = await snapshot(client, mine), await snapshot(other_client, theirs)
    unknown = str(uuid.uuid4())
    assert_same_not_found(await link(client, mine, theirs["id"]), theirs["id"], await link(client, mine, unknown), unknown)
    # Their case in the path is unknown as well, for every verb.
    for method, suffix, body in (
        ("get", "", None),
        ("post", "", {"case": mine["id"], "relation": "related"}),
        ("delete", f"/{mine['id']}", None),
    ):
        kwargs = {"json": body} if body is not None else {}
        foreign = await client.request(method, f"/cases/{theirs['id']}/links{suffix}", **kwargs)
        missing = await client.request(method, f"/cases/{unknown}/links{suffix}", **kwargs)
        assert_same_not_found(foreign, theirs["id"], missing, unknown)
    # A key names a case of the caller's own workspace only: SEC-2 is theirs, not mine.
    assert_problem(await link(client, mine, "SEC-2"), 404)
    assert await snapshot(client, mine) == before_mine
    assert await snapshot(other_client, theirs) == before_theirs


async def test_an_archived_case_cannot_be_linked_from_either_side(client):
    live, archived = await create(client), await create(client)
    assert (await client.delete(f"/cases/{archived['id']}")).status_code == 204
    before = await snapshot(client, live, archived)
    assert_problem(await link(client, live, archived["id"]), 409)
    assert_problem(await link(client, archived, live["id"]), 409)
    assert await snapshot(client, live, archived) == before


async def test_an_archived_case_keeps_its_links_visible(client):
    a, b = await create(client), await create(client)
    await link(client, a, b["id"], "child")
    await client.delete(f"/cases/{b['id']}")
    [item] = await all_links(client, a)
    assert item["case"]["id"] == b["id"] and item["case"]["archived"] is True
    # Unlinking changes the archived case too, so it waits until the case is restored.
    assert_problem(await client.delete(links_url(a, b["id"])), 409)
    assert len(await all_links(client, b)) == 1
    await client.post(f"/cases/{b['id']}/restore")
    assert (await client.delete(links_url(a, b["id"]))).status_code == 204


async def test_unlinking_from_either_side_removes_both_sides(client, tenant):
    a, b = await create(client), await create(client)
    await link(client, a, b["id"], "duplicates")
    response = await client.delete(links_url(b, a["key"]))
    assert response.status_code == 204, response.text
    assert response.headers["etag"] == '"3"'
    assert await all_links(client, a) == [] and await all_links(client, b) == []
    after_a, after_b = await read(client, a), await read(client, b)
    assert (after_a["version"], after_b["version"]) == (3, 3)
    assert (after_a["counts"]["links"], after_b["counts"]["links"]) == (0, 0)
    entry_a, entry_b = (await activity(client, a))[-1], (await activity(client, b))[-1]
    assert entry_a["action"] == entry_b["action"] == "unlinked"
    assert entry_a["changes"] == {"link": [{"case_id": b["id"], "key": b["key"], "relation": "duplicates"}, None]}
    assert entry_b["changes"] == {"link": [{"case_id": a["id"], "key": a["key"], "relation": "duplicated_by"}, None]}
    # Unlinked, the pair can be linked again, with another relation.
    assert (await link(client, b, a["id"], "parent")).status_code == 201
    assert [i["relation"] for i in await all_links(client, a)] == ["child"]


async def test_unlinking_what_is_not_linked_is_not_found_and_writes_nothing(client):
    a, b, c = await create(client), await create(client), await create(client)
    await link(client, a, b["id"])
    before = await snapshot(client, a, b, c)
    assert_problem(await client.delete(links_url(a, c["id"])), 404)
    assert_problem(await client.delete(links_url(a, a["id"])), 404)
    assert_problem(await client.delete(links_url(a, str(uuid.uuid4()))), 404)
    assert_problem(await client.delete(links_url(a, "NOPE-1")), 404)
    assert await snapshot(client, a, b, c) == before


async def test_other_links_of_both_cases_stay_when_one_pair_is_unlinked(client):
    a, b, c = await create(client), await create(client), await create(client)
    await link(client, a, b["id"])
    await link(client, a, c["id"])
    await link(client, b, c["id"])
    await client.delete(links_url(a, b["id"]))
    assert [i["case"]["id"] for i in await all_links(client, a)] == [c["id"]]
    assert [i["case"]["id"] for i in await all_links(client, b)] == [c["id"]]
    assert [i["case"]["id"] for i in await all_links(client, c)] == [a["id"], b["id"]]
    assert [(await read(client, x))["counts"]["links"] for x in (a, b, c)] == [1, 1, 2]


async def test_the_listed_case_shows_its_current_title_and_status(client):
    a, b = await create(client), await create(client, title="Before")
    await link(client, a, b["id"])
    await client.patch(f"/cases/{b['id']}", json={"title": "After", "status": "closed"})
    [item] = await all_links(client, a)
    assert (item["case"]["title"], item["case"]["status"]) == ("After", "closed")


# Roles and versions


async def test_a_viewer_sees_links_but_cannot_link_or_unlink(app, client, tenant):
    viewer = tenant.add_member("viewer")
    a, b, c = await create(client), await create(client), await create(client)
    await link(client, a, b["id"])
    before = await snapshot(client, a, b, c)
    async with api_client(app, viewer.headers) as as_viewer:
        assert len((await as_viewer.get(links_url(a))).json()["items"]) == 1
        assert_problem(await link(as_viewer, a, c["id"]), 403)
        assert_problem(await as_viewer.delete(links_url(a, b["id"])), 403)
    assert await snapshot(client, a, b, c) == before


async def test_an_agent_links_and_unlinks(app, client, tenant):
    agent = tenant.add_member("agent")
    a, b = await create(client), await create(client)
    async with api_client(app, agent.headers) as as_agent:
        created = await link(as_agent, a, b["id"])
        assert created.status_code == 201 and created.json()["created_by"] == str(agent.id)
        assert (await as_agent.delete(links_url(b, a["id"]))).status_code == 204
    assert [e["actor_id"] for e in (await activity(client, a))[-2:]] == [str(agent.id)] * 2


async def test_a_stale_if_match_on_the_path_case_is_refused_and_writes_nothing(client):
    a, b = await create(client), await create(client)
    await client.patch(f"/cases/{a['id']}", json={"title": "moved on"})
    before = await snapshot(client, a, b)
    body = assert_problem(await link(client, a, b["id"], headers={"If-Match": '"1"'}), 409)
    assert body["current_version"] == 2
    assert await snapshot(client, a, b) == before
    assert (await link(client, a, b["id"], headers={"If-Match": '"2"'})).status_code == 201
    before = await snapshot(client, a, b)
    assert_problem(await client.delete(links_url(a, b["id"]), headers={"If-Match": '"2"'}), 409)
    assert await snapshot(client, a, b) == before
    assert (await client.delete(links_url(a, b["id"]), headers={"If-Match": '"3"'})).status_code == 204


# Pages


async def test_pages_walk_every_link_once_oldest_first(client):
    a = await create(client)
    others = [await create(client) for _ in range(7)]
    for i, other in enumerate(others):
        assert (await link(client, a if i % 2 else other, (other if i % 2 else a)["id"])).status_code == 201
    expected = [o["id"] for o in others]
    for limit in (1, 3, 7, 500):
        assert [i["case"]["id"] for i in await all_links(client, a, limit=limit)] == expected
    first = (await client.get(links_url(a), params={"limit": 3})).json()
    assert len(first["items"]) == 3 and first["next_cursor"]


def forge(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", forge({}), forge([]), forge([1]), forge(["x"]), forge([str(uuid.uuid4()), 1])]
)
async def test_a_forged_cursor_is_refused_naming_cursor(client, cursor):
    a = await create(client)
    assert_problem(await client.get(links_url(a), params={"cursor": cursor}), 422, "cursor")


@pytest.mark.parametrize("limit", [0, 501])
async def test_a_page_size_outside_1_to_500_is_refused(client, limit):
    a = await create(client)
    assert_problem(await client.get(links_url(a), params={"limit": limit}), 422, "limit")


async def test_a_closed_case_of_a_read_only_project_takes_links_made_from_another_case(client):
    earlier = await create(client, title="Earlier report", status="closed")
    again = await create(client, title="Same phishing mail")
    response = await link(client, again, earlier["key"], "duplicates")
    assert response.status_code == 201, response.text
    [seen_from_closed] = await all_links(client, earlier)
    assert (seen_from_closed["case"]["id"], seen_from_closed["relation"]) == (again["id"], "duplicated_by")
    closed_now = await read(client, earlier)
    assert (closed_now["status"], closed_now["version"]) == ("closed", earlier["version"] + 1)
    assert (await activity(client, earlier))[-1]["action"] == "linked"
    assert (await client.delete(links_url(again, earlier["id"]))).status_code == 204
    assert await all_links(client, earlier) == []


async def test_a_closed_case_of_a_read_only_project_refuses_links_made_from_it(client):
    closed = await create(client, title="Closed", status="closed")
    other = await create(client, title="Other")
    before = await snapshot(client, closed, other)
    assert_problem(await link(client, closed, other["key"]), 409)
    assert await snapshot(client, closed, other) == before
