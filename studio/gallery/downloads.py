"""Several outputs as one zip, streamed: each file is read from storage in chunks
while the zip is written, so neither the files nor the zip are ever held in memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from stat import S_IFREG

from django.utils import timezone
from stream_zip import ZIP_AUTO, stream_zip

from studio.generation.files import output_filename
from studio.generation.models import Output

CHUNK = 64 * 1024
# Images and videos are compressed already: deflate's fastest level costs little CPU.
LEVEL = 1


def _chunks(output: Output) -> Iterator[bytes]:
    with output.file.storage.open(output.file.name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{extension}"
    taken.add(candidate)
    return candidate


def outputs_zip(outputs: list[Output]) -> Iterator[bytes]:
    """The bytes of a zip of ``outputs`` (each under its download name), as they are made."""
    taken: set[str] = set()

    def members():
        for output in outputs:
            modified: datetime = timezone.localtime(output.created_at).replace(tzinfo=None)
            # A plain zip (opens everywhere), ZIP64 only past 4 GiB.
            method = ZIP_AUTO(output.size, level=LEVEL)
            name = _unique(output_filename(output), taken)
            yield name, modified, S_IFREG | 0o644, method, _chunks(output)

    return stream_zip(members())


def zip_filename(count: int) -> str:
    return f"krea-studio-{count}-files-{timezone.localdate().isoformat()}.zip"
