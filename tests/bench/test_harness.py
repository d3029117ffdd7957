"""The benchmark harness's pure parts: wrk's report, the table/JSON/README, the scenario registry. No wrk, no
server, no timings here: `make bench` runs the load."""

import importlib
import json
import os
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from bench import report, run
from bench.scenarios import (
    ALERT_REQUESTS_PER_SECOND,
    ALERTS_PER_CASE,
    BULK_SIZE,
    SCENARIOS,
    Scenario,
    register,
    selected,
    split_by_dataset,
)
from tests.conftest import BACKENDS

# Captured from wrk 4.1.0 (`wrk -t1 -c8 -d1s --latency`) against bench/floor.py.
WRK_OK = """\
Running 1s test @ http://127.0.0.1:18766/floor
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.59ms  578.85us   9.62ms   91.55%
    Req/Sec     5.15k   246.19     5.60k    63.64%
  Latency Distribution
     50%    1.55ms
     75%    1.60ms
     90%    1.70ms
     99%    3.38ms
  5630 requests in 1.10s, 747.86KB read
Requests/sec:   5118.78
Transfer/sec:    679.95KB
"""
WRK_404 = """\
Running 1s test @ http://127.0.0.1:18766/missing
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.29ms  518.79us   6.37ms   84.52%
    Req/Sec     6.31k   704.39     7.55k    70.00%
  Latency Distribution
     50%    1.28ms
     75%    1.34ms
     90%    1.72ms
     99%    3.29ms
  6279 requests in 1.00s, 0.92MB read
  Non-2xx or 3xx responses: 6279
Requests/sec:   6269.80
Transfer/sec:      0.92MB
"""


def test_wrk_report_gives_requests_per_second_and_latency_percentiles_in_ms():
    result = report.parse_wrk(WRK_OK)
    assert result == report.WrkResult(requests_per_second=5118.78, p50_ms=1.55, p99_ms=3.38, requests=5630, errors=0)


def test_wrk_non_2xx_responses_and_socket_errors_count_as_errors():
    assert report.parse_wrk(WRK_404).errors == 6279
    with_sockets = WRK_404.replace(
        "  Non-2xx", "  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx"
    )
    assert report.parse_wrk(with_sockets).errors == 6279 + 10


def test_wrk_latencies_in_other_units_are_converted_to_ms():
    text = WRK_OK.replace("     50%    1.55ms", "     50%  850.00us").replace("     99%    3.38ms", "     99%    1.20s")
    result = report.parse_wrk(text)
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(1200.0)


def test_output_without_latency_distribution_is_refused():
    without = WRK_OK.split("  Latency Distribution")[0] + "Requests/sec:   5118.78\n"
    with pytest.raises(ValueError, match="wrk --latency"):
        report.parse_wrk(without)


ROWS = [
    report.Row("create case", "POST", 32, 1200.4, 20.123, 80.5, 4000.0, 150.25, 120.0, 0),
    report.Row("bulk update 100 cases", "POST", 4, 3.04, 8.0, 30.0, 5000.0, 251.0, 130.4, 3, p95_ms=12.5),
]


def test_ratio_is_to_the_floor_of_the_same_row():
    assert ROWS[0].ratio == pytest.approx(0.3001)
    assert report.Row("x", "GET", 1, 10.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0).ratio == 0.0


def _wrk(rps: float, p50: float = 1.0, errors: int = 0) -> report.WrkResult:
    return report.WrkResult(requests_per_second=rps, p50_ms=p50, p99_ms=p50 * 3, requests=int(rps), errors=errors, p95_ms=p50 * 2)


