"""A Kibana case's custom fields over HTTP: its owner's configuration decides them, as Kibana's create and update
check and fill them, and every answer shows them with their Kibana types in Kibana's order."""

import pytest

from tests.conftest import Tenant
from tests.dialects.kibana.conftest import NEW_CASE
from tests.dialects.kibana.test_configure import CONNECTOR, boom
from tests.helpers import api_client

FIELDS = [
    {"key": "ticket", "label": "Ticket", "type": "text", "required": True},
    {"key": "urgent", "label": "Urgent", "type": "toggle", "required": True, "defaultValue": False},
    {"key": "impact", "label": "Impact", "type": "number", "required": False, "defaultValue": 3},
    {"key": "note", "label": "Note", "type": "text", "required": False},
    {
        "key": "team",
        "label": "Team",
        "type": "list",
        "required": False,
        "options": [{"key": "soc", "label": "SOC"}, {"key": "fraud", "label": "Fraud"}],
    },
]
TICKET = {"key": "ticket", "type": "text", "value": "T-1"}
# What a case given only TICKET holds: the defaults, and null for the optional fields without one.
FILLED = [
    TICKET,
    {"key": "urgent", "type": "toggle", "value": False},
    {"key": "impact", "type": "number", "value": 3},
    {"key": "note", "type": "text", "value": None},
    {"key": "team", "type": "list", "value": None},
]


async def configure(kibana, owner: str = "cases", fields: list[dict] = FIELDS) -> dict:
    body = {"owner": owner, "closure_type": "close-by-user", "connector": CONNECTOR, "customFields": fields}
    response = await kibana.post("/api/cases/configure", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def create(kibana, **fields) -> dict:
    response = await kibana.post("/api/cases", json={**NEW_CASE, **fields})
    assert response.status_code == 200, response.text
    return response.json()


async def patch(kibana, *cases: dict):
    return await kibana.patch("/api/cases", json={"cases": list(cases)})


def value(key: str, kind: str, given: object) -> dict:
    return {"key": key, "type": kind, "value": given}


# POST /api/cases


async def test_missing_fields_are_filled_as_kibana_fills_them(kibana):
    await configure(kibana)
    case = await create(kibana, customFields=[TICKET])
    assert case["customFields"] == FILLED
    assert (await kibana.get(f"/api/cases/{case['id']}")).json()["customFields"] == FILLED


async def test_given_fields_come_first_in_their_order_then_the_filled_ones(kibana):
    await configure(kibana)
    given = [value("team", "list", "fraud"), value("note", "text", "n"), TICKET]
    case = await create(kibana, customFields=given)
    assert case["customFields"] == [*given, FILLED[1], FILLED[2]]
    assert (await kibana.get(f"/api/cases/{case['id']}")).json()["customFields"] == case["customFields"]
    [found] = (await kibana.get("/api/cases/_find")).json()["cases"]
    assert found["customFields"] == case["customFields"]


async def test_a_case_takes_its_owners_case_type_and_fields(kibana, app, tenant: Tenant):
    await configure(kibana)
    await configure(kibana, owner="securitySolution", fields=[{**FIELDS[3], "key": "analyst"}])
    case = await create(kibana, customFields=[TICKET, value("note", "text", "n")])
    security = await create(kibana, owner="securitySolution")
    assert security["customFields"] == [value("analyst", "text", None)]
    async with api_client(app, tenant.admin.headers) as native:
        read = (await native.get(f"/cases/{case['id']}")).json()
    assert read["type"] == "Kibana cases"
    assert read["fields"] == {"ticket": "T-1", "urgent": False, "impact": 3, "note": "n"}


async def test_an_owner_without_configuration_takes_no_custom_fields(kibana):
    case = await create(kibana)
    assert case["customFields"] == []
    response = await kibana.post("/api/cases", json={**NEW_CASE, "customFields": [TICKET]})
    boom(response, 400, "No custom fields configured.")
    # Another owner's configuration is not this owner's.
    await configure(kibana, owner="securitySolution")
    boom(await kibana.post("/api/cases", json={**NEW_CASE, "customFields": [TICKET]}), 400, "No custom fields configured.")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([TICKET, TICKET], "Invalid duplicated customFields keys in request: ticket"),
        ([TICKET, value("nope", "text", "a"), value("gone", "toggle", True)], "Invalid custom field keys: nope,gone"),
        ([], 'Missing required custom fields without default value configured: "Ticket"'),
        (
            [TICKET, value("urgent", "toggle", None)],
            'Invalid value "null" supplied for the following required custom fields: "Urgent"',
        ),
        (
            [value("team", "text", "soc"), TICKET, value("impact", "text", "3")],
            'The following custom fields have the wrong type in the request: "Impact", "Team"',
        ),
        ([value("ticket", "toggle", "T-1")], 'Invalid value "T-1" supplied to "customFields,value"'),
        ([value("urgent", "toggle", "yes")], 'Invalid value "yes" supplied to "customFields,value"'),
        ([value("impact", "number", True)], 'Invalid value "true" supplied to "customFields,value"'),
        ([value("ticket", "text", "   ")], "The value field cannot be an empty string."),
        ([value("ticket", "text", "x" * 161)], "The length of the value is too long. The maximum length is 160."),
        (
            [value("impact", "number", 2**53)],
            "The value field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive.",
        ),
    ],
)
async def test_values_kibana_refuses_are_400s_in_its_words_and_create_nothing(kibana, values, message):
    await configure(kibana)
    response = await kibana.post("/api/cases", json={**NEW_CASE, "customFields": values})
    boom(response, 400, message)
    assert (await kibana.get("/api/cases/_find")).json()["total"] == 0


