"""The Datadog dialect as Datadog's own users reach it: the official `datadog-api-client`, pointed by its `host` at a
real uvicorn server on 127.0.0.1 that serves the test session's app (on SQLite and on PostgreSQL, as `app` is).

Fixtures: `datadog_server` (the server's base URL), `datadog_host` (that URL + /datadog, the client's host),
`datadog_api` (an ApiClient with the tenant admin's keys), `cases_api` (a CaseManagementApi over it), `datadog_http`
(plain HTTP with the same keys). `configuration` and `api_client_for` make a client for any member, `keys` its
headers; `new_case` builds a create request; `unparsed_parts` lists what the client could not parse in an answer.
"""

import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.model_utils import OpenApiModel, UnparsedObject
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_create import CaseCreate
from datadog_api_client.v2.model.case_create_attributes import CaseCreateAttributes
from datadog_api_client.v2.model.case_create_relationships import CaseCreateRelationships
from datadog_api_client.v2.model.case_create_request import CaseCreateRequest
from datadog_api_client.v2.model.case_resource_type import CaseResourceType
from datadog_api_client.v2.model.project_relationship import ProjectRelationship
from datadog_api_client.v2.model.project_relationship_data import ProjectRelationshipData
from datadog_api_client.v2.model.project_resource_type import ProjectResourceType
from fastapi import FastAPI

from tests.conftest import Member, Tenant
from tests.servers import SERVER_START_TIMEOUT, free_port

# Datadog's API key names the organisation; casework reads only the application key (a casework token).
API_KEY = "casework-datadog-api-key"
PREFIX = "/datadog"
STANDARD_TYPE_ID = "00000000-0000-0000-0000-000000000001"
# Every attribute of a case, as the seed lists them.
SEED_CASE_ATTRIBUTES = {
    "archived_at", "attributes", "closed_at", "created_at", "custom_attributes", "description", "jira_issue", "key",
    "modified_at", "priority", "service_now_ticket", "status", "status_group", "status_name", "title", "type",
    "type_id",
}
# And the insights Datadog shows with every case (the client keeps them as an extra attribute).
CASE_ATTRIBUTES = SEED_CASE_ATTRIBUTES | {"insights"}


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


def keys(member: Member) -> dict[str, str]:
    """Datadog's key headers, for requests sent without the client."""
    return {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": member.token}


@pytest.fixture
def datadog_http(datadog_host: str, tenant: Tenant) -> Iterator[httpx.Client]:
    """Plain HTTP to the dialect as the tenant's admin, for what the client cannot send or hides (exact bodies)."""
    with httpx.Client(base_url=datadog_host, headers=keys(tenant.admin), timeout=60.0) as client:
        yield client


def new_case(project_id: uuid.UUID, title: str = "Memory leak investigation on API", **attributes) -> CaseCreateRequest:
    """A create request as the client builds it, in the project, of the built-in STANDARD type."""
    return CaseCreateRequest(
        data=CaseCreate(
            type=CaseResourceType.CASE,
            attributes=CaseCreateAttributes(title=title, type_id=STANDARD_TYPE_ID, **attributes),
            relationships=CaseCreateRelationships(
                project=ProjectRelationship(
                    data=ProjectRelationshipData(id=str(project_id), type=ProjectResourceType.PROJECT)
                )
            ),
        )
    )


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
