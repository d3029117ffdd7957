"""/api/v1/cases/{ref}/links: links between cases of one workspace, visible from both sides. Writes accept
If-Match with the version of the case in the path and answer with its new version as ETag."""

from typing import Annotated

from fastapi import Path, Response

from casework.content.kind import ContentKind, add_list_route
from casework.http import DB, CaseRef, CurrentActor, IfMatch, JSONResponse, NativeRouter, etag
from casework.links import service
from casework.links.schemas import LinkCreate, LinkPage, LinkRead, link_view

router = NativeRouter(prefix="/cases/{ref}/links", tags=["links"])
CONTENT = ContentKind("links", service.list_links, link_view)
LinkedCaseRef = Annotated[str, Path(description="The case at the other end of the link: its id or its key.")]

add_list_route(
    router, "", CONTENT, LinkPage, "The case's links, oldest first, each with the relation as seen from this case."
)


@router.post("", status_code=201, response_model=LinkRead)
async def link_cases(ref: CaseRef, body: LinkCreate, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Link this case to another of the workspace. One link per pair of cases (409 for a second, whatever its
    relation); no self-links (422); an archived case cannot be linked (409)."""
    link, version = await db.write(service.link_cases, actor, ref, body.case, body.relation, expected)
    return JSONResponse(link_view(link), 201, headers={"ETag": etag(version)})


@router.delete("/{linked_case_ref}", status_code=204)
async def unlink_cases(
    ref: CaseRef, linked_case_ref: LinkedCaseRef, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Remove the link from both sides."""
    version = await db.write(service.unlink_cases, actor, ref, linked_case_ref, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
