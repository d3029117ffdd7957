"""GET /cases: filters, sorting, keyset pagination, counting, and the tenant boundary."""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from casework.cases import search
from tests.conftest import Member, Tenant
from tests.helpers import assert_problem, create, patch

PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5, None: 6}


# Helpers


async def listing(client: httpx.AsyncClient, params: Any = None) -> dict[str, Any]:
    response = await client.get("/cases", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def assert_refused(client: httpx.AsyncClient, params: Any, field: str, *, nested: bool = False) -> None:
    """The list refuses these parameters with a 422 that names `field`."""
    assert_problem(await client.get("/cases", params=params), 422, field, nested=nested)


async def keys(client: httpx.AsyncClient, params: Any = None) -> list[str]:
    """Keys of every matching case, in list order (one page of up to 500)."""
    if isinstance(params, dict):
        params = list(params.items())
    page = await listing(client, [*(params or []), ("limit", 500)])
    assert page["next_cursor"] is None
    return [c["key"] for c in page["items"]]


async def key_set(client: httpx.AsyncClient, params: Any = None) -> set[str]:
    found = await keys(client, params)
    assert len(found) == len(set(found)), f"a case listed twice: {found}"
    return set(found)


async def walk(client: httpx.AsyncClient, params: list[tuple[str, Any]], between=None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every item of every page, following next_cursor; `between` runs after each page."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        page = await listing(client, [*params, *([("cursor", cursor)] if cursor else [])])
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert page["items"], "a page with a next_cursor must not be empty"
        if between is not None:
            await between()
    raise AssertionError("pagination did not end")


def sort_key(case: dict[str, Any], sort: str) -> tuple[Any, int]:
    value = {
        "number": case["number"],
        "created": case["created_at"],
        "updated": case["updated_at"],
        "priority": PRIORITY_RANK[case["priority"]],
    }[sort]
    return value, uuid.UUID(case["id"]).int


def forged_cursor(values: Any) -> str:
    """A cursor as the server encodes them (base64url of a JSON list), with any content."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# A dataset with distinct properties


@dataclass
class Dataset:
    tenant: Tenant
    alice: Member
    bob: Member
    ops_id: str
    cases: dict[str, dict[str, Any]]

    def keys(self, *names: str) -> set[str]:
        return {self.cases[n]["key"] for n in names}


# Created in this order, by the admin unless `author` names someone; `author` and `assignees` name people.
DATASET: dict[str, dict[str, Any]] = {
    "phish": {
        "title": "Phishing email from the CEO",
        "description": "Wire transfer request, urgent",
        "status": "open", "priority": "P1", "severity": "high",
        "assignees": ["alice"], "tags": ["phishing", "email"],
    },
    "malware": {
        "title": "Malware on a laptop",
        "description": "The dropper pins the CPU at 100% all day",
        "status": "in_progress", "priority": "P3", "severity": "critical",
        "assignees": ["alice", "bob"], "tags": ["malware"],
    },
    "badge": {
        "author": "bob",
        "title": "Lost badge",
        "description": "Reported by username jdoe",
        "status": "closed", "severity": "low",
        "tags": ["physical"], "project": "OPS",
    },
    "login": {
        "title": "Suspicious login",
        "description": "1000 failed attempts for user_name admin",
        "status": "open", "priority": "P2", "severity": "medium",
        "assignees": ["bob"], "tags": ["email", "account"], "project": "OPS",
    },
    "dropper": {"title": "Dropper found in C:\\Temp\\x", "status": "in_progress", "priority": "P5", "severity": "medium"},
    "archived": {
        "title": "Old phishing wave",
        "status": "open", "priority": "P1", "severity": "high",
        "assignees": ["alice"], "tags": ["phishing"],
    },
}


@pytest.fixture
async def data(client: httpx.AsyncClient, tenant: Tenant) -> Dataset:
    people = {"alice": tenant.add_member("agent"), "bob": tenant.add_member("agent")}
    ops = await client.post("/projects", json={"key": "OPS", "name": "Operations"})
    assert ops.status_code == 201, ops.text
    # Some tests change the closed case.
    assert (await client.patch("/projects/OPS", json={"closed_read_only": False})).status_code == 200
    cases = {}
    for name, spec in DATASET.items():
        fields = {k: v for k, v in spec.items() if k != "author"}
        if "assignees" in fields:
            fields["assignees"] = [str(people[p].id) for p in fields["assignees"]]
        author = people[spec["author"]].headers if "author" in spec else None
        cases[name] = await create(client, author, **fields)
    archived = await client.delete(f"/cases/{cases['archived']['id']}")
    assert archived.status_code == 204, archived.text
    # Creation times must be distinct for the date filters to tell the cases apart.
    created = [c["created_at"] for c in cases.values()]
    assert len(set(created)) == len(created)
    return Dataset(tenant, people["alice"], people["bob"], ops.json()["id"], cases)


# Filters


@pytest.fixture(params=["small sets drive", "mixed", "large sets"])
def membership_strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite, assignee and tag filters drive the query from a small set, intersect large ones, or walk the sort
    index with one large set (casework.cases.search.SMALL_SET decides); each must give the same cases."""
    threshold = {"small sets drive": search.SMALL_SET, "mixed": 2, "large sets": 0}[request.param]
    monkeypatch.setattr(search, "SMALL_SET", threshold)


async def test_default_list_excludes_archived_cases_and_returns_every_live_one(client, data):
    assert await key_set(client) == data.keys("phish", "malware", "badge", "login", "dropper")


async def test_archived_filter_include_and_only(client, data):
    everything = data.keys("phish", "malware", "badge", "login", "dropper", "archived")
    assert await key_set(client, {"archived": "exclude"}) == everything - data.keys("archived")
    assert await key_set(client, {"archived": "include"}) == everything
    assert await key_set(client, {"archived": "only"}) == data.keys("archived")


async def test_restored_case_is_listed_again_and_not_under_archived_only(client, data):
    restored = await client.post(f"/cases/{data.cases['archived']['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert data.cases["archived"]["key"] in await key_set(client)
    assert await key_set(client, {"archived": "only"}) == set()


async def test_status_filter_one_and_several(client, data):
    assert await key_set(client, {"status": "open"}) == data.keys("phish", "login")
    assert await key_set(client, {"status": "closed"}) == data.keys("badge")
    assert await key_set(client, [("status", "open"), ("status", "closed")]) == data.keys("phish", "login", "badge")


async def test_priority_filter_including_none(client, data):
    assert await key_set(client, {"priority": "P1"}) == data.keys("phish")
    assert await key_set(client, [("priority", "P1"), ("priority", "P2")]) == data.keys("phish", "login")
    assert await key_set(client, {"priority": "none"}) == data.keys("badge")
    assert await key_set(client, [("priority", "none"), ("priority", "P5")]) == data.keys("badge", "dropper")
    assert await key_set(client, {"priority": "P4"}) == set()


async def test_severity_filter(client, data):
    assert await key_set(client, {"severity": "critical"}) == data.keys("malware")
    assert await key_set(client, [("severity", "medium"), ("severity", "low")]) == data.keys("login", "dropper", "badge")


async def test_assignee_filter_matches_any_of_the_given_users(client, data, membership_strategy):
    alice, bob = str(data.alice.id), str(data.bob.id)
    assert await key_set(client, {"assignee": alice}) == data.keys("phish", "malware")
    assert await key_set(client, {"assignee": bob}) == data.keys("malware", "login")
    assert await key_set(client, [("assignee", alice), ("assignee", bob)]) == data.keys("phish", "malware", "login")
    assert await key_set(client, {"assignee": str(data.tenant.admin.id)}) == set()


async def test_assignee_filter_follows_reassignment(client, data, membership_strategy):
    await patch(client, data.cases["dropper"], {"assignees": [str(data.bob.id)]})
    await patch(client, data.cases["login"], {"assignees": []})
    assert await key_set(client, {"assignee": str(data.bob.id)}) == data.keys("malware", "dropper")
    assert await key_set(client, {"unassigned": "true"}) == data.keys("badge", "login")


async def test_unassigned_filter(client, data):
    assert await key_set(client, {"unassigned": "true"}) == data.keys("badge", "dropper")
    assert await key_set(client, {"unassigned": "false"}) == await key_set(client)


async def test_unassigned_with_assignees_is_either(client, data):
    params = [("unassigned", "true"), ("assignee", str(data.alice.id))]
    assert await key_set(client, params) == data.keys("badge", "dropper", "phish", "malware")


async def test_tag_filter_requires_all_given_tags(client, data, membership_strategy):
    assert await key_set(client, {"tag": "email"}) == data.keys("phish", "login")
    assert await key_set(client, [("tag", "email"), ("tag", "phishing")]) == data.keys("phish")
    assert await key_set(client, [("tag", "email"), ("tag", "malware")]) == set()
    assert await key_set(client, {"tag": "Email"}) == set()


async def test_tag_any_filter_requires_one_of_the_given_tags(client, data, membership_strategy):
    assert await key_set(client, [("tag_any", "malware"), ("tag_any", "physical")]) == data.keys("malware", "badge")
    assert await key_set(client, [("tag_any", "email"), ("tag_any", "phishing")]) == data.keys("phish", "login")
    assert await key_set(client, {"tag_any": "nothing-has-this"}) == set()


async def test_tag_none_filter_excludes_every_given_tag(client, data):
    assert await key_set(client, {"tag_none": "email"}) == data.keys("malware", "badge", "dropper")
    assert await key_set(client, [("tag_none", "email"), ("tag_none", "malware")]) == data.keys("badge", "dropper")
    assert await key_set(client, {"tag_none": "nothing-has-this"}) == await key_set(client)


async def test_tag_filters_follow_tag_changes(client, data, membership_strategy):
    await patch(client, data.cases["phish"], {"tags": ["email", "bec"]})
    assert await key_set(client, {"tag": "phishing"}) == set()
    assert await key_set(client, [("tag", "email"), ("tag", "bec")]) == data.keys("phish")
    assert await key_set(client, {"tag_none": "bec"}) == data.keys("malware", "badge", "login", "dropper")


async def test_author_filter(client, data):
    assert await key_set(client, {"author": str(data.bob.id)}) == data.keys("badge")
    admin_cases = data.keys("phish", "malware", "login", "dropper")
    assert await key_set(client, {"author": str(data.tenant.admin.id)}) == admin_cases
    assert await key_set(client, {"author": str(data.alice.id)}) == set()


async def test_project_filter_by_key_case_insensitively_and_by_id(client, data):
    ops = data.keys("badge", "login")
    assert await key_set(client, {"project": "OPS"}) == ops
    assert await key_set(client, {"project": "ops"}) == ops
    assert await key_set(client, {"project": data.ops_id}) == ops
    sec = str(data.tenant.project_id)
    assert await key_set(client, {"project": sec}) == data.keys("phish", "malware", "dropper")


async def test_project_filter_with_unknown_project_is_not_found(client, data):
    assert_problem(await client.get("/cases", params={"project": "NOPE"}), 404)


async def test_created_after_is_inclusive_and_created_before_is_exclusive(client, data):
    login_created = data.cases["login"]["created_at"]
    assert await key_set(client, {"created_after": login_created}) == data.keys("login", "dropper")
    assert await key_set(client, {"created_before": login_created}) == data.keys("phish", "malware", "badge")
    window = {"created_after": data.cases["malware"]["created_at"], "created_before": login_created}
    assert await key_set(client, window) == data.keys("malware", "badge")


async def test_date_filters_accept_other_utc_offsets(client, data):
    login_created = datetime.fromisoformat(data.cases["login"]["created_at"])
    shifted = login_created.astimezone(timezone(timedelta(hours=-5))).isoformat()
    assert await key_set(client, {"created_after": shifted}) == data.keys("login", "dropper")
    assert await key_set(client, {"created_before": shifted}) == data.keys("phish", "malware", "badge")


async def test_updated_after_and_before_follow_the_latest_change(client, data):
    before_updates = data.cases["archived"]["created_at"]
    changed_badge = await patch(client, data.cases["badge"], {"severity": "high"})
    changed_phish = await patch(client, data.cases["phish"], {"severity": "low"})
    assert await key_set(client, {"updated_after": changed_badge["updated_at"]}) == data.keys("badge", "phish")
    assert await key_set(client, {"updated_after": changed_phish["updated_at"]}) == data.keys("phish")
    assert await key_set(client, {"updated_before": changed_badge["updated_at"]}) == data.keys(
        "malware", "login", "dropper"
    )
    assert await key_set(client, {"updated_before": before_updates}) == data.keys("malware", "login", "dropper")


async def test_naive_or_malformed_datetimes_are_refused(client, data):
    for field in ("created_after", "created_before", "updated_after", "updated_before"):
        await assert_refused(client, {field: "2024-01-01T00:00:00"}, field)
        await assert_refused(client, {field: "yesterday"}, field)


async def test_invalid_enum_filters_are_refused(client, data):
    # A filter that may repeat is named by its position, like `status.0`.
    await assert_refused(client, {"status": "frozen"}, "status")
    await assert_refused(client, {"priority": "P6"}, "priority", nested=True)
    await assert_refused(client, {"severity": "urgent"}, "severity", nested=True)
    await assert_refused(client, {"archived": "yes"}, "archived")
    await assert_refused(client, {"assignee": "bob"}, "assignee", nested=True)
    await assert_refused(client, {"author": "bob"}, "author", nested=True)


async def test_q_matches_title_and_description_case_insensitively(client, data):
    assert await key_set(client, {"q": "PHISHING"}) == data.keys("phish")
    assert await key_set(client, {"q": "phishing", "archived": "include"}) == data.keys("phish", "archived")
    assert await key_set(client, {"q": "cpu"}) == data.keys("malware")
    assert await key_set(client, {"q": "dropper"}) == data.keys("malware", "dropper")
    assert await key_set(client, {"q": "ransom"}) == set()


async def test_q_is_case_insensitive_beyond_ascii(client):
    accented = await create(client, title="Ärger in der ÉCOLE", description="Überweisung")
    await create(client, title="Other case", description="nothing to see")
    for q in ("ärger", "ÄRGER", "école", "École", "überweisung", "ÜBERWEISUNG"):
        assert await key_set(client, {"q": q}) == {accented["key"]}, q


async def test_q_must_not_be_empty_or_too_long(client, data):
    await assert_refused(client, {"q": ""}, "q")
    await assert_refused(client, {"q": "x" * 201}, "q")


async def test_filters_combine_with_and(client, data, membership_strategy):
    alice, bob = str(data.alice.id), str(data.bob.id)
    assert await key_set(client, {"status": "open", "tag": "email"}) == data.keys("phish", "login")
    assert await key_set(client, {"status": "open", "tag": "email", "assignee": bob}) == data.keys("login")
    assert await key_set(client, {"project": "OPS", "unassigned": "true"}) == data.keys("badge")
    assert await key_set(client, {"severity": "medium", "priority": "P5"}) == data.keys("dropper")
    assert await key_set(client, {"assignee": alice, "tag_none": "phishing"}) == data.keys("malware")
    assert await key_set(client, {"q": "phishing", "status": "closed"}) == set()
    assert await key_set(client, {"tag": "phishing", "archived": "only"}) == data.keys("archived")
    assert await key_set(client, {"tag_any": "email", "project": "OPS", "priority": "P2"}) == data.keys("login")
    combined = {"created_after": data.cases["malware"]["created_at"], "status": "in_progress"}
    assert await key_set(client, combined) == data.keys("malware", "dropper")


# Sorting


async def test_default_order_is_updated_descending(client, data):
    await patch(client, data.cases["login"], {"severity": "low"})
    await patch(client, data.cases["phish"], {"severity": "low"})
    listed = await keys(client)
    expected = ["phish", "login", "dropper", "badge", "malware"]
    assert listed == [data.cases[n]["key"] for n in expected]
    assert await keys(client, {"sort": "updated", "order": "desc"}) == listed
    assert await keys(client, {"sort": "updated", "order": "asc"}) == listed[::-1]


async def test_sort_by_number_and_created(client, data):
    by_creation = [data.cases[n]["key"] for n in ("phish", "malware", "badge", "login", "dropper")]
    await patch(client, data.cases["phish"], {"severity": "low"})  # updates must not move cases in these orders
    assert await keys(client, {"sort": "number", "order": "asc"}) == by_creation
    assert await keys(client, {"sort": "number", "order": "desc"}) == by_creation[::-1]
    assert await keys(client, {"sort": "created", "order": "asc"}) == by_creation
    assert await keys(client, {"sort": "created", "order": "desc"}) == by_creation[::-1]
    assert await keys(client, {"sort": "number"}) == by_creation[::-1]  # order defaults to desc


async def test_sort_by_priority_puts_p1_first_and_no_priority_last_ascending(client):
    priorities = ["P3", None, "P1", "P5", "P2", None, "P1", "P4", "P3"]
    cases = [await create(client, title=f"case {i}", priority=p) for i, p in enumerate(priorities)]
    asc = await listing(client, {"sort": "priority", "order": "asc", "limit": 500})
    listed = [c["priority"] for c in asc["items"]]
    assert listed == ["P1", "P1", "P2", "P3", "P3", "P4", "P5", None, None]
    expected = sorted(cases, key=lambda c: sort_key(c, "priority"))
    assert [c["id"] for c in asc["items"]] == [c["id"] for c in expected]
    desc = await listing(client, {"sort": "priority", "order": "desc", "limit": 500})
    assert [c["id"] for c in desc["items"]] == [c["id"] for c in expected][::-1]


async def test_sort_by_priority_follows_priority_changes(client):
    low = await create(client, title="low", priority="P4")
    high = await create(client, title="high", priority="P2")
    unset = await create(client, title="unset")
    await patch(client, low, {"priority": "P1"})
    await patch(client, high, {"priority": None})
    listed = await listing(client, {"sort": "priority", "order": "asc"})
    assert [c["id"] for c in listed["items"]][0] == low["id"]
    assert {c["id"] for c in listed["items"][1:]} == {high["id"], unset["id"]}
    assert [c["priority"] for c in listed["items"]] == ["P1", None, None]


async def test_invalid_sort_or_order_is_refused(client, data):
    await assert_refused(client, {"sort": "name"}, "sort")
    await assert_refused(client, {"order": "up"}, "order")


# Pagination


async def test_limit_bounds(client, data):
    for limit in (0, 501, -1, "ten"):
        await assert_refused(client, {"limit": limit}, "limit")
    assert len((await listing(client, {"limit": 1}))["items"]) == 1
    assert len((await listing(client, {"limit": 500}))["items"]) == 5


async def test_default_limit_is_fifty(client):
    for i in range(51):
        await create(client, title=f"case {i}")
    page = await listing(client)
    assert len(page["items"]) == 50
    assert page["next_cursor"] is not None
    rest = await listing(client, {"cursor": page["next_cursor"]})
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None


async def test_next_cursor_is_null_on_the_last_page(client, data):
    assert (await listing(client, {"limit": 5}))["next_cursor"] is None
    assert (await listing(client, {"limit": 6}))["next_cursor"] is None
    first = await listing(client, {"limit": 4})
    assert first["next_cursor"] is not None
    last = await listing(client, {"limit": 4, "cursor": first["next_cursor"]})
    assert len(last["items"]) == 1
    assert last["next_cursor"] is None


async def test_empty_list_has_no_cursor(client):
    page = await listing(client)
    assert page == {
        "items": [],
        "next_cursor": None,
        "prev_cursor": None,
        "page": None,
        "per_page": None,
        "total": None,
        "total_exact": None,
        "status_counts": None,
        "status_counts_exact": None,
    }


@pytest.mark.parametrize("sort", ["number", "created", "updated", "priority"])
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_walking_pages_returns_every_case_once_in_order(client, sort, order):
    priorities = ["P2", None, "P1", "P2", None, "P5", "P2", "P1", None, "P3", "P2"]
    for i, p in enumerate(priorities):
        await create(client, title=f"case {i}", priority=p)
    params = [("sort", sort), ("order", order)]
    everything = (await listing(client, [*params, ("limit", 500)]))["items"]
    expected = sorted(everything, key=lambda c: sort_key(c, sort), reverse=order == "desc")
    assert [c["id"] for c in everything] == [c["id"] for c in expected]
    for limit in (1, 2, 3, 10):
        walked = await walk(client, [*params, ("limit", limit)])
        assert [c["id"] for c in walked] == [c["id"] for c in expected], f"limit={limit}"


async def test_walking_pages_with_filters_returns_exactly_the_filtered_cases(client, data):
    params = [("status", "open"), ("status", "in_progress"), ("sort", "priority"), ("order", "asc"), ("limit", 1)]
    walked = await walk(client, params)
    assert [c["key"] for c in walked] == [data.cases[n]["key"] for n in ("phish", "login", "malware", "dropper")]


@pytest.mark.parametrize("sort", ["number", "created"])
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_walking_pages_while_cases_change_lists_each_case_once_in_order(client, sort, order):
    originals = [await create(client, title=f"case {i}", priority="P3") for i in range(9)]
    added: list[dict[str, Any]] = []
    step = 0

    async def churn() -> None:
        nonlocal step
        # Touch cases on both sides of the cursor, change the fields other sorts use, and add new cases.
        for case in (originals[step % 9], originals[(step * 5 + 3) % 9], originals[-1 - step % 9]):
            await patch(client, case, {"priority": f"P{1 + (step + case['number']) % 5}", "title": f"changed {step}"})
        added.append(await create(client, title=f"added {step}"))
        step += 1

    walked = await walk(client, [("sort", sort), ("order", order), ("limit", 2)], between=churn)
    ids = [c["id"] for c in walked]
    assert len(ids) == len(set(ids)), "a case was listed twice"
    assert {c["id"] for c in originals} <= set(ids), "a case was skipped"
    assert set(ids) <= {c["id"] for c in originals + added}
    assert walked == sorted(walked, key=lambda c: sort_key(c, sort), reverse=order == "desc")
    if order == "asc":
        # Cases created while walking come after the cursor, so an ascending walk reaches all of them.
        assert set(ids) == {c["id"] for c in originals + added}
    else:
        assert set(ids) == {c["id"] for c in originals}


async def test_walking_pages_sorted_by_updated_while_cases_are_created_lists_each_case_once(client):
    originals = [await create(client, title=f"case {i}") for i in range(7)]

    async def add() -> None:
        await create(client, title="added while walking")

    walked = await walk(client, [("sort", "updated"), ("order", "desc"), ("limit", 2)], between=add)
    ids = [c["id"] for c in walked]
    assert ids == [c["id"] for c in reversed(originals)]


async def test_cursor_from_another_sort_is_refused(client, data):
    page = await listing(client, {"sort": "number", "order": "asc", "limit": 2})
    await assert_refused(client, {"sort": "created", "order": "asc", "cursor": page["next_cursor"]}, "cursor")


async def test_cursor_from_another_order_is_refused(client, data):
    page = await listing(client, {"sort": "priority", "order": "asc", "limit": 2})
    await assert_refused(client, {"sort": "priority", "order": "desc", "cursor": page["next_cursor"]}, "cursor")


async def test_cursor_keeps_the_default_sort(client, data):
    page = await listing(client, {"limit": 2})
    await assert_refused(client, {"sort": "number", "cursor": page["next_cursor"]}, "cursor")
    following = await listing(client, {"sort": "updated", "order": "desc", "cursor": page["next_cursor"]})
    assert len(following["items"]) == 3


GARBAGE_CURSORS = [
    "garbage",
    "!!!!",
    "é",
    "%00",
    "a",
    forged_cursor({"sort": "number"}),
    forged_cursor("number"),
    forged_cursor(42),
    forged_cursor(None),
    forged_cursor([]),
    forged_cursor(["number", "asc"]),
    forged_cursor(["number", "asc", 1]),
    forged_cursor(["number", "asc", 1, str(uuid.uuid4()), "extra"]),
    forged_cursor(["number", "asc", "one", str(uuid.uuid4())]),
    forged_cursor(["number", "asc", None, str(uuid.uuid4())]),
    forged_cursor(["number", "asc", [1], str(uuid.uuid4())]),
    forged_cursor(["number", "asc", {"n": 1}, str(uuid.uuid4())]),
    forged_cursor(["number", "asc", 1, "not-a-uuid"]),
    forged_cursor(["number", "asc", 1, 12345]),
    forged_cursor(["number", "asc", 1, None]),
    forged_cursor(["number", "asc", 1, ["x"]]),
    forged_cursor(["number", "asc", 10**30, str(uuid.uuid4())]),
    forged_cursor(["number", "asc", -(10**30), str(uuid.uuid4())]),
    forged_cursor(["number", "asc", float("1e300"), str(uuid.uuid4())]),
    forged_cursor(["number", "asc", "1e400", str(uuid.uuid4())]),
    forged_cursor(["priority", "asc", 1, str(uuid.uuid4())]),
]


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS)
async def test_garbage_cursor_is_refused_naming_cursor(client, data, cursor):
    await assert_refused(client, {"sort": "number", "order": "asc", "cursor": cursor}, "cursor")


DATETIME_GARBAGE = [
    "yesterday",
    42,
    None,
    ["2024-01-01T00:00:00+00:00"],
    "2024-01-01T00:00:00",  # naive: the server only ever issues aware times
    "2024-13-01T00:00:00+00:00",
    "99999-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+05:00",  # before the earliest UTC time Python can hold
    "9999-12-31T23:00:00-05:00",  # after the latest
]


@pytest.mark.parametrize("sort", ["created", "updated"])
@pytest.mark.parametrize("value", DATETIME_GARBAGE)
async def test_garbage_time_in_cursor_is_refused_naming_cursor(client, data, sort, value):
    cursor = forged_cursor([sort, "desc", value, str(uuid.uuid4())])
    await assert_refused(client, {"sort": sort, "order": "desc", "cursor": cursor}, "cursor")


@pytest.mark.parametrize("rank", [40000, 2**40, -(2**40), "P1", None])
async def test_garbage_priority_in_cursor_is_refused_naming_cursor(client, data, rank):
    cursor = forged_cursor(["priority", "asc", rank, str(uuid.uuid4())])
    await assert_refused(client, {"sort": "priority", "order": "asc", "cursor": cursor}, "cursor")


async def test_cursor_times_are_compared_as_instants_whatever_their_offset(client, data):
    first = await listing(client, {"sort": "created", "order": "asc", "limit": 2})
    sort, order, when, last_id = json.loads(base64.urlsafe_b64decode(first["next_cursor"] + "=="))
    shifted = datetime.fromisoformat(when).astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    cursor = forged_cursor([sort, order, shifted, last_id])
    following = await listing(client, {"sort": "created", "order": "asc", "cursor": cursor})
    assert [c["number"] for c in following["items"]] == [3, 4, 5]


async def test_cursor_is_a_position_not_a_case_so_an_unknown_id_still_pages(client, data):
    cursor = forged_cursor(["number", "asc", 2, str(uuid.UUID(int=2**128 - 1))])
    following = await listing(client, {"sort": "number", "order": "asc", "cursor": cursor})
    assert [c["number"] for c in following["items"]] == [3, 4, 5]


# Counting


async def test_count_adds_the_total_of_matching_cases_ignoring_limit(client, data):
    page = await listing(client, {"count": "true", "limit": 1})
    assert page["total"] == 5
    assert len(page["items"]) == 1
    assert (await listing(client, {"count": "true", "status": "open", "limit": 1}))["total"] == 2
    assert (await listing(client, {"count": "true", "archived": "include"}))["total"] == 6
    assert (await listing(client, {"count": "true", "tag": "nothing-has-this"}))["total"] == 0


async def test_count_on_later_pages_still_counts_every_matching_case(client, data):
    first = await listing(client, {"count": "true", "limit": 2})
    second = await listing(client, {"count": "true", "limit": 2, "cursor": first["next_cursor"]})
    assert second["total"] == 5


async def test_total_is_null_without_count(client, data):
    assert (await listing(client))["total"] is None
    assert (await listing(client, {"count": "false"}))["total"] is None
    assert (await listing(client, {"limit": 1}))["total"] is None


# Tenant isolation


async def test_other_workspaces_cases_never_appear_with_any_filter(client, data, other, other_client):
    # The other workspace also has a project with the key SEC.
    other_member = other.add_member("agent")
    foreign = [
        await create(
            other_client,
            title="Phishing email from the CEO",
            description="1000 failed attempts for user_name admin at 100% C:\\Temp\\",
            status=status,
            priority=priority,
            severity="high",
            assignees=[str(other_member.id)],
            tags=["phishing", "email", "malware", "physical"],
        )
        for status, priority in (("open", "P1"), ("closed", None), ("in_progress", "P3"))
    ]
    foreign.append(await create(other_client, title="Unassigned foreign case", tags=[]))
    gone = await other_client.delete(f"/cases/{foreign[0]['id']}")
    assert gone.status_code == 204
    assert len(await key_set(other_client, {"archived": "include"})) == 4

    foreign_ids = {c["id"] for c in foreign}
    ours = {c["id"] for c in data.cases.values()}
    filters: list[list[tuple[str, Any]]] = [
        [],
        [("archived", "include")],
        [("archived", "only")],
        [("status", "open"), ("status", "closed"), ("status", "in_progress")],
        [("priority", "P1"), ("priority", "P3"), ("priority", "none")],
        [("severity", "high")],
        [("assignee", str(other_member.id))],
        [("assignee", str(other.admin.id)), ("assignee", str(data.alice.id))],
        [("unassigned", "true")],
        [("tag", "phishing")],
        [("tag_any", "malware"), ("tag_any", "physical")],
        [("tag_none", "nothing")],
        [("author", str(other.admin.id))],
        [("project", "SEC")],
        [("q", "phishing")],
        [("q", "100%")],
        [("created_after", "2000-01-01T00:00:00+00:00")],
        [("updated_before", "2999-01-01T00:00:00+00:00")],
    ]
    for params in filters:
        if not any(name == "archived" for name, _ in params):
            params = [*params, ("archived", "include")]
        for sort in ("number", "priority"):
            page = await listing(client, [*params, ("sort", sort), ("count", "true")])
            found = {c["id"] for c in page["items"]}
            assert not found & foreign_ids, f"another workspace's case listed for {params}"
            assert found <= ours
            assert page["total"] == len(found)

    for project in (str(other.project_id),):
        response = await client.get("/cases", params={"project": project})
        assert response.status_code == 404, response.text
    assert await key_set(client, {"author": str(other.admin.id)}) == set()
    assert await key_set(client, {"assignee": str(other_member.id)}) == set()
    assert (await listing(client, {"count": "true", "archived": "include"}))["total"] == 6


async def test_cursor_from_another_workspace_does_not_reveal_its_cases(client, data, other_client):
    foreign = [await create(other_client, title=f"foreign {i}") for i in range(4)]
    page = await listing(other_client, {"sort": "number", "order": "asc", "limit": 1})
    ours = await listing(client, {"sort": "number", "order": "asc", "cursor": page["next_cursor"]})
    assert not {c["id"] for c in ours["items"]} & {c["id"] for c in foreign}
    assert [c["number"] for c in ours["items"]] == [2, 3, 4, 5]
