"""GET /cases/{ref}?include=<kind>: each installed kind of content adds the same first page its own list route
serves, and only the installed kinds may be named."""

import pytest

from casework.content.installed import CONTENT_KINDS
from tests.blocks.common import add_blocks, note, seed_blocks
from tests.cases.test_case_view import add_content
from tests.helpers import assert_problem, create

NAMES = ["comments", "alerts", "insights", "files", "tasks", "links", "blocks", "watchers"]


def test_the_installed_kinds_are_the_documented_eight_in_order():
    assert [kind.name for kind in CONTENT_KINDS] == NAMES


@pytest.mark.parametrize("name", NAMES)
async def test_include_adds_the_first_page_of_the_kinds_own_list_route(client, tenant, name):
    case = await create(client)
    await add_content(client, case)
    await add_blocks(client, case, [*seed_blocks(), note()])
    watched = await client.post(f"/cases/{case['id']}/watchers", json={"user_id": str(tenant.add_member().id)})
    assert watched.status_code == 201, watched.text
    included = await client.get(f"/cases/{case['key']}", params={"include": name})
    assert included.status_code == 200, included.text
    listed = await client.get(f"/cases/{case['id']}/{name}")
    assert listed.status_code == 200, listed.text
    assert included.json()[name] == listed.json()
    assert listed.json()["items"]


async def test_an_unknown_include_is_refused_naming_the_field_and_every_known_name(client):
    case = await create(client)
    problem = assert_problem(await client.get(f"/cases/{case['id']}", params={"include": "tasks,secrets"}), 422, "include")
    assert "secrets" in problem["detail"] and ", ".join(NAMES) in problem["detail"]


def test_the_include_parameter_documents_every_name(app):
    parameters = app.openapi()["paths"]["/api/v1/cases/{ref}"]["get"]["parameters"]
    include = next(p for p in parameters if p["name"] == "include")
    assert include["description"] == f"Comma-separated first pages (50 items) to add: {', '.join(NAMES)}."
