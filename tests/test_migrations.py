"""The migration history builds exactly the schema the models declare, on both databases."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from casework.auth.service import SCOPES, Actor
from casework.cases.models import Case
from casework.cases.schemas import CaseFilter
from casework.cases.search import list_cases
from casework.cases.text_search import include_name
from casework.db import migrate
from casework.db.models import Base
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
