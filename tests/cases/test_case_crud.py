"""Creating, reading, changing, archiving and restoring cases through the native API."""

import asyncio
import uuid
from datetime import datetime

import pytest

from tests.helpers import PROBLEM, all_cases, assert_problem, create

# Creating


async def test_create_answers_201_with_location_etag_and_the_new_case(client, tenant):
    response = await client.post("/cases", json={"title": "Phishing report"})
    assert response.status_code == 201, response.text
    case = response.json()
    assert response.headers["etag"] == '"1"'
    assert uuid.UUID(case["id"]).version == 7
    assert case["number"] == 1
    assert case["key"] == "SEC-1"
    assert case["project_id"] == str(tenant.project_id)
    assert case["title"] == "Phishing report"
    assert case["description"] == ""
    assert case["status"] == "open"
    assert case["priority"] is None
    assert case["severity"] == "low"
    assert case["assignees"] == []
    assert case["tags"] == []
    assert case["metadata"] == {}
    assert case["external_refs"] == {}
    assert case["author_id"] == str(tenant.admin.id)
    assert case["updated_by"] == str(tenant.admin.id)
    assert case["created_at"] == case["updated_at"]
    assert datetime.fromisoformat(case["created_at"]).tzinfo is not None
    assert case["closed_at"] is None and case["closed_by"] is None
    assert case["archived_at"] is None and case["archived_by"] is None
    assert case["version"] == 1

    location = response.headers["location"]
    assert location.endswith(f"/cases/{case['id']}")
    fetched = await client.get(location)
    assert fetched.status_code == 200
    assert fetched.json() == case
    assert fetched.headers["etag"] == '"1"'


async def test_every_settable_field_is_kept_as_given(client, tenant):
    assert (await client.post("/projects/SEC/types", json={"name": "INCIDENT"})).status_code == 201
    agent = tenant.add_member("agent")
    manager = tenant.add_member("manager")
    fields = {
        "title": "Ransomware on file server",
        "description": "Encrypted shares on fs-02.",
        "status": "in_progress",
        "priority": "P1",
        "severity": "critical",
        "type": "INCIDENT",
        "assignees": [str(agent.id), str(manager.id)],
        "tags": ["ransomware", "fs-02"],
        "requester": {"name": "Dana", "email": "dana@example.com", "type": "employee", "id": "4711"},
        "due_date": "2031-05-01T12:00:00+00:00",
        "resolution": "contained",
        "resolution_reason": "isolated the host",
        "external_refs": {"jira": "OPS-12"},
        "metadata": {"site": "berlin", "asset": "fs-02"},
    }
    case = await create(client, **fields)
    fetched = (await client.get(f"/cases/{case['id']}")).json()
    for got in (case, fetched):
        for name, value in fields.items():
            if name == "due_date":
                assert datetime.fromisoformat(got[name]) == datetime.fromisoformat(value)
            else:
                assert got[name] == value, name


async def test_due_date_keeps_the_instant_whatever_the_offset(client):
    case = await create(client, due_date="2031-05-01T12:00:00+02:00")
    fetched = (await client.get(f"/cases/{case['id']}")).json()
    assert datetime.fromisoformat(fetched["due_date"]) == datetime.fromisoformat("2031-05-01T10:00:00+00:00")
    # The created answer is the same representation as every later read (one ETag, one body).
    assert case == fetched
    patched = (await client.patch(f"/cases/{case['id']}", json={"due_date": "2031-06-01T09:00:00-05:00"})).json()
    assert patched == (await client.get(f"/cases/{case['id']}")).json()
    assert datetime.fromisoformat(patched["due_date"]) == datetime.fromisoformat("2031-06-01T14:00:00+00:00")


async def test_numbers_count_per_workspace_and_keys_per_project(client):
    first = await create(client)
    second = await create(client)
    project = await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    assert project.status_code == 201, project.text
    ops1 = await create(client, project="OPS")
    sec3 = await create(client)
    ops2 = await create(client, project=project.json()["id"])
    assert [(c["number"], c["key"]) for c in (first, second, ops1, sec3, ops2)] == [
        (1, "SEC-1"),
        (2, "SEC-2"),
        (3, "OPS-1"),
        (4, "SEC-3"),
        (5, "OPS-2"),
    ]
    assert ops1["project_id"] == ops2["project_id"] == project.json()["id"]


