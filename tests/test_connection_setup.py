"""Every connection of a Database is set up as casework's queries expect, whichever process or pool opened it."""

import sqlite3
from contextlib import closing
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, event, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from casework.auth.service import GENERATION_SQL, raise_generation
from casework.db.database import Database, value_within
from casework.db.plain import unit_connection


def _in_transaction(driver: Any, db: Database) -> bool:
    # psycopg's status 0 is IDLE: no transaction open.
    return bool(driver.in_transaction) if db.is_sqlite else driver.info.transaction_status != 0


def _setting(db: Database, statement: str) -> str:
    def read(session: Session) -> str:
        return str(session.scalar(text(statement)))

    return db.run_sync(read, write=False)


def test_each_connection_has_the_settings_casework_reads_with(db: Database) -> None:
    if db.is_sqlite:
        assert _setting(db, "PRAGMA foreign_keys") == "1"
        assert _setting(db, "PRAGMA busy_timeout") == "10000"
        assert _setting(db, "PRAGMA journal_mode") == "wal"
        # Statement journals in memory: a case's change checked against its foreign keys writes no temp file.
        assert _setting(db, "PRAGMA temp_store") == "2"
    else:
        # A page of cases is read faster without parallel workers than with them (their start costs more).
        assert _setting(db, "SHOW max_parallel_workers_per_gather") == "0"


@pytest.mark.parametrize(
    ("value", "read_back"),
    [
        ({"é": [1.5, None, True, "\u2603"], "nested": {"n": -7}}, {"é": [1.5, None, True, "\u2603"], "nested": {"n": -7}}),
        # orjson refuses a key that is not a string: the json module writes it, as it did before orjson.
        ({1: "one"}, {"1": "one"}),
    ],
)
def test_a_json_column_writes_each_value_as_json_and_reads_it_back(db: Database, value, read_back) -> None:  # type: ignore[no-untyped-def]
    probe = Table("json_probe", MetaData(), Column("id", Integer, primary_key=True), Column("v", JSON), prefixes=["TEMPORARY"])

    def round_trip(session: Session) -> object:
        probe.create(session.connection())
        session.execute(insert(probe).values(id=1, v=value))
        stored = session.scalar(select(probe.c.v))
        probe.drop(session.connection())
        return stored

    assert db.run_sync(round_trip) == read_back


