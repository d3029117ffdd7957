"""The vendor settings service on both databases: one document per dialect and scope, replaced whole or changed at a
version, within the workspace."""

from dataclasses import replace

import pytest

from casework.auth.service import SCOPES, Actor, current_generation
from casework.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from casework.vendor_settings import service
from tests.helpers import issued_statements


def _actor(tenant, member=None) -> Actor:  # type: ignore[no-untyped-def]
    member = member or tenant.admin
    return Actor(tenant.workspace_id, member.id, member.role, frozenset(SCOPES))


def test_replacing_a_scope_gives_a_new_document_and_drops_the_old(tenant):
    actor = _actor(tenant)
    first = tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "kibana", "cases", {"a": 1}))
    other = tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "kibana", "observability", {"b": 2}))
    second = tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "kibana", "cases", {"a": 3}))
    assert second.id != first.id and second.version == 1 and second.data == {"a": 3}
    assert second.created_by == tenant.admin.id and second.updated_at is None and second.updated_by is None
    listed = tenant.db.run_sync(lambda s: service.list_settings(s, actor, "kibana"))
    assert [(r.scope, r.data) for r in listed] == [("observability", {"b": 2}), ("cases", {"a": 3})]
    only = tenant.db.run_sync(lambda s: service.list_settings(s, actor, "kibana", ["cases"]))
    assert [r.id for r in only] == [second.id]
    assert tenant.db.run_sync(lambda s: service.list_settings(s, actor, "datadog")) == []
    assert tenant.db.run_sync(lambda s: service.list_settings(s, actor, "kibana", ["cases\x00", "\x00"])) == []
    with pytest.raises(NotFound):
        tenant.db.run_sync(lambda s: service.get_setting(s, actor, "kibana", first.id))
    assert other.id in {r.id for r in listed}


def test_an_update_at_the_current_version_raises_it_and_a_stale_one_changes_nothing(tenant):
    actor = _actor(tenant)
    made = tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "kibana", "cases", {"a": 1}))
    changed = tenant.db.run_sync(lambda s: service.update_setting(s, actor, "kibana", made.id, 1, {"a": 2}))
    assert (changed.version, changed.data, changed.updated_by) == (2, {"a": 2}, tenant.admin.id)
    assert changed.updated_at is not None and changed.created_at == made.created_at
    with pytest.raises(VersionConflict):
        tenant.db.run_sync(lambda s: service.update_setting(s, actor, "kibana", made.id, 1, {"a": 9}))
    assert tenant.db.run_sync(lambda s: service.get_setting(s, actor, "kibana", str(made.id))).data == {"a": 2}


def test_documents_stay_in_their_workspace_and_dialect(tenant, other):
    actor = _actor(tenant)
    made = tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "kibana", "cases", {"a": 1}))
    for who, dialect in ((_actor(other), "kibana"), (actor, "datadog")):
        with pytest.raises(NotFound):
            tenant.db.run_sync(lambda s: service.get_setting(s, who, dialect, made.id))
        with pytest.raises(NotFound):
            tenant.db.run_sync(lambda s: service.update_setting(s, who, dialect, made.id, 1, {}))
    assert tenant.db.run_sync(lambda s: service.list_settings(s, _actor(other), "kibana")) == []
    with pytest.raises(NotFound):
        tenant.db.run_sync(lambda s: service.get_setting(s, actor, "kibana", "not-a-uuid"))


def test_agents_read_documents_and_only_admins_and_managers_write_them(tenant):
    made = tenant.db.run_sync(lambda s: service.replace_setting(s, _actor(tenant), "kibana", "cases", {"a": 1}))
    agent = _actor(tenant, tenant.add_member("agent"))
    assert [r.id for r in tenant.db.run_sync(lambda s: service.list_settings(s, agent, "kibana"))] == [made.id]
    with pytest.raises(Forbidden):
        tenant.db.run_sync(lambda s: service.replace_setting(s, agent, "kibana", "cases", {}))
    with pytest.raises(Forbidden):
        tenant.db.run_sync(lambda s: service.update_setting(s, agent, "kibana", made.id, 1, {}))
    manager = _actor(tenant, tenant.add_member("manager"))
    assert tenant.db.run_sync(lambda s: service.update_setting(s, manager, "kibana", made.id, 1, {"m": 1})).version == 2


