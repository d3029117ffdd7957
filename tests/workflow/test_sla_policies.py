"""SLA policies through the API: the set, its permissions and validation, the clocks that follow a new set; and the
list filters by SLA."""

import pytest

from casework.db.base import utcnow
from tests.helpers import api_client, assert_problem, create, patch
from tests.workflow.sla_support import HOUR, clocks, move_clock, policy, seconds, set_policies


# Policies through the API


async def test_policies_start_empty_with_a_warning_at_75_percent(client):
    response = await client.get("/projects/SEC/slas")
    assert response.status_code == 200, response.text
    assert response.json() == {"warning_percent": 75, "policies": []}


async def test_putting_policies_replaces_the_whole_set(client):
    await set_policies(client, policy("completion", HOUR, "P1"), policy("response", 600, "P1"))
    answer = await set_policies(
        client, policy("completion", 2 * HOUR), policy("response", 300, "P2", pause=True), policy("response", 900)
    )
    expected = {
        "warning_percent": 75,
        "policies": [
            policy("response", 300, "P2", pause=True),
            policy("response", 900),
            policy("completion", 2 * HOUR),
        ],
    }
    assert answer == expected
    assert (await client.get("/projects/SEC/slas")).json() == expected
    assert (await set_policies(client))["policies"] == []


async def test_the_warning_share_is_set_with_the_policies_and_moves_the_warnings(client, tenant):
    await set_policies(client, policy("completion", 1000))
    case = await create(client)
    answer = await set_policies(client, policy("completion", 1000), warning_percent=50)
    assert answer["warning_percent"] == 50
    completion = clocks(tenant.db, case["id"])["completion"]
    assert completion.warn_at == completion.started_at + seconds(500)
    assert (await set_policies(client, policy("completion", 1000)))["warning_percent"] == 50


async def test_new_policies_retarget_the_open_cases_and_leave_closed_ones_alone(client, tenant):
    await set_policies(client, policy("completion", HOUR), policy("response", HOUR))
    open_case = await create(client)
    closed_case = await create(client)
    await patch(client, closed_case, {"status": "closed", "resolution": "done"})
    closed_before = clocks(tenant.db, closed_case["id"])
    unprioritised_p2 = await create(client, priority="P2")

    await set_policies(client, policy("completion", 5 * HOUR), policy("completion", 2 * HOUR, "P2"))
    stored = clocks(tenant.db, open_case["id"])
    assert set(stored) == {"completion"}
    assert stored["completion"].due_at == stored["completion"].started_at + seconds(5 * HOUR)
    closed_after = clocks(tenant.db, closed_case["id"])
    assert {k: (c.target_seconds, c.due_at) for k, c in closed_after.items()} == {
        k: (c.target_seconds, c.due_at) for k, c in closed_before.items()
    }
    assert clocks(tenant.db, unprioritised_p2["id"])["completion"].target_seconds == 2 * HOUR


@pytest.mark.parametrize("role", ["agent", "reviewer", "viewer"])
async def test_only_admins_and_managers_change_policies(app, tenant, role):
    member = tenant.add_member(role)
    async with api_client(app, member.headers) as member_client:
        refused = await member_client.put("/projects/SEC/slas", json={"policies": [policy("response", HOUR)]})
        assert_problem(refused, 403)
        assert (await member_client.get("/projects/SEC/slas")).status_code == 200
    manager = tenant.add_member("manager")
    async with api_client(app, manager.headers) as manager_client:
        await set_policies(manager_client, policy("response", HOUR))


async def test_a_repeated_type_and_priority_is_refused_naming_the_item(client):
    repeated = [policy("response", HOUR, "P1"), policy("completion", HOUR, "P1"), policy("response", 60, "P1")]
    body = {"policies": repeated}
    assert_problem(await client.put("/projects/SEC/slas", json=body), 422, field="policies.2")
    body = {"policies": [policy("completion", HOUR), policy("completion", 2 * HOUR)]}
    assert_problem(await client.put("/projects/SEC/slas", json=body), 422, field="policies.1")
    assert (await client.get("/projects/SEC/slas")).json()["policies"] == []


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (policy("response", 59), "policies.0.target_seconds"),
        (policy("response", 365 * 24 * HOUR + 1), "policies.0.target_seconds"),
        (policy("resolution", HOUR), "policies.0.sla_type"),
        (policy("response", HOUR, "P6"), "policies.0.priority"),
        (policy("response", HOUR) | {"colour": "red"}, "policies.0.colour"),
    ],
)
async def test_policies_are_validated(client, item, field):
    assert_problem(await client.put("/projects/SEC/slas", json={"policies": [item]}), 422, field=field)


async def test_the_warning_share_is_between_1_and_99(client):
    for share in (0, 100):
        body = {"policies": [], "warning_percent": share}
        assert_problem(await client.put("/projects/SEC/slas", json=body), 422, field="warning_percent")


async def test_another_workspaces_project_is_not_found(client, other_client, tenant):
    await set_policies(client, policy("response", HOUR))
    assert_problem(await other_client.get(f"/projects/{tenant.project_id}/slas"), 404)
    response = await other_client.put(f"/projects/{tenant.project_id}/slas", json={"policies": []})
    assert_problem(response, 404)
    assert len((await client.get("/projects/SEC/slas")).json()["policies"]) == 1


# List filters


async def test_cases_can_be_listed_by_exceeded_or_at_risk_slas(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    now = utcnow()
    exceeded = await create(client, title="exceeded")
    move_clock(tenant.db, exceeded["id"], "response", due_at=now - seconds(60), warn_at=now - seconds(600))
    at_risk = await create(client, title="at risk")
    move_clock(tenant.db, at_risk["id"], "completion", warn_at=now - seconds(60))
    paused_at_risk = await create(client, title="paused at risk")
    move_clock(
        tenant.db, paused_at_risk["id"], "completion",
        warn_at=now - seconds(600), due_at=now - seconds(60), paused_since=now - seconds(300),
    )
    met = await create(client, title="met in time")
    move_clock(
        tenant.db, met["id"], "response", warn_at=now - seconds(600), due_at=now - seconds(60),
        stopped_at=now - seconds(300),
    )
    stopped_late = await create(client, title="closed late")
    move_clock(
        tenant.db, stopped_late["id"], "response", warn_at=now - seconds(600), due_at=now - seconds(300),
        stopped_at=now - seconds(60),
    )
    await create(client, title="on track")

    async def titles(sla: str) -> set[str]:
        response = await client.get("/cases", params={"sla": sla})
        assert response.status_code == 200, response.text
        return {c["title"] for c in response.json()["items"]}

    assert await titles("exceeded") == {"exceeded", "closed late"}
    assert await titles("at_risk") == {"at risk", "paused at risk"}
    assert_problem(await client.get("/cases", params={"sla": "late"}), 422, field="sla")
