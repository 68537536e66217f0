"""Which kind of file (image, video, audio, 3D) each URL field of a request schema takes.

Krea's schemas say only ``format: uri``; what a field takes is in its name and
description (``image_url``, ``start_image``, ``style_images[].url``, ``end_video``,
``audio_url``) or in a sibling pinned to one value (``{"type": "image", "uri": ...}``).
The refresh reads them once with :func:`media_inputs` and stores the answer in
catalogue.json beside the model, so the portal reads a field's kind as data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .schema import schema_choices

IMAGE, VIDEO, AUDIO, MODEL_3D = "image", "video", "audio", "3d"
KINDS = (IMAGE, VIDEO, AUDIO, MODEL_3D)

# Checked in this order against the field's path, then a sibling pinned to one value,
# then the nearest description (which may name other media: "the first frame of the
# video"). A field that names none of them is undecided: the refresh reports it.
_KIND_WORDS = (
    (IMAGE, ("image", "img", "picture", "photo", "frame")),
    (VIDEO, ("video", "clip")),
    (AUDIO, ("audio", "sound", "voice", "music")),
    (MODEL_3D, ("3d", "glb", "mesh")),
)


def is_uri(schema: Any) -> bool:
    """Whether a (sub)schema is a URL, alone or as one alternative of a union."""
    if not isinstance(schema, Mapping):
        return False
    if schema.get("format") == "uri":
        return True
    return any(is_uri(option) for option in schema.get("anyOf") or [])


# A field about a style that names no medium (Kling o1's ``style_references[].url``)
# takes a picture: every style input of the spec that does name one is an image
# (``style_images``, ``image_style_references``), and Kling o1's price table counts
# only its ``video_reference``, so its style references are not videos.
_STYLE_WORDS = ("style",)


def media_kind(texts: list[str]) -> str | None:
    """The first kind any of ``texts`` (in order of trust) names, else None.

    The first text is the field's path in words; when no text names a medium and
    the path is about a style, the field takes an image.
    """
    for text in texts:
        text = text.lower()
        for kind, hints in _KIND_WORDS:
            if any(hint in text for hint in hints):
                return kind
    if texts and any(word in texts[0].lower() for word in _STYLE_WORDS):
        return IMAGE
    return None


def media_inputs(request_schema: Mapping[str, Any]) -> dict[str, str | None]:
    """Every URL field of a request schema and the kind of file it takes (None: undecided).

    Paths name list items with ``[]``: ``image_url``, ``image_urls[]``,
    ``style_images[].url``, ``element_references[].images[]``, ``video_reference.url``.
    """
    found: dict[str, str | None] = {}
    _walk(request_schema, "", [], "", {}, found)
    return found


def _walk(
    schema: Any,
    path: str,
    names: list[str],
    description: str,
    siblings: Mapping[str, Any],
    found: dict[str, str | None],
) -> None:
    if not isinstance(schema, Mapping):
        return
    description = str(schema.get("description") or "") or description
    if is_uri(schema):
        pinned = [
            " ".join(str(c) for c in choices)
            for sub in siblings.values()
            if isinstance(sub, Mapping) and (choices := schema_choices(sub)) and len(choices) == 1
        ]
        found[path] = media_kind([" ".join(names), *pinned, description])
        return
    items = schema.get("items")
    if isinstance(items, Mapping):
        _walk(items, path + "[]", names, description, siblings, found)
        return
    properties = schema.get("properties") or {}
    for name, sub in properties.items():
        sub_path = f"{path}.{name}" if path else name
        # Only a row's own fields say what its URL is (``"type": "image"``), not the body's.
        row = properties if path else {}
        _walk(sub, sub_path, [*names, name], description if path else "", row, found)
