"""Optimistic concurrency: versions, ETags, If-Match, and many writers at once."""

import asyncio
import uuid
from datetime import datetime

from tests.helpers import PROBLEM, activity, assert_problem, create, read


def assert_conflict(response, current_version):
    body = assert_problem(response, 409)
    assert body["current_version"] == current_version
    return body


async def bump(client, case, times):
    for i in range(times):
        response = await client.patch(f"/cases/{case['id']}", json={"description": f"edit {i}"})
        assert response.status_code == 200, response.text
    return await read(client, case)


async def test_each_change_bumps_the_version_and_the_etag(client):
    case = await create(client)
    for expected in (2, 3, 4):
        response = await client.patch(f"/cases/{case['id']}", json={"title": f"v{expected}"})
        assert response.json()["version"] == expected
        assert response.headers["etag"] == f'"{expected}"'
        fetched = await client.get(f"/cases/{case['id']}")
        assert fetched.headers["etag"] == f'"{expected}"'
        assert fetched.json()["version"] == expected


async def test_the_current_version_in_the_body_is_accepted(client):
    case = await bump(client, await create(client), 2)
    response = await client.patch(f"/cases/{case['id']}", json={"version": 3, "title": "ok"})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 4
    assert response.json()["title"] == "ok"


async def test_the_current_version_in_if_match_is_accepted(client):
    case = await bump(client, await create(client), 1)
    response = await client.patch(f"/cases/{case['id']}", json={"title": "ok"}, headers={"If-Match": '"2"'})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 3


async def test_the_etag_of_a_read_works_as_if_match(client):
    case = await bump(client, await create(client), 2)
    fetched = await client.get(f"/cases/{case['key']}")
    response = await client.patch(f"/cases/{case['id']}", json={"title": "ok"}, headers={"If-Match": fetched.headers["etag"]})
    assert response.status_code == 200, response.text


async def test_stale_version_in_the_body_is_refused_and_changes_nothing(client):
    case = await bump(client, await create(client), 1)
    entries = await activity(client, case)
    response = await client.patch(f"/cases/{case['id']}", json={"version": 1, "title": "lost"})
    body = assert_conflict(response, 2)
    assert {"type", "title", "detail"} <= body.keys()
    assert await read(client, case) == case
    assert await activity(client, case) == entries


async def test_stale_if_match_is_refused_and_changes_nothing(client):
    case = await bump(client, await create(client), 2)
    entries = await activity(client, case)
    response = await client.patch(f"/cases/{case['id']}", json={"title": "lost"}, headers={"If-Match": '"1"'})
    assert_conflict(response, 3)
    assert await read(client, case) == case
    assert await activity(client, case) == entries


async def test_a_future_version_is_refused_too(client):
    case = await create(client)
    assert_conflict(await client.patch(f"/cases/{case['id']}", json={"version": 2, "title": "x"}), 1)
    assert_conflict(await client.patch(f"/cases/{case['id']}", json={"title": "x"}, headers={"If-Match": '"5"'}), 1)
    assert await read(client, case) == case


async def test_a_stale_version_is_refused_even_when_the_values_would_not_change(client):
    case = await bump(client, await create(client, title="same"), 1)
    assert_conflict(await client.patch(f"/cases/{case['id']}", json={"version": 1, "title": "same"}), 2)
    assert await read(client, case) == case


async def test_if_match_and_body_version_that_disagree_change_nothing(client):
    case = await create(client)
    # One of the two names the current version: neither may be picked over the other.
    for header, version in (('"1"', 2), ('"2"', 1)):
        response = await client.patch(
            f"/cases/{case['id']}", json={"version": version, "title": "x"}, headers={"If-Match": header}
        )
        assert response.status_code in (409, 422), response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert await read(client, case) == case


async def test_a_malformed_if_match_is_refused_and_changes_nothing(client):
    case = await create(client)
    response = await client.patch(f"/cases/{case['id']}", json={"title": "x"}, headers={"If-Match": "yesterday"})
    assert_problem(response, 422)
    assert await read(client, case) == case


async def test_an_if_match_of_thousands_of_digits_is_refused_naming_it_and_changes_nothing(client):
    case = await create(client)
    for digits in ("9" * 4301, "1" * 20, str(2**63)):
        for header in (digits, f'"{digits}"'):
            response = await client.patch(f"/cases/{case['id']}", json={"title": "x"}, headers={"If-Match": header})
            assert_problem(response, 422, "If-Match")
            assert_problem(await client.delete(f"/cases/{case['id']}", headers={"If-Match": header}), 422, "If-Match")
    assert await read(client, case) == case


async def test_the_largest_64_bit_if_match_is_a_version_conflict(client):
    case = await create(client)
    largest = {"If-Match": str(2**63 - 1)}
    assert_conflict(await client.patch(f"/cases/{case['id']}", json={"title": "x"}, headers=largest), 1)


async def test_a_body_version_past_64_bits_is_refused_naming_it(client):
    case = await create(client)
    for version in (str(2**63), "1" + "0" * 40):
        response = await client.patch(
            f"/cases/{case['id']}",
            content=f'{{"version": {version}, "title": "x"}}',
            headers={"Content-Type": "application/json"},
        )
        assert_problem(response, 422, "version")
        bulk = await client.post("/cases/bulk", json={"items": [{"id": case["id"], "version": 2**63, "changes": {}}]})
        assert_problem(bulk, 422, "items.0.version")
    assert await read(client, case) == case


async def test_archiving_with_a_stale_if_match_is_refused_and_the_case_stays_live(client):
    case = await bump(client, await create(client), 1)
    assert_conflict(await client.delete(f"/cases/{case['id']}", headers={"If-Match": '"1"'}), 2)
    assert await read(client, case) == case
    assert [c["id"] for c in (await client.get("/cases")).json()["items"]] == [case["id"]]
    assert (await client.delete(f"/cases/{case['id']}", headers={"If-Match": '"2"'})).status_code == 204


