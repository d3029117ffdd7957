"""The token endpoint's wire format (RFC 6749 §4.4, §5): a form-encoded request whose client authenticates by
HTTP Basic or in the body (§2.3.1), and JSON answers that are never cached."""

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

import orjson
from fastapi.responses import Response

from casework.errors import DomainError
from casework.i18n import _
from casework.oauth.errors import InvalidClient, InvalidRequest, OAuthError, UnsupportedGrantType

FORM = "application/x-www-form-urlencoded"
GRANT_TYPE = "client_credentials"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
CHALLENGE = {"WWW-Authenticate": 'Basic realm="casework"'}
# §5.2: error_description is printable ASCII without '"' and '\'.
_NOT_ALLOWED = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")
_TYPOGRAPHIC = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": "'", "\u201d": "'", "\u00ab": "'", "\u00bb": "'", '"': "'"}
)


@dataclass(frozen=True, slots=True)
class TokenRequest:
    client_id: str
    client_secret: str
    scope: str | None


def token_request(content_type: str | None, body: bytes, authorization: str | None) -> TokenRequest:
    """The parameters of a client credentials request, checked in the order: form, grant type, client auth."""
    params = _form(content_type, body)
    grant_type = params.get("grant_type")
    if grant_type is None:
        raise InvalidRequest(_("the grant_type parameter is required"))
    if grant_type != GRANT_TYPE:
        raise UnsupportedGrantType(_("only the client_credentials grant type is supported"))
    client_id, client_secret = _client_credentials(params, authorization)
    return TokenRequest(client_id, client_secret, params.get("scope"))


def _form(content_type: str | None, body: bytes) -> dict[str, str]:
    if content_type is None or content_type.split(";")[0].strip().lower() != FORM:
        raise InvalidRequest(_("the request body must be {form}", form=FORM))
    try:
        # §3.1: a parameter sent without a value is treated as omitted (parse_qsl drops blank values).
        pairs = parse_qsl(body.decode("utf-8"), errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest(_("the request body is not valid form encoding")) from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise InvalidRequest(_("the parameter {name} is given more than once", name=name))
        params[name] = value
    return params


def _client_credentials(params: dict[str, str], authorization: str | None) -> tuple[str, str]:
    if authorization is None:
        if "client_secret" not in params or "client_id" not in params:
            raise InvalidClient(_("client authentication is required (HTTP Basic, or client_id and client_secret)"))
        return params["client_id"], params["client_secret"]
    if "client_secret" in params:
        raise InvalidRequest(_("the client must authenticate one way only: HTTP Basic or the request body"))
    client_id, client_secret = _basic(authorization)
    if params.get("client_id", client_id) != client_id:
        raise InvalidRequest(_("the client_id parameter differs from the client authenticated"))
    return client_id, client_secret


def _basic(authorization: str) -> tuple[str, str]:
    scheme, _sep, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise InvalidClient(_("the client must authenticate with HTTP Basic"))
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient(_("malformed HTTP Basic credentials")) from None
    client_id, colon, client_secret = decoded.partition(":")
    if not colon:
        raise InvalidClient(_("malformed HTTP Basic credentials"))
    # §2.3.1: the client id and secret are form-encoded before Basic encoding.
    return unquote_plus(client_id), unquote_plus(client_secret)


def access_token_response(access_token: str, expires_in: int, scope: str) -> Response:
    body = {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in, "scope": scope}
    return Response(orjson.dumps(body), 200, headers=NO_STORE, media_type="application/json")


def render_error(exc: DomainError, status: int) -> Response:
    """Any error of the token endpoint as §5.2's {error, error_description}: 401 for invalid_client, else 400."""
    if isinstance(exc, OAuthError):
        code, status = exc.code, 401 if isinstance(exc, InvalidClient) else 400
    else:
        code = "server_error" if status >= 500 else "invalid_request"
    headers = NO_STORE | CHALLENGE if status == 401 else NO_STORE
    body = {"error": code, "error_description": _ascii(exc.detail)}
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_TYPOGRAPHIC)).encode("ascii", "ignore").decode()
    return _NOT_ALLOWED.sub("", folded)
