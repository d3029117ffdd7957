"""Every file test runs against both stores: a directory under the data dir, and S3 (moto's real server).

The `app` fixture is overridden here: one app per (database, store) over the session's database, with a small
CASEWORK_MAX_FILE_BYTES (larger than the body limit and than one read chunk) so that limits are cheap to reach.
"""

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from moto.server import ThreadedMotoServer

from casework.app import create_app
from casework.attachments.storage import CHUNK_BYTES
from casework.db.database import Database
from casework.settings import Settings
from tests.attachments.support import BUCKET, PREFIX, REGION, s3_client

MAX_FILE_BYTES = CHUNK_BYTES * 2 + 12_345
BODY_LIMIT = 64 * 1024
STORES = ["local", "s3"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free local port, with one empty bucket."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture(scope="session", params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


def file_settings(data_dir: Path, store_kind: str, s3_endpoint: str | None) -> Settings:
    fields: dict[str, object] = {
        "data_dir": data_dir,
        "rate_limit": "100000/minute",
        "max_body_bytes": BODY_LIMIT,
        "max_file_bytes": MAX_FILE_BYTES,
    }
    if store_kind == "s3":
        fields.update(
            s3_bucket=BUCKET,
            s3_endpoint_url=s3_endpoint,
            s3_region=REGION,
            s3_access_key_id="test",
            s3_secret_access_key="test",
            s3_prefix=PREFIX,
        )
    return Settings(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(db: Database, store_kind: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> FastAPI:
    endpoint = request.getfixturevalue("s3_endpoint") if store_kind == "s3" else None
    return create_app(file_settings(tmp_path_factory.mktemp(f"files-{store_kind}"), store_kind, endpoint), db)
