"""The comments service hands out frozen records, complete once its unit of work is over, rendering as the API
answers; the files a comment carries are linked by the files package, the only writer of their table."""

import uuid
from dataclasses import FrozenInstanceError

import pytest
from sqlalchemy import func, select

from casework.attachments import service as attachments
from casework.auth.service import SCOPES, Actor
from casework.cases.service import lock_case_for_change, visible_case
from casework.comments import service
from casework.comments.models import Comment
from casework.comments.records import CommentAdded, CommentRecord
from casework.comments.schemas import CommentCreate, CommentUpdate, comment_view
from casework.errors import InvalidInput
from tests.comments.support import add_files, carrier_of
from tests.helpers import as_served, create, read
from tests.test_layers import GRAPH


def admin_actor(tenant) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))


def as_json(view: dict) -> dict:
    """The view as the API sends it."""
    return as_served(view)  # type: ignore[no-any-return]


def assert_frozen_record(comment: object) -> None:
    assert isinstance(comment, CommentRecord)
    with pytest.raises(FrozenInstanceError):
        comment.body = "changed"  # type: ignore[misc]
    assert not hasattr(comment, "__dict__")  # plain slots, nothing an ORM session could load later


async def test_every_entry_point_hands_out_a_frozen_record_equal_to_the_native_view(client, tenant, db):
    mate = tenant.add_member("agent")
    case = await create(client)
    files = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 2)
    actor = admin_actor(tenant)
    body = f"see <@user-{mate.id}>"
    data = CommentCreate(body=body, title="Evidence", file_ids=[uuid.UUID(f) for f in reversed(files)])

    added = db.run_sync(service.add_comment, actor, case["id"], data)
    assert isinstance(added, CommentAdded)
    assert_frozen_record(added.comment)
    assert added.comment.file_ids == tuple(uuid.UUID(f) for f in files)
    assert added.comment.mentions == (mate.id,)
    assert added.case_version == (await read(client, case))["version"]
    fetched = (await client.get(f"/cases/{case['id']}/comments/{added.comment.id}")).json()
    assert as_json(comment_view(added.comment)) == fetched

    got = db.run_sync(service.get_comment, actor, case["id"], str(added.comment.number), write=False)
    assert_frozen_record(got)
    assert got == added.comment

    [listed], cursor = db.run_sync(service.list_comments, actor, case["id"], None, 10, write=False)
    assert_frozen_record(listed)
    assert (listed, cursor) == (got, None)

    edited = db.run_sync(service.edit_comment, actor, case["id"], str(got.id), CommentUpdate(body="plain", version=1))
    assert_frozen_record(edited)
    assert (edited.version, edited.body, edited.mentions, edited.file_ids) == (2, "plain", (), got.file_ids)
    assert as_json(comment_view(edited)) == (await client.get(f"/cases/{case['id']}/comments/{got.id}")).json()

    def found(session):  # type: ignore[no-untyped-def]
        return service.find_comments(session, visible_case(session, actor, case["id"]), [got.id, uuid.uuid4()])

    assert db.run_sync(found, write=False) == [edited]


async def test_posting_with_files_links_them_and_a_file_of_another_case_writes_nothing(client, tenant, db):
    case, elsewhere = await create(client), await create(client)
    [own] = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id)
    [foreign] = add_files(db, tenant.workspace_id, elsewhere["id"], tenant.admin.id)
    actor = admin_actor(tenant)
    before = await read(client, case)

    with pytest.raises(InvalidInput) as refused:
        db.run_sync(service.add_comment, actor, case["id"], CommentCreate(body="x", file_ids=[own, foreign]))
    assert [e.field for e in refused.value.errors] == ["file_ids"] and foreign in refused.value.errors[0].message
    assert carrier_of(db, own) is None and carrier_of(db, foreign) is None
    count = select(func.count()).select_from(Comment).where(Comment.case_id == uuid.UUID(case["id"]))
    assert db.run_sync(lambda s: s.scalar(count), write=False) == 0
    assert await read(client, case) == before

    added = db.run_sync(service.add_comment, actor, case["id"], CommentCreate(body="x", file_ids=[own]))
    assert added.comment.file_ids == (uuid.UUID(own),)
    assert carrier_of(db, own) == str(added.comment.id)


async def test_the_files_package_refuses_to_give_a_file_of_another_case_and_writes_nothing(client, tenant, db):
    case, elsewhere = await create(client), await create(client)
    [own] = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id)
    [foreign] = add_files(db, tenant.workspace_id, elsewhere["id"], tenant.admin.id)
    actor = admin_actor(tenant)
    comment_id = db.run_sync(service.add_comment, actor, case["id"], CommentCreate(body="x")).comment.id

    def attach(session, file_ids):  # type: ignore[no-untyped-def]
        locked = lock_case_for_change(session, actor, case["id"])
        attachments.attach_to_comment(session, locked, comment_id, [uuid.UUID(f) for f in file_ids])

    with pytest.raises(InvalidInput):
        db.run_sync(attach, [own, foreign])
    assert carrier_of(db, own) is None and carrier_of(db, foreign) is None
    db.run_sync(attach, [own])
    assert carrier_of(db, own) == str(comment_id)


def test_comments_reach_the_files_table_only_through_the_files_service():
    assert "casework.attachments.models" not in GRAPH["casework.comments.service"]
    assert "casework.attachments.service" in GRAPH["casework.comments.service"]
    assert not {t for t in GRAPH["casework.attachments.service"] if t.startswith("casework.comments")}
