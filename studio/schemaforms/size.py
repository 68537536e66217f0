"""One size control per form, whatever shape the schema gives the size in.

Krea's schemas give a result's size as ``width``/``height``, as an ``aspect_ratio``
(or ``ratio``) choice with a ``resolution``, or as both at once. A person should see
one control, not three overlapping ones, so :func:`size_control` reads which fields
a form has and decides:

- ``pixels``: width and height with aspect presets; where the schema also has an
  aspect choice, the presets are its values and pressing one sets all three;
- ``aspect``: the aspect choice as presets, the resolution beside it, and any
  optional width and height tucked in as an exact size;
- ``upscale`` (enhancers): width and height computed from the input image's size
  by a factor (2, 4, ... times), or typed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django import forms

from .fields import ChoiceField, NumberField, SchemaField

ASPECT_FIELDS = ("aspect_ratio", "ratio")
RESOLUTION_FIELD = "resolution"
# Aspect presets offered beside width and height: (label, width ratio, height ratio).
ASPECTS = (("1:1", 1, 1), ("4:3", 4, 3), ("3:4", 3, 4), ("16:9", 16, 9), ("9:16", 9, 16),
           ("3:2", 3, 2), ("2:3", 2, 3))  # fmt: skip
ASPECT_ROUNDING = 32
UPSCALE_FACTORS = (2, 4, 8)
_RATIO = re.compile(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class AspectPreset:
    """A shape offered as one click: its label, and the width and height it fills in."""

    label: str
    width: int
    height: int
    # The aspect field's value it also picks ("16:9"), when the schema has one.
    choice: str = ""

    @property
    def value(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class SizeControl:
    """Which fields of a form make up its one size control, and how it is shown."""

    kind: str  # "pixels", "aspect" or "upscale"
    width: str | None = None
    height: str | None = None
    aspect: str | None = None
    resolution: str | None = None
    presets: tuple[AspectPreset, ...] = ()
    factors: tuple[int, ...] = ()
    # Upscale: the field holding the input image, whose size the factors multiply.
    input_field: str | None = None
    names: frozenset[str] = field(default_factory=frozenset)


def aspect_label(value: str) -> str:
    """An aspect choice as people read it: "16:9", or "1280 x 720" for sizes in pixels."""
    match = _RATIO.fullmatch(str(value))
    if match and float(match.group(1)) >= 100:
        return f"{match.group(1)}\u00d7{match.group(2)}"
    return str(value)


def _ratio(value: str) -> tuple[float, float] | None:
    match = _RATIO.fullmatch(str(value))
    return (float(match.group(1)), float(match.group(2))) if match else None


def _fit(value: float, low: float | None, high: float | None) -> int:
    rounded = max(ASPECT_ROUNDING, round(value / ASPECT_ROUNDING) * ASPECT_ROUNDING)
    if high is not None:
        rounded = min(rounded, int(high) // ASPECT_ROUNDING * ASPECT_ROUNDING)
    if low is not None:
        rounded = max(rounded, math.ceil(low / ASPECT_ROUNDING) * ASPECT_ROUNDING)
    return int(rounded)


def aspect_presets(
    width: SchemaField, height: SchemaField, ratios: list[tuple[str, float, float, str]]
) -> tuple[AspectPreset, ...]:
    """Width and height pairs of the same area as the default size, one per ratio, inside
    the schema's limits (``ratios``: label, width ratio, height ratio, aspect choice)."""
    base_w = width.spec.default if isinstance(width.spec.default, int | float) else 1024
    base_h = height.spec.default if isinstance(height.spec.default, int | float) else 1024
    area = float(base_w) * float(base_h)
    presets: list[AspectPreset] = []
    for label, rw, rh, choice in ratios:
        w = math.sqrt(area * rw / rh)
        preset = AspectPreset(
            label=label,
            width=_fit(w, width.spec.minimum, width.spec.maximum),
            height=_fit(w * rh / rw, height.spec.minimum, height.spec.maximum),
            choice=choice,
        )
        if preset not in presets:
            presets.append(preset)
    return tuple(presets)


def upscale_size(
    width: int, height: int, factor: float, *, max_width: float | None, max_height: float | None
) -> tuple[int, int]:
    """The input's size times ``factor``, shrunk (keeping its shape) to fit the limits."""
    w, h = width * factor, height * factor
    shrink = min(
        1.0,
        (max_width / w) if max_width else 1.0,
        (max_height / h) if max_height else 1.0,
    )
    return max(1, math.floor(w * shrink)), max(1, math.floor(h * shrink))


def size_control(fields: Mapping[str, forms.Field], *, upscale: bool = False) -> SizeControl | None:
    """The one size control for a form with these fields, or None when it has no size."""
    width, height = fields.get("width"), fields.get("height")
    pixels = isinstance(width, NumberField) and isinstance(height, NumberField)
    aspect = next(
        (n for n in ASPECT_FIELDS if isinstance(fields.get(n), ChoiceField)),
        None,
    )
    resolution = RESOLUTION_FIELD if isinstance(fields.get(RESOLUTION_FIELD), ChoiceField) else None
    if pixels and upscale:
        input_field = next(
            (n for n, f in fields.items() if getattr(f, "accepts", "") == "uri"), None
        )
        return SizeControl(
            kind="upscale",
            width="width",
            height="height",
            factors=UPSCALE_FACTORS,
            input_field=input_field,
            names=frozenset({"width", "height"}),
        )
    names = {n for n in (aspect, resolution) if n}
    if pixels:
        names |= {"width", "height"}
    if pixels and (aspect is None or width.required or height.required):
        if aspect:
            ratios = [
                (aspect_label(v), *r, str(v))
                for v in fields[aspect].values
                if (r := _ratio(str(v))) is not None
            ]
        else:
            ratios = [(label, rw, rh, "") for label, rw, rh in ASPECTS]
        return SizeControl(
            kind="pixels",
            width="width",
            height="height",
            aspect=aspect,
            resolution=resolution,
            presets=aspect_presets(width, height, ratios),
            names=frozenset(names),
        )
    if aspect or resolution:
        return SizeControl(
            kind="aspect",
            width="width" if pixels else None,
            height="height" if pixels else None,
            aspect=aspect,
            resolution=resolution,
            names=frozenset(names),
        )
    return None


def show_as_presets(fields: Mapping[str, forms.Field], control: SizeControl) -> None:
    """Aspect and resolution choices become rows of presets (radio buttons), labelled as
    people read them; a required one without a default starts with none picked."""
    for name in (control.aspect, control.resolution):
        if name is None:
            continue
        choice = fields[name]
        assert isinstance(choice, ChoiceField)
        blank = [(v, label) for v, label in choice.choices if v == ""]
        options = [(v, aspect_label(label)) for v, label in choice.choices if v != ""]
        blank = [("", "Model decides")] if blank and not choice.required else []
        choice.widget = forms.RadioSelect(attrs={"class": "presets"})
        choice.choices = blank + options
        what = choice.label.lower()
        choice.error_messages["required"] = f"Choose {'an' if what[0] in 'aeiou' else 'a'} {what}."