async def test_each_workspace_numbers_its_cases_from_one(client, other_client):
    await create(client)
    await create(client)
    theirs = await create(other_client)
    assert (theirs["number"], theirs["key"]) == (1, "SEC-1")


async def test_concurrent_creates_get_distinct_consecutive_numbers(client):
    responses = await asyncio.gather(*(client.post("/cases", json={"title": f"c{i}"}) for i in range(20)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
    assert sorted(r.json()["number"] for r in responses) == list(range(1, 21))
    assert sorted(r.json()["key"] for r in responses) == sorted(f"SEC-{n}" for n in range(1, 21))


async def test_creating_a_closed_case_stamps_closed_at_and_closed_by(client, tenant):
    case = await create(client, status="closed")
    assert case["closed_at"] is not None
    assert case["closed_by"] == str(tenant.admin.id)


async def test_title_of_160_characters_is_accepted(client):
    case = await create(client, title="x" * 160)
    assert case["title"] == "x" * 160


async def test_upper_limits_are_accepted(client, tenant):
    members = [tenant.add_member("agent") for _ in range(10)]
    case = await create(
        client,
        description="d" * 30_000,
        assignees=[str(m.id) for m in members],
        metadata={f"k{i}": "v" for i in range(100)},
    )
    assert len(case["description"]) == 30_000
    assert len(case["assignees"]) == 10
    assert len(case["metadata"]) == 100
    # Kept apart: together they would pass the test server's body limit.
    tagged = await create(client, tags=[f"{i:03d}" + "t" * 253 for i in range(200)])
    assert len(tagged["tags"]) == 200 and all(len(t) == 256 for t in tagged["tags"])


async def test_eleven_assignees_are_refused_even_when_all_are_members(client, tenant):
    members = [tenant.add_member("agent") for _ in range(11)]
    response = await client.post("/cases", json={"title": "t", "assignees": [str(m.id) for m in members]})
    assert_problem(response, 422, "assignees")
    case = await create(client, assignees=[str(m.id) for m in members[:10]])
    response = await client.patch(f"/cases/{case['id']}", json={"assignees": [str(m.id) for m in members]})
    assert_problem(response, 422, "assignees")
    assert [c["id"] for c in await all_cases(client)] == [case["id"]]
    assert (await client.get(f"/cases/{case['id']}")).json() == case


INVALID_CREATES = [
    ("title", {"title": ""}),
    ("title", {"title": "   "}),
    ("title", {"title": "x" * 161}),
    ("title", {"title": None}),
    ("title", {"description": "no title"}),
    ("description", {"description": "d" * 30_001}),
    ("status", {"status": "frozen"}),
    ("priority", {"priority": "P6"}),
    ("priority", {"priority": "p1"}),
    ("severity", {"severity": "urgent"}),
    ("type", {"type": ""}),
    ("type", {"type": "t" * 65}),
    ("assignees", {"assignees": [str(uuid.uuid4()) for _ in range(11)]}),
    ("assignees", {"assignees": ["not-a-uuid"]}),
    ("assignees", {"assignees": [str(uuid.uuid4())]}),
    ("tags", {"tags": [f"t{i}" for i in range(201)]}),
    ("tags", {"tags": ["t" * 257]}),
    ("tags", {"tags": [""]}),
    ("tags", {"tags": ["dup", "dup"]}),
    ("tags", {"tags": "not-a-list"}),
    ("requester", {"requester": {"email": "not-an-email"}}),
    ("requester", {"requester": {"name": "Dana", "phone": "123"}}),
    ("due_date", {"due_date": "2031-05-01T12:00:00"}),
    ("due_date", {"due_date": "next tuesday"}),
    ("resolution", {"resolution": "r" * 161}),
    ("resolution_reason", {"resolution_reason": "r" * 2001}),
    ("external_refs", {"external_refs": {"jira": 12}}),
    ("external_refs", {"external_refs": {"jira": "x" * 161}}),
    ("metadata", {"metadata": {f"k{i}": "v" for i in range(101)}}),
    ("metadata", {"metadata": {"k": 1}}),
    ("metadata", {"metadata": {"k": ["v"]}}),
    ("metadata", {"metadata": {"": "v"}}),
    ("color", {"color": "red"}),
    ("id", {"id": str(uuid.uuid4())}),
    ("number", {"number": 7}),
    ("version", {"version": 3}),
    ("author_id", {"author_id": str(uuid.uuid4())}),
]


@pytest.mark.parametrize(("field", "payload"), INVALID_CREATES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID_CREATES)])
async def test_invalid_create_is_422_naming_the_field_and_writes_nothing(client, field, payload):
    body = payload if field == "title" else {"title": "Valid title"} | payload
    response = await client.post("/cases", json=body)
    problem = assert_problem(response, 422, field, nested=True)
    assert problem["errors"]
    assert await all_cases(client) == []


