"""The seam a kind of case content plugs into: its page of a case's items and the JSON of one item, declared once
by its router, serve both its own list route and `?include=` on GET /cases/{ref}."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.http import DB, CaseRef, CurrentActor, Cursor, JSONResponse, Limit

# (session, actor, case ref, cursor, limit) -> (the page's items, the cursor past them or None).
ListPage = Callable[[Session, Actor, str, str | None, int], tuple[Sequence[Any], str | None]]


@dataclass(frozen=True, slots=True)
class ContentKind:
    # The name `?include=` takes, and the key of its first page in the case's JSON.
    name: str
    list_page: ListPage
    # The native JSON of one item.
    view: Callable[[Any], dict[str, Any]]

    def page(self, items: Sequence[Any], next_cursor: str | None) -> dict[str, Any]:
        return {"items": [self.view(item) for item in items], "next_cursor": next_cursor}


def add_list_route(
    router: APIRouter, path: str, kind: ContentKind, response_model: type[BaseModel], description: str
) -> None:
    """GET `path` (under the case): a page of the case's items of this kind, operation `list_<name>`."""

    async def list_items(
        ref: CaseRef,
        actor: CurrentActor,
        db: DB,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Response:
        items, next_cursor = await db.read(kind.list_page, actor, ref, cursor, limit)
        return JSONResponse(kind.page(items, next_cursor))

    name = f"list_{kind.name}"
    router.add_api_route(
        path, list_items, methods=["GET"], response_model=response_model, name=name, description=description
    )
