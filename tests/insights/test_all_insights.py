"""Every insight of a case at once, for APIs that show them with the case."""

import pytest

from casework.errors import NotFound
from casework.insights import service
from casework.insights.schemas import InsightsAdd
from tests.comments.test_comment_records import admin_actor
from tests.helpers import create


async def test_all_insights_are_the_case_s_own_oldest_first_past_any_page_size(client, tenant, db):
    case, neighbour = await create(client), await create(client)
    actor = admin_actor(tenant)
    for batch in range(2):
        items = [{"type": "MONITOR", "resource_id": f"{batch}-{n}", "ref": f"/monitors/{n}"} for n in range(100)]
        db.run_sync(service.add_insights, actor, case["id"], InsightsAdd.model_validate({"insights": items}))
    one = {"insights": [{"type": "INCIDENT", "resource_id": "7", "ref": "/incidents/7"}]}
    db.run_sync(service.add_insights, actor, neighbour["id"], InsightsAdd.model_validate(one))
    found = db.run_sync(service.all_insights, actor, case["key"], write=False)
    assert [i.resource_id for i in found] == [f"{b}-{n}" for b in range(2) for n in range(100)]
    assert [(i.type, i.resource_id) for i in db.run_sync(service.all_insights, actor, neighbour["id"], write=False)] == [
        ("INCIDENT", "7")
    ]


async def test_all_insights_of_an_unknown_case_is_not_found(client, tenant, db):
    with pytest.raises(NotFound):
        db.run_sync(service.all_insights, admin_actor(tenant), "SEC-999", write=False)
