"""A project's custom field definitions: keys unique and immutable, types immutable, options only where they belong,
defaults checked as values, options and fields held by cases kept, at most 200 per project, who may change them,
and nothing across workspaces."""

import pytest
from sqlalchemy import insert

from casework.db.base import new_id, utcnow
from casework.workflow.fields.models import FieldDefinition
from casework.workflow.fields.schemas import MAX_FIELDS_PER_PROJECT
from tests.helpers import api_client, assert_problem, assert_same_not_found, create
from tests.workflow.fields_support import FIELDS, PLACES, REGIONS, define


async def test_a_field_is_defined_read_listed_changed_and_deleted(client):
    response = await client.post(FIELDS, json={"key": "region", "label": "Region", "type": "select", "options": REGIONS})
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith("/projects/SEC/fields/region")
    assert {k: created[k] for k in ("key", "label", "type", "required_to_close", "active", "owner", "default")} == {
        "key": "region", "label": "Region", "type": "select", "required_to_close": False, "active": True,
        "owner": "casework", "default": None,
    }
    assert created["options"] == REGIONS
    assert (await client.get(f"{FIELDS}/region")).json() == created
    changed = (await client.patch(f"{FIELDS}/region", json={"label": "Zone", "required_to_close": True, "default": "eu"})).json()
    assert (changed["label"], changed["required_to_close"], changed["default"]) == ("Zone", True, "eu")
    assert (await client.get(FIELDS)).json()["items"] == [changed]
    assert (await client.delete(f"{FIELDS}/region")).status_code == 204
    assert_problem(await client.get(f"{FIELDS}/region"), 404)


async def test_a_description_is_kept_shown_changed_and_removed(client):
    plain = await define(client, "plain")
    assert plain["description"] is None
    body = {"key": "region", "label": "Region", "type": "text", "description": "Where the incident happened"}
    created = (await client.post(FIELDS, json=body)).json()
    assert created["description"] == "Where the incident happened"
    assert (await client.get(f"{FIELDS}/region")).json()["description"] == "Where the incident happened"
    relabelled = (await client.patch(f"{FIELDS}/region", json={"label": "Zone"})).json()
    assert relabelled["description"] == "Where the incident happened"
    changed = (await client.patch(f"{FIELDS}/region", json={"description": "The zone"})).json()
    assert changed["description"] == "The zone"
    assert (await client.patch(f"{FIELDS}/region", json={"description": None})).json()["description"] is None
    too_long = {"key": "long", "label": "Long", "type": "text", "description": "x" * 1001}
    assert_problem(await client.post(FIELDS, json=too_long), 422, field="description")


async def test_fields_are_listed_by_position_then_appended_last(client):
    await define(client, "b_field", position=5)
    await define(client, "a_field", position=1)
    appended = await define(client, "c_field")
    assert appended["position"] == 6
    assert [f["key"] for f in (await client.get(FIELDS)).json()["items"]] == ["a_field", "b_field", "c_field"]


@pytest.mark.parametrize("key", ["Region", "", "r" * 65, "région", "re gion", "re.gion", "1" + "r" * 36, "-" * 37])
async def test_a_key_is_kibanas_or_a_longer_one_starting_with_a_letter(client, key):
    assert_problem(await client.post(FIELDS, json={"key": key, "label": "X", "type": "text"}), 422, field="key")


async def test_a_key_is_unique_in_its_project_but_free_in_another(client):
    await define(client, "region")
    assert_problem(await client.post(FIELDS, json={"key": "region", "label": "Again", "type": "text"}), 409)
    assert (await client.post("/projects", json={"key": "OPS", "name": "Ops"})).status_code == 201
    await define(client, "region", path="/projects/OPS/fields")


async def test_key_type_and_owner_never_change_but_may_be_repeated_unchanged(client):
    await define(client, "amount", "number")
    for change in ({"type": "decimal"}, {"key": "total"}, {"owner": "kibana"}):
        assert_problem(await client.patch(f"{FIELDS}/amount", json=change), 422, field=next(iter(change)))
    same = await client.patch(f"{FIELDS}/amount", json={"type": "number", "key": "amount", "owner": "casework", "label": "Sum"})
    assert same.status_code == 200, same.text
    assert same.json()["label"] == "Sum"


