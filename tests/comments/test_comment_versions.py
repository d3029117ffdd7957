"""A comment's own version (raised on each edit, checked by If-Match or `version`), its title and its visibility."""

import pytest

from tests.comments.support import comment, comments
from tests.helpers import activity, assert_problem, create, read


def url(case: dict, note: dict) -> str:
    return f"/cases/{case['id']}/comments/{note['id']}"


async def test_a_comment_starts_at_version_1_public_and_without_title(client):
    case = await create(client)
    note = await comment(client, case)
    assert (note["version"], note["public"], note["title"]) == (1, True, None)
    fetched = await client.get(url(case, note))
    assert fetched.headers["etag"] == '"1"'


async def test_title_and_public_are_kept_at_creation_and_logged(client):
    case = await create(client)
    note = await comment(client, case, fields={"title": "Internal triage", "public": False})
    assert (note["title"], note["public"]) == ("Internal triage", False)
    assert (await client.get(url(case, note))).json() == note
    changes = (await activity(client, case))[-1]["changes"]
    assert (changes["title"], changes["public"]) == ([None, "Internal triage"], [None, False])


async def test_each_edit_raises_the_comment_version_and_the_case_version(client):
    case = await create(client)
    note = await comment(client, case)
    for n, change in enumerate(({"body": "b"}, {"title": "t"}, {"public": False}, {"title": None}), start=2):
        response = await client.patch(url(case, note), json=change)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == n
        assert response.headers["etag"] == f'"{n}"'
        assert (await read(client, case))["version"] == n + 1
    final = (await client.get(url(case, note))).json()
    assert (final["body"], final["title"], final["public"], final["version"]) == ("b", None, False, 5)
    last = (await activity(client, case))[-1]
    assert (last["action"], last["changes"]["title"]) == ("comment_edited", ["t", None])


async def test_an_edit_changing_nothing_keeps_both_versions(client):
    case = await create(client)
    note = await comment(client, case, fields={"title": "same"})
    before = await read(client, case)
    for change in ({}, {"body": note["body"]}, {"title": "same", "public": True}):
        response = await client.patch(url(case, note), json=change)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 1
    assert await read(client, case) == before


@pytest.mark.parametrize("how", ["body", "if-match", "both"])
async def test_an_edit_naming_a_stale_comment_version_is_409_and_changes_nothing(client, how):
    case = await create(client)
    note = await comment(client, case)
    current = (await client.patch(url(case, note), json={"body": "second"})).json()
    before = await read(client, case)
    body = {"body": "lost", **({"version": 1} if how != "if-match" else {})}
    headers = {"If-Match": '"1"'} if how != "body" else {}
    problem = assert_problem(await client.patch(url(case, note), json=body, headers=headers), 409)
    assert problem["current_version"] == 2
    assert await comments(client, case) == [current]
    assert await read(client, case) == before
    accepted = await client.patch(url(case, note), json={"body": "third", "version": 2}, headers={"If-Match": '"2"'})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["version"] == 3


async def test_if_match_and_version_naming_different_comment_versions_are_refused(client):
    case = await create(client)
    note = await comment(client, case)
    response = await client.patch(url(case, note), json={"body": "x", "version": 2}, headers={"If-Match": '"1"'})
    assert_problem(response, 422, "version")
    assert await comments(client, case) == [note]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x" * 256}, "title"),
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({"public": None}, "public"),
        ({"public": "maybe"}, "public"),
        ({"body": None}, "body"),
        ({"version": 0}, "version"),
        ({"version": 2**63}, "version"),
    ],
)
async def test_a_bad_title_public_or_version_is_422_naming_it(client, change, field):
    case = await create(client)
    note = await comment(client, case)
    before = await read(client, case)
    assert_problem(await client.patch(url(case, note), json=change), 422, field)
    if "version" not in change and change != {"body": None}:
        body = {"body": "x", **change}
        assert_problem(await client.post(f"/cases/{case['id']}/comments", json=body), 422, field)
    assert await comments(client, case) == [note]
    assert await read(client, case) == before


async def test_a_title_of_255_characters_is_kept(client):
    case = await create(client)
    note = await comment(client, case, fields={"title": "x" * 255})
    assert note["title"] == "x" * 255
