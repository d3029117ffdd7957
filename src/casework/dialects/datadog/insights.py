"""Insights of a case: `PUT /api/v2/cases/{case_id}/insights` adds 1..100 (idempotent on type and resource_id:
one the case has is left as it is), `DELETE` with the same body removes them (keys the case does not have are
ignored). Both answer the whole case, every insight of it in `attributes.insights` ([{type, ref, resource_id}]).
Errors are JSON:API error objects, as Datadog declares for these two routes."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Body, Response
from pydantic import Field
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.service import get_case
from casework.dialects.datadog.cases import case_answer
from casework.dialects.datadog.inputs import CaseId, CaseRequest, DatadogInput
from casework.dialects.datadog.routing import OBJECTS, datadog_router
from casework.dialects.dialect import DialectActor
from casework.http import DB, JSONResponse
from casework.insights import service
from casework.insights.records import InsightRecord
from casework.insights.schemas import (
    MAX_INSIGHTS_PER_REQUEST,
    InsightCreate,
    InsightKey,
    InsightsAdd,
    InsightsRemove,
    InsightType,
    Ref,
    ResourceId,
)

router = datadog_router(OBJECTS)


class CaseInsight(DatadogInput):
    type: InsightType
    ref: Ref = Field(description='The path of the resource on Datadog\'s site, e.g. "/monitors/12345?q=total".')
    resource_id: ResourceId


class InsightsAttributes(DatadogInput):
    insights: Annotated[
        list[CaseInsight],
        Field(
            min_length=1,
            max_length=MAX_INSIGHTS_PER_REQUEST,
            description="1 to 100 insights, each {type, ref, resource_id}; type one of the client's CaseInsightType.",
        ),
    ]


# The body of both routes: the insights to add, or (by type and resource_id) to remove.
CaseInsightsRequest = CaseRequest[InsightsAttributes]


def case_with_insights(
    session: Session, actor: Actor, case_id: str, insights: Sequence[InsightRecord] | None = None
) -> dict[str, Any]:
    """The case as Datadog's CaseResponse, with every insight it has (`insights` when the caller knows them all)."""
    record = get_case(session, actor, case_id)
    return case_answer(session, actor, record, insights)


# The core's request models, built from items the same field types have validated already (no second pass).


def _add(session: Session, actor: Actor, case_id: str, body: CaseInsightsRequest) -> dict[str, Any]:
    items = [
        InsightCreate.model_construct(type=i.type, ref=i.ref, resource_id=i.resource_id)
        for i in body.data.attributes.insights
    ]
    outcome = service.add_insights(session, actor, case_id, InsightsAdd.model_construct(insights=items))
    # A case whose insights are all new ones: they are the whole list, in the order it is read.
    every = outcome.added if outcome.insight_count == len(outcome.added) else None
    return case_with_insights(session, actor, case_id, every)


def _remove(session: Session, actor: Actor, case_id: str, body: CaseInsightsRequest) -> dict[str, Any]:
    keys = [InsightKey.model_construct(type=i.type, resource_id=i.resource_id) for i in body.data.attributes.insights]
    service.remove_insights(session, actor, case_id, InsightsRemove.model_construct(insights=keys))
    return case_with_insights(session, actor, case_id)


@router.put("/api/v2/cases/{case_id}/insights", summary="Add insights to a case")
async def add_case_insights(case_id: CaseId, body: CaseInsightsRequest, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.write(_add, actor, case_id, body))


@router.delete("/api/v2/cases/{case_id}/insights", summary="Remove insights from a case")
async def remove_case_insights(
    case_id: CaseId, body: Annotated[CaseInsightsRequest, Body()], actor: DialectActor, db: DB
) -> Response:
    return JSONResponse(await db.write(_remove, actor, case_id, body))