async def test_assignee_from_another_workspace_is_422_naming_assignees(client, tenant, other):
    mine = tenant.add_member("agent")
    response = await client.post("/cases", json={"title": "t", "assignees": [str(mine.id), str(other.admin.id)]})
    problem = assert_problem(response, 422, "assignees")
    assert str(other.admin.id) in problem["errors"][0]["message"]
    assert await all_cases(client) == []


@pytest.mark.parametrize(
    "content",
    [b'{"title": ', b"{title: 'x'}", b"not json at all", b"", b"[1, 2]", b'"just a string"', b"null"],
)
async def test_malformed_body_is_a_4xx_problem_and_writes_nothing(client, content):
    response = await client.post("/cases", content=content, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert await all_cases(client) == []


async def test_unknown_project_is_refused_and_writes_nothing(client):
    response = await client.post("/cases", json={"title": "t", "project": "NOPE"})
    assert_problem(response, 404)
    assert await all_cases(client) == []


async def test_project_of_another_workspace_is_not_found(client, other_client):
    theirs = await other_client.post("/projects", json={"key": "THEIRS", "name": "Theirs"})
    assert theirs.status_code == 201
    response = await client.post("/cases", json={"title": "t", "project": theirs.json()["id"]})
    assert_problem(response, 404)
    assert await all_cases(client) == []


# Reading


async def test_a_case_reads_by_id_and_by_key(client):
    case = await create(client)
    by_id = await client.get(f"/cases/{case['id']}")
    by_key = await client.get(f"/cases/{case['key']}")
    by_lower_key = await client.get(f"/cases/{case['key'].lower()}")
    for response in (by_id, by_key, by_lower_key):
        assert response.status_code == 200, response.text
        assert response.json() == case
        assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("ref", [str(uuid.uuid4()), "SEC-999", "NOPE-1", "garbage"])
async def test_unknown_case_is_404_problem(client, ref):
    await create(client)
    assert_problem(await client.get(f"/cases/{ref}"), 404)


async def test_a_case_of_another_workspace_is_invisible(client, other_client):
    mine = await create(client, title="mine")
    theirs = await create(other_client, title="theirs")
    assert theirs["key"] == mine["key"] == "SEC-1"
    assert_problem(await client.get(f"/cases/{theirs['id']}"), 404)
    # Same key in both workspaces: each sees its own.
    assert (await client.get("/cases/SEC-1")).json()["id"] == mine["id"]
    assert (await other_client.get("/cases/SEC-1")).json()["id"] == theirs["id"]
    assert [c["id"] for c in await all_cases(client)] == [mine["id"]]
    assert [c["id"] for c in await all_cases(other_client)] == [theirs["id"]]


async def test_a_case_only_in_another_workspace_is_404_by_id_and_by_key(client, other_client):
    theirs = await create(other_client)
    await create(other_client)
    assert_problem(await client.get(f"/cases/{theirs['id']}"), 404)
    assert_problem(await client.get("/cases/SEC-2"), 404)
    assert await all_cases(client) == []


async def test_a_case_of_another_workspace_cannot_be_changed_archived_or_restored(client, other_client):
    theirs = await create(other_client)
    assert_problem(await client.patch(f"/cases/{theirs['id']}", json={"title": "hijacked"}), 404)
    assert_problem(await client.delete(f"/cases/{theirs['id']}"), 404)
    assert_problem(await client.post(f"/cases/{theirs['id']}/restore"), 404)
    assert_problem(await client.get(f"/cases/{theirs['id']}/activity"), 404)
    fetched = (await other_client.get(f"/cases/{theirs['id']}")).json()
    assert fetched == theirs


# Changing


async def test_patch_changes_only_the_given_fields(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(
        client,
        description="keep",
        priority="P2",
        severity="high",
        tags=["a"],
        metadata={"k": "v"},
        requester={"name": "Dana"},
    )
    response = await client.patch(f"/cases/{case['id']}", json={"title": "Renamed"}, headers=agent.headers)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert response.headers["etag"] == '"2"'
    assert updated["title"] == "Renamed"
    assert updated["version"] == 2
    assert updated["updated_by"] == str(agent.id)
    assert updated["author_id"] == str(tenant.admin.id)
    assert datetime.fromisoformat(updated["updated_at"]) >= datetime.fromisoformat(case["updated_at"])
    unchanged = {k for k in case if k not in {"title", "version", "updated_at", "updated_by"}}
    for name in unchanged:
        assert updated[name] == case[name], name
    assert (await client.get(f"/cases/{case['id']}")).json() == updated


async def test_patch_that_changes_nothing_keeps_the_version(client):
    case = await create(
        client,
        title="Same",
        tags=["a", "b"],
        priority="P3",
        requester={"name": "Dana"},
        metadata={"k": "v"},
        due_date="2031-01-01T10:00:00+00:00",
    )
    same = [
        {},
        {"title": "Same"},
        {"tags": ["a", "b"], "priority": "P3"},
        {"requester": {"name": "Dana"}, "metadata": {"k": "v"}},
        {"due_date": "2031-01-01T12:00:00+02:00"},
    ]
    for body in same:
        response = await client.patch(f"/cases/{case['id']}", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 1
        assert response.headers["etag"] == '"1"'
        assert response.json()["updated_at"] == case["updated_at"]


async def test_patch_by_key_changes_the_case(client):
    case = await create(client)
    response = await client.patch(f"/cases/{case['key']}", json={"severity": "high"})
    assert response.status_code == 200, response.text
    assert (await client.get(f"/cases/{case['id']}")).json()["severity"] == "high"


async def test_closing_stamps_closed_at_and_by_and_reopening_clears_them(client, tenant):
    agent = tenant.add_member("agent")
    case = await create(client)
    closed = await client.patch(f"/cases/{case['id']}", json={"status": "closed"}, headers=agent.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] is not None
    assert closed.json()["closed_by"] == str(agent.id)

    reopened = await client.patch(f"/cases/{case['id']}", json={"status": "open"})
    assert reopened.json()["closed_at"] is None and reopened.json()["closed_by"] is None

    await client.patch(f"/cases/{case['id']}", json={"status": "closed"})
    in_progress = await client.patch(f"/cases/{case['id']}", json={"status": "in_progress"})
    assert in_progress.json()["status"] == "in_progress"
    assert in_progress.json()["closed_at"] is None and in_progress.json()["closed_by"] is None
    fetched = (await client.get(f"/cases/{case['id']}")).json()
    assert fetched["closed_at"] is None and fetched["closed_by"] is None


async def test_a_closed_case_refuses_changes_but_reopening(client):
    case = await create(client, status="closed")
    response = await client.patch(f"/cases/{case['id']}", json={"title": "changed"})
    assert_problem(response, 409)
    assert (await client.get(f"/cases/{case['id']}")).json() == case
    reopened = await client.patch(f"/cases/{case['id']}", json={"status": "open", "title": "changed"})
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["title"], reopened.json()["closed_at"]) == ("open", "changed", None)


async def test_a_closed_case_still_takes_its_resolution_and_nothing_else_with_it(client):
    case = await create(client, status="closed")
    response = await client.patch(f"/cases/{case['id']}", json={"resolution": "false_positive", "resolution_reason": "test"})
    assert response.status_code == 200, response.text
    resolved = response.json()
    assert (resolved["resolution"], resolved["resolution_reason"], resolved["status"]) == ("false_positive", "test", "closed")
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"resolution": "duplicate", "title": "x"}), 409)
    assert (await client.get(f"/cases/{case['id']}")).json() == resolved


