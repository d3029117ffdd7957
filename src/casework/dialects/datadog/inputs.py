"""The pieces of Datadog's request bodies the dialect's modules share: JSON:API `data` objects of a given type, the
relationships to users and projects, and the enums of the official client.

Bodies are validated whole before any lookup, so a wrong `data.type`, an unknown enum value or an empty title is a
400 naming the field however the rest of the request stands. Keys a body has beyond these are ignored, as Datadog
ignores them: a newer client may send more."""

import uuid
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from casework.cases.schemas import Title as CoreTitle
from casework.inputs import CleanInput, not_blank

CaseResourceType = Literal["case"]
UserResourceType = Literal["user"]
ProjectResourceType = Literal["project"]
Priority = Literal["NOT_DEFINED", "P1", "P2", "P3", "P4", "P5"]
Status = Literal["OPEN", "IN_PROGRESS", "CLOSED"]
Title = CoreTitle
StatusName = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(not_blank)]

# Ids other than a case's must be UUIDs (a case is addressed by UUID or key).
UserId = Annotated[uuid.UUID, Path(description="A user's UUID.")]
ProjectId = Annotated[uuid.UUID, Path(description="A project's UUID.")]
CaseId = Annotated[
    str, Path(min_length=1, max_length=64, description="The case's UUID or key (`SEC-42`).")
]


class DatadogInput(CleanInput):
    model_config = ConfigDict(extra="ignore")


class UserData(DatadogInput):
    id: uuid.UUID = Field(description="The user's UUID.")
    type: UserResourceType


class UserRelationship(DatadogInput):
    data: UserData | None


class ProjectData(DatadogInput):
    id: uuid.UUID = Field(description="The project's UUID.")
    type: ProjectResourceType


class ProjectRelationship(DatadogInput):
    """`{"data": {"id", "type": "project"}}`: the body of the project relationship update too."""

    data: ProjectData


class EmptyCaseData(DatadogInput):
    type: CaseResourceType


class EmptyCaseRequest(DatadogInput):
    """The body of archive, unarchive and unassign."""

    data: EmptyCaseData
