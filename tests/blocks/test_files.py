"""File elements: stored as files of the case through the attachments service, on both stores (a directory and
S3 through moto's real server); a refused request leaves no row and no stored object."""

import base64

import pytest
from fastapi import FastAPI

from casework.app import create_app
from tests.attachments.conftest import file_settings, s3_endpoint  # noqa: F401 - s3_endpoint is a fixture
from tests.attachments.support import all_files, stored_bytes, stored_objects
from tests.blocks.common import add_blocks, all_blocks, blocks_url, note, seed_blocks, snapshot, stored_rows
from tests.helpers import activity, assert_problem, create, read

# Small, so that a file past the limit still fits in a request body.
MAX_FILE_BYTES = 4096


@pytest.fixture(scope="session", params=["local", "s3"])
def block_store_kind(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def app(db, block_store_kind, tmp_path_factory, request) -> FastAPI:  # type: ignore[no-untyped-def]
    endpoint = request.getfixturevalue("s3_endpoint") if block_store_kind == "s3" else None
    settings = file_settings(tmp_path_factory.mktemp(f"block-files-{block_store_kind}"), block_store_kind, endpoint)
    return create_app(settings.model_copy(update={"max_file_bytes": MAX_FILE_BYTES}), db)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def file_block(title="Files", *files, **fields):
    elements = [{"filename": name, "file_contents": b64(data)} for name, data in files]
    return {"title": title, "block_type": "file", "elements": elements, **fields}


async def nothing_written(client, app, tenant, case, before, objects):
    assert await snapshot(client, tenant, case) == before
    assert stored_objects(app, tenant.workspace_id) == objects
    assert (await read(client, case))["counts"]["files"] == before["rows"]["attachments"]


async def test_the_seed_sample_blocks_are_created_verbatim(client, app, tenant):
    case = await create(client)
    response = await client.post(blocks_url(case), json={"blocks": seed_blocks()})
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    notes_block, group, files = response.json()["items"]

    assert (notes_block["title"], notes_block["block_type"], notes_block["position"]) == ("Investigation notes", "note", 1)
    assert notes_block["parent_block_id"] is None and notes_block["hidden"] is False
    (element,) = notes_block["elements"]
    assert element["content"] == "Initial triage completed - suspicious IP identified."
    assert (element["note_type"], element["color"]) == ("text", "gold")

    assert (group["title"], group["block_type"], group["position"], group["elements"]) == ("Evidence", "block_group", 2, [])
    assert group["parent_block_id"] is None

    assert (files["title"], files["block_type"], files["position"]) == ("Log files", "file", 3)
    assert files["parent_block_id"] == group["id"]
    (stored,) = files["elements"]
    assert stored["filename"] == "auth-logs.txt"
    assert stored["size"] == len(b"Hello World")
    assert stored["content_type"] == "text/plain"
    assert stored["annotation"] is None
    assert set(stored) == {"id", "number", "position", "filename", "annotation", "size", "content_type", "attachment_id"}

    # The file is a file of the case: listed, counted, downloadable, and in the store.
    (listed,) = await all_files(client, case)
    assert listed["id"] == stored["attachment_id"]
    assert listed["filename"] == "auth-logs.txt"
    download = await client.get(f"/cases/{case['id']}/files/{listed['id']}/content")
    assert download.status_code == 200 and download.content == b"Hello World"
    assert stored_bytes(app, tenant.workspace_id, case["id"], listed["id"]) == b"Hello World"
    current = await read(client, case)
    assert current["counts"]["files"] == 1
    assert current["version"] == 2

    # One write: one version, one activity entry, blocks_added (no separate file_added).
    entries = await activity(client, case)
    assert [e["action"] for e in entries] == ["created", "blocks_added"]
    assert [(b["title"], b["block_type"]) for b in entries[-1]["changes"]["blocks"][1]] == [
        ("Investigation notes", "note"),
        ("Evidence", "block_group"),
        ("Log files", "file"),
    ]
    assert await all_blocks(client, case) == [notes_block, group, files]


async def test_a_file_element_keeps_its_annotation_and_the_sanitised_name(client):
    case = await create(client)
    block = file_block("Files", ("../../etc/report.pdf", b"%PDF-1.7\n"))
    block["elements"][0]["annotation"] = "From the mail gateway"
    (stored,) = await add_blocks(client, case, [block])
    element = stored["elements"][0]
    assert element["filename"] == "report.pdf"
    assert element["annotation"] == "From the mail gateway"
    assert element["content_type"] == "application/pdf"
    assert (await all_files(client, case))[0]["filename"] == "report.pdf"


async def test_an_unknown_parent_guid_writes_no_block_no_element_no_file_and_no_object(client, app, tenant):
    case = await create(client)
    await add_blocks(client, case, [file_block("Existing", ("kept.txt", b"kept"))])
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    assert len(objects) == 1
    blocks = seed_blocks()
    blocks.append(file_block("More files", ("a.txt", b"a"), ("b.txt", b"b"), parent_block_guid="evidence-grp"))
    response = await client.post(blocks_url(case), json={"blocks": blocks})
    assert_problem(response, 422, "blocks.3.parent_block_guid")
    await nothing_written(client, app, tenant, case, before, objects)


async def test_base64_that_does_not_decode_is_refused_naming_the_element(client, app, tenant):
    case = await create(client)
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    good = file_block("Good", ("a.txt", b"a"))
    bad = {"title": "Bad", "block_type": "file", "elements": [{"filename": "b.txt", "file_contents": "not*base64!"}]}
    response = await client.post(blocks_url(case), json={"blocks": [good, bad]})
    assert_problem(response, 422, "blocks.1.elements.0.file_contents")
    await nothing_written(client, app, tenant, case, before, objects)


async def test_url_safe_and_wrapped_base64_is_accepted(client):
    case = await create(client)
    data = bytes(range(256))
    url_safe = base64.urlsafe_b64encode(data).decode().rstrip("=")
    wrapped = "\n".join(b64(data)[i : i + 76] for i in range(0, len(b64(data)), 76))
    elements = [{"filename": "u.bin", "file_contents": url_safe}, {"filename": "w.bin", "file_contents": wrapped}]
    (block,) = await add_blocks(client, case, [{"title": "Bin", "block_type": "file", "elements": elements}])
    for element in block["elements"]:
        download = await client.get(f"/cases/{case['id']}/files/{element['attachment_id']}/content")
        assert download.content == data


async def test_a_file_name_with_nothing_left_once_sanitised_is_refused(client, app, tenant):
    case = await create(client)
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    response = await client.post(blocks_url(case), json={"blocks": [file_block("F", ("x.txt", b"x"), ("../", b"y"))]})
    assert_problem(response, 422, "blocks.0.elements.1.filename")
    await nothing_written(client, app, tenant, case, before, objects)


async def test_a_file_at_the_size_limit_is_taken_and_one_byte_more_refused_with_413(client, app, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [file_block("Max", ("max.bin", b"\x01" * MAX_FILE_BYTES))])
    assert block["elements"][0]["size"] == MAX_FILE_BYTES
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    blocks = [file_block("Small", ("small.txt", b"small")), file_block("Big", ("big.bin", b"\x01" * (MAX_FILE_BYTES + 1)))]
    response = await client.post(blocks_url(case), json={"blocks": blocks})
    assert_problem(response, 413, "blocks.1.elements.0.file_contents")
    await nothing_written(client, app, tenant, case, before, objects)


async def test_a_case_holds_a_hundred_files_and_file_elements_past_them_are_refused(client, app, tenant):
    case = await create(client)
    first = file_block("First", *[(f"f{i}.txt", b"x") for i in range(60)])
    second = file_block("Second", *[(f"g{i}.txt", b"x") for i in range(40)])
    await add_blocks(client, case, [first, second])
    assert (await read(client, case))["counts"]["files"] == 100
    assert len(stored_objects(app, tenant.workspace_id)) == 100
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    response = await client.post(blocks_url(case), json={"blocks": [note("fine"), file_block("One more", ("h.txt", b"x"))]})
    assert_problem(response, 422, "files")
    await nothing_written(client, app, tenant, case, before, objects)
    # Blocks without files still fit.
    await add_blocks(client, case, [note("fine")])


async def test_file_elements_past_the_room_left_are_refused_before_any_is_stored(client, app, tenant):
    case = await create(client)
    await add_blocks(client, case, [file_block("Many", *[(f"f{i}.txt", b"x") for i in range(99)])])
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    response = await client.post(blocks_url(case), json={"blocks": [file_block("Two", ("a.txt", b"a"), ("b.txt", b"b"))]})
    assert_problem(response, 422, "files")
    await nothing_written(client, app, tenant, case, before, objects)
    await add_blocks(client, case, [file_block("One", ("a.txt", b"a"))])


async def test_a_refusal_of_the_whole_case_leaves_no_object(client, app, tenant):
    case = await create(client)
    await add_blocks(client, case, [note(f"n{i}") for i in range(50)])
    for _ in range(3):
        await add_blocks(client, case, [note(f"m{i}") for i in range(50)])
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    response = await client.post(blocks_url(case), json={"blocks": [file_block("Over", ("a.txt", b"a"))]})
    assert_problem(response, 422, "blocks")
    await nothing_written(client, app, tenant, case, before, objects)


async def test_a_stale_if_match_leaves_no_object(client, app, tenant):
    case = await create(client)
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)
    response = await client.post(
        blocks_url(case), json={"blocks": seed_blocks()}, headers={"If-Match": '"7"'}
    )
    assert_problem(response, 409)
    await nothing_written(client, app, tenant, case, before, objects)


