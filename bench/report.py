"""The pure parts of the harness: reading wrk's output, and the table, JSON and README made of the results."""

import json
import re
import statistics
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
TIME = r"([\d.]+)(us|ms|s|m|h)"


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    # Responses outside 2xx/3xx plus socket errors: a scenario with errors measured something else.
    errors: int
    # From bench/wrk/request.lua's done(): wrk's own --latency report has no 95th percentile.
    p95_ms: float | None = None


def _ms(value: str, unit: str) -> float:
    return float(value) * TIME_UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    """wrk's report (run with --latency) as numbers; ValueError when the report is not there."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(rf"^\s+50(?:\.0+)?%\s+{TIME}", output, re.M)
    p99 = re.search(rf"^\s+99(?:\.0+)?%\s+{TIME}", output, re.M)
    total = re.search(r"^\s+(\d+) requests in ", output, re.M)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"not a wrk --latency report:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    p95 = re.search(r"^p95_us: (\d+)$", output, re.M)
    return WrkResult(
        float(rps.group(1)), _ms(*p50.groups()), _ms(*p99.groups()), int(total.group(1)), errors,
        int(p95.group(1)) / 1000 if p95 else None,
    )  # fmt: skip


@dataclass(frozen=True)
class Row:
    scenario: str
    method: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    floor_rps: float
    peak_rss_mb: float
    max_process_rss_mb: float
    errors: int
    # None in results written before p95 was measured.
    p95_ms: float | None = None
    # A dialect's scenario: its native counterpart's ratio to the floor in the same run (None for the others).
    native_floor_ratio: float | None = None
    # casework's req/s over the floor's in each rotated round (empty in results written before rounds).
    round_ratios: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios: one round slowed by a neighbour on a shared machine moves it little."""
        if self.round_ratios:
            return statistics.median(self.round_ratios)
        return self.rps / self.floor_rps if self.floor_rps else 0.0

    @property
    def spread(self) -> tuple[float, float] | None:
        """The lowest and highest round ratio: how far one round's figure can be trusted on this machine now."""
        return (min(self.round_ratios), max(self.round_ratios)) if len(self.round_ratios) > 1 else None

    @property
    def native_ratio(self) -> float | None:
        """The two ratios to the floor over each other rather than the raw req/s: the scenarios run minutes apart,
        and each one's floor rounds cancel how fast the shared machine was during it."""
        return self.ratio / self.native_floor_ratio if self.native_floor_ratio else None


HEADERS = [
    "scenario", "conns", "req/s", "p50 ms", "p95 ms", "p99 ms", "ratio to floor", "spread", "ratio to native",
    "peak RSS MB", "max process MB", "errors",
]  # fmt: skip


@dataclass(frozen=True)
class Rounds:
    """The wrk results of one scenario's rotated rounds: floor, casework, floor, casework, …"""

    floor: list[WrkResult]
    casework: list[WrkResult]

    def ratios(self) -> tuple[float, ...]:
        return tuple(c.requests_per_second / f.requests_per_second if f.requests_per_second else 0.0
                     for f, c in zip(self.floor, self.casework, strict=True))  # fmt: skip

    def median(self, field: str, of: str = "casework") -> float | None:
        values = [getattr(result, field) for result in getattr(self, of)]
        return None if None in values else statistics.median(values)

    def errors(self) -> int:
        return sum(result.errors for result in self.casework)


def with_counterparts(rows: list[Row], counterparts: dict[str, str]) -> list[Row]:
    """The rows, each dialect scenario's with the ratio to the floor of its native counterpart (by scenario name) when
    it ran."""
    ratios = {row.scenario: row.ratio for row in rows}
    return [replace(row, native_floor_ratio=ratios.get(counterparts.get(row.scenario, ""))) for row in rows]


def _cells(row: Row) -> list[str]:
    return [
        row.scenario,
        str(row.connections),
        f"{row.rps:.0f}" if row.rps >= 100 else f"{row.rps:.1f}",
        f"{row.p50_ms:.2f}",
        "–" if row.p95_ms is None else f"{row.p95_ms:.2f}",
        f"{row.p99_ms:.2f}",
        f"{row.ratio:.3f}",
        "–" if row.spread is None else f"{row.spread[0]:.3f}–{row.spread[1]:.3f}",
        "–" if row.native_ratio is None else f"{row.native_ratio:.2f}",
        f"{row.peak_rss_mb:.0f}",
        f"{row.max_process_rss_mb:.0f}",
        str(row.errors),
    ]


