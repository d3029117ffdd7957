"""Helpers of the file tests: uploads in both encodings, raw multipart bodies, and what the store really holds."""

import base64
import hashlib
import os
import uuid
from typing import Any

import boto3
import httpx
from fastapi import FastAPI

from casework.settings import Settings

BUCKET = "casework-test-files"
PREFIX = "cw"
REGION = "us-east-1"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def upload(
    client: httpx.AsyncClient,
    case: dict[str, Any],
    data: bytes = b"hello\n",
    filename: str = "notes.txt",
    *,
    encoding: str = "multipart",
    headers: dict[str, str] | None = None,
    client_type: str = "application/octet-stream",
) -> httpx.Response:
    """POST the file, multipart (`file` part, with a client-claimed type) or base64 in JSON."""
    url = f"/cases/{case['id']}/files"
    if encoding == "multipart":
        return await client.post(url, files={"file": (filename, data, client_type)}, headers=headers or {})
    body = {"filename": filename, "content_base64": base64.b64encode(data).decode()}
    return await client.post(url, json=body, headers=headers or {})


async def uploaded(client: httpx.AsyncClient, case: dict[str, Any], data: bytes = b"hello\n", filename: str = "notes.txt", **kwargs: Any) -> dict[str, Any]:
    response = await upload(client, case, data, filename, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def raw_multipart(filename: bytes, data: bytes, part: bytes = b"file") -> tuple[bytes, dict[str, str]]:
    """A multipart body written byte by byte, so that the filename reaches the server exactly as given."""
    boundary = f"casework{uuid.uuid4().hex}".encode()
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="' + part + b'"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
        b"--" + boundary + b"--\r\n"
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}


async def all_files(client: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"/cases/{case['id']}/files", params={"limit": 500})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()["items"]  # type: ignore[no-any-return]


def stored_objects(app: FastAPI, workspace_id: uuid.UUID) -> list[str]:
    """What the store holds for a workspace, listed straight from the directory or the bucket (not via our store)."""
    settings: Settings = app.state.settings
    if settings.s3_bucket:
        client = s3_client(settings.s3_endpoint_url or "")
        found: list[str] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{PREFIX}/{workspace_id}/"):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(found)
    root = settings.data_dir / "files" / str(workspace_id)
    return sorted(os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files)


def stored_bytes(app: FastAPI, workspace_id: uuid.UUID, case_id: str, file_id: str) -> bytes | None:
    """The object of one file, read straight from the directory or the bucket; None if there is none."""
    settings: Settings = app.state.settings
    key = f"{workspace_id}/{case_id}/{file_id}"
    if settings.s3_bucket:
        client = s3_client(settings.s3_endpoint_url or "")
        try:
            return client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")["Body"].read()  # type: ignore[no-any-return]
        except client.exceptions.NoSuchKey:
            return None
    path = settings.data_dir / "files" / key
    return path.read_bytes() if path.exists() else None
