"""Receiving uploads: refuse what is over Krea's limit before it is read or stored.

:class:`AssetUploadLimitMiddleware` runs before the CSRF check (which reads a POST
body) for views marked with :func:`asset_upload_view`:

- a request whose ``Content-Length`` announces more than one asset may be is
  refused without reading its body: the view sees an empty body and
  :func:`upload_refusals` names the file (from the ``X-File-Name`` header the
  upload widget sends). Such a request changes nothing, so it needs no CSRF token;
- otherwise :class:`AssetSizeLimitHandler` goes first among the upload handlers and
  stops keeping a file the moment it passes the limit (a body sent without a
  length, or several files in one form).

Files under Django's in-memory limit stay in memory; larger ones go to a temporary
file on disk, never into memory whole, and stream to Krea from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse

from krea_integration.client import MAX_ASSET_BYTES

from .services import too_large_message

# Room for the multipart boundaries, part headers and a description beside one file.
MULTIPART_OVERHEAD = 256 * 1024
MAX_REQUEST_BYTES = MAX_ASSET_BYTES + MULTIPART_OVERHEAD
FILE_NAME_HEADER = "X-File-Name"
_MARK = "accepts_asset_upload"


def asset_upload_view(view: Any) -> Any:
    """Mark a view function or an API view class as one that receives asset files."""
    setattr(view, _MARK, True)
    return view


def _is_upload_view(view_func: Callable) -> bool:
    return bool(
        getattr(view_func, _MARK, False)
        or getattr(getattr(view_func, "view_class", None), _MARK, False)
        or getattr(getattr(view_func, "cls", None), _MARK, False)
    )


class AssetSizeLimitHandler(FileUploadHandler):
    """Skips a file once it passes Krea's limit, so no more of it is kept; names it."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.too_large: list[str] = []
        self._received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > MAX_ASSET_BYTES:
            self.too_large.append(self.file_name or "A file")
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers (memory or disk) build the file


class AssetUploadLimitMiddleware:
    """Applies the limit to asset uploads before anything reads their bodies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, args, kwargs) -> None:
        if request.method not in ("POST", "PUT") or not _is_upload_view(view_func):
            return None
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > MAX_REQUEST_BYTES:
            name = unquote(request.headers.get(FILE_NAME_HEADER, "")).strip()[:255]
            request.asset_upload_refused = too_large_message(name or "This upload")
            # Parsers see an empty body and return at once: not a byte is read.
            request.META["CONTENT_LENGTH"] = "0"
            request._dont_enforce_csrf_checks = True
            return None
        handler = AssetSizeLimitHandler(request)
        request.upload_handlers.insert(0, handler)
        request.asset_upload_limit = handler
        return None


def upload_refusals(request: HttpRequest) -> list[str]:
    """Messages for files refused by size while the request was received (before parsing
    only the announced one; call it after reading ``request.FILES`` for the others)."""
    refused = getattr(request, "asset_upload_refused", "")
    if refused:
        return [refused]
    handler = getattr(request, "asset_upload_limit", None)
    return [too_large_message(name) for name in (handler.too_large if handler else [])]


def upload_was_refused(request: HttpRequest) -> bool:
    """True when the body was refused unread (the request must change nothing)."""
    return bool(getattr(request, "asset_upload_refused", ""))
