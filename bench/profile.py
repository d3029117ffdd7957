"""`python -m bench.profile`: where the server's time goes in each hot scenario, layer by layer, beside the floor's
references, so that a missed target in bench/README.md comes with the profile of what stops it.

The servers run as `make bench` runs them, loaded by wrk (32 connections) while py-spy samples them from outside,
without pausing them (its native stacks would pause them and slow them down some thirty times). A sample counts for
the layer of its innermost frame that names one (a call into the standard library counts for its caller); time in
the database driver's C code is seen in the SQLAlchemy function that calls it, and counted as the database's. The
table gives the server's busy time per request in each layer.

    .venv/bin/python -m bench.profile --db sqlite --duration 10
"""

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from bench.run import (
    casework_command,
    casework_server_env,
    connections_of,
    database_url,
    floor_command,
    floor_env,
    free_port,
    prepare_scenario,
    serving,
    warm_up,
    wrk,
)
from bench.scenarios import Context, Scenario, selected

DEFAULT_SCENARIOS = (
    "stack: token check + Core row",
    "get case by id",
    "stack: token check + Core write",
    "create case",
    "comment on an empty case",
)
RATE = 250
SPY_ATTACH_SECONDS = 1.0
# Third-party packages to layers, by a fragment of a Python frame's file. casework's own modules split in two:
# what serves HTTP (routes, schemas, middleware, dialects) and the rest (services, rules, units of work).
PACKAGES: tuple[tuple[str, str], ...] = (
    ("sqlalchemy/", "SQLAlchemy"),
    ("pydantic", "Pydantic"),
    ("fastapi/", "FastAPI and Starlette"),
    ("starlette/", "FastAPI and Starlette"),
    ("anyio/", "FastAPI and Starlette"),
    ("uvicorn/", "uvicorn and asyncio"),
    ("asyncio/", "uvicorn and asyncio"),
    ("httptools", "uvicorn and asyncio"),
)
AUTH = "casework: authentication"
HTTP = "casework: routes, schemas, middleware"
RULES = "casework: services, rules, units of work"
FLOOR = "the floor's route"
DATABASE = "the database and its driver"
# SQLAlchemy's calls into the DBAPI: a sample whose innermost frame is one of these is in the driver's C code.
DRIVER_CALLS = ("do_execute", "do_executemany", "do_execute_no_params", "do_commit", "do_rollback", "do_begin",
                "fetchone", "fetchall", "fetchmany", "_fetchall_impl", "_fetchone_impl")  # fmt: skip
OTHER = "interpreter and the rest"
ORDER = (AUTH, HTTP, RULES, FLOOR, *dict.fromkeys(layer for _, layer in PACKAGES), DATABASE, OTHER)
HTTP_MODULES = ("router.py", "schemas.py", "app.py", "http.py", "http_protocol.py", "problems.py",
                "observability.py", "logs.py")  # fmt: skip


def _function_and_file(frame: str) -> tuple[str, str]:
    """A py-spy frame, `function (file:line)`, split: `function`, `file:line`."""
    function, _, where = frame.rpartition(" (")
    return function, where.rstrip(")")


def layer_of_frame(frame: str) -> str | None:
    """A py-spy frame's layer; None for frames that count for their caller (the standard library)."""
    where = _function_and_file(frame)[1]
    if where.startswith("bench/floor.py") or "/bench/floor.py" in where:
        return FLOOR
    if where.startswith("casework/") or "/casework/" in where:
        module = where.rpartition("casework/")[2].partition(":")[0]
        if module.startswith("auth/"):
            return AUTH
        if module.endswith(HTTP_MODULES) or module.startswith("dialects/"):
            return HTTP
        return RULES
    return next((layer for fragment, layer in PACKAGES if fragment in where), None)


def layer_of_stack(frames: list[str]) -> str:
    function, where = _function_and_file(frames[-1])
    in_driver_call = where.startswith("sqlalchemy/engine/") and function.rpartition(".")[2] in DRIVER_CALLS
    if in_driver_call or where.startswith(("sqlite3/", "psycopg")):
        return DATABASE
    for frame in reversed(frames):
        layer = layer_of_frame(frame)
        if layer:
            return layer
    return OTHER


