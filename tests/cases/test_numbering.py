"""Case numbers (sequential per workspace) and keys (sequential per project), also under concurrent creates."""

import asyncio
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from casework.auth.service import SCOPES, Actor
from casework.cases import service
from casework.cases.schemas import CaseCreate
from casework.db.database import Database
from tests.conftest import Tenant
from tests.helpers import all_cases, create


async def add_project(client: httpx.AsyncClient, key: str) -> dict[str, Any]:
    response = await client.post("/projects", json={"key": key, "name": f"Project {key}"})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def key_numbers(cases: list[dict[str, Any]], project_key: str) -> list[int]:
    prefix = f"{project_key}-"
    return sorted(int(c["key"].removeprefix(prefix)) for c in cases if c["key"].startswith(prefix))


def admin_actor(tenant: Tenant) -> Actor:
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))


# Sequential numbering


async def test_numbers_and_keys_start_at_one_and_increase_by_one(client):
    cases = [await create(client, title=f"case {i}") for i in range(5)]
    assert [c["number"] for c in cases] == [1, 2, 3, 4, 5]
    assert [c["key"] for c in cases] == ["SEC-1", "SEC-2", "SEC-3", "SEC-4", "SEC-5"]


async def test_numbers_are_per_workspace_and_keys_per_project(client):
    ops = await add_project(client, "OPS")
    sec = await create(client, title="1")
    in_ops = await create(client, title="2", project="OPS")
    in_ops_by_id = await create(client, title="3", project=ops["id"])
    in_ops_lowercase = await create(client, title="4", project="ops")
    sec_again = await create(client, title="5", project="SEC")
    cases = [sec, in_ops, in_ops_by_id, in_ops_lowercase, sec_again]
    assert [c["number"] for c in cases] == [1, 2, 3, 4, 5]
    assert [c["key"] for c in cases] == ["SEC-1", "OPS-1", "OPS-2", "OPS-3", "SEC-2"]
    assert {c["project_id"] for c in cases[1:4]} == {ops["id"]}


async def test_a_new_project_starts_its_keys_at_one_after_other_projects_have_cases(client):
    for i in range(3):
        await create(client, title=f"case {i}")
    await add_project(client, "NEW")
    case = await create(client, project="NEW")
    assert (case["number"], case["key"]) == (4, "NEW-1")


async def test_each_workspace_numbers_from_one_independently(client, other_client):
    # The other workspace's project has the key SEC too.
    ours, theirs = [], []
    for i in range(3):
        ours.append(await create(client, title=f"ours {i}"))
        theirs.append(await create(other_client, title=f"theirs {i}"))
        theirs.append(await create(other_client, title=f"theirs again {i}"))
    ours.append(await create(client, title="ours last"))
    assert [c["number"] for c in ours] == [1, 2, 3, 4]
    assert [c["key"] for c in ours] == ["SEC-1", "SEC-2", "SEC-3", "SEC-4"]
    assert [c["number"] for c in theirs] == [1, 2, 3, 4, 5, 6]
    assert [c["key"] for c in theirs] == [f"SEC-{n}" for n in range(1, 7)]
    fetched = await client.get("/cases/SEC-4")
    assert fetched.status_code == 200
    assert fetched.json()["id"] == ours[3]["id"]


async def test_archiving_and_restoring_never_frees_or_reuses_a_number(client):
    first = await create(client)
    second = await create(client)
    assert (await client.delete(f"/cases/{second['id']}")).status_code == 204
    third = await create(client)
    assert (await client.post(f"/cases/{second['id']}/restore")).status_code == 200
    fourth = await create(client)
    assert [c["number"] for c in (first, second, third, fourth)] == [1, 2, 3, 4]
    assert [c["key"] for c in (first, second, third, fourth)] == ["SEC-1", "SEC-2", "SEC-3", "SEC-4"]


async def test_updating_a_case_keeps_its_number_and_key(client):
    case = await create(client)
    await create(client)
    changed = await client.patch(f"/cases/{case['id']}", json={"title": "Renamed", "status": "closed"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["number"], changed.json()["key"]) == (1, "SEC-1")


# Refused creates


async def test_creates_refused_before_allocation_consume_no_number(client, tenant):
    first = await create(client)
    refused = [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 161},
        {"title": "ok", "priority": "P9"},
        {"title": "ok", "unknown_field": 1},
        {"title": "ok", "assignees": [str(uuid.uuid4())]},
        {"title": "ok", "project": "NOPE"},
        {"title": "ok", "project": str(uuid.uuid4())},
        {"title": "ok", "tags": ["dup", "dup"]},
    ]
    for body in refused:
        response = await client.post("/cases", json=body)
        assert response.status_code in (404, 422), (body, response.text)
    viewer = tenant.add_member("viewer", ["cases:read"])
    forbidden = await client.post("/cases", json={"title": "not allowed"}, headers=viewer.headers)
    assert forbidden.status_code == 403, forbidden.text
    second = await create(client)
    assert (first["number"], second["number"]) == (1, 2)
    assert (first["key"], second["key"]) == ("SEC-1", "SEC-2")


