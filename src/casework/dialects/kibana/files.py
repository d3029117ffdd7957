"""Kibana's file upload, POST /api/cases/{caseId}/files: a multipart `file` (and an optional `filename`) stored as a
file of the case by casework's attachments service, answered with the case and its files as Kibana's file
attachments (`externalReference` attachments of type `.files`).

As Kibana does, the file's name is the `filename` part or else the uploaded name without its extension, and its
mime type comes from the uploaded name's extension and must be one Kibana allows."""

import mimetypes
import posixpath
from typing import Any

from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from casework.attachments import service as attachments
from casework.attachments.records import FileRecord
from casework.auth.service import Actor, user_records
from casework.cases import service as cases
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana.cases import case_answer
from casework.dialects.kibana.errors import KibanaError, bad_request
from casework.dialects.kibana.routing import kibana_router
from casework.dialects.kibana.schemas import CaseRead
from casework.dialects.kibana.wire import encode_version, timestamp, user_body
from casework.errors import LimitExceeded
from casework.http import DB, FileStoreDep, JSONResponse

router = kibana_router()

# For the app's body size limit: an upload's body may be as large as a file (CASEWORK_MAX_FILE_BYTES).
UPLOAD_PATHS = (r"(/s/[^/]+)?/api/cases/[^/]+/files/?$",)
MAX_FILENAME = 160
MAX_FILES_PER_CASE = 100
# The mime types Kibana accepts for case files (its images, text, archives and PDF).
IMAGE_TYPES = frozenset(
    f"image/{name}"
    for name in (
        "aces apng avci avcs avif bmp cgm dicom-rle dpx emf example fits g3fax heic heic-sequence heif heif-sequence "
        "hej2k hsj2 jls jp2 jpeg jph jphc jpm jpx jxr jxrA jxrS jxs jxsc jxsi jxss ktx ktx2 naplps png prs.btif "
        "prs.pti pwg-raster svg+xml t38 tiff tiff-fx vnd.adobe.photoshop vnd.airzip.accelerator.azv vnd.cns.inf2 "
        "vnd.dece.graphic vnd.djvu vnd.dwg vnd.dxf vnd.dvb.subtitle vnd.fastbidsheet vnd.fpx vnd.fst "
        "vnd.fujixerox.edmics-mmr vnd.fujixerox.edmics-rlc vnd.globalgraphics.pgb vnd.microsoft.icon vnd.mix "
        "vnd.ms-modi vnd.mozilla.apng vnd.net-fpx vnd.pco.b16 vnd.radiance vnd.sealed.png "
        "vnd.sealedmedia.softseal.gif vnd.sealedmedia.softseal.jpg vnd.svf vnd.tencent.tap vnd.valve.source.texture "
        "vnd.wap.wbmp vnd.xiff vnd.zbrush.pcx webp wmf"
    ).split()
)
ALLOWED_MIME_TYPES = IMAGE_TYPES | {
    "text/plain",
    "text/csv",
    "text/json",
    "application/json",
    "application/zip",
    "application/gzip",
    "application/x-bzip",
    "application/x-bzip2",
    "application/x-7z-compressed",
    "application/x-tar",
    "application/x-zip-compressed",
    "application/pdf",
}
# Python's own table, without the host's mime.types: the same answer on every machine.
_TABLE = mimetypes.MimeTypes()
# Archives Kibana's table knows and Python's does not (or takes for encodings).
_ARCHIVES = {
    ".gz": "application/gzip",
    ".bz": "application/x-bzip",
    ".bz2": "application/x-bzip2",
    ".7z": "application/x-7z-compressed",
}


def mime_type(filename: str) -> str | None:
    """The mime type of a file name's extension (None without one, or for one no table knows)."""
    extension = posixpath.splitext(filename)[1].lower()
    if not extension:
        return None
    return _ARCHIVES.get(extension) or _TABLE.guess_type(f"file{extension}", strict=False)[0]


