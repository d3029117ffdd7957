"""casework's column types read and write on each database what SQLAlchemy's own conversions did: moments aware and
in UTC, kept on SQLite as the same text (rows written before compare and sort with rows written now), and UUIDs
equal, hashable and picklable as uuid.UUID makes them."""

import pickle
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, bindparam, literal_column, select, type_coerce
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError

from casework.db.base import UTCDateTime, UUIDType
from casework.db.database import Database

MOMENTS = [
    datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
    datetime(2026, 12, 5, 10, 0, 0, 123456, tzinfo=UTC),
    datetime(2026, 12, 5, 23, 30, 1, 7, tzinfo=timezone(timedelta(hours=-5))),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
]


def _read(db: Database, expression: Any, parameters: dict[str, Any] | None = None) -> Any:
    return db.run_sync(lambda session: session.execute(select(expression), parameters or {}).scalar_one(), write=False)


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_moment_comes_back_the_same_moment_in_utc(db: Database, moment: datetime) -> None:
    read = _read(db, bindparam("moment", type_=UTCDateTime()), {"moment": moment})
    assert read == moment
    assert read.tzinfo is UTC


def test_a_naive_moment_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        _read(db, bindparam("moment", type_=UTCDateTime()), {"moment": datetime(2026, 12, 5, 10, 0)})


def test_null_stays_null(db: Database) -> None:
    assert _read(db, bindparam("moment", type_=UTCDateTime()), {"moment": None}) is None
    assert _read(db, bindparam("id", type_=UUIDType()), {"id": None}) is None


@pytest.mark.parametrize("moment", MOMENTS)
def test_sqlite_keeps_a_moment_as_sqlalchemys_datetime_text_in_utc(moment: datetime) -> None:
    dialect = sqlite.dialect()
    as_sqlalchemy = sqlite.DATETIME().bind_processor(dialect)
    assert as_sqlalchemy is not None
    expected = as_sqlalchemy(moment.astimezone(UTC).replace(tzinfo=None))
    stored = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert stored is not None
    assert stored(moment) == expected


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A SQLite database of its own, for what only SQLite keeps as text."""
    database = Database(f"sqlite:///{tmp_path / 'types.db'}")
    yield database
    database.dispose()


def test_sqlite_text_in_other_forms_is_read_as_utc(sqlite_db: Database) -> None:
    texts = {
        # As SQLite's CURRENT_TIMESTAMP writes.
        "2026-12-05 10:00:00": datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
        "2026-12-05": datetime(2026, 12, 5, tzinfo=UTC),
        # Text with an offset of its own, moved to UTC.
        "2026-12-05 12:00:00.000000+02:00": datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
    }
    for text, moment in texts.items():
        read = _read(sqlite_db, type_coerce(literal_column(f"'{text}'", String()), UTCDateTime()))
        assert (read, read.tzinfo) == (moment, UTC), text


def test_a_uuid_comes_back_as_uuid_makes_it(db: Database) -> None:
    for value in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=(1 << 128) - 1)):
        read = _read(db, bindparam("id", type_=UUIDType()), {"id": value})
        assert type(read) is uuid.UUID
        assert (read, hash(read), str(read), read.version, read.is_safe) == (
            value,
            hash(value),
            str(value),
            value.version,
            uuid.SafeUUID.unknown,
        )
        assert pickle.loads(pickle.dumps(read)) == value
        assert {read: 1}[value] == 1


def test_sqlite_uuid_text_in_other_forms_is_read_or_refused(sqlite_db: Database) -> None:
    value = uuid.uuid4()
    assert _read(sqlite_db, type_coerce(literal_column(f"'{value}'", String()), UUIDType())) == value
    for text in ("not a uuid", "f" * 31):
        with pytest.raises(ValueError):
            _read(sqlite_db, type_coerce(literal_column(f"'{text}'", String()), UUIDType()))
