"""OAuth2 clients of a workspace: made, listed and revoked by its admins. A client acts as one user of the
workspace (the admin who made it unless another is named), within the scopes it was given."""

import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor, get_user, hash_secret, raise_generation
from casework.db.base import utcnow
from casework.errors import Forbidden, InvalidInput, LimitExceeded, NotFound
from casework.i18n import _
from casework.oauth.models import OAuthClient
from casework.oauth.schemas import OAuthClientCreate

CLIENT_ID_PREFIX = "cwc_"
CLIENT_SECRET_PREFIX = "cwcs_"
MAX_ACTIVE_CLIENTS = 100


def create_client(session: Session, actor: Actor, data: OAuthClientCreate) -> tuple[OAuthClient, str]:
    """The new client and its secret, which is kept only as a hash."""
    actor.require_admin()
    user = get_user(session, actor, data.user_id or actor.user_id)
    if not user.active:
        raise InvalidInput.field("user_id", _("the user is deactivated"))
    wanted = set(data.scopes)
    if not wanted <= actor.scopes:
        raise Forbidden(_("a client cannot hold scopes its creator's token lacks"))
    if "admin" in wanted and user.role != "admin":
        raise InvalidInput.field("scopes", _("the 'admin' scope is only for users with the admin role"))
    active = select(func.count()).where(
        OAuthClient.workspace_id == actor.workspace_id, OAuthClient.revoked_at.is_(None)
    )
    if session.execute(active).scalar_one() >= MAX_ACTIVE_CLIENTS:
        raise LimitExceeded("oauth_clients", MAX_ACTIVE_CLIENTS, _("active OAuth clients per workspace"))
    secret = CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)
    client = OAuthClient(
        workspace_id=actor.workspace_id,
        user_id=user.id,
        created_by=actor.user_id,
        name=data.name,
        client_id=CLIENT_ID_PREFIX + secrets.token_urlsafe(18),
        secret_hash=hash_secret(secret),
        scopes=sorted(wanted),
    )
    session.add(client)
    session.flush()
    return client, secret


def list_clients(session: Session, actor: Actor) -> list[OAuthClient]:
    """Every client of the workspace, revoked ones too, oldest first."""
    actor.require_admin()
    query = select(OAuthClient).where(OAuthClient.workspace_id == actor.workspace_id)
    return list(session.scalars(query.order_by(OAuthClient.created_at, OAuthClient.id)))


def revoke_client(session: Session, actor: Actor, client_id: uuid.UUID) -> OAuthClient:
    """Revoked at once: its access tokens stop working on their next request."""
    actor.require_admin()
    client = session.get(OAuthClient, client_id)
    if client is None or client.workspace_id != actor.workspace_id:
        raise NotFound("OAuth client", client_id)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        raise_generation(session)
    return client
