"""The storage account's blobs, kept as files under ``<workdir>/blobs/<container>/``.

A blob's metadata is a ``<name>.metadata.json`` next to it and its uncommitted
blocks a ``<name>.blocks/`` folder. No HTTP here: a missing blob is a
``StorageError`` that ``responses`` turns into the service's XML error.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..app import BLOB_HOST

NOT_FOUND = "The specified blob does not exist."


class StorageError(Exception):
    """What the Blob service refuses: HTTP status, error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class BlobStore:
    """The blobs of the workspace's storage account, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, container: str, name: str) -> Path:
        """The file of blob ``name`` in ``container`` (never outside the store)."""
        path = (self.folder / container / name).resolve()
        if self.folder.resolve() not in path.parents:
            raise ValueError(name)
        return path

    @staticmethod
    def url(container: str, name: str) -> str:
        """A SAS link to the blob, as the services hand them out."""
        return f"https://{BLOB_HOST}/{container}/{name}?sv=2021-08-06&sig=emulador"

    @staticmethod
    def metadata(path: Path) -> dict[str, str]:
        """The blob's ``x-ms-meta-*`` metadata (``{}`` if it has none)."""
        meta = path.with_name(path.name + ".metadata.json")
        return dict(json.loads(meta.read_text())) if meta.is_file() else {}

    @staticmethod
    def _set_metadata(path: Path, metadata: dict[str, str]) -> None:
        path.with_name(path.name + ".metadata.json").write_text(json.dumps(metadata))

    @staticmethod
    def etag(path: Path, size: int) -> str:
        """The blob's ETag: it changes with every write."""
        stat = path.stat()
        return (
            '"0x'
            + hashlib.md5(f"{stat.st_mtime_ns}{size}".encode()).hexdigest()[:16].upper()
            + '"'
        )

    def listing(self, container: str, prefix: str) -> list[tuple[str, Path]]:
        """The blobs of ``container`` under ``prefix``, sorted: ``(name, file)``."""
        root = self.path(container, "")
        found = []
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if not path.is_file() or path.name.endswith(".metadata.json"):
                    continue
                name = path.relative_to(root).as_posix()
                if name.startswith(prefix):
                    found.append((name, path))
        return found

    def files_under(self, container: str, folder: str) -> list[str]:
        """The blobs' paths relative to ``folder`` of ``container``, sorted."""
        root = self.path(container, folder)
        return (
            sorted(
                p.relative_to(root).as_posix()
                for p in root.rglob("*")
                if p.is_file() and not p.name.endswith(".metadata.json")
            )
            if root.is_dir()
            else []
        )

    def set_metadata(self, container: str, name: str, metadata: dict[str, str]) -> Path:
        """``Set Blob Metadata`` of an existing blob."""
        path = self.path(container, name)
        if not path.is_file():
            raise StorageError(404, "BlobNotFound", NOT_FOUND)
        self._set_metadata(path, metadata)
        return path

    def put_block(self, container: str, name: str, block_id: str, data: bytes) -> None:
        """``Put Block``: one uncommitted block of the blob."""
        blocks = self._blocks(self.path(container, name))
        blocks.mkdir(parents=True, exist_ok=True)
        (blocks / block_id.replace("/", "_")).write_bytes(data)

    def commit_blocks(
        self, container: str, name: str, block_ids: list[str], metadata: dict[str, str]
    ) -> Path:
        """``Put Block List``: the blob becomes these blocks, in this order."""
        path = self.path(container, name)
        blocks = self._blocks(path)
        path.write_bytes(
            b"".join((blocks / i.replace("/", "_")).read_bytes() for i in block_ids)
        )
        self._set_metadata(path, metadata)
        return path

    def put(
        self, container: str, name: str, data: bytes, metadata: dict[str, str]
    ) -> Path:
        """``Put Blob``: the whole blob at once."""
        path = self.path(container, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self._set_metadata(path, metadata)
        return path

    def existing(self, container: str, name: str) -> Path:
        """The file of an existing blob (``StorageError`` 404 if there is none)."""
        path = self.path(container, name)
        if not path.is_file():
            raise StorageError(404, "BlobNotFound", NOT_FOUND)
        return path

    @staticmethod
    def _blocks(path: Path) -> Path:
        return path.with_name(path.name + ".blocks")
