"""`make bench`: casework and the no-op floor as real server processes on 127.0.0.1, each scenario loaded on both
with wrk, one table printed, the results kept in bench/results/ and bench/README.md.

    .venv/bin/python -m bench.run --db sqlite --workers 1 --duration 10 --connections 32
"""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import report
from bench.scenarios import Context, Scenario, selected, split_by_dataset

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
LUA = BENCH_DIR / "wrk" / "request.lua"
TOKEN = "cw_benchmark_token_0123456789abcdef"
POSTGRES_URL = os.environ.get("CASEWORK_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Bounds for waiting only: a first start migrates and spawns workers, slow on a small, busy host.
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
WARMUP_SECONDS = 1
# Slow requests are measured, not dropped as wrk's 2 s default would.
WRK_TIMEOUT = "30s"
RSS_POLL_SECONDS = 0.1
IDLE_TIMEOUT = 120.0
# The busiest seeded case's comments: the comment scenarios' target is a 10,000-comment case.
HOT_CASE_COMMENTS = 10_000


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5.0).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, workers: int, log: Path) -> Iterator[Server]:
    """A server process group, ready with every worker started when this yields, always killed afterwards."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (
            _ready(server.url) and log.read_text(errors="replace").count("Application startup complete") >= workers
        ):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{command[0]} did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # workers are in the server's own process group
        except ProcessLookupError:
            pass
        process.wait(timeout=STOP_TIMEOUT)


def group_rss_bytes(pgid: int) -> list[int]:
    """The resident memory of each process in a process group (a uvicorn master and its workers)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) * 1024)
        except (OSError, IndexError, ValueError):
            continue  # the process ended while being read
    return sizes


def group_cpu_ticks(pgid: int) -> int:
    """User and system clock ticks used so far by every process in a process group."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_idle(pgid: int) -> None:
    """Wait until a server has finished the requests wrk left behind (it closes its connections at the deadline,
    the server still answers them), so they do not weigh on the next measurement."""
    deadline = time.monotonic() + IDLE_TIMEOUT
    before = group_cpu_ticks(pgid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        after = group_cpu_ticks(pgid)
        if after - before <= 1:
            return
        before = after


class PeakRss:
    """Polls a process group's RSS in a thread while the block runs: `peak` is the largest sum seen,
    `peak_process` the largest single process."""

    def __init__(self, pgid: int) -> None:
        self.pgid, self.peak, self.peak_process = pgid, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def sample(self) -> None:
        sizes = group_rss_bytes(self.pgid)
        self.peak = max(self.peak, sum(sizes))
        self.peak_process = max(self.peak_process, *sizes, 0)

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(RSS_POLL_SECONDS)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def wrk_env(scenario: Scenario, bodies: Path | None, token: str, offset: int, fixed_path: bool) -> dict[str, str]:
    """What bench/wrk/request.lua reads: the scenario's method, credentials, headers and bodies."""
    return {
        "BENCH_METHOD": scenario.method,
        "BENCH_TOKEN": token,
        "BENCH_AUTH_SCHEME": scenario.auth_scheme,
        "BENCH_HEADERS": "".join(f"{name}: {value}\n" for name, value in scenario.headers),
        "BENCH_BODIES": str(bodies or ""),
        "BENCH_OFFSET": str(offset),
        "BENCH_FIXED_PATH": "1" if fixed_path else "",
    }


def wrk(
    url: str, scenario: Scenario, bodies: Path | None, seconds: int, connections: int, token: str, offset: int = 0
) -> report.WrkResult:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={WRK_TIMEOUT}",
        "--latency",
        "-s",
        str(LUA),
        url,
    ]
    env = {**os.environ, **wrk_env(scenario, bodies, token, offset, url.endswith("/floor"))}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return report.parse_wrk(done.stdout)


def connections_of(scenario: Scenario, args: argparse.Namespace) -> int:
    return min(args.connections, scenario.connections or args.connections)


def warm_up(server: Server, path: str, scenario: Scenario, bodies: Path | None, token: str, connections: int) -> int:
    """One short run before the rounds; how many requests it may have sent (its count plus each connection's
    request cut off at the end), so that the rounds start past them and one-off targets stay fresh."""
    warmup = wrk(f"{server.url}{path}", scenario, bodies, WARMUP_SECONDS, connections, token)
    wait_idle(server.process.pid)
    return warmup.requests + connections


def rotated_rounds(
    floor: Server,
    target: Server,
    path: str,
    scenario: Scenario,
    bodies: Path | None,
    token: str,
    args: argparse.Namespace,
) -> report.Rounds:
    """Floor and casework alternately, `args.rounds` times each, so that both see the same moments of a shared
    machine; `args.duration` is split between the rounds."""
    connections = connections_of(scenario, args)
    seconds = max(1, round(args.duration / args.rounds))
    warm_up(floor, "/floor", scenario, bodies, token, connections)
    offset = warm_up(target, path, scenario, bodies, token, connections)
    rounds = report.Rounds(floor=[], casework=[])
    for _ in range(args.rounds):
        rounds.floor.append(wrk(f"{floor.url}/floor", scenario, bodies, seconds, connections, token))
        wait_idle(floor.process.pid)
        result = wrk(f"{target.url}{path}", scenario, bodies, seconds, connections, token, offset)
        offset += result.requests + connections
        rounds.casework.append(result)
        wait_idle(target.process.pid)
    return rounds


