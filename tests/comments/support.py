"""Helpers the comment tests share: writing and reading comments, and stored files made directly in the database."""

import uuid
from typing import Any

import httpx
from sqlalchemy import insert, select

from casework.attachments.models import Attachment
from casework.db.base import new_id, utcnow
from casework.db.database import Database


async def comment(client: httpx.AsyncClient, case: dict[str, Any], body: str = "Looks phishy.", **kwargs: Any) -> dict:
    fields = {"body": body} | kwargs.pop("fields", {})
    response = await client.post(f"/cases/{case['id']}/comments", json=fields, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def comments(client: httpx.AsyncClient, case: dict[str, Any], **params: Any) -> list[dict]:
    """Every comment of the case, oldest first."""
    response = await client.get(f"/cases/{case['id']}/comments", params={"limit": 500} | params)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()["items"]  # type: ignore[no-any-return]


def add_files(db: Database, workspace_id: uuid.UUID, case_id: str, uploaded_by: uuid.UUID, n: int = 1) -> list[str]:
    """Stored file rows of the case (the bytes are not needed for the rules under test), ids ascending."""
    ids = sorted(new_id() for _ in range(n))
    rows = [
        {
            "id": file_id,
            "workspace_id": workspace_id,
            "case_id": uuid.UUID(case_id),
            "comment_id": None,
            "filename": f"evidence-{i}.txt",
            "content_type": "text/plain",
            "size": 3,
            "sha256": "0" * 64,
            "storage_key": f"test/{file_id}",
            "uploaded_by": uploaded_by,
            "created_at": utcnow(),
        }
        for i, file_id in enumerate(ids)
    ]
    db.run_sync(lambda session: session.execute(insert(Attachment.__table__), rows))
    return [str(i) for i in ids]


def carrier_of(db: Database, file_id: str) -> str | None:
    """The comment the stored file row says carries it."""
    value = db.run_sync(
        lambda session: session.scalar(select(Attachment.comment_id).where(Attachment.id == uuid.UUID(file_id))),
        write=False,
    )
    return str(value) if value else None
