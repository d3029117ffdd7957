"""User comments through the Kibana API: the documented example, the rules on adding, and reading, changing and
deleting them."""

import pytest

from tests.dialects.kibana.attachment_support import (
    STALE,
    USER_FIELDS,
    add,
    alert,
    all_comments,
    boom,
    get_case,
    new_case,
    user_comment,
)
from tests.dialects.kibana.conftest import kibana_client
from tests.helpers import activity, patch, read

CASE_FIELDS = {
    "assignees", "category", "closed_at", "closed_by", "comments", "connector", "created_at", "created_by",
    "customFields", "description", "duration", "external_service", "id", "owner", "settings", "severity", "status",
    "tags", "title", "totalAlerts", "totalComment", "updated_at", "updated_by", "version",
}  # fmt: skip


async def test_the_documented_example_answers_the_case_with_its_new_comment(app, tenant, kibana):
    case = await new_case(kibana)
    # As the documentation's curl sends it, only the host and the case id replaced.
    headers = {"Authorization": f"ApiKey {tenant.admin.token}", "Content-Type": "application/json", "kbn-xsrf": "string"}
    async with kibana_client(app, headers) as client:
        response = await client.post(
            f"/api/cases/{case['id']}/comments", content='{"type":"user","owner":"cases","comment":"A new comment."}'
        )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == CASE_FIELDS
    assert answer["totalComment"] == 1 and answer["totalAlerts"] == 0
    [comment] = answer["comments"]
    assert set(comment) == USER_FIELDS
    assert (comment["type"], comment["owner"], comment["comment"]) == ("user", "cases", "A new comment.")
    assert comment["version"] == "WzEsMV0="
    assert comment["created_by"] == answer["created_by"]
    assert (comment["pushed_at"], comment["pushed_by"], comment["updated_at"], comment["updated_by"]) == (None,) * 4
    # The case itself changed: its update time, its updater and its version.
    assert answer["version"] != case["version"]
    assert answer["updated_by"] == case["created_by"] and answer["updated_at"] is not None
    assert {k: v for k, v in answer.items() if k not in ("comments", "totalComment", "version", "updated_at",
                                                         "updated_by")} == {  # fmt: skip
        k: v for k, v in case.items() if k not in ("comments", "totalComment", "version", "updated_at", "updated_by")
    }


async def test_without_credentials_the_answer_is_the_documented_401(app, kibana):
    case = await new_case(kibana)
    async with kibana_client(app, {"kbn-xsrf": "string"}) as client:
        response = await client.post(f"/api/cases/{case['id']}/comments", json=user_comment())
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error", "message", "statusCode"}
    assert (body["error"], body["statusCode"]) == ("Unauthorized", 401)


async def test_a_comment_whose_owner_is_not_the_case_s_is_refused_and_changes_nothing(kibana):
    case = await new_case(kibana)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=user_comment(owner="securitySolution"))
    assert response.status_code == 400
    assert response.json() == boom(400, "The owner field of the comment must match the case")
    assert await get_case(kibana, case) == case


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "user", "owner": "cases", "comment": "a" * 30_001},
         "The length of the comment is too long. The maximum length is 30000."),
        ({"type": "user", "owner": "cases", "comment": ""}, "The comment field cannot be an empty string."),
        ({"type": "user", "owner": "cases", "comment": "   "}, "The comment field cannot be an empty string."),
        ({"type": "user", "owner": "cases", "comment": "c", "alertId": "a"}, 'invalid keys "alertId"'),
        ({"type": "user", "owner": "cases", "comment": "c", "index": "i"}, 'invalid keys "index"'),
        ({"type": "user", "owner": "cases"}, None),
        ({"bad": "comment"}, None),
        ({"type": "nope", "owner": "cases", "comment": "c"}, None),
        ({"type": "user", "owner": "cases", "comment": "a\x00b"}, 'Invalid value "a\x00b" supplied to "user,comment"'),
    ],
)  # fmt: skip
async def test_a_bad_comment_is_a_400_and_changes_nothing(kibana, body, message):
    case = await new_case(kibana)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"statusCode", "error", "message"}
    if message is not None:
        assert response.json()["message"] == message
    assert await get_case(kibana, case) == case


async def test_a_comment_of_30000_characters_is_taken(kibana):
    case = await new_case(kibana)
    answer = await add(kibana, case, user_comment("a" * 30_000))
    assert len(answer["comments"][0]["comment"]) == 30_000


