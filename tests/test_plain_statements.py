"""A hot statement run plainly (casework.db.plain) answers what SQLAlchemy would, value for value and type for type,
on both databases, and is still seen by the engine's statement events; a write is refused when compiled if it would
leave SQLAlchemy a column default to fill in."""

import uuid
from datetime import datetime

import pytest
from sqlalchemy import Uuid, bindparam, insert, select, update
from sqlalchemy.orm import Session

from casework.cases.models import Case, CaseTag
from casework.cases.records import _CASE_BY, CASE_COLUMNS
from casework.cases.watching import CaseWatcher
from casework.db.database import writes_made
from casework.db.plain import UNIT_CONNECTION, PlainStatement, unit_connection
from tests.cases.test_case_record import with_content
from tests.conftest import Tenant
from tests.helpers import create, issued_statements


async def test_a_row_converts_as_sqlalchemy_converts_it(client, tenant: Tenant) -> None:
    case = await with_content(client)
    parameters = {"workspace_id": tenant.workspace_id, "ref": uuid.UUID(case["id"])}
    plain = _CASE_BY["id"]

    def both(session: Session) -> tuple[object, object]:
        return plain.first(session, parameters), tuple(session.execute(plain.statement, parameters).one())

    mine, sqlalchemys = tenant.db.run_sync(both, write=False)
    assert mine == sqlalchemys
    assert [type(value) for value in mine] == [type(value) for value in sqlalchemys]  # type: ignore[union-attr]
    # Moments, UUIDs and JSON among them, set: a conversion left out would show.
    assert {type(value).__name__ for value in mine if value is not None} >= {"UUID", "datetime", "dict", "list"}  # type: ignore[union-attr]


async def test_all_gives_every_row_converted_as_sqlalchemy_converts_it(client, tenant: Tenant) -> None:
    for title in ("one", "two", "three"):
        await create(client, title=title)
    plain = PlainStatement(
        select(Case.id, Case.title, Case.created_at, Case.tags)
        .where(Case.workspace_id == bindparam("workspace_id", type_=Uuid()))
        .order_by(Case.number)
    )
    parameters = {"workspace_id": tenant.workspace_id}

    def both(session: Session) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        return plain.all(session, parameters), [tuple(row) for row in session.execute(plain.statement, parameters)]

    mine, sqlalchemys = tenant.db.run_sync(both, write=False)
    assert [row[1] for row in mine] == ["one", "two", "three"]
    assert mine == sqlalchemys
    assert [type(value) for value in mine[0]] == [uuid.UUID, str, datetime, list]


def test_no_row_is_none(tenant: Tenant) -> None:
    parameters = {"workspace_id": tenant.workspace_id, "ref": uuid.uuid4()}
    assert tenant.db.run_sync(lambda session: _CASE_BY["id"].first(session, parameters), write=False) is None


def test_a_statement_runs_on_the_connection_of_the_session_s_transaction(tenant: Tenant) -> None:
    """A unit of work keeps its transaction's Connection (Session.connection() cost a create 3% of its instructions,
    asked at each statement); any other session is asked, and a kept Connection is not used past its transaction."""

    def kept(session: Session) -> bool:
        return session.info[UNIT_CONNECTION] is session.connection() is unit_connection(session)

    assert tenant.db.run_sync(kept) and tenant.db.run_sync(kept, write=False)
    with Session(tenant.db.engine) as session:
        assert unit_connection(session) is session.connection()
        session.info[UNIT_CONNECTION] = session.connection()
        session.commit()
        assert unit_connection(session) is session.connection()


def test_the_engines_statement_events_see_it(tenant: Tenant) -> None:
    parameters = {"workspace_id": tenant.workspace_id, "ref": "NOPE-1"}
    with issued_statements(tenant.db.engine) as issued:
        tenant.db.run_sync(lambda session: _CASE_BY["key"].first(session, parameters), write=False)
    assert len(issued) == 1 and issued[0].flat.startswith("SELECT")