def _writes_meanwhile(db: Database) -> bool:
    """Whether another connection can begin a write while the caller's unit of work is open (not waiting)."""
    if db.is_sqlite:
        other = sqlite3.connect(db.engine.url.database or "", timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    with db.engine.connect() as other:
        other.execute(text("SET LOCAL lock_timeout = '1s'"))
        try:
            other.execute(text("UPDATE handle_counters SET value = value"))
        except OperationalError:
            return False
        finally:
            other.rollback()
    return True


def test_a_write_unit_of_work_holds_the_sqlite_write_lock_from_its_start(db: Database) -> None:
    """SQLite has one writer: a write unit of work takes the lock as it begins (never upgrading a read lock
    midway, which would fail under contention), a read takes none. PostgreSQL locks rows, not the database."""
    held: dict[bool, bool] = {}
    for write in (True, False):

        def probe(session: Session, write: bool = write) -> None:
            session.connection()
            held[write] = not _writes_meanwhile(db)

        db.run_sync(probe, write=write)
    assert held == {True: db.is_sqlite, False: False}


async def test_the_one_value_read_answers_the_last_commit_without_a_pool_checkout_or_a_snapshot_kept(
    db: Database,
) -> None:
    """The credential cache's generation check sees each commit at once (a revocation applies to the next request).
    On SQLite it reads on a connection of its own, out of the pool (a checkout and return cost more than the read), that keeps
    no read snapshot open after it: one would stop checkpoints from copying the log past it."""
    checkouts: list[object] = []

    def count(*_args: object) -> None:
        checkouts.append(None)

    before = await db.read_value(GENERATION_SQL)
    db.run_sync(raise_generation)
    event.listen(db.engine, "checkout", count)
    try:
        assert await db.read_value(GENERATION_SQL) == before + 1
    finally:
        event.remove(db.engine, "checkout", count)
    if db.is_sqlite:
        assert checkouts == []
        db.run_sync(raise_generation)
        with closing(sqlite3.connect(db.engine.url.database or "", isolation_level=None)) as other:
            _busy, log, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert copied == log


def _driver_connection(session: Session) -> object:
    return session.connection().connection.dbapi_connection


def test_sqlite_units_of_work_run_on_the_thread_s_own_connections_without_a_pool_checkout(db: Database) -> None:
    """A SQLite unit of work runs on its thread's own connection for reads, or for writes: a pool checkout and its
    return cost a get more than its SELECT. PostgreSQL's come from the pool, each on a worker thread."""
    checkouts: list[object] = []

    def count(*_args: object) -> None:
        checkouts.append(None)

    db.run_sync(_driver_connection, write=False)
    db.run_sync(_driver_connection, write=True)
    event.listen(db.engine, "checkout", count)
    try:
        reads = {id(db.run_sync(_driver_connection, write=False)) for _ in range(3)}
        writes = {id(db.run_sync(_driver_connection, write=True)) for _ in range(3)}
    finally:
        event.remove(db.engine, "checkout", count)
    if db.is_sqlite:
        assert (len(reads), len(writes), checkouts) == (1, 1, [])
        assert reads != writes
    else:
        assert len(checkouts) == 6


def test_a_unit_of_work_within_another_on_the_same_thread_has_a_connection_of_its_own(db: Database) -> None:
    def outer(session: Session) -> tuple[object, object, int]:
        inner = db.run_sync(_driver_connection, write=False)
        return _driver_connection(session), inner, db.run_sync(lambda s: int(s.scalar(text("SELECT 1"))), write=False)

    mine, inner, one = db.run_sync(outer, write=False)
    assert mine is not inner
    assert one == 1


def test_a_unit_of_work_that_fails_leaves_its_connection_ready_for_the_next(db: Database) -> None:
    def fail(session: Session) -> None:
        raise_generation(session)
        raise RuntimeError("refused")

    before = db.run_sync(lambda s: s.scalar(text(GENERATION_SQL)), write=False)
    for _ in range(2):
        try:
            db.run_sync(fail)
        except RuntimeError:
            pass
    assert db.run_sync(lambda s: s.scalar(text(GENERATION_SQL)), write=False) == before
    db.run_sync(raise_generation)
    assert db.run_sync(lambda s: s.scalar(text(GENERATION_SQL)), write=False) == before + 1


def test_a_connection_left_unusable_is_replaced_on_the_next_unit_of_work(db: Database) -> None:
    lost: list[object] = []

    def lose(session: Session) -> None:
        lost.append(_driver_connection(session))
        # What SQLAlchemy does on a driver error that means the connection is gone.
        session.connection().invalidate()
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        db.run_sync(lose, write=False)
    assert db.run_sync(lambda s: int(s.scalar(text("SELECT 1"))), write=False) == 1
    assert db.run_sync(_driver_connection, write=False) is not lost[0]


def test_disposing_of_a_database_closes_the_threads_own_connections(db: Database) -> None:
    other = Database(db.url)
    connection = other.run_sync(_driver_connection, write=False)
    other.dispose()
    with pytest.raises(Exception):  # noqa: B017, PT011 - each driver says "closed" its own way
        connection.cursor().execute("SELECT 1")  # type: ignore[attr-defined]


async def test_a_one_statement_read_runs_outside_a_transaction_and_writes_still_in_one(db: Database) -> None:
    """A get's one SELECT needs no transaction of its own: it runs in the driver's autocommit, without BEGIN and
    COMMIT (on PostgreSQL two of its four round trips); the connections it used give every later unit of work its
    transaction as before. Work that reads through the ORM after all may begin one (SQLite), closed after it."""

    def plain_statement_and_state(session: Session) -> tuple[int, bool]:
        connection = unit_connection(session)
        value = value_within(connection, "SELECT 1")
        return value, _in_transaction(connection.connection.dbapi_connection, db)

    def orm_statement_and_state(session: Session) -> tuple[int, bool]:
        value = session.scalar(text("SELECT 1"))
        return value, _in_transaction(_driver_connection(session), db)

    for _ in range(10):
        assert await db.read_one_statement(plain_statement_and_state) == (1, False)
        # PostgreSQL's autocommit holds for the ORM's statements too.
        assert await db.read_one_statement(orm_statement_and_state) == (1, db.is_sqlite)
        assert await db.read_one_statement(plain_statement_and_state) == (1, False)
    for _ in range(10):
        assert db.run_sync(plain_statement_and_state) == (1, True)
        assert await db.read(plain_statement_and_state) == (1, True)
        assert db.run_sync(orm_statement_and_state) == (1, True)
