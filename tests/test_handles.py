"""Integer handles: every row the vendor APIs address by integer shows a stable, unique `number`, and every route that
takes the row's id takes its number too."""

import threading

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casework.activity.models import Activity
from casework.auth.schemas import UserCreate
from casework.auth.service import SCOPES, Actor, add_user
from casework.cases.models import Tag
from casework.cases.schemas import CaseCreate, CaseUpdate
from casework.cases.service import create_case, update_case
from casework.cases.tags import KNOWN_TAGS_AT_ONCE, find_tag, register_tags
from casework.comments.models import Comment
from casework.comments.schemas import CommentCreate
from casework.comments.service import add_comment
from casework.db import migrate
from casework.db.base import new_id, utcnow
from casework.db.handles import next_handle_sql
from casework.errors import NotFound
from casework.projects.schemas import ProjectCreate
from casework.projects.service import add_project, create_workspace
from casework.tasks.models import Task
from casework.tasks.schemas import TaskCreate
from casework.tasks.service import add_task
from tests.blocks.common import seed_blocks
from tests.conftest import BACKENDS, fresh_database
from tests.helpers import activity, assert_problem, create, issued_statements


def _is_handle(value: object) -> bool:
    return type(value) is int and value > 0


async def _ok(response, status: int = 200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


async def test_every_native_view_shows_its_number_and_every_route_takes_it_for_the_id(client, tenant):
    project = await _ok(await client.post("/projects", json={"key": "OPS", "name": "Operations"}), 201)
    user = await _ok(await client.post("/users", json={"email": "ana@example.com", "name": "Ana", "role": "agent"}), 201)
    status = await _ok(
        await client.post("/projects/SEC/statuses", json={"name": "Triage", "group": "open", "category": "new"}), 201
    )
    field = await _ok(await client.post("/projects/SEC/fields", json={"key": "amount", "label": "A", "type": "number"}), 201)
    case = await create(client, tags=["phishing"])
    comment = await _ok(await client.post(f"/cases/{case['key']}/comments", json={"body": "seen"}), 201)
    task = await _ok(await client.post(f"/cases/{case['key']}/tasks", json={"description": "check"}), 201)
    file = await _ok(
        await client.post(f"/cases/{case['key']}/files", json={"filename": "a.txt", "content_base64": "aGk="}), 201
    )
    blocks = (await _ok(await client.post(f"/cases/{case['key']}/blocks", json={"blocks": seed_blocks()}), 201))["items"]
    action = await _ok(await client.post(f"/cases/{case['key']}/actions", json={"type": "comment", "comment": "hi"}), 201)

    shown = [project, user, status, field, comment, task, file, action, *blocks]
    shown += [element for block in blocks for element in block["elements"]]
    shown += await activity(client, case)
    assert all(_is_handle(row["number"]) for row in shown)

    by_number = {
        f"/projects/{project['number']}": project["id"],
        f"/users/{user['number']}": user["id"],
        f"/projects/SEC/statuses/{status['number']}": status["id"],
        f"/projects/SEC/fields/{field['number']}": field["id"],
        f"/cases/{case['number']}": case["id"],
        f"/cases/{case['key']}/comments/{comment['number']}": comment["id"],
        f"/cases/{case['key']}/tasks/{task['number']}": task["id"],
        f"/cases/{case['key']}/files/{file['number']}": file["id"],
        f"/cases/{case['key']}/blocks/{blocks[0]['number']}": blocks[0]["id"],
    }
    for path, expected in by_number.items():
        assert (await _ok(await client.get(path)))["id"] == expected, path
    edited = await _ok(await client.patch(f"/cases/{case['key']}/comments/{comment['number']}", json={"body": "done"}))
    assert (edited["id"], edited["number"], edited["body"]) == (comment["id"], comment["number"], "done")
    assert (await client.delete(f"/cases/{case['key']}/tasks/{task['number']}")).status_code == 204
    assert_problem(await client.get(f"/cases/{case['key']}/tasks/{task['number']}"), 404)


async def test_a_status_named_with_digits_is_still_found_by_name(client):
    status = await _ok(
        await client.post("/projects/SEC/statuses", json={"name": "99999999", "group": "open", "category": "open"}), 201
    )
    assert (await _ok(await client.get("/projects/SEC/statuses/99999999")))["id"] == status["id"]
    case = await create(client)
    moved = await _ok(await client.patch(f"/cases/{case['key']}", json={"status": str(status["number"])}))
    assert (moved["status_id"], moved["status_name"]) == (status["id"], "99999999")


async def test_a_project_key_of_digits_only_is_refused(client):
    assert_problem(await client.post("/projects", json={"key": "123", "name": "Digits"}), 422, "key")


async def test_handles_are_unique_increasing_and_never_given_again_after_a_delete(client):
    case = await create(client)
    url = f"/cases/{case['key']}/comments"
    first = [await _ok(await client.post(url, json={"body": f"c{i}"}), 201) for i in range(3)]
    assert (await client.delete(f"{url}/{first[-1]['number']}")).status_code == 204
    later = await _ok(await client.post(url, json={"body": "after the delete"}), 201)
    numbers = [c["number"] for c in first] + [later["number"]]
    assert numbers == sorted(set(numbers))
    assert_problem(await client.get(f"{url}/{first[-1]['number']}"), 404)
    # The numbers are the rows' own: read again, they have not moved.
    listed = (await _ok(await client.get(url)))["items"]
    assert [(c["id"], c["number"]) for c in listed] == [(c["id"], c["number"]) for c in [*first[:2], later]]


async def test_a_row_takes_its_handle_in_its_own_insert(client, db):
    """No statement of its own reads the next handle (SQLite works it out within the insert)."""
    case = await create(client)
    with issued_statements(db.engine) as issued:
        comment = await _ok(await client.post(f"/cases/{case['id']}/comments", json={"body": "numbered"}), 201)
    statements = [s.flat for s in issued]
    inserts = [s.split(" (")[0] for s in statements if s.startswith("INSERT")]
    assert inserts == ["INSERT INTO comments", "INSERT INTO activity"]
    assert not [s for s in statements if s.startswith("SELECT max(coalesce")]
    entries = await activity(client, case)
    assert _is_handle(comment["number"]) and entries[-1]["number"] > entries[0]["number"]


async def test_a_number_of_another_workspace_is_not_found(client, other_client, tenant):
    case = await create(client)
    mine = await _ok(await client.post(f"/cases/{case['key']}/comments", json={"body": "mine"}), 201)
    theirs_case = await create(other_client)
    theirs = await _ok(await other_client.post(f"/cases/{theirs_case['key']}/comments", json={"body": "theirs"}), 201)
    assert_problem(await client.get(f"/cases/{case['key']}/comments/{theirs['number']}"), 404)
    users = await _ok(await client.get("/users"))
    assert_problem(await other_client.get(f"/users/{users[0]['number']}"), 404)
    assert mine["number"] != theirs["number"]


@pytest.mark.parametrize("number", ["2147483648", "28187288914187", "9" * 18])
async def test_a_number_past_the_column_range_is_simply_not_found(client, number):
    case = await create(client)
    assert_problem(await client.get(f"/cases/{number}"), 404)
    assert_problem(await client.get(f"/cases/{case['key']}/comments/{number}"), 404)
    assert_problem(await client.delete(f"/cases/{number}", params={"permanent": "true"}), 404)


async def test_a_case_gaining_a_tag_registers_it_once_in_the_workspace(client, other_client, tenant, db):
    first = await create(client, tags=["phishing", "vip"])
    await create(client, tags=["phishing"])
    await _ok(await client.patch(f"/cases/{first['key']}", json={"tags": ["vip", "urgent"]}))
    await create(other_client, tags=["phishing"])
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))

    def registry(session):  # type: ignore[no-untyped-def]
        tags = session.scalars(select(Tag).where(Tag.workspace_id == tenant.workspace_id)).all()
        return {t.name: t.number for t in tags}

    tags = db.run_sync(registry, write=False)
    assert set(tags) == {"phishing", "vip", "urgent"}
    assert all(_is_handle(n) for n in tags.values()) and len(set(tags.values())) == 3
    by_number = db.run_sync(lambda s: find_tag(s, actor, tags["vip"]).name, write=False)
    by_name = db.run_sync(lambda s: find_tag(s, actor, "urgent").number, write=False)
    assert (by_number, by_name) == ("vip", tags["urgent"])
    with pytest.raises(NotFound):
        db.run_sync(lambda s: find_tag(s, actor, str(tags["vip"])), write=False)


