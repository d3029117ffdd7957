"""Engines and the one way to run a unit of work.

SQLite runs each unit of work inline on the calling thread: its statements take
microseconds, and a thread hop costs more than the work (see the storage notes).
One event loop per process then serialises this process's writes; BEGIN IMMEDIATE
makes writers of other processes wait on the busy timeout instead of deadlocking.
Each thread keeps a SQLite connection of its own for reads and one for writes, out
of the pool: a checkout, its return and the Connection around them cost a get ~8%
of its instructions, more than its one SELECT.
PostgreSQL runs each unit of work on a worker thread with its own pooled connection,
pinged first only when it sat idle a while (PING_AFTER_IDLE).

A server's SQLite database checkpoints its write-ahead log off the event loop (background_checkpoints): left to
itself, SQLite checkpoints inside the commit that fills the log, on the loop, stalling every request behind it.
"""

import asyncio
import contextvars
import json
import threading
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import anyio
import orjson
import structlog
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from casework.db.plain import UNIT_CONNECTION, on_driver

T = TypeVar("T")
log = structlog.get_logger()
# How often a server's SQLite log is checkpointed: at most a second of writes waits in it.
CHECKPOINT_INTERVAL = 1.0

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    # A write checked against a foreign key keeps a statement journal; this SQLite build spills it to a temp file at
    # once, ~40 writes per row changed (a case's updated_by and its indexed updated_at: 75 µs a row, 25 in memory).
    "PRAGMA temp_store=MEMORY",
)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


PARALLEL_WORKERS_OFF = "SET max_parallel_workers_per_gather = 0"
# A passive checkpoint copies what it can without waiting on readers or writers; the next one takes the rest.
CHECKPOINT = "PRAGMA wal_checkpoint(PASSIVE)"
# But under steady writes it never catches up: the log starts over only when a writer finds it all copied, so it
# kept every frame (3 GB after 16 s of creates, a create writing ~47 pages) and writes slowed as it grew (~50%).
# Past this many frames a checkpoint copies the rest where no write can run meanwhile, so that the next write
# starts the log over (in the same file: cutting the file back on the way, journal_size_limit, stalled that write
# 40-55 ms).
WAL_RESTART_FRAMES = 10_000
# The worker thread copies again while its last copy took this many frames or more (what was written during the
# copy before it), so that little is left to copy where writes wait: a copy there of all that a first copy left
# stalled every request 25-50 ms a second under steady creates.
CAUGHT_UP_FRAMES = 1_000
MAX_COPIES = 5


# Connection.info (kept with the database connection): PostgreSQL statements other than reads run on it so far.
_WRITES = "statements_not_reading"


def writes_made(connection: Connection) -> int:
    """A count that grows with every change made on this database connection (SQLite: rows changed, triggers'
    included; PostgreSQL: statements other than SELECT): equal counts mean nothing was written in between."""
    changes = getattr(connection.connection.dbapi_connection, "total_changes", None)
    return int(changes) if changes is not None else int(connection.info.get(_WRITES, 0))