def test_rotated_rounds_give_the_median_of_each_rounds_ratio_and_its_spread():
    # The third round ran while a neighbour loaded the machine: casework and the floor both fell, their ratio held.
    rounds = report.Rounds(floor=[_wrk(1000), _wrk(1100), _wrk(400)], casework=[_wrk(300), _wrk(264, 2.0, 1), _wrk(40, 9.0)])
    assert rounds.ratios() == pytest.approx((0.3, 0.24, 0.1))
    assert rounds.median("requests_per_second") == 264 and rounds.median("p50_ms") == 2.0
    assert rounds.median("requests_per_second", of="floor") == 1000 and rounds.errors() == 1
    row = report.Row("get", "GET", 32, 264, 2.0, 6.0, 1000, 1.0, 1.0, 0, round_ratios=rounds.ratios())
    # The median ratio, not the ratio of the median rates (264/1000), nor a mean pulled down by the noisy round.
    assert row.ratio == pytest.approx(0.24)
    assert row.spread == pytest.approx((0.1, 0.3))
    assert "0.100–0.300" in report.text_table([row])
    assert report.Row("x", "GET", 1, 10.0, 1.0, 1.0, 20.0, 1.0, 1.0, 0, round_ratios=(0.5,)).spread is None


def test_a_missing_p95_in_any_round_leaves_the_median_p95_unknown():
    rounds = report.Rounds(floor=[_wrk(10)], casework=[report.WrkResult(5.0, 1.0, 2.0, 5, 0)])
    assert rounds.median("p95_ms") is None


def test_rounds_alternate_floor_and_casework_and_split_the_duration(monkeypatch):
    calls = []

    def fake_wrk(url, scenario, bodies, seconds, connections, token, offset=0):
        calls.append((url.rsplit(":", 1)[1], seconds, offset))
        return _wrk(100 if "floor" in url else 50)

    monkeypatch.setattr(run, "wrk", fake_wrk)
    monkeypatch.setattr(run, "wait_idle", lambda pgid: None)

    class Process:
        pid = 0

    floor, casework = run.Server(Process(), "http://f:1", Path("f")), run.Server(Process(), "http://c:2", Path("c"))
    args = type("Args", (), {"rounds": 3, "duration": 9, "connections": 4})()
    rounds = run.rotated_rounds(floor, casework, "/api/v1/cases", SCENARIOS[0], None, "t", args)
    assert [c[0] for c in calls] == ["1/floor", "2/api/v1/cases"] + ["1/floor", "2/api/v1/cases"] * 3
    assert [c[1] for c in calls[2:]] == [3] * 6
    # Each casework round starts past what the warm-up and the earlier rounds sent.
    assert [c[2] for c in calls[3::2]] == [54, 108, 162]
    assert rounds.ratios() == (0.5, 0.5, 0.5)


def test_text_table_has_every_column_and_aligned_rows():
    lines = report.text_table(ROWS).splitlines()
    assert lines[0].split("  ")[0].strip() == "scenario" and "ratio to floor" in lines[0] and "max process MB" in lines[0]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["create", "case", "32", "1200", "20.12", "–", "80.50", "0.300", "–", "–", "150", "120", "0"]
    # Small rates and ratios keep a significant digit.
    assert lines[3].split() == [
        "bulk", "update", "100", "cases", "4", "3.0", "8.00", "12.50", "30.00", "0.001", "–", "–", "251", "130", "3",
    ]  # fmt: skip
    assert len({len(line) for line in lines}) == 1


def test_markdown_table_has_a_header_an_alignment_row_and_one_row_per_scenario():
    lines = report.markdown_table(ROWS).splitlines()
    assert lines[0] == (
        "| scenario | conns | req/s | p50 ms | p95 ms | p99 ms | ratio to floor | spread | ratio to native "
        "| peak RSS MB | max process MB | errors |"
    )
    assert lines[1] == "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    assert lines[2] == "| create case | 32 | 1200 | 20.12 | – | 80.50 | 0.300 | – | – | 150 | 120 | 0 |"
    assert len(lines) == 2 + len(ROWS)


META = {"started": "2026-11-24 04:00 UTC", "db": "sqlite", "workers": 1, "duration": 5, "connections": 32, "machine": "x86_64"}


def test_result_document_is_json_with_the_settings_rows_and_ratios_and_reads_back():
    document = json.loads(json.dumps(report.result_document(META, ROWS)))
    assert {k: document[k] for k in META} == META
    assert document["rows"][0]["ratio"] == pytest.approx(0.3001)
    assert document["rows"][1]["scenario"] == "bulk update 100 cases"
    assert report.rows_of(document) == ROWS


