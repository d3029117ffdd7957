"""POST /cases/bulk: many changes in one request, answered item by item."""

import re
import uuid

import pytest

from casework.db.database import Database
from tests.helpers import PROBLEM, actions, assert_problem, create, issued_statements, read
from tests.workflow.fields_support import define
from tests.workflow.sla_support import policy, set_policies


async def bulk(client, items, **kwargs):
    response = await client.post("/cases/bulk", json={"items": items}, **kwargs)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(items)
    return results


def error_fields(result):
    return [e["field"] for e in result["error"]["errors"]]


def names(fields, name):
    """Whether some error path (like `changes.tags.0`) names the field."""
    return any(name in f.split(".") for f in fields)


async def test_good_items_apply_while_bad_ones_are_refused_item_by_item(client):
    good, stale, invalid, by_key = [await create(client, title=f"case {i}") for i in range(4)]
    await client.patch(f"/cases/{stale['id']}", json={"title": "moved on"})
    stale = await read(client, stale)
    unknown = str(uuid.uuid4())

    results = await bulk(
        client,
        [
            {"id": good["id"], "version": 1, "changes": {"status": "in_progress", "priority": "P2"}},
            {"id": stale["id"], "version": 1, "changes": {"title": "lost"}},
            {"id": unknown, "version": 1, "changes": {"title": "nobody"}},
            {"id": invalid["id"], "version": 1, "changes": {"status": "finished"}},
            {"id": by_key["key"], "changes": {"tags": ["bulk"]}},
        ],
    )
    assert [r["id"] for r in results] == [good["id"], stale["id"], unknown, invalid["id"], by_key["key"]]
    assert [r["status"] for r in results] == [200, 409, 404, 422, 200]

    applied = results[0]["case"]
    assert (applied["status"], applied["priority"], applied["version"]) == ("in_progress", "P2", 2)
    assert applied == await read(client, good)
    assert results[4]["case"]["tags"] == ["bulk"]
    assert results[4]["case"] == await read(client, by_key)

    assert results[1]["error"]["status"] == 409
    assert results[1]["error"]["current_version"] == 2
    assert results[2]["error"]["status"] == 404
    assert results[3]["error"]["status"] == 422
    assert names(error_fields(results[3]), "status")
    for failed in results[1:4]:
        assert failed.get("case") is None
        assert {"type", "title", "status", "detail"} <= failed["error"].keys()

    assert await read(client, stale) == stale
    assert await read(client, invalid) == invalid


async def test_items_without_a_version_apply_to_the_current_case(client):
    case = await create(client)
    await client.patch(f"/cases/{case['id']}", json={"title": "v2"})
    [result] = await bulk(client, [{"id": case["id"], "changes": {"severity": "critical"}}])
    assert result["status"] == 200
    assert result["case"]["severity"] == "critical"
    assert result["case"]["title"] == "v2"
    assert result["case"]["version"] == 3


async def test_an_item_that_changes_nothing_keeps_the_version(client):
    case = await create(client, title="same")
    [result] = await bulk(client, [{"id": case["id"], "version": 1, "changes": {"title": "same"}}])
    assert result["status"] == 200
    assert result["case"]["version"] == 1
    assert await actions(client, case) == ["created"]


