"""A date and time that leaves years 1 to 9999 once converted to UTC is refused as input, naming the field."""

import httpx
import pytest

from tests.helpers import assert_problem, create, read
from tests.tasks.common import add_task, all_tasks, tasks_url

# Both within years 1-9999 as written, and outside them in UTC.
OUT_OF_RANGE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-01:00"]
EDGES = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00-14:00"]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_a_case_due_date_out_of_utc_range_is_refused(client: httpx.AsyncClient, moment: str) -> None:
    assert_problem(await client.post("/cases", json={"title": "t", "due_date": moment}), 422, "due_date")
    case = await create(client)
    assert_problem(await client.patch(f"/cases/{case['id']}", json={"due_date": moment}), 422, "due_date")
    bulk = await client.post("/cases/bulk", json={"items": [{"id": case["id"], "changes": {"due_date": moment}}]})
    assert bulk.status_code == 200, bulk.text
    (result,) = bulk.json()["results"]
    assert result["status"] == 422
    assert [e["field"] for e in result["error"]["errors"]] == ["changes.due_date"]
    assert await read(client, case) == case
    assert (await client.get("/cases")).json()["items"] == [case]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
@pytest.mark.parametrize("name", ["created_after", "created_before", "updated_after", "updated_before"])
async def test_a_case_filter_out_of_utc_range_is_refused(client: httpx.AsyncClient, name: str, moment: str) -> None:
    assert_problem(await client.get("/cases", params={name: moment}), 422, name)


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_a_task_due_date_out_of_utc_range_is_refused(client: httpx.AsyncClient, moment: str) -> None:
    case = await create(client)
    assert_problem(await client.post(tasks_url(case), json={"description": "d", "due_date": moment}), 422, "due_date")
    task = await add_task(client, case)
    assert_problem(await client.patch(tasks_url(case, task), json={"due_date": moment}), 422, "due_date")
    assert await all_tasks(client, case) == [task]


async def test_a_token_expiry_out_of_utc_range_is_refused(client: httpx.AsyncClient) -> None:
    for moment in OUT_OF_RANGE:
        assert_problem(await client.post("/tokens", json={"name": "x", "expires_at": moment}), 422, "expires_at")


@pytest.mark.parametrize("moment", EDGES)
async def test_dates_at_the_edges_of_the_utc_range_are_kept(client: httpx.AsyncClient, moment: str) -> None:
    case = await create(client, due_date=moment)
    assert (await read(client, case))["due_date"] == case["due_date"]
    assert (await client.get("/cases", params={"created_after": moment})).status_code == 200
    task = await add_task(client, case, due_date=moment)
    assert (await all_tasks(client, case))[0]["due_date"] == task["due_date"]
