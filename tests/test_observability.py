"""What an operator watches: GET /metrics (requests by route template and status, latency, the database pool, the
SLA worker; added up across the workers of `casework serve`), and the request id of every answer and log line."""

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from casework import problems
from casework.app import create_app
from casework.db.database import Database, make_engine
from casework.logs import configure_logging
from casework.settings import Settings
from casework.workflow.slas import worker
from tests.helpers import api_client
from tests.servers import clean_env, running_server
from tests.workflow.sla_support import move_clock, policy, seconds, set_policies, started

GENERATED_ID = re.compile(r"[0-9a-f]{32}")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(app: FastAPI) -> Samples:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


def requests_of(samples: Samples, route: str, status: str, method: str = "GET") -> float:
    return value(samples, "casework_http_requests_total", method=method, route=route, status=status)


async def test_metrics_count_requests_by_route_template_and_status_without_credentials(app, client, anonymous):
    before = await scrape(app)
    case = (await client.post("/cases", json={"title": "counted"})).json()
    assert (await client.get(f"/cases/{case['key']}")).status_code == 200
    assert (await client.get("/cases/NOPE-404")).status_code == 404
    assert (await anonymous.get("/kibana/api/cases/some-case")).status_code == 401
    assert (await anonymous.get("/kibana/s/default/api/cases/some-case")).status_code == 401
    assert (await anonymous.get("/datadog/api/v2/cases/some-case")).status_code == 401
    assert (await anonymous.get(f"/no/such/path/{case['id']}")).status_code == 404
    after = await scrape(app)

    def counted(route: str, status: str, method: str = "GET") -> float:
        return requests_of(after, route, status, method) - requests_of(before, route, status, method)

    assert counted("/api/v1/cases", "201", "POST") == 1
    assert counted("/api/v1/cases/{ref}", "200") == 1
    assert counted("/api/v1/cases/{ref}", "404") == 1
    assert counted("/kibana/api/cases/{caseId}", "401") == 1
    assert counted("/kibana/s/{space_id}/api/cases/{caseId}", "401") == 1
    assert counted("/datadog/api/v2/cases/{case_id}", "401") == 1
    assert counted("unmatched", "404") == 1
    assert counted("/metrics", "200") == 1  # the first scrape
    # No raw path becomes a label.
    assert not [key for key in after if any(case["id"] in v or case["key"] in v for _, v in key[1])]


async def test_metrics_time_requests_in_a_histogram_by_route_template(app, client):
    before = await scrape(app)
    for _ in range(3):
        assert (await client.get("/me")).status_code == 200
    after = await scrape(app)
    labels = {"method": "GET", "route": "/api/v1/me"}
    count = "casework_http_request_duration_seconds_count"
    assert value(after, count, **labels) - value(before, count, **labels) == 3
    infinite = "casework_http_request_duration_seconds_bucket"
    assert value(after, infinite, le="+Inf", **labels) - value(before, infinite, le="+Inf", **labels) == 3
    assert value(after, "casework_http_request_duration_seconds_sum", **labels) > value(
        before, "casework_http_request_duration_seconds_sum", **labels
    )
    buckets = [key for key in after if key[0] == infinite and ("route", "/api/v1/me") in key[1]]
    assert len(buckets) > 5  # a histogram, not one number


async def test_metrics_show_the_database_pool_size_and_the_connections_in_use(db: Database, settings: Settings):
    app = create_app(settings.model_copy(update={"sla_worker": False}), db)
    idle = await scrape(app)
    assert value(idle, "casework_db_pool_size") == db.engine.pool.size()  # type: ignore[attr-defined]
    # The gauge is the process's: another test's pool may move it meanwhile (a background write of an earlier
    # app's), so the two connections are counted in a window where nothing else moved it.
    for _attempt in range(10):
        before = await scrape(app)
        with db.engine.connect():
            with db.engine.connect():
                busy = await scrape(app)
        done = await scrape(app)
        in_use = value(before, "casework_db_pool_checked_out")
        if value(done, "casework_db_pool_checked_out") == in_use:
            break
    assert value(busy, "casework_db_pool_checked_out") == in_use + 2
    assert value(done, "casework_db_pool_checked_out") == in_use


async def test_metrics_show_the_sla_worker_last_pass_and_its_lag(app, client, tenant, db):
    await set_policies(client, policy("completion", 100))
    case = (await client.post("/cases", json={"title": "late"})).json()
    start = started(tenant.db, case["id"])
    an_hour_late = start - seconds(3600)
    move_clock(tenant.db, case["id"], "completion", warn_at=an_hour_late, next_check_at=an_hour_late)
    before_pass = time.time()
    await worker.pass_in_app(db)
    samples = await scrape(app)
    assert value(samples, "casework_sla_worker_lag_seconds") >= 3600
    assert value(samples, "casework_sla_worker_last_pass_timestamp_seconds") >= before_pass