@pytest.mark.parametrize("known", [1, KNOWN_TAGS_AT_ONCE, 2 * KNOWN_TAGS_AT_ONCE + 1])
def test_known_tags_are_read_not_inserted_again_so_no_handle_is_spent(tenant, db, known):
    """However many tags a write names, the known ones are found (in turns past a few) and only the rest inserted:
    an insert ignored on PostgreSQL would spend a handle, and the new tag (inserted last) would not follow the
    last known one."""
    names = [f"tag-{i:02}" for i in range(known)]

    def registry(session):  # type: ignore[no-untyped-def]
        return dict(session.execute(select(Tag.name, Tag.number).where(Tag.workspace_id == tenant.workspace_id)).all())

    db.run_sync(register_tags, tenant.workspace_id, names)
    before = db.run_sync(registry, write=False)
    db.run_sync(register_tags, tenant.workspace_id, [*reversed(names), "vip", names[0]])
    after = db.run_sync(registry, write=False)
    assert set(before) == set(names)
    assert {name: after[name] for name in names} == before
    assert after["vip"] == max(before.values()) + 1


def test_rows_inserted_without_a_handle_get_one_each(tenant, db):
    """Bulk paths (executemany, INSERT .. SELECT) that name no number still give every row its own."""

    def work(session):  # type: ignore[no-untyped-def]
        actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
        case = create_case(session, actor, CaseCreate(title="bulk"))
        rows = [
            {"id": new_id(), "workspace_id": tenant.workspace_id, "case_id": case.id, "actor_id": None,
             "action": "commented", "changes": {}, "source": "cli", "created_at": utcnow()}
            for _ in range(3)
        ]
        session.execute(sa.insert(Activity.__table__), rows)
        copied = select(
            func.lower(func.hex(func.randomblob(16))) if session.get_bind().dialect.name == "sqlite" else func.gen_random_uuid(),
            Activity.workspace_id, Activity.case_id, Activity.actor_id, Activity.action, Activity.changes,
            Activity.source, Activity.created_at,
        ).where(Activity.id.in_([r["id"] for r in rows]))
        columns = ["id", "workspace_id", "case_id", "actor_id", "action", "changes", "source", "created_at"]
        session.execute(sa.insert(Activity.__table__).from_select(columns, copied))
        return list(session.scalars(select(Activity.number).where(Activity.case_id == case.id)))

    numbers = tenant.db.run_sync(work)
    assert len(numbers) == len(set(numbers)) >= 7 and all(_is_handle(n) for n in numbers)


