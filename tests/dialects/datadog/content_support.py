"""What the tests of the dialect's content routes share: a case made through the client, Datadog's headers for
plain HTTP, and the error bodies of both formats."""

import uuid
from typing import Any

from datadog_api_client.exceptions import ApiException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_create import CaseCreate
from datadog_api_client.v2.model.case_create_attributes import CaseCreateAttributes
from datadog_api_client.v2.model.case_create_relationships import CaseCreateRelationships
from datadog_api_client.v2.model.case_create_request import CaseCreateRequest
from datadog_api_client.v2.model.case_resource_type import CaseResourceType
from datadog_api_client.v2.model.project_relationship import ProjectRelationship
from datadog_api_client.v2.model.project_relationship_data import ProjectRelationshipData
from datadog_api_client.v2.model.project_resource_type import ProjectResourceType

from tests.conftest import Member
from tests.dialects.datadog.conftest import API_KEY

STANDARD_TYPE_ID = "00000000-0000-0000-0000-000000000001"


def make_case(cases_api: CaseManagementApi, project_id: uuid.UUID, title: str = "Memory leak investigation on API") -> Any:
    """A case made through the client: its `data`."""
    body = CaseCreateRequest(
        data=CaseCreate(
            type=CaseResourceType.CASE,
            attributes=CaseCreateAttributes(title=title, type_id=STANDARD_TYPE_ID),
            relationships=CaseCreateRelationships(
                project=ProjectRelationship(data=ProjectRelationshipData(id=str(project_id), type=ProjectResourceType.PROJECT))
            ),
        )
    )
    return cases_api.create_case(body).data


def headers(member: Member) -> dict[str, str]:
    return {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": member.token}


def error_messages(exc: ApiException) -> list[str]:
    """The messages of a `{"errors": ["<message>"]}` answer (asserting it is one)."""
    body = exc.body
    assert isinstance(body, dict) and set(body) == {"errors"}, body
    assert all(isinstance(message, str) for message in body["errors"]), body
    return body["errors"]  # type: ignore[no-any-return]


def error_objects(exc: ApiException) -> list[dict[str, str]]:
    """The objects of a `{"errors": [{status, title, detail}]}` answer (asserting it is one, its status the answer's)."""
    body = exc.body
    assert isinstance(body, dict) and set(body) == {"errors"}, body
    for error in body["errors"]:
        assert set(error) == {"status", "title", "detail"} and error["status"] == str(exc.status), body
    return body["errors"]  # type: ignore[no-any-return]
