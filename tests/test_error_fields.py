"""Native errors name each input as the client wrote it, say in words what a pattern expects, and refuse unknown
query parameters like unknown body fields."""

import re

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from casework.errors import field_errors
from casework.http import NativeRoute, query_names
from casework.i18n import validation_message
from tests.helpers import assert_problem, create

# Pydantic's names for union members and mapping keys, which a client never writes.
INTERNAL = re.compile(r"literal\[|function-|constrained-|\[key\]|\.\.|^\d|\.\d+$")


def fields_of(response: httpx.Response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def messages_of(response: httpx.Response) -> list[str]:
    return [error["message"] for error in response.json()["errors"]]


async def test_a_bad_priority_filter_is_named_priority_with_every_allowed_value(client: httpx.AsyncClient) -> None:
    response = await client.get("/cases", params=[("priority", "P9"), ("priority", "P1"), ("assignee", "x")])
    assert_problem(response, 422)
    assert fields_of(response) == ["priority", "assignee"]
    assert messages_of(response)[0] == "Input should be 'P1', 'P2', 'P3', 'P4', 'P5' or 'none'"


async def test_a_bad_priority_in_a_body_is_named_priority(client: httpx.AsyncClient) -> None:
    response = await client.post("/cases", json={"title": "t", "priority": "P9"})
    assert fields_of(assert_problem(response, 422) and response) == ["priority"]


async def test_a_mapping_key_error_names_the_mapping_not_pydantic_s_key_marker(client: httpx.AsyncClient) -> None:
    response = await client.post("/cases", json={"title": "t", "external_refs": {"": "x"}})
    assert_problem(response, 422)
    assert fields_of(response) == ["external_refs"]


async def test_list_items_in_a_body_keep_their_index(client: httpx.AsyncClient) -> None:
    response = await client.post("/cases", json={"title": "t", "tags": ["ok", 1]})
    assert_problem(response, 422)
    assert fields_of(response) == ["tags.1"]


def test_union_member_tags_are_left_out_but_a_field_named_like_a_type_is_kept() -> None:
    raw = [
        {"type": "literal_error", "loc": ("body", "x", "literal['a']"), "msg": "Input should be 'a'", "ctx": {"expected": "'a'"}},
        {"type": "literal_error", "loc": ("body", "x", "literal['b']"), "msg": "Input should be 'b'", "ctx": {"expected": "'b'"}},
        {"type": "string_type", "loc": ("body", "metadata", "str"), "msg": "Input should be a valid string"},
    ]
    errors = field_errors(raw, lambda e: validation_message(e, "en"), request=True)
    assert [(e.field, e.message) for e in errors] == [
        ("x", "Input should be 'a' or 'b'"),
        ("metadata.str", "Input should be a valid string"),
    ]


@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        ("/projects", {"key": "bad key", "name": "x"}, "key", "capital letters"),
        ("/projects/SEC/statuses", {"name": "x", "group": "open", "colour": "red"}, "colour", "#RRGGBB"),
        ("/projects/SEC/fields", {"key": "Bad Key!", "label": "x", "type": "text"}, "key", "lower-case"),
    ],
)
async def test_a_pattern_error_says_what_is_expected_in_words_not_the_regex(
    client: httpx.AsyncClient, path: str, body: dict, field: str, words: str
) -> None:
    response = await client.post(path, json=body)
    assert_problem(response, 422, field)
    (message,) = [e["message"] for e in response.json()["errors"] if e["field"] == field]
    assert words in message
    assert "^" not in message and "pattern" not in message and "[" not in message


async def test_a_sort_error_lists_the_sorts_in_words(client: httpx.AsyncClient) -> None:
    response = await client.get("/cases", params={"sort": "nope"})
    assert_problem(response, 422, "sort")
    assert "field.KEY" in messages_of(response)[0] and "^" not in messages_of(response)[0]


async def test_a_custom_field_pattern_error_does_not_show_the_regex(client: httpx.AsyncClient) -> None:
    response = await client.post("/projects/SEC/fields", json={"key": "ticket", "label": "Ticket", "type": "text", "pattern": "[A-Z]+-[0-9]+"})
    assert response.status_code == 201, response.text
    response = await client.post("/cases", json={"title": "t", "fields": {"ticket": "nope"}})
    assert_problem(response, 422, "fields.ticket")
    assert "[A-Z]" not in response.text


@pytest.mark.parametrize(
    ("path", "params"),
    [("/cases", {"priorty": "P1"}), ("/cases", {"limit": "5", "bogus": "1"}), ("/projects", {"x": "1"})],
)
async def test_an_unknown_query_parameter_is_refused_like_an_unknown_body_field(
    client: httpx.AsyncClient, path: str, params: dict
) -> None:
    response = await client.get(path, params=params)
    assert_problem(response, 422)
    unknown = [name for name in params if name not in ("limit",)]
    assert fields_of(response) == unknown
    body = await client.post("/cases", json={"title": "t", "bogus": 1})
    assert messages_of(response)[0] == messages_of(body)[0]


async def test_a_write_with_an_unknown_query_parameter_changes_nothing(client: httpx.AsyncClient) -> None:
    case = await create(client)
    response = await client.patch(f"/cases/{case['id']}", params={"force": "1"}, json={"title": "new"})
    assert_problem(response, 422, "force")
    assert (await client.get(f"/cases/{case['id']}")).json()["title"] == case["title"]


async def test_the_list_pages_documented_parameters_still_work_repeated_ones_included(client: httpx.AsyncClient) -> None:
    await create(client, priority="P1", tags=["a"])
    params = [("priority", "P1"), ("priority", "P2"), ("tag", "a"), ("limit", "5"), ("sort", "created"), ("order", "asc"), ("count", "true"), ("created_after", "2000-01-01")]
    response = await client.get("/cases", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 1


def test_every_documented_native_query_parameter_is_accepted(app: FastAPI) -> None:
    """The refusal's list of known parameters is exactly what the OpenAPI document publishes for each operation."""
    document = app.openapi()["paths"]
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/v1/") or route.path.endswith("/oauth/token"):
            continue
        for method in route.methods:
            operation = document[route.path_format][method.lower()]
            published = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert query_names(route.dependant) == published, (method, route.path)


def test_every_native_operation_refuses_unknown_query_parameters(app: FastAPI) -> None:
    """A router made without the native route class would silently ignore a misspelt filter."""
    for route in iter_route_contexts(app.routes):
        if route.path.startswith("/api/v1/") and not route.path.endswith("/oauth/token"):
            assert isinstance(route.original_route, NativeRoute), route.path


async def test_the_oauth_token_endpoint_still_ignores_unknown_parameters(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.post("/api/v1/oauth/token", params={"extra": "1"}, data={"grant_type": "client_credentials"})
    assert response.status_code in (400, 401), response.text
    assert "extra" not in response.text