def test_readme_shows_the_newest_result_of_each_database(tmp_path: Path):
    older = report.result_document({**META, "started": "old"}, ROWS[:1])
    newer = report.result_document({**META, "started": "new"}, ROWS)
    postgres = report.result_document({**META, "db": "postgres", "workers": 2}, ROWS[:1])
    (tmp_path / "20261124T030000Z-sqlite.json").write_text(json.dumps(older))
    (tmp_path / "20261124T040000Z-sqlite.json").write_text(json.dumps(newer))
    (tmp_path / "20261124T035000Z-postgres.json").write_text(json.dumps(postgres))
    documents = report.latest_per_database(tmp_path)
    assert [(d["db"], d["started"]) for d in documents] == [("sqlite", "new"), ("postgres", META["started"])]
    text = report.readme(documents)
    assert "Ratios are to the floor measured in the same run" in text
    assert "Create ≥ 0.40 × floor req/s" in text
    assert "### postgres, 2 worker(s)" in text and "### sqlite, 1 worker(s)" in text and "— new" in text
    assert report.markdown_table(ROWS) in text


def test_readme_without_results_says_how_to_get_one():
    assert "No run yet" in report.readme([])


def _fake_api() -> httpx.Client:
    """Answers POST /api/v1/cases as casework does (a new id and key), nothing else."""
    numbers = iter(range(1, 10_000))

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.url.path == "/api/v1/cases"
        assert json.loads(request.content)["title"]
        return httpx.Response(201, json={"id": str(uuid.uuid4()), "key": f"CASE-{next(numbers)}"})

    return httpx.Client(base_url="http://casework.test", transport=httpx.MockTransport(handle))


def test_every_scenario_without_a_dataset_prepares_through_the_api_and_builds_a_path_and_bodies():
    ctx: dict = {"duration": 1, "warmup": 1, "run_id": "r"}
    with _fake_api() as client:
        for scenario in split_by_dataset(SCENARIOS, False)[0]:
            if scenario.setup:
                scenario.setup(client, ctx)
            dialects = ("/kibana/api/", "/datadog/api/v2/")
            prefixes = ("/floor/",) if scenario.on_floor else dialects if scenario.counterpart else ("/api/v1/",)
            assert scenario.path(ctx).startswith(prefixes), scenario.name
            bodies = scenario.bodies(ctx)
            # POST and PUT scenarios send JSON bodies (one a line for wrk), GET ones none.
            assert (scenario.method in ("POST", "PUT")) == bool(bodies), scenario.name
            if scenario.paths:
                assert len(scenario.paths(ctx)) == len(bodies)
            assert all("\n" not in json.dumps(b) for b in bodies)


def test_the_scenarios_without_a_big_dataset_are_registered():
    assert [(s.name, s.method) for s in SCENARIOS if not s.dataset and not s.on_floor] == [
        ("create case", "POST"),
        ("get case by id", "GET"),
        ("get case by key", "GET"),
        ("comment on an empty case", "POST"),
        (f"bulk update {BULK_SIZE} cases", "POST"),
        ("attach an alert", "POST"),
        ("list page 1 of 20 with status counts", "GET"),
        ("kibana: create", "POST"),
        ("kibana: add alert comment", "POST"),
        ("kibana: _find page 1 of 20", "GET"),
        ("datadog: create", "POST"),
        ("list page 1 of 10 by number", "GET"),
        ("datadog: search page 1", "GET"),
        ("add 100 insights", "POST"),
        ("datadog: add 100 insights", "PUT"),
    ]


def test_each_kibana_scenario_names_a_native_counterpart_and_speaks_kibana():
    kibana = [s for s in SCENARIOS if s.name.startswith("kibana: ")]
    names = {s.name for s in SCENARIOS}
    assert len(kibana) == 3 and all(s.counterpart in names and s.auth_scheme == "ApiKey" for s in kibana)
    assert all(("kbn-xsrf", "bench") in s.headers for s in kibana if s.method == "POST")
    # Selecting one runs its counterpart too, so that the ratio is measured in the same run.
    assert [s.name for s in selected(["kibana: create"])] == ["create case", "kibana: create"]


