"""/openapi.json describes the native API as a client needs it: stable camelCase operationIds, a description on
every operation and parameter, each refusal the operation can answer as a problem, If-Match where it is honoured,
and examples of the main operations. What the server really answers is checked against it here for refusals, and
on every answer a test receives (tests/conformance.py)."""

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from casework.app import create_app
from casework.cases.schemas import CaseCreate, CasePage, CaseRead, CaseUpdate
from casework.comments.schemas import CommentCreate, CommentRead
from casework.settings import Settings
from tests.conftest import Tenant
from tests.helpers import api_client
from tests.test_response_schemas import NATIVE, load_document, nonconformities

CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z]+)*$")
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
# Its errors are RFC 6749's, not problems.
TOKEN_ENDPOINT = ("post", f"{NATIVE}/oauth/token")


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi")))
    try:
        return app.openapi()
    finally:
        app.state.db.dispose()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        if path.startswith(NATIVE)
        for method, operation in item.items()
    ]


def problem_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for m, p, op in operations(document) if (m, p) != TOKEN_ENDPOINT]


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][NATIVE + path][method]  # type: ignore[no-any-return]


def test_every_native_operation_has_a_unique_camel_case_operation_id(document):
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) > 90
    assert [i for i in ids if not CAMEL_CASE.match(i)] == []
    assert len(set(ids)) == len(ids)
    expected = {
        ("post", "/cases"): "createCase",
        ("get", "/cases"): "listCases",
        ("get", "/cases/{ref}"): "getCase",
        ("patch", "/cases/{ref}"): "updateCase",
        ("post", "/cases/bulk"): "bulkUpdateCases",
        ("post", "/cases/{ref}/comments"): "addComment",
        ("get", "/cases/{ref}/activity"): "listCaseActivity",
        ("get", "/activity"): "listWorkspaceActivity",
        ("post", "/oauth/token"): "issueToken",
    }
    assert {key: operation(document, *key)["operationId"] for key in expected} == expected


def test_every_native_operation_and_parameter_is_described(document):
    undescribed = [f"{m} {p}" for m, p, op in operations(document) if not op.get("description", "").strip()]
    assert undescribed == []
    bare = [
        f"{m} {p} {param['name']}"
        for m, p, op in operations(document)
        for param in op.get("parameters", [])
        if not param.get("description", "").strip()
    ]
    assert bare == []


def referenced_schemas(document: dict[str, Any]) -> set[str]:
    """The component schemas native operations reach, through $ref at any depth."""
    schemas = document["components"]["schemas"]
    found: set[str] = set()
    pending = [item for path, item in document["paths"].items() if path.startswith(NATIVE)]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            name = node.get("$ref", "").rpartition("/")[2]
            if name and name not in found:
                found.add(name)
                pending.append(schemas[name])
            pending.extend(node.values())
    return found


def described(member: dict[str, Any]) -> bool:
    """A description on the member itself, or on a member of its anyOf/allOf (where pydantic puts that of a
    nullable annotated type)."""
    members = [member, *member.get("anyOf", []), *member.get("allOf", [])]
    return any(str(m.get("description", "")).strip() for m in members)


def test_every_member_of_every_schema_a_native_operation_uses_is_described(document):
    schemas = document["components"]["schemas"]
    names = referenced_schemas(document)
    assert {"CaseRead", "CaseCounts", "SlaRead", "Problem", "FieldOption", "TokenCreated"} <= names
    bare = [
        f"{name}.{key}"
        for name in sorted(names)
        for key, member in schemas[name].get("properties", {}).items()
        if not described(member)
    ]
    assert bare == []


def test_the_main_schemas_describe_their_members(document):
    schemas = document["components"]["schemas"]
    for name in ("CaseCreate", "CaseUpdate", "CommentCreate", "CommentRead", "TaskCreate"):
        bare = [key for key, member in schemas[name]["properties"].items() if "description" not in member]
        assert bare == [], name


