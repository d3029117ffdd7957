"""PostgreSQL: a pooled connection is pinged before use only after sitting idle (PING_AFTER_IDLE); a dead idle one
is replaced unseen, a dead one used a moment ago fails its unit of work once and the pool then replaces it."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from casework.db import database
from casework.auth.service import GENERATION_SQL
from casework.db.database import Database
from casework.db.plain import PlainStatement
from tests.conftest import POSTGRES_URL, SKIP_POSTGRES, fresh_database

pytestmark = pytest.mark.skipif(SKIP_POSTGRES, reason="PostgreSQL's pool (CASEWORK_SKIP_POSTGRES=1)")


@pytest.fixture
def one_connection(tmp_path: Path) -> Iterator[Database]:
    """A PostgreSQL database whose pool hands out one connection, again and again."""
    with fresh_database("postgres", tmp_path) as migrated:
        pooled = Database(migrated.url, pool_size=1)
        yield pooled
        pooled.dispose()


@pytest.fixture
def two_connections(tmp_path: Path) -> Iterator[Database]:
    with fresh_database("postgres", tmp_path) as migrated:
        pooled = Database(migrated.url, pool_size=2)
        yield pooled
        pooled.dispose()


def backend_pid(session: Session) -> int:
    return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(pid: int) -> None:
    """Ends the server process behind a connection, as a server restart would, and waits until it is gone."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
            deadline = time.monotonic() + 10
            while connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one():
                assert time.monotonic() < deadline, "the terminated backend is still there"
                time.sleep(0.01)
    finally:
        admin.dispose()


def test_a_dead_connection_idle_past_the_limit_is_replaced_before_use(one_connection, monkeypatch) -> None:
    monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)
    pid = one_connection.run_sync(backend_pid, write=False)
    terminate(pid)
    assert one_connection.run_sync(backend_pid, write=False) != pid


def test_a_connection_used_a_moment_ago_is_not_pinged_and_a_dead_one_is_replaced_after_it_fails(one_connection) -> None:
    pid = one_connection.run_sync(backend_pid, write=False)
    terminate(pid)
    # No ping within PING_AFTER_IDLE of its last use: the dead connection's first statement is what finds it dead.
    with pytest.raises(OperationalError):
        one_connection.run_sync(backend_pid, write=False)
    assert one_connection.run_sync(backend_pid, write=False) != pid


_BACKEND_PID = PlainStatement(select(func.pg_backend_pid()))


def plain_backend_pid(session: Session) -> int:
    [pid] = _BACKEND_PID.first(session, {}) or ()
    return int(pid)


@pytest.mark.parametrize("first_statement", ["plain statement", "one-value read"])
def test_a_dead_connection_found_by_a_statement_run_on_the_driver_retires_the_pool_s_older_ones(
    two_connections, first_statement
) -> None:
    """A server restart under load: each pooled connection is dead, and the first statement to find one (here run
    on the driver, as the hot paths run theirs) must retire the others too, or each would fail a request in turn."""
    db = two_connections

    def both_pids(session: Session) -> tuple[int, int]:
        with db.engine.connect() as other:
            return backend_pid(session), int(other.execute(text("SELECT pg_backend_pid()")).scalar_one())

    pids = db.run_sync(both_pids, write=False)
    for pid in pids:
        terminate(pid)
    with pytest.raises(DBAPIError) as failed:
        if first_statement == "plain statement":
            db.run_sync(plain_backend_pid, write=False)
        else:
            db.read_value_sync(GENERATION_SQL)
    assert failed.value.connection_invalidated
    assert db.run_sync(plain_backend_pid, write=False) not in pids
    assert db.read_value_sync(GENERATION_SQL) is not None
