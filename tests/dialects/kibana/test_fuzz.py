"""No input, valid or not, makes the Kibana dialect answer with a server error (schemathesis over
/kibana/openapi.json), and every refusal is a Boom body."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from tests.conftest import Tenant
from tests.dialects.kibana.conftest import kibana_headers

EXAMPLES_PER_OPERATION = 15


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_input_gets_a_server_error(app, tenant: Tenant, mode: GenerationMode) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/kibana/openapi.json", app)
    schema.config.base_url = "http://test/kibana"
    failures: list[str] = []
    exercised: set[str] = set()
    # The space-prefixed copies are the same routes.
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if not op.path.startswith("/s/")]

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=kibana_headers(tenant.admin.token))
            exercised.add(operation.label)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code} {response.text[:300]}")
            elif response.status_code >= 400 and set(response.json()) != {"statusCode", "error", "message"}:
                failures.append(f"{case.method} {case.formatted_path}: not a Boom body: {response.text[:300]}")

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE
    assert not failures, "\n".join(failures[:20])
    assert {"POST /api/cases", "PATCH /api/cases", "GET /api/cases/_find"} <= exercised
