"""Users, API tokens, and who may do what."""

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Uuid, bindparam, select, update
from sqlalchemy.orm import Session

from casework.auth.models import ApiToken, AuthGeneration, User
from casework.auth.records import UserRecord
from casework.auth.schemas import TokenCreate, UserCreate, UserUpdate
from casework.db.base import utcnow
from casework.db.handles import ref_condition
from casework.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from casework.i18n import _
from casework.settings import parse_rate_limit

ROLES = ("admin", "manager", "agent", "reviewer", "viewer")
SCOPES = ("cases:read", "cases:write", "admin")
# Lets an integration token name another user as the author of what it writes; never part of a default set.
IMPERSONATE = "cases:impersonate"
CASE_WRITER_ROLES = frozenset({"admin", "manager", "agent", "reviewer"})
CASE_ADMIN_ROLES = frozenset({"admin", "manager"})
ADMIN_ROLES = frozenset({"admin"})
ALL_ROLES = frozenset(ROLES)
TOKEN_PREFIX = "cw_"
# last_used_at is recorded at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The one row of auth_generations.
GENERATION_ID = 1


@dataclass(frozen=True, slots=True)
class Actor:
    workspace_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    scopes: frozenset[str]
    token_id: uuid.UUID | None = None
    rate_limit: str | None = None
    # The API the request came through (native, cli, kibana, ...): activity entries record it.
    source: str = "native"
    # Set when the request came with an OAuth access token: the client it was issued to (token_id is then None).
    oauth_client_id: uuid.UUID | None = None
    # The user an impersonating token writes for (see act_for); permissions stay those of user_id.
    on_behalf_of: uuid.UUID | None = None
    # The user's own record, as authentication read it (None for actors made otherwise): answers naming the actor
    # need no read of it. Changing a user's name raises the generation, so a cached actor never shows an old one.
    record: UserRecord | None = None
    # The auth generation this request found current when it checked the credential (None for actors made
    # otherwise): what a process caches under that generation still holds for this request.
    generation: int | None = None

    def require(self, scope: str, roles: frozenset[str]) -> None:
        if self.role not in roles:
            raise Forbidden(_("the role '{role}' may not do this", role=self.role))
        if scope not in self.scopes:
            raise Forbidden(_("the token lacks the scope '{scope}'", scope=scope))

    def require_case_read(self) -> None:
        self.require("cases:read", ALL_ROLES)

    def require_case_write(self) -> None:
        self.require("cases:write", CASE_WRITER_ROLES)

    def require_case_admin(self) -> None:
        self.require("cases:write", CASE_ADMIN_ROLES)

    def require_admin(self) -> None:
        self.require("admin", ADMIN_ROLES)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and "admin" in self.scopes

    @property
    def author_id(self) -> uuid.UUID:
        """Who what this actor writes is by: the user acted for, else the token's user."""
        return self.on_behalf_of or self.user_id


def act_for(session: Session, actor: Actor, user_id: uuid.UUID | None, field: str) -> Actor:
    """The actor writing for user_id (named in the request's `field`): needs the scope cases:impersonate, and the
    user must be an active user of the workspace. Naming yourself, or no one, changes nothing."""
    if user_id is None or user_id == actor.user_id:
        return actor
    if IMPERSONATE not in actor.scopes:
        raise Forbidden(_("the token lacks the scope '{scope}'", scope=IMPERSONATE))
    if not existing_user_ids(session, actor.workspace_id, [user_id]):
        raise InvalidInput.field(field, _("not an active user of this workspace: {user}", user=user_id))
    return replace(actor, on_behalf_of=user_id)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Authentication:
    actor: Actor
    stale_last_used: bool
    # When the credential stops working by itself (an API token's expiry, an access token's exp).
    expires_at: datetime | None = None


