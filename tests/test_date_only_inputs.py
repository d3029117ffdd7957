"""A date alone (`2026-12-05`) is accepted wherever the native API takes a date and time: the start of that day in
UTC. Invalid days are still refused, naming the field."""

from datetime import UTC, datetime

import httpx
import pytest

from tests.helpers import assert_problem, create
from tests.tasks.common import add_task, tasks_url
from tests.workflow.fields_support import define

DAY = "2026-12-05"
START = datetime(2026, 12, 5, tzinfo=UTC)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_a_case_due_date_may_be_a_date_alone(client: httpx.AsyncClient) -> None:
    case = await create(client, due_date=DAY)
    assert at(case["due_date"]) == START
    response = await client.patch(f"/cases/{case['id']}", json={"due_date": "2026-12-06"})
    assert response.status_code == 200, response.text
    assert at(response.json()["due_date"]) == datetime(2026, 12, 6, tzinfo=UTC)


async def test_a_task_due_date_may_be_a_date_alone(client: httpx.AsyncClient) -> None:
    case = await create(client)
    task = await add_task(client, case, due_date=DAY)
    assert at(task["due_date"]) == START
    response = await client.patch(tasks_url(case, task), json={"due_date": "2026-12-07"})
    assert response.status_code == 200, response.text
    assert at(response.json()["due_date"]) == datetime(2026, 12, 7, tzinfo=UTC)


async def test_a_token_expiry_may_be_a_date_alone(client: httpx.AsyncClient) -> None:
    response = await client.post("/tokens", json={"name": "ci", "expires_at": "2999-01-31"})
    assert response.status_code == 201, response.text
    assert at(response.json()["expires_at"]) == datetime(2999, 1, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    "name", ["created_after", "created_before", "updated_after", "updated_before", "closed_after", "closed_before"]
)
async def test_list_filters_take_a_date_alone_as_the_start_of_that_day(client: httpx.AsyncClient, name: str) -> None:
    case = await create(client)
    created = at(case["created_at"])
    today, tomorrow = created.date().isoformat(), date_after(created)
    keep = {"created_after": today, "updated_after": today, "created_before": tomorrow, "updated_before": tomorrow}
    if name.startswith("closed"):
        assert (await client.patch(f"/cases/{case['id']}", json={"status": "closed"})).status_code == 200
        keep = {"closed_after": today, "closed_before": tomorrow}
        response = await client.get("/cases", params={name: keep[name], "archived": "include"})
    else:
        response = await client.get("/cases", params={name: keep[name]})
    assert response.status_code == 200, response.text
    assert [c["id"] for c in response.json()["items"]] == [case["id"]]
    # The other bound of the same day leaves the case out: the day is its start, not the whole day.
    other = tomorrow if name.endswith("after") else today
    response = await client.get("/cases", params={name: other})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def date_after(moment: datetime) -> str:
    return datetime.fromordinal(moment.date().toordinal() + 1).date().isoformat()


@pytest.mark.parametrize("value", ["2026-13-05", "2026-02-30", "2026-12-05T10:00:00", "05-12-2026"])
async def test_an_invalid_day_or_a_time_without_zone_is_still_refused(client: httpx.AsyncClient, value: str) -> None:
    assert_problem(await client.post("/cases", json={"title": "t", "due_date": value}), 422, "due_date")
    assert_problem(await client.get("/cases", params={"created_after": value}), 422, "created_after")


async def test_a_datetime_custom_field_takes_a_date_alone(client: httpx.AsyncClient) -> None:
    await define(client, "seen", "datetime")
    case = await create(client, fields={"seen": DAY})
    assert case["fields"]["seen"] == "2026-12-05T00:00:00.000000Z"
    response = await client.get("/cases", params={"field": f"seen={DAY}"})
    assert response.status_code == 200, response.text
    assert [c["id"] for c in response.json()["items"]] == [case["id"]]


def test_the_schema_says_a_date_alone_is_accepted(app) -> None:
    schema = app.openapi()["components"]["schemas"]["CaseCreate"]["properties"]["due_date"]
    formats = {s.get("format") for s in schema["anyOf"][0]["anyOf"]}
    assert formats == {"date", "date-time"}
