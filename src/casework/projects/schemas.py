import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from casework.auth.schemas import Name
from casework.inputs import StrictInput

ProjectKey = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,9}$")]
Description = Annotated[str, StringConstraints(max_length=2000)]


class ProjectCreate(StrictInput):
    key: ProjectKey
    name: Name
    description: Description = ""


class ProjectUpdate(StrictInput):
    name: Name | None = None
    description: Description | None = None


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
