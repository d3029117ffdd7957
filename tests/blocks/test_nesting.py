"""guid / parent_block_guid: a block nests one level deep in a block_group named earlier in the same request.
Every refusal names the field and writes nothing."""

from tests.blocks.common import add_blocks, blocks_url, note, snapshot
from tests.helpers import assert_problem, create

GROUP = {"title": "Evidence", "block_type": "block_group", "guid": "evidence-group"}


async def refused(client, tenant, blocks, field):
    case = await create(client)
    await add_blocks(client, case, [note("Existing")])
    before = await snapshot(client, tenant, case)
    body = assert_problem(await client.post(blocks_url(case), json={"blocks": blocks}), 422, field)
    assert await snapshot(client, tenant, case) == before
    return body


async def test_an_unknown_parent_guid_is_refused_naming_the_block_and_nothing_is_written(client, tenant):
    blocks = [note("A"), dict(GROUP), note("B", parent_block_guid="evidence-group"), note("C", parent_block_guid="nope")]
    await refused(client, tenant, blocks, "blocks.3.parent_block_guid")


async def test_a_parent_guid_named_only_later_in_the_request_is_refused(client, tenant):
    blocks = [note("Child", parent_block_guid="evidence-group"), dict(GROUP)]
    await refused(client, tenant, blocks, "blocks.0.parent_block_guid")


async def test_a_block_cannot_name_its_own_guid_as_parent(client, tenant):
    blocks = [note("Self", guid="me", parent_block_guid="me")]
    await refused(client, tenant, blocks, "blocks.0.parent_block_guid")


async def test_a_repeated_guid_is_refused(client, tenant):
    blocks = [dict(GROUP), note("Other", guid="evidence-group")]
    await refused(client, tenant, blocks, "blocks.1.guid")


async def test_the_parent_must_be_a_block_group(client, tenant):
    blocks = [note("A note", guid="n"), note("Child", parent_block_guid="n")]
    await refused(client, tenant, blocks, "blocks.1.parent_block_guid")


async def test_a_block_group_inside_a_block_group_is_refused(client, tenant):
    blocks = [dict(GROUP), {"title": "Inner", "block_type": "block_group", "parent_block_guid": "evidence-group"}]
    await refused(client, tenant, blocks, "blocks.1.parent_block_guid")


async def test_a_block_group_cannot_nest_in_an_existing_group_either(client, tenant):
    case = await create(client)
    (group,) = await add_blocks(client, case, [{"title": "G", "block_type": "block_group"}])
    before = await snapshot(client, tenant, case)
    inner = {"title": "Inner", "block_type": "block_group", "parent_block_id": group["id"]}
    assert_problem(await client.post(blocks_url(case), json={"blocks": [inner]}), 422, "blocks.0.parent_block_id")
    assert await snapshot(client, tenant, case) == before


async def test_naming_both_parent_fields_is_refused(client, tenant):
    case = await create(client)
    (group,) = await add_blocks(client, case, [{"title": "G", "block_type": "block_group"}])
    before = await snapshot(client, tenant, case)
    blocks = [dict(GROUP), note("Child", parent_block_guid="evidence-group", parent_block_id=group["id"])]
    assert_problem(await client.post(blocks_url(case), json={"blocks": blocks}), 422, "blocks.1.parent_block_guid")
    assert await snapshot(client, tenant, case) == before


async def test_guids_are_per_request_and_not_kept(client, tenant):
    case = await create(client)
    await add_blocks(client, case, [dict(GROUP)])
    before = await snapshot(client, tenant, case)
    # The guid of an earlier request names nothing now ...
    response = await client.post(blocks_url(case), json={"blocks": [note("Late", parent_block_guid="evidence-group")]})
    assert_problem(response, 422, "blocks.0.parent_block_guid")
    assert await snapshot(client, tenant, case) == before
    # ... and may be used again.
    group, child = await add_blocks(client, case, [dict(GROUP), note("Child", parent_block_guid="evidence-group")])
    assert child["parent_block_id"] == group["id"]


async def test_blank_or_overlong_guids_are_refused(client, tenant):
    await refused(client, tenant, [{**GROUP, "guid": ""}], "blocks.0.guid")
    await refused(client, tenant, [{**GROUP, "guid": "g" * 256}], "blocks.0.guid")
    await refused(client, tenant, [note("C", parent_block_guid="")], "blocks.0.parent_block_guid")
