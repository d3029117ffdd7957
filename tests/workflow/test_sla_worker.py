"""The SLA worker: one sla_warning and one sla_exceeded entry per case and SLA, across restarts and concurrent
workers; the CLI command, and the worker inside the server."""

import threading
import uuid

import anyio
import uvicorn
from typer.testing import CliRunner

from casework.app import create_app
from casework.cli import app as cli
from casework.settings import Settings
from casework.workflow.slas import worker
from tests.helpers import activity
from casework.workflow.slas.models import CaseSla
from tests.workflow.sla_support import change, clocks, move_clock, policy, seconds, set_policies, started

TARGET = 100  # warning at 75 s, exceeded at 100 s


async def sla_entries(client, case) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e for e in await activity(client, case) if e["action"].startswith("sla_")]


async def test_a_crossed_warning_is_written_once_by_the_system(client, tenant):
    await set_policies(client, policy("completion", TARGET))
    case = await client.post("/cases", json={"title": "slow"})
    case = case.json()
    start = started(tenant.db, case["id"])

    worker.run_once(tenant.db, start + seconds(74))
    assert await sla_entries(client, case) == []

    assert worker.run_once(tenant.db, start + seconds(76)) >= 1
    (entry,) = await sla_entries(client, case)
    assert entry["action"] == "sla_warning"
    assert entry["actor_id"] is None
    assert entry["source"] == "worker"
    assert entry["changes"]["sla_type"] == [None, "completion"]
    assert entry["changes"]["target_seconds"] == [None, TARGET]
    stored = clocks(tenant.db, case["id"])["completion"]
    assert stored.warned_at == start + seconds(76)
    assert stored.next_check_at == stored.due_at

    worker.run_once(tenant.db, start + seconds(80))
    assert len(await sla_entries(client, case)) == 1


async def test_exceeding_is_written_once_even_across_restarts(client, tenant):
    await set_policies(client, policy("response", TARGET), policy("completion", 10 * TARGET))
    case = (await client.post("/cases", json={"title": "slow"})).json()
    start = started(tenant.db, case["id"])

    # Down through both thresholds: one pass writes both, the warning first.
    worker.run_once(tenant.db, start + seconds(150))
    assert [(e["action"], e["changes"]["sla_type"][1]) for e in await sla_entries(client, case)] == [
        ("sla_warning", "response"),
        ("sla_exceeded", "response"),
    ]
    response = clocks(tenant.db, case["id"])["response"]
    assert response.exceeded_at == start + seconds(150)
    assert response.next_check_at is None

    for later in (151, 160, 500):  # each call is a new worker (a restart): the clock remembers
        worker.run_once(tenant.db, start + seconds(later))
    assert [e["action"] for e in await sla_entries(client, case)] == ["sla_warning", "sla_exceeded"]


async def test_a_clock_paused_before_its_warning_writes_nothing(client, tenant):
    await set_policies(client, policy("completion", TARGET, pause=True))
    case = (await client.post("/cases", json={"title": "waiting"})).json()
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"status_category": ["open", "pending"]}, start + seconds(50))
    worker.run_once(tenant.db, start + seconds(500))
    assert await sla_entries(client, case) == []


async def test_a_warning_crossed_before_a_pause_is_still_written(client, tenant):
    await set_policies(client, policy("completion", TARGET, pause=True))
    case = (await client.post("/cases", json={"title": "waiting"})).json()
    start = started(tenant.db, case["id"])
    change(tenant.db, case["id"], {"status_category": ["open", "pending"]}, start + seconds(80))
    worker.run_once(tenant.db, start + seconds(500))
    assert [e["action"] for e in await sla_entries(client, case)] == ["sla_warning"]
    assert clocks(tenant.db, case["id"])["completion"].next_check_at is None


async def test_a_case_closed_in_time_is_never_exceeded(client, tenant):
    await set_policies(client, policy("completion", TARGET))
    case = (await client.post("/cases", json={"title": "quick"})).json()
    start = started(tenant.db, case["id"])
    closing = start + seconds(50)
    change(tenant.db, case["id"], {"status_category": ["open", "closed"], "closed_at": [None, closing]}, closing)
    worker.run_once(tenant.db, start + seconds(5000))
    assert await sla_entries(client, case) == []


