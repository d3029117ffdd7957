"""Statuses on cases: named by id, name or group; the closed group's stamps; transitions, resolutions, read-only."""

from datetime import datetime

from tests.helpers import actions, assert_problem, create, patch, read


async def statuses(client) -> dict[str, dict]:
    response = await client.get("/projects/SEC/statuses")
    assert response.status_code == 200, response.text
    return {s["name"]: s for s in response.json()}


async def test_a_new_case_takes_the_default_status_of_the_open_group(client):
    case = await create(client)
    assert (case["status"], case["status_name"], case["status_category"]) == ("open", "Open", "open")
    assert case["status_id"] == (await statuses(client))["Open"]["id"]


async def test_a_status_is_accepted_by_id_by_name_in_any_case_and_by_group(client):
    known = await statuses(client)
    by_id = await create(client, status=known["Pending"]["id"])
    by_name = await create(client, status="on HOLD")
    by_group = await create(client, status="IN_PROGRESS")
    assert (by_id["status_name"], by_id["status"], by_id["status_category"]) == ("Pending", "in_progress", "pending")
    assert (by_name["status_name"], by_name["status_category"]) == ("On hold", "on_hold")
    assert (by_group["status_name"], by_group["status"]) == ("In progress", "in_progress")
    moved = await patch(client, by_group, {"status": "new"})
    assert (moved["status_name"], moved["status"], moved["status_category"]) == ("New", "open", "new")


async def test_an_unknown_status_is_422_naming_status_and_writes_nothing(client):
    assert_problem(await client.post("/cases", json={"title": "x", "status": "Frozen"}), 422, "status")
    case = await create(client)
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"status": "Frozen"}), 422, "status")
    assert await read(client, case) == case


async def test_entering_the_closed_group_stamps_closed_at_closed_by_and_duration_and_leaving_clears_them(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    resolved = await patch(client, case, {"status": "Resolved"}, headers=agent.headers)
    assert (resolved["status"], resolved["status_category"]) == ("closed", "resolved")
    assert resolved["closed_by"] == str(agent.id)
    closed_at, created_at = datetime.fromisoformat(resolved["closed_at"]), datetime.fromisoformat(case["created_at"])
    assert resolved["duration"] == int((closed_at - created_at).total_seconds())
    assert isinstance(resolved["duration"], int) and resolved["duration"] >= 0
    # A move inside the closed group keeps the first stamps.
    closed = await patch(client, resolved, {"status": "Closed"})
    assert (closed["closed_at"], closed["closed_by"], closed["duration"]) == (
        resolved["closed_at"],
        resolved["closed_by"],
        resolved["duration"],
    )
    reopened = await patch(client, closed, {"status": "open"})
    assert (reopened["closed_at"], reopened["closed_by"], reopened["duration"]) == (None, None, None)


async def test_a_case_created_closed_is_stamped_with_a_zero_duration(client, tenant):
    case = await create(client, status="closed")
    assert (case["closed_by"], case["duration"]) == (str(tenant.admin.id), 0)
    assert case["closed_at"] == case["created_at"]


async def test_a_status_change_is_logged_with_the_names_and_the_group(client):
    case = await create(client)
    await patch(client, case, {"status": "Pending"})
    await patch(client, case, {"status": "On hold"})
    log = (await client.get(f"/cases/{case['id']}/activity")).json()["items"]
    assert [e["action"] for e in log] == ["created", "status_changed", "status_changed"]
    assert log[1]["changes"] == {
        "status": ["open", "in_progress"],
        "status_name": ["Open", "Pending"],
        "status_category": ["open", "pending"],
    }
    assert log[2]["changes"] == {"status_name": ["Pending", "On hold"], "status_category": ["pending", "on_hold"]}


async def test_restricted_transitions_refuse_a_move_not_listed_and_allow_a_listed_one(client):
    case = await create(client)
    transitions = {"transitions": [{"from": "Open", "to": "In progress"}, {"from": "In progress", "to": "Closed"}]}
    assert (await client.put("/projects/SEC/transitions", json=transitions)).status_code == 200
    # Not restricted yet: any move goes.
    assert (await patch(client, case, {"status": "Pending"}))["status_name"] == "Pending"
    await patch(client, case, {"status": "Open"})
    assert (await client.patch("/projects/SEC", json={"restrict_transitions": True})).status_code == 200
    refused = await client.patch(f"/cases/{case['id']}", json={"status": "closed"})
    assert_problem(refused, 409)
    assert (await read(client, case))["status_name"] == "Open"
    assert (await patch(client, case, {"status": "in_progress"}))["status_name"] == "In progress"
    assert (await patch(client, case, {"status": "closed"}))["status_name"] == "Closed"


async def test_a_resolution_is_required_to_resolve_or_close_where_the_project_says_so(client):
    case = await create(client)
    # Not required by default.
    closed = await patch(client, case, {"status": "Resolved"})
    await patch(client, closed, {"status": "open"})
    assert (await client.patch("/projects/SEC", json={"resolution_required": True})).status_code == 200
    for status in ("Resolved", "Closed", "closed"):
        assert_problem(await client.patch(f"/cases/{case['id']}", json={"status": status}), 422, "resolution")
    assert (await read(client, case))["status"] == "open"
    assert_problem(await client.post("/cases", json={"title": "x", "status": "Resolved"}), 422, "resolution")
    done = await patch(client, case, {"status": "Resolved", "resolution": "duplicate"})
    assert (done["status_name"], done["resolution"]) == ("Resolved", "duplicate")
    # Clearing the resolution of a resolved case is refused as well.
    assert (await client.patch("/projects/SEC", json={"closed_read_only": False})).status_code == 200
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"resolution": None}), 422, "resolution")
    # Other statuses need none.
    assert (await patch(client, done, {"status": "Pending", "resolution": None}))["status_name"] == "Pending"


