"""Where the bytes of case files live: a directory under the data dir, or an S3-compatible bucket.

A store knows objects by key (`<workspace>/<case>/<file id>`, made by the service), and is used from plain
threads: every method is blocking I/O. The store also carries the largest file it takes (max_file_bytes), so that
every caller that hands it bytes checks the same limit.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from casework.settings import Settings

CHUNK_BYTES = 256 * 1024
DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024


class ObjectMissing(Exception):
    """The store has no object under the key."""


class FileStore(Protocol):
    max_file_bytes: int

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store the bytes under the key, whole or not at all."""

    def open(self, key: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The object's bytes in chunks; raises ObjectMissing at once (before any chunk) if there is none."""

    def delete(self, key: str) -> None:
        """Remove the object; a missing object is no error."""

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under the prefix (for operators and tests; never on a request path)."""


def _check_key(key: str) -> list[str]:
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") or "\\" in part or "\x00" in part for part in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return parts


class LocalFileStore:
    """Objects as files under a root directory; each is written to a temporary name and renamed into place."""

    def __init__(self, root: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_check_key(key))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        try:
            with open(partial, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, key: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        try:
            handle = open(self._path(key), "rb")  # noqa: SIM115 - closed by the generator below
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        return _read_chunks(handle, chunk_bytes)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> list[str]:
        if not self.root.exists():
            return []
        found: list[str] = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)


def _read_chunks(handle: Any, chunk_bytes: int) -> Iterator[bytes]:
    try:
        while chunk := handle.read(chunk_bytes):
            yield chunk
    finally:
        handle.close()


class S3FileStore:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, ...), under an optional key prefix."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        import boto3  # imported only when S3 is configured: it is slow to import
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.max_file_bytes = max_file_bytes
        # Servers other than AWS (MinIO, Ceph, moto) commonly want path-style addressing.
        config = Config(s3={"addressing_style": "path"} if endpoint_url else {}, retries={"mode": "standard"})
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )

    def _key(self, key: str) -> str:
        _check_key(key)
        return self.prefix + key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def open(self, key: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            raise ObjectMissing(key) from None
        return _read_chunks(response["Body"], chunk_bytes)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> list[str]:
        found: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            found.extend(item["Key"][len(self.prefix) :] for item in page.get("Contents", []))
        return sorted(found)


def build_store(settings: "Settings") -> FileStore:
    """S3 when CASEWORK_S3_BUCKET is set, else the directory `<CASEWORK_DATA_DIR>/files`."""
    if settings.s3_bucket:
        return S3FileStore(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if (secret := settings.s3_secret_access_key) else None,
            max_file_bytes=settings.max_file_bytes,
        )
    return LocalFileStore(settings.data_dir / "files", settings.max_file_bytes)
