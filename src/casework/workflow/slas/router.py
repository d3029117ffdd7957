"""/api/v1/projects/{ref}/slas: a project's SLA policies, read by anyone in the workspace and replaced as a whole
by admins and managers; the clocks of the project's open cases follow a new set at once."""

from fastapi import Response

from casework.cases import configuration
from casework.http import DB, CurrentActor, JSONResponse, NativeRouter, ProjectRef
from casework.workflow.slas import service
from casework.workflow.slas.schemas import SlaPolicySet, SlaPolicySetRead, policy_set_view

router = NativeRouter(prefix="/projects/{ref}/slas", tags=["workflow"])


@router.get("", response_model=SlaPolicySetRead)
async def get_sla_policies(ref: ProjectRef, actor: CurrentActor, db: DB) -> Response:
    """The response and completion targets per priority (null: cases without one), and the warning share."""
    return JSONResponse(policy_set_view(*await db.read(service.get_policies, actor, ref)))


@router.put("", response_model=SlaPolicySetRead)
async def replace_sla_policies(ref: ProjectRef, body: SlaPolicySet, actor: CurrentActor, db: DB) -> Response:
    """Replace the whole set. A type and priority appears once (422 naming the repeated item); targets are 60 s to
    a year. Running clocks of open cases take the new targets from their start; clocks no policy covers any more
    are removed, and clocks a new policy calls for start now."""
    return JSONResponse(policy_set_view(*await db.write(configuration.replace_sla_policies, actor, ref, body)))
