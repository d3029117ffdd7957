"""The migration history builds exactly the schema the models declare, on both databases."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

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
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            # Through the services at head, then back to 0003: the rows stay, the index goes.
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
        # Going back leaves nothing of the index behind.
        command.downgrade(config, "0003")
        inspector = sa.inspect(db.engine)
        assert not [t for t in inspector.get_table_names() if "search" in t]
        for table in ("cases", "comments"):
            assert "search_vector" not in {c["name"] for c in inspector.get_columns(table)}
            assert not [i for i in inspector.get_indexes(table) if "search" in i["name"]]
