"""Comments by position, for the APIs that page by number: oldest or newest first, with the case's count."""

from casework.comments import service
from tests.comments.support import comment
from tests.comments.test_comment_records import admin_actor
from tests.helpers import create


async def test_comments_are_read_by_position_in_either_order_with_the_case_s_count(client, tenant, db):
    case = await create(client)
    bodies = [(await comment(client, case, f"note {n}"))["body"] for n in range(5)]
    actor = admin_actor(tenant)
    page, total = db.run_sync(service.comments_at, actor, case["id"], 1, 2, write=False)
    assert [c.body for c in page] == bodies[1:3] and total == 5
    page, total = db.run_sync(service.comments_at, actor, case["id"], 0, 2, True, write=False)
    assert [c.body for c in page] == ["note 4", "note 3"] and total == 5
    page, total = db.run_sync(service.comments_at, actor, case["id"], 5, 2, write=False)
    assert page == [] and total == 5


async def test_a_deleted_comment_leaves_the_positions_and_the_count(client, tenant, db):
    case = await create(client)
    first = await comment(client, case, "first")
    await comment(client, case, "second")
    assert (await client.delete(f"/cases/{case['id']}/comments/{first['id']}")).status_code == 204
    page, total = db.run_sync(service.comments_at, admin_actor(tenant), case["id"], 0, 10, write=False)
    assert [c.body for c in page] == ["second"] and total == 1
