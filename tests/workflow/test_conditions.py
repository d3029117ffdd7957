"""Closure conditions: saved with their formula checked, evaluated when a case closes, overridable by managers."""

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from casework.auth.service import SCOPES, Actor
from casework.cases.records import case_record
from casework.cases.schemas import case_view
from casework.cases.service import find_case
from casework.projects.models import Project
from casework.workflow.conditions import evaluation as conditions
from casework.workflow.conditions.schemas import MAX_CONDITIONS, ClosureCondition
from casework.workflow.fields import service as fields
from casework.workflow.fields.schemas import FieldCreate
from casework.workflow.formula import MAX_SOURCE_LENGTH
from tests.conftest import Tenant
from tests.helpers import activity, api_client, assert_problem, create, patch, read
from tests.workflow.overrides_support import request_override

ASSIGNED = {"name": "assigned", "formula": "=SIZE(team_case.assignees) > 0"}
TAGGED = {"name": "tagged", "formula": '=INCLUDES(team_case.tags, "triaged")'}


# Saving: the schema


@pytest.mark.parametrize("source", ["=SIZE(team_case.assignees) > 0", "SIZE(team_case.assignees) > 0", " = TRUE"])
def test_a_formula_is_accepted_with_or_without_the_leading_equals(source: str) -> None:
    assert ClosureCondition(name="n", formula=source).formula == source


@pytest.mark.parametrize(
    ("source", "position"),
    [
        ("=SIZE(team_case.assignees > ", "line 1, column 28"),
        ("=IS_PRESENT(team_case.fields.cause) AND\n  FOO(1)", "line 2, column 3"),
        ("", "line 1, column 1"),
    ],
)
def test_a_syntax_error_names_its_line_and_column(source: str, position: str) -> None:
    with pytest.raises(ValidationError) as info:
        ClosureCondition(name="n", formula=source)
    (error,) = info.value.errors()
    assert error["loc"] == ("formula",)
    assert f"syntax error at {position}: " in error["msg"]


