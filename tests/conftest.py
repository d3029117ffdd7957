"""Every storage test runs on SQLite and on PostgreSQL.

Each backend gets one freshly migrated database (PostgreSQL: a schema of its own) per test session; each test gets a workspace of its own
(the tenant boundary isolates tests as it isolates customers), with an admin and a client for the app.
"""

import functools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

import casework.app
from casework.app import create_app
from casework.auth.schemas import UserCreate
from casework.auth.service import SCOPES, add_user, issue_token
from casework.db import migrate
from casework.db.database import Database
from casework.http import RateLimiter
from casework.projects.schemas import ProjectCreate
from casework.projects.service import add_project, create_workspace
from casework.settings import Settings
from tests.helpers import api_client, app_client

POSTGRES_URL = os.environ.get("CASEWORK_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SKIP_POSTGRES = os.environ.get("CASEWORK_SKIP_POSTGRES") == "1"
BACKENDS = ["sqlite"] if SKIP_POSTGRES else ["sqlite", "postgres"]


def pytest_sessionstart(session: pytest.Session) -> None:
    if SKIP_POSTGRES:
        return
    try:
        with create_engine(POSTGRES_URL).connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        pytest.exit(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({reason}). Start it, point "
            "CASEWORK_TEST_DATABASE_URL at one, or set CASEWORK_SKIP_POSTGRES=1 to run the SQLite half only.",
            returncode=3,
        )


def postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(backend: str, tmp_path: Path, revision: str = "head") -> Iterator[Database]:
    """A database migrated to `revision` and empty: a new SQLite file, or a new PostgreSQL schema (so parallel runs
    never meet)."""
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'casework.db'}")
        command.upgrade(migrate.alembic_config(db.engine), revision)
        yield db
        db.dispose()
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(postgres_schema_url(schema), pool_size=16)
    try:
        command.upgrade(migrate.alembic_config(db.engine), revision)
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def rate_limit_clock_stands_still() -> Iterator[None]:
    """Apps built here count requests against a clock standing mid-window: with a real one, a window ending between
    a test's requests lets the next window in early (tests/auth/test_rate_limiter.py moves its own clock)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(casework.app, "RateLimiter", functools.partial(RateLimiter, clock=lambda: 30.0))
        yield


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as database:
        yield database


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), rate_limit="100000/minute", max_body_bytes=64 * 1024)


@pytest.fixture(scope="session")
def app(db: Database, settings: Settings) -> FastAPI:
    return create_app(settings, db)


@dataclass
class Member:
    id: uuid.UUID
    email: str
    role: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Tenant:
    """A workspace of its own for one test, with its admin; add_member makes more users."""

    db: Database
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    admin: Member
    members: list[Member] = field(default_factory=list)

    def add_member(self, role: str = "agent", scopes: list[str] | None = None, **token: object) -> Member:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        scopes = scopes if scopes is not None else [s for s in SCOPES if s != "admin" or role == "admin"]

        def work(session):  # type: ignore[no-untyped-def]
            user = add_user(session, self.workspace_id, UserCreate(email=email, name=role.title(), role=role))
            _, secret = issue_token(session, user, "test", scopes, **token)
            return user.id, secret

        user_id, secret = self.db.run_sync(work)
        member = Member(user_id, email, role, secret)
        self.members.append(member)
        return member


def make_tenant(db: Database, project_key: str = "SEC") -> Tenant:
    def work(session):  # type: ignore[no-untyped-def]
        workspace = create_workspace(session, "Test workspace")
        project = add_project(session, workspace.id, ProjectCreate(key=project_key, name="Security"))
        admin = add_user(session, workspace.id, UserCreate(email="admin@example.com", name="Admin", role="admin"))
        _, secret = issue_token(session, admin, "test", list(SCOPES))
        return workspace.id, project.id, Member(admin.id, admin.email, "admin", secret)

    workspace_id, project_id, admin = db.run_sync(work)
    return Tenant(db, workspace_id, project_id, admin)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return make_tenant(db)


@pytest.fixture
def other(db: Database) -> Tenant:
    """A second workspace, to check that nothing crosses the tenant boundary."""
    return make_tenant(db)


@pytest.fixture
async def client(app: FastAPI, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the native API, authenticated as the tenant's admin."""
    async with api_client(app, tenant.admin.headers) as c:
        yield c


@pytest.fixture
async def other_client(app: FastAPI, other: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the native API, authenticated as the other workspace's admin."""
    async with api_client(app, other.admin.headers) as c:
        yield c


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as c:
        yield c