def test_a_list_parameter_is_refused_when_compiled(tenant: Tenant) -> None:
    listed = PlainStatement(select(*CASE_COLUMNS).where(Case.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="scalar parameters"):
        tenant.db.run_sync(lambda session: listed.first(session, {"ids": [uuid.uuid4()]}), write=False)


_CASES = Case.__table__
_RETITLE = PlainStatement(
    update(_CASES)
    .where(_CASES.c.id == bindparam("case_id", type_=Uuid()))
    .values(title=bindparam("title"), version=_CASES.c.version + 1)
    .returning(_CASES.c.version, _CASES.c.updated_at, _CASES.c["metadata"], _CASES.c.id)
)


async def test_a_write_returns_what_its_row_then_holds_converted_as_sqlalchemy_converts_it(client, tenant) -> None:
    case = await with_content(client)
    case_id = uuid.UUID(case["id"])
    version = (await client.get(f"/cases/{case['id']}")).json()["version"]

    def retitle(session: Session) -> tuple[object, object]:
        returned = _RETITLE.first(session, {"case_id": case_id, "title": "Retitled"})
        read = session.execute(
            select(_CASES.c.version, _CASES.c.updated_at, _CASES.c["metadata"], _CASES.c.id, _CASES.c.title).where(
                _CASES.c.id == case_id
            )
        ).one()
        return returned, tuple(read)

    returned, read = tenant.db.run_sync(retitle)
    assert returned == read[:4] and read[4] == "Retitled"
    assert [type(value) for value in returned] == [type(value) for value in read[:4]]  # type: ignore[union-attr]
    assert returned[0] == version + 1  # type: ignore[index]
    assert (await client.get(f"/cases/{case['id']}")).json()["title"] == "Retitled"


async def test_run_says_how_many_rows_it_matched(client, tenant: Tenant) -> None:
    await create(client)
    await create(client)
    retitle = PlainStatement(update(_CASES).where(_CASES.c.workspace_id == bindparam("ws", type_=Uuid())).values(
        title=bindparam("title")
    ))  # fmt: skip

    def work(session: Session) -> tuple[int, int]:
        return (
            retitle.run(session, {"ws": uuid.uuid4(), "title": "nobody's"}),
            retitle.run(session, {"ws": tenant.workspace_id, "title": "both"}),
        )

    assert tenant.db.run_sync(work) == (0, 2)


async def test_run_many_writes_each_row(client, tenant) -> None:
    case = await with_content(client)
    rows = [
        {"case_id": uuid.UUID(case["id"]), "tag": f"many-{i}", "workspace_id": tenant.workspace_id} for i in range(3)
    ]
    tenant.db.run_sync(lambda session: PlainStatement(insert(CaseTag.__table__)).run_many(session, rows))
    tags = tenant.db.run_sync(
        lambda session: set(session.scalars(select(CaseTag.tag).where(CaseTag.case_id == uuid.UUID(case["id"])))),
        write=False,
    )
    assert {"many-0", "many-1", "many-2"} <= tags


async def test_a_write_leaving_a_column_default_to_sqlalchemy_is_refused_naming_it(client, tenant) -> None:
    case = await with_content(client)
    watcher = {"case_id": uuid.UUID(case["id"]), "user_id": tenant.admin.id, "workspace_id": tenant.workspace_id}
    with pytest.raises(ValueError, match="created_at"):
        tenant.db.run_sync(lambda session: PlainStatement(insert(CaseWatcher.__table__)).run(session, watcher))


async def test_a_plain_write_counts_as_a_write_and_is_seen_by_the_statement_events(client, tenant) -> None:
    # The configuration cache tells a unit of work that wrote from one that did not by writes_made.
    case = await with_content(client)

    def work(session: Session) -> tuple[int, int]:
        before = writes_made(session.connection())
        _RETITLE.first(session, {"case_id": uuid.UUID(case["id"]), "title": "Counted"})
        return before, writes_made(session.connection())

    with issued_statements(tenant.db.engine) as issued:
        before, after = tenant.db.run_sync(work)
    assert after > before
    assert [statement.flat.split()[0] for statement in issued] == ["UPDATE"]