async def test_deleting_a_file_block_keeps_its_file_which_the_files_api_then_deletes(client, app, tenant):
    case = await create(client)
    (block,) = await add_blocks(client, case, [file_block("Evidence", ("e.txt", b"evidence"))])
    file_id = block["elements"][0]["attachment_id"]
    # While a block shows it, the file stays.
    assert_problem(await client.delete(f"/cases/{case['id']}/files/{file_id}"), 409)
    assert (await client.delete(f"{blocks_url(case)}/{block['id']}")).status_code == 204
    assert stored_rows(tenant) == {"blocks": 0, "elements": 0, "attachments": 1}
    assert [f["id"] for f in await all_files(client, case)] == [file_id]
    assert stored_bytes(app, tenant.workspace_id, case["id"], file_id) == b"evidence"
    assert (await client.delete(f"/cases/{case['id']}/files/{file_id}")).status_code == 204
    assert stored_objects(app, tenant.workspace_id) == []
    assert (await read(client, case))["counts"]["files"] == 0


async def test_files_stored_by_a_unit_of_work_that_then_fails_are_deleted(client, app, tenant):
    """add_blocks stores its files through the attachments service, so a transaction that fails after they were
    written (here: the caller's unit of work raises once add_blocks returned) leaves no object and no row."""
    from casework.auth.service import authenticate
    from casework.blocks import service
    from casework.blocks.schemas import BlocksCreate

    case = await create(client)
    before, objects = await snapshot(client, tenant, case), stored_objects(app, tenant.workspace_id)

    def work(session):
        actor = authenticate(session, tenant.admin.token).actor
        items, _version = service.add_blocks(session, actor, app.state.file_store, case["id"], BlocksCreate(blocks=seed_blocks()))
        assert stored_bytes(app, tenant.workspace_id, case["id"], str(items[2].elements[0].attachment_id)) == b"Hello World"
        raise RuntimeError("the unit of work fails after the files were stored")

    with pytest.raises(RuntimeError):
        tenant.db.run_sync(work)
    await nothing_written(client, app, tenant, case, before, objects)