async def test_an_unknown_type_is_refused(client):
    assert_problem(await client.post(FIELDS, json={"key": "x", "label": "X", "type": "colour"}), 422, field="type")


async def test_select_types_need_options_and_other_types_refuse_them(client):
    for field_type in ("select", "multi_select", "dependent_select"):
        body = {"key": "x", "label": "X", "type": field_type}
        assert_problem(await client.post(FIELDS, json=body), 422, field="options")
    body = {"key": "x", "label": "X", "type": "text", "options": REGIONS}
    assert_problem(await client.post(FIELDS, json=body), 422, field="options")


async def test_only_a_dependent_select_nests_options(client):
    assert_problem(await client.post(FIELDS, json={"key": "x", "label": "X", "type": "select", "options": PLACES}), 422, field="options")
    assert (await define(client, "place", "dependent_select"))["options"] == PLACES


async def test_option_ids_are_unique_among_siblings(client):
    twice = [{"id": "eu", "label": "Europe"}, {"id": "eu", "label": "Again"}]
    assert_problem(await client.post(FIELDS, json={"key": "x", "label": "X", "type": "select", "options": twice}), 422, field="options")
    nested = [{"id": "a", "label": "A", "children": twice}]
    response = await client.post(FIELDS, json={"key": "x", "label": "X", "type": "dependent_select", "options": nested})
    assert_problem(response, 422, field="options.0.children", nested=True)
    # The same id under two parents is two different paths.
    cousins = [{"id": "a", "label": "A", "children": [{"id": "x", "label": "X"}]}, {"id": "b", "label": "B", "children": [{"id": "x", "label": "X"}]}]
    await define(client, "tree", "dependent_select", options=cousins)


async def test_option_ids_hold_no_slash_and_trees_are_at_most_five_levels_deep(client):
    slash = [{"id": "a/b", "label": "A"}]
    assert_problem(await client.post(FIELDS, json={"key": "x", "label": "X", "type": "select", "options": slash}), 422, field="options", nested=True)
    deep: list = [{"id": "leaf", "label": "Leaf"}]
    for level in range(5):
        deep = [{"id": f"l{level}", "label": "L", "children": deep}]
    body = {"key": "x", "label": "X", "type": "dependent_select", "options": deep}
    assert_problem(await client.post(FIELDS, json=body), 422, field="options")
    await define(client, "tree", "dependent_select", options=deep[0]["children"])


async def test_a_default_is_checked_and_stored_as_a_value(client):
    bad = [("number", "12"), ("select", "asia"), ("date", "tomorrow"), ("multi_select", ["eu", "eu"]), ("user", "nobody")]
    for field_type, default in bad:
        body = {"key": "x", "label": "X", "type": field_type, "default": default}
        if field_type in ("select", "multi_select"):
            body["options"] = REGIONS
        assert_problem(await client.post(FIELDS, json=body), 422, field="default")
    assert (await define(client, "amount", "decimal", default="12.50"))["default"] == "12.5"
    assert (await define(client, "flag", "boolean", default=False))["default"] is False


async def test_a_default_user_must_be_an_active_user_of_the_workspace(client, tenant, other):
    body = {"key": "owner", "label": "Owner", "type": "user", "default": str(other.admin.id)}
    assert_problem(await client.post(FIELDS, json=body), 422, field="default")
    member = tenant.add_member("agent")
    assert (await define(client, "owner", "user", default=str(member.id)))["default"] == str(member.id)


async def test_removing_the_default_and_changing_options_recheck_it(client):
    await define(client, "region", "select", default="us")
    assert (await client.patch(f"{FIELDS}/region", json={"default": None})).json()["default"] is None
    await client.patch(f"{FIELDS}/region", json={"default": "apac"})
    without_apac = REGIONS[:2]
    assert_problem(await client.patch(f"{FIELDS}/region", json={"options": without_apac}), 422, field="default")


