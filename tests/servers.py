"""Helpers for tests that use casework as an operator does: the installed `casework` script, an empty database
of the test's own, and a real `casework serve` process on a free port.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL, postgres_schema_url

# Bounds for waiting only; nothing asserts on how long anything took. A server's first start migrates and
# spawns workers, each importing the whole app, which is slow on a small, busy host.
SERVER_START_TIMEOUT = 120.0
SERVER_STOP_TIMEOUT = 30.0
TOKEN = re.compile(r"cw_[A-Za-z0-9_-]{20,}")


def casework_script() -> str:
    """The `casework` script installed beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("casework")
    if beside.exists():
        return str(beside)
    found = shutil.which("casework")
    assert found is not None, "the casework script is not installed beside the interpreter nor on PATH"
    return found


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment for a casework process: no CASEWORK_* leaking in from outside, no terminal width."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_") and k not in ("COLUMNS", "LINES")}
    env.update(overrides)
    return env


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database for one test: a SQLite file in directory, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{(directory / 'casework.db').as_posix()}"
        return
    schema = f"cli_{uuid.uuid4().hex}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield postgres_schema_url(schema)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        """Everything the server printed so far, stdout and stderr together."""
        return self.log.read_text(errors="replace")

    def tokens(self) -> set[str]:
        return set(TOKEN.findall(self.output()))

    def client(self, token: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60.0, **kwargs)  # type: ignore[arg-type]


def _wait_until(condition, server: Server, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"casework serve exited ({server.process.returncode}) before {what}:\n{server.output()}")
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"casework serve was not {what} within {timeout:.0f} s:\n{server.output()}")


def wait_for_output(server: Server, text: str, timeout: float = 30.0) -> None:
    _wait_until(lambda: text in server.output(), server, f"printing {text!r}", timeout)


def _ready(server: Server) -> bool:
    try:
        return httpx.get(f"{server.url}/readyz", timeout=5.0).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def running_server(log: Path, env: dict[str, str], workers: int = 1, script: str | None = None) -> Iterator[Server]:
    """`casework serve` (of `script`, default the test venv's) on a free port of 127.0.0.1, ready (and with every
    worker started) when this yields; always stopped (SIGTERM, then SIGKILL of its process group) when the block
    ends."""
    port = free_port()
    command = [script or casework_script(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until(lambda: _ready(server), server, "ready", SERVER_START_TIMEOUT)
        if workers > 1:
            started = lambda: server.output().count("Application startup complete") >= workers  # noqa: E731
            _wait_until(started, server, f"running {workers} workers", SERVER_START_TIMEOUT)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    # Workers are in the server's process group; none may outlive the test.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=SERVER_STOP_TIMEOUT)
