"""Clients of the Kibana dialect, as a Kibana script calls it: `Authorization: ApiKey <token>` and `kbn-xsrf`."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import Tenant

BASE = "http://test/kibana"


def kibana_client(app: FastAPI, headers: dict[str, str] | None = None, base: str = BASE) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base, headers=headers or {})


def kibana_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {token}", "kbn-xsrf": "true"}


@pytest.fixture
async def kibana(app: FastAPI, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The Kibana API as the tenant's admin."""
    async with kibana_client(app, kibana_headers(tenant.admin.token)) as client:
        yield client


# A case body as Kibana's documentation sends it.
NEW_CASE = {
    "title": "Case title 1",
    "description": "A case description.",
    "tags": ["tag 1"],
    "owner": "cases",
    "connector": {"id": "none", "name": "none", "type": ".none", "fields": None},
    "settings": {"syncAlerts": False},
}
