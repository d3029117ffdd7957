"""No input, valid or not, makes the native API answer with a server error (schemathesis over /openapi.json)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from tests.conftest import Tenant

EXAMPLES_PER_OPERATION = 25


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_input_gets_a_server_error(app, tenant: Tenant, mode: GenerationMode) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # One real case so that generated paths sometimes name something that exists.
    tenant.db.run_sync(_seed_case, tenant)
    failures: list[str] = []
    exercised: set[str] = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/api/v1/cases" for op in operations)

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=tenant.admin.headers)
            exercised.add(operation.label)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code} {response.text[:300]}")

        try:
            check()
        except Unsatisfiable:
            # An operation without inputs has no invalid input to send.
            assert mode is GenerationMode.NEGATIVE
    assert not failures, "\n".join(failures[:20])
    assert {"POST /api/v1/cases", "PATCH /api/v1/cases/{ref}", "GET /api/v1/cases"} <= exercised


def _seed_case(session, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    from casework.auth.service import SCOPES, Actor
    from casework.cases.schemas import CaseCreate
    from casework.cases.service import create_case

    actor = Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))
    create_case(session, actor, CaseCreate(title="seed"))
