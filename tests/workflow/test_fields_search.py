"""Listing cases by custom field values: `field=KEY OP VALUE` filters, `sort=field.KEY` with keyset pages and cases
without a value last in either order, keys resolved per project or across the workspace, 422 for what cannot be
read, and filters served by the (field_id, value) indexes."""

import uuid
from typing import Any

import pytest
from sqlalchemy import insert, literal_column, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from casework.cases.models import Case
from casework.pagination import encode_cursor
from casework.workflow.fields.models import CaseFieldValue
from casework.workflow.fields.search import filter_conditions
from tests.helpers import assert_problem, create
from tests.workflow.fields_support import define


async def keys(client, *filters: str, **params: Any) -> list[str]:
    """Keys of the cases the filters match, by number."""
    response = await client.get("/cases", params={"field": list(filters), "sort": "number", "order": "asc", **params})
    assert response.status_code == 200, response.text
    return [case["key"] for case in response.json()["items"]]


async def pages(client, sort: str, order: str, limit: int = 2, **params: Any) -> list[str]:
    """Every case key, page by page, and checks that no page repeats or skips one."""
    seen: list[str] = []
    cursor = None
    while True:
        query = {"sort": sort, "order": order, "limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/cases", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        seen += [case["key"] for case in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


@pytest.fixture
async def amounts(client) -> list[str]:
    """SEC-1..SEC-5 with amounts 50, 100, 150, none, 100."""
    await define(client, "amount", "number")
    keys_ = []
    for amount in (50, 100, 150, None, 100):
        keys_.append((await create(client, fields={} if amount is None else {"amount": amount}))["key"])
    return keys_


async def test_numbers_compare_with_every_operator(client, amounts):
    assert await keys(client, "amount=100") == ["SEC-2", "SEC-5"]
    assert await keys(client, "amount!=100") == ["SEC-1", "SEC-3"]
    assert await keys(client, "amount>100") == ["SEC-3"]
    assert await keys(client, "amount>=100") == ["SEC-2", "SEC-3", "SEC-5"]
    assert await keys(client, "amount<100") == ["SEC-1"]
    assert await keys(client, "amount<=100") == ["SEC-1", "SEC-2", "SEC-5"]
    assert await keys(client, "amount>=-5") == ["SEC-1", "SEC-2", "SEC-3", "SEC-5"]


async def test_all_filters_must_hold_together_and_with_the_other_filters(client, amounts):
    assert await keys(client, "amount>=100", "amount<150") == ["SEC-2", "SEC-5"]
    await client.patch("/cases/SEC-5", json={"tags": ["x"]})
    assert await keys(client, "amount>=100", tag="x") == ["SEC-5"]
    response = await client.get("/cases", params={"field": "amount>=100", "count": "true"})
    assert response.json()["total"] == 3


async def test_text_decimal_date_datetime_boolean_and_user_values_filter_by_their_type(client, tenant):
    member = tenant.add_member("agent")
    for key, field_type in [("team", "text"), ("price", "decimal"), ("due", "date"), ("seen", "datetime"), ("vip", "boolean"), ("owner", "user")]:
        await define(client, key, field_type)
    await create(client, fields={"team": "blue", "price": "9.99", "due": "2024-01-31", "seen": "2024-01-01T10:00:00+01:00", "vip": True, "owner": str(member.id)})
    await create(client, fields={"team": "red", "price": "10.5", "due": "2024-02-01", "seen": "2024-01-01T10:00:00Z", "vip": False})
    assert await keys(client, "team=blue") == ["SEC-1"]
    assert await keys(client, "team!=blue") == ["SEC-2"]
    assert await keys(client, "team>=c") == ["SEC-2"]
    assert await keys(client, "price>10") == ["SEC-2"]
    assert await keys(client, "price=9.990") == ["SEC-1"]
    assert await keys(client, "due<2024-02-01") == ["SEC-1"]
    # 10:00+01:00 is 09:00 UTC: before 10:00 UTC.
    assert await keys(client, "seen<2024-01-01T09:30:00Z") == ["SEC-1"]
    assert await keys(client, "seen=2024-01-01T11:00:00+01:00") == ["SEC-2"]
    assert await keys(client, "vip=true") == ["SEC-1"]
    assert await keys(client, "vip=false") == ["SEC-2"]
    assert await keys(client, f"owner={member.id}") == ["SEC-1"]


async def test_a_multi_select_matches_by_option_and_a_dependent_select_by_path_prefix(client):
    await define(client, "regions", "multi_select")
    await define(client, "place", "dependent_select")
    await create(client, fields={"regions": ["eu", "us"], "place": ["emea", "fr", "paris"]})
    await create(client, fields={"regions": ["us"], "place": ["emea", "de"]})
    await create(client, fields={"place": ["amer"]})
    assert await keys(client, "regions=us") == ["SEC-1", "SEC-2"]
    assert await keys(client, "regions=eu") == ["SEC-1"]
    # Has a value, and not that option: SEC-3 holds no regions at all.
    assert await keys(client, "regions!=eu") == ["SEC-2"]
    assert await keys(client, "place=emea") == ["SEC-1", "SEC-2"]
    assert await keys(client, "place=emea/fr") == ["SEC-1"]
    assert await keys(client, "place=emea/fr/paris") == ["SEC-1"]
    assert await keys(client, "place!=emea") == ["SEC-3"]


async def test_a_select_value_may_hold_an_equals_sign_free_key_and_the_rest_is_the_value(client):
    await define(client, "note")
    await create(client, fields={"note": "a=b>c"})
    assert await keys(client, "note=a=b>c") == ["SEC-1"]
    assert await keys(client, "note=") == []


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("nope=1", "unknown field nope"),
        ("amount~5", "operator"),
        ("amount", "operator"),
        ("Amount=5", "operator"),
        ("amount>=abc", "integer"),
        ("amount=1.5", "integer"),
        ("region>eu", "only = and !="),
        ("region=mars", "unknown option mars"),
        ("vip=yes", "true or false"),
    ],
)
async def test_a_filter_that_cannot_be_read_is_refused_naming_field(client, expression, reason):
    await define(client, "amount", "number")
    await define(client, "region", "select")
    await define(client, "vip", "boolean")
    body = assert_problem(await client.get("/cases", params={"field": expression}), 422, field="field")
    assert reason in body["errors"][0]["message"]


