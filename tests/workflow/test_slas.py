"""SLA clocks: views computed at read time, starting, pausing, stopping, reopening, the first response and
priority changes (policies and list filters: test_sla_policies.py)."""

import uuid
from datetime import UTC, datetime

from casework.cases.models import Case
from casework.workflow.slas import service as slas
from casework.workflow.slas.models import CaseSla
from tests.helpers import api_client, create, patch, read
from tests.workflow.sla_support import HOUR, change, clocks, policy, seconds, set_policies, started, views

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def clock(sla_type: str = "completion", target: int = 1000, **values: object) -> CaseSla:
    fields = {
        "sla_type": sla_type,
        "target_seconds": target,
        "started_at": T0,
        "due_at": T0 + seconds(target),
        "warn_at": T0 + seconds(target * 3 // 4),
        "paused_since": None,
        "stopped_at": None,
    }
    return CaseSla(**(fields | values))


def view_of(*clocks_: CaseSla, at: datetime) -> list[dict]:
    return slas.clock_views(list(clocks_), at)


# Views, computed from the clock and the time of the read


def test_a_running_clock_shows_the_time_counted_so_far():
    assert view_of(clock(), at=T0 + seconds(250.7)) == [
        {
            "sla_type": "completion",
            "target_seconds": 1000,
            "current_time_seconds": 250,
            "remaining_time_seconds": 750,
            "percent_elapsed": 25.0,
            "exceeded": False,
            "paused": False,
        }
    ]


def test_a_clock_past_its_target_is_exceeded_with_nothing_remaining():
    (view,) = view_of(clock(), at=T0 + seconds(1500))
    assert (view["current_time_seconds"], view["remaining_time_seconds"]) == (1500, 0)
    assert view["percent_elapsed"] == 150.0
    assert view["exceeded"] is True
    (at_due,) = view_of(clock(), at=T0 + seconds(1000))
    assert at_due["exceeded"] is True


def test_a_paused_clock_stands_still_where_it_was_paused():
    paused = clock(paused_since=T0 + seconds(100))
    for later in (200, 5000):
        (view,) = view_of(paused, at=T0 + seconds(later))
        assert view["current_time_seconds"] == 100
        assert view["paused"] is True
        assert view["exceeded"] is False


def test_a_stopped_clock_counts_until_it_stopped_and_keeps_its_verdict():
    met = clock(stopped_at=T0 + seconds(900))
    (view,) = view_of(met, at=T0 + seconds(10 * HOUR))
    assert (view["current_time_seconds"], view["exceeded"], view["paused"]) == (900, False, False)
    late = clock(stopped_at=T0 + seconds(1200))
    (view,) = view_of(late, at=T0 + seconds(10 * HOUR))
    assert (view["current_time_seconds"], view["exceeded"]) == (1200, True)


def test_response_is_listed_before_completion():
    listed = view_of(clock("completion"), clock("response"), at=T0)
    assert [v["sla_type"] for v in listed] == ["response", "completion"]


def test_sla_types_have_labels():
    assert slas.sla_label("response") == "Response"
    assert slas.sla_label("completion") == "Completion"


# Starting clocks with the case


async def test_a_new_case_gets_one_clock_per_policy_of_its_priority(client, tenant):
    await set_policies(
        client, policy("response", HOUR, "P1"), policy("completion", 24 * HOUR, "P1"), policy("completion", 2 * HOUR)
    )
    urgent = await create(client, priority="P1")
    unprioritised = await create(client)
    other = await create(client, priority="P2")

    urgent_clocks = clocks(tenant.db, urgent["id"])
    assert {k: c.target_seconds for k, c in urgent_clocks.items()} == {"response": HOUR, "completion": 24 * HOUR}
    for c in urgent_clocks.values():
        assert c.due_at == c.started_at + seconds(c.target_seconds)
        assert c.warn_at == c.started_at + seconds(c.target_seconds * 75 // 100)
        assert c.next_check_at == c.warn_at
    assert {k: c.target_seconds for k, c in clocks(tenant.db, unprioritised["id"]).items()} == {"completion": 2 * HOUR}
    assert clocks(tenant.db, other["id"]) == {}
    assert other["slas"] == []


async def test_the_case_view_shows_its_slas(client):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR, pause=True))
    case = await read(client, await create(client))
    assert [s["sla_type"] for s in case["slas"]] == ["response", "completion"]
    response, completion = case["slas"]
    assert set(response) == {
        "sla_type", "target_seconds", "current_time_seconds", "remaining_time_seconds", "percent_elapsed", "exceeded",
        "paused",
    }
    assert response["target_seconds"] == HOUR and completion["target_seconds"] == 8 * HOUR
    assert response["current_time_seconds"] + response["remaining_time_seconds"] == HOUR
    assert response["exceeded"] is False and response["paused"] is False