async def test_changing_other_fields_of_a_closed_case_keeps_it_closed_where_the_project_allows_it(client):
    assert (await client.patch("/projects/SEC", json={"closed_read_only": False})).status_code == 200
    case = await create(client, status="closed")
    response = await client.patch(f"/cases/{case['id']}", json={"title": "still closed"})
    assert response.json()["closed_at"] == case["closed_at"]
    assert response.json()["closed_by"] == case["closed_by"]


@pytest.mark.parametrize("field", ["title", "description", "status", "severity", "type", "assignees", "tags"])
async def test_setting_a_non_nullable_field_to_null_is_422_and_changes_nothing(client, field):
    case = await create(client)
    response = await client.patch(f"/cases/{case['id']}", json={field: None})
    assert_problem(response, 422, field)
    assert (await client.get(f"/cases/{case['id']}")).json() == case


async def test_nullable_fields_can_be_cleared(client):
    case = await create(
        client,
        priority="P1",
        requester={"name": "Dana"},
        due_date="2031-01-01T00:00:00Z",
        resolution="fixed",
        resolution_reason="patched",
    )
    cleared = {"priority": None, "requester": None, "due_date": None, "resolution": None, "resolution_reason": None}
    response = await client.patch(f"/cases/{case['id']}", json=cleared)
    assert response.status_code == 200, response.text
    fetched = (await client.get(f"/cases/{case['id']}")).json()
    for name in cleared:
        assert fetched[name] is None, name
    assert fetched["version"] == 2


