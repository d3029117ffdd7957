"""Files of a case through the native API, on both stores: upload in both encodings, read, list, download, delete."""

import base64
import os
from urllib.parse import quote

import pytest

from tests.attachments.conftest import MAX_FILE_BYTES
from tests.attachments.support import (
    PDF,
    PNG,
    all_files,
    raw_multipart,
    sha256,
    stored_bytes,
    stored_objects,
    upload,
    uploaded,
)
from tests.helpers import actions, activity, assert_problem, assert_same_not_found, create, read

ENCODINGS = ["multipart", "json"]


# Uploading


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_an_upload_keeps_the_bytes_with_their_digest_size_and_name(client, app, tenant, encoding):
    case = await create(client)
    data = os.urandom(5000)
    response = await upload(client, case, data, "capture.bin", encoding=encoding)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["case_id"] == case["id"]
    assert body["filename"] == "capture.bin"
    assert body["size"] == len(data)
    assert body["sha256"] == sha256(data)
    assert body["uploaded_by"] == str(tenant.admin.id)
    assert body["comment_id"] is None
    assert response.headers["location"].endswith(f"/cases/{case['id']}/files/{body['id']}")
    assert stored_bytes(app, tenant.workspace_id, case["id"], body["id"]) == data
    fetched = await client.get(response.headers["location"])
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == body


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_each_upload_bumps_the_version_counts_the_file_and_logs_file_added(client, encoding):
    case = await create(client)
    data = b"first line\nsecond line\n"
    response = await upload(client, case, data, "log.txt", encoding=encoding, headers={"If-Match": '"1"'})
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    after = await read(client, case)
    assert after["version"] == 2
    assert after["counts"]["files"] == 1
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "file_added"
    assert entry["changes"]["filename"] == [None, "log.txt"]
    assert entry["changes"]["size"] == [None, len(data)]
    assert entry["changes"]["sha256"] == [None, sha256(data)]
    assert entry["changes"]["file_id"] == [None, response.json()["id"]]


@pytest.mark.parametrize(
    ("data", "claimed", "detected"),
    [
        (PNG, "text/html", "image/png"),
        (PDF, "image/png", "application/pdf"),
        (b"\x00\x01\x02\x03binary\xff\xfe", "text/plain", "application/octet-stream"),
        ("héllo wörld, 你好\n".encode(), "application/x-msdownload", "text/plain"),
        ("caf\xe9".encode("latin-1"), "text/plain", "application/octet-stream"),
        (b"<html><script>alert(1)</script></html>", "text/html", "text/plain"),
    ],
    ids=["png", "pdf", "binary", "utf8-text", "latin1-bytes", "html-is-text"],
)
async def test_the_content_type_is_detected_from_the_bytes_never_taken_from_the_client(client, data, claimed, detected):
    case = await create(client)
    body = await uploaded(client, case, data, "upload", client_type=claimed)
    assert body["content_type"] == detected
    download = await client.get(f"/cases/{case['id']}/files/{body['id']}/content")
    assert download.headers["content-type"].split(";")[0] == detected


async def test_an_empty_file_is_stored_as_octet_stream(client, app, tenant):
    case = await create(client)
    body = await uploaded(client, case, b"", "empty.dat", encoding="json")
    assert (body["size"], body["content_type"], body["sha256"]) == (0, "application/octet-stream", sha256(b""))
    assert stored_bytes(app, tenant.workspace_id, case["id"], body["id"]) == b""


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\eve\\report.pdf", "report.pdf"),
        ("/var/tmp/dump.pcap", "dump.pcap"),
        ("Überprüfung – 報告 ñ.txt", "Überprüfung – 報告 ñ.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("tab\there\r\nnewline.txt", "tabherenewline.txt"),
        ("  spaced.txt  ", "spaced.txt"),
    ],
)
async def test_filenames_lose_directories_and_control_characters_but_keep_unicode_letters(client, given, kept):
    case = await create(client)
    assert (await uploaded(client, case, b"x", given, encoding="json"))["filename"] == kept


