"""Copying a completed job's files from Krea into the portal's storage.

Krea's result URLs are fetched by ``krea_integration``'s ``KreaDownloader`` only
from allowed hosts and ports (``KREA_DOWNLOAD_HOSTS`` and ``KREA_API_BASE_URL``'s),
over http(s), with a size cap and a content-type check, so a forged result can
never make the portal fetch an arbitrary address. Files are then served only
through team-checked views.
"""

from __future__ import annotations

import logging
import mimetypes

import av
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction

from krea_integration.errors import KreaError
from studio.assets import media
from studio.downloads import krea_downloader

from . import events, live
from .models import Job, JobStatus, Output

logger = logging.getLogger(__name__)


def _extension(mime_type: str) -> str:
    return {"image/jpeg": ".jpg"}.get(mime_type) or mimetypes.guess_extension(mime_type) or ".bin"


def outputs_store(*, job_id: int) -> int:
    """Copy a completed job's result files into storage, with thumbnails. Idempotent.

    Returns how many new outputs were stored. A URL that cannot be fetched is
    logged and recorded on the job; the others are still stored.
    """
    job = Job.objects.filter(pk=job_id, status=JobStatus.COMPLETED).first()
    if job is None:
        return 0
    urls = job.result_urls
    have = set(job.outputs.values_list("position", flat=True))
    stored = 0
    problems = []
    with krea_downloader() as downloader:
        for position, url in enumerate(urls):
            if position in have:
                continue
            try:
                downloaded = downloader.download(url, max_bytes=settings.OUTPUT_MAX_BYTES)
                mime_type = downloaded.content_type
                kind = media.VIDEO if mime_type.startswith("video/") else media.IMAGE
                facts = media.media_facts(downloaded.content, kind)
            except (
                KreaError,
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
                mime_type=mime_type,
                size=downloaded.size,
                width=facts.width,
                height=facts.height,
                source_url=url,
            )
            output.file.save(name + _extension(mime_type), File(downloaded.content), save=False)
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
    if stored or problems:
        live.team_changed(job.team_id)
    events.job_finished.send_robust(sender=Job, job_id=job.pk)
    return stored