async def test_patch_replaces_lists_and_maps_whole(client, tenant):
    a, b, c = (tenant.add_member("agent") for _ in range(3))
    case = await create(
        client, tags=["x", "y"], assignees=[str(a.id), str(b.id)], metadata={"k1": "1", "k2": "2"}, external_refs={"r": "1"}
    )
    response = await client.patch(
        f"/cases/{case['id']}",
        json={"tags": ["y", "z"], "assignees": [str(c.id)], "metadata": {"k3": "3"}, "external_refs": {}},
    )
    assert response.status_code == 200, response.text
    fetched = (await client.get(f"/cases/{case['id']}")).json()
    assert fetched["tags"] == ["y", "z"]
    assert fetched["assignees"] == [str(c.id)]
    assert fetched["metadata"] == {"k3": "3"}
    assert fetched["external_refs"] == {}
    # The filters read the same tags and assignees as the case does.
    assert [x["id"] for x in (await client.get("/cases", params={"tag": "x"})).json()["items"]] == []
    assert [x["id"] for x in (await client.get("/cases", params={"tag": "z"})).json()["items"]] == [case["id"]]
    assert (await client.get("/cases", params={"assignee": str(a.id)})).json()["items"] == []
    assert [x["id"] for x in (await client.get("/cases", params={"assignee": str(c.id)})).json()["items"]] == [case["id"]]


INVALID_PATCHES = [
    ("title", {"title": ""}),
    ("title", {"title": "x" * 161}),
    ("description", {"description": "d" * 30_001}),
    ("status", {"status": "done"}),
    ("priority", {"priority": "P0"}),
    ("severity", {"severity": "extreme"}),
    ("tags", {"tags": ["t" * 257]}),
    ("tags", {"tags": [f"t{i}" for i in range(201)]}),
    ("assignees", {"assignees": [str(uuid.uuid4())]}),
    ("assignees", {"assignees": [str(uuid.uuid4()) for _ in range(11)]}),
    ("due_date", {"due_date": "2031-01-01T00:00:00"}),
    ("metadata", {"metadata": {f"k{i}": "v" for i in range(101)}}),
    ("external_refs", {"external_refs": {"a": 1}}),
    ("requester", {"requester": {"email": "nope"}}),
    ("color", {"color": "red"}),
    ("number", {"number": 99}),
    ("key", {"key": "SEC-99"}),
    ("author_id", {"author_id": str(uuid.uuid4())}),
]


@pytest.mark.parametrize(("field", "payload"), INVALID_PATCHES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID_PATCHES)])
async def test_invalid_patch_is_422_naming_the_field_and_changes_nothing(client, field, payload):
    case = await create(client)
    response = await client.patch(f"/cases/{case['id']}", json={"description": "would change"} | payload)
    assert_problem(response, 422, field, nested=True)
    assert (await client.get(f"/cases/{case['id']}")).json() == case


async def test_patch_assignee_from_another_workspace_is_422_and_changes_nothing(client, other):
    case = await create(client)
    response = await client.patch(f"/cases/{case['id']}", json={"assignees": [str(other.admin.id)], "title": "x"})
    assert_problem(response, 422, "assignees")
    assert (await client.get(f"/cases/{case['id']}")).json() == case


