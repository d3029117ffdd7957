"""A unit of work is one transaction, whether its work runs plain statements only or uses the Session's ORM: all of
it commits when the work returns, none of it when the work raises."""

import pytest
from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import Session

from casework.auth.models import AuthGeneration
from casework.db.database import Database, value_within
from casework.db.plain import unit_connection

# Rows of their own, away from the one row the credential caches read.
PROBE_IDS = (990_001, 990_002, 990_003)


@pytest.fixture
def probes(db: Database):  # type: ignore[no-untyped-def]
    yield
    db.run_sync(lambda session: session.execute(delete(AuthGeneration).where(AuthGeneration.id.in_(PROBE_IDS))))


def _generations(db: Database) -> dict[int, int]:
    def read(session: Session) -> dict[int, int]:
        rows = session.execute(
            select(AuthGeneration.id, AuthGeneration.generation).where(AuthGeneration.id.in_(PROBE_IDS))
        )
        return {row_id: generation for row_id, generation in rows}

    return db.run_sync(read, write=False)


def test_a_unit_of_plain_statements_runs_in_its_transaction_without_the_session_s_own(db: Database) -> None:
    """The Session's own transaction costs a hot request about a tenth of its instructions: a unit whose work runs
    on its connection alone never begins one, and its connection is in the unit's transaction all the same."""

    def plain(session: Session) -> tuple[bool, bool]:
        connection = unit_connection(session)
        value_within(connection, "SELECT 1")
        return session.in_transaction(), connection.in_transaction()

    assert db.run_sync(plain) == (False, True)
    assert db.run_sync(plain, write=False) == (False, True)


def test_objects_added_or_changed_without_a_statement_are_written_when_the_unit_commits(db: Database, probes) -> None:  # type: ignore[no-untyped-def]
    db.run_sync(lambda session: session.add(AuthGeneration(id=PROBE_IDS[0], generation=1)))
    assert _generations(db) == {PROBE_IDS[0]: 1}
    read = db.run_sync(lambda session: session.get(AuthGeneration, PROBE_IDS[0]), write=False)

    def change_a_detached_copy(session: Session) -> None:
        # As a configuration copy joins the unit of work it changes in: added, then changed, with no statement.
        session.add(read)
        read.generation = 2

    db.run_sync(change_a_detached_copy)
    assert _generations(db) == {PROBE_IDS[0]: 2}


def test_a_unit_that_raises_writes_nothing_of_its_plain_statements_or_its_objects(db: Database, probes) -> None:  # type: ignore[no-untyped-def]
    insert_probe = f"INSERT INTO auth_generations (id, generation) VALUES ({PROBE_IDS[1]}, 1)"

    def plain_then_raise(session: Session) -> None:
        unit_connection(session).exec_driver_sql(insert_probe)
        raise RuntimeError("refused")

    def plain_and_objects_then_raise(session: Session) -> None:
        unit_connection(session).exec_driver_sql(insert_probe)
        session.add(AuthGeneration(id=PROBE_IDS[2], generation=1))
        session.flush()
        raise RuntimeError("refused")

    for work in (plain_then_raise, plain_and_objects_then_raise):
        with pytest.raises(RuntimeError):
            db.run_sync(work)
    assert _generations(db) == {}
    db.run_sync(lambda session: unit_connection(session).exec_driver_sql(insert_probe))
    assert _generations(db) == {PROBE_IDS[1]: 1}


def test_the_objects_a_unit_hands_back_are_detached_from_its_session(db: Database, probes) -> None:  # type: ignore[no-untyped-def]
    db.run_sync(lambda session: session.add(AuthGeneration(id=PROBE_IDS[0], generation=1)))
    read = db.run_sync(lambda session: session.get(AuthGeneration, PROBE_IDS[0]), write=False)
    added = AuthGeneration(id=PROBE_IDS[1], generation=1)
    db.run_sync(lambda session: session.add(added))
    assert inspect(read).detached
    assert inspect(added).detached
