"""What a model does, as tags read from its request schema (never typed in by hand).

The model browser shows and filters by these: a model Krea adds later is tagged from
its schema alone. :func:`model_tags` gives a model's tags in :data:`TAGS` order.
"""

from __future__ import annotations

from .entries import Model
from .schema import read_field

# (key, label), in the order the browser lists them.
TAGS = (
    ("text-to-image", "Text to image"),
    ("edit", "Edit"),
    ("text-to-video", "Text to video"),
    ("image-to-video", "Image to video"),
    ("video-to-video", "Video to video"),
    ("audio", "Audio"),
    ("styles", "Takes styles (LoRA)"),
    ("upscale", "Upscale"),
)
TAG_LABELS = dict(TAGS)

# Image inputs that steer the look rather than give the picture to change.
_REFERENCE_WORDS = ("style", "character", "reference")
_START_FRAMES = ("start_image", "init_image_url")
_VIDEO_INPUTS = ("init_video", "edit_video", "video_reference")


_IMAGE_FIELDS = ("image_url", "image_urls")


def _inputs(model: Model, kind: str | None = None) -> set[str]:
    """Top-level fields taking files (of ``kind``), by the catalogue's media data."""
    return {
        path.partition("[]")[0].partition(".")[0]
        for path, found in model.media_inputs.items()
        if kind is None or found == kind
    }


def _image_inputs(model: Model) -> set[str]:
    """Top-level fields taking the image to work on (not style or character references)."""
    properties = model.request_schema.get("properties") or {}
    names = _inputs(model, "image") | {n for n in _IMAGE_FIELDS if n in properties}
    return {n for n in names if not any(word in n for word in _REFERENCE_WORDS)}


def model_tags(model: Model) -> list[str]:
    """The tags of ``model``, from its group and the fields its schema has."""
    properties = model.request_schema.get("properties") or {}
    required = set(model.required)
    tags: set[str] = set()
    image_inputs = _image_inputs(model)
    if model.group == "enhance":
        tags.add("upscale")
    elif model.group == "image":
        if "prompt" in properties and not required & image_inputs:
            tags.add("text-to-image")
        if image_inputs:
            tags.add("edit")
    elif model.group == "video":
        if "prompt" in properties and not required & _inputs(model):
            tags.add("text-to-video")
        if any(name in properties for name in _START_FRAMES):
            tags.add("image-to-video")
        if any(name in properties for name in _VIDEO_INPUTS):
            tags.add("video-to-video")
    audio = properties.get("generate_audio")
    if "audio_url" in properties or (
        audio is not None and read_field(audio).value_types == {"boolean"}
    ):
        tags.add("audio")
    if "styles" in properties:
        tags.add("styles")
    return [key for key, _ in TAGS if key in tags]
