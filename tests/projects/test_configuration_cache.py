"""A project's configuration (the default project, statuses, case types, field definitions, SLA policies) is read
once per process until it changes; a change made anywhere (a service, a Core statement, another process) is seen by
the next unit of work, and by the unit of work that made it."""

import gc
import re
import uuid
import weakref

import httpx
import pytest
from sqlalchemy import select, update

from casework.auth.service import GENERATION_SQL, SCOPES, Actor, current_generation
from casework.db.base import Base
from casework.db.database import Database
from casework.errors import InvalidInput
from casework.projects import configuration
from casework.projects.lookup import default_project
from casework.projects.models import Project
from casework.workflow.fields.models import FieldDefinition
from casework.workflow.statuses.schemas import StatusCreate
from casework.workflow.statuses.models import CaseStatus
from casework.workflow.statuses.service import create_status, project_status, project_statuses
from tests.conftest import Tenant
from tests.helpers import Issued, create, issued_statements
from tests.workflow.fields_support import define
from tests.workflow.sla_support import policy, set_policies

CONFIGURATION = ("projects", "case_statuses", "case_types", "field_definitions", "sla_policies")
READS_CONFIGURATION = re.compile(rf"^\s*SELECT\b.*\bFROM ({'|'.join(CONFIGURATION)})\b", re.S | re.I)


def configuration_reads(seen: list[Issued]) -> list[str]:
    return [statement.sql for statement in seen if READS_CONFIGURATION.search(statement.sql)]


def generation(db: Database) -> int:
    return db.run_sync(current_generation, write=False)


async def test_a_create_reads_the_configuration_again_only_after_it_changes(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_policies(client, policy("completion", 3600))
    await define(client, "ticket", "text")
    await create(client, title="Warms the cache", type="standard")
    with issued_statements(db.engine) as seen:
        created = await create(client, title="Second", type="standard")
    assert seen and configuration_reads(seen) == []
    # The generation: once for the request's credential, once in the create's unit of work, which reads all of its
    # configuration before it writes (after a write the cache reads the generation again).
    assert [statement.sql for statement in seen].count(GENERATION_SQL) == 2
    assert {sla["sla_type"] for sla in created["slas"]} == {"completion"}

    assert (await client.post("/projects/SEC/statuses", json={"name": "Triage", "group": "open", "category": "new"})).status_code == 201
    with issued_statements(db.engine) as seen:
        triaged = await create(client, title="Third", status="Triage")
    assert any("case_statuses" in statement for statement in configuration_reads(seen))
    assert triaged["status_name"] == "Triage"


async def test_a_change_made_outside_the_services_is_seen_by_the_next_create(
    client: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    await define(client, "ticket", "text")
    assert "ticket" not in str((await create(client, title="Without a ticket"))["fields"])
    with db.engine.begin() as connection:  # as another process or a tool would
        connection.execute(
            update(FieldDefinition)
            .where(FieldDefinition.project_id == tenant.project_id, FieldDefinition.key == "ticket")
            .values(required=True)
        )
    refused = await client.post("/cases", json={"title": "Still without one"})
    assert refused.status_code == 422 and "ticket" in refused.text


@pytest.mark.parametrize("table", CONFIGURATION)
async def test_every_change_to_a_configuration_table_raises_the_generation(
    client: httpx.AsyncClient, db: Database, tenant: Tenant, table: str
) -> None:
    await set_policies(client, policy("completion", 3600))
    await define(client, "ticket", "text")
    before = generation(db)
    with db.engine.begin() as connection:
        changed = connection.execute(
            update(Base.metadata.tables[table])
            .where(Base.metadata.tables[table].c.workspace_id == tenant.workspace_id)
            .values(updated_at=Base.metadata.tables[table].c.updated_at)
        )
    assert changed.rowcount >= 1
    assert generation(db) > before


async def test_creating_cases_leaves_the_generation_alone(client: httpx.AsyncClient, db: Database) -> None:
    await create(client, title="First")
    before = generation(db)
    for n in range(3):
        await create(client, title=f"Case {n}")
    assert generation(db) == before


def test_a_unit_of_work_sees_the_change_it_made(db: Database, tenant: Tenant) -> None:
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))

    def work(session):  # type: ignore[no-untyped-def]
        before = [status.name for status in project_statuses(session, tenant.project_id)]
        create_status(session, actor, "SEC", StatusCreate(name="Waiting", group="in_progress", category="open"))
        return before, [status.name for status in project_statuses(session, tenant.project_id)]

    db.run_sync(lambda session: project_statuses(session, tenant.project_id))  # cached
    before, after = db.run_sync(work)
    assert "Waiting" not in before and after == [*before, "Waiting"]


def test_each_unit_of_work_gets_its_own_copy(db: Database, tenant: Tenant) -> None:
    original = db.run_sync(lambda session: default_project(session, tenant.workspace_id).closure_conditions)

    def changes_it_then_fails(session):  # type: ignore[no-untyped-def]
        project = default_project(session, tenant.workspace_id)
        project.closure_conditions.append({"name": "never", "formula": "false"})
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        db.run_sync(changes_it_then_fails)
    again = db.run_sync(lambda session: default_project(session, tenant.workspace_id))
    assert again.closure_conditions == original
    assert again.id == tenant.project_id and isinstance(again.id, uuid.UUID)


