"""The HS256 keys access tokens are signed with, kept in the database so every process and restart shares them.

The newest key not retired signs. Rotation retires the others: a retired key still verifies the tokens it signed
before its retirement, until they expire (at most OAUTH_TOKEN_TTL_MAX later); keys past that are deleted.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from casework.auth.service import raise_generation
from casework.db.base import utcnow
from casework.db.statements import rows_affected
from casework.oauth.models import OAuthSigningKey
from casework.settings import OAUTH_TOKEN_TTL_MAX


@dataclass(frozen=True, slots=True)
class Rotation:
    key_id: uuid.UUID
    retired: int
    deleted: int


def current_key(session: Session, now: datetime | None = None) -> OAuthSigningKey:
    """The key that signs now; the first one is made on the first call (two made at once both verify)."""
    query = select(OAuthSigningKey).where(OAuthSigningKey.retired_at.is_(None))
    key = session.scalar(query.order_by(OAuthSigningKey.created_at.desc(), OAuthSigningKey.id.desc()).limit(1))
    return key or _new_key(session, now or utcnow())


def rotate(session: Session, now: datetime | None = None) -> Rotation:
    """A new current key; the others retire now, and those retired too long ago to verify anything are deleted."""
    now = now or utcnow()
    retired = rows_affected(
        session, update(OAuthSigningKey).where(OAuthSigningKey.retired_at.is_(None)).values(retired_at=now)
    )
    expired = OAuthSigningKey.retired_at < now - timedelta(seconds=OAUTH_TOKEN_TTL_MAX)
    deleted = rows_affected(session, delete(OAuthSigningKey).where(expired))
    # Cached access tokens signed by a key retired now are checked again.
    raise_generation(session)
    return Rotation(_new_key(session, now).id, retired, deleted)


def _new_key(session: Session, now: datetime) -> OAuthSigningKey:
    key = OAuthSigningKey(secret=secrets.token_urlsafe(32), created_at=now)
    session.add(key)
    session.flush()
    return key


class SigningKeys:
    """This process's copy of the keys' secrets by id: a secret never changes, so verifying a signature needs no
    query once its key is known. Whether a key is retired or deleted is read fresh with each request's client."""

    def __init__(self) -> None:
        self._secrets: dict[uuid.UUID, str] = {}

    def secret(self, session: Session, key_id: uuid.UUID) -> str | None:
        found = self._secrets.get(key_id)
        if found is None:
            # A key made by another process, or since: read them all again (a handful of rows).
            rows = session.execute(select(OAuthSigningKey.id, OAuthSigningKey.secret))
            self._secrets = {row.id: row.secret for row in rows}
            found = self._secrets.get(key_id)
        return found
