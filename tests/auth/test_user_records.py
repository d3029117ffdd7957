"""Users as other APIs name people: a record per id of the workspace, inactive users included."""

import uuid

from casework.auth.records import UserRecord
from casework.auth.schemas import UserUpdate
from casework.auth.service import update_user, user_records
from tests.comments.test_comment_records import admin_actor


def test_user_records_name_the_workspace_s_users_inactive_ones_too_and_no_others(tenant, other, db):
    member = tenant.add_member("agent")
    stranger = other.add_member("agent")
    ws = tenant.workspace_id

    def deactivate(session):  # type: ignore[no-untyped-def]
        update_user(session, admin_actor(tenant), member.id, UserUpdate(active=False))

    db.run_sync(deactivate)
    found = db.run_sync(user_records, ws, [tenant.admin.id, member.id, stranger.id, uuid.uuid4()], write=False)
    assert found == {
        tenant.admin.id: UserRecord(tenant.admin.id, "admin@example.com", "Admin"),
        member.id: UserRecord(member.id, member.email, "Agent"),
    }
    assert db.run_sync(user_records, ws, [], write=False) == {}
