"""Opaque keyset cursors: base64url of a small JSON list."""

import base64
import binascii
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from sqlalchemy import Select
from sqlalchemy.orm import Session

from casework.errors import InvalidInput
from casework.i18n import _

T = TypeVar("T")


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise _not_issued() from None
    if not isinstance(values, list):
        raise _not_issued()
    return values


def _not_issued() -> InvalidInput:
    return InvalidInput.field("cursor", _("not a cursor this server issued"))


def after_id(cursor: str | None) -> uuid.UUID | None:
    """The id a `[id string]` cursor points past (None without a cursor)."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    # A forged cursor may hold anything: only [id string] is one this server issued.
    if len(values) != 1 or not isinstance(values[0], str):
        raise _not_issued()
    try:
        return uuid.UUID(values[0])
    except ValueError:
        raise _not_issued() from None


def after_position(cursor: str | None, positions: range) -> tuple[int, uuid.UUID] | None:
    """The (position, id) a `[int position, id string]` cursor points past (None without a cursor)."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    # A forged cursor may hold anything: only [int position, id string] is one this server issued.
    if len(values) != 2 or type(values[0]) is not int or values[0] not in positions or not isinstance(values[1], str):
        raise _not_issued()
    try:
        return values[0], uuid.UUID(values[1])
    except ValueError:
        raise _not_issued() from None


def _id_cursor(row: Any) -> list[Any]:
    return [str(row.id)]


def page_of(rows: list[T], limit: int, cursor_of: Callable[[T], list[Any]] = _id_cursor) -> tuple[list[T], str | None]:
    """Cuts rows fetched with `limit + 1` to the page, with the cursor past its last row (None on the last page)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(cursor_of(rows[-1]))


def id_page(
    session: Session,
    query: Select[*tuple[Any, ...]],
    column: Any,
    cursor: str | None,
    limit: int,
    *,
    scalars: bool = True,
) -> tuple[list[Any], str | None]:
    """A page of `query` in `column` order (a UUIDv7 id: oldest first), past an `[id string]` cursor."""
    after = after_id(cursor)
    if after is not None:
        query = query.where(column > after)
    query = query.order_by(column).limit(limit + 1)
    rows = list(session.scalars(query) if scalars else session.execute(query))
    return page_of(rows, limit, lambda row: [str(getattr(row, column.key))])
