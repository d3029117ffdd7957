"""The pieces of Datadog's request bodies the dialect's modules share: JSON:API `data` objects of a given type, the
relationships to users and projects, and the enums of the official client.

Bodies are validated whole before any lookup, so a wrong `data.type`, an unknown enum value or an empty title is a
400 naming the field however the rest of the request stands. Keys a body has beyond these are ignored, as Datadog
ignores them: a newer client may send more."""

import uuid
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Path
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)

from casework.cases.schemas import Title as CoreTitle
from casework.i18n import _
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
CUSTOM_ATTRIBUTE_KEY = r"^[A-Za-z0-9_.-]{1,64}$"
MAX_CUSTOM_ATTRIBUTES = 100
MAX_CUSTOM_ATTRIBUTE_VALUES = 100
MAX_CUSTOM_ATTRIBUTE_TEXT = 10_000
CaseId = Annotated[str, Path(min_length=1, max_length=64, description="The case's UUID or key (`SEC-42`).")]


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


AttributesT = TypeVar("AttributesT", bound=DatadogInput)


class CaseData(DatadogInput, Generic[AttributesT]):
    type: CaseResourceType
    attributes: AttributesT


class CaseRequest(DatadogInput, Generic[AttributesT]):
    """The body of most case routes: `{"data": {"type": "case", "attributes": {...}}}`."""

    data: CaseData[AttributesT]


class EmptyCaseData(DatadogInput):
    type: CaseResourceType


class EmptyCaseRequest(DatadogInput):
    """The body of archive, unarchive and unassign."""

    data: EmptyCaseData


Text = Annotated[StrictStr, StringConstraints(max_length=MAX_CUSTOM_ATTRIBUTE_TEXT)]
Number = StrictFloat | StrictInt


class CustomAttributeValue(DatadogInput):
    """A typed value, as Datadog keeps it: an array when `is_multi`, numbers for NUMBER, strings otherwise."""

    type: Literal["URL", "TEXT", "NUMBER", "SELECT"]
    is_multi: StrictBool
    value: (
        Text
        | Annotated[list[Text], Field(max_length=MAX_CUSTOM_ATTRIBUTE_VALUES)]
        | Number
        | Annotated[list[Number], Field(max_length=MAX_CUSTOM_ATTRIBUTE_VALUES)]
    )

    @model_validator(mode="after")
    def _shaped(self) -> "CustomAttributeValue":
        values = self.value if isinstance(self.value, list) else [self.value]
        if self.is_multi != isinstance(self.value, list):
            raise ValueError(_("value must be an array when is_multi is true, and a single value otherwise"))
        numeric = self.type == "NUMBER"
        if any(isinstance(v, str) == numeric for v in values):
            raise ValueError(_("value must hold numbers for NUMBER and strings for the other types"))
        return self


CustomAttributeKeyText = Annotated[str, StringConstraints(pattern=CUSTOM_ATTRIBUTE_KEY)]
CustomAttributes = Annotated[
    dict[CustomAttributeKeyText, CustomAttributeValue], Field(max_length=MAX_CUSTOM_ATTRIBUTES)
]
