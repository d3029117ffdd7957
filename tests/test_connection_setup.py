"""Every connection of a Database is set up as casework's queries expect, whichever process or pool opened it."""

from sqlalchemy import text
from sqlalchemy.orm import Session

from casework.db.database import Database


def _setting(db: Database, statement: str) -> str:
    def read(session: Session) -> str:
        return str(session.scalar(text(statement)))

    return db.run_sync(read, write=False)


def test_each_connection_has_the_settings_casework_reads_with(db: Database) -> None:
    if db.is_sqlite:
        assert _setting(db, "PRAGMA foreign_keys") == "1"
        assert _setting(db, "PRAGMA busy_timeout") == "10000"
        assert _setting(db, "PRAGMA journal_mode") == "wal"
        # Statement journals in memory: a case's change checked against its foreign keys writes no temp file.
        assert _setting(db, "PRAGMA temp_store") == "2"
    else:
        # A page of cases is read faster without parallel workers than with them (their start costs more).
        assert _setting(db, "SHOW max_parallel_workers_per_gather") == "0"