# A pooled PostgreSQL connection idle this long is pinged before it is used again. One used a moment ago is alive:
# pinging at every checkout (pool_pre_ping) cost a get two round trips, ~15% of its time. A connection that dies in
# use (the server restarted under load) fails its statement, and SQLAlchemy then replaces every connection of the
# pool opened before the failure.
PING_AFTER_IDLE = 5.0
_IDLE_SINCE = "idle_since"


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine.pool, "checkin")
    def _idle_from_now(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool closes this connection and checks out another.
            raise DisconnectionError(f"an idle connection failed its ping: {exc}") from exc


def value_within(connection: Connection, sql: str) -> Any:
    """The first column of the first row of one parameterless statement, in the connection's own transaction,
    through the driver's cursor: a one-value read needs none of SQLAlchemy's statement and result machinery
    (about a tenth of the cost). Not seen by writes_made: it reads only."""
    cursor = on_driver(connection, sql, ())
    try:
        row = cursor.fetchone()
    finally:
        cursor.close()
    return None if row is None else row[0]


def _first_row(dbapi_connection: Any, sql: str) -> Any:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchone()
    finally:
        cursor.close()


def _first_value(dbapi_connection: Any, sql: str) -> Any:
    row = _first_row(dbapi_connection, sql)
    return None if row is None else row[0]


def _json_text(value: Any) -> str:
    """A JSON column's value as text, by orjson (several times as fast as the json module); the json module writes
    what orjson refuses (integers past 64 bits, keys that are not strings, lone surrogates), as before."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def _sqlite_json(value: str | float) -> Any:
    # A JSON column's affinity is numeric: SQLite hands a JSON number back as a number.
    return value if isinstance(value, (int, float)) else orjson.loads(value)


def make_engine(url: str, pool_size: int = 8, background_checkpoints: bool = False) -> Engine:
    if url.startswith("sqlite"):
        # JSON read with orjson on both databases: a case's JSON columns decode ten times as fast.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "isolation_level": None},
            json_serializer=_json_text,
            json_deserializer=_sqlite_json,
        )
        pragmas = (*SQLITE_PRAGMAS, "PRAGMA wal_autocheckpoint=0") if background_checkpoints else SQLITE_PRAGMAS

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            for pragma in pragmas:
                cursor.execute(pragma)
            cursor.close()
            # SQLite's lower() folds ASCII only; ILIKE compiles to lower(x) LIKE lower(y), so fold as PostgreSQL does.
            dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            write = conn.get_execution_options().get("write", False)
            # Through the driver: SQLAlchemy's statement machinery cost a unit of work ~15 µs more for this.
            conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    # jsonb keeps a number as numeric and writes 1e30 back as 1000000000000000000000000000000: orjson reads an
    # integer past 64 bits as the float it was (the json module would make it an int no answer could encode).
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, json_serializer=_json_text, json_deserializer=orjson.loads
    )
    _ping_when_idle(engine)

    @event.listens_for(engine, "before_cursor_execute")
    def _count_writes(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info[_WRITES] = conn.info.get(_WRITES, 0) + 1

    @event.listens_for(engine, "connect")
    def _on_postgres_connect(dbapi_conn: Any, _record: Any) -> None:
        # casework's queries read pages, counters and capped ranges: starting parallel workers cost a page more than
        # the walk they share (one assignee's open cases at 1,000,000: 16 ms with two workers, 7 ms without).
        with dbapi_conn.cursor() as cursor:
            cursor.execute(PARALLEL_WORKERS_OFF)
        dbapi_conn.commit()

    return engine


class Database:
    def __init__(self, url: str, pool_size: int = 8, background_checkpoints: bool = False) -> None:
        """background_checkpoints (SQLite): no commit checkpoints the log; whoever sets it runs checkpoint() often."""
        self.url = url
        self.engine = make_engine(url, pool_size, background_checkpoints)
        self.background_checkpoints = background_checkpoints and url.startswith("sqlite")
        self.write_engine = self.engine.execution_options(write=True)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._autocommit_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._limiter = anyio.CapacityLimiter(pool_size)
        # SQLite: each thread's own connections (read, write), out of the pool.
        self._own_connections = threading.local()
        self._detached: list[Connection] = []
        self._detached_lock = threading.Lock()
        # PostgreSQL: read_value's reads, shared by the requests waiting for one at once.
        self._shared_reads: dict[str, SharedRead] = {}

    def run_sync(self, work: Callable[..., T], *args: Any, write: bool = True) -> T:
        """Run work(session, *args) in one transaction: committed if it returns, rolled back if it raises."""
        return self._on_own_connection(write, _unit_on, work, args)

    def _on_own_connection(
        self,
        write: bool,
        run: Callable[[Connection, Callable[..., T], tuple[Any, ...]], T],
        work: Callable[..., T],
        args: tuple[Any, ...],
    ) -> T:
        """run(connection, work, args) on the calling thread's own SQLite connection; on PostgreSQL, or within a unit
        of work on the same thread, a unit of work on a pooled connection."""
        own = self._own_connection(write) if self.is_sqlite else None
        if own is None or own.busy:
            with (self.write_engine if write else self.engine).connect() as connection:
                return _unit_on(connection, work, args)
        own.busy = True
        try:
            return run(own.connection, work, args)
        finally:
            own.busy = False
            if not own.reusable():
                self._close_own(own, write)

    async def write(self, work: Callable[..., T], *args: Any) -> T:
        return await self._run(work, args, write=True)

    async def read(self, work: Callable[..., T], *args: Any) -> T:
        return await self._run(work, args, write=False)

    async def read_one_statement(self, work: Callable[..., T], *args: Any) -> T:
        """read(work, *args), for work that runs a single statement: outside a transaction (the driver's autocommit),
        which spares it BEGIN and COMMIT: on PostgreSQL two of a get's four round trips, on SQLite 7% of a get's
        instructions. One statement sees one snapshot of the database in any case."""
        if self.is_sqlite:
            return self._on_own_connection(False, _one_statement_on, work, args)
        return await anyio.to_thread.run_sync(self._one_statement, work, args, limiter=self._limiter)

    def _one_statement(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        with self._autocommit_engine.connect() as connection:
            return _one_statement_on(connection, work, args)

    async def _run(self, work: Callable[..., T], args: tuple[Any, ...], write: bool) -> T:
        if self.is_sqlite:
            return self.run_sync(work, *args, write=write)
        return await anyio.to_thread.run_sync(partial(self.run_sync, work, *args, write=write), limiter=self._limiter)

    def read_value_sync(self, sql: str) -> Any:
        """The first column of the first row of one parameterless statement, on a read connection without a session
        or a transaction of ours: for a hot path's one cheap check."""
        if not self.is_sqlite:
            # In autocommit: psycopg would open a transaction for the read (BEGIN) and the pool close it (ROLLBACK),
            # two round trips of the four a cached credential's check cost (the pool's ping before it is the third).
            with self._autocommit_engine.connect() as autocommitted:
                return value_within(autocommitted, sql)
        connection = self.engine.raw_connection()
        try:
            return _first_value(connection, sql)
        finally:
            connection.close()

    async def read_value(self, sql: str) -> Any:
        """read_value_sync's value. SQLite reads it on the calling thread's own read connection: a checkout and its
        return cost more than the read (3.6% of a get's instructions). The driver's autocommit gives each read the
        latest commit, and the closed cursor leaves no snapshot open."""
        if self.is_sqlite:
            own = self._own_connection(write=False)
            if not own.busy:
                return value_within(own.connection, sql)
            return self.read_value_sync(sql)
        shared = self._shared_reads.get(sql)
        if shared is None:
            shared = self._shared_reads[sql] = SharedRead(
                partial(anyio.to_thread.run_sync, self.read_value_sync, sql, limiter=self._limiter)
            )
        return await shared.value()

    def _own_connection(self, write: bool) -> "_OwnConnection":
        """The calling thread's own connection for reads or for writes (SQLite), opened on first use."""
        kind = "write" if write else "read"
        own: _OwnConnection | None = getattr(self._own_connections, kind, None)
        if own is None:
            connection = (self.write_engine if write else self.engine).connect()
            connection.detach()
            own = _OwnConnection(connection)
            setattr(self._own_connections, kind, own)
            with self._detached_lock:
                self._detached.append(connection)
        return own

    def _close_own(self, own: "_OwnConnection", write: bool) -> None:
        """A connection left unusable (invalidated, or in a transaction of its own) is closed; the thread opens
        another on its next unit of work."""
        setattr(self._own_connections, "write" if write else "read", None)
        with self._detached_lock:
            self._detached.remove(own.connection)
        own.connection.close()

    async def checkpoint(self) -> None:
        """Copy the SQLite write-ahead log into the database, on a worker thread. When the log holds more than
        WAL_RESTART_FRAMES, copy what was written meanwhile on the event loop's thread, where SQLite's writes run:
        none can be written before that copy ends, so the next write starts the log over. Neither waits on anyone."""
        frames = await anyio.to_thread.run_sync(self._copy_log)
        if frames > WAL_RESTART_FRAMES:
            self._checkpoint_sync()

    def _copy_log(self) -> int:
        """Passive checkpoints until one copies fewer than CAUGHT_UP_FRAMES; the frames the log holds."""
        copied_before = 0
        for _ in range(MAX_COPIES):
            frames, copied = self._checkpoint_sync()
            # A log that started over since counts from its start.
            copied_now = copied - copied_before if copied >= copied_before else copied
            if copied_now < CAUGHT_UP_FRAMES:
                break
            copied_before = copied
        return frames

    def _checkpoint_sync(self) -> tuple[int, int]:
        """A passive checkpoint: the frames the log holds, and how many of them are copied."""
        connection = self.engine.raw_connection()
        try:
            _busy, frames, copied = _first_row(connection, CHECKPOINT)
        finally:
            connection.close()
        return int(frames), int(copied)

    async def checkpoint_every(self, interval: float) -> None:
        """The background checkpoints, until cancelled; a failed one is logged and the next tried."""
        while True:
            await anyio.sleep(interval)
            try:
                await self.checkpoint()
            except Exception:
                log.exception("wal_checkpoint_failed")

    def dispose(self) -> None:
        with self._detached_lock:
            for connection in self._detached:
                connection.close()
            self._detached.clear()
            self._own_connections = threading.local()
        self.engine.dispose()


def _unit_on(connection: Connection, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    """work(session, *args) in one transaction of the connection. The Session joins that transaction only when the
    work uses it (a statement, an object added, a savepoint): a unit of plain statements spares the Session's own
    transaction, about 150,000 instructions (a get's tenth), and closing a Session that holds nothing (46,000). A
    Session that joined commits it (control_fully), so that its commit events (files doomed by the unit) follow the
    database's commit, as before; its objects are handed back detached."""
    session = _session_on(connection)
    with connection.begin():
        try:
            result = work(session, *args)
            if session.in_transaction():
                session.commit()
            return result
        finally:
            if session.in_transaction() or session.identity_map:
                session.close()


def _session_on(connection: Connection) -> Session:
    session = Session(connection, join_transaction_mode="control_fully", expire_on_commit=False, autoflush=False)
    session.info[UNIT_CONNECTION] = connection
    return session


def _one_statement_on(connection: Connection, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    """work(session, *args) outside a transaction of ours: a read of one statement. Work that uses the Session after
    all (an ORM read) begins a transaction, which closing the Session rolls back."""
    session = _session_on(connection)
    try:
        return work(session, *args)
    finally:
        if session.in_transaction() or session.identity_map:
            session.close()


class SharedRead:
    """A read that callers waiting at once share: each gets a value read by a run begun after its call (on a
    database, one that sees every commit made before it), and one run at most is under way; callers who come during
    a run share the next. Under load a PostgreSQL round trip on a worker thread serves every request that came
    meanwhile: a cached credential's check of the generation cost a get ~35% of its time, each request reading it."""

    __slots__ = ("_loop", "_next", "_read", "_running")

    def __init__(self, read: Callable[[], Awaitable[Any]]) -> None:
        self._read = read
        self._loop: asyncio.AbstractEventLoop | None = None
        # What the callers waiting for the next run await; the run under way, if any.
        self._next: asyncio.Future[Any] | None = None
        self._running: asyncio.Task[None] | None = None

    async def value(self) -> Any:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new event loop (another test client, say): what the old one left is no one's.
            self._loop, self._next, self._running = loop, None, None
        waiting = self._next
        if waiting is None:
            waiting = self._next = loop.create_future()
            if self._running is None:
                self._begin(loop, waiting)
        # A caller cancelled leaves the run to those who wait with it.
        return await asyncio.shield(waiting)

    def _begin(self, loop: asyncio.AbstractEventLoop, waiting: "asyncio.Future[Any]") -> None:
        self._next = None
        # In a context of its own: the run serves every caller waiting, not the one whose call began it (its logs
        # would carry that request's id).
        self._running = loop.create_task(self._run(waiting), context=contextvars.Context())

    async def _run(self, waiting: "asyncio.Future[Any]") -> None:
        try:
            waiting.set_result(await self._read())
        except asyncio.CancelledError:
            waiting.cancel()
            raise
        except Exception as error:
            waiting.set_exception(error)
        finally:
            self._running = None
            if self._next is not None and self._loop is not None and not self._loop.is_closed():
                self._begin(self._loop, self._next)


class _OwnConnection:
    """A thread's own SQLite connection, detached from the pool; busy while a unit of work runs on it."""

    __slots__ = ("busy", "connection")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.busy = False

    def reusable(self) -> bool:
        """False once invalidated (a lost connection), closed, or left in a transaction no unit of work owns."""
        connection = self.connection
        if connection.invalidated or connection.closed:
            return False
        driver: Any = connection.connection.dbapi_connection
        return not driver.in_transaction
