"""The services hand entry points a CaseRecord: frozen, typed, independent of the session it was read in, and
rendering the very JSON the native API answers with."""

import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest

from casework.alerts import service as alerts
from casework.auth.service import SCOPES, Actor
from casework.cases import bulk, lifecycle, moving, search, service
from casework.cases.models import Case
from casework.cases.records import CaseCounts, CaseRecord, ClosureConditionRecord, SlaRecord, case_record
from casework.cases.schemas import CaseCreate, CaseFilter, CaseMove, CaseUpdate, case_view
from casework.http import JSONResponse
from casework.workflow.fields import bulk as field_bulk
from tests.conftest import Tenant
from tests.helpers import Issued, create, issued_statements

HOUR = 3600


def admin(tenant: Tenant) -> Actor:
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))


def through(tenant: Tenant, call: Callable[..., Any], *args: Any) -> Any:
    """What a service answers, its unit of work over (committed, session closed)."""
    return tenant.db.run_sync(lambda session: call(session, admin(tenant), *args))


async def with_content(client: httpx.AsyncClient) -> dict[str, Any]:
    """A case holding a little of everything the record carries, with SLA clocks running."""
    policies = [{"sla_type": t, "priority": "P2", "target_seconds": HOUR, "pause_when_pending": False}
                for t in ("response", "completion")]
    assert (await client.put("/projects/SEC/slas", json={"policies": policies})).status_code == 200
    defined = await client.post("/projects/SEC/fields", json={"key": "host", "label": "Host", "type": "text"})
    assert defined.status_code == 201, defined.text
    case = await create(
        client,
        priority="P2",
        tags=["phishing", "vip"],
        requester={"name": "Ann", "email": "ann@example.com", "id": "u-1"},
        metadata={"source": "siem"},
        external_refs={"jira": "SEC-9"},
        fields={"host": "web-1"},
        closure_conditions=[{"name": "assigned", "formula": "=TRUE"}],
        category="mail",
        attributes={"env": ["prod", "eu"]},
        vendor_data={"kibana": {"nested": {"list": [1, {"x": None}]}}},
        due_date="2030-01-01T00:00:00Z",
    )
    attached = await client.post(f"/cases/{case['id']}/alerts", json={"alert_ids": ["alert-1"], "indexes": ["i"]})
    assert attached.status_code == 201, attached.text
    return case


def rendered(record: CaseRecord) -> dict[str, Any]:
    """The record's native JSON as the API serialises it, without the SLA times (they move with the clock)."""
    view = orjson.loads(JSONResponse(case_view(record)).body)
    return view | {"slas": [_without_times(sla) for sla in view["slas"]]}


def _without_times(sla: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in sla.items() if key in ("sla_type", "target_seconds", "exceeded", "paused")}


async def native(client: httpx.AsyncClient, case_id: uuid.UUID) -> dict[str, Any]:
    response = await client.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.text
    view = response.json()
    return view | {"slas": [_without_times(sla) for sla in view["slas"]]}


def assert_record(found: Any) -> CaseRecord:
    assert isinstance(found, CaseRecord) and not isinstance(found, Case)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.title = "changed"  # type: ignore[misc]
    return found


