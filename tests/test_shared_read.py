"""A read that callers waiting at once share (the credential cache's generation check on PostgreSQL): each caller
gets a value read by a run begun after its call, so a revocation committed before a request still applies to it."""

import asyncio
import contextvars
import threading

import pytest
from sqlalchemy import event

from casework.auth.service import GENERATION_SQL, raise_generation
from casework.db.database import Database, SharedRead


class _Source:
    """A value that runs of the read see as it is when they begin; each run waits until released."""

    def __init__(self) -> None:
        self.value = 0
        self.runs = 0
        self.release = asyncio.Event()

    async def read(self) -> int:
        self.runs += 1
        seen = self.value
        await self.release.wait()
        self.release.clear()
        return seen


async def _settled() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_caller_during_a_run_gets_the_next_run_not_the_one_begun_before_its_call() -> None:
    source = _Source()
    shared = SharedRead(source.read)
    first = asyncio.create_task(shared.value())
    await _settled()
    # A commit after the first run began, then callers: they must see it.
    source.value = 1
    later = [asyncio.create_task(shared.value()) for _ in range(3)]
    await _settled()
    assert source.runs == 1
    source.release.set()
    assert await first == 0
    await _settled()
    # The callers who came during the first run share one run of their own.
    assert source.runs == 2
    source.release.set()
    assert await asyncio.gather(*later) == [1, 1, 1]


async def test_callers_at_once_share_one_run() -> None:
    source = _Source()
    shared = SharedRead(source.read)
    callers = [asyncio.create_task(shared.value()) for _ in range(10)]
    await _settled()
    source.release.set()
    await _settled()
    source.release.set()
    assert await asyncio.gather(*callers) == [0] * 10
    # The first caller's run, then one for the nine who came while it ran.
    assert source.runs == 2


async def test_a_cancelled_caller_leaves_the_run_to_the_others() -> None:
    source = _Source()
    shared = SharedRead(source.read)
    leaving, staying = asyncio.create_task(shared.value()), asyncio.create_task(shared.value())
    await _settled()
    leaving.cancel()
    await _settled()
    source.release.set()
    await _settled()
    source.release.set()
    assert await staying == 0
    assert leaving.cancelled()


async def test_a_failed_run_fails_its_callers_and_the_next_call_runs_again() -> None:
    outcomes: list[Exception | int] = [RuntimeError("the database is down"), 7]

    async def read() -> int:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    shared = SharedRead(read)
    with pytest.raises(RuntimeError, match="down"):
        await shared.value()
    assert await shared.value() == 7


def test_a_run_left_under_way_by_another_event_loop_does_not_hold_up_the_next_loop() -> None:
    source = _Source()
    shared = SharedRead(source.read)

    async def abandon() -> None:
        asyncio.get_running_loop().create_task(shared.value())
        await _settled()

    # Stopped with the run still waiting (as a test client's loop may be left).
    left = asyncio.new_event_loop()
    try:
        left.run_until_complete(abandon())
        assert source.runs == 1

        async def read_again() -> int:
            source.release = asyncio.Event()
            reading = asyncio.create_task(shared.value())
            await _settled()
            source.release.set()
            # A run left to the other loop would keep this caller waiting for good.
            return await asyncio.wait_for(reading, timeout=5)

        assert asyncio.run(read_again()) == 0
        assert source.runs == 2
    finally:
        pending = asyncio.all_tasks(left)
        for task in pending:
            task.cancel()
        left.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        left.close()


async def test_the_generation_checks_of_concurrent_requests_share_reads_and_each_sees_the_commits_before_it(
    db: Database,
) -> None:
    reads: list[None] = []
    lock = threading.Lock()

    def count(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement == GENERATION_SQL:
            with lock:
                reads.append(None)

    before = await db.read_value(GENERATION_SQL)
    db.run_sync(raise_generation)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        values = await asyncio.gather(*(db.read_value(GENERATION_SQL) for _ in range(20)))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert values == [before + 1] * 20
    # SQLite reads on the event loop's thread, cheaper than sharing; PostgreSQL's reads hop to a worker thread and
    # the database: the first caller's read, then one for those who came while it ran.
    assert len(reads) == (20 if db.is_sqlite else 2)


async def test_a_run_belongs_to_no_caller_context() -> None:
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id")
    seen: list[str | None] = []

    async def read() -> int:
        seen.append(request_id.get(None))
        return 1

    request_id.set("the first caller's request")
    assert await SharedRead(read).value() == 1
    # Its logs would otherwise name the request whose call began it, though it serves every caller waiting.
    assert seen == [None]
