"""A hot statement run on the unit of work's own DBAPI connection, past SQLAlchemy's execution machinery.

SQLAlchemy builds the SQL and says how each parameter and column converts (the statement's types, for the dialect);
this runs the compiled SQL and applies those conversions itself. For one case read by id, Connection.execute spent
~110 µs a call where the read and the conversions take ~45 (in process, SQLite): the execution context, the result
object and the cache-key lookup each time; a one-row UPDATE through a Session ~34 µs, on the driver ~4. The engine's
cursor events still fire, so statement counts and the PostgreSQL write counter see the statement.

A plain statement takes scalar parameters only (no expanding IN lists), and sets every column
itself: an INSERT or UPDATE that would leave SQLAlchemy a Python-side default to fill in is refused when compiled.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Delete, Dialect, Insert, Select, Update
from sqlalchemy.orm import Session

_Processor = Callable[[Any], Any] | None
Statement = Select[Any] | Insert | Update | Delete


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # Positional paramstyles: the parameters in the order the SQL takes them, each (name, its conversion, None), or
    # (None, None, value) for one the statement fixes itself (a literal turned into a parameter), already converted.
    # Else None: the driver takes a mapping.
    positions: tuple[tuple[str | None, _Processor, Any], ...] | None
    # Mapping paramstyles: by parameter name, its key in the mapping the driver gets and its conversion; the values
    # of the parameters the statement fixes itself, by key, already converted.
    keys: dict[str, tuple[str, _Processor]]
    fixed: dict[str, Any]
    # The columns it returns that convert (a SELECT's, or an INSERT's or UPDATE's RETURNING): position, conversion.
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]

    def arguments(self, parameters: Mapping[str, Any]) -> Any:
        """What the driver gets for these parameters, converted: a tuple in order, or a mapping by name."""
        # One pass, no intermediate mapping: a create's statements take ~100 parameters.
        if self.positions is not None:
            return tuple(
                [
                    value if name is None else parameters[name] if convert is None else convert(parameters[name])
                    for name, convert, value in self.positions
                ]
            )
        converted = dict(self.fixed)
        for name, value in parameters.items():
            key, convert = self.keys[name]
            converted[key] = value if convert is None else convert(value)
        return converted

    def converted(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """A returned row's values as SQLAlchemy would give them."""
        # Only the columns that convert are touched: most of a case row's do not.
        values = list(row)
        for position, convert in self.conversions:
            values[position] = convert(values[position])
        return tuple(values)


# A unit of work's session.info: the Connection of its one transaction, as Database keeps it (Session.connection()
# costs ~14,000 instructions a call; a create asks for it at each statement and configuration lookup).
UNIT_CONNECTION = "unit_connection"


def unit_connection(session: Session) -> Connection:
    """The Connection of the session's transaction: the one its unit of work keeps while it is open, else
    Session.connection()."""
    connection: Connection | None = session.info.get(UNIT_CONNECTION)
    return session.connection() if connection is None or connection.closed else connection


class PlainStatement:
    """A statement compiled once per dialect and per set of parameter names it is given."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, frozenset[str]], _Compiled] = {}

    def first(self, session: Session, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row it returns, its values converted as SQLAlchemy would; None when there is none."""
        cursor, compiled = self._execute(session, parameters)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else compiled.converted(row)

    def all(self, session: Session, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row it returns, their values converted as SQLAlchemy would."""
        cursor, compiled = self._execute(session, parameters)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [compiled.converted(row) for row in rows]

    def run(self, session: Session, parameters: Mapping[str, Any]) -> int:
        """Runs it; the number of rows it matched."""
        cursor, _compiled = self._execute(session, parameters)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def run_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
        """Runs it once for each row (one executemany; the rows name the same parameters); the number of rows it
        matched in all."""
        if not rows:
            return 0
        cursor, _compiled = self._execute(session, rows[0], rows)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _execute(
        self, session: Session, parameters: Mapping[str, Any], rows: Sequence[Mapping[str, Any]] | None = None
    ) -> tuple[Any, _Compiled]:
        connection = unit_connection(session)
        compiled = self._for(connection.dialect, parameters)
        if rows is not None:
            return on_driver(connection, compiled.sql, [compiled.arguments(row) for row in rows], many=True), compiled
        return on_driver(connection, compiled.sql, compiled.arguments(parameters)), compiled

    def _for(self, dialect: Dialect, parameters: Mapping[str, Any]) -> _Compiled:
        # An INSERT's or UPDATE's columns are those its parameters name (SQLAlchemy's column_keys).
        key = (dialect.name, frozenset(parameters))
        compiled = self._compiled.get(key)
        if compiled is None:
            # Two threads compiling it at once build the same thing: no lock needed.
            compiled = self._compiled[key] = _compile(self.statement, dialect, list(parameters))
        return compiled


def _compile(statement: Statement, dialect: Dialect, names: list[str]) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=names)
    if compiled.insert_prefetch or compiled.update_prefetch:
        defaulted = ", ".join(column.name for column in (*compiled.insert_prefetch, *compiled.update_prefetch))
        raise ValueError(f"a plain statement sets every column itself; SQLAlchemy would default {defaulted}")
    used = set(compiled.bind_names.values())
    binds = {name: bind for name, bind in compiled.binds.items() if name in used}
    if any(bind.expanding for bind in binds.values()):
        raise ValueError("a plain statement takes scalar parameters only")
    escaped: dict[str, str] = compiled.escaped_bind_names or {}
    converters: dict[str, _Processor] = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in binds.items()
    }
    fixed = {name: bind.value for name, bind in binds.items() if not bind.required and name not in names}
    returned = statement.selected_columns if isinstance(statement, Select) else statement.exported_columns
    fixed_values = {
        name: value if (convert := converters[name]) is None else convert(value) for name, value in fixed.items()
    }
    positions = None
    if compiled.positiontup is not None:
        positions = tuple(
            (None, None, fixed_values[name]) if name in fixed_values else (name, converters[name], None)
            for name in compiled.positiontup
        )
    keys = {name: escaped.get(name, name) for name in binds}
    return _Compiled(
        sql=compiled.string,
        positions=positions,
        keys={name: (keys[name], converters[name]) for name in binds},
        fixed={keys[name]: value for name, value in fixed_values.items()},
        conversions=tuple(
            (position, convert)
            for position, column in enumerate(returned)
            if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        ),
    )


def on_driver(connection: Connection, sql: str, arguments: Any, many: bool = False) -> Any:
    """A cursor that has run sql (with arguments: a driver's parameters, or a list of them when many) on the
    connection's DBAPI connection. The engine's cursor events fire, and a driver error goes through SQLAlchemy's own
    handling, as Connection.execute's would: raised as SQLAlchemy's exception, and a lost connection retires the
    pool's connections opened before it (each of them would otherwise fail a request in turn)."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if connection.dispatch.before_cursor_execute:
            connection.dispatch.before_cursor_execute(connection, cursor, sql, arguments, None, many)
        if many:
            cursor.executemany(sql, arguments)
        else:
            cursor.execute(sql, arguments)
    except BaseException as error:
        cursor.close()
        if isinstance(error, connection.dialect.loaded_dbapi.Error):
            connection._handle_dbapi_exception(error, sql, arguments, cursor, None)
        raise
    return cursor