async def test_an_option_a_case_holds_cannot_be_removed_but_an_unused_one_can(client):
    await define(client, "region", "select")
    await define(client, "place", "dependent_select")
    await create(client, fields={"region": "eu", "place": ["emea", "fr"]})
    body = assert_problem(await client.patch(f"{FIELDS}/region", json={"options": REGIONS[1:]}), 409)
    assert "eu" in body["detail"]
    kept = await client.patch(f"{FIELDS}/region", json={"options": REGIONS[:1]})
    assert kept.status_code == 200, kept.text
    # Removing "fr" removes a path a case holds: refused; removing "de" is fine.
    emea = PLACES[0]
    without_fr = [{**emea, "children": [emea["children"][1]]}, PLACES[1]]
    assert_problem(await client.patch(f"{FIELDS}/place", json={"options": without_fr}), 409)
    without_de = [{**emea, "children": [emea["children"][0]]}, PLACES[1]]
    assert (await client.patch(f"{FIELDS}/place", json={"options": without_de})).status_code == 200


async def test_a_field_cases_hold_values_of_is_deactivated_not_deleted(client):
    await define(client, "team")
    case = await create(client, fields={"team": "blue"})
    body = assert_problem(await client.delete(f"{FIELDS}/team"), 409)
    assert "deactivate" in body["detail"]
    assert (await client.patch(f"{FIELDS}/team", json={"active": False})).json()["active"] is False
    # Once no case holds a value any more, it can go.
    assert (await client.patch(f"/cases/{case['id']}", json={"fields": {"team": None}})).status_code == 200
    assert (await client.delete(f"{FIELDS}/team")).status_code == 204


async def test_null_is_refused_for_settings_that_always_have_a_value(client):
    await define(client, "team")
    for name in ("label", "active", "required_to_close", "position", "options"):
        assert_problem(await client.patch(f"{FIELDS}/team", json={name: None}), 422, field=name)


async def test_a_project_holds_at_most_200_fields(client, tenant):
    def fill(session):  # type: ignore[no-untyped-def]
        now = utcnow()
        rows = [
            {"id": new_id(), "workspace_id": tenant.workspace_id, "project_id": tenant.project_id, "key": f"f{n}",
             "label": "F", "type": "text", "required_to_close": False, "options": [], "default_value": None,
             "active": True, "owner": "casework", "position": n, "created_at": now, "updated_at": now}
            for n in range(MAX_FIELDS_PER_PROJECT)
        ]
        session.execute(insert(FieldDefinition.__table__), rows)

    tenant.db.run_sync(fill)
    assert_problem(await client.post(FIELDS, json={"key": "one_more", "label": "X", "type": "text"}), 422, field="fields")
    assert (await client.delete(f"{FIELDS}/f0")).status_code == 204
    await define(client, "one_more")


async def test_any_reader_sees_fields_but_only_admins_and_managers_change_them(app, client, tenant):
    await define(client, "team")
    for role in ("agent", "reviewer", "viewer"):
        async with api_client(app, tenant.add_member(role).headers) as member:
            assert (await member.get(FIELDS)).status_code == 200
            assert (await member.get(f"{FIELDS}/team")).status_code == 200
            assert_problem(await member.post(FIELDS, json={"key": "x", "label": "X", "type": "text"}), 403)
            assert_problem(await member.patch(f"{FIELDS}/team", json={"label": "Y"}), 403)
            assert_problem(await member.delete(f"{FIELDS}/team"), 403)
    async with api_client(app, tenant.add_member("manager").headers) as manager:
        await define(manager, "severity_score", "number")
        assert (await manager.patch(f"{FIELDS}/team", json={"label": "Squad"})).status_code == 200
        assert (await manager.delete(f"{FIELDS}/severity_score")).status_code == 204


async def test_another_workspace_neither_sees_nor_changes_a_projects_fields(client, other_client, tenant):
    await define(client, "team")
    # The other workspace's own project SEC has no such field.
    assert (await other_client.get(FIELDS)).json()["items"] == []
    assert_problem(await other_client.get(f"{FIELDS}/team"), 404)
    foreign = f"/projects/{tenant.project_id}/fields"
    assert_same_not_found(
        await other_client.get(foreign), tenant.project_id, await other_client.get("/projects/NOPE/fields"), "NOPE"
    )
    assert_problem(await other_client.patch(f"{foreign}/team", json={"label": "Mine"}), 404)
    assert_problem(await other_client.delete(f"{foreign}/team"), 404)
    assert (await client.get(f"{FIELDS}/team")).json()["label"] == "Team"
