"""The benchmark scenarios. Adding one is a few lines: a name, a method, the path, the bodies, and a setup that
prepares what it needs through the API (never through the database, so every scenario also works on a dataset
another tool built)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    # At most this many connections, for requests so slow that a full set would only measure the queue.
    connections: int | None = None


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
    Scenario(f"bulk update {BULK_SIZE} cases", "POST", lambda ctx: "/api/v1/cases/bulk", _bulk_bodies, _bulk_cases, connections=4)
)


def selected(names: list[str] | None) -> list[Scenario]:
    """The scenarios named (all when none is), in registry order; an unknown name is an error."""
    if not names:
        return list(SCENARIOS)
    known = {s.name for s in SCENARIOS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [s for s in SCENARIOS if s.name in names]
