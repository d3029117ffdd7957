"""Opaque keyset cursors: base64url of a small JSON list."""

import base64
import binascii
from typing import Any

import orjson

from casework.errors import InvalidInput


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidInput.field("cursor", "not a cursor this server issued") from None
    if not isinstance(values, list):
        raise InvalidInput.field("cursor", "not a cursor this server issued")
    return values