async def test_two_items_for_one_case_with_the_same_version_only_the_first_applies(client):
    case = await create(client)
    results = await bulk(
        client,
        [
            {"id": case["id"], "version": 1, "changes": {"title": "first"}},
            {"id": case["id"], "version": 1, "changes": {"title": "second"}},
            {"id": case["id"], "version": 2, "changes": {"description": "third"}},
        ],
    )
    assert [r["status"] for r in results] == [200, 409, 200]
    assert results[1]["error"]["current_version"] == 2
    final = await read(client, case)
    assert (final["title"], final["description"], final["version"]) == ("first", "third", 3)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("title", {"title": ""}),
        ("title", {"title": None}),
        ("status", {"status": None}),
        ("tags", {"tags": ["t" * 257]}),
        ("priority", {"priority": "P9"}),
        ("metadata", {"metadata": {f"k{i}": "v" for i in range(101)}}),
        ("bogus", {"bogus": 1}),
        ("assignees", {"assignees": [str(uuid.uuid4())]}),
    ],
)
async def test_an_item_with_invalid_changes_is_422_naming_the_field(client, field, changes):
    case = await create(client)
    other = await create(client)
    results = await bulk(
        client,
        [
            {"id": case["id"], "version": 1, "changes": {"description": "would change"} | changes},
            {"id": other["id"], "version": 1, "changes": {"description": "applied"}},
        ],
    )
    assert [r["status"] for r in results] == [422, 200]
    assert names(error_fields(results[0]), field), error_fields(results[0])
    assert await read(client, case) == case
    assert (await read(client, other))["description"] == "applied"
    assert await actions(client, case) == ["created"]


async def test_an_assignee_of_another_workspace_is_422_naming_assignees(client, other):
    outsider = other.admin
    case = await create(client)
    [result] = await bulk(client, [{"id": case["id"], "changes": {"assignees": [str(outsider.id)]}}])
    assert result["status"] == 422
    assert names(error_fields(result), "assignees")
    assert await read(client, case) == case


async def test_an_archived_case_is_refused_and_the_others_apply(client):
    archived = await create(client)
    live = await create(client)
    assert (await client.delete(f"/cases/{archived['id']}")).status_code == 204
    before = await read(client, archived)
    results = await bulk(
        client,
        [
            {"id": archived["id"], "changes": {"title": "x"}},
            {"id": live["id"], "changes": {"title": "y"}},
        ],
    )
    assert [r["status"] for r in results] == [409, 200]
    assert await read(client, archived) == before


async def test_a_case_of_another_workspace_is_not_found_and_unchanged(client, other_client):
    their_case = await create(other_client)
    results = await bulk(
        client,
        [
            {"id": their_case["id"], "changes": {"title": "hijacked"}},
            {"id": their_case["key"], "changes": {"title": "hijacked"}},
        ],
    )
    assert [r["status"] for r in results] == [404, 404]
    assert await read(other_client, their_case) == their_case


async def test_each_applied_item_records_one_entry_and_refused_items_none(client):
    a, b, c = [await create(client) for _ in range(3)]
    await bulk(
        client,
        [
            {"id": a["id"], "version": 1, "changes": {"status": "closed"}},
            {"id": b["id"], "version": 7, "changes": {"title": "stale"}},
            {"id": c["id"], "changes": {"title": "renamed"}},
            {"id": c["id"], "changes": {"title": None}},
        ],
    )
    assert await actions(client, a) == ["created", "status_changed"]
    assert await actions(client, b) == ["created"]
    assert await actions(client, c) == ["created", "updated"]
    closed = await read(client, a)
    assert closed["closed_at"] is not None and closed["closed_by"] is not None


async def test_a_hundred_items_are_answered(client):
    case = await create(client)
    items = [{"id": str(uuid.uuid4()), "changes": {"title": "x"}} for _ in range(99)]
    items.append({"id": case["id"], "changes": {"title": "last of a hundred"}})
    results = await bulk(client, items)
    assert [r["status"] for r in results] == [404] * 99 + [200]
    assert (await read(client, case))["title"] == "last of a hundred"