async def test_custom_fields_are_checked_before_the_rest_of_the_case(kibana):
    await configure(kibana)
    body = {**NEW_CASE, "assignees": [{"uid": "not-a-user"}], "customFields": [value("nope", "text", "a")]}
    boom(await kibana.post("/api/cases", json=body), 400, "Invalid custom field keys: nope")


# PATCH /api/cases


async def test_an_update_replaces_the_list_filled_from_the_configuration(kibana):
    await configure(kibana)
    case = await create(kibana, customFields=[value("note", "text", "n"), TICKET, value("impact", "number", 9)])
    [patched] = (await patch(kibana, {"id": case["id"], "version": case["version"], "customFields": [TICKET]})).json()
    assert patched["customFields"] == FILLED
    assert (await kibana.get(f"/api/cases/{case['id']}")).json()["customFields"] == FILLED


async def test_an_update_compares_the_list_as_stored(kibana):
    await configure(kibana)
    case = await create(kibana, customFields=[TICKET])
    same = await patch(kibana, {"id": case["id"], "version": case["version"], "customFields": FILLED})
    boom(same, 406, "All update fields are identical to current version.")
    # The same values in another order are a change, as Kibana compares arrays.
    reordered = [*FILLED[1:], TICKET]
    [patched] = (await patch(kibana, {"id": case["id"], "version": case["version"], "customFields": reordered})).json()
    assert patched["customFields"] == reordered


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([TICKET, TICKET], "Invalid duplicated customFields keys in request: ticket"),
        ([TICKET, value("nope", "text", "a")], "Invalid custom field keys: nope"),
        ([value("urgent", "toggle", True)], 'Missing required custom fields without default value configured: "Ticket"'),
        ([value("ticket", "text", None)], 'Invalid value "null" supplied for the following required custom fields: "Ticket"'),
        ([TICKET, value("urgent", "number", 1)], 'The following custom fields have the wrong type in the request: "Urgent"'),
        ([value("urgent", "toggle", 1)], 'Invalid value "1" supplied to "customFields,value"'),
    ],
)
async def test_updates_kibana_refuses_are_400s_and_change_no_case(kibana, values, message):
    await configure(kibana)
    first = await create(kibana, customFields=[TICKET])
    second = await create(kibana, customFields=[TICKET])
    response = await patch(
        kibana,
        {"id": first["id"], "version": first["version"], "title": "changed"},
        {"id": second["id"], "version": second["version"], "customFields": values},
    )
    assert boom(response, 400).endswith(message)
    for case in (first, second):
        assert (await kibana.get(f"/api/cases/{case['id']}")).json() == case


async def test_an_update_checks_custom_fields_after_the_missing_stale_and_owner_checks(kibana):
    await configure(kibana)
    case = await create(kibana, customFields=[TICKET])
    wrong = [value("nope", "text", "a")]
    missing = "6a1e1f3c-0000-4000-8000-00000000abcd"
    response = await patch(kibana, {"id": missing, "version": case["version"], "customFields": wrong})
    assert boom(response, 404).startswith(f"These cases {missing} do not exist.")
    stale = await patch(kibana, {"id": case["id"], "version": "WzksMV0=", "customFields": wrong})
    boom(stale, 409)
    owner = await patch(kibana, {"id": case["id"], "version": case["version"], "owner": "observability", "customFields": wrong})
    assert boom(owner, 400).startswith("Updating the owner of a case is not allowed")


async def test_a_case_shows_its_owners_fields_as_the_configuration_changes(kibana):
    made = await configure(kibana)
    case = await create(kibana, customFields=[TICKET])
    kept = [FIELDS[0], FIELDS[3]]
    changed = await kibana.patch(f"/api/cases/configure/{made['id']}", json={"version": made["version"], "customFields": kept})
    assert changed.status_code == 200, changed.text
    read = (await kibana.get(f"/api/cases/{case['id']}")).json()
    assert read["customFields"] == [TICKET, FILLED[3]]
    [found] = (await kibana.get("/api/cases/_find")).json()["cases"]
    assert found["customFields"] == read["customFields"]


async def test_an_update_of_an_unconfigured_owners_case_takes_no_custom_fields(kibana):
    case = await create(kibana)
    response = await patch(kibana, {"id": case["id"], "version": case["version"], "customFields": [TICKET]})
    boom(response, 400, "No custom fields configured.")
    nothing = await patch(kibana, {"id": case["id"], "version": case["version"], "customFields": []})
    boom(nothing, 406, "All update fields are identical to current version.")
