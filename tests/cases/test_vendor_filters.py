"""GET /cases by the vendor case fields: owner, category, requester and attribute filters, and the category sort
(cases without a category last in either order), keyset-paged."""

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from casework.auth.service import SCOPES, Actor
from casework.cases import search
from casework.cases.schemas import CaseFilter
from tests.conftest import Tenant
from tests.cases.test_list import assert_refused, forged_cursor, key_set, walk
from tests.helpers import create, issued_statements, patch

# name -> fields; created in this order.
CASES: dict[str, dict[str, Any]] = {
    "a": {"owner": "securitySolution", "category": "beta", "requester": {"id": "101"},
          "attributes": {"env": ["prod"], "service": ["web", "db"]}},
    "b": {"owner": "observability", "category": "alpha", "requester": {"id": "102"},
          "attributes": {"env": ["prod"], "service": ["web"]}},
    "c": {"owner": "cases", "category": "beta", "attributes": {"env": ["dev"], "service": ["db"]}},
    "d": {"requester": {"id": "101", "name": "Dana"}, "attributes": {"env": ["prod:eu"]}},
    "e": {"category": "gamma"},
    "f": {},
}


@pytest.fixture
async def cases(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    return {name: await create(client, title=f"case {name}", **fields) for name, fields in CASES.items()}


def keys_of(cases: dict[str, dict[str, Any]], *names: str) -> set[str]:
    return {cases[n]["key"] for n in names}


@pytest.fixture(params=["small sets drive", "mixed", "large sets"])
def membership_strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite, attribute sets take part in the choice of the driving set as tag sets do; each plan must agree."""
    threshold = {"small sets drive": search.SMALL_SET, "mixed": 2, "large sets": 0}[request.param]
    monkeypatch.setattr(search, "SMALL_SET", threshold)


async def test_owner_filter_matches_any_of_its_values(client, cases):
    assert await key_set(client, {"owner": "securitySolution"}) == keys_of(cases, "a")
    assert await key_set(client, {"owner": "cases"}) == keys_of(cases, "c", "d", "e", "f")
    both = [("owner", "observability"), ("owner", "securitySolution")]
    assert await key_set(client, both) == keys_of(cases, "a", "b")
    assert await key_set(client, {"owner": "nobody"}) == set()


async def test_category_filter_matches_any_of_its_values(client, cases):
    assert await key_set(client, {"category": "beta"}) == keys_of(cases, "a", "c")
    assert await key_set(client, [("category", "alpha"), ("category", "gamma")]) == keys_of(cases, "b", "e")


async def test_requester_filter_follows_requester_id(client, cases):
    assert await key_set(client, {"requester": "101"}) == keys_of(cases, "a", "d")
    assert await key_set(client, [("requester", "102"), ("requester", "999")]) == keys_of(cases, "b")
    await patch(client, cases["d"], {"requester": {"id": "102"}})
    assert await key_set(client, {"requester": "101"}) == keys_of(cases, "a")
    assert await key_set(client, {"requester": "102"}) == keys_of(cases, "b", "d")


async def test_attribute_filters_must_all_hold(client, cases, membership_strategy):
    assert await key_set(client, {"attribute": "env:prod"}) == keys_of(cases, "a", "b")
    assert await key_set(client, {"attribute": "service:db"}) == keys_of(cases, "a", "c")
    assert await key_set(client, [("attribute", "env:prod"), ("attribute", "service:db")]) == keys_of(cases, "a")
    assert await key_set(client, [("attribute", "service:web"), ("attribute", "service:db")]) == keys_of(cases, "a")
    # Split at the first colon: the value may hold more.
    assert await key_set(client, {"attribute": "env:prod:eu"}) == keys_of(cases, "d")
    assert await key_set(client, {"attribute": "env:Prod"}) == set()
    both = [("attribute", "env:prod"), ("tag", "none-such")]
    assert await key_set(client, both) == set()


async def test_attribute_filter_follows_changes_and_archiving(client, cases):
    await patch(client, cases["a"], {"attributes": {"env": ["dev"], "service": ["web", "db"]}})
    assert await key_set(client, {"attribute": "env:prod"}) == keys_of(cases, "b")
    assert await key_set(client, {"attribute": "env:dev"}) == keys_of(cases, "a", "c")
    await patch(client, cases["b"], {"attributes": {}})
    assert await key_set(client, {"attribute": "env:prod"}) == set()
    assert (await client.delete(f"/cases/{cases['c']['id']}")).status_code == 204
    assert await key_set(client, {"attribute": "env:dev"}) == keys_of(cases, "a")


async def test_vendor_filters_combine_with_each_other(client, cases):
    params = [("owner", "cases"), ("requester", "101"), ("attribute", "env:prod:eu")]
    assert await key_set(client, params) == keys_of(cases, "d")
    assert await key_set(client, [("category", "beta"), ("attribute", "env:prod")]) == keys_of(cases, "a")


async def test_vendor_filters_never_cross_the_workspace(client, other_client, cases):
    await create(other_client, owner="securitySolution", category="beta", requester={"id": "101"}, attributes={"env": ["prod"]})
    for params in ({"owner": "securitySolution"}, {"category": "beta"}, {"requester": "101"}, {"attribute": "env:prod"}):
        assert (await key_set(client, params)) <= keys_of(cases, *CASES), params


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"owner": "has space"}, "owner"),
        ({"category": "c" * 51}, "category"),
        ({"category": "nul\u0000"}, "category"),
        ({"requester": "r" * 65}, "requester"),
        ({"attribute": "env"}, "attribute"),
        ({"attribute": ":prod"}, "attribute"),
        ({"attribute": "env:"}, "attribute"),
        ({"attribute": "env:nul\u0000"}, "attribute"),
        ([("owner", f"o{i}") for i in range(101)], "owner"),
        ([("attribute", f"k:{i}") for i in range(101)], "attribute"),
        ({"sort": "owner"}, "sort"),
    ],
)
async def test_bad_vendor_filters_are_422_naming_the_parameter(client, params, field):
    await assert_refused(client, params, field, nested=True)


# The category sort


def expected_by_category(cases: dict[str, dict[str, Any]], order: str) -> list[str]:
    """Cases with a category by (category, id) in `order`, then the others by id in `order`: ids are created in order."""
    named = sorted((c for c in cases.values() if c["category"]), key=lambda c: (c["category"], c["id"]), reverse=order == "desc")
    unnamed = sorted((c for c in cases.values() if not c["category"]), key=lambda c: c["id"], reverse=order == "desc")
    return [c["key"] for c in named + unnamed]


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 2, 3, 500])
async def test_category_sort_puts_cases_without_one_last_in_either_order_across_pages(client, cases, order, limit):
    items = await walk(client, [("sort", "category"), ("order", order), ("limit", limit)])
    assert [c["key"] for c in items] == expected_by_category(cases, order)


async def test_category_sort_works_with_filters_and_text_search(client, cases):
    items = await walk(client, [("sort", "category"), ("order", "desc"), ("limit", 1), ("owner", "cases")])
    assert [c["key"] for c in items] == [cases[n]["key"] for n in ("e", "c", "f", "d")]
    found = await walk(client, [("sort", "category"), ("limit", 1), ("q", "case"), ("attribute", "env:prod")])
    assert [c["key"] for c in found] == [cases[n]["key"] for n in ("a", "b")]


@pytest.mark.parametrize(
    "values",
    [
        ["updated", "desc", "beta", "00000000-0000-0000-0000-000000000000"],
        ["category", "asc", "beta", "00000000-0000-0000-0000-000000000000"],
        ["category", "desc", 5, "00000000-0000-0000-0000-000000000000"],
        ["category", "desc", "nul\u0000", "00000000-0000-0000-0000-000000000000"],
        ["category", "desc", None, "not-a-uuid"],
        ["category", "desc", None],
    ],
)
async def test_a_category_cursor_the_server_did_not_issue_is_422(client, cases, values):
    await assert_refused(client, {"sort": "category", "order": "desc", "cursor": forged_cursor(values)}, "cursor")


async def test_category_sort_counts_every_match(client, cases):
    page = (await client.get("/cases", params={"sort": "category", "limit": 2, "count": "true"})).json()
    assert page["total"] == len(CASES) and len(page["items"]) == 2


# Plans (the seeded PostgreSQL plans at scale are in test_query_plans.py)


def page_plan(tenant: Tenant, filters: CaseFilter, sort: str = "updated", order: str = "desc") -> str:
    """The plan of the page query list_cases issues; PostgreSQL is told to avoid sequential scans, which a table of a
    few rows would otherwise prefer: the question is whether an index can serve the query."""

    def work(session: Session) -> str:
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            session.execute(text("SET LOCAL enable_seqscan = off"))
        actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
        with issued_statements(tenant.db.engine) as issued:
            assert search.list_cases(session, actor, filters, sort, order, 2).items
        paged = [s for s in issued if re.search(r"\bLIMIT\b", s.sql) and re.search(r"\bFROM cases\b", s.sql)]
        statement, parameters, _ = paged[-1]
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        return "\n".join(str(row[-1]) for row in session.connection().exec_driver_sql(explain + statement, parameters))

    return tenant.db.run_sync(work, write=False)  # type: ignore[no-any-return]


async def test_the_attribute_filter_reads_the_attribute_index(tenant, cases):
    plan = page_plan(tenant, CaseFilter(attribute=["env:prod", "service:db"]))
    assert "ix_case_attributes_ws_key_value_case" in plan, plan


async def test_the_requester_filter_reads_the_requester_index(tenant, cases):
    plan = page_plan(tenant, CaseFilter(requester=["101"]))
    assert "ix_cases_ws_requester_updated" in plan, plan


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_the_category_sort_reads_the_category_index_in_its_order(tenant, cases, order):
    plan = page_plan(tenant, CaseFilter(), "category", order)
    assert "ix_cases_ws_category" in plan, plan
    assert not re.search(r"TEMP B-TREE|Sort", plan), plan
