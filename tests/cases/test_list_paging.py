"""GET /cases: page-number paging, backwards cursors (ending_before), the sorts by title, status, severity and
closing time, and capped or exact totals."""

import uuid
from typing import Any

import httpx
import pytest

from casework.auth.service import SCOPES, Actor
from casework.cases import counts, paging, search
from casework.cases.schemas import CaseFilter
from casework.errors import InvalidInput
from tests.conftest import Tenant
from tests.cases.test_list import forged_cursor, listing
from tests.helpers import assert_problem, create, patch

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
STATUS_RANK = {"open": 0, "in_progress": 1, "closed": 2}
PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5, None: 6}
SORTS = ["number", "created", "updated", "priority", "title", "status", "severity", "closed"]


def sort_key(case: dict[str, Any], sort: str, order: str) -> tuple[Any, ...]:
    """Where a case sorts, as a key for sorted(..., reverse=order == "desc"); closed: cases never closed last."""
    tie = uuid.UUID(case["id"]).int
    if sort == "closed":
        never = case["closed_at"] is None
        # Cases without a closing time come last either way, in id order of the list.
        return (not never if order == "desc" else never, case["closed_at"] or "", tie)
    value = {
        "number": lambda: case["number"],
        "created": lambda: case["created_at"],
        "updated": lambda: case["updated_at"],
        "priority": lambda: PRIORITY_RANK[case["priority"]],
        "title": lambda: case["title"],
        "status": lambda: STATUS_RANK[case["status"]],
        "severity": lambda: SEVERITY_RANK[case["severity"]],
    }[sort]()
    return (value, tie)


def expected_order(cases: list[dict[str, Any]], sort: str, order: str) -> list[str]:
    return [c["id"] for c in sorted(cases, key=lambda c: sort_key(c, sort, order), reverse=order == "desc")]


