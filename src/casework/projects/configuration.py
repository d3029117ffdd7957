"""A project's configuration read once per process: the default project, statuses, case types, field definitions
and SLA policies that every create reads.

Those rows change rarely, and every change raises the auth generation in its own transaction: database triggers do
it (migration 0018), so no writer is missed, whatever service, process or tool makes the change. A cached lookup
reads the generation in the unit of work's own transaction (after any change that transaction made itself); while
it is the generation the rows were read under, the unit of work gets its own copies of them without another read.

A copy stays out of the unit of work's session until something changes it: the first change of one of its columns
adds it to the session as the row it was read from (a configuration service then writes it as usual). Adding each
copy up front cost a create ~90,000 instructions a row, for rows that a create only reads.
"""

import copy
import functools
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached

from casework.auth.service import GENERATION_SQL
from casework.db.database import value_within, writes_made
from casework.db.plain import unit_connection

Entity = TypeVar("Entity")
# Keys are few (a workspace's projects, types and priorities); the bound keeps a flood of type names from growing it.
MAX_ENTRIES = 10_000
# Each column's value, per row, as read under a generation.
_Rows = tuple[tuple[type, dict[str, Any]], ...]
_entries: dict[Hashable, tuple[int, _Rows]] = {}
# A unit of work's session.info: (writes_made, the generation read then).
_SEEN = "configuration_generation"
# A unit of work's session.info: the copies it was handed, by identity key (one instance of a row per unit of work).
_HELD = "configuration_held"
# A copy's own __dict__: the session it joins when first changed (absent once it has).
_JOINS = "_configuration_joins"


def cached(session: Session, key: Hashable, read: Callable[[], Sequence[Entity]]) -> list[Entity]:
    """What `read` finds, from what this process read under the current generation when it can. `key` names the
    lookup and all of its parameters."""
    generation = _generation(session)
    entry = _entries.get(key)
    if entry is not None and entry[0] == generation:
        return [_copy(session, cls, values) for cls, values in entry[1]]
    found = list(read())
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (generation, tuple((type(entity), _column_values(entity)) for entity in found))
    return found


def _generation(session: Session) -> int:
    """The generation, read once per unit of work while it writes nothing: on SQLite a write transaction holds the
    database's one write lock (a read one sees one snapshot), so only its own changes could raise it; on PostgreSQL
    a change committed since is as one committed just after the read, as it would be without the cache."""
    connection = unit_connection(session)
    writes = writes_made(connection)
    seen = session.info.get(_SEEN)
    if seen is not None and seen[0] == writes:
        return seen[1]  # type: ignore[no-any-return]
    generation: int = value_within(connection, GENERATION_SQL)
    session.info[_SEEN] = (writes, generation)
    return generation


def _column_values(entity: object) -> dict[str, Any]:
    state = inspect(entity)
    loaded = state.dict
    return {
        attribute.key: copy.deepcopy(loaded[attribute.key])
        for attribute in state.mapper.column_attrs
        if attribute.key in loaded
    }


def _copy(session: Session, cls: type[Entity], values: dict[str, Any]) -> Entity:
    """The unit of work's instance of the row: the one it already holds, else a copy of its values (mutable ones
    copied too: units of work run on several threads), joining the session when first changed."""
    mapper: Mapper[Any] = inspect(cls)
    _join_on_change(mapper)
    key = mapper.identity_key_from_primary_key(tuple(values[name] for name in _primary_key_attributes(mapper)))
    copies: dict[Any, Any] = session.info.setdefault(_HELD, {})
    existing = session.identity_map.get(key) or copies.get(key)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    instance = copies[key] = mapper.class_manager.new_instance()
    # As a loaded row's values are set.
    instance.__dict__.update(
        {name: copy.deepcopy(value) if isinstance(value, (dict, list)) else value for name, value in values.items()}
    )
    instance.__dict__[_JOINS] = session
    return instance  # type: ignore[no-any-return]


def held(session: Session) -> list[Any]:
    """The copies of configuration rows the unit of work was handed (those it changed are in its session too)."""
    return list(session.info.get(_HELD, {}).values())


@functools.cache
def _join_on_change(mapper: Mapper[Any]) -> None:
    """From now on the mapped class's columns add a copy to its session before their first change."""
    for attribute in mapper.column_attrs:
        event.listen(getattr(mapper.class_, attribute.key), "set", _join_before_change, propagate=True)


def _join_before_change(target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    session: Session | None = target.__dict__.pop(_JOINS, None)
    if session is not None:
        # As the row it was read from: the change then counts against the values read.
        make_transient_to_detached(target)
        session.add(target)
    return value


@functools.cache
def _primary_key_attributes(mapper: Mapper[Any]) -> tuple[str, ...]:
    return tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)
