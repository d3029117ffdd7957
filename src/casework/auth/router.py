import uuid
from typing import Annotated

from fastapi import Path, Query, Response

from casework import problems
from casework.auth import service
from casework.auth.schemas import MeRead, TokenCreate, TokenCreated, TokenRead, UserCreate, UserRead, UserUpdate
from casework.http import DB, CurrentActor, JSONResponse, NativeRouter

router = NativeRouter(tags=["users and tokens"])
UserRef = Annotated[str, Path(description="The user: their id (a UUID) or their integer handle.")]
TokenId = Annotated[uuid.UUID, Path(description="The token's id (not its secret).")]


def _json(model: type[UserRead] | type[TokenRead], row: object, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_validate(row).model_dump(mode="json"), status)


@router.get("/me", response_model=MeRead)
async def get_me(actor: CurrentActor, db: DB) -> Response:
    """Who the credential stands for: the user, their workspace, the token or OAuth client, and its scopes."""
    user = await db.read(service.get_user, actor, actor.user_id)
    return JSONResponse(
        {
            "user": UserRead.model_validate(user).model_dump(mode="json"),
            "workspace_id": str(actor.workspace_id),
            "token_id": actor.token_id and str(actor.token_id),
            "oauth_client_id": actor.oauth_client_id and str(actor.oauth_client_id),
            "scopes": sorted(actor.scopes),
        }
    )


@router.get("/users", response_model=list[UserRead])
async def list_users(actor: CurrentActor, db: DB) -> Response:
    """The users of the workspace, by email."""
    users = await db.read(service.list_users, actor)
    return JSONResponse([UserRead.model_validate(u).model_dump(mode="json") for u in users])


@router.post("/users", status_code=201, response_model=UserRead, responses=problems.refusals(409))
async def create_user(body: UserCreate, actor: CurrentActor, db: DB) -> Response:
    """Add a user to the workspace (admins only); the email is unique in the workspace (409 when taken)."""
    return _json(UserRead, await db.write(service.create_user, actor, body), 201)


@router.get("/users/{user_id}", response_model=UserRead)
async def get_user(user_id: UserRef, actor: CurrentActor, db: DB) -> Response:
    """One user of the workspace."""
    return _json(UserRead, await db.read(service.read_user, actor, user_id))


@router.patch("/users/{user_id}", response_model=UserRead, responses=problems.refusals(409))
async def update_user(user_id: UserRef, body: UserUpdate, actor: CurrentActor, db: DB) -> Response:
    """Change a user's name, role or active state (admins only); the workspace keeps at least one active admin
    (409)."""
    return _json(UserRead, await db.write(service.update_user, actor, user_id, body))


@router.get("/tokens", response_model=list[TokenRead])
async def list_tokens(
    actor: CurrentActor,
    db: DB,
    user_id: Annotated[
        uuid.UUID | None, Query(description="Only this user's tokens (another user's: admins only).")
    ] = None,
) -> Response:
    """API tokens without their secrets: every one of the workspace for admins, the caller's own otherwise."""
    tokens = await db.read(service.list_tokens, actor, user_id)
    return JSONResponse([TokenRead.model_validate(t).model_dump(mode="json") for t in tokens])


@router.post("/tokens", status_code=201, response_model=TokenCreated, responses=problems.refusals(404))
async def create_token(body: TokenCreate, actor: CurrentActor, db: DB) -> Response:
    """Issue an API token; its secret (`token`) is in this answer only. It grants no scope its creator's token
    lacks (403)."""
    token, secret = await db.write(service.create_token, actor, body)
    created = TokenRead.model_validate(token).model_dump(mode="json") | {"token": secret}
    return JSONResponse(created, 201)


@router.delete("/tokens/{token_id}", response_model=TokenRead)
async def revoke_token(token_id: TokenId, actor: CurrentActor, db: DB) -> Response:
    """Revoke a token at once: the caller's own, or any of the workspace's for admins."""
    return _json(TokenRead, await db.write(service.revoke_token, actor, token_id))
