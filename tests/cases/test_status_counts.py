"""GET /cases?status_counts=true: matching cases per status group over the same filters less status, from counters
kept in each write's transaction (create, status changes, archive, restore) or counted up to a cap."""

from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from casework.cases import counts, search
from casework.cases.models import STATUS_COUNT_COLUMNS, AssigneeCaseCount, CaseCount
from casework.cases.schemas import CaseFilter
from tests.cases.test_case_record import admin
from tests.cases.test_list import listing
from tests.conftest import Tenant
from tests.helpers import create, issued_statements, patch

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


# One assignee's counts: from assignee_case_counts, kept by the same writes and by assignee changes.


def stored_assignee_counters(tenant: Tenant, user) -> dict[tuple[str, bool], int]:  # type: ignore[no-untyped-def]
    def work(session):  # type: ignore[no-untyped-def]
        table = AssigneeCaseCount.__table__
        columns = [func.sum(table.c[name]) for name in STATUS_COUNT_COLUMNS.values()]
        query = select(*columns).where(table.c.workspace_id == tenant.workspace_id, table.c.user_id == user)
        return {key: int(value or 0) for key, value in zip(STATUS_COUNT_COLUMNS, session.execute(query).one())}

    return tenant.db.run_sync(work, write=False)  # type: ignore[no-any-return]


async def assert_assignee_counters_right(client: httpx.AsyncClient, tenant: Tenant, users) -> None:  # type: ignore[no-untyped-def]
    for user in users:
        live = await truth(client, assignee=str(user))
        archived = await truth(client, "only", assignee=str(user))
        assert await status_counts(client, assignee=str(user)) == (live, True)
        assert await status_counts(client, assignee=str(user), archived="only", status="closed") == (archived, True)
        stored = stored_assignee_counters(tenant, user)
        assert {g: stored[(g, False)] for g in GROUPS} == live
        assert {g: stored[(g, True)] for g in GROUPS} == archived


async def test_assignee_counters_follow_creates_assignments_status_changes_archives_and_deletes(client, tenant):
    ann, bob = tenant.add_member().id, tenant.add_member().id
    users = [ann, bob, tenant.admin.id]
    a = await create(client, title="a", assignees=[str(ann)])
    b = await create(client, title="b", assignees=[str(ann), str(bob)], status="in_progress")
    c = await create(client, title="c", status="closed")
    await assert_assignee_counters_right(client, tenant, users)
    assert await status_counts(client, assignee=str(ann)) == ({"open": 1, "in_progress": 1, "closed": 0}, True)
    # Assignees change alone, with the status, and the status alone.
    a = await patch(client, a, {"assignees": [str(bob)]})
    b = await patch(client, b, {"assignees": [str(ann)], "status": "closed"})
    c = await patch(client, c, {"assignees": [str(bob), str(tenant.admin.id)], "status": "open"})
    await patch(client, c, {"status": "in_progress"})
    await assert_assignee_counters_right(client, tenant, users)
    assert await status_counts(client, assignee=str(bob)) == ({"open": 1, "in_progress": 1, "closed": 0}, True)
    # Archive, restore, delete for good.
    assert (await client.delete(f"/cases/{a['id']}")).status_code == 204
    assert (await client.delete(f"/cases/{b['id']}")).status_code == 204
    assert (await client.post(f"/cases/{b['id']}/restore")).status_code == 200
    await assert_assignee_counters_right(client, tenant, users)
    assert (await client.delete(f"/cases/{b['id']}", params={"permanent": "true"})).status_code == 204
    await assert_assignee_counters_right(client, tenant, users)
    assert await status_counts(client, assignee=str(ann)) == ({"open": 0, "in_progress": 0, "closed": 0}, True)


async def test_assignee_counters_follow_bulk_changes_and_project_moves(client, tenant):
    ann = tenant.add_member().id
    assert (await client.post("/projects", json={"key": "OPS", "name": "Operations"})).status_code == 201
    cases = [await create(client, title=f"case {i}", assignees=[str(ann)]) for i in range(3)]
    items = [{"id": c["id"], "changes": {"status": "closed"}} for c in cases[:2]]
    items.append({"id": cases[2]["id"], "version": 99, "changes": {"assignees": []}})
    response = await client.post("/cases/bulk", json={"items": items})
    assert [r["status"] for r in response.json()["results"]] == [200, 200, 409]
    assert (await client.post(f"/cases/{cases[0]['id']}/move", json={"project": "OPS"})).status_code == 200
    await assert_assignee_counters_right(client, tenant, [ann])
    assert await status_counts(client, assignee=str(ann), project="OPS") == ({"open": 0, "in_progress": 0, "closed": 1}, True)
    assert await status_counts(client, assignee=str(ann), project="SEC") == ({"open": 1, "in_progress": 0, "closed": 1}, True)
    # The project's own counters moved too: the moved case leaves SEC's.
    assert await status_counts(client, project="OPS") == ({"open": 0, "in_progress": 0, "closed": 1}, True)
    assert await status_counts(client, project="SEC") == ({"open": 1, "in_progress": 0, "closed": 1}, True)


async def test_an_assignee_count_past_the_cap_is_exact_and_other_filters_still_count(client, tenant, monkeypatch):
    ann, bob = tenant.add_member().id, tenant.add_member().id
    for status in ["open"] * 4 + ["closed"]:
        await create(client, title="c", status=status, assignees=[str(ann)], tags=["t"])
    await create(client, title="c", assignees=[str(bob)])
    monkeypatch.setattr(counts, "STATUS_COUNT_CAP", 3)
    page = await listing(client, {"assignee": str(ann), "status": "open", "status_counts": "true", "count": "true"})
    assert (page["status_counts"], page["status_counts_exact"]) == ({"open": 4, "in_progress": 0, "closed": 1}, True)
    assert (page["total"], page["total_exact"]) == (4, True)
    # Two assignees, or an assignee and a tag: the counters no longer answer, the cases are counted.
    both = {"open": 3, "in_progress": 0, "closed": 1}
    assert await status_counts(client, assignee=[str(ann), str(bob)]) == (both, False)
    assert await status_counts(client, assignee=str(ann), tag="t") == (both, False)


async def test_a_project_whose_cases_were_deleted_for_good_can_be_deleted(client, tenant):
    assert (await client.post("/projects", json={"key": "OPS", "name": "Operations"})).status_code == 201
    case = await create(client, title="short-lived", project="OPS", assignees=[str(tenant.admin.id)])
    assert (await client.delete("/projects/OPS")).status_code == 409
    assert (await client.delete(f"/cases/{case['id']}", params={"permanent": "true"})).status_code == 204
    assert (await client.delete("/projects/OPS")).status_code == 204
    assert await status_counts(client) == ({"open": 0, "in_progress": 0, "closed": 0}, True)


async def test_a_list_with_its_total_and_its_status_counts_reads_the_counters_once(client, tenant):
    """Both come from the same counters: the list reads them once, and the total is the sum of the counts."""
    for status in ("open", "open", "in_progress", "closed"):
        await create(client, title=f"counted {status}", status=status)
    def work(session: Any) -> Any:
        return search.list_cases(session, admin(tenant), CaseFilter(), with_total=True, with_status_counts=True)

    with issued_statements(tenant.db.engine) as issued:
        page = tenant.db.run_sync(work, write=False)
    assert len([s for s in issued if "case_counts" in s.sql]) == 1
    assert page.status_counts == await truth(client)
    assert (page.total, page.total_exact, page.status_counts_exact) == (sum(page.status_counts.values()), True, True)