async def test_get_case_hands_out_a_frozen_typed_record_equal_to_the_native_view(client, tenant):
    case = await with_content(client)
    record = assert_record(through(tenant, service.get_case, case["key"]))
    assert rendered(record) == await native(client, record.id)
    assert isinstance(record.id, uuid.UUID) and isinstance(record.created_at, datetime)
    assert record.workspace_id == tenant.workspace_id
    assert record.assignees == () and record.tags == ("phishing", "vip")
    assert record.closure_conditions == (ClosureConditionRecord("assigned", "=TRUE"),)
    assert [(s.sla_type, s.target_seconds) for s in record.slas] == [("response", HOUR), ("completion", HOUR)]
    assert all(isinstance(s, SlaRecord) for s in record.slas)
    assert record.counts == CaseCounts(comments=0, alerts=1, insights=0, files=0, tasks_open=0, tasks_done=0, links=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.counts.alerts = 2  # type: ignore[misc]
    assert record.first_response_at is None


async def test_a_record_stays_as_read_when_the_case_changes_afterwards(client, tenant):
    case = await with_content(client)
    record = through(tenant, service.get_case, case["key"])
    before = rendered(record)
    changed = await client.patch(f"/cases/{case['id']}", json={
        "title": "Changed", "tags": ["other"], "fields": {"host": "db-2"}, "attributes": {"env": ["dev"]},
        "vendor_data": {"kibana": {"nested": {"list": []}}}, "metadata": {"source": "edr"},
        "assignees": [str(tenant.admin.id)],
    })
    assert changed.status_code == 200, changed.text
    assert rendered(record) == before
    assert (record.title, record.version, record.fields) == (case["title"], case["version"] + 1, {"host": "web-1"})
    assert record.vendor_data == {"kibana": {"nested": {"list": [1, {"x": None}]}}}


async def test_a_record_shares_no_json_value_with_the_entity_it_was_read_from(client, tenant):
    case = await with_content(client)

    def read_and_compare(session, actor):  # type: ignore[no-untyped-def]
        record = service.get_case(session, actor, case["key"])
        entity = service.visible_case(session, actor, case["key"])
        held = [(record.fields, entity.fields), (record.vendor_data, entity.vendor_data),
                (record.attributes, entity.attributes), (record.metadata, entity.meta),
                (record.requester, entity.requester), (record.external_refs, entity.external_refs)]
        return all(mine == its and mine is not its for mine, its in held)

    assert tenant.db.run_sync(read_and_compare, admin(tenant), write=False)


async def test_writes_hand_out_records_equal_to_the_native_view(client, tenant):
    created = assert_record(through(tenant, service.create_case, CaseCreate(title="Through the service", priority="P1")))
    assert rendered(created) == await native(client, created.id)
    updated = assert_record(through(tenant, service.update_case, created.key, CaseUpdate(severity="high")))
    assert (updated.severity, updated.version) == ("high", 2)
    assert rendered(updated) == await native(client, created.id)
    assert (await client.post("/projects", json={"key": "OPS", "name": "Ops"})).status_code == 201
    moved = assert_record(through(tenant, moving.move_case, created.key, CaseMove(project="OPS")))
    assert moved.key.startswith("OPS-") and rendered(moved) == await native(client, created.id)
    archived = assert_record(through(tenant, lifecycle.archive_case, moved.key))
    assert archived.archived_at is not None and rendered(archived) == await native(client, created.id)
    restored = assert_record(through(tenant, lifecycle.restore_case, moved.key))
    assert restored.archived_at is None and rendered(restored) == await native(client, created.id)


async def test_bulk_outcomes_hold_records(client, tenant):
    first, second = await create(client), await create(client)
    items = [(first["key"], None, {"severity": "high"}), (second["key"], None, {"tags": ["x"]})]
    outcomes = through(tenant, bulk.bulk_update, items)
    atomic = through(tenant, bulk.bulk_update_atomic, [(first["key"], None, {"severity": "critical"})])
    assert atomic.applied
    for outcome in [*outcomes, *atomic.items]:
        assert_record(outcome.case)
    assert rendered(atomic.items[0].case) == await native(client, atomic.items[0].case.id)
    assert rendered(outcomes[1].case) == await native(client, outcomes[1].case.id)


async def test_field_bulk_outcomes_hold_records(client, tenant):
    defined = await client.post("/projects/SEC/fields", json={"key": "host", "label": "Host", "type": "text"})
    assert defined.status_code == 201, defined.text
    case = await create(client)
    [outcome] = through(tenant, field_bulk.bulk_set, "SEC", "host", "web-1", [case["key"]])
    record = assert_record(outcome.case)
    assert record.fields == {"host": "web-1"} and rendered(record) == await native(client, record.id)


async def test_lists_hand_out_records_equal_to_the_native_views(client, tenant):
    case = await with_content(client)
    await create(client)
    page = through(tenant, search.list_cases, CaseFilter(), "created", "asc")
    assert [assert_record(item).key for item in page.items][0] == case["key"]
    listed = (await client.get("/cases", params={"sort": "created", "order": "asc"})).json()["items"]
    assert [rendered(item) for item in page.items] == [v | {"slas": list(map(_without_times, v["slas"]))} for v in listed]
    holding, next_cursor = through(tenant, alerts.cases_with_alert, "alert-1")
    assert next_cursor is None and [assert_record(item).id for item in holding] == [uuid.UUID(case["id"])]
    assert rendered(holding[0]) == await native(client, holding[0].id)


async def test_a_case_the_session_expired_reads_as_a_fresh_one(client, tenant):
    case = await with_content(client)

    def expired_and_fresh(session, actor):  # type: ignore[no-untyped-def]
        entity = service.visible_case(session, actor, case["key"])
        fresh = rendered(case_record(entity))
        session.expire(entity)
        return rendered(case_record(entity)), fresh

    expired, fresh = tenant.db.run_sync(expired_and_fresh, admin(tenant), write=False)
    assert expired == fresh == await native(client, uuid.UUID(case["id"]))



async def test_a_case_reads_in_one_statement_and_a_page_in_two_equal_to_the_entity_records(client, tenant):
    case = await with_content(client)
    await create(client)

    def selects(statements: list[Issued]) -> int:
        return sum(1 for s in statements if s.sql.lstrip().startswith("SELECT"))

    def read(session, actor):  # type: ignore[no-untyped-def]
        with issued_statements(tenant.db.engine) as by_case:
            records = [service.get_case(session, actor, ref) for ref in (case["id"], str(case["number"]), case["key"])]
        with issued_statements(tenant.db.engine) as by_page:
            listed = search.list_cases(session, actor, CaseFilter(), "created", "asc").items[0]
        entity = case_record(service.visible_case(session, actor, case["key"]))
        return selects(by_case) / 3, selects(by_page), [*records, listed], entity

    per_case, per_page, records, entity = tenant.db.run_sync(read, admin(tenant), write=False)
    assert (per_case, per_page) == (1, 2)

    def untimed(record: CaseRecord) -> CaseRecord:
        return dataclasses.replace(record, slas=tuple((s.sla_type, s.target_seconds, s.paused) for s in record.slas))

    assert all(untimed(record) == untimed(entity) for record in records)
    assert len(entity.slas) == 2
