"""What each index on `cases`, its text-search triggers and each commit cost a write on SQLite.

    python -m bench.write_costs [--cases 100000] [--writes 2000] [--rounds 3]

A seeded database (`casework seed-data`, migrated as served) is copied once per variant: all of its structures, then
each index of `cases` dropped in turn, then the text-search triggers dropped. On each copy, with the pragmas the
server uses, `--writes` cases are inserted (copies of seeded rows under new ids, numbers and keys) and as many
existing cases touched the way every change touches one (`updated_at`, `updated_by`, `version`), each in its own
transaction; then a title change, the one update the text-search triggers follow. An index's cost is the time the
copy without it saves. Variants rotate within each round; the median of the rounds is reported.

The last row prices a commit: the same touches, all in one transaction, against one transaction each (what group
commit could save at most).
"""

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from alembic import command

from casework.db import migrate
from casework.db.database import SQLITE_PRAGMAS, Database
from casework.seed import SeedOptions, seed

TRIGGERS = "text-search triggers"
ALL = "every structure"


def build(directory: Path, cases: int) -> Path:
    path = directory / "seeded.db"
    db = Database(f"sqlite:///{path}")
    command.upgrade(migrate.alembic_config(db.engine), "head")
    seed(db, SeedOptions(cases=cases, comments_per_case_max=20))
    db.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def structures(path: Path) -> tuple[list[str], list[str]]:
    """The indexes of `cases` a migration declared, and the text-search triggers on it."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT type, name FROM sqlite_master WHERE tbl_name = 'cases' AND sql IS NOT NULL AND type IN "
            "('index', 'trigger') ORDER BY name"
        ).fetchall()
    indexes = [name for kind, name in rows if kind == "index"]
    triggers = [name for kind, name in rows if kind == "trigger" and name.startswith("cases_search_")]
    return indexes, triggers


def opened(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        connection.execute(pragma)
    return connection


def timed(connection: sqlite3.Connection, statement: str, rows: list[tuple[object, ...]], batch: int) -> float:
    """Microseconds a row: `statement` for each row, `batch` rows a transaction."""
    started = time.perf_counter()
    for first in range(0, len(rows), batch):
        connection.execute("BEGIN IMMEDIATE")
        for row in rows[first : first + batch]:
            connection.execute(statement, row)
        connection.execute("COMMIT")
    return (time.perf_counter() - started) / len(rows) * 1e6


def measure(path: Path, writes: int, drops: list[str]) -> dict[str, float]:
    connection = opened(path)
    for drop in drops:
        connection.execute(drop)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(cases)")]
    sample = connection.execute(f"SELECT * FROM cases ORDER BY random() LIMIT {writes}").fetchall()
    (top,) = connection.execute("SELECT max(number) FROM cases").fetchone()
    position = {name: index for index, name in enumerate(columns)}

    def fresh(row: tuple[object, ...], n: int) -> tuple[object, ...]:
        values = list(row)
        values[position["id"]] = uuid.uuid4().hex
        values[position["number"]] = top + 1 + n
        values[position["key"]] = f"W-{top + 1 + n}"
        return tuple(values)

    insert = f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    ids = [(row[position["id"]],) for row in sample]
    touch = "UPDATE cases SET updated_at = datetime('now'), version = version + 1, updated_by = updated_by WHERE id = ?"
    retitle = "UPDATE cases SET title = title || '.', updated_at = datetime('now') WHERE id = ?"
    figures = {
        "insert": timed(connection, insert, [fresh(row, n) for n, row in enumerate(sample)], 1),
        "touch": timed(connection, touch, ids, 1),
        "retitle": timed(connection, retitle, ids, 1),
        "touch, one transaction": timed(connection, touch, ids, len(ids)),
    }
    connection.close()
    return figures


def report(runs: dict[str, list[dict[str, float]]]) -> None:
    median = {
        name: {k: statistics.median(run[k] for run in rounds) for k in rounds[0]} for name, rounds in runs.items()
    }
    base = median[ALL]
    print("| without | insert µs | saves | touch µs | saves | title change µs | saves |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, figures in median.items():
        cells = [f"{figures[k]:.1f} | {base[k] - figures[k]:+.1f}" for k in ("insert", "touch", "retitle")]
        print(f"| {'nothing' if name == ALL else name} | {' | '.join(cells)} |")
    alone, together = base["touch"], base["touch, one transaction"]
    print(f"\nA touch: {alone:.1f} µs in a transaction of its own, {together:.1f} µs in one for all of them;")
    print(f"a commit costs {alone - together:.1f} µs.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        seeded = build(directory, args.cases)
        indexes, triggers = structures(seeded)
        variants = {ALL: [], **{index: [f'DROP INDEX "{index}"'] for index in indexes}}
        variants[TRIGGERS] = [f'DROP TRIGGER "{trigger}"' for trigger in triggers]
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, drops in variants.items():
                copy = directory / "copy.db"
                shutil.copyfile(seeded, copy)
                runs[name].append(measure(copy, args.writes, drops))
                copy.unlink()
        report(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
