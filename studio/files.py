"""Handing a stored file (an output, an asset) to a member: from local storage, or by a
short-lived signed URL.

Stored files never have a public URL. The views check the team first; this module
only turns a stored file into a response. On S3 the member is redirected to a
presigned URL that expires in minutes; from any other storage (local disk) the
file is streamed with HTTP range support (browsers seek in videos with ``Range``
requests), never by its storage URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.files.storage import FileSystemStorage, Storage
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header

SIGNED_URL_SECONDS = 300
CHUNK = 64 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _is_s3(storage: Storage) -> bool:
    if isinstance(storage, FileSystemStorage):
        return False  # the usual case: do not import boto3 for it
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def _signed_url(storage: Storage, name: str, *, content_type: str, disposition: str) -> str:
    return storage.url(
        name,
        parameters={"ResponseContentType": content_type, "ResponseContentDisposition": disposition},
        expire=SIGNED_URL_SECONDS,
    )


def _read(handle, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(
    request: HttpRequest,
    file: FieldFile,
    *,
    content_type: str,
    filename: str,
    attachment: bool = False,
) -> HttpResponse:
    """The stored ``file`` as a response: inline, or as a download when ``attachment``."""
    disposition = content_disposition_header(attachment, filename)
    if _is_s3(file.storage):
        url = _signed_url(
            file.storage, file.name, content_type=content_type, disposition=disposition
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response

    size = file.storage.size(file.name)
    match = _RANGE.fullmatch((request.headers.get("Range") or "").strip())
    if match and (match[1] or match[2]):
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), size - 1) if match[2] else size - 1
        else:
            start, end = max(size - int(match[2]), 0), size - 1
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(
            _read(file.storage.open(file.name, "rb"), start, end - start + 1),
            status=206,
            content_type=content_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            file.storage.open(file.name, "rb"),
            content_type=content_type,
            as_attachment=attachment,
            filename=filename,
        )
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
