"""The tasks service hands out TaskRecord: frozen plain values, readable once its unit of work is over, that the
native view renders exactly as the API serves them."""

import dataclasses

import pytest

from casework.auth.service import authenticate
from casework.tasks import service
from casework.tasks.records import TaskRecord
from casework.tasks.schemas import TaskCreate, TaskUpdate, task_view
from tests.helpers import as_served, create
from tests.tasks.common import add_task, tasks_url


async def test_every_reader_and_writer_hands_out_frozen_records_equal_to_the_served_json(client, tenant):
    case = await create(client)
    await add_task(client, case, "Isolate the host")

    def work(session):
        actor = authenticate(session, tenant.admin.token).actor
        first = service.list_tasks(session, actor, case["key"])[0][0]
        added, _ = service.add_task(session, actor, case["key"], TaskCreate(description="Reset", assignees=[actor.user_id]))
        updated, _ = service.update_task(session, actor, case["key"], str(added.id), TaskUpdate(completed=True))
        reordered, _ = service.reorder_tasks(session, actor, case["key"], [added.id, first.id])
        page, _ = service.list_tasks(session, actor, case["key"])
        return added, updated, reordered, page, service.get_task(session, actor, case["key"], str(added.id))

    added, updated, reordered, page, found = tenant.db.run_sync(work)
    records = [added, updated, *reordered, *page, found]
    assert all(isinstance(r, TaskRecord) for r in records)
    with pytest.raises(dataclasses.FrozenInstanceError):
        added.description = "changed"  # type: ignore[misc]
    served = (await client.get(tasks_url(case))).json()["items"]
    assert [as_served(task_view(r)) for r in reordered] == served
    assert [as_served(task_view(r)) for r in page] == served
    assert as_served(task_view(found)) == served[0]
    assert updated.completed and updated.completed_by == tenant.admin.id and not added.completed
