"""The file limit per case, and the rule behind it: a failed write leaves no row and no object in the store."""

import asyncio

import pytest
from sqlalchemy import select

from casework.attachments import service
from casework.attachments.models import Attachment
from casework.auth.service import SCOPES, Actor
from casework.cases.models import Case
from casework.cases.service import lock_case_for_change, record_change
from casework.errors import LimitExceeded
from tests.attachments.support import all_files, sha256, stored_bytes, stored_objects, upload, uploaded
from tests.helpers import activity, assert_problem, create, read

MAX_FILES = service.MAX_FILES_PER_CASE


def admin_actor(tenant) -> Actor:
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))


async def fill(app, tenant, case, count: int) -> None:
    """Set-up: count files added in one unit of work (the upload route is tested file by file elsewhere)."""
    store, actor = app.state.file_store, admin_actor(tenant)

    def work(session):
        locked = lock_case_for_change(session, actor, case["id"])
        for i in range(count):
            service.add_file(session, actor, store, locked, f"f{i}.txt", f"file {i}".encode())

    tenant.db.run_sync(work)


# The limit of 100 files per case


async def test_the_100th_file_is_taken_and_the_101st_refused_leaving_no_object(client, app, tenant):
    case = await create(client)
    await fill(app, tenant, case, MAX_FILES - 1)
    last = await upload(client, case, b"the hundredth", "last.txt", encoding="json")
    assert last.status_code == 201, last.text
    full = await read(client, case)
    assert full["counts"]["files"] == MAX_FILES
    entries = await activity(client, case)

    for encoding in ("multipart", "json"):
        response = await upload(client, case, b"one too many", "over.txt", encoding=encoding)
        body = assert_problem(response, 422, "files")
        assert str(MAX_FILES) in body["detail"]
    assert len(await all_files(client, case)) == MAX_FILES
    after = await read(client, case)
    assert (after["version"], after["counts"]["files"]) == (full["version"], MAX_FILES)
    assert await activity(client, case) == entries
    assert len(stored_objects(app, tenant.workspace_id)) == MAX_FILES


async def test_a_deleted_file_makes_room_for_another(client, app, tenant):
    case = await create(client)
    await fill(app, tenant, case, MAX_FILES)
    first = (await all_files(client, case))[0]
    assert (await client.delete(f"/cases/{case['id']}/files/{first['id']}")).status_code == 204
    assert (await upload(client, case, b"fits again")).status_code == 201
    assert_problem(await upload(client, case, b"full again"), 422, "files")