def test_several_workers_add_up_their_metrics_in_a_directory_made_and_removed_by_serve(tmp_path: Path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = clean_env(CASEWORK_DATA_DIR=str(tmp_path / "data"), TMPDIR=str(temporary))
    with running_server(tmp_path / "serve.log", env, workers=2) as server:
        (metrics_dir,) = temporary.iterdir()
        assert metrics_dir.name.startswith("casework-metrics-") and any(metrics_dir.iterdir())
        # The pool of a worker's database (made, never connected).
        pool_size = make_engine(f"sqlite:///{tmp_path / 'data' / 'casework.db'}").pool.size()  # type: ignore[attr-defined]
        # New connections: the kernel hands them to either worker.
        for _ in range(6):
            assert httpx.get(f"{server.url}/healthz", headers={"Connection": "close"}).status_code == 200
        for _ in range(4):
            samples = parse(httpx.get(f"{server.url}/metrics", headers={"Connection": "close"}).text)
            # Each worker's pool, added up: whichever worker answers, it reports both.
            assert value(samples, "casework_db_pool_size") == 2 * pool_size
            assert requests_of(samples, "/healthz", "200") == 6
        deadline = time.monotonic() + 60
        while value(samples, "casework_sla_worker_last_pass_timestamp_seconds") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
            samples = parse(httpx.get(f"{server.url}/metrics").text)
        assert value(samples, "casework_sla_worker_last_pass_timestamp_seconds") > 0
    assert list(temporary.iterdir()) == []


# Request ids


async def test_a_request_id_given_by_the_client_is_sent_back(anonymous):
    for given in ("abc-123", "7f1c2d3e-0000-4000-8000-000000000000", "trace.v1:span_2", "x" * 128):
        response = await anonymous.get("/healthz", headers={"X-Request-ID": given})
        assert response.headers["x-request-id"] == given


async def test_a_request_without_an_id_gets_a_new_one_each_time(anonymous):
    first = (await anonymous.get("/healthz")).headers["x-request-id"]
    second = (await anonymous.get("/healthz")).headers["x-request-id"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second) and first != second


@pytest.mark.parametrize("given", ["x" * 129, "two words", "<script>", "id;drop", "é-accent", "a\tb"])
async def test_a_malformed_request_id_is_replaced_by_a_new_one(anonymous, given):
    response = await anonymous.get("/healthz", headers={"X-Request-ID": given.encode()})
    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


async def test_error_answers_of_every_dialect_carry_the_request_id(app, anonymous, settings):
    for path in ("/api/v1/cases", "/kibana/api/cases/_find", "/datadog/api/v2/cases", "/no/such/path"):
        response = await anonymous.get(path, headers={"X-Request-ID": "failed-1"})
        assert response.status_code in (401, 404), response.text
        assert response.headers["x-request-id"] == "failed-1", path
    too_large = b"x" * (settings.max_body_bytes + 1)
    for path in ("/api/v1/cases", "/kibana/api/cases", "/datadog/api/v2/cases"):
        response = await anonymous.post(path, content=too_large, headers={"X-Request-ID": "too-large-1"})
        assert response.status_code == 413, response.text
        assert response.headers["x-request-id"] == "too-large-1", path


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """The test's app logs to the test's captured stderr; afterwards, logs go where they went before."""
    yield
    configure_logging()


async def test_every_log_line_of_a_request_carries_its_id_and_the_answer_too(logging_restored, capsys, db, settings):
    app = create_app(settings.model_copy(update={"sla_worker": False, "log_format": "json"}), db)

    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    unexpected = {"description": "An error no handler expects.", "content": {problems.MEDIA_TYPE: problem}}

    @app.get("/api/v1/test-only/failure", responses={500: unexpected})
    async def failure() -> None:
        raise RuntimeError("a failure no handler expects")

    async with api_client(app) as client:
        response = await client.get("/test-only/failure", headers={"X-Request-ID": "trace-me-1"})
        assert response.status_code == 500
        assert response.headers["x-request-id"] == "trace-me-1"
        unnamed = await client.get("/test-only/failure")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    failures = [line for line in lines if line["event"] == "unhandled error"]
    assert [line.get("request_id") for line in failures] == ["trace-me-1", unnamed.headers["x-request-id"]]
    assert "RuntimeError: a failure no handler expects" in failures[0]["exception"]
    # The client's own lines, logged after each answer, are outside the request: the id does not linger.
    client_lines = [line for line in lines if line["logger"] == "httpx"]
    assert len(client_lines) == 2 and all("request_id" not in line for line in client_lines)