def text_table(rows: list[Row]) -> str:
    """Aligned columns for the terminal: the scenario left, the numbers right."""
    lines = [HEADERS] + [_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS))]
    out = []
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True)]
        out.append("  ".join(cells).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + "|"]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def result_document(meta: dict[str, Any], rows: list[Row]) -> dict[str, Any]:
    """What bench/results/<timestamp>-<db>.json holds: the run's settings and every row, its ratios included."""
    return {
        **meta,
        "rows": [{**asdict(r), "ratio": round(r.ratio, 4), "native_ratio": _rounded(r.native_ratio)} for r in rows],
    }


def _rounded(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio, 4)


def rows_of(document: dict[str, Any]) -> list[Row]:
    return [
        Row(**{k: tuple(v) if k == "round_ratios" else v for k, v in row.items() if k not in ("ratio", "native_ratio")})
        for row in document["rows"]
    ]


def latest_per_database(results: Path) -> list[dict[str, Any]]:
    """The newest result of each database (names start with a sortable UTC timestamp), SQLite first."""
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted(results.glob("*.json")):
        document = json.loads(path.read_text())
        latest[document["db"]] = document
    return [latest[db] for db in sorted(latest, key=lambda db: (db != "sqlite", db))]


README_HEAD = """# Benchmarks

`make bench` starts casework as a real server process (`casework serve --no-worker`, uvicorn, on 127.0.0.1 only)
and a no-op **floor** app (`bench/floor.py`: FastAPI on the same uvicorn stack and worker count, routes that return
a constant), loads each scenario on both with [wrk](https://github.com/wg/wrk), and prints one table.

**Ratios are to the floor measured in the same run**, scenario by scenario with the same method, bodies and
connection count, because these machines are shared and noisy: compare ratios, not raw req/s, across runs (the JSON
in `bench/results/` also keeps the floor's req/s). Both servers stay up and each scenario runs in rotated rounds
(floor, casework, floor, casework, …; `--rounds`, default 3, splitting `--duration` between them): `ratio to floor`
is the median of the rounds' ratios and `spread` their lowest and highest, so a neighbour's burst during one round
shows as spread instead of moving the figure; `req/s` and the latencies are the medians of casework's rounds.
`peak RSS MB` is the sum over the casework server's processes (uvicorn master and workers) during that scenario,
`max process MB` the largest single one. `conns` is wrk's connection count (slow scenarios cap it, so that they
measure the request rather than a queue). `errors` counts non-2xx/3xx responses and socket errors: a row with errors
measured something else. `ratio to native`, on a dialect's scenario (`kibana: ...`), is its ratio to the floor over
that of the native scenario doing the same work, in the same run: the two run minutes apart, and their own floor
rounds take out how busy the machine was during each (their raw req/s can drift 20% between scenarios).

## How to run

    apt-get install wrk                      # once; the harness says so when wrk is missing
    make bench                               # SQLite, 1 worker, 10 s per scenario in 3 rounds, 32 connections
    make bench DB=postgres WORKERS=2 DURATION=5 CONNECTIONS=32
    make bench DATASET=100000                # also the scenarios on seeded data (skipped without it)
    make bench DATASET=1000000 ALERTS=10000000   # and 10,000,000 alerts over those cases (default: one per case)
    make bench ROUNDS=5 DURATION=20          # more, longer rounds on a very noisy machine
    .venv/bin/python -m bench.run --help     # also: --scenario NAME (repeatable)

PostgreSQL runs in a fresh schema of the local test database (`CASEWORK_TEST_DATABASE_URL`, default
`postgresql+psycopg://postgres@127.0.0.1:5432/test`), dropped afterwards; before each scenario the schema is
vacuumed and analysed, as autovacuum keeps a production database (a test database may run without it). Each run
writes `bench/results/<UTC timestamp>-<db>.json` and rewrites this file with the newest result of each database.
A scenario is a few lines in `bench/scenarios.py`.

`DATASET=N` (`--dataset N`) runs `casework seed-data --cases N --json` on the benchmark's database before the server
starts (`ALERTS=TOTAL` passes `--alerts TOTAL` on); the scenarios marked for it (filtered list, deep page by
cursor, page 200 by number, status counts unfiltered and by assignee, text search, comments on the busiest and on an
empty seeded case, alert lookup, 1,000-alert attach) run in that seeded workspace with its token. List, search,
lookup, comment and attach scenarios use one connection, since their targets are single-client latency; `p95 ms`
comes from `bench/wrk/request.lua` (wrk itself prints 50/75/90/99).
The `stack:` rows are references served by the floor app itself, on the benchmark's database (the sqlite3 row
always on SQLite): one row by primary key with sqlite3, as a SQLAlchemy ORM entity, as a SQLAlchemy Core row, the
Core row after a bearer-token check by hash, and a write (the token check, the JSON body, a case-like row and an
entry beside it inserted by Core in one transaction); what any database-backed endpoint on this stack can keep of
the floor, one layer of casework's profile at a time.

`make profile` (`python -m bench.profile`, same `DB`, `WORKERS`, `DURATION` and `CONNECTIONS`) serves the hot
scenarios and the floor's `stack:` references the same way while [py-spy](https://github.com/benfred/py-spy) samples
the server from outside, and prints the server's busy time per request in each layer: casework's authentication,
its HTTP layer, its services and units of work, SQLAlchemy, Pydantic, FastAPI and Starlette, uvicorn, the database
driver and SQLite. `--scenario NAME` profiles others. py-spy reads the server's memory: it needs root or
`kernel.yama.ptrace_scope` 0 (in a container, the `SYS_PTRACE` capability).

## Targets (issue 6)

- Create ≥ 0.40 × floor req/s; get ≥ 0.60 × floor, on SQLite, one worker; on PostgreSQL with 2 workers,
  create ≥ 0.30 × floor.
- List and search on 1,000,000 cases: p95 ≤ 30 ms single client, on both databases (issue 11: numbered pages
  and status counts too).
- Comment add on the 10,000-comment case within 1.2 × the empty case's latency.
- 1,000 alerts attached in ≤ 250 ms; alert lookup p95 ≤ 10 ms.
- Server RSS ≤ 200 MB throughout.
- Issue 12: each `kibana:` scenario ≥ 0.8 × its native counterpart's req/s in the same run (`ratio to native`):
  create (`create case`), an alert comment (`attach an alert`, one alert on a fresh case), `_find` page 1 of 20
  (`list page 1 of 20 with status counts`, as `_find` counts each status).
- Issue 13: each `datadog:` scenario ≥ 0.8 × its native counterpart's req/s in the same run: create
  (`create case`), search page 1 (`list page 1 of 10 by number`), 100 insights (`add 100 insights`).
- Issue 14 (hot paths; SQLite, one worker, 32 connections): get by id or key ≥ 0.35 × floor, create ≥ 0.15 ×,
  comment on an empty case ≥ 0.15 ×; PostgreSQL with two workers: get ≥ 0.25 ×, create ≥ 0.10 ×; p99 ≤ 4 × p50
  for create and comment on both databases; bulk update of 100 cases ≤ 150 ms p50; RSS ≤ 200 MB per process.
"""


