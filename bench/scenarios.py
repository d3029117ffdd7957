"""The benchmark scenarios. Adding one is a few lines: a name, a method, the path, the bodies, and a setup that
prepares what it needs through the API (never through the database, so every scenario also works on a dataset
another tool built)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

# What setups leave for paths and bodies: ids and keys by name.
Context = dict[str, Any]
Setup = Callable[[httpx.Client, Context], None]


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    # The request path from the context, e.g. lambda ctx: f"/api/v1/cases/{ctx['case_id']}".
    path: Callable[[Context], str]
    # JSON bodies sent in turn (several, so repeated updates alternate); none for GET.
    bodies: Callable[[Context], list[Any]] = lambda ctx: []
    setup: Setup | None = None
    # At most this many connections: few for slow requests (a full set would only measure the queue), one where
    # the target is single-client latency.
    connections: int | None = None
    # Runs on the seeded workspace (`--dataset N`) with its token; skipped without a dataset.
    dataset: bool = False
    # One request path per body, sent in turn with it, when each request needs its own target (a fresh case).
    paths: Callable[[Context], list[str]] | None = None
    # A reference: the path is on the floor app (bench/floor.py), to show what the stack's parts cost.
    on_floor: bool = False
    # The Authorization scheme the casework token is sent with (a dialect's: Kibana takes `ApiKey`).
    auth_scheme: str = "Bearer"
    # Headers every request carries besides (Kibana's kbn-xsrf on writes).
    headers: tuple[tuple[str, str], ...] = ()
    # A dialect's scenario names the native scenario doing the same work: the report shows the ratio of their
    # req/s in the same run, and selecting the one runs the other too.
    counterpart: str | None = None


SCENARIOS: list[Scenario] = []


def register(scenario: Scenario) -> Scenario:
    if any(s.name == scenario.name for s in SCENARIOS):
        raise ValueError(f"scenario {scenario.name!r} is registered twice")
    SCENARIOS.append(scenario)
    return scenario


def create_case(client: httpx.Client, title: str) -> dict[str, Any]:
    response = client.post("/api/v1/cases", json={"title": title, "description": "Benchmark case."})
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def _one_case(client: httpx.Client, ctx: Context) -> None:
    case = create_case(client, "Read me")
    ctx["case_id"], ctx["case_key"] = case["id"], case["key"]


def _empty_case(client: httpx.Client, ctx: Context) -> None:
    ctx["comment_case_id"] = create_case(client, "Comment on me")["id"]


BULK_SIZE = 100
PRIORITIES = ["P1", "P2", "P3", "P4", "P5"]


def _bulk_cases(client: httpx.Client, ctx: Context) -> None:
    ctx["bulk_ids"] = [create_case(client, f"Bulk {i}")["id"] for i in range(BULK_SIZE)]


def _bulk_bodies(ctx: Context) -> list[Any]:
    # One body per priority, sent in turn, so every request changes all 100 cases.
    return [{"items": [{"id": case_id, "changes": {"priority": p}} for case_id in ctx["bulk_ids"]]} for p in PRIORITIES]


def _create_bodies(ctx: Context) -> list[Any]:
    return [{"title": f"Benchmark case {p}", "priority": p, "tags": ["bench"]} for p in PRIORITIES]


# References on the floor app: one row by primary key, with sqlite3, as a SQLAlchemy ORM entity and as a Core row
# (no auth), then after a token check; and a write: the token check, then a row and an entry in one transaction.
register(Scenario("stack: sqlite3 row by key", "GET", lambda ctx: "/floor/sqlite-row", on_floor=True))
register(Scenario("stack: ORM row by key", "GET", lambda ctx: "/floor/orm-row", on_floor=True))
register(Scenario("stack: Core row by key", "GET", lambda ctx: "/floor/core-row", on_floor=True))
register(Scenario("stack: token check + Core row", "GET", lambda ctx: "/floor/token-core-row", on_floor=True))
register(Scenario("stack: token check + Core write", "POST", lambda ctx: "/floor/token-core-write", _create_bodies,
                  on_floor=True))  # fmt: skip
register(Scenario("create case", "POST", lambda ctx: "/api/v1/cases", _create_bodies))
register(Scenario("get case by id", "GET", lambda ctx: f"/api/v1/cases/{ctx['case_id']}", setup=_one_case))
register(Scenario("get case by key", "GET", lambda ctx: f"/api/v1/cases/{ctx['case_key']}", setup=_one_case))
register(
    Scenario(
        "comment on an empty case",
        "POST",
        lambda ctx: f"/api/v1/cases/{ctx['comment_case_id']}/comments",
        lambda ctx: [{"body": "A benchmark comment."}],
        setup=_empty_case,
    )
)
register(
    Scenario(
        f"bulk update {BULK_SIZE} cases",
        "POST",
        lambda ctx: "/api/v1/cases/bulk",
        _bulk_bodies,
        _bulk_cases,
        connections=4,
    )
)

# The same work through the native API and the Kibana dialect (issue 12: each Kibana scenario within 0.8 × its
# native counterpart's req/s in the same run). An alert goes to fresh cases, a few alerts each, so that neither
# runs into the 1,000-alert cap and Kibana's answer (the case with all its attachments) stays small.
ALERTS_PER_CASE = 10
ALERT_REQUESTS_PER_SECOND = 500
KIBANA = "/kibana/api/cases"
KIBANA_HEADERS = (("kbn-xsrf", "bench"),)
FIND_PAGE = 20


def _alert_cases(key: str) -> Setup:
    def setup(client: httpx.Client, ctx: Context) -> None:
        requests = (ctx["duration"] + ctx["warmup"] + 1) * ALERT_REQUESTS_PER_SECOND
        ctx[key] = [create_case(client, f"Alerts {i}")["id"] for i in range(-(-requests // ALERTS_PER_CASE))]

    return setup


def _alert_ids(ctx: Context, key: str) -> list[tuple[str, str]]:
    """(case id, alert id) for each request: ALERTS_PER_CASE distinct alerts on each case in turn."""
    return [(case_id, f"bench-{ctx['run_id']}-{case_id}-{n}") for case_id in ctx[key] for n in range(ALERTS_PER_CASE)]


def _kibana_create_bodies(ctx: Context) -> list[Any]:
    return [
        {
            "title": f"Benchmark case {severity}",
            "description": "Benchmark case.",
            "tags": ["bench"],
            "severity": severity,
            "owner": "cases",
            "connector": {"id": "none", "name": "none", "type": ".none", "fields": None},
            "settings": {"syncAlerts": False},
        }
        for severity in ("low", "medium", "high", "critical")
    ]


def _kibana_alert_bodies(ctx: Context) -> list[Any]:
    rule = {"id": "bench-rule", "name": "Benchmark rule"}
    return [
        {"type": "alert", "alertId": alert, "index": "bench", "rule": rule, "owner": "cases"}
        for _case, alert in _alert_ids(ctx, "kibana_alert_ids")
    ]


register(
    Scenario(
        "attach an alert",
        "POST",
        lambda ctx: f"/api/v1/cases/{ctx['alert_ids'][0]}/alerts",
        lambda ctx: [{"alert_ids": alert, "indexes": "bench"} for _case, alert in _alert_ids(ctx, "alert_ids")],
        _alert_cases("alert_ids"),
        paths=lambda ctx: [f"/api/v1/cases/{case}/alerts" for case, _alert in _alert_ids(ctx, "alert_ids")],
    )
)
register(Scenario(f"list page 1 of {FIND_PAGE} with status counts", "GET",
                  lambda ctx: cases_path(page=1, per_page=FIND_PAGE, status_counts="true")))  # fmt: skip
register(
    Scenario(
        "kibana: create", "POST", lambda ctx: KIBANA, _kibana_create_bodies,
        auth_scheme="ApiKey", headers=KIBANA_HEADERS, counterpart="create case",
    )
)  # fmt: skip
register(
    Scenario(
        "kibana: add alert comment",
        "POST",
        lambda ctx: f"{KIBANA}/{ctx['kibana_alert_ids'][0]}/comments",
        _kibana_alert_bodies,
        _alert_cases("kibana_alert_ids"),
        paths=lambda ctx: [f"{KIBANA}/{case}/comments" for case, _alert in _alert_ids(ctx, "kibana_alert_ids")],
        auth_scheme="ApiKey",
        headers=KIBANA_HEADERS,
        counterpart="attach an alert",
    )
)
register(
    Scenario(
        f"kibana: _find page 1 of {FIND_PAGE}", "GET", lambda ctx: f"{KIBANA}/_find?page=1&perPage={FIND_PAGE}",
        auth_scheme="ApiKey", counterpart=f"list page 1 of {FIND_PAGE} with status counts",
    )
)  # fmt: skip


# The same work through the native API and the Datadog dialect (issue 13: each within 0.8 × its native
# counterpart's req/s in the same run). The dialect reads the token as `Authorization: Bearer` too.
DATADOG = "/datadog/api/v2/cases"
DATADOG_PAGE = 10  # Datadog's default page[size]
STANDARD_TYPE_ID = "00000000-0000-0000-0000-000000000001"


def _datadog_create_bodies(ctx: Context) -> list[Any]:
    return [
        {
            "data": {
                "type": "case",
                "attributes": {"title": f"Benchmark case {p}", "type_id": STANDARD_TYPE_ID, "priority": p},
            }
        }
        for p in PRIORITIES
    ]


def _some_cases(client: httpx.Client, ctx: Context) -> None:
    for i in range(DATADOG_PAGE + 1):
        create_case(client, f"Listed {i}")


register(Scenario("datadog: create", "POST", lambda ctx: DATADOG, _datadog_create_bodies, counterpart="create case"))
register(Scenario(f"list page 1 of {DATADOG_PAGE} by number", "GET",
                  lambda ctx: cases_path(sort="created", page=1, per_page=DATADOG_PAGE),
                  setup=_some_cases))  # fmt: skip
register(Scenario("datadog: search page 1", "GET",
                  lambda ctx: f"{DATADOG}?page%5Bsize%5D={DATADOG_PAGE}&page%5Bnumber%5D=1", setup=_some_cases,
                  counterpart=f"list page 1 of {DATADOG_PAGE} by number"))  # fmt: skip

# 100 insights added to a fresh case each request (Datadog's answer lists every insight of the case, so a case that
# grew across requests would time a longer answer each time). Past the cases the requests wrap around to full ones.
INSIGHTS_PER_REQUEST = 100
INSIGHT_REQUESTS_PER_SECOND = 200
INSIGHTS = [
    {"type": "MONITOR", "resource_id": str(n), "ref": f"/monitors/{n}?q=total"} for n in range(INSIGHTS_PER_REQUEST)
]


def _insight_cases(key: str) -> Setup:
    def setup(client: httpx.Client, ctx: Context) -> None:
        count = (ctx["duration"] + ctx["warmup"] + 1) * INSIGHT_REQUESTS_PER_SECOND
        ctx[key] = [create_case(client, f"Insights {i}")["id"] for i in range(count)]

    return setup


register(
    Scenario(
        f"add {INSIGHTS_PER_REQUEST} insights",
        "POST",
        lambda ctx: f"/api/v1/cases/{ctx['native_insight_ids'][0]}/insights",
        lambda ctx: [{"insights": INSIGHTS}] * len(ctx["native_insight_ids"]),
        _insight_cases("native_insight_ids"),
        connections=4,
        paths=lambda ctx: [f"/api/v1/cases/{case_id}/insights" for case_id in ctx["native_insight_ids"]],
    )
)
register(
    Scenario(
        f"datadog: add {INSIGHTS_PER_REQUEST} insights",
        "PUT",
        lambda ctx: f"{DATADOG}/{ctx['datadog_insight_ids'][0]}/insights",
        lambda ctx: (
            [{"data": {"type": "case", "attributes": {"insights": INSIGHTS}}}] * len(ctx["datadog_insight_ids"])
        ),
        _insight_cases("datadog_insight_ids"),
        connections=4,
        paths=lambda ctx: [f"{DATADOG}/{case_id}/insights" for case_id in ctx["datadog_insight_ids"]],
        counterpart=f"add {INSIGHTS_PER_REQUEST} insights",
    )
)

# Seeded data: ctx["dataset"] is `casework seed-data --json`'s object (token, hot_cases, quiet_case, alerts).
LIST_PAGE = 50
DEEP_PAGES = 20
ALERTS_PER_REQUEST = 1000  # the per-request and per-case cap (casework.alerts.schemas)
# Fresh cases for the attach scenario: one per request, enough for warm-up and run at up to 100 requests a second
# (an attach takes 10-40 ms). Past them the requests wrap around to full cases and would time duplicates only.
ATTACH_REQUESTS_PER_SECOND = 100


def cases_path(**params: Any) -> str:
    return "/api/v1/cases?" + urlencode(params, doseq=True)


def _get(client: httpx.Client, path: str) -> dict[str, Any]:
    response = client.get(path)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def filtered_list_params(items: list[dict[str, Any]]) -> dict[str, Any]:
    """status + assignee + tag of a case that has both, so the filtered list is never empty."""
    for item in items:
        if item["assignees"] and item["tags"]:
            return {"status": item["status"], "assignee": item["assignees"][0], "tag": item["tags"][0]}
    raise ValueError("no case with an assignee and a tag in the first page: cannot build the filtered list")


def _filtered_list(client: httpx.Client, ctx: Context) -> None:
    page = _get(client, cases_path(status="open", limit=LIST_PAGE))
    ctx["filtered_list"] = cases_path(**filtered_list_params(page["items"]), sort="updated", limit=LIST_PAGE)


def _deep_page(client: httpx.Client, ctx: Context) -> None:
    path = cases_path(sort="updated", limit=LIST_PAGE)
    for _ in range(DEEP_PAGES):
        cursor = _get(client, path)["next_cursor"]
        if cursor is None:
            raise ValueError(f"fewer than {DEEP_PAGES + 1} pages of cases: seed a larger dataset")
        path = cases_path(sort="updated", limit=LIST_PAGE, cursor=cursor)
    ctx["deep_page"] = path


def attach_bodies(count: int, prefix: str) -> list[dict[str, Any]]:
    """`count` bodies of ALERTS_PER_REQUEST alerts each, no alert id repeated, so each adds a full set."""
    bodies = []
    for n in range(count):
        ids = [f"{prefix}-{n}-{i}" for i in range(ALERTS_PER_REQUEST)]
        bodies.append({"alert_ids": ids, "indexes": ["bench"] * ALERTS_PER_REQUEST})
    return bodies


def _attach_cases(client: httpx.Client, ctx: Context) -> None:
    count = (ctx["duration"] + ctx["warmup"] + 1) * ATTACH_REQUESTS_PER_SECOND
    ctx["attach_ids"] = [create_case(client, f"Attach {i}")["id"] for i in range(count)]


def _attach_bodies(ctx: Context) -> list[Any]:
    return attach_bodies(len(ctx["attach_ids"]), f"bench-{ctx['run_id']}")


def _comment(ctx: Context) -> list[Any]:
    return [{"body": "A benchmark comment."}]


register(Scenario("list 50 by status+assignee+tag", "GET", lambda ctx: ctx["filtered_list"], setup=_filtered_list,
                  connections=1, dataset=True))  # fmt: skip
register(Scenario(f"list page {DEEP_PAGES + 1} by cursor", "GET", lambda ctx: ctx["deep_page"], setup=_deep_page,
                  connections=1, dataset=True))  # fmt: skip

# Finding cases (issue 11): the deepest numbered page (page × per_page = 10,000) and the status-group counts, from
# the project's counters (no filter) and from one assignee's (as a "my cases" view asks).
NUMBERED_PAGE = 200


def _numbered_page(client: httpx.Client, ctx: Context) -> None:
    ctx["numbered_page"] = cases_path(sort="updated", page=NUMBERED_PAGE, per_page=LIST_PAGE)
    if not _get(client, ctx["numbered_page"])["items"]:
        raise ValueError(f"fewer than {NUMBERED_PAGE * LIST_PAGE} cases: seed a larger dataset")


def _assignee_counts(client: httpx.Client, ctx: Context) -> None:
    page = _get(client, cases_path(status="open", limit=LIST_PAGE))
    assignee = next((item["assignees"][0] for item in page["items"] if item["assignees"]), None)
    if assignee is None:
        raise ValueError("no assigned case in the first page: cannot build the counted list")
    ctx["assignee_counts"] = cases_path(assignee=assignee, status="open", status_counts="true", limit=LIST_PAGE)


register(Scenario(f"list page {NUMBERED_PAGE} by number", "GET", lambda ctx: ctx["numbered_page"],
                  setup=_numbered_page, connections=1, dataset=True))  # fmt: skip
register(Scenario("list 50 with status counts", "GET",
                  lambda ctx: cases_path(status="open", status_counts="true", count="true", limit=LIST_PAGE),
                  connections=1, dataset=True))  # fmt: skip
register(Scenario("list 50 by assignee with status counts", "GET", lambda ctx: ctx["assignee_counts"],
                  setup=_assignee_counts, connections=1, dataset=True))  # fmt: skip

# A topic an analyst looks up: in the text or a comment of about 9% of the seeded cases (92,177 of 1,000,000), far
# more than a page, far fewer than all (casework.seed's words follow Zipf's law).
SEARCH_WORDS = "ransomware"


def _text_search(client: httpx.Client, ctx: Context) -> None:
    ctx["text_search"] = cases_path(q=SEARCH_WORDS, sort="updated", limit=LIST_PAGE)
    if not _get(client, ctx["text_search"])["items"]:
        raise ValueError(f"no case matches {SEARCH_WORDS!r}: not a dataset of casework seed-data")


register(Scenario("search 50 by text", "GET", lambda ctx: ctx["text_search"], setup=_text_search, connections=1,
                  dataset=True))  # fmt: skip


def _hot_comments(ctx: Context) -> str:
    return f"/api/v1/cases/{ctx['dataset']['hot_cases'][0]}/comments"  # the first hot case has the 10,000


def _quiet_comments(ctx: Context) -> str:
    return f"/api/v1/cases/{ctx['dataset']['quiet_case']}/comments"


register(Scenario("comment on the 10,000-comment case", "POST", _hot_comments, _comment, connections=1, dataset=True))
register(Scenario("comment on the seeded empty case", "POST", _quiet_comments, _comment, connections=1, dataset=True))
register(
    Scenario("cases of an alert id", "GET", lambda ctx: "/api/v1/alerts/alert-0/cases", connections=1, dataset=True)
)
register(
    Scenario(
        f"attach {ALERTS_PER_REQUEST} alerts",
        "POST",
        lambda ctx: f"/api/v1/cases/{ctx['attach_ids'][0]}/alerts",
        _attach_bodies,
        _attach_cases,
        connections=1,
        dataset=True,
        paths=lambda ctx: [f"/api/v1/cases/{case_id}/alerts" for case_id in ctx["attach_ids"]],
    )
)


def split_by_dataset(scenarios: list[Scenario], has_dataset: bool) -> tuple[list[Scenario], list[Scenario]]:
    """(to run, skipped): scenarios on seeded data need a dataset."""
    skipped = [s for s in scenarios if s.dataset and not has_dataset]
    return [s for s in scenarios if s not in skipped], skipped


def selected(names: list[str] | None) -> list[Scenario]:
    """The scenarios named (all when none is) and their native counterparts, in registry order; an unknown name is
    an error."""
    if not names:
        return list(SCENARIOS)
    known = {s.name for s in SCENARIOS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    wanted = set(names) | {s.counterpart for s in SCENARIOS if s.name in names and s.counterpart}
    return [s for s in SCENARIOS if s.name in wanted]
