"""POST /cases/bulk with "atomic": true: every item applies, or none does, and the answer says why item by item."""

import uuid

from tests.helpers import PROBLEM, activity, create, read


async def atomic(client, items, **kwargs):
    return await client.post("/cases/bulk", json={"atomic": True, "items": items}, **kwargs)


async def _unchanged(client, *cases):
    for case in cases:
        now = await read(client, case)
        assert (now["version"], now["title"], now["status"]) == (case["version"], case["title"], case["status"])


async def test_all_items_apply_together(client):
    first, second = await create(client, title="one"), await create(client, title="two")

    response = await atomic(
        client,
        [
            {"id": first["id"], "version": 1, "changes": {"priority": "P1"}},
            {"id": second["key"], "version": 1, "changes": {"status": "in_progress"}},
        ],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] is True
    assert [r["status"] for r in body["results"]] == [200, 200]
    assert body["results"][0]["case"]["priority"] == "P1"
    assert (await read(client, second))["status"] == "in_progress"


async def test_one_stale_version_applies_nothing_and_every_missing_and_stale_item_is_named(client):
    good, stale_one, stale_two = [await create(client, title=f"case {i}") for i in range(3)]
    for case in (stale_one, stale_two):
        await client.patch(f"/cases/{case['id']}", json={"title": "moved on"})
    stale_one, stale_two = await read(client, stale_one), await read(client, stale_two)
    unknown_one, unknown_two = str(uuid.uuid4()), "SEC-9999"

    response = await atomic(
        client,
        [
            {"id": good["id"], "version": 1, "changes": {"title": "applied?"}},
            {"id": stale_one["id"], "version": 1, "changes": {"title": "lost"}},
            {"id": unknown_one, "changes": {"title": "nobody"}},
            {"id": stale_two["id"], "version": 1, "changes": {"title": "lost"}},
            {"id": unknown_two, "changes": {"title": "nobody"}},
        ],
    )

    # Missing cases come first in the overall status, as Kibana's PATCH /api/cases answers.
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body = response.json()
    assert body["applied"] is False and body["status"] == 404
    assert [r["status"] for r in body["results"]] == [424, 409, 404, 409, 404]
    assert body["results"][1]["error"]["current_version"] == stale_one["version"]
    await _unchanged(client, good, stale_one, stale_two)
    assert [e["action"] for e in await activity(client, good)] == ["created"]


async def test_stale_versions_alone_answer_409(client):
    good, stale = await create(client), await create(client)
    await client.patch(f"/cases/{stale['id']}", json={"title": "moved on"})
    stale = await read(client, stale)

    response = await atomic(
        client,
        [
            {"id": good["id"], "version": 1, "changes": {"title": "x"}},
            {"id": stale["id"], "version": 1, "changes": {"title": "y"}},
        ],
    )

    assert response.status_code == 409
    assert [r["status"] for r in response.json()["results"]] == [424, 409]
    await _unchanged(client, good, stale)


async def test_a_refusal_found_while_applying_rolls_back_the_items_already_applied(client):
    first, second = await create(client, title="first"), await create(client, title="second")

    response = await atomic(
        client,
        [
            {"id": first["id"], "changes": {"title": "renamed", "priority": "P1"}},
            {"id": second["id"], "changes": {"status": "no such status"}},
        ],
    )

    assert response.status_code == 422, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [424, 422]
    assert results[0]["error"]["title"] == "Not applied"
    assert any(e["field"] == "status" for e in results[1]["error"]["errors"])
    await _unchanged(client, first, second)
    assert [e["action"] for e in await activity(client, first)] == ["created"]


async def test_invalid_changes_are_named_by_field_and_nothing_applies(client):
    first, second = await create(client), await create(client)

    response = await atomic(
        client,
        [
            {"id": first["id"], "changes": {"title": "fine"}},
            {"id": second["id"], "changes": {"priority": "P9"}},
        ],
    )

    assert response.status_code == 422
    results = response.json()["results"]
    assert [r["status"] for r in results] == [424, 422]
    assert results[1]["error"]["errors"][0]["field"] == "changes.priority"
    await _unchanged(client, first, second)


async def test_a_case_named_twice_is_refused(client):
    case = await create(client)

    response = await atomic(
        client,
        [{"id": case["id"], "changes": {"title": "a"}}, {"id": case["key"], "changes": {"title": "b"}}],
    )

    assert response.status_code == 422
    results = response.json()["results"]
    assert [r["status"] for r in results] == [424, 422]
    assert results[1]["error"]["errors"][0]["field"] == "id"
    await _unchanged(client, case)


async def test_a_refusal_answers_in_the_callers_language(client):
    case = await create(client)
    response = await atomic(client, [{"id": str(uuid.uuid4()), "changes": {}}, {"id": case["id"], "changes": {}}],
                            headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    body = response.json()
    assert body["title"] == "Modification groupée non appliquée"
    assert body["results"][1]["error"]["title"] == "Non appliqué"
