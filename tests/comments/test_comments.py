"""Comments on a case: adding, reading, editing and deleting, with versions, counters, activity and permissions."""

import asyncio
import base64
import uuid
from datetime import datetime

import orjson
import pytest

from tests.comments.support import comment, comments
from tests.helpers import activity, actions, assert_problem, assert_same_not_found, create, read

MAX = 30_000


async def test_adding_a_comment_stores_the_text_exactly_and_answers_201(client, tenant):
    case = await create(client)
    body = "  **Phishing** confirmed.\n\n- sender spoofed\n- link to `evil.example`\n\n"
    response = await client.post(f"/cases/{case['key']}/comments", json={"body": body})
    assert response.status_code == 201, response.text
    created = response.json()
    assert uuid.UUID(created["id"])
    assert created["case_id"] == case["id"]
    assert created["author_id"] == str(tenant.admin.id)
    assert created["updated_by"] == str(tenant.admin.id)
    assert created["body"] == body
    assert created["mentions"] == []
    assert created["file_ids"] == []
    assert "body_html" not in created
    assert created["created_at"] == created["updated_at"]
    assert datetime.fromisoformat(created["created_at"]).tzinfo is not None
    assert response.headers["location"].endswith(f"/comments/{created['id']}")
    assert response.headers["etag"] == '"2"'

    fetched = await client.get(f"/cases/{case['id']}/comments/{created['id']}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == created
    assert await comments(client, case) == [created]


async def test_each_comment_write_bumps_the_version_and_counter_and_logs_the_text(client):
    case = await create(client)
    first = await comment(client, case, "first")
    assert (await read(client, case))["version"] == 2
    assert (await read(client, case))["counts"]["comments"] == 1
    second = await comment(client, case, "second")
    after_add = await read(client, case)
    assert after_add["version"] == 3
    assert after_add["counts"]["comments"] == 2

    response = await client.patch(f"/cases/{case['id']}/comments/{first['id']}", json={"body": "first, edited"})
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["body"] == "first, edited"
    assert edited["created_at"] == first["created_at"]
    assert datetime.fromisoformat(edited["updated_at"]) > datetime.fromisoformat(first["updated_at"])
    assert response.headers["etag"] == '"2"'  # the comment's own version
    assert edited["version"] == 2
    after_edit = await read(client, case)
    assert after_edit["version"] == 4
    assert after_edit["counts"]["comments"] == 2

    response = await client.delete(f"/cases/{case['id']}/comments/{second['id']}")
    assert response.status_code == 204, response.text
    assert response.headers["etag"] == '"5"'
    after_delete = await read(client, case)
    assert after_delete["version"] == 5
    assert after_delete["counts"]["comments"] == 1
    assert await comments(client, case) == [edited]
    assert_problem(await client.get(f"/cases/{case['id']}/comments/{second['id']}"), 404)

    log = await activity(client, case)
    assert [e["action"] for e in log] == ["created", "commented", "commented", "comment_edited", "comment_deleted"]
    assert log[1]["changes"] == {"comment_id": [None, first["id"]], "body": [None, "first"]}
    assert log[2]["changes"] == {"comment_id": [None, second["id"]], "body": [None, "second"]}
    assert log[3]["changes"] == {"comment_id": [first["id"], first["id"]], "body": ["first", "first, edited"]}
    assert log[4]["changes"] == {"comment_id": [second["id"], None], "body": ["second", None]}


async def test_an_edit_that_changes_nothing_writes_nothing(client):
    case = await create(client)
    note = await comment(client, case, "same")
    before = await read(client, case)
    response = await client.patch(f"/cases/{case['id']}/comments/{note['id']}", json={"body": "same"})
    assert response.status_code == 200, response.text
    assert response.json() == note
    assert await read(client, case) == before
    assert await actions(client, case) == ["created", "commented"]


async def test_a_body_at_the_limit_is_kept_and_one_over_is_refused_writing_nothing(client):
    case = await create(client)
    at_limit = "x" * (MAX - 1) + "\n"
    kept = await comment(client, case, at_limit)
    assert kept["body"] == at_limit
    before = await read(client, case)

    assert_problem(await client.post(f"/cases/{case['id']}/comments", json={"body": "x" * (MAX + 1)}), 422, "body")
    assert_problem(
        await client.patch(f"/cases/{case['id']}/comments/{kept['id']}", json={"body": "y" * (MAX + 1)}), 422, "body"
    )
    assert await comments(client, case) == [kept]
    assert await read(client, case) == before
    assert await actions(client, case) == ["created", "commented"]


@pytest.mark.parametrize(
    "payload",
    [
        {"body": ""},
        {"body": "   \n\t  "},
        {"body": None},
        {"body": 42},
        {"body": "null \x00 byte"},
        {},
        {"body": "ok", "author_id": str(uuid.uuid4())},
    ],
    ids=["empty", "blank", "null", "number", "nul", "missing", "unknown-field"],
)
async def test_a_malformed_comment_is_refused_and_nothing_is_written(client, payload):
    case = await create(client)
    note = await comment(client, case, "kept")
    before = await read(client, case)
    response = await client.post(f"/cases/{case['id']}/comments", json=payload)
    body = assert_problem(response, 422)
    if payload and "author_id" not in payload:
        assert "body" in [e["field"] for e in body["errors"]]
    if payload and "author_id" not in payload:  # an empty edit changes nothing (below)
        assert_problem(await client.patch(f"/cases/{case['id']}/comments/{note['id']}", json=payload), 422)
    assert await comments(client, case) == [note]
    assert await read(client, case) == before
    assert await actions(client, case) == ["created", "commented"]


async def test_only_the_author_or_an_admin_may_edit_or_delete_a_comment(client, tenant):
    author, other_agent, manager = tenant.add_member("agent"), tenant.add_member("agent"), tenant.add_member("manager")
    case = await create(client)
    note = await comment(client, case, "mine", headers=author.headers)
    assert note["author_id"] == str(author.id)
    before = await read(client, case)

    url = f"/cases/{case['id']}/comments/{note['id']}"
    for intruder in (other_agent, manager):
        assert_problem(await client.patch(url, json={"body": "theirs"}, headers=intruder.headers), 403)
        assert_problem(await client.delete(url, headers=intruder.headers), 403)
    assert await comments(client, case) == [note]
    assert await read(client, case) == before

    by_author = await client.patch(url, json={"body": "mine, edited"}, headers=author.headers)
    assert by_author.status_code == 200, by_author.text
    assert by_author.json()["updated_by"] == str(author.id)
    by_admin = await client.patch(url, json={"body": "moderated"})
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json()["author_id"] == str(author.id)
    assert by_admin.json()["updated_by"] == str(tenant.admin.id)

    theirs = await comment(client, case, "admin removes this", headers=author.headers)
    assert (await client.delete(f"/cases/{case['id']}/comments/{theirs['id']}")).status_code == 204
    assert (await client.delete(url, headers=author.headers)).status_code == 204
    assert await comments(client, case) == []


async def test_a_viewer_or_a_read_only_token_may_read_comments_but_not_write_them(client, tenant):
    viewer = tenant.add_member("viewer")
    reader = tenant.add_member("agent", scopes=["cases:read"])
    case = await create(client)
    note = await comment(client, case, "visible")
    before = await read(client, case)
    url = f"/cases/{case['id']}/comments"
    for member in (viewer, reader):
        assert_problem(await client.post(url, json={"body": "no"}, headers=member.headers), 403)
        assert_problem(await client.patch(f"{url}/{note['id']}", json={"body": "no"}, headers=member.headers), 403)
        assert_problem(await client.delete(f"{url}/{note['id']}", headers=member.headers), 403)
        listed = await client.get(url, headers=member.headers)
        assert listed.status_code == 200, listed.text
        assert listed.json()["items"] == [note]
        one = await client.get(f"{url}/{note['id']}", headers=member.headers)
        assert one.status_code == 200 and one.json() == note
    assert await comments(client, case) == [note]
    assert await read(client, case) == before


async def test_another_workspace_sees_no_case_and_no_comment(client, other_client):
    case = await create(client)
    note = await comment(client, case, "private")
    before = await read(client, case)
    unknown_case = str(uuid.uuid4())
    base, unknown = f"/cases/{case['id']}/comments", f"/cases/{unknown_case}/comments"
    assert_same_not_found(await other_client.get(base), case["id"], await other_client.get(unknown), unknown_case)
    assert_same_not_found(
        await other_client.get(f"{base}/{note['id']}"), case["id"], await other_client.get(f"{unknown}/{note['id']}"), unknown_case
    )
    assert_same_not_found(
        await other_client.post(base, json={"body": "x"}), case["id"], await other_client.post(unknown, json={"body": "x"}), unknown_case
    )
    assert_problem(await other_client.patch(f"{base}/{note['id']}", json={"body": "x"}), 404)
    assert_problem(await other_client.delete(f"{base}/{note['id']}"), 404)
    assert await comments(client, case) == [note]
    assert await read(client, case) == before


async def test_a_comment_is_found_only_under_its_own_case(client):
    first, second = await create(client), await create(client)
    note = await comment(client, first, "on the first case")
    wrong = f"/cases/{second['id']}/comments/{note['id']}"
    assert_problem(await client.get(wrong), 404)
    assert_problem(await client.patch(wrong, json={"body": "moved?"}), 404)
    assert_problem(await client.delete(wrong), 404)
    for missing in (str(uuid.uuid4()), "not-a-uuid"):
        assert_problem(await client.get(f"/cases/{first['id']}/comments/{missing}"), 404)
        assert_problem(await client.delete(f"/cases/{first['id']}/comments/{missing}"), 404)
    assert await comments(client, first) == [note]
    assert await comments(client, second) == []
    assert (await read(client, second))["version"] == 1


async def test_comments_on_an_archived_case_are_refused_but_still_readable(client):
    case = await create(client)
    note = await comment(client, case, "before archiving")
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    before = await read(client, case)
    url = f"/cases/{case['id']}/comments"
    assert_problem(await client.post(url, json={"body": "late"}), 409)
    assert_problem(await client.patch(f"{url}/{note['id']}", json={"body": "late"}), 409)
    assert_problem(await client.delete(f"{url}/{note['id']}"), 409)
    assert await comments(client, case) == [note]
    assert await read(client, case) == before


async def test_if_match_guards_comment_writes(client):
    case = await create(client)
    url = f"/cases/{case['id']}/comments"
    stale = assert_problem(await client.post(url, json={"body": "x"}, headers={"If-Match": '"7"'}), 409)
    assert stale["current_version"] == 1
    assert await comments(client, case) == []
    note = await comment(client, case, "x", headers={"If-Match": '"1"'})
    # Editing names the comment's version; deleting, the case's.
    assert_problem(await client.patch(f"{url}/{note['id']}", json={"body": "y"}, headers={"If-Match": '"2"'}), 409)
    assert_problem(await client.delete(f"{url}/{note['id']}", headers={"If-Match": '"1"'}), 409)
    assert await comments(client, case) == [note]
    assert (await client.patch(f"{url}/{note['id']}", json={"body": "y"}, headers={"If-Match": '"1"'})).status_code == 200
    assert (await client.delete(f"{url}/{note['id']}", headers={"If-Match": '"3"'})).status_code == 204
    assert await actions(client, case) == ["created", "commented", "comment_edited", "comment_deleted"]


async def test_comments_page_oldest_first_through_every_page(client):
    case = await create(client)
    written = [await comment(client, case, f"note {i}") for i in range(7)]
    pages, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"/cases/{case['id']}/comments", params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [c for page in pages for c in page] == written


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["garbage!", _cursor({"a": 1}), _cursor([]), _cursor([1]), _cursor(["not-a-uuid"]), _cursor([None]), _cursor(["a", "b"])],
)
async def test_a_forged_cursor_is_refused_naming_the_cursor(client, cursor):
    case = await create(client)
    await comment(client, case)
    assert_problem(await client.get(f"/cases/{case['id']}/comments", params={"cursor": cursor}), 422, "cursor")


@pytest.mark.parametrize("limit", [0, 501, "many"])
async def test_a_limit_outside_1_to_500_is_refused(client, limit):
    case = await create(client)
    assert_problem(await client.get(f"/cases/{case['id']}/comments", params={"limit": limit}), 422, "limit")


async def test_concurrent_comments_all_land_and_the_counter_matches(client):
    case = await create(client)
    n = 20
    responses = await asyncio.gather(
        *(client.post(f"/cases/{case['id']}/comments", json={"body": f"at once {i}"}) for i in range(n))
    )
    assert [r.status_code for r in responses] == [201] * n
    listed = await comments(client, case)
    assert sorted(c["body"] for c in listed) == sorted(f"at once {i}" for i in range(n))
    final = await read(client, case)
    assert final["counts"]["comments"] == n
    assert final["version"] == 1 + n
    assert await actions(client, case) == ["created"] + ["commented"] * n
