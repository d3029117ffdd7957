"""DELETE /cases/{ref}?permanent=true: the case and all its content go for good; one log entry stays."""

import uuid

import pytest
from sqlalchemy import func, select, text

from casework.db.migrations.tables import Base
from tests.blocks.common import seed_blocks
from tests.helpers import api_client, assert_problem, create, read
from tests.workflow.fields_support import define
from tests.workflow.sla_support import HOUR, policy, set_policies


def _rows_of_case(db, case_id: str) -> dict[str, int]:
    """For every column of every table that refers to a case: how many rows name this case."""
    ident = uuid.UUID(case_id)
    counts = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.tables.values():
            for column in table.columns:
                if any(fk.column.table.name == "cases" for fk in column.foreign_keys) or (
                    table.name == "activity" and column.name == "case_id"
                ):
                    found = connection.scalar(select(func.count()).select_from(table).where(column == ident))
                    counts[f"{table.name}.{column.name}"] = found
        cases = Base.metadata.tables["cases"]
        counts["cases.id"] = connection.scalar(select(func.count()).select_from(cases).where(cases.c.id == ident))
    return counts


async def _full_case(client, tenant):
    """A case holding every kind of content, linked to another case."""
    await define(client, "region", "text")
    await set_policies(client, policy("response", HOUR), policy("completion", 8 * HOUR))
    agent = tenant.add_member("agent")
    case = await create(client, title="Quokkaword case", assignees=[str(agent.id)], tags=["t1"], fields={"region": "eu"})
    url = f"/cases/{case['id']}"
    for path, body in (
        ("comments", {"body": "A zebrafinch was seen"}),
        ("alerts", {"alert_ids": ["a1"], "indexes": ["i"]}),
        ("insights", {"insights": [{"type": "MONITOR", "ref": "/m/1", "resource_id": "1"}]}),
        ("files", {"filename": "a.txt", "content_base64": "aGk="}),
        ("tasks", {"description": "Check logs"}),
        ("blocks", {"blocks": seed_blocks()}),
        ("actions", {"type": "comment", "comment": "Opening the review."}),
    ):
        response = await client.post(f"{url}/{path}", json=body)
        assert response.status_code == 201, (path, response.text)
    other = await create(client, title="Linked")
    linked = await client.post(f"{url}/links", json={"case": other["key"], "relation": "related"})
    assert linked.status_code == 201, linked.text
    return case, other


async def test_permanent_delete_removes_every_row_of_the_case_and_leaves_one_entry(client, tenant, db):
    case, _other = await _full_case(client, tenant)
    before = _rows_of_case(db, case["id"])
    assert all(before[name] > 0 for name in ("comments.case_id", "attachments.case_id", "blocks.case_id",
                                            "case_slas.case_id", "case_field_values.case_id", "case_links.case_id",
                                            "case_links.linked_case_id", "case_actions.case_id")), before

    response = await client.delete(f"/cases/{case['id']}", params={"permanent": "true"})

    assert response.status_code == 204, response.text
    after = _rows_of_case(db, case["id"])
    assert after.pop("activity.case_id") == 1
    assert set(after.values()) == {0}, after
    assert_problem(await client.get(f"/cases/{case['key']}"), 404)


async def test_permanent_delete_removes_the_stored_files_and_the_search_index(client, tenant, app, db):
    case, _other = await _full_case(client, tenant)
    store = app.state.file_store
    prefix = f"{tenant.workspace_id}/{case['id']}/"
    assert len(store.keys(prefix)) == 2  # the uploaded file and the block's file

    assert (await client.delete(f"/cases/{case['id']}", params={"permanent": "true"})).status_code == 204

    assert store.keys(prefix) == []
    for q in ("quokkaword", "zebrafinch"):
        listed = await client.get("/cases", params={"q": q, "archived": "include"})
        assert listed.json()["items"] == []
    if db.is_sqlite:
        with db.engine.connect() as connection:
            for index in ("cases_search", "comments_search"):
                for word in ("quokkaword", "zebrafinch"):
                    assert connection.scalar(text(f"SELECT count(*) FROM {index} WHERE {index} MATCH '{word}'")) == 0


