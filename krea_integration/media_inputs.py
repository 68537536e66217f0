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
    """A field of a request schema that takes files by URL."""

    name: str
    kind: str
    many: bool = False  # a list of URLs, or of rows
    part: str | None = None  # for rows: the property holding the URL (``url``)
    max_items: int | None = None


def media_fields(model: Model) -> list[MediaField]:
    """The top-level fields of ``model`` that take files of a known kind, in the schema's order.

    A URL (``image_url``), a list of URLs (``image_urls[]``) or a list of rows with a URL
    (``style_images[].url``); URLs nested deeper are typed by hand.
    """
    properties = model.request_schema.get("properties") or {}
    found = []
    for path, kind in model.media_inputs.items():
        if kind is None:
            continue
        name, _, rest = path.partition("[]")
        if "." in name or name not in properties:
            continue
        many = path != name
        part = rest.removeprefix(".") if rest.startswith(".") else None
        if many and rest and (part is None or "." in part or "[" in part):
            continue
        max_items = properties[name].get("maxItems") if many else None
        found.append(MediaField(name, kind, many=many, part=part, max_items=max_items))
    order = list(properties)
    return sorted(found, key=lambda field: order.index(field.name))


def field_for(model: Model, kind: str) -> MediaField | None:
    """The field a file of ``kind`` goes into: a single URL first, then a list."""
    candidates = [field for field in media_fields(model) if field.kind == kind]
    candidates.sort(key=lambda field: (field.many, field.part is not None))
    return candidates[0] if candidates else None