async def test_malformed_patch_body_is_4xx_and_changes_nothing(client):
    case = await create(client)
    response = await client.patch(
        f"/cases/{case['id']}", content=b'{"title": "x"', headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith(PROBLEM)
    assert (await client.get(f"/cases/{case['id']}")).json() == case


async def test_patch_of_unknown_case_is_404(client):
    assert_problem(await client.patch(f"/cases/{uuid.uuid4()}", json={"title": "x"}), 404)
    assert_problem(await client.patch("/cases/SEC-1", json={"title": "x"}), 404)


# Archiving and restoring


async def test_delete_archives_the_case_out_of_the_default_list(client, tenant):
    live = await create(client, title="live")
    case = await create(client, title="to archive")
    response = await client.delete(f"/cases/{case['id']}")
    assert response.status_code == 204, response.text
    assert response.content == b""

    fetched = await client.get(f"/cases/{case['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["archived_at"] is not None
    assert fetched.json()["archived_by"] == str(tenant.admin.id)
    assert fetched.json()["title"] == "to archive"
    assert (await client.get(f"/cases/{case['key']}")).status_code == 200

    default = (await client.get("/cases")).json()["items"]
    included = (await client.get("/cases", params={"archived": "include"})).json()["items"]
    only = (await client.get("/cases", params={"archived": "only"})).json()["items"]
    assert [c["id"] for c in default] == [live["id"]]
    assert {c["id"] for c in included} == {live["id"], case["id"]}
    assert [c["id"] for c in only] == [case["id"]]


@pytest.mark.parametrize("role", ["agent", "reviewer", "viewer"])
async def test_only_managers_and_admins_may_archive(client, tenant, role):
    member = tenant.add_member(role)
    case = await create(client)
    assert_problem(await client.delete(f"/cases/{case['id']}", headers=member.headers), 403)
    assert (await client.get(f"/cases/{case['id']}")).json() == case
    assert [c["id"] for c in (await client.get("/cases")).json()["items"]] == [case["id"]]


async def test_a_manager_may_archive_and_restore(client, tenant):
    manager = tenant.add_member("manager")
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}", headers=manager.headers)).status_code == 204
    archived = (await client.get(f"/cases/{case['id']}")).json()
    assert archived["archived_by"] == str(manager.id)
    restored = await client.post(f"/cases/{case['id']}/restore", headers=manager.headers)
    assert restored.status_code == 200, restored.text
    assert restored.json()["archived_at"] is None and restored.json()["archived_by"] is None


async def test_an_archived_case_cannot_be_patched_until_restored(client):
    case = await create(client)
    await client.delete(f"/cases/{case['id']}")
    archived = (await client.get(f"/cases/{case['id']}")).json()

    assert_problem(await client.patch(f"/cases/{case['id']}", json={"title": "changed"}), 409)
    assert (await client.get(f"/cases/{case['id']}")).json() == archived

    restored = await client.post(f"/cases/{case['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.headers["etag"] == f'"{restored.json()["version"]}"'
    assert restored.json()["archived_at"] is None
    assert [c["id"] for c in (await client.get("/cases")).json()["items"]] == [case["id"]]
    assert (await client.get("/cases", params={"archived": "only"})).json()["items"] == []

    patched = await client.patch(f"/cases/{case['id']}", json={"title": "changed"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "changed"


@pytest.mark.parametrize("role", ["agent", "reviewer", "viewer"])
async def test_only_managers_and_admins_may_restore(client, tenant, role):
    member = tenant.add_member(role)
    case = await create(client)
    await client.delete(f"/cases/{case['id']}")
    archived = (await client.get(f"/cases/{case['id']}")).json()
    assert_problem(await client.post(f"/cases/{case['id']}/restore", headers=member.headers), 403)
    assert (await client.get(f"/cases/{case['id']}")).json() == archived


async def test_restoring_a_live_case_is_409_and_changes_nothing(client):
    case = await create(client)
    assert_problem(await client.post(f"/cases/{case['id']}/restore"), 409)
    assert (await client.get(f"/cases/{case['id']}")).json() == case


async def test_archiving_or_restoring_an_unknown_case_is_404(client):
    assert_problem(await client.delete(f"/cases/{uuid.uuid4()}"), 404)
    assert_problem(await client.post(f"/cases/{uuid.uuid4()}/restore"), 404)
    assert_problem(await client.delete("/cases/SEC-1"), 404)
