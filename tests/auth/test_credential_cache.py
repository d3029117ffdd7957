"""Each process keeps the credentials it resolved for a short while, checked against the auth generation on every
use: revoking a token or client, deactivating a user, changing a role or rotating the signing keys takes effect on
the very next request, in this process and in any other over the same database."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from casework.app import create_app
from casework.auth.cache import CredentialCache
from casework.auth.models import ApiToken
from casework.auth.service import Actor, current_generation
from casework.db.base import utcnow
from casework.oauth import keys
from casework.oauth.models import OAuthSigningKey
from tests.conftest import Member, Tenant
from tests.helpers import api_client, assert_problem, assert_unauthenticated, bearer
from tests.oauth.support import access_token, key_id, new_client


@pytest.fixture
async def second(db, settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of another app over the same database: another process, with a cache of its own."""
    async with api_client(create_app(settings, db)) as c:
        yield c


def cached_entry(app: FastAPI, secret: str):  # type: ignore[no-untyped-def]
    cache: CredentialCache = app.state.credential_cache
    return cache.get(cache.key(secret))


async def assert_both_accept(client: httpx.AsyncClient, second: httpx.AsyncClient, member: Member) -> None:
    for c in (client, second):
        assert (await c.get("/cases", headers=member.headers)).status_code == 200


async def test_a_cached_token_still_authenticates(app, client, tenant: Tenant):
    agent = tenant.add_member("agent")
    assert (await client.get("/cases", headers=agent.headers)).status_code == 200
    entry = cached_entry(app, agent.token)
    assert entry is not None and entry.actor.user_id == agent.id
    assert (await client.get("/cases", headers=agent.headers)).status_code == 200
    assert cached_entry(app, agent.token) is entry


async def test_a_revoked_token_is_refused_at_once_by_every_process_that_cached_it(app, client, second, tenant):
    agent = tenant.add_member("agent")
    await assert_both_accept(client, second, agent)
    token_id = cached_entry(app, agent.token).actor.token_id
    assert (await client.delete(f"/tokens/{token_id}")).status_code == 200
    for c in (second, client):
        body = assert_unauthenticated(await c.get("/cases", headers=agent.headers))
        assert "revoked" in body["detail"]


async def test_a_deactivated_users_token_is_refused_at_once_everywhere(client, second, tenant):
    agent = tenant.add_member("agent")
    await assert_both_accept(client, second, agent)
    assert (await client.patch(f"/users/{agent.id}", json={"active": False})).status_code == 200
    for c in (second, client):
        assert_unauthenticated(await c.get("/cases", headers=agent.headers))


async def test_a_role_change_applies_to_the_next_request_everywhere(client, second, tenant):
    agent = tenant.add_member("agent")
    for c in (client, second):
        assert (await c.post("/cases", json={"title": "Phish"}, headers=agent.headers)).status_code == 201
    assert (await client.patch(f"/users/{agent.id}", json={"role": "viewer"})).status_code == 200
    for c in (second, client):
        assert_problem(await c.post("/cases", json={"title": "Phish"}, headers=agent.headers), 403)
        me = await c.get("/me", headers=agent.headers)
        assert me.status_code == 200


async def test_a_revoked_oauth_clients_cached_access_token_is_refused_everywhere(client, second, anonymous):
    created = await new_client(client)
    headers = bearer(await access_token(anonymous, created))
    for c in (client, second):
        assert (await c.get("/cases", headers=headers)).status_code == 200
    assert (await client.delete(f"/oauth-clients/{created['id']}")).status_code == 200
    for c in (second, client):
        assert_unauthenticated(await c.get("/cases", headers=headers))


async def test_retiring_the_signing_key_drops_cached_access_tokens_it_no_longer_verifies(client, second, anonymous, db):
    created = await new_client(client)
    token = await access_token(anonymous, created)
    secret = db.run_sync(lambda s: s.scalar(select(OAuthSigningKey.secret).where(OAuthSigningKey.id == uuid.UUID(key_id(token)))))
    claims = jwt.decode(token, options={"verify_signature": False})
    # Dated 20 s ago: accepted (and cached) now, refused once its key is retired as of 30 s ago.
    dated = jwt.encode(claims | {"iat": claims["iat"] - 20, "exp": claims["exp"] - 20}, secret, algorithm="HS256", headers={"kid": key_id(token)})
    for c in (client, second):
        assert (await c.get("/cases", headers=bearer(dated))).status_code == 200
    db.run_sync(keys.rotate, utcnow() - timedelta(seconds=30))
    for c in (second, client):
        assert_unauthenticated(await c.get("/cases", headers=bearer(dated)))


