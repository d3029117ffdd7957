"""A server's SQLite database checkpoints its write-ahead log off the event loop: no commit checkpoints (SQLite's
own checkpoint would run inside the commit that fills the log, on the loop, stalling every request), a background
task does, every CHECKPOINT_INTERVAL seconds."""

import asyncio
import sqlite3
import time
from pathlib import Path

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


def test_a_checkpoint_of_a_log_past_its_bound_empties_it(tmp_path: Path, monkeypatch) -> None:
    """Under steady writes a passive checkpoint never finds the log all copied, and the log only grew: past
    WAL_TRUNCATE_FRAMES a checkpoint copies the rest and empties it."""
    monkeypatch.setattr(database_module, "WAL_TRUNCATE_FRAMES", AUTOCHECKPOINT_PAGES)
    path = tmp_path / "bounded.db"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    fill(db, 3 * AUTOCHECKPOINT_PAGES // 2)
    asyncio.run(db.checkpoint())
    assert database_pages(path) > 1.4 * AUTOCHECKPOINT_PAGES
    assert log_pages(path) == 0
    # Writes go on into the emptied log.
    fill(db, 10)
    assert 0 < log_pages(path) < 100
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
