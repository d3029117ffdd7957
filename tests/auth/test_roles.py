"""Who may do what: a request needs both the user's role and the token's scope; other workspaces do not exist.

Roles: admin, manager (archives and restores cases), agent and reviewer (read and write cases), viewer (reads).
Scopes: cases:read, cases:write, admin.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import Member, Tenant
from tests.helpers import assert_problem, assert_same_not_found, create

ROLES = ["admin", "manager", "agent", "reviewer", "viewer"]
ALL_ROLES = frozenset(ROLES)
CASE_WRITERS = frozenset({"admin", "manager", "agent", "reviewer"})
CASE_ADMINS = frozenset({"admin", "manager"})
SCOPE_SETS = {
    "read+write": ["cases:read", "cases:write"],
    "read-only": ["cases:read"],
    "write-only": ["cases:write"],
}


# The case matrix: every role with every scope set against every case operation.

Run = Callable[[httpx.AsyncClient, dict[str, str], dict], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class CaseOp:
    name: str
    scope: str
    roles: frozenset[str]
    success: int
    run: Run
    archived_first: bool = False


CASE_OPS = [
    CaseOp("list", "cases:read", ALL_ROLES, 200, lambda c, h, case: c.get("/cases", headers=h)),
    CaseOp("get", "cases:read", ALL_ROLES, 200, lambda c, h, case: c.get(f"/cases/{case['id']}", headers=h)),
    CaseOp(
        "activity", "cases:read", ALL_ROLES, 200, lambda c, h, case: c.get(f"/cases/{case['id']}/activity", headers=h)
    ),
    CaseOp("create", "cases:write", CASE_WRITERS, 201, lambda c, h, case: c.post("/cases", json={"title": "New"}, headers=h)),
    CaseOp(
        "update",
        "cases:write",
        CASE_WRITERS,
        200,
        lambda c, h, case: c.patch(f"/cases/{case['id']}", json={"title": "Changed"}, headers=h),
    ),
    CaseOp(
        "bulk",
        "cases:write",
        CASE_WRITERS,
        200,
        lambda c, h, case: c.post(
            "/cases/bulk", json={"items": [{"id": case["id"], "changes": {"title": "Changed"}}]}, headers=h
        ),
    ),
    CaseOp("archive", "cases:write", CASE_ADMINS, 204, lambda c, h, case: c.delete(f"/cases/{case['id']}", headers=h)),
    CaseOp(
        "restore",
        "cases:write",
        CASE_ADMINS,
        200,
        lambda c, h, case: c.post(f"/cases/{case['id']}/restore", headers=h),
        archived_first=True,
    ),
]


async def case_snapshot(client: httpx.AsyncClient) -> list[tuple[str, int, str, str | None]]:
    """Every case of the workspace (archived too), as the admin sees it."""
    response = await client.get("/cases", params={"archived": "include", "limit": 500})
    assert response.status_code == 200, response.text
    return sorted((c["id"], c["version"], c["title"], c["archived_at"]) for c in response.json()["items"])


@pytest.mark.parametrize("op", CASE_OPS, ids=lambda op: op.name)
@pytest.mark.parametrize("scopes", list(SCOPE_SETS), ids=str)
@pytest.mark.parametrize("role", ROLES)
async def test_case_operation_needs_both_the_role_and_the_scope(client, tenant: Tenant, role, scopes, op: CaseOp):
    case = await create(client)
    if op.archived_first:
        assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    member = tenant.add_member(role, SCOPE_SETS[scopes])
    before = await case_snapshot(client)

    response = await op.run(client, member.headers, case)

    if role in op.roles and op.scope in SCOPE_SETS[scopes]:
        assert response.status_code == op.success, response.text
        if op.name == "bulk":
            assert [r["status"] for r in response.json()["results"]] == [200]
    else:
        assert_problem(response, 403)
        assert await case_snapshot(client) == before


async def test_viewer_cannot_create_cases(client, tenant):
    viewer = tenant.add_member("viewer")
    response = await client.post("/cases", json={"title": "From a viewer"}, headers=viewer.headers)
    body = assert_problem(response, 403)
    assert "viewer" in body["detail"]
    assert (await client.get("/cases")).json()["items"] == []


async def test_viewer_cannot_patch_cases(client, tenant):
    case = await create(client)
    viewer = tenant.add_member("viewer")
    response = await client.patch(f"/cases/{case['id']}", json={"title": "Changed"}, headers=viewer.headers)
    assert_problem(response, 403)
    after = (await client.get(f"/cases/{case['id']}")).json()
    assert (after["title"], after["version"]) == (case["title"], case["version"])


async def test_agent_cannot_archive_a_case_but_a_manager_can(client, tenant):
    case = await create(client)
    agent, manager = tenant.add_member("agent"), tenant.add_member("manager")

    assert_problem(await client.delete(f"/cases/{case['id']}", headers=agent.headers), 403)
    assert (await client.get(f"/cases/{case['id']}")).json()["archived_at"] is None

    assert (await client.delete(f"/cases/{case['id']}", headers=manager.headers)).status_code == 204
    assert (await client.get(f"/cases/{case['id']}")).json()["archived_by"] == str(manager.id)


async def test_agent_cannot_restore_a_case_but_a_manager_can(client, tenant):
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    agent, manager = tenant.add_member("agent"), tenant.add_member("manager")

    assert_problem(await client.post(f"/cases/{case['id']}/restore", headers=agent.headers), 403)
    assert (await client.get(f"/cases/{case['id']}")).json()["archived_at"] is not None

    restored = await client.post(f"/cases/{case['id']}/restore", headers=manager.headers)
    assert restored.status_code == 200, restored.text
    assert restored.json()["archived_at"] is None


async def test_token_without_cases_read_cannot_read_cases_even_for_an_admin(client, tenant):
    case = await create(client)
    writer = tenant.add_member("admin", ["cases:write", "admin"])
    for path in ("/cases", f"/cases/{case['id']}", f"/cases/{case['id']}/activity"):
        body = assert_problem(await client.get(path, headers=writer.headers), 403)
        assert "cases:read" in body["detail"]


async def test_token_without_cases_write_cannot_create_cases_even_for_an_admin(client, tenant):
    reader = tenant.add_member("admin", ["cases:read", "admin"])
    body = assert_problem(await client.post("/cases", json={"title": "Nope"}, headers=reader.headers), 403)
    assert "cases:write" in body["detail"]
    assert (await client.get("/cases")).json()["items"] == []


async def test_a_role_change_applies_to_the_users_existing_tokens(client, tenant):
    agent = tenant.add_member("agent")
    await create(client, agent.headers)
    demoted = await client.patch(f"/users/{agent.id}", json={"role": "viewer"})
    assert demoted.status_code == 200, demoted.text
    assert_problem(await client.post("/cases", json={"title": "After demotion"}, headers=agent.headers), 403)


# Admin-only operations: an admin role and a token with the admin scope, both.


@dataclass
class AdminScene:
    tenant: Tenant
    target: Member
    target_token_id: str
    empty_project_id: str


@dataclass(frozen=True)
class AdminOp:
    name: str
    success: int
    run: Callable[[httpx.AsyncClient, dict[str, str], AdminScene], Awaitable[httpx.Response]]


ADMIN_OPS = [
    AdminOp(
        "create-user",
        201,
        lambda c, h, s: c.post("/users", json={"email": "new@example.com", "name": "New", "role": "agent"}, headers=h),
    ),
    AdminOp("update-user", 200, lambda c, h, s: c.patch(f"/users/{s.target.id}", json={"name": "Renamed"}, headers=h)),
    AdminOp("deactivate-user", 200, lambda c, h, s: c.patch(f"/users/{s.target.id}", json={"active": False}, headers=h)),
    AdminOp("create-project", 201, lambda c, h, s: c.post("/projects", json={"key": "NEW", "name": "New"}, headers=h)),
    AdminOp(
        "update-project", 200, lambda c, h, s: c.patch(f"/projects/{s.tenant.project_id}", json={"name": "X"}, headers=h)
    ),
    AdminOp("delete-project", 204, lambda c, h, s: c.delete(f"/projects/{s.empty_project_id}", headers=h)),
    AdminOp("list-others-tokens", 200, lambda c, h, s: c.get("/tokens", params={"user_id": str(s.target.id)}, headers=h)),
    AdminOp("revoke-others-token", 200, lambda c, h, s: c.delete(f"/tokens/{s.target_token_id}", headers=h)),
    AdminOp(
        "token-for-another-user",
        201,
        lambda c, h, s: c.post("/tokens", json={"user_id": str(s.target.id), "scopes": ["cases:read"]}, headers=h),
    ),
]

PRINCIPALS = {
    "admin-with-admin-scope": ("admin", ["cases:read", "cases:write", "admin"]),
    "admin-without-admin-scope": ("admin", ["cases:read", "cases:write"]),
    "manager": ("manager", ["cases:read", "cases:write"]),
    "agent": ("agent", ["cases:read", "cases:write"]),
    "reviewer": ("reviewer", ["cases:read", "cases:write"]),
    "viewer": ("viewer", ["cases:read", "cases:write"]),
    # A token minted while its user was an admin keeps the scope, but not the power.
    "manager-holding-admin-scope": ("manager", ["cases:read", "cases:write", "admin"]),
}


async def workspace_state(client: httpx.AsyncClient, scene: AdminScene) -> dict:
    users = (await client.get("/users")).json()
    projects = (await client.get("/projects")).json()
    tokens = (await client.get("/tokens", params={"user_id": str(scene.target.id)})).json()
    return {
        "users": sorted((u["id"], u["name"], u["role"], u["active"]) for u in users),
        "projects": sorted((p["id"], p["key"], p["name"]) for p in projects),
        "target_tokens": sorted((t["id"], t["revoked_at"]) for t in tokens),
    }


@pytest.mark.parametrize("op", ADMIN_OPS, ids=lambda op: op.name)
@pytest.mark.parametrize("principal", list(PRINCIPALS))
async def test_admin_operation_needs_the_admin_role_and_the_admin_scope(client, tenant, principal, op: AdminOp):
    role, scopes = PRINCIPALS[principal]
    target = tenant.add_member("agent")
    target_token_id = (await client.get("/tokens", params={"user_id": str(target.id)})).json()[0]["id"]
    empty = await client.post("/projects", json={"key": "EMPTY", "name": "Empty"})
    assert empty.status_code == 201, empty.text
    scene = AdminScene(tenant, target, target_token_id, empty.json()["id"])
    actor = tenant.add_member(role, scopes)
    before = await workspace_state(client, scene)

    response = await op.run(client, actor.headers, scene)

    if principal == "admin-with-admin-scope":
        assert response.status_code == op.success, response.text
    else:
        assert_problem(response, 403)
        assert await workspace_state(client, scene) == before
        assert (await client.get("/me", headers=target.headers)).status_code == 200


async def test_non_admins_list_only_their_own_tokens(client, tenant):
    agent, other = tenant.add_member("agent"), tenant.add_member("agent")
    listed = await client.get("/tokens", headers=agent.headers)
    assert listed.status_code == 200, listed.text
    assert {t["user_id"] for t in listed.json()} == {str(agent.id)}
    assert_problem(await client.get("/tokens", params={"user_id": str(other.id)}, headers=agent.headers), 403)


async def test_non_admins_may_list_users_and_projects(client, tenant):
    viewer = tenant.add_member("viewer", ["cases:read"])
    users = await client.get("/users", headers=viewer.headers)
    assert users.status_code == 200, users.text
    assert str(viewer.id) in {u["id"] for u in users.json()}
    projects = await client.get("/projects", headers=viewer.headers)
    assert projects.status_code == 200, projects.text
    assert [p["id"] for p in projects.json()] == [str(tenant.project_id)]


# Tenant isolation for cases: another workspace's cases answer exactly as cases that do not exist.


async def test_another_workspaces_case_is_not_found_by_id(client, other):
    foreign = await create(client, other.admin.headers)
    unknown = uuid.uuid4()
    assert_same_not_found(
        await client.get(f"/cases/{foreign['id']}"), foreign["id"], await client.get(f"/cases/{unknown}"), unknown
    )


async def test_another_workspaces_case_is_not_found_by_key(client, other):
    foreign = await create(client, other.admin.headers)
    assert foreign["key"] == "SEC-1"  # the same key the tenant's own first case would get
    assert_same_not_found(
        await client.get(f"/cases/{foreign['key']}"), foreign["key"], await client.get("/cases/SEC-999"), "SEC-999"
    )


@pytest.mark.parametrize(
    "method, suffix, body",
    [
        ("PATCH", "", {"title": "Taken over"}),
        ("DELETE", "", None),
        ("POST", "/restore", None),
        ("GET", "/activity", None),
    ],
    ids=["patch", "archive", "restore", "activity"],
)
async def test_another_workspaces_case_cannot_be_touched(client, other, method, suffix, body):
    foreign = await create(client, other.admin.headers)
    if suffix == "/restore":
        assert (await client.delete(f"/cases/{foreign['id']}", headers=other.admin.headers)).status_code == 204
    before = (await client.get(f"/cases/{foreign['id']}", headers=other.admin.headers)).json()
    unknown = uuid.uuid4()

    response = await client.request(method, f"/cases/{foreign['id']}{suffix}", json=body)
    control = await client.request(method, f"/cases/{unknown}{suffix}", json=body)

    assert_same_not_found(response, foreign["id"], control, unknown)
    assert (await client.get(f"/cases/{foreign['id']}", headers=other.admin.headers)).json() == before


async def test_bulk_update_cannot_reach_another_workspaces_case(client, other):
    foreign = await create(client, other.admin.headers)
    response = await client.post("/cases/bulk", json={"items": [{"id": foreign["id"], "changes": {"title": "X"}}]})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [404]
    after = (await client.get(f"/cases/{foreign['id']}", headers=other.admin.headers)).json()
    assert after["title"] == foreign["title"]


async def test_case_listing_never_shows_another_workspaces_cases(client, other):
    await create(client, other.admin.headers, title="Theirs")
    mine = await create(client, title="Mine")
    listed = await client.get("/cases", params={"archived": "include", "q": "Theirs"})
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    assert [c["id"] for c in (await client.get("/cases")).json()["items"]] == [mine["id"]]


async def test_a_case_cannot_be_filed_in_another_workspaces_project(client, other):
    unknown = uuid.uuid4()
    foreign = await client.post("/cases", json={"title": "X", "project": str(other.project_id)})
    control = await client.post("/cases", json={"title": "X", "project": str(unknown)})
    assert_same_not_found(foreign, other.project_id, control, unknown)
    assert (await client.get("/cases", headers=other.admin.headers)).json()["items"] == []
