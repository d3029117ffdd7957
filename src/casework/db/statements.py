"""Statements several domains need: counting up to a cap, counting the rows a write touched, and inserts whose SQL
differs between SQLite and PostgreSQL."""

import functools
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from casework.db.plain import PlainStatement


def rows_affected(
    session: Session, statement: UpdateBase, parameters: dict[str, Any] | list[dict[str, Any]] | None = None
) -> int:
    """Runs an INSERT, UPDATE or DELETE (for each set of parameters in a list: one executemany); returns how many
    rows it touched in all."""
    # Session.execute is typed as returning a Result; a write without RETURNING gives a CursorResult.
    return cast(CursorResult[Any], session.execute(statement, parameters)).rowcount


def insert_ignoring_duplicates(session: Session, table: Table, rows: list[dict[str, Any]]) -> int:
    """One multi-row INSERT that skips rows clashing with a unique key; returns how many were inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if len(rows) == 1:
        # The common case (one watcher, one tag), with a statement built once, run on the driver.
        return _insert_ignoring(dialect, table).run(session, rows[0])
    # preserve_rowcount: psycopg reports -1 for a multi-row INSERT unless asked to keep the count.
    statement = _insert(dialect)(table).values(rows).on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    return rows_affected(session, statement)


def add_to_counters(session: Session, table: Table, key: dict[str, Any], deltas: dict[str, int]) -> None:
    """Adds deltas to the counters (every other column) of the row at key, creating the row (other counters at 0) if
    absent: one statement, so that concurrent writers never both insert."""
    statement = _counters_upsert(session.get_bind().dialect.name, table, tuple(key), tuple(deltas))
    statement.run(session, {**key, **_zero_counters(table, tuple(key)), **deltas})


def _insert(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


# Built once per table (and columns): a statement's cache key is worked out again for every new statement object,
# and these run in most writes. The values come with each execution.


@functools.cache
def _insert_ignoring(dialect: str, table: Table) -> PlainStatement:
    return PlainStatement(_insert(dialect)(table).on_conflict_do_nothing())


@functools.cache
def _zero_counters(table: Table, key: tuple[str, ...]) -> dict[str, int]:
    return {column.key: 0 for column in table.columns if column.key not in key}


@functools.cache
def _counters_upsert(dialect: str, table: Table, key: tuple[str, ...], counters: tuple[str, ...]) -> PlainStatement:
    statement = _insert(dialect)(table)
    adding = {column: table.c[column] + statement.excluded[column] for column in counters}
    return PlainStatement(statement.on_conflict_do_update(index_elements=list(key), set_=adding))


def count_up_to(session: Session, query: Select[Any], cap: int) -> int:
    """How many rows query gives, counting no further than cap: reads at most cap rows (an index range, usually),
    however many there are."""
    return session.scalar(select(func.count()).select_from(query.limit(cap).subquery())) or 0