async def test_a_case_created_with_assignees_has_had_its_response(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client, assignees=[str(tenant.admin.id)])
    assert set(clocks(tenant.db, case["id"])) == {"completion"}


async def test_a_case_created_in_a_pending_status_starts_its_pausing_clocks_paused(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR, pause=True))
    case = await create(client, status="Pending")
    stored = clocks(tenant.db, case["id"])
    assert stored["completion"].paused_since == stored["completion"].started_at
    assert stored["completion"].next_check_at is None
    assert stored["response"].paused_since is None


async def test_a_case_created_closed_gets_its_clocks_when_reopened(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client, status="closed", resolution="duplicate")
    assert case["slas"] == [] and clocks(tenant.db, case["id"]) == {}
    reopened = await patch(client, case, {"status": "open"})
    assert [s["sla_type"] for s in reopened["slas"]] == ["response", "completion"]
    stored = clocks(tenant.db, case["id"])
    assert {c.started_at for c in stored.values()} == {datetime.fromisoformat(reopened["updated_at"])}


# Pausing


async def test_pending_pauses_the_clocks_whose_policy_pauses_and_leaving_it_moves_their_targets_later(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR, pause=True))
    case = await create(client)
    start = started(tenant.db, case["id"])

    change(tenant.db, case["id"], {"status_category": ["open", "pending"]}, start + seconds(100))
    stored = clocks(tenant.db, case["id"])
    assert stored["completion"].paused_since == start + seconds(100)
    assert stored["completion"].next_check_at is None
    assert stored["response"].paused_since is None
    during = views(tenant.db, case["id"], start + seconds(300))
    assert during["completion"]["paused"] is True and during["completion"]["current_time_seconds"] == 100
    assert during["response"]["current_time_seconds"] == 300

    change(tenant.db, case["id"], {"status_category": ["pending", "open"]}, start + seconds(400))
    completion = clocks(tenant.db, case["id"])["completion"]
    assert completion.paused_since is None
    assert completion.due_at == start + seconds(8 * HOUR + 300)
    assert completion.warn_at == start + seconds(6 * HOUR + 300)
    assert completion.next_check_at == completion.warn_at
    after = views(tenant.db, case["id"], start + seconds(500))
    assert after["completion"]["current_time_seconds"] == 200
    assert after["completion"]["paused"] is False
    assert after["response"]["current_time_seconds"] == 500


async def test_moving_from_pending_to_on_hold_keeps_the_one_pause(client, tenant):
    await set_policies(client, policy("completion", 8 * HOUR, pause=True))
    case = await create(client)
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"status_category": ["open", "pending"]}, start + seconds(100))
    change(tenant.db, case["id"], {"status_category": ["pending", "on_hold"]}, start + seconds(200))
    assert clocks(tenant.db, case["id"])["completion"].paused_since == start + seconds(100)
    change(tenant.db, case["id"], {"status_category": ["on_hold", "open"]}, start + seconds(1000))
    assert views(tenant.db, case["id"], start + seconds(1000))["completion"]["current_time_seconds"] == 100


async def test_pending_through_the_api_pauses_and_resumes(client, tenant):
    await set_policies(client, policy("completion", 8 * HOUR, pause=True))
    case = await create(client)
    pending = await patch(client, case, {"status": "Pending"})
    assert pending["slas"][0]["paused"] is True
    assert clocks(tenant.db, case["id"])["completion"].paused_since is not None
    resumed = await patch(client, case, {"status": "in_progress"})
    assert resumed["slas"][0]["paused"] is False
    assert clocks(tenant.db, case["id"])["completion"].paused_since is None


