"""Helpers the test modules share: problem+json checks, API clients, and making and reading cases."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import httpx
import orjson
from fastapi import FastAPI
from sqlalchemy import Engine, event

from casework.db.base import JSON_TIME_OPTIONS
from tests.conformance import checking

API = "http://test/api/v1"
PROBLEM = "application/problem+json"


# Clients


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def app_client(app: FastAPI, base_url: str = "http://test", headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A client of `app` (use it with `async with`); each native answer it receives must be as /openapi.json
    describes it, or the test fails."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers or {}, event_hooks=checking(app))


def api_client(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A client of the native API of `app` (use it with `async with`)."""
    return app_client(app, API, headers)


# Problems (RFC 9457)


def assert_problem(response: httpx.Response, status: int, field: str | None = None, *, nested: bool = False) -> dict:
    """The response is a problem+json of `status`; a `field` must be named in its errors.

    With nested=True the field may also be named by a path below it (`requester` by `requester.email`).
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body = response.json()
    assert isinstance(body["type"], str) and body["type"].startswith("https://")
    assert isinstance(body["title"], str) and body["title"]
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if status == 422 or field is not None:
        assert body["errors"], body
        for error in body["errors"]:
            assert set(error) == {"field", "message"}
            assert isinstance(error["field"], str) and error["field"]
            assert isinstance(error["message"], str) and error["message"]
    if field is not None:
        fields = [e["field"] for e in body["errors"]]
        if nested:
            assert any(f == field or f.startswith(f"{field}.") for f in fields), body
        else:
            assert field in fields, body
    return body


def assert_unauthenticated(response: httpx.Response) -> dict:
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    return body


def without(body: dict, ref: object) -> dict:
    """The problem body with the echoed reference taken out of its detail."""
    return {**body, "detail": body["detail"].replace(str(ref), "REF")}


def assert_same_not_found(foreign: httpx.Response, foreign_ref: object, unknown: httpx.Response, unknown_ref: object):
    """A foreign resource answers exactly as an unknown one, but for the reference echoed in the detail."""
    first, second = assert_problem(foreign, 404), assert_problem(unknown, 404)
    assert without(first, foreign_ref) == without(second, unknown_ref)
    assert foreign.headers["content-type"] == unknown.headers["content-type"]


# Cases


async def create(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    fields.setdefault("title", "Suspicious login")
    response = await client.post("/cases", json=fields, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def read(client: httpx.AsyncClient, case: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/cases/{case['id']}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def patch(client: httpx.AsyncClient, case: dict[str, Any], changes: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = await client.patch(f"/cases/{case['id']}", json=changes, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def all_cases(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every case of the workspace, archived too, by number."""
    response = await client.get("/cases", params={"sort": "number", "order": "asc", "limit": 500, "archived": "include"})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()["items"]  # type: ignore[no-any-return]


async def activity(client: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Every activity entry of the case, oldest first."""
    response = await client.get(f"/cases/{case['id']}/activity", params={"limit": 500})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return body["items"]  # type: ignore[no-any-return]


async def actions(client: httpx.AsyncClient, case: dict[str, Any]) -> list[str]:
    return [e["action"] for e in await activity(client, case)]


def as_served(value: Any) -> Any:
    """A value as the native API serves it: its JSON read back, timestamps in UTC with `Z`."""
    return orjson.loads(orjson.dumps(value, option=JSON_TIME_OPTIONS))


# Statements


class Issued(NamedTuple):
    sql: str
    parameters: Any
    many: bool

    @property
    def flat(self) -> str:
        """The text on one line, for matching and for messages."""
        return " ".join(self.sql.split())


@contextmanager
def issued_statements(engine: Engine) -> Iterator[list[Issued]]:
    """Every statement the engine sends meanwhile (an engine event: nothing of ours is replaced)."""
    issued: list[Issued] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        issued.append(Issued(statement, parameters, many))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield issued
    finally:
        event.remove(engine, "before_cursor_execute", record)
