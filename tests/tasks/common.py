"""Helpers for the task tests: adding tasks and reading a case's whole task list and counters."""

from typing import Any

import httpx

from tests.helpers import read


def tasks_url(case: dict[str, Any], task: dict[str, Any] | str | None = None) -> str:
    base = f"/cases/{case['id']}/tasks"
    if task is None:
        return base
    return f"{base}/{task if isinstance(task, str) else task['id']}"


async def add_task(client: httpx.AsyncClient, case: dict[str, Any], description: str = "Isolate the host", **fields: Any):
    response = await client.post(tasks_url(case), json={"description": description, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def all_tasks(client: httpx.AsyncClient, case: dict[str, Any], limit: int = 500) -> list[dict[str, Any]]:
    """Every task of the case in order, walking the pages."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = await client.get(tasks_url(case), params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the pages never ended")


async def counts(client: httpx.AsyncClient, case: dict[str, Any]) -> tuple[int, int]:
    current = (await read(client, case))["counts"]
    return current["tasks_open"], current["tasks_done"]


async def assert_counts_match(client: httpx.AsyncClient, case: dict[str, Any]) -> tuple[int, int]:
    """The case's tasks_open/tasks_done counters equal what its list holds."""
    tasks = await all_tasks(client, case)
    expected = (sum(not t["completed"] for t in tasks), sum(t["completed"] for t in tasks))
    assert await counts(client, case) == expected
    return expected


async def all_activity(client: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Every activity entry of the case, walking the pages (a case with many tasks has more than one)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 500}
    while True:
        response = await client.get(f"/cases/{case['id']}/activity", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        if body["next_cursor"] is None:
            return items
        params["cursor"] = body["next_cursor"]
