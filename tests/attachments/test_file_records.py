"""The files service hands out frozen records, complete once its unit of work is over, rendering as the API
answers, and telling nothing of where the bytes are stored."""

import uuid
from dataclasses import FrozenInstanceError, fields

import pytest

from casework.attachments import service
from casework.attachments.records import FileAdded, FileRecord
from casework.attachments.schemas import file_view
from casework.auth.service import SCOPES, Actor
from casework.cases.service import visible_case
from tests.attachments.support import PNG, uploaded
from tests.helpers import as_served, create, read


def admin_actor(tenant) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))


def assert_frozen_record(file: object) -> None:
    assert isinstance(file, FileRecord)
    with pytest.raises(FrozenInstanceError):
        file.filename = "other.txt"  # type: ignore[misc]
    assert not hasattr(file, "__dict__")


def test_a_file_record_tells_nothing_of_the_storage():
    assert "storage_key" not in {f.name for f in fields(FileRecord)}


async def test_every_entry_point_hands_out_a_frozen_record_equal_to_the_native_view(client, app, tenant):
    case = await create(client)
    first = await uploaded(client, case, PNG, "pixel.png")
    db, store, actor = app.state.db, app.state.file_store, admin_actor(tenant)

    added = await service.upload_file(db, store, actor, case["id"], "notes.txt", b"hello\n")
    assert isinstance(added, FileAdded)
    assert_frozen_record(added.file)
    assert added.case_version == (await read(client, case))["version"]
    assert as_served(file_view(added.file)) == (
        await client.get(f"/cases/{case['id']}/files/{added.file.id}")
    ).json()

    got = db.run_sync(service.get_file, actor, case["id"], first["id"], write=False)
    assert_frozen_record(got)
    assert as_served(file_view(got)) == first

    listed, cursor = db.run_sync(service.list_files, actor, case["id"], None, 10, write=False)
    assert [f.id for f in listed] == [got.id, added.file.id] and cursor is None
    assert listed == [got, added.file]

    opened, chunks = await service.open_content(db, store, actor, case["id"], str(got.number))
    assert opened == got and b"".join(chunks) == PNG

    def found(session):  # type: ignore[no-untyped-def]
        return service.find_files(session, visible_case(session, actor, case["id"]), [added.file.id, uuid.uuid4()])

    assert db.run_sync(found, write=False) == [added.file]
