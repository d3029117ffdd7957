"""A real `casework serve` process, spoken to over HTTP as an operator's curl would.

Every server runs on a free port of 127.0.0.1 with its data in tmp_path and is always stopped at the end of
its block; waits are bounded, never asserted on.
"""

import re
import secrets
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.servers import TOKEN, clean_env, empty_database, running_server, wait_for_output

CONCURRENT_CREATES = 60


def sqlite_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Only the data directory: the database is then <data dir>/casework.db, as for an operator's first run."""
    return clean_env(CASEWORK_DATA_DIR=str(data_dir), **extra)


def only_token(output: str) -> str:
    found = set(TOKEN.findall(output))
    assert len(found) == 1, output
    return found.pop()


def test_first_start_prints_an_admin_token_once_and_it_creates_and_lists_cases(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(tmp_path / "first.log", sqlite_env(data)) as server:
        output = server.output()
        token = only_token(output)
        assert f"  {token}\n" in output  # on a line of its own, never wrapped
        assert f"curl -H 'Authorization: Bearer {token}' {server.url}/api/v1/me\n" in output

        with server.client(token) as client:
            me = client.get("/api/v1/me")
            assert me.status_code == 200, me.text
            assert me.json()["user"]["role"] == "admin"
            assert set(me.json()["scopes"]) == {"cases:read", "cases:write", "admin"}

            created = client.post("/api/v1/cases", json={"title": "Suspicious login", "tags": ["auth"]})
            assert created.status_code == 201, created.text
            assert created.json()["key"] == "CASE-1"
            listed = client.get("/api/v1/cases")
            assert listed.status_code == 200, listed.text
            assert [c["id"] for c in listed.json()["items"]] == [created.json()["id"]]

        with server.client() as anonymous:
            assert anonymous.get("/api/v1/cases").status_code == 401

    # The second start of the same database creates nothing and shows no secret; the first token still works.
    with running_server(tmp_path / "second.log", sqlite_env(data)) as server:
        output = server.output()
        assert TOKEN.findall(output) == []
        assert token not in output and token[len("cw_") :] not in output
        assert "First start" not in output
        with server.client(token) as client:
            listed = client.get("/api/v1/cases")
            assert listed.status_code == 200, listed.text
            assert [c["key"] for c in listed.json()["items"]] == ["CASE-1"]
            users = client.get("/api/v1/users")
            assert [u["role"] for u in users.json()] == ["admin"]


def test_bootstrap_token_from_the_environment_is_the_first_admin_token(tmp_path: Path) -> None:
    chosen = f"cw_{secrets.token_urlsafe(32)}"
    with running_server(tmp_path / "serve.log", sqlite_env(tmp_path / "data", CASEWORK_BOOTSTRAP_TOKEN=chosen)) as server:
        assert only_token(server.output()) == chosen
        with server.client(chosen) as client:
            me = client.get("/api/v1/me")
            assert me.status_code == 200, me.text
            assert me.json()["user"]["role"] == "admin"
            assert client.post("/api/v1/cases", json={"title": "With the chosen token"}).status_code == 201
        with server.client(f"cw_{secrets.token_urlsafe(32)}") as stranger:
            assert stranger.get("/api/v1/me").status_code == 401


def test_health_and_readiness_answer_200_and_sqlite_lives_in_the_data_dir_in_wal_mode(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(tmp_path / "serve.log", sqlite_env(data)) as server:
        with server.client() as client:
            health = client.get("/healthz")
            assert (health.status_code, health.json()) == (200, {"status": "ok"})
            ready = client.get("/readyz")
            assert (ready.status_code, ready.json()) == (200, {"status": "ok"})

        database = data / "casework.db"
        assert database.is_file()
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert connection.execute("SELECT count(*) FROM workspaces").fetchone()[0] == 1

    # The access log is off by default: nothing of those requests shows, even once the server has stopped.
    assert "/healthz" not in server.output()


def test_the_server_runs_asyncios_own_event_loop_not_uvloop(tmp_path: Path) -> None:
    """uvloop left some connections unserved for many loop turns under load (the benchmark's create p99 was 6.5 times
    its p50); asyncio's loop serves them in turn. uvicorn imports uvloop only when it runs it."""
    with running_server(tmp_path / "serve.log", sqlite_env(tmp_path / "data")) as server:
        with server.client(only_token(server.output())) as client:
            assert client.get("/api/v1/me").status_code == 200
        loaded = Path(f"/proc/{server.process.pid}/maps").read_text()
        assert "_asyncio" in loaded
        assert "uvloop" not in loaded


def test_access_log_when_asked_for_shows_each_request(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path / "data", CASEWORK_ACCESS_LOG="true")
    with running_server(tmp_path / "serve.log", env) as server:
        with server.client() as client:
            assert client.get("/healthz?probe=access-log").status_code == 200
        wait_for_output(server, "/healthz?probe=access-log")


def test_concurrent_creates_on_two_workers_all_succeed_with_unique_numbers(backend: str, tmp_path: Path) -> None:
    """Two worker processes share one database: every create succeeds and numbers run 1..N without a repeat."""
    with empty_database(backend, tmp_path / "data") as url:
        env = sqlite_env(tmp_path / "data", CASEWORK_DATABASE_URL=url)
        with running_server(tmp_path / "serve.log", env, workers=2) as server:
            token = only_token(server.output())
            limits = httpx.Limits(max_connections=CONCURRENT_CREATES, max_keepalive_connections=0)
            with server.client(token, limits=limits) as client:

                def create(i: int) -> httpx.Response:
                    return client.post("/api/v1/cases", json={"title": f"Concurrent case {i}", "tags": [f"t{i}"]})

                with ThreadPoolExecutor(max_workers=CONCURRENT_CREATES) as pool:
                    responses = list(pool.map(create, range(CONCURRENT_CREATES)))

                failures = [(r.status_code, r.text) for r in responses if r.status_code != 201]
                assert failures == []
                cases = [r.json() for r in responses]
                assert sorted(c["number"] for c in cases) == list(range(1, CONCURRENT_CREATES + 1))
                assert sorted(c["key"] for c in cases) == sorted(f"CASE-{n}" for n in range(1, CONCURRENT_CREATES + 1))
                assert sorted(c["title"] for c in cases) == sorted(f"Concurrent case {i}" for i in range(CONCURRENT_CREATES))

                listed = client.get("/api/v1/cases", params={"limit": 500, "count": "true"})
                assert listed.status_code == 200, listed.text
                assert listed.json()["total"] == CONCURRENT_CREATES
                assert {c["id"] for c in listed.json()["items"]} == {c["id"] for c in cases}
            # Both workers served from their first start: none was killed for a slow start and replaced.
            assert re.search(r"Child process \[\d+\] died", server.output()) is None, server.output()


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))  # type: ignore[union-attr]


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_with_two_workers_the_supervising_process_keeps_no_copy_of_the_app(tmp_path: Path) -> None:
    """After migrating, `serve` replaces itself with a fresh interpreter that runs uvicorn's supervisor alone: the
    parent of the workers stays far smaller than a worker instead of holding a whole app of its own."""
    with running_server(tmp_path / "serve.log", sqlite_env(tmp_path / "data"), workers=2) as server:
        parent = server.process.pid
        assert "casework.supervisor" in Path(f"/proc/{parent}/cmdline").read_text()
        workers = [pid for pid in _children(parent) if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(workers) == 2
        assert _rss_kb(parent) < 0.6 * min(_rss_kb(pid) for pid in workers)
        with server.client(only_token(server.output())) as client:
            assert client.get("/api/v1/me").status_code == 200
