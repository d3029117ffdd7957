"""/api/v1/cases/{ref}/blocks: the case page (the Tines model) as ordered blocks with their elements.

Writes accept If-Match with the case version and answer with the case's new version as ETag. The rules (order,
nesting, elements, limits) are in casework.blocks.service."""

from typing import Annotated

from fastapi import Path, Response

from casework.blocks import service
from casework.blocks.schemas import BlockList, BlockPage, BlockRead, BlocksCreate, BlockUpdate, block_view
from casework.content.kind import ContentKind, add_list_route
from casework.http import DB, CaseRef, CurrentActor, FileStoreDep, IfMatch, JSONResponse, NativeRouter, etag

router = NativeRouter(prefix="/cases/{ref}/blocks", tags=["blocks"])
CONTENT = ContentKind("blocks", service.list_blocks, block_view)
BlockId = Annotated[str, Path(description="The block's id (a UUID).")]

add_list_route(
    router, "", CONTENT, BlockPage, "The case's blocks in page order, each with its elements and parent_block_id."
)


@router.post("", status_code=201, response_model=BlockList)
async def add_blocks(
    ref: CaseRef, body: BlocksCreate, actor: CurrentActor, db: DB, expected: IfMatch, store: FileStoreDep
) -> Response:
    """Add 1..50 blocks after the existing ones, all or nothing; answers with them in request order.
    A block may nest in a block_group named earlier in the request (`guid` / `parent_block_guid`) or in an
    existing one (`parent_block_id`). At most 200 blocks per case, 100 elements per block. File elements
    become files of the case (413 past the file size limit; 422 naming `files` past 100 files per case)."""
    items, version = await db.write(service.add_blocks, actor, store, ref, body, expected)
    return JSONResponse({"items": [block_view(b) for b in items]}, 201, headers={"ETag": etag(version)})


@router.get("/{block_id}", response_model=BlockRead)
async def get_block(ref: CaseRef, block_id: BlockId, actor: CurrentActor, db: DB) -> Response:
    """One block of the case, with its elements."""
    return JSONResponse(block_view(await db.read(service.get_block, actor, ref, block_id)))


@router.patch("/{block_id}", response_model=BlockRead)
async def update_block(
    ref: CaseRef, block_id: BlockId, body: BlockUpdate, actor: CurrentActor, db: DB, expected: IfMatch
) -> Response:
    """Edit title or hidden; `position` (1..number of blocks) moves the block and shifts those in between."""
    block, version = await db.write(service.update_block, actor, ref, block_id, body, expected)
    return JSONResponse(block_view(block), headers={"ETag": etag(version)})


@router.delete("/{block_id}", status_code=204)
async def delete_block(ref: CaseRef, block_id: BlockId, actor: CurrentActor, db: DB, expected: IfMatch) -> Response:
    """Delete a block and its elements (its files stay files of the case). A block_group that still holds
    blocks: 409."""
    version = await db.write(service.delete_block, actor, ref, block_id, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
