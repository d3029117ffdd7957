"""No input, valid or not, makes the Datadog dialect answer with a server error (schemathesis over its own
description, against the real server): the client retries 5xx answers, so one would also make it slow."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import keys, new_case

# Few per operation: each is a real HTTP request, and the dialect has many operations.
EXAMPLES_PER_OPERATION = 4


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_input_gets_a_server_error(datadog_host: str, cases_api, tenant: Tenant, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{datadog_host}/openapi.json")
    # One real case so that generated paths sometimes name something that exists.
    cases_api.create_case(new_case(tenant.project_id))
    failures: list[str] = []
    exercised: set[str] = set()
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case):  # type: ignore[no-untyped-def]
            response = case.call(base_url=datadog_host, headers=keys(tenant.admin))
            exercised.add(operation.label)
            if response.status_code >= 500:
                answer = f"{response.status_code} {response.text[:300]}"
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {answer}")

        try:
            check()
        except Unsatisfiable:
            # An operation without inputs has no invalid input to send.
            assert mode is GenerationMode.NEGATIVE
    assert not failures, "\n".join(failures[:20])
    assert {"POST /api/v2/cases", "GET /api/v2/cases", "POST /api/v2/cases/{case_id}/title"} <= exercised