# Stopping and reopening


def _close(at: datetime, before: str = "open") -> dict:
    return {"status_category": [before, "closed"], "closed_at": [None, at]}


def _reopen(closed_at: datetime, to: str = "open") -> dict:
    return {"status_category": ["closed", to], "closed_at": [closed_at, None]}


async def test_closing_stops_both_clocks(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client)
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], _close(start + seconds(100)), start + seconds(100))
    stored = clocks(tenant.db, case["id"])
    assert {c.stopped_at for c in stored.values()} == {start + seconds(100)}
    assert {c.next_check_at for c in stored.values()} == {None}
    later = views(tenant.db, case["id"], start + seconds(10 * HOUR))
    assert {v["current_time_seconds"] for v in later.values()} == {100}
    assert not any(v["exceeded"] for v in later.values())


async def test_closing_through_the_api_stops_the_clocks(client, tenant):
    await set_policies(client, policy("completion", 8 * HOUR))
    case = await create(client)
    await patch(client, case, {"status": "closed", "resolution": "done"})
    assert clocks(tenant.db, case["id"])["completion"].stopped_at is not None


async def test_reopening_resumes_the_clocks_without_counting_the_time_closed(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client)
    start = started(tenant.db, case["id"])
    closed_at = start + seconds(100)
    change(tenant.db, case["id"], _close(closed_at), closed_at)
    change(tenant.db, case["id"], _reopen(closed_at), start + seconds(600))
    stored = clocks(tenant.db, case["id"])
    for c in stored.values():
        assert c.stopped_at is None
        assert c.due_at == start + seconds(c.target_seconds + 500)
        assert c.next_check_at == c.warn_at
    after = views(tenant.db, case["id"], start + seconds(700))
    assert {v["current_time_seconds"] for v in after.values()} == {200}


async def test_reopening_leaves_the_response_clock_stopped_once_someone_responded(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client)
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"first_response_at": [None, start + seconds(50)]}, start + seconds(50))
    change(tenant.db, case["id"], _close(start + seconds(100)), start + seconds(100))
    change(tenant.db, case["id"], _reopen(start + seconds(100)), start + seconds(600))
    stored = clocks(tenant.db, case["id"])
    assert stored["response"].stopped_at == start + seconds(50)
    assert stored["completion"].stopped_at is None


async def test_closing_a_paused_case_does_not_count_the_pause(client, tenant):
    await set_policies(client, policy("completion", 8 * HOUR, pause=True))
    case = await create(client)
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"status_category": ["open", "pending"]}, start + seconds(100))
    change(tenant.db, case["id"], _close(start + seconds(900), before="pending"), start + seconds(900))
    stored = clocks(tenant.db, case["id"])["completion"]
    assert (stored.paused_since, stored.stopped_at) == (None, start + seconds(900))
    assert views(tenant.db, case["id"], start + seconds(5000))["completion"]["current_time_seconds"] == 100


async def test_reopening_into_pending_keeps_a_pausing_clock_paused(client, tenant):
    await set_policies(client, policy("completion", 8 * HOUR, pause=True))
    case = await create(client)
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], _close(start + seconds(100)), start + seconds(100))
    change(tenant.db, case["id"], _reopen(start + seconds(100), to="pending"), start + seconds(600))
    stored = clocks(tenant.db, case["id"])["completion"]
    assert (stored.stopped_at, stored.paused_since) == (None, start + seconds(600))
    assert views(tenant.db, case["id"], start + seconds(5000))["completion"]["current_time_seconds"] == 100


# The first response


async def test_the_first_response_stops_only_the_response_clock(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client)
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"first_response_at": [None, start + seconds(70)]}, start + seconds(70))
    stored = clocks(tenant.db, case["id"])
    assert stored["response"].stopped_at == start + seconds(70)
    assert stored["response"].next_check_at is None
    assert stored["completion"].stopped_at is None


async def test_the_first_assignment_stops_the_response_clock(client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client)
    await patch(client, case, {"assignees": [str(tenant.admin.id)]})
    stored = clocks(tenant.db, case["id"])
    assert stored["response"].stopped_at is not None
    assert stored["completion"].stopped_at is None


