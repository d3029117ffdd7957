"""Override requests: who may ask, who may decide, one pending per case, and what each decision does to the case."""

import asyncio
import uuid

from sqlalchemy import update

from casework.workflow.overrides import service
from casework.workflow.overrides.models import OverrideRequest
from tests.helpers import api_client, assert_problem, assert_same_not_found, create, read
from tests.workflow.overrides_support import act, acted, action_log, override, override_body, overrides, request_override


async def test_an_accepted_override_sets_the_case_outcome(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    requested = await request_override(client, case, [reviewer.id], outcome="favorable")
    assert requested["state"] == "pending"
    assert requested["reviewers"] == [str(reviewer.id)]
    assert requested["created_by"] == str(tenant.admin.id)
    assert (await read(client, case))["outcome"] is None

    async with api_client(app, reviewer.headers) as as_reviewer:
        response = await act(as_reviewer, case, "accept", comment="Checked the bank letter.")
    assert response.status_code == 201, response.text
    decided = await override(client, case, requested["id"])
    assert decided["state"] == "accepted"
    assert decided["decided_by"] == str(reviewer.id)
    assert decided["decided_at"] is not None
    after = await read(client, case)
    assert after["outcome"] == "favorable"
    assert response.headers["ETag"] == f'"{after["version"]}"'


async def test_a_refused_override_leaves_the_outcome_as_it_was(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    first = await request_override(client, case, [reviewer.id], outcome="favorable")
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "accept")
        second = await request_override(client, case, [reviewer.id], outcome="unfavorable")
        await acted(as_reviewer, case, "refuse", override=second["id"], comment="Not enough evidence.")
    assert (await override(client, case, second["id"]))["state"] == "refused"
    assert (await override(client, case, second["id"]))["decided_by"] == str(reviewer.id)
    assert (await override(client, case, first["id"]))["state"] == "accepted"
    assert (await read(client, case))["outcome"] == "favorable"


async def test_only_the_requester_may_cancel(app, client, tenant):
    agent, other_agent, reviewer = tenant.add_member("agent"), tenant.add_member("agent"), tenant.add_member("reviewer")
    case = await create(client)
    async with api_client(app, agent.headers) as as_agent:
        requested = await request_override(as_agent, case, [reviewer.id])
    for member in (other_agent, reviewer):
        async with api_client(app, member.headers) as someone_else:
            assert_problem(await act(someone_else, case, "cancel"), 403)
    assert_problem(await act(client, case, "cancel"), 403)  # an admin is no exception
    assert (await override(client, case, requested["id"]))["state"] == "pending"

    async with api_client(app, agent.headers) as as_agent:
        await acted(as_agent, case, "cancel", comment="Raised by mistake.")
    cancelled = await override(client, case, requested["id"])
    assert cancelled["state"] == "cancelled"
    assert cancelled["decided_by"] == str(agent.id)
    assert (await read(client, case))["outcome"] is None


async def test_the_requester_may_not_be_one_of_the_reviewers(client, tenant):
    manager = tenant.add_member("manager")
    case = await create(client)
    response = await act(client, case, "override", **override_body(manager.id, tenant.admin.id))
    assert_problem(response, 422, "reviewers.1")
    assert await overrides(client, case) == []


async def test_the_requester_cannot_accept_or_refuse_even_when_listed(client, tenant, db):
    manager = tenant.add_member("manager")
    case = await create(client)
    requested = await request_override(client, case, [manager.id])

    def list_the_requester(session):  # the API refuses this; the rule must hold whatever the row says
        reviewers = [str(manager.id), str(tenant.admin.id)]
        row = OverrideRequest.id == uuid.UUID(requested["id"])
        session.execute(update(OverrideRequest).where(row).values(reviewer_ids=reviewers))

    db.run_sync(list_the_requester)
    for decision in ("accept", "refuse"):
        assert_problem(await act(client, case, decision), 403)
    assert (await override(client, case, requested["id"]))["state"] == "pending"


async def test_a_reviewer_not_assigned_to_the_override_may_not_decide(app, client, tenant):
    assigned, unassigned = tenant.add_member("reviewer"), tenant.add_member("reviewer")
    manager = tenant.add_member("manager")
    case = await create(client)
    requested = await request_override(client, case, [assigned.id])
    for member in (unassigned, manager):
        async with api_client(app, member.headers) as someone:
            for decision in ("accept", "refuse"):
                assert_problem(await act(someone, case, decision), 403)
    assert (await override(client, case, requested["id"]))["state"] == "pending"


async def test_managers_and_admins_may_review_when_assigned(app, client, tenant):
    manager, agent = tenant.add_member("manager"), tenant.add_member("agent")
    case = await create(client)
    async with api_client(app, agent.headers) as as_agent:
        requested = await request_override(as_agent, case, [manager.id, tenant.admin.id], outcome="unfavorable")
    await acted(client, case, "accept")
    assert (await override(client, case, requested["id"]))["decided_by"] == str(tenant.admin.id)
    assert (await read(client, case))["outcome"] == "unfavorable"


async def test_reviewers_and_viewers_may_not_request_an_override(app, client, tenant):
    reviewer, viewer = tenant.add_member("reviewer"), tenant.add_member("viewer")
    other_reviewer = tenant.add_member("reviewer")
    case = await create(client)
    for member in (reviewer, viewer):
        async with api_client(app, member.headers) as someone:
            assert_problem(await act(someone, case, "override", **override_body(other_reviewer.id)), 403)
    assert await overrides(client, case) == []


async def test_a_viewer_may_read_the_flow_but_not_act(app, client, tenant):
    reviewer, viewer = tenant.add_member("reviewer"), tenant.add_member("viewer")
    case = await create(client)
    requested = await request_override(client, case, [reviewer.id])
    async with api_client(app, viewer.headers) as as_viewer:
        assert_problem(await act(as_viewer, case, "comment", comment="hello"), 403)
        for decision in ("accept", "refuse", "cancel", "close"):
            assert_problem(await act(as_viewer, case, decision), 403)
        assert (await as_viewer.get(f"/cases/{case['id']}/overrides/{requested['id']}")).status_code == 200
        assert (await as_viewer.get(f"/cases/{case['id']}/actions")).status_code == 200
    assert (await override(client, case, requested["id"]))["state"] == "pending"


async def test_reviewers_must_be_active_reviewing_users_of_the_workspace(app, client, tenant, other):
    agent, viewer, gone = tenant.add_member("agent"), tenant.add_member("viewer"), tenant.add_member("reviewer")
    foreign = other.add_member("reviewer")
    reviewer = tenant.add_member("reviewer")
    assert (await client.patch(f"/users/{gone.id}", json={"active": False})).status_code == 200
    case = await create(client)
    for wrong in (agent.id, viewer.id, gone.id, foreign.id, uuid.uuid4()):
        assert_problem(await act(client, case, "override", **override_body(reviewer.id, wrong)), 422, "reviewers.1")
    for wrong_list in ([], [uuid.uuid4() for _ in range(11)], [reviewer.id] * 2):
        assert_problem(await act(client, case, "override", **override_body(*wrong_list)), 422, "reviewers", nested=True)
    assert await overrides(client, case) == []


async def test_a_second_pending_override_is_refused_until_the_first_is_decided(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    first = await request_override(client, case, [reviewer.id])
    before = await read(client, case)
    assert_problem(await act(client, case, "override", **override_body(reviewer.id, outcome="unfavorable")), 409)
    assert await read(client, case) == before
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "refuse", override=first["id"])
    second = await request_override(client, case, [reviewer.id], outcome="unfavorable")
    assert [o["state"] for o in await overrides(client, case)] == ["refused", "pending"]
    assert second["outcome"] == "unfavorable"


async def test_concurrent_requests_leave_one_pending_override(client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    body = {"type": "override", **override_body(reviewer.id)}
    responses = await asyncio.gather(*(client.post(f"/cases/{case['id']}/actions", json=body) for _ in range(6)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    assert [o["state"] for o in await overrides(client, case)] == ["pending"]


async def test_the_unique_index_refuses_a_second_pending_override_the_check_missed(client, tenant, monkeypatch):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    await request_override(client, case, [reviewer.id])
    before = await read(client, case)
    monkeypatch.setattr(service, "pending_override", lambda session, case_id: None)
    assert_problem(await act(client, case, "override", **override_body(reviewer.id)), 409)
    monkeypatch.undo()
    assert len(await overrides(client, case)) == 1
    assert await read(client, case) == before


async def test_acting_on_a_decided_override_is_a_conflict(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    requested = await request_override(client, case, [reviewer.id])
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "accept", override=requested["id"])
        assert_problem(await act(as_reviewer, case, "refuse", override=requested["id"]), 409)
        assert_problem(await act(as_reviewer, case, "accept"), 409)  # no pending override left
    assert_problem(await act(client, case, "cancel", override=requested["id"]), 409)
    assert (await override(client, case, requested["id"]))["state"] == "accepted"


async def test_an_unknown_override_is_not_found(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case, elsewhere = await create(client), await create(client)
    on_another_case = await request_override(client, elsewhere, [reviewer.id])
    async with api_client(app, reviewer.headers) as as_reviewer:
        for ident in (str(uuid.uuid4()), on_another_case["id"]):
            assert_problem(await act(as_reviewer, case, "accept", override=ident), 404)
    assert (await client.get(f"/cases/{case['id']}/overrides/{on_another_case['id']}")).status_code == 404
    assert (await client.get(f"/cases/{case['id']}/overrides/nope")).status_code == 404
    # An override has no handle: a number names none (it was a 500, found by the fuzz test).
    assert (await client.get(f"/cases/{case['id']}/overrides/5")).status_code == 404


async def test_closing_is_refused_while_an_override_is_pending(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    await request_override(client, case, [reviewer.id])
    assert_problem(await act(client, case, "close", comment="done"), 409)
    assert (await read(client, case))["closed_at"] is None
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "accept")
    closing = await acted(client, case, "close", comment="Resolved by the override.", resolution="confirmed")
    closed = await read(client, case)
    assert closed["status"] == "closed"
    assert closed["closed_by"] == str(tenant.admin.id)
    assert closed["resolution"] == "confirmed"
    assert closing["type"] == "close"
    assert_problem(await act(client, case, "close"), 409)  # already closed


async def test_close_obeys_closure_conditions_unless_a_manager_overrides_them(app, client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client, closure_conditions=[{"name": "assigned", "formula": "=SIZE(team_case.assignees) > 0"}])
    assert_problem(await act(client, case, "close"), 409)
    async with api_client(app, agent.headers) as as_agent:
        assert_problem(await act(as_agent, case, "close", override_closure_conditions=True), 403)
    assert (await read(client, case))["closed_at"] is None
    await acted(client, case, "close", override_closure_conditions=True)
    assert (await read(client, case))["status"] == "closed"
    assert (await action_log(client, case))["items"][-1]["type"] == "close"


async def test_an_override_cannot_be_requested_on_a_closed_case(client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    await acted(client, case, "close")
    assert_problem(await act(client, case, "override", **override_body(reviewer.id)), 409)
    assert await overrides(client, case) == []


async def test_override_views_list_every_request_of_the_case_oldest_first(app, client, tenant, db):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    first = await request_override(client, case, [reviewer.id], outcome="favorable", comment="first")
    await acted(client, case, "cancel")
    second = await request_override(client, case, [reviewer.id], outcome="unfavorable", comment="second")
    assert [o["id"] for o in await overrides(client, case)] == [first["id"], second["id"]]
    assert set(second) == {
        "id", "case_id", "state", "state_label", "outcome", "justification", "documents", "reviewers",
        "created_by", "created_at", "decided_by", "decided_at",
    }  # fmt: skip
    assert (second["case_id"], second["justification"], second["documents"]) == (case["id"], "second", [])
    page = await client.get(f"/cases/{case['id']}/overrides", params={"limit": 1})
    assert [o["id"] for o in page.json()["items"]] == [first["id"]]
    rest = await client.get(f"/cases/{case['id']}/overrides", params={"limit": 1, "cursor": page.json()["next_cursor"]})
    assert [o["id"] for o in rest.json()["items"]] == [second["id"]]


async def test_another_workspace_sees_no_case_and_no_override(app, client, tenant, other_client):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    requested = await request_override(client, case, [reviewer.id])
    unknown = str(uuid.uuid4())
    for path in ("actions", "overrides", f"overrides/{requested['id']}"):
        assert_same_not_found(
            await other_client.get(f"/cases/{case['id']}/{path}"), case["id"],
            await other_client.get(f"/cases/{unknown}/{path}"), unknown,
        )  # fmt: skip
    for kind, body in (("comment", {"comment": "hi"}), ("cancel", {}), ("close", {})):
        assert_problem(await act(other_client, case, kind, **body), 404)
    assert (await override(client, case, requested["id"]))["state"] == "pending"