async def test_concurrent_uploads_at_the_limit_keep_it_and_the_losers_leave_no_object(client, app, tenant):
    case = await create(client)
    await fill(app, tenant, case, MAX_FILES - 2)
    responses = await asyncio.gather(*(upload(client, case, f"racer {i}".encode(), f"r{i}.txt") for i in range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 201, 422, 422, 422, 422], [r.text for r in responses]
    files = await all_files(client, case)
    assert len(files) == MAX_FILES
    assert (await read(client, case))["counts"]["files"] == MAX_FILES
    assert len(stored_objects(app, tenant.workspace_id)) == MAX_FILES


# Versions


async def test_an_upload_with_a_stale_if_match_is_refused_and_leaves_no_object(client, app, tenant):
    case = await create(client)
    await client.patch(f"/cases/{case['id']}", json={"title": "moved on"})
    response = await upload(client, case, b"late", headers={"If-Match": '"1"'})
    assert_problem(response, 409)
    assert response.json()["current_version"] == 2
    assert await all_files(client, case) == []
    assert (await read(client, case))["version"] == 2
    assert stored_objects(app, tenant.workspace_id) == []


async def test_concurrent_uploads_on_one_version_let_one_through_and_leave_no_orphan(client, app, tenant):
    case = await create(client)
    responses = await asyncio.gather(
        *(upload(client, case, f"writer {i}".encode(), headers={"If-Match": '"1"'}) for i in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [r.text for r in responses]
    (winner,) = [r.json() for r in responses if r.status_code == 201]
    assert [f["id"] for f in await all_files(client, case)] == [winner["id"]]
    assert (await read(client, case))["version"] == 2
    assert len(stored_objects(app, tenant.workspace_id)) == 1
    assert stored_bytes(app, tenant.workspace_id, case["id"], winner["id"]) is not None


# add_file / remove_file: the contract for services writing files within their own unit of work


class Abort(Exception):
    pass


def _rows(session, case_id):
    return list(session.scalars(select(Attachment.filename).where(Attachment.case_id == case_id).order_by(Attachment.id)))


def _file_count(session, case_id):
    return session.scalar(select(Case.file_count).where(Case.id == case_id))


async def test_add_file_objects_are_deleted_when_the_unit_of_work_rolls_back(client, app, tenant):
    case = await create(client)
    store, actor = app.state.file_store, admin_actor(tenant)
    written = []

    def work(session):
        locked = lock_case_for_change(session, actor, case["id"])
        for name in ("a.txt", "b.txt"):
            written.append(service.add_file(session, actor, store, locked, name, name.encode()))
        assert len(stored_objects(app, tenant.workspace_id)) == 2  # written before the rows
        raise Abort

    with pytest.raises(Abort):
        tenant.db.run_sync(work)
    assert len(written) == 2
    assert stored_objects(app, tenant.workspace_id) == []
    assert await all_files(client, case) == []
    after = await read(client, case)
    assert (after["version"], after["counts"]["files"]) == (1, 0)


async def test_add_file_objects_stay_when_the_unit_of_work_commits(client, app, tenant):
    case = await create(client)
    store, actor = app.state.file_store, admin_actor(tenant)

    def work(session):
        locked = lock_case_for_change(session, actor, case["id"])
        first = service.add_file(session, actor, store, locked, "../one.txt", b"one")
        second = service.add_file(session, actor, store, locked, "two.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
        return first, second

    first, second = tenant.db.run_sync(work)
    assert (first.filename, first.sha256, first.size) == ("one.txt", sha256(b"one"), 3)
    assert second.content_type == "image/png"
    assert [f["id"] for f in await all_files(client, case)] == [str(first.id), str(second.id)]
    assert stored_bytes(app, tenant.workspace_id, case["id"], str(first.id)) == b"one"
    after = await read(client, case)
    assert (after["version"], after["counts"]["files"]) == (3, 2)
    assert [e["action"] for e in await activity(client, case)][-2:] == ["file_added", "file_added"]


async def test_a_rolled_back_savepoint_deletes_only_the_objects_written_inside_it(client, app, tenant):
    case = await create(client)
    store, actor = app.state.file_store, admin_actor(tenant)

    def work(session):
        locked = lock_case_for_change(session, actor, case["id"])
        kept = service.add_file(session, actor, store, locked, "kept.txt", b"kept")
        with session.begin_nested():
            released = service.add_file(session, actor, store, locked, "released.txt", b"released")
        try:
            with session.begin_nested():
                service.add_file(session, actor, store, locked, "lost.txt", b"lost")
                raise Abort
        except Abort:
            pass
        return kept, released, _rows(session, locked.id), _file_count(session, locked.id)

    kept, released, rows, count = tenant.db.run_sync(work)
    assert rows == ["kept.txt", "released.txt"]
    assert count == 2
    assert [f["filename"] for f in await all_files(client, case)] == ["kept.txt", "released.txt"]
    assert len(stored_objects(app, tenant.workspace_id)) == 2
    assert stored_bytes(app, tenant.workspace_id, case["id"], str(kept.id)) == b"kept"
    assert stored_bytes(app, tenant.workspace_id, case["id"], str(released.id)) == b"released"


async def test_a_released_savepoint_still_loses_its_objects_if_the_transaction_fails(client, app, tenant):
    case = await create(client)
    store, actor = app.state.file_store, admin_actor(tenant)

    def work(session):
        locked = lock_case_for_change(session, actor, case["id"])
        with session.begin_nested():
            service.add_file(session, actor, store, locked, "inner.txt", b"inner")
        raise Abort

    with pytest.raises(Abort):
        tenant.db.run_sync(work)
    assert stored_objects(app, tenant.workspace_id) == []
    assert await all_files(client, case) == []


async def test_add_file_refuses_the_101st_file_within_one_unit_of_work(client, app, tenant):
    case = await create(client)
    await fill(app, tenant, case, MAX_FILES - 2)
    store, actor = app.state.file_store, admin_actor(tenant)

    def work(session):
        locked = lock_case_for_change(session, actor, case["id"])
        for i in range(3):
            service.add_file(session, actor, store, locked, f"batch{i}.txt", b"x", record=i % 2 == 0)

    with pytest.raises(LimitExceeded):
        tenant.db.run_sync(work)
    assert len(await all_files(client, case)) == MAX_FILES - 2
    assert len(stored_objects(app, tenant.workspace_id)) == MAX_FILES - 2
    assert (await read(client, case))["counts"]["files"] == MAX_FILES - 2


async def test_add_file_without_record_counts_the_file_and_leaves_the_entry_to_the_caller(client, app, tenant):
    case = await create(client)
    store, actor = app.state.file_store, admin_actor(tenant)

    def work(session):
        locked = lock_case_for_change(session, actor, case["id"])
        attachment = service.add_file(session, actor, store, locked, "element.txt", b"from a block", record=False)
        return record_change(session, actor, locked, "blocks_added", {"file_ids": [None, [attachment.id]]})

    assert tenant.db.run_sync(work) == 2
    after = await read(client, case)
    assert (after["version"], after["counts"]["files"]) == (2, 1)
    assert [e["action"] for e in await activity(client, case)] == ["created", "blocks_added"]


async def test_remove_file_deletes_the_object_only_once_the_unit_of_work_commits(client, app, tenant):
    case = await create(client)
    body = await uploaded(client, case, b"precious")
    store, actor = app.state.file_store, admin_actor(tenant)

    def removal(fail: bool):
        def work(session):
            locked = lock_case_for_change(session, actor, case["id"])
            service.remove_file(session, actor, store, locked, body["id"])
            assert stored_bytes(app, tenant.workspace_id, case["id"], body["id"]) == b"precious"
            if fail:
                raise Abort

        return work

    with pytest.raises(Abort):
        tenant.db.run_sync(removal(fail=True))
    assert stored_bytes(app, tenant.workspace_id, case["id"], body["id"]) == b"precious"
    assert [f["id"] for f in await all_files(client, case)] == [body["id"]]

    tenant.db.run_sync(removal(fail=False))
    assert stored_objects(app, tenant.workspace_id) == []
    assert await all_files(client, case) == []
    after = await read(client, case)
    assert (after["version"], after["counts"]["files"]) == (3, 0)