def test_a_unit_of_work_is_handed_one_instance_of_a_row_however_often_it_looks(db: Database, tenant: Tenant) -> None:
    db.run_sync(lambda session: default_project(session, tenant.workspace_id))  # cached

    def looks_twice(session):  # type: ignore[no-untyped-def]
        # Only a weak reference here: the unit of work holds what it was handed (its session's are weak too).
        first = weakref.ref(default_project(session, tenant.workspace_id))
        gc.collect()
        return first() is not None and default_project(session, tenant.workspace_id) is first()

    assert db.run_sync(looks_twice)


def test_a_unit_of_work_naming_one_status_is_handed_that_status_alone(db: Database, tenant: Tenant) -> None:
    """A create or a status change copies the status it names into its unit of work, not every status of the
    project."""

    def named(session, ref: str):  # type: ignore[no-untyped-def]
        status = project_status(session, tenant.project_id, ref)
        copies = [entity for entity in configuration.held(session) if isinstance(entity, CaseStatus)]
        return status.name, status.group, [entity.name for entity in copies]

    assert db.run_sync(lambda session: len(project_statuses(session, tenant.project_id))) > 1
    db.run_sync(named, "open", write=False)  # read once, then remembered
    db.run_sync(named, "IN_PROGRESS", write=False)
    assert db.run_sync(named, "open", write=False) == ("Open", "open", ["Open"])
    assert db.run_sync(named, "IN_PROGRESS", write=False)[1:] == ("in_progress", ["In progress"])


def test_a_status_named_is_found_again_once_the_statuses_change(db: Database, tenant: Tenant) -> None:
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
    with pytest.raises(InvalidInput):
        db.run_sync(lambda session: project_status(session, tenant.project_id, "Escalated"))
    db.run_sync(lambda session: create_status(session, actor, "SEC", StatusCreate(name="Escalated", group="in_progress", category="open")))
    assert db.run_sync(lambda session: project_status(session, tenant.project_id, "escalated").name) == "Escalated"


def test_a_row_a_unit_of_work_only_reads_stays_out_of_its_session(db: Database, tenant: Tenant) -> None:
    """Adding a copy to the session cost a create ~90,000 instructions a row: a copy joins it only when changed."""

    def reads(session):  # type: ignore[no-untyped-def]
        project = default_project(session, tenant.workspace_id)
        status = project_status(session, tenant.project_id, "open")
        in_session = [entity for entity in session.identity_map.values() if isinstance(entity, (Project, CaseStatus))]
        return project.key, status.name, in_session

    db.run_sync(reads, write=False)  # read once, then remembered
    assert db.run_sync(reads, write=False) == ("SEC", "Open", [])


def test_a_copy_changed_in_a_unit_of_work_is_written_with_it(db: Database, tenant: Tenant) -> None:
    db.run_sync(lambda session: project_status(session, tenant.project_id, "open"))  # remembered

    def recolour(session):  # type: ignore[no-untyped-def]
        status = project_status(session, tenant.project_id, "open")
        status.colour = "#123456"
        return status in session

    assert db.run_sync(recolour)
    stored = db.run_sync(
        lambda session: session.scalar(
            select(CaseStatus.colour).where(CaseStatus.project_id == tenant.project_id, CaseStatus.name == "Open")
        ),
        write=False,
    )
    assert stored == "#123456"
    assert db.run_sync(lambda session: project_status(session, tenant.project_id, "open").colour) == "#123456"


async def test_statuses_and_types_change_and_go_through_their_apis_once_remembered(client: httpx.AsyncClient) -> None:
    # A create remembers the project's configuration; the changes below then start from copies.
    await create(client)
    renamed = await client.patch("/projects/SEC/statuses/open", json={"name": "Fresh"})
    assert renamed.status_code == 200, renamed.text
    added = await client.post("/projects/SEC/statuses", json={"name": "Parked", "group": "in_progress", "category": "open"})
    assert added.status_code == 201, added.text
    await create(client)
    assert (await client.delete("/projects/SEC/statuses/Parked")).status_code == 204
    names = [status["name"] for status in (await client.get("/projects/SEC/statuses")).json()]
    assert "Fresh" in names and "Open" not in names and "Parked" not in names
    await create(client)
    types = (await client.get("/projects/SEC/types")).json()
    custom = await client.post("/projects/SEC/types", json={"name": "Phishing"})
    assert custom.status_code == 201, custom.text
    await create(client, type="Phishing")
    changed = await client.patch(f"/projects/SEC/types/{custom.json()['id']}", json={"description": "Mail"})
    assert changed.status_code == 200 and changed.json()["description"] == "Mail", changed.text
    await create(client)
    assert (await client.delete(f"/projects/SEC/types/{custom.json()['id']}")).status_code == 204
    after = (await client.get("/projects/SEC/types")).json()
    assert [t["name"] for t in after] == [t["name"] for t in types]
