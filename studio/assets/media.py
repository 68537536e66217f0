"""What a file is (by its content, never its name) and what the portal shows of it.

Krea takes JPEG, PNG, WebP, HEIC, MP4, MOV, WebM, GLB, WAV and MP3 assets and
decides what a file is by its bytes, so the portal does the same before sending
anything: :func:`identify` reads the first bytes only. :func:`media_facts`
measures a picture or clip and makes its thumbnail (a scaled image, or a video's
first frame); generation's output copies use it too, so there is one way to make
a thumbnail.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

import av
import puremagic
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIDE = 512
HEADER_BYTES = 4096

IMAGE, VIDEO, AUDIO, MODEL_3D = "image", "video", "audio", "3d"


@dataclass(frozen=True)
class FileType:
    kind: str  # image, video, audio or 3d
    mime_type: str
    extension: str  # with the dot, as Krea's URL ends


JPEG = FileType(IMAGE, "image/jpeg", ".jpg")
PNG = FileType(IMAGE, "image/png", ".png")
WEBP = FileType(IMAGE, "image/webp", ".webp")
HEIC = FileType(IMAGE, "image/heic", ".heic")
MP4 = FileType(VIDEO, "video/mp4", ".mp4")
MOV = FileType(VIDEO, "video/quicktime", ".mov")
WEBM = FileType(VIDEO, "video/webm", ".webm")
GLB = FileType(MODEL_3D, "model/gltf-binary", ".glb")
WAV = FileType(AUDIO, "audio/wav", ".wav")
MP3 = FileType(AUDIO, "audio/mpeg", ".mp3")
ACCEPTED = (JPEG, PNG, WEBP, HEIC, MP4, MOV, WEBM, GLB, WAV, MP3)
ACCEPTED_NAMES = "JPEG, PNG, WebP, HEIC, MP4, MOV, WebM, GLB, WAV or MP3"

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
# ISO base media boxes a QuickTime file may start with instead of "ftyp".
_QUICKTIME_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _from_header(head: bytes) -> FileType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:4] == b"glTF":
        return GLB
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return HEIC
        return MOV if brand == b"qt  " else MP4
    if head[4:8] in _QUICKTIME_BOXES:
        return MOV
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # Matroska and WebM share the EBML header; only WebM's doctype is accepted.
        return WEBM if b"webm" in head[:64] else None
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3
    return None


def describe_unknown(head: bytes) -> str:
    """What a refused file really is, in words: ``"a PDF document"``, ``"plain text"``."""
    if not head:
        return "an empty file"
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        matches = []
    if matches:
        name = matches[0].name.strip()
        article = "an" if name[:1].lower() in "aeiou" else "a"
        return f"{article} {name} ({matches[0].mime_type or matches[0].extension})"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a kind of file the portal does not recognise"
    return "plain text"


class UnsupportedFile(Exception):
    """Not a kind of file Krea accepts; ``what`` says what it is."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)


def identify(file: IO[bytes]) -> FileType:
    """The type of ``file`` from its first bytes; the file is left at its start.

    Raises:
        UnsupportedFile: Krea would refuse it (``what`` names what it is).
    """
    file.seek(0)
    head = file.read(HEADER_BYTES)
    file.seek(0)
    found = _from_header(head)
    if found is None:
        raise UnsupportedFile(describe_unknown(head))
    return found


@dataclass(frozen=True)
class MediaFacts:
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds, for video and audio
    thumbnail: bytes | None = None  # a JPEG, for images and video


def _jpeg(frame: Image.Image) -> bytes:
    frame = frame.convert("RGB")
    frame.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=82)
    return out.getvalue()


def _seconds(container, stream) -> float | None:
    if stream is not None and stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def media_facts(file: IO[bytes], kind: str) -> MediaFacts:
    """Size, duration and a JPEG thumbnail of an image or a video's first frame.

    Audio gets its duration, 3D models nothing (their thumbnails are icons).
    Raises ``OSError``, ``av.FFmpegError`` or ``StopIteration`` when the content
    cannot be decoded; the file is left at its start.
    """
    file.seek(0)
    try:
        if kind == IMAGE:
            with Image.open(file) as image:
                width, height = image.size
                return MediaFacts(width, height, thumbnail=_jpeg(ImageOps.exif_transpose(image)))
        if kind == VIDEO:
            with av.open(file, mode="r") as container:
                stream = container.streams.video[0]
                width, height = stream.codec_context.width, stream.codec_context.height
                frame = next(container.decode(stream)).to_image()
                return MediaFacts(
                    width, height, _seconds(container, stream), thumbnail=_jpeg(frame)
                )
        if kind == AUDIO:
            with av.open(file, mode="r") as container:
                stream = container.streams.audio[0] if container.streams.audio else None
                return MediaFacts(duration=_seconds(container, stream))
        return MediaFacts()
    finally:
        file.seek(0)


def safe_media_facts(file: IO[bytes], kind: str) -> MediaFacts:
    """:func:`media_facts`, or nothing when the content cannot be decoded here.

    Krea has accepted the file by then (HEIC needs a decoder Pillow lacks; an
    unusual codec may defeat PyAV): the asset is kept, with an icon for a thumbnail.
    """
    try:
        return media_facts(file, kind)
    except (
        OSError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        av.FFmpegError,
        StopIteration,
        IndexError,
        ValueError,
    ):
        return MediaFacts()