_TOKEN_BY_HASH = (
    select(
        ApiToken.id,
        ApiToken.workspace_id,
        ApiToken.user_id,
        ApiToken.scopes,
        ApiToken.rate_limit,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        User.role,
        User.active,
        User.email,
        User.name,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate(
    session: Session, secret: str, now: datetime | None = None, *, email: str | None = None, source: str = "native"
) -> Authentication:
    """The actor a token stands for, coming through `source`; `email`, when given, must be the token's user's."""
    now = now or utcnow()
    # Columns, not the ORM entity: this runs on every request.
    token = session.execute(_TOKEN_BY_HASH, {"token_hash": hash_secret(secret)}).first()
    if token is None:
        raise Unauthenticated(_("unknown API token"))
    if token.revoked_at is not None:
        raise Unauthenticated(_("the API token was revoked"))
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated(_("the API token has expired"))
    if not token.active:
        raise Unauthenticated(_("the token's user is deactivated"))
    if email is not None and email.lower() != token.email:
        raise Unauthenticated(_("the API token does not belong to {email}", email=email))
    actor = Actor(
        token.workspace_id,
        token.user_id,
        token.role,
        frozenset(token.scopes),
        token.id,
        token.rate_limit,
        source,
        record=UserRecord(token.user_id, token.email, token.name),
    )
    stale = token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION
    return Authentication(actor, stale, token.expires_at)


_TOKENS = ApiToken.__table__.c
# Core, not ORM: one executemany over the batch.
_RECORD_USE = (
    update(ApiToken.__table__)
    .where(_TOKENS.id == bindparam("token_id"))
    # Processes flush in any order: a later use already written stays.
    .where(_TOKENS.last_used_at.is_(None) | (_TOKENS.last_used_at < bindparam("used_at")))
    .values(last_used_at=bindparam("used_at"))
)


def record_token_uses(session: Session, uses: Mapping[uuid.UUID, datetime]) -> None:
    """Writes when each token was last used, in one batched UPDATE."""
    if uses:
        session.execute(_RECORD_USE, [{"token_id": token_id, "used_at": at} for token_id, at in uses.items()])


_GENERATION = select(AuthGeneration.generation).where(AuthGeneration.id == GENERATION_ID)
# The same read as one plain statement, for a cache hit's check outside any session.
GENERATION_SQL = f"SELECT generation FROM auth_generations WHERE id = {GENERATION_ID}"


def current_generation(session: Session) -> int:
    return session.execute(_GENERATION).scalar_one()


def raise_generation(session: Session) -> None:
    """Every cached credential is checked again on its next use, and what processes cache under the generation is
    read again: call it in the transaction of any change to who may authenticate, or as what, or to a cached
    document (the change and the raise commit together)."""
    session.execute(
        update(AuthGeneration)
        .where(AuthGeneration.id == GENERATION_ID)
        .values(generation=AuthGeneration.generation + 1)
    )


# Users


def create_user(session: Session, actor: Actor, data: UserCreate) -> User:
    actor.require_admin()
    return add_user(session, actor.workspace_id, data)


def add_user(session: Session, workspace_id: uuid.UUID, data: UserCreate) -> User:
    email = data.email.lower()
    taken = session.scalar(select(User.id).where(User.workspace_id == workspace_id, User.email == email))
    if taken is not None:
        raise Conflict(_("a user with the email {email} already exists", email=email))
    user = User(workspace_id=workspace_id, email=email, name=data.name, role=data.role)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    actor.require_case_read()
    return list(session.scalars(select(User).where(User.workspace_id == actor.workspace_id).order_by(User.email)))


def read_user(session: Session, actor: Actor, user_id: str | uuid.UUID) -> User:
    actor.require_case_read()
    return get_user(session, actor, user_id)


def get_user(session: Session, actor: Actor, user_id: str | uuid.UUID) -> User:
    """A user of the actor's workspace by id or handle."""
    return find_user(session, actor.workspace_id, user_id)


def find_user(session: Session, workspace_id: uuid.UUID, ref: str | uuid.UUID) -> User:
    named = ref_condition(User, ref)
    user = None if named is None else session.scalar(select(User).where(named, User.workspace_id == workspace_id))
    if user is None:
        raise NotFound("user", ref)
    return user


def first_active_admin(session: Session, workspace_id: uuid.UUID) -> User | None:
    """The workspace's longest-standing active admin."""
    query = select(User).where(User.workspace_id == workspace_id, User.role == "admin", User.active.is_(True))
    return session.scalar(query.order_by(User.created_at, User.id).limit(1))


def find_user_by_email(session: Session, workspace_id: uuid.UUID, email: str) -> User:
    user = session.scalar(select(User).where(User.workspace_id == workspace_id, User.email == email.lower()))
    if user is None:
        raise NotFound("user", email)
    return user


def update_user(session: Session, actor: Actor, user_id: str | uuid.UUID, data: UserUpdate) -> User:
    actor.require_admin()
    user = get_user(session, actor, user_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    losing_admin = (
        user.role == "admin"
        and user.active
        and (changes.get("role", "admin") != "admin" or changes.get("active") is False)
    )
    if losing_admin and _active_admin_count(session, actor.workspace_id) <= 1:
        raise Conflict(_("the workspace must keep at least one active admin"))
    # Cached actors carry their role, state and name.
    if any(changes.get(field, getattr(user, field)) != getattr(user, field) for field in ("role", "active", "name")):
        raise_generation(session)
    for field, value in changes.items():
        setattr(user, field, value)
    user.updated_at = utcnow()
    return user


def _active_admin_count(session: Session, workspace_id: uuid.UUID) -> int:
    """Locks the admins' rows (PostgreSQL), so two demotions at once cannot both see another admin left."""
    query = select(User.id).where(User.workspace_id == workspace_id, User.role == "admin", User.active.is_(True))
    return len(session.scalars(query.with_for_update()).all())


def existing_user_ids(session: Session, workspace_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    wanted = set(ids)
    if not wanted:
        return set()
    found = session.scalars(
        select(User.id).where(User.workspace_id == workspace_id, User.id.in_(wanted), User.active.is_(True))
    )
    return set(found)


def user_ids_by_number(
    session: Session, workspace_id: uuid.UUID, numbers: Iterable[int], active_only: bool = True
) -> dict[int, uuid.UUID]:
    """The workspace's users among these integer handles, by handle."""
    wanted = set(numbers)
    if not wanted:
        return {}
    query = select(User.number, User.id).where(User.workspace_id == workspace_id, User.number.in_(wanted))
    if active_only:
        query = query.where(User.active.is_(True))
    return {number: user_id for number, user_id in session.execute(query)}


def user_records(session: Session, actor: Actor, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, UserRecord]:
    """The users of the actor's workspace among ids (inactive ones too: they still wrote what they wrote), by id; the
    actor's own record is the one it came with (most answers name no one else: no read)."""
    wanted = set(ids)
    own = actor.record
    found = {}
    if own is not None and own.id in wanted:
        wanted.discard(own.id)
        found[own.id] = own
    if wanted:
        rows = session.connection().execute(_USERS_AMONG, {"workspace_id": actor.workspace_id, "ids": list(wanted)})
        found.update((row.id, UserRecord(row.id, row.email, row.name)) for row in rows)
    return found


# Built once: a statement's cache key is worked out again for every new statement object (dialects name the users of
# every answer).
_USERS_AMONG = select(User.id, User.email, User.name).where(
    User.workspace_id == bindparam("workspace_id", type_=Uuid()), User.id.in_(bindparam("ids", expanding=True))
)


# Tokens


def create_token(session: Session, actor: Actor, data: TokenCreate) -> tuple[ApiToken, str]:
    owner_id = data.user_id or actor.user_id
    if owner_id != actor.user_id:
        actor.require_admin()
    owner = get_user(session, actor, owner_id)
    if not owner.active:
        raise InvalidInput.field("user_id", _("the user is deactivated"))
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise InvalidInput.field("expires_at", _("must be in the future"))
    wanted = set(data.scopes)
    if IMPERSONATE in wanted and not actor.is_admin:
        raise Forbidden(_("only admins grant the scope '{scope}'", scope=IMPERSONATE))
    if not wanted - {IMPERSONATE} <= actor.scopes:
        raise Forbidden(_("a token cannot grant scopes its creator's token lacks"))
    if "admin" in wanted and owner.role != "admin":
        raise InvalidInput.field("scopes", _("the 'admin' scope is only for users with the admin role"))
    if data.rate_limit is not None:
        _check_rate_limit(data.rate_limit)
    return issue_token(session, owner, data.name, sorted(wanted), data.expires_at, data.rate_limit)


def _check_rate_limit(value: str) -> None:
    try:
        parse_rate_limit(value)
    except ValueError:
        raise InvalidInput.field(
            "rate_limit", _("expected one positive amount per period, like '600/minute'")
        ) from None


def issue_token(
    session: Session,
    owner: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    rate_limit: str | None = None,
    secret: str | None = None,
) -> tuple[ApiToken, str]:
    secret = secret or new_secret()
    token = ApiToken(
        workspace_id=owner.workspace_id,
        user_id=owner.id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        scopes=scopes,
        rate_limit=rate_limit,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, actor: Actor, user_id: uuid.UUID | None = None) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.workspace_id == actor.workspace_id).order_by(ApiToken.created_at)
    if not actor.is_admin:
        if user_id is not None and user_id != actor.user_id:
            raise Forbidden(_("only admins list other users' tokens"))
        user_id = actor.user_id
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def revoke_token(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.workspace_id != actor.workspace_id:
        raise NotFound("token", token_id)
    if token.user_id != actor.user_id and not actor.is_admin:
        raise Forbidden(_("only admins revoke other users' tokens"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        raise_generation(session)
    return token
