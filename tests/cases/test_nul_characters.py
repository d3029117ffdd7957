"""A NUL character anywhere in a case's maps (metadata, external_refs, fields, requester), key or value, is a 422
naming the field on both databases: never a write, never a 500 (PostgreSQL cannot store NUL in text or JSON)."""

from typing import Any

import httpx
import pytest

from tests.helpers import assert_problem, create, read
from tests.workflow.fields_support import define

NUL = "\x00"

NESTED = [
    ("metadata", {f"key{NUL}": "value"}),
    ("metadata", {"key": f"val{NUL}ue"}),
    ("external_refs", {f"jira{NUL}": "SEC-1"}),
    ("external_refs", {"jira": f"SEC{NUL}1"}),
    ("fields", {"team": f"blue{NUL}"}),
    ("fields", {f"team{NUL}": "blue"}),
    ("fields", {"tags": ["ok", f"not{NUL}ok"]}),
    ("fields", {"team": {"nested": [f"deep{NUL}"]}}),
    ("requester", {"name": f"Ann{NUL}"}),
    ("requester", {"type": f"contact{NUL}"}),
    ("requester", {f"name{NUL}": "Ann"}),
]
IDS = [f"{name}-{i}" for i, (name, _value) in enumerate(NESTED)]


@pytest.fixture
async def team(client: httpx.AsyncClient) -> None:
    await define(client, "team")


async def listed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/cases", params={"limit": 500})
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "value"), NESTED, ids=IDS)
async def test_a_nul_nested_in_a_new_case_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, team: None, name: str, value: dict[str, Any]
) -> None:
    response = await client.post("/cases", json={"title": "t", name: value})
    assert_problem(response, 422, name, nested=True)
    assert await listed(client) == []


@pytest.mark.parametrize(("name", "value"), NESTED, ids=IDS)
async def test_a_nul_nested_in_a_change_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, team: None, name: str, value: dict[str, Any]
) -> None:
    case = await create(client, metadata={"kept": "yes"}, fields={"team": "red"})
    assert_problem(await client.patch(f"/cases/{case['id']}", json={name: value}), 422, name, nested=True)
    # A bulk request holding one is refused whole.
    bulk = await client.post("/cases/bulk", json={"items": [{"id": case["id"], "changes": {name: value}}]})
    assert_problem(bulk, 422, "items.0.changes")
    assert await read(client, case) == case
