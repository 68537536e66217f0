"""Copying a completed job's files from Krea into the portal's storage.

Krea's result URLs are fetched only from allowed hosts (``KREA_DOWNLOAD_HOSTS``
and the host of ``KREA_API_BASE_URL``), over http(s), with a size cap and a
content-type check, so a forged result can never make the portal fetch an
arbitrary address. Files are then served only through team-checked views.
"""

from __future__ import annotations

import logging
import mimetypes
import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit

import av
import httpx
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction

from studio.assets import media

from .models import Job, JobStatus, Output
from .selectors import host_allowed

logger = logging.getLogger(__name__)

ALLOWED_TYPES = ("image/", "video/")


class DownloadRefused(Exception):
    """A result URL the portal will not fetch, or a file it will not keep."""


@dataclass(frozen=True)
class Downloaded:
    content: File
    mime_type: str
    size: int


def download(url: str, *, client: httpx.Client) -> Downloaded:
    """Stream ``url`` into a temporary file, refusing what is too big or not a picture/video."""
    if not host_allowed(url):
        raise DownloadRefused(f"{urlsplit(url).hostname!r} is not an allowed download host")
    cap = settings.OUTPUT_MAX_BYTES
    with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise DownloadRefused(f"the file answered HTTP {response.status_code}")
        mime_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if not mime_type.startswith(ALLOWED_TYPES):
            raise DownloadRefused(f"unexpected content type {mime_type!r}")
        declared = int(response.headers.get("content-length") or 0)
        if declared > cap:
            raise DownloadRefused(f"the file is {declared} bytes, over the {cap}-byte cap")
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                spool.close()
                raise DownloadRefused(f"the file is over the {cap}-byte cap")
            spool.write(chunk)
    spool.seek(0)
    return Downloaded(content=File(spool), mime_type=mime_type, size=size)


def _extension(mime_type: str) -> str:
    return {"image/jpeg": ".jpg"}.get(mime_type) or mimetypes.guess_extension(mime_type) or ".bin"


def outputs_store(*, job_id: int, transport: httpx.BaseTransport | None = None) -> int:
    """Copy a completed job's result files into storage, with thumbnails. Idempotent.

    Returns how many new outputs were stored. A URL that cannot be fetched is
    logged and recorded on the job; the others are still stored.
    """
    job = Job.objects.filter(pk=job_id, status=JobStatus.COMPLETED).first()
    if job is None:
        return 0
    urls = list((job.result or {}).get("urls") or [])
    have = set(job.outputs.values_list("position", flat=True))
    stored = 0
    problems = []
    transport = transport if transport is not None else settings.KREA_TRANSPORT
    with httpx.Client(
        transport=transport, timeout=settings.KREA_TIMEOUT_SECONDS, follow_redirects=False
    ) as client:
        for position, url in enumerate(urls):
            if position in have:
                continue
            try:
                downloaded = download(url, client=client)
                kind = media.VIDEO if downloaded.mime_type.startswith("video/") else media.IMAGE
                facts = media.media_facts(downloaded.content.file, kind)
            except (
                DownloadRefused,
                httpx.HTTPError,
                OSError,
                av.FFmpegError,
                StopIteration,
            ) as exc:
                logger.warning("Job %s output %s not stored: %s", job.uuid, position, exc)
                problems.append(f"Output {position + 1} could not be copied: {exc}.")
                continue
            name = f"{job.uuid}-{position}"
            output = Output(
                job=job,
                team_id=job.team_id,
                position=position,
                mime_type=downloaded.mime_type,
                size=downloaded.size,
                width=facts.width,
                height=facts.height,
                source_url=url,
            )
            output.file.save(
                name + _extension(downloaded.mime_type), downloaded.content, save=False
            )
            output.thumbnail.save(name + "-thumb.jpg", ContentFile(facts.thumbnail), save=False)
            try:
                with transaction.atomic():
                    output.save()
            except IntegrityError:  # another worker stored it first
                output.file.delete(save=False)
                output.thumbnail.delete(save=False)
                continue
            stored += 1
    if problems:
        Job.objects.filter(pk=job.pk).update(error=" ".join(problems))
    return stored