@contextmanager
def database_url(db: str, directory: Path) -> Iterator[str]:
    """A new SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if db == "sqlite":
        yield f"sqlite:///{(directory / 'casework.db').as_posix()}"
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            separator = "&" if "?" in POSTGRES_URL else "?"
            yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def vacuum_analyze(url: str) -> None:
    """VACUUM (ANALYZE) of the benchmark's PostgreSQL schema before a scenario: what autovacuum keeps doing on a
    production database, which a test database may run without (`autovacuum = off`), so that dead row versions and
    missing statistics left by the scenarios before are not measured instead."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            connection.execute(text(f"VACUUM (ANALYZE) {', '.join(tables)}"))
    finally:
        engine.dispose()


def server_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    return {**env, **overrides}


def casework_server_env(tmp: Path, url: str, workers: int) -> dict[str, str]:
    return server_env(
        CASEWORK_DATA_DIR=str(tmp / "data"),
        CASEWORK_DATABASE_URL=url,
        CASEWORK_WORKERS=str(workers),
        CASEWORK_BOOTSTRAP_TOKEN=TOKEN,
        CASEWORK_RATE_LIMIT="1000000000/second",
        CASEWORK_LOG_LEVEL="info",
    )


def casework_command(port: int) -> list[str]:
    return [str(Path(sys.executable).with_name("casework")), "serve", "--no-worker", "--host", "127.0.0.1",
            "--port", str(port)]  # fmt: skip


def floor_command(port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "bench.floor", str(port), str(workers)]


def floor_env(tmp: Path, db: str, url: str) -> dict[str, str]:
    """The floor's: its SQLite file, the token the harness sends, and on PostgreSQL the benchmark's schema, where its
    reference rows then read and write."""
    postgres = {"BENCH_FLOOR_POSTGRES_URL": url} if db == "postgres" else {}
    return server_env(BENCH_FLOOR_DB=str(tmp / "floor.db"), BENCH_FLOOR_TOKEN=TOKEN, **postgres)


def prepare_scenario(scenario: Scenario, ctx: Context, casework: Server, tmp: Path, db: str) -> tuple[str, Path | None]:
    """The scenario's setup run through casework's API; the token its requests carry and the file of their bodies."""
    token = ctx["dataset"]["token"] if scenario.dataset else TOKEN
    with httpx.Client(base_url=casework.url, headers={"Authorization": f"Bearer {token}"}, timeout=60.0) as client:
        if scenario.setup:
            scenario.setup(client, ctx)
    if db == "postgres":
        vacuum_analyze(ctx["database_url"])
    bodies = scenario.bodies(ctx)
    body_file = None
    if bodies:
        body_file = tmp / "bodies.jsonl"
        body_file.write_text(request_lines(bodies, scenario.paths(ctx) if scenario.paths else None))
    return token, body_file


def run_scenario(
    scenario: Scenario, ctx: Context, casework: Server, floor: Server, tmp: Path, args: argparse.Namespace
) -> report.Row:
    token, body_file = prepare_scenario(scenario, ctx, casework, tmp, args.db)
    target = floor if scenario.on_floor else casework
    with PeakRss(target.process.pid) as rss:
        rounds = rotated_rounds(floor, target, scenario.path(ctx), scenario, body_file, token, args)
    return report.Row(
        scenario=scenario.name,
        method=scenario.method,
        connections=connections_of(scenario, args),
        rps=rounds.median("requests_per_second") or 0.0,
        p50_ms=rounds.median("p50_ms") or 0.0,
        p95_ms=rounds.median("p95_ms"),
        p99_ms=rounds.median("p99_ms") or 0.0,
        floor_rps=rounds.median("requests_per_second", of="floor") or 0.0,
        peak_rss_mb=rss.peak / 2**20,
        max_process_rss_mb=rss.peak_process / 2**20,
        errors=rounds.errors(),
        round_ratios=rounds.ratios(),
    )


def request_lines(bodies: list[object], paths: list[str] | None) -> str:
    """bench/wrk/request.lua's input: a JSON body a line, or "PATH<TAB>BODY" when each body has its own path."""
    if paths is None:
        return "".join(json.dumps(b) + "\n" for b in bodies)
    if len(paths) != len(bodies):
        raise ValueError(f"{len(paths)} paths for {len(bodies)} bodies")
    return "".join(f"{p}\t{json.dumps(b)}\n" for p, b in zip(paths, bodies, strict=True))


