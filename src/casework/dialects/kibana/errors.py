"""Kibana's error answers: a Boom payload `{statusCode, error, message}`, whatever went wrong.

Domain errors keep their meaning but take Kibana's status codes (validation is a 400, never a 422) and, where
Kibana words a message its own way (a missing saved object), its words. Errors only Kibana has (406, its exact
validation and conflict messages) are raised as `KibanaError`, an HTTP error the app renders here too."""

from http import HTTPStatus
from typing import Any

import orjson
from fastapi import HTTPException, Response
from pydantic import BaseModel, Field

from casework import errors
from casework.errors import DomainError

# Kibana's saved-object types, by the resource a NotFound names.
_SAVED_OBJECT_TYPES = {"case": "cases", "comment": "cases-comments", "alert": "cases-comments"}
# Boom's phrases where they differ from Python's.
_PHRASES = {413: "Request Entity Too Large"}


class KibanaErrorBody(BaseModel):
    """Every error answer of the Kibana API (a Boom payload)."""

    statusCode: int = Field(description="The HTTP status code.")
    error: str = Field(description="The status code's reason phrase (`Bad Request`, `Not Found`, ...).")
    message: str = Field(description="What went wrong, as Kibana words it.")


# What every Kibana route documents for its client errors.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"description": "The request was refused (a Boom error body).", "model": KibanaErrorBody},
}


class KibanaError(HTTPException):
    """An error worded and coded as Kibana answers it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)


def bad_request(message: str) -> KibanaError:
    return KibanaError(400, message)


def phrase(status: int) -> str:
    return _PHRASES.get(status) or HTTPStatus(status).phrase


def boom(status: int, message: str) -> dict[str, Any]:
    return {"statusCode": status, "error": phrase(status), "message": message}


def _message(exc: DomainError) -> str:
    if isinstance(exc, errors.NotFound) and exc.resource in _SAVED_OBJECT_TYPES:
        return f"Saved object [{_SAVED_OBJECT_TYPES[exc.resource]}/{exc.ident}] not found"
    return exc.detail


def render_error(exc: DomainError, status: int) -> Response:
    # Kibana refuses bad input with 400 (io-ts and the case client alike); 422 is not one of its answers.
    status = 400 if status == 422 else status
    headers = {"WWW-Authenticate": 'ApiKey, Basic realm="kibana"'} if status == 401 else None
    return Response(orjson.dumps(boom(status, _message(exc))), status, headers=headers, media_type="application/json")
