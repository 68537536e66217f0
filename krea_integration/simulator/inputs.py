"""Input media of a request: every URL its schema marks ``format: uri``, read as Krea would.

Krea downloads a request's images, videos and audio before running the job, and the
job fails when one cannot be read. :func:`uri_inputs` finds those URLs through the
request schema (objects, arrays, ``anyOf``/``oneOf``/``allOf``); :class:`InputChecker`
reads each one and says why the job must fail, if it must.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import media

__all__ = ["ENHANCEABLE", "InputChecker", "InputProblem", "UriInput", "uri_inputs"]

#: What the enhancers (and the upscaling node app) can enlarge.
ENHANCEABLE = frozenset({"image/png", "image/jpeg", "image/webp"})
_KINDS = ("video", "audio", "image")


@dataclass(frozen=True)
class UriInput:
    """One URL in a request and the field path it was found at (``style_images.0.url``)."""

    path: str
    url: str

    @property
    def kind(self) -> str | None:
        """``image``, ``video`` or ``audio`` when the field's name says so."""
        name = self.path.lower()
        return next((kind for kind in _KINDS if kind in name), None)


def uri_inputs(schema: Any, value: Any, path: str = "") -> Iterator[UriInput]:
    """Every string in ``value`` that ``schema`` marks ``format: uri``."""
    if not isinstance(schema, Mapping):
        return
    if isinstance(value, str) and schema.get("format") == "uri":
        yield UriInput(path, value)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key) or ():
            yield from uri_inputs(option, value, path)
    if isinstance(value, Mapping):
        for name, prop in (schema.get("properties") or {}).items():
            if name in value:
                yield from uri_inputs(prop, value[name], f"{path}.{name}" if path else name)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from uri_inputs(schema["items"], item, f"{path}.{index}")


@dataclass(frozen=True)
class InputProblem:
    """Why a job must fail: Krea's ``result.error``."""

    message: str


class InputChecker:
    """Reads input URLs with ``read(url) -> bytes`` and judges what it got."""

    def __init__(self, read: Callable[[str], bytes]) -> None:
        self.read = read

    def inspect(self, url: str) -> media.MediaInfo | InputProblem:
        """What the file at ``url`` is, or the job's error when it cannot be read.

        Every way of not getting the bytes (refused address, closed port, error
        status, timeout) gives the same message, so failures reveal nothing about the
        network the simulator sits on.
        """
        try:
            data = self.read(url)
        except Exception:  # whatever a fetcher raises, the job fails the same way
            return InputProblem(f"Could not download the input at {url}.")
        try:
            return media.inspect(data)
        except media.UnsupportedMedia:
            return InputProblem(
                f"The input at {url} is not a supported image, video or audio file."
            )

    def check_all(self, inputs: list[UriInput]) -> InputProblem | None:
        """The first input that cannot be read or is of the wrong kind, if any."""
        for item in inputs:
            found = self.inspect(item.url)
            if isinstance(found, InputProblem):
                return found
            kind = item.kind
            if kind is not None and not found.mime_type.startswith(f"{kind}/"):
                return InputProblem(f"The input at {item.url} is {found.mime_type}, not {kind}.")
        return None

    def check_enhanceable(self, url: Any) -> tuple[str, InputProblem | None]:
        """The extension an enlarged copy of ``url`` keeps, and a problem if it cannot
        be enlarged (not a PNG, JPEG or WebP)."""
        if not isinstance(url, str) or not url:
            return "png", InputProblem("No input image was given.")
        found = self.inspect(url)
        if isinstance(found, InputProblem):
            return "png", found
        if found.mime_type not in ENHANCEABLE:
            return "png", InputProblem(
                f"The input at {url} is {found.mime_type}, not a PNG, JPEG or WebP."
            )
        return found.extension, None
