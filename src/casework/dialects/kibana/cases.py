"""Kibana's case routes: create, get, bulk update, delete, find, and the tags and reporters of the cases."""

from collections.abc import Sequence
from typing import Any

from fastapi import Response
from pydantic import Field
from sqlalchemy.orm import Session

from casework.auth.service import Actor, user_records
from casework.cases import service
from casework.cases.records import CaseRecord
from casework.cases.schemas import CaseCreate
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana.inputs import (
    Assignees,
    Category,
    Connector,
    CustomFields,
    Description,
    KibanaInput,
    Owner,
    Settings,
    Severity,
    Tags,
    Title,
)
from casework.dialects.kibana.routing import kibana_router
from casework.dialects.kibana.wire import VENDOR_KEY, case_body, people_of
from casework.http import DB, JSONResponse

router = kibana_router()


def case_answers(
    session: Session, actor: Actor, records: Sequence[CaseRecord], comments: Sequence[dict[str, Any]] = (), **totals: int
) -> list[dict[str, Any]]:
    """The cases as Kibana shows them, the users they name read in the same unit of work; `comments` and `totals`
    (total_comment, total_alerts) as case_body takes them, for every case."""
    people = user_records(session, actor.workspace_id, people_of(records))
    return [case_body(record, people, comments, **totals) for record in records]


def case_answer(
    session: Session, actor: Actor, record: CaseRecord, comments: Sequence[dict[str, Any]] = (), **totals: int
) -> dict[str, Any]:
    return case_answers(session, actor, [record], comments, **totals)[0]


class CasePostRequest(KibanaInput):
    """The body of POST /api/cases."""

    title: Title
    description: Description
    tags: Tags
    connector: Connector
    settings: Settings
    owner: Owner
    severity: Severity = "low"
    assignees: Assignees = []
    category: Category | None = None
    customFields: CustomFields = Field(default=[], description="Values of the owner's configured custom fields.")


def _unique(values: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _core_create(body: CasePostRequest) -> CaseCreate:
    return CaseCreate.model_validate(
        {
            "title": body.title,
            "description": body.description,
            "tags": _unique(body.tags),
            "severity": body.severity,
            "owner": body.owner,
            "category": body.category,
            "assignees": _unique(a.uid for a in body.assignees),
            "fields": {field.key: field.value for field in body.customFields},
            "vendor_data": {
                VENDOR_KEY: {"connector": body.connector.model_dump(), "settings": body.settings.model_dump()}
            },
        }
    )


def _create(session: Session, actor: Actor, body: CasePostRequest) -> dict[str, Any]:
    return case_answer(session, actor, service.create_case(session, actor, _core_create(body)))


def _get(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    return case_answer(session, actor, service.get_case(session, actor, case_id))


@router.post("/api/cases", summary="Create a case")
async def create_case(body: CasePostRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_create, actor, body))


@router.get("/api/cases/{caseId}", summary="Get case information")
async def get_case(caseId: str, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_get, actor, caseId))
