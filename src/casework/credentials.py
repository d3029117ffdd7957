"""How a request says who it is: readers that take the secret out of the headers each API uses.

A reader returns the Credentials it found, or None when the request carries none of its kind; it raises
Unauthenticated when the header is there but malformed. The secret is always a casework API token: readers only
differ in where the vendor's clients put it.
"""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from casework.errors import Unauthenticated
from casework.i18n import _


@dataclass(frozen=True, slots=True)
class Credentials:
    secret: str
    # HTTP Basic names a user: the token must then be that user's (compared without regard to case).
    email: str | None = None


CredentialReader = Callable[[Request], Credentials | None]


def _authorization(request: Request, scheme: str) -> str | None:
    """The parameter of an `Authorization: <scheme> <parameter>` header, or None for another scheme or none."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    given, _space, parameter = header.strip().partition(" ")
    if given.lower() != scheme.lower():
        return None
    parameter = parameter.strip()
    if not parameter:
        raise Unauthenticated(_("the Authorization header has no credentials after '{scheme}'", scheme=given))
    return parameter


def _base64_pair(parameter: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(parameter, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    first, colon, second = decoded.partition(":")
    return (first, second) if colon else None


def bearer(request: Request) -> Credentials | None:
    """`Authorization: Bearer <token>`."""
    token = _authorization(request, "Bearer")
    return None if token is None else Credentials(token)


def api_key(request: Request) -> Credentials | None:
    """`Authorization: ApiKey <token>`, or the base64 of `<id>:<token>` as Elastic's API keys are sent."""
    parameter = _authorization(request, "ApiKey")
    if parameter is None:
        return None
    pair = _base64_pair(parameter)
    return Credentials(pair[1] if pair else parameter)


def basic(request: Request) -> Credentials | None:
    """`Authorization: Basic base64(<user email>:<token>)`."""
    parameter = _authorization(request, "Basic")
    if parameter is None:
        return None
    pair = _base64_pair(parameter)
    if pair is None or not pair[1]:
        raise Unauthenticated(_("malformed Basic credentials: expected base64 of 'email:token'"))
    return Credentials(pair[1], email=pair[0])


def header(name: str) -> CredentialReader:
    """The token as the whole value of a header of its own (e.g. `X-User-Token`)."""

    def read(request: Request) -> Credentials | None:
        value = request.headers.get(name)
        if value is None:
            return None
        if not value.strip():
            raise Unauthenticated(_("the {header} header is empty", header=name))
        return Credentials(value.strip())

    return read


def first_of(*readers: CredentialReader) -> CredentialReader:
    """The credentials of the first reader that finds any, in the order given."""

    def read(request: Request) -> Credentials | None:
        for reader in readers:
            found = reader(request)
            if found is not None:
                return found
        return None

    return read
