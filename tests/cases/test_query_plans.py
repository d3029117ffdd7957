"""PostgreSQL's plans for the case list's heaviest queries, on a seeded dataset large enough for the planner to weigh
its indexes: text search and the status + assignee + tag list never read a big table from end to end.

The SQL is what list_cases issues (captured as it runs), explained in the same transaction."""

import os
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from casework.auth.service import SCOPES, Actor
from casework.cases.schemas import CaseFilter
from casework.cases import facets
from casework.cases.search import list_cases
from casework.db.database import Database
from casework.seed import SeedOptions, SeedResult, seed
from tests.conftest import SKIP_POSTGRES, fresh_database
from tests.helpers import issued_statements

pytestmark = pytest.mark.skipif(SKIP_POSTGRES, reason="PostgreSQL plans (CASEWORK_SKIP_POSTGRES=1)")

# Enough for the planner to weigh its indexes; CASEWORK_PLAN_CASES=1000000 checks the plans at the benchmark's scale.
CASES = int(os.environ.get("CASEWORK_PLAN_CASES", "30000"))
BIG_TABLES = ("cases", "comments", "case_tags", "case_assignees", "case_attributes")
PAGE = 50


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, SeedResult]]:
    with fresh_database("postgres", Path(tmp_path_factory.mktemp("plans"))) as db:
        # seed() ends with ANALYZE: the planner sees the data as it is.
        yield db, seed(db, SeedOptions(cases=CASES, comments_per_case_max=500))


def admin(session: Session, result: SeedResult) -> Actor:
    user_id = session.scalar(
        text("SELECT id FROM users WHERE workspace_id = :w AND role = 'admin'"), {"w": result.workspace_id}
    )
    return Actor(result.workspace_id, user_id, "admin", frozenset(SCOPES))


def page_plan(db: Database, result: SeedResult, filters: CaseFilter, sort: str = "updated", order: str = "desc") -> str:
    """EXPLAIN of the (last) page query list_cases runs for these filters (sorted by update unless told, limit 51)."""

    def work(session: Session) -> str:
        with issued_statements(db.engine) as issued:
            page = list_cases(session, admin(session, result), filters, sort, order, PAGE)
        assert page.items, "the plan of an empty list says little"
        paged = [s for s in issued if re.search(r"\bLIMIT\b", s.sql) and re.search(r"\bFROM cases\b", s.sql)]
        statement, parameters, _ = paged[-1]
        return "\n".join(row[0] for row in session.connection().exec_driver_sql("EXPLAIN " + statement, parameters))

    return db.run_sync(work, write=False)


def plans(db: Database, result: SeedResult, work: Any) -> list[str]:
    """EXPLAIN of every query work(session, actor) issues that reads a big table."""

    def explain(session: Session) -> list[str]:
        with issued_statements(db.engine) as issued:
            work(session, admin(session, result))
        big = re.compile(rf"\b({'|'.join(BIG_TABLES)})\b")
        reading = [s for s in issued if s.sql.lstrip().startswith(("SELECT", "WITH")) and big.search(s.sql)]
        connection = session.connection()
        explained = [connection.exec_driver_sql("EXPLAIN " + s.sql, s.parameters) for s in reading]
        return ["\n".join(row[0] for row in rows) for rows in explained]

    found = db.run_sync(explain, write=False)
    assert found, "no query read a big table"
    return found


def assert_no_full_scan(plan: str) -> None:
    for table in BIG_TABLES:
        assert not re.search(rf"Seq Scan on {table}\b", plan), plan


def document_frequency(db: Database, order: str) -> str:
    """The word of the seeded case texts in the fewest (asc) or the most (desc) cases."""
    query = f"SELECT word FROM ts_stat('SELECT search_vector FROM cases') ORDER BY ndoc {order}, word LIMIT 1"
    return db.run_sync(lambda session: session.scalar(text(query)), write=False)  # type: ignore[no-any-return]


def test_a_rare_word_is_found_through_both_search_indexes(seeded):
    db, result = seeded
    plan = page_plan(db, result, CaseFilter(q=document_frequency(db, "asc")))
    assert_no_full_scan(plan)
    assert "ix_cases_search" in plan and "ix_comments_search" in plan, plan


def test_a_common_word_walks_the_list_in_its_order(seeded):
    db, result = seeded
    plan = page_plan(db, result, CaseFilter(q=document_frequency(db, "desc")))
    assert_no_full_scan(plan)
    # Each case tested in update order until the page is full, rather than every match sorted.
    assert "ix_cases_ws_updated" in plan, plan


def test_the_status_assignee_and_tag_list_reads_no_big_table_whole(seeded):
    db, result = seeded

    def one_case(session: Session) -> tuple[str, uuid.UUID, str]:
        row = session.execute(
            text(
                "SELECT c.status, a.user_id, t.tag FROM cases c JOIN case_assignees a ON a.case_id = c.id "
                "JOIN case_tags t ON t.case_id = c.id WHERE c.workspace_id = :w AND c.status = 'open' "
                "ORDER BY c.updated_at DESC LIMIT 1"
            ),
            {"w": result.workspace_id},
        ).one()
        return row[0], row[1], row[2]

    status, assignee, tag = db.run_sync(one_case, write=False)
    assert_no_full_scan(page_plan(db, result, CaseFilter(status=[status], assignee=[assignee], tag=[tag])))


# The vendor case fields (the seed gives cases categories, requester ids and env/service attributes)


def a_requester(db: Database, result: SeedResult) -> str:
    query = "SELECT requester_id FROM cases WHERE workspace_id = :w AND requester_id IS NOT NULL LIMIT 1"
    return db.run_sync(lambda session: session.scalar(text(query), {"w": result.workspace_id}), write=False)  # type: ignore[no-any-return]