def test_writers_in_open_transactions_get_different_numbers_without_waiting(tenant, db, backend):
    """PostgreSQL: a second writer takes its number while the first one's transaction is still open (nextval never
    waits). SQLite has one writer at a time: a writer on another connection (the CLI beside the server) continues
    the same counter."""
    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
    cases = db.run_sync(lambda s: [create_case(s, actor, CaseCreate(title=t)).key for t in ("a", "b")])

    def comment(session: Session, key: str) -> int:
        return add_comment(session, actor, key, CommentCreate(body="x")).comment.number

    if backend == "sqlite":
        other = sa.create_engine(db.url)
        with Session(other) as session, session.begin():
            outside = comment(session, cases[0])
        other.dispose()
        inside = db.run_sync(comment, cases[1])
        assert inside > outside
        return
    with Session(db.engine) as first:
        first.begin()
        held = comment(first, cases[0])
        answer: list[int] = []
        second = threading.Thread(target=lambda: answer.append(db.run_sync(comment, cases[1])))
        second.start()
        second.join(timeout=10)
        assert answer, "the second writer waited for the first one's transaction"
        first.commit()
    assert held != answer[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_numbers_existing_rows_in_creation_order_and_registers_their_tags(backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:

        def before(session):  # type: ignore[no-untyped-def]
            # Through the services at head, then back to before 0009: the rows stay, their numbers go.
            workspace = create_workspace(session, "w")
            add_project(session, workspace.id, ProjectCreate(key="OLD", name="Old"))
            admin = add_user(session, workspace.id, UserCreate(email="a@example.com", name="A", role="admin"))
            actor = Actor(workspace.id, admin.id, "admin", frozenset(SCOPES))
            case = create_case(session, actor, CaseCreate(title="t", tags=["b", "a"]))
            for body in ("one", "two", "three"):
                add_comment(session, actor, case.key, CommentCreate(body=body))
            add_task(session, actor, case.key, TaskCreate(description="d"))
            return actor, case.key

        actor, key = db.run_sync(before)
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0009").down_revision)
        with db.engine.connect() as connection:
            assert "number" not in {c["name"] for c in sa.inspect(connection).get_columns("comments")}
        command.upgrade(config, "head")

        def after(session):  # type: ignore[no-untyped-def]
            comments = session.execute(select(Comment.body, Comment.number).order_by(Comment.created_at)).all()
            tasks = session.scalars(select(Task.number)).all()
            tags = {t.name for t in session.scalars(select(Tag).where(Tag.workspace_id == actor.workspace_id))}
            added = add_comment(session, actor, key, CommentCreate(body="four")).comment.number
            renamed = update_case(session, actor, key, CaseUpdate(tags=["a", "c"]))
            return comments, tasks, tags, added, renamed

        comments, tasks, tags, added, _ = db.run_sync(after)
        assert [(body, number) for body, number in comments] == [("one", 1), ("two", 2), ("three", 3)]
        assert tasks == [1]
        assert tags == {"a", "b"}
        assert added > 3
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM tags WHERE name = 'c'")).scalar() == 1
            numbers = connection.execute(text("SELECT number FROM tags")).scalars().all()
            assert len(numbers) == len(set(numbers)) == 3


def test_the_next_handle_is_an_index_lookup_or_an_identity(db, backend):
    """SQLite reads the last entry of the unique index on number (no scan, however large the table); PostgreSQL's
    column takes its default from its own sequence."""
    with db.engine.connect() as connection:
        if backend == "sqlite":
            plan = " ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN SELECT {next_handle_sql('activity')}"))
            assert "USING COVERING INDEX ix_activity_number" in plan and "SCAN activity" not in plan, plan
        else:
            identity = connection.execute(
                text("SELECT is_identity FROM information_schema.columns WHERE table_name = 'activity' "
                     "AND column_name = 'number' AND table_schema = current_schema()")
            ).scalar_one()
            assert identity == "YES"
