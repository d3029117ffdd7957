"""An unexpected error answers a clean 500 and leaves the keep-alive connection usable, on a real uvicorn server.

The error is genuine: a route added to this test's own app raises, nothing of casework's storage is mocked.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from casework.app import create_app
from casework.settings import Settings
from tests.servers import SERVER_START_TIMEOUT, free_port

PROBLEM = "application/problem+json"


def failing_app(data_dir: Path) -> FastAPI:
    app = create_app(Settings(data_dir=data_dir, sla_worker=False))

    @app.get("/api/v1/test-only/failure")
    async def failure() -> None:
        raise RuntimeError("a failure no handler expects")

    return app


@pytest.fixture(params=["h11", "httptools"])
def server_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(failing_app(tmp_path), host="127.0.0.1", port=port, http=request.param, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def local_address(response: httpx.Response) -> object:
    return response.extensions["network_stream"].get_extra_info("client_addr")


def test_a_500_is_a_problem_and_the_next_request_uses_the_same_connection(server_url: str) -> None:
    with httpx.Client(base_url=server_url, limits=httpx.Limits(max_connections=1), timeout=30) as client:
        failed = client.get("/api/v1/test-only/failure", headers={"Accept-Language": "fr"})
        failed_on = local_address(failed)
        assert failed.status_code == 500
        assert failed.headers["content-type"].startswith(PROBLEM)
        assert failed.headers["content-language"] == "fr"
        assert failed.json()["status"] == 500
        assert "connection" not in failed.headers  # not "close"
        for _ in range(3):
            # Time for a server that closes the connection after the 500 to have done so.
            time.sleep(0.2)
            following = client.get("/healthz")
            assert following.status_code == 200, following.text
            assert local_address(following) == failed_on
