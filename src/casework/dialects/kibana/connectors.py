"""Kibana's connector routes: casework has no Kibana connectors (actions), so the connectors a case can push to are
none, and a push answers as Kibana does for a connector it does not know, once the case is found."""

from typing import Annotated, Any

from fastapi import Body, Response

from casework.cases import service as cases
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana.errors import KibanaError
from casework.dialects.kibana.routing import kibana_router
from casework.dialects.kibana.schemas import CaseRead
from casework.http import DB, JSONResponse

router = kibana_router()


@router.get("/api/cases/configure/connectors/_find", summary="Get case connectors", response_model=list[dict[str, Any]])
async def find_connectors(actor: DialectActor) -> Response:
    # Authenticated like every route, though there is nothing to show.
    return JSONResponse([])


@router.post(
    "/api/cases/{caseId}/connector/{connectorId}/_push",
    summary="Push a case to an external service",
    response_model=CaseRead,
    response_description="Never sent here: every connector is unknown (404).",
)
async def push_case(
    caseId: str,
    connectorId: str,
    actor: DialectActor,
    db: DB,
    body: Annotated[dict[str, Any] | None, Body(description="Ignored; Kibana takes a nullable object.")] = None,
) -> Response:
    await db.read(cases.get_case, actor, caseId)
    raise KibanaError(404, f"Saved object [action/{connectorId}] not found")
