"""A case holds at most 1,000 distinct alerts, under concurrency too; a big attach is one INSERT."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from casework.alerts import service
from casework.alerts.schemas import AlertAttach
from casework.errors import LimitExceeded
from tests.alerts.support import admin_actor, attach, attached, ids
from tests.helpers import Issued, activity, assert_problem, create, issued_statements, read


async def fill(client, case, count):
    for start in range(0, count, 1000):
        response = await attach(client, case, ids("fill", min(1000, count - start), start))
        assert response.status_code == 201, response.text


async def test_a_case_takes_its_1000th_alert(client):
    case = await create(client)
    await fill(client, case, 999)
    response = await attach(client, case, ["last"])
    assert response.status_code == 201, response.text
    assert response.json()["alert_count"] == 1000
    assert (await read(client, case))["counts"]["alerts"] == 1000


async def test_the_1001st_alert_is_refused_naming_the_cap_and_the_count_and_changes_nothing(client):
    case = await create(client)
    await fill(client, case, 1000)
    before = await read(client, case)
    entries = await activity(client, case)
    body = assert_problem(await attach(client, case, ["one-too-many"]), 422, "alert_ids")
    assert "1000" in body["detail"]
    assert "has 1000" in body["detail"]
    assert await read(client, case) == before
    assert await activity(client, case) == entries
    items = await attached(client, case)
    assert len(items) == 1000
    assert "one-too-many" not in {i["alert_id"] for i in items}


async def test_a_request_that_would_pass_the_cap_adds_none_of_its_alerts(client):
    case = await create(client)
    await fill(client, case, 950)
    before = await read(client, case)
    body = assert_problem(await attach(client, case, ids("new", 51)), 422, "alert_ids")
    assert "has 950" in body["detail"] and "51" in body["detail"]
    assert await read(client, case) == before
    assert len(await attached(client, case)) == 950
    # 50 fit exactly.
    response = await attach(client, case, ids("new", 50))
    assert response.status_code == 201, response.text
    assert response.json()["alert_count"] == 1000


async def test_duplicates_do_not_count_against_the_cap(client):
    case = await create(client)
    await fill(client, case, 990)
    # 10 new alerts, 500 already on the case, and repeats within the request: exactly reaches the cap.
    request = ids("new", 10) + ids("fill", 500) + ids("new", 10)
    response = await attach(client, case, request)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["added"] == ids("new", 10)
    assert body["duplicates"] == ids("new", 10) + ids("fill", 500)
    assert body["alert_count"] == 1000
    # At the cap, a request of only known alerts is still answered, and changes nothing.
    version = (await read(client, case))["version"]
    again = await attach(client, case, ids("fill", 3))
    assert again.status_code == 200, again.text
    assert again.json()["added"] == [] and again.json()["alert_count"] == 1000
    assert (await read(client, case))["version"] == version


async def test_detaching_frees_room_under_the_cap(client):
    case = await create(client)
    await fill(client, case, 1000)
    assert (await client.delete(f"/cases/{case['id']}/alerts/fill-0000")).status_code == 204
    response = await attach(client, case, ["replacement"])
    assert response.status_code == 201, response.text
    assert response.json()["alert_count"] == 1000


async def test_twenty_concurrent_clients_of_100_alerts_end_with_exactly_1000(client):
    case = await create(client)
    responses = await asyncio.gather(*(attach(client, case, ids(f"client{c}", 100)) for c in range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 10 + [422] * 10, [r.text for r in responses if r.status_code not in (201, 422)]
    winners = [r.json() for r in responses if r.status_code == 201]
    for refused in (r for r in responses if r.status_code == 422):
        assert_problem(refused, 422, "alert_ids")
    # Each winner saw the count its own request made.
    assert sorted(w["alert_count"] for w in winners) == list(range(100, 1001, 100))
    items = await attached(client, case)
    assert len(items) == 1000
    # Every request landed whole or not at all.
    by_client = {}
    for item in items:
        by_client.setdefault(item["alert_id"].split("-")[0], set()).add(item["alert_id"])
    assert len(by_client) == 10 and all(len(v) == 100 for v in by_client.values())
    final = await read(client, case)
    assert final["counts"]["alerts"] == 1000
    assert final["version"] == case["version"] + 10
    assert [e["action"] for e in await activity(client, case)].count("alerts_attached") == 10


async def test_concurrent_clients_attaching_the_same_alerts_add_each_once(client):
    case = await create(client)
    # Every client sends the same 600 alerts: they fit once, and every other client finds them all there.
    responses = await asyncio.gather(*(attach(client, case, ids("same", 600)) for _ in range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201], [r.text for r in responses]
    assert len(await attached(client, case)) == 600
    assert (await read(client, case))["counts"]["alerts"] == 600


def attach_from_threads(db, actor, case_id, threads, per_thread):
    """threads threads, released together, each attaching per_thread distinct alerts through the service."""
    start = threading.Barrier(threads, timeout=60)

    def worker(index):
        data = AlertAttach(alert_ids=ids(f"thread{index}", per_thread), indexes=[".alerts"] * per_thread)
        start.wait()
        try:
            return db.run_sync(service.attach_alerts, actor, case_id, data).alert_count
        except LimitExceeded:
            return None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(worker, range(threads)))


async def test_twenty_threads_calling_the_service_end_with_exactly_1000(client, db, tenant):
    case = await create(client)
    loop = asyncio.get_running_loop()
    counts = await loop.run_in_executor(None, attach_from_threads, db, admin_actor(tenant), case["id"], 20, 100)
    assert sorted(c for c in counts if c is not None) == list(range(100, 1001, 100))
    assert counts.count(None) == 10
    assert len(await attached(client, case)) == 1000
    final = await read(client, case)
    assert final["counts"]["alerts"] == 1000
    assert final["version"] == case["version"] + 10


def inserts_into(issued: list[Issued], table: str) -> list[bool]:
    """Whether each insert into the table was an executemany."""
    return [s.many for s in issued if s.sql.lstrip().upper().startswith(f"INSERT INTO {table.upper()}")]


def test_attaching_1000_alerts_takes_as_many_statements_as_attaching_one(db, tenant):
    from casework.cases.schemas import CaseCreate
    from casework.cases.service import create_case

    actor = admin_actor(tenant)
    one_case = db.run_sync(create_case, actor, CaseCreate(title="one")).id
    many_case = db.run_sync(create_case, actor, CaseCreate(title="many")).id
    one = AlertAttach(alert_ids=["solo"], indexes=[".alerts"])
    many = AlertAttach(alert_ids=ids("bulk", 1000), indexes=[".alerts"] * 1000)

    with issued_statements(db.engine) as for_one:
        assert db.run_sync(service.attach_alerts, actor, one_case, one).alert_count == 1
    with issued_statements(db.engine) as for_many:
        assert db.run_sync(service.attach_alerts, actor, many_case, many).alert_count == 1000

    assert len(for_many) == len(for_one)
    assert len(for_many) <= 8, [s.flat for s in for_many]
    # The 1,000 rows go in one INSERT .. SELECT, not an executemany of 1,000.
    assert inserts_into(for_many, "case_alerts") == [False]
    assert inserts_into(for_one, "case_alerts") == [False]
    # And the duplicate check is one SELECT too, with the same statement count when some are duplicates.
    again = AlertAttach(alert_ids=ids("bulk", 1000, start=500), indexes=[".alerts"] * 1000)

    def attach_capped():
        try:
            return db.run_sync(service.attach_alerts, actor, many_case, again)
        except LimitExceeded:
            return None

    with issued_statements(db.engine) as for_refused:
        assert attach_capped() is None
    assert inserts_into(for_refused, "case_alerts") == []
    assert len(for_refused) <= len(for_one)