async def test_a_closed_case_refuses_content_but_takes_comments(client):
    case = await create(client, status="closed")
    assert_problem(await client.post(f"/cases/{case['id']}/tasks", json={"description": "late"}), 409)
    assert_problem(await client.post(f"/cases/{case['id']}/alerts", json={"alert_ids": "a1", "indexes": "x"}), 409)
    comment = await client.post(f"/cases/{case['id']}/comments", json={"body": "closing note"})
    assert comment.status_code == 201, comment.text
    assert await actions(client, case) == ["created", "commented"]


async def test_comments_on_closed_cases_can_be_turned_off_and_read_only_can_be_lifted(client):
    assert (await client.patch("/projects/SEC", json={"comments_on_closed": False})).status_code == 200
    case = await create(client, status="closed")
    assert_problem(await client.post(f"/cases/{case['id']}/comments", json={"body": "late"}), 409)
    assert (await client.patch("/projects/SEC", json={"closed_read_only": False})).status_code == 200
    assert (await client.post(f"/cases/{case['id']}/comments", json={"body": "late"})).status_code == 201
    assert (await client.post(f"/cases/{case['id']}/tasks", json={"description": "late"})).status_code == 201
    assert (await patch(client, case, {"title": "edited while closed"}))["status"] == "closed"


async def test_a_case_type_must_exist_and_active_in_the_project_and_prefills_what_the_case_leaves_unset(client):
    assert_problem(await client.post("/cases", json={"title": "x", "type": "PHISHING"}), 422, "type")
    prefill = {"priority": "P2", "severity": "high", "tags": ["phishing"], "description": "Report phishing"}
    created = await client.post("/projects/SEC/types", json={"name": "PHISHING", "prefill": prefill})
    assert created.status_code == 201, created.text
    case = await create(client, type="phishing", severity="critical")
    assert (case["type"], case["priority"], case["severity"], case["tags"], case["description"]) == (
        "PHISHING",
        "P2",
        "critical",
        ["phishing"],
        "Report phishing",
    )
    assert (await client.patch("/projects/SEC/types/PHISHING", json={"active": False})).status_code == 200
    assert_problem(await client.post("/cases", json={"title": "x", "type": "PHISHING"}), 422, "type")
    standard = await create(client)
    assert_problem(await client.patch(f"/cases/{standard['id']}", json={"type": "PHISHING"}), 422, "type")
    # A case keeps the type it holds: naming it again changes nothing.
    again = await client.patch(f"/cases/{case['id']}", json={"type": "PHISHING"})
    assert (again.status_code, again.json()["version"]) == (200, case["version"])


async def test_lists_filter_by_status_name_id_and_group(client):
    known = await statuses(client)
    pending = await create(client, status="Pending")
    on_hold = await create(client, status="On hold")
    open_case = await create(client)

    async def keys(params) -> set[str]:
        response = await client.get("/cases", params=params)
        assert response.status_code == 200, response.text
        return {c["key"] for c in response.json()["items"]}

    assert await keys({"status": "pending"}) == {pending["key"]}
    assert await keys({"status": known["On hold"]["id"]}) == {on_hold["key"]}
    assert await keys({"status": "in_progress"}) == {pending["key"], on_hold["key"]}
    assert await keys([("status", "open"), ("status", "Pending")]) == {open_case["key"], pending["key"]}
    assert_problem(await client.get("/cases", params={"status": "Frozen"}), 422, "status")
