"""Statements several domains need: counting up to a cap, counting the rows a write touched, and inserts whose SQL
differs between SQLite and PostgreSQL."""

from typing import Any, cast

from sqlalchemy import CursorResult, Select, Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase


def rows_affected(session: Session, statement: UpdateBase) -> int:
    """Runs an INSERT, UPDATE or DELETE; returns how many rows it touched."""
    # Session.execute is typed as returning a Result; a write without RETURNING gives a CursorResult.
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def insert_ignoring_duplicates(session: Session, table: Table, rows: list[dict[str, Any]]) -> int:
    """One multi-row INSERT that skips rows clashing with a unique key; returns how many were inserted."""
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # preserve_rowcount: psycopg reports -1 for a multi-row INSERT unless asked to keep the count.
    statement = insert(table).values(rows).on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    return rows_affected(session, statement)


def add_to_counters(session: Session, table: Table, key: dict[str, Any], deltas: dict[str, int]) -> None:
    """Adds deltas to the counters of the row at key, creating the row (other counters at their defaults) if absent:
    one statement, so that concurrent writers never both insert."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(**key, **deltas)
    adding = {column: table.c[column] + statement.excluded[column] for column in deltas}
    session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=adding))


def count_up_to(session: Session, query: Select[Any], cap: int) -> int:
    """How many rows query gives, counting no further than cap: reads at most cap rows (an index range, usually),
    however many there are."""
    return session.scalar(select(func.count()).select_from(query.limit(cap).subquery())) or 0
