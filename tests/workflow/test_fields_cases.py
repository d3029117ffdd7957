"""Custom field values on cases: checked against their definition on every write (422 naming `fields.KEY`), stored in
their canonical form, defaults on creation, at most 10 values of Kibana fields, required-to-close fields, and the
searchable copy kept equal to the values."""

import uuid

import pytest
from sqlalchemy import select

from casework.workflow.fields.models import CaseFieldValue, FieldDefinition
from casework.workflow.fields.service import case_fields, missing_required
from tests.helpers import assert_problem, create, read
from tests.workflow.fields_support import define, set_fields

# One value each type takes (and how it is kept), and one it refuses.
SAMPLES = {
    "text": ("hello", "hello", 5),
    "long_text": ("a long story", "a long story", "x" * 30_001),
    "number": (42, 42, "42"),
    "decimal": ("12.50", "12.5", "twelve"),
    "boolean": (True, True, "yes"),
    "toggle": (False, False, 0),
    "date": ("2024-02-29", "2024-02-29", "2023-02-29"),
    "datetime": ("2024-03-01T10:00:00+02:00", "2024-03-01T08:00:00.000000Z", "2024-03-01T10:00:00"),
    "url": ("https://example.com/x", "https://example.com/x", "mailto:a@example.com"),
    "select": ("eu", "eu", "asia"),
    "multi_select": (["us", "eu"], ["us", "eu"], ["eu", "eu"]),
    "dependent_select": (["emea", "fr", "paris"], ["emea", "fr", "paris"], ["emea", "paris"]),
}


def rows_of(tenant, case_id: str) -> dict[str, list]:
    """The searchable copy of a case: field key -> [(position, text_value, number_value)]."""

    def work(session):  # type: ignore[no-untyped-def]
        query = (
            select(FieldDefinition.key, CaseFieldValue.position, CaseFieldValue.text_value, CaseFieldValue.number_value)
            .join(FieldDefinition, FieldDefinition.id == CaseFieldValue.field_id)
            .where(CaseFieldValue.case_id == uuid.UUID(case_id))
            .order_by(FieldDefinition.key, CaseFieldValue.position)
        )
        rows: dict[str, list] = {}
        for key, position, text, number in session.execute(query):
            rows.setdefault(key, []).append((position, text, number))
        return rows

    return tenant.db.run_sync(work, write=False)  # type: ignore[no-any-return]


@pytest.mark.parametrize("field_type", list(SAMPLES))
async def test_each_type_takes_its_values_in_canonical_form_and_refuses_others(client, field_type):
    value, stored, wrong = SAMPLES[field_type]
    await define(client, "subject", field_type)
    case = await create(client, fields={"subject": value})
    assert case["fields"] == {"subject": stored}
    assert (await read(client, case))["fields"] == {"subject": stored}
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"subject": wrong}}), 422, field="fields.subject")
    assert_problem(await set_fields(client, case, {"subject": wrong}), 422, field="fields.subject")
    assert (await read(client, case))["fields"] == {"subject": stored}


async def test_a_user_field_takes_an_active_user_of_the_workspace_only(client, tenant, other):
    await define(client, "owner", "user")
    member = tenant.add_member("agent")
    case = await create(client, fields={"owner": str(member.id).upper()})
    assert case["fields"] == {"owner": str(member.id)}
    assert_problem(await set_fields(client, case, {"owner": str(other.admin.id)}), 422, field="fields.owner")
    assert (await client.patch(f"/users/{member.id}", json={"active": False})).status_code == 200
    assert_problem(await set_fields(client, case, {"owner": str(member.id)}), 422, field="fields.owner")


async def test_an_unknown_key_is_refused_naming_it(client):
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"nope": 1}}), 422, field="fields.nope")
    case = await create(client)
    assert_problem(await set_fields(client, case, {"nope": None}), 422, field="fields.nope")


async def test_a_field_of_another_project_is_unknown_here(client):
    assert (await client.post("/projects", json={"key": "OPS", "name": "Ops"})).status_code == 201
    await define(client, "runbook", "url", path="/projects/OPS/fields")
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"runbook": "https://x.io"}}), 422, field="fields.runbook")
    case = await create(client, project="OPS", fields={"runbook": "https://x.io"})
    assert case["fields"] == {"runbook": "https://x.io"}


async def test_every_wrong_value_is_named_at_once(client):
    await define(client, "amount", "number")
    await define(client, "region", "select")
    response = await client.post("/cases", json={"title": "T", "fields": {"amount": "1", "region": "mars", "x": 1}})
    body = assert_problem(response, 422)
    assert {e["field"] for e in body["errors"]} == {"fields.amount", "fields.region", "fields.x"}


