import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from casework.auth.schemas import Name, Scope
from casework.descriptions import CREATED_AT, ID, SHOWN_ONCE
from casework.inputs import StrictInput, unique_items

CLIENT_NAME = "A name for people to recognise the client by, 1 to 160 characters."
CLIENT_SCOPES = "The scopes its access tokens may carry, each once; `admin` only for a client acting as an admin."


class OAuthClientCreate(StrictInput):
    name: Name = Field(description=CLIENT_NAME)
    scopes: Annotated[list[Scope], AfterValidator(unique_items)] = Field(min_length=1, description=CLIENT_SCOPES)
    user_id: uuid.UUID | None = Field(default=None, description="The user the client acts as; yourself when absent.")


class OAuthClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description=ID)
    client_id: str = Field(
        description="The public identifier it authenticates with at POST /oauth/token, beside its secret."
    )
    name: str = Field(description=CLIENT_NAME)
    user_id: uuid.UUID = Field(description="The user it acts as: that user's role applies to every request.")
    created_by: uuid.UUID = Field(description="The admin who made it.")
    scopes: list[Scope] = Field(description=CLIENT_SCOPES)
    created_at: datetime = Field(description=CREATED_AT)
    revoked_at: datetime | None = Field(
        description="When it was revoked (its access tokens are refused from then on); null while it is usable."
    )


class OAuthClientCreated(OAuthClientRead):
    client_secret: str = Field(description=SHOWN_ONCE)


class AccessTokenRead(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str = Field(description="A JWT to send as `Authorization: Bearer` to the native API.")
    token_type: str = Field(default="Bearer", description="Always `Bearer`.")
    expires_in: int = Field(description="Seconds until the access token expires.")
    scope: str = Field(description="The token's scopes, space-separated.")


class OAuthErrorRead(BaseModel):
    """RFC 6749 §5.2."""

    error: str = Field(
        description="invalid_client, invalid_request, unsupported_grant_type or invalid_scope (RFC 6749 §5.2)."
    )
    error_description: str = Field(description="What was wrong, in words for people.")
