"""Integer handles: a stable number beside a row's UUID, for the APIs that address everything by integer.

One handle space per table, unique across workspaces, never reused and never renumbered.
PostgreSQL: an identity column; nextval never waits on another transaction, so writers are not serialised
(a rolled-back insert leaves a gap). SQLite has one writer at a time, and the next handle is read inside its
write transaction: one past the table's highest handle (the unique index's last entry) or past the highest one
ever deleted (handle_counters, kept by a delete trigger), so no handle comes back. Reads only: in a micro-benchmark
(one case update and one insert per transaction) a counter row bumped on every insert made the transaction about a
third slower than this read did, the extra page each commit writes. The ORM and
insert_with_handles take numbers explicitly (so that the insert knows them); any other insert (bulk loads,
INSERT .. SELECT) leaves the column's default 0, which an insert trigger replaces with the next handle. The
migration (0009) makes both triggers.
"""

import functools
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Identity,
    String,
    Table,
    event,
    false,
    insert,
    text,
)
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from casework.db.base import Base
from casework.db.plain import PlainStatement

# Beyond this many digits a decimal string is no handle (BIGINT holds 18 digits whatever they are).
MAX_HANDLE_DIGITS = 18


class HandleCounter(Base):
    """SQLite: the highest handle deleted per table, never to be given again (unused on PostgreSQL)."""

    __tablename__ = "handle_counters"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class HandleMixin:
    # Lookups by handle: the unique index.
    number: Mapped[int] = mapped_column(BigInteger, Identity(), index=True, unique=True)


@event.listens_for(HandleMixin, "before_insert", propagate=True)
def _number_on_sqlite(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if connection.dialect.name != "sqlite" or target.number is not None:
        return
    # One flush calls this for all its rows before inserting any: past the ones it gave already (one given in a
    # transaction rolled back since only leaves a gap).
    given = connection.info.setdefault("handles_given", {})
    table_name = target.__table__.name
    target.number = given[table_name] = max(next_handle(connection, table_name), given.get(table_name, 0) + 1)


def next_handle_sql(table_name: str) -> str:
    """SQLite: the next handle of the table (the migration's insert trigger uses the same expression)."""
    return (
        f"max(coalesce((SELECT max(number) FROM {table_name}), 0), "
        f"(SELECT value FROM handle_counters WHERE table_name = '{table_name}')) + 1"
    )


def next_handle(connection: Connection | Session, table_name: str) -> int:
    """SQLite, inside a write transaction: the first of as many new consecutive handles of table_name as the
    transaction inserts rows with (those rows hold them from then on)."""
    return int(connection.execute(text(f"SELECT {next_handle_sql(table_name)}")).scalar_one())


def insert_with_handles(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Inserts rows (one executemany), returning their handles in the rows' order."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        first = next_handle(session, table.name)
        _many_rows_insert(table).run_many(session, [row | {"number": first + i} for i, row in enumerate(rows)])
        return list(range(first, first + len(rows)))
    statement = insert(table).returning(table.c.number, sort_by_parameter_order=True)
    if len(rows) == 1:
        return [session.execute(statement.values(rows[0])).scalar_one()]
    return list(session.scalars(statement, rows))


def insert_with_handle(session: Session, table: Table, row: dict[str, Any]) -> int:
    """Inserts one row, giving every column with a default a value of its own, returning its handle: one statement
    (SQLite works the handle out within the insert), run on the driver (casework.db.plain)."""
    [number] = _one_row_insert(table, session.get_bind().dialect.name).first(session, row) or ()
    return int(number)


@functools.cache
def _many_rows_insert(table: Table) -> PlainStatement:
    """SQLite, built once per table: the rows come with their handles."""
    return PlainStatement(insert(table))


@functools.cache
def _one_row_insert(table: Table, dialect: str) -> PlainStatement:
    """Built once per table."""
    statement = insert(table).returning(table.c.number)
    if dialect == "sqlite":
        # The read next_handle makes, inside the insert: one statement fewer in every write.
        statement = statement.values(number=text(f"({next_handle_sql(table.name)})"))
    return PlainStatement(statement)


def as_handle(ref: str) -> int | None:
    """The handle a reference names: a decimal string of ASCII digits (None for anything else)."""
    if 0 < len(ref) <= MAX_HANDLE_DIGITS and ref.isascii() and ref.isdigit():
        return int(ref)
    return None


def ref_value(model: Any, ref: str | uuid.UUID) -> tuple[str, uuid.UUID | int | None] | None:
    """What ref names of model's rows: ("id", the UUID) or ("number", the handle), the handle None when it is past
    the column's range (no row has it); None when ref is neither (a number, for rows without handles)."""
    if isinstance(ref, uuid.UUID):
        return "id", ref
    handles: Any = getattr(model, "number", None)
    number = as_handle(ref) if handles is not None else None
    if number is not None:
        # Past the column's range no row has it; PostgreSQL would refuse the comparison itself.
        largest = 2**63 - 1 if isinstance(handles.type, BigInteger) else 2**31 - 1
        return "number", number if number <= largest else None
    try:
        return "id", uuid.UUID(ref)
    except ValueError:
        return None


def ref_condition(model: Any, ref: str | uuid.UUID) -> ColumnElement[bool] | None:
    """The condition picking model's row that ref names by UUID or by handle; None when ref is neither."""
    named = ref_value(model, ref)
    if named is None:
        return None
    column, value = named
    return getattr(model, column) == value if value is not None else false()
