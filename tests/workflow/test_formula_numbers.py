"""Formula numbers stay within a double's range: a larger literal is refused at save time, a larger result fails
its condition, and neither is ever a 500 when a case closes."""

import httpx

from casework.projects.models import Project
from tests.conftest import Tenant
from tests.helpers import assert_problem, create, patch

PAST_DOUBLE = "1" + "0" * 400  # an integer past 1.8e308
NEAR_DOUBLE = "9" * 300  # an integer a double holds


async def test_an_integer_past_a_double_is_refused_at_save_time_with_its_position(client: httpx.AsyncClient) -> None:
    condition = {"name": "big", "formula": f"=SIZE(team_case.tags) < {PAST_DOUBLE}"}
    response = await client.post("/cases", json={"title": "t", "closure_conditions": [condition]})
    message = assert_problem(response, 422, "closure_conditions.0.formula")["errors"][0]["message"]
    assert message.startswith("syntax error at line 1, column 25: number out of range")
    response = await client.patch("/projects/SEC", json={"closure_conditions": [condition]})
    assert_problem(response, 422, "closure_conditions.0.formula")
    case = await create(client)
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"closure_conditions": [condition]}), 422)


async def test_a_result_past_a_double_fails_its_condition_and_blocks_closing(client: httpx.AsyncClient) -> None:
    overflowing = {"name": "overflow", "formula": f"={NEAR_DOUBLE} * {NEAR_DOUBLE} > 0"}
    large = {"name": "large", "formula": f"={NEAR_DOUBLE}"}
    case = await create(client, closure_conditions=[overflowing, large])
    body = assert_problem(await client.patch(f"/cases/{case['id']}", json={"status": "closed"}), 409)
    assert body["failing_conditions"] == ["overflow"]
    report = await client.get(f"/cases/{case['id']}/closure")
    assert report.status_code == 200, report.text
    errors = [(c["name"], c["passed"], c["error"]) for c in report.json()["conditions"]]
    assert errors == [("overflow", False, "the number is out of range"), ("large", True, None)]


async def test_a_stored_project_formula_past_a_double_fails_closing_with_409_not_500(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # Saved before the rule existed: it fails as a condition, and a manager may still override it.
    stored = [{"name": "stored", "formula": f"={PAST_DOUBLE}"}]
    tenant.db.run_sync(lambda s: setattr(s.get_one(Project, tenant.project_id), "closure_conditions", stored))
    case = await create(client)
    body = assert_problem(await client.patch(f"/cases/{case['id']}", json={"status": "closed"}), 409)
    assert body["failing_conditions"] == ["stored"]
    report = (await client.get(f"/cases/{case['id']}/closure")).json()
    assert report["conditions"][0]["error"].startswith("number out of range")
    closed = await patch(client, case, {"status": "closed", "override_closure_conditions": True})
    assert closed["status"] == "closed"
