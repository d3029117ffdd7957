"""The no-op floor: the same server stack (FastAPI on uvicorn, same worker count) doing nothing, so casework's
figures can be read as a share of what the stack itself can do on this machine at this moment.

Two reference routes measure the stack's building blocks on the same footing, to show how much of the floor any
database-backed endpoint can keep: one row by primary key with the sqlite3 module (`/floor/sqlite-row`), and the
same row as a SQLAlchemy ORM entity in a session, as casework reads it (`/floor/orm-row`). Neither authenticates.
"""

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Response
from sqlalchemy import Column, String, Table, create_engine
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateTable
from sqlalchemy.orm import DeclarativeBase, Session

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
CONSTANT = {"ok": True}

# A row shaped like a case: an id and 40 short columns.
COLUMNS = 40
ROW_ID = "01a20c08-1c40-742f-89a3-e30562924918"
DATABASE = Path(os.environ.get("BENCH_FLOOR_DB") or Path(tempfile.gettempdir()) / "casework-bench-floor.db")


class Base(DeclarativeBase):
    pass


class Row(Base):
    __table__ = Table(
        "rows", Base.metadata, Column("id", String, primary_key=True), *(Column(f"c{n}", String) for n in range(COLUMNS))
    )


def _prepare() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=10000")
    # IF NOT EXISTS / OR IGNORE: each worker process prepares the same file.
    connection.execute(str(CreateTable(Row.__table__, if_not_exists=True).compile(dialect=sqlite.dialect())))
    values = [ROW_ID, *(f"value {n}" for n in range(COLUMNS))]
    connection.execute(f"INSERT OR IGNORE INTO rows VALUES ({', '.join('?' * len(values))})", values)
    return connection


raw = _prepare()
# Plain str: orjson refuses SQLAlchemy's quoted_name as a key.
ROW_NAMES = [str(name) for name in Row.__table__.columns.keys()]
engine = create_engine(f"sqlite:///{DATABASE.as_posix()}", connect_args={"check_same_thread": False})


@app.get("/floor")
async def get_floor() -> dict[str, bool]:
    return CONSTANT


@app.api_route("/floor", methods=["POST", "PUT"])
async def post_floor() -> dict[str, bool]:
    # The body is sent but not read: the floor is the cost of the stack alone.
    return CONSTANT


@app.get("/floor/sqlite-row")
async def sqlite_row() -> Response:
    cursor = raw.execute("SELECT * FROM rows WHERE id = ?", (ROW_ID,))
    names = [d[0] for d in cursor.description]
    return Response(orjson.dumps(dict(zip(names, cursor.fetchone(), strict=True))), media_type="application/json")


@app.get("/floor/orm-row")
async def orm_row() -> Response:
    with Session(engine) as session, session.begin():
        row = session.get(Row, ROW_ID)
        body: dict[str, Any] = {name: getattr(row, name) for name in ROW_NAMES}
    return Response(orjson.dumps(body), media_type="application/json")


@app.get("/readyz")
async def readyz() -> dict[str, bool]:
    return CONSTANT