def test_each_refusal_is_a_problem_of_its_own_status(document):
    for method, path, op in problem_operations(document):
        refusals = {status: answer for status, answer in op["responses"].items() if status.startswith("4")}
        assert "4XX" not in refusals, (method, path)
        assert "422" in refusals, (method, path)
        for status, answer in refusals.items():
            assert answer["content"] == PROBLEM, (method, path, status)
            assert answer["description"], (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_refusals_follow_what_the_operation_takes(document):
    for method, path, op in problem_operations(document):
        statuses = set(op["responses"])
        parameters = {(param["in"], param["name"]) for param in op.get("parameters", [])}
        if op.get("security"):
            assert {"401", "429"} <= statuses, (method, path)
        if any(where == "path" for where, _ in parameters):
            assert "404" in statuses, (method, path)
        if ("header", "If-Match") in parameters:
            assert "409" in statuses, (method, path)
        if "requestBody" in op:
            assert "413" in statuses, (method, path)
    assert "403" not in operation(document, "get", "/me")["responses"]
    assert "403" in operation(document, "get", "/cases")["responses"]
    assert "409" in operation(document, "post", "/projects")["responses"]
    assert "409" not in operation(document, "get", "/projects/{ref}")["responses"]
    unauthenticated = operation(document, "get", "/cases")["responses"]["401"]
    assert "WWW-Authenticate" in unauthenticated["headers"]
    assert "Retry-After" in operation(document, "get", "/cases")["responses"]["429"]["headers"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/cases/{ref}"),
        ("delete", "/cases/{ref}"),
        ("post", "/cases/{ref}/move"),
        ("post", "/cases/{ref}/comments"),
        ("patch", "/cases/{ref}/comments/{comment_id}"),
        ("post", "/cases/{ref}/files"),
        ("delete", "/cases/{ref}/tasks/{task_id}"),
        ("post", "/cases/{ref}/actions"),
    ],
)
def test_if_match_is_a_documented_header_where_it_is_honoured(document, method, path):
    headers = [p for p in operation(document, method, path)["parameters"] if p["in"] == "header"]
    if_match = next(p for p in headers if p["name"] == "If-Match")
    assert not if_match["required"] and "409" in if_match["description"]


def test_if_match_is_not_offered_where_it_is_ignored(document):
    for method, path in [("get", "/cases/{ref}"), ("post", "/cases"), ("patch", "/projects/{ref}")]:
        names = [p["name"] for p in operation(document, method, path).get("parameters", [])]
        assert "If-Match" not in names


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("CaseCreate", CaseCreate),
        ("CaseUpdate", CaseUpdate),
        ("CaseRead", CaseRead),
        ("CasePage", CasePage),
        ("CommentCreate", CommentCreate),
        ("CommentRead", CommentRead),
    ],
)
def test_the_main_operations_show_valid_examples(document, name, model):
    examples = document["components"]["schemas"][name]["examples"]
    assert examples
    for example in examples:
        model.model_validate(example)


async def test_refusals_answer_as_documented(app: FastAPI, client: httpx.AsyncClient, tenant: Tenant) -> None:
    """Every native operation, called without credentials, with a token of no scope, and naming rows that do not
    exist, answers a status the document lists, in the form it gives."""
    schema = await load_document(client)
    document = (await client.get("http://test/openapi.json")).json()
    scopeless = tenant.add_member("agent", scopes=[])
    failures: list[str] = []
    async with api_client(app) as anonymous, api_client(app, scopeless.headers) as unscoped:
        for caller in (anonymous, unscoped, client):
            for method, path, op in operations(document):
                template = path.removeprefix(NATIVE)
                names = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
                values = {name: "0" for name in names}
                body = {"json": {}} if "requestBody" in op else {}
                response = await caller.request(method, template.format(**values), **body)
                if caller is anonymous and op.get("security"):
                    assert response.status_code == 401, (method, path, response.text)
                for problem in nonconformities(schema, method.upper(), path, response, values):
                    failures.append(f"{method} {path} {response.status_code}: {problem}")
    assert failures == []
