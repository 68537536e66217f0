"""The fields of a model that take files by URL, and of which kind, as the picker needs them.

The kind of each URL field is the catalogue's own data (``Model.media_inputs``,
written by the refresh from the field's name and description); this module only
reads it. A field whose kind the refresh could not decide gets no picker: its URL
is typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from krea_integration.catalogue import Model


@dataclass(frozen=True)
class MediaField:
    """A field of a request schema that takes files by URL.

    ``many``: a list (of URLs, or of rows); ``part``: for rows (or one object), the
    property holding the URL (``url``), itself a list when ``part_many``
    (a Kling element's ``images``, up to ``part_max_items``).
    """

    name: str
    kind: str
    many: bool = False
    part: str | None = None
    max_items: int | None = None
    part_many: bool = False
    part_max_items: int | None = None


def _media_field(path: str, kind: str, properties: dict) -> MediaField | None:
    """The field for one ``media_inputs`` path, or None when the form cannot hold it.

    Understood: ``image_url``, ``image_urls[]``, ``style_images[].url``,
    ``element_references[].images[]`` and ``video_reference.url``.
    """
    head, dot, part = path.partition(".")
    many = head.endswith("[]")
    name = head.removesuffix("[]")
    if "[]" in name or name not in properties:
        return None
    part_many = part.endswith("[]")
    part = part.removesuffix("[]")
    if dot and (not part or "." in part or "[" in part):
        return None
    schema = properties[name]
    if dot:
        row = schema.get("items") if many else schema
        part_schema = ((row or {}).get("properties") or {}).get(part) or {}
    return MediaField(
        name,
        kind,
        many=many,
        part=part or None,
        max_items=schema.get("maxItems") if many else None,
        part_many=part_many,
        part_max_items=part_schema.get("maxItems") if part_many else None,
    )


def media_fields(model: Model) -> list[MediaField]:
    """The fields of ``model`` that take files of a known kind, in the schema's order.

    A URL (``image_url``), a list of URLs (``image_urls[]``), a list of rows with a URL
    or a list of URLs (``style_images[].url``, ``element_references[].images[]``), or one
    object with a URL (``video_reference.url``).
    """
    properties = model.request_schema.get("properties") or {}
    found = []
    for path, kind in model.media_inputs.items():
        if kind is None:
            continue
        field = _media_field(path, kind, properties)
        if field is not None:
            found.append(field)
    order = list(properties)
    return sorted(found, key=lambda field: order.index(field.name))


def field_for(model: Model, kind: str) -> MediaField | None:
    """The field a file of ``kind`` goes into: a single URL first, then a list."""
    candidates = [field for field in media_fields(model) if field.kind == kind]
    candidates.sort(key=lambda field: (field.many, field.part is not None, field.part_many))
    return candidates[0] if candidates else None
