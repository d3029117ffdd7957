"""The activity log hands out frozen records, complete once its unit of work is over, rendering as the API
answers: the case's log and the workspace's log alike."""

from dataclasses import FrozenInstanceError

import pytest

from casework.activity import service
from casework.activity.records import ActivityRecord
from casework.activity.schemas import activity_view
from casework.auth.service import SCOPES, Actor
from casework.cases import service as cases
from tests.helpers import activity, create, patch


def assert_frozen_records(entries: list) -> None:
    assert entries
    for entry in entries:
        assert isinstance(entry, ActivityRecord) and not hasattr(entry, "__dict__")
        with pytest.raises(FrozenInstanceError):
            entry.action = "other"  # type: ignore[misc]


async def test_the_case_log_and_the_workspace_log_hand_out_frozen_records_equal_to_the_native_view(client, tenant, db):
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
    case = await create(client)
    await patch(client, case, {"title": "Renamed"})

    entries, cursor = db.run_sync(cases.list_activity, actor, case["id"], None, 10, write=False)
    assert_frozen_records(entries)
    assert cursor is None and [e.action for e in entries] == ["created", "updated"]
    assert [activity_view(e, "en") for e in entries] == await activity(client, case)

    assert (await client.delete(f"/cases/{case['id']}", params={"permanent": "true"})).status_code == 204
    deleted, _ = db.run_sync(service.list_for_workspace, actor, "case_deleted", None, 10, write=False)
    assert_frozen_records(deleted)
    assert [str(e.case_id) for e in deleted] == [case["id"]]
    listed = (await client.get("/activity", params={"action": "case_deleted"})).json()["items"]
    assert [activity_view(e, "en") for e in deleted] == listed
