"""The watchers service hands out WatcherRecord: frozen plain values, readable once its unit of work is over,
that the native view renders exactly as the API serves them."""

import dataclasses

import pytest

from casework.auth.service import authenticate
from casework.watchers import service
from casework.watchers.records import WatcherRecord
from casework.watchers.schemas import watcher_view
from tests.helpers import as_served, create


async def test_adding_and_listing_hand_out_frozen_records_equal_to_the_served_json(client, tenant):
    case = await create(client)
    member = tenant.add_member()

    def work(session):
        actor = authenticate(session, tenant.admin.token).actor
        added = service.add_watcher(session, actor, case["key"], member.id)
        again = service.add_watcher(session, actor, case["key"], member.id)
        return added, again, service.list_watchers(session, actor, case["key"], None, 50)[0]

    added, again, page = tenant.db.run_sync(work)
    assert added.added and not again.added and again.watcher == added.watcher
    assert all(isinstance(r, WatcherRecord) for r in [added.watcher, *page])
    with pytest.raises(dataclasses.FrozenInstanceError):
        added.watcher.user_id = tenant.admin.id  # type: ignore[misc]
    served = (await client.get(f"/cases/{case['id']}/watchers")).json()["items"]
    assert [as_served(watcher_view(r)) for r in page] == served
    assert as_served(watcher_view(added.watcher)) in served
    assert {r.user_id for r in page} == {tenant.admin.id, member.id}