async def test_a_comment_on_an_unknown_case_is_a_404(kibana):
    response = await kibana.post("/api/cases/not-exists/comments", json=user_comment())
    assert response.status_code == 404
    assert response.json() == boom(404, "Saved object [cases/not-exists] not found")


async def test_a_closed_case_still_takes_user_comments(kibana, client):
    case = await new_case(kibana)
    await patch(client, case, {"status": "closed"})
    answer = await add(kibana, case, user_comment())
    assert answer["status"] == "closed" and answer["totalComment"] == 1


async def test_a_comment_added_through_kibana_shows_natively_with_its_source(kibana, client):
    case = await new_case(kibana)
    answer = await add(kibana, case, user_comment("Seen natively."))
    native = await read(client, case)
    assert native["counts"]["comments"] == 1
    comments = (await client.get(f"/cases/{case['id']}/comments")).json()["items"]
    assert [(c["id"], c["body"]) for c in comments] == [(answer["comments"][0]["id"], "Seen natively.")]
    entry = (await activity(client, case))[-1]
    assert (entry["action"], entry["source"]) == ("commented", "kibana")


# Reading


async def test_one_comment_reads_as_the_case_answer_showed_it(kibana):
    case = await new_case(kibana)
    [comment] = (await add(kibana, case, user_comment()))["comments"]
    response = await kibana.get(f"/api/cases/{case['id']}/comments/{comment['id']}")
    assert response.status_code == 200
    assert response.json() == comment
    missing = await kibana.get(f"/api/cases/{case['id']}/comments/no-such-comment")
    assert missing.status_code == 404
    assert missing.json() == boom(404, "Saved object [cases-comments/no-such-comment] not found")


async def test_find_pages_through_the_user_comments_only(kibana):
    case = await new_case(kibana)
    for n in range(3):
        await add(kibana, case, user_comment(f"note {n}"))
    await add(kibana, case, alert())
    response = await kibana.get(f"/api/cases/{case['id']}/comments/_find")
    assert response.status_code == 200
    found = response.json()
    assert set(found) == {"comments", "page", "per_page", "total"}
    assert (found["page"], found["per_page"], found["total"]) == (1, 20, 3)
    assert [c["comment"] for c in found["comments"]] == ["note 0", "note 1", "note 2"]
    assert all(set(c) == USER_FIELDS for c in found["comments"])
    second = (await kibana.get(f"/api/cases/{case['id']}/comments/_find", params={"page": 2, "perPage": 2})).json()
    assert [c["comment"] for c in second["comments"]] == ["note 2"]
    assert (second["page"], second["per_page"], second["total"]) == (2, 2, 3)
    newest = (await kibana.get(f"/api/cases/{case['id']}/comments/_find", params={"sortOrder": "desc"})).json()
    assert [c["comment"] for c in newest["comments"]] == ["note 2", "note 1", "note 0"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"perPage": 101}, "The provided perPage value is too high. The maximum allowed perPage value is 100."),
        ({"page": 101, "perPage": 100},
         "The number of documents is too high. Paginating through more than 10000 documents is not possible."),
        ({"perPage": "true"}, 'Invalid value "true" supplied to "perPage"'),
        ({"sortOrder": "up"}, 'Invalid value "up" supplied to "sortOrder"'),
    ],
)  # fmt: skip
async def test_find_refuses_kibana_s_bad_paging(kibana, params, message):
    case = await new_case(kibana)
    response = await kibana.get(f"/api/cases/{case['id']}/comments/_find", params=params)
    assert response.status_code == 400
    assert response.json() == boom(400, message)


async def test_the_deprecated_list_answers_every_attachment_with_kibana_s_warning(kibana):
    case = await new_case(kibana)
    await add(kibana, case, user_comment())
    answer = await add(kibana, case, alert())
    response = await kibana.get(f"/api/cases/{case['id']}/comments")
    assert response.status_code == 200
    assert response.json() == answer["comments"]
    assert response.headers["warning"].startswith("299 Kibana-") and "Deprecated endpoint" in response.headers["warning"]


# Changing


