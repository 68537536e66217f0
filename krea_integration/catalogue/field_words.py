"""The portal's words for Krea's request fields: labels, explanations, units, placement.

Krea's schemas name fields for programs (``guidance_scale_flux``, ``uri``) and
describe few of them, so the catalogue keeps its own curated words beside
catalogue.json, in ``field_words.json``: per field name (a list's row parts as
``name[].part``, an object's as ``name.part``), with per-model overrides. A field
with no entry (a model Krea adds later) falls back to its schema's title and
description, else its name in words; ``manage.py refresh_krea_catalogue`` lists
those so that someone writes their words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .entries import Catalogue, Model
from .schema import read_field

FIELD_WORDS_PATH = Path(__file__).with_name("field_words.json")

_WORDS = {"url": "URL", "urls": "URLs", "id": "ID", "cfg": "CFG", "fps": "FPS", "lora": "LoRA"}


@dataclass(frozen=True)
class FieldWords:
    """How the portal presents one field: what people read, and where the field sits."""

    label: str
    help: str = ""
    units: str = ""
    typical: str = ""
    # Rarely changed: shown in the form's collapsed "Advanced" section.
    advanced: bool = False
    # Whether the words come from the curated overlay (else from the schema or the name).
    curated: bool = False


def words_from_name(name: str) -> str:
    """A field's name in words, for a field nobody has written a label for yet."""
    words = [_WORDS.get(w.lower(), w) for w in name.replace("-", "_").split("_") if w]
    if not words:
        return name
    first = words[0]
    words[0] = first if first in _WORDS.values() else first[:1].upper() + first[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def _overlay() -> dict[str, Any]:
    return json.loads(FIELD_WORDS_PATH.read_text(encoding="utf-8"))


def field_words(
    path: str, *, model_id: str = "", schema: Mapping[str, Any] | None = None
) -> FieldWords:
    """The words for the field at ``path`` (``prompt``, ``styles[].strength``) of a model.

    The model's override wins over the field's entry, key by key; without either,
    the schema's title and description, else the last part of the path in words.
    """
    overlay = _overlay()
    entry: dict[str, Any] = dict(overlay["fields"].get(path) or {})
    entry.update((overlay["models"].get(model_id) or {}).get(path) or {})
    spec = read_field(schema) if schema is not None else None
    if entry.get("label"):
        return FieldWords(
            label=entry["label"],
            help=entry.get("help") or (spec.description if spec else ""),
            units=entry.get("units", ""),
            typical=entry.get("typical", ""),
            advanced=bool(entry.get("advanced", False)),
            curated=True,
        )
    last = path.replace("[]", "").split(".")[-1]
    return FieldWords(
        label=(spec.title if spec and spec.title else words_from_name(last)),
        help=spec.description if spec else "",
    )


def field_paths(schema: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every field of a request schema with its path: top-level names, then their parts."""
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        path = f"{prefix}{name}"
        yield path, sub
        spec = read_field(sub)
        if spec.items is not None and spec.items.properties:
            yield from field_paths(spec.items.schema, f"{path}[].")
        elif spec.properties:
            yield from field_paths(spec.schema, f"{path}.")


def model_field_words(model: Model) -> dict[str, FieldWords]:
    """The words of every field of ``model``, by path."""
    return {
        path: field_words(path, model_id=model.id, schema=sub)
        for path, sub in field_paths(model.request_schema)
    }


def uncurated_fields(catalogue: Catalogue) -> dict[str, list[str]]:
    """Field paths that have no curated label yet, with the models that have them."""
    missing: dict[str, list[str]] = {}
    for model in catalogue:
        for path, words in model_field_words(model).items():
            if not words.curated:
                missing.setdefault(path, []).append(model.id)
    return dict(sorted(missing.items()))


def form_defaults(model: Model) -> dict[str, Any]:
    """The values a new form for ``model`` starts with: the schema's defaults, adjusted to
    what the model says it does.

    A model described as making audio ("Veo 3.1 ... with audio") starts with its sound
    switch on, even where Krea's schema defaults it off.
    """
    values = model.defaults()
    properties = model.request_schema.get("properties") or {}
    audio = properties.get("generate_audio")
    if (
        isinstance(audio, Mapping)
        and read_field(audio).value_types == {"boolean"}
        and "audio" in f"{model.name} {model.summary}".casefold()
    ):
        values["generate_audio"] = True
    return values
