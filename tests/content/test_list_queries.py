"""The records of a page are built from the rows the listing reads: a longer page costs no more queries."""

import pytest

from casework.auth.service import authenticate
from casework.blocks import service as blocks
from casework.links import service as links
from casework.tasks import service as tasks
from casework.watchers import service as watchers
from tests.blocks.common import add_blocks, note
from tests.helpers import create, issued_statements
from tests.tasks.common import add_task

LISTS = {"tasks": tasks.list_tasks, "links": links.list_links, "blocks": blocks.list_blocks, "watchers": watchers.list_watchers}


async def add_items(client, tenant, case, name, count):
    for n in range(count):
        if name == "tasks":
            await add_task(client, case, f"Task {n}")
        elif name == "links":
            other = await create(client)
            assert (await client.post(f"/cases/{case['id']}/links", json={"case": other["key"], "relation": "related"})).status_code == 201
        elif name == "blocks":
            await add_blocks(client, case, [note(f"Block {n}")])
        else:
            watched = await client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(tenant.add_member().id)})
            assert watched.status_code == 201


def queries_to_list(tenant, name, case):

    def work(session):
        actor = authenticate(session, tenant.admin.token).actor
        with issued_statements(tenant.db.engine) as issued:
            items, _ = LISTS[name](session, actor, case["key"], None, 50)
        return len(items), len(issued)

    return tenant.db.run_sync(work, write=False)


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_a_longer_page_costs_no_more_queries(client, tenant, name):
    case = await create(client)
    await add_items(client, tenant, case, name, 1)
    short, short_queries = queries_to_list(tenant, name, case)
    await add_items(client, tenant, case, name, 4)
    long, long_queries = queries_to_list(tenant, name, case)
    assert long > short > 0
    assert long_queries == short_queries > 0