async def test_a_comment_changes_under_its_own_version_and_moves_the_case_s(kibana):
    case = await new_case(kibana)
    added = await add(kibana, case, user_comment("before"))
    [comment] = added["comments"]
    response = await kibana.patch(
        f"/api/cases/{case['id']}/comments",
        json={"type": "user", "owner": "cases", "comment": "after", "id": comment["id"], "version": comment["version"]},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    [changed] = answer["comments"]
    assert changed["comment"] == "after"
    assert changed["version"] != comment["version"]
    assert changed["updated_by"] == comment["created_by"] and changed["updated_at"] is not None
    assert changed["created_at"] == comment["created_at"]
    assert answer["version"] != added["version"] and answer["updated_at"] >= added["updated_at"]
    # The comment's old version is stale now.
    stale = await kibana.patch(
        f"/api/cases/{case['id']}/comments",
        json={"type": "user", "owner": "cases", "comment": "again", "id": comment["id"], "version": comment["version"]},
    )
    assert stale.status_code == 409
    assert stale.json() == boom(409, STALE)
    assert (await all_comments(kibana, case)) == [changed]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"type": "alert", "alertId": "a", "index": "i", "rule": {"id": None, "name": None}}, 400,
         "You cannot change the type of the comment."),
        ({"owner": "observability"}, 400, "You cannot change the owner of the comment."),
        ({"id": "no-such-comment"}, 404, "This comment no-such-comment does not exist anymore."),
        ({"version": "not-a-version"}, 409, STALE),
        ({"version": "WzksMV0="}, 409, STALE),
    ],
)  # fmt: skip
async def test_a_refused_change_answers_kibana_s_error_and_changes_nothing(kibana, change, status, message):
    case = await new_case(kibana)
    [comment] = (await add(kibana, case, user_comment()))["comments"]
    body = {"type": "user", "owner": "cases", "comment": "other", "id": comment["id"], "version": comment["version"]}
    if change.get("type") == "alert":
        del body["comment"]
    response = await kibana.patch(f"/api/cases/{case['id']}/comments", json=body | change)
    assert response.status_code == status, response.text
    assert response.json() == boom(status, message)
    assert await all_comments(kibana, case) == [comment]


@pytest.mark.parametrize("drop", ["id", "version", "comment", "type"])
async def test_a_change_is_the_whole_attachment(kibana, drop):
    case = await new_case(kibana)
    [comment] = (await add(kibana, case, user_comment()))["comments"]
    body = {"type": "user", "owner": "cases", "comment": "other", "id": comment["id"], "version": comment["version"]}
    del body[drop]
    response = await kibana.patch(f"/api/cases/{case['id']}/comments", json=body)
    assert response.status_code == 400
    assert await all_comments(kibana, case) == [comment]


# Deleting


async def test_deleting_a_comment_removes_it_and_moves_the_case(kibana):
    case = await new_case(kibana)
    first = await add(kibana, case, user_comment("first"))
    second = await add(kibana, case, user_comment("second"))
    gone = first["comments"][0]
    response = await kibana.delete(f"/api/cases/{case['id']}/comments/{gone['id']}")
    assert response.status_code == 204 and response.content == b""
    assert await all_comments(kibana, case) == second["comments"][1:]
    after = await get_case(kibana, case)
    assert after["version"] != second["version"] and after["totalComment"] == 1
    again = await kibana.delete(f"/api/cases/{case['id']}/comments/{gone['id']}")
    assert again.status_code == 404
    assert again.json() == boom(404, f"Saved object [cases-comments/{gone['id']}] not found")


async def test_deleting_all_removes_every_comment_and_alert_then_finds_none(kibana, client):
    case = await new_case(kibana)
    await add(kibana, case, user_comment())
    await add(kibana, case, alert(["a", "b"], ["i", "i"]))
    response = await kibana.delete(f"/api/cases/{case['id']}/comments")
    assert response.status_code == 204
    assert await all_comments(kibana, case) == []
    native = await read(client, case)
    assert (native["counts"]["comments"], native["counts"]["alerts"]) == (0, 0)
    again = await kibana.delete(f"/api/cases/{case['id']}/comments")
    assert again.status_code == 404
    assert again.json() == boom(404, f"No comments found for {case['id']}.")


async def test_writes_without_kbn_xsrf_are_refused(app, tenant, kibana):
    case = await new_case(kibana)
    async with kibana_client(app, {"Authorization": f"ApiKey {tenant.admin.token}"}) as client:
        for response in (
            await client.post(f"/api/cases/{case['id']}/comments", json=user_comment()),
            await client.delete(f"/api/cases/{case['id']}/comments"),
        ):
            assert response.json() == boom(400, "Request must contain a kbn-xsrf header.")
    assert await get_case(kibana, case) == case
