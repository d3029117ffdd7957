"""Files carried by comments: only the case's own files, each by one comment at most, at most 100 per comment."""

import uuid

import pytest

from tests.comments.support import add_files, carrier_of, comment, comments
from tests.helpers import activity, actions, assert_problem, create, read


async def test_a_comment_carries_files_of_its_case(client, tenant, db):
    case = await create(client)
    files = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 3)
    note = await comment(client, case, "see attached", fields={"file_ids": list(reversed(files))})
    assert note["file_ids"] == files
    assert all(carrier_of(db, f) == note["id"] for f in files)
    fetched = (await client.get(f"/cases/{case['id']}/comments/{note['id']}")).json()
    assert fetched["file_ids"] == files
    other_note = await comment(client, case, "no files")
    assert [c["file_ids"] for c in await comments(client, case)] == [files, []]
    assert other_note["file_ids"] == []
    [_, entry, _] = await activity(client, case)
    assert entry["changes"]["file_ids"] == [None, files]


async def test_a_hundred_files_are_accepted_and_a_hundred_and_one_refused(client, tenant, db):
    case = await create(client)
    files = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 101)
    before = await read(client, case)
    response = await client.post(f"/cases/{case['id']}/comments", json={"body": "too many", "file_ids": files})
    assert_problem(response, 422, "file_ids")
    assert await comments(client, case) == []
    assert await read(client, case) == before
    assert all(carrier_of(db, f) is None for f in files)

    note = await comment(client, case, "just enough", fields={"file_ids": files[:100]})
    assert note["file_ids"] == files[:100]
    assert carrier_of(db, files[100]) is None


async def test_files_that_are_not_free_files_of_the_case_are_refused_writing_nothing(
    client, tenant, db, other, other_client
):
    case, elsewhere = await create(client), await create(client)
    own = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 2)
    of_another_case = add_files(db, tenant.workspace_id, elsewhere["id"], tenant.admin.id)[0]
    foreign_file = add_files(db, other.workspace_id, (await create(other_client))["id"], other.admin.id)[0]
    carrier = await comment(client, case, "carries the first", fields={"file_ids": [own[0]]})
    before = await read(client, case)

    for wrong in ([str(uuid.uuid4())], [of_another_case], [foreign_file], [own[0]], [own[1], own[0]], ["nope"], [own[1], own[1]]):
        response = await client.post(f"/cases/{case['id']}/comments", json={"body": "x", "file_ids": wrong})
        assert_problem(response, 422, "file_ids", nested=True)
    assert await comments(client, case) == [carrier]
    assert await read(client, case) == before
    assert carrier_of(db, own[0]) == carrier["id"]
    assert carrier_of(db, own[1]) is None
    assert carrier_of(db, of_another_case) is None
    assert carrier_of(db, foreign_file) is None


async def test_the_refusal_names_the_wrong_ids(client, tenant, db):
    case = await create(client)
    [taken, free] = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 2)
    await comment(client, case, "first", fields={"file_ids": [taken]})
    unknown = str(uuid.uuid4())
    body = assert_problem(
        await client.post(f"/cases/{case['id']}/comments", json={"body": "x", "file_ids": [free, taken, unknown]}),
        422,
        "file_ids",
    )
    [error] = body["errors"]
    assert unknown in error["message"] and taken in error["message"] and free not in error["message"]
    assert carrier_of(db, free) is None


async def test_deleting_a_comment_leaves_its_files_with_the_case_free_for_another(client, tenant, db):
    case = await create(client)
    files = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 2)
    note = await comment(client, case, "with files", fields={"file_ids": files})
    assert (await client.delete(f"/cases/{case['id']}/comments/{note['id']}")).status_code == 204
    assert all(carrier_of(db, f) is None for f in files)
    assert (await activity(client, case))[-1]["changes"] == {
        "comment_id": [note["id"], None],
        "body": ["with files", None],
        "file_ids": [files, None],
    }
    again = await comment(client, case, "carries them now", fields={"file_ids": files})
    assert again["file_ids"] == files
    assert await actions(client, case) == ["created", "commented", "comment_deleted", "commented"]


async def test_editing_a_comment_keeps_its_files_and_refuses_file_ids(client, tenant, db):
    case = await create(client)
    files = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 2)
    note = await comment(client, case, "v1", fields={"file_ids": files[:1]})
    url = f"/cases/{case['id']}/comments/{note['id']}"
    edited = await client.patch(url, json={"body": "v2"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["file_ids"] == files[:1]
    assert_problem(await client.patch(url, json={"body": "v3", "file_ids": files[1:]}), 422, "file_ids")
    assert carrier_of(db, files[1]) is None


@pytest.mark.parametrize("value", [None, "x", [None], {"a": 1}])
async def test_malformed_file_ids_are_refused_naming_file_ids(client, value):
    case = await create(client)
    response = await client.post(f"/cases/{case['id']}/comments", json={"body": "x", "file_ids": value})
    assert_problem(response, 422, "file_ids", nested=True)
    assert await comments(client, case) == []
