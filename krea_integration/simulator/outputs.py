"""What a job produces: output files described by a recipe, rendered lazily and cached.

A job decides at creation what its outputs will be (a :class:`Recipe` per file, with
the size, format and duration its request asked for), but nothing is drawn until
someone downloads the file: :class:`FileCache` keeps recent renders within a byte
budget, and an evicted file is simply drawn again (renders are deterministic).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ..tls import tls_context
from . import media

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_IMAGE_SIZE",
    "FileCache",
    "Recipe",
    "fetch_url",
    "image_format",
    "image_size",
    "output_count",
    "render",
    "video_duration",
    "video_size",
]

DEFAULT_IMAGE_SIZE = (1024, 1024)
DEFAULT_VIDEO_SHORT_SIDE = 720
DEFAULT_VIDEO_SECONDS = 5.0
MAX_OUTPUTS = 8
FETCH_TIMEOUT_SECONDS = 10.0

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "mp4": "video/mp4",
}
_EXTENSIONS = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "webp": "webp"}
_RESOLUTION_LONG_SIDE = {"1k": 1024, "2k": 2048, "4k": 4096}
_RESOLUTION_SHORT_SIDE = {"4k": 2160, "2k": 1440}
_COUNT_FIELDS = ("num_images", "num_outputs", "number_of_images", "n", "batch_size")
_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Recipe:
    """How to make one output file.

    ``kind`` is ``image`` (drawn from prompt and seed), ``video`` (an MP4) or
    ``upscale`` (an enlarged copy of the image at ``source_url``).
    """

    kind: str
    ext: str
    prompt: str = ""
    seed: int | None = None
    width: int = DEFAULT_IMAGE_SIZE[0]
    height: int = DEFAULT_IMAGE_SIZE[1]
    duration: float = 0.0
    source_url: str | None = None
    factor: float | None = None
    """For ``upscale``: enlarge by this factor instead of towards ``width x height``."""

    @property
    def content_type(self) -> str:
        """The file's MIME type."""
        return CONTENT_TYPES[self.ext]


def render(recipe: Recipe, source: Callable[[str], bytes]) -> bytes:
    """The bytes of the file ``recipe`` describes; ``source(url)`` reads an upscale input.

    Raises:
        media.UnsupportedMedia: an upscale input is not a readable image.
        OSError, httpx.HTTPError: an upscale input could not be fetched.
    """
    if recipe.kind == "video":
        return media.render_video(
            recipe.prompt,
            seed=recipe.seed,
            width=recipe.width,
            height=recipe.height,
            duration_s=recipe.duration,
        )
    if recipe.kind == "upscale":
        data = source(recipe.source_url or "")
        info = media.inspect(data)
        factor = recipe.factor or 1.0
        if recipe.factor is None and info.width and info.height:
            factor = max(recipe.width / info.width, recipe.height / info.height, 1.0)
        return media.upscale(data, factor=factor, fmt=recipe.ext)
    return media.render_image(
        recipe.prompt,
        seed=recipe.seed,
        width=recipe.width,
        height=recipe.height,
        fmt=recipe.ext,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value > 0 else None


def _ratio(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, str):
        return None
    match = _RATIO.match(value)
    if not match:
        return None
    w, h = float(match.group(1)), float(match.group(2))
    return (w, h) if w > 0 and h > 0 else None


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def image_size(params: Mapping[str, Any]) -> tuple[int, int]:
    """The output size an image request asks for.

    ``width``/``height`` when given; otherwise ``aspect_ratio`` with ``resolution``
    (1K/2K/4K: the long side) or 1024 on the long side; otherwise 1024x1024.
    """
    width, height = _number(params.get("width")), _number(params.get("height"))
    if width and height:
        return round(width), round(height)
    ratio = _ratio(params.get("aspect_ratio"))
    resolution = str(params.get("resolution") or "").lower()
    long_side = _RESOLUTION_LONG_SIDE.get(resolution, DEFAULT_IMAGE_SIZE[0])
    if ratio:
        w, h = ratio
        if w >= h:
            return long_side, round(long_side * h / w)
        return round(long_side * w / h), long_side
    if width or height:
        side = round(width or height or DEFAULT_IMAGE_SIZE[0])
        return side, side
    return DEFAULT_IMAGE_SIZE


def video_size(params: Mapping[str, Any]) -> tuple[int, int]:
    """The frame size a video request asks for.

    ``width``/``height`` when given; a pixel ratio such as ``1280:720`` as is; otherwise
    ``aspect_ratio`` (or ``ratio``, default 16:9) with ``resolution`` as the short side
    (``720p``, ``1080p``, ``4K``; default 720).
    """
    width, height = _number(params.get("width")), _number(params.get("height"))
    if width and height:
        return _even(width), _even(height)
    ratio = _ratio(params.get("aspect_ratio")) or _ratio(params.get("ratio")) or (16.0, 9.0)
    resolution = str(params.get("resolution") or "").lower()
    short = _RESOLUTION_SHORT_SIDE.get(resolution)
    if short is None:
        match = re.match(r"^(\d+)p$", resolution)
        short = int(match.group(1)) if match else None
    w, h = ratio
    if short is None and min(w, h) >= 240:
        return _even(w), _even(h)  # Runway's ratios are pixel sizes ("1280:720").
    short = short or DEFAULT_VIDEO_SHORT_SIDE
    if w >= h:
        return _even(short * w / h), _even(short)
    return _even(short), _even(short * h / w)


def video_duration(params: Mapping[str, Any]) -> float:
    """Seconds of video a request asks for (``duration``, else frames, else 5)."""
    duration = _number(params.get("duration"))
    if duration:
        return duration
    frames = _number(params.get("num_frames")) or _number(params.get("frame_num"))
    if frames:
        return max(1.0, frames / 24)
    return DEFAULT_VIDEO_SECONDS


def image_format(params: Mapping[str, Any], default: str = "png") -> str:
    """The file extension an image request asks for (``output_format`` or ``format``)."""
    for name in ("output_format", "format"):
        value = params.get(name)
        if isinstance(value, str) and value.lower() in _EXTENSIONS:
            return _EXTENSIONS[value.lower()]
    return _EXTENSIONS.get(default, "png")


def output_count(params: Mapping[str, Any]) -> int:
    """How many files a request asks for (``num_images``, ``n``...; default 1)."""
    for name in _COUNT_FIELDS:
        value = params.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return min(value, MAX_OUTPUTS)
    return 1


def fetch_url(url: str, *, max_bytes: int, timeout: float = FETCH_TIMEOUT_SECONDS) -> bytes:
    """GET ``url`` with a timeout, refusing bodies over ``max_bytes``.

    Raises:
        httpx.HTTPError: the request failed or answered an error status.
        ValueError: the body is larger than ``max_bytes``, or the URL is not http(s).
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError("only http(s) URLs can be fetched")
    with httpx.stream(
        "GET", url, timeout=timeout, follow_redirects=True, verify=tls_context()
    ) as response:
        response.raise_for_status()
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"the file is larger than {max_bytes} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


class FileCache:
    """A thread-safe LRU of rendered files, bounded by total bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The cached bytes for ``key`` (marking them recently used), or ``None``."""
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        """Cache ``data``, evicting the least recently used files to stay in budget."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._size -= len(evicted)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._size = 0

    @property
    def size(self) -> int:
        """Bytes held."""
        with self._lock:
            return self._size

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
