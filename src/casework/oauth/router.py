import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from casework.http import DB, CurrentActor, JSONResponse, NativeRouter
from casework.oauth import service, wire
from casework.oauth.models import OAuthClient
from casework.oauth.schemas import (
    AccessTokenRead,
    OAuthClientCreate,
    OAuthClientCreated,
    OAuthClientRead,
    OAuthErrorRead,
)
from casework.oauth.tokens import issue_access_token

router = NativeRouter(tags=["OAuth2 clients"])
# Under /api/v1; its errors are rendered by wire.render_error (app.py registers it for this path). Its own router:
# unlike the rest of the native API, it ignores parameters it does not know (RFC 6749 section 3.2).
token_router = APIRouter(tags=["OAuth2 clients"])
TOKEN_PATH = "/oauth/token"
ClientId = Annotated[uuid.UUID, Path(description="The OAuth client's `id` (a UUID), not its `client_id`.")]

_TOKEN_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        wire.FORM: {
            "schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": [wire.GRANT_TYPE]},
                    "scope": {"type": "string", "description": "Space-separated; the client's scopes when absent."},
                    "client_id": {"type": "string", "description": "With client_secret, instead of HTTP Basic."},
                    "client_secret": {"type": "string"},
                },
            }
        }
    },
}


def _view(client: OAuthClient) -> dict[str, Any]:
    return OAuthClientRead.model_validate(client).model_dump(mode="json")


@router.post("/oauth-clients", status_code=201, response_model=OAuthClientCreated)
async def create_oauth_client(body: OAuthClientCreate, actor: CurrentActor, db: DB) -> Response:
    """Register an OAuth2 client for the client credentials grant (admins only); its `client_secret` is in this
    answer only."""
    client, secret = await db.write(service.create_client, actor, body)
    return JSONResponse(_view(client) | {"client_secret": secret}, 201)


@router.get("/oauth-clients", response_model=list[OAuthClientRead])
async def list_oauth_clients(actor: CurrentActor, db: DB) -> Response:
    """Every OAuth2 client of the workspace, revoked ones too, oldest first, without secrets (admins only)."""
    return JSONResponse([_view(c) for c in await db.read(service.list_clients, actor)])


@router.delete("/oauth-clients/{client_id}", response_model=OAuthClientRead)
async def revoke_oauth_client(client_id: ClientId, actor: CurrentActor, db: DB) -> Response:
    """Revoke a client (admins only): it gets no new access token, and those it holds stop working."""
    return JSONResponse(_view(await db.write(service.revoke_client, actor, client_id)))


@token_router.post(
    TOKEN_PATH,
    response_model=AccessTokenRead,
    # Every error of this endpoint is in the RFC 6749 format, not a problem.
    responses={400: {"model": OAuthErrorRead}, 401: {"model": OAuthErrorRead}, "4XX": {"model": OAuthErrorRead}},
    openapi_extra={"requestBody": _TOKEN_REQUEST_BODY},
    summary="Client credentials grant (RFC 6749 §4.4): an access token for the client authenticated by HTTP Basic",
)
async def issue_token(request: Request, db: DB) -> Response:
    """Issue an access token (a JWT) for the client's scopes, or those `scope` names among them."""
    headers = request.headers
    wanted = wire.token_request(headers.get("content-type"), await request.body(), headers.get("authorization"))
    ttl = request.app.state.settings.oauth_token_ttl
    issued = await db.write(issue_access_token, wanted.client_id, wanted.client_secret, wanted.scope, ttl)
    return wire.access_token_response(issued.access_token, issued.expires_in, issued.scope)
