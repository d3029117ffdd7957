"""Helpers of the blocks tests: adding and reading blocks, and a snapshot of everything a refusal must leave."""

import copy
from typing import Any

from sqlalchemy import func, select

from casework.attachments.models import Attachment
from casework.blocks.models import Block, BlockElement
from tests.helpers import activity, read

# The `blocks` of the seed's sample request (Tines "create a case"), verbatim.
SEED_BLOCKS: list[dict[str, Any]] = [
    {
        "title": "Investigation notes",
        "block_type": "note",
        "elements": [
            {
                "content": "Initial triage completed - suspicious IP identified.",
                "note_type": "text",
                "color": "gold",
            }
        ],
    },
    {"title": "Evidence", "block_type": "block_group", "guid": "evidence-group", "elements": []},
    {
        "title": "Log files",
        "block_type": "file",
        "parent_block_guid": "evidence-group",
        "elements": [{"filename": "auth-logs.txt", "file_contents": "SGVsbG8gV29ybGQ="}],
    },
]


def seed_blocks() -> list[dict[str, Any]]:
    return copy.deepcopy(SEED_BLOCKS)


def blocks_url(case: dict[str, Any]) -> str:
    return f"/cases/{case['id']}/blocks"


def note(title: str = "Notes", content: str = "Triage done.", **fields: Any) -> dict[str, Any]:
    return {"title": title, "block_type": "note", "elements": [{"content": content, "note_type": "text"}], **fields}


def notes(count: int, prefix: str = "Block") -> list[dict[str, Any]]:
    return [note(f"{prefix} {i}") for i in range(count)]


async def add_blocks(client: Any, case: dict[str, Any], blocks: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, Any]]:
    response = await client.post(blocks_url(case), json={"blocks": blocks}, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def all_blocks(client: Any, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(blocks_url(case), params={"limit": 500})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()["items"]  # type: ignore[no-any-return]


def stored_rows(tenant: Any) -> dict[str, int]:
    """Rows of the workspace in the blocks, block_elements and attachments tables, counted in the database."""

    def work(session):  # type: ignore[no-untyped-def]
        def count(model: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(model.workspace_id == tenant.workspace_id))

        return {"blocks": count(Block), "elements": count(BlockElement), "attachments": count(Attachment)}

    return tenant.db.run_sync(work, write=False)  # type: ignore[no-any-return]


async def snapshot(client: Any, tenant: Any, case: dict[str, Any]) -> dict[str, Any]:
    """Everything a refused write must leave as it was: the blocks as listed, the stored rows, the case's
    version and its activity."""
    return {
        "blocks": await all_blocks(client, case),
        "rows": stored_rows(tenant),
        "version": (await read(client, case))["version"],
        "activity": [entry["id"] for entry in await activity(client, case)],
    }