async def test_the_linked_case_loses_its_side_of_the_link_and_logs_it(client, tenant):
    case, other = await _full_case(client, tenant)
    before = await read(client, other)

    assert (await client.delete(f"/cases/{case['id']}", params={"permanent": "true"})).status_code == 204

    after = await read(client, other)
    assert after["counts"]["links"] == 0
    assert after["version"] == before["version"] + 1
    assert (await client.get(f"/cases/{other['id']}/links")).json()["items"] == []
    log = (await client.get(f"/cases/{other['id']}/activity")).json()["items"]
    assert log[-1]["action"] == "unlinked"
    assert log[-1]["changes"]["link"][0]["key"] == case["key"]


async def test_a_failed_object_delete_does_not_bring_the_case_back(client, tenant, app, monkeypatch):
    case, _other = await _full_case(client, tenant)
    store = app.state.file_store

    def broken(key):
        raise OSError("the store is down")

    monkeypatch.setattr(store, "delete", broken)
    assert (await client.delete(f"/cases/{case['id']}", params={"permanent": "true"})).status_code == 204
    assert_problem(await client.get(f"/cases/{case['id']}"), 404)


async def test_the_deletion_entry_is_listed_for_admins_with_key_and_title(client, tenant, app, other_client):
    case = await create(client, title="Doomed")
    assert (await client.delete(f"/cases/{case['key']}", params={"permanent": "true"})).status_code == 204

    listed = await client.get("/activity", params={"action": "case_deleted"})

    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["items"]
    assert entry["case_id"] == case["id"]
    assert entry["actor_id"] == str(tenant.admin.id)
    assert entry["changes"]["key"] == [case["key"], None]
    assert entry["changes"]["title"] == ["Doomed", None]
    assert entry["changes"]["project"] == ["SEC", None]
    assert entry["label"] == "Case deleted"
    assert (await other_client.get("/activity", params={"action": "case_deleted"})).json()["items"] == []
    manager = tenant.add_member("manager")
    async with api_client(app, manager.headers) as member:
        assert_problem(await member.get("/activity", params={"action": "case_deleted"}), 403)
    assert_problem(await client.get("/activity", params={"action": "updated"}), 422, "action")


async def test_the_deletion_log_pages_newest_first(client):
    keys = []
    for title in ("one", "two", "three"):
        case = await create(client, title=title)
        assert (await client.delete(f"/cases/{case['id']}", params={"permanent": "true"})).status_code == 204
        keys.append(case["key"])
    first = (await client.get("/activity", params={"action": "case_deleted", "limit": 2})).json()
    second = (await client.get("/activity", params={"action": "case_deleted", "cursor": first["next_cursor"]})).json()
    seen = [e["changes"]["key"][0] for e in first["items"] + second["items"]]
    assert seen == keys[::-1]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("role", ["agent", "manager"])
async def test_only_admins_delete_for_good_by_default(client, tenant, app, role):
    case = await create(client)
    member = tenant.add_member(role)
    async with api_client(app, member.headers) as member_client:
        assert_problem(await member_client.delete(f"/cases/{case['id']}", params={"permanent": "true"}), 403)
    assert (await read(client, case))["version"] == case["version"]


async def test_managers_delete_for_good_where_the_project_allows_it(client, tenant, app):
    case = await create(client)
    manager = tenant.add_member("manager")
    async with api_client(app, manager.headers) as manager_client:
        # The setting itself is the admins'.
        assert_problem(await manager_client.patch("/projects/SEC", json={"managers_may_delete": True}), 403)
        allowed = await client.patch("/projects/SEC", json={"managers_may_delete": True})
        assert allowed.status_code == 200 and allowed.json()["managers_may_delete"] is True
        response = await manager_client.delete(f"/cases/{case['id']}", params={"permanent": "true"})
    assert response.status_code == 204, response.text
    assert_problem(await client.get(f"/cases/{case['id']}"), 404)


async def test_a_stale_version_deletes_nothing(client, db):
    case = await create(client)
    await client.post(f"/cases/{case['id']}/comments", json={"body": "x"})
    response = await client.delete(
        f"/cases/{case['id']}", params={"permanent": "true"}, headers={"If-Match": f'"{case["version"]}"'}
    )
    assert_problem(response, 409)
    assert _rows_of_case(db, case["id"])["comments.case_id"] == 1


async def test_without_permanent_the_case_is_only_archived(client):
    case = await create(client)
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    assert (await read(client, case))["archived_at"] is not None