def test_deleting_a_scope_drops_every_dialects_document_of_it_in_its_workspace_only(tenant, other):
    actor, stranger = _actor(tenant), _actor(other)
    scope = service.project_scope(tenant.project_id)
    for dialect in ("datadog", "kibana"):
        tenant.db.run_sync(lambda s: service.replace_setting(s, actor, dialect, scope, {"d": dialect}))
    tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "datadog", "elsewhere", {}))
    tenant.db.run_sync(lambda s: service.replace_setting(s, stranger, "datadog", scope, {}))
    tenant.db.run_sync(lambda s: service.delete_scope(s, tenant.workspace_id, scope))
    left = [r.scope for d in ("datadog", "kibana") for r in tenant.db.run_sync(lambda s: service.list_settings(s, actor, d))]
    assert left == ["elsewhere"]
    assert [r.scope for r in tenant.db.run_sync(lambda s: service.list_settings(s, stranger, "datadog"))] == [scope]


async def test_deleting_a_project_natively_deletes_its_documents(client, tenant):
    actor = _actor(tenant)
    assert (await client.post("/projects", json={"key": "OPS", "name": "Ops"})).status_code == 201
    ops = (await client.get("/projects/OPS")).json()["id"]
    tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "datadog", f"project:{ops}", {"team_uuid": "t"}))
    assert (await client.delete("/projects/OPS")).status_code == 204
    assert tenant.db.run_sync(lambda s: service.list_settings(s, actor, "datadog")) == []


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"connector": {"id": "D", "name": "a\x00b"}}, "connector.name"),
        ({"templates": [{"k\x00": 1}]}, "templates.0.k\x00"),
    ],
)
def test_a_nul_anywhere_in_a_document_is_refused_naming_where_and_nothing_is_written(tenant, data, where):
    actor = _actor(tenant)
    kept = tenant.db.run_sync(lambda s: service.replace_setting(s, actor, "kibana", "nul", {"a": 1}))
    for write in (
        lambda s: service.replace_setting(s, actor, "kibana", "nul", data),
        lambda s: service.update_setting(s, actor, "kibana", kept.id, kept.version, data),
    ):
        with pytest.raises(InvalidInput) as refused:
            tenant.db.run_sync(write)
        assert [error.field for error in refused.value.errors] == [where]
    listed = tenant.db.run_sync(lambda s: service.list_settings(s, actor, "kibana", ["nul"]))
    assert [(r.id, r.data, r.version) for r in listed] == [(kept.id, {"a": 1}, 1)]


# Read once per process and generation


def _at_current_generation(tenant, member=None) -> Actor:  # type: ignore[no-untyped-def]
    return replace(_actor(tenant, member), generation=tenant.db.run_sync(current_generation, write=False))


def test_documents_are_read_once_per_generation_and_every_write_raises_it(tenant):
    writer = _actor(tenant)
    tenant.db.run_sync(lambda s: service.replace_setting(s, writer, "kibana", "cases", {"a": 1}))
    reader = _at_current_generation(tenant)
    with issued_statements(tenant.db.engine) as issued:
        first = tenant.db.run_sync(lambda s: service.list_settings(s, reader, "kibana", ["cases"]))
        first[0].data["a"] = "changed by its caller"
        again = tenant.db.run_sync(lambda s: service.list_settings(s, reader, "kibana", ["cases"]))
    assert again[0].data == {"a": 1} and len([s for s in issued if "FROM vendor_settings" in s.sql]) == 1
    # A write in another unit of work (another process's) raises the generation: its readers read again.
    made = tenant.db.run_sync(lambda s: service.replace_setting(s, writer, "kibana", "cases", {"a": 2}))
    later = _at_current_generation(tenant)
    assert later.generation != reader.generation
    assert tenant.db.run_sync(lambda s: service.list_settings(s, later, "kibana", ["cases"]))[0].data == {"a": 2}
    tenant.db.run_sync(lambda s: service.update_setting(s, writer, "kibana", made.id, 1, {"a": 3}))
    latest = _at_current_generation(tenant)
    assert tenant.db.run_sync(lambda s: service.list_settings(s, latest, "kibana", ["cases"]))[0].data == {"a": 3}
    tenant.db.run_sync(lambda s: service.delete_scope(s, tenant.workspace_id, "cases"))
    assert tenant.db.run_sync(lambda s: service.list_settings(s, _at_current_generation(tenant), "kibana")) == []


def test_a_unit_of_work_reads_the_documents_it_wrote(tenant):
    writer = _actor(tenant)
    tenant.db.run_sync(lambda s: service.replace_setting(s, writer, "kibana", "cases", {"a": 1}))
    actor = _at_current_generation(tenant)
    tenant.db.run_sync(lambda s: service.list_settings(s, actor, "kibana", ["cases"]))

    def write_then_read(session):  # type: ignore[no-untyped-def]
        service.replace_setting(session, actor, "kibana", "cases", {"a": 2})
        return service.list_settings(session, actor, "kibana", ["cases"])

    assert tenant.db.run_sync(write_then_read)[0].data == {"a": 2}
