"""A project's statuses: seeded defaults, one default per group, names unique whatever their case, statuses held
by cases kept as they are, labels in the caller's language, and who may change them."""

import uuid

import pytest
from sqlalchemy import insert

from casework.db.base import new_id, utcnow
from casework.workflow.statuses.models import CaseStatus
from casework.workflow.statuses.schemas import MAX_STATUSES_PER_PROJECT
from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_same_not_found, create

STATUSES = "/projects/SEC/statuses"
SEEDED = [
    # name, group, category, is_default
    ("New", "open", "new", False),
    ("Open", "open", "open", True),
    ("In progress", "in_progress", "open", True),
    ("Pending", "in_progress", "pending", False),
    ("On hold", "in_progress", "on_hold", False),
    ("Resolved", "closed", "resolved", False),
    ("Closed", "closed", "closed", True),
]


async def statuses(client, path: str = STATUSES, **kwargs) -> list[dict]:
    response = await client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def by_name(client) -> dict[str, dict]:
    return {s["name"]: s for s in await statuses(client)}


async def add(client, name: str = "Triage", group: str = "open", category: str = "open", **body) -> dict:
    response = await client.post(STATUSES, json={"name": name, "group": group, "category": category, **body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def defaults(client) -> dict[str, str]:
    return {s["group"]: s["name"] for s in await statuses(client) if s["is_default"]}


# Seeding


async def test_a_new_project_starts_with_the_seven_default_statuses(client):
    seeded = await statuses(client)
    assert [(s["name"], s["group"], s["category"], s["is_default"]) for s in seeded] == SEEDED
    assert [s["position"] for s in seeded] == list(range(7))
    assert [s["label"] for s in seeded] == [name for name, *_ in SEEDED]
    assert [s["group_label"] for s in seeded] == ["Open", "Open", "In progress", "In progress", "In progress", "Closed", "Closed"]
    assert [s["category_label"] for s in seeded] == ["New", "Open", "Open", "Pending", "On hold", "Resolved", "Closed"]
    for status in seeded:
        uuid.UUID(status["id"])
        assert status["colour"].startswith("#") and len(status["colour"]) == 7
        assert status["created_at"] and status["updated_at"]


async def test_a_project_created_through_the_api_is_seeded_too(client):
    assert (await client.post("/projects", json={"key": "OPS", "name": "Operations"})).status_code == 201
    seeded = await statuses(client, "/projects/OPS/statuses")
    assert [(s["name"], s["group"], s["category"], s["is_default"]) for s in seeded] == SEEDED
    assert {s["id"] for s in seeded}.isdisjoint({s["id"] for s in await statuses(client)})


# Creating


async def test_a_new_status_goes_last_with_its_colour_in_upper_case(client):
    created = await add(client, "Triage", colour="#a1b2c3")
    assert (created["name"], created["label"], created["colour"], created["position"]) == ("Triage", "Triage", "#A1B2C3", 7)
    assert (created["group"], created["category"], created["is_default"]) == ("open", "open", False)
    assert (await statuses(client))[-1] == created
    assert (await client.get(f"{STATUSES}/{created['id']}")).json() == created


async def test_statuses_are_listed_by_position(client):
    for name, position in (("New", 50), ("Closed", 99), ("Pending", 0)):
        moved = await client.patch(f"{STATUSES}/{name}", json={"position": position})
        assert moved.status_code == 200 and moved.json()["position"] == position
    await add(client, "Last")
    assert [s["name"] for s in await statuses(client)] == [
        "Pending", "Open", "In progress", "On hold", "Resolved", "New", "Closed", "Last"
    ]
    assert (await by_name(client))["Last"]["position"] == 100


@pytest.mark.parametrize("name", ["in progress", "IN PROGRESS", "In progress", "  open  "])
async def test_a_status_name_is_unique_in_the_project_whatever_its_case(client, name):
    before = await statuses(client)
    body = assert_problem(await client.post(STATUSES, json={"name": name, "group": "open", "category": "open"}), 409)
    assert "already has a status" in body["detail"]
    assert await statuses(client) == before


async def test_the_same_status_name_may_exist_in_another_project(client):
    await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    await add(client, "Triage")
    response = await client.post("/projects/OPS/statuses", json={"name": "triage", "group": "open", "category": "new"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "body, field",
    [
        ({"group": "open", "category": "open"}, "name"),
        ({"name": "", "group": "open", "category": "open"}, "name"),
        ({"name": "   ", "group": "open", "category": "open"}, "name"),
        ({"name": "x" * 65, "group": "open", "category": "open"}, "name"),
        ({"name": "X", "colour": "red", "group": "open", "category": "open"}, "colour"),
        ({"name": "X", "colour": "#12345", "group": "open", "category": "open"}, "colour"),
        ({"name": "X", "colour": "#12345G", "group": "open", "category": "open"}, "colour"),
        ({"name": "X", "category": "open"}, "group"),
        ({"name": "X", "group": "waiting", "category": "open"}, "group"),
        ({"name": "X", "group": "open", "category": "archived"}, "category"),
        ({"name": "X", "group": "open"}, "category"),
        ({"name": "X", "group": "open", "category": "open", "position": -1}, "position"),
        ({"name": "X", "group": "open", "category": "open", "is_default": "maybe"}, "is_default"),
        ({"name": "X", "group": "open", "category": "open", "label": "Y"}, "label"),
        ({"name": "X\x00", "group": "open", "category": "open"}, "name"),
    ],
    ids=["no-name", "empty", "blank", "long", "colour-word", "colour-short", "colour-hex", "no-group", "bad-group",
         "bad-category", "no-category", "negative-position", "bad-default", "unknown-field", "nul"],
)
async def test_bad_status_input_is_refused_naming_the_field(client, body, field):
    before = await statuses(client)
    assert_problem(await client.post(STATUSES, json=body), 422, field)
    assert await statuses(client) == before


@pytest.mark.parametrize(
    "group, category, field",
    [("closed", "open", "category"), ("closed", "pending", "category"), ("open", "resolved", "category"),
     ("in_progress", "closed", "category")],
)
async def test_the_closed_group_holds_exactly_the_resolved_and_closed_categories(client, group, category, field):
    assert_problem(await client.post(STATUSES, json={"name": "X", "group": group, "category": category}), 422, field)
    assert "X" not in await by_name(client)


async def test_a_status_cannot_change_into_a_group_and_category_that_do_not_pair(client):
    before = await statuses(client)
    assert_problem(await client.patch(f"{STATUSES}/Pending", json={"group": "closed"}), 422, "group")
    assert_problem(await client.patch(f"{STATUSES}/Resolved", json={"category": "open"}), 422, "category")
    assert await statuses(client) == before
    paired = await client.patch(f"{STATUSES}/Pending", json={"group": "closed", "category": "resolved"})
    assert paired.status_code == 200, paired.text


async def test_a_project_holds_at_most_fifty_statuses(client, tenant: Tenant):
    def fill(session):  # type: ignore[no-untyped-def]
        now = utcnow()
        rows = [
            {"id": new_id(), "workspace_id": tenant.workspace_id, "project_id": tenant.project_id, "name": f"S{i}",
             "colour": "#000000", "position": 10 + i, "group": "open", "category": "open", "is_default": False,
             "builtin_key": None, "created_at": now, "updated_at": now}
            for i in range(MAX_STATUSES_PER_PROJECT - 7)
        ]
        session.execute(insert(CaseStatus.__table__), rows)

    tenant.db.run_sync(fill)
    assert_problem(await client.post(STATUSES, json={"name": "One more", "group": "open", "category": "open"}), 422, "name")
    assert len(await statuses(client)) == MAX_STATUSES_PER_PROJECT


# One default per group


async def test_a_new_default_status_replaces_its_groups_former_default_only(client):
    created = await add(client, "Triage", "in_progress", "open", is_default=True)
    assert created["is_default"] is True
    assert await defaults(client) == {"open": "Open", "in_progress": "Triage", "closed": "Closed"}


async def test_making_a_status_the_default_unsets_the_former_default_of_its_group(client):
    response = await client.patch(f"{STATUSES}/Resolved", json={"is_default": True})
    assert response.status_code == 200, response.text
    assert response.json()["is_default"] is True
    assert await defaults(client) == {"open": "Open", "in_progress": "In progress", "closed": "Resolved"}
    again = await client.patch(f"{STATUSES}/Resolved", json={"is_default": True})
    assert again.status_code == 200 and again.json()["is_default"] is True
    assert await defaults(client) == {"open": "Open", "in_progress": "In progress", "closed": "Resolved"}


async def test_the_only_default_of_a_group_cannot_be_undefaulted(client):
    before = await statuses(client)
    body = assert_problem(await client.patch(f"{STATUSES}/Open", json={"is_default": False}), 409)
    assert "default" in body["detail"]
    assert await statuses(client) == before
    unchanged = await client.patch(f"{STATUSES}/Pending", json={"is_default": False})
    assert unchanged.status_code == 200 and unchanged.json()["is_default"] is False


async def test_the_default_of_a_group_cannot_move_to_another_group(client):
    before = await statuses(client)
    assert_problem(await client.patch(f"{STATUSES}/In progress", json={"group": "open"}), 409)
    assert await statuses(client) == before


async def test_a_status_moved_to_another_group_as_its_default_replaces_that_groups_default(client):
    response = await client.patch(f"{STATUSES}/Pending", json={"group": "open", "is_default": True})
    assert response.status_code == 200, response.text
    assert (response.json()["group"], response.json()["is_default"]) == ("open", True)
    assert await defaults(client) == {"open": "Pending", "in_progress": "In progress", "closed": "Closed"}


async def test_the_default_of_a_group_cannot_be_deleted(client):
    for name in ("Open", "In progress", "Closed"):
        body = assert_problem(await client.delete(f"{STATUSES}/{name}"), 409)
        assert "default" in body["detail"]
    assert len(await statuses(client)) == 7


# Changing and deleting


async def test_a_status_is_found_by_id_or_by_name_in_any_case(client):
    listed = await by_name(client)
    assert (await client.get(f"{STATUSES}/on HOLD")).json() == listed["On hold"]
    assert (await client.get(f"{STATUSES}/{listed['On hold']['id']}")).json() == listed["On hold"]
    assert_problem(await client.get(f"{STATUSES}/Waiting"), 404)
    assert_problem(await client.get(f"{STATUSES}/{uuid.uuid4()}"), 404)
    assert_problem(await client.patch(f"{STATUSES}/Waiting", json={"colour": "#000000"}), 404)
    assert_problem(await client.delete(f"{STATUSES}/Waiting"), 404)


async def test_a_status_is_renamed_recoloured_and_moved(client):
    response = await client.patch(f"{STATUSES}/Pending", json={"name": "Waiting", "colour": "#00ff00", "position": 2})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["name"], changed["label"], changed["colour"], changed["position"]) == ("Waiting", "Waiting", "#00FF00", 2)
    assert changed["updated_at"] >= changed["created_at"]
    assert (await client.get(f"{STATUSES}/waiting")).json() == changed
    assert_problem(await client.get(f"{STATUSES}/Pending"), 404)


async def test_a_status_cannot_take_the_name_of_another_but_may_change_its_own_case(client):
    assert_problem(await client.patch(f"{STATUSES}/Pending", json={"name": "on hold"}), 409)
    response = await client.patch(f"{STATUSES}/Pending", json={"name": "PENDING"})
    assert response.status_code == 200 and response.json()["name"] == "PENDING"


async def test_bad_status_changes_are_refused_naming_the_field(client):
    before = await statuses(client)
    for body, field in [({"name": ""}, "name"), ({"colour": "blue"}, "colour"), ({"group": "done"}, "group"),
                        ({"position": "first"}, "position"), ({"builtin_key": "new"}, "builtin_key")]:
        assert_problem(await client.patch(f"{STATUSES}/Pending", json=body), 422, field)
    assert await statuses(client) == before


async def test_an_unused_status_that_is_no_default_is_deleted(client):
    created = await add(client, "Triage")
    assert (await client.delete(f"{STATUSES}/triage")).status_code == 204
    assert_problem(await client.get(f"{STATUSES}/{created['id']}"), 404)
    assert (await client.delete(f"{STATUSES}/Pending")).status_code == 204
    assert [s["name"] for s in await statuses(client)] == ["New", "Open", "In progress", "On hold", "Resolved", "Closed"]


async def test_an_unused_status_changes_group_and_category(client):
    response = await client.patch(f"{STATUSES}/New", json={"group": "in_progress", "category": "on_hold"})
    assert response.status_code == 200, response.text
    assert (response.json()["group"], response.json()["category"]) == ("in_progress", "on_hold")
    assert response.json()["category_label"] == "On hold"


async def test_a_status_held_by_cases_is_not_deleted_and_says_by_how_many(client):
    await create(client, status="Pending")
    await create(client, status="pending")
    before = await statuses(client)
    body = assert_problem(await client.delete(f"{STATUSES}/Pending"), 409)
    assert "2 cases" in body["detail"]
    assert await statuses(client) == before


async def test_a_status_held_by_a_case_keeps_its_group_and_category_but_may_be_renamed(client):
    await create(client, status="Pending")
    for change in ({"category": "on_hold"}, {"group": "open", "category": "open"}):
        body = assert_problem(await client.patch(f"{STATUSES}/Pending", json=change), 409)
        assert "1 cases" in body["detail"]
    renamed = await client.patch(f"{STATUSES}/Pending", json={"name": "Waiting", "colour": "#111111", "position": 9})
    assert renamed.status_code == 200, renamed.text
    same = await client.patch(f"{STATUSES}/Waiting", json={"group": "in_progress", "category": "pending"})
    assert same.status_code == 200, same.text


# Labels


async def test_a_renamed_seeded_status_is_labelled_by_its_new_name_until_named_back(client):
    renamed = await client.patch(f"{STATUSES}/In progress", json={"name": "Doing"})
    assert renamed.json()["label"] == "Doing"
    fr = await client.get(f"{STATUSES}/Doing", headers={"Accept-Language": "fr"})
    assert fr.json()["label"] == "Doing"
    back = await client.patch(f"{STATUSES}/Doing", json={"name": "In progress"})
    assert back.json()["label"] == "In progress"
    fr = await client.get(f"{STATUSES}/In progress", headers={"Accept-Language": "fr"})
    assert fr.json()["label"] == "En cours"


async def test_labels_follow_accept_language_french(client):
    listed = await statuses(client, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert [s["name"] for s in listed] == [name for name, *_ in SEEDED]  # names never change with the language
    assert [s["label"] for s in listed] == ["Nouveau", "Ouvert", "En cours", "En attente", "Suspendu", "Résolu", "Clos"]
    assert [s["group_label"] for s in listed] == ["Ouvert", "Ouvert", "En cours", "En cours", "En cours", "Clos", "Clos"]
    assert [s["category_label"] for s in listed] == ["Nouveau", "Ouvert", "Ouvert", "En attente", "Suspendu", "Résolu", "Clos"]
    custom = await client.post(
        STATUSES, json={"name": "Triage", "group": "in_progress", "category": "on_hold"}, headers={"Accept-Language": "fr"}
    )
    assert (custom.json()["label"], custom.json()["group_label"], custom.json()["category_label"]) == ("Triage", "En cours", "Suspendu")


async def test_labels_are_english_without_accept_language_or_for_other_languages(client):
    for headers in ({}, {"Accept-Language": "de"}, {"Accept-Language": "en-GB"}):
        listed = await statuses(client, headers=headers)
        assert listed[2]["label"] == "In progress" and listed[2]["group_label"] == "In progress"


# Who may do what


@pytest.mark.parametrize("role", ["agent", "reviewer", "viewer"])
async def test_only_admins_and_managers_change_statuses(client, tenant: Tenant, role):
    member = tenant.add_member(role)
    before = await statuses(client)
    headers = member.headers
    assert_problem(await client.post(STATUSES, json={"name": "X", "group": "open", "category": "open"}, headers=headers), 403)
    assert_problem(await client.patch(f"{STATUSES}/Pending", json={"colour": "#000000"}, headers=headers), 403)
    assert_problem(await client.delete(f"{STATUSES}/Pending", headers=headers), 403)
    assert await statuses(client, headers=headers) == before  # reading is for everyone
    assert (await client.get(f"{STATUSES}/Pending", headers=headers)).status_code == 200


async def test_a_manager_configures_statuses(client, tenant: Tenant):
    headers = tenant.add_member("manager").headers
    created = await client.post(STATUSES, json={"name": "X", "group": "open", "category": "open"}, headers=headers)
    assert created.status_code == 201, created.text
    assert (await client.patch(f"{STATUSES}/X", json={"is_default": True}, headers=headers)).status_code == 200
    assert (await client.patch(f"{STATUSES}/Open", json={"is_default": True}, headers=headers)).status_code == 200
    assert (await client.delete(f"{STATUSES}/X", headers=headers)).status_code == 204


async def test_another_workspaces_project_statuses_are_not_found(client, other_client):
    foreign = "/projects/SEC/statuses"  # the other workspace has a project SEC of its own
    await add(client, "Mine")
    assert "Mine" not in {s["name"] for s in await statuses(other_client, foreign)}
    project_id = (await client.get("/projects/SEC")).json()["id"]
    unknown = uuid.uuid4()
    assert_same_not_found(
        await other_client.get(f"/projects/{project_id}/statuses"), project_id,
        await other_client.get(f"/projects/{unknown}/statuses"), unknown,
    )
    status_id = (await by_name(client))["Mine"]["id"]
    for response in (
        await other_client.post(f"/projects/{project_id}/statuses", json={"name": "Y", "group": "open", "category": "open"}),
        await other_client.patch(f"/projects/{project_id}/statuses/{status_id}", json={"colour": "#000000"}),
        await other_client.delete(f"/projects/{project_id}/statuses/{status_id}"),
        await other_client.get(f"{foreign}/{status_id}"),
        await other_client.delete(f"{foreign}/{status_id}"),
    ):
        assert_problem(response, 404)
    assert (await by_name(client))["Mine"]["colour"] == "#6B7280"
