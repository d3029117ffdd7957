"""Every insight of a case at once, for APIs that show them with the case."""

import uuid

import pytest

from casework.errors import NotFound
from casework.insights import service
from casework.insights.schemas import InsightsAdd
from tests.comments.test_comment_records import admin_actor
from tests.helpers import create, issued_statements


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



async def test_insights_of_many_cases_come_in_one_query_each_case_its_own_oldest_first(client, tenant, other, db):
    first, second, bare = await create(client), await create(client), await create(client)
    actor = admin_actor(tenant)
    for case, count in ((first, 3), (second, 2)):
        items = [{"type": "MONITOR", "resource_id": f"{case['key']}-{n}", "ref": f"/monitors/{n}"} for n in range(count)]
        db.run_sync(service.add_insights, actor, case["id"], InsightsAdd.model_validate({"insights": items}))
    ids = [uuid.UUID(c["id"]) for c in (first, second, bare)]
    with issued_statements(db.engine) as issued:
        found = db.run_sync(service.insights_of_cases, actor, ids, write=False)
    assert len([s for s in issued if "FROM insights" in s.sql]) == 1
    assert {case_id: [i.resource_id for i in items] for case_id, items in found.items()} == {
        ids[0]: [f"{first['key']}-{n}" for n in range(3)],
        ids[1]: [f"{second['key']}-{n}" for n in range(2)],
    }
    # Another workspace's actor reads none of them; no case, no query.
    assert db.run_sync(service.insights_of_cases, admin_actor(other), ids, write=False) == {}
    assert db.run_sync(service.insights_of_cases, actor, [], write=False) == {}