async def test_the_first_comment_records_the_first_response_and_stops_the_response_clock(app, client, tenant):
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    case = await create(client)
    agent = tenant.add_member("agent")
    async with api_client(app, agent.headers) as agent_client:
        response = await agent_client.post(f"/cases/{case['id']}/comments", json={"body": "On it."})
        assert response.status_code == 201, response.text
    stored = clocks(tenant.db, case["id"])
    first = stored["response"].stopped_at
    assert first is not None
    assert stored["completion"].stopped_at is None
    assert _first_response_at(tenant, case) == first

    response = await client.post(f"/cases/{case['id']}/comments", json={"body": "Later."})
    assert response.status_code == 201, response.text
    assert _first_response_at(tenant, case) == first
    assert clocks(tenant.db, case["id"])["response"].stopped_at == first


def _first_response_at(tenant, case):  # type: ignore[no-untyped-def]
    return tenant.db.run_sync(lambda s: s.get(Case, uuid.UUID(case["id"])).first_response_at, write=False)


# Priority changes


async def test_a_priority_change_retargets_the_running_clocks_from_their_start(client, tenant):
    await set_policies(
        client,
        policy("response", HOUR, "P1"),
        policy("completion", 4 * HOUR, "P1"),
        policy("response", 2 * HOUR, "P2", pause=True),
        policy("completion", 8 * HOUR, "P2"),
    )
    case = await create(client, priority="P1")
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"status_category": ["open", "pending"]}, start + seconds(100))
    change(tenant.db, case["id"], {"status_category": ["pending", "open"]}, start + seconds(200))
    change(tenant.db, case["id"], {"priority": ["P1", "P2"]}, start + seconds(300))
    stored = clocks(tenant.db, case["id"])
    assert stored["response"].target_seconds == 2 * HOUR
    assert stored["response"].pause_when_pending is True
    assert stored["response"].due_at == start + seconds(2 * HOUR)  # the P1 response clock did not pause
    assert stored["response"].warn_at == start + seconds(2 * HOUR * 3 // 4)
    assert stored["completion"].due_at == start + seconds(8 * HOUR)
    assert stored["response"].started_at == start


async def test_a_priority_change_removes_a_clock_no_policy_covers_and_starts_one_a_policy_calls_for(client, tenant):
    await set_policies(client, policy("response", HOUR, "P1"), policy("completion", 4 * HOUR, "P2"))
    case = await create(client, priority="P1")
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"priority": ["P1", "P2"]}, start + seconds(300))
    stored = clocks(tenant.db, case["id"])
    assert set(stored) == {"completion"}
    assert stored["completion"].started_at == start + seconds(300)
    assert stored["completion"].due_at == start + seconds(300 + 4 * HOUR)


async def test_a_priority_change_leaves_a_met_response_clock_alone(client, tenant):
    await set_policies(client, policy("response", HOUR, "P1"), policy("response", 2 * HOUR, "P2"))
    case = await create(client, priority="P1")
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"first_response_at": [None, start + seconds(60)]}, start + seconds(60))
    change(tenant.db, case["id"], {"priority": ["P1", None]}, start + seconds(300))
    response = clocks(tenant.db, case["id"])["response"]
    assert (response.target_seconds, response.stopped_at) == (HOUR, start + seconds(60))


async def test_a_priority_change_through_the_api_retargets_or_removes(client, tenant):
    await set_policies(client, policy("completion", HOUR, "P1"), policy("completion", 3 * HOUR, "P3"))
    case = await create(client, priority="P1")
    updated = await patch(client, case, {"priority": "P3"})
    assert updated["slas"][0]["target_seconds"] == 3 * HOUR
    assert (await patch(client, case, {"priority": "P2"}))["slas"] == []
    assert clocks(tenant.db, case["id"]) == {}


# When the worker looks next


async def test_a_clock_frozen_after_crossing_its_warning_stays_due_for_the_worker(client, tenant):
    await set_policies(client, policy("completion", 1000, pause=True))
    case = await create(client)
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"status_category": ["open", "pending"]}, start + seconds(800))
    completion = clocks(tenant.db, case["id"])["completion"]
    assert completion.next_check_at == completion.warn_at == start + seconds(750)
