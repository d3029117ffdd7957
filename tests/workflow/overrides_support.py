"""Helpers of the review-flow tests: posting actions, requesting overrides, reading the action log."""

from typing import Any

import httpx


async def act(
    client: httpx.AsyncClient, case: dict[str, Any], kind: str, *, params: dict[str, Any] | None = None, **body: Any
) -> httpx.Response:
    return await client.post(f"/cases/{case['id']}/actions", json={"type": kind, **body}, params=params or {})


async def acted(client: httpx.AsyncClient, case: dict[str, Any], kind: str, **body: Any) -> dict[str, Any]:
    response = await act(client, case, kind, **body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def override_body(*reviewers: Any, outcome: str = "favorable", comment: str = "x") -> dict[str, Any]:
    """The fields of an override action naming these reviewers."""
    return {"outcome": outcome, "comment": comment, "reviewers": [str(r) for r in reviewers]}


async def request_override(
    client: httpx.AsyncClient,
    case: dict[str, Any],
    reviewers: list[Any],
    outcome: str = "favorable",
    comment: str = "The account holder was confirmed by phone.",
    **body: Any,
) -> dict[str, Any]:
    """Posts an override request; returns the override it created."""
    fields = override_body(*reviewers, outcome=outcome, comment=comment)
    action = await acted(client, case, "override", **fields, **body)
    return await override(client, case, action["override_id"])


async def override(client: httpx.AsyncClient, case: dict[str, Any], override_id: str) -> dict[str, Any]:
    response = await client.get(f"/cases/{case['id']}/overrides/{override_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def overrides(client: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"/cases/{case['id']}/overrides", params={"limit": 500})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()["items"]  # type: ignore[no-any-return]


async def action_log(client: httpx.AsyncClient, case: dict[str, Any], **params: Any) -> dict[str, Any]:
    """The whole action log in one page (items and, with include, included)."""
    response = await client.get(f"/cases/{case['id']}/actions", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()  # type: ignore[no-any-return]
