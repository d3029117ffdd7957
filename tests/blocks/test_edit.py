"""Editing (title, hidden, position) and deleting blocks; each write one version and one activity entry."""

import pytest

from tests.blocks.common import add_blocks, all_blocks, blocks_url, note, notes, snapshot, stored_rows
from tests.helpers import activity, assert_problem, create, read


def block_url(case, block):
    return f"{blocks_url(case)}/{block['id']}"


async def titles(client, case):
    listed = await all_blocks(client, case)
    assert [b["position"] for b in listed] == list(range(1, len(listed) + 1)), "positions must stay 1..n"
    return [b["title"] for b in listed]


async def test_editing_title_and_hidden_bumps_the_version_and_logs_block_updated(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note("Old title")])
    response = await client.patch(block_url(case, block), json={"title": "New title", "hidden": True})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"3"'
    edited = response.json()
    assert edited["title"] == "New title" and edited["hidden"] is True
    assert edited["elements"] == block["elements"]
    assert edited["updated_at"] >= block["updated_at"]
    assert (await all_blocks(client, case)) == [edited]
    assert (await read(client, case))["version"] == 3
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "block_updated"
    assert entry["actor_id"] == str(tenant.admin.id)
    assert entry["changes"] == {
        "block_id": [block["id"], block["id"]],
        "title": ["Old title", "New title"],
        "hidden": [False, True],
    }


async def test_an_edit_that_changes_nothing_keeps_the_version_and_logs_nothing(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note("Same")])
    before = await snapshot(client, tenant, case)
    response = await client.patch(block_url(case, block), json={"title": "Same", "hidden": False, "position": 1})
    assert response.status_code == 200, response.text
    assert response.json() == block
    assert response.headers["etag"] == '"2"'
    assert await snapshot(client, tenant, case) == before


@pytest.mark.parametrize(
    ("moved", "to", "expected"),
    [
        (0, 3, ["B", "C", "A", "D", "E"]),
        (4, 1, ["E", "A", "B", "C", "D"]),
        (1, 5, ["A", "C", "D", "E", "B"]),
        (3, 2, ["A", "D", "B", "C", "E"]),
    ],
)
async def test_moving_a_block_shifts_those_in_between(client, tenant, moved, to, expected):
    case = await create(client)
    items = await add_blocks(client, case, [note(t) for t in "ABCDE"])
    response = await client.patch(block_url(case, items[moved]), json={"position": to})
    assert response.status_code == 200, response.text
    assert response.json()["position"] == to
    assert await titles(client, case) == expected
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "block_updated"
    assert entry["changes"]["position"] == [moved + 1, to]
    assert (await read(client, case))["version"] == 3


async def test_moving_a_group_keeps_its_children(client):
    case = await create(client)
    items = await add_blocks(
        client, case, [note("A"), {"title": "G", "block_type": "block_group", "guid": "g"}, note("C", parent_block_guid="g")]
    )
    response = await client.patch(block_url(case, items[1]), json={"position": 3})
    assert response.status_code == 200, response.text
    listed = await all_blocks(client, case)
    assert [b["title"] for b in listed] == ["A", "C", "G"]
    assert listed[1]["parent_block_id"] == items[1]["id"]


async def test_a_position_past_the_last_block_or_below_one_is_refused(client, tenant):
    case = await create(client)
    items = await add_blocks(client, case, notes(3))
    before = await snapshot(client, tenant, case)
    assert_problem(await client.patch(block_url(case, items[0]), json={"position": 4}), 422, "position")
    assert_problem(await client.patch(block_url(case, items[0]), json={"position": 0}), 422, "position")
    assert_problem(await client.patch(block_url(case, items[0]), json={"position": 201}), 422, "position")
    assert await snapshot(client, tenant, case) == before


async def test_an_edit_refuses_null_blank_overlong_and_unknown_fields(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note()])
    before = await snapshot(client, tenant, case)
    for body, field in [
        ({"title": None}, "title"),
        ({"hidden": None}, "hidden"),
        ({"position": None}, "position"),
        ({"title": " "}, "title"),
        ({"title": "t" * 256}, "title"),
        ({"block_type": "html"}, "block_type"),
        ({"elements": []}, "elements"),
    ]:
        assert_problem(await client.patch(block_url(case, block), json=body), 422, field)
    assert await snapshot(client, tenant, case) == before


async def test_a_title_of_255_characters_is_accepted_in_an_edit(client):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note()])
    response = await client.patch(block_url(case, block), json={"title": "t" * 255})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "t" * 255


async def test_deleting_a_block_removes_its_elements_closes_the_gap_and_logs_block_deleted(client, tenant):
    case = await create(client)
    items = await add_blocks(client, case, [note("A"), note("B", "two"), note("C")])
    assert stored_rows(tenant)["elements"] == 3
    response = await client.delete(block_url(case, items[1]))
    assert response.status_code == 204, response.text
    assert response.headers["etag"] == '"3"'
    assert await titles(client, case) == ["A", "C"]
    assert stored_rows(tenant)["elements"] == 2
    assert_problem(await client.get(block_url(case, items[1])), 404)
    assert (await read(client, case))["version"] == 3
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "block_deleted"
    assert entry["changes"] == {"block": [{"id": items[1]["id"], "title": "B", "block_type": "note"}, None]}
    (added,) = await add_blocks(client, case, [note("D")])
    assert added["position"] == 3


async def test_a_block_group_holding_blocks_is_not_deleted(client, tenant):
    case = await create(client)
    group, child = await add_blocks(
        client, case, [{"title": "G", "block_type": "block_group", "guid": "g"}, note("Child", parent_block_guid="g")]
    )
    before = await snapshot(client, tenant, case)
    body = assert_problem(await client.delete(block_url(case, group)), 409)
    assert "holds" in body["detail"]
    assert await snapshot(client, tenant, case) == before
    assert (await client.delete(block_url(case, child))).status_code == 204
    assert (await client.delete(block_url(case, group))).status_code == 204
    assert await all_blocks(client, case) == []
    assert stored_rows(tenant)["blocks"] == 0


async def test_an_empty_block_group_is_deleted(client):
    case = await create(client)
    (group,) = await add_blocks(client, case, [{"title": "G", "block_type": "block_group"}])
    assert (await client.delete(block_url(case, group))).status_code == 204
    assert await all_blocks(client, case) == []


async def test_writes_honour_if_match(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note()])
    before = await snapshot(client, tenant, case)
    stale = {"If-Match": '"1"'}
    body = assert_problem(await client.post(blocks_url(case), json={"blocks": [note()]}, headers=stale), 409)
    assert body["current_version"] == 2
    assert_problem(await client.patch(block_url(case, block), json={"title": "x"}, headers=stale), 409)
    assert_problem(await client.delete(block_url(case, block), headers=stale), 409)
    assert await snapshot(client, tenant, case) == before
    response = await client.patch(block_url(case, block), json={"title": "x"}, headers={"If-Match": '"2"'})
    assert response.status_code == 200 and response.headers["etag"] == '"3"'
    response = await client.post(blocks_url(case), json={"blocks": [note()]}, headers={"If-Match": '"3"'})
    assert response.status_code == 201 and response.headers["etag"] == '"4"'
    response = await client.delete(block_url(case, block), headers={"If-Match": '"4"'})
    assert response.status_code == 204 and response.headers["etag"] == '"5"'
