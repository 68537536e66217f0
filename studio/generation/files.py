"""What an output file is called when a member downloads it."""

from __future__ import annotations

import mimetypes

from django.utils.text import slugify


def output_filename(output, *, thumbnail: bool = False) -> str:
    """The name an output is saved under: ``flux-1a2b3c4d-1.png`` (model, job, position)."""
    if thumbnail:
        extension = "-thumbnail.jpg"
    elif output.mime_type == "image/jpeg":
        extension = ".jpg"
    else:
        extension = mimetypes.guess_extension(output.mime_type) or ""
    stem = slugify(output.job.model_name) or "output"
    return f"{stem}-{str(output.job.uuid)[:8]}-{output.position + 1}{extension}"
