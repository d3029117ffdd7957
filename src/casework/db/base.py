"""Declarative base and the column types shared by every table."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from sqlalchemy import JSON, DateTime, MetaData, Table, TypeDecorator, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from uuid_utils.compat import uuid7

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> uuid.UUID:
    return uuid7()


def utcnow() -> datetime:
    return datetime.now(UTC)


# The one timestamp format casework writes: RFC 3339 in UTC with `Z`. orjson writes an aware UTC datetime so with
# these options (a naive one is taken as UTC, as UTCDateTime reads it).
JSON_TIME_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def as_utc(moment: datetime) -> datetime:
    """moment in UTC, a naive one taken as UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """moment in UTC, written as casework writes every timestamp (`2026-12-05T10:00:00Z`)."""
    return as_utc(moment).isoformat().removesuffix("+00:00") + "Z"


def _aware_in_utc(value: datetime) -> datetime:
    """An aware moment in UTC, as a UTC column keeps it; a naive one is refused."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Always timezone-aware UTC out, whatever the database keeps (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = _aware_in_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    # On SQLite, each conversion in one function instead of SQLAlchemy's DATETIME text conversion wrapped around the
    # two above: the same text and the same values, in a fifth of the time (datetime.replace alone costs six parses).
    def bind_processor(self, dialect: Any) -> Callable[[datetime | None], str | None] | None:
        return _sqlite_text if dialect.name == "sqlite" else super().bind_processor(dialect)

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[str | None], datetime | None] | None:
        return _utc_from_sqlite_text if dialect.name == "sqlite" else super().result_processor(dialect, coltype)


def _sqlite_text(value: datetime | None) -> str | None:
    """As SQLAlchemy's SQLite DATETIME writes the moment in UTC: `2026-12-05 10:00:00.000000`."""
    if value is None:
        return None
    return _aware_in_utc(value).isoformat(" ", "microseconds").removesuffix("+00:00")


def _utc_from_sqlite_text(value: str | None) -> datetime | None:
    """SQLite's naive UTC text as an aware UTC datetime (text with an offset of its own, moved to UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value + "+00:00")
    except ValueError:
        parsed = datetime.fromisoformat(value)
    # A date alone ignores the offset appended.
    return parsed if parsed.tzinfo is UTC else as_utc(parsed)


class UUIDType(Uuid[uuid.UUID]):
    """A UUID column: on SQLite, its 32 hex digits read back without uuid.UUID's own parsing."""

    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[str | None], uuid.UUID | None] | None:
        if dialect.name == "sqlite":
            return _uuid_from_hex
        return super().result_processor(dialect, coltype)  # type: ignore[no-untyped-call,no-any-return]


_new_object = object.__new__
_set_attribute = object.__setattr__
_UUID = uuid.UUID
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown


def _uuid_from_hex(value: str | None) -> uuid.UUID | None:
    """The UUID SQLAlchemy wrote as 32 hex digits, built as unpickling builds one: uuid.UUID(text) first strips
    prefixes, braces and dashes the text never has, at twice the cost of the rest."""
    if value is None:
        return None
    if len(value) != 32:
        return uuid.UUID(value)
    built = _new_object(_UUID)
    _set_attribute(built, "int", int(value, 16))
    _set_attribute(built, "is_safe", _UNKNOWN_SAFETY)
    return built


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model maps one Table (no joined or custom selectables): typed so, Core statements take it as a table.
    __table__: ClassVar[Table]
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: UUIDType(),
        dict[str, Any]: JSONType,
        list[dict[str, Any]]: JSONType,
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
