"""What the tests of the dialect's content routes share: a case made through the client, and the error bodies of
both formats."""

import uuid
from typing import Any

from datadog_api_client.exceptions import ApiException
from datadog_api_client.v2.api.case_management_api import CaseManagementApi

from tests.dialects.datadog.conftest import new_case



def make_case(cases_api: CaseManagementApi, project_id: uuid.UUID) -> Any:
    """A case made through the client: its `data`."""
    return cases_api.create_case(new_case(project_id)).data


def error_messages(exc: ApiException) -> list[str]:
    """The messages of a `{"errors": ["<message>"]}` answer (asserting it is one)."""
    body = exc.body
    assert isinstance(body, dict) and set(body) == {"errors"}, body
    assert all(isinstance(message, str) for message in body["errors"]), body
    return body["errors"]  # type: ignore[no-any-return]


def error_objects(exc: ApiException) -> list[dict[str, str]]:
    """The objects of a `{"errors": [{status, title, detail}]}` answer (asserting it is one, with the answer's
    status)."""
    body = exc.body
    assert isinstance(body, dict) and set(body) == {"errors"}, body
    for error in body["errors"]:
        assert set(error) == {"status", "title", "detail"} and error["status"] == str(exc.status), body
    return body["errors"]  # type: ignore[no-any-return]
