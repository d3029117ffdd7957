"""GET /cases?status_counts=true: matching cases per status group over the same filters less status, from counters
kept in each write's transaction (create, status changes, archive, restore) or counted up to a cap."""

from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from casework.cases import counts
from casework.cases.models import STATUS_COUNT_COLUMNS, CaseCount
from tests.cases.test_list import listing
from tests.conftest import Tenant
from tests.helpers import create, patch

GROUPS = ("open", "in_progress", "closed")


async def truth(client: httpx.AsyncClient, archived: str = "exclude", **filters: Any) -> dict[str, int]:
    """Cases per status group, by listing them all."""
    items = (await listing(client, {"archived": archived, "limit": 500, **filters}))["items"]
    found = Counter(c["status"] for c in items)
    return {group: found[group] for group in GROUPS}


async def status_counts(client: httpx.AsyncClient, **params: Any) -> tuple[dict[str, int], bool]:
    page = await listing(client, {"status_counts": "true", **params})
    return page["status_counts"], page["status_counts_exact"]


def stored_counters(tenant: Tenant) -> dict[tuple[str, bool], int]:
    """The workspace's counters, summed over projects and slots."""

    def work(session):  # type: ignore[no-untyped-def]
        columns = [func.sum(CaseCount.__table__.c[name]) for name in STATUS_COUNT_COLUMNS.values()]
        row = session.execute(select(*columns).where(CaseCount.workspace_id == tenant.workspace_id)).one()
        return {key: int(value or 0) for key, value in zip(STATUS_COUNT_COLUMNS, row)}

    return tenant.db.run_sync(work, write=False)  # type: ignore[no-any-return]


async def assert_counters_right(client: httpx.AsyncClient, tenant: Tenant) -> None:
    live, archived = await truth(client), await truth(client, "only")
    assert await status_counts(client) == (live, True)
    assert await status_counts(client, archived="only") == (archived, True)
    everything = {group: live[group] + archived[group] for group in GROUPS}
    assert await status_counts(client, archived="include") == (everything, True)
    stored = stored_counters(tenant)
    assert {g: stored[(g, False)] for g in GROUPS} == live
    assert {g: stored[(g, True)] for g in GROUPS} == archived


async def test_counters_follow_creates_status_changes_archives_and_restores(client, tenant):
    statuses = ["open", "open", "in_progress", "closed", "Pending"]
    cases = [await create(client, title=f"case {i}", status=s) for i, s in enumerate(statuses)]
    await assert_counters_right(client, tenant)
    await patch(client, cases[0], {"status": "in_progress"})
    await patch(client, cases[1], {"status": "closed"})
    await patch(client, cases[3], {"status": "open"})
    await assert_counters_right(client, tenant)
    # Within a group: the counts stay.
    await patch(client, cases[2], {"status": "On hold"})
    await patch(client, cases[4], {"severity": "high", "title": "renamed"})
    await assert_counters_right(client, tenant)
    assert (await client.delete(f"/cases/{cases[1]['id']}")).status_code == 204
    assert (await client.delete(f"/cases/{cases[2]['id']}")).status_code == 204
    await assert_counters_right(client, tenant)
    assert (await client.post(f"/cases/{cases[2]['id']}/restore")).status_code == 200
    await patch(client, cases[2], {"status": "closed"})
    await assert_counters_right(client, tenant)
    assert await status_counts(client) == ({"open": 1, "in_progress": 2, "closed": 1}, True)


async def test_counters_follow_bulk_status_changes_and_refused_items_change_nothing(client, tenant):
    cases = [await create(client, title=f"case {i}") for i in range(4)]
    items = [{"id": c["id"], "changes": {"status": "closed"}} for c in cases[:3]]
    items.append({"id": cases[3]["id"], "version": 99, "changes": {"status": "closed"}})
    response = await client.post("/cases/bulk", json={"items": items})
    assert [r["status"] for r in response.json()["results"]] == [200, 200, 200, 409]
    await assert_counters_right(client, tenant)
    assert await status_counts(client) == ({"open": 1, "in_progress": 0, "closed": 3}, True)


async def test_a_refused_status_change_leaves_the_counters_alone(client, tenant):
    case = await create(client, title="stale")
    await patch(client, case, {"title": "moved on"})
    response = await client.patch(f"/cases/{case['id']}", json={"status": "closed", "version": 1})
    assert response.status_code == 409
    await assert_counters_right(client, tenant)


async def test_counts_leave_the_status_filter_out_and_keep_the_others(client, tenant):
    ops = await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    assert ops.status_code == 201
    for status, project, tags in [("open", "SEC", ["a"]), ("closed", "SEC", ["a"]), ("closed", "OPS", ["a"]),
                                  ("in_progress", "OPS", []), ("open", "OPS", ["b"])]:  # fmt: skip
        await create(client, title="c", status=status, project=project, tags=tags)
    page = await listing(client, {"status": "closed", "status_counts": "true", "count": "true"})
    assert page["total"] == 2
    assert page["status_counts"] == {"open": 2, "in_progress": 1, "closed": 2}
    # By project: still the counters.
    ops_counts = {"open": 1, "in_progress": 1, "closed": 1}
    assert await status_counts(client, project="OPS", status="open") == (ops_counts, True)
    # Any other filter: the cases are counted.
    assert await status_counts(client, tag="a", status="open") == ({"open": 1, "in_progress": 0, "closed": 2}, True)
    assert await status_counts(client, tag="a", project="OPS") == ({"open": 0, "in_progress": 0, "closed": 1}, True)
    assert await status_counts(client, q="nothing") == ({"open": 0, "in_progress": 0, "closed": 0}, True)


async def test_counts_with_filters_stop_at_the_cap_unless_exact(client, tenant, monkeypatch):
    for status in ["open"] * 4 + ["closed"]:
        await create(client, title="c", status=status, severity="high")
    monkeypatch.setattr(counts, "STATUS_COUNT_CAP", 3)
    assert await status_counts(client, severity="high") == ({"open": 3, "in_progress": 0, "closed": 1}, False)
    exact = await listing(client, {"severity": "high", "status_counts": "true", "count": "exact"})
    assert (exact["status_counts"], exact["status_counts_exact"]) == ({"open": 4, "in_progress": 0, "closed": 1}, True)
    # Without filters the counters answer exactly, past the cap.
    assert await status_counts(client) == ({"open": 4, "in_progress": 0, "closed": 1}, True)


async def test_counters_never_cross_workspaces(client, tenant, other_client, other):
    await create(client, title="ours", status="closed")
    for _ in range(3):
        await create(other_client, title="theirs")
    assert await status_counts(client) == ({"open": 0, "in_progress": 0, "closed": 1}, True)
    assert await status_counts(other_client) == ({"open": 3, "in_progress": 0, "closed": 0}, True)


async def test_status_counts_are_null_unless_asked(client, tenant):
    await create(client, title="c")
    page = await listing(client)
    assert (page["status_counts"], page["status_counts_exact"]) == (None, None)


@pytest.mark.parametrize("value", ["maybe", "2"])
async def test_a_bad_status_counts_flag_is_refused(client, value):
    response = await client.get("/cases", params={"status_counts": value})
    assert response.status_code == 422


def test_status_counts_stop_sooner_than_totals():
    assert counts.STATUS_COUNT_CAP == 1_000 and counts.COUNT_CAP == 10_000
