"""Alert attachments taken as a whole: listed with their alerts, replaced under their own version, detached at once."""


import pytest
from sqlalchemy.orm import Session

from casework.alerts import service
from casework.alerts.records import AlertAttachmentRecord
from casework.alerts.schemas import AlertAttach
from casework.cases import service as cases
from casework.errors import InvalidInput, LimitExceeded, NotFound, VersionConflict
from tests.alerts.support import admin_actor, attach, attached, ids
from tests.helpers import activity, create, issued_statements, read


async def test_attachments_list_each_request_with_its_alerts_in_order_at_version_1(client, tenant, db):
    case = await create(client)
    first = (await attach(client, case, ["b", "a"], [".two", ".one"], rule={"id": "r", "name": "Rule"})).json()
    second = (await attach(client, case, "c", owner="securitySolution")).json()
    found = db.run_sync(service.list_attachments, admin_actor(tenant), case["id"], write=False)
    assert all(isinstance(a, AlertAttachmentRecord) for a in found)
    assert [(str(a.id), a.alert_ids, a.indexes, a.rule_id, a.rule_name, a.owner) for a in found] == [
        (first["attachment_id"], ("b", "a"), (".two", ".one"), "r", "Rule", "cases"),
        (second["attachment_id"], ("c",), (".alerts",), None, None, "securitySolution"),
    ]
    assert {(a.version, a.updated_at, a.updated_by, a.created_by) for a in found} == {(1, None, None, tenant.admin.id)}
    one = db.run_sync(service.get_attachment, admin_actor(tenant), case["id"], second["attachment_id"], write=False)
    assert one == found[1]


async def test_an_unknown_or_foreign_attachment_is_not_found(client, tenant, db):
    case = await create(client)
    other = await create(client, title="other")
    foreign = (await attach(client, other, ["x"])).json()["attachment_id"]
    actor = admin_actor(tenant)
    for ref in (foreign, "not-a-uuid"):
        with pytest.raises(NotFound):
            db.run_sync(service.get_attachment, actor, case["id"], ref, write=False)
        with pytest.raises(NotFound):
            db.run_sync(service.detach_attachment, actor, case["id"], ref)
        with pytest.raises(NotFound):
            db.run_sync(service.replace_attachment, actor, case["id"], ref, AlertAttach(alert_ids="y", indexes="i"))
    assert [a["alert_id"] for a in await attached(client, other)] == ["x"]


async def test_replacing_an_attachment_raises_its_version_and_the_case_s_and_logs_what_changed(client, tenant, db):
    case = await create(client)
    attachment = (await attach(client, case, ["a", "b"], rule={"id": "r", "name": "Rule"})).json()["attachment_id"]
    before = await read(client, case)
    data = AlertAttach(alert_ids=["b", "c", "d"], indexes=[".x", ".y", ".z"], rule={"id": "r2", "name": None})
    replaced = db.run_sync(service.replace_attachment, admin_actor(tenant), case["id"], attachment, data, 1)
    assert (replaced.alert_ids, replaced.indexes, replaced.rule_id, replaced.rule_name) == (
        ("b", "c", "d"), (".x", ".y", ".z"), "r2", None
    )
    assert replaced.version == 2 and replaced.updated_by == tenant.admin.id and replaced.updated_at is not None
    listed = db.run_sync(service.list_attachments, admin_actor(tenant), case["id"], write=False)
    assert listed == [replaced]
    after = await read(client, case)
    assert after["version"] == before["version"] + 1
    assert after["counts"]["alerts"] == 3
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "alerts_replaced"
    assert entry["changes"] == {
        "attachment_id": [attachment, attachment],
        "alert_ids": [["a", "b"], ["b", "c", "d"]],
        "indexes": [[".alerts", ".alerts"], [".x", ".y", ".z"]],
        "rule": [{"id": "r", "name": "Rule"}, {"id": "r2", "name": None}],
    }


async def test_a_stale_attachment_version_is_refused_and_changes_nothing(client, tenant, db):
    case = await create(client)
    attachment = (await attach(client, case, ["a"])).json()["attachment_id"]
    actor = admin_actor(tenant)
    db.run_sync(service.replace_attachment, actor, case["id"], attachment, AlertAttach(alert_ids="b", indexes="i"), 1)
    before = await read(client, case)
    with pytest.raises(VersionConflict) as refused:
        db.run_sync(service.replace_attachment, actor, case["id"], attachment, AlertAttach(alert_ids="c", indexes="i"), 1)
    assert refused.value.current == 2
    assert [a["alert_id"] for a in await attached(client, case)] == ["b"]
    assert await read(client, case) == before


