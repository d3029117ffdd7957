"""GET /api/cases/_find, tags, reporters and the status summary, with Kibana's parameters, defaults and limits."""

from datetime import UTC, datetime

import pytest

from casework.dialects.kibana import datemath
from tests.conftest import Tenant
from tests.dialects.kibana.conftest import kibana_client, kibana_headers
from tests.dialects.kibana.test_cases import boom, create, patch


async def find(kibana, **params) -> dict:
    response = await kibana.get("/api/cases/_find", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def close(kibana, case: dict) -> dict:
    return (await patch(kibana, {"id": case["id"], "version": case["version"], "status": "closed"})).json()[0]


async def test_nothing_found_is_kibanas_empty_envelope(kibana):
    assert await find(kibana) == {
        "cases": [], "page": 1, "per_page": 20, "total": 0,
        "count_open_cases": 0, "count_in_progress_cases": 0, "count_closed_cases": 0,
    }


async def test_cases_come_newest_first_with_their_counts(kibana):
    first, second = await create(kibana, title="first"), await create(kibana, title="second")
    found = await find(kibana)
    assert [c["id"] for c in found["cases"]] == [second["id"], first["id"]]
    assert found["total"] == 2 and found["count_open_cases"] == 2
    assert found["cases"][0] == (await kibana.get(f"/api/cases/{second['id']}")).json()


async def test_status_counts_ignore_the_status_filter(kibana):
    await create(kibana)
    await close(kibana, await create(kibana))
    found = await find(kibana, status="closed")
    assert found["total"] == 1 and [c["status"] for c in found["cases"]] == ["closed"]
    assert (found["count_open_cases"], found["count_closed_cases"]) == (1, 1)


async def test_status_counts_ignore_the_search(kibana):
    await create(kibana, title="phishing report")
    await create(kibana, title="malware sample")
    found = await find(kibana, search="phishing")
    assert found["total"] == 1 and found["count_open_cases"] == 2


async def test_search_words_match_any_by_default_and_all_with_and(kibana):
    await create(kibana, title="phishing report")
    await create(kibana, title="malware report")
    assert (await find(kibana, search="phishing malware"))["total"] == 2
    assert (await find(kibana, search="phishing report", defaultSearchOperator="AND"))["total"] == 1


async def test_search_matches_the_case_s_own_text_never_its_comments(kibana):
    titled = await create(kibana, title="Ransomware on a laptop")
    commented = await create(kibana, title="Suspicious login")
    note = {"type": "user", "comment": "ransomware note found", "owner": commented["owner"]}
    assert (await kibana.post(f"/api/cases/{commented['id']}/comments", json=note)).status_code == 200
    assert [c["id"] for c in (await find(kibana, search="ransomware"))["cases"]] == [titled["id"]]
    assert (await find(kibana, search="note"))["total"] == 0


async def test_a_uuid_search_finds_the_case_by_id(kibana):
    case = await create(kibana)
    await create(kibana)
    assert [c["id"] for c in (await find(kibana, search=case["id"]))["cases"]] == [case["id"]]


async def test_filters_combine_and_each_takes_several_values(kibana, tenant: Tenant):
    await create(kibana, tags=["a"], severity="high", category="x")
    await create(kibana, tags=["b"], severity="low", category="y")
    await create(kibana, tags=["c"], severity="critical", category="x", owner="observability")
    assert (await find(kibana, tags=["a", "b"]))["total"] == 2
    assert (await find(kibana, severity=["high", "critical"]))["total"] == 2
    assert (await find(kibana, category="x", owner="cases"))["total"] == 1
    assert (await find(kibana, reporters=tenant.admin.email))["total"] == 3
    assert (await find(kibana, reporters=[str(tenant.admin.id)]))["total"] == 3
    assert (await find(kibana, reporters="nobody"))["total"] == 0


async def test_assignees_filter_by_uid_and_none(kibana, tenant: Tenant):
    await create(kibana, assignees=[{"uid": str(tenant.admin.id)}])
    await create(kibana)
    assert (await find(kibana, assignees=str(tenant.admin.id)))["total"] == 1
    assert (await find(kibana, assignees="none"))["total"] == 1
    assert (await find(kibana, assignees=["none", str(tenant.admin.id)]))["total"] == 2
    assert (await find(kibana, assignees="not-a-user"))["total"] == 0


async def test_sorting_by_title_and_paging(kibana):
    for title in ("b", "c", "a"):
        await create(kibana, title=title)
    found = await find(kibana, sortField="title", sortOrder="asc", perPage=2, page=2)
    assert [c["title"] for c in found["cases"]] == ["c"]
    assert (found["page"], found["per_page"], found["total"]) == (2, 2, 3)


async def test_dates_take_kibanas_date_math(kibana):
    await create(kibana)
    assert (await find(kibana, **{"from": "now-1d"}))["total"] == 1
    assert (await find(kibana, to="now-1d"))["total"] == 0
    assert (await find(kibana, **{"from": "2000-01-01", "to": "now"}))["total"] == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"perPage": 101}, "The provided perPage value is too high. The maximum allowed perPage value is 100."),
        ({"page": 209, "perPage": 100},
         "The number of documents is too high. Paginating through more than 10000 documents is not possible."),
        ({"page": 10_001}, "The number of documents is too high. Paginating through more than 10000 documents is not possible."),
        ({"perPage": "true"}, 'Invalid value "true" supplied to "perPage"'),
        ({"sortField": "owner"}, 'Invalid value "owner" supplied to "sortField"'),
        ({"searchFields": "tags", "search": "x"}, 'Invalid value "tags" supplied to "searchFields"'),
        ({"status": "pending"}, 'Invalid value "pending" supplied to "status"'),
        ({"tags": [str(i) for i in range(101)]}, "The length of the field tags is too long. Array must be of length <= 100."),
        ({"from": "yesterday"}, 'Invalid "from" and/or "to" query parameters'),
        ({"owner": "no such owner!"}, 'Invalid value "no such owner!" supplied to "owner"'),
        ({"category": ""}, "Invalid value \"\" supplied to \"category\""),
    ],
)
async def test_bad_find_parameters_are_a_400_in_kibanas_words(kibana, params, message):
    assert boom(await kibana.get("/api/cases/_find", params=params), 400) == message


