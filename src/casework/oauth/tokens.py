"""OAuth access tokens: JWTs issued to a client by the client credentials grant, accepted as Bearer tokens.

Claims: iss, aud, sub (the client_id), exp, iat, jti, scope (space-separated casework scopes) and workspace; the
header's `kid` names the signing key. A request checks the signature and expiry with the process's copy of the key,
then reads its client, the client's user and the key's retirement in one indexed query, so that revoking the
client (or deactivating its user, or retiring the key) takes effect at once.
"""

import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from casework.auth.models import User
from casework.auth.records import UserRecord
from casework.auth.service import SCOPES, Actor, Authentication, hash_secret
from casework.db.base import utcnow
from casework.errors import Unauthenticated
from casework.i18n import _
from casework.oauth import keys
from casework.oauth.errors import InvalidClient, InvalidScope
from casework.oauth.models import OAuthClient, OAuthSigningKey
from casework.settings import OAUTH_TOKEN_TTL_MAX

ISSUER = "casework"
AUDIENCE = "casework-api"
ALGORITHM = "HS256"
CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "scope", "workspace"]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


_CLIENT_BY_ID = (
    select(
        OAuthClient.id,
        OAuthClient.workspace_id,
        OAuthClient.secret_hash,
        OAuthClient.scopes,
        OAuthClient.revoked_at,
        User.active,
    )
    .join(User, User.id == OAuthClient.user_id)
    .where(OAuthClient.client_id == bindparam("client_id"))
)


def issue_access_token(
    session: Session, client_id: str, client_secret: str, scope: str | None, ttl: int, now: datetime | None = None
) -> IssuedToken:
    """RFC 6749 §4.4: the client's own credentials buy an access token for its scopes, or for `scope` among them."""
    now = now or utcnow()
    client = session.execute(_CLIENT_BY_ID, {"client_id": client_id}).first()
    if client is None or not hmac.compare_digest(client.secret_hash, hash_secret(client_secret)):
        raise InvalidClient(_("unknown client or wrong client secret"))
    if client.revoked_at is not None:
        raise InvalidClient(_("the client was revoked"))
    if not client.active:
        raise InvalidClient(_("the client's user is deactivated"))
    granted = " ".join(granted_scopes(scope, client.scopes))
    key = keys.current_key(session, now)
    issued_at = int(now.timestamp())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": client_id,
        "iat": issued_at,
        "exp": issued_at + ttl,
        "jti": str(uuid.uuid4()),
        "scope": granted,
        "workspace": str(client.workspace_id),
    }
    token = jwt.encode(claims, key.secret, algorithm=ALGORITHM, headers={"kid": str(key.id)})
    return IssuedToken(token, ttl, granted)


def granted_scopes(requested: str | None, allowed: list[str]) -> list[str]:
    """RFC 6749 §3.3: space-separated scope tokens, each one the client holds; all of its scopes when absent."""
    if requested is None:
        return sorted(allowed)
    wanted = requested.split(" ")
    for scope in wanted:
        if not scope:
            raise InvalidScope(_("scope must be scope names separated by single spaces"))
        if scope not in SCOPES:
            raise InvalidScope(_("unknown scope '{scope}'", scope=scope))
        if scope not in allowed:
            raise InvalidScope(_("the client does not hold the scope '{scope}'", scope=scope))
    return sorted(set(wanted))


def is_access_token(credential: str) -> bool:
    """A JWT (three base64url parts, the first a JSON object), not an API token."""
    return credential.startswith("eyJ") and credential.count(".") == 2


_ACCESS_STATE = (
    select(
        OAuthClient.id,
        OAuthClient.workspace_id,
        OAuthClient.user_id,
        OAuthClient.scopes,
        OAuthClient.revoked_at,
        User.role,
        User.active,
        User.email,
        User.name,
        OAuthSigningKey.retired_at,
    )
    .join(User, User.id == OAuthClient.user_id)
    .join(OAuthSigningKey, OAuthSigningKey.id == bindparam("key_id"))
    .where(OAuthClient.client_id == bindparam("client_id"))
)


def authenticate_access_token(session: Session, signing_keys: keys.SigningKeys, token: str) -> Authentication:
    """The actor an access token stands for (its client's user, with the token's scopes), until the token's exp."""
    claims, key_id = _verified_claims(session, signing_keys, token)
    state = session.execute(_ACCESS_STATE, {"key_id": key_id, "client_id": claims["sub"]}).first()
    if state is None or str(state.workspace_id) != claims["workspace"]:
        raise Unauthenticated(_("invalid access token"))
    if state.revoked_at is not None:
        raise Unauthenticated(_("the access token's client was revoked"))
    if state.retired_at is not None and claims["iat"] > state.retired_at.timestamp():
        raise Unauthenticated(_("invalid access token"))
    if not state.active:
        raise Unauthenticated(_("the token's user is deactivated"))
    scopes = frozenset(claims["scope"].split(" ")) & frozenset(state.scopes)
    record = UserRecord(state.user_id, state.email, state.name)
    actor = Actor(state.workspace_id, state.user_id, state.role, scopes, oauth_client_id=state.id, record=record)
    return Authentication(actor, False, datetime.fromtimestamp(claims["exp"], UTC))


def _verified_claims(session: Session, signing_keys: keys.SigningKeys, token: str) -> tuple[dict[str, Any], uuid.UUID]:
    invalid = Unauthenticated(_("invalid access token"))
    try:
        key_id = uuid.UUID(jwt.get_unverified_header(token)["kid"])
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError, AttributeError):
        raise invalid from None
    secret = signing_keys.secret(session, key_id)
    if secret is None:
        raise invalid
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER, options={"require": CLAIMS}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(_("the access token has expired")) from None
    except jwt.InvalidTokenError:
        raise invalid from None
    well_formed = (
        isinstance(claims["scope"], str)
        and isinstance(claims["workspace"], str)
        and isinstance(claims["iat"], int)
        and isinstance(claims["exp"], int)
        # A leaked retired key could sign tokens dated before its retirement: none may outlive the longest TTL.
        and claims["exp"] - claims["iat"] <= OAUTH_TOKEN_TTL_MAX
    )
    if not well_formed:
        raise invalid
    return claims, key_id
