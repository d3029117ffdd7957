"""A server's SQLite database checkpoints its write-ahead log off the event loop: no commit checkpoints (SQLite's
own checkpoint would run inside the commit that fills the log, on the loop, stalling every request), a background
task does, every CHECKPOINT_INTERVAL seconds."""

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from casework import app as app_module
from casework.app import create_app
from casework.db import database as database_module
from casework.db.database import Database
from casework.settings import Settings

PAGE = 4096
# SQLite checkpoints a connection's log once it holds this many pages (its default wal_autocheckpoint).
AUTOCHECKPOINT_PAGES = 1000


def fill(db: Database, pages: int) -> None:
    """Commit about `pages` pages of writes, one small transaction each."""
    db.run_sync(lambda session: session.execute(text("CREATE TABLE IF NOT EXISTS filler (data BLOB)")))
    for _ in range(pages):
        db.run_sync(lambda session: session.execute(text("INSERT INTO filler VALUES (randomblob(3000))")))


def log_pages(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size // PAGE if wal.exists() else 0


def database_pages(path: Path) -> int:
    """Pages in the database file itself: a checkpoint copies the log's pages there (looking changes nothing)."""
    return path.stat().st_size // PAGE


def test_left_to_itself_sqlite_checkpoints_in_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "own.db"
    db = Database(f"sqlite:///{path}")
    fill(db, 3 * AUTOCHECKPOINT_PAGES // 2)
    assert log_pages(path) < 1.2 * AUTOCHECKPOINT_PAGES
    db.dispose()


def test_with_background_checkpoints_no_commit_checkpoints_and_checkpoint_copies_the_log(tmp_path: Path) -> None:
    path = tmp_path / "background.db"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    assert db.background_checkpoints
    fill(db, 3 * AUTOCHECKPOINT_PAGES // 2)
    assert log_pages(path) > 1.4 * AUTOCHECKPOINT_PAGES
    assert database_pages(path) < 10
    asyncio.run(db.checkpoint())
    assert database_pages(path) > 1.4 * AUTOCHECKPOINT_PAGES
    # Passive: the log is left for the next writer to start over.
    assert log_pages(path) > 1.4 * AUTOCHECKPOINT_PAGES
    db.dispose()


def log_frames(path: Path) -> int:
    """The frames of the log's current run (a passive checkpoint reports them, and copies nothing new here)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        return int(connection.execute(database_module.CHECKPOINT).fetchone()[1])
    finally:
        connection.close()


def test_the_worker_thread_copies_again_what_was_written_during_its_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that little is left for the copy where writes wait: here a write made during each of the first copies."""
    path = tmp_path / "again.db"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    fill(db, 3 * AUTOCHECKPOINT_PAGES // 2)
    copies: list[tuple[int, int]] = []
    checkpoint = db._checkpoint_sync

    def writing_meanwhile() -> tuple[int, int]:
        copies.append(checkpoint())
        if len(copies) < 3:
            fill(db, AUTOCHECKPOINT_PAGES)
        return copies[-1]

    monkeypatch.setattr(db, "_checkpoint_sync", writing_meanwhile)
    frames = db._copy_log()
    assert len(copies) == 4
    assert frames == copies[-1][1] > 2 * AUTOCHECKPOINT_PAGES
    db.dispose()


@pytest.mark.parametrize("bound", [AUTOCHECKPOINT_PAGES, 100 * AUTOCHECKPOINT_PAGES])
def test_past_its_bound_a_checkpoint_copies_what_was_written_meanwhile_so_the_log_starts_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bound: int
) -> None:
    """Under steady writes the passive checkpoint never finds the log all copied, and the log only grows. Here a
    reader's snapshot stands for the writes made while the worker thread copies: it keeps the last writes from
    those copies, and goes once they are done. Past WAL_RESTART_FRAMES the checkpoint copies them too, and the next
    write starts the log over; below it, the log grows on."""
    monkeypatch.setattr(database_module, "WAL_RESTART_FRAMES", bound)
    path = tmp_path / "bounded.db"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    fill(db, 3 * AUTOCHECKPOINT_PAGES // 2)
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM filler").fetchone()
    fill(db, 10)
    copy_on_the_worker_thread = db._copy_log

    def then_the_reader_goes() -> int:
        frames = copy_on_the_worker_thread()
        reader.execute("COMMIT")
        return frames

    monkeypatch.setattr(db, "_copy_log", then_the_reader_goes)
    asyncio.run(db.checkpoint())
    fill(db, 1)
    frames = log_frames(path)
    if bound == AUTOCHECKPOINT_PAGES:
        assert frames < 20
    else:
        assert frames > 1.4 * AUTOCHECKPOINT_PAGES
    reader.close()
    db.dispose()


def test_postgresql_has_no_log_to_checkpoint() -> None:
    database = Database("postgresql+psycopg://postgres@127.0.0.1:5432/test", background_checkpoints=True)
    assert not database.background_checkpoints


def test_the_server_checkpoints_in_the_background_while_it_runs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(app_module, "CHECKPOINT_INTERVAL", 0.05)
    data = tmp_path / "data"
    data.mkdir()
    server = create_app(Settings(data_dir=data, sla_worker=False))
    database: Database = server.state.db
    assert database.background_checkpoints
    path = data / "casework.db"
    with TestClient(server):
        fill(database, 300)
        # The commits left their pages in the log; the background task copies them within a few intervals.
        for _ in range(100):
            if database_pages(path) > 300:
                break
            time.sleep(0.05)
        assert database_pages(path) > 300
