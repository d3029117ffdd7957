"""The seam every dialect plugs into, exercised with a dialect made for the test: mounted under its prefix, its own
errors and API description, credentials read its way, and its changes logged with its name as their source."""

import base64
from typing import Any

import httpx
import orjson
import pytest
from fastapi import APIRouter, FastAPI, Request, Response

from casework.app import create_app
from casework.cases import service as cases
from casework.cases.schemas import CaseCreate, case_view
from casework.credentials import api_key, basic, first_of, header
from casework.db.database import Database
from casework.dialects.dialect import Dialect, DialectActor
from casework.errors import DomainError
from casework.http import DB
from casework.settings import Settings
from tests.conftest import Tenant
from tests.helpers import PROBLEM, api_client

router = APIRouter()


@router.get("/api/whoami")
async def whoami(actor: DialectActor) -> dict[str, Any]:
    return {"user": str(actor.user_id), "source": actor.source}


@router.post("/api/cases")
async def create(body: dict[str, Any], actor: DialectActor, db: DB) -> dict[str, Any]:
    case = await db.write(cases.create_case, actor, CaseCreate(title=body["name"]))
    return {"id": str(case.id), "key": case_view(case)["key"]}


@router.post("/api/cases/{ref}/files")
async def upload(ref: str, request: Request, actor: DialectActor) -> dict[str, Any]:
    return {"size": len(await request.body())}


def render(exc: DomainError, status: int) -> Response:
    return Response(orjson.dumps({"statusCode": status, "message": exc.detail}), status, media_type="application/json")


DEMO = Dialect(
    name="demo",
    prefix="/demo",
    router=router,
    render_error=render,
    credentials=first_of(header("X-User-Token"), api_key, basic),
    title="Demo cases API",
    upload_paths=(r"/api/cases/[^/]+/files$",),
)


@pytest.fixture(scope="module")
def demo_app(db: Database, settings: Settings) -> FastAPI:
    return create_app(settings.model_copy(update={"max_body_bytes": 2048}), db, dialects=[DEMO])


def demo_client(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/demo", headers=headers or {})


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "scheme",
    ["X-User-Token", "ApiKey", "ApiKey id:token", "Basic"],
)
async def test_each_declared_credential_form_authenticates_as_the_tokens_user(demo_app, tenant: Tenant, scheme):
    token, email = tenant.admin.token, tenant.admin.email
    headers = {
        "X-User-Token": {"X-User-Token": token},
        "ApiKey": {"Authorization": f"ApiKey {token}"},
        "ApiKey id:token": {"Authorization": f"ApiKey {b64('key-id:' + token)}"},
        "Basic": {"Authorization": f"Basic {b64(email.upper() + ':' + token)}"},
    }[scheme]
    async with demo_client(demo_app, headers) as client:
        response = await client.get("/api/whoami")
    assert response.status_code == 200, response.text
    assert response.json() == {"user": str(tenant.admin.id), "source": "demo"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer cw_not-a-token"},  # a scheme this dialect does not read
        {"X-User-Token": "cw_not-a-token"},
        {"Authorization": "Basic " + base64.b64encode(b"someone@example.com:cw_x").decode()},
    ],
)
async def test_missing_or_bad_credentials_are_401_in_the_dialects_format(demo_app, tenant: Tenant, headers):
    async with demo_client(demo_app, headers) as client:
        response = await client.get("/api/whoami")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json()["statusCode"] == 401 and response.json()["message"]


async def test_basic_credentials_of_another_user_are_refused(demo_app, tenant: Tenant):
    other = tenant.add_member("agent")
    credentials = b64(f"{other.email}:{tenant.admin.token}")
    async with demo_client(demo_app, {"Authorization": f"Basic {credentials}"}) as client:
        response = await client.get("/api/whoami")
    assert response.status_code == 401
    assert other.email in response.json()["message"]


async def test_unknown_paths_and_oversized_bodies_answer_in_the_dialects_format(demo_app, tenant: Tenant):
    async with demo_client(demo_app, {"X-User-Token": tenant.admin.token}) as client:
        missing = await client.get("/api/nothing-here")
        too_large = await client.post("/api/cases", json={"name": "x" * 4096})
    assert missing.status_code == 404 and missing.json()["statusCode"] == 404
    assert too_large.status_code == 413 and too_large.json()["statusCode"] == 413


async def test_the_native_api_keeps_its_own_format_beside_a_dialect(demo_app, tenant: Tenant):
    async with api_client(demo_app) as client:
        response = await client.get("/cases")
    assert response.status_code == 401
    assert response.headers["content-type"].split(";")[0] == PROBLEM


async def test_a_change_through_a_dialect_is_logged_with_its_name_and_read_natively(demo_app, tenant: Tenant):
    async with demo_client(demo_app, {"X-User-Token": tenant.admin.token}) as client:
        created = await client.post("/api/cases", json={"name": "Through the demo dialect"})
    assert created.status_code == 200, created.text
    async with api_client(demo_app, tenant.admin.headers) as client:
        case = (await client.get(f"/cases/{created.json()['id']}")).json()
        log = (await client.get(f"/cases/{case['key']}/activity")).json()["items"]
    assert case["title"] == "Through the demo dialect"
    assert [(entry["action"], entry["source"]) for entry in log] == [("created", "demo")]


async def test_each_dialect_describes_its_own_routes_and_the_native_description_stays_native(demo_app):
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        dialect = (await client.get("/demo/openapi.json")).json()
        native = (await client.get("/openapi.json")).json()
    assert dialect["info"]["title"] == "Demo cases API"
    assert set(dialect["paths"]) == {"/api/whoami", "/api/cases", "/api/cases/{ref}/files"}
    assert not any(path.startswith("/demo") or path == "/api/whoami" for path in native["paths"])


async def test_a_dialects_upload_paths_take_bodies_as_large_as_a_file_and_no_other_path_does(demo_app, tenant: Tenant):
    body = b"x" * 4096  # over the app's 2048 bytes
    async with demo_client(demo_app, {"X-User-Token": tenant.admin.token}) as client:
        uploaded = await client.post("/api/cases/CASE-1/files", content=body)
        assert (uploaded.status_code, uploaded.json()) == (200, {"size": 4096})
        assert (await client.post("/api/cases/CASE-1/files/more", content=body)).status_code == 413
        assert (await client.post("/api/cases", content=body)).status_code == 413
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers={"X-User-Token": "x"}) as client:
        # The same path outside the dialect's prefix is no upload path.
        assert (await client.post("/api/cases/CASE-1/files", content=body)).status_code == 413