def test_alert_scenarios_send_distinct_alerts_a_few_per_fresh_case():
    ctx: dict = {"duration": 1, "warmup": 1, "run_id": "r"}
    with _fake_api() as client:
        for name in ("attach an alert", "kibana: add alert comment"):
            scenario = selected([name])[-1]
            scenario.setup(client, ctx)  # type: ignore[misc]
            paths, bodies = scenario.paths(ctx), scenario.bodies(ctx)  # type: ignore[misc]
            assert len(bodies) >= 3 * ALERT_REQUESTS_PER_SECOND
            alerts = [json.dumps(b) for b in bodies]
            assert len(set(alerts)) == len(alerts)
            assert max(paths.count(p) for p in set(paths)) == ALERTS_PER_CASE


def test_the_report_sets_each_dialect_row_against_its_native_counterpart_floor_for_floor():
    rows = report.with_counterparts(
        # The machine was twice as busy during the Kibana rounds: its floor served half as much.
        [ROWS[0], report.Row("kibana: create", "POST", 32, 480.16, 1.0, 2.0, 2000.0, 1.0, 1.0, 0)],
        {"kibana: create": "create case", "kibana: other": "missing"},
    )
    assert rows[0].native_ratio is None and rows[1].native_floor_ratio == ROWS[0].ratio
    assert rows[1].native_ratio == pytest.approx(0.8)
    assert report.text_table(rows).splitlines()[3].split()[9] == "0.80"
    assert report.rows_of(json.loads(json.dumps(report.result_document(META, rows)))) == rows


def test_wrk_gets_the_scenarios_auth_scheme_and_headers():
    scenario = selected(["kibana: create"])[-1]
    env = run.wrk_env(scenario, None, "cw_x", 5, False)
    assert (env["BENCH_AUTH_SCHEME"], env["BENCH_HEADERS"], env["BENCH_OFFSET"]) == ("ApiKey", "kbn-xsrf: bench\n", "5")
    assert run.wrk_env(selected(["create case"])[0], None, "cw_x", 0, True)["BENCH_AUTH_SCHEME"] == "Bearer"


def test_bulk_update_changes_the_priority_of_100_cases_in_every_request():
    scenario = selected(["bulk update 100 cases"])[0]
    ctx: dict = {}
    with _fake_api() as client:
        scenario.setup(client, ctx)  # type: ignore[misc]
    bodies = scenario.bodies(ctx)
    assert all(len(b["items"]) == 100 for b in bodies)
    assert {item["id"] for item in bodies[0]["items"]} == set(ctx["bulk_ids"])
    # Consecutive bodies set different priorities, so no request is a no-op.
    priorities = [b["items"][0]["changes"]["priority"] for b in bodies]
    assert len(set(priorities)) == len(priorities) > 1


def test_scenario_names_are_unique_and_selection_refuses_unknown_names():
    with pytest.raises(ValueError, match="registered twice"):
        register(Scenario(SCENARIOS[0].name, "GET", lambda ctx: "/api/v1/cases"))
    assert selected(None) == SCENARIOS
    assert [s.name for s in selected(["get case by key", "create case"])] == ["create case", "get case by key"]
    with pytest.raises(ValueError, match="unknown scenario"):
        selected(["nope"])


def test_without_wrk_the_harness_says_how_to_install_it_and_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    assert run.main(["--duration", "1"]) == 2
    assert "apt-get install wrk" in capsys.readouterr().err


def test_rss_is_read_for_every_process_of_a_group_and_peaks_are_kept():
    sizes = run.group_rss_bytes(os.getpgid(0))
    assert sizes and all(size > 0 for size in sizes)
    assert run.group_rss_bytes(2**22 + 12345) == []