def layer_samples(raw: str) -> Counter[str]:
    """Samples per layer from py-spy's raw output: a line per stack, `frame;frame;...;leaf count`."""
    samples: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples[layer_of_stack(stack.split(";"))] += int(count)
    return samples


def profile_scenario(
    scenario: Scenario,
    target_pid: int,
    url: str,
    body_file: Path | None,
    token: str,
    connections: int,
    offset: int,
    seconds: int,
) -> tuple[Counter[str], int]:
    """Samples per layer while wrk loads the target for `seconds`, and the requests wrk completed meanwhile."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        spy = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(target_pid), "--subprocesses",
             "--nonblocking", "--rate", str(RATE), "--format", "raw", "--output", out.name],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        time.sleep(SPY_ATTACH_SECONDS)
        result = wrk(url, scenario, body_file, seconds, connections, token, offset)
        # py-spy writes what it sampled when interrupted; idle stacks are left out, so the second before the load
        # adds next to nothing.
        spy.send_signal(signal.SIGINT)
        _, errors = spy.communicate(timeout=60)
        if not Path(out.name).stat().st_size:
            raise SystemExit(f"py-spy failed ({spy.returncode}): {errors.decode(errors='replace')}")
        return layer_samples(Path(out.name).read_text()), result.requests


def table(columns: dict[str, tuple[Counter[str], int]]) -> str:
    """µs of the server's busy time per request in each layer, by scenario."""
    per_request = {
        name: {layer: n / RATE / requests * 1e6 for layer, n in samples.items()}
        for name, (samples, requests) in columns.items()
    }
    layers = [layer for layer in ORDER if any(layer in column for column in per_request.values())]
    lines = ["| µs per request | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for layer in layers:
        cells = (f"{column.get(layer, 0.0):,.0f}" for column in per_request.values())
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    totals = (f"**{sum(column.values()):,.0f}**" for column in per_request.values())
    lines.append("| **total** | " + " | ".join(totals) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.profile", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="Seconds sampled per scenario.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scenario", action="append", help="Profile only this scenario (repeatable).")
    args = parser.parse_args(argv)
    try:
        scenarios = selected(args.scenario or list(DEFAULT_SCENARIOS))
    except ValueError as exc:
        parser.error(str(exc))
    for tool in ("wrk", "py-spy"):
        if shutil.which(tool) is None and not Path(sys.executable).with_name(tool).exists():
            print(f"{tool} is not installed (wrk: apt-get install wrk; py-spy: make install).", file=sys.stderr)
            return 2

    columns: dict[str, tuple[Counter[str], int]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="casework-profile-") as tmp_name,
        database_url(args.db, Path(tmp_name)) as url,
    ):
        tmp = Path(tmp_name)
        casework_port, floor_port = free_port(), free_port()
        ctx: Context = {"duration": args.duration, "run_id": uuid.uuid4().hex[:8], "database_url": url}
        with (
            serving(casework_command(casework_port), casework_server_env(tmp, url, args.workers), casework_port,
                    args.workers, tmp / "casework.log") as casework,
            serving(floor_command(floor_port, args.workers), floor_env(tmp, args.db, url), floor_port, args.workers,
                    tmp / "floor.log") as floor,
        ):  # fmt: skip
            for scenario in scenarios:
                print(f"… {scenario.name}", file=sys.stderr, flush=True)
                token, body_file = prepare_scenario(scenario, ctx, casework, tmp, args.db)
                target = floor if scenario.on_floor else casework
                path = scenario.path(ctx)
                connections = connections_of(scenario, args)
                offset = warm_up(target, path, scenario, body_file, token, connections)
                columns[scenario.name] = profile_scenario(
                    scenario,
                    target.process.pid,
                    f"{target.url}{path}",
                    body_file,
                    token,
                    connections,
                    offset,
                    args.duration,
                )
    print(table(columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