async def test_nul_and_control_bytes_in_a_multipart_filename_are_removed(client):
    case = await create(client)
    body, headers = raw_multipart(b"re\x00po\x01rt\x1f.txt", b"data")
    response = await client.post(f"/cases/{case['id']}/files", content=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "report.txt"


async def test_a_long_filename_is_cut_to_255_characters_keeping_its_extension(client):
    case = await create(client)
    name = "é" * 300 + ".tar.gz"
    kept = (await uploaded(client, case, b"x", name, encoding="json"))["filename"]
    assert len(kept) == 255
    assert kept.endswith("é.gz")
    without_extension = (await uploaded(client, case, b"x", "b" * 400, encoding="json"))["filename"]
    assert without_extension == "b" * 255


@pytest.mark.parametrize("given", ["../", "\x01\x02", "a/b/", "..", "   "])
async def test_a_filename_with_nothing_left_is_refused_and_nothing_is_written(client, app, tenant, given):
    case = await create(client)
    response = await upload(client, case, b"x", given, encoding="json")
    assert_problem(response, 422, "filename")
    assert await all_files(client, case) == []
    assert (await read(client, case))["version"] == 1
    assert stored_objects(app, tenant.workspace_id) == []


async def test_a_multipart_body_without_a_file_part_is_refused_naming_file(client):
    case = await create(client)
    response = await client.post(f"/cases/{case['id']}/files", data={"other": "x"}, files={"attachment": ("a", b"x")})
    assert_problem(response, 422, "file")
    body, headers = raw_multipart(b"a.txt", b"x", part=b"document")
    assert_problem(await client.post(f"/cases/{case['id']}/files", content=body, headers=headers), 422, "file")


async def test_json_uploads_are_checked_field_by_field(client, app, tenant):
    case = await create(client)
    url = f"/cases/{case['id']}/files"
    assert_problem(await client.post(url, json={"filename": "a", "content_base64": "!!!not base64"}), 422, "content_base64")
    assert_problem(await client.post(url, json={"filename": "a"}), 422, "content_base64")
    assert_problem(await client.post(url, json={"content_base64": "AA=="}), 422, "filename")
    assert_problem(await client.post(url, json={"filename": "a", "content_base64": "AA==", "type": "x"}), 422, "type")
    assert_problem(await client.post(url, json={"filename": "a\x00b", "content_base64": "AA=="}), 422, "filename")
    assert_problem(await client.post(url, json=["a"]), 422, "body")
    bad_json = await client.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert_problem(bad_json, 422, "body")
    assert await all_files(client, case) == []
    assert stored_objects(app, tenant.workspace_id) == []


async def test_base64_may_be_url_safe_unpadded_or_wrapped_in_lines(client):
    case = await create(client)
    data = bytes(range(256)) * 3
    standard = base64.b64encode(data).decode()
    variants = [
        base64.urlsafe_b64encode(data).decode().rstrip("="),
        "\n".join(standard[i : i + 76] for i in range(0, len(standard), 76)),
    ]
    for text in variants:
        response = await client.post(f"/cases/{case['id']}/files", json={"filename": "b.bin", "content_base64": text})
        assert response.status_code == 201, response.text
        assert response.json()["sha256"] == sha256(data)


async def test_other_content_types_are_refused_with_415(client, app, tenant):
    case = await create(client)
    response = await client.post(f"/cases/{case['id']}/files", content=b"raw", headers={"Content-Type": "application/pdf"})
    assert_problem(response, 415)
    assert stored_objects(app, tenant.workspace_id) == []


# Size


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_a_file_of_exactly_the_size_limit_is_taken_above_the_general_body_limit(client, app, tenant, encoding):
    # MAX_FILE_BYTES is above CASEWORK_MAX_BODY_BYTES and spans several read chunks.
    case = await create(client)
    data = os.urandom(MAX_FILE_BYTES)
    body = await uploaded(client, case, data, "big.bin", encoding=encoding)
    assert body["size"] == MAX_FILE_BYTES
    download = await client.get(f"/cases/{case['id']}/files/{body['id']}/content")
    assert download.status_code == 200
    assert download.content == data
    assert stored_bytes(app, tenant.workspace_id, case["id"], body["id"]) == data


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_one_byte_over_the_size_limit_is_refused_with_413_and_writes_nothing(client, app, tenant, encoding):
    case = await create(client)
    entries = await activity(client, case)
    response = await upload(client, case, os.urandom(MAX_FILE_BYTES + 1), "big.bin", encoding=encoding)
    body = assert_problem(response, 413, "file")
    assert str(MAX_FILE_BYTES) in body["detail"]
    assert await all_files(client, case) == []
    after = await read(client, case)
    assert (after["version"], after["counts"]["files"]) == (1, 0)
    assert await activity(client, case) == entries
    assert stored_objects(app, tenant.workspace_id) == []


async def test_an_upload_body_far_over_the_limit_is_refused_before_it_is_read(client, app, tenant):
    case = await create(client)
    response = await client.post(
        f"/cases/{case['id']}/files",
        content=b"x" * (MAX_FILE_BYTES * 2),
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 413)
    assert stored_objects(app, tenant.workspace_id) == []


async def test_a_chunked_upload_is_held_to_the_upload_limit(client):
    case = await create(client)
    data = os.urandom(MAX_FILE_BYTES)
    body, headers = raw_multipart(b"chunked.bin", data)

    async def chunks(payload: bytes):
        for start in range(0, len(payload), 50_000):
            yield payload[start : start + 50_000]

    response = await client.post(f"/cases/{case['id']}/files", content=chunks(body), headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["sha256"] == sha256(data)
    too_big = b"x" * (MAX_FILE_BYTES * 2)
    refused = await client.post(
        f"/cases/{case['id']}/files", content=chunks(too_big), headers={"Content-Type": "application/json"}
    )
    assert_problem(refused, 413)


async def test_other_routes_keep_the_general_body_limit(client):
    case = await create(client)
    response = await client.patch(f"/cases/{case['id']}", json={"description": "x" * (100 * 1024)})
    assert_problem(response, 413)


# Reading and downloading


async def test_a_download_streams_the_bytes_as_an_attachment_with_nosniff(client):
    case = await create(client)
    name = 'résumé "final" 100%.pdf'
    body = await uploaded(client, case, PDF, name, encoding="json")
    response = await client.get(f"/cases/{case['id']}/files/{body['id']}/content")
    assert response.status_code == 200, response.text
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-length"] == str(len(PDF))
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert '"final"' not in disposition  # the ASCII stand-in cannot break out of its quotes


async def test_the_list_walks_every_page_oldest_first(client):
    case = await create(client)
    ids = [(await uploaded(client, case, f"file {i}".encode(), f"f{i}.txt"))["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"/cases/{case['id']}/files", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3


@pytest.mark.parametrize("cursor", ["garbage!", "WzFd", "WyJ4Il0", "eyJhIjoxfQ", "WyJhIiwiYiJd", "bnVsbA"])
async def test_a_forged_cursor_is_refused_naming_cursor(client, cursor):
    case = await create(client)
    response = await client.get(f"/cases/{case['id']}/files", params={"cursor": cursor})
    assert_problem(response, 422, "cursor")


@pytest.mark.parametrize("limit", [0, 501])
async def test_the_page_size_is_1_to_500(client, limit):
    case = await create(client)
    assert_problem(await client.get(f"/cases/{case['id']}/files", params={"limit": limit}), 422, "limit")


async def test_a_file_is_found_only_under_its_own_case(client):
    first, second = await create(client), await create(client)
    body = await uploaded(client, first, b"x")
    for path in ("", "/content"):
        assert_problem(await client.get(f"/cases/{second['id']}/files/{body['id']}{path}"), 404)
        assert_problem(await client.get(f"/cases/{first['id']}/files/not-a-uuid{path}"), 404)
    assert_problem(await client.delete(f"/cases/{second['id']}/files/{body['id']}"), 404)
    assert [f["id"] for f in await all_files(client, first)] == [body["id"]]
    assert await all_files(client, second) == []


async def test_the_key_of_a_case_works_as_its_ref(client):
    case = await create(client)
    body = await uploaded(client, case, b"by key")
    response = await client.get(f"/cases/{case['key']}/files/{body['id']}/content")
    assert response.content == b"by key"


# Deleting


async def test_deleting_removes_the_row_and_the_object_bumps_the_version_and_logs(client, app, tenant):
    case = await create(client)
    data = b"to be removed"
    body = await uploaded(client, case, data, "gone.txt")
    response = await client.delete(f"/cases/{case['id']}/files/{body['id']}", headers={"If-Match": '"2"'})
    assert response.status_code == 204, response.text
    assert response.headers["etag"] == '"3"'
    assert await all_files(client, case) == []
    assert_problem(await client.get(f"/cases/{case['id']}/files/{body['id']}/content"), 404)
    assert stored_objects(app, tenant.workspace_id) == []
    after = await read(client, case)
    assert (after["version"], after["counts"]["files"]) == (3, 0)
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "file_deleted"
    assert entry["changes"]["filename"] == ["gone.txt", None]
    assert entry["changes"]["size"] == [len(data), None]
    assert entry["changes"]["sha256"] == [sha256(data), None]


async def test_a_delete_with_a_stale_version_changes_nothing(client, app, tenant):
    case = await create(client)
    body = await uploaded(client, case, b"kept")
    response = await client.delete(f"/cases/{case['id']}/files/{body['id']}", headers={"If-Match": '"1"'})
    assert_problem(response, 409)
    assert response.json()["current_version"] == 2
    assert [f["id"] for f in await all_files(client, case)] == [body["id"]]
    assert stored_bytes(app, tenant.workspace_id, case["id"], body["id"]) == b"kept"
    assert (await read(client, case))["version"] == 2


async def test_only_the_uploader_or_an_admin_may_delete_a_file(app, client, tenant, anonymous):
    from tests.helpers import api_client

    uploader, colleague = tenant.add_member("agent"), tenant.add_member("agent")
    case = await create(client)
    async with api_client(app, uploader.headers) as as_uploader, api_client(app, colleague.headers) as as_colleague:
        first = await uploaded(as_uploader, case, b"one")
        second = await uploaded(as_uploader, case, b"two")
        refused = await as_colleague.delete(f"/cases/{case['id']}/files/{first['id']}")
        assert_problem(refused, 403)
        assert stored_bytes(app, tenant.workspace_id, case["id"], first["id"]) == b"one"
        assert (await as_uploader.delete(f"/cases/{case['id']}/files/{first['id']}")).status_code == 204
    assert (await client.delete(f"/cases/{case['id']}/files/{second['id']}")).status_code == 204
    assert await all_files(client, case) == []
    assert stored_objects(app, tenant.workspace_id) == []
    assert (await actions(client, case))[-2:] == ["file_deleted", "file_deleted"]


async def test_a_viewer_reads_and_downloads_but_cannot_upload_or_delete(app, client, tenant):
    from tests.helpers import api_client

    viewer = tenant.add_member("viewer")
    case = await create(client)
    body = await uploaded(client, case, b"visible")
    async with api_client(app, viewer.headers) as as_viewer:
        assert [f["id"] for f in await all_files(as_viewer, case)] == [body["id"]]
        assert (await as_viewer.get(f"/cases/{case['id']}/files/{body['id']}/content")).content == b"visible"
        assert_problem(await upload(as_viewer, case, b"nope"), 403)
        assert_problem(await upload(as_viewer, case, b"nope", encoding="json"), 403)
        assert_problem(await as_viewer.delete(f"/cases/{case['id']}/files/{body['id']}"), 403)
    assert len(await all_files(client, case)) == 1
    assert len(stored_objects(app, tenant.workspace_id)) == 1
    assert (await read(client, case))["version"] == 2


async def test_another_workspace_sees_no_file_and_writes_none(client, other_client, app, other):
    case = await create(client)
    body = await uploaded(client, case, b"secret")
    base, unknown = f"/cases/{case['id']}/files", "/cases/00000000-0000-7000-8000-000000000000/files"
    assert_same_not_found(await other_client.get(base), case["id"], await other_client.get(unknown), "00000000-0000-7000-8000-000000000000")
    for path in (f"/{body['id']}", f"/{body['id']}/content"):
        assert_problem(await other_client.get(base + path), 404)
    assert_problem(await other_client.delete(f"{base}/{body['id']}"), 404)
    assert_problem(await upload(other_client, case, b"intruder"), 404)
    assert_problem(await upload(other_client, case, b"intruder", encoding="json"), 404)
    assert stored_objects(app, other.workspace_id) == []
    assert [f["id"] for f in await all_files(client, case)] == [body["id"]]


async def test_an_archived_case_takes_no_file(client, app, tenant):
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    assert_problem(await upload(client, case, b"late"), 409)
    assert_problem(await upload(client, case, b"late", encoding="json"), 409)
    assert stored_objects(app, tenant.workspace_id) == []


async def test_uploads_need_a_token(anonymous, client):
    case = await create(client)
    response = await anonymous.post(f"/api/v1/cases/{case['id']}/files", files={"file": ("a", b"x")})
    assert_problem(response, 401)


async def test_a_file_shown_by_a_block_is_not_deleted(client, app, tenant):
    import uuid

    from casework.blocks.models import Block, BlockElement
    from casework.db.base import utcnow

    case = await create(client)
    body = await uploaded(client, case, b"shown")

    def show(session):
        block = Block(
            workspace_id=tenant.workspace_id, case_id=uuid.UUID(case["id"]), block_type="file", title="Evidence",
            position=1, created_by=tenant.admin.id, created_at=utcnow(), updated_at=utcnow(),
        )
        session.add(block)
        session.flush()
        session.add(BlockElement(
            workspace_id=tenant.workspace_id, block_id=block.id, position=1, data={}, attachment_id=uuid.UUID(body["id"])
        ))

    tenant.db.run_sync(show)
    response = await client.delete(f"/cases/{case['id']}/files/{body['id']}")
    assert_problem(response, 409)
    assert [f["id"] for f in await all_files(client, case)] == [body["id"]]
    assert stored_bytes(app, tenant.workspace_id, case["id"], body["id"]) == b"shown"
    assert (await read(client, case))["version"] == 2
