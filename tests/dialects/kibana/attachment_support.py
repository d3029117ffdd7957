"""What the attachment and user action tests of the Kibana dialect share: a case, a comment, alerts."""

from typing import Any

import httpx

from tests.dialects.kibana.conftest import NEW_CASE

# Every field of a user comment and of an alert attachment as Kibana answers them.
COMMON_FIELDS = {"id", "version", "type", "owner", "created_at", "created_by", "pushed_at", "pushed_by", "updated_at",
                 "updated_by"}  # fmt: skip
USER_FIELDS = COMMON_FIELDS | {"comment"}
ALERT_FIELDS = COMMON_FIELDS | {"alertId", "index", "rule"}
STALE = "This case has been updated. Please refresh before saving additional updates."
CAP = "Case has reached the maximum allowed number (1000) of attached alerts."


async def new_case(kibana: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await kibana.post("/api/cases", json={**NEW_CASE, **fields})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def add(kibana: httpx.AsyncClient, case: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def user_comment(comment: str = "A new comment.", owner: str = "cases") -> dict[str, Any]:
    return {"type": "user", "owner": owner, "comment": comment}


def alert(alert_id: Any = "alert-1", index: Any = ".alerts-security", owner: str = "cases", **rule: Any) -> dict[str, Any]:
    return {"type": "alert", "owner": owner, "alertId": alert_id, "index": index,
            "rule": rule or {"id": "rule-1", "name": "Brute force"}}  # fmt: skip


async def get_case(kibana: httpx.AsyncClient, case: dict[str, Any]) -> dict[str, Any]:
    response = await kibana.get(f"/api/cases/{case['id']}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def all_comments(kibana: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = await kibana.get(f"/api/cases/{case['id']}/comments")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def boom(status: int, message: str) -> dict[str, Any]:
    errors = {400: "Bad Request", 404: "Not Found", 409: "Conflict"}
    return {"statusCode": status, "error": errors[status], "message": message}
