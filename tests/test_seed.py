"""`casework seed-data`: a seeded workspace reads through the API like one built by hand, on both databases."""

import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from casework.app import create_app
from casework.cli import app as cli

from casework.db.database import Database
from casework.settings import Settings
from casework.seed import PROJECT_KEY, TABLES, Generator, SeedOptions, SeedResult, Setup, Status, seed
from tests.helpers import api_client, bearer
from tests.servers import empty_database

CASES = 300
HOT_COMMENTS = 60
# Small batches, so that several batches are written.
OPTIONS = SeedOptions(cases=CASES, workspace_name="Seeded", comments_per_case_max=HOT_COMMENTS, alerts=900, batch=128)


@pytest.fixture(scope="module")
def seeded(db: Database) -> SeedResult:
    return seed(db, OPTIONS)


@pytest.fixture
async def api(app: FastAPI, seeded: SeedResult) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app, bearer(seeded.token)) as client:
        yield client


async def every(api: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await api.get(path, params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


async def test_seeded_cases_list_with_consecutive_numbers_and_keys(api: httpx.AsyncClient, seeded: SeedResult) -> None:
    cases = [c for c in await every(api, "/cases", sort="created", order="asc") if c["number"] <= CASES]
    assert [c["number"] for c in cases] == list(range(1, CASES + 1))
    assert [c["key"] for c in cases] == [f"{PROJECT_KEY}-{n}" for n in range(1, CASES + 1)]
    assert seeded.rows["cases"] == CASES
    for case in cases:
        assert case["updated_at"] >= case["created_at"]
        assert len(case["title"].split()) == 6
        assert 1 <= len(case["tags"]) <= 2
        assert (case["closed_at"] is not None) == (case["status"] == "closed")
    # Spread, not constant: several statuses, priorities and severities occur.
    assert len({c["status_name"] for c in cases}) >= 4
    assert len({c["priority"] for c in cases}) >= 4
    assert len({c["severity"] for c in cases}) >= 3


async def test_comment_counts_equal_the_comments_listed(api: httpx.AsyncClient, seeded: SeedResult) -> None:
    hot, *_ = seeded.hot_cases
    assert seeded.quiet_case is not None
    for key in (hot, seeded.quiet_case, f"{PROJECT_KEY}-1", f"{PROJECT_KEY}-2", f"{PROJECT_KEY}-3"):
        case = (await api.get(f"/cases/{key}")).json()
        comments = await every(api, f"/cases/{key}/comments")
        assert case["counts"]["comments"] == len(comments), key
    assert (await api.get(f"/cases/{hot}")).json()["counts"]["comments"] == HOT_COMMENTS
    assert (await api.get(f"/cases/{seeded.quiet_case}")).json()["counts"]["comments"] == 0


async def test_alert_counts_equal_the_alerts_listed_and_alerts_find_their_case(api: httpx.AsyncClient, seeded: SeedResult) -> None:
    cases = await every(api, "/cases")
    with_alerts = [c for c in cases if c["counts"]["alerts"]]
    assert with_alerts and len(with_alerts) < len(cases)
    assert sum(c["counts"]["alerts"] for c in cases) == seeded.alerts == seeded.rows["case_alerts"]
    busiest = max(with_alerts, key=lambda c: c["counts"]["alerts"])
    alerts = await every(api, f"/cases/{busiest['key']}/alerts")
    assert len(alerts) == busiest["counts"]["alerts"]
    found = (await api.get(f"/alerts/{alerts[0]['alert_id']}/cases")).json()["items"]
    assert [c["key"] for c in found] == [busiest["key"]]


async def test_filters_by_status_assignee_and_tag_find_seeded_cases(api: httpx.AsyncClient) -> None:
    cases = await every(api, "/cases")
    sample = next(c for c in cases if c["assignees"])
    assignee, tag, status = sample["assignees"][0], sample["tags"][0], sample["status_name"]
    expected = {
        c["key"] for c in cases if c["status_name"] == status and assignee in c["assignees"] and tag in c["tags"]
    }
    found = await every(api, "/cases", status=status, assignee=assignee, tag=tag)
    assert {c["key"] for c in found} == expected
    assert sample["key"] in expected


async def test_field_values_are_searchable(api: httpx.AsyncClient) -> None:
    cases = await every(api, "/cases")
    by_region = Counter(c["fields"].get("region") for c in cases)
    assert len(by_region) >= 4
    eu = await every(api, "/cases", field="region=eu")
    assert {c["key"] for c in eu} == {c["key"] for c in cases if c["fields"].get("region") == "eu"}
    big = await every(api, "/cases", field="amount>=1000")
    assert {c["key"] for c in big} == {c["key"] for c in cases if c["fields"].get("amount", 0) >= 1000}


async def test_a_case_created_afterwards_takes_the_next_number(api: httpx.AsyncClient) -> None:
    response = await api.post("/cases", json={"title": "After the seed"})
    assert response.status_code == 201, response.text
    assert response.json()["number"] == CASES + 1
    assert response.json()["key"] == f"{PROJECT_KEY}-{CASES + 1}"


def _constraints(session: Session) -> dict[str, Any]:
    inspector = inspect(session.connection())
    return {
        table: (
            sorted(inspector.get_indexes(table), key=lambda i: str(i["name"])),
            sorted(inspector.get_foreign_keys(table), key=lambda k: str(k["name"])),
            inspector.get_pk_constraint(table),
            sorted(inspector.get_unique_constraints(table), key=lambda u: str(u["name"])),
        )
        for table in TABLES
    }


def test_seeding_leaves_every_index_and_foreign_key_in_place(db: Database, seeded: SeedResult) -> None:
    before = db.run_sync(_constraints)
    seed(db, SeedOptions(cases=20, workspace_name="Another seed", comments_per_case_max=5))
    assert db.run_sync(_constraints) == before
    assert all(indexes and foreign_keys for indexes, foreign_keys, _, _ in before.values())


async def test_the_command_migrates_seeds_and_prints_a_working_token(backend: str, tmp_path: Path, settings: Settings) -> None:
    with empty_database(backend, tmp_path) as url:
        args = ["seed-data", "--cases", "30", "--comments-per-case-max", "5", "--alerts", "60", "--json"]
        result = CliRunner().invoke(cli, args, env={"CASEWORK_DATABASE_URL": url})
        assert result.exit_code == 0, f"{result.stdout}{result.stderr}{result.exception!r}"
        printed = json.loads(result.stdout)
        assert printed["rows"]["cases"] == 30 and printed["project_key"] == PROJECT_KEY
        database = Database(url)
        try:
            async with api_client(create_app(settings, database), bearer(printed["token"])) as api:
                page = (await api.get("/cases", params={"count": "true"})).json()
                assert page["total"] == 30
                assert (await api.get("/me")).json()["workspace_id"] == printed["workspace_id"]
        finally:
            database.dispose()


# The generator alone: no database.


def _setup() -> Setup:
    statuses = {
        key: Status(uuid.uuid4().hex, key.title(), group, "open")
        for key, group in [("new", "open"), ("open", "open"), ("in_progress", "in_progress"), ("pending", "in_progress"),
                           ("on_hold", "in_progress"), ("resolved", "closed"), ("closed", "closed")]
    }
    agents = [uuid.uuid4().hex for _ in range(200)]
    return Setup(uuid.uuid4(), uuid.uuid4(), agents[0], agents, statuses, uuid.uuid4().hex, uuid.uuid4().hex, "token")


def test_the_same_seed_gives_the_same_rows() -> None:
    setup, options = _setup(), SeedOptions(cases=500, comments_per_case_max=50)
    first = Generator(setup, options, 1_760_000_000_000, postgres=False).batch(0, 500)
    again = Generator(setup, options, 1_760_000_000_000, postgres=False).batch(0, 500)
    other = Generator(setup, SeedOptions(cases=500, comments_per_case_max=50, seed=7), 1_760_000_000_000, False).batch(0, 500)
    assert first == again
    assert first["cases"] != other["cases"]


def test_content_is_skewed_as_in_real_desks() -> None:
    cases = 5_000
    generator = Generator(_setup(), SeedOptions(cases=cases, comments_per_case_max=300, alerts=20_000), 1_760_000_000_000, False)
    rows = generator.batch(0, cases)
    assert set(rows) == set(TABLES)
    comments = sorted(c["comment_count"] for c in rows["cases"])
    assert comments[cases // 2] <= 1 and comments[cases * 9 // 10] <= 3 and comments[-1] == 300
    tags = Counter(t["tag"] for t in rows["case_tags"]).most_common()
    assert tags[0][1] > 20 * tags[-1][1]
    alerts = sorted(c["alert_count"] for c in rows["cases"])
    assert alerts[cases // 2] == 0 and alerts[-1] > 100
    assert sum(alerts) == len(rows["case_alerts"])
    # Ids keep time order within a case's comments, as the API's oldest-first pages expect.
    by_case: dict[str, list[dict[str, Any]]] = {}
    for comment in rows["comments"]:
        by_case.setdefault(comment["case_id"], []).append(comment)
    for items in by_case.values():
        assert [c["id"] for c in items] == sorted(c["id"] for c in items)
        assert [c["created_at"] for c in items] == sorted(c["created_at"] for c in items)


async def test_seeded_status_counts_match_the_cases_per_project_and_per_assignee(api: httpx.AsyncClient) -> None:
    cases = await every(api, "/cases")
    assignees = Counter(a for c in cases for a in c["assignees"])
    busiest = assignees.most_common(1)[0][0]
    for filters, subset in (({}, cases), ({"assignee": busiest}, [c for c in cases if busiest in c["assignees"]])):
        response = await api.get("/cases", params={**filters, "status_counts": "true", "limit": 1})
        found = Counter(c["status"] for c in subset)
        expected = {group: found[group] for group in ("open", "in_progress", "closed")}
        assert (response.json()["status_counts"], response.json()["status_counts_exact"]) == (expected, True)
