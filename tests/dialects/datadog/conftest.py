"""The Datadog dialect as Datadog's own users reach it: the official `datadog-api-client`, pointed by its `host` at a
real uvicorn server on 127.0.0.1 that serves the test session's app (on SQLite and on PostgreSQL, as `app` is).

Fixtures: `datadog_server` (the server's base URL), `datadog_host` (that URL + /datadog, the client's host),
`datadog_api` (an ApiClient with the tenant admin's keys), `cases_api` (a CaseManagementApi over it). `configuration`
and `api_client_for` make the same for any member; tests of the other API classes wrap `datadog_api` themselves.
"""

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.model_utils import OpenApiModel, UnparsedObject
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from fastapi import FastAPI

from tests.conftest import Member, Tenant
from tests.servers import SERVER_START_TIMEOUT, free_port

# Datadog's API key names the organisation; casework reads only the application key (a casework token).
API_KEY = "casework-datadog-api-key"
PREFIX = "/datadog"


@pytest.fixture(scope="session")
def datadog_server(app: FastAPI) -> Iterator[str]:
    """The session's app served by uvicorn on a free port of 127.0.0.1, in a thread of its own."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start in time"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="session")
def datadog_host(datadog_server: str) -> str:
    return datadog_server + PREFIX


def configuration(host: str, member: Member, **options: object) -> Configuration:
    """The client's configuration as a Datadog user writes it, with the member's token as application key; return
    types checked (the default, said here so that no test runs without it)."""
    config = Configuration(host=host, **options)  # type: ignore[arg-type]
    config.api_key["apiKeyAuth"] = API_KEY
    config.api_key["appKeyAuth"] = member.token
    config.check_return_type = True
    return config


def api_client_for(host: str, member: Member, **options: object) -> ApiClient:
    return ApiClient(configuration(host, member, **options))


@pytest.fixture
def datadog_api(datadog_host: str, tenant: Tenant) -> Iterator[ApiClient]:
    """The official client, as the tenant's admin."""
    with api_client_for(datadog_host, tenant.admin) as client:
        yield client


@pytest.fixture
def cases_api(datadog_api: ApiClient) -> CaseManagementApi:
    return CaseManagementApi(datadog_api)


def unparsed_parts(value: object, path: str = "response") -> list[str]:
    """Where in a deserialised answer the client met a value it does not know (an enum outside its list, a
    oneOf it could not match): every such part is flagged `_unparsed`, also inside dicts, where the client does not
    pass the flag up."""
    found: list[str] = []
    if isinstance(value, UnparsedObject) or getattr(value, "_unparsed", False):
        found.append(path)
    if isinstance(value, OpenApiModel) and hasattr(value, "_data_store"):
        for name, item in value._data_store.items():
            found += unparsed_parts(item, f"{path}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unparsed_parts(item, f"{path}[{key!r}]")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unparsed_parts(item, f"{path}[{index}]")
    return found
