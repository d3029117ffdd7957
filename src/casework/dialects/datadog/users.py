"""A minimal UsersApi, so that the users a case names (assignee, watchers) can be made through the same client:
`POST /api/v2/users` (admins; the user gets the agent role), `GET /api/v2/users/{user_id}`, and
`DELETE /api/v2/users/{user_id}`, which disables the user as Datadog does. A user id is a UUID, else 400."""

import uuid
from typing import Any, Literal

from fastapi import Response
from pydantic import EmailStr, Field, ValidationError
from sqlalchemy.orm import Session

from casework.auth.models import User
from casework.auth.schemas import Name, UserCreate, UserUpdate
from casework.auth.service import Actor, create_user, read_user, update_user
from casework.dialects.datadog.inputs import DatadogInput, UserId
from casework.dialects.datadog.routing import datadog_router
from casework.dialects.datadog.wire import timestamp
from casework.dialects.dialect import DialectActor
from casework.errors import from_validation_error
from casework.http import DB, JSONResponse

router = datadog_router()

USERS_TYPE = "users"


class UserCreateAttributes(DatadogInput):
    email: EmailStr
    name: Name | None = Field(default=None, description="The email when absent.")
    title: str | None = Field(default=None, description="Accepted; casework keeps no title.")


class UserCreateData(DatadogInput):
    type: Literal["users"]
    attributes: UserCreateAttributes


class UserCreateRequest(DatadogInput):
    data: UserCreateData


def user_data(user: User) -> dict[str, Any]:
    attributes = {
        "created_at": timestamp(user.created_at),
        "modified_at": timestamp(user.updated_at),
        "disabled": not user.active,
        "email": user.email,
        "handle": user.email,
        "name": user.name,
        "status": "active" if user.active else "deactivated",
        "title": None,
        "uuid": str(user.id),
        "verified": True,
        "service_account": False,
    }
    return {"id": str(user.id), "type": USERS_TYPE, "attributes": attributes}


def _create(session: Session, actor: Actor, body: UserCreateRequest) -> dict[str, Any]:
    given = body.data.attributes
    try:
        data = UserCreate(email=given.email, name=given.name or given.email)
    except ValidationError as exc:
        # An email longer than a name may be, standing for the absent name.
        raise from_validation_error(exc, "data.attributes") from None
    user = create_user(session, actor, data)
    return {"data": user_data(user)}


def _get(session: Session, actor: Actor, user_id: uuid.UUID) -> dict[str, Any]:
    return {"data": user_data(read_user(session, actor, user_id))}


def _disable(session: Session, actor: Actor, user_id: uuid.UUID) -> None:
    update_user(session, actor, user_id, UserUpdate(active=False))


@router.post("/api/v2/users", summary="Create a user", status_code=201)
async def create(body: UserCreateRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body), 201)


@router.get("/api/v2/users/{user_id}", summary="Get user details")
async def get(user_id: UserId, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_get, actor, user_id))


@router.delete("/api/v2/users/{user_id}", summary="Disable a user", status_code=204)
async def disable(user_id: UserId, actor: DialectActor, db: DB) -> Response:
    await db.write(_disable, actor, user_id)
    return Response(status_code=204)