async def test_archiving_and_restoring_move_the_version_on(client):
    case = await create(client)
    await client.delete(f"/cases/{case['id']}")
    archived = await read(client, case)
    assert archived["version"] > case["version"]
    restored = (await client.post(f"/cases/{case['id']}/restore")).json()
    assert restored["version"] > archived["version"]
    # A writer holding the pre-archive version is refused.
    assert_conflict(await client.patch(f"/cases/{case['id']}", json={"version": 1, "title": "x"}), restored["version"])


async def test_of_many_writers_with_the_same_version_exactly_one_wins(client):
    case = await bump(client, await create(client), 2)
    responses = await asyncio.gather(
        *(client.patch(f"/cases/{case['id']}", json={"version": 3, "title": f"writer {i}"}) for i in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 19, [r.text for r in responses if r.status_code not in (200, 409)]
    winner = next(r for r in responses if r.status_code == 200).json()
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.json()["current_version"] == 4
    final = await read(client, case)
    assert final["version"] == 4
    assert final["title"] == winner["title"]
    updates = [e for e in await activity(client, case) if e["changes"].get("title")]
    assert len(updates) == 2  # created, and the one winner
    assert updates[-1]["changes"]["title"] == [case["title"], winner["title"]]


async def test_of_many_writers_with_the_same_if_match_exactly_one_wins(client):
    case = await create(client)
    responses = await asyncio.gather(
        *(
            client.patch(f"/cases/{case['id']}", json={"priority": f"P{i % 5 + 1}", "title": f"w{i}"}, headers={"If-Match": '"1"'})
            for i in range(20)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    final = await read(client, case)
    assert final["version"] == 2
    winner = next(r for r in responses if r.status_code == 200).json()
    assert (final["title"], final["priority"]) == (winner["title"], winner["priority"])
    assert len(await activity(client, case)) == 2


async def test_concurrent_unversioned_writes_to_different_fields_all_land(client, tenant):
    assert (await client.post("/projects/SEC/types", json={"name": "INCIDENT"})).status_code == 201
    agent = tenant.add_member("agent")
    case = await create(client)
    changes = [
        {"title": "new title"},
        {"description": "new description"},
        {"status": "in_progress"},
        {"priority": "P2"},
        {"severity": "high"},
        {"type": "INCIDENT"},
        {"assignees": [str(agent.id)]},
        {"tags": ["t1", "t2"]},
        {"requester": {"name": "Dana", "email": "dana@example.com", "type": "employee", "id": "4711"}},
        {"due_date": "2031-02-03T04:05:06+00:00"},
        {"resolution": "contained"},
        {"resolution_reason": "host isolated"},
        {"external_refs": {"jira": "OPS-1"}},
        {"metadata": {"site": "berlin"}},
    ]
    responses = await asyncio.gather(*(client.patch(f"/cases/{case['id']}", json=c) for c in changes))
    assert [r.status_code for r in responses] == [200] * len(changes), [r.text for r in responses if r.status_code != 200]
    final = await read(client, case)
    for change in changes:
        for name, value in change.items():
            if name == "due_date":
                assert datetime.fromisoformat(final[name]) == datetime.fromisoformat(value)
            else:
                assert final[name] == value, name
    assert final["version"] == 1 + len(changes)
    assert len(await activity(client, case)) == 1 + len(changes)
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(2, 2 + len(changes)))


async def test_concurrent_writes_to_different_cases_do_not_conflict(client):
    cases = [await create(client, title=f"case {i}") for i in range(10)]
    responses = await asyncio.gather(
        *(client.patch(f"/cases/{c['id']}", json={"version": 1, "title": f"changed {i}"}) for i, c in enumerate(cases))
    )
    assert [r.status_code for r in responses] == [200] * 10
    for i, c in enumerate(cases):
        assert (await read(client, c))["title"] == f"changed {i}"


async def test_an_unversioned_archive_lands_while_others_write(client):
    case = await create(client)
    responses = await asyncio.gather(
        *(client.patch(f"/cases/{case['id']}", json={"description": f"d{i}"}) for i in range(10)),
        client.delete(f"/cases/{case['id']}"),
    )
    *patches, deleted = responses
    assert deleted.status_code == 204, deleted.text
    assert {r.status_code for r in patches} <= {200, 409}
    final = await read(client, case)
    assert final["archived_at"] is not None
    assert final["version"] == 2 + sum(r.status_code == 200 for r in patches)
    assert [e["action"] for e in await activity(client, case)].count("archived") == 1


async def test_concurrent_unversioned_archives_all_succeed_and_archive_once(client):
    case = await create(client)
    responses = await asyncio.gather(*(client.delete(f"/cases/{case['id']}") for _ in range(5)))
    assert [r.status_code for r in responses] == [204] * 5
    assert (await read(client, case))["version"] == 2
    assert [e["action"] for e in await activity(client, case)] == ["created", "archived"]


async def test_of_concurrent_restores_one_restores_and_the_rest_find_it_live(client):
    case = await create(client)
    await client.delete(f"/cases/{case['id']}")
    responses = await asyncio.gather(*(client.post(f"/cases/{case['id']}/restore") for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 4
    final = await read(client, case)
    assert final["archived_at"] is None and final["version"] == 3
    assert [e["action"] for e in await activity(client, case)] == ["created", "archived", "restored"]


async def test_a_version_conflict_on_an_unknown_case_is_simply_not_found(client):
    response = await client.patch(f"/cases/{uuid.uuid4()}", json={"version": 1, "title": "x"})
    assert response.status_code == 404