# What `casework serve` does before it listens: migrate, then bootstrap an empty database.
PREPARE_DATABASE = """
from casework.bootstrap import bootstrap_if_empty
from casework.db import migrate
from casework.db.database import Database
from casework.settings import Settings
settings = Settings()
db = Database(settings.resolved_database_url)
migrate.upgrade(db.engine)
db.run_sync(bootstrap_if_empty, settings.bootstrap_token)
db.dispose()
"""


def seed_dataset(cases: int, env: dict[str, str], alerts: int | None = None) -> dict[str, object]:
    """`casework seed-data --json` on the benchmark's database; its object for the scenarios. Migrations and the
    bootstrap workspace come first, as `serve` would make them: serve only bootstraps an empty database, and the
    scenarios without a dataset use the bootstrap token. `alerts`: the total, else seed-data's one per case."""
    prepare = [sys.executable, "-c", PREPARE_DATABASE]
    seed = [
        str(Path(sys.executable).with_name("casework")),
        "seed-data",
        "--cases",
        str(cases),
        "--json",
        "--comments-per-case-max",
        str(HOT_CASE_COMMENTS),
    ]
    if alerts is not None:
        seed += ["--alerts", str(alerts)]
    for command in (prepare, seed):
        done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{command[-1]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per scenario and server, split "
                        "between the rounds.")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, help="Rotated floor/casework rounds per scenario; the ratio "
                        "is their median.")  # fmt: skip
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--dataset", type=int, metavar="N", help="Seed N cases first (casework seed-data) and run the "
                        "scenarios on seeded data too.")  # fmt: skip
    parser.add_argument("--alerts", type=int, metavar="TOTAL", help="With --dataset: seed TOTAL alerts in all "
                        "(default: one per case).")  # fmt: skip
    parser.add_argument("--scenario", action="append", help="Run only this scenario (repeatable).")
    parser.add_argument(
        "--results", type=Path, default=BENCH_DIR / "results", help="bench/README.md only follows the default."
    )
    args = parser.parse_args(argv)
    try:
        scenarios = selected(args.scenario)
    except ValueError as exc:
        parser.error(str(exc))
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.dataset is not None and args.dataset < 1:
        parser.error("--dataset must be at least 1")
    if args.alerts is not None and (args.dataset is None or args.alerts < 0):
        parser.error("--alerts needs --dataset and must be at least 0")
    scenarios, skipped = split_by_dataset(scenarios, args.dataset is not None)
    for scenario in skipped:
        print(f"skipped {scenario.name!r}: needs seeded data (--dataset N, make bench DATASET=N)", file=sys.stderr)
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed. Install it with: apt-get install wrk (Debian/Ubuntu), then run again.",
            file=sys.stderr,
        )
        return 2

    started = datetime.now(UTC)
    rows: list[report.Row] = []
    with (
        tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp_name,
        database_url(args.db, Path(tmp_name)) as url,
    ):
        tmp = Path(tmp_name)
        casework_port, floor_port = free_port(), free_port()
        casework_env = casework_server_env(tmp, url, args.workers)
        ctx: Context = {
            "duration": args.duration, "warmup": WARMUP_SECONDS, "run_id": uuid.uuid4().hex[:8], "database_url": url,
        }  # fmt: skip
        if args.dataset:
            alerts = "" if args.alerts is None else f" and {args.alerts:,} alerts"
            print(f"… seeding {args.dataset:,} cases{alerts}", file=sys.stderr, flush=True)
            ctx["dataset"] = seed_dataset(args.dataset, casework_env, args.alerts)
            print(f"… seeded in {ctx['dataset']['seconds']:.0f} s", file=sys.stderr, flush=True)
        with (
            serving(casework_command(casework_port), casework_env, casework_port, args.workers, tmp / "casework.log")
            as casework,
            serving(floor_command(floor_port, args.workers), floor_env(tmp, args.db, url), floor_port, args.workers,
                    tmp / "floor.log") as floor,
        ):  # fmt: skip
            for scenario in scenarios:
                print(f"… {scenario.name}", file=sys.stderr, flush=True)
                rows.append(run_scenario(scenario, ctx, casework, floor, tmp, args))

    rows = report.with_counterparts(rows, {s.name: s.counterpart for s in scenarios if s.counterpart})
    print(report.text_table(rows))
    meta = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "db": args.db,
        "workers": args.workers,
        "duration": args.duration,
        "rounds": args.rounds,
        "connections": args.connections,
        "dataset": args.dataset,
        "alerts": ctx["dataset"]["alerts"] if args.dataset else None,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    }
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"{started.strftime('%Y%m%dT%H%M%SZ')}-{args.db}.json"
    path.write_text(json.dumps(report.result_document(meta, rows), indent=2) + "\n")
    written = [str(path)]
    # Only the repository's own results make the README; --results elsewhere is for trying things out.
    if args.results.resolve() == (BENCH_DIR / "results").resolve():
        readme = BENCH_DIR / "README.md"
        previous = readme.read_text() if readme.exists() else ""
        readme.write_text(report.readme(report.latest_per_database(args.results), previous))
        written.append(str(BENCH_DIR / "README.md"))
    print(f"\nwritten: {', '.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