async def test_a_replacement_changing_nothing_keeps_every_version(client, tenant, db):
    case = await create(client)
    attachment = (await attach(client, case, ["a"], [".i"])).json()["attachment_id"]
    before = await read(client, case)
    same = db.run_sync(
        service.replace_attachment, admin_actor(tenant), case["id"], attachment, AlertAttach(alert_ids="a", indexes=".i")
    )
    assert same.version == 1 and same.updated_at is None
    assert await read(client, case) == before


async def test_alerts_held_by_another_attachment_are_left_out_and_a_replacement_of_only_those_is_refused(
    client, tenant, db
):
    case = await create(client)
    await attach(client, case, ["a"])
    attachment = (await attach(client, case, ["b"])).json()["attachment_id"]
    actor = admin_actor(tenant)
    replaced = db.run_sync(
        service.replace_attachment, actor, case["id"], attachment, AlertAttach(alert_ids=["a", "c", "c"], indexes=["i"] * 3)
    )
    assert replaced.alert_ids == ("c",)
    before = await read(client, case)
    with pytest.raises(InvalidInput) as refused:
        db.run_sync(service.replace_attachment, actor, case["id"], attachment, AlertAttach(alert_ids="a", indexes="i"))
    assert refused.value.errors[0].field == "alert_ids"
    assert await read(client, case) == before


async def test_a_replacement_taking_the_case_past_the_cap_is_refused(client, tenant, db):
    case = await create(client)
    await attach(client, case, ids("a", 600))
    attachment = (await attach(client, case, ids("b", 300))).json()["attachment_id"]
    actor = admin_actor(tenant)
    grown = db.run_sync(
        service.replace_attachment, actor, case["id"], attachment, AlertAttach(alert_ids=ids("c", 400), indexes=["i"] * 400)
    )
    assert len(grown.alert_ids) == 400
    with pytest.raises(LimitExceeded):
        data = AlertAttach(alert_ids=ids("d", 401), indexes=["i"] * 401)
        db.run_sync(service.replace_attachment, actor, case["id"], attachment, data)
    assert (await read(client, case))["counts"]["alerts"] == 1000


async def test_detaching_an_attachment_takes_all_its_alerts_off_and_logs_them(client, tenant, db):
    case = await create(client)
    kept = await attach(client, case, ["k"])
    attachment = (await attach(client, case, ["a", "b"], [".1", ".2"], rule={"id": "r", "name": "n"})).json()
    before = await read(client, case)
    version = db.run_sync(service.detach_attachment, admin_actor(tenant), case["id"], attachment["attachment_id"])
    assert version == before["version"] + 1
    assert [a["alert_id"] for a in await attached(client, case)] == ["k"]
    assert (await read(client, case))["counts"]["alerts"] == 1
    entry = (await activity(client, case))[-1]
    assert entry["action"] == "alerts_detached"
    assert entry["changes"] == {
        "attachment_id": [attachment["attachment_id"], None],
        "alert_ids": [["a", "b"], None],
        "indexes": [[".1", ".2"], None],
        "owner": ["cases", None],
        "rule": [{"id": "r", "name": "n"}, None],
    }
    assert kept.status_code == 201


async def test_the_attachments_of_a_case_just_read_are_those_of_the_caller_s_workspace_only(client, tenant, other, db):
    case = await create(client)
    attachment = (await attach(client, case, ["a"])).json()["attachment_id"]
    record = db.run_sync(cases.get_case, admin_actor(tenant), case["id"], write=False)
    mine = db.run_sync(service.attachments_of_read_case, admin_actor(tenant), record, write=False)
    assert [str(a.id) for a in mine] == [attachment]
    theirs = db.run_sync(service.attachments_of_read_case, admin_actor(other), record, write=False)
    assert theirs == []


async def test_a_case_s_alerts_are_read_through_the_case_s_index_not_the_workspace_s(client, tenant, db):
    """With the workspace in the query too, SQLite's planner read every alert of the workspace for one case's."""
    case = await create(client)
    await attach(client, case, ["a", "b"])
    def read(session: Session) -> None:
        record = cases.get_case(session, admin_actor(tenant), case["id"])
        service.attachments_of_read_case(session, admin_actor(tenant), record)
        service.list_attachments(session, admin_actor(tenant), case["id"])

    with issued_statements(db.engine) as issued:
        db.run_sync(read, write=False)
    reading_alerts = [s for s in issued if "FROM case_alerts" in s.sql]

    def explained(session: Session) -> list[str]:
        explain = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
        connection = session.connection()
        return [
            " ".join(str(row[-1]) for row in connection.exec_driver_sql(explain + s.sql, s.parameters))
            for s in reading_alerts
        ]

    plans = db.run_sync(explained, write=False)
    assert len(plans) == 2
    for plan in plans:
        assert "ix_case_alerts_ws_alert" not in plan, plan