def test_a_rare_attribute_is_found_through_the_attribute_index(seeded):
    db, result = seeded
    plan = page_plan(db, result, CaseFilter(attribute=["service:svc-200"]))
    assert_no_full_scan(plan)
    assert "ix_case_attributes_ws_key_value_case" in plan, plan


def test_common_attributes_together_read_no_big_table_whole(seeded):
    db, result = seeded
    assert_no_full_scan(page_plan(db, result, CaseFilter(attribute=["env:prod", "service:svc-001"])))


def test_the_requester_list_uses_the_requester_index(seeded):
    db, result = seeded
    plan = page_plan(db, result, CaseFilter(requester=[a_requester(db, result)]))
    assert_no_full_scan(plan)
    assert "ix_cases_ws_requester_updated" in plan, plan


@pytest.mark.parametrize("filters", [{"owner": ["cases"]}, {"category": ["category-20"]}, {"category": ["category-01"]}])
def test_owner_and_category_lists_read_no_big_table_whole(seeded, filters):
    db, result = seeded
    assert_no_full_scan(page_plan(db, result, CaseFilter(**filters)))


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_the_category_sort_walks_the_category_index(seeded, order):
    db, result = seeded
    plan = page_plan(db, result, CaseFilter(), "category", order)
    assert_no_full_scan(plan)
    assert "ix_cases_ws_category" in plan and "Sort" not in plan, plan


# Finding cases: every sort, filter, paging mode and count reads along an index.


def a_case(db: Database, result: SeedResult) -> dict[str, Any]:
    """An open, assigned case of the seeded workspace, newest update first."""
    query = (
        "SELECT c.id, c.number, c.author_id, a.user_id, c.closed_at FROM cases c JOIN case_assignees a ON "
        "a.case_id = c.id WHERE c.workspace_id = :w AND c.status = 'closed' ORDER BY c.updated_at DESC LIMIT 1"
    )
    row = db.run_sync(lambda session: session.execute(text(query), {"w": result.workspace_id}).one(), write=False)
    return dict(row._mapping)


def listed(filters: CaseFilter, sort: str = "updated", order: str = "desc", **options: Any) -> Any:
    return lambda session, actor: list_cases(session, actor, filters, sort, order, **options)


@pytest.mark.parametrize("sort", ["title", "status", "severity", "closed"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_each_new_sort_pages_along_its_index(seeded, sort, order):
    db, result = seeded
    index = {"title": "ix_cases_ws_title", "status": "ix_cases_ws_status_rank", "severity": "ix_cases_ws_severity_rank",
             "closed": "ix_cases_ws_closed"}[sort]  # fmt: skip
    for plan in plans(db, result, listed(CaseFilter(), sort, order, limit=PAGE)):
        assert_no_full_scan(plan)
        assert index in plan, plan


@pytest.mark.parametrize("sort", ["updated", "title", "closed"])
def test_a_backwards_page_reads_along_the_index(seeded, sort):
    db, result = seeded
    first = db.run_sync(lambda session: listed(CaseFilter(), sort)(session, admin(session, result)), write=False)
    for plan in plans(db, result, listed(CaseFilter(), sort, "desc", ending_before=first.next_cursor)):
        assert_no_full_scan(plan)


@pytest.mark.parametrize("sort", ["updated", "closed"])
def test_page_two_hundred_by_number_reads_no_big_table_whole(seeded, sort):
    db, result = seeded
    for plan in plans(db, result, listed(CaseFilter(), sort, page=200, per_page=50, with_total=True)):
        assert_no_full_scan(plan)


def test_each_new_filter_reads_along_an_index(seeded):
    db, result = seeded
    case = a_case(db, result)
    filters = [
        CaseFilter(author=[case["author_id"]]),
        CaseFilter(author=[case["author_id"], case["user_id"]]),
        CaseFilter(type=["STANDARD"]),
        CaseFilter(id=[case["id"]]),
        CaseFilter(number=[case["number"], 1]),
        CaseFilter(metadata=["source=siem"]),
        CaseFilter(closed_after=case["closed_at"]),
        CaseFilter(closed_before=case["closed_at"], closed_after=case["closed_at"] - timedelta(days=1)),
        CaseFilter(assignee_none=[case["user_id"]]),
    ]
    for f in filters:
        for plan in plans(db, result, listed(f, limit=PAGE)):
            assert_no_full_scan(plan)


def test_status_counts_and_totals_read_the_counters_or_a_capped_range(seeded):
    db, result = seeded
    case = a_case(db, result)
    filters = [CaseFilter(), CaseFilter(status=["open"]), CaseFilter(assignee=[case["user_id"]]), CaseFilter(severity=["high"])]
    for f in filters:
        for plan in plans(db, result, listed(f, limit=PAGE, with_total=True, with_status_counts=True)):
            if plan.startswith("Aggregate"):
                # A count: it stops at the cap, whichever way it reads (a scan under a Limit ends there).
                assert re.match(r"Aggregate.*\n\s*->\s+Limit", plan), plan
            else:
                assert_no_full_scan(plan)


def test_distinct_tags_and_reporters_skip_through_their_indexes(seeded):
    db, result = seeded
    tags = plans(db, result, lambda session, actor: facets.list_tags(session, actor, None, 100))
    reporters = plans(db, result, lambda session, actor: facets.list_reporters(session, actor, None, 100))
    for plan in tags + reporters:
        assert_no_full_scan(plan)
    assert all("ix_case_tags_ws_tag_case" in plan for plan in tags), tags
