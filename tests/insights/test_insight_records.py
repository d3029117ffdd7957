"""The insights service hands out frozen records, complete once its unit of work is over, rendering as the API
answers."""

from dataclasses import FrozenInstanceError

import pytest

from casework.auth.service import SCOPES, Actor
from casework.insights import service
from casework.insights.records import InsightRecord
from casework.insights.schemas import InsightsAdd, insight_view
from tests.helpers import as_served, create


def assert_frozen_record(insight: object) -> None:
    assert isinstance(insight, InsightRecord) and not hasattr(insight, "__dict__")
    with pytest.raises(FrozenInstanceError):
        insight.ref = "/elsewhere"  # type: ignore[misc]


async def test_adding_and_listing_hand_out_frozen_records_equal_to_the_native_view(client, tenant, db):
    case = await create(client)
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
    data = InsightsAdd.model_validate(
        {"insights": [{"type": "MONITOR", "resource_id": "12", "ref": "/monitors/12"},
                      {"type": "INCIDENT", "resource_id": "7", "ref": "/incidents/7"}]}
    )  # fmt: skip
    outcome = db.run_sync(service.add_insights, actor, case["id"], data)
    for insight in outcome.added:
        assert_frozen_record(insight)
    assert [(i.type, i.resource_id, i.ref, str(i.case_id)) for i in outcome.added] == [
        ("MONITOR", "12", "/monitors/12", case["id"]),
        ("INCIDENT", "7", "/incidents/7", case["id"]),
    ]

    listed, cursor = db.run_sync(service.list_insights, actor, case["id"], None, 10, write=False)
    for insight in listed:
        assert_frozen_record(insight)
    assert (listed, cursor) == (outcome.added, None)
    page = (await client.get(f"/cases/{case['id']}/insights")).json()
    assert as_served([insight_view(i) for i in listed]) == page["items"]
