"""Adding a comment costs the same on a case with thousands of comments as on an empty one.

Proved by the statements themselves, not by timing: the same SQL runs in both cases, and none of it reads the
case's comments as a list (no count, no select of comments but by primary key).
"""

import re
import uuid

from sqlalchemy import insert, update

from casework.auth.service import SCOPES, Actor
from casework.cases.models import Case
from casework.comments import service
from casework.comments.models import Comment
from casework.comments.schemas import CommentCreate, CommentUpdate
from casework.db.base import new_id, utcnow
from casework.db.handles import next_handle_sql
from tests.comments.support import add_files
from tests.helpers import create, issued_statements, read

MANY = 2_000


def fill(db, tenant, case_id: str, n: int) -> None:
    """n comments written straight into the table, with the case's counter to match."""
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "workspace_id": tenant.workspace_id,
            "case_id": uuid.UUID(case_id),
            "author_id": tenant.admin.id,
            "body": f"old note {i}",
            "mentions": [],
            "created_at": now,
            "updated_at": now,
            "updated_by": tenant.admin.id,
        }
        for i in range(n)
    ]

    def work(session):  # type: ignore[no-untyped-def]
        session.execute(insert(Comment.__table__), rows)
        session.execute(update(Case.__table__).where(Case.id == uuid.UUID(case_id)).values(comment_count=n))

    db.run_sync(work)


def reads_comments_as_a_list(sql: str) -> bool:
    """A statement that selects from comments other than one row by its primary key, or counts anything."""
    flat = " ".join(sql.split()).lower()
    # SQLite's next comment handle (casework.db.handles) reads the last entry of the index on number, nothing more.
    flat = flat.replace("(select max(number) from comments)", "")
    if "count(" in flat:
        return True
    if not re.search(r"\bfrom comments\b", flat):
        return False
    return not re.search(r"where comments\.id = \S+( limit \S+)?$", flat)


async def test_adding_a_comment_runs_the_same_statements_on_a_full_case_as_on_an_empty_one(client, tenant, db):
    mate = tenant.add_member("agent")
    empty, full = await create(client), await create(client)
    fill(db, tenant, full["id"], MANY)
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))

    def add(case):  # type: ignore[no-untyped-def]
        [file_id] = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id)
        data = CommentCreate(body=f"cc <@user-{mate.id}>", file_ids=[uuid.UUID(file_id)])
        with issued_statements(db.engine) as seen:
            db.run_sync(service.add_comment, actor, case["id"], data)
        return [statement.sql for statement in seen]

    on_empty, on_full = add(empty), add(full)
    assert on_empty, "no statement was seen: the listener is not on the engine the service uses"
    assert len(on_full) == len(on_empty)
    assert on_full == on_empty
    assert [sql for sql in on_full if reads_comments_as_a_list(sql)] == []
    assert any(re.search(r"insert into comments\b", " ".join(sql.split()).lower()) for sql in on_full)

    assert (await read(client, empty))["counts"]["comments"] == 1
    assert (await read(client, full))["counts"]["comments"] == MANY + 1
    page = (await client.get(f"/cases/{full['id']}/comments", params={"limit": 1})).json()
    assert page["items"][0]["body"] == "old note 0" and page["next_cursor"]


def test_the_list_reading_check_catches_a_count_and_a_list_read():
    # The check itself must be able to fail, or the test above proves nothing.
    assert reads_comments_as_a_list("SELECT count(*) AS count_1 FROM comments WHERE comments.case_id = ?")
    assert reads_comments_as_a_list("SELECT comments.id FROM comments WHERE comments.case_id = ? ORDER BY comments.id")
    assert not reads_comments_as_a_list("SELECT comments.body FROM comments WHERE comments.id = ?")
    assert not reads_comments_as_a_list("INSERT INTO comments (id, body) VALUES (?, ?)")
    assert not reads_comments_as_a_list(f"SELECT {next_handle_sql('comments')}")


async def test_an_edit_writes_the_comment_row_once(client, tenant, db):
    case = await create(client)
    note = (await client.post(f"/cases/{case['id']}/comments", json={"body": "v1"})).json()
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
    with issued_statements(db.engine) as seen:
        db.run_sync(service.edit_comment, actor, case["id"], note["id"], CommentUpdate(body="v2"))
    writes = [s.flat.lower() for s in seen if s.sql.lstrip().upper().startswith("UPDATE COMMENTS")]
    assert len(writes) == 1, seen
    fetched = (await client.get(f"/cases/{case['id']}/comments/{note['id']}")).json()
    assert fetched["body"] == "v2"