def split_name(filename: str) -> tuple[str, str]:
    """A stored file name as Kibana's metadata shows it: its name and its extension."""
    stem, extension = posixpath.splitext(filename)
    return (stem, extension[1:]) if stem else (filename, "")


def file_attachment(record: FileRecord, owner: str, people: dict[Any, Any]) -> dict[str, Any]:
    """A file of the case as Kibana shows a file attachment among the case's comments."""
    name, extension = split_name(record.filename)
    return {
        "id": str(record.id),
        "version": encode_version(1),
        "type": "externalReference",
        "owner": owner,
        "externalReferenceId": str(record.id),
        "externalReferenceStorage": {"type": "savedObject", "soType": "file"},
        "externalReferenceAttachmentTypeId": ".files",
        "externalReferenceMetadata": {
            "files": [
                {
                    "name": name,
                    "extension": extension or "txt",
                    "mimeType": mime_type(record.filename) or "text/plain",
                    "created": timestamp(record.created_at),
                }
            ]
        },
        "created_at": timestamp(record.created_at),
        "created_by": user_body(people.get(record.uploaded_by), record.uploaded_by),
        "pushed_at": None,
        "pushed_by": None,
        "updated_at": None,
        "updated_by": None,
    }


def _checked_name(given: str | None, uploaded: str) -> str:
    """The stored name (the given name, with the uploaded extension), after Kibana's checks of name and type."""
    kind = mime_type(uploaded)
    stem = posixpath.splitext(posixpath.basename(uploaded))[0]
    name = given if given is not None else stem
    errors = []
    if kind is None:
        errors.append('Invalid value "undefined" supplied to "mimeType"')
    elif kind not in ALLOWED_MIME_TYPES:
        errors.append(f"The mime type field value {kind} is not allowed.")
    if not name.strip():
        errors.append("The filename field cannot be an empty string.")
    elif len(name) > MAX_FILENAME:
        errors.append(f"The length of the filename is too long. The maximum length is {MAX_FILENAME}.")
    if errors:
        raise bad_request(",".join(errors))
    return name + posixpath.splitext(uploaded)[1].lower()


async def _upload(request: Request, max_bytes: int) -> tuple[str, bytes]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise KibanaError(415, "Unsupported Media Type")
    async with request.form(max_files=1, max_fields=16) as form:
        part, given = form.get("file"), form.get("filename")
        if not isinstance(part, UploadFile):
            raise bad_request('Invalid value "undefined" supplied to "file"')
        if given is not None and not isinstance(given, str):
            raise bad_request(f'Invalid value "{given}" supplied to "filename"')
        name = _checked_name(given, part.filename or "")
        data = await part.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise attachments.too_large(max_bytes)
    return name, data


def _answer(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    record = cases.get_case(session, actor, case_id)
    files, _cursor = attachments.list_files(session, actor, case_id, None, MAX_FILES_PER_CASE)
    people = user_records(session, actor, {f.uploaded_by for f in files})
    shown = [file_attachment(f, record.owner, people) for f in files]
    return case_answer(session, actor, record, shown, total_comment=len(shown))


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "The file."},
                    "filename": {
                        "type": "string",
                        "maxLength": MAX_FILENAME,
                        "description": "Its name; by default the uploaded name without its extension.",
                    },
                },
            }
        }
    },
}


@router.post(
    "/api/cases/{caseId}/files",
    summary="Attach a file to a case",
    response_model=CaseRead,
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def attach_file(caseId: str, request: Request, actor: DialectActor, db: DB, store: FileStoreDep) -> Response:
    # The case first: an unknown one is a 404 whatever the upload holds.
    await db.read(cases.get_case, actor, caseId)
    name, data = await _upload(request, store.max_file_bytes)
    try:
        await attachments.upload_file(db, store, actor, caseId, name, data)
    except LimitExceeded:
        raise bad_request(
            f"Case has reached the maximum allowed number ({MAX_FILES_PER_CASE}) of attached files."
        ) from None
    return JSONResponse(await db.read(_answer, actor, caseId))
