"""Every native operation answers as /openapi.json documents it: a documented status, media type and body.

Every answer the tests' shared clients receive is checked (tests/conformance.py); here one workspace holding one of
everything is built through the API itself, so that the set of operations called must be the set the document
lists.
"""

import base64
from datetime import timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.conformance import Nonconformity, checking
from tests.conftest import Tenant
from tests.helpers import api_client

NATIVE = "/api/v1"
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
PLACES = [{"id": "emea", "label": "EMEA", "children": [{"id": "fr", "label": "France"}]}]
SEC = {"ref": "SEC"}
REGIONS = [{"id": "eu", "label": "Europe"}, {"id": "us", "label": "United States"}]


async def load_document(client: httpx.AsyncClient) -> OpenApiSchema:
    response = await client.get("http://test/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


def native_operations(schema: OpenApiSchema) -> set[str]:
    labels = {result.ok().label for result in schema.get_all_operations()}
    return {label for label in labels if label.split(" ", 1)[1].startswith(NATIVE)}


def nonconformities(
    schema: OpenApiSchema, method: str, template: str, response: httpx.Response, path: dict[str, Any] | None = None
) -> list[str]:
    """What schemathesis finds wrong with `response` as the answer of the documented operation."""
    case = schema[template][method].Case(path_parameters=path or {})
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        return [f"{failure.title}: {failure.message}" for failure in group.exceptions]
    except AssertionError as exc:
        return [str(exc)]
    return []


class Api:
    """Calls the native API and checks each answer against the document; remembers which operations it called."""

    def __init__(self, schema: OpenApiSchema, client: httpx.AsyncClient) -> None:
        self.schema = schema
        self.client = client
        self.called: set[str] = set()
        self.failures: list[str] = []

    def as_(self, client: httpx.AsyncClient) -> "Api":
        other = Api(self.schema, client)
        other.called, other.failures = self.called, self.failures
        return other

    async def __call__(self, method: str, template: str, status: int = 200, /, **kwargs: Any) -> Any:
        path = kwargs.pop("path", {})
        response = await self.client.request(method, template.format(**path), **kwargs)
        await response.request.aread()  # schemathesis reads the request a multipart upload streamed
        label = f"{method} {NATIVE}{template}"
        assert response.status_code == status, f"{label}: {response.status_code} {response.text[:500]}"
        self.called.add(label)
        for problem in nonconformities(self.schema, method, NATIVE + template, response, path):
            self.failures.append(f"{label} {response.status_code}: {problem}")
        if "json" in response.headers.get("content-type", ""):
            return response.json()
        return response


def forged(status: int, body: Any, path: str = "/projects/SEC") -> httpx.Response:
    response = httpx.Response(status, json=body, request=httpx.Request("GET", f"http://test{NATIVE}{path}"))
    response.elapsed = timedelta(0)
    return response


async def test_a_body_that_drifts_from_its_model_is_reported(client: httpx.AsyncClient) -> None:
    schema = await load_document(client)
    project = (await client.get("/projects/SEC")).json()

    def check(response: httpx.Response) -> list[str]:
        return nonconformities(schema, "GET", "/api/v1/projects/{ref}", response, SEC)

    assert check(forged(200, project)) == []
    assert check(forged(200, {**project, "name": 7}))
    assert check(forged(200, {k: v for k, v in project.items() if k != "key"}))
    assert check(forged(418, project))


async def test_a_native_answer_the_document_does_not_describe_fails_the_test_that_got_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    check = checking(app)["response"][0]
    project = (await client.get("/projects/SEC")).json()
    await check(forged(200, project))
    with pytest.raises(Nonconformity, match=r"^GET /api/v1/projects/SEC answered 418, .*\nUndocumented status code"):
        await check(forged(418, project))
    with pytest.raises(Nonconformity, match=r"^GET /api/v1/projects/SEC answered 200, .*\nResponse violates schema"):
        await check(forged(200, {**project, "name": 7}))
    # No operation takes an unknown path: none describes its answer.
    await check(forged(404, {}, "/nowhere"))


def test_a_new_native_operation_is_one_more_to_exercise() -> None:
    ok = {"responses": {"200": {"description": "ok"}}}
    paths = {"/api/v1/new": {"get": ok, "post": ok}, "/healthz": {"get": ok}}
    info = {"title": "t", "version": "1"}
    document = schemathesis.openapi.from_dict({"openapi": "3.1.0", "info": info, "paths": paths})
    assert native_operations(document) == {"GET /api/v1/new", "POST /api/v1/new"}


async def test_every_native_operation_answers_as_documented(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    schema = await load_document(client)
    api = Api(schema, client)
    reviewer = tenant.add_member("reviewer")
    async with api_client(app, reviewer.headers) as reviewer_client:
        await exercise(api, api.as_(reviewer_client), tenant)
    assert not api.failures, "\n".join(api.failures)
    assert api.called == native_operations(schema)


async def exercise(api: Api, reviewer_api: Api, tenant: Tenant) -> None:
    admin = str(tenant.admin.id)
    await api("GET", "/me")
    user = await api("POST", "/users", 201, json={"email": "agent@example.com", "name": "Agent", "role": "agent"})
    await api("GET", "/users")
    await api("GET", "/users/{user_id}", path={"user_id": user["id"]})
    await api("PATCH", "/users/{user_id}", path={"user_id": user["id"]}, json={"name": "Agent Smith"})

    await configure_project(api, admin)
    case_type = await configure_types(api)
    case, other = await make_cases(api, admin, user["id"], case_type)
    await case_content(api, case, other, user["id"])
    await review(api, reviewer_api, case, str(reviewer_api_user(tenant)))
    await credentials(api, user["id"])
    await case_lifecycle(api, case, other)


def reviewer_api_user(tenant: Tenant) -> Any:
    return next(member.id for member in tenant.members if member.role == "reviewer")


async def configure_project(api: Api, admin: str) -> None:
    ops = await api("POST", "/projects", 201, json={"key": "OPS", "name": "Operations", "description": "Ops"})
    spare = await api("POST", "/projects", 201, json={"key": "TMP", "name": "Spare"})
    await api("GET", "/projects")
    await api("GET", "/projects/{ref}", path={"ref": ops["id"]})
    conditions = [{"name": "assigned", "formula": "=SIZE(team_case.assignees) > 0"}]
    await api(
        "PATCH",
        "/projects/{ref}",
        path={"ref": "SEC"},
        json={"description": "Security cases", "closure_conditions": conditions, "sla_warning_percent": 70},
    )
    await api("DELETE", "/projects/{ref}", 204, path={"ref": spare["id"]})

    status = await api(
        "POST", "/projects/{ref}/statuses", 201, path={"ref": "SEC"},
        json={"name": "Triage", "colour": "#aabbcc", "group": "in_progress", "category": "open"},
    )
    await api("GET", "/projects/{ref}/statuses/{status_ref}", path={"ref": "SEC", "status_ref": status["id"]})
    status_ref = {"ref": "SEC", "status_ref": status["id"]}
    await api("PATCH", "/projects/{ref}/statuses/{status_ref}", path=status_ref, json={"name": "Triaged"})
    statuses = await api("GET", "/projects/{ref}/statuses", path={"ref": "SEC"})
    await api("GET", "/projects/{ref}/transitions", path={"ref": "SEC"})
    names = [s["name"] for s in (statuses["items"] if isinstance(statuses, dict) else statuses)]
    transitions = [{"from": a, "to": b} for a in names for b in names if a != b]
    await api("PUT", "/projects/{ref}/transitions", path={"ref": "SEC"}, json={"transitions": transitions})
    await api("PUT", "/projects/{ref}/transitions", path={"ref": "SEC"}, json={"transitions": []})
    await api("DELETE", "/projects/{ref}/statuses/{status_ref}", 204, path={"ref": "SEC", "status_ref": status["id"]})

    policies = [
        {"sla_type": "response", "priority": "P2", "target_seconds": 3600, "pause_when_pending": True},
        {"sla_type": "completion", "priority": None, "target_seconds": 86400},
    ]
    await api("PUT", "/projects/{ref}/slas", path={"ref": "SEC"}, json={"policies": policies, "warning_percent": 80})
    await api("GET", "/projects/{ref}/slas", path={"ref": "SEC"})

    for key, field_type in FIELD_TYPES.items():
        await api("POST", "/projects/{ref}/fields", 201, path={"ref": "SEC"}, json=field_body(key, field_type))
    await api("GET", "/projects/{ref}/fields", path={"ref": "SEC"})
    await api("GET", "/projects/{ref}/fields/{key}", path={"ref": "SEC", "key": "region"})
    await api("PATCH", "/projects/{ref}/fields/{key}", path={"ref": "SEC", "key": "region"}, json={"label": "Area"})
    await api("POST", "/projects/{ref}/fields", 201, path={"ref": "SEC"}, json=field_body("spare", "text"))
    await api("DELETE", "/projects/{ref}/fields/{key}", 204, path={"ref": "SEC", "key": "spare"})


FIELD_TYPES = {
    "note": "text",
    "summary": "long_text",
    "count": "number",
    "amount": "decimal",
    "confirmed": "boolean",
    "urgent": "toggle",
    "seen_on": "date",
    "seen_at": "datetime",
    "source": "url",
    "region": "select",
    "regions": "multi_select",
    "place": "dependent_select",
    "handler": "user",
}


def field_body(key: str, field_type: str) -> dict[str, Any]:
    options = {"select": REGIONS, "multi_select": REGIONS, "dependent_select": PLACES}.get(field_type, [])
    return {"key": key, "label": key.title(), "type": field_type, "options": options}


def field_values(user_id: str) -> dict[str, Any]:
    return {
        "note": "n",
        "summary": "a longer text",
        "count": 3,
        "amount": "12.50",
        "confirmed": True,
        "urgent": False,
        "seen_on": "2026-01-02",
        "seen_at": "2026-01-02T03:04:05Z",
        "source": "https://example.com/x",
        "region": "eu",
        "regions": ["eu", "us"],
        "place": ["emea", "fr"],
        "handler": user_id,
    }


async def configure_types(api: Api) -> dict[str, Any]:
    prefill = {"description": "Prefilled", "priority": "P3", "severity": "low", "tags": ["prefill"]}
    body = {"name": "Fraud", "description": "Fraud cases", "emoji": "🕵", "prefill": prefill}
    case_type = await api("POST", "/projects/{ref}/types", 201, path={"ref": "SEC"}, json=body)
    await api("GET", "/projects/{ref}/types", path={"ref": "SEC"}, params={"include_deleted": "true"})
    await api("GET", "/projects/{ref}/types/{type_ref}", path={"ref": "SEC", "type_ref": case_type["id"]})
    type_ref = {"ref": "SEC", "type_ref": case_type["id"]}
    await api("PATCH", "/projects/{ref}/types/{type_ref}", path=type_ref, json={"active": True})
    spare = await api("POST", "/projects/{ref}/types", 201, path={"ref": "SEC"}, json={"name": "Spare"})
    await api("DELETE", "/projects/{ref}/types/{type_ref}", 204, path={"ref": "SEC", "type_ref": spare["id"]})

    shared = await api("POST", "/types", 201, json={"name": "Phishing", "prefill": prefill})
    await api("GET", "/types", params={"include_deleted": "true"})
    await api("GET", "/types/{type_ref}", path={"type_ref": shared["id"]})
    await api("PATCH", "/types/{type_ref}", path={"type_ref": shared["id"]}, json={"description": "Shared"})
    spare = await api("POST", "/types", 201, json={"name": "Spare shared"})
    await api("DELETE", "/types/{type_ref}", 204, path={"type_ref": spare["id"]})

    type_ref = {"type_ref": case_type["id"]}
    body = {**field_body("channel", "select"), "required": False}
    await api("POST", "/types/{type_ref}/fields", 201, path=type_ref, json=body)
    await api("GET", "/types/{type_ref}/fields", path=type_ref)
    await api("GET", "/types/{type_ref}/fields/{key}", path={**type_ref, "key": "channel"})
    await api("PATCH", "/types/{type_ref}/fields/{key}", path={**type_ref, "key": "channel"}, json={"label": "Way in"})
    await api("POST", "/types/{type_ref}/fields", 201, path=type_ref, json=field_body("spare", "text"))
    await api("DELETE", "/types/{type_ref}/fields/{key}", 204, path={**type_ref, "key": "spare"})
    return case_type  # type: ignore[no-any-return]


async def make_cases(api: Api, admin: str, user_id: str, case_type: dict[str, Any]) -> tuple[dict, dict]:
    body = {
        "title": "Card fraud",
        "description": "A **suspicious** payment",
        "priority": "P2",
        "severity": "high",
        "type": case_type["id"],
        "assignees": [admin],
        "tags": ["fraud", "card"],
        "requester": {"name": "Ann", "email": "ann@example.com", "type": "customer", "id": "c-1"},
        "due_date": "2026-12-31T00:00:00Z",
        "external_refs": {"ticket": "T-1"},
        "metadata": {"source": "test"},
        "fields": {**field_values(user_id), "channel": "eu"},
        "closure_conditions": [{"name": "tagged", "formula": '=INCLUDES(team_case.tags, "fraud")'}],
        "category": "payments",
        "opened_at": "2026-01-01T00:00:00Z",
        "attributes": {"team": ["red"]},
        "vendor_data": {"datadog": {"x": 1}},
        "project": "SEC",
        "author": admin,
    }
    case = await api("POST", "/cases", 201, json=body)
    other = await api("POST", "/cases", 201, json={"title": "Related"})
    ref = {"ref": case["id"]}
    await api("GET", "/cases/{ref}", path=ref)
    await api("PATCH", "/cases/{ref}", path=ref, json={"title": "Card fraud (confirmed)", "version": case["version"]})
    await api("GET", "/cases", params={"count": "true", "status_counts": "true", "q": "fraud", "sort": "field.count"})
    await api("GET", "/cases", params={"page": 1, "per_page": 10, "field": "count>=1", "tag": "fraud"})
    # One item refused, so that both shapes of a bulk result are checked.
    items = [{"id": other["id"], "changes": {"tags": ["bulk"]}}, {"id": "SEC-999999", "changes": {}}]
    await api("POST", "/cases/bulk", json={"items": items})
    await api("POST", "/projects/{ref}/fields/{key}/bulk", path={"ref": "SEC", "key": "note"},
              json={"value": "bulk", "cases": [other["id"], "SEC-999999"]})
    await api("POST", "/types/{type_ref}/fields/{key}/bulk", path={"type_ref": case_type["id"], "key": "channel"},
              json={"value": "us", "cases": [case["id"]]})
    await api("GET", "/tags")
    await api("GET", "/reporters")
    return case, other


async def case_content(api: Api, case: dict[str, Any], other: dict[str, Any], user_id: str) -> None:
    ref = {"ref": case["id"]}
    upload = await api("POST", "/cases/{ref}/files", 201, path=ref, files={"file": ("a.txt", b"hello", "text/plain")})
    encoded = base64.b64encode(b"bytes").decode()
    await api("POST", "/cases/{ref}/files", 201, path=ref, json={"filename": "b.bin", "content_base64": encoded})
    await api("GET", "/cases/{ref}/files", path=ref)
    file_ref = {**ref, "file_id": upload["id"]}
    await api("GET", "/cases/{ref}/files/{file_id}", path=file_ref)
    await api("GET", "/cases/{ref}/files/{file_id}/content", path=file_ref)

    comment = await api("POST", "/cases/{ref}/comments", 201, path=ref,
                        json={"body": "Seen *twice*", "title": "Note", "public": True, "file_ids": [upload["id"]]})
    await api("GET", "/cases/{ref}/comments", path=ref, params={"render": "html"})
    comment_ref = {**ref, "comment_id": comment["id"]}
    await api("GET", "/cases/{ref}/comments/{comment_id}", path=comment_ref, params={"render": "html"})
    await api("PATCH", "/cases/{ref}/comments/{comment_id}", path=comment_ref, json={"body": "Seen thrice"})

    blocks = [
        {"title": "Note", "block_type": "note", "elements": [{"content": "hi", "note_type": "text"}], "guid": "n"},
        {"title": "Meta", "block_type": "metadata", "elements": [{"k": "v", "n": 1, "b": True}]},
        {"title": "Group", "block_type": "block_group"},
    ]
    created = await api("POST", "/cases/{ref}/blocks", 201, path=ref, json={"blocks": blocks})
    await api("GET", "/cases/{ref}/blocks", path=ref)
    block_id = first_id(created)
    block_ref = {**ref, "block_id": block_id}
    await api("GET", "/cases/{ref}/blocks/{block_id}", path=block_ref)
    await api("PATCH", "/cases/{ref}/blocks/{block_id}", path=block_ref, json={"title": "Note!", "hidden": True})

    task = await api("POST", "/cases/{ref}/tasks", 201, path=ref,
                     json={"description": "Call the bank", "assignees": [user_id], "due_date": "2026-06-01T00:00:00Z"})
    second = await api("POST", "/cases/{ref}/tasks", 201, path=ref, json={"description": "Close the card"})
    await api("GET", "/cases/{ref}/tasks", path=ref)
    await api("POST", "/cases/{ref}/tasks/reorder", path=ref, json={"task_ids": [second["id"], task["id"]]})
    task_ref = {**ref, "task_id": task["id"]}
    await api("GET", "/cases/{ref}/tasks/{task_id}", path=task_ref)
    await api("PATCH", "/cases/{ref}/tasks/{task_id}", path=task_ref, json={"completed": True})

    await api("POST", "/cases/{ref}/links", 201, path=ref, json={"case": other["id"], "relation": "parent"})
    await api("GET", "/cases/{ref}/links", path=ref)

    alert = {"alert_ids": ["alert-1"], "indexes": [".alerts"], "rule": {"id": "r1", "name": "Rule"}}
    await api("POST", "/cases/{ref}/alerts", 201, path=ref, json=alert)
    await api("POST", "/cases/{ref}/alerts", 200, path=ref, json=alert)
    await api("GET", "/cases/{ref}/alerts", path=ref)
    await api("GET", "/alerts/{alert_id}/cases", path={"alert_id": "alert-1"}, params={"archived": "false"})

    insight = {"type": "MONITOR", "resource_id": "123", "ref": "/monitors/123"}
    await api("POST", "/cases/{ref}/insights", 201, path=ref, json={"insights": [insight]})
    await api("POST", "/cases/{ref}/insights", 200, path=ref, json={"insights": [insight]})
    await api("GET", "/cases/{ref}/insights", path=ref)

    await api("POST", "/cases/{ref}/watchers", 201, path=ref, json={"user_id": user_id})
    await api("POST", "/cases/{ref}/watchers", 200, path=ref, json={"user_id": user_id})
    await api("GET", "/cases/{ref}/watchers", path=ref)

    include = "comments,alerts,insights,files,tasks,links,blocks,watchers"
    await api("GET", "/cases/{ref}", path=ref, params={"include": include})
    await api("GET", "/cases/{ref}/closure", path=ref)
    await api("GET", "/cases/{ref}/activity", path=ref)


def first_id(created: Any) -> str:
    items = created["items"] if isinstance(created, dict) and "items" in created else created
    if isinstance(items, dict):
        items = next(v for v in items.values() if isinstance(v, list))
    return items[0]["id"]  # type: ignore[no-any-return]


async def review(api: Api, reviewer_api: Api, case: dict[str, Any], reviewer: str) -> None:
    ref = {"ref": case["id"]}
    body = {"type": "override", "outcome": "favorable", "comment": "Confirmed by phone", "reviewers": [reviewer]}
    action = await api("POST", "/cases/{ref}/actions", 201, path=ref, json=body)
    await api("GET", "/cases/{ref}/overrides", path=ref)
    await api("GET", "/cases/{ref}/overrides/{override_id}", path={**ref, "override_id": action["override_id"]})
    await reviewer_api("POST", "/cases/{ref}/actions", 201, path=ref, json={"type": "accept", "comment": "Fine"},
                       params={"include": "user,override"})
    include = "user,comment,comment.documents,override,override.assigned_reviewers"
    await api("GET", "/cases/{ref}/actions", path=ref, params={"include": include})


async def credentials(api: Api, user_id: str) -> None:
    token = await api("POST", "/tokens", 201, json={"name": "ci", "user_id": user_id, "scopes": ["cases:read"]})
    await api("GET", "/tokens", params={"user_id": user_id})
    await api("DELETE", "/tokens/{token_id}", path={"token_id": token["id"]})
    client = await api("POST", "/oauth-clients", 201, json={"name": "robot", "scopes": ["cases:read"]})
    await api("GET", "/oauth-clients")
    basic = (client["client_id"], client["client_secret"])
    await api("POST", "/oauth/token", data={"grant_type": "client_credentials"}, auth=basic)
    await api("POST", "/oauth/token", 401, data={"grant_type": "client_credentials"}, auth=(basic[0], "wrong"))
    await api("DELETE", "/oauth-clients/{client_id}", path={"client_id": client["id"]})


async def case_lifecycle(api: Api, case: dict[str, Any], other: dict[str, Any]) -> None:
    ref = {"ref": case["id"]}
    comment = (await api("GET", "/cases/{ref}/comments", path=ref))["items"][0]
    await api("DELETE", "/cases/{ref}/comments/{comment_id}", 204, path={**ref, "comment_id": comment["id"]})
    blocks = await api("GET", "/cases/{ref}/blocks", path=ref)
    await api("DELETE", "/cases/{ref}/blocks/{block_id}", 204, path={**ref, "block_id": first_id(blocks)})
    task = (await api("GET", "/cases/{ref}/tasks", path=ref))["items"][0]
    await api("DELETE", "/cases/{ref}/tasks/{task_id}", 204, path={**ref, "task_id": task["id"]})
    files = (await api("GET", "/cases/{ref}/files", path=ref))["items"]
    unused = next(f for f in files if f["filename"] == "b.bin")
    await api("DELETE", "/cases/{ref}/files/{file_id}", 204, path={**ref, "file_id": unused["id"]})
    await api("DELETE", "/cases/{ref}/links/{linked_case_ref}", 204, path={**ref, "linked_case_ref": other["id"]})
    await api("DELETE", "/cases/{ref}/alerts/{alert_id}", 204, path={**ref, "alert_id": "alert-1"})
    keys = {"insights": [{"type": "MONITOR", "resource_id": "123"}]}
    await api("POST", "/cases/{ref}/insights/remove", path=ref, json=keys)
    await api("DELETE", "/cases/{ref}/insights", path=ref, json=keys)
    watcher = (await api("GET", "/cases/{ref}/watchers", path=ref))["items"][0]
    await api("DELETE", "/cases/{ref}/watchers/{user_id}", 204, path={**ref, "user_id": watcher["user_id"]})
    # Reviewed, emptied, then closed with its resolution: the members a closed case has are set.
    closing = {"status": "Resolved", "resolution": "Refunded", "resolution_reason": "fraud"}
    closing["override_closure_conditions"] = True
    await api("PATCH", "/cases/{ref}", path=ref, json=closing)
    await api("GET", "/cases/{ref}", path=ref, params={"include": "comments,files,tasks,links,watchers"})
    await api("GET", "/cases", params={"q": "fraud", "archived": "include"})

    await api("POST", "/cases/{ref}/move", path={"ref": other["id"]}, json={"project": "OPS", "drop_fields": True})
    await api("DELETE", "/cases/{ref}", 204, path={"ref": other["id"]})
    await api("POST", "/cases/{ref}/restore", path={"ref": other["id"]})
    await api("DELETE", "/cases/{ref}", 204, path={"ref": other["id"]}, params={"permanent": "true"})
    await api("GET", "/activity", params={"action": "case_deleted"})




@pytest.mark.parametrize("status", [404, 409, 422])
async def test_problems_answer_as_documented(client: httpx.AsyncClient, status: int) -> None:
    schema = await load_document(client)
    case = (await client.post("/cases", json={"title": "t"})).json()
    method, template, path = "PATCH", "/cases/{ref}", {"ref": case["id"]}
    if status == 404:
        method, path = "GET", {"ref": "SEC-999999"}
        response = await client.get("/cases/SEC-999999")
    elif status == 409:
        response = await client.patch(f"/cases/{case['id']}", json={"title": "u", "version": case["version"] + 5})
    else:
        response = await client.patch(f"/cases/{case['id']}", json={"title": ""})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert nonconformities(schema, method, NATIVE + template, response, path) == []
