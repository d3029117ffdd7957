"""The migration history builds exactly the schema the models declare, on both databases."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from casework.activity.models import Activity
from casework.attachments.storage import LocalFileStore
from casework.auth.schemas import UserCreate
from casework.auth.models import User
from casework.auth.service import SCOPES, Actor, add_user, authenticate, current_generation, issue_token, revoke_token
from casework.projects import numbering
from casework.cases.models import Case
from casework.cases.schemas import CaseCreate, CaseFilter
from casework.cases.search import list_cases
from casework.cases.schemas import CaseUpdate
from casework.cases.service import create_case, update_case
from casework.cases.text_search import include_name
from casework.db.base import JSONType, UTCDateTime, new_id, utcnow
from casework.comments.schemas import CommentCreate, CommentUpdate
from casework.comments.service import add_comment, edit_comment, get_comment
from casework.db import migrate
from casework.deletion.service import delete_case
from casework.projects.models import Project
from casework.projects.schemas import ProjectCreate
from casework.projects.service import add_project, create_workspace
from casework.db.migrations.tables import Base
from casework.workflow.case_types.models import CaseType
from casework.workflow.case_types.service import list_types
from casework.workflow.statuses.defaults import DEFAULT_STATUSES
from casework.workflow.statuses.models import CaseStatus
from casework.workflow.fields import service as fields
from casework.workflow.fields.schemas import FieldCreate, FieldUpdate
from tests.conftest import BACKENDS, fresh_database


def test_migrations_match_the_models(db):
    with db.engine.connect() as connection:
        # The search index is left out of the models (casework.cases.text_search.include_name says why).
        options = {"compare_type": True, "include_name": include_name}
        differences = compare_metadata(MigrationContext.configure(connection, opts=options), Base.metadata)
    assert differences == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_from_0002_gives_existing_projects_the_default_workflow(backend, tmp_path):
    with fresh_database(backend, tmp_path, revision="0002") as db:
        workspace_id, project_id, user_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        groups = {"open": uuid.uuid4(), "in_progress": uuid.uuid4(), "closed": uuid.uuid4()}
        now = datetime.now(UTC)
        with db.engine.begin() as connection:
            connection.execute(_table("workspaces").insert(), {"id": workspace_id, "name": "w", "case_counter": 3, "created_at": now})
            connection.execute(
                _table("projects").insert(),
                {"id": project_id, "workspace_id": workspace_id, "key": "OLD", "name": "Old", "description": "",
                 "case_counter": 3, "created_at": now, "updated_at": now},
            )
            connection.execute(
                _table("users").insert(),
                {"id": user_id, "workspace_id": workspace_id, "email": "a@example.com", "name": "A", "role": "admin",
                 "active": True, "created_at": now, "updated_at": now},
            )
            for number, (group, case_id) in enumerate(groups.items(), start=1):
                connection.execute(
                    _table("cases").insert(),
                    {"id": case_id, "workspace_id": workspace_id, "project_id": project_id, "number": number,
                     "key": f"OLD-{number}", "title": "t", "description": "", "status": group, "priority_rank": 6,
                     "severity": "low", "type": "STANDARD", "assignee_ids": [], "tags": [], "author_id": user_id,
                     "external_refs": {}, "metadata": {}, "created_at": now, "updated_at": now, "updated_by": user_id,
                     "version": 1},
                )
        command.upgrade(migrate.alembic_config(db.engine), "head")

        def work(session):  # type: ignore[no-untyped-def]
            statuses = session.scalars(select(CaseStatus).where(CaseStatus.project_id == project_id)).all()
            cases = {c.id: c for c in session.scalars(select(Case).where(Case.project_id == project_id))}
            query = select(CaseType.name, CaseType.project_id).where(CaseType.workspace_id == workspace_id)
            types = session.execute(query)
            return statuses, cases, types.all()

        statuses, cases, types = db.run_sync(work)
        assert [s.name for s in sorted(statuses, key=lambda s: s.position)] == [s.name for s in DEFAULT_STATUSES]
        assert [tuple(t) for t in types] == [("STANDARD", None)]  # since 0007, the workspace's
        for group, case_id in groups.items():
            case = cases[case_id]
            assert (case.current_status.group, case.current_status.is_default) == (group, True)
            assert case.status_category == case.current_status.category
            assert (case.fields, case.closure_conditions) == ({}, [])


def _old_workspace(db, cases: list[dict], comments: dict[int, str] | None = None):  # type: ignore[no-untyped-def]
    """A workspace as migration 0002 left it: an admin, a project and `cases` (title, status, ... as 0002's
    columns) numbered from 1; comments by case number. Returns (workspace id, admin id, case ids)."""
    workspace_id, project_id, user_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    case_ids = [uuid.uuid4() for _ in cases]
    with db.engine.begin() as connection:
        connection.execute(_table("workspaces").insert(), {"id": workspace_id, "name": "w", "case_counter": len(cases), "created_at": now})
        connection.execute(
            _table("projects").insert(),
            {"id": project_id, "workspace_id": workspace_id, "key": "OLD", "name": "Old", "description": "",
             "case_counter": len(cases), "created_at": now, "updated_at": now},
        )
        connection.execute(
            _table("users").insert(),
            {"id": user_id, "workspace_id": workspace_id, "email": "a@example.com", "name": "A", "role": "admin",
             "active": True, "created_at": now, "updated_at": now},
        )
        for number, (case_id, spec) in enumerate(zip(case_ids, cases), start=1):
            row = {"id": case_id, "workspace_id": workspace_id, "project_id": project_id, "number": number,
                   "key": f"OLD-{number}", "title": "t", "description": "", "status": "open", "priority_rank": 6,
                   "severity": "low", "type": "STANDARD", "assignee_ids": [], "tags": [], "author_id": user_id,
                   "external_refs": {}, "metadata": {}, "created_at": now, "updated_at": now, "updated_by": user_id,
                   "version": 1, "archived_at": None}  # fmt: skip
            connection.execute(_table("cases").insert(), row | spec)
        for number, body in (comments or {}).items():
            connection.execute(
                _table("comments").insert(),
                {"id": uuid.uuid4(), "workspace_id": workspace_id, "case_id": case_ids[number - 1], "author_id": user_id,
                 "body": body, "mentions": [], "created_at": now, "updated_at": now, "updated_by": user_id},
            )
    return workspace_id, user_id, case_ids


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_indexes_existing_cases_and_comments_for_text_search(backend, tmp_path):
    with fresh_database(backend, tmp_path, revision="0002") as db:
        titles = [{"title": "Ransomware on the file server"}, {"title": "Quiet case"}, {"title": "Lost badge"}]
        workspace_id, user_id, case_ids = _old_workspace(db, titles, {2: "A ransomware note, after all"})
        config = migrate.alembic_config(db.engine)
        command.upgrade(config, "head")
        actor = Actor(workspace_id, user_id, "admin", frozenset(SCOPES))

        def found(session, q):  # type: ignore[no-untyped-def]
            return {case.id for case in list_cases(session, actor, CaseFilter(q=q)).items}

        assert db.run_sync(found, "ransomware") == {case_ids[0], case_ids[1]}
        # Going back to 0003 leaves nothing of the index behind.
        command.downgrade(config, "0003")
        with db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert not [t for t in inspector.get_table_names() if t.startswith(("cases_search", "comments_search"))]
            for table in ("cases", "comments"):
                assert "search_vector" not in {c["name"] for c in inspector.get_columns(table)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0006_ranks_indexes_and_counts_existing_cases(backend, tmp_path):
    with fresh_database(backend, tmp_path, revision="0002") as db:
        archived = datetime.now(UTC)
        specs = [
            {"status": "open", "severity": "critical", "metadata": {"source": "siem", "long": "x" * 5000}},
            {"status": "in_progress", "severity": "medium", "metadata": {"source": "email"}},
            {"status": "closed", "severity": "high"},
            {"status": "closed", "severity": "low", "archived_at": archived},
        ]
        workspace_id, user_id, case_ids = _old_workspace(db, specs)
        command.upgrade(migrate.alembic_config(db.engine), "head")
        actor = Actor(workspace_id, user_id, "admin", frozenset(SCOPES))

        def work(session):  # type: ignore[no-untyped-def]
            ranks = session.execute(select(Case.id, Case.status_rank, Case.severity_rank)).all()
            by_status = list_cases(session, actor, CaseFilter(archived="include"), "status", "asc").items
            by_severity = list_cases(session, actor, CaseFilter(), "severity", "desc").items
            siem = list_cases(session, actor, CaseFilter(metadata=["source=siem"])).items
            long = list_cases(session, actor, CaseFilter(metadata=["long=" + "x" * 5000])).items
            counts = list_cases(session, actor, CaseFilter(), with_total=True, with_status_counts=True)
            everything = list_cases(session, actor, CaseFilter(archived="include"), with_total=True)
            return ranks, by_status, by_severity, siem, long, counts, everything

        ranks, by_status, by_severity, siem, long, counts, everything = db.run_sync(work)
        assert {row[0]: (row[1], row[2]) for row in ranks} == dict(zip(case_ids, [(0, 3), (1, 1), (2, 2), (2, 0)]))
        assert [c.id for c in by_status][:2] == case_ids[:2]
        assert [c.id for c in by_severity] == [case_ids[0], case_ids[2], case_ids[1]]
        assert [c.id for c in siem] == [case_ids[0]]
        assert [c.id for c in long] == [case_ids[0]]
        assert (counts.total, counts.total_exact) == (3, True)
        assert counts.status_counts == {"open": 1, "in_progress": 1, "closed": 1}
        assert everything.total == 4


def _table(name: str) -> sa.Table:
    """The table as migration 0002 left it, enough to insert rows."""
    columns = {
        "workspaces": ["id", "name", "case_counter", "created_at"],
        "projects": ["id", "workspace_id", "key", "name", "description", "case_counter", "created_at", "updated_at"],
        "users": ["id", "workspace_id", "email", "name", "role", "active", "created_at", "updated_at"],
        "cases": ["id", "workspace_id", "project_id", "number", "key", "title", "description", "status",
                  "priority_rank", "severity", "type", "assignee_ids", "tags", "author_id", "external_refs", "metadata",
                  "created_at", "updated_at", "updated_by", "version", "archived_at"],
        "comments": ["id", "workspace_id", "case_id", "author_id", "body", "mentions", "created_at", "updated_at",
                     "updated_by"],
    }[name]
    return sa.table(name, *(sa.column(c, Base.metadata.tables[name].c[c].type) for c in columns))


def admin_of_new_workspace(session) -> Actor:  # type: ignore[no-untyped-def]
    """A workspace with a project OLD, through today's services; its admin, acting with every scope."""
    workspace = create_workspace(session, "w")
    add_project(session, workspace.id, ProjectCreate(key="OLD", name="Old"))
    admin = add_user(session, workspace.id, UserCreate(email="a@example.com", name="A", role="admin"))
    return Actor(workspace.id, admin.id, "admin", frozenset(SCOPES))