async def test_find_counts_comments_and_alerts_like_get(kibana):
    case = await create(kibana)
    [found] = (await find(kibana))["cases"]
    assert (found["totalComment"], found["totalAlerts"], found["comments"]) == (0, 0, [])
    assert found["id"] == case["id"]


async def test_tags_and_reporters_of_the_workspace(kibana, app, tenant: Tenant):
    await create(kibana, tags=["b", "a"])
    agent = tenant.add_member("agent")
    async with kibana_client(app, kibana_headers(agent.token)) as as_agent:
        await create(as_agent, tags=["c"])
    assert (await kibana.get("/api/cases/tags")).json() == ["a", "b", "c"]
    reporters = (await kibana.get("/api/cases/reporters", params={"owner": "cases"})).json()
    assert sorted(r["profile_uid"] for r in reporters) == sorted([str(tenant.admin.id), str(agent.id)])
    assert {r["username"] for r in reporters} == {tenant.admin.email, agent.email}


async def test_a_bad_owner_filter_of_the_status_summary_is_a_400(kibana):
    assert boom(await kibana.get("/api/cases/status", params={"owner": "a b"}), 400)


async def test_the_deprecated_status_summary_counts_per_status(kibana):
    await create(kibana)
    await close(kibana, await create(kibana))
    response = await kibana.get("/api/cases/status")
    assert response.json() == {"count_open_cases": 1, "count_in_progress_cases": 0, "count_closed_cases": 1}
    assert "Deprecated endpoint" in response.headers["warning"]


NOW = datetime(2024, 5, 15, 13, 45, 30, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "round_up", "expected"),
    [
        ("now", False, NOW),
        ("now-1d", False, datetime(2024, 5, 14, 13, 45, 30, 123000, tzinfo=UTC)),
        ("now-1d/d", False, datetime(2024, 5, 14, tzinfo=UTC)),
        ("now/d", True, datetime(2024, 5, 15, 23, 59, 59, 999000, tzinfo=UTC)),
        ("now+1M-2h", False, datetime(2024, 6, 15, 11, 45, 30, 123000, tzinfo=UTC)),
        ("now/w", False, datetime(2024, 5, 13, tzinfo=UTC)),
        ("2024-01-31||+1M", False, datetime(2024, 2, 29, tzinfo=UTC)),
        ("2024-01-01T10:00:00Z", False, datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("2024-01-01T10:00:00+02:00", False, datetime(2024, 1, 1, 8, tzinfo=UTC)),
        ("now-1y/y", False, datetime(2023, 1, 1, tzinfo=UTC)),
    ],
)
def test_date_math_reads_as_elasticsearch_does(text, round_up, expected):
    assert datemath.parse(text, NOW, round_up=round_up) == expected


@pytest.mark.parametrize("text", ["yesterday", "now-1x", "now-d", "2024-13-01", "now-1d/"])
def test_date_math_refuses_what_names_no_moment(text):
    with pytest.raises(datemath.DateMathError):
        datemath.parse(text, NOW)




@pytest.mark.parametrize("field", ["createdAt", "updatedAt", "closedAt", "title", "status", "severity", "category"])
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_every_sort_field_lists_every_case_once(kibana, field, order):
    await create(kibana, title="b", category="x", severity="high")
    await close(kibana, await create(kibana, title="a"))
    await create(kibana, title="c", severity="low")
    found = await find(kibana, sortField=field, sortOrder=order, perPage=2)
    rest = await find(kibana, sortField=field, sortOrder=order, perPage=2, page=2)
    titles = [c["title"] for c in found["cases"] + rest["cases"]]
    assert sorted(titles) == ["a", "b", "c"]
    if field == "title":
        assert titles == (["a", "b", "c"] if order == "asc" else ["c", "b", "a"])