async def test_every_change_to_who_may_authenticate_or_to_a_cached_actor_raises_the_generation(client, anonymous, tenant, db):
    agent = tenant.add_member("agent")
    created = await new_client(client)

    def generation() -> int:
        return db.run_sync(current_generation, write=False)

    changes = [
        # Actors carry their user's name (answers naming them read no user).
        lambda: client.patch(f"/users/{agent.id}", json={"name": "Renamed"}),
        lambda: client.patch(f"/users/{agent.id}", json={"role": "viewer"}),
        lambda: client.patch(f"/users/{agent.id}", json={"active": False}),
        lambda: client.delete(f"/oauth-clients/{created['id']}"),
    ]
    for change in changes:
        before = generation()
        assert (await change()).status_code == 200
        assert generation() > before
    before = generation()
    db.run_sync(keys.rotate)
    assert generation() > before
    # A change that leaves who may authenticate and the actor as they were does not drop every process's cache.
    before = generation()
    assert (await client.patch(f"/users/{tenant.admin.id}", json={"name": "Admin", "role": "admin"})).status_code == 200
    assert generation() == before


async def test_last_used_at_is_written_by_the_flush_not_by_the_request(app, client, tenant, db):
    agent = tenant.add_member("agent")

    def last_used():  # type: ignore[no-untyped-def]
        return db.run_sync(lambda s: s.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == agent.id)), write=False)

    before = utcnow()
    assert (await client.get("/cases", headers=agent.headers)).status_code == 200
    assert (await client.get("/cases", headers=agent.headers)).status_code == 200
    assert last_used() is None
    assert await app.state.token_usage.flush(app.state.db) >= 1
    assert last_used() >= before
    # Nothing new to write: uses within a minute of the last one recorded are not written again.
    assert (await client.get("/cases", headers=agent.headers)).status_code == 200
    assert await app.state.token_usage.flush(app.state.db) == 0


async def test_the_cache_never_holds_the_secret(app, client, tenant):
    agent = tenant.add_member("agent")
    assert (await client.get("/cases", headers=agent.headers)).status_code == 200
    cache: CredentialCache = app.state.credential_cache
    held = repr(list(cache._entries.items()))
    assert agent.token not in held
    assert hashlib.sha256(agent.token.encode()).digest() in cache._entries
    assert all(len(key) == 32 for key in cache._entries)


def _actor() -> Actor:
    return Actor(uuid.uuid4(), uuid.uuid4(), "agent", frozenset({"cases:read"}), uuid.uuid4())


def test_the_cache_keeps_at_most_its_size_dropping_the_least_recently_used():
    cache = CredentialCache(size=3)
    now = utcnow()
    keys_ = [cache.key(f"secret-{n}") for n in range(5)]
    for key in keys_[:3]:
        cache.put(key, _actor(), 0, None, now)
    assert cache.get(keys_[0]) is not None  # used: the least recently used is now keys_[1]
    for key in keys_[3:]:
        cache.put(key, _actor(), 0, None, now)
    assert len(cache) == 3
    assert [cache.get(k) is not None for k in keys_] == [True, False, False, True, True]


def test_an_entry_lives_at_most_its_lifetime_and_never_past_the_credentials_expiry():
    clock = [1000.0]
    cache = CredentialCache(lifetime=30, clock=lambda: clock[0])
    now = utcnow()
    lasting, expiring = cache.key("lasting"), cache.key("expiring")
    cache.put(lasting, _actor(), 0, None, now)
    cache.put(expiring, _actor(), 0, now + timedelta(seconds=5), now)
    clock[0] += 5
    assert cache.get(lasting) is not None and cache.get(expiring) is None
    clock[0] += 25
    assert cache.get(lasting) is None
    assert len(cache) == 0


def test_basic_credentials_are_cached_apart_from_the_bare_secret():
    assert CredentialCache.key("cw_x") != CredentialCache.key("cw_x", "a@example.com")
    assert CredentialCache.key("cw_x", "A@example.com") == CredentialCache.key("cw_x", "a@example.com")
