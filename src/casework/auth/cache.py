"""This process's credentials already resolved, so that a request authenticates with one cheap read and no write.

An entry is keyed by the SHA-256 of the presented secret (and the email of Basic credentials), never the secret
itself, and holds the actor it resolved to for at most LIFETIME seconds, never past the credential's own expiry.
Each hit compares the entry's generation with auth_generations, which every revocation, deactivation or role change
raises in its own transaction: a changed generation drops the entry, so revocation takes effect at once in every
process. When a token was last used is kept here too (TokenUsage) and written in batches, off the request path.
"""

import asyncio
import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from casework.auth.service import LAST_USED_RESOLUTION, Actor, record_token_uses
from casework.db.base import utcnow
from casework.db.database import Database

LIFETIME = 30.0
SIZE = 10_000
# How often the lifespan task writes the recorded uses.
FLUSH_INTERVAL = 5.0

log = structlog.get_logger()


@dataclass(slots=True)
class CachedCredential:
    actor: Actor
    generation: int
    # On this cache's clock (monotonic seconds).
    fresh_until: float
    # API tokens: when this process last recorded a use (each use within LAST_USED_RESOLUTION after is not).
    use_recorded_at: datetime | None = None


class CredentialCache:
    """Thread-safe, bounded (least recently used entries go first), entries short-lived."""

    def __init__(self, lifetime: float = LIFETIME, size: int = SIZE, clock: Callable[[], float] = time.monotonic):
        self.lifetime = lifetime
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[bytes, CachedCredential] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(secret: str, email: str | None = None) -> bytes:
        material = secret if email is None else f"{email.lower()}\0{secret}"
        return hashlib.sha256(material.encode()).digest()

    def get(self, key: bytes) -> CachedCredential | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.fresh_until <= self.clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(
        self,
        key: bytes,
        actor: Actor,
        generation: int,
        expires_at: datetime | None,
        now: datetime,
        use_recorded_at: datetime | None = None,
    ) -> CachedCredential:
        start = self.clock()
        fresh_until = start + self.lifetime
        if expires_at is not None:
            fresh_until = min(fresh_until, start + (expires_at - now).total_seconds())
        entry = CachedCredential(actor, generation, fresh_until, use_recorded_at)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry

    def drop(self, key: bytes) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


class TokenUsage:
    """When each API token was last used by this process, until flush writes them in one batched UPDATE."""

    def __init__(self) -> None:
        self._pending: dict[uuid.UUID, datetime] = {}
        self._lock = threading.Lock()

    def record(self, entry: CachedCredential, now: datetime | None = None) -> None:
        """A use of the entry's API token; recorded once per LAST_USED_RESOLUTION, as the database keeps it."""
        now = now or utcnow()
        token_id = entry.actor.token_id
        if token_id is None or (entry.use_recorded_at and now - entry.use_recorded_at < LAST_USED_RESOLUTION):
            return
        entry.use_recorded_at = now
        with self._lock:
            self._pending[token_id] = now

    async def flush(self, db: Database) -> int:
        """Writes the recorded uses; how many tokens it wrote. A failed write keeps them for the next flush."""
        with self._lock:
            uses, self._pending = self._pending, {}
        if not uses:
            return 0
        try:
            await db.write(record_token_uses, uses)
        except BaseException:
            with self._lock:
                for token_id, at in uses.items():
                    self._pending[token_id] = max(at, self._pending.get(token_id, at))
            raise
        return len(uses)

    async def write_every(self, interval: float, db: Database) -> None:
        """Flushes every `interval` seconds until cancelled (the app's lifespan runs it, and flushes once more)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.flush(db)
            except Exception:  # noqa: BLE001 - the uses stay recorded; the next flush retries
                log.exception("writing when tokens were last used failed")
