"""Real media files for the Krea stand-in: job outputs, and inspection of uploaded assets.

Everything here is a pure function of its inputs: no HTTP, no Django, no global state
besides a font cache. The simulator serves what :func:`render_image`,
:func:`render_video` and :func:`upscale` return as the files behind a completed job's
``result.urls``, and checks ``POST /assets`` uploads with :func:`inspect`.

Renders are deterministic: the same ``(prompt, seed, size, format)`` always gives the
same bytes (with the installed Pillow / FFmpeg), and a different prompt or seed gives a
visibly different picture (palette, gradient, shapes) with the prompt written on it, so
a person looking at the portal can tell which request produced which output.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import math
import os
import random
import struct
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, TypeAlias

import av
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

__all__ = [
    "ACCEPTED_TYPES",
    "MAX_ASSET_BYTES",
    "MAX_IMAGE_SIDE",
    "MAX_VIDEO_SECONDS",
    "VIDEO_MAX_SIDE",
    "AssetTooLarge",
    "MediaInfo",
    "UnsupportedMedia",
    "inspect",
    "poster_frame",
    "render_image",
    "render_video",
    "thumbnail",
    "upscale",
]

#: Largest asset Krea accepts on ``POST /assets`` (75 MB).
MAX_ASSET_BYTES = 75 * 1024 * 1024
#: Rendered and upscaled images are scaled down (keeping the aspect ratio) to fit this.
MAX_IMAGE_SIDE = 4096
#: Rendered videos are scaled down (keeping the aspect ratio) to fit this, for speed.
VIDEO_MAX_SIDE = 640
#: Rendered videos are never longer than this.
MAX_VIDEO_SECONDS = 60.0

#: What Krea accepts as an asset: MIME type -> file extension (lower case, no dot).
ACCEPTED_TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "model/gltf-binary": "glb",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
}

_ACCEPTED_LIST = "JPEG, PNG, WebP, HEIC, MP4, MOV, WebM, GLB, WAV, MP3"
_HEADER_BYTES = 64 * 1024

_IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP"}
_PIL_TO_FMT = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}


class UnsupportedMedia(ValueError):
    """The content is not one of the media types Krea accepts (or cannot be read)."""


class AssetTooLarge(UnsupportedMedia):
    """The content is larger than the allowed maximum (see :data:`MAX_ASSET_BYTES`)."""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What :func:`inspect` found out about a file, from its content.

    ``extension`` is lower case without a dot (``"jpg"``, ``"mov"``). ``width`` and
    ``height`` are the stored pixel dimensions of an image or of a video's first video
    stream, or ``None`` when not applicable (audio, GLB) or not readable.
    """

    mime_type: str
    width: int | None
    height: int | None
    size: int
    extension: str


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True, slots=True)
class _Scene:
    """Everything about a picture that derives from ``(prompt, seed)``."""

    palette: tuple[tuple[int, int, int], ...]
    angle: float
    glow: tuple[float, float, float]
    shapes: tuple[tuple[str, tuple[float, ...], int, int], ...]
    movers: tuple[tuple[float, ...], ...]


