"""Who may read and write blocks: other workspaces see nothing, viewers only read, archived cases are frozen."""

import uuid

from tests.blocks.common import add_blocks, all_blocks, blocks_url, note, snapshot
from tests.helpers import api_client, assert_problem, assert_same_not_found, assert_unauthenticated, create


async def test_another_workspace_gets_404_as_for_an_unknown_case(client, other_client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note()])
    before = await snapshot(client, tenant, case)
    unknown = str(uuid.uuid4())
    pairs = [
        (other_client.get(blocks_url(case)), other_client.get(f"/cases/{unknown}/blocks")),
        (
            other_client.post(blocks_url(case), json={"blocks": [note()]}),
            other_client.post(f"/cases/{unknown}/blocks", json={"blocks": [note()]}),
        ),
        (
            other_client.get(f"{blocks_url(case)}/{block['id']}"),
            other_client.get(f"/cases/{unknown}/blocks/{block['id']}"),
        ),
        (
            other_client.patch(f"{blocks_url(case)}/{block['id']}", json={"title": "x"}),
            other_client.patch(f"/cases/{unknown}/blocks/{block['id']}", json={"title": "x"}),
        ),
        (
            other_client.delete(f"{blocks_url(case)}/{block['id']}"),
            other_client.delete(f"/cases/{unknown}/blocks/{block['id']}"),
        ),
    ]
    for foreign, missing in pairs:
        assert_same_not_found(await foreign, case["id"], await missing, unknown)
    assert await snapshot(client, tenant, case) == before


async def test_a_viewer_reads_blocks_but_cannot_write_them(app, client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note()])
    viewer = tenant.add_member("viewer")
    before = await snapshot(client, tenant, case)
    async with api_client(app, viewer.headers) as as_viewer:
        listed = await as_viewer.get(blocks_url(case))
        assert listed.status_code == 200 and listed.json()["items"] == before["blocks"]
        assert (await as_viewer.get(f"{blocks_url(case)}/{block['id']}")).status_code == 200
        assert_problem(await as_viewer.post(blocks_url(case), json={"blocks": [note()]}), 403)
        assert_problem(await as_viewer.patch(f"{blocks_url(case)}/{block['id']}", json={"title": "x"}), 403)
        assert_problem(await as_viewer.delete(f"{blocks_url(case)}/{block['id']}"), 403)
    assert await snapshot(client, tenant, case) == before


async def test_an_agent_writes_blocks(app, client, tenant):
    case = await create(client)
    agent = tenant.add_member("agent")
    async with api_client(app, agent.headers) as as_agent:
        (block,) = await add_blocks(as_agent, case, [note()])
    assert block["created_by"] == str(agent.id)


async def test_a_token_without_cases_write_cannot_write_blocks(app, client, tenant):
    case = await create(client)
    reader = tenant.add_member("agent", scopes=["cases:read"])
    async with api_client(app, reader.headers) as as_reader:
        assert (await as_reader.get(blocks_url(case))).status_code == 200
        assert_problem(await as_reader.post(blocks_url(case), json={"blocks": [note()]}), 403)
    assert await all_blocks(client, case) == []


async def test_an_archived_case_refuses_block_writes_with_409(client, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [note()])
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    before = await snapshot(client, tenant, case)
    assert_problem(await client.post(blocks_url(case), json={"blocks": [note()]}), 409)
    assert_problem(await client.patch(f"{blocks_url(case)}/{block['id']}", json={"title": "x"}), 409)
    assert_problem(await client.delete(f"{blocks_url(case)}/{block['id']}"), 409)
    assert await snapshot(client, tenant, case) == before


async def test_blocks_need_a_token(anonymous, client):
    case = await create(client)
    assert_unauthenticated(await anonymous.get(f"/api/v1/cases/{case['id']}/blocks"))
    assert_unauthenticated(await anonymous.post(f"/api/v1/cases/{case['id']}/blocks", json={"blocks": [note()]}))
