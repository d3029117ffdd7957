import math
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Path, Request, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from casework import problems
from casework.attachments import service
from casework.attachments.records import FileRecord
from casework.attachments.schemas import FilePage, FileRead, FileUpload, file_view
from casework.content.kind import ContentKind, add_list_route
from casework.errors import InvalidInput
from casework.http import DB, CaseRef, CurrentActor, FileStoreDep, IfMatch, JSONResponse, NativeRouter, etag, url_for
from casework.i18n import _

router = NativeRouter(prefix="/cases/{ref}/files", tags=["files"])
FileId = Annotated[str, Path(description="The file's id (a UUID), as its upload answered.")]

# The upload route, for the body-size limit: its bodies may be as large as a file in base64, plus the envelope.
UPLOAD_PATH = re.compile(r"/api/v1/cases/[^/]+/files/?$")
UPLOAD_ENVELOPE_BYTES = 64 * 1024


def upload_body_limit(max_file_bytes: int) -> int:
    """The largest upload body: the file in base64 (4/3), a line break per 76 characters, and the envelope."""
    encoded = 4 * math.ceil(max_file_bytes / 3)
    return encoded + encoded // 38 + UPLOAD_ENVELOPE_BYTES


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "The file; its name is kept."}
                },
            }
        },
        "application/json": {"schema": FileUpload.model_json_schema()},
    },
}


async def _read_upload(request: Request, max_bytes: int) -> tuple[str | None, bytes]:
    """The name and bytes of the upload, multipart (`file` part) or base64 in JSON, by the Content-Type."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=16) as form:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise InvalidInput.field("file", _("a multipart part named 'file' holding the file is required"))
            data = await part.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise service.too_large(max_bytes)
            return part.filename, data
    if content_type == "application/json" or content_type.endswith("+json"):
        upload = FileUpload.parse(await request.body())
        return upload.filename, service.decode_base64(upload.content_base64, max_bytes)
    raise HTTPException(
        415, _("send the file as multipart/form-data (part 'file') or as JSON with filename and content_base64")
    )


@router.post(
    "",
    status_code=201,
    response_model=FileRead,
    response_description="The file; ETag: the case's new version.",
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses=problems.refusals(415),
)
async def upload_file(
    request: Request, ref: CaseRef, actor: CurrentActor, db: DB, expected: IfMatch, store: FileStoreDep
) -> Response:
    """Upload a file: multipart/form-data with a `file` part, or JSON `{"filename", "content_base64"}`. At most
    CASEWORK_MAX_FILE_BYTES (413 beyond) and 100 files per case. The content type is detected from the bytes."""
    filename, data = await _read_upload(request, store.max_file_bytes)
    added = await service.upload_file(db, store, actor, ref, filename, data, expected)
    location = url_for(request, "get_file", ref=ref, file_id=str(added.file.id))
    return JSONResponse(file_view(added.file), 201, headers={"Location": location, "ETag": etag(added.case_version)})


CONTENT = ContentKind("files", service.list_files, file_view)
add_list_route(router, "", CONTENT, FilePage, "The case's files, oldest first.")


@router.get("/{file_id}", response_model=FileRead)
async def get_file(ref: CaseRef, file_id: FileId, actor: CurrentActor, db: DB) -> Response:
    """The file's name, size, detected content type, SHA-256 and uploader; its bytes are at `/content`."""
    return JSONResponse(file_view(await db.read(service.get_file, actor, ref, file_id)))


def content_disposition(filename: str) -> str:
    """`attachment` with the exact name as RFC 5987 `filename*` and an ASCII stand-in for old clients."""
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _content_headers(file: FileRecord) -> dict[str, Any]:
    return {
        "Content-Disposition": content_disposition(file.filename),
        "Content-Length": str(file.size),
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{file.sha256}"',
        "Cache-Control": "private, no-cache",
    }


@router.get(
    "/{file_id}/content",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file's bytes, as an attachment, typed as detected at upload.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def download_file(ref: CaseRef, file_id: FileId, actor: CurrentActor, db: DB, store: FileStoreDep) -> Response:
    """The bytes, streamed, with the detected content type and `Content-Disposition: attachment`."""
    file, chunks = await service.open_content(db, store, actor, ref, file_id)
    return StreamingResponse(chunks, media_type=file.content_type, headers=_content_headers(file))


@router.delete("/{file_id}", status_code=204, response_description="Deleted; ETag: the case's new version.")
async def delete_file(
    ref: CaseRef, file_id: FileId, actor: CurrentActor, db: DB, expected: IfMatch, store: FileStoreDep
) -> Response:
    """Only the uploader or an admin may delete a file; its stored object goes with it."""
    version = await service.delete_file(db, store, actor, ref, file_id, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