async def test_a_key_names_the_projects_field_or_every_field_of_that_key_in_the_workspace(client):
    assert (await client.post("/projects", json={"key": "OPS", "name": "Ops"})).status_code == 201
    await define(client, "region", "select")
    await define(client, "region", "select", path="/projects/OPS/fields", options=[{"id": "eu", "label": "EU"}])
    await create(client, fields={"region": "eu"})
    await create(client, project="OPS", fields={"region": "eu"})
    assert await keys(client, "region=eu") == ["SEC-1", "OPS-1"]
    assert await keys(client, "region=eu", project="OPS") == ["OPS-1"]
    # "us" is an option of SEC's field only: unknown in OPS.
    assert_problem(await client.get("/cases", params={"field": "region=us", "project": "OPS"}), 422, field="field")
    assert await keys(client, "region=us") == []


async def test_a_key_with_several_types_across_projects_needs_a_project(client):
    assert (await client.post("/projects", json={"key": "OPS", "name": "Ops"})).status_code == 201
    await define(client, "size", "number")
    await define(client, "size", "text", path="/projects/OPS/fields")
    await create(client, fields={"size": 3})
    assert_problem(await client.get("/cases", params={"field": "size=3"}), 422, field="field")
    assert_problem(await client.get("/cases", params={"sort": "field.size"}), 422, field="sort")
    assert await keys(client, "size=3", project="SEC") == ["SEC-1"]


async def test_another_workspaces_fields_and_values_are_out_of_reach(client, other_client):
    await define(client, "amount", "number")
    await create(client, fields={"amount": 5})
    assert_problem(await other_client.get("/cases", params={"field": "amount=5"}), 422, field="field")
    await define(other_client, "amount", "number")
    assert await keys(other_client, "amount=5") == []


