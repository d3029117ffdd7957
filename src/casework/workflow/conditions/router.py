"""/api/v1/cases/{ref}/closure: whether the case may close now, and each closure condition's result."""

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from casework.http import DB, CaseRef, CurrentActor, JSONResponse, Language
from casework.i18n import translate
from casework.workflow.conditions import service

router = APIRouter(prefix="/cases/{ref}/closure", tags=["closure conditions"])


class ConditionResultRead(BaseModel):
    name: str
    formula: str | None
    source: Literal["case", "project", "required_field"]
    passed: bool
    error: str | None


class ClosureRead(BaseModel):
    closable: bool
    pending_override: bool
    conditions: list[ConditionResultRead]


@router.get("", response_model=ClosureRead)
async def get_closure(ref: CaseRef, actor: CurrentActor, db: DB, language: Language) -> Response:
    """The case's own conditions, then its project's, then one per empty required-to-close field; `closable` is
    true when all of them pass and no override request is pending. A formula that fails at run time does not pass
    and carries its `error`."""
    report = await db.read(service.closure_report, actor, ref)
    for condition in report["conditions"]:
        if condition["error"] is not None:
            condition["error"] = translate(condition["error"], language)
    return JSONResponse(report, headers={"Content-Language": language})
