import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from casework.auth.schemas import Name, Scope
from casework.inputs import StrictInput, unique_items


class OAuthClientCreate(StrictInput):
    name: Name
    scopes: Annotated[list[Scope], AfterValidator(unique_items)] = Field(min_length=1)
    user_id: uuid.UUID | None = Field(default=None, description="The user the client acts as; yourself when absent.")


class OAuthClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_id: str
    name: str
    user_id: uuid.UUID
    created_by: uuid.UUID
    scopes: list[Scope]
    created_at: datetime
    revoked_at: datetime | None


class OAuthClientCreated(OAuthClientRead):
    client_secret: str = Field(description="The secret. It is shown in this response only.")


class AccessTokenRead(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


class OAuthErrorRead(BaseModel):
    """RFC 6749 §5.2."""

    error: str
    error_description: str
