"""A hot read's plain SELECT (casework.db.plain) answers what SQLAlchemy would, value for value and type for type,
on both databases, and is still seen by the engine's statement events."""

import uuid

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.cases.records import CASE_COLUMNS, _CASE_BY
from casework.db.plain import PlainSelect
from tests.cases.test_case_record import with_content
from tests.conftest import Tenant
from tests.helpers import issued_statements


async def test_a_row_converts_as_sqlalchemy_converts_it(client, tenant: Tenant) -> None:
    case = await with_content(client)
    parameters = {"workspace_id": tenant.workspace_id, "ref": uuid.UUID(case["id"])}
    plain = _CASE_BY["id"]

    def both(session: Session) -> tuple[object, object]:
        return plain.first(session, parameters), tuple(session.execute(plain.statement, parameters).one())

    mine, sqlalchemys = tenant.db.run_sync(both, write=False)
    assert mine == sqlalchemys
    assert [type(value) for value in mine] == [type(value) for value in sqlalchemys]  # type: ignore[union-attr]
    # Moments, UUIDs and JSON among them, set: a conversion left out would show.
    assert {type(value).__name__ for value in mine if value is not None} >= {"UUID", "datetime", "dict", "list"}  # type: ignore[union-attr]


def test_no_row_is_none(tenant: Tenant) -> None:
    parameters = {"workspace_id": tenant.workspace_id, "ref": uuid.uuid4()}
    assert tenant.db.run_sync(lambda session: _CASE_BY["id"].first(session, parameters), write=False) is None


def test_the_engines_statement_events_see_it(tenant: Tenant) -> None:
    parameters = {"workspace_id": tenant.workspace_id, "ref": "NOPE-1"}
    with issued_statements(tenant.db.engine) as issued:
        tenant.db.run_sync(lambda session: _CASE_BY["key"].first(session, parameters), write=False)
    assert len(issued) == 1 and issued[0].flat.startswith("SELECT")


def test_a_list_parameter_is_refused_when_compiled(tenant: Tenant) -> None:
    listed = PlainSelect(select(*CASE_COLUMNS).where(Case.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="scalar parameters"):
        tenant.db.run_sync(lambda session: listed.first(session, {"ids": [uuid.uuid4()]}), write=False)
