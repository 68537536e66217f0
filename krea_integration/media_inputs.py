"""Which request fields take a file, and of which kind (image, video or audio).

Krea's schemas say only ``format: uri``; what a field takes is in its name and
description (``image_url``, ``start_image``, ``style_images[].url``, ``end_video``,
``audio_url``). The words below are the catalogue's own data for reading them, so
a model Krea adds later gets its pickers from its schema alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

IMAGE, VIDEO, AUDIO = "image", "video", "audio"

# Checked in this order against the field's name (and the list's name for a row part),
# then its description (which may name other media: "the first frame of the video");
# a URL field that names none of them takes an image.
_KIND_WORDS = (
    (IMAGE, ("image", "img", "picture", "photo", "frame")),
    (VIDEO, ("video", "clip")),
    (AUDIO, ("audio", "sound", "voice", "music")),
)


@dataclass(frozen=True)
class MediaField:
    """A field of a request schema that takes files by URL."""

    name: str
    kind: str
    many: bool = False  # a list of URLs, or of rows
    part: str | None = None  # for rows: the property holding the URL (``url``)
    max_items: int | None = None


def _is_uri(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return False
    if schema.get("format") == "uri":
        return True
    return any(_is_uri(option) for option in schema.get("anyOf") or [])


def _kind(names: tuple[str, ...], description: str) -> str:
    for text in (" ".join(names).lower(), description.lower()):
        for kind, hints in _KIND_WORDS:
            if any(hint in text for hint in hints):
                return kind
    return IMAGE


def media_fields(request_schema: Mapping[str, Any]) -> list[MediaField]:
    """The top-level fields of a request schema that take files, in the schema's order."""
    found = []
    for name, schema in (request_schema.get("properties") or {}).items():
        if not isinstance(schema, Mapping):
            continue
        description = str(schema.get("description") or "")
        if _is_uri(schema):
            found.append(MediaField(name, _kind((name,), description)))
            continue
        items = schema.get("items")
        if schema.get("type") != "array" or not isinstance(items, Mapping):
            continue
        max_items = schema.get("maxItems")
        if _is_uri(items):
            found.append(
                MediaField(name, _kind((name,), description), many=True, max_items=max_items)
            )
            continue
        for part, sub in (items.get("properties") or {}).items():
            if _is_uri(sub):
                kind = _kind((name, part), description)
                found.append(MediaField(name, kind, many=True, part=part, max_items=max_items))
                break
    return found


def field_for(request_schema: Mapping[str, Any], kind: str) -> MediaField | None:
    """The field a file of ``kind`` goes into: a single URL first, then a list."""
    candidates = [field for field in media_fields(request_schema) if field.kind == kind]
    candidates.sort(key=lambda field: (field.many, field.part is not None))
    return candidates[0] if candidates else None
