"""The blocks service hands out BlockRecord with its ElementRecords: frozen plain values, readable once its unit of
work is over, that the native view renders exactly as the API serves them."""

import dataclasses

import pytest

from casework.auth.service import authenticate
from casework.blocks import service
from casework.blocks.records import BlockRecord, ElementRecord
from casework.blocks.schemas import BlocksCreate, BlockUpdate, block_view
from tests.blocks.common import blocks_url, seed_blocks
from tests.helpers import as_served, create


async def test_every_reader_and_writer_hands_out_frozen_records_equal_to_the_served_json(app, client, tenant):
    case = await create(client)
    blocks = [*seed_blocks(), {"title": "Facts", "block_type": "metadata", "elements": [{"host": "web-1", "hits": 3}]}]

    def work(session):
        actor = authenticate(session, tenant.admin.token).actor
        added, _ = service.add_blocks(session, actor, app.state.file_store, case["key"], BlocksCreate(blocks=blocks))
        updated, _ = service.update_block(session, actor, case["key"], str(added[0].id), BlockUpdate(title="Triage"))
        page, _ = service.list_blocks(session, actor, case["key"])
        return added, updated, page, service.get_block(session, actor, case["key"], str(added[2].id))

    added, updated, page, found = tenant.db.run_sync(work)
    assert all(isinstance(r, BlockRecord) for r in [*added, updated, *page, found])
    assert all(isinstance(e, ElementRecord) for r in page for e in r.elements)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.title = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.elements[0].position = 2  # type: ignore[misc]
    served = (await client.get(blocks_url(case))).json()["items"]
    assert [as_served(block_view(r)) for r in page] == served
    assert as_served(block_view(updated)) == served[0]
    assert as_served(block_view(found)) == served[2]
    assert [as_served(block_view(r)) for r in added[1:]] == served[1:]
    assert found.elements[0].attachment_id is not None and added[1].parent_id is None
