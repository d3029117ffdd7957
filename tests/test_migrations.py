"""The migration history builds exactly the schema the models declare, on both databases."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from casework.activity.models import Activity
from casework.attachments.storage import LocalFileStore
from casework.auth.schemas import UserCreate
from casework.auth.service import SCOPES, Actor, add_user
from casework.cases.models import Case
from casework.cases.schemas import CaseCreate, CaseFilter
from casework.cases.search import list_cases
from casework.cases.service import create_case
from casework.cases.text_search import include_name
from casework.comments.schemas import CommentCreate
from casework.comments.service import add_comment
from casework.db import migrate
from casework.db.models import Base
from casework.deletion.service import delete_case
from casework.projects.models import Project
from casework.projects.schemas import ProjectCreate
from casework.projects.service import add_project, create_workspace
from casework.workflow.case_types.models import CaseType
from casework.workflow.statuses.defaults import DEFAULT_STATUSES
from casework.workflow.statuses.models import CaseStatus
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
            types = session.scalars(select(CaseType.name).where(CaseType.project_id == project_id)).all()
            return statuses, cases, types

        statuses, cases, types = db.run_sync(work)
        assert [s.name for s in sorted(statuses, key=lambda s: s.position)] == [s.name for s in DEFAULT_STATUSES]
        assert types == ["STANDARD"]
        for group, case_id in groups.items():
            case = cases[case_id]
            assert (case.current_status.group, case.current_status.is_default) == (group, True)
            assert case.status_category == case.current_status.category
            assert (case.fields, case.closure_conditions) == ({}, [])


def _table(name: str) -> sa.Table:
    """The table as migration 0002 left it, enough to insert rows."""
    columns = {
        "workspaces": ["id", "name", "case_counter", "created_at"],
        "projects": ["id", "workspace_id", "key", "name", "description", "case_counter", "created_at", "updated_at"],
        "users": ["id", "workspace_id", "email", "name", "role", "active", "created_at", "updated_at"],
        "cases": ["id", "workspace_id", "project_id", "number", "key", "title", "description", "status",
                  "priority_rank", "severity", "type", "assignee_ids", "tags", "author_id", "external_refs", "metadata",
                  "created_at", "updated_at", "updated_by", "version"],
    }[name]
    return sa.table(name, *(sa.column(c, Base.metadata.tables[name].c[c].type) for c in columns))


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_0004_indexes_existing_cases_and_comments_for_text_search(backend, tmp_path):
    # The data is made through the services at head (the models may declare columns newer than 0003), then the
    # history goes back to 0003 and up again: the way up must index what the database already holds.
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            workspace = create_workspace(session, "w")
            add_project(session, workspace.id, ProjectCreate(key="OLD", name="Old"))
            admin = add_user(session, workspace.id, UserCreate(email="a@example.com", name="A", role="admin"))
            actor = Actor(workspace.id, admin.id, "admin", frozenset(SCOPES))
            by_text = create_case(session, actor, CaseCreate(title="Ransomware on the file server"))
            by_comment = create_case(session, actor, CaseCreate(title="Quiet case"))
            add_comment(session, actor, by_comment.key, CommentCreate(body="A ransomware note, after all"))
            create_case(session, actor, CaseCreate(title="Lost badge"))
            return actor, {by_text.key, by_comment.key}

        actor, expected = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, "0003")
        command.upgrade(config, "head")

        def found(session, q):  # type: ignore[no-untyped-def]
            return {case.key for case in list_cases(session, actor, CaseFilter(q=q)).items}

        assert db.run_sync(found, "ransomware") == expected
        # Going back leaves nothing of the index behind: no table, column or index the models do not declare.
        # (Later revisions' own additions are missing at 0003, so only what is left over counts.)
        command.downgrade(config, "0003")
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
        left_over = ("remove_table", "remove_column", "remove_index")
        assert [d for d in differences if isinstance(d, tuple) and d[0] in left_over] == []


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
        command.downgrade(config, "0004")
        command.upgrade(config, "head")

        def after(session):  # type: ignore[no-untyped-def]
            project = session.get_one(Project, project_id)
            entries = session.scalars(select(Activity).where(Activity.case_id == case_id).order_by(Activity.id)).all()
            return project.managers_may_delete, [(e.action, e.on_behalf_of) for e in entries]

        assert db.run_sync(after) == (False, [("created", None), ("commented", None)])
        db.run_sync(lambda session: delete_case(session, actor, LocalFileStore(tmp_path / "files"), case_id))
        assert db.run_sync(after)[1] == [("case_deleted", None)]