async def test_a_reopened_case_is_announced_when_its_moved_target_passes(client, tenant):
    await set_policies(client, policy("completion", TARGET))
    case = (await client.post("/cases", json={"title": "back"})).json()
    start = started(tenant.db, case["id"])
    closing = start + seconds(50)
    change(tenant.db, case["id"], {"status_category": ["open", "closed"], "closed_at": [None, closing]}, closing)
    reopening = {"status_category": ["closed", "open"], "closed_at": [closing, None]}
    change(tenant.db, case["id"], reopening, start + seconds(1050))
    # 50 s counted before closing: the warning (75 s) comes 25 s after the reopening, not before.
    worker.run_once(tenant.db, start + seconds(1070))
    assert await sla_entries(client, case) == []
    worker.run_once(tenant.db, start + seconds(1080))
    assert [e["action"] for e in await sla_entries(client, case)] == ["sla_warning"]


async def test_several_workers_at_once_write_each_entry_exactly_once(client, tenant):
    await set_policies(client, policy("response", TARGET), policy("completion", TARGET))
    cases = [(await client.post("/cases", json={"title": f"case {n}"})).json() for n in range(12)]
    latest = max(started(tenant.db, case["id"]) for case in cases)
    workers = 4
    barrier = threading.Barrier(workers)
    failures: list[BaseException] = []

    def one_worker() -> None:
        try:
            barrier.wait()
            worker.run_once(tenant.db, latest + seconds(200), batch=5)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=one_worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for case in cases:
        entries = await sla_entries(client, case)
        assert sorted((e["action"], e["changes"]["sla_type"][1]) for e in entries) == [
            ("sla_exceeded", "completion"),
            ("sla_exceeded", "response"),
            ("sla_warning", "completion"),
            ("sla_warning", "response"),
        ]


async def test_a_worker_that_finds_the_threshold_already_stamped_writes_nothing(client, tenant):
    """The conditional UPDATE is the last guard: a clock claimed with a stale view of warned_at writes no entry."""
    await set_policies(client, policy("completion", TARGET))
    case = (await client.post("/cases", json={"title": "raced"})).json()
    start = started(tenant.db, case["id"])
    worker.run_once(tenant.db, start + seconds(80))

    def stale_pass(session):  # type: ignore[no-untyped-def]
        clock = session.get(CaseSla, (uuid.UUID(case["id"]), "completion"))
        clock.warned_at = None  # as another worker would have seen it before the first committed
        return worker._announce(session, clock, start + seconds(80))

    assert tenant.db.run_sync(stale_pass) == 0
    assert [e["action"] for e in await sla_entries(client, case)] == ["sla_warning"]


async def test_the_worker_command_runs_one_pass(client, tenant, db):
    await set_policies(client, policy("completion", TARGET))
    case = (await client.post("/cases", json={"title": "via the command"})).json()
    start = started(tenant.db, case["id"])
    move_clock(tenant.db, case["id"], "completion", warn_at=start - seconds(1), next_check_at=start - seconds(1))
    result = CliRunner().invoke(cli, ["worker", "--once"], env={"CASEWORK_DATABASE_URL": db.url})
    assert result.exit_code == 0, result.output
    assert "SLA entries written" in result.stdout
    assert [e["action"] for e in await sla_entries(client, case)] == ["sla_warning"]


def test_serve_runs_the_worker_unless_told_not_to(monkeypatch, db, tmp_path):
    seen: list[bool] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.append(Settings().sla_worker))
    # Restored after the test: serve --no-worker sets it for the server processes it starts.
    monkeypatch.setenv("CASEWORK_SLA_WORKER", "true")
    env = {"CASEWORK_DATABASE_URL": db.url, "CASEWORK_DATA_DIR": str(tmp_path), "CASEWORK_BOOTSTRAP_TOKEN": None}
    for args in (["serve"], ["serve", "--no-worker"]):
        result = CliRunner().invoke(cli, args, env=env)  # type: ignore[arg-type]
        assert result.exit_code == 0, result.output
    assert seen == [True, False]


async def test_the_server_runs_the_worker_in_its_process(client, tenant, db, settings):
    await set_policies(client, policy("completion", TARGET))
    case = (await client.post("/cases", json={"title": "served"})).json()
    start = started(tenant.db, case["id"])
    move_clock(tenant.db, case["id"], "completion", warn_at=start - seconds(1), next_check_at=start - seconds(1))
    served = create_app(settings.model_copy(update={"sla_worker": True, "sla_worker_interval": 0.05}), db)
    async with served.router.lifespan_context(served):
        with anyio.fail_after(20):
            while clocks(tenant.db, case["id"])["completion"].warned_at is None:
                await anyio.sleep(0.05)
    assert [e["action"] for e in await sla_entries(client, case)] == ["sla_warning"]