async def test_sorting_by_a_field_pages_through_every_case_with_the_valueless_last(client, amounts):
    # Amounts: SEC-1 50, SEC-2 100, SEC-3 150, SEC-4 none, SEC-5 100; ties by id, in the order's direction.
    asc = await pages(client, "field.amount", "asc")
    desc = await pages(client, "field.amount", "desc")
    assert asc == ["SEC-1", "SEC-2", "SEC-5", "SEC-3", "SEC-4"]
    assert desc == ["SEC-3", "SEC-5", "SEC-2", "SEC-1", "SEC-4"]
    await create(client)
    assert await pages(client, "field.amount", "desc", limit=1) == ["SEC-3", "SEC-5", "SEC-2", "SEC-1", "SEC-6", "SEC-4"]
    assert await pages(client, "field.amount", "asc", limit=4) == ["SEC-1", "SEC-2", "SEC-5", "SEC-3", "SEC-4", "SEC-6"]
    assert await pages(client, "field.amount", "asc", limit=2, field="amount>=100") == ["SEC-2", "SEC-5", "SEC-3"]


async def test_text_and_dependent_select_fields_sort_by_their_text(client):
    await define(client, "team")
    await define(client, "place", "dependent_select")
    for team, place in [("b", ["emea", "fr"]), ("a", ["amer", "us"]), (None, ["emea"]), ("c", None)]:
        values = {k: v for k, v in (("team", team), ("place", place)) if v is not None}
        await create(client, fields=values)
    assert await pages(client, "field.team", "asc") == ["SEC-2", "SEC-1", "SEC-4", "SEC-3"]
    assert await pages(client, "field.place", "desc") == ["SEC-1", "SEC-3", "SEC-2", "SEC-4"]


async def test_a_sort_that_cannot_be_read_is_refused_naming_sort(client):
    await define(client, "regions", "multi_select")
    for sort in ("field.nope", "field.regions", "field.", "colour"):
        assert_problem(await client.get("/cases", params={"sort": sort}), 422, field="sort")


async def test_a_cursor_is_for_its_own_sort_only(client, amounts):
    first = (await client.get("/cases", params={"sort": "field.amount", "limit": 1})).json()
    assert_problem(await client.get("/cases", params={"sort": "updated", "cursor": first["next_cursor"]}), 422, field="cursor")
    for forged in (["field.amount", "desc", "fifty", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"], ["field.amount", "desc", True, "x"]):
        params = {"sort": "field.amount", "cursor": encode_cursor(forged)}
        assert_problem(await client.get("/cases", params=params), 422, field="cursor")


class Explain(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(Explain)
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN "
    return prefix + compiler.process(element.statement, **kw)


@pytest.mark.parametrize(
    ("expression", "index"),
    [("amount>=990", "ix_case_field_values_field_number"), ("team=v7", "ix_case_field_values_field_text")],
)
async def test_a_field_filter_is_served_by_the_field_value_index(client, tenant, expression, index):
    amount, team = await define(client, "amount", "number"), await define(client, "team")
    case = await create(client)

    def plan(session):  # type: ignore[no-untyped-def]
        # Enough values that the planner weighs its indexes (rows at positions past 0 stand for other cases).
        rows = [
            {"case_id": uuid.UUID(case["id"]), "field_id": uuid.UUID(field["id"]), "position": n,
             "workspace_id": tenant.workspace_id, "text_value": f"v{n}" if field is team else None,
             "number_value": float(n) if field is amount else None}
            for field in (amount, team)
            for n in range(1000)
        ]
        session.execute(insert(CaseFieldValue.__table__), rows)
        if session.bind.dialect.name == "postgresql":
            session.execute(text("ANALYZE case_field_values"))
            session.execute(text("SET LOCAL enable_seqscan = off"))
        conditions = filter_conditions(session, tenant.workspace_id, tenant.project_id, [expression], Case.id)
        # An untyped column: the plan's rows are read as they come, not as case ids.
        query = select(literal_column("1")).select_from(Case).where(Case.workspace_id == tenant.workspace_id, *conditions)
        return "\n".join(str(row[-1]) for row in session.execute(Explain(query)))

    assert index in tenant.db.run_sync(plan)