def test_slow_scenarios_cap_the_connection_count_and_others_use_the_one_asked_for():
    args = run.argparse.Namespace(connections=32)
    assert run.connections_of(selected(["bulk update 100 cases"])[0], args) == 4
    assert run.connections_of(selected(["create case"])[0], args) == 32
    assert run.connections_of(selected(["bulk update 100 cases"])[0], run.argparse.Namespace(connections=2)) == 2
    with run.PeakRss(os.getpgid(0)) as rss:
        pass
    assert rss.peak >= rss.peak_process > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_floor_serves_each_reference_scenario_one_row_of_41_columns(backend, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BENCH_FLOOR_DB", str(tmp_path / "floor.db"))
    monkeypatch.setenv("BENCH_FLOOR_TOKEN", "floor-secret")
    references = [s for s in SCENARIOS if s.on_floor]
    assert [s.name for s in references] == [
        "stack: sqlite3 row by key", "stack: ORM row by key", "stack: Core row by key", "stack: token check + Core row",
        "stack: token check + Core write",
    ]  # fmt: skip
    reads, [write] = references[:4], references[4:]
    with run.database_url(backend, tmp_path) as url:
        if backend == "postgres":
            monkeypatch.setenv("BENCH_FLOOR_POSTGRES_URL", url)
        floor = importlib.reload(importlib.import_module("bench.floor"))
        try:
            assert floor.engine.dialect.name == ("postgresql" if backend == "postgres" else "sqlite")
            with TestClient(floor.app, headers={"Authorization": "Bearer floor-secret"}) as client:
                rows = [client.get(s.path({})).json() for s in reads]
                refused = client.get("/floor/token-core-row", headers={"Authorization": "Bearer other"})
                written = [client.post(write.path({}), json=body) for body in write.bodies({})[:2]]
                refused_write = client.post(write.path({}), json={}, headers={"Authorization": "Bearer other"})
            with floor.engine.connect() as connection:
                logged = connection.execute(select(floor.entries.c.row_id, floor.entries.c.body)).all()
        finally:
            floor.engine.dispose()
    monkeypatch.delenv("BENCH_FLOOR_POSTGRES_URL", raising=False)
    importlib.reload(floor)
    assert rows[0] == rows[1] == rows[2] == rows[3]
    assert rows[0]["id"] == floor.ROW_ID and len(rows[0]) == floor.COLUMNS + 1
    assert refused.status_code == refused_write.status_code == 401
    # Each write inserts its row and an entry holding the body it was sent, in one transaction.
    assert [w.status_code for w in written] == [201, 201] and all(len(w.json()) == floor.COLUMNS + 1 for w in written)
    assert [(row_id, json.loads(body)) for row_id, body in logged] == [
        (w.json()["id"], body) for w, body in zip(written, write.bodies({})[:2], strict=True)
    ]


def test_readme_keeps_the_hand_written_findings_between_the_targets_and_the_results(tmp_path: Path, monkeypatch):
    findings = tmp_path / "findings.md"
    findings.write_text("## Findings\n\nBefore and after.\n")
    monkeypatch.setattr(report, "FINDINGS", findings)
    text = report.readme([report.result_document(META, ROWS)])
    assert text.index("## Targets") < text.index("Before and after.") < text.index("## Latest results")


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgres"])
def test_before_each_scenario_the_postgres_schema_is_vacuumed_and_analysed(backend, tmp_path: Path):
    with run.database_url(backend, tmp_path) as url:
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE grown (id integer PRIMARY KEY)"))
                connection.execute(text("INSERT INTO grown SELECT generate_series(1, 5000)"))
                connection.execute(text("DELETE FROM grown WHERE id % 2 = 0"))
            run.vacuum_analyze(url)
            with engine.connect() as connection:
                # The statistics count the live rows; the vacuum left no dead row versions behind.
                assert connection.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'grown'::regclass")).scalar() == 2500
                analysed, dead = connection.execute(
                    text("SELECT last_analyze IS NOT NULL, n_dead_tup FROM pg_stat_user_tables WHERE relid = 'grown'::regclass")
                ).one()
        finally:
            engine.dispose()
    assert analysed and dead == 0


def test_the_floor_reads_and_writes_where_the_benchmark_runs(tmp_path: Path):
    assert run.floor_env(tmp_path, "postgres", "postgresql+psycopg://db/bench")["BENCH_FLOOR_POSTGRES_URL"] == (
        "postgresql+psycopg://db/bench"
    )
    assert "BENCH_FLOOR_POSTGRES_URL" not in run.floor_env(tmp_path, "sqlite", "sqlite:///x.db")
    assert run.floor_env(tmp_path, "sqlite", "sqlite:///x.db")["BENCH_FLOOR_DB"] == str(tmp_path / "floor.db")
