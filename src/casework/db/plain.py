"""A hot read's SELECT run on the unit of work's own DBAPI connection, past SQLAlchemy's execution machinery.

SQLAlchemy builds the SQL and says how each parameter and column converts (the statement's types, for the dialect);
this runs the compiled SQL and applies those conversions itself. For one case read by id, Connection.execute spent
~110 µs a call where the read and the conversions take ~45 (in process, SQLite): the execution context, the result
object and the cache-key lookup each time. The engine's cursor events still fire, so statement counts and the
PostgreSQL write counter see the statement.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Select
from sqlalchemy.orm import Session

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # The parameters in the order the SQL takes them (positional paramstyles), else None: a mapping by name.
    positions: tuple[str, ...] | None
    # By parameter name: its key in the mapping the driver gets, and its conversion.
    keys: dict[str, str]
    binds: dict[str, _Processor]
    # Values of the parameters the statement fixes itself (literals turned into parameters), already converted.
    fixed: dict[str, Any]
    columns: tuple[_Processor, ...]


class PlainSelect:
    """A SELECT whose parameters are all scalars (no expanding IN lists), compiled once per dialect."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def first(self, session: Session, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, its values converted as SQLAlchemy would; None when there is none."""
        connection = session.connection()
        compiled = self._for(connection.dialect)
        converted = dict(compiled.fixed)
        for name, value in parameters.items():
            convert = compiled.binds[name]
            converted[name] = value if convert is None else convert(value)
        arguments: Any
        if compiled.positions is not None:
            arguments = tuple(converted[name] for name in compiled.positions)
        else:
            arguments = {compiled.keys[name]: value for name, value in converted.items()}
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if connection.dispatch.before_cursor_execute:
                connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, arguments, None, False)
            cursor.execute(compiled.sql, arguments)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return tuple(
            value if convert is None else convert(value) for convert, value in zip(compiled.columns, row, strict=True)
        )

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            # Two threads compiling it at once build the same thing: no lock needed.
            compiled = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return compiled


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    binds = compiled.binds
    if any(bind.expanding for bind in binds.values()):
        raise ValueError("a plain SELECT takes scalar parameters only")
    escaped: dict[str, str] = compiled.escaped_bind_names or {}
    converters: dict[str, _Processor] = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in binds.items()
    }
    fixed = {name: bind.value for name, bind in binds.items() if not bind.required}
    return _Compiled(
        sql=compiled.string,
        positions=tuple(compiled.positiontup) if compiled.positiontup is not None else None,
        keys={name: escaped.get(name, name) for name in binds},
        binds=converters,
        fixed={
            name: value if (convert := converters[name]) is None else convert(value) for name, value in fixed.items()
        },
        columns=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in statement.selected_columns
        ),
    )
