"""Integer handles: a stable number beside a row's UUID, for the APIs that address everything by integer.

One handle space per table, unique across workspaces, never reused and never renumbered.
PostgreSQL: an identity column; nextval never waits on another transaction, so writers are not serialised
(a rolled-back insert leaves a gap). SQLite has one writer at a time: a counter row per table in handle_counters,
bumped in the insert's transaction. The ORM and insert_with_handles take numbers from it explicitly (so that the
insert knows them); any other insert (bulk loads, INSERT .. SELECT) leaves the column's default 0, which a trigger
made by the migration replaces with the counter's next value.
"""

import uuid
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, Identity, String, Table, event, insert, text
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from casework.db.base import Base

# Beyond this many digits a decimal string is no handle (BIGINT holds 18 digits whatever they are).
MAX_HANDLE_DIGITS = 18


class HandleCounter(Base):
    """SQLite's sequences: the last handle given out per table (unused on PostgreSQL, which has real ones)."""

    __tablename__ = "handle_counters"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class HandleMixin:
    # Lookups by handle: the unique index.
    number: Mapped[int] = mapped_column(BigInteger, Identity(), index=True, unique=True)


@event.listens_for(HandleMixin, "before_insert", propagate=True)
def _number_from_counter(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if connection.dialect.name == "sqlite" and target.number is None:
        target.number = reserve(connection, target.__table__.name, 1)


def reserve(connection: Connection | Session, table_name: str, count: int) -> int:
    """SQLite: the first of `count` new consecutive handles of table_name."""
    last = connection.execute(
        text("UPDATE handle_counters SET value = value + :count WHERE table_name = :table RETURNING value"),
        {"count": count, "table": table_name},
    ).scalar_one()
    return int(last) - count + 1


def insert_with_handles(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Inserts rows (one executemany), returning their handles in the rows' order."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        first = reserve(session, table.name, len(rows))
        session.execute(insert(table), [row | {"number": first + i} for i, row in enumerate(rows)])
        return list(range(first, first + len(rows)))
    statement = insert(table).returning(table.c.number, sort_by_parameter_order=True)
    if len(rows) == 1:
        return [session.execute(statement.values(rows[0])).scalar_one()]
    return list(session.scalars(statement, rows))


def insert_with_handle(session: Session, table: Table, row: dict[str, Any]) -> int:
    return insert_with_handles(session, table, [row])[0]


def as_handle(ref: str) -> int | None:
    """The handle a reference names: a decimal string of ASCII digits (None for anything else)."""
    if 0 < len(ref) <= MAX_HANDLE_DIGITS and ref.isascii() and ref.isdigit():
        return int(ref)
    return None


def ref_condition(model: Any, ref: str | uuid.UUID) -> ColumnElement[bool] | None:
    """The condition picking model's row that ref names by UUID or by handle; None when ref is neither."""
    if isinstance(ref, uuid.UUID):
        return model.id == ref  # type: ignore[no-any-return]
    number = as_handle(ref)
    if number is not None:
        return model.number == number  # type: ignore[no-any-return]
    try:
        return model.id == uuid.UUID(ref)  # type: ignore[no-any-return]
    except ValueError:
        return None
