"""Users as other APIs name people: a record per id of the workspace, inactive users included; the actor's own
record is the one it came with."""

import uuid
from dataclasses import replace

from casework.auth.records import UserRecord
from casework.auth.schemas import UserUpdate
from casework.auth.service import update_user, user_records
from tests.comments.test_comment_records import admin_actor


def test_user_records_name_the_workspace_s_users_inactive_ones_too_and_no_others(tenant, other, db):
    member = tenant.add_member("agent")
    stranger = other.add_member("agent")
    actor = admin_actor(tenant)

    def deactivate(session):  # type: ignore[no-untyped-def]
        update_user(session, actor, member.id, UserUpdate(active=False))

    db.run_sync(deactivate)
    found = db.run_sync(user_records, actor, [tenant.admin.id, member.id, stranger.id, uuid.uuid4()], write=False)
    assert found == {
        tenant.admin.id: UserRecord(tenant.admin.id, "admin@example.com", "Admin"),
        member.id: UserRecord(member.id, member.email, "Agent"),
    }
    assert db.run_sync(user_records, actor, [], write=False) == {}


def test_the_actor_s_own_record_is_the_one_it_came_with(tenant, db):
    own = UserRecord(tenant.admin.id, "admin@example.com", "As authenticated")
    actor = replace(admin_actor(tenant), record=own)
    assert db.run_sync(user_records, actor, [tenant.admin.id], write=False) == {tenant.admin.id: own}
