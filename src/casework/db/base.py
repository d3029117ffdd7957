"""Declarative base and the column types shared by every table."""

import uuid
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


def rfc3339(moment: datetime) -> str:
    """moment in UTC, written as casework writes every timestamp (`2026-12-05T10:00:00Z`)."""
    in_utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return in_utc.isoformat().removesuffix("+00:00") + "Z"


class UTCDateTime(TypeDecorator[datetime]):
    """Always timezone-aware UTC out, whatever the database keeps (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model maps one Table (no joined or custom selectables): typed so, Core statements take it as a table.
    __table__: ClassVar[Table]
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSONType,
        list[dict[str, Any]]: JSONType,
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
