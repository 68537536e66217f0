"""An httpx client for Krea's REST API (https://api.krea.ai).

One method per Krea operation, typed objects in and out (see
:mod:`krea_integration.types`), typed errors (see :mod:`krea_integration.errors`).

Retries are limited to requests that cannot spend money twice: ``GET`` and
``DELETE`` are retried with exponential backoff and jitter on 5xx answers,
timeouts and connection failures. A POST that starts a job (generation, style
training, node-app execution) or uploads an asset is sent exactly once; when
its outcome is unknown the error says so (``outcome_unknown``) and the caller
reconciles instead of sending it again.

:class:`KreaDownloader` fetches the files of a job's result (``result.urls``):
public URLs, so without the token, from allowed hosts and ports only, with the
same User-Agent, timeouts and retries, and a size limit.

The client knows nothing of the model catalogue: :meth:`KreaClient.generate`
takes a model id (``"image/bfl/flux-1-dev"``) or its path
(``"/generate/image/bfl/flux-1-dev"``) and a body, and Krea validates the body.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import random
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol, Self, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from .errors import (
    AssetTooLarge,
    BadRequest,
    ConcurrencyLimit,
    DownloadRefused,
    Forbidden,
    InsufficientCredits,
    InvalidResponse,
    KreaConnectionError,
    KreaError,
    KreaTimeout,
    NotFound,
    ServerError,
    Unauthorized,
)
from .tls import tls_context
from .types import (
    Asset,
    AssetPage,
    Job,
    JobPage,
    NodeApp,
    ShareLink,
    Style,
    StylePage,
    WorkspaceShare,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_ASSET_BYTES",
    "USER_AGENT",
    "DownloadedFile",
    "KreaClient",
    "KreaDownloader",
    "download_allowed",
]

logger = logging.getLogger(__name__)

VERSION = "0.1.0"
USER_AGENT = f"krea-studio/{VERSION}"
DEFAULT_BASE_URL = "https://api.krea.ai"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_ATTEMPTS = 3
# Backoff before retry n (1-based) is uniform in [0, min(MAX, BASE * 2**(n-1))]
# ("full jitter"), so that many workers retrying after one Krea hiccup spread out.
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0
# Krea's documented upload limit ("Maximum file size: 75MB").
MAX_ASSET_BYTES = 75 * 1024 * 1024
# Krea's list endpoints take 1..1000 items per page.
MAX_PAGE_SIZE = 1000

# Content types for the formats Krea accepts; mimetypes misses some of them on
# some platforms (HEIC, GLB), and Krea decides what a file is by this header.
_ASSET_CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".glb": "model/gltf-binary",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
}

_ERRORS_BY_STATUS: dict[int, type[KreaError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: InsufficientCredits,
    403: Forbidden,
    404: NotFound,
    429: ConcurrencyLimit,
}

# httpx raises these before a single byte of the request left this machine, so
# Krea cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

_Item = TypeVar("_Item", covariant=True)
_Parsed = TypeVar("_Parsed")


class _Page(Protocol[_Item]):
    @property
    def items(self) -> tuple[_Item, ...]: ...

    @property
    def next_cursor(self) -> str | None: ...


class KreaClient:
    """A connection to Krea's API with one team's token.

    Use one instance per token (each team has its own); instances are cheap and
    hold a connection pool, so close them (or use ``with``) when done.

    Args:
        token: The Krea API token. Never logged, never shown in ``repr`` or errors.
        base_url: Krea's address, with or without a trailing slash (the
            simulator's, in tests and the offline demo).
        timeout: Seconds to wait for connecting, each read and each write; or an
            ``httpx.Timeout`` for finer control.
        transport: An httpx transport to use instead of the network (e.g.
            ``httpx.WSGITransport`` over the simulator, ``httpx.MockTransport``).
        max_attempts: Tries for a request that is safe to repeat (GET, DELETE);
            1 disables retries.
        sleep: Called with the backoff in seconds between tries; tests pass a
            recorder so they never sleep.

    Raises:
        ValueError: On an empty token, a base URL that is not http(s), or
            ``max_attempts`` below 1.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if not isinstance(token, str) or not token.strip():
            raise ValueError("A Krea API token is required")
        if any(char.isspace() for char in token):
            # A newline would let a stored token inject headers; a space is a typo.
            raise ValueError("A Krea API token cannot contain whitespace")
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"Krea's base URL must be an http(s) URL, not {base_url!r}")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = str(url).rstrip("/")
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._random = random.Random()
        self._token = token
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            transport=transport,
            headers={
                "Authorization": f"Bearer {token}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
            # A redirect could carry the Authorization header to another host.
            follow_redirects=False,
            verify=tls_context(),
        )

    def __repr__(self) -> str:
        return f"KreaClient(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the connection pool. The client cannot be used afterwards."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- generation -----------------------------------------------------------------

    def generate(
        self, model: str, params: Mapping[str, Any], *, webhook_url: str | None = None
    ) -> Job:
        """Start a generation (image, video or enhancement). Sent once, never retried.

        Args:
            model: A model id such as ``"image/bfl/flux-1-dev"`` or its path
                ``"/generate/image/bfl/flux-1-dev"``.
            params: The request body, as the model's schema describes it.
            webhook_url: Where Krea POSTs the job once it is terminal
                (``X-Webhook-URL``).

        Returns:
            The new job, usually still queued.
        """
        path = generation_path(model)
        response = self._request(
            "POST", path, json=dict(params), headers=_webhook_header(webhook_url)
        )
        return self._parse(response, Job.from_json)

    # -- jobs -----------------------------------------------------------------------

    def get_job(self, job_id: str) -> Job:
        """The current state of a job (the source of truth after a webhook)."""
        return self._parse(self._get(f"/jobs/{_segment(job_id)}"), Job.from_json)

    def list_jobs(
        self,
        *,
        cursor: str | datetime | None = None,
        limit: int | None = None,
        types: str | Iterable[str] | None = None,
        status: str | None = None,
    ) -> JobPage:
        """One page of this token's jobs, newest first.

        Args:
            cursor: Only jobs created before this ISO 8601 time; pass the previous
                page's ``next_cursor``.
            limit: Page size, 1 to 1000 (Krea's default is 100).
            types: Job types to keep, as a list or Krea's comma-separated string
                (``"flux,k1,externalImage"``).
            status: Keep only jobs in this state (a :class:`~.types.JobStatus`).
        """
        params = {
            "cursor": _cursor(cursor),
            "limit": _limit(limit),
            "types": _comma_list(types),
            "status": status,
        }
        response = self._get("/jobs", params=params)
        return replace(self._parse(response, JobPage.from_json), server_time=_server_time(response))

    def iter_jobs(
        self,
        *,
        cursor: str | datetime | None = None,
        limit: int | None = None,
        types: str | Iterable[str] | None = None,
        status: str | None = None,
    ) -> Iterator[Job]:
        """Every job matching the filters, fetching pages of ``limit`` as it goes."""
        return _paginate(
            lambda page_cursor: self.list_jobs(
                cursor=page_cursor, limit=limit, types=types, status=status
            ),
            _cursor(cursor),
        )

    def delete_job(self, job_id: str) -> None:
        """Cancel a job; Krea only allows it while the job is queued or processing."""
        self._request("DELETE", f"/jobs/{_segment(job_id)}")

    # -- assets ---------------------------------------------------------------------

    def upload_asset(
        self,
        file: str | os.PathLike[str] | IO[bytes],
        *,
        filename: str | None = None,
        description: str | None = None,
        content_type: str | None = None,
    ) -> Asset:
        """Upload a file as a Krea asset, streaming it in chunks. Never retried.

        Args:
            file: A path, or a binary file object that can seek (its size must be
                known before sending). The whole file is sent, from its start.
            filename: The name Krea sees; defaults to the file's own name.
            description: Optional description stored with the asset.
            content_type: The file's type, when the caller has read it from the
                content; else the file name's extension decides.

        Raises:
            AssetTooLarge: The file is over 75 MB; nothing was sent.
            ValueError: The file object cannot seek, so its size is unknown.
        """
        if isinstance(file, str | os.PathLike):
            path = Path(file)
            with path.open("rb") as opened:
                return self._upload(opened, filename or path.name, description, content_type)
        name = filename or Path(str(getattr(file, "name", "") or "upload")).name
        return self._upload(file, name, description, content_type)

    def _upload(
        self, file: IO[bytes], filename: str, description: str | None, content_type: str | None
    ) -> Asset:
        size = _file_size(file)
        if size > MAX_ASSET_BYTES:
            raise AssetTooLarge(
                f"{filename} is {size / 1024 / 1024:.1f} MB; Krea accepts assets up to "
                f"{MAX_ASSET_BYTES // 1024 // 1024} MB"
            )
        # httpx streams a file object in 64 KiB reads and sends a Content-Length
        # computed from its size, so the file is never held in memory whole.
        files = {"file": (filename, file, content_type or _content_type(filename))}
        data = {} if description is None else {"description": description}
        response = self._request("POST", "/assets", files=files, data=data)
        return self._parse(response, Asset.from_json)

    def list_assets(
        self, *, cursor: str | datetime | None = None, limit: int | None = None
    ) -> AssetPage:
        """One page of this token's assets; pass ``next_cursor`` back as ``cursor``."""
        params = {"cursor": _cursor(cursor), "limit": _limit(limit)}
        return self._parse(self._get("/assets", params=params), AssetPage.from_json)

    def iter_assets(
        self, *, cursor: str | datetime | None = None, limit: int | None = None
    ) -> Iterator[Asset]:
        """Every asset, fetching pages of ``limit`` as it goes."""
        return _paginate(
            lambda page_cursor: self.list_assets(cursor=page_cursor, limit=limit), _cursor(cursor)
        )

    def get_asset(self, asset_id: str) -> Asset:
        """One asset by id."""
        return self._parse(self._get(f"/assets/{_segment(asset_id)}"), Asset.from_json)

    def delete_asset(self, asset_id: str) -> None:
        """Delete an asset."""
        body = self._json(self._request("DELETE", f"/assets/{_segment(asset_id)}"))
        _check_success(body, "delete the asset")

    # -- styles ---------------------------------------------------------------------

    def train_style(self, body: Mapping[str, Any], *, webhook_url: str | None = None) -> Job:
        """Start training a style (LoRA). Sent once, never retried.

        Args:
            body: Krea's training body: ``name``, ``urls`` and optionally ``model``
                (``flux_dev``, ``flux_schnell``, ``wan``, ``wan22`` with ``type``,
                ``learning_rate``, ``batch_size``; or ``qwen``/``z-image``),
                ``trigger_word``, ``max_train_steps``.
            webhook_url: Where Krea POSTs the job once it is terminal.

        Returns:
            The training job; once completed its ``result.style_id`` names the style.
        """
        response = self._request(
            "POST", "/styles/train", json=dict(body), headers=_webhook_header(webhook_url)
        )
        return self._parse(response, Job.from_json)

    def list_styles(
        self,
        *,
        filter: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
        ids: str | Iterable[str] | None = None,
        liked: bool | None = None,
        user: str | None = None,
        model: str | None = None,
    ) -> StylePage:
        """One page of styles.

        Args:
            filter: Which styles: ``all`` (Krea's default), ``user``, ``community``,
                ``krea``, ``shared``, ``unapproved``, ``editor``, ``gallery``, ``public``.
            cursor: The previous page's ``next_cursor``.
            limit: Page size, 1 to 1000.
            ids: Only these style ids (a list or a comma-separated string).
            liked: Only styles this token liked.
            user: Only styles of this user.
            model: Only styles for this model (e.g. ``flux_dev``).
        """
        params = {
            "filter": filter,
            "cursor": cursor,
            "limit": _limit(limit),
            "ids": _comma_list(ids),
            "liked": None if liked is None else ("true" if liked else "false"),
            "user": user,
            "model": model,
        }
        return self._parse(self._get("/styles", params=params), StylePage.from_json)

    def iter_styles(
        self,
        *,
        filter: str | None = None,
        limit: int | None = None,
        ids: str | Iterable[str] | None = None,
        liked: bool | None = None,
        user: str | None = None,
        model: str | None = None,
    ) -> Iterator[Style]:
        """Every style matching the filters, fetching pages of ``limit`` as it goes."""
        return _paginate(
            lambda page_cursor: self.list_styles(
                filter=filter,
                cursor=page_cursor,
                limit=limit,
                ids=ids,
                liked=liked,
                user=user,
                model=model,
            ),
            None,
        )

    def get_style(self, style_id: str) -> Style:
        """One style: public, or owned by or shared with this token."""
        return self._parse(self._get(f"/styles/{_segment(style_id)}"), Style.from_json)

    def update_style(
        self,
        style_id: str,
        *,
        public: bool | None = None,
        title: str | None = None,
        urls: Iterable[str] | None = None,
        cover_url: str | None = None,
    ) -> Style:
        """Change a style this token owns; only the arguments given are sent.

        Raises:
            ValueError: Nothing to change (Krea would answer 400).
        """
        body: dict[str, Any] = {}
        if public is not None:
            body["public"] = public
        if title is not None:
            body["title"] = title
        if urls is not None:
            body["urls"] = list(urls)
        if cover_url is not None:
            body["cover_url"] = cover_url
        if not body:
            raise ValueError("update_style needs at least one of public, title, urls, cover_url")
        response = self._request("PATCH", f"/styles/{_segment(style_id)}", json=body)
        return self._parse(response, Style.from_json)

    def style_share_link(self, style_id: str) -> tuple[ShareLink, bool]:
        """The share link of a style this token owns, creating it if needed.

        Returns:
            The link, and whether Krea created it now (201) rather than
            returning the existing one (200).
        """
        response = self._request("GET", f"/styles/{_segment(style_id)}/share/link")
        return self._parse(response, ShareLink.from_json), response.status_code == 201

    def share_style_with_workspace(self, style_id: str) -> WorkspaceShare:
        """Let every member of this token's Krea workspace use the style."""
        response = self._request("POST", f"/styles/{_segment(style_id)}/share/workspace")
        share = self._parse(response, WorkspaceShare.from_json)
        if not share.success:
            raise KreaError("Krea did not share the style", status_code=response.status_code)
        return share

    def unshare_style_from_workspace(self, style_id: str) -> None:
        """Take a style back from the workspace; members can no longer use it."""
        body = self._json(self._request("DELETE", f"/styles/{_segment(style_id)}/share/workspace"))
        _check_success(body, "unshare the style")

    # -- node apps ------------------------------------------------------------------

    def get_node_app(self, app_id: str) -> NodeApp:
        """A node app version, with the JSON schemas of its inputs and outputs."""
        return self._parse(self._get(f"/node-apps/{_segment(app_id)}"), NodeApp.from_json)

    def execute_node_app(self, app_id: str, inputs: Mapping[str, Any]) -> list[Job]:
        """Run a node app version. Sent once, never retried.

        The spec declares no ``X-Webhook-URL`` for this operation, so the jobs
        are followed with :meth:`get_job`.

        Returns:
            The jobs Krea started (the spec answers with an array).
        """
        response = self._request(
            "POST", f"/node-apps/{_segment(app_id)}/execute", json=dict(inputs)
        )
        return self._parse(response, _job_list)

    # -- transport ------------------------------------------------------------------

    def _get(self, path: str, *, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self._request("GET", path, params=params)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request, retrying only what cannot be billed twice."""
        query = {key: value for key, value in (params or {}).items() if value is not None}
        attempts = self.max_attempts if method in ("GET", "DELETE") else 1
        return _retrying(
            lambda: self._attempt(method, path, query, kwargs),
            what=f"{method} {path}",
            attempts=attempts,
            backoff=self._backoff,
            sleep=self._sleep,
        )

    def _attempt(
        self, method: str, path: str, query: Mapping[str, Any], kwargs: Mapping[str, Any]
    ) -> httpx.Response | KreaError:
        """One try: the response when it is a success, the error to raise otherwise."""
        try:
            response = self._http.request(method, path, params=query, **kwargs)
        except httpx.TimeoutException as exc:
            error: KreaError = KreaTimeout(
                f"Krea did not answer {method} {path} in time ({type(exc).__name__})",
                outcome_unknown=not isinstance(exc, _NOT_SENT),
            )
            error.__cause__ = exc
            return error
        except httpx.TransportError as exc:
            error = KreaConnectionError(
                self._redact(f"Could not reach Krea for {method} {path}: {exc}"),
                outcome_unknown=not isinstance(exc, _NOT_SENT),
            )
            error.__cause__ = exc
            return error
        if response.is_success:
            return response
        return self._error_from(response)

    def _error_from(self, response: httpx.Response) -> KreaError:
        status = response.status_code
        message = self._redact(_error_message(response))
        if status >= 500:
            # Krea may have created the job before failing.
            return ServerError(message, status_code=status, outcome_unknown=True)
        error_class = _ERRORS_BY_STATUS.get(status, KreaError)
        return error_class(message, status_code=status)

    def _parse(self, response: httpx.Response, parse: Callable[[Any], _Parsed]) -> _Parsed:
        """Parse a 2xx body; one that breaks the spec means Krea acted but we cannot tell how."""
        body = self._json(response)
        try:
            return parse(body)
        except InvalidResponse as error:
            error.status_code = response.status_code
            error.outcome_unknown = True
            raise

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            # A 2xx we cannot read: the operation happened but we cannot tell its result.
            raise InvalidResponse(
                f"Krea answered {response.request.method} {response.request.url.path} "
                "with a body that is not JSON",
                status_code=response.status_code,
                outcome_unknown=True,
            ) from None

    def _backoff(self, attempt: int) -> float:
        return _full_jitter(self._random, attempt)

    def _redact(self, text: str) -> str:
        # Belt and braces: should Krea or httpx ever echo the token, it stops here.
        return text.replace(self._token, "[token]")


# -- result files ---------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Files smaller than this stay in memory while they download; larger ones spill to disk.
_SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024


def download_allowed(url: str, *, base_url: str, hosts: Iterable[str] = ()) -> bool:
    """True when ``url`` is http(s) on Krea's API host and port or on an allowed download host.

    A ``hosts`` entry is ``host``, ``host:port`` or ``.domain`` (the domain and its
    subdomains), optionally ``.domain:port``. Without a port it allows only the
    URL scheme's default port (443, 80), so a file URL cannot reach another
    service on an allowed machine.
    """
    parts = urlsplit(url)
    try:
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:  # a port that is not a number
        return False
    if parts.scheme not in _DEFAULT_PORTS or not host:
        return False
    port = port or _DEFAULT_PORTS[parts.scheme]
    api = urlsplit(base_url)
    api_entry = f"{(api.hostname or '').lower()}:{api.port or _DEFAULT_PORTS.get(api.scheme, 0)}"
    for entry in (api_entry, *hosts):
        name, _, entry_port = entry.strip().lower().rpartition(":")
        if not name or not entry_port.isdigit():
            name, entry_port = entry.strip().lower(), ""
        if (int(entry_port) if entry_port else _DEFAULT_PORTS[parts.scheme]) != port:
            continue
        if name.startswith("."):
            if host == name[1:] or host.endswith(name):
                return True
        elif host == name:
            return True
    return False


@dataclass(frozen=True)
class DownloadedFile:
    """A downloaded result file: its content (a file positioned at the start), type and size."""

    content: IO[bytes]
    content_type: str
    size: int


class KreaDownloader:
    """Fetches the files of Krea's results, which are public URLs: no token is sent.

    Args:
        base_url: Krea's API address; its host and port are always allowed.
        hosts: Further allowed hosts (see :func:`download_allowed`).
        timeout, transport, max_attempts, sleep: as for :class:`KreaClient`.
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        hosts: Iterable[str] = (),
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url
        self.hosts = tuple(hosts)
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._random = random.Random()
        self._http = httpx.Client(
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            transport=transport,
            headers={"User-Agent": USER_AGENT},
            # A redirect could lead anywhere, past the allow-list.
            follow_redirects=False,
            verify=tls_context(),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def allows(self, url: str) -> bool:
        return download_allowed(url, base_url=self.base_url, hosts=self.hosts)

    def available(self, url: str) -> bool:
        """Whether ``url`` is on the allowed hosts and answers a HEAD with 2xx now.

        Krea's file URLs (outputs, assets) can expire, and a generation input must be
        one Krea can still fetch. Asked once, not retried: the caller has a fallback.
        """
        if not self.allows(url):
            return False
        try:
            return self._http.head(url).is_success
        except httpx.HTTPError:
            return False

    def download(
        self,
        url: str,
        *,
        max_bytes: int,
        content_types: tuple[str, ...] | None = ("image/", "video/"),
    ) -> DownloadedFile:
        """Stream ``url`` into a temporary file; retried like any GET.

        ``content_types=None`` takes any type (an asset may be audio or a 3D model).

        Raises:
            DownloadRefused: A URL off the allowed hosts and ports, an answer
                other than 200, a content type not starting with one of
                ``content_types``, or more than ``max_bytes``.
            KreaTimeout, KreaConnectionError, ServerError: After the retries.
        """
        if not self.allows(url):
            raise DownloadRefused(f"{_host_and_port(url)} is not an allowed download host")
        return _retrying(
            lambda: self._download_once(url, max_bytes, content_types),
            what=f"download of {urlsplit(url).path}",
            attempts=self.max_attempts,
            backoff=lambda attempt: _full_jitter(self._random, attempt),
            sleep=self._sleep,
        )

    def _download_once(
        self, url: str, max_bytes: int, content_types: tuple[str, ...] | None
    ) -> DownloadedFile | KreaError:
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code >= 500:
                    spool.close()
                    return ServerError("the file server failed", status_code=response.status_code)
                if response.status_code != 200:
                    raise DownloadRefused(f"the file answered HTTP {response.status_code}")
                content_type = (
                    response.headers.get("content-type", "").split(";")[0].strip().lower()
                )
                if content_types is not None and not content_type.startswith(content_types):
                    raise DownloadRefused(f"unexpected content type {content_type!r}")
                declared = int(response.headers.get("content-length") or 0)
                if declared > max_bytes:
                    raise DownloadRefused(
                        f"the file is {declared} bytes, over the {max_bytes}-byte cap"
                    )
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadRefused(f"the file is over the {max_bytes}-byte cap")
                    spool.write(chunk)
        except httpx.TimeoutException as exc:
            spool.close()
            error: KreaError = KreaTimeout(
                f"the file did not arrive in time ({type(exc).__name__})"
            )
            error.__cause__ = exc
            return error
        except httpx.TransportError as exc:
            spool.close()
            error = KreaConnectionError(f"could not fetch the file: {exc}")
            error.__cause__ = exc
            return error
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return DownloadedFile(content=spool, content_type=content_type, size=size)


def _host_and_port(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.hostname!r}" + (f" port {port}" if port else "")


# -- helpers ------------------------------------------------------------------------


def _full_jitter(rng: random.Random, attempt: int) -> float:
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling)


_Result = TypeVar("_Result")


def _retrying(
    attempt: Callable[[], _Result | KreaError],
    *,
    what: str,
    attempts: int,
    backoff: Callable[[int], float],
    sleep: Callable[[float], object],
) -> _Result:
    """Call ``attempt`` until it succeeds; retry 5xx, timeouts and connection failures only."""
    for number in range(1, attempts + 1):
        outcome = attempt()
        if not isinstance(outcome, KreaError):
            return outcome
        can_retry = isinstance(outcome, ServerError | KreaTimeout | KreaConnectionError)
        if not can_retry or number == attempts:
            raise outcome
        delay = backoff(number)
        logger.warning(
            "Krea %s failed (%s); retry %d of %d in %.2fs",
            what,
            outcome,
            number,
            attempts - 1,
            delay,
        )
        sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def generation_path(model: str) -> str:
    """The request path of a generation model, from its id or its path.

    ``"image/bfl/flux-1-dev"``, ``"generate/image/bfl/flux-1-dev"`` and
    ``"/generate/image/bfl/flux-1-dev"`` all give ``"/generate/image/bfl/flux-1-dev"``.

    Raises:
        ValueError: The id is empty or could escape ``/generate/`` (``..``, a query).
    """
    segments = [segment for segment in model.strip().strip("/").split("/") if segment]
    if segments[:1] == ["generate"]:
        segments = segments[1:]
    if (
        len(segments) < 2
        or any(segment in (".", "..") for segment in segments)
        or any(char in model for char in "?#%\\")
        or any(char.isspace() for char in model.strip())
    ):
        raise ValueError(f"Not a Krea model id: {model!r}")
    return "/generate/" + "/".join(segments)


def _segment(value: str) -> str:
    # Ids go into the path as one segment: "../assets" must not reach another route.
    if not isinstance(value, str) or not value:
        raise ValueError("A Krea id must be a non-empty string")
    return quote(value, safe="")


def _webhook_header(webhook_url: str | None) -> dict[str, str]:
    return {} if webhook_url is None else {"X-Webhook-URL": webhook_url}


def _cursor(cursor: str | datetime | None) -> str | None:
    if isinstance(cursor, datetime):
        return cursor.isoformat()
    return cursor


def _limit(limit: int | None) -> int | None:
    if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
    return limit


def _comma_list(values: str | Iterable[str] | None) -> str | None:
    if values is None or isinstance(values, str):
        return values
    return ",".join(values)


def _paginate(fetch: Callable[[str | None], _Page[_Item]], cursor: str | None) -> Iterator[_Item]:
    """Yield the items of successive pages until Krea gives no next cursor."""
    seen: set[str | None] = {cursor}
    while True:
        page = fetch(cursor)
        yield from page.items
        cursor = page.next_cursor
        if cursor is None or not page.items:
            return
        if cursor in seen:
            # A cursor that does not move would loop forever over the same page.
            raise InvalidResponse(f"Krea returned the cursor {cursor!r} twice")
        seen.add(cursor)


def _server_time(response: httpx.Response) -> datetime | None:
    """Krea's clock from the ``Date`` header (timezone-aware), or None without a readable one."""
    header = response.headers.get("Date")
    if not header:
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else None


def _error_message(response: httpx.Response) -> str:
    """Krea's ``{"error": "..."}`` message, or something readable when there is none."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, str) and error:
            return error
        if isinstance(body.get("message"), str) and body["message"]:
            return body["message"]
    text = response.text.strip()
    # A proxy's HTML error page says nothing useful and would flood the logs.
    if text and len(text) <= 200 and not text.startswith("<"):
        return text
    return f"Krea answered {response.status_code} {response.reason_phrase}".strip()


def _job_list(body: Any) -> list[Job]:
    if not isinstance(body, list):
        raise InvalidResponse("Krea's node app execution answer is not a list of jobs")
    return [Job.from_json(item) for item in body]


def _check_success(body: Any, action: str) -> None:
    if isinstance(body, Mapping) and body.get("success") is False:
        message = body.get("message") or body.get("error") or f"Krea could not {action}"
        raise KreaError(str(message), status_code=200)


def _file_size(file: IO[bytes]) -> int:
    """The size of what httpx will send (it rewinds to the start), without reading it."""
    try:
        info = os.fstat(file.fileno())
    except (AttributeError, OSError, ValueError):
        pass
    else:
        if stat.S_ISREG(info.st_mode):
            return info.st_size
    try:
        position = file.tell()
        size = file.seek(0, os.SEEK_END)
        file.seek(position)
    except (AttributeError, OSError, ValueError):
        raise ValueError(
            "upload_asset needs a path or a seekable file, to check its size before sending"
        ) from None
    return size


def _content_type(filename: str) -> str:
    extension = Path(filename).suffix.lower()
    guessed = _ASSET_CONTENT_TYPES.get(extension) or mimetypes.guess_type(filename)[0]
    return guessed or "application/octet-stream"
