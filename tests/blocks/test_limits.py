"""Limits: at the limit accepted, one over refused naming the field, and nothing written."""

from tests.blocks.common import add_blocks, all_blocks, blocks_url, note, notes, snapshot
from tests.helpers import assert_problem, create, read


async def assert_refused(client, tenant, case, blocks, field, status=422):
    before = await snapshot(client, tenant, case)
    body = assert_problem(await client.post(blocks_url(case), json={"blocks": blocks}), status, field)
    assert await snapshot(client, tenant, case) == before
    return body


async def test_fifty_blocks_in_one_request_are_accepted(client):
    case = await create(client)
    items = await add_blocks(client, case, notes(50))
    assert [b["position"] for b in items] == list(range(1, 51))
    assert (await read(client, case))["version"] == 2


async def test_fifty_one_blocks_in_one_request_are_refused(client, tenant):
    case = await create(client)
    await assert_refused(client, tenant, case, notes(51), "blocks")


async def test_an_empty_request_is_refused(client, tenant):
    case = await create(client)
    await assert_refused(client, tenant, case, [], "blocks")
    assert_problem(await client.post(blocks_url(case), json={}), 422, "blocks")


async def test_a_case_holds_two_hundred_blocks_and_refuses_the_two_hundred_and_first(client, tenant):
    case = await create(client)
    for batch in range(3):
        await add_blocks(client, case, notes(50, f"batch {batch}"))
    await add_blocks(client, case, notes(49, "batch 3"))
    # 199 held: two more would pass the limit, so neither is added.
    body = await assert_refused(client, tenant, case, notes(2, "over"), "blocks")
    assert "200" in body["detail"]
    (last,) = await add_blocks(client, case, [note("The 200th")])
    assert last["position"] == 200
    await assert_refused(client, tenant, case, [note("The 201st")], "blocks")
    listed = await all_blocks(client, case)
    assert len(listed) == 200
    assert [b["position"] for b in listed] == list(range(1, 201))


async def test_a_deleted_block_frees_its_place_under_the_limit(client):
    case = await create(client)
    for batch in range(4):
        await add_blocks(client, case, notes(50, f"batch {batch}"))
    first = (await all_blocks(client, case))[0]
    assert (await client.delete(f"{blocks_url(case)}/{first['id']}")).status_code == 204
    (added,) = await add_blocks(client, case, [note("Back to 200")])
    assert added["position"] == 200


async def test_a_block_holds_a_hundred_elements_and_refuses_the_hundred_and_first(client, tenant):
    case = await create(client)
    elements = [{"content": f"line {i}", "note_type": "text"} for i in range(101)]
    (block,) = await add_blocks(client, case, [{"title": "Full", "block_type": "note", "elements": elements[:100]}])
    assert len(block["elements"]) == 100
    assert [e["position"] for e in block["elements"]] == list(range(1, 101))
    over = {"title": "Over", "block_type": "note", "elements": elements}
    await assert_refused(client, tenant, case, [note("fine"), over], "blocks.1.elements")


async def test_note_content_holds_thirty_thousand_characters_and_refuses_one_more(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note("Long", "é" * 30_000)])
    assert block["elements"][0]["content"] == "é" * 30_000
    await assert_refused(client, tenant, case, [note("Too long", "x" * 30_001)], "blocks.0.elements.0.content")
    html = {"title": "H", "block_type": "html", "elements": [{"content": "x" * 30_001}]}
    await assert_refused(client, tenant, case, [html], "blocks.0.elements.0.content")


async def test_a_title_holds_255_characters_and_refuses_256(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note("t" * 255)])
    assert block["title"] == "t" * 255
    await assert_refused(client, tenant, case, [note("t" * 256)], "blocks.0.title")
    await assert_refused(client, tenant, case, [note("")], "blocks.0.title")


async def test_a_data_element_holds_fifty_keys_and_refuses_fifty_one(client, tenant):
    case = await create(client)
    data = {f"k{i}": i for i in range(51)}
    fifty = dict(list(data.items())[:50])
    (block,) = await add_blocks(client, case, [{"title": "M", "block_type": "metadata", "elements": [fifty]}])
    assert block["elements"][0]["data"] == fifty
    over = {"title": "M", "block_type": "metadata", "elements": [fifty, data]}
    await assert_refused(client, tenant, case, [over], "blocks.0.elements.1")


async def test_a_data_value_and_key_have_their_limits(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(
        client, case, [{"title": "M", "block_type": "case_action", "elements": [{"k" * 256: "v" * 10_000}]}]
    )
    assert block["elements"][0]["data"] == {"k" * 256: "v" * 10_000}
    long_value = {"title": "M", "block_type": "case_action", "elements": [{"k": "v" * 10_001}]}
    await assert_refused(client, tenant, case, [long_value], "blocks.0.elements.0.k")
    long_key = {"title": "M", "block_type": "case_action", "elements": [{"k" * 257: "v"}]}
    body = await assert_refused(client, tenant, case, [long_key], None)
    assert any(e["field"].startswith("blocks.0.elements.0") for e in body["errors"]), body


async def test_a_refusal_late_in_a_request_writes_none_of_its_earlier_blocks(client, tenant):
    case = await create(client)
    await add_blocks(client, case, notes(2, "kept"))
    blocks = [*notes(10, "new"), note("bad", "x" * 30_001)]
    await assert_refused(client, tenant, case, blocks, "blocks.10.elements.0.content")
    assert [b["title"] for b in await all_blocks(client, case)] == ["kept 0", "kept 1"]