async def test_concurrent_refused_creates_consume_no_numbers(client):
    await add_project(client, "OPS")
    bad_bodies = [
        {"title": ""},
        {"title": "ok", "assignees": [str(uuid.uuid4())]},
        {"title": "ok", "project": "NOPE"},
    ]
    requests = []
    for i in range(30):
        requests.append(client.post("/cases", json={"title": f"good {i}", "project": "OPS" if i % 3 else "SEC"}))
        if i % 2:
            requests.append(client.post("/cases", json=bad_bodies[i % 3]))
    responses = await asyncio.gather(*requests)
    created = [r.json() for r in responses if r.status_code == 201]
    assert len(created) == 30
    assert all(r.status_code in (201, 404, 422) for r in responses)
    assert sorted(c["number"] for c in created) == list(range(1, 31))
    assert key_numbers(created, "SEC") == list(range(1, 11))
    assert key_numbers(created, "OPS") == list(range(1, 21))


async def test_a_create_failing_after_allocation_leaves_no_case_and_no_gap_on_sqlite(client, db, tenant, backend):
    await create(client)
    await create(client)

    def fail_after_allocation(session):  # type: ignore[no-untyped-def]
        service.create_case(session, admin_actor(tenant), CaseCreate(title="doomed"))
        raise RuntimeError("the transaction fails after the number was taken")

    with pytest.raises(RuntimeError):
        db.run_sync(fail_after_allocation)
    after = await create(client)
    listed = await all_cases(client)
    assert "doomed" not in [c["title"] for c in listed]
    assert len(listed) == 3
    if backend == "sqlite":
        # The counters rolled back with the failed transaction.
        assert (after["number"], after["key"]) == (3, "SEC-3")
    else:
        # A sequence value is never handed back: a gap is allowed, a repeat never.
        assert after["number"] > 2
        assert int(after["key"].removeprefix("SEC-")) > 2


# Concurrent creates


async def test_concurrent_http_creates_get_unique_gapless_numbers_and_keys(client):
    responses = await asyncio.gather(*(client.post("/cases", json={"title": f"case {i}"}) for i in range(40)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
    created = [r.json() for r in responses]
    assert sorted(c["number"] for c in created) == list(range(1, 41))
    assert sorted(c["key"] for c in created) == sorted(f"SEC-{n}" for n in range(1, 41))
    listed = await all_cases(client)
    assert [c["number"] for c in listed] == list(range(1, 41))
    assert {c["id"]: c["key"] for c in listed} == {c["id"]: c["key"] for c in created}
    after = await create(client)
    assert (after["number"], after["key"]) == (41, "SEC-41")


async def test_concurrent_http_creates_in_two_projects_number_each_project_from_one(client):
    await add_project(client, "OPS")
    responses = await asyncio.gather(
        *(client.post("/cases", json={"title": f"case {i}", "project": "OPS" if i % 2 else "SEC"}) for i in range(40))
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
    created = [r.json() for r in responses]
    assert sorted(c["number"] for c in created) == list(range(1, 41))
    assert key_numbers(created, "SEC") == list(range(1, 21))
    assert key_numbers(created, "OPS") == list(range(1, 21))


async def test_concurrent_http_creates_in_two_workspaces_number_each_from_one(client, other_client):
    responses = await asyncio.gather(
        *((other_client if i % 2 else client).post("/cases", json={"title": f"case {i}"}) for i in range(40))
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
    theirs = await all_cases(other_client)
    ours = await all_cases(client)
    assert [c["number"] for c in ours] == list(range(1, 21))
    assert [c["number"] for c in theirs] == list(range(1, 21))
    assert key_numbers(ours, "SEC") == key_numbers(theirs, "SEC") == list(range(1, 21))


def create_from_threads(db: Database, actor: Actor, threads: int, per_thread: int, projects: list[str]) -> list[Any]:
    """threads threads, released together, each creating per_thread cases through the service in its own transactions."""
    start = threading.Barrier(threads, timeout=60)

    def worker(index: int) -> list[tuple[int, str]]:
        start.wait()
        made = []
        for j in range(per_thread):
            data = CaseCreate(title=f"thread {index} case {j}", project=projects[(index + j) % len(projects)])
            case = db.run_sync(service.create_case, actor, data)
            made.append((case.number, case.key))
        return made

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(worker, range(threads)))
    return [item for made in results for item in made]


async def test_concurrent_service_creates_from_threads_get_unique_gapless_numbers(client, db, tenant):
    await add_project(client, "OPS")
    loop = asyncio.get_running_loop()
    made = await loop.run_in_executor(None, create_from_threads, db, admin_actor(tenant), 8, 10, ["SEC", "OPS"])
    assert sorted(number for number, _ in made) == list(range(1, 81))
    keys = [key for _, key in made]
    assert len(set(keys)) == 80
    assert sorted(int(k.removeprefix("SEC-")) for k in keys if k.startswith("SEC-")) == list(range(1, 41))
    assert sorted(int(k.removeprefix("OPS-")) for k in keys if k.startswith("OPS-")) == list(range(1, 41))
    listed = await all_cases(client)
    assert sorted((c["number"], c["key"]) for c in listed) == sorted(made)


async def test_concurrent_service_creates_in_two_workspaces_from_threads_stay_apart(client, db, tenant, other):
    loop = asyncio.get_running_loop()
    ours, theirs = await asyncio.gather(
        loop.run_in_executor(None, create_from_threads, db, admin_actor(tenant), 4, 10, ["SEC"]),
        loop.run_in_executor(None, create_from_threads, db, admin_actor(other), 4, 10, ["SEC"]),
    )
    for made in (ours, theirs):
        assert sorted(number for number, _ in made) == list(range(1, 41))
        assert sorted(int(key.removeprefix("SEC-")) for _, key in made) == list(range(1, 41))
