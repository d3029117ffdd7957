"""What the alert tests share: attaching, listing every alert of a case, and an actor for service calls."""

from typing import Any

import httpx

from casework.auth.service import SCOPES, Actor
from tests.conftest import Tenant


def ids(prefix: str, count: int, start: int = 0) -> list[str]:
    return [f"{prefix}-{i:04d}" for i in range(start, start + count)]


async def attach(
    client: httpx.AsyncClient, case: dict[str, Any], alert_ids: Any, indexes: Any = None, **fields: Any
) -> httpx.Response:
    if indexes is None:
        indexes = ".alerts" if isinstance(alert_ids, str) else [".alerts"] * len(alert_ids)
    return await client.post(f"/cases/{case['id']}/alerts", json={"alert_ids": alert_ids, "indexes": indexes, **fields})


async def attached(client: httpx.AsyncClient, case: dict[str, Any], limit: int = 500) -> list[dict[str, Any]]:
    """Every alert on the case, oldest first, walking all pages."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(f"/cases/{case['id']}/alerts", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def admin_actor(tenant: Tenant) -> Actor:
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