@pytest.fixture
async def mixed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Eleven cases with repeated titles, statuses, severities and priorities; some closed."""
    specs = [
        ("bravo", "open", "high", "P2"),
        ("alpha", "closed", "low", None),
        ("charlie", "in_progress", "critical", "P1"),
        ("alpha", "open", "medium", "P2"),
        ("delta", "closed", "high", "P5"),
        ("bravo", "in_progress", "low", None),
        ("echo", "open", "critical", "P3"),
        ("alpha", "closed", "medium", "P1"),
        ("charlie", "open", "low", "P4"),
        ("delta", "in_progress", "high", "P2"),
        ("echo", "closed", "critical", None),
    ]
    cases = []
    for title, status, severity, priority in specs:
        cases.append(await create(client, title=title, status=status, severity=severity, priority=priority))
    # One closed later than it was created, so closing order differs from creation order.
    cases[1] = await patch(client, cases[1], {"status": "open"})
    cases[1] = await patch(client, cases[1], {"status": "closed"})
    return cases


async def pages(
    client: httpx.AsyncClient, params: list[tuple[str, Any]], key: str, start: str | None
) -> list[list[str]]:
    """The ids of each page, following `key` (next_cursor as cursor, or prev_cursor as ending_before)."""
    found, position = [], start
    parameter = "cursor" if key == "next_cursor" else "ending_before"
    for _ in range(100):
        page = await listing(client, [*params, *([(parameter, position)] if position else [])])
        found.append([c["id"] for c in page["items"]])
        position = page[key]
        if position is None:
            return found
    raise AssertionError("paging did not end")


# Sorts


@pytest.mark.parametrize("sort", ["title", "status", "severity", "closed"])
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_new_sorts_order_every_case_and_page_in_that_order(client, mixed, sort, order):
    params = [("sort", sort), ("order", order)]
    everything = (await listing(client, [*params, ("limit", 500)]))["items"]
    assert [c["id"] for c in everything] == expected_order(mixed, sort, order)
    for limit in (1, 3, 4):
        walked = await pages(client, [*params, ("limit", limit)], "next_cursor", None)
        assert [i for page in walked for i in page] == expected_order(mixed, sort, order), f"limit={limit}"


async def test_status_sorts_by_group_in_workflow_order_and_severity_from_low_to_critical(client, mixed):
    by_status = (await listing(client, {"sort": "status", "order": "asc", "limit": 500}))["items"]
    assert [c["status"] for c in by_status] == sorted((c["status"] for c in mixed), key=STATUS_RANK.__getitem__)
    by_severity = (await listing(client, {"sort": "severity", "order": "desc", "limit": 500}))["items"]
    assert [c["severity"] for c in by_severity][:3] == ["critical"] * 3
    assert [c["severity"] for c in by_severity][-3:] == ["low"] * 3


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_closed_sort_puts_cases_never_closed_last_in_either_order(client, mixed, order):
    listed = (await listing(client, {"sort": "closed", "order": order, "limit": 500}))["items"]
    closed = [c["closed_at"] for c in listed if c["closed_at"]]
    assert [c["closed_at"] for c in listed[: len(closed)]] == sorted(closed, reverse=order == "desc")
    assert all(c["closed_at"] is None for c in listed[len(closed) :])


async def test_closed_sort_with_a_status_filter_lists_the_same_cases_as_without(client, mixed):
    for groups in (["open"], ["closed"], ["open", "closed"], ["in_progress", "open"]):
        params = [("status", g) for g in groups] + [("sort", "closed"), ("limit", 500)]
        listed = [c["id"] for c in (await listing(client, params))["items"]]
        assert listed == [i for i in expected_order(mixed, "closed", "desc") if
                          next(c for c in mixed if c["id"] == i)["status"] in groups]  # fmt: skip


async def test_sort_by_title_follows_title_changes(client, mixed):
    await patch(client, mixed[6], {"title": "aaa first"})
    listed = (await listing(client, {"sort": "title", "order": "asc", "limit": 1}))["items"]
    assert listed[0]["id"] == mixed[6]["id"]


@pytest.mark.parametrize(
    "sort, value",
    [("title", 12), ("title", "x" * 161), ("title", "a\x00b"), ("status", "open"), ("severity", 2**40),
     ("closed", "yesterday"), ("closed", 5), ("status", 1.5)],
)  # fmt: skip
async def test_garbage_in_a_new_sorts_cursor_is_refused_naming_cursor(client, mixed, sort, value):
    cursor = forged_cursor([sort, "asc", value, str(uuid.uuid4())])
    for parameter in ("cursor", "ending_before"):
        response = await client.get("/cases", params={"sort": sort, "order": "asc", parameter: cursor})
        assert_problem(response, 422, "cursor")


# Backwards


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_ending_before_walks_back_through_the_same_pages_in_the_same_order(client, mixed, sort, order):
    params = [("sort", sort), ("order", order), ("limit", 3)]
    forward = await pages(client, params, "next_cursor", None)
    last = await listing(client, [*params, ("cursor", await _cursor_before_last_page(client, params))])
    assert [c["id"] for c in last["items"]] == forward[-1]
    backward = await pages(client, params, "prev_cursor", last["prev_cursor"])
    assert backward == forward[-2::-1]


async def _cursor_before_last_page(client: httpx.AsyncClient, params: list[tuple[str, Any]]) -> str:
    cursor, previous = None, None
    while True:
        page = await listing(client, [*params, *([("cursor", cursor)] if cursor else [])])
        if page["next_cursor"] is None:
            return previous  # type: ignore[return-value]
        previous, cursor = page["next_cursor"], page["next_cursor"]


async def test_prev_cursor_is_null_on_the_first_page_and_the_first_page_read_backwards(client, mixed):
    first = await listing(client, {"limit": 4})
    assert first["prev_cursor"] is None
    second = await listing(client, {"limit": 4, "cursor": first["next_cursor"]})
    back = await listing(client, {"limit": 4, "ending_before": second["prev_cursor"]})
    assert [c["id"] for c in back["items"]] == [c["id"] for c in first["items"]]
    assert back["prev_cursor"] is None
    assert back["next_cursor"] is not None


async def test_ending_before_a_cursor_of_another_sort_is_refused(client, mixed):
    page = await listing(client, {"sort": "number", "limit": 2})
    response = await client.get("/cases", params={"sort": "title", "ending_before": page["next_cursor"]})
    assert_problem(response, 422, "cursor")


async def test_cursor_and_ending_before_together_are_refused(client, mixed):
    page = await listing(client, {"limit": 2})
    params = {"cursor": page["next_cursor"], "ending_before": page["next_cursor"]}
    assert_problem(await client.get("/cases", params=params), 422, "ending_before")


# Page numbers


async def test_pages_by_number_cover_the_list_in_order_with_the_total(client, mixed):
    everything = [c["id"] for c in (await listing(client, {"sort": "title", "limit": 500}))["items"]]
    found = []
    for number in (1, 2, 3):
        page = await listing(client, {"sort": "title", "page": number, "per_page": 4})
        assert (page["page"], page["per_page"], page["total"], page["total_exact"]) == (number, 4, 11, True)
        found.extend(c["id"] for c in page["items"])
    assert found == everything
    beyond = await listing(client, {"sort": "title", "page": 4, "per_page": 4})
    assert (beyond["items"], beyond["total"], beyond["next_cursor"]) == ([], 11, None)


async def test_a_numbered_page_gives_cursors_to_page_on_either_way(client, mixed):
    everything = [c["id"] for c in (await listing(client, {"sort": "severity", "limit": 500}))["items"]]
    second = await listing(client, {"sort": "severity", "page": 2, "per_page": 3})
    after = await listing(client, {"sort": "severity", "limit": 3, "cursor": second["next_cursor"]})
    before = await listing(client, {"sort": "severity", "limit": 3, "ending_before": second["prev_cursor"]})
    assert [c["id"] for c in before["items"] + second["items"] + after["items"]] == everything[:9]


async def test_page_defaults_to_fifty_and_count_false_leaves_the_total_out(client, mixed):
    page = await listing(client, {"page": 1})
    assert (page["per_page"], len(page["items"]), page["total"]) == (50, 11, 11)
    assert (await listing(client, {"page": 1, "count": "false"}))["total"] is None
    assert (await listing(client, {"per_page": 5}))["page"] == 1


async def test_pages_by_number_with_filters_text_search_and_a_field_free_sort(client, mixed):
    await patch(client, mixed[0], {"description": "ransomware on a laptop"})
    await patch(client, mixed[3], {"description": "more ransomware"})
    page = await listing(client, {"q": "ransomware", "page": 2, "per_page": 1, "sort": "number", "order": "asc"})
    assert [c["id"] for c in page["items"]] == [mixed[3]["id"]]
    assert page["total"] == 2
    closed = await listing(client, {"status": "closed", "page": 2, "per_page": 2, "sort": "closed"})
    status = {c["id"]: c["status"] for c in mixed}
    expected = [i for i in expected_order(mixed, "closed", "desc") if status[i] == "closed"]
    assert [c["id"] for c in closed["items"]] == expected[2:4]


@pytest.mark.parametrize("per_page", [1, 2, 3, 5])
async def test_pages_by_number_of_the_closed_sort_cross_from_closed_cases_to_the_others(client, mixed, per_page):
    expected = expected_order(mixed, "closed", "asc")
    found: list[str] = []
    for number in range(1, 13):
        found.extend(c["id"] for c in (await listing(client, {"sort": "closed", "order": "asc", "page": number,
                                                              "per_page": per_page}))["items"])  # fmt: skip
    assert found == expected


async def test_pages_reach_no_further_than_the_first_ten_thousand_cases(client):
    assert (await client.get("/cases", params={"page": 200, "per_page": 50})).status_code == 200
    assert_problem(await client.get("/cases", params={"page": 201, "per_page": 50}), 422, "page")
    assert_problem(await client.get("/cases", params={"page": 101, "per_page": 100}), 422, "page")


@pytest.mark.parametrize(
    "params, field",
    [({"page": 0}, "page"), ({"page": -1}, "page"), ({"page": "two"}, "page"), ({"per_page": 0}, "per_page"),
     ({"per_page": 101}, "per_page"), ({"page": 1, "limit": 10}, "limit"), ({"page": 1, "cursor": "x"}, "page"),
     ({"page": 1, "ending_before": "x"}, "page"), ({"count": "maybe"}, "count")],
)  # fmt: skip
async def test_bad_paging_is_refused_naming_the_field(client, params, field):
    assert_problem(await client.get("/cases", params=params), 422, field)


# Totals


async def test_total_counts_up_to_the_cap_unless_exact_is_asked(client, mixed, monkeypatch):
    monkeypatch.setattr(counts, "COUNT_CAP", 3)
    filtered = {"severity": ["low", "medium", "high", "critical"]}
    capped = await listing(client, {**filtered, "count": "true"})
    assert (capped["total"], capped["total_exact"]) == (3, False)
    exact = await listing(client, {**filtered, "count": "exact"})
    assert (exact["total"], exact["total_exact"]) == (11, True)
    few = await listing(client, {"severity": "critical", "count": "true"})
    assert (few["total"], few["total_exact"]) == (3, True)
    assert (await listing(client, {"severity": "high", "count": "true"}))["total_exact"] is True


async def test_total_without_filters_beyond_status_groups_comes_exact_from_the_counters(client, mixed, monkeypatch):
    monkeypatch.setattr(counts, "COUNT_CAP", 3)
    assert (await listing(client, {"count": "true"}))["total"] == 11
    both = await listing(client, [("status", "open"), ("status", "closed"), ("count", "true")])
    assert (both["total"], both["total_exact"]) == (8, True)
    # Named statuses (not groups) are not counted apart: the cases are counted, up to the cap.
    named = await listing(client, [("status", "In progress"), ("status", "Closed"), ("count", "true")])
    assert (named["total"], named["total_exact"]) == (3, False)


def test_the_page_window_is_kibanas():
    assert paging.MAX_PAGE_WINDOW == 10_000 and paging.MAX_PER_PAGE == 100


@pytest.mark.parametrize(
    "arguments, field",
    [({"page": 0}, "page"), ({"per_page": 0}, "per_page"), ({"page": 1, "per_page": 101}, "per_page"),
     ({"page": 201, "per_page": 50}, "page"), ({"page": 1, "limit": 5}, "limit"), ({"cursor": "a", "ending_before": "b"},
     "ending_before")],
)  # fmt: skip
def test_paging_refuses_what_does_not_page_for_every_caller_not_just_http(arguments, field):
    call = {"limit": None, "cursor": None, "ending_before": None, "page": None, "per_page": None} | arguments
    with pytest.raises(InvalidInput) as refused:
        paging.paging_of(**call)
    assert [error.field for error in refused.value.errors] == [field]


# Deep pages: past the window for callers that ask (the Datadog dialect), walked by keyset windows.


def _deep_page(tenant: Tenant, sort: str, order: str, number: int, per_page: int, **filters: Any) -> list[str]:
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))

    def work(session):  # type: ignore[no-untyped-def]
        found = search.list_cases(
            session, actor, CaseFilter(**filters), sort, order, page=number, per_page=per_page, deep_pages=True
        )
        return [str(record.id) for record in found.items]

    return tenant.db.run_sync(work)


@pytest.mark.parametrize("sort", ["created", "title", "status", "closed"])
@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("per_page", [1, 2, 4])
async def test_deep_pages_walk_past_the_window_in_the_sorts_order(tenant, mixed, monkeypatch, sort, order, per_page):
    monkeypatch.setattr(paging, "MAX_PAGE_WINDOW", 3)
    found: list[str] = []
    for number in range(1, 13):
        found.extend(_deep_page(tenant, sort, order, number, per_page))
    assert found == expected_order(mixed, sort, order)
    assert _deep_page(tenant, sort, order, 40, per_page) == []


async def test_deep_pages_keep_the_filters_and_the_text_search(tenant, mixed, monkeypatch):
    monkeypatch.setattr(paging, "MAX_PAGE_WINDOW", 2)
    expected = expected_order([c for c in mixed if c["title"] in ("alpha", "bravo")], "created", "desc")
    pages_of_one = [_deep_page(tenant, "created", "desc", n, 1, q="alpha bravo", q_match="any") for n in range(1, 7)]
    assert [i for page in pages_of_one for i in page] == expected
    open_ones = expected_order([c for c in mixed if c["status"] == "open"], "title", "asc")
    assert [i for n in range(1, 5) for i in _deep_page(tenant, "title", "asc", n, 1, status=["open"])] == open_ones


async def test_without_deep_pages_the_window_still_bounds_numbered_pages(client, mixed, monkeypatch):
    monkeypatch.setattr(paging, "MAX_PAGE_WINDOW", 4)
    assert (await client.get("/cases", params={"page": 2, "per_page": 2})).status_code == 200
    assert_problem(await client.get("/cases", params={"page": 3, "per_page": 2}), 422, "page")
