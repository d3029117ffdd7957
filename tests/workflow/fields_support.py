"""What the custom field tests share: defining fields over HTTP, and option sets."""

from typing import Any

import httpx

FIELDS = "/projects/SEC/fields"
REGIONS = [{"id": "eu", "label": "Europe"}, {"id": "us", "label": "United States"}, {"id": "apac", "label": "APAC"}]
PLACES = [
    {
        "id": "emea",
        "label": "EMEA",
        "children": [
            {"id": "fr", "label": "France", "children": [{"id": "paris", "label": "Paris"}]},
            {"id": "de", "label": "Germany"},
        ],
    },
    {"id": "amer", "label": "Americas", "children": [{"id": "us", "label": "United States"}]},
]


def options_for(field_type: str) -> list[dict[str, Any]]:
    if field_type == "dependent_select":
        return PLACES
    if field_type in ("select", "multi_select"):
        return REGIONS
    return []


async def define(
    client: httpx.AsyncClient, key: str, field_type: str = "text", path: str = FIELDS, **body: Any
) -> dict[str, Any]:
    body.setdefault("label", key.replace("_", " ").title())
    body.setdefault("options", options_for(field_type))
    response = await client.post(path, json={"key": key, "type": field_type, **body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def set_fields(client: httpx.AsyncClient, case: dict[str, Any], values: dict[str, Any]) -> httpx.Response:
    return await client.patch(f"/cases/{case['id']}", json={"fields": values})
