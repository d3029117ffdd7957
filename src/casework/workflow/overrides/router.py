"""/api/v1/cases/{ref}/actions and /overrides: the review flow (comment, override request, accept, refuse, cancel,
close) and the case's action log. Actions accept If-Match with the case version and answer with the new one as ETag."""

from typing import Annotated, Any

from fastapi import Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from casework.http import DB, CaseRef, CurrentActor, Cursor, IfMatch, JSONResponse, Language, Limit, NativeRouter, etag
from casework.workflow.overrides import service
from casework.workflow.overrides.schemas import (
    ACTION_BODY,
    ACTION_MODELS,
    INCLUDES,
    ActionPage,
    ActionRead,
    OverridePage,
    OverrideRead,
    action_view,
    override_view,
    parse_include,
    untagged_errors,
)

router = NativeRouter(prefix="/cases/{ref}", tags=["overrides"])
OverrideId = Annotated[str, Path(description="The override request's id (a UUID).")]

Include = Annotated[
    str | None,
    Query(description=f"Comma-separated related objects to add under `included`: {', '.join(INCLUDES)}."),
]

# Documented here, validated in the endpoint: so that an error names `reviewers`, not the union's `override.reviewers`.
_ACTION_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"oneOf": [model.model_json_schema() for model in ACTION_MODELS]}}},
}


def _parse_action(raw: bytes) -> Any:
    try:
        return ACTION_BODY.validate_json(raw)
    except ValidationError as exc:
        located = [{**error, "loc": ("body", *error["loc"])} for error in untagged_errors(exc.errors())]
        raise RequestValidationError(located) from None


def _answer(view: dict[str, Any], included: dict[str, Any] | None) -> dict[str, Any]:
    return view if included is None else {**view, "included": included}


@router.post(
    "/actions",
    status_code=201,
    response_model=ActionRead,
    response_description="The action log's new row; ETag: the case's new version.",
    openapi_extra={"requestBody": _ACTION_BODY},
)
async def perform_action(
    request: Request,
    ref: CaseRef,
    actor: CurrentActor,
    db: DB,
    expected: IfMatch,
    language: Language,
    include: Include = None,
) -> Response:
    """One action on the case, by `type`: `comment` (a case comment), `override` (ask reviewers to set the case's
    outcome; one pending per case), `accept` / `refuse` (an assigned reviewer, never the requester), `cancel` (the
    requester), `close`. Each appends a row to the action log and an entry to the activity log."""
    includes = parse_include(include)
    data = _parse_action(await request.body())
    result = await db.write(service.perform_action, actor, ref, data, expected, includes, language)
    body = _answer(action_view(result.action, language), result.included)
    return JSONResponse(body, 201, headers={"ETag": etag(result.case_version)})


@router.get("/actions", response_model=ActionPage)
async def list_actions(
    ref: CaseRef,
    actor: CurrentActor,
    db: DB,
    language: Language,
    limit: Limit = 50,
    cursor: Cursor = None,
    include: Include = None,
) -> Response:
    """The case's action log, oldest first."""
    page = await db.read(service.list_actions, actor, ref, cursor, limit, parse_include(include), language)
    body = {"items": [action_view(a, language) for a in page.actions], "next_cursor": page.next_cursor}
    return JSONResponse(_answer(body, page.included))


@router.get("/overrides", response_model=OverridePage)
async def list_overrides(
    ref: CaseRef, actor: CurrentActor, db: DB, language: Language, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """The case's override requests, oldest first."""
    rows, next_cursor = await db.read(service.list_overrides, actor, ref, cursor, limit)
    return JSONResponse({"items": [override_view(o, language) for o in rows], "next_cursor": next_cursor})


@router.get("/overrides/{override_id}", response_model=OverrideRead)
async def get_override(
    ref: CaseRef, override_id: OverrideId, actor: CurrentActor, db: DB, language: Language
) -> Response:
    """One override request of the case: its outcome asked for, its reviewers and its state."""
    return JSONResponse(override_view(await db.read(service.get_override, actor, ref, override_id), language))
