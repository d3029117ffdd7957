"""The harness's seeded-data parts (`--dataset N`): scenario selection, their setups against a fake API, the attach
bodies, wrk's request file and p95. No wrk, no server."""

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bench import report, run
from bench.scenarios import (
    ALERTS_PER_REQUEST,
    DEEP_PAGES,
    LIST_PAGE,
    NUMBERED_PAGE,
    SCENARIOS,
    attach_bodies,
    filtered_list_params,
    split_by_dataset,
)
from tests.bench.test_harness import WRK_OK

DATASET = {"token": "cw_seeded", "hot_cases": ["CASE-7", "CASE-9"], "quiet_case": "CASE-1", "alerts": 10}
ASSIGNEE = "0199aaaa-0000-7000-8000-000000000001"


def _seeded_api(pages: int = 30) -> httpx.Client:
    """Answers like casework on a seeded workspace: case lists with cursors, case creation."""
    numbers = iter(range(1, 100_000))

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/api/v1/cases":
            return httpx.Response(201, json={"id": f"id-{next(numbers)}", "key": "CASE-X"})
        assert request.method == "GET" and request.url.path == "/api/v1/cases"
        page = int(request.url.params.get("cursor", "0"))
        items = [{"status": "open", "assignees": [], "tags": []}] + [
            {"status": "open", "assignees": [ASSIGNEE], "tags": ["phishing", "vip"]}
        ]
        return httpx.Response(200, json={"items": items, "next_cursor": str(page + 1) if page + 1 < pages else None})

    return httpx.Client(base_url="http://casework.test", transport=httpx.MockTransport(handle))


def _ctx() -> dict[str, Any]:
    return {"dataset": DATASET, "duration": 5, "warmup": 1, "run_id": "r1"}


def _scenario(name: str):
    return next(s for s in SCENARIOS if s.name == name)


def test_scenarios_on_seeded_data_are_skipped_without_a_dataset_and_run_with_one():
    to_run, skipped = split_by_dataset(SCENARIOS, False)
    assert skipped and all(s.dataset for s in skipped) and not any(s.dataset for s in to_run)
    assert split_by_dataset(SCENARIOS, True) == (SCENARIOS, [])


def test_without_a_dataset_each_skipped_scenario_gets_a_line_saying_how_to_run_it(monkeypatch, capsys):
    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    run.main(["--duration", "1"])
    err = capsys.readouterr().err
    for scenario in split_by_dataset(SCENARIOS, False)[1]:
        assert f"skipped {scenario.name!r}: needs seeded data (--dataset N, make bench DATASET=N)" in err


def test_a_dataset_of_zero_cases_is_refused(capsys):
    with pytest.raises(SystemExit):
        run.main(["--dataset", "0"])
    assert "--dataset must be at least 1" in capsys.readouterr().err


def test_every_seeded_scenario_builds_its_path_and_bodies_from_the_seed_and_its_setup():
    ctx = _ctx()
    with _seeded_api() as client:
        for scenario in split_by_dataset(SCENARIOS, False)[1]:
            if scenario.setup:
                scenario.setup(client, ctx)
            assert scenario.path(ctx).startswith("/api/v1/")
            assert (scenario.method == "POST") == bool(scenario.bodies(ctx)), scenario.name


def test_list_and_lookup_and_comment_scenarios_measure_a_single_client():
    for scenario in split_by_dataset(SCENARIOS, False)[1]:
        assert run.connections_of(scenario, run.argparse.Namespace(connections=32)) == 1, scenario.name


def test_filtered_list_uses_status_assignee_and_tag_of_an_existing_case_sorted_by_updated():
    ctx = _ctx()
    with _seeded_api() as client:
        _scenario("list 50 by status+assignee+tag").setup(client, ctx)
    query = parse_qs(urlsplit(ctx["filtered_list"]).query)
    assert query == {"status": ["open"], "assignee": [ASSIGNEE], "tag": ["phishing"], "sort": ["updated"],
                     "limit": [str(LIST_PAGE)]}  # fmt: skip


def test_filtered_list_refuses_a_first_page_without_an_assigned_tagged_case():
    with pytest.raises(ValueError, match="assignee and a tag"):
        filtered_list_params([{"status": "open", "assignees": [], "tags": ["x"]}])


def test_deep_page_follows_the_cursor_and_loads_the_page_that_many_pages_ahead():
    ctx = _ctx()
    with _seeded_api() as client:
        _scenario(f"list page {DEEP_PAGES + 1} by cursor").setup(client, ctx)
    assert parse_qs(urlsplit(ctx["deep_page"]).query)["cursor"] == [str(DEEP_PAGES)]
    with _seeded_api(pages=3) as client, pytest.raises(ValueError, match="seed a larger dataset"):
        _scenario(f"list page {DEEP_PAGES + 1} by cursor").setup(client, _ctx())


def test_numbered_page_asks_for_page_200_of_50_the_deepest_page_allowed():
    ctx = _ctx()
    with _seeded_api() as client:
        _scenario(f"list page {NUMBERED_PAGE} by number").setup(client, ctx)
    query = parse_qs(urlsplit(ctx["numbered_page"]).query)
    assert query == {"sort": ["updated"], "page": ["200"], "per_page": [str(LIST_PAGE)]}
    assert NUMBERED_PAGE * LIST_PAGE == 10_000


def test_status_count_scenarios_ask_for_the_counts_unfiltered_and_by_an_existing_assignee():
    ctx = _ctx()
    with _seeded_api() as client:
        _scenario("list 50 by assignee with status counts").setup(client, ctx)
    query = parse_qs(urlsplit(ctx["assignee_counts"]).query)
    assert query["assignee"] == [ASSIGNEE] and query["status_counts"] == ["true"]
    unfiltered = parse_qs(urlsplit(_scenario("list 50 with status counts").path(ctx)).query)
    assert unfiltered["status_counts"] == ["true"] and "assignee" not in unfiltered


