"""The Blob service's REST endpoints: List Blobs, Put Blob/Block/Block List,
Set Blob Metadata, Get Blob (with ranges) and Get Blob Properties.

The blobs themselves are in ``models.BlobStore``.
"""

from __future__ import annotations

import email.utils
import re
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from ..app import BLOB_HOST
from .models import BlobStore, StorageError

if TYPE_CHECKING:
    from ..app import AzureEmulator

BLOB_HOSTS = r"[a-z0-9]+\.blob\.core\.windows\.net"


def storage_error(status: int, code: str, message: str) -> Response:
    """An error in the Blob service's format (XML body, ``x-ms-error-code``)."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><Error>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return Response(
        body,
        status=status,
        content_type="application/xml",
        headers={"x-ms-error-code": code},
    )


def error_response(error: StorageError) -> Response:
    """The Blob service's answer to a ``StorageError`` of the store."""
    return storage_error(error.status, error.code, error.message)


def blob_headers(path: Path, size: int) -> dict[str, str]:
    """The blob's properties and metadata, as response headers."""
    stat = path.stat()
    headers = {
        "ETag": BlobStore.etag(path, size),
        "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
        "x-ms-blob-type": "BlockBlob",
        "x-ms-request-id": "00000000-0000-0000-0000-000000000000",
        "x-ms-version": "2023-11-03",
        "x-ms-creation-time": email.utils.formatdate(stat.st_ctime, usegmt=True),
        "x-ms-lease-state": "available",
        "x-ms-lease-status": "unlocked",
        "x-ms-server-encrypted": "true",
        "Accept-Ranges": "bytes",
    }
    for key, value in BlobStore.metadata(path).items():
        headers[f"x-ms-meta-{key}"] = value
    return headers


def blob_listing(store: BlobStore, container: str, prefix: str) -> str:
    """``List Blobs`` XML for the blobs of ``container`` under ``prefix``."""
    items = []
    for name, path in store.listing(container, prefix):
        metadata = BlobStore.metadata(path)
        meta_xml = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in metadata.items())
        items.append(
            f"<Blob><Name>{escape(name)}</Name><Properties>"
            f"<Last-Modified>{email.utils.formatdate(path.stat().st_mtime, usegmt=True)}</Last-Modified>"
            f"<Etag>0x8D0000000000000</Etag>"
            f"<Content-Length>{path.stat().st_size}</Content-Length>"
            "<Content-Type>application/octet-stream</Content-Type>"
            "<BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus>"
            "<LeaseState>available</LeaseState></Properties>"
            f"<Metadata>{meta_xml}</Metadata></Blob>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<EnumerationResults ServiceEndpoint="https://{BLOB_HOST}/" ContainerName="{container}">'
        f"<Prefix>{escape(prefix)}</Prefix><Blobs>{''.join(items)}</Blobs><NextMarker /></EnumerationResults>"
    )


def add_routes(emulator: AzureEmulator) -> None:
    """The Blob service's endpoints on ``emulator``."""
    store = emulator.blobs

    @emulator.route("GET", BLOB_HOSTS, r"/(?P<container>[^/]+)")
    def list_blobs(request: Request, container: str) -> Response:
        if request.args.get("comp") != "list":
            return storage_error(400, "InvalidQueryParameterValue", "Solo comp=list.")
        body = blob_listing(store, container, request.args.get("prefix", ""))
        return Response(body, content_type="application/xml")

    @emulator.route("PUT", BLOB_HOSTS, r"/(?P<container>[^/]+)/(?P<name>.+)")
    def put_blob(request: Request, container: str, name: str) -> Response:
        store.path(container, name)  # a name outside the store is refused first
        comp = request.args.get("comp")
        metadata = {
            key[len("x-ms-meta-") :]: value
            for key, value in request.headers.items()
            if key.lower().startswith("x-ms-meta-")
        }
        if comp == "metadata":
            try:
                path = store.set_metadata(container, name, metadata)
            except StorageError as error:
                return error_response(error)
            return Response(
                "", status=200, headers=blob_headers(path, path.stat().st_size)
            )
        if comp == "block":
            store.put_block(
                container, name, request.args["blockid"], request.get_data()
            )
            return Response("", status=201)
        if comp == "blocklist":
            ids = re.findall(
                r"<(?:Latest|Uncommitted|Committed)>([^<]+)<",
                request.get_data(as_text=True),
            )
            path = store.commit_blocks(container, name, ids, metadata)
            return Response(
                "", status=201, headers=blob_headers(path, path.stat().st_size)
            )
        if request.headers.get("x-ms-blob-type") != "BlockBlob":
            return storage_error(400, "MissingRequiredHeader", "x-ms-blob-type")
        path = store.put(container, name, request.get_data(), metadata)
        return Response("", status=201, headers=blob_headers(path, path.stat().st_size))

    def read_blob(request: Request, container: str, name: str, head: bool) -> Response:
        try:
            path = store.existing(container, name)
        except StorageError as error:
            return error_response(error)
        data = path.read_bytes()
        headers = blob_headers(path, len(data))
        status = 200
        wanted = request.headers.get("x-ms-range") or request.headers.get("Range")
        if wanted and not head:
            start_text, _, end_text = wanted.split("=", 1)[1].partition("-")
            start = int(start_text)
            if data and start >= len(data):
                return storage_error(
                    416, "InvalidRange", "The range specified is invalid."
                )
            end = min(int(end_text) if end_text else len(data) - 1, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            data = data[start : end + 1]
            status = 206
        return Response(
            b"" if head else data,
            status=status,
            headers={
                **headers,
                "Content-Length": str(path.stat().st_size if head else len(data)),
            },
            content_type="application/octet-stream",
        )

    @emulator.route("GET", BLOB_HOSTS, r"/(?P<container>[^/]+)/(?P<name>.+)")
    def get_blob(request: Request, container: str, name: str) -> Response:
        return read_blob(request, container, name, head=False)

    @emulator.route("HEAD", BLOB_HOSTS, r"/(?P<container>[^/]+)/(?P<name>.+)")
    def head_blob(request: Request, container: str, name: str) -> Response:
        return read_blob(request, container, name, head=True)