def insert_old_comment(session, actor: Actor, case_id: uuid.UUID, body: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """A comment row as migrations up to 0004 define it (the models' Comment has columns added since)."""
    ids = ("id", "workspace_id", "case_id", "author_id", "updated_by")
    old = sa.table(
        "comments",
        *(sa.column(name, sa.Uuid()) for name in ids),
        *(sa.column(name, UTCDateTime()) for name in ("created_at", "updated_at")),
        sa.column("body", sa.Text()),
        sa.column("mentions", JSONType),
    )
    comment_id, now = new_id(), utcnow()
    values = dict(zip(ids, (comment_id, actor.workspace_id, case_id, actor.user_id, actor.user_id), strict=True))
    session.execute(old.insert().values(**values, created_at=now, updated_at=now, body=body, mentions=[]))
    return comment_id


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0005_gives_existing_cases_the_default_owner_and_opened_at_and_keeps_text_search(backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            actor = admin_of_new_workspace(session)
            case = create_case(session, actor, CaseCreate(title="Ransomware on the file server"))
            return actor, case.key, case.created_at

        actor, key, created_at = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        # The cases as 0004 held them: the new columns and table dropped with whatever they held.
        command.downgrade(config, "0004")
        assert "case_attributes" not in sa.inspect(db.engine).get_table_names()
        command.upgrade(config, "head")

        def after(session):  # type: ignore[no-untyped-def]
            case = session.scalar(select(Case).where(Case.key == key))
            later = create_case(session, actor, CaseCreate(title="Second ransomware case", attributes={"env": ["prod"]}))
            found = {c.key for c in list_cases(session, actor, CaseFilter(q="ransomware")).items}
            by_attribute = [c.key for c in list_cases(session, actor, CaseFilter(attribute=["env:prod"])).items]
            return case, later.key, found, by_attribute

        case, later, found, by_attribute = db.run_sync(after)
        assert (case.owner, case.category, case.opened_at, case.resolved_at) == ("cases", None, created_at, None)
        assert (case.requester_id, case.attributes, case.vendor_data) == (None, {}, {})
        assert found == {key, later}
        assert by_attribute == [later]


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0007_moves_projects_standard_types_to_the_workspace(backend, tmp_path):
    with fresh_database(backend, tmp_path, revision="0002") as db:
        workspace_id, user_id, case_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        plain, prefilled = uuid.uuid4(), uuid.uuid4()
        now = datetime.now(UTC)
        with db.engine.begin() as connection:
            connection.execute(_table("workspaces").insert(), {"id": workspace_id, "name": "w", "case_counter": 1, "created_at": now})
            for project_id, key in ((plain, "OLD"), (prefilled, "PRE")):
                connection.execute(
                    _table("projects").insert(),
                    {"id": project_id, "workspace_id": workspace_id, "key": key, "name": key, "description": "",
                     "case_counter": 1, "created_at": now, "updated_at": now},
                )
            connection.execute(
                _table("users").insert(),
                {"id": user_id, "workspace_id": workspace_id, "email": "a@example.com", "name": "A", "role": "admin",
                 "active": True, "created_at": now, "updated_at": now},
            )
            connection.execute(
                _table("cases").insert(),
                {"id": case_id, "workspace_id": workspace_id, "project_id": plain, "number": 1, "key": "OLD-1",
                 "title": "t", "description": "", "status": "open", "priority_rank": 6, "severity": "low",
                 "type": "STANDARD", "assignee_ids": [], "tags": [], "author_id": user_id, "external_refs": {},
                 "metadata": {}, "created_at": now, "updated_at": now, "updated_by": user_id, "version": 1},
            )
        config = migrate.alembic_config(db.engine)
        command.upgrade(config, "0004")
        types = sa.table("case_types", sa.column("project_id", sa.Uuid()), sa.column("prefill", sa.JSON()))
        columns = ("id", "workspace_id", "project_id", "key", "label", "type", "required_to_close", "options",
                   "active", "owner", "position", "created_at", "updated_at")
        definitions = Base.metadata.tables["field_definitions"]
        fields = sa.table("field_definitions", *(sa.column(c, definitions.c[c].type) for c in columns))
        with db.engine.begin() as connection:
            high = sa.update(types).where(types.c.project_id == prefilled).values(prefill={"severity": "high"})
            connection.execute(high)
            connection.execute(fields.insert(), {
                "id": uuid.uuid4(), "workspace_id": workspace_id, "project_id": plain, "key": "team", "label": "Team",
                "type": "text", "required_to_close": False, "options": [], "active": True, "owner": "casework",
                "position": 0, "created_at": now, "updated_at": now,
            })
        command.upgrade(config, "head")

        def numbering_as_created(session):  # type: ignore[no-untyped-def]
            # Rows inserted above skipped the services, which give PostgreSQL its numbering sequences.
            numbering.create_workspace_sequence(session, workspace_id)
            for project_id in (plain, prefilled):
                numbering.create_project_sequence(session, project_id)
            session.flush()
            numbering.advance_to(session.connection(), workspace_id, plain, 1, 1)

        db.run_sync(numbering_as_created)
        actor = Actor(workspace_id, user_id, "admin", frozenset(SCOPES))
        project_keys = ("OLD", "PRE")

        def after(session):  # type: ignore[no-untyped-def]
            types = {
                key: [(t.name, t.builtin, str(t.public_id)) for t in list_types(session, actor, key)]
                for key in project_keys
            }
            updated = update_case(session, actor, "OLD-1", CaseUpdate(title="Changed", fields={"team": "blue"}))
            new = create_case(session, actor, CaseCreate(title="New", project="PRE", type="STANDARD PRE"))
            return types, (updated.type, updated.fields), (new.type, new.severity)

        types, updated, new = db.run_sync(after)
        standard = ("STANDARD", True, "00000000-0000-0000-0000-000000000001")
        assert types == {"OLD": [standard], "PRE": [standard, ("STANDARD PRE", False, types["PRE"][1][2])]}
        assert updated == ("STANDARD", {"team": "blue"})
        assert new == ("STANDARD PRE", "high")

        command.downgrade(config, "0004")
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT name FROM case_types WHERE builtin = true ORDER BY name")).all()
        assert [r[0] for r in rows] == ["STANDARD", "STANDARD"]  # one per project again


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0011_gives_existing_comments_version_1_public_and_no_title(backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            actor = admin_of_new_workspace(session)
            case = create_case(session, actor, CaseCreate(title="With an old comment"))
            return actor, case.key, case.id

        actor, key, case_id = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0011").down_revision)
        comment_id = db.run_sync(insert_old_comment, actor, case_id, "Written before 0011")
        command.upgrade(config, "head")

        def after(session):  # type: ignore[no-untyped-def]
            found = get_comment(session, actor, key, str(comment_id))
            return found.body, found.version, found.public, found.title

        assert db.run_sync(after) == ("Written before 0011", 1, True, None)
        edited = db.run_sync(lambda s: edit_comment(s, actor, key, str(comment_id), CommentUpdate(body="new", version=1)))
        assert (edited.version, edited.body) == (2, "new")
        # Still found by text search: adding the columns left the search index whole.
        assert {c.key for c in db.run_sync(lambda s: list_cases(s, actor, CaseFilter(q="new")).items)} == {key}


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0008_keeps_the_log_and_lets_a_deletion_entry_outlive_its_case(backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            workspace = create_workspace(session, "w")
            project = add_project(session, workspace.id, ProjectCreate(key="OLD", name="Old"))
            admin = add_user(session, workspace.id, UserCreate(email="a@example.com", name="A", role="admin"))
            actor = Actor(workspace.id, admin.id, "admin", frozenset(SCOPES))
            case = create_case(session, actor, CaseCreate(title="Old case"))
            add_comment(session, actor, case.key, CommentCreate(body="kept"))
            return actor, project.id, case.id

        actor, project_id, case_id = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        # Back to before 0008 (the rows stay), then up again over them.
        command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0008").down_revision)
        command.upgrade(config, "head")

        def after(session):  # type: ignore[no-untyped-def]
            project = session.get_one(Project, project_id)
            entries = session.scalars(select(Activity).where(Activity.case_id == case_id).order_by(Activity.id)).all()
            return project.managers_may_delete, [(e.action, e.on_behalf_of) for e in entries]

        assert db.run_sync(after) == (False, [("created", None), ("commented", None)])
        db.run_sync(lambda session: delete_case(session, actor, LocalFileStore(tmp_path / "files"), case_id))
        assert db.run_sync(after)[1] == [("case_deleted", None)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0012_widens_the_category_index_and_keeps_category_pages(backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            actor = admin_of_new_workspace(session)
            keys = [create_case(session, actor, CaseCreate(title=t, category=c)).key for t, c in (("a", "b"), ("c", "a"))]
            return actor, keys

        actor, keys = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0012").down_revision)
        assert _index_columns(db, "ix_cases_ws_category") == ["workspace_id", "category", "id"]
        command.upgrade(config, "head")

        assert _index_columns(db, "ix_cases_ws_category") == ["workspace_id", "category", "id", "archived_at"]
        page = db.run_sync(lambda s: list_cases(s, actor, CaseFilter(), "category", "asc").items)
        assert [c.key for c in page] == [keys[1], keys[0]]


def _index_columns(db, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        indexes = sa.inspect(connection).get_indexes("cases")
    return next(index["column_names"] for index in indexes if index["name"] == name)


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0013_counts_each_assignees_existing_cases(backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            actor = admin_of_new_workspace(session)
            other = add_user(session, actor.workspace_id, UserCreate(email="b@example.com", name="B", role="agent"))
            for status, assignees in (("open", [actor.user_id]), ("closed", [actor.user_id, other.id]), ("open", [])):
                create_case(session, actor, CaseCreate(title="c", status=status, assignees=assignees))
            return actor, other.id

        actor, other = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, "0012")
        command.upgrade(config, "head")

        def counted(session, user):  # type: ignore[no-untyped-def]
            return list_cases(session, actor, CaseFilter(assignee=[user]), with_status_counts=True).status_counts

        assert db.run_sync(counted, actor.user_id) == {"open": 1, "in_progress": 0, "closed": 1}
        assert db.run_sync(counted, other) == {"open": 0, "in_progress": 0, "closed": 1}


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0017_keeps_existing_fields_without_a_description(backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            actor = admin_of_new_workspace(session)
            project = session.scalars(select(Project).where(Project.workspace_id == actor.workspace_id)).one()
            fields.create_field(session, actor, project.key, FieldCreate(key="region", label="Region", type="text"))
            create_case(session, actor, CaseCreate(title="c", project=project.key, fields={"region": "eu"}))
            return actor, project.key

        actor, project_key = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, "0016")
        command.upgrade(config, "head")

        def after(session):  # type: ignore[no-untyped-def]
            field = fields.get_field(session, actor, project_key, "region")
            held = list_cases(session, actor, CaseFilter(project=project_key)).items[0].fields
            return field.label, field.description, held

        assert db.run_sync(after) == ("Region", None, {"region": "eu"})
        described = FieldUpdate(description="Where it happened")
        changed = db.run_sync(lambda s: fields.update_field(s, actor, project_key, "region", described))
        assert changed.description == "Where it happened"


def test_upgrading_to_0016_adds_the_auth_generation_and_keeps_tokens_working(backend, tmp_path):
    with fresh_database(backend, tmp_path, revision="0015") as db:

        def before(session):  # type: ignore[no-untyped-def]
            actor = admin_of_new_workspace(session)
            admin = session.get(User, actor.user_id)
            _, secret = issue_token(session, admin, "ci", list(SCOPES))
            return actor, secret

        actor, secret = db.run_sync(before)
        command.upgrade(migrate.alembic_config(db.engine), "head")
        assert db.run_sync(current_generation, write=False) == 0
        auth = db.run_sync(lambda s: authenticate(s, secret), write=False)
        assert auth.actor.user_id == actor.user_id
        db.run_sync(revoke_token, actor, auth.actor.token_id)
        assert db.run_sync(current_generation, write=False) == 1
