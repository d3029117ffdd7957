"""/api/v1/cases/{ref}/closure: whether the case may close now, and each closure condition's result."""

from typing import Literal

from fastapi import Response
from pydantic import BaseModel, Field

from casework.http import DB, CaseRef, CurrentActor, JSONResponse, Language, NativeRouter
from casework.i18n import translate
from casework.workflow.conditions import service

router = NativeRouter(prefix="/cases/{ref}/closure", tags=["closure conditions"])


class ConditionResultRead(BaseModel):
    name: str = Field(description="The condition's name; for an empty required field, `required field: KEY`.")
    formula: str | None = Field(description="The formula as written; null for a required-to-close field.")
    source: Literal["case", "project", "required_field"] = Field(
        description="Where it comes from: the case's own conditions, its project's, or an empty required_to_close "
        "field."
    )
    passed: bool = Field(description="Whether it holds now; a formula that fails at run time does not.")
    error: str | None = Field(
        description="Why the formula failed at run time, in the caller's language; null otherwise."
    )


class ClosureRead(BaseModel):
    closable: bool = Field(
        description="True when every condition passes and no override is pending: the case may close now."
    )
    pending_override: bool = Field(
        description="An override request is pending: the case cannot close until it is decided."
    )
    conditions: list[ConditionResultRead] = Field(
        description="The case's own conditions, then its project's, then one per empty required_to_close field."
    )


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