def _rounds(document: dict[str, Any]) -> str:
    return f" in {document['rounds']} rounds" if document.get("rounds") else ""


def _dataset(document: dict[str, Any]) -> str:
    if not document.get("dataset"):
        return ""
    alerts = f" and {document['alerts']:,} alerts" if document.get("alerts") else ""
    return f", {document['dataset']:,} seeded cases{alerts}"


# What the runs found, before and after each fix, and the limits: written by hand, kept above the results.
FINDINGS = Path(__file__).with_name("findings.md")


RESULTS_HEADING = "## Latest results\n"


def _kept_sections(previous: str) -> dict[str, str]:
    """The result sections of a README, by database: results are git-ignored, so a checkout that ran only one
    database keeps the other's table from the README it had."""
    _head, found, results = previous.partition(RESULTS_HEADING)
    if not found:
        return {}
    sections = {}
    for part in results.split("\n### ")[1:]:
        sections[part.split(",", 1)[0]] = "### " + part.strip("\n") + "\n"
    return sections


def readme(documents: list[dict[str, Any]], previous: str = "") -> str:
    fresh = {
        document["db"]: (
            f"### {document['db']}, {document['workers']} worker(s), {document['connections']} connections, "
            f"{document['duration']} s per scenario{_rounds(document)}{_dataset(document)} — {document['started']}\n\n"
            f"Machine: {document['machine']}.\n\n{markdown_table(rows_of(document))}\n"
        )
        for document in documents
    }
    by_database = _kept_sections(previous) | fresh
    sections = [README_HEAD, *([FINDINGS.read_text()] if FINDINGS.exists() else []), RESULTS_HEADING]
    sections += [by_database[db] for db in sorted(by_database, key=lambda db: (db != "sqlite", db))]
    if not by_database:
        sections.append("No run yet: `make bench`.\n")
    return "\n".join(sections)
