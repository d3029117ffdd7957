"""The no-op floor: the same server stack (FastAPI on uvicorn, same worker count) doing nothing, so casework's
figures can be read as a share of what the stack itself can do on this machine at this moment.

Reference routes measure the stack's building blocks on the same footing, to show how much of the floor any
database-backed endpoint can keep: one row by primary key with the sqlite3 module (`/floor/sqlite-row`), the same
row as a SQLAlchemy ORM entity in a session (`/floor/orm-row`), as a SQLAlchemy Core row (`/floor/core-row`), and
the Core row after a bearer-token check by hash, one Core statement (`/floor/token-core-row`): the layers a profile
of casework names, each priced alone. A write has its reference too: the token check, the JSON body read, then a
row like a case and an entry beside it (as every casework change logs one) inserted in one transaction
(`/floor/token-core-write`). When the benchmark runs on PostgreSQL, all but the sqlite3 row read and write there.
"""

import hashlib
import os
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from fastapi import FastAPI, Request, Response
from sqlalchemy import Column, Engine, String, Table, create_engine, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.schema import CreateTable

from casework import supervisor
from casework.http_protocol import HttpProtocol

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
CONSTANT = {"ok": True}

# A row shaped like a case: an id and 40 short columns.
COLUMNS = 40
ROW_ID = "01a20c08-1c40-742f-89a3-e30562924918"
ROW_VALUES = {f"c{n}": f"value {n}" for n in range(COLUMNS)}
# The token /floor/token-core-row accepts (the harness passes the one it sends).
TOKEN_HASH = hashlib.sha256(os.environ.get("BENCH_FLOOR_TOKEN", "floor-token").encode()).hexdigest()
DATABASE = Path(os.environ.get("BENCH_FLOOR_DB") or Path(tempfile.gettempdir()) / "casework-bench-floor.db")


class Base(DeclarativeBase):
    pass


class Row(Base):
    __table__ = Table(
        "rows",
        Base.metadata,
        Column("id", String, primary_key=True),
        *(Column(f"c{n}", String) for n in range(COLUMNS)),
    )


tokens = Table("tokens", Base.metadata, Column("token_hash", String, primary_key=True), Column("subject", String))
entries = Table(
    "entries", Base.metadata, Column("id", String, primary_key=True), Column("row_id", String), Column("body", String)
)


def _prepare() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=10000")
    # IF NOT EXISTS / OR IGNORE: each worker process prepares the same file.
    for table in (Row.__table__, tokens, entries):
        connection.execute(str(CreateTable(table, if_not_exists=True).compile(dialect=sqlite.dialect())))
    connection.execute("INSERT OR IGNORE INTO tokens VALUES (?, 'floor')", (TOKEN_HASH,))
    values = [ROW_ID, *ROW_VALUES.values()]
    connection.execute(f"INSERT OR IGNORE INTO rows VALUES ({', '.join('?' * len(values))})", values)
    return connection


def _prepare_postgres(url: str) -> Engine:
    """The reference tables and rows in a PostgreSQL schema (the URL's search_path), made once whichever worker
    starts first."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('casework-bench-floor'))"))
        Base.metadata.create_all(connection)
        if connection.execute(select(tokens.c.subject)).first() is None:
            connection.execute(insert(tokens), {"token_hash": TOKEN_HASH, "subject": "floor"})
            connection.execute(insert(Row.__table__), {"id": ROW_ID, **ROW_VALUES})
    return engine


raw = _prepare()
# Plain str: orjson refuses SQLAlchemy's quoted_name as a key.
ROW_NAMES = [str(name) for name in Row.__table__.columns.keys()]
# With a PostgreSQL URL (a benchmark run on PostgreSQL), every reference but the sqlite3 row reads and writes there.
POSTGRES_URL = os.environ.get("BENCH_FLOOR_POSTGRES_URL")
engine = (
    _prepare_postgres(POSTGRES_URL)
    if POSTGRES_URL
    else create_engine(f"sqlite:///{DATABASE.as_posix()}", connect_args={"check_same_thread": False})
)


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


ROW_BY_ID = select(Row.__table__).where(Row.__table__.c.id == ROW_ID)
SUBJECT_BY_HASH = select(tokens.c.subject)


def _core_row_body() -> bytes:
    with engine.connect() as connection:
        return orjson.dumps(dict(zip(ROW_NAMES, connection.execute(ROW_BY_ID).one(), strict=True)))


@app.get("/floor/core-row")
async def core_row() -> Response:
    return Response(_core_row_body(), media_type="application/json")


def _subject(request: Request) -> str | None:
    """Whose bearer token the request carries, by its hash: one Core statement."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    digest = hashlib.sha256(secret.encode()).hexdigest()
    with engine.connect() as connection:
        subject = connection.execute(SUBJECT_BY_HASH.where(tokens.c.token_hash == digest)).scalar()
    return subject if scheme.lower() == "bearer" else None


@app.get("/floor/token-core-row")
async def token_core_row(request: Request) -> Response:
    if _subject(request) is None:
        return Response(status_code=401)
    return Response(_core_row_body(), media_type="application/json")


INSERT_ROW = insert(Row.__table__)
INSERT_ENTRY = insert(entries)


@app.post("/floor/token-core-write")
async def token_core_write(request: Request) -> Response:
    if _subject(request) is None:
        return Response(status_code=401)
    body = orjson.loads(await request.body())
    row = {"id": str(uuid.uuid4()), **ROW_VALUES}
    with engine.begin() as connection:
        connection.execute(INSERT_ROW, row)
        entry = {"id": str(uuid.uuid4()), "row_id": row["id"], "body": orjson.dumps(body).decode()}
        connection.execute(INSERT_ENTRY, entry)
    return Response(orjson.dumps(row), status_code=201, media_type="application/json")


@app.get("/readyz")
async def readyz() -> dict[str, bool]:
    return CONSTANT


def serve(port: int, workers: int) -> None:
    """The floor on uvicorn as casework is served: the same event loop and HTTP protocol."""
    uvicorn.run(
        "bench.floor:app",
        host="127.0.0.1",
        port=port,
        workers=workers,
        access_log=False,
        loop=supervisor.EVENT_LOOP,
        http=HttpProtocol,
    )


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
