"""A change to a case's content locks the case as a read model (LockedCase, one plain statement of the case row) and
builds no case entity; the version it writes is the row's own, raised, so that a change made within another (an
override's comment) counts once each."""

import sqlite3
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from casework.auth.service import SCOPES, Actor
from casework.cases import service as cases
from casework.cases.models import Case
from casework.comments import service as comments
from casework.comments.schemas import CommentCreate
from casework.db.database import Database
from casework.workflow.statuses.models import CaseStatus
from tests.helpers import create, issued_statements, read
from tests.workflow.overrides_support import act


def admin_of(tenant) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))


def another_writer_is_held_off(db: Database, case_id: uuid.UUID) -> bool:
    """Whether a writer on a connection of its own, not waiting, is kept from the case's row (PostgreSQL) or from
    writing at all (SQLite, one writer)."""
    if db.is_sqlite:
        other = sqlite3.connect(db.engine.url.database or "", timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return True
        finally:
            other.close()
        return False
    with db.engine.connect() as other:
        try:
            other.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE NOWAIT"), {"id": case_id})
        except OperationalError:
            return True
        finally:
            other.rollback()
    return False


async def test_a_comment_builds_no_case_entity_and_reads_the_case_row_alone(client, tenant, db):
    case = await create(client)
    actor = admin_of(tenant)

    def work(session):  # type: ignore[no-untyped-def]
        comments.add_comment(session, actor, case["id"], CommentCreate(body="Looked at it."))
        return {type(entity) for entity in session.identity_map.values()}

    with issued_statements(db.engine) as seen:
        held = db.run_sync(work)
    assert Case not in held and CaseStatus not in held
    [case_read] = [s.sql for s in seen if " ".join(s.sql.split()).startswith("SELECT") and "FROM cases" in s.sql]
    assert "case_statuses" not in case_read
    assert (await read(client, case))["counts"]["comments"] == 1


async def test_the_case_stays_locked_until_the_unit_of_work_ends(client, tenant, db):
    case = await create(client)
    case_id = uuid.UUID(case["id"])

    def work(session):  # type: ignore[no-untyped-def]
        locked = cases.lock_case_for_change(session, admin_of(tenant), case["key"])
        return locked.id, another_writer_is_held_off(db, case_id)

    locked_id, held_off = db.run_sync(work)
    assert locked_id == case_id
    assert held_off
    assert not another_writer_is_held_off(db, case_id)


async def test_each_change_writes_the_row_s_version_raised_whatever_the_case_it_was_given_says(client, tenant, db):
    case = await create(client)
    actor = admin_of(tenant)

    def work(session):  # type: ignore[no-untyped-def]
        first = cases.lock_case_for_change(session, actor, case["id"])
        second = cases.lock_case_for_change(session, actor, case["id"])
        written = [
            cases.record_change(session, actor, first, "watcher_added", {"user_id": [None, str(actor.user_id)]}),
            cases.record_change(session, actor, second, "watcher_removed", {"user_id": [str(actor.user_id), None]}),
        ]
        return written, (first.version, second.version)

    written, held = db.run_sync(work)
    assert written == [case["version"] + 1, case["version"] + 2]
    assert held == (case["version"] + 1, case["version"] + 2)
    assert (await read(client, case))["version"] == case["version"] + 2


@pytest.mark.parametrize("kind", ["comment", "close"])
async def test_an_action_making_a_change_of_its_own_counts_both(client, kind):
    # A comment action adds a comment (one change) and logs the action (another); a close closes the case, then logs.
    case = await create(client)
    response = await act(client, case, kind, **({"comment": "Noted."} if kind == "comment" else {}))
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == f'"{case["version"] + 2}"'
    assert (await read(client, case))["version"] == case["version"] + 2