def _rng(prompt: str, seed: int | None) -> random.Random:
    digest = hashlib.sha256(f"{seed!r}\x00{prompt}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _scene(prompt: str, seed: int | None) -> _Scene:
    rng = _rng(prompt, seed)
    hue = rng.random()
    spread = rng.uniform(0.12, 0.45)
    palette = []
    for i in range(5):
        h = (hue + spread * i * rng.uniform(0.7, 1.3)) % 1.0
        s = rng.uniform(0.45, 0.95)
        v = rng.uniform(0.55, 1.0) if i else rng.uniform(0.2, 0.5)
        r, g, b = colorsys.hsv_to_rgb(h, s, v)
        palette.append((round(r * 255), round(g * 255), round(b * 255)))
    shapes = []
    for _ in range(rng.randint(5, 10)):
        kind = rng.choice(("ellipse", "rect", "triangle", "ring"))
        cx, cy = rng.random(), rng.random()
        rw, rh = rng.uniform(0.06, 0.35), rng.uniform(0.06, 0.35)
        rot = rng.random() * math.tau
        shapes.append((kind, (cx, cy, rw, rh, rot), rng.randrange(1, 5), rng.randint(80, 190)))
    movers = tuple(
        (
            rng.uniform(0.5, 2.0),  # x frequency (cycles per clip)
            rng.uniform(0.5, 2.0),  # y frequency
            rng.random(),  # x phase
            rng.random(),  # y phase
            rng.uniform(0.06, 0.14),  # radius (fraction of short side)
            float(rng.randrange(1, 5)),  # palette index
        )
        for _ in range(2)
    )
    return _Scene(
        palette=tuple(palette),
        angle=rng.uniform(0, 360),
        glow=(rng.random(), rng.random(), rng.uniform(0.4, 0.9)),
        shapes=tuple(shapes),
        movers=movers,
    )


def _background(scene: _Scene, width: int, height: int) -> Image.Image:
    """A two-colour linear gradient with a soft glow, drawn small and scaled up."""
    scale = min(1.0, 256 / max(width, height))
    sw, sh = max(1, round(width * scale)), max(1, round(height * scale))
    ramp = (
        Image.linear_gradient("L").resize((512, 512)).rotate(scene.angle, Image.Resampling.BILINEAR)
    )
    mask = ramp.crop((128, 128, 384, 384)).resize((sw, sh), Image.Resampling.BILINEAR)
    c0, c1, c2 = scene.palette[0], scene.palette[1], scene.palette[2]
    img = Image.composite(Image.new("RGB", (sw, sh), c0), Image.new("RGB", (sw, sh), c1), mask)
    gx, gy, gr = scene.glow
    radius = max(2, round(max(sw, sh) * gr))
    # radial_gradient is 0 at the centre and 180 at the middle of each edge: fade to 0 there.
    glow = Image.radial_gradient("L").point(lambda p: max(0, 180 - p) * 200 // 180)
    glow_mask = glow.resize((radius * 2, radius * 2), Image.Resampling.BILINEAR)
    img.paste(c2, (round(gx * sw) - radius, round(gy * sh) - radius), glow_mask)
    return img.resize((width, height), Image.Resampling.BILINEAR)


def _polygon(cx: float, cy: float, r: float, sides: int, rot: float) -> list[tuple[float, float]]:
    return [
        (
            cx + r * math.cos(rot + i * math.tau / sides),
            cy + r * math.sin(rot + i * math.tau / sides),
        )
        for i in range(sides)
    ]


def _draw_shapes(img: Image.Image, scene: _Scene) -> None:
    width, height = img.size
    draw = ImageDraw.Draw(img, "RGBA")
    short = min(width, height)
    for kind, (cx, cy, rw, rh, rot), colour, alpha in scene.shapes:
        fill = (*scene.palette[colour], alpha)
        x, y = cx * width, cy * height
        w, h = rw * short, rh * short
        box = (x - w, y - h, x + w, y + h)
        if kind == "ellipse":
            draw.ellipse(box, fill=fill)
        elif kind == "rect":
            corners = [(-w, -h), (w, -h), (w, h), (-w, h)]
            cos, sin = math.cos(rot / 4), math.sin(rot / 4)
            draw.polygon([(x + a * cos - b * sin, y + a * sin + b * cos) for a, b in corners], fill)
        elif kind == "triangle":
            draw.polygon(_polygon(x, y, max(w, h), 3, rot), fill=fill)
        else:
            draw.ellipse(box, outline=fill, width=max(1, round(short / 60)))


@functools.lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _caption(prompt: str, seed: int | None, width: int, height: int) -> Image.Image | None:
    """The prompt, wrapped, on a translucent dark panel as wide as the picture.

    Returns ``None`` for pictures too small to carry legible text.
    """
    if min(width, height) < 48:
        return None
    size = max(10, min(72, round(min(width, height) / 24)))
    font = _font(size)
    margin = max(4, size // 2)
    text = " ".join(prompt.split()) or "(no prompt)"
    avg = max(1.0, font.getlength("abcdefghijklmnopqrstuvwxyz ") / 27)
    chars = max(8, int((width - 2 * margin) / avg))
    line_h = round(size * 1.25)
    max_lines = max(1, int(height * 0.45) // line_h - 1)
    lines = textwrap.wrap(text[:600], width=chars) or [text]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: chars - 2].rstrip() + " …"]
    footer = f"seed {seed}" if seed is not None else "no seed"
    lines.append(f"{footer} · {width}x{height}")
    panel = Image.new("RGBA", (width, line_h * len(lines) + 2 * margin), (0, 0, 0, 150))
    draw = ImageDraw.Draw(panel)
    for i, line in enumerate(lines):
        colour = (255, 255, 255, 255) if i < len(lines) - 1 else (200, 200, 200, 255)
        draw.text((margin, margin + i * line_h), line, font=font, fill=colour)
    return panel


def _paste_caption(img: Image.Image, caption: Image.Image | None, *, bottom: int = 0) -> None:
    if caption is not None:
        img.paste(caption, (0, img.height - caption.height - bottom), caption)


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Scale ``width x height`` down (never up) to fit ``max_side``, keeping the aspect."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_size(width: int, height: int) -> None:
    if not (isinstance(width, int) and isinstance(height, int)) or width < 1 or height < 1:
        raise ValueError(f"width and height must be positive integers, got {width!r}x{height!r}")


def _image_format(fmt: str) -> str:
    try:
        return _IMAGE_FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unsupported image format {fmt!r}: use png, jpeg or webp") from None


def _encode(img: Image.Image, pil_format: str) -> bytes:
    buf = io.BytesIO()
    if pil_format == "JPEG":
        _flatten(img).save(buf, "JPEG", quality=90)
    elif pil_format == "WEBP":
        img.save(buf, "WEBP", quality=85, method=4)
    else:
        img.save(buf, "PNG", compress_level=3)
    return buf.getvalue()


def _flatten(img: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """RGB copy of ``img``; transparent parts are laid on ``background``."""
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, background)
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    return img.convert("RGB")


def render_image(
    prompt: str, *, seed: int | None, width: int, height: int, fmt: str = "png"
) -> bytes:
    """Draw a picture for ``prompt`` and encode it as PNG, JPEG or WebP.

    The picture is exactly ``width x height`` unless a side exceeds
    :data:`MAX_IMAGE_SIDE`, in which case both sides are scaled down to fit, keeping the
    aspect ratio. Palette, gradient and shapes derive from a hash of ``(prompt, seed)``
    (``seed=None`` is a value of its own), and the prompt is written on a panel at the
    bottom. Same inputs give identical bytes.

    Raises ``ValueError`` for a non-positive size or an unknown ``fmt``
    (``png``, ``jpeg``/``jpg``, ``webp``; any case).
    """
    pil_format = _image_format(fmt)
    _check_size(width, height)
    width, height = _fit(width, height, MAX_IMAGE_SIDE)
    scene = _scene(prompt, seed)
    img = _background(scene, width, height)
    _draw_shapes(img, scene)
    _paste_caption(img, _caption(prompt, seed, width, height))
    return _encode(img, pil_format)


# --------------------------------------------------------------------------- video


def _video_size(width: int, height: int) -> tuple[int, int]:
    """Fit into :data:`VIDEO_MAX_SIDE`, keep the aspect ratio, round to even sides >= 16."""
    w, h = _fit(width, height, VIDEO_MAX_SIDE)
    return max(16, round(w / 2) * 2), max(16, round(h / 2) * 2)


def render_video(
    prompt: str,
    *,
    seed: int | None,
    width: int,
    height: int,
    duration_s: float,
    fps: int = 12,
    fmt: str = "mp4",
) -> bytes:
    """Render a short H.264 MP4 (yuv420p, ``+faststart``) for ``prompt``.

    For speed the requested size is scaled down to fit :data:`VIDEO_MAX_SIDE` on the
    long side (a 1920x1080 request gives 640x360), keeping the aspect ratio, with both
    sides rounded to even numbers as yuv420p requires. The clip has
    ``round(duration_s * fps)`` frames (at least one; ``duration_s`` is capped at
    :data:`MAX_VIDEO_SECONDS`); the still scene of :func:`render_image` carries two
    shapes moving along Lissajous paths and a progress bar, under the prompt caption.
    Same inputs give identical bytes.

    Raises ``ValueError`` for a non-positive size or duration, ``fps`` outside 1..60 or
    ``fmt`` other than ``"mp4"``.
    """
    if fmt.lower() != "mp4":
        raise ValueError(f"unsupported video format {fmt!r}: only mp4 is rendered")
    _check_size(width, height)
    if not duration_s > 0 or not math.isfinite(duration_s):
        raise ValueError(f"duration_s must be a positive number, got {duration_s!r}")
    if not isinstance(fps, int) or not 1 <= fps <= 60:
        raise ValueError(f"fps must be an integer from 1 to 60, got {fps!r}")
    vw, vh = _video_size(width, height)
    frames = max(1, round(min(duration_s, MAX_VIDEO_SECONDS) * fps))
    scene = _scene(prompt, seed)
    still = _background(scene, vw, vh)
    _draw_shapes(still, scene)
    caption = _caption(prompt, seed, vw, vh)
    bar = max(2, vh // 90)
    short = min(vw, vh)

    with tempfile.TemporaryDirectory(prefix="krea-sim-") as tmp:
        # The faststart pass re-reads the output by name, so it cannot go to a BytesIO.
        path = os.path.join(tmp, "out.mp4")
        with av.open(path, "w", format="mp4", options={"movflags": "+faststart"}) as out:
            stream = out.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = vw, vh, "yuv420p"
            stream.options = {"preset": "veryfast", "crf": "26"}
            # One encoder thread: x264's threading can make the bytes vary between runs,
            # and at these sizes it is fast enough (a 5 s clip encodes in ~0.1 s).
            stream.codec_context.thread_count = 1
            for i in range(frames):
                t = i / frames
                img = still.copy()
                draw = ImageDraw.Draw(img, "RGBA")
                for fx, fy, px, py, rad, colour in scene.movers:
                    x = vw * (0.5 + 0.38 * math.sin(math.tau * (fx * t + px)))
                    y = vh * (0.5 + 0.38 * math.sin(math.tau * (fy * t + py)))
                    r = rad * short
                    fill = (*scene.palette[int(colour)], 220)
                    draw.polygon(_polygon(x, y, r, 5, math.tau * t * fx), fill=fill)
                    draw.ellipse((x - r / 3, y - r / 3, x + r / 3, y + r / 3), fill=(255,) * 4)
                _paste_caption(img, caption, bottom=bar)
                draw.rectangle((0, vh - bar, round(vw * (i + 1) / frames), vh), fill=(255,) * 4)
                frame = av.VideoFrame.from_image(img).reformat(format="yuv420p")
                frame.pts = i
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        with open(path, "rb") as fh:
            return fh.read()


# --------------------------------------------------------------------------- images in


Source: TypeAlias = bytes | bytearray | memoryview | IO[bytes] | str | os.PathLike[str]


@contextmanager
def _opened(source: Any) -> Iterator[IO[bytes]]:
    """A seekable binary file for ``source``, positioned at 0; restores a caller's position.

    Accepts bytes-like objects, paths, and binary file objects (including Django's
    ``UploadedFile``). A non-seekable stream is read into memory.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
        return
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            yield fh
        return
    if not hasattr(source, "read"):
        raise TypeError(f"expected bytes, a path or a binary file, got {type(source).__name__}")
    seekable = getattr(source, "seekable", None)
    if seekable is not None and not seekable():
        yield io.BytesIO(source.read())
        return
    position = source.tell()
    source.seek(0)
    try:
        yield source
    finally:
        source.seek(position)


def _open_image(source: Any) -> Image.Image:
    """Fully loaded, EXIF-upright PIL image, or :class:`UnsupportedMedia`."""
    with _opened(source) as fh:
        try:
            img = Image.open(fh)
            img.load()
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
            raise UnsupportedMedia(f"not a readable image: {exc}") from exc
    fmt = img.format
    img = ImageOps.exif_transpose(img)
    img.format = fmt
    return img


def upscale(
    data: bytes, *, factor: float = 2.0, max_side: int = MAX_IMAGE_SIDE, fmt: str | None = None
) -> bytes:
    """An enlarged copy of image ``data`` (Lanczos), as an enhance job's output.

    Each side is multiplied by ``factor``; if the result would exceed ``max_side`` it is
    scaled down to fit, keeping the aspect ratio. The output format is the input's
    (PNG, JPEG or WebP; anything else PIL reads becomes PNG) unless ``fmt`` is given.
    Raises :class:`UnsupportedMedia` if ``data`` is not a readable image and
    ``ValueError`` for a non-positive ``factor`` or ``max_side``.
    """
    if not (factor > 0 and math.isfinite(factor)):
        raise ValueError(f"factor must be a positive number, got {factor!r}")
    if max_side < 1:
        raise ValueError(f"max_side must be positive, got {max_side!r}")
    img = _open_image(data)
    pil_format = _image_format(fmt or _PIL_TO_FMT.get(img.format or "", "png"))
    target = _fit(round(img.width * factor), round(img.height * factor), max_side)
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    img = img.convert("RGBA" if has_alpha else "RGB")
    return _encode(img.resize(target, Image.Resampling.LANCZOS), pil_format)


def _jpeg_preview(img: Image.Image, max_side: int) -> bytes:
    if max_side < 1:
        raise ValueError(f"max_side must be positive, got {max_side!r}")
    img = _flatten(img)
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def thumbnail(image: Source, *, max_side: int = 512) -> bytes:
    """A JPEG no larger than ``max_side`` on either side (never enlarged) of an image.

    Transparency is laid on white. Raises :class:`UnsupportedMedia` if ``image`` is not
    an image PIL can read (HEIC is not).
    """
    return _jpeg_preview(_open_image(image), max_side)


def poster_frame(video: Source, *, max_side: int = 512) -> bytes:
    """A JPEG of a video's first frame, no larger than ``max_side`` on either side.

    Raises :class:`UnsupportedMedia` if ``video`` has no decodable video stream.
    """
    with _opened(video) as fh:
        try:
            with av.open(fh) as container:
                if not container.streams.video:
                    raise UnsupportedMedia("the file has no video stream")
                frame = next(container.decode(video=0), None)
        except av.FFmpegError as exc:
            raise UnsupportedMedia(f"not a readable video: {exc}") from exc
    if frame is None:
        raise UnsupportedMedia("the video has no decodable frame")
    return _jpeg_preview(frame.to_image(), max_side)


# --------------------------------------------------------------------------- inspection

_QUICKTIME_BRANDS = {b"qt  "}
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_GENERIC_BRANDS = {b"mif1", b"msf1"}
_MP4_BRANDS = {
    *(b"iso" + bytes([c]) for c in b"m23456789"),
    b"mp41",
    b"mp42",
    b"mp71",
    b"avc1",
    b"dash",
    b"mmp4",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"MSNV",
    b"NDAS",
    b"XAVC",
    b"f4v ",
}
_MP4_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_CLASSIC_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """ISO-BMFF boxes in ``data[start:end]`` as ``(type, payload_start, box_end)``.

    Stops at the first box that does not fit in ``data`` (the header may be truncated).
    """
    end = len(data) if end is None else min(end, len(data))
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, pos + size
        pos += size


def _heic_dimensions(header: bytes) -> tuple[int | None, int | None]:
    """Largest ``ispe`` (image spatial extent) property in ``meta/iprp/ipco``, if present."""
    best: tuple[int, int] | None = None
    for kind, start, end in _boxes(header):
        if kind != b"meta":
            continue
        for kind2, start2, end2 in _boxes(header, start + 4, end):  # meta is a FullBox
            if kind2 != b"iprp":
                continue
            for kind3, start3, end3 in _boxes(header, start2, end2):
                if kind3 != b"ipco":
                    continue
                for kind4, start4, end4 in _boxes(header, start3, end3):
                    if kind4 == b"ispe" and end4 <= len(header) and end4 - start4 >= 12:
                        w, h = struct.unpack_from(">II", header, start4 + 4)
                        if best is None or w * h > best[0] * best[1]:
                            best = (w, h)
    return best if best is not None else (None, None)


def _iso_bmff_type(header: bytes) -> str:
    """MIME type for a file that starts with an ``ftyp`` box."""
    size = struct.unpack_from(">I", header)[0]
    major = header[8:12]
    brands = {major} | {header[i : i + 4] for i in range(16, min(size, len(header)) - 3, 4)}
    if major in _QUICKTIME_BRANDS:
        return "video/quicktime"
    if major in _MP4_AUDIO_BRANDS:
        raise UnsupportedMedia(
            f"MPEG-4 audio (.m4a) is not accepted; accepted types: {_ACCEPTED_LIST}"
        )
    if brands & _HEIC_BRANDS:
        return "image/heic"
    if brands & {b"avif", b"avis"}:
        raise UnsupportedMedia(f"AVIF images are not accepted; accepted types: {_ACCEPTED_LIST}")
    if major in _HEIF_GENERIC_BRANDS:
        return "image/heic"
    if major in _MP4_BRANDS or brands & _MP4_BRANDS:
        return "video/mp4"
    if brands & _QUICKTIME_BRANDS:
        return "video/quicktime"
    name = major.decode("latin-1").strip() or "?"
    raise UnsupportedMedia(
        f"unsupported ISO media brand {name!r}; accepted types: {_ACCEPTED_LIST}"
    )


def _ebml_doctype(header: bytes) -> str | None:
    """The ``DocType`` of an EBML (Matroska/WebM) header, if it can be read."""

    def vint(pos: int, keep_marker: bool) -> tuple[int, int] | None:
        if pos >= len(header) or header[pos] == 0:
            return None
        length = 8 - header[pos].bit_length() + 1
        if pos + length > len(header):
            return None
        value = int.from_bytes(header[pos : pos + length], "big")
        if not keep_marker:
            value &= (1 << (7 * length)) - 1
        return value, pos + length

    head = vint(4, keep_marker=False)
    if head is None:
        return None
    size, pos = head
    end = min(len(header), pos + size)
    while pos < end:
        ident = vint(pos, keep_marker=True)
        if ident is None:
            return None
        element, pos = ident
        length = vint(pos, keep_marker=False)
        if length is None:
            return None
        size, pos = length
        if element == 0x4282:
            return header[pos : pos + size].rstrip(b"\x00").decode("ascii", "replace")
        pos += size
    return None


def _is_mpeg_audio_frame(b: bytes) -> bool:
    """Whether ``b`` starts with a valid MPEG audio Layer III frame header."""
    if len(b) < 4 or b[0] != 0xFF or b[1] & 0xE0 != 0xE0:
        return False
    version, layer = (b[1] >> 3) & 3, (b[1] >> 1) & 3
    bitrate, rate = b[2] >> 4, (b[2] >> 2) & 3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


def _mp3(fh: IO[bytes], header: bytes) -> bool:
    if header[:3] == b"ID3" and len(header) >= 10:
        tag_size = 0
        for byte in header[6:10]:  # "syncsafe" integer: 7 bits per byte
            tag_size = tag_size << 7 | (byte & 0x7F)
        offset = 10 + tag_size + (10 if header[5] & 0x10 else 0)
        fh.seek(offset)
        after = fh.read(4 + 4096)
        # Some encoders pad after the tag; accept a frame within the next few KB.
        skip = len(after) - len(after.lstrip(b"\x00"))
        return _is_mpeg_audio_frame(after[skip : skip + 4])
    return _is_mpeg_audio_frame(header)


def _sniff(fh: IO[bytes], header: bytes) -> str:
    """MIME type of the content from its magic bytes, or :class:`UnsupportedMedia`."""
    if header.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if header.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if header[:4] == b"RIFF" and header[8:12] == b"WEBP":
        return "image/webp"
    if header[:4] == b"RIFF" and header[8:12] == b"WAVE":
        return "audio/wav"
    if len(header) >= 12 and header[4:8] == b"ftyp":
        return _iso_bmff_type(header)
    if len(header) >= 8 and header[4:8] in _CLASSIC_QUICKTIME_ATOMS:
        return "video/quicktime"
    if header.startswith(b"\x1a\x45\xdf\xa3"):
        doctype = _ebml_doctype(header)
        if doctype == "webm":
            return "video/webm"
        raise UnsupportedMedia(
            f"Matroska document type {doctype!r} is not accepted (only WebM); "
            f"accepted types: {_ACCEPTED_LIST}"
        )
    if header[:4] == b"glTF":
        version = struct.unpack_from("<I", header, 4)[0] if len(header) >= 8 else 0
        if version == 2:
            return "model/gltf-binary"
        raise UnsupportedMedia(f"binary glTF version {version} is not accepted (only GLB 2.0)")
    if _mp3(fh, header):
        return "audio/mpeg"
    raise UnsupportedMedia(
        f"unrecognised file content; accepted types: {_ACCEPTED_LIST} "
        "(the type is read from the content, not the file name)"
    )


def _video_dimensions(fh: IO[bytes]) -> tuple[int | None, int | None]:
    fh.seek(0)
    try:
        with av.open(fh, options={"probesize": "5000000"}) as container:
            if not container.streams.video:
                return None, None
            ctx = container.streams.video[0].codec_context
            return (ctx.width or None), (ctx.height or None)
    except (av.FFmpegError, ValueError, OSError, EOFError):
        return None, None


def _image_dimensions(fh: IO[bytes]) -> tuple[int | None, int | None]:
    fh.seek(0)
    try:
        with Image.open(fh) as img:  # reads the header only
            return img.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return None, None


def inspect(source: Source, *, max_bytes: int | None = None) -> MediaInfo:
    """Identify an uploaded asset by its content (magic bytes), never by its name.

    ``source`` may be bytes, a path, or a binary file object; a file is inspected from
    its start without being read whole (a 64 KB header, plus whatever PIL / PyAV need
    to find dimensions), and its position is restored afterwards. Accepted: JPEG, PNG,
    WebP, HEIC, MP4, MOV, WebM, GLB, WAV, MP3 (see :data:`ACCEPTED_TYPES`). Width and
    height are given for images (HEIC from its ``ispe`` property) and videos when
    readable.

    Raises :class:`UnsupportedMedia` for an empty file or any other content, and
    :class:`AssetTooLarge` (a subclass) when ``max_bytes`` is given and exceeded; pass
    :data:`MAX_ASSET_BYTES` to apply Krea's limit.
    """
    with _opened(source) as fh:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        if size == 0:
            raise UnsupportedMedia(f"the file is empty; accepted types: {_ACCEPTED_LIST}")
        if max_bytes is not None and size > max_bytes:
            raise AssetTooLarge(f"the file is {size} bytes; the maximum is {max_bytes} bytes")
        fh.seek(0)
        header = fh.read(_HEADER_BYTES)
        mime = _sniff(fh, header)
        width: int | None = None
        height: int | None = None
        if mime == "image/heic":
            width, height = _heic_dimensions(header)
        elif mime.startswith("image/"):
            width, height = _image_dimensions(fh)
        elif mime.startswith("video/"):
            width, height = _video_dimensions(fh)
    return MediaInfo(mime, width, height, size, ACCEPTED_TYPES[mime])