async def test_an_inactive_field_takes_no_new_value_but_can_be_cleared(client):
    await define(client, "team")
    case = await create(client, fields={"team": "blue"})
    await client.patch("/projects/SEC/fields/team", json={"active": False})
    body = assert_problem(await set_fields(client, case, {"team": "red"}), 422, field="fields.team")
    assert "inactive" in body["errors"][0]["message"]
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"team": "red"}}), 422, field="fields.team")
    # Other writes keep the inactive field's value; clearing it is allowed.
    assert (await client.patch(f"/cases/{case['id']}", json={"title": "Renamed"})).json()["fields"] == {"team": "blue"}
    assert (await set_fields(client, case, {"team": None})).json()["fields"] == {}


async def test_a_write_changes_only_the_keys_it_names_and_null_clears(client):
    await define(client, "team")
    await define(client, "amount", "number")
    case = await create(client, fields={"team": "blue", "amount": 3})
    assert (await set_fields(client, case, {"amount": 4})).json()["fields"] == {"team": "blue", "amount": 4}
    assert (await set_fields(client, case, {"team": None})).json()["fields"] == {"amount": 4}


async def test_an_empty_multi_select_is_no_value(client, tenant):
    await define(client, "regions", "multi_select")
    case = await create(client, fields={"regions": ["eu"]})
    assert (await set_fields(client, case, {"regions": []})).json()["fields"] == {}
    assert rows_of(tenant, case["id"]) == {}


async def test_defaults_fill_a_new_case_unless_given_or_the_field_is_inactive(client):
    await define(client, "region", "select", default="eu")
    await define(client, "amount", "number", default=10)
    await define(client, "flag", "boolean", default=False)
    await define(client, "old", "text", default="x", active=False)
    assert (await create(client))["fields"] == {"region": "eu", "amount": 10, "flag": False}
    given = await create(client, fields={"region": "us", "amount": None})
    assert given["fields"] == {"region": "us", "flag": False}
    # Defaults are for new cases only: a later write leaves a cleared field cleared.
    assert (await set_fields(client, given, {"flag": None})).json()["fields"] == {"region": "us"}


async def test_a_deactivated_default_user_is_left_out_of_new_cases(client, tenant):
    member = tenant.add_member("agent")
    await define(client, "owner", "user", default=str(member.id))
    assert (await create(client))["fields"] == {"owner": str(member.id)}
    await client.patch(f"/users/{member.id}", json={"active": False})
    assert (await create(client))["fields"] == {}


async def test_a_case_holds_at_most_10_values_of_kibana_fields(client):
    for n in range(11):
        await define(client, f"k{n}", owner="kibana")
    await define(client, "ours")
    ten = {f"k{n}": "v" for n in range(10)}
    case = await create(client, fields={**ten, "ours": "v"})
    body = assert_problem(await set_fields(client, case, {"k10": "v"}), 422, field="fields")
    assert "10" in body["errors"][0]["message"]
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {**ten, "k10": "v"}}), 422, field="fields")
    # Swapping one for another keeps ten.
    swapped = await set_fields(client, case, {"k0": None, "k10": "v"})
    assert swapped.status_code == 200, swapped.text
    assert len(swapped.json()["fields"]) == 11


async def test_required_to_close_fields_without_a_value_are_missing(client, tenant):
    await define(client, "root_cause", required_to_close=True)
    await define(client, "regions", "multi_select", required_to_close=True)
    await define(client, "retired", required_to_close=True, active=False)
    await define(client, "note")

    def missing(values):  # type: ignore[no-untyped-def]
        return tenant.db.run_sync(
            lambda s: missing_required(case_fields(s, tenant.project_id, None), values), write=False
        )

    assert missing({}) == ["root_cause", "regions"]
    assert missing({"root_cause": "  ", "regions": []}) == ["root_cause", "regions"]
    assert missing({"root_cause": "dns", "regions": ["eu"], "note": None}) == []


async def test_the_searchable_copy_follows_every_write(client, tenant):
    await define(client, "amount", "decimal")
    await define(client, "regions", "multi_select")
    await define(client, "place", "dependent_select")
    await define(client, "done", "toggle")
    case = await create(client, fields={"amount": "2.5", "regions": ["us", "eu"], "place": ["emea", "fr"], "done": True})
    assert rows_of(tenant, case["id"]) == {
        "amount": [(0, None, 2.5)],
        "done": [(0, None, 1.0)],
        "place": [(0, "emea/fr", None), (1, "emea", None)],
        "regions": [(0, "us", None), (1, "eu", None)],
    }
    await set_fields(client, case, {"regions": ["apac"], "amount": None, "place": ["amer"]})
    assert rows_of(tenant, case["id"]) == {
        "done": [(0, None, 1.0)],
        "place": [(0, "amer", None)],
        "regions": [(0, "apac", None)],
    }
