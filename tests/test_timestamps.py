"""One timestamp format everywhere casework writes one: RFC 3339 in UTC with `Z` (`2026-12-05T10:00:00Z`), whatever
offset a client sent, in every answer of the native API, in the activity log's recorded changes and in the CLI's
JSON."""

import re
from typing import Any

import httpx

from tests.helpers import create
from tests.tasks.common import add_task

RFC3339_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z")
# Looks like a timestamp (a date followed by a time), whichever offset it carries.
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")


def timestamps(value: Any) -> list[str]:
    """Every string in a JSON value that looks like a date and time."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in timestamps(item)]
    if isinstance(value, list):
        return [found for item in value for found in timestamps(item)]
    return [value] if isinstance(value, str) and TIMESTAMP.match(value) else []


def assert_all_in_utc_z(value: Any) -> list[str]:
    found = timestamps(value)
    assert [stamp for stamp in found if not RFC3339_Z.fullmatch(stamp)] == []
    return found


async def answer(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_every_timestamp_the_native_api_answers_is_utc_with_z(client: httpx.AsyncClient) -> None:
    case = await create(client, due_date="2031-05-01T12:00:00+02:00")
    assert case["due_date"] == "2031-05-01T10:00:00Z"
    changed = await client.patch(f"/cases/{case['id']}", json={"due_date": "2031-06-01T00:30:00-05:00"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["due_date"] == "2031-06-01T05:30:00Z"
    task = await add_task(client, case, description="Call back", due_date="2031-05-02T09:00:00+09:00")
    assert task["due_date"] == "2031-05-02T00:00:00Z"
    comment = await client.post(f"/cases/{case['id']}/comments", json={"body": "Seen"})
    assert comment.status_code == 201, comment.text
    found = [
        *assert_all_in_utc_z(changed.json()),
        *assert_all_in_utc_z(comment.json()),
        *assert_all_in_utc_z(await answer(client, f"/cases/{case['id']}", include="comments,tasks")),
        *assert_all_in_utc_z(await answer(client, "/cases")),
        *assert_all_in_utc_z(await answer(client, f"/cases/{case['id']}/activity")),
    ]
    # The activity log records the due date's change as it answers it.
    assert "2031-06-01T05:30:00Z" in found and len(found) > 20