@pytest.mark.parametrize(
    "condition",
    [
        {"name": "", "formula": "=TRUE"},
        {"name": "   ", "formula": "=TRUE"},
        {"name": "x" * 101, "formula": "=TRUE"},
        {"name": "long", "formula": "=" + "1" * MAX_SOURCE_LENGTH},
        {"name": "extra", "formula": "=TRUE", "source": "case"},
    ],
)
def test_a_condition_needs_a_name_and_a_bounded_formula(condition: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ClosureCondition.model_validate(condition)


# The formula context and the evaluation


def _context(tenant: Tenant, case_id: str) -> dict[str, Any]:
    def work(session):  # type: ignore[no-untyped-def]
        case = find_case(session, tenant.workspace_id, case_id)
        return conditions.formula_context(session, case, case_view(case_record(case)))

    return tenant.db.run_sync(work)  # type: ignore[no-any-return]


def _results(tenant: Tenant, case_id: str, **view_changes: Any) -> list[conditions.ConditionResult]:
    def work(session):  # type: ignore[no-untyped-def]
        case = find_case(session, tenant.workspace_id, case_id)
        project = session.get_one(Project, case.project_id)
        return conditions.evaluate_conditions(session, case, project, {**case_view(case_record(case)), **view_changes})

    return tenant.db.run_sync(work)  # type: ignore[no-any-return]


async def test_formulas_see_assignees_as_users_tasks_and_named_status(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    case = await create(
        client, assignees=[str(tenant.admin.id)], tags=["phishing"], priority="P2", metadata={"source": "mail"}
    )
    for description in ("triage", "contain"):
        response = await client.post(f"/cases/{case['id']}/tasks", json={"description": description})
        assert response.status_code == 201, response.text
    task_id = response.json()["id"]
    response = await client.patch(f"/cases/{case['id']}/tasks/{task_id}", json={"completed": True})
    assert response.status_code == 200, response.text

    team_case = _context(tenant, case["id"])
    assert team_case["assignees"] == [{"id": str(tenant.admin.id), "email": "admin@example.com", "name": "Admin"}]
    assert [(t["title"], t["completed"], t["status"]) for t in team_case["tasks"]] == [
        ("triage", False, "open"),
        ("contain", True, "completed"),
    ]
    assert (team_case["status"], team_case["status_group"], team_case["status_category"]) == ("Open", "open", "open")
    assert (team_case["priority"], team_case["tags"], team_case["metadata"]) == ("P2", ["phishing"], {"source": "mail"})
    assert team_case["fields"] == {} and team_case["key"] == case["key"]


async def test_conditions_are_evaluated_case_first_then_project(client: httpx.AsyncClient, tenant: Tenant) -> None:
    tenant.db.run_sync(lambda s: setattr(s.get_one(Project, tenant.project_id), "closure_conditions", [TAGGED]))
    case = await create(client, closure_conditions=[ASSIGNED])
    results = _results(tenant, case["id"])
    assert [(r.name, r.source, r.passed, r.error) for r in results] == [
        ("assigned", "case", False, None),
        ("tagged", "project", False, None),
    ]
    results = _results(tenant, case["id"], assignees=[str(tenant.admin.id)], tags=["triaged"])
    assert all(r.passed for r in results)


async def test_a_formula_failing_at_run_time_fails_its_condition_with_the_error(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    broken = {"name": "due soon", "formula": "=team_case.due_date < NOW()"}  # no due date: null < date
    case = await create(client, closure_conditions=[broken, ASSIGNED], assignees=[str(tenant.admin.id)])
    first, second = _results(tenant, case["id"])
    assert (first.name, first.passed) == ("due soon", False)
    assert first.error == "cannot compare null with date"
    assert (second.passed, second.error) == (True, None)


async def test_a_name_failing_twice_is_listed_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    tenant.db.run_sync(lambda s: setattr(s.get_one(Project, tenant.project_id), "closure_conditions", [ASSIGNED]))
    case = await create(client, closure_conditions=[ASSIGNED, TAGGED])

    def work(session):  # type: ignore[no-untyped-def]
        found = find_case(session, tenant.workspace_id, case["id"])
        project = session.get_one(Project, found.project_id)
        return conditions.failing_conditions(session, found, project, case_view(case_record(found)))

    assert tenant.db.run_sync(work) == ["assigned", "tagged"]


# Saving through the API


async def test_a_case_keeps_its_conditions_as_written(client: httpx.AsyncClient) -> None:
    case = await create(client, closure_conditions=[ASSIGNED, {"name": "no equals", "formula": "TRUE"}])
    assert case["closure_conditions"] == [ASSIGNED, {"name": "no equals", "formula": "TRUE"}]
    assert (await read(client, case))["closure_conditions"] == case["closure_conditions"]


async def test_a_syntax_error_is_refused_at_save_time_with_its_position(client: httpx.AsyncClient) -> None:
    bad = {"name": "broken", "formula": "=SIZE(team_case.assignees > "}
    response = await client.post("/cases", json={"title": "t", "closure_conditions": [ASSIGNED, bad]})
    body = assert_problem(response, 422, "closure_conditions.1.formula")
    (error,) = body["errors"]
    assert error["message"].startswith("syntax error at line 1, column 28: unexpected end of formula")

    case = await create(client)
    changes = {"closure_conditions": [{"name": "x", "formula": "1 +"}]}
    response = await client.patch(f"/cases/{case['id']}", json=changes)
    assert "line 1, column 4" in assert_problem(response, 422, "closure_conditions.0.formula")["errors"][0]["message"]

    changes = {"closure_conditions": [{"name": "x", "formula": "=FOO(1)"}]}
    response = await client.patch("/projects/SEC", json=changes)
    body = assert_problem(response, 422, "closure_conditions.0.formula")
    assert body["errors"][0]["message"] == "syntax error at line 1, column 2: unknown function FOO"


async def test_condition_names_are_unique_and_at_most_fifty(client: httpx.AsyncClient) -> None:
    response = await client.post("/cases", json={"title": "t", "closure_conditions": [ASSIGNED, ASSIGNED]})
    assert "assigned" in assert_problem(response, 422, "closure_conditions")["detail"]
    many = [{"name": f"c{i}", "formula": "=TRUE"} for i in range(MAX_CONDITIONS + 1)]
    response = await client.post("/cases", json={"title": "t", "closure_conditions": many})
    assert_problem(response, 422, "closure_conditions")
    fifty = many[:MAX_CONDITIONS]
    assert (await create(client, closure_conditions=fifty))["closure_conditions"] == fifty


# Closing


async def test_closing_with_failing_conditions_is_refused_listing_them(client: httpx.AsyncClient) -> None:
    case = await create(client, closure_conditions=[ASSIGNED, TAGGED, {"name": "always", "formula": "=TRUE"}])
    response = await client.patch(f"/cases/{case['id']}", json={"status": "closed"})
    body = assert_problem(response, 409)
    assert body["failing_conditions"] == ["assigned", "tagged"]
    assert "assigned, tagged" in body["detail"]
    after = await read(client, case)
    assert (after["status"], after["version"], after["closed_at"]) == ("open", case["version"], None)


async def test_a_case_closes_once_its_conditions_hold(client: httpx.AsyncClient, tenant: Tenant) -> None:
    case = await create(client, closure_conditions=[ASSIGNED, TAGGED])
    # The conditions are checked on the case as it will be: the same write may make them true.
    closed = await patch(client, case, {"status": "closed", "assignees": [str(tenant.admin.id)], "tags": ["triaged"]})
    assert closed["status"] == "closed" and closed["closed_at"] is not None


async def test_a_case_created_closed_must_meet_its_conditions(client: httpx.AsyncClient) -> None:
    response = await client.post("/cases", json={"title": "t", "status": "closed", "closure_conditions": [ASSIGNED]})
    assert assert_problem(response, 409)["failing_conditions"] == ["assigned"]


async def test_project_conditions_apply_to_every_case(client: httpx.AsyncClient) -> None:
    response = await client.patch("/projects/SEC", json={"closure_conditions": [TAGGED]})
    assert response.status_code == 200, response.text
    first, second = await create(client), await create(client, closure_conditions=[ASSIGNED])
    response = await client.patch(f"/cases/{first['id']}", json={"status": "closed"})
    assert assert_problem(response, 409)["failing_conditions"] == ["tagged"]
    response = await client.patch(f"/cases/{second['id']}", json={"status": "closed"})
    assert assert_problem(response, 409)["failing_conditions"] == ["assigned", "tagged"]
    assert (await patch(client, first, {"status": "closed", "tags": ["triaged"]}))["status"] == "closed"


async def test_each_empty_required_field_blocks_closing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
    for key, kind in (("cause", "text"), ("impact", "number"), ("notes", "text")):
        definition = FieldCreate(key=key, label=key.title(), type=kind, required_to_close=key != "notes")
        tenant.db.run_sync(lambda s, d=definition: fields.create_field(s, actor, "SEC", d))
    case = await create(client, closure_conditions=[ASSIGNED], fields={"impact": 3})
    response = await client.patch(f"/cases/{case['id']}", json={"status": "closed"})
    assert assert_problem(response, 409)["failing_conditions"] == ["assigned", "required field: cause"]
    conditions_now = (await client.get(f"/cases/{case['id']}/closure")).json()["conditions"]
    assert conditions_now[-1] == {
        "name": "required field: cause",
        "formula": None,
        "source": "required_field",
        "passed": False,
        "error": None,
    }
    changes = {"status": "closed", "assignees": [str(tenant.admin.id)], "fields": {"cause": "phishing"}}
    assert (await patch(client, case, changes))["status"] == "closed"


@pytest.mark.parametrize("role", ["manager", "admin"])
async def test_a_manager_or_admin_may_override_and_it_is_logged(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, role: str
) -> None:
    case = await create(client, closure_conditions=[ASSIGNED, TAGGED])
    member = tenant.admin if role == "admin" else tenant.add_member(role)
    async with api_client(app, member.headers) as as_member:
        closed = await patch(as_member, case, {"status": "closed", "override_closure_conditions": True})
    assert closed["status"] == "closed"
    entries = [e for e in await activity(client, case) if e["action"] == "closure_conditions_overridden"]
    assert len(entries) == 1
    assert entries[0]["actor_id"] == str(member.id)
    assert entries[0]["changes"]["conditions"] == [["assigned", "tagged"], None]


async def test_an_override_with_nothing_failing_logs_nothing(client: httpx.AsyncClient) -> None:
    case = await create(client, closure_conditions=[{"name": "always", "formula": "=TRUE"}])
    await patch(client, case, {"status": "closed", "override_closure_conditions": True})
    assert "closure_conditions_overridden" not in [e["action"] for e in await activity(client, case)]


async def test_an_agent_cannot_override(app: FastAPI, client: httpx.AsyncClient, tenant: Tenant) -> None:
    case = await create(client, closure_conditions=[ASSIGNED])
    async with api_client(app, tenant.add_member("agent").headers) as agent:
        changes = {"status": "closed", "override_closure_conditions": True}
        response = await agent.patch(f"/cases/{case['id']}", json=changes)
    assert_problem(response, 403)
    assert (await read(client, case))["status"] == "open"


# Where a case stands


async def test_the_closure_endpoint_shows_each_condition(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.patch("/projects/SEC", json={"closure_conditions": [TAGGED]})
    assert response.status_code == 200, response.text
    broken = {"name": "due", "formula": "=team_case.due_date < NOW()"}
    case = await create(client, closure_conditions=[ASSIGNED, broken], assignees=[str(tenant.admin.id)])
    response = await client.get(f"/cases/{case['key']}/closure")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "closable": False,
        "pending_override": False,
        "conditions": [
            {"name": "assigned", "formula": ASSIGNED["formula"], "source": "case", "passed": True, "error": None},
            {
                "name": "due",
                "formula": broken["formula"],
                "source": "case",
                "passed": False,
                "error": "cannot compare null with date",
            },
            {"name": "tagged", "formula": TAGGED["formula"], "source": "project", "passed": False, "error": None},
        ],
    }


async def test_a_case_without_conditions_is_closable(client: httpx.AsyncClient) -> None:
    case = await create(client)
    response = await client.get(f"/cases/{case['id']}/closure")
    assert response.json() == {"closable": True, "pending_override": False, "conditions": []}


async def test_a_pending_override_request_makes_the_case_not_closable_until_decided(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    requested = await request_override(client, case, [reviewer.id])
    report = (await client.get(f"/cases/{case['id']}/closure")).json()
    assert (report["closable"], report["pending_override"]) == (False, True)
    decided = await client.post(
        f"/cases/{case['id']}/actions", json={"type": "refuse", "override": requested["id"]}, headers=reviewer.headers
    )
    assert decided.status_code == 201, decided.text
    report = (await client.get(f"/cases/{case['id']}/closure")).json()
    assert (report["closable"], report["pending_override"]) == (True, False)


async def test_the_closure_endpoint_stays_in_its_workspace(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: FastAPI, tenant: Tenant
) -> None:
    case = await create(client)
    assert_problem(await other_client.get(f"/cases/{case['id']}/closure"), 404)
    assert_problem(await client.get(f"/cases/{uuid.uuid4()}/closure"), 404)
    async with api_client(app, tenant.add_member("viewer").headers) as viewer:
        assert (await viewer.get(f"/cases/{case['id']}/closure")).status_code == 200


# In French


async def test_condition_errors_answer_in_french(client: httpx.AsyncClient) -> None:
    french = {"Accept-Language": "fr"}
    bad = {"title": "t", "closure_conditions": [{"name": "x", "formula": "=FOO(1)"}]}
    body = assert_problem(await client.post("/cases", json=bad, headers=french), 422, "closure_conditions.0.formula")
    assert body["errors"][0]["message"] == "erreur de syntaxe ligne 1, colonne 2 : fonction FOO inconnue"

    broken = {"name": "due", "formula": "=team_case.due_date < NOW()"}
    case = await create(client, closure_conditions=[ASSIGNED, broken])
    response = await client.patch(f"/cases/{case['id']}", json={"status": "closed"}, headers=french)
    body = assert_problem(response, 409)
    assert body["title"] == "Conditions de clôture non remplies"
    assert body["detail"].endswith("ces conditions de clôture ne sont pas remplies : assigned, due")
    assert body["failing_conditions"] == ["assigned", "due"]

    response = await client.get(f"/cases/{case['id']}/closure", headers=french)
    assert response.headers["content-language"] == "fr"
    assert response.json()["conditions"][1]["error"] == "impossible de comparer les types null et date"