def test_comments_go_to_the_busiest_and_to_the_comment_free_seeded_case():
    assert _scenario("comment on the 10,000-comment case").path(_ctx()) == "/api/v1/cases/CASE-7/comments"
    assert _scenario("comment on the seeded empty case").path(_ctx()) == "/api/v1/cases/CASE-1/comments"


def test_alert_lookup_asks_for_the_cases_of_a_seeded_alert_id():
    assert _scenario("cases of an alert id").path(_ctx()) == "/api/v1/alerts/alert-0/cases"


def test_attach_bodies_hold_1000_alerts_each_and_never_repeat_an_alert_id():
    bodies = attach_bodies(3, "bench-r1")
    assert all(len(b["alert_ids"]) == len(b["indexes"]) == ALERTS_PER_REQUEST == 1000 for b in bodies)
    ids = [alert_id for b in bodies for alert_id in b["alert_ids"]]
    assert len(ids) == len(set(ids))


def test_attach_sends_each_request_to_its_own_fresh_case_so_the_per_case_cap_is_never_reached():
    scenario = _scenario(f"attach {ALERTS_PER_REQUEST} alerts")
    ctx = _ctx()
    with _seeded_api() as client:
        scenario.setup(client, ctx)
    paths, bodies = scenario.paths(ctx), scenario.bodies(ctx)
    # Enough fresh cases for warm-up and run at 100 requests a second.
    assert len(paths) == len(set(paths)) == len(bodies) == (5 + 1 + 1) * 100
    assert paths[0] == f"/api/v1/cases/{ctx['attach_ids'][0]}/alerts"


def test_request_lines_are_one_json_body_a_line_or_path_tab_body():
    assert run.request_lines([{"a": 1}, {"b": 2}], None) == '{"a": 1}\n{"b": 2}\n'
    assert run.request_lines([{"a": "x\ty"}], ["/p"]) == '/p\t{"a": "x\\ty"}\n'
    with pytest.raises(ValueError, match="1 paths for 2 bodies"):
        run.request_lines([{}, {}], ["/p"])


def test_p95_from_the_lua_done_hook_is_read_in_ms_and_absent_without_it():
    assert report.parse_wrk(WRK_OK + "p95_us: 2345\n").p95_ms == pytest.approx(2.345)
    assert report.parse_wrk(WRK_OK).p95_ms is None


def test_readme_names_the_dataset_size_of_a_run():
    meta = {"started": "s", "db": "sqlite", "workers": 1, "duration": 5, "connections": 32, "machine": "m"}
    rows = [report.Row("x", "GET", 1, 10.0, 1.0, 2.0, 20.0, 1.0, 1.0, 0, p95_ms=1.5)]
    documents = [json.loads(json.dumps(report.result_document({**meta, "dataset": 100000}, rows)))]
    assert "100,000 seeded cases" in report.readme(documents)
    assert report.rows_of(documents[0]) == rows
    assert "seeded cases" not in report.readme([report.result_document(meta, rows)])


def test_alerts_need_a_dataset(capsys):
    with pytest.raises(SystemExit):
        run.main(["--alerts", "1000"])
    assert "--alerts needs --dataset" in capsys.readouterr().err


def test_the_alert_total_is_passed_on_to_seed_data_and_left_to_its_default_otherwise(monkeypatch):
    commands = []

    def fake_run(command, **kwargs):
        commands.append(command)
        return run.subprocess.CompletedProcess(command, 0, stdout=json.dumps(DATASET), stderr="")

    monkeypatch.setattr(run.subprocess, "run", fake_run)
    assert run.seed_dataset(1000, {}, 10_000) == DATASET
    # The busiest case gets the 10,000 comments the comment scenarios need, whatever seed-data's demo default.
    assert commands[-1][1:] == [
        "seed-data", "--cases", "1000", "--json", "--comments-per-case-max", "10000", "--alerts", "10000",
    ]  # fmt: skip
    run.seed_dataset(1000, {})
    assert "--alerts" not in commands[-1]


def test_readme_names_the_seeded_alerts_when_there_are_any():
    meta = {"started": "s", "db": "sqlite", "workers": 1, "duration": 5, "connections": 32, "machine": "m"}
    rows = [report.Row("x", "GET", 1, 10.0, 1.0, 2.0, 20.0, 1.0, 1.0, 0, p95_ms=1.5)]
    text = report.readme([report.result_document({**meta, "dataset": 1_000_000, "alerts": 9_904_399}, rows)])
    assert "1,000,000 seeded cases and 9,904,399 alerts" in text


def test_readme_keeps_the_table_of_a_database_this_checkout_has_no_result_for():
    meta = {"started": "s", "db": "postgres", "workers": 2, "duration": 5, "connections": 32, "machine": "m"}
    rows = [report.Row("x", "GET", 1, 10.0, 1.0, 2.0, 20.0, 1.0, 1.0, 0, p95_ms=1.5)]
    postgres = report.readme([report.result_document(meta, rows)])
    sqlite = report.result_document({**meta, "db": "sqlite", "workers": 1}, rows)
    both = report.readme([sqlite], previous=postgres)
    assert both.index("### sqlite, 1 worker(s)") < both.index("### postgres, 2 worker(s)")
    assert both.count("### postgres") == 1 and both.count("### sqlite") == 1
    # A new result of that database replaces the kept table.
    newer = report.readme([report.result_document({**meta, "started": "later"}, rows)], previous=both)
    assert "— later" in newer and "— s\n" not in newer.split("### postgres")[1]
    assert "### sqlite, 1 worker(s)" in newer