@pytest.mark.parametrize("count", [0, 101])
async def test_zero_or_more_than_a_hundred_items_are_refused_whole(client, count):
    case = await create(client)
    items = [{"id": case["id"], "changes": {"description": f"d{i}"}} for i in range(count)]
    response = await client.post("/cases/bulk", json={"items": items})
    body = assert_problem(response, 422)
    assert any(e["field"].startswith("items") for e in body["errors"])
    assert await read(client, case) == case
    assert await actions(client, case) == ["created"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": "all"},
        {"items": [{"changes": {"title": "x"}}]},
        {"items": [{"id": "SEC-1"}]},
        {"items": [{"id": "SEC-1", "changes": "title=x"}]},
        {"items": [{"id": "SEC-1", "changes": {"title": "x"}, "force": True}]},
        {"items": [{"id": "SEC-1", "version": "latest", "changes": {"title": "x"}}]},
        {"items": [{"id": "SEC-1", "changes": {"title": "x"}}], "dry_run": True},
    ],
)
async def test_a_malformed_bulk_request_is_refused_whole(client, body):
    case = await create(client)
    response = await client.post("/cases/bulk", json=body)
    assert_problem(response, 422)
    assert await read(client, case) == case


async def test_unparseable_bulk_json_is_4xx_and_changes_nothing(client):
    case = await create(client)
    response = await client.post("/cases/bulk", content=b'{"items": [', headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith(PROBLEM)
    assert await read(client, case) == case


async def test_bulk_needs_a_case_writer(client, tenant):
    viewer = tenant.add_member("viewer")
    case = await create(client)
    response = await client.post(
        "/cases/bulk", json={"items": [{"id": case["id"], "changes": {"title": "x"}}]}, headers=viewer.headers
    )
    assert response.status_code == 403
    assert await read(client, case) == case


# The reads a bulk update makes once for all its items: the cases, their projects and their SLA clocks.
BATCHED_READS = re.compile(r"^\s*SELECT\b.*?\bFROM (cases|projects|case_slas)\b", re.S | re.I)


async def batched_reads(db: Database, client, items) -> list[str]:
    with issued_statements(db.engine) as seen:
        results = await bulk(client, items)
    assert {r["status"] for r in results} == {200}
    return sorted(m.group(1) for statement in seen if (m := BATCHED_READS.search(statement.sql)))


async def test_cases_projects_and_clocks_are_read_in_the_same_statements_for_two_items_or_twenty(client, db):
    await set_policies(client, policy("completion", 3600, "P1"), policy("completion", 7200, "P2"))
    cases = [await create(client, title=f"case {i}") for i in range(20)]
    # By id, by key and by number: one statement finds them all.
    refs = [cases[0]["id"], cases[1]["key"], str(cases[2]["number"])] + [c["id"] for c in cases[3:]]
    two = await batched_reads(db, client, [{"id": ref, "changes": {"priority": "P1"}} for ref in refs[:2]])
    twenty = await batched_reads(db, client, [{"id": ref, "changes": {"priority": "P2"}} for ref in refs])
    # Found and locked (cases, projects, clocks), then the clocks read back after the change: a priority is not
    # JSON, so the cases' new values are those written, without reading them again.
    assert twenty == two == ["case_slas", "case_slas", "cases", "projects"]
    for case in cases:
        changed = await read(client, case)
        assert changed["priority"] == "P2"
        assert [(sla["sla_type"], sla["target_seconds"]) for sla in changed["slas"]] == [("completion", 7200)]


def without_elapsed_time(case):
    """The case with its SLA clocks' running figures left out (they move between two reads)."""
    running = {"current_time_seconds", "remaining_time_seconds", "percent_elapsed"}
    return case | {"slas": [{k: v for k, v in sla.items() if k not in running} for sla in case["slas"]]}


async def test_each_result_is_the_case_as_read_after_its_change_sla_clocks_included(client):
    await set_policies(client, policy("completion", 3600, "P1"), policy("completion", 7200, "P2"))
    cases = [await create(client, title=f"case {i}", priority="P2") for i in range(3)]
    results = await bulk(
        client,
        [{"id": c["id"], "changes": {"priority": "P1", "title": f"urgent {i}"}} for i, c in enumerate(cases)]
        + [{"id": cases[2]["id"], "changes": {"description": "second change"}}],
    )
    assert [r["status"] for r in results] == [200] * 4
    for result, case in zip([results[0], results[1], results[3]], cases, strict=True):
        assert without_elapsed_time(result["case"]) == without_elapsed_time(await read(client, case))
    assert [(sla["sla_type"], sla["target_seconds"]) for sla in results[0]["case"]["slas"]] == [("completion", 3600)]
    # A case named again later answers each item with the case as that item left it.
    earlier, later = results[2]["case"], results[3]["case"]
    assert (earlier["version"], later["version"]) == (2, 3)
    assert (earlier["title"], earlier["priority"], earlier["description"]) == ("urgent 2", "P1", cases[2]["description"])
    assert later["description"] == "second change"


async def test_json_values_are_answered_as_the_database_keeps_them(client):
    """PostgreSQL's jsonb orders an object's keys its own way: the answer holds them as every later read will."""
    cases = [await create(client, title=f"case {i}") for i in range(2)]
    metadata = {"source_system": "siem", "id": "A-1", "score": "high"}
    results = await bulk(client, [{"id": c["id"], "changes": {"metadata": metadata}} for c in cases])
    for result, case in zip(results, cases, strict=True):
        stored = await read(client, case)
        assert list(result["case"]["metadata"].items()) == list(stored["metadata"].items())
        assert stored["metadata"] == metadata


# The writes of a bulk update: its cases' rows, their activity entries, and the savepoints it no longer needs.
BATCHED_WRITES = re.compile(r"^\s*(UPDATE cases|INSERT INTO activity|SAVEPOINT)\b", re.I)


async def batched_writes(db: Database, client, items) -> list[str]:
    with issued_statements(db.engine) as seen:
        results = await bulk(client, items)
    assert {r["status"] for r in results} == {200}
    return sorted(m.group(1).lower() for statement in seen if (m := BATCHED_WRITES.search(statement.sql)))


async def test_the_cases_are_written_in_one_update_per_set_of_columns_and_their_entries_in_one_insert(client, db):
    cases = [await create(client, title=f"case {i}", priority="P3") for i in range(20)]

    def items(count, title):
        return [
            {"id": case["id"], "changes": {"priority": "P1"} if i % 2 else {"title": f"{title} {i}"}}
            for i, case in enumerate(cases[:count])
        ]

    two = await batched_writes(db, client, items(2, "first"))
    twenty = await batched_writes(db, client, items(20, "second"))
    assert two == twenty == ["insert into activity", "update cases", "update cases"]
    for i, case in enumerate(cases):
        changed = await read(client, case)
        if i % 2:
            assert (changed["priority"], changed["title"], changed["version"]) == ("P1", case["title"], 2)
        else:
            assert (changed["priority"], changed["title"]) == ("P3", f"second {i}")
            assert changed["version"] == (3 if i < 2 else 2)
        assert await actions(client, case) == ["created"] + ["updated"] * (changed["version"] - 1)


async def test_each_result_holds_the_values_as_stored_whatever_the_change(client, tenant):
    await define(client, "region", "text")
    cases = [await create(client, title=f"case {i}") for i in range(2)]
    changes = {
        "status": "in_progress",
        "severity": "high",
        "due_date": "2031-05-01T12:00:00+02:00",
        "tags": ["phishing", "vip"],
        "assignees": [str(tenant.admin.id)],
        "metadata": {"source": "siem", "score": "7"},
        "fields": {"region": "emea"},
        "requester": {"id": "r-1", "name": "Ann"},
    }
    results = await bulk(client, [{"id": case["id"], "changes": changes} for case in cases])
    assert [r["status"] for r in results] == [200, 200], results
    for result, case in zip(results, cases, strict=True):
        stored = await read(client, case)
        assert without_elapsed_time(result["case"]) == without_elapsed_time(stored)
        assert stored["due_date"].startswith("2031-05-01T10:00:00")
        assert (stored["status"], stored["tags"], stored["fields"]) == ("in_progress", ["phishing", "vip"], changes["fields"])
